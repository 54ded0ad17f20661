//! Every screen at the three supported sizes, drawn by Slint's software renderer with no display, saved as PNGs
//! in `target/screenshots/` for people to look at, and checked: the key texts are on screen and inside the window.

mod common;

use std::path::PathBuf;
use std::rc::Rc;

use common::{demo_hub, element, expected_surgery_label, open_app, slot_label, tap, type_scan, walk_in_as_sam};
use kiosk::ui::{MainWindow, Settings, Theme};
use slint::ComponentHandle;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};

struct Headless(Rc<MinimalSoftwareWindow>);

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.0.clone())
    }
}

const SIZES: [(u32, u32); 3] = [(800, 480), (720, 1280), (1280, 800)];

fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Saves the window as `<name>-<width>x<height>.png` and checks that each label is fully inside the window.
fn capture(window: &MainWindow, name: &str, size: (u32, u32), labels: &[&str]) {
    let snapshot = window.window().take_snapshot().expect("the software renderer draws the window");
    assert_eq!((snapshot.width(), snapshot.height()), size);
    let path = screenshots_dir().join(format!("{name}-{}x{}.png", size.0, size.1));
    image::RgbaImage::from_raw(snapshot.width(), snapshot.height(), snapshot.as_bytes().to_vec())
        .expect("pixels fit the size")
        .save(&path)
        .unwrap();
    for label in labels {
        let found = element(window, label);
        let (position, extent) = (found.absolute_position(), found.size());
        let inside = position.x >= 0.0
            && position.y >= 0.0
            && position.x + extent.width <= size.0 as f32 + 0.5
            && position.y + extent.height <= size.1 as f32 + 0.5;
        assert!(inside, "{label:?} is clipped in {}: at {position:?}, size {extent:?}", path.display());
    }
}

/// Reads the QR code off the rendered screen with an independent decoder (rqrr).
fn decode_pass_on_screen(window: &MainWindow) -> String {
    let snapshot = window.window().take_snapshot().unwrap();
    let image = image::RgbaImage::from_raw(snapshot.width(), snapshot.height(), snapshot.as_bytes().to_vec()).unwrap();
    let mut prepared = rqrr::PreparedImage::prepare(image::DynamicImage::ImageRgba8(image).to_luma8());
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the screen");
    grids[0].decode().expect("the QR code on screen decodes").1
}

