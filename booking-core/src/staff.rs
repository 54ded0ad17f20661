//! PINs for staff and hosts: argon2id hashes, failed attempts counted in the database, a growing wait after
//! repeated mistakes, and a lock after the site's `pin_lock_after` wrong tries that only another staff member can
//! lift. The site also sets the fewest digits a new PIN may have.

use std::fmt;
use std::str::FromStr;

use crate::sql::{Connection, OptionalExtension, Row, Transaction, params};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::ids::{PersonId, SiteId};
use crate::people::{NewPerson, Person, Role, insert_person, load_person};
use crate::site::load_site;
use crate::time::{from_db, to_db};

/// Wrong PINs in a row before the account locks, unless the kiosk's configuration says otherwise.
pub const LOCK_AFTER: u32 = 10;
/// Wrong PINs in a row allowed before a wait is imposed.
const FREE_MISTAKES: u32 = 2;
const FIRST_WAIT_SECONDS: i64 = 5;

/// A PIN of 4 to 8 digits. It never prints its digits.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

impl FromStr for Pin {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Pin> {
        let digits = text.trim();
        if !(4..=8).contains(&digits.chars().count()) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(StoreError::invalid("a PIN is 4 to 8 digits (0–9)"));
        }
        Ok(Pin(digits.to_owned()))
    }
}

/// The answer to a PIN attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PinOutcome {
    Accepted(Person),
    /// Wrong, counted; from the third mistake in a row the next try must also wait `wait_seconds`.
    Wrong {
        attempts_left: u32,
        wait_seconds: i64,
    },
    /// Too many mistakes in a row: no attempt is counted until the wait is over.
    Wait {
        seconds: i64,
    },
    Locked,
}

impl fmt::Display for PinOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PinOutcome::Accepted(person) => write!(f, "Welcome, {}.", person.first_name()),
            PinOutcome::Wrong { attempts_left, wait_seconds: 0 } => {
                write!(f, "That PIN is not right. {attempts_left} more tries before this account locks.")
            }
            PinOutcome::Wrong { attempts_left, wait_seconds } => write!(
                f,
                "That PIN is not right. Please wait {wait_seconds} seconds before the next try. \
                 {attempts_left} more tries before this account locks."
            ),
            PinOutcome::Wait { seconds } => {
                write!(f, "Too many wrong PINs. Please wait {seconds} seconds, then try again.")
            }
            PinOutcome::Locked => {
                write!(f, "This account is locked after too many wrong PINs. Another staff member can unlock it.")
            }
        }
    }
}

/// How long to wait after `failures` wrong PINs in a row: nothing at first, then doubling from 5 seconds.
fn wait_after(failures: u32) -> Duration {
    if failures <= FREE_MISTAKES {
        return Duration::zero();
    }
    Duration::seconds(FIRST_WAIT_SECONDS << (failures - FREE_MISTAKES - 1).min(20))
}

