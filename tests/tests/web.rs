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
