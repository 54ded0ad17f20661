//! Room bookings: single and recurring, the rules that refuse them, and free time.

use std::fmt;
use std::sync::Arc;

use crate::sql::{Connection, OptionalExtension, Row, Transaction, params};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::booker::{Booker, Refused};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::ids::{BookingId, PersonId, RoomId, SeriesId, SiteId};
use crate::outbox;
use crate::passes::{IssuedPass, NewPass, PassKey, insert_pass, verify};
use crate::recurrence::{Repeat, occurrence_dates};
use crate::refusal::Refusal;
use crate::room_calendars::external_blocks;
use crate::rooms::{Room, load_room};
use crate::site::{Opening, Site, load_site, opening_on};
use crate::text;
use crate::time::{Instants, NonexistentLocalTime, Slot, from_db, local_day, resolve_local, to_db};

/// A room booking nobody has checked in to by this long after its start is released, so others can use the room.
pub const NO_SHOW_GRACE: Duration = Duration::minutes(15);

/// A booking may start this long before "now", so "book from now" on a screen a minute old still works.
const START_GRACE: Duration = Duration::minutes(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Confirmed,
    CheckedIn,
    Cancelled,
    /// Released because nobody checked in.
    Released,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::CheckedIn => "checked_in",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::Released => "released",
        }
    }

    pub fn is_active(self) -> bool {
        matches!(self, BookingStatus::Confirmed | BookingStatus::CheckedIn)
    }

    fn parse(text: &str) -> BookingStatus {
        match text {
            "checked_in" => BookingStatus::CheckedIn,
            "cancelled" => BookingStatus::Cancelled,
            "released" => BookingStatus::Released,
            _ => BookingStatus::Confirmed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Booking {
    pub id: BookingId,
    pub room_id: RoomId,
    pub room_name: String,
    pub slot: Slot,
    pub title: String,
    pub booked_by: Option<PersonId>,
    pub booked_for: Option<PersonId>,
    pub status: BookingStatus,
    pub series_id: Option<SeriesId>,
    /// For an occurrence of a series: the local date the rule gave it (kept when it is moved).
    pub occurrence_date: Option<NaiveDate>,
    /// Whether its title may show on the room's display (otherwise it shows as "Booked").
    pub public: bool,
}

/// A request to book one room for one range of time.
#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub room: RoomId,
    pub slot: Slot,
    pub title: String,
    pub booked_by: Option<PersonId>,
    pub booked_for: Option<PersonId>,
    /// Whether its title may show on the room's display.
    pub public: bool,
}

/// A request for a recurring booking: a local start time on a run of local dates.
#[derive(Debug, Clone)]
pub struct SeriesRequest {
    pub room: RoomId,
    pub first_date: NaiveDate,
    pub start_time: NaiveTime,
    pub minutes: u32,
    pub repeat: Repeat,
    pub until: NaiveDate,
    pub title: String,
    pub booked_by: Option<PersonId>,
    pub booked_for: Option<PersonId>,
    /// Whether its title may show on the room's display.
    pub public: bool,
}

/// Why a booking was refused, in words the kiosk can show as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum BookingRefusal {
    /// The room is taken `start`–`end` by booking `with`. `buffer_minutes` is set when only the room's tidying-up gap
    /// is in the way (the times themselves do not overlap); 0 when they do.
    Conflict {
        with: BookingId,
        room: String,
        start: DateTime<Tz>,
        end: DateTime<Tz>,
        buffer_minutes: u32,
    },
    Closed {
        date: NaiveDate,
        reason: String,
    },
    OutsideHours {
        opens: NaiveTime,
        closes: NaiveTime,
    },
    NotBookable {
        room: String,
    },
    TooShort {
        room: String,
        min_minutes: u32,
    },
    TooLong {
        room: String,
        max_minutes: u32,
    },
    TooFarAhead {
        room: String,
        advance_days: u32,
    },
    InPast,
    NonexistentTime {
        date: NaiveDate,
        detail: String,
    },
    /// The room's own calendar (imported, or a feed the kiosk follows) shows it busy then.
    CalendarBusy {
        room: String,
        start: DateTime<Tz>,
        end: DateTime<Tz>,
    },
}

impl Refusal for BookingRefusal {
    fn code(&self) -> &'static str {
        match self {
            BookingRefusal::Conflict { .. } => "conflict",
            BookingRefusal::Closed { .. } => "closed",
            BookingRefusal::OutsideHours { .. } => "outside_hours",
            BookingRefusal::NotBookable { .. } => "not_bookable",
            BookingRefusal::TooShort { .. } => "too_short",
            BookingRefusal::TooLong { .. } => "too_long",
            BookingRefusal::TooFarAhead { .. } => "too_far_ahead",
            BookingRefusal::InPast => "in_past",
            BookingRefusal::NonexistentTime { .. } => "no_such_time",
            BookingRefusal::CalendarBusy { .. } => "calendar_busy",
        }
    }
}

/// Why someone at a room's door could not check in to a booking there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RoomCheckInRefusal {
    /// The pass holder has no booking in this room under way or starting soon.
    NothingBooked,
}

impl Refusal for RoomCheckInRefusal {
    fn code(&self) -> &'static str {
        match self {
            RoomCheckInRefusal::NothingBooked => "nothing_booked",
        }
    }
}

/// "90 minutes" → "1 hour 30 minutes", for the English rule a series stores.
fn duration_words(minutes: u32) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    let hours_text = match hours {
        0 => String::new(),
        1 => "1 hour".into(),
        n => format!("{n} hours"),
    };
    match (hours, rest) {
        (_, 0) => hours_text,
        (0, n) => format!("{n} minutes"),
        (_, n) => format!("{hours_text} {n} minutes"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingOutcome {
    Booked(Booking),
    Refused(BookingRefusal),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeriesOutcome {
    Booked {
        series_id: SeriesId,
        bookings: Vec<Booking>,
    },
    /// Nothing was booked: the occurrence on `date` broke a rule.
    Refused {
        date: NaiveDate,
        refusal: BookingRefusal,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    Cancelled(Booking),
    AlreadyCancelled(Booking),
    AlreadyOver(Booking),
}

impl fmt::Display for CancelOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CancelOutcome::Cancelled(booking) => {
                write!(f, "Cancelled booking #{} ({})", booking.id, booking.title)
            }
            CancelOutcome::AlreadyCancelled(booking) => {
                write!(f, "Booking #{} was already cancelled or released", booking.id)
            }
            CancelOutcome::AlreadyOver(booking) => {
                write!(f, "Booking #{} has already finished, so it cannot be cancelled", booking.id)
            }
        }
    }
}

/// One room's free time on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoomAvailability {
    /// Shared by the room's days.
    pub room: Arc<Room>,
    /// `None` when the hub is closed that day.
    pub open: Option<Slot>,
    pub closed_reason: Option<String>,
    /// Ranges at least as long as the room's shortest booking, buffers and the past left out.
    pub free: Vec<Slot>,
    /// The times of the day's active bookings, earliest first.
    pub booked: Vec<Slot>,
    /// Times the room's own calendar shows it busy (external blocks), earliest first.
    pub calendar_busy: Vec<Slot>,
}

