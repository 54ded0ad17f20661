//! Drop-in help: this day's or week's surgeries with their free places; join a running session's queue for a
//! numbered ticket (no name needed), or book a time by scanning your pass (the waiting list when it is full).

use std::rc::Rc;

use booking_core::{Booker, Slot, Surgery, SurgeryId, SurgerySlotId, TicketStatus, WhenFull, local_day};
use chrono::{DateTime, Duration, Utc};
use kiosk_runtime::hub::Hub;
use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};
use tracing::error;

use super::pin_entry::{self, PinEntry, PinScreen, Refusal};
use super::{Controller, Touchscreen, settings};
use crate::ui::{
    DropInAdapter, DropInStep, MainWindow, PinMessage, QueueLine, Screen, SlotChoice, SurgeryCard, TicketState,
    VisitorLine, WelcomeAdapter,
};

/// Where the host's view keeps its PIN pad's state.
const PIN: PinScreen = PinScreen {
    get: |window| window.global::<DropInAdapter>().get_pin(),
    set: |window, state| window.global::<DropInAdapter>().set_pin(state),
};

/// What the person has picked so far.
#[derive(Debug, Default)]
pub struct Picked {
    surgeries: Vec<Surgery>,
    surgery: Option<usize>,
    /// Bookable slots of the chosen surgery, in the order shown.
    slots: Vec<SurgerySlotId>,
    slot: Option<SurgerySlotId>,
    /// The host's PIN as they type it.
    pin: PinEntry,
}

impl Picked {
    fn surgery(&self) -> Option<&Surgery> {
        self.surgery.and_then(|index| self.surgeries.get(index))
    }
}

/// Surgeries from now to the end of today, or of the next seven days, not cancelled and not over.
fn upcoming(hub: &mut Hub, now: DateTime<Utc>, week: bool) -> booking_core::Result<Vec<Surgery>> {
    let zone = hub.store.site()?.time_zone;
    let today = now.with_timezone(&zone).date_naive();
    let last_day = if week { today + Duration::days(6) } else { today };
    let range = Slot::new(now, local_day(zone, last_day).end().max(now + Duration::minutes(1)))?;
    Ok(hub.store.surgeries_overlapping(range)?.into_iter().filter(|s| !s.cancelled && s.time.end() > now).collect())
}

fn connect(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let (weak, for_start) = (window.as_weak(), kiosk.clone());
    window.global::<WelcomeAdapter>().on_drop_in(move || {
        let Some(window) = weak.upgrade() else { return };
        clear(&window, &for_start);
        load_list(&window, &for_start, false);
        super::show(&window, &for_start, Screen::DropIn);
    });

    let adapter = window.global::<DropInAdapter>();
    let (weak, for_week) = (window.as_weak(), kiosk.clone());
    adapter.on_show_week(move |week| {
        if let Some(window) = weak.upgrade() {
            load_list(&window, &for_week, week);
        }
    });

    let (weak, for_choose) = (window.as_weak(), kiosk.clone());
    adapter.on_choose(move |index| {
        let Some(window) = weak.upgrade() else { return };
        let mut picked = for_choose.drop_in.borrow_mut();
        picked.surgery = usize::try_from(index).ok();
        show_detail(&window, &for_choose, &mut picked);
    });

    let (weak, for_ticket) = (window.as_weak(), kiosk.clone());
    adapter.on_take_ticket(move || {
        let Some(window) = weak.upgrade() else { return };
        let surgery = for_ticket.drop_in.borrow().surgery().map(|surgery| surgery.id);
        let Some(surgery) = surgery else { return };
        let now = for_ticket.now();
        let weak = window.as_weak();
        for_ticket.worker.run(
            move |hub| hub.store.take_ticket(surgery, None, now).map_err(|error| error.to_string()),
            move |issued| {
                let Some(window) = weak.upgrade() else { return };
                let adapter = window.global::<DropInAdapter>();
                match issued {
                    Ok(issued) => {
                        adapter.set_ticket_number(issued.ticket.number as i32);
                        adapter.set_ahead(issued.ahead as i32);
                        show_problem(&adapter, "");
                        adapter.set_step(DropInStep::Ticket);
                    }
                    Err(error) => {
                        error!("could not give a queue ticket: {error}");
                        show_failure(&adapter);
                    }
                }
            },
        );
    });

    let (weak, state) = (window.as_weak(), kiosk.drop_in.clone());
    adapter.on_choose_slot(move |index| {
        let Some(window) = weak.upgrade() else { return };
        let mut picked = state.borrow_mut();
        picked.slot = usize::try_from(index).ok().and_then(|index| picked.slots.get(index)).copied();
        let adapter = window.global::<DropInAdapter>();
        if let Some(choice) = adapter.get_slots().row_data(index as usize) {
            adapter.set_chosen_time(choice.time);
            adapter.set_chosen_full(choice.free == 0);
        }
        show_problem(&adapter, "");
        adapter.set_step(DropInStep::Scan);
    });

    let (weak, for_back) = (window.as_weak(), kiosk.clone());
    adapter.on_back(move || {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<DropInAdapter>();
        show_problem(&adapter, "");
        match adapter.get_step() {
            DropInStep::Scan => adapter.set_step(DropInStep::Detail),
            DropInStep::HostPin | DropInStep::Host => {
                // What only the host may see goes when they step away.
                adapter.set_visitors(ModelRc::default());
                adapter.set_queue(ModelRc::default());
                adapter.set_step(DropInStep::Detail);
            }
            DropInStep::Detail => load_list(&window, &for_back, adapter.get_week()),
            _ => super::go_home(&window, &for_back),
        }
    });

    let (weak, for_done) = (window.as_weak(), kiosk.clone());
    adapter.on_done(move || {
        if let Some(window) = weak.upgrade() {
            super::visitor_done(&window, &for_done);
        }
    });

    connect_host(window, kiosk);
}

