//! Every route, through the real router and a real database thread: status, content, refusals, the form token,
//! and the PIN lock shared with the kiosk.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::BodyExt;
use kiosk_runtime::demo::{DEMO_HOST_PIN, DEMO_STAFF_PIN};
use kiosk_runtime::worker::DatabaseThread;
use tower::ServiceExt;

use super::*;

/// The demo hub on Tuesday 5 January 2027 at 11:00, behind a real database thread.
fn demo_state() -> (tempfile::TempDir, WebState, DatabaseThread) {
    let now = Utc.with_ymd_and_hms(2027, 1, 5, 11, 0, 0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut hub = Hub::open(dir.path()).unwrap();
    kiosk_runtime::demo::run(&mut hub, now).unwrap();
    let database = DatabaseThread::spawn(hub).unwrap();
    let languages: Vec<String> = ["en", "cy", "pl"].map(String::from).to_vec();
    let state = WebState::start(database.sender(), Clock::Fixed(now), &languages).unwrap();
    (dir, state, database)
}

/// A browser: keeps cookies, and the last form token it saw.
struct Browser {
    state: WebState,
    cookies: HashMap<String, String>,
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    kind: String,
    body: String,
}

impl Answer {
    /// The value of the first hidden form token on the page.
    fn csrf(&self) -> String {
        let at = self.body.find("name=\"csrf\" value=\"").expect("a form on the page") + 19;
        self.body[at..at + 64].to_owned()
    }
}

impl Browser {
    fn new(state: &WebState) -> Browser {
        Browser { state: state.clone(), cookies: HashMap::new() }
    }

    async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Answer {
        let cookies: Vec<String> = self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect();
        let request = request.header(header::HOST, "hub.test").header(header::COOKIE, cookies.join("; "));
        let response = router(self.state.clone()).oneshot(request.body(body).unwrap()).await.unwrap();
        for set in response.headers().get_all(header::SET_COOKIE) {
            let text = set.to_str().unwrap();
            assert!(text.contains("HttpOnly") && text.contains("SameSite=Strict"), "{text}");
            let (name, value) = text.split(';').next().unwrap().split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status();
        let header_text =
            |name| response.headers().get(name).map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned());
        let (location, kind) = (header_text(header::LOCATION), header_text(header::CONTENT_TYPE).unwrap_or_default());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Answer { status, location, kind, body: String::from_utf8(body.to_vec()).unwrap() }
    }

    async fn get(&mut self, path: &str) -> Answer {
        self.send(Request::builder().uri(path), Body::empty()).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body: String =
            fields.iter().map(|(name, value)| format!("{name}={}", form_encode(value))).collect::<Vec<_>>().join("&");
        let request = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(request, Body::from(body)).await
    }

    async fn post_json(&mut self, path: &str, json: serde_json::Value) -> (StatusCode, serde_json::Value) {
        let request = Request::builder().method("POST").uri(path).header(header::CONTENT_TYPE, "application/json");
        let answer = self.send(request, Body::from(json.to_string())).await;
        (answer.status, serde_json::from_str(&answer.body).unwrap_or(serde_json::Value::Null))
    }

    async fn get_json(&mut self, path: &str) -> (StatusCode, serde_json::Value) {
        let answer = self.get(path).await;
        (answer.status, serde_json::from_str(&answer.body).unwrap_or(serde_json::Value::Null))
    }

    /// Signs in as `name` with `pin` through the sign-in form.
    async fn sign_in(&mut self, name: &str, pin: &str) -> Answer {
        let page = self.get("/login").await;
        let id = person_option(&page.body, name);
        self.post("/login", &[("csrf", &page.csrf()), ("person", &id), ("pin", pin)]).await
    }
}

fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (byte as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The value of the `<option>` naming `name`.
fn person_option(page: &str, name: &str) -> String {
    let end = page.find(&format!("\">{name}</option>")).unwrap_or_else(|| panic!("{name} is not offered"));
    let start = page[..end].rfind("value=\"").unwrap() + 7;
    page[start..end].trim_end_matches("\" selected").to_owned()
}

/// The id of the first session on the public page whose link text is `topic`, and its first radio's slot.
async fn session_and_slot(browser: &mut Browser, topic: &str) -> (String, String, Answer) {
    let today = browser.get("/").await;
    let end = today.body.find(&format!("\"><strong>{topic}</strong>")).expect("the session is listed");
    let start = today.body[..end].rfind("/sessions/").unwrap() + 10;
    let id = today.body[start..end].to_owned();
    let page = browser.get(&format!("/sessions/{id}")).await;
    // The first time with a place free (the demo has booked some).
    let line = page
        .body
        .split("<label>")
        .find(|label| label.contains("name=\"slot\"") && label.contains("free"))
        .expect("a free time");
    let at = line.find("value=\"").unwrap() + 7;
    let slot = line[at..].split('"').next().unwrap().to_owned();
    (id, slot, page)
}

#[tokio::test]
async fn the_public_page_and_its_json_agree_and_hold_no_personal_data() {
    let (_dir, state, _worker) = demo_state();
    let mut browser = Browser::new(&state);
    let page = browser.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.kind.starts_with("text/html"), "{}", page.kind);
    let (status, today) = browser.get_json("/api/v1/today").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(today["hub"], "Riverside Community Tech Hub");
    assert_eq!(today["date"], "2027-01-05");
    assert!(page.body.contains("Tuesday 5 January"));
    for room in today["rooms"].as_array().unwrap() {
        assert!(page.body.contains(&format!("<strong>{}</strong>", room["name"].as_str().unwrap())));
    }
    for session in today["sessions_today"].as_array().unwrap() {
        assert!(page.body.contains(session["topic"].as_str().unwrap()));
    }
    assert!(!today["rooms"].as_array().unwrap().is_empty() && !today["sessions_today"].as_array().unwrap().is_empty());
    let json = today.to_string();
    // Who booked what, and who hosts, is nobody else's business.
    for private in ["Ada Lovelace", "Grace Okafor", "Lovelace", "Robotics", "Podcast recording"] {
        assert!(!page.body.contains(private) && !json.contains(private), "{private} is on the public page");
    }
}

#[tokio::test]
async fn pages_come_in_the_language_asked_for_and_remember_it() {
    let (_dir, state, _worker) = demo_state();
    let mut browser = Browser::new(&state);
    let welsh = browser.get("/?lang=cy").await;
    let tuesday = chrono::NaiveDate::from_ymd_opt(2027, 1, 5).unwrap().format_localized("%A", Lang("cy").locale());
    assert!(welsh.body.contains("<html lang=\"cy\">") && welsh.body.contains(&tuesday.to_string()), "{}", welsh.body);
    assert!(welsh.body.contains(&Lang("cy").tr("Rooms now")) && Lang("cy").tr("Rooms now") != "Rooms now");
    let again = browser.get("/login").await;
    assert!(again.body.contains("<html lang=\"cy\">"), "the choice is remembered");
    let request = Request::builder().uri("/").header(header::ACCEPT_LANGUAGE, "pl-PL,pl;q=0.9");
    let polish = Browser::new(&state).send(request, Body::empty()).await;
    assert!(polish.body.contains("<html lang=\"pl\">"));
}

#[tokio::test]
async fn a_newcomer_books_a_place_by_name_and_gets_a_pass_that_opens_the_door() {
    let (_dir, state, _worker) = demo_state();
    let mut browser = Browser::new(&state);
    let (id, slot, page) = session_and_slot(&mut browser, "Benefits and money advice").await;
    let booked =
        browser.post(&format!("/sessions/{id}"), &[("csrf", &page.csrf()), ("slot", &slot), ("name", "Nia")]).await;
    assert_eq!(booked.status, StatusCode::OK, "{}", booked.body);
    assert!(booked.body.contains("You have a place") && booked.body.contains("<svg"), "{}", booked.body);
    assert!(state.changed.load(std::sync::atomic::Ordering::Relaxed), "the touchscreen is told at once");
    let code_at = booked.body.find("class=\"code\">").unwrap() + 13;
    let pass = booked.body[code_at..].split('<').next().unwrap().to_owned();
    // The pass checks Nia in at the kiosk on the day.
    let scanned = state
        .jobs
        .ask(move |hub| {
            let on_day = Utc.with_ymd_and_hms(2027, 1, 5, 13, 55, 0).unwrap();
            hub.store.scan(&hub.key, &pass, on_day).unwrap()
        })
        .await
        .unwrap();
    assert!(format!("{scanned:?}").contains("Nia"), "{scanned:?}");
    // The time is now full: the next person joins its waiting list, and the pass code books too.
    let page = browser.get(&format!("/sessions/{id}")).await;
    assert!(page.body.contains("full: join the waiting list"), "{}", page.body);
}

#[tokio::test]
async fn refusals_are_plain_and_keep_what_was_typed() {
    let (_dir, state, _worker) = demo_state();
    let mut browser = Browser::new(&state);
    let (id, slot, page) = session_and_slot(&mut browser, "CV and job applications").await;
    let path = format!("/sessions/{id}");
    let csrf = page.csrf();
    for (fields, expected) in [
        (vec![("name", "Nia")], "Please choose a time."),
        (vec![("slot", slot.as_str())], "Please write your name, or the code of your pass."),
        (vec![("slot", slot.as_str()), ("pass", "HKNOTAPASS")], "This code is not a pass for this hub."),
        (vec![("slot", slot.as_str()), ("name", "Nia\u{7}")], "invisible control characters"),
    ] {
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend(fields);
        let answer = browser.post(&path, &all).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            answer.body.contains("role=\"alert\"") && answer.body.contains(expected),
            "{expected}: {}",
            answer.body
        );
    }
    let kept = browser.post(&path, &[("csrf", &csrf), ("name", "<Nia & co>")]).await;
    assert!(kept.body.contains("value=\"&lt;Nia &amp; co&gt;\""), "the name is kept, escaped");
    let missing = browser.get("/sessions/99999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(browser.get("/sessions/not-a-number").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_form_without_the_token_or_from_another_site_changes_nothing() {
    let (_dir, state, _worker) = demo_state();
    let mut browser = Browser::new(&state);
    let (id, slot, page) = session_and_slot(&mut browser, "Benefits and money advice").await;
    let path = format!("/sessions/{id}");
    let wrong = browser.post(&path, &[("csrf", &"0".repeat(64)), ("slot", &slot), ("name", "Mallory")]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(wrong.body.contains("This form has expired or was sent from another website"));
    // Another site's page: the browser sends its Origin (and, with SameSite=Strict, none of our cookies).
    let request = Request::builder()
        .method("POST")
        .uri(&path)
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    let body = format!("csrf={}&slot={slot}&name=Mallory", page.csrf());
    assert_eq!(browser.send(request, Body::from(body)).await.status, StatusCode::FORBIDDEN);
    let mut stranger = Browser::new(&state);
    let body = format!("csrf={}&slot={slot}&name=Mallory", page.csrf());
    let request =
        Request::builder().method("POST").uri(&path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    assert_eq!(stranger.send(request, Body::from(body)).await.status, StatusCode::FORBIDDEN);
    let people = state.jobs.ask(|hub| hub.store.people(None).unwrap()).await.unwrap();
    assert!(people.iter().all(|person| person.display_name != "Mallory"), "nothing was booked");
}

#[tokio::test]
async fn a_host_signs_in_plans_changes_and_cancels_a_session_and_sees_who_booked() {
    let (_dir, state, _worker) = demo_state();
    let mut visitor = Browser::new(&state);
    let (id, slot, page) = session_and_slot(&mut visitor, "Benefits and money advice").await;
    visitor.post(&format!("/sessions/{id}"), &[("csrf", &page.csrf()), ("slot", &slot), ("name", "Nia")]).await;

    let mut host = Browser::new(&state);
    assert_eq!(host.get("/host").await.location.as_deref(), Some("/login"), "signed out goes to sign in");
    let signed = host.sign_in("Tomasz Nowak", DEMO_HOST_PIN).await;
    assert_eq!((signed.status, signed.location.as_deref()), (StatusCode::SEE_OTHER, Some("/host")));
    let mine = host.get("/host").await;
    assert!(mine.body.contains("Signed in as Tomasz Nowak") && mine.body.contains("Benefits and money advice"));
    assert!(!mine.body.contains("Digital help drop-in"), "only their own sessions");
    let detail = host.get(&format!("/host/sessions/{id}")).await;
    assert!(detail.body.contains("Nia (booked)"), "{}", detail.body);

    let csrf = detail.csrf();
    let fewer = host
        .post(
            &format!("/host/sessions/{id}"),
            &[("csrf", &csrf), ("action", "edit"), ("topic", "Money advice"), ("place", "Café"), ("places", "0")],
        )
        .await;
    assert_eq!(fewer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fewer.body.contains("A slot has 1 to 50 places, not 0."), "{}", fewer.body);
    let edited = host
        .post(
            &format!("/host/sessions/{id}"),
            &[("csrf", &csrf), ("action", "edit"), ("topic", "Money advice"), ("place", "Café"), ("places", "2")],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER);
    assert!(host.get(&format!("/host/sessions/{id}")).await.body.contains("<h1>Money advice</h1>"));
    let no_reason = host.post(&format!("/host/sessions/{id}"), &[("csrf", &csrf), ("action", "cancel")]).await;
    assert!(no_reason.body.contains("The reason is empty"), "{}", no_reason.body);
    host.post(&format!("/host/sessions/{id}"), &[("csrf", &csrf), ("action", "cancel"), ("reason", "Adviser ill")])
        .await;
    let public = visitor.get(&format!("/sessions/{id}")).await;
    assert!(public.body.contains("This session has been cancelled: Adviser ill"), "{}", public.body);

    let planned = host
        .post(
            "/host",
            &[
                ("csrf", &csrf),
                ("topic", "Pension questions"),
                ("place", "Meeting Room 2"),
                ("date", "2027-01-12"),
                ("from", "10:00"),
                ("until", "11:00"),
                ("minutes_each", "30"),
                ("places", "1"),
            ],
        )
        .await;
    assert_eq!(planned.status, StatusCode::SEE_OTHER, "{}", planned.body);
    let new_page = host.get(planned.location.as_deref().unwrap()).await;
    assert!(new_page.body.contains("Pension questions") && new_page.body.contains("10:30"));
    let past = host
        .post(
            "/host",
            &[
                ("csrf", &csrf),
                ("topic", "Late"),
                ("place", "Café"),
                ("date", "2027-01-04"),
                ("from", "10:00"),
                ("until", "11:00"),
                ("minutes_each", "30"),
                ("places", "1"),
            ],
        )
        .await;
    assert!(
        past.body.contains("That session is already over") && past.body.contains("value=\"Late\""),
        "{}",
        past.body
    );
    // Another host's session is not theirs to see, and the staff pages are not for hosts.
    let others = host.get("/").await;
    let grace_session = others.body.split("/sessions/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert_eq!(host.get(&format!("/host/sessions/{grace_session}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(host.get("/staff").await.status, StatusCode::FORBIDDEN);
    let out = host.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.location.as_deref(), Some("/"));
    assert_eq!(host.get("/host").await.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn staff_see_rooms_the_roll_call_the_export_and_the_calendars() {
    let (_dir, state, _worker) = demo_state();
    let mut staff = Browser::new(&state);
    assert_eq!(staff.get("/staff").await.location.as_deref(), Some("/login"));
    assert_eq!(staff.sign_in("Sam Taylor", DEMO_STAFF_PIN).await.location.as_deref(), Some("/staff"));
    let overview = staff.get("/staff").await;
    assert!(
        overview.body.contains("Podcast recording")
            && overview.body.contains("people on site")
            && overview.body.contains("0 waiting, 0 sent, 0 not sent."),
        "{}",
        overview.body
    );
    let on_site = state.jobs.ask(|hub| hub.store.roll_call().unwrap()).await.unwrap();
    assert!(!on_site.is_empty());
    let roll_call = staff.get("/staff/roll-call").await;
    for person in &on_site {
        assert!(roll_call.body.contains(&maud::html! { (person.display_name) }.into_string()));
    }
    assert!(roll_call.body.contains(&format!("{} people on site", on_site.len())));
    let export = staff.get("/staff/export.json").await;
    let document: booking_core::HubExport = serde_json::from_str(&export.body).unwrap();
    assert_eq!(document.format, booking_core::EXPORT_FORMAT);
    let (status, today) = staff.get_json("/api/v1/staff/today").await;
    assert_eq!((status, today["on_site"].as_array().unwrap().len()), (StatusCode::OK, on_site.len()));
    for feed in ["/calendar/all.ics", "/calendar/surgeries.ics", "/calendar/room-1.ics"] {
        let calendar = Browser::new(&state).get(feed).await;
        assert_eq!(calendar.status, StatusCode::OK, "{feed}");
        assert!(calendar.kind.starts_with("text/calendar") && calendar.body.starts_with("BEGIN:VCALENDAR"));
        assert!(!calendar.body.contains("Ada Lovelace"), "feeds hold no names");
    }
    assert_eq!(Browser::new(&state).get("/calendar/room-x.ics").await.status, StatusCode::NOT_FOUND);
    assert_eq!(Browser::new(&state).get("/staff/export.json").await.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn staff_see_room_calendars_a_failed_fetch_and_blocks_landing_on_bookings() {
    let (_dir, state, _worker) = demo_state();
    let now = Utc.with_ymd_and_hms(2027, 1, 5, 11, 0, 0).unwrap();
    state
        .jobs
        .ask(move |hub| {
            let day = booking_core::local_day(chrono_tz::Europe::London, now.date_naive());
            let podcast = hub.store.bookings_overlapping(day, None).unwrap();
            let podcast = podcast.iter().find(|booking| booking.title == "Podcast recording").unwrap();
            let stamp = |at: DateTime<Utc>| at.format("%Y%m%dT%H%M%SZ").to_string();
            let text = format!(
                "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:trustees\r\nSUMMARY:Trustees\r\nDTSTART:{}\r\nDTEND:{}\r\n\
                 END:VEVENT\r\nEND:VCALENDAR\r\n",
                stamp(podcast.slot.start()),
                stamp(podcast.slot.end())
            );
            hub.store.import_calendar("studio.ics", podcast.room_id, &text, now).unwrap();
            let url = "https://calendar.example.org/a-very-long-secret-address-that-must-wrap/basic.ics";
            let feed = booking_core::Subscription { url: url.into(), room: podcast.room_id, refresh_minutes: 15 };
            hub.store.set_subscriptions(&[feed], now).unwrap();
            let copy = booking_core::Fetched::Copy {
                text: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".into(),
                etag: None,
                last_modified: None,
            };
            hub.store.feed_fetched(url, copy, now - chrono::Duration::hours(2)).unwrap().unwrap();
            let failed = booking_core::Fetched::Failed("the server answered 500 Internal Server Error".into());
            hub.store.feed_fetched(url, failed, now).unwrap().unwrap_err();
        })
        .await
        .unwrap();
    let mut staff = Browser::new(&state);
    staff.sign_in("Sam Taylor", DEMO_STAFF_PIN).await;
    let page = staff.get("/staff").await.body;
    assert!(page.contains("Room calendars from elsewhere"), "{page}");
    assert!(page.contains("These land on bookings made here first"), "{page}");
    assert!(page.contains("<strong>Trustees</strong> · booking “Podcast recording”"), "{page}");
    assert!(page.contains("Last read Tuesday 5 January 09:00; 0 busy times ahead."), "{page}");
    assert!(
        page.contains("failed: the server answered 500 Internal Server Error. The last good copy stays."),
        "{page}"
    );
    let (_, today) = staff.get_json("/api/v1/staff/today").await;
    assert_eq!(today["room_calendars"].as_array().unwrap().len(), 2);
    let welsh = staff.get("/staff?lang=cy").await.body;
    assert!(welsh.contains("Calendrau ystafelloedd o fannau eraill"), "{welsh}");
}

#[tokio::test]
async fn wrong_pins_on_the_web_count_towards_the_kiosk_lock() {
    let (_dir, state, _worker) = demo_state();
    let mut browser = Browser::new(&state);
    let first = browser.sign_in("Rhiannon Evans", "0000").await;
    assert_eq!(first.status, StatusCode::UNAUTHORIZED);
    assert!(first.body.contains("That PIN is not right. 9 more tries"), "{}", first.body);
    browser.sign_in("Rhiannon Evans", "0000").await;
    browser.sign_in("Rhiannon Evans", "0000").await;
    let waiting = browser.sign_in("Rhiannon Evans", DEMO_HOST_PIN).await;
    assert_eq!(waiting.status, StatusCode::TOO_MANY_REQUESTS, "even the right PIN waits");
    assert!(waiting.body.contains("Please wait 5 seconds"));
    // The same count the kiosk keeps: its own check sees the wait too.
    let kiosk = state
        .jobs
        .ask(|hub| {
            let rhiannon = hub.store.person_by_name_or_id("Rhiannon Evans").unwrap();
            let now = Utc.with_ymd_and_hms(2027, 1, 5, 11, 0, 0).unwrap();
            hub.store.check_pin(rhiannon.id, &DEMO_HOST_PIN.parse().unwrap(), now).unwrap()
        })
        .await
        .unwrap();
    assert!(matches!(kiosk, booking_core::PinOutcome::Wait { .. }), "{kiosk:?}");
    let (status, body) = browser.post_json("/api/v1/login", serde_json::json!({ "person": 1, "pin": "12" })).await;
    assert_eq!((status, body["refused"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid")));
}

#[tokio::test]
async fn the_json_api_books_signs_in_and_manages_sessions() {
    let (_dir, state, _worker) = demo_state();
    let mut client = Browser::new(&state);
    let (id, slot, _) = session_and_slot(&mut client, "CV and job applications").await;
    let (status, detail) = client.get_json(&format!("/api/v1/sessions/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail["slots"].as_array().unwrap().iter().any(|known| known["id"] == slot.parse::<i64>().unwrap()));
    let slot: i64 = slot.parse().unwrap();
    let place = |name: &str| serde_json::json!({ "slot": slot, "name": name });
    let (status, booked) = client.post_json(&format!("/api/v1/sessions/{id}/places"), place("Nia")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(booked["pass"].as_str().unwrap().starts_with("HK") && booked["waiting_position"].is_null());
    let (_, waiting) = client.post_json(&format!("/api/v1/sessions/{id}/places"), place("Owen")).await;
    assert_eq!(waiting["waiting_position"], 1);
    let again = serde_json::json!({ "slot": slot, "pass": booked["pass"] });
    let (status, refused) = client.post_json(&format!("/api/v1/sessions/{id}/places"), again).await;
    assert_eq!((status, refused["refused"].as_str()), (StatusCode::CONFLICT, Some("already_booked")));
    assert_eq!(refused["reason"], "You already have a place at this time.");

    let (status, _) = client.get_json("/api/v1/host/sessions").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let rhiannon = state.jobs.ask(|hub| hub.store.person_by_name_or_id("Rhiannon Evans").unwrap().id).await.unwrap();
    let login = serde_json::json!({ "person": rhiannon, "pin": DEMO_HOST_PIN });
    let (status, me) = client.post_json("/api/v1/login", login).await;
    assert_eq!((status, me["name"].as_str()), (StatusCode::OK, Some("Rhiannon Evans")));
    let (_, mine) = client.get_json("/api/v1/host/sessions").await;
    assert!(mine.as_array().unwrap().iter().any(|session| session["id"] == id.parse::<i64>().unwrap()));
    let (_, queue) = client.get_json(&format!("/api/v1/host/sessions/{id}")).await;
    assert!(
        queue["slots"].as_array().unwrap().iter().any(|time| time["people"][0] == serde_json::json!(["Nia", "booked"]))
    );
    let (status, cancelled) = client
        .post_json(&format!("/api/v1/host/sessions/{id}"), serde_json::json!({ "action": "cancel", "reason": "Snow" }))
        .await;
    assert_eq!((status, cancelled["cancelled"].as_str()), (StatusCode::OK, Some("Snow")));
    let new = serde_json::json!({ "topic": "x", "place": "y", "date": "2027-03-28", "from": "01:30", "until": "03:00",
                                  "minutes_each": "30", "places": "1" });
    let (status, gap) = client.post_json("/api/v1/host/sessions", new).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(gap["reason"].as_str().unwrap().contains("the clocks go forward"), "{gap}");
    let (status, _) = client.get_json("/api/v1/staff/today").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn unknown_paths_are_a_plain_404() {
    let (_dir, state, _worker) = demo_state();
    let answer = Browser::new(&state).get("/admin").await;
    assert_eq!((answer.status, answer.body.as_str()), (StatusCode::NOT_FOUND, "There is no such page here."));
}

#[tokio::test]
async fn malformed_api_requests_get_a_plain_json_refusal() {
    let (_dir, state, _worker) = demo_state();
    let mut client = Browser::new(&state);
    let refused = |answer: Answer| {
        assert!(answer.kind.starts_with("application/json"), "{} {}", answer.kind, answer.body);
        let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        (answer.status, body["refused"].as_str().unwrap_or_default().to_owned())
    };
    let post = |path: &str, kind: Option<&str>, body: &str| {
        let request = Request::builder().method("POST").uri(path);
        let request = match kind {
            Some(kind) => request.header(header::CONTENT_TYPE, kind),
            None => request,
        };
        (request, Body::from(body.to_owned()))
    };
    let (request, body) = post("/api/v1/sessions/1/places", None, r#"{"slot": 1, "name": "Nia"}"#);
    assert_eq!(refused(client.send(request, body).await), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_json".into()));
    let (request, body) = post("/api/v1/sessions/1/places", Some("application/json"), "{\"slot\": ");
    assert_eq!(refused(client.send(request, body).await), (StatusCode::BAD_REQUEST, "malformed".into()));
    let (request, body) = post("/api/v1/login", Some("application/json"), r#"{"person": "one", "pin": "1234"}"#);
    assert_eq!(refused(client.send(request, body).await), (StatusCode::UNPROCESSABLE_ENTITY, "invalid".into()));
    for path in
        ["/api/v1/sessions/abc", "/api/v1/sessions/0", "/api/v1/sessions/99999999999999999999", "/api/v1/nothing"]
    {
        assert_eq!(refused(client.get(path).await), (StatusCode::NOT_FOUND, "not_found".into()), "{path}");
    }
    let (request, body) = (Request::builder().method("DELETE").uri("/api/v1/today"), Body::empty());
    assert_eq!(
        refused(client.send(request, body).await),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed".into())
    );
    let (status, answer) =
        client.post_json("/api/v1/sessions/1/places", serde_json::json!({ "slot": 999_999, "name": "Nia" })).await;
    assert_eq!(
        (status, answer["refused"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found")),
        "a time of another session"
    );
}

/// The id of the demo room called `name`.
fn room_id(state: &WebState, name: &str) -> i64 {
    let boards = state.boards.latest().expect("the boards are read before the first page");
    boards.rooms.iter().find(|room| room.name == name).map(|room| room.room_id.0).expect("a demo room")
}

#[tokio::test]
async fn a_room_display_shows_now_and_next_with_no_names_and_no_private_titles() {
    let (_dir, state, _worker) = demo_state();
    let mut tablet = Browser::new(&state);
    let studio = room_id(&state, "Studio");
    let page = tablet.get(&format!("/display/room/{studio}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>Studio</h1>") && page.body.contains("In use"), "{}", page.body);
    assert!(page.body.contains("until 12:00"), "the podcast runs 11:00–12:00");
    assert!(!page.body.contains("Podcast recording"), "a private booking's title stays off the display");
    assert!(page.body.contains("YouTube channel club"), "a public booking's title shows");
    assert!(page.body.contains("<svg") && page.body.contains("/live"), "the QR code and the live stream");
    assert!(page.body.contains("http-equiv=\"refresh\""), "a browser without JavaScript reloads");
    for name in kiosk_runtime::demo::MEMBERS.iter().chain(kiosk_runtime::demo::HOSTS) {
        assert!(!page.body.contains(name), "{name} is on the display");
    }
    let welsh = tablet.get(&format!("/display/room/{studio}?lang=cy")).await;
    assert!(welsh.body.contains("Mewn defnydd") && welsh.body.contains("lang=\"cy\""));
    assert_eq!(tablet.get("/display/room/99999").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_lobby_shows_every_room_and_todays_sessions_with_no_names() {
    let (_dir, state, _worker) = demo_state();
    let lobby = Browser::new(&state).get("/display/lobby").await;
    assert_eq!(lobby.status, StatusCode::OK);
    for room in ["Workshop", "Studio", "Meeting Room 1", "Meeting Room 2", "Makerspace", "Café"] {
        assert!(lobby.body.contains(room), "{room} is missing");
    }
    assert!(lobby.body.contains("Small business clinic"), "a public title, next in Meeting Room 1");
    assert!(lobby.body.contains("Drop-in help today") && lobby.body.contains("free"), "{}", lobby.body);
    for name in kiosk_runtime::demo::MEMBERS.iter().chain(kiosk_runtime::demo::HOSTS) {
        assert!(!lobby.body.contains(name), "{name} is on the lobby display");
    }
}

/// The next event of a live stream, if one comes within `wait`.
async fn next_event(body: &mut Body, wait: std::time::Duration) -> Option<String> {
    loop {
        let frame = tokio::time::timeout(wait, body.frame()).await.ok()??.ok()?;
        if let Ok(data) = frame.into_data() {
            let text = String::from_utf8(data.to_vec()).unwrap();
            if text.starts_with("data:") {
                return Some(text);
            }
        }
    }
}

#[tokio::test]
async fn a_booking_at_the_door_shows_on_the_live_display_within_two_seconds_and_checks_in() {
    let (_dir, state, _worker) = demo_state();
    let room = room_id(&state, "Meeting Room 2");
    let request = Request::builder().uri(format!("/display/room/{room}/live")).header(header::HOST, "hub.test");
    let stream = router(state.clone()).oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(stream.headers()[header::CONTENT_TYPE], "text/event-stream");
    let mut body = stream.into_body();
    let first = next_event(&mut body, std::time::Duration::from_secs(2)).await.expect("the board at once");
    assert!(first.contains("Free") && first.contains("until 12:00"), "{first}");

    let mut phone = Browser::new(&state);
    let page = phone.get(&format!("/rooms/{room}")).await;
    assert!(page.body.contains("free until 12:00") && page.body.contains("Book this room now"), "{}", page.body);
    let until = page.body.split("name=\"until\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let fields = [("csrf", page.csrf()), ("action", "book".into()), ("until", until), ("name", "Robin".into())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let booked = phone.post(&format!("/rooms/{room}"), &fields).await;
    assert_eq!(booked.status, StatusCode::OK, "{}", booked.body);
    assert!(booked.body.contains("The room is yours until 11:30."), "{}", booked.body);

    let changed = next_event(&mut body, std::time::Duration::from_secs(2)).await.expect("the change within 2 s");
    assert!(changed.contains("In use") && changed.contains("until 11:30"), "{changed}");
    assert!(!changed.contains("Robin") && !changed.contains("Booked at the door"), "no name, no private title");

    let pass = booked.body.split("<p class=\"code\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let check_in = [("csrf", page.csrf()), ("action", "check_in".into()), ("pass", pass)];
    let check_in: Vec<(&str, &str)> = check_in.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let arrived = phone.post(&format!("/rooms/{room}"), &check_in).await;
    assert!(arrived.body.contains("You are checked in. The room is yours until 11:30."), "{}", arrived.body);
    let elsewhere = phone.post(&format!("/rooms/{}", room_id(&state, "Studio")), &check_in).await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(elsewhere.body.contains("This pass has no booking in this room now."), "{}", elsewhere.body);
}

#[tokio::test]
async fn staff_open_and_close_joining_on_the_web() {
    let (_dir, state, _worker) = demo_state();
    let mut visitor = Browser::new(&state);
    assert!(visitor.get("/join").await.body.contains("Joining on the web is closed just now"));
    let mut staff = Browser::new(&state);
    staff.sign_in("Sam Taylor", DEMO_STAFF_PIN).await;
    let page = staff.get("/staff").await;
    assert!(page.body.contains("Closed: people join at the desk."), "{}", page.body);
    let switched = staff.post("/staff/sign-up", &[("csrf", &page.csrf()), ("open", "yes")]).await;
    assert_eq!(switched.location.as_deref(), Some("/staff"));
    assert!(visitor.get("/join").await.body.contains("Send me the link"));
    assert!(visitor.get("/").await.body.contains("href=\"/join\""));
    // Only staff can switch it.
    let page = visitor.get("/join").await;
    let refused = visitor.post("/staff/sign-up", &[("csrf", &page.csrf()), ("open", "no")]).await;
    assert_ne!(refused.location.as_deref(), Some("/staff"), "sent to sign in instead");
    assert!(visitor.get("/join").await.body.contains("Send me the link"), "still open");
}

#[tokio::test]
async fn an_event_is_on_the_public_page_and_the_lobby_and_takes_registrations_then_a_waiting_list() {
    let (_dir, state, _worker) = demo_state();
    let at = |hour, minute| Utc.with_ymd_and_hms(2027, 1, 5, hour, minute, 0).unwrap();
    let event = state
        .jobs
        .ask(move |hub| {
            let room = hub.store.room_by_name("Workshop").unwrap().id;
            let new = booking_core::NewEvent {
                room,
                time: booking_core::Slot::new(at(18, 0), at(19, 30)).unwrap(),
                title: "Repair café".into(),
                description: "Bring something broken".into(),
                host: None,
                capacity: 1,
            };
            hub.store.add_event(&new, at(11, 0)).unwrap().unwrap().id
        })
        .await
        .unwrap();
    let mut phone = Browser::new(&state);
    let today = phone.get("/").await;
    assert!(
        today.body.contains("Events this week") && today.body.contains(&format!("/events/{event}")),
        "{}",
        today.body
    );
    let page = phone.get(&format!("/events/{event}")).await;
    assert!(page.body.contains("Bring something broken") && page.body.contains("1 place free"), "{}", page.body);
    let taken = phone.post(&format!("/events/{event}"), &[("csrf", &page.csrf()), ("name", "Nia")]).await;
    assert!(taken.body.contains("You have a place") && taken.body.contains("<svg"), "{}", taken.body);
    let full = phone.get(&format!("/events/{event}")).await;
    assert!(full.body.contains("Full: waiting list open") && full.body.contains("Join the waiting list"));
    let waiting = phone.post(&format!("/events/{event}"), &[("csrf", &full.csrf()), ("name", "Sam")]).await;
    assert!(waiting.body.contains("You are number 1 on the waiting list"), "{}", waiting.body);
    let nobody = phone.post(&format!("/events/{event}"), &[("csrf", &full.csrf()), ("name", "")]).await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The displays' feed reads the change within its poll.
    let mut lobby = String::new();
    for _ in 0..50 {
        lobby = phone.get("/display/lobby").await.body;
        if lobby.contains("Repair café") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(lobby.contains("Events today") && lobby.contains("Full: waiting list open"), "{lobby}");
    assert!(!lobby.contains("Nia") && !lobby.contains("Sam"), "no names on the lobby display");
    assert_eq!(phone.get("/events/99999").await.status, StatusCode::NOT_FOUND);
}
