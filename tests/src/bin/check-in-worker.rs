//! A child process for the crash test: checks walk-ins in and out of the hub in `DIR` as fast as it can and prints
//! a line only after each commit has returned — so every printed line is an acknowledged, durable write.
//!
//! `check-in-worker DIR ROUND`

use std::io::Write;

use booking_core::{NewSite, PassKey, Store, VisitReason, WalkIn, WalkInOutcome};
use chrono::{Duration, TimeZone, Utc};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("DIR"));
    let round: u32 = args.next().expect("ROUND").parse().expect("a round number");
    let mut store = Store::open(&dir.join("hub.db")).expect("the hub opens");
    if store.site().is_err() {
        let site = NewSite {
            name: "Crash Hub".into(),
            time_zone: "Europe/London".into(),
            safe_capacity: 1000,
            retention_days: 30,
        };
        store.init_site(&site).expect("set up");
    }
    let key = PassKey::from_secret([1; 32]);
    let start = Utc.with_ymd_and_hms(2027, 1, 5, 9, 0, 0).unwrap() + Duration::days(i64::from(round));
    let mut out = std::io::stdout().lock();
    for number in 0.. {
        let walk_in = WalkIn {
            display_name: format!("Visitor {round}-{number}"),
            contact: None,
            reason: VisitReason::Working,
            visiting: None,
            agreed_rules_version: 1,
        };
        let at = start + Duration::seconds(number);
        let WalkInOutcome::CheckedIn { person, visit, .. } = store.walk_in(&key, &walk_in, at).expect("walk-in") else {
            panic!("walk-in refused");
        };
        writeln!(out, "in {} {}", person.id, visit).expect("stdout");
        out.flush().expect("stdout");
        store.check_out(person.id, at + Duration::milliseconds(500)).expect("check-out");
        writeln!(out, "out {}", person.id).expect("stdout");
        out.flush().expect("stdout");
    }
}
