//! Room calendars from outside — a file imported by hand, or a feed subscribed to in `kiosk.toml` — and the external
//! blocks their events become: times a room is busy that the kiosk did not book.
//!
//! A calendar's last good copy is kept, and its blocks are worked out again from it (every time it is read, and
//! daily as the days move on) for as far ahead as its room can be booked. A copy that cannot be read changes
//! nothing: the last good one stays, with the reason and the time it last succeeded. No booking can be made or moved
//! over a block (`check_rules`, and the triggers of migration 009 whatever writes); a block that lands on a booking
//! made earlier keeps both, and is reported to staff as a collision until one of them moves.

use crate::sql::{Connection, OptionalExtension, Transaction, params};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::ics_import::{Busy, read_ics};
use crate::ids::{BookingId, RoomId};
use crate::rooms::load_room;
use crate::site::load_site;
use crate::time::{Slot, from_db, to_db};

/// How far back blocks are kept: what is over is of no use to a booking.
const KEEP_PAST: Duration = Duration::days(1);

/// A subscription as `kiosk.toml` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub url: String,
    pub room: RoomId,
    pub refresh_minutes: u32,
}

/// A subscribed feed to fetch now, with what the last good fetch said for a conditional request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedDue {
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What fetching a feed gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// A copy (200), with the validators for the next request.
    Copy { text: String, etag: Option<String>, last_modified: Option<String> },
    /// Unchanged since the last good copy (304).
    NotModified,
    /// No copy: why, in plain words ("the server answered 500", "no answer within 30 seconds").
    Failed(String),
}

/// A calendar read: how many events and blocks it gave, and the blocks that land on bookings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarRead {
    pub events: usize,
    pub blocks: usize,
    pub collisions: Vec<Collision>,
}

/// A block that lands on a booking the kiosk made first. Both stay until staff move one of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Collision {
    pub calendar: String,
    pub room: String,
    pub summary: String,
    pub block: Slot,
    pub booking: BookingId,
    pub booking_title: String,
    pub booking_slot: Slot,
}

/// A calendar as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarStatus {
    pub name: String,
    pub room: String,
    pub subscribed: bool,
    pub refresh_minutes: u32,
    /// When a copy was last read without a problem.
    pub read_at: Option<DateTime<Utc>>,
    /// Why the last try failed; `None` when it succeeded.
    pub failure: Option<String>,
    pub failed_at: Option<DateTime<Utc>>,
    /// Blocks from now on.
    pub blocks: u32,
    pub collisions: Vec<Collision>,
}

