//! Turning core results into images: colour lookup tables, the K heatmap with pixel contours, the
//! sublevel-set mask, the posterior heatmap. Pure functions of plain data (benchmarked per frame).

use eframe::egui;
use egui::{Color32, ColorImage};

use crate::core::posterior::{KGrid, PosteriorGrid};
use crate::ui::settings::ColourMap;

/// A 256-entry colour lookup table (a colorous gradient sampled once: evaluating the gradient per
/// pixel would cost more than the posterior itself at 512²).
#[derive(Clone)]
pub struct Lut([Color32; 256]);

impl Lut {
    /// The (landscape, posterior) tables of a scheme: viridis / inferno, cividis (colour-blind safe,
    /// both), high contrast (black to white, both).
    pub fn scheme(map: ColourMap) -> (Lut, Lut) {
        match map {
            ColourMap::Cividis => (Lut::new(colorous::CIVIDIS), Lut::new(colorous::CIVIDIS)),
            ColourMap::HighContrast => (Lut::grey(), Lut::grey()),
            ColourMap::Viridis => (Lut::new(colorous::VIRIDIS), Lut::new(colorous::INFERNO)),
        }
    }

    /// Black to white.
    pub fn grey() -> Lut {
        let mut t = [Color32::BLACK; 256];
        for (i, c) in t.iter_mut().enumerate() {
            *c = Color32::from_gray(i as u8);
        }
        Lut(t)
    }

    pub fn new(g: colorous::Gradient) -> Lut {
        let mut t = [Color32::BLACK; 256];
        for (i, c) in t.iter_mut().enumerate() {
            let v = g.eval_continuous(i as f64 / 255.0);
            *c = Color32::from_rgb(v.r, v.g, v.b);
        }
        Lut(t)
    }
    #[inline]
    pub fn at(&self, t: f64) -> Color32 {
        let i = if t.is_finite() { (t.clamp(0.0, 1.0) * 255.0).round() as usize } else { 0 };
        self.0[i]
    }
}

/// Colour scale of the landscape: linear in K − K*, or logarithmic (so singular valleys show).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KScale {
    pub kmin: f64,
    pub kmax: f64,
    pub log: bool,
    /// lower end of the log scale (in K − K*)
    pub floor: f64,
}

impl KScale {
    pub fn for_grid(kg: &KGrid, kmin: f64, log: bool) -> KScale {
        let mut hi = f64::MIN;
        for &k in &kg.k {
            if k.is_finite() && k > hi {
                hi = k;
            }
        }
        let span = (hi - kmin).max(1e-300);
        KScale { kmin, kmax: hi.max(kmin), log, floor: span * 1e-8 }
    }
    /// Position 0…1 on the colour bar.
    #[inline]
    pub fn t(&self, k: f64) -> f64 {
        let d = (k - self.kmin).max(0.0);
        let span = (self.kmax - self.kmin).max(1e-300);
        if self.log {
            let lo = self.floor.ln();
            ((d.max(self.floor)).ln() - lo) / (span.ln() - lo)
        } else {
            d / span
        }
    }
    /// The value of K − K* at a colour-bar position.
    pub fn value_at(&self, t: f64) -> f64 {
        let span = (self.kmax - self.kmin).max(1e-300);
        if self.log { (self.floor.ln() + t * (span.ln() - self.floor.ln())).exp() } else { t * span }
    }
}

/// Heatmap of K over the grid, row 0 at the top (PlotImage convention), with dark pixel contours at
/// K − K* = span·10^(−k/2) … (a few levels that are evenly spaced on the log scale).
pub fn landscape_image(kg: &KGrid, scale: &KScale, lut: &Lut, contours: bool) -> ColorImage {
    let (nx, ny) = (kg.spec.nx, kg.spec.ny.max(1));
    let mut px = vec![Color32::TRANSPARENT; nx * ny];
    let span = (scale.kmax - scale.kmin).max(1e-300);
    let band = |k: f64| -> i32 {
        if !k.is_finite() {
            return i32::MIN;
        }
        let d = ((k - scale.kmin) / span).max(1e-300);
        (d.log10() * 2.0).floor() as i32 // two contour levels per decade of K − K*
    };
    for j in 0..ny {
        let row = ny - 1 - j; // grid row j (y ascending) → image row from the top
        for i in 0..nx {
            let k = kg.k[j * nx + i];
            let mut c = if k.is_finite() { lut.at(scale.t(k)) } else { Color32::from_gray(60) };
            if contours && k.is_finite() && i + 1 < nx && j + 1 < ny {
                let b = band(k);
                if b > -12 && (b != band(kg.k[j * nx + i + 1]) || b != band(kg.k[(j + 1) * nx + i])) {
                    c = Color32::from_rgba_unmultiplied(20, 20, 20, 255);
                }
            }
            px[row * nx + i] = c;
        }
    }
    ColorImage::new([nx, ny], px)
}

/// The sublevel set's fill (drawn at `SET_ALPHA`) and outline.
pub const SET_FILL: Color32 = Color32::from_rgb(225, 20, 20);
pub const SET_ALPHA: u8 = 215;
pub const SET_EDGE: Color32 = Color32::from_rgb(255, 120, 120);

