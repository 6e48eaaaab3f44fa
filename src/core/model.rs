//! Models with sampled data (SCIENCE.md §5): a seeded dataset of n points, the empirical loss
//! L_n(w) that replaces K in every panel, the population loss K(w) it converges to, and per-sample
//! gradients for SGD and minibatch SGLD.
//!
//! Regression y = f(x; a, b) + N(0, σ²), x ~ N(0, 1), parameters w = (a, b) drawn as (x, y) in the
//! panels. With the negative log-likelihood up to its constant,
//!
//!   L_n(w) = (1/(2σ²n))·Σ (y_i − f(x_i; w))² − 1/2,   K(w) = (1/(2σ²))·E[(f(x; w) − f(x; w₀))²],
//!
//! so that E[L_n(w)] = K(w) for every w (the −1/2 removes the noise's own share, σ²/(2σ²)).
//!
//! Both losses are cheap to evaluate, so every view (volume curve down to ε ~ 1e-13, posterior,
//! basins) works on them exactly as on a formula:
//! - f = a·b·x has sufficient statistics: L_n needs only Σx², Σxy, Σy² (O(1) per evaluation).
//! - f = a·tanh(b·x) is quadratic in a: L_n = (S₀ − 2a·S₁(b) + a²·S₂(b))/(2σ²) − 1/2 with
//!   S₁(b) = mean y·tanh(bx), S₂(b) = mean tanh²(bx). S₁, S₂ and their first two b-derivatives are
//!   summed exactly over the data at 2,049 nodes across the box and joined by quintic Hermite
//!   interpolation (error ~h⁶·|S⁽⁶⁾|/46080 < 1e-14 here; the test compares with the direct sum).
//!   Building the table costs n × 2,049 tanh evaluations on the worker thread (split over the
//!   cores): hence the cap `TANH_N_MAX` on n for this model.
//!   The population K uses the same table built on a quadrature "dataset": the Gaussian density
//!   on a fine uniform grid (the trapezoid rule converges geometrically for an integrand analytic
//!   in a strip, here |Im x| < π/(2|b|)).

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// The largest dataset for a·b·x (memory: two f64 per point, kept for minibatches).
pub const PRODUCT_N_MAX: usize = 1_000_000;
/// The largest dataset for the tanh models (building the L_n table costs n × 2,049 tanh).
pub const TANH_N_MAX: usize = 100_000;
/// The widest b-range of a tanh model's box.
pub const TANH_B_MAX: f64 = 20.0;
/// Table nodes across the b-range of the box.
const TABLE_NODES: usize = 2049;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// y = a·tanh(b·x) + noise.
    Tanh,
    /// y = a·b·x + noise (the smallest reduced-rank regression).
    Product,
    /// y = a·tanh(b·x) + noise with a weak truth and a small start: SGD lingers on the singular
    /// plateau around {a·b = 0}, then drops into the regular basin at (a₀, b₀).
    Escape,
}

/// A suggested SGD run (part of a model preset).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SgdPreset {
    pub start: [f64; 2],
    pub lr: f64,
    pub batch: usize,
    pub steps: usize,
}

/// What the catalogue says about a model.
#[derive(Debug, Clone, Copy)]
pub struct ModelInfo {
    pub kind: ModelKind,
    pub id: &'static str,
    pub name: &'static str,
    pub formula: &'static str,
    pub truth: [f64; 2],
    pub sigma: f64,
    pub n: usize,
    pub bounds: [[f64; 2]; 2],
    pub sgd: SgdPreset,
    pub explanation: &'static str,
}

