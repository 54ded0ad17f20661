//! An unconference day on the web: `/unconference/<id>` on anyone's phone — the board (kept live through
//! `<page>/live`, like the displays), the proposals with their vote counts, proposing a session with a name or a
//! pass, and voting. A voter says who they are once, with their pass code (a newcomer who proposes is given a day
//! pass and is signed in with it); hosts and staff signed in with their PIN vote as themselves, and the day's
//! organisers also fill the grid, move, merge and add sessions here. `/unconference/<id>/print` is the programme on
//! one A4 or A3 page.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use booking_core::{
    Booker, Cell, NewProposal, PersonId, ProposalId, ProposalLine, Role, Store, UnconferenceBoard, UnconferenceId,
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kiosk_runtime::hub::Hub;
use kiosk_runtime::times::range;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;

use super::i18n::Lang;
use super::page::{Posted, Visitor, cookie, pass_qr, set_cookie};
use super::sign_ins::{IDLE, SignedIn};
use super::words::capitalised;
use super::{Failure, WebState, on_hub, on_reader, unavailable};

/// The cookie naming a voter's sign-in (their pass, checked once).
pub const VOTER_COOKIE: &str = "hub_voter";

/// Who the page is for: a voter (by pass, or a signed-in host or staff member), and whether they may organise.
#[derive(Debug, Clone)]
struct Viewer {
    lang: Lang,
    csrf: Markup,
    voter: Option<SignedIn>,
    organiser: bool,
}

impl Viewer {
    fn of(visitor: &Visitor) -> Viewer {
        let organiser = visitor.login.as_ref().is_some_and(|login| matches!(login.role, Role::Host | Role::Staff));
        Viewer { lang: visitor.lang, csrf: visitor.csrf_field(), voter: visitor.voter.clone(), organiser }
    }
}

/// What the page shows: the board, and which proposals this voter has voted for (theirs alone to see).
struct Seen {
    board: UnconferenceBoard,
    voted: Vec<ProposalId>,
    zone: Tz,
}

fn read(store: &Store, id: UnconferenceId, voter: Option<PersonId>) -> Result<Seen, Failure> {
    let board = store.unconference(id)?;
    let voted = match voter {
        Some(person) => store.votes_of(id, person)?,
        None => Vec::new(),
    };
    Ok(Seen { board, voted, zone: store.site()?.time_zone })
}

pub async fn page(State(state): State<WebState>, visitor: Visitor, Path(id): Path<i64>) -> Response {
    show(&state, &visitor, UnconferenceId(id), StatusCode::OK, Notice::None).await
}

/// What the last action said, at the top of the page.
enum Notice {
    None,
    Done(String),
    Problem(String),
    /// A newcomer's new day pass: its QR code, to vote with and to come in.
    Pass(String),
}

async fn show(state: &WebState, visitor: &Visitor, id: UnconferenceId, status: StatusCode, notice: Notice) -> Response {
    let voter = visitor.voter.as_ref().map(|voter| voter.person);
    match on_reader(state, move |store, _| read(store, id, voter)).await {
        Ok(seen) => {
            let viewer = Viewer::of(visitor);
            let body = render_page(&viewer, &seen, &notice);
            visitor.page(status, &seen.board.title, body)
        }
        Err(Failure::Invalid(_) | Failure::NotFound(_)) => no_such_day(visitor),
        Err(Failure::Broken(_)) => unavailable(visitor.lang),
    }
}

/// A stream of the live part's HTML: now, then after every change to the hub, until the server stops.
pub async fn live(State(state): State<WebState>, visitor: Visitor, Path(id): Path<i64>) -> Response {
    let (id, viewer, reader) = (UnconferenceId(id), Viewer::of(&visitor), state.clone());
    let voter = viewer.voter.as_ref().map(|voter| voter.person);
    super::display::live_html(&state, move |_| {
        let (reader, viewer) = (reader.clone(), viewer.clone());
        async move {
            let seen = on_reader(&reader, move |store, _| read(store, id, voter)).await.ok()?;
            Some(render_live(&viewer, &seen))
        }
    })
}

/// Everything the page posts, to its own address: `action` says which — `propose` (title, line, and a name or a
/// pass code unless the voter is known; the organiser may give a `cell`), `vote-as` (a pass code) or `forget`,
/// `vote` (a proposal), and the organiser's `fill`, `place` (a proposal and a cell, or none) and `merge` (a
/// proposal `into` another).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    line: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    pass: String,
    #[serde(default)]
    proposal: String,
    /// "room-block" positions, or empty: off the grid.
    #[serde(default)]
    cell: String,
    #[serde(default)]
    into: String,
}

