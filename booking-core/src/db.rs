//! The one way into the database: pragmas, migrations and write transactions.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{OpenFlags, TransactionBehavior};

use crate::sql::{Connection, OptionalExtension, Transaction};

use crate::error::{Result, StoreError};
use crate::ids::SiteId;

/// Ordered migrations; `PRAGMA user_version` is the number applied. Never edit one that has shipped: add another.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_data_belongs_to_the_hub.sql"),
    include_str!("migrations/003_door_sensors.sql"),
    include_str!("migrations/004_availability_index.sql"),
    include_str!("migrations/005_surgery_cancel_reason.sql"),
    include_str!("migrations/006_messages.sql"),
    include_str!("migrations/007_events.sql"),
    include_str!("migrations/008_unconference.sql"),
    include_str!("migrations/009_room_calendars.sql"),
    include_str!("migrations/010_free_time_index.sql"),
    include_str!("migrations/011_lighter_check_in.sql"),
    include_str!("migrations/012_seat_counts.sql"),
    include_str!("migrations/013_waiting_counts.sql"),
    include_str!("migrations/014_sites.sql"),
    include_str!("migrations/015_replayed_movements.sql"),
    include_str!("migrations/016_active_booking_times.sql"),
];

/// PostgreSQL's schema, by the version it brings a database to (the same numbers as SQLite's): a fresh database gets
/// the whole schema at once; a change after it is a migration for both engines.
const POSTGRES_MIGRATIONS: &[(u32, &str)] = &[
    (13, include_str!("migrations/postgres/013_schema.sql")),
    (14, include_str!("migrations/postgres/014_sites.sql")),
    (15, include_str!("migrations/postgres/015_replayed_movements.sql")),
    (16, include_str!("migrations/postgres/016_active_booking_times.sql")),
];

/// The site a store is at until told otherwise: the only one of a hub alone in its file.
pub(crate) const FIRST_SITE: SiteId = SiteId(1);

/// How many times a PostgreSQL write transaction is run again after a clash with another writer before the failure
/// is reported. Serializable transactions clash more often than the rows say (on a small table the server watches the
/// whole table, not the rows read), so writers that clash wait a random while, growing with each try (`clash_pause`),
/// and four kiosks writing flat out all get through.
const CLASH_RETRIES: u32 = 30;

/// How long a writer waits for another process's write transaction before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How many prepared statements a connection keeps: more than any one page or use-case runs (rusqlite's default, 16,
/// is fewer than the public page alone, so its statements pushed each other out and were parsed again every time).
const STATEMENT_CACHE: usize = 128;

/// Statements are prepared once and planned once. SQLite's query planner stability guarantee keeps a cached
/// statement's plan whatever values are bound: without it, a query whose table has a partial index (seats, event
/// places) is planned again at every new binding, which was a third of a check-in's CPU time.
fn prepare_once(conn: &rusqlite::Connection) -> Result<()> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// Where a hub's data lives: its SQLite file (one kiosk; the default, nothing to install), or a PostgreSQL database
/// that the kiosks of a network share, with the site of the network a kiosk is at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    File(PathBuf),
    Server {
        /// A connection string: `postgres://user:password@host/database` or `host=… dbname=… user=…`.
        url: String,
        /// The code of the kiosk's site (`kiosk init --site`); `None` for the first one, as for a hub that moved in.
        site: Option<String>,
    },
}

impl Database {
    /// Whether the hub's database answers now: a session opened and closed at once (a file always answers). For a
    /// kiosk to ask away from its database thread while the server is away ([`Store::hold_while_away`]).
    pub fn answers(&self) -> bool {
        match self {
            Database::File(_) => true,
            Database::Server { url, .. } => crate::sql::server_answers(url),
        }
    }

    /// Opens the hub for reading and writing at the kiosk's site, bringing its schema up to date. A site the
    /// database does not hold is refused in plain words: a kiosk never writes to another site by mistake.
    pub fn open(&self) -> Result<Store> {
        match self {
            Database::File(path) => Store::open(path),
            Database::Server { url, site } => at_site(Store::connect(url)?, site.as_deref()),
        }
    }

