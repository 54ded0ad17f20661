//! Messages to people — the outbox. A message is a row written inside the transaction of the event that causes it
//! (a visitor for a host checks in; a booking is made for someone), so a committed event always has its message
//! and a rolled-back one never sends one. A delivery task outside the core takes the due messages, sends them, and
//! reports each back: sent, or a failed try with the next one set further off. Only people with a contact who
//! agreed to be contacted get any.

use crate::sql::{OptionalExtension, Transaction, params};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::ids::{BookingId, MessageId, PersonId, SeatId, SurgeryId};
use crate::people::load_person;
use crate::text;
use crate::time::{from_db, to_db};

/// The first retry waits this long (a server back after a blip gets the news out at once); each further one twice
/// as long, up to [`LONGEST_WAIT`].
const FIRST_WAIT: Duration = Duration::seconds(5);
const LONGEST_WAIT: Duration = Duration::minutes(15);
/// A message not delivered within this long is given up: news of a visitor at the door is stale by then.
pub const GIVE_UP_AFTER: Duration = Duration::hours(24);

/// What a message says, as facts; each front end words it in the recipient's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MessageFacts {
    /// A visitor for the recipient has checked in at the front door (by name only: never their contact).
    VisitorArrived { visitor: String, at: DateTime<Utc>, session: Option<String> },
    /// Something was booked for the recipient: a room (`what` is the booking's title, `place` the room) or a place
    /// in a drop-in session (`what` its topic), or a place on its waiting list. `event` names it for calendars
    /// ("booking-12", "seat-5"): the same in every message about it, so an invitation updates, never duplicates.
    /// `pass` is the pass that checks them in, when the booking came with one.
    Booked {
        event: String,
        what: String,
        place: String,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        waiting_position: Option<u32>,
        pass: Option<String>,
    },
    /// A place freed up and the recipient, first on the waiting list, has it now (`event` is their waiting-list
    /// place's, which the calendar then shows confirmed).
    Promoted { event: String, what: String, place: String, start: DateTime<Utc>, end: DateTime<Utc> },
    /// What `event` booked for the recipient is called off, with the reason they are told, if one was given.
    /// `sequence` is the calendar update's revision: each message about an event comes after the one before.
    Cancelled {
        event: String,
        what: String,
        place: String,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        reason: Option<String>,
        sequence: u32,
    },
    /// The recipient's booking `event` has moved to `start`–`end` (same room).
    Moved { event: String, what: String, place: String, start: DateTime<Utc>, end: DateTime<Utc>, sequence: u32 },
    /// Nobody checked in to the recipient's booking within [`NO_SHOW_GRACE`](crate::NO_SHOW_GRACE) of its start, so the room was freed.
    Released { event: String, what: String, place: String, start: DateTime<Utc>, end: DateTime<Utc>, sequence: u32 },
    /// What `event` booked for the recipient starts soon. `pass`: it came with a pass that checks them in.
    Reminder { event: String, what: String, place: String, start: DateTime<Utc>, end: DateTime<Utc>, pass: bool },
    /// The recipient asked to join on the web: the link that confirms their address (the only message sent to an
    /// address not yet confirmed).
    ConfirmSignUp { link: String },
    /// The recipient has joined: their member pass.
    Welcome { pass: String },
}

impl MessageFacts {
    /// The message's kind: `visitor_arrived`, `booked`, `promoted`, `cancelled`, `moved`, `released`, `reminder`.
    pub fn kind(&self) -> &'static str {
        match self {
            MessageFacts::VisitorArrived { .. } => "visitor_arrived",
            MessageFacts::Booked { .. } => "booked",
            MessageFacts::Promoted { .. } => "promoted",
            MessageFacts::Cancelled { .. } => "cancelled",
            MessageFacts::Moved { .. } => "moved",
            MessageFacts::Released { .. } => "released",
            MessageFacts::Reminder { .. } => "reminder",
            MessageFacts::ConfirmSignUp { .. } => "confirm_sign_up",
            MessageFacts::Welcome { .. } => "welcome",
        }
    }

    /// Whether it carries a key only its recipient may hold (a sign-up link, a member pass): it goes by e-mail to
    /// them alone, never to a webhook.
    pub fn private(&self) -> bool {
        matches!(self, MessageFacts::ConfirmSignUp { .. } | MessageFacts::Welcome { .. })
    }
}

/// A message ready to go: where, to whom, in which language, and its stable key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outgoing {
    pub id: MessageId,
    /// The same on every try (an e-mail's Message-ID), so a receiver can count the message once.
    pub key: String,
    pub to: String,
    pub name: String,
    /// The recipient's language, if they chose one (else the hub's first).
    pub language: Option<String>,
    pub facts: MessageFacts,
    pub attempts: u32,
    /// The channels it has already gone through ([`Store::message_went`]): a retry skips them.
    pub done: Vec<String>,
}

impl Outgoing {
    /// What kind of message it is, as its facts' JSON and the webhooks' `kind` name it.
    pub fn kind(&self) -> &'static str {
        self.facts.kind()
    }
}

/// Where a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    Pending,
    Sent,
    /// Given up after [`GIVE_UP_AFTER`], or because the person stopped agreeing to be contacted.
    Failed,
}

