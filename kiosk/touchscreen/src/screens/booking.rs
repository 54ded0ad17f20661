//! Book a room: a room, a day and start time inside its free time (buffers and closing time already left out),
//! a length that fits, then who — a scanned pass, or a typed name — and the booking's QR code to keep.

use std::rc::Rc;

use booking_core::{BookingRefusal, BookingRequest, IssuedPass, Opening, Refused, RoomAvailability, RoomId, Slot};
use chrono::{DateTime, Duration, Timelike, Utc};
use kiosk_runtime::hub::Hub;
use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};
use tracing::error;

use super::name::add_to_name;
use super::who::Who;
use super::{Controller, Touchscreen, settings};
use crate::qr;
use crate::ui::{BookingAdapter, BookingStep, LengthChoice, MainWindow, RoomCard, Screen, WelcomeAdapter};

/// How many days ahead the kiosk offers (a room's own limit may be shorter; the core then says so).
const DAYS_OFFERED: i64 = 7;
/// Start times are offered on these minute marks within free time, besides the start of each free range.
const START_STEP_MINUTES: i64 = 30;
const MAX_STARTS: usize = 20;
const LENGTHS: [u32; 8] = [30, 60, 90, 120, 180, 240, 360, 480];
/// What a booking made at the kiosk is called on the staff view and in calendars.
const KIOSK_TITLE: &str = "Booked at the kiosk";

/// What the person has chosen so far.
#[derive(Debug, Default)]
pub struct Choices {
    rooms: Vec<RoomId>,
    room: Option<RoomId>,
    /// Days from today (0) to the last offered.
    day: usize,
    free: Vec<Slot>,
    starts: Vec<DateTime<Utc>>,
    start: Option<DateTime<Utc>>,
    lengths: Vec<u32>,
    slot: Option<Slot>,
    /// The chosen room's shortest and longest booking, in minutes.
    limits: (u32, u32),
}

/// Start times to offer within free ranges: each range's start, then every half hour, while the shortest booking
/// still fits.
fn start_times(free: &[Slot], min_minutes: u32) -> Vec<DateTime<Utc>> {
    let shortest = Duration::minutes(i64::from(min_minutes));
    let mut starts = Vec::new();
    for range in free {
        let mut start = range.start();
        while start + shortest <= range.end() && starts.len() < MAX_STARTS {
            starts.push(start);
            let minutes = i64::from(start.minute()) % START_STEP_MINUTES;
            let step = if minutes == 0 { START_STEP_MINUTES } else { START_STEP_MINUTES - minutes };
            start = (start + Duration::minutes(step)).with_second(0).unwrap_or(start);
        }
    }
    starts
}

/// Lengths that fit from `start` to the end of its free range, within the room's limits.
fn lengths_from(start: DateTime<Utc>, free: &[Slot], min_minutes: u32, max_minutes: u32) -> Vec<u32> {
    let Some(range) = free.iter().find(|range| range.contains(start)) else { return Vec::new() };
    let room_left = (range.end() - start).num_minutes().max(0) as u32;
    let longest = room_left.min(max_minutes);
    let mut lengths: Vec<u32> = LENGTHS.iter().copied().filter(|m| *m >= min_minutes && *m <= longest).collect();
    if lengths.is_empty() && min_minutes <= longest {
        lengths.push(min_minutes);
    }
    lengths
}

