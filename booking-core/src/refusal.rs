//! What every refusal has: a stable code for scripts and the API. Its words are not here: the front ends share one
//! translated catalogue of them (`kiosk-runtime`'s `refusals`), which words each refusal from its facts in the
//! reader's language. A refusal is an `Ok` value, never an error (see `error.rs`).

/// A rule's "no", as every front end reports it.
pub trait Refusal {
    /// A stable snake_case word ("full", "conflict") that never changes with the wording.
    fn code(&self) -> &'static str;
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};

    use super::*;
    use crate::{BookingRefusal, EraseRefusal, PassRefusal, SeatRefusal};

    #[test]
    fn every_refusal_has_its_own_code() {
        let time = |hour| NaiveTime::from_hms_opt(hour, 0, 0).unwrap();
        let date = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        let at = Utc.with_ymd_and_hms(2027, 1, 5, 10, 0, 0).unwrap().with_timezone(&chrono_tz::Europe::London);
        let room = || "Studio".to_owned();
        let refusals: Vec<Box<dyn Refusal>> = vec![
            Box::new(SeatRefusal::Full),
            Box::new(SeatRefusal::AlreadyBooked),
            Box::new(SeatRefusal::SurgeryCancelled),
            Box::new(SeatRefusal::SlotOver),
            Box::new(PassRefusal::Malformed),
            Box::new(PassRefusal::BadSignature),
            Box::new(PassRefusal::Expired { at: at.to_utc() }),
            Box::new(PassRefusal::Revoked),
            Box::new(PassRefusal::Unknown),
            Box::new(BookingRefusal::Conflict {
                with: crate::BookingId(1),
                room: room(),
                start: at,
                end: at,
                buffer_minutes: 0,
            }),
            Box::new(BookingRefusal::Closed { date, reason: "Holiday".into() }),
            Box::new(BookingRefusal::OutsideHours { opens: time(9), closes: time(17) }),
            Box::new(BookingRefusal::NotBookable { room: room() }),
            Box::new(BookingRefusal::TooShort { room: room(), min_minutes: 30 }),
            Box::new(BookingRefusal::TooLong { room: room(), max_minutes: 60 }),
            Box::new(BookingRefusal::TooFarAhead { room: room(), advance_days: 90 }),
            Box::new(BookingRefusal::InPast),
            Box::new(BookingRefusal::NonexistentTime { date, detail: "the clocks go forward".into() }),
            Box::new(EraseRefusal::OnSite { name: "Ada".into() }),
            Box::new(EraseRefusal::HostsSurgeries { name: "Ada".into(), upcoming: 2 }),
            Box::new(EraseRefusal::AlreadyErased),
        ];
        let mut codes: Vec<&str> = refusals.iter().map(|refusal| refusal.code()).collect();
        for code in &codes {
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{code}");
        }
        codes.sort();
        let count = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), count, "two refusals share a code: {codes:?}");
    }
}
