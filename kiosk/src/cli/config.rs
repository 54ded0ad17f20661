//! `kiosk config …`: the example file, the check, and the system files made from the configuration — shown, or
//! written with a diff of what changes.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use firmware_config::{Rendered, SystemFile, render, with_block};
use kiosk_runtime::hub::Hub;
use serde_json::json;
use similar::{ChangeTag, TextDiff};

use super::args::ConfigCommand;
use super::device::{self, Device};
use super::input::bad_input;
use super::report::Report;

pub fn run(command: &ConfigCommand, device: Option<&Device>, data_dir: &Path) -> Result<Report> {
    if let ConfigCommand::Example = command {
        return Ok(Report {
            text: firmware_config::EXAMPLE.trim_end().into(),
            json: json!({ "example": firmware_config::EXAMPLE }),
            refused: false,
        });
    }
    let Some(device) = device else {
        return Err(bad_input(format!(
            "there is no configuration file at {}: write one with `kiosk config example > kiosk.toml`, edit it, and \
             name it with --config (or put it at {0})",
            firmware_config::DEFAULT_PATH
        )));
    };
    match command {
        ConfigCommand::Example => unreachable!("handled above"),
        ConfigCommand::Check => Ok(Report::done(summary(device), json!({ "file": device.path, "valid": true }))),
        ConfigCommand::Render => {
            let files = render(&device.config, &device.path);
            let mut text = String::new();
            for file in &files {
                let how = match file.how {
                    SystemFile::Whole => "whole file",
                    SystemFile::Block => "a block inside the file",
                };
                text += &format!("━━ {} ({how}: {})\n{}\n", file.path, file.purpose, file.contents);
            }
            let json: Vec<_> =
                files.iter().map(|file| json!({ "path": file.path, "contents": file.contents })).collect();
            Ok(Report::done(text.trim_end(), json!({ "files": json })))
        }
        // The clock is read here: the hub's settings are reconciled now (a calendar moved to another room has its
        // blocks worked out again from today).
        ConfigCommand::Apply { dry_run, root } => apply(device, data_dir, root, *dry_run, chrono::Utc::now()),
    }
}

fn summary(device: &Device) -> String {
    let config = &device.config;
    let sensors = match config.sensors.len() {
        0 => "no sensors".to_owned(),
        1 => "1 sensor".to_owned(),
        n => format!("{n} sensors"),
    };
    let scanner = match device.scanner() {
        Some(path) => format!("scanner {}", path.display()),
        None => "scans as key presses".into(),
    };
    format!(
        "{} is valid: {}, {}, screen turned {}°, {sensors}, {scanner}, PINs of {}+ digits.",
        device.path.display(),
        config.site.name,
        config.site.time_zone,
        config.display.rotation,
        config.staff.pin_digits
    )
}

/// Where `file` lives under `root`.
fn target(root: &Path, file: &Rendered) -> PathBuf {
    root.join(file.path.trim_start_matches('/'))
}

