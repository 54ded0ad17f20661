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
//!
//! Every request runs on the kiosk's database thread through [`JobSender::ask`]: the web queues behind the
//! touchscreen's writes instead of racing them, so there is one writer and no "database is locked".

// Handlers answer with a `Response` whichever way things go; boxing the refusals would only add noise.
#![allow(clippy::result_large_err)]

mod answer;
mod api;
mod host;
pub mod i18n;
mod login;
mod page;
pub mod public;
mod sign_ins;
mod staff;
mod words;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use kiosk_runtime::clock::Clock;
use kiosk_runtime::hub::Hub;
use kiosk_runtime::worker::JobSender;
use tracing::{error, info};

use i18n::Lang;
pub use public::{PublicToday, public_today};
use sign_ins::SignIns;

/// What every request needs: the database thread, the clock, the languages offered and who is signed in.
#[derive(Debug, Clone)]
pub struct WebState {
    pub jobs: JobSender,
    pub clock: Clock,
    pub languages: Vec<Lang>,
    sign_ins: Arc<SignIns>,
    /// Raised after every change the web makes; the touchscreen watches it (see [`WebState::reporting_to`]).
    changed: Arc<AtomicBool>,
}

impl WebState {
    /// `languages`: codes as in `kiosk.toml`, the first being the default; unknown codes are skipped.
    pub fn new(jobs: JobSender, clock: Clock, languages: &[String]) -> WebState {
        let mut offered: Vec<Lang> = languages.iter().filter_map(|code| Lang::from_code(code)).collect();
        if offered.is_empty() {
            offered.push(Lang::ENGLISH);
        }
        WebState { jobs, clock, languages: offered, sign_ins: Arc::default(), changed: Arc::default() }
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

/// Runs `job` with the hub and the time now on the database thread.
pub async fn on_hub<R: Send + 'static>(
    state: &WebState,
    job: impl FnOnce(&mut Hub, DateTime<Utc>) -> Result<R, Failure> + Send + 'static,
) -> Result<R, Failure> {
    let now = state.clock.now();
    match state.jobs.ask(move |hub| job(hub, now)).await {
        Some(result) => {
            if let Err(Failure::Broken(error)) = &result {
                error!("{error}");
            }
            result
        }
        None => Err(Failure::Broken("the database thread has stopped".into())),
    }
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
        .route("/login", get(login::login_page).post(login::sign_in))
        .route("/logout", post(login::sign_out))
        .route("/host", get(host::my_sessions).post(host::create))
        .route("/host/sessions/{id}", get(host::session).post(host::change))
        .route("/staff", get(staff::overview))
        .route("/staff/roll-call", get(staff::roll_call))
        .route("/staff/export.json", get(staff::export))
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
    axum::serve(listener, router(state)).with_graceful_shutdown(stop).await?;
    Ok(())
}

#[cfg(test)]
mod tests;