/// The host's side: their PIN, then the queue with call next, seen and no-show.
fn connect_host(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let adapter = window.global::<DropInAdapter>();
    let (weak, state) = (window.as_weak(), kiosk.drop_in.clone());
    adapter.on_host(move || {
        let Some(window) = weak.upgrade() else { return };
        let mut picked = state.borrow_mut();
        let host = picked.surgery().map(|surgery| surgery.host_name.clone()).unwrap_or_default();
        picked.pin.start(&window, PIN, &host);
        let adapter = window.global::<DropInAdapter>();
        show_problem(&adapter, "");
        adapter.set_step(DropInStep::HostPin);
    });

    let (weak, state) = (window.as_weak(), kiosk.drop_in.clone());
    adapter.on_digit(move |digit| {
        if let Some(window) = weak.upgrade() {
            let mut picked = state.borrow_mut();
            picked.pin.push(&digit);
            picked.pin.show_digits(&window, PIN);
        }
    });
    let (weak, state) = (window.as_weak(), kiosk.drop_in.clone());
    adapter.on_delete_digit(move || {
        if let Some(window) = weak.upgrade() {
            let mut picked = state.borrow_mut();
            picked.pin.pop();
            picked.pin.show_digits(&window, PIN);
        }
    });

    let (weak, for_pin) = (window.as_weak(), kiosk.clone());
    adapter.on_submit_pin(move || {
        let Some(window) = weak.upgrade() else { return };
        let (host, pin) = {
            let mut picked = for_pin.drop_in.borrow_mut();
            (picked.surgery().map(|surgery| surgery.host_id), picked.pin.take())
        };
        let (Some(host), Some(pin)) = (host, pin) else {
            for_pin.drop_in.borrow().pin.show_refusal(&window, PIN, Refusal::of(PinMessage::TooShort));
            return;
        };
        let (weak, ui_kiosk) = (window.as_weak(), for_pin.clone());
        pin_entry::check(&for_pin, host, pin, move |refused| {
            let Some(window) = weak.upgrade() else { return };
            match refused {
                None => {
                    ui_kiosk.drop_in.borrow_mut().pin.clear();
                    window.global::<DropInAdapter>().set_step(DropInStep::Host);
                    queue_job(&window, &ui_kiosk, |_, _, _| Ok(()));
                }
                Some(refusal) => ui_kiosk.drop_in.borrow().pin.show_refusal(&window, PIN, refusal),
            }
        });
    });

    let (weak, for_call) = (window.as_weak(), kiosk.clone());
    adapter.on_call_next(move || {
        if let Some(window) = weak.upgrade() {
            queue_job(&window, &for_call, |hub, surgery, now| hub.store.call_next(surgery, now).map(|_| ()));
        }
    });
    let (weak, for_seen) = (window.as_weak(), kiosk.clone());
    adapter.on_seen(move || {
        if let Some(window) = weak.upgrade() {
            queue_job(&window, &for_seen, |hub, surgery, now| finish_called(hub, surgery, TicketStatus::Seen, now));
        }
    });
    let (weak, for_no_show) = (window.as_weak(), kiosk.clone());
    adapter.on_no_show(move || {
        if let Some(window) = weak.upgrade() {
            queue_job(&window, &for_no_show, |hub, surgery, now| {
                finish_called(hub, surgery, TicketStatus::NoShow, now)
            });
        }
    });
}

