//! Who is booking, registering or proposing at the kiosk: a scanned pass, or a newcomer's typed name.

use booking_core::Booker;

#[derive(Debug, Clone)]
pub enum Who {
    /// A scanned pass (its text).
    Pass(String),
    /// Someone with no pass: their name, and they are given a pass.
    Named(String),
}

impl Who {
    pub fn booker(&self) -> Booker<'_> {
        match self {
            Who::Pass(text) => Booker::Pass(text),
            Who::Named(name) => Booker::Newcomer(name),
        }
    }
}
