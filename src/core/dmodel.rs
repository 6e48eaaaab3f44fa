//! Models with d parameters (d ≤ `D_MAX`): what the d-dimensional sampler (`dsampler`) and SGD
//! need — the loss L(w) that the posterior tempers, its gradient, the box (the uniform prior), the
//! population loss where it is known, and for a model with data the size n of its dataset.
//!
//! One trait, not an enum: the instances are of very different kinds (a typed formula in x1 … x8,
//! reduced-rank regression with its sufficient statistics, the Toy Model of Superposition with its
//! sorted data, a 2-D landscape of the window) and the sampler only ever asks for the loss and its
//! gradient; a virtual call per evaluation costs nothing beside an evaluation.
//!
//! A typed formula that is a sum of one-variable terms (separable) has its exact tempered value:
//! the tempered, localised posterior is a product over the axes, so
//! n·β·E[K(w) − K(w*)] = Σ_i n·β·E_i[k_i(w_i) − k_i(w*_i)], each a one-dimensional quadrature
//! (`Separable::exact_tempered`). That is the d-D test truth of the sampler (SCIENCE.md §5).

use super::expr::{Expr, MAX_INDEXED_VARS, ParseError};
use super::landscape::{Landscape, LandscapeSpec};
use super::num::integrate_adaptive;

/// The most parameters a model may have (the sampler's d×d matrices, a table a person can read).
pub const D_MAX: usize = 32;

/// A loss on a box of R^d.
pub trait Model: Send + Sync {
    fn dim(&self) -> usize;
    /// [lo, hi] per parameter: the support of the uniform prior.
    fn bounds(&self) -> &[[f64; 2]];
    /// One line for a legend or a JSON "model" field.
    fn describe(&self) -> String;
    /// Parameter names for tables ("x1", "W[1,3]", …).
    fn names(&self) -> Vec<String> {
        (1..=self.dim()).map(|i| format!("w{i}")).collect()
    }
    /// The number of data points L is the mean over; None for a formula (then n is a setting).
    fn data_n(&self) -> Option<usize> {
        None
    }
    /// The loss the posterior tempers: L_n for a model with data, K for a formula.
    fn loss(&self, w: &[f64]) -> f64;
    /// The loss and its gradient (written into `g`). Default: central differences.
    fn loss_grad(&self, w: &[f64], g: &mut [f64]) -> f64 {
        central_gradient(&|v: &[f64]| self.loss(v), w, g);
        self.loss(w)
    }
    /// The population loss K(w), where the model knows it.
    fn population(&self, _w: &[f64]) -> Option<f64> {
        None
    }
}

/// Central differences at a step scaled to each coordinate (error ~h² of the third derivative).
pub fn central_gradient(f: &dyn Fn(&[f64]) -> f64, w: &[f64], g: &mut [f64]) {
    let mut v = w.to_vec();
    for i in 0..w.len() {
        let h = 1e-5 * w[i].abs().max(1e-2);
        v[i] = w[i] + h;
        let a = f(&v);
        v[i] = w[i] - h;
        let b = f(&v);
        v[i] = w[i];
        g[i] = (a - b) / (2.0 * h);
    }
}

/// The Hessian of `model.loss` at w by central differences of its gradient, symmetrised.
pub fn hessian(model: &dyn Model, w: &[f64], h: f64) -> nalgebra::DMatrix<f64> {
    let d = model.dim();
    let mut hm = nalgebra::DMatrix::zeros(d, d);
    let mut v = w.to_vec();
    let (mut gp, mut gm) = (vec![0.0; d], vec![0.0; d]);
    for j in 0..d {
        v[j] = w[j] + h;
        model.loss_grad(&v, &mut gp);
        v[j] = w[j] - h;
        model.loss_grad(&v, &mut gm);
        v[j] = w[j];
        for i in 0..d {
            hm[(i, j)] = (gp[i] - gm[i]) / (2.0 * h);
        }
    }
    (&hm + hm.transpose()) * 0.5
}

/// The eigenvalues of a symmetric matrix, largest first, and how many exceed `rel` of the largest
/// in absolute value (the numerical rank).
pub fn spectrum(h: &nalgebra::DMatrix<f64>, rel: f64) -> (Vec<f64>, usize) {
    let eig = nalgebra::SymmetricEigen::new(h.clone());
    let mut ev: Vec<f64> = eig.eigenvalues.iter().copied().collect();
    ev.sort_by(|a, b| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal));
    let top = ev.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let rank = ev.iter().filter(|v| v.abs() > rel * top).count();
    (ev, rank)
}

