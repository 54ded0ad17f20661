//! Random hubs leave and come back intact: export → import into an empty store → export gives the same document,
//! and the CSV files hold the same rows. Names and titles are arbitrary printable text (quotes, commas, emoji,
//! right-to-left scripts); whatever the store accepts must survive.

use booking_core::{
    BookingRequest, NewPass, NewPerson, NewRoom, NewSite, PassKey, Role, Slot, Store, VisitReason, WalkIn,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    Room { name: String, capacity: u32 },
    Person { name: String, contact: Option<String>, role: u8 },
    Book { room: usize, person: usize, title: String, hour: u32, minutes: u32 },
    WalkIn { name: String, leave: bool },
    Pass { person: usize },
}

fn step() -> impl Strategy<Value = Step> {
    let text = "[\\PC]{0,40}";
    prop_oneof![
        (text, 1u32..50).prop_map(|(name, capacity)| Step::Room { name, capacity }),
        (text, proptest::option::of(text), 0u8..4).prop_map(|(name, contact, role)| Step::Person {
            name,
            contact,
            role
        }),
        (any::<usize>(), any::<usize>(), text, 9u32..17, 15u32..120)
            .prop_map(|(room, person, title, hour, minutes)| Step::Book { room, person, title, hour, minutes }),
        (text, any::<bool>()).prop_map(|(name, leave)| Step::WalkIn { name, leave }),
        any::<usize>().prop_map(|person| Step::Pass { person }),
    ]
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 4, 8, 0, 0).unwrap()
}

/// Plays the steps; refusals and invalid input are simply skipped, as a real hub would skip them.
fn build(steps: &[Step]) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let site = NewSite {
        name: "Round Trip Hub".into(),
        time_zone: "Europe/Warsaw".into(),
        safe_capacity: 50,
        retention_days: 30,
    };
    store.init_site(&site).unwrap();
    let key = PassKey::from_secret([9; 32]);
    let roles = [Role::Visitor, Role::Member, Role::Host, Role::Staff];
    for (index, step) in steps.iter().enumerate() {
        let rooms = store.rooms().unwrap();
        let people = store.people(None).unwrap();
        match step {
            Step::Room { name, capacity } => {
                let _ = store.add_room(&NewRoom::named(name, *capacity));
            }
            Step::Person { name, contact, role } => {
                let new = NewPerson {
                    display_name: name.clone(),
                    contact: contact.clone(),
                    role: roles[*role as usize],
                    rules_version: Some(1),
                };
                let _ = store.add_person(&new, now());
            }
            Step::Book { room, person, title, hour, minutes } if !rooms.is_empty() => {
                let start = Utc.with_ymd_and_hms(2027, 1, 5, *hour, 0, 0).unwrap();
                let request = BookingRequest {
                    room: rooms[room % rooms.len()].id,
                    slot: Slot::new(start, start + Duration::minutes(i64::from(*minutes))).unwrap(),
                    title: title.clone(),
                    booked_by: (!people.is_empty()).then(|| people[person % people.len()].id),
                    booked_for: None,
                    public: false,
                };
                let _ = store.book(&request, now());
            }
            Step::WalkIn { name, leave } => {
                let walk_in = WalkIn {
                    display_name: name.clone(),
                    contact: None,
                    reason: VisitReason::Event,
                    visiting: None,
                    agreed_rules_version: 1,
                };
                let at = now() + Duration::minutes(index as i64);
                let outcome = store.walk_in(&key, &walk_in, at);
                if let Ok(booking_core::WalkInOutcome::CheckedIn { person, .. }) = outcome
                    && *leave
                {
                    store.check_out(person.id, at + Duration::minutes(30)).unwrap();
                }
            }
            Step::Pass { person } if !people.is_empty() => {
                store.issue_pass(&key, people[person % people.len()].id, NewPass::Member, now()).unwrap();
            }
            Step::Book { .. } | Step::Pass { .. } => {}
        }
    }
    store
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_hub_round_trips_exactly(steps in proptest::collection::vec(step(), 1..40)) {
        let original = build(&steps);
        let document = original.export(now()).unwrap();
        let text = serde_json::to_string_pretty(&document).unwrap();

        let mut copy = Store::open_in_memory().unwrap();
        copy.import(&serde_json::from_str(&text).unwrap()).unwrap();
        prop_assert_eq!(serde_json::to_string_pretty(&copy.export(now()).unwrap()).unwrap(), text);
        copy.integrity_check().unwrap();

        for (table, csv_text) in original.export_csv().unwrap() {
            let rows = csv::Reader::from_reader(csv_text.as_bytes()).records().collect::<Result<Vec<_>, _>>().unwrap();
            prop_assert_eq!(rows.len(), document.tables[&table].len(), "{}", table);
        }
    }
}
