//! Surgeries: drop-in advice sessions. A host runs a session split into slots; each slot has as many seats as
//! there are advisers. Visitors book a seat or join the slot's waiting list; walk-ins take a numbered ticket.

use crate::sql::{Connection, OptionalExtension, Transaction, params};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::booker::{Booker, Found, Refused};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::ids::{PersonId, SeatId, SiteId, SurgeryId, SurgerySlotId, TicketId};
use crate::outbox;
use crate::passes::{IssuedPass, NewPass, PassKey, insert_pass};
use crate::people::{Role, load_person};
use crate::refusal::Refusal;
use crate::site::load_site;
use crate::text;
use crate::time::{Slot, from_db, to_db};

/// Seat statuses that hold one of the slot's seats.
const HOLDS_SEAT: &str = "('booked', 'arrived', 'seen')";

#[derive(Debug, Clone)]
pub struct NewSurgery {
    pub topic: String,
    pub host: PersonId,
    pub place: String,
    pub time: Slot,
    pub slot_minutes: u32,
    /// Seats per slot: how many advisers see people at once.
    pub seats_per_slot: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Surgery {
    pub id: SurgeryId,
    /// The site it is held at.
    pub site: SiteId,
    pub topic: String,
    pub host_id: PersonId,
    pub host_name: String,
    pub place: String,
    pub time: Slot,
    pub slot_minutes: u32,
    pub seats_per_slot: u32,
    pub cancelled: bool,
    /// Why the host called it off, in their words (for the public page).
    pub cancel_reason: Option<String>,
    pub slots: Vec<SurgerySlot>,
}

/// What a host may change about a session once it is planned: its time stays (people have booked it), so a new
/// time is a new session.
#[derive(Debug, Clone)]
pub struct SurgeryEdit {
    pub topic: String,
    pub place: String,
    pub seats_per_slot: u32,
}

/// Someone holding, or waiting for, a place in a session: what the host sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatHolder {
    pub seat: SeatId,
    pub slot: SurgerySlotId,
    pub slot_start: DateTime<Utc>,
    pub person_id: PersonId,
    pub display_name: String,
    pub status: SeatStatus,
}

/// Where a place in a session stands. Stored as its `as_str` word (the schema's CHECK lists the same words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatStatus {
    Booked,
    Arrived,
    Seen,
    NoShow,
    Waiting,
    Cancelled,
}

impl SeatStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SeatStatus::Booked => "booked",
            SeatStatus::Arrived => "arrived",
            SeatStatus::Seen => "seen",
            SeatStatus::NoShow => "no_show",
            SeatStatus::Waiting => "waiting",
            SeatStatus::Cancelled => "cancelled",
        }
    }
}

impl rusqlite::types::FromSql for SeatStatus {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let all = [
            SeatStatus::Booked,
            SeatStatus::Arrived,
            SeatStatus::Seen,
            SeatStatus::NoShow,
            SeatStatus::Waiting,
            SeatStatus::Cancelled,
        ];
        let text = value.as_str()?;
        all.into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| rusqlite::types::FromSqlError::Other(format!("no seat status {text:?}").into()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SurgerySlot {
    pub id: SurgerySlotId,
    pub time: Slot,
    pub seats: u32,
    pub taken: u32,
    pub waiting: u32,
}

impl SurgerySlot {
    pub fn free(&self) -> u32 {
        self.seats.saturating_sub(self.taken)
    }
}

/// What to do when the slot is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenFull {
    Refuse,
    JoinWaitingList,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SeatOutcome {
    Booked {
        seat: SeatId,
    },
    /// The slot was full; the person is `position` on its waiting list (1 = next).
    Waiting {
        seat: SeatId,
        position: u32,
    },
    Refused(SeatRefusal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SeatRefusal {
    Full,
    AlreadyBooked,
    SurgeryCancelled,
    SlotOver,
}

impl Refusal for SeatRefusal {
    fn code(&self) -> &'static str {
        match self {
            SeatRefusal::Full => "full",
            SeatRefusal::AlreadyBooked => "already_booked",
            SeatRefusal::SurgeryCancelled => "cancelled",
            SeatRefusal::SlotOver => "over",
        }
    }
}

/// A place a [`Booker`] took: a seat, or a place on the waiting list (1 = next), and the day pass a newcomer gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceTaken {
    pub seat: SeatId,
    pub waiting_position: Option<u32>,
    pub pass: Option<IssuedPass>,
}

/// A freed seat and who, if anyone, moved up from the waiting list into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SeatCancelled {
    pub seat: SeatId,
    pub promoted: Option<(SeatId, PersonId)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Waiting,
    Called,
    Seen,
    NoShow,
}

impl TicketStatus {
    fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Waiting => "waiting",
            TicketStatus::Called => "called",
            TicketStatus::Seen => "seen",
            TicketStatus::NoShow => "no_show",
        }
    }

    fn parse(text: &str) -> TicketStatus {
        match text {
            "called" => TicketStatus::Called,
            "seen" => TicketStatus::Seen,
            "no_show" => TicketStatus::NoShow,
            _ => TicketStatus::Waiting,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ticket {
    pub id: TicketId,
    pub surgery_id: SurgeryId,
    pub number: u32,
    pub person_id: Option<PersonId>,
    pub status: TicketStatus,
    pub issued_at: DateTime<Utc>,
}

/// A new ticket and how many people are ahead of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketIssued {
    pub ticket: Ticket,
    pub ahead: u32,
}

fn load_slots(conn: &Connection, surgery: SurgeryId) -> Result<Vec<SurgerySlot>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT s.id, s.start_utc, s.end_utc, s.seats,
                (SELECT count(*) FROM slot_seats WHERE slot_id = s.id AND status IN {HOLDS_SEAT}),
                (SELECT waiting FROM slot_waiting w WHERE w.slot_id = s.id)
         FROM surgery_slots s WHERE s.surgery_id = ?1 ORDER BY s.start_utc"
    ))?;
    let slots = statement
        .query_map([surgery], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?)))?
        .map(|row| {
            let (id, start, end, seats, taken, waiting) = row?;
            Ok(SurgerySlot { id, time: Slot::new(from_db(start), from_db(end))?, seats, taken, waiting })
        })
        .collect::<Result<_>>()?;
    Ok(slots)
}