#[test]
fn every_screen_at_every_size() {
    let adapter = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(Headless(adapter.clone()))).unwrap();

    for size in SIZES {
        let (dir, hub, pass) = demo_hub();
        let digital_help = expected_surgery_label(&hub, "Digital help drop-in");
        let window = open_app(hub, size);
        adapter.set_size(slint::PhysicalSize::new(size.0, size.1));

        capture(
            &window,
            "welcome",
            size,
            &["Check in or out", &digital_help, "English", "Cymraeg", "Polski", "Larger text"],
        );

        tap(&window, "Check in or out");
        capture(&window, "check-in-waiting", size, &["Hold your pass under the scanner", "Back"]);

        type_scan(&window, &pass);
        capture(&window, "check-in-welcome", size, &["Welcome, Ada!", "Done"]);
        tap(&window, "Done");

        type_scan(&window, "HKNOTAREALPASS");
        capture(&window, "check-in-refused", size, &["Sorry, this pass did not work", "Done"]);
        tap(&window, "Done");

        walk_in_as_sam(&window, |step| {
            let labels: &[&str] = match step {
                "walk-in-name" => &["Your name", "Next", "q", "p", "z", "Delete a letter", "Back"],
                "walk-in-reason" => &["Visiting someone", "Something else", "Back"],
                "walk-in-host" => &["Grace Okafor", "Someone else", "Back"],
                "walk-in-rules" => &["I agree", "Back"],
                _ => &["Your pass", "Done"],
            };
            capture(&window, step, size, labels);
        });
        let payload = decode_pass_on_screen(&window);
        let store = booking_core::Store::open(&dir.path().join("hub.db")).unwrap();
        let key = booking_core::PassKey::load_or_create(&dir.path().join("pass.key")).unwrap();
        let verified = store.verify_pass(&key, &payload, common::demo_now()).unwrap();
        assert!(verified.is_ok(), "the QR on screen is not a valid pass: {verified:?}");
        tap(&window, "Done");

        tap(&window, "Drop-in help");
        capture(&window, "drop-in-today", size, &["Today", "This week", "Digital help drop-in", "Back"]);
        tap(&window, "This week");
        capture(&window, "drop-in-week", size, &["This week", "Back"]);
        tap(&window, "Today");
        tap(&window, "Digital help drop-in");
        capture(&window, "drop-in-detail", size, &["Join the queue now", "Back"]);
        let first_slot = slot_label(&window, 0);
        tap(&window, &first_slot);
        capture(&window, "drop-in-scan", size, &["Hold your pass under the scanner", "Back"]);
        type_scan(&window, &pass);
        capture(&window, "drop-in-booked", size, &["Your time is booked", "Done"]);
        tap(&window, "Done");
        tap(&window, "Drop-in help");
        tap(&window, "Digital help drop-in");
        tap(&window, "Join the queue now");
        capture(&window, "drop-in-ticket", size, &["Done"]);
        tap(&window, "Done");
        tap(&window, "Drop-in help");
        tap(&window, "Digital help drop-in");
        tap(&window, "I am the host");
        for digit in kiosk::demo::DEMO_HOST_PIN.chars() {
            tap(&window, &digit.to_string());
        }
        tap(&window, "Unlock");
        tap(&window, "Call next");
        capture(&window, "drop-in-host", size, &["Call next", "Seen", "No-show", "Number 1", "Back"]);
        tap(&window, "Back");
        tap(&window, "Back");
        tap(&window, "Back");

        tap(&window, "Book a room");
        capture(&window, "booking-rooms", size, &["Studio", "Workshop", "Back"]);
        tap(&window, "Studio");
        capture(&window, "booking-time", size, &["Today", "12:10", "Back"]);
        tap(&window, "12:10");
        capture(&window, "booking-length", size, &["30 min", "1 h", "Back"]);
        tap(&window, "1 h");
        capture(&window, "booking-who", size, &["No pass? Type your name", "Back"]);
        tap(&window, "No pass? Type your name");
        for letter in ["r", "o", "b", "i", "n"] {
            tap(&window, letter);
        }
        capture(&window, "booking-name", size, &["Book", "Back"]);
        tap(&window, "Book");
        capture(&window, "booking-done", size, &["Your booking code", "Done"]);
        let booking_payload = decode_pass_on_screen(&window);
        let booking_pass = store.verify_pass(&key, &booking_payload, common::demo_now()).unwrap();
        assert!(booking_pass.is_ok_and(|p| p.booking_id.is_some()), "the booking code is a booking pass");
        tap(&window, "Done");

        tap(&window, "Staff");
        capture(&window, "staff-who", size, &["Sam Taylor", "Back"]);
        tap(&window, "Sam Taylor");
        for digit in ["2", "4"] {
            tap(&window, digit);
        }
        capture(&window, "staff-pin", size, &["1", "0", "Unlock", "Delete a digit", "2 digits entered"]);
        for digit in ["6", "8"] {
            tap(&window, digit);
        }
        tap(&window, "Unlock");
        capture(&window, "staff-roll-call", size, &["Who is here", "Rooms", "Today", "Clear ticks", "Lock"]);
        tap(&window, "Rooms");
        capture(&window, "staff-rooms", size, &["Studio", "Lock"]);
        tap(&window, "Today");
        capture(&window, "staff-today", size, &["Arrivals today, by hour", "Lock"]);
        // The door sensors as the monitor reports them: seven people in through the beams, the door open 3 minutes.
        let mut script = String::from("0 17 low\n60 27 high\n62 27 low\n");
        for person in 0..7 {
            let at = 185.0 + f64::from(person);
            script += &format!("{at} 23 low\n{} 24 low\n{} 23 high\n{} 24 high\n", at + 0.2, at + 0.4, at + 0.6);
        }
        let script = kiosk::sensors::parse_script(&script).unwrap();
        let (_, state) = kiosk::sensors::commands::replay(kiosk::demo::demo_sensors(), &script, 80);
        kiosk::screens::staff::show_sensors(&window, Some(&state));
        capture(
            &window,
            "staff-today-sensors",
            size,
            &["Front door has been open for 3 min", "Arrivals today, by hour", "Lock"],
        );
        assert!(element(&window, "Studio: in use (movement 2 min ago)").is_valid());
        window.global::<kiosk::ui::StaffAdapter>().set_tab(kiosk::ui::StaffTab::RollCall);
        capture(&window, "staff-roll-call-alert", size, &["Front door has been open for 3 min", "Who is here", "Lock"]);
        tap(&window, "Lock");

        tap(&window, "Cymraeg");
        window.global::<Theme>().set_large_text(true);
        assert_eq!(window.global::<Settings>().get_language(), "cy");
        capture(&window, "welcome-cymraeg-large", size, &["Cofrestru i mewn neu allan", "Testun mwy"]);
        tap(&window, "English");
        window.global::<Theme>().set_large_text(false);

        // With the web pages on, Welcome shows their address as a QR code a phone can read off the screen.
        kiosk::screens::welcome::show_web_address(&window, "http://hub.local:8080/");
        capture(&window, "welcome-web", size, &["Check in or out"]);
        assert_eq!(decode_pass_on_screen(&window), "http://hub.local:8080/");
    }
}
