//! The live picture the door sensors give: doors open or closed, people in and out by the beam pairs, the last
//! motion in each room, and alerts. Pure: it is fed pin levels and told the time (as time since it started), so
//! every rule is tested without hardware or a clock.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use booking_core::DoorEventKind;
use firmware_config::SensorConfig;
use serde::Serialize;

use super::beam_pair::{Beam, BeamPairCounter, Passage};
use super::debounce::Debouncer;

/// Motion is recorded at most this often per sensor; a PIR fires every few seconds while someone moves.
const MOTION_RECORD_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SensorKind {
    Door { pin: u8 },
    BeamPair { outside: u8, inside: u8 },
    Motion { pin: u8, room: String },
    ExitButton { pin: u8 },
}

/// One sensor as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensorSpec {
    pub name: String,
    pub kind: SensorKind,
    /// The pin reads high when the door is open, the beam broken, motion seen or the button pressed.
    pub active_high: bool,
    /// "up", "down" or "off".
    pub pull: String,
    pub debounce: Duration,
    pub held_open: Option<Duration>,
    pub blocked: Option<Duration>,
    pub silent: Option<Duration>,
}

impl SensorSpec {
    /// The sensor a validated configuration entry describes.
    pub fn from_config(config: &SensorConfig) -> Option<SensorSpec> {
        let kind = match (config.kind.as_str(), config.pin, config.pins.as_deref()) {
            ("door", Some(pin), _) => SensorKind::Door { pin },
            ("beam_pair", _, Some([outside, inside])) => SensorKind::BeamPair { outside: *outside, inside: *inside },
            ("motion", Some(pin), _) => SensorKind::Motion { pin, room: config.room.clone().unwrap_or_default() },
            ("exit_button", Some(pin), _) => SensorKind::ExitButton { pin },
            _ => return None,
        };
        let seconds = |value: Option<u32>| value.map(|value| Duration::from_secs(u64::from(value)));
        Some(SensorSpec {
            name: config.name.clone(),
            kind,
            active_high: config.active_level() == "high",
            pull: config.pull_resistor().to_owned(),
            debounce: Duration::from_millis(u64::from(config.debounce_ms)),
            held_open: seconds(config.held_open_seconds),
            blocked: seconds(config.blocked_seconds),
            silent: seconds(config.silent_minutes.map(|minutes| minutes * 60)),
        })
    }