/// Why a d-parameter formula or its box was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DModelError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("the formula uses no variable x1 … x{MAX_INDEXED_VARS}")]
    NoVariable,
    #[error("the box needs {expected} numbers LO,HI per parameter ({dim} parameters), got {got}")]
    BoxLength { expected: usize, dim: usize, got: usize },
    #[error("the box of parameter {axis} is [{lo}, {hi}]: it needs finite LO < HI")]
    BadBox { axis: usize, lo: f64, hi: f64 },
    #[error("the point has {got} coordinates; the model has {dim} parameters")]
    PointLength { got: usize, dim: usize },
    #[error("the point {0} is outside the box")]
    Outside(String),
    #[error("{0}")]
    Other(String),
}

/// Check a box: finite LO < HI on every axis.
pub fn check_box(b: &[[f64; 2]]) -> Result<(), DModelError> {
    for (a, r) in b.iter().enumerate() {
        if !(r[0].is_finite() && r[1].is_finite() && r[0] < r[1]) {
            return Err(DModelError::BadBox { axis: a + 1, lo: r[0], hi: r[1] });
        }
    }
    Ok(())
}

/// Check a point against a model: length and box.
pub fn check_point(model: &dyn Model, w: &[f64]) -> Result<(), DModelError> {
    if w.len() != model.dim() {
        return Err(DModelError::PointLength { got: w.len(), dim: model.dim() });
    }
    let b = model.bounds();
    if w.iter().enumerate().any(|(i, v)| !(v.is_finite() && *v >= b[i][0] && *v <= b[i][1])) {
        return Err(DModelError::Outside(fmt_vec(w)));
    }
    Ok(())
}

pub fn fmt_vec(w: &[f64]) -> String {
    let parts: Vec<String> = w.iter().map(|v| super::num::short(*v)).collect();
    format!("({})", parts.join(", "))
}

/// A typed formula K(x1, …, xd) on a box.
#[derive(Debug, Clone)]
pub struct FormulaModel {
    pub source: String,
    pub expr: Expr,
    pub bounds: Vec<[f64; 2]>,
    /// Per axis, its one-variable part when the formula is separable.
    pub separable: Option<Separable>,
}

impl FormulaModel {
    /// Parse `src` in x1 … x8 (d = the highest index); the box is `bounds` (one [lo, hi] for every
    /// axis if a single interval is given).
    pub fn new(src: &str, bounds: &[[f64; 2]]) -> Result<FormulaModel, DModelError> {
        let (expr, d) = super::expr::parse_indexed(src)?;
        if d == 0 {
            return Err(DModelError::NoVariable);
        }
        let bounds: Vec<[f64; 2]> = match bounds.len() {
            1 => vec![bounds[0]; d],
            n if n == d => bounds.to_vec(),
            n => return Err(DModelError::BoxLength { expected: 2 * d, dim: d, got: 2 * n }),
        };
        check_box(&bounds)?;
        let separable = Separable::of(&expr, &bounds);
        Ok(FormulaModel { source: src.to_string(), expr, bounds, separable })
    }
}

impl Model for FormulaModel {
    fn dim(&self) -> usize {
        self.bounds.len()
    }
    fn bounds(&self) -> &[[f64; 2]] {
        &self.bounds
    }
    fn describe(&self) -> String {
        format!("K = {} on {} parameters", self.source.trim(), self.dim())
    }
    fn names(&self) -> Vec<String> {
        (1..=self.dim()).map(|i| format!("x{i}")).collect()
    }
    fn loss(&self, w: &[f64]) -> f64 {
        self.expr.eval_at(w)
    }
    fn population(&self, w: &[f64]) -> Option<f64> {
        Some(self.loss(w))
    }
}

/// A separable formula: K = Σ_i k_i(x_i) + const.
#[derive(Debug, Clone)]
pub struct Separable {
    /// Per axis, its one-variable terms (variable remapped to x) as a 1-D formula text, and the
    /// compiled 1-D landscape on that axis's interval ("0" for an axis the formula does not use).
    pub axes: Vec<(String, Option<std::sync::Arc<Landscape>>)>,
}

/// Flatten a sum into signed terms.
fn terms(e: &Expr, sign: f64, out: &mut Vec<(f64, Expr)>) {
    match e {
        Expr::Add(a, b) => {
            terms(a, sign, out);
            terms(b, sign, out);
        }
        Expr::Sub(a, b) => {
            terms(a, sign, out);
            terms(b, -sign, out);
        }
        Expr::Neg(a) => terms(a, -sign, out),
        _ => out.push((sign, e.clone())),
    }
}

fn vars_of(e: &Expr) -> Vec<usize> {
    let mut v = vec![];
    collect_vars(e, &mut v);
    v.sort_unstable();
    v.dedup();
    v
}

