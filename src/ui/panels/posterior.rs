//! Panel 2: the posterior p_n(w) ∝ φ(w)·exp(−n·K(w)) on the current view.

use eframe::egui;
use std::sync::Arc;

use egui::Color32;
use egui_plot::{HoverPosition, Line, Plot, PlotBounds, PlotImage, PlotPoint, PlotPoints};

use super::landscape::{LINK, lookup};
use crate::core::analysis::PhaseData;
use crate::core::basins::Impulse;
use crate::core::posterior::PosteriorGrid;
use crate::ui::ViewData;
use crate::ui::action::Action;
use crate::ui::panels::learn::{Overlay, draw_overlay};
use crate::ui::settings::ColourMap;
use crate::ui::widgets::plot::{self, basin_colour, colour_bar, sci};
use crate::ui::widgets::render::{Lut, max_cell_mass, posterior_image};
use crate::ui::widgets::texture::CachedTexture;

#[derive(Default)]
pub struct PosteriorPanel {
    pub data: Option<Arc<ViewData>>,
    tex: CachedTexture<(usize, bool)>,
    lut: Option<(ColourMap, Lut)>,
    pub force_bounds: Option<[f64; 4]>,
    pub bounds: Option<[f64; 4]>,
    /// Distinguishes a second instance (compare mode).
    pub salt: &'static str,
    /// SGD path and SGLD chains to draw (the learning tab).
    pub overlay: Option<Arc<Overlay>>,
}

impl PosteriorPanel {
    pub fn with_salt(salt: &'static str) -> Self {
        PosteriorPanel { salt, ..Default::default() }
    }
    fn link_group(&self) -> String {
        format!("{LINK}{}", self.salt)
    }
}

/// True when the posterior lives on a sliver of the view: fewer than 0.2% of the cells within a
/// factor 1000 of the densest (the cross at n = 1e12: two lines thinner than a pixel).
fn concentrated(p: &PosteriorGrid) -> bool {
    let cut = p.max_log_p - 1000f64.ln();
    let n = p.log_p.iter().filter(|v| **v >= cut).count();
    (n as f64) < 0.002 * p.log_p.len() as f64
}

/// Nats below the maximum shown by the log colour scale.
const LOG_RANGE: f64 = 30.0;

