use std::path::Path;

use proptest::prelude::*;

use super::*;

const MINIMAL: &str = "[site]\nname = \"Riverside Hub\"\ntime_zone = \"Europe/London\"\nsafe_capacity = 60\n";

fn errors_of(text: &str) -> Vec<String> {
    match parse(text, Path::new("kiosk.toml")) {
        Ok(_) => Vec::new(),
        Err(ConfigError::Invalid { problems }) => problems.iter().map(ToString::to_string).collect(),
        Err(other) => vec![other.to_string()],
    }
}

/// The example with its commented-out sensors switched on, as an installer with all three fitted would.
fn example_with_sensors() -> String {
    let start = EXAMPLE.find("# [[sensors]]").unwrap();
    let end = EXAMPLE.find("\n\n# ── Staff").unwrap();
    let sensors: Vec<&str> = EXAMPLE[start..end]
        .lines()
        .map(|line| line.strip_prefix("# ").unwrap_or(line.trim_start_matches('#')))
        .collect();
    format!("{}{}{}", &EXAMPLE[..start], sensors.join("\n"), &EXAMPLE[end..])
}

#[test]
fn the_example_parses_and_validates_with_and_without_its_sensors() {
    let config = parse(EXAMPLE, Path::new("kiosk.example.toml")).unwrap();
    assert!(config.sensors.is_empty(), "a fresh install has no sensors switched on");
    assert_eq!(config.site.hours["sun"], "closed");
    let fitted = parse(&example_with_sensors(), Path::new("kiosk.example.toml")).unwrap();
    assert_eq!(fitted.sensors.len(), 3);
    assert_eq!(fitted.sensors[1].pins, Some(vec![23, 24]));
}

/// Every setting the example leaves commented out can be switched on by removing its "# " and the file stays
/// valid: no setting sits in the wrong section. A section that is commented out whole is switched on whole.
#[test]
fn each_commented_setting_can_be_switched_on_where_it_is() {
    let lines: Vec<&str> = EXAMPLE.lines().collect();
    fn setting(line: &str) -> Option<&str> {
        line.strip_prefix("# ").filter(|rest| !rest.starts_with('[') && toml::from_str::<toml::Table>(rest).is_ok())
    }
    let mut switched_on = 0;
    for (index, line) in lines.iter().enumerate() {
        let Some(uncommented) = setting(line) else { continue };
        let header = lines[..index].iter().rposition(|line| line.starts_with('[') || line.starts_with("# ["));
        let mut edited: Vec<&str> = lines.clone();
        match header.map(|header| (header, lines[header])) {
            Some((_, header)) if header.starts_with("# [[") => continue, // the sensors: example_with_sensors
            Some((header, text)) if text.starts_with("# [") => {
                edited[header] = &text[2..];
                let section = lines[header + 1..]
                    .iter()
                    .position(|line| line.starts_with('[') || line.starts_with("# ["))
                    .unwrap_or(lines.len());
                for other in header + 1..(header + 1 + section).min(lines.len()) {
                    edited[other] = setting(lines[other]).unwrap_or(lines[other]);
                }
            }
            _ => edited[index] = uncommented,
        }
        assert_eq!(errors_of(&edited.join("\n")), Vec::<String>::new(), "line {}: {uncommented}", index + 1);
        switched_on += 1;
    }
    assert!(switched_on >= 6, "data_dir, matrix, usb_id, device, dir and the server's: {switched_on}");
}

#[test]
fn a_minimal_file_gets_the_documented_defaults() {
    let config = parse(MINIMAL, Path::new("kiosk.toml")).unwrap();
    assert_eq!(config.site.retention_days, 30);
    assert_eq!(config.site.languages, ["en", "cy", "pl", "uk"]);
    assert_eq!((config.display.rotation, config.display.idle_seconds), (0, 60));
    assert_eq!((config.staff.pin_digits, config.staff.lock_after), (4, 10));
    assert_eq!((config.backups.keep, config.backups.every_hours), (14, 24));
    assert!(config.sensors.is_empty() && config.data_dir.is_none());
    assert!(config.server.is_none(), "no web server unless the file asks for one");
    let served = parse(&format!("{MINIMAL}\n[server]\n"), Path::new("kiosk.toml")).unwrap();
    assert_eq!(served.server.unwrap().address(), Some("127.0.0.1:8080".parse().unwrap()), "this machine only");
}

