//! The Toy Model of Superposition (SCIENCE.md §9; Chen, Lau, Mendel, Wei, Murfet 2023): c = 6
//! features, 2 hidden dimensions, W ∈ R^{2×6} (column W_i is feature i's arrow in the plane),
//! b ∈ R^6, d = 18; output ReLU(WᵀW·x + b), loss ‖x − ReLU(WᵀW·x + b)‖²; data x = μ·e_i with i
//! uniform on {1 … 6}, μ ~ U[0, 1].
//!
//! Exact, not sampled, and cheap: for an input μ·e_i, output j's ReLU argument is a_ij·μ + b_j
//! with a_ij = W_i·W_j, linear in μ. On the set A where it is positive the error is
//! ((t − a)·μ − b)² (t = δ_ij), elsewhere (t·μ)²: every term is a quadratic in μ over an interval,
//! so it needs only the moments Σ1, Σμ, Σμ² over A —
//! - population: ∫ over a sub-interval of [0, 1] (closed form), weight 1/6 per feature;
//! - data (L_n): prefix sums over each feature's sorted μ's, A found by binary search, weight 1/n.
//!
//! So one evaluation costs 36 such terms whatever n, and the same code gives both losses. The
//! gradient follows by the chain rule (the kink's boundary terms cancel: the integrand is
//! continuous there).
//!
//! Parameters are stored W₁ₓ, W₁ᵧ, …, W₆ₓ, W₆ᵧ, then b₁ … b₆.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;

use super::dmodel::Model;

pub const C: usize = 6;
pub const D: usize = 3 * C;
/// The largest dataset (sorted μ's and prefix sums are kept).
pub const TMS_N_MAX: usize = 10_000_000;

/// Moments (Σ1, Σμ, Σμ²) of one feature's inputs over a sub-interval of μ.
trait Moments {
    /// Over μ > lo (`above`) or μ < lo (below), within [0, 1].
    fn part(&self, feature: usize, cut: f64, above: bool) -> [f64; 3];
    fn all(&self, feature: usize) -> [f64; 3];
}

struct Population;

impl Moments for Population {
    fn part(&self, _f: usize, cut: f64, above: bool) -> [f64; 3] {
        let c = cut.clamp(0.0, 1.0);
        let (lo, hi) = if above { (c, 1.0) } else { (0.0, c) };
        let w = 1.0 / C as f64;
        [w * (hi - lo), w * (hi * hi - lo * lo) / 2.0, w * (hi * hi * hi - lo * lo * lo) / 3.0]
    }
    fn all(&self, f: usize) -> [f64; 3] {
        self.part(f, 0.0, true)
    }
}

/// Each feature's μ's sorted, with prefix sums of 1, μ, μ² (scaled by 1/n).
#[derive(Debug, Clone)]
struct DataMoments {
    mus: Vec<Vec<f64>>,
    /// prefix[f][k] = Σ over the first k sorted μ's
    prefix: Vec<Vec<[f64; 3]>>,
}

impl DataMoments {
    fn new(points: &[(usize, f64)]) -> DataMoments {
        let n = points.len().max(1) as f64;
        let mut mus = vec![vec![]; C];
        for &(i, mu) in points {
            mus[i].push(mu);
        }
        let mut prefix = vec![];
        for m in mus.iter_mut() {
            m.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            let mut p = Vec::with_capacity(m.len() + 1);
            let mut acc = [0.0; 3];
            p.push(acc);
            for &v in m.iter() {
                acc[0] += 1.0 / n;
                acc[1] += v / n;
                acc[2] += v * v / n;
                p.push(acc);
            }
            prefix.push(p);
        }
        DataMoments { mus, prefix }
    }
}

impl Moments for DataMoments {
    fn part(&self, f: usize, cut: f64, above: bool) -> [f64; 3] {
        let m = &self.mus[f];
        let p = &self.prefix[f];
        let last = p[m.len()];
        if above {
            let k = m.partition_point(|&v| v <= cut);
            [last[0] - p[k][0], last[1] - p[k][1], last[2] - p[k][2]]
        } else {
            let k = m.partition_point(|&v| v < cut);
            p[k]
        }
    }
    fn all(&self, f: usize) -> [f64; 3] {
        self.prefix[f][self.mus[f].len()]
    }
}

