//! Any bytes as a room's calendar file: it is read, or refused naming a line (and then nothing changes); what is
//! read gives busy times that are never empty, stay inside the window asked for, and that no booking can overlap.
#![no_main]

use booking_core::{BookingOutcome, BookingRequest, NewRoom, NewSite, Slot, Store, read_ics};
use chrono::{Duration, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let now = Utc.with_ymd_and_hms(2027, 1, 5, 11, 0, 0).unwrap();
    let window = Slot::new(now - Duration::days(1), now + Duration::days(91)).unwrap();
    let read = read_ics(text).map(|file| file.busy(chrono_tz::Europe::London, window));
    let mut store = Store::open_in_memory().expect("an in-memory hub");
    let site = NewSite { name: "Hub".into(), time_zone: "Europe/London".into(), safe_capacity: 40, retention_days: 30 };
    store.init_site(&site).expect("a site");
    let room = store.add_room(&NewRoom::named("Studio", 8)).expect("a room").id;
    let imported = store.import_calendar("fuzz.ics", room, text, now);
    match read {
        Ok(Ok(busy)) => {
            let outcome = imported.expect("what reads, imports");
            assert_eq!(outcome.blocks, busy.len());
            for block in &busy {
                assert!(block.slot.end() > window.start() && block.slot.start() < window.end(), "outside the window");
            }
            // Booking over a few of them is enough to catch a block the rules miss (each try is a transaction).
            for block in busy.iter().take(4) {
                let request = BookingRequest {
                    room,
                    slot: block.slot,
                    title: "Over it".into(),
                    booked_by: None,
                    booked_for: None,
                    public: false,
                };
                assert!(!matches!(store.book(&request, now).expect("a booking answers"), BookingOutcome::Booked(_)));
            }
        }
        Ok(Err(error)) | Err(error) => {
            assert!(error.line >= 1 && !error.problem.is_empty());
            assert!(imported.is_err(), "what does not read, does not import");
            assert!(store.room_calendars(now).expect("calendars").is_empty(), "a refused file changed something");
        }
    }
});
