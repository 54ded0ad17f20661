//! The staff view, behind a PIN: who is on site (the roll-call, ticked off in an evacuation), how full the
//! building is, what each room is doing, and today's arrivals. It locks itself when left alone.

use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

use anyhow::Result;
use booking_core::{OnSite, Opening, PersonId, Role, StoreError};
use chrono::{DateTime, Timelike, Utc};
use kiosk_runtime::hub::Hub;
use kiosk_sensors::{AlertKind, SensorState};
use slint::{ComponentHandle, Model, ModelRc, SharedString, Timer, TimerMode, VecModel};
use tracing::error;

use super::pin_entry::{self, PinEntry, PinScreen, Refusal};
use super::{Controller, Touchscreen};
use crate::ui::{
    DoorStatus, MainWindow, MotionStatus, Navigation, PersonRole, PinMessage, RollCallEntry, RoomStatus, Screen,
    SensorAlert, SensorAlertKind, StaffAdapter, StaffStep, StaffTab, WelcomeAdapter,
};

/// How often the open staff view re-reads the hub.
const REFRESH_EVERY: Duration = Duration::from_secs(10);

/// Where the staff view keeps its PIN pad's state.
const PIN: PinScreen = PinScreen {
    get: |window| window.global::<StaffAdapter>().get_pin(),
    set: |window, state| window.global::<StaffAdapter>().set_pin(state),
};

/// What the staff controller remembers between taps.
#[derive(Debug, Default)]
pub struct StaffState {
    staff: Vec<PersonId>,
    chosen: Option<PersonId>,
    /// The digits typed so far; never shown, cleared after every attempt.
    pin: PinEntry,
    /// People in the order of the roll-call on screen.
    roll_call: Vec<PersonId>,
    /// Who has been ticked off. Kept by person, so a refresh or an accidental lock loses no tick.
    ticked: HashSet<PersonId>,
}

/// The staff view's numbers, read in one job.
#[derive(Debug, Clone)]
pub struct StaffData {
    pub on_site: u32,
    pub safe_capacity: u32,
    pub percent: u32,
    pub roll_call: Vec<OnSite>,
    pub rooms: Vec<RoomLine>,
    pub arrivals_per_hour: [u32; 24],
    /// The hours to chart: opening hours today, widened to any hour with arrivals.
    pub hours: std::ops::Range<u32>,
    /// Since when the kiosk has been checking people in without the network's server; the roll-call is then
    /// everyone it has seen.
    pub offline_since: Option<DateTime<Utc>>,
}

/// One room's line: what is on now (title, until) and next (title, from).
#[derive(Debug, Clone)]
pub struct RoomLine {
    pub name: String,
    pub now: Option<(String, DateTime<Utc>)>,
    pub next: Option<(String, DateTime<Utc>)>,
}

pub fn load(hub: &mut Hub, now: DateTime<Utc>) -> Result<StaffData> {
    let site = hub.store.site()?;
    let occupancy = hub.store.occupancy(now)?;
    let roll_call = hub.store.roll_call()?;
    let rooms = occupancy
        .rooms
        .iter()
        .map(|room| RoomLine {
            name: room.room.name.clone(),
            now: room.now.as_ref().map(|b| (b.title.clone(), b.slot.end())),
            next: room.next.as_ref().map(|b| (b.title.clone(), b.slot.start())),
        })
        .collect();
    let zone = site.time_zone;
    let (mut first, mut last) = match hub.store.opening_on(now.with_timezone(&zone).date_naive()) {
        Ok(Opening::Open { hours, .. }) => {
            (hours.opens.hour(), hours.closes.hour() + u32::from(hours.closes.minute() > 0))
        }
        Ok(Opening::Closed { .. }) | Err(StoreError::Offline) => (8, 20),
        Err(error) => return Err(error.into()),
    };
    for (hour, count) in occupancy.arrivals_per_hour.iter().enumerate() {
        if *count > 0 {
            first = first.min(hour as u32);
            last = last.max(hour as u32 + 1);
        }
    }
    Ok(StaffData {
        on_site: occupancy.on_site,
        safe_capacity: occupancy.safe_capacity,
        percent: occupancy.percent_of_capacity,
        roll_call,
        rooms,
        arrivals_per_hour: occupancy.arrivals_per_hour,
        hours: first..last.min(24),
        offline_since: hub.store.offline_since()?,
    })
}

