//! The hub's data leaves and comes back intact: export the demo hub, import it into an empty data folder with the
//! real binary, export again, and compare byte for byte.

use end_to_end::TestHub;

#[test]
fn export_import_export_gives_the_same_document() {
    let hub = TestHub::new("2027-01-05 11:00");
    hub.ok(&["demo"]);
    let first = hub.dir.path().join("first.json");
    hub.ok(&["export", "--out", first.to_str().unwrap()]);

    let copy = TestHub { dir: tempfile::tempdir().unwrap(), now: hub.now.clone(), server: None, site: None };
    let imported = copy.ok(&["import", first.to_str().unwrap()]);
    assert!(imported.stdout.starts_with("Imported "), "{}", imported.stdout);
    let second = copy.dir.path().join("second.json");
    copy.ok(&["export", "--out", second.to_str().unwrap()]);
    assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&second).unwrap());

    // The copy is a working hub, not just rows: its availability matches the original's, and its calendar feed is
    // the same file, UIDs included, so subscribed calendars do not see duplicates after a move.
    assert_eq!(copy.ok(&["availability"]).stdout, hub.ok(&["availability"]).stdout);
    assert_eq!(copy.ok(&["ics", "--all"]).stdout, hub.ok(&["ics", "--all"]).stdout);
}

#[test]
fn csv_export_reads_back_with_a_csv_parser() {
    let hub = TestHub::new("2027-01-05 11:00");
    hub.ok(&["demo"]);
    let folder = hub.dir.path().join("csv");
    hub.ok(&["export", "--format", "csv", "--out", folder.to_str().unwrap()]);
    let document: serde_json::Value = serde_json::from_str(&hub.ok(&["export"]).stdout).unwrap();
    for (table, rows) in document["tables"].as_object().unwrap() {
        let mut reader = csv::Reader::from_path(folder.join(format!("{table}.csv"))).unwrap();
        let headers = reader.headers().unwrap().clone();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), rows.as_array().unwrap().len(), "{table}");
        for (record, row) in records.iter().zip(rows.as_array().unwrap()) {
            for (column, cell) in headers.iter().zip(record.iter()) {
                let expected = match &row[column] {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                assert_eq!(cell, expected, "{table}.{column}");
            }
        }
    }
    assert_eq!(hub.run(&["export", "--format", "csv"]).code, 2, "CSV needs a folder");
}

#[test]
fn backup_then_restore_brings_back_the_data_and_refuses_a_bad_file() {
    let hub = TestHub::new("2027-01-05 11:00");
    hub.ok(&["demo"]);
    let before = hub.ok(&["roll-call"]).stdout;
    let backed_up = hub.ok(&["backup"]).stdout;
    assert!(backed_up.contains("checked OK"), "{backed_up}");
    hub.ok(&["walk-in", "Zed Newcomer", "--reason", "working", "--agree"]);
    assert_ne!(hub.ok(&["roll-call"]).stdout, before);

    let listed = hub.ok(&["restore"]).stdout;
    let file = listed.lines().find_map(|line| line.split_whitespace().find(|word| word.ends_with(".db"))).unwrap();
    let garbage = hub.dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![7u8; 8192]).unwrap();
    let refused = hub.run(&["restore", garbage.to_str().unwrap()]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("not a usable hub database"), "{}", refused.stderr);

    let restored = hub.ok(&["restore", file]).stdout;
    assert!(restored.contains("The data as it was is saved in"), "{restored}");
    assert_eq!(hub.ok(&["roll-call"]).stdout, before, "the walk-in after the backup is gone");
}

#[test]
fn a_subject_access_request_and_an_erasure_from_the_command_line() {
    let hub = TestHub::new("2027-01-05 11:00");
    hub.ok(&["demo"]);
    hub.ok(&["walk-in", "Zed Newcomer", "--reason", "working", "--agree"]);
    let held = hub.json(&["person", "export", "Zed Newcomer"]);
    assert_eq!(held["person"]["display_name"], "Zed Newcomer");
    assert_eq!(held["records"]["visits"].as_array().unwrap().len(), 1);

    let on_site = hub.run(&["person", "erase", "Zed Newcomer", "--yes"]);
    assert_eq!(on_site.code, 1);
    assert!(on_site.stdout.contains("checked in now"), "{}", on_site.stdout);
    hub.ok(&["check-out", "Zed Newcomer"]);
    assert_eq!(hub.run(&["person", "erase", "Zed Newcomer"]).code, 1, "needs --yes");
    hub.ok(&["person", "erase", "Zed Newcomer", "--yes"]);
    assert!(!hub.ok(&["person", "list"]).stdout.contains("Zed"));
    let bytes = std::fs::read(hub.dir.path().join("hub.db")).unwrap();
    // The surname, not the three letters of "Zed": a PIN hash's random base64 can hold those by chance.
    assert!(!bytes.windows(8).any(|window| window == b"Newcomer"), "the name is gone from the database file");
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

    let empty = TestHub { dir: tempfile::tempdir().unwrap(), now: hub.now.clone(), server: None, site: None };
    let refused = empty.run(&["import", damaged.to_str().unwrap()]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("people[2]: NOT NULL constraint failed: people.display_name"),
        "{}",
        refused.stderr
    );
    assert_eq!(empty.run(&["availability"]).code, 2, "nothing was imported");
}
