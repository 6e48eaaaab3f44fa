//! Plot helpers: log axes (egui_plot 0.38 has none: we plot log10 values with decade ticks and
//! real-unit hover labels), a colour bar, number formatting.

use eframe::egui;
use egui::{Color32, Stroke};
use egui_plot::{GridInput, GridMark, HoverPosition, PlotPoint};

use super::render::Lut;

/// Majors at decades, minors at log10(2…9); fewer when the range spans many decades.
pub fn log_grid(input: GridInput) -> Vec<GridMark> {
    log_grid_px(input, 85.0)
}

/// A log axis with a label on every decade that has `min_px` of room (egui_plot hides a label
/// closer than its axis' `label_spacing` to the next): `log_x_axis` and `log_y_axis` pair with it.
pub fn log_grid_px(input: GridInput, min_px: f64) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi - lo > 400.0 {
        return vec![];
    }
    let span = hi - lo;
    // decades per labelled tick: egui_plot hides x labels closer than ~80 px (base_step_size is
    // the value of its minimum grid spacing, 8 px), so choose the smallest step that leaves room
    let per_px = input.base_step_size / 8.0;
    let step = [1i64, 2, 3, 5, 10, 20, 50].into_iter().find(|&s| s as f64 >= min_px * per_px).unwrap_or(100);
    let mut v = vec![];
    for k in lo.floor() as i64..=hi.ceil() as i64 {
        let kf = k as f64;
        if k % step == 0 {
            v.push(GridMark { value: kf, step_size: step as f64 });
        }
        if span < 8.0 {
            for m in 2..=9 {
                v.push(GridMark { value: kf + (m as f64).log10(), step_size: 0.1 });
            }
        }
    }
    v.retain(|m| m.value >= lo && m.value <= hi);
    v
}

/// Decade labels on the x axis of a log plot, shown from 44 px apart (egui_plot's default, 60 px,
/// left the volume law with three labels for thirteen decades).
pub fn log_x_axis(label: &str) -> egui_plot::AxisHints<'static> {
    egui_plot::AxisHints::new_x().label(label.to_string()).formatter(log_fmt).label_spacing(40.0..=44.0)
}

/// Decade labels on the y axis of a log plot, shown from 22 px apart.
pub fn log_y_axis(label: &str) -> egui_plot::AxisHints<'static> {
    egui_plot::AxisHints::new_y().label(label.to_string()).formatter(log_fmt).label_spacing(18.0..=22.0)
}

/// The spacers that go with `log_x_axis` and `log_y_axis`.
pub fn log_grid_x(input: GridInput) -> Vec<GridMark> {
    log_grid_px(input, 46.0)
}
pub fn log_grid_y(input: GridInput) -> Vec<GridMark> {
    log_grid_px(input, 24.0)
}

pub fn log_fmt(m: GridMark, _r: &std::ops::RangeInclusive<f64>) -> String {
    if (m.value - m.value.round()).abs() < 1e-9 { format!("1e{}", m.value.round() as i32) } else { String::new() }
}

/// A number as a person reads it: 4 significant digits, no trailing zeros, exponent outside
/// 1e-3 … 1e5.
pub fn sci(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if !v.is_finite() {
        format!("{v}")
    } else if (1e-3..1e5).contains(&v.abs()) {
        let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
        let s = format!("{v:.digits$}");
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
    } else {
        let s = format!("{v:.3e}");
        match s.split_once('e') {
            Some((m, e)) if m.contains('.') => {
                format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.'))
            }
            _ => s,
        }
    }
}

/// A horizontal colour bar with a title and tick labels (value at t = 0, ½, 1).
pub fn colour_bar(ui: &mut egui::Ui, lut: &Lut, title: &str, labels: [String; 3]) {
    ui.horizontal_wrapped(|ui| {
        ui.label(egui::RichText::new(title).small());
        ui.label(egui::RichText::new(&labels[0]).small().monospace());
        // leave room for the last label, so that the row never widens its column
        let w = (ui.available_size_before_wrap().x - 110.0).clamp(30.0, 400.0);
        let (full, _) = ui.allocate_exact_size(egui::vec2(w, 24.0), egui::Sense::hover());
        let rect = egui::Rect::from_min_size(full.min, egui::vec2(w, 11.0));
        let painter = ui.painter_at(full);
        let n = 64;
        for i in 0..n {
            let x0 = rect.left() + rect.width() * i as f32 / n as f32;
            let x1 = rect.left() + rect.width() * (i + 1) as f32 / n as f32 + 0.5;
            let r = egui::Rect::from_min_max(egui::pos2(x0, rect.top()), egui::pos2(x1, rect.bottom()));
            painter.rect_filled(r, 0.0, lut.at((i as f64 + 0.5) / n as f64));
        }
        painter.rect_stroke(rect, 0.0, Stroke::new(1.0, Color32::GRAY), egui::StrokeKind::Inside);
        let mid = egui::pos2(rect.center().x, rect.bottom() + 1.0);
        painter.text(
            mid,
            egui::Align2::CENTER_TOP,
            &labels[1],
            egui::FontId::proportional(10.0),
            ui.visuals().text_color(),
        );
        ui.label(egui::RichText::new(&labels[2]).small().monospace());
    });
}

