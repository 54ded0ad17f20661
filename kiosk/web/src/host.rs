//! The host's pages, after a PIN sign-in: my sessions for the next eight weeks, who has booked each time and who
//! is waiting, the walk-in queue; plan a new session, change its topic, place or places, or cancel it with a reason
//! (shown on the public page). Staff can open any session; a host only their own.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use booking_core::{NewSurgery, SeatStatus, Slot, Store, SurgeryEdit, SurgeryId, TicketStatus, resolve_local};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use kiosk_runtime::hub::Hub;
use kiosk_runtime::times::{hm, span};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::i18n::Lang;
use super::page::{Posted, Visitor};
use super::public::{PublicSession, public_session_for};
use super::sign_ins::SignedIn;
use super::words::long_date;
use super::{Failure, WebState, on_hub, on_reader, unavailable};

/// How far ahead "my sessions" looks.
const AHEAD_DAYS: i64 = 56;

/// A session as its host sees it.
#[derive(Debug, Clone, Serialize)]
pub struct HostSession {
    #[serde(flatten)]
    pub session: PublicSession,
    pub booked: u32,
    pub waiting: u32,
    pub seats_per_slot: u32,
}

/// One time in a session, with who has it.
#[derive(Debug, Clone, Serialize)]
pub struct HostSlot {
    pub starts: String,
    pub places: u32,
    /// Names with their state: booked, arrived, seen, no_show, waiting or cancelled.
    pub people: Vec<(String, SeatStatus)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueueEntry {
    pub number: u32,
    pub status: TicketStatus,
}

#[derive(Debug, Clone, Serialize)]
pub struct HostSessionDetail {
    #[serde(flatten)]
    pub session: HostSession,
    pub slots: Vec<HostSlot>,
    pub queue: Vec<QueueEntry>,
}

fn host_session(surgery: &booking_core::Surgery, zone: chrono_tz::Tz, now: DateTime<Utc>) -> HostSession {
    HostSession {
        session: public_session_for(surgery, zone, now),
        booked: surgery.slots.iter().map(|slot| slot.taken).sum(),
        waiting: surgery.slots.iter().map(|slot| slot.waiting).sum(),
        seats_per_slot: surgery.seats_per_slot,
    }
}

/// `login`'s sessions from the start of today for [`AHEAD_DAYS`].
pub fn my_sessions_on(store: &Store, login: &SignedIn, now: DateTime<Utc>) -> Result<Vec<HostSession>, Failure> {
    let zone = store.site()?.time_zone;
    let today = booking_core::local_day(zone, now.with_timezone(&zone).date_naive());
    let range = Slot::new(today.start(), today.start() + Duration::days(AHEAD_DAYS))?;
    Ok(store
        .surgeries_overlapping(range)?
        .iter()
        .filter(|surgery| surgery.host_id == login.person)
        .map(|surgery| host_session(surgery, zone, now))
        .collect())
}

/// The surgery, if `login` may manage it.
fn own_surgery(store: &Store, login: &SignedIn, id: SurgeryId) -> Result<booking_core::Surgery, Failure> {
    let surgery = store.surgery(id)?;
    if surgery.host_id != login.person && !login.is_staff() {
        return Err(Failure::NotFound(format!("there is no surgery number {id}")));
    }
    Ok(surgery)
}

pub fn session_on(
    store: &Store,
    login: &SignedIn,
    id: SurgeryId,
    now: DateTime<Utc>,
) -> Result<HostSessionDetail, Failure> {
    let zone = store.site()?.time_zone;
    let surgery = own_surgery(store, login, id)?;
    let holders = store.seat_holders(id)?;
    let slots = surgery
        .slots
        .iter()
        .map(|slot| HostSlot {
            starts: hm(slot.time.start(), zone),
            places: slot.seats,
            people: holders
                .iter()
                .filter(|holder| holder.slot == slot.id && holder.status != SeatStatus::Cancelled)
                .map(|holder| (holder.display_name.clone(), holder.status))
                .collect(),
        })
        .collect();
    let queue = store
        .queue(id)?
        .into_iter()
        .map(|ticket| QueueEntry { number: ticket.number, status: ticket.status })
        .collect();
    Ok(HostSessionDetail { session: host_session(&surgery, zone, now), slots, queue })
}

/// A new session as typed into the form (or sent as JSON): local date and times in the hub's zone.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SessionForm {
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub minutes_each: String,
    #[serde(default)]
    pub places: String,
}

fn number(text: &str, what: &str) -> Result<u32, Failure> {
    text.trim().parse().map_err(|_| Failure::Invalid(format!("the {what} must be a whole number")))
}

