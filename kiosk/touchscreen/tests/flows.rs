//! The touchscreen's flows driven as a person would: keystrokes from the scanner, taps found by their accessible
//! labels, time moving on. Each test runs on its own thread with Slint's testing backend and mock time.

mod common;

use std::time::Duration;

use i_slint_backend_testing::{init_no_event_loop, mock_elapsed_time};
use kiosk_touchscreen::screens::check_in::RESULT_SHOWN_FOR;
use kiosk_touchscreen::ui::{
    BoardAdapter, BoardStep, BookingAdapter, BookingStep, CheckInAdapter, DropInAdapter, DropInStep, EventAdapter,
    EventStep, HubInfo, LoadState, MainWindow, Navigation, PinMessage, ScanResult, Screen, Settings, StaffAdapter,
    StaffStep, StaffTab, Theme, WalkInAdapter, WalkInStep, WelcomeAdapter,
};
use slint::ComponentHandle;
use slint::Model;

use common::{
    demo_hub, element, open_app, open_app_with, read_the_rules, slot_label, tap, type_keys, type_scan, walk_in_as_sam,
};

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
    assert!(element(&window, "This code is not a pass for this hub. Please try again, or ask at the desk.").is_valid());

    mock_elapsed_time(RESULT_SHOWN_FOR - Duration::from_secs(1));
    assert_eq!(screen(&window), Screen::CheckIn, "still showing the result");
    mock_elapsed_time(Duration::from_secs(2));
    assert_eq!(screen(&window), Screen::Welcome);

    // The reason comes from the refusals' catalogue, in the visitor's language.
    tap(&window, "Polski");
    type_scan(&window, "https://example.org/not-a-pass");
    assert!(
        element(&window, "Ten kod nie jest przepustką do tego centrum. Spróbuj ponownie lub zapytaj w recepcji.")
            .is_valid()
    );
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
fn language_and_text_size_stay_with_the_visitor_until_they_are_done() {
    init_no_event_loop();
    let (_dir, hub, pass) = demo_hub();
    let window = open_app(hub, (800, 480));
    let (settings, theme) = (window.global::<Settings>(), window.global::<Theme>());

    tap(&window, "Cymraeg");
    tap(&window, "Testun mwy");
    // Back on the first step of a flow: the same visitor is still choosing.
    tap(&window, "Archebu ystafell");
    tap(&window, "Yn ôl");
    assert_eq!(screen(&window), Screen::Welcome);
    assert_eq!((settings.get_language().as_str(), theme.get_large_text()), ("cy", true));
    // Done at the end of what they came for: the next visitor starts in English with normal text.
    type_scan(&window, &pass);
    assert_eq!((settings.get_language().as_str(), theme.get_large_text()), ("cy", true), "kept until done");
    tap(&window, "Gorffen");
    assert_eq!((settings.get_language().as_str(), theme.get_large_text()), ("en", false));

    // Walking away has the same end, even from Welcome.
    tap(&window, "Larger text");
    tap(&window, "Polski");
    mock_elapsed_time(Duration::from_secs(59));
    assert_eq!(settings.get_language(), "pl");
    mock_elapsed_time(Duration::from_secs(2));
    assert_eq!((settings.get_language().as_str(), theme.get_large_text()), ("en", false));
}

