//! The TMS lab's dynamical story (issue 15 part 5): minibatch SGD on L_n from a seeded
//! random start — the population loss along the path with its plateaus and drops, the phase of W
//! at every recorded step (a band under the curves), and the LLC localised at the iterate every k
//! steps; and the Bayesian story (part 6): the phase fractions from local free energies
//! (`free_energy_fractions`, `tms::crossovers`) beside the posterior sampled by replica exchange
//! (`posterior_phases`).
//!
//! Plain SGD, not Adam: its plateaus are the saddles' (the iterate rests near a k-gon until a new
//! feature's column grows out of it), which is the dynamics the paper describes; Adam rescales
//! each coordinate and shortens exactly those plateaus.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use serde::Serialize;

use super::dmodel::Model;
use super::dsampler::llc_d;
use super::sampler::{LlcOptions, Sampler, SamplerError};
use super::tms::{self, D, Tms};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct TmsSgdOptions {
    pub n: usize,
    pub data_seed: u64,
    /// Seed of the start (W ~ N(0, init²), b = 0) and of the minibatches.
    pub seed: u64,
    pub init: f64,
    pub lr: f64,
    pub batch: usize,
    pub steps: usize,
    /// Estimate the LLC at the iterate every this many steps (0: never).
    pub llc_every: usize,
    pub llc_draws: usize,
    pub llc_gamma: f64,
}

/// Defaults from a scan (README "Toy Model of Superposition"): seeds 1–30 at starts W ~ N(0, s²)
/// with s ∈ {0.1, 0.5, 1} and learning rates 0.005–0.05, 50,000 steps. Small starts (s = 0.1) grow
/// arrows one by one straight into 5⁺ or 4⁺⁺ and stay; from the standard-normal start, seed 13 at
/// lr 0.005 rests on the square with both unused biases positive (4⁺⁺, H ≈ 0.0977) for about
/// 15,000 steps, then a third arrow grows out of the square's gap and the loss drops to the 5⁺
/// plateau (H ≈ 0.0619). Other seeds show the "shared vertex" plateau (two features on one corner
/// of a pentagon, H ≈ 0.0668) before 5⁺, or reach the 6-gon.
pub const DEFAULT_SGD: TmsSgdOptions = TmsSgdOptions {
    n: 5000,
    data_seed: 1,
    seed: 13,
    init: 1.0,
    lr: 0.005,
    batch: 32,
    steps: 50_000,
    llc_every: 2500,
    llc_draws: 2000,
    llc_gamma: tms::LLC_GAMMA,
};

