//! The kiosk device's configuration file (`/etc/hub-kiosk/kiosk.toml`): its schema and validation.
//!
//! This first slice covers what `kiosk init` needs (the site and the data folder). Display, scanner, sensors and
//! staff policy join it as those parts of the kiosk land. Unknown keys are refused, so a typo is never silently
//! ignored, and every error names the file, the line and column, and what is allowed.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskConfig {
    pub site: SiteConfig,
    /// Where the database, the pass key and backups live. Default: the service's data folder.
    #[serde(default)]
    pub data_dir: Option<PathBuf>,
}

/// `[site]`: the hub itself.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub name: String,
    /// An IANA time zone name such as `Europe/London`.
    pub time_zone: String,
    /// The most people the building may hold (the fire limit).
    pub safe_capacity: u32,
    /// Days visitors' personal data is kept after their last visit.
    #[serde(default = "default_retention_days")]
    pub retention_days: u32,
}

fn default_retention_days() -> u32 {
    30
}

/// A configuration file that cannot be used, with a message an installer can act on.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("could not read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}{location}: {message}")]
    Invalid { path: String, location: String, message: String },
}

/// Parses and validates the text of a configuration file; `path` is only used in messages.
pub fn parse(text: &str, path: &Path) -> Result<KioskConfig, ConfigError> {
    let config: KioskConfig = toml::from_str(text).map_err(|error| {
        let location = error
            .span()
            .map(|span| {
                let (line, column) = line_and_column(text, span.start);
                format!(":{line}:{column}")
            })
            .unwrap_or_default();
        ConfigError::Invalid { path: path.display().to_string(), location, message: error.message().to_owned() }
    })?;
    validate(&config, text, path)?;
    Ok(config)
}

/// Reads and validates the file at `path`.
pub fn load(path: &Path) -> Result<KioskConfig, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
    parse(&text, path)
}

fn validate(config: &KioskConfig, text: &str, path: &Path) -> Result<(), ConfigError> {
    let invalid = |key: &str, message: String| {
        let location = text
            .lines()
            .position(|line| line.trim_start().starts_with(key))
            .map(|index| format!(":{}:1", index + 1))
            .unwrap_or_default();
        ConfigError::Invalid { path: path.display().to_string(), location, message }
    };
    if config.site.name.trim().is_empty() {
        return Err(invalid("name", "site.name is empty: write the hub's name, e.g. name = \"Riverside Hub\"".into()));
    }
    if config.site.time_zone.parse::<chrono_tz::Tz>().is_err() {
        return Err(invalid(
            "time_zone",
            format!(
                "site.time_zone = \"{}\" is not a known time zone: use a name like \"Europe/London\"",
                config.site.time_zone
            ),
        ));
    }
    if config.site.safe_capacity == 0 {
        return Err(invalid(
            "safe_capacity",
            "site.safe_capacity = 0: the building must hold at least 1 person".into(),
        ));
    }
    if config.site.retention_days == 0 {
        return Err(invalid("retention_days", "site.retention_days = 0: keep visitor data for at least 1 day".into()));
    }
    Ok(())
}

fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |newline| before[newline + 1..].chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        parse(text, Path::new("kiosk.toml")).unwrap_err().to_string()
    }

    #[test]
    fn a_good_file_parses_with_defaults() {
        let config = parse(
            "[site]\nname = \"Riverside Hub\"\ntime_zone = \"Europe/London\"\nsafe_capacity = 60\n",
            Path::new("kiosk.toml"),
        )
        .unwrap();
        assert_eq!(config.site.retention_days, 30);
        assert_eq!(config.data_dir, None);
    }

    #[test]
    fn mistakes_name_the_place_and_the_fix() {
        assert_eq!(
            error_of("[site]\nname = \"Hub\"\ntime_zone = \"Europe/Londn\"\nsafe_capacity = 60\n"),
            "kiosk.toml:3:1: site.time_zone = \"Europe/Londn\" is not a known time zone: use a name like \"Europe/London\""
        );
        let typo = error_of("[site]\nname = \"Hub\"\ntime_zone = \"Europe/London\"\nsafe_capacty = 60\n");
        assert!(typo.starts_with("kiosk.toml:4:1: unknown field `safe_capacty`"), "{typo}");
        assert!(error_of("[site]\nname = \"Hub\"\n").contains("missing field `time_zone`"));
    }
}
