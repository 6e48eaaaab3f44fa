//! Panel 2: the posterior p_n(w) ∝ φ(w)·exp(−n·K(w)) on the current view.

use eframe::egui;
use std::sync::Arc;

use egui::Color32;
use egui_plot::{HoverPosition, Line, Plot, PlotBounds, PlotImage, PlotPoint, PlotPoints};

use super::landscape::{LINK, lookup};
use crate::core::picture::PosteriorCurve;
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
    /// Why there is no data (the input has no landscape), shown in place of a spinner.
    pub failed: Option<String>,
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
            crate::ui::widgets::waiting(ui, self.failed.as_deref());
            return None;
        };
        let Some(p) = d.posterior.clone() else {
            ui.label("no posterior for this view");
            return None;
        };
        ui.horizontal_wrapped(|ui| {
            ui.strong("Posterior");
            crate::ui::widgets::slice_badge(ui, &d.analysis.spec);
            ui.label(egui::RichText::new(format!("p_n ~ φ·exp(−n·K), n = {}", sci(d.n))).small());
        });
        if max_cell_mass(&p) > 0.5 || (d.analysis.dim == 2 && concentrated(&p)) {
            ui.label(
                egui::RichText::new(
                    "the posterior is narrower than a pixel of this view: zoom in or use 'Fit to posterior'",
                )
                .small()
                .color(Color32::from_rgb(220, 160, 40)),
            );
        }
        let reset = if d.analysis.dim == 1 { self.ui_1d(ui, &d, &p) } else { self.ui_2d(ui, &d, &p) };
        reset.then_some(Action::ResetView)
    }

    fn ui_1d(&mut self, ui: &mut egui::Ui, d: &ViewData, _p: &PosteriorGrid) -> bool {
        let Some(c) = d.curve.clone() else {
            ui.label("no posterior for this view");
            return false;
        };
        let log = d.style.log_posterior;
        let force = self.force_bounds.take();
        let h = ui.available_height() - 4.0;
        let link = self.link_group();
        let salt = self.salt;
        let masses = d.basin_mass.clone();
        let r = with_mass_bars(ui, &masses, h, |ui| {
            let hover = c.clone();
            Plot::new(format!("posterior1d{salt}"))
                .height(h)
                .x_axis_label("x")
                .y_axis_label(if log { "log10 p_n(x)" } else { "p_n(x)" })
                .link_axis(egui::Id::unique(link), [true, false])
                .label_formatter(move |hp: &HoverPosition<'_>| Some(hover_text(&hover, plot::hover_pos(hp).x)))
                .allow_double_click_reset(false)
                .show(ui, |pui| {
                    if let Some(b) = force {
                        pui.set_plot_bounds_x(b[0]..=b[1]);
                    }
                    // y follows what is drawn in the visible x-range
                    let xr = pui.plot_bounds().range_x();
                    let (y0, y1) = y_range(&c, *xr.start(), *xr.end(), log);
                    pui.set_plot_bounds_y(y0..=y1);
                    draw_curve(pui, &c, log, y0, h < 360.0);
                    (pui.plot_bounds(), pui.response().double_clicked())
                })
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
        let (salt, link) = (self.salt, self.link_group());
        let masses = d.basin_mass.clone();
        let avail_h = ui.available_height();
        let r = with_mass_bars(ui, &masses, avail_h, |ui| {
            let plot_size = plot::aspect_size(ui, &d.analysis.bounds);
            plot::heatmap_plot(format!("posterior2d{salt}"), plot_size, &link)
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
                                    "",
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
                })
        });
        let (b, reset) = r.inner;
        self.bounds = Some([b.min()[0], b.max()[0], b.min()[1], b.max()[1]]);
        reset
    }
}

