//! Clock times as every front end writes them: in the hub's own zone, on the 24-hour clock.

use std::fmt::Display;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// "14:30" in `zone`.
pub fn hm(instant: DateTime<Utc>, zone: Tz) -> String {
    instant.with_timezone(&zone).format("%H:%M").to_string()
}

/// "Tuesday 5 January" in `locale`: how every front end names a day.
pub fn day(date: NaiveDate, locale: chrono::Locale) -> String {
    date.format_localized("%A %-d %B", locale).to_string()
}

/// "10:00–11:30" in `zone`, never broken over two lines (see [`span`]).
pub fn range(start: DateTime<Utc>, end: DateTime<Utc>, zone: Tz) -> String {
    span(hm(start, zone), hm(end, zone))
}

/// "10:00–11:30" from two clock times, with word joiners either side of the dash so it never breaks over lines.
pub fn span(start: impl Display, end: impl Display) -> String {
    format!("{start}\u{2060}–\u{2060}{end}")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn times_are_the_hubs_own_across_the_clock_change() {
        let london = chrono_tz::Europe::London;
        let summer = Utc.with_ymd_and_hms(2027, 7, 1, 9, 0, 0).unwrap();
        let winter = Utc.with_ymd_and_hms(2027, 1, 5, 9, 0, 0).unwrap();
        assert_eq!((hm(summer, london), hm(winter, london)), ("10:00".into(), "09:00".into()));
        assert_eq!(range(winter, winter + chrono::Duration::minutes(90), london), "09:00\u{2060}–\u{2060}10:30");
    }
}
