//! The hub's data leaves and comes back intact: export the demo hub, import it into an empty data folder with the
//! real binary, export again, and compare byte for byte.

use end_to_end::TestHub;

#[test]
fn export_import_export_gives_the_same_document() {
    let hub = TestHub::new("2027-01-05 11:00");
    hub.ok(&["demo"]);
    let first = hub.dir.path().join("first.json");
    hub.ok(&["export", "--out", first.to_str().unwrap()]);

    let copy = TestHub { dir: tempfile::tempdir().unwrap(), now: hub.now.clone() };
    let imported = copy.ok(&["import", first.to_str().unwrap()]);
    assert!(imported.stdout.starts_with("Imported "), "{}", imported.stdout);
    let second = copy.dir.path().join("second.json");
    copy.ok(&["export", "--out", second.to_str().unwrap()]);
    assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&second).unwrap());

    // The copy is a working hub, not just rows: its availability matches the original's.
    assert_eq!(copy.ok(&["availability"]).stdout, hub.ok(&["availability"]).stdout);
}

#[test]
fn a_damaged_export_is_refused_and_the_folder_stays_empty() {
    let hub = TestHub::new("2027-01-05 11:00");
    hub.ok(&["demo"]);
    let text = hub.ok(&["export"]).stdout;
    let mut document: serde_json::Value = serde_json::from_str(&text).unwrap();
    document["tables"]["people"][2]["display_name"] = serde_json::Value::Null;
    let damaged = hub.dir.path().join("damaged.json");
    std::fs::write(&damaged, document.to_string()).unwrap();

    let empty = TestHub { dir: tempfile::tempdir().unwrap(), now: hub.now.clone() };
    let refused = empty.run(&["import", damaged.to_str().unwrap()]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("people[2]: NOT NULL constraint failed: people.display_name"),
        "{}",
        refused.stderr
    );
    assert_eq!(empty.run(&["availability"]).code, 2, "nothing was imported");
}
