//! The public pages: today and this week (rooms free or busy, drop-in sessions with free places), one session's
//! times with a form to book a place or join its waiting list (with a pass code, or just a name), the booking's QR,
//! and the calendar feeds. No personal data: rooms are free or busy (never who booked them or what for), sessions
//! show topic, place, times and free places, and feeds hold no names.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use booking_core::{
    Booker, Feed, PassRefusal, Refusal, Refused, RoomId, SeatRefusal, Store, Surgery, SurgeryId, SurgerySlotId,
    UnconferenceBoard, WhenFull,
};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use kiosk_runtime::hub::Hub;
use kiosk_runtime::times::{hm, span};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::i18n::Lang;
use super::page::{Posted, Visitor, pass_qr};
use super::words::{capitalised, long_date};
use super::{Failure, WebState, on_hub, on_reader, unavailable};

/// A room right now, as the public sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PublicRoom {
    pub name: String,
    pub capacity: u32,
    pub free_now: bool,
    /// When the current booking ends, if the room is busy ("14:30", hub time).
    pub busy_until: Option<String>,
    /// When the next booking today starts, if there is one.
    pub next_booking_at: Option<String>,
}

/// A drop-in session as the public sees it: never who hosts it or who has booked.
#[derive(Debug, Clone, Serialize)]
pub struct PublicSession {
    pub id: SurgeryId,
    pub topic: String,
    pub place: String,
    /// Local date ("2027-01-05") and times, hub time.
    pub date: String,
    pub starts: String,
    pub ends: String,
    pub free_places: u32,
    pub places: u32,
    /// Set when the host has called it off: their reason.
    pub cancelled: Option<String>,
}

/// The public page's content.
#[derive(Debug, Clone, Serialize)]
pub struct PublicToday {
    pub hub: String,
    /// Local date, hub time ("2027-01-05").
    pub date: String,
    pub rooms: Vec<PublicRoom>,
    pub sessions_today: Vec<PublicSession>,
    pub sessions_later_this_week: Vec<PublicSession>,
    /// Events from now to the end of the coming week.
    pub events: Vec<super::events::PublicEvent>,
    /// Whether people may join the hub on the web (`/join`).
    pub sign_up_open: bool,
}

/// One bookable time in a session.
#[derive(Debug, Clone, Serialize)]
pub struct PublicSlot {
    pub id: SurgerySlotId,
    pub starts: String,
    pub free: u32,
    pub waiting: u32,
}

/// A session with the times that can still be booked.
#[derive(Debug, Clone, Serialize)]
pub struct PublicSessionDetail {
    #[serde(flatten)]
    pub session: PublicSession,
    pub slots: Vec<PublicSlot>,
}

pub(super) fn public_session_for(surgery: &Surgery, zone: Tz, now: DateTime<Utc>) -> PublicSession {
    let open: Vec<_> = surgery.slots.iter().filter(|slot| slot.time.start() >= now).collect();
    PublicSession {
        id: surgery.id,
        topic: surgery.topic.clone(),
        place: surgery.place.clone(),
        date: surgery.time.start().with_timezone(&zone).date_naive().to_string(),
        starts: hm(surgery.time.start(), zone),
        ends: hm(surgery.time.end(), zone),
        free_places: if surgery.cancelled { 0 } else { open.iter().map(|slot| slot.free()).sum() },
        places: open.iter().map(|slot| slot.seats).sum(),
        cancelled: surgery.cancelled.then(|| surgery.cancel_reason.clone().unwrap_or_default()),
    }
}

/// What the public page shows: the same for every visitor.
#[derive(Debug)]
pub struct TodayReading {
    pub today: PublicToday,
    pub unconferences: Vec<UnconferenceBoard>,
}

/// The last [`TodayReading`], with the reader connection's data version and the minute it was read in: a page asked
/// for again before anything is committed (by any connection) and within the same minute is served from memory, so
/// fifty phones on the public page cost one reading, not fifty. Times in it are whole minutes, as bookings are.
/// SQLite's data versions can only be compared on one connection: the cache belongs to the one reader connection
/// (a second reader sharing it would make every reading look stale — tried, and it halved the throughput).
#[derive(Debug, Default)]
pub struct TodayCache(Mutex<Option<(ReadAt, Arc<TodayReading>)>>);

