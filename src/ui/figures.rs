//! Each panel as a vector figure (`core::figure`), built from the same numbers the panel draws:
//! the volume law with its fit and reference slopes, the local slope, the phase masses and free
//! energies, the Newton polygon, the learning curves, and the landscape and posterior (a heatmap
//! raster under vector axes, the colour bar, and the sublevel set's outline as vector contours).

use eframe::egui::{Color32, ColorImage};

use crate::core::figure::{Axis, Chart, ColourBar, Corner, Dash, Figure, Layer, Mark, Raster, Rgb, contour};
use crate::core::theory::{Face, Status};
use crate::start::Panel;
use crate::ui::ViewData;
use crate::ui::widgets::plot::{RED, basin_colour, sci};
use crate::ui::widgets::render::{KScale, Lut, SET_ALPHA, SET_FILL, landscape_image, mask_image, posterior_image};

/// The legend entry of the sublevel set, as on screen.
pub const SET_LABEL: &str = "red: sublevel set {K − K* < ε}";

/// The landscape's name as a lecture writes it (x²y², not x^2*y^2).
fn label(d: &ViewData) -> String {
    let l = d.analysis.spec.label();
    if d.analysis.spec.model.is_some() { l } else { crate::core::expr::pretty(&l) }
}

fn rgb(c: Color32) -> Rgb {
    [c.r(), c.g(), c.b()]
}

fn layer(name: Option<String>, c: Color32, mark: Mark) -> Layer {
    Layer { name, colour: rgb(c), mark }
}

fn line(points: Vec<[f64; 2]>, width: f64, dash: Dash) -> Mark {
    Mark::Line { points, width, dash }
}

/// The range of some values with a margin; [0, 1] when there are none.
fn range_of(v: impl Iterator<Item = f64>, pad: f64) -> [f64; 2] {
    let (lo, hi) =
        v.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !(lo.is_finite() && hi.is_finite()) {
        return [0.0, 1.0];
    }
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    [lo - pad * span, hi + pad * span]
}

/// A PNG of an image (for the raster under a heatmap's vector axes).
fn png_bytes(img: &ColorImage) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, img.width() as u32, img.height() as u32);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().map_err(|e| format!("PNG: {e}"))?;
        w.write_image_data(img.as_raw()).map_err(|e| format!("PNG: {e}"))?;
        w.finish().map_err(|e| format!("PNG: {e}"))?;
    }
    Ok(bytes)
}

/// `top` drawn over `bottom` (straight alpha).
fn over(bottom: &ColorImage, top: &ColorImage) -> ColorImage {
    let px = bottom
        .pixels
        .iter()
        .zip(&top.pixels)
        .map(|(b, t)| {
            let a = t.a() as f32 / 255.0;
            let mix = |x: u8, y: u8| (x as f32 * (1.0 - a) + y as f32 * a).round() as u8;
            if t.a() == 0 { *b } else { Color32::from_rgb(mix(b.r(), t.r()), mix(b.g(), t.g()), mix(b.b(), t.b())) }
        })
        .collect();
    ColorImage::new(bottom.size, px)
}

fn colour_bar(lut: &Lut, title: &str, labels: [String; 3]) -> ColourBar {
    ColourBar { title: title.into(), colours: (0..32).map(|k| rgb(lut.at(k as f64 / 31.0))).collect(), labels }
}

/// The figure of `panel` from the data on screen (`dark`: the app's dark theme).
pub fn panel_figure(
    panel: Panel,
    d: &ViewData,
    dark: bool,
    provenance: Vec<(String, String)>,
) -> Result<Figure, String> {
    let charts = match panel {
        Panel::Volume => volume(d),
        Panel::Phase => phase(d)?,
        Panel::Theory => vec![theory(d)?],
        Panel::Learn => learn(d)?,
        Panel::Landscape => vec![if d.analysis.dim == 1 { landscape_1d(d) } else { landscape_2d(d)? }],
        Panel::Posterior => vec![posterior(d)?],
    };
    Ok(Figure { charts, provenance, dark })
}

