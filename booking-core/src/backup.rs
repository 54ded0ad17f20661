//! Backups that survive a dead SD card: online copies made with SQLite's backup API while the kiosk keeps working,
//! each verified before it counts, rotated, and never kept longer than the hub keeps personal data.
//!
//! A backup is a plain SQLite file named `hub-YYYYMMDD-HHMMSSZ.db` (UTC, no colons, so it can live on a FAT-formatted
//! USB stick). It is written as `….partial` and renamed only once it has passed `PRAGMA integrity_check`.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rusqlite::OpenFlags;
use rusqlite::backup::{Backup, StepResult};
use serde::Serialize;

use crate::db::{MIGRATIONS, Store};
use crate::error::{Result, StoreError};
use crate::site::load_site;
use crate::sql::Connection;

const NAME_FORMAT: &str = "hub-%Y%m%d-%H%M%SZ.db";

/// One backup file in a backup folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupFile {
    pub path: PathBuf,
    pub taken_at: DateTime<Utc>,
    pub bytes: u64,
}

/// What a good backup holds, as read back from the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupCheck {
    pub hub_name: String,
    pub schema_version: u32,
    pub people: u32,
    pub bookings: u32,
    pub visits: u32,
}

/// What one backup run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupReport {
    pub written: BackupFile,
    pub check: BackupCheck,
    /// Older backups removed: beyond the number to keep, or older than the hub's retention period.
    pub deleted: Vec<PathBuf>,
}

fn file_error(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::File { path: path.display().to_string(), source }
}

/// Reads a backup (or any hub database file) without changing it, and refuses one that is damaged, is not a hub,
/// or comes from a newer kiosk.
pub fn verify_backup(path: &Path) -> Result<BackupCheck> {
    if !path.is_file() {
        return Err(StoreError::invalid(format!("there is no file {}", path.display())));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::Sqlite(rusqlite::Connection::open_with_flags(path, flags)?);
    check_hub(&conn, &path.display().to_string())
}

/// Integrity, schema version and the hub's headline numbers; `what` names the database in messages.
fn check_hub(conn: &Connection, what: &str) -> Result<BackupCheck> {
    let damaged = |detail: String| StoreError::Corrupt(format!("{what} is not a usable hub database: {detail}"));
    let report: String = (conn.sqlite()?)
        .pragma_query_value(None, "integrity_check", |row| row.get(0))
        .map_err(|error| damaged(error.to_string()))?;
    if report != "ok" {
        return Err(damaged(report));
    }
    let schema_version: u32 = conn.sqlite()?.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if schema_version == 0 {
        return Err(damaged("it holds no Hub Kiosk data".into()));
    }
    if schema_version as usize > MIGRATIONS.len() {
        return Err(damaged(format!(
            "it comes from a newer kiosk (schema version {schema_version}); update this kiosk first"
        )));
    }
    let hub_name = load_site(conn, crate::db::FIRST_SITE).map_err(|_| damaged("it holds no hub".into()))?.name;
    let count = |table: &str| -> Result<u32> {
        Ok(conn.prepare_cached(&format!("SELECT count(*) FROM {table}"))?.query_row([], |row| row.get(0))?)
    };
    Ok(BackupCheck {
        hub_name,
        schema_version,
        people: count("people")?,
        bookings: count("bookings")?,
        visits: count("visits")?,
    })
}

/// The backups in `dir`, newest first. Other files are left alone.
pub fn list_backups(dir: &Path) -> Result<Vec<BackupFile>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(|error| file_error(dir, error))? {
        let entry = entry.map_err(|error| file_error(dir, error))?;
        let name = entry.file_name();
        let Some(taken_at) = name.to_str().and_then(|name| NaiveDateTime::parse_from_str(name, NAME_FORMAT).ok())
        else {
            continue;
        };
        let bytes = entry.metadata().map_err(|error| file_error(&entry.path(), error))?.len();
        found.push(BackupFile { path: entry.path(), taken_at: taken_at.and_utc(), bytes });
    }
    found.sort_by_key(|backup| std::cmp::Reverse(backup.taken_at));
    Ok(found)
}