/// The sublevel set {K − K* < ε} as a red mask (correct for any shape, unlike a polygon): a
/// saturated fill, nearly opaque so that it reads as red over every colour map (at alpha 150 it
/// was a brown over viridis), and an opaque light-red outline on its boundary cells, so the
/// shape stays visible where the fill meets a red-ish part of the map.
/// Returns the image and the number of cells inside.
pub fn mask_image(kg: &KGrid, kmin: f64, eps: f64, alpha: u8) -> (ColorImage, usize) {
    let (nx, ny) = (kg.spec.nx, kg.spec.ny.max(1));
    let fill = Color32::from_rgba_unmultiplied(SET_FILL.r(), SET_FILL.g(), SET_FILL.b(), alpha);
    let edge = SET_EDGE;
    let mut px = vec![Color32::TRANSPARENT; nx * ny];
    let c = kmin + eps;
    let inside = |i: usize, j: usize| kg.k[j * nx + i] < c;
    let mut count = 0;
    for j in 0..ny {
        let row = ny - 1 - j;
        for i in 0..nx {
            if inside(i, j) {
                // a cell of the set with a neighbour outside it (the box's edge is not a boundary)
                let boundary = (i > 0 && !inside(i - 1, j))
                    || (i + 1 < nx && !inside(i + 1, j))
                    || (j > 0 && !inside(i, j - 1))
                    || (j + 1 < ny && !inside(i, j + 1));
                px[row * nx + i] = if boundary { edge } else { fill };
                count += 1;
            }
        }
    }
    (ColorImage::new([nx, ny], px), count)
}

/// The posterior heatmap: linear in density (relative to its maximum) or logarithmic over
/// `log_range` nats below the maximum.
pub fn posterior_image(p: &PosteriorGrid, lut: &Lut, log: bool, log_range: f64) -> ColorImage {
    let (nx, ny) = (p.spec.nx, p.spec.ny.max(1));
    let mut px = vec![Color32::TRANSPARENT; nx * ny];
    let mx = p.max_log_p;
    for j in 0..ny {
        let row = ny - 1 - j;
        for i in 0..nx {
            let c = j * nx + i;
            px[row * nx + i] = if log { lut.at(1.0 + (p.log_p[c] - mx) / log_range) } else { lut.at(p.rel[c] as f64) };
        }
    }
    ColorImage::new([nx, ny], px)
}

/// Share of the grid's posterior mass in its most probable cell: near 1 means the posterior is
/// narrower than a pixel of this view.
pub fn max_cell_mass(p: &PosteriorGrid) -> f64 {
    p.max_log_p.exp()
}

/// The rectangle holding the posterior cells within `nats` of the maximum (for "fit view").
pub fn posterior_extent(p: &PosteriorGrid, nats: f64) -> Option<[f64; 4]> {
    let (nx, ny) = (p.spec.nx, p.spec.ny.max(1));
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    let [cw, ch] = p.spec.cell_size();
    for j in 0..ny {
        for i in 0..nx {
            if p.log_p[j * nx + i] >= p.max_log_p - nats {
                let c = p.spec.center(i, j);
                x0 = x0.min(c[0] - cw);
                x1 = x1.max(c[0] + cw);
                y0 = y0.min(c[1] - ch);
                y1 = y1.max(c[1] + ch);
            }
        }
    }
    (x1 > x0).then_some([x0, x1, y0, y1])
}

/// The watershed boundaries between basins on a view grid: white pixels where the basin label of a
/// cell centre differs from its right or upper neighbour.
pub fn basin_boundary_image(
    spec: &crate::core::posterior::GridSpec,
    labels: &crate::core::volume::LabelGrid,
) -> ColorImage {
    let (nx, ny) = (spec.nx, spec.ny.max(1));
    let lab: Vec<u32> =
        (0..ny).flat_map(|j| (0..nx).map(move |i| (i, j))).map(|(i, j)| labels.label_at(spec.center(i, j))).collect();
    let mut px = vec![Color32::TRANSPARENT; nx * ny];
    let line = Color32::from_rgba_unmultiplied(255, 255, 255, 200);
    for j in 0..ny {
        for i in 0..nx {
            let l = lab[j * nx + i];
            let edge = (i + 1 < nx && lab[j * nx + i + 1] != l) || (j + 1 < ny && lab[(j + 1) * nx + i] != l);
            if edge {
                px[(ny - 1 - j) * nx + i] = line;
            }
        }
    }
    ColorImage::new([nx, ny], px)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sublevel set reads as red over every colour of every map (the dialogue's picture: at
    /// alpha 150 it was a dark brown over viridis): red dominates the blend by a factor 3.
    #[test]
    fn the_sublevel_set_is_red_over_every_colour_map() {
        let a = SET_ALPHA as f64 / 255.0;
        for map in [ColourMap::Viridis, ColourMap::Cividis, ColourMap::HighContrast] {
            let (lut, _) = Lut::scheme(map);
            for i in 0..256 {
                let under = lut.at(i as f64 / 255.0);
                let mix = |f: u8, u: u8| a * f as f64 + (1.0 - a) * u as f64;
                let (r, g, b) =
                    (mix(SET_FILL.r(), under.r()), mix(SET_FILL.g(), under.g()), mix(SET_FILL.b(), under.b()));
                assert!(r >= 180.0 && r >= 3.0 * g && r >= 3.0 * b, "{map:?} {i}: ({r:.0}, {g:.0}, {b:.0})");
            }
        }
        assert!(SET_EDGE.r() == 255 && SET_EDGE.r() as f64 >= 2.0 * SET_EDGE.g().max(SET_EDGE.b()) as f64);
    }
}
