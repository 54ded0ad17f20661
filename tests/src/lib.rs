//! Helpers for end-to-end tests: run the real `kiosk` binary against a throwaway data folder.
//!
//! The binary is built on first use by the same cargo, profile and target folder as the running test, so
//! `cargo test -p end-to-end` works on its own and never runs a stale binary.

pub mod link;
pub mod power_cut;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{ChildStderr, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU16, Ordering};

/// The `kiosk` binary in the same target folder as the running test, built (or found up to date) once per test run.
pub fn kiosk_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(build_kiosk).clone()
}

fn build_kiosk() -> PathBuf {
    let test_exe = std::env::current_exe().expect("the test knows where it is");
    let profile_dir = test_exe.parent().and_then(|deps| deps.parent()).expect("tests run from target/<profile>/deps");
    let target_dir = profile_dir.parent().expect("a target folder above the profile's");
    let profile = match profile_dir.file_name().and_then(|name| name.to_str()) {
        Some("debug") => "dev",
        Some(other) => other,
        None => panic!("{} has no profile name", profile_dir.display()),
    };
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--locked", "-p", "kiosk", "--bin", "kiosk", "--profile", profile])
        .arg("--target-dir")
        .arg(target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the kiosk binary failed");
    profile_dir.join(format!("kiosk{}", std::env::consts::EXE_SUFFIX))
}

/// A port on 127.0.0.1 for a server a test starts itself (a mail server, chromedriver), never the same one twice in a
/// test process. Taken below the kernel's ephemeral range (32768 up) so that nothing listening on port 0 (a
/// `kiosk serve`) or a port another test just let go can be handed the same number: a test that stops its server
/// and starts it again on the same port must not find another test's server there.
pub fn free_port() -> u16 {
    static NEXT: OnceLock<AtomicU16> = OnceLock::new();
    // Tests of different binaries never run at once, but start each process somewhere else all the same.
    let next = NEXT.get_or_init(|| AtomicU16::new(20_000 + (std::process::id() % 1_000) as u16 * 10));
    loop {
        let port = next.fetch_add(1, Ordering::Relaxed);
        assert!(port < 32_768, "no free port left below the ephemeral range");
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// A hub in a temporary data folder, driven through the command line.
#[derive(Debug)]
pub struct TestHub {
    pub dir: tempfile::TempDir,
    /// Passed as `--now` to every command, so tests do not depend on the day they run.
    pub now: String,
    /// Passed as `--database` when the hub's data is on the PostgreSQL test server ([`TestHub::on_postgres`]).
    pub server: Option<String>,
    /// Passed as `--site`: the site of the server's network this kiosk is at ([`TestHub::new_site`]).
    pub site: Option<String>,
}

/// A connection string for a new, empty schema on the PostgreSQL test server.
pub fn postgres_schema() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let server = std::env::var("HUB_TEST_POSTGRES")
        .expect("this test needs the PostgreSQL test server: run tests/run (it starts one and sets HUB_TEST_POSTGRES)");
    let name = format!("e2e_{}_{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    let mut client = postgres::Client::connect(&server, postgres::NoTls).expect("connect to the test server");
    client.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}")).expect("a schema");
    format!("{server} options='-c search_path={name},public'")
}

/// What one command did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TestHub {
    /// A set-up hub (Europe/London) whose clock reads `now`.
    pub fn new(now: &str) -> TestHub {
        TestHub::set_up(now, None)
    }

    /// [`TestHub::new`] with the hub's data in a fresh schema of the PostgreSQL test server (`HUB_TEST_POSTGRES`,
    /// which `tests/run` sets); the data folder keeps only the pass key.
    pub fn on_postgres(now: &str) -> TestHub {
        TestHub::set_up(now, Some(postgres_schema()))
    }

    /// Another kiosk of the same hub: its own data folder, with a copy of this one's pass key, on the same server.
    pub fn second_kiosk(&self) -> TestHub {
        let other = TestHub {
            dir: tempfile::tempdir().expect("temp dir"),
            now: self.now.clone(),
            server: self.server.clone(),
            site: self.site.clone(),
        };
        std::fs::copy(self.dir.path().join("pass.key"), other.dir.path().join("pass.key")).expect("copy the pass key");
        other
    }

    /// A kiosk at a new site of this hub's network (`kiosk init --site code`), in Cardiff's time zone.
    pub fn new_site(&self, code: &str, name: &str) -> TestHub {
        let other = TestHub { site: Some(code.into()), ..self.second_kiosk() };
        other.ok(&["init", "--name", name, "--time-zone", "Europe/London", "--safe-capacity", "20"]);
        other
    }

    fn set_up(now: &str, server: Option<String>) -> TestHub {
        let hub = TestHub { dir: tempfile::tempdir().expect("temp dir"), now: now.into(), server, site: None };
        hub.ok(&["init", "--name", "Test Hub", "--time-zone", "Europe/London", "--safe-capacity", "40"]);
        hub
    }

    /// The command line in English, whatever this machine's locale (a test may set another).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(kiosk_binary());
        command.arg("--data").arg(self.dir.path()).arg("--now").arg(&self.now);
        if let Some(server) = &self.server {
            command.arg("--database").arg(server);
        }
        if let Some(site) = &self.site {
            command.arg("--site").arg(site);
        }
        command.args(args);
        for variable in ["LANGUAGE", "LC_ALL", "LC_MESSAGES"] {
            command.env_remove(variable);
        }
        command.env("LANG", "C.UTF-8");
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        finish(self.command(args).output().expect("kiosk runs"))
    }

    /// Runs with `stdin` as standard input (PINs are read from there).
    pub fn run_with_input(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kiosk starts");
        child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
        finish(child.wait_with_output().expect("kiosk finishes"))
    }

    /// Runs and insists on success.
    pub fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        assert_eq!(run.code, 0, "kiosk {args:?} failed:\n{}\n{}", run.stdout, run.stderr);
        run
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(args);
        serde_json::from_str(&self.ok(&with_json).stdout).expect("valid JSON")
    }

    pub fn database(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.dir.path().join("hub.db")).expect("database opens")
    }

    /// Starts `kiosk serve` on a free loopback port; the server stops when the returned value is dropped.
    pub fn serve(&self) -> Server {
        let (server, stderr) = self.serve_with(&[]);
        pass_on(stderr);
        server
    }

    /// Like [`TestHub::serve`], with `env` set for the server; also its standard error after the line that says
    /// where it listens.
    pub fn serve_with(&self, env: &[(&str, &std::ffi::OsStr)]) -> (Server, BufReader<ChildStderr>) {
        self.serve_from(&["serve", "--listen", "127.0.0.1:0"], env)
    }

    /// Like [`TestHub::serve`], with the configuration file `config` (its `[notify]` sends messages).
    pub fn serve_configured(&self, config: &std::path::Path) -> Server {
        let config = config.to_str().expect("a UTF-8 path");
        let (server, stderr) = self.serve_from(&["--config", config, "serve", "--listen", "127.0.0.1:0"], &[]);
        pass_on(stderr);
        server
    }

    fn serve_from(&self, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> (Server, BufReader<ChildStderr>) {
        let mut child = self
            .command(args)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kiosk serve starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
        // The line that says where it listens; log lines may come first.
        let mut line = String::new();
        for _ in 0..20 {
            line.clear();
            if stderr.read_line(&mut line).expect("the server says where it listens") == 0 || line.contains("http://") {
                break;
            }
        }
        let address = line.trim().split("http://").nth(1).map(|rest| rest.trim_end_matches('/').to_owned());
        // Built before checking the line, so a server that said something else is still stopped.
        let server = Server { child, address: address.unwrap_or_default() };
        assert!(!server.address.is_empty(), "the server did not say where it listens: {line:?}");
        (server, stderr)
    }
}

