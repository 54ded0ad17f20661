//! A crowded hub, the worst a kiosk should meet on a busy day: a 50-character name, 12 rooms with long names, people
//! with 40-character names (30 of them on site), 6 drop-in sessions today with 20 times each, and a long Welsh word
//! in every name, topic and place; an evening event with places, a full one with a waiting list, and an unconference
//! day of 3 rooms × 3 blocks with 12 proposals. Built through booking-core, as the kiosk's own data would be.

use booking_core::{
    Booker, BookingRequest, DayHours, NewEvent, NewPass, NewPerson, NewProposal, NewRoom, NewSite, NewSurgery,
    NewUnconference, PersonId, Role, Slot, WhenFull, resolve_local,
};
use chrono::{Duration, NaiveTime, Weekday};
use kiosk_runtime::hub::Hub;

use super::demo_now;

pub const HUB_NAME: &str = "Canolfan Dechnoleg Gymunedol, Llanfairpwllgwyngyll";
pub const STAFF_PIN: &str = "2468";
pub const HOST_PIN: &str = "1357";

pub const ROOMS: [&str; 12] = [
    "Gweithdy Cyfrifiadureg a Thrawsnewidiadau",
    "Stiwdio Recordio Llanfairpwllgwyngyll",
    "Ystafell Gyfarfod Gwasanaethau Cymunedol",
    "Ystafell Dawel Anghydffurfiaeth",
    "Gofod Gwneuthurwyr Cydweithredol",
    "Caffi Cymunedol Llanfairpwllgwyngyll",
    "Ystafell Hyfforddiant Cyfrifiadureg",
    "Llyfrgell Dechnoleg a Thrawsgrifiadau",
    "Ystafell Gynadledda Gwasanaethau Digidol",
    "Labordy Electroneg Cydweithredol",
    "Ystafell Gyfweld Anghydffurfiaeth",
    "Neuadd Ddigwyddiadau Llanfairpwllgwyngyll",
];
/// Not bookable: the café is where the drop-in sessions are held.
const CAFE: usize = 5;

const FIRST_NAMES: [&str; 12] = [
    "Gwenllian",
    "Przemysław",
    "Oleksandra",
    "Oluwaseun",
    "Siobhán",
    "Maximilian",
    "Angharad",
    "Katarzyna",
    "Bartholomew",
    "Llinos",
    "Dafydd",
    "Aleksandra",
];
const LAST_NAMES: [&str; 4] =
    ["Llanfairpwllgwyngyll-Cadwaladr", "Cyfrifiadureg-Fitzgerald", "Anghydffurfiaeth ap Rhys", "Trawsnewidiadau-Jones"];

/// A person's name of exactly 40 characters, different for each `index` below 676.
pub fn person_name(index: usize) -> String {
    let first = FIRST_NAMES[index % FIRST_NAMES.len()];
    let last = LAST_NAMES[(index / FIRST_NAMES.len()) % LAST_NAMES.len()];
    // Two middle initials from the index keep every name different; the surname pads it, then it is cut to 40.
    let initial = |n: usize| char::from(b'A' + (n % 26) as u8);
    let mut name = format!("{first} {} {} {last} ap Rhydderch", initial(index), initial(index / 26));
    name = name.chars().take(40).collect::<String>().trim_end().to_string();
    format!("{name}{}", "n".repeat(40 - name.chars().count()))
}

pub const TOPICS: [&str; 6] = [
    "Cymorth Cyfrifiadureg a Thrawsnewidiadau Digidol",
    "Cyngor Budd-daliadau a Gwasanaethau Ariannol",
    "Ceisiadau Swyddi a Llythyrau Cyfrifiadureg",
    "Diogelwch Ar-lein i'r Teulu Llanfairpwllgwyngyll",
    "Gwasanaethau Cyhoeddus Ar-lein a Ffurflenni",
    "Ffonau Clyfar, Tabledi a Thrawsnewidiadau",
];

pub const EVENT: &str = "Noson Gymunedol Llanfairpwllgwyngyll: Deallusrwydd Artiffisial a Chi";
pub const FULL_EVENT: &str = "Gweithdy Trwsio Cyfrifiaduron a Thrawsnewidiadau Digidol";
pub const DAY: &str = "Diwrnod Agored Llanfairpwllgwyngyll: Technoleg Gymunedol i Bawb";

/// The title of the unconference day's proposal `index` (up to 80 characters, the longest a title may be).
pub fn proposal_title(index: usize) -> String {
    format!("{} — trafodaeth agored rhif {}", TOPICS[index % TOPICS.len()], index + 1)
}

