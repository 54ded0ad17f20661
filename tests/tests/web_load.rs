//! Load on loopback: 50 clients for 20 seconds (`HUB_LOAD_CLIENTS`, `HUB_LOAD_SECONDS` to change) against the real
//! `kiosk serve`, each reading the public page, the JSON and a session page, and every tenth request booking a
//! place through the API, so reads (on their own read-only connection) run beside real writes (on the one database
//! thread). No request may fail;
//! the latencies are printed (the figures in docs/performance.md come from a release build of this test).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use end_to_end::{TestHub, http_get};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

/// One request on a fresh connection, sent as a browser sends it (in one piece, with Nagle's algorithm off: `write!`
/// on a bare stream sends each piece of the format as a packet of its own); the status code, or `None` if the
/// exchange broke.
fn request(address: &str, method: &str, path: &str, json: Option<&str>) -> Option<u16> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream.set_nodelay(true).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let body = json.unwrap_or("");
    let kind = if json.is_some() { "Content-Type: application/json\r\n" } else { "" };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{kind}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let head = String::from_utf8_lossy(&response[..response.len().min(16)]).into_owned();
    head.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

fn get_json(address: &str, path: &str) -> serde_json::Value {
    serde_json::from_str(http_get(address, path).split_once("\r\n\r\n").unwrap().1).unwrap()
}

#[test]
fn fifty_clients_for_twenty_seconds_without_a_failed_request() {
    let (clients, seconds) = (setting("HUB_LOAD_CLIENTS", 50), setting("HUB_LOAD_SECONDS", 20));
    let hub = TestHub::new("2027-01-05 09:00");
    hub.ok(&["demo"]);
    let server = hub.serve();
    let today = get_json(&server.address, "/api/v1/today");
    let session = today["sessions_today"][0]["id"].as_i64().expect("a session today");
    let detail = get_json(&server.address, &format!("/api/v1/sessions/{session}"));
    let slots: Vec<i64> = detail["slots"].as_array().unwrap().iter().map(|slot| slot["id"].as_i64().unwrap()).collect();

    let stop = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..clients)
        .map(|client| {
            let (address, slots) = (server.address.clone(), slots.clone());
            let session_page = format!("/sessions/{session}");
            std::thread::spawn(move || {
                let (mut latencies, mut failures, mut booked) = (Vec::new(), Vec::new(), 0);
                let mut n = 0usize;
                while Instant::now() < stop {
                    n += 1;
                    let started = Instant::now();
                    let (status, wanted): (Option<u16>, &[u16]) = match n % 10 {
                        0 => {
                            let slot = slots[(client as usize + n) % slots.len()];
                            let json = format!("{{\"slot\": {slot}, \"name\": \"Load {client}-{n}\"}}");
                            let path = format!("/api/v1/sessions/{session}/places");
                            (request(&address, "POST", &path, Some(&json)), &[201])
                        }
                        1 | 2 => (request(&address, "GET", "/api/v1/today", None), &[200]),
                        3 => (request(&address, "GET", &session_page, None), &[200]),
                        _ => (request(&address, "GET", "/", None), &[200]),
                    };
                    latencies.push((wanted == [201], started.elapsed()));
                    match status {
                        Some(201) => booked += 1,
                        Some(code) if wanted.contains(&code) => {}
                        other => failures.push(format!("request {n} of client {client}: {other:?}")),
                    }
                }
                (latencies, failures, booked)
            })
        })
        .collect();
    let (mut latencies, mut failures, mut booked) = (Vec::new(), Vec::new(), 0);
    for worker in workers {
        let (mine, failed, places) = worker.join().unwrap();
        latencies.extend(mine);
        failures.extend(failed);
        booked += places;
    }
    // Percentiles of all requests, of the reads alone and of the bookings alone (durable commits on the one writer).
    let of_kind = |writes: bool| -> Vec<Duration> {
        let mut kind: Vec<Duration> =
            latencies.iter().filter(|(write, _)| *write == writes).map(|(_, took)| *took).collect();
        kind.sort();
        kind
    };
    let (reads, writes) = (of_kind(false), of_kind(true));
    let mut latencies: Vec<Duration> = latencies.into_iter().map(|(_, took)| took).collect();
    latencies.sort();
    let ms = |sorted: &[Duration], fraction: f64| {
        sorted[((sorted.len() as f64 * fraction) as usize).min(sorted.len() - 1)].as_secs_f64() * 1e3
    };
    println!(
        "{clients} clients, {seconds} s: {} requests ({:.0}/s), {booked} places booked, p50 {:.1} ms, p99 {:.1} ms, \
         max {:.1} ms, {} failed; reads alone: p50 {:.1} ms, p99 {:.1} ms; bookings alone: p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        latencies.len() as f64 / seconds as f64,
        ms(&latencies, 0.50),
        ms(&latencies, 0.99),
        ms(&latencies, 1.0),
        failures.len(),
        ms(&reads, 0.50),
        ms(&reads, 0.99),
        ms(&writes, 0.50),
        ms(&writes, 0.99),
    );
    assert!(failures.is_empty(), "{} failed requests, first: {:?}", failures.len(), &failures[..failures.len().min(5)]);
    assert!(booked > 0, "bookings went through under load");
    // Every place booked is in the database exactly once, and no slot is over-filled.
    let database = hub.database();
    let stored: i64 = database
        .query_row("SELECT count(*) FROM people WHERE display_name LIKE 'Load %'", [], |row| row.get(0))
        .unwrap();
    assert_eq!(stored, booked as i64);
    let over: i64 = database
        .query_row(
            "SELECT count(*) FROM surgery_slots s WHERE (SELECT count(*) FROM slot_seats WHERE slot_id = s.id
             AND status IN ('booked','arrived','seen')) > s.seats",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(over, 0);
}