/// When a reading was made: the reader connection's data version, and the minute (Unix minutes).
type ReadAt = (i64, i64);

/// Today's public reading, from `cache` if nothing has changed since (on the readers' thread).
fn read_today(store: &Store, now: DateTime<Utc>, cache: &TodayCache) -> Result<Arc<TodayReading>, Failure> {
    let stamp = (store.data_version()?, now.timestamp().div_euclid(60));
    let mut last = cache.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((read_at, reading)) = &*last
        && *read_at == stamp
    {
        return Ok(reading.clone());
    }
    let local_today = now.with_timezone(&store.site()?.time_zone).date_naive();
    let reading = Arc::new(TodayReading {
        today: public_today(store, now)?,
        unconferences: store.unconferences_from(local_today)?,
    });
    *last = Some((stamp, reading.clone()));
    Ok(reading)
}

/// Reads the public picture of the hub at `now` (on the database thread).
pub fn public_today(store: &Store, now: DateTime<Utc>) -> Result<PublicToday, Failure> {
    let site = store.site()?;
    let zone = site.time_zone;
    let occupancy = store.occupancy(now)?;
    let rooms = occupancy
        .rooms
        .iter()
        .filter(|room| room.room.bookable)
        .map(|room| PublicRoom {
            name: room.room.name.clone(),
            capacity: room.room.capacity,
            free_now: room.now.is_none(),
            busy_until: room.now.as_ref().map(|booking| hm(booking.slot.end(), zone)),
            next_booking_at: room.next.as_ref().map(|booking| hm(booking.slot.start(), zone)),
        })
        .collect();
    let local_today = now.with_timezone(&zone).date_naive();
    let today = booking_core::local_day(zone, local_today);
    let week_end = booking_core::local_day(zone, local_today + Duration::days(6)).end();
    let week = booking_core::Slot::new(now, week_end)?;
    let (mut sessions_today, mut sessions_later_this_week) = (Vec::new(), Vec::new());
    for surgery in store.surgeries_overlapping(week)? {
        let session = public_session_for(&surgery, zone, now);
        if surgery.time.overlaps(&today) {
            sessions_today.push(session);
        } else {
            sessions_later_this_week.push(session);
        }
    }
    Ok(PublicToday {
        hub: site.name,
        date: local_today.to_string(),
        rooms,
        sessions_today,
        sessions_later_this_week,
        events: super::events::coming_events(store, now)?,
        sign_up_open: store.sign_up_is_open()?,
    })
}

/// One session and its times still to come.
pub fn session_detail(store: &Store, id: SurgeryId, now: DateTime<Utc>) -> Result<PublicSessionDetail, Failure> {
    let zone = store.site()?.time_zone;
    let surgery = store.surgery(id)?;
    let slots = surgery
        .slots
        .iter()
        .filter(|slot| slot.time.start() >= now && !surgery.cancelled)
        .map(|slot| PublicSlot {
            id: slot.id,
            starts: hm(slot.time.start(), zone),
            free: slot.free(),
            waiting: slot.waiting,
        })
        .collect();
    Ok(PublicSessionDetail { session: public_session_for(&surgery, zone, now), slots })
}

/// Booking a place: the time chosen, and either a pass code or a name.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlaceRequest {
    #[serde(default, deserialize_with = "slot_id")]
    pub slot: Option<SurgerySlotId>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub pass: String,
}

/// A slot id from JSON (a number) or a form (text, which serde's flattening hands over as a string); anything
/// else counts as no time chosen.
fn slot_id<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<SurgerySlotId>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        Number(i64),
        Text(String),
    }
    Ok(match Option::<Given>::deserialize(deserializer)? {
        Some(Given::Number(id)) => Some(SurgerySlotId(id)),
        Some(Given::Text(text)) => text.trim().parse().ok().map(SurgerySlotId),
        None => None,
    })
}

/// A place booked, or a waiting-list place, and the pass to show at the kiosk.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceBooked {
    pub session: PublicSession,
    pub time: String,
    /// Set when the time was full: the place on its waiting list (1 = next).
    pub waiting_position: Option<u32>,
    /// The text of the QR code to show at the kiosk.
    pub pass: String,
}