impl Store {
    /// Copies the live database into `dir` (created if needed), verifies the copy, then deletes backups beyond the
    /// newest `keep` and any older than the hub's retention period. Other connections may keep writing meanwhile:
    /// the copy is one consistent snapshot.
    pub fn backup_into(&self, dir: &Path, keep: usize, now: DateTime<Utc>) -> Result<BackupReport> {
        let retention = Duration::days(i64::from(load_site(&self.conn, self.site)?.retention_days));
        let (written, check) = self.backup_once(dir, now)?;
        let mut deleted = Vec::new();
        for (index, old) in list_backups(dir)?.into_iter().enumerate() {
            if old.path != written.path && (index >= keep.max(1) || old.taken_at < now - retention) {
                fs::remove_file(&old.path).map_err(|error| file_error(&old.path, error))?;
                deleted.push(old.path);
            }
        }
        Ok(BackupReport { written, check, deleted })
    }

    /// One verified backup in `dir` and nothing else: no older backup is touched. A backup already taken in the
    /// same second is kept too (the new one is named a second later).
    pub fn backup_once(&self, dir: &Path, now: DateTime<Utc>) -> Result<(BackupFile, BackupCheck)> {
        self.backups_are_files()?;
        fs::create_dir_all(dir).map_err(|error| file_error(dir, error))?;
        let mut taken_at = now;
        while dir.join(taken_at.format(NAME_FORMAT).to_string()).exists() {
            taken_at += Duration::seconds(1);
        }
        let path = dir.join(taken_at.format(NAME_FORMAT).to_string());
        let partial = path.with_extension("db.partial");
        let check = match self.copy_to(&partial).and_then(|()| verify_backup(&partial)) {
            Ok(check) => check,
            Err(error) => {
                let _ = fs::remove_file(&partial);
                return Err(error);
            }
        };
        fs::rename(&partial, &path).map_err(|error| file_error(&path, error))?;
        let bytes = fs::metadata(&path).map_err(|error| file_error(&path, error))?.len();
        Ok((BackupFile { path, taken_at, bytes }, check))
    }

    /// Replaces this hub's data with a verified backup, then brings it up to this kiosk's schema. A damaged file is
    /// refused before anything changes.
    pub fn restore_from(&mut self, file: &Path) -> Result<BackupCheck> {
        self.backups_are_files()?;
        verify_backup(file)?;
        let source = rusqlite::Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        run_backup(&Backup::new(&source, self.conn.sqlite_mut()?)?)?;
        // The copy carries the backup's journal mode; the live hub runs in WAL.
        self.conn.sqlite()?.pragma_update(None, "journal_mode", "WAL")?;
        crate::db::migrate(self.conn.sqlite_mut()?)?;
        self.integrity_check()?;
        check_hub(&self.conn, "the restored hub")
    }

    /// Backup files are copies of SQLite's file; a hub on a PostgreSQL server is backed up by the server's tools.
    fn backups_are_files(&self) -> Result<()> {
        match self.conn {
            Connection::Sqlite(_) => Ok(()),
            Connection::Postgres(_) => Err(StoreError::invalid(
                "this hub's data is on a PostgreSQL server: back it up there (pg_dump), or take a copy with kiosk export",
            )),
        }
    }

    fn copy_to(&self, path: &Path) -> Result<()> {
        let mut target = rusqlite::Connection::open(path)?;
        run_backup(&Backup::new(self.conn.sqlite()?, &mut target)?)?;
        // A standalone file: no -wal or -shm beside it, so it can be opened read-only and copied as one file.
        target.pragma_update(None, "journal_mode", "DELETE")?;
        Ok(())
    }
}

