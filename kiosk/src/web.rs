//! The hub on the local network (`kiosk serve`): so far the public page — today's rooms, free or busy, and the
//! drop-in sessions of today and this week with their free places — as server-rendered HTML that works on any
//! phone without JavaScript, and the same as JSON under `/api/v1` (documented in docs/openapi.yaml).
//!
//! Every request runs on the kiosk's database thread through [`JobSender::ask`]: the web page queues behind the
//! touchscreen's writes instead of racing them. No personal data is on the public page: rooms are free or busy
//! (never who booked them or what for), sessions show topic, place, times and free places.

use std::fmt::Write as _;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::clock::Clock;
use crate::hub::Hub;
use crate::worker::JobSender;

/// What every request needs: the database thread and the clock.
#[derive(Debug, Clone)]
pub struct WebState {
    pub jobs: JobSender,
    pub clock: Clock,
}

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

#[derive(Debug, Clone, Serialize)]
pub struct PublicSession {
    pub topic: String,
    pub place: String,
    /// Local date ("2027-01-05") and times, hub time.
    pub date: String,
    pub starts: String,
    pub ends: String,
    pub free_places: u32,
    pub places: u32,
}

/// The public page's content.
#[derive(Debug, Clone, Serialize)]
pub struct PublicToday {
    pub hub: String,
    /// "Tuesday 5 January", hub time.
    pub today: String,
    pub rooms: Vec<PublicRoom>,
    pub sessions_today: Vec<PublicSession>,
    pub sessions_later_this_week: Vec<PublicSession>,
}

/// Reads the public picture of the hub at `now` (on the database thread).
pub fn public_today(hub: &mut Hub, now: DateTime<Utc>) -> anyhow::Result<PublicToday> {
    let site = hub.store.site()?;
    let zone = site.time_zone;
    let hm = |instant: DateTime<Utc>| instant.with_timezone(&zone).format("%H:%M").to_string();
    let occupancy = hub.store.occupancy(now)?;
    let rooms = occupancy
        .rooms
        .iter()
        .filter(|room| room.room.bookable)
        .map(|room| PublicRoom {
            name: room.room.name.clone(),
            capacity: room.room.capacity,
            free_now: room.now.is_none(),
            busy_until: room.now.as_ref().map(|booking| hm(booking.slot.end())),
            next_booking_at: room.next.as_ref().map(|booking| hm(booking.slot.start())),
        })
        .collect();
    let local_today = now.with_timezone(&zone).date_naive();
    let today = booking_core::local_day(zone, local_today);
    let week_end = booking_core::local_day(zone, local_today + Duration::days(6)).end();
    let week = booking_core::Slot::new(now, week_end)?;
    let (mut sessions_today, mut sessions_later_this_week) = (Vec::new(), Vec::new());
    for surgery in hub.store.surgeries_overlapping(week)?.into_iter().filter(|surgery| !surgery.cancelled) {
        let open: Vec<_> = surgery.slots.iter().filter(|slot| slot.time.start() >= now).collect();
        let session = PublicSession {
            topic: surgery.topic.clone(),
            place: surgery.place.clone(),
            date: surgery.time.start().with_timezone(&zone).date_naive().to_string(),
            starts: hm(surgery.time.start()),
            ends: hm(surgery.time.end()),
            free_places: open.iter().map(|slot| slot.free()).sum(),
            places: open.iter().map(|slot| slot.seats).sum(),
        };
        if surgery.time.overlaps(&today) {
            sessions_today.push(session);
        } else {
            sessions_later_this_week.push(session);
        }
    }
    Ok(PublicToday {
        hub: site.name,
        today: now.with_timezone(&zone).format("%A %-d %B").to_string(),
        rooms,
        sessions_today,
        sessions_later_this_week,
    })
}

/// The routes: `/` (HTML) and `/api/v1/today` (JSON).
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(public_page))
        .route("/api/v1/today", get(api_today))
        .fallback(not_found)
        .with_state(state)
}

async fn load(state: &WebState) -> Result<PublicToday, Response> {
    let now = state.clock.now();
    match state.jobs.ask(move |hub| public_today(hub, now).map_err(|error| format!("{error:#}"))).await {
        Some(Ok(today)) => Ok(today),
        Some(Err(error)) => {
            eprintln!("kiosk: web: {error}");
            Err((StatusCode::SERVICE_UNAVAILABLE, "The hub's information cannot be read right now. Please try again.")
                .into_response())
        }
        None => Err((StatusCode::SERVICE_UNAVAILABLE, "The kiosk is shutting down.").into_response()),
    }
}

async fn api_today(State(state): State<WebState>) -> Response {
    match load(&state).await {
        Ok(today) => axum::Json(today).into_response(),
        Err(response) => response,
    }
}

async fn public_page(State(state): State<WebState>) -> Response {
    match load(&state).await {
        Ok(today) => Html(render_page(&today)).into_response(),
        Err(response) => response,
    }
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "There is no such page here.")
        .into_response()
}

/// Text made safe to put in HTML.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn sessions_list(html: &mut String, sessions: &[PublicSession], with_date: bool) {
    html.push_str("<ul>\n");
    for session in sessions {
        let places = match session.free_places {
            0 if session.places == 0 => "no bookable places left today; just come along".to_owned(),
            0 => "full — ask at the kiosk for the waiting list".to_owned(),
            1 => "1 place free".to_owned(),
            n => format!("{n} places free"),
        };
        let date = match session.date.parse::<chrono::NaiveDate>() {
            Ok(date) if with_date => format!("{} ", date.format("%A %-d %B")),
            _ => String::new(),
        };
        let _ = writeln!(
            html,
            "<li><strong>{}</strong>, {date}{}–{} · {} · {places}</li>",
            escape(&session.topic),
            escape(&session.starts),
            escape(&session.ends),
            escape(&session.place),
        );
    }
    html.push_str("</ul>\n");
}