    pub fn pins(&self) -> Vec<u8> {
        match &self.kind {
            SensorKind::Door { pin } | SensorKind::Motion { pin, .. } | SensorKind::ExitButton { pin } => vec![*pin],
            SensorKind::BeamPair { outside, inside } => vec![*outside, *inside],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
/// Something a sensor saw, worth recording (never an alert: those are [`Alert`]s). Nothing here says who.
pub struct Observation {
    pub sensor: String,
    pub happening: DoorEventKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    HeldOpen,
    BeamBlocked,
    /// Nothing from the sensor for its `silent_minutes` while the hub is open: it may be dead.
    Silent,
    OverCapacity,
}

/// A condition staff should see, and how long it has lasted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub kind: AlertKind,
    /// The sensor's name (the building's, for over-capacity).
    pub sensor: String,
    pub minutes: u64,
}

impl Alert {
    /// In plain words, for logs and the command line (the touchscreen words its own, translated).
    pub fn sentence(&self, inside: u32, safe_capacity: u32) -> String {
        let minutes = if self.minutes == 1 { "1 minute".to_owned() } else { format!("{} minutes", self.minutes) };
        match self.kind {
            AlertKind::HeldOpen => format!("{} has been open for {minutes}", self.sensor),
            AlertKind::BeamBlocked => format!("{}: a beam has been blocked for {minutes}", self.sensor),
            AlertKind::Silent => format!("{} has sent nothing for {minutes}: it may be broken", self.sensor),
            AlertKind::OverCapacity => {
                format!("about {inside} people inside, more than the safe capacity of {safe_capacity}")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoorView {
    pub name: String,
    pub open: bool,
    /// How long it has been open, when it is.
    pub open_minutes: u64,
}

/// A beam pair, and whether one of its beams is blocked now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CounterView {
    pub name: String,
    pub blocked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MotionView {
    pub room: String,
    /// Minutes since motion was last seen; `None` if not since the kiosk started.
    pub minutes_ago: Option<u64>,
}

/// Everything the staff screen shows about the sensors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SensorState {
    pub doors: Vec<DoorView>,
    pub counters: Vec<CounterView>,
    pub has_counter: bool,
    pub entered: u32,
    pub left: u32,
    /// People inside by the door counters (entered minus left today).
    pub inside: u32,
    pub safe_capacity: u32,
    pub motion: Vec<MotionView>,
    pub alerts: Vec<Alert>,
}

/// A timed alert condition under way (see [`Monitor::building_up`]).
#[derive(Debug, Clone, Copy)]
struct Condition {
    kind: AlertKind,
    sensor: usize,
    since: Duration,
    due: Duration,
}

#[derive(Debug)]
pub struct Monitor {
    specs: Vec<SensorSpec>,
    /// Pin → (sensor index, which beam if it is one).
    pins: BTreeMap<u8, (usize, Option<Beam>)>,
    debouncers: BTreeMap<u8, Debouncer>,
    counters: BTreeMap<usize, BeamPairCounter>,
    open_since: BTreeMap<usize, Duration>,
    last_heard: Vec<Duration>,
    last_motion: BTreeMap<usize, Duration>,
    last_motion_recorded: BTreeMap<usize, Duration>,
    entered: u32,
    left: u32,
    safe_capacity: u32,
    raised: BTreeSet<(AlertKind, String)>,
}

impl Monitor {
    /// `level(pin)` is each pin's level at start-up; `entered`/`left` are today's counts so far (a restart
    /// mid-day carries on from them).
    pub fn new(
        specs: Vec<SensorSpec>,
        level: impl Fn(u8) -> bool,
        entered: u32,
        left: u32,
        safe_capacity: u32,
    ) -> Monitor {
        let mut monitor = Monitor {
            pins: BTreeMap::new(),
            debouncers: BTreeMap::new(),
            counters: BTreeMap::new(),
            open_since: BTreeMap::new(),
            last_heard: vec![Duration::ZERO; specs.len()],
            last_motion: BTreeMap::new(),
            last_motion_recorded: BTreeMap::new(),
            entered,
            left,
            safe_capacity,
            raised: BTreeSet::new(),
            specs,
        };
        for (index, spec) in monitor.specs.iter().enumerate() {
            let beams = match spec.kind {
                SensorKind::BeamPair { outside, inside } => {
                    monitor.counters.insert(index, BeamPairCounter::default());
                    vec![(outside, Some(Beam::Outside)), (inside, Some(Beam::Inside))]
                }
                _ => spec.pins().into_iter().map(|pin| (pin, None)).collect(),
            };
            for (pin, beam) in beams {
                monitor.pins.insert(pin, (index, beam));
                let active = level(pin) == spec.active_high;
                monitor.debouncers.insert(pin, Debouncer::new(spec.debounce, active));
                if active && matches!(spec.kind, SensorKind::Door { .. }) {
                    monitor.open_since.insert(index, Duration::ZERO);
                }
            }
        }
        monitor
    }

    pub fn specs(&self) -> &[SensorSpec] {
        &self.specs
    }

    /// A pin read `high` at `at`; returns what that means, after debouncing.
    pub fn on_level(&mut self, pin: u8, high: bool, at: Duration) -> Vec<Observation> {
        let Some(&(index, beam)) = self.pins.get(&pin) else { return Vec::new() };
        let active = high == self.specs[index].active_high;
        let Some(active) = self.debouncers.get_mut(&pin).and_then(|debouncer| debouncer.feed(active, at)) else {
            return Vec::new();
        };
        self.changed(index, beam, active, at)
    }

    fn changed(&mut self, index: usize, beam: Option<Beam>, active: bool, at: Duration) -> Vec<Observation> {
        self.last_heard[index] = at;
        let name = self.specs[index].name.clone();
        let seen = |happening| Observation { sensor: name.clone(), happening };
        match (&self.specs[index].kind, beam) {
            (SensorKind::Door { .. }, _) if active => {
                self.open_since.insert(index, at);
                vec![seen(DoorEventKind::Opened)]
            }
            (SensorKind::Door { .. }, _) => {
                self.open_since.remove(&index);
                vec![seen(DoorEventKind::Closed)]
            }
            (SensorKind::BeamPair { .. }, Some(beam)) => {
                let passages =
                    self.counters.get_mut(&index).map(|counter| counter.feed(beam, active, at)).unwrap_or_default();
                passages
                    .into_iter()
                    .map(|passage| match passage {
                        Passage::In => {
                            self.entered += 1;
                            seen(DoorEventKind::Entered)
                        }
                        Passage::Out => {
                            self.left += 1;
                            seen(DoorEventKind::Left)
                        }
                    })
                    .collect()
            }
            (SensorKind::Motion { .. }, _) if active => {
                self.last_motion.insert(index, at);
                let due = self.last_motion_recorded.get(&index).is_none_or(|last| at - *last >= MOTION_RECORD_EVERY);
                if due {
                    self.last_motion_recorded.insert(index, at);
                    vec![seen(DoorEventKind::Motion)]
                } else {
                    Vec::new()
                }
            }
            (SensorKind::ExitButton { .. }, _) if active => vec![seen(DoorEventKind::Pressed)],
            _ => Vec::new(),
        }
    }

    /// Time passing: settles bounces, and returns what changed plus the alerts that have just begun.
    pub fn tick(&mut self, at: Duration, hub_open: bool) -> (Vec<Observation>, Vec<Alert>) {
        let settled: Vec<(u8, bool)> = self
            .debouncers
            .iter_mut()
            .filter_map(|(pin, debouncer)| debouncer.settle(at).map(|active| (*pin, active)))
            .collect();
        let mut observations = Vec::new();
        for (pin, active) in settled {
            if let Some(&(index, beam)) = self.pins.get(&pin) {
                observations.extend(self.changed(index, beam, active, at));
            }
        }
        let alerts = self.alerts(at, hub_open);
        let now_raised: BTreeSet<(AlertKind, String)> =
            alerts.iter().map(|alert| (alert.kind, alert.sensor.clone())).collect();
        let new =
            alerts.into_iter().filter(|alert| !self.raised.contains(&(alert.kind, alert.sensor.clone()))).collect();
        self.raised = now_raised;
        (observations, new)
    }

    /// The conditions that need staff now.
    pub fn alerts(&self, at: Duration, hub_open: bool) -> Vec<Alert> {
        let mut alerts: Vec<Alert> = self
            .building_up(at)
            .into_iter()
            .filter(|condition| condition.due <= at && (condition.kind != AlertKind::Silent || hub_open))
            .map(|condition| Alert {
                kind: condition.kind,
                sensor: self.specs[condition.sensor].name.clone(),
                minutes: at.saturating_sub(condition.since).as_secs() / 60,
            })
            .collect();
        if self.inside() > self.safe_capacity {
            alerts.push(Alert { kind: AlertKind::OverCapacity, sensor: "the building".into(), minutes: 0 });
        }
        alerts
    }

    /// The next moment something may change without a pin changing: a bounce settling, an alert becoming due.
    pub fn next_deadline(&self, at: Duration) -> Option<Duration> {
        let settles = self.debouncers.values().filter_map(Debouncer::settles_at);
        let due = self.building_up(at).into_iter().map(|condition| condition.due);
        settles.chain(due).filter(|deadline| *deadline > at).min()
    }

    /// Every timed alert condition that has started — a door open, a beam blocked, a sensor quiet — with when it
    /// started and when it becomes an alert: the one rule both [`alerts`](Self::alerts) and
    /// [`next_deadline`](Self::next_deadline) read.
    fn building_up(&self, at: Duration) -> Vec<Condition> {
        let mut conditions = Vec::new();
        for (sensor, spec) in self.specs.iter().enumerate() {
            let blocked_since =
                self.counters.get(&sensor).and_then(|counter| counter.blocked_for(at)).map(|blocked| at - blocked);
            let timed = [
                (AlertKind::HeldOpen, spec.held_open, self.open_since.get(&sensor).copied()),
                (AlertKind::BeamBlocked, spec.blocked, blocked_since),
                (AlertKind::Silent, spec.silent, Some(self.last_heard[sensor])),
            ];
            for (kind, limit, since) in timed {
                if let (Some(limit), Some(since)) = (limit, since) {
                    conditions.push(Condition { kind, sensor, since, due: since + limit });
                }
            }
        }
        conditions
    }

    pub fn inside(&self) -> u32 {
        self.entered.saturating_sub(self.left)
    }

    /// A new day: the counts start again from zero.
    pub fn new_day(&mut self) {
        self.entered = 0;
        self.left = 0;
    }

    pub fn state(&self, at: Duration, hub_open: bool) -> SensorState {
        let minutes = |since: Duration| at.saturating_sub(since).as_secs() / 60;
        let mut state = SensorState {
            has_counter: !self.counters.is_empty(),
            entered: self.entered,
            left: self.left,
            inside: self.inside(),
            safe_capacity: self.safe_capacity,
            alerts: self.alerts(at, hub_open),
            ..SensorState::default()
        };
        for (index, spec) in self.specs.iter().enumerate() {
            match &spec.kind {
                SensorKind::Door { .. } => state.doors.push(DoorView {
                    name: spec.name.clone(),
                    open: self.open_since.contains_key(&index),
                    open_minutes: self.open_since.get(&index).map_or(0, |since| minutes(*since)),
                }),
                SensorKind::Motion { room, .. } => state.motion.push(MotionView {
                    room: room.clone(),
                    minutes_ago: self.last_motion.get(&index).map(|seen| minutes(*seen)),
                }),
                SensorKind::BeamPair { .. } => state.counters.push(CounterView {
                    name: spec.name.clone(),
                    blocked: self.counters.get(&index).is_some_and(|counter| counter.blocked_for(at).is_some()),
                }),
                SensorKind::ExitButton { .. } => {}
            }
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(value: u64) -> Duration {
        Duration::from_secs(value)
    }

    pub fn front_door() -> Vec<SensorSpec> {
        let base = |name: &str, kind| SensorSpec {
            name: name.into(),
            kind,
            active_high: false,
            pull: "up".into(),
            debounce: Duration::from_millis(30),
            held_open: None,
            blocked: None,
            silent: None,
        };
        vec![
            SensorSpec { held_open: Some(secs(120)), ..base("Front door", SensorKind::Door { pin: 17 }) },
            SensorSpec {
                blocked: Some(secs(120)),
                silent: Some(secs(3600)),
                ..base("Counter", SensorKind::BeamPair { outside: 23, inside: 24 })
            },
            SensorSpec {
                active_high: true,
                ..base("Studio motion", SensorKind::Motion { pin: 27, room: "Studio".into() })
            },
        ]
    }

    /// All pins idle: pulled up (high) for the active-low ones, low for the motion sensor.
    fn idle(pin: u8) -> bool {
        pin != 27
    }

    /// The example file's sensors, uncommented as the installer is told to, wired as docs/sensor-wiring.md shows:
    /// door and beam contacts closed to GND at rest with the pull-up (low), opening when the door opens or the beam
    /// is broken (high); the motion sensor drives its pin high when it sees someone.
    #[test]
    fn sensors_wired_as_the_guide_shows_read_the_right_way_round() {
        let example = firmware_config::EXAMPLE;
        let start = example.find("# [[sensors]]").unwrap();
        let end = start + example[start..].find("\n\n").unwrap();
        let blocks: String =
            example[start..end].lines().map(|line| line.strip_prefix("# ").unwrap_or("").to_owned() + "\n").collect();
        let text = format!("[site]\nname = \"Hub\"\ntime_zone = \"Europe/London\"\nsafe_capacity = 40\n{blocks}");
        let config = firmware_config::parse(&text, std::path::Path::new("kiosk.toml")).unwrap();
        let specs: Vec<SensorSpec> = config.sensors.iter().filter_map(SensorSpec::from_config).collect();
        assert_eq!(specs.len(), 3, "door, beam pair and motion sensor");

        // Door shut, beams clear, nobody moving: every contact closed to GND, the motion sensor's output low.
        let mut monitor = Monitor::new(specs, |_| false, 0, 0, 60);
        let state = monitor.state(secs(1), true);
        assert!(state.doors.iter().all(|door| !door.open), "a shut door reads shut: {:?}", state.doors);
        assert!(state.counters.iter().all(|counter| !counter.blocked), "clear beams read clear");
        assert!(state.alerts.is_empty());
        assert_eq!(monitor.on_level(17, true, secs(2))[0].happening, DoorEventKind::Opened, "the contact opens");
        assert_eq!(monitor.on_level(17, false, secs(3))[0].happening, DoorEventKind::Closed);
        let mut seen = Vec::new();
        for (at, pin, high) in [(10, 23, true), (11, 24, true), (12, 23, false), (13, 24, false)] {
            seen.extend(monitor.on_level(pin, high, secs(at)));
        }
        assert_eq!(seen[0].happening, DoorEventKind::Entered, "outside beam broken first: coming in");
        assert_eq!(monitor.on_level(27, true, secs(20))[0].happening, DoorEventKind::Motion);
    }

    #[test]
    fn a_door_opens_closes_and_is_alerted_when_held_open() {
        let mut monitor = Monitor::new(front_door(), idle, 0, 0, 60);
        let opened = monitor.on_level(17, false, secs(10));
        assert_eq!(opened, [Observation { sensor: "Front door".into(), happening: DoorEventKind::Opened }]);
        assert_eq!(monitor.tick(secs(129), true).1, []);
        let (_, alerts) = monitor.tick(secs(130), true);
        assert_eq!(alerts, [Alert { kind: AlertKind::HeldOpen, sensor: "Front door".into(), minutes: 2 }]);
        assert_eq!(monitor.tick(secs(200), true).1, [], "raised once, not every tick");
        assert_eq!(monitor.on_level(17, true, secs(210))[0].happening, DoorEventKind::Closed);
        assert!(monitor.alerts(secs(211), true).is_empty());
    }

    #[test]
    fn beams_count_people_and_the_gap_with_check_ins_shows() {
        let mut monitor = Monitor::new(front_door(), idle, 5, 1, 60);
        let mut seen = Vec::new();
        for (at, pin, high) in [(0, 23, false), (1, 24, false), (2, 23, true), (3, 24, true)] {
            seen.extend(monitor.on_level(pin, high, secs(at)));
        }
        assert_eq!(seen, [Observation { sensor: "Counter".into(), happening: DoorEventKind::Entered }]);
        assert_eq!(monitor.state(secs(4), true).inside, 5, "restarted with 5 in and 1 out today, then one more in");
    }

    #[test]
    fn a_blocked_beam_a_silent_sensor_and_too_many_people_are_alerts() {
        let mut monitor = Monitor::new(front_door(), idle, 61, 0, 60);
        monitor.on_level(23, false, secs(10));
        let (_, alerts) = monitor.tick(secs(130), false);
        let kinds: Vec<AlertKind> = alerts.iter().map(|alert| alert.kind).collect();
        assert_eq!(kinds, [AlertKind::BeamBlocked, AlertKind::OverCapacity]);
        monitor.on_level(23, true, secs(131));
        let (_, alerts) = monitor.tick(secs(131 + 3600), true);
        assert_eq!(alerts.iter().map(|alert| alert.kind).collect::<Vec<_>>(), [AlertKind::Silent]);
        assert_eq!(monitor.tick(secs(131 + 3600), false).1, [], "a closed hub is quiet: no silent alert");
    }

    #[test]
    fn motion_updates_the_room_and_is_recorded_at_most_once_a_minute() {
        let mut monitor = Monitor::new(front_door(), idle, 0, 0, 60);
        assert_eq!(monitor.on_level(27, true, secs(0)).len(), 1);
        monitor.on_level(27, false, secs(5));
        assert_eq!(monitor.on_level(27, true, secs(10)), [], "seen, not recorded again");
        let state = monitor.state(secs(130), true);
        assert_eq!(state.motion, [MotionView { room: "Studio".into(), minutes_ago: Some(2) }]);
    }

    #[test]
    fn a_bouncing_reed_switch_opens_the_door_once() {
        let mut monitor = Monitor::new(front_door(), idle, 0, 0, 60);
        let mut seen = Vec::new();
        for (ms, high) in [(0, false), (2, true), (4, false), (7, true), (9, false)] {
            seen.extend(monitor.on_level(17, high, Duration::from_millis(1000 + ms)));
        }
        seen.extend(monitor.tick(secs(2), true).0);
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(
            monitor.next_deadline(secs(2)),
            Some(Duration::from_millis(1000) + secs(120)),
            "the held-open alert"
        );
    }
}
