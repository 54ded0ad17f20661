//! From a door sensor's pin change to the updated state arriving on the thread that shows it: the sensor task's
//! channel, debounce, the monitor, and the hand-over to another thread (a channel standing in for Slint's event
//! loop queue, which `KioskSink::show` posts to). Recording in the hub happens beside this, on the database thread.
//!
//! `cargo bench -p kiosk-sensors --bench sensor_latency`

use std::sync::mpsc;
use std::time::{Duration, Instant};

use booking_core::DoorEventKind;
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use kiosk_sensors::{Context, PinChange, SensorKind, SensorPlan, SensorSpec, SensorState, Sink, Source};

/// Hands every state to the "UI thread".
struct ToUi(mpsc::Sender<SensorState>);

impl Sink for ToUi {
    fn record(&mut self, _sensor: &str, _kind: DoorEventKind, _detail: &str) {}
    fn show(&mut self, state: &SensorState) {
        let _ = self.0.send(state.clone());
    }
}

fn latency(c: &mut Criterion) {
    let door = SensorSpec {
        name: "Front door".into(),
        kind: SensorKind::Door { pin: 17 },
        // Wired as docs/sensor-wiring.md shows: the pin reads high while the door is open.
        active_high: true,
        pull: "up".into(),
        // No debounce, so back-to-back changes all count; the debounce adds no delay to a first change anyway.
        debounce: Duration::ZERO,
        held_open: Some(Duration::from_secs(120)),
        blocked: None,
        silent: None,
    };
    let (ui, states) = mpsc::channel();
    let plan = SensorPlan {
        specs: vec![door],
        source: Source::Simulated(None),
        required: true,
        entered: 0,
        left: 0,
        safe_capacity: 60,
        context: Context {
            hub_open: Box::new(|| true),
            today: Box::new(|| NaiveDate::from_ymd_opt(2027, 1, 5).unwrap()),
        },
    };
    // The kiosk's own runtime shape: a multi-thread runtime beside the UI thread.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let running = kiosk_sensors::start(plan, ToUi(ui), runtime.handle()).expect("simulated sensors start");
    states.recv().expect("the first state");
    let mut open = false;
    c.bench_function("sensor event to UI thread", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                open = !open;
                let started = Instant::now();
                running.send(PinChange { pin: 17, high: open });
                loop {
                    let state = states.recv().expect("a state");
                    if state.doors[0].open == open {
                        break;
                    }
                }
                total += started.elapsed();
            }
            total
        });
    });
}

criterion_group!(benches, latency);
criterion_main!(benches);
