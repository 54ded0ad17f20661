//! Any bytes as a spreadsheet's CSV: it is read, or refused naming a line; what is read imports row by row (each
//! added, updated, a duplicate or refused), never panics, and a dry run keeps nothing.
#![no_main]

use booking_core::{NewSite, PassKey, Store, read_people_csv};
use chrono::TimeZone;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(rows) = read_people_csv(data) else { return };
    let mut store = Store::open_in_memory().expect("an in-memory hub");
    let site = NewSite { name: "Hub".into(), time_zone: "Europe/London".into(), safe_capacity: 40, retention_days: 30 };
    store.init_site(&site).expect("a site");
    let (key, now) = (PassKey::from_secret([7; 32]), chrono::Utc.with_ymd_and_hms(2027, 1, 5, 11, 0, 0).unwrap());
    let dry = store.import_people(&key, &rows, true, now).expect("a dry run reports");
    assert_eq!(dry.rows.len(), rows.len(), "every row has an answer");
    assert!(store.people(None).expect("people").is_empty(), "a dry run kept something");
    let done = store.import_people(&key, &rows, false, now).expect("an import reports");
    assert_eq!(done.counts(), dry.counts(), "the dry run said what the import did");
    let added = done.counts()[0];
    assert_eq!(store.people(None).expect("people").len(), added, "one person per added row");
});
