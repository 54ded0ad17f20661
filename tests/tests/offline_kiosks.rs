//! Two kiosks of a network keep checking people in and out while the network to the PostgreSQL server is cut
//! (booking-core's spool), refuse bookings in plain words meanwhile, keep their roll-calls, and once it is mended
//! send what they kept: every acknowledged check-in and check-out, online or kept, is stored exactly once, at the
//! time the person was told.

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use booking_core::{
    BookingRequest, NewPass, NewPerson, NewRoom, NewSite, PassKey, Role, ScanOutcome, Slot, Store, StoreError,
};
use chrono::{DateTime, TimeZone, Utc};
use end_to_end::link::Link;

const PEOPLE_PER_KIOSK: usize = 12;
/// The link's state, which the kiosks' threads watch.
const UP: u8 = 0;
const CUT: u8 = 1;
const MENDED: u8 = 2;

/// What one kiosk acknowledged: (person's index, checked in or out, at, kept offline).
type Acknowledged = Vec<(usize, bool, DateTime<Utc>, bool)>;

#[test]
fn kiosks_check_people_in_while_the_network_is_cut_and_the_server_gets_each_once() {
    let url = end_to_end::postgres_schema();
    let link = Link::to_test_server();
    let key = PassKey::from_secret([8; 32]);
    let start = Utc.with_ymd_and_hms(2027, 1, 5, 9, 0, 0).unwrap();
    let mut setup = Store::connect(&url).unwrap();
    let site =
        NewSite { name: "Two Doors".into(), time_zone: "Europe/London".into(), safe_capacity: 500, retention_days: 30 };
    setup.init_site(&site).unwrap();
    let room = setup.add_room(&NewRoom::named("Studio", 6)).unwrap();
    let passes: Vec<String> = (0..2 * PEOPLE_PER_KIOSK)
        .map(|index| {
            let new = NewPerson {
                display_name: format!("Person {index:02}"),
                contact: None,
                role: Role::Member,
                rules_version: Some(1),
            };
            let person = setup.add_person(&new, start).unwrap();
            setup.issue_pass(&key, person.id, NewPass::Member, start).unwrap().payload
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let state = AtomicU8::new(UP);

    let (front, side): (Acknowledged, Acknowledged) = std::thread::scope(|scope| {
        let kiosk = |door: usize| {
            let (url, key, passes, state, dir) = (link.url(&url), &key, &passes, &state, dir.path());
            scope.spawn(move || {
                let mut store = Store::connect(&url).unwrap();
                store.keep_spool(&dir.join(format!("offline-{door}.db")), start).unwrap();
                let mut acknowledged = Acknowledged::new();
                let (mut kept, mut after) = (0, 0);
                let began = Instant::now();
                for round in 0.. {
                    assert!(began.elapsed() < Duration::from_secs(90), "kiosk {door} is stuck: {kept} kept");
                    if state.load(Ordering::SeqCst) == MENDED && kept > 0 {
                        // The kiosk's housekeeping does this every half minute.
                        match store.sync_spool(start) {
                            Ok(_) if store.offline_since().unwrap().is_none() => after += 1,
                            Ok(_) | Err(StoreError::Offline) => {}
                            Err(error) => panic!("kiosk {door} could not send what it kept: {error}"),
                        }
                        if after >= 3 {
                            break;
                        }
                    }
                    let at = start + chrono::Duration::minutes(round);
                    let people = passes.iter().enumerate().skip(door * PEOPLE_PER_KIOSK).take(PEOPLE_PER_KIOSK);
                    for (person, pass) in people {
                        match store.scan(key, pass, at) {
                            Ok(ScanOutcome::CheckedIn { .. }) => acknowledged.push((person, true, at, false)),
                            Ok(ScanOutcome::CheckedOut { .. }) => acknowledged.push((person, false, at, false)),
                            Ok(ScanOutcome::Kept { checked_in, .. }) => {
                                kept += 1;
                                acknowledged.push((person, checked_in, at, true));
                            }
                            Ok(other) => panic!("a scan a minute later is a check-in or out: {other:?}"),
                            // Not acknowledged: the link was cut while the server had it.
                            Err(_) => {}
                        }
                    }
                    if state.load(Ordering::SeqCst) == CUT && kept > 0 {
                        // Offline: bookings wait for the server, in plain words; the roll-call is this kiosk's.
                        let slot = Slot::new(at + chrono::Duration::hours(1), at + chrono::Duration::hours(2)).unwrap();
                        let request = BookingRequest {
                            room: room.id,
                            slot,
                            title: "While offline".into(),
                            booked_by: None,
                            booked_for: None,
                            public: false,
                        };
                        let refused = store.book(&request, at).unwrap_err();
                        assert!(matches!(refused, StoreError::Offline), "{refused:?}");
                        assert!(refused.to_string().starts_with("Booking needs the network; checking in still works."));
                        assert!(store.offline_since().unwrap().is_some());
                        let on_roll: Vec<String> =
                            store.roll_call().unwrap().into_iter().map(|on| on.display_name).collect();
                        let mine_in = on_site(&acknowledged);
                        for person in &mine_in {
                            assert!(on_roll.contains(&format!("Person {person:02}")), "kiosk {door}: {on_roll:?}");
                        }
                    }
                }
                assert!(kept > 0, "kiosk {door} kept check-ins while the link was cut");
                acknowledged
            })
        };
        let (front, side) = (kiosk(0), kiosk(1));
        std::thread::sleep(Duration::from_millis(1500));
        link.cut();
        state.store(CUT, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(2500));
        link.mend();
        state.store(MENDED, Ordering::SeqCst);
        (front.join().unwrap(), side.join().unwrap())
    });

    // Every acknowledged check-in is one visit that began then, and every acknowledged check-out ended one.
    let export = Store::connect(&url).unwrap().export(start).unwrap();
    let visits = &export.tables["visits"];
    let person_ids: Vec<i64> = export.tables["people"].iter().map(|person| person["id"].as_i64().unwrap()).collect();
    let kept = front.iter().chain(&side).filter(|(.., kept)| *kept).count();
    assert!(kept > 0);
    for (person, checked_in, at, kept) in front.iter().chain(&side) {
        let column = if *checked_in { "checked_in_at" } else { "checked_out_at" };
        let matching = visits
            .iter()
            .filter(|visit| visit["person_id"] == person_ids[*person] && visit[column] == at.timestamp())
            .count();
        assert_eq!(matching, 1, "person {person} {column} {at} (kept offline: {kept})");
    }
    assert!(export.tables["bookings"].is_empty(), "nothing was booked while the server was away");
}

/// The people a kiosk last told they are checked in.
fn on_site(acknowledged: &Acknowledged) -> Vec<usize> {
    let mut last = std::collections::BTreeMap::new();
    for (person, checked_in, ..) in acknowledged {
        last.insert(*person, *checked_in);
    }
    last.into_iter().filter(|(_, checked_in)| *checked_in).map(|(person, _)| person).collect()
}

/// After a power cut the kiosk is often up before the network: it starts from the copy its spool kept, checks people
/// in, lists them, refuses bookings plainly; its web pages come up and answer once the server does, and what it
/// kept reaches the server.
#[test]
fn a_kiosk_that_starts_without_its_server_checks_people_in_and_catches_up_when_it_answers() {
    let link = Link::to_test_server();
    let mut hub = end_to_end::TestHub::on_postgres("2027-01-05 09:30");
    let direct = hub.server.clone();
    hub.server = hub.server.map(|url| link.url(&url));
    hub.ok(&["room", "add", "Workshop", "--capacity", "16"]);
    hub.ok(&["person", "add", "Ada Lovelace", "--role", "member"]);
    let pass = hub.json(&["pass", "issue", "Ada Lovelace", "--kind", "member"])["payload"].as_str().unwrap().to_owned();
    // Any command the kiosk runs takes the copy again: now with Ada's pass.
    hub.ok(&["roll-call"]);

    link.cut();
    let kept = hub.ok(&["scan", &pass]).stdout;
    assert!(kept.starts_with("Welcome, Ada! You are checked in. (Kept on this kiosk"), "{kept}");
    // The desk, still on the network, gives a newcomer a day pass meanwhile: the kiosk lets it in on its signature,
    // and counts its holder by the pass's number until the server says whose it is.
    let desk = end_to_end::TestHub { server: direct, ..hub.second_kiosk() };
    desk.ok(&["person", "add", "Bea Newcomer"]);
    let issued = desk.json(&["pass", "issue", "Bea Newcomer", "--kind", "day"]);
    let (bea, bea_number) = (issued["payload"].as_str().unwrap().to_owned(), issued["pass"]["id"].as_i64().unwrap());
    let kept = hub.ok(&["scan", &bea]).stdout;
    assert!(kept.starts_with("Welcome! You are checked in. (Kept on this kiosk"), "{kept}");
    let roll_call = hub.ok(&["roll-call"]).stdout;
    assert!(roll_call.contains("Ada Lovelace") && roll_call.contains(&format!("#{bea_number}")), "{roll_call}");
    let booking = hub.run(&["book", "--room", "Workshop", "--start", "10:00", "--duration", "1h"]);
    assert_ne!(booking.code, 0);
    assert!(booking.stderr.contains("Booking needs the network; checking in still works."), "{booking:?}");
    // A kiosk that never reached the server has nothing to work from, and says so.
    let refused = hub.second_kiosk().run(&["roll-call"]);
    assert!(refused.stderr.contains("the server cannot be reached, and this kiosk has no copy"), "{refused:?}");

    let server = hub.serve();
    let waiting = end_to_end::http_get(&server.address, "/");
    assert!(!waiting.starts_with("HTTP/1.1 200"), "nothing to show until the server answers: {waiting}");
    let kept = || -> u32 {
        let spool = rusqlite::Connection::open(hub.dir.path().join("offline.db")).unwrap();
        spool.query_row("SELECT count(*) FROM movements", [], |row| row.get(0)).unwrap()
    };
    assert_eq!(kept(), 2, "Ada's and Bea's check-ins wait on the kiosk");
    link.mend();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut page = String::new();
    while Instant::now() < deadline && !page.contains("Workshop") {
        std::thread::sleep(Duration::from_millis(250));
        page = end_to_end::http_get(&server.address, "/");
    }
    assert!(page.starts_with("HTTP/1.1 200") && page.contains("Workshop"), "{page}");
    // The running kiosk asks whether its server answers (off its database thread), then sends what it kept.
    while Instant::now() < deadline && kept() > 0 {
        std::thread::sleep(Duration::from_millis(250));
    }
    assert_eq!(kept(), 0, "the running kiosk sent its kept check-ins once the server answered");
    drop(server);

    let export = hub.json(&["export"]);
    let visits = export["tables"]["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 2, "the kept check-ins reached the server once each: {visits:?}");
    let roll_call = hub.ok(&["roll-call"]).stdout;
    assert!(roll_call.contains("Ada Lovelace") && roll_call.contains("Bea Newcomer"), "{roll_call}");
}
