//! Shared by the UI tests: a demo hub at a fixed moment, a member's pass, and typing a scan.

#![allow(dead_code)]

use booking_core::{NewPass, PersonId};
use chrono::{DateTime, TimeZone, Utc};
use i_slint_backend_testing::ElementHandle;
use kiosk::app::{self, AppOptions};
use kiosk::clock::Clock;
use kiosk::hub::Hub;
use kiosk::ui::MainWindow;
use kiosk::worker::Worker;
use slint::ComponentHandle;
use slint::platform::WindowEvent;

/// Tuesday 5 January 2027, 11:00 in London: the demo hub is open and busy.
pub fn demo_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 5, 11, 0, 0).unwrap()
}

/// The demo hub in a fresh folder, and the pass payload of its first member (Ada Lovelace).
pub fn demo_hub() -> (tempfile::TempDir, Hub, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut hub = Hub::open(dir.path()).unwrap();
    kiosk::demo::run(&mut hub, demo_now()).unwrap();
    let ada: PersonId = hub.store.person_by_name_or_id("Ada Lovelace").unwrap().id;
    let pass = hub.store.issue_pass(&hub.key, ada, NewPass::Member, demo_now()).unwrap().payload;
    (dir, hub, pass)
}

/// The real app over `hub`, its database work run inline so tests need no event loop.
pub fn open_app(hub: Hub, size: (u32, u32)) -> MainWindow {
    open_app_with(hub, AppOptions { size, ..AppOptions::default() })
}

/// Like [`open_app`], with the options a configuration file would give.
pub fn open_app_with(hub: Hub, options: AppOptions) -> MainWindow {
    let (window, _kiosk) = app::build(Worker::inline(hub), Clock::Fixed(demo_now()), options).unwrap();
    window.show().unwrap();
    window
}

/// How the Welcome screen should describe today's surgery on `topic`, worked out from booking-core directly:
/// its hours and place in London time, and the seats still free in slots that have not started.
pub fn expected_surgery_label(hub: &Hub, topic: &str) -> String {
    let zone = chrono_tz::Europe::London;
    let today = booking_core::local_day(zone, demo_now().with_timezone(&zone).date_naive());
    let surgery = hub.store.surgeries_overlapping(today).unwrap().into_iter().find(|s| s.topic == topic).unwrap();
    let free: u32 = surgery.slots.iter().filter(|slot| slot.time.start() >= demo_now()).map(|slot| slot.free()).sum();
    let hm = |t: DateTime<Utc>| t.with_timezone(&zone).format("%H:%M").to_string();
    format!("{topic}, {}–{} · {} · {free} places free", hm(surgery.time.start()), hm(surgery.time.end()), surgery.place)
}

/// Types `text` and Enter, as a USB scanner in keyboard mode does.
pub fn type_scan(window: &MainWindow, text: &str) {
    for character in text.chars().map(String::from).chain(std::iter::once("\n".to_string())) {
        window.window().dispatch_event(WindowEvent::KeyPressed { text: character.clone().into() });
        window.window().dispatch_event(WindowEvent::KeyReleased { text: character.into() });
    }
}

/// The one element with this accessible label; fails naming the label if there is none.
pub fn element(window: &MainWindow, label: &str) -> ElementHandle {
    let mut found: Vec<_> = ElementHandle::find_by_accessible_label(window, label).collect();
    assert!(!found.is_empty(), "nothing on screen is labelled {label:?}");
    found.remove(0)
}

pub fn tap(window: &MainWindow, label: &str) {
    element(window, label).invoke_accessible_default_action();
}

/// Registers a walk-in called Sam, visiting Grace Okafor, through the on-screen keyboard and the big choices,
/// stopping at each step to let `at_step` look (screenshots).
pub fn walk_in_as_sam(window: &MainWindow, mut at_step: impl FnMut(&str)) {
    tap(window, "Check in or out");
    tap(window, "I don't have a pass");
    for letter in ["s", "a", "m"] {
        tap(window, letter);
    }
    at_step("walk-in-name");
    tap(window, "Next");
    at_step("walk-in-reason");
    tap(window, "Visiting someone");
    at_step("walk-in-host");
    tap(window, "Grace Okafor");
    at_step("walk-in-rules");
    tap(window, "I agree");
    at_step("walk-in-done");
}

/// The label of drop-in slot `index` as the screen words it ("11:20 · 2 places free").
pub fn slot_label(window: &MainWindow, index: usize) -> String {
    use slint::Model;
    let slot = window.global::<kiosk::ui::DropInAdapter>().get_slots().row_data(index).expect("a slot to book");
    let free = match slot.free {
        0 => "full, join the waiting list".to_string(),
        1 => "1 place free".to_string(),
        n => format!("{n} places free"),
    };
    format!("{} · {free}", slot.time)
}
