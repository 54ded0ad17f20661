//! Checks a parsed file against what a kiosk can actually do, and says what to write instead.
//! Every problem names the setting (`sensors[2].pin`), the value, what is wrong and what is allowed.

use std::collections::BTreeMap;

use chrono::NaiveTime;

use crate::pins;
use crate::schema::{
    CalendarConfig, EmailConfig, KioskConfig, MESSAGE_KINDS, SensorConfig, ServerConfig, WebhookConfig,
};

/// One thing wrong with the file: the setting's path and a message that begins with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
pub const SENSOR_KINDS: [&str; 4] = ["door", "beam_pair", "motion", "exit_button"];

struct Check {
    problems: Vec<Problem>,
}

impl Check {
    fn fail(&mut self, path: impl Into<String>, message: impl Into<String>) {
        let path = path.into();
        self.problems.push(Problem { message: format!("{path}{}", message.into()), path });
    }

    fn range<T: PartialOrd + std::fmt::Display>(&mut self, path: &str, value: T, low: T, high: T, meaning: &str) {
        if value < low || value > high {
            self.fail(path, format!(" = {value}: {meaning} must be from {low} to {high}"));
        }
    }
}

/// "HH:MM-HH:MM" → (opens, closes); `None` if it is not that shape.
pub fn parse_hours(text: &str) -> Option<(NaiveTime, NaiveTime)> {
    let (opens, closes) = text.split_once('-')?;
    let time = |part: &str| NaiveTime::parse_from_str(part.trim(), "%H:%M").ok();
    Some((time(opens)?, time(closes)?))
}

fn free_pins(taken: &[u8], interfaces: &[String]) -> String {
    let free: Vec<String> = pins::SUGGESTED
        .iter()
        .filter(|pin| !taken.contains(pin) && pins::reserved(**pin, interfaces).is_none())
        .take(3)
        .map(|gpio| format!("{gpio} (header pin {})", pins::header_pin(*gpio).unwrap_or(0)))
        .collect();
    match free.as_slice() {
        [] => "every suggested GPIO is taken".into(),
        [one] => format!("choose a free GPIO such as {one}"),
        [init @ .., last] => format!("choose a free GPIO such as {} or {last}", init.join(", ")),
    }
}

