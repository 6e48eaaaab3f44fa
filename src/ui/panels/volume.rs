//! Panel 3: the volume law V(ε) on log–log axes with its fit, reference slopes and the current ε;
//! beneath it the local slope s(ε) = d log V / d log ε.

use eframe::egui;
use std::sync::Arc;

use egui::Color32;
use egui_plot::{HLine, HoverPosition, Legend, Line, Plot, PlotPoints, Points, Span, VLine};

use crate::core::theory::{Status, Theory};
use crate::ui::ViewData;
use crate::ui::action::Action;
use crate::ui::widgets::plot::{self, RED, sci};

#[derive(Default)]
pub struct VolumePanel {
    pub data: Option<Arc<ViewData>>,
    /// Why there is no data (the input has no landscape), shown in place of a spinner.
    pub failed: Option<String>,
    /// Which fit-window edge is being dragged (0 = lower, 1 = upper).
    dragging: Option<usize>,
    /// The fit window as dragged so far (ε units).
    window: Option<[f64; 2]>,
}

pub(crate) const FIT: Color32 = Color32::from_rgb(80, 170, 255);
pub(crate) const EXACT: Color32 = Color32::from_rgb(120, 220, 120);
pub(crate) const BOUND: Color32 = Color32::from_rgb(230, 170, 60);
pub(crate) const REGULAR: Color32 = Color32::from_rgb(145, 145, 145); // readable on dark and light backgrounds

/// "exact λ = 0.5000" or "λ ≤ 1.0000 (upper bound)".
pub(crate) fn theory_name(t: &Theory) -> String {
    if t.is_exact() { format!("exact λ = {:.4}", t.lambda) } else { format!("λ ≤ {:.4} (upper bound)", t.lambda) }
}

pub(crate) fn theory_colour(t: &Theory) -> Color32 {
    if t.is_exact() { EXACT } else { BOUND }
}

fn theory_style(t: &Theory) -> egui_plot::LineStyle {
    if t.is_exact() { egui_plot::LineStyle::dashed_dense() } else { egui_plot::LineStyle::dotted_loose() }
}

/// The hover readout of the volume plot: V at the pointer's ε from the volume law (the measured
/// curve where resolved, the fitted law below it), not the pointer's height.
pub fn volume_hover(law: &crate::core::free_energy::VolumeLaw, log10_eps: f64) -> String {
    let eps = 10f64.powf(log10_eps);
    let v = law.ln_v(eps.ln()).exp();
    format!("ε = {}\nV(ε) = {}", sci(eps), sci(v))
}

/// The local slope at the pointer's ε (linear between the computed points, in log ε).
pub fn slope_at(slope: &[[f64; 2]], log10_eps: f64) -> Option<f64> {
    let k = slope.partition_point(|p| p[0] < log10_eps);
    match k {
        0 => None,
        k if k >= slope.len() => None,
        k => {
            let (a, b) = (slope[k - 1], slope[k]);
            let t = (log10_eps - a[0]) / (b[0] - a[0]);
            Some(a[1] + t * (b[1] - a[1]))
        }
    }
}

