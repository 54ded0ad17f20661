//! Counting people in and out with two break-beams across a doorway: `outside` and, a hand's width further in,
//! `inside`. Each beam's blocked periods are recorded while anyone is in the doorway; when both beams are clear
//! again, the periods are paired in order. A pair where the outside beam was blocked first *and* cleared first is
//! someone coming in; the mirror image is someone going out; anything else (a step in and back, a hand waved
//! through one beam) counts nobody.
//!
//! Two people close together count as two when the beams see a gap between them (the outside beam clears before
//! the second blocks it). A beam blocked for a long time holds the count until it clears; the monitor raises an
//! alert for that.

use std::time::Duration;

/// Which beam of the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beam {
    Outside,
    Inside,
}

/// Someone passed through the doorway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passage {
    In,
    Out,
}

/// A beam's blocked period, in time since the counter started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Blocked {
    from: Duration,
    until: Duration,
}

#[derive(Debug, Default)]
pub struct BeamPairCounter {
    outside_since: Option<Duration>,
    inside_since: Option<Duration>,
    outside: Vec<Blocked>,
    inside: Vec<Blocked>,
}

impl BeamPairCounter {
    /// Records a beam becoming blocked or clear at `at`; returns the passages completed by it (when the doorway
    /// becomes empty), usually none or one.
    pub fn feed(&mut self, beam: Beam, blocked: bool, at: Duration) -> Vec<Passage> {
        let (since, periods) = match beam {
            Beam::Outside => (&mut self.outside_since, &mut self.outside),
            Beam::Inside => (&mut self.inside_since, &mut self.inside),
        };
        match (blocked, *since) {
            (true, None) => *since = Some(at),
            (false, Some(from)) => {
                periods.push(Blocked { from, until: at });
                *since = None;
            }
            // A repeated report of the same state changes nothing.
            _ => return Vec::new(),
        }
        if self.outside_since.is_some() || self.inside_since.is_some() {
            return Vec::new();
        }
        let passages = self
            .outside
            .iter()
            .zip(&self.inside)
            .filter_map(|(outside, inside)| {
                if outside.from < inside.from && outside.until < inside.until {
                    Some(Passage::In)
                } else if inside.from < outside.from && inside.until < outside.until {
                    Some(Passage::Out)
                } else {
                    None
                }
            })
            .collect();
        self.outside.clear();
        self.inside.clear();
        passages
    }

    /// How long a beam has been blocked at `now`, if one is.
    pub fn blocked_for(&self, now: Duration) -> Option<Duration> {
        [self.outside_since, self.inside_since].into_iter().flatten().min().map(|since| now.saturating_sub(since))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plays `steps` ("o+" outside blocked, "i-" inside clear …) 100 ms apart; returns every passage.
    fn play(steps: &str) -> Vec<Passage> {
        let mut counter = BeamPairCounter::default();
        let mut passages = Vec::new();
        for (index, step) in steps.split_whitespace().enumerate() {
            let beam = if step.starts_with('o') { Beam::Outside } else { Beam::Inside };
            passages.extend(counter.feed(beam, step.ends_with('+'), Duration::from_millis(100 * index as u64)));
        }
        passages
    }

    #[test]
    fn walking_in_and_walking_out() {
        assert_eq!(play("o+ i+ o- i-"), [Passage::In]);
        assert_eq!(play("i+ o+ i- o-"), [Passage::Out]);
    }

    #[test]
    fn stepping_in_and_back_counts_nobody() {
        assert_eq!(play("o+ o-"), []);
        assert_eq!(play("o+ i+ i- o-"), [], "reached the inside beam, then turned back");
        assert_eq!(play("i+ i-"), [], "a hand through one beam");
    }

    #[test]
    fn two_people_close_together_count_as_two() {
        // The second blocks the outside beam after the first has cleared it, before the first clears the inside one.
        assert_eq!(play("o+ i+ o- o+ i- i+ o- i-"), [Passage::In, Passage::In]);
        // One in while another goes out, one after the other.
        assert_eq!(play("o+ i+ o- i- i+ o+ i- o-"), [Passage::In, Passage::Out]);
    }

    #[test]
    fn a_beam_held_blocked_waits_and_then_counts() {
        let mut counter = BeamPairCounter::default();
        assert!(counter.feed(Beam::Outside, true, Duration::from_secs(0)).is_empty());
        assert!(counter.feed(Beam::Inside, true, Duration::from_secs(1)).is_empty());
        assert!(counter.feed(Beam::Outside, false, Duration::from_secs(2)).is_empty());
        assert_eq!(counter.blocked_for(Duration::from_secs(300)), Some(Duration::from_secs(299)));
        assert_eq!(counter.feed(Beam::Inside, false, Duration::from_secs(301)), [Passage::In]);
        assert_eq!(counter.blocked_for(Duration::from_secs(302)), None);
    }

    #[test]
    fn repeated_reports_are_ignored() {
        assert_eq!(play("o+ o+ i+ o- o- i-"), [Passage::In]);
    }
}
