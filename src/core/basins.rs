//! Basins of attraction, their free energies, the posterior mass of each as n grows, and the n at
//! which the dominant basin changes (SCIENCE.md §4).
//!
//! - 1-D: the profile's local minima (with the preset's declared minimisers as sample points: a
//!   hairline basin 1e-5 wide is invisible to any grid), split at the refined maxima between them.
//! - 2-D: a steepest-descent watershed on a 101² grid gives the starting partition; each grid sink
//!   is refined by local search, sinks reaching the same minimum are one basin, and basins whose
//!   barrier (lowest pass between them, minus the higher minimum) is below a tolerance are merged.
//! - Each basin gets its own volume curve V_i(ε) (the same iterated integration, restricted to the
//!   basin: an interval in 1-D, its grid cells in 2-D — exact wherever the sublevel component stays
//!   clear of the watershed boundary, i.e. for ε below the barrier), its own fit, and its free energy
//!   F_i(n) = −log ∫_{B_i} φ e^{−nK} from the Laplace transform of V_i. Masses P_i ∝ e^{−F_i}.

use std::sync::Arc;

use serde::Serialize;

use super::fit::{FitReport, fit_report};
use super::free_energy::{VolumeLaw, check_n, log_z};
use super::landscape::{Landscape, LandscapeError, Minimum};
use super::posterior::{GridSpec, sample_k};
use super::profile::Profile;
use super::volume::{LabelGrid, Region, VolumeCurve, VolumeOptions, volume_curve_in};

#[derive(Debug, Clone, Serialize)]
pub struct Basin {
    pub argmin: [f64; 2],
    pub k_min: f64,
    /// Prior mass of the basin's region.
    pub prior_mass: f64,
    /// 1-D: the basin's interval.
    pub interval: Option<[f64; 2]>,
    /// Height of the lowest pass to another basin above this basin's minimum (∞ if alone).
    pub barrier: f64,
    pub curve: VolumeCurve,
    pub fit: FitReport,
    #[serde(skip)]
    pub law: VolumeLaw,
}

#[derive(Debug, Clone)]
pub struct Basins {
    pub dim: usize,
    pub basins: Vec<Basin>,
    /// 2-D: the label of every grid cell (basin index).
    pub labels: Option<Arc<LabelGrid>>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Crossover {
    pub n_c: f64,
    pub from: usize,
    pub to: usize,
    /// From the leading-order free energies n·K*_i + λ_i log n − (m_i − 1) log log n − log(c_i Γ(λ_i + 1)).
    pub n_c_predicted: Option<f64>,
}

/// A 1-D basin narrower than a pixel at some n, with its posterior mass.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Impulse {
    pub x: f64,
    pub mass: f64,
    pub basin: usize,
}

/// The leading-order formula used for `n_c_predicted`, for display.
pub const PREDICTION_FORMULA: &str =
    "F_i(n) ≈ n·K*_i + λ_i·log n − (m_i − 1)·log log n − log(c_i·Γ(λ_i + 1)),  V_i(ε) ≈ c_i·ε^λ_i·(−log ε)^(m_i − 1)";

const MAX_BASINS: usize = 8;

fn merge_tol(range: f64) -> f64 {
    1e-6 * range.max(1e-300)
}

/// Find the basins and measure each.
pub fn find_basins(land: &Landscape, global: &Minimum, opts: &VolumeOptions) -> Result<Basins, LandscapeError> {
    if land.dim == 1 { basins_1d(land, global, opts) } else { basins_2d(land, global, opts) }
}

fn measure(
    land: &Landscape,
    argmin: [f64; 2],
    k_min: f64,
    k_max: f64,
    region: &Region,
    opts: &VolumeOptions,
) -> Result<(VolumeCurve, FitReport, VolumeLaw), LandscapeError> {
    let min = Minimum::of_basin(argmin, k_min, k_max);
    let curve = volume_curve_in(land, &min, opts, region)?;
    let fit = fit_report(&curve, None, None).map_err(|e| LandscapeError::Undefined(format!("basin fit: {e}")))?;
    let law = VolumeLaw::new(&curve, &fit.best);
    Ok((curve, fit, law))
}

