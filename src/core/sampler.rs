//! The local learning coefficient (LLC) from SGLD samples, the exact values it estimates, and SGD
//! (SCIENCE.md §5; Lau et al. 2023):
//!
//!   λ̂(w*) = n·β·(E[L(w)] − L(w*)),  samples of exp(−n·β·L(w) − (γ/2)·|w − w*|²),  β = 1/log n,
//!   SGLD step  Δw = −½·M·(n·β·∇L(w) + γ·(w − w*)) + N(0, M),
//!
//! with L the landscape's loss: a formula's K (exact gradient), or a model's L_n (its exact gradient
//! by default, a minibatch on request, as devinterp does). Every chain is seeded; the burn-in is
//! excluded from the average (devinterp averages it in, which pulls λ̂ down); steps leaving the box
//! are reflected back into it. Beside the estimate: the exact tempered value n·β·E_β[L − L*]
//! without localisation (from the volume curve, `free_energy::lambda_eff` at nβ) and with the same
//! localisation (direct quadrature), so that a user sees how much of an error is the sampler's, the
//! localisation's and finite n's.
//!
//! Defaults, chosen where SCIENCE.md §5 shows devinterp's fail: γ = 1 (γ = 100 confines the chain to
//! 0.1, narrower than the posterior in quartic directions); a constant preconditioner
//! M = 0.02·(n·β·H + γ)⁻¹ from the Hessian H at w* (the unadjusted step's bias ~ η·n·β·κ/2 = 1%),
//! its eigenvalues capped at 1e-3 of the explored region² (the box, at most ±1/√γ), and each axis
//! shrunk where the posterior stiffens away from w* (see `edge_curvature`, `pilot_points`);
//! 4 chains × 50,000 draws after 2,000 burn-in steps (a step costs ~5 evaluations of L).

use std::time::Instant;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use serde::Serialize;

use super::free_energy::{VolumeLaw, check_n, free_energy};
use super::landscape::{Landscape, LandscapeError, Minimum};

/// Why an SGLD estimate or an SGD run was refused: a setting out of range (the user's input, CLI
/// exit code 2), or the landscape's own error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SamplerError {
    #[error("γ = {} must be ≥ 0", super::num::short(*.0))]
    BadGamma(f64),
    #[error("chains must be 1 … 64 and draws + burn-in at most 1e7")]
    BadChains,
    #[error("the minibatch must hold at least 1 point")]
    EmptyBatch,
    #[error("MALA needs exact gradients (a minibatch breaks its Metropolis test): drop --batch, or use --sampler sgld")]
    MalaMinibatch,
    #[error("{what} = {} is more than {MAX_WORK:.0e} gradient terms: {fix}", super::num::short(*.work))]
    TooMuchWork { what: &'static str, work: f64, fix: &'static str },
    #[error("the LLC needs n ≥ 3 (β = 1/log n)")]
    SmallN,
    #[error("β = {} must be positive", super::num::short(*.0))]
    BadBeta(f64),
    #[error("step {} must be positive", super::num::short(*.0))]
    BadStep(f64),
    #[error("learning rate {} must be a positive number", super::num::short(*.0))]
    BadLearningRate(f64),
    #[error("SGD steps must be 1 … 1e7")]
    BadSteps,
    #[error("the start point {0} is outside the box")]
    StartOutside(String),
    #[error(transparent)]
    Landscape(#[from] LandscapeError),
}

impl SamplerError {
    /// True when the computation failed (the budget), false when a setting was refused.
    pub fn is_compute(&self) -> bool {
        matches!(self, SamplerError::Landscape(LandscapeError::Budget))
    }
}
use super::model::DataLoss;
use super::num::integrate_adaptive;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct LlcOptions {
    /// For a model with sampled data the n of its dataset is used instead.
    pub n: f64,
    /// None: 1/log n.
    pub beta: Option<f64>,
    pub gamma: f64,
    /// None: scaled to the posterior (see the module docs).
    pub step: Option<f64>,
    pub chains: usize,
    pub draws: usize,
    pub burn_in: usize,
    pub seed: u64,
    /// Minibatch size for a model with sampled data. None: the exact gradient of L_n (cheap through
    /// the model's sufficient statistics or table). A formula has no data: its gradient is exact.
    pub batch: Option<usize>,
    /// None: MALA with exact gradients, SGLD with a minibatch (`Sampler::default_for`).
    #[serde(default)]
    pub sampler: Option<Sampler>,
    /// The preconditioner (automatic or `step`) multiplied by this (None: 1); what `calibrate`
    /// varies.
    #[serde(default)]
    pub step_scale: Option<f64>,
}

/// The sampler of the chains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sampler {
    /// Unadjusted Langevin (what devinterp runs): its stationary law is off the target by a bias
    /// that grows with the step, and a minibatch adds its own.
    Sgld,
    /// Metropolis-adjusted Langevin with the same preconditioner: the proposal is the SGLD step and
    /// a Metropolis–Hastings test makes the tempered, localised posterior exactly stationary, so
    /// the only error left is Monte Carlo error. Chosen over HMC/NUTS because it needs one gradient
    /// per step, as SGLD does (the same cost per draw, compared like for like), and its step scale
    /// is tuned by one number (the acceptance rate, towards 0.574) during the burn-in.
    Mala,
}

impl Sampler {
    /// MALA needs exact gradients (a minibatch gradient breaks its test): MALA unless a minibatch
    /// is asked for.
    pub fn default_for(batch: Option<usize>) -> Sampler {
        if batch.is_some() { Sampler::Sgld } else { Sampler::Mala }
    }
    pub fn name(self) -> &'static str {
        match self {
            Sampler::Sgld => "sgld",
            Sampler::Mala => "mala",
        }
    }
}

impl std::str::FromStr for Sampler {
    type Err = String;
    fn from_str(s: &str) -> Result<Sampler, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sgld" => Ok(Sampler::Sgld),
            "mala" => Ok(Sampler::Mala),
            _ => Err(format!("'{s}': use mala or sgld")),
        }
    }
}

