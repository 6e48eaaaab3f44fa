//! The LLC of a d-parameter model (SCIENCE.md §5) from chains of the tempered, localised posterior
//!
//!   exp(−U(w)),  U(w) = n·β·(L(w) − L(w*)) + (γ/2)·|w − w*|²,  λ̂ = n·β·(E[L(w)] − L(w*)),
//!
//! on the model's box (proposals that leave it are refused). The same estimator and defaults as the
//! 2-D sampler (`sampler`), with d×d matrices:
//! - MALA (the default): proposal w' = w − (s/2)·M·∇U(w) + √s·L·z with M = L·Lᵀ, the drift
//!   truncated to `DRIFT_CAP` proposal widths (MALTA), a Metropolis–Hastings test (the target is
//!   exactly stationary). M starts as (n·β·H + γ·I)⁻¹ from the Hessian H at w* (eigenvalues of M
//!   capped at the explored region², so a flat direction moves); at half the burn-in it becomes
//!   the covariance of the chain's own states so far (a curved or funnel-shaped posterior is then
//!   crossed along its real extent); the scale s is tuned towards an acceptance of 0.574 during the
//!   burn-in and frozen after it.
//! - SGLD (on request): Δw = −½·M·∇U + N(0, M) with M = 0.02·(n·β·H + γ)⁻¹ capped (or η·I for a
//!   given step η): unadjusted, so its stationary law carries a step-size bias.
//!
//! Chains run in parallel (scoped threads, one per chain up to the cores); each has its own seeded
//! stream, so the numbers do not depend on the thread count.

use std::time::Instant;

use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use serde::Serialize;

use super::dmodel::{Model, check_point, hessian};
use super::sampler::{LlcOptions, Sampler, SamplerError, ess, reflect, split_r_hat};

/// MALTA's drift cap, in proposal widths (as in the 2-D sampler).
const DRIFT_CAP: f64 = 2.0;
/// Points kept per chain's trace for drawing.
const TRACE_POINTS: usize = 400;

/// The warning of a negative estimate (E_β[L_n] below L_n(w*)).
pub const NOT_A_MINIMUM: &str = "the estimate is negative: the chains found loss below L_n(w*), so w* is not a local minimum (a saddle, or a descent not yet finished); the number is not a learning coefficient";

#[derive(Debug, Clone, Serialize)]
pub struct DLlc {
    pub llc_mean: f64,
    /// Standard error of the mean across chains.
    pub llc_se: f64,
    pub llc_std: f64,
    pub chain_means: Vec<f64>,
    pub n: f64,
    pub beta: f64,
    pub gamma: f64,
    pub chains: usize,
    pub draws: usize,
    pub burn_in: usize,
    pub seed: u64,
    pub dim: usize,
    pub w_star: Vec<f64>,
    pub loss_star: f64,
    pub sampler: Sampler,
    /// MALA: the fraction accepted after the burn-in.
    pub acceptance: Option<f64>,
    pub r_hat: f64,
    pub ess: f64,
    /// Proposals outside the box (refused by MALA, reflected by SGLD).
    pub left_box: usize,
    pub divergences: usize,
    /// Per chain, (draw, n·β·(L − L*)) thinned.
    pub traces: Vec<Vec<[f64; 2]>>,
    /// Per chain, its states at the same thinned draws (for a phase classifier, a picture).
    #[serde(skip)]
    pub states: Vec<Vec<Vec<f64>>>,
    pub warnings: Vec<String>,
    pub elapsed_ms: f64,
}

/// One chain's output.
struct ChainOut {
    series: Vec<f64>,
    accepted: usize,
    proposed: usize,
    left_box: usize,
    divergences: usize,
    trace: Vec<[f64; 2]>,
    states: Vec<Vec<f64>>,
}

/// The most gradient evaluations one estimate may spend (d × draws × chains is the cost scale).
pub const MAX_STEPS: f64 = 2e7;

