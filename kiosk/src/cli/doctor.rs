//! `kiosk doctor`: a pre-flight check of the device. Each line is ok, warn or FAIL, with what to do about it. It
//! says honestly what it finds: on a laptop, "no GPIO" and "no display" are real findings, not errors to hide.
//! Run as root on a kiosk, it checks as the kiosk's user (what root may do says nothing about what the kiosk may).

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;
use booking_core::{Database, Store, list_backups};
use chrono::{DateTime, Datelike, Utc};
use kiosk_runtime::housekeeping::BackupPlan;
use kiosk_runtime::hub::{DATABASE_FILE, default_data_dir};
use serde::Serialize;
use serde_json::json;

use super::device::{self, Device};
use super::ownership;
use super::report::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub level: Level,
    pub topic: &'static str,
    pub text: String,
    /// What to do, when something is wrong.
    pub fix: Option<String>,
}

fn ok(topic: &'static str, text: impl Into<String>) -> Finding {
    Finding { level: Level::Ok, topic, text: text.into(), fix: None }
}

fn warn(topic: &'static str, text: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding { level: Level::Warn, topic, text: text.into(), fix: Some(fix.into()) }
}

fn fail(topic: &'static str, text: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding { level: Level::Fail, topic, text: text.into(), fix: Some(fix.into()) }
}

/// Set in the doctor's own run as the kiosk's user.
const AS_SERVICE_USER: &str = "HUB_KIOSK_DOCTOR_AS_SERVICE_USER";

/// Runs every check; the report is "refused" (exit code 1) if any check fails.
pub fn run(config: Option<&Path>, data: Option<&Path>, database: Option<&str>, site: Option<&str>) -> Result<Report> {
    let mut first = Vec::new();
    if let Some(user) = ownership::when_root().filter(|_| std::env::var_os(AS_SERVICE_USER).is_none()) {
        match as_service_user(&user) {
            Ok(report) => return Ok(report),
            Err(error) => first.push(warn(
                "user",
                format!("could not check as {}, the user the kiosk runs as ({error}): checked as root", user.name),
                "install util-linux (it has setpriv)",
            )),
        }
    }
    let mut report = run_at(config, data, database, site, Utc::now(), first);
    if std::env::var_os(AS_SERVICE_USER).is_some() {
        let user = firmware_config::SERVICE_USER;
        report.text = format!("Checked as {user}, the user the kiosk runs as.\n{}", report.text);
        report.json["checked_as"] = json!(user);
    }
    Ok(report)
}

/// The doctor again, as the kiosk's user with its groups (`setpriv`, from util-linux), with the same arguments.
fn as_service_user(user: &ownership::ServiceUser) -> std::io::Result<Report> {
    let output = Command::new("setpriv")
        .args(["--reuid", &user.name, "--regid", &user.name, "--init-groups", "--"])
        .arg(std::env::current_exe()?)
        .args(std::env::args_os().skip(1))
        .env(AS_SERVICE_USER, "1")
        .stderr(std::process::Stdio::inherit())
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout).trim_end().to_owned();
    let json = serde_json::from_str(&text).unwrap_or_else(|_| json!({ "text": text }));
    Ok(Report { text, json, refused: !output.status.success() })
}

