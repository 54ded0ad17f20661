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

/// Every msgid of a gettext file, and those left untranslated (any plural form empty).
fn po_strings(path: &Path) -> (BTreeSet<String>, Vec<String>) {
    let catalog = polib::po_file::parse(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let messages = catalog.messages().filter(|message| !message.msgid().is_empty());
    let (mut ids, mut untranslated) = (BTreeSet::new(), Vec::new());
    for message in messages {
        ids.insert(message.msgid().to_owned());
        if !message.is_translated() {
            untranslated.push(message.msgid().to_owned());
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
