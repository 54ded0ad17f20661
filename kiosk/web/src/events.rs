//! Events on the web: this week's events on the public page, and `/events/<id>`, where anyone registers with a
//! pass code or just a name — or joins the waiting list of a full event — and gets the QR code that checks them in.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use booking_core::{Booker, Event, EventId, Store, WhenFull};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use kiosk_runtime::hub::Hub;
use kiosk_runtime::times::{hm, span};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::i18n::Lang;
use super::page::{Posted, Visitor};
use super::public::render_place_taken;
use super::words::{capitalised, long_date};
use super::{Failure, WebState, on_hub, on_reader, unavailable};

/// An event as the public pages show it: no names.
#[derive(Debug, Clone, Serialize)]
pub struct PublicEvent {
    pub id: EventId,
    pub title: String,
    pub description: String,
    pub room: String,
    /// Local date, hub time ("2027-01-05").
    pub date: String,
    pub starts: String,
    pub ends: String,
    pub free_places: u32,
    pub places: u32,
    /// Set when it is called off: the reason given.
    pub cancelled: Option<String>,
}

fn public_event(event: &Event, zone: Tz) -> PublicEvent {
    PublicEvent {
        id: event.id,
        title: event.title.clone(),
        description: event.description.clone(),
        room: event.room.clone(),
        date: event.time.start().with_timezone(&zone).date_naive().to_string(),
        starts: hm(event.time.start(), zone),
        ends: hm(event.time.end(), zone),
        free_places: if event.cancelled { 0 } else { event.free() },
        places: event.capacity,
        cancelled: event.cancelled.then(|| event.cancel_reason.clone().unwrap_or_default()),
    }
}

/// The events from `now` to the end of the coming week, earliest first.
pub fn coming_events(store: &Store, now: DateTime<Utc>) -> Result<Vec<PublicEvent>, Failure> {
    let zone = store.site()?.time_zone;
    let week_end = booking_core::local_day(zone, now.with_timezone(&zone).date_naive() + Duration::days(6)).end();
    let events = store.events_overlapping(booking_core::Slot::new(now, week_end)?)?;
    Ok(events.iter().filter(|event| event.time.end() > now).map(|event| public_event(event, zone)).collect())
}

fn places_words(lang: Lang, event: &PublicEvent) -> String {
    match (&event.cancelled, event.free_places) {
        (Some(_), _) => lang.tr("Called off"),
        (None, 0) => lang.tr("Full: waiting list open"),
        (None, 1) => lang.tr("1 place free"),
        (None, free) => lang.trf("{} places free", &[&free]),
    }
}

/// The public page's list of events.
pub fn events_list(lang: Lang, events: &[PublicEvent]) -> Markup {
    html! {
        ul {
            @for event in events {
                li {
                    a href={ "/events/" (event.id) } { strong { (event.title) } }
                    br;
                    (long_date(lang, &event.date)) ", " (span(&event.starts, &event.ends)) " · " (event.room) " — "
                    span class=(if event.cancelled.is_some() || event.free_places == 0 { "busy" } else { "free" }) {
                        (places_words(lang, event))
                    }
                }
            }
        }
    }
}

/// Registering: a pass code or a name.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    pass: String,
}

fn event_detail(store: &Store, id: EventId) -> Result<PublicEvent, Failure> {
    let zone = store.site()?.time_zone;
    Ok(public_event(&store.event(id)?, zone))
}

pub async fn event_page(State(state): State<WebState>, visitor: Visitor, Path(id): Path<i64>) -> Response {
    let id = EventId(id);
    match on_reader(&state, move |store, _| event_detail(store, id)).await {
        Ok(event) => {
            visitor.page(StatusCode::OK, &event.title, render(&visitor, &event, &RegisterForm::default(), None))
        }
        Err(Failure::Invalid(_) | Failure::NotFound(_)) => no_such_event(&visitor),
        Err(Failure::Broken(_)) => unavailable(visitor.lang),
    }
}

/// A place taken (or a waiting-list place), and the pass to show at the kiosk.
struct Taken {
    waiting_position: Option<u32>,
    pass: String,
}

