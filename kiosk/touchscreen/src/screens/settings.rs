//! Language and text size: chosen by each visitor on Welcome, kept on every screen and every Back until they are
//! done (the end of what they came to do, or the idle timeout), then both go back to the hub's defaults.

use std::rc::Rc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::Touchscreen;
use crate::ui::{HubInfo, LanguageChoice, MainWindow, Settings, Theme};

pub use kiosk_runtime::languages::LANGUAGES;
use kiosk_runtime::languages::{locale, native_name};
use kiosk_runtime::refusals::Reason;
use tracing::error;

pub fn connect(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    let offered: Vec<LanguageChoice> = kiosk
        .languages
        .iter()
        .filter(|code| LANGUAGES.contains(&code.as_str()))
        .map(|code| LanguageChoice { code: code.as_str().into(), name: native_name(code).into() })
        .collect();
    window.global::<Settings>().set_languages(ModelRc::new(VecModel::from(offered)));
    choose_language(window, kiosk.default_language());
    let (weak, for_language) = (window.as_weak(), kiosk.clone());
    window.global::<Settings>().on_language_chosen(move |language| {
        let Some(window) = weak.upgrade() else { return };
        choose_language(&window, &language);
        show_time(&window, &for_language);
        super::restart_idle_timer(&window, &for_language);
    });
    let (weak, for_size) = (window.as_weak(), kiosk.clone());
    window.global::<Settings>().on_larger_text_chosen(move |larger| {
        let Some(window) = weak.upgrade() else { return };
        window.global::<Theme>().set_large_text(larger);
        super::restart_idle_timer(&window, &for_size);
    });
}

/// Language and text size are the hub's defaults: nothing of the last visitor's choice is left.
pub fn at_rest(window: &MainWindow, kiosk: &Touchscreen) -> bool {
    !window.global::<Theme>().get_large_text() && window.global::<Settings>().get_language() == kiosk.default_language()
}

pub fn choose_language(window: &MainWindow, language: &str) {
    if !LANGUAGES.contains(&language) {
        return;
    }
    // English is the source language: selecting it means "no translation".
    let bundle = if language == "en" { "" } else { language };
    if let Err(error) = slint::select_bundled_translation(bundle) {
        error!("could not switch to {language}: {error}");
        return;
    }
    window.global::<Settings>().set_language(language.into());
}

/// The next visitor starts as the hub set it up: its first language and normal text.
pub fn reset(window: &MainWindow, kiosk: &Rc<Touchscreen>) {
    window.global::<Theme>().set_large_text(false);
    if window.global::<Settings>().get_language() != kiosk.default_language() {
        choose_language(window, kiosk.default_language());
        show_time(window, kiosk);
    }
}

/// chrono's locale for the language on screen now.
pub fn current_locale(window: &MainWindow) -> chrono::Locale {
    locale(&window.global::<Settings>().get_language())
}

/// A refusal's reason in the language on screen now, from the catalogue every front end shares.
pub fn reason(window: &MainWindow, refusal: &impl Reason) -> SharedString {
    refusal.reason(&window.global::<Settings>().get_language()).into()
}

/// The clock and the date in the header, in the hub's zone and the visitor's language.
pub fn show_time(window: &MainWindow, kiosk: &Touchscreen) {
    let now = kiosk.now();
    let info = window.global::<HubInfo>();
    info.set_clock(kiosk.hm(now).into());
    info.set_date(kiosk.date_words(now, current_locale(window)).into());
}
