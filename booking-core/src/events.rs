//! Events: gatherings with places — a meet-up, a workshop — each held in a room through a booking, so the booking
//! rules and the database's no-overlap triggers apply as to any booking. People register by pass or by name; a full
//! event has a waiting list, promoted in order when a place frees; someone registered who scans in at the door
//! during it is marked as come (`visits.rs`); cancelling tells everyone registered or waiting why.

use crate::sql::{Connection, OptionalExtension, Row, Transaction, params};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::booker::{Booker, Found, Refused};
use crate::bookings::{BookingRefusal, BookingRequest, SeriesRequest, insert_booking, insert_series, refusal_for};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::ids::{BookingId, EventId, EventPlaceId, PersonId, RoomId};
use crate::outbox::{self, MessageFacts};
use crate::passes::{IssuedPass, NewPass, PassKey, insert_pass};
use crate::people::{Role, load_person};
use crate::refusal::Refusal;
use crate::rooms::load_room;
use crate::site::load_site;
use crate::surgeries::WhenFull;
use crate::text;
use crate::time::{Slot, from_db, to_db};

/// What `add_event` needs.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub room: RoomId,
    pub time: Slot,
    pub title: String,
    /// One line about it, for the public pages and the displays (may be empty).
    pub description: String,
    /// Who runs it (a host or staff member), if anyone in particular.
    pub host: Option<PersonId>,
    /// How many places it has.
    pub capacity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub id: EventId,
    pub booking: BookingId,
    pub room_id: RoomId,
    pub room: String,
    pub time: Slot,
    pub title: String,
    pub description: String,
    pub host_id: Option<PersonId>,
    pub capacity: u32,
    /// Places taken (registered or come).
    pub taken: u32,
    pub came: u32,
    pub waiting: u32,
    pub cancelled: bool,
    /// Why it was called off, in the words of whoever did.
    pub cancel_reason: Option<String>,
}

impl Event {
    pub fn free(&self) -> u32 {
        self.capacity.saturating_sub(self.taken)
    }
}

/// Where a person's place at an event stands. Stored as its `as_str` word (the schema's CHECK lists the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceStatus {
    Registered,
    Waiting,
    Came,
    Cancelled,
}

impl PlaceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceStatus::Registered => "registered",
            PlaceStatus::Waiting => "waiting",
            PlaceStatus::Came => "came",
            PlaceStatus::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> PlaceStatus {
        match text {
            "waiting" => PlaceStatus::Waiting,
            "came" => PlaceStatus::Came,
            "cancelled" => PlaceStatus::Cancelled,
            _ => PlaceStatus::Registered,
        }
    }
}

/// Someone on an event's list, as its host sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attendee {
    pub place: EventPlaceId,
    pub person_id: PersonId,
    pub display_name: String,
    pub status: PlaceStatus,
}

/// Why a registration was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EventRefusal {
    /// Every place is taken (and the person did not ask for the waiting list).
    Full,
    AlreadyRegistered,
    Cancelled,
    /// It has ended.
    Over,
}

impl Refusal for EventRefusal {
    fn code(&self) -> &'static str {
        match self {
            EventRefusal::Full => "full",
            EventRefusal::AlreadyRegistered => "already_registered",
            EventRefusal::Cancelled => "cancelled",
            EventRefusal::Over => "over",
        }
    }
}

/// A place taken: registered, or on the waiting list (1 = next), with the day pass a newcomer gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registered {
    pub place: EventPlaceId,
    pub waiting_position: Option<u32>,
    pub pass: Option<IssuedPass>,
}

const EVENT_COLUMNS: &str = "e.id, e.booking_id, b.room_id, r.name, b.start_utc, b.end_utc, b.title, e.description,
     e.host_id, e.capacity,
     (SELECT count(*) FROM event_places p WHERE p.event_id = e.id AND p.status IN ('registered', 'came')),
     (SELECT count(*) FROM event_places p WHERE p.event_id = e.id AND p.status = 'came'),
     (SELECT waiting FROM event_waiting w WHERE w.event_id = e.id),
     e.cancelled_at, e.cancel_reason";

