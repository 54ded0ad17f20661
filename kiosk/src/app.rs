//! The touchscreen app: builds the main window over a hub and runs it.

use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use anyhow::{Context, Result};
use slint::ComponentHandle;

use crate::clock::Clock;
use firmware_config::BrightnessConfig;

use crate::backlight;
use crate::housekeeping::{self, BackupPlan};
use crate::screens::{self, Kiosk};
use crate::ui::{MainWindow, Scanner};
use crate::worker::Worker;
use crate::{scanner_device, systemd};

/// How the window is laid out and behaves.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// Logical size of the window on a desktop; the device's screen decides on the Pi.
    pub size: (u32, u32),
    /// Back to Welcome after this long without a touch or a key.
    pub idle_after: Duration,
    /// The scanner's input device, read directly (and grabbed); without it, scans arrive as keys.
    pub scanner: Option<PathBuf>,
    /// Scheduled backups (and the daily retention purge that runs with them); `None` in tests.
    pub backups: Option<BackupPlan>,
    /// Languages offered on Welcome; the first is where every visitor starts.
    pub languages: Vec<String>,
    /// Day and night backlight levels, for screens that have a backlight the Pi can set.
    pub brightness: Option<BrightnessConfig>,
}

impl AppOptions {
    pub fn all_languages() -> Vec<String> {
        firmware_config::LANGUAGES.iter().map(|code| (*code).to_owned()).collect()
    }
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions {
            size: (800, 480),
            idle_after: Duration::from_secs(60),
            scanner: None,
            backups: None,
            languages: AppOptions::all_languages(),
            brightness: None,
        }
    }
}

/// Creates the main window with every screen wired to the hub behind `worker`.
pub fn build(worker: Worker, clock: Clock, options: AppOptions) -> Result<(MainWindow, Rc<Kiosk>)> {
    let window = MainWindow::new().context("could not create the kiosk window")?;
    window.window().set_size(slint::LogicalSize::new(options.size.0 as f32, options.size.1 as f32));
    let kiosk = Kiosk::new(worker, clock, options.idle_after, options.languages);
    screens::connect(&window, &kiosk);
    if let Some(plan) = options.backups {
        housekeeping::start(&kiosk, plan);
    }
    if let Some(brightness) = options.brightness {
        backlight::start(&kiosk, brightness);
    }
    Ok((window, kiosk))
}

/// Opens the kiosk window and runs until it is closed.
pub fn run(worker: Worker, clock: Clock, options: AppOptions) -> Result<()> {
    let scanner = options.scanner.clone();
    let (window, kiosk) = build(worker, clock, options)?;
    if let Some(path) = scanner {
        let weak = window.as_weak();
        let read = scanner_device::spawn(&path, move |scan| {
            let weak = weak.clone();
            // The window closing is the only reason this fails, and then there is nobody to show the scan to.
            let _ = slint::invoke_from_event_loop(move || {
                if let Some(window) = weak.upgrade() {
                    window.global::<Scanner>().invoke_device_scanned(scan.into());
                }
            });
        });
        // A kiosk without its scanner still checks people in by typed code and walk-in: say so, and carry on.
        if let Err(error) = read {
            eprintln!("kiosk: {error}. Scans typed as keys still work.");
        }
    }
    window.show().context("could not show the kiosk window")?;
    systemd::ready_and_watchdog(&kiosk);
    slint::run_event_loop().context("the kiosk window stopped with an error")?;
    Ok(())
}
