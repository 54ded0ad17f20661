//! The sensors' tokio task: pin changes come in, the [`Monitor`] debounces and interprets them, and a [`Sink`]
//! records what happened and shows the live state (the hub and the staff screen in the kiosk; the terminal for
//! `kiosk sensors`). Between changes it wakes when a bounce may have settled or an alert may be due, and at least
//! every 30 seconds.

use std::time::Duration;

use booking_core::DoorEventKind;
use chrono::NaiveDate;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

use super::PinChange;
use super::monitor::{Monitor, SensorState};

const WAKE_AT_LEAST_EVERY: Duration = Duration::from_secs(30);

/// Where the task's results go.
pub trait Sink: Send {
    /// Something worth keeping: an observation, or an alert that has just begun (`detail` says what).
    fn record(&mut self, sensor: &str, kind: DoorEventKind, detail: &str);
    /// The live state, after every change.
    fn show(&mut self, state: &SensorState);
}

/// What the task needs to know about the hub: whether it is open now (silent sensors only matter then) and
/// today's local date (the counts start again each day).
pub struct Context {
    pub hub_open: Box<dyn Fn() -> bool + Send>,
    pub today: Box<dyn Fn() -> NaiveDate + Send>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Context")
    }
}

/// Runs until every sender of pin changes is gone.
pub async fn run(
    mut monitor: Monitor,
    mut changes: UnboundedReceiver<PinChange>,
    sink: &mut impl Sink,
    context: Context,
) {
    let start = Instant::now();
    let mut today = (context.today)();
    sink.show(&monitor.state(Duration::ZERO, (context.hub_open)()));
    loop {
        let at = start.elapsed();
        let wake = monitor.next_deadline(at).map_or(at + WAKE_AT_LEAST_EVERY, |due| due.min(at + WAKE_AT_LEAST_EVERY));
        let mut observations = tokio::select! {
            change = changes.recv() => match change {
                Some(change) => monitor.on_level(change.pin, change.high, start.elapsed()),
                None => return,
            },
            () = tokio::time::sleep_until(start + wake) => Vec::new(),
        };
        let at = start.elapsed();
        let open = (context.hub_open)();
        let day = (context.today)();
        if day != today {
            today = day;
            monitor.new_day();
        }
        let (settled, alerts) = monitor.tick(at, open);
        observations.extend(settled);
        for observation in &observations {
            sink.record(&observation.sensor, observation.happening, "");
        }
        let state = monitor.state(at, open);
        for alert in alerts {
            sink.record(&alert.sensor, DoorEventKind::Alert, &alert.sentence(state.inside, state.safe_capacity));
        }
        sink.show(&state);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tokio::sync::mpsc;

    use super::super::monitor::{SensorKind, SensorSpec};
    use super::*;

    #[derive(Clone, Default)]
    struct Collect(Arc<Mutex<Vec<(String, DoorEventKind, String)>>>);

    impl Sink for Collect {
        fn record(&mut self, sensor: &str, kind: DoorEventKind, detail: &str) {
            self.0.lock().unwrap().push((sensor.into(), kind, detail.into()));
        }
        fn show(&mut self, _state: &SensorState) {}
    }

    fn door() -> Monitor {
        let spec = SensorSpec {
            name: "Front door".into(),
            kind: SensorKind::Door { pin: 17 },
            active_high: false,
            pull: "up".into(),
            debounce: Duration::from_millis(30),
            held_open: Some(Duration::from_secs(120)),
            blocked: None,
            silent: None,
        };
        Monitor::new(vec![spec], |_| true, 0, 0, 60)
    }

    fn context() -> Context {
        Context { hub_open: Box::new(|| true), today: Box::new(|| NaiveDate::from_ymd_opt(2027, 1, 5).unwrap()) }
    }

    /// tokio's paused clock: the held-open alert comes exactly 120 s after the door opened, once.
    #[tokio::test(start_paused = true)]
    async fn the_held_open_alert_comes_on_time() {
        let (changes, receiver) = mpsc::unbounded_channel();
        let collect = Collect::default();
        let mut sink = collect.clone();
        let task = tokio::spawn(async move { run(door(), receiver, &mut sink, context()).await });
        changes.send(PinChange { pin: 17, high: false }).unwrap();
        tokio::time::sleep(Duration::from_secs(119)).await;
        let kinds = |collect: &Collect| collect.0.lock().unwrap().iter().map(|(_, kind, _)| *kind).collect::<Vec<_>>();
        assert_eq!(kinds(&collect), [DoorEventKind::Opened]);
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(kinds(&collect), [DoorEventKind::Opened, DoorEventKind::Alert]);
        assert_eq!(collect.0.lock().unwrap()[1].2, "Front door has been open for 2 minutes");
        tokio::time::sleep(Duration::from_secs(600)).await;
        changes.send(PinChange { pin: 17, high: true }).unwrap();
        drop(changes);
        task.await.unwrap();
        assert_eq!(kinds(&collect), [DoorEventKind::Opened, DoorEventKind::Alert, DoorEventKind::Closed]);
    }
}