impl Default for LlcOptions {
    fn default() -> Self {
        LlcOptions {
            n: 1e4,
            beta: None,
            gamma: 1.0,
            step: None,
            chains: 4,
            draws: 50_000,
            burn_in: 2000,
            seed: 0,
            batch: None,
            sampler: None,
            step_scale: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LlcResult {
    pub llc_mean: f64,
    /// Standard error across chains.
    pub llc_se: f64,
    /// Spread (standard deviation) of the chains' estimates.
    pub llc_std: f64,
    pub chain_means: Vec<f64>,
    pub n: f64,
    pub beta: f64,
    pub gamma: f64,
    /// The largest per-axis step (see `steps`); a step given in the options is M = step·I.
    pub step: f64,
    /// Step per axis: the diagonal of the preconditioner M.
    pub steps: Vec<f64>,
    pub chains: usize,
    pub draws: usize,
    pub burn_in: usize,
    pub seed: u64,
    /// Minibatch size used (None: exact gradients).
    pub batch: Option<usize>,
    /// Where the chains are localised.
    pub w_star: [f64; 2],
    /// Why there (see `llc_centre`); empty when the caller chose w* itself.
    pub localisation: String,
    /// n·β·E_β[K − K*] under the box prior, without localisation (from the volume curve).
    pub exact_tempered: f64,
    /// The same with the localisation exp(−(γ/2)|w − w*|²) (2-D/1-D quadrature).
    pub exact_tempered_localized: f64,
    /// Steps that produced a non-finite value (the chain restarts at w*).
    pub divergences: usize,
    /// Steps whose proposal left the box (reflected back into it).
    pub left_box: usize,
    /// Every chain's draws (thinned to at most `TRACE_POINTS` each), for drawing.
    pub traces: Vec<Vec<[f64; 2]>>,
    /// The sampler the chains ran, and why (the default per case, or the user's choice).
    pub sampler: Sampler,
    pub sampler_reason: String,
    pub diagnostics: Diagnostics,
    /// WBIC beside the free energy, all on the scale F − n·L*.
    pub wbic: Wbic,
    pub warnings: Vec<String>,
    pub elapsed_ms: f64,
}

/// Widely applicable BIC, WBIC = E_β[n·L_n] at β = 1/log n, measured by the chains and exact by
/// quadrature, beside the exact free energy F_n, each minus n·L* (so that the gaps read directly):
/// the sampler's gap is `sampler − exact_same_gamma`, the localisation's `exact_same_gamma −
/// exact`, WBIC's own `exact − free_energy`.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Wbic {
    /// From the chains: n·E[L − L*] = LLC / β (with the localisation γ).
    pub sampler: f64,
    /// Exact, with the same localisation.
    pub exact_same_gamma: f64,
    /// Exact, under the box prior (no localisation).
    pub exact: f64,
    /// The exact free energy F_n − n·L* (β = 1, the volume law).
    pub free_energy: f64,
}

/// How far an estimate can be trusted, from its chains: split-R̂ and the effective sample size of
/// n·β·(L − L*) across chains, the acceptance rate (MALA) or the change at half the step (SGLD),
/// the burn-in chosen from the traces, and the traces themselves (thinned).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Diagnostics {
    /// Split-R̂ (Gelman et al.): near 1 when the chains agree with each other and with themselves.
    pub r_hat: f64,
    /// Effective sample size over all chains (Geyer's initial positive sequence).
    pub ess: f64,
    /// MALA: the fraction of proposals accepted after the burn-in.
    pub acceptance: Option<f64>,
    /// SGLD: the estimate at half the step minus the estimate (its step-size bias, measured).
    pub step_bias: Option<f64>,
    /// Steps dropped from the start of every chain: the tuning steps and then as many as the
    /// traces needed to reach their typical level.
    pub burn_in: usize,
    /// Per chain, (draw, n·β·(L − L*)) thinned to at most `TRACE_POINTS`, the running LLC, and
    /// (draw, |w − w*|): how far the chain wanders from where it is localised.
    pub traces: Vec<Vec<[f64; 2]>>,
    pub running: Vec<Vec<[f64; 2]>>,
    pub distance: Vec<Vec<[f64; 2]>>,
}

/// The most per-sample gradient terms (of a formula of cost `REFERENCE_COST`, see `term_weight`)
/// one SGLD estimate, or one SGD run with its estimates, may take: ~20 s on this 2-core machine
/// (1.6e7 terms of the cusp took 1.8 s).
pub const MAX_WORK: f64 = 2e8;

/// Points kept per chain for drawing.
pub const TRACE_POINTS: usize = 1500;

/// ∇K by central differences with a step relative to the box (the formula may have kinks where a
/// symbolic derivative does not exist; a difference is defined wherever K is).
fn grad(land: &Landscape, w: [f64; 2], h: [f64; 2]) -> [f64; 2] {
    let mut g = [0.0; 2];
    for a in 0..land.dim {
        let mut p = w;
        let mut q = w;
        p[a] += h[a];
        q[a] -= h[a];
        g[a] = (land.k(p[0], p[1]) - land.k(q[0], q[1])) / (2.0 * h[a]);
    }
    g
}

/// Reflect a coordinate into [lo, hi] (the 2-D and the d-D samplers).
pub(crate) fn reflect(mut v: f64, lo: f64, hi: f64) -> f64 {
    let w = hi - lo;
    for _ in 0..4 {
        if v < lo {
            v = 2.0 * lo - v;
        } else if v > hi {
            v = 2.0 * hi - v;
        } else {
            return v;
        }
    }
    v.clamp(lo, hi).min(lo + w)
}

/// The data behind a landscape's gradient: a model's points (minibatches), or None (exact ∇K).
fn sampled_data(land: &Landscape) -> Option<&DataLoss> {
    land.data.as_deref().filter(|d| !d.spec.population)
}

/// A gradient of the landscape's loss at w: a minibatch of a model's data, or the exact ∇K.
pub(crate) struct Gradient<'a> {
    land: &'a Landscape,
    pub(crate) data: Option<&'a DataLoss>,
    pub(crate) batch: usize,
    idx: Vec<usize>,
    h: [f64; 2],
}

impl<'a> Gradient<'a> {
    /// `batch` None: the exact gradient of the landscape's loss (central differences).
    pub(crate) fn new(land: &'a Landscape, batch: Option<usize>) -> Self {
        let data = sampled_data(land).filter(|_| batch.is_some());
        let batch = data.map(|d| batch.unwrap_or(1).clamp(1, d.len())).unwrap_or(0);
        let h = [1e-6 * land.box_width(0), if land.dim == 2 { 1e-6 * land.box_width(1) } else { 1.0 }];
        Gradient { land, data, batch, idx: Vec::with_capacity(batch), h }
    }

    pub(crate) fn at(&mut self, w: [f64; 2], rng: &mut StdRng) -> [f64; 2] {
        match self.data {
            Some(d) if self.batch < d.len() => {
                self.idx.clear();
                // with replacement: independent draws keep the minibatch gradient unbiased
                for _ in 0..self.batch {
                    self.idx.push(rng.random_range(0..d.len()));
                }
                d.grad(w, Some(&self.idx))
            }
            Some(d) => d.grad(w, None),
            None => grad(self.land, w, self.h),
        }
    }
}

/// What the chains produce before any comparison with exact values.
pub(crate) struct Chains {
    pub(crate) means: Vec<f64>,
    /// Per chain, n·β·(L − L*) at every draw after the tuning steps.
    series: Vec<Vec<f64>>,
    accepted: usize,
    proposed: usize,
    sampler: Sampler,
    /// Steps dropped after the tuning steps (from the traces).
    dropped: usize,
    /// Draws within 1% of the box's width from its edge.
    near_edge: usize,
    traces: Vec<Vec<[f64; 2]>>,
    divergences: usize,
    left_box: usize,
    n: f64,
    beta: f64,
    steps: [f64; 2],
    batch: Option<usize>,
    noise_ratio: f64,
}

/// The work of one gradient term on `land`, relative to a formula of cost `REFERENCE_COST`: a
/// long formula's evaluations cost more, and `MAX_WORK` bounds time, not only the count of terms.
/// A model's term is one data point (its cost does not depend on a formula).
pub fn term_weight(land: &Landscape) -> f64 {
    if !land.is_formula() { 1.0 } else { (land.formula.tape.cost() as f64 / REFERENCE_COST).max(1.0) }
}

/// The tape cost of the formulas `MAX_WORK` was measured on (the presets cost 9 … 60).
pub const REFERENCE_COST: f64 = 30.0;

/// The work of one LLC estimate with `opts` on `land`, in gradient terms of reference cost.
pub fn llc_work(land: &Landscape, opts: &LlcOptions) -> f64 {
    let per_step = opts.batch.unwrap_or(1).max(1) as f64;
    opts.chains as f64 * (opts.draws as f64 + opts.burn_in as f64) * per_step * term_weight(land)
}

