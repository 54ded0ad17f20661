//! A child process for the race test: tries `COUNT` bookings of pseudo-random, overlapping ranges in room 1 of the
//! hub in `DIR` (seeded by `SEED`), and prints `booked ID START END` for each one the store accepted.
//!
//! `race-worker DIR SEED COUNT`

use std::io::Write;

use booking_core::{BookingOutcome, BookingRequest, RoomId, Slot, Store};
use chrono::{Duration, TimeZone, Utc};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("DIR"));
    let mut seed: u64 = args.next().expect("SEED").parse().expect("a seed");
    let count: u32 = args.next().expect("COUNT").parse().expect("a count");
    let mut store = Store::open(&dir.join("hub.db")).expect("the hub opens");
    let now = Utc.with_ymd_and_hms(2027, 1, 4, 8, 0, 0).unwrap();
    let day = Utc.with_ymd_and_hms(2027, 1, 5, 9, 0, 0).unwrap();
    let mut out = std::io::stdout().lock();
    for _ in 0..count {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        // Starts on a 15-minute grid over 09:00–17:00, 15 to 120 minutes long: plenty of overlap between workers.
        let start = day + Duration::minutes(15 * ((seed >> 33) % 32) as i64);
        let length = Duration::minutes(15 * (1 + ((seed >> 45) % 8) as i64));
        let request = BookingRequest {
            room: RoomId(1),
            slot: Slot::new(start, start + length).unwrap(),
            title: "Race".into(),
            booked_by: None,
            booked_for: None,
            public: false,
        };
        if let BookingOutcome::Booked(booking) = store.book(&request, now).expect("book") {
            writeln!(out, "booked {} {} {}", booking.id, start.timestamp(), (start + length).timestamp()).unwrap();
        }
    }
}