const BOOKING_COLUMNS: &str = "b.id, b.room_id, r.name, b.start_utc, b.end_utc, b.title, b.booked_by, b.booked_for,
     b.status, b.series_id, b.occurrence_date, b.public";

fn booking_from_row(row: &Row<'_>) -> crate::sql::Result<Booking> {
    let start = from_db(row.get(3)?);
    let end = from_db(row.get(4)?);
    let occurrence: Option<String> = row.get(10)?;
    Ok(Booking {
        id: row.get(0)?,
        room_id: row.get(1)?,
        room_name: row.get(2)?,
        slot: Slot::new(start, end).map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Integer, Box::new(error))
        })?,
        title: row.get(5)?,
        booked_by: row.get(6)?,
        booked_for: row.get(7)?,
        status: BookingStatus::parse(&row.get::<_, String>(8)?),
        series_id: row.get(9)?,
        occurrence_date: occurrence.and_then(|date| date.parse().ok()),
        public: row.get(11)?,
    })
}

pub(crate) fn load_booking(conn: &Connection, id: BookingId) -> Result<Booking> {
    conn.prepare_cached(&format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings b JOIN rooms r ON r.id = b.room_id WHERE b.id = ?1"
    ))?
    .query_row([id], booking_from_row)
    .optional()?
    .ok_or_else(|| StoreError::not_found(format!("there is no booking number {id}")))
}

/// Bookings of any status overlapping `range` in the rooms of `site`, earliest first; `room` narrows to one room.
pub(crate) fn bookings_overlapping(
    conn: &Connection,
    site: SiteId,
    range: Slot,
    room: Option<RoomId>,
) -> Result<Vec<Booking>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings b JOIN rooms r ON r.id = b.room_id
         WHERE b.end_utc > ?1 AND b.start_utc < ?2 AND (b.room_id = ?3 OR ?3 IS NULL) AND r.site_id = ?4
         ORDER BY b.start_utc, r.name"
    ))?;
    let bookings = statement
        .query_map(params![to_db(range.start()), to_db(range.end()), room, site], booking_from_row)?
        .collect::<crate::sql::Result<_>>()?;
    Ok(bookings)
}

/// Every occurrence of a series, whatever its status, in date order.
pub(crate) fn bookings_of_series(conn: &Connection, series: SeriesId) -> Result<Vec<Booking>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings b JOIN rooms r ON r.id = b.room_id
         WHERE b.series_id = ?1 ORDER BY b.occurrence_date"
    ))?;
    let bookings = statement.query_map([series], booking_from_row)?.collect::<crate::sql::Result<_>>()?;
    Ok(bookings)
}

/// Checks every rule for putting a booking of `room` at `slot`; `moving` is left out of the conflict check.
fn check_rules(
    conn: &Connection,
    site: &Site,
    room: &Room,
    slot: Slot,
    moving: Option<BookingId>,
    now: DateTime<Utc>,
) -> Result<Option<BookingRefusal>> {
    let refusal = |refusal| Ok(Some(refusal));
    if !room.bookable {
        return refusal(BookingRefusal::NotBookable { room: room.name.clone() });
    }
    if slot.start() < now - START_GRACE {
        return refusal(BookingRefusal::InPast);
    }
    let minutes = slot.minutes();
    if minutes < i64::from(room.min_minutes) {
        return refusal(BookingRefusal::TooShort { room: room.name.clone(), min_minutes: room.min_minutes });
    }
    if minutes > i64::from(room.max_minutes) {
        return refusal(BookingRefusal::TooLong { room: room.name.clone(), max_minutes: room.max_minutes });
    }
    if slot.start() > now + Duration::days(i64::from(room.advance_days)) {
        return refusal(BookingRefusal::TooFarAhead { room: room.name.clone(), advance_days: room.advance_days });
    }
    let date = slot.start().with_timezone(&site.time_zone).date_naive();
    match opening_on(conn, site, date)? {
        Opening::Closed { reason } => return refusal(BookingRefusal::Closed { date, reason }),
        Opening::Open { hours, slot: open } => {
            if slot.start() < open.start() || slot.end() > open.end() {
                return refusal(BookingRefusal::OutsideHours { opens: hours.opens, closes: hours.closes });
            }
        }
    }
    // The slot widened by the room's buffer on both sides.
    let buffer = i64::from(room.buffer_minutes) * 60;
    let (from, until) = (to_db(slot.start()) - buffer, to_db(slot.end()) + buffer);
    let conflict = conn
        .prepare_cached(
            "SELECT id, start_utc, end_utc FROM bookings
             WHERE room_id = ?1 AND status IN ('confirmed', 'checked_in') AND (id <> ?4 OR ?4 IS NULL)
               AND end_utc > ?2 AND start_utc < ?3
             ORDER BY start_utc LIMIT 1",
        )?
        .query_row(params![room.id, from, until, moving], |row| {
            Ok((row.get::<_, BookingId>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
        })
        .optional()?;
    if let Some((with, start, end)) = conflict {
        let (start, end) = (from_db(start), from_db(end));
        let overlaps = start < slot.end() && slot.start() < end;
        return refusal(BookingRefusal::Conflict {
            with,
            room: room.name.clone(),
            start: start.with_timezone(&site.time_zone),
            end: end.with_timezone(&site.time_zone),
            buffer_minutes: if overlaps { 0 } else { room.buffer_minutes },
        });
    }
    if let Some(block) = external_blocks(conn, Some(room.id), slot)?.first() {
        return refusal(BookingRefusal::CalendarBusy {
            room: room.name.clone(),
            start: block.slot.start().with_timezone(&site.time_zone),
            end: block.slot.end().with_timezone(&site.time_zone),
        });
    }
    Ok(None)
}

/// The refusal, if any, for putting a booking of `room` at `slot` (leaving `moving` out of the conflict check).
pub(crate) fn refusal_for(
    conn: &Connection,
    room: RoomId,
    slot: Slot,
    moving: Option<BookingId>,
    now: DateTime<Utc>,
) -> Result<Option<BookingRefusal>> {
    let room = load_room(conn, room)?;
    let site = load_site(conn, room.site)?;
    check_rules(conn, &site, &room, slot, moving, now)
}

pub(crate) fn insert_booking(
    tx: &Transaction<'_>,
    request: &BookingRequest,
    title: &str,
    series: Option<(SeriesId, NaiveDate)>,
    now: DateTime<Utc>,
) -> Result<BookingId> {
    tx.prepare_cached(
        "INSERT INTO bookings (room_id, start_utc, end_utc, title, booked_by, booked_for, status, series_id,
                               occurrence_date, created_at, public)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'confirmed', ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        request.room,
        to_db(request.slot.start()),
        to_db(request.slot.end()),
        title,
        request.booked_by,
        request.booked_for,
        series.map(|(id, _)| id),
        series.map(|(_, date)| date.to_string()),
        to_db(now),
        request.public,
    ])?;
    Ok(BookingId(tx.last_insert_rowid()?))
}

