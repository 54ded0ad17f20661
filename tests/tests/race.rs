//! Several OS processes — the real `kiosk` binary, each with its own SQLite connection — race for the same room
//! time and for the last seat of a surgery slot. Exactly one may win; every "booked" answer must be in the database.

use std::process::Stdio;

use end_to_end::TestHub;

const RACERS: usize = 8;

/// Starts every racer before waiting for any, so their transactions contend for the write lock.
fn race(hub: &TestHub, args: &[&str]) -> Vec<(i32, String)> {
    let children: Vec<_> = (0..RACERS)
        .map(|_| hub.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("kiosk starts"))
        .collect();
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().expect("kiosk finishes");
            (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned())
        })
        .collect()
}

#[test]
fn exactly_one_process_books_a_contested_room() {
    let hub = TestHub::new("2027-01-04 08:00");
    hub.ok(&["room", "add", "Studio", "--capacity", "6", "--buffer", "10"]);
    let results =
        race(&hub, &["book", "--room", "Studio", "--start", "2027-01-05 10:00", "--end", "11:00", "--title", "Race"]);

    let winners: Vec<_> = results.iter().filter(|(code, _)| *code == 0).collect();
    let refused: Vec<_> = results.iter().filter(|(code, _)| *code == 1).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert_eq!(refused.len(), RACERS - 1, "{results:?}");
    for (_, stdout) in &refused {
        assert!(stdout.starts_with("That time is already booked (10:00\u{2060}–\u{2060}11:00)"), "{stdout}");
    }
    let active: i64 = hub
        .database()
        .query_row("SELECT count(*) FROM bookings WHERE status = 'confirmed'", [], |row| row.get(0))
        .unwrap();
    assert_eq!(active, 1);
    // The winner's acknowledged booking is the one stored.
    assert!(winners[0].1.contains("(booking #1)"), "{}", winners[0].1);
}

#[test]
fn exactly_one_process_gets_the_last_seat() {
    let hub = TestHub::new("2027-01-04 08:00");
    hub.ok(&["person", "add", "Grace Host", "--role", "host"]);
    hub.ok(&[
        "surgery",
        "add",
        "--topic",
        "Benefits advice",
        "--host",
        "Grace Host",
        "--place",
        "Room 2",
        "--start",
        "2027-01-05 10:00",
        "--duration",
        "30m",
        "--slot",
        "30m",
        "--seats",
        "1",
    ]);
    let people: Vec<String> = (0..RACERS)
        .map(|index| {
            let person = hub.json(&["person", "add", &format!("Visitor {index}")]);
            format!("#{}", person["id"])
        })
        .collect();
    let children: Vec<_> = people
        .iter()
        .map(|person| {
            hub.command(&["surgery", "book", "1", "--person", person])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("kiosk starts")
        })
        .collect();
    let codes: Vec<i32> =
        children.into_iter().map(|child| child.wait_with_output().unwrap().status.code().unwrap_or(-1)).collect();
    assert_eq!(codes.iter().filter(|code| **code == 0).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|code| **code == 1).count(), RACERS - 1, "{codes:?}");
    let taken: i64 = hub
        .database()
        .query_row("SELECT count(*) FROM slot_seats WHERE status = 'booked'", [], |row| row.get(0))
        .unwrap();
    assert_eq!(taken, 1);
}

/// Many processes, many attempts, overlapping ranges: afterwards no two active bookings overlap, and every booking
/// a process was told it got is in the database, as it was told.
#[test]
fn many_processes_booking_overlapping_ranges_never_double_book() {
    const PROCESSES: u64 = 6;
    const ATTEMPTS: &str = "25";
    let hub = TestHub::new("2027-01-04 08:00");
    hub.ok(&["room", "add", "Studio", "--capacity", "6", "--buffer", "0"]);
    let children: Vec<_> = (0..PROCESSES)
        .map(|seed| {
            std::process::Command::new(env!("CARGO_BIN_EXE_race-worker"))
                .arg(hub.dir.path())
                .arg((seed * 7919 + 1).to_string())
                .arg(ATTEMPTS)
                .stdout(Stdio::piped())
                .spawn()
                .expect("a racer starts")
        })
        .collect();
    let mut told = Vec::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success());
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let fields: Vec<i64> = line.split_whitespace().skip(1).map(|field| field.parse().unwrap()).collect();
            told.push((fields[0], fields[1], fields[2]));
        }
    }
    assert!(told.len() >= 2, "some bookings went through: {told:?}");

    let db = hub.database();
    let overlaps: i64 = db
        .query_row(
            "SELECT count(*) FROM bookings a JOIN bookings b ON a.room_id = b.room_id AND a.id < b.id
             WHERE a.status IN ('confirmed', 'checked_in') AND b.status IN ('confirmed', 'checked_in')
               AND a.start_utc < b.end_utc AND b.start_utc < a.end_utc",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(overlaps, 0);
    for (id, start, end) in &told {
        let stored: (i64, i64, String) = db
            .query_row("SELECT start_utc, end_utc, status FROM bookings WHERE id = ?1", [id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .unwrap();
        assert_eq!(stored, (*start, *end, "confirmed".to_owned()), "booking #{id}");
    }
    let active: usize = db
        .query_row("SELECT count(*) FROM bookings WHERE status = 'confirmed'", [], |row| row.get::<_, i64>(0))
        .unwrap() as usize;
    assert_eq!(active, told.len(), "nothing was stored that nobody was told about");
}

#[test]
fn exactly_one_process_takes_the_last_place_at_an_event() {
    let hub = TestHub::new("2027-01-04 08:00");
    hub.ok(&["room", "add", "Workshop", "--capacity", "16"]);
    hub.ok(&[
        "event",
        "add",
        "--room",
        "Workshop",
        "--start",
        "2027-01-05 10:00",
        "--duration",
        "2h",
        "--title",
        "Repair café",
        "--places",
        "2",
    ]);
    hub.ok(&["event", "register", "1", "--name", "Early Bird"]);
    let results = race(&hub, &["event", "register", "1", "--name", "Racer"]);

    let winners: Vec<_> = results.iter().filter(|(code, _)| *code == 0).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (code, stdout) in results.iter().filter(|(code, _)| *code != 0) {
        assert_eq!(*code, 1, "{stdout}");
        assert!(stdout.starts_with("Every place at this event is taken."), "{stdout}");
    }
    let places: i64 = hub
        .database()
        .query_row("SELECT count(*) FROM event_places WHERE status = 'registered'", [], |row| row.get(0))
        .unwrap();
    assert_eq!(places, 2, "never more than the event holds");
}
