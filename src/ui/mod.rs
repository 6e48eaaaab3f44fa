//! The desktop app (eframe/egui). One struct per panel, each with `fn ui(&mut self, ui)`; panels
//! draw what the core computed (they receive it as `ViewData`) and compute nothing themselves.

pub mod app;
pub mod controls;
pub mod landscape;
pub mod learn;
pub mod phase;
pub mod plot_util;
pub mod png;
pub mod posterior;
pub mod render;
pub mod session;
pub mod theory;
pub mod tour;
pub mod volume;
pub mod worker;

use eframe::egui;
use std::sync::Arc;

use crate::core::fit::FitReport;
use crate::core::posterior::{KGrid, PosteriorGrid};

pub use app::{LambdaApp, RightTab, StartOptions};

/// What the panels draw in one frame (plain data; shared by reference counting).
pub struct ViewData {
    pub analysis: Arc<worker::Analysis>,
    pub fit: Arc<FitReport>,
    /// K on the current view rectangle.
    pub grid: Arc<KGrid>,
    pub posterior: Option<Arc<PosteriorGrid>>,
    pub n: f64,
    pub eps: f64,
    pub log_colour: bool,
    pub log_posterior: bool,
    /// Colour scheme name (see `render::Lut::scheme`).
    pub colormap: String,
    /// 1-D: the sublevel set {K − K* < ε} as intervals (from the core).
    pub intervals_1d: Vec<(f64, f64)>,
    /// Basins and phase-transition curves, when computed.
    pub phase: Option<Arc<worker::PhaseData>>,
    pub phase_error: Option<String>,
    /// Basins whose posterior is narrower than a pixel of the view: (w*, mass at n, basin index),
    /// drawn as labelled impulses (1-D).
    pub impulses: Vec<(f64, f64, usize)>,
    /// Posterior mass of each basin at n (from the core), when the basins are known.
    pub basin_mass: Vec<f64>,
    /// λ_F(n) and λ_eff(n) at the current n (from the core's free energy).
    pub lambda_f: Option<f64>,
    pub lambda_eff: Option<f64>,
}

/// Open the window; returns the process exit code (for a batch screenshot: 0 saved, 1 failed).
pub fn run(start: StartOptions, font_scale: Option<f32>, theme: Option<&str>) -> Result<i32, String> {
    let size = start.batch.as_ref().and_then(|b| b.size).map(|[w, h]| [w as f32, h as f32]).unwrap_or([1400.0, 900.0]);
    let exit = start.batch.as_ref().map(|b| b.exit.clone());
    let batch = start.batch.is_some();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("lambdascope")
            .with_inner_size(size)
            .with_min_inner_size([640.0, 480.0]),
        persist_window: !batch,
        ..Default::default()
    };
    let fs = font_scale.filter(|f| (1.0..=3.0).contains(f));
    let dark = match theme {
        Some("dark") => Some(true),
        Some("light") => Some(false),
        _ => None,
    };
    eframe::run_native(
        "lambdascope",
        options,
        Box::new(move |cc| {
            let mut app = LambdaApp::with_storage(&cc.egui_ctx, start, cc.storage);
            if let Some(f) = fs {
                app.controls.font_scale = f;
            }
            if dark.is_some() {
                app.controls.dark = dark;
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| e.to_string())?;
    Ok(exit.map(|e| e.load(std::sync::atomic::Ordering::SeqCst)).unwrap_or(0))
}
