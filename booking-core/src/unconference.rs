//! An unconference day: an open-space day run on a grid of rooms × time blocks. The organiser opens it (every cell
//! is a booking of its room for its block, so the booking rules apply and each room's display shows the session
//! placed there); anyone proposes sessions; people vote, one vote per person per proposal; the organiser places
//! sessions by hand (pinned) or fills the grid (`grid.rs`), and moves, merges or adds sessions during the day. The
//! database keeps one session per cell and never one proposer twice in a block, whatever writes.

use std::collections::HashMap;

use crate::sql::{Connection, OptionalExtension, Transaction, params};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Serialize;

use crate::booker::{Booker, Found, Refused};
use crate::bookings::{BookingRefusal, BookingRequest, insert_booking, refusal_for};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::grid::{Cell, GridProposal, GridRoom, fill_grid};
use crate::ids::{BookingId, PersonId, ProposalId, RoomId, SiteId, UnconferenceId};
use crate::passes::{IssuedPass, NewPass, PassKey, insert_pass};
use crate::people::{Role, load_person};
use crate::refusal::Refusal;
use crate::rooms::load_room;
use crate::site::load_site;
use crate::text;
use crate::time::{Slot, from_db, resolve_local, to_db};

/// The longest proposal title: short enough for a cell of the board.
pub const PROPOSAL_TITLE_CHARS: usize = 80;
/// A proposal's one line about itself.
pub const PROPOSAL_LINE_CHARS: usize = 200;

/// What `open_unconference` needs.
#[derive(Debug, Clone)]
pub struct NewUnconference {
    pub title: String,
    /// The day, in the site's time zone.
    pub day: NaiveDate,
    /// A host or staff member, who runs the day.
    pub organiser: PersonId,
    /// The grid's columns, in the order they are shown.
    pub rooms: Vec<RoomId>,
    /// The grid's rows: local start and end times, earliest first, not overlapping.
    pub blocks: Vec<(NaiveTime, NaiveTime)>,
}

/// What `propose` needs besides who proposes.
#[derive(Debug, Clone, Default)]
pub struct NewProposal {
    /// Up to [`PROPOSAL_TITLE_CHARS`].
    pub title: String,
    /// One line about it (may be empty).
    pub description: String,
    /// The organiser's choice of cell, for a session added straight onto the grid.
    pub at: Option<Cell>,
}

/// A room on the grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardRoom {
    pub room_id: RoomId,
    pub name: String,
    pub capacity: u32,
}

/// A proposal as everyone sees it: the counts, never who voted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposalLine {
    pub id: ProposalId,
    pub title: String,
    pub description: String,
    /// The proposer's name, shown with the proposal.
    pub proposer: String,
    pub proposer_id: PersonId,
    pub votes: u32,
    /// Where it is on the grid, if it is placed.
    pub cell: Option<Cell>,
    /// Placed by the organiser: filling the grid leaves it there.
    pub pinned: bool,
    /// Titles of the proposals merged into this one.
    pub merged: Vec<String>,
}

/// An unconference day, whole: the grid and every proposal (merged ones folded into theirs), most votes first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnconferenceBoard {
    pub id: UnconferenceId,
    /// The site it is held at.
    pub site: SiteId,
    pub title: String,
    pub day: NaiveDate,
    pub organiser: String,
    /// The grid's columns; a [`Cell`]'s `room` is a position in this list.
    pub rooms: Vec<BoardRoom>,
    /// The grid's rows; a [`Cell`]'s `block` is a position in this list.
    pub blocks: Vec<Slot>,
    pub proposals: Vec<ProposalLine>,
}

impl UnconferenceBoard {
    /// The session in `cell`, if any.
    pub fn at(&self, cell: Cell) -> Option<&ProposalLine> {
        self.proposals.iter().find(|proposal| proposal.cell == Some(cell))
    }

    /// Proposals not on the grid, most votes first.
    pub fn unplaced(&self) -> impl Iterator<Item = &ProposalLine> {
        self.proposals.iter().filter(|proposal| proposal.cell.is_none())
    }

    /// The whole day: from the first block's start to the last block's end.
    pub fn span(&self) -> Option<Slot> {
        let (first, last) = (self.blocks.first()?, self.blocks.last()?);
        Slot::between(first.start(), last.end())
    }
}

/// Why a proposal, vote or placement was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum UnconferenceRefusal {
    /// The person has already voted for this proposal.
    AlreadyVoted,
    /// The day has ended.
    Over,
    /// Another session is in that room at that time.
    CellTaken { title: String },
    /// The proposer already runs a session at that time.
    ProposerBusy { title: String },
    /// More people want to come than the room holds.
    RoomTooSmall { room: String, capacity: u32, votes: u32 },
    /// The proposal was merged into another: vote for, or place, that one.
    Merged { into: String },
}

impl Refusal for UnconferenceRefusal {
    fn code(&self) -> &'static str {
        match self {
            UnconferenceRefusal::AlreadyVoted => "already_voted",
            UnconferenceRefusal::Over => "over",
            UnconferenceRefusal::CellTaken { .. } => "cell_taken",
            UnconferenceRefusal::ProposerBusy { .. } => "proposer_busy",
            UnconferenceRefusal::RoomTooSmall { .. } => "room_too_small",
            UnconferenceRefusal::Merged { .. } => "merged",
        }
    }
}

