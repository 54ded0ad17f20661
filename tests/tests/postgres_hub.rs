//! The real `kiosk` binary with the hub's data on a PostgreSQL server (`--database`), as kiosks of a network run:
//! the README's flow, two kiosks sharing one hub, processes racing for one room, and a move from one engine to the
//! other and back, byte for byte. Needs the test server `tests/run` starts.

use std::process::Stdio;

use end_to_end::TestHub;

#[test]
fn two_kiosks_share_one_hub_on_the_server() {
    let front = TestHub::on_postgres("2027-01-05 09:30");
    front.ok(&["room", "add", "Workshop", "--capacity", "16", "--buffer", "15"]);
    front.ok(&["person", "add", "Ada Lovelace", "--role", "member"]);
    let booked =
        front.ok(&["book", "--room", "Workshop", "--start", "10:00", "--duration", "1h", "--by", "Ada Lovelace"]);
    assert!(booked.stdout.contains("(booking #1)"), "{}", booked.stdout);
    let payload =
        front.json(&["pass", "issue", "Ada Lovelace", "--kind", "member"])["payload"].as_str().unwrap().to_owned();

    // The side door's kiosk has its own data folder (the hub's pass key copied in) and the same database.
    let side = front.second_kiosk();
    let welcome = side.ok(&["scan", &payload]).stdout;
    assert!(welcome.starts_with("Welcome, Ada! You are checked in."), "{welcome}");
    assert!(welcome.contains("10:00–11:00 Workshop"), "{welcome}");
    let roll_call = front.ok(&["roll-call"]).stdout;
    assert!(roll_call.contains("1 people on site") && roll_call.contains("Ada Lovelace"), "{roll_call}");
    // The front door knows she has just come in at the side (a second scan within minutes is not a check-out).
    let again = front.ok(&["scan", &payload]).stdout;
    assert!(again.starts_with("You are already checked in, Ada."), "{again}");

    // A refusal reads the same as on one kiosk's own file.
    let clash = side.run(&["book", "--room", "Workshop", "--start", "11:05", "--end", "12:00"]);
    assert_eq!(clash.code, 1, "{clash:?}");
    assert!(clash.stdout.contains("needs 15 minutes free between bookings"), "{}", clash.stdout);
}

