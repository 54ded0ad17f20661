//! Messages to people through a real SMTP server (aiosmtpd, tests/smtp/receiver.py, installed by tests/run): a
//! host hears of their visitor within seconds of the check-in, in their language; messages wait while the server
//! is down and go, each once, when it is back; and a bad setting is said in plain words.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use end_to_end::{TestHub, free_port, http_get, http_post_json};

/// aiosmtpd's Python, as tests/run installs it.
fn python() -> PathBuf {
    let installed = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/tools/aiosmtpd/bin/python"));
    assert!(
        installed.exists(),
        "{} is missing: run the tests with tests/run, which installs aiosmtpd",
        installed.display()
    );
    installed
}

/// A port nothing listens on just now.
/// The SMTP server, writing what it receives into a folder; stopped when dropped.
struct Receiver(Child);

impl Receiver {
    fn start(port: u16, folder: &Path) -> Receiver {
        Receiver::start_with(port, folder, &[])
    }

    /// With receiver.py's options: `--tls`, `--login USER:PASSWORD`, `--delay SECONDS`.
    fn start_with(port: u16, folder: &Path, options: &[&str]) -> Receiver {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/smtp/receiver.py");
        let mut child = Command::new(python())
            .args([script, &port.to_string(), folder.to_str().unwrap()])
            .args(options)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the SMTP server starts");
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.as_mut().unwrap()), &mut line).unwrap();
        assert_eq!(line.trim(), "ready");
        Receiver(child)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The messages received so far, in order, as Python's e-mail parser reads them: headers decoded, then the text.
fn received(folder: &Path) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .map(|entries| entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect())
        .unwrap_or_default();
    files.retain(|path| path.extension().is_some_and(|ext| ext == "txt"));
    files.sort_by_key(|path| path.file_stem().and_then(|stem| stem.to_str()?.parse::<u32>().ok()));
    files.iter().map(|path| std::fs::read_to_string(path).unwrap()).collect()
}

/// Waits up to `within` for `count` messages; how long it took.
fn wait_for(folder: &Path, count: usize, within: Duration) -> Duration {
    let start = Instant::now();
    while received(folder).len() < count {
        assert!(start.elapsed() < within, "{count} messages did not arrive within {within:?}: {:?}", received(folder));
        std::thread::sleep(Duration::from_millis(50));
    }
    start.elapsed()
}

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(": "))
}

/// A configuration file whose `[notify.email]` section is `email` (with `from` added).
fn config_with(hub: &TestHub, email: &str) -> PathBuf {
    let path = hub.dir.path().join("kiosk.toml");
    let site = "[site]\nname = \"Test Hub\"\ntime_zone = \"Europe/London\"\nsafe_capacity = 40\n";
    let text = format!("{site}\n[notify.email]\n{email}\nfrom = \"Test Hub <kiosk@example.org>\"\n");
    std::fs::write(&path, text).unwrap();
    path
}

/// Sending to a relay on this machine, with no encryption and no login.
fn config(hub: &TestHub, port: u16) -> PathBuf {
    config_with(hub, &format!("server = \"127.0.0.1\"\nsecurity = \"none\"\nport = {port}"))
}

/// What `kiosk notify test` says with the configuration file `config`.
fn test_message(hub: &TestHub, config: &Path) -> end_to_end::Run {
    hub.run(&["--config", config.to_str().unwrap(), "notify", "test", "--to", "me@example.org"])
}

