//! Parsing what people type on the command line: dates, times, durations. Local times are in the hub's zone.

use anyhow::{Result, bail};
use booking_core::{StoreError, resolve_local};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;

/// A plain-language input error: the CLI exits with code 2 and prints the message.
pub fn bad_input(message: impl Into<String>) -> anyhow::Error {
    StoreError::Invalid(message.into()).into()
}

/// `YYYY-MM-DD`, `today` or `tomorrow` (in the hub's zone).
pub fn parse_date(text: &str, zone: Tz, now: DateTime<Utc>) -> Result<NaiveDate> {
    let today = now.with_timezone(&zone).date_naive();
    match text.trim().to_lowercase().as_str() {
        "today" => Ok(today),
        "tomorrow" => Ok(today + Duration::days(1)),
        other => NaiveDate::parse_from_str(other, "%Y-%m-%d")
            .map_err(|_| bad_input(format!("\"{text}\" is not a date: write it like 2027-03-30, today or tomorrow"))),
    }
}

/// `HH:MM`.
pub fn parse_time(text: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| bad_input(format!("\"{text}\" is not a time: write it like 09:30 or 14:00")))
}

/// `YYYY-MM-DD HH:MM` (or with a `T`), or `HH:MM` meaning today, as a local wall-clock time.
pub fn parse_local(text: &str, zone: Tz, now: DateTime<Utc>) -> Result<NaiveDateTime> {
    let text = text.trim();
    for format in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(local);
        }
    }
    if let Some((day, time)) = text.split_once(' ')
        && let (Ok(day), Ok(time)) = (parse_date(day, zone, now), parse_time(time))
    {
        return Ok(day.and_time(time));
    }
    if let Ok(time) = parse_time(text) {
        return Ok(now.with_timezone(&zone).date_naive().and_time(time));
    }
    bail!(bad_input(format!("\"{text}\" is not a date and time: write it like \"2027-03-30 10:00\" or \"10:00\"")))
}

/// A local time as an instant, refusing times that do not exist (the hour skipped when clocks go forward).
pub fn parse_instant(text: &str, zone: Tz, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let local = parse_local(text, zone, now)?;
    resolve_local(zone, local).map_err(|gap| bad_input(gap.to_string()))
}

/// `90`, `90m`, `1h`, `1h30m`, `1h30` → minutes.
pub fn parse_minutes(text: &str) -> Result<u32> {
    let cleaned = text.trim().to_lowercase().replace(' ', "");
    let wrong = || bad_input(format!("\"{text}\" is not a length of time: write it like 45m, 1h or 1h30m"));
    let (hours, rest) = match cleaned.split_once('h') {
        Some((hours, rest)) => (hours.parse::<u32>().map_err(|_| wrong())?, rest),
        None => (0, cleaned.as_str()),
    };
    let rest = rest.trim_end_matches("min").trim_end_matches('m');
    let minutes = if rest.is_empty() { 0 } else { rest.parse::<u32>().map_err(|_| wrong())? };
    let total = hours.checked_mul(60).and_then(|h| h.checked_add(minutes)).ok_or_else(wrong)?;
    if total == 0 || total > 24 * 60 {
        return Err(bad_input(format!("\"{text}\" must be between 1 minute and 24 hours")));
    }
    Ok(total)
}

/// A local end: a full date-time, or just `HH:MM` on the start's date.
pub fn parse_end(text: &str, start_local: NaiveDateTime, zone: Tz, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    match parse_time(text) {
        Ok(time) => resolve_local(zone, start_local.date().and_time(time)).map_err(|gap| bad_input(gap.to_string())),
        Err(_) => parse_instant(text, zone, now),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_minutes("90").unwrap(), 90);
        assert_eq!(parse_minutes("1h30m").unwrap(), 90);
        assert_eq!(parse_minutes("2h").unwrap(), 120);
        assert_eq!(parse_minutes("45m").unwrap(), 45);
        assert!(parse_minutes("soon").is_err());
        assert!(parse_minutes("0").is_err());
    }

    #[test]
    fn local_times_in_the_hub_zone() {
        let zone = chrono_tz::Europe::London;
        let now = Utc.with_ymd_and_hms(2027, 7, 1, 8, 0, 0).unwrap();
        assert_eq!(parse_instant("10:00", zone, now).unwrap(), Utc.with_ymd_and_hms(2027, 7, 1, 9, 0, 0).unwrap());
        assert_eq!(
            parse_instant("tomorrow 10:00", zone, now).unwrap(),
            Utc.with_ymd_and_hms(2027, 7, 2, 9, 0, 0).unwrap()
        );
        let gap = parse_instant("2027-03-28 01:30", zone, now).unwrap_err().to_string();
        assert!(gap.contains("does not exist"), "{gap}");
    }
}
