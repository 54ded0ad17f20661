//! A kiosk's spool: what it needs to keep checking people in and out while the network's database server cannot be
//! reached, in a small SQLite file of its own beside the pass key (`offline.db`).
//!
//! While the server answers, the kiosk keeps a copy of the passes valid now (whose they are, where they are valid,
//! which are cancelled) and of its site's roll-call ([`Store::sync_spool`]). When the server cannot be reached, a
//! scan is checked against the pass's signature and that copy, and the check-in or check-out is written to the
//! spool (durably: `synchronous=FULL`) before the person is told. A pass issued since the copy (on a phone, at
//! another kiosk) is admitted on its signature alone: nobody was able to cancel it where this kiosk could see, and
//! the roll-call must count its holder. It is kept under a stand-in for its holder (minus the pass's number, on the
//! roll-call as "#number"), who is found when the movement is sent. When the server is back, each kept movement is
//! sent in a transaction that also records its kiosk and number (`replayed_movements`), then removed from the
//! spool: sent again after a crash, it does nothing. Only scans are kept; everything else needs the server
//! ([`StoreError::Offline`]).

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::db::{BUSY_TIMEOUT, FIRST_SITE, Spool, Store};
use crate::error::{Result, StoreError};
use crate::ids::{PassId, PersonId, SiteId, VisitId};
use crate::occupancy::OnSite;
use crate::passes::{PassClaim, PassKey, PassKind, PassRefusal, decode_pass};
use crate::people::{Person, Role, load_person};
use crate::site::{Site, load_site};
use crate::sql::{Connection, OptionalExtension, Row, Transaction, params};
use crate::staff::{Judged, Pin, PinOutcome, PinRecord, judge_pin, note_pin_tries};
use crate::time::{from_db, to_db};
use crate::visits::{REPEAT_SCAN_WINDOW, ScanOutcome, arrive, insert_visit, latest_visit};

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    -- The passes valid when the server last answered, with their holders' names.
    CREATE TABLE IF NOT EXISTS roster (
        pass_id    INTEGER PRIMARY KEY,
        person_id  INTEGER NOT NULL,
        name       TEXT    NOT NULL,
        role       TEXT    NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked    INTEGER NOT NULL,
        site_id    INTEGER, -- NULL: valid at every site
        site_name  TEXT
    );
    -- The site's roll-call as the server last gave it, then as this kiosk's scans changed it.
    CREATE TABLE IF NOT EXISTS on_site (
        person_id INTEGER PRIMARY KEY,
        name      TEXT    NOT NULL,
        role      TEXT    NOT NULL,
        since     INTEGER NOT NULL,
        reason    TEXT
    );
    -- The staff whose PIN opens this site's staff view, so it opens while the server is away (argon2 hashes only);
    -- wrong tries meanwhile are counted here.
    CREATE TABLE IF NOT EXISTS staff (
        person_id       INTEGER PRIMARY KEY,
        name            TEXT    NOT NULL,
        pin_hash        TEXT    NOT NULL,
        failed_attempts INTEGER NOT NULL,
        last_failed_at  INTEGER,
        locked          INTEGER NOT NULL
    );
    -- The staff whose PIN was tried wrongly here since the copy: their counts go to the server when it is back.
    CREATE TABLE IF NOT EXISTS pin_tries (person_id INTEGER PRIMARY KEY);
    -- The site's settings as last read.
    CREATE TABLE IF NOT EXISTS site (
        id             INTEGER PRIMARY KEY,
        code           TEXT    NOT NULL,
        name           TEXT    NOT NULL,
        time_zone      TEXT    NOT NULL,
        safe_capacity  INTEGER NOT NULL,
        retention_days INTEGER NOT NULL,
        house_rules_version INTEGER NOT NULL,
        pin_digits     INTEGER NOT NULL,
        pin_lock_after INTEGER NOT NULL
    );
    -- Check-ins (1) and check-outs (0) not yet sent, in the order they happened.
    CREATE TABLE IF NOT EXISTS movements (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        pass_id    INTEGER NOT NULL,
        person_id  INTEGER NOT NULL,
        checked_in INTEGER NOT NULL,
        at         INTEGER NOT NULL
    );";

/// A check-in or check-out kept while the server could not be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Movement {
    pub(crate) seq: i64,
    pub(crate) pass: PassId,
    pub(crate) person: PersonId,
    pub(crate) checked_in: bool,
    pub(crate) at: DateTime<Utc>,
}

/// What the spool copies from the server while it answers.
pub(crate) struct Copy {
    roster: Vec<RosterPass>,
    /// The newest pass the server had issued: a signed pass with a higher number was issued since the copy.
    last_pass: Option<PassId>,
    on_site: Vec<OnSite>,
    staff: Vec<(PersonId, String, PinRecord)>,
    site: Site,
}

/// A pass as the spool keeps it.
struct RosterPass {
    pass: PassId,
    person: PersonId,
    name: String,
    role: String,
    expires_at: i64,
    revoked: bool,
    site: Option<SiteId>,
    site_name: Option<String>,
}

