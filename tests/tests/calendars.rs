//! Room calendars from outside, through the real binary: feeds written by an independent program (Python's
//! icalendar, tests/moving-in/make_feeds.py) become exactly the busy times an independent expander
//! (recurring-ical-events) finds, to the second, across 2027's clock changes in London and New York; a feed served
//! over HTTP keeps its last good copy through errors and garbage and leaves with its subscription; blocks over
//! bookings are reported; a bad file changes nothing and says which line.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};

use end_to_end::TestHub;

/// The hub's clock in these tests, and how far ahead its rooms can be booked: blocks are kept from a day before
/// now to a day beyond that.
const NOW: &str = "2027-01-01 12:00";
const ADVANCE_DAYS: i64 = 400;

/// icalendar's Python, as tests/run installs it.
fn python() -> PathBuf {
    let installed = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/tools/icalendar/bin/python"));
    assert!(installed.exists(), "{} is missing: run the tests with tests/run, which installs it", installed.display());
    installed
}

/// Writes the feeds into `dir` and returns what the independent expander found in each: (start, end, UID) in UTC
/// seconds.
fn make_feeds(dir: &std::path::Path) -> BTreeMap<String, Vec<(i64, i64, String)>> {
    let now = chrono::NaiveDateTime::parse_from_str(NOW, "%Y-%m-%d %H:%M").unwrap().and_utc(); // GMT in January
    let window = [now - chrono::Duration::days(1), now + chrono::Duration::days(ADVANCE_DAYS + 1)];
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/moving-in/make_feeds.py");
    let status = Command::new(python())
        .arg(script)
        .arg(dir)
        .args(window.map(|instant| instant.to_rfc3339()))
        .arg("Europe/London")
        .status()
        .expect("make_feeds.py runs");
    assert!(status.success());
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    expected
        .as_object()
        .unwrap()
        .iter()
        .map(|(feed, busy)| {
            let busy = busy
                .as_array()
                .unwrap()
                .iter()
                .map(|row| (row[0].as_i64().unwrap(), row[1].as_i64().unwrap(), row[2].as_str().unwrap().to_owned()))
                .collect();
            (feed.clone(), busy)
        })
        .collect()
}

fn hub_with_rooms(rooms: &[&str]) -> TestHub {
    let hub = TestHub::new(NOW);
    for room in rooms {
        hub.ok(&["room", "add", room, "--capacity", "10", "--advance-days", &ADVANCE_DAYS.to_string()]);
    }
    hub
}

