//! The check-in path (decode + verify a pass + durable commit of the visit) beside its floor: a bare rusqlite
//! single-row INSERT transaction with the same pragmas on the same disk, measured in the same run.
//!
//! `cargo bench -p booking-core --bench check_in`

use std::hint::black_box;

use booking_core::{NewPass, NewPerson, NewSite, PassKey, Role, ScanOutcome, Store};
use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group};
use rusqlite::{Connection, TransactionBehavior};

/// A hub with one member and their pass.
fn member_hub(dir: &std::path::Path) -> (Store, PassKey, String, DateTime<Utc>) {
    let mut store = Store::open(&dir.join("hub.db")).expect("store opens");
    store
        .init_site(&NewSite {
            name: "Bench Hub".into(),
            time_zone: "Europe/London".into(),
            safe_capacity: 500,
            retention_days: 30,
        })
        .expect("site");
    let key = PassKey::from_secret([9; 32]);
    let start = Utc.with_ymd_and_hms(2027, 1, 5, 9, 0, 0).unwrap();
    let person =
        NewPerson { display_name: "Ada Lovelace".into(), contact: None, role: Role::Member, rules_version: Some(1) };
    let person = store.add_person(&person, start).expect("person");
    let payload = store.issue_pass(&key, person.id, NewPass::Member, start).expect("pass").payload;
    (store, key, payload, start)
}

fn check_in(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut store, key, payload, start) = member_hub(dir.path());

    // Each scan is past the repeat window of the one before, so it alternates check-in and check-out: a real write.
    let mut now = start;
    c.bench_function("scan (verify pass + check in or out, durable)", |b| {
        b.iter(|| {
            now += Duration::seconds(11);
            let outcome = store.scan(&key, black_box(&payload), now).expect("scan");
            assert!(matches!(outcome, ScanOutcome::CheckedIn { .. } | ScanOutcome::CheckedOut { .. }));
        })
    });

    let mut floor = Connection::open(dir.path().join("floor.db")).expect("floor opens");
    floor.pragma_update(None, "journal_mode", "WAL").unwrap();
    floor.pragma_update(None, "synchronous", "FULL").unwrap();
    floor.pragma_update(None, "foreign_keys", "ON").unwrap();
    floor.pragma_update(None, "secure_delete", "ON").unwrap();
    floor.execute_batch("CREATE TABLE visits (id INTEGER PRIMARY KEY, person_id INTEGER, at INTEGER)").unwrap();
    let mut counter = 0i64;
    c.bench_function("floor: bare INSERT transaction (same pragmas, same disk)", |b| {
        b.iter(|| {
            counter += 1;
            let tx = floor.transaction_with_behavior(TransactionBehavior::Immediate).unwrap();
            tx.execute("INSERT INTO visits (person_id, at) VALUES (1, ?1)", [counter]).unwrap();
            tx.commit().unwrap();
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(200).measurement_time(std::time::Duration::from_secs(8));
    targets = check_in
}
/// `HUB_COUNT_INSTRUCTIONS=N` runs N scans in `counted_scans` instead of the benchmark, for `tests/instructions`,
/// which counts the instructions inside that function with callgrind.
fn main() {
    let Some(runs) = std::env::var("HUB_COUNT_INSTRUCTIONS").ok().and_then(|runs| runs.parse().ok()) else {
        benches();
        Criterion::default().configure_from_args().final_summary();
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut store, key, payload, start) = member_hub(dir.path());
    // In and out once first, so the statements are prepared and cached as on a kiosk that has been running.
    let now = scans(&mut store, &key, &payload, start, 2);
    counted_scans(&mut store, &key, &payload, now, runs);
    println!("counted: check-in (scan, durable commit) x{runs}");
}

/// What `tests/instructions` counts.
#[inline(never)]
fn counted_scans(store: &mut Store, key: &PassKey, payload: &str, now: DateTime<Utc>, runs: u32) -> DateTime<Utc> {
    scans(store, key, payload, now, runs)
}

/// Alternating check-ins and check-outs, each a real durable write.
fn scans(store: &mut Store, key: &PassKey, payload: &str, mut now: DateTime<Utc>, runs: u32) -> DateTime<Utc> {
    for _ in 0..runs {
        now += Duration::seconds(11);
        let outcome = store.scan(key, black_box(payload), now).expect("scan");
        assert!(matches!(outcome, ScanOutcome::CheckedIn { .. } | ScanOutcome::CheckedOut { .. }));
    }
    now
}