/// A proposal made, with the day pass a newcomer gets (to vote with, and to come in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposed {
    pub proposal: ProposalId,
    pub pass: Option<IssuedPass>,
}

/// What filling the grid did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Filled {
    /// Proposals on the grid now (pins included).
    pub placed: u32,
    /// Proposals no free cell could take without breaking a rule.
    pub left_off: u32,
}

/// A proposal's facts that the rules need.
struct ProposalRow {
    day: UnconferenceId,
    title: String,
    merged_into: Option<ProposalId>,
    cell: Option<Cell>,
}

/// The cell in columns `room` and `room + 1` (room and block positions), if both are set.
fn cell_at(row: &crate::sql::Row<'_>, room: usize) -> crate::sql::Result<Option<Cell>> {
    let position = |index: usize| -> crate::sql::Result<Option<usize>> {
        Ok(row.get::<_, Option<i64>>(index)?.map(|value| value as usize))
    };
    Ok(match (position(room)?, position(room + 1)?) {
        (Some(room), Some(block)) => Some(Cell { room, block }),
        _ => None,
    })
}

fn load_proposal(conn: &Connection, id: ProposalId) -> Result<ProposalRow> {
    conn.prepare_cached(
        "SELECT day_id, title, merged_into, room_position, block_position FROM proposals WHERE id = ?1",
    )?
    .query_row([id], |row| {
        let cell = cell_at(row, 3)?;
        Ok(ProposalRow { day: row.get(0)?, title: row.get(1)?, merged_into: row.get(2)?, cell })
    })
    .optional()?
    .ok_or_else(|| StoreError::not_found(format!("there is no proposal number {id}")))
}

pub(crate) fn load_board(conn: &Connection, id: UnconferenceId) -> Result<UnconferenceBoard> {
    let (title, day, organiser, site): (String, String, String, SiteId) = conn
        .prepare_cached(
            "SELECT u.title, u.day, p.display_name, u.site_id FROM unconference_days u
             JOIN people p ON p.id = u.organiser_id WHERE u.id = ?1",
        )?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
        .optional()?
        .ok_or_else(|| StoreError::not_found(format!("there is no unconference day number {id}")))?;
    let day = day.parse().map_err(|_| StoreError::invalid(format!("unconference day {id} has no valid date")))?;
    let rooms = conn
        .prepare_cached(
            "SELECT r.id, r.name, r.capacity FROM unconference_rooms u JOIN rooms r ON r.id = u.room_id
             WHERE u.day_id = ?1 ORDER BY u.position",
        )?
        .query_map([id], |row| Ok(BoardRoom { room_id: row.get(0)?, name: row.get(1)?, capacity: row.get(2)? }))?
        .collect::<crate::sql::Result<_>>()?;
    let blocks = conn
        .prepare_cached("SELECT start_utc, end_utc FROM unconference_blocks WHERE day_id = ?1 ORDER BY position")?
        .query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<crate::sql::Result<Vec<(i64, i64)>>>()?
        .into_iter()
        .map(|(start, end)| Slot::new(from_db(start), from_db(end)))
        .collect::<Result<_>>()?;
    let mut proposals: Vec<(Option<ProposalId>, ProposalLine)> = conn
        .prepare_cached(
            "SELECT x.id, x.title, x.description, p.display_name, x.proposer_id,
                    (SELECT count(*) FROM proposal_votes v WHERE v.proposal_id = x.id),
                    x.room_position, x.block_position, x.pinned, x.merged_into
             FROM proposals x JOIN people p ON p.id = x.proposer_id WHERE x.day_id = ?1
             ORDER BY 6 DESC, x.id",
        )?
        .query_map([id], |row| {
            let cell = cell_at(row, 6)?;
            let line = ProposalLine {
                id: row.get(0)?,
                title: row.get(1)?,
                description: row.get(2)?,
                proposer: row.get(3)?,
                proposer_id: row.get(4)?,
                votes: row.get(5)?,
                cell,
                pinned: row.get(8)?,
                merged: Vec::new(),
            };
            Ok((row.get(9)?, line))
        })?
        .collect::<crate::sql::Result<_>>()?;
    let merged: Vec<(ProposalId, String)> =
        proposals.iter().filter_map(|(into, line)| into.map(|into| (into, line.title.clone()))).collect();
    proposals.retain(|(into, _)| into.is_none());
    let mut proposals: Vec<ProposalLine> = proposals.into_iter().map(|(_, line)| line).collect();
    for (into, title) in merged {
        if let Some(line) = proposals.iter_mut().find(|line| line.id == into) {
            line.merged.push(title);
        }
    }
    Ok(UnconferenceBoard { id, site, title, day, organiser, rooms, blocks, proposals })
}

/// A cell outside the day's grid, counted from 1 as people do.
fn not_on_grid(cell: Cell) -> StoreError {
    StoreError::invalid(format!("the grid has no room {} in block {}", cell.room + 1, cell.block + 1))
}

