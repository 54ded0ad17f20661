//! Translations of one gettext domain (`kiosk/translations/<language>/LC_MESSAGES/<domain>.po`), built into the
//! binary by whoever owns the domain and read with `spiritless_po`: multi-line entries, fuzzy entries left out, plural
//! forms chosen by each file's own `Plural-Forms` rule. English is the source text: a string a file lacks stays
//! English. (The touchscreen's domain is Slint's own: slint-build compiles it into the UI.)

use std::collections::HashMap;
use std::fmt::Display;

/// One domain's translations into each language the kiosk has.
#[derive(Debug)]
pub struct Catalogue {
    languages: HashMap<&'static str, spiritless_po::Catalog>,
}

impl Catalogue {
    /// The catalogue of `files`: (language code, the text of its `.po` file).
    ///
    /// # Panics
    /// When a file is not valid gettext. The files are part of the program (`include_str!`) and each domain's
    /// tests load them, so a broken file fails the tests, not a visitor.
    pub fn new(files: &[(&'static str, &'static str)]) -> Catalogue {
        let languages = files
            .iter()
            .map(|(code, po)| {
                let mut catalog = spiritless_po::Catalog::new();
                if let Err(error) = catalog.add_str(po) {
                    panic!("translations for {code} are not valid gettext: {error:?}");
                }
                (*code, catalog)
            })
            .collect();
        Catalogue { languages }
    }

    /// Every msgid translated into `language` (for tests that check a domain is complete and has nothing unused).
    pub fn ids(&self, language: &str) -> Vec<String> {
        let Some(catalog) = self.languages.get(language) else { return Vec::new() };
        let mut ids: Vec<String> = catalog.index().keys().filter(|id| !id.is_empty()).cloned().collect();
        ids.sort();
        ids
    }

    /// `english` in `language`.
    pub fn tr(&self, language: &str, english: &str) -> String {
        match self.languages.get(language) {
            Some(catalog) => catalog.gettext(english).to_owned(),
            None => english.to_owned(),
        }
    }

    /// Like [`Catalogue::tr`], with each `{}` replaced by the next of `values`.
    pub fn trf(&self, language: &str, english: &str, values: &[&dyn Display]) -> String {
        fill(self.tr(language, english), values)
    }

    /// `one` or `many` in `language`, by its plural rule for `n`, with `{n}` replaced by `n` and each `{}` by the
    /// next of `values`.
    pub fn trn(&self, language: &str, one: &str, many: &str, n: u32, values: &[&dyn Display]) -> String {
        let chosen = match self.languages.get(language) {
            Some(catalog) => catalog.ngettext(one, many, usize::try_from(n).unwrap_or(usize::MAX)),
            None if n == 1 => one,
            None => many,
        };
        fill(chosen.replace("{n}", &n.to_string()), values)
    }
}

fn fill(mut text: String, values: &[&dyn Display]) -> String {
    let mut from = 0;
    for value in values {
        let Some(at) = text[from..].find("{}").map(|at| at + from) else { break };
        let value = value.to_string();
        text.replace_range(at..at + 2, &value);
        // A value that itself holds "{}" (a name, say) is not filled in again.
        from = at + value.len();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const PO: &str = "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\
        \"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n\"\n\n\
        msgid \"\"\n\"Two \"\n\"lines\"\nmsgstr \"\"\n\"Dwie \"\n\"linie\"\n\n\
        #, fuzzy\nmsgid \"Guess\"\nmsgstr \"Zgadnij\"\n\n\
        msgid \"{n} minute\"\nmsgid_plural \"{n} minutes\"\nmsgstr[0] \"{n} minuta\"\nmsgstr[1] \"{n} minuty\"\n\
        msgstr[2] \"{n} minut\"\n";

    #[test]
    fn entries_over_several_lines_are_read_whole_and_fuzzy_ones_left_out() {
        let catalogue = Catalogue::new(&[("pl", PO)]);
        assert_eq!(catalogue.tr("pl", "Two lines"), "Dwie linie");
        assert_eq!(catalogue.tr("pl", "Guess"), "Guess");
        assert_eq!(catalogue.ids("pl"), ["Two lines", "{n} minute"]);
    }

    #[test]
    fn plurals_follow_the_files_own_rule_and_english_is_the_fallback() {
        let catalogue = Catalogue::new(&[("pl", PO)]);
        let minutes = |language, n| catalogue.trn(language, "{n} minute", "{n} minutes", n, &[]);
        assert_eq!(
            [minutes("pl", 1), minutes("pl", 22), minutes("pl", 25), minutes("pl", 112)],
            ["1 minuta", "22 minuty", "25 minut", "112 minut"]
        );
        assert_eq!([minutes("en", 1), minutes("en", 30), minutes("de", 2)], ["1 minute", "30 minutes", "2 minutes"]);
    }

    #[test]
    fn values_fill_the_gaps_in_order_once() {
        assert_eq!(fill("{} of {}".into(), &[&1, &"{}"]), "1 of {}");
        assert_eq!(fill("{} and {}".into(), &[&"a"]), "a and {}");
    }
}
