//! Power cuts: an acknowledged check-in survives one. The check-ins run through the real `Store::scan` on a disk
//! that loses every write not yet synced when the power goes (see `end_to_end::power_cut`), cut at a random write or
//! sync — in the middle of a commit, a checkpoint, or between two scans. After each cut the hub opens,
//! `integrity_check` is ok, and every check-in and check-out the kiosk was told had happened is in the database.
//!
//! Two controls show the check can fail: the same scans on a disk whose syncs do nothing, and check-ins written with
//! `synchronous=OFF`, both lose acknowledged check-ins at a cut and the check says so.
//!
//! `HUB_POWER_CUT_ROUNDS` (default 30) sets the number of cuts; `HUB_POWER_CUT_SEED` repeats a run.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use booking_core::{NewPass, NewPerson, NewSite, PassKey, Role, ScanOutcome, Store};
use chrono::{DateTime, Duration, TimeZone, Utc};
use end_to_end::power_cut;
use rusqlite::{Connection, params};

/// The disk is one per process: the tests here take turns.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const PEOPLE: usize = 12;

struct Hub {
    _dir: tempfile::TempDir,
    path: PathBuf,
    key: PassKey,
    passes: Vec<String>,
    now: DateTime<Utc>,
    random: u64,
}

impl Hub {
    /// A hub with a dozen members, each with a pass, set up with the power on.
    fn new(seed: u64) -> Hub {
        power_cut::install();
        power_cut::seed(seed);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("hub.db");
        let key = PassKey::from_secret([5; 32]);
        let now = Utc.with_ymd_and_hms(2027, 3, 1, 8, 0, 0).unwrap();
        let mut store = Store::open(&path).expect("the hub opens");
        let site = NewSite {
            name: "Power Cut Hub".into(),
            time_zone: "Europe/London".into(),
            safe_capacity: 100,
            retention_days: 30,
        };
        store.init_site(&site).expect("set up");
        let passes = (0..PEOPLE)
            .map(|number| {
                let new = NewPerson {
                    display_name: format!("Member {number}"),
                    contact: None,
                    role: Role::Member,
                    rules_version: Some(1),
                };
                let person = store.add_person(&new, now).expect("person");
                store.issue_pass(&key, person.id, NewPass::Member, now).expect("pass").payload
            })
            .collect();
        Hub { _dir: dir, path, key, passes, now, random: seed | 1 }
    }

    fn next(&mut self, below: u64) -> u64 {
        self.random ^= self.random << 13;
        self.random ^= self.random >> 7;
        self.random ^= self.random << 17;
        self.random % below
    }
}

/// What the kiosk was told had been committed during one boot: (visit, when) for check-ins and check-outs.
#[derive(Debug, Default)]
struct Told {
    ins: Vec<(i64, i64)>,
    outs: Vec<(i64, i64)>,
}

/// Rows in the database after a boot's check: visits, and visits with a check-out.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    visits: usize,
    left: usize,
}

/// Boots the kiosk and scans passes until the power goes (arm the cut first).
fn scan_until_the_cut(hub: &mut Hub) -> Told {
    let mut told = Told::default();
    let Ok(mut store) = Store::open(&hub.path) else { return told };
    loop {
        let who = hub.next(PEOPLE as u64) as usize;
        let pass = hub.passes[who].clone();
        let wait = Duration::seconds(11 + hub.next(50) as i64);
        hub.now += wait;
        match store.scan(&hub.key, &pass, hub.now) {
            Ok(ScanOutcome::CheckedIn { visit, .. }) => told.ins.push((visit.0, hub.now.timestamp())),
            Ok(ScanOutcome::CheckedOut { visit, .. }) => told.outs.push((visit.0, hub.now.timestamp())),
            Ok(other) => panic!("a scan 11 seconds or more after the last is a check-in or out, not {other:?}"),
            Err(error) => {
                assert!(power_cut::is_off(), "the only failure here is the power cut, not: {error}");
                return told;
            }
        }
    }
}

/// Checks the database once the machine is on again: it opens, passes `integrity_check` and `foreign_key_check`,
/// holds everything the kiosk was told, and at most the one change that was in flight besides.
fn check_after_the_cut(path: &Path, told: &Told, before: Counts) -> Result<Counts, String> {
    let store = Store::open(path).map_err(|error| format!("the hub does not open: {error}"))?;
    let conn = Connection::open(path).map_err(|error| format!("the database does not open: {error}"))?;
    let integrity: String =
        conn.query_row("PRAGMA integrity_check", [], |row| row.get(0)).map_err(|e| e.to_string())?;
    if integrity != "ok" {
        return Err(format!("integrity_check: {integrity}"));
    }
    let broken_links: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| row.get(0))
        .map_err(|e| e.to_string())?;
    if broken_links != 0 {
        return Err(format!("{broken_links} rows point at rows that are not there"));
    }
    for (column, acknowledged) in [("checked_in_at", &told.ins), ("checked_out_at", &told.outs)] {
        let mut find = conn
            .prepare(&format!("SELECT count(*) FROM visits WHERE id = ?1 AND {column} = ?2"))
            .map_err(|e| e.to_string())?;
        for (visit, at) in acknowledged {
            let found: i64 = find.query_row(params![visit, at], |row| row.get(0)).map_err(|e| e.to_string())?;
            if found != 1 {
                return Err(format!("visit {visit}: the acknowledged {column} {at} is not in the database"));
            }
        }
    }
    let (visits, left): (i64, i64) = conn
        .query_row("SELECT count(*), count(checked_out_at) FROM visits", [], |row| Ok((row.get(0)?, row.get(1)?)))
        .map_err(|e| e.to_string())?;
    let after = Counts { visits: visits as usize, left: left as usize };
    let unacknowledged = (after.visits - before.visits - told.ins.len()) + (after.left - before.left - told.outs.len());
    if unacknowledged > 1 {
        return Err(format!("{unacknowledged} changes nobody was told about (at most the one in flight)"));
    }
    drop(store);
    Ok(after)
}