impl Spool {
    fn open(path: &Path) -> Result<Spool> {
        let sqlite = rusqlite::Connection::open(path)?;
        // A command run on the kiosk (`kiosk scan`) may use it at the same moment as the kiosk's own process.
        sqlite.busy_timeout(BUSY_TIMEOUT)?;
        sqlite.pragma_update(None, "journal_mode", "WAL")?;
        // A kept check-in is acknowledged to the person: it must survive a power cut like any other.
        sqlite.pragma_update(None, "synchronous", "FULL")?;
        sqlite.pragma_update(None, "secure_delete", "ON")?;
        // Through the engine layer the hub's queries use, so the spool reads its rows with the hub's own readers.
        let conn = Connection::Sqlite(sqlite);
        conn.execute_batch(SCHEMA)?;
        let kiosk: Option<String> = conn
            .prepare_cached("SELECT value FROM meta WHERE key = 'kiosk'")?
            .query_row([], |row| row.get(0))
            .optional()?;
        let kiosk = match kiosk {
            Some(kiosk) => kiosk,
            None => {
                let mut random = [0u8; 8];
                getrandom::fill(&mut random)
                    .map_err(|error| StoreError::Corrupt(format!("no random bytes: {error}")))?;
                let kiosk = data_encoding::HEXLOWER.encode(&random);
                conn.execute("INSERT INTO meta (key, value) VALUES ('kiosk', ?1)", [&kiosk])?;
                kiosk
            }
        };
        Ok(Spool { conn, kiosk, schema_unchecked: false })
    }