fn load_surgery(conn: &Connection, id: SurgeryId) -> Result<Surgery> {
    let row = conn
        .prepare_cached(
            "SELECT s.topic, s.host_id, p.display_name, s.place, s.start_utc, s.end_utc, s.slot_minutes,
                    s.seats_per_slot, s.cancelled_at IS NOT NULL, s.cancel_reason, s.site_id
             FROM surgeries s JOIN people p ON p.id = s.host_id WHERE s.id = ?1",
        )?
        .query_row([id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get(4)?,
                row.get(5)?,
                row.get(6)?,
                row.get(7)?,
                row.get(8)?,
                row.get(9)?,
                row.get(10)?,
            ))
        })
        .optional()?;
    let Some((
        topic,
        host_id,
        host_name,
        place,
        start,
        end,
        slot_minutes,
        seats_per_slot,
        cancelled,
        cancel_reason,
        site,
    )) = row
    else {
        return Err(StoreError::not_found(format!("there is no surgery number {id}")));
    };
    Ok(Surgery {
        id,
        site,
        topic,
        host_id,
        host_name,
        place,
        time: Slot::new(from_db(start), from_db(end))?,
        slot_minutes,
        seats_per_slot,
        cancelled,
        cancel_reason,
        slots: load_slots(conn, id)?,
    })
}

/// The slot's surgery and time, for rules that depend on them.
fn slot_context(conn: &Connection, slot: SurgerySlotId) -> Result<(SurgeryId, Slot, bool)> {
    let row = conn
        .prepare_cached(
            "SELECT s.surgery_id, s.start_utc, s.end_utc, g.cancelled_at IS NOT NULL
             FROM surgery_slots s JOIN surgeries g ON g.id = s.surgery_id WHERE s.id = ?1",
        )?
        .query_row([slot], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
        .optional()?;
    let (surgery, start, end, cancelled) =
        row.ok_or_else(|| StoreError::not_found(format!("there is no surgery slot number {slot}")))?;
    Ok((surgery, Slot::new(from_db(start), from_db(end))?, cancelled))
}

/// Moves the longest-waiting person on `slot`'s waiting list into a free seat, if there is one, and tells them.
pub(crate) fn promote_next(
    tx: &Transaction<'_>,
    slot: SurgerySlotId,
    now: DateTime<Utc>,
) -> Result<Option<(SeatId, PersonId)>> {
    let free: bool = tx
        .prepare_cached(&format!(
            "SELECT (SELECT seats FROM surgery_slots WHERE id = ?1)
                  > (SELECT count(*) FROM slot_seats WHERE slot_id = ?1 AND status IN {HOLDS_SEAT})"
        ))?
        .query_row([slot], |row| row.get(0))?;
    if !free {
        return Ok(None);
    }
    let next: Option<(SeatId, PersonId)> = tx
        .prepare_cached(
            "SELECT id, person_id FROM slot_seats WHERE slot_id = ?1 AND status = 'waiting' ORDER BY id LIMIT 1",
        )?
        .query_row([slot], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    if let Some((seat, _)) = next {
        tx.execute("UPDATE slot_seats SET status = 'booked' WHERE id = ?1", [seat])?;
        outbox::tell_promoted(tx, seat, now)?;
    }
    Ok(next)
}

fn ticket_from_row(row: &crate::sql::Row<'_>) -> crate::sql::Result<Ticket> {
    Ok(Ticket {
        id: row.get(0)?,
        surgery_id: row.get(1)?,
        number: row.get(2)?,
        person_id: row.get(3)?,
        status: TicketStatus::parse(&row.get::<_, String>(4)?),
        issued_at: from_db(row.get(5)?),
    })
}

const TICKET_COLUMNS: &str = "id, surgery_id, number, person_id, status, issued_at";

/// Why `person` (or a newcomer, `None`) cannot have a place in `slot` now, if there is a reason.
fn seat_refusal(
    tx: &Transaction<'_>,
    slot: SurgerySlotId,
    person: Option<PersonId>,
    when_full: WhenFull,
    now: DateTime<Utc>,
) -> Result<Option<SeatRefusal>> {
    let (_, time, cancelled) = slot_context(tx, slot)?;
    if cancelled {
        return Ok(Some(SeatRefusal::SurgeryCancelled));
    }
    if time.end() <= now {
        return Ok(Some(SeatRefusal::SlotOver));
    }
    if let Some(person) = person {
        let already: bool = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM slot_seats WHERE slot_id = ?1 AND person_id = ?2
                            AND status IN ('booked', 'arrived', 'seen', 'waiting'))",
            )?
            .query_row(params![slot, person], |row| row.get(0))?;
        if already {
            return Ok(Some(SeatRefusal::AlreadyBooked));
        }
    }
    if when_full == WhenFull::Refuse && !slot_has_room(tx, slot)? {
        return Ok(Some(SeatRefusal::Full));
    }
    Ok(None)
}