/// The booking that holds `cell` of day `id`.
fn cell_booking(tx: &Transaction<'_>, id: UnconferenceId, cell: Cell) -> Result<BookingId> {
    tx.prepare_cached(
        "SELECT booking_id FROM unconference_cells WHERE day_id = ?1 AND room_position = ?2 AND block_position = ?3",
    )?
    .query_row(params![id, cell.room as i64, cell.block as i64], |row| row.get(0))
    .optional()?
    .ok_or_else(|| not_on_grid(cell))
}

/// Puts `proposal` in `cell` (or takes it off the grid), and shows it on the room's display: the cell's booking
/// takes the session's title, and the cell it left takes the day's title again.
fn set_cell(tx: &Transaction<'_>, proposal: ProposalId, cell: Option<Cell>, pinned: bool) -> Result<()> {
    let row = load_proposal(tx, proposal)?;
    let day_title: String =
        tx.prepare_cached("SELECT title FROM unconference_days WHERE id = ?1")?.query_row([row.day], |r| r.get(0))?;
    if let Some(old) = row.cell {
        let booking = cell_booking(tx, row.day, old)?;
        tx.execute(
            "UPDATE bookings SET title = ?2, revision = revision + 1 WHERE id = ?1",
            params![booking, day_title],
        )?;
    }
    tx.execute(
        "UPDATE proposals SET room_position = ?2, block_position = ?3, pinned = ?4 WHERE id = ?1",
        params![
            proposal,
            cell.map(|cell| cell.room as i64),
            cell.map(|cell| cell.block as i64),
            pinned && cell.is_some()
        ],
    )?;
    if let Some(new) = cell {
        let booking = cell_booking(tx, row.day, new)?;
        tx.execute(
            "UPDATE bookings SET title = ?2, revision = revision + 1 WHERE id = ?1",
            params![booking, row.title],
        )?;
    }
    Ok(())
}

/// Refuses any change once the day's last block has ended.
fn check_open(board: &UnconferenceBoard, now: DateTime<Utc>) -> Option<UnconferenceRefusal> {
    board.span().is_some_and(|span| span.end() <= now).then_some(UnconferenceRefusal::Over)
}

/// Whether `proposal` may go into `cell` by the grid's rules (it is not merged).
fn placement_refusal(
    board: &UnconferenceBoard,
    proposal: &ProposalLine,
    cell: Cell,
) -> Result<Option<UnconferenceRefusal>> {
    let room =
        board.rooms.get(cell.room).filter(|_| cell.block < board.blocks.len()).ok_or_else(|| not_on_grid(cell))?;
    if let Some(there) = board.at(cell).filter(|there| there.id != proposal.id) {
        return Ok(Some(UnconferenceRefusal::CellTaken { title: there.title.clone() }));
    }
    if let Some(busy) = board.proposals.iter().find(|other| {
        other.id != proposal.id
            && other.proposer_id == proposal.proposer_id
            && other.cell.is_some_and(|taken| taken.block == cell.block)
    }) {
        return Ok(Some(UnconferenceRefusal::ProposerBusy { title: busy.title.clone() }));
    }
    if proposal.votes > room.capacity {
        return Ok(Some(UnconferenceRefusal::RoomTooSmall {
            room: room.name.clone(),
            capacity: room.capacity,
            votes: proposal.votes,
        }));
    }
    Ok(None)
}