impl VolumePanel {
    /// Draw; a drag of the fit window's edges comes back as `Action::SetFitWindow` on release.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<Action> {
        let Some(d) = self.data.clone() else {
            crate::ui::widgets::waiting(ui, self.failed.as_deref());
            return None;
        };
        let est = &d.analysis.estimate;
        let fit = &d.fit;
        let dim = d.analysis.dim as f64;
        ui.horizontal_wrapped(|ui| {
            ui.strong("Volume law");
            crate::ui::widgets::slice_badge(ui, &d.analysis.spec);
            ui.label(
                egui::RichText::new(format!("fitted λ = {:.4}  (m = {})", fit.best.lambda, fit.best.m))
                    .color(FIT)
                    .strong(),
            );
            // (an upper bound is labelled "≤", never as exact; an unknown is not drawn)
            if let Some(t) = est.theory.as_ref().filter(|t| t.status != Status::Unknown) {
                ui.label(egui::RichText::new(theory_name(t)).color(theory_colour(t)));
            }
            ui.label(egui::RichText::new(format!("d/2 = {}", dim / 2.0)).color(REGULAR));
        });
        let pts: Vec<[f64; 2]> =
            est.curve.points.iter().filter(|p| p.v > 0.0).map(|p| [p.eps.log10(), p.v.log10()]).collect();
        let &last = pts.last()?;
        let (x_lo, x_hi) = (pts.last().map(|p| p[0]).unwrap_or(-13.0), pts[0][0]);
        // fitted law over the fit window
        let w = self.window.filter(|_| self.dragging.is_some()).unwrap_or(fit.best.window);
        let fit_line = fitted_line(&fit.best, 60);
        // reference slopes through the smallest-ε point, stopped where they reach V = 1
        let through = |s: f64| -> Vec<[f64; 2]> {
            let x_end = if s > 0.0 { x_hi.min(x_lo - last[1] / s) } else { x_hi };
            vec![[x_lo, last[1]], [x_end, last[1] + s * (x_end - x_lo)]]
        };
        let theory = est.theory.clone().filter(|t| t.status != Status::Unknown);
        let exact = theory.as_ref().map(|t| t.lambda);
        let eps_x = d.eps.log10();
        let total = ui.available_height();
        let h_v = (total * 0.62).max(120.0);
        let mut drag_edge = self.dragging;
        let mut new_window = self.window;
        let mut released = false;
        volume_plot("volume", ui, h_v)
            .height(h_v)
            .allow_drag(false)
            .link_axis(egui::Id::unique("volume-x"), [true, false])
            .label_formatter({
                let law = d.law.clone();
                move |hp: &HoverPosition<'_>| Some(volume_hover(&law, plot::hover_pos(hp).x))
            })
            .show(ui, |pui| {
                pui.span(
                    Span::new("fit window", w[0].log10()..=w[1].log10())
                        .fill(Color32::from_rgba_unmultiplied(80, 170, 255, 30))
                        .border(egui::Stroke::new(2.0, FIT)),
                );
                pui.line(
                    Line::new(format!("d/2 = {}", dim / 2.0), PlotPoints::from(through(dim / 2.0)))
                        .color(REGULAR)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
                if let Some(t) = &theory {
                    pui.line(
                        Line::new(theory_name(t), PlotPoints::from(through(t.lambda)))
                            .color(theory_colour(t))
                            .style(theory_style(t)),
                    );
                }
                pui.points(Points::new("V(ε)", PlotPoints::from(pts.clone())).radius(2.5));
                // error bars, where they are visible at all
                for p in est.curve.points.iter().filter(|p| p.v > 0.0 && p.err > 1e-3 * p.v) {
                    let lo = (p.v - p.err).max(p.v * 1e-3).log10();
                    let hi = (p.v + p.err).log10();
                    pui.line(
                        Line::new("error", PlotPoints::from(vec![[p.eps.log10(), lo], [p.eps.log10(), hi]]))
                            .color(Color32::GRAY),
                    );
                }
                pui.line(
                    Line::new(format!("fit λ = {:.4}", fit.best.lambda), PlotPoints::from(fit_line))
                        .color(FIT)
                        .width(2.5),
                );
                pui.vline(VLine::new("ε", eps_x).color(RED).width(1.5));
                // dragging the fit window's edges
                let resp = pui.response().clone();
                let tr = *pui.transform();
                if resp.drag_started()
                    && let Some(pos) = resp.interact_pointer_pos()
                {
                    let x0 = tr.position_from_point_x(w[0].log10());
                    let x1 = tr.position_from_point_x(w[1].log10());
                    if (pos.x - x0).abs() < 10.0 {
                        drag_edge = Some(0);
                        new_window = None;
                    } else if (pos.x - x1).abs() < 10.0 {
                        drag_edge = Some(1);
                        new_window = None;
                    }
                }
                if let (Some(e), Some(c)) = (drag_edge, pui.pointer_coordinate())
                    && resp.dragged()
                {
                    let mut nw = w;
                    nw[e] = 10f64.powf(c.x);
                    if nw[1] > nw[0] * 10.0 {
                        new_window = Some(nw);
                    }
                }
                if resp.drag_stopped() && drag_edge.is_some() {
                    released = true;
                }
            });
        self.dragging = drag_edge;
        if self.dragging.is_some() {
            self.window = new_window;
        }
        let mut action = None;
        if released {
            self.dragging = None;
            action = self.window.take().map(|w| Action::SetFitWindow(Some(w)));
        }
        // local slope
        let slope: Vec<[f64; 2]> =
            fit.local_slope.iter().filter(|p| p[1].is_finite()).map(|p| [p[0].log10(), p[1]]).collect();
        // y from 0 to a little above the largest of d/2 and λ̂: a jump of V (a second basin entering)
        // makes the local slope spike, which would otherwise squash the plot
        // (set every frame: a new landscape, or a change of ε, never leaves a stale range)
        let mut sorted: Vec<f64> = slope.iter().map(|p| p[1]).filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        let typical = sorted.get(sorted.len() * 9 / 10).copied().unwrap_or(0.0);
        let top = (dim / 2.0).max(fit.best.lambda).max(exact.unwrap_or(0.0)).max(typical) * 1.3;
        let bottom = sorted.first().copied().unwrap_or(0.0).min(0.0).max(-0.2 * top);
        let hover_slope = slope.clone();
        Plot::new("slope")
            .height(ui.available_height() - 4.0)
            .auto_bounds(egui::Vec2b::new(true, false))
            .x_grid_spacer(plot::log_grid_x)
            .custom_x_axes(vec![plot::log_x_axis("ε")])
            .y_axis_label("s(ε) = d log V / d log ε")
            .link_axis(egui::Id::unique("volume-x"), [true, false])
            .label_formatter(move |hp: &HoverPosition<'_>| {
                let x = plot::hover_pos(hp).x;
                let s = slope_at(&hover_slope, x).map(|v| format!("{v:.4}")).unwrap_or_else(|| "—".into());
                Some(format!("ε = {}\ns(ε) = {s}", sci(10f64.powf(x))))
            })
            .show(ui, |pui| {
                pui.set_plot_bounds_y(bottom..=top);
                pui.hline(HLine::new(format!("fitted λ = {:.4}", fit.best.lambda), fit.best.lambda).color(FIT));
                if let Some(t) = &theory {
                    let name =
                        if t.is_exact() { format!("exact {:.4}", t.lambda) } else { format!("≤ {:.4}", t.lambda) };
                    pui.hline(HLine::new(name, t.lambda).color(theory_colour(t)).style(theory_style(t)));
                }
                pui.line(
                    Line::new("local slope", PlotPoints::from(slope)).width(2.0).color(Color32::from_rgb(250, 160, 40)),
                );
                pui.vline(VLine::new("ε", eps_x).color(RED));
            });
        action
    }
}