fn connect(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let state = kiosk.staff.clone();

    let (weak, for_start) = (window.as_weak(), kiosk.clone());
    window.global::<WelcomeAdapter>().on_staff(move || {
        if let Some(window) = weak.upgrade() {
            start(&window, &for_start);
        }
    });

    let adapter = window.global::<StaffAdapter>();
    let (weak, chosen) = (window.as_weak(), state.clone());
    adapter.on_staff_chosen(move |index| {
        let Some(window) = weak.upgrade() else { return };
        let mut state = chosen.borrow_mut();
        state.chosen = usize::try_from(index).ok().and_then(|index| state.staff.get(index)).copied();
        let adapter = window.global::<StaffAdapter>();
        let name = adapter.get_staff_names().row_data(index as usize).unwrap_or_default();
        state.pin.start(&window, PIN, &name);
        adapter.set_step(StaffStep::Pin);
    });

    let (weak, typed) = (window.as_weak(), state.clone());
    adapter.on_digit(move |digit| {
        let Some(window) = weak.upgrade() else { return };
        let mut state = typed.borrow_mut();
        state.pin.push(&digit);
        state.pin.show_digits(&window, PIN);
    });

    let (weak, typed) = (window.as_weak(), state.clone());
    adapter.on_delete_digit(move || {
        let Some(window) = weak.upgrade() else { return };
        let mut state = typed.borrow_mut();
        state.pin.pop();
        state.pin.show_digits(&window, PIN);
    });

    let (weak, for_pin) = (window.as_weak(), kiosk.clone());
    adapter.on_submit_pin(move || {
        if let Some(window) = weak.upgrade() {
            submit_pin(&window, &for_pin);
        }
    });

    let (weak, ticking) = (window.as_weak(), state.clone());
    adapter.on_tick(move |index| {
        let Some(window) = weak.upgrade() else { return };
        let mut state = ticking.borrow_mut();
        let Some(person) = usize::try_from(index).ok().and_then(|index| state.roll_call.get(index)).copied() else {
            return;
        };
        if !state.ticked.remove(&person) {
            state.ticked.insert(person);
        }
        show_ticks(&window, &state);
    });

    let (weak, clearing) = (window.as_weak(), state);
    adapter.on_clear_ticks(move || {
        let Some(window) = weak.upgrade() else { return };
        let mut state = clearing.borrow_mut();
        state.ticked.clear();
        show_ticks(&window, &state);
    });

    let (weak, for_lock) = (window.as_weak(), kiosk.clone());
    adapter.on_lock(move || {
        if let Some(window) = weak.upgrade() {
            super::visitor_done(&window, &for_lock);
        }
    });

    let refresher = Timer::default();
    let (weak, for_refresh) = (window.as_weak(), kiosk.clone());
    refresher.start(TimerMode::Repeated, REFRESH_EVERY, move || {
        let Some(window) = weak.upgrade() else { return };
        let open = window.global::<Navigation>().get_screen() == Screen::Staff
            && window.global::<StaffAdapter>().get_step() == StaffStep::View;
        if open {
            refresh(&window, &for_refresh);
        }
    });
    kiosk.keep(refresher);
}

/// Shows who can unlock the staff view.
fn start(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    clear(window, kiosk);
    let (weak, ui_kiosk) = (window.as_weak(), kiosk.clone());
    kiosk.worker.run(
        |hub| hub.store.staff_at_site().map_err(|error| error.to_string()),
        move |staff| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<StaffAdapter>();
            match staff {
                Ok(staff) => {
                    let names: Vec<SharedString> = staff.iter().map(|p| p.display_name.as_str().into()).collect();
                    adapter.set_staff_names(ModelRc::new(VecModel::from(names)));
                    ui_kiosk.staff.borrow_mut().staff = staff.into_iter().map(|p| p.id).collect();
                }
                Err(error) => {
                    error!("could not list staff: {error}");
                    ui_kiosk.staff.borrow().pin.show_refusal(&window, PIN, Refusal::of(PinMessage::Failed));
                }
            }
            super::show(&window, &ui_kiosk, Screen::Staff);
        },
    );
}

