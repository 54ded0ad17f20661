//! What each message says, in the recipient's language: `translations/<language>/LC_MESSAGES/messages.po`. Plain
//! words; a visitor is named, never their contact; every message says how to stop them.

use std::sync::LazyLock;

use booking_core::MessageFacts;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kiosk_runtime::catalogue::Catalogue;
use kiosk_runtime::languages::locale;
use kiosk_runtime::times::{day, hm, range};

static WORDS: LazyLock<Catalogue> = LazyLock::new(|| {
    Catalogue::new(&[
        ("cy", include_str!("../../translations/cy/LC_MESSAGES/messages.po")),
        ("pl", include_str!("../../translations/pl/LC_MESSAGES/messages.po")),
        ("uk", include_str!("../../translations/uk/LC_MESSAGES/messages.po")),
    ])
});

/// A message as words: its subject line and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub body: String,
}

/// `facts` as a letter to `name` in `language`, from the hub called `hub` in time zone `zone`.
pub fn letter(facts: &MessageFacts, name: &str, language: &str, hub: &str, zone: Tz) -> Letter {
    let mut paragraphs = Vec::new();
    let subject = match facts {
        MessageFacts::VisitorArrived { visitor, at, session } => {
            let time = hm(*at, zone);
            paragraphs.push(match session {
                Some(topic) => WORDS.trf(
                    language,
                    "{} checked in at {} at {} for your drop-in session \"{}\", and is waiting at the front door.",
                    &[visitor, &hub, &time, topic],
                ),
                None => WORDS.trf(
                    language,
                    "{} checked in at {} at {} and is waiting for you at the front door.",
                    &[visitor, &hub, &time],
                ),
            });
            WORDS.trf(language, "{} is at the front door", &[visitor])
        }
        MessageFacts::Booked { what, place, start, end, waiting_position, pass, .. } => {
            let (day, times) = when(*start, *end, language, zone);
            let subject = match waiting_position {
                None => {
                    paragraphs.push(WORDS.trf(
                        language,
                        "{} at {} is booked for you on {}, {}.",
                        &[what, place, &day, &times],
                    ));
                    WORDS.trf(language, "Booked: {}, {} at {}", &[what, &day, &hm(*start, zone)])
                }
                Some(position) => {
                    paragraphs.push(WORDS.trf(
                        language,
                        "You are number {} on the waiting list for {} at {} on {}, {}. If a place frees up, it is yours.",
                        &[position, what, place, &day, &times],
                    ));
                    WORDS.trf(language, "Waiting list: {}, {} at {}", &[what, &day, &hm(*start, zone)])
                }
            };
            if pass.is_some() {
                paragraphs.push(
                    WORDS.tr(
                        language,
                        "Show the QR code in this e-mail at the kiosk when you arrive: it checks you in.",
                    ),
                );
            }
            paragraphs.push(WORDS.tr(language, "The invitation attached puts it in your calendar."));
            subject
        }
        MessageFacts::Promoted { what, place, start, end, .. } => {
            let (day, times) = when(*start, *end, language, zone);
            paragraphs.push(WORDS.trf(
                language,
                "Good news: a place has freed up, and it is yours. {} at {} on {}, {} is booked for you.",
                &[what, place, &day, &times],
            ));
            paragraphs.push(WORDS.tr(language, "The update attached shows it as confirmed in your calendar."));
            WORDS.trf(language, "A place is yours: {}, {} at {}", &[what, &day, &hm(*start, zone)])
        }
        MessageFacts::Cancelled { what, place, start, end, reason, .. } => {
            let (day, times) = when(*start, *end, language, zone);
            paragraphs.push(WORDS.trf(language, "{} at {} on {}, {} is cancelled.", &[what, place, &day, &times]));
            if let Some(reason) = reason {
                paragraphs.push(WORDS.trf(language, "The reason given: {}", &[reason]));
            }
            paragraphs.push(WORDS.tr(language, "The update attached takes it out of your calendar."));
            WORDS.trf(language, "Cancelled: {}, {} at {}", &[what, &day, &hm(*start, zone)])
        }
        MessageFacts::Moved { what, place, start, end, .. } => {
            let (day, times) = when(*start, *end, language, zone);
            paragraphs.push(WORDS.trf(
                language,
                "{} at {} has moved. It is now on {}, {}.",
                &[what, place, &day, &times],
            ));
            paragraphs.push(WORDS.tr(language, "The update attached moves it in your calendar."));
            WORDS.trf(language, "Moved: {}, now {} at {}", &[what, &day, &hm(*start, zone)])
        }
        MessageFacts::Released { what, place, start, end, .. } => {
            let (day, times) = when(*start, *end, language, zone);
            paragraphs.push(WORDS.trf(
                language,
                "Nobody checked in for {} at {} on {}, {} within {} minutes of its start, so the room has been freed for others.",
                &[what, place, &day, &times, &booking_core::NO_SHOW_GRACE.num_minutes()],
            ));
            paragraphs.push(WORDS.tr(language, "The update attached takes it out of your calendar."));
            WORDS.trf(language, "Room freed: {}, {} at {}", &[what, &day, &hm(*start, zone)])
        }
        MessageFacts::Reminder { what, place, start, end, pass, .. } => {
            let (day, times) = when(*start, *end, language, zone);
            paragraphs.push(WORDS.trf(
                language,
                "A reminder: {} at {} is booked for you on {}, {}.",
                &[what, place, &day, &times],
            ));
            if *pass {
                paragraphs.push(WORDS.tr(
                    language,
                    "Show the QR code from your booking's e-mail at the kiosk when you arrive: it checks you in.",
                ));
            }
            paragraphs
                .push(WORDS.tr(language, "If you cannot come, please tell the hub, so someone else can have it."));
            WORDS.trf(language, "Reminder: {}, {} at {}", &[what, &day, &hm(*start, zone)])
        }
        MessageFacts::ConfirmSignUp { link } => {
            let within = WORDS.trn(
                language,
                "To finish joining {}, open this link within {n} hour:",
                "To finish joining {}, open this link within {n} hours:",
                booking_core::SIGN_UP_LINK_VALID.num_hours() as u32,
                &[&hub],
            );
            paragraphs.push(format!("{within}\n{link}"));
            paragraphs.push(WORDS.tr(
                language,
                "If you did not ask to join, you need not do anything: without the link, nothing about you is kept.",
            ));
            WORDS.trf(language, "Confirm that you want to join {}", &[&hub])
        }
        MessageFacts::Welcome { .. } => {
            paragraphs.push(WORDS.trf(language, "You are a member of {} now.", &[&hub]));
            paragraphs.push(WORDS.tr(
                language,
                "Your member pass is the QR code in this e-mail: show it at the kiosk by the front door each time you come, and it checks you in. Keep it to yourself, as you would a key.",
            ));
            WORDS.trf(language, "Welcome to {}: your member pass", &[&hub])
        }
    };
    // Someone who has only asked to join has not agreed to anything yet.
    let why = if matches!(facts, MessageFacts::ConfirmSignUp { .. }) {
        WORDS.trf(language, "You get this message because this address was given to join {}.", &[&hub])
    } else {
        WORDS.trf(
            language,
            "You get these messages because you agreed to be contacted by {}. To stop them, ask the staff there to remove your e-mail address.",
            &[&hub],
        )
    };
    let body = format!("{}\n\n{}\n\n-- \n{why}\n", WORDS.trf(language, "Hello {},", &[&name]), paragraphs.join("\n\n"));
    Letter { subject, body }
}