pub(crate) fn check(land: &Landscape, opts: &LlcOptions) -> Result<(), SamplerError> {
    check_n(opts.n)?;
    if !(opts.gamma >= 0.0 && opts.gamma.is_finite()) {
        return Err(SamplerError::BadGamma(opts.gamma));
    }
    if opts.chains == 0 || opts.draws == 0 || opts.chains > 64 || opts.draws.saturating_add(opts.burn_in) > 10_000_000 {
        return Err(SamplerError::BadChains);
    }
    if opts.batch == Some(0) {
        return Err(SamplerError::EmptyBatch);
    }
    if let Some(k) = opts.step_scale
        && !(k > 0.0 && k.is_finite() && k <= 1e6)
    {
        return Err(SamplerError::BadStep(k));
    }
    if opts.sampler == Some(Sampler::Mala) && minibatch(land, opts.batch) {
        return Err(SamplerError::MalaMinibatch);
    }
    // a bound on the work of one estimate (a few seconds at most on the worker thread)
    let work = llc_work(land, opts);
    if work > MAX_WORK {
        return Err(SamplerError::TooMuchWork {
            what: "chains × (draws + burn-in) × batch × the formula's cost",
            work,
            fix: "use fewer draws or chains, a smaller batch, or a shorter formula",
        });
    }
    Ok(())
}

pub(crate) fn run_chains(
    land: &Landscape,
    w_star: [f64; 2],
    opts: &LlcOptions,
    thin: usize,
) -> Result<Chains, SamplerError> {
    run_chains_scaled(land, w_star, opts, thin, opts.step_scale.unwrap_or(1.0))
}

