//! Today's events, opened from Welcome: when, where and how many places are free; registering by scanning a pass or
//! by typing a name (a newcomer gets a pass for the day); a waiting-list place when it is full. Today's unconference
//! days are listed too; the board's own controller opens one.

use std::rc::Rc;

use booking_core::{EventId, Registered, WhenFull};
use slint::{ComponentHandle, Image, SharedString};
use tracing::error;

use super::name::{Typed, add_to_name};
use super::who::Who;
use super::{Controller, Touchscreen, settings};
use crate::qr;
use crate::ui::{EventAdapter, EventCard, EventStep, MainWindow, Screen, WelcomeAdapter};

/// The event on screen.
#[derive(Debug, Default)]
pub struct Chosen {
    event: Option<EventId>,
}

fn connect(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let (weak, for_list) = (window.as_weak(), kiosk.clone());
    window.global::<WelcomeAdapter>().on_whats_on(move || {
        let Some(window) = weak.upgrade() else { return };
        clear(&window, &for_list);
        // The list Welcome has just read (it reads again after every change and every 30 seconds).
        let (welcome, adapter) = (window.global::<WelcomeAdapter>(), window.global::<EventAdapter>());
        adapter.set_events(welcome.get_events());
        adapter.set_days(welcome.get_days());
        super::show(&window, &for_list, Screen::Event);
    });

    let adapter = window.global::<EventAdapter>();
    let (weak, for_open) = (window.as_weak(), kiosk.clone());
    adapter.on_choose_event(move |id| {
        if let Some(window) = weak.upgrade() {
            open_event(&window, &for_open, EventId(i64::from(id)));
        }
    });
    let weak = window.as_weak();
    adapter.on_type_name(move || {
        if let Some(window) = weak.upgrade() {
            let adapter = window.global::<EventAdapter>();
            show_problem(&adapter, "");
            adapter.set_step(EventStep::Name);
        }
    });
    let weak = window.as_weak();
    adapter.on_typed(move |text| {
        if let Some(window) = weak.upgrade() {
            let adapter = window.global::<EventAdapter>();
            adapter.set_name(add_to_name(&adapter.get_name(), &text).into());
        }
    });
    let weak = window.as_weak();
    adapter.on_backspace(move || {
        if let Some(window) = weak.upgrade() {
            let adapter = window.global::<EventAdapter>();
            let mut name = adapter.get_name().to_string();
            name.pop();
            adapter.set_name(name.into());
        }
    });
    let (weak, for_name) = (window.as_weak(), kiosk.clone());
    adapter.on_name_done(move || {
        let Some(window) = weak.upgrade() else { return };
        let name = window.global::<EventAdapter>().get_name().trim().to_string();
        if !name.is_empty() {
            register(&window, &for_name, Who::Named(name));
        }
    });
    let (weak, for_back) = (window.as_weak(), kiosk.clone());
    adapter.on_back(move || {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<EventAdapter>();
        show_problem(&adapter, "");
        match adapter.get_step() {
            EventStep::Name => adapter.set_step(EventStep::About),
            EventStep::About => {
                for_back.event.borrow_mut().event = None;
                adapter.set_step(EventStep::List);
            }
            EventStep::List | EventStep::Registered => super::go_home(&window, &for_back),
        }
    });
    let (weak, for_done) = (window.as_weak(), kiosk.clone());
    adapter.on_done(move || {
        if let Some(window) = weak.upgrade() {
            super::visitor_done(&window, &for_done);
        }
    });
}

/// Reads the event and shows it, ready for a pass or a name.
fn open_event(window: &MainWindow, kiosk: &Rc<Touchscreen>, id: EventId) {
    kiosk.event.borrow_mut().event = Some(id);
    let adapter = window.global::<EventAdapter>();
    adapter.set_name(SharedString::new());
    show_problem(&adapter, "");
    show_event(window, kiosk, id, |window, _| window.global::<EventAdapter>().set_step(EventStep::About));
}

