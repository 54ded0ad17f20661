//! The staff pages, after a staff member's PIN: each room's bookings today, who is on site (with a roll-call page
//! made for printing in an evacuation), the whole-hub export and the calendar feeds' addresses.

use std::fmt::Write as _;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use booking_core::{RoomId, Slot};
use chrono::{DateTime, Utc};
use kiosk_runtime::hub::Hub;
use kiosk_runtime::times::hm;
use serde::Serialize;

use super::i18n::Lang;
use super::page::{Visitor, escape};
use super::sign_ins::SignedIn;
use super::words::long_date;
use super::{Failure, WebState, on_hub, unavailable};

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
}

pub fn staff_today(hub: &mut Hub, now: DateTime<Utc>) -> Result<StaffToday, Failure> {
    let site = hub.store.site()?;
    let zone = site.time_zone;
    let local = now.with_timezone(&zone);
    let day: Slot = booking_core::local_day(zone, local.date_naive());
    let on_site = hub
        .store
        .roll_call()?
        .into_iter()
        .map(|person| OnSiteLine {
            name: person.display_name,
            role: person.role.as_str().to_owned(),
            since: hm(person.since, zone),
            reason: person.reason,
        })
        .collect();
    let bookings = hub.store.bookings_overlapping(day, None)?;
    let mut rooms = Vec::new();
    for room in hub.store.rooms()? {
        let mut bookings_today = Vec::new();
        for booking in bookings.iter().filter(|booking| booking.room_id == room.id && booking.status.is_active()) {
            let booked_for = match booking.booked_for.or(booking.booked_by) {
                Some(person) => Some(hub.store.person(person)?.display_name),
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
    Ok(StaffToday {
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
            let body = format!(
                "<h1>{}</h1>\n<p><a href=\"/host\">{}</a></p>\n",
                escape(&lang.tr("Only staff can see this page")),
                escape(&lang.tr("Back to my sessions"))
            );
            Err(visitor.page(StatusCode::FORBIDDEN, &lang.tr("Only staff can see this page"), &body))
        }
    }
}

fn render_overview(lang: Lang, today: &StaffToday) -> String {
    let mut html = format!(
        "<h1>{}</h1>\n<p>{} · {}</p>\n<h2>{}</h2>\n<p>{}</p>\n<p><a href=\"/staff/roll-call\">{}</a> · <a href=\"/host\">{}</a></p>\n",
        escape(&lang.tr("Staff")),
        escape(&today.hub),
        escape(&long_date(lang, &today.date)),
        escape(&lang.tr("On site now")),
        escape(
            &lang.trf("{} people on site; the building is safe for {}.", &[&today.on_site.len(), &today.safe_capacity])
        ),
        escape(&lang.tr("Roll-call to print")),
        escape(&lang.tr("My drop-in sessions")),
    );
    let _ = writeln!(html, "<h2>{}</h2>", escape(&lang.tr("Rooms today")));
    for room in &today.rooms {
        let _ = writeln!(html, "<h3>{}</h3>", escape(&room.name));
        if room.bookings_today.is_empty() {
            let _ = writeln!(html, "<p>{}</p>", escape(&lang.tr("No bookings today.")));
            continue;
        }
        html.push_str("<ul>\n");
        for booking in &room.bookings_today {
            let who = booking.booked_for.as_deref().map(|name| format!(" ({})", escape(name))).unwrap_or_default();
            let _ = writeln!(
                html,
                "<li>{}&#8288;–&#8288;{} <strong>{}</strong>{who}</li>",
                escape(&booking.starts),
                escape(&booking.ends),
                escape(&booking.title)
            );
        }
        html.push_str("</ul>\n");
    }
    let _ = writeln!(
        html,
        "<h2>{}</h2>\n<p><a href=\"/staff/export.json\" download>{}</a></p>\n<p>{}</p>",
        escape(&lang.tr("The hub's data")),
        escape(&lang.tr("Download everything (JSON)")),
        escape(&lang.tr("It holds people's names: keep it safe and delete it when you are done.")),
    );
    let _ = writeln!(
        html,
        "<h2>{}</h2>\n<p>{}</p>\n<ul>\n<li><a href=\"/calendar/all.ics\">{}</a></li>\n<li><a href=\"/calendar/surgeries.ics\">{}</a></li>",
        escape(&lang.tr("Calendars")),
        escape(&lang.tr("Add these addresses to a calendar app to see bookings there. They hold no names.")),
        escape(&lang.tr("Every room and session")),
        escape(&lang.tr("Drop-in sessions")),
    );
    for room in &today.rooms {
        let _ = writeln!(html, "<li><a href=\"/calendar/room-{}.ics\">{}</a></li>", room.id, escape(&room.name));
    }
    html.push_str("</ul>\n");
    html
}

/// The roll-call page: big, black on white, a box to tick by each name, printed with the time it was made.
fn render_roll_call(lang: Lang, today: &StaffToday) -> String {
    let mut html = format!(
        "<p class=\"noprint\"><a href=\"/staff\">{}</a></p>\n<h1>{}</h1>\n<p>{}</p>\n<p><strong>{}</strong></p>\n",
        escape(&lang.tr("Back to the staff page")),
        escape(&lang.trf("Roll-call: {}", &[&today.hub])),
        escape(&lang.trf(
            "Made at {} on {}. Tick each person once they are safe outside.",
            &[&today.time, &long_date(lang, &today.date)]
        )),
        escape(&lang.trf("{} people on site", &[&today.on_site.len()])),
    );
    let _ = writeln!(
        html,
        "<table>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>",
        escape(&lang.tr("Safe")),
        escape(&lang.tr("Name")),
        escape(&lang.tr("Since")),
        escape(&lang.tr("Here for")),
    );
    for person in &today.on_site {
        let _ = writeln!(
            html,
            "<tr><td><span class=\"tick\"></span></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&person.name),
            escape(&person.since),
            escape(person.reason.as_deref().unwrap_or(""))
        );
    }
    html.push_str("</tbody>\n</table>\n");
    html
}

/// A staff page made from the overview's data: `render` gives its title and body.
async fn staff_page(
    state: &WebState,
    visitor: &Visitor,
    render: fn(Lang, &StaffToday) -> (String, String),
) -> Response {
    if let Err(response) = staff_only(visitor) {
        return response;
    }
    match on_hub(state, staff_today).await {
        Ok(today) => {
            let (title, body) = render(visitor.lang, &today);
            visitor.page(StatusCode::OK, &title, &body)
        }
        Err(_) => unavailable(visitor.lang),
    }
}

pub async fn overview(State(state): State<WebState>, visitor: Visitor) -> Response {
    staff_page(&state, &visitor, |lang, today| (lang.tr("Staff"), render_overview(lang, today))).await
}

pub async fn roll_call(State(state): State<WebState>, visitor: Visitor) -> Response {
    staff_page(&state, &visitor, |lang, today| {
        (lang.trf("Roll-call: {}", &[&today.hub]), render_roll_call(lang, today))
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
        Some(_) => match on_hub(&state, staff_today).await {
            Ok(today) => Json(today).into_response(),
            Err(failure) => super::answer::failed(failure),
        },
    }
}
