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

/// Every package `package` builds on (normal dependencies, transitively, as Cargo resolved them for this machine).
fn built_on(package: &str) -> Vec<String> {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--manifest-path"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
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
                queue.push(nodes.iter().find(|node| node["id"] == id).unwrap());
            }
        }
    }
    seen.iter().map(|id| name_of(id)).collect()
}

#[test]
fn booking_core_builds_on_no_runtime_ui_web_or_gpio_crate() {
    let deps = built_on("booking-core");
    assert!(deps.iter().any(|name| name == "rusqlite"), "the walk found booking-core's own dependencies: {deps:?}");
    for dep in &deps {
        for forbidden in ["tokio", "slint", "i-slint", "axum", "hyper", "rppal", "rpi-pal"] {
            assert!(!dep.starts_with(forbidden), "booking-core builds on {dep} (through its dependencies)");
        }
    }
}