#[test]
fn a_host_is_emailed_when_their_visitor_arrives_and_nothing_is_lost_while_the_server_is_down() {
    let hub = TestHub::new("2027-01-05 09:30");
    hub.ok(&["person", "add", "Grace Host", "--role", "host"]);
    hub.ok(&["person", "add", "Tomasz Host", "--role", "host", "--contact", "tomasz@example.org"]);
    hub.ok(&["person", "contact", "Grace Host", "--email", "grace@example.org", "--agree", "--language", "cy"]);
    let (port, folder) = (free_port(), hub.dir.path().join("mailbox"));
    let receiver = Receiver::start(port, &folder);
    let _server = hub.serve_configured(&config(&hub, port));

    let scanned = Instant::now();
    hub.ok(&[
        "walk-in",
        "Sam Visitor",
        "--reason",
        "visiting",
        "--visiting",
        "Grace Host",
        "--contact",
        "sam@example.org",
        "--agree",
    ]);
    wait_for(&folder, 1, Duration::from_secs(5));
    let took = scanned.elapsed();
    let first = &received(&folder)[0];
    assert!(header(first, "To").is_some_and(|to| to.contains("grace@example.org")), "{first}");
    assert_eq!(header(first, "Subject"), Some("Mae Sam Visitor wrth y drws ffrynt"), "in Welsh, as she chose");
    assert!(first.contains("Helo Grace Host,") && first.contains("I'w hatal"), "{first}");
    assert!(!first.contains("sam@example.org"), "never the visitor's contact");
    // Tomasz has a contact but never agreed to be contacted: his visitor checks in, nothing is sent.
    hub.ok(&["walk-in", "Ola", "--reason", "visiting", "--visiting", "Tomasz Host", "--agree"]);
    eprintln!("the host's e-mail arrived {} ms after the walk-in command started", took.as_millis());

    // The server goes away: the next message waits, counted as tried, and goes once it is back.
    drop(receiver);
    hub.ok(&["walk-in", "Nia", "--reason", "visiting", "--visiting", "Grace Host", "--agree"]);
    let start = Instant::now();
    let status = loop {
        let status = hub.json(&["notify", "status"]);
        if status["messages"][0]["attempts"].as_u64() >= Some(1) {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "no try was made: {status}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status["counts"]["pending"], 1, "{status}");
    let error = status["messages"][0]["last_error"].as_str().unwrap_or_default();
    assert!(error.contains(&format!("Nothing answers at 127.0.0.1 port {port}")), "{error}");
    let waiting = hub.ok(&["notify", "status"]).stdout;
    assert!(waiting.contains("1 waiting, 1 sent, 0 not sent."), "{waiting}");

    let back = Instant::now();
    let _receiver = Receiver::start(port, &folder);
    wait_for(&folder, 2, Duration::from_secs(20));
    eprintln!(
        "after the outage, the waiting message arrived {} ms after the server came back",
        back.elapsed().as_millis()
    );
    std::thread::sleep(Duration::from_secs(2));
    let all = received(&folder);
    assert_eq!(all.len(), 2, "each message once: {all:?}");
    let ids: Vec<_> = all.iter().map(|message| header(message, "Message-ID").unwrap().to_owned()).collect();
    assert_ne!(ids[0], ids[1]);
    assert!(all[1].contains("Nia"), "{}", all[1]);
    assert_eq!(hub.json(&["notify", "status"])["counts"], serde_json::json!({ "pending": 0, "sent": 2, "failed": 0 }));
}

/// The JSON body of an HTTP answer.
fn json_body(answer: &str) -> serde_json::Value {
    serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap_or_default()).unwrap_or_default()
}

#[test]
fn a_place_booked_on_a_phone_is_confirmed_with_a_pass_that_opens_the_door_and_a_calendar_invitation() {
    let hub = TestHub::new("2027-01-05 09:30");
    hub.ok(&["person", "add", "Grace Host", "--role", "host"]);
    hub.ok(&[
        "surgery",
        "add",
        "--topic",
        "CV help",
        "--host",
        "Grace Host",
        "--place",
        "Café",
        "--start",
        "14:00",
        "--duration",
        "1h",
    ]);
    hub.ok(&["person", "add", "Ada Member", "--role", "member"]);
    hub.ok(&["person", "contact", "Ada Member", "--email", "ada@example.org", "--agree"]);
    let pass = hub.json(&["pass", "issue", "Ada Member"])["payload"].as_str().unwrap().to_owned();
    let (port, folder) = (free_port(), hub.dir.path().join("mailbox"));
    let _receiver = Receiver::start(port, &folder);
    let server = hub.serve_configured(&config(&hub, port));

    let today = json_body(&http_get(&server.address, "/api/v1/today"));
    let session = today["sessions_today"][0]["id"].as_i64().unwrap();
    let detail = json_body(&http_get(&server.address, &format!("/api/v1/sessions/{session}")));
    let slot = detail["slots"][0]["id"].as_i64().unwrap();
    let booked = http_post_json(
        &server.address,
        &format!("/api/v1/sessions/{session}/places"),
        &serde_json::json!({ "slot": slot, "pass": pass }).to_string(),
    );
    assert!(booked.starts_with("HTTP/1.1 201"), "{booked}");
    wait_for(&folder, 1, Duration::from_secs(5));
    let message = &received(&folder)[0];
    assert_eq!(header(message, "Subject"), Some("Booked: CV help, Tuesday 5 January at 14:00"), "{message}");
    assert!(message.contains("CV help at Café is booked for you on Tuesday 5 January, 14:00"), "{message}");

    // The QR code decodes, with a reader we did not write, to a pass the kiosk lets in.
    let png = image::load_from_memory(&std::fs::read(folder.join("0-0.png")).unwrap()).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(png);
    let (_, decoded) = prepared.detect_grids()[0].decode().unwrap();
    assert_eq!(decoded, pass);
    assert!(hub.ok(&["scan", &decoded]).stdout.starts_with("Welcome, Ada!"));

    // The invitation parses with an iCalendar parser we did not write, and lands in the person's calendar.
    let ics = std::fs::read_to_string(folder.join("0-1.ics")).unwrap();
    let calendar = ical::IcalParser::new(ics.as_bytes()).next().unwrap().unwrap();
    let value = |properties: &[ical::property::Property], name: &str| {
        properties.iter().find(|property| property.name == name).and_then(|property| property.value.clone())
    };
    assert_eq!(value(&calendar.properties, "METHOD").as_deref(), Some("REQUEST"));
    let event = &calendar.events[0].properties;
    assert_eq!(value(event, "DTSTART").as_deref(), Some("20270105T140000"));
    assert_eq!(value(event, "SUMMARY").as_deref(), Some("CV help"));
    assert_eq!(value(event, "ATTENDEE").as_deref(), Some("mailto:ada@example.org"));
    let uid = value(event, "UID").unwrap();
    assert!(uid.starts_with("seat-"), "{ics}");

    // The host calls the session off: the person is told why, and the update takes it out of their calendar.
    hub.ok(&["surgery", "call-off", &session.to_string(), "--reason", "The host is ill"]);
    wait_for(&folder, 2, Duration::from_secs(5));
    let cancelled = &received(&folder)[1];
    assert_eq!(header(cancelled, "Subject"), Some("Cancelled: CV help, Tuesday 5 January at 14:00"), "{cancelled}");
    assert!(cancelled.contains("The reason given: The host is ill"), "{cancelled}");
    let update = std::fs::read_to_string(folder.join("1-0.ics")).unwrap();
    let update = ical::IcalParser::new(update.as_bytes()).next().unwrap().unwrap();
    assert_eq!(value(&update.properties, "METHOD").as_deref(), Some("CANCEL"));
    assert_eq!(value(&update.events[0].properties, "UID"), Some(uid), "the same event, so the calendar removes it");
    assert_eq!(value(&update.events[0].properties, "STATUS").as_deref(), Some("CANCELLED"));
}

#[test]
fn a_message_cut_off_by_a_crash_is_sent_again_with_the_same_message_id() {
    let hub = TestHub::new("2027-01-05 09:30");
    hub.ok(&["person", "add", "Grace Host", "--role", "host"]);
    hub.ok(&["person", "contact", "Grace Host", "--email", "grace@example.org", "--agree"]);
    let (port, folder) = (free_port(), hub.dir.path().join("mailbox"));
    // The server takes the whole message, then waits before saying it is accepted: the kiosk is killed meanwhile.
    let _receiver = Receiver::start_with(port, &folder, &["--delay", "2"]);
    let config = config(&hub, port);
    let mut server = hub.serve_configured(&config);
    hub.ok(&["walk-in", "Sam Visitor", "--reason", "visiting", "--visiting", "Grace Host", "--agree"]);
    let start = Instant::now();
    while !folder.join("0.eml").exists() {
        assert!(start.elapsed() < Duration::from_secs(5), "the message never reached the server");
        std::thread::sleep(Duration::from_millis(20));
    }
    server.child.kill().unwrap(); // SIGKILL: no chance to record anything
    server.child.wait().unwrap();
    assert_eq!(hub.json(&["notify", "status"])["counts"]["pending"], 1, "not recorded as sent");

    let _again = hub.serve_configured(&config);
    wait_for(&folder, 2, Duration::from_secs(20));
    let start = Instant::now();
    while hub.json(&["notify", "status"])["counts"]["sent"] != 1 {
        assert!(start.elapsed() < Duration::from_secs(10), "the second try was not recorded");
        std::thread::sleep(Duration::from_millis(100));
    }
    let messages = received(&folder);
    let ids: Vec<&str> = messages.iter().map(|message| header(message, "Message-ID").unwrap()).collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1], "sent again as the same message, so the receiver counts it once");
}

