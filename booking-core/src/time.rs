//! Instants, ranges and the one place where a local wall-clock time becomes an instant.
//!
//! Rule for ambiguous local times (the repeated hour when clocks go back): the **earlier** instant is used,
//! i.e. the first time the wall clock shows that time. Local times that do not exist (the skipped hour when clocks
//! go forward) are refused with a message naming the gap.

use std::fmt;

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError};

/// A half-open range of time `[start, end)` in UTC, never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Slot {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Slot {
    /// Refuses a range whose end is not after its start.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Slot> {
        if end <= start {
            return Err(StoreError::invalid(format!(
                "the end ({}) must be after the start ({})",
                end.format("%Y-%m-%d %H:%M UTC"),
                start.format("%Y-%m-%d %H:%M UTC")
            )));
        }
        Ok(Slot { start, end })
    }

    /// The range from `start` to `end` if it is not empty. For loops that only skip empty ranges: no refusal is
    /// built (its sentence formats both times).
    pub fn between(start: DateTime<Utc>, end: DateTime<Utc>) -> Option<Slot> {
        (end > start).then_some(Slot { start, end })
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }

    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start <= instant && instant < self.end
    }

    pub fn overlaps(&self, other: &Slot) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Why a local wall-clock time could not be turned into an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonexistentLocalTime {
    pub local: NaiveDateTime,
    pub zone: Tz,
}

impl fmt::Display for NonexistentLocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} does not exist in {}: the clocks go forward then. Choose a time after the change",
            self.local.format("%H:%M on %-d %B %Y"),
            self.zone
        )
    }
}

/// The instant a wall clock in `zone` shows `local`; ambiguous times take the earlier instant.
pub fn resolve_local(zone: Tz, local: NaiveDateTime) -> Result<DateTime<Utc>, NonexistentLocalTime> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(instant) => Ok(instant.with_timezone(&Utc)),
        LocalResult::Ambiguous(earlier, _later) => Ok(earlier.with_timezone(&Utc)),
        LocalResult::None => Err(NonexistentLocalTime { local, zone }),
    }
}

/// Like [`resolve_local`] but for boundaries such as midnight or closing time, where a skipped wall time should
/// mean "the first instant after the gap" rather than an error.
pub fn resolve_local_boundary(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    // DST gaps are at most a few hours; step forward by minutes until the wall clock exists.
    for _ in 0..(24 * 60) {
        if let Ok(instant) = resolve_local(zone, probe) {
            return instant;
        }
        probe += chrono::Duration::minutes(1);
    }
    Utc.from_utc_datetime(&local)
}

/// The UTC range a local calendar day covers in `zone` (23, 24 or 25 hours long).
pub fn local_day(zone: Tz, date: NaiveDate) -> Slot {
    let start = resolve_local_boundary(zone, date.and_time(NaiveTime::MIN));
    let next = date.succ_opt().unwrap_or(date);
    let end = resolve_local_boundary(zone, next.and_time(NaiveTime::MIN));
    Slot { start, end: end.max(start + chrono::Duration::hours(1)) }
}

/// Parses an IANA time zone name such as `Europe/London`, with a plain message when it is unknown.
pub fn parse_zone(name: &str) -> Result<Tz> {
    name.trim().parse::<Tz>().map_err(|_| {
        StoreError::invalid(format!(
            "unknown time zone \"{}\": use a name like Europe/London or America/New_York",
            name.trim()
        ))
    })
}

pub(crate) fn to_db(instant: DateTime<Utc>) -> i64 {
    instant.timestamp()
}

pub(crate) fn from_db(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or(DateTime::UNIX_EPOCH)
}

/// Stored instants made into dates in bulk, as `from_db` does, remembering the UTC date of the last one: working out
/// a date from a count of days is most of the cost, and the many instants of one day's free time share a date or two.
pub(crate) struct Instants {
    day: i64,
    date: NaiveDate,
}

impl Instants {
    pub(crate) fn new() -> Instants {
        Instants { day: 0, date: DateTime::UNIX_EPOCH.date_naive() }
    }

    pub(crate) fn at(&mut self, seconds: i64) -> DateTime<Utc> {
        let (day, second) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        if day != self.day {
            let instant = from_db(seconds);
            if instant.timestamp() == seconds {
                (self.day, self.date) = (day, instant.date_naive());
            }
            return instant;
        }
        let time = NaiveTime::from_num_seconds_from_midnight_opt(second as u32, 0).unwrap_or(NaiveTime::MIN);
        self.date.and_time(time).and_utc()
    }

    /// The range between two stored instants, if it is not empty.
    pub(crate) fn slot(&mut self, start: i64, end: i64) -> Option<Slot> {
        Slot::between(self.at(start), self.at(end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn london() -> Tz {
        chrono_tz::Europe::London
    }

    fn local(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn slot_refuses_empty_and_backwards_ranges() {
        let start = Utc.with_ymd_and_hms(2027, 1, 1, 10, 0, 0).unwrap();
        assert!(Slot::new(start, start).is_err());
        assert!(Slot::new(start, start - chrono::Duration::minutes(1)).is_err());
        assert_eq!(Slot::new(start, start + chrono::Duration::minutes(30)).unwrap().minutes(), 30);
    }

    #[test]
    fn spring_gap_is_refused_with_a_clear_message() {
        let error = resolve_local(london(), local("2027-03-28 01:30")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "01:30 on 28 March 2027 does not exist in Europe/London: the clocks go forward then. \
             Choose a time after the change"
        );
    }

    #[test]
    fn autumn_overlap_takes_the_earlier_instant() {
        let instant = resolve_local(london(), local("2027-10-31 01:30")).unwrap();
        // 01:30 BST is 00:30 UTC; the later 01:30 GMT would be 01:30 UTC.
        assert_eq!(instant.hour(), 0);
        assert_eq!(instant.minute(), 30);
    }

    #[test]
    fn local_days_around_the_changes_are_23_and_25_hours() {
        let spring = local_day(london(), NaiveDate::from_ymd_opt(2027, 3, 28).unwrap());
        let autumn = local_day(london(), NaiveDate::from_ymd_opt(2027, 10, 31).unwrap());
        assert_eq!(spring.minutes(), 23 * 60);
        assert_eq!(autumn.minutes(), 25 * 60);
    }

    #[test]
    fn boundary_in_a_gap_moves_to_the_first_instant_after_it() {
        let instant = resolve_local_boundary(london(), local("2027-03-28 01:15"));
        assert_eq!(instant, Utc.with_ymd_and_hms(2027, 3, 28, 1, 0, 0).unwrap());
    }

    #[test]
    fn unknown_zone_names_the_value() {
        let error = parse_zone("Mars/Olympus").unwrap_err();
        assert!(error.to_string().contains("\"Mars/Olympus\""));
    }

    proptest::proptest! {
        /// However the stored instants come — in order, back and forth, across midnights, or out of range — the
        /// remembered date gives what `from_db` gives.
        #[test]
        fn instants_in_bulk_are_the_instants_one_by_one(
            seconds in proptest::collection::vec(
                proptest::prop_oneof![-200_000i64..200_000, 1_800_000_000i64..1_800_400_000, proptest::num::i64::ANY],
                1..50,
            )
        ) {
            let mut instants = Instants::new();
            for seconds in seconds {
                proptest::prop_assert_eq!(instants.at(seconds), from_db(seconds));
            }
        }
    }
}
