//! systemd's watchdog, fed from the screen's event loop: a frozen screen stops feeding it, and systemd restarts
//! the kiosk.

use std::rc::Rc;

use kiosk_runtime::systemd;
use slint::{Timer, TimerMode};

use crate::screens::Touchscreen;

/// Feeds the watchdog at half its interval for as long as the kiosk runs, if systemd asks for one.
pub fn start(kiosk: &Rc<Touchscreen>) {
    let Some(every) = systemd::watchdog_interval() else { return };
    let timer = Timer::default();
    timer.start(TimerMode::Repeated, every, systemd::feed_watchdog);
    kiosk.keep(timer);
}
