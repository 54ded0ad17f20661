//! Language and text size. Switching language changes every screen at once.

use std::rc::Rc;

use slint::ComponentHandle;

use super::{Kiosk, welcome};
use crate::ui::{MainWindow, Settings};

/// The languages the kiosk is translated into, by their code in `translations/`.
pub const LANGUAGES: &[&str] = &["en", "cy", "pl"];

pub fn connect(window: &MainWindow, kiosk: &Rc<Kiosk>) {
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
