//! The architecture's promises about booking-core, checked so they cannot quietly erode.

use std::fs;
use std::path::Path;

fn core_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../booking-core"))
}

fn rust_sources(dir: &Path, found: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_sources(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push((path.display().to_string(), fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn booking_core_never_reads_the_clock() {
    let mut sources = Vec::new();
    rust_sources(&core_dir().join("src"), &mut sources);
    assert!(sources.len() > 5);
    for (path, text) in sources {
        for forbidden in ["Utc::now", "Local::now", "SystemTime::now", "Instant::now"] {
            assert!(!text.contains(forbidden), "{path} calls {forbidden}: pass the time in instead");
        }
    }
}

#[test]
fn booking_core_depends_on_no_runtime_ui_or_gpio() {
    let manifest = fs::read_to_string(core_dir().join("Cargo.toml")).unwrap();
    for forbidden in ["tokio", "slint", "rppal", "rpi-pal"] {
        assert!(!manifest.contains(forbidden), "booking-core must not depend on {forbidden}");
    }
}