fn volume(d: &ViewData) -> Vec<Chart> {
    let est = &d.analysis.estimate;
    let fit = &d.fit;
    let dim = d.analysis.dim as f64;
    let pts: Vec<[f64; 2]> =
        est.curve.points.iter().filter(|p| p.v > 0.0).map(|p| [p.eps.log10(), p.v.log10()]).collect();
    let (x_lo, x_hi) = (pts.last().map_or(-13.0, |p| p[0]), pts.first().map_or(0.0, |p| p[0]));
    let last = pts.last().copied().unwrap_or([x_lo, 0.0]);
    let through = |s: f64| -> Vec<[f64; 2]> {
        let x_end = if s > 0.0 { x_hi.min(x_lo - last[1] / s) } else { x_hi };
        vec![[x_lo, last[1]], [x_end, last[1] + s * (x_end - x_lo)]]
    };
    let theory = est.theory.clone().filter(|t| t.status != Status::Unknown);
    let mut v = vec![
        layer(
            None,
            super::panels::volume::FIT,
            Mark::Span { x: [fit.best.window[0].log10(), fit.best.window[1].log10()], opacity: 0.12 },
        ),
        layer(
            Some(format!("d/2 = {}", dim / 2.0)),
            super::panels::volume::REGULAR,
            line(through(dim / 2.0), 1.5, Dash::Dashed),
        ),
    ];
    if let Some(t) = &theory {
        v.push(layer(
            Some(super::panels::volume::theory_name(t)),
            super::panels::volume::theory_colour(t),
            line(through(t.lambda), 2.0, if t.is_exact() { Dash::Dashed } else { Dash::Dotted }),
        ));
    }
    v.push(layer(
        Some("V(ε), measured".into()),
        Color32::from_rgb(90, 90, 200),
        Mark::Points { points: pts.clone(), radius: 3.0 },
    ));
    v.push(layer(
        Some(format!("fitted λ = {:.4} (m = {})", fit.best.lambda, fit.best.m)),
        super::panels::volume::FIT,
        line(super::panels::volume::fitted_line(&fit.best, 60), 3.0, Dash::Solid),
    ));
    v.push(layer(
        Some(format!("ε = {}", sci(d.eps))),
        RED,
        Mark::VLine { x: d.eps.log10(), width: 1.5, dash: Dash::Solid },
    ));
    let yr = range_of(pts.iter().map(|p| p[1]), 0.05);
    let xr = [x_lo - 0.2, x_hi + 0.2];
    let law = Chart {
        title: format!("Volume law V(ε) ≈ c·ε^λ·(−log ε)^(m−1): {}", label(d)),
        x: Axis::log10("ε", xr),
        y: Axis::log10("V(ε)", yr),
        layers: v,
        raster: None,
        colour_bar: None,
        legend: Corner::RightBottom,
    };
    // the local slope
    let slope: Vec<[f64; 2]> =
        fit.local_slope.iter().filter(|p| p[1].is_finite()).map(|p| [p[0].log10(), p[1]]).collect();
    let mut sorted: Vec<f64> = slope.iter().map(|p| p[1]).collect();
    sorted.sort_by(f64::total_cmp);
    let typical = sorted.get(sorted.len() * 9 / 10).copied().unwrap_or(0.0);
    let exact = theory.as_ref().map(|t| t.lambda);
    let top = (dim / 2.0).max(fit.best.lambda).max(exact.unwrap_or(0.0)).max(typical) * 1.3;
    let bottom = sorted.first().copied().unwrap_or(0.0).min(0.0).max(-0.2 * top);
    let mut s = vec![layer(
        Some(format!("fitted λ = {:.4}", fit.best.lambda)),
        super::panels::volume::FIT,
        Mark::HLine { y: fit.best.lambda, width: 2.0, dash: Dash::Solid },
    )];
    if let Some(t) = &theory {
        let name = if t.is_exact() { format!("exact {:.4}", t.lambda) } else { format!("≤ {:.4}", t.lambda) };
        s.push(layer(
            Some(name),
            super::panels::volume::theory_colour(t),
            Mark::HLine { y: t.lambda, width: 2.0, dash: Dash::Dashed },
        ));
    }
    s.push(layer(Some("local slope".into()), Color32::from_rgb(250, 160, 40), line(slope, 2.5, Dash::Solid)));
    s.push(layer(None, RED, Mark::VLine { x: d.eps.log10(), width: 1.5, dash: Dash::Solid }));
    let local = Chart {
        title: "Local slope s(ε) = d log V / d log ε".into(),
        x: Axis::log10("ε", xr),
        y: Axis::linear("s(ε)", [bottom, top]),
        layers: s,
        raster: None,
        colour_bar: None,
        legend: Corner::LeftTop,
    };
    vec![law, local]
}

