//! Free time in every room for a week, on a big hub: 300 rooms and 1 million bookings of history, plus a busy week
//! ahead (3 bookings per room per day). Target: at most 2 ms for all 300 rooms × 7 days.
//!
//! `cargo bench -p booking-core --bench availability` (building the hub takes a minute the first time).

use std::hint::black_box;

use booking_core::{NewRoom, NewSite, Store};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group};
use rusqlite::params;

const ROOMS: i64 = 300;
const HISTORY: i64 = 1_000_000;

fn big_hub(dir: &std::path::Path) -> Store {
    let path = dir.join("hub.db");
    let mut store = Store::open(&path).expect("store");
    if store.site().is_ok() {
        return store; // built by an earlier run (HUB_BIG_HUB)
    }
    let site =
        NewSite { name: "Big Hub".into(), time_zone: "Europe/London".into(), safe_capacity: 5000, retention_days: 30 };
    store.init_site(&site).expect("site");
    for room in 0..ROOMS {
        store.add_room(&NewRoom { advance_days: 730, ..NewRoom::named(&format!("Room {room}"), 10) }).expect("room");
    }
    // History and the week ahead go in through SQL in one transaction (the schema's triggers still check every row);
    // booking a million times through the API would take hours of durable commits.
    let mut conn = rusqlite::Connection::open(&path).expect("bulk connection");
    let tx = conn.transaction().unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO bookings (room_id, start_utc, end_utc, title, status, created_at)
                 VALUES (?1, ?2, ?3, 'History', ?4, 0)",
            )
            .unwrap();
        let first = Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap().timestamp();
        let per_room = HISTORY / ROOMS;
        for room in 1..=ROOMS {
            for index in 0..per_room {
                // Three a day per room (09:00, 12:00, 15:00), 1–2 hours long: about three years up to January 2027.
                let start = first + (index / 3) * 86_400 + (index % 3) * 3 * 3600;
                let status = if index % 10 == 0 { "cancelled" } else { "checked_in" };
                insert.execute(params![room, start, start + 3600 + (index % 2) * 3600, status]).unwrap();
            }
        }
        let week = Utc.with_ymd_and_hms(2027, 3, 1, 10, 0, 0).unwrap().timestamp();
        for room in 1..=ROOMS {
            for day in 0..7 {
                for slot in 0..3 {
                    let start = week + day * 86_400 + slot * 3 * 3600;
                    insert.execute(params![room, start, start + 3600, "confirmed"]).unwrap();
                }
            }
        }
    }
    tx.commit().unwrap();
    store
}

fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()
}

fn sunday_noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 2, 28, 12, 0, 0).unwrap()
}

fn availability(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = big_hub(dir.path());
    let (monday, now) = (monday(), sunday_noon());
    let week = store.availability_days(monday, 7, now).unwrap();
    assert_eq!((week.len(), week[0].len()), (7, ROOMS as usize));
    assert!(week.iter().flatten().all(|room| room.booked.len() == 3), "three bookings a day in every room");
    assert_eq!(week[3], store.availability(monday + Duration::days(3), now).unwrap(), "a week is its days");
    c.bench_function("availability: 300 rooms x 7 days, 1M bookings of history", |b| {
        b.iter(|| black_box(store.availability_days(monday, 7, now).unwrap()))
    });
    c.bench_function("part: one day, 300 rooms", |b| b.iter(|| black_box(store.availability(monday, now).unwrap())));
    c.bench_function("part: the rooms", |b| b.iter(|| black_box(store.rooms().unwrap())));
    // The floor: the week's busy times alone, straight from SQLite (the covering index), decoded into integers.
    let conn = rusqlite::Connection::open(dir.path().join("hub.db")).expect("reader");
    let (from, until) = (monday_start(), monday_start() + 7 * 86_400);
    c.bench_function("part: the week's busy times query", |b| {
        b.iter(|| {
            let mut statement = conn
                .prepare_cached(
                    "SELECT room_id, start_utc, end_utc FROM bookings
                     WHERE end_utc > ?1 AND start_utc < ?2 AND status IN ('confirmed', 'checked_in')",
                )
                .unwrap();
            let rows = statement.query_map(params![from, until], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
            });
            black_box(rows.unwrap().map(Result::unwrap).collect::<Vec<_>>())
        })
    });
}

/// Midnight at the start of Monday 1 March 2027 in London (GMT), as UTC seconds.
fn monday_start() -> i64 {
    Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap().timestamp()
}

criterion_group!(benches, availability);

/// `HUB_COUNT_INSTRUCTIONS=N` computes the week N times in `counted_weeks` instead of the benchmark, for
/// `tests/instructions` (callgrind). `HUB_BIG_HUB=DIR` keeps the big hub in DIR, so it is built once, natively,
/// rather than under callgrind.
fn main() {
    let Some(runs) = std::env::var("HUB_COUNT_INSTRUCTIONS").ok().and_then(|runs| runs.parse().ok()) else {
        benches();
        Criterion::default().configure_from_args().final_summary();
        return;
    };
    let (_temporary, dir) = match std::env::var_os("HUB_BIG_HUB") {
        Some(dir) => (None, std::path::PathBuf::from(dir)),
        None => {
            let temporary = tempfile::tempdir().expect("temp dir");
            let dir = temporary.path().to_owned();
            (Some(temporary), dir)
        }
    };
    let store = big_hub(&dir);
    black_box(store.availability_days(monday(), 7, sunday_noon()).unwrap()); // statements prepared and cached
    counted_weeks(&store, runs);
    println!("counted: free time, 300 rooms x 7 days over 1M bookings x{runs}");
}

/// What `tests/instructions` counts.
#[inline(never)]
fn counted_weeks(store: &Store, runs: u32) {
    for _ in 0..runs {
        black_box(store.availability_days(monday(), 7, sunday_noon()).unwrap());
    }
}