#[test]
fn a_test_message_says_in_plain_words_what_failed() {
    let hub = TestHub::new("2027-01-05 09:30");
    let port = free_port();
    let path = config(&hub, port);
    let refused = hub.run(&["--config", path.to_str().unwrap(), "notify", "test", "--to", "me@example.org"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert_eq!(
        refused.stdout.trim(),
        format!("Nothing answers at 127.0.0.1 port {port}: is the mail server running, and is the port right?")
    );

    let folder = hub.dir.path().join("mailbox");
    let _receiver = Receiver::start(port, &folder);
    hub.ok(&["--config", path.to_str().unwrap(), "notify", "test", "--to", "me@example.org"]);
    let test = &received(&folder)[0];
    assert!(test.contains("If you can read it, the kiosk can send e-mail."), "{test}");

    let missing = hub.run(&["notify", "test", "--to", "me@example.org"]);
    assert!(missing.stdout.contains("No mail server is set up"), "{}", missing.stdout);

    // Encrypted from the start, to a server that speaks plain SMTP: the handshake fails.
    let tls = config_with(&hub, &format!("server = \"127.0.0.1\"\nsecurity = \"tls\"\nport = {port}"));
    let tls = test_message(&hub, &tls);
    let expected = format!("A secure (TLS) connection to 127.0.0.1 port {port} could not be made");
    assert!(tls.stdout.starts_with(&expected), "{}", tls.stdout);
    let unknown = test_message(&hub, &config_with(&hub, "server = \"no-such-mail-server.invalid\"\nport = 587"));
    assert_eq!(
        unknown.stdout.trim(),
        "The mail server's name no-such-mail-server.invalid was not found: check notify.email.server."
    );
}

#[test]
fn a_login_over_starttls_is_checked_and_a_wrong_password_said_plainly() {
    let hub = TestHub::new("2027-01-05 09:30");
    let (port, folder) = (free_port(), hub.dir.path().join("mailbox"));
    let _receiver = Receiver::start_with(port, &folder, &["--tls", "--login", "kiosk:right horse"]);
    let password = hub.dir.path().join("smtp-password");
    let authority = folder.join("ca.pem");
    let settings = |with_authority: bool| {
        let mut email = format!(
            "server = \"localhost\"\nsecurity = \"starttls\"\nport = {port}\nusername = \"kiosk\"\n\
             password_file = \"{}\"",
            password.display()
        );
        if with_authority {
            email += &format!("\ncertificate_file = \"{}\"", authority.display());
        }
        config_with(&hub, &email)
    };
    std::fs::write(&password, "wrong horse\n").unwrap();
    let wrong = test_message(&hub, &settings(true));
    assert_eq!(
        wrong.stdout.trim(),
        "The mail server localhost refused the login: check notify.email.username and the password file."
    );
    // Without the server's certificate authority the kiosk does not trust it, and says so.
    let untrusted = test_message(&hub, &settings(false));
    assert!(untrusted.stdout.starts_with("A secure (TLS) connection to localhost port"), "{}", untrusted.stdout);
    std::fs::write(&password, "right horse\n").unwrap();
    hub.ok(&["--config", settings(true).to_str().unwrap(), "notify", "test", "--to", "me@example.org"]);
    assert_eq!(received(&folder).len(), 1);
}

/// The calendar file that came with message `index` (numbered from 0 as they arrived), parsed by a parser we did
/// not write: its METHOD, SEQUENCE and UID.
fn invitation(folder: &Path, index: usize) -> (String, String, String) {
    let file = std::fs::read_dir(folder)
        .unwrap()
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .find(|path| {
            let name = path.file_name().unwrap().to_str().unwrap();
            name.starts_with(&format!("{index}-")) && name.ends_with(".ics")
        })
        .unwrap_or_else(|| panic!("message {index} came with no calendar file"));
    let ics = std::fs::read_to_string(file).unwrap();
    let calendar = ical::IcalParser::new(ics.as_bytes()).next().unwrap().unwrap();
    let value = |properties: &[ical::property::Property], name: &str| {
        properties.iter().find(|property| property.name == name).and_then(|property| property.value.clone()).unwrap()
    };
    let event = &calendar.events[0].properties;
    (value(&calendar.properties, "METHOD"), value(event, "SEQUENCE"), value(event, "UID"))
}

#[test]
fn a_booker_is_reminded_the_day_before_and_told_of_a_move_and_a_cancellation_in_their_calendar() {
    // Ada books the Studio for tomorrow morning today; the kiosk runs the next morning, within a day of it.
    let mut hub = TestHub::new("2027-01-04 10:00");
    hub.ok(&["room", "add", "Studio", "--capacity", "6"]);
    hub.ok(&["person", "add", "Ada Lovelace", "--role", "member"]);
    hub.ok(&["person", "contact", "Ada Lovelace", "--email", "ada@example.org", "--agree"]);
    let booked = hub.json(&[
        "book",
        "--room",
        "Studio",
        "--start",
        "2027-01-05 11:00",
        "--duration",
        "1h",
        "--by",
        "Ada Lovelace",
        "--title",
        "Band practice",
    ]);
    let booking = booked["id"].as_i64().unwrap().to_string();
    hub.now = "2027-01-05 09:00".into();
    let (port, folder) = (free_port(), hub.dir.path().join("mailbox"));
    let _receiver = Receiver::start(port, &folder);
    let _server = hub.serve_configured(&config(&hub, port));

    wait_for(&folder, 2, Duration::from_secs(10));
    let mail = received(&folder);
    assert_eq!(header(&mail[0], "Subject"), Some("Booked: Band practice, Tuesday 5 January at 11:00"), "{}", mail[0]);
    assert_eq!(header(&mail[1], "Subject"), Some("Reminder: Band practice, Tuesday 5 January at 11:00"), "{}", mail[1]);
    assert!(mail[1].contains("If you cannot come, please tell the hub"), "{}", mail[1]);

    hub.ok(&["move", &booking, "--start", "14:00"]);
    hub.ok(&["cancel", &booking, "--reason", "The studio is flooded"]);
    wait_for(&folder, 4, Duration::from_secs(10));
    let mail = received(&folder);
    assert_eq!(
        header(&mail[2], "Subject"),
        Some("Moved: Band practice, now Tuesday 5 January at 14:00"),
        "{}",
        mail[2]
    );
    assert_eq!(header(&mail[3], "Subject"), Some("Cancelled: Band practice, Tuesday 5 January at 14:00"));
    assert!(mail[3].contains("The reason given: The studio is flooded"), "{}", mail[3]);
    let (first, moved, cancelled) = (invitation(&folder, 0), invitation(&folder, 2), invitation(&folder, 3));
    assert_eq!((first.0.as_str(), first.1.as_str()), ("REQUEST", "0"));
    assert_eq!((moved.0.as_str(), moved.1.as_str()), ("REQUEST", "1"), "the move updates the same event");
    assert_eq!((cancelled.0.as_str(), cancelled.1.as_str()), ("CANCEL", "2"));
    assert!(first.2 == moved.2 && moved.2 == cancelled.2, "one UID: {first:?} {moved:?} {cancelled:?}");
    let reminder_files = std::fs::read_dir(&folder)
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().file_name().to_str().unwrap().starts_with("1-"))
        .count();
    assert_eq!(reminder_files, 0, "a reminder changes nothing in the calendar");
}

/// The webhook receiver (tests/webhook/receiver.py, Python's standard library), checking signatures with `secret`.
fn webhook_receiver(port: u16, folder: &Path, secret: &str) -> Receiver {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/webhook/receiver.py");
    let mut child = Command::new("python3")
        .args([script, &port.to_string(), folder.to_str().unwrap(), secret])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.as_mut().unwrap()), &mut line).unwrap();
    assert_eq!(line.trim(), "ready");
    Receiver(child)
}

