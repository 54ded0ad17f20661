//! A visit to every screen and step of the kiosk, tapping as a person would in the language they chose, over the
//! crowded hub. At each step `look` is called with the step's name: the layout check and the screenshots look.

use std::cell::RefCell;
use std::collections::HashMap;

use kiosk_touchscreen::ui::{
    BookingAdapter, CheckInAdapter, DropInAdapter, HubInfo, MainWindow, ScanResult, Settings, StaffAdapter, Theme,
};
use slint::ComponentHandle;

use super::crowded::{HOST_PIN, STAFF_PIN};

/// Who and what the tour uses in a hub: a member's pass, a host to visit, a session running now, and the hub's
/// database (for a booking made elsewhere while the visitor chooses). Both the demo hub and the crowded one have
/// PINs 2468 (staff) and 1357 (hosts).
#[derive(Debug, Clone)]
pub struct Cast {
    pub pass: String,
    pub host: String,
    pub topic: String,
    pub database: std::path::PathBuf,
    /// Today's events and unconference day, in a hub that has them.
    pub gatherings: Option<Gatherings>,
}

/// Titles the tour taps: an event with places, a full one, an unconference day and a session on its board.
#[derive(Debug, Clone)]
pub struct Gatherings {
    pub event: String,
    pub full_event: String,
    pub day: String,
    pub session: String,
}

use super::type_scan;

/// The kiosk's own translations, read from its .po files, so the tour taps what a person sees.
#[derive(Debug, Default)]
pub struct Catalogue(HashMap<String, String>);

impl Catalogue {
    pub fn load(language: &str) -> Catalogue {
        if language == "en" {
            return Catalogue::default();
        }
        let path =
            format!("{}/../translations/{language}/LC_MESSAGES/kiosk-touchscreen.po", env!("CARGO_MANIFEST_DIR"));
        let catalog =
            polib::po_file::parse(std::path::Path::new(&path)).unwrap_or_else(|error| panic!("{path}: {error}"));
        let mut entries = HashMap::new();
        for message in catalog.messages().filter(|message| !message.msgid().is_empty()) {
            let first = if message.is_plural() {
                message.msgstr_plural().ok().and_then(|forms| forms.first().cloned())
            } else {
                message.msgstr().ok().map(str::to_owned)
            };
            entries.insert(message.msgid().to_owned(), first.unwrap_or_default());
        }
        Catalogue(entries)
    }

    /// What the screen says for `english`.
    pub fn t(&self, english: &str) -> String {
        self.0.get(english).cloned().unwrap_or_else(|| english.to_owned())
    }
}

/// One person's way through the kiosk, in one language and text size.
pub struct Tour<'a> {
    pub window: &'a MainWindow,
    pub language: &'a str,
    pub large_text: bool,
    pub catalogue: Catalogue,
    /// Labels the tour wanted to tap and could not find on screen: each is a button a person could not reach.
    pub missed: RefCell<Vec<String>>,
}