fn run_at(
    config: Option<&Path>,
    data: Option<&Path>,
    database: Option<&str>,
    site: Option<&str>,
    now: DateTime<Utc>,
    first: Vec<Finding>,
) -> Report {
    let mut findings = first;
    let device = check_config(config, &mut findings);
    let dir = data
        .map(Path::to_path_buf)
        .or_else(|| device.as_ref().map(|device| device.config.data_dir()))
        .unwrap_or_else(default_data_dir);
    let configured = device.as_ref().and_then(|device| device.config.database.clone());
    let server = database.map(str::to_owned).or_else(|| configured.as_ref().map(|d| d.url.clone()));
    let site = site.map(str::to_owned).or_else(|| configured?.site);
    findings.push(check_data_dir(&dir));
    let hub_database = match server {
        Some(url) => Database::Server { url, site },
        None => Database::File(dir.join(DATABASE_FILE)),
    };
    let newest_record = check_database(&hub_database, now, &mut findings);
    findings.push(check_gpio(device.as_ref()));
    findings.push(check_scanner(device.as_ref()));
    findings.push(check_display());
    findings.extend(check_clock(now, newest_record));
    findings.push(check_disk(&dir));
    if matches!(hub_database, Database::Server { .. }) {
        findings.push(ok("backups", "the hub's data is on a PostgreSQL server: it is backed up there, not here"));
    } else {
        findings.extend(check_backups(device.as_ref(), &dir, now));
    }

    let mut text = String::new();
    for finding in &findings {
        let level = match finding.level {
            Level::Ok => "ok  ",
            Level::Warn => "warn",
            Level::Fail => "FAIL",
        };
        text += &format!("{level}  {:<9} {}\n", finding.topic, finding.text);
        if let Some(fix) = &finding.fix {
            text += &format!("                → {fix}\n");
        }
    }
    let failed = findings.iter().filter(|finding| finding.level == Level::Fail).count();
    let warned = findings.iter().filter(|finding| finding.level == Level::Warn).count();
    text += &match (failed, warned) {
        (0, 0) => "All checks passed.".to_owned(),
        (0, n) => format!("No failures; {n} warning(s) to look at."),
        (n, _) => format!("{n} check(s) failed: fix those before going live."),
    };
    let json = json!({ "findings": findings, "failed": failed, "warnings": warned });
    Report { text, json, refused: failed > 0 }
}

fn check_config(explicit: Option<&Path>, findings: &mut Vec<Finding>) -> Option<Device> {
    let path = explicit.map_or_else(|| PathBuf::from(firmware_config::DEFAULT_PATH), Path::to_path_buf);
    if explicit.is_none() && !path.exists() {
        findings.push(warn(
            "config",
            format!("no configuration file at {}: the kiosk runs on its defaults", path.display()),
            format!("kiosk config example | sudo tee {}, then edit it", path.display()),
        ));
        return None;
    }
    match device::load(Some(&path)) {
        Ok(device) => {
            findings.push(ok("config", format!("{} is valid", path.display())));
            device
        }
        Err(error) => {
            findings.push(fail("config", error.to_string(), "fix the lines named above; kiosk config check re-checks"));
            None
        }
    }
}

/// The filesystem type of the mount that holds `path`, from /proc/mounts (the longest matching mount point).
fn filesystem_of(path: &Path) -> Option<String> {
    let mounts = fs::read_to_string("/proc/mounts").ok()?;
    let path = path.canonicalize().ok()?;
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (_, point, kind) = (fields.next()?, fields.next()?, fields.next()?);
            path.starts_with(point).then(|| (point.len(), kind.to_owned()))
        })
        .max()
        .map(|(_, kind)| kind)
}

fn check_data_dir(dir: &Path) -> Finding {
    let user = firmware_config::SERVICE_USER;
    if !dir.exists() {
        return fail(
            "data",
            format!("{} does not exist yet", dir.display()),
            "sudo kiosk config apply (makes it, for the kiosk's user)",
        );
    }
    let probe = dir.join(".doctor-probe");
    if let Err(error) = fs::write(&probe, b"probe") {
        return fail(
            "data",
            format!("cannot write in {}: {error}", dir.display()),
            format!("sudo chown -R {user}: {} (the kiosk's user must own its data)", dir.display()),
        );
    }
    let _ = fs::remove_file(&probe);
    match filesystem_of(dir).as_deref() {
        Some(kind @ ("tmpfs" | "ramfs" | "overlay" | "squashfs")) => warn(
            "data",
            format!("{} is writable but on {kind}: it may be lost at power-off", dir.display()),
            "keep the data on the SD card or a disk (set data_dir)",
        ),
        Some(kind) => ok("data", format!("{} is writable ({kind})", dir.display())),
        None => ok("data", format!("{} is writable", dir.display())),
    }
}

