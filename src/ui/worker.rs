//! The worker thread: every heavy computation runs here, by calling the core (`Analysis`,
//! `PhaseData`, the samplers). Jobs carry the version of the inputs they came from; only the
//! newest job of each kind is computed, and the pipeline drops any reply whose version is not
//! current. A frame never waits on it.

use eframe::egui;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::core::analysis::{Analysis, PhaseData};
use crate::core::export::{Provenance, What, csv};
use crate::core::fit::FitReport;
use crate::core::free_energy::VolumeLaw;
use crate::core::landscape::LandscapeSpec;
use crate::core::posterior::{GridSpec, KGrid};
use crate::core::sampler::{
    CALIBRATION_GAMMAS, CALIBRATION_STEPS, Calibration, LlcOptions, LlcResult, calibrate, llc, llc_centre,
};
use crate::core::sgd::{SgdOptions, SgdResult, sgd};

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
    /// A calibration grid (step × γ) at the minimum.
    Calibrate { version: u64, opts: LlcOptions },
    /// A CSV file of the current landscape, with the fit on screen (and its basins, if found).
    Csv { version: u64, csv: Box<CsvJob> },
    /// The TMS lab: critical points with their LLCs, the crossovers, one SGD run (independent of
    /// the landscape).
    /// `stage`: what it is computing now, for the panel (written here, read by the UI thread).
    Tms { version: u64, opts: crate::core::tms_lab::TmsSgdOptions, stage: Arc<std::sync::Mutex<String>> },
}

/// What a CSV export writes, as the screen shows it.
#[derive(Debug, Clone)]
pub struct CsvJob {
    pub what: What,
    pub n: f64,
    pub eps: f64,
    pub fit: Arc<FitReport>,
    pub phase: Option<Arc<PhaseData>>,
    pub path: std::path::PathBuf,
    /// The command line that reopens the view (into the provenance).
    pub command: String,
}

impl Job {
    fn version(&self) -> u64 {
        match self {
            Job::Analyze { version, .. }
            | Job::Refit { version, .. }
            | Job::Resample { version, .. }
            | Job::Phase { version }
            | Job::Sgd { version, .. }
            | Job::Llc { version, .. }
            | Job::Calibrate { version, .. }
            | Job::Csv { version, .. }
            | Job::Tms { version, .. } => *version,
        }
    }
}

/// A refitted curve: the fit and its volume law.
pub type Refit = (Arc<FitReport>, Arc<VolumeLaw>);

pub enum Reply {
    Analysis(Arc<Analysis>, Arc<KGrid>),
    Phase(Arc<PhaseData>),
    PhaseFailed {
        version: u64,
        message: String,
    },
    Refit {
        version: u64,
        fit_version: u64,
        fit: Result<Refit, String>,
    },
    Grid {
        version: u64,
        view_version: u64,
        grid: Arc<KGrid>,
    },
    Failed {
        version: u64,
        message: String,
    },
    Sgd {
        version: u64,
        result: Result<Arc<SgdResult>, String>,
    },
    Llc {
        version: u64,
        result: Result<Arc<LlcResult>, String>,
    },
    Calibration {
        version: u64,
        result: Result<Arc<Calibration>, String>,
    },
    /// A file written (or why not): a message for the user.
    Saved(String),
    Tms(Result<Arc<crate::core::tms_lab::Lab>, String>),
}

