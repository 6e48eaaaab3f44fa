//! A loss landscape: a formula (typed or from a preset), its domain box and prior, and its minimum.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use serde::{Deserialize, Serialize};

use std::sync::Arc;

use super::expr::{Formula, ParseError};
use super::model::{DataLoss, ModelSpec};
use super::num::brent_min;
use super::presets::{self, Preset};
use super::profile::Profile;
use super::slice::{Slice, SliceSpec};

/// The largest number of data points anywhere in lambdascope (CLI, sliders, free energy).
pub const N_MAX: f64 = 1e12;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Prior {
    /// Uniform on the box.
    Uniform,
    /// N(0, σ²I) restricted to the box.
    Gaussian { sigma: f64 },
}

impl fmt::Display for Prior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Prior::Uniform => write!(f, "uniform"),
            Prior::Gaussian { sigma } => write!(f, "gaussian:{sigma}"),
        }
    }
}

/// Why a landscape cannot be built or analysed. Every variant but `Budget` is the user's input
/// (CLI exit code 2); `Budget` is the computation failing (exit code 1).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LandscapeError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("unknown preset '{0}'; known presets: {ids}", ids = preset_ids())]
    UnknownPreset(String),
    #[error("dimension {0} is not supported: use 1 or 2")]
    BadDimension(usize),
    #[error("the formula uses y, so it needs dimension 2 (drop --dim 1)")]
    NeedsTwoDims,
    #[error("bad domain: {0}")]
    BadDomain(String),
    #[error("bad prior: {0}")]
    BadPrior(String),
    #[error("{0}")]
    Undefined(String),
    #[error("{0}")]
    Unbounded(String),
    #[error("{0}")]
    BadN(String),
    #[error("{0}")]
    BadEps(String),
    /// The evaluation budget was spent: a failure of the computation (exit code 1).
    #[error(
        "the landscape is too intricate to resolve within the evaluation budget ({EVAL_BUDGET:.0e} evaluations of K, fewer for a long formula): try a smaller box or a simpler formula"
    )]
    Budget,
    /// A model with sampled data that cannot be built.
    #[error("{0}")]
    Model(String),
}

fn preset_ids() -> String {
    presets::all().iter().map(|p| p.id).collect::<Vec<_>>().join(", ")
}

/// What a user (CLI or UI) specifies: plain data, serialisable for sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LandscapeSpec {
    /// A preset id, or None for a typed formula.
    pub preset: Option<String>,
    /// The formula (for a preset: its formula).
    pub formula: String,
    /// Forced dimension, or None to infer.
    pub dim: Option<usize>,
    /// Box bounds per axis; None = the preset's or [−1, 1].
    pub bounds: Option<[[f64; 2]; 2]>,
    pub prior: Prior,
    /// A model with sampled data: its L_n (or population K) replaces the formula.
    #[serde(default)]
    pub model: Option<ModelSpec>,
    /// A 2-D slice of a d-parameter model replaces the formula.
    #[serde(default)]
    pub slice: Option<SliceSpec>,
}

impl LandscapeSpec {
    pub fn preset(id: &str) -> Self {
        let formula = presets::find(id).map(|p| p.formula.to_string()).unwrap_or_default();
        LandscapeSpec {
            preset: Some(id.to_string()),
            formula,
            dim: None,
            bounds: None,
            prior: Prior::Uniform,
            model: None,
            slice: None,
        }
    }
    pub fn formula(f: &str) -> Self {
        LandscapeSpec {
            preset: None,
            formula: f.to_string(),
            dim: None,
            bounds: None,
            prior: Prior::Uniform,
            model: None,
            slice: None,
        }
    }
    /// A model with sampled data (its box from the catalogue unless `bounds` is set).
    pub fn model(m: ModelSpec) -> Self {
        LandscapeSpec {
            preset: None,
            formula: String::new(),
            dim: Some(2),
            bounds: None,
            prior: Prior::Uniform,
            model: Some(m),
            slice: None,
        }
    }
    /// A 2-D slice of a d-parameter model on the box `bounds` of the slice's coordinates.
    pub fn slice(s: SliceSpec, bounds: [[f64; 2]; 2]) -> Self {
        LandscapeSpec {
            preset: None,
            formula: String::new(),
            dim: Some(2),
            bounds: Some(bounds),
            prior: Prior::Uniform,
            model: None,
            slice: Some(s),
        }
    }
    /// A short name for legends and titles: the formula, or the model with its settings.
    pub fn label(&self) -> String {
        if let Some(s) = &self.slice {
            return s.label();
        }
        match &self.model {
            Some(m) if m.population => format!("K of {}", m.info().id),
            Some(m) => format!("L_n of {} (n = {}, seed {})", m.info().id, m.n, m.seed),
            None => self.formula.clone(),
        }
    }