fn collect_vars(e: &Expr, out: &mut Vec<usize>) {
    match e {
        Expr::Num(_) => {}
        Expr::Var(i) => out.push(*i),
        Expr::Neg(a) | Expr::F1(_, a) => collect_vars(a, out),
        Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) | Expr::Div(a, b) | Expr::Pow(a, b) | Expr::F2(_, a, b) => {
            collect_vars(a, out);
            collect_vars(b, out);
        }
    }
}

fn to_x(e: &Expr) -> Expr {
    let b = |a: &Expr| Box::new(to_x(a));
    match e {
        Expr::Num(v) => Expr::Num(*v),
        Expr::Var(_) => Expr::Var(0),
        Expr::Neg(a) => Expr::Neg(b(a)),
        Expr::F1(f, a) => Expr::F1(*f, b(a)),
        Expr::Add(x, y) => Expr::Add(b(x), b(y)),
        Expr::Sub(x, y) => Expr::Sub(b(x), b(y)),
        Expr::Mul(x, y) => Expr::Mul(b(x), b(y)),
        Expr::Div(x, y) => Expr::Div(b(x), b(y)),
        Expr::Pow(x, y) => Expr::Pow(b(x), b(y)),
        Expr::F2(f, x, y) => Expr::F2(*f, b(x), b(y)),
    }
}

impl Separable {
    /// The decomposition, or None when a term couples two variables (or an axis's 1-D landscape
    /// cannot be built).
    pub fn of(e: &Expr, bounds: &[[f64; 2]]) -> Option<Separable> {
        let mut ts = vec![];
        terms(e, 1.0, &mut ts);
        let d = bounds.len();
        let mut per: Vec<Vec<(f64, Expr)>> = vec![vec![]; d];
        for (s, t) in ts {
            match vars_of(&t).as_slice() {
                [] => {}
                [i] => per[*i].push((s, to_x(&t))),
                _ => return None,
            }
        }
        let mut axes = vec![];
        for (a, list) in per.into_iter().enumerate() {
            if list.is_empty() {
                axes.push(("0".to_string(), None));
                continue;
            }
            let mut text = String::new();
            for (s, t) in list {
                text.push_str(if s < 0.0 {
                    "-"
                } else if text.is_empty() {
                    ""
                } else {
                    "+"
                });
                text.push('(');
                text.push_str(&t.canonical());
                text.push(')');
            }
            let spec =
                LandscapeSpec { dim: Some(1), bounds: Some([bounds[a], bounds[a]]), ..LandscapeSpec::formula(&text) };
            let land = Landscape::from_spec(&spec).ok()?;
            axes.push((text, Some(std::sync::Arc::new(land))));
        }
        Some(Separable { axes })
    }

    /// The global minimiser per axis by the 1-D landscape's certified search (an unused axis: its
    /// centre), and whether every axis was certified.
    pub fn minimum(&self, bounds: &[[f64; 2]]) -> Result<(Vec<f64>, bool), String> {
        let mut w = vec![];
        let mut certified = true;
        for (a, (_, land)) in self.axes.iter().enumerate() {
            match land {
                None => w.push(0.5 * (bounds[a][0] + bounds[a][1])),
                Some(l) => {
                    let m = l.minimize().map_err(|e| format!("axis x{}: {e}", a + 1))?;
                    certified &= m.certified == Some(true);
                    w.push(m.argmin.first().map(|p| p[0]).unwrap_or(0.5 * (bounds[a][0] + bounds[a][1])));
                }
            }
        }
        Ok((w, certified))
    }

    /// n·β·E[K(w) − K(w*)] under exp(−nβ·K − (γ/2)|w − w*|²) on the box (γ = 0: no localisation),
    /// as the sum over the axes of one-dimensional quadratures.
    pub fn exact_tempered(&self, bounds: &[[f64; 2]], w_star: &[f64], nb: f64, gamma: f64) -> f64 {
        let mut total = 0.0;
        for (a, (_, land)) in self.axes.iter().enumerate() {
            let Some(l) = land else { continue };
            let k = |x: f64| l.k(x, 0.0);
            total += nb * tempered_1d(&k, bounds[a], w_star[a], nb, gamma);
        }
        total
    }
}

