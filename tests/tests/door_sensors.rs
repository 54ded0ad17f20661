//! Door sensors from the command line: a rehearsal script replayed through the real monitor, and honest refusals
//! on a machine without GPIO (as CI is).

use std::process::Command;

use end_to_end::{Run, TestHub, finish, kiosk_binary};

fn run_with_config(hub: &TestHub, config: &str, args: &[&str]) -> Run {
    let path = hub.dir.path().join("kiosk.toml");
    std::fs::write(&path, config).unwrap();
    let output = Command::new(kiosk_binary())
        .arg("--config")
        .arg(&path)
        .arg("--data")
        .arg(hub.dir.path())
        .args(args)
        .output()
        .unwrap();
    finish(output)
}

const CONFIG: &str = r#"
[site]
name = "Test Hub"
time_zone = "Europe/London"
safe_capacity = 40

[gpio]
sensors_required = true

[[sensors]]
kind = "door"
name = "Back door"
pin = 22
held_open_seconds = 60

[[sensors]]
kind = "beam_pair"
name = "Back door counter"
pins = [5, 6]
debounce_ms = 5
"#;

#[test]
fn a_script_is_replayed_with_debounce_counting_and_alerts() {
    let hub = TestHub::new("2027-01-05 11:00");
    let script = hub.dir.path().join("wiring-test.txt");
    std::fs::write(
        &script,
        "# the door bounces open, two people come in close together, one steps back, one leaves\n\
         0 22 high\n0.003 22 low\n0.006 22 high\n\
         1.0 5 high\n1.2 6 high\n1.4 5 low\n1.5 5 high\n1.6 6 low\n1.8 6 high\n2.0 5 low\n2.2 6 low\n\
         5 5 high\n5.3 5 low\n\
         8 6 high\n8.2 5 high\n8.4 6 low\n8.6 5 low\n\
         70 22 low\n",
    )
    .unwrap();
    let run = run_with_config(&hub, CONFIG, &["sensors", "simulate", script.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().map(str::trim).collect();
    assert_eq!(
        lines,
        [
            "0.0s  Back door  opened",
            "2.2s  Back door counter  entered",
            "2.2s  Back door counter  entered",
            "8.6s  Back door counter  left",
            "60.0s  Back door  alert: Back door has been open for 1 minute",
            "70.0s  Back door  closed",
            "At the end: 2 in, 1 out, about 1 inside; Back door closed.",
        ]
    );
    // A rehearsal stores nothing.
    let stored: i64 = hub.database().query_row("SELECT count(*) FROM door_events", [], |row| row.get(0)).unwrap();
    assert_eq!(stored, 0);

    std::fs::write(&script, "1 22 open\n").unwrap();
    let bad = run_with_config(&hub, CONFIG, &["sensors", "simulate", script.to_str().unwrap()]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("line 1: \"open\" is not high or low"), "{}", bad.stderr);
}

#[test]
fn without_gpio_the_kiosk_says_so_plainly() {
    let hub = TestHub::new("2027-01-05 11:00");
    let watch = run_with_config(&hub, CONFIG, &["sensors", "watch"]);
    assert_eq!(watch.code, 1, "{}{}", watch.stdout, watch.stderr);
    assert_eq!(
        watch.stdout.trim(),
        "The sensors cannot be read: this is not a Raspberry Pi, so there is no GPIO to read."
    );
    // Sensors marked required: the kiosk refuses to start, before any window opens, and says why.
    let run = run_with_config(&hub, CONFIG, &["run"]);
    assert_eq!(run.code, 3);
    assert!(
        run.stderr.contains(
            "the door sensors are required (gpio.sensors_required) but cannot be read: this is not a Raspberry Pi"
        ),
        "{}",
        run.stderr
    );
}
