//! Minibatch SGD from a start point, kept inside the box, with the local learning coefficient
//! estimated along the path (SGLD localised at the iterate, `sampler::run_chains`).

use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;

use super::landscape::{Landscape, fmt_point};
use super::sampler::{Gradient, LlcOptions, MAX_WORK, SamplerError, check, llc_work, mean_se, run_chains, term_weight};

/// Settings of an SGD run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct SgdOptions {
    pub start: [f64; 2],
    pub lr: f64,
    /// Minibatch size (models); a formula has no data and takes full gradient steps.
    pub batch: usize,
    pub steps: usize,
    pub seed: u64,
    /// Estimate the LLC at the current point every this many steps (0: never).
    pub llc_every: usize,
    /// The SGLD settings of those estimates (usually fewer draws than a single estimate).
    pub llc: LlcOptions,
}

impl Default for SgdOptions {
    fn default() -> Self {
        SgdOptions {
            start: [0.5, 0.5],
            lr: 0.05,
            batch: 16,
            steps: 2000,
            seed: 0,
            llc_every: 0,
            llc: LlcOptions { chains: 2, draws: 5000, burn_in: 1000, ..Default::default() },
        }
    }
}

/// One LLC estimate along an SGD trajectory.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LlcPoint {
    pub step: usize,
    pub w: [f64; 2],
    pub mean: f64,
    pub se: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SgdResult {
    /// (step, w) at recorded steps.
    pub steps: Vec<usize>,
    pub path: Vec<[f64; 2]>,
    /// The full loss of the landscape (L_n for a model) at the recorded points.
    pub loss: Vec<f64>,
    /// The population K at the recorded points (models only).
    pub population: Vec<f64>,
    pub llc: Vec<LlcPoint>,
    pub options: SgdOptions,
    /// Full-batch gradients (a formula, or batch ≥ n).
    pub full_batch: bool,
    pub warnings: Vec<String>,
    pub elapsed_ms: f64,
}

/// Points kept along an SGD path.
const PATH_POINTS: usize = 2000;
/// At most this many LLC estimates along one path.
const LLC_POINTS: usize = 60;

/// Minibatch SGD from `start`, kept inside the box (projected: a step that leaves it stops at the
/// edge, and the user is told), with LLC estimates along the way.
pub fn sgd(land: &Landscape, opts: &SgdOptions) -> Result<SgdResult, SamplerError> {
    let t0 = Instant::now();
    let d = land.dim;
    if !(opts.lr > 0.0 && opts.lr.is_finite()) {
        return Err(SamplerError::BadLearningRate(opts.lr));
    }
    if opts.steps == 0 || opts.steps > 10_000_000 {
        return Err(SamplerError::BadSteps);
    }
    if opts.batch == 0 {
        return Err(SamplerError::EmptyBatch);
    }
    let per_step = land.data.as_ref().map(|dl| opts.batch.min(dl.len())).unwrap_or(1) as f64;
    let path_work = opts.steps as f64 * per_step * term_weight(land);
    if path_work > MAX_WORK {
        return Err(SamplerError::TooMuchWork {
            what: "steps × batch × the formula's cost",
            work: path_work,
            fix: "use fewer steps, a smaller batch, or a shorter formula",
        });
    }
    let llc_every = if opts.llc_every == 0 { 0 } else { opts.llc_every.max(opts.steps.div_ceil(LLC_POINTS)) };
    if let Some(estimates) = opts.steps.checked_div(llc_every) {
        check(land, &opts.llc)?;
        // the path and every estimate along it share one bound
        let work = path_work + (estimates + 2) as f64 * llc_work(land, &opts.llc);
        if work > MAX_WORK {
            return Err(SamplerError::TooMuchWork {
                what: "the path and its LLC estimates (estimates × chains × (draws + burn-in) × batch × the formula's cost)",
                work,
                fix: "estimate the LLC less often (a larger --llc-every), with fewer draws or chains, or use a shorter formula",
            });
        }
    }
    let mut w = opts.start;
    for (a, v) in w.iter().enumerate().take(d) {
        if !(v.is_finite() && *v >= land.bounds[a][0] && *v <= land.bounds[a][1]) {
            return Err(SamplerError::StartOutside(fmt_point(opts.start, d)));
        }
    }
    if d == 1 {
        w[1] = 0.0;
    }
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let mut gradient = Gradient::new(land, Some(opts.batch));
    let full_batch = gradient.data.is_none_or(|dl| gradient.batch >= dl.len());
    let every = opts.steps.div_ceil(PATH_POINTS).max(1);
    let pop = |w: [f64; 2]| land.data.as_ref().map(|dl| dl.population(w[0], w[1]));
    let mut res = SgdResult {
        steps: vec![],
        path: vec![],
        loss: vec![],
        population: vec![],
        llc: vec![],
        // what ran (the LLC interval may have been raised), not only what was asked
        options: SgdOptions { llc_every, ..*opts },
        full_batch,
        warnings: if llc_every > opts.llc_every {
            vec![format!(
                "an LLC every {} steps would be {} estimates; at most {LLC_POINTS} are made along a path, so one was made every {llc_every} steps",
                opts.llc_every,
                opts.steps.div_ceil(opts.llc_every)
            )]
        } else {
            vec![]
        },
        elapsed_ms: 0.0,
    };
    let mut hit_edge = None;
    let record = |t: usize, w: [f64; 2], res: &mut SgdResult| -> Result<(), SamplerError> {
        res.steps.push(t);
        res.path.push(w);
        res.loss.push(land.k(w[0], w[1]));
        if let Some(p) = pop(w) {
            res.population.push(p);
        }
        if llc_every > 0 && (t.is_multiple_of(llc_every) || t == opts.steps) {
            let o = LlcOptions { seed: opts.llc.seed.wrapping_add(t as u64), ..opts.llc };
            let ch = run_chains(land, w, &o, usize::MAX)?;
            let (m, se, _) = mean_se(&ch.means);
            res.llc.push(LlcPoint { step: t, w, mean: m, se });
        }
        Ok(())
    };
    record(0, w, &mut res)?;
    for t in 1..=opts.steps {
        let g = gradient.at(w, &mut rng);
        let mut next = w;
        for a in 0..d {
            next[a] = w[a] - opts.lr * g[a];
            if next[a] < land.bounds[a][0] || next[a] > land.bounds[a][1] {
                hit_edge.get_or_insert(t);
                next[a] = next[a].clamp(land.bounds[a][0], land.bounds[a][1]);
            }
        }
        if next.iter().any(|v| !v.is_finite()) || !land.k(next[0], next[1]).is_finite() {
            res.warnings
                .push(format!("SGD diverged at step {t} (a non-finite loss or gradient): lower the learning rate"));
            break;
        }
        w = next;
        if t.is_multiple_of(every) || t == opts.steps || (llc_every > 0 && t.is_multiple_of(llc_every)) {
            record(t, w, &mut res)?;
        }
    }
    if let Some(t) = hit_edge {
        res.warnings.push(format!(
            "SGD reached the edge of the box at step {t} and was held there (projected steps): the box is the prior's support"
        ));
    }
    res.elapsed_ms = t0.elapsed().as_secs_f64() * 1e3;
    Ok(res)
}
