//! Every string the touchscreen shows (`@tr(...)` in `ui/`) has a translation in every bundled language, and no
//! translation is left for a string that no longer exists.

use std::collections::BTreeSet;
use std::path::Path;

fn slint_strings(dir: &Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            slint_strings(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "slint") {
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split("@tr(\"").skip(1) {
                found.insert(piece[..piece.find('"').unwrap()].to_owned());
            }
        }
    }
}

fn po_strings(path: &Path) -> (BTreeSet<String>, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut ids = BTreeSet::new();
    let mut untranslated = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if let Some(id) = line.strip_prefix("msgid \"").and_then(|rest| rest.strip_suffix('"')) {
            current = id.replace("\\\"", "\"");
            if !current.is_empty() {
                ids.insert(current.clone());
            }
        } else if (line.starts_with("msgstr \"") || line.starts_with("msgstr["))
            && line.ends_with("\"\"")
            && !current.is_empty()
        {
            untranslated.push(current.clone());
        }
    }
    (ids, untranslated)
}

#[test]
fn every_language_translates_every_string() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut wanted = BTreeSet::new();
    slint_strings(&root.join("ui"), &mut wanted);
    assert!(wanted.len() > 20, "found only {} strings", wanted.len());
    for language in kiosk_touchscreen::screens::settings::LANGUAGES.iter().filter(|l| **l != "en") {
        let (ids, untranslated) =
            po_strings(&root.join(format!("../translations/{language}/LC_MESSAGES/kiosk-touchscreen.po")));
        let missing: Vec<_> = wanted.difference(&ids).collect();
        let stale: Vec<_> = ids.difference(&wanted).collect();
        assert!(missing.is_empty(), "{language} lacks {missing:?}");
        assert!(stale.is_empty(), "{language} translates strings no longer used: {stale:?}");
        assert!(untranslated.is_empty(), "{language} leaves {untranslated:?} empty");
    }
}