#[test]
fn the_configured_languages_are_offered_and_each_visitor_starts_in_the_first() {
    init_no_event_loop();
    let (_dir, hub, _pass) = demo_hub();
    let languages = vec!["cy".to_owned(), "en".to_owned()];
    let window = open_app_with(
        hub,
        kiosk_touchscreen::app::AppOptions { languages, ..kiosk_touchscreen::app::AppOptions::default() },
    );

    assert_eq!(window.global::<Settings>().get_language(), "cy");
    assert!(element(&window, "Cymraeg").is_valid() && element(&window, "English").is_valid());
    let polish = i_slint_backend_testing::ElementHandle::find_by_accessible_label(&window, "Polski").count();
    assert_eq!(polish, 0, "Polish is not offered on this kiosk");
    tap(&window, "English");
    tap(&window, "Check in or out");
    mock_elapsed_time(Duration::from_secs(61));
    assert_eq!(screen(&window), Screen::Welcome);
    assert_eq!(window.global::<Settings>().get_language(), "cy", "the next visitor starts in Welsh again");
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

/// Counts the taps a walk-in needs besides typing their name, from Welcome to their pass.
#[test]
fn a_walk_in_takes_three_taps_and_a_name_and_one_more_to_visit_someone() {
    init_no_event_loop();
    let (_dir, hub, _pass) = demo_hub();
    let window = open_app(hub, (800, 480));
    let adapter = window.global::<WalkInAdapter>();

    // The taps besides typing the name; reading the rules is sliding them, not a tap.
    let taps_to_register = |name: &str, choices: &[&str]| {
        let mut taps = 0;
        let mut tap_counted = |label: &str| {
            tap(&window, label);
            taps += 1;
        };
        tap_counted("New here? Register");
        type_keys(&window, name);
        tap_counted("Next");
        read_the_rules(&window);
        for choice in choices {
            tap_counted(choice);
        }
        assert_eq!(adapter.get_step(), WalkInStep::Done);
        tap(&window, "Done");
        taps
    };
    assert_eq!(taps_to_register("Kim Lee", &["Drop-in help"]), 3);
    assert_eq!(taps_to_register("Lee Kim", &["Visiting someone", "Grace Okafor"]), 4);
}

#[test]
fn the_reasons_wait_until_every_house_rule_has_been_on_screen() {
    init_no_event_loop();
    let (_dir, hub, _pass) = demo_hub();
    let window = open_app(hub, (800, 480));
    window.global::<Theme>().set_large_text(true);
    tap(&window, "New here? Register");
    type_keys(&window, "Kim");
    tap(&window, "Next");
    assert_eq!(window.global::<WalkInAdapter>().get_step(), WalkInStep::Agree);
    assert_eq!(element(&window, "Drop-in help").accessible_enabled(), Some(false), "the last rule is below the fold");
    tap(&window, "Drop-in help");
    assert_eq!(window.global::<WalkInAdapter>().get_step(), WalkInStep::Agree, "a greyed choice does nothing");
    read_the_rules(&window);
    assert_eq!(element(&window, "Drop-in help").accessible_enabled(), Some(true));
    tap(&window, "Drop-in help");
    assert_eq!(window.global::<WalkInAdapter>().get_step(), WalkInStep::Done);
}

#[test]
fn shift_and_the_letter_pages_type_names_as_they_are_written() {
    init_no_event_loop();
    let (_dir, hub, _pass) = demo_hub();
    let window = open_app(hub, (800, 480));
    tap(&window, "New here? Register");
    let name = || window.global::<WalkInAdapter>().get_name().to_string();

    type_keys(&window, "O'Neill McDonald");
    assert_eq!(name(), "O'Neill McDonald");
    for _ in 0.."O'Neill McDonald".chars().count() {
        tap(&window, "Delete a letter");
    }
    assert_eq!(name(), "");
    // Shift again for all capitals, and once more for small letters, even at the start of a word.
    tap(&window, "Capital letters");
    type_keys(&window, "AB");
    tap(&window, "Capital letters");
    tap(&window, "c");
    assert_eq!(name(), "ABc");
    tap(&window, "Delete a letter");
    tap(&window, "Delete a letter");
    tap(&window, "Delete a letter");

    tap(&window, "Letters with accents, page 1");
    tap(&window, "Ç");
    tap(&window, "Letters with accents, page 2");
    tap(&window, "ł");
    tap(&window, "Plain letters");
    tap(&window, "a");
    tap(&window, "Space");
    tap(&window, "Cyrillic letters, page 1");
    tap(&window, "Ї");
    tap(&window, "ж");
    tap(&window, "а");
    assert_eq!(name(), "Çła Їжа");
}

#[test]
fn the_idle_timeout_clears_a_half_typed_walk_in() {
    init_no_event_loop();
    let (_dir, hub, _pass) = demo_hub();
    let window = open_app(hub, (800, 480));

    tap(&window, "Check in or out");
    tap(&window, "I don't have a pass");
    type_keys(&window, "Jo");
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
    tap(&window, "A");
    tap(&window, "Next");
    read_the_rules(&window);
    tap(&window, "Visiting someone");
    assert_eq!(window.global::<WalkInAdapter>().get_step(), WalkInStep::Host);
    tap(&window, "Back");
    assert_eq!(window.global::<WalkInAdapter>().get_step(), WalkInStep::Agree);
    tap(&window, "Back");
    assert_eq!(window.global::<WalkInAdapter>().get_step(), WalkInStep::Name);
    assert_eq!(window.global::<WalkInAdapter>().get_name(), "A", "Back keeps what was typed");
}

fn enter_pin(window: &MainWindow, digits: &str) {
    for digit in digits.chars() {
        tap(window, &digit.to_string());
    }
    tap(window, "Unlock");
}

#[test]
fn staff_pin_opens_the_roll_call_and_wrong_pins_lock_the_account() {
    init_no_event_loop();
    let (_dir, hub, _pass) = demo_hub();
    let window = open_app(hub, (800, 480));
    let staff = window.global::<StaffAdapter>();

    tap(&window, "Staff");
    tap(&window, "Sam Taylor");
    enter_pin(&window, kiosk_runtime::demo::DEMO_STAFF_PIN);
    assert_eq!(staff.get_step(), StaffStep::View);
    // The demo checked three members in; the roll-call lists them, with ticks starting empty.
    assert_eq!(staff.get_on_site(), 3);
    assert_eq!(staff.get_roll_call().row_count(), 3);
    let first = staff.get_roll_call().row_data(0).unwrap().name.to_string();
    tap(&window, &first);
    assert_eq!(staff.get_ticked(), 1);
    assert!(staff.get_roll_call().row_data(0).unwrap().ticked);

    // Locking and coming back keeps the ticks (an evacuation must not lose them) but asks for the PIN again.
    tap(&window, "Lock");
    assert_eq!(screen(&window), Screen::Welcome);
    tap(&window, "Staff");
    tap(&window, "Sam Taylor");
    assert_eq!(staff.get_step(), StaffStep::Pin);
    enter_pin(&window, "1111");
    assert_eq!((staff.get_pin().message, staff.get_pin().tries_left), (PinMessage::Wrong, 9));
    enter_pin(&window, "12");
    assert_eq!(staff.get_pin().message, PinMessage::TooShort);
    enter_pin(&window, "2222");
    assert_eq!(staff.get_pin().tries_left, 8);
    enter_pin(&window, "3333");
    // The third mistake says at once that the next try must wait, and the wait counts down on screen.
    let pin = staff.get_pin();
    assert_eq!((pin.message, pin.tries_left, pin.wait_seconds), (PinMessage::Wrong, 7, 5));
    assert!(
        element(
            &window,
            "That PIN is not right. Please wait 5 seconds before the next try. 7 more tries before this account locks."
        )
        .is_valid()
    );
    let seconds_pass = |seconds| {
        for _ in 0..seconds {
            mock_elapsed_time(Duration::from_millis(1001));
        }
    };
    seconds_pass(2);
    assert_eq!(staff.get_pin().wait_seconds, 3);
    enter_pin(&window, kiosk_runtime::demo::DEMO_STAFF_PIN);
    assert_eq!(staff.get_pin().message, PinMessage::Wait, "during the wait even the right PIN is not tried");
    assert_eq!(staff.get_step(), StaffStep::Pin);
    seconds_pass(6);
    assert_eq!(staff.get_pin().wait_seconds, 0);
    assert!(element(&window, "You can try your PIN again now.").is_valid());
}

#[test]
fn the_staff_view_locks_itself_when_left_alone() {
    init_no_event_loop();
    let (_dir, hub, _pass) = demo_hub();
    let window = open_app(hub, (800, 480));

    tap(&window, "Staff");
    tap(&window, "Sam Taylor");
    enter_pin(&window, kiosk_runtime::demo::DEMO_STAFF_PIN);
    assert_eq!(window.global::<StaffAdapter>().get_step(), StaffStep::View);
    mock_elapsed_time(Duration::from_secs(61));
    assert_eq!(screen(&window), Screen::Welcome);
    assert_eq!(window.global::<StaffAdapter>().get_step(), StaffStep::Who);
    assert_eq!(window.global::<StaffAdapter>().get_roll_call().row_count(), 0, "no names left in memory to show");
}

#[test]
fn drop_in_gives_a_queue_number_and_books_a_time_by_scanning_a_pass() {
    init_no_event_loop();
    let (dir, hub, pass) = demo_hub();
    let window = open_app(hub, (800, 480));
    let adapter = window.global::<DropInAdapter>();

    tap(&window, "Drop-in help");
    let first = adapter.get_surgeries().row_data(0).unwrap();
    assert_eq!(first.topic, "Digital help drop-in");
    assert!(first.running, "10:00–13:00 is under way at 11:00");
    tap(&window, "Digital help drop-in");
    tap(&window, "Join the queue now");
    assert_eq!(adapter.get_step(), DropInStep::Ticket);
    assert_eq!((adapter.get_ticket_number(), adapter.get_ahead()), (1, 0));
    assert!(element(&window, "Your number is 1").is_valid());
    let store = booking_core::Store::open(&dir.path().join("hub.db")).unwrap();
    let today = booking_core::local_day(chrono_tz::Europe::London, common::demo_now().date_naive());
    let surgery =
        store.surgeries_overlapping(today).unwrap().into_iter().find(|s| s.topic == "Digital help drop-in").unwrap();
    assert_eq!(store.queue(surgery.id).unwrap().len(), 1);
    tap(&window, "Done");
    assert_eq!(screen(&window), Screen::Welcome);

    tap(&window, "Drop-in help");
    tap(&window, "Digital help drop-in");
    let label = slot_label(&window, 0);
    tap(&window, &label);
    assert_eq!(adapter.get_step(), DropInStep::Scan);
    type_scan(&window, &pass);
    assert_eq!(adapter.get_step(), DropInStep::Booked, "{:?}", adapter.get_problem());
    assert!(!adapter.get_waiting_list());
    let ada = store.person_by_name_or_id("Ada Lovelace").unwrap();
    assert!(store.today_for(ada.id, common::demo_now()).unwrap().iter().any(|item| matches!(item,
        booking_core::TodayItem::SurgerySeat { topic, .. } if topic == "Digital help drop-in")));
    assert!(!store.is_on_site(ada.id).unwrap(), "booking is not checking in");

    tap(&window, "Done");
    tap(&window, "Drop-in help");
    tap(&window, "Digital help drop-in");
    let label = slot_label(&window, 0);
    tap(&window, &label);
    type_scan(&window, &pass);
    assert_eq!(adapter.get_problem(), "You already have a place at this time.");
    type_scan(&window, "not a pass");
    assert_eq!(adapter.get_problem(), "This code is not a pass for this hub. Please try again, or ask at the desk.");
}

#[test]
fn the_host_calls_the_queue_in_order_after_their_pin() {
    init_no_event_loop();
    let (dir, hub, _pass) = demo_hub();
    let window = open_app(hub, (800, 480));
    let adapter = window.global::<DropInAdapter>();
    walk_in_as_sam(&window, |_| {});
    tap(&window, "Done");

    for _ in 0..2 {
        tap(&window, "Drop-in help");
        tap(&window, "Digital help drop-in");
        tap(&window, "Join the queue now");
        tap(&window, "Done");
    }
    tap(&window, "Drop-in help");
    tap(&window, "Digital help drop-in");
    tap(&window, "I am the host");
    enter_pin(&window, "0000");
    assert_eq!(adapter.get_pin().message, PinMessage::Wrong);
    enter_pin(&window, kiosk_runtime::demo::DEMO_HOST_PIN);
    assert_eq!(adapter.get_step(), DropInStep::Host);
    assert_eq!(adapter.get_queue().row_count(), 2);
    assert_eq!(adapter.get_called(), 0);
    // Grace hosts this session, and Sam came to see her: only her own view names him.
    assert!(element(&window, "Sam came to see you at 11:00 and is here now.").is_valid());

    tap(&window, "Call next");
    assert_eq!(adapter.get_called(), 1);
    tap(&window, "Seen");
    tap(&window, "Call next");
    assert_eq!(adapter.get_called(), 2);
    tap(&window, "No-show");
    assert_eq!(adapter.get_called(), 0);
    tap(&window, "Back");
    assert_eq!(adapter.get_visitors().row_count(), 0, "the visitor's name goes when the host steps away");

    let store = booking_core::Store::open(&dir.path().join("hub.db")).unwrap();
    let today = booking_core::local_day(chrono_tz::Europe::London, common::demo_now().date_naive());
    let surgery =
        store.surgeries_overlapping(today).unwrap().into_iter().find(|s| s.topic == "Digital help drop-in").unwrap();
    let statuses: Vec<_> = store.queue(surgery.id).unwrap().into_iter().map(|ticket| ticket.status).collect();
    assert_eq!(statuses, [booking_core::TicketStatus::Seen, booking_core::TicketStatus::NoShow]);
}

/// Book a room → Studio → the first start time offered today → 30 minutes.
fn choose_studio_first_time(window: &MainWindow) -> String {
    tap(window, "Book a room");
    tap(window, "Studio");
    let adapter = window.global::<BookingAdapter>();
    assert_eq!(adapter.get_step(), BookingStep::Time);
    let start = adapter.get_starts().row_data(0).expect("a free start time today").to_string();
    tap(window, &start);
    let until = adapter.get_lengths().row_data(0).expect("a length").until;
    tap(window, &format!("30 minutes (until {until})"));
    assert_eq!(adapter.get_step(), BookingStep::Who);
    start
}

#[test]
fn a_room_is_booked_by_scanning_a_pass_and_the_booking_is_stored() {
    init_no_event_loop();
    let (dir, hub, pass) = demo_hub();
    let window = open_app(hub, (800, 480));

    let start = choose_studio_first_time(&window);
    // The demo's Studio booking runs 11:00–12:00 with a 10-minute buffer: the first free start is 12:10.
    assert_eq!(start, "12:10");
    type_scan(&window, &pass);
    let adapter = window.global::<BookingAdapter>();
    assert_eq!(adapter.get_step(), BookingStep::Done, "{:?}", adapter.get_refusal());
    assert!(adapter.get_booking_code().size().width > 0);

    let store = booking_core::Store::open(&dir.path().join("hub.db")).unwrap();
    let ada = store.person_by_name_or_id("Ada Lovelace").unwrap();
    let day = booking_core::local_day(chrono_tz::Europe::London, common::demo_now().date_naive());
    let studio = store.room_by_name("Studio").unwrap();
    let hers: Vec<_> = store
        .bookings_overlapping(day, Some(studio.id))
        .unwrap()
        .into_iter()
        .filter(|b| b.booked_for == Some(ada.id))
        .collect();
    assert_eq!(hers.len(), 1);
    assert_eq!(hers[0].slot.minutes(), 30);
    assert_eq!(hers[0].slot.start().with_timezone(&chrono_tz::Europe::London).format("%H:%M").to_string(), "12:10");
}

#[test]
fn a_booking_that_conflicts_is_refused_with_the_reason_and_fresh_times() {
    common::init_headless();
    let (dir, hub, pass) = demo_hub();
    let window = open_app(hub, (800, 480));
    choose_studio_first_time(&window);

    // Meanwhile someone else (another kiosk, the web page) takes 12:00–13:00.
    let mut other = booking_core::Store::open(&dir.path().join("hub.db")).unwrap();
    let studio = other.room_by_name("Studio").unwrap();
    let noon = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 1, 5, 12, 20, 0).unwrap();
    let taken = booking_core::BookingRequest {
        room: studio.id,
        slot: booking_core::Slot::new(noon, noon + chrono::Duration::hours(1)).unwrap(),
        title: "Elsewhere".into(),
        booked_by: None,
        booked_for: None,
        public: false,
    };
    assert!(matches!(other.book(&taken, common::demo_now()).unwrap(), booking_core::BookingOutcome::Booked(_)));

    type_scan(&window, &pass);
    let adapter = window.global::<BookingAdapter>();
    let reason = "That time is already booked (12:20\u{2060}–\u{2060}13:20). Please choose another time.";
    assert_eq!(adapter.get_refusal(), reason);
    assert!(element(&window, reason).is_valid());
    assert_eq!(adapter.get_step(), BookingStep::Time, "back to the times, as they are now");
    assert_ne!(adapter.get_starts().row_data(0).unwrap(), "12:10");

    // Another day is a fresh start: no old refusal, and the times from the top.
    element(&window, &adapter.get_starts().row_data(0).unwrap()).scroll(0.0, -200.0);
    assert!(common::layout::scroll_offsets(&window).iter().any(|down| *down > 0.0), "the times were scrolled");
    tap(&window, "The next day");
    assert_eq!(common::layout::scroll_offsets(&window), [0.0], "the next day's times start at the top");
    assert_eq!(adapter.get_refusal(), "");
    assert_eq!(adapter.get_day(), "Wednesday 6 January");
    let start = adapter.get_starts().row_data(0).unwrap().to_string();
    tap(&window, &start);
    let until = adapter.get_lengths().row_data(0).unwrap().until;
    tap(&window, &format!("30 minutes (until {until})"));
    type_scan(&window, &pass);
    assert_eq!(adapter.get_step(), BookingStep::Done);
    // The confirmation names the day in words.
    let confirmation = format!("Studio is yours Wednesday 6 January, {start}\u{2060}–\u{2060}{until}.");
    assert!(element(&window, &confirmation).is_valid(), "{confirmation}");
}

