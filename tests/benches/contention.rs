//! Booking throughput with 4 writer processes on one hub database, each booking its own room: every booking is a
//! `BEGIN IMMEDIATE` transaction with a durable commit, so the writers queue for SQLite's write lock. Reported as
//! bookings per second, the median of 5 runs, beside one writer alone.
//!
//! `cargo bench -p end-to-end --bench contention`

use std::process::Command;
use std::time::Instant;

use booking_core::{NewRoom, NewSite, Store};

const PER_WRITER: usize = 200;

fn run(writers: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("hub.db")).unwrap();
    let site =
        NewSite { name: "Busy Hub".into(), time_zone: "Europe/London".into(), safe_capacity: 100, retention_days: 30 };
    store.init_site(&site).unwrap();
    let rooms: Vec<i64> = (0..writers)
        .map(|index| {
            store.add_room(&NewRoom { advance_days: 730, ..NewRoom::named(&format!("Room {index}"), 8) }).unwrap().id.0
        })
        .collect();
    drop(store);
    let started = Instant::now();
    let children: Vec<_> = rooms
        .iter()
        .map(|room| {
            Command::new(env!("CARGO_BIN_EXE_book-worker"))
                .arg(dir.path())
                .arg(room.to_string())
                .arg(PER_WRITER.to_string())
                .output()
        })
        .collect();
    let elapsed = started.elapsed().as_secs_f64();
    let booked: usize = children
        .into_iter()
        .map(|output| String::from_utf8_lossy(&output.unwrap().stdout).trim().parse::<usize>().unwrap())
        .sum();
    assert_eq!(booked, writers * PER_WRITER, "every booking went through");
    booked as f64 / elapsed
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    // `cargo test --benches` runs this as a smoke test; measure only under `cargo bench`.
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    for writers in [1, 4] {
        let rates: Vec<f64> = (0..5).map(|_| run(writers)).collect();
        println!("{writers} writer process(es): {:.0} bookings/s (median of 5; {PER_WRITER} each)", median(rates));
    }
}