fn phase(d: &ViewData) -> Result<Vec<Chart>, String> {
    let p = d
        .phase
        .as_ref()
        .ok_or_else(|| d.phase_error.clone().unwrap_or_else(|| "the basins are not computed yet".into()))?;
    let nb = p.basins.basins.len();
    let view = crate::core::analysis::phase_view(&p.crossovers);
    let ln = d.n.log10();
    let mut m = vec![];
    for i in 0..nb {
        let pts: Vec<[f64; 2]> = p.log10_n.iter().zip(&p.mass).map(|(t, ms)| [*t, ms[i]]).collect();
        m.push(layer(Some(format!("basin {i}")), basin_colour(i), line(pts, 3.0, Dash::Solid)));
    }
    for c in &p.crossovers {
        m.push(layer(None, Color32::GRAY, Mark::VLine { x: c.n_c.log10(), width: 1.5, dash: Dash::Dashed }));
        m.push(layer(
            None,
            Color32::GRAY,
            Mark::Text { at: [c.n_c.log10(), 1.0], text: format!("n_c = {}", sci(c.n_c)) },
        ));
    }
    m.push(layer(Some(format!("n = {}", sci(d.n))), RED, Mark::VLine { x: ln, width: 1.5, dash: Dash::Solid }));
    let mass = Chart {
        title: format!("Posterior mass of each basin: {}", label(d)),
        x: Axis::log10("n", view),
        y: Axis::linear("posterior mass", [-0.02, 1.05]),
        layers: m,
        raster: None,
        colour_bar: None,
        legend: Corner::LeftTop,
    };
    let vis: Vec<usize> =
        (0..p.log10_n.len()).filter(|&k| p.log10_n[k] >= view[0] && p.log10_n[k] <= view[1]).collect();
    let yr =
        range_of(vis.iter().flat_map(|&k| std::iter::once(p.f_total[k]).chain(p.f_basin[k].iter().copied())), 0.08);
    let pts = |v: &[f64]| -> Vec<[f64; 2]> { p.log10_n.iter().zip(v).map(|(t, y)| [*t, *y]).collect() };
    let mut f = vec![];
    for i in 0..nb {
        let v: Vec<f64> = p.f_basin.iter().map(|r| r[i]).collect();
        f.push(layer(Some(format!("F basin {i}")), basin_colour(i), line(pts(&v), 2.0, Dash::Solid)));
    }
    f.push(layer(Some("exact F_n".into()), Color32::from_rgb(200, 160, 30), line(pts(&p.f_total), 3.0, Dash::Solid)));
    f.push(layer(
        Some(format!("BIC: (d/2) log n, d = {}", d.analysis.dim)),
        Color32::GRAY,
        line(pts(&p.bic), 1.5, Dash::Dashed),
    ));
    f.push(layer(
        Some("WBIC: E_β[nK], β = 1/log n".into()),
        Color32::from_rgb(190, 120, 230),
        line(pts(&p.wbic), 1.5, Dash::Dotted),
    ));
    f.push(layer(None, RED, Mark::VLine { x: ln, width: 1.5, dash: Dash::Solid }));
    let free = Chart {
        title: "Free energies F(n) − n·min K*".into(),
        x: Axis::log10("n", view),
        y: Axis::linear("F(n) − n·min K*", yr),
        layers: f,
        raster: None,
        colour_bar: None,
        legend: Corner::LeftTop,
    };
    Ok(vec![mass, free])
}

