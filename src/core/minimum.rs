//! A certified global minimum by interval branch-and-bound over the box, on the formula's tape.
//!
//! Boxes are kept in order of their lower bound (the better of the natural interval enclosure and
//! the centered form f(c) + ∇f(B)·(B − c), see `interval`); the best value found so far, U, is an
//! upper bound on K*. A box is split while
//! - its lower bound is below U − τ: it may hold a lower point (this is the certificate: when no
//!   such box is left, K* ≥ U − τ), or
//! - its lower bound is within δ of U and below the lower bound of its own boundary by more than η:
//!   K may dip inside it below everything on its edges — a basin that a grid can miss however fine
//!   it is (the dialogue's hairline basin is 1.2e-5 wide). Once such a box is smaller than the
//!   grids' cells, its centre seeds a local search.
//!
//! The work is bounded (`MAX_WORK` box evaluations × tape length); when the budget runs out before
//! the first rule is exhausted the minimum is *not certified*, and the result says so with the
//! lower bound that was reached.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::interval::Iv;
use super::landscape::Landscape;

/// The work of one search: box evaluations × tape operations (about 30 ms).
const MAX_WORK: f64 = 4e5;
/// At most this many boxes, however short the tape.
const MAX_BOXES: usize = 30_000;
/// A basin within this much of K* is looked for (n·ΔK with n ≥ 1: a basin 40 higher carries less
/// than e^−40 of the posterior at any n).
const DELTA: f64 = 40.0;
/// A dip is a lower bound below the boundary's by more than this share of its height above U.
const DIP: f64 = 1e-2;
/// At most this many seeds from dips.
const MAX_SEEDS: usize = 32;

/// What the search established.
#[derive(Debug, Clone, PartialEq)]
pub struct Certificate {
    /// No point of the box has K below `lower` (where K is defined), and `lower` ≥ K* − τ.
    pub certified: bool,
    /// A lower bound on K over the box.
    pub lower: f64,
    /// The best value found and where (an upper bound on K*).
    pub best: ([f64; 2], f64),
    /// Centres of the boxes where K dips below its surroundings (narrow basins), lowest first.
    pub seeds: Vec<([f64; 2], f64)>,
    /// Every box that could hide a basin within δ of K* was resolved.
    pub basins_complete: bool,
    pub boxes: usize,
}

struct Node {
    lb: f64,
    b: [Iv; 2],
    /// The lower bound of K on the box's boundary.
    edge: f64,
}

impl PartialEq for Node {
    fn eq(&self, o: &Self) -> bool {
        self.lb.total_cmp(&o.lb) == Ordering::Equal
    }
}
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Node {
    // the lowest bound first (BinaryHeap pops the greatest)
    fn cmp(&self, o: &Self) -> Ordering {
        o.lb.total_cmp(&self.lb)
    }
}

struct Search<'a> {
    land: &'a Landscape,
    dim: usize,
    best: ([f64; 2], f64),
    evaluated: usize,
}

impl Search<'_> {
    fn k(&mut self, w: [f64; 2]) -> f64 {
        let v = self.land.k(w[0], w[1]);
        if v < self.best.1 {
            self.best = (w, v);
        }
        v
    }

    fn centre(b: &[Iv; 2]) -> [f64; 2] {
        [b[0].mid(), b[1].mid()]
    }

    /// The lower bound of K on a box (natural enclosure or centered form), +∞ where K is undefined.
    fn lower(&mut self, b: [Iv; 2]) -> f64 {
        self.evaluated += 1;
        let tape = &self.land.formula.tape;
        let d = tape.eval_ivd(b[0], b[1]);
        if d.v.is_empty() {
            return f64::INFINITY;
        }
        let c = Self::centre(&b);
        let fc = tape.eval_iv(Iv::point(c[0]), Iv::point(c[1]));
        d.lower(fc, b, c, self.dim)
    }

    /// The lower bound on the box's boundary: its end points in 1-D, its four edges in 2-D.
    fn edge(&mut self, b: [Iv; 2]) -> f64 {
        if self.dim == 1 {
            let (a, z) = (self.k([b[0].lo, 0.0]), self.k([b[0].hi, 0.0]));
            return a.min(z);
        }
        let tape = &self.land.formula.tape;
        let e = |x: Iv, y: Iv| {
            let v = tape.eval_iv(x, y);
            if v.is_empty() { f64::INFINITY } else { v.lo }
        };
        let (x0, x1, y0, y1) = (Iv::point(b[0].lo), Iv::point(b[0].hi), Iv::point(b[1].lo), Iv::point(b[1].hi));
        e(x0, b[1]).min(e(x1, b[1])).min(e(b[0], y0)).min(e(b[0], y1))
    }

    fn node(&mut self, b: [Iv; 2]) -> Node {
        let lb = self.lower(b);
        let edge = self.edge(b);
        let c = Self::centre(&b);
        self.k(c);
        Node { lb, b, edge }
    }
}

