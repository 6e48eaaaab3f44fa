//! Vector figures: a chart as plain data (axes, marks, legend, an optional embedded raster) and its
//! SVG text. The panels' figures are built from the core's numbers, never traced from pixels.
//!
//! SVG is written directly rather than through `plotters`: a chart here is a handful of
//! polylines, rectangles and `<text>` elements on linear or log-10 axes, and writing them keeps
//! every label, colour and legend exactly as the app draws it, with no font machinery (plotters'
//! text layout needs a font backend to measure text) and no new dependency tree. Every font size
//! comes from one `<style>` block, so a figure is resized for a slide or a paper by editing it.

use std::fmt::Write as _;

/// An RGB colour.
pub type Rgb = [u8; 3];

/// An axis: data are given in axis units (log10 of the value on a log axis).
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub label: String,
    /// Ticks at integer powers of ten, labelled 10^k (the data are log10 values).
    pub log: bool,
    /// The range shown, in axis units.
    pub range: [f64; 2],
}

impl Axis {
    pub fn linear(label: impl Into<String>, range: [f64; 2]) -> Axis {
        Axis { label: label.into(), log: false, range }
    }
    pub fn log10(label: impl Into<String>, range: [f64; 2]) -> Axis {
        Axis { label: label.into(), log: true, range }
    }
}

/// How a line is stroked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
}

/// One thing drawn in data coordinates.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// A polyline; non-finite points break it into pieces.
    Line {
        points: Vec<[f64; 2]>,
        width: f64,
        dash: Dash,
    },
    /// Dots of a radius in pixels.
    Points {
        points: Vec<[f64; 2]>,
        radius: f64,
    },
    /// A closed filled polygon (with an outline of the same colour).
    Polygon {
        points: Vec<[f64; 2]>,
        fill_opacity: f64,
    },
    /// Line segments [a, b] (a contour).
    Segments {
        segments: Vec<[[f64; 2]; 2]>,
        width: f64,
    },
    /// A band x0 … x1 across the whole height.
    Span {
        x: [f64; 2],
        opacity: f64,
    },
    HLine {
        y: f64,
        width: f64,
        dash: Dash,
    },
    VLine {
        x: f64,
        width: f64,
        dash: Dash,
    },
    /// A label at a data point (left-aligned).
    Text {
        at: [f64; 2],
        text: String,
    },
}

/// A mark with its colour and, if it goes in the legend, its name.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub name: Option<String>,
    pub colour: Rgb,
    pub mark: Mark,
}

/// An image under the marks, covering [x0, x1] × [y0, y1] in data units (a heatmap).
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    /// PNG bytes (embedded as a data URI).
    pub png: Vec<u8>,
    pub x: [f64; 2],
    pub y: [f64; 2],
}

/// A colour bar beside the plot: the colours from low to high and three labels.
#[derive(Debug, Clone, PartialEq)]
pub struct ColourBar {
    pub title: String,
    pub colours: Vec<Rgb>,
    pub labels: [String; 3],
}

/// A chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub x: Axis,
    pub y: Axis,
    pub layers: Vec<Layer>,
    pub raster: Option<Raster>,
    pub colour_bar: Option<ColourBar>,
    /// Where the legend goes (the corner the data leave empty).
    pub legend: Corner,
}

/// A corner of the plot area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Corner {
    #[default]
    LeftTop,
    RightTop,
    LeftBottom,
    RightBottom,
}

/// A figure: one chart or several stacked, with provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub charts: Vec<Chart>,
    /// Written as SVG metadata (and a `<desc>`), as PNG text chunks are.
    pub provenance: Vec<(String, String)>,
    /// Dark background (the app's dark theme) or white (light; the default for paper).
    pub dark: bool,
}

/// The default figure size in CSS pixels (a 4:3 slide figure).
pub const DEFAULT_SIZE: [f64; 2] = [960.0, 720.0];

/// Escape text for XML.
pub fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // characters XML 1.0 forbids (control characters) are dropped
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