/// What the tests need to find again in a crowded hub.
#[derive(Debug)]
pub struct Crowded {
    /// The hub's database, for what happens elsewhere while someone is at the kiosk (a booking on the web).
    pub database: std::path::PathBuf,
    /// Someone on site with a room booking and a drop-in place today (their pass).
    pub busy_member_pass: String,
    pub hosts: Vec<String>,
}

impl Crowded {
    /// What the tour of every screen uses here.
    pub fn cast(&self) -> super::tour::Cast {
        super::tour::Cast {
            pass: self.busy_member_pass.clone(),
            host: self.hosts[0].clone(),
            topic: TOPICS[0].into(),
            database: self.database.clone(),
            gatherings: Some(super::tour::Gatherings {
                event: EVENT.into(),
                full_event: FULL_EVENT.into(),
                day: DAY.into(),
                session: proposal_title(0),
            }),
        }
    }
}

/// The crowded hub, in `hub` (which must be empty), at [`demo_now`].
pub fn build(hub: &mut Hub) -> Crowded {
    let now = demo_now();
    let store = &mut hub.store;
    store
        .init_site(&NewSite {
            name: HUB_NAME.into(),
            time_zone: "Europe/London".into(),
            safe_capacity: 40,
            retention_days: 30,
        })
        .unwrap();
    let time = |hour| NaiveTime::from_hms_opt(hour, 0, 0).unwrap();
    for weekday in [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat] {
        store.set_opening_hours(weekday, Some(DayHours::new(time(9), time(21)).unwrap())).unwrap();
    }
    let mut rooms = Vec::new();
    for (index, name) in ROOMS.iter().enumerate() {
        let mut room = NewRoom::named(name, 8 + index as u32 * 3);
        room.bookable = index != CAFE;
        room.buffer_minutes = if index % 3 == 0 { 15 } else { 0 };
        rooms.push(store.add_room(&room).unwrap().id);
    }
    for index in 0..3 {
        store.add_staff(&person_name(100 + index), &STAFF_PIN.parse().unwrap(), now).unwrap();
    }
    let add = |store: &mut booking_core::Store, name: &str, role: Role| -> PersonId {
        let rules_version = (role == Role::Member).then_some(1);
        store.add_person(&NewPerson { display_name: name.into(), contact: None, role, rules_version }, now).unwrap().id
    };
    let hosts: Vec<String> = (0..6).map(|index| person_name(200 + index)).collect();
    let host_ids: Vec<PersonId> = hosts
        .iter()
        .map(|name| {
            let id = add(store, name, Role::Host);
            store.set_pin(id, &HOST_PIN.parse().unwrap()).unwrap();
            id
        })
        .collect();
    let members: Vec<PersonId> = (0..34).map(|index| add(store, &person_name(index), Role::Member)).collect();

    let today = now.with_timezone(&chrono_tz::Europe::London).date_naive();
    let at = |hour: u32, minute: u32| {
        resolve_local(chrono_tz::Europe::London, today.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap()))
            .unwrap()
    };
    // Six sessions today, 20 times of 15 minutes each, the first under way now; the first time of each is full.
    for (index, topic) in TOPICS.iter().enumerate() {
        let start = if index == 0 { at(11, 0) } else { at(10 + index as u32, 30) };
        let place = if index % 2 == 0 { ROOMS[CAFE] } else { ROOMS[index] };
        let surgery = store
            .add_surgery(
                &NewSurgery {
                    topic: (*topic).into(),
                    host: host_ids[index],
                    place: place.into(),
                    time: Slot::new(start, start + Duration::minutes(20 * 15)).unwrap(),
                    slot_minutes: 15,
                    seats_per_slot: 2,
                },
                now,
            )
            .unwrap();
        for seat in 0..2 {
            let who = members[20 + index * 2 + seat];
            store.book_seat(surgery.slots[0].id, who, WhenFull::Refuse, now).unwrap();
        }
    }
    // Rooms busy now and later with long titles, half of them free now.
    for (index, room) in rooms.iter().enumerate().filter(|(index, _)| *index != CAFE) {
        let (start, minutes) = if index % 2 == 0 { (at(10, 30), 120) } else { (at(13, 0), 90) };
        let request = BookingRequest {
            room: *room,
            slot: Slot::new(start, start + Duration::minutes(minutes)).unwrap(),
            title: format!("{} Cyfarfod Cydweithredol", TOPICS[index % TOPICS.len()]),
            booked_by: Some(members[index]),
            booked_for: Some(members[index]),
            public: false,
        };
        store.book(&request, now).unwrap();
    }
    // Thirty people on site (and the first, who has a room and a drop-in place later today, on the way in).
    let busy = members[0];
    let later = BookingRequest {
        room: rooms[3],
        slot: Slot::new(at(17, 0), at(18, 30)).unwrap(),
        title: "Ymarfer Cyfweliad Llanfairpwllgwyngyll".into(),
        booked_by: Some(busy),
        booked_for: Some(busy),
        public: false,
    };
    store.book(&later, now).unwrap();
    let surgery = store.surgeries_overlapping(Slot::new(at(0, 0), at(23, 0)).unwrap()).unwrap().remove(1);
    store.book_seat(surgery.slots[10].id, busy, WhenFull::Refuse, now).unwrap();
    let mut busy_member_pass = String::new();
    for (index, member) in members.iter().take(31).enumerate() {
        let pass = store.issue_pass(&hub.key, *member, NewPass::Member, now).unwrap().payload;
        store.scan(&hub.key, &pass, now - Duration::minutes(90 - index as i64 * 3)).unwrap();
        if index == 0 {
            busy_member_pass = pass;
        }
    }
    // The pass checks them in once more at the kiosk: check them out first, so the tour sees "Welcome".
    store.check_out(busy, now - Duration::minutes(1)).unwrap();

    // An evening event with places left, and a full one with two waiting.
    let event = |title: &str, room: usize, start, end, capacity| NewEvent {
        room: rooms[room],
        time: Slot::new(start, end).unwrap(),
        title: title.into(),
        description: format!("{} — {}", TOPICS[room % TOPICS.len()], TOPICS[(room + 1) % TOPICS.len()]),
        host: Some(host_ids[1]),
        capacity,
    };
    let open = store.add_event(&event(EVENT, 11, at(18, 0), at(20, 0), 12), now).unwrap().unwrap();
    let full = store.add_event(&event(FULL_EVENT, 7, at(19, 0), at(20, 30), 2), now).unwrap().unwrap();
    for (index, member) in members[1..10].iter().enumerate() {
        let event = if index < 5 { open.id } else { full.id };
        let who = Booker::Person(*member);
        store.register_for_event(&hub.key, event, who, WhenFull::JoinWaitingList, now).unwrap().unwrap();
    }

    // An unconference day this afternoon: 12 proposals with votes, filled onto the grid (some left off).
    let blocks = [(15, 16), (16, 17), (17, 18)].map(|(from, to)| (time(from), time(to)));
    let day = store
        .open_unconference(
            &NewUnconference {
                title: DAY.into(),
                day: today,
                organiser: host_ids[0],
                rooms: vec![rooms[1], rooms[2], rooms[4]],
                blocks: blocks.to_vec(),
            },
            now,
        )
        .unwrap()
        .unwrap();
    for index in 0..12 {
        let new = NewProposal {
            title: proposal_title(index),
            description: format!("{} a {}", TOPICS[(index + 2) % TOPICS.len()], TOPICS[(index + 3) % TOPICS.len()]),
            at: None,
        };
        let proposer = Booker::Person(members[1 + index]);
        let proposal = store.propose(&hub.key, day, proposer, &new, now).unwrap().unwrap().proposal;
        for voter in &members[14..14 + (12 - index) % 9] {
            store.vote(&hub.key, proposal, Booker::Person(*voter), now).unwrap().unwrap();
        }
    }
    store.fill_unconference(day, now).unwrap().unwrap();
    Crowded { database: hub.dir.join("hub.db"), busy_member_pass, hosts }
}

/// Books `room` today from `start` ("12:00") for an hour, from another connection: someone on the web takes the
/// time while a visitor is still choosing at the kiosk.
pub fn book_elsewhere(database: &std::path::Path, room: &str, start: &str) {
    let mut store = booking_core::Store::open(database).unwrap();
    let zone = chrono_tz::Europe::London;
    let today = demo_now().with_timezone(&zone).date_naive();
    let start = resolve_local(zone, today.and_time(NaiveTime::parse_from_str(start, "%H:%M").unwrap())).unwrap();
    let request = BookingRequest {
        room: store.room_by_name(room).unwrap().id,
        slot: Slot::new(start, start + Duration::hours(1)).unwrap(),
        title: "Booked on the web".into(),
        booked_by: None,
        booked_for: None,
        public: false,
    };
    assert!(matches!(store.book(&request, demo_now()).unwrap(), booking_core::BookingOutcome::Booked(_)));
}
