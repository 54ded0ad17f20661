//! The kiosk's log, through `tracing`: `RUST_LOG` chooses what is written (by default the kiosk's own notes from
//! `info` up and other libraries' warnings), always to standard error. Under systemd (`JOURNAL_STREAM` set) the
//! lines carry no time and no colour: journald stamps each line itself, and `journalctl -u hub-kiosk` reads them.
//! What a command says to the person who typed it is not a log line: `main.rs` prints that.

use tracing_subscriber::EnvFilter;

/// The kiosk's own crates, logged from `info` up unless `RUST_LOG` says otherwise.
const DEFAULT: &str =
    "warn,kiosk=info,kiosk_runtime=info,kiosk_web=info,kiosk_touchscreen=info,kiosk_sensors=info,kiosk_notify=info";

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT));
    // A log line that cannot be written (standard error closed) is dropped: it must never stop the kiosk.
    let log = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).log_internal_errors(false);
    // A second logger cannot be set up in one process; there is only ever this one.
    let _ = if std::env::var_os("JOURNAL_STREAM").is_some() {
        log.without_time().with_ansi(false).try_init()
    } else {
        log.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).try_init()
    };
}