/// The chains with the preconditioner multiplied by `scale` (½: the step-size bias check).
fn run_chains_scaled(
    land: &Landscape,
    w_star: [f64; 2],
    opts: &LlcOptions,
    thin: usize,
    scale: f64,
) -> Result<Chains, SamplerError> {
    check(land, opts)?;
    // for a model, n is the size of its dataset (L_n is the mean over those points)
    let n = sampled_data(land).map(|d| d.len() as f64).unwrap_or(opts.n);
    if n < 3.0 {
        return Err(SamplerError::SmallN);
    }
    let beta = opts.beta.unwrap_or(1.0 / n.ln());
    if !(beta > 0.0 && beta.is_finite()) {
        return Err(SamplerError::BadBeta(beta));
    }
    let nb = n * beta;
    let d = land.dim;
    let width: Vec<f64> = (0..d).map(|a| land.box_width(a)).collect();
    // the preconditioner: M = 0.02·(nβ·H + γ·I)⁻¹ with H the Hessian of K at w* (differences at the
    // scale of the posterior), its eigenvalues capped at 1e-4 of the explored region² (the box,
    // and at most ±1/√γ around w*). A constant M leaves the target unchanged
    // (Δw = −(η/2)·M·∇U + N(0, ηM) with η folded into M) and makes the posterior near w* round:
    // a stiff direction stays stable, a flat one moves, and a tilted ridge (a·tanh(b·x) near a
    // regular minimum lies along a·b = const) is crossed as fast as an axis-aligned one.
    let reach = width.iter().copied().fold(f64::MAX, f64::min).min(if opts.gamma > 0.0 {
        2.0 / opts.gamma.sqrt()
    } else {
        f64::MAX
    });
    let cap = 1e-3 * reach * reach;
    let (m_mat, l_mat) = match opts.step {
        Some(e) if e > 0.0 && e.is_finite() => {
            let r = e.sqrt();
            ([[e, 0.0], [0.0, e]], [[r, 0.0], [0.0, r]])
        }
        Some(e) => return Err(SamplerError::BadStep(e)),
        None => {
            let h =
                hessian_at_scale(land, w_star, nb.powf(-0.5).min(0.1 * width.iter().copied().fold(f64::MAX, f64::min)));
            let a = nalgebra::Matrix2::new(
                nb * h[0][0] + opts.gamma,
                nb * h[0][1],
                nb * h[1][0],
                nb * h[1][1] + opts.gamma,
            );
            let eig = nalgebra::SymmetricEigen::new(a);
            let mut mm = nalgebra::Matrix2::zeros();
            let mut ll = nalgebra::Matrix2::zeros();
            for i in 0..2 {
                let mu = eig.eigenvalues[i];
                let v = eig.eigenvectors.column(i);
                let m = if mu.is_finite() && mu > 0.0 { (0.02 / mu).min(cap) } else { cap };
                mm += v * v.transpose() * m;
                ll += v * v.transpose() * m.sqrt();
            }
            // away from w* a singular loss stiffens (x²y²: ∂²/∂x² = 2y² along the flat y-arm;
            // (x²+y²)²: 12x² at the posterior's edge): shrink an axis whose step would make
            // η·nβ·κ exceed EDGE_STABILITY where the posterior ends (D·M·D keeps M positive definite)
            let kap = edge_curvature(land, w_star, nb, opts.gamma);
            let mut dd = [1.0f64; 2];
            for a in 0..2 {
                if kap[a] > 0.0 && mm[(a, a)] > 0.0 {
                    dd[a] = (EDGE_STABILITY / (nb * kap[a]) / mm[(a, a)]).sqrt().min(1.0);
                }
            }
            let dmat = nalgebra::Matrix2::new(dd[0], 0.0, 0.0, dd[1]);
            let mm = dmat * mm * dmat;
            let ll = dmat * ll;
            // the same check where a short pilot chain actually goes (a curved valley such as the
            // cusp x² = y³ stiffens off the axes)
            let pilot = pilot_points(land, w_star, nb, opts.gamma, &mm, &ll, opts.seed);
            let mut dd = [1.0f64; 2];
            for c in &pilot {
                for a in 0..d {
                    let k = axis_curvature(land, *c, a);
                    if k > 0.0 && mm[(a, a)] > 0.0 {
                        dd[a] = dd[a].min((EDGE_STABILITY / (nb * k) / mm[(a, a)]).sqrt());
                    }
                }
            }
            let dmat = nalgebra::Matrix2::new(dd[0], 0.0, 0.0, dd[1]);
            let mm = dmat * mm * dmat;
            let ll = dmat * ll;
            ([[mm[(0, 0)], mm[(0, 1)]], [mm[(1, 0)], mm[(1, 1)]]], [[ll[(0, 0)], ll[(0, 1)]], [ll[(1, 0)], ll[(1, 1)]]])
        }
    };
    let (m_mat, l_mat) =
        if d == 1 { ([[m_mat[0][0], 0.0], [0.0, 0.0]], [[l_mat[0][0], 0.0], [0.0, 0.0]]) } else { (m_mat, l_mat) };
    let m_mat = m_mat.map(|r| r.map(|v| v * scale));
    let l_mat = l_mat.map(|r| r.map(|v| v * scale.sqrt()));
    let steps = [m_mat[0][0], m_mat[1][1]];
    let k0 = land.k(w_star[0], w_star[1]);
    let batch = opts.batch;
    let sampler = opts.sampler.unwrap_or(Sampler::default_for(minibatch(land, batch).then_some(1)));
    let mut means = vec![];
    let mut series_all = vec![];
    let mut divergences = 0;
    let mut left_box = 0;
    let (mut accepted, mut proposed) = (0usize, 0usize);
    let mut traces = vec![];
    let mut dropped_max = 0;
    let mut near_edge = 0usize;
    let inside = |v: [f64; 2]| (0..d).all(|a| v[a] >= land.bounds[a][0] && v[a] <= land.bounds[a][1]);
    for c in 0..opts.chains {
        let mut rng = StdRng::seed_from_u64(opts.seed.wrapping_mul(1_000_003).wrapping_add(c as u64));
        let mut gradient = Gradient::new(land, batch);
        let mut w = w_star;
        let mut trace_w = vec![];
        let mut series = Vec::with_capacity(opts.draws);
        // MALA: the state's U = nβ(K − K*) + (γ/2)|w − w*|², its gradient, and the step scale
        // tuned during the burn-in (log s, towards an acceptance of 0.574), frozen after it
        let u_of = |v: [f64; 2], k: f64| {
            nb * (k - k0) + 0.5 * opts.gamma * (0..d).map(|a| (v[a] - w_star[a]).powi(2)).sum::<f64>()
        };
        let grad_u = |g: [f64; 2], v: [f64; 2]| [0, 1].map(|a| nb * g[a] + opts.gamma * (v[a] - w_star[a]));
        let mut kw = k0;
        let mut uw = u_of(w, kw);
        let mut gw = grad_u(gradient.at(w, &mut rng), w);
        let mut log_s = 0.0f64;
        let (mut mc, mut lc) = (m_mat, l_mat);
        let mut seen: Vec<[f64; 2]> = vec![];
        for t in 0..(opts.burn_in + opts.draws) {
            let z: [f64; 2] = [rng.sample(StandardNormal), if d == 2 { rng.sample(StandardNormal) } else { 0.0 }];
            match sampler {
                Sampler::Sgld => {
                    let g = if t == 0 { gw } else { grad_u(gradient.at(w, &mut rng), w) };
                    let mut next = w;
                    for a in 0..d {
                        let drift = m_mat[a][0] * g[0] + m_mat[a][1] * g[1];
                        next[a] = w[a] - 0.5 * drift + l_mat[a][0] * z[0] + l_mat[a][1] * z[1];
                        if next[a] < land.bounds[a][0] || next[a] > land.bounds[a][1] {
                            left_box += 1;
                        }
                        next[a] = reflect(next[a], land.bounds[a][0], land.bounds[a][1]);
                    }
                    let kv = land.k(next[0], next[1]);
                    if !kv.is_finite() || next.iter().any(|v| !v.is_finite()) {
                        divergences += 1;
                        w = w_star;
                        kw = k0;
                        continue;
                    }
                    w = next;
                    kw = kv;
                }
                Sampler::Mala => {
                    let sc = log_s.exp();
                    let (m_s, l_s) = (sc, sc.sqrt());
                    // the drift ½·s·M·∇U, truncated to DRIFT_CAP proposal widths (MALTA, Roberts &
                    // Tweedie 1996): where a quartic's gradient is steep, the full drift overshoots,
                    // every proposal is refused and a chain sticks (found on x⁴: 0.232 for 0.2475)
                    let mean_of = |v: [f64; 2], g: [f64; 2]| {
                        let mut dr =
                            [0, 1].map(|a| if a < d { 0.5 * m_s * (mc[a][0] * g[0] + mc[a][1] * g[1]) } else { 0.0 });
                        let e = solve_l(&lc, dr, d);
                        let size = ((e[0] * e[0] + e[1] * e[1]) / m_s).sqrt();
                        if size > DRIFT_CAP {
                            dr = dr.map(|x| x * DRIFT_CAP / size);
                        }
                        [0, 1].map(|a| v[a] - dr[a])
                    };
                    let mu = mean_of(w, gw);
                    let mut next = w;
                    for a in 0..d {
                        next[a] = mu[a] + l_s * (lc[a][0] * z[0] + lc[a][1] * z[1]);
                    }
                    proposed += usize::from(t >= opts.burn_in);
                    let mut alpha = 0.0;
                    if !inside(next) || next.iter().any(|v| !v.is_finite()) {
                        // outside the prior's support: the target density is 0 there
                        left_box += 1;
                    } else {
                        let kv = land.k(next[0], next[1]);
                        if !kv.is_finite() {
                            divergences += 1;
                        } else {
                            let un = u_of(next, kv);
                            let gn = grad_u(gradient.at(next, &mut rng), next);
                            // log q(to | from) = −|L⁻¹(to − μ(from))|²/2 (the common factors cancel)
                            let log_q = |to: [f64; 2], mu: [f64; 2]| -> f64 {
                                let r = [to[0] - mu[0], if d == 2 { to[1] - mu[1] } else { 0.0 }];
                                let e = solve_l(&lc, r, d);
                                -0.5 * (e[0] * e[0] + e[1] * e[1]) / m_s
                            };
                            let log_a = -un + uw + log_q(w, mean_of(next, gn)) - log_q(next, mu);
                            alpha = if log_a.is_nan() { 0.0 } else { log_a.min(0.0).exp() };
                            if rng.random::<f64>() < alpha {
                                (w, kw, uw, gw) = (next, kv, un, gn);
                                accepted += usize::from(t >= opts.burn_in);
                            }
                        }
                    }
                    if t < opts.burn_in {
                        // Robbins–Monro on log s: a 1/√t gain, so the scale settles
                        let k = if t >= opts.burn_in / 2 { t - opts.burn_in / 2 } else { t };
                        log_s = (log_s + (alpha - 0.574) / ((k + 1) as f64).sqrt()).clamp(-12.0, 4.0);
                        // half-way through the burn-in, the shape of the proposal becomes the
                        // covariance of the states seen so far (where the posterior really goes:
                        // along a flat or curved valley the Hessian at w* cannot tell), and the
                        // scale is tuned again for it
                        if t >= opts.burn_in / 4 && t < opts.burn_in / 2 {
                            seen.push(w);
                        }
                        if t + 1 == opts.burn_in / 2
                            && let Some((m2, l2)) = covariance_shape(&seen, d)
                        {
                            (mc, lc) = (m2, l2);
                            log_s = 0.0;
                        }
                    }
                }
            }
            if t >= opts.burn_in {
                if (0..d).any(|a| (w[a] - land.bounds[a][0]).min(land.bounds[a][1] - w[a]) < 0.01 * width[a]) {
                    near_edge += 1;
                }
                series.push(nb * (kw - k0));
                if (t - opts.burn_in).is_multiple_of(thin) {
                    trace_w.push(w);
                }
            }
        }
        // the burn-in from the trace: the chain starts at w*, where nβ(L − L*) = 0, below its
        // typical level; drop the draws before it first reaches the median of its second half
        // (at most a tenth of them)
        let dropped = reached_typical(&series).min(series.len() / 10);
        dropped_max = dropped_max.max(dropped);
        let kept = &series[dropped..];
        means.push(kept.iter().sum::<f64>() / kept.len().max(1) as f64);
        series_all.push(series);
        traces.push(trace_w);
    }
    let batch = sampled_data(land).and(batch).map(|b| b.min(n as usize));
    // minibatch noise in the drift, (η/2)·nβ·σ_g/√B, against the injected noise √η
    let noise_ratio = match (sampled_data(land), batch) {
        (Some(dl), Some(b)) if b < dl.len() => {
            let sd = dl.grad_spread(w_star, 2000);
            (0..d).map(|a| steps[a].sqrt() * nb * sd[a] / (2.0 * (b as f64).sqrt())).fold(0.0, f64::max)
        }
        _ => 0.0,
    };
    Ok(Chains {
        means,
        series: series_all,
        accepted,
        proposed,
        sampler,
        dropped: dropped_max,
        near_edge,
        traces,
        divergences,
        left_box,
        n,
        beta,
        steps,
        batch,
        noise_ratio,
    })
}

