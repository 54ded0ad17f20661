//! The staff pages, after a staff member's PIN: each room's bookings today, who is on site (with a roll-call page
//! made for printing in an evacuation), room calendars kept elsewhere (and where they land on bookings), the
//! whole-hub export and the calendar feeds' addresses.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use booking_core::{Delivery, MessageCounts, RoomId, Slot, Store};
use chrono::{DateTime, Utc};
use kiosk_runtime::times::{hm, span};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::i18n::Lang;
use super::page::{Posted, Visitor};
use super::sign_ins::SignedIn;
use super::words::long_date;
use super::{Failure, WebState, on_hub, on_reader, unavailable};

#[derive(Debug, Clone, Serialize)]
pub struct StaffBooking {
    pub starts: String,
    pub ends: String,
    pub title: String,
    pub booked_for: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaffRoom {
    pub id: RoomId,
    pub name: String,
    pub bookings_today: Vec<StaffBooking>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OnSiteLine {
    pub name: String,
    pub role: String,
    /// Checked in at, hub time ("09:12").
    pub since: String,
    pub reason: Option<String>,
}

/// What the staff overview shows.
#[derive(Debug, Clone, Serialize)]
pub struct StaffToday {
    pub hub: String,
    pub date: String,
    /// Now, hub time ("11:00"): the roll-call says when it was printed.
    pub time: String,
    pub safe_capacity: u32,
    pub on_site: Vec<OnSiteLine>,
    pub rooms: Vec<StaffRoom>,
    /// Messages to people waiting, sent and given up.
    pub messages: MessageCounts,
    /// Why the newest message not sent did not go, if a try failed.
    pub message_problem: Option<String>,
    /// Whether people may join on the web (`/join`).
    pub sign_up_open: bool,
    /// Room calendars kept elsewhere, their health and where they land on bookings.
    pub room_calendars: Vec<StaffCalendar>,
}

/// A moment as the staff page shows it: a date ("2027-01-05") and a time ("10:30"), hub time.
#[derive(Debug, Clone, Serialize)]
pub struct StaffMoment {
    pub date: String,
    pub time: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaffCalendar {
    pub name: String,
    pub room: String,
    pub read_at: Option<StaffMoment>,
    pub failure: Option<String>,
    pub failed_at: Option<StaffMoment>,
    /// Busy times from now on.
    pub blocks: u32,
    pub collisions: Vec<StaffCollision>,
}

/// A time a room's calendar shows it busy that lands on a booking made here first.
#[derive(Debug, Clone, Serialize)]
pub struct StaffCollision {
    pub summary: String,
    pub starts: StaffMoment,
    pub ends: String,
    pub booking_title: String,
    pub booking_starts: String,
    pub booking_ends: String,
}

pub fn staff_today(store: &Store, now: DateTime<Utc>) -> Result<StaffToday, Failure> {
    let site = store.site()?;
    let zone = site.time_zone;
    let local = now.with_timezone(&zone);
    let day: Slot = booking_core::local_day(zone, local.date_naive());
    let on_site = store
        .roll_call()?
        .into_iter()
        .map(|person| OnSiteLine {
            name: person.display_name,
            role: person.role.as_str().to_owned(),
            since: hm(person.since, zone),
            reason: person.reason,
        })
        .collect();
    let bookings = store.bookings_overlapping(day, None)?;
    let mut rooms = Vec::new();
    for room in store.rooms()? {
        let mut bookings_today = Vec::new();
        for booking in bookings.iter().filter(|booking| booking.room_id == room.id && booking.status.is_active()) {
            let booked_for = match booking.booked_for.or(booking.booked_by) {
                Some(person) => Some(store.person(person)?.display_name),
                None => None,
            };
            bookings_today.push(StaffBooking {
                starts: hm(booking.slot.start(), zone),
                ends: hm(booking.slot.end(), zone),
                title: booking.title.clone(),
                booked_for,
                status: booking.status.as_str().to_owned(),
            });
        }
        rooms.push(StaffRoom { id: room.id, name: room.name, bookings_today });
    }
    let moment = |instant: DateTime<Utc>| {
        let local = instant.with_timezone(&zone);
        StaffMoment { date: local.date_naive().to_string(), time: local.format("%H:%M").to_string() }
    };
    let room_calendars = store
        .room_calendars(now)?
        .into_iter()
        .map(|calendar| StaffCalendar {
            read_at: calendar.read_at.map(moment),
            failed_at: calendar.failed_at.map(moment),
            collisions: calendar
                .collisions
                .iter()
                .map(|collision| StaffCollision {
                    summary: collision.summary.clone(),
                    starts: moment(collision.block.start()),
                    ends: hm(collision.block.end(), zone),
                    booking_title: collision.booking_title.clone(),
                    booking_starts: hm(collision.booking_slot.start(), zone),
                    booking_ends: hm(collision.booking_slot.end(), zone),
                })
                .collect(),
            name: calendar.name,
            room: calendar.room,
            failure: calendar.failure,
            blocks: calendar.blocks,
        })
        .collect();
    let message_problem = store
        .messages(20)?
        .into_iter()
        .find(|message| message.delivery != Delivery::Sent && message.last_error.is_some())
        .and_then(|message| message.last_error);
    Ok(StaffToday {
        messages: store.message_counts()?,
        message_problem,
        sign_up_open: store.sign_up_is_open()?,
        room_calendars,
        hub: site.name,
        date: local.date_naive().to_string(),
        time: local.format("%H:%M").to_string(),
        safe_capacity: site.safe_capacity,
        on_site,
        rooms,
    })
}

/// The signed-in staff member, or the page to show instead.
fn staff_only(visitor: &Visitor) -> Result<SignedIn, Response> {
    match &visitor.login {
        None => Err(Redirect::to("/login").into_response()),
        Some(login) if login.is_staff() => Ok(login.clone()),
        Some(_) => {
            let lang = visitor.lang;
            let body = html! {
                h1 { (lang.tr("Only staff can see this page")) }
                p { a href="/host" { (lang.tr("Back to my sessions")) } }
            };
            Err(visitor.page(StatusCode::FORBIDDEN, &lang.tr("Only staff can see this page"), body))
        }
    }
}

fn render_overview(visitor: &Visitor, today: &StaffToday) -> Markup {
    let lang = visitor.lang;
    html! {
        h1 { (lang.tr("Staff")) }
        p { (today.hub) " · " (long_date(lang, &today.date)) }
        h2 { (lang.tr("On site now")) }
        p {
            (lang.trf("{} people on site; the building is safe for {}.", &[&today.on_site.len(), &today.safe_capacity]))
        }
        p {
            a href="/staff/roll-call" { (lang.tr("Roll-call to print")) } " · "
            a href="/host" { (lang.tr("My drop-in sessions")) }
        }
        h2 { (lang.tr("Rooms today")) }
        @for room in &today.rooms {
            h3 { (room.name) }
            @if room.bookings_today.is_empty() {
                p { (lang.tr("No bookings today.")) }
            } @else {
                ul {
                    @for booking in &room.bookings_today {
                        li {
                            (span(&booking.starts, &booking.ends)) " " strong { (booking.title) }
                            @if let Some(name) = &booking.booked_for { " (" (name) ")" }
                        }
                    }
                }
            }
        }
        (render_room_calendars(lang, &today.room_calendars))
        h2 { (lang.tr("Messages to people")) }
        p {
            (lang.trf(
                "{} waiting, {} sent, {} not sent.",
                &[&today.messages.pending, &today.messages.sent, &today.messages.failed]
            ))
        }
        @if let Some(problem) = &today.message_problem {
            p.error { (lang.trf("The last try failed: {}", &[problem])) }
        }
        h2 { (lang.tr("Joining on the web")) }
        form method="post" action="/staff/sign-up" {
            (visitor.csrf_field())
            @if today.sign_up_open {
                p { (lang.tr("Open: people can join at /join and get their member pass by e-mail.")) }
                input type="hidden" name="open" value="no";
                button type="submit" { (lang.tr("Close joining on the web")) }
            } @else {
                p { (lang.tr("Closed: people join at the desk.")) }
                input type="hidden" name="open" value="yes";
                button type="submit" { (lang.tr("Open joining on the web")) }
            }
        }
        h2 { (lang.tr("The hub's data")) }
        p { a href="/staff/export.json" download { (lang.tr("Download everything (JSON)")) } }
        p { (lang.tr("It holds people's names: keep it safe and delete it when you are done.")) }
        h2 { (lang.tr("Calendars")) }
        p { (lang.tr("Add these addresses to a calendar app to see bookings there. They hold no names.")) }
        ul {
            li { a href="/calendar/all.ics" { (lang.tr("Every room and session")) } }
            li { a href="/calendar/surgeries.ics" { (lang.tr("Drop-in sessions")) } }
            @for room in &today.rooms {
                li { a href={ "/calendar/room-" (room.id) ".ics" } { (room.name) } }
            }
        }
    }
}

/// Room calendars kept elsewhere: when each was last read, a failed fetch, and blocks landing on bookings.
fn render_room_calendars(lang: Lang, calendars: &[StaffCalendar]) -> Markup {
    let when = |moment: &StaffMoment| format!("{} {}", long_date(lang, &moment.date), moment.time);
    html! {
        h2 { (lang.tr("Room calendars from elsewhere")) }
        @if calendars.is_empty() {
            p { (lang.tr("None. Add one with kiosk calendar import, or with [[calendars]] in the configuration file.")) }
        }
        @for calendar in calendars {
            h3 { (calendar.room) }
            p.address { (calendar.name) }
            p {
                @match &calendar.read_at {
                    Some(read) => (lang.trf("Last read {}; {} busy times ahead.", &[&when(read), &calendar.blocks])),
                    None => (lang.tr("Not read yet.")),
                }
            }
            @if let (Some(failure), Some(at)) = (&calendar.failure, &calendar.failed_at) {
                p.error {
                    @if calendar.read_at.is_some() {
                        (lang.trf("The last try, {}, failed: {}. The last good copy stays.", &[&when(at), failure]))
                    } @else {
                        (lang.trf("The last try, {}, failed: {}.", &[&when(at), failure]))
                    }
                }
            }
            @if !calendar.collisions.is_empty() {
                p.error { (lang.tr("These land on bookings made here first. Both stay until one of them moves:")) }
                ul {
                    @for collision in &calendar.collisions {
                        li {
                            (when(&collision.starts)) "–" (collision.ends) " " strong { (collision.summary) } " · "
                            (lang.trf(
                                "booking “{}” {}",
                                &[&collision.booking_title, &span(&collision.booking_starts, &collision.booking_ends)]
                            ))
                        }
                    }
                }
            }
        }
    }
}

/// The roll-call page: big, black on white, a box to tick by each name, printed with the time it was made.
fn render_roll_call(lang: Lang, today: &StaffToday) -> Markup {
    html! {
        p.noprint { a href="/staff" { (lang.tr("Back to the staff page")) } }
        h1 { (lang.trf("Roll-call: {}", &[&today.hub])) }
        p {
            (lang.trf(
                "Made at {} on {}. Tick each person once they are safe outside.",
                &[&today.time, &long_date(lang, &today.date)]
            ))
        }
        p { strong { (lang.trf("{} people on site", &[&today.on_site.len()])) } }
        table {
            thead { tr {
                th scope="col" { (lang.tr("Safe")) }
                th scope="col" { (lang.tr("Name")) }
                th scope="col" { (lang.tr("Since")) }
                th scope="col" { (lang.tr("Here for")) }
            } }
            tbody {
                @for person in &today.on_site {
                    tr {
                        td { span.tick {} }
                        td { (person.name) }
                        td { (person.since) }
                        td { (person.reason.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
    }
}

/// A staff page made from the overview's data: `render` gives its title and body.
async fn staff_page(
    state: &WebState,
    visitor: &Visitor,
    render: fn(&Visitor, &StaffToday) -> (String, Markup),
) -> Response {
    if let Err(response) = staff_only(visitor) {
        return response;
    }
    match on_reader(state, staff_today).await {
        Ok(today) => {
            let (title, body) = render(visitor, &today);
            visitor.page(StatusCode::OK, &title, body)
        }
        Err(_) => unavailable(visitor.lang),
    }
}

pub async fn overview(State(state): State<WebState>, visitor: Visitor) -> Response {
    staff_page(&state, &visitor, |visitor, today| (visitor.lang.tr("Staff"), render_overview(visitor, today))).await
}

/// What the sign-up switch sends.
#[derive(Debug, Clone, Deserialize)]
pub struct SignUpSwitch {
    #[serde(default)]
    open: String,
}

/// Opens or closes joining on the web, then shows the staff page again.
pub async fn switch_sign_up(
    State(state): State<WebState>,
    visitor: Visitor,
    Form(form): Form<Posted<SignUpSwitch>>,
) -> Response {
    if let Err(response) = staff_only(&visitor) {
        return response;
    }
    if let Err(refused) = visitor.check_form(&form.csrf) {
        return refused;
    }
    let open = form.fields.open == "yes";
    match on_hub(&state, move |hub, _| Ok(hub.store.set_sign_up_open(open)?)).await {
        Ok(()) => Redirect::to("/staff").into_response(),
        Err(_) => unavailable(visitor.lang),
    }
}

pub async fn roll_call(State(state): State<WebState>, visitor: Visitor) -> Response {
    staff_page(&state, &visitor, |visitor, today| {
        (visitor.lang.trf("Roll-call: {}", &[&today.hub]), render_roll_call(visitor.lang, today))
    })
    .await
}

/// The whole-hub export of `kiosk export`, as a download.
pub async fn export(State(state): State<WebState>, visitor: Visitor) -> Response {
    if let Err(response) = staff_only(&visitor) {
        return response;
    }
    let exported = on_hub(&state, |hub, now| {
        let document = hub.store.export(now)?;
        let day = now.format("%Y%m%d");
        serde_json::to_string_pretty(&document)
            .map(|text| (text, format!("attachment; filename=\"hub-export-{day}.json\"")))
            .map_err(|error| Failure::Broken(error.to_string()))
    });
    match exported.await {
        Ok((text, disposition)) => (
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            text,
        )
            .into_response(),
        Err(_) => unavailable(visitor.lang),
    }
}

/// The JSON form of the overview, for `api`.
pub async fn json_today(State(state): State<WebState>, visitor: Visitor) -> Response {
    match visitor.login {
        None => super::answer::needs_login(),
        Some(login) if !login.is_staff() => super::answer::refusal(
            StatusCode::FORBIDDEN,
            "staff_only",
            &visitor.lang.tr("Only staff can see this page"),
        ),
        Some(_) => match on_reader(&state, staff_today).await {
            Ok(today) => Json(today).into_response(),
            Err(failure) => super::answer::failed(failure),
        },
    }
}