fn apply(
    device: &Device,
    data_dir: &Path,
    root: &Path,
    dry_run: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Report> {
    let mut text = String::new();
    let mut changed = Vec::new();
    for file in render(&device.config, &device.path) {
        let path = target(root, &file);
        let old = match fs::read_to_string(&path) {
            Ok(old) => old,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(error) => return Err(error).with_context(|| format!("could not read {}", path.display())),
        };
        let new = match file.how {
            SystemFile::Whole => file.contents.clone(),
            SystemFile::Block => with_block(&old, &file.contents),
        };
        if old == new {
            text += &format!("{}: unchanged\n", path.display());
            continue;
        }
        text +=
            &format!("{}: {}\n{}", path.display(), if old.is_empty() { "new" } else { "changes" }, diff(&old, &new));
        if !dry_run {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).with_context(|| format!("could not create {}", parent.display()))?;
            }
            fs::write(&path, &new).map_err(|error| {
                let hint =
                    if error.kind() == std::io::ErrorKind::PermissionDenied { " (run it with sudo)" } else { "" };
                bad_input(format!("could not write {}: {error}{hint}", path.display()))
            })?;
        }
        changed.push(file.path);
    }

    // The hub's own settings, if this device's hub exists (or is to be set up from the file).
    let hub_changes = if dry_run {
        Vec::new()
    } else {
        let database = device.config.database.as_ref();
        let site = database.and_then(|database| database.site.as_deref());
        let mut hub = Hub::open_to_set_up(data_dir, database.map(|database| database.url.as_str()), site)?;
        let found = match site {
            Some(code) => hub.store.use_site(code),
            None => hub.store.site(),
        };
        match found {
            Ok(_) => device::reconcile(&mut hub.store, &device.config, now)?,
            Err(_) => {
                let new = device::new_site(&device.config);
                let site = match site {
                    Some(code) => hub.store.add_site(code, &new)?,
                    None => hub.store.init_site(&new)?,
                };
                let mut changes = vec![format!("set up the hub \"{}\" in {}", site.name, hub.database)];
                changes.extend(device::reconcile(&mut hub.store, &device.config, now)?);
                changes
            }
        }
    };
    for change in &hub_changes {
        text += &format!("{change}\n");
    }

    let next: Vec<&str> = [
        (
            changed.iter().any(|path| path.ends_with(".service")),
            "sudo systemctl daemon-reload && sudo systemctl enable --now hub-kiosk",
        ),
        (changed.iter().any(|path| path.ends_with(".rules")), "sudo udevadm control --reload && sudo udevadm trigger"),
        (changed.iter().any(|path| path.ends_with("config.txt")), "sudo reboot (config.txt is read as the Pi starts)"),
    ]
    .into_iter()
    .filter_map(|(needed, step)| needed.then_some(step))
    .collect();
    if dry_run {
        text += "Nothing was written (--dry-run).";
    } else if next.is_empty() {
        text += "Everything was already up to date.";
    } else {
        text += &format!("Next: {}", next.join("; then "));
    }
    Ok(Report::done(text, json!({ "changed": changed, "hub": hub_changes, "dry_run": dry_run })))
}

/// A line diff: `-` old lines, `+` new ones, with one line of context and unchanged runs between left out (`…`).
pub fn diff(old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut text = String::new();
    let mut shown_until = 0;
    for group in diff.grouped_ops(1) {
        if group.first().is_some_and(|op| op.old_range().start > shown_until) {
            text += "    …\n";
        }
        for op in &group {
            for change in diff.iter_changes(op) {
                let mark = match change.tag() {
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                    ChangeTag::Equal => ' ',
                };
                text += &format!("  {mark} {}\n", change.value().trim_end_matches('\n'));
            }
            shown_until = op.old_range().end;
        }
    }
    if shown_until < old.lines().count() && !text.is_empty() {
        text += "    …\n";
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_shows_changes_with_a_line_of_context() {
        let old = "a\nb\nc\nd\ne\nf\n";
        let new = "a\nb\nc\nD\ne\nf\ng\n";
        assert_eq!(diff(old, new), "    …\n    c\n  - d\n  + D\n    e\n    f\n  + g\n");
        assert_eq!(diff("", "x\n"), "  + x\n");
        assert_eq!(diff("a\nb\nc\nd\ne\n", "a\nB\nc\nd\ne\n"), "    a\n  - b\n  + B\n    c\n    …\n");
        assert_eq!(diff("same\n", "same\n"), "");
    }

    /// The Debian package ships the unit and udev rules made from the example configuration; they must not drift.
    /// After a deliberate change: `UPDATE_GOLDEN=1 cargo test -p kiosk --bin kiosk packaged`.
    #[test]
    fn packaged_system_files_are_made_from_the_example() {
        let path = Path::new(firmware_config::DEFAULT_PATH);
        let example = firmware_config::parse(firmware_config::EXAMPLE, path).unwrap();
        let debian = Path::new(env!("CARGO_MANIFEST_DIR")).join("debian");
        for file in render(&example, path).into_iter().filter(|file| file.how == SystemFile::Whole) {
            let shipped = debian.join(Path::new(file.path).file_name().unwrap());
            if std::env::var_os("UPDATE_GOLDEN").is_some() {
                fs::write(&shipped, &file.contents).unwrap();
            }
            assert_eq!(fs::read_to_string(&shipped).unwrap(), file.contents, "{}", shipped.display());
        }
    }
}