/// A 2×2 matrix, row by row.
type Mat2 = [[f64; 2]; 2];

/// A proposal shape from states: M = Σ̂ (their covariance) scaled by 2.38²/d·¼ (a starting scale
/// that the acceptance tuning then corrects) and its Cholesky factor; None when the states do not
/// spread in every direction (a stuck chain keeps the Hessian's shape).
fn covariance_shape(states: &[[f64; 2]], d: usize) -> Option<(Mat2, Mat2)> {
    if states.len() < 50 {
        return None;
    }
    let n = states.len() as f64;
    let mean = [0, 1].map(|a| states.iter().map(|w| w[a]).sum::<f64>() / n);
    let c = |a: usize, b: usize| states.iter().map(|w| (w[a] - mean[a]) * (w[b] - mean[b])).sum::<f64>() / (n - 1.0);
    let f = 2.38f64.powi(2) / d as f64 * 0.25;
    if d == 1 {
        let v = c(0, 0) * f;
        return (v > 0.0 && v.is_finite()).then(|| ([[v, 0.0], [0.0, 0.0]], [[v.sqrt(), 0.0], [0.0, 0.0]]));
    }
    let (a, b, e) = (c(0, 0) * f, c(0, 1) * f, c(1, 1) * f);
    let det = a * e - b * b;
    if !(a > 0.0 && e > 0.0 && det > 1e-12 * a * e && det.is_finite()) {
        return None;
    }
    let l00 = a.sqrt();
    let l10 = b / l00;
    let l11 = (e - l10 * l10).sqrt();
    Some(([[a, b], [b, e]], [[l00, 0.0], [l10, l11]]))
}

/// The longest MALA drift, in proposal widths (see `run_chains_scaled`).
const DRIFT_CAP: f64 = 2.0;

/// True when the chains' gradients come from a minibatch (a model's data and a batch asked for).
fn minibatch(land: &Landscape, batch: Option<usize>) -> bool {
    batch.is_some() && sampled_data(land).is_some()
}

/// L⁻¹·r for the 2×2 (or 1×1) factor L of the preconditioner.
fn solve_l(l: &[[f64; 2]; 2], r: [f64; 2], d: usize) -> [f64; 2] {
    if d == 1 {
        return [r[0] / l[0][0], 0.0];
    }
    let det = l[0][0] * l[1][1] - l[0][1] * l[1][0];
    [(l[1][1] * r[0] - l[0][1] * r[1]) / det, (l[0][0] * r[1] - l[1][0] * r[0]) / det]
}

/// The index of the first value at or above the median of the series' second half (its typical
/// level, which a chain started at w* rises to).
fn reached_typical(series: &[f64]) -> usize {
    let half = &series[series.len() / 2..];
    if half.is_empty() {
        return 0;
    }
    let mut h: Vec<f64> = half.iter().copied().filter(|v| v.is_finite()).collect();
    h.sort_by(f64::total_cmp);
    let Some(&median) = h.get(h.len() / 2) else { return 0 };
    series.iter().position(|v| *v >= median).unwrap_or(0)
}

/// Split-R̂ of equal-length chains (each split in halves; Gelman et al., BDA3 §11.4).
pub fn split_r_hat(chains: &[&[f64]]) -> f64 {
    let n = chains.iter().map(|c| c.len()).min().unwrap_or(0) / 2;
    if n < 2 || chains.is_empty() {
        return f64::NAN;
    }
    let halves: Vec<&[f64]> = chains.iter().flat_map(|c| [&c[..n], &c[n..2 * n]]).collect();
    let m = halves.len() as f64;
    let means: Vec<f64> = halves.iter().map(|h| h.iter().sum::<f64>() / n as f64).collect();
    let grand = means.iter().sum::<f64>() / m;
    let b = n as f64 / (m - 1.0) * means.iter().map(|x| (x - grand).powi(2)).sum::<f64>();
    let w = halves
        .iter()
        .zip(&means)
        .map(|(h, mu)| h.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n as f64 - 1.0))
        .sum::<f64>()
        / m;
    if !(w > 0.0) {
        return if b > 0.0 { f64::INFINITY } else { 1.0 };
    }
    let var = (n as f64 - 1.0) / n as f64 * w + b / n as f64;
    (var / w).sqrt()
}

/// The effective sample size of equal-length chains: m·n / (1 + 2·Σ ρ_t), with the autocorrelations
/// ρ_t combined across chains (Stan's estimator) and summed in pairs while the pairs are positive
/// (Geyer's initial positive sequence), at most 4,000 lags.
pub fn ess(chains: &[&[f64]]) -> f64 {
    // (a long chain is thinned to 10,000 draws first: the effective size of the thinned chain is
    // at most that of the whole, so the figure errs on the cautious side, and it costs at most
    // 4·10⁷ products per chain)
    let full = chains.iter().map(|c| c.len()).min().unwrap_or(0);
    let k = full.div_ceil(10_000).max(1);
    if k > 1 {
        let thinned: Vec<Vec<f64>> = chains.iter().map(|c| c[..full].iter().step_by(k).copied().collect()).collect();
        let refs: Vec<&[f64]> = thinned.iter().map(|c| c.as_slice()).collect();
        return ess(&refs);
    }
    let n = full;
    let m = chains.len();
    if n < 4 || m == 0 {
        return f64::NAN;
    }
    let means: Vec<f64> = chains.iter().map(|c| c[..n].iter().sum::<f64>() / n as f64).collect();
    let grand = means.iter().sum::<f64>() / m as f64;
    let w = chains
        .iter()
        .zip(&means)
        .map(|(c, mu)| c[..n].iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n as f64 - 1.0))
        .sum::<f64>()
        / m as f64;
    let b =
        if m > 1 { n as f64 / (m as f64 - 1.0) * means.iter().map(|x| (x - grand).powi(2)).sum::<f64>() } else { 0.0 };
    let var_plus = (n as f64 - 1.0) / n as f64 * w + b / n as f64;
    if !(var_plus > 0.0) {
        return (m * n) as f64;
    }
    // the average autocovariance at lag t
    let acov = |t: usize| -> f64 {
        chains
            .iter()
            .zip(&means)
            .map(|(c, mu)| (0..n - t).map(|i| (c[i] - mu) * (c[i + t] - mu)).sum::<f64>() / n as f64)
            .sum::<f64>()
            / m as f64
    };
    let rho = |t: usize| 1.0 - (w - acov(t)) / var_plus;
    let mut sum = 0.0;
    let mut t = 1;
    while t + 1 < n.min(4000) {
        let pair = rho(t) + rho(t + 1);
        if !(pair > 0.0) {
            break;
        }
        sum += pair;
        t += 2;
    }
    let tau = (1.0 + 2.0 * sum).max(1.0 / (m * n) as f64);
    (m * n) as f64 / tau
}

/// The largest η·nβ·κ_aa allowed where the posterior ends (see `edge_curvature`).
const EDGE_STABILITY: f64 = 0.5;

