//! Moving in from a spreadsheet: `kiosk person import` reads a CSV as LibreOffice and Excel save it in a European
//! locale, reports every line, keeps nothing on a dry run or an unreadable file, and prints new members' passes on
//! sheets whose codes an independent decoder (rqrr) reads and the kiosk accepts.

use end_to_end::TestHub;

/// A member list saved by a spreadsheet set to a Polish locale: a byte order mark, semicolons, quoted fields with
/// semicolons and doubled quotes in them, Windows line ends, first and last names apart, an extra column.
const MEMBERS: &str = "\u{feff}First name;Last name;E-mail;Role;Notes\r\n\
    Siân;O'Brien;sian@example.org;member;\"likes; semicolons\"\r\n\
    Łukasz;Żółć;;host;\r\n\
    Ana;\"Núñez \"\"Nana\"\"\";ana@example.org;;\r\n\
    ;;;member;no name\r\n\
    Siân;O'Brien;SIAN@example.org;member;again\r\n\
    Grace;Hopper;;boss;\r\n\
    Ada;Lovelace;ada@example.org;Member;\r\n";

fn write(hub: &TestHub, name: &str, bytes: &[u8]) -> String {
    let path = hub.dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

fn people(hub: &TestHub) -> i64 {
    hub.database().query_row("SELECT count(*) FROM people", [], |row| row.get(0)).unwrap()
}

#[test]
fn a_european_spreadsheet_is_reported_line_by_line_and_new_members_get_printable_passes() {
    let hub = TestHub::new("2027-01-05 11:00");
    hub.ok(&["person", "add", "Ada Lovelace", "--role", "visitor"]);
    let file = write(&hub, "members.csv", MEMBERS.as_bytes());

    let dry = hub.ok(&["person", "import", &file, "--dry-run"]).stdout;
    assert!(dry.contains("A dry run: nothing was kept."), "{dry}");
    assert_eq!(people(&hub), 1, "a dry run keeps nothing");

    let report = hub.json(&["person", "import", &file]);
    let rows = report["rows"].as_array().unwrap();
    let outcome = |line: u64| {
        let row = rows.iter().find(|row| row["line"] == line).unwrap_or_else(|| panic!("line {line} in {report}"));
        (row["name"].as_str().unwrap().to_owned(), row["outcome"].as_str().unwrap().to_owned())
    };
    assert_eq!(outcome(2), ("Siân O'Brien".into(), "added".into()));
    assert_eq!(outcome(3), ("Łukasz Żółć".into(), "added".into()));
    assert_eq!(outcome(4), ("Ana Núñez \"Nana\"".into(), "added".into()));
    assert_eq!(outcome(5).1, "refused");
    assert_eq!(outcome(6).1, "duplicate");
    assert_eq!(outcome(7).1, "refused");
    assert_eq!(outcome(8), ("Ada Lovelace".into(), "updated".into()));
    let boss = rows.iter().find(|row| row["line"] == 7).unwrap();
    assert_eq!(boss["code"], "unknown_role");
    assert_eq!(boss["reason"], "“boss” is not a role here: write member, visitor or host, or leave it empty.");
    assert_eq!(people(&hub), 4);

    // Siân and Ana are new members (Łukasz is a host): one sheet with their two codes.
    let sheets = report["sheets"].as_array().unwrap();
    assert_eq!(sheets.len(), 1);
    let page = image::open(sheets[0].as_str().unwrap()).unwrap().to_luma8();
    assert_eq!(page.dimensions(), (1240, 1754), "A4 at 150 dpi");
    for (card, name) in [(0, "Siân O'Brien"), (1, "Ana Núñez \"Nana\"")] {
        let cut = image::imageops::crop_imm(&page, 60 + card * 373, 60, 373, 408).to_image();
        let mut prepared = rqrr::PreparedImage::prepare(cut);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "one code on card {card}");
        let payload = grids[0].decode().unwrap().1;
        let scan = hub.ok(&["scan", &payload]).stdout;
        let first = name.split(' ').next().unwrap();
        assert!(scan.contains(first), "the pass on card {card} checks {name} in: {scan}");
    }

    // The same file again: nobody is added twice.
    let again = hub.ok(&["person", "import", &file]).stdout;
    assert!(again.contains("0 added, 0 updated, 4 already here, 1 duplicate, 2 refused."), "{again}");
    assert_eq!(people(&hub), 4);
}

