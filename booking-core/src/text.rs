//! Validation of free text that people type: names, titles, places.

use crate::error::{Result, StoreError};

/// Trims `value` and refuses it if it is empty, longer than `max_chars`, or holds control characters.
/// `field` names the thing in the message ("name", "title").
pub(crate) fn clean(field: &str, value: &str, max_chars: usize) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(StoreError::invalid(format!("the {field} is empty: please write at least one letter")));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(StoreError::invalid(format!(
            "the {field} \"{}\" has invisible control characters: please type it again",
            trimmed.escape_debug()
        )));
    }
    let length = trimmed.chars().count();
    if length > max_chars {
        return Err(StoreError::invalid(format!(
            "the {field} is {length} characters long: please keep it to {max_chars} or fewer"
        )));
    }
    Ok(trimmed.to_owned())
}

/// Like [`clean`] but an empty value means "none given".
pub(crate) fn clean_optional(field: &str, value: Option<&str>, max_chars: usize) -> Result<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => clean(field, text, max_chars).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_any_script_and_emoji() {
        assert_eq!(clean("name", "  Siân Öztürk 🌱 ", 80).unwrap(), "Siân Öztürk 🌱");
        assert_eq!(clean("name", "محمد", 80).unwrap(), "محمد");
    }

    #[test]
    fn refuses_empty_control_and_long_text() {
        assert!(clean("name", "   ", 80).unwrap_err().to_string().contains("empty"));
        assert!(clean("name", "a\u{0}b", 80).unwrap_err().to_string().contains("control"));
        assert!(clean("name", &"x".repeat(81), 80).unwrap_err().to_string().contains("81 characters"));
    }
}
