//! The local learning coefficient (LLC) from SGLD samples, and the exact values it estimates
//! (SCIENCE.md §5; Lau et al. 2023):
//!
//!   λ̂(w*) = n·β·(E[K(w)] − K(w*)),  samples of exp(−n·β·K(w) − (γ/2)·|w − w*|²),  β = 1/log n,
//!   SGLD step  Δw = −(η/2)·(n·β·∇K(w) + γ·(w − w*)) + N(0, η).
//!
//! Here K is the landscape itself (a population loss: no minibatch noise). Every chain is seeded;
//! the burn-in is excluded from the average (devinterp averages it in, which pulls λ̂ down); steps
//! leaving the box are reflected back into it. Beside the estimate: the exact tempered value
//! n·β·E_β[K − K*] without localisation (from the volume curve, `free_energy::lambda_eff` at nβ)
//! and with the same localisation (direct quadrature), so that a user sees how much of an error is
//! the sampler's, the localisation's and finite n's.
//!
//! Defaults, chosen where SCIENCE.md §5 shows devinterp's fail: γ = 1 (γ = 100 confines the chain to
//! 0.1, narrower than the posterior in quartic directions), a step scaled to the posterior
//! (per axis, η_a = 0.02 / (n·β·κ_a + γ) with κ_a the curvature of K near w* along that axis, at most
//! 1e-4 of the box²: the unadjusted step's bias ~ η·n·β·κ/2 = 1%), 4 chains × 50,000 draws after 2,000 burn-in steps (a step costs ~5
//! evaluations of K; a quartic direction mixes in ~3,000 steps when η is set by a stiff one).

use std::time::Instant;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use serde::Serialize;

use super::free_energy::{VolumeLaw, check_n, free_energy};
use super::landscape::{Landscape, LandscapeError};
use super::num::integrate_adaptive;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct LlcOptions {
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
}

