//! A name typed on the on-screen keyboard or a desktop's keys (walk-in registration, booking as a newcomer).

/// The longest name the form takes (booking-core's limit).
const MAX_NAME_CHARS: usize = 80;

/// `name` with `text` typed after it: control characters dropped, no leading or double spaces, at most
/// [`MAX_NAME_CHARS`]. Capitals are the keyboard's business (it shows them before they are typed).
pub fn add_to_name(name: &str, text: &str) -> String {
    let mut name = name.to_owned();
    for character in text.chars().filter(|c| !c.is_control()) {
        if name.chars().count() >= MAX_NAME_CHARS || (character == ' ' && (name.is_empty() || name.ends_with(' '))) {
            continue;
        }
        name.push(character);
    }
    name
}