fn basins_1d(land: &Landscape, global: &Minimum, opts: &VolumeOptions) -> Result<Basins, LandscapeError> {
    let [lo, hi] = land.bounds[0];
    // the minima the certified search found (narrow dips included) are sample points of the profile
    let extra: Vec<f64> = global.local_minima.iter().map(|m| m.0[0]).collect();
    let mut g = |t: f64| land.k(t, 0.0);
    let prof = Profile::build(&mut g, lo, hi, 4001, &extra);
    let range = prof.max().1 - prof.min().1;
    // where K is undefined (sqrt(x) on x < 0) it counts as +∞: a wall, never a minimum or a pass
    let vals: Vec<f64> = prof.vals.iter().map(|&v| if v.is_finite() { v } else { f64::INFINITY }).collect();
    // alternating minima and the maxima between them
    let mins: Vec<usize> = (0..prof.knots.len())
        .filter(|&i| {
            let v = vals[i];
            let l = if i == 0 { f64::INFINITY } else { vals[i - 1] };
            let r = if i + 1 == prof.knots.len() { f64::INFINITY } else { vals[i + 1] };
            v.is_finite() && v <= l && v <= r
        })
        .collect();
    if mins.is_empty() {
        return Err(LandscapeError::Undefined("no minimum found for the basins".into()));
    }
    // basins as (min knot, left boundary, right boundary, boundary heights)
    struct B {
        t: f64,
        k: f64,
        a: f64,
        b: f64,
        left_pass: f64,
        right_pass: f64,
    }
    let mut bs: Vec<B> = vec![];
    for (idx, &i) in mins.iter().enumerate() {
        let a_pass = if idx == 0 {
            (lo, f64::INFINITY)
        } else {
            let j = (mins[idx - 1]..=i).max_by(|&p, &q| vals[p].total_cmp(&vals[q])).unwrap_or(i);
            (prof.knots[j], vals[j])
        };
        let b_pass = if idx + 1 == mins.len() {
            (hi, f64::INFINITY)
        } else {
            let j = (i..=mins[idx + 1]).max_by(|&p, &q| vals[p].total_cmp(&vals[q])).unwrap_or(i);
            (prof.knots[j], vals[j])
        };
        bs.push(B {
            t: prof.knots[i],
            k: vals[i],
            a: a_pass.0,
            b: b_pass.0,
            left_pass: a_pass.1,
            right_pass: b_pass.1,
        });
    }
    // merge across passes lower than the tolerance (a flat bottom, rounding) — and beyond 8 basins,
    // across the lowest passes
    loop {
        let mut best: Option<(usize, f64)> = None;
        for i in 0..bs.len().saturating_sub(1) {
            let barrier = bs[i].right_pass - bs[i].k.max(bs[i + 1].k);
            if best.is_none_or(|b| barrier < b.1) {
                best = Some((i, barrier));
            }
        }
        match best {
            Some((i, barrier)) if barrier < merge_tol(range) || bs.len() > MAX_BASINS => {
                let r = bs.remove(i + 1);
                let l = &mut bs[i];
                if r.k < l.k {
                    l.t = r.t;
                    l.k = r.k;
                }
                l.b = r.b;
                l.right_pass = r.right_pass;
            }
            _ => break,
        }
    }
    let mut out = vec![];
    for b in &bs {
        let kmax = prof
            .knots
            .iter()
            .zip(&prof.vals)
            .filter(|(t, v)| **t >= b.a && **t <= b.b && v.is_finite())
            .map(|(_, v)| *v)
            .fold(b.k, f64::max)
            .max(finite_or(land.k(b.a, 0.0), b.k))
            .max(finite_or(land.k(b.b, 0.0), b.k));
        let (curve, fit, law) = measure(land, [b.t, 0.0], b.k, kmax, &Region::Interval(b.a, b.b), opts)?;
        out.push(Basin {
            argmin: [b.t, 0.0],
            k_min: b.k,
            prior_mass: land.axis_mass(0, b.a, b.b),
            interval: Some([b.a, b.b]),
            barrier: b.left_pass.min(b.right_pass) - b.k,
            curve,
            fit,
            law,
        });
    }
    Ok(Basins { dim: 1, basins: out, labels: None, warnings: vec![] })
}

