//! The worker thread: every heavy computation runs here. Jobs carry the version of the inputs
//! they came from; only the newest job of each kind is computed, and the UI drops any reply whose
//! version is not current. A frame never waits on it.

use eframe::egui;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::core::basins::{Basins, Crossover, find_basins};
use crate::core::estimate::{Estimate, EstimateOptions, estimate};
use crate::core::fit::{FitReport, fit_report};
use crate::core::free_energy::VolumeLaw;
use crate::core::free_energy::free_energy;
use crate::core::landscape::{Landscape, LandscapeSpec};
use crate::core::posterior::{GridSpec, KGrid, sample_k};
use crate::core::sampler::{LlcOptions, LlcResult, SgdOptions, SgdResult, llc, sgd};

#[derive(Debug, Clone)]
pub enum Job {
    /// A new landscape (formula, domain or prior): minimum, volume curve, fit, and a K grid of `view`.
    Analyze { version: u64, spec: LandscapeSpec, fit_window: Option<[f64; 2]>, view: GridSpec },
    /// A new fit window on the current curve.
    Refit { version: u64, fit_version: u64, fit_window: Option<[f64; 2]> },
    /// Basins and the phase-transition curves of the current landscape.
    Phase { version: u64 },
    /// K sampled on a new view rectangle (zoom, pan, resolution).
    Resample { version: u64, view_version: u64, view: GridSpec },
    /// SGD on the current landscape (with the LLC along the path).
    Sgd { version: u64, opts: SgdOptions },
    /// The SGLD estimate of the LLC at the current landscape's minimum.
    Llc { version: u64, opts: LlcOptions },
}

/// Everything the panels show about one landscape.
#[derive(Debug)]
pub struct Analysis {
    pub version: u64,
    pub spec: LandscapeSpec,
    pub dim: usize,
    pub bounds: [[f64; 2]; 2],
    pub estimate: Estimate,
    pub law: VolumeLaw,
}

/// Basins and the curves of the phase-transition panel, on a log grid of n (all from the core).
#[derive(Debug)]
pub struct PhaseData {
    pub version: u64,
    pub basins: Basins,
    pub crossovers: Vec<Crossover>,
    pub log10_n: Vec<f64>,
    /// mass[k][i]: posterior mass of basin i at n = 10^log10_n[k]
    pub mass: Vec<Vec<f64>>,
    /// F_i(n) − n·min K*
    pub f_basin: Vec<Vec<f64>>,
    /// exact F_n − n·min K* (from the global volume law), BIC and WBIC on the same scale
    pub f_total: Vec<f64>,
    pub bic: Vec<f64>,
    pub wbic: Vec<f64>,
}

pub enum Reply {
    Analysis(Arc<Analysis>, Arc<KGrid>, u64),
    Phase(Arc<PhaseData>),
    PhaseFailed { version: u64, message: String },
    Refit { version: u64, fit_version: u64, fit: Result<Box<FitReport>, String>, law: Option<VolumeLaw> },
    Grid { version: u64, view_version: u64, grid: Arc<KGrid> },
    Failed { version: u64, message: String },
    Sgd { version: u64, result: Result<Arc<SgdResult>, String> },
    Llc { version: u64, result: Result<Arc<LlcResult>, String> },
}

pub struct Worker {
    tx: Sender<Job>,
    rx: Receiver<Reply>,
    pending: Arc<AtomicUsize>,
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown".into())
}

