//! An unconference day's board, opened from today's events: the grid time by time and room by room, and the
//! proposals not on it yet, following every change (from the kiosk, a phone, the organiser's command line). Anyone
//! proposes a session with the on-screen keyboard (a newcomer gets a pass for the day) and votes by scanning a pass.

use std::rc::Rc;

use booking_core::{
    Booker, Cell, NewProposal, PROPOSAL_LINE_CHARS, PROPOSAL_TITLE_CHARS, ProposalId, ProposalLine, UnconferenceBoard,
    UnconferenceId,
};
use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};
use tracing::error;

use super::name::{MAX_NAME_CHARS, Typed, add_typed};
use super::who::Who;
use super::{Controller, Touchscreen, settings};
use crate::qr;
use crate::ui::{BoardAdapter, BoardStep, EventAdapter, MainWindow, Screen, SessionLine};

/// The day on screen and the session being voted for.
#[derive(Debug, Default)]
pub struct Chosen {
    day: Option<UnconferenceId>,
    proposal: Option<ProposalId>,
}

fn connect(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let (weak, for_open) = (window.as_weak(), kiosk.clone());
    window.global::<EventAdapter>().on_open_day(move |id| {
        let Some(window) = weak.upgrade() else { return };
        clear(&window, &for_open);
        for_open.board.borrow_mut().day = Some(UnconferenceId(i64::from(id)));
        load_board(&window, &for_open);
        super::show(&window, &for_open, Screen::Board);
    });

    let adapter = window.global::<BoardAdapter>();
    let (weak, for_choose) = (window.as_weak(), kiosk.clone());
    adapter.on_choose(move |id| {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<BoardAdapter>();
        let Some(session) = find_session(&adapter, id) else { return };
        for_choose.board.borrow_mut().proposal = Some(ProposalId(i64::from(id)));
        adapter.set_chosen(session);
        show_problem(&adapter, "");
        adapter.set_step(BoardStep::Vote);
    });
    let weak = window.as_weak();
    adapter.on_propose(move || {
        if let Some(window) = weak.upgrade() {
            // A fresh start: the last proposer's words and pass are not the next one's.
            let adapter = window.global::<BoardAdapter>();
            forget_draft(&adapter);
            show_problem(&adapter, "");
            adapter.set_step(BoardStep::Title);
        }
    });
    let weak = window.as_weak();
    adapter.on_type_name(move || {
        if let Some(window) = weak.upgrade() {
            let adapter = window.global::<BoardAdapter>();
            show_problem(&adapter, "");
            adapter.set_step(BoardStep::ProposerName);
        }
    });
    let weak = window.as_weak();
    adapter.on_typed(move |text| {
        if let Some(window) = weak.upgrade() {
            edit(&window.global::<BoardAdapter>(), |line, max_chars| add_typed(line, &text, max_chars));
        }
    });
    let weak = window.as_weak();
    adapter.on_backspace(move || {
        if let Some(window) = weak.upgrade() {
            edit(&window.global::<BoardAdapter>(), |line, _| {
                let mut line = line.to_owned();
                line.pop();
                line
            });
        }
    });
    let (weak, for_next) = (window.as_weak(), kiosk.clone());
    adapter.on_next(move || {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<BoardAdapter>();
        show_problem(&adapter, "");
        match adapter.get_step() {
            BoardStep::Title if !adapter.get_draft_title().trim().is_empty() => adapter.set_step(BoardStep::Line),
            BoardStep::Line => adapter.set_step(BoardStep::Proposer),
            BoardStep::ProposerName => {
                let name = adapter.get_name().trim().to_string();
                if !name.is_empty() {
                    propose(&window, &for_next, Who::Named(name));
                }
            }
            _ => {}
        }
    });
    let (weak, for_back) = (window.as_weak(), kiosk.clone());
    adapter.on_back(move || {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<BoardAdapter>();
        show_problem(&adapter, "");
        match adapter.get_step() {
            BoardStep::Board => super::go_home(&window, &for_back),
            BoardStep::Line => adapter.set_step(BoardStep::Title),
            BoardStep::Proposer => adapter.set_step(BoardStep::Line),
            BoardStep::ProposerName => adapter.set_step(BoardStep::Proposer),
            BoardStep::Vote | BoardStep::Voted | BoardStep::Title | BoardStep::Proposed => to_board(&adapter),
        }
    });
    let weak = window.as_weak();
    adapter.on_to_board(move || {
        if let Some(window) = weak.upgrade() {
            to_board(&window.global::<BoardAdapter>());
        }
    });
    let (weak, for_done) = (window.as_weak(), kiosk.clone());
    adapter.on_done(move || {
        if let Some(window) = weak.upgrade() {
            super::visitor_done(&window, &for_done);
        }
    });
}

