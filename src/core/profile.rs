//! A function of one variable on an interval, cut into monotone pieces.
//!
//! This is the workhorse of the volume curve: the measure of {t : g(t) < c} is exact (up to root
//! tolerance) once g is known to be monotone between consecutive knots, and the pieces do not
//! depend on the level c, so one analysis serves every level.

use super::num::{brent_min, brent_root};

/// Relative and absolute position tolerance for extrema (see `num::brent_min` for why so tight).
const MIN_REL: f64 = 4.0 * f64::EPSILON;

#[derive(Debug, Clone)]
pub struct Profile {
    /// Knots a = t_0 < t_1 < … < t_k = b: interval ends and refined local extrema, so that g is
    /// monotone on each [t_j, t_{j+1}].
    pub knots: Vec<f64>,
    pub vals: Vec<f64>,
}

fn clean(v: f64) -> f64 {
    // Where the formula is undefined (NaN) the point is excluded: it is never in a sublevel set.
    if v.is_nan() { f64::INFINITY } else { v }
}

impl Profile {
    /// Analyse g on [a, b] from `n` uniform samples plus `extra` points (declared minimisers, points
    /// known to be special): refine every sampled local extremum with Brent's method.
    pub fn build(g: &mut impl FnMut(f64) -> f64, a: f64, b: f64, n: usize, extra: &[f64]) -> Profile {
        let n = n.max(3);
        let step = (b - a) / (n - 1) as f64;
        let mut pts: Vec<(f64, f64)> = Vec::with_capacity(n + extra.len());
        let mut ex: Vec<f64> = extra.iter().copied().filter(|&e| e > a && e < b).collect();
        ex.sort_unstable_by(|p, q| p.total_cmp(q));
        let mut k = 0;
        for i in 0..n {
            let t = if i == n - 1 { b } else { a + step * i as f64 };
            while k < ex.len() && ex[k] < t {
                pts.push((ex[k], f64::NAN));
                k += 1;
            }
            pts.push((t, f64::NAN));
        }
        pts.dedup_by(|p, q| p.0 == q.0);
        for p in pts.iter_mut() {
            p.1 = clean(g(p.0));
        }
        let (ts, vs): (Vec<f64>, Vec<f64>) = pts.iter().copied().unzip();
        let first = Self::from_samples_marked(g, &ts, &vs, &[]);
        // Extrema closer together than a sample spacing (two branches of the zero set meeting
        // near a singular point, a ring near its tangent) would break the monotone pieces. They
        // hide next to a minimum, so probe outward from each refined minimum at geometrically
        // shrinking distances (ratio 2, down to 2^-16 of the bracket), then analyse again.
        let mins = first.local_minima();
        if mins.is_empty() {
            return first;
        }
        // pass 1's knots are refined already: carried into pass 2 and not refined again
        let mut probes: Vec<(f64, f64)> = Vec::with_capacity(mins.len() * 33 + first.knots.len());
        for (&t, &v) in first.knots.iter().zip(&first.vals) {
            probes.push((t, v));
        }
        for &(t, _) in &mins {
            let mut d = 2.0 * step;
            for _ in 0..16 {
                d *= 0.5;
                for q in [t - d, t + d] {
                    if q > a && q < b {
                        probes.push((q, clean(g(q))));
                    }
                }
            }
        }
        probes.sort_unstable_by(|p, q| p.0.total_cmp(&q.0));
        // merge two sorted lists
        let mut merged: Vec<(f64, f64)> = Vec::with_capacity(pts.len() + probes.len());
        let (mut i, mut j) = (0, 0);
        while i < pts.len() || j < probes.len() {
            let take_p = j >= probes.len() || (i < pts.len() && pts[i].0 <= probes[j].0);
            let e = if take_p {
                i += 1;
                pts[i - 1]
            } else {
                j += 1;
                probes[j - 1]
            };
            if merged.last().is_none_or(|l: &(f64, f64)| l.0 != e.0) {
                merged.push(e);
            }
        }
        let refined: Vec<bool> =
            merged.iter().map(|p| first.knots.binary_search_by(|k| k.total_cmp(&p.0)).is_ok()).collect();
        let (ts2, vs2): (Vec<f64>, Vec<f64>) = merged.into_iter().unzip();
        Self::from_samples_marked(g, &ts2, &vs2, &refined)
    }

    /// Same as `build`, from samples already evaluated (sorted by t).
    pub fn from_samples(g: &mut impl FnMut(f64) -> f64, ts: &[f64], vs: &[f64]) -> Profile {
        Self::from_samples_marked(g, ts, vs, &[])
    }