/// One message as staff see it: to whom, what, and how delivery went (never the address or the wording).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageLine {
    pub id: MessageId,
    pub kind: String,
    pub to: String,
    pub created_at: DateTime<Utc>,
    pub delivery: Delivery,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// How many messages are waiting, sent and failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MessageCounts {
    pub pending: u32,
    pub sent: u32,
    pub failed: u32,
}

/// Writes a message to `recipient` inside the caller's transaction, if they have a contact and agreed to be
/// contacted; returns its id, or `None` when they cannot be messaged.
pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    recipient: PersonId,
    about: Option<PersonId>,
    facts: &MessageFacts,
    now: DateTime<Utc>,
) -> Result<Option<MessageId>> {
    let reachable: bool = tx
        .prepare_cached(
            "SELECT contact IS NOT NULL AND contact_agreed_at IS NOT NULL AND erased_at IS NULL
             FROM people WHERE id = ?1",
        )?
        .query_row([recipient], |row| row.get(0))
        .optional()?
        .unwrap_or(false);
    if !reachable {
        return Ok(None);
    }
    insert_message(tx, recipient, about, facts, now).map(Some)
}

/// Writes a message without asking whether its recipient agreed to be contacted: only for the link that confirms
/// an address someone gave to join ([`MessageFacts::ConfirmSignUp`]).
pub(crate) fn insert_message(
    tx: &Transaction<'_>,
    recipient: PersonId,
    about: Option<PersonId>,
    facts: &MessageFacts,
    now: DateTime<Utc>,
) -> Result<MessageId> {
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|error| StoreError::Corrupt(format!("no random bytes: {error}")))?;
    let key = format!("{}.{}", now.timestamp(), data_encoding::HEXLOWER.encode(&random));
    let json = serde_json::to_string(facts).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO messages (key, kind, recipient, about, facts, created_at, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![key, facts.kind(), recipient, about, json, to_db(now)])?;
    Ok(MessageId(tx.last_insert_rowid()?))
}

/// A room booking as a message about it names it: who it is for, its title, room and times, and its revision.
struct BookingContext {
    person: Option<PersonId>,
    what: String,
    place: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    revision: u32,
}

fn booking_context(tx: &Transaction<'_>, booking: BookingId) -> Result<BookingContext> {
    Ok(tx
        .prepare_cached(
            "SELECT coalesce(b.booked_for, b.booked_by), b.title, r.name, b.start_utc, b.end_utc, b.revision
             FROM bookings b JOIN rooms r ON r.id = b.room_id WHERE b.id = ?1",
        )?
        .query_row([booking], |row| {
            Ok(BookingContext {
                person: row.get(0)?,
                what: row.get(1)?,
                place: row.get(2)?,
                start: from_db(row.get(3)?),
                end: from_db(row.get(4)?),
                revision: row.get(5)?,
            })
        })?)
}

/// Tells the person a room booking is for that it is made (inside the booking's transaction), with the pass that
/// checks them in, if it came with one.
pub(crate) fn confirm_booking(
    tx: &Transaction<'_>,
    booking: BookingId,
    pass: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let BookingContext { person, what, place, start, end, .. } = booking_context(tx, booking)?;
    let Some(person) = person else { return Ok(()) };
    let facts = MessageFacts::Booked {
        event: format!("booking-{booking}"),
        what,
        place,
        start,
        end,
        waiting_position: None,
        pass: pass.map(str::to_owned),
    };
    enqueue(tx, person, None, &facts, now).map(drop)
}

/// What happened to a room booking after it was made.
pub(crate) enum BookingChange<'a> {
    Moved,
    Cancelled { reason: Option<&'a str> },
    Released,
}

/// Tells the person a room booking is for what has just happened to it (inside the change's transaction, after the
/// booking row is updated and its revision raised).
pub(crate) fn tell_booking_changed(
    tx: &Transaction<'_>,
    booking: BookingId,
    change: BookingChange<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let BookingContext { person, what, place, start, end, revision: sequence } = booking_context(tx, booking)?;
    let Some(person) = person else { return Ok(()) };
    let event = format!("booking-{booking}");
    let facts = match change {
        BookingChange::Moved => MessageFacts::Moved { event, what, place, start, end, sequence },
        BookingChange::Cancelled { reason } => {
            MessageFacts::Cancelled { event, what, place, start, end, reason: reason.map(str::to_owned), sequence }
        }
        BookingChange::Released => MessageFacts::Released { event, what, place, start, end, sequence },
    };
    enqueue(tx, person, None, &facts, now).map(drop)
}