    /// Cheap validation for the UI thread: a model's data are only drawn by `Landscape::from_spec`.
    /// Returns the dimension and the box.
    pub fn validate(&self) -> Result<(usize, [[f64; 2]; 2]), LandscapeError> {
        if let Some(s) = &self.slice {
            s.validate().map_err(LandscapeError::Model)?;
            let b = self.bounds.unwrap_or(DEFAULT_SLICE_BOX);
            check_bounds(b, 2)?;
            check_prior(self.prior)?;
            return Ok((2, b));
        }
        match &self.model {
            Some(m) => {
                m.validate().map_err(LandscapeError::Model)?;
                let b = self.bounds.unwrap_or(m.info().bounds);
                check_bounds(b, 2)?;
                m.check_box(b).map_err(LandscapeError::Model)?;
                check_prior(self.prior)?;
                Ok((2, b))
            }
            None => Landscape::from_spec(self).map(|l| (l.dim, l.bounds)),
        }
    }
}

#[derive(Debug)]
pub struct Landscape {
    pub formula: Formula,
    pub dim: usize,
    /// bounds[axis] = [lo, hi]; for d = 1 only axis 0 is used.
    pub bounds: [[f64; 2]; 2],
    pub prior: Prior,
    pub preset: Option<&'static Preset>,
    /// A model with sampled data: K(x, y) is its L_n(a = x, b = y) (or population K).
    pub data: Option<Arc<DataLoss>>,
    /// A slice of a d-parameter model: K(x, y) = L(w₀ + x·u + y·v).
    pub slice: Option<Arc<Slice>>,
    /// Evaluations so far. An atomic so that an analysed landscape can be shared with the UI
    /// thread; a relaxed load + store (not a read-modify-write) costs what a `Cell` does, and the
    /// count only bounds the work of one computation at a time.
    evals: AtomicU64,
    /// Evaluations allowed (cumulative); see `EVAL_BUDGET`.
    budget: AtomicU64,
    /// Evaluations granted per computation (`grant_for`; smaller for a long formula).
    grant: AtomicU64,
    /// Two clones working on one computation in parallel (the volume curve's two orders): the
    /// evaluations both have published, and how much of this one's count it has published.
    shared: Option<(Arc<AtomicU64>, AtomicU64)>,
}

impl Clone for Landscape {
    fn clone(&self) -> Self {
        Landscape {
            formula: self.formula.clone(),
            dim: self.dim,
            bounds: self.bounds,
            prior: self.prior,
            preset: self.preset,
            data: self.data.clone(),
            slice: self.slice.clone(),
            evals: AtomicU64::new(self.evals.load(Relaxed)),
            budget: AtomicU64::new(self.budget.load(Relaxed)),
            grant: AtomicU64::new(self.grant.load(Relaxed)),
            shared: None,
        }
    }
}

/// The most evaluations of K one landscape may use (cumulative over minimum, volume curve, basins):
/// the hardest presets use ~2e7 (about 0.5 s); 1e8 bounds any formula to a few seconds.
pub const EVAL_BUDGET: u64 = 100_000_000;

/// The work one computation may spend, in the tape's cost units (≈ ns of evaluation) plus
/// `EVAL_OVERHEAD` per evaluation (the volume code around each one: profiles, roots, panels):
/// about 3 s of CPU, which the volume curve's two orders spend together on the two cores, so that
/// any formula gives up within ~2 s of wall time, a long one as soon as a short one (1e8
/// evaluations of a 183-character formula took 50 s before a cost bound; `sin(x-(y^x+2^x))+x`
/// took 8 s with a floor of 3e7 evaluations). The hardest presets: the circle's curve needs 8.9e6
/// evaluations of cost 14 (4.7e7 granted), phase2d's basins 1.6e7 of cost 51 (3e7 granted).
pub const COST_BUDGET: u64 = 3_000_000_000;

/// The volume code's own work per evaluation, in cost units (measured: ~75 ns per evaluation
/// beside the tape's ~20 on the cusp; `cargo bench -- volume`).
pub const EVAL_OVERHEAD: u64 = 50;

/// The box of a slice's coordinates unless one is set: ±0.5 along each unit direction.
pub const DEFAULT_SLICE_BOX: [[f64; 2]; 2] = [[-0.5, 0.5], [-0.5, 0.5]];

/// Evaluations granted to a slice per computation: an evaluation of the TMS's loss (the point's
/// assembly in R^18 and 36 terms per feature) costs ~0.35 µs, so this bounds a slice to ~10 s; a
/// slice through a smooth minimum needs ~6e6 (2 s).
pub const SLICE_GRANT: u64 = 30_000_000;

/// The fewest evaluations a formula is granted, however long: enough to find a minimum and try.
pub const MIN_GRANT: u64 = 2_000_000;

/// Evaluations granted to a formula per computation: `COST_BUDGET` over its cost per evaluation
/// (with the overhead), at most `EVAL_BUDGET`.
pub fn grant_for(f: &Formula) -> u64 {
    (COST_BUDGET / (EVAL_OVERHEAD + f.tape.cost())).clamp(MIN_GRANT, EVAL_BUDGET)
}

/// Parse a number list like "-2,2" or "0,1,0,1".
pub fn parse_list(s: &str, n: usize, what: &str) -> Result<Vec<f64>, LandscapeError> {
    let v: Result<Vec<f64>, _> = s.split(',').map(|t| t.trim().parse::<f64>()).collect();
    match v {
        Ok(v) if v.len() == n => Ok(v),
        Ok(v) => Err(LandscapeError::BadDomain(format!(
            "{what} needs {n} comma-separated numbers, got {} in '{s}'",
            v.len()
        ))),
        Err(_) => Err(LandscapeError::BadDomain(format!("{what}: '{s}' is not a list of numbers"))),
    }
}