/// Changes what the step is typing (the title, its line, or the proposer's name) by `change`, which is given the
/// text so far and how long it may grow.
fn edit(adapter: &BoardAdapter, change: impl FnOnce(&str, usize) -> String) {
    let step = adapter.get_step();
    let (text, max_chars) = match step {
        BoardStep::Title => (adapter.get_draft_title(), PROPOSAL_TITLE_CHARS),
        BoardStep::Line => (adapter.get_draft_line(), PROPOSAL_LINE_CHARS),
        BoardStep::ProposerName => (adapter.get_name(), MAX_NAME_CHARS),
        _ => return,
    };
    let changed = SharedString::from(change(&text, max_chars));
    match step {
        BoardStep::Title => adapter.set_draft_title(changed),
        BoardStep::Line => adapter.set_draft_line(changed),
        _ => adapter.set_name(changed),
    }
}

/// The session with proposal id `id`, as the board shows it.
fn find_session(adapter: &BoardAdapter, id: i32) -> Option<SessionLine> {
    use slint::Model;
    adapter.get_placed().iter().chain(adapter.get_waiting().iter()).find(|session| session.id == id)
}

fn to_board(adapter: &BoardAdapter) {
    show_problem(adapter, "");
    adapter.set_step(BoardStep::Board);
}

/// Reads the day's board and shows it (the step stays as it is: the board changes under a person voting).
pub fn load_board(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let Some(day) = kiosk.board.borrow().day else { return };
    let (weak, ui_kiosk) = (window.as_weak(), kiosk.clone());
    kiosk.worker.run(
        move |hub| hub.store.unconference(day).map_err(|error| error.to_string()),
        move |loaded| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<BoardAdapter>();
            match loaded {
                Ok(board) => show_board(&adapter, &ui_kiosk, &board),
                Err(error) => {
                    error!("could not read unconference day {day}: {error}");
                    show_failure(&adapter);
                }
            }
        },
    );
}

fn show_board(adapter: &BoardAdapter, kiosk: &Touchscreen, board: &UnconferenceBoard) {
    let line = |proposal: &ProposalLine| {
        let cell = proposal.cell.filter(|cell| cell.room < board.rooms.len() && cell.block < board.blocks.len());
        SessionLine {
            id: proposal.id.0 as i32,
            title: proposal.title.as_str().into(),
            proposer: proposal.proposer.as_str().into(),
            room: cell.map(|cell| board.rooms[cell.room].name.as_str()).unwrap_or_default().into(),
            time: cell
                .map(|cell| kiosk.time_range(board.blocks[cell.block].start(), board.blocks[cell.block].end()))
                .unwrap_or_default()
                .into(),
            votes: proposal.votes as i32,
        }
    };
    // By time, then room: the order the grid is read in.
    let placed: Vec<SessionLine> = (0..board.blocks.len())
        .flat_map(|block| (0..board.rooms.len()).filter_map(move |room| board.at(Cell { room, block })))
        .map(line)
        .collect();
    let waiting: Vec<SessionLine> = board.unplaced().map(line).collect();
    adapter.set_title(board.title.as_str().into());
    adapter.set_placed(ModelRc::new(VecModel::from(placed)));
    adapter.set_waiting(ModelRc::new(VecModel::from(waiting)));
    // The session being voted for shows its count and place as they are now.
    if let Some(chosen) = find_session(adapter, adapter.get_chosen().id) {
        adapter.set_chosen(chosen);
    }
}

/// Proposes the typed session for `who`.
fn propose(window: &MainWindow, kiosk: &Rc<Touchscreen>, who: Who) {
    let Some(day) = kiosk.board.borrow().day else { return };
    let adapter = window.global::<BoardAdapter>();
    let new = NewProposal {
        title: adapter.get_draft_title().trim().to_string(),
        description: adapter.get_draft_line().trim().to_string(),
        at: None,
    };
    let now = kiosk.now();
    let (weak, ui_kiosk) = (window.as_weak(), kiosk.clone());
    kiosk.worker.run(
        move |hub| hub.store.propose(&hub.key, day, who.booker(), &new, now).map_err(|error| error.to_string()),
        move |outcome| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<BoardAdapter>();
            match outcome {
                Ok(Ok(proposed)) => {
                    adapter.set_has_pass(false);
                    if let Some(pass) = proposed.pass {
                        match qr::pass_image(&pass.payload) {
                            Ok(image) => {
                                adapter.set_pass_code(image);
                                adapter.set_has_pass(true);
                            }
                            Err(error) => {
                                error!("could not draw a day pass: {error}");
                                show_failure(&adapter);
                                return;
                            }
                        }
                    }
                    show_problem(&adapter, "");
                    adapter.set_step(BoardStep::Proposed);
                    load_board(&window, &ui_kiosk);
                }
                Ok(Err(refused)) => {
                    show_problem(&adapter, settings::reason(&window, &refused));
                    adapter.set_step(BoardStep::Proposer);
                }
                Err(error) => {
                    error!("a proposal failed: {error}");
                    show_failure(&adapter);
                }
            }
        },
    );
}