/// A drop-in place as a message about it names it: who holds it, the session's topic and place, and its times.
struct SeatContext {
    person: PersonId,
    what: String,
    place: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

fn seat_context(tx: &Transaction<'_>, seat: SeatId) -> Result<SeatContext> {
    Ok(tx
        .prepare_cached(
            "SELECT x.person_id, g.topic, g.place, s.start_utc, s.end_utc FROM slot_seats x
             JOIN surgery_slots s ON s.id = x.slot_id JOIN surgeries g ON g.id = s.surgery_id WHERE x.id = ?1",
        )?
        .query_row([seat], |row| {
            Ok(SeatContext {
                person: row.get(0)?,
                what: row.get(1)?,
                place: row.get(2)?,
                start: from_db(row.get(3)?),
                end: from_db(row.get(4)?),
            })
        })?)
}

/// Tells a person their drop-in place (or waiting-list place, `waiting_position`) is theirs, inside the booking's
/// transaction, with the pass that checks them in, if any.
pub(crate) fn confirm_seat(
    tx: &Transaction<'_>,
    seat: SeatId,
    waiting_position: Option<u32>,
    pass: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let SeatContext { person, what, place, start, end } = seat_context(tx, seat)?;
    let facts = MessageFacts::Booked {
        event: format!("seat-{seat}"),
        what,
        place,
        start,
        end,
        waiting_position,
        pass: pass.map(str::to_owned),
    };
    enqueue(tx, person, None, &facts, now).map(drop)
}

/// Tells the person whose waiting-list place `seat` has just become a seat (inside the same transaction).
pub(crate) fn tell_promoted(tx: &Transaction<'_>, seat: SeatId, now: DateTime<Utc>) -> Result<()> {
    let SeatContext { person, what, place, start, end } = seat_context(tx, seat)?;
    let facts = MessageFacts::Promoted { event: format!("seat-{seat}"), what, place, start, end };
    enqueue(tx, person, None, &facts, now).map(drop)
}

/// Tells everyone with a place or a waiting-list place in drop-in session `surgery` that it is called off, and
/// why (inside the cancellation's transaction, before their places are marked cancelled).
pub(crate) fn tell_session_cancelled(
    tx: &Transaction<'_>,
    surgery: SurgeryId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let places: Vec<(SeatId, PersonId, String, String, i64, i64)> = tx
        .prepare_cached(
            "SELECT x.id, x.person_id, g.topic, g.place, s.start_utc, s.end_utc FROM slot_seats x
             JOIN surgery_slots s ON s.id = x.slot_id JOIN surgeries g ON g.id = s.surgery_id
             WHERE g.id = ?1 AND x.status IN ('booked', 'waiting') ORDER BY x.id",
        )?
        .query_map([surgery], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?)))?
        .collect::<crate::sql::Result<_>>()?;
    for (seat, person, what, place, start, end) in places {
        // A place's calendar event was made (0) and perhaps confirmed from the waiting list (1): this comes after.
        let facts = MessageFacts::Cancelled {
            event: format!("seat-{seat}"),
            what,
            place,
            start: from_db(start),
            end: from_db(end),
            reason: Some(reason.to_owned()),
            sequence: 2,
        };
        enqueue(tx, person, None, &facts, now)?;
    }
    Ok(())
}

/// Removes every message to or about `person` (their erasure).
pub(crate) fn forget(tx: &Transaction<'_>, person: PersonId) -> Result<usize> {
    Ok(tx.execute("DELETE FROM messages WHERE recipient = ?1 OR about = ?1", [person])?)
}

/// How long to wait after the `attempts`-th failed try.
fn wait_after(attempts: u32) -> Duration {
    let doubled = FIRST_WAIT * 2i32.saturating_pow(attempts.saturating_sub(1).min(10));
    doubled.min(LONGEST_WAIT)
}

impl Store {
    /// Records how to reach a person: their contact (an e-mail address), whether they agreed to be contacted
    /// there (recorded with the time), and the language they read. Withdrawing agreement gives up what is waiting.
    pub fn set_contact(
        &mut self,
        person: PersonId,
        contact: Option<&str>,
        agreed: bool,
        language: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let contact = text::clean_optional("contact", contact, 120)?;
        if let Some(code) = language
            && !(2..=8).contains(&code.len())
        {
            return Err(StoreError::invalid(format!("\"{code}\" is not a language code such as cy or pl")));
        }
        if agreed && contact.is_none() {
            return Err(StoreError::invalid("agreeing to be contacted needs a contact to be contacted at"));
        }
        self.write(|tx| {
            load_person(tx, person)?;
            tx.execute(
                "UPDATE people SET contact = ?2, language = ?3,
                        contact_agreed_at = CASE WHEN ?4 THEN coalesce(contact_agreed_at, ?5) END
                 WHERE id = ?1",
                params![person, contact, language, agreed, to_db(now)],
            )?;
            if !agreed {
                tx.execute(
                    "UPDATE messages SET gave_up_at = ?2, last_error = 'no longer agreed to be contacted'
                     WHERE recipient = ?1 AND sent_at IS NULL AND gave_up_at IS NULL",
                    params![person, to_db(now)],
                )?;
            }
            Ok(())
        })
    }

