//! Panel 1: the landscape K with the sublevel set {K − K* < ε} in red.

use eframe::egui;
use std::sync::Arc;

use egui::Color32;
use egui_plot::{HLine, HoverPosition, Line, Plot, PlotBounds, PlotImage, PlotPoint, PlotPoints, Polygon};

use crate::core::readouts::{RegularComparison, regular_comparison};
use crate::ui::ViewData;
use crate::ui::action::Action;
use crate::ui::panels::learn::{Overlay, draw_overlay};
use crate::ui::settings::ColourMap;
use crate::ui::widgets::plot::{self, RED, basin_colour, colour_bar, sci};
use crate::ui::widgets::render::{KScale, Lut, basin_boundary_image, landscape_image, mask_image};
use crate::ui::widgets::texture::CachedTexture;

#[derive(Default)]
pub struct LandscapePanel {
    pub data: Option<Arc<ViewData>>,
    /// Why there is no data (the input has no landscape), shown in place of a spinner.
    pub failed: Option<String>,
    heat: CachedTexture<(usize, bool, bool)>,
    mask: CachedTexture<(usize, u64)>,
    mask_pixels: usize,
    basins_tex: CachedTexture<(usize, usize)>,
    /// Plot bounds after the last frame (x0, x1, y0, y1).
    pub bounds: Option<[f64; 4]>,
    /// Bounds to impose on the next frame (fit view, new landscape).
    pub force_bounds: Option<[f64; 4]>,
    lut: Option<(ColourMap, Lut)>,
    /// Distinguishes a second instance (compare mode): its plots, textures and axis links.
    pub salt: &'static str,
    /// SGD path and SGLD chains to draw (the learning tab).
    pub overlay: Option<Arc<Overlay>>,
}

pub const LINK: &str = "landscape-posterior";

/// The legend's name for everything that draws the sublevel set.
const SET: &str = "red: sublevel set {K − K* < ε}";
/// The 1-D curve of K.
const K_COLOUR: Color32 = Color32::from_rgb(170, 200, 90);

/// The 1-D y-axis: K itself, or log10(K − K*) above a floor (the grid's smallest positive K − K*,
/// kept below ε so that the level shows).
struct KAxis {
    log: bool,
    kmin: f64,
    floor: f64,
}

impl KAxis {
    fn new(pts: &[[f64; 2]], kmin: f64, kmax: f64, eps: f64, log: bool) -> KAxis {
        let pos = pts.iter().map(|p| p[1] - kmin).filter(|v| *v > 0.0).fold(f64::INFINITY, f64::min);
        let range = (kmax - kmin).max(1e-300);
        let floor = pos.min(0.1 * eps).max(1e-14 * range).max(1e-300);
        KAxis { log, kmin, floor }
    }
    fn y(&self, k: f64) -> f64 {
        if self.log { (k - self.kmin).max(self.floor).log10() } else { k }
    }
    fn min_span(&self) -> f64 {
        if self.log { 1.0 } else { 1e-300 }
    }
}

/// The hover readout of the 1-D landscape: K at the pointer's x, evaluated (not the pointer's height).
pub fn hover_text_1d(a: &crate::core::analysis::Analysis, x: f64) -> String {
    hover_text(a, x, 0.0)
}

/// The hover readout of a landscape: K evaluated at the pointer (not a grid cell's value, nor the
/// pointer's height on a 1-D plot).
pub fn hover_text(a: &crate::core::analysis::Analysis, x: f64, y: f64) -> String {
    let at = if a.dim == 1 { format!("x = {x:.6}") } else { format!("x = {x:.5}, y = {y:.5}") };
    let inside = (a.bounds[0][0]..=a.bounds[0][1]).contains(&x)
        && (a.dim == 1 || (a.bounds[1][0]..=a.bounds[1][1]).contains(&y));
    if !inside {
        return format!("{at}\n(outside the box)");
    }
    let k = a.landscape.k(x, y);
    let kmin = a.estimate.minimum.k_min;
    if k.is_finite() {
        format!("{at}\nK = {}\nK − K* = {}", sci(k), sci(k - kmin))
    } else {
        format!("{at}\nK undefined")
    }
}

const REGULAR: &str = "a regular basin's set at the same ε";
const REGULAR_COLOUR: Color32 = Color32::from_rgb(80, 220, 230);

