//! Running the kiosk: one tokio runtime (the web pages, the door sensors, housekeeping and the stop signals) beside
//! Slint's event loop on the main thread, all over one database thread — and stopping them in order.
//!
//! On SIGTERM (systemd) or SIGINT (Ctrl+C) the screen stops taking touches and scans, the web pages stop taking
//! connections and finish the requests in progress, the sensors stop, the database thread finishes what is queued
//! and closes the database, and the process exits 0.

use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use booking_core::{DoorEvent, DoorEventKind};
use kiosk_notify::Channels;
use kiosk_runtime::clock::Clock;
use kiosk_runtime::housekeeping::{self, BackupPlan};
use kiosk_runtime::hub::Hub;
use kiosk_runtime::systemd;
use kiosk_runtime::worker::{DatabaseThread, JobSender};
use kiosk_sensors::{PinChange, Running, Script, SensorKind, SensorPlan, SensorSpec, SensorState, Sink, Source};
use kiosk_touchscreen::app::{AppOptions, HubIdentity};
use kiosk_touchscreen::screens::{self, Touchscreen};
use kiosk_touchscreen::ui::{MainWindow, Scanner};
use kiosk_touchscreen::worker::Worker;
use kiosk_touchscreen::{scanner_device, watchdog};
use slint::ComponentHandle;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::watch;
use tracing::{error, info, warn};

use crate::calendar_feeds;
use crate::cli::device::WebPlan;

/// How long the web pages have to finish their requests once asked to stop.
const WEB_GRACE: Duration = Duration::from_secs(3);

/// Everything `kiosk run` starts beside the screen.
#[derive(Debug)]
pub struct RunPlan {
    pub options: AppOptions,
    /// The scanner's input device, read directly (and grabbed); without it, scans arrive as keys.
    pub scanner: Option<PathBuf>,
    /// Scheduled backups (and the retention purge that runs with them).
    pub backups: Option<BackupPlan>,
    /// The web pages, served beside the touchscreen from the same database thread.
    pub web: Option<WebPlan>,
    pub sensors: Option<SensorPlan>,
    /// Messages to people (`[notify]`), sent from the outbox while the kiosk runs.
    pub channels: Option<Channels>,
    /// Quit once the first frame is drawn (measuring start-up).
    pub exit_after_first_frame: bool,
}

/// The process's one tokio runtime.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("kiosk-tasks")
        .enable_all()
        .build()
        .context("could not start the kiosk's background tasks")
}

/// SIGTERM (systemd, `kill`) and SIGINT (Ctrl+C), listened for from the moment they are installed, so a stop
/// asked for during start-up is not missed.
struct StopSignals {
    terminate: Signal,
    interrupt: Signal,
}

impl StopSignals {
    fn install(runtime: &tokio::runtime::Runtime) -> Result<StopSignals> {
        let _entered = runtime.enter();
        let listen = |kind| signal(kind).context("could not listen for the signals that stop the kiosk");
        Ok(StopSignals { terminate: listen(SignalKind::terminate())?, interrupt: listen(SignalKind::interrupt())? })
    }

    /// Completes when the process is asked to stop.
    async fn requested(mut self) {
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.interrupt.recv() => {}
        }
        info!("asked to stop; stopping in order");
    }
}

