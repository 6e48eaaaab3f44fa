//! The volume curve V(ε) = prior mass of {w : K(w) − K* < ε}, over twelve decades and more.
//!
//! Method (why, in SCIENCE.md §2): a uniform grid bottoms out near ε ≈ 1e-6 and nested sampling's
//! error at V = 1e-12 is ~16%, so we use iterated one-dimensional integration.
//! - 1-D: K is cut into monotone pieces once (`Profile`); each level's sublevel set is then a union
//!   of intervals whose ends are roots — exact up to root tolerance.
//! - 2-D: V(ε) = ∫ ρ(u)·ℓ_ε(u) du, where ℓ_ε(u) is the prior mass of the sublevel set on the line at
//!   outer coordinate u (a `Profile` along the inner coordinate, exact as in 1-D), and the outer
//!   integral is adaptive Gauss–Kronrod with breakpoints where ℓ_ε is not smooth: the minimisers,
//!   where the level curve meets the box edge (roots of K on the two edges; without them the
//!   quadrature's own error estimate is fooled by the kink — 2.8e-3 off on x²y⁴ while claiming 1e-6),
//!   and the ends of each component's support (roots of the line minimum m(u) − K* = ε). A
//!   smoothstep substitution on every panel removes the √ behaviour at support ends.
//! - The error estimate of each point is the difference between integrating x-then-y and y-then-x
//!   (two independent discretisations) plus both quadratures' own estimates.
//!
//! Work shared across levels: the edge profiles, and the line profiles (cached by position: the
//! probes for support ends and panels whose ends do not move are the same at every level).

use std::collections::HashMap;

use serde::Serialize;

use super::landscape::{Landscape, LandscapeError, Minimum, min_tol};
use super::num::{brent_root, integrate_adaptive};
use super::profile::Profile;

/// Basin labels on a grid over the box (2-D): label of cell (i, j) at index j·nx + i.
#[derive(Debug, Clone)]
pub struct LabelGrid {
    pub x: [f64; 2],
    pub y: [f64; 2],
    pub nx: usize,
    pub ny: usize,
    pub labels: Vec<u32>,
    /// Basins narrower than a cell (found by the certified search): rectangles with labels of
    /// their own, cut out of the cells they lie in.
    pub holes: Vec<Hole>,
}

/// A basin narrower than a cell of the label grid: its rectangle and label.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hole {
    pub x: [f64; 2],
    pub y: [f64; 2],
    pub label: u32,
}

impl Hole {
    pub fn contains(&self, w: [f64; 2]) -> bool {
        w[0] >= self.x[0] && w[0] <= self.x[1] && w[1] >= self.y[0] && w[1] <= self.y[1]
    }
    /// (outer range, inner range) for a sweep with outer axis `outer`.
    fn ranges(&self, outer: usize) -> ([f64; 2], [f64; 2]) {
        if outer == 0 { (self.x, self.y) } else { (self.y, self.x) }
    }
}

impl LabelGrid {
    /// Runs of cells with label `id` along the inner axis, for every line of the outer axis.
    fn runs(&self, outer: usize, id: u32) -> Vec<Vec<(f64, f64)>> {
        let (no, ni) = if outer == 0 { (self.nx, self.ny) } else { (self.ny, self.nx) };
        let (ilo, ihi) = if outer == 0 { (self.y[0], self.y[1]) } else { (self.x[0], self.x[1]) };
        let h = (ihi - ilo) / ni as f64;
        (0..no)
            .map(|o| {
                let mut runs: Vec<(f64, f64)> = vec![];
                for k in 0..ni {
                    let (i, j) = if outer == 0 { (o, k) } else { (k, o) };
                    if self.labels[j * self.nx + i] == id {
                        let a = ilo + h * k as f64;
                        let b = if k + 1 == ni { ihi } else { ilo + h * (k + 1) as f64 };
                        match runs.last_mut() {
                            Some(r) if r.1 >= a => r.1 = b,
                            _ => runs.push((a, b)),
                        }
                    }
                }
                runs
            })
            .collect()
    }

