//! Words and dates as the pages write them (clock times: `kiosk_runtime::times`).

use super::i18n::Lang;

/// booking-core's sentence ("the name is empty: …") as a sentence on its own.
pub fn capitalised(message: &str) -> String {
    let mut characters = message.chars();
    characters.next().map_or_else(String::new, |first| first.to_uppercase().chain(characters).collect::<String>() + ".")
}

/// "Tuesday 5 January" in `lang`, from "2027-01-05".
pub fn long_date(lang: Lang, date: &str) -> String {
    date.parse::<chrono::NaiveDate>()
        .map(|date| kiosk_runtime::times::day(date, lang.locale()))
        .unwrap_or_else(|_| date.to_owned())
}