/// Why a place was not booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceRefused {
    NoTime,
    NoName,
    Pass(PassRefusal),
    Seat(SeatRefusal),
    /// A name the hub cannot keep (too long, control characters): booking-core's sentence.
    Invalid(String),
}

impl PlaceRefused {
    /// A stable word for the JSON API.
    pub fn code(&self) -> &'static str {
        match self {
            PlaceRefused::NoTime => "no_time",
            PlaceRefused::NoName => "no_name",
            PlaceRefused::Pass(_) => "pass_refused",
            PlaceRefused::Seat(refusal) => refusal.code(),
            PlaceRefused::Invalid(_) => "invalid",
        }
    }

    /// What to tell the person, in their language.
    pub fn reason(&self, lang: Lang) -> String {
        match self {
            PlaceRefused::NoTime => lang.tr("Please choose a time."),
            PlaceRefused::NoName => lang.tr("Please write your name, or the code of your pass."),
            // The form takes a name as well as a pass: say so after the pass's own reason.
            PlaceRefused::Pass(refusal) => {
                format!("{} {}", lang.reason(refusal), lang.tr("You can also write your name instead."))
            }
            PlaceRefused::Seat(refusal) => lang.reason(refusal),
            PlaceRefused::Invalid(message) => capitalised(message),
        }
    }
}

/// Books a place in session `id` for the holder of a pass, or for a newcomer by name (who then gets a day pass).
/// A full time gives a waiting-list place: the form said so beside the time.
pub fn book_place_on(
    hub: &mut Hub,
    id: SurgeryId,
    request: &PlaceRequest,
    now: DateTime<Utc>,
) -> Result<Result<PlaceBooked, PlaceRefused>, Failure> {
    let surgery = hub.store.surgery(id)?;
    let Some(chosen) = request.slot else { return Ok(Err(PlaceRefused::NoTime)) };
    let Some(slot) = surgery.slots.iter().find(|known| known.id == chosen) else {
        return Err(Failure::NotFound(format!("time number {chosen} is not one of this session's times")));
    };
    let (pass_text, name) = (request.pass.trim(), request.name.trim());
    let booker = match (pass_text.is_empty(), name.is_empty()) {
        (false, _) => Booker::Pass(pass_text),
        (true, false) => Booker::Newcomer(name),
        (true, true) => return Ok(Err(PlaceRefused::NoName)),
    };
    let place = match hub.store.book_place(&hub.key, slot.id, booker, WhenFull::JoinWaitingList, now) {
        Ok(Ok(place)) => place,
        Ok(Err(Refused::Pass(refusal))) => return Ok(Err(PlaceRefused::Pass(refusal))),
        Ok(Err(Refused::Rule(refusal))) => return Ok(Err(PlaceRefused::Seat(refusal))),
        Err(booking_core::StoreError::Invalid(message)) => return Ok(Err(PlaceRefused::Invalid(message))),
        Err(other) => return Err(other.into()),
    };
    let zone = hub.store.site()?.time_zone;
    Ok(Ok(PlaceBooked {
        session: public_session_for(&hub.store.surgery(id)?, zone, now),
        time: hm(slot.time.start(), zone),
        waiting_position: place.waiting_position,
        pass: place.pass.map_or_else(|| pass_text.to_owned(), |issued| issued.payload),
    }))
}

// ---- pages ----

fn places_words(lang: Lang, session: &PublicSession) -> Markup {
    if let Some(reason) = &session.cancelled {
        return html! { span.cancelled { (lang.trf("Cancelled: {}", &[reason])) } };
    }
    html! {
        (match session.free_places {
            0 if session.places == 0 => lang.tr("no times left to book; just come along"),
            0 => lang.tr("full: you can join a waiting list"),
            1 => lang.tr("1 place free"),
            n => lang.trf("{} places free", &[&n]),
        })
    }
}

