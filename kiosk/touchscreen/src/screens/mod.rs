//! One controller per screen, each a [`Controller`] in [`SCREENS`]: it sets its screen's models and wires its
//! callbacks to booking-core through the worker. Controllers never call each other: they go to another screen
//! with [`open`], and going home clears every screen through the registry, so a new screen touches its own file
//! and `SCREENS`. Shared here: what every screen needs, and going back to Welcome.

pub mod board;
pub mod booking;
pub mod changes;
pub mod check_in;
pub mod drop_in;
pub mod event;
pub mod host_notices;
pub mod name;
pub mod pin_entry;
pub mod scanner;
pub mod settings;
pub mod staff;
pub mod walk_in;
pub mod welcome;
pub mod who;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kiosk_runtime::clock::Clock;
use kiosk_runtime::hub::Hub;
use kiosk_runtime::times;
use slint::{ComponentHandle, Timer, TimerMode};
use tracing::error;

use crate::ui::{Activity, MainWindow, Navigation, Screen};
use crate::worker::Worker;

/// Turns a key into simulated sensor changes; true if it used the key.
pub type SensorKeys = Box<dyn Fn(&str) -> bool>;

/// What every screen controller shares. Lives on the UI thread.
pub struct Touchscreen {
    pub worker: Worker,
    pub clock: Clock,
    /// The hub's time zone (read again with each refresh of Welcome); times on screen are in it.
    pub zone: Cell<Tz>,
    /// Returns to Welcome when nobody has touched the screen for a while.
    idle_timer: Timer,
    idle_after: Duration,
    /// Repeating timers (clock, refreshes) that run as long as the kiosk does.
    timers: RefCell<Vec<Timer>>,
    /// Hosts whose visitor has checked in, and when: shown on Welcome for a while.
    pub host_notices: RefCell<Vec<host_notices::Notice>>,
    /// The staff view's chosen person, typed digits and roll-call ticks.
    pub staff: Rc<RefCell<staff::StaffState>>,
    /// Drop-in help's listed surgeries and the person's picks.
    pub drop_in: Rc<RefCell<drop_in::Picked>>,
    /// Book a room: the person's choices so far.
    pub booking: Rc<RefCell<booking::Choices>>,
    /// The event on screen.
    pub event: RefCell<event::Chosen>,
    /// The unconference day on screen, and the session being voted for.
    pub board: RefCell<board::Chosen>,
    /// The languages offered, the first being the one each new visitor starts in.
    pub languages: Vec<String>,
    /// With simulated door sensors, function keys play someone walking in or out (the desktop demo); returns
    /// whether it used the key.
    pub sensor_keys: RefCell<Option<SensorKeys>>,
    /// Set by the web server after it books or changes something, so the screens show it within a second.
    pub web_changed: Arc<AtomicBool>,
}

impl std::fmt::Debug for Touchscreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Touchscreen").field("worker", &self.worker).field("clock", &self.clock).finish_non_exhaustive()
    }
}

impl Touchscreen {
    pub fn new(
        worker: Worker,
        clock: Clock,
        zone: Tz,
        idle_after: Duration,
        languages: Vec<String>,
    ) -> Rc<Touchscreen> {
        Rc::new(Touchscreen {
            worker,
            clock,
            zone: Cell::new(zone),
            idle_timer: Timer::default(),
            idle_after,
            timers: RefCell::new(Vec::new()),
            host_notices: RefCell::new(Vec::new()),
            staff: Rc::default(),
            drop_in: Rc::default(),
            booking: Rc::default(),
            event: RefCell::default(),
            board: RefCell::default(),
            languages,
            sensor_keys: RefCell::new(None),
            web_changed: Arc::default(),
        })
    }

    /// The language each visitor starts in.
    pub fn default_language(&self) -> &str {
        self.languages.first().map_or("en", String::as_str)
    }

    /// Keeps a running timer alive for the life of the kiosk.
    pub fn keep(&self, timer: Timer) {
        self.timers.borrow_mut().push(timer);
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// "10:00" in the hub's zone.
    pub fn hm(&self, instant: DateTime<Utc>) -> String {
        times::hm(instant, self.zone.get())
    }

    /// "10:00–11:30" in the hub's zone, never broken over two lines.
    pub fn time_range(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
        times::range(start, end, self.zone.get())
    }

    /// "Tuesday 5 January" in the hub's zone and the visitor's language.
    pub fn date_words(&self, instant: DateTime<Utc>, locale: chrono::Locale) -> String {
        times::day(instant.with_timezone(&self.zone.get()).date_naive(), locale)
    }

    /// "Tue 5 Jan", for lists.
    pub fn short_date(&self, instant: DateTime<Utc>, locale: chrono::Locale) -> String {
        instant.with_timezone(&self.zone.get()).format_localized("%a %-d %b", locale).to_string()
    }

    /// Whether `instant` falls on today's date in the hub's zone.
    pub fn is_today(&self, instant: DateTime<Utc>) -> bool {
        let zone = self.zone.get();
        instant.with_timezone(&zone).date_naive() == self.now().with_timezone(&zone).date_naive()
    }
}

/// Reads what a screen shows from the hub on the database thread, then shows it. A failure is logged and
/// `failed` tells the screen, which says so in plain words (and, for a refresh, how old what it shows is).
pub fn load_and_show<T: Send + 'static>(
    window: &MainWindow,
    kiosk: &Rc<Touchscreen>,
    what: &'static str,
    load: fn(&mut Hub, DateTime<Utc>) -> anyhow::Result<T>,
    show: fn(&MainWindow, &Rc<Touchscreen>, &T),
    failed: fn(&MainWindow),
) {
    let now = kiosk.now();
    let (weak, ui_kiosk) = (window.as_weak(), kiosk.clone());
    kiosk.worker.run(
        move |hub| load(hub, now).map_err(|error| format!("{error:#}")),
        move |loaded| {
            let Some(window) = weak.upgrade() else { return };
            match loaded {
                Ok(data) => show(&window, &ui_kiosk, &data),
                Err(error) => {
                    error!("could not load {what}: {error}");
                    failed(&window);
                }
            }
        },
    );
}

