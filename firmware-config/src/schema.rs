//! The shape of `kiosk.toml`. Every section but `[site]` may be left out; defaults are documented in
//! `kiosk.example.toml`, which `kiosk config example` prints. Unknown keys are refused so typos are caught.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskConfig {
    pub site: SiteConfig,
    /// Where the database and pass key live. Default: the service's state folder (`/var/lib/hub-kiosk`).
    #[serde(default)]
    pub data_dir: Option<PathBuf>,
    #[serde(default)]
    pub display: DisplayConfig,
    #[serde(default)]
    pub touch: TouchConfig,
    #[serde(default)]
    pub scanner: ScannerConfig,
    #[serde(default)]
    pub gpio: GpioConfig,
    #[serde(default)]
    pub sensors: Vec<SensorConfig>,
    #[serde(default)]
    pub staff: StaffConfig,
    #[serde(default)]
    pub backups: BackupConfig,
    /// The web pages and JSON API; left out, the kiosk serves nothing.
    #[serde(default)]
    pub server: Option<ServerConfig>,
    /// Messages to people (hosts told their visitor has arrived); left out, nobody is messaged.
    #[serde(default)]
    pub notify: NotifyConfig,
    /// `[[calendars]]`: room calendars kept elsewhere (Google, Outlook, Nextcloud, another booking system) whose
    /// events make their room busy on the kiosk.
    #[serde(default)]
    pub calendars: Vec<CalendarConfig>,
    /// `[database]`: a PostgreSQL database that several kiosks share; left out, the hub's data is the SQLite file in
    /// the data folder.
    #[serde(default)]
    pub database: Option<DatabaseConfig>,
}

/// `[database]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// A PostgreSQL connection string: `postgres://kiosk@db.example.org/hubs`, or
    /// `host=/var/run/postgresql dbname=hubs` for a server on the same machine.
    pub url: String,
    /// The site of the network this kiosk is at, by its code (`kiosk init --site`); left out, the first site.
    #[serde(default)]
    pub site: Option<String>,
}

/// `[[calendars]]`: an iCalendar feed (its "secret address in iCal format") for one room.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// The feed's address, `https://…` (or `http://` on the hub's own network).
    pub url: String,
    /// The room it is for, as the kiosk names it (`kiosk room list`).
    pub room: String,
    /// How often to fetch it again, in minutes (5 to 1440).
    #[serde(default = "defaults::calendar_refresh_minutes")]
    pub refresh_minutes: u32,
}

/// `[site]`: the hub itself.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub name: String,
    /// An IANA time zone name such as `Europe/London`.
    pub time_zone: String,
    /// The most people the building may hold (the fire limit).
    pub safe_capacity: u32,
    /// Days visitors' personal data is kept after their last visit.
    #[serde(default = "defaults::retention_days")]
    pub retention_days: u32,
    /// The languages offered on the Welcome screen, first is the default: codes from [`crate::LANGUAGES`].
    #[serde(default = "defaults::languages")]
    pub languages: Vec<String>,
    /// Weekly opening hours, `mon = "09:00-18:00"` or `sun = "closed"`. Days left out keep the hub's own hours.
    #[serde(default)]
    pub hours: BTreeMap<String, String>,
}

/// `[display]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisplayConfig {
    /// Degrees clockwise the picture is turned for a screen mounted on its side: 0, 90, 180 or 270.
    #[serde(default)]
    pub rotation: u16,
    /// The connector of the screen to use when more than one is connected ("DSI-1", "HDMI-A-1"). Default: the
    /// first connected one Slint finds.
    #[serde(default)]
    pub output: Option<String>,
    /// Seconds without a touch before the kiosk goes back to the Welcome screen.
    #[serde(default = "defaults::idle_seconds")]
    pub idle_seconds: u32,
    /// Dimmer at night, if the screen has a backlight the kiosk can set.
    #[serde(default)]
    pub brightness: Option<BrightnessConfig>,
}

impl Default for DisplayConfig {
    fn default() -> Self {
        DisplayConfig { rotation: 0, output: None, idle_seconds: defaults::idle_seconds(), brightness: None }
    }
}

/// `[display.brightness]`: percentages by day and by night.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrightnessConfig {
    pub day_percent: u8,
    pub night_percent: u8,
    /// Local times, "HH:MM": night runs from `night_from` to `night_until` (across midnight if need be).
    pub night_from: String,
    pub night_until: String,
}

/// `[touch]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TouchConfig {
    /// A libinput calibration matrix (6 numbers) for a touchscreen that needs one besides the rotation.
    /// Default: the matrix that matches `display.rotation`.
    #[serde(default)]
    pub matrix: Option<[f32; 6]>,
}