#[test]
fn exactly_one_kiosk_process_per_site_books_a_contested_room_on_the_server() {
    let hub = TestHub::on_postgres("2027-01-04 08:00");
    hub.ok(&["room", "add", "Studio", "--capacity", "6", "--buffer", "10"]);
    // Ten processes, as the kiosks of two sites that each have a room of that name: one booking per site.
    let cardiff = hub.new_site("cardiff", "Cardiff Bay Hub");
    cardiff.ok(&["room", "add", "Studio", "--capacity", "4", "--buffer", "10"]);
    let racers: Vec<_> = (0..10)
        .map(|racer| {
            let kiosk = if racer % 2 == 0 { &hub } else { &cardiff };
            kiosk
                .command(&[
                    "book",
                    "--room",
                    "Studio",
                    "--start",
                    "2027-01-05 10:00",
                    "--end",
                    "11:00",
                    "--title",
                    "Race",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("kiosk starts")
        })
        .collect();
    let results: Vec<(i32, String, String)> = racers
        .into_iter()
        .map(|racer| {
            let output = racer.wait_with_output().expect("kiosk finishes");
            let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
            (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
        })
        .collect();
    let winners = results.iter().filter(|(code, ..)| *code == 0).count();
    let refused: Vec<_> = results.iter().filter(|(code, ..)| *code == 1).collect();
    assert_eq!((winners, refused.len()), (2, 8), "{results:?}");
    for (_, stdout, _) in refused {
        assert!(stdout.starts_with("That time is already booked (10:00\u{2060}–\u{2060}11:00)"), "{stdout}");
    }
    let week: serde_json::Value = serde_json::from_str(&hub.ok(&["export"]).stdout).unwrap();
    let active: Vec<i64> = (week["tables"]["bookings"].as_array().unwrap().iter())
        .filter(|row| row["status"] == "confirmed")
        .map(|row| row["room_id"].as_i64().unwrap())
        .collect();
    assert_eq!(active.len(), 2, "{active:?}");
    assert_ne!(active[0], active[1], "one in each site's Studio");
}

#[test]
fn a_hub_moves_from_its_file_onto_the_server_and_back_byte_for_byte() {
    let pi = TestHub::new("2027-01-05 11:00");
    pi.ok(&["demo"]);
    let first = pi.dir.path().join("first.json");
    pi.ok(&["export", "--out", first.to_str().unwrap()]);

    let server = TestHub {
        dir: tempfile::tempdir().unwrap(),
        now: pi.now.clone(),
        server: Some(end_to_end::postgres_schema()),
        site: None,
    };
    server.ok(&["import", first.to_str().unwrap()]);
    let second = server.dir.path().join("second.json");
    server.ok(&["export", "--out", second.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&first).unwrap(), std::fs::read_to_string(&second).unwrap());
    assert_eq!(server.ok(&["availability"]).stdout, pi.ok(&["availability"]).stdout);

    let back = TestHub { dir: tempfile::tempdir().unwrap(), now: pi.now.clone(), server: None, site: None };
    back.ok(&["import", second.to_str().unwrap()]);
    let third = back.dir.path().join("third.json");
    back.ok(&["export", "--out", third.to_str().unwrap()]);
    assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&third).unwrap());
}

/// A network of two hubs in one database: each kiosk process sees its own site's rooms and roll-call, a member's
/// pass works at both unless limited to one, a visitor's day pass and a staff PIN at their own site only.
#[test]
fn two_kiosks_at_two_sites_of_one_network_keep_their_own_rooms_roll_calls_and_staff() {
    let riverside = TestHub::on_postgres("2027-01-05 09:30");
    let cardiff = riverside.new_site("cardiff", "Cardiff Bay Hub");
    let sites = cardiff.ok(&["site", "list"]).stdout;
    assert!(sites.contains("main") && sites.contains("Cardiff Bay Hub (Europe/London)  (this kiosk)"), "{sites}");
    riverside.ok(&["room", "add", "Meeting room", "--capacity", "8"]);
    cardiff.ok(&["room", "add", "Meeting room", "--capacity", "4"]);
    let rooms = cardiff.json(&["room", "list"]);
    assert_eq!(rooms.as_array().map(Vec::len), Some(1), "{rooms}");
    assert_eq!(rooms[0]["capacity"], 4);

    riverside.ok(&["person", "add", "Ada Lovelace", "--role", "member"]);
    let card =
        riverside.json(&["pass", "issue", "Ada Lovelace", "--kind", "member"])["payload"].as_str().unwrap().to_owned();
    let visitor = riverside.json(&["walk-in", "Bea Visitor", "--agree"]);
    let day_pass = visitor["pass"]["payload"].as_str().unwrap().to_owned();
    assert!(riverside.ok(&["scan", &card]).stdout.starts_with("Welcome, Ada!"));

    // Ada crosses town without scanning out: Cardiff checks her in, Riverside's roll-call lets her go.
    let later = TestHub { now: "2027-01-05 11:00".into(), ..cardiff.second_kiosk() };
    assert!(later.ok(&["scan", &card]).stdout.starts_with("Welcome, Ada!"));
    let cardiff_roll = later.ok(&["roll-call"]).stdout;
    assert!(cardiff_roll.contains("1 people on site") && cardiff_roll.contains("Ada Lovelace"), "{cardiff_roll}");
    let riverside_roll = riverside.ok(&["roll-call"]).stdout;
    assert!(riverside_roll.contains("Bea Visitor") && !riverside_roll.contains("Ada"), "{riverside_roll}");
    let refused = later.run(&["scan", &day_pass]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stdout.contains("This pass is for Test Hub, not this hub."), "{}", refused.stdout);
    // A member's pass limited to the site that issued it, likewise.
    riverside.ok(&["person", "add", "Cy Local", "--role", "member"]);
    let local = riverside.ok(&["pass", "issue", "Cy Local", "--only-here"]).stdout;
    assert!(local.contains("at this hub only"), "{local}");
    let local = local.split_whitespace().find(|word| word.starts_with("HK")).unwrap();
    let refused = later.run(&["scan", local]);
    assert!(refused.stdout.contains("This pass is for Test Hub, not this hub."), "{}", refused.stdout);
    assert!(riverside.ok(&["scan", local]).stdout.starts_with("Welcome, Cy!"));

    // Staff PINs are per site until made network staff.
    assert_eq!(riverside.run_with_input(&["staff", "add", "Sam"], "4821\n").code, 0);
    let elsewhere = cardiff.run_with_input(&["staff", "pin-check", "Sam"], "4821\n");
    assert_ne!(elsewhere.code, 0, "{elsewhere:?}");
    assert!(elsewhere.stderr.contains("Sam's PIN is for Test Hub, not this site"), "{}", elsewhere.stderr);
    riverside.ok(&["staff", "network", "Sam"]);
    assert_eq!(cardiff.run_with_input(&["staff", "pin-check", "Sam"], "4821\n").code, 0);

    // A kiosk naming a site the database does not hold is refused before it does anything.
    let lost = TestHub { site: Some("swansea".into()), ..riverside.second_kiosk() };
    let refused = lost.run(&["roll-call"]);
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("no site \"swansea\""), "{}", refused.stderr);
}