/// A pass scanned on "vote": one vote from its holder for the chosen session.
fn vote(window: &MainWindow, kiosk: &Rc<Touchscreen>, pass: String) {
    let Some(proposal) = kiosk.board.borrow().proposal else { return };
    let now = kiosk.now();
    let (weak, ui_kiosk) = (window.as_weak(), kiosk.clone());
    kiosk.worker.run(
        move |hub| hub.store.vote(&hub.key, proposal, Booker::Pass(&pass), now).map_err(|error| error.to_string()),
        move |outcome| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<BoardAdapter>();
            match outcome {
                Ok(Ok(votes)) => {
                    let mut chosen = adapter.get_chosen();
                    chosen.votes = votes as i32;
                    adapter.set_chosen(chosen);
                    show_problem(&adapter, "");
                    adapter.set_step(BoardStep::Voted);
                    load_board(&window, &ui_kiosk);
                }
                Ok(Err(refused)) => show_problem(&adapter, settings::reason(&window, &refused)),
                Err(error) => {
                    error!("a vote failed: {error}");
                    show_failure(&adapter);
                }
            }
        },
    );
}

/// Says why a vote or proposal was refused, in the visitor's language ("" says nothing).
fn show_problem(adapter: &BoardAdapter, reason: impl Into<SharedString>) {
    adapter.set_problem(reason.into());
    adapter.set_failed(false);
}

/// Says the kiosk itself failed: never the person's fault, so no reason of theirs.
fn show_failure(adapter: &BoardAdapter) {
    adapter.set_problem(SharedString::new());
    adapter.set_failed(true);
}

/// Forgets a proposer's title, line, name and pass.
fn forget_draft(adapter: &BoardAdapter) {
    adapter.set_draft_title(SharedString::new());
    adapter.set_draft_line(SharedString::new());
    adapter.set_name(SharedString::new());
    adapter.set_has_pass(false);
    adapter.set_pass_code(Image::default());
}

/// Forgets the last person's choice, draft, name and pass; the board itself stays until another day is opened.
fn clear(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    kiosk.board.borrow_mut().proposal = None;
    let adapter = window.global::<BoardAdapter>();
    adapter.set_step(BoardStep::Board);
    adapter.set_chosen(SessionLine::default());
    forget_draft(&adapter);
    show_problem(&adapter, "");
}

/// An unconference day: its board, proposing and voting.
#[derive(Debug)]
pub struct BoardScreen;

impl Controller for BoardScreen {
    fn screen(&self) -> Screen {
        Screen::Board
    }

    fn connect(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        connect(window, kiosk);
    }

    fn clear(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        clear(window, kiosk);
    }

    /// The board follows every change to the hub.
    fn changed(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>) {
        load_board(window, kiosk);
    }

    /// A title, line or name typed on a desktop's keys.
    fn key(&self, window: &MainWindow, text: &str) -> bool {
        let adapter = window.global::<BoardAdapter>();
        if !matches!(adapter.get_step(), BoardStep::Title | BoardStep::Line | BoardStep::ProposerName) {
            return false;
        }
        match Typed::from_key(text) {
            Typed::Enter => adapter.invoke_next(),
            Typed::Backspace => adapter.invoke_backspace(),
            Typed::Text(text) => adapter.invoke_typed(text.into()),
        }
        true
    }

    /// A pass says who votes for the chosen session, or who proposes the typed one.
    fn scanned(&self, window: &MainWindow, kiosk: &Rc<Touchscreen>, scan: &str) -> bool {
        match window.global::<BoardAdapter>().get_step() {
            BoardStep::Vote => vote(window, kiosk, scan.to_owned()),
            BoardStep::Proposer => propose(window, kiosk, Who::Pass(scan.to_owned())),
            _ => return false,
        }
        true
    }
}