/// Parse "uniform" or "gaussian:SIGMA".
pub fn parse_prior(s: &str) -> Result<Prior, LandscapeError> {
    let t = s.trim().to_ascii_lowercase();
    if t == "uniform" {
        return Ok(Prior::Uniform);
    }
    if let Some(sig) = t.strip_prefix("gaussian:").or_else(|| t.strip_prefix("gaussian=")) {
        let sigma: f64 = sig
            .trim()
            .parse()
            .map_err(|_| LandscapeError::BadPrior(format!("'{sig}' is not a number (write gaussian:0.5)")))?;
        if !(sigma.is_finite() && sigma > 0.0) {
            return Err(LandscapeError::BadPrior(format!("σ must be a positive number, got {sig}")));
        }
        return Ok(Prior::Gaussian { sigma });
    }
    Err(LandscapeError::BadPrior(format!("'{s}': use 'uniform' or 'gaussian:SIGMA'")))
}

impl Landscape {
    pub fn from_spec(spec: &LandscapeSpec) -> Result<Landscape, LandscapeError> {
        if let Some(m) = &spec.model {
            let bounds = spec.bounds.unwrap_or(m.info().bounds);
            check_bounds(bounds, 2)?;
            check_prior(spec.prior)?;
            let data = DataLoss::new(m, bounds).map_err(LandscapeError::Model)?;
            return Ok(Landscape {
                formula: Formula::parse("0")?,
                dim: 2,
                bounds,
                prior: spec.prior,
                preset: None,
                data: Some(Arc::new(data)),
                slice: None,
                evals: AtomicU64::new(0),
                budget: AtomicU64::new(EVAL_BUDGET),
                grant: AtomicU64::new(EVAL_BUDGET),
                shared: None,
            });
        }
        if let Some(sl) = &spec.slice {
            let (_, bounds) = spec.validate()?;
            let slice = Slice::new(sl).map_err(LandscapeError::Model)?;
            return Ok(Landscape {
                formula: Formula::parse("0")?,
                dim: 2,
                bounds,
                prior: spec.prior,
                preset: None,
                data: None,
                slice: Some(Arc::new(slice)),
                evals: AtomicU64::new(0),
                budget: AtomicU64::new(SLICE_GRANT),
                grant: AtomicU64::new(SLICE_GRANT),
                shared: None,
            });
        }
        let preset = match &spec.preset {
            Some(id) => Some(presets::find(id).ok_or_else(|| LandscapeError::UnknownPreset(id.clone()))?),
            None => None,
        };
        let src = match preset {
            Some(p) if spec.formula.trim().is_empty() => p.formula,
            _ => spec.formula.as_str(),
        };
        let formula = Formula::parse(src)?;
        // A preset whose formula the user has edited is no longer that preset.
        let preset = preset.filter(|p| p.formula == src);
        let dim = match spec.dim.or(preset.map(|p| p.dim)) {
            Some(d @ (1 | 2)) => d,
            Some(d) => return Err(LandscapeError::BadDimension(d)),
            None => formula.inferred_dim,
        };
        if dim == 1 && formula.inferred_dim == 2 {
            return Err(LandscapeError::NeedsTwoDims);
        }
        let bounds = spec.bounds.or(preset.map(|p| p.bounds)).unwrap_or([[-1.0, 1.0], [-1.0, 1.0]]);
        check_bounds(bounds, dim)?;
        check_prior(spec.prior)?;
        let grant = grant_for(&formula);
        Ok(Landscape {
            formula,
            dim,
            bounds,
            prior: spec.prior,
            preset,
            data: None,
            slice: None,
            evals: AtomicU64::new(0),
            budget: AtomicU64::new(grant),
            grant: AtomicU64::new(grant),
            shared: None,
        })
    }

    /// Not a typed formula: a model's L_n or a slice (no interval certificate, no theory of the
    /// formula).
    pub fn is_formula(&self) -> bool {
        self.data.is_none() && self.slice.is_none()
    }

    /// K(x, y), with NaN mapped to +∞ (an undefined point is never in a sublevel set).
    #[inline]
    pub fn k(&self, x: f64, y: f64) -> f64 {
        self.evals.store(self.evals.load(Relaxed) + 1, Relaxed);
        let v = match (&self.data, &self.slice) {
            (Some(d), _) => d.loss(x, y),
            (_, Some(s)) => s.loss(x, y),
            _ => self.formula.eval(x, y),
        };
        if v.is_nan() { f64::INFINITY } else { v }
    }

    pub fn evaluations(&self) -> u64 {
        self.evals.load(Relaxed)
    }

    /// Count evaluations made on clones of this landscape (the volume curve's second order runs
    /// on a clone in its own thread, so that the counts stay exact and deterministic).
    pub fn add_evaluations(&self, n: u64) {
        self.evals.store(self.evals.load(Relaxed).saturating_add(n), Relaxed);
    }

