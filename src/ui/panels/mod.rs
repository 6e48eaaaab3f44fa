//! One file and one struct per panel (egui_demo_lib style): the panel keeps only its own drawing
//! state (textures, plot bounds, a drag); it draws the `ViewData` it is given and returns what the
//! user asked for as `Action`s.

pub mod controls;
pub mod help;
pub mod landscape;
pub mod learn;
pub mod phase;
pub mod posterior;
pub mod theory;
pub mod three;
pub mod tms;
pub mod tour;
pub mod volume;
