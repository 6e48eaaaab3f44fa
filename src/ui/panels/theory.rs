//! Panel "Theory": the Newton polygon at the minimiser, the verdict and its reason, the Hessian, and
//! the exact λ beside the volume fit and the finite-n slopes.

use eframe::egui;
use std::sync::Arc;

use egui::{Color32, RichText};
use egui_plot::{Legend, Line, LineStyle, Plot, PlotPoints, Points, Polygon};

use crate::core::theory::{Face, Status};
use crate::ui::ViewData;
use crate::ui::widgets::plot::{RED, sci};

#[derive(Default)]
pub struct TheoryPanel {
    pub data: Option<Arc<ViewData>>,
    /// Why there is no data (the input has no landscape), shown in place of a spinner.
    pub failed: Option<String>,
}

const OK: Color32 = Color32::from_rgb(120, 220, 120);
const WARN: Color32 = Color32::from_rgb(230, 170, 60);

impl TheoryPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let Some(d) = self.data.clone() else {
            crate::ui::widgets::waiting(ui, self.failed.as_deref());
            return;
        };
        let est = &d.analysis.estimate;
        let r = &est.theory_report;
        ui.strong("Theory");
        // the verdict
        match &r.theory {
            Some(t) => {
                let (txt, col) = match t.status {
                    Status::Exact => (format!("exact: λ = {:.4}, m = {} ({})", t.lambda, t.m, t.source), OK),
                    Status::UpperBound => (format!("upper bound: λ ≤ {:.4} ({})", t.lambda, t.source), WARN),
                    Status::Unknown => (format!("unknown ({})", t.source), WARN),
                };
                ui.label(RichText::new(txt).color(col).strong());
            }
            None => {
                ui.label(RichText::new("no theoretical value").color(WARN).strong());
            }
        }
        ui.label(RichText::new(&r.reason).small());
        if let Some(r) = &est.reference {
            ui.label(
                RichText::new(format!(
                    "the catalogue's value (a reference, not used in any computation): λ = {}, m = {}",
                    r.lambda_text, r.m
                ))
                .small(),
            );
        }
        // (a column never wider than the panel allows: at a large font scale the text wraps)
        let col = (ui.available_width() * 0.62).max(120.0);
        egui::Grid::new("theory-facts").num_columns(2).max_col_width(col).show(ui, |ui| {
            match &r.polynomial {
                Some(p) => {
                    ui.label("polynomial");
                    ui.label(RichText::new(short(&crate::core::expr::pretty(p), 90)).small());
                }
                None => {
                    ui.label("polynomial");
                    ui.label(RichText::new("not a polynomial").small());
                }
            }
            ui.end_row();
            if let (Some(w), Some(q)) = (&r.expansion_point, &r.local_polynomial) {
                let ws: Vec<String> = w.iter().map(|v| format!("{v}")).collect();
                ui.label(format!("at w* = ({})", ws.join(", ")));
                ui.label(RichText::new(short(&crate::core::expr::pretty(q), 90)).small())
                    .on_hover_text("K(w* + (u, v)) − K*, coefficients below 1e-9 of the magnitudes they came from dropped");
                ui.end_row();
                ui.label("zero tolerance");
                ui.label(RichText::new(format!("{:e} relative", r.zero_tolerance)).small());
                ui.end_row();
            }
            if let Some(h) = &r.hessian {
                let ev: Vec<String> = h.eigenvalues.iter().map(|v| sci(*v)).collect();
                ui.label("Hessian");
                ui.label(
                    RichText::new(format!(
                        "eigenvalues {}; rank {} of {} (zero below {})",
                        ev.join(", "),
                        h.rank,
                        d.analysis.dim,
                        sci(h.tolerance)
                    ))
                    .small(),
                )
                .on_hover_text("From exmex's symbolic second derivatives; the tolerance is 1e-7 of the largest eigenvalue or of the scale of K over the box");
                ui.end_row();
                ui.label("");
                let v = if h.rank == d.analysis.dim {
                    format!("regular: λ = d/2 = {}, m = 1", d.analysis.dim as f64 / 2.0)
                } else {
                    format!("singular: λ ≤ d/2 = {} (flat directions drawn on the landscape)", d.analysis.dim as f64 / 2.0)
                };
                ui.label(RichText::new(v).small());
                ui.end_row();
            }
        });
        // the comparison table
        ui.separator();
        let exact = r.theory.as_ref().filter(|t| t.is_exact()).map(|t| t.lambda).or(est
            .theory
            .as_ref()
            .filter(|t| t.is_exact())
            .map(|t| t.lambda));
        egui::Grid::new("theory-table").num_columns(2).max_col_width(col).striped(true).show(ui, |ui| {
            let row = |ui: &mut egui::Ui, k: &str, v: String| {
                ui.label(k);
                ui.label(RichText::new(v).monospace());
                ui.end_row();
            };
            row(ui, "exact λ", exact.map(|l| format!("{l:.4}")).unwrap_or_else(|| "—".into()));
            row(ui, "volume fit λ", d.fit.lambda_text());
            if let Some(f) = d.readouts.free_energy {
                row(ui, &format!("λ_F(n), n = {}", sci(d.n)), format!("{:.4}", f.lambda_f));
                row(ui, "λ_eff(n) = n·E_n[K − K*]", format!("{:.4}", f.lambda_eff));
            }
        });
        let lambda_f = d.readouts.free_energy.map(|f| f.lambda_f);
        ui.label(RichText::new(reading(exact, d.fit.best.lambda, d.fit.best.m, lambda_f, d.n)).small().italics());
        // the Newton polygon
        if let Some(np) = &r.newton
            && let Some((maxc, b)) = np.drawn()
        {
            let h = ui.available_height() - 4.0;
            crate::ui::widgets::plot::legend_if_room(
                Plot::new("newton").height(h),
                ui,
                h,
                Legend::default().position(egui_plot::Corner::RightTop),
            )
            .data_aspect(1.0)
            .x_axis_label("exponent of u (x − x*)")
            .y_axis_label("exponent of v (y − y*)")
            .default_x_bounds(-0.3, maxc)
            .default_y_bounds(-0.3, maxc)
            .show(ui, |pui| {
                let pts: Vec<[f64; 2]> = np.support.iter().map(|(k, _)| [k.0 as f64, k.1 as f64]).collect();
                pui.points(Points::new("support", pts).radius(5.0).color(Color32::from_rgb(80, 170, 255)));
                // boundary: the vertical ray, the compact edges, the horizontal ray
                // Γ₊ = conv(support) + R²₊: the whole region above and right of the boundary
                // (convex, so one polygon), closed through the plot's corner
                let mut region = b.clone();
                region.push([maxc, maxc]);
                // (collinear vertices dropped: egui's convex fill feathers them into a wrong shade)
                let region = without_collinear(region);
                pui.polygon(
                    Polygon::new("Newton polygon (the region above Γ)", PlotPoints::from(region))
                        .fill_color(Color32::from_rgba_unmultiplied(80, 170, 255, 40))
                        .stroke(egui::Stroke::NONE),
                );
                pui.line(
                    Line::new("boundary of the Newton polygon", PlotPoints::from(b))
                        .width(2.0)
                        .color(Color32::from_rgb(200, 200, 200)),
                );
                for f in &np.degenerate_faces {
                    if let Face::Edge(a, c) = f {
                        pui.line(
                            Line::new(
                                "degenerate face",
                                PlotPoints::from(vec![[a.0 as f64, a.1 as f64], [c.0 as f64, c.1 as f64]]),
                            )
                            .width(3.0)
                            .color(RED),
                        );
                    }
                }
                pui.line(
                    Line::new("diagonal", PlotPoints::from(vec![[0.0, 0.0], [maxc, maxc]]))
                        .style(LineStyle::dashed_dense())
                        .color(Color32::GRAY),
                );
                pui.points(
                    Points::new(format!("(t₀, t₀), t₀ = {:.4}", np.t0), vec![[np.t0, np.t0]]).radius(6.0).color(OK),
                );
            });
        } else if let Some(k) = r.order_1d {
            ui.label(format!("1-D: the first non-vanishing derivative has order {k}, so λ = 1/{k}."));
        }
    }
}

