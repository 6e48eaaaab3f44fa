//! One landscape's way from the settings to the screen: it notices what changed (debouncing
//! typing), sends jobs to its worker with versions, keeps the newest results and the caches (K
//! grid, posterior at the current n, 1-D sublevel intervals at the current ε), and builds the
//! `ViewData` the panels draw. Compare mode is a second `Pipeline`.

use eframe::egui;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::core::analysis::{Analysis, PhaseData};
use crate::core::fit::FitReport;
use crate::core::free_energy::VolumeLaw;
use crate::core::landscape::{LandscapeSpec, N_MAX};
use crate::core::picture::{PosteriorCurve, posterior_curve};
use crate::core::posterior::{GridSpec, KGrid, PosteriorGrid, posterior};
use crate::core::readouts::{Readouts, readouts};
use crate::core::sampler::{LlcOptions, LlcResult};
use crate::core::sgd::{SgdOptions, SgdResult};

use super::settings::ColourMap;
use super::worker::{Job, Reply, Worker};

/// Typing waits this long after the last key before the landscape is analysed.
const DEBOUNCE: Duration = Duration::from_millis(300);
/// A zoom or pan settles this long before K is sampled on the new rectangle.
const VIEW_DEBOUNCE: Duration = Duration::from_millis(150);

/// The 1-D sublevel set {K − K* < ε} as intervals.
pub type Intervals = Arc<Vec<(f64, f64)>>;

/// A result of a run on one landscape version.
pub type Run<T> = Option<(u64, Result<Arc<T>, String>)>;

/// The learning tab's results (SGD path, SGLD estimate) and whether runs are under way.
#[derive(Clone, Default)]
pub struct Learning {
    pub sgd: Run<SgdResult>,
    pub llc: Run<LlcResult>,
    pub calibration: Run<crate::core::sampler::Calibration>,
    pub running_calibration: bool,
    pub running_sgd: bool,
    pub running_llc: bool,
    /// The TMS lab (independent of the landscape).
    pub tms: Option<Result<Arc<crate::core::tms_lab::Lab>, String>>,
    pub running_tms: bool,
    /// What the TMS lab is computing now (the worker writes it).
    pub tms_stage: Arc<std::sync::Mutex<String>>,
}

/// How the heatmaps are drawn (from the settings; carried to the panels with the data).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub log_colour: bool,
    pub log_k_axis: bool,
    pub regular_overlay: bool,
    pub log_posterior: bool,
    pub colormap: ColourMap,
}

/// What the panels draw in one frame (plain data; shared by reference counting).
pub struct ViewData {
    pub analysis: Arc<Analysis>,
    pub fit: Arc<FitReport>,
    pub law: Arc<VolumeLaw>,
    /// K on the current view rectangle.
    pub grid: Arc<KGrid>,
    pub posterior: Option<Arc<PosteriorGrid>>,
    pub n: f64,
    pub eps: f64,
    pub style: Style,
    /// 1-D: the sublevel set {K − K* < ε} as intervals (from the core).
    pub intervals_1d: Intervals,
    /// Basins and phase-transition curves, when computed.
    pub phase: Option<Arc<PhaseData>>,
    pub phase_error: Option<String>,
    /// 1-D: the posterior as drawn (a curve per basin, true to mass; spikes for basins narrower
    /// than a pixel of the view).
    pub curve: Option<Arc<PosteriorCurve>>,
    /// Posterior mass of each basin at n (from the core), when the basins are known.
    pub basin_mass: Vec<f64>,
    pub readouts: Readouts,
    pub learning: Learning,
}

/// What the side panel shows about the pipeline besides the readouts.
#[derive(Debug, Clone, Default)]
pub struct Status {
    /// Why the current input is not on screen (a typo, no minimum …); the last good landscape stays.
    pub error: Option<String>,
    /// A refit of the current curve failed.
    pub compute_error: Option<String>,
    pub busy: bool,
    /// The readouts on screen are of an older input than the one being computed or typed.
    pub stale: bool,
    /// Dimension of the last valid input.
    pub dim: usize,
    /// The largest ε of the current volume curve.
    pub eps_max: f64,
}