/// One screen's controller, as the rest of the app sees it.
pub trait Controller: Sync {
    /// The screen it runs.
    fn screen(&self) -> Screen;

    /// Sets the screen's models and wires its callbacks, once at start-up.
    fn connect(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>);

    /// Forgets everything a visitor left on the screen: it is back at its first step (Back home, idle, done).
    fn clear(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>);

    /// Opens the screen at its first step, with nothing of the last visitor's on it.
    fn open(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        self.clear(window, kiosk);
        show(window, kiosk, self.screen());
    }

    /// A key typed while the screen shows, before it counts towards a scan; true if the screen used it.
    fn key(&self, _window: &MainWindow, _text: &str) -> bool {
        false
    }

    /// Something changed in the hub outside this kiosk's own screens (see [`changes`]): a screen that shows what
    /// others change reads it again.
    fn changed(&self, _window: &MainWindow, _kiosk: &Rc<Touchscreen>) {}

    /// A finished scan while the screen shows; false leaves it to check the person in or out.
    fn scanned(&self, _window: &MainWindow, _kiosk: &Rc<Touchscreen>, _scan: &str) -> bool {
        false
    }
}

/// Every screen, Welcome first.
pub const SCREENS: &[&dyn Controller] = &[
    &welcome::WelcomeScreen,
    &check_in::CheckInScreen,
    &walk_in::WalkInScreen,
    &booking::BookingScreen,
    &drop_in::DropInScreen,
    &staff::StaffScreen,
    &event::EventScreen,
    &board::BoardScreen,
];

/// The controller of `screen`.
pub fn controller(screen: Screen) -> &'static dyn Controller {
    SCREENS.iter().copied().find(|controller| controller.screen() == screen).unwrap_or(SCREENS[0])
}

/// The controller of the screen showing now.
pub fn showing(window: &MainWindow) -> &'static dyn Controller {
    controller(window.global::<Navigation>().get_screen())
}

/// Goes to `screen`, opened at its first step.
pub fn open(window: &MainWindow, kiosk: &Rc<Touchscreen>, screen: Screen) {
    controller(screen).open(window, kiosk);
}

/// Wires every screen to the window.
pub fn connect(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    scanner::connect(window, kiosk);
    settings::connect(window, kiosk);
    for screen in SCREENS {
        screen.connect(window, kiosk);
    }
    changes::watch(window, kiosk);
    let weak = window.as_weak();
    let idle = kiosk.clone();
    window.global::<Activity>().on_touched(move || {
        if let Some(window) = weak.upgrade() {
            restart_idle_timer(&window, &idle);
        }
    });
}

/// Shows `screen`, and starts the idle countdown back to Welcome for any other screen.
pub fn show(window: &MainWindow, kiosk: &Rc<Touchscreen>, screen: Screen) {
    window.global::<Navigation>().set_screen(screen);
    restart_idle_timer(window, kiosk);
}

/// Starts the countdown to [`visitor_done`] again, unless the kiosk is already at rest: on Welcome, as the hub set
/// it up.
pub fn restart_idle_timer(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    if window.global::<Navigation>().get_screen() == Screen::Welcome && settings::at_rest(window, kiosk) {
        kiosk.idle_timer.stop();
        return;
    }
    let weak = window.as_weak();
    let idle_kiosk = kiosk.clone();
    kiosk.idle_timer.start(TimerMode::SingleShot, kiosk.idle_after, move || {
        if let Some(window) = weak.upgrade() {
            visitor_done(&window, &idle_kiosk);
        }
    });
}

/// Back to Welcome with the visitor still there (Back from a first step): every form is cleared and the staff
/// view locked, but their language and text size stay. Welcome reads today again: the visitor may have just taken
/// a place it counts.
pub fn go_home(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    for screen in SCREENS {
        screen.clear(window, kiosk);
    }
    welcome::refresh(window, kiosk);
    window.global::<Navigation>().set_screen(Screen::Welcome);
    restart_idle_timer(window, kiosk);
}

/// The visitor is done (they finished, or left the kiosk alone): Welcome, as the hub set it up, for the next one.
pub fn visitor_done(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    settings::reset(window, kiosk);
    go_home(window, kiosk);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_screen_has_exactly_one_controller() {
        // An exhaustive match: a new screen in main.slint does not compile until it is named here and registered.
        let all = [
            Screen::Welcome,
            Screen::CheckIn,
            Screen::WalkIn,
            Screen::Staff,
            Screen::DropIn,
            Screen::Booking,
            Screen::Event,
            Screen::Board,
        ];
        for screen in all {
            match screen {
                Screen::Welcome
                | Screen::CheckIn
                | Screen::WalkIn
                | Screen::Staff
                | Screen::DropIn
                | Screen::Booking
                | Screen::Event
                | Screen::Board => {}
            }
            let registered = SCREENS.iter().filter(|controller| controller.screen() == screen).count();
            assert_eq!(registered, 1, "{screen:?} has {registered} controllers in SCREENS");
        }
        assert_eq!(SCREENS.len(), all.len());
        assert_eq!(SCREENS[0].screen(), Screen::Welcome, "Welcome comes first: it is where an unknown screen goes");
    }
}