/// `[scanner]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScannerConfig {
    /// `"keyboard"` (scans arrive as key presses), or the scanner's input device, e.g.
    /// `/dev/input/by-id/usb-…-event-kbd`. Default: `keyboard`, or the udev link when `usb_id` is set.
    #[serde(default)]
    pub device: Option<String>,
    /// The scanner's USB id, `"vvvv:pppp"` (from `lsusb`): the udev rule then gives it a fixed name and keeps it
    /// away from the screen's keyboard input.
    #[serde(default)]
    pub usb_id: Option<String>,
}

/// `[gpio]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpioConfig {
    /// Interfaces switched on in config.txt; their pins cannot be used by sensors. Any of "i2c", "spi", "uart",
    /// "one_wire", "i2s".
    #[serde(default)]
    pub interfaces: Vec<String>,
    /// Refuse to start if the sensors cannot be read (otherwise the kiosk starts without them and says why).
    #[serde(default)]
    pub sensors_required: bool,
}

/// One `[[sensors]]` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensorConfig {
    /// "door" (reed switch), "beam_pair" (two break-beams counting in and out), "motion" (PIR) or "exit_button".
    pub kind: String,
    /// What staff see: "Front door", "Studio motion".
    pub name: String,
    /// The BCM GPIO number (door, motion, exit button).
    #[serde(default)]
    pub pin: Option<u8>,
    /// A beam pair's two BCM GPIO numbers: `[outside, inside]`.
    #[serde(default)]
    pub pins: Option<Vec<u8>>,
    /// "up", "down" or "off", when not what the kind needs as wired in docs/sensor-wiring.md
    /// ([`SensorConfig::pull_resistor`]).
    #[serde(default)]
    pub pull: Option<String>,
    /// Which level means "on" (door open, beam broken, motion seen, button pressed): "low" or "high", when not
    /// the kind's own as wired in docs/sensor-wiring.md ([`SensorConfig::active_level`]).
    #[serde(default)]
    pub active: Option<String>,
    /// Changes shorter than this are contact bounce, not events.
    #[serde(default = "defaults::debounce_ms")]
    pub debounce_ms: u32,
    /// Door: alert when it has been open this long.
    #[serde(default)]
    pub held_open_seconds: Option<u32>,
    /// Beam pair: alert when a beam has been blocked this long.
    #[serde(default)]
    pub blocked_seconds: Option<u32>,
    /// Any sensor: alert when it has sent nothing for this long while the hub is open (it may be dead).
    #[serde(default)]
    pub silent_minutes: Option<u32>,
    /// Motion: the room it watches (as named in the hub).
    #[serde(default)]
    pub room: Option<String>,
}

impl SensorConfig {
    /// The pull resistor: as written, else down for a motion sensor (whose module drives its output) and up for
    /// the rest (a contact between the pin and GND).
    pub fn pull_resistor(&self) -> &str {
        self.pull.as_deref().unwrap_or(if self.kind == "motion" { "down" } else { "up" })
    }

    /// The level that means "on": as written, else the level the guide's wiring gives. A door contact or a beam's
    /// contact is closed to GND at rest (door shut, beam clear), so the pin reads high when the door opens, the
    /// beam is broken or its cable is cut; a motion sensor drives its output high; an exit button closes to GND
    /// when pressed, so it reads low.
    pub fn active_level(&self) -> &str {
        self.active.as_deref().unwrap_or(if self.kind == "exit_button" { "low" } else { "high" })
    }
}

/// `[staff]`: the PIN policy.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffConfig {
    /// The fewest digits a PIN may have (4 to 8).
    #[serde(default = "defaults::pin_digits")]
    pub pin_digits: u8,
    /// Wrong PINs in a row before the account locks (3 to 50).
    #[serde(default = "defaults::lock_after")]
    pub lock_after: u32,
}

impl Default for StaffConfig {
    fn default() -> Self {
        StaffConfig { pin_digits: defaults::pin_digits(), lock_after: defaults::lock_after() }
    }
}

/// `[backups]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupConfig {
    /// Where backups go; best on another device, such as a USB stick. Default: `backups` in the data folder.
    #[serde(default)]
    pub dir: Option<PathBuf>,
    /// How many to keep (those older than the retention period go anyway).
    #[serde(default = "defaults::keep")]
    pub keep: u32,
    /// A new backup once the newest is this many hours old.
    #[serde(default = "defaults::every_hours")]
    pub every_hours: u32,
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig { dir: None, keep: defaults::keep(), every_hours: defaults::every_hours() }
    }
}