impl<'a> Tour<'a> {
    pub fn new(window: &'a MainWindow, language: &'a str, large_text: bool) -> Tour<'a> {
        Tour { window, language, large_text, catalogue: Catalogue::load(language), missed: RefCell::default() }
    }

    pub fn t(&self, english: &str) -> String {
        self.catalogue.t(english)
    }

    pub fn tap(&self, english: &str) {
        self.tap_label(&self.t(english));
    }

    /// Taps a label that is not one of the kiosk's own strings (a name, a room). Slint finds only what is on
    /// screen (or in a scroll area); a label it cannot find is noted and the tour carries on.
    pub fn tap_label(&self, label: &str) {
        if !self.finds(label) {
            super::layout::reveal(self.window, label);
        }
        match i_slint_backend_testing::ElementHandle::find_by_accessible_label(self.window, label).next() {
            Some(found) => found.invoke_accessible_default_action(),
            None => self.missed.borrow_mut().push(format!("nothing on screen to tap is labelled {label:?}")),
        }
    }

    /// Chooses the visitor's language and text size on Welcome, as they would.
    pub fn choose_settings(&self) {
        let native = match self.language {
            "cy" => "Cymraeg",
            "pl" => "Polski",
            "uk" => "Українська",
            _ => "English",
        };
        if self.window.global::<Settings>().get_language() != self.language {
            self.tap_label(native);
        }
        if self.window.global::<Theme>().get_large_text() != self.large_text {
            self.tap("Larger text");
        }
    }

    /// Types on the on-screen keyboard, key by key, as the keys show (a capital starts each word by itself).
    pub fn type_name(&self, name: &str) {
        for character in name.chars() {
            match character {
                ' ' => self.tap("Space"),
                other => {
                    let (lower, upper) = (other.to_lowercase().to_string(), other.to_uppercase().to_string());
                    let shown = if self.finds(&lower) { lower } else { upper };
                    self.tap_label(&shown);
                }
            }
        }
    }

    /// Registers for an event by name and for a full one by pass; votes by pass and proposes by name on an
    /// unconference day's board.
    fn visit_gatherings(&self, gatherings: &Gatherings, pass: &str, look: &mut impl FnMut(&str)) {
        let window = self.window;
        self.choose_settings();
        self.tap("Events today");
        look("event-list");
        self.tap_label(&gatherings.event);
        look("event-about");
        self.tap("No pass? Type your name");
        self.type_name("oluwaseun ap rhydderch");
        look("event-name");
        self.tap("Register");
        look("event-registered");
        self.tap("Done");
        self.choose_settings();
        self.tap("Events today");
        self.tap_label(&gatherings.full_event);
        type_scan(window, pass);
        look("event-waiting-list");
        self.tap("Done");

        self.choose_settings();
        self.tap("Events today");
        self.tap_label(&gatherings.day);
        look("board");
        self.tap_label(&gatherings.session);
        look("board-vote");
        type_scan(window, pass);
        look("board-voted");
        self.tap("Back to the board");
        self.tap("Propose a session");
        self.type_name("trwsio gliniaduron llanfairpwllgwyngyll");
        look("board-title");
        self.tap("Next");
        self.type_name("dewch");
        look("board-line");
        self.tap("Next");
        look("board-proposer");
        self.tap("No pass? Type your name");
        self.type_name("angharad cyfrifiadureg");
        look("board-proposer-name");
        self.tap("Propose");
        look("board-proposed");
        self.tap("Done");
    }

    fn type_digits(&self, digits: &str) {
        for digit in digits.chars() {
            self.tap_label(&digit.to_string());
        }
    }

    fn enter_pin(&self, digits: &str) {
        self.type_digits(digits);
        self.tap("Unlock");
    }

    fn finds(&self, label: &str) -> bool {
        i_slint_backend_testing::ElementHandle::find_by_accessible_label(self.window, label).next().is_some()
    }

    /// Slides the list holding `label` all the way up, as a person reading to the end would.
    pub fn scroll_to_end_of(&self, english: &str) {
        let label = self.t(english);
        match i_slint_backend_testing::ElementHandle::find_by_accessible_label(self.window, &label).next() {
            Some(found) => found.scroll(0.0, -10_000.0),
            None => self.missed.borrow_mut().push(format!("nothing on screen to scroll is labelled {label:?}")),
        }
    }

    /// Every screen and step, calling `look` at each.
    pub fn run(&self, cast: &Cast, mut look: impl FnMut(&str)) {
        let window = self.window;
        self.choose_settings();
        look("welcome");

        self.tap("Check in or out");
        look("check-in-waiting");
        type_scan(window, &cast.pass);
        look("check-in-welcome");
        self.tap("Done");
        self.choose_settings();
        type_scan(window, "HKNOTAREALPASS");
        look("check-in-refused");
        self.tap("Done");

        self.choose_settings();
        self.tap("New here? Register");
        self.type_name("gwenllian llywelyn-fitzgerald ap rhydderch");
        look("walk-in-name");
        self.tap("Next");
        look("walk-in-rules");
        self.scroll_to_end_of("Be kind and respectful to everyone.");
        look("walk-in-rules-read");
        self.tap("Visiting someone");
        look("walk-in-host");
        self.tap_label(&cast.host);
        look("walk-in-done");
        self.tap("Done");
        self.choose_settings();
        look("welcome-host-notice");

        self.tap("Drop-in help");
        look("drop-in-today");
        self.tap("This week");
        look("drop-in-week");
        self.tap("Today");
        self.tap_label(&cast.topic);
        look("drop-in-detail");
        window.global::<DropInAdapter>().invoke_choose_slot(1);
        look("drop-in-scan");
        type_scan(window, &cast.pass);
        look("drop-in-booked");
        self.tap("Done");
        self.choose_settings();
        self.tap("Drop-in help");
        self.tap_label(&cast.topic);
        window.global::<DropInAdapter>().invoke_choose_slot(0);
        type_scan(window, &cast.pass);
        look("drop-in-waiting-list");
        self.tap("Done");
        self.choose_settings();
        self.tap("Drop-in help");
        self.tap_label(&cast.topic);
        self.tap("Join the queue now");
        look("drop-in-ticket");
        self.tap("Done");
        self.choose_settings();
        self.tap("Drop-in help");
        self.tap_label(&cast.topic);
        self.tap("I am the host");
        self.enter_pin("9999");
        look("drop-in-host-pin");
        self.enter_pin(HOST_PIN);
        self.tap("Call next");
        look("drop-in-host");
        self.tap("Back");
        self.tap("Back");
        self.tap("Back");

        self.tap("Book a room");
        look("booking-rooms");
        window.global::<BookingAdapter>().invoke_choose_room(0);
        look("booking-time");
        self.tap("The next day");
        look("booking-time-next-day");
        self.tap("The day before");
        window.global::<BookingAdapter>().invoke_choose_start(0);
        look("booking-length");
        window.global::<BookingAdapter>().invoke_choose_length(1);
        look("booking-who");
        self.tap("No pass? Type your name");
        self.type_name("bartholomew cyfrifiadureg");
        look("booking-name");
        self.tap("Book");
        look("booking-done");
        self.tap("Done");
        self.choose_settings();
        // Someone books the same time on the web while this visitor is still choosing.
        self.tap("Book a room");
        let booking = window.global::<BookingAdapter>();
        booking.invoke_choose_room(0);
        booking.invoke_choose_start(0);
        booking.invoke_choose_length(0);
        if booking.get_start().is_empty() {
            self.missed.borrow_mut().push("no start time was offered to book".into());
        } else {
            super::crowded::book_elsewhere(&cast.database, &booking.get_room(), &booking.get_start());
        }
        type_scan(window, &cast.pass);
        look("booking-refused");
        self.tap("Back");
        self.tap("Back");

        self.tap("Staff");
        look("staff-who");
        window.global::<StaffAdapter>().invoke_staff_chosen(0);
        self.type_digits("99");
        look("staff-pin");
        self.type_digits("99");
        self.tap("Unlock");
        look("staff-pin-wrong");
        self.enter_pin(STAFF_PIN);
        look("staff-roll-call");
        self.tap("Rooms");
        look("staff-rooms");
        self.tap("Today");
        look("staff-today");
        // The door sensors as the monitor reports them: seven people in through the beams, the door open 3 minutes.
        let mut script = String::from("0 17 high\n60 27 high\n62 27 low\n");
        for person in 0..7 {
            let at = 185.0 + f64::from(person);
            script += &format!("{at} 23 high\n{} 24 high\n{} 23 low\n{} 24 low\n", at + 0.2, at + 0.4, at + 0.6);
        }
        let script = kiosk_sensors::parse_script(&script).unwrap();
        let (_, state) = kiosk_sensors::simulated::replay(kiosk_sensors::demo::demo_sensors(), &script, 80);
        kiosk_touchscreen::screens::staff::show_sensors(window, Some(&state));
        look("staff-today-sensors");
        self.tap("Who is here");
        look("staff-roll-call-alert");
        // Without the network's server (booking-core's spool): since when, above the roll-call the kiosk keeps.
        window.global::<StaffAdapter>().set_offline_since("10:05".into());
        look("staff-roll-call-offline");
        window.global::<StaffAdapter>().set_offline_since("".into());
        self.tap("Lock");

        // Without the network's server: Welcome says what still works, as the screens that need the server do.
        window.global::<HubInfo>().set_offline(true);
        self.choose_settings();
        look("welcome-offline");
        self.tap("Book a room");
        window.global::<BookingAdapter>().set_failed(true);
        look("booking-offline");
        self.tap("Back");
        self.choose_settings();
        self.tap("New here? Register");
        look("walk-in-offline");
        self.tap("Back");
        // A pass issued since the kiosk's last copy of the passes: let in on its signature, greeted without a name.
        self.choose_settings();
        self.tap("Check in or out");
        window.global::<CheckInAdapter>().set_result(ScanResult::CheckedIn);
        window.global::<CheckInAdapter>().set_first_name("".into());
        look("check-in-offline-unnamed");
        self.tap("Done");
        window.global::<HubInfo>().set_offline(false);

        if let Some(gatherings) = &cast.gatherings {
            self.visit_gatherings(gatherings, &cast.pass, &mut look);
        }

        // With the web pages on, Welcome shows their address as a QR code a phone can read off the screen.
        kiosk_touchscreen::screens::welcome::show_web_address(window, "http://hub.local:8080/");
        self.choose_settings();
        look("welcome-web");
    }
}