impl Worker {
    pub fn spawn(ctx: egui::Context) -> Worker {
        let (tx, jobs) = channel::<Job>();
        let (out, rx) = channel::<Reply>();
        let pending = Arc::new(AtomicUsize::new(0));
        let pend = pending.clone();
        std::thread::Builder::new()
            .name("lambdascope-worker".into())
            // generous stack: symbolic derivatives (exmex) recurse over the expression
            .stack_size(64 << 20)
            .spawn(move || {
                let mut state: Option<(u64, Landscape, Arc<Analysis>)> = None;
                while let Ok(first) = jobs.recv() {
                    // keep only the newest job of each kind
                    let mut batch = vec![first];
                    batch.extend(jobs.try_iter());
                    let n = batch.len();
                    let newest = |f: &dyn Fn(&Job) -> bool| batch.iter().rev().find(|j| f(j)).cloned();
                    let analyze = newest(&|j| matches!(j, Job::Analyze { .. }));
                    let refit = newest(&|j| matches!(j, Job::Refit { .. }));
                    let resample = newest(&|j| matches!(j, Job::Resample { .. }));
                    let phase = newest(&|j| matches!(j, Job::Phase { .. }));
                    let sgd = newest(&|j| matches!(j, Job::Sgd { .. }));
                    let llc = newest(&|j| matches!(j, Job::Llc { .. }));
                    for job in [analyze, refit, resample, phase, sgd, llc].into_iter().flatten() {
                        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(job.clone(), &mut state)));
                        let reply = match r {
                            Ok(Some(reply)) => reply,
                            Ok(None) => continue,
                            Err(p) => Reply::Failed {
                                version: job_version(&job),
                                message: format!("internal error (please report): {}", panic_message(p)),
                            },
                        };
                        if out.send(reply).is_err() {
                            return;
                        }
                        ctx.request_repaint();
                    }
                    pend.fetch_sub(n, Ordering::SeqCst);
                    ctx.request_repaint();
                }
            })
            .ok();
        Worker { tx, rx, pending }
    }

    pub fn send(&self, job: Job) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if self.tx.send(job).is_err() {
            self.pending.fetch_sub(1, Ordering::SeqCst);
        }
    }

    pub fn poll(&self) -> Vec<Reply> {
        self.rx.try_iter().collect()
    }

    /// Jobs sent and not yet finished.
    pub fn busy(&self) -> bool {
        self.pending.load(Ordering::SeqCst) > 0
    }
}

fn job_version(j: &Job) -> u64 {
    match j {
        Job::Analyze { version, .. }
        | Job::Refit { version, .. }
        | Job::Resample { version, .. }
        | Job::Phase { version }
        | Job::Sgd { version, .. }
        | Job::Llc { version, .. } => *version,
    }
}

fn run(job: Job, state: &mut Option<(u64, Landscape, Arc<Analysis>)>) -> Option<Reply> {
    match job {
        Job::Analyze { version, spec, fit_window, view } => {
            let land = match Landscape::from_spec(&spec) {
                Ok(l) => l,
                Err(e) => {
                    return Some(Reply::Failed { version, message: e.to_string() });
                }
            };
            let opts = EstimateOptions { fit_window, ..Default::default() };
            let est = match estimate(&land, &opts) {
                Ok(e) => e,
                Err(e) => {
                    return Some(Reply::Failed { version, message: e.to_string() });
                }
            };
            let view = clamp_view(&land, view);
            let grid = match sample_k(&land, view) {
                Ok(g) => Arc::new(g),
                Err(e) => {
                    return Some(Reply::Failed { version, message: e.to_string() });
                }
            };
            let law = VolumeLaw::new(&est.curve, &est.fit.best);
            let a = Arc::new(Analysis { version, dim: land.dim, bounds: land.bounds, spec, estimate: est, law });
            *state = Some((version, land, a.clone()));
            Some(Reply::Analysis(a, grid, version))
        }
        Job::Phase { version } => {
            let (v, land, a) = state.as_ref()?;
            if *v != version {
                return None;
            }
            Some(match phase_data(land, a) {
                Ok(p) => Reply::Phase(Arc::new(p)),
                Err(message) => Reply::PhaseFailed { version, message },
            })
        }
        Job::Refit { version, fit_version, fit_window } => {
            let (v, _, a) = state.as_ref()?;
            if *v != version {
                return None;
            }
            let m_theory = a.estimate.theory.as_ref().map(|t| t.m);
            let r = fit_report(&a.estimate.curve, fit_window, m_theory).map(Box::new).map_err(|e| e.to_string());
            let law = r.as_ref().ok().map(|f| VolumeLaw::new(&a.estimate.curve, &f.best));
            Some(Reply::Refit { version, fit_version, fit: r, law })
        }
        Job::Sgd { version, opts } => {
            let (v, land, _) = state.as_ref()?;
            if *v != version {
                return None;
            }
            land.renew_budget();
            let result = sgd(land, &opts).map(Arc::new).map_err(|e| e.to_string());
            Some(Reply::Sgd { version, result })
        }
        Job::Llc { version, opts } => {
            let (v, land, a) = state.as_ref()?;
            if *v != version {
                return None;
            }
            let min = &a.estimate.minimum;
            let Some(w) = min.argmin.first().copied() else {
                return Some(Reply::Llc { version, result: Err("no minimum to localise at".into()) });
            };
            land.renew_budget();
            let result = llc(land, w, min.k_min, &a.law, &opts).map(Arc::new).map_err(|e| e.to_string());
            Some(Reply::Llc { version, result })
        }
        Job::Resample { version, view_version, view } => {
            let (v, land, _) = state.as_ref()?;
            if *v != version {
                return None;
            }
            let view = clamp_view(land, view);
            match sample_k(land, view) {
                Ok(g) => Some(Reply::Grid { version, view_version, grid: Arc::new(g) }),
                Err(e) => Some(Reply::Failed { version, message: e.to_string() }),
            }
        }
    }
}