fn hash_pin(pin: &Pin) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|error| StoreError::Corrupt(format!("no random bytes: {error}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    let hash = Argon2::default()
        .hash_password(pin.0.as_bytes(), &salt)
        .map_err(|error| StoreError::Corrupt(format!("could not hash the PIN: {error}")))?;
    Ok(hash.to_string())
}

/// Sets a PIN by `site`'s rules. A new PIN opens that site's staff view; a replaced one keeps the sites it opened.
fn store_pin(tx: &Transaction<'_>, site: SiteId, person: PersonId, pin: &Pin) -> Result<()> {
    let digits = load_site(tx, site)?.pin_digits;
    if pin.0.len() < usize::from(digits) {
        return Err(StoreError::invalid(format!("this hub's PINs have at least {digits} digits")));
    }
    tx.execute(
        "INSERT INTO staff_pins (person_id, pin_hash, site_id) VALUES (?1, ?2, ?3)
         ON CONFLICT (person_id) DO UPDATE SET pin_hash = excluded.pin_hash, failed_attempts = 0,
                                               last_failed_at = NULL, locked_at = NULL",
        params![person, hash_pin(pin)?, site],
    )?;
    Ok(())
}

/// Checks a PIN at `site` and records the attempt, inside the caller's write transaction. A PIN for another site
/// is not tried at all.
fn attempt(tx: &Transaction<'_>, site: SiteId, person: PersonId, pin: &Pin, now: DateTime<Utc>) -> Result<PinOutcome> {
    let found = load_person(tx, person)?;
    // `None` for network staff (and for someone with no PIN, refused below).
    let pin_site: Option<SiteId> = tx
        .prepare_cached("SELECT site_id FROM staff_pins WHERE person_id = ?1")?
        .query_row([person], |row| row.get(0))
        .optional()?
        .flatten();
    if let Some(pin_site) = pin_site.filter(|pin_site| *pin_site != site) {
        return Err(StoreError::invalid(format!(
            "{}'s PIN is for {}, not this site: staff of every site are set up from the command line \
             (kiosk staff network)",
            found.display_name,
            load_site(tx, pin_site)?.name
        )));
    }
    let Some(record) = pin_record(tx, person)? else {
        return Err(StoreError::invalid(format!("{} has no PIN set", found.display_name)));
    };
    let lock_after = load_site(tx, site)?.pin_lock_after;
    Ok(match judge_pin(&record, person, pin, now, lock_after)? {
        Judged::Unchanged(outcome) => outcome,
        Judged::Right => {
            tx.execute(
                "UPDATE staff_pins SET failed_attempts = 0, last_failed_at = NULL WHERE person_id = ?1",
                [person],
            )?;
            PinOutcome::Accepted(found)
        }
        Judged::Wrong { failures, locked_at, outcome } => {
            tx.execute(
                "UPDATE staff_pins SET failed_attempts = ?2, last_failed_at = ?3, locked_at = ?4 WHERE person_id = ?1",
                params![person, failures, to_db(now), locked_at],
            )?;
            outcome
        }
    })
}

/// `person`'s PIN as stored, if they have one.
fn pin_record(conn: &Connection, person: PersonId) -> Result<Option<PinRecord>> {
    Ok(conn
        .prepare_cached(
            "SELECT pin_hash, failed_attempts, last_failed_at, locked_at IS NOT NULL FROM staff_pins WHERE person_id = ?1",
        )?
        .query_row([person], |row| PinRecord::read(row, 0))
        .optional()?)
}

/// Wrong PINs tried at a kiosk while the server was away (`spool.rs`), counted here once it is back: the longer run
/// of mistakes and the later one win, and a lock there is a lock here (from its last mistake). A right PIN there
/// changes nothing here.
pub(crate) fn note_pin_tries(tx: &Transaction<'_>, person: PersonId, tried: &PinRecord) -> Result<()> {
    let Some(record) = pin_record(tx, person)? else { return Ok(()) };
    // A lock already here stays as it is (`coalesce`).
    let locked_at = tried.locked.then(|| tried.last_failed.unwrap_or_default());
    tx.prepare_cached(
        "UPDATE staff_pins SET failed_attempts = ?2, last_failed_at = ?3, locked_at = coalesce(locked_at, ?4)
         WHERE person_id = ?1",
    )?
    .execute(params![
        person,
        record.failures.max(tried.failures),
        record.last_failed.max(tried.last_failed),
        locked_at
    ])?;
    Ok(())
}

/// A PIN as stored, with its count of wrong tries in a row.
#[derive(Debug, Clone)]
pub(crate) struct PinRecord {
    pub(crate) hash: String,
    pub(crate) failures: u32,
    pub(crate) last_failed: Option<i64>,
    pub(crate) locked: bool,
}

impl PinRecord {
    /// A PIN from the four columns from `first` on — (hash, wrong tries in a row, last wrong try, locked) — of the
    /// hub's table and a kiosk's copy alike.
    pub(crate) fn read(row: &Row<'_>, first: usize) -> crate::sql::Result<PinRecord> {
        Ok(PinRecord {
            hash: row.get(first)?,
            failures: row.get(first + 1)?,
            last_failed: row.get(first + 2)?,
            locked: row.get(first + 3)?,
        })
    }
}

/// What a PIN attempt does to its record.
pub(crate) enum Judged {
    /// Locked, or too soon after the last mistake: not tried, nothing changes.
    Unchanged(PinOutcome),
    /// Right: the count of mistakes starts again.
    Right,
    /// Wrong: the new count, and whether it locks now.
    Wrong { failures: u32, locked_at: Option<i64>, outcome: PinOutcome },
}

/// The one rule for a PIN attempt, wherever its record is kept (the hub's database, or a kiosk's spool while the
/// server is away): locked stays locked, mistakes make the next try wait, `lock_after` of them in a row lock it.
pub(crate) fn judge_pin(
    record: &PinRecord,
    person: PersonId,
    pin: &Pin,
    now: DateTime<Utc>,
    lock_after: u32,
) -> Result<Judged> {
    if record.locked {
        return Ok(Judged::Unchanged(PinOutcome::Locked));
    }
    if let Some(last_failed) = record.last_failed {
        let ready_at = from_db(last_failed) + wait_after(record.failures);
        if now < ready_at {
            return Ok(Judged::Unchanged(PinOutcome::Wait { seconds: (ready_at - now).num_seconds().max(1) }));
        }
    }
    let hash = PasswordHash::new(&record.hash).map_err(|_| StoreError::Corrupt(format!("PIN of person #{person}")))?;
    if Argon2::default().verify_password(pin.0.as_bytes(), &hash).is_ok() {
        return Ok(Judged::Right);
    }
    let failures = record.failures + 1;
    let locked_at = (failures >= lock_after).then(|| to_db(now));
    let outcome = if locked_at.is_some() {
        PinOutcome::Locked
    } else {
        PinOutcome::Wrong { attempts_left: lock_after - failures, wait_seconds: wait_after(failures).num_seconds() }
    };
    Ok(Judged::Wrong { failures, locked_at, outcome })
}

/// The answer to an unlock request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum UnlockOutcome {
    Unlocked,
    /// The staff member asking could not prove who they are.
    NotAllowed(PinOutcome),
}