/// The usual ways an installer breaks the file, and exactly what they are told.
#[test]
fn each_usual_mistake_gets_its_message() {
    let sensor = |body: &str| format!("{MINIMAL}\n[[sensors]]\n{body}\n");
    let cases: Vec<(String, &str)> = vec![
        (
            MINIMAL.replace("Europe/London", "Europe/Londn"),
            "kiosk.toml:3:13: site.time_zone = \"Europe/Londn\" is not a known time zone: use a name like \
             \"Europe/London\" or \"America/New_York\"",
        ),
        (
            MINIMAL.replace("safe_capacity", "safe_capacty"),
            "kiosk.toml:4:1: unknown field `safe_capacty`, expected one of `name`, `time_zone`, `safe_capacity`, `retention_days`, `languages`, `hours`",
        ),
        (
            MINIMAL.replace("safe_capacity = 60", "safe_capacity = \"sixty\""),
            "kiosk.toml:4:17: invalid type: string \"sixty\", expected u32",
        ),
        ("[site]\nname = \"Hub\"\n".into(), "kiosk.toml:1:1: missing field `time_zone`"),
        (
            MINIMAL.replace("name = \"Riverside Hub\"", "name = \" \""),
            "kiosk.toml:2:8: site.name is empty: write the hub's name, e.g. name = \"Riverside Hub\"",
        ),
        (
            format!("{MINIMAL}\n[site.hours]\nsat = \"18:00-09:00\"\n"),
            "kiosk.toml:7:7: site.hours.sat = \"18:00-09:00\": the hub must open before it closes, e.g. \"09:00-18:00\"",
        ),
        (
            format!("{MINIMAL}\n[site.hours]\nsat = \"10 till 4\"\n"),
            "kiosk.toml:7:7: site.hours.sat = \"10 till 4\": write \"09:00-18:00\" or \"closed\"",
        ),
        (
            format!("{MINIMAL}\n[site.hours]\nsaturday = \"closed\"\n"),
            "kiosk.toml:7:12: site.hours.saturday: \"saturday\" is not a weekday; use mon, tue, wed, thu, fri, sat, sun",
        ),
        (
            MINIMAL.replace("safe_capacity = 60", "safe_capacity = 60\nlanguages = [\"en\", \"fr\"]"),
            "kiosk.toml:5:20: site.languages[1] = \"fr\": this kiosk speaks en, cy, pl, uk",
        ),
        (
            format!("{MINIMAL}\n[display]\nrotation = 45\n"),
            "kiosk.toml:7:12: display.rotation = 45: choose 0, 90, 180 or 270",
        ),
        (
            format!("{MINIMAL}\n[scanner]\ndevice = \"COM3\"\n"),
            "kiosk.toml:7:10: scanner.device = \"COM3\": write \"keyboard\" or the scanner's device, e.g. \"/dev/input/by-id/usb-…-event-kbd\" (ls /dev/input/by-id lists them)",
        ),
        (
            sensor("kind = \"door\"\nname = \"Back door\"\npin = 2"),
            "kiosk.toml:9:7: sensors[0].pin = 2: GPIO 2 is I²C SDA; choose a free GPIO such as 17 (header pin 11), 22 (header pin 15) or 27 (header pin 13)",
        ),
        (
            sensor(
                "kind = \"door\"\nname = \"Back door\"\npin = 17\n\n[[sensors]]\nkind = \"motion\"\nname = \"Studio\"\nroom = \"Studio\"\npin = 17",
            ),
            "kiosk.toml:15:7: sensors[1].pin = 17: GPIO 17 is already used by sensors[0] (\"Back door\"); choose a free GPIO such as 22 (header pin 15), 27 (header pin 13) or 23 (header pin 16)",
        ),
        (
            format!(
                "{MINIMAL}\n[gpio]\ninterfaces = [\"spi\"]\n\n[[sensors]]\nkind = \"door\"\nname = \"Side door\"\npin = 10"
            ),
            "kiosk.toml:12:7: sensors[0].pin = 10: GPIO 10 is SPI MOSI; choose a free GPIO such as 17 (header pin 11), 22 (header pin 15) or 27 (header pin 13)",
        ),
        (
            sensor("kind = \"door\"\nname = \"Back door\"\npin = 40"),
            "kiosk.toml:9:7: sensors[0].pin = 40: there is no GPIO 40 on the header (GPIOs are 0 to 27); choose a free GPIO such as 17 (header pin 11), 22 (header pin 15) or 27 (header pin 13)",
        ),
        (
            sensor("kind = \"beam_pair\"\nname = \"Counter\"\npins = [23, 23]"),
            "kiosk.toml:9:8: sensors[0].pins = [23, 23]: the two beams need two different pins",
        ),
        (
            sensor("kind = \"beam_pair\"\nname = \"Counter\"\npin = 23"),
            "kiosk.toml:9:7: sensors[0].pin: a beam pair has two pins: write pins = [outside, inside]\n\
             kiosk.toml:6:1: sensors[0].pins is missing: a beam pair needs pins = [outside, inside]",
        ),
        (
            sensor("kind = \"motion\"\nname = \"Studio\"\npin = 27"),
            "kiosk.toml:6:1: sensors[0].room is missing: which room does the motion sensor watch?",
        ),
        (
            sensor("kind = \"reed\"\nname = \"Back door\"\npin = 17"),
            "kiosk.toml:7:8: sensors[0].kind = \"reed\": choose door, beam_pair, motion, exit_button",
        ),
        (
            sensor("kind = \"door\"\nname = \"Back door\"\npin = 17\npull = \"sideways\""),
            "kiosk.toml:10:8: sensors[0].pull = \"sideways\": choose \"up\", \"down\" or \"off\"",
        ),
        (
            format!("{MINIMAL}\n[staff]\npin_digits = 3\n"),
            "kiosk.toml:7:14: staff.pin_digits = 3: the shortest PIN must be from 4 to 8",
        ),
        (
            format!("{MINIMAL}\n[backups]\ndir = \"usb/backups\"\n"),
            "kiosk.toml:7:7: backups.dir = \"usb/backups\": write a full path, e.g. \"/media/usb/hub-backups\"",
        ),
        (
            format!("{MINIMAL}\n[server]\nlisten = \"8080\"\n"),
            "kiosk.toml:7:10: server.listen = \"8080\": write an address and port, e.g. \"0.0.0.0:8080\" (the hub's \
             network) or \"127.0.0.1:8080\" (this machine only)",
        ),
        (
            format!("{MINIMAL}\n[display]\noutput = \"HDMI 1\"\n"),
            "kiosk.toml:7:10: display.output = \"HDMI 1\": write the screen's connector as `ls /sys/class/drm` lists it \
             after \"card1-\", e.g. \"DSI-1\" or \"HDMI-A-1\"",
        ),
        (
            format!("{MINIMAL}\n[server]\npublic_url = \"hub.local\"\n"),
            "kiosk.toml:7:14: server.public_url = \"hub.local\": write the whole address people open, e.g. \
             \"http://hub.local:8080/\"",
        ),
        (
            format!("{MINIMAL}\n[server]\nlisten = \"127.0.0.1:8080\"\npublic_url = \"http://hub.local:8080/\"\n"),
            "kiosk.toml:8:14: server.public_url = \"http://hub.local:8080/\": phones cannot reach it while \
             server.listen = \"127.0.0.1:8080\" answers this machine only; listen on \"0.0.0.0:8080\"",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(errors_of(&text).join("\n"), expected, "for:\n{text}");
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = format!("{}\n[display]\nrotation = 45\nidle_seconds = 1\n", MINIMAL.replace("60", "0"));
    let errors = errors_of(&text);
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].starts_with("kiosk.toml:4:17: site.safe_capacity = 0"));
}

