//! Recurring rules, expanded to local calendar dates. Times are attached later, in the site's zone, so that
//! "Tuesdays 10:00" stays 10:00 on the wall clock across daylight-saving changes.

use std::fmt;

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};
use serde::Serialize;

use crate::error::{Result, StoreError};

/// Which weekday of the month a monthly rule picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Nth {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

impl Nth {
    /// The `Nth` that `date` is within its month ("the 2nd Tuesday"); a 5th occurrence counts as `Last`.
    pub fn of(date: NaiveDate) -> Nth {
        match (date.day() - 1) / 7 {
            0 => Nth::First,
            1 => Nth::Second,
            2 => Nth::Third,
            3 => Nth::Fourth,
            _ => Nth::Last,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Nth::First => "first",
            Nth::Second => "second",
            Nth::Third => "third",
            Nth::Fourth => "fourth",
            Nth::Last => "last",
        }
    }
}

/// How a series repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Repeat {
    /// Every `every_weeks` weeks on the weekday of the first date.
    Weekly { every_weeks: u32 },
    /// Once a month on the `nth` weekday that the first date falls on ("the last Friday").
    MonthlyByWeekday { nth: Nth },
}

impl fmt::Display for Repeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repeat::Weekly { every_weeks: 1 } => write!(f, "every week"),
            Repeat::Weekly { every_weeks } => write!(f, "every {every_weeks} weeks"),
            Repeat::MonthlyByWeekday { nth } => write!(f, "on the {} of each month", nth.word()),
        }
    }
}

impl Repeat {
    /// How the rule is stored: `weekly:2`, `monthly:last`.
    pub(crate) fn code(self) -> String {
        match self {
            Repeat::Weekly { every_weeks } => format!("weekly:{every_weeks}"),
            Repeat::MonthlyByWeekday { nth } => format!("monthly:{}", nth.word()),
        }
    }

    pub(crate) fn from_code(code: &str) -> Option<Repeat> {
        match code.split_once(':')? {
            ("weekly", weeks) => Some(Repeat::Weekly { every_weeks: weeks.parse().ok()? }),
            ("monthly", word) => {
                let nth = [Nth::First, Nth::Second, Nth::Third, Nth::Fourth, Nth::Last]
                    .into_iter()
                    .find(|nth| nth.word() == word)?;
                Some(Repeat::MonthlyByWeekday { nth })
            }
            _ => None,
        }
    }
}

/// The longest a series may run, so a typo in a year cannot fill the calendar.
pub const MAX_OCCURRENCES: usize = 260;

/// The local dates of a series from `first` to `until` inclusive.
pub fn occurrence_dates(first: NaiveDate, repeat: Repeat, until: NaiveDate) -> Result<Vec<NaiveDate>> {
    if until < first {
        return Err(StoreError::invalid(format!("the series ends ({until}) before it starts ({first})")));
    }
    let mut dates = Vec::new();
    match repeat {
        Repeat::Weekly { every_weeks } => {
            if !(1..=52).contains(&every_weeks) {
                return Err(StoreError::invalid(format!("repeat every 1 to 52 weeks, not {every_weeks}")));
            }
            let mut date = first;
            while date <= until {
                dates.push(date);
                date += Duration::weeks(i64::from(every_weeks));
                check_count(dates.len())?;
            }
        }
        Repeat::MonthlyByWeekday { nth } => {
            let weekday = first.weekday();
            let mut month_start = first.with_day(1).unwrap_or(first);
            while month_start <= until {
                if let Some(date) = nth_weekday(month_start, weekday, nth)
                    && date >= first
                    && date <= until
                {
                    dates.push(date);
                    check_count(dates.len())?;
                }
                month_start = match month_start.checked_add_months(Months::new(1)) {
                    Some(next) => next,
                    None => break,
                };
            }
        }
    }
    Ok(dates)
}

fn check_count(count: usize) -> Result<()> {
    if count > MAX_OCCURRENCES {
        return Err(StoreError::invalid(format!(
            "a series can have at most {MAX_OCCURRENCES} bookings; choose an earlier end date"
        )));
    }
    Ok(())
}

fn last_day_of_month(date: NaiveDate) -> NaiveDate {
    let first = date.with_day(1).unwrap_or(date);
    first.checked_add_months(Months::new(1)).map_or(date, |next| next - Duration::days(1))
}

/// The `nth` `weekday` of the month starting at `month_start`, if that month has one.
fn nth_weekday(month_start: NaiveDate, weekday: Weekday, nth: Nth) -> Option<NaiveDate> {
    let index = match nth {
        Nth::First => 1,
        Nth::Second => 2,
        Nth::Third => 3,
        Nth::Fourth => 4,
        Nth::Last => {
            let last = last_day_of_month(month_start);
            let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
            return Some(last - Duration::days(i64::from(back)));
        }
    };
    NaiveDate::from_weekday_of_month_opt(month_start.year(), month_start.month(), weekday, index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn fortnightly_dates_step_two_weeks() {
        let dates =
            occurrence_dates(date("2027-03-02"), Repeat::Weekly { every_weeks: 2 }, date("2027-04-13")).unwrap();
        assert_eq!(dates, vec![date("2027-03-02"), date("2027-03-16"), date("2027-03-30"), date("2027-04-13")]);
    }

    #[test]
    fn monthly_last_friday_and_second_tuesday() {
        let last =
            occurrence_dates(date("2027-01-29"), Repeat::MonthlyByWeekday { nth: Nth::Last }, date("2027-04-30"));
        assert_eq!(last.unwrap(), vec![date("2027-01-29"), date("2027-02-26"), date("2027-03-26"), date("2027-04-30")]);
        let second =
            occurrence_dates(date("2027-01-12"), Repeat::MonthlyByWeekday { nth: Nth::Second }, date("2027-03-31"));
        assert_eq!(second.unwrap(), vec![date("2027-01-12"), date("2027-02-09"), date("2027-03-09")]);
    }

    #[test]
    fn stored_codes_read_back() {
        for repeat in [
            Repeat::Weekly { every_weeks: 1 },
            Repeat::Weekly { every_weeks: 3 },
            Repeat::MonthlyByWeekday { nth: Nth::Second },
            Repeat::MonthlyByWeekday { nth: Nth::Last },
        ] {
            assert_eq!(Repeat::from_code(&repeat.code()), Some(repeat));
        }
        assert_eq!(Repeat::from_code("daily:1"), None);
    }

    #[test]
    fn nth_of_a_date() {
        assert_eq!(Nth::of(date("2027-01-12")), Nth::Second);
        assert_eq!(Nth::of(date("2027-01-29")), Nth::Last);
        assert_eq!(Nth::of(date("2027-02-22")), Nth::Fourth);
    }

    #[test]
    fn runaway_series_are_refused() {
        let error = occurrence_dates(date("2027-01-01"), Repeat::Weekly { every_weeks: 1 }, date("2037-01-01"));
        assert!(error.unwrap_err().to_string().contains("at most 260"));
        assert!(occurrence_dates(date("2027-01-02"), Repeat::Weekly { every_weeks: 1 }, date("2027-01-01")).is_err());
    }
}