pub fn llc_d(model: &dyn Model, w_star: &[f64], opts: &LlcOptions) -> Result<DLlc, SamplerError> {
    let t0 = Instant::now();
    let d = model.dim();
    check_point(model, w_star).map_err(|e| SamplerError::StartOutside(e.to_string()))?;
    if !(opts.gamma >= 0.0 && opts.gamma.is_finite()) {
        return Err(SamplerError::BadGamma(opts.gamma));
    }
    if opts.chains == 0 || opts.chains > 64 || opts.draws == 0 || (opts.draws + opts.burn_in) as f64 > 1e7 {
        return Err(SamplerError::BadChains);
    }
    if opts.batch.is_some() {
        return Err(SamplerError::TooMuchWork {
            what: "a minibatch",
            work: 0.0,
            fix: "d-parameter models sample with the exact gradient of L_n (drop --batch)",
        });
    }
    let steps_total = (opts.chains * (opts.draws + opts.burn_in)) as f64;
    if steps_total > MAX_STEPS {
        return Err(SamplerError::TooMuchWork {
            what: "chains × (draws + burn-in)",
            work: steps_total,
            fix: "use fewer draws or chains",
        });
    }
    let n = model.data_n().map(|v| v as f64).unwrap_or(opts.n);
    super::free_energy::check_n(n)?;
    if n < 3.0 {
        return Err(SamplerError::SmallN);
    }
    let beta = opts.beta.unwrap_or(1.0 / n.ln());
    if !(beta > 0.0 && beta.is_finite()) {
        return Err(SamplerError::BadBeta(beta));
    }
    let nb = n * beta;
    let sampler = opts.sampler.unwrap_or(Sampler::Mala);
    let bounds = model.bounds().to_vec();
    let min_width = bounds.iter().map(|b| b[1] - b[0]).fold(f64::MAX, f64::min);
    let reach = min_width.min(if opts.gamma > 0.0 { 2.0 / opts.gamma.sqrt() } else { f64::MAX });
    let cap = reach * reach;

    // the preconditioner from the Hessian at w*, at the posterior's scale
    let h = hessian(model, w_star, nb.powf(-0.5).min(1e-2 * min_width).max(1e-7));
    let a = h * nb + DMatrix::identity(d, d) * opts.gamma;
    let eig = nalgebra::SymmetricEigen::new(a);
    let shape = |factor: f64, cap: f64| -> (DMatrix<f64>, DMatrix<f64>) {
        let mut m = DMatrix::zeros(d, d);
        let mut l = DMatrix::zeros(d, d);
        for i in 0..d {
            let mu = eig.eigenvalues[i];
            let mi = if mu.is_finite() && mu > 0.0 { (factor / mu).min(cap) } else { cap };
            let v = eig.eigenvectors.column(i);
            m += v * v.transpose() * mi;
            l += v * v.transpose() * mi.sqrt();
        }
        (m, l)
    };
    let (m0, l0) = match (sampler, opts.step) {
        (_, Some(e)) if !(e > 0.0 && e.is_finite()) => return Err(SamplerError::BadStep(e)),
        (Sampler::Sgld, Some(e)) => (DMatrix::identity(d, d) * e, DMatrix::identity(d, d) * e.sqrt()),
        (Sampler::Sgld, None) => shape(0.02, 1e-3 * cap),
        (Sampler::Mala, _) => shape(1.0, cap),
    };
    let scale = opts.step_scale.unwrap_or(1.0);
    let m0 = m0 * scale;
    let l0 = l0 * scale.sqrt();
    let loss_star = model.loss(w_star);
    if !loss_star.is_finite() {
        return Err(SamplerError::StartOutside(format!(
            "{} (the loss is not finite there)",
            super::dmodel::fmt_vec(w_star)
        )));
    }
    let ws = DVector::from_column_slice(w_star);
    let thin = (opts.draws / TRACE_POINTS).max(1);

    let run_chain = |c: usize| -> ChainOut {
        let mut rng = StdRng::seed_from_u64(opts.seed.wrapping_mul(1_000_003).wrapping_add(c as u64));
        let mut g = vec![0.0; d];
        let inside = |v: &DVector<f64>| (0..d).all(|i| v[i] >= bounds[i][0] && v[i] <= bounds[i][1]);
        // U and ∇U at a point
        let eval = |v: &DVector<f64>, g: &mut Vec<f64>| -> (f64, DVector<f64>) {
            let l = model.loss_grad(v.as_slice(), g);
            let diff = v - &ws;
            let u = nb * (l - loss_star) + 0.5 * opts.gamma * diff.norm_squared();
            let grad = DVector::from_column_slice(g) * nb + diff * opts.gamma;
            (if l.is_finite() { u } else { f64::INFINITY }, grad)
        };
        let mut w = ws.clone();
        let (mut uw, mut gw) = eval(&w, &mut g);
        let mut lw = loss_star;
        let (mut m, mut l) = (m0.clone(), l0.clone());
        let mut l_inv = l.clone().try_inverse().unwrap_or_else(|| DMatrix::identity(d, d));
        let mut log_s = if sampler == Sampler::Mala { (2.7 / (d as f64).cbrt()).ln() } else { 0.0 };
        let mut out = ChainOut {
            series: Vec::with_capacity(opts.draws),
            accepted: 0,
            proposed: 0,
            left_box: 0,
            divergences: 0,
            trace: vec![],
            states: vec![],
        };
        let mut seen: Vec<DVector<f64>> = vec![];
        let half = opts.burn_in / 2;
        for t in 0..(opts.burn_in + opts.draws) {
            let z = DVector::from_fn(d, |_, _| rng.sample::<f64, _>(StandardNormal));
            match sampler {
                Sampler::Sgld => {
                    let mut next = &w - (&m * &gw) * 0.5 + &l * z;
                    for i in 0..d {
                        if next[i] < bounds[i][0] || next[i] > bounds[i][1] {
                            out.left_box += 1;
                        }
                        next[i] = reflect(next[i], bounds[i][0], bounds[i][1]);
                    }
                    let (u, gr) = eval(&next, &mut g);
                    if !u.is_finite() {
                        out.divergences += 1;
                        w = ws.clone();
                        (uw, gw) = eval(&w, &mut g);
                        lw = loss_star;
                    } else {
                        lw = loss_star + (u - 0.5 * opts.gamma * (&next - &ws).norm_squared()) / nb;
                        w = next;
                        uw = u;
                        gw = gr;
                    }
                }
                Sampler::Mala => {
                    let s = log_s.exp();
                    let mean_of = |v: &DVector<f64>, gv: &DVector<f64>| -> DVector<f64> {
                        let mut dr = (&m * gv) * (0.5 * s);
                        let size = (&l_inv * &dr).norm() / s.sqrt();
                        if size > DRIFT_CAP {
                            dr *= DRIFT_CAP / size;
                        }
                        v - dr
                    };
                    let mu = mean_of(&w, &gw);
                    let next = &mu + (&l * z.clone()) * s.sqrt();
                    out.proposed += usize::from(t >= opts.burn_in);
                    let mut acc_p = 0.0;
                    if !inside(&next) {
                        out.left_box += 1;
                    } else {
                        let (u, gr) = eval(&next, &mut g);
                        if u.is_finite() {
                            let back = mean_of(&next, &gr);
                            let fwd = z.norm_squared() * 0.5;
                            let rev = (&l_inv * (&w - back)).norm_squared() / (2.0 * s);
                            let log_r = uw - u + fwd - rev;
                            acc_p = log_r.min(0.0).exp();
                            if rng.random::<f64>() < acc_p {
                                lw = loss_star + (u - 0.5 * opts.gamma * (&next - &ws).norm_squared()) / nb;
                                w = next;
                                uw = u;
                                gw = gr;
                                out.accepted += usize::from(t >= opts.burn_in);
                            }
                        } else {
                            out.divergences += 1;
                        }
                    }
                    if t < opts.burn_in {
                        // Robbins–Monro on log s towards 0.574
                        // (the gain restarts when the shape changes at half the burn-in)
                        let since = if t >= half { t - half } else { t };
                        log_s += (acc_p - 0.574) * 2.0 / ((since as f64) / 20.0 + 1.0).powf(0.6);
                        log_s = log_s.clamp(-40.0, 5.0);
                    }
                }
            }
            if t < half {
                seen.push(w.clone());
            }
            if t + 1 == half && sampler == Sampler::Mala && opts.step.is_none() && seen.len() > 2 * d + 10 {
                // the chain's own covariance so far (its second half: past the first transient)
                if let Some((mm, ll)) = covariance_shape(&seen[seen.len() / 2..], cap) {
                    let old_scale = log_s.exp() * m.trace();
                    m = mm;
                    l = ll;
                    l_inv = l.clone().try_inverse().unwrap_or_else(|| DMatrix::identity(d, d));
                    // keep the proposal's overall size, then re-tune
                    log_s = (old_scale / m.trace().max(1e-300)).ln().min((2.7 / (d as f64).cbrt()).ln());
                }
                seen.clear();
            }
            if t >= opts.burn_in {
                let v = nb * (lw - loss_star);
                out.series.push(v);
                let k = t - opts.burn_in;
                if k.is_multiple_of(thin) {
                    out.trace.push([k as f64, v]);
                    out.states.push(w.as_slice().to_vec());
                }
            }
        }
        let _ = uw;
        out
    };

    let threads = std::thread::available_parallelism().map(|v| v.get()).unwrap_or(1).clamp(1, opts.chains);
    let mut outs: Vec<Option<ChainOut>> = (0..opts.chains).map(|_| None).collect();
    std::thread::scope(|sc| {
        let chunk = opts.chains.div_ceil(threads);
        for (k, part) in outs.chunks_mut(chunk).enumerate() {
            let run_chain = &run_chain;
            sc.spawn(move || {
                for (off, slot) in part.iter_mut().enumerate() {
                    *slot = Some(run_chain(k * chunk + off));
                }
            });
        }
    });
    let outs: Vec<ChainOut> = outs.into_iter().flatten().collect();
    let means: Vec<f64> = outs.iter().map(|o| o.series.iter().sum::<f64>() / o.series.len().max(1) as f64).collect();
    let k = means.len() as f64;
    let mean = means.iter().sum::<f64>() / k;
    let std = if means.len() > 1 {
        (means.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (k - 1.0)).sqrt()
    } else {
        f64::NAN
    };
    let series: Vec<&[f64]> = outs.iter().map(|o| o.series.as_slice()).collect();
    let r_hat = split_r_hat(&series);
    let ess_v = ess(&series);
    let (acc, prop): (usize, usize) = outs.iter().fold((0, 0), |a, o| (a.0 + o.accepted, a.1 + o.proposed));
    let acceptance = (sampler == Sampler::Mala && prop > 0).then(|| acc as f64 / prop as f64);
    let left_box = outs.iter().map(|o| o.left_box).sum::<usize>();
    let divergences = outs.iter().map(|o| o.divergences).sum::<usize>();
    let mut warnings = vec![];
    if r_hat.is_finite() && r_hat > 1.1 {
        warnings.push(format!("the chains disagree (split-R̂ = {r_hat:.2} > 1.1): they did not mix; the estimate is not reliable — run more draws"));
    }
    if ess_v.is_finite() && ess_v < 100.0 {
        warnings.push(format!("only {ess_v:.0} effective draws: the standard error is itself uncertain"));
    }
    if let Some(a) = acceptance
        && !(0.2..=0.9).contains(&a)
    {
        warnings.push(format!(
            "MALA accepted {:.0}% of proposals (tuned towards 57% during the burn-in): the posterior's scale changes along the chain (a funnel near a singular set); the target stays exact but mixes slower — check R̂ and the effective draws, or run a longer --burn-in",
            100.0 * a
        ));
    }
    let total = (opts.chains * (opts.draws + opts.burn_in)) as f64;
    if left_box as f64 > 0.05 * total {
        warnings.push(format!(
            "{:.0}% of proposals left the box: the tempered posterior reaches the prior's edge, so the box (not only the loss) shapes the estimate",
            100.0 * left_box as f64 / total
        ));
    }
    if divergences > 0 {
        warnings.push(format!("{divergences} proposals had a non-finite loss (refused)"));
    }
    if mean < 0.0 {
        warnings.push(NOT_A_MINIMUM.to_string());
    }
    Ok(DLlc {
        llc_mean: mean,
        llc_se: std / k.sqrt(),
        llc_std: std,
        chain_means: means,
        n,
        beta,
        gamma: opts.gamma,
        chains: opts.chains,
        draws: opts.draws,
        burn_in: opts.burn_in,
        seed: opts.seed,
        dim: d,
        w_star: w_star.to_vec(),
        loss_star,
        sampler,
        acceptance,
        r_hat,
        ess: ess_v,
        left_box,
        divergences,
        states: outs.iter().map(|o| o.states.clone()).collect(),
        traces: outs.into_iter().map(|o| o.trace).collect(),
        warnings,
        elapsed_ms: t0.elapsed().as_secs_f64() * 1e3,
    })
}

