//! Day and night brightness for screens with a Linux backlight (the official Raspberry Pi screens appear under
//! `/sys/class/backlight`). The udev rule made by `kiosk config apply` lets the kiosk's user set it.

use std::fs;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use firmware_config::BrightnessConfig;
use slint::{Timer, TimerMode};
use tracing::{error, warn};

use crate::screens::Touchscreen;

const BACKLIGHTS: &str = "/sys/class/backlight";

/// The first backlight the system offers, if any.
pub fn find() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(BACKLIGHTS).ok()?.filter_map(|entry| Some(entry.ok()?.path())).collect();
    found.sort();
    found.into_iter().next()
}

/// Sets the backlight in `dir` to `percent` of its maximum (never fully off: a dark kiosk looks broken).
pub fn set(dir: &Path, percent: u8) -> std::io::Result<u32> {
    let max: u32 = fs::read_to_string(dir.join("max_brightness"))?.trim().parse().unwrap_or(255);
    let value = (max * u32::from(percent.min(100)) / 100).max(1);
    fs::write(dir.join("brightness"), value.to_string())?;
    Ok(value)
}

/// Applies the brightness for the hub's local time now and then every minute.
pub fn start(kiosk: &Rc<Touchscreen>, config: BrightnessConfig) {
    let Some(dir) = find() else {
        warn!("display.brightness is set, but this screen has no backlight the kiosk can set ({BACKLIGHTS} is empty)");
        return;
    };
    let kiosk_for_timer = kiosk.clone();
    let mut last = None;
    let mut apply = move || {
        let local = kiosk_for_timer.now().with_timezone(&kiosk_for_timer.zone.get()).time();
        let percent = config.percent_at(local);
        if last != Some(percent) {
            match set(&dir, percent) {
                Ok(_) => last = Some(percent),
                Err(error) => error!("could not set the brightness in {}: {error}", dir.display()),
            }
        }
    };
    apply();
    let timer = Timer::default();
    timer.start(TimerMode::Repeated, Duration::from_secs(60), apply);
    kiosk.keep(timer);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brightness_is_a_share_of_the_maximum_and_never_zero() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("max_brightness"), "255\n").unwrap();
        assert_eq!(set(dir.path(), 30).unwrap(), 76);
        assert_eq!(fs::read_to_string(dir.path().join("brightness")).unwrap(), "76");
        assert_eq!(set(dir.path(), 0).unwrap(), 1);
    }
}
