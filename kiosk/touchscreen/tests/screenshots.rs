//! Every screen and step of the demo hub at the three supported sizes, drawn by Slint's software renderer with no
//! display and saved as PNGs in `target/screenshots/` for people to look at (docs/screenshots/ holds the ones the
//! guides show), and the crowded hub in Welsh with larger text at 800×480, where space is tightest. Each picture
//! is also layout-checked, and the QR codes on screen are read back with an independent decoder (rqrr).

mod common;

use std::path::PathBuf;

use kiosk_touchscreen::ui::MainWindow;

use common::tour::Tour;
use common::{crowded, demo_hub, layout};

const SIZES: [(u32, u32); 3] = [(800, 480), (720, 1280), (1280, 800)];

fn screenshots_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("screenshots")
}

/// Reads the QR code off the rendered screen.
fn decode_on_screen(window: &MainWindow) -> String {
    use slint::ComponentHandle;
    let snapshot = window.window().take_snapshot().unwrap();
    let image = image::RgbaImage::from_raw(snapshot.width(), snapshot.height(), snapshot.as_bytes().to_vec()).unwrap();
    let mut prepared = rqrr::PreparedImage::prepare(image::DynamicImage::ImageRgba8(image).to_luma8());
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the screen");
    grids[0].decode().expect("the QR code on screen decodes").1
}

#[test]
fn the_demo_hub_at_every_size() {
    common::init_headless();
    for size in SIZES {
        let (dir, hub, pass) = demo_hub();
        let cast = common::demo_cast(&dir, &pass);
        let window = common::open_app(hub, size);
        let tour = Tour::new(&window, "en", false);
        let store = booking_core::Store::open(&dir.path().join("hub.db")).unwrap();
        let key = booking_core::PassKey::load_or_create(&dir.path().join("pass.key")).unwrap();
        let mut findings = Vec::new();
        tour.run(&cast, |step| {
            common::save_png(&window, &screenshots_dir().join(format!("{step}-{}x{}.png", size.0, size.1)));
            let missed = tour.missed.take().into_iter().map(|miss| format!("the tour before this step: {miss}"));
            for finding in layout::check(&window).iter().map(ToString::to_string).chain(missed) {
                findings.push(format!("{step} at {}×{}: {finding}", size.0, size.1));
            }
            match step {
                "walk-in-done" | "booking-done" => {
                    let payload = decode_on_screen(&window);
                    let verified = store.verify_pass(&key, &payload, common::demo_now()).unwrap();
                    let pass =
                        verified.unwrap_or_else(|refusal| panic!("the QR on screen is not a valid pass: {refusal:?}"));
                    assert_eq!(pass.booking_id.is_some(), step == "booking-done", "a booking code is a booking's pass");
                }
                "welcome-web" => {
                    // On a landscape screen the code ends today's list: slide to it, as a person would.
                    layout::reveal(&window, "On your phone: scan this code, or open http://hub.local:8080/");
                    assert_eq!(decode_on_screen(&window), "http://hub.local:8080/");
                }
                _ => {}
            }
        });
        assert!(findings.is_empty(), "{}", findings.join("\n"));
    }
}

#[test]
fn the_crowded_hub_in_welsh_with_larger_text_at_800x480() {
    common::init_headless();
    let (_dir, mut hub) = common::empty_hub();
    let fixture = crowded::build(&mut hub);
    let window = common::open_app(hub, (800, 480));
    let tour = Tour::new(&window, "cy", true);
    tour.run(&fixture.cast(), |step| {
        common::save_png(&window, &screenshots_dir().join(format!("crowded-cy-large/{step}-800x480.png")));
    });
}
