//! Messages to people: the delivery of booking-core's outbox. Each due message is worded in its recipient's
//! language (`words`), sent by e-mail (`email`), and reported back to the core as sent or as a failed try, which
//! sets the next one further off (`delivery`). No Slint, no web server, no GPIO.

pub mod delivery;
pub mod email;
pub mod words;
