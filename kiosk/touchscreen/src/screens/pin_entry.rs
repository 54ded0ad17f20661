//! Typing a PIN on the kiosk's pad and checking it, shared by the staff and host views. The digits stay here, in
//! Rust: the screen only ever gets how many there are. A wait after wrong PINs counts down on screen, a second at a
//! time, so people see when they may try again.

use std::rc::Rc;
use std::time::Duration;

use booking_core::{PersonId, Pin, PinOutcome};
use slint::{ComponentHandle, Timer, TimerMode};
use tracing::error;

use super::Touchscreen;
use crate::ui::{MainWindow, PinMessage, PinState};

const MAX_PIN_DIGITS: usize = 8;

/// Where a screen keeps its PIN state (the staff view's adapter, or the host's).
#[derive(Debug, Clone, Copy)]
pub struct PinScreen {
    pub get: fn(&MainWindow) -> PinState,
    pub set: fn(&MainWindow, PinState),
}

/// The digits typed so far on one screen, and the countdown of a wait.
#[derive(Default)]
pub struct PinEntry {
    digits: String,
    countdown: Rc<Timer>,
}

impl std::fmt::Debug for PinEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinEntry").field("digits", &self.digits.len()).finish_non_exhaustive()
    }
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

    /// Forgets the digits and any wait on screen: a new person, or one stepping away.
    pub fn clear(&mut self) {
        self.digits.clear();
        self.countdown.stop();
    }

    /// A fresh pad for `name`.
    pub fn start(&mut self, window: &MainWindow, screen: PinScreen, name: &str) {
        self.clear();
        (screen.set)(window, PinState { name: name.into(), ..PinState::default() });
    }

    /// Shows how many digits are typed now.
    pub fn show_digits(&self, window: &MainWindow, screen: PinScreen) {
        (screen.set)(window, PinState { digits: self.len(), ..(screen.get)(window) });
    }

    /// Shows what an attempt said and, if it imposes a wait, counts it down to zero.
    pub fn show_refusal(&self, window: &MainWindow, screen: PinScreen, refusal: Refusal) {
        let state = (screen.get)(window);
        (screen.set)(
            window,
            PinState {
                digits: 0,
                message: refusal.message,
                tries_left: refusal.tries_left,
                wait_seconds: refusal.wait_seconds,
                ..state
            },
        );
        self.countdown.stop();
        if refusal.wait_seconds > 0 {
            let weak = window.as_weak();
            let timer = Rc::downgrade(&self.countdown);
            self.countdown.start(TimerMode::Repeated, Duration::from_secs(1), move || {
                let Some(window) = weak.upgrade() else { return };
                let state = (screen.get)(&window);
                (screen.set)(&window, PinState { wait_seconds: (state.wait_seconds - 1).max(0), ..state });
                if state.wait_seconds <= 1
                    && let Some(timer) = timer.upgrade()
                {
                    timer.stop();
                }
            });
        }
    }
}

/// Why a PIN was not accepted, as the screen words it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Refusal {
    pub message: PinMessage,
    pub tries_left: i32,
    pub wait_seconds: i32,
}

impl Refusal {
    pub fn of(message: PinMessage) -> Refusal {
        Refusal { message, tries_left: 0, wait_seconds: 0 }
    }
}

/// Checks `pin` for `person` on the database thread. `then` gets `None` when it is right, or the refusal.
pub fn check(kiosk: &Rc<Touchscreen>, person: PersonId, pin: Pin, then: impl FnOnce(Option<Refusal>) + 'static) {
    let now = kiosk.now();
    kiosk.worker.run(
        move |hub| hub.store.check_pin(person, &pin, now).map_err(|error| error.to_string()),
        move |outcome| {
            let seconds = |seconds: i64| i32::try_from(seconds).unwrap_or(i32::MAX);
            then(match outcome {
                Ok(PinOutcome::Accepted(_)) => None,
                Ok(PinOutcome::Wrong { attempts_left, wait_seconds }) => Some(Refusal {
                    message: PinMessage::Wrong,
                    tries_left: attempts_left as i32,
                    wait_seconds: seconds(wait_seconds),
                }),
                Ok(PinOutcome::Wait { seconds: wait }) => {
                    Some(Refusal { message: PinMessage::Wait, tries_left: 0, wait_seconds: seconds(wait) })
                }
                Ok(PinOutcome::Locked) => Some(Refusal::of(PinMessage::Locked)),
                Err(error) => {
                    error!("a PIN check failed: {error}");
                    Some(Refusal::of(PinMessage::Failed))
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