    /// `refined[j]` marks samples that are already refined extrema (accepted as they are).
    fn from_samples_marked(g: &mut impl FnMut(f64) -> f64, ts: &[f64], vs: &[f64], refined: &[bool]) -> Profile {
        let m = ts.len();
        let abs_tol = 4.0 * f64::EPSILON * (ts[m - 1] - ts[0]).abs().max(f64::MIN_POSITIVE);
        // Direction of each non-flat step; turning points are where it changes sign.
        let mut knots = vec![ts[0]];
        let mut vals = vec![vs[0]];
        let mut last_dir = 0i8; // +1 rising, -1 falling
        let mut last_turn_idx = 0usize;
        for i in 1..m {
            let d = if vs[i] > vs[i - 1] {
                1
            } else if vs[i] < vs[i - 1] {
                -1
            } else {
                0
            };
            if d == 0 {
                continue;
            }
            if last_dir != 0 && d != last_dir {
                // sample i-1 is a turning point (min if we were falling, max if rising)
                let j = i - 1;
                let lo = ts[j.saturating_sub(1).max(last_turn_idx)];
                let hi = ts[i];
                let (t, v) = if refined.get(j).copied().unwrap_or(false) {
                    (ts[j], vs[j])
                } else if last_dir < 0 {
                    brent_min(g, lo, hi, ts[j], vs[j], MIN_REL, abs_tol)
                } else {
                    let mut ng = |t: f64| -clean(g(t));
                    let (t, v) = brent_min(&mut ng, lo, hi, ts[j], -vs[j], MIN_REL, abs_tol);
                    (t, -v)
                };
                // keep the better of the refined point and the sample (the refinement is local)
                let (t, v) =
                    if (last_dir < 0 && v <= vs[j]) || (last_dir > 0 && v >= vs[j]) { (t, v) } else { (ts[j], vs[j]) };
                knots.push(t);
                vals.push(v);
                last_turn_idx = j;
            }
            last_dir = d;
        }
        knots.push(ts[m - 1]);
        vals.push(vs[m - 1]);
        // Refinements stay inside their brackets, but two adjacent ones may cross: re-sort.
        let mut idx: Vec<usize> = (0..knots.len()).collect();
        idx.sort_by(|&p, &q| knots[p].total_cmp(&knots[q]));
        let knots2: Vec<f64> = idx.iter().map(|&i| knots[i]).collect();
        let vals2: Vec<f64> = idx.iter().map(|&i| vals[i]).collect();
        Profile { knots: knots2, vals: vals2 }
    }

    /// The smallest value and where it is.
    pub fn min(&self) -> (f64, f64) {
        let mut best = (self.knots[0], self.vals[0]);
        for (t, v) in self.knots.iter().zip(&self.vals) {
            if *v < best.1 {
                best = (*t, *v);
            }
        }
        best
    }

    pub fn max(&self) -> (f64, f64) {
        let mut best = (self.knots[0], f64::NEG_INFINITY);
        for (t, v) in self.knots.iter().zip(&self.vals) {
            if v.is_finite() && *v > best.1 {
                best = (*t, *v);
            }
        }
        best
    }

    /// Local minima (interior turning points and ends lower than their neighbour knot).
    pub fn local_minima(&self) -> Vec<(f64, f64)> {
        let k = self.knots.len();
        let mut out = Vec::new();
        for i in 0..k {
            let left = if i == 0 { f64::INFINITY } else { self.vals[i - 1] };
            let right = if i + 1 == k { f64::INFINITY } else { self.vals[i + 1] };
            if self.vals[i] <= left && self.vals[i] <= right && self.vals[i].is_finite() {
                out.push((self.knots[i], self.vals[i]));
            }
        }
        out
    }

    /// Intervals where g < c, appended to `out` (merged where they touch).
    pub fn sublevel(&self, g: &mut impl FnMut(f64) -> f64, c: f64, out: &mut Vec<(f64, f64)>) {
        let k = self.knots.len();
        let scale = (self.knots[k - 1] - self.knots[0]).abs();
        let start = out.len();
        for j in 0..k - 1 {
            let (t0, t1) = (self.knots[j], self.knots[j + 1]);
            let (v0, v1) = (self.vals[j], self.vals[j + 1]);
            let piece = if v0 < c && v1 < c {
                Some((t0, t1))
            } else if v0 >= c && v1 >= c {
                None
            } else {
                // Brent's own tolerance is relative to the iterate (2ε|t|), so a root near 0 is
                // resolved far below the ulp of the piece's ends (√x < ε has width ε²).
                let xtol = 1e-300 * scale;
                let mut h = |t: f64| clean(g(t)) - c;
                let r = brent_root(&mut h, t0, t1, v0 - c, v1 - c, xtol);
                if v0 < c { Some((t0, r)) } else { Some((r, t1)) }
            };
            if let Some((p, q)) = piece {
                if let Some(last) = out[start..].last_mut()
                    && last.1 >= p
                {
                    last.1 = last.1.max(q);
                    continue;
                }
                out.push((p, q));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_wells() {
        let mut g = |t: f64| (t * t - 0.25).powi(2);
        let p = Profile::build(&mut g, -1.0, 1.0, 17, &[]);
        let mins = p.local_minima();
        assert_eq!(mins.len(), 2, "{p:?}");
        let mut out = vec![];
        p.sublevel(&mut g, 0.01, &mut out);
        // |t²−1/4| < 0.1 → t² ∈ (0.15, 0.35)
        let len: f64 = out.iter().map(|(a, b)| b - a).sum();
        let exact = 2.0 * (0.35f64.sqrt() - 0.15f64.sqrt());
        assert!((len - exact).abs() < 1e-13, "{len} {exact}");
    }
}