/// The public page: plain HTML, large text, high contrast, readable at 200 % zoom and by screen readers.
pub fn render_page(today: &PublicToday) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{hub} — today</title>\n<style>\n\
         body {{ font-family: system-ui, sans-serif; font-size: 1.15rem; line-height: 1.5; max-width: 40rem;\n\
                margin: 0 auto; padding: 1rem; color: #1b1b1f; background: #f4f1ea; }}\n\
         h1 {{ font-size: 1.6rem; }} h2 {{ font-size: 1.3rem; margin-top: 1.5rem; }}\n\
         .free {{ color: #1e6b45; font-weight: 700; }} .busy {{ color: #9a2a1f; font-weight: 700; }}\n\
         li {{ margin: 0.4rem 0; }}\n</style>\n</head>\n<body>\n<main>\n\
         <h1>{hub}</h1>\n<p>{date}</p>\n<h2>Rooms now</h2>\n<ul>\n",
        hub = escape(&today.hub),
        date = escape(&today.today),
    );
    for room in &today.rooms {
        let state = match (&room.busy_until, &room.next_booking_at) {
            (Some(until), _) => format!("<span class=\"busy\">busy</span> until {}", escape(until)),
            (None, Some(next)) => format!("<span class=\"free\">free</span> until {}", escape(next)),
            (None, None) => "<span class=\"free\">free</span> for the rest of the day".to_owned(),
        };
        let _ = writeln!(html, "<li><strong>{}</strong> (for {}): {state}</li>", escape(&room.name), room.capacity);
    }
    html.push_str("</ul>\n<h2>Drop-in help today</h2>\n");
    if today.sessions_today.is_empty() {
        html.push_str("<p>No more drop-in sessions today.</p>\n");
    } else {
        sessions_list(&mut html, &today.sessions_today, false);
    }
    html.push_str("<h2>Later this week</h2>\n");
    if today.sessions_later_this_week.is_empty() {
        html.push_str("<p>No drop-in sessions later this week.</p>\n");
    } else {
        sessions_list(&mut html, &today.sessions_later_this_week, true);
    }
    html.push_str("<p>Book a room or a place at the kiosk by the front door.</p>\n</main>\n</body>\n</html>\n");
    html
}

/// `kiosk serve`: `hub` behind a database thread of its own, served at `address` until the process is stopped.
pub fn serve_hub(hub: Hub, clock: Clock, address: std::net::SocketAddr) -> anyhow::Result<()> {
    hub.store.site()?;
    let jobs = crate::worker::Worker::spawn(hub)?.sender().ok_or_else(|| anyhow::anyhow!("no database thread"))?;
    tokio::runtime::Runtime::new()?.block_on(serve(WebState { jobs, clock }, address))
}

/// Serves until the process is stopped.
pub async fn serve(state: WebState, address: std::net::SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| anyhow::anyhow!("could not listen on {address}: {error}"))?;
    eprintln!("kiosk: serving the hub's page at http://{}/", listener.local_addr()?);
    axum::serve(listener, router(state)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use chrono::TimeZone;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;
    use crate::worker::Worker;

    /// The demo hub on Tuesday 5 January 2027 at 11:00, behind a real database thread.
    fn demo_state() -> (tempfile::TempDir, WebState, Worker) {
        let now = Utc.with_ymd_and_hms(2027, 1, 5, 11, 0, 0).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut hub = Hub::open(dir.path()).unwrap();
        crate::demo::run(&mut hub, now).unwrap();
        let worker = Worker::spawn(hub).unwrap();
        let state = WebState { jobs: worker.sender().unwrap(), clock: Clock::Fixed(now) };
        (dir, state, worker)
    }

    async fn get(state: &WebState, path: &str) -> (StatusCode, String, String) {
        let request = Request::builder().uri(path).body(Body::empty()).unwrap();
        let response = router(state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let kind =
            response.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, kind, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn the_public_page_and_its_json_agree_and_hold_no_personal_data() {
        let (_dir, state, _worker) = demo_state();
        let (status, kind, page) = get(&state, "/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(kind.starts_with("text/html"), "{kind}");
        let (status, kind, json) = get(&state, "/api/v1/today").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(kind, "application/json");
        let today: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(today["hub"], "Riverside Community Tech Hub");
        assert_eq!(today["today"], "Tuesday 5 January");
        for room in today["rooms"].as_array().unwrap() {
            assert!(page.contains(&format!("<strong>{}</strong>", room["name"].as_str().unwrap())));
        }
        for session in today["sessions_today"].as_array().unwrap() {
            assert!(page.contains(session["topic"].as_str().unwrap()));
        }
        assert!(
            !today["rooms"].as_array().unwrap().is_empty() && !today["sessions_today"].as_array().unwrap().is_empty()
        );
        // Who booked what is nobody else's business: no person's name, no booking title.
        for private in ["Ada Lovelace", "Grace Okafor", "Lovelace", "Robotics"] {
            assert!(!page.contains(private) && !json.contains(private), "{private} is on the public page");
        }
    }

    #[tokio::test]
    async fn unknown_paths_are_a_plain_404() {
        let (_dir, state, _worker) = demo_state();
        let (status, _, body) = get(&state, "/admin").await;
        assert_eq!((status, body.as_str()), (StatusCode::NOT_FOUND, "There is no such page here."));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<b>Tom & \"Jerry\"</b>"), "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;");
    }
}
