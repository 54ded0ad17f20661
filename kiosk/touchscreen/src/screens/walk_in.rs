//! Walk-in registration: name on the on-screen keyboard, the house rules agreed by choosing what brings them, who
//! they are visiting (only then), and a day pass shown large on screen. From Welcome: "New here? Register", the
//! name, Next, a reason: three taps and a name; one more when visiting someone.

use std::cell::RefCell;
use std::rc::Rc;

use booking_core::{PersonId, Role, VisitReason, WalkIn, WalkInOutcome};
use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};
use tracing::error;

use super::name::{Typed, add_to_name};
use super::{Controller, Touchscreen, host_notices};
use crate::qr;
use crate::ui::{MainWindow, Screen, WalkInAdapter, WalkInProblem, WalkInStep};

/// What the person has chosen so far. The name itself lives in the adapter, where it is shown.
#[derive(Debug, Default)]
struct Answers {
    reason: Option<VisitReason>,
    hosts: Vec<(PersonId, String)>,
    visiting: Option<PersonId>,
}

fn connect(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let adapter = window.global::<WalkInAdapter>();
    let answers = Rc::new(RefCell::new(Answers::default()));

    let weak = window.as_weak();
    adapter.on_typed(move |text| {
        if let Some(window) = weak.upgrade() {
            type_into_name(&window, &text);
        }
    });
    let weak = window.as_weak();
    adapter.on_backspace(move || {
        if let Some(window) = weak.upgrade() {
            let adapter = window.global::<WalkInAdapter>();
            let mut name = adapter.get_name().to_string();
            name.pop();
            adapter.set_name(name.into());
        }
    });
    let weak = window.as_weak();
    adapter.on_name_done(move || {
        if let Some(window) = weak.upgrade() {
            name_done(&window);
        }
    });

    let (weak, chosen, for_hosts) = (window.as_weak(), answers.clone(), kiosk.clone());
    adapter.on_reason_chosen(move |index| {
        let Some(window) = weak.upgrade() else { return };
        let reason = match index {
            0 => VisitReason::VisitingSomeone,
            1 => VisitReason::Surgery,
            2 => VisitReason::Event,
            3 => VisitReason::Working,
            _ => VisitReason::Other,
        };
        chosen.borrow_mut().reason = Some(reason);
        if reason == VisitReason::VisitingSomeone {
            show_hosts(&window, &for_hosts, chosen.clone());
        } else {
            chosen.borrow_mut().visiting = None;
            register(&window, &for_hosts, &chosen.borrow());
        }
    });

    let (weak, chosen, for_host) = (window.as_weak(), answers.clone(), kiosk.clone());
    adapter.on_host_chosen(move |index| {
        let Some(window) = weak.upgrade() else { return };
        let mut answers = chosen.borrow_mut();
        answers.visiting = usize::try_from(index).ok().and_then(|index| answers.hosts.get(index)).map(|(id, _)| *id);
        register(&window, &for_host, &answers);
    });

    let (weak, chosen, back_kiosk) = (window.as_weak(), answers, kiosk.clone());
    adapter.on_back(move || {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<WalkInAdapter>();
        adapter.set_problem(WalkInProblem::None);
        chosen.borrow_mut().visiting = None;
        match adapter.get_step() {
            WalkInStep::Name | WalkInStep::Done => super::go_home(&window, &back_kiosk),
            WalkInStep::Agree => adapter.set_step(WalkInStep::Name),
            WalkInStep::Host => adapter.set_step(WalkInStep::Agree),
        }
    });

    let (weak, done_kiosk) = (window.as_weak(), kiosk.clone());
    adapter.on_done(move || {
        if let Some(window) = weak.upgrade() {
            super::visitor_done(&window, &done_kiosk);
        }
    });
}

/// Starts a new registration: an empty form, and the hub's current house-rules version and retention.
fn start(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    clear(window);
    let weak = window.as_weak();
    let ui_kiosk = kiosk.clone();
    kiosk.worker.run(
        |hub| hub.store.site().map_err(|error| error.to_string()),
        move |site| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<WalkInAdapter>();
            match site {
                Ok(site) => {
                    adapter.set_rules_version(site.house_rules_version as i32);
                    adapter.set_retention_days(site.retention_days as i32);
                }
                Err(error) => {
                    error!("could not read the hub's settings: {error}");
                    adapter.set_problem(WalkInProblem::Failed);
                }
            }
            super::show(&window, &ui_kiosk, Screen::WalkIn);
        },
    );
}

/// Adds typed text to the name field.
fn type_into_name(window: &MainWindow, text: &str) {
    let adapter = window.global::<WalkInAdapter>();
    adapter.set_name(add_to_name(&adapter.get_name(), text).into());
}

/// Enter on the name step: go on if there is a name.
fn name_done(window: &MainWindow) {
    let adapter = window.global::<WalkInAdapter>();
    let trimmed = adapter.get_name().trim().to_string();
    if !trimmed.is_empty() {
        adapter.set_name(trimmed.into());
        adapter.set_step(WalkInStep::Agree);
    }
}

