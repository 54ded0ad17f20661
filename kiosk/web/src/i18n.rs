//! The web pages in the kiosk's languages. English is the source text; Welsh, Polish and Ukrainian come from
//! `translations/<code>/LC_MESSAGES/web.po`, built into the binary and read with kiosk-runtime's [`Catalogue`]. A
//! test checks that every `.tr("…")` / `.trf("…")` here has an entry in each file and each entry is used. Refusals
//! are worded by the catalogue every front end shares ([`Lang::reason`]).

use std::sync::LazyLock;

use kiosk_runtime::catalogue::Catalogue;
use kiosk_runtime::refusals::Reason;

/// A page's language, one of [`firmware_config::LANGUAGES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(pub &'static str);

static WORDS: LazyLock<Catalogue> = LazyLock::new(|| {
    Catalogue::new(&[
        ("cy", include_str!("../../translations/cy/LC_MESSAGES/web.po")),
        ("pl", include_str!("../../translations/pl/LC_MESSAGES/web.po")),
        ("uk", include_str!("../../translations/uk/LC_MESSAGES/web.po")),
    ])
});

impl Lang {
    pub const ENGLISH: Lang = Lang("en");

    /// The language for `code`, if the kiosk has it.
    pub fn from_code(code: &str) -> Option<Lang> {
        firmware_config::LANGUAGES.iter().find(|known| known.eq_ignore_ascii_case(code.trim())).map(|code| Lang(code))
    }

    /// `english` in this language (English itself when a translation is missing).
    pub fn tr(self, english: &str) -> String {
        WORDS.tr(self.0, english)
    }

    /// Like [`Lang::tr`], with each `{}` replaced by the next of `values`.
    pub fn trf(self, english: &str, values: &[&dyn std::fmt::Display]) -> String {
        WORDS.trf(self.0, english, values)
    }

    /// A refusal's reason from the one catalogue every front end shares.
    pub fn reason(self, refusal: &impl Reason) -> String {
        refusal.reason(self.0)
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
            include_str!("display.rs"),
            include_str!("rooms.rs"),
            include_str!("join.rs"),
            include_str!("events.rs"),
            include_str!("unconference.rs"),
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
        for code in ["cy", "pl", "uk"] {
            let ids = WORDS.ids(code);
            let missing: Vec<_> = strings.iter().filter(|s| !ids.contains(s)).collect();
            assert!(missing.is_empty(), "{code}/web.po lacks {missing:#?}");
            let unused: Vec<_> = ids.iter().filter(|id| !strings.contains(id)).collect();
            assert!(unused.is_empty(), "{code}/web.po has strings no page uses: {unused:#?}");
        }
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
