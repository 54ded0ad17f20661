//! The web pages in a real browser: Debian's Chromium, headless, driven over WebDriver by chromedriver (both
//! installed by `.ci/run`). A visitor books a place in a drop-in session on the public page from a phone-sized
//! window; the host signs in with their PIN and finds them in the session's list; staff open the roll-call.
//! Every page is saved as a PNG in `target/web-screenshots/` (the ones in docs/screenshots/ come from here).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use end_to_end::TestHub;
use serde_json::{Value, json};

/// Window widths: a common phone, and a desk.
const PHONE: u32 = 412;
const DESK: u32 = 1100;

/// The W3C name of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One HTTP/1.1 exchange with chromedriver (JSON in, JSON out): its `value`, or the error it reported.
fn webdriver(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("chromedriver answers");
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // chromedriver keeps the connection open whatever the request says: read exactly Content-Length bytes.
    let mut reader = std::io::BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut reader, &mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let json = String::from_utf8_lossy(&body);
    let mut answer: Value = serde_json::from_str(&json).unwrap_or_else(|_| panic!("not JSON from {path}: {json}"));
    let value = answer["value"].take();
    if value["error"].is_null() { Ok(value) } else { Err(value) }
}

/// chromedriver and one headless Chromium, both ended when dropped.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
    shots: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            // Closes Chromium; the answer does not matter.
            let _ = webdriver(self.port, "DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    fn start() -> Browser {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (apt-get install chromium chromium-driver; .ci/run does)");
        let profile = tempfile::tempdir().unwrap();
        let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("web-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        let mut browser = Browser { driver, port, session: String::new(), _profile: profile, shots };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        // The flags this machine needs: no sandbox as root, no GPU, and no background calls to a closed network.
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            &format!("--user-data-dir={}", browser._profile.path().display()),
        ];
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args }
        }}});
        let answer = webdriver(port, "POST", "/session", Some(&capabilities)).expect("Chromium starts");
        browser.session = answer["sessionId"].as_str().expect("a session").to_owned();
        browser
    }

    fn try_call(&self, method: &str, path: &str, body: Value) -> Result<Value, Value> {
        let body = (method == "POST").then_some(&body);
        webdriver(self.port, method, &format!("/session/{}{path}", self.session), body)
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        self.try_call(method, path, body).unwrap_or_else(|error| panic!("{method} {path}: {error}"))
    }

    fn size(&self, width: u32, height: u32) {
        self.call("POST", "/window/rect", json!({ "width": width, "height": height }));
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url }));
    }

    fn find(&self, xpath: &str) -> String {
        let found = self.call("POST", "/element", json!({ "using": "xpath", "value": xpath }));
        found[ELEMENT].as_str().unwrap_or_else(|| panic!("nothing matches {xpath}: {found}")).to_owned()
    }

    fn click(&self, xpath: &str) {
        let element = self.find(xpath);
        self.call("POST", &format!("/element/{element}/click"), json!({}));
    }

    fn type_into(&self, xpath: &str, text: &str) {
        let element = self.find(xpath);
        self.call("POST", &format!("/element/{element}/value"), json!({ "text": text }));
    }

    /// The page's visible text once it shows `expected` (a submitted form's answer may still be on its way).
    fn text_with(&self, expected: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut text = String::new();
        while Instant::now() < deadline {
            let body = self.try_call("POST", "/element", json!({ "using": "xpath", "value": "//body" }));
            if let Ok(body) = body
                && let Some(element) = body[ELEMENT].as_str()
                && let Ok(shown) = self.try_call("GET", &format!("/element/{element}/text"), json!({}))
            {
                text = shown.as_str().unwrap_or_default().to_owned();
                if text.contains(expected) {
                    return text;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the page never showed {expected:?}; it shows:\n{text}");
    }

    fn path(&self) -> String {
        let url = self.call("GET", "/url", json!({}));
        let url = url.as_str().unwrap();
        url.splitn(4, '/').nth(3).map(|path| format!("/{path}")).unwrap_or_default()
    }

    /// Saves the whole page, beyond the window's height, as `<name>.png` (Chromium's own full-page capture).
    fn screenshot(&self, name: &str) {
        let capture = json!({ "cmd": "Page.captureScreenshot",
                              "params": { "format": "png", "captureBeyondViewport": true } });
        let png = self.call("POST", "/goog/cdp/execute", capture);
        let bytes = base64::engine::general_purpose::STANDARD.decode(png["data"].as_str().unwrap()).unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), bytes).unwrap();
    }
}

#[test]
fn a_visitor_books_on_a_phone_and_the_host_sees_them_in_the_queue() {
    let hub = TestHub::new("2027-01-05 11:00");
    hub.ok(&["demo"]);
    let server = hub.serve();
    let site = format!("http://{}", server.address);
    let browser = Browser::start();

    // A phone: the public page, then a session with a free time.
    browser.size(PHONE, 915);
    browser.open(&format!("{site}/"));
    let today = browser.text_with("Rooms now");
    assert!(today.contains("Drop-in help today"), "{today}");
    browser.screenshot("web-public-phone");
    browser.click("//a[strong[text()='CV and job applications']]");
    browser.text_with("Choose a time");
    browser.screenshot("web-session-phone");
    browser.click("//label[contains(., 'place free') or contains(., 'places free')]/input");
    browser.type_into("//input[@id='name']", "Nia Evans");
    browser.click("//button[@type='submit' and text()='Book my place']");
    let booked = browser.text_with("You have a place");
    assert!(booked.contains("CV and job applications"), "{booked}");
    browser.find("//div[@class='qr']/*[local-name()='svg']");
    browser.screenshot("web-booked-phone");

    // The host, at a desk: signs in with their PIN and sees Nia on the session's list.
    browser.size(DESK, 900);
    browser.open(&format!("{site}/login"));
    browser.click("//option[text()='Rhiannon Evans']");
    browser.type_into("//input[@id='pin']", "1357");
    browser.screenshot("web-sign-in");
    browser.click("//button[text()='Sign in']");
    browser.text_with("Signed in as Rhiannon Evans");
    assert_eq!(browser.path(), "/host");
    browser.screenshot("web-host-sessions");
    browser.click("(//a[text()='CV and job applications'])[1]");
    browser.text_with("Nia Evans (booked)");
    browser.screenshot("web-host-session");
    browser.click("//button[text()='Sign out']");
    browser.text_with("Hosts and staff: sign in");

    // Staff: the overview and the roll-call to print.
    browser.open(&format!("{site}/login"));
    browser.click("//option[text()='Sam Taylor']");
    browser.type_into("//input[@id='pin']", "2468");
    browser.click("//button[text()='Sign in']");
    browser.text_with("On site now");
    assert_eq!(browser.path(), "/staff");
    browser.screenshot("web-staff");
    browser.click("//a[text()='Roll-call to print']");
    browser.text_with("Tick each person once they are safe outside");
    browser.screenshot("web-roll-call");
}