/// A closed polygon without the vertices that lie on the segment between their neighbours.
fn without_collinear(p: Vec<[f64; 2]>) -> Vec<[f64; 2]> {
    let n = p.len();
    if n < 4 {
        return p;
    }
    (0..n)
        .filter(|&i| {
            let (a, b, c) = (p[(i + n - 1) % n], p[i], p[(i + 1) % n]);
            let cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
            cross.abs() > 1e-9
        })
        .map(|i| p[i])
        .collect()
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() > n { format!("{}…", s.chars().take(n).collect::<String>()) } else { s.to_string() }
}

/// One line reading the gaps between theory, fit and finite n.
fn reading(exact: Option<f64>, fit: f64, m: u32, lf: Option<f64>, n: f64) -> String {
    let mut parts = vec![];
    match exact {
        Some(l) if (fit - l).abs() <= 0.01 => parts.push(format!("The volume fit agrees with the theory ({:+.4}).", fit - l)),
        Some(l) => parts.push(format!("The volume fit is {:+.4} off the theory: a slow lower-order term, or the theory's point is not the one that dominates.", fit - l)),
        None => parts.push("No exact value: the fit is the measurement.".into()),
    }
    if let (Some(l), Some(f)) = (exact.or(Some(fit)), lf) {
        if m >= 2 {
            parts.push(format!(
                "m = {m}: finite-n estimates sit below λ by about (m−1)/log n = {:.3} (here {:+.3}).",
                (m - 1) as f64 / n.ln().max(1e-9),
                f - l
            ));
        } else {
            parts.push(format!("At n = {}, λ_F(n) differs from λ by {:+.3}: finite n.", sci(n), f - l));
        }
    }
    parts.join(" ")
}
