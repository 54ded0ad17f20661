//! The touchscreen's flows driven as a person would: keystrokes from the scanner, taps found by their accessible
//! labels, time moving on. Each test runs on its own thread with Slint's testing backend and mock time.

mod common;

use std::time::Duration;

use common::{demo_hub, element, open_app, tap, type_scan, walk_in_as_sam};
use i_slint_backend_testing::{init_no_event_loop, mock_elapsed_time};
use kiosk::screens::check_in::RESULT_SHOWN_FOR;
use kiosk::ui::{
    CheckInAdapter, MainWindow, Navigation, ScanResult, Screen, Settings, WalkInAdapter, WalkInStep, WelcomeAdapter,
};
use slint::ComponentHandle;
use slint::Model;

fn screen(window: &MainWindow) -> Screen {
    window.global::<Navigation>().get_screen()
}

#[test]
fn a_scan_checks_in_greets_by_first_name_and_is_stored() {
    init_no_event_loop();
    let (dir, hub, pass) = demo_hub();
    let window = open_app(hub, (800, 480));

    type_scan(&window, &pass);
    assert_eq!(screen(&window), Screen::CheckIn);
    let adapter = window.global::<CheckInAdapter>();
    assert_eq!(adapter.get_result(), ScanResult::CheckedIn);
    assert_eq!(adapter.get_first_name(), "Ada");
    assert!(element(&window, "Welcome, Ada!").is_valid());

    // The check-in is in the database the kiosk is using, not just on screen.
    let store = booking_core::Store::open(&dir.path().join("hub.db")).unwrap();
    let on_site: Vec<String> = store.roll_call().unwrap().into_iter().map(|p| p.display_name).collect();
    assert!(on_site.contains(&"Ada Lovelace".to_string()), "{on_site:?}");

    tap(&window, "Done");
    assert_eq!(screen(&window), Screen::Welcome);
}

#[test]
fn a_refused_scan_says_what_to_do_and_goes_home_by_itself() {
    init_no_event_loop();
    let (_dir, hub, _pass) = demo_hub();
    let window = open_app(hub, (800, 480));

    type_scan(&window, "https://example.org/not-a-pass");
    assert_eq!(window.global::<CheckInAdapter>().get_result(), ScanResult::Refused);
    assert!(element(&window, "Sorry, this pass did not work").is_valid());

    mock_elapsed_time(RESULT_SHOWN_FOR - Duration::from_secs(1));
    assert_eq!(screen(&window), Screen::CheckIn, "still showing the result");
    mock_elapsed_time(Duration::from_secs(2));
    assert_eq!(screen(&window), Screen::Welcome);
}

#[test]
fn the_idle_timeout_returns_to_welcome_and_forgets_the_last_person() {
    init_no_event_loop();
    let (_dir, hub, pass) = demo_hub();
    let window = open_app(hub, (800, 480));

    type_scan(&window, &pass);
    assert_eq!(window.global::<CheckInAdapter>().get_first_name(), "Ada");
    mock_elapsed_time(Duration::from_secs(61));
    assert_eq!(screen(&window), Screen::Welcome);
    assert_eq!(window.global::<CheckInAdapter>().get_first_name(), "", "the next person must not see Ada's name");
    assert_eq!(window.global::<CheckInAdapter>().get_result(), ScanResult::Waiting);

    tap(&window, "Check in or out");
    assert_eq!(screen(&window), Screen::CheckIn);
    assert!(element(&window, "Hold your pass under the scanner").is_valid());
    mock_elapsed_time(Duration::from_secs(61));
    assert_eq!(screen(&window), Screen::Welcome);
}

#[test]
fn switching_language_changes_every_label() {
    init_no_event_loop();
    let (_dir, hub, _pass) = demo_hub();
    let window = open_app(hub, (800, 480));

    tap(&window, "Polski");
    assert_eq!(window.global::<Settings>().get_language(), "pl");
    assert!(element(&window, "Zamelduj się lub wymelduj").is_valid());
    tap(&window, "Zamelduj się lub wymelduj");
    assert!(element(&window, "Przyłóż przepustkę pod skaner").is_valid());
    tap(&window, "Wstecz");
    tap(&window, "English");
    assert!(element(&window, "Check in or out").is_valid());
}

#[test]
fn a_walk_in_registers_with_the_on_screen_keyboard_and_the_host_is_told() {
    init_no_event_loop();
    let (dir, hub, _pass) = demo_hub();
    let window = open_app(hub, (800, 480));

    walk_in_as_sam(&window, |_| {});
    let adapter = window.global::<WalkInAdapter>();
    assert_eq!(adapter.get_step(), WalkInStep::Done);
    assert_eq!(adapter.get_first_name(), "Sam");
    assert_eq!(adapter.get_host_notified(), "Grace Okafor");
    assert!(adapter.get_pass_code().size().width > 0, "the pass is drawn");

    let store = booking_core::Store::open(&dir.path().join("hub.db")).unwrap();
    let sam = store.person_by_name_or_id("Sam").unwrap();
    assert_eq!(sam.role, booking_core::Role::Visitor);
    assert_eq!(sam.rules_version, Some(1));
    assert!(store.is_on_site(sam.id).unwrap());

    tap(&window, "Done");
    assert_eq!(screen(&window), Screen::Welcome);
    let notices = window.global::<WelcomeAdapter>().get_notices();
    assert_eq!(notices.row_count(), 1);
    assert_eq!(notices.row_data(0).unwrap().host, "Grace Okafor");
    assert!(element(&window, "Grace Okafor: your visitor is here (since 11:00)").is_valid());
    assert!(
        i_slint_backend_testing::ElementHandle::find_by_accessible_label(&window, "Sam").next().is_none(),
        "the visitor's name is not on the Welcome screen"
    );
}

#[test]
fn the_idle_timeout_clears_a_half_typed_walk_in() {
    init_no_event_loop();
    let (_dir, hub, _pass) = demo_hub();
    let window = open_app(hub, (800, 480));

    tap(&window, "Check in or out");
    tap(&window, "I don't have a pass");
    for letter in ["j", "o"] {
        tap(&window, letter);
    }
    assert_eq!(window.global::<WalkInAdapter>().get_name(), "Jo");
    mock_elapsed_time(Duration::from_secs(30));
    tap(&window, "e");
    mock_elapsed_time(Duration::from_secs(45));
    assert_eq!(screen(&window), Screen::WalkIn, "a touch 45 s ago keeps the form open");
    mock_elapsed_time(Duration::from_secs(16));
    assert_eq!(screen(&window), Screen::Welcome);
    assert_eq!(window.global::<WalkInAdapter>().get_name(), "", "the next person must not see the name");
    assert_eq!(window.global::<WalkInAdapter>().get_step(), WalkInStep::Name);
}

#[test]
fn next_needs_a_name_and_back_goes_one_step_back() {
    init_no_event_loop();
    let (_dir, hub, _pass) = demo_hub();
    let window = open_app(hub, (800, 480));

    tap(&window, "Check in or out");
    tap(&window, "I don't have a pass");
    tap(&window, "Next");
    assert_eq!(window.global::<WalkInAdapter>().get_step(), WalkInStep::Name, "no name, no next step");
    tap(&window, "a");
    tap(&window, "Next");
    tap(&window, "Drop-in help");
    assert_eq!(window.global::<WalkInAdapter>().get_step(), WalkInStep::Rules);
    tap(&window, "Back");
    assert_eq!(window.global::<WalkInAdapter>().get_step(), WalkInStep::Reason);
}
