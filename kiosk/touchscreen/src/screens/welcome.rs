//! Welcome: the hub's name, the time, what is on today, and the big actions.

use std::rc::Rc;
use std::time::Duration;

use anyhow::Result;
use booking_core::{Event, UnconferenceBoard, local_day};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kiosk_runtime::hub::Hub;
use slint::{ComponentHandle, ModelRc, SharedString, Timer, TimerMode, VecModel};
use tracing::warn;

use super::{Controller, Touchscreen, host_notices, settings};
use crate::ui::{DayLine, EventLine, Highlight, HubInfo, LoadState, MainWindow, Screen, WelcomeAdapter};

/// How often the clock and the day's highlights are brought up to date.
const CLOCK_EVERY: Duration = Duration::from_secs(1);
const DATA_EVERY: Duration = Duration::from_secs(30);

/// What the Welcome screen shows, read from the hub in one job.
#[derive(Debug, Clone)]
pub struct WelcomeData {
    pub hub_name: String,
    pub zone: Tz,
    pub events: Vec<Event>,
    pub days: Vec<UnconferenceBoard>,
    pub surgeries: Vec<SurgeryHighlight>,
    pub rooms_free_now: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SurgeryHighlight {
    pub topic: String,
    pub place: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub free_places: u32,
}

/// Today's events, unconference days and surgeries that have not finished (with the places still free), and the
/// bookable rooms with nothing on now.
pub fn load(hub: &mut Hub, now: DateTime<Utc>) -> Result<WelcomeData> {
    let site = hub.store.site()?;
    let zone = site.time_zone;
    let date = now.with_timezone(&zone).date_naive();
    let today = local_day(zone, date);
    let events =
        hub.store.events_overlapping(today)?.into_iter().filter(|event| !event.cancelled && event.time.end() > now);
    let days =
        hub.store.unconferences_on(date)?.into_iter().filter(|day| day.span().is_some_and(|span| span.end() > now));
    let surgeries = hub
        .store
        .surgeries_overlapping(today)?
        .into_iter()
        .filter(|surgery| !surgery.cancelled && surgery.time.end() > now)
        .map(|surgery| SurgeryHighlight {
            free_places: surgery.slots.iter().filter(|slot| slot.time.start() >= now).map(|slot| slot.free()).sum(),
            topic: surgery.topic,
            place: surgery.place,
            start: surgery.time.start(),
            end: surgery.time.end(),
        })
        .collect();
    let open_now = hub.store.is_open_at(now)?;
    let rooms_free_now = if open_now {
        let occupancy = hub.store.occupancy(now)?;
        occupancy
            .rooms
            .into_iter()
            .filter(|room| room.room.bookable && room.now.is_none())
            .map(|room| room.room.name)
            .collect()
    } else {
        Vec::new()
    };
    Ok(WelcomeData {
        hub_name: site.name,
        zone,
        events: events.collect(),
        days: days.collect(),
        surgeries,
        rooms_free_now,
    })
}

fn connect(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let adapter = window.global::<WelcomeAdapter>();
    let weak = window.as_weak();
    let for_check_in = kiosk.clone();
    adapter.on_check_in_out(move || {
        if let Some(window) = weak.upgrade() {
            super::open(&window, &for_check_in, Screen::CheckIn);
        }
    });
    let (weak, for_register) = (window.as_weak(), kiosk.clone());
    adapter.on_register(move || {
        if let Some(window) = weak.upgrade() {
            super::open(&window, &for_register, Screen::WalkIn);
        }
    });

    refresh(window, kiosk);
    settings::show_time(window, kiosk);
    let (clock_timer, data_timer) = (Timer::default(), Timer::default());
    let (weak, clock_kiosk) = (window.as_weak(), kiosk.clone());
    clock_timer.start(TimerMode::Repeated, CLOCK_EVERY, move || {
        if let Some(window) = weak.upgrade() {
            settings::show_time(&window, &clock_kiosk);
        }
    });
    let (weak, data_kiosk) = (window.as_weak(), kiosk.clone());
    data_timer.start(TimerMode::Repeated, DATA_EVERY, move || {
        if let Some(window) = weak.upgrade() {
            refresh(&window, &data_kiosk);
        }
    });
    kiosk.keep(clock_timer);
    kiosk.keep(data_timer);
}

/// Reloads the day's highlights from the hub.
pub fn refresh(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    super::load_and_show(window, kiosk, "today's highlights", load, show_data, |window| {
        // Say so, rather than keep a list that may no longer be true.
        let adapter = window.global::<WelcomeAdapter>();
        adapter.set_state(LoadState::Failed);
        adapter.set_events(ModelRc::default());
        adapter.set_days(ModelRc::default());
        adapter.set_surgeries(ModelRc::default());
        adapter.set_rooms_free_now(ModelRc::default());
    });
}

fn show_data(window: &MainWindow, kiosk: &Rc<Touchscreen>, data: &WelcomeData) {
    kiosk.zone.set(data.zone);
    window.global::<HubInfo>().set_hub_name(data.hub_name.as_str().into());
    window.global::<WelcomeAdapter>().set_state(LoadState::Ready);
    let highlights: Vec<Highlight> = data
        .surgeries
        .iter()
        .map(|surgery| Highlight {
            title: surgery.topic.as_str().into(),
            place: surgery.place.as_str().into(),
            time: kiosk.time_range(surgery.start, surgery.end).into(),
            free_places: surgery.free_places as i32,
        })
        .collect();
    let events: Vec<EventLine> = data
        .events
        .iter()
        .map(|event| EventLine {
            id: event.id.0 as i32,
            title: event.title.as_str().into(),
            time: kiosk.time_range(event.time.start(), event.time.end()).into(),
            place: event.room.as_str().into(),
            free_places: event.free() as i32,
        })
        .collect();
    let days: Vec<DayLine> = data
        .days
        .iter()
        .filter_map(|day| {
            let span = day.span()?;
            Some(DayLine {
                id: day.id.0 as i32,
                title: day.title.as_str().into(),
                time: kiosk.time_range(span.start(), span.end()).into(),
            })
        })
        .collect();
    let adapter = window.global::<WelcomeAdapter>();
    adapter.set_events(ModelRc::new(VecModel::from(events)));
    adapter.set_days(ModelRc::new(VecModel::from(days)));
    adapter.set_surgeries(ModelRc::new(VecModel::from(highlights)));
    let free: Vec<SharedString> = data.rooms_free_now.iter().map(|room| room.as_str().into()).collect();
    adapter.set_rooms_free_now(ModelRc::new(VecModel::from(free)));
    host_notices::show(window, kiosk);
    settings::show_time(window, kiosk);
}

/// Shows the web pages' address as a QR code on Welcome, so a visitor can carry on on their own phone.
pub fn show_web_address(window: &MainWindow, url: &str) {
    match crate::qr::link_image(url) {
        Ok(image) => {
            let adapter = window.global::<WelcomeAdapter>();
            adapter.set_web_qr(image);
            adapter.set_web_address(url.into());
        }
        Err(error) => warn!("no QR code for {url}: {error:#}"),
    }
}

/// Welcome: today at the hub, and the way into everything else.
#[derive(Debug)]
pub struct WelcomeScreen;

impl Controller for WelcomeScreen {
    fn screen(&self) -> Screen {
        Screen::Welcome
    }

    fn connect(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        connect(window, kiosk);
    }

    /// Welcome keeps nothing of a visitor's (host notices go when the visitor checks out).
    fn clear(&self, _window: &MainWindow, _kiosk: &Rc<Touchscreen>) {}
}
