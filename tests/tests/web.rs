//! `kiosk serve`, the real binary: it listens on this machine only by default, and answers the public page and
//! its JSON from the hub's data.

use end_to_end::{TestHub, http_get as get};

#[test]
fn the_server_answers_the_public_page_and_the_api() {
    let hub = TestHub::new("2027-01-05 11:00");
    hub.ok(&["demo"]);
    let server = hub.serve();
    let address = server.address.clone();
    assert!(address.starts_with("127.0.0.1:"), "{address}");

    let page = get(&address, "/");
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.contains("<h1>Test Hub</h1>") && page.contains("Drop-in help today"), "{page}");
    let api = get(&address, "/api/v1/today");
    assert!(api.contains("content-type: application/json"), "{api}");
    assert!(api.contains("\"date\":\"2027-01-05\""), "{api}");
    assert!(get(&address, "/nothing").starts_with("HTTP/1.1 404"));
}

#[test]
fn the_public_page_shows_a_change_made_anywhere_at_once() {
    // The page is read once per change and served from memory in between: a change by another process (here a
    // room added from the command line) or by the server's own writer must show on the very next request.
    let hub = TestHub::new("2027-01-05 11:00");
    hub.ok(&["demo"]);
    let server = hub.serve();
    let address = server.address.clone();
    for _ in 0..2 {
        let before = get(&address, "/");
        assert!(before.contains("Drop-in help today") && !before.contains("Quiet Booth"), "{before}");
    }
    hub.ok(&["room", "add", "Quiet Booth", "--capacity", "1"]);
    let page = get(&address, "/");
    assert!(page.contains("Quiet Booth"), "a room added from the command line shows at once: {page}");
    assert!(get(&address, "/api/v1/today").contains("Quiet Booth"));
}