/// The regular basin's set at ε, centred on w*, when asked for (uniform prior: volumes compare).
fn regular_of(d: &ViewData) -> Option<([f64; 2], RegularComparison)> {
    if !d.style.regular_overlay {
        return None;
    }
    let w = *d.analysis.estimate.minimum.argmin.first()?;
    let b = d.analysis.bounds;
    let vol = if d.analysis.dim == 1 { b[0][1] - b[0][0] } else { (b[0][1] - b[0][0]) * (b[1][1] - b[1][0]) };
    Some((w, regular_comparison(d.readouts.v_eps.value, d.eps, d.analysis.dim, vol)))
}

fn regular_text(c: &RegularComparison, dim: usize) -> String {
    let (what, form) = if dim == 1 { ("width", "2·ε^½") } else { ("area", "π·ε¹") };
    format!(
        "why λ < d/2: a regular basin's set at this ε has {what} {form} = {} (prior volume {}); this one has V(ε) = {}, {}× as much (a ratio that grows as ε shrinks means λ < d/2)",
        sci(c.regular_size),
        sci(c.regular_v),
        sci(c.v),
        sci(c.ratio)
    )
}

impl LandscapePanel {
    pub fn with_salt(salt: &'static str) -> Self {
        LandscapePanel { salt, ..Default::default() }
    }
    fn link_group(&self) -> String {
        format!("{LINK}{}", self.salt)
    }
}