/// Copies what the server logs to the test's own output, so its log stays readable and its writes never meet a
/// closed pipe.
fn pass_on(stderr: BufReader<ChildStderr>) {
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            eprintln!("kiosk serve: {line}");
        }
    });
}

/// One HTTP/1.1 GET to `address` (`127.0.0.1:<port>`): the whole answer, status line and headers included.
pub fn http_get(address: &str, path: &str) -> String {
    http(address, &format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"))
}

/// One HTTP/1.1 POST of a JSON `body`: the whole answer.
pub fn http_post_json(address: &str, path: &str, body: &str) -> String {
    http(
        address,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

/// One HTTP/1.1 POST of a form (`body` already URL-encoded) with `cookie` (e.g. `hub_csrf=…`): the whole answer.
pub fn http_post_form(address: &str, path: &str, cookie: &str, body: &str) -> String {
    http(
        address,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn http(address: &str, request: &str) -> String {
    let mut stream = std::net::TcpStream::connect(address).expect("the server listens");
    stream.write_all(request.as_bytes()).expect("the request is sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("the server answers");
    answer
}

/// A running `kiosk serve`, stopped (even when an assertion fails) when dropped.
#[derive(Debug)]
pub struct Server {
    pub child: std::process::Child,
    /// `127.0.0.1:<port>`.
    pub address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A finished command's exit code and output.
pub fn finish(output: Output) -> Run {
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// An X display for the touchscreen's window: `$DISPLAY` if there is one, else an Xvfb started here (Debian's
/// `xvfb`, which `tests/run` installs) and stopped when this is dropped.
#[derive(Debug)]
pub struct XDisplay {
    pub name: String,
    xvfb: Option<std::process::Child>,
}

impl XDisplay {
    pub fn start() -> XDisplay {
        if let Ok(existing) = std::env::var("DISPLAY") {
            return XDisplay { name: existing, xvfb: None };
        }
        // A display number of this process's own, so test binaries running side by side do not meet.
        let number = 90 + std::process::id() % 500;
        let xvfb = Command::new("Xvfb")
            .arg(format!(":{number}"))
            .args(["-screen", "0", "1280x1024x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("no DISPLAY and no Xvfb: apt-get install xvfb (tests/run does)");
        let display = XDisplay { name: format!(":{number}"), xvfb: Some(xvfb) };
        let socket = format!("/tmp/.X11-unix/X{number}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !std::path::Path::new(&socket).exists() {
            assert!(std::time::Instant::now() < deadline, "Xvfb did not start");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        display
    }
}

impl Drop for XDisplay {
    fn drop(&mut self) {
        if let Some(xvfb) = &mut self.xvfb {
            let _ = xvfb.kill();
            let _ = xvfb.wait();
        }
    }
}
