//! Reading an iCalendar file (RFC 5545), as Google, Outlook, Nextcloud, LibreBooking and MRBS write them, into the
//! times its events make a room busy. Pure: text in, UTC ranges out.
//!
//! Repeating events (`RRULE`, `RDATE`, `EXDATE`, and `RECURRENCE-ID` overrides) are expanded in wall-clock time in
//! the event's own zone — an IANA `TZID`, or the file's `VTIMEZONE` when the name is not one (Outlook's "GMT Standard
//! Time") — so "every Tuesday 10:00" stays 10:00 across daylight-saving changes; each occurrence is then turned into
//! UTC. Floating times and all-day events are in the calendar's zone (`X-WR-TIMEZONE`, else the hub's). Cancelled
//! events and events marked free (`TRANSP:TRANSPARENT`) block nothing. A local time that does not exist (in the spring
//! gap) is read with the offset before the gap and one that happens twice as the first, as RFC 5545 says.
//!
//! Anything the kiosk cannot read for certain is refused with its line number, never skipped: a dropped event would
//! be a double booking waiting to happen. Components and properties that do not bear on busy time (`VTODO`,
//! `VALARM`, attendees, …) are passed over.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{RRule, Unvalidated};

use crate::time::Slot;

/// The most busy times one calendar may give; more is refused as a runaway rule rather than cut short.
pub const MAX_BLOCKS: usize = 20_000;
/// The largest calendar file read (Google's export of a busy room for ten years is about 2 MB).
pub const MAX_ICS_BYTES: usize = 16 * 1024 * 1024;

/// Why a calendar file could not be used: the line it happened on (1 for the whole file) and what, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsError {
    pub line: usize,
    pub problem: String,
}

impl fmt::Display for IcsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

impl std::error::Error for IcsError {}

fn problem<T>(line: usize, problem: impl Into<String>) -> Result<T, IcsError> {
    Err(IcsError { line, problem: problem.into() })
}

/// One time the room is busy: which event (its UID and summary, for staff) and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Busy {
    pub uid: String,
    pub summary: String,
    pub slot: Slot,
}

/// A calendar file, read and checked: every event's times, zones and rules are understood.
#[derive(Debug)]
pub struct CalendarFile {
    zones: Vec<Zone>,
    /// `X-WR-TIMEZONE`, for floating times and all-day events; `None`: the hub's zone.
    own_zone: Option<usize>,
    events: Vec<Event>,
}

/// Reads a calendar file. Every problem names its line.
pub fn read_ics(text: &str) -> Result<CalendarFile, IcsError> {
    if text.len() > MAX_ICS_BYTES {
        return problem(1, format!("the file is larger than {} MB", MAX_ICS_BYTES / 1024 / 1024));
    }
    let root = parse_components(text)?;
    let mut file = CalendarFile { zones: Vec::new(), own_zone: None, events: Vec::new() };
    let mut zone_names: HashMap<String, usize> = HashMap::new();
    // Zones first: an event may come before the VTIMEZONE it names.
    for child in root.children.iter().filter(|child| child.name == "VTIMEZONE") {
        let tzid = child.required("TZID")?;
        let zone = match iana(&tzid.value) {
            Some(tz) => Zone::Iana(tz),
            None => Zone::Defined(DefinedZone::read(child)?),
        };
        file.zones.push(zone);
        zone_names.insert(tzid.value.clone(), file.zones.len() - 1);
    }
    let mut zones = ZoneNames { file: &mut file.zones, names: zone_names };
    if let Some(own) = root.property("X-WR-TIMEZONE") {
        file.own_zone = Some(zones.find(own.line, &own.value)?);
    }
    for child in root.children.iter().filter(|child| child.name == "VEVENT") {
        file.events.push(Event::read(child, &mut zones)?);
    }
    check_overrides(&file.events)?;
    Ok(file)
}

impl CalendarFile {
    /// The busy times that overlap `window`, earliest first. `hub_zone` is for floating times and all-day events
    /// when the file names no zone of its own.
    pub fn busy(&self, hub_zone: Tz, window: Slot) -> Result<Vec<Busy>, IcsError> {
        let own = match self.own_zone {
            Some(index) => ZoneRef::Zone(index),
            None => ZoneRef::Hub,
        };
        let cx = Context { zones: &self.zones, hub: hub_zone, own };
        let mut overrides: HashMap<&str, HashMap<i64, &Event>> = HashMap::new();
        for event in &self.events {
            if let Some(id) = &event.recurrence_id {
                overrides.entry(&event.uid).or_default().insert(cx.instant(id).timestamp(), event);
            }
        }
        let mut busy = Vec::new();
        for event in self.events.iter().filter(|event| event.recurrence_id.is_none()) {
            let replaced = overrides.get(event.uid.as_str());
            for start in event.occurrences(&cx, window)? {
                if replaced.is_some_and(|map| map.contains_key(&cx.instant(&start).timestamp())) {
                    continue; // its override below stands in for it
                }
                if event.blocks() {
                    busy.extend(event.busy_from(&cx, &start, window));
                }
            }
        }
        for event in overrides.values().flat_map(|map| map.values()) {
            if event.blocks() {
                busy.extend(event.busy_from(&cx, &event.start, window));
            }
        }
        if busy.len() > MAX_BLOCKS {
            return problem(
                1,
                format!("the calendar makes more than {MAX_BLOCKS} busy times; is a rule repeating too often?"),
            );
        }
        busy.sort_by(|a, b| (a.slot.start(), &a.uid).cmp(&(b.slot.start(), &b.uid)));
        Ok(busy)
    }