fn sessions_list(lang: Lang, sessions: &[PublicSession], with_date: bool) -> Markup {
    html! {
        ul {
            @for session in sessions {
                li {
                    a href={ "/sessions/" (session.id) } { strong { (session.topic) } }
                    ", "
                    @if with_date { (long_date(lang, &session.date)) ", " }
                    (span(&session.starts, &session.ends)) " · " (session.place) " · " (places_words(lang, session))
                }
            }
        }
    }
}

/// The public page's body.
pub fn render_today(lang: Lang, today: &PublicToday) -> Markup {
    html! {
        h1 { (today.hub) }
        p { (long_date(lang, &today.date)) }
        h2 { (lang.tr("Rooms now")) }
        ul {
            @for room in &today.rooms {
                li {
                    strong { (room.name) } " (" (lang.trf("for {} people", &[&room.capacity])) "): "
                    @match (&room.busy_until, &room.next_booking_at) {
                        (Some(until), _) => span.busy { (lang.trf("busy until {}", &[until])) },
                        (None, Some(next)) => span.free { (lang.trf("free until {}", &[next])) },
                        (None, None) => span.free { (lang.tr("free for the rest of the day")) },
                    }
                }
            }
        }
        h2 { (lang.tr("Drop-in help today")) }
        @if today.sessions_today.is_empty() {
            p { (lang.tr("No more drop-in sessions today.")) }
        } @else {
            (sessions_list(lang, &today.sessions_today, false))
        }
        @if !today.events.is_empty() {
            h2 { (lang.tr("Events this week")) }
            (super::events::events_list(lang, &today.events))
        }
        h2 { (lang.tr("Later this week")) }
        @if today.sessions_later_this_week.is_empty() {
            p { (lang.tr("No drop-in sessions later this week.")) }
        } @else {
            (sessions_list(lang, &today.sessions_later_this_week, true))
        }
        p { (lang.tr("Choose a session to book a place. Rooms are booked at the kiosk by the front door, or with the QR code beside each room's door.")) }
        @if today.sign_up_open {
            p.noprint { a href="/join" { (lang.trf("Join {}: get a member pass by e-mail", &[&today.hub])) } }
        }
        p.noprint { a href="/login" { (lang.tr("Hosts and staff: sign in")) } }
    }
}

pub async fn today_page(State(state): State<WebState>, visitor: Visitor) -> Response {
    let cache = state.today.clone();
    match on_reader(&state, move |store, now| read_today(store, now, &cache)).await {
        Ok(reading) => {
            let (today, days) = (&reading.today, &reading.unconferences);
            let lang = visitor.lang;
            let body = html! {
                (render_today(lang, today))
                @if !days.is_empty() {
                    h2 { (lang.tr("Unconference days")) }
                    ul { @for day in days {
                        li {
                            a href={ "/unconference/" (day.id) } { strong { (day.title) } }
                            br; (kiosk_runtime::times::day(day.day, lang.locale())) " — "
                            (lang.tr("propose a session, vote, and see the programme"))
                        }
                    } }
                }
            };
            visitor.page(StatusCode::OK, &today.hub, body)
        }
        Err(_) => unavailable(visitor.lang),
    }
}

/// The session page's body: times to choose from and the booking form, with `problem` at the top if the last
/// try was refused and the person's entries kept.
fn render_session(
    visitor: &Visitor,
    detail: &PublicSessionDetail,
    asked: &PlaceRequest,
    problem: Option<&str>,
) -> Markup {
    let lang = visitor.lang;
    let session = &detail.session;
    html! {
        p { a href="/" { (lang.tr("Back to today at the hub")) } }
        h1 { (session.topic) }
        p { (long_date(lang, &session.date)) ", " (span(&session.starts, &session.ends)) " · " (session.place) }
        @if let Some(problem) = problem {
            p.error role="alert" { (problem) }
        }
        @if let Some(reason) = &session.cancelled {
            p.error { (lang.trf("This session has been cancelled: {}", &[reason])) }
        } @else if detail.slots.is_empty() {
            p { (lang.tr("There are no times left to book in this session.")) }
        } @else {
            form method="post" action={ "/sessions/" (session.id) } {
                (visitor.csrf_field())
                fieldset {
                    legend { (lang.tr("Choose a time")) }
                    @for slot in &detail.slots {
                        label {
                            input type="radio" name="slot" value=(slot.id) checked[asked.slot == Some(slot.id)];
                            " " (slot.starts) " — "
                            (match (slot.free, slot.waiting) {
                                (0, 0) => lang.tr("full: join the waiting list"),
                                (0, waiting) => lang.trf("full: join the waiting list ({} waiting)", &[&waiting]),
                                (1, _) => lang.tr("1 place free"),
                                (free, _) => lang.trf("{} places free", &[&free]),
                            })
                        }
                    }
                }
                label for="name" { (lang.tr("Your name")) span.hint { (lang.tr("Your first name is enough.")) } }
                input #name type="text" name="name" autocomplete="given-name" maxlength="80" value=(asked.name);
                label for="pass" {
                    (lang.tr("Or the code of your pass"))
                    span.hint {
                        (lang.tr("If you have a hub pass, type the code printed under its QR code instead of your name."))
                    }
                }
                input #pass type="text" name="pass" autocomplete="off" autocapitalize="characters" spellcheck="false"
                    maxlength="200" value=(asked.pass);
                button type="submit" { (lang.tr("Book my place")) }
            }
        }
    }
}

