//! What every Hub Kiosk front end shares: the hub's data folder and its one database thread, the clock, the
//! languages and their catalogues (the refusals' wording among them), QR codes, housekeeping (purge and backups)
//! and the demo hub. No Slint, no web server, no GPIO.

pub mod catalogue;
pub mod clock;
pub mod demo;
pub mod housekeeping;
pub mod hub;
pub mod languages;
pub mod pass_sheet;
pub mod qr;
pub mod refusals;
pub mod systemd;
pub mod times;
pub mod worker;
