//! Panel 1: the landscape K with the sublevel set {K − K* < ε} in red.

use eframe::egui;
use std::sync::Arc;

use egui::Color32;
use egui_plot::{HLine, HoverPosition, Line, Plot, PlotBounds, PlotImage, PlotPoint, PlotPoints, Polygon};

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
            ui.centered_and_justified(|ui| ui.spinner());
            return None;
        };
        ui.horizontal_wrapped(|ui| {
            ui.strong("Landscape and sublevel set");
            ui.label(egui::RichText::new(format!("K − K* < ε = {}", sci(d.eps))).color(RED).small());
        });
        if d.analysis.dim == 1 {
            self.ui_1d(ui, &d);
            None
        } else {
            self.ui_2d(ui, &d)
        }
    }

    fn ui_1d(&mut self, ui: &mut egui::Ui, d: &ViewData) {
        let g = &d.grid;
        let kmin = d.analysis.estimate.minimum.k_min;
        let pts: Vec<[f64; 2]> =
            (0..g.spec.nx).filter(|&i| g.k[i].is_finite()).map(|i| [g.spec.center(i, 0)[0], g.k[i]]).collect();
        let ymax = pts.iter().map(|p| p[1]).fold(kmin, f64::max);
        let level = kmin + d.eps;
        let force = self.force_bounds.take();
        let overlay = self.overlay.clone();
        let h = ui.available_height() - 4.0;
        let r = Plot::new(format!("landscape1d{}", self.salt))
            .height(h)
            .x_axis_label("x")
            .y_axis_label("K(x)")
            .link_axis(egui::Id::unique(self.link_group()), [true, false])
            .label_formatter(|hp: &HoverPosition<'_>| {
                let p = plot::hover_pos(hp);
                Some(format!("x = {:.6}\nK = {}", p.x, sci(p.y)))
            })
            .show(ui, |pui| {
                if let Some(b) = force {
                    pui.set_plot_bounds(PlotBounds::from_min_max([b[0], kmin - 0.08 * (ymax - kmin)], [b[1], ymax]));
                }
                // the red band over the sublevel set, and the segments on the axis
                let base = kmin - 0.02 * (ymax - kmin).max(1e-300);
                // a set narrower than a pixel is drawn as a labelled impulse so that it stays visible
                let px = pui.transform().dvalue_dpos()[0].abs();
                for (a, b) in d.intervals_1d.iter().filter(|(a, b)| b - a < 2.0 * px) {
                    let c = 0.5 * (a + b);
                    pui.line(
                        Line::new(
                            "sublevel set",
                            PlotPoints::from(vec![[c, base], [c, level.max(kmin + 0.06 * (ymax - kmin))]]),
                        )
                        .color(RED)
                        .width(3.0),
                    );
                    pui.text(
                        egui_plot::Text::new(
                            "width",
                            PlotPoint::new(c, level.max(kmin + 0.06 * (ymax - kmin))),
                            format!("width {}", sci(b - a)),
                        )
                        .color(RED)
                        .anchor(egui::Align2::LEFT_BOTTOM),
                    );
                }
                for (a, b) in d.intervals_1d.iter() {
                    let band = vec![[*a, kmin], [*b, kmin], [*b, level], [*a, level]];
                    pui.polygon(
                        Polygon::new("sublevel set", PlotPoints::from(band))
                            .fill_color(Color32::from_rgba_unmultiplied(230, 30, 30, 60))
                            .stroke(egui::Stroke::NONE),
                    );
                    pui.line(
                        Line::new("sublevel set", PlotPoints::from(vec![[*a, base], [*b, base]])).color(RED).width(5.0),
                    );
                }
                if let Some(ph) = &d.phase
                    && ph.basins.basins.len() > 1
                {
                    let y = kmin - 0.035 * (ymax - kmin).max(1e-300);
                    for (i, b) in ph.basins.basins.iter().enumerate() {
                        let c = basin_colour(i);
                        if let Some([a, bb]) = b.interval {
                            pui.line(
                                Line::new(format!("basin {i}"), PlotPoints::from(vec![[a, y], [bb, y]]))
                                    .color(c)
                                    .width(3.0),
                            );
                        }
                        pui.text(
                            egui_plot::Text::new("basin", PlotPoint::new(b.argmin[0], y), format!("{i}"))
                                .color(c)
                                .anchor(egui::Align2::CENTER_TOP),
                        );
                    }
                }
                pui.line(Line::new("K", PlotPoints::from(pts)).width(2.0));
                pui.hline(HLine::new("K* + ε", level).color(RED).width(1.5));
                if let Some(o) = &overlay {
                    draw_overlay(pui, o);
                }
                pui.plot_bounds()
            });
        let b = r.inner;
        self.bounds = Some([b.min()[0], b.max()[0], 0.0, 0.0]);
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
            let (img, n) = mask_image(g, kmin, d.eps, 150);
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
        let grid = g.clone();
        let plot_size = plot::aspect_size(ui, &d.analysis.bounds);
        let r = plot::heatmap_plot(format!("landscape2d{}", self.salt), plot_size, &self.link_group())
            .label_formatter(move |hp: &HoverPosition<'_>| {
                let p = plot::hover_pos(hp);
                let k = lookup(&grid, p.x, p.y);
                Some(format!("x = {:.5}, y = {:.5}\nK = {}", p.x, p.y, k.map(sci).unwrap_or_else(|| "—".into())))
            })
            .show(ui, |pui| {
                if let Some(b) = force {
                    pui.set_plot_bounds(PlotBounds::from_min_max([b[0], b[2]], [b[1], b[3]]));
                }
                pui.image(PlotImage::new("K", heat, center, size));
                pui.image(PlotImage::new("sublevel set", mask, center, size));
                if let Some(id) = basins_id {
                    pui.image(PlotImage::new("basin boundaries", id, center, size));
                }
                // the Hessian's flat directions through w*
                if let Some(h) = &d.analysis.estimate.theory_report.hessian
                    && h.at.len() == 2
                {
                    for k in &h.kernel {
                        let Some([a, b]) = plot::clip_to_box([h.at[0], h.at[1]], [k[0], k[1]], &d.analysis.bounds) else {
                            continue;
                        };
                        pui.line(
                            Line::new("flat direction (Hessian kernel)", PlotPoints::from(vec![a, b]))
                                .color(Color32::from_rgba_unmultiplied(255, 255, 255, 160))
                                .style(egui_plot::LineStyle::dashed_dense()),
                        );
                    }
                }
                for (w, i) in &basin_marks {
                    let c = basin_colour(*i);
                    pui.points(egui_plot::Points::new(format!("basin {i}"), vec![[w[0], w[1]]]).radius(5.0).color(c));
                    let mass = d.basin_mass.get(*i).map(|m| format!(": P = {m:.3}")).unwrap_or_default();
                    pui.text(
                        egui_plot::Text::new("basin", PlotPoint::new(w[0], w[1]), format!(" basin {i}{mass}"))
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