#[test]
fn someone_without_a_pass_books_by_name_and_gets_a_booking_code() {
    init_no_event_loop();
    let (dir, hub, _pass) = demo_hub();
    let window = open_app(hub, (800, 480));
    choose_studio_first_time(&window);
    tap(&window, "No pass? Type your name");
    type_keys(&window, "Robin");
    tap(&window, "Book");
    assert_eq!(window.global::<BookingAdapter>().get_step(), BookingStep::Done);
    let store = booking_core::Store::open(&dir.path().join("hub.db")).unwrap();
    let robin = store.person_by_name_or_id("Robin").unwrap();
    assert_eq!(robin.role, booking_core::Role::Visitor);
    assert!(!store.is_on_site(robin.id).unwrap(), "booking is not checking in");
}

#[test]
fn a_host_notice_goes_when_the_visitor_checks_out() {
    common::init_headless();
    let (_dir, hub, _pass) = demo_hub();
    let (clock, seconds) = kiosk_runtime::clock::Clock::manual(common::demo_now());
    let window = common::open_app_at(hub, kiosk_touchscreen::app::AppOptions::default(), clock);
    walk_in_as_sam(&window, |_| {});
    let pass = decode_walk_in_pass(&window);
    tap(&window, "Done");
    assert_eq!(window.global::<WelcomeAdapter>().get_notices().row_count(), 1);
    // A minute later: well within the fifteen minutes a notice would otherwise stay.
    seconds.fetch_add(60, std::sync::atomic::Ordering::Relaxed);
    type_scan(&window, &pass);
    assert_eq!(window.global::<CheckInAdapter>().get_result(), ScanResult::CheckedOut);
    assert_eq!(window.global::<WelcomeAdapter>().get_notices().row_count(), 0, "Sam has left: Grace needs no notice");
}