fn connect(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let (weak, for_start) = (window.as_weak(), kiosk.clone());
    window.global::<WelcomeAdapter>().on_book_room(move || {
        let Some(window) = weak.upgrade() else { return };
        clear(&window);
        load_rooms(&window, &for_start);
        super::show(&window, &for_start, Screen::Booking);
    });

    let adapter = window.global::<BookingAdapter>();
    let (weak, for_room) = (window.as_weak(), kiosk.clone());
    adapter.on_choose_room(move |index| {
        let Some(window) = weak.upgrade() else { return };
        let room = usize::try_from(index).ok().and_then(|index| for_room.booking.borrow().rooms.get(index).copied());
        for_room.booking.borrow_mut().room = room;
        load_day(&window, &for_room, 0);
    });

    let (weak, for_day) = (window.as_weak(), kiosk.clone());
    adapter.on_move_day(move |step| {
        let Some(window) = weak.upgrade() else { return };
        let day = for_day.booking.borrow().day as i64 + i64::from(step);
        if (0..DAYS_OFFERED).contains(&day) {
            show_refusal(&window.global::<BookingAdapter>(), "");
            load_day(&window, &for_day, day as usize);
        }
    });

    let (weak, for_time) = (window.as_weak(), kiosk.clone());
    adapter.on_choose_start(move |index| {
        let Some(window) = weak.upgrade() else { return };
        let mut choices = for_time.booking.borrow_mut();
        let Some(start) = usize::try_from(index).ok().and_then(|index| choices.starts.get(index).copied()) else {
            return;
        };
        choices.start = Some(start);
        choices.lengths = choices.lengths_for(start);
        let lengths: Vec<LengthChoice> = choices
            .lengths
            .iter()
            .map(|minutes| LengthChoice {
                minutes: *minutes as i32,
                until: for_time.hm(start + Duration::minutes(i64::from(*minutes))).into(),
            })
            .collect();
        let adapter = window.global::<BookingAdapter>();
        show_refusal(&adapter, "");
        adapter.set_start(SharedString::from(for_time.hm(start)));
        adapter.set_lengths(ModelRc::new(VecModel::from(lengths)));
        adapter.set_step(BookingStep::Length);
    });

    let (weak, for_length) = (window.as_weak(), kiosk.clone());
    adapter.on_choose_length(move |index| {
        let Some(window) = weak.upgrade() else { return };
        let mut choices = for_length.booking.borrow_mut();
        let length = usize::try_from(index).ok().and_then(|index| choices.lengths.get(index).copied());
        let (Some(start), Some(minutes)) = (choices.start, length) else { return };
        let Ok(slot) = Slot::new(start, start + Duration::minutes(i64::from(minutes))) else { return };
        choices.slot = Some(slot);
        let adapter = window.global::<BookingAdapter>();
        show_refusal(&adapter, "");
        adapter.set_times(for_length.time_range(slot.start(), slot.end()).into());
        adapter.set_step(BookingStep::Who);
    });

    let weak = window.as_weak();
    adapter.on_type_name(move || {
        if let Some(window) = weak.upgrade() {
            let adapter = window.global::<BookingAdapter>();
            show_refusal(&adapter, "");
            adapter.set_step(BookingStep::Name);
        }
    });
    let weak = window.as_weak();
    adapter.on_typed(move |text| {
        if let Some(window) = weak.upgrade() {
            let adapter = window.global::<BookingAdapter>();
            adapter.set_name(add_to_name(&adapter.get_name(), &text).into());
        }
    });
    let weak = window.as_weak();
    adapter.on_backspace(move || {
        if let Some(window) = weak.upgrade() {
            let adapter = window.global::<BookingAdapter>();
            let mut name = adapter.get_name().to_string();
            name.pop();
            adapter.set_name(name.into());
        }
    });
    let (weak, for_name) = (window.as_weak(), kiosk.clone());
    adapter.on_name_done(move || {
        let Some(window) = weak.upgrade() else { return };
        let name = window.global::<BookingAdapter>().get_name().trim().to_string();
        if !name.is_empty() {
            book(&window, &for_name, Who::Named(name));
        }
    });

    let (weak, for_back) = (window.as_weak(), kiosk.clone());
    adapter.on_back(move || {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<BookingAdapter>();
        show_refusal(&adapter, "");
        match adapter.get_step() {
            BookingStep::Name => adapter.set_step(BookingStep::Who),
            BookingStep::Who => adapter.set_step(BookingStep::Length),
            BookingStep::Length => adapter.set_step(BookingStep::Time),
            BookingStep::Time => adapter.set_step(BookingStep::Room),
            BookingStep::Room | BookingStep::Done => super::go_home(&window, &for_back),
        }
    });
    let (weak, for_done) = (window.as_weak(), kiosk.clone());
    adapter.on_done(move || {
        if let Some(window) = weak.upgrade() {
            super::visitor_done(&window, &for_done);
        }
    });
}

