//! `kiosk demo`: a realistic hub to explore — rooms, hosts, members, a week of bookings and surgeries — built
//! through the same booking-core calls the kiosk uses, relative to today so it always looks alive.

use anyhow::Result;
use booking_core::{
    BookingOutcome, BookingRequest, Database, DayHours, NewPass, NewPerson, NewRoom, NewSite, NewSurgery, Opening,
    PersonId, Repeat, Role, SeatOutcome, SeriesOutcome, SeriesRequest, Slot, StoreError, WhenFull, resolve_local,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use serde_json::{Value, json};

use crate::hub::Hub;

pub const DEMO_STAFF_PIN: &str = "2468";
pub const DEMO_HOST_PIN: &str = "1357";

struct DemoRoom {
    name: &'static str,
    capacity: u32,
    features: &'static [&'static str],
    bookable: bool,
    buffer_minutes: u32,
}

const ROOMS: &[DemoRoom] = &[
    DemoRoom {
        name: "Workshop",
        capacity: 16,
        features: &["projector", "step-free"],
        bookable: true,
        buffer_minutes: 15,
    },
    DemoRoom {
        name: "Studio",
        capacity: 6,
        features: &["green screen", "microphones"],
        bookable: true,
        buffer_minutes: 10,
    },
    DemoRoom {
        name: "Meeting Room 1",
        capacity: 8,
        features: &["screen", "step-free"],
        bookable: true,
        buffer_minutes: 0,
    },
    DemoRoom { name: "Meeting Room 2", capacity: 4, features: &["quiet"], bookable: true, buffer_minutes: 0 },
    DemoRoom {
        name: "Makerspace",
        capacity: 10,
        features: &["3d printers", "laser cutter"],
        bookable: true,
        buffer_minutes: 15,
    },
    DemoRoom {
        name: "Café",
        capacity: 30,
        features: &["step-free", "hearing loop"],
        bookable: false,
        buffer_minutes: 0,
    },
];

struct DemoSurgery {
    topic: &'static str,
    /// Index into `HOSTS`.
    host: usize,
    place: &'static str,
    start: (u32, u32),
    minutes: u32,
    slot_minutes: u32,
    seats_per_slot: u32,
    /// Held every other open day rather than daily.
    alternate_days: bool,
}

const SURGERIES: &[DemoSurgery] = &[
    DemoSurgery {
        topic: "Digital help drop-in",
        host: 0,
        place: "Café",
        start: (10, 0),
        minutes: 180,
        slot_minutes: 20,
        seats_per_slot: 2,
        alternate_days: false,
    },
    DemoSurgery {
        topic: "Benefits and money advice",
        host: 1,
        place: "Meeting Room 2",
        start: (14, 0),
        minutes: 120,
        slot_minutes: 30,
        seats_per_slot: 1,
        alternate_days: true,
    },
    DemoSurgery {
        topic: "CV and job applications",
        host: 2,
        place: "Café",
        start: (15, 0),
        minutes: 90,
        slot_minutes: 30,
        seats_per_slot: 1,
        alternate_days: true,
    },
];

pub const HOSTS: &[&str] = &["Grace Okafor", "Tomasz Nowak", "Rhiannon Evans"];
pub const MEMBERS: &[&str] = &["Ada Lovelace", "Yusuf Ali", "Mei Chen", "Siân Jones", "Kwame Mensah", "Olga Petrova"];

/// (room, local start, minutes, title) booked on every open day of the coming week.
/// A booking the demo makes every day of its week.
struct DemoBooking {
    room: &'static str,
    start: (u32, u32),
    minutes: u32,
    title: &'static str,
    /// Whether its title shows on the room's display.
    public: bool,
}

