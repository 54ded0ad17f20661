//! This device's configuration file (`kiosk.toml`, see firmware-config): finding it, and what the rest of the kiosk
//! takes from it — the data folder, the scanner, backups, and the hub settings it keeps in step.

use std::path::{Path, PathBuf};

use anyhow::Result;
use booking_core::{DayHours, NewSite, SiteSettings, Store, Subscription};
use chrono::{DateTime, Utc, Weekday};
use firmware_config::{KioskConfig, WEEKDAYS, parse_hours};
use kiosk_runtime::housekeeping::BackupPlan;

use super::input::bad_input;

/// A configuration file that was found and is valid.
#[derive(Debug, Clone)]
pub struct Device {
    pub path: PathBuf,
    pub config: KioskConfig,
}

/// Where to serve the web pages, and the address to show visitors (none when only this machine can reach them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebPlan {
    pub listen: std::net::SocketAddr,
    pub public_url: Option<String>,
}

/// The udev rule made from `scanner.usb_id` gives the scanner this name.
pub const SCANNER_LINK: &str = "/dev/input/hub-kiosk-scanner";

/// The file named with `--config`, else the default path if there is a file there. A file that is there but not
/// valid is an error that lists every problem: the kiosk never runs on half a configuration.
pub fn load(explicit: Option<&Path>) -> Result<Option<Device>> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None if Path::new(firmware_config::DEFAULT_PATH).exists() => PathBuf::from(firmware_config::DEFAULT_PATH),
        None => return Ok(None),
    };
    let config = firmware_config::load(&path).map_err(|error| bad_input(error.to_string()))?;
    // The generated service names the file, so it must not depend on the folder this ran in.
    let path = path.canonicalize().unwrap_or(path);
    Ok(Some(Device { path, config }))
}

impl Device {
    /// The scanner device to read, or `None` for scans as key presses.
    pub fn scanner(&self) -> Option<PathBuf> {
        match (&self.config.scanner.device, &self.config.scanner.usb_id) {
            (Some(device), _) if device == "keyboard" => None,
            (Some(device), _) => Some(PathBuf::from(device)),
            (None, Some(_)) => Some(PathBuf::from(SCANNER_LINK)),
            (None, None) => None,
        }
    }

    /// The web server `[server]` asks for, if any.
    pub fn web_plan(&self) -> Option<WebPlan> {
        let server = self.config.server.as_ref()?;
        let listen = server.address()?;
        let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let public_url = server.public_url.clone().or_else(|| {
            let name = hostname.trim();
            (!listen.ip().is_loopback() && !name.is_empty()).then(|| format!("http://{name}.local:{}/", listen.port()))
        });
        Some(WebPlan { listen, public_url })
    }

    /// How `[notify]` reaches people, if it does.
    pub fn channels(&self) -> Result<Option<kiosk_notify::Channels>> {
        Ok(kiosk_notify::Channels::from_config(&self.config.notify)?)
    }

    /// Backups as `[backups]` says, for the hub in `data_dir`.
    pub fn backup_plan(&self, data_dir: &Path) -> BackupPlan {
        let backups = &self.config.backups;
        let daily = BackupPlan::daily(data_dir);
        BackupPlan {
            dir: backups.dir.clone().unwrap_or(daily.dir),
            keep: backups.keep as usize,
            every: chrono::Duration::hours(i64::from(backups.every_hours)),
        }
    }
}

/// `[site]` as a new hub.
pub fn new_site(config: &KioskConfig) -> NewSite {
    NewSite {
        name: config.site.name.clone(),
        time_zone: config.site.time_zone.clone(),
        safe_capacity: config.site.safe_capacity,
        retention_days: config.site.retention_days,
    }
}

