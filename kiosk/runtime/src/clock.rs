//! The kiosk's clock. Only the edges read the time; booking-core is always told it.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    /// The system clock moved by a fixed amount: a demo that pretends it is another day, but still ticks.
    Shifted(Duration),
    /// A time that never moves: screenshots and tests.
    Fixed(DateTime<Utc>),
    /// A time tests move by hand, in whole seconds since 1970 (see [`Clock::manual`]).
    Manual(&'static AtomicI64),
}

impl Clock {
    /// A ticking clock that reads `pretend` now.
    pub fn starting_at(pretend: DateTime<Utc>) -> Clock {
        Clock::Shifted(pretend - Utc::now())
    }

    /// A clock that reads `start` until the returned handle moves it (tests only: the handle lives for the
    /// rest of the process).
    pub fn manual(start: DateTime<Utc>) -> (Clock, &'static AtomicI64) {
        let seconds: &'static AtomicI64 = Box::leak(Box::new(AtomicI64::new(start.timestamp())));
        (Clock::Manual(seconds), seconds)
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Shifted(offset) => Utc::now() + *offset,
            Clock::Fixed(instant) => *instant,
            Clock::Manual(seconds) => DateTime::from_timestamp(seconds.load(Ordering::Relaxed), 0).unwrap_or_default(),
        }
    }
}