fn basins_2d(land: &Landscape, global: &Minimum, opts: &VolumeOptions) -> Result<Basins, LandscapeError> {
    const G: usize = 101;
    let b = land.bounds;
    let spec = GridSpec { x: b[0], y: b[1], nx: G, ny: G };
    let kg = sample_k(land, spec)?;
    let k = &kg.k;
    let idx = |i: usize, j: usize| j * G + i;
    // Cells where K is undefined (NaN or ±∞ at the centre: sqrt(x) on x < 0) are no basin's:
    // they take no part in the descent or the passes, and get the label of a neighbouring basin at
    // the end (their volume is zero, so that costs nothing; it keeps every cell labelled). Before
    // this, each such cell was a sink of its own and the merging below ran for hours.
    let defined: Vec<bool> = k.iter().map(|v| v.is_finite()).collect();
    // steepest descent on the grid: each cell points to its lowest neighbour (8-connected) if lower
    let mut next = vec![0usize; G * G];
    for j in 0..G {
        for i in 0..G {
            let mut best = idx(i, j);
            if !defined[best] {
                next[best] = best;
                continue;
            }
            for dj in -1i64..=1 {
                for di in -1i64..=1 {
                    let (ii, jj) = (i as i64 + di, j as i64 + dj);
                    if ii < 0 || jj < 0 || ii >= G as i64 || jj >= G as i64 {
                        continue;
                    }
                    let q = idx(ii as usize, jj as usize);
                    if defined[q] && k[q] < k[best] {
                        best = q;
                    }
                }
            }
            next[idx(i, j)] = best;
        }
    }
    // sinks and labels
    let mut sink = vec![usize::MAX; G * G];
    for start in (0..G * G).filter(|&c| defined[c]) {
        let mut p = start;
        let mut path = vec![];
        while sink[p] == usize::MAX && next[p] != p {
            path.push(p);
            p = next[p];
        }
        let s = if sink[p] == usize::MAX { p } else { sink[p] };
        sink[p] = s;
        for q in path {
            sink[q] = s;
        }
    }
    let mut sinks: Vec<usize> = sink.iter().copied().filter(|&s| s != usize::MAX).collect();
    sinks.sort_unstable();
    sinks.dedup();
    // refine each sink; sinks that reach the same minimum are one basin (union-find over sinks)
    let wx = b[0][1] - b[0][0];
    let wy = b[1][1] - b[1][0];
    let mut parent: Vec<usize> = (0..sinks.len()).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while p[r] != r {
            r = p[r];
        }
        let mut j = i;
        while p[j] != r {
            let n = p[j];
            p[j] = r;
            j = n;
        }
        r
    }
    let mut refined: Vec<([f64; 2], f64)> = vec![];
    for &s in &sinks {
        let c = kg.spec.center(s % G, s / G);
        let (q, v) = land.local_search(c, k[s]);
        refined.push((q, v));
    }
    for a in 0..sinks.len() {
        for bb in (a + 1)..sinks.len() {
            let (p, q) = (refined[a].0, refined[bb].0);
            if ((p[0] - q[0]) / wx).abs() < 1e-6 && ((p[1] - q[1]) / wy).abs() < 1e-6 {
                let (ra, rb) = (find(&mut parent, a), find(&mut parent, bb));
                parent[ra] = rb;
            }
        }
    }
    let local_var: Vec<f64> = sinks
        .iter()
        .map(|&c| {
            let (i, j) = ((c % G) as i64, (c / G) as i64);
            let mut m: f64 = 0.0;
            for dj in -1..=1i64 {
                for di in -1..=1i64 {
                    let (ii, jj) = (i + di, j + dj);
                    if ii >= 0 && jj >= 0 && ii < G as i64 && jj < G as i64 {
                        let v = k[jj as usize * G + ii as usize];
                        if v.is_finite() {
                            m = m.max(v - k[c]);
                        }
                    }
                }
            }
            m
        })
        .collect();
    let sink_pos: std::collections::HashMap<usize, usize> = sinks.iter().enumerate().map(|(i, &s)| (s, i)).collect();
    let range = k.iter().copied().filter(|v| v.is_finite()).fold(f64::MIN, f64::max)
        - refined.iter().map(|r| r.1).fold(f64::MAX, f64::min);
    // passes between basins: lowest max(K_p, K_q) over 4-neighbour cell pairs of different basins;
    // merge the basins whose barrier is below the tolerance (flat valleys, lines of minima), and
    // beyond 8 basins the ones with the lowest barriers
    loop {
        let label = |p: &mut Vec<usize>, cell: usize| find(p, sink_pos[&sink[cell]]);
        let mut pass: std::collections::HashMap<(usize, usize), f64> = std::collections::HashMap::new();
        for j in 0..G {
            for i in 0..G {
                let p = idx(i, j);
                if !defined[p] {
                    continue;
                }
                for q in neighbours_8(i, j, G).into_iter().filter(|&q| defined[q]) {
                    let (la, lb) = (label(&mut parent, p), label(&mut parent, q));
                    if la != lb {
                        let key = (la.min(lb), la.max(lb));
                        let h = k[p].max(k[q]);
                        let e = pass.entry(key).or_insert(f64::INFINITY);
                        if h < *e {
                            *e = h;
                        }
                    }
                }
            }
        }
        let best_val = |p: &mut Vec<usize>, r: usize| {
            (0..sinks.len()).filter(|&i| find(p, i) == r).map(|i| refined[i].1).fold(f64::INFINITY, f64::min)
        };
        // the grid's own resolution at a basin's sinks: how much K varies within one cell of the sink
        // (its 8 neighbours). Along a curved valley of minima the "passes" between grid sinks are of
        // that size (cell centres miss the curve by up to half a cell); a real barrier stands far
        // above it.
        let grid_err = |p: &mut Vec<usize>, r: usize| {
            (0..sinks.len()).filter(|&i| find(p, i) == r).map(|i| local_var[i]).fold(0.0, f64::max)
        };
        let mut cands: Vec<((usize, usize), f64)> = vec![];
        for (&(a, bb), &h) in &pass {
            let ka = best_val(&mut parent, a);
            let kb = best_val(&mut parent, bb);
            let err = grid_err(&mut parent, a).max(grid_err(&mut parent, bb));
            // the barrier in units that make "unresolved" < 0
            cands.push(((a, bb), h - ka.max(kb) - 2.0 * err));
        }
        cands.sort_by(|x, y| x.1.total_cmp(&y.1));
        let n_basins = {
            let mut roots: Vec<usize> = (0..sinks.len()).map(|i| find(&mut parent, i)).collect();
            roots.sort_unstable();
            roots.dedup();
            roots.len()
        };
        match cands.first() {
            Some(&((a, bb), excess)) if excess < merge_tol(range) || n_basins > MAX_BASINS => {
                parent[a] = bb;
            }
            _ => break,
        }
    }
    // final basins, ordered by their minimiser (x, then y)
    let mut roots: Vec<usize> = (0..sinks.len()).map(|i| find(&mut parent, i)).collect();
    roots.sort_unstable();
    roots.dedup();
    let mut basins: Vec<(usize, [f64; 2], f64)> = roots
        .iter()
        .map(|&r| {
            let (w, v) = (0..sinks.len())
                .filter(|&i| find(&mut parent, i) == r)
                .map(|i| refined[i])
                .min_by(|x, y| x.1.total_cmp(&y.1))
                .unwrap_or(([0.0, 0.0], f64::INFINITY));
            (r, w, v)
        })
        .collect();
    basins.sort_by(|x, y| x.1[0].total_cmp(&y.1[0]).then(x.1[1].total_cmp(&y.1[1])));
    let root_index: std::collections::HashMap<usize, u32> =
        basins.iter().enumerate().map(|(i, b)| (b.0, i as u32)).collect();
    let mut labels: Vec<u32> = (0..G * G)
        .map(|c| if defined[c] { root_index[&find(&mut parent, sink_pos[&sink[c]])] } else { u32::MAX })
        .collect();
    fill_undefined(&mut labels, G);
    let mut lg = LabelGrid { x: b[0], y: b[1], nx: G, ny: G, labels, holes: vec![] };
    // barrier of each basin: its lowest pass to any other
    let mut barrier = vec![f64::INFINITY; basins.len()];
    for j in 0..G {
        for i in 0..G {
            let p = idx(i, j);
            if !defined[p] {
                continue;
            }
            for q in neighbours_8(i, j, G).into_iter().filter(|&q| defined[q]) {
                let (la, lb) = (lg.labels[p] as usize, lg.labels[q] as usize);
                if la != lb {
                    let h = k[p].max(k[q]);
                    barrier[la] = barrier[la].min(h - basins[la].2);
                    barrier[lb] = barrier[lb].min(h - basins[lb].2);
                }
            }
        }
    }
    // basins narrower than a cell: minima of the certified search that no cell's basin holds
    let cells = basins.len();
    let mut narrow: Vec<([f64; 2], f64, f64)> = vec![]; // (w, K*, the pass out of it)
    let cell = [wx / G as f64, wy / G as f64];
    let mut minima = global.local_minima.clone();
    minima.extend(global.argmin.iter().map(|a| (*a, global.k_min)));
    for (p, v) in minima {
        if narrow.len() + cells >= MAX_BASINS || !v.is_finite() {
            continue;
        }
        if lg.holes.iter().any(|h| h.contains(p)) {
            continue;
        }
        let l = lg.labels[cell_index(&lg, p)] as usize;
        let (bw, bv) = (basins[l].1, basins[l].2);
        let far = ((p[0] - bw[0]) / wx).abs() > 1e-6 || ((p[1] - bw[1]) / wy).abs() > 1e-6;
        if !far || narrow.iter().any(|n| (n.0[0] - p[0]).abs() < 1e-12 * wx && (n.0[1] - p[1]).abs() < 1e-12 * wy) {
            continue;
        }
        if let Some((r, pass)) = hole_radius(land, p, v, cell) {
            // a basin of its own: walls well above its bottom and above the surrounding basin's
            // bottom (the points a flat valley's local searches stop at have neither)
            if pass - v > 1e-3 * range && pass > bv + 1e-4 * range {
                let label = (cells + narrow.len()) as u32;
                lg.holes.push(super::volume::Hole {
                    x: [p[0] - r[0], p[0] + r[0]],
                    y: [p[1] - r[1], p[1] + r[1]],
                    label,
                });
                narrow.push((p, v, pass));
            }
        }
    }
    let lg = Arc::new(lg);
    let cell_area = (wx / G as f64) * (wy / G as f64);
    let mut out = vec![];
    for (i, &(_, w, kv)) in basins.iter().enumerate() {
        let kmax =
            (0..G * G).filter(|&c| lg.labels[c] as usize == i && k[c].is_finite()).map(|c| k[c]).fold(kv, f64::max);
        let (curve, fit, law) = measure(land, w, kv, kmax, &Region::Labels(lg.clone(), i as u32), opts)?;
        let holes_in: f64 = lg
            .holes
            .iter()
            .filter(|h| lg.labels[cell_index(&lg, [0.5 * (h.x[0] + h.x[1]), 0.5 * (h.y[0] + h.y[1])])] as usize == i)
            .map(|h| land.axis_mass(0, h.x[0], h.x[1]) * land.axis_mass(1, h.y[0], h.y[1]))
            .sum();
        let prior_mass: f64 = (0..G * G)
            .filter(|&c| lg.labels[c] as usize == i && defined[c])
            .map(|c| (land.log_prior(kg.spec.center(c % G, c / G))).exp() * cell_area)
            .sum::<f64>()
            - holes_in;
        out.push(Basin { argmin: w, k_min: kv, prior_mass, interval: None, barrier: barrier[i], curve, fit, law });
    }
    for (j, &(w, kv, pass)) in narrow.iter().enumerate() {
        let h = lg.holes[j];
        let (curve, fit, law) = measure(land, w, kv, pass, &Region::Labels(lg.clone(), h.label), opts)?;
        let prior_mass = land.axis_mass(0, h.x[0], h.x[1]) * land.axis_mass(1, h.y[0], h.y[1]);
        out.push(Basin { argmin: w, k_min: kv, prior_mass, interval: None, barrier: pass - kv, curve, fit, law });
    }
    Ok(Basins { dim: 2, basins: out, labels: Some(lg), warnings: vec![] })
}