/// Checks the hub database (its file, or the server's); returns the newest instant it holds, for the clock check.
fn check_database(database: &Database, now: DateTime<Utc>, findings: &mut Vec<Finding>) -> Option<DateTime<Utc>> {
    // What each engine's outcomes say.
    let (opened, no_hub, remedy) = match database {
        Database::File(path) => {
            if !path.exists() {
                findings.push(warn(
                    "hub",
                    "no hub set up yet",
                    "sudo kiosk config apply (sets it up from the file), or kiosk init",
                ));
                return None;
            }
            (
                "opens and passes SQLite's integrity check".to_owned(),
                "the database exists but no hub is set up in it",
                "restore the newest backup: kiosk restore",
            )
        }
        Database::Server { .. } => (
            format!("opens on the PostgreSQL server {database}"),
            "the server's database holds no hub yet",
            "check [database] url in kiosk.toml, and that the server is running and lets this kiosk in",
        ),
    };
    let store = match database.open().and_then(|store| store.integrity_check().map(|()| store)) {
        Ok(store) => store,
        Err(error) => {
            findings.push(fail("hub", format!("{database}: {error}"), remedy));
            return None;
        }
    };
    match store.site() {
        Ok(site) => findings.push(ok("hub", format!("\"{}\" {opened}", site.name))),
        Err(_) => findings.push(warn("hub", no_hub, "sudo kiosk config apply")),
    }
    findings.extend(check_calendars(&store, now));
    store.newest_record().ok().flatten()
}

/// Room calendars whose last fetch failed, or whose busy times land on bookings.
fn check_calendars(store: &Store, now: DateTime<Utc>) -> Vec<Finding> {
    let Ok(calendars) = store.room_calendars(now) else { return Vec::new() };
    let mut findings = Vec::new();
    for calendar in &calendars {
        if let Some(failure) = &calendar.failure {
            findings.push(warn(
                "calendars",
                format!("{} ({}) was not read: {failure}", calendar.name, calendar.room),
                "check its address in kiosk.toml, then kiosk calendar refresh",
            ));
        }
        if !calendar.collisions.is_empty() {
            findings.push(warn(
                "calendars",
                format!("{} has {} busy time(s) on bookings made here", calendar.name, calendar.collisions.len()),
                "kiosk calendar status lists them: move the booking or the calendar's event",
            ));
        }
    }
    if !calendars.is_empty() && findings.is_empty() {
        findings
            .push(ok("calendars", format!("{} room calendar(s) read, nothing landing on bookings", calendars.len())));
    }
    findings
}

fn check_gpio(device: Option<&Device>) -> Finding {
    let Some(device) = device.filter(|device| !device.config.sensors.is_empty()) else {
        return ok("gpio", "no sensors configured");
    };
    let model = fs::read_to_string("/proc/device-tree/model").unwrap_or_default();
    let model = model.trim_end_matches('\0').trim();
    let chip =
        ["/dev/gpiomem0", "/dev/gpiomem", "/dev/gpiochip0"].into_iter().map(Path::new).find(|path| path.exists());
    let problem = match (model.contains("Raspberry Pi"), chip) {
        (true, Some(chip)) => match fs::File::open(chip) {
            Ok(_) => return ok("gpio", format!("{model}: {} is readable", chip.display())),
            Err(error) => format!("{} cannot be opened: {error}", chip.display()),
        },
        (true, None) => "no GPIO device (/dev/gpiomem or /dev/gpiochip0)".to_owned(),
        (false, _) if model.is_empty() => "this is not a Raspberry Pi (no device-tree model)".to_owned(),
        (false, _) => format!("this is not a Raspberry Pi ({model})"),
    };
    let sensors = device.config.sensors.len();
    if device.config.gpio.sensors_required {
        fail(
            "gpio",
            format!("{problem}, so the {sensors} sensor(s) cannot be read"),
            "run on the Pi, with the kiosk's user in the gpio group; or set gpio.sensors_required = false",
        )
    } else {
        warn(
            "gpio",
            format!("{problem}: the kiosk will start without its {sensors} sensor(s)"),
            "run on the Pi, with the kiosk's user in the gpio group",
        )
    }
}

fn check_scanner(device: Option<&Device>) -> Finding {
    match device.and_then(Device::scanner) {
        None => ok("scanner", "scans arrive as key presses (no scanner device configured)"),
        Some(path) => match fs::File::open(&path) {
            Ok(_) => ok("scanner", format!("{} is readable", path.display())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => fail(
                "scanner",
                format!("{} is not there", path.display()),
                "plug the scanner in; check scanner.usb_id with lsusb, or scanner.device with ls /dev/input/by-id",
            ),
            Err(error) => fail(
                "scanner",
                format!("{} cannot be read: {error}", path.display()),
                "add the kiosk's user to the input group",
            ),
        },
    }
}

fn check_display() -> Finding {
    let cards: Vec<String> = fs::read_dir("/dev/dri")
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
                .filter(|name| name.starts_with("card"))
                .collect()
        })
        .unwrap_or_default();
    match cards.first() {
        Some(card) => ok("display", format!("/dev/dri/{card} found")),
        None => fail(
            "display",
            "no display found (nothing in /dev/dri)",
            "check the screen's cable, and that config.txt has dtoverlay=vc4-kms-v3d (kiosk config apply adds it)",
        ),
    }
}