    /// A scan while the server cannot be reached: the pass checked against its signature and the roster, then the
    /// holder checked in, or out if this kiosk has them on site, kept in one local transaction.
    fn scan(&mut self, key: &PassKey, site: SiteId, text: &str, now: DateTime<Utc>) -> Result<ScanOutcome> {
        let claim = match decode_pass(text, key, now) {
            Ok(claim) => claim,
            Err(refusal) => return Ok(ScanOutcome::Refused(refusal)),
        };
        let tx = self.conn.begin_write()?;
        let last_pass: Option<PassId> = tx
            .prepare_cached("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_pass'")?
            .query_row([], |row| row.get(0))
            .optional()?;
        let (pass, copied) = match roster_pass(&tx, claim.pass_id)? {
            Some(pass) => (pass, true),
            // Issued since the copy: the signature says the hub issued it and until when.
            None if last_pass.is_some_and(|last| claim.pass_id > last) => (RosterPass::issued_since(&claim), false),
            // Older and not copied: its holder's data was erased, or it was never valid here.
            None => return Ok(ScanOutcome::Refused(PassRefusal::Unknown)),
        };
        if pass.revoked {
            return Ok(ScanOutcome::Refused(PassRefusal::Revoked));
        }
        if to_db(now) >= pass.expires_at {
            return Ok(ScanOutcome::Refused(PassRefusal::Expired { at: from_db(pass.expires_at) }));
        }
        if let Some(other) = pass.site.filter(|valid_at| *valid_at != site) {
            let site = pass.site_name.clone().unwrap_or_else(|| format!("site {other}"));
            return Ok(ScanOutcome::Refused(PassRefusal::OtherSite { site }));
        }
        // Greeted by name if the copy has one ("#number" is for the roll-call, not for greeting a person).
        let name = if copied { pass.name.clone() } else { String::new() };
        let person = known_person(pass.person, name, pass.role.parse().unwrap_or(Role::Visitor));
        let here: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM on_site WHERE person_id = ?1)")?
            .query_row([pass.person], |row| row.get(0))?;
        let last: Option<i64> = tx
            .prepare_cached("SELECT max(at) FROM movements WHERE person_id = ?1")?
            .query_row([pass.person], |row| row.get(0))?;
        if let Some(last) = last.map(from_db)
            && now >= last
            && now - last < REPEAT_SCAN_WINDOW
        {
            return Ok(ScanOutcome::Repeat { person, on_site: here });
        }
        if here {
            tx.execute("DELETE FROM on_site WHERE person_id = ?1", [pass.person])?;
        } else {
            tx.execute(
                "INSERT INTO on_site (person_id, name, role, since) VALUES (?1, ?2, ?3, ?4)",
                params![pass.person, pass.name, pass.role, to_db(now)],
            )?;
        }
        tx.execute(
            "INSERT INTO movements (pass_id, person_id, checked_in, at) VALUES (?1, ?2, ?3, ?4)",
            params![pass.pass, pass.person, !here, to_db(now)],
        )?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('offline_since', ?1) ON CONFLICT (key) DO NOTHING",
            [to_db(now).to_string()],
        )?;
        tx.commit()?;
        Ok(ScanOutcome::Kept { person, checked_in: !here })
    }

    /// Keeps the roll-call copy in step with a scan the server took, so the copy is this kiosk's latest knowledge
    /// when the server goes. Only a copy: written without waiting for the disk (the server has the scan).
    fn saw(&self, outcome: &ScanOutcome, now: DateTime<Utc>) -> Result<()> {
        self.conn.sqlite()?.pragma_update(None, "synchronous", "NORMAL")?;
        let written = match outcome {
            ScanOutcome::CheckedIn { person, .. } => self.conn.execute(
                "INSERT OR REPLACE INTO on_site (person_id, name, role, since) VALUES (?1, ?2, ?3, ?4)",
                params![person.id, person.display_name, person.role.as_str(), to_db(now)],
            ),
            ScanOutcome::CheckedOut { person, .. } => {
                self.conn.execute("DELETE FROM on_site WHERE person_id = ?1", [person.id])
            }
            _ => Ok(0),
        };
        self.conn.sqlite()?.pragma_update(None, "synchronous", "FULL")?;
        written?;
        Ok(())
    }

    fn movements(&self) -> Result<Vec<Movement>> {
        let mut statement =
            self.conn.prepare_cached("SELECT seq, pass_id, person_id, checked_in, at FROM movements ORDER BY seq")?;
        let rows = statement.query_map([], |row| {
            Ok(Movement {
                seq: row.get(0)?,
                pass: row.get(1)?,
                person: row.get(2)?,
                checked_in: row.get(3)?,
                at: from_db(row.get(4)?),
            })
        })?;
        Ok(rows.collect::<crate::sql::Result<_>>()?)
    }

    /// Removes a movement the server has.
    fn forget(&self, seq: i64) -> Result<()> {
        self.conn.execute("DELETE FROM movements WHERE seq = ?1", [seq])?;
        Ok(())
    }

    /// Replaces the copy with the server's, once every kept movement has been sent.
    fn refresh(&mut self, copy: &Copy) -> Result<()> {
        let Copy { roster, last_pass, on_site, staff, site } = copy;
        let tx = self.conn.begin_write()?;
        let waiting: bool =
            tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM movements)")?.query_row([], |row| row.get(0))?;
        if waiting {
            return Ok(());
        }
        tx.execute_batch(
            "DELETE FROM roster; DELETE FROM on_site; DELETE FROM staff; DELETE FROM pin_tries; DELETE FROM site;
             DELETE FROM meta WHERE key IN ('offline_since', 'last_pass')",
        )?;
        if let Some(last) = last_pass {
            tx.execute("INSERT INTO meta (key, value) VALUES ('last_pass', ?1)", [last.0.to_string()])?;
        }
        tx.execute(
            "INSERT INTO site (id, code, name, time_zone, safe_capacity, retention_days, house_rules_version,
                               pin_digits, pin_lock_after)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                site.id,
                site.code,
                site.name,
                site.time_zone.name(),
                site.safe_capacity,
                site.retention_days,
                site.house_rules_version,
                site.pin_digits,
                site.pin_lock_after
            ],
        )?;
        for (person, name, pin) in staff {
            tx.execute(
                "INSERT INTO staff (person_id, name, pin_hash, failed_attempts, last_failed_at, locked)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![person, name, pin.hash, pin.failures, pin.last_failed, pin.locked],
            )?;
        }
        let mut insert = tx.prepare_cached(
            "INSERT INTO roster (pass_id, person_id, name, role, expires_at, revoked, site_id, site_name)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for pass in roster {
            insert.execute(params![
                pass.pass,
                pass.person,
                pass.name,
                pass.role,
                pass.expires_at,
                pass.revoked,
                pass.site,
                pass.site_name
            ])?;
        }
        drop(insert);
        let mut insert = tx
            .prepare_cached("INSERT INTO on_site (person_id, name, role, since, reason) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for person in on_site {
            insert.execute(params![
                person.person_id,
                person.display_name,
                person.role.as_str(),
                to_db(person.since),
                person.reason
            ])?;
        }
        drop(insert);
        tx.commit()?;
        Ok(())
    }

    /// The site's settings as last copied (its table has the hub's columns, so the hub's reader reads it).
    fn site(&self) -> Result<Site> {
        let copied: Option<SiteId> =
            self.conn.prepare_cached("SELECT id FROM site")?.query_row([], |row| row.get(0)).optional()?;
        load_site(&self.conn, copied.ok_or(StoreError::Offline)?)
    }

    /// The staff whose PIN opens this site's staff view, by name.
    fn staff(&self) -> Result<Vec<Person>> {
        let mut statement = self.conn.prepare_cached("SELECT person_id, name FROM staff ORDER BY name, person_id")?;
        let rows = statement.query_map([], |row| Ok(known_person(row.get(0)?, row.get(1)?, Role::Staff)))?;
        Ok(rows.collect::<crate::sql::Result<_>>()?)
    }

    /// A PIN attempt by the one rule ([`judge_pin`]) against the copy, counted here.
    fn check_pin(&mut self, person: PersonId, pin: &Pin, now: DateTime<Utc>) -> Result<PinOutcome> {
        let lock_after = self.site()?.pin_lock_after;
        let tx = self.conn.begin_write()?;
        let row = tx
            .prepare_cached(
                "SELECT name, pin_hash, failed_attempts, last_failed_at, locked FROM staff WHERE person_id = ?1",
            )?
            .query_row([person], |row| Ok((row.get::<_, String>(0)?, PinRecord::read(row, 1)?)))
            .optional()?;
        let Some((name, record)) = row else { return Err(StoreError::Offline) };
        let outcome = match judge_pin(&record, person, pin, now, lock_after)? {
            Judged::Unchanged(outcome) => outcome,
            Judged::Right => {
                tx.execute(
                    "UPDATE staff SET failed_attempts = 0, last_failed_at = NULL WHERE person_id = ?1",
                    [person],
                )?;
                PinOutcome::Accepted(known_person(person, name, Role::Staff))
            }
            Judged::Wrong { failures, locked_at, outcome } => {
                tx.execute(
                    "UPDATE staff SET failed_attempts = ?2, last_failed_at = ?3, locked = ?4 WHERE person_id = ?1",
                    params![person, failures, to_db(now), locked_at.is_some()],
                )?;
                tx.execute("INSERT OR IGNORE INTO pin_tries (person_id) VALUES (?1)", [person])?;
                outcome
            }
        };
        tx.commit()?;
        Ok(outcome)
    }

    /// The staff whose PIN was tried wrongly here since the copy, with their records as kept here.
    fn pin_tries(&self) -> Result<Vec<(PersonId, PinRecord)>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT s.person_id, s.pin_hash, s.failed_attempts, s.last_failed_at, s.locked
             FROM staff s JOIN pin_tries t ON t.person_id = s.person_id",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, PinRecord::read(row, 1)?)))?;
        Ok(rows.collect::<crate::sql::Result<_>>()?)
    }

    fn offline_since(&self) -> Result<Option<DateTime<Utc>>> {
        let since: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = 'offline_since'")?
            .query_row([], |row| row.get(0))
            .optional()?;
        Ok(since.and_then(|seconds| seconds.parse().ok()).map(from_db))
    }

    /// Everyone this kiosk has on site: the roll-call while the server cannot be reached.
    fn roll_call(&self) -> Result<Vec<OnSite>> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT person_id, name, role, since, reason FROM on_site ORDER BY name, person_id")?;
        let rows = statement.query_map([], OnSite::read)?;
        Ok(rows.collect::<crate::sql::Result<_>>()?)
    }
}

