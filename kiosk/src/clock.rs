//! The kiosk's clock. Only the edges read the time; booking-core is always told it.

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    /// The system clock moved by a fixed amount: a demo that pretends it is another day, but still ticks.
    Shifted(Duration),
    /// A time that never moves: screenshots and tests.
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// A ticking clock that reads `pretend` now.
    pub fn starting_at(pretend: DateTime<Utc>) -> Clock {
        Clock::Shifted(pretend - Utc::now())
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Shifted(offset) => Utc::now() + *offset,
            Clock::Fixed(instant) => *instant,
        }
    }
}