fn check_clock(now: DateTime<Utc>, newest: Option<DateTime<Utc>>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let plausible = now.year() >= 2026;
    match newest {
        _ if !plausible => findings.push(fail(
            "clock",
            format!("the clock reads {}: that cannot be right", now.format("%Y-%m-%d %H:%M UTC")),
            "connect the Pi to the network so it can set its clock (timedatectl shows it)",
        )),
        Some(newest) if newest > now + chrono::Duration::minutes(5) => findings.push(fail(
            "clock",
            format!(
                "the clock reads {} but the hub has records from {}: the clock is behind, and passes would expire wrongly",
                now.format("%Y-%m-%d %H:%M UTC"),
                newest.format("%Y-%m-%d %H:%M UTC")
            ),
            "connect the Pi to the network so it can set its clock (timedatectl shows it)",
        )),
        _ => findings.push(ok("clock", format!("reads {}", now.format("%Y-%m-%d %H:%M UTC")))),
    }
    if !Path::new("/run/systemd/timesync/synchronized").exists() {
        findings.push(warn(
            "clock",
            "cannot confirm the clock is synchronised (systemd-timesyncd has not said so)",
            "timedatectl status should say \"System clock synchronized: yes\"",
        ));
    }
    findings
}

fn check_disk(dir: &Path) -> Finding {
    let output = Command::new("df").arg("-Pk").arg(dir).output();
    let free_kb = output.ok().and_then(|output| {
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.lines().nth(1)?.split_whitespace().nth(3)?.parse::<u64>().ok()
    });
    match free_kb {
        None => warn("disk", "could not read the free space (df)", "df -h shows it"),
        Some(kb) if kb < 200_000 => {
            fail("disk", format!("only {} MB free", kb / 1000), "free some space, or use a larger SD card")
        }
        Some(kb) if kb < 1_000_000 => {
            warn("disk", format!("only {} MB free", kb / 1000), "free some space before it runs out")
        }
        Some(kb) => ok("disk", format!("{:.1} GB free", kb as f64 / 1e6)),
    }
}

fn check_backups(device: Option<&Device>, data: &Path, now: DateTime<Utc>) -> Vec<Finding> {
    let plan = device.map_or_else(|| BackupPlan::daily(data), |device| device.backup_plan(data));
    let (dir, every_hours) = (plan.dir, plan.every.num_hours());
    let mut findings = Vec::new();
    match list_backups(&dir).ok().and_then(|backups| backups.into_iter().next()) {
        None => findings.push(warn(
            "backups",
            format!("no backup in {} yet", dir.display()),
            "kiosk backup (the running kiosk makes one daily)",
        )),
        Some(newest) => {
            let hours = (now - newest.taken_at).num_hours();
            if hours > 2 * every_hours {
                findings.push(warn(
                    "backups",
                    format!("the newest backup is {hours} hours old"),
                    "is the kiosk running? kiosk backup makes one now",
                ));
            } else {
                findings
                    .push(ok("backups", format!("the newest backup is {hours} hours old ({})", newest.path.display())));
            }
        }
    }
    let same_disk = fs::metadata(&dir).ok().zip(fs::metadata(data).ok()).is_some_and(|(a, b)| a.dev() == b.dev());
    if same_disk {
        findings.push(warn(
            "backups",
            "backups are on the same disk as the data: a dead SD card takes both",
            "set backups.dir to a USB stick, e.g. \"/media/usb/hub-backups\"",
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_clock_behind_the_hub_fails_and_a_sane_one_passes() {
        let now = Utc.with_ymd_and_hms(2027, 1, 5, 11, 0, 0).unwrap();
        let behind = check_clock(now, Some(now + chrono::Duration::days(2)));
        assert_eq!(behind[0].level, Level::Fail);
        assert!(behind[0].text.contains("the clock is behind"), "{}", behind[0].text);
        assert_eq!(check_clock(now, Some(now - chrono::Duration::days(2)))[0].level, Level::Ok);
        let epoch = check_clock(Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(), None);
        assert_eq!(epoch[0].level, Level::Fail);
    }
}