/// The walk-in's pass, as the QR code on screen holds it.
fn decode_walk_in_pass(window: &MainWindow) -> String {
    let snapshot = window.window().take_snapshot().unwrap();
    let image = image::RgbaImage::from_raw(snapshot.width(), snapshot.height(), snapshot.as_bytes().to_vec()).unwrap();
    let mut prepared = rqrr::PreparedImage::prepare(image::DynamicImage::ImageRgba8(image).to_luma8());
    prepared.detect_grids()[0].decode().expect("the pass on screen decodes").1
}

#[test]
fn the_staff_view_counts_a_drop_in_session_as_using_its_room() {
    init_no_event_loop();
    let (_dir, hub, _pass) = demo_hub();
    let window = open_app(hub, (800, 480));
    tap(&window, "Staff");
    tap(&window, "Sam Taylor");
    enter_pin(&window, kiosk_runtime::demo::DEMO_STAFF_PIN);
    tap(&window, "Rooms");
    assert_eq!(window.global::<StaffAdapter>().get_tab(), StaffTab::Rooms);
    let rooms = window.global::<StaffAdapter>().get_rooms();
    let cafe = rooms.iter().find(|room| room.name == "Café").expect("the café is listed");
    assert_eq!((cafe.now_title.as_str(), cafe.now_until.as_str()), ("Digital help drop-in", "13:00"));
}