pub struct Pipeline {
    worker: Worker,
    /// The newest landscape version sent; results of older ones are dropped.
    version: u64,
    view_version: u64,
    fit_version: u64,
    /// The input last acted on (sent, or refused), so that a refusal is not retried every frame.
    seen: Option<LandscapeSpec>,
    /// The landscape last sent to the worker.
    sent: Option<LandscapeSpec>,
    /// Typing under way: the input and when it last changed.
    editing: Option<(LandscapeSpec, Instant)>,
    fit_window: Option<[f64; 2]>,
    grid_res: usize,
    status: Status,
    analysis: Option<Arc<Analysis>>,
    fit: Option<Arc<FitReport>>,
    law: Option<Arc<VolumeLaw>>,
    grid: Option<Arc<KGrid>>,
    phase: Option<Arc<PhaseData>>,
    phase_error: Option<String>,
    learning: Learning,
    /// (grid, n bits, posterior) for the current n.
    post: Option<(usize, u64, Arc<PosteriorGrid>)>,
    /// (analysis version, ε bits, intervals) of the 1-D sublevel set.
    intervals: Option<(u64, u64, Intervals)>,
    view_pending: Option<([f64; 4], Instant)>,
    requested_view: Option<[f64; 4]>,
    /// A new analysis arrived: the views return to its box (read once by the app).
    new_box: Option<[f64; 4]>,
    /// Messages from the worker (files written), read once by the app.
    notices: Vec<String>,
}

impl Pipeline {
    pub fn new(ctx: &egui::Context) -> Pipeline {
        Pipeline {
            worker: Worker::spawn(ctx.clone()),
            version: 0,
            view_version: 0,
            fit_version: 0,
            seen: None,
            sent: None,
            editing: None,
            fit_window: None,
            grid_res: 256,
            status: Status { dim: 2, eps_max: 1.0, ..Default::default() },
            analysis: None,
            fit: None,
            law: None,
            grid: None,
            phase: None,
            phase_error: None,
            learning: Learning::default(),
            post: None,
            intervals: None,
            view_pending: None,
            requested_view: None,
            new_box: None,
            notices: vec![],
        }
    }

    /// Messages from the worker since the last call.
    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    /// Write a CSV of the current landscape on the worker, with the fit on screen and the basins
    /// found (the posterior and phase files never run a search on this thread).
    pub fn save_csv(
        &mut self,
        what: crate::core::export::What,
        n: f64,
        eps: f64,
        path: std::path::PathBuf,
        command: String,
    ) {
        match (&self.analysis, &self.fit) {
            (Some(a), Some(fit)) => {
                let csv = Box::new(super::worker::CsvJob {
                    what,
                    n,
                    eps,
                    fit: fit.clone(),
                    phase: self.phase.clone(),
                    path,
                    command,
                });
                self.worker.send(Job::Csv { version: a.version, csv });
            }
            _ => self.notices.push("nothing to export yet".into()),
        }
    }

    /// The fit on screen.
    pub fn fit(&self) -> Option<&Arc<FitReport>> {
        self.fit.as_ref()
    }

    pub fn analysis(&self) -> Option<&Arc<Analysis>> {
        self.analysis.as_ref()
    }
    pub fn grid(&self) -> Option<&Arc<KGrid>> {
        self.grid.as_ref()
    }
    pub fn phase(&self) -> Option<&Arc<PhaseData>> {
        self.phase.as_ref()
    }
    pub fn phase_error(&self) -> Option<&str> {
        self.phase_error.as_deref()
    }
    pub fn posterior(&self) -> Option<&Arc<PosteriorGrid>> {
        self.post.as_ref().map(|p| &p.2)
    }
    pub fn learning(&self) -> &Learning {
        &self.learning
    }
    pub fn status(&self) -> Status {
        let stale = self.editing.is_some() || self.analysis.as_ref().map(|a| a.version) != Some(self.version);
        Status {
            busy: self.busy(),
            stale: (stale && self.worker.busy()) || self.editing.is_some(),
            ..self.status.clone()
        }
    }
    /// The newest landscape version sent.
    pub fn version(&self) -> u64 {
        self.version
    }
    /// True when `spec` is the landscape last sent (its results are, or will be, the current ones).
    pub fn is_sent(&self, spec: &LandscapeSpec) -> bool {
        self.sent.as_ref() == Some(spec)
    }