    /// Writes the reminders that have fallen due: for each room booking and drop-in place that starts within
    /// `before` of `now` and was made longer than `before` ahead (a booking made for this afternoon needs no
    /// reminder after its confirmation), once, to the person it is for. One transaction; returns how many were
    /// written (people who cannot be messaged are skipped, and not asked about again).
    pub fn queue_reminders(&mut self, now: DateTime<Utc>, before: Duration) -> Result<usize> {
        let (from, until, lead) = (to_db(now), to_db(now + before), before.num_seconds());
        self.write(|tx| {
            let mut written = 0;
            let bookings: Vec<(BookingId, bool)> = tx
                .prepare_cached(
                    "SELECT b.id, EXISTS (SELECT 1 FROM passes p WHERE p.booking_id = b.id AND p.revoked_at IS NULL)
                     FROM bookings b
                     WHERE b.reminded_at IS NULL AND b.status = 'confirmed' AND b.start_utc > ?1 AND b.start_utc <= ?2
                       AND b.created_at <= b.start_utc - ?3",
                )?
                .query_map(params![from, until, lead], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<crate::sql::Result<_>>()?;
            for (booking, pass) in bookings {
                tx.execute("UPDATE bookings SET reminded_at = ?2 WHERE id = ?1", params![booking, from])?;
                let BookingContext { person, what, place, start, end, .. } = booking_context(tx, booking)?;
                let Some(person) = person else { continue };
                let facts =
                    MessageFacts::Reminder { event: format!("booking-{booking}"), what, place, start, end, pass };
                written += usize::from(enqueue(tx, person, None, &facts, now)?.is_some());
            }
            let seats: Vec<(SeatId, bool)> = tx
                .prepare_cached(
                    "SELECT x.id, EXISTS (SELECT 1 FROM passes p WHERE p.person_id = x.person_id
                                            AND p.revoked_at IS NULL AND p.expires_at >= s.start_utc)
                     FROM slot_seats x JOIN surgery_slots s ON s.id = x.slot_id JOIN surgeries g ON g.id = s.surgery_id
                     WHERE x.reminded_at IS NULL AND x.status = 'booked' AND g.cancelled_at IS NULL
                       AND s.start_utc > ?1 AND s.start_utc <= ?2 AND x.created_at <= s.start_utc - ?3",
                )?
                .query_map(params![from, until, lead], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<crate::sql::Result<_>>()?;
            for (seat, pass) in seats {
                tx.execute("UPDATE slot_seats SET reminded_at = ?2 WHERE id = ?1", params![seat, from])?;
                let SeatContext { person, what, place, start, end } = seat_context(tx, seat)?;
                let facts = MessageFacts::Reminder { event: format!("seat-{seat}"), what, place, start, end, pass };
                written += usize::from(enqueue(tx, person, None, &facts, now)?.is_some());
            }
            Ok(written)
        })
    }

    /// Up to `limit` messages due at `now`, oldest first, with where each goes.
    pub fn due_messages(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Outgoing>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT m.id, m.key, p.contact, p.display_name, p.language, m.facts, m.attempts, m.done_channels
             FROM messages m JOIN people p ON p.id = m.recipient
             WHERE m.sent_at IS NULL AND m.gave_up_at IS NULL AND m.next_attempt_at <= ?1
               AND p.contact IS NOT NULL AND (p.contact_agreed_at IS NOT NULL OR m.kind = 'confirm_sign_up')
             ORDER BY m.next_attempt_at, m.id LIMIT ?2",
        )?;
        let rows = statement.query_map(params![to_db(now), limit], |row| {
            Ok((
                MessageId(row.get(0)?),
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, u32>(6)?,
                row.get::<_, String>(7)?,
            ))
        })?;
        let mut due = Vec::new();
        for row in rows {
            let (id, key, to, name, language, facts, attempts, done) = row?;
            let facts = serde_json::from_str(&facts)
                .map_err(|error| StoreError::Corrupt(format!("message {id} cannot be read: {error}")))?;
            let done = done.split_whitespace().map(str::to_owned).collect();
            due.push(Outgoing { id, key, to, name, language, facts, attempts, done });
        }
        Ok(due)
    }

    /// The message went through `channel` (while another channel may still have to be tried).
    pub fn message_went(&mut self, id: MessageId, channel: &str) -> Result<()> {
        if channel.is_empty() || channel.contains(char::is_whitespace) {
            return Err(StoreError::invalid(format!("\"{channel}\" is not a channel's name")));
        }
        self.write(|tx| {
            tx.execute(
                "UPDATE messages SET done_channels = trim(done_channels || ' ' || ?2) WHERE id = ?1",
                params![id, channel],
            )?;
            Ok(())
        })
    }

