//! The PostgreSQL server restarts while two kiosks (two long-lived stores, as two `kiosk run` processes hold) check
//! people in and out as fast as they can. Check-ins under way when it goes fail and are not acknowledged; the kiosks
//! carry on on new sessions once it is back; and every acknowledged check-in and check-out is stored exactly once.
//!
//! Restarts Debian's cluster (`pg_ctlcluster`, as root or through sudo), so it is a test binary of its own: no other
//! test uses the server while it runs.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use booking_core::{NewPass, NewPerson, NewSite, PassKey, Role, ScanOutcome, Store};
use chrono::{DateTime, TimeZone, Utc};

const PEOPLE_PER_KIOSK: usize = 20;
/// Acknowledged scans each kiosk must make once the server is back.
const AFTER_RESTART: usize = 200;

fn restart_the_server() {
    let clusters = Command::new("pg_lsclusters").arg("--no-header").output().expect("pg_lsclusters runs");
    let line = String::from_utf8_lossy(&clusters.stdout).lines().next().expect("a cluster").to_owned();
    let fields: Vec<&str> = line.split_whitespace().collect();
    let as_root = Command::new("id").arg("-u").output().is_ok_and(|id| id.stdout.starts_with(b"0"));
    let mut restart = if as_root { Command::new("pg_ctlcluster") } else { Command::new("sudo") };
    if !as_root {
        restart.args(["-n", "pg_ctlcluster"]);
    }
    let status = restart.args([fields[0], fields[1], "restart"]).status().expect("pg_ctlcluster runs");
    assert!(status.success(), "the test server restarts");
}

/// What one kiosk acknowledged: (person's pass number, checked in or out, at).
type Acknowledged = Vec<(usize, bool, DateTime<Utc>)>;

#[test]
fn acknowledged_check_ins_survive_a_server_restart_exactly_once() {
    let url = end_to_end::postgres_schema();
    let key = PassKey::from_secret([7; 32]);
    let start = Utc.with_ymd_and_hms(2027, 1, 5, 9, 0, 0).unwrap();
    let mut setup = Store::connect(&url).unwrap();
    let site =
        NewSite { name: "Two Doors".into(), time_zone: "Europe/London".into(), safe_capacity: 500, retention_days: 30 };
    setup.init_site(&site).unwrap();
    let passes: Vec<String> = (0..2 * PEOPLE_PER_KIOSK)
        .map(|index| {
            let person = NewPerson {
                display_name: format!("Person {index}"),
                contact: None,
                role: Role::Member,
                rules_version: Some(1),
            };
            let person = setup.add_person(&person, start).unwrap();
            setup.issue_pass(&key, person.id, NewPass::Member, start).unwrap().payload
        })
        .collect();

    let restarted = AtomicBool::new(false);
    let (front, side): (Acknowledged, Acknowledged) = std::thread::scope(|scope| {
        let kiosk = |door: usize| {
            let (url, key, passes, restarted) = (&url, &key, &passes, &restarted);
            scope.spawn(move || {
                let mut store = Store::connect(url).unwrap();
                let mut acknowledged = Vec::new();
                let (mut failed, mut since_restart) = (0, 0);
                let began = Instant::now();
                // Scan on until well after the restart: each round, every person of this door once, a minute later.
                for round in 0.. {
                    if since_restart >= AFTER_RESTART || began.elapsed() > Duration::from_secs(60) {
                        break;
                    }
                    let at = start + chrono::Duration::minutes(round);
                    let doors_people = passes.iter().enumerate().skip(door * PEOPLE_PER_KIOSK).take(PEOPLE_PER_KIOSK);
                    for (person, pass) in doors_people {
                        let outcome = store.scan(key, pass, at);
                        match outcome {
                            Ok(ScanOutcome::CheckedIn { .. }) => acknowledged.push((person, true, at)),
                            Ok(ScanOutcome::CheckedOut { .. }) => acknowledged.push((person, false, at)),
                            Ok(other) => panic!("a scan a minute later is a check-in or out: {other:?}"),
                            Err(_) => failed += 1,
                        }
                        if restarted.load(Ordering::SeqCst) && failed > 0 && outcome.is_ok() {
                            since_restart += 1;
                        }
                    }
                }
                assert!(failed > 0, "kiosk {door} saw the server go");
                assert!(since_restart >= AFTER_RESTART, "kiosk {door} went on after the restart");
                acknowledged
            })
        };
        let (front, side) = (kiosk(0), kiosk(1));
        std::thread::sleep(Duration::from_millis(1500));
        restart_the_server();
        restarted.store(true, Ordering::SeqCst);
        (front.join().unwrap(), side.join().unwrap())
    });

    // Every acknowledged check-in is one visit that began then, and every acknowledged check-out ended one.
    let export = Store::connect(&url).unwrap().export(start).unwrap();
    let visits = &export.tables["visits"];
    let person_ids: Vec<i64> = export.tables["people"].iter().map(|person| person["id"].as_i64().unwrap()).collect();
    for (person, checked_in, at) in front.iter().chain(&side) {
        let column = if *checked_in { "checked_in_at" } else { "checked_out_at" };
        let matching = visits
            .iter()
            .filter(|visit| visit["person_id"] == person_ids[*person] && visit[column] == at.timestamp())
            .count();
        assert_eq!(matching, 1, "person {person} {column} {at}");
    }
}
