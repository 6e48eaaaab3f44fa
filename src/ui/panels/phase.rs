//! Panel "Phase transitions": the posterior mass of each basin against log n, the crossovers, and
//! the free energies F_i(n) − n·min K* beside BIC, WBIC and the exact F_n.

use eframe::egui;
use std::sync::Arc;

use egui::{Color32, RichText};
use egui_plot::{HoverPosition, Legend, Line, LineStyle, Plot, PlotPoints, Text, VLine};

use crate::core::analysis::{PhaseData, phase_view};
use crate::core::basins::PREDICTION_FORMULA;
use crate::ui::ViewData;
use crate::ui::widgets::plot::{self, RED, basin_colour, sci};

#[derive(Default)]
pub struct PhasePanel {
    pub data: Option<Arc<ViewData>>,
    /// Why there is no data (the input has no landscape), shown in place of a spinner.
    pub failed: Option<String>,
    /// The phase data whose x-range was last set (a new landscape opens around its crossovers).
    framed: Option<u64>,
    /// The log10 n range shown after the last frame.
    pub shown: Option<[f64; 2]>,
}

impl PhasePanel {
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let Some(d) = self.data.clone() else {
            crate::ui::widgets::waiting(ui, self.failed.as_deref());
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
        // (a margin of 4% each side: a decade label at the very edge, 1e12, was cut to "1e1")
        let view = {
            let v = phase_view(&p.crossovers);
            let m = 0.04 * (v[1] - v[0]);
            [v[0] - m, v[1] + m]
        };
        let frame = (self.framed != Some(p.version)).then_some(view);
        self.framed = Some(p.version);
        let total = ui.available_height();
        let h1 = (total * 0.45).max(100.0);
        let mass_plot = Plot::new("phase-mass").height(h1);
        let r = plot::legend_if_room(mass_plot, ui, h1, Legend::default().position(egui_plot::Corner::RightTop))
            .x_grid_spacer(plot::log_grid_x)
            .custom_x_axes(vec![plot::log_x_axis("n")])
            .y_axis_label("posterior mass")
            .default_y_bounds(0.0, 1.0)
            .default_x_bounds(view[0], view[1])
            .allow_double_click_reset(false)
            .link_axis(egui::Id::unique("phase-x"), [true, false])
            .label_formatter({
                let p = p.clone();
                move |hp: &HoverPosition<'_>| Some(mass_hover(&p, plot::hover_pos(hp).x))
            })
            .show(ui, |pui| {
                if let Some(v) = frame {
                    pui.set_plot_bounds_x(v[0]..=v[1]);
                }
                if pui.response().double_clicked() {
                    pui.set_plot_bounds_x(view[0]..=view[1]);
                }
                pui.set_plot_bounds_y(-0.02..=1.05);
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
                let r = pui.plot_bounds().range_x();
                [*r.start(), *r.end()]
            });
        let shown = self.shown.insert(r.inner);
        let (x0, x1) = (shown[0], shown[1]);
        // F's y-range follows the exact F_n and the basins' F_i over the visible n
        let vis = |t: &f64| *t >= x0 && *t <= x1;
        let mut top = f64::NEG_INFINITY;
        let mut bot = f64::INFINITY;
        for (k, t) in p.log10_n.iter().enumerate() {
            if vis(t) {
                for v in std::iter::once(p.f_total[k]).chain(p.f_basin[k].iter().copied()).filter(|v| v.is_finite()) {
                    top = top.max(v);
                    bot = bot.min(v);
                }
            }
        }
        let (bot, top) = if top > bot { (bot, top) } else { (0.0, 1.0) };
        let pad = 0.08 * (top - bot);
        let h2 = ui.available_height() - 4.0;
        if h2 < 90.0 {
            // (no room left: a strip of a plot would only be noise; presentation mode has room)
            return;
        }
        plot::legend_if_room(
            Plot::new("phase-f").height(h2),
            ui,
            h2,
            Legend::default().position(egui_plot::Corner::LeftTop),
        )
        .x_grid_spacer(plot::log_grid_x)
        .custom_x_axes(vec![plot::log_x_axis("n")])
        .y_axis_label("F(n) − n·min K*")
        .default_x_bounds(view[0], view[1])
        .auto_bounds(egui::Vec2b::new(false, false))
        .allow_double_click_reset(false)
        .link_axis(egui::Id::unique("phase-x"), [true, false])
        .label_formatter({
            let p = p.clone();
            move |hp: &HoverPosition<'_>| Some(f_hover(&p, plot::hover_pos(hp).x))
        })
        .show(ui, |pui| {
            pui.set_plot_bounds_y((bot - pad)..=(top + pad));
            let line = |v: &Vec<f64>| -> PlotPoints {
                PlotPoints::from(
                    p.log10_n.iter().zip(v).filter(|(_, y)| y.is_finite()).map(|(t, y)| [*t, *y]).collect::<Vec<_>>(),
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

/// The basins' masses at the pointer's n (computed there, not read off the pointer's height).
pub fn mass_hover(p: &PhaseData, log10_n: f64) -> String {
    let n = 10f64.powf(log10_n);
    match p.basins.masses(n) {
        Ok(m) => {
            let v: Vec<String> = m.iter().enumerate().map(|(i, v)| format!("basin {i}: {v:.4}")).collect();
            format!("n = {}\n{}", sci(n), v.join("\n"))
        }
        Err(e) => format!("n = {}\n{e}", sci(n)),
    }
}

/// The basins' F_i − n·min K* at the pointer's n.
fn f_hover(p: &PhaseData, log10_n: f64) -> String {
    let n = 10f64.powf(log10_n);
    let kmin = p.basins.basins.iter().map(|b| b.k_min).fold(f64::INFINITY, f64::min);
    match p.basins.free_energies(n) {
        Ok(f) => {
            let v: Vec<String> =
                f.iter().enumerate().map(|(i, v)| format!("F basin {i} = {:.3}", v - n * kmin)).collect();
            format!("n = {}\n{}", sci(n), v.join("\n"))
        }
        Err(e) => format!("n = {}\n{e}", sci(n)),
    }
}

fn ui_text_colour() -> Color32 {
    Color32::from_rgb(235, 200, 60)
}
