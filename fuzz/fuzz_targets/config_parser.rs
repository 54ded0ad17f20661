//! Any kiosk.toml: parsing and validation answer with a configuration or located problems, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(config) = firmware_config::parse(&text, std::path::Path::new("kiosk.toml")) {
        // A valid configuration must also render its system files.
        let _ = firmware_config::render(&config, std::path::Path::new("/etc/hub-kiosk/kiosk.toml"));
    }
});
