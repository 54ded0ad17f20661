//! iCalendar (RFC 5545) feeds, so the calendars people already use show the same times the kiosk does.
//!
//! Times are written in the hub's zone (`DTSTART;TZID=Europe/London:…`) with a `VTIMEZONE` built from the time-zone
//! database for the years the feed covers. A series is one event with an `RRULE`; a cancelled occurrence is an
//! `EXDATE`, a moved one an extra event with the same UID and a `RECURRENCE-ID`. UIDs carry the hub's random id, so
//! they stay stable across exports, imports and restores, and never collide with another hub's.

use std::collections::BTreeMap;

use crate::sql::{Connection, OptionalExtension};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use crate::bookings::{Booking, bookings_of_series, bookings_overlapping};
use crate::db::{FIRST_SITE, Store};
use crate::error::Result;
use crate::ids::{RoomId, SeriesId, SiteId};
use crate::outbox::MessageFacts;
use crate::recurrence::{Nth, Repeat, occurrence_dates};
use crate::rooms::load_room;
use crate::site::load_site;
use crate::time::{Slot, resolve_local};

/// Which events a feed holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    Room(RoomId),
    Surgeries,
    /// Every room's bookings and every surgery.
    All,
}

/// A series as stored, when it was made with its rule in machine form (schema version 2 and later).
struct SeriesRule {
    repeat: Repeat,
    local_start: NaiveTime,
    minutes: i64,
    first_date: NaiveDate,
    until_date: NaiveDate,
}

fn series_rule(conn: &Connection, id: SeriesId) -> Result<Option<SeriesRule>> {
    let row: (Option<String>, Option<String>, Option<i64>, String, String) = conn
        .prepare_cached("SELECT repeat, local_start, minutes, first_date, until_date FROM series WHERE id = ?1")?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))?;
    let (Some(repeat), Some(local_start), Some(minutes), first, until) = row else { return Ok(None) };
    Ok((|| {
        Some(SeriesRule {
            repeat: Repeat::from_code(&repeat)?,
            local_start: NaiveTime::parse_from_str(&local_start, "%H:%M").ok()?,
            minutes,
            first_date: first.parse().ok()?,
            until_date: until.parse().ok()?,
        })
    })())
}

/// Lines of an iCalendar document, folded and CRLF-terminated as RFC 5545 requires.
struct Ics {
    text: String,
    zone: Tz,
}

impl Ics {
    /// Writes `line`, folded so no physical line exceeds 75 octets (never splitting a character).
    fn line(&mut self, line: &str) {
        let mut width = 0;
        for character in line.chars() {
            let size = character.len_utf8();
            if width + size > 75 {
                self.text.push_str("\r\n ");
                width = 1;
            }
            self.text.push(character);
            width += size;
        }
        self.text.push_str("\r\n");
    }

    fn text_property(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape(value)));
    }

    /// `NAME;TZID=zone:local` when the wall time names the instant unambiguously, else `NAME:…Z` in UTC (the second
    /// pass through an hour the clocks go back over).
    fn time_property(&mut self, name: &str, instant: DateTime<Utc>) {
        let local = instant.with_timezone(&self.zone).naive_local();
        if resolve_local(self.zone, local) == Ok(instant) {
            self.line(&format!("{name};TZID={}:{}", self.zone.name(), local.format("%Y%m%dT%H%M%S")));
        } else {
            self.line(&format!("{name}:{}", utc(instant)));
        }
    }

    fn local_property(&mut self, name: &str, local: NaiveDateTime) {
        self.line(&format!("{name};TZID={}:{}", self.zone.name(), local.format("%Y%m%dT%H%M%S")));
    }
}

