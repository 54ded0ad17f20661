//! Simulated sensors: pins that rest at their sensor's resting level and change only when told — by a script of timed
//! changes (`kiosk sensors simulate FILE`, `kiosk run --sensors-script FILE`), by keys in the desktop demo, or by
//! tests. [`replay`] runs a script through a monitor instantly (`kiosk sensors simulate`).
//!
//! A script has one change per line: seconds from the start, the GPIO number, and `high` or `low`
//! (`12.5 23 low`). `#` starts a comment.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Result, bail};
use tokio::sync::mpsc::UnboundedSender;

use crate::monitor::{Monitor, SensorSpec, SensorState};
use crate::{DoorInput, PinChange, PinSetup};

/// A script's changes, in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    pub steps: Vec<(Duration, PinChange)>,
}

/// Reads a script; a bad line is named with its number and what is wrong.
pub fn parse_script(text: &str) -> Result<Script> {
    let mut steps = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [seconds, pin, level] = fields.as_slice() else {
            bail!("line {}: write \"SECONDS PIN high|low\", e.g. \"12.5 23 low\" (found \"{line}\")", index + 1);
        };
        let seconds: f64 = seconds
            .parse()
            .ok()
            .filter(|s: &f64| s.is_finite() && *s >= 0.0)
            .ok_or_else(|| anyhow::anyhow!("line {}: \"{seconds}\" is not a number of seconds", index + 1))?;
        let pin: u8 = pin.parse().map_err(|_| anyhow::anyhow!("line {}: \"{pin}\" is not a GPIO number", index + 1))?;
        let high = match *level {
            "high" | "1" => true,
            "low" | "0" => false,
            other => bail!("line {}: \"{other}\" is not high or low", index + 1),
        };
        steps.push((Duration::from_secs_f64(seconds), PinChange { pin, high }));
    }
    steps.sort_by_key(|(at, _)| *at);
    Ok(Script { steps })
}

/// Pins at rest, plus an optional script played from the moment the sensors start.
#[derive(Debug, Default)]
pub struct Simulated {
    pub script: Option<Script>,
}

impl DoorInput for Simulated {
    fn start(&mut self, pins: &[PinSetup], changes: UnboundedSender<PinChange>) -> Result<BTreeMap<u8, bool>> {
        let levels = pins.iter().map(|setup| (setup.pin, setup.rest)).collect();
        if let Some(script) = self.script.take() {
            tokio::spawn(play(script, changes));
        }
        Ok(levels)
    }
}

/// Sends the script's changes at their times from now; stops early if nobody is listening any more.
pub async fn play(script: Script, changes: UnboundedSender<PinChange>) {
    let start = tokio::time::Instant::now();
    for (at, change) in script.steps {
        tokio::time::sleep_until(start + at).await;
        if changes.send(change).is_err() {
            return;
        }
    }
}

/// The changes a person makes walking through a beam pair (`outside` beam first when coming in), as a script
/// starting now: for the desktop demo's keys. `broken` is the level a broken beam reads.
pub fn walk_through(outside: u8, inside: u8, coming_in: bool, broken: bool) -> Script {
    let (first, second) = if coming_in { (outside, inside) } else { (inside, outside) };
    let step = |millis, pin, high| (Duration::from_millis(millis), PinChange { pin, high });
    Script {
        steps: vec![
            step(0, first, broken),
            step(150, second, broken),
            step(300, first, !broken),
            step(450, second, !broken),
        ],
    }
}

/// Replays `script` through a monitor of `specs`, all pins starting at rest, ticking at every moment an alert or
/// a settling bounce is due; returns the lines `simulate` prints and the final state.
pub fn replay(specs: Vec<SensorSpec>, script: &Script, safe_capacity: u32) -> (Vec<String>, SensorState) {
    let rest: std::collections::BTreeMap<u8, bool> =
        crate::pin_setups(&specs).into_iter().map(|setup| (setup.pin, setup.rest)).collect();
    let mut monitor = Monitor::new(specs, |pin| rest.get(&pin).copied().unwrap_or(true), 0, 0, safe_capacity);
    let mut lines = Vec::new();
    let mut now = Duration::ZERO;
    let end = script.steps.last().map_or(Duration::ZERO, |(at, _)| *at) + Duration::from_secs(1);
    let steps = script.steps.iter().map(|(at, change)| (*at, Some(*change))).chain([(end, None)]);
    for (step_at, change) in steps {
        while let Some(due) = monitor.next_deadline(now).filter(|due| *due <= step_at) {
            now = due;
            let (observations, alerts) = monitor.tick(now, true);
            let state = monitor.state(now, true);
            lines.extend(observations.iter().map(|seen| line(now, &seen.sensor, seen.happening.as_str())));
            lines.extend(alerts.iter().map(|alert| {
                line(now, &alert.sensor, &format!("alert: {}", alert.sentence(state.inside, state.safe_capacity)))
            }));
        }
        now = step_at;
        if let Some(change) = change {
            let seen = monitor.on_level(change.pin, change.high, now);
            lines.extend(seen.iter().map(|seen| line(now, &seen.sensor, seen.happening.as_str())));
        }
    }
    (lines, monitor.state(end, true))
}

fn line(at: Duration, sensor: &str, what: &str) -> String {
    format!("{:>8.1}s  {sensor}  {what}", at.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_read_back_and_bad_lines_are_named() {
        let script = parse_script("# front door\n1.5 17 low\n0 23 high  # first\n\n").unwrap();
        assert_eq!(script.steps[0], (Duration::ZERO, PinChange { pin: 23, high: true }));
        assert_eq!(script.steps[1].0, Duration::from_millis(1500));
        let error = parse_script("1 17 low\nsoon 17 high\n").unwrap_err().to_string();
        assert_eq!(error, "line 2: \"soon\" is not a number of seconds");
        assert!(parse_script("1 17 open").unwrap_err().to_string().contains("is not high or low"));
        assert!(parse_script("1 17").unwrap_err().to_string().starts_with("line 1: write"));
    }
}