/// Closes the ticket being seen now, if there is one.
fn finish_called(
    hub: &mut Hub,
    surgery: SurgeryId,
    status: TicketStatus,
    now: DateTime<Utc>,
) -> booking_core::Result<()> {
    match hub.store.queue(surgery)?.into_iter().find(|ticket| ticket.status == TicketStatus::Called) {
        Some(ticket) => hub.store.finish_ticket(ticket.id, status, now),
        None => Ok(()),
    }
}

/// Runs `change` on the chosen surgery's queue, then shows the queue as it now is.
fn queue_job(
    window: &MainWindow,
    kiosk: &Rc<Touchscreen>,
    change: impl FnOnce(&mut Hub, SurgeryId, DateTime<Utc>) -> booking_core::Result<()> + Send + 'static,
) {
    let Some((surgery, host)) = kiosk.drop_in.borrow().surgery().map(|surgery| (surgery.id, surgery.host_id)) else {
        return;
    };
    let now = kiosk.now();
    let zone = kiosk.zone.get();
    let start_of_day = local_day(zone, now.with_timezone(&zone).date_naive()).start();
    let (weak, ui_kiosk) = (window.as_weak(), kiosk.clone());
    kiosk.worker.run(
        move |hub| {
            change(hub, surgery, now)?;
            Ok((hub.store.queue(surgery)?, hub.store.visitors_for(host, start_of_day)?))
        },
        move |loaded: booking_core::Result<_>| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<DropInAdapter>();
            match loaded {
                Ok((tickets, visitors)) => {
                    let visitors: Vec<VisitorLine> = visitors
                        .iter()
                        .map(|visitor: &booking_core::HostVisitor| VisitorLine {
                            name: visitor.display_name.as_str().into(),
                            since: ui_kiosk.hm(visitor.arrived).into(),
                            on_site: visitor.on_site,
                        })
                        .collect();
                    adapter.set_visitors(ModelRc::new(VecModel::from(visitors)));
                    let called = tickets.iter().find(|t| t.status == TicketStatus::Called).map_or(0, |t| t.number);
                    let lines: Vec<QueueLine> = tickets
                        .iter()
                        .map(|ticket| QueueLine {
                            number: ticket.number as i32,
                            state: match ticket.status {
                                TicketStatus::Waiting => TicketState::Waiting,
                                TicketStatus::Called => TicketState::Called,
                                TicketStatus::Seen => TicketState::Seen,
                                TicketStatus::NoShow => TicketState::NoShow,
                            },
                        })
                        .collect();
                    adapter.set_queue(ModelRc::new(VecModel::from(lines)));
                    adapter.set_called(called as i32);
                    show_problem(&adapter, "");
                }
                Err(error) => {
                    error!("could not update the queue: {error}");
                    show_failure(&adapter);
                }
            }
        },
    );
}

fn load_list(window: &MainWindow, kiosk: &Rc<Touchscreen>, week: bool) {
    let now = kiosk.now();
    let (weak, ui_kiosk) = (window.as_weak(), kiosk.clone());
    kiosk.worker.run(
        move |hub| upcoming(hub, now, week).map_err(|error| error.to_string()),
        move |loaded| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<DropInAdapter>();
            adapter.set_week(week);
            match loaded {
                Ok(surgeries) => {
                    let locale = settings::current_locale(&window);
                    let cards: Vec<SurgeryCard> = surgeries
                        .iter()
                        .map(|surgery| SurgeryCard {
                            topic: surgery.topic.as_str().into(),
                            host: surgery.host_name.as_str().into(),
                            place: surgery.place.as_str().into(),
                            day: if week {
                                ui_kiosk.short_date(surgery.time.start(), locale).into()
                            } else {
                                SharedString::new()
                            },
                            date: ui_kiosk.date_words(surgery.time.start(), locale).into(),
                            today: ui_kiosk.is_today(surgery.time.start()),
                            time: ui_kiosk.time_range(surgery.time.start(), surgery.time.end()).into(),
                            free_places: free_places(surgery, now) as i32,
                            running: surgery.time.contains(now),
                        })
                        .collect();
                    adapter.set_surgeries(ModelRc::new(VecModel::from(cards)));
                    let mut picked = ui_kiosk.drop_in.borrow_mut();
                    picked.surgeries = surgeries;
                    picked.surgery = None;
                    adapter.set_step(DropInStep::List);
                }
                Err(error) => {
                    error!("could not list surgeries: {error}");
                    show_failure(&adapter);
                }
            }
        },
    );
}