/// What an action came to.
enum Outcome {
    Done(String),
    /// A newcomer proposed: their new day pass, and them, signed in as a voter with it.
    NewPass(String, SignedIn),
    /// Someone said who they are with their pass.
    VoterKnown(SignedIn),
    Problem(String),
}

pub async fn act(
    State(state): State<WebState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<Posted<ActForm>>,
) -> Response {
    if let Err(refused) = visitor.check_form(&form.csrf) {
        return refused;
    }
    let (id, lang, asked, viewer) = (UnconferenceId(id), visitor.lang, form.fields, Viewer::of(&visitor));
    if asked.action == "forget" {
        if let Some(token) = cookie(&headers, VOTER_COOKIE) {
            state.voters.end(token);
        }
        let mut response = show(&state, &visitor.voting_as(None), id, StatusCode::OK, Notice::None).await;
        let (name, value) = set_cookie(VOTER_COOKIE, "", 0);
        response.headers_mut().append(name, value);
        return response;
    }
    if matches!(asked.action.as_str(), "fill" | "place" | "merge") && !viewer.organiser {
        return super::page::forbidden(lang);
    }
    let voter = visitor.voter.as_ref().map(|voter| voter.person);
    let outcome = on_hub(&state, move |hub, now| act_on(hub, id, &asked, voter, viewer.organiser, lang, now)).await;
    match outcome {
        Ok(Outcome::Done(words)) => {
            state.note_change();
            show(&state, &visitor, id, StatusCode::OK, Notice::Done(words)).await
        }
        Ok(Outcome::NewPass(pass, voter)) => {
            state.note_change();
            let visitor = visitor.voting_as(Some(voter.clone()));
            let mut response = show(&state, &visitor, id, StatusCode::OK, Notice::Pass(pass)).await;
            remember_voter(&state, &mut response, voter);
            response
        }
        Ok(Outcome::VoterKnown(voter)) => {
            let visitor = visitor.voting_as(Some(voter.clone()));
            let mut response = show(&state, &visitor, id, StatusCode::OK, Notice::None).await;
            remember_voter(&state, &mut response, voter);
            response
        }
        Ok(Outcome::Problem(words)) => {
            show(&state, &visitor, id, StatusCode::UNPROCESSABLE_ENTITY, Notice::Problem(words)).await
        }
        Err(Failure::Invalid(message)) => {
            show(&state, &visitor, id, StatusCode::UNPROCESSABLE_ENTITY, Notice::Problem(capitalised(&message))).await
        }
        Err(Failure::NotFound(_)) => no_such_day(&visitor),
        Err(Failure::Broken(_)) => unavailable(lang),
    }
}