impl Store {
    /// Opens an unconference day: books every room for every block (all or none; the first cell that breaks a
    /// booking rule is refused, naming its room and time), each booking public and titled with the day's title
    /// until a session is placed there. One transaction.
    pub fn open_unconference(
        &mut self,
        new: &NewUnconference,
        now: DateTime<Utc>,
    ) -> Result<Result<UnconferenceId, BookingRefusal>> {
        let title = text::clean("title", &new.title, PROPOSAL_TITLE_CHARS)?;
        if new.rooms.is_empty() || new.blocks.is_empty() {
            return Err(StoreError::invalid("an unconference day needs at least one room and one time block"));
        }
        if new.blocks.windows(2).any(|pair| pair[1].0 < pair[0].1) || new.blocks.iter().any(|(start, end)| end <= start)
        {
            return Err(StoreError::invalid(
                "the time blocks must each end after they start, one after another, without overlapping",
            ));
        }
        let site = self.site;
        self.write(|tx| {
            if !matches!(load_person(tx, new.organiser)?.role, Role::Host | Role::Staff) {
                return Err(StoreError::invalid("an unconference day's organiser must be a host or a staff member"));
            }
            let zone = load_site(tx, site)?.time_zone;
            let instant = |time: NaiveTime| {
                resolve_local(zone, new.day.and_time(time)).map_err(|error| StoreError::invalid(error.to_string()))
            };
            let blocks = new
                .blocks
                .iter()
                .map(|(start, end)| Slot::new(instant(*start)?, instant(*end)?))
                .collect::<Result<Vec<_>>>()?;
            // Every cell is checked before anything is written. A room's changeover buffer holds between the
            // day's own blocks too (the database keeps every room's bookings that far apart): say so plainly.
            for room in &new.rooms {
                let room_row = load_room(tx, *room)?;
                if room_row.site != site {
                    return Err(StoreError::invalid(format!("{} is at another site of the network", room_row.name)));
                }
                let buffer = i64::from(room_row.buffer_minutes);
                if blocks.windows(2).any(|pair| pair[1].start() - pair[0].end() < chrono::Duration::minutes(buffer)) {
                    return Err(StoreError::invalid(format!(
                        "{} needs {buffer} minutes between bookings to change over: leave at least that long \
                         between the time blocks, or choose another room",
                        room_row.name
                    )));
                }
                for block in &blocks {
                    if let Some(refusal) = refusal_for(tx, *room, *block, None, now)? {
                        return Ok(Err(refusal));
                    }
                }
            }
            tx.execute(
                "INSERT INTO unconference_days (title, day, organiser_id, created_at, site_id)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![title, new.day.to_string(), new.organiser, to_db(now), site],
            )?;
            let id = UnconferenceId(tx.last_insert_rowid()?);
            for (position, block) in blocks.iter().enumerate() {
                tx.execute(
                    "INSERT INTO unconference_blocks (day_id, position, start_utc, end_utc) VALUES (?1, ?2, ?3, ?4)",
                    params![id, position as i64, to_db(block.start()), to_db(block.end())],
                )?;
            }
            for (room_position, room) in new.rooms.iter().enumerate() {
                tx.execute(
                    "INSERT INTO unconference_rooms (day_id, position, room_id) VALUES (?1, ?2, ?3)",
                    params![id, room_position as i64, room],
                )
                .map_err(|_| StoreError::invalid("each room can be on the grid only once"))?;
                for (block_position, block) in blocks.iter().enumerate() {
                    let request = BookingRequest {
                        room: *room,
                        slot: *block,
                        title: title.clone(),
                        booked_by: Some(new.organiser),
                        booked_for: Some(new.organiser),
                        public: true,
                    };
                    let booking = insert_booking(tx, &request, &title, None, now)?;
                    tx.execute(
                        "INSERT INTO unconference_cells (day_id, room_position, block_position, booking_id)
                         VALUES (?1, ?2, ?3, ?4)",
                        params![id, room_position as i64, block_position as i64, booking],
                    )?;
                }
            }
            Ok(Ok(id))
        })
    }

    pub fn unconference(&self, id: UnconferenceId) -> Result<UnconferenceBoard> {
        load_board(&self.conn, id)
    }

    /// The proposals of `day` that `person` has voted for: shown to them alone, never to anyone else.
    pub fn votes_of(&self, day: UnconferenceId, person: PersonId) -> Result<Vec<ProposalId>> {
        let votes = self
            .conn
            .prepare_cached(
                "SELECT v.proposal_id FROM proposal_votes v JOIN proposals x ON x.id = v.proposal_id
                 WHERE x.day_id = ?1 AND v.person_id = ?2 ORDER BY v.proposal_id",
            )?
            .query_map(params![day, person], |row| row.get(0))?
            .collect::<crate::sql::Result<_>>()?;
        Ok(votes)
    }

    /// The day a proposal was made for.
    pub fn unconference_of(&self, proposal: ProposalId) -> Result<UnconferenceId> {
        Ok(load_proposal(&self.conn, proposal)?.day)
    }

    /// The unconference days on `day` (local date), in the order they were opened.
    pub fn unconferences_on(&self, day: NaiveDate) -> Result<Vec<UnconferenceBoard>> {
        self.unconferences_where("day = ?1", day)
    }

    /// Every unconference day from `from` (local date) on, earliest first.
    pub fn unconferences_from(&self, from: NaiveDate) -> Result<Vec<UnconferenceBoard>> {
        self.unconferences_where("day >= ?1", from)
    }

    /// The boards of the days whose `day` meets `condition` (with `?1` the date), by date, then as opened.
    fn unconferences_where(&self, condition: &str, date: NaiveDate) -> Result<Vec<UnconferenceBoard>> {
        let ids: Vec<UnconferenceId> = self
            .conn
            .prepare_cached(&format!(
                "SELECT id FROM unconference_days WHERE {condition} AND site_id = ?2 ORDER BY day, id"
            ))?
            .query_map(params![date.to_string(), self.site], |row| row.get(0))?
            .collect::<crate::sql::Result<_>>()?;
        ids.into_iter().map(|id| self.unconference(id)).collect()
    }

