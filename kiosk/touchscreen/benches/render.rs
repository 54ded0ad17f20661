//! Full-frame software render time of each screen at the three supported sizes: what a Pi spends drawing a
//! screen that changes completely (a new screen, a language switch). Every frame is drawn whole (`NewBuffer`).
//!
//! `cargo bench -p kiosk-touchscreen --bench render`

use std::rc::Rc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group};
use kiosk_runtime::clock::Clock;
use kiosk_runtime::hub::Hub;
use kiosk_touchscreen::app::{self, AppOptions};
use kiosk_touchscreen::ui::{
    CheckInAdapter, MainWindow, Navigation, ScanResult, Screen, StaffAdapter, StaffStep, WalkInAdapter, WalkInStep,
};
use kiosk_touchscreen::worker::Worker;
use slint::ComponentHandle;
use slint::platform::software_renderer::{MinimalSoftwareWindow, PremultipliedRgbaColor, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};

struct Headless(Rc<MinimalSoftwareWindow>);

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.0.clone())
    }
}

const SIZES: [(u32, u32); 3] = [(800, 480), (720, 1280), (1280, 800)];

/// Puts the window on `screen` in a typical state.
fn show(window: &MainWindow, screen: &str) {
    let navigation = window.global::<Navigation>();
    match screen {
        "welcome" => navigation.set_screen(Screen::Welcome),
        "check-in" => {
            let adapter = window.global::<CheckInAdapter>();
            adapter.set_result(ScanResult::CheckedIn);
            adapter.set_first_name("Ada".into());
            navigation.set_screen(Screen::CheckIn);
        }
        "walk-in-keyboard" => {
            window.global::<WalkInAdapter>().set_step(WalkInStep::Name);
            window.global::<WalkInAdapter>().set_name("Sam".into());
            navigation.set_screen(Screen::WalkIn);
        }
        _ => {
            window.global::<StaffAdapter>().set_step(StaffStep::View);
            navigation.set_screen(Screen::Staff);
        }
    }
}

/// The kiosk's window over the demo hub, drawn by the software renderer into memory.
fn kiosk_window() -> (Rc<MinimalSoftwareWindow>, MainWindow, tempfile::TempDir) {
    let adapter = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(Headless(adapter.clone()))).expect("first platform");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut hub = Hub::open(dir.path()).expect("hub");
    let now = Utc.with_ymd_and_hms(2027, 1, 5, 11, 0, 0).unwrap();
    kiosk_runtime::demo::run(&mut hub, now).expect("demo");
    let options = AppOptions { size: SIZES[0], idle_after: Duration::from_secs(3600), ..AppOptions::default() };
    let identity = app::HubIdentity::of(&hub).expect("a hub");
    let (window, _kiosk) = app::build(Worker::inline(hub), Clock::Fixed(now), identity, options).expect("window");
    window.show().expect("shown");
    (adapter, window, dir)
}

/// Draws one whole frame.
fn draw(adapter: &MinimalSoftwareWindow, buffer: &mut [PremultipliedRgbaColor], width: u32) {
    adapter.request_redraw();
    let drawn = adapter.draw_if_needed(|renderer| {
        renderer.render(buffer, width as usize);
    });
    assert!(drawn);
}

fn render(c: &mut Criterion) {
    let (adapter, window, _dir) = kiosk_window();
    let mut group = c.benchmark_group("full frame");
    for (width, height) in SIZES {
        adapter.set_size(slint::PhysicalSize::new(width, height));
        let mut buffer = vec![PremultipliedRgbaColor::default(); (width * height) as usize];
        for screen in ["welcome", "check-in", "walk-in-keyboard", "staff"] {
            show(&window, screen);
            group.bench_function(format!("{screen} {width}x{height}"), |b| {
                b.iter(|| draw(&adapter, &mut buffer, width))
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(3));
    targets = render
}
/// `HUB_COUNT_INSTRUCTIONS=N` draws the Welcome screen at 800×480 N times in `counted_frames` instead of the
/// benchmark, for `tests/instructions` (callgrind).
fn main() {
    let Some(runs) = std::env::var("HUB_COUNT_INSTRUCTIONS").ok().and_then(|runs| runs.parse().ok()) else {
        benches();
        Criterion::default().configure_from_args().final_summary();
        return;
    };
    let (adapter, window, _dir) = kiosk_window();
    let (width, height) = SIZES[0];
    adapter.set_size(slint::PhysicalSize::new(width, height));
    show(&window, "welcome");
    let mut buffer = vec![PremultipliedRgbaColor::default(); (width * height) as usize];
    draw(&adapter, &mut buffer, width); // glyphs rasterised and cached, as on a kiosk that has been running
    counted_frames(&adapter, &mut buffer, width, runs);
    println!("counted: full frame, Welcome at 800x480 x{runs}");
}

/// What `tests/instructions` counts.
#[inline(never)]
fn counted_frames(adapter: &MinimalSoftwareWindow, buffer: &mut [PremultipliedRgbaColor], width: u32, runs: u32) {
    for _ in 0..runs {
        draw(adapter, buffer, width);
    }
}