    /// The message to show in place of the panels: no landscape has been computed, none is on its
    /// way, and the input was refused (or failed on the worker).
    pub fn failed(&self) -> Option<String> {
        if self.analysis.is_some() || self.busy() {
            return None;
        }
        self.status.error.clone().or_else(|| self.status.compute_error.clone())
    }

    /// True while jobs are in flight or an edit or a view change waits.
    pub fn busy(&self) -> bool {
        self.worker.busy() || self.editing.is_some() || self.view_pending.is_some()
    }

    /// True while the worker holds a job (a frame that ends with this true did not wait for it).
    pub fn computing(&self) -> bool {
        self.worker.busy()
    }

    /// The box of an analysis that arrived since the last call (the views return to it).
    pub fn take_new_box(&mut self) -> Option<[f64; 4]> {
        self.new_box.take()
    }

    /// Once per frame: take the worker's replies, then act on what changed in the inputs. Typing
    /// (the formula, a model's settings) is debounced; a new preset, box or prior is sent at once.
    pub fn update(&mut self, spec: LandscapeSpec, fit_window: Option<[f64; 2]>, grid_res: usize) {
        self.poll();
        if grid_res != self.grid_res {
            self.grid_res = grid_res;
            if let Some(g) = &self.grid {
                let s = g.spec;
                self.view_pending = Some(([s.x[0], s.x[1], s.y[0], s.y[1]], Instant::now() - VIEW_DEBOUNCE));
            }
        }
        if self.seen.as_ref() != Some(&spec) {
            let typed = self.seen.as_ref().is_some_and(|s| {
                let chosen = spec.preset.is_some() && spec.preset != s.preset
                    || spec.model.as_ref().map(|m| m.kind) != s.model.as_ref().map(|m| m.kind)
                    || spec.slice.as_ref().map(|l| (&l.point, l.directions))
                        != s.slice.as_ref().map(|l| (&l.point, l.directions));
                let edited = spec.formula != s.formula || spec.model != s.model || spec.slice != s.slice;
                edited && !chosen && spec.bounds == s.bounds && spec.prior == s.prior && spec.dim == s.dim
            });
            match &self.editing {
                Some((e, _)) if *e == spec => {}
                _ if typed => self.editing = Some((spec.clone(), Instant::now())),
                _ => {
                    self.editing = None;
                    self.submit(spec.clone(), fit_window);
                }
            }
        } else {
            self.editing = None;
        }
        if let Some((s, t)) = &self.editing
            && t.elapsed() >= DEBOUNCE
        {
            let s = s.clone();
            self.editing = None;
            self.submit(s, fit_window);
        }
        if fit_window != self.fit_window {
            self.fit_window = fit_window;
            self.fit_version += 1;
            self.worker.send(Job::Refit { version: self.version, fit_version: self.fit_version, fit_window });
        }
    }

    /// Validate the input on this thread (parsing is cheap: once per edit) and send it.
    fn submit(&mut self, spec: LandscapeSpec, fit_window: Option<[f64; 2]>) {
        self.seen = Some(spec.clone());
        // (a model's data are drawn on the worker: only its settings are checked here)
        match spec.validate() {
            Err(e) => self.status.error = Some(e.to_string()),
            Ok((dim, b)) => {
                self.status.error = None;
                self.status.dim = dim;
                if self.sent.as_ref() == Some(&spec) {
                    return;
                }
                self.version += 1;
                self.fit_window = fit_window;
                let view = self.view_spec([b[0][0], b[0][1], b[1][0], b[1][1]], dim);
                self.worker.send(Job::Analyze { version: self.version, spec: spec.clone(), fit_window, view });
                self.sent = Some(spec);
            }
        }
    }