    /// How many events (series counted once) the file holds.
    pub fn event_count(&self) -> usize {
        self.events.iter().filter(|event| event.recurrence_id.is_none()).count()
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Content lines and components

#[derive(Debug)]
struct Property {
    line: usize,
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl Property {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
}

#[derive(Debug)]
struct Component {
    line: usize,
    name: String,
    properties: Vec<Property>,
    children: Vec<Component>,
}

impl Component {
    fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|property| property.name == name)
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> {
        self.properties.iter().filter(move |property| property.name == name)
    }

    fn required(&self, name: &str) -> Result<&Property, IcsError> {
        match self.property(name) {
            Some(property) => Ok(property),
            None => problem(self.line, format!("this {} has no {name}", self.name)),
        }
    }
}

/// Unfolds the text into logical lines (a line starting with a space or tab continues the one before), each with
/// the number of the line it starts on, and builds the component tree under one `VCALENDAR`.
fn parse_components(text: &str) -> Result<Component, IcsError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut logical: Vec<(usize, String)> = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            match logical.last_mut() {
                Some((_, line)) => line.push_str(rest),
                None => return problem(index + 1, "the file starts with a continued line"),
            }
        } else if !raw.is_empty() {
            logical.push((index + 1, raw.to_owned()));
        }
    }
    let mut stack: Vec<Component> = Vec::new();
    let mut root = None;
    for (line, text) in logical {
        let property = match parse_line(line, &text) {
            Ok(property) => property,
            Err(_) if stack.is_empty() && root.is_none() => {
                return problem(line, "this is not an iCalendar file: it should start with BEGIN:VCALENDAR");
            }
            Err(error) => return Err(error),
        };
        match property.name.as_str() {
            "BEGIN" => {
                if root.is_some() {
                    return problem(line, "there is more after the calendar's END:VCALENDAR");
                }
                let name = property.value.to_ascii_uppercase();
                if stack.is_empty() && name != "VCALENDAR" {
                    return problem(line, "this is not an iCalendar file: it should start with BEGIN:VCALENDAR");
                }
                stack.push(Component { line, name, properties: Vec::new(), children: Vec::new() });
            }
            "END" => {
                let name = property.value.to_ascii_uppercase();
                let Some(done) = stack.pop() else {
                    return problem(line, format!("END:{name} without a BEGIN"));
                };
                if done.name != name {
                    return problem(line, format!("END:{name} closes BEGIN:{} from line {}", done.name, done.line));
                }
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            _ => match stack.last_mut() {
                Some(component) => component.properties.push(property),
                None if root.is_some() => return problem(line, "there is more after the calendar's END:VCALENDAR"),
                None => return problem(line, "this is not an iCalendar file: it should start with BEGIN:VCALENDAR"),
            },
        }
    }
    if let Some(open) = stack.last() {
        return problem(open.line, format!("BEGIN:{} is never closed (the file may have been cut short)", open.name));
    }
    match root {
        Some(root) => Ok(root),
        None => problem(1, "this is not an iCalendar file: there is no BEGIN:VCALENDAR"),
    }
}

/// `NAME;PARAM=value;PARAM="quoted; value":value`.
fn parse_line(line: usize, text: &str) -> Result<Property, IcsError> {
    let name_end = text.find([';', ':']).unwrap_or(text.len());
    let name = &text[..name_end];
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return problem(line, format!("“{}” is not an iCalendar line (NAME:value)", shorten(text)));
    }
    let mut rest = &text[name_end..];
    let mut params = Vec::new();
    while let Some(after) = rest.strip_prefix(';') {
        let Some(equals) = after.find('=') else {
            return problem(line, format!("a parameter of {name} has no value"));
        };
        let key = after[..equals].to_ascii_uppercase();
        let mut value_text = &after[equals + 1..];
        let mut values = Vec::new();
        loop {
            let (value, remaining) = if let Some(quoted) = value_text.strip_prefix('"') {
                let Some(close) = quoted.find('"') else {
                    return problem(line, format!("a quoted parameter of {name} is never closed"));
                };
                (&quoted[..close], &quoted[close + 1..])
            } else {
                let end = value_text.find([',', ';', ':']).unwrap_or(value_text.len());
                (&value_text[..end], &value_text[end..])
            };
            values.push(value);
            match remaining.strip_prefix(',') {
                Some(more) => value_text = more,
                None => {
                    value_text = remaining;
                    break;
                }
            }
        }
        params.push((key, values.join(",")));
        rest = value_text;
    }
    let Some(value) = rest.strip_prefix(':') else {
        return problem(line, format!("{name} has no “:” before its value"));
    };
    Ok(Property { line, name: name.to_ascii_uppercase(), params, value: value.to_owned() })
}

fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// A TEXT value with its escapes undone.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push(' '),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------------------------
// Zones

#[derive(Debug)]
enum Zone {
    Iana(Tz),
    Defined(DefinedZone),
}

/// A `VTIMEZONE` whose name is not in the tz database: its offsets and the instants they change, worked out from
/// its `STANDARD`/`DAYLIGHT` parts up to the year 2100.
#[derive(Debug)]
struct DefinedZone {
    /// The offset (seconds east of UTC) before the first change.
    first: i32,
    /// (UTC instant, offset from then on), in order.
    changes: Vec<(i64, i32)>,
}

const ZONE_RULES_UNTIL_YEAR: i32 = 2100;

impl DefinedZone {
    fn read(component: &Component) -> Result<DefinedZone, IcsError> {
        let mut changes = Vec::new();
        let mut first: Option<(NaiveDateTime, i32)> = None;
        for part in component.children.iter().filter(|child| matches!(child.name.as_str(), "STANDARD" | "DAYLIGHT")) {
            let from = offset(part.required("TZOFFSETFROM")?)?;
            let to = offset(part.required("TZOFFSETTO")?)?;
            let start = part.required("DTSTART")?;
            let onset = match parse_date_or_time(start.line, &start.value)? {
                Moment::Time(local) => local,
                Moment::Date(date) => date.and_time(NaiveTime::MIN),
            };
            if first.is_none_or(|(earliest, _)| onset < earliest) {
                first = Some((onset, from));
            }
            let mut onsets = vec![onset];
            if let Some(property) = part.property("RRULE") {
                let rule = parse_rule(property)?;
                let end =
                    NaiveDate::from_ymd_opt(ZONE_RULES_UNTIL_YEAR, 1, 1).unwrap_or_default().and_time(NaiveTime::MIN);
                // The onsets are wall-clock times before the change; a UTC UNTIL is near enough for a rule that
                // changes at night, and the last onset it allows is kept either way.
                let own_until = rule.get_until().map(|until| until.naive_utc() + Duration::seconds(from.into()));
                onsets = expand_rule(property.line, &rule, onset, own_until, onset, end)?;
            }
            for rdate in part.all("RDATE") {
                for value in rdate.value.split(',') {
                    if let Moment::Time(local) = parse_date_or_time(rdate.line, value)? {
                        onsets.push(local);
                    }
                }
            }
            // The onset is wall-clock time before the change.
            changes.extend(
                onsets.into_iter().map(|local| ((local - Duration::seconds(from.into())).and_utc().timestamp(), to)),
            );
        }
        let Some((_, first)) = first else {
            return problem(component.line, "this VTIMEZONE has no STANDARD or DAYLIGHT part");
        };
        changes.sort_unstable();
        Ok(DefinedZone { first, changes })
    }

    fn offset_at(&self, utc: i64) -> i32 {
        match self.changes.partition_point(|(at, _)| *at <= utc) {
            0 => self.first,
            after => self.changes[after - 1].1,
        }
    }

    /// The first instant that reads `local` here, or (in a gap) `local` at the offset before the gap.
    fn to_utc(&self, local: NaiveDateTime) -> i64 {
        let wall = local.and_utc().timestamp();
        let offsets: BTreeSet<i32> =
            std::iter::once(self.first).chain(self.changes.iter().map(|(_, to)| *to)).collect();
        // The largest fitting offset is the earliest instant.
        match offsets.iter().rev().find(|offset| self.offset_at(wall - i64::from(**offset)) == **offset) {
            Some(offset) => wall - i64::from(*offset),
            None => wall - i64::from(self.offset_at(wall - 86_400)),
        }
    }
}

/// `+0100`, `-0500`, `+053000`.
fn offset(property: &Property) -> Result<i32, IcsError> {
    let text = property.value.trim();
    let (sign, digits) = match text.split_at_checked(1) {
        Some(("+", digits)) => (1, digits),
        Some(("-", digits)) => (-1, digits),
        _ => return problem(property.line, format!("{} “{}” is not an offset like +0100", property.name, text)),
    };
    let number = |range: std::ops::Range<usize>| digits.get(range).and_then(|part| part.parse::<i32>().ok());
    let (hours, minutes, seconds) = match digits.len() {
        4 => (number(0..2), number(2..4), Some(0)),
        6 => (number(0..2), number(2..4), number(4..6)),
        _ => (None, None, None),
    };
    match (hours, minutes, seconds) {
        (Some(hours), Some(minutes), Some(seconds)) if hours < 24 && minutes < 60 && seconds < 60 => {
            Ok(sign * (hours * 3600 + minutes * 60 + seconds))
        }
        _ => problem(property.line, format!("{} “{}” is not an offset like +0100", property.name, text)),
    }
}