/// v, or `or` where K is undefined or infinite there (an end of the box outside K's domain).
fn finite_or(v: f64, or: f64) -> f64 {
    if v.is_finite() { v } else { or }
}

/// Give every unlabelled cell (`u32::MAX`: K undefined there) the label of an 8-neighbour, sweeping
/// until none is left (breadth-first from the labelled cells, so each takes a nearest basin's).
fn fill_undefined(labels: &mut [u32], g: usize) {
    let mut frontier: Vec<usize> = (0..g * g).filter(|&c| labels[c] != u32::MAX).collect();
    while !frontier.is_empty() {
        let mut next = vec![];
        for c in frontier {
            let (i, j) = ((c % g) as i64, (c / g) as i64);
            for (di, dj) in [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] {
                let (ii, jj) = (i + di, j + dj);
                if ii >= 0 && jj >= 0 && ii < g as i64 && jj < g as i64 {
                    let q = jj as usize * g + ii as usize;
                    if labels[q] == u32::MAX {
                        labels[q] = labels[c];
                        next.push(q);
                    }
                }
            }
        }
        frontier = next;
    }
}

/// The cell index of w in the label grid.
fn cell_index(g: &LabelGrid, w: [f64; 2]) -> usize {
    let fi = ((w[0] - g.x[0]) / (g.x[1] - g.x[0]) * g.nx as f64).floor();
    let fj = ((w[1] - g.y[0]) / (g.y[1] - g.y[0]) * g.ny as f64).floor();
    let i = (fi.max(0.0) as usize).min(g.nx - 1);
    let j = (fj.max(0.0) as usize).min(g.ny - 1);
    j * g.nx + i
}