fn utc(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// RFC 5545 TEXT escaping.
fn escape(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for character in value.chars() {
        match character {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            other => escaped.push(other),
        }
    }
    escaped
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.abs();
    let (hours, minutes, rest) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if rest == 0 { format!("{sign}{hours:02}{minutes:02}") } else { format!("{sign}{hours:02}{minutes:02}{rest:02}") }
}

/// A `VTIMEZONE` for `zone` covering `from_year` to `to_year`: one observance per transition, found in the
/// time-zone database, so it is right for any zone without hand-written rules.
fn write_vtimezone(ics: &mut Ics, from_year: i32, to_year: i32) {
    let zone = ics.zone;
    let offset_at = |instant: DateTime<Utc>| zone.offset_from_utc_datetime(&instant.naive_utc());
    let Some(start) = Utc.with_ymd_and_hms(from_year, 1, 1, 0, 0, 0).single() else { return };
    let end = Utc.with_ymd_and_hms(to_year + 1, 1, 1, 0, 0, 0).single().unwrap_or(start);
    ics.line("BEGIN:VTIMEZONE");
    ics.line(&format!("TZID:{}", zone.name()));
    let observe = |ics: &mut Ics, at: DateTime<Utc>, before: i32| {
        let offset = offset_at(at);
        let after = offset.fix().local_minus_utc();
        let kind = if offset.dst_offset().is_zero() { "STANDARD" } else { "DAYLIGHT" };
        ics.line(&format!("BEGIN:{kind}"));
        // The observance starts at the wall-clock time shown just before the change.
        let local = at.naive_utc() + Duration::seconds(i64::from(before));
        ics.line(&format!("DTSTART:{}", local.format("%Y%m%dT%H%M%S")));
        ics.line(&format!("TZOFFSETFROM:{}", offset_text(before)));
        ics.line(&format!("TZOFFSETTO:{}", offset_text(after)));
        if let Some(name) = offset.abbreviation() {
            ics.text_property("TZNAME", name);
        }
        ics.line(&format!("END:{kind}"));
    };
    let mut current = offset_at(start).fix().local_minus_utc();
    observe(ics, start, current);
    let mut day = start;
    while day < end {
        let next = day + Duration::days(1);
        if offset_at(next).fix().local_minus_utc() != current {
            // The change happened in (day, next]: narrow it to the second.
            let (mut before, mut after) = (day, next);
            while after - before > Duration::seconds(1) {
                let middle = before + (after - before) / 2;
                if offset_at(middle).fix().local_minus_utc() == current { before = middle } else { after = middle }
            }
            observe(ics, after, current);
            current = offset_at(after).fix().local_minus_utc();
        }
        day = next;
    }
    ics.line("END:VTIMEZONE");
}

fn rrule(repeat: Repeat, first: NaiveDate, count: usize) -> String {
    match repeat {
        Repeat::Weekly { every_weeks } => format!("RRULE:FREQ=WEEKLY;INTERVAL={every_weeks};COUNT={count}"),
        Repeat::MonthlyByWeekday { nth } => {
            let position = match nth {
                Nth::First => "1",
                Nth::Second => "2",
                Nth::Third => "3",
                Nth::Fourth => "4",
                Nth::Last => "-1",
            };
            let day = &first.weekday().to_string()[..2].to_uppercase();
            format!("RRULE:FREQ=MONTHLY;BYDAY={position}{day};COUNT={count}")
        }
    }
}

struct Writer<'a> {
    ics: Ics,
    uid: &'a str,
    stamp: String,
}

