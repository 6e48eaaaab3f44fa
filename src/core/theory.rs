//! Theory beside the experiment: exact λ and m from the Newton polygon of a polynomial loss at its
//! minimiser (with the non-degeneracy check and the 2-D adapted-coordinates rule), and the Hessian
//! diagnosis (SCIENCE.md §6; Varchenko 1976).
//!
//! - Polynomial detection expands the formula's tree into monomials; coefficients are f64 (as exact
//!   as the typed numbers), and each carries the sum of the magnitudes it was built from, so that a
//!   coefficient is declared zero only relative to the cancellation that produced it
//!   (`poly::ZERO_TOL` relative: rounding leaves ~1e-15).
//! - The expansion point must be the minimiser exactly: a w* off by 1e-5 plants spurious low-order
//!   terms (≈1e-9·x²) and the polygon then says λ = 1 where the truth is 3/4. So a numerical w* is
//!   snapped to a nearby rational with a small denominator when the exact polynomial says the
//!   gradient vanishes there, and otherwise refined by Newton's method on the gradient.
//! - Verdicts never claim a wrong exact value: a degenerate principal face gives "upper-bound".

use nalgebra::{DMatrix, SymmetricEigen};
use serde::Serialize;

use super::expr::{Expr, Func1, Func2};
use super::landscape::{Landscape, Minimum, fmt_point};
use super::num::brent_min;
use super::poly::{
    Poly, REAL_TOL, ZERO_TOL, clean, clean_all, eval, exact_critical_point, fmt_poly, to_poly, translate,
};

/// How sure the theory is of its λ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The value is the learning coefficient.
    Exact,
    /// λ is at most this value.
    UpperBound,
    /// Nothing can be said at this point.
    Unknown,
}

/// Where a theoretical λ comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The Newton polygon (1-D: the order of the first non-vanishing derivative).
    Newton,
    /// The Newton polygon in adapted coordinates.
    NewtonAdapted,
    /// The Hessian's rank (or a symbolic derivative's order).
    Hessian,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::Exact => "exact",
            Status::UpperBound => "upper-bound",
            Status::Unknown => "unknown",
        })
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Newton => "newton",
            Source::NewtonAdapted => "newton-adapted",
            Source::Hessian => "hessian",
        })
    }
}

/// What theory says about λ and m.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Theory {
    pub lambda: f64,
    pub m: u32,
    pub source: Source,
    pub status: Status,
}

impl Theory {
    /// True when λ and m are the learning coefficient and multiplicity (not a bound, not unknown).
    pub fn is_exact(&self) -> bool {
        self.status == Status::Exact
    }