impl Store {
    /// Reads a calendar file into `room`'s blocks, replacing what an earlier import of the same name gave. A file
    /// that cannot be read changes nothing and says which line.
    pub fn import_calendar(
        &mut self,
        name: &str,
        room: RoomId,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<CalendarRead> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::invalid("give the calendar a name"));
        }
        self.write(|tx| {
            load_room(tx, room)?;
            let existing = calendar_id(tx, name)?;
            let id = match existing {
                Some((_, true)) => {
                    return Err(StoreError::invalid(format!(
                        "“{name}” is a subscription in kiosk.toml: it is read from there, not imported"
                    )));
                }
                Some((id, false)) => {
                    tx.execute("UPDATE room_calendars SET room_id = ?2 WHERE id = ?1", params![id, room])?;
                    id
                }
                None => {
                    tx.execute(
                        "INSERT INTO room_calendars (name, room_id, subscribed) VALUES (?1, ?2, 0)",
                        params![name, room],
                    )?;
                    tx.last_insert_rowid()?
                }
            };
            let read = load_blocks(tx, id, text, now)?.map_err(StoreError::invalid)?;
            tx.execute(
                "UPDATE room_calendars SET source = ?2, read_at = ?3, tried_at = ?3, failure = NULL WHERE id = ?1",
                params![id, text, to_db(now)],
            )?;
            Ok(read)
        })
    }

    /// Brings the subscriptions in line with `kiosk.toml`: new ones added (fetched on the next round), a changed
    /// room or refresh taken, and the ones no longer listed removed with their blocks. A line per change.
    pub fn set_subscriptions(&mut self, wanted: &[Subscription], now: DateTime<Utc>) -> Result<Vec<String>> {
        self.write(|tx| {
            let mut changes = Vec::new();
            let current: Vec<(i64, String, RoomId, u32, Option<String>)> = tx
                .prepare_cached(
                    "SELECT id, name, room_id, refresh_minutes, source FROM room_calendars WHERE subscribed = 1",
                )?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))?
                .collect::<crate::sql::Result<_>>()?;
            for (id, name, ..) in current.iter().filter(|(_, name, ..)| !wanted.iter().any(|want| &want.url == name)) {
                tx.execute("DELETE FROM room_calendars WHERE id = ?1", [id])?;
                changes.push(format!("calendar {name}: removed, with its blocks"));
            }
            for want in wanted {
                let room = load_room(tx, want.room)?;
                match current.iter().find(|(_, name, ..)| name == &want.url) {
                    None => {
                        if calendar_id(tx, &want.url)?.is_some() {
                            return Err(StoreError::invalid(format!(
                                "{} was imported by hand; remove it (kiosk calendar remove) before subscribing to it",
                                want.url
                            )));
                        }
                        tx.execute(
                            "INSERT INTO room_calendars (name, room_id, subscribed, refresh_minutes)
                             VALUES (?1, ?2, 1, ?3)",
                            params![want.url, want.room, want.refresh_minutes.max(1)],
                        )?;
                        changes.push(format!("calendar {}: subscribed for {}", want.url, room.name));
                    }
                    Some((id, _, room_id, refresh, source)) => {
                        if *refresh != want.refresh_minutes.max(1) {
                            tx.execute(
                                "UPDATE room_calendars SET refresh_minutes = ?2 WHERE id = ?1",
                                params![id, want.refresh_minutes.max(1)],
                            )?;
                            changes.push(format!("calendar {}: read every {} minutes", want.url, want.refresh_minutes));
                        }
                        if *room_id != want.room {
                            tx.execute("UPDATE room_calendars SET room_id = ?2 WHERE id = ?1", params![id, want.room])?;
                            if let Some(source) = source {
                                load_blocks(tx, *id, source, now)?.map_err(StoreError::invalid)?;
                            }
                            changes.push(format!("calendar {}: now for {}", want.url, room.name));
                        }
                    }
                }
            }
            Ok(changes)
        })
    }

    /// Removes an imported calendar and its blocks. `false` when there is none of that name; a subscription is
    /// refused, as the next `kiosk config apply` would bring it back: it goes from kiosk.toml.
    pub fn remove_calendar(&mut self, name: &str) -> Result<bool> {
        self.write(|tx| match calendar_id(tx, name.trim())? {
            None => Ok(false),
            Some((_, true)) => Err(StoreError::invalid(format!(
                "{} is a subscription: take its [[calendars]] section out of kiosk.toml and run kiosk config apply",
                name.trim()
            ))),
            Some((id, false)) => Ok(tx.execute("DELETE FROM room_calendars WHERE id = ?1", [id])? > 0),
        })
    }

    /// The subscribed feeds whose refresh has come round (or that were never fetched).
    pub fn feeds_due(&self, now: DateTime<Utc>) -> Result<Vec<FeedDue>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT name, etag, last_modified FROM room_calendars
                 WHERE subscribed = 1 AND (tried_at IS NULL OR tried_at + refresh_minutes * 60 <= ?1)
                 ORDER BY id",
            )?
            .query_map([to_db(now)], |row| {
                Ok(FeedDue { url: row.get(0)?, etag: row.get(1)?, last_modified: row.get(2)? })
            })?
            .collect::<crate::sql::Result<_>>()?)
    }

    /// Records what fetching a feed gave: a copy that reads replaces the blocks; one that does not, or no copy,
    /// keeps the last good one and records why. `Err(reason)` inside when it failed.
    pub fn feed_fetched(
        &mut self,
        url: &str,
        fetched: Fetched,
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<CalendarRead, String>> {
        self.write(|tx| {
            let Some((id, true)) = calendar_id(tx, url)? else {
                return Err(StoreError::not_found(format!("no subscription to {url}")));
            };
            let outcome = match &fetched {
                Fetched::Copy { text, .. } => load_blocks(tx, id, text, now)?,
                Fetched::NotModified => {
                    let source: Option<String> = tx
                        .prepare_cached("SELECT source FROM room_calendars WHERE id = ?1")?
                        .query_row([id], |row| row.get(0))?;
                    match source {
                        Some(source) => load_blocks(tx, id, &source, now)?,
                        None => Err("the server said nothing had changed, but no copy was ever read".to_owned()),
                    }
                }
                Fetched::Failed(reason) => Err(reason.clone()),
            };
            match (&outcome, &fetched) {
                (Ok(_), Fetched::Copy { text, etag, last_modified }) => tx.execute(
                    "UPDATE room_calendars SET source = ?2, etag = ?3, last_modified = ?4, read_at = ?5,
                     tried_at = ?5, failure = NULL WHERE id = ?1",
                    params![id, text, etag, last_modified, to_db(now)],
                )?,
                (Ok(_), _) => tx.execute(
                    "UPDATE room_calendars SET read_at = ?2, tried_at = ?2, failure = NULL WHERE id = ?1",
                    params![id, to_db(now)],
                )?,
                (Err(reason), _) => tx.execute(
                    "UPDATE room_calendars SET tried_at = ?2, failure = ?3 WHERE id = ?1",
                    params![id, to_db(now), reason],
                )?,
            };
            Ok(outcome)
        })
    }

    /// Works every calendar's blocks out again from its last good copy, as the days move on. How many blocks.
    pub fn refresh_calendar_blocks(&mut self, now: DateTime<Utc>) -> Result<usize> {
        self.write(|tx| {
            let sources: Vec<(i64, String)> = tx
                .prepare_cached("SELECT id, source FROM room_calendars WHERE source IS NOT NULL")?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<crate::sql::Result<_>>()?;
            let mut blocks = 0;
            for (id, source) in sources {
                // It read before; if it no longer does (a newer kiosk reads more strictly), the old blocks stay.
                match load_blocks(tx, id, &source, now)? {
                    Ok(read) => blocks += read.blocks,
                    Err(reason) => {
                        tx.execute("UPDATE room_calendars SET failure = ?2 WHERE id = ?1", params![id, reason])?;
                    }
                }
            }
            Ok(blocks)
        })
    }

    /// Every calendar of the site's rooms with its health, its blocks from now on, and its collisions.
    pub fn room_calendars(&self, now: DateTime<Utc>) -> Result<Vec<CalendarStatus>> {
        let collisions = collisions(&self.conn, now)?;
        let mut statement = self.conn.prepare_cached(
            "SELECT c.name, r.name, c.subscribed, c.refresh_minutes, c.read_at, c.tried_at, c.failure,
                    (SELECT count(*) FROM external_blocks b WHERE b.calendar_id = c.id AND b.end_utc > ?1)
             FROM room_calendars c JOIN rooms r ON r.id = c.room_id WHERE r.site_id = ?2 ORDER BY r.name, c.name",
        )?;
        let rows = statement.query_map(params![to_db(now), self.site], |row| {
            let failure: Option<String> = row.get(6)?;
            Ok(CalendarStatus {
                name: row.get(0)?,
                room: row.get(1)?,
                subscribed: row.get(2)?,
                refresh_minutes: row.get(3)?,
                read_at: row.get::<_, Option<i64>>(4)?.map(from_db),
                failed_at: if failure.is_some() { row.get::<_, Option<i64>>(5)?.map(from_db) } else { None },
                failure,
                blocks: row.get(7)?,
                collisions: Vec::new(),
            })
        })?;
        let mut calendars = rows.collect::<crate::sql::Result<Vec<_>>>()?;
        for calendar in &mut calendars {
            calendar.collisions = collisions.iter().filter(|c| c.calendar == calendar.name).cloned().collect();
        }
        Ok(calendars)
    }

    /// Blocks that land on bookings and are not over yet, earliest first.
    pub fn calendar_collisions(&self, now: DateTime<Utc>) -> Result<Vec<Collision>> {
        collisions(&self.conn, now)
    }

    /// The external blocks of a room that overlap `range`, earliest first.
    pub fn external_blocks(&self, room: RoomId, range: Slot) -> Result<Vec<Slot>> {
        Ok(external_blocks(&self.conn, Some(room), range)?.into_iter().map(|block| block.slot).collect())
    }
}

