//! A new kiosk set up the way an installer would: take the example file, break it in the usual ways and read what
//! to fix, apply it (system files under a test root, the hub set up from [site]), and run the doctor here.

use std::process::Command;

use end_to_end::{Run, finish, kiosk_binary};

struct Device {
    dir: tempfile::TempDir,
}

impl Device {
    fn new() -> Device {
        Device { dir: tempfile::tempdir().unwrap() }
    }

    fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(kiosk_binary())
            .arg("--config")
            .arg(self.dir.path().join("kiosk.toml"))
            .arg("--data")
            .arg(self.dir.path().join("data"))
            .args(args)
            .output()
            .unwrap();
        finish(output)
    }

    fn write_config(&self, text: &str) {
        std::fs::write(self.dir.path().join("kiosk.toml"), text).unwrap();
    }
}

#[test]
fn the_example_is_broken_fixed_applied_and_checked() {
    let device = Device::new();
    let example = device.run(&["config", "example"]).stdout;
    assert!(example.contains("[site]") && example.contains("# [[sensors]]"));

    // The usual mistakes, all reported at once, each with its line and what to write.
    let broken = example
        .replace("time_zone = \"Europe/London\"", "time_zone = \"London\"")
        .replace("rotation = 0", "rotaton = 0")
        .replace(
            "# [[sensors]]\n# kind = \"door\"\n# name = \"Front door\"\n# pin = 17",
            "[[sensors]]\nkind = \"door\"\nname = \"Front door\"\npin = 3",
        );
    device.write_config(&broken);
    let refused = device.run(&["config", "check"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("unknown field `rotaton`"), "{}", refused.stderr);

    device.write_config(&broken.replace("rotaton", "rotation"));
    let refused = device.run(&["config", "check"]);
    assert!(refused.stderr.contains("site.time_zone = \"London\" is not a known time zone"), "{}", refused.stderr);
    assert!(refused.stderr.contains("sensors[0].pin = 3: GPIO 3 is I²C SCL; choose a free GPIO such as 17 (header pin 11), 22 (header pin 15) or 27 (header pin 13)"));
    assert_eq!(refused.stderr.matches("kiosk.toml:").count(), 2, "both problems at once:\n{}", refused.stderr);

    // Fixed and turned to portrait, it applies: files under the test root, and the hub set up from [site].
    let fixed = broken
        .replace("\"London\"", "\"Europe/London\"")
        .replace("pin = 3", "pin = 17")
        .replace("rotaton = 0", "rotation = 90");
    device.write_config(&fixed);
    assert!(device.run(&["config", "check"]).stdout.contains("is valid"));
    let root = device.dir.path().join("root");
    let applied = device.run(&["config", "apply", "--root", root.to_str().unwrap()]);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(applied.stdout.contains("set up the hub \"Riverside Community Tech Hub\""), "{}", applied.stdout);
    let unit = std::fs::read_to_string(root.join("etc/systemd/system/hub-kiosk.service")).unwrap();
    assert!(unit.contains("Environment=SLINT_KMS_ROTATION=90"));
    let rules = std::fs::read_to_string(root.join("etc/udev/rules.d/70-hub-kiosk.rules")).unwrap();
    assert!(rules.contains("LIBINPUT_CALIBRATION_MATRIX}=\"0 1 0 -1 0 1\""));
    assert!(std::fs::read_to_string(root.join("boot/firmware/config.txt")).unwrap().contains("gpio=17=ip,pu"));
    let site = device.run(&["site", "show"]).stdout;
    assert!(site.contains("Sat  10:00–17:00"), "opening hours from the file:\n{site}");

    // Applying again changes nothing; a changed setting shows as a diff and reaches the hub.
    let again = device.run(&["config", "apply", "--root", root.to_str().unwrap()]);
    assert!(again.stdout.contains("Everything was already up to date."), "{}", again.stdout);
    device.write_config(
        &fixed.replace("safe_capacity = 60", "safe_capacity = 45").replace("rotation = 90", "rotation = 0"),
    );
    let changed = device.run(&["config", "apply", "--root", root.to_str().unwrap()]);
    assert!(
        changed.stdout.contains("  - Environment=SLINT_KMS_ROTATION=90\n  + Environment=SLINT_KMS_ROTATION=0"),
        "{}",
        changed.stdout
    );
    assert!(changed.stdout.contains("hub safe capacity: 60 → 45"), "{}", changed.stdout);

    // A different time zone is refused: bookings are kept in the hub's zone.
    device.write_config(&fixed.replace("\"Europe/London\"", "\"Europe/Paris\""));
    let refused = device.run(&["config", "apply", "--root", root.to_str().unwrap()]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("a hub cannot change time zone"), "{}", refused.stderr);
}

#[test]
fn the_doctor_says_what_it_finds_on_this_machine() {
    let device = Device::new();
    device.write_config(&device.run(&["config", "example"]).stdout);
    let report = device.run(&["doctor"]);
    for topic in ["config", "data", "hub", "gpio", "scanner", "display", "clock", "disk", "backups"] {
        assert!(report.stdout.lines().any(|line| line[6..].starts_with(topic)), "no {topic} line:\n{}", report.stdout);
    }
    // Honest about failures: the exit code is 1 exactly when a line says FAIL (here, at least the missing hub is
    // only a warning, and a machine without a screen fails the display check).
    let failed = report.stdout.lines().any(|line| line.starts_with("FAIL"));
    assert_eq!(report.code, i32::from(failed), "{}", report.stdout);
    assert!(report.stdout.contains("warn  hub       no hub set up yet"), "{}", report.stdout);
}