fn slot_has_room(tx: &Transaction<'_>, slot: SurgerySlotId) -> Result<bool> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT seats > (SELECT count(*) FROM slot_seats WHERE slot_id = ?1 AND status IN {HOLDS_SEAT})
             FROM surgery_slots WHERE id = ?1"
        ))?
        .query_row([slot], |row| row.get(0))?)
}

/// Gives `person` a seat in `slot`, or a waiting-list place when it is full and they want that.
fn insert_seat(
    tx: &Transaction<'_>,
    slot: SurgerySlotId,
    person: PersonId,
    when_full: WhenFull,
    now: DateTime<Utc>,
) -> Result<SeatOutcome> {
    if let Some(refusal) = seat_refusal(tx, slot, Some(person), when_full, now)? {
        return Ok(SeatOutcome::Refused(refusal));
    }
    let (seat, waiting_position) = place_seat(tx, slot, person, now)?;
    outbox::confirm_seat(tx, seat, waiting_position, None, now)?;
    Ok(match waiting_position {
        None => SeatOutcome::Booked { seat },
        Some(position) => SeatOutcome::Waiting { seat, position },
    })
}

/// Writes the seat, or the waiting-list place when the slot is full (with its position, 1 = next), once
/// [`seat_refusal`] has found nothing.
fn place_seat(
    tx: &Transaction<'_>,
    slot: SurgerySlotId,
    person: PersonId,
    now: DateTime<Utc>,
) -> Result<(SeatId, Option<u32>)> {
    let status = if slot_has_room(tx, slot)? { "booked" } else { "waiting" };
    tx.execute(
        "INSERT INTO slot_seats (slot_id, person_id, status, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![slot, person, status, to_db(now)],
    )?;
    let seat = SeatId(tx.last_insert_rowid()?);
    if status == "booked" {
        return Ok((seat, None));
    }
    // Last in the queue: a new row has the largest id, and the database has just counted it in.
    let position: u32 = tx
        .prepare_cached("SELECT waiting FROM slot_waiting WHERE slot_id = ?1")?
        .query_row([slot], |row| row.get(0))?;
    Ok((seat, Some(position)))
}

