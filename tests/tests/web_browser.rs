//! The web pages in a real browser: Debian's Chromium, headless, driven over WebDriver by chromedriver (both
//! installed by `tests/run`) through the `fantoccini` client. A visitor books a place in a drop-in session on the
//! public page from a phone-sized window; the host signs in with their PIN and finds them in the session's list;
//! staff open the roll-call.
//! Every page is saved as a PNG in `target/web-screenshots/` (the ones in docs/screenshots/ come from here).

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use end_to_end::TestHub;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Window widths: a common phone, and a desk.
const PHONE: u32 = 412;
const DESK: u32 = 1100;

/// chromedriver, ended when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One headless Chromium through chromedriver, over the `fantoccini` WebDriver client.
struct Browser {
    client: Client,
    _driver: Driver,
    _profile: tempfile::TempDir,
    shots: PathBuf,
}

/// A Chrome DevTools command, which plain WebDriver lacks: chromedriver runs it (`goog/cdp/execute`).
#[derive(Debug)]
struct Cdp(Value);

impl Cdp {
    /// `Page.captureScreenshot` of the whole page, beyond the window's height.
    fn full_page_screenshot() -> Cdp {
        Cdp(json!({ "cmd": "Page.captureScreenshot", "params": { "format": "png", "captureBeyondViewport": true } }))
    }

