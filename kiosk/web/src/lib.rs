//! The hub on the local network, in a browser: `kiosk serve`, or inside `kiosk run` when `kiosk.toml` has a
//! `[server]` section. Server-rendered HTML that works on an old phone without JavaScript, and the same operations
//! as JSON under `/api/v1` (docs/openapi.yaml).
//!
//! - `public`: today and this week, booking a place in a drop-in session (with a pass code or a name), the
//!   booking's QR, and the calendar feeds. No personal data.
//! - `login`: PIN sign-in for hosts and staff; wrong PINs count towards the same lock as at the kiosk.
//! - `host`: my sessions, who has booked them, the walk-in queue; create, edit, cancel with a reason.
//! - `staff`: rooms and today's bookings, who is on site, a printable roll-call, the whole-hub export.
//! - `api`: the JSON API.
//! - `events`: this week's events, and registering for one (or its waiting list) with a pass code or a name.
//! - `unconference`: an unconference day's live board, proposing, voting, and the organiser's grid; printable.
//! - `join`: joining the hub (when staff have it open): a link by e-mail confirms the address, then the pass.
//! - `rooms`: a room's page for a phone at its door (from the display's QR): book it from now, or check in.
//! - `display`: the room displays and the lobby's, kept live by `boards_feed` (its own read-only connection).
//!
//! Every request that writes runs on the kiosk's database thread through [`on_hub`]: the web queues behind the
//! touchscreen's writes instead of racing them, so there is one writer and no "database is locked". Pages that
//! only read run on a thread of their own over a read-only connection ([`on_reader`]), and the displays read from
//! memory ([`BoardFeed`]), so neither ever slows a check-in at the door. The public page and today's JSON, the same
//! for everyone, are read once per change to the hub ([`public::TodayCache`]).

// Handlers answer with a `Response` whichever way things go; boxing the refusals would only add noise.
#![allow(clippy::result_large_err)]

mod answer;
mod api;
mod boards_feed;
mod display;
mod events;
mod host;
pub mod i18n;
mod join;
mod login;
mod page;
pub mod public;
mod rooms;
mod sign_ins;
mod staff;
mod unconference;
mod words;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use booking_core::Store;
use chrono::{DateTime, Utc};
use kiosk_runtime::clock::Clock;
use kiosk_runtime::hub::Hub;
use kiosk_runtime::worker::{self, DatabaseThread, JobSender};
use tokio::sync::watch;
use tracing::{error, info};

use boards_feed::BoardFeed;
use i18n::Lang;
pub use public::{PublicToday, public_today};
use sign_ins::SignIns;

/// What every request needs: the database thread, the clock, the languages offered and who is signed in.
#[derive(Debug, Clone)]
pub struct WebState {
    /// The hub's database thread, in the lane behind the door's (a check-in never waits for the web's writes).
    pub jobs: JobSender,
    /// The thread of pages that only read, over its own read-only connection.
    reads: JobSender<Store>,
    pub clock: Clock,
    pub languages: Vec<Lang>,
    /// What the displays show, kept current by its own thread.
    boards: BoardFeed,
    /// The public page's last reading (see [`public::TodayCache`]).
    today: Arc<public::TodayCache>,
    /// Raised when the server stops, so the displays' live streams end and the server can finish.
    closing: Arc<watch::Sender<bool>>,
    sign_ins: Arc<SignIns>,
    /// Voters at an unconference, each signed in with their pass once.
    voters: Arc<SignIns>,
    /// Raised after every change the web makes; the touchscreen watches it (see [`WebState::reporting_to`]).
    changed: Arc<AtomicBool>,
}

impl WebState {
    /// `languages`: codes as in `kiosk.toml`, the first being the default; unknown codes are skipped. Opens two
    /// read-only connections to the hub that `jobs` writes to: for the pages that only read, and for the displays'
    /// feed; both threads end once the state is dropped.
    pub fn start(jobs: JobSender, clock: Clock, languages: &[String]) -> anyhow::Result<WebState> {
        let mut offered: Vec<Lang> = languages.iter().filter_map(|code| Lang::from_code(code)).collect();
        if offered.is_empty() {
            offered.push(Lang::ENGLISH);
        }
        let reader = jobs.reader().context("could not open the hub's database for the web pages")?;
        let boards = jobs.reader().context("could not open the hub's database for the displays")?;
        let reads = DatabaseThread::spawn_named("hub-reader", reader)?.sender();
        reads.submit(|_| worker::give_way());
        Ok(WebState {
            jobs: jobs.behind_the_door(),
            reads,
            clock,
            languages: offered,
            boards: BoardFeed::start(boards, clock)?,
            today: Arc::default(),
            closing: Arc::new(watch::channel(false).0),
            sign_ins: Arc::default(),
            voters: Arc::default(),
            changed: Arc::default(),
        })
    }