/// A person as the spool knows them: their name and role, no more.
fn known_person(id: PersonId, display_name: String, role: Role) -> Person {
    Person { id, display_name, contact: None, role, rules_version: None, first_seen: None, last_seen: None }
}

fn roster_pass(conn: &Connection, pass: PassId) -> Result<Option<RosterPass>> {
    Ok(conn
        .prepare_cached(
            "SELECT pass_id, person_id, name, role, expires_at, revoked, site_id, site_name FROM roster WHERE pass_id = ?1",
        )?
        .query_row([pass], RosterPass::read)
        .optional()?)
}

impl RosterPass {
    /// A pass issued since the copy, as its signed claim describes it; its holder's stand-in is minus its number.
    fn issued_since(claim: &PassClaim) -> RosterPass {
        let role = if claim.kind == PassKind::Member { Role::Member } else { Role::Visitor };
        RosterPass {
            pass: claim.pass_id,
            person: PersonId(-claim.pass_id.0),
            name: format!("#{}", claim.pass_id),
            role: role.as_str().into(),
            expires_at: to_db(claim.expires_at),
            revoked: false,
            site: None,
            site_name: None,
        }
    }

    /// A pass from a row of (pass, person, name, role, expiry, cancelled, site, site's name): the server's passes
    /// and the spool's roster alike.
    fn read(row: &Row<'_>) -> crate::sql::Result<RosterPass> {
        Ok(RosterPass {
            pass: row.get(0)?,
            person: row.get(1)?,
            name: row.get(2)?,
            role: row.get(3)?,
            expires_at: row.get(4)?,
            revoked: row.get(5)?,
            site: row.get(6)?,
            site_name: row.get(7)?,
        })
    }
}