    /// Proposes a session: by pass, by a newcomer's name (who gets a day pass for the day, to vote with), or by
    /// someone the hub knows. The organiser may put it straight onto the grid (`at`, pinned) — adding a session
    /// during the day. The check, the proposal, a newcomer's record and pass are one transaction.
    pub fn propose(
        &mut self,
        key: &PassKey,
        day: UnconferenceId,
        booker: Booker<'_>,
        new: &NewProposal,
        now: DateTime<Utc>,
    ) -> Result<Result<Proposed, Refused<UnconferenceRefusal>>> {
        let title = text::clean("title", &new.title, PROPOSAL_TITLE_CHARS)?;
        let description =
            text::clean_optional("line about it", Some(&new.description), PROPOSAL_LINE_CHARS)?.unwrap_or_default();
        let at = new.at;
        let site = self.site;
        self.write(|tx| {
            let found = match booker.find(tx, key, site, now)? {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(Refused::Pass(refusal))),
            };
            let board = load_board(tx, day)?;
            if let Some(refusal) = check_open(&board, now) {
                return Ok(Err(Refused::Rule(refusal)));
            }
            if let Some(cell) = at {
                // The new session as the rules see it; a newcomer (not recorded yet) runs nothing else.
                let line = ProposalLine {
                    id: ProposalId(0),
                    title: title.clone(),
                    description: description.clone(),
                    proposer: String::new(),
                    proposer_id: found.holder().unwrap_or(PersonId(0)),
                    votes: 0,
                    cell: None,
                    pinned: true,
                    merged: Vec::new(),
                };
                if let Some(refusal) = placement_refusal(&board, &line, cell)? {
                    return Ok(Err(Refused::Rule(refusal)));
                }
            }
            let person = found.person(tx, now)?;
            tx.execute(
                "INSERT INTO proposals (day_id, title, description, proposer_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![day, title, description, person, to_db(now)],
            )?;
            let proposal = ProposalId(tx.last_insert_rowid()?);
            if at.is_some() {
                set_cell(tx, proposal, at, true)?;
            }
            let pass = match found {
                Found::Holder(_) => None,
                Found::Newcomer(_) => Some(insert_pass(tx, key, board.site, person, NewPass::DayOf(board.day), now)?),
            };
            Ok(Ok(Proposed { proposal, pass }))
        })
    }

    /// One vote for a proposal, by pass or by someone the hub knows: once per person per proposal (the database's
    /// key says so too). Returns the proposal's votes now.
    pub fn vote(
        &mut self,
        key: &PassKey,
        proposal: ProposalId,
        voter: Booker<'_>,
        now: DateTime<Utc>,
    ) -> Result<Result<u32, Refused<UnconferenceRefusal>>> {
        if let Booker::Newcomer(_) = voter {
            return Err(StoreError::invalid("a vote needs a pass: a name alone could vote twice"));
        }
        let site = self.site;
        self.write(|tx| {
            let person = match voter.find(tx, key, site, now)? {
                Ok(found) => found.holder().expect("a pass or a person names someone"),
                Err(refusal) => return Ok(Err(Refused::Pass(refusal))),
            };
            let row = load_proposal(tx, proposal)?;
            if let Some(into) = row.merged_into {
                return Ok(Err(Refused::Rule(UnconferenceRefusal::Merged { into: load_proposal(tx, into)?.title })));
            }
            if let Some(refusal) = check_open(&load_board(tx, row.day)?, now) {
                return Ok(Err(Refused::Rule(refusal)));
            }
            let added = tx.execute(
                "INSERT INTO proposal_votes (proposal_id, person_id, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                params![proposal, person, to_db(now)],
            )?;
            if added == 0 {
                return Ok(Err(Refused::Rule(UnconferenceRefusal::AlreadyVoted)));
            }
            let votes = tx
                .prepare_cached("SELECT count(*) FROM proposal_votes WHERE proposal_id = ?1")?
                .query_row([proposal], |r| r.get(0))?;
            Ok(Ok(votes))
        })
    }

    /// The organiser places a proposal in `cell` by hand (it stays there when the grid is filled), moves it, or
    /// takes it off the grid (`None`). The room's display shows the change at once. One transaction.
    pub fn place_proposal(
        &mut self,
        proposal: ProposalId,
        cell: Option<Cell>,
        now: DateTime<Utc>,
    ) -> Result<Result<(), UnconferenceRefusal>> {
        self.write(|tx| {
            let row = load_proposal(tx, proposal)?;
            if let Some(into) = row.merged_into {
                return Ok(Err(UnconferenceRefusal::Merged { into: load_proposal(tx, into)?.title }));
            }
            let board = load_board(tx, row.day)?;
            if let Some(refusal) = check_open(&board, now) {
                return Ok(Err(refusal));
            }
            let line = board.proposals.iter().find(|line| line.id == proposal);
            if let (Some(cell), Some(line)) = (cell, line)
                && let Some(refusal) = placement_refusal(&board, line, cell)?
            {
                return Ok(Err(refusal));
            }
            set_cell(tx, proposal, cell, true)?;
            Ok(Ok(()))
        })
    }

    /// Merges proposal `from` into `into` (two sessions on one subject): `from` leaves the grid, its voters count
    /// for `into` (once each), and its title is shown with `into`. One transaction.
    pub fn merge_proposals(
        &mut self,
        from: ProposalId,
        into: ProposalId,
        now: DateTime<Utc>,
    ) -> Result<Result<(), UnconferenceRefusal>> {
        if from == into {
            return Err(StoreError::invalid("a proposal cannot be merged into itself"));
        }
        self.write(|tx| {
            let (source, target) = (load_proposal(tx, from)?, load_proposal(tx, into)?);
            if source.day != target.day {
                return Err(StoreError::invalid("only proposals of the same day can be merged"));
            }
            for merged in [&source, &target] {
                if let Some(already) = merged.merged_into {
                    return Ok(Err(UnconferenceRefusal::Merged { into: load_proposal(tx, already)?.title }));
                }
            }
            if let Some(refusal) = check_open(&load_board(tx, source.day)?, now) {
                return Ok(Err(refusal));
            }
            set_cell(tx, from, None, false)?;
            tx.execute(
                "INSERT INTO proposal_votes (proposal_id, person_id, created_at)
                 SELECT ?2, person_id, created_at FROM proposal_votes WHERE proposal_id = ?1 ON CONFLICT DO NOTHING",
                params![from, into],
            )?;
            tx.execute("DELETE FROM proposal_votes WHERE proposal_id = ?1", [from])?;
            // Proposals merged into `from` earlier now belong to `into` too.
            tx.execute("UPDATE proposals SET merged_into = ?2 WHERE id = ?1 OR merged_into = ?1", params![from, into])?;
            Ok(Ok(()))
        })
    }

    /// Fills the grid: every proposal not pinned by the organiser is placed again by the rules of `fill_grid` —
    /// more votes, an earlier block and a bigger room; never a proposer twice at once; never more interest than a
    /// room holds. One transaction; each room's display shows its sessions at once.
    pub fn fill_unconference(
        &mut self,
        day: UnconferenceId,
        now: DateTime<Utc>,
    ) -> Result<Result<Filled, UnconferenceRefusal>> {
        self.write(|tx| {
            let board = load_board(tx, day)?;
            if let Some(refusal) = check_open(&board, now) {
                return Ok(Err(refusal));
            }
            let rooms: Vec<GridRoom> = board
                .rooms
                .iter()
                .enumerate()
                .map(|(index, room)| GridRoom { index, capacity: room.capacity })
                .collect();
            let proposals: Vec<GridProposal> = board
                .proposals
                .iter()
                .enumerate()
                .map(|(index, line)| GridProposal { index, proposer: line.proposer_id.to_string(), votes: line.votes })
                .collect();
            let pins: Vec<(usize, Cell)> = board
                .proposals
                .iter()
                .enumerate()
                .filter(|(_, line)| line.pinned)
                .filter_map(|(index, line)| line.cell.map(|cell| (index, cell)))
                .collect();
            let placement = fill_grid(&rooms, board.blocks.len(), &proposals, &pins);
            // Off the grid first, so no two sessions share a cell for a moment (the database would refuse it).
            let moving: Vec<&ProposalLine> = board.proposals.iter().filter(|line| !line.pinned).collect();
            for line in &moving {
                set_cell(tx, line.id, None, false)?;
            }
            let index: HashMap<ProposalId, usize> =
                board.proposals.iter().enumerate().map(|(index, line)| (line.id, index)).collect();
            for line in &moving {
                if let Some(cell) = placement.placed[index[&line.id]] {
                    set_cell(tx, line.id, Some(cell), false)?;
                }
            }
            let placed = placement.placed.iter().filter(|cell| cell.is_some()).count() as u32;
            Ok(Ok(Filled { placed, left_off: board.proposals.len() as u32 - placed }))
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::people::NewPerson;
    use crate::rooms::NewRoom;
    use crate::site::tests::london_hub;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 5, hour, minute, 0).unwrap()
    }

    fn key() -> PassKey {
        PassKey::from_secret([8; 32])
    }

    fn time(hour: u32, minute: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(hour, minute, 0).unwrap()
    }

    fn person(store: &mut Store, name: &str, role: Role) -> PersonId {
        let new = NewPerson { display_name: name.into(), contact: None, role, rules_version: None };
        store.add_person(&new, at(8, 0)).unwrap().id
    }

    /// Open Tuesday: the Hall (30) and the Studio (6), 10:00–11:00 and 11:15–12:15, organised by Grace.
    fn open_tuesday(store: &mut Store) -> UnconferenceId {
        let hall = store.add_room(&NewRoom::named("Hall", 30)).unwrap().id;
        let studio = store.add_room(&NewRoom::named("Studio", 6)).unwrap().id;
        let grace = person(store, "Grace", Role::Host);
        let new = NewUnconference {
            title: "Open Tuesday".into(),
            day: NaiveDate::from_ymd_opt(2027, 1, 5).unwrap(),
            organiser: grace,
            rooms: vec![studio, hall],
            blocks: vec![(time(10, 0), time(11, 0)), (time(11, 15), time(12, 15))],
        };
        store.open_unconference(&new, at(9, 0)).unwrap().unwrap()
    }

    fn propose(store: &mut Store, day: UnconferenceId, who: Booker<'_>, title: &str) -> Proposed {
        let new = NewProposal { title: title.into(), ..NewProposal::default() };
        store.propose(&key(), day, who, &new, at(9, 30)).unwrap().unwrap()
    }

    fn votes(store: &mut Store, proposal: ProposalId, passes: &[&str]) {
        for pass in passes {
            store.vote(&key(), proposal, Booker::Pass(pass), at(9, 40)).unwrap().unwrap();
        }
    }

    #[test]
    fn opening_a_day_books_every_cell_and_a_clash_books_none() {
        let mut store = london_hub();
        let day = open_tuesday(&mut store);
        let board = store.unconference(day).unwrap();
        assert_eq!((board.rooms.len(), board.blocks.len()), (2, 2));
        assert_eq!(board.blocks[1].start(), at(11, 15), "local times in London in January are UTC");
        let bookings = store.bookings_overlapping(board.span().unwrap(), None).unwrap();
        assert_eq!(bookings.len(), 4);
        assert!(bookings.iter().all(|booking| booking.public && booking.title == "Open Tuesday"));

        // A second day over the same rooms clashes, and leaves nothing behind.
        let mut clash = NewUnconference {
            title: "Clash".into(),
            day: board.day,
            organiser: PersonId(1),
            rooms: vec![board.rooms[1].room_id],
            blocks: vec![(time(9, 30), time(10, 30))],
        };
        clash.organiser = store.people(Some(Role::Host)).unwrap()[0].id;
        assert!(matches!(store.open_unconference(&clash, at(9, 0)).unwrap(), Err(BookingRefusal::Conflict { .. })));
        assert_eq!(store.unconferences_on(board.day).unwrap().len(), 1);
        let visitor = person(&mut store, "Vic", Role::Visitor);
        clash.organiser = visitor;
        clash.blocks = vec![(time(14, 0), time(15, 0))];
        assert!(store.open_unconference(&clash, at(9, 0)).is_err(), "a visitor cannot organise a day");
    }

    #[test]
    fn a_rooms_changeover_buffer_holds_between_the_days_blocks_and_is_said_plainly() {
        let mut store = london_hub();
        let mut workshop = NewRoom::named("Workshop", 16);
        workshop.buffer_minutes = 15;
        let workshop = store.add_room(&workshop).unwrap().id;
        let grace = person(&mut store, "Grace", Role::Host);
        let mut new = NewUnconference {
            title: "Open Tuesday".into(),
            day: NaiveDate::from_ymd_opt(2027, 1, 5).unwrap(),
            organiser: grace,
            rooms: vec![workshop],
            blocks: vec![(time(10, 0), time(11, 0)), (time(11, 0), time(12, 0))],
        };
        let error = store.open_unconference(&new, at(9, 0)).unwrap_err().to_string();
        assert!(error.contains("Workshop needs 15 minutes between bookings"), "{error}");
        assert!(store.unconferences_on(new.day).unwrap().is_empty());
        new.blocks[1] = (time(11, 15), time(12, 15));
        store.open_unconference(&new, at(9, 0)).unwrap().unwrap();
    }

    #[test]
    fn one_vote_per_person_and_the_grid_fills_by_votes_keeping_pins_and_rules() {
        let mut store = london_hub();
        let day = open_tuesday(&mut store);
        let ada = propose(&mut store, day, Booker::Newcomer("Ada"), "Rust for beginners");
        let ada_pass = ada.pass.clone().unwrap().payload;
        let bea = propose(&mut store, day, Booker::Newcomer("Bea"), "Mesh networks");
        let bea_pass = bea.pass.clone().unwrap().payload;
        let ada_again = propose(&mut store, day, Booker::Pass(&ada_pass), "Home automation");
        assert!(ada_again.pass.is_none(), "Ada has her pass already");
        let cy = propose(&mut store, day, Booker::Newcomer("Cy"), "Repair café");
        let cy_pass = cy.pass.unwrap().payload;

        votes(&mut store, ada.proposal, &[&ada_pass, &bea_pass, &cy_pass]);
        votes(&mut store, ada_again.proposal, &[&bea_pass, &cy_pass]);
        votes(&mut store, bea.proposal, &[&cy_pass]);
        let cy_id = store.verify_pass(&key(), &cy_pass, at(9, 40)).unwrap().unwrap().person_id;
        assert_eq!(store.votes_of(day, cy_id).unwrap(), vec![ada.proposal, bea.proposal, ada_again.proposal]);
        let twice = store.vote(&key(), bea.proposal, Booker::Pass(&cy_pass), at(9, 41)).unwrap();
        assert_eq!(twice, Err(Refused::Rule(UnconferenceRefusal::AlreadyVoted)));
        assert!(store.vote(&key(), bea.proposal, Booker::Newcomer("Cy"), at(9, 41)).is_err(), "a name cannot vote");

        // The organiser pins the repair café to the Hall's first block.
        store.place_proposal(cy.proposal, Some(Cell { room: 1, block: 0 }), at(9, 45)).unwrap().unwrap();
        let filled = store.fill_unconference(day, at(9, 50)).unwrap().unwrap();
        assert_eq!(filled, Filled { placed: 4, left_off: 0 });
        let board = store.unconference(day).unwrap();
        let cell_of = |id: ProposalId| board.proposals.iter().find(|line| line.id == id).unwrap().cell.unwrap();
        assert_eq!(cell_of(cy.proposal), Cell { room: 1, block: 0 }, "the pin stays");
        assert_eq!(cell_of(ada.proposal), Cell { room: 0, block: 0 }, "most votes: earliest block, room left");
        assert_eq!(cell_of(ada_again.proposal), Cell { room: 1, block: 1 }, "Ada is busy in block 0");
        assert_eq!(cell_of(bea.proposal), Cell { room: 0, block: 1 });
        assert!(board.proposals[0].votes >= board.proposals[1].votes, "most votes first");

        // The Studio's display shows the session placed there.
        let span = board.span().unwrap();
        let studio = store.bookings_overlapping(span, Some(board.rooms[0].room_id)).unwrap();
        assert_eq!(studio[0].title, "Rust for beginners");

        // By hand: the rules hold, and say what is in the way.
        let busy = store.place_proposal(ada_again.proposal, Some(Cell { room: 0, block: 0 }), at(9, 55)).unwrap();
        assert_eq!(busy, Err(UnconferenceRefusal::CellTaken { title: "Rust for beginners".into() }));
        store.place_proposal(ada.proposal, None, at(9, 55)).unwrap().unwrap();
        let studio = store.bookings_overlapping(span, Some(board.rooms[0].room_id)).unwrap();
        assert_eq!(studio[0].title, "Open Tuesday", "the cell it left shows the day again");
    }

    #[test]
    fn the_database_refuses_two_sessions_in_a_cell_or_one_proposer_twice_in_a_block() {
        let mut store = london_hub();
        let day = open_tuesday(&mut store);
        let grace = Booker::Person(store.people(Some(Role::Host)).unwrap()[0].id);
        let one = propose(&mut store, day, grace, "One").proposal;
        let two = propose(&mut store, day, grace, "Two").proposal;
        store.place_proposal(one, Some(Cell { room: 0, block: 0 }), at(9, 45)).unwrap().unwrap();
        let sql = |store: &Store, room: usize, block: usize| {
            store.conn.execute(
                "UPDATE proposals SET room_position = ?2, block_position = ?3 WHERE id = ?1",
                params![two, room as i64, block as i64],
            )
        };
        assert!(sql(&store, 0, 0).is_err(), "one session per cell");
        assert!(sql(&store, 1, 0).is_err(), "Grace cannot be in two rooms at once");
        assert!(sql(&store, 1, 1).is_ok());
    }

    #[test]
    fn merging_counts_each_voter_once_and_a_small_room_is_refused() {
        let mut store = london_hub();
        let day = open_tuesday(&mut store);
        let mut passes = Vec::new();
        for index in 0..8 {
            let person = person(&mut store, &format!("Voter {index}"), Role::Member);
            passes.push(
                store.issue_pass(&key(), person, NewPass::DayOf(at(9, 0).date_naive()), at(9, 0)).unwrap().payload,
            );
        }
        let grace = Booker::Person(store.people(Some(Role::Host)).unwrap()[0].id);
        let rust = propose(&mut store, day, grace, "Rust").proposal;
        let more_rust = propose(&mut store, day, Booker::Pass(&passes[0]), "More Rust").proposal;
        let passes: Vec<&str> = passes.iter().map(String::as_str).collect();
        votes(&mut store, rust, &passes[..5]);
        votes(&mut store, more_rust, &passes[3..]);
        store.merge_proposals(more_rust, rust, at(9, 50)).unwrap().unwrap();
        let board = store.unconference(day).unwrap();
        assert_eq!(board.proposals.len(), 1);
        assert_eq!((board.proposals[0].votes, board.proposals[0].merged.clone()), (8, vec!["More Rust".to_owned()]));
        let merged = store.vote(&key(), more_rust, Booker::Pass(passes[0]), at(9, 51)).unwrap();
        assert_eq!(merged, Err(Refused::Rule(UnconferenceRefusal::Merged { into: "Rust".into() })));

        let small = store.place_proposal(rust, Some(Cell { room: 0, block: 0 }), at(9, 55)).unwrap();
        assert_eq!(small, Err(UnconferenceRefusal::RoomTooSmall { room: "Studio".into(), capacity: 6, votes: 8 }));
        assert_eq!(store.fill_unconference(day, at(9, 55)).unwrap().unwrap(), Filled { placed: 1, left_off: 0 });
        assert_eq!(store.unconference(day).unwrap().proposals[0].cell, Some(Cell { room: 1, block: 0 }), "the Hall");

        // Once the day is over, nothing changes.
        let late = store.vote(&key(), rust, Booker::Pass(passes[1]), at(12, 15)).unwrap();
        assert_eq!(late, Err(Refused::Rule(UnconferenceRefusal::Over)));
    }

    #[test]
    fn the_organiser_adds_a_session_straight_onto_the_grid() {
        let mut store = london_hub();
        let day = open_tuesday(&mut store);
        let grace = Booker::Person(store.people(Some(Role::Host)).unwrap()[0].id);
        let cell = Cell { room: 1, block: 1 };
        let lightning =
            NewProposal { title: "Lightning talks".into(), description: "Five minutes each".into(), at: Some(cell) };
        let added = store.propose(&key(), day, grace, &lightning, at(11, 0));
        let proposal = added.unwrap().unwrap().proposal;
        let board = store.unconference(day).unwrap();
        assert_eq!(board.at(cell).map(|line| (line.id, line.pinned)), Some((proposal, true)));
        let clash = NewProposal { title: "Clash".into(), at: Some(cell), ..NewProposal::default() };
        let again = store.propose(&key(), day, grace, &clash, at(11, 0)).unwrap();
        assert_eq!(again, Err(Refused::Rule(UnconferenceRefusal::CellTaken { title: "Lightning talks".into() })));
        assert_eq!(store.unconference(day).unwrap().proposals.len(), 1, "the refused one is not kept");
    }
}