impl Writer<'_> {
    fn begin_event(&mut self, kind: &str, id: i64) {
        self.ics.line("BEGIN:VEVENT");
        self.ics.line(&format!("UID:{kind}-{id}-{}@hub-kiosk", self.uid));
        self.ics.line(&format!("DTSTAMP:{}", self.stamp));
    }

    fn booking(&mut self, booking: &Booking) {
        self.begin_event("booking", booking.id.0);
        self.ics.time_property("DTSTART", booking.slot.start());
        self.ics.time_property("DTEND", booking.slot.end());
        self.ics.text_property("SUMMARY", &booking.title);
        self.ics.text_property("LOCATION", &booking.room_name);
        self.ics.line("END:VEVENT");
    }

    /// One event with an RRULE for the whole series, then one per moved occurrence.
    fn series(&mut self, rule: &SeriesRule, series: SeriesId, occurrences: &[Booking]) -> Result<()> {
        let dates = occurrence_dates(rule.first_date, rule.repeat, rule.until_date)?;
        let (Some(first), Some(master)) = (dates.first(), occurrences.first()) else { return Ok(()) };
        let by_date: BTreeMap<NaiveDate, &Booking> =
            occurrences.iter().filter_map(|booking| Some((booking.occurrence_date?, booking))).collect();
        let zone = self.ics.zone;
        let planned = |date: NaiveDate| -> Option<Slot> {
            let start = resolve_local(zone, date.and_time(rule.local_start)).ok()?;
            Slot::between(start, start + Duration::minutes(rule.minutes))
        };

        self.begin_event("series", series.0);
        self.ics.local_property("DTSTART", first.and_time(rule.local_start));
        self.ics.line(&format!("DURATION:PT{}M", rule.minutes));
        self.ics.line(&rrule(rule.repeat, *first, dates.len()));
        let mut moved = Vec::new();
        for date in &dates {
            match by_date.get(date) {
                Some(booking) if booking.status.is_active() => {
                    if Some(booking.slot) != planned(*date) || booking.title != master.title {
                        moved.push((*date, *booking));
                    }
                }
                _ => self.ics.local_property("EXDATE", date.and_time(rule.local_start)),
            }
        }
        self.ics.text_property("SUMMARY", &master.title);
        self.ics.text_property("LOCATION", &master.room_name);
        self.ics.line("END:VEVENT");

        for (date, booking) in moved {
            self.begin_event("series", series.0);
            self.ics.local_property("RECURRENCE-ID", date.and_time(rule.local_start));
            self.ics.time_property("DTSTART", booking.slot.start());
            self.ics.time_property("DTEND", booking.slot.end());
            self.ics.text_property("SUMMARY", &booking.title);
            self.ics.text_property("LOCATION", &booking.room_name);
            self.ics.line("END:VEVENT");
        }
        Ok(())
    }
}

/// A parameter value (`CN=…`) as RFC 5545 allows it: quoted, with no quotes or control characters inside.
fn parameter(value: &str) -> String {
    format!("\"{}\"", value.chars().filter(|c| *c != '"' && !c.is_control()).collect::<String>())
}

/// What makes events' UIDs unique to this database: the first site's, so they stay the same when sites are added.
fn database_uid(conn: &Connection) -> Result<String> {
    Ok(conn.prepare_cached("SELECT uid FROM site WHERE id = ?1")?.query_row([FIRST_SITE], |row| row.get(0))?)
}

/// The site where a message's `event` ("booking-12", "seat-5") happens: a network's kiosks share one outbox, and
/// the invitation names the event's own hub and zone, whichever kiosk sends it.
fn site_of_event(conn: &Connection, event: &str) -> Result<Option<SiteId>> {
    let (sql, id) = match event.split_once('-').map(|(kind, id)| (kind, id.parse::<i64>())) {
        Some(("booking", Ok(id))) => {
            ("SELECT r.site_id FROM bookings b JOIN rooms r ON r.id = b.room_id WHERE b.id = ?1", id)
        }
        Some(("seat", Ok(id))) => (
            "SELECT g.site_id FROM slot_seats x JOIN surgery_slots s ON s.id = x.slot_id
             JOIN surgeries g ON g.id = s.surgery_id WHERE x.id = ?1",
            id,
        ),
        _ => return Ok(None),
    };
    Ok(conn.prepare_cached(sql)?.query_row([id], |row| row.get(0)).optional()?)
}