#[test]
fn the_first_frame_shows_the_hub_and_the_time_and_nothing_made_up() {
    common::init_headless();
    let (_dir, hub, _pass) = demo_hub();
    let identity = kiosk_touchscreen::app::HubIdentity::of(&hub).unwrap();
    // The database thread answers through the event loop, which has not turned yet: this is the first frame.
    let database = kiosk_runtime::worker::DatabaseThread::spawn(hub).unwrap();
    let worker = kiosk_touchscreen::worker::Worker::Thread(database.sender());
    let options =
        kiosk_touchscreen::app::AppOptions { size: (800, 480), ..kiosk_touchscreen::app::AppOptions::default() };
    let clock = kiosk_runtime::clock::Clock::Fixed(common::demo_now());
    let (window, _kiosk) = kiosk_touchscreen::app::build(worker, clock, identity, options).unwrap();
    window.show().unwrap();
    let info = window.global::<HubInfo>();
    assert_eq!(info.get_hub_name(), "Riverside Community Tech Hub");
    assert_eq!((info.get_clock().as_str(), info.get_date().as_str()), ("11:00", "Tuesday 5 January"));
    assert_eq!(window.global::<WelcomeAdapter>().get_state(), LoadState::Loading);
    assert!(element(&window, "Riverside Community Tech Hub").is_valid(), "the name is drawn");
    assert!(element(&window, "Reading today's sessions…").is_valid());
    assert_eq!(window.global::<WelcomeAdapter>().get_surgeries().row_count(), 0, "no sessions until they are read");
    let findings = common::layout::check(&window);
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn a_list_that_cannot_be_read_says_so() {
    init_no_event_loop();
    // A hub that is not set up: reading today's sessions fails.
    let (_dir, hub) = common::empty_hub();
    let identity = kiosk_touchscreen::app::HubIdentity { name: "Test Hub".into(), zone: chrono_tz::Europe::London };
    let options =
        kiosk_touchscreen::app::AppOptions { size: (800, 480), ..kiosk_touchscreen::app::AppOptions::default() };
    let clock = kiosk_runtime::clock::Clock::Fixed(common::demo_now());
    let (window, _kiosk) =
        kiosk_touchscreen::app::build(kiosk_touchscreen::worker::Worker::inline(hub), clock, identity, options)
            .unwrap();
    window.show().unwrap();
    assert_eq!(window.global::<WelcomeAdapter>().get_state(), LoadState::Failed);
    assert!(
        element(&window, "Sorry, today's sessions and rooms could not be read. Please ask at the desk.").is_valid()
    );
}

/// The kiosk at 800×480 over the crowded hub (with its events and unconference day), its jobs run inline.
fn crowded_app() -> (tempfile::TempDir, common::crowded::Crowded, MainWindow) {
    init_no_event_loop();
    let (dir, mut hub) = common::empty_hub();
    let fixture = common::crowded::build(&mut hub);
    (dir, fixture, open_app(hub, (800, 480)))
}

/// The crowded hub's pass key, for passes and votes from another connection.
fn pass_key(database: &std::path::Path) -> booking_core::PassKey {
    booking_core::PassKey::load_or_create(&database.with_file_name("pass.key")).unwrap()
}

/// A pass for the crowded hub's member `index`, issued from another connection (as the desk would).
fn member_pass(database: &std::path::Path, index: usize) -> String {
    let mut store = booking_core::Store::open(database).unwrap();
    let key = pass_key(database);
    let person = store.person_by_name_or_id(&common::crowded::person_name(index)).unwrap().id;
    store.issue_pass(&key, person, booking_core::NewPass::Member, common::demo_now()).unwrap().payload
}

#[test]
fn an_event_on_welcome_is_registered_for_by_name_and_the_places_left_go_down() {
    use common::crowded;
    let (_dir, fixture, window) = crowded_app();
    let free = |window: &MainWindow| {
        let events = window.global::<WelcomeAdapter>().get_events();
        events.iter().find(|event| event.title == crowded::EVENT).map(|event| event.free_places)
    };
    assert_eq!(free(&window), Some(7), "12 places, 5 taken");

    tap(&window, "Events today");
    tap(&window, crowded::EVENT);
    assert_eq!(screen(&window), Screen::Event);
    assert!(element(&window, "Hold your pass under the scanner to register").is_valid());
    tap(&window, "No pass? Type your name");
    type_keys(&window, "Nia Wyn");
    tap(&window, "Register");
    assert_eq!(window.global::<EventAdapter>().get_step(), EventStep::Registered);
    assert!(element(&window, "You have a place!").is_valid());
    assert!(window.global::<EventAdapter>().get_has_pass(), "a newcomer is given a pass for the day");

    let store = booking_core::Store::open(&fixture.database).unwrap();
    let event = store
        .events_overlapping(
            booking_core::Slot::new(common::demo_now(), common::demo_now() + chrono::Duration::hours(12)).unwrap(),
        )
        .unwrap();
    let event = event.into_iter().find(|event| event.title == crowded::EVENT).unwrap();
    let names: Vec<String> = store.attendees(event.id).unwrap().into_iter().map(|a| a.display_name).collect();
    assert!(names.contains(&"Nia Wyn".to_string()), "{names:?}");
    tap(&window, "Done");
    assert_eq!(screen(&window), Screen::Welcome);
    assert_eq!(free(&window), Some(6));

    // The full event: a pass joins its waiting list, after the two already waiting.
    tap(&window, "Events today");
    tap(&window, crowded::FULL_EVENT);
    assert!(element(&window, "Full: register to join the waiting list (2 waiting).").is_valid());
    type_scan(&window, &fixture.busy_member_pass);
    let adapter = window.global::<EventAdapter>();
    assert!(adapter.get_waiting_list() && !adapter.get_has_pass());
    assert_eq!(adapter.get_position(), 3);
    tap(&window, "Done");
    // Registering twice is refused in plain words.
    tap(&window, "Events today");
    tap(&window, crowded::FULL_EVENT);
    type_scan(&window, &fixture.busy_member_pass);
    assert_eq!(window.global::<EventAdapter>().get_step(), EventStep::About);
    assert!(!window.global::<EventAdapter>().get_problem().is_empty());
}

#[test]
fn a_session_is_proposed_with_the_on_screen_keyboard_and_voted_for_by_scanning_a_pass() {
    use common::crowded;
    let (_dir, fixture, window) = crowded_app();
    let board = window.global::<BoardAdapter>();

    tap(&window, "Events today");
    tap(&window, crowded::DAY);
    assert_eq!(screen(&window), Screen::Board);
    assert_eq!(board.get_placed().row_count(), 9, "3 rooms × 3 blocks, filled");
    assert_eq!(board.get_waiting().row_count(), 3);

    tap(&window, "Propose a session");
    type_keys(&window, "Repair Cafe ");
    tap(&window, "Numbers and signs");
    type_keys(&window, "101");
    assert_eq!(board.get_draft_title(), "Repair Cafe 101");
    tap(&window, "Next");
    tap(&window, "Next");
    assert_eq!(board.get_step(), BoardStep::Proposer, "the line about it may be left empty");
    type_scan(&window, &fixture.busy_member_pass);
    assert_eq!(board.get_step(), BoardStep::Proposed);
    assert!(!board.get_has_pass(), "a pass holder needs no new pass");
    tap(&window, "Back to the board");
    let proposed = board.get_waiting().iter().find(|s| s.title == "Repair Cafe 101").expect("on the board at once");
    assert_eq!((proposed.proposer.as_str(), proposed.votes), (crowded::person_name(0).as_str(), 0));
    tap(&window, "Propose a session");
    assert_eq!(board.get_draft_title(), "", "the next proposer starts with an empty title");
    tap(&window, "Back");

    // Two people vote by scanning their passes; the same pass twice counts once.
    let (first, second) = (member_pass(&fixture.database, 30), member_pass(&fixture.database, 31));
    tap(&window, "Repair Cafe 101");
    assert_eq!(board.get_step(), BoardStep::Vote);
    type_scan(&window, &first);
    assert_eq!(board.get_step(), BoardStep::Voted);
    assert_eq!(board.get_chosen().votes, 1);
    tap(&window, "Back to the board");
    tap(&window, "Repair Cafe 101");
    type_scan(&window, &first);
    assert_eq!(board.get_step(), BoardStep::Vote);
    assert!(!board.get_problem().is_empty(), "a second vote from one pass is refused in plain words");
    type_scan(&window, &second);
    assert_eq!(board.get_chosen().votes, 2);
    let store = booking_core::Store::open(&fixture.database).unwrap();
    let day = store.unconferences_on(common::demo_now().date_naive()).unwrap().remove(0);
    let stored = day.proposals.iter().find(|p| p.title == "Repair Cafe 101").unwrap();
    assert_eq!(stored.votes, 2, "the votes are in the hub's database");
}

#[test]
fn the_board_shows_a_change_made_elsewhere_within_a_second() {
    use common::crowded;
    let (_dir, fixture, window) = crowded_app();
    let board = window.global::<BoardAdapter>();
    tap(&window, "Events today");
    tap(&window, crowded::DAY);
    let left_off = board.get_waiting().row_data(0).unwrap();

    // The organiser, on their laptop, moves a session off the grid (another process, the same database).
    let mut store = booking_core::Store::open(&fixture.database).unwrap();
    let day = store.unconferences_on(common::demo_now().date_naive()).unwrap().remove(0);
    let placed = day.proposals.iter().find(|p| p.cell.is_some()).unwrap();
    store.place_proposal(placed.id, None, common::demo_now()).unwrap().unwrap();
    let voter = store.person_by_name_or_id(&crowded::person_name(33)).unwrap().id;
    let proposal = booking_core::ProposalId(i64::from(left_off.id));
    let key = pass_key(&fixture.database);
    store.vote(&key, proposal, booking_core::Booker::Person(voter), common::demo_now()).unwrap().unwrap();
    assert_eq!(board.get_placed().row_count(), 9, "not yet: the kiosk looks once a second");

    mock_elapsed_time(Duration::from_millis(1100));
    assert_eq!(board.get_placed().row_count(), 8);
    assert_eq!(board.get_waiting().row_count(), 4);
    let voted = board.get_waiting().iter().find(|s| s.id == left_off.id).unwrap();
    assert_eq!(voted.votes, left_off.votes + 1);
}