    /// [`Database::open`] as a kiosk opens it: on a server, keeping its spool at `spool` so that it checks people in
    /// and out while the server cannot be reached ([`Store::keep_spool`]) — also when that is so as it starts (after
    /// a power cut, the kiosk is often up before the network), from the copy the spool kept. Refused with
    /// [`StoreError::Offline`] if the server cannot be reached and the spool has no copy of this kiosk's site.
    pub fn open_with_spool(&self, spool: &Path, now: chrono::DateTime<chrono::Utc>) -> Result<Store> {
        match (self.open(), self) {
            (Ok(mut store), _) => {
                store.keep_spool(spool, now)?;
                Ok(store)
            }
            (Err(StoreError::Offline), Database::Server { url, site }) => {
                Store::start_offline(url, site.as_deref(), spool)
            }
            (Err(error), _) => Err(error),
        }
    }

    /// Opens the hub to set the kiosk's site up (`kiosk init`, `kiosk config apply`): at its first site, however
    /// the kiosk's is named, since that one may not be there yet.
    pub fn open_to_set_up(&self) -> Result<Store> {
        match self {
            Database::File(path) => Store::open(path),
            Database::Server { url, .. } => Store::connect(url),
        }
    }

    /// The code of the kiosk's site, if it names one.
    pub fn site(&self) -> Option<&str> {
        match self {
            Database::File(_) => None,
            Database::Server { site, .. } => site.as_deref(),
        }
    }
}

fn at_site(mut store: Store, site: Option<&str>) -> Result<Store> {
    if let Some(code) = site {
        store.use_site(code)?;
    }
    Ok(store)
}

/// The file's path, or the server's address without its password (and the kiosk's site), for messages and logs.
impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::File(path) => write!(f, "{}", path.display()),
            Database::Server { url, site: None } => f.write_str(&without_password(url)),
            Database::Server { url, site: Some(site) } => write!(f, "{} (site {site})", without_password(url)),
        }
    }
}

/// `postgres://user:secret@host/db` as `postgres://user@host/db`, and `password=secret` as `password=…`.
fn without_password(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((credentials, host)) = rest.split_once('@') {
            let user = credentials.split(':').next().unwrap_or_default();
            return format!("{scheme}://{user}@{host}");
        }
        return url.to_owned();
    }
    url.split_whitespace()
        .map(|pair| if pair.starts_with("password=") { "password=…" } else { pair })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An open hub database, at one of its sites. All reads and writes of the hub's data go through this type; what
/// belongs to a site (rooms, surgeries, visits, door data, hours) is read and written at `site` only.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
    /// Site 1 until [`Store::use_site`] chooses another (a database alone in its file holds only site 1).
    pub(crate) site: SiteId,
    /// Where a kiosk on a server keeps check-ins while the server cannot be reached ([`Store::keep_spool`]).
    pub(crate) spool: Option<Spool>,
}