    fn view_spec(&self, rect: [f64; 4], dim: usize) -> GridSpec {
        let n = self.grid_res;
        if dim == 1 {
            GridSpec { x: [rect[0], rect[1]], y: [0.0, 0.0], nx: n * 8, ny: 1 }
        } else {
            GridSpec { x: [rect[0], rect[1]], y: [rect[2], rect[3]], nx: n, ny: n }
        }
    }

    fn poll(&mut self) {
        for r in self.worker.poll() {
            match r {
                Reply::Analysis(a, grid) if a.version == self.version => {
                    let b = a.bounds;
                    let rect = [b[0][0], b[0][1], b[1][0], b[1][1]];
                    self.new_box = Some(rect);
                    self.requested_view = Some(rect);
                    self.fit = Some(Arc::new(a.estimate.fit.clone()));
                    self.law = Some(Arc::new(a.law.clone()));
                    self.status.eps_max = a.estimate.curve.eps_max;
                    self.status.dim = a.dim;
                    self.status.compute_error = None;
                    self.grid = Some(grid);
                    self.worker.send(Job::Phase { version: a.version });
                    self.phase = None;
                    self.phase_error = None;
                    self.analysis = Some(a);
                }
                Reply::Refit { version, fit_version, fit }
                    if version == self.version && fit_version == self.fit_version =>
                {
                    match fit {
                        Ok((f, law)) => {
                            self.fit = Some(f);
                            self.law = Some(law);
                            self.status.compute_error = None;
                        }
                        Err(e) => self.status.compute_error = Some(e),
                    }
                }
                Reply::Grid { version, view_version, grid }
                    if version == self.version && view_version == self.view_version =>
                {
                    self.grid = Some(grid);
                }
                Reply::Phase(p) if p.version == self.version => self.phase = Some(p),
                Reply::PhaseFailed { version, message } if version == self.version => self.phase_error = Some(message),
                Reply::Failed { version, message } if version == self.version => {
                    // keep the last good landscape on screen; say what went wrong under the formula
                    self.status.error = Some(message);
                    self.sent = None;
                }
                Reply::Sgd { version, result } => {
                    self.learning.running_sgd = false;
                    if version == self.version {
                        self.learning.sgd = Some((version, result));
                    }
                }
                Reply::Llc { version, result } => {
                    self.learning.running_llc = false;
                    if version == self.version {
                        self.learning.llc = Some((version, result));
                    }
                }
                Reply::Calibration { version, result } => {
                    self.learning.running_calibration = false;
                    if version == self.version {
                        self.learning.calibration = Some((version, result));
                    }
                }
                Reply::Saved(m) => self.notices.push(m),
                Reply::Tms(r) => {
                    self.learning.running_tms = false;
                    self.learning.tms = Some(r);
                }
                _ => {} // stale: from inputs that have changed since
            }
        }
    }

    /// SGD on the current landscape (if there is one).
    pub fn run_sgd(&mut self, opts: SgdOptions) {
        if self.analysis.is_some() {
            self.learning.running_sgd = true;
            self.worker.send(Job::Sgd { version: self.version, opts });
        }
    }

    /// The SGLD estimate of the LLC at the current landscape's minimum (if there is one).
    pub fn run_llc(&mut self, opts: LlcOptions) {
        if self.analysis.is_some() {
            self.learning.running_llc = true;
            self.worker.send(Job::Llc { version: self.version, opts });
        }
    }

    /// The TMS lab on the worker.
    pub fn run_tms(&mut self, opts: crate::core::tms_lab::TmsSgdOptions) {
        self.learning.running_tms = true;
        self.worker.send(Job::Tms { version: self.version, opts, stage: self.learning.tms_stage.clone() });
    }

    /// A calibration grid at the current landscape's minimum (if there is one).
    pub fn run_calibration(&mut self, opts: LlcOptions) {
        if self.analysis.is_some() {
            self.learning.running_calibration = true;
            self.worker.send(Job::Calibrate { version: self.version, opts });
        }
    }