/// Standard base64 (RFC 4648) of bytes: a dozen lines, for the data URI of an embedded PNG
/// (no crate on the project's list does it).
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut o = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let v = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for k in 0..4 {
            if k <= c.len() {
                o.push(T[((v >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                o.push('=');
            }
        }
    }
    o
}

fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// A number for an SVG coordinate (two decimals are below a printer's dot).
fn f(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// Tick positions (axis units) and their labels.
pub fn ticks(axis: &Axis) -> Vec<(f64, String)> {
    let [a, b] = axis.range;
    let (lo, hi) = (a.min(b), a.max(b));
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![];
    }
    if axis.log {
        // every decade, or every 2nd, 3rd … so that 4–9 labels show
        let span = hi - lo;
        let step = [1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0, 100.0].into_iter().find(|s| span / s <= 9.0).unwrap_or(200.0);
        let mut t = (lo / step).ceil() * step;
        let mut out = vec![];
        while t <= hi + 1e-9 && out.len() < 60 {
            out.push((t, decade(t)));
            t += step;
        }
        if out.len() < 2 {
            // less than a decade: linear ticks of the value, placed at their log10
            return linear_ticks(10f64.powf(lo), 10f64.powf(hi))
                .into_iter()
                .filter(|(v, _)| *v > 0.0)
                .map(|(v, l)| (v.log10(), l))
                .collect();
        }
        if out.len() < 3 {
            // two decades or less: 1, 2 and 5 in each
            let mut more = vec![];
            for k in (lo.floor() as i64)..=(hi.ceil() as i64) {
                for m in [1.0, 2.0, 5.0] {
                    let v = m * 10f64.powi(k as i32);
                    let t = v.log10();
                    if t >= lo - 1e-9 && t <= hi + 1e-9 {
                        more.push((t, if m == 1.0 { decade(k as f64) } else { number(v) }));
                    }
                }
            }
            if more.len() >= 3 {
                return more;
            }
        }
        return out;
    }
    linear_ticks(lo, hi)
}

/// "10^k" as text: 1e-6 style, which every font and every reader knows.
fn decade(t: f64) -> String {
    let k = t.round() as i64;
    match k {
        0 => "1".into(),
        1 => "10".into(),
        2 => "100".into(),
        3 => "1000".into(),
        _ => format!("1e{k}"),
    }
}

/// 4–10 ticks at 1, 2 or 5 × 10^k.
fn linear_ticks(lo: f64, hi: f64) -> Vec<(f64, String)> {
    let span = hi - lo;
    let raw = span / 6.0;
    let p = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * p).find(|s| span / s <= 8.0).unwrap_or(10.0 * p);
    let mut out = vec![];
    let mut k = (lo / step).ceil();
    while k * step <= hi + 1e-9 * span && out.len() < 40 {
        let v = k * step;
        let v = if v.abs() < 1e-12 * span { 0.0 } else { v };
        out.push((v, number(v)));
        k += 1.0;
    }
    out
}

/// A tick value with no trailing zeros.
fn number(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if (1e-3..1e5).contains(&a) {
        let s = format!("{v:.4}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    } else {
        let s = format!("{v:.2e}");
        match s.split_once('e') {
            Some((m, e)) => format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.')),
            None => s,
        }
    }
}

impl Figure {
    /// The SVG text of the figure at `size` (CSS pixels; the charts share the height).
    pub fn to_svg(&self, size: [f64; 2]) -> String {
        let [w, h] = size;
        let (bg, fg, grid) =
            if self.dark { ("#1b1b1b", "#e6e6e6", "#3a3a3a") } else { ("#ffffff", "#1a1a1a", "#dddddd") };
        let mut s = String::new();
        let _ = writeln!(s, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{}" height="{}" viewBox="0 0 {} {}">"#,
            f(w),
            f(h),
            f(w),
            f(h)
        );
        // provenance: a description a viewer shows, and machine-readable metadata
        let desc: Vec<String> = self.provenance.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let _ = writeln!(s, "<desc>{}</desc>", xml_escape(&desc.join("\n")));
        let _ = writeln!(s, r#"<metadata><provenance xmlns="https://github.com/lambdascope/provenance">"#);
        for (k, v) in &self.provenance {
            let _ = writeln!(s, r#"<entry key="{}">{}</entry>"#, xml_escape(k), xml_escape(v));
        }
        let _ = writeln!(s, "</provenance></metadata>");
        // every font size in one place: edit these to resize the text of the whole figure
        let _ = writeln!(
            s,
            "<style>\ntext {{ font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; fill: {fg}; }}\n.title {{ font-size: 22px; font-weight: bold; }}\n.axis {{ font-size: 18px; }}\n.tick {{ font-size: 15px; }}\n.legend {{ font-size: 16px; }}\n.note {{ font-size: 14px; }}\n</style>"
        );
        let _ = writeln!(s, r#"<rect x="0" y="0" width="{}" height="{}" fill="{bg}"/>"#, f(w), f(h));
        let k = self.charts.len().max(1) as f64;
        for (i, c) in self.charts.iter().enumerate() {
            let top = h * i as f64 / k;
            chart_svg(&mut s, c, i, [0.0, top, w, h / k], fg, grid);
        }
        s.push_str("</svg>\n");
        s
    }
}

/// One chart into the rectangle [x, y, w, h].
fn chart_svg(s: &mut String, c: &Chart, id: usize, r: [f64; 4], fg: &str, grid: &str) {
    let bar_w = if c.colour_bar.is_some() { 110.0 } else { 0.0 };
    let (l, t) = (r[0] + 96.0, r[1] + 44.0);
    let (pw, ph) = ((r[2] - 96.0 - 24.0 - bar_w).max(50.0), (r[3] - 44.0 - 70.0).max(50.0));
    let [x0, x1] = c.x.range;
    let [y0, y1] = c.y.range;
    let sx = |v: f64| l + (v - x0) / (x1 - x0) * pw;
    let sy = |v: f64| t + ph - (v - y0) / (y1 - y0) * ph;
    let _ = writeln!(s, r#"<g id="chart{id}">"#);
    let _ = writeln!(s, r#"<text class="title" x="{}" y="{}">{}</text>"#, f(l), f(r[1] + 28.0), xml_escape(&c.title));
    let _ = writeln!(
        s,
        r#"<clipPath id="clip{id}"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath>"#,
        f(l),
        f(t),
        f(pw),
        f(ph)
    );
    if let Some(img) = &c.raster {
        let (ix0, ix1, iy0, iy1) = (sx(img.x[0]), sx(img.x[1]), sy(img.y[1]), sy(img.y[0]));
        let _ = writeln!(
            s,
            r#"<image clip-path="url(#clip{id})" x="{}" y="{}" width="{}" height="{}" preserveAspectRatio="none" style="image-rendering:pixelated" xlink:href="data:image/png;base64,{}"/>"#,
            f(ix0.min(ix1)),
            f(iy0.min(iy1)),
            f((ix1 - ix0).abs()),
            f((iy1 - iy0).abs()),
            base64(&img.png)
        );
    }
    // grid and ticks
    let xt = ticks(&c.x);
    let yt = ticks(&c.y);
    for (v, lab) in &xt {
        let px = sx(*v);
        if c.raster.is_none() {
            let _ = writeln!(
                s,
                r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{grid}" stroke-width="1"/>"#,
                f(px),
                f(t),
                f(px),
                f(t + ph)
            );
        }
        let _ = writeln!(
            s,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{fg}" stroke-width="1"/>"#,
            f(px),
            f(t + ph),
            f(px),
            f(t + ph + 6.0)
        );
        let _ = writeln!(
            s,
            r#"<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            f(px),
            f(t + ph + 24.0),
            xml_escape(lab)
        );
    }
    for (v, lab) in &yt {
        let py = sy(*v);
        if c.raster.is_none() {
            let _ = writeln!(
                s,
                r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{grid}" stroke-width="1"/>"#,
                f(l),
                f(py),
                f(l + pw),
                f(py)
            );
        }
        let _ = writeln!(
            s,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{fg}" stroke-width="1"/>"#,
            f(l - 6.0),
            f(py),
            f(l),
            f(py)
        );
        let _ = writeln!(
            s,
            r#"<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>"#,
            f(l - 10.0),
            f(py + 5.0),
            xml_escape(lab)
        );
    }
    let _ = writeln!(
        s,
        r#"<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        f(l + pw / 2.0),
        f(t + ph + 52.0),
        xml_escape(&c.x.label)
    );
    let _ = writeln!(
        s,
        r#"<text class="axis" transform="translate({} {}) rotate(-90)" text-anchor="middle">{}</text>"#,
        f(r[0] + 22.0),
        f(t + ph / 2.0),
        xml_escape(&c.y.label)
    );
    // marks, clipped to the plot area
    let _ = writeln!(s, r#"<g clip-path="url(#clip{id})">"#);
    for layer in &c.layers {
        let col = hex(layer.colour);
        match &layer.mark {
            Mark::Line { points, width, dash } => {
                // in pixels, clipped to the plot area grown by its own size on every side (a point
                // a billion pixels away is drawn where its segment leaves that area, as it looks)
                let area = [l - pw, t - ph, l + 2.0 * pw, t + 2.0 * ph];
                let px: Vec<[f64; 2]> = points.iter().map(|p| [sx(p[0]), sy(p[1])]).collect();
                for run in runs(&px).into_iter().flat_map(|r| clip_polyline(r, area)) {
                    let pts: Vec<String> = run.iter().map(|p| format!("{},{}", f(p[0]), f(p[1]))).collect();
                    let _ = writeln!(
                        s,
                        r#"<polyline fill="none" stroke="{col}" stroke-width="{}"{} points="{}"/>"#,
                        f(*width),
                        dash_attr(*dash),
                        pts.join(" ")
                    );
                }
            }
            Mark::Points { points, radius } => {
                let near = |p: &[f64; 2]| p[0] > l - pw && p[0] < l + 2.0 * pw && p[1] > t - ph && p[1] < t + 2.0 * ph;
                for p in points.iter().map(|p| [sx(p[0]), sy(p[1])]).filter(near) {
                    let _ =
                        writeln!(s, r#"<circle cx="{}" cy="{}" r="{}" fill="{col}"/>"#, f(p[0]), f(p[1]), f(*radius));
                }
            }
            Mark::Polygon { points, fill_opacity } => {
                let pts: Vec<String> = points
                    .iter()
                    .filter(|p| p[0].is_finite() && p[1].is_finite())
                    .map(|p| format!("{},{}", f(sx(p[0])), f(sy(p[1]))))
                    .collect();
                let _ = writeln!(
                    s,
                    r#"<polygon fill="{col}" fill-opacity="{}" stroke="{col}" stroke-width="1.5" points="{}"/>"#,
                    f(*fill_opacity),
                    pts.join(" ")
                );
            }
            Mark::Segments { segments, width } => {
                let mut d = String::new();
                for [a, b] in segments {
                    let _ = write!(d, "M{} {}L{} {}", f(sx(a[0])), f(sy(a[1])), f(sx(b[0])), f(sy(b[1])));
                }
                let _ = writeln!(
                    s,
                    r#"<path fill="none" stroke="{col}" stroke-width="{}" stroke-linecap="round" d="{d}"/>"#,
                    f(*width)
                );
            }
            Mark::Span { x, opacity } => {
                let (a, b) = (sx(x[0]), sx(x[1]));
                let _ = writeln!(
                    s,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{col}" fill-opacity="{}"/>"#,
                    f(a.min(b)),
                    f(t),
                    f((b - a).abs()),
                    f(ph),
                    f(*opacity)
                );
            }
            Mark::HLine { y, width, dash } => {
                let _ = writeln!(
                    s,
                    r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{col}" stroke-width="{}"{}/>"#,
                    f(l),
                    f(sy(*y)),
                    f(l + pw),
                    f(sy(*y)),
                    f(*width),
                    dash_attr(*dash)
                );
            }
            Mark::VLine { x, width, dash } => {
                let _ = writeln!(
                    s,
                    r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{col}" stroke-width="{}"{}/>"#,
                    f(sx(*x)),
                    f(t),
                    f(sx(*x)),
                    f(t + ph),
                    f(*width),
                    dash_attr(*dash)
                );
            }
            Mark::Text { at, text } => {
                let _ = writeln!(
                    s,
                    r#"<text class="note" x="{}" y="{}" style="fill:{col}">{}</text>"#,
                    f(sx(at[0]) + 4.0),
                    f(sy(at[1]) + 14.0),
                    xml_escape(text)
                );
            }
        }
    }
    s.push_str("</g>\n");
    let _ = writeln!(
        s,
        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{fg}" stroke-width="1"/>"#,
        f(l),
        f(t),
        f(pw),
        f(ph)
    );
    // the legend: a short stroke (or a swatch) of each named layer's colour and style
    let named: Vec<&Layer> = c.layers.iter().filter(|l| l.name.is_some()).collect();
    if !named.is_empty() {
        let longest = named.iter().map(|l| l.name.as_ref().map_or(0, |n| n.chars().count())).max().unwrap_or(0);
        let bw = 56.0 + 8.6 * longest as f64;
        let bh = 8.0 + 24.0 * named.len() as f64;
        let (lx, ly) = match c.legend {
            Corner::LeftTop => (l + 12.0, t + 10.0),
            Corner::RightTop => (l + pw - bw - 6.0, t + 10.0),
            Corner::LeftBottom => (l + 12.0, t + ph - bh - 6.0),
            Corner::RightBottom => (l + pw - bw - 6.0, t + ph - bh - 6.0),
        };
        let bg = if fg == "#e6e6e6" { "#1b1b1b" } else { "#ffffff" };
        let _ = writeln!(
            s,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{bg}" fill-opacity="0.85" stroke="{grid}"/>"#,
            f(lx - 6.0),
            f(ly - 4.0),
            f(bw),
            f(bh)
        );
        for (k, layer) in named.iter().enumerate() {
            let y = ly + 14.0 + 24.0 * k as f64;
            let col = hex(layer.colour);
            match &layer.mark {
                Mark::Points { .. } => {
                    let _ = writeln!(s, r#"<circle cx="{}" cy="{}" r="5" fill="{col}"/>"#, f(lx + 16.0), f(y));
                }
                Mark::Polygon { .. } | Mark::Span { .. } => {
                    let _ =
                        writeln!(s, r#"<rect x="{}" y="{}" width="32" height="14" fill="{col}"/>"#, f(lx), f(y - 7.0));
                }
                Mark::Line { dash, width, .. } | Mark::HLine { dash, width, .. } | Mark::VLine { dash, width, .. } => {
                    let _ = writeln!(
                        s,
                        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{col}" stroke-width="{}"{}/>"#,
                        f(lx),
                        f(y),
                        f(lx + 32.0),
                        f(y),
                        f(width.max(2.0)),
                        dash_attr(*dash)
                    );
                }
                Mark::Segments { width, .. } => {
                    let _ = writeln!(
                        s,
                        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{col}" stroke-width="{}"/>"#,
                        f(lx),
                        f(y),
                        f(lx + 32.0),
                        f(y),
                        f(width.max(2.0))
                    );
                }
                Mark::Text { .. } => {}
            }
            let _ = writeln!(
                s,
                r#"<text class="legend" x="{}" y="{}">{}</text>"#,
                f(lx + 42.0),
                f(y + 5.5),
                xml_escape(layer.name.as_deref().unwrap_or(""))
            );
        }
    }
    if let Some(b) = &c.colour_bar {
        let bx = l + pw + 30.0;
        let n = b.colours.len().max(1);
        let _ = writeln!(
            s,
            r#"<text class="note" x="{}" y="{}">{}</text>"#,
            f(bx - 6.0),
            f(t - 16.0),
            xml_escape(&b.title)
        );
        for (k, col) in b.colours.iter().enumerate() {
            // low at the bottom
            let y = t + ph * (1.0 - (k + 1) as f64 / n as f64);
            let _ = writeln!(
                s,
                r#"<rect x="{}" y="{}" width="22" height="{}" fill="{}"/>"#,
                f(bx),
                f(y),
                f(ph / n as f64 + 0.5),
                hex(*col)
            );
        }
        for (k, lab) in b.labels.iter().enumerate() {
            let y = t + ph * (1.0 - k as f64 / 2.0);
            let _ =
                writeln!(s, r#"<text class="tick" x="{}" y="{}">{}</text>"#, f(bx + 28.0), f(y + 5.0), xml_escape(lab));
        }
    }
    s.push_str("</g>\n");
}

fn dash_attr(d: Dash) -> &'static str {
    match d {
        Dash::Solid => "",
        Dash::Dashed => r#" stroke-dasharray="9 5""#,
        Dash::Dotted => r#" stroke-dasharray="2 5""#,
    }
}

/// A polyline clipped to the rectangle [x0, y0, x1, y1] (Liang–Barsky per segment): the pieces
/// inside, each a polyline.
fn clip_polyline(p: &[[f64; 2]], r: [f64; 4]) -> Vec<Vec<[f64; 2]>> {
    let mut out: Vec<Vec<[f64; 2]>> = vec![];
    let mut cur: Vec<[f64; 2]> = vec![];
    for w in p.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        let mut inside = true;
        for (q, d) in [(a[0] - r[0], -dx), (r[2] - a[0], dx), (a[1] - r[1], -dy), (r[3] - a[1], dy)] {
            if d == 0.0 {
                if q < 0.0 {
                    inside = false;
                }
            } else {
                let t = q / d;
                if d < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
        if !inside || t0 > t1 {
            if cur.len() >= 2 {
                out.push(std::mem::take(&mut cur));
            }
            cur.clear();
            continue;
        }
        // (the ends themselves where they are inside, so that the pieces join exactly)
        let pa = if t0 == 0.0 { a } else { [a[0] + t0 * dx, a[1] + t0 * dy] };
        let pb = if t1 == 1.0 { b } else { [a[0] + t1 * dx, a[1] + t1 * dy] };
        if cur.last() != Some(&pa) {
            if cur.len() >= 2 {
                out.push(std::mem::take(&mut cur));
            }
            cur = vec![pa];
        }
        cur.push(pb);
        if t1 < 1.0 {
            out.push(std::mem::take(&mut cur));
        }
    }
    if cur.len() >= 2 {
        out.push(cur);
    }
    out
}

/// The finite runs of a polyline (a NaN or ±∞ breaks it).
fn runs(points: &[[f64; 2]]) -> Vec<&[[f64; 2]]> {
    points.split(|p| !(p[0].is_finite() && p[1].is_finite())).filter(|r| r.len() >= 2).collect()
}

/// Marching squares: the segments where a grid's values cross `level` (values[j][i] at
/// (x[i], y[j]); NaN cells are skipped). The outline of a sublevel set as vectors.
pub fn contour(x: &[f64], y: &[f64], values: &[Vec<f64>], level: f64) -> Vec<[[f64; 2]; 2]> {
    let mut out = vec![];
    let lerp = |a: f64, b: f64, va: f64, vb: f64| a + (level - va) / (vb - va) * (b - a);
    for j in 0..y.len().saturating_sub(1) {
        for i in 0..x.len().saturating_sub(1) {
            let (Some(r0), Some(r1)) = (values.get(j), values.get(j + 1)) else { continue };
            let v = [r0[i], r0[i + 1], r1[i + 1], r1[i]]; // corners counter-clockwise from (i, j)
            if v.iter().any(|v| !v.is_finite()) {
                continue;
            }
            let c = [[x[i], y[j]], [x[i + 1], y[j]], [x[i + 1], y[j + 1]], [x[i], y[j + 1]]];
            // the crossing on each edge k (corner k to corner k+1)
            let mut cross = vec![];
            for k in 0..4 {
                let (a, b) = (k, (k + 1) % 4);
                if (v[a] < level) != (v[b] < level) {
                    let p = if c[a][0] == c[b][0] {
                        [c[a][0], lerp(c[a][1], c[b][1], v[a], v[b])]
                    } else {
                        [lerp(c[a][0], c[b][0], v[a], v[b]), c[a][1]]
                    };
                    cross.push(p);
                }
            }
            match cross.len() {
                2 => out.push([cross[0], cross[1]]),
                4 => {
                    // a saddle cell: pair by the centre's side
                    let centre = 0.25 * v.iter().sum::<f64>();
                    if (centre < level) == (v[0] < level) {
                        out.push([cross[0], cross[3]]);
                        out.push([cross[1], cross[2]]);
                    } else {
                        out.push([cross[0], cross[1]]);
                        out.push([cross[2], cross[3]]);
                    }
                }
                _ => {}
            }
        }
    }
    out
}