/// An IANA name as calendars write it (some put a `/` before it, or a vendor prefix ending in one).
fn iana(name: &str) -> Option<Tz> {
    let name = name.trim().trim_matches('"');
    Tz::from_str(name).ok().or_else(|| {
        // "/mozilla.org/20050126_1/Europe/London", "/Europe/London"
        let parts: Vec<&str> = name.split('/').collect();
        (1..parts.len()).find_map(|from| Tz::from_str(&parts[from..].join("/")).ok())
    })
}

struct ZoneNames<'a> {
    file: &'a mut Vec<Zone>,
    names: HashMap<String, usize>,
}

impl ZoneNames<'_> {
    fn find(&mut self, line: usize, name: &str) -> Result<usize, IcsError> {
        if let Some(index) = self.names.get(name) {
            return Ok(*index);
        }
        let Some(tz) = iana(name) else {
            return problem(line, format!("the time zone “{name}” is neither a known zone nor described in the file"));
        };
        self.file.push(Zone::Iana(tz));
        self.names.insert(name.to_owned(), self.file.len() - 1);
        Ok(self.file.len() - 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ZoneRef {
    Utc,
    /// A floating time: the calendar's own zone.
    Floating,
    Zone(usize),
    /// The calendar names no zone: the hub's.
    Hub,
}

struct Context<'a> {
    zones: &'a [Zone],
    hub: Tz,
    /// What floating times and all-day events are in.
    own: ZoneRef,
}

impl Context<'_> {
    fn to_utc(&self, zone: ZoneRef, local: NaiveDateTime) -> DateTime<Utc> {
        let seconds = match zone {
            ZoneRef::Utc => local.and_utc().timestamp(),
            ZoneRef::Floating => return self.to_utc(self.own, local),
            ZoneRef::Hub => iana_to_utc(self.hub, local),
            ZoneRef::Zone(index) => match &self.zones[index] {
                Zone::Iana(tz) => iana_to_utc(*tz, local),
                Zone::Defined(defined) => defined.to_utc(local),
            },
        };
        DateTime::from_timestamp(seconds, 0).unwrap_or_default()
    }

    fn to_local(&self, zone: ZoneRef, instant: DateTime<Utc>) -> NaiveDateTime {
        match zone {
            ZoneRef::Utc => instant.naive_utc(),
            ZoneRef::Floating => self.to_local(self.own, instant),
            ZoneRef::Hub => instant.with_timezone(&self.hub).naive_local(),
            ZoneRef::Zone(index) => match &self.zones[index] {
                Zone::Iana(tz) => instant.with_timezone(tz).naive_local(),
                Zone::Defined(defined) => {
                    instant.naive_utc() + Duration::seconds(defined.offset_at(instant.timestamp()).into())
                }
            },
        }
    }

    fn instant(&self, at: &When) -> DateTime<Utc> {
        match at {
            When::Time(local, zone) => self.to_utc(*zone, *local),
            When::Date(date) => self.to_utc(self.own, date.and_time(NaiveTime::MIN)),
        }
    }
}

