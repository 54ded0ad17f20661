//! The one catalogue of refusal wordings — what the touchscreen, the web pages, the JSON API and the command line
//! say when a rule says no — translated in `translations/<language>/LC_MESSAGES/refusals.po`. booking-core gives
//! each refusal its stable code and its facts; this gives it words, in the language of whoever is reading.

use std::sync::LazyLock;

use booking_core::{
    BookingRefusal, EraseRefusal, EventRefusal, PassRefusal, Refused, RoomCheckInRefusal, RowRefusal,
    SIGN_UP_LINK_VALID, SeatRefusal, SignUpRefusal, UnconferenceRefusal,
};

use crate::catalogue::Catalogue;
use crate::languages::locale;
use crate::times::{self, span};

const HM: &str = "%H:%M";

static WORDS: LazyLock<Catalogue> = LazyLock::new(|| {
    Catalogue::new(&[
        ("cy", include_str!("../../translations/cy/LC_MESSAGES/refusals.po")),
        ("pl", include_str!("../../translations/pl/LC_MESSAGES/refusals.po")),
        ("uk", include_str!("../../translations/uk/LC_MESSAGES/refusals.po")),
    ])
});

/// A refusal's plain-language reason.
pub trait Reason {
    /// The reason in `language` (a code from [`crate::languages::LANGUAGES`]; any other is English).
    fn reason(&self, language: &str) -> String;
}

impl Reason for SeatRefusal {
    fn reason(&self, language: &str) -> String {
        WORDS.tr(
            language,
            match self {
                SeatRefusal::Full => "This time is full. Please choose another time.",
                SeatRefusal::AlreadyBooked => "You already have a place at this time.",
                SeatRefusal::SurgeryCancelled => "This session has been cancelled. Please ask at the desk.",
                SeatRefusal::SlotOver => PASSED,
            },
        )
    }
}

impl Reason for PassRefusal {
    fn reason(&self, language: &str) -> String {
        if let PassRefusal::OtherSite { site } = self {
            return WORDS.trf(language, "This pass is for {}, not this hub. Please ask at the desk.", &[site]);
        }
        WORDS.tr(
            language,
            match self {
                PassRefusal::Malformed => "This code is not a pass for this hub. Please try again, or ask at the desk.",
                PassRefusal::BadSignature => {
                    "This pass was not made here, or it has been changed. Please ask at the desk."
                }
                PassRefusal::Expired { .. } => "This pass has run out. Please ask at the desk for a new one.",
                PassRefusal::Revoked => "This pass has been cancelled. Please ask at the desk.",
                PassRefusal::Unknown | PassRefusal::OtherSite { .. } => {
                    "We have no record of this pass. Please ask at the desk."
                }
            },
        )
    }
}

impl Reason for BookingRefusal {
    fn reason(&self, language: &str) -> String {
        match self {
            BookingRefusal::Conflict { start, end, buffer_minutes: 0, .. } => WORDS.trf(
                language,
                "That time is already booked ({}). Please choose another time.",
                &[&span(start.format(HM), end.format(HM))],
            ),
            BookingRefusal::Conflict { start, end, buffer_minutes, .. } => WORDS.trf(
                language,
                "That time is too close to another booking ({}): the room needs {} free between bookings for tidying up. Please choose another time.",
                &[&span(start.format(HM), end.format(HM)), &duration(language, *buffer_minutes)],
            ),
            BookingRefusal::Closed { date, reason } => WORDS.trf(
                language,
                "The hub is closed that day ({}: {}). Please choose another day.",
                &[&times::day(*date, locale(language)), reason],
            ),
            BookingRefusal::OutsideHours { opens, closes } => WORDS.trf(
                language,
                "The hub is open {} that day. Please choose a time within those hours.",
                &[&span(opens.format(HM), closes.format(HM))],
            ),
            BookingRefusal::NotBookable { .. } => {
                WORDS.tr(language, "This room cannot be booked here. Please ask at the desk.")
            }
            BookingRefusal::TooShort { min_minutes, .. } => WORDS.trf(
                language,
                "This room can be booked for {} or longer.",
                &[&duration(language, *min_minutes)],
            ),
            BookingRefusal::TooLong { max_minutes, .. } => WORDS.trf(
                language,
                "This room can be booked for {} at most.",
                &[&duration(language, *max_minutes)],
            ),
            BookingRefusal::TooFarAhead { advance_days, .. } => WORDS.trn(
                language,
                "This room can be booked up to {n} day ahead. Please choose an earlier date.",
                "This room can be booked up to {n} days ahead. Please choose an earlier date.",
                *advance_days,
                &[],
            ),
            BookingRefusal::InPast => WORDS.tr(language, PASSED),
            BookingRefusal::NonexistentTime { date, .. } => WORDS.trf(
                language,
                "That time does not exist that day ({}), because the clocks change. Please choose another time.",
                &[&times::day(*date, locale(language))],
            ),
            BookingRefusal::CalendarBusy { start, end, .. } => WORDS.trf(
                language,
                "The room's calendar shows it in use then ({}). Please choose another time.",
                &[&span(start.format(HM), end.format(HM))],
            ),
        }
    }
}