fn theory(d: &ViewData) -> Result<Chart, String> {
    let r = &d.analysis.estimate.theory_report;
    let np = r
        .newton
        .as_ref()
        .ok_or("no Newton polygon for this landscape (it is 1-D, or K is not a polynomial at the minimum)")?;
    let (maxc, b) = np.drawn().ok_or("the Newton polygon has no vertices")?;
    let mut region = b.clone();
    region.push([maxc, maxc]);
    let blue = Color32::from_rgb(80, 170, 255);
    let mut l = vec![
        layer(
            Some("Newton polygon (the region above Γ)".into()),
            blue,
            Mark::Polygon { points: region, fill_opacity: 0.15 },
        ),
        layer(Some("boundary Γ".into()), Color32::from_rgb(120, 120, 120), line(b, 2.5, Dash::Solid)),
    ];
    for f in &np.degenerate_faces {
        if let Face::Edge(a, c) = f {
            l.push(layer(
                Some("degenerate face".into()),
                RED,
                line(vec![[a.0 as f64, a.1 as f64], [c.0 as f64, c.1 as f64]], 3.5, Dash::Solid),
            ));
        }
    }
    l.push(layer(Some("diagonal".into()), Color32::GRAY, line(vec![[0.0, 0.0], [maxc, maxc]], 1.5, Dash::Dashed)));
    let pts: Vec<[f64; 2]> = np.support.iter().map(|(k, _)| [k.0 as f64, k.1 as f64]).collect();
    l.push(layer(Some("support (exponents)".into()), blue, Mark::Points { points: pts, radius: 6.0 }));
    l.push(layer(
        Some(format!("(t₀, t₀), t₀ = {:.4}: λ = 1/t₀ = {:.4}", np.t0, 1.0 / np.t0)),
        Color32::from_rgb(60, 170, 90),
        Mark::Points { points: vec![[np.t0, np.t0]], radius: 7.0 },
    ));
    Ok(Chart {
        title: format!("Newton polygon of {}", label(d)),
        x: Axis::linear("exponent of u (x − x*)", [-0.3, maxc]),
        y: Axis::linear("exponent of v (y − y*)", [-0.3, maxc]),
        layers: l,
        raster: None,
        colour_bar: None,
        legend: Corner::RightBottom,
    })
}

fn learn(d: &ViewData) -> Result<Vec<Chart>, String> {
    let r = match &d.learning.sgd {
        Some((_, Ok(r))) => r.clone(),
        Some((_, Err(e))) => return Err(e.clone()),
        None => return Err("SGD has not run: open the Learning tab (or --tab learn) first".into()),
    };
    let loss: Vec<[f64; 2]> = r.steps.iter().zip(&r.loss).map(|(s, l)| [*s as f64, *l]).collect();
    let pop: Vec<[f64; 2]> = r.steps.iter().zip(&r.population).map(|(s, l)| [*s as f64, *l]).collect();
    let x1 = r.steps.last().copied().unwrap_or(1).max(1) as f64;
    let model = d.analysis.spec.model.is_some();
    let mut l = vec![layer(
        Some(if model { "L_n".into() } else { "K".into() }),
        Color32::from_rgb(60, 120, 220),
        line(loss.clone(), 2.5, Dash::Solid),
    )];
    if !pop.is_empty() {
        l.push(layer(
            Some("population K".into()),
            Color32::from_rgb(220, 120, 40),
            line(pop.clone(), 2.0, Dash::Dashed),
        ));
    }
    let yr = range_of(loss.iter().chain(&pop).map(|p| p[1]), 0.05);
    let mut charts = vec![Chart {
        title: format!("SGD: loss along the path ({} steps, lr {})", x1, sci(r.options.lr)),
        x: Axis::linear("step", [0.0, x1]),
        y: Axis::linear("loss", yr),
        layers: l,
        raster: None,
        colour_bar: None,
        legend: Corner::RightTop,
    }];
    if !r.llc.is_empty() {
        let hi = r.llc.iter().map(|p| p.mean).filter(|v| v.is_finite()).fold(1.2f64, f64::max);
        let lo = r.llc.iter().map(|p| p.mean).filter(|v| v.is_finite()).fold(0.0f64, f64::min).max(-0.5);
        let pts: Vec<[f64; 2]> = r.llc.iter().map(|p| [p.step as f64, p.mean.max(lo)]).collect();
        let bars: Vec<[[f64; 2]; 2]> =
            r.llc.iter().map(|p| [[p.step as f64, p.mean - p.se], [p.step as f64, p.mean + p.se]]).collect();
        charts.push(Chart {
            title: "The LLC along the SGD path".into(),
            x: Axis::linear("step", [0.0, x1]),
            y: Axis::linear("LLC", [lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)]),
            layers: vec![
                layer(Some("± s.e.".into()), Color32::GRAY, Mark::Segments { segments: bars, width: 1.5 }),
                layer(
                    Some("LLC along the path".into()),
                    Color32::from_rgb(60, 120, 220),
                    line(pts.clone(), 2.0, Dash::Solid),
                ),
                layer(None, Color32::from_rgb(60, 120, 220), Mark::Points { points: pts, radius: 3.0 }),
            ],
            raster: None,
            colour_bar: None,
            legend: Corner::LeftTop,
        });
    }
    Ok(charts)
}