#[test]
fn brightness_follows_the_night_across_midnight() {
    let brightness = BrightnessConfig {
        day_percent: 100,
        night_percent: 30,
        night_from: "20:00".into(),
        night_until: "07:30".into(),
    };
    let at = |text| brightness.percent_at(chrono::NaiveTime::parse_from_str(text, "%H:%M").unwrap());
    assert_eq!((at("12:00"), at("20:00"), at("03:00"), at("07:30")), (100, 30, 30, 100));
}

#[test]
fn the_kiosk_block_replaces_itself_and_keeps_the_rest() {
    let block = format!("{BLOCK_BEGIN}\ndisable_splash=1\n{BLOCK_END}\n");
    let original = "# Pi settings\narm_boost=1\n";
    let once = with_block(original, &block);
    assert_eq!(once, format!("{original}\n{block}"));
    let newer = block.replace("disable_splash=1", "disable_splash=0");
    let twice = with_block(&format!("{once}[all]\n"), &newer);
    assert_eq!(twice, format!("{original}\n{newer}[all]\n"));
}

#[test]
fn mount_units_are_named_as_systemd_escape_names_them() {
    let name = |path: &str| render::mount_unit(Path::new(path));
    assert_eq!(name("/media/usb/hub-backups"), "media-usb-hub\\x2dbackups.mount");
    assert_eq!(name("/media/.hidden/my stick"), "media-.hidden-my\\x20stick.mount");
    assert_eq!(name("/.data"), "\\x2edata.mount");
    assert_eq!(name("/mnt/USB_1:x"), "mnt-USB_1:x.mount");
}