static MODELS: [ModelInfo; 3] = [
    ModelInfo {
        kind: ModelKind::Tanh,
        id: "tanh",
        name: "tanh neuron a·tanh(b·x)",
        formula: "y = a·tanh(b·x) + N(0, σ²)",
        truth: [0.0, 0.0],
        sigma: 1.0,
        n: 1000,
        bounds: [[-2.0, 2.0], [-2.0, 2.0]],
        sgd: SgdPreset { start: [1.2, 1.5], lr: 0.1, batch: 16, steps: 3000 },
        explanation: "One tanh neuron. With a₀·b₀ = 0 the truth is y = noise, realised on the whole cross {a·b = 0}: the population K ≈ a²b² near the origin (λ = 1/2, m = 2). With a₀·b₀ ≠ 0 the minimum (a₀, b₀) is regular (λ = 1).",
    },
    ModelInfo {
        kind: ModelKind::Product,
        id: "product",
        name: "reduced rank a·b·x",
        formula: "y = a·b·x + N(0, σ²)",
        truth: [0.0, 0.0],
        sigma: 1.0,
        n: 1000,
        bounds: [[-2.0, 2.0], [-2.0, 2.0]],
        sgd: SgdPreset { start: [1.5, -1.0], lr: 0.05, batch: 16, steps: 2000 },
        explanation: "The smallest reduced-rank regression: K = (ab − a₀b₀)²/(2σ²). With a₀·b₀ = 0 it is the cross x²y² (λ = 1/2, m = 2); otherwise a hyperbola of minima (λ = 1/2, m = 1). L_n needs only Σx², Σxy, Σy².",
    },
    ModelInfo {
        kind: ModelKind::Escape,
        id: "escape",
        name: "escape: plateau then drop",
        formula: "y = a·tanh(b·x) + N(0, σ²), small start",
        truth: [0.6, 0.6],
        sigma: 1.0,
        n: 2000,
        bounds: [[-1.5, 1.5], [-1.5, 1.5]],
        sgd: SgdPreset { start: [0.003, 0.001], lr: 0.05, batch: 32, steps: 3000 },
        explanation: "A tanh neuron with a weak signal, started near zero like a network. SGD first crawls along the singular region around {a·b = 0}, where L_n is flat (a plateau of the loss curve), then drops into the regular basin near (a₀, b₀): the loss falls and the LLC along the path rises from its singular value towards 1. At small n (try 60) the posterior spreads over the singular region around the cross; by n ≈ 2,000 it sits in the two regular basins ±(a₀, b₀).",
    },
];

pub fn all() -> &'static [ModelInfo] {
    &MODELS
}

pub fn find(id: &str) -> Option<&'static ModelInfo> {
    MODELS.iter().find(|m| m.id.eq_ignore_ascii_case(id.trim()))
}

pub fn info(kind: ModelKind) -> &'static ModelInfo {
    MODELS.iter().find(|m| m.kind == kind).unwrap_or(&MODELS[0])
}

/// A model with its data: plain, serialisable (sessions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub kind: ModelKind,
    /// The true parameters (a₀, b₀).
    pub truth: [f64; 2],
    /// Noise standard deviation.
    pub sigma: f64,
    /// Number of data points (the n of the posterior).
    pub n: usize,
    pub seed: u64,
    /// Show the population K instead of L_n (every panel then shows the n → ∞ landscape).
    #[serde(default)]
    pub population: bool,
}

impl ModelSpec {
    pub fn preset(id: &str) -> Option<ModelSpec> {
        let m = find(id)?;
        Some(ModelSpec { kind: m.kind, truth: m.truth, sigma: m.sigma, n: m.n, seed: 1, population: false })
    }

    pub fn info(&self) -> &'static ModelInfo {
        info(self.kind)
    }

    pub fn n_max(&self) -> usize {
        match self.kind {
            ModelKind::Product => PRODUCT_N_MAX,
            ModelKind::Tanh | ModelKind::Escape => TANH_N_MAX,
        }
    }

    /// Cheap checks (the UI calls this on its own thread; the data are drawn on the worker).
    pub fn validate(&self) -> Result<(), String> {
        if !(self.truth.iter().all(|v| v.is_finite() && v.abs() <= 100.0)) {
            return Err("the true parameters (a₀, b₀) must be finite numbers within ±100".into());
        }
        if !(self.sigma.is_finite() && self.sigma >= 1e-3 && self.sigma <= 1e3) {
            return Err(format!("σ = {} must be between 0.001 and 1000", super::num::short(self.sigma)));
        }
        if self.n < 2 {
            return Err(format!("a model needs at least 2 data points (n = {})", self.n));
        }
        if self.n > self.n_max() {
            return Err(format!(
                "n = {} is above this model's cap of {} drawn points{}",
                self.n,
                self.n_max(),
                if self.n_max() == TANH_N_MAX {
                    " (each evaluation table costs n × 2,049 tanh on the worker thread)"
                } else {
                    " (the data are kept in memory for minibatches)"
                }
            ));
        }
        Ok(())
    }

    /// The box must keep the L_n table exact: for the tanh models |b| ≤ `TANH_B_MAX` (2,049 nodes
    /// then lie at most 0.02 apart, where the quintic Hermite error is below 1e-12).
    pub fn check_box(&self, bounds: [[f64; 2]; 2]) -> Result<(), String> {
        if matches!(self.kind, ModelKind::Tanh | ModelKind::Escape)
            && (bounds[1][0] < -TANH_B_MAX || bounds[1][1] > TANH_B_MAX)
        {
            return Err(format!(
                "for a tanh model the b-range (y axis) must lie within ±{TANH_B_MAX}, got [{}, {}]: beyond, tanh(b·x) is a step and its table would need more nodes",
                bounds[1][0], bounds[1][1]
            ));
        }
        Ok(())
    }

    pub fn describe(&self) -> String {
        format!(
            "{} (a₀, b₀) = ({}, {}), σ = {}, n = {}, seed {}{}",
            self.info().id,
            self.truth[0],
            self.truth[1],
            self.sigma,
            self.n,
            self.seed,
            if self.population { ", population K" } else { "" }
        )
    }

    /// f(x; a, b).
    pub fn f(&self, x: f64, w: [f64; 2]) -> f64 {
        match self.kind {
            ModelKind::Product => w[0] * w[1] * x,
            ModelKind::Tanh | ModelKind::Escape => w[0] * (w[1] * x).tanh(),
        }
    }

    /// ∂f/∂(a, b).
    pub fn df(&self, x: f64, w: [f64; 2]) -> [f64; 2] {
        match self.kind {
            ModelKind::Product => [w[1] * x, w[0] * x],
            ModelKind::Tanh | ModelKind::Escape => {
                let t = (w[1] * x).tanh();
                [t, w[0] * x * (1.0 - t * t)]
            }
        }
    }

    /// The first n points of the seeded stream: (x_i, y_i). Datasets for the same seed are nested
    /// (n = 1000 extends n = 500), so moving the n slider adds points instead of redrawing them.
    pub fn draw(&self) -> (Vec<f64>, Vec<f64>) {
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut xs = Vec::with_capacity(self.n);
        let mut ys = Vec::with_capacity(self.n);
        for _ in 0..self.n {
            let x: f64 = rng.sample(StandardNormal);
            let e: f64 = rng.sample(StandardNormal);
            xs.push(x);
            ys.push(self.f(x, self.truth) + self.sigma * e);
        }
        (xs, ys)
    }
}