/// Loss and (optionally) gradient from the moments.
fn loss_grad_with(mo: &dyn Moments, w: &[f64], grad: Option<&mut [f64]>) -> f64 {
    let col = |i: usize| [w[2 * i], w[2 * i + 1]];
    let b = &w[2 * C..3 * C];
    let mut total = 0.0;
    let mut ga = [[0.0f64; C]; C];
    let mut gb = [0.0f64; C];
    for (i, gai) in ga.iter_mut().enumerate() {
        let wi = col(i);
        let all = mo.all(i);
        for j in 0..C {
            let wj = col(j);
            let a = wi[0] * wj[0] + wi[1] * wj[1];
            let bj = b[j];
            let t = if i == j { 1.0 } else { 0.0 };
            let act = if a > 0.0 {
                mo.part(i, -bj / a, true)
            } else if a < 0.0 {
                mo.part(i, -bj / a, false)
            } else if bj > 0.0 {
                all
            } else {
                [0.0; 3]
            };
            let ta = t - a;
            total += t * t * all[2] + (ta * ta - t * t) * act[2] - 2.0 * ta * bj * act[1] + bj * bj * act[0];
            gai[j] = -2.0 * ta * act[2] + 2.0 * bj * act[1];
            gb[j] += -2.0 * ta * act[1] + 2.0 * bj * act[0];
        }
    }
    if let Some(g) = grad {
        for k in 0..C {
            let mut s = [0.0; 2];
            for m in 0..C {
                let c = ga[k][m] + ga[m][k];
                s[0] += c * w[2 * m];
                s[1] += c * w[2 * m + 1];
            }
            g[2 * k] = s[0];
            g[2 * k + 1] = s[1];
        }
        g[2 * C..3 * C].copy_from_slice(&gb);
    }
    total
}

/// The population loss H(W, b) (exact).
pub fn population_loss(w: &[f64]) -> f64 {
    loss_grad_with(&Population, w, None)
}

/// H and its gradient.
pub fn population_grad(w: &[f64], g: &mut [f64]) -> f64 {
    loss_grad_with(&Population, w, Some(g))
}

/// The TMS with a seeded dataset of n points (nested in n).
#[derive(Debug, Clone)]
pub struct Tms {
    pub n_data: usize,
    pub seed: u64,
    pub bounds: Vec<[f64; 2]>,
    /// The population loss instead of L_n.
    pub population: bool,
    data: DataMoments,
    pub points: Vec<(usize, f64)>,
}

/// The `tms` command's sampler settings: γ = 10 keeps each chain near its critical point (with
/// γ = 1 the 5⁺ chains reach the deeper 6-gon; README "Toy Model of Superposition").
pub const LLC_GAMMA: f64 = 10.0;
pub const LLC_DRAWS: usize = 20_000;
pub const LLC_BURN_IN: usize = 4000;

/// The default box: [−2, 2] for every weight and bias (a 6-gon's columns have length 1.32).
pub const BOX: f64 = 2.0;

impl Tms {
    pub fn new(n: usize, seed: u64) -> Result<Tms, String> {
        if !(1..=TMS_N_MAX).contains(&n) {
            return Err(format!("n = {n} must be between 1 and {TMS_N_MAX} for the TMS"));
        }
        let mut rng = StdRng::seed_from_u64(seed);
        let points: Vec<(usize, f64)> = (0..n).map(|_| (rng.random_range(0..C), rng.random::<f64>())).collect();
        let data = DataMoments::new(&points);
        Ok(Tms { n_data: n, seed, bounds: vec![[-BOX, BOX]; D], population: false, data, points })
    }

    /// The model with no data, showing the population loss (for its Hessian).
    pub fn population_only() -> Tms {
        let points = vec![];
        Tms {
            n_data: 1,
            seed: 0,
            bounds: vec![[-BOX, BOX]; D],
            population: true,
            data: DataMoments::new(&points),
            points,
        }
    }