fn show_hosts(window: &MainWindow, kiosk: &Rc<Touchscreen>, answers: Rc<RefCell<Answers>>) {
    let weak = window.as_weak();
    kiosk.worker.run(
        |hub| -> Result<Vec<(PersonId, String)>, String> {
            let mut people = hub.store.people(Some(Role::Host)).map_err(|error| error.to_string())?;
            people.extend(hub.store.people(Some(Role::Staff)).map_err(|error| error.to_string())?);
            Ok(people.into_iter().map(|person| (person.id, person.display_name)).collect())
        },
        move |hosts| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<WalkInAdapter>();
            match hosts {
                Ok(hosts) => {
                    let names: Vec<SharedString> = hosts.iter().map(|(_, name)| name.into()).collect();
                    adapter.set_hosts(ModelRc::new(VecModel::from(names)));
                    answers.borrow_mut().hosts = hosts;
                    adapter.set_step(WalkInStep::Host);
                }
                Err(error) => {
                    error!("could not list hosts: {error}");
                    adapter.set_problem(WalkInProblem::Failed);
                }
            }
        },
    );
}

/// What the database thread sends back after a registration.
enum Registered {
    CheckedIn { visitor: PersonId, first_name: String, payload: String, host: Option<String> },
    RulesChanged { current_version: u32 },
    Failed,
}

fn register(window: &MainWindow, kiosk: &Rc<Touchscreen>, answers: &Answers) {
    let adapter = window.global::<WalkInAdapter>();
    let walk_in = WalkIn {
        display_name: adapter.get_name().to_string(),
        contact: None,
        reason: answers.reason.unwrap_or(VisitReason::Other),
        visiting: answers.visiting,
        agreed_rules_version: adapter.get_rules_version() as u32,
    };
    let now = kiosk.now();
    let weak = window.as_weak();
    let ui_kiosk = kiosk.clone();
    kiosk.worker.run(
        move |hub| match hub.store.walk_in(&hub.key, &walk_in, now) {
            Ok(WalkInOutcome::CheckedIn { person, pass, host_to_notify, .. }) => Registered::CheckedIn {
                visitor: person.id,
                first_name: person.first_name().to_owned(),
                payload: pass.payload,
                host: host_to_notify.map(|host| host.display_name),
            },
            Ok(WalkInOutcome::RulesNotAgreed { current_version }) => Registered::RulesChanged { current_version },
            Err(error) => {
                error!("a walk-in registration failed: {error}");
                Registered::Failed
            }
        },
        move |registered| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<WalkInAdapter>();
            match registered {
                Registered::CheckedIn { visitor, first_name, payload, host } => match qr::pass_image(&payload) {
                    Ok(image) => {
                        adapter.set_first_name(first_name.into());
                        adapter.set_pass_code(image);
                        adapter.set_host_notified(host.clone().unwrap_or_default().into());
                        adapter.set_problem(WalkInProblem::None);
                        adapter.set_step(WalkInStep::Done);
                        if let Some(host) = host {
                            let notice = host_notices::Notice { host, visitor, at: now };
                            host_notices::add(&window, &ui_kiosk, notice);
                        }
                        super::show(&window, &ui_kiosk, Screen::WalkIn);
                    }
                    Err(error) => {
                        error!("could not draw the pass: {error}");
                        adapter.set_problem(WalkInProblem::Failed);
                    }
                },
                Registered::RulesChanged { current_version } => {
                    adapter.set_rules_version(current_version as i32);
                    adapter.set_problem(WalkInProblem::RulesChanged);
                    adapter.set_step(WalkInStep::Agree);
                }
                Registered::Failed => adapter.set_problem(WalkInProblem::Failed),
            }
        },
    );
}

/// Forgets everything the last person entered.
fn clear(window: &MainWindow) {
    let adapter = window.global::<WalkInAdapter>();
    adapter.set_step(WalkInStep::Name);
    adapter.set_name(SharedString::new());
    adapter.set_first_name(SharedString::new());
    adapter.set_host_notified(SharedString::new());
    adapter.set_pass_code(Image::default());
    adapter.set_hosts(ModelRc::default());
    adapter.set_problem(WalkInProblem::None);
}

/// Slint's text for the Backspace key.
/// New here? Register: name, house rules and reason, then a pass.
#[derive(Debug)]
pub struct WalkInScreen;

impl Controller for WalkInScreen {
    fn screen(&self) -> Screen {
        Screen::WalkIn
    }

    fn connect(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        connect(window, kiosk);
    }

    fn clear(&self, window: &MainWindow, _kiosk: &Rc<Touchscreen>) {
        clear(window);
    }

    /// Also reads the hub's current house-rules version and retention for the rules step.
    fn open(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        start(window, kiosk);
    }

    /// On the name step, a desktop keyboard types the name.
    fn key(&self, window: &MainWindow, text: &str) -> bool {
        if window.global::<WalkInAdapter>().get_step() != WalkInStep::Name {
            return false;
        }
        match Typed::from_key(text) {
            Typed::Enter => name_done(window),
            Typed::Backspace => window.global::<WalkInAdapter>().invoke_backspace(),
            Typed::Text(other) => type_into_name(window, other),
        }
        true
    }
}
