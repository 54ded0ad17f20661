//! The touchscreen app's main window over a hub, with every screen wired. The `kiosk` binary shows it and runs
//! Slint's event loop beside the web pages and the door sensors.

use std::rc::Rc;
use std::time::Duration;

use anyhow::{Context, Result};
use firmware_config::BrightnessConfig;
use kiosk_runtime::clock::Clock;
use kiosk_runtime::hub::Hub;
use slint::ComponentHandle;

use crate::backlight;
use crate::screens::{self, Touchscreen};
use crate::ui::{HubInfo, MainWindow};
use crate::worker::Worker;

/// How the window is laid out and behaves.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// Logical size of the window on a desktop; the device's screen decides on the Pi.
    pub size: (u32, u32),
    /// Back to Welcome after this long without a touch or a key.
    pub idle_after: Duration,
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
            languages: AppOptions::all_languages(),
            brightness: None,
        }
    }
}

/// What the first frame shows before the database thread has answered: the hub's own name, and its time zone for
/// the clock. Read once at start-up, before the window exists.
#[derive(Debug, Clone)]
pub struct HubIdentity {
    pub name: String,
    pub zone: chrono_tz::Tz,
}

impl HubIdentity {
    pub fn of(hub: &Hub) -> Result<HubIdentity> {
        let site = hub.store.site()?;
        Ok(HubIdentity { name: site.name, zone: site.time_zone })
    }
}

/// Creates the main window with every screen wired to the hub behind `worker`.
pub fn build(
    worker: Worker,
    clock: Clock,
    identity: HubIdentity,
    options: AppOptions,
) -> Result<(MainWindow, Rc<Touchscreen>)> {
    let window = MainWindow::new().context("could not create the kiosk window")?;
    window.window().set_size(slint::LogicalSize::new(options.size.0 as f32, options.size.1 as f32));
    let kiosk = Touchscreen::new(worker, clock, identity.zone, options.idle_after, options.languages);
    window.global::<HubInfo>().set_hub_name(identity.name.into());
    screens::connect(&window, &kiosk);
    if let Some(brightness) = options.brightness {
        backlight::start(&kiosk, brightness);
    }
    Ok((window, kiosk))
}