/// A series booked — its id and its bookings, in date order — or the first date that broke a rule, and why.
pub(crate) type SeriesBooked = std::result::Result<(SeriesId, Vec<BookingId>), (NaiveDate, BookingRefusal)>;

/// Books every occurrence of a series inside the caller's transaction, or none: the first occurrence that breaks a
/// rule is named.
pub(crate) fn insert_series(tx: &Transaction<'_>, request: &SeriesRequest, now: DateTime<Utc>) -> Result<SeriesBooked> {
    let title = text::clean("title", &request.title, 120)?;
    if request.minutes == 0 {
        return Err(StoreError::invalid("a booking must last at least 1 minute"));
    }
    let dates = occurrence_dates(request.first_date, request.repeat, request.until)?;
    let rule = format!(
        "{} on {} at {} for {}",
        request.repeat,
        request.first_date.format("%A"),
        request.start_time.format("%H:%M"),
        duration_words(request.minutes)
    );
    let room = load_room(tx, request.room)?;
    let site = load_site(tx, room.site)?;
    // Check every occurrence before writing any, so a refusal leaves nothing behind.
    let mut occurrences = Vec::with_capacity(dates.len());
    for date in dates {
        let start = match resolve_local(site.time_zone, date.and_time(request.start_time)) {
            Ok(start) => start,
            Err(gap) => {
                let detail = NonexistentLocalTime::to_string(&gap);
                return Ok(Err((date, BookingRefusal::NonexistentTime { date, detail })));
            }
        };
        let slot = Slot::new(start, start + Duration::minutes(i64::from(request.minutes)))?;
        if let Some(refusal) = check_rules(tx, &site, &room, slot, None, now)? {
            return Ok(Err((date, refusal)));
        }
        occurrences.push((date, slot));
    }
    tx.execute(
        "INSERT INTO series (room_id, rule, first_date, until_date, created_at, repeat, local_start, minutes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            room.id,
            rule,
            request.first_date.to_string(),
            request.until.to_string(),
            to_db(now),
            request.repeat.code(),
            request.start_time.format("%H:%M").to_string(),
            request.minutes
        ],
    )?;
    let series_id = SeriesId(tx.last_insert_rowid()?);
    let mut ids = Vec::with_capacity(occurrences.len());
    for (date, slot) in occurrences {
        let occurrence = BookingRequest {
            room: room.id,
            slot,
            title: title.clone(),
            booked_by: request.booked_by,
            booked_for: request.booked_for,
            public: request.public,
        };
        ids.push(insert_booking(tx, &occurrence, &title, Some((series_id, date)), now)?);
    }
    Ok(Ok((series_id, ids)))
}

impl Store {
    /// Books a room if every rule allows it. The checks and the insert share one `BEGIN IMMEDIATE` transaction,
    /// and the database's own trigger refuses any overlap the checks could have missed.
    pub fn book(&mut self, request: &BookingRequest, now: DateTime<Utc>) -> Result<BookingOutcome> {
        let title = text::clean("title", &request.title, 120)?;
        let outcome = self.write(|tx| {
            if let Some(refusal) = refusal_for(tx, request.room, request.slot, None, now)? {
                return Ok(Err(refusal));
            }
            let id = insert_booking(tx, request, &title, None, now)?;
            outbox::confirm_booking(tx, id, None, now)?;
            Ok(Ok(id))
        })?;
        match outcome {
            Ok(id) => Ok(BookingOutcome::Booked(self.booking(id)?)),
            Err(refusal) => Ok(BookingOutcome::Refused(refusal)),
        }
    }

