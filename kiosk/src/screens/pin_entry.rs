//! Typing a PIN on the kiosk's pad and checking it, shared by the staff and host views. The digits stay here, in
//! Rust: the screen only ever gets how many there are.

use std::rc::Rc;

use booking_core::{PersonId, Pin, PinOutcome};

use super::Kiosk;
use crate::ui::PinMessage;

const MAX_PIN_DIGITS: usize = 8;

#[derive(Debug, Default)]
pub struct PinEntry {
    digits: String,
}

impl PinEntry {
    /// Adds a digit (ignoring anything else, or a ninth digit); returns how many there are now.
    pub fn push(&mut self, digit: &str) -> i32 {
        if self.digits.len() < MAX_PIN_DIGITS && !digit.is_empty() && digit.chars().all(|c| c.is_ascii_digit()) {
            self.digits.push_str(digit);
        }
        self.len()
    }

    pub fn pop(&mut self) -> i32 {
        self.digits.pop();
        self.len()
    }

    pub fn len(&self) -> i32 {
        self.digits.len() as i32
    }

    pub fn is_empty(&self) -> bool {
        self.digits.is_empty()
    }

    /// Takes the digits for an attempt, leaving the entry empty whatever the outcome.
    pub fn take(&mut self) -> Option<Pin> {
        std::mem::take(&mut self.digits).parse().ok()
    }

    pub fn clear(&mut self) {
        self.digits.clear();
    }
}

/// Checks `pin` for `person` on the database thread. `then` gets `None` when it is right, or the message to show
/// and its number (tries left, or seconds to wait).
pub fn check(kiosk: &Rc<Kiosk>, person: PersonId, pin: Pin, then: impl FnOnce(Option<(PinMessage, i32)>) + 'static) {
    let now = kiosk.now();
    kiosk.worker.run(
        move |hub| hub.store.check_pin(person, &pin, now).map_err(|error| error.to_string()),
        move |outcome| {
            then(match outcome {
                Ok(PinOutcome::Accepted(_)) => None,
                Ok(PinOutcome::Wrong { attempts_left }) => Some((PinMessage::Wrong, attempts_left as i32)),
                Ok(PinOutcome::Wait { seconds }) => Some((PinMessage::Wait, seconds as i32)),
                Ok(PinOutcome::Locked) => Some((PinMessage::Locked, 0)),
                Err(error) => {
                    eprintln!("kiosk: a PIN check failed: {error}");
                    Some((PinMessage::Failed, 0))
                }
            })
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_only_at_most_eight_and_taken_once() {
        let mut entry = PinEntry::default();
        for key in ["1", "x", "2", "", "3", "4", "5", "6", "7", "8", "9"] {
            entry.push(key);
        }
        assert_eq!(entry.len(), 8);
        assert_eq!(entry.pop(), 7);
        assert!(entry.take().is_some());
        assert!(entry.is_empty());
        entry.push("1");
        assert!(entry.take().is_none(), "one digit is not a PIN");
    }
}