    /// `Page.printToPDF` on A4 paper, as the browser's own print would lay the page out.
    fn print_on_a4() -> Cdp {
        Cdp(json!({ "cmd": "Page.printToPDF",
                    "params": { "paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": true } }))
    }
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

impl Browser {
    async fn start() -> Browser {
        let port = end_to_end::free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (apt-get install chromium chromium-driver; tests/run does)");
        let driver = Driver(driver);
        let profile = tempfile::tempdir().unwrap();
        let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("web-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
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
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args }
        });
        let Value::Object(capabilities) = capabilities else { unreachable!() };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("Chromium starts");
        Browser { client, _driver: driver, _profile: profile, shots }
    }

    async fn size(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
    }

    async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    async fn find(&self, xpath: &str) -> fantoccini::elements::Element {
        self.client.find(Locator::XPath(xpath)).await.unwrap_or_else(|error| panic!("nothing matches {xpath}: {error}"))
    }

    async fn click(&self, xpath: &str) {
        self.find(xpath).await.click().await.unwrap();
    }

    async fn type_into(&self, xpath: &str, text: &str) {
        self.find(xpath).await.send_keys(text).await.unwrap();
    }

    /// The page's visible text once it shows `expected` (a submitted form's answer may still be on its way).
    async fn text_with(&self, expected: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut text = String::new();
        while Instant::now() < deadline {
            if let Ok(body) = self.client.find(Locator::XPath("//body")).await
                && let Ok(shown) = body.text().await
            {
                text = shown;
                if text.contains(expected) {
                    return text;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page never showed {expected:?}; it shows:\n{text}");
    }

    async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    /// Saves the whole page, beyond the window's height, as `<name>.png` (Chromium's own full-page capture).
    async fn screenshot(&self, name: &str) {
        let png = self.client.issue_cmd(Cdp::full_page_screenshot()).await.unwrap();
        let bytes = base64::engine::general_purpose::STANDARD.decode(png["data"].as_str().unwrap()).unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), bytes).unwrap();
    }

    /// The page printed on A4, saved as `<name>.pdf`; returns how many pages it took.
    async fn print(&self, name: &str) -> usize {
        let pdf = self.client.issue_cmd(Cdp::print_on_a4()).await.unwrap();
        let bytes = base64::engine::general_purpose::STANDARD.decode(pdf["data"].as_str().unwrap()).unwrap();
        std::fs::write(self.shots.join(format!("{name}.pdf")), &bytes).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
    }

    async fn close(self) {
        self.client.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_books_on_a_phone_and_the_host_sees_them_in_the_queue() {
    let hub = TestHub::new("2027-01-05 11:00");
    hub.ok(&["demo"]);
    let server = hub.serve();
    let site = format!("http://{}", server.address);
    let browser = Browser::start().await;

    // A phone: the public page, then a session with a free time.
    browser.size(PHONE, 915).await;
    browser.open(&format!("{site}/")).await;
    let today = browser.text_with("Rooms now").await;
    assert!(today.contains("Drop-in help today"), "{today}");
    browser.screenshot("web-public-phone").await;
    browser.click("//a[strong[text()='CV and job applications']]").await;
    browser.text_with("Choose a time").await;
    browser.screenshot("web-session-phone").await;
    browser.click("//label[contains(., 'place free') or contains(., 'places free')]/input").await;
    browser.type_into("//input[@id='name']", "Nia Evans").await;
    browser.click("//button[@type='submit' and text()='Book my place']").await;
    let booked = browser.text_with("You have a place").await;
    assert!(booked.contains("CV and job applications"), "{booked}");
    browser.find("//div[@class='qr']/*[local-name()='svg']").await;
    browser.screenshot("web-booked-phone").await;

    // The host, at a desk: signs in with their PIN and sees Nia on the session's list.
    browser.size(DESK, 900).await;
    browser.open(&format!("{site}/login")).await;
    browser.click("//option[text()='Rhiannon Evans']").await;
    browser.type_into("//input[@id='pin']", "1357").await;
    browser.screenshot("web-sign-in").await;
    browser.click("//button[text()='Sign in']").await;
    browser.text_with("Signed in as Rhiannon Evans").await;
    assert_eq!(browser.path().await, "/host");
    browser.screenshot("web-host-sessions").await;
    browser.click("(//a[text()='CV and job applications'])[1]").await;
    browser.text_with("Nia Evans (booked)").await;
    browser.screenshot("web-host-session").await;
    browser.click("//button[text()='Sign out']").await;
    browser.text_with("Hosts and staff: sign in").await;

    // Staff: the overview and the roll-call to print.
    browser.open(&format!("{site}/login")).await;
    browser.click("//option[text()='Sam Taylor']").await;
    browser.type_into("//input[@id='pin']", "2468").await;
    browser.click("//button[text()='Sign in']").await;
    browser.text_with("On site now").await;
    assert_eq!(browser.path().await, "/staff");
    browser.screenshot("web-staff").await;
    browser.click("//a[text()='Roll-call to print']").await;
    browser.text_with("Tick each person once they are safe outside").await;
    browser.screenshot("web-roll-call").await;
    browser.close().await;
}

/// Display sizes: a tablet on its side and upright beside a door, and a TV in the lobby.
const DISPLAYS: [(u32, u32); 3] = [(1280, 800), (800, 1280), (1920, 1080)];

#[tokio::test(flavor = "multi_thread")]
async fn a_booking_made_at_the_kiosk_shows_on_the_room_display_within_two_seconds() {
    let hub = TestHub::new("2027-01-05 11:00");
    hub.ok(&["demo"]);
    let server = hub.serve();
    let site = format!("http://{}", server.address);
    let browser = Browser::start().await;

    // Someone in the drop-in's walk-in queue is being called: the lobby shows their number.
    for _ in 0..2 {
        hub.ok(&["surgery", "queue", "take", "1"]);
    }
    hub.ok(&["surgery", "queue", "call", "1"]);
    let event = ["event", "add", "--room", "Makerspace", "--start", "16:00", "--duration", "2h", "--places", "12"];
    hub.ok(&[&event[..], &["--title", "Repair café"]].concat());

    // Both displays at each size, as people across the room see them.
    let rooms = hub.json(&["room", "list"]);
    let room_id = |name: &str| {
        rooms.as_array().unwrap().iter().find(|room| room["name"] == name).map(|room| room["id"].clone()).unwrap()
    };
    for (width, height) in DISPLAYS {
        browser.size(width, height).await;
        browser.open(&format!("{site}/display/room/{}", room_id("Studio"))).await;
        browser.text_with("In use").await;
        browser.screenshot(&format!("display-room-{width}x{height}")).await;
        browser.open(&format!("{site}/display/lobby")).await;
        let lobby = browser.text_with("Now calling").await;
        assert!(lobby.contains("Digital help drop-in") && lobby.contains("Repair café"), "{lobby}");
        browser.screenshot(&format!("display-lobby-{width}x{height}")).await;
    }
    browser.size(1280, 800).await;
    browser.open(&format!("{site}/display/room/{}?lang=cy", room_id("Studio"))).await;
    browser.text_with("Mewn defnydd").await;
    browser.screenshot("display-room-cymraeg-1280x800").await;

    // Meeting Room 2 is free until noon; the kiosk books it (another process, writing the hub's database).
    browser.open(&format!("{site}/display/room/{}", room_id("Meeting Room 2"))).await;
    browser.text_with("Free").await;
    let booked_at = Instant::now();
    hub.ok(&["book", "--room", "Meeting Room 2", "--start", "11:15", "--end", "11:45", "--title", "Tenants' meeting"]);
    let shown = browser.text_with("until 11:15").await;
    let took = booked_at.elapsed();
    eprintln!("the room display showed the kiosk's booking {} ms after it was made", took.as_millis());
    assert!(took < Duration::from_secs(2), "the display took {took:?} to show the booking");
    assert!(shown.contains("11:15\u{2060}–\u{2060}11:45 Booked"), "{shown}");
    assert!(!shown.contains("Tenants' meeting"), "a booking is private unless booked as public");
    browser.screenshot("display-room-booked-1280x800").await;

    // The display's QR code, read from the screen by a decoder we did not write, opens the room's page on a phone,
    // where a person books the free time before the kiosk's booking.
    let shot = image::open(browser.shots.join("display-room-booked-1280x800.png")).unwrap().to_luma8();
    let (_, link) = rqrr::PreparedImage::prepare(shot).detect_grids()[0].decode().unwrap();
    assert_eq!(link, format!("{site}/rooms/{}", room_id("Meeting Room 2")));
    browser.size(PHONE, 915).await;
    browser.open(&link).await;
    browser.text_with("Book this room now").await;
    browser.screenshot("web-room-phone").await;
    browser.type_into("//input[@id='name']", "Robin").await;
    browser.click("//button[text()='Book this room now']").await;
    let booked = browser.text_with("The room is yours until").await;
    assert!(booked.contains("Meeting Room 2") && !booked.contains("Have you booked this room?"), "{booked}");
    browser.screenshot("web-room-booked-phone").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_joins_on_a_phone_and_gets_their_member_pass() {
    let hub = TestHub::new("2027-01-05 11:00");
    hub.ok(&["demo"]);
    hub.ok(&["site", "sign-up", "on"]);
    let server = hub.serve();
    let site = format!("http://{}", server.address);
    let browser = Browser::start().await;
    browser.size(PHONE, 915).await;
    browser.open(&format!("{site}/")).await;
    browser.click("//a[@href='/join']").await;
    browser.text_with("Members have a pass").await;
    browser.type_into("//input[@id='name']", "Nia Evans").await;
    browser.type_into("//input[@id='email']", "nia@example.org").await;
    browser.click("//input[@name='agree']").await;
    browser.screenshot("web-join-phone").await;
    browser.click("//button[text()='Send me the link']").await;
    browser.text_with("Please check your e-mail").await;
    browser.screenshot("web-join-sent-phone").await;

    // The link the e-mail carries (no mail server here: it waits in the hub's outbox).
    let facts: String = hub
        .database()
        .query_row("SELECT facts FROM messages WHERE kind = 'confirm_sign_up'", [], |row| row.get(0))
        .unwrap();
    let link = serde_json::from_str::<Value>(&facts).unwrap()["link"].as_str().unwrap().to_owned();
    browser.open(&link).await;
    browser.click("//button[text()='Confirm and get my pass']").await;
    let welcome = browser.text_with("Welcome, Nia Evans!").await;
    assert!(welcome.contains("This is your member pass"), "{welcome}");
    browser.find("//div[@class='qr']/*[local-name()='svg']").await;
    browser.screenshot("web-join-welcome-phone").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unconference_is_proposed_and_voted_on_phones_and_the_organiser_fills_the_grid() {
    let hub = TestHub::new("2027-01-05 09:00");
    hub.ok(&["room", "add", "Main hall", "--capacity", "30"]);
    hub.ok(&["room", "add", "Studio", "--capacity", "6"]);
    hub.ok(&["person", "add", "Rhiannon Evans", "--role", "host"]);
    hub.run_with_input(&["staff", "set-pin", "Rhiannon Evans"], "1357\n");
    let blocks = "10:00-11:00,11:15-12:15";
    let open = ["unconference", "open", "--title", "Open Tuesday", "--organiser", "Rhiannon Evans", "--rooms"];
    hub.ok(&[&open[..], &["Main hall,Studio", "--blocks", blocks]].concat());
    hub.ok(&["unconference", "propose", "1", "--title", "Repair café", "--name", "Gwen"]);
    hub.ok(&["person", "add", "Ola Kowalska", "--role", "member"]);
    let ola_pass = hub.json(&["pass", "issue", "Ola Kowalska"])["payload"].as_str().unwrap().to_owned();
    let server = hub.serve();
    let site = format!("http://{}", server.address);

    // Nia proposes a session on her phone, from the public page, and is given a day pass to vote with.
    let nia = Browser::start().await;
    nia.size(PHONE, 915).await;
    nia.open(&format!("{site}/")).await;
    nia.click("//a[strong[text()='Open Tuesday']]").await;
    nia.text_with("Propose a session").await;
    nia.type_into("//input[@id='title']", "Mesh networks for our street").await;
    nia.type_into("//input[@id='line']", "Sharing the internet between neighbours").await;
    nia.type_into("//input[@id='name']", "Nia Evans").await;
    nia.click("//button[text()='Propose it']").await;
    nia.text_with("This is your pass for the day").await;
    nia.find("//div[@class='qr']/*[local-name()='svg']").await;
    nia.text_with("You are voting as Nia Evans").await;
    nia.screenshot("web-unconference-proposed-phone").await;

    // Ola votes from a second phone with her pass; Nia's page shows the count without being reloaded.
    let ola = Browser::start().await;
    ola.size(PHONE, 915).await;
    ola.open(&format!("{site}/unconference/1")).await;
    ola.type_into("//input[@id='voter-pass']", &ola_pass).await;
    ola.click("//button[text()='Vote with this pass']").await;
    ola.text_with("You are voting as Ola Kowalska").await;
    ola.click("//button[@aria-label='Vote for Mesh networks for our street']").await;
    ola.text_with("Thank you: your vote is counted.").await;
    let seen = ola.text_with("You voted for this").await;
    assert!(seen.contains("Votes: 1"), "{seen}");
    ola.screenshot("web-unconference-voted-phone").await;
    let live = nia.text_with("Votes: 1").await;
    assert!(!live.contains("Ola"), "counts are shown, voters are not: {live}");

    // The organiser signs in at a desk and fills the grid: the most-voted session gets the big room, first.
    ola.size(DESK, 900).await;
    ola.open(&format!("{site}/login")).await;
    ola.click("//option[text()='Rhiannon Evans']").await;
    ola.type_into("//input[@id='pin']", "1357").await;
    ola.click("//button[text()='Sign in']").await;
    ola.text_with("Signed in as Rhiannon Evans").await;
    ola.open(&format!("{site}/unconference/1")).await;
    ola.click("//button[text()='Fill the grid']").await;
    ola.text_with("The grid is filled. Sessions on it: 2.").await;
    ola.screenshot("web-unconference-filled-desk").await;
    let board = hub.json(&["unconference", "board", "1"]);
    let mesh = board["proposals"].as_array().unwrap().iter().find(|line| line["votes"] == 1).unwrap();
    assert_eq!(mesh["cell"], json!({ "room": 0, "block": 0 }), "{board}");

    // Nia's phone shows the programme at once; the lobby display shows the sessions of the coming block.
    let programme = nia.text_with("Main hall\nMesh networks for our street").await;
    assert!(programme.contains("Studio\nRepair café"), "{programme}");
    nia.screenshot("web-unconference-board-phone").await;
    for (width, height) in DISPLAYS {
        nia.size(width, height).await;
        nia.open(&format!("{site}/display/lobby")).await;
        nia.text_with("Open Tuesday").await;
        nia.text_with("Mesh networks for our street").await;
        nia.screenshot(&format!("display-lobby-unconference-{width}x{height}")).await;
    }

    // The programme prints on one page.
    nia.open(&format!("{site}/unconference/1/print")).await;
    nia.text_with("Mesh networks for our street").await;
    assert_eq!(nia.print("unconference-programme").await, 1, "the programme fits one page");
    nia.close().await;
    ola.close().await;
}