impl Store {
    /// Adds a staff member with a PIN.
    pub fn add_staff(&mut self, display_name: &str, pin: &Pin, now: DateTime<Utc>) -> Result<Person> {
        let site = self.site;
        let id = self.write(|tx| {
            let new =
                NewPerson { display_name: display_name.into(), contact: None, role: Role::Staff, rules_version: None };
            let id = insert_person(tx, &new, now)?;
            store_pin(tx, site, id, pin)?;
            Ok(id)
        })?;
        self.person(id)
    }

    /// Sets or replaces the PIN of a host or staff member (clearing any lock).
    pub fn set_pin(&mut self, person: PersonId, pin: &Pin) -> Result<()> {
        let site = self.site;
        self.write(|tx| {
            let found = load_person(tx, person)?;
            if !matches!(found.role, Role::Host | Role::Staff) {
                return Err(StoreError::invalid(format!(
                    "{} is a {}: only hosts and staff have PINs",
                    found.display_name, found.role
                )));
            }
            store_pin(tx, site, person, pin)
        })
    }

    /// Lets a staff member's PIN open every site's staff view (`true`: network staff), or this site's only.
    pub fn set_network_staff(&mut self, person: PersonId, network: bool) -> Result<()> {
        let site = self.site;
        self.write(|tx| {
            let found = load_person(tx, person)?;
            if found.role != Role::Staff {
                return Err(StoreError::invalid(format!("{} is not staff", found.display_name)));
            }
            let changed = tx.execute(
                "UPDATE staff_pins SET site_id = ?2 WHERE person_id = ?1",
                params![person, (!network).then_some(site)],
            )?;
            if changed == 0 {
                return Err(StoreError::invalid(format!("{} has no PIN set", found.display_name)));
            }
            Ok(())
        })
    }

    /// Checks a PIN at this site, counting wrong ones in the database so a restart does not reset the count. While
    /// the network's server cannot be reached, against the kiosk's copy (`spool.rs`), counted there.
    pub fn check_pin(&mut self, person: PersonId, pin: &Pin, now: DateTime<Utc>) -> Result<PinOutcome> {
        let site = self.site;
        match self.write(|tx| attempt(tx, site, person, pin, now)) {
            Err(StoreError::Offline) => self.check_pin_offline(person, pin, now).unwrap_or(Err(StoreError::Offline)),
            outcome => outcome,
        }
    }

    /// The staff whose PIN opens this site's staff view (its own and the network's), by name: whom the staff
    /// view's door offers. While the server cannot be reached, as the kiosk last copied them.
    pub fn staff_at_site(&self) -> Result<Vec<Person>> {
        match self.staff_pins_here() {
            Err(StoreError::Offline) => self.staff_offline().unwrap_or(Err(StoreError::Offline)),
            staff => Ok(staff?.into_iter().map(|(person, _)| person).collect()),
        }
    }