/// The sample covariance of `states` as (M, L) with M = L·Lᵀ, eigenvalues floored at 1e-8 of the
/// largest and capped at `cap`; None if degenerate.
fn covariance_shape(states: &[DVector<f64>], cap: f64) -> Option<(DMatrix<f64>, DMatrix<f64>)> {
    let d = states.first()?.len();
    let k = states.len() as f64;
    let mean = states.iter().fold(DVector::zeros(d), |a, s| a + s) / k;
    let mut c = DMatrix::zeros(d, d);
    for s in states {
        let e = s - &mean;
        c += &e * e.transpose();
    }
    c /= k - 1.0;
    let eig = nalgebra::SymmetricEigen::new(c);
    let top = eig.eigenvalues.iter().fold(0.0f64, |m, v| m.max(*v));
    if !(top > 0.0 && top.is_finite()) {
        return None;
    }
    let mut m = DMatrix::zeros(d, d);
    let mut l = DMatrix::zeros(d, d);
    for i in 0..d {
        let mi = eig.eigenvalues[i].max(1e-8 * top).min(cap);
        let v = eig.eigenvectors.column(i);
        m += v * v.transpose() * mi;
        l += v * v.transpose() * mi.sqrt();
    }
    Some((m, l))
}

/// Full-gradient descent on a d-parameter model (a formula in x1 … x8, reduced-rank regression),
/// projected onto the box, with the LLC localised at the iterate every `llc_every` steps.
#[derive(Debug, Clone, Serialize)]
pub struct DSgd {
    pub steps: Vec<usize>,
    pub path: Vec<Vec<f64>>,
    pub loss: Vec<f64>,
    /// (step, LLC, s.e.)
    pub llc: Vec<[f64; 3]>,
    /// Steps that the box stopped (a coordinate clamped to its edge).
    pub clamped: usize,
    pub warnings: Vec<String>,
    pub elapsed_ms: f64,
}

