//! Door sensors: reed switches, break-beam pairs that count people in and out, motion sensors and exit buttons,
//! read through a [`DoorInput`] — real GPIO on the Pi (`gpio.rs`, the only module that touches rppal) or a
//! simulation (`simulated.rs`) for the desktop demo, installers' rehearsals and tests. Debounced levels go into a
//! pure [`monitor::Monitor`]; [`task::run`] is the tokio task around it that records events and shows the state.
//! Real GPIO needs the `gpio` feature; without it the sensors can only be simulated.

pub mod beam_pair;
pub mod debounce;
pub mod demo;
#[cfg(feature = "gpio")]
pub mod gpio;
pub mod monitor;
pub mod simulated;
pub mod task;

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

pub use monitor::{Alert, AlertKind, Monitor, SensorKind, SensorSpec, SensorState};
pub use simulated::{Script, parse_script};
pub use task::{Context, Sink};

/// A pin changed level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinChange {
    pub pin: u8,
    pub high: bool,
}

/// How one pin is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinSetup {
    pub pin: u8,
    pub pull: Pull,
    pub debounce: Duration,
    /// The level the pin reads with its sensor at rest (door shut, beam clear, no motion, button not pressed).
    pub rest: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pull {
    Up,
    Down,
    Off,
}

impl Pull {
    pub fn parse(text: &str) -> Pull {
        match text {
            "down" => Pull::Down,
            "off" => Pull::Off,
            _ => Pull::Up,
        }
    }
}

/// Where pin levels come from.
pub trait DoorInput: Send {
    /// Sets `pins` up as inputs and starts sending every change to `changes`; returns each pin's level now.
    fn start(&mut self, pins: &[PinSetup], changes: UnboundedSender<PinChange>) -> anyhow::Result<BTreeMap<u8, bool>>;
}

/// The pins `specs` use, set up as configured.
pub fn pin_setups(specs: &[SensorSpec]) -> Vec<PinSetup> {
    specs
        .iter()
        .flat_map(|spec| {
            spec.pins().into_iter().map(|pin| PinSetup {
                pin,
                pull: Pull::parse(&spec.pull),
                debounce: spec.debounce,
                rest: !spec.active_high,
            })
        })
        .collect()
}

/// Where the levels come from.
#[derive(Debug)]
pub enum Source {
    Gpio,
    Simulated(Option<Script>),
}

/// Everything starting the sensors needs.
#[derive(Debug)]
pub struct SensorPlan {
    pub specs: Vec<SensorSpec>,
    pub source: Source,
    /// Refuse to run without them (`gpio.sensors_required`).
    pub required: bool,
    /// Today's counts so far, so a restart mid-day carries on.
    pub entered: u32,
    pub left: u32,
    pub safe_capacity: u32,
    pub context: Context,
}

/// The sensors' task, running on the kiosk's tokio runtime. Dropping this stops it and releases the pins.
#[derive(Debug)]
pub struct Running {
    runtime: tokio::runtime::Handle,
    task: tokio::task::AbortHandle,
    changes: UnboundedSender<PinChange>,
    specs: Vec<SensorSpec>,
}

impl Running {
    pub fn specs(&self) -> &[SensorSpec] {
        &self.specs
    }

    /// Sends one pin change, as if the pin had changed now.
    pub fn send(&self, change: PinChange) {
        let _ = self.changes.send(change);
    }

    /// Plays `script` from now, as if the pins changed (the desktop demo's keys).
    pub fn play(&self, script: Script) {
        self.runtime.spawn(simulated::play(script, self.changes.clone()));
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A plan for `specs` on this hub: today's counts so far, its safe capacity, and its opening hours and closures
/// (a silent sensor only matters while the hub is open).
pub fn plan_for(
    hub: &kiosk_runtime::hub::Hub,
    specs: Vec<SensorSpec>,
    source: Source,
    required: bool,
    clock: kiosk_runtime::clock::Clock,
) -> anyhow::Result<SensorPlan> {
    let site = hub.store.site()?;
    let zone = site.time_zone;
    let today = clock.now().with_timezone(&zone).date_naive();
    let counts = hub.store.door_day(today)?;
    // booking-core's own rule, asked of the rules as they were when the sensors started.
    let rules = hub.store.opening_rules()?;
    let hub_open = move || rules.is_open_at(clock.now());
    Ok(SensorPlan {
        specs,
        source,
        required,
        entered: counts.entered,
        left: counts.left,
        safe_capacity: site.safe_capacity,
        context: Context {
            hub_open: Box::new(hub_open),
            today: Box::new(move || clock.now().with_timezone(&zone).date_naive()),
        },
    })
}

/// The real pins, or in plain words why they cannot be read.
pub fn open_gpio() -> Result<Box<dyn DoorInput>, String> {
    #[cfg(feature = "gpio")]
    return Ok(Box::new(gpio::PiGpio::open()?));
    #[cfg(not(feature = "gpio"))]
    Err("this kiosk was built without GPIO support (the `gpio` feature), so it cannot read real pins".into())
}

/// Opens the input and starts the sensor task on `runtime`; the error says in plain words why the sensors cannot
/// be read.
pub fn start(
    plan: SensorPlan,
    mut sink: impl Sink + 'static,
    runtime: &tokio::runtime::Handle,
) -> Result<Running, String> {
    // A simulation's script and real pins' interrupts feed the channel from the runtime.
    let _entered = runtime.enter();
    let mut input: Box<dyn DoorInput> = match plan.source {
        Source::Gpio => open_gpio()?,
        Source::Simulated(script) => Box::new(simulated::Simulated { script }),
    };
    let (changes, receiver) = unbounded_channel();
    let levels = input.start(&pin_setups(&plan.specs), changes.clone()).map_err(|error| format!("{error:#}"))?;
    let monitor = Monitor::new(
        plan.specs.clone(),
        |pin| levels.get(&pin).copied().unwrap_or(true),
        plan.entered,
        plan.left,
        plan.safe_capacity,
    );
    let context = plan.context;
    let task = runtime.spawn(async move {
        // The input lives as long as the task: real pins stop interrupting when dropped.
        let _input = input;
        task::run(monitor, receiver, &mut sink, context).await;
    });
    Ok(Running { runtime: runtime.clone(), task: task.abort_handle(), changes, specs: plan.specs })
}