impl Reason for EraseRefusal {
    fn reason(&self, language: &str) -> String {
        match self {
            EraseRefusal::OnSite { name } => {
                WORDS.trf(language, "{} is checked in now. Check them out first, then erase their data.", &[name])
            }
            EraseRefusal::HostsSurgeries { name, upcoming } => WORDS.trn(
                language,
                "{} hosts {n} drop-in session still to come. Cancel it or give it to another host first.",
                "{} hosts {n} drop-in sessions still to come. Cancel them or give them to another host first.",
                *upcoming,
                &[name],
            ),
            EraseRefusal::AlreadyErased => WORDS.tr(language, "This person's data has already been erased."),
        }
    }
}

impl Reason for RoomCheckInRefusal {
    fn reason(&self, language: &str) -> String {
        match self {
            RoomCheckInRefusal::NothingBooked => WORDS.tr(
                language,
                "This pass has no booking in this room now. Please check the room and the time of your booking.",
            ),
        }
    }
}

impl Reason for UnconferenceRefusal {
    fn reason(&self, language: &str) -> String {
        match self {
            UnconferenceRefusal::AlreadyVoted => WORDS.tr(language, "You have already voted for this session."),
            UnconferenceRefusal::Over => WORDS.tr(language, "This unconference day has already ended."),
            UnconferenceRefusal::CellTaken { title } => WORDS.trf(
                language,
                "“{}” is already in that room at that time. Choose another place on the grid.",
                &[title],
            ),
            UnconferenceRefusal::ProposerBusy { title } => {
                WORDS.trf(language, "Whoever proposed it runs “{}” at that time. Choose another time.", &[title])
            }
            UnconferenceRefusal::RoomTooSmall { room, capacity, votes } => WORDS.trf(
                language,
                "{} holds {} people, and {} want to come. Choose a bigger room.",
                &[room, capacity, votes],
            ),
            UnconferenceRefusal::Merged { into } => {
                WORDS.trf(language, "This session has joined “{}”. Vote for that one instead.", &[into])
            }
        }
    }
}

impl Reason for RowRefusal {
    fn reason(&self, language: &str) -> String {
        match self {
            RowRefusal::NoName => WORDS.tr(language, "This row has no name."),
            RowRefusal::NameTooLong { chars } => {
                WORDS.trf(language, "The name has {} letters; the most the hub keeps is 80.", &[chars])
            }
            RowRefusal::ContactTooLong { chars } => {
                WORDS.trf(language, "The contact has {} letters; the most the hub keeps is 120.", &[chars])
            }
            RowRefusal::Unreadable => {
                WORDS.tr(language, "This row has invisible control characters: export the spreadsheet again.")
            }
            RowRefusal::UnknownRole { role } => WORDS.trf(
                language,
                "“{}” is not a role here: write member, visitor or host, or leave it empty.",
                &[role],
            ),
            RowRefusal::Staff => WORDS.tr(language, "Staff need a PIN: add them one at a time with “kiosk staff add”."),
            RowRefusal::IsStaff => WORDS.tr(language, "This is a staff member: a spreadsheet does not change staff."),
        }
    }
}

impl Reason for EventRefusal {
    fn reason(&self, language: &str) -> String {
        WORDS.tr(
            language,
            match self {
                EventRefusal::Full => "Every place at this event is taken. You can join its waiting list.",
                EventRefusal::AlreadyRegistered => "You already have a place at this event.",
                EventRefusal::Cancelled => "This event has been called off. Please ask at the desk.",
                EventRefusal::Over => "This event has already ended.",
            },
        )
    }
}