/// A kiosk's own file of check-ins kept while the network's server cannot be reached, with its copy of what they
/// need (what it does is in `spool.rs`): a connection of the `Store`'s like the server's.
#[derive(Debug)]
pub(crate) struct Spool {
    pub(crate) conn: Connection,
    /// This spool's random id, which makes its movements' numbers unique across the network.
    pub(crate) kiosk: String,
    /// The kiosk started while the server could not be reached, so the server's schema is still to be brought up
    /// to date ([`Store::catch_up_schema`]) before anything is written there.
    pub(crate) schema_unchecked: bool,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        Store::prepare(rusqlite::Connection::open(path)?)
    }

    /// Opens the database at `path` for reading only, as it is: pages and displays read through their own
    /// connection so they never wait behind the door's writes, and cannot write by mistake. The schema must be the
    /// one this kiosk writes (the writer opens first and migrates).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let conn = rusqlite::Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        prepare_once(&conn)?;
        conn.pragma_update(None, "query_only", "ON")?;
        let store = Store { conn: Connection::Sqlite(conn), site: FIRST_SITE, spool: None };
        store.check_schema_is_current()?;
        Ok(store)
    }

    fn check_schema_is_current(&self) -> Result<()> {
        let version = self.schema_version()?;
        if version as usize != MIGRATIONS.len() {
            return Err(StoreError::Corrupt(format!(
                "the database is at schema version {version}, this kiosk reads version {}",
                MIGRATIONS.len()
            )));
        }
        Ok(())
    }

    /// A number that changes whenever another connection (this process's or another's) commits to the database:
    /// a reader polls it to learn that what it showed is out of date. On PostgreSQL it is the server's write-ahead
    /// log position, which moves with every commit (and now and then without one: a page read again for nothing).
    pub fn data_version(&self) -> Result<i64> {
        match &self.conn {
            Connection::Sqlite(conn) => Ok(conn.pragma_query_value(None, "data_version", |row| row.get(0))?),
            Connection::Postgres(_) => Ok(self
                .conn
                .prepare_cached("SELECT CAST(pg_current_wal_lsn() - CAST('0/0' AS pg_lsn) AS BIGINT)")?
                .query_row([], |row| row.get(0))?),
        }
    }

    /// Connects to the hub's PostgreSQL database at `url` and brings its schema up to date.
    pub fn connect(url: &str) -> Result<Store> {
        let mut conn = Connection::Postgres(Box::new(crate::sql::PgConnection::connect(url, false)?));
        migrate_postgres(&mut conn)?;
        Ok(Store { conn, site: FIRST_SITE, spool: None })
    }

    /// Another connection to this store's database, at its site, that can only read: the pages and displays read
    /// through their own, so they never wait behind the door's writes and cannot write by mistake. On a server that
    /// cannot be reached just now, it connects when first used.
    pub fn reader(&self) -> Result<Store> {
        let reader = match &self.conn {
            Connection::Sqlite(conn) => {
                let path = conn.path().filter(|path| !path.is_empty()).ok_or_else(|| {
                    StoreError::invalid("a database in memory cannot be read through another connection")
                })?;
                Store::open_read_only(Path::new(path))?
            }
            Connection::Postgres(conn) => {
                let reader =
                    Store { conn: Connection::Postgres(Box::new(conn.reader()?)), site: FIRST_SITE, spool: None };
                match reader.check_schema_is_current() {
                    Ok(()) | Err(StoreError::Offline) => reader,
                    Err(error) => return Err(error),
                }
            }
        };
        Ok(Store { site: self.site, ..reader })
    }

    /// A private database that lives only as long as the value: for tests and dry runs.
    pub fn open_in_memory() -> Result<Store> {
        Store::prepare(rusqlite::Connection::open_in_memory()?)
    }

    fn prepare(mut conn: rusqlite::Connection) -> Result<Store> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        prepare_once(&conn)?;
        // WAL lets the staff view read while the door writes; FULL makes an acknowledged check-in survive power loss.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Erased personal data must not linger in free pages of the file.
        conn.pragma_update(None, "secure_delete", "ON")?;
        migrate(&mut conn)?;
        Ok(Store { conn: Connection::Sqlite(conn), site: FIRST_SITE, spool: None })
    }

    /// A kiosk that started while the server could not be reached brings the server's schema up to date (as opening
    /// does) before it first writes there.
    pub(crate) fn catch_up_schema(&mut self) -> Result<()> {
        if self.spool.as_ref().is_some_and(|spool| spool.schema_unchecked) {
            migrate_postgres(&mut self.conn)?;
            if let Some(spool) = &mut self.spool {
                spool.schema_unchecked = false;
            }
        }
        Ok(())
    }

    /// Runs `f` inside a `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so the checks `f` makes
    /// cannot be invalidated by another writer before it commits. Commits only if `f` returns `Ok`.
    ///
    /// On PostgreSQL the transaction is serializable: when the server gives it up because another kiosk's touched the
    /// same rows at the same moment ([`crate::sql::SqlError::is_a_clash`]), `f` runs again from the start (so it must not change
    /// anything outside the database), up to [`CLASH_RETRIES`] times; the person sees one answer.
    pub(crate) fn write<T>(&mut self, f: impl FnMut(&Transaction<'_>) -> Result<T>) -> Result<T> {
        self.write_unless(false, f)
    }

    /// Like [`Store::write`], but a `dry_run` rolls everything back: it sees exactly what the real one would do.
    pub(crate) fn write_unless<T>(
        &mut self,
        dry_run: bool,
        mut f: impl FnMut(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        self.catch_up_schema()?;
        let mut tries = 0;
        loop {
            tries += 1;
            // Offline only if nothing reached the server: once the transaction has begun, a broken connection may
            // have lost it or (at the commit) saved it, and the caller cannot tell which.
            let attempt = self.conn.begin_write().map_err(StoreError::from).and_then(|tx| {
                let run = || {
                    let value = f(&tx)?;
                    if !dry_run {
                        tx.commit()?;
                    }
                    Ok(value)
                };
                run().map_err(|error| match error {
                    StoreError::Offline => StoreError::Interrupted,
                    other => other,
                })
            });
            match attempt {
                Err(StoreError::Database(error)) if error.is_a_clash() && tries <= CLASH_RETRIES => clash_pause(tries),
                other => return other,
            }
        }
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> Result<u32> {
        match &self.conn {
            Connection::Sqlite(conn) => Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?),
            Connection::Postgres(_) => {
                Ok(self.conn.prepare_cached("SELECT version FROM schema_version")?.query_row([], |row| row.get(0))?)
            }
        }
    }

    /// The latest moment the hub has recorded anything (a person added, a booking made, a check-in, a pass issued).
    /// A clock earlier than this is wrong: the doctor checks it, because pass expiry depends on the clock.
    pub fn newest_record(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        let newest: Option<i64> = (self.conn.prepare_cached(
            "SELECT max(t) FROM (SELECT max(created_at) AS t FROM people UNION ALL SELECT max(created_at) FROM bookings
             UNION ALL SELECT max(checked_in_at) FROM visits UNION ALL SELECT max(issued_at) FROM passes) AS times",
        )?)
        .query_row([], |row| row.get(0))?;
        Ok(newest.map(crate::time::from_db))
    }

    /// SQLite's own consistency check of the file; `Ok(())` when it reports "ok". A PostgreSQL server checks its own
    /// pages as it reads them.
    pub fn integrity_check(&self) -> Result<()> {
        let Connection::Sqlite(conn) = &self.conn else { return Ok(()) };
        let report: String = conn.pragma_query_value(None, "integrity_check", |row| row.get(0))?;
        if report == "ok" { Ok(()) } else { Err(StoreError::Corrupt(report)) }
    }
}