    /// True once the evaluation budget is spent (long loops check this and stop early). A clone
    /// sharing the computation (`sharing_budget`) counts what its partner has published too: a
    /// lower bound of the true total, so it stops early only when the computation has failed
    /// anyway (the total is checked exactly when the two join), and a success is unchanged.
    pub fn over_budget(&self) -> bool {
        let own = self.evals.load(Relaxed);
        match &self.shared {
            None => own > self.budget.load(Relaxed),
            Some((total, published)) => {
                // (published in steps of 2¹⁶: a read-modify-write of a line both cores touch
                // at every check cost the curve ~10%)
                let delta = own - published.load(Relaxed);
                let spent = if delta >= 1 << 16 {
                    published.store(own, Relaxed);
                    total.fetch_add(delta, Relaxed) + delta
                } else {
                    total.load(Relaxed) + delta
                };
                spent > self.grant.load(Relaxed)
            }
        }
    }

    /// The count two clones share (`sharing_budget`): what this computation has spent so far.
    pub fn shared_total(&self) -> Arc<AtomicU64> {
        // the computation started where renew_budget set budget = evals + grant
        let start = self.budget.load(Relaxed).saturating_sub(self.grant.load(Relaxed));
        Arc::new(AtomicU64::new(self.evals.load(Relaxed).saturating_sub(start)))
    }

    /// A clone for one of two threads working on the same computation, counting into `total`
    /// (from `shared_total`, one for both).
    pub fn sharing_budget(&self, total: Arc<AtomicU64>) -> Landscape {
        let mut l = self.clone();
        l.shared = Some((total, AtomicU64::new(self.evals.load(Relaxed))));
        l
    }

    /// Grant another budget from the current count (a new computation on the same landscape).
    pub fn renew_budget(&self) {
        self.budget.store(self.evals.load(Relaxed).saturating_add(self.grant.load(Relaxed)), Relaxed);
    }

    /// Set the evaluations granted per computation (tests and the fuzzer use small budgets) and
    /// grant them now.
    pub fn set_grant(&self, evals: u64) {
        self.grant.store(evals, Relaxed);
        self.renew_budget();
    }

    /// The evaluations granted per computation.
    pub fn grant(&self) -> u64 {
        self.grant.load(Relaxed)
    }

    pub fn box_width(&self, axis: usize) -> f64 {
        self.bounds[axis][1] - self.bounds[axis][0]
    }

    /// Prior mass of [a, b] on one axis, normalised on that axis's interval.
    pub fn axis_mass(&self, axis: usize, a: f64, b: f64) -> f64 {
        let [lo, hi] = self.bounds[axis];
        let a = a.max(lo);
        let b = b.min(hi);
        if b <= a {
            return 0.0;
        }
        match self.prior {
            Prior::Uniform => (b - a) / (hi - lo),
            Prior::Gaussian { sigma } => gauss_mass(a, b, sigma) / gauss_mass(lo, hi, sigma),
        }
    }

    /// Prior density on one axis (normalised on the axis interval).
    pub fn axis_density(&self, axis: usize, t: f64) -> f64 {
        let [lo, hi] = self.bounds[axis];
        match self.prior {
            Prior::Uniform => 1.0 / (hi - lo),
            Prior::Gaussian { sigma } => {
                (-0.5 * (t / sigma).powi(2)).exp()
                    / (sigma * (2.0 * std::f64::consts::PI).sqrt())
                    / gauss_mass(lo, hi, sigma)
            }
        }
    }

    /// log of the prior density at w (normalised on the box).
    pub fn log_prior(&self, w: [f64; 2]) -> f64 {
        (0..self.dim).map(|a| self.axis_density(a, w[a]).ln()).sum()
    }

    pub fn describe(&self) -> String {
        if let Some(d) = &self.data {
            return format!("model {}", d.spec.describe());
        }
        if let Some(s) = &self.slice {
            return s.describe();
        }
        match self.preset {
            Some(p) => format!("{} ({})", p.id, p.formula),
            None => self.formula.source.clone(),
        }
    }
}

/// The box must be finite, non-empty and resolvable in double precision.
fn check_bounds(bounds: [[f64; 2]; 2], dim: usize) -> Result<(), LandscapeError> {
    for (axis, b) in bounds.iter().enumerate().take(dim) {
        let name = ["x", "y"][axis];
        if !(b[0].is_finite() && b[1].is_finite()) {
            return Err(LandscapeError::BadDomain(format!("the {name} bounds must be finite numbers")));
        }
        if b[0] >= b[1] {
            return Err(LandscapeError::BadDomain(format!(
                "the {name} interval [{}, {}] is empty: the lower bound must be below the upper",
                b[0], b[1]
            )));
        }
        if b[1] - b[0] < 1e-9 * b[0].abs().max(b[1].abs()).max(1e-300) || b[1] - b[0] < 1e-12 {
            return Err(LandscapeError::BadDomain(format!(
                "the {name} interval [{}, {}] is too narrow to resolve in double precision",
                b[0], b[1]
            )));
        }
        if b[0].abs().max(b[1].abs()) > 1e6 {
            return Err(LandscapeError::BadDomain(format!(
                "the {name} bounds must lie within ±1e6 (got [{}, {}])",
                b[0], b[1]
            )));
        }
    }
    Ok(())
}