/// The page after booking a drop-in place.
fn render_booked(lang: Lang, booked: &PlaceBooked) -> Markup {
    let session = &booked.session;
    let what = html! { (session.topic) ", " (long_date(lang, &session.date)) ", " (booked.time) " · " (session.place) };
    render_place_taken(lang, what, booked.waiting_position, &booked.pass)
}

/// The page after a place (or a waiting-list place) is taken, in a drop-in session or at an event: `what` it is,
/// and the QR code to show at the kiosk.
pub(super) fn render_place_taken(lang: Lang, what: Markup, waiting_position: Option<u32>, pass: &str) -> Markup {
    let (heading, explanation) = match waiting_position {
        None => {
            (lang.tr("You have a place"), lang.tr("Show this QR code at the kiosk when you arrive: it checks you in."))
        }
        Some(position) => (
            lang.trf("You are number {} on the waiting list", &[&position]),
            lang.tr("If a place frees up it is yours. Show this QR code at the kiosk when you arrive."),
        ),
    };
    html! {
        div.done role="status" {
            h1 { (heading) }
            p { (what) }
        }
        p { (explanation) }
        (pass_qr(lang, pass))
        p { (lang.tr("Keep this page or take a screenshot. The code under it works too:")) }
        p.code { (pass) }
        p { a href="/" { (lang.tr("Back to today at the hub")) } }
    }
}

pub async fn session_page(State(state): State<WebState>, visitor: Visitor, Path(id): Path<i64>) -> Response {
    let id = SurgeryId(id);
    match on_reader(&state, move |store, now| session_detail(store, id, now)).await {
        Ok(detail) => visitor.page(
            StatusCode::OK,
            &detail.session.topic,
            render_session(&visitor, &detail, &PlaceRequest::default(), None),
        ),
        Err(Failure::Invalid(_) | Failure::NotFound(_)) => no_such_session(&visitor),
        Err(Failure::Broken(_)) => unavailable(visitor.lang),
    }
}

fn no_such_session(visitor: &Visitor) -> Response {
    let lang = visitor.lang;
    let body = html! {
        h1 { (lang.tr("There is no such session")) }
        p { a href="/" { (lang.tr("Back to today at the hub")) } }
    };
    visitor.page(StatusCode::NOT_FOUND, &lang.tr("There is no such session"), body)
}

pub async fn book_place(
    State(state): State<WebState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<Posted<PlaceRequest>>,
) -> Response {
    if let Err(refused) = visitor.check_form(&form.csrf) {
        return refused;
    }
    let id = SurgeryId(id);
    let request = form.fields.clone();
    // The session's times are read again only to show the form once more after a refusal.
    let result = on_hub(&state, move |hub, now| match book_place_on(hub, id, &request, now)? {
        Ok(booked) => Ok(Ok(booked)),
        Err(refused) => Ok(Err((refused, session_detail(&hub.store, id, now)?))),
    })
    .await;
    match result {
        Ok(Ok(booked)) => {
            state.note_change();
            visitor.page(StatusCode::OK, &visitor.lang.tr("You have a place"), render_booked(visitor.lang, &booked))
        }
        Ok(Err((refused, detail))) => {
            let problem = refused.reason(visitor.lang);
            let body = render_session(&visitor, &detail, &form.fields, Some(&problem));
            visitor.page(StatusCode::UNPROCESSABLE_ENTITY, &detail.session.topic, body)
        }
        Err(Failure::Invalid(_) | Failure::NotFound(_)) => no_such_session(&visitor),
        Err(Failure::Broken(_)) => unavailable(visitor.lang),
    }
}