    /// The loss of one input μ·e_i and its gradient added into `g` (SGD minibatches).
    pub fn point_loss_grad(w: &[f64], i: usize, mu: f64, g: &mut [f64]) -> f64 {
        let col = |k: usize| [w[2 * k], w[2 * k + 1]];
        let wi = col(i);
        let mut total = 0.0;
        let mut ga = [0.0f64; C];
        for j in 0..C {
            let wj = col(j);
            let a = wi[0] * wj[0] + wi[1] * wj[1];
            let z = a * mu + w[2 * C + j];
            let t = if i == j { mu } else { 0.0 };
            let out = z.max(0.0);
            let e = t - out;
            total += e * e;
            if z > 0.0 {
                // ∂/∂z = −2e
                ga[j] = -2.0 * e * mu;
                g[2 * C + j] += -2.0 * e;
            }
        }
        // a_ij = W_i·W_j: ∂/∂W_i += ga_j·W_j (j ≠ i), ∂/∂W_j += ga_j·W_i, and 2·ga_i·W_i for j = i
        for j in 0..C {
            if ga[j] == 0.0 {
                continue;
            }
            let wj = col(j);
            g[2 * i] += ga[j] * wj[0];
            g[2 * i + 1] += ga[j] * wj[1];
            g[2 * j] += ga[j] * wi[0];
            g[2 * j + 1] += ga[j] * wi[1];
        }
        total
    }

    /// L_n by the direct sum over the points (a check on the moments).
    pub fn loss_direct(&self, w: &[f64]) -> f64 {
        let mut g = vec![0.0; D];
        self.points.iter().map(|&(i, mu)| Tms::point_loss_grad(w, i, mu, &mut g)).sum::<f64>()
            / self.points.len().max(1) as f64
    }
}

impl Model for Tms {
    fn dim(&self) -> usize {
        D
    }
    fn bounds(&self) -> &[[f64; 2]] {
        &self.bounds
    }
    fn describe(&self) -> String {
        if self.population {
            "TMS (6 features, 2 hidden), population loss".into()
        } else {
            format!("TMS (6 features, 2 hidden), L_n with n = {}, data seed {}", self.n_data, self.seed)
        }
    }
    fn names(&self) -> Vec<String> {
        let mut v = vec![];
        for i in 1..=C {
            v.push(format!("W{i}x"));
            v.push(format!("W{i}y"));
        }
        for i in 1..=C {
            v.push(format!("b{i}"));
        }
        v
    }
    fn data_n(&self) -> Option<usize> {
        Some(self.n_data)
    }
    fn loss(&self, w: &[f64]) -> f64 {
        if self.population { population_loss(w) } else { loss_grad_with(&self.data, w, None) }
    }
    fn loss_grad(&self, w: &[f64], g: &mut [f64]) -> f64 {
        if self.population { population_grad(w, g) } else { loss_grad_with(&self.data, w, Some(g)) }
    }
    fn population(&self, w: &[f64]) -> Option<f64> {
        Some(population_loss(w))
    }
}

/// A k-gon: k columns of length l at angles 2πj/k, bias b on them; the other columns zero with
/// bias min(b, 0), except with `plus` the first unused feature, which gets `plus_bias`.
///
/// An unused feature's ReLU is off for any bias ≤ 0 (the loss is the same), so its bias is a free
/// choice: the used ones' b when negative keeps the point off the ReLU's hinge, where H has no
/// second derivative (at b = 0 exactly the unused column could grow and lower H at second order:
/// a saddle). The 4-gon's b is 0, so it sits on the hinge whatever is chosen.
pub fn kgon(k: usize, l: f64, b: f64, plus: Option<f64>) -> Vec<f64> {
    let mut w = vec![0.0; D];
    for j in 0..C {
        w[2 * C + j] = b.min(0.0);
    }
    for j in 0..k.min(C) {
        let th = std::f64::consts::TAU * j as f64 / k as f64;
        w[2 * j] = l * th.cos();
        w[2 * j + 1] = l * th.sin();
        w[2 * C + j] = b;
    }
    if let Some(pb) = plus
        && k < C
    {
        w[2 * C + k] = pb;
    }
    w
}