fn register_on(
    hub: &mut Hub,
    id: EventId,
    form: &RegisterForm,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Result<Taken, String>, Failure> {
    let (pass, name) = (form.pass.trim(), form.name.trim());
    let booker = match (pass.is_empty(), name.is_empty()) {
        (false, _) => Booker::Pass(pass),
        (true, false) => Booker::Newcomer(name),
        (true, true) => return Ok(Err(lang.tr("Please write your name, or the code of your pass."))),
    };
    match hub.store.register_for_event(&hub.key, id, booker, WhenFull::JoinWaitingList, now) {
        Ok(Ok(registered)) => {
            let shown = registered.pass.map(|issued| issued.payload).unwrap_or_else(|| pass.to_owned());
            Ok(Ok(Taken { waiting_position: registered.waiting_position, pass: shown }))
        }
        Ok(Err(refused)) => Ok(Err(lang.reason(&refused))),
        Err(booking_core::StoreError::Invalid(message)) => Ok(Err(capitalised(&message))),
        Err(error) => Err(error.into()),
    }
}

pub async fn register(
    State(state): State<WebState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<Posted<RegisterForm>>,
) -> Response {
    if let Err(refused) = visitor.check_form(&form.csrf) {
        return refused;
    }
    let (id, lang, asked) = (EventId(id), visitor.lang, form.fields.clone());
    let result = on_hub(&state, move |hub, now| {
        let taken = register_on(hub, id, &asked, lang, now)?;
        Ok((taken, event_detail(&hub.store, id)?))
    })
    .await;
    match result {
        Ok((Ok(taken), event)) => {
            state.note_change();
            visitor.page(StatusCode::OK, &event.title, render_taken(lang, &event, &taken))
        }
        Ok((Err(problem), event)) => {
            let body = render(&visitor, &event, &form.fields, Some(&problem));
            visitor.page(StatusCode::UNPROCESSABLE_ENTITY, &event.title, body)
        }
        Err(Failure::Invalid(_) | Failure::NotFound(_)) => no_such_event(&visitor),
        Err(Failure::Broken(_)) => unavailable(lang),
    }
}

fn render(visitor: &Visitor, event: &PublicEvent, asked: &RegisterForm, problem: Option<&str>) -> Markup {
    let lang = visitor.lang;
    html! {
        p { a href="/" { (lang.tr("Back to today at the hub")) } }
        h1 { (event.title) }
        p { (long_date(lang, &event.date)) ", " (span(&event.starts, &event.ends)) " · " (event.room) }
        @if !event.description.is_empty() { p { (event.description) } }
        @if let Some(problem) = problem {
            p.error role="alert" { (problem) }
        }
        @if let Some(reason) = &event.cancelled {
            p.error { (lang.trf("This event has been called off: {}", &[reason])) }
        } @else {
            p { strong { (places_words(lang, event)) } }
            form method="post" action={ "/events/" (event.id) } {
                (visitor.csrf_field())
                label for="name" { (lang.tr("Your name")) span.hint { (lang.tr("Your first name is enough.")) } }
                input #name type="text" name="name" autocomplete="given-name" maxlength="80" value=(asked.name);
                label for="pass" {
                    (lang.tr("Or the code of your pass"))
                    span.hint { (lang.tr("If you have a hub pass, type the code printed under its QR code instead of your name.")) }
                }
                input #pass type="text" name="pass" autocomplete="off" autocapitalize="characters" spellcheck="false"
                    maxlength="200" value=(asked.pass);
                button type="submit" {
                    @if event.free_places == 0 { (lang.tr("Join the waiting list")) } @else { (lang.tr("Register")) }
                }
            }
        }
    }
}

fn render_taken(lang: Lang, event: &PublicEvent, taken: &Taken) -> Markup {
    let what = html! {
        (event.title) ", " (long_date(lang, &event.date)) ", " (span(&event.starts, &event.ends)) " · " (event.room)
    };
    render_place_taken(lang, what, taken.waiting_position, &taken.pass)
}

fn no_such_event(visitor: &Visitor) -> Response {
    let lang = visitor.lang;
    let body = html! {
        h1 { (lang.tr("There is no such event")) }
        p { a href="/" { (lang.tr("Back to today at the hub")) } }
    };
    visitor.page(StatusCode::NOT_FOUND, &lang.tr("There is no such event"), body)
}
