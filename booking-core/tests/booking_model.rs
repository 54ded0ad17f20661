//! Random sequences of book / cancel / move compared with a plain reference model: the store must book exactly
//! when the model says the rules allow it, every refusal must be justified, and no two active bookings of a room
//! may ever overlap (buffers included). On the engine `HUB_TEST_ENGINE` names: tests/run runs it on SQLite, then on
//! PostgreSQL, where the exclusion constraint and serializable writes keep the same promises.

use booking_core::{
    Booking, BookingId, BookingOutcome, BookingRefusal, BookingRequest, CancelOutcome, NewRoom, NewSite, Room, Slot,
    Store,
};
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc, Weekday};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Book { room: usize, day: u32, start_step: u32, length_step: u32 },
    Cancel { pick: usize },
    Move { pick: usize, day: u32, start_step: u32, length_step: u32 },
}

fn op() -> impl Strategy<Value = Op> {
    // January 2027 is GMT, so local time is UTC here; days 4–10 run Monday to Sunday.
    let when = (4u32..=10, 0u32..=(11 * 12), 1u32..=60);
    prop_oneof![
        6 => (0usize..2, when.clone()).prop_map(|(room, (day, start_step, length_step))| Op::Book { room, day, start_step, length_step }),
        1 => any::<usize>().prop_map(|pick| Op::Cancel { pick }),
        2 => (any::<usize>(), when).prop_map(|(pick, (day, start_step, length_step))| Op::Move { pick, day, start_step, length_step }),
    ]
}

/// 08:00 + 5-minute steps on 2027-01-`day`, lasting 5-minute steps.
fn slot_of(day: u32, start_step: u32, length_step: u32) -> Slot {
    let start = Utc.with_ymd_and_hms(2027, 1, day, 8, 0, 0).unwrap() + Duration::minutes(5 * i64::from(start_step));
    Slot::new(start, start + Duration::minutes(5 * i64::from(length_step))).unwrap()
}

#[derive(Debug, Clone)]
struct ModelBooking {
    id: BookingId,
    room: usize,
    slot: Slot,
    active: bool,
}

/// What the rules say about `slot` in `room`, as the kinds of refusal the store gives (in the store's order).
fn model_verdict(
    rooms: &[Room],
    model: &[ModelBooking],
    room: usize,
    slot: Slot,
    moving: Option<BookingId>,
) -> Option<&'static str> {
    let policy = &rooms[room];
    let minutes = slot.minutes();
    if minutes < i64::from(policy.min_minutes) {
        return Some("too short");
    }
    if minutes > i64::from(policy.max_minutes) {
        return Some("too long");
    }
    if slot.start().weekday() == Weekday::Sun {
        return Some("closed");
    }
    let day_start = slot.start().date_naive().and_hms_opt(9, 0, 0).unwrap().and_utc();
    let day_end = slot.start().date_naive().and_hms_opt(18, 0, 0).unwrap().and_utc();
    if slot.start() < day_start || slot.end() > day_end {
        return Some("outside hours");
    }
    let buffer = Duration::minutes(i64::from(policy.buffer_minutes));
    let clash = model.iter().any(|other| {
        other.active
            && other.room == room
            && Some(other.id) != moving
            && other.slot.start() < slot.end() + buffer
            && slot.start() < other.slot.end() + buffer
    });
    clash.then_some("conflict")
}

fn kind(refusal: &BookingRefusal) -> &'static str {
    match refusal {
        BookingRefusal::TooShort { .. } => "too short",
        BookingRefusal::TooLong { .. } => "too long",
        BookingRefusal::Closed { .. } => "closed",
        BookingRefusal::OutsideHours { .. } => "outside hours",
        BookingRefusal::Conflict { .. } => "conflict",
        other => panic!("unexpected refusal: {other:?}"),
    }
}

fn assert_no_overlaps(store: &Store, rooms: &[Room]) {
    let all = Slot::new(
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap(),
    )
    .unwrap();
    let active: Vec<Booking> =
        store.bookings_overlapping(all, None).unwrap().into_iter().filter(|b| b.status.is_active()).collect();
    for (index, a) in active.iter().enumerate() {
        for b in &active[index + 1..] {
            if a.room_id != b.room_id {
                continue;
            }
            let buffer = Duration::minutes(i64::from(rooms.iter().find(|r| r.id == a.room_id).unwrap().buffer_minutes));
            assert!(
                a.slot.end() + buffer <= b.slot.start() || b.slot.end() + buffer <= a.slot.start(),
                "bookings #{} and #{} overlap",
                a.id,
                b.id
            );
        }
    }
}