/// `[server]`: the hub's pages for phones and desks (docs/web.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port to listen on: `127.0.0.1:8080` (the default) answers this machine only, `0.0.0.0:8080`
    /// the hub's whole network.
    #[serde(default = "defaults::listen")]
    pub listen: String,
    /// The address people open, shown as a QR code on the Welcome screen. Default: `http://<hostname>.local:<port>/`
    /// when listening beyond this machine.
    #[serde(default)]
    pub public_url: Option<String>,
}

impl ServerConfig {
    /// The listening address, once the file has been checked.
    pub fn address(&self) -> Option<std::net::SocketAddr> {
        self.listen.trim().parse().ok()
    }
}

/// `[notify]`: how the kiosk reaches people who agreed to be contacted.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// How many hours before a booking or a drop-in place its reminder goes (0: no reminders). Only for what was
    /// booked longer ago than that.
    #[serde(default = "defaults::reminder_hours")]
    pub reminder_hours: u32,
    /// `[notify.email]`: e-mail through the hub's mail server.
    #[serde(default)]
    pub email: Option<EmailConfig>,
    /// `[[notify.webhook]]`: web addresses every message (or the kinds listed) is also posted to.
    #[serde(default)]
    pub webhook: Vec<WebhookConfig>,
}

impl Default for NotifyConfig {
    fn default() -> NotifyConfig {
        NotifyConfig { reminder_hours: defaults::reminder_hours(), email: None, webhook: Vec::new() }
    }
}

/// The kinds of message there are, as `[[notify.webhook]] kinds` names them.
pub const MESSAGE_KINDS: &[&str] =
    &["visitor_arrived", "booked", "promoted", "cancelled", "moved", "released", "reminder"];

/// `[[notify.webhook]]`: a web address messages are posted to (a chat room's incoming webhook, a push service, a
/// program of the hub's own).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// A short name for it (letters, digits and dashes), used in logs and `kiosk notify test --webhook NAME`.
    pub name: String,
    /// Where to post, `https://…` (or `http://` on the hub's own network).
    pub url: String,
    /// `json` (the documented body, with a `text` line that Slack, Teams and Matrix show) or `text` (the line
    /// alone, for ntfy).
    #[serde(default = "defaults::webhook_format")]
    pub format: String,
    /// A file holding only the secret the body is signed with (HMAC-SHA256, `X-Hub-Signature-256`); without it
    /// the body is not signed.
    #[serde(default)]
    pub secret_file: Option<PathBuf>,
    /// The kinds of message to post (see [`MESSAGE_KINDS`]); all when left out.
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
}

/// `[notify.email]`: an SMTP server the kiosk sends through.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// The mail server's name, e.g. `smtp.example.org`.
    pub server: String,
    /// `tls` (encrypted from the start, port 465), `starttls` (encrypted after hello, port 587) or `none` (only for
    /// a relay on this machine: nothing is encrypted, so no password is sent).
    #[serde(default = "defaults::email_security")]
    pub security: String,
    /// Default: 465 with `tls`, 587 with `starttls`, 25 with `none`.
    #[serde(default)]
    pub port: Option<u16>,
    /// The login, if the server asks for one; its password is read from `password_file`.
    #[serde(default)]
    pub username: Option<String>,
    /// A file holding only the password (readable by the kiosk's user alone), so it is not in this file.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// Who the messages come from, e.g. `Riverside Hub <kiosk@example.org>`.
    pub from: String,
    /// The certificate authority (PEM) of a mail server whose certificate the system does not already trust, such
    /// as one on the hub's own network.
    #[serde(default)]
    pub certificate_file: Option<PathBuf>,
}

impl EmailConfig {
    /// The port, once the file has been checked.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security.as_str() {
            "tls" => 465,
            "none" => 25,
            _ => 587,
        })
    }
}

pub(crate) mod defaults {
    pub fn email_security() -> String {
        "starttls".into()
    }

    pub fn reminder_hours() -> u32 {
        24
    }

    pub fn calendar_refresh_minutes() -> u32 {
        15
    }

    pub fn webhook_format() -> String {
        "json".into()
    }

    pub fn listen() -> String {
        "127.0.0.1:8080".into()
    }

    pub fn retention_days() -> u32 {
        30
    }
    pub fn languages() -> Vec<String> {
        crate::LANGUAGES.iter().map(|code| (*code).to_owned()).collect()
    }
    pub fn idle_seconds() -> u32 {
        60
    }
    pub fn debounce_ms() -> u32 {
        30
    }
    pub fn pin_digits() -> u8 {
        4
    }
    pub fn lock_after() -> u32 {
        10
    }
    pub fn keep() -> u32 {
        14
    }
    pub fn every_hours() -> u32 {
        24
    }
}
