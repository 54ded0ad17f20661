//! Process start to first frame: runs the real `kiosk run --exit-after-first-frame` over the demo hub, twenty
//! times, and reports the wall time from starting the process to its exit after the event loop's first turn (which
//! draws the first frame). It needs an X display: with no `DISPLAY` it starts Xvfb itself (Debian's `xvfb`).
//!
//! `cargo bench -p kiosk --bench first_frame`

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 20;

fn main() {
    let kiosk = env!("CARGO_BIN_EXE_kiosk");
    let display = end_to_end::XDisplay::start();
    let data = tempfile::tempdir().unwrap();
    let made = Command::new(kiosk).arg("--data").arg(data.path()).arg("demo").output().unwrap();
    assert!(made.status.success(), "the demo hub: {}", String::from_utf8_lossy(&made.stderr));

    for size in ["800x480", "720x1280", "1280x800"] {
        let mut times: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                let run = Command::new(kiosk)
                    .arg("--data")
                    .arg(data.path())
                    .args(["run", "--size", size, "--exit-after-first-frame"])
                    .env("DISPLAY", &display.name)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .unwrap();
                assert!(run.success(), "kiosk run failed at {size}");
                started.elapsed()
            })
            .collect();
        times.sort();
        let ms = |duration: Duration| duration.as_secs_f64() * 1e3;
        println!(
            "first frame {size}: median {:.0} ms (min {:.0}, max {:.0}) over {RUNS} starts",
            ms(times[RUNS / 2]),
            ms(times[0]),
            ms(times[RUNS - 1])
        );
    }
}