const EVENT_FROM: &str = "events e JOIN bookings b ON b.id = e.booking_id JOIN rooms r ON r.id = b.room_id";

fn event_from_row(row: &Row<'_>) -> crate::sql::Result<Event> {
    let time = Slot::new(from_db(row.get(4)?), from_db(row.get(5)?)).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Integer, Box::new(error))
    })?;
    Ok(Event {
        id: row.get(0)?,
        booking: row.get(1)?,
        room_id: row.get(2)?,
        room: row.get(3)?,
        time,
        title: row.get(6)?,
        description: row.get(7)?,
        host_id: row.get(8)?,
        capacity: row.get(9)?,
        taken: row.get(10)?,
        came: row.get(11)?,
        waiting: row.get(12)?,
        cancelled: row.get::<_, Option<i64>>(13)?.is_some(),
        cancel_reason: row.get(14)?,
    })
}

pub(crate) fn load_event(conn: &Connection, id: EventId) -> Result<Event> {
    conn.prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM {EVENT_FROM} WHERE e.id = ?1"))?
        .query_row([id], event_from_row)
        .optional()?
        .ok_or_else(|| StoreError::not_found(format!("there is no event number {id}")))
}

/// Tells the person holding `place` about it (inside the change's transaction): registered, waiting (their
/// position), promoted, or called off with `reason`.
fn tell(tx: &Transaction<'_>, place: EventPlaceId, news: News<'_>, now: DateTime<Utc>) -> Result<()> {
    let (person, event_id): (PersonId, EventId) = tx
        .prepare_cached("SELECT person_id, event_id FROM event_places WHERE id = ?1")?
        .query_row([place], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let event = load_event(tx, event_id)?;
    let (event_name, what, room) = (format!("event-place-{place}"), event.title, event.room);
    let (start, end) = (event.time.start(), event.time.end());
    let facts = match news {
        News::Taken { waiting_position, pass } => MessageFacts::Booked {
            event: event_name,
            what,
            place: room,
            start,
            end,
            waiting_position,
            pass: pass.map(str::to_owned),
        },
        News::Promoted => MessageFacts::Promoted { event: event_name, what, place: room, start, end },
        News::CalledOff { reason } => MessageFacts::Cancelled {
            event: event_name,
            what,
            place: room,
            start,
            end,
            reason: Some(reason.to_owned()),
            sequence: 2,
        },
    };
    outbox::enqueue(tx, person, None, &facts, now).map(drop)
}

enum News<'a> {
    Taken { waiting_position: Option<u32>, pass: Option<&'a str> },
    Promoted,
    CalledOff { reason: &'a str },
}

/// Moves the first on the waiting list into a freed place, if there is room, and tells them.
fn promote_next(tx: &Transaction<'_>, event: EventId, now: DateTime<Utc>) -> Result<Option<(EventPlaceId, PersonId)>> {
    let found = load_event(tx, event)?;
    if found.free() == 0 || found.cancelled {
        return Ok(None);
    }
    let next: Option<(EventPlaceId, PersonId)> = tx
        .prepare_cached(
            "SELECT id, person_id FROM event_places WHERE event_id = ?1 AND status = 'waiting' ORDER BY id LIMIT 1",
        )?
        .query_row([event], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    if let Some((place, _)) = next {
        tx.execute("UPDATE event_places SET status = 'registered' WHERE id = ?1", [place])?;
        tell(tx, place, News::Promoted, now)?;
    }
    Ok(next)
}

/// An event's description, checked, and its capacity, which must be at least one place.
fn event_description(description: &str, capacity: u32) -> Result<String> {
    if capacity == 0 {
        return Err(StoreError::invalid("an event needs at least 1 place"));
    }
    Ok(text::clean_optional("description", Some(description), 300)?.unwrap_or_default())
}

/// An event's host, if it has one, must be a host or a staff member.
fn check_host(tx: &Transaction<'_>, host: Option<PersonId>) -> Result<()> {
    if let Some(host) = host
        && !matches!(load_person(tx, host)?.role, Role::Host | Role::Staff)
    {
        return Err(StoreError::invalid("an event's host must be a host or a staff member"));
    }
    Ok(())
}

fn insert_event(
    tx: &Transaction<'_>,
    booking: BookingId,
    description: &str,
    host: Option<PersonId>,
    capacity: u32,
    now: DateTime<Utc>,
) -> Result<EventId> {
    tx.execute(
        "INSERT INTO events (booking_id, description, host_id, capacity, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![booking, description, host, capacity, to_db(now)],
    )?;
    Ok(EventId(tx.last_insert_rowid()?))
}

impl Store {
    /// Plans an event: books its room for its time (every booking rule applies, and the title shows on the room's
    /// display) and gives it `capacity` places. One transaction.
    pub fn add_event(&mut self, new: &NewEvent, now: DateTime<Utc>) -> Result<Result<Event, BookingRefusal>> {
        let title = text::clean("title", &new.title, 120)?;
        let description = event_description(&new.description, new.capacity)?;
        let outcome = self.write(|tx| {
            check_host(tx, new.host)?;
            if let Some(refusal) = refusal_for(tx, new.room, new.time, None, now)? {
                return Ok(Err(refusal));
            }
            let request = BookingRequest {
                room: new.room,
                slot: new.time,
                title: title.clone(),
                booked_by: new.host,
                booked_for: new.host,
                public: true,
            };
            let booking = insert_booking(tx, &request, &title, None, now)?;
            Ok(Ok(insert_event(tx, booking, &description, new.host, new.capacity, now)?))
        })?;
        Ok(match outcome {
            Ok(id) => Ok(self.event(id)?),
            Err(refusal) => Err(refusal),
        })
    }

    /// Plans a repeating event: its room is booked for every occurrence of `series` (all or none; the first date
    /// that breaks a rule is named), each occurrence an event of its own with `capacity` places, its host the
    /// series' `booked_by`. One transaction.
    pub fn add_event_series(
        &mut self,
        series: &SeriesRequest,
        description: &str,
        capacity: u32,
        now: DateTime<Utc>,
    ) -> Result<Result<Vec<Event>, (NaiveDate, BookingRefusal)>> {
        let description = event_description(description, capacity)?;
        let series = SeriesRequest { public: true, booked_for: series.booked_by, ..series.clone() };
        let outcome = self.write(|tx| {
            check_host(tx, series.booked_by)?;
            let bookings = match insert_series(tx, &series, now)? {
                Ok((_, bookings)) => bookings,
                Err(refused) => return Ok(Err(refused)),
            };
            let ids = bookings
                .into_iter()
                .map(|booking| insert_event(tx, booking, &description, series.booked_by, capacity, now))
                .collect::<Result<Vec<_>>>()?;
            Ok(Ok(ids))
        })?;
        Ok(match outcome {
            Ok(ids) => Ok(ids.into_iter().map(|id| self.event(id)).collect::<Result<_>>()?),
            Err(refused) => Err(refused),
        })
    }

    pub fn event(&self, id: EventId) -> Result<Event> {
        load_event(&self.conn, id)
    }

    /// Events (cancelled ones too) overlapping `range`, earliest first.
    pub fn events_overlapping(&self, range: Slot) -> Result<Vec<Event>> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM {EVENT_FROM}
             WHERE b.end_utc > ?1 AND b.start_utc < ?2 AND r.site_id = ?3 ORDER BY b.start_utc, e.id"
        ))?;
        let events = statement
            .query_map(params![to_db(range.start()), to_db(range.end()), self.site], event_from_row)?
            .collect::<crate::sql::Result<_>>()?;
        Ok(events)
    }

    /// Registers a [`Booker`] for an event at the kiosk, on the web or from the command line: a place, or a
    /// waiting-list place when it is full and `when_full` allows it. A newcomer also gets a day pass for the event's
    /// day. The pass check, the rules, a newcomer's record, the place, the pass and the confirmation message are one
    /// transaction; the database's trigger refuses a place beyond the capacity whatever writes.
    pub fn register_for_event(
        &mut self,
        key: &PassKey,
        event: EventId,
        booker: Booker<'_>,
        when_full: WhenFull,
        now: DateTime<Utc>,
    ) -> Result<Result<Registered, Refused<EventRefusal>>> {
        let site = self.site;
        self.write(|tx| {
            let found = match booker.find(tx, key, site, now)? {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(Refused::Pass(refusal))),
            };
            let details = load_event(tx, event)?;
            let refusal = if details.cancelled {
                Some(EventRefusal::Cancelled)
            } else if details.time.end() <= now {
                Some(EventRefusal::Over)
            } else if let Some(person) = found.holder()
                && tx
                    .prepare_cached(
                        "SELECT EXISTS (SELECT 1 FROM event_places WHERE event_id = ?1 AND person_id = ?2
                                    AND status != 'cancelled')",
                    )?
                    .query_row(params![event, person], |row| row.get::<_, bool>(0))?
            {
                Some(EventRefusal::AlreadyRegistered)
            } else if details.free() == 0 && when_full == WhenFull::Refuse {
                Some(EventRefusal::Full)
            } else {
                None
            };
            if let Some(refusal) = refusal {
                return Ok(Err(Refused::Rule(refusal)));
            }
            let person = found.person(tx, now)?;
            let status = if details.free() > 0 { PlaceStatus::Registered } else { PlaceStatus::Waiting };
            tx.execute(
                "INSERT INTO event_places (event_id, person_id, status, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![event, person, status.as_str(), to_db(now)],
            )?;
            let place = EventPlaceId(tx.last_insert_rowid()?);
            let waiting_position = match status {
                // Last in the queue: a new row has the largest id, and the database has just counted it in.
                PlaceStatus::Waiting => Some(
                    tx.prepare_cached("SELECT waiting FROM event_waiting WHERE event_id = ?1")?
                        .query_row([event], |row| row.get(0))?,
                ),
                _ => None,
            };
            let pass = match found {
                Found::Holder(_) => None,
                Found::Newcomer(_) => {
                    let event_site = load_room(tx, details.room_id)?.site;
                    let day = details.time.start().with_timezone(&load_site(tx, event_site)?.time_zone).date_naive();
                    Some(insert_pass(tx, key, event_site, person, NewPass::DayOf(day), now)?)
                }
            };
            let shown = match booker {
                Booker::Pass(text) => Some(text.trim()),
                Booker::Newcomer(_) => pass.as_ref().map(|issued| issued.payload.as_str()),
                Booker::Person(_) => None,
            };
            tell(tx, place, News::Taken { waiting_position, pass: shown }, now)?;
            Ok(Ok(Registered { place, waiting_position, pass }))
        })
    }

    /// Gives up a place (or a waiting-list place); the first waiting moves up and is told. Returns who moved up.
    pub fn cancel_event_place(
        &mut self,
        place: EventPlaceId,
        now: DateTime<Utc>,
    ) -> Result<Option<(EventPlaceId, PersonId)>> {
        self.write(|tx| {
            let event: EventId = tx
                .prepare_cached(
                    "SELECT event_id FROM event_places WHERE id = ?1 AND status IN ('registered', 'waiting')",
                )?
                .query_row([place], |row| row.get(0))
                .optional()?
                .ok_or_else(|| StoreError::invalid(format!("place #{place} is not registered or waiting")))?;
            tx.execute("UPDATE event_places SET status = 'cancelled' WHERE id = ?1", [place])?;
            promote_next(tx, event, now)
        })
    }

    /// Calls an event off: its room is freed, and everyone registered or waiting is told `reason`. Returns how many
    /// were told (people who agreed to be contacted).
    pub fn cancel_event(&mut self, id: EventId, reason: &str, now: DateTime<Utc>) -> Result<u32> {
        let reason = text::clean("reason", reason, 300)?;
        self.write(|tx| {
            let event = load_event(tx, id)?;
            if event.cancelled {
                return Err(StoreError::invalid(format!("event #{id} is already cancelled")));
            }
            if event.time.end() <= now {
                return Err(StoreError::invalid(format!("event #{id} is already over")));
            }
            tx.execute(
                "UPDATE events SET cancelled_at = ?2, cancel_reason = ?3 WHERE id = ?1",
                params![id, to_db(now), reason],
            )?;
            tx.execute(
                "UPDATE bookings SET status = 'cancelled', revision = revision + 1 WHERE id = ?1",
                [event.booking],
            )?;
            let places: Vec<EventPlaceId> = tx
                .prepare_cached(
                    "SELECT id FROM event_places WHERE event_id = ?1 AND status IN ('registered', 'waiting')",
                )?
                .query_map([id], |row| row.get(0))?
                .collect::<crate::sql::Result<_>>()?;
            for place in &places {
                tell(tx, *place, News::CalledOff { reason: &reason }, now)?;
            }
            tx.execute(
                "UPDATE event_places SET status = 'cancelled' WHERE event_id = ?1 AND status IN ('registered', 'waiting')",
                [id],
            )?;
            Ok(places.len() as u32)
        })
    }

    /// Everyone on an event's list, in the order they registered (cancelled places left out).
    pub fn attendees(&self, event: EventId) -> Result<Vec<Attendee>> {
        load_event(&self.conn, event)?;
        let mut statement = self.conn.prepare_cached(
            "SELECT x.id, x.person_id, p.display_name, x.status FROM event_places x JOIN people p ON p.id = x.person_id
             WHERE x.event_id = ?1 AND x.status != 'cancelled' ORDER BY x.id",
        )?;
        let attendees = statement
            .query_map([event], |row| {
                Ok(Attendee {
                    place: row.get(0)?,
                    person_id: row.get(1)?,
                    display_name: row.get(2)?,
                    status: PlaceStatus::parse(&row.get::<_, String>(3)?),
                })
            })?
            .collect::<crate::sql::Result<_>>()?;
        Ok(attendees)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::people::NewPerson;
    use crate::rooms::NewRoom;
    use crate::site::tests::london_hub;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 5, hour, minute, 0).unwrap()
    }

    fn key() -> PassKey {
        PassKey::from_secret([6; 32])
    }

    /// A two-place repair café in the Workshop, 16:00–17:30, hosted by Grace.
    fn repair_cafe(store: &mut Store) -> Event {
        let room = store.add_room(&NewRoom::named("Workshop", 16)).unwrap().id;
        let grace = NewPerson { display_name: "Grace".into(), contact: None, role: Role::Host, rules_version: None };
        let host = store.add_person(&grace, at(8, 0)).unwrap().id;
        let new = NewEvent {
            room,
            time: Slot::new(at(16, 0), at(17, 30)).unwrap(),
            title: "Repair café".into(),
            description: "Bring something broken".into(),
            host: Some(host),
            capacity: 2,
        };
        store.add_event(&new, at(9, 0)).unwrap().unwrap()
    }

    #[test]
    fn an_event_books_its_room_and_fills_then_waits_then_promotes_in_order() {
        let mut store = london_hub();
        let event = repair_cafe(&mut store);
        let booking = store.booking(event.booking).unwrap();
        assert!(booking.public && booking.title == "Repair café", "the room's display shows it");
        let clash = NewEvent {
            room: event.room_id,
            time: Slot::new(at(17, 0), at(18, 0)).unwrap(),
            title: "Clash".into(),
            description: String::new(),
            host: None,
            capacity: 5,
        };
        assert!(matches!(store.add_event(&clash, at(9, 0)).unwrap(), Err(BookingRefusal::Conflict { .. })));

        let register = |store: &mut Store, name: &str, when_full| {
            store.register_for_event(&key(), event.id, Booker::Newcomer(name), when_full, at(10, 0)).unwrap()
        };
        let ada = register(&mut store, "Ada", WhenFull::Refuse).unwrap();
        let bea = register(&mut store, "Bea", WhenFull::Refuse).unwrap();
        assert!(ada.pass.is_some() && ada.waiting_position.is_none());
        assert_eq!(register(&mut store, "Cy", WhenFull::Refuse), Err(Refused::Rule(EventRefusal::Full)));
        let cy = register(&mut store, "Cy", WhenFull::JoinWaitingList).unwrap();
        let di = register(&mut store, "Di", WhenFull::JoinWaitingList).unwrap();
        assert_eq!((cy.waiting_position, di.waiting_position), (Some(1), Some(2)));
        let again = store
            .register_for_event(&key(), event.id, Booker::Pass(&ada.pass.unwrap().payload), WhenFull::Refuse, at(10, 5))
            .unwrap();
        assert_eq!(again, Err(Refused::Rule(EventRefusal::AlreadyRegistered)));

        let promoted = store.cancel_event_place(bea.place, at(11, 0)).unwrap();
        assert_eq!(promoted.map(|(place, _)| place), Some(cy.place), "first come, first promoted");
        let statuses: Vec<_> =
            store.attendees(event.id).unwrap().iter().map(|a| (a.display_name.clone(), a.status)).collect();
        assert_eq!(
            statuses,
            [
                ("Ada".to_owned(), PlaceStatus::Registered),
                ("Cy".to_owned(), PlaceStatus::Registered),
                ("Di".to_owned(), PlaceStatus::Waiting)
            ]
        );
        let event = store.event(event.id).unwrap();
        assert_eq!((event.taken, event.waiting, event.free()), (2, 1, 0));
    }

    #[test]
    fn the_database_refuses_a_place_beyond_the_capacity_whatever_writes() {
        let mut store = london_hub();
        let event = repair_cafe(&mut store);
        for name in ["Ada", "Bea"] {
            store
                .register_for_event(&key(), event.id, Booker::Newcomer(name), WhenFull::Refuse, at(10, 0))
                .unwrap()
                .unwrap();
        }
        let person = store.people(None).unwrap().last().unwrap().id;
        let sneaked = store.conn.execute(
            "INSERT INTO event_places (event_id, person_id, status, created_at) VALUES (?1, ?2, 'registered', 0)",
            params![event.id, person],
        );
        assert!(sneaked.unwrap_err().to_string().contains("the event is full"));
        assert!(store.conn.execute("UPDATE events SET capacity = 1 WHERE id = ?1", [event.id]).is_err());
    }

    #[test]
    fn calling_an_event_off_frees_the_room_and_tells_everyone_why() {
        let mut store = london_hub();
        let event = repair_cafe(&mut store);
        let ada = NewPerson { display_name: "Ada".into(), contact: None, role: Role::Member, rules_version: Some(1) };
        let ada = store.add_person(&ada, at(8, 0)).unwrap().id;
        store.set_contact(ada, Some("ada@example.org"), true, None, at(8, 0)).unwrap();
        let pass = store.issue_pass(&key(), ada, NewPass::Member, at(8, 0)).unwrap().payload;
        store.register_for_event(&key(), event.id, Booker::Pass(&pass), WhenFull::Refuse, at(10, 0)).unwrap().unwrap();

        assert_eq!(store.cancel_event(event.id, "The host is ill", at(12, 0)).unwrap(), 1);
        assert!(store.cancel_event(event.id, "again", at(12, 1)).is_err(), "once");
        let event = store.event(event.id).unwrap();
        assert!(event.cancelled && event.cancel_reason.as_deref() == Some("The host is ill"));
        assert!(!store.booking(event.booking).unwrap().status.is_active(), "the room is free again");
        let told: Vec<_> = store.due_messages(at(12, 0), 10).unwrap().into_iter().map(|m| m.facts).collect();
        assert!(matches!(&told[0], MessageFacts::Booked { what, .. } if what == "Repair café"));
        assert!(
            matches!(&told[1], MessageFacts::Cancelled { reason: Some(reason), .. } if reason == "The host is ill")
        );
        let late = store.register_for_event(&key(), event.id, Booker::Newcomer("Zed"), WhenFull::Refuse, at(13, 0));
        assert_eq!(late.unwrap(), Err(Refused::Rule(EventRefusal::Cancelled)));
    }

    #[test]
    fn someone_registered_who_scans_in_during_the_event_is_marked_as_come() {
        let mut store = london_hub();
        let event = repair_cafe(&mut store);
        let ada = NewPerson { display_name: "Ada".into(), contact: None, role: Role::Member, rules_version: Some(1) };
        let ada = store.add_person(&ada, at(8, 0)).unwrap().id;
        let pass = store.issue_pass(&key(), ada, NewPass::Member, at(8, 0)).unwrap().payload;
        store.register_for_event(&key(), event.id, Booker::Pass(&pass), WhenFull::Refuse, at(10, 0)).unwrap().unwrap();
        let morning = store.scan(&key(), &pass, at(10, 30)).unwrap();
        assert!(matches!(morning, crate::ScanOutcome::CheckedIn { ref arrived_for, .. } if arrived_for.is_empty()));
        store.scan(&key(), &pass, at(11, 0)).unwrap();
        let evening = store.scan(&key(), &pass, at(15, 50)).unwrap();
        let crate::ScanOutcome::CheckedIn { arrived_for, .. } = evening else { panic!("{evening:?}") };
        assert!(matches!(&arrived_for[..], [crate::TodayItem::EventPlace { title, .. }] if title == "Repair café"));
        assert_eq!(store.attendees(event.id).unwrap()[0].status, PlaceStatus::Came);
        assert_eq!(store.event(event.id).unwrap().came, 1);
    }

    #[test]
    fn a_weekly_event_is_an_event_each_week_with_its_own_places_or_none_at_all() {
        let mut store = london_hub();
        let first = repair_cafe(&mut store);
        let series = |until: &str| SeriesRequest {
            room: first.room_id,
            first_date: "2027-01-06".parse().unwrap(),
            start_time: chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            minutes: 90,
            repeat: crate::Repeat::Weekly { every_weeks: 1 },
            until: until.parse().unwrap(),
            title: "Code club".into(),
            booked_by: first.host_id,
            booked_for: None,
            public: false,
        };
        let weekly = store.add_event_series(&series("2027-01-27"), "", 12, at(9, 0)).unwrap().unwrap();
        assert_eq!(weekly.len(), 4);
        assert!(weekly.iter().all(|event| event.capacity == 12 && event.title == "Code club" && event.free() == 12));
        assert!(store.booking(weekly[0].booking).unwrap().public, "an event's title is public");
        store
            .register_for_event(&key(), weekly[1].id, Booker::Newcomer("Ada"), WhenFull::Refuse, at(9, 0))
            .unwrap()
            .unwrap();
        assert_eq!((store.event(weekly[0].id).unwrap().taken, store.event(weekly[1].id).unwrap().taken), (0, 1));
        // One week clashing refuses every week, and names it.
        let clash = store.add_event_series(&series("2027-02-03"), "", 12, at(9, 0)).unwrap();
        assert!(matches!(clash, Err((date, BookingRefusal::Conflict { .. })) if date.to_string() == "2027-01-06"));
    }
}