pub fn create_on(
    hub: &mut Hub,
    login: &SignedIn,
    form: &SessionForm,
    now: DateTime<Utc>,
) -> Result<SurgeryId, Failure> {
    let zone = hub.store.site()?.time_zone;
    let date = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d")
        .map_err(|_| Failure::Invalid("please give the date as year-month-day, like 2027-01-05".into()))?;
    let time = |text: &str| {
        NaiveTime::parse_from_str(text.trim(), "%H:%M")
            .map_err(|_| Failure::Invalid("please give times as hours:minutes, like 10:00".into()))
    };
    let local = |at: NaiveTime| resolve_local(zone, date.and_time(at)).map_err(|gap| Failure::Invalid(gap.to_string()));
    let (start, end) = (local(time(&form.from)?)?, local(time(&form.until)?)?);
    let surgery = hub.store.add_surgery(
        &NewSurgery {
            topic: form.topic.clone(),
            host: login.person,
            place: form.place.clone(),
            time: Slot::new(start, end)?,
            slot_minutes: number(&form.minutes_each, "minutes for each person")?,
            seats_per_slot: number(&form.places, "number of places")?,
        },
        now,
    )?;
    Ok(surgery.id)
}

/// A change to a session: `edit` (topic, place, places) or `cancel` (with a reason).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ChangeForm {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub places: String,
    #[serde(default)]
    pub reason: String,
}

pub fn change_on(
    hub: &mut Hub,
    login: &SignedIn,
    id: SurgeryId,
    change: &ChangeForm,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    own_surgery(&hub.store, login, id)?;
    match change.action.as_str() {
        "edit" => {
            let edit = SurgeryEdit {
                topic: change.topic.clone(),
                place: change.place.clone(),
                seats_per_slot: number(&change.places, "number of places")?,
            };
            hub.store.edit_surgery(id, &edit, now)?;
        }
        "cancel" => {
            hub.store.cancel_surgery(id, &change.reason, now)?;
        }
        _ => return Err(Failure::Invalid("choose whether to save changes or cancel the session".into())),
    }
    Ok(())
}

// ---- pages ----

fn status_words(lang: Lang, status: SeatStatus) -> String {
    // Each word written out in a `tr` call: the translations test finds them there.
    match status {
        SeatStatus::Booked => lang.tr("booked"),
        SeatStatus::Arrived => lang.tr("arrived"),
        SeatStatus::Seen => lang.tr("seen"),
        SeatStatus::NoShow => lang.tr("did not come"),
        SeatStatus::Waiting => lang.tr("waiting list"),
        SeatStatus::Cancelled => lang.tr("cancelled"),
    }
}

/// A labelled, required input: text with at most `length` characters, or a number within `range`.
fn field(id: &str, label: &str, kind: &str, value: &str, length: Option<u32>, range: Option<(u32, u32)>) -> Markup {
    html! {
        label for=(id) { (label) }
        input #(id) type=(kind) name=(id) value=(value) maxlength=[length] min=[range.map(|(min, _)| min)]
            max=[range.map(|(_, max)| max)] required;
    }
}