/// One action, as one booking-core use-case, on the database thread.
fn act_on(
    hub: &mut Hub,
    id: UnconferenceId,
    asked: &ActForm,
    voter: Option<PersonId>,
    organiser: bool,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Outcome, Failure> {
    let proposal = asked.proposal.parse().map(ProposalId);
    let refused = |words: String| Ok(Outcome::Problem(words));
    match (asked.action.as_str(), proposal) {
        ("propose", _) => {
            let (pass, name) = (asked.pass.trim(), asked.name.trim());
            let booker = match (voter, pass.is_empty(), name.is_empty()) {
                (_, false, _) => Booker::Pass(pass),
                (_, true, false) => Booker::Newcomer(name),
                (Some(person), true, true) => Booker::Person(person),
                (None, true, true) => return refused(lang.tr("Please write your name, or the code of your pass.")),
            };
            let at = if organiser { parse_cell(&asked.cell) } else { None };
            let new = NewProposal { title: asked.title.clone(), description: asked.line.clone(), at };
            match hub.store.propose(&hub.key, id, booker, &new, now)? {
                Ok(proposed) => Ok(match proposed.pass {
                    Some(issued) => Outcome::NewPass(issued.payload, voter_named(hub, issued.pass.person_id)?),
                    None => Outcome::Done(lang.tr("Thank you: your session is on the list.")),
                }),
                Err(refusal) => refused(lang.reason(&refusal)),
            }
        }
        ("vote-as", _) => match hub.store.verify_pass(&hub.key, asked.pass.trim(), now)? {
            Ok(pass) => Ok(Outcome::VoterKnown(voter_named(hub, pass.person_id)?)),
            Err(refusal) => refused(lang.reason(&refusal)),
        },
        ("vote", Ok(proposal)) => {
            let Some(person) = voter else {
                return refused(lang.tr("To vote, first type the code of your pass below."));
            };
            match hub.store.vote(&hub.key, proposal, Booker::Person(person), now)? {
                Ok(_) => Ok(Outcome::Done(lang.tr("Thank you: your vote is counted."))),
                Err(refusal) => refused(lang.reason(&refusal)),
            }
        }
        ("fill", _) => match hub.store.fill_unconference(id, now)? {
            Ok(filled) => {
                let placed = lang.trf("The grid is filled. Sessions on it: {}.", &[&filled.placed]);
                Ok(Outcome::Done(match filled.left_off {
                    0 => placed,
                    left => format!(
                        "{placed} {}",
                        lang.trf("Left off: {} (no room big enough, or no time free).", &[&left])
                    ),
                }))
            }
            Err(refusal) => refused(lang.reason(&refusal)),
        },
        ("place", Ok(proposal)) => match hub.store.place_proposal(proposal, parse_cell(&asked.cell), now)? {
            Ok(()) => Ok(Outcome::Done(lang.tr("Moved."))),
            Err(refusal) => refused(lang.reason(&refusal)),
        },
        ("merge", Ok(proposal)) => {
            let Ok(into) = asked.into.parse().map(ProposalId) else {
                return refused(lang.tr("Please choose the session to merge it into."));
            };
            match hub.store.merge_proposals(proposal, into, now)? {
                Ok(()) => Ok(Outcome::Done(lang.tr("Merged."))),
                Err(refusal) => refused(lang.reason(&refusal)),
            }
        }
        _ => refused(lang.tr("Please choose what to do.")),
    }
}

/// A voter's sign-in for `person`, whose pass has just been checked (or just issued).
fn voter_named(hub: &Hub, person: PersonId) -> Result<SignedIn, Failure> {
    let person = hub.store.person(person)?;
    Ok(SignedIn { person: person.id, name: person.display_name, role: person.role })
}

/// Starts a voter's sign-in and sets its cookie on `response`.
fn remember_voter(state: &WebState, response: &mut Response, voter: SignedIn) {
    let token = state.voters.start(voter);
    let (name, value) = set_cookie(VOTER_COOKIE, &token, IDLE.as_secs());
    response.headers_mut().append(name, value);
}

/// The programme on one page: a table of rooms × times, sized to fit A4 or A3 across.
pub async fn print(State(state): State<WebState>, visitor: Visitor, Path(id): Path<i64>) -> Response {
    let id = UnconferenceId(id);
    let Ok(seen) = on_reader(&state, move |store, _| read(store, id, None)).await else {
        return no_such_day(&visitor);
    };
    let (lang, board) = (visitor.lang, &seen.board);
    let html = html! {
        (DOCTYPE)
        html lang=(lang.0) {
            head {
                meta charset="utf-8";
                title { (board.title) }
                style { (PreEscaped(PRINT_STYLE)) }
            }
            body {
                h1 { (board.title) }
                p.day { (kiosk_runtime::times::day(board.day, lang.locale())) " · " (lang.trf("Organised by {}", &[&board.organiser])) }
                (grid_table(lang, &seen))
            }
        }
    };
    (StatusCode::OK, html).into_response()
}

/// "room-block" positions from a form, or `None` (off the grid).
fn parse_cell(text: &str) -> Option<Cell> {
    let (room, block) = text.split_once('-')?;
    Some(Cell { room: room.parse().ok()?, block: block.parse().ok()? })
}

fn cell_value(cell: Cell) -> String {
    format!("{}-{}", cell.room, cell.block)
}

/// "Studio, 10:00–11:00"
fn cell_words(seen: &Seen, cell: Cell) -> String {
    let (room, block) = (&seen.board.rooms[cell.room], seen.board.blocks[cell.block]);
    format!("{}, {}", room.name, range(block.start(), block.end(), seen.zone))
}

fn votes_words(lang: Lang, votes: u32) -> String {
    lang.trf("Votes: {}", &[&votes])
}

fn render_page(viewer: &Viewer, seen: &Seen, notice: &Notice) -> Markup {
    let (lang, board) = (viewer.lang, &seen.board);
    html! {
        p { a href="/" { (lang.tr("Back to today at the hub")) } }
        h1 { (board.title) }
        p { (kiosk_runtime::times::day(board.day, lang.locale())) " · " (lang.trf("Organised by {}", &[&board.organiser])) }
        @match notice {
            Notice::None => {}
            Notice::Done(words) => p.done role="status" { (words) },
            Notice::Problem(words) => p.error role="alert" { (words) },
            Notice::Pass(pass) => div.done role="status" {
                p { strong { (lang.tr("Thank you: your session is on the list.")) } }
                p { (lang.tr("This is your pass for the day. Show it at the kiosk to come in, and use it to vote.")) }
                (pass_qr(lang, pass))
                p.code { (pass) }
            },
        }
        div #live { (render_live(viewer, seen)) }
        p #lost hidden { (lang.tr("Reconnecting… What you see may be out of date.")) }
        (voter_form(viewer, board.id))
        h2 #propose { (lang.tr("Propose a session")) }
        form method="post" action={ "/unconference/" (board.id) } {
            (viewer.csrf)
            input type="hidden" name="action" value="propose";
            label for="title" { (lang.tr("What is it about?")) span.hint { (lang.tr("A short title, up to 80 letters.")) } }
            input #title type="text" name="title" maxlength="80" required;
            label for="line" { (lang.tr("One line about it")) span.hint { (lang.tr("Optional.")) } }
            input #line type="text" name="line" maxlength="200";
            @if viewer.voter.is_none() {
                label for="name" { (lang.tr("Your name")) span.hint { (lang.tr("Shown with your session. Your first name is enough.")) } }
                input #name type="text" name="name" autocomplete="given-name" maxlength="80";
                label for="pass" {
                    (lang.tr("Or the code of your pass"))
                    span.hint { (lang.tr("If you have a hub pass, type the code printed under its QR code instead of your name.")) }
                }
                input #pass type="text" name="pass" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="200";
            }
            @if viewer.organiser {
                label for="cell" { (lang.tr("Put it on the grid now")) span.hint { (lang.tr("Optional: for a session added during the day.")) } }
                (cell_select(lang, seen, "cell", None))
            }
            button type="submit" { (lang.tr("Propose it")) }
        }
        @if viewer.organiser {
            h2 { (lang.tr("Organise the day")) }
            form method="post" action={ "/unconference/" (board.id) } {
                (viewer.csrf)
                input type="hidden" name="action" value="fill";
                p { (lang.tr("Fill the grid places every session you have not placed by hand: more votes, a bigger room and an earlier time. Sessions you placed stay where they are.")) }
                button type="submit" { (lang.tr("Fill the grid")) }
            }
            p { a href={ "/unconference/" (board.id) "/print" } { (lang.tr("Print the programme")) } }
        }
        script { (PreEscaped(super::display::live_script(None))) }
    }
}

/// The part of the page that follows the hub: the grid, then the proposals with their votes.
fn render_live(viewer: &Viewer, seen: &Seen) -> Markup {
    let (lang, board) = (viewer.lang, &seen.board);
    html! {
        h2 { (lang.tr("The programme")) }
        @for (block, time) in board.blocks.iter().enumerate() {
            section.block {
                h3 { (range(time.start(), time.end(), seen.zone)) }
                ul.cells {
                    @for (position, room) in board.rooms.iter().enumerate() {
                        @let there = board.at(Cell { room: position, block });
                        li.(if there.is_some() { "taken" } else { "open" }) {
                            span.room { (room.name) }
                            @match there {
                                Some(line) => { strong { (line.title) } span.by { (line.proposer) } }
                                None => span.by { (lang.tr("Open")) },
                            }
                        }
                    }
                }
            }
        }
        h2 { (lang.tr("Proposals")) " (" (board.proposals.len()) ")" }
        @if board.proposals.is_empty() {
            p { (lang.tr("Nothing proposed yet. Be the first!")) }
        }
        ol.proposals {
            @for line in &board.proposals { (proposal_item(viewer, seen, line)) }
        }
    }
}

fn proposal_item(viewer: &Viewer, seen: &Seen, line: &ProposalLine) -> Markup {
    let (lang, board) = (viewer.lang, &seen.board);
    let voted = seen.voted.contains(&line.id);
    html! {
        li {
            strong { (line.title) }
            @if !line.description.is_empty() { br; (line.description) }
            br;
            span.by { (lang.trf("Proposed by {}", &[&line.proposer])) }
            @if !line.merged.is_empty() { br; span.by { (lang.trf("Joined with: {}", &[&line.merged.join("; ")])) } }
            br;
            strong { (votes_words(lang, line.votes)) }
            @if let Some(cell) = line.cell { " · " (cell_words(seen, cell)) }
            @if voted {
                " · " span.free { (lang.tr("You voted for this")) }
            } @else if viewer.voter.is_some() {
                form.inline method="post" action={ "/unconference/" (board.id) } {
                    (viewer.csrf)
                    input type="hidden" name="action" value="vote";
                    input type="hidden" name="proposal" value=(line.id);
                    button type="submit" aria-label=(lang.trf("Vote for {}", &[&line.title])) { (lang.tr("Vote")) }
                }
            }
            @if viewer.organiser {
                details {
                    summary { (lang.tr("Move or merge")) }
                    form method="post" action={ "/unconference/" (board.id) } {
                        (viewer.csrf)
                        input type="hidden" name="action" value="place";
                        input type="hidden" name="proposal" value=(line.id);
                        label for={ "cell-" (line.id) } { (lang.tr("Where")) }
                        (cell_select(lang, seen, &format!("cell-{}", line.id), line.cell))
                        button type="submit" { (lang.tr("Move it")) }
                    }
                    @let others: Vec<&ProposalLine> = board.proposals.iter().filter(|other| other.id != line.id).collect();
                    @if !others.is_empty() {
                        form method="post" action={ "/unconference/" (board.id) } {
                            (viewer.csrf)
                            input type="hidden" name="action" value="merge";
                            input type="hidden" name="proposal" value=(line.id);
                            label for={ "into-" (line.id) } { (lang.tr("Merge it into")) }
                            select id={ "into-" (line.id) } name="into" {
                                @for other in others { option value=(other.id) { (other.title) } }
                            }
                            button type="submit" { (lang.tr("Merge")) }
                        }
                    }
                }
            }
        }
    }
}

/// Every cell of the grid to choose from, and "not on the grid".
fn cell_select(lang: Lang, seen: &Seen, id: &str, chosen: Option<Cell>) -> Markup {
    html! {
        select id=(id) name="cell" {
            option value="" selected[chosen.is_none()] { (lang.tr("Not on the grid")) }
            @for block in 0..seen.board.blocks.len() {
                @for room in 0..seen.board.rooms.len() {
                    @let cell = Cell { room, block };
                    @let taken = seen.board.at(cell).filter(|_| chosen != Some(cell));
                    option value=(cell_value(cell)) selected[chosen == Some(cell)] {
                        (cell_words(seen, cell))
                        @if let Some(line) = taken { " (" (line.title) ")" }
                    }
                }
            }
        }
    }
}

fn voter_form(viewer: &Viewer, id: UnconferenceId) -> Markup {
    let lang = viewer.lang;
    html! {
        h2 #vote { (lang.tr("Your votes")) }
        @match &viewer.voter {
            Some(voter) => {
                p { (lang.trf("You are voting as {}. Vote for every session you would go to.", &[&voter.name])) }
                form method="post" action={ "/unconference/" (id) } {
                    (viewer.csrf)
                    input type="hidden" name="action" value="forget";
                    button type="submit" { (lang.tr("This is not me")) }
                }
            }
            None => form method="post" action={ "/unconference/" (id) } {
                (viewer.csrf)
                input type="hidden" name="action" value="vote-as";
                label for="voter-pass" {
                    (lang.tr("To vote, type the code of your pass"))
                    span.hint { (lang.tr("It is printed under the QR code. Nobody sees who voted, only how many.")) }
                }
                input #voter-pass type="text" name="pass" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="200";
                button type="submit" { (lang.tr("Vote with this pass")) }
            },
        }
    }
}

/// The printed programme's table.
fn grid_table(lang: Lang, seen: &Seen) -> Markup {
    let board = &seen.board;
    html! {
        table {
            thead { tr {
                th { (lang.tr("Time")) }
                @for room in &board.rooms { th { (room.name) } }
            } }
            tbody {
                @for (block, time) in board.blocks.iter().enumerate() {
                    tr {
                        th.time { (range(time.start(), time.end(), seen.zone)) }
                        @for room in 0..board.rooms.len() {
                            td {
                                @if let Some(line) = board.at(Cell { room, block }) {
                                    strong { (line.title) } br; span.by { (line.proposer) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn no_such_day(visitor: &Visitor) -> Response {
    let lang = visitor.lang;
    let body = html! {
        h1 { (lang.tr("There is no such unconference day")) }
        p { a href="/" { (lang.tr("Back to today at the hub")) } }
    };
    visitor.page(StatusCode::NOT_FOUND, &lang.tr("There is no such unconference day"), body)
}

/// One page across, A4 or A3 (the browser scales to the paper): the table fills the width, words wrap in cells.
const PRINT_STYLE: &str = "
@page { size: landscape; margin: 10mm; }
body { font-family: system-ui, sans-serif; margin: 0; color: #000; }
h1 { font-size: 20pt; margin: 0 0 2pt; } .day { margin: 0 0 8pt; font-size: 11pt; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 1pt solid #000; padding: 4pt; vertical-align: top; text-align: left; font-size: 11pt;
         overflow-wrap: anywhere; }
th.time { width: 6em; white-space: nowrap; } .by { font-size: 9pt; }
";