/// Every problem in `config`, in file order as far as possible; empty when it is good.
pub fn problems(config: &KioskConfig) -> Vec<Problem> {
    let mut check = Check { problems: Vec::new() };
    let site = &config.site;
    if site.name.trim().is_empty() {
        check.fail("site.name", " is empty: write the hub's name, e.g. name = \"Riverside Hub\"");
    }
    if site.time_zone.parse::<chrono_tz::Tz>().is_err() {
        check.fail(
            "site.time_zone",
            format!(
                " = \"{}\" is not a known time zone: use a name like \"Europe/London\" or \"America/New_York\"",
                site.time_zone
            ),
        );
    }
    if site.safe_capacity == 0 {
        check.fail("site.safe_capacity", " = 0: the building must hold at least 1 person");
    }
    check.range("site.retention_days", site.retention_days, 1, 3650, "the number of days visitor data is kept");
    if site.languages.is_empty() {
        check.fail("site.languages", " is empty: offer at least one, e.g. languages = [\"en\"]");
    }
    for (index, code) in site.languages.iter().enumerate() {
        if !crate::LANGUAGES.contains(&code.as_str()) {
            check.fail(
                format!("site.languages[{index}]"),
                format!(" = \"{code}\": this kiosk speaks {}", crate::LANGUAGES.join(", ")),
            );
        } else if site.languages[..index].contains(code) {
            check.fail(format!("site.languages[{index}]"), format!(" = \"{code}\" is listed twice"));
        }
    }
    for (day, hours) in &site.hours {
        let path = format!("site.hours.{day}");
        if !WEEKDAYS.contains(&day.as_str()) {
            check.fail(path, format!(": \"{day}\" is not a weekday; use {}", WEEKDAYS.join(", ")));
            continue;
        }
        match (hours.trim(), parse_hours(hours)) {
            ("closed", _) => {}
            (_, Some((opens, closes))) if opens < closes => {}
            (_, Some(_)) => {
                check.fail(path, format!(" = \"{hours}\": the hub must open before it closes, e.g. \"09:00-18:00\""))
            }
            (_, None) => check.fail(path, format!(" = \"{hours}\": write \"09:00-18:00\" or \"closed\"")),
        }
    }

    let display = &config.display;
    if ![0, 90, 180, 270].contains(&display.rotation) {
        check.fail("display.rotation", format!(" = {}: choose 0, 90, 180 or 270", display.rotation));
    }
    check.range("display.idle_seconds", display.idle_seconds, 10, 3600, "the idle time in seconds");
    if let Some(output) = &display.output {
        // DRM connector names: a type and a number, as in /sys/class/drm/card1-HDMI-A-1.
        let named = output.rsplit_once('-').is_some_and(|(kind, number)| {
            !kind.is_empty()
                && kind.split('-').all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphabetic()))
                && !number.is_empty()
                && number.chars().all(|c| c.is_ascii_digit())
        });
        if !named {
            check.fail(
                "display.output",
                format!(
                    " = \"{output}\": write the screen's connector as `ls /sys/class/drm` lists it after \"card1-\", \
                     e.g. \"DSI-1\" or \"HDMI-A-1\""
                ),
            );
        }
    }
    if let Some(brightness) = &display.brightness {
        check.range("display.brightness.day_percent", brightness.day_percent, 1, 100, "the brightness in per cent");
        check.range("display.brightness.night_percent", brightness.night_percent, 1, 100, "the brightness in per cent");
        for (key, value) in [("night_from", &brightness.night_from), ("night_until", &brightness.night_until)] {
            if NaiveTime::parse_from_str(value, "%H:%M").is_err() {
                check.fail(format!("display.brightness.{key}"), format!(" = \"{value}\": write a time like \"20:00\""));
            }
        }
    }

    if let Some(device) = &config.scanner.device
        && device != "keyboard"
        && !device.starts_with("/dev/input/")
    {
        check.fail(
            "scanner.device",
            format!(
                " = \"{device}\": write \"keyboard\" or the scanner's device, e.g. \"/dev/input/by-id/usb-…-event-kbd\" \
                 (ls /dev/input/by-id lists them)"
            ),
        );
    }
    if let Some(id) = &config.scanner.usb_id {
        let hex4 = |part: &str| part.len() == 4 && part.chars().all(|c| c.is_ascii_hexdigit());
        if !id.split_once(':').is_some_and(|(vendor, product)| hex4(vendor) && hex4(product)) {
            check.fail("scanner.usb_id", format!(" = \"{id}\": write it as lsusb shows it, e.g. \"05e0:1200\""));
        }
    }

    let interfaces = &config.gpio.interfaces;
    for (index, name) in interfaces.iter().enumerate() {
        if !pins::INTERFACES.iter().any(|(known, _)| known == name) {
            let known: Vec<&str> = pins::INTERFACES.iter().map(|(known, _)| *known).collect();
            check.fail(format!("gpio.interfaces[{index}]"), format!(" = \"{name}\": choose from {}", known.join(", ")));
        }
    }
    check_sensors(&mut check, &config.sensors, interfaces);

    check.range("staff.pin_digits", config.staff.pin_digits, 4, 8, "the shortest PIN");
    check.range("staff.lock_after", config.staff.lock_after, 3, 50, "the wrong PINs before a lock");
    check.range("backups.keep", config.backups.keep, 1, 365, "the number of backups kept");
    check.range("backups.every_hours", config.backups.every_hours, 1, 168, "the hours between backups");
    if let Some(dir) = &config.backups.dir
        && !dir.is_absolute()
    {
        check.fail(
            "backups.dir",
            format!(" = \"{}\": write a full path, e.g. \"/media/usb/hub-backups\"", dir.display()),
        );
    }
    if let Some(server) = &config.server {
        check_server(&mut check, server);
    }
    if config.notify.reminder_hours > 168 {
        check.fail(
            "notify.reminder_hours",
            format!(" = {}: at most 168 (a week); 0 sends no reminders", config.notify.reminder_hours),
        );
    }
    if let Some(email) = &config.notify.email {
        check_email(&mut check, email);
    }
    check_webhooks(&mut check, &config.notify.webhook);
    check_calendars(&mut check, &config.calendars);
    if let Some(database) = &config.database {
        let url = database.url.trim();
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://") || url.contains('=')) {
            check.fail(
                "database.url",
                format!(
                    " = \"{url}\": write a PostgreSQL address, e.g. \"postgres://kiosk@db.example.org/hubs\", or leave \
                     [database] out to keep the hub's data on this kiosk"
                ),
            );
        }
        // The rule of booking_core::site_code, which this crate does not depend on.
        if let Some(site) = &database.site
            && (site.is_empty()
                || site.len() > 30
                || !site.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-'))
        {
            check.fail(
                "database.site",
                format!(" = \"{site}\": use 1 to 30 lower-case letters, digits and hyphens, such as north-library"),
            );
        }
    }
    if let Some(dir) = &config.data_dir
        && !dir.is_absolute()
    {
        check.fail("data_dir", format!(" = \"{}\": write a full path, e.g. \"/var/lib/hub-kiosk\"", dir.display()));
    }
    check.problems
}