pub fn sgd_d(
    model: &dyn Model,
    start: &[f64],
    lr: f64,
    steps: usize,
    llc_every: usize,
    llc_opts: &LlcOptions,
) -> Result<DSgd, SamplerError> {
    let t0 = Instant::now();
    check_point(model, start).map_err(|e| SamplerError::StartOutside(e.to_string()))?;
    if !(lr > 0.0 && lr.is_finite()) {
        return Err(SamplerError::BadLearningRate(lr));
    }
    if steps == 0 || steps > 10_000_000 {
        return Err(SamplerError::BadSteps);
    }
    let d = model.dim();
    let b = model.bounds().to_vec();
    let every = (steps / 1000).max(1);
    let mut w = start.to_vec();
    let mut g = vec![0.0; d];
    let mut out =
        DSgd { steps: vec![], path: vec![], loss: vec![], llc: vec![], clamped: 0, warnings: vec![], elapsed_ms: 0.0 };
    for t in 0..=steps {
        let l = model.loss_grad(&w, &mut g);
        if !l.is_finite() {
            out.warnings.push(format!("the loss is not finite at step {t}: the run stops there"));
            break;
        }
        if t % every == 0 || t == steps {
            out.steps.push(t);
            out.path.push(w.clone());
            out.loss.push(l);
        }
        if llc_every > 0 && t > 0 && t % llc_every == 0 {
            let r = llc_d(model, &w, llc_opts)?;
            out.llc.push([t as f64, r.llc_mean, r.llc_se]);
        }
        if t == steps {
            break;
        }
        let mut hit = false;
        for i in 0..d {
            let v = w[i] - lr * g[i];
            w[i] = v.clamp(b[i][0], b[i][1]);
            hit |= w[i] != v;
        }
        out.clamped += usize::from(hit);
    }
    if out.clamped > 0 {
        out.warnings.push(format!("{} steps were stopped at the box's edge", out.clamped));
    }
    out.elapsed_ms = t0.elapsed().as_secs_f64() * 1e3;
    Ok(out)
}