/// A log–log plot of V(ε): decade grids and labels on both axes, the legend bottom right.
fn volume_plot(id: &str, ui: &egui::Ui, height: f32) -> Plot<'static> {
    crate::ui::widgets::plot::legend_if_room(
        Plot::new(id),
        ui,
        height,
        Legend::default().position(egui_plot::Corner::RightBottom),
    )
    .x_grid_spacer(plot::log_grid_x)
    .y_grid_spacer(plot::log_grid_y)
    .custom_x_axes(vec![plot::log_x_axis("ε")])
    .custom_y_axes(vec![plot::log_y_axis("V(ε)")])
}

/// The fitted law over its window, in (log10 ε, log10 V), with `k` segments.
pub(crate) fn fitted_line(f: &crate::core::fit::Fit, k: usize) -> Vec<[f64; 2]> {
    let w = f.window;
    (0..=k)
        .map(|i| {
            let le = w[0].log10() + (w[1] / w[0]).log10() * i as f64 / k as f64;
            [le, f.ln_v(10f64.powf(le)) / std::f64::consts::LN_10]
        })
        .filter(|p| p[1].is_finite())
        .collect()
}

/// Compare mode: both volume laws on one log–log plot, with their fitted slopes and the current ε.
pub fn compare_plot(ui: &mut egui::Ui, a: &ViewData, b: &ViewData) {
    let cols = [Color32::from_rgb(80, 170, 255), Color32::from_rgb(250, 160, 40)];
    let h = ui.available_height() - 4.0;
    volume_plot("volume-compare", ui, h)
        .height(h)
        .label_formatter({
            let (la, lb) = (a.law.clone(), b.law.clone());
            move |hp: &HoverPosition<'_>| {
                let x = plot::hover_pos(hp).x;
                let v = |l: &crate::core::free_energy::VolumeLaw| sci(l.ln_v(10f64.powf(x).ln()).exp());
                Some(format!("ε = {}\nV left = {}\nV right = {}", sci(10f64.powf(x)), v(&la), v(&lb)))
            }
        })
        .show(ui, |pui| {
            for (d, c) in [(a, cols[0]), (b, cols[1])] {
                let name = d.analysis.spec.label();
                let pts: Vec<[f64; 2]> = d
                    .analysis
                    .estimate
                    .curve
                    .points
                    .iter()
                    .filter(|p| p.v > 0.0)
                    .map(|p| [p.eps.log10(), p.v.log10()])
                    .collect();
                pui.points(Points::new(format!("V of {name}"), PlotPoints::from(pts)).radius(2.0).color(c));
                let line = fitted_line(&d.fit.best, 40);
                pui.line(
                    Line::new(format!("slope λ = {:.4} ({name})", d.fit.best.lambda), PlotPoints::from(line))
                        .color(c)
                        .width(2.5),
                );
            }
            pui.vline(VLine::new("ε", a.eps.log10()).color(RED).width(1.5));
        });
}