/// The Gaussian prior's σ: below 1e-6 its density overflows the posterior's scale on any box
/// the app accepts, above 1e6 it is the uniform prior to double precision.
pub const SIGMA_RANGE: [f64; 2] = [1e-6, 1e6];

fn check_prior(prior: Prior) -> Result<(), LandscapeError> {
    if let Prior::Gaussian { sigma } = prior
        && !(sigma.is_finite() && (SIGMA_RANGE[0]..=SIGMA_RANGE[1]).contains(&sigma))
    {
        return Err(LandscapeError::BadPrior(format!(
            "σ must lie within 1e-6 … 1e6, got {}",
            crate::core::num::short(sigma)
        )));
    }
    Ok(())
}

/// ∫_a^b N(0, σ²) density. erfc keeps precision in the tails; a short interval is integrated
/// directly (Simpson) to avoid the cancellation of a CDF difference.
pub fn gauss_mass(a: f64, b: f64, sigma: f64) -> f64 {
    let s = std::f64::consts::SQRT_2 * sigma;
    if b - a < 1e-3 * sigma {
        let pdf = |t: f64| (-0.5 * (t / sigma).powi(2)).exp() / (sigma * (2.0 * std::f64::consts::PI).sqrt());
        return (b - a) / 6.0 * (pdf(a) + 4.0 * pdf(0.5 * (a + b)) + pdf(b));
    }
    if a >= 0.0 {
        0.5 * (libm::erfc(a / s) - libm::erfc(b / s))
    } else if b <= 0.0 {
        0.5 * (libm::erfc(-b / s) - libm::erfc(-a / s))
    } else {
        0.5 * (libm::erf(b / s) - libm::erf(a / s))
    }
}

/// K* and where it is attained.
#[derive(Debug, Clone, Serialize)]
pub struct Minimum {
    pub k_min: f64,
    /// Global minimisers found (several for equal minima or a line of minima; first = best).
    pub argmin: Vec<[f64; 2]>,
    /// All distinct local minima found, lowest first (includes the global ones).
    pub local_minima: Vec<([f64; 2], f64)>,
    /// Largest finite K seen on the box.
    pub k_max: f64,
    pub on_edge: bool,
    pub warnings: Vec<String>,
    /// Some(true): the interval search certified K* (to 1e-15 of the span); Some(false): its budget
    /// ran out first; None: not a formula (a model's L_n, found by a grid and local searches).
    pub certified: Option<bool>,
    /// A proven lower bound on K over the box (where K is defined), when a formula.
    pub lower_bound: Option<f64>,
    /// Every box that could hide a basin within 40 of K* was resolved by the search.
    pub basins_complete: bool,
    /// K − K* at 1e-3 of the box's width from the minimiser (the largest over the axes): the
    /// basin's own scale, which the range of ε must reach however steep the walls.
    pub scale_near: f64,
}

impl Minimum {
    /// The minimum of one basin (for its own volume curve).
    pub fn of_basin(argmin: [f64; 2], k_min: f64, k_max: f64) -> Minimum {
        Minimum {
            k_min,
            argmin: vec![argmin],
            local_minima: vec![(argmin, k_min)],
            k_max,
            on_edge: false,
            warnings: vec![],
            certified: None,
            lower_bound: None,
            basins_complete: true,
            scale_near: 0.0,
        }
    }
}

const GRID_2D: usize = 41;
const GRID_1D: usize = 4001;

impl Landscape {
    /// Find K* to ~1e-15: a grid scan, the certified interval search (`minimum::certify`) whose
    /// best point and narrow dips seed local searches, and the local searches from the grid.
    pub fn minimize(&self) -> Result<Minimum, LandscapeError> {
        if self.dim == 1 { self.minimize_1d() } else { self.minimize_2d() }
    }

    fn check_values(&self, vals: &[f64], pts: &[[f64; 2]]) -> Result<Vec<String>, LandscapeError> {
        let mut warnings = vec![];
        let bad: Vec<usize> = (0..vals.len()).filter(|&i| !vals[i].is_finite()).collect();
        if let Some(i) = (0..vals.len()).find(|&i| vals[i] == f64::NEG_INFINITY) {
            return Err(LandscapeError::Unbounded(format!(
                "K is unbounded below on the box: it goes to −∞ near {}, so there is no minimum (move the box away from that point)",
                fmt_point(pts[i], self.dim)
            )));
        }
        if bad.len() == vals.len() {
            return Err(LandscapeError::Undefined(
                "K is undefined (NaN or +∞) everywhere on the box: choose another domain".to_string(),
            ));
        }
        if !bad.is_empty() {
            let frac = bad.len() as f64 / vals.len() as f64;
            warnings.push(format!(
                "K is undefined or infinite on part of the box (about {:.0}% of it, e.g. at {}); that part is excluded (treated as K = +∞)",
                (100.0 * frac).max(0.1),
                fmt_point(pts[bad[0]], self.dim)
            ));
        }
        Ok(warnings)
    }