/// The hover readout of a 1-D posterior: the curve's value at the pointer's x (not the pointer's
/// height).
pub fn hover_text(c: &PosteriorCurve, x: f64) -> String {
    // a spike within three cells of the pointer speaks first: its mass is what it shows
    let near = c
        .spikes
        .iter()
        .filter(|s| (s.x - x).abs() <= 3.0 * c.cell_width())
        .map(|s| format!("\nbasin {} at x = {}: mass {:.3} (narrower than a pixel)", s.basin, sci(s.x), s.mass))
        .collect::<String>();
    match c.value_at(x) {
        Some((b, lp)) => {
            let basin = b.map(|i| format!("  (basin {i})")).unwrap_or_default();
            format!("x = {x:.6}{basin}\np = {}\nlog10 p = {:.3}{near}", sci(lp.exp()), lp / std::f64::consts::LN_10)
        }
        None => format!("x = {x:.6}{near}"),
    }
}

/// The y-range of what is drawn for x in [x0, x1] (linear: from 0; log: 12 decades below the top).
fn y_range(c: &PosteriorCurve, x0: f64, x1: f64, log: bool) -> (f64, f64) {
    let inside = |x: f64| x >= x0 && x <= x1;
    let top = c
        .segments
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|p| inside(p[0]))
        .map(|p| p[1].exp())
        .chain(c.spikes.iter().filter(|s| inside(s.x)).map(|s| s.height))
        .fold(0.0f64, f64::max);
    let top = if top > 0.0 && top.is_finite() { top } else { c.top.max(1e-300) };
    if log {
        let t = top.log10();
        (t - 12.0, t + 0.8)
    } else {
        (0.0, 1.3 * top)
    }
}

/// The curve, one colour per basin, and the spikes (height ∝ mass, labelled with it).
fn draw_curve(pui: &mut egui_plot::PlotUi<'_>, c: &PosteriorCurve, log: bool, floor: f64, short: bool) {
    let y = |lp: f64| if log { (lp / std::f64::consts::LN_10).max(floor) } else { lp.exp() };
    for s in &c.segments {
        let col = basin_colour(s.basin.unwrap_or(0));
        let name = s.basin.map(|i| format!("basin {i}")).unwrap_or_else(|| "posterior".into());
        let pts: Vec<[f64; 2]> = s.points.iter().map(|p| [p[0], y(p[1])]).collect();
        pui.line(Line::new(name, PlotPoints::from(pts)).width(2.5).color(col));
    }
    for sp in &c.spikes {
        let col = basin_colour(sp.basin);
        let top = if log { sp.height.max(1e-300).log10() } else { sp.height };
        let bottom = if log { floor } else { 0.0 };
        pui.line(
            Line::new(format!("basin {}", sp.basin), PlotPoints::from(vec![[sp.x, bottom], [sp.x, top]]))
                .color(col)
                .width(4.0),
        );
        pui.points(egui_plot::Points::new(format!("basin {}", sp.basin), vec![[sp.x, top]]).radius(4.0).color(col));
        pui.text(
            egui_plot::Text::new(
                "",
                PlotPoint::new(sp.x, top),
                if short {
                    format!("mass {:.3}", sp.mass)
                } else {
                    format!(
                        "basin {}: mass {:.3}\n(narrower than a pixel;\nheight in proportion to mass)",
                        sp.basin, sp.mass
                    )
                },
            )
            .color(col)
            .anchor(egui::Align2::CENTER_BOTTOM),
        );
    }
}

/// Width of the basin-mass bars beside a posterior.
const BARS_W: f32 = 86.0;

/// `plot` on the left, the basin masses as bars (0 … 1, one colour per basin) on the right.
pub fn with_mass_bars<R>(ui: &mut egui::Ui, masses: &[f64], height: f32, plot: impl FnOnce(&mut egui::Ui) -> R) -> R {
    if masses.len() < 2 {
        return plot(ui);
    }
    // (a fifth of the width at most: at a large font scale the plot keeps most of the room)
    let bw = BARS_W.min(0.2 * ui.available_width()).max(40.0);
    ui.horizontal_top(|ui| {
        let w = (ui.available_width() - bw - 8.0).max(80.0);
        let r = ui.allocate_ui(egui::vec2(w, height), plot).inner;
        mass_bars(ui, masses, egui::vec2(bw, height));
        r
    })
    .inner
}