/// Completes once `stop` says true (or its sender is gone).
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// `kiosk serve`: the web pages (and, with `[notify]`, the messages) without the screen, until the process is asked
/// to stop.
pub fn serve(
    hub: Hub,
    clock: Clock,
    languages: &[String],
    address: std::net::SocketAddr,
    channels: Option<Channels>,
) -> Result<()> {
    hub.store.site()?;
    let listener = kiosk_web::bind(address)?;
    let runtime = runtime()?;
    let database = DatabaseThread::spawn(hub)?;
    let (stop, stop_seen) = watch::channel(false);
    let signals = StopSignals::install(&runtime)?;
    runtime.spawn(housekeeping::release_no_shows(database.sender(), clock));
    runtime.spawn(housekeeping::keep_spool(database.sender(), clock));
    runtime.spawn(calendar_feeds::keep_up(database.sender(), clock));
    start_messages(&runtime, channels, &database.sender(), clock, languages, &stop_seen);
    let state = kiosk_web::WebState::start(database.sender(), clock, languages)?;
    let mut served = runtime.spawn(kiosk_web::serve_on(state, listener, stopped(stop_seen)));
    systemd::ready();
    let ended_early = runtime.block_on(async {
        tokio::select! {
            () = signals.requested() => None,
            ended = &mut served => Some(ended),
        }
    });
    systemd::stopping();
    let finished = match ended_early {
        None => {
            let _ = stop.send(true);
            finish_web(&runtime, served)
        }
        Some(Ok(served)) => served,
        Some(Err(error)) => Err(anyhow::anyhow!("the web pages failed: {error}")),
    };
    runtime.shutdown_timeout(Duration::from_secs(1));
    database.stop();
    finished
}

/// Waits (at most [`WEB_GRACE`]) for the web pages to finish the requests in progress once told to stop.
fn finish_web(runtime: &tokio::runtime::Runtime, served: tokio::task::JoinHandle<Result<()>>) -> Result<()> {
    match runtime.block_on(async { tokio::time::timeout(WEB_GRACE, served).await }) {
        Ok(Ok(served)) => served,
        Ok(Err(error)) => bail!("the web pages failed: {error}"),
        Err(_) => {
            warn!("the web pages did not finish their requests within {} s", WEB_GRACE.as_secs());
            Ok(())
        }
    }
}

/// Opens the kiosk window over `hub` and runs until it is closed or the process is asked to stop.
pub fn run(hub: Hub, clock: Clock, plan: RunPlan) -> Result<()> {
    let identity = HubIdentity::of(&hub)?;
    let runtime = runtime()?;
    let database = DatabaseThread::spawn(hub)?;
    let jobs = database.sender();
    let (stop, stop_seen) = watch::channel(false);
    let languages = plan.options.languages.clone();
    let (window, kiosk) = kiosk_touchscreen::app::build(Worker::Thread(jobs.clone()), clock, identity, plan.options)?;

    let signals = StopSignals::install(&runtime)?;
    runtime.spawn(async {
        signals.requested().await;
        quit_event_loop();
    });
    if let Some(backups) = plan.backups {
        runtime.spawn(housekeeping::every_hour(jobs.clone(), clock, backups));
    }
    runtime.spawn(housekeeping::release_no_shows(jobs.clone(), clock));
    runtime.spawn(housekeeping::keep_spool(jobs.clone(), clock));
    runtime.spawn(calendar_feeds::keep_up(jobs.clone(), clock));
    start_messages(&runtime, plan.channels, &jobs, clock, &languages, &stop_seen);
    let web = plan.web.and_then(|web| {
        let listener =
            kiosk_web::bind(web.listen).inspect_err(|error| warn!("the web pages are off: {error:#}")).ok()?;
        let state = kiosk_web::WebState::start(jobs.clone(), clock, &languages)
            .inspect_err(|error| warn!("the web pages are off: {error:#}"))
            .ok()?
            .reporting_to(kiosk.web_changed.clone());
        let served = runtime.spawn(kiosk_web::serve_on(state, listener, stopped(stop_seen.clone())));
        if let Some(url) = web.public_url {
            screens::welcome::show_web_address(&window, &url);
        }
        Some(served)
    });
    let sensors = start_sensors(plan.sensors, &window, &kiosk, &jobs, clock, runtime.handle())?;
    if let Some(path) = plan.scanner {
        read_scanner(&window, &path);
    }

    window.show().context("could not show the kiosk window")?;
    if plan.exit_after_first_frame {
        // The software renderer has no frame notifier: the window is shown and its first redraw is queued, so the
        // event loop's first turn draws it; quit right after that turn.
        slint::Timer::single_shot(Duration::ZERO, quit_event_loop);
    }
    systemd::ready();
    watchdog::start(&kiosk);
    let ran = slint::run_event_loop().context("the kiosk window stopped with an error");

    systemd::stopping();
    let _ = window.hide();
    let _ = stop.send(true);
    drop(sensors);
    if let Some(Err(error)) = web.map(|served| finish_web(&runtime, served)) {
        error!("the web pages stopped with an error: {error:#}");
    }
    runtime.shutdown_timeout(Duration::from_secs(1));
    database.stop();
    ran
}

