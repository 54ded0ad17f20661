//! Hub Kiosk's edge: the touchscreen app and the command line, over booking-core.
//!
//! The binary (`src/main.rs`) only parses arguments and maps outcomes to exit codes; everything else is here so
//! tests can drive the real app.

pub mod app;
pub mod backlight;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config_commands;
pub mod data;
pub mod demo;
pub mod device;
pub mod doctor;
pub mod housekeeping;
pub mod hub;
pub mod input;
pub mod ownership;
pub mod qr;
pub mod report;
pub mod scanner_device;
pub mod screens;
pub mod sensors;
pub mod systemd;
pub mod ui;
pub mod web;
pub mod worker;