fn landscape_1d(d: &ViewData) -> Chart {
    let g = &d.grid;
    let kmin = d.analysis.estimate.minimum.k_min;
    let mut raw: Vec<[f64; 2]> =
        (0..g.spec.nx).filter(|&i| g.k[i].is_finite()).map(|i| [g.spec.center(i, 0)[0], g.k[i]]).collect();
    for w in &d.analysis.estimate.minimum.argmin {
        raw.push([w[0], kmin]);
    }
    if let Some(p) = &d.phase {
        raw.extend(p.basins.basins.iter().map(|b| [b.argmin[0], b.k_min]));
    }
    raw.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let log = d.style.log_k_axis;
    let kmax = raw.iter().map(|p| p[1]).fold(kmin, f64::max);
    let floor = ((kmax - kmin) * 1e-12).max(1e-300).min(d.eps * 1e-3);
    let y = |k: f64| if log { (k - kmin).max(floor).log10() } else { k };
    let basins = d.phase.as_ref().map(|p| &p.basins.basins).filter(|b| b.len() > 1);
    let top = match basins {
        Some(b) => {
            let depth = b.iter().map(|x| x.k_min).fold(kmin, f64::max) - kmin;
            y(kmin + (10.0 * depth).max(3.0 * d.eps)).min(y(kmax))
        }
        None => y(kmax),
    };
    let level = y(kmin + d.eps);
    let bottom = y(kmin);
    let top = top.max(level);
    let span = (top - bottom).max(1e-300);
    let mut l = vec![];
    for (k, (a, b)) in d.intervals_1d.iter().enumerate() {
        let band = vec![[*a, bottom], [*b, bottom], [*b, level], [*a, level]];
        l.push(layer((k == 0).then(|| SET_LABEL.to_string()), RED, Mark::Polygon { points: band, fill_opacity: 0.35 }));
        let base = bottom - 0.03 * span;
        l.push(layer(None, RED, line(vec![[*a, base], [*b, base]], 5.0, Dash::Solid)));
    }
    let curve: Vec<[f64; 2]> = raw.iter().map(|p| [p[0], y(p[1])]).collect();
    l.push(layer(Some("K(x)".into()), Color32::from_rgb(40, 110, 200), line(curve, 2.5, Dash::Solid)));
    l.push(layer(
        Some(format!("K* + ε, ε = {}", sci(d.eps))),
        RED,
        Mark::HLine { y: level, width: 1.5, dash: Dash::Dashed },
    ));
    Chart {
        title: format!("Landscape K(x) = {}", label(d)),
        x: Axis::linear("x", g.spec.x),
        y: if log {
            Axis::log10("K − K*", [bottom - 0.06 * span, top + 0.05 * span])
        } else {
            Axis::linear("K(x)", [bottom - 0.06 * span, top + 0.05 * span])
        },
        layers: l,
        raster: None,
        colour_bar: None,
        legend: Corner::LeftTop,
    }
}

/// The cell centres of a grid along x and y.
fn centres(spec: &crate::core::posterior::GridSpec) -> (Vec<f64>, Vec<f64>) {
    ((0..spec.nx).map(|i| spec.center(i, 0)[0]).collect(), (0..spec.ny.max(1)).map(|j| spec.center(0, j)[1]).collect())
}

