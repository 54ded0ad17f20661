//! Reading a USB QR scanner from its own input device (evdev). The device is grabbed, so what it types never
//! reaches the window: a scan cannot land in a name being typed, and typing cannot look like a scan.
//! Scanners type as a US keyboard; the key codes are turned back into characters here.

use std::io;
use std::path::{Path, PathBuf};

use evdev::{Device, EventSummary, KeyCode};
use tracing::warn;

/// Longer input is not a pass: it is dropped rather than kept growing.
const MAX_SCAN_CHARS: usize = 512;

/// Puts characters together from key events until Enter.
#[derive(Debug, Default)]
pub struct ScanAssembler {
    typed: String,
    shift: bool,
}

impl ScanAssembler {
    /// Takes one key event (`value`: 1 pressed, 0 released, 2 held); returns a finished scan on Enter.
    pub fn key(&mut self, code: KeyCode, value: i32) -> Option<String> {
        if matches!(code, KeyCode::KEY_LEFTSHIFT | KeyCode::KEY_RIGHTSHIFT) {
            self.shift = value != 0;
            return None;
        }
        if value != 1 {
            return None;
        }
        if matches!(code, KeyCode::KEY_ENTER | KeyCode::KEY_KPENTER) {
            let scan = std::mem::take(&mut self.typed);
            return (!scan.is_empty()).then_some(scan);
        }
        if let Some(character) = character(code, self.shift)
            && self.typed.chars().count() < MAX_SCAN_CHARS
        {
            self.typed.push(character);
        }
        None
    }
}

/// The character a US keyboard types for `code`.
fn character(code: KeyCode, shift: bool) -> Option<char> {
    const LETTERS: [(KeyCode, char); 26] = [
        (KeyCode::KEY_A, 'a'),
        (KeyCode::KEY_B, 'b'),
        (KeyCode::KEY_C, 'c'),
        (KeyCode::KEY_D, 'd'),
        (KeyCode::KEY_E, 'e'),
        (KeyCode::KEY_F, 'f'),
        (KeyCode::KEY_G, 'g'),
        (KeyCode::KEY_H, 'h'),
        (KeyCode::KEY_I, 'i'),
        (KeyCode::KEY_J, 'j'),
        (KeyCode::KEY_K, 'k'),
        (KeyCode::KEY_L, 'l'),
        (KeyCode::KEY_M, 'm'),
        (KeyCode::KEY_N, 'n'),
        (KeyCode::KEY_O, 'o'),
        (KeyCode::KEY_P, 'p'),
        (KeyCode::KEY_Q, 'q'),
        (KeyCode::KEY_R, 'r'),
        (KeyCode::KEY_S, 's'),
        (KeyCode::KEY_T, 't'),
        (KeyCode::KEY_U, 'u'),
        (KeyCode::KEY_V, 'v'),
        (KeyCode::KEY_W, 'w'),
        (KeyCode::KEY_X, 'x'),
        (KeyCode::KEY_Y, 'y'),
        (KeyCode::KEY_Z, 'z'),
    ];
    // (code, plain, shifted)
    const OTHERS: [(KeyCode, char, char); 21] = [
        (KeyCode::KEY_1, '1', '!'),
        (KeyCode::KEY_2, '2', '@'),
        (KeyCode::KEY_3, '3', '#'),
        (KeyCode::KEY_4, '4', '$'),
        (KeyCode::KEY_5, '5', '%'),
        (KeyCode::KEY_6, '6', '^'),
        (KeyCode::KEY_7, '7', '&'),
        (KeyCode::KEY_8, '8', '*'),
        (KeyCode::KEY_9, '9', '('),
        (KeyCode::KEY_0, '0', ')'),
        (KeyCode::KEY_MINUS, '-', '_'),
        (KeyCode::KEY_EQUAL, '=', '+'),
        (KeyCode::KEY_SPACE, ' ', ' '),
        (KeyCode::KEY_DOT, '.', '>'),
        (KeyCode::KEY_COMMA, ',', '<'),
        (KeyCode::KEY_SLASH, '/', '?'),
        (KeyCode::KEY_SEMICOLON, ';', ':'),
        (KeyCode::KEY_APOSTROPHE, '\'', '"'),
        (KeyCode::KEY_LEFTBRACE, '[', '{'),
        (KeyCode::KEY_RIGHTBRACE, ']', '}'),
        (KeyCode::KEY_BACKSLASH, '\\', '|'),
    ];
    if let Some((_, letter)) = LETTERS.iter().find(|(key, _)| *key == code) {
        return Some(if shift { letter.to_ascii_uppercase() } else { *letter });
    }
    OTHERS.iter().find(|(key, ..)| *key == code).map(|(_, plain, shifted)| if shift { *shifted } else { *plain })
}

/// Opens and grabs the scanner at `path`, then reads it on a thread of its own, calling `on_scan` for each scan.
/// The error says what to check: the path, or the kiosk user's membership of the `input` group.
pub fn spawn(path: &Path, on_scan: impl Fn(String) + Send + 'static) -> io::Result<()> {
    let describe = |error: io::Error| {
        io::Error::new(error.kind(), format!("could not use the scanner at {}: {error}", path.display()))
    };
    let mut device = Device::open(path).map_err(describe)?;
    device.grab().map_err(describe)?;
    let path: PathBuf = path.to_path_buf();
    std::thread::Builder::new().name("scanner".into()).spawn(move || {
        let mut assembler = ScanAssembler::default();
        loop {
            let events = match device.fetch_events() {
                Ok(events) => events,
                Err(error) => {
                    warn!("stopped reading the scanner at {}: {error}", path.display());
                    return;
                }
            };
            for event in events {
                if let EventSummary::Key(_, code, value) = event.destructure()
                    && let Some(scan) = assembler.key(code, value)
                {
                    on_scan(scan);
                }
            }
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(assembler: &mut ScanAssembler, code: KeyCode) -> Option<String> {
        let done = assembler.key(code, 1);
        assembler.key(code, 0);
        done
    }

    #[test]
    fn shift_makes_capitals_and_enter_ends_the_scan() {
        let mut assembler = ScanAssembler::default();
        assembler.key(KeyCode::KEY_LEFTSHIFT, 1);
        press(&mut assembler, KeyCode::KEY_H);
        press(&mut assembler, KeyCode::KEY_K);
        assembler.key(KeyCode::KEY_LEFTSHIFT, 0);
        press(&mut assembler, KeyCode::KEY_2);
        press(&mut assembler, KeyCode::KEY_A);
        assembler.key(KeyCode::KEY_A, 2); // held: not typed again
        assert_eq!(press(&mut assembler, KeyCode::KEY_ENTER), Some("HK2a".into()));
        assert_eq!(press(&mut assembler, KeyCode::KEY_KPENTER), None, "an empty Enter is no scan");
    }

    #[test]
    fn unknown_keys_are_ignored_and_long_input_is_capped() {
        let mut assembler = ScanAssembler::default();
        press(&mut assembler, KeyCode::KEY_F1);
        for _ in 0..1000 {
            press(&mut assembler, KeyCode::KEY_X);
        }
        assert_eq!(press(&mut assembler, KeyCode::KEY_ENTER).map(|scan| scan.len()), Some(MAX_SCAN_CHARS));
    }

    #[test]
    fn a_missing_device_says_which() {
        let error = spawn(Path::new("/dev/input/by-id/no-such-scanner"), |_| {}).unwrap_err();
        assert!(error.to_string().contains("/dev/input/by-id/no-such-scanner"), "{error}");
    }
}