/// The rectangle around a narrow minimum w (K = v there) that holds its basin: half-widths
/// growing by 2 from 1e-12 of a cell to a cell, the one whose boundary is highest (the pass out of
/// the basin; sampled at 64 points a side). None when K on every such boundary stays at v (no walls:
/// not a basin of its own).
fn hole_radius(land: &Landscape, w: [f64; 2], v: f64, cell: [f64; 2]) -> Option<([f64; 2], f64)> {
    let mut best: Option<([f64; 2], f64)> = None;
    let mut f = 1e-12;
    while f <= 1.0 {
        let r = [cell[0] * f, cell[1] * f];
        let mut lowest = f64::INFINITY;
        for k in 0..=64 {
            let t = -1.0 + 2.0 * k as f64 / 64.0;
            for q in [
                [w[0] + t * r[0], w[1] - r[1]],
                [w[0] + t * r[0], w[1] + r[1]],
                [w[0] - r[0], w[1] + t * r[1]],
                [w[0] + r[0], w[1] + t * r[1]],
            ] {
                let inside = (0..2).all(|a| q[a] >= land.bounds[a][0] && q[a] <= land.bounds[a][1]);
                if inside {
                    lowest = lowest.min(land.k(q[0], q[1]));
                }
            }
        }
        if lowest.is_finite() && best.is_none_or(|b| lowest > b.1) {
            best = Some((r, lowest));
        }
        f *= 2.0;
    }
    best.filter(|b| b.1 > v)
}

