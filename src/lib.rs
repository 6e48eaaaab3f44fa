//! lambdascope: see why singular loss basins win in Bayesian learning.
//!
//! `core` is the mathematics (no UI); `ui` the desktop app; `cli` the command line.

pub mod cli;
pub mod core;
pub mod ui;
