//! Events from the command line, with the real `kiosk` binary: planned in a room like any booking, registration by
//! name, by a known person and by pass, a waiting list promoted in order, attendance when a registered person
//! scans in, and calling it off with a reason.

use end_to_end::TestHub;

#[test]
fn a_meet_up_fills_waits_promotes_records_who_came_and_can_be_called_off() {
    let mut hub = TestHub::new("2027-01-05 09:00");
    hub.ok(&["room", "add", "Workshop", "--capacity", "16"]);
    hub.ok(&["person", "add", "Ada Lovelace", "--role", "member"]);
    let added = hub.ok(&[
        "event",
        "add",
        "--room",
        "Workshop",
        "--start",
        "10:00",
        "--duration",
        "2h",
        "--title",
        "Repair café",
        "--description",
        "Bring something broken",
        "--places",
        "2",
    ]);
    assert!(added.stdout.starts_with("Planned event #1 \"Repair café\" in Workshop"), "{}", added.stdout);
    let clash = hub.run(&["book", "--room", "Workshop", "--start", "11:00", "--duration", "1h"]);
    assert_eq!(clash.code, 1, "the event holds the room: {clash:?}");

    let ada = hub.json(&["event", "register", "1", "--person", "Ada Lovelace"]);
    let sam = hub.ok(&["event", "register", "1", "--name", "Sam Visitor"]).stdout;
    assert!(sam.contains("Their day pass: HK"), "a newcomer gets a day pass: {sam}");
    let full = hub.run(&["event", "register", "1", "--name", "Nia"]);
    assert_eq!(full.code, 1);
    assert!(full.stdout.starts_with("Every place at this event is taken. You can join its waiting list."));
    let waiting = hub.ok(&["event", "register", "1", "--name", "Nia", "--wait"]).stdout;
    assert!(waiting.contains("number 1 on the waiting list"), "{waiting}");
    let listed = hub.ok(&["event", "list"]).stdout;
    assert!(listed.contains("Repair café — Workshop") && listed.contains("0 of 2 places free, 1 waiting"), "{listed}");

    // Sam gives up their place: Nia moves up.
    let sam_place = hub.json(&["event", "attendees", "1"])[1]["place"].as_i64().unwrap().to_string();
    assert!(hub.ok(&["event", "leave", &sam_place]).stdout.contains("moved up from the waiting list"));
    // Ada scans in at the door just before it starts: she came.
    let pass = hub.json(&["pass", "issue", "Ada Lovelace"])["payload"].as_str().unwrap().to_owned();
    hub.now = "2027-01-05 09:45".into();
    let scanned = hub.ok(&["scan", &pass]).stdout;
    assert!(scanned.contains("Repair café (Workshop)"), "her day at the hub: {scanned}");
    let attendees = hub.ok(&["event", "attendees", "1"]).stdout;
    assert!(attendees.contains("Ada Lovelace: came") && attendees.contains("Nia: registered"), "{attendees}");
    assert!(!attendees.contains("Sam Visitor"), "{attendees}");
    assert_eq!(ada["waiting_position"], serde_json::Value::Null);

    let called_off = hub.ok(&["event", "cancel", "1", "--reason", "The host is ill"]).stdout;
    assert!(called_off.contains("places cancelled: 1"), "Nia's; Ada is here already: {called_off}");
    assert!(hub.ok(&["event", "list"]).stdout.contains("called off"));
    let rebook = hub.run(&["book", "--room", "Workshop", "--start", "11:00", "--duration", "1h"]);
    assert_eq!(rebook.code, 0, "the room is free again: {rebook:?}");
}

#[test]
fn a_weekly_event_is_planned_for_every_week_or_not_at_all() {
    let hub = TestHub::new("2027-01-05 09:00");
    hub.ok(&["room", "add", "Workshop", "--capacity", "16"]);
    let weekly = hub.ok(&[
        "event",
        "add",
        "--room",
        "Workshop",
        "--start",
        "2027-01-06 16:00",
        "--duration",
        "90m",
        "--title",
        "Code club",
        "--places",
        "12",
        "--repeat",
        "weekly",
        "--until",
        "2027-01-27",
    ]);
    assert!(weekly.stdout.starts_with("Planned \"Code club\" 4 times, 12 places each:"), "{}", weekly.stdout);
    let listed = hub.ok(&["event", "list", "--date", "2027-01-13"]).stdout;
    assert!(listed.contains("Code club — Workshop") && listed.contains("12 of 12 places free"), "{listed}");
    let clash = hub.run(&[
        "event",
        "add",
        "--room",
        "Workshop",
        "--start",
        "2027-01-20 16:30",
        "--duration",
        "1h",
        "--title",
        "Clash",
        "--places",
        "5",
        "--repeat",
        "weekly",
        "--until",
        "2027-02-03",
    ]);
    assert_eq!(clash.code, 1);
    assert!(clash.stdout.starts_with("Nothing was planned. On Wednesday 20 January 2027: That time is already booked"));
}
