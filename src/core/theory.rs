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

use super::landscape::{Landscape, Minimum};
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
    /// The catalogue's stored value.
    Preset,
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
            Source::Preset => "preset",
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

/// A verdict at one candidate point: theory, reason, point, local polynomial, polygon, 1-D order.
type Candidate = (Theory, String, [f64; 2], Poly, Option<NewtonPolygon>, Option<u32>);

/// Analyse the landscape at its minimisers (for several, the most singular wins).
pub fn analyze(land: &Landscape, min: &Minimum) -> TheoryReport {
    let d = land.dim;
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
    let poly = to_poly(&land.formula.expr);
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
    // candidate expansion points: the minimisers found, the declared ones, the centre of the box
    let mut cands: Vec<[f64; 2]> = min.argmin.iter().take(12).copied().collect();
    cands.extend(land.declared_minimizers.iter().copied());
    cands.push([
        0.5 * (land.bounds[0][0] + land.bounds[0][1]),
        if d == 2 { 0.5 * (land.bounds[1][0] + land.bounds[1][1]) } else { 0.0 },
    ]);
    if let Some(p) = &poly {
        let scale = p.values().map(|c| c.mag).fold(0.0, f64::max).max(1e-300);
        let mut best: Option<Candidate> = None;
        for w in cands {
            let w = exact_critical_point(p, w, d, scale);
            let inside = (0..d).all(|a| w[a] >= land.bounds[a][0] && w[a] <= land.bounds[a][1]);
            // a minimiser: K(w) = K* within rounding
            if !inside || (eval(p, w[0], w[1]) - min.k_min).abs() > 1e-9 * scale {
                continue;
            }
            let on_edge =
                (0..d).any(|a| (w[a] - land.bounds[a][0]).abs() < 1e-12 || (w[a] - land.bounds[a][1]).abs() < 1e-12);
            let raw = translate(p, w[0], if d == 2 { w[1] } else { 0.0 });
            let suspicious = raw.iter().any(|(k, c)| {
                let r = c.c.abs() / c.mag.max(f64::MIN_POSITIVE);
                *k != (0, 0) && r > ZERO_TOL && r < REAL_TOL
            });
            let q = clean(&raw);
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
        // symbolic derivatives (zero relative to the scale of K over the box)
        report.reason = "not a polynomial".into();
        if let (Some(w), Ok(ex)) = (min.argmin.first(), land.formula.exmex()) {
            let scale = (min.k_max - min.k_min).abs().max(1e-300);
            let width = land.box_width(0);
            let mut der = Some(ex);
            let mut fact = 1.0;
            // Symbolic derivatives can swell exponentially with the order ((asin(x))^64: the 8th
            // derivative took minutes and overflowed a 2 MB stack), so only small formulas, and stop
            // once a derivative's text passes 4,000 characters.
            let small = land.formula.expr.canonical().len() <= 600;
            for k in 1..=8u32 {
                if !small {
                    break;
                }
                fact *= k as f64;
                der = der.and_then(|e| exmex::Differentiate::partial(e, 0).ok());
                let Some(e) = &der else { break };
                if exmex::Express::unparse(e).len() > 4000 {
                    break;
                }
                let v = exmex::Express::eval(e, &[w[0]]).unwrap_or(f64::NAN);
                if !v.is_finite() {
                    break;
                }
                if (v / fact).abs() * width.powi(k as i32) > 1e-8 * scale {
                    if k >= 2 {
                        report.order_1d = Some(k);
                        report.theory = Some(Theory {
                            lambda: 1.0 / k as f64,
                            m: 1,
                            source: Source::Hessian,
                            status: Status::Exact,
                        });
                        report.reason = format!(
                            "not a polynomial; the first non-vanishing derivative at the minimum (exmex, symbolic) has order {k}: λ = 1/{k}"
                        );
                    }
                    break;
                }
            }
        }
    } else {
        report.reason = "not a polynomial: only the Hessian and the measurements apply".into();
    }
    if report.theory.is_none()
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
    }
    report
}