impl PosteriorPanel {
    /// Draw; a double click comes back as `Action::ResetView`.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<Action> {
        let Some(d) = self.data.clone() else {
            ui.centered_and_justified(|ui| ui.spinner());
            return None;
        };
        let Some(p) = d.posterior.clone() else {
            ui.label("no posterior for this view");
            return None;
        };
        ui.horizontal_wrapped(|ui| {
            ui.strong("Posterior");
            ui.label(egui::RichText::new(format!("p_n ~ φ·exp(−n·K), n = {}", sci(d.n))).small());
        });
        if max_cell_mass(&p) > 0.5 || (d.analysis.dim == 2 && concentrated(&p)) {
            ui.label(
                egui::RichText::new(
                    "the posterior is narrower than a pixel of this view: zoom in or use 'Fit view to posterior'",
                )
                .small()
                .color(Color32::from_rgb(220, 160, 40)),
            );
        }
        let reset = if d.analysis.dim == 1 { self.ui_1d(ui, &d, &p) } else { self.ui_2d(ui, &d, &p) };
        reset.then_some(Action::ResetView)
    }

    fn ui_1d(&mut self, ui: &mut egui::Ui, d: &ViewData, p: &PosteriorGrid) -> bool {
        let w = p.spec.cell_size()[0];
        let log = d.style.log_posterior;
        // a basin narrower than a pixel carries its mass as an impulse; the grid's curve is the rest
        let spike: f64 = d.impulses.iter().map(|i| i.mass).sum();
        let scale = (1.0 - spike).max(0.0);
        let pts: Vec<[f64; 2]> = (0..p.spec.nx)
            .filter(|&i| p.log_p[i].is_finite() || !log)
            .map(|i| {
                let x = p.spec.center(i, 0)[0];
                let ld = p.log_p[i] - w.ln() + scale.max(1e-300).ln(); // log density
                [x, if log { ld / std::f64::consts::LN_10 } else { ld.exp() }]
            })
            .collect();
        let force = self.force_bounds.take();
        let h = ui.available_height() - 4.0;
        let r = Plot::new(format!("posterior1d{}", self.salt))
            .height(h)
            .x_axis_label("x")
            .y_axis_label(if log { "log10 p_n(x)" } else { "p_n(x)" })
            .link_axis(egui::Id::unique(self.link_group()), [true, false])
            .label_formatter(move |hp: &HoverPosition<'_>| {
                let q = plot::hover_pos(hp);
                let v = if log { format!("log10 p = {:.3}", q.y) } else { format!("p = {}", sci(q.y)) };
                Some(format!("x = {:.6}\n{v}", q.x))
            })
            .show(ui, |pui| {
                if let Some(b) = force {
                    // x from the request, y from the data
                    let top = pts.iter().map(|p| p[1]).filter(|v| v.is_finite()).fold(f64::MIN, f64::max);
                    let (y0, y1) =
                        if log { (top - 30.0 / std::f64::consts::LN_10, top + 0.5) } else { (0.0, 1.05 * top) };
                    pui.set_plot_bounds(PlotBounds::from_min_max([b[0], y0], [b[1], y1.max(y0 + 1e-300)]));
                }
                let top = pts.iter().map(|q| q[1]).filter(|v| v.is_finite()).fold(f64::MIN, f64::max);
                pui.line(
                    Line::new("posterior", PlotPoints::from(pts)).width(2.0).color(Color32::from_rgb(250, 160, 40)),
                );
                impulses(pui, &d.impulses, top, log);
                (pui.plot_bounds(), pui.response().double_clicked())
            });
        let (b, reset) = r.inner;
        self.bounds = Some([b.min()[0], b.max()[0], 0.0, 0.0]);
        reset
    }

    fn ui_2d(&mut self, ui: &mut egui::Ui, d: &ViewData, p: &Arc<PosteriorGrid>) -> bool {
        let overlay = self.overlay.clone();
        let log = d.style.log_posterior;
        if self.lut.as_ref().map(|l| l.0) != Some(d.style.colormap) {
            self.lut = Some((d.style.colormap, Lut::scheme(d.style.colormap).1));
            self.tex.invalidate();
        }
        let Some((_, lut)) = self.lut.clone() else { return false };
        let key = (Arc::as_ptr(p) as usize, log);
        let id = self
            .tex
            .get(ui.ctx(), &format!("posterior{}", self.salt), key, || posterior_image(p, &lut, log, LOG_RANGE));
        let labels = if log {
            [format!("max − {LOG_RANGE}"), format!("max − {}", LOG_RANGE / 2.0), "max".to_string()]
        } else {
            ["0".to_string(), "½ max".to_string(), "max".to_string()]
        };
        colour_bar(ui, &lut, if log { "log p" } else { "p" }, labels);
        let (center, size) = plot::image_placement(&p.spec);
        let force = self.force_bounds.take();
        let grid = d.grid.clone();
        let post = p.clone();
        let plot_size = plot::aspect_size(ui, &d.analysis.bounds);
        let r = plot::heatmap_plot(format!("posterior2d{}", self.salt), plot_size, &self.link_group())
            .label_formatter(move |hp: &HoverPosition<'_>| {
                let q = plot::hover_pos(hp);
                let k = lookup(&grid, q.x, q.y);
                let s = post.spec;
                let i = ((q.x - s.x[0]) / (s.x[1] - s.x[0]) * s.nx as f64).floor();
                let j = ((q.y - s.y[0]) / (s.y[1] - s.y[0]) * s.ny as f64).floor();
                let lp = if i >= 0.0 && j >= 0.0 && (i as usize) < s.nx && (j as usize) < s.ny {
                    let [cw, ch] = s.cell_size();
                    format!("{:.3}", post.log_p[j as usize * s.nx + i as usize] - (cw * ch).ln())
                } else {
                    "—".into()
                };
                Some(format!(
                    "x = {:.5}, y = {:.5}\nK = {}\nlog p = {lp}",
                    q.x,
                    q.y,
                    k.map(sci).unwrap_or_else(|| "—".into())
                ))
            })
            .show(ui, |pui| {
                if let Some(b) = force {
                    pui.set_plot_bounds(PlotBounds::from_min_max([b[0], b[2]], [b[1], b[3]]));
                }
                pui.image(PlotImage::new("posterior", id, center, size));
                // each basin's posterior mass at its minimiser (from the core: exact even where the
                // basin is narrower than a pixel)
                if let Some(ph) = d.phase.as_ref().filter(|p| p.basins.basins.len() > 1) {
                    for (i, b) in ph.basins.basins.iter().enumerate() {
                        let c = basin_colour(i);
                        let m = d.basin_mass.get(i).copied().unwrap_or(0.0);
                        pui.points(
                            egui_plot::Points::new(format!("basin {i}"), vec![[b.argmin[0], b.argmin[1]]])
                                .radius(4.0)
                                .color(c),
                        );
                        pui.text(
                            egui_plot::Text::new(
                                "mass",
                                PlotPoint::new(b.argmin[0], b.argmin[1]),
                                format!(" basin {i}: {m:.3}"),
                            )
                            .color(c)
                            .anchor(egui::Align2::LEFT_BOTTOM),
                        );
                    }
                }
                if let Some(o) = &overlay {
                    draw_overlay(pui, o);
                }
                (pui.plot_bounds(), pui.response().double_clicked())
            });
        let (b, reset) = r.inner;
        self.bounds = Some([b.min()[0], b.max()[0], b.min()[1], b.max()[1]]);
        reset
    }
}

