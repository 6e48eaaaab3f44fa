//! The TMS lab's dynamical story (issue 15 part 5): minibatch SGD on L_n from a seeded small
//! random start — the population loss along the path with its plateaus and drops, the phase of W
//! at every recorded step (a band under the curves), and the LLC localised at the iterate every k
//! steps. (The Bayesian story's local free energies are `tms::crossovers`.)
//!
//! Plain SGD, not Adam: its plateaus are the saddles' (a small start escapes the 0-gon, then each
//! new feature's column grows out of a saddle), which is the dynamics the paper describes; Adam
//! rescales each coordinate and shortens exactly those plateaus.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use serde::Serialize;

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

/// Defaults from trying seeds 1–11 at learning rates 0.005–0.2 and batches 1–32 (README "Toy
/// Model of Superposition"): seed 5 at lr 0.01 grows four arrows, then a fifth, and settles in the
/// 5⁺ phase; no tried setting showed a plateau at one polygon followed by a drop to another (runs
/// stop in 4⁺⁺ or 5⁺, or with the ReLUs dead in 4, for 200,000 steps).
pub const DEFAULT_SGD: TmsSgdOptions = TmsSgdOptions {
    n: 5000,
    data_seed: 1,
    seed: 5,
    init: 0.1,
    lr: 0.01,
    batch: 32,
    steps: 20_000,
    llc_every: 1000,
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
            run.llc.push(TmsLlcPoint { step: t, llc: r.llc_mean, se: r.llc_se });
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
        } else {
            // the free energies compare minima: a saddle is not a phase the posterior settles in
            phases.push((cp.id.clone(), cp.loss, r.llc_mean));
        }
        rows.push(CriticalRow { point: cp, llc: r, localisation: why });
    }
    Ok((rows, tms::crossovers(&phases)))
}

/// Everything the window's TMS lab shows: the table, the crossovers and one SGD run.
#[derive(Debug, Clone, Serialize)]
pub struct Lab {
    pub rows: Vec<CriticalRow>,
    pub crossovers: Vec<tms::Crossover>,
    pub sgd: TmsSgdRun,
    pub elapsed_ms: f64,
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
    let t0 = std::time::Instant::now();
    let model = Tms::new(o.n, o.data_seed).map_err(SamplerError::StartOutside)?;
    let (rows, crossovers) = critical_table(&model, &llc_options(o.n, 0))?;
    let sgd = sgd(o)?;
    Ok(Lab { rows, crossovers, sgd, elapsed_ms: t0.elapsed().as_secs_f64() * 1e3 })
}