fn seed() -> u64 {
    std::env::var("HUB_POWER_CUT_SEED").ok().and_then(|seed| seed.parse().ok()).unwrap_or(20_261_202)
}

#[test]
fn every_acknowledged_check_in_survives_a_power_cut() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    power_cut::syncs_reach_disk(true);
    let rounds: u32 = std::env::var("HUB_POWER_CUT_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(30);
    let seed = seed();
    let mut hub = Hub::new(seed);
    let mut counts = Counts::default();
    let (mut acknowledged, mut in_flight_kept, mut lost_writes, mut mid_commit, mut mid_checkpoint) = (0, 0, 0, 0, 0);
    for round in 1..=rounds {
        // Any of the next 3,000 writes and syncs (some 400 scans), or every other time one of the first writes to
        // the database file: in WAL mode only a checkpoint writes there, after 1,000 pages of log.
        if round % 2 == 0 {
            power_cut::cut_at_write_to("hub.db", 1 + hub.next(8));
        } else {
            power_cut::cut_after(1 + hub.next(3_000));
        }
        let told = scan_until_the_cut(&mut hub);
        let cut = power_cut::power_on();
        lost_writes += cut.lost;
        // Log frames waiting: a commit was being written. The database file itself: a checkpoint was copying.
        mid_commit += usize::from(cut.files.iter().any(|file| file.ends_with("-wal")));
        mid_checkpoint += usize::from(cut.files.iter().any(|file| file.ends_with("hub.db")));
        let before = counts;
        counts = check_after_the_cut(&hub.path, &told, before)
            .unwrap_or_else(|lost| panic!("seed {seed}, cut {round}: {lost}"));
        acknowledged += told.ins.len() + told.outs.len();
        in_flight_kept +=
            (counts.visits + counts.left) - (before.visits + before.left) - told.ins.len() - told.outs.len();
    }
    eprintln!(
        "{rounds} power cuts (seed {seed}): {acknowledged} acknowledged check-ins and check-outs, all there; \
         {mid_commit} cuts while a commit was being written, {mid_checkpoint} during a checkpoint, \
         {lost_writes} unsynced writes lost; {in_flight_kept} scans in flight at the cut were kept"
    );
    assert!(acknowledged > rounds as usize * 10, "the cuts left room for real work");
    assert!(mid_commit > 0 && mid_checkpoint > 0, "cuts fell in the middle of commits and of checkpoints");
}

/// Runs cuts until the check fails; returns the failure, or None if none of `rounds` cuts lost anything.
fn first_loss(hub: &mut Hub, rounds: u32, work: impl Fn(&mut Hub) -> Told) -> Option<String> {
    let mut counts = Counts::default();
    for _ in 0..rounds {
        let told = work(hub);
        power_cut::power_on();
        match check_after_the_cut(&hub.path, &told, counts) {
            Ok(after) => counts = after,
            Err(lost) => return Some(lost),
        }
    }
    None
}

#[test]
fn the_check_catches_losses_when_syncs_do_not_reach_the_disk() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut hub = Hub::new(seed());
    power_cut::syncs_reach_disk(false);
    let lost = first_loss(&mut hub, 10, |hub| {
        power_cut::cut_after(1 + hub.next(3_000));
        scan_until_the_cut(hub)
    });
    power_cut::syncs_reach_disk(true);
    let lost = lost.expect("a disk that never syncs loses acknowledged check-ins at a cut, and the check must say so");
    eprintln!("with syncs that do nothing: {lost}");
}

#[test]
fn the_check_catches_losses_with_synchronous_off() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    power_cut::syncs_reach_disk(true);
    let mut hub = Hub::new(seed());
    // Check-ins written as `Store::scan` writes them (a visit, in its own transaction), on a connection that does not
    // wait for the disk: each commit returns before anything is synced.
    let lost = first_loss(&mut hub, 10, |hub| {
        power_cut::cut_after(1 + hub.next(3_000));
        let mut told = Told::default();
        let Ok(mut conn) = Connection::open(&hub.path) else { return told };
        conn.pragma_update(None, "synchronous", "OFF").expect("synchronous=OFF");
        loop {
            let person = 1 + hub.next(PEOPLE as u64) as i64;
            hub.now += Duration::seconds(11);
            let at = hub.now.timestamp();
            let visit = conn.transaction().and_then(|tx| {
                tx.execute(
                    "UPDATE visits SET checked_out_at = ?2 WHERE person_id = ?1 AND checked_out_at IS NULL",
                    params![person, at],
                )?;
                tx.execute("INSERT INTO visits (person_id, checked_in_at) VALUES (?1, ?2)", params![person, at])?;
                let visit = tx.last_insert_rowid();
                tx.commit().map(|()| visit)
            });
            match visit {
                Ok(visit) => told.ins.push((visit, at)),
                Err(_) => return told,
            }
        }
    });
    let lost = lost.expect("synchronous=OFF loses acknowledged check-ins at a cut, and the check must say so");
    eprintln!("with synchronous=OFF: {lost}");
}
