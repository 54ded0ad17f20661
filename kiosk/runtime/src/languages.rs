//! The languages the kiosk and its web pages speak, by their gettext code (the configuration file checks against
//! the same list). English is the source language.

/// Every language offered, English first.
pub const LANGUAGES: &[&str] = firmware_config::LANGUAGES;

/// Each language's name in itself, so anyone can find their own.
pub fn native_name(code: &str) -> &'static str {
    match code {
        "cy" => "Cymraeg",
        "pl" => "Polski",
        "uk" => "Українська",
        _ => "English",
    }
}

/// chrono's locale for day and month names.
pub fn locale(code: &str) -> chrono::Locale {
    match code {
        "cy" => chrono::Locale::cy_GB,
        "pl" => chrono::Locale::pl_PL,
        "uk" => chrono::Locale::uk_UA,
        _ => chrono::Locale::en_GB,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_its_own_name_and_locale() {
        for code in LANGUAGES {
            assert!(*code == "en" || native_name(code) != "English", "{code} has no name of its own");
            assert!(*code == "en" || locale(code) != chrono::Locale::en_GB, "{code} has no locale");
        }
    }
}