/// S₁(b), S₂(b) and their first two derivatives at equally spaced nodes, joined by quintic Hermite
/// interpolation.
#[derive(Debug, Clone)]
struct TanhTable {
    lo: f64,
    h: f64,
    /// per node: [S1, S1', S1'', S2, S2', S2'']
    nodes: Vec<[f64; 6]>,
    /// mean of y² (or of f₀² for the population)
    s0: f64,
}

impl TanhTable {
    /// Weighted sums over (x_i, t_i, weight_i): S₁ = Σ wt·t·tanh(bx), S₂ = Σ wt·tanh²(bx).
    fn build(xs: &[f64], ts: &[f64], wts: Option<&[f64]>, range: [f64; 2]) -> TanhTable {
        let lo = range[0];
        let h = (range[1] - range[0]) / (TABLE_NODES - 1) as f64;
        let total: f64 = wts.map(|w| w.iter().sum()).unwrap_or(xs.len() as f64);
        let node = |j: usize| -> [f64; 6] {
            let b = lo + h * j as f64;
            let mut acc = [0.0f64; 6];
            for i in 0..xs.len() {
                let x = xs[i];
                let wt = wts.map(|w| w[i]).unwrap_or(1.0);
                let th = (b * x).tanh();
                let s = 1.0 - th * th;
                let d1 = x * s;
                let d2 = -2.0 * x * x * th * s;
                let y = ts[i] * wt;
                acc[0] += y * th;
                acc[1] += y * d1;
                acc[2] += y * d2;
                acc[3] += wt * th * th;
                acc[4] += wt * 2.0 * th * d1;
                acc[5] += wt * 2.0 * (d1 * d1 + th * d2);
            }
            acc.map(|v| v / total)
        };
        // the nodes are independent: split them over the cores (scoped threads; the result does not
        // depend on the split, each node is summed in the same order)
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 8);
        let chunk = TABLE_NODES.div_ceil(threads);
        let mut nodes = vec![[0.0f64; 6]; TABLE_NODES];
        std::thread::scope(|sc| {
            for (k, part) in nodes.chunks_mut(chunk).enumerate() {
                let node = &node;
                sc.spawn(move || {
                    for (off, slot) in part.iter_mut().enumerate() {
                        *slot = node(k * chunk + off);
                    }
                });
            }
        });
        let s0 = (0..xs.len()).map(|i| wts.map(|w| w[i]).unwrap_or(1.0) * ts[i] * ts[i]).sum::<f64>() / total;
        TanhTable { lo, h, nodes, s0 }
    }

    /// (S₁(b), S₂(b)); b is clamped to the table's range (the box).
    #[inline]
    fn eval(&self, b: f64) -> (f64, f64) {
        let last = self.nodes.len() - 1;
        let u = ((b - self.lo) / self.h).clamp(0.0, last as f64);
        let j = (u.floor() as usize).min(last - 1);
        let t = u - j as f64;
        let (p, q) = (&self.nodes[j], &self.nodes[j + 1]);
        let h = self.h;
        // quintic Hermite basis on [0, 1]
        let t2 = t * t;
        let t3 = t2 * t;
        let t4 = t3 * t;
        let t5 = t4 * t;
        let h00 = 1.0 - 10.0 * t3 + 15.0 * t4 - 6.0 * t5;
        let h10 = t - 6.0 * t3 + 8.0 * t4 - 3.0 * t5;
        let h20 = 0.5 * t2 - 1.5 * t3 + 1.5 * t4 - 0.5 * t5;
        let h01 = 10.0 * t3 - 15.0 * t4 + 6.0 * t5;
        let h11 = -4.0 * t3 + 7.0 * t4 - 3.0 * t5;
        let h21 = 0.5 * t3 - t4 + 0.5 * t5;
        let s = |k: usize| {
            h00 * p[k]
                + h10 * h * p[k + 1]
                + h20 * h * h * p[k + 2]
                + h01 * q[k]
                + h11 * h * q[k + 1]
                + h21 * h * h * q[k + 2]
        };
        (s(0), s(3))
    }
}

