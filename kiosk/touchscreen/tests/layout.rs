//! The layout check over every screen and step, at every supported size, in every language, with normal and larger
//! text, over a crowded hub: nothing a person must read is cut, elided or broken mid-word, and every button is on
//! screen or visibly in a list that scrolls (see `common/layout.rs` for what is checked).

mod common;

use common::crowded;
use common::layout;
use common::tour::Tour;

const LANGUAGES: [&str; 4] = ["en", "cy", "pl", "uk"];

/// Runs the tour at `size` in every language and text size; fails listing every finding with its screen, size,
/// language and text size.
fn check_every_screen(size: (u32, u32), large_text: bool) {
    common::init_headless();
    let mut findings = Vec::new();
    let mut looked = 0;
    for language in LANGUAGES {
        let (_dir, mut hub) = common::empty_hub();
        let fixture = crowded::build(&mut hub);
        let window = common::open_app(hub, size);
        let tour = Tour::new(&window, language, large_text);
        tour.run(&fixture.cast(), |step| {
            looked += 1;
            let text = if large_text { "larger text" } else { "normal text" };
            // To look at what the check looked at: LAYOUT_PICTURES=dir cargo test -p kiosk-touchscreen --test layout
            if let Some(dir) = std::env::var_os("LAYOUT_PICTURES") {
                let name =
                    format!("{step}-{}x{}-{language}{}.png", size.0, size.1, if large_text { "-large" } else { "" });
                common::save_png(&window, &std::path::Path::new(&dir).join(name));
            }
            let missed = tour.missed.take().into_iter().map(|miss| format!("the tour before this step: {miss}"));
            for finding in layout::check(&window).iter().map(ToString::to_string).chain(missed) {
                findings.push(format!("{step} at {}×{}, {language}, {text}: {finding}", size.0, size.1));
            }
        });
    }
    eprintln!(
        "layout check at {}×{} (large text: {large_text}): {looked} screens, {} findings",
        size.0,
        size.1,
        findings.len()
    );
    assert!(findings.is_empty(), "{} findings:\n{}", findings.len(), findings.join("\n"));
}

#[test]
fn at_800x480() {
    check_every_screen((800, 480), false);
}

#[test]
fn at_800x480_larger_text() {
    check_every_screen((800, 480), true);
}

#[test]
fn at_720x1280() {
    check_every_screen((720, 1280), false);
}

#[test]
fn at_720x1280_larger_text() {
    check_every_screen((720, 1280), true);
}

#[test]
fn at_1280x800() {
    check_every_screen((1280, 800), false);
}

#[test]
fn at_1280x800_larger_text() {
    check_every_screen((1280, 800), true);
}

#[test]
fn crowded_names_are_forty_characters_and_all_different() {
    let names: std::collections::BTreeSet<String> = (0..240).map(crowded::person_name).collect();
    assert_eq!(names.len(), 240);
    for name in &names {
        assert_eq!(name.chars().count(), 40, "{name:?}");
    }
    assert_eq!(crowded::HUB_NAME.chars().count(), 50);
}