    /// The frame's data from the cached results: the posterior for n on the current grid, the 1-D
    /// sublevel intervals for ε, the basin masses and impulses, the readouts.
    pub fn view(&mut self, n: f64, eps: f64, style: Style) -> Option<Arc<ViewData>> {
        let a = self.analysis.clone()?;
        let grid = self.grid.clone()?;
        let fit = self.fit.clone()?;
        let law = self.law.clone()?;
        let n = n.clamp(1.0, N_MAX);
        let eps = eps.max(1e-300);
        let kmin = a.estimate.minimum.k_min;
        let gkey = Arc::as_ptr(&grid) as usize;
        if self.post.as_ref().map(|p| (p.0, p.1)) != Some((gkey, n.to_bits())) {
            self.post = posterior(&grid, kmin, n).ok().map(|p| (gkey, n.to_bits(), Arc::new(p)));
        }
        if self.intervals.as_ref().map(|i| (i.0, i.1)) != Some((a.version, eps.to_bits())) {
            self.intervals = Some((a.version, eps.to_bits(), Arc::new(a.sublevel_intervals(eps))));
        }
        let basin_mass = self.phase.as_ref().and_then(|p| p.basins.masses(n).ok()).unwrap_or_default();
        let curve = if a.dim == 1 {
            posterior_curve(&grid, kmin, n, self.phase.as_ref().map(|p| &p.basins), a.bounds[0][1] - a.bounds[0][0])
                .ok()
                .map(Arc::new)
        } else {
            None
        };
        Some(Arc::new(ViewData {
            readouts: readouts(&a.estimate, &fit, &law, a.dim, n, eps),
            analysis: a,
            fit,
            law,
            grid,
            posterior: self.post.as_ref().map(|p| p.2.clone()),
            n,
            eps,
            style,
            intervals_1d: self.intervals.as_ref().map(|i| i.2.clone()).unwrap_or_default(),
            phase: self.phase.clone(),
            phase_error: self.phase_error.clone(),
            curve,
            basin_mass,
            learning: self.learning.clone(),
        }))
    }

    /// After drawing: a zoom or pan of the heatmaps (`shown`: the plot's rectangle) asks the worker
    /// for K on the new rectangle, once the view has settled.
    pub fn follow_view(&mut self, shown: Option<[f64; 4]>) {
        let (Some(a), Some(g), Some(b)) = (&self.analysis, &self.grid, shown) else {
            return;
        };
        let bx = a.bounds;
        // the part of the view inside the box
        let x = [b[0].max(bx[0][0]), b[1].min(bx[0][1])];
        let y = if a.dim == 2 { [b[2].max(bx[1][0]), b[3].min(bx[1][1])] } else { [0.0, 0.0] };
        if x[1] <= x[0] || (a.dim == 2 && y[1] <= y[0]) {
            return;
        }
        let want = [x[0], x[1], y[0], y[1]];
        let s = g.spec;
        let have = [s.x[0], s.x[1], s.y[0], s.y[1]];
        let w = (have[1] - have[0]).max(1e-300);
        let h = (have[3] - have[2]).max(1e-300);
        let dim = a.dim;
        let differs = |p: [f64; 4], q: [f64; 4]| {
            (p[0] - q[0]).abs() > 0.01 * w
                || (p[1] - q[1]).abs() > 0.01 * w
                || (dim == 2 && ((p[2] - q[2]).abs() > 0.01 * h || (p[3] - q[3]).abs() > 0.01 * h))
        };
        let res_changed = s.nx != self.view_spec(want, dim).nx;
        if !differs(want, have) && !res_changed {
            self.view_pending = None;
            return;
        }
        if self.requested_view.is_some_and(|r| !differs(want, r)) && !res_changed {
            return; // already asked for
        }
        match self.view_pending {
            Some((p, t)) if !differs(p, want) || res_changed => {
                if t.elapsed() >= VIEW_DEBOUNCE {
                    self.view_pending = None;
                    self.view_version += 1;
                    self.requested_view = Some(want);
                    let view = self.view_spec(want, dim);
                    self.worker.send(Job::Resample { version: self.version, view_version: self.view_version, view });
                }
            }
            _ => self.view_pending = Some((want, Instant::now())),
        }
    }
}