/// Per axis a, the largest curvature ∂²K/∂w_a² at the points where the tempered, localised posterior
/// ends along each axis from w* (nβ·ΔK or (γ/2)·r² reaches 4, or the box).
fn edge_curvature(land: &Landscape, w: [f64; 2], nb: f64, gamma: f64) -> [f64; 2] {
    let d = land.dim;
    let k0 = land.k(w[0], w[1]);
    let mut pts = vec![];
    for b in 0..d {
        let width = land.box_width(b);
        for sign in [-1.0, 1.0] {
            let mut r = 1e-9 * width;
            let mut p = w;
            loop {
                r *= 1.25;
                p[b] = (w[b] + sign * r).clamp(land.bounds[b][0], land.bounds[b][1]);
                let e = nb * (land.k(p[0], p[1]) - k0);
                if !(e < 4.0) || 0.5 * gamma * r * r >= 4.0 || r >= width {
                    break;
                }
            }
            pts.push(p);
        }
    }
    let mut kap = [0.0f64; 2];
    for c in pts {
        for (a, ka) in kap.iter_mut().enumerate().take(d) {
            *ka = ka.max(axis_curvature(land, c, a));
        }
    }
    kap
}

/// ∂²K/∂w_a² at c (second difference on a possibly uneven stencil at the box edge; 0 if undefined).
fn axis_curvature(land: &Landscape, c: [f64; 2], a: usize) -> f64 {
    let h = 1e-3 * land.box_width(a);
    let (mut p, mut q) = (c, c);
    p[a] = (c[a] + h).min(land.bounds[a][1]);
    q[a] = (c[a] - h).max(land.bounds[a][0]);
    let (hp, hq) = (p[a] - c[a], c[a] - q[a]);
    if hp <= 0.0 || hq <= 0.0 {
        return 0.0;
    }
    let kc = land.k(c[0], c[1]);
    let v = 2.0 * (hq * land.k(p[0], p[1]) + hp * land.k(q[0], q[1]) - (hp + hq) * kc) / (hp * hq * (hp + hq));
    if v.is_finite() { v.max(0.0) } else { 0.0 }
}

/// 40 points of a 3,000-step pilot chain (exact gradient, the preconditioner M = L·Lᵀ) from w*.
fn pilot_points(
    land: &Landscape,
    w_star: [f64; 2],
    nb: f64,
    gamma: f64,
    m: &nalgebra::Matrix2<f64>,
    l: &nalgebra::Matrix2<f64>,
    seed: u64,
) -> Vec<[f64; 2]> {
    let d = land.dim;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x9E37_79B9_7F4A_7C15);
    let mut gradient = Gradient::new(land, None);
    let mut w = w_star;
    let mut out = vec![];
    for t in 0..3000 {
        let g = gradient.at(w, &mut rng);
        let z: [f64; 2] = [rng.sample(StandardNormal), if d == 2 { rng.sample(StandardNormal) } else { 0.0 }];
        let u = [0, 1].map(|a| nb * g[a] + gamma * (w[a] - w_star[a]));
        let mut next = w;
        for a in 0..d {
            next[a] = w[a] - 0.5 * (m[(a, 0)] * u[0] + m[(a, 1)] * u[1]) + l[(a, 0)] * z[0] + l[(a, 1)] * z[1];
            next[a] = reflect(next[a], land.bounds[a][0], land.bounds[a][1]);
        }
        if !land.k(next[0], next[1]).is_finite() {
            w = w_star;
            continue;
        }
        w = next;
        if t % 75 == 74 {
            out.push(w);
        }
    }
    out
}

/// The Hessian of K at w by central differences of step s (inside the box; 0 where undefined).
fn hessian_at_scale(land: &Landscape, w: [f64; 2], s: f64) -> [[f64; 2]; 2] {
    let d = land.dim;
    let k = |dx: f64, dy: f64| {
        let x = (w[0] + dx).clamp(land.bounds[0][0], land.bounds[0][1]);
        let y = if d == 2 { (w[1] + dy).clamp(land.bounds[1][0], land.bounds[1][1]) } else { w[1] };
        land.k(x, y)
    };
    let k0 = k(0.0, 0.0);
    let fin = |v: f64| if v.is_finite() { v } else { 0.0 };
    let hxx = fin((k(s, 0.0) + k(-s, 0.0) - 2.0 * k0) / (s * s)).max(0.0);
    if d == 1 {
        return [[hxx, 0.0], [0.0, 0.0]];
    }
    let hyy = fin((k(0.0, s) + k(0.0, -s) - 2.0 * k0) / (s * s)).max(0.0);
    let hxy = fin((k(s, s) - k(s, -s) - k(-s, s) + k(-s, -s)) / (4.0 * s * s));
    [[hxx, hxy], [hxy, hyy]]
}

pub(crate) fn mean_se(v: &[f64]) -> (f64, f64, f64) {
    let m = v.iter().sum::<f64>() / v.len().max(1) as f64;
    let var = if v.len() > 1 { v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64 } else { 0.0 };
    (m, (var / v.len().max(1) as f64).sqrt(), var.sqrt())
}

/// The LLC at w* (a minimiser of the landscape, K(w*) = k_star) with the exact tempered values
/// beside it.
/// Where an LLC estimate is localised, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Localisation {
    pub centre: [f64; 2],
    /// True when the centre is where SGD ended.
    pub at_sgd_end: bool,
    /// What the panel says about it.
    pub note: String,
}

/// The centre for the LLC: where SGD ended, if it ended at a global minimum (K there within
/// 0.01/(n·β) of K*, so that the estimator's n·β·(E[L] − L(w*)) is off by < 0.01); else the global
/// minimiser nearest to where it ended, saying so; without SGD the first global minimiser. With two
/// symmetric minima (a·tanh(b·x) at ±(a, b)) the chains then sample the basin SGD is in.
pub fn llc_centre(land: &Landscape, min: &Minimum, n_beta: f64, sgd_end: Option<[f64; 2]>) -> Option<Localisation> {
    let first = *min.argmin.first()?;
    let f = |w: [f64; 2]| w[..land.dim].iter().map(|v| format!("{v:.4}")).collect::<Vec<_>>().join(", ");
    let Some(e) = sgd_end.filter(|e| e.iter().all(|v| v.is_finite())) else {
        return Some(Localisation {
            centre: first,
            at_sgd_end: false,
            note: format!("at the global minimum w* = ({})", f(first)),
        });
    };
    let ke = land.k(e[0], e[1]);
    let tol = 0.01 / n_beta.max(1e-300);
    if ke.is_finite() && ke - min.k_min <= tol {
        return Some(Localisation {
            centre: e,
            at_sgd_end: true,
            note: format!("where SGD ended, ({}): a global minimum (K − K* = {:.1e})", f(e), (ke - min.k_min).max(0.0)),
        });
    }
    let d2 = |w: &[f64; 2]| (w[0] - e[0]).powi(2) + (w[1] - e[1]).powi(2);
    let near = *min.argmin.iter().min_by(|a, b| d2(a).total_cmp(&d2(b)))?;
    Some(Localisation {
        centre: near,
        at_sgd_end: false,
        note: format!(
            "SGD ended at ({}), where K − K* = {:.3e}: not a global minimum; the chains are at the global minimum nearest to it, w* = ({})",
            f(e),
            ke - min.k_min,
            f(near)
        ),
    })
}