impl Default for LlcOptions {
    fn default() -> Self {
        LlcOptions { n: 1e4, beta: None, gamma: 1.0, step: None, chains: 4, draws: 50_000, burn_in: 2000, seed: 0 }
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
    /// The largest per-axis step (see `steps`).
    pub step: f64,
    /// Step per axis (the diagonal preconditioner).
    pub steps: Vec<f64>,
    pub chains: usize,
    pub draws: usize,
    pub burn_in: usize,
    pub seed: u64,
    /// n·β·E_β[K − K*] under the box prior, without localisation (from the volume curve).
    pub exact_tempered: f64,
    /// The same with the localisation exp(−(γ/2)|w − w*|²) (2-D/1-D quadrature).
    pub exact_tempered_localized: f64,
    /// Chains that produced a non-finite value (restarted at w*).
    pub divergences: usize,
    /// One chain's draws (every 10th), for drawing.
    pub trace: Vec<[f64; 2]>,
    pub elapsed_ms: f64,
}

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

/// Reflect a coordinate into [lo, hi].
fn reflect(mut v: f64, lo: f64, hi: f64) -> f64 {
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

pub fn llc(
    land: &Landscape,
    w_star: [f64; 2],
    k_star: f64,
    law: &VolumeLaw,
    opts: &LlcOptions,
) -> Result<LlcResult, LandscapeError> {
    let t0 = Instant::now();
    check_n(opts.n)?;
    if opts.n < 3.0 {
        return Err(LandscapeError::BadN("the LLC needs n ≥ 3 (β = 1/log n)".into()));
    }
    let beta = opts.beta.unwrap_or(1.0 / opts.n.ln());
    if !(beta > 0.0 && beta.is_finite()) {
        return Err(LandscapeError::BadN(format!("β = {beta} must be positive")));
    }
    if !(opts.gamma >= 0.0 && opts.gamma.is_finite()) {
        return Err(LandscapeError::BadN(format!("γ = {} must be ≥ 0", opts.gamma)));
    }
    if opts.chains == 0 || opts.draws == 0 || opts.chains > 64 || opts.draws + opts.burn_in > 10_000_000 {
        return Err(LandscapeError::BadN("chains must be 1 … 64 and draws + burn-in at most 1e7".into()));
    }
    let nb = opts.n * beta;
    let d = land.dim;
    let width: Vec<f64> = (0..d).map(|a| land.box_width(a)).collect();
    let h = [1e-6 * width[0], if d == 2 { 1e-6 * width[1] } else { 1.0 }];
    // the largest curvature of K near w* (second differences at the scale of the posterior)
    let s = nb.powf(-0.5).min(0.1 * width.iter().copied().fold(f64::MAX, f64::min));
    // per-axis curvature: a constant diagonal preconditioner M (Δw = −(η/2)·M·∇U + N(0, ηM)) leaves
    // the target unchanged and lets a flat direction move while a stiff one stays stable
    let mut kappa = [0.0f64; 2];
    for a in 0..d {
        let mut p = w_star;
        let mut q = w_star;
        p[a] = (p[a] + s).min(land.bounds[a][1]);
        q[a] = (q[a] - s).max(land.bounds[a][0]);
        let c = (land.k(p[0], p[1]) + land.k(q[0], q[1]) - 2.0 * land.k(w_star[0], w_star[1])) / (s * s);
        if c.is_finite() {
            kappa[a] = c.max(0.0);
        }
    }
    let wmin = width.iter().copied().fold(f64::MAX, f64::min);
    let steps: [f64; 2] = match opts.step {
        Some(e) if e > 0.0 && e.is_finite() => [e, e],
        Some(e) => return Err(LandscapeError::BadN(format!("step {e} must be positive"))),
        None => {
            let st = |a: usize| (0.02 / (nb * kappa[a] + opts.gamma).max(1e-300)).min(1e-4 * wmin * wmin);
            [st(0), if d == 2 { st(1) } else { st(0) }]
        }
    };
    let step = steps[0].max(if d == 2 { steps[1] } else { 0.0 });
    let k0 = land.k(w_star[0], w_star[1]);
    let mut chain_means = vec![];
    let mut divergences = 0;
    let mut trace = vec![];
    for c in 0..opts.chains {
        let mut rng = StdRng::seed_from_u64(opts.seed.wrapping_mul(1_000_003).wrapping_add(c as u64));
        let mut w = w_star;
        let mut sum = 0.0;
        let mut count = 0usize;
        for t in 0..(opts.burn_in + opts.draws) {
            let g = grad(land, w, h);
            let mut next = w;
            for a in 0..d {
                let z: f64 = rng.sample(StandardNormal);
                let e = steps[a];
                next[a] = w[a] - 0.5 * e * (nb * g[a] + opts.gamma * (w[a] - w_star[a])) + e.sqrt() * z;
                next[a] = reflect(next[a], land.bounds[a][0], land.bounds[a][1]);
            }
            let kv = land.k(next[0], next[1]);
            if !kv.is_finite() || next.iter().any(|v| !v.is_finite()) {
                divergences += 1;
                w = w_star;
                continue;
            }
            w = next;
            if t >= opts.burn_in {
                sum += kv;
                count += 1;
                if c == 0 && t % 10 == 0 {
                    trace.push(w);
                }
            }
        }
        chain_means.push(nb * (sum / count.max(1) as f64 - k0));
    }
    let m = chain_means.iter().sum::<f64>() / chain_means.len() as f64;
    let var = if chain_means.len() > 1 {
        chain_means.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (chain_means.len() - 1) as f64
    } else {
        0.0
    };
    let exact = free_energy(law, k_star, nb.max(1.0)).map(|f| f.lambda_eff).unwrap_or(f64::NAN);
    let localized = tempered_localized(land, w_star, k_star, nb, opts.gamma);
    Ok(LlcResult {
        llc_mean: m,
        llc_se: (var / chain_means.len() as f64).sqrt(),
        llc_std: var.sqrt(),
        chain_means,
        n: opts.n,
        beta,
        gamma: opts.gamma,
        step,
        steps: steps[..d].to_vec(),
        chains: opts.chains,
        draws: opts.draws,
        burn_in: opts.burn_in,
        seed: opts.seed,
        exact_tempered: exact,
        exact_tempered_localized: localized,
        divergences,
        trace,
        elapsed_ms: t0.elapsed().as_secs_f64() * 1e3,
    })
}

/// n·β·E[K − K*] under exp(−nβ(K − K*) − (γ/2)|w − w*|²) on the box, by nested adaptive quadrature
/// (breakpoints at w*).
fn tempered_localized(land: &Landscape, w: [f64; 2], k_star: f64, nb: f64, gamma: f64) -> f64 {
    let weight = |x: f64, y: f64| {
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
    nb * num / den
}
