//! A name or a short line typed on the on-screen keyboard or a desktop's keys (walk-in registration, booking as a
//! newcomer, a session proposed at an unconference).

/// The longest name the form takes (booking-core's limit).
pub const MAX_NAME_CHARS: usize = 80;

/// `name` with `text` typed after it, at most [`MAX_NAME_CHARS`]: see [`add_typed`].
pub fn add_to_name(name: &str, text: &str) -> String {
    add_typed(name, text, MAX_NAME_CHARS)
}

/// `line` with `text` typed after it: control characters dropped, no leading or double spaces, at most `max_chars`.
/// Capitals are the keyboard's business (it shows them before they are typed).
pub fn add_typed(line: &str, text: &str, max_chars: usize) -> String {
    let mut line = line.to_owned();
    for character in text.chars().filter(|c| !c.is_control()) {
        if line.chars().count() >= max_chars || (character == ' ' && (line.is_empty() || line.ends_with(' '))) {
            continue;
        }
        line.push(character);
    }
    line
}

/// A key from a desktop keyboard on a step where something is typed.
#[derive(Debug, PartialEq, Eq)]
pub enum Typed<'a> {
    /// Go on, as the step's own button does.
    Enter,
    Backspace,
    Text(&'a str),
}

impl<'a> Typed<'a> {
    pub fn from_key(text: &'a str) -> Typed<'a> {
        match text {
            "\n" | "\r" => Typed::Enter,
            "\u{8}" => Typed::Backspace,
            other => Typed::Text(other),
        }
    }
}