/// The day ("Tuesday 5 January", in `language`) and the times ("14:00–15:30") of something from `start` to `end`.
fn when(start: DateTime<Utc>, end: DateTime<Utc>, language: &str, zone: Tz) -> (String, String) {
    (day(start.with_timezone(&zone).date_naive(), locale(language)), range(start, end, zone))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn arrived(session: Option<&str>) -> MessageFacts {
        let at = chrono::Utc.with_ymd_and_hms(2027, 7, 1, 9, 5, 0).unwrap();
        MessageFacts::VisitorArrived { visitor: "Sam Visitor".into(), at, session: session.map(str::to_owned) }
    }

    #[test]
    fn a_host_hears_who_is_at_the_door_when_in_the_hubs_time_and_how_to_stop() {
        let london = chrono_tz::Europe::London;
        let letter = letter(&arrived(Some("CV help")), "Grace", "en", "Riverside Hub", london);
        assert_eq!(letter.subject, "Sam Visitor is at the front door");
        assert!(letter.body.starts_with("Hello Grace,\n\nSam Visitor checked in at Riverside Hub at 10:05 for your"));
        assert!(
            letter.body.contains("\"CV help\"") && letter.body.contains("contacted by Riverside Hub. To stop them")
        );
    }

    fn booked(waiting_position: Option<u32>, pass: Option<&str>) -> MessageFacts {
        let start = chrono::Utc.with_ymd_and_hms(2027, 1, 5, 14, 0, 0).unwrap();
        MessageFacts::Booked {
            event: "booking-1".into(),
            what: "Sam Visitor's band".into(),
            place: "Studio".into(),
            start,
            end: start + chrono::Duration::minutes(90),
            waiting_position,
            pass: pass.map(str::to_owned),
        }
    }

    #[test]
    fn a_booker_hears_what_where_and_when_and_that_the_qr_checks_them_in() {
        let london = chrono_tz::Europe::London;
        let letter = letter(&booked(None, Some("HKPASS")), "Ada", "en", "Riverside Hub", london);
        assert_eq!(letter.subject, "Booked: Sam Visitor's band, Tuesday 5 January at 14:00");
        assert!(letter.body.contains("Studio is booked for you on Tuesday 5 January, 14:00\u{2060}–\u{2060}15:30."));
        assert!(letter.body.contains("Show the QR code in this e-mail at the kiosk"));
        let waiting = super::letter(&booked(Some(2), None), "Ada", "en", "Riverside Hub", london);
        assert!(waiting.subject.starts_with("Waiting list:") && waiting.body.contains("You are number 2"));
        assert!(!waiting.body.contains("QR code"), "no pass, so no word of one");
    }

    fn cancelled() -> MessageFacts {
        let start = chrono::Utc.with_ymd_and_hms(2027, 1, 5, 14, 0, 0).unwrap();
        MessageFacts::Cancelled {
            event: "seat-1".into(),
            what: "Sam Visitor's CV help".into(),
            place: "Café".into(),
            start,
            end: start + chrono::Duration::minutes(30),
            reason: Some("the host is ill".into()),
            sequence: 2,
        }
    }

    fn promoted() -> MessageFacts {
        let start = chrono::Utc.with_ymd_and_hms(2027, 1, 5, 14, 0, 0).unwrap();
        let end = start + chrono::Duration::minutes(30);
        MessageFacts::Promoted {
            event: "seat-2".into(),
            what: "Sam Visitor's CV help".into(),
            place: "Café".into(),
            start,
            end,
        }
    }

    /// The same Studio booking, moved, freed as a no-show, or coming up (with a pass).
    fn changed(how: &str) -> MessageFacts {
        let start = chrono::Utc.with_ymd_and_hms(2027, 1, 5, 14, 0, 0).unwrap();
        let (event, what, place, end) = (
            "booking-1".to_owned(),
            "Sam Visitor's band".to_owned(),
            "Studio".to_owned(),
            start + chrono::Duration::hours(1),
        );
        match how {
            "moved" => MessageFacts::Moved { event, what, place, start, end, sequence: 1 },
            "released" => MessageFacts::Released { event, what, place, start, end, sequence: 1 },
            _ => MessageFacts::Reminder { event, what, place, start, end, pass: true },
        }
    }

    #[test]
    fn a_move_a_release_and_a_reminder_say_what_happened_and_when() {
        let london = chrono_tz::Europe::London;
        let moved = letter(&changed("moved"), "Ada", "en", "Riverside Hub", london);
        assert_eq!(moved.subject, "Moved: Sam Visitor's band, now Tuesday 5 January at 14:00");
        let released = letter(&changed("released"), "Ada", "en", "Riverside Hub", london);
        assert!(
            released.body.contains("within 15 minutes of its start, so the room has been freed"),
            "{}",
            released.body
        );
        let reminder = letter(&changed("reminder"), "Ada", "en", "Riverside Hub", london);
        assert_eq!(reminder.subject, "Reminder: Sam Visitor's band, Tuesday 5 January at 14:00");
        assert!(reminder.body.contains("Show the QR code from your booking's e-mail"));
    }

    #[test]
    fn a_cancelled_place_says_why() {
        let letter = letter(&cancelled(), "Ada", "en", "Riverside Hub", chrono_tz::Europe::London);
        assert_eq!(letter.subject, "Cancelled: Sam Visitor's CV help, Tuesday 5 January at 14:00");
        assert!(letter.body.contains("Café on Tuesday 5 January, 14:00\u{2060}–\u{2060}14:30 is cancelled."));
        assert!(letter.body.contains("\n\nThe reason given: the host is ill\n\n"), "{}", letter.body);
    }

    #[test]
    fn every_language_has_every_sentence_filled_in() {
        let london = chrono_tz::Europe::London;
        let all = [
            arrived(None),
            arrived(Some("CV help")),
            booked(None, Some("HKPASS")),
            booked(Some(2), None),
            promoted(),
            cancelled(),
            changed("moved"),
            changed("released"),
            changed("reminder"),
            MessageFacts::ConfirmSignUp { link: "http://hub.test/join/confirm?token=abc".into() },
            MessageFacts::Welcome { pass: "HKPASS".into() },
        ];
        for facts in all {
            let english = letter(&facts, "Grace", "en", "Riverside Hub", london);
            for language in ["cy", "pl", "uk"] {
                let words = letter(&facts, "Grace", language, "Riverside Hub", london);
                for (theirs, ours) in [(&words.subject, &english.subject), (&words.body, &english.body)] {
                    assert_ne!(theirs, ours, "{language} lacks a translation");
                    assert!(!theirs.contains("{}"), "{language}: {theirs}");
                    assert!(theirs.contains("Sam Visitor") || !ours.contains("Sam Visitor"), "{language}: {theirs}");
                    assert!(!theirs.contains("Tuesday"), "{language}: the day in English: {theirs}");
                }
                // Sentences, not the link a sign-up carries.
                for sentence in english.body.lines().filter(|line| line.len() > 20 && !line.starts_with("http")) {
                    assert!(!words.body.contains(sentence), "{language} left {sentence:?} in English");
                }
            }
        }
    }

    /// Each wording is one string literal here, so the source shows every one in use.
    #[test]
    fn every_language_has_exactly_the_wordings_in_use() {
        let source = include_str!("words.rs");
        let code = &source[..source.find("#[cfg(test)]").unwrap()];
        for language in ["cy", "pl", "uk"] {
            for id in WORDS.ids(language) {
                let literal = format!("{id:?}");
                assert!(code.contains(&literal), "{language}/messages.po has a wording nobody uses: {id}");
            }
        }
    }
}
