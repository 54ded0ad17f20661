//! The binary's contract with scripts: exit codes and plain messages. (Having an integration test here also makes
//! `cargo test --workspace` build the `kiosk` binary before the end-to-end tests in `tests/` run it.)

use std::process::Command;

fn kiosk(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kiosk")).arg("--data").arg(data).args(args).output().unwrap()
}

#[test]
fn a_hub_that_is_not_set_up_says_how_to_set_it_up() {
    let dir = tempfile::tempdir().unwrap();
    let output = kiosk(dir.path(), &["availability"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("this hub has not been set up yet"), "{stderr}");
    assert!(stderr.contains("kiosk init"), "{stderr}");
}

#[test]
fn unknown_arguments_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(kiosk(dir.path(), &["book", "--rooom", "Studio"]).status.code(), Some(2));
}

#[test]
fn init_refuses_an_unknown_time_zone_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = kiosk(dir.path(), &["init", "--name", "Hub", "--time-zone", "Europe/Londn"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown time zone \"Europe/Londn\""));
    assert_eq!(kiosk(dir.path(), &["availability"]).status.code(), Some(2), "still not set up");
}