/// Copies every page in one step, which reads one consistent snapshot; retries briefly if another connection
/// holds a lock.
fn run_backup(backup: &Backup<'_, '_>) -> Result<()> {
    for _ in 0..50 {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            // More, Busy or Locked: another connection is writing or holds a lock.
            _ => {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
    }
    Err(StoreError::invalid("the database stayed busy for 5 seconds; try the backup again"))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use chrono::TimeZone;

    use crate::passes::PassKey;
    use crate::site::tests::london_site;
    use crate::visits::{VisitReason, WalkIn, WalkInOutcome};

    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, day, hour, 0, 0).unwrap()
    }

    fn hub_at(path: &Path) -> Store {
        let mut store = Store::open(path).unwrap();
        store.init_site(&london_site()).unwrap();
        store
    }

    fn walk_in(store: &mut Store, number: u32, now: DateTime<Utc>) {
        let walk_in = WalkIn {
            display_name: format!("Visitor {number}"),
            contact: None,
            reason: VisitReason::Other,
            visiting: None,
            agreed_rules_version: 1,
        };
        let outcome = store.walk_in(&PassKey::from_secret([1; 32]), &walk_in, now).unwrap();
        assert!(matches!(outcome, WalkInOutcome::CheckedIn { .. }));
    }

    #[test]
    fn backups_are_verified_rotated_and_restore_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = hub_at(&dir.path().join("hub.db"));
        walk_in(&mut store, 1, at(4, 10));
        let backups = dir.path().join("backups");

        let old = store.backup_into(&backups, 3, at(1, 9) - Duration::days(40)).unwrap();
        assert_eq!(old.check.people, 1);
        let second = store.backup_into(&backups, 3, at(4, 11)).unwrap();
        assert_eq!(second.deleted, vec![old.written.path], "older than the retention period");
        store.backup_into(&backups, 3, at(4, 12)).unwrap();
        store.backup_into(&backups, 3, at(4, 13)).unwrap();
        let newest = store.backup_into(&backups, 3, at(4, 14)).unwrap();
        assert_eq!(newest.deleted.len(), 1, "one beyond the three kept");
        let kept: Vec<DateTime<Utc>> = list_backups(&backups).unwrap().iter().map(|b| b.taken_at).collect();
        assert_eq!(kept, vec![at(4, 14), at(4, 13), at(4, 12)]);
        assert!(newest.written.path.ends_with("hub-20270104-140000Z.db"));
        let (same_second, _) = store.backup_once(&backups, at(4, 14)).unwrap();
        assert!(same_second.path.ends_with("hub-20270104-140001Z.db"), "the earlier one is kept");

        let mut elsewhere = Store::open(&dir.path().join("new.db")).unwrap();
        let restored = elsewhere.restore_from(&newest.written.path).unwrap();
        assert_eq!((restored.hub_name.as_str(), restored.people, restored.visits), ("Riverside Hub", 1, 1));
        assert_eq!(elsewhere.export(at(5, 9)).unwrap(), store.export(at(5, 9)).unwrap());
    }

    #[test]
    fn a_damaged_backup_is_refused_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = hub_at(&dir.path().join("hub.db"));
        walk_in(&mut store, 1, at(4, 10));
        let good = store.backup_into(&dir.path().join("backups"), 3, at(4, 11)).unwrap().written.path;
        let bytes = fs::read(&good).unwrap();
        let before = store.export(at(5, 9)).unwrap();

        let truncated = dir.path().join("truncated.db");
        fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
        let garbage = dir.path().join("notes.db");
        fs::write(&garbage, "shopping list: milk, eggs").unwrap();
        let mut flipped = bytes.clone();
        flipped[4096..4096 + 16].fill(0xA5); // the header of the second page

        let damaged = dir.path().join("damaged.db");
        fs::write(&damaged, flipped).unwrap();

        for bad in [&truncated, &garbage, &damaged, &dir.path().join("missing.db")] {
            let error = store.restore_from(bad).expect_err(&bad.display().to_string());
            assert!(matches!(error, StoreError::Corrupt(_) | StoreError::Invalid(_) | StoreError::Database(_)));
            assert_eq!(store.export(at(5, 9)).unwrap(), before, "{} changed the hub", bad.display());
        }
        store.integrity_check().unwrap();
    }

    #[test]
    fn a_backup_taken_while_the_door_is_busy_is_a_consistent_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        drop(hub_at(&path));
        let acknowledged = AtomicU32::new(0);
        let backups = dir.path().join("backups");
        let taken = std::thread::scope(|scope| {
            scope.spawn(|| {
                let mut door = Store::open(&path).unwrap();
                for number in 1..=150 {
                    walk_in(&mut door, number, at(4, 10));
                    acknowledged.store(number, Ordering::SeqCst);
                }
            });
            let reader = Store::open(&path).unwrap();
            let mut taken = Vec::new();
            for second in 0..5 {
                let before = acknowledged.load(Ordering::SeqCst);
                let report = reader.backup_into(&backups, 10, at(4, 11) + Duration::seconds(second)).unwrap();
                let after = acknowledged.load(Ordering::SeqCst);
                taken.push((before, report, after));
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            taken
        });
        for (before, report, after) in taken {
            // Each walk-in is one transaction: a snapshot holds every acknowledged one and nothing half-done.
            assert!(before <= report.check.visits && report.check.visits <= after, "{before} {report:?} {after}");
            assert_eq!(report.check.visits, report.check.people);
            let mut restored = Store::open(&dir.path().join(format!("restored-{}.db", report.check.visits))).unwrap();
            assert_eq!(restored.restore_from(&report.written.path).unwrap().visits, report.check.visits);
            restored.integrity_check().unwrap();
        }
    }
}