fn landscape_2d(d: &ViewData) -> Result<Chart, String> {
    let g = &d.grid;
    let kmin = d.analysis.estimate.minimum.k_min;
    let log = d.style.log_colour;
    let lut = Lut::scheme(d.style.colormap).0;
    let scale = KScale::for_grid(g, kmin, log);
    let heat = landscape_image(g, &scale, &lut, false);
    let (mask, _) = mask_image(g, kmin, d.eps, SET_ALPHA);
    let img = over(&heat, &mask);
    let (xs, ys) = centres(&g.spec);
    let rows: Vec<Vec<f64>> = (0..ys.len()).map(|j| g.k[j * xs.len()..(j + 1) * xs.len()].to_vec()).collect();
    let outline = contour(&xs, &ys, &rows, kmin + d.eps);
    // the level lines the panel draws: K − K* = span·10^(−k/2), two per decade
    let span = (scale.kmax - scale.kmin).max(1e-300);
    let mut levels = vec![];
    for k in 0..12 {
        let seg = contour(&xs, &ys, &rows, kmin + span * 10f64.powf(-(k as f64) / 2.0));
        levels.extend(seg);
    }
    let mut l = vec![
        layer(
            Some("level lines of K (two per decade)".into()),
            Color32::from_rgb(20, 20, 20),
            Mark::Segments { segments: levels, width: 1.0 },
        ),
        layer(Some(SET_LABEL.into()), SET_FILL, Mark::Segments { segments: outline, width: 2.5 }),
    ];
    let mins: Vec<[f64; 2]> = d.analysis.estimate.minimum.argmin.iter().map(|w| [w[0], w[1]]).collect();
    l.push(layer(Some("minimisers w*".into()), Color32::WHITE, Mark::Points { points: mins, radius: 4.0 }));
    let lab = |t: f64| sci(scale.value_at(t));
    Ok(Chart {
        title: format!("Landscape K(x, y) = {}, ε = {}", label(d), sci(d.eps)),
        x: Axis::linear("x", g.spec.x),
        y: Axis::linear("y", g.spec.y),
        layers: l,
        raster: Some(Raster { png: png_bytes(&img)?, x: g.spec.x, y: g.spec.y }),
        colour_bar: Some(colour_bar(&lut, if log { "K − K* (log)" } else { "K − K*" }, [lab(0.0), lab(0.5), lab(1.0)])),
        legend: Corner::LeftTop,
    })
}

fn posterior(d: &ViewData) -> Result<Chart, String> {
    if d.analysis.dim == 1 {
        let c = d.curve.as_ref().ok_or("the posterior curve is not computed yet")?;
        let mut l = vec![];
        let mut named = std::collections::HashSet::new();
        for s in &c.segments {
            let pts: Vec<[f64; 2]> = s.points.iter().map(|p| [p[0], p[1].exp()]).collect();
            let (col, name) = match s.basin {
                Some(b) => (basin_colour(b), format!("basin {b}")),
                None => (Color32::from_rgb(40, 110, 200), "p_n(x)".to_string()),
            };
            let first = named.insert(name.clone());
            l.push(layer(first.then_some(name), col, line(pts, 2.5, Dash::Solid)));
        }
        for sp in &c.spikes {
            l.push(layer(
                Some(format!("basin {} (narrower than a pixel): mass {:.3}", sp.basin, sp.mass)),
                basin_colour(sp.basin),
                line(vec![[sp.x, 0.0], [sp.x, sp.height]], 3.0, Dash::Solid),
            ));
        }
        let top = c
            .segments
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p[1].exp()))
            .chain(c.spikes.iter().map(|s| s.height))
            .fold(0.0f64, f64::max);
        return Ok(Chart {
            title: format!("Posterior p_n(x) at n = {}: {}", sci(d.n), label(d)),
            x: Axis::linear("x", d.grid.spec.x),
            y: Axis::linear("p_n(x)", [0.0, (top * 1.08).max(1e-300)]),
            layers: l,
            raster: None,
            colour_bar: None,
            legend: Corner::RightTop,
        });
    }
    let p = d.posterior.as_ref().ok_or("the posterior is not computed yet")?;
    let log = d.style.log_posterior;
    let lut = Lut::scheme(d.style.colormap).1;
    const LOG_RANGE: f64 = 30.0;
    let img = posterior_image(p, &lut, log, LOG_RANGE);
    let labels = if log {
        [format!("max − {LOG_RANGE}"), format!("max − {}", LOG_RANGE / 2.0), "max".to_string()]
    } else {
        ["0".to_string(), "½ max".to_string(), "max".to_string()]
    };
    let mins: Vec<[f64; 2]> = d.analysis.estimate.minimum.argmin.iter().map(|w| [w[0], w[1]]).collect();
    Ok(Chart {
        title: format!("Posterior p_n(w) at n = {}: {}", sci(d.n), label(d)),
        x: Axis::linear("x", p.spec.x),
        y: Axis::linear("y", p.spec.y),
        layers: vec![layer(Some("minimisers w*".into()), Color32::WHITE, Mark::Points { points: mins, radius: 4.0 })],
        raster: Some(Raster { png: png_bytes(&img)?, x: p.spec.x, y: p.spec.y }),
        colour_bar: Some(colour_bar(&lut, if log { "log p" } else { "p" }, labels)),
        legend: Corner::LeftTop,
    })
}
