//! The architecture's promises about which crate may build on which, checked so they cannot quietly erode.

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

/// The workspace as Cargo resolved it for this machine.
fn metadata() -> serde_json::Value {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--manifest-path"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Every package `package` builds on (normal dependencies, transitively, features unified across the workspace).
fn built_on(package: &str) -> Vec<String> {
    built_on_except(package, &[])
}

/// [`built_on`], without looking inside the packages named in `sealed` (their own dependencies are theirs).
fn built_on_except(package: &str, sealed: &[&str]) -> Vec<String> {
    let metadata = metadata();
    let nodes = metadata["resolve"]["nodes"].as_array().unwrap();
    let name_of = |id: &str| {
        let package = metadata["packages"].as_array().unwrap().iter().find(|package| package["id"] == id).unwrap();
        package["name"].as_str().unwrap().to_owned()
    };
    let start = nodes.iter().find(|node| name_of(node["id"].as_str().unwrap()) == package).unwrap();
    let (mut seen, mut queue) = (Vec::<String>::new(), vec![start]);
    while let Some(node) = queue.pop() {
        for dep in node["deps"].as_array().unwrap() {
            let normal = dep["dep_kinds"].as_array().unwrap().iter().any(|kind| kind["kind"].is_null());
            let id = dep["pkg"].as_str().unwrap();
            if normal && !seen.iter().any(|known| known == id) {
                seen.push(id.to_owned());
                if !sealed.contains(&name_of(id).as_str()) {
                    queue.push(nodes.iter().find(|node| node["id"] == id).unwrap());
                }
            }
        }
    }
    seen.iter().map(|id| name_of(id)).collect()
}

/// Fails naming the first of `package`'s dependencies that starts with one of `forbidden`.
fn assert_builds_on_none_of(package: &str, forbidden: &[&str]) {
    assert_builds_on_none_of_except(package, forbidden, &[]);
}

/// [`assert_builds_on_none_of`], not counting the packages in `sealed` and what they build on.
fn assert_builds_on_none_of_except(package: &str, forbidden: &[&str], sealed: &[&str]) {
    let deps = built_on_except(package, sealed);
    assert!(
        deps.iter().any(|name| name == "booking-core" || name == "rusqlite"),
        "the walk found {package}'s own: {deps:?}"
    );
    for dep in deps.iter().filter(|dep| !sealed.contains(&dep.as_str())) {
        for crate_name in forbidden {
            assert!(!dep.starts_with(crate_name), "{package} builds on {dep} (through its dependencies)");
        }
    }
}

const UI: &[&str] = &["slint", "i-slint"];
const WEB: &[&str] = &["axum", "hyper", "tower"];
const GPIO: &[&str] = &["rppal", "rpi-pal"];

#[test]
fn booking_core_builds_on_no_runtime_ui_web_or_gpio_crate() {
    // The PostgreSQL client (and its TLS connector, which runs on that client's runtime) runs a tokio runtime of its
    // own inside; only booking-core/src/sql/ may name it.
    let client = ["postgres", "tokio-postgres-rustls"];
    assert_builds_on_none_of_except("booking-core", &[&["tokio"], UI, WEB, GPIO].concat(), &client);
    assert!(built_on("booking-core").iter().any(|dep| dep == "tokio"), "the walk sees inside the sealed client");
    let mut sources = Vec::new();
    rust_sources(&core_dir().join("src"), &mut sources);
    for (path, text) in sources.iter().filter(|(path, _)| !path.contains("/src/sql/")) {
        assert!(!text.contains("postgres::") && !text.contains("tokio"), "{path} names the PostgreSQL client or tokio");
    }
}

#[test]
fn the_shared_runtime_builds_on_no_front_end() {
    assert_builds_on_none_of(
        "kiosk-runtime",
        &[UI, WEB, GPIO, &["kiosk-touchscreen", "kiosk-web", "kiosk-sensors"]].concat(),
    );
}

#[test]
fn the_web_pages_build_on_no_ui_and_no_other_front_end() {
    assert_builds_on_none_of("kiosk-web", &[UI, GPIO, &["kiosk-touchscreen", "kiosk-sensors"]].concat());
}

#[test]
fn the_touchscreen_builds_on_no_web_server() {
    assert_builds_on_none_of("kiosk-touchscreen", &[WEB, &["kiosk-web"]].concat());
}

#[test]
fn the_messages_build_on_no_ui_web_server_or_gpio() {
    // Webhooks post through an HTTP client (reqwest, on hyper): only the web server itself is ruled out.
    assert_builds_on_none_of(
        "kiosk-notify",
        &[UI, &["axum"], GPIO, &["kiosk-touchscreen", "kiosk-web", "kiosk-sensors"]].concat(),
    );
}

#[test]
fn the_sensors_build_on_neither_ui_nor_web_and_on_gpio_only_when_asked() {
    assert_builds_on_none_of("kiosk-sensors", &[UI, WEB, &["kiosk-touchscreen", "kiosk-web"]].concat());
    let metadata = metadata();
    let sensors = metadata["packages"].as_array().unwrap().iter().find(|package| package["name"] == "kiosk-sensors");
    let gpio: Vec<&serde_json::Value> = sensors.unwrap()["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|dep| GPIO.iter().any(|name| dep["name"] == *name))
        .collect();
    assert!(!gpio.is_empty(), "the sensors read real pins through rppal");
    assert!(gpio.iter().all(|dep| dep["optional"] == true), "GPIO is behind the `gpio` feature: {gpio:?}");
}
