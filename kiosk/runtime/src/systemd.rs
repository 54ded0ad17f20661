//! Telling systemd how the kiosk is doing (`Type=notify`, `WatchdogSec=`), through the sd-notify crate. Each call
//! does nothing when the kiosk was not started by systemd. A failed notification is logged, never fatal: the door
//! matters more than the service manager's view of it.

use std::time::Duration;

use sd_notify::NotifyState;
use tracing::warn;

/// The kiosk is up: its screen or its web pages are serving.
pub fn ready() {
    send(NotifyState::Ready, "that the kiosk is ready");
}

/// The kiosk is shutting down in order.
pub fn stopping() {
    send(NotifyState::Stopping, "that the kiosk is stopping");
}

/// How often to feed the watchdog (half systemd's interval), if systemd asks for one.
pub fn watchdog_interval() -> Option<Duration> {
    sd_notify::watchdog_enabled().map(|interval| interval / 2)
}

/// Still alive.
pub fn feed_watchdog() {
    send(NotifyState::Watchdog, "the watchdog");
}

fn send(state: NotifyState<'_>, what: &str) {
    if let Err(error) = sd_notify::notify(&[state]) {
        warn!("could not tell systemd {what}: {error}");
    }
}