/// A critical point of the population loss in the k-gon family, with what was measured there.
#[derive(Debug, Clone, Serialize)]
pub struct CriticalPoint {
    /// "4", "4+", "4++", "5", "5+", "6".
    pub id: String,
    pub k: usize,
    pub plus: bool,
    /// Unused features with a positive bias.
    pub pluses: usize,
    pub l: f64,
    pub b: f64,
    /// The unused features' bias of a "+" point.
    pub plus_bias: Option<f64>,
    pub loss: f64,
    /// |∇H| at the refined point (all 18 coordinates).
    pub grad_norm: f64,
    pub w: Vec<f64>,
    /// Rank of the population Hessian (eigenvalues above 1e-6 of the largest smooth one) and its
    /// eigenvalues, by differences of the exact gradient at h = 1e-5.
    pub hessian_rank: usize,
    pub hessian_eigenvalues: Vec<f64>,
    /// A direction of negative curvature: a saddle, where the LLC (a local minimum's) is not
    /// defined and the chains drift away towards lower loss.
    pub saddle: bool,
    /// On a ReLU hinge (some argument a·μ + b vanishes on a whole interval of μ): differences of
    /// the gradient across it are of order 1/h (|eigenvalue| > 1e3), the one-sided curvatures
    /// differ, and the rank counts those directions.
    pub on_hinge: bool,
}

impl CriticalPoint {
    /// A minimum the Hessian certifies: no negative curvature and off every ReLU hinge (where the
    /// Hessian by differences does not exist, so it can certify nothing).
    pub fn certified_minimum(&self) -> bool {
        !self.saddle && !self.on_hinge
    }
    /// "saddle", "hinge" (not certified) or "minimum", for tables.
    pub fn kind(&self) -> &'static str {
        if self.saddle {
            "saddle"
        } else if self.on_hinge {
            "hinge"
        } else {
            "minimum"
        }
    }
}

/// Some output's ReLU argument W_i·W_j·μ + b_i (feature j active) vanishes for every μ: W_i·W_j
/// and b_i both (numerically) zero. There H is not twice differentiable (the 4-gon family's b = 0
/// with orthogonal neighbours), and differences of the gradient across the hinge depend on h.
pub fn on_a_hinge(w: &[f64]) -> bool {
    let tol = 1e-6;
    (0..C).any(|i| {
        w[2 * C + i].abs() < tol
            && (0..C).any(|j| j != i && (w[2 * i] * w[2 * j] + w[2 * i + 1] * w[2 * j + 1]).abs() < tol)
    })
}

/// What to say at a point on a ReLU hinge that has no negative curvature to show.
pub fn hinge_warning(id: &str) -> String {
    format!(
        "the {id} point sits on a ReLU hinge (an argument W_i·W_j·μ + b_i vanishes for every μ): H has no Hessian there, so nothing certifies a minimum; it is left out of the free energies"
    )
}

/// Nelder–Mead on a function of two variables (our own: 2-D, a few hundred evaluations; a crate
/// would bring a general optimisation framework for one call).
fn nelder_mead2(f: &dyn Fn([f64; 2]) -> f64, start: [f64; 2], step: f64) -> [f64; 2] {
    let mut s = [start, [start[0] + step, start[1]], [start[0], start[1] + step]];
    let mut v = s.map(f);
    for _ in 0..2000 {
        let mut idx = [0, 1, 2];
        idx.sort_by(|&a, &b| v[a].partial_cmp(&v[b]).unwrap_or(std::cmp::Ordering::Equal));
        let (bi, mi, wi) = (idx[0], idx[1], idx[2]);
        let size = (0..3).map(|k| (s[k][0] - s[bi][0]).abs() + (s[k][1] - s[bi][1]).abs()).fold(0.0, f64::max);
        if size < 1e-13 {
            break;
        }
        let c = [(s[bi][0] + s[mi][0]) / 2.0, (s[bi][1] + s[mi][1]) / 2.0];
        let at = |t: f64| [c[0] + t * (s[wi][0] - c[0]), c[1] + t * (s[wi][1] - c[1])];
        let r = at(-1.0);
        let fr = f(r);
        if fr < v[bi] {
            let e = at(-2.0);
            let fe = f(e);
            if fe < fr {
                s[wi] = e;
                v[wi] = fe;
            } else {
                s[wi] = r;
                v[wi] = fr;
            }
        } else if fr < v[mi] {
            s[wi] = r;
            v[wi] = fr;
        } else {
            let k = if fr < v[wi] { at(-0.5) } else { at(0.5) };
            let fk = f(k);
            if fk < v[wi].min(fr) {
                s[wi] = k;
                v[wi] = fk;
            } else {
                for j in [mi, wi] {
                    s[j] = [(s[j][0] + s[bi][0]) / 2.0, (s[j][1] + s[bi][1]) / 2.0];
                    v[j] = f(s[j]);
                }
            }
        }
    }
    let best = (0..3).min_by(|&a, &b| v[a].partial_cmp(&v[b]).unwrap_or(std::cmp::Ordering::Equal)).unwrap_or(0);
    s[best]
}