fn iana_to_utc(tz: Tz, local: NaiveDateTime) -> i64 {
    match tz.from_local_datetime(&local).earliest() {
        Some(instant) => instant.timestamp(),
        // In the spring gap: the offset before it.
        None => {
            let before = tz.offset_from_utc_datetime(&(local - Duration::days(1))).fix();
            (local - Duration::seconds(before.local_minus_utc().into())).and_utc().timestamp()
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Events

/// A start or end as written: a wall-clock time in a zone, or a whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Time(NaiveDateTime, ZoneRef),
    Date(NaiveDate),
}

impl When {
    fn local(&self) -> NaiveDateTime {
        match self {
            When::Time(local, _) => *local,
            When::Date(date) => date.and_time(NaiveTime::MIN),
        }
    }

    fn with_local(&self, local: NaiveDateTime) -> When {
        match self {
            When::Time(_, zone) => When::Time(local, *zone),
            When::Date(_) => When::Date(local.date()),
        }
    }
}

/// How long each occurrence lasts.
#[derive(Debug, Clone, Copy)]
enum Length {
    /// `DTEND` in the same zone as the start, or a `DURATION` of days and weeks: wall-clock time.
    Wall(Duration),
    /// A `DURATION` of hours, minutes and seconds: elapsed time.
    Exact(Duration),
    /// `DTEND` in another zone than the start: the elapsed time between the two, for every occurrence.
    EndsAt(When),
}

#[derive(Debug)]
struct Event {
    line: usize,
    uid: String,
    summary: String,
    start: When,
    length: Length,
    rule: Option<(usize, RRule<Unvalidated>)>,
    rdates: Vec<When>,
    exdates: Vec<When>,
    recurrence_id: Option<When>,
    cancelled: bool,
    transparent: bool,
}

impl Event {
    fn read(component: &Component, zones: &mut ZoneNames<'_>) -> Result<Event, IcsError> {
        let line = component.line;
        let uid = match component.property("UID") {
            Some(uid) => uid.value.trim().to_owned(),
            None => format!("line-{line}"),
        };
        let summary = component.property("SUMMARY").map(|summary| unescape(&summary.value)).unwrap_or_default();
        let start = when(component.required("DTSTART")?, zones)?;
        let length = match (component.property("DTEND"), component.property("DURATION")) {
            (Some(end_property), _) => {
                let end = when(end_property, zones)?;
                let length = match (start, end) {
                    (When::Time(_, a), When::Time(_, b)) if a != b => Length::EndsAt(end),
                    (When::Date(_), When::Time(..)) | (When::Time(..), When::Date(_)) => {
                        return problem(
                            end_property.line,
                            "DTEND is a date where DTSTART is a time, or the other way round",
                        );
                    }
                    _ => Length::Wall(end.local() - start.local()),
                };
                if matches!(length, Length::Wall(length) if length < Duration::zero()) {
                    return problem(end_property.line, "the event ends before it starts");
                }
                length
            }
            (None, Some(duration)) => read_duration(duration)?,
            (None, None) => match start {
                When::Date(_) => Length::Wall(Duration::days(1)),
                When::Time(..) => Length::Wall(Duration::zero()),
            },
        };
        let rule = match component.property("RRULE") {
            Some(rule) => Some((rule.line, parse_rule(rule)?)),
            None => None,
        };
        let mut dates = |name: &str| -> Result<Vec<When>, IcsError> {
            let mut out = Vec::new();
            for property in component.all(name) {
                if property.param("VALUE").is_some_and(|value| value.eq_ignore_ascii_case("PERIOD")) {
                    return problem(property.line, format!("{name} periods are not read; write dates or times"));
                }
                for value in property.value.split(',').map(str::trim).filter(|value| !value.is_empty()) {
                    out.push(when_value(property, value, zones)?);
                }
            }
            Ok(out)
        };
        let rdates = dates("RDATE")?;
        let exdates = dates("EXDATE")?;
        let recurrence_id = match component.property("RECURRENCE-ID") {
            Some(id) => Some(when(id, zones)?),
            None => None,
        };
        let status = component.property("STATUS").map(|status| status.value.trim().to_ascii_uppercase());
        let transp = component.property("TRANSP").map(|transp| transp.value.trim().to_ascii_uppercase());
        Ok(Event {
            line,
            uid,
            summary,
            start,
            length,
            rule,
            rdates,
            exdates,
            recurrence_id,
            cancelled: status.as_deref() == Some("CANCELLED"),
            transparent: transp.as_deref() == Some("TRANSPARENT"),
        })
    }

    /// Whether it makes the room busy.
    fn blocks(&self) -> bool {
        !self.cancelled && !self.transparent
    }

    /// Every start of this event (as written, before overrides) whose occurrence can touch `window`, less its
    /// `EXDATE`s.
    fn occurrences(&self, cx: &Context<'_>, window: Slot) -> Result<Vec<When>, IcsError> {
        let mut starts = vec![self.start];
        if let Some((line, rule)) = &self.rule {
            // Expand in wall-clock time, from far enough before the window for a long event to reach into it.
            let zone = self.zone(cx);
            let from =
                cx.to_local(zone, window.start()) - self.length_from(cx).max(Duration::zero()) - Duration::days(2);
            let until = cx.to_local(zone, window.end()) + Duration::days(2);
            // A UTC UNTIL of a zoned start is compared in that zone's wall-clock time.
            let own_until = rule.get_until().map(|own| match self.start {
                When::Time(_, zone) if own.timezone() == rrule::Tz::UTC => cx.to_local(zone, own.naive_utc().and_utc()),
                When::Date(_) => own.naive_utc().date().and_time(NaiveTime::MIN),
                _ => own.naive_utc(),
            });
            starts = expand_rule(*line, rule, self.start.local(), own_until, from, until)?
                .into_iter()
                .map(|local| self.start.with_local(local))
                .collect();
        }
        starts.extend(self.rdates.iter().copied());
        let excluded: BTreeSet<i64> = self.exdates.iter().map(|date| cx.instant(date).timestamp()).collect();
        let excluded_days: BTreeSet<NaiveDate> =
            self.exdates.iter().filter_map(|date| if let When::Date(day) = date { Some(*day) } else { None }).collect();
        starts.retain(|start| {
            !excluded.contains(&cx.instant(start).timestamp()) && !excluded_days.contains(&start.local().date())
        });
        starts.sort_by_key(|start| cx.instant(start));
        starts.dedup_by_key(|start| cx.instant(start));
        Ok(starts)
    }

    fn zone(&self, cx: &Context<'_>) -> ZoneRef {
        match self.start {
            When::Time(_, zone) => zone,
            When::Date(_) => cx.own,
        }
    }

    fn length_from(&self, cx: &Context<'_>) -> Duration {
        match self.length {
            Length::Wall(length) | Length::Exact(length) => length,
            Length::EndsAt(end) => cx.instant(&end) - cx.instant(&self.start),
        }
    }

    /// The busy time of the occurrence starting at `start`, if it has length and touches `window`.
    fn busy_from(&self, cx: &Context<'_>, start: &When, window: Slot) -> Option<Busy> {
        let begins = cx.instant(start);
        let ends = match (self.length, start) {
            (Length::Exact(_) | Length::EndsAt(_), _) => begins + self.length_from(cx),
            (Length::Wall(length), When::Time(local, zone)) => cx.to_utc(*zone, *local + length),
            (Length::Wall(length), When::Date(date)) => cx.to_utc(cx.own, date.and_time(NaiveTime::MIN) + length),
        };
        let slot = Slot::between(begins, ends)?;
        (slot.start() < window.end() && slot.end() > window.start()).then(|| Busy {
            uid: self.uid.clone(),
            summary: self.summary.clone(),
            slot,
        })
    }
}

/// Overrides name an occurrence of an event in the file; two events with one UID and neither an override is an
/// ambiguity the kiosk will not guess at.
fn check_overrides(events: &[Event]) -> Result<(), IcsError> {
    let mut masters: HashMap<&str, usize> = HashMap::new();
    for event in events.iter().filter(|event| event.recurrence_id.is_none()) {
        if let Some(first) = masters.insert(&event.uid, event.line) {
            return problem(
                event.line,
                format!("a second event with the UID “{}” (the first is on line {first})", shorten(&event.uid)),
            );
        }
    }
    Ok(())
}

/// A moment as written in a value: `19980118T073000Z`, `19980118T073000` or `19980118`.
enum Moment {
    Time(NaiveDateTime),
    Date(NaiveDate),
}

fn parse_date_or_time(line: usize, text: &str) -> Result<Moment, IcsError> {
    let text = text.trim();
    let bad = || problem(line, format!("“{}” is not a date (20270314) or a time (20270314T100000)", shorten(text)));
    let date = |digits: &str| {
        if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
            NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
        } else {
            None
        }
    };
    match text.split_once('T') {
        None => date(text).map(Moment::Date).map_or_else(bad, Ok),
        Some((day, time)) => {
            let time = time.strip_suffix('Z').unwrap_or(time);
            let clock = if time.len() == 6 && time.bytes().all(|b| b.is_ascii_digit()) {
                NaiveTime::parse_from_str(time, "%H%M%S").ok()
            } else {
                None
            };
            match (date(day), clock) {
                (Some(day), Some(clock)) => Ok(Moment::Time(day.and_time(clock))),
                _ => bad(),
            }
        }
    }
}

fn when(property: &Property, zones: &mut ZoneNames<'_>) -> Result<When, IcsError> {
    when_value(property, &property.value, zones)
}

fn when_value(property: &Property, value: &str, zones: &mut ZoneNames<'_>) -> Result<When, IcsError> {
    let is_date = property.param("VALUE").is_some_and(|kind| kind.eq_ignore_ascii_case("DATE"));
    match parse_date_or_time(property.line, value)? {
        Moment::Date(date) => Ok(When::Date(date)),
        Moment::Time(_) if is_date => {
            problem(property.line, format!("{} says VALUE=DATE but holds a time", property.name))
        }
        Moment::Time(local) => {
            let zone = if value.trim().ends_with('Z') {
                ZoneRef::Utc
            } else if let Some(tzid) = property.param("TZID") {
                ZoneRef::Zone(zones.find(property.line, tzid)?)
            } else {
                ZoneRef::Floating
            };
            Ok(When::Time(local, zone))
        }
    }
}

/// `DURATION:PT1H30M`, `P1D`, `P2W`, `P1DT12H`.
fn read_duration(property: &Property) -> Result<Length, IcsError> {
    let text = property.value.trim();
    let bad = || problem(property.line, format!("DURATION “{}” is not a length like PT1H30M", shorten(text)));
    let Some(body) = text.strip_prefix('+').unwrap_or(text).strip_prefix('P') else { return bad() };
    let (mut days, mut seconds, mut number, mut in_time) = (0i64, 0i64, String::new(), false);
    for c in body.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        if c == 'T' && !in_time && number.is_empty() {
            in_time = true;
            continue;
        }
        let Ok(value) = number.parse::<i64>() else { return bad() };
        if value > 100_000 {
            return bad();
        }
        number.clear();
        match (c, in_time) {
            ('W', false) => days += 7 * value,
            ('D', false) => days += value,
            ('H', true) => seconds += 3600 * value,
            ('M', true) => seconds += 60 * value,
            ('S', true) => seconds += value,
            _ => return bad(),
        }
    }
    if !number.is_empty() {
        return bad();
    }
    Ok(if seconds == 0 {
        Length::Wall(Duration::days(days))
    } else {
        Length::Exact(Duration::days(days) + Duration::seconds(seconds))
    })
}