    /// The message went: it will not be sent again.
    pub fn message_sent(&mut self, id: MessageId, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE messages SET sent_at = ?2, attempts = attempts + 1, last_error = NULL
                 WHERE id = ?1 AND sent_at IS NULL",
                params![id, to_db(now)],
            )?;
            Ok(())
        })
    }

    /// A try failed with `error`: the next one is set further off, or the message is given up once it is
    /// [`GIVE_UP_AFTER`] old. Returns when the next try is, if there is one.
    pub fn message_failed(&mut self, id: MessageId, error: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        let error: String = error.chars().take(300).collect();
        self.write(|tx| {
            let (created, attempts): (i64, u32) = tx
                .prepare_cached("SELECT created_at, attempts FROM messages WHERE id = ?1 AND sent_at IS NULL")?
                .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?
                .ok_or_else(|| StoreError::not_found(format!("there is no message number {id} waiting")))?;
            let attempts = attempts + 1;
            let next = now + wait_after(attempts);
            let give_up = next - from_db(created) > GIVE_UP_AFTER;
            tx.execute(
                "UPDATE messages SET attempts = ?2, last_error = ?3, next_attempt_at = ?4,
                        gave_up_at = CASE WHEN ?5 THEN CAST(?6 AS BIGINT) END
                 WHERE id = ?1",
                params![id, attempts, error, to_db(next), give_up, to_db(now)],
            )?;
            Ok((!give_up).then_some(next))
        })
    }

    /// How many messages wait, went and failed.
    pub fn message_counts(&self) -> Result<MessageCounts> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FILTER (WHERE sent_at IS NULL AND gave_up_at IS NULL),
                    count(*) FILTER (WHERE sent_at IS NOT NULL), count(*) FILTER (WHERE gave_up_at IS NOT NULL)
             FROM messages",
            )?
            .query_row([], |row| Ok(MessageCounts { pending: row.get(0)?, sent: row.get(1)?, failed: row.get(2)? }))?)
    }

    /// The newest `limit` messages, newest first, as staff see them.
    pub fn messages(&self, limit: u32) -> Result<Vec<MessageLine>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT m.id, m.kind, p.display_name, m.created_at, m.sent_at IS NOT NULL, m.gave_up_at IS NOT NULL,
                    m.attempts, m.last_error
             FROM messages m JOIN people p ON p.id = m.recipient ORDER BY m.created_at DESC, m.id DESC LIMIT ?1",
        )?;
        let lines = statement
            .query_map([limit], |row| {
                let delivery = match (row.get::<_, bool>(4)?, row.get::<_, bool>(5)?) {
                    (true, _) => Delivery::Sent,
                    (false, true) => Delivery::Failed,
                    (false, false) => Delivery::Pending,
                };
                Ok(MessageLine {
                    id: MessageId(row.get(0)?),
                    kind: row.get(1)?,
                    to: row.get(2)?,
                    created_at: from_db(row.get(3)?),
                    delivery,
                    attempts: row.get(6)?,
                    last_error: row.get(7)?,
                })
            })?
            .collect::<crate::sql::Result<_>>()?;
        Ok(lines)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::people::{NewPerson, Role};
    use crate::site::tests::london_hub;
    use crate::{PassKey, VisitReason, WalkIn, WalkInOutcome};

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 5, hour, minute, 0).unwrap()
    }

    fn key() -> PassKey {
        PassKey::from_secret([5; 32])
    }

    fn host(store: &mut Store, name: &str) -> PersonId {
        let new = NewPerson { display_name: name.into(), contact: None, role: Role::Host, rules_version: None };
        store.add_person(&new, at(8, 0)).unwrap().id
    }

    /// A half-hour drop-in session at 14:00 with one place, hosted by `host`.
    fn cv_help(store: &mut Store, host: PersonId) -> crate::Surgery {
        let time = crate::Slot::new(at(14, 0), at(14, 30)).unwrap();
        let new = crate::NewSurgery {
            host,
            topic: "CV help".into(),
            place: "Café".into(),
            time,
            slot_minutes: 30,
            seats_per_slot: 1,
        };
        store.add_surgery(&new, at(8, 0)).unwrap()
    }

    fn visit(store: &mut Store, host: PersonId, name: &str, rules_version: u32, now: DateTime<Utc>) -> WalkInOutcome {
        let walk_in = WalkIn {
            display_name: name.into(),
            contact: Some("visitor@example.org".into()),
            reason: VisitReason::VisitingSomeone,
            visiting: Some(host),
            agreed_rules_version: rules_version,
        };
        store.walk_in(&key(), &walk_in, now).unwrap()
    }

    #[test]
    fn only_people_who_agreed_to_be_contacted_get_a_message_and_only_for_what_happened() {
        let mut store = london_hub();
        let (grace, tomasz) = (host(&mut store, "Grace"), host(&mut store, "Tomasz"));
        store.set_contact(grace, Some("grace@example.org"), true, Some("cy"), at(8, 5)).unwrap();
        store.set_contact(tomasz, Some("tomasz@example.org"), false, None, at(8, 5)).unwrap();
        visit(&mut store, grace, "Sam Visitor", 1, at(10, 0));
        visit(&mut store, tomasz, "Nia", 1, at(10, 1));
        // Refused (old house rules): nothing happened, so nothing is sent.
        assert!(matches!(visit(&mut store, grace, "Late", 0, at(10, 2)), WalkInOutcome::RulesNotAgreed { .. }));

        let due = store.due_messages(at(10, 5), 10).unwrap();
        assert_eq!(due.len(), 1, "{due:?}");
        let message = &due[0];
        assert_eq!(
            (message.to.as_str(), message.name.as_str(), message.language.as_deref()),
            ("grace@example.org", "Grace", Some("cy"))
        );
        assert_eq!(
            message.facts,
            MessageFacts::VisitorArrived { visitor: "Sam Visitor".into(), at: at(10, 0), session: None }
        );
        let json = serde_json::to_string(&message.facts).unwrap();
        assert!(!json.contains("visitor@example.org"), "never the visitor's contact: {json}");
        assert!(store.set_contact(grace, None, true, None, at(9, 0)).unwrap_err().to_string().contains("contact"));
    }

    #[test]
    fn a_failed_try_waits_longer_each_time_and_gives_up_after_a_day() {
        let mut store = london_hub();
        let grace = host(&mut store, "Grace");
        store.set_contact(grace, Some("grace@example.org"), true, None, at(8, 5)).unwrap();
        visit(&mut store, grace, "Sam", 1, at(10, 0));
        let id = store.due_messages(at(10, 0), 10).unwrap()[0].id;
        let key = store.due_messages(at(10, 0), 10).unwrap()[0].key.clone();

        let mut now = at(10, 0);
        let mut waits = Vec::new();
        while let Some(next) = store.message_failed(id, "connection refused", now).unwrap() {
            assert!(store.due_messages(next - Duration::seconds(1), 10).unwrap().is_empty(), "not before its time");
            let again = store.due_messages(next, 10).unwrap();
            assert_eq!(again[0].key, key, "a retry is the same message");
            waits.push((next - now).num_seconds());
            now = next;
        }
        assert_eq!(&waits[..9], [5, 10, 20, 40, 80, 160, 320, 640, 900]);
        assert!(waits.iter().all(|wait| *wait <= 900));
        assert!(now - at(10, 0) <= GIVE_UP_AFTER);
        assert_eq!(store.message_counts().unwrap(), MessageCounts { pending: 0, sent: 0, failed: 1 });
        assert!(store.due_messages(now + Duration::days(2), 10).unwrap().is_empty());
        let line = &store.messages(10).unwrap()[0];
        assert_eq!((line.delivery, line.last_error.as_deref()), (Delivery::Failed, Some("connection refused")));
    }

    #[test]
    fn a_sent_message_is_not_sent_again_and_withdrawing_agreement_stops_what_waits() {
        let mut store = london_hub();
        let grace = host(&mut store, "Grace");
        store.set_contact(grace, Some("grace@example.org"), true, None, at(8, 5)).unwrap();
        visit(&mut store, grace, "Sam", 1, at(10, 0));
        visit(&mut store, grace, "Nia", 1, at(10, 1));
        let due = store.due_messages(at(10, 2), 10).unwrap();
        assert_ne!(due[0].key, due[1].key);
        store.message_sent(due[0].id, at(10, 2)).unwrap();
        store.message_sent(due[0].id, at(10, 3)).unwrap();
        assert_eq!(store.due_messages(at(10, 3), 10).unwrap().len(), 1);
        // One channel went, another failed: the retry knows which went.
        store.message_went(due[1].id, "email").unwrap();
        store.message_went(due[1].id, "webhook:front-door").unwrap();
        store.message_failed(due[1].id, "the webhook did not answer", at(10, 3)).unwrap();
        let retry = store.due_messages(at(10, 4), 10).unwrap();
        assert_eq!(retry[0].done, ["email", "webhook:front-door"]);
        assert!(store.message_went(due[1].id, "two words").is_err());
        store.set_contact(grace, Some("grace@example.org"), false, None, at(10, 4)).unwrap();
        assert!(store.due_messages(at(10, 5), 10).unwrap().is_empty());
        assert_eq!(store.message_counts().unwrap(), MessageCounts { pending: 0, sent: 1, failed: 1 });
    }

    #[test]
    fn erasure_and_the_retention_purge_take_the_messages() {
        let mut store = london_hub();
        let grace = host(&mut store, "Grace");
        store.set_contact(grace, Some("grace@example.org"), true, None, at(8, 5)).unwrap();
        let WalkInOutcome::CheckedIn { person: sam, .. } = visit(&mut store, grace, "Sam", 1, at(10, 0)) else {
            panic!()
        };
        visit(&mut store, grace, "Nia", 1, at(10, 1));
        store.check_out(sam.id, at(11, 0)).unwrap();
        store.erase_person(sam.id, at(11, 1)).unwrap();
        let left = store.due_messages(at(11, 2), 10).unwrap();
        assert_eq!(left.len(), 1);
        assert!(matches!(&left[0].facts, MessageFacts::VisitorArrived { visitor, .. } if visitor == "Nia"));
        let retention = i64::from(store.site().unwrap().retention_days);
        let report = store.purge(at(10, 2) + Duration::days(retention)).unwrap();
        assert_eq!(report.messages_deleted, 1);
        assert_eq!(store.message_counts().unwrap(), MessageCounts::default());
    }

    #[test]
    fn a_booking_made_with_a_pass_confirms_itself_with_the_pass_and_a_calendar_invitation() {
        use crate::{Booker, BookingRequest, NewPass, NewRoom, Slot};
        let mut store = london_hub();
        let room = store.add_room(&NewRoom::named("Studio", 6)).unwrap().id;
        let new = NewPerson { display_name: "Ada".into(), contact: None, role: Role::Member, rules_version: Some(1) };
        let ada = store.add_person(&new, at(8, 0)).unwrap().id;
        store.set_contact(ada, Some("ada@example.org"), true, None, at(8, 0)).unwrap();
        let member_pass = store.issue_pass(&key(), ada, NewPass::Member, at(8, 0)).unwrap().payload;
        let request = |title: &str, hour| BookingRequest {
            room,
            slot: Slot::new(at(hour, 0), at(hour + 1, 0)).unwrap(),
            title: title.into(),
            booked_by: None,
            booked_for: None,
            public: false,
        };
        let (booking, pass) = store
            .book_room(&key(), &request("Band practice", 14), Booker::Pass(&member_pass), at(9, 0))
            .unwrap()
            .unwrap();
        // A newcomer by name has no contact: nothing to send.
        store.book_room(&key(), &request("Walk-in", 16), Booker::Newcomer("Zed"), at(9, 0)).unwrap().unwrap();

        let due = store.due_messages(at(9, 0), 10).unwrap();
        assert_eq!(due.len(), 1, "{due:?}");
        let MessageFacts::Booked { event, what, place, pass: shown, waiting_position, .. } = &due[0].facts else {
            panic!("{:?}", due[0].facts)
        };
        assert_eq!(
            (event.as_str(), what.as_str(), place.as_str()),
            (format!("booking-{}", booking.id).as_str(), "Band practice", "Studio")
        );
        assert_eq!((shown.as_deref(), *waiting_position), (Some(pass.payload.as_str()), None));

        let ics = store.invitation(&due[0].facts, ("Ada", "ada@example.org"), "kiosk@example.org", at(9, 0)).unwrap();
        let ics = ics.expect("a booking has an invitation");
        let calendar = ical::IcalParser::new(ics.as_bytes()).next().unwrap().unwrap();
        let property = |name: &str| {
            calendar
                .properties
                .iter()
                .chain(calendar.events[0].properties.iter())
                .find(|p| p.name == name)
                .and_then(|p| p.value.clone())
        };
        assert_eq!(property("METHOD").as_deref(), Some("REQUEST"));
        assert!(property("UID").unwrap().starts_with(&format!("booking-{}-", booking.id)));
        assert_eq!(property("DTSTART").as_deref(), Some("20270105T140000"), "14:00 in London in January");
        assert_eq!(property("ATTENDEE").as_deref(), Some("mailto:ada@example.org"));
        let visitor = MessageFacts::VisitorArrived { visitor: "Sam".into(), at: at(9, 0), session: None };
        assert!(
            store.invitation(&visitor, ("Ada", "ada@example.org"), "kiosk@example.org", at(9, 0)).unwrap().is_none()
        );
    }

    #[test]
    fn calling_off_a_session_tells_everyone_booked_or_waiting_why() {
        use crate::WhenFull;
        let mut store = london_hub();
        let grace = host(&mut store, "Grace");
        let mut person = |name: &str| {
            let new = NewPerson { display_name: name.into(), contact: None, role: Role::Member, rules_version: None };
            let id = store.add_person(&new, at(8, 0)).unwrap().id;
            store.set_contact(id, Some(&format!("{name}@example.org")), true, None, at(8, 0)).unwrap();
            id
        };
        let (ada, bea) = (person("ada"), person("bea"));
        let surgery = cv_help(&mut store, grace);
        let slot = surgery.slots[0].id;
        store.book_seat(slot, ada, WhenFull::JoinWaitingList, at(9, 0)).unwrap();
        store.book_seat(slot, bea, WhenFull::JoinWaitingList, at(9, 0)).unwrap();
        let confirmations = store.due_messages(at(9, 0), 10).unwrap();
        for message in &confirmations {
            store.message_sent(message.id, at(9, 0)).unwrap();
        }
        assert_eq!(store.cancel_surgery(surgery.id, "The host is ill", at(10, 0)).unwrap(), 2);
        let told = store.due_messages(at(10, 0), 10).unwrap();
        assert_eq!(
            told.iter().map(|message| message.to.as_str()).collect::<Vec<_>>(),
            ["ada@example.org", "bea@example.org"]
        );
        assert!(told.iter().all(
            |message| matches!(&message.facts, MessageFacts::Cancelled { reason, .. } if reason.as_deref() == Some("The host is ill"))
        ));
        let ics = store
            .invitation(&told[0].facts, ("ada", "ada@example.org"), "kiosk@example.org", at(10, 0))
            .unwrap()
            .unwrap();
        assert!(ics.contains("METHOD:CANCEL") && ics.contains("STATUS:CANCELLED"), "{ics}");
        let MessageFacts::Booked { event, .. } = &confirmations[0].facts else { panic!() };
        assert!(ics.contains(&format!("UID:{event}-")), "the cancellation names the event the confirmation did");
    }

    #[test]
    fn the_first_on_the_waiting_list_hears_when_a_place_is_theirs() {
        use crate::{SeatOutcome, WhenFull};
        let mut store = london_hub();
        let grace = host(&mut store, "Grace");
        let new = NewPerson { display_name: "Bea".into(), contact: None, role: Role::Member, rules_version: None };
        let (ada, bea) = (host(&mut store, "Ada"), store.add_person(&new, at(8, 0)).unwrap().id);
        store.set_contact(bea, Some("bea@example.org"), true, None, at(8, 0)).unwrap();
        let slot = cv_help(&mut store, grace).slots[0].id;
        let SeatOutcome::Booked { seat } = store.book_seat(slot, ada, WhenFull::JoinWaitingList, at(9, 0)).unwrap()
        else {
            panic!()
        };
        store.book_seat(slot, bea, WhenFull::JoinWaitingList, at(9, 0)).unwrap();
        let waiting = store.due_messages(at(9, 0), 10).unwrap();
        assert!(matches!(waiting[0].facts, MessageFacts::Booked { waiting_position: Some(1), .. }));
        store.message_sent(waiting[0].id, at(9, 0)).unwrap();

        store.cancel_seat(seat, at(10, 0)).unwrap();
        let told = store.due_messages(at(10, 0), 10).unwrap();
        assert_eq!(told.len(), 1);
        assert!(matches!(&told[0].facts, MessageFacts::Promoted { what, .. } if what == "CV help"));
        let ics = store.invitation(&told[0].facts, ("Bea", "bea@example.org"), "kiosk@example.org", at(10, 0)).unwrap();
        let ics = ics.unwrap();
        assert!(ics.contains("METHOD:REQUEST") && ics.contains("STATUS:CONFIRMED") && ics.contains("SEQUENCE:1"));
    }

    /// Ada (who agreed to be contacted) with a Studio booking at `hour` made at `made`; the store and the booking.
    fn ada_booked(hour: u32, made: DateTime<Utc>) -> (Store, crate::Booking) {
        use crate::{BookingOutcome, BookingRequest, NewRoom, Slot};
        let mut store = london_hub();
        let room = store.add_room(&NewRoom::named("Studio", 6)).unwrap().id;
        let new = NewPerson { display_name: "Ada".into(), contact: None, role: Role::Member, rules_version: Some(1) };
        let ada = store.add_person(&new, made).unwrap().id;
        store.set_contact(ada, Some("ada@example.org"), true, None, made).unwrap();
        let request = BookingRequest {
            room,
            slot: Slot::new(at(hour, 0), at(hour + 1, 0)).unwrap(),
            title: "Band practice".into(),
            booked_by: Some(ada),
            booked_for: Some(ada),
            public: false,
        };
        let BookingOutcome::Booked(booking) = store.book(&request, made).unwrap() else { panic!("refused") };
        (store, booking)
    }

    /// The invitation's METHOD, SEQUENCE and UID for `facts`.
    fn invitation_of(store: &Store, facts: &MessageFacts) -> (String, String, String) {
        let ics = store.invitation(facts, ("Ada", "ada@example.org"), "kiosk@example.org", at(9, 0)).unwrap().unwrap();
        let value = |name: &str| {
            let line = ics.lines().find(|line| line.starts_with(&format!("{name}:"))).unwrap();
            line[name.len() + 1..].to_owned()
        };
        (value("METHOD"), value("SEQUENCE"), value("UID"))
    }

    #[test]
    fn a_moved_then_cancelled_booking_updates_the_same_calendar_event_each_time() {
        let (mut store, booking) = ada_booked(14, at(8, 0));
        let later = crate::Slot::new(at(16, 0), at(17, 0)).unwrap();
        assert!(matches!(store.move_booking(booking.id, later, at(9, 0)).unwrap(), crate::BookingOutcome::Booked(_)));
        store.cancel_booking(booking.id, Some("the studio floods"), at(9, 30)).unwrap();

        let told: Vec<MessageFacts> = store.due_messages(at(10, 0), 10).unwrap().into_iter().map(|m| m.facts).collect();
        assert_eq!(told.len(), 3, "{told:?}");
        let MessageFacts::Moved { start, sequence: 1, .. } = &told[1] else { panic!("{:?}", told[1]) };
        assert_eq!(*start, at(16, 0));
        let MessageFacts::Cancelled { reason, sequence: 2, .. } = &told[2] else { panic!("{:?}", told[2]) };
        assert_eq!(reason.as_deref(), Some("the studio floods"));
        let invitations: Vec<_> = told.iter().map(|facts| invitation_of(&store, facts)).collect();
        let methods: Vec<_> = invitations.iter().map(|(method, sequence, _)| format!("{method} {sequence}")).collect();
        assert_eq!(methods, ["REQUEST 0", "REQUEST 1", "CANCEL 2"]);
        assert!(invitations.iter().all(|(_, _, uid)| *uid == invitations[0].2), "one event, updated: {invitations:?}");
    }

    #[test]
    fn a_booker_who_never_came_hears_that_the_room_was_freed() {
        let (mut store, booking) = ada_booked(14, at(8, 0));
        assert_eq!(store.release_no_shows(at(14, 16)).unwrap(), [booking.id]);
        let told = store.due_messages(at(14, 16), 10).unwrap();
        let MessageFacts::Released { sequence: 1, what, .. } = &told[1].facts else { panic!("{:?}", told[1]) };
        assert_eq!(what, "Band practice");
        assert_eq!(invitation_of(&store, &told[1].facts).0, "CANCEL");
    }

    #[test]
    fn a_reminder_goes_once_within_the_lead_and_not_for_a_booking_made_inside_it() {
        let day_before = at(8, 0) - Duration::days(1);
        let (mut store, booking) = ada_booked(14, day_before);
        let lead = Duration::hours(24);
        assert_eq!(store.queue_reminders(at(13, 59) - lead, lead).unwrap(), 0, "not due yet");
        assert_eq!(store.queue_reminders(at(14, 0) - lead, lead).unwrap(), 1);
        assert_eq!(store.queue_reminders(at(14, 1) - lead, lead).unwrap(), 0, "once");
        let reminders: Vec<_> = store
            .due_messages(at(14, 0), 10)
            .unwrap()
            .into_iter()
            .filter(|message| matches!(message.facts, MessageFacts::Reminder { .. }))
            .collect();
        assert_eq!(reminders.len(), 1);
        let MessageFacts::Reminder { event, pass: false, .. } = &reminders[0].facts else { panic!() };
        assert_eq!(event, &format!("booking-{}", booking.id));
        assert!(store.invitation(&reminders[0].facts, ("Ada", "a@b"), "k@b", at(9, 0)).unwrap().is_none());

        // Moved, it is reminded of again nearer its new time; one made this morning for this afternoon is not.
        let next_day = crate::Slot::new(at(14, 0) + Duration::days(1), at(15, 0) + Duration::days(1)).unwrap();
        store.move_booking(booking.id, next_day, at(9, 0)).unwrap();
        assert_eq!(store.queue_reminders(at(14, 0), lead).unwrap(), 1);
        let (mut late, _) = ada_booked(14, at(8, 0));
        assert_eq!(late.queue_reminders(at(9, 0), lead).unwrap(), 0);
    }
}
