//! Language and text size. Switching language changes every screen at once.

use std::rc::Rc;

use slint::ComponentHandle;

use super::{Kiosk, welcome};
use crate::ui::{MainWindow, Settings};

/// The languages the kiosk is translated into, by their code in `translations/` (the configuration file checks
/// against the same list).
pub const LANGUAGES: &[&str] = firmware_config::LANGUAGES;

pub fn connect(window: &MainWindow, kiosk: &Rc<Kiosk>) {
    let settings = window.global::<Settings>();
    let offered = &kiosk.languages;
    settings.set_offer_en(offered.iter().any(|code| code == "en"));
    settings.set_offer_cy(offered.iter().any(|code| code == "cy"));
    settings.set_offer_pl(offered.iter().any(|code| code == "pl"));
    choose_language(window, kiosk.default_language());
    let weak = window.as_weak();
    let kiosk = kiosk.clone();
    window.global::<Settings>().on_language_chosen(move |language| {
        let Some(window) = weak.upgrade() else { return };
        choose_language(&window, &language);
        welcome::refresh_clock(&window, &kiosk);
    });
}

pub fn choose_language(window: &MainWindow, language: &str) {
    if !LANGUAGES.contains(&language) {
        return;
    }
    // English is the source language: selecting it means "no translation".
    let bundle = if language == "en" { "" } else { language };
    if let Err(error) = slint::select_bundled_translation(bundle) {
        eprintln!("kiosk: could not switch to {language}: {error}");
        return;
    }
    window.global::<Settings>().set_language(language.into());
}

/// chrono's locale for day and month names in the chosen language.
pub fn locale(language: &str) -> chrono::Locale {
    match language {
        "cy" => chrono::Locale::cy_GB,
        "pl" => chrono::Locale::pl_PL,
        _ => chrono::Locale::en_GB,
    }
}
