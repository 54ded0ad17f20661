//! Check in / out: what a scan did, greeting the person by first name with their day, or saying what to do next.

use std::rc::Rc;
use std::time::Duration;

use booking_core::{PassRefusal, PersonId, ScanOutcome, TodayItem};
use slint::{ComponentHandle, ModelRc, SharedString, Timer, TimerMode, VecModel};
use tracing::error;

use super::{Controller, Touchscreen};
use crate::ui::{CheckInAdapter, MainWindow, ScanResult, Scanner, Screen, TodayLine};

/// How long a result stays on screen before Welcome comes back by itself.
pub const RESULT_SHOWN_FOR: Duration = Duration::from_secs(8);

/// A scan's outcome, reduced to what the screen shows (plain data, so it can cross from the database thread).
#[derive(Debug, Clone, PartialEq)]
pub struct ScanView {
    pub result: ScanResult,
    pub first_name: String,
    /// Why the pass was refused, worded on screen in the visitor's language.
    pub refusal: Option<PassRefusal>,
    /// (time, what) lines of the person's day.
    pub today: Vec<(String, String)>,
    /// Who has just checked out: a host's notice about them goes.
    pub left: Option<PersonId>,
}

impl ScanView {
    fn from_outcome(outcome: &ScanOutcome, kiosk_time: impl Fn(&booking_core::Slot) -> String) -> ScanView {
        let mut view = ScanView::plain(ScanResult::Refused);
        match outcome {
            ScanOutcome::CheckedIn { person, today, .. } => {
                view.result = ScanResult::CheckedIn;
                view.first_name = person.first_name().into();
                view.today = today
                    .iter()
                    .map(|item| match item {
                        TodayItem::Booking { room, title, time, .. } => (kiosk_time(time), format!("{room} · {title}")),
                        TodayItem::SurgerySeat { topic, place, time, .. } => {
                            (kiosk_time(time), format!("{topic} · {place}"))
                        }
                        TodayItem::EventPlace { title, room, time, .. } => {
                            (kiosk_time(time), format!("{title} · {room}"))
                        }
                    })
                    .collect();
            }
            ScanOutcome::CheckedOut { person, .. } | ScanOutcome::Kept { person, checked_in: false } => {
                view.result = ScanResult::CheckedOut;
                view.first_name = person.first_name().into();
                view.left = Some(person.id);
            }
            // Kept on this kiosk while the network is away: the person is told as usual.
            ScanOutcome::Kept { person, checked_in: true } => {
                view.result = ScanResult::CheckedIn;
                view.first_name = person.first_name().into();
            }
            ScanOutcome::Repeat { person, on_site } => {
                view.result = if *on_site { ScanResult::AlreadyIn } else { ScanResult::AlreadyOut };
                view.first_name = person.first_name().into();
            }
            ScanOutcome::Refused(refusal) => view.refusal = Some(refusal.clone()),
        }
        view
    }

    /// A result with no person attached.
    fn plain(result: ScanResult) -> ScanView {
        ScanView { result, first_name: String::new(), refusal: None, today: Vec::new(), left: None }
    }
}

fn connect(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let return_timer = Rc::new(Timer::default());

    let weak = window.as_weak();
    let scan_kiosk = kiosk.clone();
    let scan_timer = return_timer.clone();
    window.global::<Scanner>().on_scanned(move |text| {
        let Some(window) = weak.upgrade() else { return };
        scan(&window, &scan_kiosk, text, scan_timer.clone());
    });

    let (weak, walk_in_kiosk) = (window.as_weak(), kiosk.clone());
    window.global::<CheckInAdapter>().on_walk_in(move || {
        if let Some(window) = weak.upgrade() {
            super::open(&window, &walk_in_kiosk, Screen::WalkIn);
        }
    });

    let (weak, back_kiosk) = (window.as_weak(), kiosk.clone());
    window.global::<CheckInAdapter>().on_back(move || {
        if let Some(window) = weak.upgrade() {
            super::go_home(&window, &back_kiosk);
        }
    });

    let (weak, done_kiosk) = (window.as_weak(), kiosk.clone());
    window.global::<CheckInAdapter>().on_done(move || {
        return_timer.stop();
        if let Some(window) = weak.upgrade() {
            super::visitor_done(&window, &done_kiosk);
        }
    });
}

/// Does what the kiosk does when a code is scanned, on any screen: the Check in / out screen shows the outcome,
/// then Welcome comes back by itself.
fn scan(window: &MainWindow, kiosk: &Rc<Touchscreen>, text: SharedString, return_timer: Rc<Timer>) {
    let now = kiosk.now();
    let zone = kiosk.zone.get();
    let weak = window.as_weak();
    let ui_kiosk = kiosk.clone();
    kiosk.worker.run(
        move |hub| match hub.store.scan(&hub.key, &text, now) {
            Ok(outcome) => {
                ScanView::from_outcome(&outcome, |slot| kiosk_runtime::times::range(slot.start(), slot.end(), zone))
            }
            Err(error) => {
                error!("a scan failed: {error}");
                ScanView::plain(ScanResult::Problem)
            }
        },
        move |view| {
            let Some(window) = weak.upgrade() else { return };
            if let Some(person) = view.left {
                super::host_notices::visitor_left(&window, &ui_kiosk, person);
            }
            show_result(&window, &view);
            super::show(&window, &ui_kiosk, Screen::CheckIn);
            let (weak, home_kiosk) = (window.as_weak(), ui_kiosk.clone());
            return_timer.start(TimerMode::SingleShot, RESULT_SHOWN_FOR, move || {
                if let Some(window) = weak.upgrade() {
                    super::visitor_done(&window, &home_kiosk);
                }
            });
        },
    );
}

pub fn show_result(window: &MainWindow, view: &ScanView) {
    let adapter = window.global::<CheckInAdapter>();
    adapter.set_result(view.result);
    adapter.set_first_name(view.first_name.as_str().into());
    adapter
        .set_reason(view.refusal.as_ref().map(|refusal| super::settings::reason(window, refusal)).unwrap_or_default());
    let lines: Vec<TodayLine> =
        view.today.iter().map(|(time, what)| TodayLine { time: time.into(), what: what.into() }).collect();
    adapter.set_today(ModelRc::new(VecModel::from(lines)));
}

/// Forgets the last person's result: the screen goes back to "hold your pass under the scanner".
fn clear(window: &MainWindow) {
    show_result(window, &ScanView::plain(ScanResult::Waiting));
}

/// Check in or out: hold a pass under the scanner.
#[derive(Debug)]
pub struct CheckInScreen;

impl Controller for CheckInScreen {
    fn screen(&self) -> Screen {
        Screen::CheckIn
    }

    fn connect(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        connect(window, kiosk);
    }

    fn clear(&self, window: &MainWindow, _kiosk: &Rc<Touchscreen>) {
        clear(window);
    }
}