impl Choices {
    fn lengths_for(&self, start: DateTime<Utc>) -> Vec<u32> {
        let (min, max) = self.limits;
        lengths_from(start, &self.free, min, max)
    }
}

fn load_rooms(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let now = kiosk.now();
    let (weak, ui_kiosk) = (window.as_weak(), kiosk.clone());
    kiosk.worker.run(
        move |hub| {
            let occupancy = hub.store.occupancy(now).map_err(|error| error.to_string())?;
            // Without the server, occupancy is the kiosk's own count and lists no rooms: there is nothing to book.
            if hub.store.server_away() {
                return Err(booking_core::StoreError::Offline.to_string());
            }
            Ok(occupancy)
        },
        move |occupancy| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<BookingAdapter>();
            let Ok(occupancy) = occupancy.inspect_err(|error| error!("could not list rooms: {error}")) else {
                show_failure(&adapter);
                return;
            };
            let rooms: Vec<_> = occupancy.rooms.into_iter().filter(|room| room.room.bookable).collect();
            let cards: Vec<RoomCard> = rooms
                .iter()
                .map(|room| RoomCard {
                    name: room.room.name.as_str().into(),
                    capacity: room.room.capacity as i32,
                    busy_until: room
                        .now
                        .as_ref()
                        .map(|b| SharedString::from(ui_kiosk.hm(b.slot.end())))
                        .unwrap_or_default(),
                })
                .collect();
            adapter.set_rooms(ModelRc::new(VecModel::from(cards)));
            ui_kiosk.booking.borrow_mut().rooms = rooms.iter().map(|room| room.room.id).collect();
            adapter.set_step(BookingStep::Room);
        },
    );
}

/// Loads the chosen room's free time on day `day` (0 = today) and offers start times.
fn load_day(window: &MainWindow, kiosk: &Rc<Touchscreen>, day: usize) {
    let Some(room) = kiosk.booking.borrow().room else { return };
    let now = kiosk.now();
    let zone = kiosk.zone.get();
    let date = now.with_timezone(&zone).date_naive() + Duration::days(day as i64);
    let (weak, ui_kiosk) = (window.as_weak(), kiosk.clone());
    kiosk.worker.run(
        move |hub| -> Result<(RoomAvailability, Option<String>), String> {
            let day = hub.store.availability(date, now).map_err(|error| error.to_string())?;
            let found = day.into_iter().find(|entry| entry.room.id == room).ok_or("the room is no longer bookable")?;
            let closes = match hub.store.opening_on(date).map_err(|error| error.to_string())? {
                Opening::Open { hours, .. } => Some(hours.closes.format("%H:%M").to_string()),
                Opening::Closed { .. } => None,
            };
            Ok((found, closes))
        },
        move |loaded| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<BookingAdapter>();
            let (availability, closes) = match loaded {
                Ok(loaded) => loaded,
                Err(error) => {
                    error!("could not load free times: {error}");
                    show_failure(&adapter);
                    return;
                }
            };
            let locale = settings::current_locale(&window);
            let mut choices = ui_kiosk.booking.borrow_mut();
            choices.day = day;
            choices.limits = (availability.room.min_minutes, availability.room.max_minutes);
            choices.starts = start_times(&availability.free, availability.room.min_minutes);
            choices.free = availability.free;
            let starts: Vec<SharedString> =
                choices.starts.iter().map(|start| SharedString::from(ui_kiosk.hm(*start))).collect();
            adapter.set_room(availability.room.name.as_str().into());
            adapter.set_buffer_minutes(availability.room.buffer_minutes as i32);
            adapter.set_closes(closes.unwrap_or_default().into());
            adapter.set_day(kiosk_runtime::times::day(date, locale).into());
            adapter.set_is_today(day == 0);
            adapter.set_has_day_before(day > 0);
            adapter.set_has_day_after((day as i64) < DAYS_OFFERED - 1);
            adapter.set_starts(ModelRc::new(VecModel::from(starts)));
            adapter.set_step(BookingStep::Time);
        },
    );
}

