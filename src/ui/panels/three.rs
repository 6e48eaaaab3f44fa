//! The posterior at three n side by side (the dialogue's 10,000 / 10,500 / 11,000), each drawn
//! true to mass on one shared y-scale, with the basin masses as bars.

use eframe::egui;

use crate::core::picture::posterior_curve;
use crate::core::posterior::posterior;
use crate::ui::ViewData;
use crate::ui::panels::posterior::{mass_bars, small_posterior_plot};
use crate::ui::widgets::plot::sci;

/// The three n of the dialogue's jump.
pub const COMPARE_N: [f64; 3] = [1e4, 1.05e4, 1.1e4];

/// The window; returns false once closed.
pub fn three_posteriors(ctx: &egui::Context, d: &ViewData, ns: [f64; 3]) -> bool {
    let kmin = d.analysis.estimate.minimum.k_min;
    let basins = d.phase.as_ref().map(|p| &p.basins);
    let box_w = d.analysis.bounds[0][1] - d.analysis.bounds[0][0];
    let pics: Vec<_> = ns
        .iter()
        .map(|&n| {
            let p = posterior(&d.grid, kmin, n).ok();
            let c = (d.analysis.dim == 1).then(|| posterior_curve(&d.grid, kmin, n, basins, box_w).ok()).flatten();
            let m = basins.and_then(|b| b.masses(n).ok()).unwrap_or_default();
            (n, p, c, m)
        })
        .collect();
    // one y-scale for the three: the same height means the same density (or mass, for a spike)
    let y_top = pics
        .iter()
        .map(|(_, p, c, _)| match (c, p) {
            (Some(c), _) => c.top,
            (None, Some(p)) => {
                let w = p.spec.cell_size()[0];
                let nx = p.spec.nx;
                (0..nx)
                    .map(|i| (0..p.spec.ny.max(1)).map(|j| p.log_p[j * nx + i].exp()).sum::<f64>() / w)
                    .fold(0.0, f64::max)
            }
            _ => 0.0,
        })
        .fold(0.0, f64::max)
        .max(1e-300);
    let mut open = true;
    egui::Window::new("Posterior at three n").open(&mut open).default_size([960.0, 360.0]).show(ctx, |ui| {
        ui.label(
            egui::RichText::new(
                "one scale for the three pictures: a basin's area is its posterior mass; a basin narrower than a pixel is a spike whose height is in proportion to its mass",
            )
            .small(),
        );
        ui.columns(3, |cols| {
            for (col, (n, p, c, m)) in cols.iter_mut().zip(pics.iter()) {
                col.label(egui::RichText::new(format!("n = {}", sci(*n))).strong());
                if !m.is_empty() {
                    let txt: Vec<String> = m.iter().enumerate().map(|(i, v)| format!("basin {i}: {v:.3}")).collect();
                    col.label(txt.join("   "));
                }
                let Some(p) = p else { continue };
                col.horizontal_top(|ui| {
                    let w = (ui.available_width() - 60.0).max(80.0);
                    ui.allocate_ui(egui::vec2(w, 240.0), |ui| {
                        small_posterior_plot(ui, &format!("{n}"), c.as_ref(), p, y_top)
                    });
                    if m.len() > 1 {
                        mass_bars(ui, m, egui::vec2(54.0, 240.0));
                    }
                });
            }
        });
    });
    open
}