/// A calendar's id and whether it is a subscription.
fn calendar_id(conn: &Connection, name: &str) -> Result<Option<(i64, bool)>> {
    Ok(conn
        .prepare_cached("SELECT id, subscribed FROM room_calendars WHERE name = ?1")?
        .query_row([name], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?)
}

/// Replaces a calendar's blocks with what `text` gives from a day ago to as far ahead as its room can be booked.
/// The inner `Err` holds why the text could not be used, with its line, and nothing is changed then; the outer one
/// is the database failing, which rolls the caller's transaction back.
fn load_blocks(
    tx: &Transaction<'_>,
    id: i64,
    text: &str,
    now: DateTime<Utc>,
) -> Result<std::result::Result<CalendarRead, String>> {
    let (name, room_id): (String, RoomId) = tx
        .prepare_cached("SELECT name, room_id FROM room_calendars WHERE id = ?1")?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let room = load_room(tx, room_id)?;
    let zone: Tz = load_site(tx, room.site)?.time_zone;
    let window = Slot::new(now - KEEP_PAST, now + Duration::days(i64::from(room.advance_days) + 1))?;
    let (file, busy) = match read_ics(text).and_then(|file| Ok((file.busy(zone, window)?, file))) {
        Ok((busy, file)) => (file, busy),
        Err(unreadable) => return Ok(Err(unreadable.to_string())),
    };
    tx.execute("DELETE FROM external_blocks WHERE calendar_id = ?1", [id])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO external_blocks (calendar_id, room_id, start_utc, end_utc, uid, summary)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for Busy { uid, summary, slot } in &busy {
        let summary: String = summary.chars().take(200).collect();
        insert.execute(params![id, room_id, to_db(slot.start()), to_db(slot.end()), uid, summary])?;
    }
    let collisions = collisions(tx, now)?.into_iter().filter(|collision| collision.calendar == name).collect();
    Ok(Ok(CalendarRead { events: file.event_count(), blocks: busy.len(), collisions }))
}

fn collisions(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<Collision>> {
    let mut statement = conn.prepare_cached(
        "SELECT c.name, r.name, x.summary, x.start_utc, x.end_utc, b.id, b.title, b.start_utc, b.end_utc
         FROM external_blocks x
         JOIN room_calendars c ON c.id = x.calendar_id
         JOIN rooms r ON r.id = x.room_id
         JOIN bookings b ON b.room_id = x.room_id AND b.status IN ('confirmed', 'checked_in')
              AND b.end_utc > x.start_utc AND b.start_utc < x.end_utc
         WHERE x.end_utc > ?1
         ORDER BY x.start_utc, b.start_utc",
    )?;
    let rows = statement.query_map([to_db(now)], |row| {
        let slot =
            |start: i64, end: i64| Slot::new(from_db(start), from_db(end)).map_err(|_| rusqlite::Error::InvalidQuery);
        Ok(Collision {
            calendar: row.get(0)?,
            room: row.get(1)?,
            summary: row.get(2)?,
            block: slot(row.get(3)?, row.get(4)?)?,
            booking: row.get(5)?,
            booking_title: row.get(6)?,
            booking_slot: slot(row.get(7)?, row.get(8)?)?,
        })
    })?;
    Ok(rows.collect::<crate::sql::Result<_>>()?)
}

/// An external block as the rules and the room views use it.
pub(crate) struct Block {
    pub room: RoomId,
    pub slot: Slot,
    pub summary: String,
}

/// Blocks that overlap `range`, earliest first; all rooms when `room` is `None`.
pub(crate) fn external_blocks(conn: &Connection, room: Option<RoomId>, range: Slot) -> Result<Vec<Block>> {
    let mut statement = conn.prepare_cached(
        "SELECT room_id, start_utc, end_utc, summary FROM external_blocks
         WHERE (room_id = ?1 OR ?1 IS NULL) AND end_utc > ?2 AND start_utc < ?3 ORDER BY start_utc",
    )?;
    let rows = statement.query_map(params![room, to_db(range.start()), to_db(range.end())], |row| {
        Ok((row.get::<_, RoomId>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?, row.get::<_, String>(3)?))
    })?;
    let mut blocks = Vec::new();
    for row in rows {
        let (room, start, end, summary) = row?;
        blocks.push(Block { room, slot: Slot::new(from_db(start), from_db(end))?, summary });
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use crate::bookings::{BookingOutcome, BookingRefusal, BookingRequest};
    use crate::rooms::NewRoom;
    use crate::site::tests::london_hub;

    use super::*;

    /// Tuesday 2 March 2027, the hub open 09:00–18:00 (GMT).
    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 2, hour, minute, 0).unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 1, 8, 0, 0).unwrap()
    }

    fn event(uid: &str, start: &str, end: &str) -> String {
        format!("BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{uid}\r\nDTSTART:{start}\r\nDTEND:{end}\r\nEND:VEVENT\r\n")
    }

    fn ics(events: &[String]) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{}END:VCALENDAR\r\n", events.concat())
    }

    fn hub_with_room() -> (Store, RoomId) {
        let mut store = london_hub();
        let room = store.add_room(&NewRoom::named("Studio", 8)).unwrap();
        (store, room.id)
    }

    fn book(store: &mut Store, room: RoomId, start: DateTime<Utc>, end: DateTime<Utc>) -> BookingOutcome {
        let request = BookingRequest {
            room,
            slot: Slot::new(start, end).unwrap(),
            title: "Podcast".into(),
            booked_by: None,
            booked_for: None,
            public: false,
        };
        store.book(&request, now()).unwrap()
    }

    #[test]
    fn a_block_is_busy_for_the_rules_the_database_and_free_time() {
        let (mut store, room) = hub_with_room();
        let read = store
            .import_calendar("studio.ics", room, &ics(&[event("talk", "20270302T100000Z", "20270302T113000Z")]), now())
            .unwrap();
        assert_eq!((read.events, read.blocks, read.collisions.len()), (1, 1, 0));

        let BookingOutcome::Refused(BookingRefusal::CalendarBusy { start, end, .. }) =
            book(&mut store, room, at(11, 0), at(12, 0))
        else {
            panic!("a booking over the block should be refused");
        };
        assert_eq!((start.to_utc(), end.to_utc()), (at(10, 0), at(11, 30)));
        assert!(
            matches!(book(&mut store, room, at(11, 30), at(12, 30)), BookingOutcome::Booked(_)),
            "right after is free"
        );

        let sql = store.conn.execute(
            "INSERT INTO bookings (room_id, start_utc, end_utc, title, status, created_at) VALUES (?1, ?2, ?3, 'x', 'confirmed', 0)",
            params![room, to_db(at(9, 0)), to_db(at(10, 30))],
        );
        assert!(sql.unwrap_err().to_string().contains("calendar shows as busy"), "the database refuses it too");

        let day = store.availability(NaiveDate::from_ymd_opt(2027, 3, 2).unwrap(), now()).unwrap();
        let free: Vec<_> = day[0].free.iter().map(|slot| (slot.start(), slot.end())).collect();
        assert_eq!(free, vec![(at(9, 0), at(10, 0)), (at(12, 30), at(18, 0))]);
        assert_eq!(day[0].calendar_busy.len(), 1);
        assert!(
            store.boards(at(10, 15)).unwrap().rooms[0].state != crate::boards::RoomState::Free { until: at(18, 0) }
        );
    }

    #[test]
    fn a_block_over_an_earlier_booking_is_kept_and_reported_and_the_booking_stays() {
        let (mut store, room) = hub_with_room();
        let BookingOutcome::Booked(booking) = book(&mut store, room, at(14, 0), at(15, 0)) else { panic!() };
        let read = store
            .import_calendar("studio.ics", room, &ics(&[event("board", "20270302T143000Z", "20270302T160000Z")]), now())
            .unwrap();
        assert_eq!(read.blocks, 1);
        assert_eq!(read.collisions.len(), 1);
        let collision = &read.collisions[0];
        assert_eq!((collision.booking, collision.summary.as_str()), (booking.id, "board"));
        // The booking can still be checked in to (its status changes), but not moved further into the block.
        store.conn.execute("UPDATE bookings SET status = 'checked_in' WHERE id = ?1", [booking.id]).unwrap();
        let moved = store
            .conn
            .execute("UPDATE bookings SET end_utc = ?2 WHERE id = ?1", params![booking.id, to_db(at(15, 30))]);
        assert!(moved.is_err());
        let status = store.room_calendars(now()).unwrap();
        assert_eq!((status[0].blocks, status[0].collisions.len()), (1, 1));
        assert!(store.calendar_collisions(at(16, 0)).unwrap().is_empty(), "over once the block ends");
    }

    #[test]
    fn a_file_that_cannot_be_read_changes_nothing() {
        let (mut store, room) = hub_with_room();
        store
            .import_calendar("studio.ics", room, &ics(&[event("a", "20270302T100000Z", "20270302T110000Z")]), now())
            .unwrap();
        let broken = ics(&[event("b", "20270302T120000Z", "tomorrow")]);
        let error = store.import_calendar("studio.ics", room, &broken, now()).unwrap_err();
        assert_eq!(error.to_string(), "line 7: “tomorrow” is not a date (20270314) or a time (20270314T100000)");
        assert_eq!(store.external_blocks(room, Slot::new(at(0, 0), at(23, 0)).unwrap()).unwrap().len(), 1);
        assert!(store.remove_calendar("studio.ics").unwrap());
        assert!(store.external_blocks(room, Slot::new(at(0, 0), at(23, 0)).unwrap()).unwrap().is_empty());
    }

    #[test]
    fn a_feed_keeps_its_last_good_copy_and_leaves_with_its_subscription() {
        let (mut store, room) = hub_with_room();
        let url = "https://calendar.example.org/studio.ics";
        let subscribe = Subscription { url: url.into(), room, refresh_minutes: 15 };
        assert_eq!(store.set_subscriptions(std::slice::from_ref(&subscribe), now()).unwrap().len(), 1);
        assert_eq!(store.feeds_due(now()).unwrap()[0].url, url, "never fetched: due");

        let copy = Fetched::Copy {
            text: ics(&[event("a", "20270302T100000Z", "20270302T110000Z")]),
            etag: Some("\"v1\"".into()),
            last_modified: None,
        };
        assert_eq!(store.feed_fetched(url, copy, now()).unwrap().unwrap().blocks, 1);
        assert!(store.feeds_due(now() + Duration::minutes(14)).unwrap().is_empty());
        let due = store.feeds_due(now() + Duration::minutes(15)).unwrap();
        assert_eq!(due[0].etag.as_deref(), Some("\"v1\""));

        let later = now() + Duration::minutes(15);
        let garbage = Fetched::Copy { text: "<html>Sign in</html>".into(), etag: None, last_modified: None };
        assert!(store.feed_fetched(url, garbage, later).unwrap().is_err());
        let failed = store.feed_fetched(url, Fetched::Failed("the server answered 500".into()), later).unwrap();
        assert_eq!(failed, Err("the server answered 500".to_owned()));
        let status = &store.room_calendars(later).unwrap()[0];
        assert_eq!(
            (status.read_at, status.failure.as_deref(), status.blocks),
            (Some(now()), Some("the server answered 500"), 1)
        );

        assert_eq!(store.feed_fetched(url, Fetched::NotModified, later).unwrap().unwrap().blocks, 1);
        assert_eq!(store.room_calendars(later).unwrap()[0].failure, None);
        assert!(store.remove_calendar(url).unwrap_err().to_string().contains("take its [[calendars]] section out"));

        let removed = store.set_subscriptions(&[], later).unwrap();
        assert_eq!(removed, vec![format!("calendar {url}: removed, with its blocks")]);
        assert!(store.external_blocks(room, Slot::new(at(0, 0), at(23, 0)).unwrap()).unwrap().is_empty());
    }

    #[test]
    fn blocks_reach_as_far_ahead_as_the_room_can_be_booked_and_move_on_with_the_days() {
        let (mut store, room) = hub_with_room();
        let weekly = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:w\r\nDTSTART:20270301T100000Z\r\nDURATION:PT1H\r\n\
                      RRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let read = store.import_calendar("weekly.ics", room, weekly, now()).unwrap();
        assert_eq!(read.blocks, 13, "a room booked up to 90 days ahead: 13 Mondays");
        let far = Slot::new(now() + Duration::days(120), now() + Duration::days(127)).unwrap();
        assert!(store.external_blocks(room, far).unwrap().is_empty());
        store.refresh_calendar_blocks(now() + Duration::days(40)).unwrap();
        assert_eq!(store.external_blocks(room, far).unwrap().len(), 1);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Whatever a calendar blocks and whatever is asked, a booking is made exactly when it overlaps no block
        /// (and breaks no other rule), and the database agrees with the rules.
        #[test]
        fn no_booking_is_ever_made_over_a_block(
            blocks in proptest::collection::vec((0u32..36, 1u32..8), 0..6),
            asks in proptest::collection::vec((0u32..36, 1u32..8), 1..12),
        ) {
            let (mut store, room) = hub_with_room();
            // Quarter hours from 09:00 on Tuesday 2 March.
            let quarter = |n: u32| at(9, 0) + Duration::minutes(15 * i64::from(n));
            let events: Vec<String> = blocks
                .iter()
                .enumerate()
                .map(|(i, (start, length))| {
                    let stamp = |n| quarter(n).format("%Y%m%dT%H%M%SZ").to_string();
                    event(&format!("b{i}"), &stamp(*start), &stamp(start + length))
                })
                .collect();
            store.import_calendar("fuzz.ics", room, &ics(&events), now()).unwrap();
            let busy: Vec<Slot> = blocks.iter().map(|(start, length)| Slot::new(quarter(*start), quarter(start + length)).unwrap()).collect();
            for (start, length) in asks {
                let slot = Slot::new(quarter(start), quarter(start + length)).unwrap();
                let over_a_block = busy.iter().any(|block| block.start() < slot.end() && slot.start() < block.end());
                match book(&mut store, room, slot.start(), slot.end()) {
                    BookingOutcome::Booked(_) => proptest::prop_assert!(!over_a_block, "booked over a block: {slot:?}"),
                    BookingOutcome::Refused(BookingRefusal::CalendarBusy { .. }) => proptest::prop_assert!(over_a_block),
                    BookingOutcome::Refused(_) => {}
                }
            }
            let overlapping: i64 = store
                .conn
                .query_row(
                    "SELECT count(*) FROM bookings b JOIN external_blocks x ON x.room_id = b.room_id
                     WHERE b.end_utc > x.start_utc AND b.start_utc < x.end_utc",
                    [],
                    |row| row.get(0),
                )
                .unwrap();
            proptest::prop_assert_eq!(overlapping, 0);
        }
    }
}