/// Rendered files compared with the reviewed copies in `tests/golden/`. After a deliberate change, run with
/// `UPDATE_GOLDEN=1` and review the diff.
#[test]
fn rendered_files_match_the_reviewed_golden_copies() {
    let portrait = example_with_sensors()
        .replace("rotation = 0", "rotation = 90")
        .replace("# output = \"DSI-1\"", "output = \"DSI-1\"")
        .replace("# usb_id = \"05e0:1200\"", "usb_id = \"05E0:1200\"")
        .replace("# dir = \"/media/usb/hub-backups\"", "dir = \"/media/usb/hub-backups\"");
    let configs = [
        ("landscape-no-sensors", MINIMAL.to_owned()),
        ("portrait-sensors", portrait),
        (
            "upside-down-spi",
            format!(
                "data_dir = \"/srv/hub-kiosk\"\n{MINIMAL}\n[display]\nrotation = 180\n\n[gpio]\ninterfaces = [\"spi\", \"one_wire\"]\n\n[[sensors]]\nkind = \"exit_button\"\nname = \"Exit\"\npin = 26\npull = \"off\"\n"
            ),
        ),
    ];
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for (name, text) in configs {
        let config = parse(&text, Path::new(DEFAULT_PATH)).unwrap_or_else(|error| panic!("{name}: {error}"));
        for file in render(&config, Path::new(DEFAULT_PATH)) {
            let leaf = Path::new(file.path).file_name().unwrap().to_string_lossy().into_owned();
            let path = golden.join(format!("{name}.{leaf}"));
            if std::env::var_os("UPDATE_GOLDEN").is_some() {
                std::fs::create_dir_all(&golden).unwrap();
                std::fs::write(&path, &file.contents).unwrap();
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
            assert_eq!(file.contents, expected, "{} differs from {}", file.path, path.display());
        }
    }
}

proptest! {
    /// Whatever bytes are in the file, the parser answers with a config or a message; it never panics.
    #[test]
    fn the_parser_never_panics(text in "\\PC*", noise in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = parse(&text, Path::new("kiosk.toml"));
        let mut damaged = EXAMPLE.as_bytes().to_vec();
        let at = noise.len() * 97 % damaged.len();
        damaged.splice(at..at, noise);
        let _ = parse(&String::from_utf8_lossy(&damaged), Path::new("kiosk.toml"));
    }
}

/// The header map in docs/sensor-wiring.md is written from [`pins::HEADER`] (`UPDATE_GOLDEN=1` rewrites it), so the
/// guide, the checks and their suggestions name the same pins.
#[test]
fn the_wiring_guide_has_the_header_map() {
    use pins::HeaderPin;
    let name = |position: usize| match pins::HEADER[position - 1] {
        HeaderPin::Power3v3 => "3.3 V power".to_owned(),
        HeaderPin::Power5v => "5 V power (never to a GPIO)".to_owned(),
        HeaderPin::Ground => "GND (ground)".to_owned(),
        HeaderPin::Gpio(gpio) if pins::SUGGESTED.contains(&gpio) => format!("**GPIO {gpio}**: free for sensors"),
        HeaderPin::Gpio(gpio) => match pins::role(gpio) {
            Some(role) => format!("GPIO {gpio}: {role}"),
            None => format!("GPIO {gpio}"),
        },
    };
    let mut table = String::from("| Left row: what it is | Pin | Pin | Right row: what it is |\n|---:|:-:|:-:|:---|\n");
    for row in 0..20 {
        let (left, right) = (2 * row + 1, 2 * row + 2);
        table += &format!("| {} | {left} | {right} | {} |\n", name(left), name(right));
    }
    let guide = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/sensor-wiring.md");
    let text = std::fs::read_to_string(&guide).unwrap();
    let (begin, end) = ("<!-- header map: made by firmware-config/src/tests.rs -->\n", "<!-- end of header map -->");
    let start = text.find(begin).expect("the guide has the header map") + begin.len();
    let stop = text[start..].find(end).expect("the header map ends") + start;
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&guide, format!("{}{table}{}", &text[..start], &text[stop..])).unwrap();
    } else {
        assert_eq!(&text[start..stop], table, "docs/sensor-wiring.md: run with UPDATE_GOLDEN=1 to rewrite the map");
    }
    assert_eq!(pins::header_pin(17), Some(11));
    assert_eq!(pins::header_pin(21), Some(40));
    let gpios = pins::HEADER.iter().filter(|pin| matches!(pin, HeaderPin::Gpio(_))).count();
    assert_eq!(gpios, usize::from(pins::MAX_PIN) + 1, "GPIO 0 to 27, each once");
}

