//! Where a setting is in the file: turns a path such as `sensors[2].pin` into a line and column, so every
//! message can point at the exact place.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// 1-based line and column of byte `offset` in `text`.
pub fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |newline| before[newline + 1..].chars().count()) + 1;
    (line, column)
}

/// The byte offset of the value at `path` (`site.name`, `sensors[2].pins[1]`), or of the nearest enclosing table
/// that is written in the file when the setting itself is not (a default).
pub fn locate(text: &str, path: &str) -> Option<usize> {
    let document = DeTable::parse(text).ok()?;
    let mut nearest = None;
    let mut current: Option<&Spanned<DeValue<'_>>> = None;
    let mut table = Some(document.get_ref());
    for segment in path.split('.') {
        let (key, indexes) = match segment.split_once('[') {
            Some((key, rest)) => {
                (key, rest.trim_end_matches(']').split("][").filter_map(|i| i.parse::<usize>().ok()).collect())
            }
            None => (segment, Vec::new()),
        };
        let found = table?.iter().find(|(name, _)| name.get_ref().as_ref() == key).map(|(_, value)| value);
        let Some(mut value) = found else { return nearest };
        for index in indexes {
            let DeValue::Array(items) = value.get_ref() else { return nearest };
            let Some(item) = items.get(index) else { return nearest };
            value = item;
        }
        nearest = Some(value.span().start);
        current = Some(value);
        table = match value.get_ref() {
            DeValue::Table(inner) => Some(inner),
            _ => None,
        };
    }
    current.map(|value| value.span().start).or(nearest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_in_tables_and_arrays_of_tables() {
        let text = "[site]\nname = \"Hub\"\n\n[[sensors]]\npin = 17\n\n[[sensors]]\npins = [23, 2]\n";
        let at = |path| locate(text, path).map(|offset| line_and_column(text, offset));
        assert_eq!(at("site.name"), Some((2, 8)));
        assert_eq!(at("sensors[1].pins[1]"), Some((8, 13)));
        assert_eq!(at("sensors[0].pin"), Some((5, 7)));
        assert_eq!(at("sensors[1].debounce_ms").map(|(line, _)| line), Some(7), "a default points at its table");
    }
}