impl Store {
    /// A calendar invitation (`METHOD:REQUEST`) for what `facts` booked, or its cancellation (`METHOD:CANCEL`),
    /// from the hub (`organizer`, an e-mail address) to the person it is for: their calendar adds it, and, as its
    /// UID is the same in every message about the same booking, updates or removes it later instead of adding
    /// another. `None` for messages about no booking.
    pub fn invitation(
        &self,
        facts: &MessageFacts,
        attendee: (&str, &str),
        organizer: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        // A cancellation sends the same event again, cancelled, so the person's calendar takes it out.
        let (event, what, place, start, end, method, status, sequence) = match facts {
            MessageFacts::Booked { event, what, place, start, end, waiting_position, .. } => {
                // A waiting-list place is not yet a place: the calendar shows it as not confirmed.
                let status = if waiting_position.is_some() { "TENTATIVE" } else { "CONFIRMED" };
                (event, what, place, start, end, "REQUEST", status, 0)
            }
            MessageFacts::Promoted { event, what, place, start, end } => {
                (event, what, place, start, end, "REQUEST", "CONFIRMED", 1)
            }
            MessageFacts::Moved { event, what, place, start, end, sequence } => {
                (event, what, place, start, end, "REQUEST", "CONFIRMED", *sequence)
            }
            MessageFacts::Cancelled { event, what, place, start, end, sequence, .. }
            | MessageFacts::Released { event, what, place, start, end, sequence } => {
                (event, what, place, start, end, "CANCEL", "CANCELLED", *sequence)
            }
            // A reminder changes nothing in the calendar; a visitor at the door or joining the hub is no event.
            MessageFacts::Reminder { .. }
            | MessageFacts::VisitorArrived { .. }
            | MessageFacts::ConfirmSignUp { .. }
            | MessageFacts::Welcome { .. } => return Ok(None),
        };
        let site = load_site(&self.conn, site_of_event(&self.conn, event)?.unwrap_or(self.site))?;
        let uid = database_uid(&self.conn)?;
        let mut ics = Ics { text: String::new(), zone: site.time_zone };
        ics.line("BEGIN:VCALENDAR");
        ics.line("VERSION:2.0");
        ics.line(&format!("PRODID:-//Hub Kiosk//Hub Kiosk {}//EN", env!("CARGO_PKG_VERSION")));
        ics.line("CALSCALE:GREGORIAN");
        ics.line(&format!("METHOD:{method}"));
        write_vtimezone(&mut ics, start.year(), end.year());
        ics.line("BEGIN:VEVENT");
        ics.line(&format!("UID:{event}-{uid}@hub-kiosk"));
        ics.line(&format!("DTSTAMP:{}", utc(now)));
        ics.line(&format!("SEQUENCE:{sequence}"));
        ics.time_property("DTSTART", *start);
        ics.time_property("DTEND", *end);
        ics.text_property("SUMMARY", what);
        ics.text_property("LOCATION", &format!("{place}, {}", site.name));
        ics.line(&format!("STATUS:{status}"));
        ics.line(&format!("ORGANIZER;CN={}:mailto:{organizer}", parameter(&site.name)));
        let (name, address) = attendee;
        ics.line(&format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:{address}",
            parameter(name)
        ));
        ics.line("END:VEVENT");
        ics.line("END:VCALENDAR");
        Ok(Some(ics.text))
    }

    /// The `.ics` text of `feed`: every event that ends after `from` (a whole series if any of it does).
    pub fn calendar(&self, feed: Feed, from: DateTime<Utc>, now: DateTime<Utc>) -> Result<String> {
        let site = load_site(&self.conn, self.site)?;
        let uid = database_uid(&self.conn)?;
        let until = Utc.with_ymd_and_hms(9999, 1, 1, 0, 0, 0).single().unwrap_or(now);
        let range = Slot::new(from, until)?;

        let (name, room, surgeries) = match feed {
            Feed::Room(room) => (format!("{} — {}", site.name, load_room(&self.conn, room)?.name), Some(room), false),
            Feed::Surgeries => (format!("{} — drop-in help", site.name), None, true),
            Feed::All => (site.name.clone(), None, true),
        };
        let bookings = match feed {
            Feed::Surgeries => Vec::new(),
            Feed::Room(_) | Feed::All => bookings_overlapping(&self.conn, self.site, range, room)?,
        };
        let surgeries = if surgeries { self.surgeries_overlapping(range)? } else { Vec::new() };

        // A series with a stored rule is written once, whole; anything else active is a single event.
        let mut rules: BTreeMap<SeriesId, (SeriesRule, Vec<Booking>)> = BTreeMap::new();
        let mut singles = Vec::new();
        for booking in bookings {
            if let Some(id) = booking.series_id {
                if rules.contains_key(&id) {
                    continue;
                }
                if let Some(rule) = series_rule(&self.conn, id)? {
                    rules.insert(id, (rule, bookings_of_series(&self.conn, id)?));
                    continue;
                }
            }
            if booking.status.is_active() {
                singles.push(booking);
            }
        }

        let mut years: Vec<i32> = singles.iter().map(|booking| booking.slot.start().year()).collect();
        years.extend(surgeries.iter().map(|surgery| surgery.time.start().year()));
        years.extend(rules.values().flat_map(|(rule, _)| [rule.first_date.year(), rule.until_date.year()]));
        let from_year = years.iter().min().copied().unwrap_or(now.year());
        let to_year = years.iter().max().copied().unwrap_or(now.year());

        let mut writer = Writer { ics: Ics { text: String::new(), zone: site.time_zone }, uid: &uid, stamp: utc(now) };
        let ics = &mut writer.ics;
        ics.line("BEGIN:VCALENDAR");
        ics.line("VERSION:2.0");
        ics.line(&format!("PRODID:-//Hub Kiosk//Hub Kiosk {}//EN", env!("CARGO_PKG_VERSION")));
        ics.line("CALSCALE:GREGORIAN");
        ics.line("METHOD:PUBLISH");
        ics.text_property("X-WR-CALNAME", &name);
        ics.line(&format!("X-WR-TIMEZONE:{}", site.time_zone.name()));
        write_vtimezone(ics, from_year, to_year);
        for booking in &singles {
            writer.booking(booking);
        }
        for (id, (rule, occurrences)) in &rules {
            writer.series(rule, *id, occurrences)?;
        }
        for surgery in surgeries.iter().filter(|surgery| !surgery.cancelled) {
            writer.begin_event("surgery", surgery.id.0);
            writer.ics.time_property("DTSTART", surgery.time.start());
            writer.ics.time_property("DTEND", surgery.time.end());
            writer.ics.text_property("SUMMARY", &surgery.topic);
            writer.ics.text_property("LOCATION", &surgery.place);
            let free: u32 = surgery.slots.iter().map(|slot| slot.free()).sum();
            let places: u32 = surgery.slots.iter().map(|slot| slot.seats).sum();
            writer.ics.text_property(
                "DESCRIPTION",
                &format!("Drop-in help: {free} of {places} places free. Book at the kiosk or just come along."),
            );
            writer.ics.line("END:VEVENT");
        }
        writer.ics.line("END:VCALENDAR");
        Ok(writer.ics.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut ics = Ics { text: String::new(), zone: chrono_tz::Europe::London };
        ics.text_property("SUMMARY", &"Café, crêpes; and ☕ ".repeat(8));
        for line in ics.text.split("\r\n").filter(|line| !line.is_empty()) {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let unfolded = ics.text.replace("\r\n ", "");
        assert!(unfolded.starts_with("SUMMARY:Café\\, crêpes\\; and ☕ Café"));
    }

    #[test]
    fn offsets_are_written_as_rfc_5545_wants() {
        assert_eq!(offset_text(3600), "+0100");
        assert_eq!(offset_text(-5 * 3600 - 1800), "-0530");
        assert_eq!(offset_text(-75), "-000115");
    }
}