fn submit_pin(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let (person, pin) = {
        let mut state = kiosk.staff.borrow_mut();
        (state.chosen, state.pin.take())
    };
    let (Some(person), Some(pin)) = (person, pin) else {
        kiosk.staff.borrow().pin.show_refusal(window, PIN, Refusal::of(PinMessage::TooShort));
        return;
    };
    let (weak, ui_kiosk) = (window.as_weak(), kiosk.clone());
    pin_entry::check(kiosk, person, pin, move |refused| {
        let Some(window) = weak.upgrade() else { return };
        match refused {
            None => {
                ui_kiosk.staff.borrow_mut().pin.clear();
                let adapter = window.global::<StaffAdapter>();
                adapter.set_tab(StaffTab::RollCall);
                adapter.set_step(StaffStep::View);
                refresh(&window, &ui_kiosk);
            }
            Some(refusal) => ui_kiosk.staff.borrow().pin.show_refusal(&window, PIN, refusal),
        }
    });
}

/// Re-reads the hub into the open staff view.
fn refresh(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    super::load_and_show(window, kiosk, "the staff view", load, show_data, |window| {
        window.global::<StaffAdapter>().set_load_failed(true);
    });
}

/// The top of the chart's scale: a round number at least `busiest` whose half is a whole number too (the axis
/// marks zero, half and the top): 2, 4, 6, 8, 10, then tens, then fifties, then hundreds.
pub fn scale_top(busiest: u32) -> u32 {
    let round_up = |step: u32| busiest.div_ceil(step).max(1) * step;
    match busiest {
        0..=10 => round_up(2),
        11..=100 => round_up(10),
        101..=500 => round_up(50),
        _ => round_up(100),
    }
}

fn show_data(window: &MainWindow, kiosk: &Rc<Touchscreen>, data: &StaffData) {
    let hm = |instant: DateTime<Utc>| SharedString::from(kiosk.hm(instant));
    let adapter = window.global::<StaffAdapter>();
    adapter.set_load_failed(false);
    adapter.set_updated_at(hm(kiosk.now()));
    adapter.set_offline_since(data.offline_since.map(hm).unwrap_or_default());
    adapter.set_on_site(data.on_site as i32);
    adapter.set_safe_capacity(data.safe_capacity as i32);
    adapter.set_percent(data.percent as i32);
    let rooms: Vec<RoomStatus> = data
        .rooms
        .iter()
        .map(|room| RoomStatus {
            name: room.name.as_str().into(),
            now_title: room.now.as_ref().map(|(title, _)| title.as_str().into()).unwrap_or_default(),
            now_until: room.now.as_ref().map(|(_, until)| hm(*until)).unwrap_or_default(),
            next_title: room.next.as_ref().map(|(title, _)| title.as_str().into()).unwrap_or_default(),
            next_at: room.next.as_ref().map(|(_, at)| hm(*at)).unwrap_or_default(),
        })
        .collect();
    adapter.set_rooms(ModelRc::new(VecModel::from(rooms)));
    let arrivals: Vec<i32> = data.hours.clone().map(|hour| data.arrivals_per_hour[hour as usize] as i32).collect();
    adapter.set_scale_top(scale_top(arrivals.iter().copied().max().unwrap_or(0) as u32) as i32);
    adapter.set_arrivals(ModelRc::new(VecModel::from(arrivals)));
    adapter.set_first_hour(data.hours.start as i32);

    let mut state = kiosk.staff.borrow_mut();
    state.roll_call = data.roll_call.iter().map(|person| person.person_id).collect();
    let entries: Vec<RollCallEntry> = data
        .roll_call
        .iter()
        .map(|person| RollCallEntry {
            name: person.display_name.as_str().into(),
            role: match person.role {
                Role::Member => PersonRole::Member,
                Role::Visitor => PersonRole::Visitor,
                Role::Host => PersonRole::Host,
                Role::Staff => PersonRole::Staff,
            },
            since: hm(person.since),
            ticked: state.ticked.contains(&person.person_id),
        })
        .collect();
    adapter.set_roll_call(ModelRc::new(VecModel::from(entries)));
    show_ticks(window, &state);
}