    fn minimize_1d(&self) -> Result<Minimum, LandscapeError> {
        let [lo, hi] = self.bounds[0];
        let ts: Vec<f64> = (0..GRID_1D).map(|i| lo + (hi - lo) * i as f64 / (GRID_1D - 1) as f64).collect();
        let vals: Vec<f64> = ts.iter().map(|&t| self.k(t, 0.0)).collect();
        let pts: Vec<[f64; 2]> = ts.iter().map(|&t| [t, 0.0]).collect();
        let mut warnings = self.check_values(&vals, &pts)?;
        let start = (0..vals.len()).min_by(|&i, &j| vals[i].total_cmp(&vals[j])).map(|i| (pts[i], vals[i]));
        let grid_max = vals.iter().copied().filter(|v| v.is_finite()).fold(f64::MIN, f64::max);
        let cert = start.and_then(|s| super::minimum::certify(self, s, grid_max));
        self.unbounded(cert.as_ref())?;
        // the search's best point and the bottoms of narrow dips become sample points of the profile,
        // whose monotone pieces then hold them as local minima
        let extra: Vec<f64> =
            cert.iter().flat_map(|c| std::iter::once(c.best).chain(c.seeds.iter().copied())).map(|p| p.0[0]).collect();
        let mut g = |t: f64| self.k(t, 0.0);
        let prof = Profile::build(&mut g, lo, hi, GRID_1D, &extra);
        let mut mins = prof.local_minima();
        mins.sort_by(|a, b| a.1.total_cmp(&b.1));
        let Some(&(_, k_min)) = mins.first() else {
            return Err(LandscapeError::Undefined("no finite value of K found on the box".into()));
        };
        if !k_min.is_finite() {
            return Err(LandscapeError::Undefined("no finite value of K found on the box".into()));
        }
        if k_min.abs() > 1e12 {
            return Err(LandscapeError::Unbounded(deep_minimum(k_min)));
        }
        let tol = min_tol(k_min);
        let argmin: Vec<[f64; 2]> = mins.iter().filter(|m| m.1 <= k_min + tol).map(|m| [m.0, 0.0]).take(16).collect();
        let width = hi - lo;
        let edge = |p: &[f64; 2]| (p[0] - lo).abs() < 1e-9 * width || (hi - p[0]).abs() < 1e-9 * width;
        // "on the edge" when every minimiser is; a minimiser on the edge beside interior ones is named
        let on_edge = argmin.iter().all(edge);
        if let Some(p) = argmin.iter().find(|p| edge(p)) {
            warnings.push(if on_edge {
                format!(
                    "the minimum is on the edge of the box at {}: the volume law there describes a half-basin",
                    fmt_point(*p, 1)
                )
            } else {
                format!(
                    "one of the minimisers is on the edge of the box, at {}: its half-basin counts half in the volume law",
                    fmt_point(*p, 1)
                )
            });
        }
        let k_max = prof.max().1.max(vals.iter().copied().filter(|v| v.is_finite()).fold(f64::MIN, f64::max));
        let (certified, lower_bound, basins_complete) = certificate(cert.as_ref(), k_min, &mut warnings);
        let scale_near = self.scale_near(argmin[0], k_min);
        Ok(Minimum {
            k_min,
            argmin,
            local_minima: mins.iter().map(|m| ([m.0, 0.0], m.1)).take(32).collect(),
            k_max,
            on_edge,
            warnings,
            certified,
            lower_bound,
            basins_complete,
            scale_near,
        })
    }

