//! Panel "Phase transitions": the posterior mass of each basin against log n, the crossovers, and
//! the free energies F_i(n) − n·min K* beside BIC, WBIC and the exact F_n.

use eframe::egui;
use std::sync::Arc;

use egui::{Color32, RichText};
use egui_plot::{HoverPosition, Legend, Line, LineStyle, Plot, PlotPoints, Text, VLine};

use crate::core::basins::PREDICTION_FORMULA;
use crate::ui::ViewData;
use crate::ui::widgets::plot::{self, RED, basin_colour, log_fmt, log_grid, sci};

#[derive(Default)]
pub struct PhasePanel {
    pub data: Option<Arc<ViewData>>,
}

impl PhasePanel {
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let Some(d) = self.data.clone() else {
            ui.spinner();
            return;
        };
        let Some(p) = d.phase.clone() else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("finding the basins and their free energies…");
            });
            if let Some(e) = &d.phase_error {
                ui.label(RichText::new(e).color(Color32::from_rgb(230, 60, 60)));
            }
            return;
        };
        let b = &p.basins.basins;
        ui.horizontal_wrapped(|ui| {
            ui.strong("Phase transitions");
            for (i, bs) in b.iter().enumerate() {
                let w: Vec<String> = bs.argmin[..d.analysis.dim].iter().map(|v| format!("{v:.3}")).collect();
                ui.label(
                    RichText::new(format!(
                        "basin {i}: w* = ({}), K* = {}, λ = {:.3}",
                        w.join(", "),
                        sci(bs.k_min),
                        bs.fit.best.lambda
                    ))
                    .color(basin_colour(i))
                    .small(),
                );
            }
        });
        if b.len() < 2 {
            ui.label(
                RichText::new(
                    "One basin: the posterior has nowhere to jump. Try the presets under 'phase transitions'.",
                )
                .weak(),
            );
        }
        for c in &p.crossovers {
            let pred = match c.n_c_predicted {
                Some(q) => format!(" — leading order {} ({:+.1}%)", sci(q), 100.0 * (q / c.n_c - 1.0)),
                None => String::new(),
            };
            ui.label(
                RichText::new(format!("basin {} to basin {} at n_c = {}{}", c.from, c.to, sci(c.n_c), pred))
                    .small()
                    .strong(),
            )
            .on_hover_text(format!("Exact: where F_i(n) = F_j(n). Leading order: {PREDICTION_FORMULA}"));
        }
        let ln = d.n.log10();
        let total = ui.available_height();
        let h1 = (total * 0.45).max(100.0);
        Plot::new("phase-mass")
            .height(h1)
            .legend(Legend::default().position(egui_plot::Corner::RightTop))
            .x_grid_spacer(log_grid)
            .x_axis_formatter(log_fmt)
            .x_axis_label("n")
            .y_axis_label("posterior mass")
            .default_y_bounds(0.0, 1.0)
            .default_x_bounds(0.0, 12.0)
            .link_axis(egui::Id::unique("phase-x"), [true, false])
            .label_formatter(|hp: &HoverPosition<'_>| {
                let q = plot::hover_pos(hp);
                Some(format!("n = {}\nmass = {:.4}", sci(10f64.powf(q.x)), q.y))
            })
            .show(ui, |pui| {
                for i in 0..b.len() {
                    let pts: Vec<[f64; 2]> = p.log10_n.iter().zip(&p.mass).map(|(t, m)| [*t, m[i]]).collect();
                    pui.line(Line::new(format!("basin {i}"), PlotPoints::from(pts)).color(basin_colour(i)).width(2.5));
                }
                for c in &p.crossovers {
                    pui.vline(VLine::new("n_c", c.n_c.log10()).color(Color32::GRAY).style(LineStyle::dashed_dense()));
                    pui.text(
                        Text::new(
                            "n_c",
                            egui_plot::PlotPoint::new(c.n_c.log10(), 0.95),
                            format!("n_c = {}", sci(c.n_c)),
                        )
                        .anchor(egui::Align2::LEFT_TOP),
                    );
                }
                pui.vline(VLine::new("n", ln).color(RED).width(1.5));
            });
        let top = p.f_total.iter().copied().filter(|v| v.is_finite()).fold(1.0f64, f64::max) * 1.3;
        Plot::new("phase-f")
            .height(ui.available_height() - 4.0)
            .legend(Legend::default().position(egui_plot::Corner::LeftTop))
            .x_grid_spacer(log_grid)
            .x_axis_formatter(log_fmt)
            .x_axis_label("n")
            .y_axis_label("F(n) − n·min K*")
            .default_y_bounds(0.0, top)
            .default_x_bounds(0.0, 12.0)
            .auto_bounds(egui::Vec2b::new(false, false))
            .link_axis(egui::Id::unique("phase-x"), [true, false])
            .label_formatter(|hp: &HoverPosition<'_>| {
                let q = plot::hover_pos(hp);
                Some(format!("n = {}\nF − n·min K* = {:.3}", sci(10f64.powf(q.x)), q.y))
            })
            .show(ui, |pui| {
                let line = |v: &Vec<f64>| -> PlotPoints {
                    PlotPoints::from(
                        p.log10_n
                            .iter()
                            .zip(v)
                            .filter(|(_, y)| y.is_finite())
                            .map(|(t, y)| [*t, *y])
                            .collect::<Vec<_>>(),
                    )
                };
                for i in 0..b.len() {
                    let v: Vec<f64> = p.f_basin.iter().map(|f| f[i]).collect();
                    pui.line(Line::new(format!("F basin {i}"), line(&v)).color(basin_colour(i)));
                }
                pui.line(Line::new("exact F_n", line(&p.f_total)).color(ui_text_colour()).width(2.5));
                pui.line(
                    Line::new(format!("BIC: (d/2) log n, d = {}", d.analysis.dim), line(&p.bic))
                        .color(Color32::GRAY)
                        .style(LineStyle::dashed_loose()),
                );
                pui.line(
                    Line::new("WBIC: E_β[nK], β = 1/log n", line(&p.wbic))
                        .color(Color32::from_rgb(190, 120, 230))
                        .style(LineStyle::dashed_dense()),
                );
                pui.vline(VLine::new("n", ln).color(RED).width(1.5));
            });
    }
}

fn ui_text_colour() -> Color32 {
    Color32::from_rgb(235, 200, 60)
}