fn check_calendars(check: &mut Check, calendars: &[CalendarConfig]) {
    for (index, calendar) in calendars.iter().enumerate() {
        let at = |key: &str| format!("calendars[{index}].{key}");
        if !is_web_address(&calendar.url) {
            check.fail(
                at("url"),
                format!(
                    " = \"{}\": write the calendar's whole address, e.g. \"https://calendar.google.com/calendar/ical/…/basic.ics\"",
                    calendar.url
                ),
            );
        } else if calendars[..index].iter().any(|other| other.url.trim() == calendar.url.trim()) {
            check.fail(at("url"), format!(" = \"{}\" is listed twice: a calendar is for one room", calendar.url));
        }
        if calendar.room.trim().is_empty() {
            check.fail(at("room"), " = \"\": name the room, as `kiosk room list` shows it".to_owned());
        }
        if !(5..=1440).contains(&calendar.refresh_minutes) {
            check.fail(at("refresh_minutes"), format!(" = {}: between 5 and 1440 (a day)", calendar.refresh_minutes));
        }
    }
}

/// `https://host/…` or `http://host/…`, with nothing blank in it.
fn is_web_address(url: &str) -> bool {
    let url = url.trim();
    let host = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or("");
    !(host.is_empty() || host.starts_with('/') || url.chars().any(|c| c.is_whitespace() || c.is_control()))
}

fn check_webhooks(check: &mut Check, webhooks: &[WebhookConfig]) {
    for (index, webhook) in webhooks.iter().enumerate() {
        let at = |key: &str| format!("notify.webhook[{index}].{key}");
        let name = webhook.name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            check
                .fail(at("name"), format!(" = \"{}\": write a short name of letters, digits and dashes", webhook.name));
        } else if webhooks[..index].iter().any(|other| other.name.trim() == name) {
            check.fail(at("name"), format!(" = \"{name}\" is used twice: give each webhook its own name"));
        }
        if !is_web_address(&webhook.url) {
            check.fail(
                at("url"),
                format!(" = \"{}\": write the whole address, e.g. \"https://ntfy.sh/your-topic\"", webhook.url),
            );
        }
        if !["json", "text"].contains(&webhook.format.as_str()) {
            check.fail(at("format"), format!(" = \"{}\": choose \"json\" or \"text\"", webhook.format));
        }
        if let Some(file) = &webhook.secret_file
            && !file.is_absolute()
        {
            check.fail(at("secret_file"), format!(" = \"{}\": write a full path", file.display()));
        }
        for (position, kind) in webhook.kinds.iter().flatten().enumerate() {
            if !MESSAGE_KINDS.contains(&kind.as_str()) {
                check.fail(
                    format!("notify.webhook[{index}].kinds[{position}]"),
                    format!(" = \"{kind}\": choose from {}", MESSAGE_KINDS.join(", ")),
                );
            }
        }
    }
}

