//! The demo hub's door sensors.

use crate::{SensorKind, SensorSpec};

/// The demo's door sensors (simulated): the front door, its people counter and motion in the Studio, wired as in
/// docs/sensor-wiring.md. In the desktop demo, F5/F6 walk someone in/out, F7 opens or closes the door, F8 is
/// motion in the Studio.
pub fn demo_sensors() -> Vec<SensorSpec> {
    // Wired as docs/sensor-wiring.md shows: contacts closed to GND at rest, the motion sensor driving its pin.
    let sensor = |name: &str, kind, pull: &str| SensorSpec {
        name: name.into(),
        kind,
        active_high: true,
        pull: pull.into(),
        debounce: std::time::Duration::from_millis(30),
        held_open: None,
        blocked: None,
        silent: None,
    };
    vec![
        SensorSpec {
            held_open: Some(std::time::Duration::from_secs(120)),
            ..sensor("Front door", SensorKind::Door { pin: 17 }, "up")
        },
        SensorSpec {
            blocked: Some(std::time::Duration::from_secs(120)),
            debounce: std::time::Duration::from_millis(5),
            ..sensor("Front door counter", SensorKind::BeamPair { outside: 23, inside: 24 }, "up")
        },
        sensor("Studio motion", SensorKind::Motion { pin: 27, room: "Studio".into() }, "down"),
    ]
}
