//! `kiosk sensors watch` (live events, for an installer wiring a door) and `kiosk sensors simulate FILE` (a script
//! of pin changes replayed through the same monitor, instantly, printing what the kiosk would record).

use std::io::Write;

use anyhow::Result;
use firmware_config::pins;
use kiosk_runtime::clock::Clock;
use kiosk_runtime::hub::Hub;
use kiosk_sensors::simulated::replay;
use kiosk_sensors::{SensorSpec, SensorState, Sink, Source, plan_for, start};
use serde_json::json;

use super::device::Device;
use super::input::bad_input;
use super::report::Report;

/// The configured sensors, or (with `demo_if_none`) the demo's.
pub fn configured(device: Option<&Device>, demo_if_none: bool) -> Vec<SensorSpec> {
    let specs: Vec<SensorSpec> = device
        .map(|device| device.config.sensors.iter().filter_map(SensorSpec::from_config).collect())
        .unwrap_or_default();
    if specs.is_empty() && demo_if_none { kiosk_sensors::demo::demo_sensors() } else { specs }
}

/// Prints how each door and beam pair reads at first (so an installer sees a shut door read "shut" and clear beams
/// read "clear"), then each event as it comes.
#[derive(Default)]
struct Print {
    started: bool,
}

impl Sink for Print {
    fn record(&mut self, sensor: &str, kind: booking_core::DoorEventKind, detail: &str) {
        let time = chrono::Local::now().format("%H:%M:%S");
        let detail = if detail.is_empty() { String::new() } else { format!(": {detail}") };
        println!("{time}  {sensor}  {}{detail}", kind.as_str());
        let _ = std::io::stdout().flush();
    }

    fn show(&mut self, state: &SensorState) {
        if std::mem::replace(&mut self.started, true) {
            return;
        }
        for door in &state.doors {
            println!("Now: {} reads {}.", door.name, if door.open { "open" } else { "shut" });
        }
        for counter in &state.counters {
            let beams = if counter.blocked { "a beam blocked" } else { "both beams clear" };
            println!("Now: {} reads {beams}.", counter.name);
        }
        let _ = std::io::stdout().flush();
    }
}

pub fn watch(hub: &Hub, device: Option<&Device>, clock: Clock) -> Result<Report> {
    let specs = configured(device, false);
    if specs.is_empty() {
        return Err(bad_input("there are no [[sensors]] in the configuration file to watch"));
    }
    let names: Vec<String> = specs
        .iter()
        .map(|spec| {
            let pins: Vec<String> = spec
                .pins()
                .into_iter()
                .map(|gpio| format!("GPIO {gpio} on header pin {}", pins::header_pin(gpio).unwrap_or(0)))
                .collect();
            format!("{} ({})", spec.name, pins.join(" and "))
        })
        .collect();
    let plan = plan_for(hub, specs, Source::Gpio, true, clock)?;
    let runtime = crate::app::runtime()?;
    match start(plan, Print::default(), runtime.handle()) {
        Ok(_running) => {
            println!("Watching {}. Open the door, walk through the beams; Ctrl+C stops.", names.join(", "));
            loop {
                std::thread::park();
            }
        }
        Err(reason) => {
            Ok(Report::refused(format!("The sensors cannot be read: {reason}."), json!({ "reason": reason })))
        }
    }
}

pub fn simulate(hub: &Hub, device: Option<&Device>, file: &std::path::Path) -> Result<Report> {
    let text = std::fs::read_to_string(file)
        .map_err(|error| bad_input(format!("could not read {}: {error}", file.display())))?;
    let script =
        kiosk_sensors::parse_script(&text).map_err(|error| bad_input(format!("{}: {error}", file.display())))?;
    let specs = configured(device, true);
    let safe_capacity = hub.store.site().map(|site| site.safe_capacity).unwrap_or(60);
    let (lines, state) = replay(specs, &script, safe_capacity);
    let mut text = if lines.is_empty() { "Nothing happened.".to_owned() } else { lines.join("\n") };
    text += &format!(
        "\nAt the end: {} in, {} out, about {} inside; {}.",
        state.entered,
        state.left,
        state.inside,
        state
            .doors
            .iter()
            .map(|door| format!("{} {}", door.name, if door.open { "open" } else { "closed" }))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(Report::done(text, json!({ "events": lines, "state": state })))
}