    /// Books a room at the kiosk or on a web page for a [`Booker`], and gives them a pass for the booking: the pass
    /// check, the booking rules, a newcomer's record, the booking and its pass are one transaction, so none of it
    /// is written unless all of it is. A newcomer is recorded only if the booking is made. A booking for a time
    /// already begun starts checked in.
    pub fn book_room(
        &mut self,
        key: &PassKey,
        request: &BookingRequest,
        booker: Booker<'_>,
        now: DateTime<Utc>,
    ) -> Result<Result<(Booking, IssuedPass), Refused<BookingRefusal>>> {
        let title = text::clean("title", &request.title, 120)?;
        let site = self.site;
        let outcome = self.write(|tx| {
            let found = match booker.find(tx, key, site, now)? {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(Refused::Pass(refusal))),
            };
            if let Some(refusal) = refusal_for(tx, request.room, request.slot, None, now)? {
                return Ok(Err(Refused::Rule(refusal)));
            }
            let person = found.person(tx, now)?;
            let request = BookingRequest { booked_by: Some(person), booked_for: Some(person), ..request.clone() };
            let id = insert_booking(tx, &request, &title, None, now)?;
            if request.slot.start() <= now {
                // Booked by someone at the hub for a time already begun: they are using it, not a no-show.
                tx.execute("UPDATE bookings SET status = 'checked_in' WHERE id = ?1", [id])?;
            }
            let pass = insert_pass(tx, key, site, person, NewPass::Booking(id), now)?;
            outbox::confirm_booking(tx, id, Some(&pass.payload), now)?;
            Ok(Ok((id, pass)))
        })?;
        Ok(match outcome {
            Ok((id, pass)) => Ok((self.booking(id)?, pass)),
            Err(refusal) => Err(refusal),
        })
    }

    /// Books every occurrence of a series, or none: the first occurrence that breaks a rule is named.
    pub fn book_series(&mut self, request: &SeriesRequest, now: DateTime<Utc>) -> Result<SeriesOutcome> {
        let outcome = self.write(|tx| insert_series(tx, request, now))?;
        match outcome {
            Ok((series_id, ids)) => {
                let bookings = ids.into_iter().map(|id| self.booking(id)).collect::<Result<_>>()?;
                Ok(SeriesOutcome::Booked { series_id, bookings })
            }
            Err((date, refusal)) => Ok(SeriesOutcome::Refused { date, refusal }),
        }
    }

    /// Moves one booking (a single one or one occurrence of a series) to a new range, same room. The rest of its
    /// series is untouched.
    pub fn move_booking(&mut self, id: BookingId, slot: Slot, now: DateTime<Utc>) -> Result<BookingOutcome> {
        let outcome = self.write(|tx| {
            let booking = load_booking(tx, id)?;
            if !booking.status.is_active() {
                return Err(StoreError::invalid(format!(
                    "booking #{id} is {}, so it cannot be moved",
                    booking.status.as_str()
                )));
            }
            if let Some(refusal) = refusal_for(tx, booking.room_id, slot, Some(id), now)? {
                return Ok(Some(refusal));
            }
            // A new time is news: the person is told, their calendar updated, and reminded again nearer it.
            tx.execute(
                "UPDATE bookings SET start_utc = ?2, end_utc = ?3, revision = revision + 1, reminded_at = NULL
                 WHERE id = ?1",
                params![id, to_db(slot.start()), to_db(slot.end())],
            )?;
            outbox::tell_booking_changed(tx, id, outbox::BookingChange::Moved, now)?;
            Ok(None)
        })?;
        match outcome {
            None => Ok(BookingOutcome::Booked(self.booking(id)?)),
            Some(refusal) => Ok(BookingOutcome::Refused(refusal)),
        }
    }

    /// Cancels one booking (or one occurrence of a series, leaving the rest); the person it is for is told, with
    /// `reason` if one is given.
    pub fn cancel_booking(&mut self, id: BookingId, reason: Option<&str>, now: DateTime<Utc>) -> Result<CancelOutcome> {
        let reason = reason.map(|reason| text::clean("reason", reason, 300)).transpose()?;
        self.write(|tx| {
            let booking = load_booking(tx, id)?;
            if !booking.status.is_active() {
                return Ok(CancelOutcome::AlreadyCancelled(booking));
            }
            if booking.slot.end() <= now {
                return Ok(CancelOutcome::AlreadyOver(booking));
            }
            tx.execute("UPDATE bookings SET status = 'cancelled', revision = revision + 1 WHERE id = ?1", [id])?;
            let change = outbox::BookingChange::Cancelled { reason: reason.as_deref() };
            outbox::tell_booking_changed(tx, id, change, now)?;
            Ok(CancelOutcome::Cancelled(Booking { status: BookingStatus::Cancelled, ..booking }))
        })
    }

    /// Cancels every occurrence of a series that has not started by `now`; returns how many.
    pub fn cancel_series(&mut self, series: SeriesId, now: DateTime<Utc>) -> Result<usize> {
        self.write(|tx| {
            let exists: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM series WHERE id = ?1)")?
                .query_row([series], |row| row.get(0))?;
            if !exists {
                return Err(StoreError::not_found(format!("there is no series number {series}")));
            }
            Ok(tx.execute(
                "UPDATE bookings SET status = 'cancelled'
                 WHERE series_id = ?1 AND status = 'confirmed' AND start_utc >= ?2",
                params![series, to_db(now)],
            )?)
        })
    }

    /// Someone at a room's door checks in to their booking there with their pass (the room display's page): the
    /// booking of theirs in `room` that is under way or starts within the arrival window is marked checked in, so
    /// the room is not released as a no-show. Checking in twice is not refused.
    pub fn check_in_at_room(
        &mut self,
        key: &PassKey,
        room: RoomId,
        pass: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<Booking, Refused<RoomCheckInRefusal>>> {
        self.write(|tx| {
            let holder = match verify(tx, key, load_room(tx, room)?.site, pass, now)? {
                Ok(pass) => pass.person_id,
                Err(refusal) => return Ok(Err(Refused::Pass(refusal))),
            };
            let found: Option<BookingId> = tx
                .prepare_cached(
                    "SELECT id FROM bookings
                     WHERE room_id = ?1 AND (booked_for = ?2 OR (booked_for IS NULL AND booked_by = ?2))
                       AND status IN ('confirmed', 'checked_in') AND start_utc <= ?3 AND end_utc > ?4
                     ORDER BY start_utc LIMIT 1",
                )?
                .query_row(params![room, holder, to_db(now + crate::visits::ARRIVAL_WINDOW), to_db(now)], |row| {
                    row.get(0)
                })
                .optional()?;
            let Some(id) = found else { return Ok(Err(Refused::Rule(RoomCheckInRefusal::NothingBooked))) };
            tx.execute("UPDATE bookings SET status = 'checked_in' WHERE id = ?1", [id])?;
            Ok(Ok(load_booking(tx, id)?))
        })
    }

    /// Frees rooms whose booking started more than [`NO_SHOW_GRACE`] ago with nobody checked in, and tells each
    /// booker why.
    pub fn release_no_shows(&mut self, now: DateTime<Utc>) -> Result<Vec<BookingId>> {
        self.write(|tx| {
            let released: Vec<BookingId> = tx
                .prepare_cached(
                    "UPDATE bookings SET status = 'released', revision = revision + 1
                     WHERE status = 'confirmed' AND start_utc <= ?1 AND end_utc > ?2 RETURNING id",
                )?
                .query_map(params![to_db(now - NO_SHOW_GRACE), to_db(now)], |row| row.get(0))?
                .collect::<crate::sql::Result<_>>()?;
            for booking in &released {
                outbox::tell_booking_changed(tx, *booking, outbox::BookingChange::Released, now)?;
            }
            Ok(released)
        })
    }

    pub fn booking(&self, id: BookingId) -> Result<Booking> {
        load_booking(&self.conn, id)
    }

    /// Bookings of any status that overlap `range`, earliest first.
    pub fn bookings_overlapping(&self, range: Slot, room: Option<RoomId>) -> Result<Vec<Booking>> {
        bookings_overlapping(&self.conn, self.site, range, room)
    }

    /// Free time for every bookable room on a local date, with the past (before `now`) left out.
    pub fn availability(&self, date: NaiveDate, now: DateTime<Utc>) -> Result<Vec<RoomAvailability>> {
        Ok(self.availability_days(date, 1, now)?.pop().unwrap_or_default())
    }

    /// [`Store::availability`] for `days` days from `first`, one list per day: the rooms, the bookings' times and the
    /// rooms' calendars are each read once for the whole range (the bookings from an index alone), however many days.
    pub fn availability_days(
        &self,
        first: NaiveDate,
        days: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<Vec<RoomAvailability>>> {
        let opening = self.opening_rules()?;
        let zone = self.site()?.time_zone;
        let dates: Vec<NaiveDate> = (0..i64::from(days.max(1))).map(|offset| first + Duration::days(offset)).collect();
        let range = Slot::new(local_day(zone, first).start(), local_day(zone, dates[dates.len() - 1]).end())?;
        let rooms: Vec<Arc<Room>> = self.rooms()?.into_iter().filter(|room| room.bookable).map(Arc::new).collect();
        // Every busy time of the range as stored (Unix seconds), each room's in start order (the bookings come in
        // end order, which within a room is start order: a room's active bookings never overlap). The arithmetic
        // stays in seconds; only the answer is dates.
        let booked = per_room(&rooms, active_booking_times(&self.conn, range)?);
        let blocked = (external_blocks(&self.conn, None, range)?.into_iter())
            .map(|block| (block.room, to_db(block.slot.start()), to_db(block.slot.end())));
        let blocked = per_room(&rooms, blocked.collect());
        let now = to_db(now);
        let mut instants = Instants::new();
        let mut result = Vec::with_capacity(dates.len());
        for date in dates {
            let day = local_day(zone, date);
            let (day_start, day_end) = (to_db(day.start()), to_db(day.end()));
            let opening = opening.on(date);
            let mut rooms_that_day = Vec::with_capacity(rooms.len());
            for ((room, booked), blocked) in rooms.iter().zip(&booked).zip(&blocked) {
                // A room's active bookings never overlap, so in start order their ends are in order too.
                let from = booked.partition_point(|&(_, _, end)| end <= day_start);
                let until = booked.partition_point(|&(_, start, _)| start < day_end);
                let booked = &booked[from..until.max(from)];
                let calendar_busy: Vec<Stored> =
                    blocked.iter().filter(|&&(_, start, end)| start < day_end && end > day_start).copied().collect();
                let (open, closed_reason, free) = match &opening {
                    Opening::Closed { reason } => (None, Some(reason.clone()), Vec::new()),
                    Opening::Open { slot, .. } => {
                        (Some(*slot), None, free_ranges(*slot, room, booked, &calendar_busy, now, &mut instants))
                    }
                };
                let mut slots =
                    |times: &[Stored]| times.iter().filter_map(|&(_, start, end)| instants.slot(start, end)).collect();
                rooms_that_day.push(RoomAvailability {
                    room: Arc::clone(room),
                    open,
                    closed_reason,
                    free,
                    booked: slots(booked),
                    calendar_busy: slots(&calendar_busy),
                });
            }
            result.push(rooms_that_day);
        }
        Ok(result)
    }
}

/// A busy time as stored: the room, and Unix seconds from and until.
type Stored = (RoomId, i64, i64);

/// The times of the active bookings overlapping `range`, with their rooms, in end order: read from the index of
/// active bookings `bookings_active_times` without touching the table.
pub(crate) const ACTIVE_BOOKING_TIMES: &str = "SELECT room_id, start_utc, end_utc FROM bookings
     WHERE end_utc > ?1 AND start_utc < ?2 AND status IN ('confirmed', 'checked_in') ORDER BY end_utc";

fn active_booking_times(conn: &Connection, range: Slot) -> Result<Vec<Stored>> {
    let mut statement = conn.prepare_cached(ACTIVE_BOOKING_TIMES)?;
    let rows = statement.query_map(params![to_db(range.start()), to_db(range.end())], |row| {
        Ok((row.get::<_, RoomId>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
    })?;
    Ok(rows.collect::<crate::sql::Result<_>>()?)
}

/// The parts of `open` not blocked by a booking (widened by the room's buffer), by the room's calendar, or already
/// past (`now`), rounded to whole minutes, and long enough for the room's shortest booking. Times in Unix seconds;
/// this runs for every room and day.
fn free_ranges(
    open: Slot,
    room: &Room,
    booked: &[Stored],
    calendar: &[Stored],
    now: i64,
    instants: &mut Instants,
) -> Vec<Slot> {
    let buffer = i64::from(room.buffer_minutes) * 60;
    let shortest = (i64::from(room.min_minutes) * 60).max(1);
    // Both lists are in start order: merge them rather than collect and sort.
    let mut bookings = booked.iter().map(|&(_, start, end)| (start - buffer, end + buffer)).peekable();
    let mut blocks = calendar.iter().map(|&(_, start, end)| (start, end)).peekable();
    let taken = std::iter::from_fn(|| match (bookings.peek(), blocks.peek()) {
        (Some(booking), Some(block)) if block < booking => blocks.next(),
        (Some(_), _) => bookings.next(),
        (None, _) => blocks.next(),
    });
    let (open_start, open_end) = (to_db(open.start()), to_db(open.end()));
    let mut cursor = open_start.max(round_up_to_minute(now));
    let mut free = Vec::with_capacity(booked.len() + calendar.len() + 1);
    let mut keep = |from: i64, until: i64| {
        if until - from >= shortest {
            free.extend(instants.slot(from, until));
        }
    };
    for (blocked_from, blocked_until) in taken {
        keep(cursor, blocked_from.min(open_end));
        cursor = cursor.max(blocked_until);
    }
    keep(cursor, open_end);
    free
}

fn round_up_to_minute(seconds: i64) -> i64 {
    seconds + (60 - seconds.rem_euclid(60)) % 60
}

/// Each room's times, in the order of `rooms`, each room's in the order they come (a counting sort by room: one
/// pass to count, one to place). Times of rooms not in `rooms` (not bookable, or another site's) are left out.
fn per_room(rooms: &[Arc<Room>], times: Vec<Stored>) -> Vec<Vec<Stored>> {
    // Room ids come from one sequence, so a list indexed by id is small.
    let ids: Vec<Option<usize>> = rooms.iter().map(|room| usize::try_from(room.id.0).ok()).collect();
    let mut position = vec![None; ids.iter().flatten().max().map_or(0, |last| last + 1)];
    for (index, id) in ids.into_iter().enumerate() {
        if let Some(id) = id {
            position[id] = Some(index);
        }
    }
    let index_of = |room: RoomId| usize::try_from(room.0).ok().and_then(|id| position.get(id).copied().flatten());
    let mut counts = vec![0; rooms.len()];
    for &(room, ..) in &times {
        if let Some(index) = index_of(room) {
            counts[index] += 1;
        }
    }
    let mut result: Vec<Vec<Stored>> = counts.into_iter().map(Vec::with_capacity).collect();
    for time in times {
        if let Some(index) = index_of(time.0) {
            result[index].push(time);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Weekday};

    use crate::passes::PassRefusal;
    use crate::people::{NewPerson, Role};
    use crate::recurrence::Nth;
    use crate::rooms::NewRoom;
    use crate::site::DayHours;
    use crate::site::tests::london_hub;

    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        Utc.from_utc_datetime(&chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap())
    }

    fn slot(start: &str, end: &str) -> Slot {
        Slot::new(utc(start), utc(end)).unwrap()
    }

    fn request(room: RoomId, slot: Slot) -> BookingRequest {
        BookingRequest { room, slot, title: "Team meeting".into(), booked_by: None, booked_for: None, public: false }
    }

    fn booked(outcome: BookingOutcome) -> Booking {
        match outcome {
            BookingOutcome::Booked(booking) => booking,
            BookingOutcome::Refused(refusal) => panic!("refused: {refusal:?}"),
        }
    }

    fn refused(outcome: BookingOutcome) -> BookingRefusal {
        match outcome {
            BookingOutcome::Refused(refusal) => refusal,
            BookingOutcome::Booked(booking) => panic!("booked #{}", booking.id),
        }
    }

    /// A hub with a room "Studio" (15-minute buffer) and "now" = Monday 4 January 2027, 08:00 UTC.
    fn hub_with_studio() -> (Store, Room, DateTime<Utc>) {
        let mut store = london_hub();
        let mut new = NewRoom::named("Studio", 8);
        new.buffer_minutes = 15;
        new.advance_days = 365;
        let room = store.add_room(&new).unwrap();
        (store, room, utc("2027-01-04 08:00"))
    }

    #[test]
    fn conflict_names_the_booking_and_counts_the_buffer() {
        let (mut store, room, now) = hub_with_studio();
        let first = booked(store.book(&request(room.id, slot("2027-01-05 10:00", "2027-01-05 11:00")), now).unwrap());
        let clash = refused(store.book(&request(room.id, slot("2027-01-05 11:10", "2027-01-05 12:00")), now).unwrap());
        let BookingRefusal::Conflict { with, room: name, start, end, buffer_minutes } = clash else {
            panic!("{clash:?}")
        };
        assert_eq!((with, name.as_str(), buffer_minutes), (first.id, "Studio", 15));
        assert_eq!((start.to_utc(), end.to_utc()), (utc("2027-01-05 10:00"), utc("2027-01-05 11:00")));
        let overlap =
            refused(store.book(&request(room.id, slot("2027-01-05 10:30", "2027-01-05 11:30")), now).unwrap());
        assert!(matches!(overlap, BookingRefusal::Conflict { buffer_minutes: 0, .. }), "the times themselves clash");
        booked(store.book(&request(room.id, slot("2027-01-05 11:15", "2027-01-05 12:00")), now).unwrap());
    }

    #[test]
    fn kiosks_booking_one_room_at_once_on_postgres_get_one_booking_and_plain_refusals() {
        // Six kiosks, each with its own session, ask for the same hour at the same moment: the server's
        // serializable transactions let one through; the others run again (invisibly) and are told it is taken.
        let url = crate::sql::tests::PgSchema::new().keep();
        let mut first = Store::connect(&url).unwrap();
        first.init_site(&crate::site::tests::london_site()).unwrap();
        let room = first.add_room(&NewRoom::named("Studio", 8)).unwrap();
        let now = utc("2027-01-04 08:00");
        let start = std::sync::Barrier::new(6);
        let outcomes: Vec<Result<BookingOutcome>> = std::thread::scope(|scope| {
            let kiosks: Vec<_> = (0..6)
                .map(|_| {
                    let (url, start) = (&url, &start);
                    scope.spawn(move || {
                        let mut kiosk = Store::connect(url).unwrap();
                        start.wait();
                        kiosk.book(&request(room.id, slot("2027-01-05 10:00", "2027-01-05 11:00")), now)
                    })
                })
                .collect();
            kiosks.into_iter().map(|kiosk| kiosk.join().unwrap()).collect()
        });
        let booked = outcomes.iter().filter(|outcome| matches!(outcome, Ok(BookingOutcome::Booked(_)))).count();
        let refused = (outcomes.iter())
            .filter(|outcome| matches!(outcome, Ok(BookingOutcome::Refused(BookingRefusal::Conflict { .. }))))
            .count();
        assert_eq!((booked, refused), (1, 5), "{outcomes:?}");
        assert_eq!(first.bookings_overlapping(slot("2027-01-05 00:00", "2027-01-06 00:00"), None).unwrap().len(), 1);
    }

    #[test]
    fn the_database_itself_refuses_an_overlap() {
        let (mut store, room, now) = hub_with_studio();
        booked(store.book(&request(room.id, slot("2027-01-05 10:00", "2027-01-05 11:00")), now).unwrap());
        let error = store
            .conn
            .execute(
                "INSERT INTO bookings (room_id, start_utc, end_utc, title, status, created_at)
                 VALUES (?1, ?2, ?3, 'sneaky', 'confirmed', 0)",
                params![room.id, to_db(utc("2027-01-05 11:05")), to_db(utc("2027-01-05 11:30"))],
            )
            .unwrap_err();
        assert!(error.to_string().contains("overlaps"), "{error}");
        let widen = store.conn.execute("UPDATE rooms SET buffer_minutes = 240 WHERE id = ?1", [room.id]);
        assert!(widen.is_ok(), "one booking alone cannot overlap");
    }

    #[test]
    fn each_rule_refuses_with_its_reason() {
        let (mut store, room, now) = hub_with_studio();
        let studio = || "Studio".to_owned();
        let date = |text: &str| text.parse::<NaiveDate>().unwrap();
        let time = |hour| NaiveTime::from_hms_opt(hour, 0, 0).unwrap();
        let cases = [
            (
                slot("2027-01-10 10:00", "2027-01-10 11:00"),
                BookingRefusal::Closed { date: date("2027-01-10"), reason: "the hub is closed on Sundays".into() },
            ),
            (
                slot("2027-01-05 08:00", "2027-01-05 09:30"),
                BookingRefusal::OutsideHours { opens: time(9), closes: time(18) },
            ),
            (
                slot("2027-01-05 10:00", "2027-01-05 10:10"),
                BookingRefusal::TooShort { room: studio(), min_minutes: 15 },
            ),
            (
                slot("2027-01-05 09:00", "2027-01-05 17:30"),
                BookingRefusal::TooLong { room: studio(), max_minutes: 480 },
            ),
            (
                slot("2028-01-11 10:00", "2028-01-11 11:00"),
                BookingRefusal::TooFarAhead { room: studio(), advance_days: 365 },
            ),
            (slot("2027-01-04 07:00", "2027-01-04 07:30"), BookingRefusal::InPast),
        ];
        for (range, reason) in cases {
            assert_eq!(refused(store.book(&request(room.id, range), now).unwrap()), reason);
        }
        store.add_closure(date("2027-01-06"), "Staff training").unwrap();
        let closed = refused(store.book(&request(room.id, slot("2027-01-06 10:00", "2027-01-06 11:00")), now).unwrap());
        assert_eq!(closed, BookingRefusal::Closed { date: date("2027-01-06"), reason: "Staff training".into() });
    }

    fn tuesday_series(room: RoomId, first: &str, until: &str, time: &str) -> SeriesRequest {
        SeriesRequest {
            room,
            first_date: first.parse().unwrap(),
            start_time: NaiveTime::parse_from_str(time, "%H:%M").unwrap(),
            minutes: 60,
            repeat: Repeat::Weekly { every_weeks: 1 },
            until: until.parse().unwrap(),
            title: "Code club".into(),
            booked_by: None,
            booked_for: None,
            public: false,
        }
    }

    fn local_starts(bookings: &[Booking]) -> Vec<String> {
        bookings
            .iter()
            .map(|b| b.slot.start().with_timezone(&chrono_tz::Europe::London).format("%m-%d %H:%M %Z").to_string())
            .collect()
    }

    #[test]
    fn tuesdays_at_ten_stay_at_ten_across_the_spring_change() {
        let (mut store, room, now) = hub_with_studio();
        let outcome = store.book_series(&tuesday_series(room.id, "2027-03-23", "2027-04-06", "10:00"), now).unwrap();
        let SeriesOutcome::Booked { bookings, .. } = outcome else { panic!("{outcome:?}") };
        assert_eq!(local_starts(&bookings), ["03-23 10:00 GMT", "03-30 10:00 BST", "04-06 10:00 BST"]);
        let utc_hours: Vec<_> = bookings.iter().map(|b| b.slot.start().format("%H:%M").to_string()).collect();
        assert_eq!(utc_hours, ["10:00", "09:00", "09:00"]);
    }

    #[test]
    fn tuesdays_at_ten_stay_at_ten_across_the_autumn_change() {
        let (mut store, room, now) = hub_with_studio();
        let now = now + Duration::days(250);
        let outcome = store.book_series(&tuesday_series(room.id, "2027-10-26", "2027-11-09", "10:00"), now).unwrap();
        let SeriesOutcome::Booked { bookings, .. } = outcome else { panic!("{outcome:?}") };
        assert_eq!(local_starts(&bookings), ["10-26 10:00 BST", "11-02 10:00 GMT", "11-09 10:00 GMT"]);
    }

    #[test]
    fn a_series_through_the_spring_gap_is_refused_whole() {
        let (mut store, room, now) = hub_with_studio();
        let all_day = DayHours::new(NaiveTime::MIN, NaiveTime::from_hms_opt(23, 59, 0).unwrap()).unwrap();
        store.set_opening_hours(Weekday::Sun, Some(all_day)).unwrap();
        let mut sundays = tuesday_series(room.id, "2027-03-21", "2027-04-04", "01:30");
        sundays.title = "Night owls".into();
        let outcome = store.book_series(&sundays, now).unwrap();
        let SeriesOutcome::Refused { date, refusal: BookingRefusal::NonexistentTime { detail, .. } } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(date.to_string(), "2027-03-28");
        assert_eq!(
            detail,
            "01:30 on 28 March 2027 does not exist in Europe/London: the clocks go forward then. Choose a time after \
             the change"
        );
        let everything = slot("2027-01-01 00:00", "2028-01-01 00:00");
        assert!(store.bookings_overlapping(everything, None).unwrap().is_empty());
    }

    #[test]
    fn the_repeated_autumn_hour_is_booked_at_its_first_occurrence() {
        let (mut store, room, now) = hub_with_studio();
        let all_day = DayHours::new(NaiveTime::MIN, NaiveTime::from_hms_opt(23, 59, 0).unwrap()).unwrap();
        store.set_opening_hours(Weekday::Sun, Some(all_day)).unwrap();
        let now = now + Duration::days(250);
        let mut sundays = tuesday_series(room.id, "2027-10-31", "2027-10-31", "01:30");
        sundays.minutes = 30;
        let SeriesOutcome::Booked { bookings, .. } = store.book_series(&sundays, now).unwrap() else { panic!() };
        assert_eq!(bookings[0].slot.start(), utc("2027-10-31 00:30"));
    }

    #[test]
    fn one_conflict_refuses_the_whole_series_and_names_the_date() {
        let (mut store, room, now) = hub_with_studio();
        booked(store.book(&request(room.id, slot("2027-01-19 10:30", "2027-01-19 11:30")), now).unwrap());
        let outcome = store.book_series(&tuesday_series(room.id, "2027-01-05", "2027-01-26", "10:00"), now).unwrap();
        let SeriesOutcome::Refused { date, refusal } = outcome else { panic!("series should be refused") };
        assert_eq!(date, "2027-01-19".parse::<NaiveDate>().unwrap());
        assert!(matches!(refusal, BookingRefusal::Conflict { .. }));
        let count: i64 = store.conn.query_row("SELECT count(*) FROM series", [], |row| row.get(0)).unwrap();
        assert_eq!(count, 0);
    }

    #[test]
    fn one_occurrence_can_be_cancelled_or_moved_alone() {
        let (mut store, room, now) = hub_with_studio();
        let mut request = tuesday_series(room.id, "2027-01-05", "2027-01-26", "10:00");
        request.repeat = Repeat::MonthlyByWeekday { nth: Nth::First };
        request.until = "2027-03-31".parse().unwrap();
        let SeriesOutcome::Booked { bookings, series_id } = store.book_series(&request, now).unwrap() else { panic!() };
        assert_eq!(bookings.len(), 3);
        assert!(matches!(store.cancel_booking(bookings[0].id, None, now).unwrap(), CancelOutcome::Cancelled(_)));
        let moved =
            booked(store.move_booking(bookings[1].id, slot("2027-02-02 14:00", "2027-02-02 15:00"), now).unwrap());
        assert_eq!(moved.series_id, Some(series_id));
        assert_eq!(moved.occurrence_date, Some("2027-02-02".parse().unwrap()));
        assert_eq!(store.booking(bookings[2].id).unwrap().slot, bookings[2].slot);
        // The cancelled slot is free again.
        booked(store.book(&super::tests::request(room.id, bookings[0].slot), now).unwrap());
        assert_eq!(store.cancel_series(series_id, now).unwrap(), 2);
    }

    #[test]
    fn availability_leaves_out_bookings_buffers_and_the_past() {
        let (mut store, room, _) = hub_with_studio();
        let now = utc("2027-01-05 09:20");
        booked(store.book(&request(room.id, slot("2027-01-05 12:00", "2027-01-05 13:00")), now).unwrap());
        let day = store.availability("2027-01-05".parse().unwrap(), now).unwrap();
        let free: Vec<String> =
            day[0].free.iter().map(|s| format!("{}–{}", s.start().format("%H:%M"), s.end().format("%H:%M"))).collect();
        assert_eq!(free, ["09:20–11:45", "13:15–18:00"]);
        let sunday = store.availability("2027-01-10".parse().unwrap(), now).unwrap();
        assert_eq!(sunday[0].closed_reason.as_deref(), Some("the hub is closed on Sundays"));
    }

    /// A booking put in as an import would, past the rules for a booking made here (the database's still hold).
    fn imported(store: &Store, room: RoomId, slot: Slot) {
        store
            .conn
            .execute(
                "INSERT INTO bookings (room_id, start_utc, end_utc, title, status, created_at)
                 VALUES (?1, ?2, ?3, 'Imported', 'confirmed', 0)",
                params![room, to_db(slot.start()), to_db(slot.end())],
            )
            .unwrap();
    }

    #[test]
    fn a_week_of_free_time_is_its_days_read_once() {
        let (mut store, room, _) = hub_with_studio();
        let now = utc("2027-01-05 09:20");
        booked(store.book(&request(room.id, slot("2027-01-05 12:00", "2027-01-05 13:00")), now).unwrap());
        // An all-night booking (the rules refuse it outside opening hours).
        imported(&store, room.id, slot("2027-01-07 23:30", "2027-01-08 00:30"));
        let monday: NaiveDate = "2027-01-04".parse().unwrap();
        let week = store.availability_days(monday, 7, now).unwrap();
        assert_eq!(week.len(), 7);
        for (offset, day) in week.iter().enumerate() {
            assert_eq!(day, &store.availability(monday + Duration::days(offset as i64), now).unwrap());
        }
        // A booking over midnight is on both days it touches.
        assert_eq!((week[3][0].booked.len(), week[4][0].booked.len()), (1, 1));
    }

    #[test]
    fn each_room_gets_its_own_busy_times() {
        // Rooms listed by name, not in the order they were added; one not bookable, with a booking of its own.
        let (mut store, zeta, _) = hub_with_studio();
        let alpha = store.add_room(&NewRoom::named("Alpha", 4)).unwrap();
        let office = store.add_room(&NewRoom { bookable: false, ..NewRoom::named("Back office", 2) }).unwrap();
        let now = utc("2027-01-05 08:00");
        booked(store.book(&request(zeta.id, slot("2027-01-05 10:00", "2027-01-05 11:00")), now).unwrap());
        booked(store.book(&request(alpha.id, slot("2027-01-05 14:00", "2027-01-05 15:00")), now).unwrap());
        booked(store.book(&request(alpha.id, slot("2027-01-05 09:00", "2027-01-05 09:30")), now).unwrap());
        imported(&store, office.id, slot("2027-01-05 12:00", "2027-01-05 13:00"));
        let day = store.availability("2027-01-05".parse().unwrap(), now).unwrap();
        let booked: Vec<(&str, Vec<String>)> = (day.iter())
            .map(|room| {
                let times = room.booked.iter().map(|s| format!("{}", s.start().format("%H:%M"))).collect();
                (room.room.name.as_str(), times)
            })
            .collect();
        assert_eq!(booked, [("Alpha", vec!["09:00".to_string(), "14:00".into()]), ("Studio", vec!["10:00".into()])]);
    }

    #[test]
    fn a_refused_booking_for_a_newcomer_leaves_no_name_behind() {
        let (mut store, room, now) = hub_with_studio();
        let key = PassKey::from_secret([1; 32]);
        booked(store.book(&request(room.id, slot("2027-01-05 10:00", "2027-01-05 11:00")), now).unwrap());
        let clash = request(room.id, slot("2027-01-05 10:30", "2027-01-05 11:30"));
        let refused = store.book_room(&key, &clash, Booker::Newcomer("Robin"), now).unwrap();
        assert!(matches!(refused, Err(Refused::Rule(BookingRefusal::Conflict { .. }))));
        assert!(store.people(None).unwrap().is_empty());

        let later = request(room.id, slot("2027-01-05 14:00", "2027-01-05 15:00"));
        let (booking, pass) = store.book_room(&key, &later, Booker::Newcomer("Robin"), now).unwrap().unwrap();
        assert_eq!(booking.booked_for, Some(pass.pass.person_id));
        assert_eq!(store.person(pass.pass.person_id).unwrap().display_name, "Robin");
        assert_eq!(store.verify_pass(&key, &pass.payload, now).unwrap().unwrap().booking_id, Some(booking.id));
    }

    /// Booking with a pass is one use-case: the pass is checked, the room booked for its holder and a pass for
    /// the booking issued together, and a pass that cannot be used writes nothing.
    #[test]
    fn a_pass_holder_books_a_room_and_gets_its_pass_in_one_step() {
        let (mut store, room, now) = hub_with_studio();
        let key = PassKey::from_secret([1; 32]);
        let member = store
            .add_person(
                &NewPerson {
                    display_name: "Ada Lovelace".into(),
                    contact: None,
                    role: Role::Member,
                    rules_version: None,
                },
                now,
            )
            .unwrap();
        let card = store.issue_pass(&key, member.id, NewPass::Member, now).unwrap();
        let wanted = request(room.id, slot("2027-01-05 14:00", "2027-01-05 15:00"));
        let (booking, pass) = store.book_room(&key, &wanted, Booker::Pass(&card.payload), now).unwrap().unwrap();
        assert_eq!((booking.booked_by, booking.booked_for), (Some(member.id), Some(member.id)));
        assert_eq!(store.verify_pass(&key, &pass.payload, now).unwrap().unwrap().booking_id, Some(booking.id));

        let other = request(room.id, slot("2027-01-05 16:00", "2027-01-05 17:00"));
        let refused = store.book_room(&key, &other, Booker::Pass("NOT-A-PASS"), now).unwrap();
        assert_eq!(refused, Err(Refused::Pass(PassRefusal::Malformed)));
        let later = store.bookings_overlapping(other.slot, Some(room.id)).unwrap();
        assert!(later.is_empty(), "a refused pass books nothing");
    }

    #[test]
    fn no_shows_are_released_after_the_grace_time() {
        let (mut store, room, now) = hub_with_studio();
        let booking = booked(store.book(&request(room.id, slot("2027-01-05 10:00", "2027-01-05 11:00")), now).unwrap());
        assert!(store.release_no_shows(utc("2027-01-05 10:10")).unwrap().is_empty());
        assert_eq!(store.release_no_shows(utc("2027-01-05 10:16")).unwrap(), vec![booking.id]);
        assert_eq!(store.booking(booking.id).unwrap().status, BookingStatus::Released);
    }

    #[test]
    fn a_booker_checks_in_at_the_room_door_and_the_room_is_not_released() {
        let (mut store, room, now) = hub_with_studio();
        let other = store.add_room(&NewRoom::named("Workshop", 4)).unwrap();
        let key = PassKey::from_secret([3; 32]);
        let wanted = request(room.id, slot("2027-01-05 10:00", "2027-01-05 11:00"));
        let (booking, pass) = store.book_room(&key, &wanted, Booker::Newcomer("Robin"), now).unwrap().unwrap();
        let nothing = Err(Refused::Rule(RoomCheckInRefusal::NothingBooked));
        let early = utc("2027-01-05 09:00");
        assert_eq!(store.check_in_at_room(&key, room.id, &pass.payload, early).unwrap(), nothing, "too early");
        let door = utc("2027-01-05 10:05");
        assert_eq!(store.check_in_at_room(&key, other.id, &pass.payload, door).unwrap(), nothing, "another room");
        let refused = store.check_in_at_room(&key, room.id, "NOT-A-PASS", door).unwrap();
        assert!(matches!(refused, Err(Refused::Pass(_))));

        let arrived = store.check_in_at_room(&key, room.id, &pass.payload, door).unwrap().unwrap();
        assert_eq!((arrived.id, arrived.status), (booking.id, BookingStatus::CheckedIn));
        assert!(store.check_in_at_room(&key, room.id, &pass.payload, door).unwrap().is_ok(), "twice is fine");
        assert!(store.release_no_shows(utc("2027-01-05 10:30")).unwrap().is_empty());
    }
}