#[derive(Debug, Clone)]
enum Eval {
    /// (1/(2σ²))·(sxx·(ab − β̂)² + rss) − 1/2, written around β̂ = Σxy/Σx² so that no cancellation
    /// hides L_n − L_n* at small ε.
    Product {
        sxx: f64,
        beta: f64,
        rss: f64,
    },
    Tanh(Box<TanhTable>),
}

/// A model's loss on the box: L_n from the drawn data, or the population K.
#[derive(Debug, Clone)]
pub struct DataLoss {
    pub spec: ModelSpec,
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    eval: Eval,
    pop: Eval,
}

/// Population nodes for E over x ~ N(0, 1): a uniform grid on [−12, 12] (tails below 1e-31).
fn gauss_nodes() -> (Vec<f64>, Vec<f64>) {
    let m = 4801;
    let h = 24.0 / (m - 1) as f64;
    let xs: Vec<f64> = (0..m).map(|i| -12.0 + h * i as f64).collect();
    let ws: Vec<f64> = xs.iter().map(|x| (-0.5 * x * x).exp() * h / (2.0 * std::f64::consts::PI).sqrt()).collect();
    (xs, ws)
}

impl DataLoss {
    /// Draw the data and build both losses for the box `bounds` (b = axis 1).
    pub fn new(spec: &ModelSpec, bounds: [[f64; 2]; 2]) -> Result<DataLoss, String> {
        spec.validate()?;
        spec.check_box(bounds)?;
        let (xs, ys) = spec.draw();
        let s2 = spec.sigma * spec.sigma;
        let (eval, pop) = match spec.kind {
            ModelKind::Product => {
                let n = xs.len() as f64;
                let sxx = xs.iter().map(|x| x * x).sum::<f64>() / n;
                let sxy = xs.iter().zip(&ys).map(|(x, y)| x * y).sum::<f64>() / n;
                let syy = ys.iter().map(|y| y * y).sum::<f64>() / n;
                let beta = sxy / sxx;
                // residual sum of squares of the least-squares fit, ≥ 0 by Cauchy–Schwarz
                let rss = (syy - sxy * beta).max(0.0);
                let c = spec.truth[0] * spec.truth[1];
                (
                    Eval::Product { sxx: sxx / s2, beta, rss: rss / s2 },
                    Eval::Product { sxx: 1.0 / s2, beta: c, rss: 1.0 },
                )
            }
            ModelKind::Tanh | ModelKind::Escape => {
                let range = [bounds[1][0], bounds[1][1]];
                let t = TanhTable::build(&xs, &ys, None, range);
                let (gx, gw) = gauss_nodes();
                let f0: Vec<f64> = gx.iter().map(|&x| spec.f(x, spec.truth)).collect();
                let p = TanhTable::build(&gx, &f0, Some(&gw), range);
                (Eval::Tanh(Box::new(t)), Eval::Tanh(Box::new(p)))
            }
        };
        Ok(DataLoss { spec: spec.clone(), xs, ys, eval, pop })
    }