#[test]
fn mail_settings_are_checked_in_plain_words() {
    let good = format!(
        "{MINIMAL}\n[notify.email]\nserver = \"smtp.example.org\"\nusername = \"kiosk@example.org\"\n\
         password_file = \"/etc/hub-kiosk/smtp-password\"\nfrom = \"Riverside Hub <kiosk@example.org>\"\n"
    );
    let config = parse(&good, Path::new("kiosk.toml")).unwrap();
    assert_eq!(config.notify.reminder_hours, 24, "a reminder the day before unless the file says otherwise");
    let email = config.notify.email.unwrap();
    assert_eq!((email.security.as_str(), email.port()), ("starttls", 587));

    let bad = format!(
        "{MINIMAL}\n[notify]\nreminder_hours = 500\n[notify.email]\nserver = \"smtp example\"\nsecurity = \"none\"\nusername = \"kiosk\"\n\
         password_file = \"smtp-password\"\nfrom = \"kiosk\"\n"
    );
    let errors = errors_of(&bad).join("\n");
    for expected in [
        "notify.email.server = \"smtp example\": write the mail server's name",
        "notify.email.security = \"none\": a login would be sent unencrypted",
        "notify.email.password_file = \"smtp-password\": write a full path",
        "notify.email.from = \"kiosk\": write who the messages come from",
        "notify.reminder_hours = 500: at most 168 (a week); 0 sends no reminders",
    ] {
        assert!(errors.contains(expected), "{expected} not in:\n{errors}");
    }
}

