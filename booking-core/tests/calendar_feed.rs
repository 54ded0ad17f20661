//! The .ics feeds read back by parsers we did not write (`ical` for the file, `rrule` to expand series) must give
//! exactly the times the kiosk holds, in winter and in summer, through both daylight-saving changes.

use std::collections::BTreeSet;

use booking_core::{
    BookingOutcome, BookingRequest, CancelOutcome, Feed, NewPerson, NewRoom, NewSite, NewSurgery, Nth, Repeat, Role,
    SeriesOutcome, SeriesRequest, Slot, Store,
};
use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use ical::parser::ical::component::{IcalCalendar, IcalEvent};
use ical::property::Property;

const LONDON: Tz = chrono_tz::Europe::London;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap()
}

fn local(date: &str, time: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M").unwrap();
    LONDON.from_local_datetime(&naive).single().unwrap().with_timezone(&Utc)
}

fn series(
    store: &mut Store,
    room: booking_core::RoomId,
    first: &str,
    until: &str,
    at: &str,
    repeat: Repeat,
) -> Vec<booking_core::Booking> {
    let request = SeriesRequest {
        room,
        first_date: first.parse().unwrap(),
        start_time: NaiveTime::parse_from_str(at, "%H:%M").unwrap(),
        minutes: 90,
        repeat,
        until: until.parse().unwrap(),
        title: "Code club; beginners, welcome".into(),
        booked_by: None,
        booked_for: None,
        public: false,
    };
    let SeriesOutcome::Booked { bookings, .. } = store.book_series(&request, now()).unwrap() else { panic!() };
    bookings
}

/// A hub with series through both changes, an exception of each kind, single bookings and a surgery.
fn hub() -> (Store, booking_core::RoomId) {
    let mut store = Store::open_in_memory().unwrap();
    let site = NewSite {
        name: "Riverside Hub".into(),
        time_zone: "Europe/London".into(),
        safe_capacity: 60,
        retention_days: 30,
    };
    store.init_site(&site).unwrap();
    let room = store.add_room(&NewRoom { advance_days: 730, ..NewRoom::named("Studio", 8) }).unwrap().id;
    let other = store.add_room(&NewRoom { advance_days: 730, ..NewRoom::named("Kitchen", 8) }).unwrap().id;

    // Tuesdays through the spring change (28 March): cancel one, move another into the afternoon.
    let spring = series(&mut store, room, "2027-03-16", "2027-04-13", "10:00", Repeat::Weekly { every_weeks: 1 });
    assert!(matches!(store.cancel_booking(spring[2].id, None, now()).unwrap(), CancelOutcome::Cancelled(_)));
    let moved = Slot::new(local("2027-04-06", "14:00"), local("2027-04-06", "15:00")).unwrap();
    assert!(matches!(store.move_booking(spring[3].id, moved, now()).unwrap(), BookingOutcome::Booked(_)));
    // Fortnightly Fridays through the autumn change (31 October), and the last Friday of each month.
    series(&mut store, room, "2027-10-15", "2027-11-26", "16:30", Repeat::Weekly { every_weeks: 2 });
    series(&mut store, room, "2027-01-29", "2027-06-30", "09:30", Repeat::MonthlyByWeekday { nth: Nth::Last });
    for (start, end) in [
        (local("2027-01-05", "10:00"), local("2027-01-05", "11:00")),
        (local("2027-07-06", "10:00"), local("2027-07-06", "12:15")),
    ] {
        let request = BookingRequest {
            room,
            slot: Slot::new(start, end).unwrap(),
            title: "Repair café".into(),
            booked_by: None,
            booked_for: None,
            public: false,
        };
        assert!(matches!(store.book(&request, now()).unwrap(), BookingOutcome::Booked(_)));
    }
    let request = BookingRequest {
        room: other,
        slot: Slot::new(local("2027-07-07", "10:00"), local("2027-07-07", "11:00")).unwrap(),
        title: "Elsewhere".into(),
        booked_by: None,
        booked_for: None,
        public: false,
    };
    assert!(matches!(store.book(&request, now()).unwrap(), BookingOutcome::Booked(_)));

    let host = store
        .add_person(
            &NewPerson { display_name: "Grace".into(), contact: None, role: Role::Host, rules_version: None },
            now(),
        )
        .unwrap();
    let surgery = NewSurgery {
        topic: "Benefits advice".into(),
        host: host.id,
        place: "Kitchen".into(),
        time: Slot::new(local("2027-07-08", "13:00"), local("2027-07-08", "15:00")).unwrap(),
        slot_minutes: 20,
        seats_per_slot: 1,
    };
    store.add_surgery(&surgery, now()).unwrap();
    (store, room)
}