pub const RED: Color32 = Color32::from_rgb(230, 30, 30);

/// The colour of basin i, the same in every panel (Tableau 10, without its red: red is the
/// sublevel set).
pub fn basin_colour(i: usize) -> Color32 {
    const C: [usize; 9] = [0, 1, 2, 4, 5, 6, 7, 8, 9];
    let c = colorous::TABLEAU10[C[i % C.len()]];
    Color32::from_rgb(c.r, c.g, c.b)
}

/// Width and height for a 2-D plot of the box: as large as the space allows, with the box's aspect
/// ratio (plus room for the axes), so that `data_aspect(1)` shows the whole box.
pub fn aspect_size(ui: &egui::Ui, bounds: &[[f64; 2]; 2]) -> (f32, f32) {
    let avail = ui.available_size() - egui::vec2(4.0, 4.0);
    let axes = egui::vec2(50.0, 30.0);
    let bw = (bounds[0][1] - bounds[0][0]) as f32;
    let bh = (bounds[1][1] - bounds[1][0]) as f32;
    let ratio = (bw / bh).clamp(0.05, 20.0);
    let inner = avail - axes;
    let (iw, ih) = if inner.x / inner.y > ratio { (inner.y * ratio, inner.y) } else { (inner.x, inner.x / ratio) };
    ((iw + axes.x).max(80.0), (ih + axes.y).max(80.0))
}

/// The plot position under the pointer, whether or not it is near a data point.
pub fn hover_pos(hp: &HoverPosition<'_>) -> PlotPoint {
    match hp {
        HoverPosition::NearDataPoint { position, .. } | HoverPosition::Elsewhere { position } => *position,
    }
}

/// A 2-D heatmap plot over (x, y) sized to the box with data aspect 1, its axes linked to the other
/// heatmap of the same group and the cursor shared (the landscape and posterior panels).
pub fn heatmap_plot<'a>(id: String, (w, h): (f32, f32), link_group: &str) -> egui_plot::Plot<'a> {
    egui_plot::Plot::new(id)
        .width(w)
        .height(h)
        .data_aspect(1.0)
        .x_axis_label("x")
        .y_axis_label("y")
        .link_axis(egui::Id::unique(link_group), [true, true])
        .link_cursor(egui::Id::unique("cursor"), [true, true])
        // (a double click returns both views to the box: the app's Reset view, not egui_plot's
        // auto bounds, which would include every line drawn)
        .allow_double_click_reset(false)
}

/// The segment of the line through p along d inside the box.
pub fn clip_to_box(p: [f64; 2], d: [f64; 2], b: &[[f64; 2]; 2]) -> Option<[[f64; 2]; 2]> {
    let (mut t0, mut t1) = (f64::NEG_INFINITY, f64::INFINITY);
    for a in 0..2 {
        if d[a].abs() > 1e-15 {
            let (u, v) = ((b[a][0] - p[a]) / d[a], (b[a][1] - p[a]) / d[a]);
            t0 = t0.max(u.min(v));
            t1 = t1.min(u.max(v));
        } else if p[a] < b[a][0] || p[a] > b[a][1] {
            return None;
        }
    }
    (t1 > t0 && t0.is_finite() && t1.is_finite())
        .then(|| [[p[0] + t0 * d[0], p[1] + t0 * d[1]], [p[0] + t1 * d[0], p[1] + t1 * d[1]]])
}

/// Where a grid's image goes in a plot: its centre and size (for `PlotImage`).
pub fn image_placement(spec: &crate::core::posterior::GridSpec) -> (PlotPoint, [f32; 2]) {
    let center = PlotPoint::new(0.5 * (spec.x[0] + spec.x[1]), 0.5 * (spec.y[0] + spec.y[1]));
    (center, [(spec.x[1] - spec.x[0]) as f32, (spec.y[1] - spec.y[0]) as f32])
}

/// The plot with `legend` when it has room for one (at least 380 × 200 points); a legend over half of
/// a small plot (a large font scale) would hide the curves it names, so small plots go without.
pub fn legend_if_room<'a>(
    plot: egui_plot::Plot<'a>,
    ui: &egui::Ui,
    height: f32,
    legend: egui_plot::Legend,
) -> egui_plot::Plot<'a> {
    if ui.available_width() >= 380.0 && height >= 200.0 { plot.legend(legend) } else { plot }
}