/// What the webhook receiver got so far, in order.
fn posted(folder: &Path) -> Vec<serde_json::Value> {
    (0..)
        .map(|index| folder.join(format!("{index}.json")))
        .take_while(|path| path.exists())
        .map(|path| serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
        .collect()
}

#[test]
fn a_webhook_gets_each_message_signed_and_a_retry_does_not_send_the_email_twice() {
    let hub = TestHub::new("2027-01-05 09:30");
    hub.ok(&["person", "add", "Grace Host", "--role", "host"]);
    hub.ok(&["person", "contact", "Grace Host", "--email", "grace@example.org", "--agree"]);
    let secret_file = hub.dir.path().join("webhook-secret");
    std::fs::write(&secret_file, "a long random secret\n").unwrap();
    let (mail_port, hook_port) = (free_port(), free_port());
    let (mailbox, hooks) = (hub.dir.path().join("mailbox"), hub.dir.path().join("hooks"));
    let config = hub.dir.path().join("kiosk.toml");
    let text = format!(
        "[site]\nname = \"Test Hub\"\ntime_zone = \"Europe/London\"\nsafe_capacity = 40\n\n\
         [notify.email]\nserver = \"127.0.0.1\"\nsecurity = \"none\"\nport = {mail_port}\nfrom = \"Test Hub <kiosk@example.org>\"\n\n\
         [[notify.webhook]]\nname = \"front-door\"\nurl = \"http://127.0.0.1:{hook_port}/hub\"\nsecret_file = \"{}\"\n",
        secret_file.display()
    );
    std::fs::write(&config, text).unwrap();
    let config_arg = config.to_str().unwrap();

    // Nothing listens at the webhook yet: the test says so plainly.
    let refused = hub.run(&["--config", config_arg, "notify", "test", "--webhook", "front-door"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stdout.contains("Nothing answers at the webhook front-door's address"), "{}", refused.stdout);

    let _mail = Receiver::start(mail_port, &mailbox);
    let _server = hub.serve_configured(&config);
    hub.ok(&["walk-in", "Sam Visitor", "--reason", "visiting", "--visiting", "Grace Host", "--agree"]);
    wait_for(&mailbox, 1, Duration::from_secs(5));

    // The webhook comes up later: the message reaches it on a retry, and the e-mail is not sent again.
    std::thread::sleep(Duration::from_secs(2));
    let started = Instant::now();
    let _hooks = webhook_receiver(hook_port, &hooks, "a long random secret");
    while posted(&hooks).is_empty() {
        assert!(started.elapsed() < Duration::from_secs(30), "the webhook never got the message");
        std::thread::sleep(Duration::from_millis(50));
    }
    let post = &posted(&hooks)[0];
    assert_eq!(post["signature_ok"], true, "the receiver checked the signature: {post}");
    assert_eq!(post["event"], "visitor_arrived");
    let body: serde_json::Value = serde_json::from_str(post["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["text"], "Grace Host: Sam Visitor is at the front door", "{body}");
    assert_eq!(
        (body["kind"].as_str(), body["to"].as_str(), body["hub"].as_str()),
        (Some("visitor_arrived"), Some("Grace Host"), Some("Test Hub"))
    );
    assert_eq!(body["id"], post["message_id"], "the stable key, in the body and the header");
    assert!(!post["body"].as_str().unwrap().contains("grace@example.org"), "never an address");
    let message_id = header(&received(&mailbox)[0], "Message-ID").unwrap().to_owned();
    assert!(message_id.contains(body["id"].as_str().unwrap()), "{message_id} vs {body}");

    let tested = hub.run(&["--config", config_arg, "notify", "test", "--webhook", "front-door"]);
    assert_eq!(tested.code, 0, "{tested:?}");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(received(&mailbox).len(), 1, "the e-mail went once");
    assert_eq!(posted(&hooks).len(), 2, "the message once, and the test");
    let status = hub.ok(&["notify", "status"]).stdout;
    assert!(status.starts_with("0 waiting, 1 sent, 0 not sent."), "{status}");
}

/// The form token of a page: the cookie it set and the hidden field's value are the same.
fn form_token(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a form on the page") + 19;
    page[at..at + 64].to_owned()
}

#[test]
fn a_person_joins_on_the_web_confirms_by_the_emailed_link_and_their_emailed_pass_opens_the_door() {
    let hub = TestHub::new("2027-01-05 09:30");
    let (port, folder) = (free_port(), hub.dir.path().join("mailbox"));
    let _receiver = Receiver::start(port, &folder);
    let server = hub.serve_configured(&config(&hub, port));
    let closed = end_to_end::http_get(&server.address, "/join");
    assert!(closed.contains("Joining on the web is closed just now"), "{closed}");
    hub.ok(&["site", "sign-up", "on"]);
    assert!(http_get(&server.address, "/").contains("href=\"/join\""), "the public page says how to join");

    let page = http_get(&server.address, "/join");
    let token = form_token(&page);
    let cookie = format!("hub_csrf={token}");
    let unticked = format!("csrf={token}&name=Nia+Evans&email=nia%40example.org");
    let refused = end_to_end::http_post_form(&server.address, "/join", &cookie, &unticked);
    assert!(refused.starts_with("HTTP/1.1 422") && refused.contains("Please tick the box"), "{refused}");
    let asked = end_to_end::http_post_form(&server.address, "/join", &cookie, &format!("{unticked}&agree=yes"));
    assert!(asked.contains("Please check your e-mail"), "{asked}");

    wait_for(&folder, 1, Duration::from_secs(5));
    let confirm = &received(&folder)[0];
    assert_eq!(header(confirm, "Subject"), Some("Confirm that you want to join Test Hub"), "{confirm}");
    assert!(confirm.contains("this address was given to join Test Hub"), "no agreement is claimed yet: {confirm}");
    let link = confirm.lines().find(|line| line.contains("/join/confirm?token=")).expect("the link").trim().to_owned();
    let path = link.split_once(&server.address).expect("a link to this server").1.to_owned();
    let landing = http_get(&server.address, &path);
    assert!(landing.contains("Confirm and get my pass"), "opening the link changes nothing by itself: {landing}");
    let secret = path.rsplit('=').next().unwrap();
    let token = form_token(&landing);
    let joined = end_to_end::http_post_form(
        &server.address,
        "/join/confirm",
        &format!("hub_csrf={token}"),
        &format!("csrf={token}&token={secret}"),
    );
    assert!(joined.contains("Welcome, Nia Evans!"), "{joined}");

    wait_for(&folder, 2, Duration::from_secs(5));
    let welcome = &received(&folder)[1];
    assert_eq!(header(welcome, "Subject"), Some("Welcome to Test Hub: your member pass"), "{welcome}");
    let png = image::load_from_memory(&std::fs::read(folder.join("1-0.png")).unwrap()).unwrap().to_luma8();
    let (_, pass) = rqrr::PreparedImage::prepare(png).detect_grids()[0].decode().unwrap();
    assert!(hub.ok(&["scan", &pass]).stdout.starts_with("Welcome, Nia"), "the e-mailed pass checks her in");
    let people = hub.json(&["person", "list"]);
    let nia = people.as_array().unwrap().iter().find(|person| person["display_name"] == "Nia Evans").unwrap();
    assert_eq!(nia["role"], "member", "{nia}");
}