fn check_email(check: &mut Check, email: &EmailConfig) {
    let name_shaped =
        |name: &str| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !name_shaped(email.server.trim()) {
        check.fail(
            "notify.email.server",
            format!(" = \"{}\": write the mail server's name, e.g. \"smtp.example.org\"", email.server),
        );
    }
    if !["tls", "starttls", "none"].contains(&email.security.as_str()) {
        check.fail(
            "notify.email.security",
            format!(
                " = \"{}\": write \"tls\" (port 465), \"starttls\" (port 587) or \"none\" (a relay on this machine)",
                email.security
            ),
        );
    }
    if email.port == Some(0) {
        check.fail("notify.email.port", " = 0: write the mail server's port, e.g. 587");
    }
    match (&email.username, &email.password_file) {
        (Some(_), None) => check.fail(
            "notify.email.password_file",
            ": missing: a login needs its password, in a file only the kiosk can read, e.g. \"/etc/hub-kiosk/smtp-password\"",
        ),
        (None, Some(_)) => check.fail("notify.email.username", ": missing: write the login that goes with password_file"),
        (Some(_), Some(file)) if !file.is_absolute() => check.fail(
            "notify.email.password_file",
            format!(" = \"{}\": write a full path, e.g. \"/etc/hub-kiosk/smtp-password\"", file.display()),
        ),
        _ => {}
    }
    if let Some(file) = &email.certificate_file {
        if !file.is_absolute() {
            check.fail(
                "notify.email.certificate_file",
                format!(" = \"{}\": write a full path, e.g. \"/etc/hub-kiosk/mail-ca.pem\"", file.display()),
            );
        } else if email.security == "none" {
            check.fail("notify.email.certificate_file", ": only used with security = \"tls\" or \"starttls\"");
        }
    }
    if email.security == "none" && email.username.is_some() {
        check.fail(
            "notify.email.security",
            " = \"none\": a login would be sent unencrypted; use \"starttls\" or \"tls\", or a relay with no login",
        );
    }
    let address = email.from.rsplit('<').next().unwrap_or_default().trim_end_matches('>').trim();
    let shaped = address.split_once('@').is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'));
    if !shaped || email.from.chars().any(char::is_control) {
        check.fail(
            "notify.email.from",
            format!(
                " = \"{}\": write who the messages come from, e.g. \"Riverside Hub <kiosk@example.org>\"",
                email.from
            ),
        );
    }
}