/// Seats still free in slots that have not started.
fn free_places(surgery: &Surgery, now: DateTime<Utc>) -> u32 {
    surgery.slots.iter().filter(|slot| slot.time.start() >= now).map(|slot| slot.free()).sum()
}

fn show_detail(window: &MainWindow, kiosk: &Rc<Touchscreen>, picked: &mut Picked) {
    let adapter = window.global::<DropInAdapter>();
    let Some(index) = picked.surgery else { return };
    let Some(card) = adapter.get_surgeries().row_data(index) else { return };
    let Some(surgery) = picked.surgeries.get(index) else { return };
    let now = kiosk.now();
    let bookable: Vec<_> = surgery.slots.iter().filter(|slot| slot.time.start() >= now).collect();
    picked.slots = bookable.iter().map(|slot| slot.id).collect();
    let choices: Vec<SlotChoice> = bookable
        .iter()
        .map(|slot| SlotChoice {
            time: kiosk.hm(slot.time.start()).into(),
            free: slot.free() as i32,
            waiting: slot.waiting as i32,
        })
        .collect();
    adapter.set_chosen(card);
    adapter.set_slots(ModelRc::new(VecModel::from(choices)));
    show_problem(&adapter, "");
    adapter.set_step(DropInStep::Detail);
}

/// A pass scanned on the "hold your pass" step: the holder gets the chosen time, or a waiting-list place.
fn book_by_pass(window: &MainWindow, kiosk: &Rc<Touchscreen>, text: String) {
    let Some(slot) = kiosk.drop_in.borrow().slot else { return };
    let now = kiosk.now();
    let weak = window.as_weak();
    kiosk.worker.run(
        move |hub| {
            hub.store
                .book_place(&hub.key, slot, Booker::Pass(&text), WhenFull::JoinWaitingList, now)
                .map_err(|error| error.to_string())
        },
        move |outcome| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<DropInAdapter>();
            match outcome {
                Ok(Ok(place)) => {
                    adapter.set_waiting_list(place.waiting_position.is_some());
                    adapter.set_position(place.waiting_position.unwrap_or(0) as i32);
                    adapter.set_step(DropInStep::Booked);
                    show_problem(&adapter, "");
                }
                Ok(Err(refused)) => show_problem(&adapter, settings::reason(&window, &refused)),
                Err(error) => {
                    error!("a surgery booking failed: {error}");
                    show_failure(&adapter);
                }
            }
        },
    );
}

/// Says why the place was not made, in the visitor's language ("" says nothing).
fn show_problem(adapter: &DropInAdapter, reason: impl Into<SharedString>) {
    adapter.set_problem(reason.into());
    adapter.set_failed(false);
}

/// Says the kiosk itself failed: never the person's fault, so no reason of theirs.
fn show_failure(adapter: &DropInAdapter) {
    adapter.set_problem(SharedString::new());
    adapter.set_failed(true);
}

/// Back to the list; the host's queue and visitors' names are dropped, so nobody after them sees those.
fn clear(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    kiosk.drop_in.borrow_mut().pin.start(window, PIN, "");
    let adapter = window.global::<DropInAdapter>();
    adapter.set_step(DropInStep::List);
    show_problem(&adapter, "");
    adapter.set_week(false);
    adapter.set_visitors(ModelRc::default());
    adapter.set_queue(ModelRc::default());
    adapter.set_slots(ModelRc::default());
    adapter.set_chosen(SurgeryCard::default());
}

/// Drop-in help: today's and this week's sessions, a place or the walk-in queue, and the host's own view.
#[derive(Debug)]
pub struct DropInScreen;

impl Controller for DropInScreen {
    fn screen(&self) -> Screen {
        Screen::DropIn
    }

    fn connect(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        connect(window, kiosk);
    }

    fn clear(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        clear(window, kiosk);
    }

    /// On "hold your pass", a pass says who is booking the chosen time.
    fn scanned(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>, scan: &str) -> bool {
        let waiting = window.global::<DropInAdapter>().get_step() == DropInStep::Scan;
        if waiting {
            book_by_pass(window, kiosk, scan.to_owned());
        }
        waiting
    }
}