impl Default for TmsSgdOptions {
    fn default() -> Self {
        DEFAULT_SGD
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TmsLlcPoint {
    pub step: usize,
    pub llc: f64,
    pub se: f64,
    /// The estimator's warnings (a negative estimate: the iterate is no minimum).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TmsSgdRun {
    pub options: TmsSgdOptions,
    pub steps: Vec<usize>,
    /// The parameters at the recorded steps.
    pub path: Vec<Vec<f64>>,
    /// Population loss H at the recorded steps.
    pub loss: Vec<f64>,
    /// The phase id at the recorded steps.
    pub phase: Vec<String>,
    pub llc: Vec<TmsLlcPoint>,
    /// (step, from, to): where the phase changed and stayed changed for 2% of the run.
    pub transitions: Vec<(usize, String, String)>,
    pub elapsed_ms: f64,
}

/// Points kept along the path.
const RECORDS: usize = 600;

pub fn check_sgd(o: &TmsSgdOptions) -> Result<(), SamplerError> {
    if !(o.lr > 0.0 && o.lr.is_finite() && o.lr <= 10.0) {
        return Err(SamplerError::BadLearningRate(o.lr));
    }
    if o.steps == 0 || o.steps > 10_000_000 {
        return Err(SamplerError::BadSteps);
    }
    if o.batch == 0 {
        return Err(SamplerError::EmptyBatch);
    }
    if !(o.init > 0.0 && o.init <= 1.0) {
        return Err(SamplerError::StartOutside(format!("init scale {} (must be in (0, 1])", o.init)));
    }
    Ok(())
}

pub fn sgd(o: &TmsSgdOptions) -> Result<TmsSgdRun, SamplerError> {
    let t0 = std::time::Instant::now();
    check_sgd(o)?;
    let model = Tms::new(o.n, o.data_seed).map_err(SamplerError::StartOutside)?;
    let mut rng = StdRng::seed_from_u64(o.seed);
    let mut w: Vec<f64> =
        (0..D).map(|i| if i < 2 * tms::C { o.init * rng.sample::<f64, _>(StandardNormal) } else { 0.0 }).collect();
    let every = (o.steps / RECORDS).max(1);
    let mut run = TmsSgdRun {
        options: *o,
        steps: vec![],
        path: vec![],
        loss: vec![],
        phase: vec![],
        llc: vec![],
        transitions: vec![],
        elapsed_ms: 0.0,
    };
    let llc_opts = LlcOptions {
        n: o.n as f64,
        gamma: o.llc_gamma,
        chains: 2,
        draws: o.llc_draws.max(10),
        burn_in: (o.llc_draws / 2).max(10),
        seed: o.seed,
        sampler: Some(Sampler::Mala),
        ..Default::default()
    };
    let mut g = vec![0.0; D];
    let box_hi = tms::BOX;
    for t in 0..=o.steps {
        if t % every == 0 || t == o.steps {
            run.steps.push(t);
            run.loss.push(tms::population_loss(&w));
            run.phase.push(tms::classify(&w).id);
            run.path.push(w.clone());
        }
        if o.llc_every > 0 && t % o.llc_every == 0 && t > 0 {
            let r = llc_d(&model, &w, &llc_opts)?;
            run.llc.push(TmsLlcPoint { step: t, llc: r.llc_mean, se: r.llc_se, warnings: r.warnings });
        }
        if t == o.steps {
            break;
        }
        g.iter_mut().for_each(|v| *v = 0.0);
        for _ in 0..o.batch {
            let (i, mu) = model.points[rng.random_range(0..model.points.len())];
            Tms::point_loss_grad(&w, i, mu, &mut g);
        }
        for k in 0..D {
            w[k] = (w[k] - o.lr * g[k] / o.batch as f64).clamp(-box_hi, box_hi);
        }
    }
    // transitions: a phase held for at least 2% of the records after a different one
    let hold = (run.phase.len() / 50).max(1);
    let mut cur = run.phase.first().cloned().unwrap_or_default();
    let mut k = 0;
    while k < run.phase.len() {
        let p = &run.phase[k];
        if *p != cur && run.phase[k..(k + hold).min(run.phase.len())].iter().all(|q| q == p) {
            run.transitions.push((run.steps[k], cur.clone(), p.clone()));
            cur = p.clone();
        }
        k += 1;
    }
    run.elapsed_ms = t0.elapsed().as_secs_f64() * 1e3;
    Ok(run)
}

/// One row of the critical-point table: the point, its LLC on the data, and where it was measured.
#[derive(Debug, Clone, Serialize)]
pub struct CriticalRow {
    pub point: tms::CriticalPoint,
    pub llc: super::dsampler::DLlc,
    /// Why w* is where it is (`tms::localise_on_data`).
    pub localisation: String,
}

/// The LLC at every critical point (n data points, seeded), with the phase and saddle warnings,
/// and the crossovers of the minima's local free energies.
pub fn critical_table(model: &Tms, opts: &LlcOptions) -> Result<(Vec<CriticalRow>, Vec<tms::Crossover>), SamplerError> {
    let mut rows = vec![];
    let mut phases = vec![];
    for cp in tms::critical_points() {
        let (w, why) = tms::localise_on_data(model, &cp);
        let mut r = llc_d(model, &w, opts)?;
        if let Some(m) = tms::phase_warning(&r.states, &cp.id) {
            r.warnings.insert(0, m);
        }
        if cp.saddle {
            r.warnings.insert(0, tms::saddle_warning(&cp.id));
        } else if cp.on_hinge {
            r.warnings.insert(0, tms::hinge_warning(&cp.id));
        }
        let row = CriticalRow { point: cp, llc: r, localisation: why };
        if row.is_phase() {
            phases.push((row.point.id.clone(), row.point.loss, row.llc.llc_mean));
        }
        rows.push(row);
    }
    Ok((rows, tms::crossovers(&phases)))
}

impl CriticalRow {
    /// Whether the free energies count this point as a phase: a certified minimum with a positive
    /// LLC (a saddle, a hinge point or a negative estimate is not a phase the posterior settles in).
    pub fn is_phase(&self) -> bool {
        self.point.certified_minimum() && self.llc.llc_mean > 0.0
    }
}

/// Everything the window's TMS lab shows: the table, the crossovers, one SGD run, and the
/// posterior's sampled phase fractions at `BAYES_NS`.
#[derive(Debug, Clone, Serialize)]
pub struct Lab {
    pub rows: Vec<CriticalRow>,
    pub crossovers: Vec<tms::Crossover>,
    pub sgd: TmsSgdRun,
    pub bayes: Vec<PhaseFractions>,
    pub elapsed_ms: f64,
}

/// The n at which the lab samples the posterior's phases.
pub const BAYES_NS: [usize; 5] = [30, 100, 300, 1000, 3000];
/// Sweeps of the replica-exchange sampler per n in the lab.
pub const BAYES_SWEEPS: usize = 10_000;

/// The phase fractions the local free energies predict at n: p_k ∝ exp(−F_k(n)),
/// F_k = n·H_k + λ̂_k·log n, over the phases (`CriticalRow::is_phase`).
pub fn free_energy_fractions(rows: &[CriticalRow], n: f64) -> Vec<(String, f64)> {
    let fs: Vec<(String, f64)> = rows
        .iter()
        .filter(|r| r.is_phase())
        .map(|r| (r.point.id.clone(), n * r.point.loss + r.llc.llc_mean * n.ln()))
        .collect();
    let m = fs.iter().map(|f| f.1).fold(f64::INFINITY, f64::min);
    let z: f64 = fs.iter().map(|f| (-(f.1 - m)).exp()).sum();
    fs.into_iter().map(|(id, f)| (id, (-(f - m)).exp() / z)).collect()
}

/// The `tms` command's sampler settings at n.
pub fn llc_options(n: usize, seed: u64) -> LlcOptions {
    LlcOptions {
        n: n as f64,
        gamma: tms::LLC_GAMMA,
        draws: tms::LLC_DRAWS,
        burn_in: tms::LLC_BURN_IN,
        seed,
        ..Default::default()
    }
}

pub fn lab(o: &TmsSgdOptions) -> Result<Lab, SamplerError> {
    lab_with_progress(o, &|_| {})
}

/// `lab`, saying what it computes as it goes (for the window: "the LLC at the 5-gon (4 of 6)" …).
pub fn lab_with_progress(o: &TmsSgdOptions, progress: &dyn Fn(&str)) -> Result<Lab, SamplerError> {
    let t0 = std::time::Instant::now();
    let model = Tms::new(o.n, o.data_seed).map_err(SamplerError::StartOutside)?;
    progress("the critical points and their LLCs (six chains of 4 × 20,000 draws)");
    let (rows, crossovers) = critical_table(&model, &llc_options(o.n, 0))?;
    progress(&format!("SGD, {} steps, with the LLC every {} steps", o.steps, o.llc_every));
    let sgd = sgd(o)?;
    let mut bayes = vec![];
    for (i, &n) in BAYES_NS.iter().enumerate() {
        progress(&format!("the posterior at n = {n} by replica exchange ({} of {})", i + 1, BAYES_NS.len()));
        bayes.push(posterior_phases(n, o.data_seed, o.seed, BAYES_SWEEPS)?);
    }
    Ok(Lab { rows, crossovers, sgd, bayes, elapsed_ms: t0.elapsed().as_secs_f64() * 1e3 })
}

/// The posterior's phase fractions at one n (issue 15 part 6b), sampled, not inferred from local
/// free energies: a local chain never crosses between phases (the 5-gon and the 6-gon are 68 nats
/// apart at n = 5,000), so counting its draws would only report where it started. Replica exchange
/// does cross: `RUNGS` copies of the chain at inverse temperatures t_k·n from n down to ~10 (where
/// the phases merge), each a random-walk Metropolis chain on the box prior with its step tuned to
/// its temperature, neighbours swapping states by the Metropolis rule. The draws of the t = 1 copy
/// are classified. Two independent runs are made; their phase fractions' disagreement is reported
/// (and a warning when it exceeds 0.1, or when a rung's swap rate is below 5%: the ladder broke).
#[derive(Debug, Clone, Serialize)]
pub struct PhaseFractions {
    pub n: usize,
    /// (phase id, fraction of the target copy's draws), largest first.
    pub fractions: Vec<(String, f64)>,
    /// The largest difference of one phase's fraction between the two runs.
    pub disagreement: f64,
    /// The smallest swap acceptance between neighbouring rungs.
    pub min_swap: f64,
    pub warnings: Vec<String>,
    /// `KEPT_SAMPLES` posterior draws with their phase (for the window's polygon and slices).
    #[serde(skip)]
    pub samples: Vec<(Vec<f64>, String)>,
}

/// Rungs of the temperature ladder.
pub const RUNGS: usize = 24;

/// Posterior draws kept per n (from the first run's t = 1 copy, evenly spaced after the burn-in).
pub const KEPT_SAMPLES: usize = 12;

type ReplicaOut = (Vec<(String, f64)>, f64, Vec<Vec<f64>>);

fn replica_run(model: &Tms, n: f64, sweeps: usize, seed: u64) -> ReplicaOut {
    let d = D;
    let mut rng = StdRng::seed_from_u64(seed);
    // inverse temperatures: n·β_k from n down to 10, geometric
    let lo = 10f64.min(n);
    let nbs: Vec<f64> = (0..RUNGS).map(|k| n * (lo / n).powf(k as f64 / (RUNGS - 1) as f64)).collect();
    // start every rung at a random k-gon (rotated), so no phase is privileged
    let cps = tms::critical_points();
    let mut states: Vec<Vec<f64>> = (0..RUNGS).map(|k| cps[(k + seed as usize) % cps.len()].w.clone()).collect();
    let mut losses: Vec<f64> = states.iter().map(|w| model.loss(w)).collect();
    // per-rung proposal scale, tuned during the first half towards 25% acceptance
    let mut scale: Vec<f64> = nbs.iter().map(|nb| (1.0 / nb).sqrt().min(0.5)).collect();
    let (mut swaps, mut tries) = (vec![0usize; RUNGS - 1], vec![0usize; RUNGS - 1]);
    let mut counts: Vec<(String, f64)> = vec![];
    let burn = sweeps / 2;
    let mut kept: Vec<Vec<f64>> = vec![];
    let inside = |w: &[f64]| w.iter().all(|v| v.abs() <= tms::BOX);
    for t in 0..sweeps {
        for k in 0..RUNGS {
            // a few Metropolis steps per sweep
            for _ in 0..4 {
                let prop: Vec<f64> = states[k]
                    .iter()
                    .map(|v| v + scale[k] * rng.sample::<f64, _>(StandardNormal) / (d as f64).sqrt())
                    .collect();
                let mut acc = 0.0;
                if inside(&prop) {
                    let lp = model.loss(&prop);
                    let log_r = -nbs[k] * (lp - losses[k]);
                    acc = log_r.min(0.0).exp();
                    if rng.random::<f64>() < acc {
                        states[k] = prop;
                        losses[k] = lp;
                    }
                }
                if t < burn {
                    scale[k] *= (0.05 * (acc - 0.25)).exp();
                }
            }
        }
        // swap neighbours (alternating even/odd pairs)
        for k in ((t % 2)..RUNGS - 1).step_by(2) {
            let log_r = (nbs[k] - nbs[k + 1]) * (losses[k] - losses[k + 1]);
            tries[k] += usize::from(t >= burn);
            if rng.random::<f64>() < log_r.min(0.0).exp() {
                states.swap(k, k + 1);
                losses.swap(k, k + 1);
                swaps[k] += usize::from(t >= burn);
            }
        }
        if t >= burn && (t - burn).is_multiple_of(((sweeps - burn) / KEPT_SAMPLES).max(1)) && kept.len() < KEPT_SAMPLES
        {
            kept.push(states[0].clone());
        }
        if t >= burn {
            let id = tms::classify(&states[0]).id;
            match counts.iter_mut().find(|c| c.0 == id) {
                Some(c) => c.1 += 1.0,
                None => counts.push((id, 1.0)),
            }
        }
    }
    let total: f64 = counts.iter().map(|c| c.1).sum::<f64>().max(1.0);
    counts.iter_mut().for_each(|c| c.1 /= total);
    let min_swap = (0..RUNGS - 1).map(|k| swaps[k] as f64 / tries[k].max(1) as f64).fold(1.0f64, f64::min);
    (counts, min_swap, kept)
}

pub fn posterior_phases(n: usize, data_seed: u64, seed: u64, sweeps: usize) -> Result<PhaseFractions, SamplerError> {
    if !(10..=tms::TMS_N_MAX).contains(&n) {
        return Err(SamplerError::StartOutside(format!("n = {n} (the phase sampler needs 10 … {})", tms::TMS_N_MAX)));
    }
    let model = Tms::new(n, data_seed).map_err(SamplerError::StartOutside)?;
    let sweeps = sweeps.max(200);
    let outs: Vec<ReplicaOut> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..2u64)
            .map(|r| {
                let model = &model;
                sc.spawn(move || replica_run(model, n as f64, sweeps, seed.wrapping_mul(7919).wrapping_add(r)))
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    let runs: Vec<Vec<(String, f64)>> = outs.iter().map(|o| o.0.clone()).collect();
    let swaps: Vec<f64> = outs.iter().map(|o| o.1).collect();
    let samples: Vec<(Vec<f64>, String)> = outs[0].2.iter().map(|w| (w.clone(), tms::classify(w).id)).collect();
    let mut ids: Vec<String> = runs.iter().flatten().map(|c| c.0.clone()).collect();
    ids.sort();
    ids.dedup();
    let frac = |r: &Vec<(String, f64)>, id: &str| r.iter().find(|c| c.0 == id).map(|c| c.1).unwrap_or(0.0);
    let mut fractions: Vec<(String, f64)> =
        ids.iter().map(|id| (id.clone(), 0.5 * (frac(&runs[0], id) + frac(&runs[1], id)))).collect();
    fractions.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
    let disagreement = ids.iter().map(|id| (frac(&runs[0], id) - frac(&runs[1], id)).abs()).fold(0.0, f64::max);
    let min_swap = swaps.iter().copied().fold(1.0f64, f64::min);
    let mut warnings = vec![];
    if disagreement > 0.1 {
        warnings.push(format!(
            "two independent runs disagree by {disagreement:.2} on a phase's share: the sampler has not converged; run more sweeps"
        ));
    }
    if min_swap < 0.05 {
        warnings.push(format!(
            "a rung of the temperature ladder swapped only {:.1}% of the time: the chain at n may not reach every phase",
            100.0 * min_swap
        ));
    }
    Ok(PhaseFractions { n, fractions, disagreement, min_swap, warnings, samples })
}