fn parse_rule(property: &Property) -> Result<RRule<Unvalidated>, IcsError> {
    RRule::from_str(property.value.trim()).or_else(|_| {
        problem(property.line, format!("the repeat rule “{}” could not be read", shorten(&property.value)))
    })
}

/// Runs a rule in wall-clock time (the rrule crate is given the local times as if they were UTC) from `start`,
/// keeping the starts in `from..=until`. `own_until` is the rule's UNTIL, already in wall-clock time.
fn expand_rule(
    line: usize,
    rule: &RRule<Unvalidated>,
    start: NaiveDateTime,
    own_until: Option<NaiveDateTime>,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<Vec<NaiveDateTime>, IcsError> {
    let wall = |local: NaiveDateTime| rrule::Tz::UTC.from_utc_datetime(&local);
    let until = own_until.map_or(until, |own| own.min(until));
    if until < start {
        return Ok(Vec::new());
    }
    let rule = match rule.get_count() {
        Some(_) => rule.clone(),
        // Bounding the rule itself keeps the crate from walking on past the window.
        None => rule.clone().until(wall(until)),
    };
    let set =
        rule.build(wall(start)).or_else(|error| problem(line, format!("the repeat rule cannot be used: {error}")))?;
    let result = set.after(wall(from)).before(wall(until)).all(u16::MAX);
    if result.limited {
        return problem(line, "the repeat rule makes too many occurrences, or none; is it written as meant?");
    }
    Ok(result.dates.into_iter().map(|date| date.naive_utc()).collect())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::{America, Europe};

    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        Utc.from_utc_datetime(&NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap())
    }

    fn year_2027() -> Slot {
        Slot::new(utc("2027-01-01 00:00"), utc("2028-01-01 00:00")).unwrap()
    }

    fn calendar(body: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n")
    }

    fn busy(text: &str) -> Vec<(String, String)> {
        read_ics(text)
            .unwrap()
            .busy(Europe::London, year_2027())
            .unwrap()
            .into_iter()
            .map(|busy| {
                (busy.slot.start().format("%Y-%m-%d %H:%M").to_string(), busy.slot.end().format("%H:%M").to_string())
            })
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn a_weekly_meeting_keeps_its_wall_clock_time_across_the_clock_change() {
        let text = calendar(
            "BEGIN:VEVENT\r\nUID:standup\r\nSUMMARY:Stand-up\r\nDTSTART;TZID=Europe/London:20270323T100000\r\n\
             DTEND;TZID=Europe/London:20270323T103000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n",
        );
        // The clocks go forward on 28 March 2027: 10:00 is 10:00 GMT, then 09:00 UTC.
        assert_eq!(
            busy(&text),
            pairs(&[("2027-03-23 10:00", "10:30"), ("2027-03-30 09:00", "09:30"), ("2027-04-06 09:00", "09:30")])
        );
    }

    #[test]
    fn exceptions_overrides_and_cancellations_are_followed() {
        let text = calendar(
            "BEGIN:VEVENT\r\nUID:club\r\nDTSTART;TZID=Europe/London:20270601T180000\r\nDURATION:PT1H\r\n\
             RRULE:FREQ=WEEKLY;UNTIL=20270622T170000Z\r\nEXDATE;TZID=Europe/London:20270608T180000\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:club\r\nRECURRENCE-ID;TZID=Europe/London:20270615T180000\r\n\
             DTSTART;TZID=Europe/London:20270615T190000\r\nDTEND;TZID=Europe/London:20270615T210000\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:club\r\nRECURRENCE-ID:20270622T170000Z\r\nSTATUS:CANCELLED\r\n\
             DTSTART;TZID=Europe/London:20270622T180000\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:off\r\nSTATUS:CANCELLED\r\nDTSTART:20270610T090000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:free\r\nTRANSP:TRANSPARENT\r\nDTSTART:20270610T090000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\n",
        );
        assert_eq!(busy(&text), pairs(&[("2027-06-01 17:00", "18:00"), ("2027-06-15 18:00", "20:00")]));
    }

    #[test]
    fn all_day_and_floating_events_are_in_the_calendars_own_zone() {
        let text = calendar(
            "X-WR-TIMEZONE:America/New_York\r\n\
             BEGIN:VEVENT\r\nUID:day\r\nDTSTART;VALUE=DATE:20270704\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:float\r\nDTSTART:20270705T090000\r\nDTEND:20270705T100000\r\nEND:VEVENT\r\n",
        );
        assert_eq!(busy(&text), pairs(&[("2027-07-04 04:00", "04:00"), ("2027-07-05 13:00", "14:00")]));
        let hubs =
            calendar("BEGIN:VEVENT\r\nUID:float\r\nDTSTART:20270705T090000\r\nDTEND:20270705T100000\r\nEND:VEVENT\r\n");
        assert_eq!(busy(&hubs), pairs(&[("2027-07-05 08:00", "09:00")]), "no zone named: the hub's");
    }

    #[test]
    fn a_zone_described_only_in_the_file_is_worked_out_from_its_rules() {
        // Outlook names zones its own way and describes them.
        let text = calendar(
            "BEGIN:VTIMEZONE\r\nTZID:GMT Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T020000\r\n\
             TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n\
             BEGIN:DAYLIGHT\r\nDTSTART:16010101T010000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\n\
             RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
             BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=GMT Standard Time:20270325T100000\r\n\
             DTEND;TZID=GMT Standard Time:20270325T110000\r\nRRULE:FREQ=DAILY;COUNT=5\r\nEND:VEVENT\r\n",
        );
        let from_rules = busy(&text);
        let iana = busy(&text.replace("GMT Standard Time", "Europe/London"));
        assert_eq!(from_rules, iana);
        assert_eq!(from_rules[3], ("2027-03-28 09:00".to_string(), "10:00".to_string()));
    }

    #[test]
    fn a_time_in_the_spring_gap_takes_the_offset_before_it_and_a_repeated_hour_the_first() {
        let at = |local: &str| {
            let text = calendar(&format!(
                "BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=America/New_York:{local}\r\nDURATION:PT30M\r\nEND:VEVENT\r\n"
            ));
            busy(&text)[0].0.clone()
        };
        assert_eq!(at("20270314T023000"), "2027-03-14 07:30", "02:30 does not exist: read at -05:00");
        assert_eq!(at("20271107T013000"), "2027-11-07 05:30", "01:30 happens twice: the first, at -04:00");
        assert_eq!(
            America::New_York.offset_from_utc_datetime(&utc("2027-11-07 05:30").naive_utc()).fix().local_minus_utc(),
            -4 * 3600
        );
    }

    #[test]
    fn problems_name_their_line() {
        let error = |text: &str| read_ics(text).unwrap_err();
        assert_eq!(error("hello").line, 1);
        assert!(error("hello").problem.contains("not an iCalendar"));
        let bad_date = calendar("BEGIN:VEVENT\r\nUID:a\r\nDTSTART:2027-03-01\r\nEND:VEVENT\r\n");
        assert_eq!(
            error(&bad_date),
            IcsError {
                line: 6, problem: "“2027-03-01” is not a date (20270314) or a time (20270314T100000)".into()
            }
        );
        let unknown_zone =
            calendar("BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Mars/Olympus:20270301T100000\r\nEND:VEVENT\r\n");
        assert_eq!(error(&unknown_zone).line, 6);
        let bad_rule =
            calendar("BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270301T100000Z\r\nRRULE:FREQ=SOMETIMES\r\nEND:VEVENT\r\n");
        assert_eq!(error(&bad_rule).line, 7);
        let cut_short = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n";
        assert_eq!(
            error(cut_short),
            IcsError { line: 2, problem: "BEGIN:VEVENT is never closed (the file may have been cut short)".into() }
        );
        let twice = calendar(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270301T100000Z\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270302T100000Z\r\nEND:VEVENT\r\n",
        );
        assert_eq!(error(&twice).line, 8);
        let backwards =
            calendar("BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270301T100000Z\r\nDTEND:20270301T090000Z\r\nEND:VEVENT\r\n");
        assert_eq!(error(&backwards).line, 7);
    }

    #[test]
    fn folded_lines_escapes_and_a_byte_order_mark_are_read() {
        let text = format!(
            "\u{feff}{}",
            calendar(
                "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Board\\, finance\r\n  and \\;plans\r\nDTSTART:2027030\r\n 1T100000Z\r\n\
             DURATION:PT1H\r\nBEGIN:VALARM\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n"
            )
        );
        let busy = read_ics(&text).unwrap().busy(Europe::London, year_2027()).unwrap();
        assert_eq!(busy[0].summary, "Board, finance and ;plans");
        assert_eq!(busy[0].slot.start(), utc("2027-03-01 10:00"));
    }

    #[test]
    fn a_rule_with_no_end_is_expanded_only_as_far_as_asked() {
        let text = calendar(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20200101T100000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n",
        );
        let file = read_ics(&text).unwrap();
        let week = Slot::new(utc("2027-05-01 00:00"), utc("2027-05-08 00:00")).unwrap();
        assert_eq!(file.busy(Europe::London, week).unwrap().len(), 7);
        let often = calendar(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270101T100000Z\r\nDURATION:PT1S\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\n",
        );
        assert!(read_ics(&often).unwrap().busy(Europe::London, year_2027()).is_err());
    }
}