/// Applies a check-in or check-out a kiosk at `site` kept while the server could not be reached, once: the same
/// transaction records `kiosk`'s movement number, and a movement already recorded does nothing. Each is stored at
/// the time the person was told: a check-in begins a visit then (ending one still open) and marks the bookings and
/// seats due then as arrived, as a check-in online does (so they are not released as no-shows), a check-out ends the
/// person's latest visit here then. What the server learnt later wins: a check-in older than the person's latest
/// arrival is kept as a stay that ended at it, a check-out older than it changes nothing.
pub(crate) fn replay_movement(tx: &Transaction<'_>, site: SiteId, kiosk: &str, movement: &Movement) -> Result<()> {
    let at = movement.at;
    let first_time = tx.execute(
        "INSERT INTO replayed_movements (kiosk, seq, at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        params![kiosk, movement.seq, to_db(at)],
    )?;
    if first_time == 0 {
        return Ok(());
    }
    // A pass issued since the kiosk's copy was kept under a stand-in: its holder now, unless their data has been
    // erased meanwhile (then nothing of the visit is kept).
    let movement = &match movement.person.0 < 0 {
        false => *movement,
        true => match pass_holder(tx, movement.pass)? {
            Some(person) => Movement { person, ..*movement },
            None => return Ok(()),
        },
    };
    let end_visit = |visit: VisitId, when: DateTime<Utc>| -> Result<()> {
        tx.prepare_cached("UPDATE visits SET checked_out_at = ?2 WHERE id = ?1")?
            .execute(params![visit, to_db(when)])?;
        Ok(())
    };
    let latest = latest_visit(tx, movement.person)?;
    match latest {
        // The server knows a later arrival: a kept check-in is a stay that ended then, a kept check-out is over.
        Some(later) if later.checked_in > at && movement.checked_in => {
            tx.prepare_cached(
                "INSERT INTO visits (person_id, pass_id, checked_in_at, checked_out_at, site_id)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![movement.person, movement.pass, to_db(at), to_db(later.checked_in), site])?;
            tx.prepare_cached("UPDATE people SET first_seen = ?2 WHERE id = ?1 AND first_seen > ?2")?
                .execute(params![movement.person, to_db(at)])?;
            arrive(tx, site, &load_person(tx, movement.person)?, at)?;
        }
        Some(later) if later.checked_in > at => {}
        latest if movement.checked_in => {
            if let Some((visit, since)) = latest.and_then(|visit| visit.open()) {
                end_visit(visit, at.max(since))?;
            }
            insert_visit(tx, site, movement.person, Some(movement.pass), None, None, at)?;
            arrive(tx, site, &load_person(tx, movement.person)?, at)?;
        }
        Some(visit) if visit.site == site => end_visit(visit.id, at)?,
        _ => {}
    }
    Ok(())
}

/// Whose a pass is, if they have not been erased.
fn pass_holder(conn: &Connection, pass: PassId) -> Result<Option<PersonId>> {
    Ok(conn
        .prepare_cached(
            "SELECT p.person_id FROM passes p JOIN people x ON x.id = p.person_id WHERE p.id = ?1 AND x.erased_at IS NULL",
        )?
        .query_row([pass], |row| row.get(0))
        .optional()?)
}

impl Store {
    /// Keeps a spool at `path` (created on first use), so this kiosk checks people in and out while the network's
    /// server cannot be reached; brings it up to date now if the server answers. A hub in its own file is never
    /// unreachable and keeps none.
    pub fn keep_spool(&mut self, path: &Path, now: DateTime<Utc>) -> Result<()> {
        if matches!(self.conn, crate::sql::Connection::Sqlite(_)) {
            return Ok(());
        }
        self.spool = Some(Spool::open(path)?);
        match self.sync_spool(now) {
            Ok(_) | Err(StoreError::Offline) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// A kiosk starting while the network's server cannot be reached, from the copy its spool at `path` kept of its
    /// site (`site`, the code it is configured with; `None`, the first). It connects once the server answers; until
    /// then, scans are kept and everything else is refused as offline. [`StoreError::Offline`] if there is no such
    /// copy: a kiosk must have reached its server once.
    pub(crate) fn start_offline(url: &str, site: Option<&str>, path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(StoreError::Offline);
        }
        let mut spool = Spool::open(path)?;
        let copied = spool.site()?;
        if !site.map_or(copied.id == FIRST_SITE, |code| copied.code == code) {
            return Err(StoreError::Offline);
        }
        spool.schema_unchecked = true;
        let conn = crate::sql::Connection::Postgres(Box::new(crate::sql::PgConnection::later(url, false)?));
        Ok(Store { conn, site: copied.id, spool: Some(spool) })
    }

    /// Sends the movements kept while the server was away (each exactly once, in order) and the wrong PINs tried
    /// meanwhile, then copies the passes valid at `now` and the site's roll-call into the spool. Returns how many
    /// movements were sent; [`StoreError::Offline`] while the server still cannot be reached (nothing is lost: try
    /// again later).
    pub fn sync_spool(&mut self, now: DateTime<Utc>) -> Result<usize> {
        self.catch_up_schema()?;
        let Some(spool) = &self.spool else { return Ok(0) };
        let (movements, tries) = (spool.movements()?, spool.pin_tries()?);
        let (kiosk, site) = (spool.kiosk.clone(), self.site);
        for movement in &movements {
            self.write(|tx| replay_movement(tx, site, &kiosk, movement))?;
            if let Some(spool) = &self.spool {
                spool.forget(movement.seq)?;
            }
        }
        // Wrong PINs tried meanwhile count on the server too (before the copy below replaces the kiosk's count).
        if !tries.is_empty() {
            self.write(|tx| tries.iter().try_for_each(|(person, tried)| note_pin_tries(tx, *person, tried)))?;
        }
        let copy = self.copy_for_spool(now)?;
        if let Some(spool) = &mut self.spool {
            spool.refresh(&copy)?;
        }
        Ok(movements.len())
    }

    /// Since when this kiosk has been checking people in without the server (its first kept movement not yet
    /// sent); `None` when it is up to date.
    pub fn offline_since(&self) -> Result<Option<DateTime<Utc>>> {
        self.spool.as_ref().map_or(Ok(None), Spool::offline_since)
    }

    /// Whether the network's server could not be reached at the last try (never, for a hub in its own file): the
    /// screens then say that booking needs the network and checking in still works.
    pub fn server_away(&self) -> bool {
        self.conn.is_away()
    }

    /// From now on, once the network's server cannot be reached, answers at once that it cannot (scans are kept)
    /// instead of trying it again at every step — on a network that drops packets, each try waits out the connect
    /// timeout — until [`Store::retry_server`]. Whoever asks this must ask that when [`crate::Database::answers`].
    pub fn hold_while_away(&self) {
        self.conn.hold();
    }

    /// Tries the network's server again at the next step (see [`Store::hold_while_away`]).
    pub fn retry_server(&self) {
        self.conn.retry();
    }

    /// Whether the spool holds movements the server has not had yet.
    pub(crate) fn spool_is_waiting(&self) -> Result<bool> {
        let Some(spool) = &self.spool else { return Ok(false) };
        Ok(spool.conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM movements)")?.query_row([], |row| row.get(0))?)
    }

    /// Tells the spool, if there is one, of a scan the server took.
    pub(crate) fn scan_seen(&self, outcome: &ScanOutcome, now: DateTime<Utc>) -> Result<()> {
        self.spool.as_ref().map_or(Ok(()), |spool| spool.saw(outcome, now))
    }

    /// A scan kept in the spool, if the server could not be reached and there is one.
    pub(crate) fn scan_offline(
        &mut self,
        key: &PassKey,
        text: &str,
        now: DateTime<Utc>,
    ) -> Option<Result<ScanOutcome>> {
        let site = self.site;
        self.spool.as_mut().map(|spool| spool.scan(key, site, text, now))
    }

    /// The roll-call this kiosk keeps, if it has a spool.
    pub(crate) fn roll_call_offline(&self) -> Option<Result<Vec<OnSite>>> {
        self.spool.as_ref().map(Spool::roll_call)
    }

    /// The site's settings as this kiosk last copied them, if it has a spool.
    pub(crate) fn site_offline(&self) -> Option<Result<Site>> {
        self.spool.as_ref().map(Spool::site)
    }

    /// The staff who can open this site's staff view, as copied, if this kiosk has a spool.
    pub(crate) fn staff_offline(&self) -> Option<Result<Vec<Person>>> {
        self.spool.as_ref().map(Spool::staff)
    }

    /// A PIN attempt against the copy, if this kiosk has a spool.
    pub(crate) fn check_pin_offline(
        &mut self,
        person: PersonId,
        pin: &Pin,
        now: DateTime<Utc>,
    ) -> Option<Result<PinOutcome>> {
        self.spool.as_mut().map(|spool| spool.check_pin(person, pin, now))
    }

    /// Everything the spool copies, read from the server.
    fn copy_for_spool(&self, now: DateTime<Utc>) -> Result<Copy> {
        let staff =
            self.staff_pins_here()?.into_iter().map(|(person, pin)| (person.id, person.display_name, pin)).collect();
        let last_pass = self.conn.prepare_cached("SELECT max(id) FROM passes")?.query_row([], |row| row.get(0))?;
        Ok(Copy { roster: self.roster(now)?, last_pass, on_site: self.roll_call()?, staff, site: self.site()? })
    }

    /// The passes valid at `now`, with their holders, as the spool keeps them.
    fn roster(&self, now: DateTime<Utc>) -> Result<Vec<RosterPass>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT p.id, p.person_id, x.display_name, x.role, p.expires_at, p.revoked_at IS NOT NULL, p.site_id, s.name
             FROM passes p JOIN people x ON x.id = p.person_id LEFT JOIN site s ON s.id = p.site_id
             WHERE p.expires_at > ?1 AND x.erased_at IS NULL",
        )?;
        let rows = statement.query_map([to_db(now)], RosterPass::read)?;
        Ok(rows.collect::<crate::sql::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::booker::Booker;
    use crate::bookings::{BookingRequest, BookingStatus};
    use crate::db::Database;
    use crate::passes::{NewPass, encode_pass};
    use crate::people::NewPerson;
    use crate::rooms::NewRoom;
    use crate::site::tests::london_hub;
    use crate::time::Slot;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 5, hour, minute, 0).unwrap()
    }

    struct Kiosk {
        store: Store,
        spool: Spool,
        key: PassKey,
        /// Ada's and Bob's member passes and Cy's day pass.
        ada: String,
        bob: String,
        cy: String,
    }

    /// A hub with Ada (on site since 09:00), Bob and Cy, and a spool filled from it as a kiosk's is while the
    /// server answers.
    fn kiosk(dir: &Path) -> Kiosk {
        let key = PassKey::from_secret([4; 32]);
        let mut store = london_hub();
        let mut pass_of = |name: &str, pass: NewPass| {
            let new =
                NewPerson { display_name: name.into(), contact: None, role: Role::Member, rules_version: Some(1) };
            let person = store.add_person(&new, at(8, 0)).unwrap();
            store.issue_pass(&key, person.id, pass, at(8, 0)).unwrap().payload
        };
        let (ada, bob, cy) = (
            pass_of("Ada Lovelace", NewPass::Member),
            pass_of("Bob Byte", NewPass::Member),
            pass_of("Cy Day", NewPass::Day),
        );
        store.scan(&key, &ada, at(9, 0)).unwrap();
        store.add_staff("Sam Staff", &"4821".parse().unwrap(), at(8, 0)).unwrap();
        let mut spool = Spool::open(&dir.join("offline.db")).unwrap();
        spool.refresh(&store.copy_for_spool(at(10, 0)).unwrap()).unwrap();
        Kiosk { store, spool, key, ada, bob, cy }
    }

    #[test]
    fn without_the_server_passes_are_checked_and_movements_kept_in_order_with_the_roll_call() {
        let dir = tempfile::tempdir().unwrap();
        let Kiosk { store, mut spool, key, ada, bob, cy } = kiosk(dir.path());
        let site = store.site;
        assert_eq!(spool.offline_since().unwrap(), None);
        let bob_in = spool.scan(&key, site, &bob, at(10, 0)).unwrap();
        assert!(matches!(&bob_in, ScanOutcome::Kept { person, checked_in: true } if person.display_name == "Bob Byte"));
        let again = spool.scan(&key, site, &bob, at(10, 0) + Duration::seconds(3)).unwrap();
        assert!(matches!(again, ScanOutcome::Repeat { on_site: true, .. }), "{again:?}");
        assert!(matches!(
            spool.scan(&key, site, &ada, at(10, 5)).unwrap(),
            ScanOutcome::Kept { checked_in: false, .. }
        ));
        assert_eq!(spool.offline_since().unwrap(), Some(at(10, 0)));
        let names: Vec<String> = spool.roll_call().unwrap().into_iter().map(|on| on.display_name).collect();
        assert_eq!(names, ["Bob Byte"], "Ada left, Bob came: the roll-call is who this kiosk has on site");
        let kept: Vec<(bool, DateTime<Utc>)> =
            spool.movements().unwrap().iter().map(|movement| (movement.checked_in, movement.at)).collect();
        assert_eq!(kept, [(true, at(10, 0)), (false, at(10, 5))]);

        // Refused as the server would: no pass, one signed by another hub's key, a day pass at another site.
        let refused = |spool: &mut Spool, site, text: &str| match spool.scan(&key, site, text, at(10, 30)).unwrap() {
            ScanOutcome::Refused(refusal) => refusal,
            other => panic!("{other:?}"),
        };
        assert_eq!(refused(&mut spool, site, "HUB1NOTAPASS"), PassRefusal::Malformed);
        let claim = PassClaim { kind: PassKind::Member, pass_id: PassId(99), expires_at: at(23, 0) };
        let elsewhere = encode_pass(&claim, &PassKey::from_secret([5; 32]));
        assert_eq!(refused(&mut spool, site, &elsewhere), PassRefusal::BadSignature);
        assert_eq!(refused(&mut spool, SiteId(2), &cy), PassRefusal::OtherSite { site: "Riverside Hub".into() });
        assert!(matches!(spool.scan(&key, SiteId(2), &ada, at(10, 31)).unwrap(), ScanOutcome::Kept { .. }));
        assert_eq!(spool.movements().unwrap().len(), 3, "refusals keep nothing");
    }

    #[test]
    fn a_pass_issued_since_the_copy_is_admitted_on_its_signature_and_its_holder_found_when_sent() {
        let dir = tempfile::tempdir().unwrap();
        let Kiosk { mut store, mut spool, key, .. } = kiosk(dir.path());
        let site = store.site;
        // Issued on the server after the kiosk's copy (at 10:00), while the kiosk cannot reach it.
        let mut issue = |name: &str, pass: NewPass| {
            let new = NewPerson { display_name: name.into(), contact: None, role: Role::Visitor, rules_version: None };
            let person = store.add_person(&new, at(10, 10)).unwrap();
            (person.id, store.issue_pass(&key, person.id, pass, at(10, 10)).unwrap())
        };
        let (dee, dee_pass) = issue("Dee Newcomer", NewPass::Day);
        let (eve, eve_pass) = issue("Eve Gone", NewPass::Day);
        assert!(matches!(store.erase_person(eve, at(10, 12)).unwrap(), crate::privacy::EraseOutcome::Erased(_)));

        let dee_in = spool.scan(&key, site, &dee_pass.payload, at(10, 15)).unwrap();
        assert!(
            matches!(&dee_in, ScanOutcome::Kept { person, checked_in: true } if person.display_name.is_empty()),
            "greeted without a name: the copy does not know it: {dee_in:?}"
        );
        let again = spool.scan(&key, site, &dee_pass.payload, at(10, 15) + Duration::seconds(3)).unwrap();
        assert!(matches!(again, ScanOutcome::Repeat { on_site: true, .. }), "{again:?}");
        assert!(matches!(spool.scan(&key, site, &eve_pass.payload, at(10, 16)).unwrap(), ScanOutcome::Kept { .. }));
        let names: Vec<String> = spool.roll_call().unwrap().into_iter().map(|on| on.display_name).collect();
        let (dee_number, eve_number) = (format!("#{}", dee_pass.pass.id), format!("#{}", eve_pass.pass.id));
        assert_eq!(names, [dee_number, eve_number, "Ada Lovelace".into()], "counted for the roll-call by number");

        // Sent: Dee's check-in is Dee's; Eve's data was erased meanwhile, so nothing of hers is written.
        store.spool = Some(spool);
        assert_eq!(store.sync_spool(at(11, 0)).unwrap(), 2);
        let on_site: Vec<(String, DateTime<Utc>)> =
            store.roll_call().unwrap().into_iter().map(|on| (on.display_name, on.since)).collect();
        assert_eq!(on_site, [("Ada Lovelace".into(), at(9, 0)), ("Dee Newcomer".into(), at(10, 15))]);
        let visits_of = |person: PersonId| -> u32 {
            (store.conn.prepare_cached("SELECT count(*) FROM visits WHERE person_id = ?1").unwrap())
                .query_row([person], |row| row.get(0))
                .unwrap()
        };
        assert_eq!((visits_of(dee), visits_of(eve)), (1, 0));
        // Copied again: Dee's pass is known by name now, and Eve's, older than the copy and not in it, is refused.
        let spool = store.spool.as_mut().unwrap();
        let dee_out = spool.scan(&key, site, &dee_pass.payload, at(11, 30)).unwrap();
        assert!(
            matches!(&dee_out, ScanOutcome::Kept { person, checked_in: false } if person.display_name == "Dee Newcomer")
        );
        let eve_again = spool.scan(&key, site, &eve_pass.payload, at(11, 31)).unwrap();
        assert_eq!(eve_again, ScanOutcome::Refused(PassRefusal::Unknown));
    }

    #[test]
    fn a_kiosk_starts_without_the_server_from_the_copy_its_spool_kept() {
        let dir = tempfile::tempdir().unwrap();
        let Kiosk { store, key, bob, .. } = kiosk(dir.path());
        let (path, nowhere) = (dir.path().join("offline.db"), dir.path().join("never-made.db"));
        // Nothing listens on the discard port: the server is down.
        let away = |site: Option<&str>| Database::Server {
            url: "host=127.0.0.1 port=9 user=hub dbname=hub".into(),
            site: site.map(str::to_owned),
        };
        assert!(matches!(away(None).open_with_spool(&nowhere, at(10, 0)), Err(StoreError::Offline)));
        assert!(!nowhere.exists(), "no copy, no kiosk: and no empty spool left behind");
        assert!(
            matches!(away(Some("riverside")).open_with_spool(&path, at(10, 0)), Err(StoreError::Offline)),
            "a copy of another site's is not this kiosk's"
        );

        let mut kiosk = away(Some("main")).open_with_spool(&path, at(10, 0)).unwrap();
        assert_eq!(kiosk.site().unwrap(), store.site().unwrap());
        assert!(matches!(kiosk.scan(&key, &bob, at(10, 0)).unwrap(), ScanOutcome::Kept { checked_in: true, .. }));
        let names: Vec<String> = kiosk.roll_call().unwrap().into_iter().map(|on| on.display_name).collect();
        assert_eq!(names, ["Ada Lovelace", "Bob Byte"]);
        assert_eq!(kiosk.offline_since().unwrap(), Some(at(10, 0)));
        let newcomer =
            NewPerson { display_name: "Dee".into(), contact: None, role: Role::Visitor, rules_version: None };
        assert!(matches!(kiosk.add_person(&newcomer, at(10, 1)), Err(StoreError::Offline)));
        assert!(matches!(kiosk.sync_spool(at(10, 1)), Err(StoreError::Offline)));
        assert!(kiosk.server_away());
        let reader = kiosk.reader().unwrap();
        assert!(matches!(reader.rooms(), Err(StoreError::Offline)), "pages wait for the server, then read it");
    }

    #[test]
    fn a_check_in_kept_offline_marks_the_booking_due_then_as_arrived_once_sent() {
        let dir = tempfile::tempdir().unwrap();
        let Kiosk { mut store, mut spool, key, bob, .. } = kiosk(dir.path());
        let room = store.add_room(&NewRoom::named("Studio", 6)).unwrap();
        let request = BookingRequest {
            room: room.id,
            slot: Slot::new(at(10, 0), at(11, 0)).unwrap(),
            title: "Band practice".into(),
            booked_by: None,
            booked_for: None,
            public: false,
        };
        let (booking, _) = store.book_room(&key, &request, Booker::Pass(&bob), at(9, 0)).unwrap().unwrap();
        spool.scan(&key, store.site, &bob, at(10, 2)).unwrap();
        store.spool = Some(spool);
        store.sync_spool(at(10, 20)).unwrap();
        assert_eq!(store.release_no_shows(at(10, 20)).unwrap(), [], "Bob came: his room is not freed as a no-show");
        assert_eq!(store.booking(booking.id).unwrap().status, BookingStatus::CheckedIn);
    }

    #[test]
    fn the_staff_view_opens_without_the_server_by_the_same_pin_rules() {
        let dir = tempfile::tempdir().unwrap();
        let Kiosk { store, mut spool, .. } = kiosk(dir.path());
        assert_eq!(spool.site().unwrap(), store.site().unwrap());
        let staff = spool.staff().unwrap();
        assert_eq!(staff.iter().map(|person| person.display_name.as_str()).collect::<Vec<_>>(), ["Sam Staff"]);
        let sam = staff[0].id;
        let wrong = spool.check_pin(sam, &"1111".parse().unwrap(), at(10, 0)).unwrap();
        assert!(matches!(wrong, PinOutcome::Wrong { attempts_left: 9, .. }), "{wrong:?}");
        let right = spool.check_pin(sam, &"4821".parse().unwrap(), at(10, 1)).unwrap();
        assert!(matches!(right, PinOutcome::Accepted(ref person) if person.display_name == "Sam Staff"), "{right:?}");
        // Ten mistakes in a row, each after the wait the one before asks for, lock it as on the server.
        for attempt in 1..=10 {
            spool.check_pin(sam, &"1111".parse().unwrap(), at(10, 2) + Duration::minutes(30 * attempt)).unwrap();
        }
        assert_eq!(spool.check_pin(sam, &"4821".parse().unwrap(), at(18, 0)).unwrap(), PinOutcome::Locked);

        // Back online, the mistakes count on the server too: the copy taken again cannot undo the lock.
        let mut store = store;
        store.spool = Some(spool);
        store.sync_spool(at(18, 1)).unwrap();
        assert_eq!(store.check_pin(sam, &"4821".parse().unwrap(), at(18, 2)).unwrap(), PinOutcome::Locked);
        let copied = store.spool.as_mut().unwrap().check_pin(sam, &"4821".parse().unwrap(), at(18, 3)).unwrap();
        assert_eq!(copied, PinOutcome::Locked);
    }

    #[test]
    fn kept_movements_reach_the_hub_once_and_the_copy_is_taken_again() {
        let dir = tempfile::tempdir().unwrap();
        let Kiosk { mut store, mut spool, key, ada, bob, .. } = kiosk(dir.path());
        let site = store.site;
        spool.scan(&key, site, &bob, at(10, 0)).unwrap();
        spool.scan(&key, site, &ada, at(10, 5)).unwrap();
        let first = spool.movements().unwrap()[0];
        let kiosk_id = spool.kiosk.clone();
        store.spool = Some(spool);
        assert_eq!(store.offline_since().unwrap(), Some(at(10, 0)));
        assert_eq!(store.sync_spool(at(11, 0)).unwrap(), 2);
        assert!(!store.server_away());
        assert_eq!(store.offline_since().unwrap(), None);
        let on_site: Vec<(String, DateTime<Utc>)> =
            store.roll_call().unwrap().into_iter().map(|on| (on.display_name, on.since)).collect();
        assert_eq!(on_site, [("Bob Byte".to_owned(), at(10, 0))], "checked in and out when they were, not when sent");
        // A movement sent again (a crash after the server had it, before the spool forgot it) changes nothing.
        store.write(|tx| replay_movement(tx, site, &kiosk_id, &first)).unwrap();
        assert_eq!(store.roll_call().unwrap().len(), 1);
        let visits: u32 =
            store.conn.prepare_cached("SELECT count(*) FROM visits").unwrap().query_row([], |row| row.get(0)).unwrap();
        assert_eq!(visits, 2, "Ada's one visit and Bob's");
        assert_eq!(store.sync_spool(at(11, 1)).unwrap(), 0);
        assert_eq!(store.roll_call_offline().unwrap().unwrap().len(), 1, "the copy is the hub's roll-call again");
    }
}