/// The right, upper, upper-right and upper-left neighbours (each 8-connected pair once): a pass
/// between cells that touch only at a corner (a valley diagonal to the grid) must count, or a
/// straight line of minima falls apart into grid-sized basins.
fn neighbours_8(i: usize, j: usize, g: usize) -> Vec<usize> {
    let mut v = vec![];
    if i + 1 < g {
        v.push(j * g + i + 1);
    }
    if j + 1 < g {
        v.push((j + 1) * g + i);
        if i + 1 < g {
            v.push((j + 1) * g + i + 1);
        }
        if i > 0 {
            v.push((j + 1) * g + i - 1);
        }
    }
    v
}

impl Basins {
    /// F_i(n) for every basin.
    pub fn free_energies(&self, n: f64) -> Result<Vec<f64>, LandscapeError> {
        check_n(n)?;
        Ok(self.basins.iter().map(|b| -log_z(&b.law, b.k_min, n)).collect())
    }

    /// Posterior mass of each basin at n: P_i = e^{−F_i} / Σ_j e^{−F_j}.
    pub fn masses(&self, n: f64) -> Result<Vec<f64>, LandscapeError> {
        let f = self.free_energies(n)?;
        let m = f.iter().copied().fold(f64::INFINITY, f64::min);
        let w: Vec<f64> = f.iter().map(|v| (m - v).exp()).collect();
        let s: f64 = w.iter().sum();
        Ok(w.iter().map(|v| v / s).collect())
    }

