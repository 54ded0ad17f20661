//! Power cuts, simulated: a child process checks people in and out as fast as it can and is killed with SIGKILL at
//! random moments, again and again. After every kill the database must open, pass SQLite's integrity check, and
//! hold every check-in and check-out the child had acknowledged (printed after its commit returned).
//!
//! Rounds: 25 by default (a few seconds); `HUB_CRASH_ROUNDS=500 cargo test -p end-to-end --test crash` soaks.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

/// A small deterministic generator, so a failing run can be repeated (`HUB_CRASH_SEED`).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

#[test]
fn every_acknowledged_check_in_survives_sigkill() {
    let rounds: u32 = std::env::var("HUB_CRASH_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(25);
    let seed: u64 = std::env::var("HUB_CRASH_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or(20261122);
    let mut random = Lcg(seed);
    let dir = tempfile::tempdir().unwrap();
    let mut acknowledged_in = Vec::new();
    let mut acknowledged_out = Vec::new();

    for round in 0..rounds {
        let mut child = Command::new(env!("CARGO_BIN_EXE_check-in-worker"))
            .arg(dir.path())
            .arg(round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the worker starts");
        std::thread::sleep(Duration::from_millis(30 + random.next(170)));
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        let mut printed = String::new();
        child.stdout.take().unwrap().read_to_string(&mut printed).unwrap();
        for line in printed.lines() {
            let fields: Vec<i64> = line.split_whitespace().skip(1).map(|field| field.parse().unwrap()).collect();
            match line.split_whitespace().next() {
                Some("in") => acknowledged_in.push((fields[0], fields[1])),
                Some("out") => acknowledged_out.push(fields[0]),
                _ => {}
            }
        }

        let db = rusqlite::Connection::open(dir.path().join("hub.db")).expect("the database opens after a kill");
        let report: String = db.query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
        assert_eq!(report, "ok", "round {round}");
        // A kill before the worker's first commit (a slow start on a busy machine) leaves no tables yet: then it
        // cannot have acknowledged anything either.
        let made: bool = db
            .query_row("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'visits')", [], |row| row.get(0))
            .unwrap();
        if !made {
            assert!(
                acknowledged_in.is_empty() && acknowledged_out.is_empty(),
                "round {round}: acknowledged, no tables"
            );
            continue;
        }
        for (person, visit) in &acknowledged_in {
            let stored: i64 = db
                .query_row("SELECT count(*) FROM visits WHERE id = ?1 AND person_id = ?2", [visit, person], |row| {
                    row.get(0)
                })
                .unwrap();
            assert_eq!(stored, 1, "round {round}: acknowledged check-in of person {person} (visit {visit}) is missing");
        }
        for person in &acknowledged_out {
            let open: i64 = db
                .query_row(
                    "SELECT count(*) FROM visits WHERE person_id = ?1 AND checked_out_at IS NULL",
                    [person],
                    |row| row.get(0),
                )
                .unwrap();
            assert_eq!(open, 0, "round {round}: acknowledged check-out of person {person} is missing");
        }
        // At most one visit can be open: the one the kill interrupted between check-in and check-out.
        let open: i64 =
            db.query_row("SELECT count(*) FROM visits WHERE checked_out_at IS NULL", [], |row| row.get(0)).unwrap();
        assert!(open <= i64::from(round) + 1);
    }
    assert!(acknowledged_in.len() > rounds as usize, "the worker got going: {} check-ins", acknowledged_in.len());
    eprintln!("crash test: {rounds} kills, {} acknowledged check-ins, all present", acknowledged_in.len());
}
