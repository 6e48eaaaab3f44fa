//! The posterior at three n side by side (the dialogue's 10,000 / 10,500 / 11,000), each from the
//! cached K grid and, for basins narrower than a pixel, the core's basin masses.

use eframe::egui;

use crate::core::posterior::posterior;
use crate::ui::ViewData;
use crate::ui::panels::posterior::small_posterior_plot;
use crate::ui::widgets::plot::sci;

/// The three n of the dialogue's jump.
pub const COMPARE_N: [f64; 3] = [1e4, 1.05e4, 1.1e4];

/// The window; returns false once closed.
pub fn three_posteriors(ctx: &egui::Context, d: &ViewData, ns: [f64; 3]) -> bool {
    let kmin = d.analysis.estimate.minimum.k_min;
    let mut open = true;
    egui::Window::new("Posterior at three n").open(&mut open).default_size([900.0, 320.0]).show(ctx, |ui| {
        ui.columns(3, |cols| {
            for (c, &n) in cols.iter_mut().zip(ns.iter()) {
                c.label(egui::RichText::new(format!("n = {}", sci(n))).strong());
                let masses = d.phase.as_ref().and_then(|p| p.basins.masses(n).ok());
                if let Some(m) = &masses {
                    let txt: Vec<String> = m.iter().enumerate().map(|(i, v)| format!("basin {i}: {v:.3}")).collect();
                    c.label(txt.join("   "));
                }
                let Ok(p) = posterior(&d.grid, kmin, n) else { continue };
                small_posterior_plot(
                    c,
                    &p,
                    d.analysis.dim,
                    n,
                    masses.as_deref(),
                    d.phase.as_deref(),
                    d.analysis.bounds[0],
                );
            }
        });
    });
    open
}
