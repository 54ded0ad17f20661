//! The compiled `.slint` files (`ui/main.slint` and what it imports).

#![allow(missing_debug_implementations, clippy::all)]

slint::include_modules!();
