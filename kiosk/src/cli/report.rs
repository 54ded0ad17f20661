//! What a command prints: a plain sentence or table for people, JSON for scripts, and whether a rule said no.

use booking_core::Refusal;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kiosk_runtime::languages::LANGUAGES;
use kiosk_runtime::refusals::Reason;
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Debug)]
pub struct Report {
    pub text: String,
    pub json: Value,
    /// A rule refused the request: exit code 1.
    pub refused: bool,
}

impl Report {
    pub fn done(text: impl Into<String>, json: impl Serialize) -> Report {
        Report { text: text.into(), json: to_json(json), refused: false }
    }

    /// A rule's refusal: its reason from the refusals' catalogue, and its stable `code` beside `json` for scripts.
    pub fn refusal(refusal: &(impl Refusal + Reason), json: impl Serialize) -> Report {
        let mut report = Report::refused(refusal.reason(language()), json);
        if let Value::Object(map) = &mut report.json {
            map.insert("code".into(), Value::String(refusal.code().into()));
        }
        report
    }

    pub fn refused(reason: impl Into<String>, json: impl Serialize) -> Report {
        let reason = reason.into();
        let mut value = to_json(json);
        if let Value::Object(map) = &mut value {
            map.insert("refused".into(), Value::String(reason.clone()));
        } else {
            value = json!({ "refused": reason, "detail": value });
        }
        Report { text: reason, json: value, refused: true }
    }
}

fn to_json(value: impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or_else(|error| json!({ "error": error.to_string() }))
}

/// The language refusals are worded in: the locale's, as gettext finds it (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`,
/// `LANG`; "cy_GB.UTF-8" is Welsh), if the kiosk has it; English otherwise.
pub fn language() -> &'static str {
    language_of(|name| std::env::var(name).ok())
}

fn language_of(variable: impl Fn(&str) -> Option<String>) -> &'static str {
    let wanted = ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .find_map(|name| variable(name).filter(|value| !value.is_empty()));
    let Some(wanted) = wanted else { return "en" };
    // LANGUAGE may list several ("cy:en"); a locale is "language_TERRITORY.codeset@modifier".
    wanted
        .split(':')
        .filter_map(|locale| {
            let code = locale.split(['_', '.', '@']).next()?;
            LANGUAGES.iter().copied().find(|known| known.eq_ignore_ascii_case(code))
        })
        .next()
        .unwrap_or("en")
}

/// "Tue 30 Mar 10:00" in the hub's zone.
/// "1 vote", "3 votes": an English count for the command line (the front ends' counts are translated).
pub fn plural(n: u64, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

pub fn local(instant: DateTime<Utc>, zone: Tz) -> String {
    instant.with_timezone(&zone).format("%a %-d %b %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locale_chooses_the_language_of_refusals() {
        let with = |pairs: &'static [(&'static str, &'static str)]| {
            language_of(move |name| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned()))
        };
        assert_eq!(with(&[("LANG", "cy_GB.UTF-8")]), "cy");
        assert_eq!(with(&[("LANGUAGE", "de:pl"), ("LANG", "cy_GB.UTF-8")]), "pl");
        assert_eq!(with(&[("LC_ALL", ""), ("LC_MESSAGES", "uk_UA.UTF-8"), ("LANG", "C.UTF-8")]), "uk");
        assert_eq!(with(&[("LANG", "C.UTF-8")]), "en");
        assert_eq!(with(&[]), "en");
    }
}
