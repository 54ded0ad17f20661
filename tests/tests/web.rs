//! `kiosk serve`, the real binary: it listens on this machine only by default, and answers the public page and
//! its JSON from the hub's data.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

use end_to_end::TestHub;

fn get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Stops the server even when an assertion fails.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_server_answers_the_public_page_and_the_api() {
    let hub = TestHub::new("2027-01-05 11:00");
    hub.ok(&["demo"]);
    let mut server = Server(
        hub.command(&["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stderr = BufReader::new(server.0.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let address =
        line.trim().split("http://").nth(1).expect("the server says where it listens").trim_end_matches('/').to_owned();
    assert!(address.starts_with("127.0.0.1:"), "{line}");

    let page = get(&address, "/");
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.contains("<h1>Test Hub</h1>") && page.contains("Drop-in help today"), "{page}");
    let api = get(&address, "/api/v1/today");
    assert!(api.contains("content-type: application/json"), "{api}");
    assert!(api.contains("\"today\":\"Tuesday 5 January\""), "{api}");
    assert!(get(&address, "/nothing").starts_with("HTTP/1.1 404"));
}
