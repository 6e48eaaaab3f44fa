//! lambdascope: see why singular loss basins win in Bayesian learning.
//!
//! `core` is the mathematics (no UI); `cli` the command line; `start` what the window opens on;
//! `settings` what the user set (the session file; no UI types); `ui` the desktop app (the `gui`
//! feature).

pub mod choice;
pub mod cli;
pub mod core;
pub mod files;
pub mod settings;
pub mod start;
#[cfg(feature = "gui")]
pub mod ui;

/// The message of a caught panic (for "internal error (please report): …").
pub fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown".into())
}