/// `/calendar/all.ics`, `/calendar/surgeries.ics`, `/calendar/room-<id>.ics`: the feeds of `kiosk ics`, from 90
/// days ago on, for calendar apps to subscribe to. They hold no names.
pub async fn calendar(State(state): State<WebState>, Path(file): Path<String>) -> Response {
    let feed = match file.strip_suffix(".ics") {
        Some("all") => Feed::All,
        Some("surgeries") => Feed::Surgeries,
        Some(other) => match other.strip_prefix("room-").and_then(|id| id.parse().ok()) {
            Some(id) => Feed::Room(RoomId(id)),
            None => return super::not_found().await,
        },
        None => return super::not_found().await,
    };
    match on_reader(&state, move |store, now| Ok(store.calendar(feed, now - Duration::days(90), now)?)).await {
        Ok(text) => ([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], text).into_response(),
        Err(Failure::Invalid(_) | Failure::NotFound(_)) => super::not_found().await,
        Err(Failure::Broken(_)) => unavailable(Lang::ENGLISH),
    }
}

/// The JSON forms of the above, for `api`.
pub mod json {
    use super::*;
    use crate::answer::{Body, Number};

    pub async fn today(State(state): State<WebState>) -> Response {
        let cache = state.today.clone();
        match on_reader(&state, move |store, now| read_today(store, now, &cache)).await {
            Ok(reading) => Json(&reading.today).into_response(),
            Err(failure) => crate::answer::failed(failure),
        }
    }

    pub async fn session(State(state): State<WebState>, Number(id): Number) -> Response {
        match on_reader(&state, move |store, now| session_detail(store, SurgeryId(id), now)).await {
            Ok(detail) => Json(detail).into_response(),
            Err(failure) => crate::answer::failed(failure),
        }
    }

    pub async fn book(
        State(state): State<WebState>,
        visitor: Visitor,
        Number(id): Number,
        Body(request): Body<PlaceRequest>,
    ) -> Response {
        match on_hub(&state, move |hub, now| book_place_on(hub, SurgeryId(id), &request, now)).await {
            Ok(Ok(booked)) => {
                state.note_change();
                (StatusCode::CREATED, Json(booked)).into_response()
            }
            Ok(Err(refused)) => {
                let status = match refused {
                    PlaceRefused::Seat(_) => StatusCode::CONFLICT,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                crate::answer::refusal(status, refused.code(), &refused.reason(visitor.lang))
            }
            Err(failure) => crate::answer::failed(failure),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_people_typed_is_escaped_on_the_page() {
        let hostile = "<script>alert('x')</script> & \"co\"";
        let session = PublicSession {
            id: SurgeryId(1),
            topic: hostile.into(),
            place: hostile.into(),
            date: "2027-01-05".into(),
            starts: "10:00".into(),
            ends: "11:00".into(),
            free_places: 0,
            places: 2,
            cancelled: Some(hostile.into()),
        };
        let room =
            PublicRoom { name: hostile.into(), capacity: 4, free_now: true, busy_until: None, next_booking_at: None };
        let today = PublicToday {
            hub: hostile.into(),
            date: "2027-01-05".into(),
            rooms: vec![room],
            sessions_today: vec![session.clone()],
            sessions_later_this_week: vec![session],
            events: Vec::new(),
            sign_up_open: true,
        };
        let html = render_today(Lang::ENGLISH, &today).into_string();
        assert!(!html.contains("<script>") && !html.contains("\"co\""), "{html}");
        assert_eq!(html.matches("&lt;script&gt;alert('x')&lt;/script&gt; &amp; &quot;co&quot;").count(), 9, "{html}");
    }
}
