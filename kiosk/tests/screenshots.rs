//! Every screen at the three supported sizes, drawn by Slint's software renderer with no display, saved as PNGs
//! in `target/screenshots/` for people to look at, and checked: the key texts are on screen and inside the window.

mod common;

use std::path::PathBuf;
use std::rc::Rc;

use common::{demo_hub, element, expected_surgery_label, open_app, tap, type_scan};
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

#[test]
fn every_screen_at_every_size() {
    let adapter = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(Headless(adapter.clone()))).unwrap();

    for size in SIZES {
        let (_dir, hub, pass) = demo_hub();
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

        tap(&window, "Cymraeg");
        window.global::<Theme>().set_large_text(true);
        assert_eq!(window.global::<Settings>().get_language(), "cy");
        capture(&window, "welcome-cymraeg-large", size, &["Cofrestru i mewn neu allan", "Testun mwy"]);
        tap(&window, "English");
        window.global::<Theme>().set_large_text(false);
    }
}