/// Basins narrower than a pixel: a vertical impulse at w* labelled with the basin's mass.
fn impulses(pui: &mut egui_plot::PlotUi<'_>, imp: &[Impulse], top: f64, log: bool) {
    let top = if top.is_finite() { top } else { 1.0 };
    for &Impulse { x, mass, basin: i } in imp {
        let (y0, y1) = if log { (top - 6.0, top + 0.5) } else { (0.0, top.max(1e-300) * 1.0) };
        let c = basin_colour(i);
        pui.line(
            Line::new(format!("basin {i} (narrower than a pixel)"), PlotPoints::from(vec![[x, y0], [x, y1]]))
                .color(c)
                .width(3.0),
        );
        pui.text(
            egui_plot::Text::new("impulse", PlotPoint::new(x, y1), format!("basin {i}: mass {mass:.3}"))
                .color(c)
                .anchor(egui::Align2::CENTER_BOTTOM),
        );
    }
}

/// A small posterior plot for the comparison window (1-D curve with impulses, or 2-D heatmap
/// drawn as a curve of the x-marginal: three heatmaps of textures would need three textures).
pub fn small_posterior_plot(
    ui: &mut egui::Ui,
    p: &PosteriorGrid,
    dim: usize,
    n: f64,
    masses: Option<&[f64]>,
    phase: Option<&PhaseData>,
    box_x: [f64; 2],
) {
    let nx = p.spec.nx;
    let ny = p.spec.ny.max(1);
    // x-marginal of the grid posterior (in 2-D the sum over y)
    let w = p.spec.cell_size()[0];
    let mut marg = vec![0.0f64; nx];
    for j in 0..ny {
        for (i, m) in marg.iter_mut().enumerate() {
            *m += p.log_p[j * nx + i].exp();
        }
    }
    // impulses: basins narrower than a cell, with their core masses
    let imp = match (phase, masses) {
        (Some(ph), Some(ms)) if dim == 1 => ph.basins.impulses(n, ms, box_x[1] - box_x[0], 3.0 * w, box_x),
        _ => vec![],
    };
    let scale = (1.0 - imp.iter().map(|i| i.mass).sum::<f64>()).max(0.0);
    let pts: Vec<[f64; 2]> = marg.iter().enumerate().map(|(i, m)| [p.spec.center(i, 0)[0], m / w * scale]).collect();
    let top = pts.iter().map(|q| q[1]).fold(0.0f64, f64::max);
    Plot::new(format!("small-posterior-{n}"))
        .height(220.0)
        .x_axis_label("x")
        .y_axis_label(if dim == 1 { "p_n(x)" } else { "marginal of x" })
        .show(ui, |pui| {
            pui.line(Line::new("posterior", PlotPoints::from(pts)).width(2.0).color(Color32::from_rgb(250, 160, 40)));
            impulses(pui, &imp, top.max(1e-300), false);
        });
}
