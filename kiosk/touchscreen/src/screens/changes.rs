//! Follows changes made to the hub elsewhere — a phone on the web pages, a command run in a shell, the organiser's
//! laptop — so Welcome and the screen showing are never more than a second behind; and, on a network's server,
//! whether it can be reached, which the screens say in plain words when it cannot.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use booking_core::StoreError;
use slint::{ComponentHandle, Timer, TimerMode};
use tracing::warn;

use super::{Touchscreen, showing, welcome};
use crate::ui::{HubInfo, MainWindow};

const LOOK_EVERY: Duration = Duration::from_secs(1);

/// Looks each second: the web server raises a flag after its changes (it writes through the kiosk's own
/// connection), and the database's `data_version` moves when another connection commits (another process). One look
/// at a time: on a network that drops packets, a look may wait seconds for the server, and looks queued behind it
/// would hold the database thread, and the door, ever longer.
pub fn watch(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let seen = Rc::new(Cell::new(None::<i64>));
    let looking = Rc::new(Cell::new(false));
    let first = seen.clone();
    kiosk.worker.run(|hub| hub.store.data_version().ok(), move |version| first.set(version));
    let timer = Timer::default();
    let (weak, watcher) = (window.as_weak(), kiosk.clone());
    timer.start(TimerMode::Repeated, LOOK_EVERY, move || {
        if looking.replace(true) {
            return;
        }
        let web_changed = watcher.web_changed.swap(false, Ordering::Relaxed);
        let (weak, ui_kiosk, seen, looked) = (weak.clone(), watcher.clone(), seen.clone(), looking.clone());
        watcher.worker.run(
            |hub| (hub.store.data_version(), hub.store.server_away()),
            move |(version, away)| {
                looked.set(false);
                let Some(window) = weak.upgrade() else { return };
                window.global::<HubInfo>().set_offline(away);
                let version = match version {
                    Ok(version) => Some(version),
                    Err(StoreError::Offline) => None,
                    Err(error) => {
                        warn!("could not look for changes: {error}");
                        None
                    }
                };
                let elsewhere = version.is_some() && seen.replace(version).is_some_and(|last| Some(last) != version);
                if web_changed || elsewhere {
                    welcome::refresh(&window, &ui_kiosk);
                    showing(&window).changed(&window, &ui_kiosk);
                }
            },
        );
    });
    kiosk.keep(timer);
}