fn parse(text: &str) -> IcalCalendar {
    let mut parser = ical::IcalParser::new(text.as_bytes());
    let calendar = parser.next().expect("one calendar").expect("parses");
    assert!(parser.next().is_none());
    calendar
}

fn property<'a>(event: &'a IcalEvent, name: &str) -> Option<&'a Property> {
    event.properties.iter().find(|property| property.name == name)
}

fn value<'a>(event: &'a IcalEvent, name: &str) -> Option<&'a str> {
    property(event, name).and_then(|property| property.value.as_deref())
}

/// The instant a DTSTART-like property names, read through the file's own VTIMEZONE (as Outlook does) and checked
/// against the time-zone database (as Google does).
fn instant(calendar: &IcalCalendar, property: &Property) -> DateTime<Utc> {
    let text = property.value.as_deref().unwrap();
    if let Some(utc) = text.strip_suffix('Z') {
        return NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").unwrap().and_utc();
    }
    let tzid = &property.params.as_ref().unwrap().iter().find(|(name, _)| name == "TZID").unwrap().1[0];
    assert_eq!(tzid, "Europe/London");
    let wall = NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").unwrap();
    // The observance in force: the latest one that started at or before this wall time.
    let zone = &calendar.timezones[0];
    let offset = zone
        .transitions
        .iter()
        .filter_map(|observance| {
            let get = |name: &str| {
                observance.properties.iter().find(|p| p.name == name).and_then(|p| p.value.clone()).unwrap()
            };
            let start = NaiveDateTime::parse_from_str(&get("DTSTART"), "%Y%m%dT%H%M%S").unwrap();
            let to = get("TZOFFSETTO");
            let seconds = (if to.starts_with('-') { -1 } else { 1 })
                * (to[1..3].parse::<i64>().unwrap() * 3600 + to[3..5].parse::<i64>().unwrap() * 60);
            (start <= wall).then_some((start, seconds))
        })
        .max()
        .expect("an observance covers the time")
        .1;
    let by_vtimezone = (wall - Duration::seconds(offset)).and_utc();
    let by_database = LONDON.from_local_datetime(&wall).earliest().unwrap().with_timezone(&Utc);
    assert_eq!(by_vtimezone, by_database, "VTIMEZONE and tz database disagree at {wall}");
    by_vtimezone
}

/// (start, end, summary) of every occurrence the feed describes.
fn occurrences(calendar: &IcalCalendar) -> BTreeSet<(DateTime<Utc>, DateTime<Utc>, String)> {
    let mut found = BTreeSet::new();
    let overrides: Vec<&IcalEvent> =
        calendar.events.iter().filter(|event| property(event, "RECURRENCE-ID").is_some()).collect();
    for event in &calendar.events {
        let summary = value(event, "SUMMARY").unwrap().replace("\\,", ",").replace("\\;", ";");
        let start = instant(calendar, property(event, "DTSTART").unwrap());
        if property(event, "RECURRENCE-ID").is_some() {
            found.insert((start, instant(calendar, property(event, "DTEND").unwrap()), summary));
            continue;
        }
        let Some(rule) = value(event, "RRULE") else {
            found.insert((start, instant(calendar, property(event, "DTEND").unwrap()), summary));
            continue;
        };
        let minutes: i64 =
            value(event, "DURATION").unwrap().trim_start_matches("PT").trim_end_matches('M').parse().unwrap();
        let dtstart = property(event, "DTSTART").unwrap().value.clone().unwrap();
        let mut text = format!("DTSTART;TZID=Europe/London:{dtstart}\nRRULE:{rule}");
        for exdate in event.properties.iter().filter(|property| property.name == "EXDATE") {
            text.push_str(&format!("\nEXDATE;TZID=Europe/London:{}", exdate.value.as_deref().unwrap()));
        }
        let uid = value(event, "UID").unwrap();
        let replaced: Vec<DateTime<Utc>> = overrides
            .iter()
            .filter(|other| value(other, "UID") == Some(uid))
            .map(|other| instant(calendar, property(other, "RECURRENCE-ID").unwrap()))
            .collect();
        let set: rrule::RRuleSet = text.parse().unwrap();
        for date in set.all(500).dates {
            let start = date.with_timezone(&Utc);
            if !replaced.contains(&start) {
                found.insert((start, start + Duration::minutes(minutes), summary.clone()));
            }
        }
    }
    found
}