    /// [`Store::staff_at_site`] with each one's PIN record.
    pub(crate) fn staff_pins_here(&self) -> Result<Vec<(Person, PinRecord)>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT p.id, s.pin_hash, s.failed_attempts, s.last_failed_at, s.locked_at IS NOT NULL
             FROM staff_pins s JOIN people p ON p.id = s.person_id
             WHERE p.role = 'staff' AND p.erased_at IS NULL AND (s.site_id IS NULL OR s.site_id = ?1)
             ORDER BY p.display_name, p.id",
        )?;
        let rows =
            statement.query_map([self.site], |row| Ok((row.get::<_, PersonId>(0)?, PinRecord::read(row, 1)?)))?;
        let mut staff = Vec::new();
        for row in rows {
            let (id, pin) = row?;
            staff.push((load_person(&self.conn, id)?, pin));
        }
        Ok(staff)
    }

    /// Lifts the lock on `locked`, if `by` is a staff member whose own PIN is right. A person cannot unlock
    /// themselves.
    pub fn unlock_pin(
        &mut self,
        locked: PersonId,
        by: PersonId,
        by_pin: &Pin,
        now: DateTime<Utc>,
    ) -> Result<UnlockOutcome> {
        if locked == by {
            return Err(StoreError::invalid("another staff member must unlock this account"));
        }
        let site = self.site;
        self.write(|tx| {
            let helper = load_person(tx, by)?;
            if helper.role != Role::Staff {
                return Err(StoreError::invalid(format!(
                    "{} is not staff, so cannot unlock accounts",
                    helper.display_name
                )));
            }
            match attempt(tx, site, by, by_pin, now)? {
                PinOutcome::Accepted(_) => {
                    tx.execute(
                        "UPDATE staff_pins SET failed_attempts = 0, last_failed_at = NULL, locked_at = NULL
                         WHERE person_id = ?1",
                        [locked],
                    )?;
                    Ok(UnlockOutcome::Unlocked)
                }
                refused => Ok(UnlockOutcome::NotAllowed(refused)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use crate::site::tests::london_hub;

    use super::*;

    fn pin(text: &str) -> Pin {
        text.parse().unwrap()
    }

    #[test]
    fn pins_are_digits_and_never_printed() {
        assert!("12a4".parse::<Pin>().is_err());
        assert!("123".parse::<Pin>().is_err());
        assert_eq!(format!("{:?}", pin("4821")), "Pin(****)");
    }

    #[test]
    fn the_site_sets_the_shortest_pin_and_the_lock() {
        let mut store = london_hub();
        let now = Utc.with_ymd_and_hms(2027, 1, 5, 9, 0, 0).unwrap();
        let site = store.site().unwrap();
        let settings = crate::site::SiteSettings {
            name: site.name,
            safe_capacity: site.safe_capacity,
            retention_days: site.retention_days,
            pin_digits: 6,
            pin_lock_after: 3,
        };
        store.update_site(&settings).unwrap();
        let error = store.add_staff("Sam", &pin("4821"), now).unwrap_err();
        assert_eq!(error.to_string(), "this hub's PINs have at least 6 digits");
        let sam = store.add_staff("Sam", &pin("482193"), now).unwrap();
        for (failure, expected) in [
            (1, PinOutcome::Wrong { attempts_left: 2, wait_seconds: 0 }),
            (2, PinOutcome::Wrong { attempts_left: 1, wait_seconds: 0 }),
        ] {
            assert_eq!(store.check_pin(sam.id, &pin("000000"), now + Duration::minutes(failure)).unwrap(), expected);
        }
        assert_eq!(store.check_pin(sam.id, &pin("000000"), now + Duration::hours(1)).unwrap(), PinOutcome::Locked);
    }

    #[test]
    fn right_pin_wrong_pin_growing_wait_then_lock_then_unlock() {
        let mut store = london_hub();
        let t0 = Utc.with_ymd_and_hms(2027, 1, 5, 9, 0, 0).unwrap();
        let sam = store.add_staff("Sam Staff", &pin("4821"), t0).unwrap();
        let kim = store.add_staff("Kim Staff", &pin("9034"), t0).unwrap();
        assert!(matches!(store.check_pin(sam.id, &pin("4821"), t0).unwrap(), PinOutcome::Accepted(_)));

        let mut now = t0;
        let mut waits = Vec::new();
        for failure in 1..=LOCK_AFTER {
            let outcome = store.check_pin(sam.id, &pin("0000"), now).unwrap();
            if failure == LOCK_AFTER {
                assert_eq!(outcome, PinOutcome::Locked);
            } else {
                // The answer to a wrong PIN already says how long the next try must wait.
                let wait_seconds = wait_after(failure).num_seconds();
                assert_eq!(outcome, PinOutcome::Wrong { attempts_left: LOCK_AFTER - failure, wait_seconds });
            }
            if (FREE_MISTAKES + 1..LOCK_AFTER).contains(&failure) {
                // During the wait even the right PIN is not checked, and the attempt is not counted.
                let PinOutcome::Wait { seconds } = store.check_pin(sam.id, &pin("4821"), now).unwrap() else {
                    panic!("failure {failure} should impose a wait");
                };
                waits.push(seconds);
                now += Duration::seconds(seconds);
            }
        }
        assert_eq!(waits, vec![5, 10, 20, 40, 80, 160, 320]);
        // Locked survives the right PIN and a reopened database (the count is stored, not in memory).
        assert_eq!(store.check_pin(sam.id, &pin("4821"), now + Duration::hours(5)).unwrap(), PinOutcome::Locked);
        assert!(store.unlock_pin(sam.id, sam.id, &pin("4821"), now).is_err());
        assert!(matches!(store.unlock_pin(sam.id, kim.id, &pin("1111"), now).unwrap(), UnlockOutcome::NotAllowed(_)));
        assert_eq!(store.unlock_pin(sam.id, kim.id, &pin("9034"), now).unwrap(), UnlockOutcome::Unlocked);
        assert!(matches!(store.check_pin(sam.id, &pin("4821"), now).unwrap(), PinOutcome::Accepted(_)));
    }
}