    fn minimize_2d(&self) -> Result<Minimum, LandscapeError> {
        let [x0, x1] = self.bounds[0];
        let [y0, y1] = self.bounds[1];
        let g = GRID_2D;
        let mut pts = Vec::with_capacity(g * g);
        for j in 0..g {
            for i in 0..g {
                pts.push([x0 + (x1 - x0) * i as f64 / (g - 1) as f64, y0 + (y1 - y0) * j as f64 / (g - 1) as f64]);
            }
        }
        let vals: Vec<f64> = pts.iter().map(|p| self.k(p[0], p[1])).collect();
        let mut warnings = self.check_values(&vals, &pts)?;
        // grid local minima (≤ all 8 neighbours), lowest first
        let mut starts: Vec<([f64; 2], f64)> = vec![];
        for j in 0..g {
            for i in 0..g {
                let v = vals[j * g + i];
                if !v.is_finite() {
                    continue;
                }
                let mut is_min = true;
                for dj in -1i64..=1 {
                    for di in -1i64..=1 {
                        let (ii, jj) = (i as i64 + di, j as i64 + dj);
                        if (di, dj) == (0, 0) || ii < 0 || jj < 0 || ii >= g as i64 || jj >= g as i64 {
                            continue;
                        }
                        if vals[jj as usize * g + ii as usize] < v {
                            is_min = false;
                        }
                    }
                }
                if is_min {
                    starts.push((pts[j * g + i], v));
                }
            }
        }
        starts.sort_by(|a, b| a.1.total_cmp(&b.1));
        starts.truncate(24);
        let grid_max = vals.iter().copied().filter(|v| v.is_finite()).fold(f64::MIN, f64::max);
        let cert = starts.first().copied().and_then(|s| super::minimum::certify(self, s, grid_max));
        self.unbounded(cert.as_ref())?;
        if let Some(c) = &cert {
            // the search's best point and the narrow dips it found, searched first
            for p in c.seeds.iter().rev().chain(std::iter::once(&c.best)) {
                starts.insert(0, *p);
            }
        }
        let mut found: Vec<([f64; 2], f64)> = vec![];
        let wx = x1 - x0;
        let wy = y1 - y0;
        for (p, v) in starts {
            let (q, kv) = self.local_search(p, v);
            if !kv.is_finite() {
                continue;
            }
            if let Some(f) =
                found.iter_mut().find(|f| ((f.0[0] - q[0]) / wx).abs() < 1e-6 && ((f.0[1] - q[1]) / wy).abs() < 1e-6)
            {
                if kv < f.1 {
                    *f = (q, kv);
                }
            } else {
                found.push((q, kv));
            }
        }
        found.sort_by(|a, b| a.1.total_cmp(&b.1));
        let Some(&(_, k_min)) = found.first() else {
            return Err(LandscapeError::Undefined("no finite value of K found on the box".into()));
        };
        if k_min.abs() > 1e12 {
            return Err(LandscapeError::Unbounded(deep_minimum(k_min)));
        }
        let tol = min_tol(k_min);
        let edge = |p: &[f64; 2]| {
            (p[0] - x0).abs() < 1e-9 * wx
                || (x1 - p[0]).abs() < 1e-9 * wx
                || (p[1] - y0).abs() < 1e-9 * wy
                || (y1 - p[1]).abs() < 1e-9 * wy
        };
        let mut argmin: Vec<[f64; 2]> = found.iter().filter(|m| m.1 <= k_min + tol).map(|m| m.0).collect();
        // interior points first, then nearest the centre of the box: the most telling minimiser
        let c = [0.5 * (x0 + x1), 0.5 * (y0 + y1)];
        let key = |p: &[f64; 2]| (edge(p), ((p[0] - c[0]) / wx).powi(2) + ((p[1] - c[1]) / wy).powi(2));
        argmin.sort_by(|p, q| {
            let (a, b) = (key(p), key(q));
            a.0.cmp(&b.0).then(a.1.total_cmp(&b.1))
        });
        // "on the edge" only when the whole minimum set found lies on the boundary (a line of
        // minima that merely reaches the edge is not a boundary minimum)
        let on_edge = argmin.iter().all(edge);
        if on_edge {
            warnings.push(format!(
                "the minimum is on the edge of the box at {}: the volume law there describes a part of the basin",
                fmt_point(argmin[0], 2)
            ));
        }
        let (certified, lower_bound, basins_complete) = certificate(cert.as_ref(), k_min, &mut warnings);
        let scale_near = self.scale_near(argmin[0], k_min);
        Ok(Minimum {
            k_min,
            argmin,
            local_minima: found,
            k_max: grid_max,
            on_edge,
            warnings,
            certified,
            lower_bound,
            basins_complete,
            scale_near,
        })
    }

    /// Powell-style local search inside the box: Brent line minimisations along the axes and the
    /// last overall move, until a sweep no longer lowers K. Derivative-free on purpose: the
    /// formula may have kinks (abs, min, max) where a gradient method stalls.
    pub fn local_search(&self, p: [f64; 2], v: f64) -> ([f64; 2], f64) {
        let mut p = p;
        let mut v = v;
        let scale = [self.box_width(0), self.box_width(1)];
        let mut h = 0.05;
        for _sweep in 0..60 {
            let start = p;
            let v_start = v;
            let mut dirs = vec![[1.0, 0.0], [0.0, 1.0]];
            for _ in 0..2 {
                for d in &dirs {
                    let (q, kv) = self.line_min(p, v, [d[0] * scale[0], d[1] * scale[1]], h);
                    p = q;
                    v = kv;
                }
                let mv = [(p[0] - start[0]) / scale[0], (p[1] - start[1]) / scale[1]];
                let len = (mv[0] * mv[0] + mv[1] * mv[1]).sqrt();
                if len > 0.0 {
                    dirs = vec![[mv[0] / len, mv[1] / len]];
                } else {
                    break;
                }
            }
            let moved = (((p[0] - start[0]) / scale[0]).powi(2) + ((p[1] - start[1]) / scale[1]).powi(2)).sqrt();
            h = (4.0 * moved).clamp(1e-9, 0.25);
            if v_start - v <= 1e-16 * v.abs().max(1e-300) && moved < 1e-12 {
                break;
            }
        }
        (p, v)
    }