/// E[k(x) − k(x*)] under exp(−nβ(k(x) − k(x*)) − (γ/2)(x − x*)²) on [lo, hi]: adaptive
/// Gauss–Kronrod on panels that shrink geometrically towards x* (where the weight is sharp).
pub fn tempered_1d(k: &dyn Fn(f64) -> f64, b: [f64; 2], xs: f64, nb: f64, gamma: f64) -> f64 {
    let k0 = k(xs);
    let weight = |x: f64| {
        let g = k(x) - k0;
        let e = (-nb * g - 0.5 * gamma * (x - xs) * (x - xs)).exp();
        if e.is_finite() { (g * e, e) } else { (0.0, 0.0) }
    };
    // breakpoints x* ± 10^j, j = −12 … 2, within the box
    let mut cuts = vec![b[0], b[1], xs.clamp(b[0], b[1])];
    for j in -12..=2 {
        let h = 10f64.powi(j);
        cuts.push((xs - h).clamp(b[0], b[1]));
        cuts.push((xs + h).clamp(b[0], b[1]));
    }
    cuts.sort_by(|p, q| p.partial_cmp(q).unwrap_or(std::cmp::Ordering::Equal));
    cuts.dedup();
    let (mut num, mut den) = (0.0, 0.0);
    for w in cuts.windows(2) {
        let (a, c) = (w[0], w[1]);
        if c <= a {
            continue;
        }
        num += integrate_adaptive(&mut |x| weight(x).0, a, c, 1e-11, 0.0, 200, None).0;
        den += integrate_adaptive(&mut |x| weight(x).1, a, c, 1e-11, 0.0, 200, None).0;
    }
    if den > 0.0 { num / den } else { f64::NAN }
}

/// A 2-D landscape of the window as a d = 1 or 2 model (the same loss the 2-D sampler uses), so
/// that the d-D sampler can be checked against it.
pub struct LandscapeModel {
    pub land: std::sync::Arc<Landscape>,
    bounds: Vec<[f64; 2]>,
}

impl LandscapeModel {
    pub fn new(land: std::sync::Arc<Landscape>) -> LandscapeModel {
        let bounds = land.bounds[..land.dim].to_vec();
        LandscapeModel { land, bounds }
    }
}

impl Model for LandscapeModel {
    fn dim(&self) -> usize {
        self.land.dim
    }
    fn bounds(&self) -> &[[f64; 2]] {
        &self.bounds
    }
    fn describe(&self) -> String {
        self.land.describe()
    }
    fn data_n(&self) -> Option<usize> {
        self.land.data.as_ref().map(|d| d.len())
    }
    fn loss(&self, w: &[f64]) -> f64 {
        self.land.k(w[0], w.get(1).copied().unwrap_or(0.0))
    }
    fn loss_grad(&self, w: &[f64], g: &mut [f64]) -> f64 {
        match &self.land.data {
            Some(d) if !d.spec.population => {
                let gg = d.grad([w[0], w[1]], None);
                g[..2].copy_from_slice(&gg);
            }
            _ => central_gradient(&|v: &[f64]| self.loss(v), w, g),
        }
        self.loss(w)
    }
    fn population(&self, w: &[f64]) -> Option<f64> {
        match &self.land.data {
            Some(d) => Some(d.population(w[0], w[1])),
            None => Some(self.loss(w)),
        }
    }
}

/// Gradient descent with backtracking (the step doubles after a success, halves on a failure),
/// clamped to the box, from `w` for at most `steps` steps or until |∇L| < `tol`. Returns the point
/// and its loss.
pub fn descend(model: &dyn Model, w: &[f64], steps: usize, tol: f64) -> (Vec<f64>, f64) {
    let b = model.bounds().to_vec();
    let d = model.dim();
    let mut w = w.to_vec();
    let mut g = vec![0.0; d];
    let mut f = model.loss_grad(&w, &mut g);
    let mut step = 0.1;
    for _ in 0..steps {
        let gn: f64 = g.iter().map(|v| v * v).sum::<f64>().sqrt();
        if !(gn > tol && f.is_finite()) {
            break;
        }
        let mut moved = false;
        for _ in 0..60 {
            let v: Vec<f64> = (0..d).map(|i| (w[i] - step * g[i]).clamp(b[i][0], b[i][1])).collect();
            let fv = model.loss(&v);
            if fv < f {
                w = v;
                f = model.loss_grad(&w, &mut g);
                step *= 2.0;
                moved = true;
                break;
            }
            step *= 0.5;
        }
        if !moved {
            break;
        }
    }
    (w, f)
}

/// The best of local searches (`descend`, 400 steps each) from the box's centre and `starts`
/// seeded uniform points: a minimum that is *not* certified (the caller says so). Returns the
/// point and its loss.
pub fn local_minimum(model: &dyn Model, starts: usize, seed: u64) -> (Vec<f64>, f64) {
    use rand::{RngExt, SeedableRng};
    let b = model.bounds().to_vec();
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed ^ 0x5eed);
    let mut points = vec![b.iter().map(|r| 0.5 * (r[0] + r[1])).collect::<Vec<f64>>()];
    for _ in 0..starts {
        points.push(b.iter().map(|r| r[0] + (r[1] - r[0]) * rng.random::<f64>()).collect());
    }
    let mut best = (points[0].clone(), f64::INFINITY);
    for w in points {
        let (w, f) = descend(model, &w, 400, 1e-14);
        if f < best.1 {
            best = (w, f);
        }
    }
    best
}