fn phase_data(land: &Landscape, a: &Analysis) -> Result<PhaseData, String> {
    let basins = find_basins(land, &a.estimate.minimum, &Default::default()).map_err(|e| e.to_string())?;
    let crossovers = basins.crossovers();
    let kmin = a.estimate.minimum.k_min;
    let d = a.dim as f64;
    let log10_n: Vec<f64> = (0..=240).map(|k| 12.0 * k as f64 / 240.0).collect();
    let mut mass = vec![];
    let mut f_basin = vec![];
    let mut f_total = vec![];
    let mut bic = vec![];
    let mut wbic = vec![];
    for &t in &log10_n {
        let n = 10f64.powf(t);
        mass.push(basins.masses(n).map_err(|e| e.to_string())?);
        f_basin.push(basins.free_energies(n).map_err(|e| e.to_string())?.iter().map(|f| f - n * kmin).collect());
        let fe = free_energy(&a.law, kmin, n).map_err(|e| e.to_string())?;
        f_total.push(fe.f - n * kmin);
        bic.push(0.5 * d * n.ln());
        // WBIC = E_β[nK] at β = 1/log n = nK* + log n · λ_eff(n/log n)
        let w = if n > std::f64::consts::E {
            free_energy(&a.law, kmin, (n / n.ln()).max(1.0)).map(|f| f.lambda_eff * n.ln()).unwrap_or(f64::NAN)
        } else {
            f64::NAN
        };
        wbic.push(w);
    }
    Ok(PhaseData { version: a.version, basins, crossovers, log10_n, mass, f_basin, f_total, bic, wbic })
}

/// The part of a view rectangle inside the box (what is outside has no prior mass).
pub fn clamp_view(land: &Landscape, v: GridSpec) -> GridSpec {
    let b = land.bounds;
    let clamp = |r: [f64; 2], axis: usize| {
        let lo = r[0].max(b[axis][0]);
        let hi = r[1].min(b[axis][1]);
        if hi > lo { [lo, hi] } else { b[axis] }
    };
    let x = clamp(v.x, 0);
    let y = if land.dim == 2 { clamp(v.y, 1) } else { [0.0, 0.0] };
    GridSpec { x, y, nx: v.nx, ny: if land.dim == 2 { v.ny } else { 1 } }
}
