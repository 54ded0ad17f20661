//! The web pages in the kiosk's languages. English is the source text; Welsh, Polish and Ukrainian come from
//! `translations/<code>/LC_MESSAGES/web.po` (gettext, beside the touchscreen's `kiosk.po`), read into the binary at
//! build time. A test checks that every `.tr("…")` / `.trf("…")` in `web/` has an entry in each file.

use std::collections::HashMap;
use std::sync::LazyLock;

/// A page's language, one of [`firmware_config::LANGUAGES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(pub &'static str);

const CATALOGUES: &[(&str, &str)] = &[
    ("cy", include_str!("../../translations/cy/LC_MESSAGES/web.po")),
    ("pl", include_str!("../../translations/pl/LC_MESSAGES/web.po")),
    ("uk", include_str!("../../translations/uk/LC_MESSAGES/web.po")),
];

static TRANSLATIONS: LazyLock<HashMap<(&'static str, String), String>> = LazyLock::new(|| {
    let mut all = HashMap::new();
    for (code, text) in CATALOGUES {
        for (id, translated) in parse_po(text) {
            all.insert((*code, id), translated);
        }
    }
    all
});

/// The translated msgid → msgstr pairs of a gettext file (polib reads it: multi-line entries, escapes, plural
/// and fuzzy flags); untranslated and fuzzy entries are left out, so those strings stay English.
pub fn parse_po(text: &str) -> Vec<(String, String)> {
    // The files are part of the program (include_str!), and a test reads every one: a broken file fails the tests.
    let catalog = polib::po_file::parse_from_reader(text.as_bytes()).expect("the .po files are valid");
    catalog
        .messages()
        .filter(|message| message.is_singular() && message.is_translated() && !message.is_fuzzy())
        .filter_map(|message| Some((message.msgid().to_owned(), message.msgstr().ok()?.to_owned())))
        .filter(|(id, _)| !id.is_empty())
        .collect()
}

impl Lang {
    pub const ENGLISH: Lang = Lang("en");

    /// The language for `code`, if the kiosk has it.
    pub fn from_code(code: &str) -> Option<Lang> {
        firmware_config::LANGUAGES.iter().find(|known| known.eq_ignore_ascii_case(code.trim())).map(|code| Lang(code))
    }

    /// `english` in this language (English itself when a translation is missing).
    pub fn tr(self, english: &str) -> String {
        TRANSLATIONS.get(&(self.0, english.to_owned())).cloned().unwrap_or_else(|| english.to_owned())
    }

    /// Like [`Lang::tr`], with each `{}` replaced by the next of `values`.
    pub fn trf(self, english: &str, values: &[&dyn std::fmt::Display]) -> String {
        let mut text = self.tr(english);
        for value in values {
            if let Some(at) = text.find("{}") {
                text.replace_range(at..at + 2, &value.to_string());
            }
        }
        text
    }

    /// chrono's locale for day and month names.
    pub fn locale(self) -> chrono::Locale {
        kiosk_runtime::languages::locale(self.0)
    }
}

/// The first of `offered` that the browser's `Accept-Language` asks for, else the hub's first language.
pub fn negotiate(accept_language: Option<&str>, offered: &[Lang]) -> Lang {
    let fallback = offered.first().copied().unwrap_or(Lang::ENGLISH);
    let Some(header) = accept_language else { return fallback };
    let mut wanted: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let quality =
                pieces.find_map(|piece| piece.trim().strip_prefix("q=")).and_then(|q| q.parse().ok()).unwrap_or(1.0);
            Some((quality, tag.split('-').next().unwrap_or(tag)))
        })
        .collect();
    wanted.sort_by(|a, b| b.0.total_cmp(&a.0));
    wanted
        .iter()
        .find_map(|(_, tag)| offered.iter().find(|lang| lang.0.eq_ignore_ascii_case(tag)).copied())
        .unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string the web code translates, as written in the source.
    fn strings_in_source() -> Vec<String> {
        let sources = [
            include_str!("public.rs"),
            include_str!("page.rs"),
            include_str!("login.rs"),
            include_str!("host.rs"),
            include_str!("staff.rs"),
            include_str!("lib.rs"),
        ];
        let mut found = Vec::new();
        for source in sources {
            for marker in [".tr(", ".trf("] {
                for (at, _) in source.match_indices(marker) {
                    // rustfmt may put a long string on the next line.
                    let Some(rest) = source[at + marker.len()..].trim_start().strip_prefix('"') else { continue };
                    let end = rest.find('"').expect("an unterminated string");
                    found.push(rest[..end].to_owned());
                }
            }
        }
        found.sort();
        found.dedup();
        found
    }

    #[test]
    fn every_web_string_is_translated_into_every_language() {
        let strings = strings_in_source();
        assert!(strings.len() > 40, "only {} strings found", strings.len());
        for (code, catalogue) in CATALOGUES {
            let ids: Vec<String> = parse_po(catalogue).into_iter().map(|(id, _)| id).collect();
            let missing: Vec<_> = strings.iter().filter(|s| !ids.contains(s)).collect();
            assert!(missing.is_empty(), "{code}/web.po lacks {missing:#?}");
            let unused: Vec<_> = ids.iter().filter(|id| !strings.contains(id)).collect();
            assert!(unused.is_empty(), "{code}/web.po has strings no page uses: {unused:#?}");
        }
    }

    #[test]
    fn entries_over_several_lines_are_read_whole_and_fuzzy_ones_left_out() {
        let po = "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n\
                  msgid \"\"\n\"Two \"\n\"lines\"\nmsgstr \"\"\n\"Dwy \"\n\"linell\"\n\n\
                  #, fuzzy\nmsgid \"Guess\"\nmsgstr \"Dyfalu\"\n";
        assert_eq!(parse_po(po), vec![("Two lines".to_owned(), "Dwy linell".to_owned())]);
    }

    #[test]
    fn placeholders_are_filled_in_order_and_missing_text_stays_english() {
        assert_eq!(Lang("pl").trf("{} of {}", &[&1, &2]), "1 of 2");
        assert_eq!(Lang::ENGLISH.tr("Rooms now"), "Rooms now");
    }

    #[test]
    fn the_browser_language_is_used_when_the_hub_offers_it() {
        let offered = [Lang("cy"), Lang("en")];
        assert_eq!(negotiate(Some("pl-PL,pl;q=0.9,en;q=0.5"), &offered), Lang("en"));
        assert_eq!(negotiate(Some("en-GB;q=0.4, cy"), &offered), Lang("cy"));
        assert_eq!(negotiate(None, &offered), Lang("cy"));
        assert_eq!(negotiate(Some("de"), &offered), Lang("cy"));
    }
}