impl LandscapePanel {
    /// Draw; a click (not a drag) on the 2-D plot comes back as `Action::Clicked`.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<Action> {
        let Some(d) = self.data.clone() else {
            crate::ui::widgets::waiting(ui, self.failed.as_deref());
            return None;
        };
        let mut asked = None;
        ui.horizontal_wrapped(|ui| {
            ui.strong("Landscape and sublevel set");
            crate::ui::widgets::slice_badge(ui, &d.analysis.spec);
            let f = crate::core::expr::pretty(&d.analysis.spec.label());
            if f.chars().count() <= 30 {
                ui.label(egui::RichText::new(format!("K = {f}")).small());
            }
            ui.label(egui::RichText::new(format!("K − K* < ε = {}", sci(d.eps))).color(RED).small());
            // the view buttons beside the title (they act on this panel and the posterior)
            if ui
                .small_button("Reset view")
                .on_hover_text("Reset view: both views back to the whole box (or double-click on either).")
                .clicked()
            {
                asked = Some(Action::ResetView);
            }
            if ui
                .small_button("Fit")
                .on_hover_text("Fit to posterior: zoom the landscape and posterior panels to where the posterior is.")
                .clicked()
            {
                asked = Some(Action::FitViewToPosterior);
            }
        });
        if let Some((_, c)) = regular_of(&d) {
            ui.label(egui::RichText::new(regular_text(&c, d.analysis.dim)).small().color(REGULAR_COLOUR));
        }
        let drawn =
            if d.analysis.dim == 1 { self.ui_1d(ui, &d).then_some(Action::ResetView) } else { self.ui_2d(ui, &d) };
        asked.or(drawn)
    }

    fn ui_1d(&mut self, ui: &mut egui::Ui, d: &ViewData) -> bool {
        let g = &d.grid;
        let kmin = d.analysis.estimate.minimum.k_min;
        let log = d.style.log_k_axis;
        let mut raw: Vec<[f64; 2]> =
            (0..g.spec.nx).filter(|&i| g.k[i].is_finite()).map(|i| [g.spec.center(i, 0)[0], g.k[i]]).collect();
        // the minimisers join the curve: a basin narrower than a cell still dips to its K*
        let mins = d.phase.iter().flat_map(|p| p.basins.basins.iter().map(|b| [b.argmin[0], b.k_min]));
        let global = d.analysis.estimate.minimum.argmin.iter().map(|w| [w[0], kmin]);
        for m in mins.chain(global) {
            if m[0] >= g.spec.x[0] && m[0] <= g.spec.x[1] && m[1].is_finite() {
                raw.push(m);
            }
        }
        raw.sort_by(|a, b| a[0].total_cmp(&b[0]));
        let kmax = raw.iter().map(|p| p[1]).fold(kmin, f64::max);
        let axis = KAxis::new(&raw, kmin, kmax, d.eps, log);
        let pts: Vec<[f64; 2]> = raw.iter().map(|p| [p[0], axis.y(p[1])]).collect();
        // the K range of the lesson: deep enough to show every basin's bottom and the level K* + ε
        let basins = d.phase.as_ref().map(|p| &p.basins.basins).filter(|b| b.len() > 1);
        let lesson_top = basins.map(|b| {
            let depth = b.iter().map(|x| x.k_min).fold(kmin, f64::max) - kmin;
            axis.y(kmin + (10.0 * depth).max(3.0 * d.eps))
        });
        let level = axis.y(kmin + d.eps);
        let regular = regular_of(d);
        let force = self.force_bounds.take();
        let overlay = self.overlay.clone();
        let h = ui.available_height() - 4.0;
        let land = d.analysis.clone();
        let legend = egui_plot::Legend::default().position(egui_plot::Corner::RightTop);
        let r = plot::legend_if_room(Plot::new(format!("landscape1d{}", self.salt)).height(h), ui, h, legend)
            .x_axis_label("x")
            .y_axis_label(if log { "K − K* (log)" } else { "K(x)" })
            .link_axis(egui::Id::unique(self.link_group()), [true, false])
            .allow_double_click_reset(false)
            .label_formatter(move |hp: &HoverPosition<'_>| Some(hover_text_1d(&land, plot::hover_pos(hp).x)))
            .show(ui, |pui| {
                if let Some(b) = force {
                    pui.set_plot_bounds_x(b[0]..=b[1]);
                }
                // y follows the curve in the visible x-range, capped at the lesson's K range
                let xr = pui.plot_bounds().range_x();
                let vis = pts.iter().filter(|p| xr.contains(&p[0])).map(|p| p[1]);
                let (lo, hi) = vis.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
                let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (axis.y(kmin), axis.y(kmax)) };
                let lo = lo.min(axis.y(kmin));
                let hi = lesson_top.map_or(hi, |t| hi.min(t)).max(level).max(lo + axis.min_span());
                let span = hi - lo;
                // room below for the set's bars and the basins' bars
                let base = lo - 0.03 * span;
                let basin_y = lo - 0.06 * span;
                pui.set_plot_bounds_y((lo - 0.09 * span)..=(hi + 0.05 * span));
                let bottom = axis.y(kmin);
                // a set narrower than a pixel is drawn as a labelled impulse so that it stays visible
                let px = pui.transform().dvalue_dpos()[0].abs();
                let mark = level.max(lo + 0.06 * span);
                for (a, b) in d.intervals_1d.iter().filter(|(a, b)| b - a < 2.0 * px) {
                    let c = 0.5 * (a + b);
                    pui.line(Line::new(SET, PlotPoints::from(vec![[c, base], [c, mark]])).color(RED).width(3.0));
                    pui.text(
                        egui_plot::Text::new("", PlotPoint::new(c, mark), format!("width {}", sci(b - a)))
                            .color(RED)
                            .anchor(egui::Align2::LEFT_BOTTOM),
                    );
                }
                for (a, b) in d.intervals_1d.iter() {
                    let band = vec![[*a, bottom], [*b, bottom], [*b, level], [*a, level]];
                    pui.polygon(
                        Polygon::new(SET, PlotPoints::from(band))
                            .fill_color(Color32::from_rgba_unmultiplied(230, 30, 30, 60))
                            .stroke(egui::Stroke::NONE),
                    );
                    pui.line(Line::new(SET, PlotPoints::from(vec![[*a, base], [*b, base]])).color(RED).width(5.0));
                }
                if let Some(bs) = basins {
                    for (i, b) in bs.iter().enumerate() {
                        let c = basin_colour(i);
                        if let Some([a, bb]) = b.interval {
                            pui.line(
                                Line::new(format!("basin {i}"), PlotPoints::from(vec![[a, basin_y], [bb, basin_y]]))
                                    .color(c)
                                    .width(3.0),
                            );
                        }
                        pui.text(
                            egui_plot::Text::new("", PlotPoint::new(b.argmin[0], basin_y), format!("{i}"))
                                .color(c)
                                .anchor(egui::Align2::CENTER_TOP),
                        );
                    }
                }
                pui.line(Line::new("K(x)", PlotPoints::from(pts)).width(2.0).color(K_COLOUR));
                pui.hline(HLine::new("K* + ε", level).color(RED).width(1.5));
                if let Some((w, c)) = regular {
                    // the regular basin's set at the same ε, just above the red one
                    let y = level + 0.04 * span;
                    pui.line(
                        Line::new(REGULAR, PlotPoints::from(vec![[w[0] - c.radius, y], [w[0] + c.radius, y]]))
                            .color(REGULAR_COLOUR)
                            .width(5.0),
                    );
                    pui.text(
                        egui_plot::Text::new("", PlotPoint::new(w[0], y), "regular basin, same ε")
                            .color(REGULAR_COLOUR)
                            .anchor(egui::Align2::CENTER_BOTTOM),
                    );
                }
                if let Some(o) = &overlay {
                    draw_overlay(pui, o);
                }
                (pui.plot_bounds(), pui.response().double_clicked())
            });
        let (b, reset) = r.inner;
        self.bounds = Some([b.min()[0], b.max()[0], 0.0, 0.0]);
        reset
    }

    fn ui_2d(&mut self, ui: &mut egui::Ui, d: &ViewData) -> Option<Action> {
        let g = &d.grid;
        let kmin = d.analysis.estimate.minimum.k_min;
        let ctx = ui.ctx().clone();
        let log = d.style.log_colour;
        if self.lut.as_ref().map(|l| l.0) != Some(d.style.colormap) {
            self.lut = Some((d.style.colormap, Lut::scheme(d.style.colormap).0));
            self.heat.invalidate();
        }
        let (_, lut) = self.lut.as_ref()?;
        let scale = KScale::for_grid(g, kmin, log);
        let gkey = Arc::as_ptr(g) as usize;
        let heat = self.heat.get(&ctx, &format!("landscape-heat{}", self.salt), (gkey, log, true), || {
            landscape_image(g, &scale, lut, true)
        });
        let mut inside = None;
        let mask = self.mask.get(&ctx, &format!("landscape-mask{}", self.salt), (gkey, d.eps.to_bits()), || {
            let (img, n) = mask_image(g, kmin, d.eps, crate::ui::widgets::render::SET_ALPHA);
            inside = Some(n);
            img
        });
        if let Some(n) = inside {
            self.mask_pixels = n;
        }
        let phase_basins = d
            .phase
            .as_ref()
            .filter(|p| p.basins.basins.len() > 1)
            .and_then(|p| p.basins.labels.clone().map(|l| (p.clone(), l)));
        let basins_id = phase_basins.as_ref().map(|(ph, labels)| {
            let key = (gkey, Arc::as_ptr(ph) as usize);
            self.basins_tex.get(&ctx, &format!("basins{}", self.salt), key, || basin_boundary_image(&g.spec, labels))
        });
        let basin_marks: Vec<([f64; 2], usize)> = phase_basins
            .as_ref()
            .map(|(ph, _)| ph.basins.basins.iter().enumerate().map(|(i, b)| (b.argmin, i)).collect())
            .unwrap_or_default();
        let overlay = self.overlay.clone();
        let lab = |t: f64| sci(scale.value_at(t));
        colour_bar(ui, lut, if log { "K − K* (log)" } else { "K − K*" }, [lab(0.0), lab(0.5), lab(1.0)]);
        if self.mask_pixels == 0 {
            ui.label(
                egui::RichText::new(
                    "the sublevel set is narrower than a pixel here: zoom in (V(ε) in the readouts is exact)",
                )
                .small()
                .color(Color32::from_rgb(220, 160, 40)),
            );
        }
        let spec = g.spec;
        let (center, size) = plot::image_placement(&spec);
        let force = self.force_bounds.take();
        let land = d.analysis.clone();
        let plot_size = plot::aspect_size(ui, &d.analysis.bounds);
        let heat_plot = plot::heatmap_plot(format!("landscape2d{}", self.salt), plot_size, &self.link_group());
        // (bottom left: the corners of a box are usually far from its minima)
        // (the legend takes the colour of the first item of a name: the red swatch below, not the
        // mask image, which has no colour of its own)
        let legend = egui_plot::Legend::default()
            .position(egui_plot::Corner::LeftBottom)
            .background_alpha(0.6)
            .color_conflict_handling(egui_plot::ColorConflictHandling::PickFirst);
        let r = plot::legend_if_room(heat_plot, ui, plot_size.1, legend)
            .label_formatter(move |hp: &HoverPosition<'_>| {
                let p = plot::hover_pos(hp);
                Some(hover_text(&land, p.x, p.y))
            })
            .show(ui, |pui| {
                if let Some(b) = force {
                    pui.set_plot_bounds(PlotBounds::from_min_max([b[0], b[2]], [b[1], b[3]]));
                }
                pui.image(PlotImage::new("", heat, center, size));
                // (an empty series has no legend entry: one point at the minimiser, which is
                // inside the set, too small to see)
                if let Some(w) = d.analysis.estimate.minimum.argmin.first() {
                    pui.points(egui_plot::Points::new(SET, vec![[w[0], w[1]]]).color(RED).radius(0.1));
                }
                pui.image(PlotImage::new(SET, mask, center, size));
                if let Some(id) = basins_id {
                    pui.image(PlotImage::new("basin boundaries", id, center, size));
                }
                // the Hessian's flat directions through w*
                if let Some(h) = &d.analysis.estimate.theory_report.hessian
                    && h.at.len() == 2
                {
                    for k in &h.kernel {
                        let Some([a, b]) = plot::clip_to_box([h.at[0], h.at[1]], [k[0], k[1]], &d.analysis.bounds)
                        else {
                            continue;
                        };
                        pui.line(
                            Line::new("flat direction (Hessian kernel)", PlotPoints::from(vec![a, b]))
                                .color(Color32::from_rgba_unmultiplied(255, 255, 255, 160))
                                .style(egui_plot::LineStyle::dashed_dense()),
                        );
                    }
                }
                if let Some((w, c)) = regular_of(d) {
                    let circle: Vec<[f64; 2]> = (0..=96)
                        .map(|k| {
                            let t = std::f64::consts::TAU * k as f64 / 96.0;
                            [w[0] + c.radius * t.cos(), w[1] + c.radius * t.sin()]
                        })
                        .collect();
                    pui.line(Line::new(REGULAR, PlotPoints::from(circle)).color(REGULAR_COLOUR).width(2.5));
                    pui.text(
                        egui_plot::Text::new("", PlotPoint::new(w[0], w[1] + c.radius), "regular basin, same ε")
                            .color(REGULAR_COLOUR)
                            .anchor(egui::Align2::CENTER_BOTTOM),
                    );
                }
                for (w, i) in &basin_marks {
                    let c = basin_colour(*i);
                    pui.points(egui_plot::Points::new(format!("basin {i}"), vec![[w[0], w[1]]]).radius(5.0).color(c));
                    let mass = d.basin_mass.get(*i).map(|m| format!(": P = {m:.3}")).unwrap_or_default();
                    pui.text(
                        egui_plot::Text::new("", PlotPoint::new(w[0], w[1]), format!(" basin {i}{mass}"))
                            .color(c)
                            .anchor(egui::Align2::LEFT_BOTTOM),
                    );
                }
                if let Some(o) = &overlay {
                    draw_overlay(pui, o);
                }
                let click = if pui.response().clicked() { pui.pointer_coordinate() } else { None };
                (pui.plot_bounds(), click, pui.response().double_clicked())
            });
        let (b, click, reset) = r.inner;
        self.bounds = Some([b.min()[0], b.max()[0], b.min()[1], b.max()[1]]);
        if reset {
            return Some(Action::ResetView);
        }
        click.map(|p| Action::Clicked([p.x, p.y]))
    }
}

/// K at the grid cell under (x, y), if inside the grid.
pub fn lookup(g: &crate::core::posterior::KGrid, x: f64, y: f64) -> Option<f64> {
    let s = g.spec;
    let i = ((x - s.x[0]) / (s.x[1] - s.x[0]) * s.nx as f64).floor();
    let j = if s.ny <= 1 { 0.0 } else { ((y - s.y[0]) / (s.y[1] - s.y[0]) * s.ny as f64).floor() };
    if i < 0.0 || j < 0.0 || i >= s.nx as f64 || j >= s.ny.max(1) as f64 {
        return None;
    }
    g.k.get(j as usize * s.nx + i as usize).copied().filter(|v| v.is_finite())
}
