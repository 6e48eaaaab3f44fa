//! Drawing helpers shared by the panels: plots with log axes and number formats, colour maps and
//! images of the core's grids, textures, PNG writing.

pub mod plot;
pub mod png;
pub mod render;
pub mod texture;