fn kiosk_view(store: &Store, room: Option<booking_core::RoomId>) -> BTreeSet<(DateTime<Utc>, DateTime<Utc>, String)> {
    let everything = Slot::new(local("2026-01-01", "00:00"), local("2029-01-01", "00:00")).unwrap();
    store
        .bookings_overlapping(everything, room)
        .unwrap()
        .into_iter()
        .filter(|booking| booking.status.is_active())
        .map(|booking| (booking.slot.start(), booking.slot.end(), booking.title))
        .collect()
}

#[test]
fn a_room_feed_gives_the_kiosk_times_in_both_seasons() {
    let (store, room) = hub();
    let text = store.calendar(Feed::Room(room), local("2027-01-01", "00:00"), now()).unwrap();
    let calendar = parse(&text);
    assert_eq!(calendar.timezones.len(), 1);
    let expected = kiosk_view(&store, Some(room));
    assert_eq!(expected.len(), 5 - 1 + 4 + 6 + 2, "the hub holds what the test set up");
    assert_eq!(occurrences(&calendar), expected);
    // Summer and winter times really differ in UTC: 10:00 BST is 09:00 UTC.
    assert!(expected.contains(&(
        Utc.with_ymd_and_hms(2027, 4, 13, 9, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2027, 4, 13, 10, 30, 0).unwrap(),
        "Code club; beginners, welcome".into()
    )));
    // Three series and two single bookings; the moved Tuesday is an override, the cancelled one an EXDATE.
    assert_eq!(calendar.events.iter().filter(|event| value(event, "RRULE").is_some()).count(), 3);
    assert_eq!(calendar.events.iter().filter(|event| property(event, "RECURRENCE-ID").is_some()).count(), 1);
    assert!(text.contains("EXDATE;TZID=Europe/London:20270330T100000\r\n"));
}

#[test]
fn feeds_are_well_formed_and_stable() {
    let (store, room) = hub();
    let first = store.calendar(Feed::All, local("2027-01-01", "00:00"), now()).unwrap();
    let again = store.calendar(Feed::All, local("2027-01-01", "00:00"), now()).unwrap();
    assert_eq!(first, again);
    assert!(first.ends_with("END:VCALENDAR\r\n"));
    assert!(first.split("\r\n").all(|line| line.len() <= 75), "every line folded");
    let calendar = parse(&first);
    let uids: BTreeSet<&str> = calendar
        .events
        .iter()
        .filter(|e| property(e, "RECURRENCE-ID").is_none())
        .map(|e| value(e, "UID").unwrap())
        .collect();
    assert_eq!(uids.len(), calendar.events.len() - 1, "one UID per event, overrides share their series' UID");

    let mut all = kiosk_view(&store, None);
    all.insert((local("2027-07-08", "13:00"), local("2027-07-08", "15:00"), "Benefits advice".into()));
    assert_eq!(occurrences(&calendar), all);

    let surgeries = parse(&store.calendar(Feed::Surgeries, local("2027-01-01", "00:00"), now()).unwrap());
    assert_eq!(surgeries.events.len(), 1);
    assert_eq!(value(&surgeries.events[0], "LOCATION"), Some("Kitchen"));
    assert!(value(&surgeries.events[0], "DESCRIPTION").unwrap().starts_with("Drop-in help: 6 of 6 places free"));

    // Nothing before `from` except whole series that reach past it.
    let later = parse(&store.calendar(Feed::Room(room), local("2027-07-01", "00:00"), now()).unwrap());
    assert_eq!(later.events.len(), 2, "the July booking and the autumn series");
}