/// The critical points of the k-gon family: the five (the paper's table) and the square
/// with both unused biases positive (4⁺⁺, where SGD from a standard-normal start often rests),
/// each refined by minimising H over its family's (l, b) (and the unused features' bias for "+"):
/// by the polygon's symmetry the gradient along W is radial, so a stationary (l, b) is a critical
/// point of H in all 18 coordinates (`grad_norm` shows it).
pub fn critical_points() -> Vec<CriticalPoint> {
    let specs: [(usize, usize, [f64; 2]); 6] = [
        (4, 0, [1.0, 0.0]),
        (4, 1, [1.0, 0.0]),
        (4, 2, [1.0, 0.0]),
        (5, 0, [1.1, -0.2]),
        (5, 1, [1.1, -0.2]),
        (6, 0, [1.3, -0.6]),
    ];
    specs.iter().map(|&(k, pluses, start)| refine(k, pluses, start)).collect()
}

/// The unused feature's best bias given the rest: H is quadratic in it where its ReLU is on.
fn plus_bias(w: &[f64], k: usize) -> f64 {
    let f = |pb: f64| {
        let mut v = w.to_vec();
        v[2 * C + k] = pb;
        population_loss(&v)
    };
    // golden section on [0, 1]
    let (mut a, mut b) = (0.0f64, 1.0f64);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..200 {
        let c = b - g * (b - a);
        let d = a + g * (b - a);
        if f(c) < f(d) {
            b = d;
        } else {
            a = c;
        }
    }
    0.5 * (a + b)
}

/// Refine the k-gon with `pluses` unused features given a positive bias. Each unused feature's
/// output depends on its own bias only (its column is zero), so they share the best one.
pub fn refine(k: usize, pluses: usize, start: [f64; 2]) -> CriticalPoint {
    let pluses = pluses.min(C - k);
    let with_pluses = |mut w: Vec<f64>, pb: f64| {
        for j in k..k + pluses {
            w[2 * C + j] = pb;
        }
        w
    };
    let value = |p: [f64; 2]| {
        let w = kgon(k, p[0], p[1], None);
        let w = if pluses > 0 {
            let pb = plus_bias(&w, k);
            with_pluses(w, pb)
        } else {
            w
        };
        population_loss(&w)
    };
    let p = nelder_mead2(&value, start, 0.05);
    let mut w = kgon(k, p[0], p[1], None);
    let pb = (pluses > 0).then(|| plus_bias(&w, k));
    if let Some(v) = pb {
        w = with_pluses(w, v);
    }
    let mut g = vec![0.0; D];
    let loss = population_grad(&w, &mut g);
    let grad_norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
    let pop = Tms::population_only();
    let h = super::dmodel::hessian(&pop, &w, 1e-5);
    let (ev, _) = super::dmodel::spectrum(&h, 1e-6);
    let smooth = ev.iter().filter(|v| v.abs() < 1e3).fold(0.0f64, |m, v| m.max(v.abs()));
    let rank = ev.iter().filter(|v| v.abs() > 1e-6 * smooth).count();
    let saddle = ev.iter().any(|&v| v < -1e-6 * smooth);
    let on_hinge = on_a_hinge(&w) || ev.iter().any(|v| v.abs() >= 1e3);
    CriticalPoint {
        id: format!("{k}{}", "+".repeat(pluses)),
        k,
        plus: pluses > 0,
        pluses,
        l: p[0],
        b: p[1],
        plus_bias: pb,
        loss,
        grad_norm,
        w,
        hessian_rank: rank,
        hessian_eigenvalues: ev,
        saddle,
        on_hinge,
    }
}

