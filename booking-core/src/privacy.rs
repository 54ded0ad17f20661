//! Personal data kept only as long as needed: the daily retention purge, erasure on request, and everything held
//! about one person (a subject-access request).
//!
//! Erased people keep their row, renamed [`ERASED_NAME`] with no contact, so the bookings, seats and counts that
//! point at them still add up; nothing left in it identifies anyone. `secure_delete` (see `db.rs`) zeroes the old
//! bytes, and the write-ahead log is checkpointed and truncated afterwards, so the name is gone from the files too.

use std::collections::BTreeMap;

use crate::sql::{Connection, Transaction, params};
use chrono::{DateTime, Duration, Timelike, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::export::rows_where;
use crate::ids::PersonId;
use crate::people::load_person;
use crate::refusal::Refusal;
use crate::site::load_site;
use crate::time::{from_db, to_db};

/// The name an erased person's row carries.
pub const ERASED_NAME: &str = "Erased person";
pub const PERSON_EXPORT_FORMAT: &str = "hub-kiosk-person";

/// What one run of the retention purge did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    /// Data from before this instant was due for erasure.
    pub cutoff: DateTime<Utc>,
    /// Finished visits turned into anonymous counts and deleted.
    pub visits_counted: usize,
    /// Visitors not seen since the cutoff, with no booking to come, whose name and contact were erased.
    pub visitors_erased: usize,
    /// Expired passes no longer needed by any visit.
    pub passes_deleted: usize,
    /// Queue tickets whose link to a person was removed.
    pub tickets_unlinked: usize,
    /// Door sensor events (their hourly counts stay).
    pub door_events_deleted: usize,
    /// Messages to people, sent or not.
    pub messages_deleted: usize,
    /// Requests to join on the web not confirmed in time, whose name and address were erased.
    pub sign_ups_expired: usize,
}

impl PurgeReport {
    /// Whether the purge removed anything at all.
    pub fn erased_anything(&self) -> bool {
        self.visits_counted
            + self.visitors_erased
            + self.passes_deleted
            + self.tickets_unlinked
            + self.door_events_deleted
            + self.messages_deleted
            + self.sign_ups_expired
            > 0
    }
}

/// What erasing one person did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Erasure {
    pub person: PersonId,
    /// Their bookings still to come, cancelled (nobody can now come as them).
    pub bookings_cancelled: usize,
    /// Their surgery seats and waiting-list places still to come, given up (the waiting list moves up).
    pub seats_cancelled: usize,
    /// Booking titles and surgery topics that contained their name, replaced by a neutral word.
    pub titles_cleared: usize,
}

/// Why a person could not be erased now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum EraseRefusal {
    /// On the roll-call: erasing them would take them off the evacuation list.
    OnSite {
        name: String,
    },
    /// They host surgeries still to come, which other people have booked.
    HostsSurgeries {
        name: String,
        upcoming: u32,
    },
    AlreadyErased,
}

