//! The same use-cases on both engines, side by side: a check-in (scan + durable commit), free time for 300 rooms ×
//! 7 days over 1 million bookings, and booking throughput with 4 writers (each its own connection and room).
//! SQLite is a file in a temporary folder; PostgreSQL is the server `HUB_BENCH_POSTGRES` names (a connection string;
//! without it only SQLite is measured), in a schema of its own, dropped afterwards.
//!
//! `HUB_BENCH_POSTGRES="host=/var/run/postgresql dbname=hub_test" cargo bench -p booking-core --bench engines`
//! (building the big hub takes about a minute on each engine).

use std::hint::black_box;
use std::time::Instant;

use booking_core::{
    BookingOutcome, BookingRequest, Database, NewPass, NewPerson, NewRoom, NewSite, PassKey, Role, ScanOutcome, Slot,
    Store,
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use criterion::Criterion;

const ROOMS: i64 = 300;
const HISTORY: i64 = 1_000_000;
const WRITERS: usize = 4;
const BOOKINGS_EACH: i64 = 200;

fn site() -> NewSite {
    NewSite { name: "Bench Hub".into(), time_zone: "Europe/London".into(), safe_capacity: 5000, retention_days: 30 }
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 5, 9, 0, 0).unwrap()
}

/// A fresh, empty hub on each engine: an SQLite file, and (when asked for) a PostgreSQL schema.
struct Engines {
    _dir: tempfile::TempDir,
    hubs: Vec<(&'static str, Database)>,
    server: Option<(postgres::Client, String)>,
}

impl Engines {
    fn new(label: &str) -> Engines {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut hubs = vec![("sqlite", Database::File(dir.path().join(format!("{label}.db"))))];
        let server = std::env::var("HUB_BENCH_POSTGRES").ok().map(|url| {
            let schema = format!("bench_{label}_{}", std::process::id());
            let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("the bench server");
            client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).unwrap();
            hubs.push((
                "postgres",
                Database::Server { url: format!("{url} options='-c search_path={schema},public'"), site: None },
            ));
            (client, schema)
        });
        Engines { _dir: dir, hubs, server }
    }
}

impl Drop for Engines {
    fn drop(&mut self) {
        if let Some((client, schema)) = &mut self.server {
            let _ = client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
        }
    }
}

fn check_in(c: &mut Criterion) {
    let engines = Engines::new("check_in");
    for (engine, database) in &engines.hubs {
        let mut store = database.open().expect("store");
        store.init_site(&site()).unwrap();
        let key = PassKey::from_secret([9; 32]);
        let person = NewPerson {
            display_name: "Ada Lovelace".into(),
            contact: None,
            role: Role::Member,
            rules_version: Some(1),
        };
        let person = store.add_person(&person, start()).unwrap();
        let payload = store.issue_pass(&key, person.id, NewPass::Member, start()).unwrap().payload;
        let mut now = start();
        c.bench_function(&format!("{engine}: check-in (scan, durable commit)"), |b| {
            b.iter(|| {
                now += Duration::seconds(11);
                let outcome = store.scan(&key, black_box(&payload), now).expect("scan");
                assert!(matches!(outcome, ScanOutcome::CheckedIn { .. } | ScanOutcome::CheckedOut { .. }));
            })
        });
    }
}

/// The availability benchmark's hub (benches/availability.rs), written straight into the tables: three years of
/// history for 300 rooms, then a busy week in March 2027, three bookings a room a day.
fn big_hub(store: &mut Store, database: &Database) {
    store.init_site(&site()).unwrap();
    for room in 0..ROOMS {
        store.add_room(&NewRoom { advance_days: 730, ..NewRoom::named(&format!("Room {room}"), 10) }).unwrap();
    }
    let first = Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap().timestamp();
    let week = Utc.with_ymd_and_hms(2027, 3, 1, 10, 0, 0).unwrap().timestamp();
    let per_room = HISTORY / ROOMS;
    // One statement for both engines: every (room, index) of the history, then the week.
    let history = format!(
        "INSERT INTO bookings (room_id, start_utc, end_utc, title, status, created_at)
         SELECT room, {first} + (i / 3) * 86400 + (i % 3) * 10800,
                {first} + (i / 3) * 86400 + (i % 3) * 10800 + 3600 + (i % 2) * 3600, 'History',
                CASE WHEN i % 10 = 0 THEN 'cancelled' ELSE 'checked_in' END, 0
         FROM ({rooms}) AS r CROSS JOIN ({indexes}) AS n",
        rooms = series("room", 1, ROOMS, database),
        indexes = series("i", 0, per_room - 1, database),
    );
    let busy_week = format!(
        "INSERT INTO bookings (room_id, start_utc, end_utc, title, status, created_at)
         SELECT room, {week} + d * 86400 + s * 10800, {week} + d * 86400 + s * 10800 + 3600, 'Week', 'confirmed', 0
         FROM ({rooms}) AS r CROSS JOIN ({days}) AS dd CROSS JOIN ({slots}) AS ss",
        rooms = series("room", 1, ROOMS, database),
        days = series("d", 0, 6, database),
        slots = series("s", 0, 2, database),
    );
    match database {
        Database::File(path) => {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch(&format!("BEGIN; {history}; {busy_week}; COMMIT;")).unwrap();
        }
        Database::Server { url, .. } => {
            let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
            client.batch_execute(&format!("BEGIN; {history}; {busy_week}; COMMIT; ANALYZE bookings;")).unwrap();
        }
    }
}