const DAILY_BOOKINGS: &[DemoBooking] = &[
    DemoBooking { room: "Workshop", start: (10, 0), minutes: 120, title: "Intro to laptops", public: true },
    DemoBooking { room: "Workshop", start: (14, 0), minutes: 90, title: "Community council", public: false },
    DemoBooking { room: "Studio", start: (11, 0), minutes: 60, title: "Podcast recording", public: false },
    DemoBooking { room: "Studio", start: (15, 30), minutes: 90, title: "YouTube channel club", public: true },
    DemoBooking { room: "Meeting Room 1", start: (9, 30), minutes: 60, title: "Volunteer stand-up", public: false },
    DemoBooking { room: "Meeting Room 1", start: (13, 0), minutes: 120, title: "Small business clinic", public: true },
    DemoBooking { room: "Meeting Room 2", start: (12, 0), minutes: 45, title: "Interview practice", public: false },
    DemoBooking { room: "Makerspace", start: (10, 30), minutes: 180, title: "3D printing open session", public: true },
];

/// The demo hub once made: what to tell the person, in words and as JSON for scripts.
#[derive(Debug)]
pub struct DemoHub {
    pub text: String,
    pub json: Value,
}

/// Fills the set-up (or empty) hub with the demo, as seen at `now`.
pub fn run(hub: &mut Hub, now: DateTime<Utc>) -> Result<DemoHub> {
    let demo_site = NewSite {
        name: "Riverside Community Tech Hub".into(),
        time_zone: "Europe/London".into(),
        safe_capacity: 80,
        retention_days: 30,
    };
    match hub.database.site() {
        Some(code) if hub.store.use_site(code).is_err() => drop(hub.store.add_site(code, &demo_site)?),
        None if hub.store.site().is_err() => drop(hub.store.init_site(&demo_site)?),
        _ => {}
    }
    if !hub.store.rooms()?.is_empty() {
        return Err(StoreError::Invalid(format!(
            "{} already has rooms, so the demo would mix with real data; run it with an empty data folder, \
             e.g. `kiosk --data /tmp/hub-demo demo`",
            hub.store.site()?.name
        ))
        .into());
    }
    // Long weekday hours and short weekend ones, so the demo is alive whatever day it is tried.
    let time = |hour| NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN);
    for weekday in [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri] {
        hub.store.set_opening_hours(weekday, Some(DayHours::new(time(9), time(20))?))?;
    }
    for weekday in [Weekday::Sat, Weekday::Sun] {
        hub.store.set_opening_hours(weekday, Some(DayHours::new(time(10), time(17))?))?;
    }
    let zone = hub.store.site()?.time_zone;
    let today = now.with_timezone(&zone).date_naive();
    let store = &mut hub.store;

    for room in ROOMS {
        let mut new = NewRoom::named(room.name, room.capacity);
        new.features = room.features.iter().map(|tag| tag.to_string()).collect();
        new.bookable = room.bookable;
        new.buffer_minutes = room.buffer_minutes;
        store.add_room(&new)?;
    }
    let staff = store.add_staff("Sam Taylor", &DEMO_STAFF_PIN.parse()?, now)?;
    let mut hosts = Vec::new();
    for name in HOSTS {
        let host = store.add_person(
            &NewPerson { display_name: (*name).into(), contact: None, role: Role::Host, rules_version: None },
            now,
        )?;
        store.set_pin(host.id, &DEMO_HOST_PIN.parse()?)?;
        hosts.push(host.id);
    }
    let mut members = Vec::new();
    for name in MEMBERS {
        let new = NewPerson { display_name: (*name).into(), contact: None, role: Role::Member, rules_version: Some(1) };
        members.push(store.add_person(&new, now)?.id);
    }

    let local = |date: NaiveDate, (hour, minute): (u32, u32)| -> Option<DateTime<Utc>> {
        resolve_local(zone, date.and_time(NaiveTime::from_hms_opt(hour, minute, 0)?)).ok()
    };

    // Who is booked for what and when, so nobody is in two places at once.
    let mut commitments = Commitments::default();
    // A week of bookings; times already past or on closed days are simply refused and skipped.
    let mut booked = 0;
    for offset in 0..7 {
        let date = today + Duration::days(offset);
        for (index, daily) in DAILY_BOOKINGS.iter().enumerate() {
            let Some(start) = local(date, daily.start) else {
                continue;
            };
            let slot = Slot::new(start, start + Duration::minutes(i64::from(daily.minutes)))?;
            let Some(who) = commitments.free_member(&members, index + offset as usize, slot) else { continue };
            let request = BookingRequest {
                room: store.room_by_name(daily.room)?.id,
                slot,
                title: daily.title.into(),
                booked_by: Some(who),
                booked_for: Some(who),
                public: daily.public,
            };
            if let BookingOutcome::Booked(_) = store.book(&request, now)? {
                commitments.add(who, slot);
                booked += 1;
            }
        }
    }
    // A weekly club for the next two months, on the next Tuesday.
    let tuesday =
        (0..7).map(|offset| today + Duration::days(offset + 1)).find(|d| d.weekday() == Weekday::Tue).unwrap_or(today);
    let series = store.book_series(
        &SeriesRequest {
            room: store.room_by_name("Workshop")?.id,
            first_date: tuesday,
            start_time: NaiveTime::from_hms_opt(16, 0, 0).unwrap_or(NaiveTime::MIN),
            minutes: 90,
            repeat: Repeat::Weekly { every_weeks: 1 },
            until: tuesday + Duration::weeks(7),
            title: "Code Club".into(),
            booked_by: Some(hosts[0]),
            booked_for: Some(hosts[0]),
            public: true,
        },
        now,
    )?;
    let series_count = match series {
        SeriesOutcome::Booked { bookings, .. } => bookings.len(),
        SeriesOutcome::Refused { .. } => 0,
    };

    // Surgeries on the open days of the coming week.
    let mut surgeries = 0;
    let mut seats = 0;
    for offset in 0..7 {
        let date = today + Duration::days(offset);
        if !matches!(store.opening_on(date)?, Opening::Open { .. }) {
            continue;
        }
        for (index, plan) in SURGERIES.iter().enumerate() {
            if plan.alternate_days && (offset + index as i64) % 2 == 1 {
                continue;
            }
            let Some(start) = local(date, plan.start) else {
                continue;
            };
            let time = Slot::new(start, start + Duration::minutes(i64::from(plan.minutes)))?;
            // Today's sessions already over are not planned (the demo may be run in the evening).
            if time.end() <= now {
                continue;
            }
            let surgery = store.add_surgery(
                &NewSurgery {
                    topic: plan.topic.into(),
                    host: hosts[plan.host],
                    place: plan.place.into(),
                    time,
                    slot_minutes: plan.slot_minutes,
                    seats_per_slot: plan.seats_per_slot,
                },
                now,
            )?;
            surgeries += 1;
            for (slot_index, slot) in surgery.slots.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
                let first = slot_index + offset as usize + index;
                let Some(who) = commitments.free_member(&members, first, slot.time) else { continue };
                if let SeatOutcome::Booked { .. } = store.book_seat(slot.id, who, WhenFull::Refuse, now)? {
                    commitments.add(who, slot.time);
                    seats += 1;
                }
            }
        }
    }

    // Members hold passes; a few are here now if the hub is open.
    let mut passes = Vec::new();
    for member in &members {
        passes.push((*member, store.issue_pass(&hub.key, *member, NewPass::Member, now)?.payload));
    }
    let open_now = store.is_open_at(now)?;
    let mut here = 0;
    if open_now {
        for (_, payload) in passes.iter().skip(1).take(3) {
            store.scan(&hub.key, payload, now)?;
            here += 1;
        }
    }

    let (ada, ada_pass): &(PersonId, String) = &passes[0];
    let (place, data) = match &hub.database {
        Database::File(_) => (hub.dir.display().to_string(), hub.dir.display().to_string()),
        Database::Server { url, site } => {
            let site = site.as_ref().map(|code| format!(" --site {code}")).unwrap_or_default();
            (hub.database.to_string(), format!("{} --database '{url}'{site}", hub.dir.display()))
        }
    };
    let text = format!(
        "Demo hub \"{}\" is ready in {place}\n\
         \x20 {} rooms, {} hosts, {} members, staff member {} (PIN {DEMO_STAFF_PIN}; hosts' PIN {DEMO_HOST_PIN})\n\
         \x20 {booked} bookings this week, Code Club every Tuesday ({series_count} dates), {surgeries} surgeries with {seats} seats booked\n\
         \x20 {here} people checked in now\n\n\
         Try next:\n\
         \x20 kiosk --data {data} run               (the touchscreen app, in a window)\n\
         \x20 kiosk --data {data} availability\n\
         \x20 kiosk --data {data} surgery list --week\n\
         \x20 kiosk --data {data} scan {ada_pass}      (checks Ada in; again later checks her out)\n\
         \x20 kiosk --data {data} occupancy\n\
         \x20 kiosk --data {data} book --room Studio --start \"tomorrow 17:00\" --duration 30m --by \"Ada Lovelace\"",
        hub.store.site()?.name,
        ROOMS.len(),
        HOSTS.len(),
        MEMBERS.len(),
        staff.display_name,
    );
    let json = json!({
        "rooms": ROOMS.len(), "bookings": booked, "series_bookings": series_count, "surgeries": surgeries,
        "seats": seats, "checked_in": here, "example_pass": { "person": ada, "payload": ada_pass },
    });
    Ok(DemoHub { text, json })
}