fn make(
    hub: &mut Hub,
    request: &BookingRequest,
    who: Who,
    now: DateTime<Utc>,
) -> booking_core::Result<Result<IssuedPass, Refused<BookingRefusal>>> {
    Ok(hub.store.book_room(&hub.key, request, who.booker(), now)?.map(|(_, pass)| pass))
}

/// Books the chosen room and time for `who`; a pass scanned on the "who" step comes here.
fn book(window: &MainWindow, kiosk: &Rc<Touchscreen>, who: Who) {
    let (room, slot) = {
        let choices = kiosk.booking.borrow();
        (choices.room, choices.slot)
    };
    let (Some(room), Some(slot)) = (room, slot) else { return };
    let request =
        BookingRequest { room, slot, title: KIOSK_TITLE.into(), booked_by: None, booked_for: None, public: false };
    let now = kiosk.now();
    let (weak, ui_kiosk) = (window.as_weak(), kiosk.clone());
    kiosk.worker.run(
        move |hub| make(hub, &request, who, now).map_err(|error| error.to_string()),
        move |made| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<BookingAdapter>();
            match made {
                Ok(Ok(pass)) => match qr::pass_image(&pass.payload) {
                    Ok(image) => {
                        adapter.set_booking_code(image);
                        show_refusal(&adapter, "");
                        adapter.set_step(BookingStep::Done);
                    }
                    Err(error) => {
                        error!("could not draw the booking code: {error}");
                        show_failure(&adapter);
                    }
                },
                Ok(Err(refused)) => {
                    show_refusal(&adapter, settings::reason(&window, &refused));
                    // Someone else may have taken the time: show the day's free times as they are now.
                    if let Refused::Rule(_) = refused {
                        let day = ui_kiosk.booking.borrow().day;
                        load_day(&window, &ui_kiosk, day);
                    }
                }
                Err(error) => {
                    error!("a booking failed: {error}");
                    show_failure(&adapter);
                }
            }
        },
    );
}

/// Says why the booking was not made, in the visitor's language ("" says nothing).
fn show_refusal(adapter: &BookingAdapter, reason: impl Into<SharedString>) {
    adapter.set_refusal(reason.into());
    adapter.set_failed(false);
}

/// Says the kiosk itself failed: never the person's fault, so no reason of theirs.
fn show_failure(adapter: &BookingAdapter) {
    adapter.set_refusal(SharedString::new());
    adapter.set_failed(true);
}

/// Forgets the last person's choices and name.
fn clear(window: &MainWindow) {
    let adapter = window.global::<BookingAdapter>();
    adapter.set_step(BookingStep::Room);
    adapter.set_name(SharedString::new());
    adapter.set_booking_code(Image::default());
    show_refusal(&adapter, "");
}

/// Book a room: room, day and time, length, then who (a pass, or a name).
#[derive(Debug)]
pub struct BookingScreen;

impl Controller for BookingScreen {
    fn screen(&self) -> Screen {
        Screen::Booking
    }

    fn connect(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        connect(window, kiosk);
    }

    fn clear(&self, window: &MainWindow, _kiosk: &Rc<Touchscreen>) {
        clear(window);
    }

    /// On "who is booking", a pass says who.
    fn scanned(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>, scan: &str) -> bool {
        let waiting = window.global::<BookingAdapter>().get_step() == BookingStep::Who;
        if waiting {
            book(window, kiosk, Who::Pass(scan.to_owned()));
        }
        waiting
    }
}
