//! Puts scans together from keystrokes. A USB scanner in keyboard mode types the code and presses Enter; so does
//! a person trying the kiosk on a desktop.

use std::cell::RefCell;
use std::rc::Rc;

use slint::ComponentHandle;

use super::{Touchscreen, showing};
use crate::ui::{MainWindow, Scanner};

/// Longer input is not a pass (a pass is 78 characters): it is dropped rather than kept growing.
const MAX_SCAN_CHARS: usize = 512;

/// Characters typed since the last Enter.
#[derive(Debug, Default)]
pub struct ScanBuffer {
    typed: String,
}

impl ScanBuffer {
    /// Takes one key's text; returns the finished scan when it is Enter.
    /// Special keys (Shift, arrows, function keys) arrive as control or private-use characters and are ignored.
    pub fn key(&mut self, text: &str) -> Option<String> {
        let mut finished = None;
        for character in text.chars() {
            match character {
                '\n' | '\r' => {
                    let scan = std::mem::take(&mut self.typed);
                    if !scan.is_empty() {
                        finished = Some(scan);
                    }
                }
                c if c.is_control() || ('\u{E000}'..='\u{F8FF}').contains(&c) => {}
                c if self.typed.chars().count() < MAX_SCAN_CHARS => self.typed.push(c),
                _ => {}
            }
        }
        finished
    }
}

pub fn connect(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let buffer = Rc::new(RefCell::new(ScanBuffer::default()));
    let (weak, key_kiosk) = (window.as_weak(), kiosk.clone());
    window.global::<Scanner>().on_key_typed(move |text| {
        let Some(window) = weak.upgrade() else { return };
        if key_kiosk.sensor_keys.borrow().as_ref().is_some_and(|keys| keys(&text)) {
            return;
        }
        // A screen may take keys itself (a name typed on a desktop keyboard). A scanner read as keys would type
        // there too; reading it from its own input device (evdev, grabbed) is what avoids that.
        if showing(&window).key(&window, &text) {
            return;
        }
        if let Some(scan) = buffer.borrow_mut().key(&text) {
            deliver(&window, &key_kiosk, scan);
        }
    });
    let (weak, device_kiosk) = (window.as_weak(), kiosk.clone());
    window.global::<Scanner>().on_device_scanned(move |scan| {
        if let Some(window) = weak.upgrade() {
            deliver(&window, &device_kiosk, scan.into());
        }
    });
}

/// Sends a finished scan where it belongs: the screen showing, if it is waiting for one (a pass that says who is
/// booking), else check in or out.
fn deliver(window: &MainWindow, kiosk: &Rc<Touchscreen>, scan: String) {
    if !showing(window).scanned(window, kiosk, &scan) {
        window.global::<Scanner>().invoke_scanned(scan.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enter_finishes_a_scan_and_special_keys_are_ignored() {
        let mut buffer = ScanBuffer::default();
        let shift = "\u{10}";
        let arrow = "\u{F700}";
        for key in ["H", shift, "K", arrow, "a", "\t"] {
            assert_eq!(buffer.key(key), None);
        }
        assert_eq!(buffer.key("\n"), Some("HKa".into()));
        assert_eq!(buffer.key("\n"), None, "an empty Enter is no scan");
    }

    #[test]
    fn runaway_input_is_capped() {
        let mut buffer = ScanBuffer::default();
        for _ in 0..10_000 {
            buffer.key("x");
        }
        assert_eq!(buffer.key("\r").map(|scan| scan.len()), Some(MAX_SCAN_CHARS));
    }
}
