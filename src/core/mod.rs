//! The mathematics of lambdascope. No UI here: plain data in, plain data out, deterministic.

pub mod analysis;
pub mod basins;
pub mod estimate;
pub mod export;
pub mod expr;
pub mod figure;
pub mod fit;
pub mod free_energy;
pub mod interval;
pub mod landscape;
pub mod minimum;
pub mod model;
pub mod num;
pub mod picture;
pub mod poly;
pub mod posterior;
pub mod presets;
pub mod profile;
pub mod readouts;
pub mod sampler;
pub mod sgd;
pub mod tape;
pub mod theory;
pub mod volume;