/// Shows the event as it is now (its free places change as people register), then `then`.
fn show_event(
    window: &MainWindow,
    kiosk: &Rc<Touchscreen>,
    id: EventId,
    then: impl FnOnce(&MainWindow, &Rc<Touchscreen>) + 'static,
) {
    let (weak, ui_kiosk) = (window.as_weak(), kiosk.clone());
    kiosk.worker.run(
        move |hub| -> booking_core::Result<_> {
            let event = hub.store.event(id)?;
            let host = event.host_id.map(|host| hub.store.person(host)).transpose()?.map(|host| host.display_name);
            Ok((event, host))
        },
        move |loaded| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<EventAdapter>();
            match loaded {
                Ok((event, host)) => {
                    let locale = settings::current_locale(&window);
                    adapter.set_event(EventCard {
                        title: event.title.as_str().into(),
                        description: event.description.as_str().into(),
                        date: ui_kiosk.date_words(event.time.start(), locale).into(),
                        today: ui_kiosk.is_today(event.time.start()),
                        time: ui_kiosk.time_range(event.time.start(), event.time.end()).into(),
                        place: event.room.as_str().into(),
                        host: host.unwrap_or_default().into(),
                        free_places: event.free() as i32,
                        waiting: event.waiting as i32,
                    });
                    then(&window, &ui_kiosk);
                }
                Err(error) => {
                    error!("could not read event {id}: {error}");
                    show_failure(&adapter);
                    then(&window, &ui_kiosk);
                }
            }
        },
    );
}

/// Registers `who` for the event on screen: a place, or the waiting list when it is full.
fn register(window: &MainWindow, kiosk: &Rc<Touchscreen>, who: Who) {
    let Some(event) = kiosk.event.borrow().event else { return };
    let now = kiosk.now();
    let (weak, ui_kiosk) = (window.as_weak(), kiosk.clone());
    kiosk.worker.run(
        move |hub| {
            hub.store
                .register_for_event(&hub.key, event, who.booker(), WhenFull::JoinWaitingList, now)
                .map_err(|error| error.to_string())
        },
        move |outcome| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<EventAdapter>();
            match outcome {
                Ok(Ok(registered)) => show_registered(&window, &registered),
                Ok(Err(refused)) => {
                    show_problem(&adapter, settings::reason(&window, &refused));
                    adapter.set_step(EventStep::About);
                    // Places may have gone meanwhile: show the event as it is now.
                    show_event(&window, &ui_kiosk, event, |_, _| {});
                }
                Err(error) => {
                    error!("a registration for event {event} failed: {error}");
                    show_failure(&adapter);
                }
            }
        },
    );
}

fn show_registered(window: &MainWindow, registered: &Registered) {
    let adapter = window.global::<EventAdapter>();
    adapter.set_waiting_list(registered.waiting_position.is_some());
    adapter.set_position(registered.waiting_position.unwrap_or(0) as i32);
    adapter.set_has_pass(false);
    if let Some(pass) = &registered.pass {
        match qr::pass_image(&pass.payload) {
            Ok(image) => {
                adapter.set_pass_code(image);
                adapter.set_has_pass(true);
            }
            Err(error) => {
                // The place is taken and the pass is also sent where they can be reached; say the kiosk failed.
                error!("could not draw a day pass: {error}");
                show_failure(&adapter);
                return;
            }
        }
    }
    show_problem(&adapter, "");
    adapter.set_step(EventStep::Registered);
}

/// Says why the registration was refused, in the visitor's language ("" says nothing).
fn show_problem(adapter: &EventAdapter, reason: impl Into<SharedString>) {
    adapter.set_problem(reason.into());
    adapter.set_failed(false);
}

/// Says the kiosk itself failed: never the person's fault, so no reason of theirs.
fn show_failure(adapter: &EventAdapter) {
    adapter.set_problem(SharedString::new());
    adapter.set_failed(true);
}

/// Forgets the last person's name and pass.
fn clear(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    kiosk.event.borrow_mut().event = None;
    let adapter = window.global::<EventAdapter>();
    adapter.set_step(EventStep::List);
    adapter.set_name(SharedString::new());
    adapter.set_has_pass(false);
    adapter.set_pass_code(Image::default());
    show_problem(&adapter, "");
}

/// Today's events: what each is, and registering for it.
#[derive(Debug)]
pub struct EventScreen;

impl Controller for EventScreen {
    fn screen(&self) -> Screen {
        Screen::Event
    }

    fn connect(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        connect(window, kiosk);
    }

    fn clear(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        clear(window, kiosk);
    }

    /// A name typed on a desktop's keys.
    fn key(&self, window: &MainWindow, text: &str) -> bool {
        let adapter = window.global::<EventAdapter>();
        if adapter.get_step() != EventStep::Name {
            return false;
        }
        match Typed::from_key(text) {
            Typed::Enter => adapter.invoke_name_done(),
            Typed::Backspace => adapter.invoke_backspace(),
            Typed::Text(text) => adapter.invoke_typed(text.into()),
        }
        true
    }

    /// On the event's page, a pass says who registers.
    fn scanned(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>, scan: &str) -> bool {
        let waiting = window.global::<EventAdapter>().get_step() == EventStep::About;
        if waiting {
            register(window, kiosk, Who::Pass(scan.to_owned()));
        }
        waiting
    }
}