/// A fresh store: SQLite in memory, or with `HUB_TEST_ENGINE=postgres` a schema of its own on the server
/// `HUB_TEST_POSTGRES` names.
fn fresh_store() -> Store {
    match std::env::var("HUB_TEST_ENGINE").as_deref() {
        Ok("postgres") => {
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let server = std::env::var("HUB_TEST_POSTGRES").expect("HUB_TEST_POSTGRES names the test server");
            let next = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let schema = format!("model_{}_{next}", std::process::id());
            let mut client = postgres::Client::connect(&server, postgres::NoTls).expect("the test server");
            client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).unwrap();
            Store::connect(&format!("{server} options='-c search_path={schema},public'")).unwrap()
        }
        _ => Store::open_in_memory().unwrap(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn store_agrees_with_the_reference_model(ops in prop::collection::vec(op(), 1..60)) {
        let mut store = fresh_store();
        store.init_site(&NewSite { name: "Model Hub".into(), time_zone: "Europe/London".into(), safe_capacity: 50, retention_days: 30 }).unwrap();
        let mut tight = NewRoom::named("Tight", 4);
        tight.max_minutes = 240;
        let mut buffered = NewRoom::named("Buffered", 10);
        buffered.buffer_minutes = 10;
        buffered.max_minutes = 240;
        let rooms = vec![store.add_room(&tight).unwrap(), store.add_room(&buffered).unwrap()];
        let now: DateTime<Utc> = Utc.with_ymd_and_hms(2027, 1, 1, 12, 0, 0).unwrap();
        let mut model: Vec<ModelBooking> = Vec::new();

        for op in ops {
            match op {
                Op::Book { room, day, start_step, length_step } => {
                    let slot = slot_of(day, start_step, length_step);
                    let expected = model_verdict(&rooms, &model, room, slot, None);
                    let request = BookingRequest { room: rooms[room].id, slot, title: "Test".into(), booked_by: None, booked_for: None, public: false };
                    match store.book(&request, now).unwrap() {
                        BookingOutcome::Booked(booking) => {
                            prop_assert_eq!(expected, None, "store booked what the model refuses");
                            model.push(ModelBooking { id: booking.id, room, slot, active: true });
                        }
                        BookingOutcome::Refused(refusal) => {
                            prop_assert_eq!(expected, Some(kind(&refusal)), "{:?}", refusal);
                            if let BookingRefusal::Conflict { with, .. } = refusal {
                                let other = model.iter().find(|b| b.id == with).expect("conflict names a real booking");
                                prop_assert!(other.active && other.room == room);
                            }
                        }
                    }
                }
                Op::Cancel { pick } => {
                    if model.is_empty() { continue; }
                    let index = pick % model.len();
                    let outcome = store.cancel_booking(model[index].id, None, now).unwrap();
                    prop_assert_eq!(matches!(outcome, CancelOutcome::Cancelled(_)), model[index].active);
                    model[index].active = false;
                }
                Op::Move { pick, day, start_step, length_step } => {
                    let Some(index) = (!model.is_empty()).then(|| pick % model.len()) else { continue };
                    if !model[index].active { continue; }
                    let slot = slot_of(day, start_step, length_step);
                    let expected = model_verdict(&rooms, &model, model[index].room, slot, Some(model[index].id));
                    match store.move_booking(model[index].id, slot, now).unwrap() {
                        BookingOutcome::Booked(_) => {
                            prop_assert_eq!(expected, None);
                            model[index].slot = slot;
                        }
                        BookingOutcome::Refused(refusal) => prop_assert_eq!(expected, Some(kind(&refusal))),
                    }
                }
            }
        }
        assert_no_overlaps(&store, &rooms);
        for booking in &model {
            let stored = store.booking(booking.id).unwrap();
            prop_assert_eq!(stored.slot, booking.slot);
            prop_assert_eq!(stored.status.is_active(), booking.active);
        }
    }
}
