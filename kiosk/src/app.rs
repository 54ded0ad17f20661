//! The touchscreen app: builds the main window over a hub and runs it.

use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use booking_core::{DoorEvent, DoorEventKind};
use firmware_config::BrightnessConfig;
use slint::ComponentHandle;

use crate::backlight;
use crate::clock::Clock;
use crate::device::WebPlan;
use crate::housekeeping::{self, BackupPlan};
use crate::hub::Hub;
use crate::screens::{self, Kiosk};
use crate::sensors::{
    self, PinChange, Running, Script, SensorKind, SensorPlan, SensorSpec, SensorState, Sink, Source, simulated,
};
use crate::ui::{HubInfo, MainWindow, Scanner};
use crate::worker::{JobSender, Worker};
use crate::{scanner_device, systemd, web};

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
    /// The web pages, served beside the touchscreen from the same database thread.
    pub web: Option<WebPlan>,
    /// Quit once the first frame is drawn (measuring start-up).
    pub exit_after_first_frame: bool,
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
            web: None,
            exit_after_first_frame: false,
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
) -> Result<(MainWindow, Rc<Kiosk>)> {
    let window = MainWindow::new().context("could not create the kiosk window")?;
    window.window().set_size(slint::LogicalSize::new(options.size.0 as f32, options.size.1 as f32));
    let kiosk = Kiosk::new(worker, clock, identity.zone, options.idle_after, options.languages);
    window.global::<HubInfo>().set_hub_name(identity.name.into());
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
pub fn run(
    worker: Worker,
    clock: Clock,
    identity: HubIdentity,
    options: AppOptions,
    sensors: Option<SensorPlan>,
) -> Result<()> {
    let scanner = options.scanner.clone();
    let jobs = worker.sender();
    let (web, languages, exit_early) = (options.web.clone(), options.languages.clone(), options.exit_after_first_frame);
    let (window, kiosk) = build(worker, clock, identity, options)?;
    if let (Some(plan), Some(jobs)) = (web, &jobs) {
        let state = web::WebState::new(jobs.clone(), clock, &languages).reporting_to(kiosk.web_changed.clone());
        serve_web(&window, plan, state);
    }
    // Kept alive until the window closes: dropping it stops the sensors.
    let mut simulated = false;
    let running_sensors = match sensors {
        None => None,
        Some(plan) => {
            let required = plan.required;
            simulated = matches!(plan.source, Source::Simulated(_));
            let sink = KioskSink { jobs, clock, window: window.as_weak() };
            match sensors::start(plan, sink) {
                Ok(running) => Some(Rc::new(running)),
                Err(reason) if required => bail!("the door sensors are required but cannot be read: {reason}"),
                Err(reason) => {
                    eprintln!("kiosk: the door sensors cannot be read: {reason}. The kiosk carries on without them.");
                    screens::staff::show_sensors(&window, None);
                    None
                }
            }
        }
    };
    // Only simulated sensors take keys: on a real door, a keyboard must never invent people.
    if let (Some(running), true) = (&running_sensors, simulated) {
        demo_keys(&kiosk, running.clone());
    }
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
    if exit_early {
        // The software renderer has no frame notifier: the window is shown and its first redraw is queued, so the
        // event loop's first turn draws it; quit right after that turn.
        slint::Timer::single_shot(Duration::ZERO, || {
            let _ = slint::invoke_from_event_loop(|| {
                // Only fails when the loop has already stopped.
                let _ = slint::quit_event_loop();
            });
        });
    }
    systemd::ready_and_watchdog(&kiosk);
    slint::run_event_loop().context("the kiosk window stopped with an error")?;
    Ok(())
}

/// Serves the web pages on a thread of their own; the Welcome screen shows their address once they are listening.
/// A port already in use is reported and the touchscreen carries on: the front door matters more.
fn serve_web(window: &MainWindow, plan: WebPlan, state: web::WebState) {
    let listener = match web::bind(plan.listen) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("kiosk: the web pages are off: {error:#}");
            return;
        }
    };
    let started = std::thread::Builder::new().name("web".into()).spawn(move || {
        let served = tokio::runtime::Runtime::new()
            .map_err(anyhow::Error::from)
            .and_then(|runtime| runtime.block_on(web::serve_on(state, listener)));
        if let Err(error) = served {
            eprintln!("kiosk: the web pages stopped: {error:#}");
        }
    });
    match started {
        Ok(_) => {
            if let Some(url) = plan.public_url {
                screens::welcome::show_web_address(window, &url);
            }
        }
        Err(error) => eprintln!("kiosk: the web pages are off: {error}"),
    }
}

/// Records what the door sensors see (on the database thread) and shows it on the staff view (on the UI thread).
struct KioskSink {
    jobs: Option<JobSender>,
    clock: Clock,
    window: slint::Weak<MainWindow>,
}

impl Sink for KioskSink {
    fn record(&mut self, sensor: &str, kind: DoorEventKind, detail: &str) {
        if kind == DoorEventKind::Alert {
            eprintln!("kiosk: alert: {detail}");
        }
        let event = DoorEvent { at: self.clock.now(), sensor: sensor.into(), kind, detail: detail.into() };
        let Some(jobs) = &self.jobs else { return };
        jobs.submit(move |hub| {
            if let Err(error) = hub.store.record_door_event(&event) {
                eprintln!("kiosk: could not record a door event: {error}");
            }
        });
    }

    fn show(&mut self, state: &SensorState) {
        let state = state.clone();
        // Fails only when the window has closed.
        let _ = self.window.upgrade_in_event_loop(move |window| screens::staff::show_sensors(&window, Some(&state)));
    }
}

/// Slint's text for the function keys F5 to F8.
const F5: &str = "\u{F708}";
const F6: &str = "\u{F709}";
const F7: &str = "\u{F70A}";
const F8: &str = "\u{F70B}";

/// With simulated sensors, F5 and F6 walk someone in and out through the first beam pair, F7 opens or closes the
/// first door, and F8 is motion in the first room.
fn demo_keys(kiosk: &Rc<Kiosk>, running: Rc<Running>) {
    let door_open = std::cell::Cell::new(false);
    let find = |wanted: fn(&SensorKind) -> bool| running.specs().iter().find(|spec| wanted(&spec.kind)).cloned();
    let beams = find(|kind| matches!(kind, SensorKind::BeamPair { .. }));
    let door = find(|kind| matches!(kind, SensorKind::Door { .. }));
    let motion = find(|kind| matches!(kind, SensorKind::Motion { .. }));
    let handler = move |key: &str| {
        let level = |spec: &SensorSpec, active: bool| active == spec.active_high;
        let script = match (key, &beams, &door, &motion) {
            (F5 | F6, Some(spec), _, _) => match spec.kind {
                SensorKind::BeamPair { outside, inside } => {
                    simulated::walk_through(outside, inside, key == F5, spec.active_high)
                }
                _ => return false,
            },
            (F7, _, Some(spec), _) => {
                door_open.set(!door_open.get());
                let step = PinChange { pin: spec.pins()[0], high: level(spec, door_open.get()) };
                Script { steps: vec![(std::time::Duration::ZERO, step)] }
            }
            (F8, _, _, Some(spec)) => {
                let pin = spec.pins()[0];
                let change = |high| PinChange { pin, high };
                Script {
                    steps: vec![
                        (std::time::Duration::ZERO, change(level(spec, true))),
                        (std::time::Duration::from_secs(2), change(level(spec, false))),
                    ],
                }
            }
            _ => return false,
        };
        running.play(script);
        true
    };
    *kiosk.sensor_keys.borrow_mut() = Some(Box::new(handler));
}