#[test]
fn webhooks_are_checked_in_plain_words() {
    let good = format!(
        "{MINIMAL}\n[[notify.webhook]]\nname = \"front-door\"\nurl = \"https://ntfy.sh/riverside\"\nformat = \"text\"\n\
         kinds = [\"visitor_arrived\"]\n\n[[notify.webhook]]\nname = \"automation\"\nurl = \"http://10.0.0.5/hub\"\n\
         secret_file = \"/etc/hub-kiosk/webhook-secret\"\n"
    );
    let config = parse(&good, Path::new("kiosk.toml")).unwrap();
    assert!(errors_of(&good).is_empty(), "{:?}", errors_of(&good));
    let webhooks = &config.notify.webhook;
    assert_eq!((webhooks.len(), webhooks[1].format.as_str(), webhooks[1].kinds.as_ref()), (2, "json", None));

    let bad = format!(
        "{MINIMAL}\n[[notify.webhook]]\nname = \"front door\"\nurl = \"ntfy.sh/x\"\nformat = \"xml\"\n\
         secret_file = \"secret\"\nkinds = [\"visitor_arived\"]\n\n[[notify.webhook]]\nname = \"a\"\nurl = \"https://a.example\"\n\n\
         [[notify.webhook]]\nname = \"a\"\nurl = \"https://b.example\"\n"
    );
    let errors = errors_of(&bad).join("\n");
    for expected in [
        "notify.webhook[0].name = \"front door\": write a short name of letters, digits and dashes",
        "notify.webhook[0].url = \"ntfy.sh/x\": write the whole address",
        "notify.webhook[0].format = \"xml\": choose \"json\" or \"text\"",
        "notify.webhook[0].secret_file = \"secret\": write a full path",
        "notify.webhook[0].kinds[0] = \"visitor_arived\": choose from visitor_arrived, booked",
        "notify.webhook[2].name = \"a\" is used twice",
    ] {
        assert!(errors.contains(expected), "{expected} not in:\n{errors}");
    }
}

#[test]
fn room_calendars_are_checked_in_plain_words() {
    let good = format!(
        "{MINIMAL}\n[[calendars]]\nurl = \"https://calendar.example.org/studio.ics\"\nroom = \"Studio\"\n\n\
         [[calendars]]\nurl = \"http://10.0.0.5/meeting-room.ics\"\nroom = \"Meeting Room 1\"\nrefresh_minutes = 60\n"
    );
    assert!(errors_of(&good).is_empty(), "{:?}", errors_of(&good));
    let config = parse(&good, Path::new("kiosk.toml")).unwrap();
    assert_eq!((config.calendars.len(), config.calendars[0].refresh_minutes), (2, 15), "every 15 minutes unless said");

    let bad = format!(
        "{MINIMAL}\n[[calendars]]\nurl = \"calendar.example.org/a.ics\"\nroom = \"\"\nrefresh_minutes = 1\n\n\
         [[calendars]]\nurl = \"https://b.example/b.ics\"\nroom = \"Studio\"\n\n\
         [[calendars]]\nurl = \"https://b.example/b.ics\"\nroom = \"Workshop\"\n"
    );
    let errors = errors_of(&bad).join("\n");
    for expected in [
        "calendars[0].url = \"calendar.example.org/a.ics\": write the calendar's whole address",
        "calendars[0].room = \"\": name the room",
        "calendars[0].refresh_minutes = 1: between 5 and 1440",
        "calendars[2].url = \"https://b.example/b.ics\" is listed twice",
    ] {
        assert!(errors.contains(expected), "{expected} not in:\n{errors}");
    }
}