fn show_ticks(window: &MainWindow, state: &StaffState) {
    let adapter = window.global::<StaffAdapter>();
    let entries = adapter.get_roll_call();
    for (index, person) in state.roll_call.iter().enumerate() {
        if let Some(mut entry) = entries.row_data(index) {
            entry.ticked = state.ticked.contains(person);
            entries.set_row_data(index, entry);
        }
    }
    adapter.set_ticked(state.roll_call.iter().filter(|person| state.ticked.contains(person)).count() as i32);
}

/// Locks the staff view: back to choosing a name, no digits remembered. Roll-call ticks are kept.
fn clear(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let mut state = kiosk.staff.borrow_mut();
    state.chosen = None;
    state.pin.start(window, PIN, "");
    let adapter = window.global::<StaffAdapter>();
    adapter.set_step(StaffStep::Who);
    adapter.set_roll_call(ModelRc::default());
    adapter.set_load_failed(false);
    adapter.set_updated_at(SharedString::new());
    adapter.set_offline_since(SharedString::new());
}

/// The door sensors' live state on the staff view. `None`: the kiosk has sensors but cannot read them.
pub fn show_sensors(window: &MainWindow, state: Option<&SensorState>) {
    let adapter = window.global::<StaffAdapter>();
    adapter.set_sensors_configured(true);
    adapter.set_sensors_unavailable(state.is_none());
    let Some(state) = state else { return };
    let doors: Vec<DoorStatus> = state
        .doors
        .iter()
        .map(|door| DoorStatus { name: door.name.clone().into(), open: door.open, minutes: door.open_minutes as i32 })
        .collect();
    adapter.set_doors(ModelRc::new(VecModel::from(doors)));
    let motion: Vec<MotionStatus> = state
        .motion
        .iter()
        .map(|room| MotionStatus {
            room: room.room.clone().into(),
            seen: room.minutes_ago.is_some(),
            minutes: room.minutes_ago.unwrap_or(0) as i32,
        })
        .collect();
    adapter.set_motion(ModelRc::new(VecModel::from(motion)));
    adapter.set_has_counter(state.has_counter);
    adapter.set_counted_in(state.entered as i32);
    adapter.set_counted_out(state.left as i32);
    adapter.set_inside_by_door(state.inside as i32);
    let alerts: Vec<SensorAlert> = state
        .alerts
        .iter()
        .map(|alert| SensorAlert {
            kind: match alert.kind {
                AlertKind::HeldOpen => SensorAlertKind::HeldOpen,
                AlertKind::BeamBlocked => SensorAlertKind::BeamBlocked,
                AlertKind::Silent => SensorAlertKind::Silent,
                AlertKind::OverCapacity => SensorAlertKind::OverCapacity,
            },
            sensor: alert.sensor.clone().into(),
            minutes: alert.minutes as i32,
        })
        .collect();
    adapter.set_alerts(ModelRc::new(VecModel::from(alerts)));
}

/// Staff: a PIN, then who is on site (the roll-call), rooms now and next, today's numbers and the doors.
#[derive(Debug)]
pub struct StaffScreen;

impl Controller for StaffScreen {
    fn screen(&self) -> Screen {
        Screen::Staff
    }

    fn connect(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        connect(window, kiosk);
    }

    fn clear(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        clear(window, kiosk);
    }
}

#[cfg(test)]
mod tests {
    use super::scale_top;

    #[test]
    fn the_chart_scale_is_round_and_halves_evenly() {
        for (busiest, top) in [(0, 2), (1, 2), (5, 6), (10, 10), (11, 20), (95, 100), (101, 150), (640, 700)] {
            assert_eq!(scale_top(busiest), top, "busiest hour {busiest}");
            assert_eq!(scale_top(busiest) % 2, 0);
        }
    }
}