pub fn llc(
    land: &Landscape,
    w_star: [f64; 2],
    k_star: f64,
    law: &VolumeLaw,
    opts: &LlcOptions,
) -> Result<LlcResult, SamplerError> {
    let t0 = Instant::now();
    let thin = ((opts.draws / TRACE_POINTS).max(1)).max(1);
    let ch = run_chains(land, w_star, opts, thin)?;
    let (m, se, sd) = mean_se(&ch.means);
    // diagnostics of the kept draws
    let kept: Vec<&[f64]> = ch.series.iter().map(|c| &c[ch.dropped.min(c.len())..]).collect();
    let r_hat = split_r_hat(&kept);
    let ess_all = ess(&kept);
    let acceptance = (ch.sampler == Sampler::Mala).then(|| ch.accepted as f64 / ch.proposed.max(1) as f64);
    // SGLD: the same chains at half the step; the difference is its step-size bias, measured
    let step_bias = if ch.sampler == Sampler::Sgld {
        let half = run_chains_scaled(land, w_star, opts, usize::MAX, 0.5 * opts.step_scale.unwrap_or(1.0))?;
        Some(mean_se(&half.means).0 - m)
    } else {
        None
    };
    let trace_of = |c: &Vec<f64>| -> (Vec<[f64; 2]>, Vec<[f64; 2]>) {
        let k = (c.len() / TRACE_POINTS).max(1);
        let mut run = 0.0;
        let mut tr = vec![];
        let mut rn = vec![];
        for (i, v) in c.iter().enumerate() {
            run += v;
            if i % k == 0 {
                tr.push([i as f64, *v]);
                rn.push([i as f64, run / (i + 1) as f64]);
            }
        }
        (tr, rn)
    };
    let (dtraces, running): (Vec<_>, Vec<_>) = ch.series.iter().map(trace_of).unzip();
    let diagnostics = Diagnostics {
        r_hat,
        ess: ess_all,
        acceptance,
        step_bias,
        burn_in: opts.burn_in + ch.dropped,
        traces: dtraces,
        running,
        distance: ch
            .traces
            .iter()
            .map(|t| {
                t.iter()
                    .enumerate()
                    .map(|(i, w)| {
                        let r2: f64 = (0..land.dim).map(|a| (w[a] - w_star[a]).powi(2)).sum();
                        [(i * thin) as f64, r2.sqrt()]
                    })
                    .collect()
            })
            .collect(),
    };
    let sampler_reason = match (opts.sampler, ch.sampler) {
        (Some(_), Sampler::Mala) => "MALA, as asked: the Metropolis test makes the tempered posterior exact".to_string(),
        (Some(_), Sampler::Sgld) => "SGLD, as asked: unadjusted, its error includes a step-size bias".to_string(),
        (None, Sampler::Mala) => "MALA (the default with exact gradients): the Metropolis test makes the tempered posterior exact, so only Monte Carlo error is left".to_string(),
        (None, Sampler::Sgld) => "SGLD (the default with a minibatch: MALA needs exact gradients)".to_string(),
    };
    // one chain has no spread to measure: no standard error (NaN, null in JSON) rather than 0
    let se = if opts.chains < 2 { f64::NAN } else { se };
    let nb = ch.n * ch.beta;
    let exact = free_energy(law, k_star, nb.max(1.0)).map(|f| f.lambda_eff).unwrap_or(f64::NAN);
    let localized = tempered_localized(land, w_star, k_star, nb, opts.gamma);
    let d = land.dim;
    let total = (opts.chains * (opts.draws + opts.burn_in) * d) as f64;
    let mut warnings = vec![];
    if ch.divergences > 0 {
        warnings.push(format!(
            "{} steps gave a non-finite loss and restarted at w*: the step size may be too large",
            ch.divergences
        ));
    }
    // the posterior at the edge of the prior: SGLD's steps reflected there; MALA's draws near it
    // (its proposals outside the box are simply refused, part of its exact test)
    let (edge, of) = match ch.sampler {
        Sampler::Sgld => (ch.left_box as f64, "steps left the box and were reflected"),
        Sampler::Mala => (ch.near_edge as f64 * d as f64, "draws lie within 1% of the box's edge"),
    };
    if edge > 0.01 * total {
        warnings.push(format!(
            "{:.1}% of the {of}: the posterior reaches the edge of the prior (widen the box or raise γ)",
            100.0 * edge / total
        ));
    }
    if ch.noise_ratio > 0.3 {
        warnings.push(format!(
            "the minibatch noise in each step is {:.1}× the injected noise: the LLC estimate is biased upwards (enlarge the batch, shrink the step, or use the exact gradient)",
            ch.noise_ratio
        ));
    }
    if opts.chains > 1 && se > 0.05 {
        warnings.push(format!(
            "the chains disagree (standard error {se:.3}): they have not mixed over the posterior; raise the draws"
        ));
    }
    if (m - localized).abs() > 4.0 * se + 0.05 {
        warnings.push(format!(
            "the chains ({m:.3}) and the exact value for the same target ({localized:.3}) disagree by more than their error: the localised target may hold another basin the chains cannot reach (SGLD is local), or the chains have not mixed"
        ));
    }
    if opts.chains < 2 {
        warnings.push("one chain gives no standard error: run at least 2 chains (--chains 4 is the default) to see how far the estimate can be trusted".into());
    }
    if localized.is_nan() {
        warnings.push(
            "no exact tempered value: integrating this K would take more than its evaluation budget (a long or fast-oscillating formula), so the estimate is not checked against one".into(),
        );
    }
    if !m.is_finite() {
        warnings.push("the estimate is not a finite number: the chains diverged".into());
    }
    if opts.chains > 1 && r_hat > 1.05 {
        warnings.push(format!(
            "split-R̂ = {r_hat:.3} (> 1.05): the chains disagree with each other or drift; raise the draws{}",
            if ch.sampler == Sampler::Sgld { " or use MALA (--sampler mala)" } else { "" }
        ));
    }
    if ess_all < 400.0 {
        warnings.push(format!(
            "only {ess_all:.0} effective draws (< 400): the standard error is itself uncertain; raise the draws"
        ));
    }
    if let Some(a) = acceptance
        && a < 0.15
    {
        warnings.push(format!(
                "MALA accepted {:.0}% of its proposals: the chains barely move; raise the burn-in (the step is tuned there) or give a smaller --step",
                100.0 * a
            ));
    }
    if let Some(b) = step_bias
        && b.abs() > 2.0 * se.max(0.005)
    {
        warnings.push(format!(
            "halving the step changes the estimate by {b:+.3} (more than 2 standard errors): SGLD's step-size bias; use MALA (--sampler mala) or a smaller --step"
        ));
    }
    Ok(LlcResult {
        llc_mean: m,
        llc_se: se,
        llc_std: sd,
        chain_means: ch.means,
        n: ch.n,
        beta: ch.beta,
        gamma: opts.gamma,
        step: ch.steps[0].max(if d == 2 { ch.steps[1] } else { 0.0 }),
        steps: ch.steps[..d].to_vec(),
        chains: opts.chains,
        draws: opts.draws,
        burn_in: opts.burn_in,
        seed: opts.seed,
        batch: ch.batch,
        w_star,
        localisation: String::new(),
        exact_tempered: exact,
        exact_tempered_localized: localized,
        divergences: ch.divergences,
        left_box: ch.left_box,
        traces: ch.traces,
        sampler: ch.sampler,
        sampler_reason,
        diagnostics,
        wbic: Wbic {
            sampler: m / ch.beta,
            exact_same_gamma: localized / ch.beta,
            exact: exact / ch.beta,
            free_energy: free_energy(law, k_star, ch.n).map(|f| f.f - ch.n * k_star).unwrap_or(f64::NAN),
        },
        warnings,
        elapsed_ms: t0.elapsed().as_secs_f64() * 1e3,
    })
}