/// The phase of (W, b): how many columns are in use (length above a third of the longest and
/// above 0.2), on how many vertices they sit (columns within `SHARED_RAD` of each other's angle
/// share a vertex: SGD from a wide start often parks two features on one vertex of a pentagon,
/// a plateau it leaves when one of them lets go), whether the vertices form a regular polygon
/// (every gap between consecutive angles within 0.35 rad of 2π/k), and one "+" for each unused
/// feature with a positive bias (above 0.04; the "+" points' is 1/12): "4++" is the square with
/// both unused biases positive (H = 1/9 − 2/144), where SGD often rests before a drop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    /// "4", "4++", "5+", "5 (shared)", … or "3 (irregular)".
    pub id: String,
    /// Vertices of the polygon (columns in use, counting a shared vertex once).
    pub k: usize,
    pub plus: bool,
    pub regular: bool,
    /// Columns in use beyond the vertices (features sharing a vertex with another).
    pub shared: usize,
}

/// Columns whose angles differ by less than this (rad, about 8.6°) share a vertex.
pub const SHARED_RAD: f64 = 0.15;

pub fn classify(w: &[f64]) -> Phase {
    use std::f64::consts::TAU;
    let lens: Vec<f64> = (0..C).map(|i| w[2 * i].hypot(w[2 * i + 1])).collect();
    let top = lens.iter().copied().fold(0.0, f64::max);
    let used: Vec<usize> = (0..C).filter(|&i| lens[i] > 0.2 && lens[i] > top / 3.0).collect();
    let mut angles: Vec<f64> = used.iter().map(|&i| w[2 * i + 1].atan2(w[2 * i])).collect();
    angles.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    // one vertex per run of angles closer than SHARED_RAD (around the circle)
    let mut vertices: Vec<f64> = vec![];
    for (j, &a) in angles.iter().enumerate() {
        if j == 0 || a - angles[j - 1] >= SHARED_RAD {
            vertices.push(a);
        }
    }
    if vertices.len() > 1 && vertices[0] + TAU - angles[angles.len() - 1] < SHARED_RAD {
        vertices.remove(0);
    }
    let k = vertices.len();
    let shared = used.len() - k;
    let regular = k >= 2 && {
        let target = TAU / k as f64;
        (0..k).all(|j| {
            let gap = if j + 1 < k { vertices[j + 1] - vertices[j] } else { vertices[0] + TAU - vertices[k - 1] };
            (gap - target).abs() < 0.35
        })
    };
    let pluses = (0..C).filter(|&i| !used.contains(&i) && w[2 * C + i] > 0.04).count();
    let plus = pluses > 0;
    let id = format!(
        "{k}{}{}{}",
        "+".repeat(pluses),
        if shared > 0 { " (shared)" } else { "" },
        if regular || k < 2 { "" } else { " (irregular)" }
    );
    Phase { id, k, plus, regular, shared }
}

/// Where the dominant phase changes as n grows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crossover {
    pub from: String,
    pub to: String,
    pub n: f64,
}

