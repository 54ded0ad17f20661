//! The kiosk device's configuration file (`/etc/hub-kiosk/kiosk.toml`): its schema, its validation, and the
//! system files made from it.
//!
//! One well-commented file describes a kiosk: the hub, the screen, the scanner, the door sensors, the PIN policy and
//! backups. Unknown keys are refused, so a typo is never silently ignored, and every problem is reported at once
//! with the file, line and column, the value, and what is allowed — written for an installer, not a programmer.

#![forbid(unsafe_code)]

mod locate;
pub mod pins;
mod render;
mod schema;
mod validate;

use std::fmt;
use std::path::Path;

use thiserror::Error;

pub use render::{BLOCK_BEGIN, BLOCK_END, Rendered, SERVICE_USER, SystemFile, calibration_matrix, render, with_block};
pub use schema::{
    BackupConfig, BrightnessConfig, CalendarConfig, DatabaseConfig, DisplayConfig, EmailConfig, GpioConfig,
    KioskConfig, MESSAGE_KINDS, NotifyConfig, ScannerConfig, SensorConfig, ServerConfig, SiteConfig, StaffConfig,
    TouchConfig, WebhookConfig,
};
pub use validate::{SENSOR_KINDS, WEEKDAYS, parse_hours};

/// Where the kiosk looks for its file when not told otherwise.
pub const DEFAULT_PATH: &str = "/etc/hub-kiosk/kiosk.toml";
/// Where a configured device keeps the hub's data unless `data_dir` says otherwise (the service's state folder).
pub const DEFAULT_DATA_DIR: &str = "/var/lib/hub-kiosk";
/// The languages the kiosk's screens are translated into.
pub const LANGUAGES: &[&str] = &["en", "cy", "pl", "uk"];
/// The fully commented example: every setting, its default, and what it is for (`kiosk config example`).
pub const EXAMPLE: &str = include_str!("../kiosk.example.toml");

/// One problem, placed in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: String,
    /// 1-based line and column, when the place is known.
    pub at: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// A configuration file that cannot be used, with messages an installer can act on.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("could not read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Every problem found, one per line.
    #[error("{}", .problems.iter().map(Located::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid { problems: Vec<Located> },
}

/// Parses and validates the text of a configuration file; `path` is only used in messages.
pub fn parse(text: &str, path: &Path) -> Result<KioskConfig, ConfigError> {
    let file = path.display().to_string();
    let config: KioskConfig = toml::from_str(text).map_err(|error| {
        let at = error.span().map(|span| locate::line_and_column(text, span.start));
        ConfigError::Invalid {
            problems: vec![Located { file: file.clone(), at, message: error.message().trim().to_owned() }],
        }
    })?;
    let problems: Vec<Located> = validate::problems(&config)
        .into_iter()
        .map(|problem| Located {
            file: file.clone(),
            at: locate::locate(text, &problem.path).map(|offset| locate::line_and_column(text, offset)),
            message: problem.message,
        })
        .collect();
    if problems.is_empty() { Ok(config) } else { Err(ConfigError::Invalid { problems }) }
}

/// Reads and validates the file at `path`.
pub fn load(path: &Path) -> Result<KioskConfig, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
    parse(&text, path)
}

impl KioskConfig {
    /// The data folder this configuration means.
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.data_dir.clone().unwrap_or_else(|| DEFAULT_DATA_DIR.into())
    }
}

impl BrightnessConfig {
    /// The brightness in per cent at local time `now`.
    pub fn percent_at(&self, now: chrono::NaiveTime) -> u8 {
        let time = |text: &str| chrono::NaiveTime::parse_from_str(text, "%H:%M").unwrap_or(chrono::NaiveTime::MIN);
        let (from, until) = (time(&self.night_from), time(&self.night_until));
        let night = if from <= until { from <= now && now < until } else { now >= from || now < until };
        if night { self.night_percent } else { self.day_percent }
    }
}

#[cfg(test)]
mod tests;