/// n·β·E[K − K*] under exp(−nβ(K − K*) − (γ/2)|w − w*|²) on the box, by nested adaptive quadrature
/// (breakpoints at w*).
/// NaN when the quadrature would spend more than the landscape's evaluation grant (a long or
/// wildly oscillating formula): no exact value rather than a wait of minutes.
fn tempered_localized(land: &Landscape, w: [f64; 2], k_star: f64, nb: f64, gamma: f64) -> f64 {
    land.renew_budget();
    let spent = std::cell::Cell::new(false);
    let weight = |x: f64, y: f64| {
        if land.over_budget() {
            spent.set(true);
            return (0.0, 0.0);
        }
        let k = land.k(x, y) - k_star;
        let r2 = (x - w[0]).powi(2) + if land.dim == 2 { (y - w[1]).powi(2) } else { 0.0 };
        (k, (-nb * k - 0.5 * gamma * r2).exp())
    };
    let int1 = |f: &mut dyn FnMut(f64) -> f64, lo: f64, hi: f64, c: f64| -> f64 {
        let mut g = |t: f64| f(t);
        let mut s = 0.0;
        let pts = [lo, c.clamp(lo, hi), hi];
        for p in pts.windows(2) {
            if p[1] > p[0] {
                s += integrate_adaptive(&mut g, p[0], p[1], 1e-9, 1e-300, 200, None).0;
            }
        }
        s
    };
    let [x0, x1] = land.bounds[0];
    let (mut num, mut den) = (0.0, 0.0);
    if land.dim == 1 {
        num = int1(
            &mut |x| {
                let (k, wt) = weight(x, 0.0);
                if k.is_finite() { k * wt } else { 0.0 }
            },
            x0,
            x1,
            w[0],
        );
        den = int1(&mut |x| weight(x, 0.0).1, x0, x1, w[0]);
    } else {
        let [y0, y1] = land.bounds[1];
        for (acc, moment) in [(&mut num, true), (&mut den, false)] {
            *acc = int1(
                &mut |x| {
                    int1(
                        &mut |y| {
                            let (k, wt) = weight(x, y);
                            if !wt.is_finite() {
                                0.0
                            } else if moment {
                                if k.is_finite() { k * wt } else { 0.0 }
                            } else {
                                wt
                            }
                        },
                        y0,
                        y1,
                        w[1],
                    )
                },
                x0,
                x1,
                w[0],
            );
        }
    }
    if spent.get() { f64::NAN } else { nb * num / den }
}

/// One cell of a calibration grid: the estimate at a step scale and a localisation γ, against the
/// exact tempered value of that cell's own target.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Cell {
    /// The step scale (× the automatic preconditioner) and the step it gave (largest per axis).
    pub step_scale: f64,
    pub step: f64,
    pub gamma: f64,
    pub estimate: f64,
    pub se: f64,
    pub exact: f64,
    /// Within 2 standard errors of the exact value (the s.e. floored at 0.005).
    pub ok: bool,
    /// The exact value without localisation (the same in every cell).
    #[serde(skip)]
    unlocalized: f64,
}

/// A grid of step × γ for one landscape, and the cheapest cell that is right.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    pub sampler: Sampler,
    pub cells: Vec<Cell>,
    /// The right cell with the smallest standard error (at equal draws: the fewest draws to a given
    /// precision) among those whose localisation leaves the target within 0.02 of the unlocalised
    /// value (a strong γ is "right" about another quantity); None when no cell is right.
    pub recommended: Option<Cell>,
    /// Why that cell (or why none).
    pub reason: String,
    /// n·β·E_β[L − L*] without localisation (from the volume law).
    pub exact_unlocalized: f64,
    pub elapsed_ms: f64,
}

/// The step scales and localisations a calibration tries by default.
pub const CALIBRATION_STEPS: [f64; 5] = [0.25, 0.5, 1.0, 2.0, 4.0];
pub const CALIBRATION_GAMMAS: [f64; 5] = [0.1, 1.0, 10.0, 100.0, 1000.0];

/// The calibration devinterp users do blind: every cell's estimate beside the exact value for its
/// own target, on both cores (cells split between two threads; each cell is seeded, so the grid is
/// the same whatever the split).
pub fn calibrate(
    land: &Landscape,
    w_star: [f64; 2],
    k_star: f64,
    law: &VolumeLaw,
    base: &LlcOptions,
    steps: &[f64],
    gammas: &[f64],
) -> Result<Calibration, SamplerError> {
    let t0 = Instant::now();
    let sampler = base.sampler.unwrap_or(Sampler::Sgld);
    let grid: Vec<(f64, f64)> = gammas.iter().flat_map(|g| steps.iter().map(move |k| (*k, *g))).collect();
    if grid.is_empty() || grid.len() > 100 {
        return Err(SamplerError::BadChains);
    }
    for &(k, g) in &grid {
        check(land, &LlcOptions { gamma: g, step_scale: Some(k), sampler: Some(sampler), ..*base })?;
    }
    let work = llc_work(land, base) * grid.len() as f64 * if sampler == Sampler::Sgld { 2.0 } else { 1.0 };
    if work > 5.0 * MAX_WORK {
        return Err(SamplerError::TooMuchWork {
            what: "cells × chains × (draws + burn-in) × the formula's cost",
            work,
            fix: "use fewer draws or chains, or fewer cells",
        });
    }
    let cell = |land: &Landscape, (k, g): (f64, f64)| -> Result<Cell, SamplerError> {
        let o = LlcOptions { gamma: g, step_scale: Some(k), sampler: Some(sampler), ..*base };
        let r = llc(land, w_star, k_star, law, &o)?;
        let se = if r.llc_se.is_finite() { r.llc_se } else { f64::INFINITY };
        let exact = r.exact_tempered_localized;
        let ok = (r.llc_mean - exact).abs() <= 2.0 * se.max(0.005);
        Ok(Cell {
            step_scale: k,
            step: r.step,
            gamma: g,
            estimate: r.llc_mean,
            se: r.llc_se,
            exact,
            ok,
            unlocalized: r.exact_tempered,
        })
    };
    let half = grid.len().div_ceil(2);
    let (a, b) = grid.split_at(half);
    let (ra, rb) = std::thread::scope(|sc| {
        let other = land.clone();
        let h = sc.spawn(move || b.iter().map(|c| cell(&other, *c)).collect::<Result<Vec<_>, _>>());
        let ra = a.iter().map(|c| cell(land, *c)).collect::<Result<Vec<_>, _>>();
        (ra, h.join().unwrap_or(Err(SamplerError::BadChains)))
    });
    let mut cells = ra?;
    cells.extend(rb?);
    let unloc = cells.first().map_or(f64::NAN, |c| c.unlocalized);
    let best = |f: &dyn Fn(&&Cell) -> bool| {
        cells.iter().filter(|c| c.ok && c.se.is_finite()).filter(f).min_by(|x, y| x.se.total_cmp(&y.se)).copied()
    };
    let faithful = |c: &&Cell| (c.exact - unloc).abs() <= 0.02;
    let (recommended, reason) = match (best(&faithful), best(&|_| true)) {
        (Some(c), _) => (
            Some(c),
            "the smallest standard error among the right cells whose γ leaves the target within 0.02 of the unlocalised value".to_string(),
        ),
        (None, Some(c)) => (
            Some(c),
            format!(
                "every right cell's γ moves the target more than 0.02 from the unlocalised {unloc:.4}: the smallest standard error among them, an estimate of the localised quantity"
            ),
        ),
        (None, None) => (None, "no cell is within 2 standard errors of its exact value: raise the draws".to_string()),
    };
    Ok(Calibration {
        sampler,
        cells,
        recommended,
        reason,
        exact_unlocalized: unloc,
        elapsed_ms: t0.elapsed().as_secs_f64() * 1e3,
    })
}
