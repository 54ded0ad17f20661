//! The compiled `.slint` files (`ui/main.slint` and what it imports).

// Generated code: the workspace lints are for code people write.
#![allow(missing_debug_implementations, clippy::all, clippy::todo)]

slint::include_modules!();