/// The blocks the kiosk keeps for a room, as (start, end, UID).
fn blocks(hub: &TestHub, room: &str) -> Vec<(i64, i64, String)> {
    let database = hub.database();
    let mut statement = database
        .prepare(
            "SELECT b.start_utc, b.end_utc, b.uid FROM external_blocks b JOIN rooms r ON r.id = b.room_id
             WHERE r.name = ?1 ORDER BY b.start_utc, b.uid",
        )
        .unwrap();
    statement
        .query_map([room], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn every_block_is_what_an_independent_expander_finds_to_the_second() {
    let hub = hub_with_rooms(&["London Room", "New York Room", "Outlook Room"]);
    let expected = make_feeds(hub.dir.path());
    for (feed, room) in [("london", "London Room"), ("new-york", "New York Room"), ("outlook", "Outlook Room")] {
        let file = hub.dir.path().join(format!("{feed}.ics"));
        hub.ok(&["calendar", "import", file.to_str().unwrap(), "--room", room]);
        let mut want = expected[feed].clone();
        want.sort();
        assert!(want.len() > 60, "{feed}: a year of weekly and monthly events");
        let got = blocks(&hub, room);
        let only_kiosk: Vec<_> = got.iter().filter(|block| !want.contains(block)).collect();
        let only_expander: Vec<_> = want.iter().filter(|block| !got.contains(block)).collect();
        assert_eq!(got, want, "{feed}: only the kiosk's {only_kiosk:?}, only the expander's {only_expander:?}");
    }
    // The weekly club in London keeps 10:00 local: 10:00 UTC in winter, 09:00 UTC in summer.
    let london = blocks(&hub, "London Room");
    let club: Vec<i64> =
        london.iter().filter(|(_, _, uid)| uid == "tuesday-club").map(|b| b.0 % 86_400 / 3600).collect();
    assert!(club.contains(&10) && club.contains(&9) && club.contains(&13), "moved to 14:00 BST once: {club:?}");
}

#[test]
fn a_block_over_a_booking_is_reported_and_a_bad_file_changes_nothing() {
    let hub = hub_with_rooms(&["Studio"]);
    let booked =
        hub.json(&["book", "--room", "Studio", "--start", "2027-01-05 10:00", "--end", "11:00", "--title", "Podcast"]);
    let booking = booked["id"].as_i64().unwrap_or_else(|| panic!("{booked}"));
    let file = hub.dir.path().join("studio.ics");
    let write = |body: &str| {
        std::fs::write(&file, format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}END:VCALENDAR\r\n")).unwrap();
    };
    write(
        "BEGIN:VEVENT\r\nUID:board\r\nSUMMARY:Board meeting\r\nDTSTART;TZID=Europe/London:20270105T103000\r\n\
         DTEND;TZID=Europe/London:20270105T120000\r\nEND:VEVENT\r\n",
    );
    let imported = hub.ok(&["calendar", "import", file.to_str().unwrap(), "--room", "Studio"]).stdout;
    assert!(imported.contains("1 event, 1 busy time. One of them lands on a booking made here first"), "{imported}");
    assert!(imported.contains(&format!("lands on booking #{booking} “Podcast”")), "{imported}");
    let status = hub.ok(&["calendar", "status"]).stdout;
    assert!(status.contains("“Board meeting” Tue 5 Jan 10:30–12:00 lands on booking"), "{status}");

    // Nobody can book over the block now; the booking made first stays.
    let refused = hub.run(&["book", "--room", "Studio", "--start", "2027-01-05 11:00", "--end", "11:30"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stdout.contains("The room's calendar shows it in use then (10:30"), "{refused:?}");

    write("BEGIN:VEVENT\r\nUID:board\r\nDTSTART:20270105T103000\r\nDTEND:tomorrow\r\nEND:VEVENT\r\n");
    let bad = hub.run(&["calendar", "import", file.to_str().unwrap(), "--room", "Studio"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("was not imported, and nothing changed"), "{}", bad.stderr);
    assert!(bad.stderr.contains("line 6: “tomorrow” is not a date"), "{}", bad.stderr);
    assert_eq!(blocks(&hub, "Studio").len(), 1, "the last good copy's block stays");
}

/// A calendar server: answers every request with what `answer` holds now, and counts the requests that carried
/// the ETag it gave.
struct FeedServer {
    url: String,
    answer: Arc<Mutex<Vec<u8>>>,
    conditional: Arc<Mutex<u32>>,
}

impl FeedServer {
    fn start() -> FeedServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/studio.ics", listener.local_addr().unwrap());
        let answer = Arc::new(Mutex::new(Vec::new()));
        let conditional = Arc::new(Mutex::new(0));
        let (served, counted) = (answer.clone(), conditional.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                if String::from_utf8_lossy(&head).to_ascii_lowercase().contains("if-none-match: \"v1\"") {
                    *counted.lock().unwrap() += 1;
                }
                let answer = served.lock().unwrap().clone();
                stream.write_all(&answer).ok();
            }
        });
        FeedServer { url, answer, conditional }
    }

    fn answer(&self, status: &str, headers: &str, body: &str) {
        *self.answer.lock().unwrap() =
            format!("HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
                .into_bytes();
    }
}

#[test]
fn a_subscription_keeps_its_last_good_copy_and_leaves_with_its_blocks() {
    let hub = hub_with_rooms(&["Studio"]);
    let feeds = make_feeds(hub.dir.path());
    let feed = std::fs::read_to_string(hub.dir.path().join("london.ics")).unwrap();
    let server = FeedServer::start();
    let config = hub.dir.path().join("kiosk.toml");
    let configure = |calendars: &str| {
        let text = format!(
            "data_dir = \"{}\"\n[site]\nname = \"Test Hub\"\ntime_zone = \"Europe/London\"\nsafe_capacity = 40\n{calendars}",
            hub.dir.path().display()
        );
        std::fs::write(&config, text).unwrap();
    };
    configure(&format!("[[calendars]]\nurl = \"{}\"\nroom = \"Studio\"\nrefresh_minutes = 5\n", server.url));
    let refresh = || hub.ok(&["--config", config.to_str().unwrap(), "calendar", "refresh"]).stdout;
    let status = || hub.ok(&["calendar", "status"]).stdout;

    server.answer("200 OK", "ETag: \"v1\"\r\n", &feed);
    let first = refresh();
    assert!(first.contains("subscribed for Studio"), "{first}");
    assert!(first.contains(&format!("{} busy times", feeds["london"].len())), "{first}");
    assert_eq!(blocks(&hub, "Studio").len(), feeds["london"].len());

    server.answer("304 Not Modified", "", "");
    assert!(refresh().contains("busy times"));
    assert_eq!(*server.conditional.lock().unwrap(), 1, "the second fetch asked only for a change");

    server.answer("500 Internal Server Error", "", "");
    let failed = refresh();
    assert!(
        failed.contains(
            "not read (the server answered 500 Internal Server Error). The last good copy, read Fri 1 Jan 12:00, stays."
        ),
        "{failed}"
    );
    let after_error = status();
    assert!(after_error.contains("last read Fri 1 Jan 12:00"), "{after_error}");
    assert!(after_error.contains("failed: the server answered 500 Internal Server Error"), "{after_error}");

    server.answer("200 OK", "Content-Type: text/html\r\n", "<html><body>Please sign in</body></html>");
    let garbage = refresh();
    assert!(
        garbage.contains("not read (line 1: this is not an iCalendar file: it should start with BEGIN:VCALENDAR)"),
        "{garbage}"
    );
    assert_eq!(blocks(&hub, "Studio").len(), feeds["london"].len(), "the last good copy's blocks stay");

    configure("");
    let removed = refresh();
    assert!(removed.contains(&format!("calendar {}: removed, with its blocks", server.url)), "{removed}");
    assert!(blocks(&hub, "Studio").is_empty());
}