    /// 1-D: the basins whose posterior at n is narrower than `min_width` and whose minimiser lies in
    /// `view`, with their masses (drawn as impulses: a curve on a grid would lose them). The width
    /// of a basin's posterior at n is about the length of its sublevel set at ε = 1/n: its prior
    /// volume V_i(1/n) times `box_width`.
    pub fn impulses(&self, n: f64, masses: &[f64], box_width: f64, min_width: f64, view: [f64; 2]) -> Vec<Impulse> {
        if self.dim != 1 {
            return vec![];
        }
        let mut out = vec![];
        for (i, b) in self.basins.iter().enumerate() {
            let width = b.law.ln_v((1.0 / n).ln()).exp() * box_width;
            let inside = b.argmin[0] >= view[0] && b.argmin[0] <= view[1];
            if width < min_width && inside {
                out.push(Impulse { x: b.argmin[0], mass: masses.get(i).copied().unwrap_or(0.0), basin: i });
            }
        }
        out
    }

    /// The leading-order free energy of basin i (see `PREDICTION_FORMULA`).
    pub fn f_leading(&self, i: usize, n: f64) -> f64 {
        let b = &self.basins[i];
        let l = b.fit.best.lambda;
        let m = b.fit.best.m as f64;
        let c = b.fit.best.coeffs.last().copied().unwrap_or(1.0).max(1e-300);
        n * b.k_min + l * n.ln() - (m - 1.0) * n.ln().max(1e-300).ln().max(-700.0) - (c.ln() + libm::lgamma(l + 1.0))
    }

    /// Every n in [1, N_MAX] where the dominant basin changes: exact (from the F_i), and the
    /// leading-order prediction for the same pair.
    pub fn crossovers(&self) -> Vec<Crossover> {
        if self.basins.len() < 2 {
            return vec![];
        }
        let dominant = |t: f64| -> Option<(usize, Vec<f64>)> {
            let f = self.free_energies(10f64.powf(t)).ok()?;
            let i = (0..f.len()).min_by(|&a, &b| f[a].total_cmp(&f[b]))?;
            Some((i, f))
        };
        let steps = 600;
        let mut out = vec![];
        // a change of the dominant basin counts only once the new one leads by TIE_NATS: two basins
        // equal by a symmetry (a·tanh(b·x) at ±(a, b)) differ only by rounding, and their masses
        // would otherwise "cross" dozens of times at 0.5 / 0.5
        const TIE_NATS: f64 = 1e-3;
        let mut prev = match dominant(0.0) {
            Some(p) => p.0,
            None => return out,
        };
        // the last t where `prev` led every other basin by more than TIE_NATS (the bracket's left end)
        let mut t_lead = 0.0;
        for s in 1..=steps {
            let t = 12.0 * s as f64 / steps as f64;
            let Some((d, f)) = dominant(t) else { continue };
            let gap = (0..f.len()).filter(|&j| j != d).map(|j| f[j] - f[d]).fold(f64::INFINITY, f64::min);
            if d != prev && f[prev] - f[d] > TIE_NATS {
                let (from, to) = (prev, d);
                let g =
                    |t: f64| -> f64 { self.free_energies(10f64.powf(t)).map(|f| f[from] - f[to]).unwrap_or(f64::NAN) };
                let tc = bisect(&g, t_lead, t);
                let gl = |t: f64| self.f_leading(from, 10f64.powf(t)) - self.f_leading(to, 10f64.powf(t));
                // the prediction: the nearest sign change of the leading-order difference
                let mut pred = None;
                for w in [0.5, 1.0, 2.0, 4.0] {
                    let (a, bb) = ((tc - w).max(0.0), (tc + w).min(12.0));
                    if gl(a).signum() != gl(bb).signum() {
                        pred = Some(10f64.powf(bisect(&gl, a, bb)));
                        break;
                    }
                }
                out.push(Crossover { n_c: 10f64.powf(tc), from, to, n_c_predicted: pred });
                prev = d;
                t_lead = t;
            } else if d == prev && gap > TIE_NATS {
                t_lead = t;
            }
        }
        out
    }
}

/// Root of g on [a, b] (sign change assumed) by bisection to ~1e-12 in log10 n.
fn bisect(g: &dyn Fn(f64) -> f64, mut a: f64, mut b: f64) -> f64 {
    let mut ga = g(a);
    for _ in 0..60 {
        let m = 0.5 * (a + b);
        let gm = g(m);
        if gm == 0.0 {
            return m;
        }
        if (gm > 0.0) == (ga > 0.0) {
            a = m;
            ga = gm;
        } else {
            b = m;
        }
        if b - a < 1e-12 {
            break;
        }
    }
    0.5 * (a + b)
}
