//! The check-in path (decode + verify a pass + durable commit of the visit) beside its floor: a bare rusqlite
//! single-row INSERT transaction with the same pragmas on the same disk, measured in the same run.
//!
//! `cargo bench -p booking-core --bench check_in`

use std::hint::black_box;

use booking_core::{NewPass, NewPerson, NewSite, PassKey, Role, ScanOutcome, Store};
use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use rusqlite::{Connection, TransactionBehavior};

fn check_in(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("hub.db")).expect("store opens");
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
criterion_main!(benches);