/// The local free energies F_k(n) ≈ n·H_k + λ_k·log n of phases (id, H_k, λ_k): the phase with the
/// least F at each n from 2 to 1e12, and the n where it changes (bisection on F_a − F_b = 0
/// between grid points). Only differences matter, so the common n·H* and O(1) terms drop out.
pub fn crossovers(phases: &[(String, f64, f64)]) -> Vec<Crossover> {
    let f = |k: usize, n: f64| n * phases[k].1 + phases[k].2 * n.ln();
    let best = |n: f64| {
        (0..phases.len())
            .filter(|&k| phases[k].2.is_finite())
            .min_by(|&a, &b| f(a, n).partial_cmp(&f(b, n)).unwrap_or(std::cmp::Ordering::Equal))
    };
    let mut out = vec![];
    let steps = 4000;
    let (lo, hi) = (2f64.ln(), 1e12f64.ln());
    let mut prev_n = 2.0;
    let Some(mut prev) = best(prev_n) else { return out };
    for s in 1..=steps {
        let n = (lo + (hi - lo) * s as f64 / steps as f64).exp();
        let Some(cur) = best(n) else { continue };
        if cur != prev {
            let (mut a, mut b) = (prev_n, n);
            for _ in 0..100 {
                let m = (a * b).sqrt();
                if f(prev, m) <= f(cur, m) { a = m } else { b = m }
            }
            out.push(Crossover { from: phases[prev].0.clone(), to: phases[cur].0.clone(), n: (a * b).sqrt() });
            prev = cur;
        }
        prev_n = n;
    }
    out
}

/// Where to localise the LLC of a critical point on the data: the minimum of L_n the point's
/// phase reaches by gradient descent (what training on these data would give; the estimator
/// compares the posterior's mean L_n with L_n(w*), and at the population's critical point itself
/// L_n(w*) sits above the nearby minimum by O(d/n), which the tempered chains then read as a
/// negative contribution). Falls back to the population's point, with the reason, when the descent
/// leaves the phase (a saddle: the data tip it towards another phase).
pub fn localise_on_data(model: &Tms, cp: &CriticalPoint) -> (Vec<f64>, String) {
    let (w, _) = super::dmodel::descend(model, &cp.w, 5000, 1e-10);
    let ph = classify(&w);
    if ph.id == cp.id {
        let moved = w.iter().zip(&cp.w).map(|(a, b)| (a - b).powi(2)).sum::<f64>().sqrt();
        (w, format!("the minimum of L_n in the {} phase nearest the critical point (moved {:.3})", cp.id, moved))
    } else {
        (
            cp.w.clone(),
            format!(
                "the population's critical point: descending L_n from it leaves the {} phase (reaches {}), so it is not a minimum on these data",
                cp.id, ph.id
            ),
        )
    }
}

/// The fraction of a run's states (every chain's thinned draws) whose phase is not `id`, and the
/// phases they reached.
pub fn left_phase(states: &[Vec<Vec<f64>>], id: &str) -> (f64, Vec<String>) {
    let mut total = 0usize;
    let mut out = 0usize;
    let mut seen: Vec<String> = vec![];
    for chain in states {
        for w in chain {
            total += 1;
            let p = classify(w).id;
            if p != id {
                out += 1;
                if !seen.contains(&p) {
                    seen.push(p);
                }
            }
        }
    }
    (if total > 0 { out as f64 / total as f64 } else { 0.0 }, seen)
}

/// A warning when more than 1% of the draws left the phase: the estimate then mixes in another
/// basin's lower (or higher) loss.
pub fn phase_warning(states: &[Vec<Vec<f64>>], id: &str) -> Option<String> {
    let (frac, seen) = left_phase(states, id);
    (frac > 0.01).then(|| {
        format!(
            "{:.0}% of the draws left the {id} phase (reaching {}): the chains mix in another basin's loss; localise more strongly (--gamma) to measure this phase alone",
            100.0 * frac,
            seen.join(", ")
        )
    })
}

/// The paper's LLC estimates at n = 5,000 (Chen et al. 2023, as reproduced publicly; SCIENCE.md §9),
/// shown beside ours — never used by a computation.
pub fn paper_llc(id: &str) -> Option<(f64, f64)> {
    match id {
        "5" => Some((7.71, 0.85)),
        "5+" => Some((9.91, 1.27)),
        "6" => Some((9.03, 0.59)),
        _ => None,
    }
}

/// What to say at a saddle instead of presenting its number as an LLC.
pub fn saddle_warning(id: &str) -> String {
    format!(
        "the {id} point is a saddle of the population loss (its Hessian has a negative eigenvalue): the LLC is a local minimum's; here the localisation γ alone holds the chains, and the number is not a learning coefficient"
    )
}