/// Starts sending the outbox's messages (and writing reminders), if `[notify]` sets up a channel; people with no
/// language of their own read the hub's first.
fn start_messages(
    runtime: &tokio::runtime::Runtime,
    channels: Option<Channels>,
    jobs: &JobSender,
    clock: Clock,
    languages: &[String],
    stop: &watch::Receiver<bool>,
) {
    let Some(channels) = channels else { return };
    info!("messages go by {}", channels.describe());
    let language = languages.first().cloned().unwrap_or_else(|| "en".into());
    runtime.spawn(kiosk_notify::delivery::deliver(jobs.clone(), clock, channels, language, stop.clone()));
}

/// Ends Slint's event loop after its current turn, from any thread. Fails only when it has already stopped.
fn quit_event_loop() {
    let _ = slint::invoke_from_event_loop(|| {
        let _ = slint::quit_event_loop();
    });
}

/// Starts the door sensors on the runtime, if any are planned. Required sensors that cannot be read stop the
/// kiosk; others are reported and the kiosk carries on without them.
fn start_sensors(
    plan: Option<SensorPlan>,
    window: &MainWindow,
    kiosk: &Rc<Touchscreen>,
    jobs: &JobSender,
    clock: Clock,
    runtime: &tokio::runtime::Handle,
) -> Result<Option<Rc<Running>>> {
    let Some(plan) = plan else { return Ok(None) };
    let required = plan.required;
    let simulated = matches!(plan.source, Source::Simulated(_));
    let sink = KioskSink { jobs: jobs.clone(), clock, window: window.as_weak() };
    match kiosk_sensors::start(plan, sink, runtime) {
        Ok(running) => {
            let running = Rc::new(running);
            // Only simulated sensors take keys: on a real door, a keyboard must never invent people.
            if simulated {
                demo_keys(kiosk, running.clone());
            }
            Ok(Some(running))
        }
        Err(reason) if required => bail!("the door sensors are required but cannot be read: {reason}"),
        Err(reason) => {
            warn!("the door sensors cannot be read: {reason}. The kiosk carries on without them.");
            screens::staff::show_sensors(window, None);
            Ok(None)
        }
    }
}

/// Reads the scanner's own input device; each scan goes to the screen on the UI thread.
fn read_scanner(window: &MainWindow, path: &std::path::Path) {
    let weak = window.as_weak();
    let read = scanner_device::spawn(path, move |scan| {
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
        warn!("{error}. Scans typed as keys still work.");
    }
}

/// Records what the door sensors see (on the database thread) and shows it on the staff view (on the UI thread).
struct KioskSink {
    jobs: JobSender,
    clock: Clock,
    window: slint::Weak<MainWindow>,
}

impl Sink for KioskSink {
    fn record(&mut self, sensor: &str, kind: DoorEventKind, detail: &str) {
        if kind == DoorEventKind::Alert {
            warn!("alert: {detail}");
        }
        let event = DoorEvent { at: self.clock.now(), sensor: sensor.into(), kind, detail: detail.into() };
        self.jobs.submit(move |hub| {
            if let Err(error) = hub.store.record_door_event(&event) {
                error!("could not record a door event: {error}");
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
fn demo_keys(kiosk: &Rc<Touchscreen>, running: Rc<Running>) {
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
                    kiosk_sensors::simulated::walk_through(outside, inside, key == F5, spec.active_high)
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
