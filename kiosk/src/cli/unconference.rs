//! `kiosk unconference`: an open-space day on a grid of rooms × time blocks. Each command is one booking-core
//! use-case.

use anyhow::Result;
use booking_core::{Cell, NewProposal, NewUnconference, ProposalId, ProposalLine, UnconferenceBoard, UnconferenceId};
use chrono_tz::Tz;
use kiosk_runtime::times::hm;
use serde_json::json;

use super::Invocation;
use super::args::UnconferenceCommand;
use super::input::{bad_input, parse_date, parse_time};
use super::report::{Report, plural};

pub fn unconference(cx: &mut Invocation<'_>, command: &UnconferenceCommand) -> Result<Report> {
    let zone = cx.zone()?;
    match command {
        UnconferenceCommand::Open { title, date, organiser, rooms, blocks } => {
            let new = NewUnconference {
                title: title.clone(),
                day: parse_date(date, zone, cx.now)?,
                organiser: cx.person(organiser)?.id,
                rooms: rooms.iter().map(|room| Ok(cx.hub.store.room_by_name(room)?.id)).collect::<Result<_>>()?,
                blocks: blocks.iter().map(|block| parse_block(block)).collect::<Result<_>>()?,
            };
            Ok(match cx.hub.store.open_unconference(&new, cx.now)? {
                Ok(day) => {
                    let board = cx.hub.store.unconference(day)?;
                    Report::done(format!("Opened.\n{}", board_text(&board, zone)), &board)
                }
                Err(refusal) => Report::refusal(&refusal, json!({ "refused": refusal })),
            })
        }
        UnconferenceCommand::List { from } => {
            let days = cx.hub.store.unconferences_from(parse_date(from, zone, cx.now)?)?;
            let mut text: String = days
                .iter()
                .map(|day| {
                    format!(
                        "#{} {} — {}: {} rooms, {} time blocks, {} proposals\n",
                        day.id,
                        day.title,
                        day.day.format("%A %-d %B %Y"),
                        day.rooms.len(),
                        day.blocks.len(),
                        day.proposals.len()
                    )
                })
                .collect();
            if days.is_empty() {
                text = "No unconference days then.".into();
            }
            Ok(Report::done(text.trim_end(), &days))
        }
        UnconferenceCommand::Propose { day, title, line, who, room, block } => {
            let day = UnconferenceId(*day);
            let at = match (room, block) {
                (Some(room), Some(block)) => Some(cell(&cx.hub.store.unconference(day)?, room, *block)?),
                _ => None,
            };
            let booker = cx.booker(who)?;
            let hub = &mut *cx.hub;
            let new = NewProposal { title: title.clone(), description: line.clone(), at };
            Ok(match hub.store.propose(&hub.key, day, booker, &new, cx.now)? {
                Ok(proposed) => {
                    let mut text = format!("Proposed: #{} \"{}\"", proposed.proposal, title.trim());
                    if at.is_some() {
                        text += ", on the grid";
                    }
                    if let Some(pass) = &proposed.pass {
                        text += &format!(". Their day pass, to vote with: {}", pass.payload);
                    }
                    Report::done(text, &proposed)
                }
                Err(refused) => Report::refusal(&refused, json!({ "refused": refused })),
            })
        }
        UnconferenceCommand::Vote { proposal, who } => {
            let booker = cx.booker(who)?;
            let hub = &mut *cx.hub;
            Ok(match hub.store.vote(&hub.key, ProposalId(*proposal), booker, cx.now)? {
                Ok(votes) => Report::done(
                    format!("Voted. Proposal #{proposal} has {}.", plural(u64::from(votes), "vote")),
                    json!({ "proposal": proposal, "votes": votes }),
                ),
                Err(refused) => Report::refusal(&refused, json!({ "refused": refused })),
            })
        }
        UnconferenceCommand::Fill { day } => {
            let day = UnconferenceId(*day);
            Ok(match cx.hub.store.fill_unconference(day, cx.now)? {
                Ok(filled) => {
                    let board = cx.hub.store.unconference(day)?;
                    let left = match filled.left_off {
                        0 => String::new(),
                        n => format!(
                            ", {} left off (no room big enough, or no time free)",
                            plural(u64::from(n), "proposal")
                        ),
                    };
                    let text = format!("Filled: {} on the grid{left}.\n{}", filled.placed, board_text(&board, zone));
                    Report::done(text, json!({ "filled": filled, "board": board }))
                }
                Err(refusal) => Report::refusal(&refusal, json!({ "refused": refusal })),
            })
        }
        UnconferenceCommand::Place { proposal, room, block, off } => {
            let id = ProposalId(*proposal);
            let day = cx.hub.store.unconference_of(id)?;
            let target = match (room, block, off) {
                (Some(room), Some(block), false) => Some(cell(&cx.hub.store.unconference(day)?, room, *block)?),
                (None, None, true) => None,
                _ => return Err(bad_input("say where: --room NAME --block N, or --off to take it off the grid")),
            };
            Ok(match cx.hub.store.place_proposal(id, target, cx.now)? {
                Ok(()) => {
                    let board = cx.hub.store.unconference(day)?;
                    let text = match target {
                        Some(_) => format!("Placed #{proposal}.\n{}", board_text(&board, zone)),
                        None => format!("Took #{proposal} off the grid.\n{}", board_text(&board, zone)),
                    };
                    Report::done(text, &board)
                }
                Err(refusal) => Report::refusal(&refusal, json!({ "refused": refusal })),
            })
        }
        UnconferenceCommand::Merge { proposal, into } => {
            Ok(match cx.hub.store.merge_proposals(ProposalId(*proposal), ProposalId(*into), cx.now)? {
                Ok(()) => Report::done(
                    format!("Merged #{proposal} into #{into}: its votes count there."),
                    json!({ "proposal": proposal, "into": into }),
                ),
                Err(refusal) => Report::refusal(&refusal, json!({ "refused": refusal })),
            })
        }
        UnconferenceCommand::Board { day } => {
            let board = cx.hub.store.unconference(UnconferenceId(*day))?;
            Ok(Report::done(board_text(&board, zone), &board))
        }
    }
}

