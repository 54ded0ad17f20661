//! A corpus of bad input at the two doors people use — the scanner and the name field — and the booking form:
//! truncated, oversized, non-UTF-8, emoji, SQL-looking text, control characters, forged and replayed passes. Each
//! must get a clear refusal in plain words (exit code 1 or 2, never a crash), and the hub must not change.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use end_to_end::TestHub;

/// The whole hub as JSON (the clock is fixed, so two exports of an unchanged hub are identical).
fn snapshot(hub: &TestHub) -> String {
    hub.ok(&["export"]).stdout
}

fn run_os(hub: &TestHub, args: Vec<OsString>) -> (i32, String) {
    // Arguments that are not UTF-8 cannot go through `TestHub::command`'s `&str`s.
    let output = hub.command(&[]).args(args).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn every_bad_scan_is_refused_in_plain_words_and_changes_nothing() {
    every_bad_scan(TestHub::new);
}

#[test]
fn every_bad_scan_is_refused_in_plain_words_and_changes_nothing_on_postgres() {
    every_bad_scan(TestHub::on_postgres);
}

#[test]
fn bad_names_and_titles_are_refused_and_change_nothing() {
    bad_names_and_titles(TestHub::new);
}

#[test]
fn bad_names_and_titles_are_refused_and_change_nothing_on_postgres() {
    bad_names_and_titles(TestHub::on_postgres);
}

/// The scanner's corpus on a hub made by `hub_at` (in its own file, or on the PostgreSQL test server).
fn every_bad_scan(hub_at: fn(&str) -> TestHub) {
    let hub = hub_at("2027-01-05 11:00");
    hub.ok(&["demo"]);
    let good = hub.ok(&["pass", "issue", "Ada Lovelace"]).stdout;
    let pass = good.split_whitespace().find(|word| word.starts_with("HK")).unwrap().to_owned();
    let other_hub = TestHub::new("2027-01-05 11:00");
    other_hub.ok(&["person", "add", "Ada Lovelace", "--role", "member"]);
    let forged = other_hub.ok(&["pass", "issue", "Ada Lovelace"]).stdout;
    let forged = forged.split_whitespace().find(|word| word.starts_with("HK")).unwrap().to_owned();
    let mut flipped = pass.clone().into_bytes();
    // A character in the middle (the pass number), so the text is still well-formed base32.
    flipped[20] = if flipped[20] == b'A' { b'B' } else { b'A' };

    let before = snapshot(&hub);
    let cases: Vec<(&str, OsString, &str)> = vec![
        ("truncated", OsString::from(&pass[..pass.len() / 2]), "This code is not a pass for this hub."),
        ("oversized", OsString::from("HK".to_owned() + &"A".repeat(100_000)), "This code is not a pass for this hub."),
        ("emoji", OsString::from("🎟️🎟️🎟️"), "This code is not a pass for this hub."),
        ("SQL-looking", OsString::from("HK'; DROP TABLE visits; --"), "This code is not a pass for this hub."),
        ("control characters", OsString::from("HK\u{7}\u{1b}[2J\u{1}"), "This code is not a pass for this hub."),
        ("one character changed", OsString::from_vec(flipped), "This pass was not made here, or it has been changed."),
        ("made by another hub", OsString::from(forged), "This pass was not made here, or it has been changed."),
        ("not UTF-8", OsString::from_vec(vec![b'H', b'K', 0xff, 0xfe, 0x80]), "invalid UTF-8"),
        ("empty", OsString::new(), "This code is not a pass for this hub."),
    ];
    for (what, payload, expected) in cases {
        let (code, text) = run_os(&hub, vec!["scan".into(), payload]);
        assert!(code == 1 || code == 2, "{what}: exit {code}: {text}");
        assert!(text.contains(expected), "{what}: {text}");
        assert!(!text.contains("panicked"), "{what}: {text}");
        assert_eq!(snapshot(&hub), before, "{what} changed the hub");
    }

    // Replayed: the same pass scanned twice in a moment does the check-in once.
    hub.ok(&["scan", &pass]);
    let checked_in = snapshot(&hub);
    let again = hub.run(&["scan", &pass]);
    assert!(again.stdout.contains("already checked in"), "{}", again.stdout);
    assert_eq!(snapshot(&hub), checked_in, "a replayed scan did something twice");
}

/// The name field's and the booking form's corpus on a hub made by `hub_at`.
fn bad_names_and_titles(hub_at: fn(&str) -> TestHub) {
    let hub = hub_at("2027-01-05 11:00");
    hub.ok(&["demo"]);
    let before = snapshot(&hub);
    let long = "x".repeat(81);
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        ("empty name", vec!["walk-in", "  ", "--agree"], "the name is empty"),
        ("name too long", vec!["walk-in", &long, "--agree"], "please keep it to 80 or fewer"),
        ("control character in a name", vec!["walk-in", "Sam\u{7}Bell", "--agree"], "invisible control characters"),
        ("escape sequence in a name", vec!["walk-in", "Sam\u{1b}[2J", "--agree"], "invisible control characters"),
        (
            "control character in a title",
            vec!["book", "--room", "Studio", "--start", "2027-01-06 10:00", "--duration", "1h", "--title", "Club\u{1}"],
            "invisible control characters",
        ),
        (
            "unknown room",
            vec!["book", "--room", "Studio'; --", "--start", "2027-01-06 10:00", "--duration", "1h"],
            "Studio'; --",
        ),
        ("nonsense time", vec!["book", "--room", "Studio", "--start", "25:99", "--duration", "1h"], "25:99"),
    ];
    for (what, args, expected) in cases {
        let run = hub.run(&args);
        assert_eq!(run.code, 2, "{what}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(expected), "{what}: {}", run.stderr);
        assert_eq!(snapshot(&hub), before, "{what} changed the hub");
    }

    // Names that merely look odd are names: stored as typed, harmless, and the hub is intact.
    for name in ["Robert'); DROP TABLE people;--", "Zoë 🌻 O'Brien", "محمد علي"] {
        let run = hub.ok(&["walk-in", name, "--agree"]);
        assert!(run.stdout.contains("checked in"), "{}", run.stdout);
    }
    let roll_call = hub.ok(&["roll-call"]).stdout;
    assert!(roll_call.contains("Robert'); DROP TABLE people;--") && roll_call.contains("محمد علي"), "{roll_call}");
    hub.ok(&["person", "list"]);
}
