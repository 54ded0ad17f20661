//! Hub Kiosk's touchscreen app (Slint): the screens a visitor, host or staff member uses at the front door, over
//! the hub's database thread. No web server here: the compiler keeps it that way (see tests/tests/boundaries.rs).

pub mod app;
pub mod backlight;
pub mod qr;
pub mod scanner_device;
pub mod screens;
pub mod ui;
pub mod watchdog;
pub mod worker;
