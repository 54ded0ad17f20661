//! What a command prints: a plain sentence or table for people, JSON for scripts, and whether a rule said no.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
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

    /// A rule's refusal: its sentence, and its stable `code` beside `json` for scripts.
    pub fn refusal(refusal: &impl booking_core::Refusal, json: impl Serialize) -> Report {
        let mut report = Report::refused(refusal.to_string(), json);
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

/// "Tue 30 Mar 10:00" in the hub's zone.
pub fn local(instant: DateTime<Utc>, zone: Tz) -> String {
    instant.with_timezone(&zone).format("%a %-d %b %H:%M").to_string()
}