    /// Raises `flag` after each booking or change, so the touchscreen can show it at once.
    pub fn reporting_to(self, flag: Arc<AtomicBool>) -> WebState {
        WebState { changed: flag, ..self }
    }

    fn note_change(&self) {
        self.changed.store(true, Ordering::Relaxed);
    }
}

/// Why a request could not be answered as asked.
#[derive(Debug)]
pub enum Failure {
    /// Input the person can correct: the sentence says how (from booking-core, in English).
    Invalid(String),
    /// What the request named (a session, a time) does not exist.
    NotFound(String),
    /// The hub could not be read or written; logged, and the person is asked to try again.
    Broken(String),
}

impl From<booking_core::StoreError> for Failure {
    fn from(error: booking_core::StoreError) -> Failure {
        match error {
            booking_core::StoreError::Invalid(message) => Failure::Invalid(message),
            booking_core::StoreError::NotFound(message) => Failure::NotFound(message),
            other => Failure::Broken(other.to_string()),
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Failure {
        Failure::Broken(format!("{error:#}"))
    }
}

/// Runs `job` with the hub and the time now on the database thread: for anything that writes.
pub async fn on_hub<R: Send + 'static>(
    state: &WebState,
    job: impl FnOnce(&mut Hub, DateTime<Utc>) -> Result<R, Failure> + Send + 'static,
) -> Result<R, Failure> {
    let now = state.clock.now();
    logged(state.jobs.ask(move |hub| job(hub, now)).await)
}

/// Runs `job` with a read-only view of the hub and the time now on the readers' thread: a page that only reads
/// never queues behind the door's writes.
pub async fn on_reader<R: Send + 'static>(
    state: &WebState,
    job: impl FnOnce(&Store, DateTime<Utc>) -> Result<R, Failure> + Send + 'static,
) -> Result<R, Failure> {
    let now = state.clock.now();
    logged(state.reads.ask(move |store| job(store, now)).await)
}

/// A job's result, with a broken hub logged (the person sees a plain page); `None`: the thread has stopped.
fn logged<R>(result: Option<Result<R, Failure>>) -> Result<R, Failure> {
    let result = result.unwrap_or_else(|| Err(Failure::Broken("the database thread has stopped".into())));
    if let Err(Failure::Broken(error)) = &result {
        error!("{error}");
    }
    result
}

/// A plain page for a hub that cannot be read right now.
pub fn unavailable(lang: Lang) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        lang.tr("The hub's information cannot be read right now. Please try again in a minute."),
    )
        .into_response()
}

/// Every route.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(public::today_page))
        .route("/sessions/{id}", get(public::session_page).post(public::book_place))
        .route("/calendar/{feed}", get(public::calendar))
        .route("/rooms/{id}", get(rooms::room_page).post(rooms::act))
        .route("/events/{id}", get(events::event_page).post(events::register))
        .route("/unconference/{id}", get(unconference::page).post(unconference::act))
        .route("/unconference/{id}/live", get(unconference::live))
        .route("/unconference/{id}/print", get(unconference::print))
        .route("/join", get(join::join_page).post(join::join))
        .route("/join/confirm", get(join::confirm_page).post(join::confirm))
        .route("/login", get(login::login_page).post(login::sign_in))
        .route("/logout", post(login::sign_out))
        .route("/host", get(host::my_sessions).post(host::create))
        .route("/host/sessions/{id}", get(host::session).post(host::change))
        .route("/staff", get(staff::overview))
        .route("/staff/roll-call", get(staff::roll_call))
        .route("/staff/export.json", get(staff::export))
        .route("/staff/sign-up", post(staff::switch_sign_up))
        .route("/display/room/{id}", get(display::room))
        .route("/display/room/{id}/live", get(display::room_live))
        .route("/display/lobby", get(display::lobby))
        .route("/display/lobby/live", get(display::lobby_live))
        .nest("/api/v1", api::router())
        .fallback(not_found)
        .with_state(state)
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "There is no such page here.")
        .into_response()
}

/// Takes the port now, so a port in use is a plain error before anything else starts.
pub fn bind(address: std::net::SocketAddr) -> anyhow::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(address)
        .map_err(|error| anyhow::anyhow!("could not listen on {address}: {error}"))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Serves on `listener` (inside a tokio runtime) until `stop` completes; then takes no new connections and
/// finishes the requests in progress.
pub async fn serve_on(
    state: WebState,
    listener: std::net::TcpListener,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    info!("serving the hub's pages at http://{}/", listener.local_addr()?);
    let closing = state.closing.clone();
    let stop = async move {
        stop.await;
        closing.send_replace(true);
    };
    // As a make-service the routes are built once; served as a bare `Router`, axum rebuilds them for every connection.
    axum::serve(listener, router(state).into_make_service()).with_graceful_shutdown(stop).await?;
    Ok(())
}

#[cfg(test)]
mod tests;