    /// Minimise along p + t·d, |t| ≤ h, staying inside the box.
    fn line_min(&self, p: [f64; 2], v: f64, d: [f64; 2], h: f64) -> ([f64; 2], f64) {
        let (mut tlo, mut thi) = (-h, h);
        for a in 0..2 {
            if d[a] != 0.0 {
                let t0 = (self.bounds[a][0] - p[a]) / d[a];
                let t1 = (self.bounds[a][1] - p[a]) / d[a];
                tlo = tlo.max(t0.min(t1));
                thi = thi.min(t0.max(t1));
            }
        }
        if thi <= tlo {
            return (p, v);
        }
        let mut f = |t: f64| {
            let x = (p[0] + t * d[0]).clamp(self.bounds[0][0], self.bounds[0][1]);
            let y = (p[1] + t * d[1]).clamp(self.bounds[1][0], self.bounds[1][1]);
            self.k(x, y)
        };
        let (t, ft) = brent_min(&mut f, tlo, thi, 0.0_f64.clamp(tlo, thi), v, 4.0 * f64::EPSILON, 1e-16);
        if ft < v {
            let x = (p[0] + t * d[0]).clamp(self.bounds[0][0], self.bounds[0][1]);
            let y = (p[1] + t * d[1]).clamp(self.bounds[1][0], self.bounds[1][1]);
            ([x, y], ft)
        } else {
            (p, v)
        }
    }
}

impl Landscape {
    /// The interval search followed K down without bound (1/x towards 0⁻): no minimum.
    fn unbounded(&self, cert: Option<&super::minimum::Certificate>) -> Result<(), LandscapeError> {
        let Some((w, v)) = cert.map(|c| c.best) else { return Ok(()) };
        if v == f64::NEG_INFINITY {
            return Err(LandscapeError::Unbounded(format!(
                "K is unbounded below on the box: it goes to −∞ near {}, so there is no minimum (move the box away from that point)",
                fmt_point(w, self.dim)
            )));
        }
        if v < -1e12 {
            return Err(LandscapeError::Unbounded(format!(
                "K is unbounded below on the box, or too deep to resolve: it falls below {v:.3e} near {}, so there is no minimum to measure (move the box away from that point, or add a constant)",
                fmt_point(w, self.dim)
            )));
        }
        Ok(())
    }

    /// K − K* at 1e-3 of the box's width from w, along the axes and (2-D) the diagonals, inside
    /// the box: the largest (a valley of minima along an axis must not make it look flat); see
    /// `rise`.
    /// 0 when K does not rise at all within 1e-6 of the width (a bottom flat to rounding, as
    /// exp(−1/x²) is for |x| < 0.037: no own scale to reach).
    fn scale_near(&self, w: [f64; 2], k_min: f64) -> f64 {
        let s = self.rise(w, k_min, 1e-3);
        if self.rise(w, k_min, 1e-6) > 0.0 { s } else { 0.0 }
    }

    fn rise(&self, w: [f64; 2], k_min: f64, rel: f64) -> f64 {
        let h = [rel * self.box_width(0), if self.dim == 2 { rel * self.box_width(1) } else { 0.0 }];
        let dirs: &[[f64; 2]] =
            if self.dim == 2 { &[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -1.0]] } else { &[[1.0, 0.0]] };
        let mut s: f64 = 0.0;
        for d in dirs {
            for sign in [-1.0, 1.0] {
                let p = [w[0] + sign * d[0] * h[0], w[1] + sign * d[1] * h[1]];
                if (0..self.dim).all(|a| p[a] >= self.bounds[a][0] && p[a] <= self.bounds[a][1]) {
                    let v = self.k(p[0], p[1]) - k_min;
                    if v.is_finite() {
                        s = s.max(v);
                    }
                }
            }
        }
        s
    }
}

/// What the certificate says, with a warning when the search could not certify K*.
fn certificate(
    cert: Option<&super::minimum::Certificate>,
    k_min: f64,
    warnings: &mut Vec<String>,
) -> (Option<bool>, Option<f64>, bool) {
    let Some(c) = cert else { return (None, None, true) };
    // the local searches may improve on the search's best point: the bound stands, K* is lower
    let certified = c.certified && c.lower <= k_min;
    if !c.certified {
        warnings.push(format!(
            "minimum not certified: the interval search ran out of its budget ({} boxes) with a lower bound {:e} below K* = {:e}; a lower point may exist",
            c.boxes,
            k_min - c.lower,
            k_min
        ));
    }
    (Some(certified), Some(c.lower), c.basins_complete)
}

/// Two minima within this of K* count as equally deep.
pub fn min_tol(k_min: f64) -> f64 {
    1e-13 * (1.0 + k_min.abs())
}

/// |K*| > 1e12: below, K is (nearly) unbounded; above, a constant offset hides small ε.
fn deep_minimum(k_min: f64) -> String {
    if k_min < 0.0 {
        format!(
            "K falls to {k_min:.3e} on the box: it is unbounded below there, or too deep to resolve small ε in double precision, so there is no minimum to measure"
        )
    } else {
        format!("K* = {k_min:.3e} is too large to resolve small ε in double precision: subtract a constant from K")
    }
}

pub fn fmt_point(p: [f64; 2], dim: usize) -> String {
    // six decimals where they say something, exponent notation near 0 (not "-0.000000")
    let f = |v: f64| if v == 0.0 || (1e-4..1e7).contains(&v.abs()) { format!("{v:.6}") } else { format!("{v:.4e}") };
    if dim == 1 { format!("x = {}", f(p[0])) } else { format!("(x, y) = ({}, {})", f(p[0]), f(p[1])) }
}