    /// Label of the cell (or the hole) containing w.
    pub fn label_at(&self, w: [f64; 2]) -> u32 {
        if let Some(h) = self.holes.iter().find(|h| h.contains(w)) {
            return h.label;
        }
        let fi = ((w[0] - self.x[0]) / (self.x[1] - self.x[0]) * self.nx as f64).floor();
        let fj = ((w[1] - self.y[0]) / (self.y[1] - self.y[0]) * self.ny as f64).floor();
        let i = (fi.max(0.0) as usize).min(self.nx - 1);
        let j = (fj.max(0.0) as usize).min(self.ny - 1);
        self.labels[j * self.nx + i]
    }
}

/// Where a volume curve is measured: the whole box, an interval (1-D basin), or the cells of one
/// label (2-D basin).
#[derive(Debug, Clone)]
pub enum Region {
    All,
    Interval(f64, f64),
    Labels(std::sync::Arc<LabelGrid>, u32),
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct VolumePoint {
    pub eps: f64,
    pub v: f64,
    /// Estimated absolute error of v.
    pub err: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct VolumeCurve {
    /// Descending in ε.
    pub points: Vec<VolumePoint>,
    pub eps_min: f64,
    pub eps_max: f64,
    pub decades: f64,
    pub warnings: Vec<String>,
    /// 2-D: a minimiser touches the region where K is undefined (see `Convergence::DomainEdge`).
    pub domain_edge: bool,
    /// A point where K was found below the K* it was computed with (then K* must be redone).
    #[serde(skip)]
    pub lower_point: Option<([f64; 2], f64)>,
}

#[derive(Debug, Clone, Copy)]
pub struct VolumeOptions {
    pub per_decade: usize,
    /// Smallest ε aimed for (the curve goes at least this low unless rounding forbids it).
    pub eps_floor_target: f64,
    /// Compute the 2-D curve in both orders (x-then-y and y-then-x) for the error estimate.
    pub both_orders: bool,
    /// Run the two orders on two threads (the same numbers, bit for bit, as one after the other).
    pub parallel: bool,
}

impl Default for VolumeOptions {
    fn default() -> Self {
        VolumeOptions { per_decade: 3, eps_floor_target: 1e-13, both_orders: true, parallel: true }
    }
}

/// The ε levels: from ε_max down to ε_min, `per_decade` per decade, and what limits ε_min.
pub fn levels(min: &Minimum, opts: &VolumeOptions) -> Result<(Vec<f64>, Vec<String>), LandscapeError> {
    let eps_max = min.k_max - min.k_min;
    if !(eps_max > 1e-280) || !eps_max.is_finite() {
        return Err(LandscapeError::Undefined(
            "K is constant on the box (or nearly so): every point is a minimum and there is no volume law to measure"
                .into(),
        ));
    }
    let mut warnings = vec![];
    // Below ~2000 ulps of K* the sublevel set is decided by rounding, not by K.
    let floor = 2000.0 * f64::EPSILON * min.k_min.abs();
    let target = opts.eps_floor_target.min(eps_max * opts.eps_floor_target);
    // never below the normal range of f64; at most 40 decades under ε_max, unless the basin's own
    // scale lies deeper: walls far steeper than the bottom (cosh(300x) spans 130 decades over the
    // box, exp(100x) 87) must not hide the law at the minimum, which is reached only there
    let near = min.scale_near;
    let own = near > 0.0 && near.is_finite() && near * 1e3 < eps_max * opts.eps_floor_target && min.argmin.len() < 3; // (an isolated minimum: a valley's scale depends on the direction)
    let mut eps_min = if own {
        (near * opts.eps_floor_target).max(floor).max(1e-290)
    } else {
        target.max(floor).max(eps_max * 1e-40).max(1e-290)
    };
    if eps_min >= eps_max {
        eps_min = eps_max * 1e-3;
    }
    if floor > target {
        warnings.push(format!(
            "K* = {:.6e} limits the resolution: below ε ≈ {floor:.1e} the sublevel set is decided by rounding; subtract the constant from the formula to resolve smaller ε",
            min.k_min
        ));
    }
    let decades = (eps_max / eps_min).log10();
    // The top decade 4× finer: at n ≈ 1 it carries nearly all of Z_n, and log V bends there
    // (its slope goes to 0 as V → 1), which a coarse interpolation gets wrong by ~1e-3 in F.
    let top = 1.0f64.min(0.5 * decades);
    let fine = (4 * opts.per_decade) as f64;
    let n_top = (top * fine).round().max(1.0) as usize;
    let mut lv: Vec<f64> = (0..n_top).map(|k| eps_max * 10f64.powf(-(k as f64) / fine)).collect();
    let start = eps_max * 10f64.powf(-top);
    let rest = (start / eps_min).log10();
    // beyond 40 decades, the upper part at one level per decade: the fits use the lowest decades,
    // the free energy needs the shape, not the density, of the upper ones
    let (start, rest) = if rest > 40.0 {
        let mid = eps_min * 1e30;
        let k = (start / mid).log10().ceil().max(1.0) as usize;
        lv.extend((0..k).map(|i| start * (mid / start).powf(i as f64 / k as f64)));
        (mid, 30.0)
    } else {
        (start, rest)
    };
    let n = ((rest * opts.per_decade as f64).ceil() as usize).max(2);
    lv.extend((0..=n).map(|k| start * (eps_min / start).powf(k as f64 / n as f64)));
    Ok((lv, warnings))
}

pub fn volume_curve(land: &Landscape, min: &Minimum, opts: &VolumeOptions) -> Result<VolumeCurve, LandscapeError> {
    volume_curve_in(land, min, opts, &Region::All)
}

/// The volume curve of {w ∈ region : K(w) − K* < ε} (prior mass, normalised on the whole box), with
/// K* = `min.k_min` (for a basin: its own minimum).
pub fn volume_curve_in(
    land: &Landscape,
    min: &Minimum,
    opts: &VolumeOptions,
    region: &Region,
) -> Result<VolumeCurve, LandscapeError> {
    let (eps, mut warnings) = levels(min, opts)?;
    let eps_max = eps[0];
    let eps_min = *eps.last().unwrap_or(&eps_max);
    let (points, lower) = if land.dim == 1 {
        let [lo, hi] = match region {
            Region::Interval(a, b) => [*a, *b],
            _ => land.bounds[0],
        };
        curve_1d(land, min, &eps, lo, hi)
    } else {
        let labels = match region {
            Region::Labels(g, id) => Some((g.clone(), *id)),
            _ => None,
        };
        curve_2d(land, min, &eps, opts, labels)
    };
    let lower = if matches!(region, Region::All) { lower } else { None };
    if land.over_budget() {
        return Err(LandscapeError::Budget);
    }
    // V is monotone by definition; root finding across a jump (floor(x)², a step) can leave a
    // violation at the rounding level, so enforce it (a running maximum from small ε upward)
    let mut points = points;
    for i in (0..points.len().saturating_sub(1)).rev() {
        if points[i].v < points[i + 1].v {
            points[i].err = points[i].err.max(points[i + 1].v - points[i].v);
            points[i].v = points[i + 1].v;
        }
    }
    let decades = (eps_max / eps_min).log10();
    if decades < 12.0 {
        warnings.push(format!("only {decades:.1} decades of ε are resolved (12 are aimed for)"));
    }
    if points.iter().any(|p| p.v <= 0.0) {
        warnings.push("V(ε) is zero at some levels: the minimum may be narrower than the search could see".into());
    }
    let domain_edge = land.dim == 2 && min.argmin.iter().any(|w| touches_undefined(land, *w));
    Ok(VolumeCurve { points, eps_min, eps_max, decades, warnings, domain_edge, lower_point: lower })
}

/// Whether K is undefined (NaN or ±∞) somewhere within 1e-3 of the box width around w, inside
/// the box: 16 directions at radii 1e-9 … 1e-3 of the width.
pub fn touches_undefined(land: &Landscape, w: [f64; 2]) -> bool {
    let (wx, wy) = (land.box_width(0), land.box_width(1));
    (0..16).any(|k| {
        let a = std::f64::consts::TAU * k as f64 / 16.0;
        [1e-9, 1e-7, 1e-5, 1e-3].iter().any(|r| {
            let q = [w[0] + r * wx * a.cos(), w[1] + r * wy * a.sin()];
            let inside = (0..2).all(|i| q[i] >= land.bounds[i][0] && q[i] <= land.bounds[i][1]);
            inside && !land.k(q[0], q[1]).is_finite()
        })
    })
}

/// The sublevel set {K − K* < ε} of a 1-D landscape as intervals, from its profile (exact up to
/// root tolerance; used by the app to draw the red segments).
pub fn sublevel_intervals_1d(land: &Landscape, profile: &Profile, k_min: f64, eps: f64) -> Vec<(f64, f64)> {
    let mut g = |t: f64| land.k(t, 0.0);
    let mut out = vec![];
    profile.sublevel(&mut g, k_min + eps, &mut out);
    out
}

/// The profile of a 1-D landscape used by `sublevel_intervals_1d`.
pub fn profile_1d(land: &Landscape, min: &Minimum) -> Profile {
    let [lo, hi] = land.bounds[0];
    let extra = seed_coords(land, min, 0);
    let mut g = |t: f64| land.k(t, 0.0);
    Profile::build(&mut g, lo, hi, 4001, &extra)
}

fn seed_coords(land: &Landscape, min: &Minimum, axis: usize) -> Vec<f64> {
    let w = land.box_width(axis);
    let mut v: Vec<f64> = vec![];
    for (p, _) in min.local_minima.iter().take(12) {
        if !v.iter().any(|q| (q - p[axis]).abs() < 1e-9 * w) {
            v.push(p[axis]);
        }
    }
    for p in &min.argmin {
        if !v.iter().any(|q| (q - p[axis]).abs() < 1e-9 * w) {
            v.push(p[axis]);
        }
    }
    v.truncate(16);
    v
}

fn curve_1d(
    land: &Landscape,
    min: &Minimum,
    eps: &[f64],
    lo: f64,
    hi: f64,
) -> (Vec<VolumePoint>, Option<([f64; 2], f64)>) {
    let extra = seed_coords(land, min, 0);
    let mut g = |t: f64| land.k(t, 0.0);
    // Two independent samplings of the profile: their difference is the error estimate (a feature
    // missed by one sampling shows up as a difference).
    let p1 = Profile::build(&mut g, lo, hi, 4001, &extra);
    let p2 = Profile::build(&mut g, lo, hi, 2503, &extra);
    let mut lower = None;
    for p in [&p1, &p2] {
        let (t, v) = p.min();
        if v < min.k_min - min_tol(min.k_min) {
            lower = Some(([t, 0.0], v));
        }
    }
    let mut iv = Vec::new();
    let pts = eps
        .iter()
        .map(|&e| {
            let c = min.k_min + e;
            let mut vol = [0.0; 2];
            for (i, p) in [&p1, &p2].iter().enumerate() {
                iv.clear();
                p.sublevel(&mut g, c, &mut iv);
                vol[i] = iv.iter().map(|(a, b)| land.axis_mass(0, *a, *b)).sum();
            }
            let err = (vol[0] - vol[1]).abs() + 1e-13 * vol[0];
            VolumePoint { eps: e, v: vol[0], err }
        })
        .collect();
    (pts, lower)
}

/// Label runs along the inner axis, one list per outer cell line.
type Runs = Vec<Vec<(f64, f64)>>;

/// One order of iterated integration: outer axis `outer`, lines along the other axis.
struct Sweep<'a> {
    land: &'a Landscape,
    outer: usize,
    inner: usize,
    inner_samples: usize,
    panel_tol: f64,
    kstar: f64,
    seeds_outer: Vec<(f64, f64)>, // (outer coordinate, K value of the seed)
    seeds_inner: Vec<f64>,
    edges: [Profile; 2],
    lowest: Option<([f64; 2], f64)>,
    iv: Vec<(f64, f64)>,
    /// (u, number of sublevel intervals on the line) recorded during a panel's first pass.
    rec: Option<Vec<(f64, usize)>>,
    /// Line profiles by u: a panel's first pass is reused by its adaptive pass, and panels whose
    /// ends do not move with the level reuse their lines at every level.
    pcache: HashMap<u64, std::rc::Rc<Profile>>,
    /// Restriction to one basin: label runs along the inner axis for each outer cell line.
    runs: Option<(Runs, [f64; 2])>,
    /// Restriction to a hole basin: its (outer, inner) ranges.
    hole_only: Option<([f64; 2], [f64; 2])>,
    /// Holes cut out of the basin (outer, inner ranges).
    cut: Vec<([f64; 2], [f64; 2])>,
}

const INNER_SAMPLES: usize = 15;
const PROBES: i32 = 22; // offsets W·4^{-k}, k = 0..22: down to ~1e-13 of the box width

impl<'a> Sweep<'a> {
    fn new(land: &'a Landscape, min: &Minimum, outer: usize, inner_samples: usize, panel_tol: f64) -> Sweep<'a> {
        let inner = 1 - outer;
        let mut seeds_outer: Vec<(f64, f64)> = vec![];
        let wo = land.box_width(outer);
        // The lowest minima found, at most 8: on a line of minima every start finds another point,
        // and each one costs panels.
        for (p, v) in min.local_minima.iter().take(12) {
            if !seeds_outer.iter().any(|q| (q.0 - p[outer]).abs() < 1e-9 * wo) {
                seeds_outer.push((p[outer], *v));
            }
        }
        for p in &min.argmin {
            if !seeds_outer.iter().any(|q| (q.0 - p[outer]).abs() < 1e-9 * wo) {
                seeds_outer.push((p[outer], min.k_min));
            }
        }
        seeds_outer.truncate(8);
        let seeds_inner = seed_coords(land, min, inner);
        let [olo, ohi] = land.bounds[outer];
        let seeds_o: Vec<f64> = seeds_outer.iter().map(|s| s.0).collect();
        let mk_edge = |side: usize| {
            let at = land.bounds[inner][side];
            let mut g = |u: f64| kuv(land, outer, u, at);
            Profile::build(&mut g, olo, ohi, 257, &seeds_o)
        };
        let edges = [mk_edge(0), mk_edge(1)];
        Sweep {
            land,
            outer,
            inner,
            inner_samples,
            panel_tol,
            kstar: min.k_min,
            seeds_outer,
            seeds_inner,
            edges,
            lowest: None,
            iv: Vec::new(),
            rec: None,
            pcache: HashMap::new(),
            runs: None,
            hole_only: None,
            cut: vec![],
        }
    }

    fn profile(&mut self, u: f64) -> std::rc::Rc<Profile> {
        if let Some(p) = self.pcache.get(&u.to_bits()) {
            return p.clone();
        }
        if self.land.over_budget() {
            // the computation has failed (the caller reports the budget): finish without
            // evaluating, so that giving up costs no more than the budget itself
            let [lo, hi] = self.land.bounds[self.inner];
            return std::rc::Rc::new(Profile { knots: vec![lo, hi], vals: vec![f64::INFINITY; 2] });
        }
        if self.pcache.len() > 200_000 {
            self.pcache.clear(); // bound the memory (~100 bytes a profile)
        }
        let p = std::rc::Rc::new(self.build_profile(u));
        self.pcache.insert(u.to_bits(), p.clone());
        p
    }

    fn build_profile(&mut self, u: f64) -> Profile {
        let [lo, hi] = self.land.bounds[self.inner];
        let (land, outer) = (self.land, self.outer);
        let mut g = |v: f64| kuv(land, outer, u, v);
        let p = Profile::build(&mut g, lo, hi, self.inner_samples, &self.seeds_inner);
        let (t, val) = p.min();
        if val < self.kstar - min_tol(self.kstar) && self.lowest.is_none_or(|l| val < l.1) {
            let mut w = [0.0; 2];
            w[self.outer] = u;
            w[self.inner] = t;
            self.lowest = Some((w, val));
        }
        p
    }

    /// Line minimum m(u) = min over the inner coordinate (cached: probe points repeat across levels).
    fn m(&mut self, u: f64) -> f64 {
        self.profile(u).min().1
    }

    /// The sublevel intervals {K < c} on the line at u (in a reused buffer: give it back with
    /// `self.iv = iv`).
    fn intervals(&mut self, u: f64, c: f64) -> Vec<(f64, f64)> {
        let p = self.profile(u);
        let (land, outer) = (self.land, self.outer);
        let mut g = |v: f64| kuv(land, outer, u, v);
        let mut iv = std::mem::take(&mut self.iv);
        iv.clear();
        p.sublevel(&mut g, c, &mut iv);
        iv
    }

    /// Prior mass (inner axis) of the sublevel set {K < c} on the line at u.
    fn line_mass(&mut self, u: f64, c: f64) -> f64 {
        let land = self.land;
        let inner = self.inner;
        let iv = self.intervals(u, c);
        let mass_in =
            |lo: f64, hi: f64| -> f64 { iv.iter().map(|(a, b)| land.axis_mass(inner, a.max(lo), b.min(hi))).sum() };
        let mass = if let Some((o, i)) = self.hole_only {
            // a basin narrower than a cell: only its rectangle
            if u >= o[0] && u <= o[1] { mass_in(i[0], i[1]) } else { 0.0 }
        } else {
            let (runs_here, total): (Option<&Vec<(f64, f64)>>, f64) = match &self.runs {
                None => (None, iv.iter().map(|(a, b)| land.axis_mass(inner, *a, *b)).sum()),
                Some((runs, [olo, ohi])) => {
                    // only the part of each sublevel interval inside the basin's cells on this line
                    let n = runs.len();
                    let fc = ((u - olo) / (ohi - olo) * n as f64).floor();
                    let c = (fc.max(0.0) as usize).min(n - 1);
                    let m = runs[c].iter().map(|(p, q)| mass_in(*p, *q)).sum();
                    (Some(&runs[c]), m)
                }
            };
            // less the holes cut out of it (the part of them inside its cells)
            let mut cut = 0.0;
            for (o, i) in &self.cut {
                if u >= o[0] && u <= o[1] {
                    match runs_here {
                        None => cut += mass_in(i[0], i[1]),
                        Some(rs) => {
                            for (p, q) in rs {
                                let (lo, hi) = (p.max(i[0]), q.min(i[1]));
                                if hi > lo {
                                    cut += mass_in(lo, hi);
                                }
                            }
                        }
                    }
                }
            }
            (total - cut).max(0.0)
        };
        if let Some(r) = self.rec.as_mut() {
            r.push((u, iv.len()));
        }
        self.iv = iv;
        mass
    }

    fn count(&mut self, u: f64, c: f64) -> usize {
        let iv = self.intervals(u, c);
        let n = iv.len();
        self.iv = iv;
        n
    }

    /// Integrate one panel. Where two sublevel intervals on a line merge (the line's interior
    /// maximum crosses the level: the inner edge of a ring, the crossing of two valleys), ℓ(u) has
    /// a √ kink at an unknown u that adaptive bisection would chase through hundreds of lines. So
    /// the first pass records the number of intervals at its nodes; where it changes between
    /// neighbours, the change point is found by bisection on the count (~35 lines) and the panel
    /// is split there.
    fn panel(&mut self, a: f64, b: f64, c: f64, log_from: Option<f64>, tol: f64) -> (f64, f64) {
        let outer = self.outer;
        self.rec = Some(Vec::new());
        let (v, e) = {
            let mut f = |u: f64| self.land.axis_density(outer, u) * self.line_mass(u, c);
            let (v, e, _) = integrate_adaptive(&mut f, a, b, tol, 1e-300, 1, log_from);
            (v, e)
        };
        let mut rec = self.rec.take().unwrap_or_default();
        if e <= tol * v.abs() {
            return (v, e);
        }
        rec.sort_by(|p, q| p.0.total_cmp(&q.0));
        let mut cuts = vec![];
        for w in rec.windows(2) {
            if w[0].1 != w[1].1 && cuts.len() < 6 {
                let (mut lo, mut hi, clo) = (w[0].0, w[1].0, w[0].1);
                while hi - lo > 1e-11 * lo.abs().max(hi.abs()).max(1e-300) {
                    let mid = 0.5 * (lo + hi);
                    if mid <= lo || mid >= hi {
                        break;
                    }
                    if self.count(mid, c) == clo {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                cuts.push(0.5 * (lo + hi));
            }
        }
        let mut pts = vec![a];
        pts.extend(cuts);
        pts.push(b);
        let (mut tv, mut te) = (0.0, 0.0);
        for w in pts.windows(2) {
            let mut f = |u: f64| self.land.axis_density(outer, u) * self.line_mass(u, c);
            let (v, e, _) = integrate_adaptive(&mut f, w[0], w[1], tol, 1e-300, 40, log_from);
            tv += v;
            te += e;
        }
        (tv, te)
    }

    /// Breakpoints of the outer integral at level c, and the supports (outer-coordinate intervals)
    /// of the components that contain a seed. A line with m(u) ≥ c cannot meet {K < c}, so a
    /// component cannot cross it: outside the union of supports ℓ = 0 (every component contains a
    /// local minimum, and the multi-start seeds every basin the scan can see).
    fn breakpoints(&mut self, c: f64) -> (Vec<f64>, Vec<(f64, f64)>) {
        let [lo, hi] = self.land.bounds[self.outer];
        let w = hi - lo;
        let mut bp = vec![lo, hi];
        // where the level curve meets the two edges of the box
        for side in 0..2 {
            let (land, outer) = (self.land, self.outer);
            let at = land.bounds[self.inner][side];
            let mut g = |u: f64| kuv(land, outer, u, at);
            let mut iv = vec![];
            self.edges[side].sublevel(&mut g, c, &mut iv);
            for (a, b) in iv {
                bp.push(a);
                bp.push(b);
            }
        }
        // minimisers and the ends of their components' supports
        let seeds = self.seeds_outer.clone();
        let mut supports = vec![];
        for (s, sval) in seeds {
            bp.push(s);
            if sval >= c {
                continue;
            }
            // a seed inside a support already found lies in that same interval of {m < c} (a
            // ring's minima are many seeds of one component): nothing to probe
            if supports.iter().any(|&(p, q): &(f64, f64)| p < s && s < q) {
                continue;
            }
            let mut ends = [lo, hi];
            for (side, dir) in [-1.0f64, 1.0].into_iter().enumerate() {
                let mut prev = s;
                let mut prev_m = sval - c;
                for k in (0..=PROBES).rev() {
                    let mut u = s + dir * w * 4f64.powi(-k);
                    let past_edge = u <= lo || u >= hi;
                    if past_edge {
                        // the last probe is the box edge itself: the support may end before it
                        u = if dir > 0.0 { hi } else { lo };
                        if u == prev {
                            break;
                        }
                    }
                    let mu = self.m(u) - c;
                    if mu >= 0.0 {
                        let (a, b, fa, fb) = if dir > 0.0 { (prev, u, prev_m, mu) } else { (u, prev, mu, prev_m) };
                        let xtol = 1e-300;
                        let mut f = |t: f64| self.m(t) - c;
                        let r = brent_root(&mut f, a, b, fa, fb, xtol);
                        bp.push(r);
                        ends[side] = r;
                        break;
                    }
                    if past_edge {
                        break;
                    }
                    prev = u;
                    prev_m = mu;
                }
            }
            supports.push((ends[0], ends[1]));
        }
        // the edges of holes (a kink of ℓ(u), or the whole support of a hole basin)
        for (o, _) in self.cut.iter().chain(self.hole_only.iter()) {
            bp.push(o[0]);
            bp.push(o[1]);
        }
        bp.retain(|t| *t >= lo && *t <= hi && t.is_finite());
        bp.sort_by(|a, b| a.total_cmp(b));
        bp.dedup_by(|a, b| (*a - *b).abs() <= 4.0 * f64::EPSILON * a.abs().max(b.abs()));
        (bp, supports)
    }

    fn level(&mut self, eps: f64) -> (f64, f64) {
        let c = self.kstar + eps;
        let (bp, supports) = self.breakpoints(c);
        let mut total = 0.0;
        let mut err = 0.0;
        for win in bp.windows(2) {
            if self.land.over_budget() {
                break;
            }
            let (a, b) = (win[0], win[1]);
            if !supports.iter().any(|(p, q)| *p < b && *q > a) {
                continue;
            }
            // a panel much wider than its distance to the nearest minimiser: logarithmic map
            // (a seed at the panel's own end is a breakpoint, not the singular point to map from)
            let near = self
                .seeds_outer
                .iter()
                .map(|s| s.0)
                .filter(|&s| dist(s, a, b) > 0.0)
                .min_by(|p, q| dist(*p, a, b).total_cmp(&dist(*q, a, b)));
            let log_from = near.filter(|&s| {
                let d = dist(s, a, b);
                d > 0.0 && (b - a) > 8.0 * d
            });
            let tol = self.panel_tol;
            // rel 1e-7 per panel (|K15 − G7| overstates the error of smooth panels by orders of
            // magnitude; the x-then-y / y-then-x difference is the honest estimate); abs 1e-300: V at
            // ε = 1e-13 can be 1e-13 and must still be resolved
            let (v, e) = self.panel(a, b, c, log_from, tol);
            total += v;
            err += e;
        }
        (total, err)
    }
}

/// Distance from s to the panel [a, b] (0 if inside).
fn dist(s: f64, a: f64, b: f64) -> f64 {
    if s <= a {
        a - s
    } else if s >= b {
        s - b
    } else {
        0.0
    }
}

#[inline]
fn kuv(land: &Landscape, outer: usize, u: f64, v: f64) -> f64 {
    if outer == 0 { land.k(u, v) } else { land.k(v, u) }
}

fn curve_2d(
    land: &Landscape,
    min: &Minimum,
    eps: &[f64],
    opts: &VolumeOptions,
    labels: Option<(std::sync::Arc<LabelGrid>, u32)>,
) -> (Vec<VolumePoint>, Option<([f64; 2], f64)>) {
    let restrict = |sw: &mut Sweep, outer: usize| {
        if let Some((g, id)) = &labels {
            match g.holes.iter().find(|h| h.label == *id) {
                Some(h) => sw.hole_only = Some(h.ranges(outer)),
                None => {
                    let o = if outer == 0 { g.x } else { g.y };
                    sw.runs = Some((g.runs(outer, *id), o));
                    sw.cut = g.holes.iter().map(|h| h.ranges(outer)).collect();
                }
            }
        }
    };
    let n = eps.len();
    // Relative error per level from the two orders. The second order also uses a different inner
    // sampling and panel tolerance, so that the two computations differ even for a landscape
    // symmetric under x ↔ y. It runs on every other level (and the last): the error varies
    // smoothly with ε, and a level without it takes the larger relative error of its neighbours.
    let second: Vec<usize> =
        if opts.both_orders { (0..n).filter(|i| i % 2 == 0 || *i == n - 1).collect() } else { vec![] };
    let order_x = |l: &Landscape| {
        let mut sx = Sweep::new(l, min, 0, INNER_SAMPLES, 1e-7);
        restrict(&mut sx, 0);
        let a: Vec<(f64, f64)> = eps.iter().map(|&e| sx.level(e)).collect();
        (a, sx.lowest)
    };
    let order_y = |l: &Landscape| {
        let mut sy = Sweep::new(l, min, 1, INNER_SAMPLES + 4, 1e-8);
        restrict(&mut sy, 1);
        let b: Vec<(f64, f64)> = second.iter().map(|&i| sy.level(eps[i])).collect();
        (b, sy.lowest)
    };
    // Both cores: the orders are independent, so each runs on its own clone of the landscape (its
    // own evaluation count, starting from the same budget) — std::thread::scope rather than a
    // thread pool (rayon): two tasks of a known size, no dependency, no shared queue. The
    // numbers are the same bit for bit as one order after the other (a test checks it); the
    // counts are added back, and a sum over the budget fails as it would have in sequence.
    let ((a, lower_x), (b, lower_y)) = if second.is_empty() {
        (order_x(land), (vec![], None))
    } else if opts.parallel {
        let e0 = land.evaluations();
        // (the two share one count of what they spend, so that a computation over its budget
        // stops when the two together have spent it, not each)
        let total = land.shared_total();
        let (lx, ly) = (land.sharing_budget(total.clone()), land.sharing_budget(total));
        let r = std::thread::scope(|s| {
            let hy = std::thread::Builder::new().stack_size(64 << 20).spawn_scoped(s, || order_y(&ly));
            let rx = order_x(&lx);
            let ry = match hy {
                Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                Err(_) => order_y(&ly), // no thread to be had: in sequence
            };
            (rx, ry)
        });
        land.add_evaluations((lx.evaluations() - e0) + (ly.evaluations() - e0));
        r
    } else {
        let rx = order_x(land);
        (rx, order_y(land))
    };
    let mut rel: Vec<Option<f64>> = vec![None; n];
    for (&i, &(w, eb)) in second.iter().zip(&b) {
        let (v, ea) = a[i];
        rel[i] = Some(if v > 0.0 { ((v - w).abs() + ea + eb) / v } else { f64::INFINITY });
    }
    let lower = lower_x.or(lower_y);
    let pts = (0..n)
        .map(|i| {
            let (v, ea) = a[i];
            let r = rel[i].or_else(|| {
                let l = if i > 0 { rel[i - 1] } else { None };
                let r = if i + 1 < n { rel[i + 1] } else { None };
                match (l, r) {
                    (Some(x), Some(y)) => Some(x.max(y)),
                    (x, y) => x.or(y),
                }
            });
            let err = match r {
                Some(r) if r.is_finite() => (r * v).max(ea),
                _ => ea,
            };
            VolumePoint { eps: eps[i], v, err }
        })
        .collect();
    (pts, lower)
}