fn check_server(check: &mut Check, server: &ServerConfig) {
    let Some(address) = server.address() else {
        check.fail(
            "server.listen",
            format!(
                " = \"{}\": write an address and port, e.g. \"0.0.0.0:8080\" (the hub's network) or \"127.0.0.1:8080\" \
                 (this machine only)",
                server.listen
            ),
        );
        return;
    };
    let Some(url) = &server.public_url else { return };
    let shaped = (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() > "https://".len()
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if !shaped {
        check.fail(
            "server.public_url",
            format!(" = \"{url}\": write the whole address people open, e.g. \"http://hub.local:8080/\""),
        );
    } else if address.ip().is_loopback() && !url.contains("localhost") && !url.contains("127.0.0.1") {
        check.fail(
            "server.public_url",
            format!(
                " = \"{url}\": phones cannot reach it while server.listen = \"{}\" answers this machine only; \
                 listen on \"0.0.0.0:{}\"",
                server.listen,
                address.port()
            ),
        );
    }
}

fn check_sensors(check: &mut Check, sensors: &[SensorConfig], interfaces: &[String]) {
    let mut used: BTreeMap<u8, usize> = BTreeMap::new();
    let taken: Vec<u8> = sensors
        .iter()
        .flat_map(|sensor| sensor.pin.into_iter().chain(sensor.pins.clone().unwrap_or_default()))
        .collect();
    for (index, sensor) in sensors.iter().enumerate() {
        let at = |key: &str| format!("sensors[{index}].{key}");
        let kind = sensor.kind.as_str();
        if !SENSOR_KINDS.contains(&kind) {
            check.fail(at("kind"), format!(" = \"{kind}\": choose {}", SENSOR_KINDS.join(", ")));
            continue;
        }
        if sensor.name.trim().is_empty() {
            check.fail(at("name"), " is empty: name it as staff will see it, e.g. \"Front door\"");
        } else if let Some(first) =
            sensors[..index].iter().position(|other| other.name.eq_ignore_ascii_case(&sensor.name))
        {
            check.fail(at("name"), format!(" = \"{}\" is also the name of sensors[{first}]", sensor.name));
        }

        // Which pins this sensor uses, with the path of each.
        let mut pins_here: Vec<(String, u8)> = Vec::new();
        if kind == "beam_pair" {
            if sensor.pin.is_some() {
                check.fail(at("pin"), ": a beam pair has two pins: write pins = [outside, inside]");
            }
            match sensor.pins.as_deref() {
                Some([outside, inside]) if outside == inside => {
                    check.fail(at("pins"), format!(" = [{outside}, {inside}]: the two beams need two different pins"));
                }
                Some([outside, inside]) => {
                    pins_here.push((format!("{}[0]", at("pins")), *outside));
                    pins_here.push((format!("{}[1]", at("pins")), *inside));
                }
                Some(other) => check.fail(
                    at("pins"),
                    format!(" has {} pins: a beam pair has two, pins = [outside, inside]", other.len()),
                ),
                None => check.fail(at("pins"), " is missing: a beam pair needs pins = [outside, inside]"),
            }
        } else {
            if sensor.pins.is_some() {
                check.fail(at("pins"), format!(": a {kind} sensor has one pin: write pin = 17"));
            }
            match sensor.pin {
                Some(pin) => pins_here.push((at("pin"), pin)),
                None => {
                    check.fail(at("pin"), format!(" is missing: which GPIO is the {kind} sensor on? e.g. pin = 17"))
                }
            }
        }
        for (path, pin) in pins_here {
            if let Some(reason) = pins::reserved(pin, interfaces) {
                check.fail(path, format!(" = {pin}: {reason}; {}", free_pins(&taken, interfaces)));
            } else if let Some(first) = used.get(&pin) {
                check.fail(
                    path,
                    format!(
                        " = {pin}: GPIO {pin} is already used by sensors[{first}] (\"{}\"); {}",
                        sensors[*first].name,
                        free_pins(&taken, interfaces)
                    ),
                );
            } else {
                used.insert(pin, index);
            }
        }

        if !["up", "down", "off"].contains(&sensor.pull_resistor()) {
            check.fail(at("pull"), format!(" = \"{}\": choose \"up\", \"down\" or \"off\"", sensor.pull_resistor()));
        }
        if !["low", "high"].contains(&sensor.active_level()) {
            check.fail(at("active"), format!(" = \"{}\": choose \"low\" or \"high\"", sensor.active_level()));
        }
        check.range(&at("debounce_ms"), sensor.debounce_ms, 0, 1000, "the debounce time in milliseconds");
        if sensor.held_open_seconds.is_some() && kind != "door" {
            check.fail(at("held_open_seconds"), ": only a door can be held open");
        }
        if sensor.blocked_seconds.is_some() && kind != "beam_pair" {
            check.fail(at("blocked_seconds"), ": only a beam pair can be blocked");
        }
        if let Some(seconds) = sensor.held_open_seconds {
            check.range(&at("held_open_seconds"), seconds, 5, 86_400, "the held-open alert time in seconds");
        }
        if let Some(seconds) = sensor.blocked_seconds {
            check.range(&at("blocked_seconds"), seconds, 5, 86_400, "the blocked-beam alert time in seconds");
        }
        if let Some(minutes) = sensor.silent_minutes {
            check.range(&at("silent_minutes"), minutes, 5, 10_080, "the silent-sensor alert time in minutes");
        }
        match (kind, &sensor.room) {
            ("motion", None) => check.fail(at("room"), " is missing: which room does the motion sensor watch?"),
            ("motion", Some(room)) if room.trim().is_empty() => {
                check.fail(at("room"), " is empty: write the room's name as the hub knows it");
            }
            ("motion", Some(_)) | (_, None) => {}
            (_, Some(_)) => check.fail(at("room"), format!(": only a motion sensor watches a room, not a {kind}")),
        }
    }
}