/// Brings an SQLite database to this kiosk's schema in one transaction. A migration may rebuild a table others
/// refer to (SQLite's way to change a key: create the new table, copy, drop the old, rename the new), so meanwhile
/// foreign keys are off (checked in full before the commit) and a rename leaves other tables' triggers as they are
/// (`legacy_alter_table`); both are back as they were afterwards, whatever happened.
pub(crate) fn migrate(conn: &mut rusqlite::Connection) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    conn.pragma_update(None, "legacy_alter_table", "ON")?;
    let migrated = migrate_without_foreign_keys(conn);
    conn.pragma_update(None, "legacy_alter_table", "OFF")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrated
}

fn migrate_without_foreign_keys(conn: &mut rusqlite::Connection) -> Result<()> {
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
    let dangling: Option<String> = rusqlite::OptionalExtension::optional(tx.query_row(
        "SELECT \"table\" FROM pragma_foreign_key_check",
        [],
        |row| row.get(0),
    ))?;
    if let Some(table) = dangling {
        return Err(StoreError::Corrupt(format!("the table {table} refers to rows that are not there")));
    }
    tx.commit()?;
    Ok(())
}

/// Before try `tries + 1` after a clash: up to 1, 2, 4 … 32 ms, at random so that the writers that clashed do not
/// meet again.
fn clash_pause(tries: u32) {
    let mut random = [0u8; 2];
    // Without randomness the pause is the longest, which still lets the others through.
    let fraction = if getrandom::fill(&mut random).is_ok() { u16::from_le_bytes(random) } else { u16::MAX };
    let longest_us = 1000u64 << tries.min(5);
    std::thread::sleep(std::time::Duration::from_micros(longest_us * u64::from(fraction) / u64::from(u16::MAX)));
}

