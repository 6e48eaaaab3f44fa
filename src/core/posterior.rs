//! The posterior p_n(w) ∝ φ(w)·exp(−n(K(w) − K*)) on a grid over any rectangle, for display.
//!
//! K is sampled once per rectangle (`KGrid`); the posterior for a new n is then one pass over the
//! cached values, normalised in log space (n·K reaches 1e12 and more: never exponentiate it
//! directly).

use serde::Serialize;

use super::free_energy::check_n;
use super::landscape::{Landscape, LandscapeError};

/// A rectangle and a resolution. For d = 1, `y` is ignored and `ny` = 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GridSpec {
    pub x: [f64; 2],
    pub y: [f64; 2],
    pub nx: usize,
    pub ny: usize,
}

impl GridSpec {
    /// Cell centre of column i / row j (row 0 at the bottom, y ascending).
    pub fn center(&self, i: usize, j: usize) -> [f64; 2] {
        let cx = self.x[0] + (self.x[1] - self.x[0]) * (i as f64 + 0.5) / self.nx as f64;
        let cy =
            if self.ny <= 1 { 0.0 } else { self.y[0] + (self.y[1] - self.y[0]) * (j as f64 + 0.5) / self.ny as f64 };
        [cx, cy]
    }
    pub fn cell_size(&self) -> [f64; 2] {
        [(self.x[1] - self.x[0]) / self.nx as f64, (self.y[1] - self.y[0]) / self.ny.max(1) as f64]
    }

    /// The part of the rectangle inside the box (what is outside has no prior mass); the whole box
    /// on an axis where they do not overlap.
    pub fn clamped_to(self, bounds: [[f64; 2]; 2], dim: usize) -> GridSpec {
        let clamp = |r: [f64; 2], axis: usize| {
            let lo = r[0].max(bounds[axis][0]);
            let hi = r[1].min(bounds[axis][1]);
            if hi > lo { [lo, hi] } else { bounds[axis] }
        };
        let x = clamp(self.x, 0);
        let y = if dim == 2 { clamp(self.y, 1) } else { [0.0, 0.0] };
        GridSpec { x, y, nx: self.nx, ny: if dim == 2 { self.ny } else { 1 } }
    }
}

/// K and log φ at the cell centres of a grid, row-major (index j·nx + i).
#[derive(Debug, Clone)]
pub struct KGrid {
    pub spec: GridSpec,
    pub k: Vec<f64>,
    pub log_prior: Vec<f64>,
}

/// Sample K on the part of the rectangle inside the box (outside: K = +∞, prior 0).
pub fn sample_k(land: &Landscape, spec: GridSpec) -> Result<KGrid, LandscapeError> {
    if spec.nx == 0 || spec.ny == 0 || spec.nx * spec.ny > 4096 * 4096 {
        return Err(LandscapeError::BadDomain(format!("grid {}×{} is not allowed", spec.nx, spec.ny)));
    }
    if !(spec.x[1] > spec.x[0]) || (land.dim == 2 && !(spec.y[1] > spec.y[0])) {
        return Err(LandscapeError::BadDomain("the view rectangle is empty".into()));
    }
    let ny = if land.dim == 1 { 1 } else { spec.ny };
    let spec = GridSpec { ny, ..spec };
    let mut k = Vec::with_capacity(spec.nx * ny);
    let mut lp = Vec::with_capacity(spec.nx * ny);
    for j in 0..ny {
        for i in 0..spec.nx {
            let w = spec.center(i, j);
            let inside = (0..land.dim).all(|a| w[a] >= land.bounds[a][0] && w[a] <= land.bounds[a][1]);
            if inside {
                k.push(land.k(w[0], w[1]));
                lp.push(land.log_prior(w));
            } else {
                k.push(f64::INFINITY);
                lp.push(f64::NEG_INFINITY);
            }
        }
    }
    Ok(KGrid { spec, k, log_prior: lp })
}

#[derive(Debug, Clone, Serialize)]
pub struct PosteriorGrid {
    pub spec: GridSpec,
    pub n: f64,
    /// log of the posterior probability of each cell; logsumexp over the grid = 0.
    pub log_p: Vec<f64>,
    /// log density (per unit area/length) of the cell: log_p − log(cell area).
    pub max_log_p: f64,
    /// Density of each cell relative to the most probable one, exp(log_p − max_log_p) (computed with
    /// the normalisation, so that a display needs no second exponential per cell).
    pub rel: Vec<f32>,
}

/// Posterior on the grid from cached K values. Normalised over the grid (i.e. conditional on the
/// view rectangle): the readouts of mass use the volume curve instead (`free_energy::mass_inside`).
pub fn posterior(kg: &KGrid, k_min: f64, n: f64) -> Result<PosteriorGrid, LandscapeError> {
    check_n(n)?;
    let [cw, ch] = kg.spec.cell_size();
    let area = if kg.spec.ny <= 1 { cw } else { cw * ch };
    let la = area.ln();
    let mut log_p: Vec<f64> = kg
        .k
        .iter()
        .zip(&kg.log_prior)
        .map(|(&k, &lp)| if k.is_finite() && lp.is_finite() { lp - n * (k - k_min) + la } else { f64::NEG_INFINITY })
        .collect();
    // two passes (max, then a sum of exponentials) rather than a running logaddexp; terms more than
    // 40 nats below the maximum add < 4e-18 relative and are skipped (no exp: this is per frame)
    let top = log_p.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let mut rel = vec![0.0f32; log_p.len()];
    let mut sum = 0.0;
    for (r, v) in rel.iter_mut().zip(&log_p) {
        let d = v - top;
        if d > -40.0 {
            let e = d.exp();
            sum += e;
            *r = e as f32;
        }
    }
    let z = top + sum.ln();
    if !z.is_finite() {
        return Err(LandscapeError::Undefined("K is undefined everywhere in this view".into()));
    }
    let mut mx = f64::NEG_INFINITY;
    for v in &mut log_p {
        *v -= z;
        mx = mx.max(*v);
    }
    Ok(PosteriorGrid { spec: kg.spec, n, log_p, max_log_p: mx, rel })
}
