//! The one way into the database: pragmas, migrations and write transactions.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{Result, StoreError};

/// Ordered migrations; `PRAGMA user_version` is the number applied. Never edit one that has shipped: add another.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_data_belongs_to_the_hub.sql"),
    include_str!("migrations/003_door_sensors.sql"),
    include_str!("migrations/004_availability_index.sql"),
    include_str!("migrations/005_surgery_cancel_reason.sql"),
];

/// How long a writer waits for another process's write transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An open hub database. All reads and writes of the hub's data go through this type.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        Store::prepare(Connection::open(path)?)
    }

    /// A private database that lives only as long as the value: for tests and dry runs.
    pub fn open_in_memory() -> Result<Store> {
        Store::prepare(Connection::open_in_memory()?)
    }

    fn prepare(mut conn: Connection) -> Result<Store> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL lets the staff view read while the door writes; FULL makes an acknowledged check-in survive power loss.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Erased personal data must not linger in free pages of the file.
        conn.pragma_update(None, "secure_delete", "ON")?;
        migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// Runs `f` inside a `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so the checks `f` makes
    /// cannot be invalidated by another writer before it commits. Commits only if `f` returns `Ok`.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> Result<u32> {
        Ok(self.conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    /// The latest moment the hub has recorded anything (a person added, a booking made, a check-in, a pass issued).
    /// A clock earlier than this is wrong: the doctor checks it, because pass expiry depends on the clock.
    pub fn newest_record(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        let newest: Option<i64> = self.conn.query_row(
            "SELECT max(t) FROM (SELECT max(created_at) AS t FROM people UNION ALL SELECT max(created_at) FROM bookings
             UNION ALL SELECT max(checked_in_at) FROM visits UNION ALL SELECT max(issued_at) FROM passes)",
            [],
            |row| row.get(0),
        )?;
        Ok(newest.map(crate::time::from_db))
    }

    /// SQLite's own consistency check of the file; `Ok(())` when it reports "ok".
    pub fn integrity_check(&self) -> Result<()> {
        let report: String = self.conn.pragma_query_value(None, "integrity_check", |row| row.get(0))?;
        if report == "ok" { Ok(()) } else { Err(StoreError::Corrupt(report)) }
    }
}

pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let applied: u32 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if applied as usize > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "the database is at schema version {applied}, newer than this kiosk understands ({}); update the kiosk",
            MIGRATIONS.len()
        )));
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
        tx.execute_batch(migration)?;
        tx.pragma_update(None, "user_version", index as u32 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_twice_keeps_the_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        let first = Store::open(&path).unwrap();
        assert_eq!(first.schema_version().unwrap(), MIGRATIONS.len() as u32);
        drop(first);
        let again = Store::open(&path).unwrap();
        assert_eq!(again.schema_version().unwrap(), MIGRATIONS.len() as u32);
        again.integrity_check().unwrap();
    }

    #[test]
    fn a_version_1_hub_is_brought_up_to_date_with_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute("INSERT INTO site VALUES (1, 'Old Hub', 'Europe/London', 40, 30, 1)", []).unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as u32);
        assert_eq!(store.site().unwrap().name, "Old Hub");
        let uid: String = store.conn.query_row("SELECT uid FROM site", [], |row| row.get(0)).unwrap();
        assert_eq!(uid.len(), 16, "the hub got its calendar id");
    }

    #[test]
    fn a_newer_database_is_refused_not_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let error = Store::open(&path).unwrap_err();
        assert!(error.to_string().contains("newer than this kiosk understands"), "{error}");
    }
}