/// Brings a PostgreSQL database to this kiosk's schema, in one transaction under a lock, so two kiosks starting
/// together do not both migrate. The version is kept in `schema_version` (SQLite keeps it in `user_version`).
pub(crate) fn migrate_postgres(conn: &mut Connection) -> Result<()> {
    let tx = conn.begin_write()?;
    // Any number, the same for every kiosk: "Hub Kiosk migrates".
    tx.execute_batch(
        "SELECT pg_advisory_xact_lock(4808001); CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)",
    )?;
    let applied: Option<u32> =
        tx.prepare_cached("SELECT version FROM schema_version")?.query_row([], |row| row.get(0)).optional()?;
    let applied = applied.unwrap_or(0);
    let newest = POSTGRES_MIGRATIONS.last().map_or(0, |(version, _)| *version);
    if applied > newest {
        return Err(StoreError::Corrupt(format!(
            "the database is at schema version {applied}, newer than this kiosk understands ({newest}); update the kiosk"
        )));
    }
    for (version, migration) in POSTGRES_MIGRATIONS.iter().filter(|(version, _)| *version > applied) {
        tx.execute_batch(migration)?;
        tx.execute("DELETE FROM schema_version", [])?;
        tx.execute("INSERT INTO schema_version (version) VALUES (?1)", [version])?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod test_store {
    use super::Store;

    /// A fresh, empty hub for a test, on the engine `HUB_TEST_ENGINE` names: SQLite in memory (the default), or
    /// `postgres` — a schema of its own on the server `HUB_TEST_POSTGRES` names, so tests run side by side.
    pub(crate) fn empty() -> Store {
        match std::env::var("HUB_TEST_ENGINE").as_deref() {
            Ok("postgres") => {
                Store::connect(&crate::sql::tests::PgSchema::new().keep()).expect("a store on the test server")
            }
            Ok("sqlite") | Err(_) => Store::open_in_memory().unwrap(),
            Ok(other) => panic!("HUB_TEST_ENGINE is \"sqlite\" or \"postgres\", not {other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use rusqlite::{OptionalExtension, params};

    use super::*;
    use crate::{
        BookingOutcome, BookingRefusal, BookingRequest, PersonId, RoomId, SeatOutcome, SeatRefusal, Slot, SurgeryId,
        WhenFull,
    };

    #[test]
    fn a_servers_address_is_shown_without_its_password() {
        let shown = |url: &str| Database::Server { url: url.into(), site: None }.to_string();
        assert_eq!(shown("postgres://hub:s3cret@db.example.org:5432/hubs"), "postgres://hub@db.example.org:5432/hubs");
        assert_eq!(shown("host=db user=hub password=s3cret dbname=hubs"), "host=db user=hub password=… dbname=hubs");
        assert_eq!(shown("host=/var/run/postgresql dbname=hub"), "host=/var/run/postgresql dbname=hub");
        let at_a_site = Database::Server { url: "postgres://hub:s3cret@db/hubs".into(), site: Some("north".into()) };
        assert_eq!(at_a_site.to_string(), "postgres://hub@db/hubs (site north)");
    }

    #[test]
    fn both_engines_schemas_are_at_the_same_version() {
        // A schema change is a migration for both engines: PostgreSQL's newest is SQLite's number.
        assert_eq!(POSTGRES_MIGRATIONS.last().map(|(version, _)| *version as usize), Some(MIGRATIONS.len()));
    }

    #[test]
    fn a_query_over_a_partial_index_is_planned_once_whatever_is_bound() {
        let store = Store::open_in_memory().unwrap();
        let mut statement = store
            .conn
            .sqlite()
            .unwrap()
            .prepare(
                "SELECT seat.id FROM slot_seats seat JOIN surgery_slots s ON s.id = seat.slot_id
                 WHERE seat.person_id = ?1 AND seat.status IN ('booked', 'arrived') AND s.end_utc > ?2",
            )
            .unwrap();
        for person in 0..5 {
            statement.query_map([person, person * 100], |_| Ok(())).unwrap().for_each(drop);
        }
        assert_eq!(statement.get_status(rusqlite::StatementStatus::RePrepare), 0);
    }

    #[test]
    fn seats_and_places_are_counted_from_an_index_not_the_whole_table() {
        let store = Store::open_in_memory().unwrap();
        // The shapes of the counts in `load_slots`, the events list and the over-filling triggers, and of "first on
        // the waiting list": each must find its rows by slot or event (migration 012), whatever the history holds.
        for sql in [
            "SELECT count(*) FROM slot_seats WHERE slot_id = ?1 AND status IN ('booked', 'arrived', 'seen')",
            "SELECT id, person_id FROM slot_seats WHERE slot_id = ?1 AND status = 'waiting' ORDER BY id LIMIT 1",
            "SELECT count(*) FROM event_places WHERE event_id = ?1 AND status IN ('registered', 'came')",
            "SELECT id, person_id FROM event_places WHERE event_id = ?1 AND status = 'waiting' ORDER BY id LIMIT 1",
        ] {
            let plan: Vec<String> =
                (store.conn.sqlite().unwrap().prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap())
                    .query_map([1], |row| row.get(3))
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
            assert!(plan.iter().all(|step| step.starts_with("SEARCH") && step.contains("_status")), "{sql}: {plan:?}");
        }
    }

    #[test]
    fn free_time_reads_the_active_bookings_index_alone() {
        let store = Store::open_in_memory().unwrap();
        let plan: Vec<String> = (store.conn.sqlite().unwrap())
            .prepare(&format!("EXPLAIN QUERY PLAN {}", crate::bookings::ACTIVE_BOOKING_TIMES))
            .unwrap()
            .query_map([1, 2], |row| row.get(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(plan, ["SEARCH bookings USING COVERING INDEX bookings_active_times (end_utc>?)"]);
    }

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
    fn a_reader_sees_other_connections_commit_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        let mut writer = Store::open(&path).unwrap();
        writer.init_site(&crate::site::tests::london_site()).unwrap();
        let reader = Store::open_read_only(&path).unwrap();
        let before = reader.data_version().unwrap();
        assert_eq!(reader.data_version().unwrap(), before, "nothing committed, nothing changed");
        writer.add_room(&crate::NewRoom::named("Studio", 6)).unwrap();
        assert_ne!(reader.data_version().unwrap(), before, "the writer's commit is seen");
        assert_eq!(reader.rooms().unwrap().len(), 1);
        let refused = reader.conn.execute("DELETE FROM rooms", []);
        assert!(refused.is_err(), "a reader cannot write");
        assert_eq!(reader.rooms().unwrap().len(), 1);
    }

    #[test]
    fn a_version_1_hub_is_brought_up_to_date_with_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
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

    /// A hub last run at `version`, with data of every kind that version could hold (written as that version
    /// wrote it: plain SQL against its schema), on 5 January 2027.
    fn hub_at_version(path: &Path, version: usize) {
        let mut conn = rusqlite::Connection::open(path).unwrap();
        conn.pragma_update(None, "legacy_alter_table", "ON").unwrap(); // as `migrate` runs them
        let tx = conn.transaction().unwrap();
        for migration in &MIGRATIONS[..version] {
            tx.execute_batch(migration).unwrap();
        }
        tx.pragma_update(None, "user_version", version as u32).unwrap();
        let at = |hour: u32, minute: u32| Utc.with_ymd_and_hms(2027, 1, 5, hour, minute, 0).unwrap().timestamp();
        tx.execute_batch("INSERT INTO site (id, name, time_zone, safe_capacity, retention_days) VALUES (1, 'Old Hub', 'Europe/London', 40, 30);
             INSERT INTO opening_hours (weekday, opens, closes) VALUES (1, '09:00', '17:00');
             INSERT INTO rooms (id, name, capacity) VALUES (1, 'Studio', 8);").unwrap();
        for (id, name, role) in [(1, "Ada Lovelace", "member"), (2, "Grace Host", "host"), (3, "Sam Staff", "staff")] {
            tx.execute(
                "INSERT INTO people (id, display_name, role, rules_version, created_at) VALUES (?1, ?2, ?3, 1, ?4)",
                params![id, name, role, at(8, 0)],
            )
            .unwrap();
        }
        tx.execute(
            "INSERT INTO bookings (id, room_id, start_utc, end_utc, title, booked_by, booked_for, status, created_at)
             VALUES (1, 1, ?1, ?2, 'Code club', 1, 1, 'confirmed', ?3)",
            params![at(10, 0), at(11, 0), at(8, 0)],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO surgeries (id, topic, host_id, place, start_utc, end_utc, slot_minutes, seats_per_slot)
             VALUES (1, 'CV help', 2, 'Café', ?1, ?2, 20, 1)",
            params![at(12, 0), at(13, 0)],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO surgery_slots (id, surgery_id, start_utc, end_utc, seats) VALUES (1, 1, ?1, ?2, 1)",
            params![at(12, 0), at(12, 20)],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO slot_seats (slot_id, person_id, status, created_at)
             VALUES (1, 1, 'booked', ?1), (1, 2, 'waiting', ?1)",
            [at(8, 0)],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO passes (id, person_id, kind, issued_at, expires_at) VALUES (1, 1, 'member', ?1, ?2)",
            params![at(8, 0), at(8, 0) + 86_400 * 365],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO visits (person_id, pass_id, reason, checked_in_at) VALUES (1, 1, 'working', ?1)",
            [at(9, 0)],
        )
        .unwrap();
        if version >= 2 {
            tx.execute_batch(
                "INSERT INTO visit_counts (date, hour, reason, arrivals) VALUES ('2027-01-04', 10, '', 5);",
            )
            .unwrap();
        }
        if version >= 3 {
            tx.execute("INSERT INTO door_events (at, sensor, event) VALUES (?1, 'Front door', 'opened')", [at(9, 0)])
                .unwrap();
            tx.execute_batch("INSERT INTO door_counts (date, hour, sensor, entered, exited) VALUES ('2027-01-05', 9, 'Counter', 3, 1);").unwrap();
        }
        tx.commit().unwrap();
    }

    #[test]
    fn a_hub_last_run_at_any_earlier_version_is_brought_up_to_date_with_its_data() {
        let now = Utc.with_ymd_and_hms(2027, 1, 5, 9, 30, 0).unwrap();
        for version in 1..MIGRATIONS.len() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("hub.db");
            hub_at_version(&path, version);
            let mut store = Store::open(&path).unwrap_or_else(|error| panic!("from version {version}: {error}"));
            assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as u32, "from version {version}");
            store.integrity_check().unwrap();
            let broken: Option<String> = store
                .conn
                .sqlite()
                .unwrap()
                .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
                .optional()
                .unwrap();
            assert_eq!(broken, None, "from version {version}: a row points at nothing");
            assert_eq!(store.site().unwrap().name, "Old Hub");
            assert_eq!(store.site().unwrap().code, "main", "from version {version}: the hub is the first site");
            assert_eq!(store.rooms().unwrap().len(), 1, "from version {version}: the room is the hub's");
            assert!(store.opening_hours().unwrap()[1].is_some(), "from version {version}: its hours too");
            assert_eq!(store.roll_call().unwrap().len(), 1, "from version {version}: Ada is still on site");
            let surgery = store.surgery(SurgeryId(1)).unwrap();
            let first = &surgery.slots[0];
            assert_eq!((first.free(), first.waiting, surgery.cancel_reason), (0, 1, None), "from version {version}");
            // The invariants hold over the old rows: the booked hour and the taken seat are still taken.
            let clash = BookingRequest {
                room: RoomId(1),
                slot: Slot::new(now + chrono::Duration::minutes(60), now + chrono::Duration::minutes(120)).unwrap(),
                title: "Another".into(),
                booked_by: None,
                booked_for: None,
                public: false,
            };
            let outcome = store.book(&clash, now).unwrap();
            assert!(matches!(outcome, BookingOutcome::Refused(BookingRefusal::Conflict { .. })), "{outcome:?}");
            let seat = store.book_seat(surgery.slots[0].id, PersonId(3), WhenFull::Refuse, now).unwrap();
            assert_eq!(seat, SeatOutcome::Refused(SeatRefusal::Full), "from version {version}");
            let counted = store.door_day(chrono::NaiveDate::from_ymd_opt(2027, 1, 5).unwrap()).unwrap();
            assert_eq!(counted.entered, if version >= 3 { 3 } else { 0 }, "from version {version}");
        }
    }

    /// PostgreSQL's migrations from every earlier version (13 is its first): a hub's rows become site 1's.
    #[test]
    fn a_postgres_hub_at_any_earlier_version_is_brought_up_to_date_with_its_data() {
        for (index, (version, _)) in POSTGRES_MIGRATIONS.iter().enumerate().take(POSTGRES_MIGRATIONS.len() - 1) {
            let schema = crate::sql::tests::PgSchema::new();
            for (_, migration) in &POSTGRES_MIGRATIONS[..=index] {
                schema.conn.execute_batch(migration).unwrap();
            }
            schema
                .conn
                .execute_batch(&format!(
                    "CREATE TABLE schema_version (version BIGINT NOT NULL); INSERT INTO schema_version VALUES ({version});
                     INSERT INTO site (id, name, time_zone, safe_capacity, retention_days)
                     VALUES (1, 'Old Hub', 'Europe/London', 40, 30);
                     INSERT INTO opening_hours (weekday, opens, closes) VALUES (1, '09:00', '17:00');
                     INSERT INTO rooms (id, name, capacity) VALUES (1, 'Studio', 8);
                     INSERT INTO people (id, display_name, role, created_at) VALUES (1, 'Sam Staff', 'staff', 0);
                     INSERT INTO staff_pins (person_id, pin_hash) VALUES (1, 'x');"
                ))
                .unwrap();
            let store = Store::connect(&schema.url()).unwrap_or_else(|error| panic!("from version {version}: {error}"));
            assert_eq!(store.schema_version().unwrap() as usize, MIGRATIONS.len());
            assert_eq!((store.site().unwrap().code, store.rooms().unwrap().len()), ("main".into(), 1));
            assert!(store.opening_hours().unwrap()[1].is_some());
            let pin_site: Option<i64> = store
                .conn
                .prepare_cached("SELECT site_id FROM staff_pins")
                .unwrap()
                .query_row([], |row| row.get(0))
                .unwrap();
            if *version < 14 {
                assert_eq!(pin_site, Some(1), "from version {version}: the hub's staff are its own");
            }
        }
    }

    #[test]
    fn a_newer_database_is_refused_not_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        drop(Store::open(&path).unwrap());
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let error = Store::open(&path).unwrap_err();
        assert!(error.to_string().contains("newer than this kiosk understands"), "{error}");
    }
}
