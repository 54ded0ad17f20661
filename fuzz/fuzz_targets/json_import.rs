//! Any export file: the import accepts it whole or refuses it naming the place, never panics, and a refused import
//! leaves the hub empty.
#![no_main]

use booking_core::{HubExport, Store};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(document) = serde_json::from_slice::<HubExport>(data) else { return };
    let mut store = Store::open_in_memory().expect("an in-memory hub");
    if store.import(&document).is_err() {
        assert!(store.site().is_err(), "a refused import wrote something");
    }
});