/// The certified search over the landscape's box, starting from the best point known. `k_max`:
/// the largest value seen (the scale of the tolerance). None for a landscape that is not a
/// formula (a model's L_n has its own search).
pub fn certify(land: &Landscape, start: ([f64; 2], f64), k_max: f64) -> Option<Certificate> {
    if !land.is_formula() {
        return None;
    }
    let dim = land.dim;
    let bx = land.bounds;
    let mut s = Search { land, dim, best: start, evaluated: 0 };
    let full = [Iv::new(bx[0][0], bx[0][1]), if dim == 2 { Iv::new(bx[1][0], bx[1][1]) } else { Iv::point(0.0) }];
    let width = [full[0].width(), full[1].width().max(1e-300)];
    // τ: far below the smallest ε the volume curve resolves (1e-13 of the span), and above the
    // rounding of K* itself
    let tau = |u: f64| (1e-15 * (k_max - u).abs()).max(16.0 * f64::EPSILON * u.abs()).max(1e-300);
    // a seed is a dip box that has become narrower than the grids' cells
    let seed_w = if dim == 1 { 1e-4 } else { 5e-3 };
    let budget = ((MAX_WORK / land.formula.tape.len().max(1) as f64) as usize).clamp(500, MAX_BOXES);
    let mut heap = BinaryHeap::new();
    let root = s.node(full);
    heap.push(root);
    let mut seeds: Vec<([f64; 2], f64)> = vec![];
    let mut unresolved = false;
    // the lowest bound of boxes that could not be split (float resolution)
    let mut floor = f64::INFINITY;
    let mut basins_complete = true;
    while let Some(n) = heap.pop() {
        let u = s.best.1;
        if u == f64::NEG_INFINITY {
            break; // unbounded below: nothing to certify
        }
        let needs_global = n.lb < u - tau(u);
        let height = (n.edge - u).max(0.0);
        let rel = [n.b[0].width() / width[0], if dim == 2 { n.b[1].width() / width[1] } else { 0.0 }];
        let small = rel[0].max(rel[1]) < 1e-10;
        let dip = n.lb <= u + DELTA && n.lb < n.edge - DIP * height - tau(u) && !small;
        if !needs_global && !dip {
            continue;
        }
        if s.evaluated >= budget || land.over_budget() {
            if needs_global {
                unresolved = true;
            } else {
                basins_complete = false;
            }
            heap.push(n);
            break;
        }
        // split along the widest side (relative to the box)
        let axis = if dim == 2 && rel[1] > rel[0] { 1 } else { 0 };
        let iv = n.b[axis];
        let m = iv.mid();
        if !(m > iv.lo && m < iv.hi) {
            // at the resolution of f64: the box cannot be narrowed further, and its corners are
            // the floats nearest whatever lies inside (a minimum between two floats, 1e16·(x − c)²
            // with c not representable). Their values close the box; if they stay above U − τ by
            // more than the rounding, the box is left unresolved
            if needs_global {
                let corners =
                    [[n.b[0].lo, n.b[1].lo], [n.b[0].hi, n.b[1].hi], [n.b[0].lo, n.b[1].hi], [n.b[0].hi, n.b[1].lo]];
                let lowest = corners.iter().map(|c| s.k(*c)).fold(f64::INFINITY, f64::min);
                if lowest > s.best.1 + tau(s.best.1) {
                    unresolved = true;
                    floor = floor.min(n.lb);
                }
            }
            continue;
        }
        for half in [Iv::new(iv.lo, m), Iv::new(m, iv.hi)] {
            let mut b = n.b;
            b[axis] = half;
            let child = s.node(b);
            if child.lb.is_infinite() && child.lb > 0.0 {
                continue; // K is undefined on the whole box
            }
            let crel = (b[0].width() / width[0]).max(if dim == 2 { b[1].width() / width[1] } else { 0.0 });
            let prel = rel[0].max(rel[1]);
            let cdip = child.lb < child.edge - DIP * (child.edge - s.best.1).max(0.0);
            // (a dip of a box that may still hold the global minimum is the global search's: its
            // best point follows it down)
            if dip && !needs_global && cdip && crel <= seed_w && prel > seed_w && seeds.len() < MAX_SEEDS {
                let c = Search::centre(&b);
                let v = land.k(c[0], c[1]);
                if v.is_finite() {
                    seeds.push((c, v));
                }
            }
            heap.push(child);
        }
    }
    let u = s.best.1;
    let remaining = heap.iter().map(|n| n.lb).fold(f64::INFINITY, f64::min);
    // (a box dropped had its bound above U − τ: that, not U, is what is proven)
    let lower = remaining.min(floor).min(u - tau(u));
    let certified = !unresolved && lower >= u - tau(u);
    seeds.sort_by(|a, b| a.1.total_cmp(&b.1));
    Some(Certificate { certified, lower, best: s.best, seeds, basins_complete, boxes: s.evaluated })
}
