//! The 1-D posterior as it is drawn: a curve per basin whose area is the basin's posterior mass, and
//! basins narrower than a pixel as spikes whose heights are true to their masses on the same scale.
//!
//! The density is absolute, p_n(x) = φ(x)·e^{−n·K(x)} / Z_n with Z_n = Σ_i Z_i from the basins'
//! volume laws (the same Z_i that give the masses), so a zoomed view, or three n side by side, show
//! the same heights the whole box would. A spike of mass M is drawn M·`unit` high, where `unit` is
//! the height a drawn basin would have per unit of mass (its peak density over its mass): a spike of
//! mass 0.68 beside a bump of mass 0.32 is about twice as tall, as the masses are.

use serde::Serialize;

use super::basins::{Basins, Impulse};
use super::free_energy::check_n;
use super::landscape::LandscapeError;
use super::num::logaddexp;
use super::posterior::KGrid;

/// One run of the curve inside one basin (`basin` None: outside every basin's interval, or no
/// basins known).
#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    pub basin: Option<usize>,
    /// (x, ln p_n(x)); −∞ where the density underflows.
    pub points: Vec<[f64; 2]>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Spike {
    pub x: f64,
    pub basin: usize,
    pub mass: f64,
    /// Drawn height: mass · unit.
    pub height: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PosteriorCurve {
    pub n: f64,
    pub segments: Vec<Segment>,
    pub spikes: Vec<Spike>,
    /// Height per unit of mass (see the module text); spikes are `mass · unit` high.
    pub unit: f64,
    /// The highest thing drawn (curve or spike), for a y-range shared between pictures.
    pub top: f64,
    /// True when the density is normalised by the basins' Z_n (absolute); false when only the grid
    /// was available (then it is conditional on the view, and there are no spikes).
    pub absolute: bool,
}

/// The basin whose interval holds x.
fn basin_of(basins: &Basins, x: f64) -> Option<usize> {
    basins.basins.iter().position(|b| b.interval.is_some_and(|[a, c]| x >= a && x <= c))
}

/// The curve of a 1-D K grid at n. `basins` (with `masses` at n) give the absolute normalisation,
/// the colours and the spikes; `box_width` and `min_width` decide which basins are spikes (as
/// `Basins::impulses`).
pub fn posterior_curve(
    kg: &KGrid,
    k_min: f64,
    n: f64,
    basins: Option<&Basins>,
    box_width: f64,
) -> Result<PosteriorCurve, LandscapeError> {
    check_n(n)?;
    let spec = kg.spec;
    let w = spec.cell_size()[0];
    let min_width = 3.0 * w;
    let raw: Vec<f64> =
        kg.k.iter()
            .zip(&kg.log_prior)
            .map(|(&k, &lp)| if k.is_finite() && lp.is_finite() { lp - n * (k - k_min) } else { f64::NEG_INFINITY })
            .collect();
    let xs: Vec<f64> = (0..spec.nx).map(|i| spec.center(i, 0)[0]).collect();
    let known = basins.filter(|b| b.dim == 1 && !b.basins.is_empty());
    // ln Z_i − n·K* of every basin (each relative to e^{−n·K*})
    let ln_zi: Vec<f64> = match known {
        Some(b) => b.free_energies(n)?.iter().map(|f| -f + n * k_min).collect(),
        None => vec![],
    };
    let (log_z, spikes_at): (f64, Vec<Impulse>) = match known {
        Some(b) => {
            let lz = ln_zi.iter().fold(f64::NEG_INFINITY, |a, &v| logaddexp(a, v));
            // the masses from the same Z_i: P_i = Z_i / Σ Z_j (as `Basins::masses`)
            let m: Vec<f64> = ln_zi.iter().map(|v| (v - lz).exp()).collect();
            (lz, b.impulses(n, &m, box_width, min_width, spec.x))
        }
        None => {
            // conditional on the view: normalise over the grid
            let lz = raw.iter().fold(f64::NEG_INFINITY, |a, &v| logaddexp(a, v)) + w.ln();
            (lz, vec![])
        }
    };
    if !log_z.is_finite() {
        return Err(LandscapeError::Undefined("K is undefined everywhere in this view".into()));
    }
    let ld: Vec<f64> = raw.iter().map(|v| v - log_z).collect();
    let spike_basins: Vec<usize> = spikes_at.iter().map(|s| s.basin).collect();
    // runs of cells by basin; the cells of a spike's basin are left out (the grid cannot resolve it)
    let mut segments: Vec<Segment> = vec![];
    for (i, &x) in xs.iter().enumerate() {
        let b = known.and_then(|bs| basin_of(bs, x));
        if b.is_some_and(|b| spike_basins.contains(&b)) {
            continue;
        }
        match segments.last_mut() {
            Some(s) if s.basin == b && s.points.last().is_some_and(|p| (x - p[0] - w).abs() < 0.5 * w) => {
                s.points.push([x, ld[i]])
            }
            _ => segments.push(Segment { basin: b, points: vec![[x, ld[i]]] }),
        }
    }
    // unit: peak density per unit mass of the drawn basins (ln domain: both may underflow)
    let mut ln_unit = f64::NEG_INFINITY;
    for s in &segments {
        let peak = s.points.iter().map(|p| p[1]).fold(f64::NEG_INFINITY, f64::max);
        let ln_mass = match s.basin.and_then(|b| ln_zi.get(b)) {
            Some(lzb) => lzb - log_z,
            None => {
                // mass of this run on the grid
                s.points.iter().fold(f64::NEG_INFINITY, |a, p| logaddexp(a, p[1])) + w.ln()
            }
        };
        if peak.is_finite() && ln_mass.is_finite() {
            ln_unit = ln_unit.max(peak - ln_mass);
        }
    }
    // every basin a spike: a unit that puts mass 1 at the height of a bump one pixel-width wide
    let unit = if ln_unit.is_finite() { ln_unit.exp() } else { 1.0 / (3.0 * w) };
    let spikes: Vec<Spike> =
        spikes_at.iter().map(|s| Spike { x: s.x, basin: s.basin, mass: s.mass, height: s.mass * unit }).collect();
    let curve_top = segments.iter().flat_map(|s| s.points.iter()).map(|p| p[1].exp()).fold(0.0, f64::max);
    let top = spikes.iter().map(|s| s.height).fold(curve_top, f64::max);
    Ok(PosteriorCurve { n, segments, spikes, unit, top, absolute: known.is_some() })
}

impl PosteriorCurve {
    /// ∫ of the drawn curve over one basin's run(s) (midpoint rule on the grid).
    pub fn drawn_mass(&self, basin: usize) -> f64 {
        let w = self.cell_width();
        self.segments
            .iter()
            .filter(|s| s.basin == Some(basin))
            .flat_map(|s| s.points.iter())
            .map(|p| p[1].exp() * w)
            .sum()
    }
    /// The peak density drawn for one basin.
    pub fn peak(&self, basin: usize) -> f64 {
        self.segments
            .iter()
            .filter(|s| s.basin == Some(basin))
            .flat_map(|s| s.points.iter())
            .map(|p| p[1].exp())
            .fold(0.0, f64::max)
    }
    /// The drawn curve at x (linear between cell centres, ln p), with its basin; None off the
    /// curve (outside the view, or in a spike's basin). A hover readout reads this, not the pointer.
    pub fn value_at(&self, x: f64) -> Option<(Option<usize>, f64)> {
        for s in &self.segments {
            let p = &s.points;
            let (first, last) = (p.first()?, p.last()?);
            let half = 0.5 * self.cell_width().max(0.0);
            if x < first[0] - half || x > last[0] + half {
                continue;
            }
            let k = p.partition_point(|q| q[0] <= x);
            let v = match k {
                0 => first[1],
                k if k >= p.len() => last[1],
                k => {
                    let (a, b) = (p[k - 1], p[k]);
                    let t = (x - a[0]) / (b[0] - a[0]);
                    if a[1].is_finite() && b[1].is_finite() {
                        // linear in the density, as the plot draws it
                        let d = (1.0 - t) * a[1].exp() + t * b[1].exp();
                        if d > 0.0 { d.ln() } else { a[1].max(b[1]) }
                    } else {
                        a[1].max(b[1])
                    }
                }
            };
            return Some((s.basin, v));
        }
        None
    }
    /// The grid's cell width (0 with fewer than two cells drawn).
    pub fn cell_width(&self) -> f64 {
        self.segments.iter().find(|s| s.points.len() > 1).map(|s| s.points[1][0] - s.points[0][0]).unwrap_or(0.0)
    }
}