impl Reason for SignUpRefusal {
    fn reason(&self, language: &str) -> String {
        match self {
            SignUpRefusal::Closed => WORDS.tr(
                language,
                "Joining on the web is closed just now. Please ask at the desk: staff can make you a member there.",
            ),
            SignUpRefusal::AlreadyMember => WORDS.tr(
                language,
                "There is already a member with this e-mail address. If you have lost your pass, please ask at the desk.",
            ),
            SignUpRefusal::UnknownLink => WORDS.tr(
                language,
                "This link does not work: a newer one may have replaced it. Please use the newest e-mail, or ask to join again.",
            ),
            SignUpRefusal::ExpiredLink => WORDS.trn(
                language,
                "This link has run out: links work for {n} hour. Please ask to join again.",
                "This link has run out: links work for {n} hours. Please ask to join again.",
                SIGN_UP_LINK_VALID.num_hours() as u32,
                &[],
            ),
            SignUpRefusal::AlreadyConfirmed => WORDS.tr(
                language,
                "You are a member already: your pass was sent to your e-mail. If you have lost it, please ask at the desk.",
            ),
        }
    }
}

impl<R: Reason> Reason for Refused<R> {
    fn reason(&self, language: &str) -> String {
        match self {
            Refused::Pass(refusal) => refusal.reason(language),
            Refused::Rule(refusal) => refusal.reason(language),
        }
    }
}

/// A booking and a drop-in place both refuse a time that is over, in the same words.
const PASSED: &str = "This time has already passed. Please choose a later time.";