    /// "exact λ = 0.5000 (m = 2)", "λ ≤ 1.0000 (an upper bound)", or "unknown": how every panel,
    /// the CLI and the figures name the verdict (an upper bound is never shown as exact).
    pub fn label(&self) -> String {
        match self.status {
            Status::Exact => format!("exact λ = {:.4} (m = {})", self.lambda, self.m),
            Status::UpperBound => format!("λ ≤ {:.4} (an upper bound)", self.lambda),
            Status::Unknown => "unknown".to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum Face {
    Vertex((u32, u32)),
    Edge((u32, u32), (u32, u32)),
    /// The vertical ray up from this vertex (x = i).
    RayUp((u32, u32)),
    /// The horizontal ray right from this vertex.
    RayRight((u32, u32)),
}

#[derive(Debug, Clone, Serialize)]
pub struct NewtonPolygon {
    /// Exponents with nonzero coefficients, and the coefficients.
    pub support: Vec<((u32, u32), f64)>,
    /// Vertices of the boundary, from the one with the least x-exponent to the least y-exponent.
    pub vertices: Vec<(u32, u32)>,
    /// The Newton distance: (t₀, t₀) is where the diagonal meets the boundary.
    pub t0: f64,
    /// The face met by the diagonal.
    pub principal: Face,
    /// Compact faces whose face polynomial has a critical point with x·y ≠ 0 (over the reals).
    pub degenerate_faces: Vec<Face>,
    /// Real nonzero roots of the principal edge's polynomial (in its weighted variable), with
    /// multiplicities.
    pub principal_roots: Vec<(f64, usize)>,
}

impl NewtonPolygon {
    /// How far a drawing reaches on both axes (past the support and t₀), and the boundary Γ as
    /// drawn: the vertical ray, the compact edges, the horizontal ray, cut there. None without
    /// vertices.
    pub fn drawn(&self) -> Option<(f64, Vec<[f64; 2]>)> {
        let v = &self.vertices;
        let (first, last) = (v.first()?, v.last()?);
        let reach =
            self.support.iter().map(|(k, _)| k.0.max(k.1)).max().unwrap_or(4).max(self.t0.ceil() as u32) as f64 + 1.5;
        let mut b: Vec<[f64; 2]> = vec![[first.0 as f64, reach]];
        b.extend(v.iter().map(|p| [p.0 as f64, p.1 as f64]));
        b.push([reach, last.1 as f64]);
        Some((reach, b))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Hessian {
    pub at: Vec<f64>,
    pub eigenvalues: Vec<f64>,
    pub eigenvectors: Vec<Vec<f64>>,
    pub rank: usize,
    /// Eigenvalues below this count as zero.
    pub tolerance: f64,
    /// Unit vectors spanning the kernel (the flat directions).
    pub kernel: Vec<Vec<f64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TheoryReport {
    /// The expanded polynomial, or None ("not a polynomial").
    pub polynomial: Option<String>,
    /// The point the expansion is taken around, and its polynomial around it.
    pub expansion_point: Option<Vec<f64>>,
    pub local_polynomial: Option<String>,
    pub zero_tolerance: f64,
    pub newton: Option<NewtonPolygon>,
    /// 1-D: the order of the first non-vanishing derivative.
    pub order_1d: Option<u32>,
    pub hessian: Option<Hessian>,
    pub not_isolated: bool,
    /// The verdict (None: nothing can be said).
    pub theory: Option<Theory>,
    /// One sentence saying why.
    pub reason: String,
}

/// Roots of Σ c_k z^k (c_0 and the leading coefficient nonzero), clustered with multiplicities;
/// only the real ones are returned.
fn real_roots_with_multiplicity(c: &[f64]) -> Vec<(f64, usize)> {
    let deg = c.len() - 1;
    if deg == 0 {
        return vec![];
    }
    let lead = c[deg];
    let mut m = DMatrix::<f64>::zeros(deg, deg);
    for i in 0..deg {
        m[(0, i)] = -c[deg - 1 - i] / lead;
        if i + 1 < deg {
            m[(i + 1, i)] = 1.0;
        }
    }
    // Schur with an iteration cap (the unbounded version never returns on some companion matrices,
    // e.g. of z⁴ + 1); Durand–Kerner iterations if it does not converge
    let roots: Vec<(f64, f64)> = match nalgebra::linalg::Schur::try_new(m, f64::EPSILON, 2000) {
        Some(schur) => schur.complex_eigenvalues().iter().map(|z| (z.re, z.im)).collect(),
        None => durand_kerner(c),
    };
    // cluster: a root of multiplicity k splits by ~ε^(1/k); 1e-4 relative covers k ≤ 4 comfortably
    let mut used = vec![false; roots.len()];
    let mut out = vec![];
    for i in 0..roots.len() {
        if used[i] {
            continue;
        }
        let mut group = vec![i];
        used[i] = true;
        for j in (i + 1)..roots.len() {
            let tol = 1e-4 * (1.0 + roots[i].0.hypot(roots[i].1));
            if !used[j] && (roots[j].0 - roots[i].0).hypot(roots[j].1 - roots[i].1) < tol {
                used[j] = true;
                group.push(j);
            }
        }
        let re = group.iter().map(|&g| roots[g].0).sum::<f64>() / group.len() as f64;
        let im = group.iter().map(|&g| roots[g].1).sum::<f64>() / group.len() as f64;
        if im.abs() < 1e-4 * (1.0 + re.abs()) && re.abs() > 1e-12 {
            out.push((re, group.len()));
        }
    }
    out
}

/// All complex roots of Σ c_k z^k by Durand–Kerner (Weierstrass) iteration.
fn durand_kerner(c: &[f64]) -> Vec<(f64, f64)> {
    use nalgebra::Complex;
    let deg = c.len() - 1;
    let lead = c[deg];
    let f = |z: Complex<f64>| c.iter().rev().fold(Complex::new(0.0, 0.0), |acc, &a| acc * z + a / lead);
    let r0 = 1.0 + c.iter().map(|a| (a / lead).abs()).fold(0.0, f64::max);
    let mut z: Vec<Complex<f64>> =
        (0..deg).map(|k| Complex::from_polar(r0 * 0.7, 0.4 + std::f64::consts::TAU * k as f64 / deg as f64)).collect();
    for _ in 0..2000 {
        let mut moved = 0.0f64;
        for i in 0..deg {
            let mut den = Complex::new(1.0, 0.0);
            for j in 0..deg {
                if i != j {
                    den *= z[i] - z[j];
                }
            }
            if den.norm() == 0.0 {
                continue;
            }
            let step = f(z[i]) / den;
            z[i] -= step;
            moved = moved.max(step.norm());
        }
        if moved < 1e-15 {
            break;
        }
    }
    z.iter().map(|w| (w.re, w.im)).collect()
}

/// The polynomial of a compact edge as Σ c_k z^k along its lattice points.
fn edge_coeffs(q: &Poly, a: (u32, u32), b: (u32, u32)) -> Vec<f64> {
    let (di, dj) = (b.0 as i64 - a.0 as i64, a.1 as i64 - b.1 as i64); // di > 0, dj > 0
    let g = gcd(di, dj);
    let (si, sj) = (di / g, dj / g);
    (0..=g)
        .map(|k| {
            let key = ((a.0 as i64 + k * si) as u32, (a.1 as i64 - k * sj) as u32);
            q.get(&key).map(|c| c.c).unwrap_or(0.0)
        })
        .collect()
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

/// The Newton polygon of Q (no constant term) and its verdict quantities.
fn newton_polygon(q: &Poly) -> Option<NewtonPolygon> {
    let mut pts: Vec<(u32, u32)> = q.keys().copied().collect();
    if pts.is_empty() {
        return None;
    }
    pts.sort();
    // the boundary of conv(support) + R²₊: the lower-left convex chain from the point with the least
    // i (lowest j among those) to the point with the least j (lowest i among those)
    let a = *pts.iter().min_by_key(|p| (p.0, p.1))?;
    let b = *pts.iter().min_by_key(|p| (p.1, p.0))?;
    let mut chain: Vec<(u32, u32)> = vec![];
    for &p in pts.iter().filter(|p| p.0 >= a.0 && p.0 <= b.0) {
        while chain.len() >= 2 {
            let (o, m) = (chain[chain.len() - 2], chain[chain.len() - 1]);
            let cross = (m.0 as i64 - o.0 as i64) * (p.1 as i64 - o.1 as i64)
                - (m.1 as i64 - o.1 as i64) * (p.0 as i64 - o.0 as i64);
            if cross <= 0 {
                chain.pop();
            } else {
                break;
            }
        }
        chain.push(p);
    }
    // keep the strictly decreasing-in-j part from a to b
    let mut vertices: Vec<(u32, u32)> = vec![];
    for p in chain {
        if vertices.last().is_none_or(|l: &(u32, u32)| p.1 < l.1) {
            vertices.push(p);
        }
    }
    if vertices.first() != Some(&a) {
        vertices.insert(0, a);
    }
    // where the diagonal meets the boundary
    let (t0, principal) = {
        let first = vertices[0];
        let last = *vertices.last()?;
        if first.0 >= first.1 {
            if first.0 == first.1 {
                (first.0 as f64, Face::Vertex(first))
            } else {
                (first.0 as f64, Face::RayUp(first))
            }
        } else if last.1 >= last.0 {
            if last.0 == last.1 { (last.1 as f64, Face::Vertex(last)) } else { (last.1 as f64, Face::RayRight(last)) }
        } else {
            let mut found = None;
            for w in vertices.windows(2) {
                let (p, r) = (w[0], w[1]);
                let dp = p.0 as f64 - p.1 as f64; // < 0 before the diagonal
                let dr = r.0 as f64 - r.1 as f64;
                if dp <= 0.0 && dr >= 0.0 {
                    if dp == 0.0 {
                        found = Some((p.0 as f64, Face::Vertex(p)));
                    } else if dr == 0.0 {
                        found = Some((r.0 as f64, Face::Vertex(r)));
                    } else {
                        let s = -dp / (dr - dp);
                        found = Some((p.0 as f64 + s * (r.0 as f64 - p.0 as f64), Face::Edge(p, r)));
                    }
                    break;
                }
            }
            found?
        }
    };
    // non-degeneracy of the compact faces: vertices (monomials) never are; an edge is degenerate
    // when its polynomial has a multiple real nonzero root
    let mut degenerate_faces = vec![];
    let mut principal_roots = vec![];
    for w in vertices.windows(2) {
        let c = edge_coeffs(q, w[0], w[1]);
        let roots = real_roots_with_multiplicity(&c);
        if roots.iter().any(|r| r.1 >= 2) {
            degenerate_faces.push(Face::Edge(w[0], w[1]));
        }
        if principal == Face::Edge(w[0], w[1]) {
            principal_roots = roots;
        }
    }
    // a diagonal point that is a lattice point inside an edge is still that edge's interior
    Some(NewtonPolygon {
        support: q.iter().map(|(k, c)| (*k, c.c)).collect(),
        vertices,
        t0,
        principal,
        degenerate_faces,
        principal_roots,
    })
}

fn verdict_2d(np: &NewtonPolygon) -> (Theory, String) {
    let t0 = np.t0;
    let face_m = if matches!(np.principal, Face::Vertex(_)) { 2 } else { 1 };
    let lambda = 1.0 / t0;
    if np.degenerate_faces.is_empty() {
        let why = match np.principal {
            Face::Vertex(v) => format!("the diagonal meets the Newton polygon at the vertex {v:?}: λ = 1/{t0}, m = 2"),
            _ => format!(
                "the diagonal meets the Newton polygon at t₀ = {t0:.4} inside a face; every compact face is non-degenerate"
            ),
        };
        return (Theory { lambda, m: face_m, source: Source::Newton, status: Status::Exact }, why);
    }
    // adapted-coordinates rule on the principal face
    match &np.principal {
        Face::Edge(..) => {
            let max_mult = np.principal_roots.iter().map(|r| r.1).max().unwrap_or(0);
            if (max_mult as f64) <= t0 + 1e-9 {
                let m = if ((max_mult as f64) - t0).abs() < 1e-9 { 2 } else { face_m };
                (
                    Theory { lambda, m, source: Source::NewtonAdapted, status: Status::Exact },
                    format!(
                        "a face is degenerate, but every real root of the principal face polynomial has multiplicity ≤ t₀ = {t0:.4} (largest {max_mult}): the coordinates are adapted{}",
                        if m == 2 { ", and a multiplicity equals t₀, so m = 2" } else { "" }
                    ),
                )
            } else {
                (
                    Theory { lambda, m: face_m, source: Source::Newton, status: Status::UpperBound },
                    format!(
                        "degenerate: the principal face polynomial has a real root of multiplicity {max_mult} > t₀ = {t0:.4}, so 1/t₀ = {lambda:.4} is only an upper bound on λ (a change of coordinates would lower it)"
                    ),
                )
            }
        }
        _ => (
            Theory { lambda, m: face_m, source: Source::NewtonAdapted, status: Status::Exact },
            format!(
                "the principal face is a {} (never degenerate), so the coordinates are adapted: λ = 1/t₀",
                if matches!(np.principal, Face::Vertex(_)) { "vertex" } else { "ray" }
            ),
        ),
    }
}

fn hessian(land: &Landscape, w: [f64; 2], kmin: f64, kmax: f64) -> Option<Hessian> {
    // symbolic derivatives of a very large formula cost too much (and recurse deeply in exmex)
    if land.formula.expr.canonical().len() > 5000 {
        return None;
    }
    let ex = land.formula.exmex().ok()?;
    let names: Vec<String> = exmex::Express::var_names(&ex).to_vec();
    let d = land.dim;
    let args: Vec<f64> = names.iter().map(|n| if n == "x" { w[0] } else { w[1] }).collect();
    let idx = |v: usize| names.iter().position(|n| n == if v == 0 { "x" } else { "y" });
    let mut h = DMatrix::<f64>::zeros(d, d);
    for a in 0..d {
        for b in 0..d {
            let (Some(ia), Some(ib)) = (idx(a), idx(b)) else { continue };
            let dab = exmex::Differentiate::partial(exmex::Differentiate::partial(ex.clone(), ia).ok()?, ib).ok()?;
            let v = exmex::Express::eval(&dab, &args).ok()?;
            if !v.is_finite() {
                return None;
            }
            h[(a, b)] = v;
        }
    }
    let eig = SymmetricEigen::new(h);
    let largest = eig.eigenvalues.iter().map(|v| v.abs()).fold(0.0, f64::max);
    // zero relative to the largest eigenvalue and to the scale of K over the box
    let scale = (kmax - kmin).abs() / (0..d).map(|a| land.box_width(a).powi(2)).fold(0.0, f64::max).max(1e-300);
    let tolerance = 1e-7 * largest.max(scale);
    let mut rank = 0;
    let mut kernel = vec![];
    for i in 0..d {
        if eig.eigenvalues[i].abs() > tolerance {
            rank += 1;
        } else {
            kernel.push(eig.eigenvectors.column(i).iter().copied().collect());
        }
    }
    Some(Hessian {
        at: w[..d].to_vec(),
        eigenvalues: eig.eigenvalues.iter().copied().collect(),
        eigenvectors: (0..d).map(|i| eig.eigenvectors.column(i).iter().copied().collect()).collect(),
        rank,
        tolerance,
        kernel,
    })
}

/// Crossing points of a minimum set that is not isolated (where branches of {K = K*} meet): from
/// points of the set, a local minimisation of the size of K's lowest-order Taylor terms there
/// (K − K* as a penalty). At a crossing K vanishes to a higher order than on the branches (x²y²:
/// order 2 on the axes, 4 at the origin; x⁸y⁸: 8 and 16), so the terms of the branch's order
/// shrink to zero there; on a smooth curve of minima the descent ends anywhere on it.
fn crossing_points(p: &Poly, starts: &[[f64; 2]], bounds: [[f64; 2]; 2], k_min: f64, span: f64) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = vec![];
    for &s in starts.iter().take(6) {
        // the order of vanishing at the start, and the size of its terms anywhere
        let q0 = clean(&translate(p, s[0], s[1]));
        let Some(order) = q0.keys().map(|k| k.0 + k.1).min() else { continue };
        let terms = |w: [f64; 2]| -> f64 {
            translate(p, w[0], w[1]).iter().filter(|(k, _)| k.0 + k.1 == order).map(|(_, c)| c.c * c.c).sum()
        };
        let s_h = terms(s).max(1e-300);
        let s_k = span.max(1e-300);
        // (a moderate penalty: a narrow valley would stall the descent; the exact minimiser is
        // found from the end point by `exact_critical_point`)
        let g = |w: [f64; 2]| terms(w) / s_h + 10.0 * (eval(p, w[0], w[1]) - k_min).max(0.0) / s_k;
        // Powell's method: the two axes, then the sweep's overall move (which follows a diagonal or
        // curved valley of the penalty)
        let mut w = s;
        let mut gw = g(w);
        let mut h = 0.25 * (bounds[0][1] - bounds[0][0]).max(bounds[1][1] - bounds[1][0]);
        for _ in 0..100 {
            let start = w;
            let before = gw;
            let mut dirs = vec![[1.0, 0.0], [0.0, 1.0]];
            for pass in 0..2 {
                for dvec in &dirs {
                    let mut f = |t: f64| {
                        let q = [w[0] + t * dvec[0], w[1] + t * dvec[1]];
                        if (0..2).all(|a| q[a] >= bounds[a][0] && q[a] <= bounds[a][1]) { g(q) } else { f64::INFINITY }
                    };
                    let (t, ft) = brent_min(&mut f, -h, h, 0.0, gw, 1e-12, 1e-16);
                    if ft < gw {
                        w = [w[0] + t * dvec[0], w[1] + t * dvec[1]];
                        gw = ft;
                    }
                }
                let m = [w[0] - start[0], w[1] - start[1]];
                let len = m[0].hypot(m[1]);
                if pass == 0 && len > 0.0 {
                    dirs = vec![[m[0] / len, m[1] / len]];
                } else {
                    break;
                }
            }
            let moved = (w[0] - start[0]).hypot(w[1] - start[1]);
            h = (4.0 * moved).clamp(1e-12, h.max(1e-12));
            if before - gw <= 1e-15 * before.abs().max(1e-300) && moved < 1e-13 {
                break;
            }
        }
        if !out.iter().any(|q| (q[0] - w[0]).abs() + (q[1] - w[1]).abs() < 1e-9) {
            out.push(w);
        }
    }
    out
}

/// A verdict at one candidate point: theory, reason, point, local polynomial, polygon, 1-D order.
type Candidate = (Theory, String, [f64; 2], Poly, Option<NewtonPolygon>, Option<u32>);

/// Analyse the landscape at its minimisers (for several, the most singular wins).
pub fn analyze(land: &Landscape, min: &Minimum) -> TheoryReport {
    let d = land.dim;
    if let Some(sl) = &land.slice {
        return TheoryReport {
            polynomial: None,
            expansion_point: None,
            local_polynomial: None,
            zero_tolerance: ZERO_TOL,
            newton: None,
            order_1d: None,
            hessian: None,
            not_isolated: min.argmin.len() >= 3,
            theory: None,
            reason: format!(
                "a 2-D slice of an {}-parameter model, not a formula: no exact λ. The slice's volume law says how the loss grows along these two directions only; the model's learning coefficient needs all {} (the TMS lab's LLC)",
                sl.spec.point.len(),
                sl.spec.point.len()
            ),
        };
    }
    if let Some(data) = &land.data {
        // L_n is a sum over data, not a formula: the theory belongs to the population K
        let (l, m, why) = super::model::population_lambda(&data.spec);
        return TheoryReport {
            polynomial: None,
            expansion_point: None,
            local_polynomial: None,
            zero_tolerance: ZERO_TOL,
            newton: None,
            order_1d: None,
            hessian: None,
            not_isolated: min.argmin.len() >= 3,
            theory: None,
            reason: format!(
                "a model with sampled data: L_n is not a formula. For the population K at the truth: λ = {l}, m = {m} ({why}); L_n itself is a random perturbation of K whose own volume law at small ε need not share it"
            ),
        };
    }
    // a min or max is, near a minimiser where one branch is strictly lower, that branch: the
    // formula there is the active branch (min((x+1)², (x−1)⁴ + 0.01) is (x+1)² near x = −1)
    let local = min.argmin.first().map(|w| active_branches(&land.formula.expr, *w));
    let branch = local.as_ref().filter(|l| **l != land.formula.expr);
    let poly = to_poly(&land.formula.expr).or_else(|| branch.and_then(to_poly));
    // (with a branch, only the minimisers where that branch is the active one)
    let same_branch = |w: &[f64; 2]| branch.is_none_or(|b| active_branches(&land.formula.expr, *w) == *b);
    let mut report = TheoryReport {
        polynomial: poly.as_ref().map(|p| fmt_poly(&clean_all(p), ["x", "y"])),
        expansion_point: None,
        local_polynomial: None,
        zero_tolerance: ZERO_TOL,
        newton: None,
        order_1d: None,
        hessian: min.argmin.first().and_then(|w| hessian(land, *w, min.k_min, min.k_max)),
        not_isolated: min.argmin.len() >= 3,
        theory: None,
        reason: String::new(),
    };
    // candidate expansion points: points of the minimum set found, and where the minimum set is not
    // isolated its crossing points (never a point that is not a minimiser: each is checked below
    // against K*)
    let mut cands: Vec<[f64; 2]> = min.argmin.iter().take(16).copied().filter(same_branch).collect();
    if d == 2
        && report.not_isolated
        && let Some(p) = &poly
    {
        let mut found = crossing_points(p, &cands, land.bounds, min.k_min, (min.k_max - min.k_min).abs());
        // branches along the axes cross where one minimiser's x meets another's y (x⁸y⁸ has a
        // zero Hessian on both axes: the descent above cannot tell the crossing there)
        let scale = p.values().map(|c| c.mag).fold(0.0, f64::max).max(1e-300);
        for a in &cands {
            for b in &cands {
                let w = [a[0], b[1]];
                if (eval(p, w[0], w[1]) - min.k_min).abs() <= 1e-12 * scale
                    && !found.contains(&w)
                    && !cands.contains(&w)
                {
                    found.push(w);
                }
            }
        }
        cands.splice(0..0, found);
    }
    if let Some(p) = &poly {
        let scale = p.values().map(|c| c.mag).fold(0.0, f64::max).max(1e-300);
        let mut best: Option<Candidate> = None;
        for w in cands {
            // (a minimum on the edge need not be a critical point: it stays where it was found)
            let w = if on_edge(land, w) { w } else { exact_critical_point(p, w, d, scale) };
            let inside = (0..d).all(|a| w[a] >= land.bounds[a][0] && w[a] <= land.bounds[a][1]);
            // a minimiser: K(w) = K* within rounding
            if !inside || (eval(p, w[0], w[1]) - min.k_min).abs() > 1e-9 * scale {
                continue;
            }
            let on_edge = on_edge(land, w);
            let raw = translate(p, w[0], if d == 2 { w[1] } else { 0.0 });
            let suspicious = raw.iter().any(|(k, c)| {
                let r = c.c.abs() / c.mag.max(f64::MIN_POSITIVE);
                *k != (0, 0) && r > ZERO_TOL && r < REAL_TOL
            });
            let q = clean(&raw);
            // an interior minimiser is a critical point: a linear term left means the expansion
            // point is not the minimiser exactly, and no polygon there can be trusted
            if !on_edge && q.keys().any(|k| k.0 + k.1 == 1) {
                continue;
            }
            let (theory, why, np, order) = if d == 1 {
                let Some(k) = q.keys().map(|k| k.0).min() else { continue };
                (
                    Theory { lambda: 1.0 / k as f64, m: 1, source: Source::Newton, status: Status::Exact },
                    format!("the first non-vanishing derivative at the minimum has order {k}: λ = 1/{k}"),
                    None,
                    Some(k),
                )
            } else {
                let Some(np) = newton_polygon(&q) else { continue };
                let (t, why) = verdict_2d(&np);
                (t, why, Some(np), None)
            };
            let (theory, why) = if suspicious {
                (
                    Theory { status: Status::Unknown, ..theory },
                    "the minimiser is known here only approximately (a coefficient of the local polynomial is too small to be real and too large to be rounding), so the polygon at this point is not trustworthy".to_string(),
                )
            } else if on_edge && d == 1 && order.is_some_and(|k| k >= 2) {
                // a half-basin has the exponent of its one side: K − K* ≈ c·t^k into the box
                (theory, format!("on the edge of the box: {why} (K − K* grows like t^k into the box)"))
            } else if on_edge && d == 1 {
                (Theory { status: Status::Unknown, ..theory }, EDGE_SLOPE.to_string())
            } else if on_edge {
                (
                    Theory { status: Status::Unknown, ..theory },
                    "the minimum is on the edge of the box: the Newton polygon describes an interior point".to_string(),
                )
            } else {
                (theory, why)
            };
            // the most singular point wins: smallest λ among exact verdicts, then among bounds
            // ties in λ go to the larger m (a vertex on the diagonal: the crossing of two lines)
            let rank = |t: &Theory| (if t.is_exact() { 0 } else { 1 }, t.lambda, -(t.m as i64));
            if best.as_ref().is_none_or(|b| rank(&theory) < rank(&b.0)) {
                best = Some((theory, why, w, q, np, order));
            }
        }
        match best {
            Some((t, why, w, q, np, order)) => {
                report.expansion_point = Some(w[..d].to_vec());
                report.local_polynomial = Some(fmt_poly(&q, if d == 1 { ["u", "_"] } else { ["u", "v"] }));
                report.newton = np;
                report.order_1d = order;
                report.reason = if report.not_isolated {
                    format!(
                        "the minimum is not isolated (a set of minimisers); at the most singular point found: {why}"
                    )
                } else {
                    why
                };
                report.theory = Some(t);
                // the Hessian at the same (most singular) point
                let mut full = [0.0; 2];
                full[..d].copy_from_slice(&w[..d]);
                report.hessian = hessian(land, full, min.k_min, min.k_max);
            }
            None => {
                report.reason =
                    "a polynomial, but no exact minimiser could be established for the Newton polygon".into();
            }
        }
    } else if d == 1 {
        // 1-D, not a polynomial: the order of the first non-vanishing derivative, from exmex's
        // symbolic derivatives (zero relative to the scale of K over the box) — valid only where the
        // formula is analytic (x²·sin(1/x)² is not, at 0)
        report.reason = "not a polynomial".into();
        // every minimiser found: the most singular (the highest order) decides
        let pts: Vec<[f64; 2]> = min.argmin.iter().take(16).copied().collect();
        let bad = pts.iter().find(|w| !analytic_at(&land.formula.expr, **w)).copied();
        let orders: Vec<Option<u32>> = pts.iter().map(|w| derivative_order_1d(land, *w, min.k_min)).collect();
        let most = pts.iter().zip(&orders).filter_map(|(w, k)| k.map(|k| (*w, k))).max_by_key(|p| p.1);
        match (bad, most) {
            (Some(w), _) => {
                report.reason = format!(
                    "not a polynomial, and not analytic at the minimum {}: no expansion there, only the measurements apply",
                    fmt_point(w, 1)
                );
                report.hessian = None;
            }
            (None, Some((w, k))) if orders.iter().all(|o| o.is_some()) => {
                if k == 1 {
                    report.reason = EDGE_SLOPE.to_string();
                } else {
                    let edge = on_edge(land, w);
                    report.order_1d = Some(k);
                    report.theory =
                        Some(Theory { lambda: 1.0 / k as f64, m: 1, source: Source::Hessian, status: Status::Exact });
                    report.reason = if edge {
                        format!(
                            "not a polynomial; at the minimum on the edge of the box the first non-vanishing derivative (exmex, symbolic) has order {k}: K − K* grows like t^{k} into the box, λ = 1/{k}"
                        )
                    } else {
                        format!(
                            "not a polynomial; the first non-vanishing derivative at the minimum (exmex, symbolic) has order {k}: λ = 1/{k}"
                        )
                    };
                }
            }
            _ => {}
        }
    } else {
        report.reason = "not a polynomial: only the Hessian and the measurements apply".into();
    }
    // the Hessian's verdict needs an interior critical point where K is analytic
    let w0 = report.hessian.as_ref().map(|h| {
        let mut p = [0.0; 2];
        p[..d].copy_from_slice(&h.at[..d]);
        p
    });
    let hessian_applies =
        w0.is_some_and(|w| !on_edge(land, w) && (poly.is_some() || analytic_at(&land.formula.expr, w)));
    if report.theory.is_none()
        && hessian_applies
        && let Some(h) = &report.hessian
    {
        let dd = d as f64;
        report.theory = Some(if h.rank == d {
            Theory { lambda: dd / 2.0, m: 1, source: Source::Hessian, status: Status::Exact }
        } else {
            Theory { lambda: dd / 2.0, m: 1, source: Source::Hessian, status: Status::UpperBound }
        });
        let verdict = if h.rank == d {
            format!("the Hessian has full rank {d}: regular, λ = d/2 = {}, m = 1", dd / 2.0)
        } else {
            format!("the Hessian has rank {} < {d}: singular, λ ≤ d/2 = {}", h.rank, dd / 2.0)
        };
        report.reason = format!("{}; {verdict}", report.reason);
    } else if report.theory.is_none() && w0.is_some() && !hessian_applies {
        report.reason = format!(
            "{}; the minimum is on the edge of the box or K is not analytic there, so the Hessian says nothing about λ",
            report.reason
        );
    }
    report
}

/// Why no verdict is given at an edge minimum with a nonzero slope.
const EDGE_SLOPE: &str = "the minimum is on the edge of the box with a nonzero slope: no local expansion of a minimum applies there (a linear rise into the box would give V ≈ ε/|K'|, λ = 1, but that is a measurement's to show)";

/// True when w lies on the box's boundary (to 1e-12 of its width).
fn on_edge(land: &Landscape, w: [f64; 2]) -> bool {
    (0..land.dim).any(|a| {
        let [lo, hi] = land.bounds[a];
        let tol = 1e-12 * (hi - lo);
        (w[a] - lo).abs() <= tol || (hi - w[a]).abs() <= tol
    })
}

/// 1-D: the order k of the first derivative of K that does not vanish at w (1 … 8), by exmex's
/// symbolic derivatives; a derivative is zero relative to the scale of K over the box.
fn derivative_order_1d(land: &Landscape, w: [f64; 2], k_min: f64) -> Option<u32> {
    let ex = land.formula.exmex().ok()?;
    // the scale of K − K* near w (not over the box: exp(100x) spans 87 decades, and its slope at
    // the minimum is 1e-42 of that span but the whole story near it)
    let h = 1e-3 * land.box_width(0);
    let [lo, hi] = land.bounds[0];
    let scale = [w[0] - h, w[0] + h]
        .iter()
        .filter(|t| **t >= lo && **t <= hi)
        .map(|t| (land.k(*t, 0.0) - k_min).abs())
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    if !(scale > 0.0) {
        return None;
    }
    let mut der = Some(ex);
    let mut fact = 1.0;
    // Symbolic derivatives can swell exponentially with the order ((asin(x))^64: the 8th derivative
    // took minutes and overflowed a 2 MB stack), so only small formulas, and stop once a
    // derivative's text passes 4,000 characters.
    if land.formula.expr.canonical().len() > 600 {
        return None;
    }
    // an interior minimum has K' = 0: the order starts at 2 there; on the edge it may be 1
    let first = if on_edge(land, w) { 1 } else { 2 };
    for k in 1..=8u32 {
        fact *= k as f64;
        der = der.and_then(|e| exmex::Differentiate::partial(e, 0).ok());
        let e = der.as_ref()?;
        if exmex::Express::unparse(e).len() > 4000 {
            return None;
        }
        let v = exmex::Express::eval(e, &[w[0]]).unwrap_or(f64::NAN);
        if !v.is_finite() {
            return None;
        }
        // the k-th Taylor term at the probe distance, against K − K* there
        if (v / fact).abs() * h.powi(k as i32) > 1e-6 * scale {
            return (k >= first).then_some(k);
        }
    }
    None
}

/// True when the formula is analytic at w: no argument of a function at a point where it is not
/// (|0|, √0, log 0, 1/0, a step's jump, min/max where the branches meet, a non-integer power of
/// 0 …). The Taylor expansion behind every exact verdict needs it.
pub fn analytic_at(e: &Expr, w: [f64; 2]) -> bool {
    use Expr::*;
    let ok = |v: f64| v.is_finite();
    match e {
        Num(_) | Var(_) => true,
        Neg(a) => analytic_at(a, w),
        Add(a, b) | Sub(a, b) | Mul(a, b) => analytic_at(a, w) && analytic_at(b, w),
        Div(a, b) => {
            analytic_at(a, w) && analytic_at(b, w) && {
                let v = b.eval_tree(w);
                ok(v) && v != 0.0
            }
        }
        Pow(a, b) => {
            analytic_at(a, w)
                && analytic_at(b, w)
                && match **b {
                    Num(k) if k.fract() == 0.0 && k >= 0.0 => true,
                    _ => {
                        let v = a.eval_tree(w);
                        ok(v) && v > 0.0
                    }
                }
        }
        F1(f, a) => {
            let v = a.eval_tree(w);
            analytic_at(a, w)
                && ok(v)
                && match f {
                    Func1::Abs | Func1::Signum | Func1::Cbrt => v != 0.0,
                    Func1::Floor | Func1::Ceil | Func1::Trunc | Func1::Fract => v.fract() != 0.0,
                    Func1::Round => v.fract().abs() != 0.5,
                    Func1::Sqrt | Func1::Ln | Func1::Log2 | Func1::Log10 => v > 0.0,
                    Func1::Asin | Func1::Acos | Func1::Atanh => v.abs() < 1.0,
                    Func1::Acosh => v > 1.0,
                    Func1::Tan => v.cos() != 0.0,
                    _ => true,
                }
        }
        F2(f, a, b) => {
            analytic_at(a, w)
                && analytic_at(b, w)
                && match f {
                    Func2::Min | Func2::Max => a.eval_tree(w) != b.eval_tree(w),
                    Func2::Atan2 => a.eval_tree(w) != 0.0 || b.eval_tree(w) != 0.0,
                }
        }
    }
}

/// The formula with every min/max replaced by its strictly lower (higher) branch at w, where one
/// is (where the branches meet, the min/max stays: K is not analytic there).
fn active_branches(e: &Expr, w: [f64; 2]) -> Expr {
    use Expr::*;
    let r = |x: &Expr| Box::new(active_branches(x, w));
    match e {
        Num(_) | Var(_) => e.clone(),
        Neg(a) => Neg(r(a)),
        Add(a, b) => Add(r(a), r(b)),
        Sub(a, b) => Sub(r(a), r(b)),
        Mul(a, b) => Mul(r(a), r(b)),
        Div(a, b) => Div(r(a), r(b)),
        Pow(a, b) => Pow(r(a), r(b)),
        F1(f, a) => F1(*f, r(a)),
        F2(f @ (Func2::Min | Func2::Max), a, b) => {
            let (va, vb) = (a.eval_tree(w), b.eval_tree(w));
            let first = if *f == Func2::Min { va < vb } else { va > vb };
            let second = if *f == Func2::Min { vb < va } else { vb > va };
            if first {
                active_branches(a, w)
            } else if second {
                active_branches(b, w)
            } else {
                F2(*f, r(a), r(b))
            }
        }
        F2(f, a, b) => F2(*f, r(a), r(b)),
    }
}
