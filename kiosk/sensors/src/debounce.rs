//! Contact bounce: a reed switch or button flickers for a few milliseconds when it changes. The first change is
//! taken at once (no added delay), later flickers within the debounce time are ignored, and if the input settled
//! on the other level after all, [`Debouncer::settle`] reports that once the time is up.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Debouncer {
    window: Duration,
    /// The level last reported.
    stable: bool,
    /// The level last seen on the pin.
    raw: bool,
    changed_at: Option<Duration>,
}

impl Debouncer {
    /// Starts at `level` (as read from the pin at start-up).
    pub fn new(window: Duration, level: bool) -> Debouncer {
        Debouncer { window, stable: level, raw: level, changed_at: None }
    }

    fn quiet_at(&self, at: Duration) -> bool {
        self.changed_at.is_none_or(|changed| at.saturating_sub(changed) >= self.window)
    }

    /// A raw level seen at `at`; returns the new level if this is a real change.
    pub fn feed(&mut self, level: bool, at: Duration) -> Option<bool> {
        self.raw = level;
        if level == self.stable || !self.quiet_at(at) {
            return None;
        }
        self.stable = level;
        self.changed_at = Some(at);
        Some(level)
    }

    /// Reports a level the pin settled on during the debounce time, once that time is up.
    pub fn settle(&mut self, at: Duration) -> Option<bool> {
        if self.raw == self.stable || !self.quiet_at(at) {
            return None;
        }
        self.stable = self.raw;
        self.changed_at = Some(at);
        Some(self.raw)
    }

    /// When [`settle`](Self::settle) may next have something to say.
    pub fn settles_at(&self) -> Option<Duration> {
        (self.raw != self.stable).then(|| self.changed_at.unwrap_or_default() + self.window)
    }

    pub fn level(&self) -> bool {
        self.stable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(value: u64) -> Duration {
        Duration::from_millis(value)
    }

    #[test]
    fn a_bouncing_reed_switch_is_one_change() {
        let mut debouncer = Debouncer::new(ms(30), false);
        let changes: Vec<bool> = [(0, true), (1, false), (2, true), (4, false), (6, true)]
            .into_iter()
            .filter_map(|(at, level)| debouncer.feed(level, ms(at)))
            .collect();
        assert_eq!(changes, [true]);
        assert_eq!(debouncer.settle(ms(40)), None, "it settled where it was reported");
        assert_eq!(debouncer.feed(false, ms(500)), Some(false), "a later real change goes through");
    }

    #[test]
    fn a_glitch_that_settles_back_is_reported_back() {
        let mut debouncer = Debouncer::new(ms(30), false);
        assert_eq!(debouncer.feed(true, ms(0)), Some(true));
        assert_eq!(debouncer.feed(false, ms(5)), None);
        assert_eq!(debouncer.settles_at(), Some(ms(30)));
        assert_eq!(debouncer.settle(ms(20)), None, "not yet");
        assert_eq!(debouncer.settle(ms(30)), Some(false));
        assert!(!debouncer.level());
    }
}
