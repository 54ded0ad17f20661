//! A child process for the contention benchmark: books `COUNT` one-hour slots in room `ROOM` of the hub in `DIR`
//! through booking-core (a `BEGIN IMMEDIATE` transaction and a durable commit each), while other workers do the
//! same on the same database. Prints how many were booked.
//!
//! `book-worker DIR ROOM COUNT`

use booking_core::{BookingOutcome, BookingRequest, RoomId, Slot, Store};
use chrono::{Duration, TimeZone, Utc};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("DIR"));
    let room = RoomId(args.next().expect("ROOM").parse().expect("a room number"));
    let count: i64 = args.next().expect("COUNT").parse().expect("a count");
    let mut store = Store::open(&dir.join("hub.db")).expect("the hub opens");
    let now = Utc.with_ymd_and_hms(2027, 1, 4, 8, 0, 0).unwrap();
    let mut booked = 0;
    for index in 0..count {
        // Weekdays 09:00–17:00, one hour each, on consecutive days from Tuesday.
        let day = index / 8;
        let start = Utc.with_ymd_and_hms(2027, 1, 5, 9, 0, 0).unwrap()
            + Duration::days(day + day / 5 * 2)
            + Duration::hours(index % 8);
        let request = BookingRequest {
            room,
            slot: Slot::new(start, start + Duration::hours(1)).unwrap(),
            title: "Contention".into(),
            booked_by: None,
            booked_for: None,
            public: false,
        };
        if let BookingOutcome::Booked(_) = store.book(&request, now).expect("book") {
            booked += 1;
        }
    }
    println!("{booked}");
}