/// Bars of each basin's posterior mass, labelled, on a fixed 0 … 1 scale.
pub fn mass_bars(ui: &mut egui::Ui, masses: &[f64], size: egui::Vec2) {
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let font = egui::TextStyle::Small.resolve(ui.style());
    let text = ui.visuals().text_color();
    let title_h = font.size * 1.3;
    painter.text(rect.center_top(), egui::Align2::CENTER_TOP, "mass", font.clone(), text);
    let k = masses.len().max(1) as f32;
    let label_h = font.size * 2.6;
    let top = rect.top() + title_h + font.size * 1.3;
    let bottom = rect.bottom() - label_h;
    let full = (bottom - top).max(10.0);
    painter.line_segment([egui::pos2(rect.left(), bottom), egui::pos2(rect.right(), bottom)], (1.0, Color32::GRAY));
    painter.line_segment([egui::pos2(rect.left(), top), egui::pos2(rect.right(), top)], (0.5, Color32::GRAY));
    let slot = rect.width() / k;
    for (i, m) in masses.iter().enumerate() {
        let x0 = rect.left() + slot * i as f32 + 0.15 * slot;
        let x1 = rect.left() + slot * (i + 1) as f32 - 0.15 * slot;
        let h = (m.clamp(0.0, 1.0) as f32) * full;
        let col = basin_colour(i);
        painter.rect_filled(egui::Rect::from_min_max(egui::pos2(x0, bottom - h), egui::pos2(x1, bottom)), 1.0, col);
        painter.text(
            egui::pos2(0.5 * (x0 + x1), bottom - h - 2.0),
            egui::Align2::CENTER_BOTTOM,
            format!("{m:.2}"),
            font.clone(),
            text,
        );
        painter.text(
            egui::pos2(0.5 * (x0 + x1), bottom + 2.0),
            egui::Align2::CENTER_TOP,
            format!("{i}"),
            font.clone(),
            col,
        );
    }
    painter.text(egui::pos2(rect.center().x, bottom + font.size * 1.3), egui::Align2::CENTER_TOP, "basin", font, text);
}

/// A small posterior plot for the comparison window: the 1-D picture on a y-range shared by the
/// three (`y_top`), or in 2-D the x-marginal of the grid.
pub fn small_posterior_plot(ui: &mut egui::Ui, id: &str, c: Option<&PosteriorCurve>, p: &PosteriorGrid, y_top: f64) {
    let h = 240.0;
    match c {
        Some(c) => {
            Plot::new(format!("small-posterior-{id}"))
                .height(h)
                .x_axis_label("x")
                .y_axis_label("p_n(x)")
                .allow_drag(false)
                .allow_zoom(false)
                .allow_scroll(false)
                .allow_double_click_reset(false)
                .label_formatter({
                    let c = c.clone();
                    move |hp: &HoverPosition<'_>| Some(hover_text(&c, plot::hover_pos(hp).x))
                })
                .show(ui, |pui| {
                    let x = [p.spec.x[0], p.spec.x[1]];
                    pui.set_plot_bounds(PlotBounds::from_min_max([x[0], 0.0], [x[1], 1.25 * y_top]));
                    draw_curve(pui, c, false, 0.0, true);
                });
        }
        None => {
            // 2-D: the x-marginal (sum over y) of the grid posterior
            let nx = p.spec.nx;
            let w = p.spec.cell_size()[0];
            let mut marg = vec![0.0f64; nx];
            for j in 0..p.spec.ny.max(1) {
                for (i, m) in marg.iter_mut().enumerate() {
                    *m += p.log_p[j * nx + i].exp();
                }
            }
            let pts: Vec<[f64; 2]> = marg.iter().enumerate().map(|(i, m)| [p.spec.center(i, 0)[0], m / w]).collect();
            Plot::new(format!("small-posterior-{id}")).height(h).x_axis_label("x").y_axis_label("marginal of x").show(
                ui,
                |pui| {
                    pui.set_plot_bounds(PlotBounds::from_min_max([p.spec.x[0], 0.0], [p.spec.x[1], 1.15 * y_top]));
                    pui.line(Line::new("posterior", PlotPoints::from(pts)).width(2.0).color(basin_colour(0)));
                },
            );
        }
    }
}
