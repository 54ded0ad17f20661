//! Filling an unconference day's grid: proposals into rooms × time blocks. Pure — no storage, no clock — so it can
//! be checked against a brute-force reference (`tests` below).
//!
//! The rules: one session per room per block; never two sessions of one proposer in the same block; never more
//! expected interest (votes) than a room holds; the organiser's pins stay where they are. Within them, more votes
//! means an earlier block and a bigger room: proposals are placed most-voted first, each into the first free cell in
//! the order earliest block, then biggest room, that breaks no rule.

use serde::Serialize;

/// A room on the day's grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GridRoom {
    /// Its position in the grid's list of rooms.
    pub index: usize,
    pub capacity: u32,
}

/// A proposed session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GridProposal {
    /// Its position in the day's list of proposals.
    pub index: usize,
    /// Who proposed it (they cannot run two sessions at once).
    pub proposer: String,
    pub votes: u32,
}

/// A cell of the grid: a room in a block (0 = the earliest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Cell {
    pub room: usize,
    pub block: usize,
}

/// Where each proposal goes: `placed[i]` is proposal `i`'s cell, if it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placement {
    pub placed: Vec<Option<Cell>>,
}

/// Fills the grid of `rooms` × `blocks` blocks with `proposals`, keeping `pins` (proposal index → cell) as the
/// organiser set them.
pub fn fill_grid(rooms: &[GridRoom], blocks: usize, proposals: &[GridProposal], pins: &[(usize, Cell)]) -> Placement {
    let mut placed: Vec<Option<Cell>> = vec![None; proposals.len()];
    for (proposal, cell) in pins {
        if let Some(slot) = placed.get_mut(*proposal) {
            *slot = Some(*cell);
        }
    }
    // Earliest block first; within a block, the biggest room first.
    let mut cells: Vec<Cell> =
        (0..blocks).flat_map(|block| rooms.iter().map(move |room| Cell { room: room.index, block })).collect();
    let capacity = |cell: &Cell| rooms.iter().find(|room| room.index == cell.room).map_or(0, |room| room.capacity);
    cells.sort_by_key(|cell| (cell.block, std::cmp::Reverse(capacity(cell)), cell.room));
    // Most votes first; ties in the order proposed.
    let mut order: Vec<&GridProposal> = proposals.iter().filter(|p| placed[p.index].is_none()).collect();
    order.sort_by_key(|proposal| (std::cmp::Reverse(proposal.votes), proposal.index));
    for proposal in order {
        let fits = |cell: &Cell| {
            capacity(cell) >= proposal.votes
                && !placed.contains(&Some(*cell))
                && !proposals.iter().any(|other| {
                    other.proposer == proposal.proposer
                        && placed[other.index].is_some_and(|taken| taken.block == cell.block)
                })
        };
        placed[proposal.index] = cells.iter().find(|cell| fits(cell)).copied();
    }
    Placement { placed }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Every rule a placement must keep, pins given.
    fn breaks(
        rooms: &[GridRoom],
        blocks: usize,
        proposals: &[GridProposal],
        pins: &[(usize, Cell)],
        placement: &Placement,
    ) -> Option<String> {
        let placed = &placement.placed;
        for (proposal, cell) in pins {
            if placed[*proposal] != Some(*cell) {
                return Some(format!("pin of {proposal} moved"));
            }
        }
        for (i, cell) in placed.iter().enumerate() {
            let Some(cell) = cell else { continue };
            if cell.block >= blocks {
                return Some(format!("{i} outside the day"));
            }
            let pinned = pins.iter().any(|(p, _)| *p == i);
            let capacity = rooms.iter().find(|room| room.index == cell.room).map_or(0, |room| room.capacity);
            if !pinned && capacity < proposals[i].votes {
                return Some(format!("{i} in a room too small"));
            }
            for (j, other) in placed.iter().enumerate().skip(i + 1) {
                let Some(other) = other else { continue };
                if other == cell {
                    return Some(format!("{i} and {j} share a cell"));
                }
                if other.block == cell.block && proposals[i].proposer == proposals[j].proposer {
                    return Some(format!("{i} and {j}: one proposer twice at once"));
                }
            }
        }
        None
    }

    /// Every valid placement (brute force): each unpinned proposal in any free cell, or left off.
    fn all_valid(
        rooms: &[GridRoom],
        blocks: usize,
        proposals: &[GridProposal],
        pins: &[(usize, Cell)],
    ) -> Vec<Placement> {
        let cells: Vec<Cell> =
            (0..blocks).flat_map(|block| rooms.iter().map(move |room| Cell { room: room.index, block })).collect();
        let mut found = Vec::new();
        let mut current: Vec<Option<Cell>> = vec![None; proposals.len()];
        for (p, cell) in pins {
            current[*p] = Some(*cell);
        }
        fn walk(
            index: usize,
            current: &mut Vec<Option<Cell>>,
            cells: &[Cell],
            pinned: &[usize],
            check: &dyn Fn(&Placement) -> bool,
            found: &mut Vec<Placement>,
        ) {
            if index == current.len() {
                let placement = Placement { placed: current.clone() };
                if check(&placement) {
                    found.push(placement);
                }
                return;
            }
            if pinned.contains(&index) {
                return walk(index + 1, current, cells, pinned, check, found);
            }
            current[index] = None;
            walk(index + 1, current, cells, pinned, check, found);
            for cell in cells {
                current[index] = Some(*cell);
                walk(index + 1, current, cells, pinned, check, found);
            }
            current[index] = None;
        }
        let pinned: Vec<usize> = pins.iter().map(|(p, _)| *p).collect();
        let check = |placement: &Placement| breaks(rooms, blocks, proposals, pins, placement).is_none();
        walk(0, &mut current, &cells, &pinned, &check, &mut found);
        found
    }

    /// A small day: its rooms, how many blocks, the proposals, and the organiser's pins.
    type Day = (Vec<GridRoom>, usize, Vec<GridProposal>, Vec<(usize, Cell)>);

    fn day() -> impl Strategy<Value = Day> {
        (1usize..=2, 1usize..=2, 1usize..=5).prop_flat_map(|(room_count, blocks, proposal_count)| {
            (
                proptest::collection::vec(1u32..=6, room_count),
                proptest::collection::vec((0usize..3, 0u32..=7), proposal_count),
                proptest::option::of((0usize..proposal_count, 0usize..room_count, 0usize..blocks)),
            )
                .prop_map(move |(capacities, proposals, pin)| {
                    let rooms = capacities
                        .iter()
                        .enumerate()
                        .map(|(index, capacity)| GridRoom { index, capacity: *capacity })
                        .collect();
                    let proposals = proposals
                        .iter()
                        .enumerate()
                        .map(|(index, (proposer, votes))| GridProposal {
                            index,
                            proposer: format!("p{proposer}"),
                            votes: *votes,
                        })
                        .collect();
                    let pins = pin.map(|(p, room, block)| vec![(p, Cell { room, block })]).unwrap_or_default();
                    (rooms, blocks, proposals, pins)
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Against every valid placement of a small day: the grid keeps every rule; a proposal left off fits
        /// nowhere beside what was placed before it; and it could not take the cell of one with fewer votes.
        #[test]
        fn fill_the_grid_keeps_the_rules_and_favours_votes((rooms, blocks, proposals, pins) in day()) {
            let placement = fill_grid(&rooms, blocks, &proposals, &pins);
            prop_assert_eq!(breaks(&rooms, blocks, &proposals, &pins, &placement), None);
            // The brute-force reference: every proposal left off could be placed in no valid placement that also
            // keeps everything placed before it (more votes, or as many and proposed earlier) where it is.
            let valid = all_valid(&rooms, blocks, &proposals, &pins);
            prop_assert!(valid.contains(&placement), "the grid is one of the valid placements");
            for (left, cell) in placement.placed.iter().enumerate() {
                if cell.is_some() {
                    continue;
                }
                // Before it: more votes, or as many and proposed earlier.
                let before = |i: usize| (proposals[left].votes, i) < (proposals[i].votes, left);
                let kept = |other: &Placement| {
                    placement.placed.iter().enumerate().all(|(i, taken)| !before(i) || taken.is_none() || other.placed[i] == *taken)
                };
                prop_assert!(
                    !valid.iter().any(|other| other.placed[left].is_some() && kept(other)),
                    "{} was left off though it fits beside everything placed before it", left
                );
            }
            for (left, cell) in placement.placed.iter().enumerate() {
                if cell.is_some() {
                    continue;
                }
                for (on, taken) in placement.placed.iter().enumerate() {
                    let Some(taken) = taken else { continue };
                    if pins.iter().any(|(p, _)| *p == on) || proposals[on].votes >= proposals[left].votes {
                        continue;
                    }
                    let mut swapped = placement.clone();
                    swapped.placed[on] = None;
                    swapped.placed[left] = Some(*taken);
                    prop_assert!(
                        breaks(&rooms, blocks, &proposals, &pins, &swapped).is_some(),
                        "{} is off the grid while {} with fewer votes is on it", left, on
                    );
                }
            }
        }
    }

    #[test]
    fn the_most_voted_get_the_earliest_block_and_the_biggest_room() {
        let rooms = [GridRoom { index: 0, capacity: 10 }, GridRoom { index: 1, capacity: 30 }];
        let proposal = |index, proposer: &str, votes| GridProposal { index, proposer: proposer.into(), votes };
        let proposals = [proposal(0, "ada", 4), proposal(1, "bea", 25), proposal(2, "ada", 9), proposal(3, "cy", 2)];
        let placement = fill_grid(&rooms, 2, &proposals, &[(3, Cell { room: 0, block: 0 })]);
        assert_eq!(
            placement.placed,
            [
                None,                             // block 0 is full, and Ada already runs a session in block 1
                Some(Cell { room: 1, block: 0 }), // 25 votes: the big room, first
                Some(Cell { room: 1, block: 1 }), // the small room is pinned in block 0: the big one, next block
                Some(Cell { room: 0, block: 0 }), // pinned by the organiser
            ]
        );
    }
}