pub struct Worker {
    tx: Sender<Job>,
    rx: Receiver<Reply>,
    pending: Arc<AtomicUsize>,
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
                let mut state = State::default();
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
                    let cal = newest(&|j| matches!(j, Job::Calibrate { .. }));
                    let tms = newest(&|j| matches!(j, Job::Tms { .. }));
                    // (every file asked for is written, not only the newest)
                    let files = batch.iter().filter(|j| matches!(j, Job::Csv { .. })).cloned().map(Some);
                    let jobs = [analyze, refit, resample, phase, sgd, llc, cal, tms].into_iter().chain(files);
                    for job in jobs.flatten() {
                        let version = job.version();
                        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(job, &mut state)));
                        let reply = match r {
                            Ok(Some(reply)) => reply,
                            Ok(None) => continue,
                            Err(p) => Reply::Failed {
                                version,
                                message: format!(
                                    "internal error (please report): {}",
                                    crate::panic_message(p.as_ref())
                                ),
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

/// One job: a call into the core on the current analysis. None: the job is stale.
/// What the worker remembers between jobs: the analysis the jobs are of, and where SGD last ended
/// on it (the LLC is localised there when that is a global minimum).
#[derive(Default)]
struct State {
    current: Option<Arc<Analysis>>,
    sgd_end: Option<(u64, [f64; 2])>,
}

fn run(job: Job, state: &mut State) -> Option<Reply> {
    if let Job::Tms { opts, stage, .. } = job {
        let say = |s: &str| {
            if let Ok(mut g) = stage.lock() {
                *g = s.to_string();
            }
        };
        return Some(Reply::Tms(
            crate::core::tms_lab::lab_with_progress(&opts, &say).map(Arc::new).map_err(|e| e.to_string()),
        ));
    }
    let current = &mut state.current;
    if let Job::Analyze { version, spec, fit_window, view } = job {
        let a = match Analysis::compute(version, spec, fit_window) {
            Ok(a) => Arc::new(a),
            Err(e) => return Some(Reply::Failed { version, message: e.to_string() }),
        };
        return Some(match a.sample(view) {
            Ok(g) => {
                *current = Some(a.clone());
                Reply::Analysis(a, Arc::new(g))
            }
            Err(e) => Reply::Failed { version, message: e.to_string() },
        });
    }
    let a = current.as_ref().filter(|a| a.version == job.version())?;
    let version = a.version;
    Some(match job {
        Job::Analyze { .. } | Job::Tms { .. } => return None,
        Job::Phase { .. } => match PhaseData::compute(a) {
            Ok(p) => Reply::Phase(Arc::new(p)),
            Err(e) => Reply::PhaseFailed { version, message: e.to_string() },
        },
        Job::Refit { fit_version, fit_window, .. } => Reply::Refit {
            version,
            fit_version,
            fit: a.refit(fit_window).map(|(f, l)| (Arc::new(f), Arc::new(l))).map_err(|e| e.to_string()),
        },
        Job::Sgd { opts, .. } => {
            a.landscape.renew_budget();
            let r = sgd(&a.landscape, &opts);
            if let Ok(r) = &r {
                state.sgd_end = r.path.last().map(|&e| (version, e));
            }
            Reply::Sgd { version, result: r.map(Arc::new).map_err(|e| e.to_string()) }
        }
        Job::Llc { opts, .. } => {
            let min = &a.estimate.minimum;
            let n = opts.n.max(3.0);
            let n_beta = n * opts.beta.unwrap_or(1.0 / n.ln());
            let end = state.sgd_end.filter(|(v, _)| *v == version).map(|(_, e)| e);
            let result = match llc_centre(&a.landscape, min, n_beta, end) {
                None => Err("no minimum to localise at".to_string()),
                Some(loc) => {
                    a.landscape.renew_budget();
                    llc(&a.landscape, loc.centre, min.k_min, &a.law, &opts)
                        .map(|mut r| {
                            r.localisation = loc.note;
                            Arc::new(r)
                        })
                        .map_err(|e| e.to_string())
                }
            };
            Reply::Llc { version, result }
        }
        Job::Calibrate { opts, .. } => {
            let min = &a.estimate.minimum;
            let result = match min.argmin.first() {
                None => Err("no minimum to calibrate at".to_string()),
                Some(&w) => {
                    a.landscape.renew_budget();
                    calibrate(&a.landscape, w, min.k_min, &a.law, &opts, &CALIBRATION_STEPS, &CALIBRATION_GAMMAS)
                        .map(Arc::new)
                        .map_err(|e| e.to_string())
                }
            };
            Reply::Calibration { version, result }
        }
        Job::Csv { csv, .. } => Reply::Saved(write_csv(a, &csv)),
        Job::Resample { view_version, view, .. } => match a.sample(view) {
            Ok(g) => Reply::Grid { version, view_version, grid: Arc::new(g) },
            Err(e) => Reply::Failed { version, message: e.to_string() },
        },
    })
}

/// Build the CSV of the analysed landscape and write it; the message says which file or why not.
fn write_csv(a: &Analysis, j: &CsvJob) -> String {
    let prov = Provenance::of(&a.landscape, Some(j.n), Some(j.eps), 0).with_fit(&j.fit).with_command(j.command.clone());
    let basins = j.phase.as_ref().map(|p| &p.basins);
    match csv(&a.landscape, &a.estimate, &j.fit, j.what, j.n, &prov, basins) {
        Ok(text) => match crate::files::write_atomic(&j.path, text.as_bytes()) {
            Ok(()) => format!("saved {}", j.path.display()),
            Err(e) => e,
        },
        Err(e) => e.to_string(),
    }
}
