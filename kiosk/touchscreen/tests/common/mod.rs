//! Shared by the UI tests: a demo hub at a fixed moment, a member's pass, and typing a scan.

#![allow(dead_code)]

pub mod crowded;
pub mod layout;
pub mod tour;

use booking_core::{NewPass, PersonId};
use chrono::{DateTime, TimeZone, Utc};
use i_slint_backend_testing::ElementHandle;
use kiosk_runtime::clock::Clock;
use kiosk_runtime::hub::Hub;
use kiosk_touchscreen::app::{self, AppOptions};
use kiosk_touchscreen::ui::MainWindow;
use kiosk_touchscreen::worker::Worker;
use slint::ComponentHandle;
use slint::platform::WindowEvent;

/// Slint's testing backend on this thread, drawing with the software renderer (the kiosk's fonts, real text
/// sizes, screenshots) under mock time.
pub fn init_headless() {
    use i_slint_backend_testing::{TestingBackend, TestingBackendOptions};
    let options = TestingBackendOptions { mock_time: true, threading: false, renderer_name: Some("software".into()) };
    slint::platform::set_platform(Box::new(TestingBackend::new(options))).expect("one platform per test thread");
}

/// An empty hub in a fresh folder.
pub fn empty_hub() -> (tempfile::TempDir, Hub) {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::open(dir.path()).unwrap();
    (dir, hub)
}

/// Tuesday 5 January 2027, 11:00 in London: the demo hub is open and busy.
pub fn demo_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 5, 11, 0, 0).unwrap()
}

/// The demo hub in a fresh folder, and the pass payload of its first member (Ada Lovelace).
pub fn demo_hub() -> (tempfile::TempDir, Hub, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut hub = Hub::open(dir.path()).unwrap();
    kiosk_runtime::demo::run(&mut hub, demo_now()).unwrap();
    let ada: PersonId = hub.store.person_by_name_or_id("Ada Lovelace").unwrap().id;
    let pass = hub.store.issue_pass(&hub.key, ada, NewPass::Member, demo_now()).unwrap().payload;
    (dir, hub, pass)
}

/// What the tour of every screen uses in the demo hub: Ada's pass, Grace Okafor's session.
pub fn demo_cast(dir: &tempfile::TempDir, pass: &str) -> tour::Cast {
    tour::Cast {
        pass: pass.into(),
        host: "Grace Okafor".into(),
        topic: "Digital help drop-in".into(),
        database: dir.path().join("hub.db"),
        gatherings: None,
    }
}

/// The real app over `hub`, its database work run inline so tests need no event loop.
pub fn open_app(hub: Hub, size: (u32, u32)) -> MainWindow {
    open_app_with(hub, AppOptions { size, ..AppOptions::default() })
}

/// Like [`open_app`], with the options a configuration file would give.
pub fn open_app_with(hub: Hub, options: AppOptions) -> MainWindow {
    open_app_at(hub, options, Clock::Fixed(demo_now()))
}

/// Like [`open_app_with`], on `clock`.
pub fn open_app_at(hub: Hub, options: AppOptions, clock: Clock) -> MainWindow {
    let identity = app::HubIdentity::of(&hub).unwrap();
    let (window, _kiosk) = app::build(Worker::inline(hub), clock, identity, options).unwrap();
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

/// Taps the element labelled `label`, first sliding its list into view if it is below the fold, as a person would.
pub fn tap(window: &MainWindow, label: &str) {
    if ElementHandle::find_by_accessible_label(window, label).next().is_none() {
        layout::reveal(window, label);
    }
    element(window, label).invoke_accessible_default_action();
}

/// Types `text` on the on-screen keyboard key by key, tapping each key as it is shown (a word starts with a
/// capital by itself; Shift is for the others).
pub fn type_keys(window: &MainWindow, text: &str) {
    for character in text.chars() {
        let shown = |label: &str| ElementHandle::find_by_accessible_label(window, label).next().is_some();
        match character {
            ' ' => tap(window, "Space"),
            c if c.is_uppercase() && !shown(&c.to_string()) => {
                tap(window, "Capital letters");
                tap(window, &c.to_string());
            }
            c if !shown(&c.to_string()) && shown(&c.to_uppercase().to_string()) => {
                // A capital is offered at the start of a word; Shift twice more gives small letters.
                tap(window, "Capital letters");
                tap(window, "Capital letters");
                tap(window, &c.to_string());
            }
            c => tap(window, &c.to_string()),
        }
    }
}

/// Slides the house rules to their end, as a person reading them all would.
pub fn read_the_rules(window: &MainWindow) {
    element(window, "Be kind and respectful to everyone.").scroll(0.0, -10_000.0);
}

/// Registers a walk-in called Sam, visiting Grace Okafor, from Welcome's "New here? Register", through the
/// on-screen keyboard and the big choices, stopping at each step to let `at_step` look (screenshots).
pub fn walk_in_as_sam(window: &MainWindow, mut at_step: impl FnMut(&str)) {
    tap(window, "New here? Register");
    type_keys(window, "Sam");
    at_step("walk-in-name");
    tap(window, "Next");
    at_step("walk-in-rules");
    read_the_rules(window);
    tap(window, "Visiting someone");
    at_step("walk-in-host");
    tap(window, "Grace Okafor");
    at_step("walk-in-done");
}

/// The label of drop-in slot `index` as the screen words it ("11:20 · 2 places free").
pub fn slot_label(window: &MainWindow, index: usize) -> String {
    use slint::Model;
    let slot =
        window.global::<kiosk_touchscreen::ui::DropInAdapter>().get_slots().row_data(index).expect("a slot to book");
    let free = match slot.free {
        0 => "full, join the waiting list".to_string(),
        1 => "1 place free".to_string(),
        n => format!("{n} places free"),
    };
    format!("{} · {free}", slot.time)
}

/// Saves the window as drawn now to `path` (PNG).
pub fn save_png(window: &impl ComponentHandle, path: &std::path::Path) {
    let snapshot = window.window().take_snapshot().expect("the software renderer draws the window");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    image::RgbaImage::from_raw(snapshot.width(), snapshot.height(), snapshot.as_bytes().to_vec())
        .expect("pixels fit the size")
        .save(path)
        .unwrap();
}