#[test]
fn a_file_the_kiosk_cannot_read_changes_nothing_and_says_which_line() {
    let hub = TestHub::new("2027-01-05 11:00");
    let latin1 = write(&hub, "latin1.csv", b"name,role\nAda,member\nSi\xe2n,member\n");
    let run = hub.run(&["person", "import", &latin1]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("line 3 is not UTF-8 text"), "{}", run.stderr);
    let no_names = write(&hub, "contacts.csv", b"email,phone\nada@example.org,0123\n");
    let run = hub.run(&["person", "import", &no_names]);
    assert!(run.code != 0 && run.stderr.contains("line 1 must name the columns"), "{}", run.stderr);
    assert_eq!(people(&hub), 0);
}

/// The busy times the kiosk keeps for a room, as UTC "YYYY-MM-DD HH:MM–HH:MM".
fn blocks(hub: &TestHub, room: &str) -> Vec<String> {
    let database = hub.database();
    let mut statement = database
        .prepare(
            "SELECT strftime('%Y-%m-%d %H:%M', b.start_utc, 'unixepoch') || '–' || strftime('%H:%M', b.end_utc, 'unixepoch')
             FROM external_blocks b JOIN rooms r ON r.id = b.room_id WHERE r.name = ?1 ORDER BY b.start_utc",
        )
        .unwrap();
    statement.query_map([room], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
}

/// Files as LibreBooking and MRBS write them (tests/moving-in/, following their export templates): docs/moving-in.md
/// says how to get them out, and this is what comes in.
#[test]
fn librebooking_and_mrbs_exports_move_in() {
    let hub = TestHub::new("2027-01-05 11:00");
    for room in ["Meeting Room 1", "Studio"] {
        hub.ok(&["room", "add", room, "--capacity", "12", "--advance-days", "180"]);
    }
    let sample = |name: &str| format!("{}/moving-in/{name}", env!("CARGO_MANIFEST_DIR"));

    // LibreBooking's subscription feed: one event per reservation in UTC, pending ones TENTATIVE (busy all the same).
    hub.ok(&["calendar", "import", &sample("librebooking-subscription.ics"), "--room", "Meeting Room 1"]);
    assert_eq!(
        blocks(&hub, "Meeting Room 1"),
        ["2027-01-12 10:00–11:30", "2027-01-19 14:00–16:00", "2027-01-26 18:00–20:00", "2027-02-02 18:00–20:00"]
    );

    // MRBS's report as iCalendar: a weekly series in London time across the clock change, one meeting moved an hour
    // later and one deleted (RECURRENCE-ID, STATUS:CANCELLED), and a single booking.
    let mrbs = hub.ok(&["calendar", "import", &sample("mrbs-report.ics"), "--room", "Studio"]).stdout;
    assert!(mrbs.contains("2 events, 9 busy times."), "{mrbs}");
    assert_eq!(
        blocks(&hub, "Studio"),
        [
            "2027-03-02 18:00–20:00",
            "2027-03-04 09:30–11:00",
            "2027-03-09 18:00–20:00",
            "2027-03-16 18:00–20:00",
            "2027-03-23 18:00–20:00",
            "2027-03-30 18:00–20:00",
            "2027-04-06 17:00–19:00",
            "2027-04-20 17:00–19:00",
            "2027-04-27 17:00–19:00",
        ]
    );

    // LibreBooking's user list (Admin → Users → Export): a blank line after every row, a trailing comma.
    let users = hub.json(&["person", "import", &sample("librebooking-users.csv")]);
    let added: Vec<&str> = users["rows"].as_array().unwrap().iter().map(|row| row["name"].as_str().unwrap()).collect();
    assert_eq!(added, ["Siân O'Brien", "Łukasz Żółć", "Ana Núñez"]);
}
