//! Stopping in order, with the real binary: on SIGTERM (what systemd sends) the kiosk tells systemd it is
//! stopping, stops taking requests, finishes what it was writing, closes the database and exits 0 within 5 s —
//! both `kiosk serve` and `kiosk run` with its window, web pages and simulated door sensors.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixDatagram;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use end_to_end::{TestHub, XDisplay, http_get as get};

/// Where the kiosk's systemd notifications arrive, as they would at systemd.
struct FakeSystemd {
    socket: UnixDatagram,
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl FakeSystemd {
    fn new() -> FakeSystemd {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let socket = UnixDatagram::bind(&path).unwrap();
        FakeSystemd { socket, path, _dir: dir }
    }

    /// The next notification, waiting at most `within`.
    fn next(&self, within: Duration) -> String {
        self.socket.set_read_timeout(Some(within)).unwrap();
        let mut buffer = [0u8; 256];
        let length = self.socket.recv(&mut buffer).expect("a notification from the kiosk");
        String::from_utf8_lossy(&buffer[..length]).trim().to_owned()
    }
}

fn terminate(child: &Child) {
    let sent = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
}

/// Waits at most `within` for `child` to exit; its exit code.
fn exit_code_within(child: &mut Child, within: Duration) -> i32 {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the kiosk did not stop within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn kiosk_serve_stops_in_order_on_sigterm() {
    let hub = TestHub::new("2027-01-05 11:00");
    let systemd = FakeSystemd::new();
    let (mut server, mut stderr) = hub.serve_with(&[("NOTIFY_SOCKET", systemd.path.as_os_str())]);
    let address = server.address.clone();
    assert_eq!(systemd.next(Duration::from_secs(30)), "READY=1");
    assert!(get(&address, "/").starts_with("HTTP/1.1 200"));

    // A visitor's connection is open (a request on its way) when the stop comes.
    let mut waiting = TcpStream::connect(&address).unwrap();
    write!(waiting, "GET / HTTP/1.1\r\nHost: kiosk\r\n").unwrap();
    terminate(&server.child);
    assert_eq!(systemd.next(Duration::from_secs(5)), "STOPPING=1");
    write!(waiting, "Connection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    waiting.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "the request in progress was answered: {answer:?}");

    assert_eq!(exit_code_within(&mut server.child, Duration::from_secs(5)), 0);
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("stopping in order"), "{rest}");
    assert!(TcpStream::connect(&address).is_err(), "nothing listens any more");
    let integrity: String = hub.database().query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
    assert_eq!(integrity, "ok");
}

#[test]
fn kiosk_run_stops_in_order_on_sigterm() {
    let hub = TestHub::new("2027-01-05 11:00");
    let display = XDisplay::start();
    let config = hub.dir.path().join("kiosk.toml");
    std::fs::write(&config, "[site]\nname = \"Test Hub\"\ntime_zone = \"Europe/London\"\nsafe_capacity = 40\n\n[server]\nlisten = \"127.0.0.1:0\"\n")
        .unwrap();
    let systemd = FakeSystemd::new();
    let mut child = hub
        .command(&["--config", config.to_str().unwrap(), "run", "--demo", "--simulate-sensors"])
        .env("DISPLAY", &display.name)
        .env("NOTIFY_SOCKET", &systemd.path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert_eq!(systemd.next(Duration::from_secs(60)), "READY=1", "the window is up");
    terminate(&child);
    assert_eq!(systemd.next(Duration::from_secs(5)), "STOPPING=1");
    let code = exit_code_within(&mut child, Duration::from_secs(5));
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("stopping in order"), "{stderr}");
    let integrity: String = hub.database().query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    // The demo was written before the window opened and is all there.
    let rooms: i64 = hub.database().query_row("SELECT count(*) FROM rooms", [], |row| row.get(0)).unwrap();
    assert!(rooms >= 5, "{rooms} rooms");
}