/// Brings the hub's settings in line with the file: name, capacity, retention, the opening hours it lists, the
/// PIN policy and the room calendars it subscribes to. Returns a line per change. A different time zone is refused: bookings are kept in the hub's zone.
pub fn reconcile(store: &mut Store, config: &KioskConfig, now: DateTime<Utc>) -> Result<Vec<String>> {
    let site = store.site()?;
    if site.time_zone.name() != config.site.time_zone {
        return Err(bad_input(format!(
            "site.time_zone is \"{}\" but this hub keeps its bookings in {}: a hub cannot change time zone. \
             Put time_zone = \"{}\" back, or set up a new hub.",
            config.site.time_zone,
            site.time_zone.name(),
            site.time_zone.name()
        )));
    }
    let wanted = SiteSettings {
        name: config.site.name.clone(),
        safe_capacity: config.site.safe_capacity,
        retention_days: config.site.retention_days,
        pin_digits: config.staff.pin_digits,
        pin_lock_after: config.staff.lock_after,
    };
    let mut changes = Vec::new();
    let before = [
        ("name", site.name.clone(), wanted.name.clone()),
        ("safe capacity", site.safe_capacity.to_string(), wanted.safe_capacity.to_string()),
        ("days visitor data is kept", site.retention_days.to_string(), wanted.retention_days.to_string()),
        ("shortest PIN", site.pin_digits.to_string(), wanted.pin_digits.to_string()),
        ("wrong PINs before a lock", site.pin_lock_after.to_string(), wanted.pin_lock_after.to_string()),
    ];
    for (what, old, new) in before {
        if old != new {
            changes.push(format!("hub {what}: {old} → {new}"));
        }
    }
    if !changes.is_empty() {
        store.update_site(&wanted)?;
    }
    let week = store.opening_hours()?;
    for (index, day) in WEEKDAYS.iter().enumerate() {
        let Some(text) = config.site.hours.get(*day) else { continue };
        let wanted = match parse_hours(text) {
            Some((opens, closes)) => Some(DayHours::new(opens, closes)?),
            None => None, // "closed": validated by firmware-config
        };
        if week[index] != wanted {
            let weekday = Weekday::try_from(index as u8).unwrap_or(Weekday::Mon);
            store.set_opening_hours(weekday, wanted)?;
            changes.push(format!("hours on {day}: {text}"));
        }
    }
    changes.extend(reconcile_calendars(store, config, now)?);
    Ok(changes)
}

/// Brings the subscribed room calendars in line with the file's `[[calendars]]`: a calendar taken out of the file
/// goes, with its blocks.
pub fn reconcile_calendars(store: &mut Store, config: &KioskConfig, now: DateTime<Utc>) -> Result<Vec<String>> {
    let (mut wanted, mut waiting) = (Vec::new(), Vec::new());
    for calendar in &config.calendars {
        match store.room_by_name(&calendar.room) {
            Ok(room) => wanted.push(Subscription {
                url: calendar.url.trim().to_owned(),
                room: room.id,
                refresh_minutes: calendar.refresh_minutes,
            }),
            // A hub set up from the file has no rooms yet: say so rather than refuse the whole file.
            Err(_) => waiting.push(format!(
                "calendar {}: not followed yet, as there is no room \"{}\" (add it with `kiosk room add`, then run \
                 this again)",
                calendar.url, calendar.room
            )),
        }
    }
    let mut changes = store.set_subscriptions(&wanted, now)?;
    changes.extend(waiting);
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device_with(server: &str) -> Device {
        let text = format!("[site]\nname = \"Hub\"\ntime_zone = \"Europe/London\"\nsafe_capacity = 40\n{server}");
        let config = firmware_config::parse(&text, Path::new("kiosk.toml")).unwrap();
        Device { path: PathBuf::from("kiosk.toml"), config }
    }

    #[test]
    fn the_web_pages_are_served_only_when_asked_and_shown_only_where_phones_can_reach() {
        assert_eq!(device_with("").web_plan(), None);
        let local = device_with("[server]\n").web_plan().unwrap();
        assert_eq!((local.listen.to_string().as_str(), local.public_url), ("127.0.0.1:8080", None));
        let named = device_with("[server]\nlisten = \"0.0.0.0:8080\"\npublic_url = \"http://hub.local:8080/\"\n");
        assert_eq!(named.web_plan().unwrap().public_url.as_deref(), Some("http://hub.local:8080/"));
        let guessed = device_with("[server]\nlisten = \"0.0.0.0:9000\"\n").web_plan().unwrap().public_url.unwrap();
        assert!(guessed.starts_with("http://") && guessed.ends_with(".local:9000/"), "{guessed}");
    }
}