fn render_list(visitor: &Visitor, sessions: &[HostSession], form: &SessionForm, problem: Option<&str>) -> Markup {
    let lang = visitor.lang;
    let or_default = |value: &str, default: &str| if value.is_empty() { default.to_owned() } else { value.to_owned() };
    html! {
        h1 { (lang.tr("My drop-in sessions")) }
        @if sessions.is_empty() {
            p { (lang.tr("You have no sessions planned in the next eight weeks.")) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (lang.tr("When")) }
                    th scope="col" { (lang.tr("Session")) }
                    th scope="col" { (lang.tr("Booked")) }
                } }
                tbody {
                    @for session in sessions {
                        @let public = &session.session;
                        tr {
                            td { (long_date(lang, &public.date)) " " (span(&public.starts, &public.ends)) }
                            td { a href={ "/host/sessions/" (public.id) } { (public.topic) } " · " (public.place) }
                            td {
                                @if public.cancelled.is_some() {
                                    span.cancelled { (lang.tr("cancelled")) }
                                } @else {
                                    (lang.trf("{} booked, {} waiting", &[&session.booked, &session.waiting]))
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 #new { (lang.tr("Plan a new session")) }
        @if let Some(problem) = problem {
            p.error role="alert" { (problem) }
        }
        form method="post" action="/host" {
            (visitor.csrf_field())
            (field("topic", &lang.tr("Topic"), "text", &form.topic, Some(120), None))
            (field("place", &lang.tr("Place"), "text", &form.place, Some(80), None))
            (field("date", &lang.tr("Date"), "date", &form.date, None, None))
            (field("from", &lang.tr("From"), "time", &form.from, None, None))
            (field("until", &lang.tr("Until"), "time", &form.until, None, None))
            @let (minutes_each, places) = (or_default(&form.minutes_each, "20"), or_default(&form.places, "1"));
            (field("minutes_each", &lang.tr("Minutes for each person"), "number", &minutes_each, None, Some((5, 240))))
            (field("places", &lang.tr("People seen at the same time"), "number", &places, None, Some((1, 50))))
            button type="submit" { (lang.tr("Plan this session")) }
        }
    }
}

fn render_detail(
    visitor: &Visitor,
    detail: &HostSessionDetail,
    change: Option<&ChangeForm>,
    problem: Option<&str>,
) -> Markup {
    let lang = visitor.lang;
    let public = &detail.session.session;
    let waiting = detail.queue.iter().filter(|entry| entry.status == TicketStatus::Waiting).count();
    let change = change.cloned().unwrap_or_else(|| ChangeForm {
        topic: public.topic.clone(),
        place: public.place.clone(),
        places: detail.session.seats_per_slot.to_string(),
        ..ChangeForm::default()
    });
    html! {
        p { a href="/host" { (lang.tr("Back to my sessions")) } }
        h1 { (public.topic) }
        p { (long_date(lang, &public.date)) " " (span(&public.starts, &public.ends)) " · " (public.place) }
        @if let Some(problem) = problem {
            p.error role="alert" { (problem) }
        }
        @if let Some(reason) = &public.cancelled {
            p.cancelled { (lang.trf("Cancelled: {}", &[reason])) }
        }
        h2 { (lang.tr("Who has booked")) }
        ul {
            @for slot in &detail.slots {
                li {
                    strong { (slot.starts) } ": "
                    @if slot.people.is_empty() {
                        (lang.tr("nobody yet"))
                    }
                    @for (index, (name, status)) in slot.people.iter().enumerate() {
                        @if index > 0 { ", " }
                        (name) " (" (status_words(lang, *status)) ")"
                    }
                }
            }
        }
        h2 { (lang.tr("Walk-in queue")) }
        p { (lang.trf("{} tickets taken, {} still waiting.", &[&detail.queue.len(), &waiting])) }
        @if public.cancelled.is_none() {
            h2 { (lang.tr("Change this session")) }
            form method="post" action={ "/host/sessions/" (public.id) } {
                (visitor.csrf_field())
                input type="hidden" name="action" value="edit";
                (field("topic", &lang.tr("Topic"), "text", &change.topic, Some(120), None))
                (field("place", &lang.tr("Place"), "text", &change.place, Some(80), None))
                @let places = &lang.tr("People seen at the same time");
                (field("places", places, "number", &change.places, None, Some((1, 50))))
                button type="submit" { (lang.tr("Save changes")) }
            }
            h2 { (lang.tr("Cancel this session")) }
            form method="post" action={ "/host/sessions/" (public.id) } {
                (visitor.csrf_field())
                input type="hidden" name="action" value="cancel";
                label for="reason" {
                    (lang.tr("Reason"))
                    span.hint { (lang.tr("Shown on the hub's public page, so people know why.")) }
                }
                input #reason type="text" name="reason" maxlength="200" required value=(change.reason);
                button.danger type="submit" { (lang.tr("Cancel the session")) }
            }
        }
    }
}

/// The signed-in person, or a page that sends them to sign in.
fn signed_in(visitor: &Visitor) -> Result<SignedIn, Response> {
    visitor.login.clone().ok_or_else(|| Redirect::to("/login").into_response())
}

fn problem_text(failure: Failure, lang: Lang) -> Result<String, Response> {
    match failure {
        Failure::Invalid(message) | Failure::NotFound(message) => Ok(super::words::capitalised(&message)),
        Failure::Broken(_) => Err(unavailable(lang)),
    }
}

pub async fn my_sessions(State(state): State<WebState>, visitor: Visitor) -> Response {
    let login = match signed_in(&visitor) {
        Ok(login) => login,
        Err(response) => return response,
    };
    match on_reader(&state, move |store, now| my_sessions_on(store, &login, now)).await {
        Ok(sessions) => visitor.page(
            StatusCode::OK,
            &visitor.lang.tr("My drop-in sessions"),
            render_list(&visitor, &sessions, &SessionForm::default(), None),
        ),
        Err(_) => unavailable(visitor.lang),
    }
}

pub async fn create(
    State(state): State<WebState>,
    visitor: Visitor,
    Form(form): Form<Posted<SessionForm>>,
) -> Response {
    let login = match signed_in(&visitor) {
        Ok(login) => login,
        Err(response) => return response,
    };
    if let Err(refused) = visitor.check_form(&form.csrf) {
        return refused;
    }
    let session = form.fields.clone();
    // The list is read again only to show the form once more after a refusal.
    let outcome = on_hub(&state, move |hub, now| match create_on(hub, &login, &session, now) {
        Ok(id) => Ok(Ok(id)),
        Err(failure) => Ok(Err((failure, my_sessions_on(&hub.store, &login, now)?))),
    })
    .await;
    match outcome {
        Ok(Ok(id)) => {
            state.note_change();
            Redirect::to(&format!("/host/sessions/{id}")).into_response()
        }
        Ok(Err((failure, sessions))) => match problem_text(failure, visitor.lang) {
            Ok(problem) => visitor.page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &visitor.lang.tr("My drop-in sessions"),
                render_list(&visitor, &sessions, &form.fields, Some(&problem)),
            ),
            Err(response) => response,
        },
        Err(_) => unavailable(visitor.lang),
    }
}

async fn show_session(
    state: &WebState,
    visitor: &Visitor,
    login: SignedIn,
    id: SurgeryId,
    status: StatusCode,
    change: Option<&ChangeForm>,
    problem: Option<&str>,
) -> Response {
    match on_reader(state, move |store, now| session_on(store, &login, id, now)).await {
        Ok(detail) => {
            visitor.page(status, &detail.session.session.topic, render_detail(visitor, &detail, change, problem))
        }
        Err(Failure::Invalid(_) | Failure::NotFound(_)) => super::not_found().await,
        Err(Failure::Broken(_)) => unavailable(visitor.lang),
    }
}

pub async fn session(State(state): State<WebState>, visitor: Visitor, Path(id): Path<i64>) -> Response {
    match signed_in(&visitor) {
        Ok(login) => show_session(&state, &visitor, login, SurgeryId(id), StatusCode::OK, None, None).await,
        Err(response) => response,
    }
}

pub async fn change(
    State(state): State<WebState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<Posted<ChangeForm>>,
) -> Response {
    let login = match signed_in(&visitor) {
        Ok(login) => login,
        Err(response) => return response,
    };
    if let Err(refused) = visitor.check_form(&form.csrf) {
        return refused;
    }
    let (id, change, by) = (SurgeryId(id), form.fields.clone(), login.clone());
    match on_hub(&state, move |hub, now| change_on(hub, &by, id, &change, now)).await {
        Ok(()) => {
            state.note_change();
            Redirect::to(&format!("/host/sessions/{id}")).into_response()
        }
        Err(failure) => match problem_text(failure, visitor.lang) {
            Ok(problem) => {
                show_session(
                    &state,
                    &visitor,
                    login,
                    id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(&form.fields),
                    Some(&problem),
                )
                .await
            }
            Err(response) => response,
        },
    }
}

/// The JSON forms, for `api`.
pub mod json {
    use super::*;
    use crate::answer::{Body, Number, failed, needs_login};

    pub async fn list(State(state): State<WebState>, visitor: Visitor) -> Response {
        let Some(login) = visitor.login else { return needs_login() };
        match on_reader(&state, move |store, now| my_sessions_on(store, &login, now)).await {
            Ok(sessions) => Json(sessions).into_response(),
            Err(failure) => failed(failure),
        }
    }

    pub async fn create(State(state): State<WebState>, visitor: Visitor, Body(form): Body<SessionForm>) -> Response {
        let Some(login) = visitor.login else { return needs_login() };
        let created = on_hub(&state, move |hub, now| {
            let id = create_on(hub, &login, &form, now)?;
            session_on(&hub.store, &login, id, now)
        });
        match created.await {
            Ok(detail) => {
                state.note_change();
                (StatusCode::CREATED, Json(detail)).into_response()
            }
            Err(failure) => failed(failure),
        }
    }

    pub async fn detail(State(state): State<WebState>, visitor: Visitor, Number(id): Number) -> Response {
        let Some(login) = visitor.login else { return needs_login() };
        match on_reader(&state, move |store, now| session_on(store, &login, SurgeryId(id), now)).await {
            Ok(detail) => Json(detail).into_response(),
            Err(failure) => failed(failure),
        }
    }

    pub async fn change(
        State(state): State<WebState>,
        visitor: Visitor,
        Number(id): Number,
        Body(change): Body<ChangeForm>,
    ) -> Response {
        let Some(login) = visitor.login else { return needs_login() };
        let id = SurgeryId(id);
        let changed = on_hub(&state, move |hub, now| {
            change_on(hub, &login, id, &change, now)?;
            session_on(&hub.store, &login, id, now)
        });
        match changed.await {
            Ok(detail) => {
                state.note_change();
                Json(detail).into_response()
            }
            Err(failure) => failed(failure),
        }
    }
}