    fn eval_with(&self, e: &Eval, w: [f64; 2], population: bool) -> f64 {
        let s2 = self.spec.sigma * self.spec.sigma;
        match e {
            Eval::Product { sxx, beta, rss } => {
                let d = w[0] * w[1] - beta;
                if population { 0.5 * sxx * d * d } else { 0.5 * (sxx * d * d + rss) - 0.5 }
            }
            Eval::Tanh(t) => {
                let (s1, s2b) = t.eval(w[1]);
                let a = w[0];
                let v = (t.s0 - 2.0 * a * s1 + a * a * s2b) / (2.0 * s2);
                if population { v.max(0.0) } else { v - 0.5 }
            }
        }
    }

    /// What the landscape shows: L_n, or K when the spec asks for the population.
    #[inline]
    pub fn loss(&self, a: f64, b: f64) -> f64 {
        if self.spec.population { self.population(a, b) } else { self.empirical(a, b) }
    }

    /// L_n(a, b) from the table or the sufficient statistics.
    pub fn empirical(&self, a: f64, b: f64) -> f64 {
        self.eval_with(&self.eval, [a, b], false)
    }

    /// The population K(a, b) ≥ 0.
    pub fn population(&self, a: f64, b: f64) -> f64 {
        self.eval_with(&self.pop, [a, b], true)
    }

    /// L_n by the direct sum over the data (a check on the table; O(n)).
    pub fn empirical_direct(&self, a: f64, b: f64) -> f64 {
        let s2 = self.spec.sigma * self.spec.sigma;
        let n = self.xs.len() as f64;
        self.xs.iter().zip(&self.ys).map(|(&x, &y)| (y - self.spec.f(x, [a, b])).powi(2)).sum::<f64>() / (2.0 * s2 * n)
            - 0.5
    }

    /// Mean gradient of the per-sample loss (y − f)²/(2σ²) over the points `idx` (all if None).
    pub fn grad(&self, w: [f64; 2], idx: Option<&[usize]>) -> [f64; 2] {
        let s2 = self.spec.sigma * self.spec.sigma;
        let mut g = [0.0; 2];
        let mut add = |i: usize| {
            let x = self.xs[i];
            let r = self.spec.f(x, w) - self.ys[i];
            let d = self.spec.df(x, w);
            g[0] += r * d[0];
            g[1] += r * d[1];
        };
        let count = match idx {
            Some(ix) => {
                ix.iter().for_each(|&i| add(i));
                ix.len()
            }
            None => {
                (0..self.xs.len()).for_each(&mut add);
                self.xs.len()
            }
        };
        let c = count.max(1) as f64 * s2;
        [g[0] / c, g[1] / c]
    }

    /// Standard deviation over the data (the first `max` points) of the per-sample gradient, per axis.
    pub fn grad_spread(&self, w: [f64; 2], max: usize) -> [f64; 2] {
        let s2 = self.spec.sigma * self.spec.sigma;
        let m = self.xs.len().min(max).max(1);
        let mut sum = [0.0; 2];
        let mut sq = [0.0; 2];
        for i in 0..m {
            let x = self.xs[i];
            let r = (self.spec.f(x, w) - self.ys[i]) / s2;
            let d = self.spec.df(x, w);
            for a in 0..2 {
                sum[a] += r * d[a];
                sq[a] += (r * d[a]).powi(2);
            }
        }
        let mf = m as f64;
        [0, 1].map(|a| (sq[a] / mf - (sum[a] / mf).powi(2)).max(0.0).sqrt())
    }

    /// Minibatch loss (y − f)²/(2σ²) − 1/2 over `idx`.
    pub fn batch_loss(&self, w: [f64; 2], idx: &[usize]) -> f64 {
        let s2 = self.spec.sigma * self.spec.sigma;
        idx.iter().map(|&i| (self.ys[i] - self.spec.f(self.xs[i], w)).powi(2)).sum::<f64>()
            / (2.0 * s2 * idx.len().max(1) as f64)
            - 0.5
    }

    pub fn len(&self) -> usize {
        self.xs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.xs.is_empty()
    }
}

/// The exact learning coefficient of the population K at the truth, where the literature has it.
pub fn population_lambda(spec: &ModelSpec) -> (f64, u32, &'static str) {
    let c = spec.truth[0] * spec.truth[1];
    match (spec.kind, c == 0.0) {
        (ModelKind::Product, true) => (0.5, 2, "K ~ a²b²: the cross (SCIENCE.md §7)"),
        (ModelKind::Product, false) => (0.5, 1, "K ~ (ab − a₀b₀)²: a smooth curve of minima, one transverse direction"),
        (_, true) => (0.5, 2, "K ≈ a²b²·E[x²]/(2σ²) near the origin: the cross (SCIENCE.md §7)"),
        (_, false) => (1.0, 1, "a regular minimum at ±(a₀, b₀): λ = d/2"),
    }
}