impl Refusal for EraseRefusal {
    fn code(&self) -> &'static str {
        match self {
            EraseRefusal::OnSite { .. } => "on_site",
            EraseRefusal::HostsSurgeries { .. } => "hosts_sessions",
            EraseRefusal::AlreadyErased => "already_erased",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum EraseOutcome {
    Erased(Erasure),
    Refused(EraseRefusal),
}

/// Everything the hub holds about one person, for a subject-access request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonExport {
    pub format: String,
    pub version: u32,
    pub exported_at: i64,
    pub person: Map<String, Value>,
    /// Their rows in other tables: visits, bookings, seats, queue tickets, passes, surgeries hosted, staff PIN state.
    pub records: BTreeMap<String, Vec<Map<String, Value>>>,
}

/// Where a person appears, table by table (`?1` is their id). Visits *to* them as a host are other people's data.
const PERSON_RECORDS: &[(&str, &str)] = &[
    ("visits", "person_id = ?1"),
    ("bookings", "booked_by = ?1 OR booked_for = ?1"),
    ("slot_seats", "person_id = ?1"),
    ("queue_tickets", "person_id = ?1"),
    ("passes", "person_id = ?1"),
    ("surgeries", "host_id = ?1"),
    ("staff_pins", "person_id = ?1"),
    ("messages", "recipient = ?1 OR about = ?1"),
    ("event_places", "person_id = ?1"),
    ("proposals", "proposer_id = ?1"),
    ("proposal_votes", "person_id = ?1"),
];

/// Removes name, contact and credentials from a person's row, clears titles that name them and revokes their
/// passes. Returns how many titles were cleared.
fn anonymise(tx: &Transaction<'_>, person: PersonId, name: &str, now: DateTime<Utc>) -> Result<usize> {
    let titles_cleared = clear_titles(tx, person, name)?;
    tx.execute(
        "UPDATE people SET display_name = ?2, contact = NULL, contact_agreed_at = NULL, language = NULL,
                           rules_version = NULL, first_seen = NULL, last_seen = NULL, erased_at = ?3
         WHERE id = ?1",
        params![person, ERASED_NAME, to_db(now)],
    )?;
    tx.execute("DELETE FROM staff_pins WHERE person_id = ?1", [person])?;
    tx.execute(
        "UPDATE passes SET revoked_at = coalesce(revoked_at, ?2) WHERE person_id = ?1",
        params![person, to_db(now)],
    )?;
    tx.execute("UPDATE queue_tickets SET person_id = NULL WHERE person_id = ?1", [person])?;
    tx.execute("DELETE FROM sign_ups WHERE person_id = ?1", [person])?;
    crate::outbox::forget(tx, person)?;
    Ok(titles_cleared)
}

/// Whether `text` mentions the person: their whole name anywhere, or (for their own records) any word of it.
fn mentions(text: &str, name: &str, any_word: bool) -> bool {
    let text = text.to_lowercase();
    let name = name.to_lowercase();
    text.contains(&name)
        || (any_word && name.split_whitespace().any(|word| word.chars().count() >= 2 && text.contains(word)))
}

/// Replaces booking titles and surgery topics that name the person.
fn clear_titles(tx: &Transaction<'_>, person: PersonId, name: &str) -> Result<usize> {
    let mut cleared = 0;
    for (table, column, owner, neutral) in [
        ("bookings", "title", "CASE WHEN booked_by = ?1 OR booked_for = ?1 THEN 1 ELSE 0 END", "Booking"),
        ("surgeries", "topic", "host_id = ?1", "Drop-in session"),
        ("proposals", "title", "proposer_id = ?1", "Session"),
    ] {
        let found: Vec<(i64, String, bool)> = tx
            .prepare_cached(&format!("SELECT id, {column}, {owner} FROM {table}"))?
            .query_map([person], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<crate::sql::Result<_>>()?;
        for (id, text, own) in found {
            if mentions(&text, name, own) {
                tx.execute(&format!("UPDATE {table} SET {column} = ?2 WHERE id = ?1"), params![id, neutral])?;
                cleared += 1;
            }
        }
    }
    Ok(cleared)
}

impl Store {
    /// Erases personal data older than the site's retention period, keeping anonymous counts. Run daily by each
    /// site's kiosk: its visits and door events go by its own period; a person, pass or message of the network goes
    /// once no site keeps a visit of theirs and the period has passed.
    pub fn purge(&mut self, now: DateTime<Utc>) -> Result<PurgeReport> {
        let here = self.site;
        let report = self.write(|tx| {
            let site = load_site(tx, here)?;
            let cutoff = now - Duration::days(i64::from(site.retention_days));
            let old = to_db(cutoff);

            // Finished visits become counts per local date, hour and reason.
            let visits: Vec<(i64, Option<String>)> = tx
                .prepare_cached(
                    "SELECT checked_in_at, reason FROM visits
                     WHERE checked_out_at IS NOT NULL AND checked_out_at < ?1 AND site_id = ?2",
                )?
                .query_map(params![old, here], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<crate::sql::Result<_>>()?;
            let mut counts: BTreeMap<(String, u32, String), i64> = BTreeMap::new();
            for (checked_in, reason) in &visits {
                let local = from_db(*checked_in).with_timezone(&site.time_zone);
                *counts.entry((local.date_naive().to_string(), local.hour(), reason.clone().unwrap_or_default())).or_default() += 1;
            }
            for ((date, hour, reason), arrivals) in counts {
                tx.execute(
                    "INSERT INTO visit_counts (site_id, date, hour, reason, arrivals) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (site_id, date, hour, reason)
                     DO UPDATE SET arrivals = visit_counts.arrivals + excluded.arrivals",
                    params![here, date, hour, reason, arrivals],
                )?;
            }
            // "Last seen" is read from the latest visit: keep it on the person before their visits go.
            tx.execute(
                "UPDATE people SET last_seen = (SELECT max(checked_out_at) FROM visits v WHERE v.person_id = people.id)
                 WHERE id IN (SELECT person_id FROM visits
                              WHERE checked_out_at IS NOT NULL AND checked_out_at < ?1 AND site_id = ?2)
                   AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.person_id = people.id
                                   AND (v.checked_out_at IS NULL OR v.checked_out_at >= ?1 OR v.site_id != ?2))",
                params![old, here],
            )?;
            tx.execute(
                "DELETE FROM visits WHERE checked_out_at IS NOT NULL AND checked_out_at < ?1 AND site_id = ?2",
                params![old, here],
            )?;

            let passes_deleted = tx.execute(
                "DELETE FROM passes WHERE expires_at < ?1 AND id NOT IN (SELECT pass_id FROM visits WHERE pass_id IS NOT NULL)",
                [old],
            )?;
            let door_events_deleted =
                tx.execute("DELETE FROM door_events WHERE at < ?1 AND site_id = ?2", params![old, here])?;
            let messages_deleted = tx.execute("DELETE FROM messages WHERE created_at < ?1", [old])?;
            // Kiosks' kept movements sent long ago: nothing sends them again after so long.
            tx.execute("DELETE FROM replayed_movements WHERE at < ?1", [old])?;
            let tickets_unlinked = tx.execute(
                "UPDATE queue_tickets SET person_id = NULL WHERE person_id IS NOT NULL AND issued_at < ?1",
                [old],
            )?;

            // Visitors with nothing since the cutoff and nothing to come.
            let visitors: Vec<(PersonId, String)> = tx
                .prepare_cached(
                    "SELECT p.id, p.display_name FROM people p
                     WHERE p.role = 'visitor' AND p.erased_at IS NULL AND coalesce(p.last_seen, p.created_at) < ?1
                       AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.person_id = p.id)
                       AND NOT EXISTS (SELECT 1 FROM bookings b WHERE (b.booked_by = p.id OR b.booked_for = p.id)
                                       AND b.end_utc >= ?1 AND b.status IN ('confirmed', 'checked_in'))
                       AND NOT EXISTS (SELECT 1 FROM slot_seats s JOIN surgery_slots t ON t.id = s.slot_id
                                       WHERE s.person_id = p.id AND t.end_utc >= ?1)
                       AND NOT EXISTS (SELECT 1 FROM event_places x JOIN events e ON e.id = x.event_id
                                       JOIN bookings b ON b.id = e.booking_id
                                       WHERE x.person_id = p.id AND b.end_utc >= ?1 AND x.status != 'cancelled')",
                )?
                .query_map([old], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<crate::sql::Result<_>>()?;
            for (person, name) in &visitors {
                anonymise(tx, *person, name, now)?;
            }
            let sign_ups = crate::sign_ups::expire(tx, now)?;
            for (person, name) in &sign_ups {
                anonymise(tx, *person, name, now)?;
            }
            Ok(PurgeReport {
                cutoff,
                visits_counted: visits.len(),
                visitors_erased: visitors.len(),
                passes_deleted,
                tickets_unlinked,
                door_events_deleted,
                messages_deleted,
                sign_ups_expired: sign_ups.len(),
            })
        })?;
        // Run hourly by the kiosk: the log only needs emptying when something was erased.
        if report.erased_anything() {
            self.truncate_log()?;
        }
        Ok(report)
    }

    /// The right to erasure: the person's name and contact are removed everywhere; their past bookings stay, anonymous.
    pub fn erase_person(&mut self, person: PersonId, now: DateTime<Utc>) -> Result<EraseOutcome> {
        let outcome = self.write(|tx| {
            let found = load_person(tx, person)?;
            let erased: Option<i64> = tx
                .prepare_cached("SELECT erased_at FROM people WHERE id = ?1")?
                .query_row([person], |row| row.get(0))?;
            if erased.is_some() {
                return Ok(EraseOutcome::Refused(EraseRefusal::AlreadyErased));
            }
            let name = found.display_name;
            let on_site: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM visits WHERE person_id = ?1 AND checked_out_at IS NULL)")?
                .query_row([person], |row| row.get(0))?;
            if on_site {
                return Ok(EraseOutcome::Refused(EraseRefusal::OnSite { name }));
            }
            let upcoming: u32 = tx
                .prepare_cached(
                    "SELECT count(*) FROM surgeries WHERE host_id = ?1 AND cancelled_at IS NULL AND end_utc > ?2",
                )?
                .query_row(params![person, to_db(now)], |row| row.get(0))?;
            if upcoming > 0 {
                return Ok(EraseOutcome::Refused(EraseRefusal::HostsSurgeries { name, upcoming }));
            }
            let bookings_cancelled = tx.execute(
                "UPDATE bookings SET status = 'cancelled'
                 WHERE (booked_by = ?1 OR booked_for = ?1) AND status = 'confirmed' AND start_utc > ?2",
                params![person, to_db(now)],
            )?;
            let seats: Vec<(i64, crate::ids::SurgerySlotId)> = tx
                .prepare_cached(
                    "SELECT s.id, s.slot_id FROM slot_seats s JOIN surgery_slots t ON t.id = s.slot_id
                     WHERE s.person_id = ?1 AND s.status IN ('booked', 'waiting') AND t.start_utc > ?2",
                )?
                .query_map(params![person, to_db(now)], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<crate::sql::Result<_>>()?;
            for (seat, slot) in &seats {
                tx.execute("UPDATE slot_seats SET status = 'cancelled' WHERE id = ?1", [seat])?;
                crate::surgeries::promote_next(tx, *slot, now)?;
            }
            let titles_cleared = anonymise(tx, person, &name, now)?;
            Ok(EraseOutcome::Erased(Erasure {
                person,
                bookings_cancelled,
                seats_cancelled: seats.len(),
                titles_cleared,
            }))
        })?;
        self.truncate_log()?;
        Ok(outcome)
    }

    /// Everything held about one person, as JSON-ready records (their PIN hash excepted).
    pub fn person_export(&self, person: PersonId, now: DateTime<Utc>) -> Result<PersonExport> {
        let mut found = rows_where(&self.conn, "people", "id = ?1", [person], &[])?;
        if found.is_empty() {
            return Err(StoreError::not_found(format!("there is no person number {person}")));
        }
        let mut records = BTreeMap::new();
        for (table, filter) in PERSON_RECORDS {
            records.insert((*table).to_owned(), rows_where(&self.conn, table, filter, [person], &["pin_hash"])?);
        }
        Ok(PersonExport {
            format: PERSON_EXPORT_FORMAT.into(),
            version: 1,
            exported_at: to_db(now),
            person: found.remove(0),
            records,
        })
    }

    /// Moves everything in SQLite's write-ahead log into the database file and empties the log, so erased bytes do
    /// not linger there. If a reader holds the log open, the rest waits for SQLite's next automatic checkpoint.
    /// (A PostgreSQL server recycles its own log and vacuums away the erased rows' old versions.)
    fn truncate_log(&self) -> Result<()> {
        if let Connection::Sqlite(conn) = &self.conn {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use crate::bookings::{BookingOutcome, BookingRequest, BookingStatus};
    use crate::passes::PassKey;
    use crate::people::{NewPerson, Role};
    use crate::rooms::NewRoom;
    use crate::site::tests::london_hub;
    use crate::site::tests::london_site;
    use crate::time::Slot;
    use crate::visits::{VisitReason, WalkIn, WalkInOutcome};

    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, day, hour, 0, 0).unwrap()
    }

    fn key() -> PassKey {
        PassKey::from_secret([7; 32])
    }

    /// A visitor who walks in at 10:00 on `day` and leaves at 12:00; returns their id.
    fn visit(store: &mut Store, name: &str, day: u32) -> PersonId {
        let walk_in = WalkIn {
            display_name: name.into(),
            contact: Some(format!("{}@example.org", name.to_lowercase().replace(' ', "."))),
            reason: VisitReason::Working,
            visiting: None,
            agreed_rules_version: 1,
        };
        let WalkInOutcome::CheckedIn { person, .. } = store.walk_in(&key(), &walk_in, at(day, 10)).unwrap() else {
            panic!()
        };
        assert!(store.check_out(person.id, at(day, 12)).unwrap());
        person.id
    }

    fn book(store: &mut Store, person: PersonId, title: &str, start: DateTime<Utc>) -> BookingOutcome {
        let room = match store.rooms().unwrap().first() {
            Some(room) => room.id,
            None => store.add_room(&NewRoom::named("Studio", 6)).unwrap().id,
        };
        let request = BookingRequest {
            room,
            slot: Slot::new(start, start + Duration::hours(1)).unwrap(),
            title: title.into(),
            booked_by: Some(person),
            booked_for: Some(person),
            public: false,
        };
        store.book(&request, at(1, 9)).unwrap()
    }

    #[test]
    fn purge_keeps_the_retention_period_to_the_second_then_leaves_only_counts() {
        let mut store = london_hub(); // keeps 30 days
        let sam = visit(&mut store, "Sam Visitor", 4);
        let left = at(4, 12);

        let early = store.purge(left + Duration::days(30) - Duration::seconds(1)).unwrap();
        assert_eq!((early.visits_counted, early.visitors_erased), (0, 0));
        assert_eq!(store.person(sam).unwrap().display_name, "Sam Visitor");

        let due = store.purge(left + Duration::days(30) + Duration::seconds(1)).unwrap();
        assert_eq!((due.visits_counted, due.visitors_erased), (1, 1));
        let erased = store.person(sam).unwrap();
        assert_eq!((erased.display_name.as_str(), erased.contact), (ERASED_NAME, None));
        let counts: (String, u32, String, i64) = store
            .conn
            .query_row("SELECT date, hour, reason, arrivals FROM visit_counts", [], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .unwrap();
        assert_eq!(counts, ("2027-01-04".into(), 10, "working".into(), 1));
        assert_eq!(store.purge(left + Duration::days(31)).unwrap().visits_counted, 0, "a second run finds nothing");
    }

    #[test]
    fn purge_spares_visitors_with_something_to_come_and_members() {
        let mut store = london_hub();
        let sam = visit(&mut store, "Sam Visitor", 4);
        let booked = visit(&mut store, "Kim Visitor", 4);
        assert!(matches!(
            book(&mut store, booked, "Sewing", at(4, 10) + Duration::days(40)),
            BookingOutcome::Booked(_)
        ));
        let member = store
            .add_person(
                &NewPerson { display_name: "Ada".into(), contact: None, role: Role::Member, rules_version: None },
                at(1, 9),
            )
            .unwrap();
        let report = store.purge(at(4, 12) + Duration::days(35)).unwrap();
        assert_eq!((report.visits_counted, report.visitors_erased), (2, 1));
        assert_eq!(store.person(sam).unwrap().display_name, ERASED_NAME);
        assert_eq!(store.person(booked).unwrap().display_name, "Kim Visitor");
        assert_eq!(store.person(member.id).unwrap().display_name, "Ada");
    }

    #[test]
    fn last_seen_comes_from_the_latest_visit_and_outlives_the_purge() {
        let mut store = london_hub();
        let sam = visit(&mut store, "Sam Visitor", 4);
        assert_eq!(store.person(sam).unwrap().last_seen, Some(at(4, 12)), "the check-out by hand counts too");
        let gone = visit(&mut store, "Kim Visitor", 4);
        // Someone else on the 20th, still on site: their visit is the latest movement.
        let WalkInOutcome::CheckedIn { person: lee, .. } = store
            .walk_in(
                &key(),
                &WalkIn {
                    display_name: "Lee Visitor".into(),
                    contact: None,
                    reason: VisitReason::Working,
                    visiting: None,
                    agreed_rules_version: 1,
                },
                at(20, 9),
            )
            .unwrap()
        else {
            panic!()
        };
        assert!(matches!(book(&mut store, sam, "Sewing", at(4, 10) + Duration::days(40)), BookingOutcome::Booked(_)));
        let report = store.purge(at(4, 12) + Duration::days(35)).unwrap();
        assert_eq!((report.visits_counted, report.visitors_erased), (2, 1), "Sam's visit and Kim's");
        assert_eq!(store.person(sam).unwrap().last_seen, Some(at(4, 12)), "kept after the visit was deleted");
        assert_eq!(store.person(gone).unwrap().last_seen, None, "Kim had nothing to come: erased");
        assert_eq!(store.person(lee.id).unwrap().last_seen, Some(at(20, 9)));
    }

    #[test]
    fn erasure_leaves_no_trace_of_the_name_in_the_database_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        let mut store = Store::open(&path).unwrap();
        store.init_site(&london_site()).unwrap();
        let person = visit(&mut store, "Zephyrine Quibbleworth", 4);
        let BookingOutcome::Booked(past) = book(&mut store, person, "Zephyrine's robotics", at(4, 14)) else {
            panic!()
        };
        let BookingOutcome::Booked(future) = book(&mut store, person, "Robotics", at(20, 14)) else { panic!() };

        let EraseOutcome::Erased(erasure) = store.erase_person(person, at(10, 9)).unwrap() else { panic!() };
        assert_eq!((erasure.bookings_cancelled, erasure.titles_cleared), (1, 1));
        assert_eq!(store.booking(past.id).unwrap().title, "Booking", "past booking kept, anonymous");
        assert_eq!(store.booking(future.id).unwrap().status, BookingStatus::Cancelled);
        assert_eq!(store.erase_person(person, at(10, 9)).unwrap(), EraseOutcome::Refused(EraseRefusal::AlreadyErased));
        drop(store);

        for file in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(file.unwrap().path()).unwrap();
            for trace in [&b"Zephyrine"[..], b"Quibbleworth", b"zephyrine.quibbleworth@"] {
                assert!(!bytes.windows(trace.len()).any(|window| window == trace), "found a trace of the name");
            }
        }
    }

    #[test]
    fn erasure_waits_until_the_person_has_left() {
        let mut store = london_hub();
        let walk_in = WalkIn {
            display_name: "Sam".into(),
            contact: None,
            reason: VisitReason::Other,
            visiting: None,
            agreed_rules_version: 1,
        };
        let WalkInOutcome::CheckedIn { person, .. } = store.walk_in(&key(), &walk_in, at(4, 10)).unwrap() else {
            panic!()
        };
        let refused = store.erase_person(person.id, at(4, 11)).unwrap();
        assert_eq!(refused, EraseOutcome::Refused(EraseRefusal::OnSite { name: "Sam".into() }));
        assert_eq!(store.roll_call().unwrap().len(), 1, "still on the roll-call");
    }

    #[test]
    fn a_person_export_has_their_records_and_not_their_pin_hash() {
        let mut store = london_hub();
        let sam = visit(&mut store, "Sam Visitor", 4);
        book(&mut store, sam, "Sewing", at(6, 14));
        store.add_staff("Pat Staff", &"4821".parse().unwrap(), at(1, 9)).unwrap();
        let export = store.person_export(sam, at(7, 9)).unwrap();
        assert_eq!(export.person["display_name"], "Sam Visitor");
        assert_eq!(export.records["visits"].len(), 1);
        assert_eq!(export.records["bookings"].len(), 1);
        assert_eq!(export.records["passes"].len(), 1);
        let staff = store.people(Some(Role::Staff)).unwrap()[0].id;
        let pins = &store.person_export(staff, at(7, 9)).unwrap().records["staff_pins"];
        assert_eq!(pins.len(), 1);
        assert!(!pins[0].contains_key("pin_hash"));
        assert!(store.person_export(PersonId(999), at(7, 9)).is_err());
    }
}