impl Store {
    /// Creates a surgery and its slots. The host must be a host or staff member, and the session must not be over
    /// already (one under way may be planned: its past slots simply cannot be booked).
    pub fn add_surgery(&mut self, new: &NewSurgery, now: DateTime<Utc>) -> Result<Surgery> {
        if new.time.end() <= now {
            return Err(StoreError::invalid("that session is already over: please choose a later time"));
        }
        let topic = text::clean("topic", &new.topic, 120)?;
        let place = text::clean("place", &new.place, 80)?;
        if !(5..=240).contains(&new.slot_minutes) {
            return Err(StoreError::invalid(format!("slots last 5 to 240 minutes, not {}", new.slot_minutes)));
        }
        if !(1..=50).contains(&new.seats_per_slot) {
            return Err(StoreError::invalid(format!("a slot has 1 to 50 seats, not {}", new.seats_per_slot)));
        }
        let step = Duration::minutes(i64::from(new.slot_minutes));
        let slot_count = new.time.minutes() / i64::from(new.slot_minutes);
        if slot_count == 0 {
            return Err(StoreError::invalid(format!(
                "the session ({} minutes) is shorter than one slot ({} minutes)",
                new.time.minutes(),
                new.slot_minutes
            )));
        }
        if slot_count > 200 {
            return Err(StoreError::invalid("a session can have at most 200 slots"));
        }
        let site = self.site;
        let id = self.write(|tx| {
            let host = load_person(tx, new.host)?;
            if !matches!(host.role, Role::Host | Role::Staff) {
                return Err(StoreError::invalid(format!(
                    "{} is a {}, not a host: make them a host first",
                    host.display_name, host.role
                )));
            }
            tx.execute(
                "INSERT INTO surgeries (topic, host_id, place, start_utc, end_utc, slot_minutes, seats_per_slot,
                                        site_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    topic,
                    new.host,
                    place,
                    to_db(new.time.start()),
                    to_db(new.time.end()),
                    new.slot_minutes,
                    new.seats_per_slot,
                    site
                ],
            )?;
            let id = SurgeryId(tx.last_insert_rowid()?);
            let mut insert = tx.prepare_cached(
                "INSERT INTO surgery_slots (surgery_id, start_utc, end_utc, seats) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for index in 0..slot_count {
                let start = new.time.start() + step * index as i32;
                insert.execute(params![id, to_db(start), to_db(start + step), new.seats_per_slot])?;
            }
            Ok(id)
        })?;
        self.surgery(id)
    }

    pub fn surgery(&self, id: SurgeryId) -> Result<Surgery> {
        load_surgery(&self.conn, id)
    }

    /// The site's surgeries overlapping `range`, earliest first, cancelled ones included (marked).
    pub fn surgeries_overlapping(&self, range: Slot) -> Result<Vec<Surgery>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id FROM surgeries WHERE end_utc > ?1 AND start_utc < ?2 AND site_id = ?3 ORDER BY start_utc, id",
        )?;
        let ids: Vec<SurgeryId> = statement
            .query_map(params![to_db(range.start()), to_db(range.end()), self.site], |row| row.get(0))?
            .collect::<crate::sql::Result<_>>()?;
        ids.into_iter().map(|id| self.surgery(id)).collect()
    }

    /// Books a seat in a slot for a person, or puts them on the waiting list if it is full and they want that.
    /// The seat count is also enforced by the database, so two kiosks cannot both take the last seat.
    pub fn book_seat(
        &mut self,
        slot: SurgerySlotId,
        person: PersonId,
        when_full: WhenFull,
        now: DateTime<Utc>,
    ) -> Result<SeatOutcome> {
        self.write(|tx| {
            load_person(tx, person)?;
            insert_seat(tx, slot, person, when_full, now)
        })
    }

    /// Books a place in a slot at the kiosk or on a web page for a [`Booker`]: a seat, or a waiting-list place when
    /// the slot is full and `when_full` allows it. A newcomer also gets a day pass for the session's day; a pass
    /// holder keeps theirs. The pass check, the rules, a newcomer's record, the place and the pass are one
    /// transaction: a refusal writes nothing, not even the name.
    pub fn book_place(
        &mut self,
        key: &PassKey,
        slot: SurgerySlotId,
        booker: Booker<'_>,
        when_full: WhenFull,
        now: DateTime<Utc>,
    ) -> Result<Result<PlaceTaken, Refused<SeatRefusal>>> {
        let site = self.site;
        self.write(|tx| {
            let found = match booker.find(tx, key, site, now)? {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(Refused::Pass(refusal))),
            };
            if let Some(refusal) = seat_refusal(tx, slot, found.holder(), when_full, now)? {
                return Ok(Err(Refused::Rule(refusal)));
            }
            let person = found.person(tx, now)?;
            let (seat, waiting_position) = place_seat(tx, slot, person, now)?;
            let pass = match found {
                Found::Holder(_) => None,
                Found::Newcomer(_) => {
                    let (surgery, time, _) = slot_context(tx, slot)?;
                    let surgery_site = load_surgery(tx, surgery)?.site;
                    let day = time.start().with_timezone(&load_site(tx, surgery_site)?.time_zone).date_naive();
                    Some(insert_pass(tx, key, surgery_site, person, NewPass::DayOf(day), now)?)
                }
            };
            // The pass that checks them in: the one they booked with, or a newcomer's new day pass.
            let shown = match booker {
                Booker::Pass(text) => Some(text.trim()),
                Booker::Newcomer(_) => pass.as_ref().map(|issued| issued.payload.as_str()),
                Booker::Person(_) => None,
            };
            outbox::confirm_seat(tx, seat, waiting_position, shown, now)?;
            Ok(Ok(PlaceTaken { seat, waiting_position, pass }))
        })
    }

    /// Everyone holding or waiting for a place in `surgery`, by slot then in the order they booked.
    pub fn seat_holders(&self, surgery: SurgeryId) -> Result<Vec<SeatHolder>> {
        load_surgery(&self.conn, surgery)?;
        let mut statement = self.conn.prepare_cached(
            "SELECT ss.id, ss.slot_id, sl.start_utc, ss.person_id, p.display_name, ss.status
             FROM slot_seats ss JOIN surgery_slots sl ON sl.id = ss.slot_id JOIN people p ON p.id = ss.person_id
             WHERE sl.surgery_id = ?1 ORDER BY sl.start_utc, ss.id",
        )?;
        let holders = statement
            .query_map([surgery], |row| {
                Ok(SeatHolder {
                    seat: row.get(0)?,
                    slot: row.get(1)?,
                    slot_start: from_db(row.get(2)?),
                    person_id: row.get(3)?,
                    display_name: row.get(4)?,
                    status: row.get(5)?,
                })
            })?
            .collect::<crate::sql::Result<_>>()?;
        Ok(holders)
    }

    /// Changes a session's topic, place or places per slot. Fewer places than are already taken in some slot is
    /// refused with the time and the number; more places go to the waiting list first.
    pub fn edit_surgery(&mut self, id: SurgeryId, edit: &SurgeryEdit, now: DateTime<Utc>) -> Result<Surgery> {
        let topic = text::clean("topic", &edit.topic, 120)?;
        let place = text::clean("place", &edit.place, 80)?;
        if !(1..=50).contains(&edit.seats_per_slot) {
            return Err(StoreError::invalid(format!("a slot has 1 to 50 places, not {}", edit.seats_per_slot)));
        }
        self.write(|tx| {
            let surgery = load_surgery(tx, id)?;
            if surgery.cancelled {
                return Err(StoreError::invalid(format!("\"{}\" has been cancelled", surgery.topic)));
            }
            let site = load_site(tx, surgery.site)?;
            if let Some(slot) = surgery.slots.iter().find(|slot| slot.taken > edit.seats_per_slot) {
                let at = slot.time.start().with_timezone(&site.time_zone).format("%H:%M");
                return Err(StoreError::invalid(format!(
                    "{} people already have places at {at}, so each time needs at least {} places",
                    slot.taken, slot.taken
                )));
            }
            tx.execute(
                "UPDATE surgeries SET topic = ?2, place = ?3, seats_per_slot = ?4 WHERE id = ?1",
                params![id, topic, place, edit.seats_per_slot],
            )?;
            tx.execute("UPDATE surgery_slots SET seats = ?2 WHERE surgery_id = ?1", params![id, edit.seats_per_slot])?;
            for slot in &surgery.slots {
                while promote_next(tx, slot.id, now)?.is_some() {}
            }
            Ok(())
        })?;
        self.surgery(id)
    }

    /// Calls off a session with the host's reason: every place and waiting-list place in it is cancelled (the
    /// public page shows the reason) and each person told why. Returns how many people had a place or were waiting.
    pub fn cancel_surgery(&mut self, id: SurgeryId, reason: &str, now: DateTime<Utc>) -> Result<u32> {
        let reason = text::clean("reason", reason, 200)?;
        self.write(|tx| {
            let surgery = load_surgery(tx, id)?;
            if surgery.cancelled {
                return Err(StoreError::invalid(format!("\"{}\" is already cancelled", surgery.topic)));
            }
            if surgery.time.end() <= now {
                return Err(StoreError::invalid(format!("\"{}\" has already finished", surgery.topic)));
            }
            tx.execute(
                "UPDATE surgeries SET cancelled_at = ?2, cancel_reason = ?3 WHERE id = ?1",
                params![id, to_db(now), reason],
            )?;
            outbox::tell_session_cancelled(tx, id, &reason, now)?;
            let affected = tx.execute(
                "UPDATE slot_seats SET status = 'cancelled'
                 WHERE status IN ('booked', 'waiting') AND slot_id IN (SELECT id FROM surgery_slots WHERE surgery_id = ?1)",
                [id],
            )?;
            tx.execute("UPDATE queue_tickets SET status = 'no_show', done_at = ?2 WHERE surgery_id = ?1 AND status = 'waiting'",
                params![id, to_db(now)])?;
            Ok(affected as u32)
        })
    }

    /// Gives up a seat or a waiting-list place; a freed seat goes to the next person waiting.
    pub fn cancel_seat(&mut self, seat: SeatId, now: DateTime<Utc>) -> Result<SeatCancelled> {
        self.write(|tx| {
            let row: Option<(SurgerySlotId, String)> = tx
                .prepare_cached("SELECT slot_id, status FROM slot_seats WHERE id = ?1")?
                .query_row([seat], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let (slot, status) = row.ok_or_else(|| StoreError::not_found(format!("there is no seat number {seat}")))?;
            if !matches!(status.as_str(), "booked" | "waiting") {
                return Err(StoreError::invalid(format!("seat #{seat} is {status}, so it cannot be cancelled")));
            }
            tx.execute("UPDATE slot_seats SET status = 'cancelled' WHERE id = ?1", [seat])?;
            Ok(SeatCancelled { seat, promoted: promote_next(tx, slot, now)? })
        })
    }

    /// The host marks a booked person as seen, or as a no-show (which frees the seat for the waiting list).
    pub fn mark_seat(&mut self, seat: SeatId, seen: bool, now: DateTime<Utc>) -> Result<Option<(SeatId, PersonId)>> {
        self.write(|tx| {
            let slot: Option<SurgerySlotId> = tx
                .prepare_cached("SELECT slot_id FROM slot_seats WHERE id = ?1 AND status IN ('booked', 'arrived')")?
                .query_row([seat], |row| row.get(0))
                .optional()?;
            let slot = slot.ok_or_else(|| StoreError::invalid(format!("seat #{seat} is not booked")))?;
            tx.execute(
                "UPDATE slot_seats SET status = ?2 WHERE id = ?1",
                params![seat, if seen { "seen" } else { "no_show" }],
            )?;
            if seen { Ok(None) } else { promote_next(tx, slot, now) }
        })
    }

    /// Gives a walk-in a numbered ticket for a surgery's queue. Numbers start at 1 for each surgery.
    pub fn take_ticket(
        &mut self,
        surgery: SurgeryId,
        person: Option<PersonId>,
        now: DateTime<Utc>,
    ) -> Result<TicketIssued> {
        self.write(|tx| {
            let found = load_surgery(tx, surgery)?;
            if found.cancelled {
                return Err(StoreError::invalid(format!("\"{}\" has been cancelled", found.topic)));
            }
            if found.time.end() <= now {
                return Err(StoreError::invalid(format!("\"{}\" has already finished", found.topic)));
            }
            if let Some(person) = person {
                load_person(tx, person)?;
            }
            let number: u32 = tx
                .prepare_cached("SELECT coalesce(max(number), 0) + 1 FROM queue_tickets WHERE surgery_id = ?1")?
                .query_row([surgery], |row| row.get(0))?;
            let ahead: u32 = tx
                .prepare_cached("SELECT count(*) FROM queue_tickets WHERE surgery_id = ?1 AND status = 'waiting'")?
                .query_row([surgery], |row| row.get(0))?;
            tx.execute(
                "INSERT INTO queue_tickets (surgery_id, number, person_id, status, issued_at)
                 VALUES (?1, ?2, ?3, 'waiting', ?4)",
                params![surgery, number, person, to_db(now)],
            )?;
            let id = TicketId(tx.last_insert_rowid()?);
            let ticket = Ticket {
                id,
                surgery_id: surgery,
                number,
                person_id: person,
                status: TicketStatus::Waiting,
                issued_at: now,
            };
            Ok(TicketIssued { ticket, ahead })
        })
    }

    /// Calls the lowest waiting ticket; `None` when nobody is waiting.
    pub fn call_next(&mut self, surgery: SurgeryId, now: DateTime<Utc>) -> Result<Option<Ticket>> {
        self.write(|tx| {
            load_surgery(tx, surgery)?;
            let next = tx
                .prepare_cached(&format!(
                    "SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE surgery_id = ?1 AND status = 'waiting'
                         ORDER BY number LIMIT 1"
                ))?
                .query_row([surgery], ticket_from_row)
                .optional()?;
            let Some(mut ticket) = next else { return Ok(None) };
            tx.execute(
                "UPDATE queue_tickets SET status = 'called', called_at = ?2 WHERE id = ?1",
                params![ticket.id, to_db(now)],
            )?;
            ticket.status = TicketStatus::Called;
            Ok(Some(ticket))
        })
    }

    /// Closes a called (or still waiting) ticket as seen or no-show.
    pub fn finish_ticket(&mut self, ticket: TicketId, status: TicketStatus, now: DateTime<Utc>) -> Result<()> {
        if !matches!(status, TicketStatus::Seen | TicketStatus::NoShow) {
            return Err(StoreError::invalid("a ticket can only be finished as seen or no-show"));
        }
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE queue_tickets SET status = ?2, done_at = ?3 WHERE id = ?1 AND status IN ('waiting', 'called')",
                params![ticket, status.as_str(), to_db(now)],
            )?;
            if changed == 0 {
                return Err(StoreError::invalid(format!("ticket #{ticket} is not waiting or called")));
            }
            Ok(())
        })
    }

    /// A surgery's queue in ticket order.
    pub fn queue(&self, surgery: SurgeryId) -> Result<Vec<Ticket>> {
        load_surgery(&self.conn, surgery)?;
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE surgery_id = ?1 ORDER BY number"
        ))?;
        let tickets = statement.query_map([surgery], ticket_from_row)?.collect::<crate::sql::Result<_>>()?;
        Ok(tickets)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use crate::people::NewPerson;
    use crate::site::tests::london_hub;

    use super::*;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 12, hour, minute, 0).unwrap()
    }

    fn person(store: &mut Store, name: &str, role: Role) -> PersonId {
        let new = NewPerson { display_name: name.into(), contact: None, role, rules_version: None };
        store.add_person(&new, at(8, 0)).unwrap().id
    }

    fn benefits_surgery(store: &mut Store, seats: u32) -> Surgery {
        let host = person(store, "Grace Host", Role::Host);
        store
            .add_surgery(
                &NewSurgery {
                    topic: "Benefits advice".into(),
                    host,
                    place: "Room 2".into(),
                    time: Slot::new(at(10, 0), at(12, 0)).unwrap(),
                    slot_minutes: 30,
                    seats_per_slot: seats,
                },
                at(8, 0),
            )
            .unwrap()
    }

    #[test]
    fn slots_fill_then_wait_then_promote() {
        let mut store = london_hub();
        let surgery = benefits_surgery(&mut store, 1);
        assert_eq!(surgery.slots.len(), 4);
        let slot = surgery.slots[0].id;
        let (a, b, c) = (
            person(&mut store, "Amal", Role::Visitor),
            person(&mut store, "Ben", Role::Visitor),
            person(&mut store, "Cy", Role::Visitor),
        );
        let SeatOutcome::Booked { seat: a_seat } = store.book_seat(slot, a, WhenFull::Refuse, at(9, 0)).unwrap() else {
            panic!("first seat should be booked")
        };
        assert_eq!(
            store.book_seat(slot, b, WhenFull::Refuse, at(9, 0)).unwrap(),
            SeatOutcome::Refused(SeatRefusal::Full)
        );
        assert!(matches!(
            store.book_seat(slot, b, WhenFull::JoinWaitingList, at(9, 0)).unwrap(),
            SeatOutcome::Waiting { position: 1, .. }
        ));
        assert!(matches!(
            store.book_seat(slot, c, WhenFull::JoinWaitingList, at(9, 0)).unwrap(),
            SeatOutcome::Waiting { position: 2, .. }
        ));
        let cancelled = store.cancel_seat(a_seat, at(11, 0)).unwrap();
        assert_eq!(cancelled.promoted.map(|(_, who)| who), Some(b));
        let slot_now = &store.surgery(surgery.id).unwrap().slots[0];
        assert_eq!((slot_now.taken, slot_now.waiting), (1, 1));
    }

    #[test]
    fn the_database_refuses_an_extra_seat_even_from_raw_sql() {
        let mut store = london_hub();
        let surgery = benefits_surgery(&mut store, 1);
        let slot = surgery.slots[0].id;
        let (a, b) = (person(&mut store, "Amal", Role::Visitor), person(&mut store, "Ben", Role::Visitor));
        store.book_seat(slot, a, WhenFull::Refuse, at(9, 0)).unwrap();
        let error = store
            .conn
            .execute(
                "INSERT INTO slot_seats (slot_id, person_id, status, created_at) VALUES (?1, ?2, 'booked', 0)",
                params![slot, b],
            )
            .unwrap_err();
        assert!(error.to_string().contains("surgery slot is full"), "{error}");
    }

    #[test]
    fn queue_numbers_count_up_and_are_called_in_order() {
        let mut store = london_hub();
        let surgery = benefits_surgery(&mut store, 2);
        let first = store.take_ticket(surgery.id, None, at(9, 50)).unwrap();
        let second = store.take_ticket(surgery.id, None, at(9, 51)).unwrap();
        assert_eq!((first.ticket.number, first.ahead), (1, 0));
        assert_eq!((second.ticket.number, second.ahead), (2, 1));
        let called = store.call_next(surgery.id, at(10, 0)).unwrap().unwrap();
        assert_eq!(called.number, 1);
        store.finish_ticket(called.id, TicketStatus::Seen, at(10, 20)).unwrap();
        let called = store.call_next(surgery.id, at(10, 20)).unwrap().unwrap();
        assert_eq!(called.number, 2);
        store.finish_ticket(called.id, TicketStatus::NoShow, at(10, 25)).unwrap();
        assert_eq!(store.call_next(surgery.id, at(10, 30)).unwrap(), None);
        let statuses: Vec<_> = store.queue(surgery.id).unwrap().into_iter().map(|t| t.status).collect();
        assert_eq!(statuses, vec![TicketStatus::Seen, TicketStatus::NoShow]);
    }

    #[test]
    fn a_visitor_cannot_host() {
        let mut store = london_hub();
        let visitor = person(&mut store, "Val", Role::Visitor);
        let error = store
            .add_surgery(
                &NewSurgery {
                    topic: "Tea".into(),
                    host: visitor,
                    place: "Café".into(),
                    time: Slot::new(at(10, 0), at(11, 0)).unwrap(),
                    slot_minutes: 15,
                    seats_per_slot: 1,
                },
                at(8, 0),
            )
            .unwrap_err();
        assert!(error.to_string().contains("not a host"), "{error}");
    }

    #[test]
    fn a_no_show_frees_the_seat_for_the_waiting_list() {
        let mut store = london_hub();
        let surgery = benefits_surgery(&mut store, 1);
        let slot = surgery.slots[1].id;
        let (a, b) = (person(&mut store, "Amal", Role::Visitor), person(&mut store, "Ben", Role::Visitor));
        let SeatOutcome::Booked { seat } = store.book_seat(slot, a, WhenFull::Refuse, at(9, 0)).unwrap() else {
            panic!("seat should be booked")
        };
        store.book_seat(slot, b, WhenFull::JoinWaitingList, at(9, 0)).unwrap();
        assert_eq!(store.mark_seat(seat, false, at(11, 0)).unwrap().map(|(_, who)| who), Some(b));
    }

    #[test]
    fn a_newcomer_books_from_home_with_a_pass_for_that_day_and_a_refusal_keeps_no_name() {
        let mut store = london_hub();
        let key = PassKey::generate().unwrap();
        let surgery = benefits_surgery(&mut store, 1);
        let slot = surgery.slots[0].id;
        let days_before = at(9, 0) - Duration::days(3);
        let place = |store: &mut Store, booker, when_full| store.book_place(&key, slot, booker, when_full, days_before);
        let nia = place(&mut store, Booker::Newcomer("Nia"), WhenFull::Refuse).unwrap().unwrap();
        assert_eq!(nia.waiting_position, None);
        // Valid on the session's day (not only the day it was booked), until that day ends.
        let pass = nia.pass.expect("a newcomer gets a day pass");
        assert!(store.verify_pass(&key, &pass.payload, at(9, 55)).unwrap().is_ok());
        assert_eq!(pass.pass.expires_at, Utc.with_ymd_and_hms(2027, 1, 13, 0, 0, 0).unwrap());
        let people = store.people(None).unwrap().len();
        assert_eq!(
            place(&mut store, Booker::Newcomer("Owen"), WhenFull::Refuse).unwrap(),
            Err(Refused::Rule(SeatRefusal::Full))
        );
        assert_eq!(store.people(None).unwrap().len(), people, "a refused booking keeps no name");
        let owen = place(&mut store, Booker::Newcomer("Owen"), WhenFull::JoinWaitingList).unwrap().unwrap();
        assert_eq!(owen.waiting_position, Some(1));
        let names: Vec<_> =
            store.seat_holders(surgery.id).unwrap().into_iter().map(|h| (h.display_name, h.status)).collect();
        assert_eq!(names, vec![("Nia".into(), SeatStatus::Booked), ("Owen".into(), SeatStatus::Waiting)]);
        assert!(place(&mut store, Booker::Newcomer("  "), WhenFull::Refuse).is_err());

        // Nia's pass books her nothing twice, and a pass holder keeps their own pass.
        assert_eq!(
            place(&mut store, Booker::Pass(&pass.payload), WhenFull::JoinWaitingList).unwrap(),
            Err(Refused::Rule(SeatRefusal::AlreadyBooked))
        );
        assert_eq!(
            place(&mut store, Booker::Pass("NOT-A-PASS"), WhenFull::JoinWaitingList).unwrap(),
            Err(Refused::Pass(crate::PassRefusal::Malformed))
        );
    }

    #[test]
    fn a_session_that_is_already_over_cannot_be_planned() {
        let mut store = london_hub();
        let host = person(&mut store, "Hana", Role::Host);
        let new = |start, end| NewSurgery {
            topic: "Benefits".into(),
            host,
            place: "Café".into(),
            time: Slot::new(start, end).unwrap(),
            slot_minutes: 20,
            seats_per_slot: 1,
        };
        let over = store.add_surgery(&new(at(9, 0), at(10, 0)), at(10, 0));
        assert!(over.unwrap_err().to_string().contains("already over"));
        // Still running: planned, and its past slots simply cannot be booked.
        assert!(store.add_surgery(&new(at(9, 0), at(11, 0)), at(10, 0)).is_ok());
    }

    #[test]
    fn editing_places_never_drops_below_those_taken_and_more_places_promote_the_waiting_list() {
        let mut store = london_hub();
        let surgery = benefits_surgery(&mut store, 2);
        let slot = surgery.slots[0].id;
        let (a, b, c) = (
            person(&mut store, "Amal", Role::Visitor),
            person(&mut store, "Ben", Role::Visitor),
            person(&mut store, "Cy", Role::Visitor),
        );
        for who in [a, b, c] {
            store.book_seat(slot, who, WhenFull::JoinWaitingList, at(9, 0)).unwrap();
        }
        let edit = |seats| SurgeryEdit { topic: "Money advice".into(), place: "Room 3".into(), seats_per_slot: seats };
        let error = store.edit_surgery(surgery.id, &edit(1), at(9, 0)).unwrap_err();
        assert_eq!(error.to_string(), "2 people already have places at 10:00, so each time needs at least 2 places");
        let edited = store.edit_surgery(surgery.id, &edit(3), at(9, 0)).unwrap();
        assert_eq!((edited.topic.as_str(), edited.place.as_str()), ("Money advice", "Room 3"));
        assert_eq!((edited.slots[0].seats, edited.slots[0].taken, edited.slots[0].waiting), (3, 3, 0));
    }

    #[test]
    fn cancelling_a_session_keeps_the_reason_and_releases_every_place() {
        let mut store = london_hub();
        let surgery = benefits_surgery(&mut store, 1);
        let (a, b) = (person(&mut store, "Amal", Role::Visitor), person(&mut store, "Ben", Role::Visitor));
        store.book_seat(surgery.slots[0].id, a, WhenFull::Refuse, at(9, 0)).unwrap();
        store.book_seat(surgery.slots[0].id, b, WhenFull::JoinWaitingList, at(9, 0)).unwrap();
        assert!(store.cancel_surgery(surgery.id, "", at(9, 0)).is_err(), "a reason is needed");
        assert_eq!(store.cancel_surgery(surgery.id, "The adviser is ill", at(9, 0)).unwrap(), 2);
        let cancelled = store.surgery(surgery.id).unwrap();
        assert!(cancelled.cancelled);
        assert_eq!(cancelled.cancel_reason.as_deref(), Some("The adviser is ill"));
        assert_eq!((cancelled.slots[0].taken, cancelled.slots[0].waiting), (0, 0));
        assert_eq!(
            store.book_seat(surgery.slots[1].id, a, WhenFull::Refuse, at(9, 0)).unwrap(),
            SeatOutcome::Refused(SeatRefusal::SurgeryCancelled)
        );
        assert!(store.cancel_surgery(surgery.id, "again", at(9, 0)).is_err());
    }

    #[derive(Debug, Clone)]
    enum SeatOp {
        Book { slot: usize, person: usize, join: bool },
        Cancel { pick: usize },
        Mark { pick: usize, seen: bool },
        Edit { seats: u32 },
    }

    fn seat_op() -> impl proptest::strategy::Strategy<Value = SeatOp> {
        use proptest::prelude::*;
        prop_oneof![
            6 => (0usize..2, 0usize..6, any::<bool>())
                .prop_map(|(slot, person, join)| SeatOp::Book { slot, person, join }),
            2 => any::<usize>().prop_map(|pick| SeatOp::Cancel { pick }),
            2 => (any::<usize>(), any::<bool>()).prop_map(|(pick, seen)| SeatOp::Mark { pick, seen }),
            1 => (1u32..=3).prop_map(|seats| SeatOp::Edit { seats }),
        ]
    }

    /// The truth the waiting counts (migration 013) must agree with, and the first in the queue.
    fn counted(store: &Store, slot: SurgerySlotId) -> (u32, Option<SeatId>) {
        let waiting = store
            .conn
            .query_row("SELECT count(*) FROM slot_seats WHERE slot_id = ?1 AND status = 'waiting'", [slot], |row| {
                row.get(0)
            })
            .unwrap();
        let first = store
            .conn
            .query_row("SELECT min(id) FROM slot_seats WHERE slot_id = ?1 AND status = 'waiting'", [slot], |row| {
                row.get(0)
            })
            .unwrap();
        (waiting, first)
    }

    proptest::proptest! {
        /// Any mix of booking, giving up, marking and resizing keeps each time's waiting count equal to its waiting
        /// list, gives each newcomer to a list its length as their position, moves up the longest waiting, never
        /// over-fills a time, and an export imports with the same counts.
        #[test]
        fn waiting_counts_follow_every_change(ops in proptest::collection::vec(seat_op(), 1..40)) {
            let mut store = london_hub();
            let surgery = benefits_surgery(&mut store, 1);
            let people: Vec<PersonId> =
                (0..6).map(|n| person(&mut store, &format!("Visitor {n}"), Role::Visitor)).collect();
            let mut seats: Vec<(SeatId, SurgerySlotId)> = Vec::new();
            for op in ops {
                match op {
                    SeatOp::Book { slot, person, join } => {
                        let slot = surgery.slots[slot].id;
                        let when_full = if join { WhenFull::JoinWaitingList } else { WhenFull::Refuse };
                        match store.book_seat(slot, people[person], when_full, at(9, 0)).unwrap() {
                            SeatOutcome::Booked { seat } => seats.push((seat, slot)),
                            SeatOutcome::Waiting { seat, position } => {
                                proptest::prop_assert_eq!(position, counted(&store, slot).0);
                                seats.push((seat, slot));
                            }
                            SeatOutcome::Refused(_) => {}
                        }
                    }
                    SeatOp::Cancel { pick } if !seats.is_empty() => {
                        let (seat, slot) = seats[pick % seats.len()];
                        let first = counted(&store, slot).1;
                        if let Ok(cancelled) = store.cancel_seat(seat, at(9, 0)) {
                            let promoted = cancelled.promoted.map(|(seat, _)| seat);
                            proptest::prop_assert!(promoted.is_none() || promoted == first);
                        }
                    }
                    SeatOp::Mark { pick, seen } if !seats.is_empty() => {
                        let (seat, slot) = seats[pick % seats.len()];
                        let first = counted(&store, slot).1;
                        if let Ok(Some((promoted, _))) = store.mark_seat(seat, seen, at(9, 0)) {
                            proptest::prop_assert_eq!(Some(promoted), first);
                        }
                    }
                    SeatOp::Edit { seats } => {
                        let (topic, place) = ("Benefits advice".into(), "Room 2".into());
                        let edit = SurgeryEdit { topic, place, seats_per_slot: seats };
                        let _ = store.edit_surgery(surgery.id, &edit, at(9, 0));
                    }
                    SeatOp::Cancel { .. } | SeatOp::Mark { .. } => {}
                }
                for slot in store.surgery(surgery.id).unwrap().slots {
                    proptest::prop_assert_eq!(slot.waiting, counted(&store, slot.id).0);
                    proptest::prop_assert!(slot.taken <= slot.seats);
                }
            }
            let mut copy = Store::open_in_memory().unwrap();
            copy.import(&store.export(at(9, 0)).unwrap()).unwrap();
            let (copied, kept) = (copy.surgery(surgery.id).unwrap(), store.surgery(surgery.id).unwrap());
            proptest::prop_assert_eq!(copied.slots, kept.slots);
        }
    }
}