/// What each member of the demo has booked, so none is given two things at the same time.
#[derive(Default)]
struct Commitments(Vec<(PersonId, Slot)>);

impl Commitments {
    /// The first member from `start` (going round) with nothing else during `slot`.
    fn free_member(&self, members: &[PersonId], start: usize, slot: Slot) -> Option<PersonId> {
        (0..members.len())
            .map(|step| members[(start + step) % members.len()])
            .find(|member| !self.0.iter().any(|(who, taken)| who == member && taken.overlaps(&slot)))
    }

    fn add(&mut self, member: PersonId, slot: Slot) {
        self.0.push((member, slot));
    }
}

#[cfg(test)]
mod tests {
    use booking_core::TodayItem;
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn nobody_in_the_demo_is_in_two_places_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut hub = Hub::open(dir.path()).unwrap();
        // A Tuesday at 09:00 in London: the whole week to come is booked.
        let now = Utc.with_ymd_and_hms(2027, 1, 5, 9, 0, 0).unwrap();
        run(&mut hub, now).unwrap();
        let mut checked = 0;
        for member in hub.store.people(Some(Role::Member)).unwrap() {
            for day in 0..7 {
                let noon = now + Duration::days(day) + Duration::hours(3);
                let items = hub.store.today_for(member.id, noon).unwrap();
                let times: Vec<Slot> = items.iter().map(TodayItem::time).collect();
                for (first, time) in times.iter().enumerate() {
                    checked += 1;
                    for other in &times[first + 1..] {
                        assert!(!time.overlaps(other), "{} has two things at once: {items:?}", member.display_name);
                    }
                }
            }
        }
        assert!(checked > 40, "the demo books its members ({checked} bookings and places checked)");
    }

    #[test]
    fn the_demo_can_be_built_at_any_hour_of_the_day() {
        // Once it failed in the afternoon, planning the morning's drop-in session when it was over.
        for hour in 0..24 {
            let dir = tempfile::tempdir().unwrap();
            let mut hub = Hub::open(dir.path()).unwrap();
            let now = Utc.with_ymd_and_hms(2027, 1, 5, hour, 30, 0).unwrap();
            run(&mut hub, now).unwrap_or_else(|error| panic!("at {hour}:30: {error:#}"));
        }
    }
}
