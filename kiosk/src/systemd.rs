//! Telling systemd the kiosk is up (`Type=notify`) and still alive (`WatchdogSec=`), by datagrams to
//! `$NOTIFY_SOCKET`. The watchdog is fed from the screen's event loop, so a frozen screen gets the kiosk restarted.

use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::UnixDatagram;
use std::rc::Rc;
use std::time::Duration;

use slint::{Timer, TimerMode};

use crate::screens::Kiosk;

/// Sends `state` (e.g. `READY=1`) to the notification socket at `socket` (a path, or `@name` for an abstract one).
pub fn notify_to(socket: &OsStr, state: &str) -> io::Result<()> {
    let sender = UnixDatagram::unbound()?;
    match socket.as_bytes() {
        [b'@', name @ ..] => {
            use std::os::linux::net::SocketAddrExt;
            let address = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
            sender.send_to_addr(state.as_bytes(), &address)?;
        }
        _ => {
            sender.send_to(state.as_bytes(), socket)?;
        }
    }
    Ok(())
}

/// Says the kiosk is ready and, if systemd asks for a watchdog, feeds it at half its interval. Does nothing when
/// the kiosk was not started by systemd.
pub fn ready_and_watchdog(kiosk: &Rc<Kiosk>) {
    let Some(socket) = std::env::var_os("NOTIFY_SOCKET") else { return };
    if let Err(error) = notify_to(&socket, "READY=1") {
        eprintln!("kiosk: could not tell systemd the kiosk is ready: {error}");
        return;
    }
    let Some(interval) = std::env::var("WATCHDOG_USEC").ok().and_then(|usec| usec.parse::<u64>().ok()) else {
        return;
    };
    let timer = Timer::default();
    timer.start(TimerMode::Repeated, Duration::from_micros(interval / 2), move || {
        if let Err(error) = notify_to(&socket, "WATCHDOG=1") {
            eprintln!("kiosk: could not feed systemd's watchdog: {error}");
        }
    });
    kiosk.keep(timer);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_arrive_as_datagrams() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let systemd = UnixDatagram::bind(&path).unwrap();
        notify_to(path.as_os_str(), "READY=1").unwrap();
        let mut buffer = [0u8; 64];
        let length = systemd.recv(&mut buffer).unwrap();
        assert_eq!(&buffer[..length], b"READY=1");
        assert!(notify_to(dir.path().join("nobody").as_os_str(), "READY=1").is_err());
    }
}