/// `10:00-11:00` (or with an en dash) as local start and end times.
fn parse_block(text: &str) -> Result<(chrono::NaiveTime, chrono::NaiveTime)> {
    let (start, end) = text
        .split_once(['-', '–'])
        .ok_or_else(|| bad_input(format!("\"{text}\" is not a time block: write it like 10:00-11:00")))?;
    Ok((parse_time(start)?, parse_time(end)?))
}

/// The cell of `board` in the room named `room` (as on the grid) and block `block` (counted from 1).
fn cell(board: &UnconferenceBoard, room: &str, block: usize) -> Result<Cell> {
    let position = board.rooms.iter().position(|candidate| candidate.name.eq_ignore_ascii_case(room.trim()));
    let names: Vec<&str> = board.rooms.iter().map(|room| room.name.as_str()).collect();
    let room = position.ok_or_else(|| {
        bad_input(format!("\"{room}\" is not on this day's grid: its rooms are {}", names.join(", ")))
    })?;
    if block == 0 || block > board.blocks.len() {
        return Err(bad_input(format!("the grid has time blocks 1 to {}", board.blocks.len())));
    }
    Ok(Cell { room, block: block - 1 })
}

fn session(line: &ProposalLine) -> String {
    let pinned = if line.pinned { ", pinned" } else { "" };
    let merged = if line.merged.is_empty() { String::new() } else { format!(" (with: {})", line.merged.join("; ")) };
    format!(
        "#{} {}{merged} — {}, {}{pinned}",
        line.id,
        line.title,
        line.proposer,
        plural(u64::from(line.votes), "vote")
    )
}

/// The board as text: each block with each room's session, then the proposals not on the grid.
fn board_text(board: &UnconferenceBoard, zone: Tz) -> String {
    let mut text = format!(
        "#{} {} — {} (organiser: {})\n",
        board.id,
        board.title,
        board.day.format("%A %-d %B %Y"),
        board.organiser
    );
    for (block, time) in board.blocks.iter().enumerate() {
        text += &format!("{}–{}\n", hm(time.start(), zone), hm(time.end(), zone));
        for (position, room) in board.rooms.iter().enumerate() {
            let there = board.at(Cell { room: position, block }).map_or_else(|| "free".to_owned(), session);
            text += &format!("  {} ({}): {there}\n", room.name, room.capacity);
        }
    }
    let unplaced: Vec<String> = board.unplaced().map(|line| format!("  {}\n", session(line))).collect();
    if !unplaced.is_empty() {
        text += &format!("Not on the grid:\n{}", unplaced.concat());
    }
    text.trim_end().to_owned()
}
