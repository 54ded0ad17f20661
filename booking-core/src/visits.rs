//! Check-in and check-out: what happens when a pass is scanned, and walk-in registration.

use std::str::FromStr;

use crate::sql::{Connection, OptionalExtension, Transaction, params};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::ids::{BookingId, EventPlaceId, PassId, PersonId, SeatId, SiteId, VisitId};
use crate::outbox::{self, MessageFacts};
use crate::passes::{IssuedPass, NewPass, PassKey, PassRefusal, insert_pass, verify};
use crate::people::{NewPerson, Person, Role, insert_person, load_person};
use crate::site::load_site;
use crate::time::{Slot, from_db, local_day, to_db};

/// A second scan of the same pass within this time is taken as the same scan, not a check-out.
pub const REPEAT_SCAN_WINDOW: Duration = Duration::seconds(10);
/// A booking or surgery seat starting within this time of a check-in is checked in with the person.
pub const ARRIVAL_WINDOW: Duration = Duration::minutes(30);

/// What brings a walk-in visitor: a few big choices on the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitReason {
    VisitingSomeone,
    Surgery,
    Event,
    Working,
    Other,
}

impl VisitReason {
    pub fn as_str(self) -> &'static str {
        match self {
            VisitReason::VisitingSomeone => "visiting_someone",
            VisitReason::Surgery => "surgery",
            VisitReason::Event => "event",
            VisitReason::Working => "working",
            VisitReason::Other => "other",
        }
    }
}

impl FromStr for VisitReason {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<VisitReason> {
        match text.trim().to_lowercase().replace(['-', ' '], "_").as_str() {
            "visiting_someone" | "visiting" => Ok(VisitReason::VisitingSomeone),
            "surgery" => Ok(VisitReason::Surgery),
            "event" => Ok(VisitReason::Event),
            "working" | "work" => Ok(VisitReason::Working),
            "other" => Ok(VisitReason::Other),
            other => Err(StoreError::invalid(format!(
                "unknown reason \"{other}\": choose visiting, surgery, event, working or other"
            ))),
        }
    }
}

/// Something a person has at the hub today, shown when they check in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TodayItem {
    Booking { id: BookingId, room: String, title: String, time: Slot },
    SurgerySeat { seat: SeatId, topic: String, place: String, time: Slot },
    EventPlace { place: EventPlaceId, title: String, room: String, time: Slot },
}

impl TodayItem {
    pub fn time(&self) -> Slot {
        match self {
            TodayItem::Booking { time, .. }
            | TodayItem::SurgerySeat { time, .. }
            | TodayItem::EventPlace { time, .. } => *time,
        }
    }
}

/// What a scan did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ScanOutcome {
    CheckedIn {
        person: Person,
        visit: VisitId,
        today: Vec<TodayItem>,
        arrived_for: Vec<TodayItem>,
    },
    CheckedOut {
        person: Person,
        visit: VisitId,
        stayed: Slot,
    },
    /// The same pass was scanned again within a few seconds: nothing was done twice.
    Repeat {
        person: Person,
        on_site: bool,
    },
    /// Checked in (or out) while the network's server could not be reached: kept on this kiosk and sent when the
    /// server is back (`spool.rs`). The person is told as usual.
    Kept {
        person: Person,
        checked_in: bool,
    },
    Refused(PassRefusal),
}

/// Someone who came to see a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostVisitor {
    pub display_name: String,
    pub arrived: DateTime<Utc>,
    pub on_site: bool,
}

/// A walk-in registration from the kiosk.
#[derive(Debug, Clone)]
pub struct WalkIn {
    pub display_name: String,
    pub contact: Option<String>,
    pub reason: VisitReason,
    pub visiting: Option<PersonId>,
    /// The house-rules version the person agreed to on screen.
    pub agreed_rules_version: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[expect(clippy::large_enum_variant, reason = "made once per registration, never stored in bulk")]
pub enum WalkInOutcome {
    CheckedIn {
        person: Person,
        visit: VisitId,
        pass: IssuedPass,
        host_to_notify: Option<Person>,
    },
    /// The rules changed since the screen was shown; show them again.
    RulesNotAgreed {
        current_version: u32,
    },
}

/// A person's latest visit. Their open visit, if any, is always the latest (nobody checks in twice), so one indexed
/// probe answers both "are they on site?" and "when did they last come or go?".
#[derive(Debug, Clone, Copy)]
pub(crate) struct LatestVisit {
    pub(crate) id: VisitId,
    pub(crate) site: SiteId,
    pub(crate) checked_in: DateTime<Utc>,
    pub(crate) checked_out: Option<DateTime<Utc>>,
}

impl LatestVisit {
    /// The visit and its start, if the person has not left.
    pub(crate) fn open(&self) -> Option<(VisitId, DateTime<Utc>)> {
        self.checked_out.is_none().then_some((self.id, self.checked_in))
    }