/// "1 hour and 30 minutes", by `language`'s plural rules.
pub fn duration(language: &str, minutes: u32) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    let hours_words = WORDS.trn(language, "{n} hour", "{n} hours", hours, &[]);
    let minutes_words = WORDS.trn(language, "{n} minute", "{n} minutes", rest, &[]);
    match (hours, rest) {
        (0, _) => minutes_words,
        (_, 0) => hours_words,
        _ => WORDS.trf(language, "{} and {}", &[&hours_words, &minutes_words]),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};

    use super::*;
    use crate::languages::LANGUAGES;

    /// One of each refusal, with the facts a person would see.
    fn every_refusal() -> Vec<Box<dyn Reason>> {
        let time = |hour| NaiveTime::from_hms_opt(hour, 0, 0).unwrap();
        let date = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        let at = Utc.with_ymd_and_hms(2027, 1, 5, 10, 0, 0).unwrap().with_timezone(&chrono_tz::Europe::London);
        let room = || "Studio".to_owned();
        let conflict = |buffer_minutes| BookingRefusal::Conflict {
            with: booking_core::BookingId(1),
            room: room(),
            start: at,
            end: at + chrono::Duration::minutes(90),
            buffer_minutes,
        };
        vec![
            Box::new(SeatRefusal::Full),
            Box::new(SeatRefusal::AlreadyBooked),
            Box::new(SeatRefusal::SurgeryCancelled),
            Box::new(SeatRefusal::SlotOver),
            Box::new(PassRefusal::Malformed),
            Box::new(PassRefusal::BadSignature),
            Box::new(PassRefusal::Expired { at: at.to_utc() }),
            Box::new(PassRefusal::Revoked),
            Box::new(PassRefusal::Unknown),
            Box::new(PassRefusal::OtherSite { site: "Cardiff Bay Hub".into() }),
            Box::new(conflict(0)),
            Box::new(conflict(15)),
            Box::new(BookingRefusal::Closed { date, reason: "Holiday".into() }),
            Box::new(BookingRefusal::OutsideHours { opens: time(9), closes: time(17) }),
            Box::new(BookingRefusal::NotBookable { room: room() }),
            Box::new(BookingRefusal::TooShort { room: room(), min_minutes: 30 }),
            Box::new(BookingRefusal::TooLong { room: room(), max_minutes: 150 }),
            Box::new(BookingRefusal::TooFarAhead { room: room(), advance_days: 1 }),
            Box::new(BookingRefusal::TooFarAhead { room: room(), advance_days: 90 }),
            Box::new(BookingRefusal::InPast),
            Box::new(BookingRefusal::NonexistentTime { date, detail: "the clocks go forward".into() }),
            Box::new(BookingRefusal::CalendarBusy { room: room(), start: at, end: at + chrono::Duration::hours(1) }),
            Box::new(EraseRefusal::OnSite { name: "Ada".into() }),
            Box::new(EraseRefusal::HostsSurgeries { name: "Ada".into(), upcoming: 1 }),
            Box::new(EraseRefusal::HostsSurgeries { name: "Ada".into(), upcoming: 2 }),
            Box::new(EraseRefusal::AlreadyErased),
            Box::new(RoomCheckInRefusal::NothingBooked),
            Box::new(SignUpRefusal::Closed),
            Box::new(EventRefusal::Full),
            Box::new(EventRefusal::AlreadyRegistered),
            Box::new(EventRefusal::Cancelled),
            Box::new(EventRefusal::Over),
            Box::new(UnconferenceRefusal::AlreadyVoted),
            Box::new(UnconferenceRefusal::Over),
            Box::new(UnconferenceRefusal::CellTaken { title: "Mesh networks".into() }),
            Box::new(UnconferenceRefusal::ProposerBusy { title: "Mesh networks".into() }),
            Box::new(UnconferenceRefusal::RoomTooSmall { room: room(), capacity: 6, votes: 8 }),
            Box::new(UnconferenceRefusal::Merged { into: "Mesh networks".into() }),
            Box::new(SignUpRefusal::AlreadyMember),
            Box::new(SignUpRefusal::UnknownLink),
            Box::new(SignUpRefusal::ExpiredLink),
            Box::new(SignUpRefusal::AlreadyConfirmed),
            Box::new(Refused::<SeatRefusal>::Pass(PassRefusal::Revoked)),
            Box::new(RowRefusal::NoName),
            Box::new(RowRefusal::NameTooLong { chars: 93 }),
            Box::new(RowRefusal::ContactTooLong { chars: 130 }),
            Box::new(RowRefusal::Unreadable),
            Box::new(RowRefusal::UnknownRole { role: "boss".into() }),
            Box::new(RowRefusal::Staff),
            Box::new(RowRefusal::IsStaff),
        ]
    }

    #[test]
    fn every_refusal_is_worded_in_every_language_with_its_facts_filled_in() {
        for refusal in every_refusal() {
            let english = refusal.reason("en");
            for language in LANGUAGES.iter().copied().filter(|&code| code != "en") {
                let words = refusal.reason(language);
                assert_ne!(words, english, "refusals.po for {language} lacks: {english}");
                assert!(!words.contains("{}") && !words.contains("{n}"), "{language}: a gap left in {words:?}");
            }
        }
    }

    #[test]
    fn the_english_reads_as_a_person_would_say_it() {
        let reasons: Vec<String> = every_refusal().iter().map(|refusal| refusal.reason("en")).collect();
        assert!(reasons.contains(
            &"That time is already booked (10:00\u{2060}–\u{2060}11:30). Please choose another time.".to_owned()
        ));
        assert!(reasons.contains(&"This room can be booked for 2 hours and 30 minutes at most.".to_owned()));
        assert!(
            reasons.contains(&"This room can be booked up to 1 day ahead. Please choose an earlier date.".to_owned())
        );
        assert!(reasons.contains(
            &"The hub is closed that day (Tuesday 5 January: Holiday). Please choose another day.".to_owned()
        ));
        assert!(reasons.iter().all(|reason| reason.ends_with('.')));
    }

    #[test]
    fn durations_and_days_follow_the_language() {
        assert_eq!(duration("en", 60), "1 hour");
        assert_eq!(duration("pl", 150), "2 godziny i 30 minut");
        assert_eq!(duration("uk", 45), "45 хвилин");
        assert_eq!(times::day(NaiveDate::from_ymd_opt(2027, 1, 5).unwrap(), locale("cy")), "Mawrth 5 Ionawr");
    }

    /// Each wording is one string literal here (never split over lines), so the source shows every one in use.
    #[test]
    fn every_language_has_exactly_the_wordings_in_use() {
        let source = include_str!("refusals.rs");
        let code = &source[..source.find("#[cfg(test)]").unwrap()];
        for language in LANGUAGES.iter().filter(|&&code| code != "en") {
            for id in WORDS.ids(language) {
                assert!(code.contains(&format!("\"{id}\"")), "{language}/refusals.po has a wording nobody uses: {id}");
            }
        }
    }
}