/// The integers `from..=to` as a query of one column, `name`, in each engine's words.
fn series(name: &str, from: i64, to: i64, database: &Database) -> String {
    match database {
        Database::File(_) => format!(
            "WITH RECURSIVE s(n) AS (SELECT {from} UNION ALL SELECT n + 1 FROM s WHERE n < {to}) SELECT n AS {name} FROM s"
        ),
        Database::Server { .. } => format!("SELECT generate_series({from}, {to}) AS {name}"),
    }
}

fn availability(c: &mut Criterion) {
    let engines = Engines::new("availability");
    let monday = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    let now = Utc.with_ymd_and_hms(2027, 2, 28, 12, 0, 0).unwrap();
    for (engine, database) in &engines.hubs {
        let mut store = database.open().expect("store");
        let built = Instant::now();
        big_hub(&mut store, database);
        eprintln!("{engine}: the big hub built in {:.1} s", built.elapsed().as_secs_f64());
        let week = store.availability_days(monday, 7, now).unwrap();
        assert!(week.iter().flatten().all(|room| room.booked.len() == 3), "three bookings a day in every room");
        c.bench_function(&format!("{engine}: free time, 300 rooms x 7 days over 1M bookings"), |b| {
            b.iter(|| black_box(store.availability_days(monday, 7, now).unwrap()))
        });
    }
}

/// Four writers, each with its own connection, book 200 one-hour slots each in their own room at the same time:
/// bookings a second, all four together.
fn throughput(c: &mut Criterion) {
    let _ = c;
    for round in 0..3 {
        let engines = Engines::new(&format!("throughput{round}"));
        for (engine, database) in &engines.hubs {
            let mut store = database.open().expect("store");
            store.init_site(&site()).unwrap();
            let rooms: Vec<_> = (0..WRITERS)
                .map(|room| {
                    store.add_room(&NewRoom { advance_days: 730, ..NewRoom::named(&format!("Room {room}"), 8) })
                })
                .collect::<Result<_, _>>()
                .unwrap();
            let slots = &open_hours();
            let began = Instant::now();
            std::thread::scope(|scope| {
                for room in &rooms {
                    scope.spawn(move || {
                        let mut writer = database.open().unwrap();
                        for slot in slots {
                            let request = BookingRequest {
                                room: room.id,
                                slot: *slot,
                                title: "Throughput".into(),
                                booked_by: None,
                                booked_for: None,
                                public: false,
                            };
                            let outcome = writer.book(&request, start()).unwrap_or_else(|error| panic!("{error}"));
                            assert!(matches!(outcome, BookingOutcome::Booked(_)), "{outcome:?}");
                        }
                    });
                }
            });
            let elapsed = began.elapsed().as_secs_f64();
            let booked = WRITERS * slots.len();
            println!(
                "{engine}: {WRITERS} writers booked {booked} in {elapsed:.2} s: {:.0} a second",
                booked as f64 / elapsed
            );
        }
    }
}

/// [`BOOKINGS_EACH`] one-hour slots in the default opening hours (09:00-18:00, Monday to Saturday) from Wednesday
/// 6 January 2027 (London is on UTC in winter).
fn open_hours() -> Vec<Slot> {
    let days = (0..).map(|day| NaiveDate::from_ymd_opt(2027, 1, 6).unwrap() + Duration::days(day));
    let open_days = days.filter(|day| chrono::Datelike::weekday(day) != chrono::Weekday::Sun);
    let hours =
        open_days.flat_map(|day| (9..18).map(move |hour| Utc.from_utc_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())));
    hours.take(BOOKINGS_EACH as usize).map(|from| Slot::new(from, from + Duration::hours(1)).unwrap()).collect()
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args().measurement_time(std::time::Duration::from_secs(8));
    check_in(&mut criterion);
    availability(&mut criterion);
    throughput(&mut criterion);
    criterion.final_summary();
}