    /// The visit and its start, if the person has not left `site`.
    pub(crate) fn open_at(&self, site: SiteId) -> Option<(VisitId, DateTime<Utc>)> {
        self.open().filter(|_| self.site == site)
    }

    /// Their latest check-in or check-out, for the repeat-scan window.
    fn last_movement(&self) -> DateTime<Utc> {
        self.checked_out.unwrap_or(self.checked_in).max(self.checked_in)
    }
}

pub(crate) fn latest_visit(conn: &Connection, person: PersonId) -> Result<Option<LatestVisit>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, checked_in_at, checked_out_at, site_id FROM visits WHERE person_id = ?1
             ORDER BY checked_in_at DESC, id DESC LIMIT 1",
        )?
        .query_row([person], |row| {
            Ok(LatestVisit {
                id: row.get(0)?,
                site: row.get(3)?,
                checked_in: from_db(row.get(1)?),
                checked_out: row.get::<_, Option<i64>>(2)?.map(from_db),
            })
        })
        .optional()?)
}

pub(crate) fn insert_visit(
    tx: &Transaction<'_>,
    site: SiteId,
    person: PersonId,
    pass: Option<PassId>,
    reason: Option<VisitReason>,
    visiting: Option<PersonId>,
    now: DateTime<Utc>,
) -> Result<VisitId> {
    tx.prepare_cached(
        "INSERT INTO visits (person_id, pass_id, reason, visiting_host, checked_in_at, site_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![person, pass, reason.map(VisitReason::as_str), visiting, to_db(now), site])?;
    let visit = VisitId(tx.last_insert_rowid()?);
    // Only a first visit writes the person's row: "last seen" is read from the visits themselves.
    tx.prepare_cached("UPDATE people SET first_seen = ?2 WHERE id = ?1 AND first_seen IS NULL")?
        .execute(params![person, to_db(now)])?;
    Ok(visit)
}

/// The person's bookings, surgery seats and event places at `site` on `day`, in start order: one query, as every
/// check-in asks it.
fn today_items(conn: &Connection, site: SiteId, person: PersonId, day: Slot) -> Result<Vec<TodayItem>> {
    let mut statement = conn.prepare_cached(
        "SELECT 0, b.id, b.title, r.name, b.start_utc, b.end_utc FROM bookings b JOIN rooms r ON r.id = b.room_id
         WHERE (b.booked_for = ?1 OR (b.booked_for IS NULL AND b.booked_by = ?1))
           AND b.status IN ('confirmed', 'checked_in') AND b.end_utc > ?2 AND b.start_utc < ?3 AND r.site_id = ?4
         UNION ALL
         SELECT 1, seat.id, g.topic, g.place, s.start_utc, s.end_utc
         FROM slot_seats seat JOIN surgery_slots s ON s.id = seat.slot_id JOIN surgeries g ON g.id = s.surgery_id
         WHERE seat.person_id = ?1 AND seat.status IN ('booked', 'arrived') AND g.cancelled_at IS NULL
           AND s.end_utc > ?2 AND s.start_utc < ?3 AND g.site_id = ?4
         UNION ALL
         SELECT 2, x.id, b.title, r.name, b.start_utc, b.end_utc
         FROM event_places x JOIN events e ON e.id = x.event_id JOIN bookings b ON b.id = e.booking_id
         JOIN rooms r ON r.id = b.room_id
         WHERE x.person_id = ?1 AND x.status IN ('registered', 'came') AND e.cancelled_at IS NULL
           AND b.end_utc > ?2 AND b.start_utc < ?3 AND r.site_id = ?4
         ORDER BY 5, 1, 2",
    )?;
    let rows = statement.query_map(params![person, to_db(day.start()), to_db(day.end()), site], |row| {
        Ok((row.get::<_, u8>(0)?, row.get::<_, i64>(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?))
    })?;
    let mut items = Vec::new();
    for row in rows {
        let (kind, id, what, place, start, end) = row?;
        let time = Slot::new(from_db(start), from_db(end))?;
        items.push(match kind {
            0 => TodayItem::Booking { id: BookingId(id), room: place, title: what, time },
            1 => TodayItem::SurgerySeat { seat: SeatId(id), topic: what, place, time },
            _ => TodayItem::EventPlace { place: EventPlaceId(id), title: what, room: place, time },
        });
    }
    Ok(items)
}

/// What checking `person` in at `site` at `now` means for their day: their bookings, seats and places there today,
/// and those it marks as arrived (whose drop-in hosts are told).
pub(crate) fn arrive(
    tx: &Transaction<'_>,
    site: SiteId,
    person: &Person,
    now: DateTime<Utc>,
) -> Result<(Vec<TodayItem>, Vec<TodayItem>)> {
    let zone = load_site(tx, site)?.time_zone;
    let today = today_items(tx, site, person.id, local_day(zone, now.with_timezone(&zone).date_naive()))?;
    let arrived_for = mark_arrivals(tx, &today, now)?;
    tell_hosts(tx, person, &arrived_for, now)?;
    Ok((today, arrived_for))
}

/// Marks as arrived the bookings and seats that start within the arrival window or are under way.
fn mark_arrivals(tx: &Transaction<'_>, today: &[TodayItem], now: DateTime<Utc>) -> Result<Vec<TodayItem>> {
    let mut arrived = Vec::new();
    for item in today {
        let (time, update, id) = match item {
            TodayItem::Booking { id, time, .. } => {
                (time, "UPDATE bookings SET status = 'checked_in' WHERE id = ?1 AND status = 'confirmed'", id.0)
            }
            TodayItem::SurgerySeat { seat, time, .. } => {
                (time, "UPDATE slot_seats SET status = 'arrived' WHERE id = ?1 AND status = 'booked'", seat.0)
            }
            TodayItem::EventPlace { place, time, .. } => {
                (time, "UPDATE event_places SET status = 'came' WHERE id = ?1 AND status = 'registered'", place.0)
            }
        };
        let due = time.start() <= now + ARRIVAL_WINDOW && time.end() > now;
        if due && tx.execute(update, [id])? == 1 {
            arrived.push(item.clone());
        }
    }
    Ok(arrived)
}

/// Tells the host of each drop-in session `person` has just arrived for (a message in the outbox, in this
/// transaction).
fn tell_hosts(tx: &Transaction<'_>, person: &Person, arrived_for: &[TodayItem], now: DateTime<Utc>) -> Result<()> {
    for item in arrived_for {
        if let TodayItem::SurgerySeat { seat, topic, .. } = item {
            let host: PersonId = tx
                .prepare_cached(
                    "SELECT s.host_id FROM slot_seats x JOIN surgery_slots t ON t.id = x.slot_id
                     JOIN surgeries s ON s.id = t.surgery_id WHERE x.id = ?1",
                )?
                .query_row([seat], |row| row.get(0))?;
            let facts = MessageFacts::VisitorArrived {
                visitor: person.display_name.clone(),
                at: now,
                session: Some(topic.clone()),
            };
            outbox::enqueue(tx, host, Some(person.id), &facts, now)?;
        }
    }
    Ok(())
}

impl Store {
    /// Exactly what the kiosk does when a code is scanned: verify it, then check the holder in, or out if they are
    /// on site. A repeat scan within [`REPEAT_SCAN_WINDOW`] does nothing. Someone still on the roll of another
    /// site of the network (who left it without scanning) is checked out there as they check in here. The change
    /// is committed (and, with `synchronous=FULL`, on disk) before this returns.
    pub fn scan(&mut self, key: &PassKey, text: &str, now: DateTime<Utc>) -> Result<ScanOutcome> {
        // What was kept goes first, so the server gets every person's movements in the order they happened; while it
        // cannot, this scan is kept after them.
        if self.spool_is_waiting()? && self.sync_spool(now).is_err() {
            return self.scan_offline(key, text, now).unwrap_or(Err(StoreError::Offline));
        }
        match self.scan_online(key, text, now) {
            Err(StoreError::Offline) => self.scan_offline(key, text, now).unwrap_or(Err(StoreError::Offline)),
            Ok(outcome) => {
                self.scan_seen(&outcome, now)?;
                Ok(outcome)
            }
            failed => failed,
        }
    }

    fn scan_online(&mut self, key: &PassKey, text: &str, now: DateTime<Utc>) -> Result<ScanOutcome> {
        let site = self.site;
        self.write(|tx| {
            let pass = match verify(tx, key, site, text, now)? {
                Ok(pass) => pass,
                Err(refusal) => return Ok(ScanOutcome::Refused(refusal)),
            };
            let person = load_person(tx, pass.person_id)?;
            let latest = latest_visit(tx, person.id)?;
            let open = latest.and_then(|visit| visit.open_at(site));
            if let Some(last) = latest.filter(|visit| visit.site == site).map(|visit| visit.last_movement())
                && now - last < REPEAT_SCAN_WINDOW
                && now >= last
            {
                return Ok(ScanOutcome::Repeat { person, on_site: open.is_some() });
            }
            if let Some((visit, since)) = latest.and_then(|visit| visit.open()) {
                tx.prepare_cached("UPDATE visits SET checked_out_at = ?2 WHERE id = ?1")?
                    .execute(params![visit, to_db(now.max(since))])?;
                if open.is_some() {
                    return Ok(ScanOutcome::CheckedOut {
                        person,
                        visit,
                        stayed: Slot::new(since, now.max(since + Duration::seconds(1)))?,
                    });
                }
            }
            let visit = insert_visit(tx, site, person.id, Some(pass.id), None, None, now)?;
            let (today, arrived_for) = arrive(tx, site, &person, now)?;
            // As `insert_visit` just stored them.
            let person = Person { first_seen: person.first_seen.or(Some(now)), last_seen: Some(now), ..person };
            Ok(ScanOutcome::CheckedIn { person, visit, today, arrived_for })
        })
    }

    /// Registers a walk-in: creates the person and a day pass, and checks them in, all or nothing.
    pub fn walk_in(&mut self, key: &PassKey, walk_in: &WalkIn, now: DateTime<Utc>) -> Result<WalkInOutcome> {
        let here = self.site;
        self.write(|tx| {
            let site = load_site(tx, here)?;
            if walk_in.agreed_rules_version != site.house_rules_version {
                return Ok(WalkInOutcome::RulesNotAgreed { current_version: site.house_rules_version });
            }
            let host = match walk_in.visiting {
                Some(id) => {
                    let host = load_person(tx, id)?;
                    if host.role == Role::Visitor {
                        return Err(StoreError::invalid(format!(
                            "{} is a visitor, not someone who hosts",
                            host.display_name
                        )));
                    }
                    Some(host)
                }
                None => None,
            };
            let new = NewPerson {
                display_name: walk_in.display_name.clone(),
                contact: walk_in.contact.clone(),
                role: Role::Visitor,
                rules_version: Some(walk_in.agreed_rules_version),
            };
            let person = insert_person(tx, &new, now)?;
            let pass = insert_pass(tx, key, here, person, NewPass::Day, now)?;
            let visit =
                insert_visit(tx, here, person, Some(pass.pass.id), Some(walk_in.reason), walk_in.visiting, now)?;
            let person = load_person(tx, person)?;
            if let Some(host) = &host {
                let facts =
                    MessageFacts::VisitorArrived { visitor: person.display_name.clone(), at: now, session: None };
                outbox::enqueue(tx, host.id, Some(person.id), &facts, now)?;
            }
            Ok(WalkInOutcome::CheckedIn { person, visit, pass, host_to_notify: host })
        })
    }

    /// Checks a person out of this site by hand (staff at the desk, or someone who left without scanning).
    /// Returns false if they were not on site.
    pub fn check_out(&mut self, person: PersonId, now: DateTime<Utc>) -> Result<bool> {
        let site = self.site;
        self.write(|tx| {
            load_person(tx, person)?;
            let changed = tx.execute(
                "UPDATE visits SET checked_out_at = CASE WHEN checked_in_at > ?2 THEN checked_in_at ELSE ?2 END
                 WHERE person_id = ?1 AND checked_out_at IS NULL AND site_id = ?3",
                params![person, to_db(now), site],
            )?;
            Ok(changed == 1)
        })
    }

    /// People who came to see `host` since `since`, earliest first: what the host's own view shows.
    pub fn visitors_for(&self, host: PersonId, since: DateTime<Utc>) -> Result<Vec<HostVisitor>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT p.display_name, v.checked_in_at, v.checked_out_at IS NULL
             FROM visits v JOIN people p ON p.id = v.person_id
             WHERE v.visiting_host = ?1 AND v.checked_in_at >= ?2 ORDER BY v.checked_in_at",
        )?;
        let visitors = statement
            .query_map(params![host, to_db(since)], |row| {
                Ok(HostVisitor { display_name: row.get(0)?, arrived: from_db(row.get(1)?), on_site: row.get(2)? })
            })?
            .collect::<crate::sql::Result<_>>()?;
        Ok(visitors)
    }

    /// Whether a person is on site (at this site) now.
    pub fn is_on_site(&self, person: PersonId) -> Result<bool> {
        Ok(latest_visit(&self.conn, person)?.is_some_and(|visit| visit.open_at(self.site).is_some()))
    }

    /// The person's bookings and surgery seats here on the local day of `now`.
    pub fn today_for(&self, person: PersonId, now: DateTime<Utc>) -> Result<Vec<TodayItem>> {
        let zone = self.site()?.time_zone;
        load_person(&self.conn, person)?;
        today_items(&self.conn, self.site, person, local_day(zone, now.with_timezone(&zone).date_naive()))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use crate::bookings::{BookingOutcome, BookingRequest, BookingStatus};
    use crate::passes::{PassClaim, PassKind, encode_pass};
    use crate::rooms::NewRoom;
    use crate::site::tests::london_hub;

    use super::*;

    fn at(hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 5, hour, minute, second).unwrap()
    }

    fn key() -> PassKey {
        PassKey::from_secret([3; 32])
    }

    fn member(store: &mut Store, name: &str) -> (Person, String) {
        let new = NewPerson { display_name: name.into(), contact: None, role: Role::Member, rules_version: Some(1) };
        let person = store.add_person(&new, at(8, 0, 0)).unwrap();
        let pass = store.issue_pass(&key(), person.id, NewPass::Member, at(8, 0, 0)).unwrap();
        (person, pass.payload)
    }

    #[test]
    fn scan_checks_in_ignores_a_repeat_then_checks_out() {
        let mut store = london_hub();
        let (ada, pass) = member(&mut store, "Ada Lovelace");
        let ScanOutcome::CheckedIn { person, .. } = store.scan(&key(), &pass, at(9, 0, 0)).unwrap() else { panic!() };
        assert_eq!(person.first_name(), "Ada");
        assert_eq!(person.first_seen, Some(at(9, 0, 0)));
        assert!(matches!(store.scan(&key(), &pass, at(9, 0, 4)).unwrap(), ScanOutcome::Repeat { on_site: true, .. }));
        assert!(store.is_on_site(ada.id).unwrap());
        let ScanOutcome::CheckedOut { stayed, .. } = store.scan(&key(), &pass, at(12, 30, 0)).unwrap() else {
            panic!()
        };
        assert_eq!(stayed.minutes(), 210);
        assert!(matches!(
            store.scan(&key(), &pass, at(12, 30, 3)).unwrap(),
            ScanOutcome::Repeat { on_site: false, .. }
        ));
        assert!(!store.is_on_site(ada.id).unwrap());
    }

    #[test]
    fn checking_in_also_checks_in_a_booking_about_to_start() {
        let mut store = london_hub();
        let (ada, pass) = member(&mut store, "Ada");
        let room = store.add_room(&NewRoom::named("Studio", 6)).unwrap();
        let request = BookingRequest {
            room: room.id,
            slot: Slot::new(at(10, 0, 0), at(11, 0, 0)).unwrap(),
            title: "Robotics".into(),
            booked_by: Some(ada.id),
            booked_for: Some(ada.id),
            public: false,
        };
        let BookingOutcome::Booked(booking) = store.book(&request, at(8, 0, 0)).unwrap() else { panic!() };
        let ScanOutcome::CheckedIn { today, arrived_for, .. } = store.scan(&key(), &pass, at(9, 40, 0)).unwrap() else {
            panic!()
        };
        assert_eq!(today.len(), 1);
        assert_eq!(arrived_for, today);
        assert_eq!(store.booking(booking.id).unwrap().status, BookingStatus::CheckedIn);
    }

    #[test]
    fn refusals_change_nothing() {
        let mut store = london_hub();
        let (ada, pass) = member(&mut store, "Ada");
        let forged = encode_pass(
            &PassClaim { kind: PassKind::Member, pass_id: crate::ids::PassId(999), expires_at: at(23, 0, 0) },
            &key(),
        );
        assert_eq!(store.scan(&key(), &forged, at(9, 0, 0)).unwrap(), ScanOutcome::Refused(PassRefusal::Unknown));
        assert_eq!(
            store.scan(&PassKey::from_secret([4; 32]), &pass, at(9, 0, 0)).unwrap(),
            ScanOutcome::Refused(PassRefusal::BadSignature)
        );
        let pass_id = store.verify_pass(&key(), &pass, at(9, 0, 0)).unwrap().unwrap().id;
        assert!(store.revoke_pass(pass_id, at(9, 0, 0)).unwrap());
        assert_eq!(store.scan(&key(), &pass, at(9, 1, 0)).unwrap(), ScanOutcome::Refused(PassRefusal::Revoked));
        assert!(!store.is_on_site(ada.id).unwrap());
        assert!(store.roll_call().unwrap().is_empty());
    }

    #[test]
    fn walk_in_registers_issues_a_day_pass_and_checks_in() {
        let mut store = london_hub();
        let host = store
            .add_person(
                &NewPerson { display_name: "Grace".into(), contact: None, role: Role::Host, rules_version: None },
                at(8, 0, 0),
            )
            .unwrap();
        let walk_in = WalkIn {
            display_name: "Sam Visitor".into(),
            contact: None,
            reason: VisitReason::VisitingSomeone,
            visiting: Some(host.id),
            agreed_rules_version: 1,
        };
        let WalkInOutcome::CheckedIn { person, pass, host_to_notify, .. } =
            store.walk_in(&key(), &walk_in, at(10, 0, 0)).unwrap()
        else {
            panic!()
        };
        assert_eq!(host_to_notify.map(|h| h.id), Some(host.id));
        assert_eq!(person.rules_version, Some(1));
        // The day pass runs out at local midnight and works for a check-out later that day.
        assert_eq!(pass.pass.expires_at, Utc.with_ymd_and_hms(2027, 1, 6, 0, 0, 0).unwrap());
        assert!(matches!(store.scan(&key(), &pass.payload, at(15, 0, 0)).unwrap(), ScanOutcome::CheckedOut { .. }));
        let visitors = store.visitors_for(host.id, at(0, 0, 0)).unwrap();
        assert_eq!(
            visitors,
            vec![HostVisitor { display_name: "Sam Visitor".into(), arrived: at(10, 0, 0), on_site: false }]
        );
        assert!(store.visitors_for(host.id, at(10, 0, 1)).unwrap().is_empty());
        let stale = WalkIn { agreed_rules_version: 0, ..walk_in };
        assert_eq!(
            store.walk_in(&key(), &stale, at(10, 0, 0)).unwrap(),
            WalkInOutcome::RulesNotAgreed { current_version: 1 }
        );
    }

    #[test]
    fn occupancy_counts_people_and_arrivals_by_local_hour() {
        let mut store = london_hub();
        let (_, first) = member(&mut store, "Ada");
        let (_, second) = member(&mut store, "Bo");
        store.scan(&key(), &first, at(9, 5, 0)).unwrap();
        store.scan(&key(), &second, at(9, 50, 0)).unwrap();
        store.scan(&key(), &second, at(11, 0, 0)).unwrap();
        let occupancy = store.occupancy(at(11, 30, 0)).unwrap();
        assert_eq!(occupancy.on_site, 1);
        assert_eq!(occupancy.arrivals_per_hour[9], 2);
        assert_eq!(occupancy.arrivals_per_hour.iter().sum::<u32>(), 2);
        assert_eq!(store.roll_call().unwrap().len(), 1);
        assert_eq!(occupancy.percent_of_capacity, 1);
    }
}
