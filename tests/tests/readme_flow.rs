//! The flow a new user follows from the README: set up, add rooms, look at free time, issue a pass, scan it.
//! The QR image is read back by an independent decoder (rqrr) and the kiosk accepts what it decodes.

use end_to_end::TestHub;

fn decode_qr(path: &str) -> (String, usize) {
    let image = image::open(path).expect("QR PNG opens").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in {path}");
    let (meta, content) = grids[0].decode().expect("QR decodes");
    (content, meta.version.0)
}

#[test]
fn init_rooms_availability_pass_and_scan() {
    let hub = TestHub::new("2027-01-05 09:30");
    hub.ok(&["room", "add", "Workshop", "--capacity", "16", "--feature", "projector", "--buffer", "15"]);
    hub.ok(&["person", "add", "Ada Lovelace", "--role", "member"]);
    hub.ok(&[
        "book",
        "--room",
        "Workshop",
        "--start",
        "10:00",
        "--duration",
        "1h",
        "--title",
        "Robotics",
        "--by",
        "Ada Lovelace",
    ]);

    let availability = hub.ok(&["availability"]).stdout;
    assert!(availability.contains("Workshop"), "{availability}");
    assert!(availability.contains("09:30–09:45, 11:15–18:00"), "{availability}");

    let issued = hub.json(&["pass", "issue", "Ada Lovelace", "--kind", "member"]);
    let payload = issued["payload"].as_str().unwrap().to_owned();
    let (decoded, version) = decode_qr(issued["png"].as_str().unwrap());
    assert_eq!(decoded, payload);
    assert!(version <= 4, "QR version {version} is larger than 4");
    assert!(std::fs::read_to_string(issued["svg"].as_str().unwrap()).unwrap().starts_with("<?xml"));

    let welcome = hub.ok(&["scan", &decoded]).stdout;
    assert!(welcome.starts_with("Welcome, Ada! You are checked in."), "{welcome}");
    assert!(welcome.contains("10:00–11:00 Workshop: Robotics"), "{welcome}");
    let roll_call = hub.ok(&["roll-call"]).stdout;
    assert!(roll_call.contains("1 people on site") && roll_call.contains("Ada Lovelace"), "{roll_call}");
}

#[test]
fn refusals_and_bad_input_have_their_exit_codes() {
    let hub = TestHub::new("2027-01-05 09:30");
    hub.ok(&["room", "add", "Studio", "--capacity", "6"]);
    hub.ok(&["book", "--room", "Studio", "--start", "14:00", "--end", "15:00"]);

    let conflict = hub.run(&["book", "--room", "Studio", "--start", "14:30", "--end", "15:30"]);
    assert_eq!(conflict.code, 1);
    assert_eq!(
        conflict.stdout.trim(),
        "That time is already booked (14:00\u{2060}–\u{2060}15:00). Please choose another time."
    );
    let in_welsh = hub
        .command(&["book", "--room", "Studio", "--start", "14:30", "--end", "15:30"])
        .env("LANG", "cy_GB.UTF-8")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&in_welsh.stdout).trim(),
        "Mae'r amser yna wedi'i archebu'n barod (14:00\u{2060}–\u{2060}15:00). Dewiswch amser arall.",
        "the locale's language, from the refusals' catalogue"
    );
    let as_json = hub.run(&["--json", "book", "--room", "Studio", "--start", "14:30", "--end", "15:30"]);
    let as_json: serde_json::Value = serde_json::from_str(&as_json.stdout).unwrap();
    assert_eq!(
        (as_json["code"].as_str(), as_json["refused"].as_str()),
        (Some("conflict"), Some(conflict.stdout.trim()))
    );

    let unknown_room = hub.run(&["book", "--room", "Studio 9", "--start", "14:30", "--end", "15:30"]);
    assert_eq!(unknown_room.code, 2);
    assert!(
        unknown_room.stderr.contains("unknown room \"Studio 9\"; the rooms are: Studio"),
        "{}",
        unknown_room.stderr
    );

    let bad_time = hub.run(&["book", "--room", "Studio", "--start", "half past two", "--end", "15:30"]);
    assert_eq!(bad_time.code, 2);
    assert!(bad_time.stderr.contains("is not a date and time"), "{}", bad_time.stderr);

    let gap = hub.run(&["book", "--room", "Studio", "--start", "2027-03-28 01:30", "--duration", "1h"]);
    assert_eq!(gap.code, 2);
    assert!(gap.stderr.contains("does not exist in Europe/London"), "{}", gap.stderr);

    for scanned in ["", "hello", "HK' OR 1=1 --", "😀", &"A".repeat(5000)] {
        let run = hub.run(&["scan", scanned]);
        assert_eq!(run.code, 1, "scan {scanned:?}: {}", run.stderr);
        assert!(run.stdout.contains("ask at the desk"), "{}", run.stdout);
    }
    let visits: i64 = hub.database().query_row("SELECT count(*) FROM visits", [], |row| row.get(0)).unwrap();
    assert_eq!(visits, 0);
}

#[test]
fn weekly_bookings_keep_local_time_across_the_clock_change() {
    let hub = TestHub::new("2027-03-01 09:00");
    hub.ok(&["room", "add", "Workshop", "--capacity", "16"]);
    let series = hub.json(&[
        "book",
        "--room",
        "Workshop",
        "--start",
        "2027-03-23 10:00",
        "--duration",
        "1h",
        "--repeat",
        "weekly",
        "--until",
        "2027-04-06",
        "--title",
        "Code Club",
    ]);
    let starts: Vec<&str> =
        series["bookings"].as_array().unwrap().iter().map(|b| b["slot"]["start"].as_str().unwrap()).collect();
    assert_eq!(starts, ["2027-03-23T10:00:00Z", "2027-03-30T09:00:00Z", "2027-04-06T09:00:00Z"]);
}

#[test]
fn staff_pin_lockout_needs_another_staff_member() {
    let hub = TestHub::new("2027-01-05 09:30");
    assert_eq!(hub.run_with_input(&["staff", "add", "Sam"], "4821\n").code, 0);
    assert_eq!(hub.run_with_input(&["staff", "add", "Kim"], "9034\n").code, 0);
    assert_eq!(hub.run_with_input(&["staff", "pin-check", "Sam"], "4821\n").code, 0);
    let wrong = hub.run_with_input(&["staff", "pin-check", "Sam"], "1111\n");
    assert_eq!(wrong.code, 1);
    assert!(wrong.stdout.contains("9 more tries"), "{}", wrong.stdout);
    let bad = hub.run_with_input(&["staff", "pin-check", "Sam"], "12ab\n");
    assert_eq!(bad.code, 2);
}
