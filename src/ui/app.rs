//! The eframe app: layout, the worker thread, versions, and the per-frame work (which is only what
//! the cached K grid allows: a posterior, a mask, readouts from the volume law).

use eframe::egui;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::core::fit::FitReport;
use crate::core::free_energy::{VolumeLaw, free_energy, mass_inside};
use crate::core::landscape::{Landscape, LandscapeSpec, N_MAX};
use crate::core::posterior::{GridSpec, KGrid, PosteriorGrid, posterior};
use crate::core::profile::Profile;
use crate::core::volume::{profile_1d, sublevel_intervals_1d};

use super::ViewData;
use super::controls::{Controls, Readouts};
use super::landscape::LandscapePanel;
use super::phase::PhasePanel;
use super::posterior::PosteriorPanel;
use super::render::posterior_extent;
use super::volume::VolumePanel;
use super::worker::{Analysis, Job, PhaseData, Reply, Worker};

/// How the app starts (from the command line).
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    pub spec: Option<LandscapeSpec>,
    pub n: Option<f64>,
    pub eps: Option<f64>,
    /// Restore the last session from eframe's storage (only when no command-line flags are given).
    pub restore: bool,
    /// Batch figure: take one screenshot when everything is computed, save it, close.
    pub batch: Option<BatchShot>,
    /// The right column's tab (Learn also runs SGD and the LLC once the landscape is analysed).
    pub tab: Option<RightTab>,
}

/// `lambdascope … --screenshot out.png`.
#[derive(Debug, Clone)]
pub struct BatchShot {
    pub path: std::path::PathBuf,
    /// None = the whole window; else the panel shown alone (presentation layout).
    pub panel: Option<usize>,
    pub size: Option<[u32; 2]>,
    pub font_scale: f32,
    pub dark: Option<bool>,
    /// 0 = saved; 1 = failed (set before the window closes).
    pub exit: Arc<std::sync::atomic::AtomicI32>,
}

/// Panel names for `--panel` and the 1–9 keys.
pub const PANEL_NAMES: [&str; 5] = ["landscape", "posterior", "volume", "phase", "theory"];

type Intervals = (u64, u64, Vec<(f64, f64)>);
/// Where the screenshot callback leaves the image for the next frame.
type ShotSlot = Arc<std::sync::Mutex<Option<Arc<egui::ColorImage>>>>;

const DEBOUNCE: Duration = Duration::from_millis(300);
const VIEW_DEBOUNCE: Duration = Duration::from_millis(150);

pub struct LambdaApp {
    pub controls: Controls,
    pub landscape: LandscapePanel,
    pub posterior: PosteriorPanel,
    pub volume: VolumePanel,
    worker: Worker,
    /// Version of the newest landscape sent to the worker.
    version: u64,
    view_version: u64,
    fit_version: u64,
    pub analysis: Option<Arc<Analysis>>,
    fit: Option<Arc<FitReport>>,
    law: Option<Arc<VolumeLaw>>,
    pub grid: Option<Arc<KGrid>>,
    post: Option<(usize, u64, Arc<PosteriorGrid>)>,
    ui_land: Option<(u64, Landscape, Option<Profile>)>,
    /// (analysis version, ε bits, intervals) of the 1-D sublevel set
    intervals: Option<Intervals>,
    edit_at: Option<Instant>,
    view_pending: Option<([f64; 4], Instant)>,
    requested_view: Option<[f64; 4]>,
    grid_res: usize,
    dark: Option<Option<bool>>,
    /// The spec of the last landscape sent (to detect changes).
    sent: Option<LandscapeSpec>,
    pub phase: Option<Arc<PhaseData>>,
    phase_error: Option<String>,
    pub phase_panel: PhasePanel,
    pub theory_panel: super::theory::TheoryPanel,
    /// Which panel the right column shows.
    pub right_tab: RightTab,
    /// The "10,000 / 10,500 / 11,000" comparison window.
    pub compare: Option<[f64; 3]>,
    /// A message for the user (saved files, errors of export or sessions), with its time.
    pub notice: Option<(String, Instant)>,
    /// Where the panels were drawn last frame (for cropping screenshots): landscape, posterior, right.
    rects: [Option<egui::Rect>; 3],
    /// A screenshot on its way: (target 0 window / 1 landscape / 2 posterior / 3 right, path).
    shot_pending: Option<(usize, std::path::PathBuf, ShotSlot)>,
    batch: Option<BatchShot>,
    batch_settled: u32,
    batch_started: Instant,
    /// The persisted session could not be read: do not overwrite it.
    persist_disabled: bool,
    zoom: f32,
    /// The guided tour's current step, when open.
    pub tour: Option<usize>,
    /// n-sweep frames being written: (folder, next frame, frames, log10 n from, to, stage).
    pub sweep: Option<SweepFrames>,
    /// How many frames an n sweep writes.
    pub sweep_frames: usize,
    /// Compare mode: the second landscape's worker, version, results and panels.
    worker_b: Option<Worker>,
    version_b: u64,
    sent_b: Option<String>,
    pub analysis_b: Option<Arc<Analysis>>,
    pub grid_b: Option<Arc<KGrid>>,
    post_b: Option<(usize, u64, Arc<PosteriorGrid>)>,
    pub landscape_b: LandscapePanel,
    pub posterior_b: PosteriorPanel,
    /// SGD, SGLD and the LLC.
    pub learn: super::learn::LearnPanel,
    /// The model whose SGD preset the learning panel holds.
    learn_model: Option<crate::core::model::ModelKind>,
    /// Run SGD and the LLC once an analysis newer than this version arrives (`--tab learn`, the tour).
    auto_learn: Option<u64>,
}

/// The state of an n-sweep export: one frame is set, drawn, captured, saved, then the next.
#[derive(Debug, Clone)]
pub struct SweepFrames {
    pub dir: std::path::PathBuf,
    pub k: usize,
    pub frames: usize,
    pub t0: f64,
    pub t1: f64,
    /// 0: set n; 1: request the shot (n drawn); 2: waiting for the image
    pub stage: u8,
}

pub const SWEEP_FRAMES: usize = 48;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RightTab {
    Volume,
    Phase,
    Theory,
    Learn,
}

impl RightTab {
    pub fn parse(s: &str) -> Option<RightTab> {
        match s.trim().to_ascii_lowercase().as_str() {
            "volume" => Some(RightTab::Volume),
            "phase" => Some(RightTab::Phase),
            "theory" => Some(RightTab::Theory),
            "learn" | "learning" => Some(RightTab::Learn),
            _ => None,
        }
    }
}

/// The three n of the dialogue's jump.
pub const COMPARE_N: [f64; 3] = [1e4, 1.05e4, 1.1e4];

impl LambdaApp {
    /// The app, restoring the last session from `storage` when `start.restore` says so.
    pub fn with_storage(ctx: &egui::Context, start: StartOptions, storage: Option<&dyn eframe::Storage>) -> LambdaApp {
        let saved = if start.restore && start.batch.is_none() {
            storage.and_then(|s| s.get_string(super::session::STORAGE_KEY))
        } else {
            None
        };
        let mut app = LambdaApp::new(ctx, start);
        if let Some(text) = saved {
            match super::session::Session::parse(&text) {
                Ok(sess) => {
                    app.apply_session(&sess);
                }
                Err(e) => {
                    app.persist_disabled = true;
                    app.notice = Some((
                        format!(
                            "The saved session could not be read ({e}); starting from the defaults. It will not be overwritten."
                        ),
                        Instant::now(),
                    ));
                }
            }
        }
        app
    }

    pub fn session(&self) -> super::session::Session {
        let tab = match self.right_tab {
            RightTab::Volume => "volume",
            RightTab::Phase => "phase",
            RightTab::Theory => "theory",
            RightTab::Learn => "learn",
        };
        super::session::Session::from_controls(&self.controls, tab)
    }

    pub fn apply_session(&mut self, s: &super::session::Session) {
        s.apply(&mut self.controls);
        self.right_tab = match s.right_tab.as_str() {
            "phase" => RightTab::Phase,
            "theory" => RightTab::Theory,
            "learn" => RightTab::Learn,
            _ => RightTab::Volume,
        };
        self.sent = None;
    }

    /// Save every setting to a JSON file.
    pub fn save_session_to(&mut self, path: &std::path::Path) -> Result<(), String> {
        std::fs::write(path, self.session().to_json()).map_err(|e| format!("could not write {}: {e}", path.display()))
    }

    /// Load settings from a JSON file; the file is only read. On error the state is unchanged.
    pub fn load_session_from(&mut self, path: &std::path::Path) -> Result<(), String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("could not read {}: {e}", path.display()))?;
        let s = super::session::Session::parse(&text)?;
        self.apply_session(&s);
        Ok(())
    }

    pub fn new(ctx: &egui::Context, start: StartOptions) -> LambdaApp {
        let mut controls = Controls::default();
        if let Some(spec) = &start.spec {
            match (&spec.model, &spec.preset) {
                (Some(m), _) => {
                    controls.choose_model(m.info().id);
                    controls.n = m.n as f64;
                    controls.model = Some(m.clone());
                }
                (None, Some(id)) => controls.choose_preset(id),
                (None, None) => {
                    controls.preset = None;
                    controls.formula = spec.formula.clone();
                }
            }
            if let Some(b) = spec.bounds {
                controls.bounds = b;
            }
            if spec.dim == Some(2) && spec.model.is_none() {
                controls.force_2d = true;
            }
            if let crate::core::landscape::Prior::Gaussian { sigma } = spec.prior {
                controls.gaussian = true;
                controls.sigma = sigma;
            }
        }
        if let Some(n) = start.n {
            controls.n = n.clamp(1.0, N_MAX);
        }
        if let Some(e) = start.eps {
            controls.eps = e.max(1e-12);
        }
        let mut app = LambdaApp {
            controls,
            landscape: LandscapePanel::default(),
            posterior: PosteriorPanel::default(),
            volume: VolumePanel::default(),
            worker: Worker::spawn(ctx.clone()),
            version: 0,
            view_version: 0,
            fit_version: 0,
            analysis: None,
            fit: None,
            law: None,
            grid: None,
            post: None,
            ui_land: None,
            intervals: None,
            edit_at: None,
            view_pending: None,
            requested_view: None,
            grid_res: 256,
            dark: None,
            sent: None,
            phase: None,
            phase_error: None,
            phase_panel: PhasePanel::default(),
            theory_panel: super::theory::TheoryPanel::default(),
            right_tab: RightTab::Volume,
            compare: None,
            notice: None,
            rects: [None; 3],
            shot_pending: None,
            batch: start.batch.clone(),
            batch_settled: 0,
            batch_started: Instant::now(),
            persist_disabled: false,
            zoom: 1.0,
            tour: None,
            sweep: None,
            sweep_frames: SWEEP_FRAMES,
            worker_b: None,
            version_b: 0,
            sent_b: None,
            analysis_b: None,
            grid_b: None,
            post_b: None,
            landscape_b: LandscapePanel::with_salt("-b"),
            posterior_b: PosteriorPanel::with_salt("-b"),
            learn: Default::default(),
            learn_model: None,
            auto_learn: None,
        };
        if let Some(b) = &start.batch {
            app.controls.font_scale = b.font_scale.clamp(1.0, 3.0);
            app.controls.dark = b.dark;
            if let Some(p) = b.panel {
                app.controls.presentation = true;
                app.controls.big_panel = p;
            }
        }
        if let Some(t) = start.tab {
            app.right_tab = t;
            app.auto_learn = (t == RightTab::Learn).then_some(0);
        }
        app.submit_landscape();
        app
    }

    /// True while the worker has jobs in flight (tests wait on this).
    /// Where the landscape panel was drawn last frame.
    pub fn landscape_rect(&self) -> Option<egui::Rect> {
        self.rects[0]
    }

    pub fn busy(&self) -> bool {
        self.worker.busy()
            || self.edit_at.is_some()
            || self.view_pending.is_some()
            || self.worker_b.as_ref().is_some_and(|w| w.busy())
    }

    /// Compare mode: keep the second landscape's analysis current and build its view data.
    fn compare_data(&mut self, ctx: &egui::Context, n: f64, eps: f64) -> Option<Arc<ViewData>> {
        if !self.controls.compare_mode {
            return None;
        }
        if self.worker_b.is_none() {
            self.worker_b = Some(Worker::spawn(ctx.clone()));
        }
        // the second landscape: a preset, or the population K of the model on the left (L_n beside K)
        let spec = match (&self.controls.model, self.controls.compare_preset.as_str()) {
            (Some(_), super::controls::COMPARE_POPULATION) => {
                let mut s = self.controls.spec();
                if let Some(m) = s.model.as_mut() {
                    m.population = true;
                }
                s
            }
            (_, id) => LandscapeSpec::preset(id),
        };
        let key = serde_json::to_string(&spec).unwrap_or_default();
        if self.sent_b.as_deref() != Some(key.as_str()) {
            // (validated only: a model's data are drawn on the worker)
            if let Ok((dim, b)) = spec.validate() {
                self.version_b += 1;
                let view = self.view_spec([b[0][0], b[0][1], b[1][0], b[1][1]], dim);
                if let Some(w) = &self.worker_b {
                    w.send(Job::Analyze { version: self.version_b, spec, fit_window: None, view });
                }
            }
            self.sent_b = Some(key);
        }
        if let Some(w) = &self.worker_b {
            for r in w.poll() {
                if let Reply::Analysis(a, g, v) = r
                    && v == self.version_b
                {
                    self.analysis_b = Some(a);
                    self.grid_b = Some(g);
                }
            }
        }
        let a = self.analysis_b.clone()?;
        let grid = self.grid_b.clone()?;
        let kmin = a.estimate.minimum.k_min;
        let gkey = Arc::as_ptr(&grid) as usize;
        if self.post_b.as_ref().map(|p| (p.0, p.1)) != Some((gkey, n.to_bits())) {
            self.post_b = posterior(&grid, kmin, n).ok().map(|p| (gkey, n.to_bits(), Arc::new(p)));
        }
        let fit = Arc::new(a.estimate.fit.clone());
        let intervals_1d = if a.dim == 1 {
            Landscape::from_spec(&a.spec)
                .ok()
                .map(|l| sublevel_intervals_1d(&l, &profile_1d(&l, &a.estimate.minimum), kmin, eps))
                .unwrap_or_default()
        } else {
            vec![]
        };
        Some(Arc::new(ViewData {
            analysis: a,
            fit,
            grid,
            posterior: self.post_b.as_ref().map(|p| p.2.clone()),
            n,
            eps,
            log_colour: self.controls.log_colour,
            log_posterior: self.controls.log_posterior,
            colormap: self.controls.colormap.clone(),
            intervals_1d,
            phase: None,
            phase_error: None,
            impulses: vec![],
            basin_mass: vec![],
            lambda_f: None,
            lambda_eff: None,
        }))
    }

    fn view_spec(&self, rect: [f64; 4], dim: usize) -> GridSpec {
        let n = self.controls.grid;
        if dim == 1 {
            GridSpec { x: [rect[0], rect[1]], y: [0.0, 0.0], nx: n * 8, ny: 1 }
        } else {
            GridSpec { x: [rect[0], rect[1]], y: [rect[2], rect[3]], nx: n, ny: n }
        }
    }

    /// Validate the controls' landscape on this thread (parsing is cheap) and send it to the worker.
    fn submit_landscape(&mut self) {
        let spec = self.controls.spec();
        // (a model's data are drawn on the worker: only its settings are checked here)
        match spec.validate() {
            Err(e) => {
                self.controls.formula_error = Some(e.to_string());
            }
            Ok((dim, b)) => {
                self.controls.formula_error = None;
                self.controls.dim = dim;
                if self.sent.as_ref() == Some(&spec) {
                    return;
                }
                self.version += 1;
                let view = self.view_spec([b[0][0], b[0][1], b[1][0], b[1][1]], dim);
                self.worker.send(Job::Analyze {
                    version: self.version,
                    spec: spec.clone(),
                    fit_window: self.controls.fit_window,
                    view,
                });
                self.sent = Some(spec);
            }
        }
    }

    fn poll(&mut self) {
        for r in self.worker.poll() {
            match r {
                Reply::Analysis(a, grid, v) if v == self.version => {
                    let b = a.bounds;
                    let rect = [b[0][0], b[0][1], b[1][0], b[1][1]];
                    self.landscape.force_bounds = Some(rect);
                    self.posterior.force_bounds = Some(rect);
                    self.requested_view = Some(rect);
                    self.fit = Some(Arc::new(a.estimate.fit.clone()));
                    self.law = Some(Arc::new(a.law.clone()));
                    self.controls.eps_max = a.estimate.curve.eps_max;
                    self.controls.dim = a.dim;
                    if !self.controls.link {
                        self.controls.eps = self.controls.eps.clamp(1e-12, a.estimate.curve.eps_max);
                    }
                    self.controls.readouts.compute_error = None;
                    self.grid = Some(grid);
                    let group = a.spec.preset.as_deref().and_then(crate::core::presets::find).map(|p| p.group);
                    // (only from the default tab: a tab the user or --tab chose stays)
                    if group == Some(crate::core::presets::Group::PhaseTransitions)
                        && self.right_tab == RightTab::Volume
                    {
                        self.right_tab = RightTab::Phase;
                    }
                    self.worker.send(Job::Phase { version: a.version });
                    self.phase = None;
                    self.phase_error = None;
                    self.analysis = Some(a);
                    self.volume.window = None;
                }
                Reply::Refit { version, fit_version, fit, law }
                    if version == self.version && fit_version == self.fit_version =>
                {
                    match fit {
                        Ok(f) => {
                            self.fit = Some(Arc::new(*f));
                            self.law = law.map(Arc::new).or(self.law.take());
                            self.controls.readouts.compute_error = None;
                        }
                        Err(e) => self.controls.readouts.compute_error = Some(e),
                    }
                }
                Reply::Grid { version, view_version, grid }
                    if version == self.version && view_version == self.view_version =>
                {
                    self.grid = Some(grid);
                }
                Reply::Phase(p) if p.version == self.version => {
                    self.phase = Some(p);
                }
                Reply::PhaseFailed { version, message } if version == self.version => {
                    self.phase_error = Some(message);
                }
                Reply::Failed { version, message } if version == self.version => {
                    // keep the last good landscape on screen; say what went wrong under the formula
                    self.controls.formula_error = Some(message);
                    self.sent = None;
                }
                Reply::Sgd { version, result } => {
                    self.learn.running_sgd = false;
                    if version == self.version {
                        self.learn.sgd_result = Some((version, result));
                    }
                }
                Reply::Llc { version, result } => {
                    self.learn.running_llc = false;
                    if version == self.version {
                        self.learn.llc_result = Some((version, result));
                    }
                }
                _ => {} // stale: from inputs that have changed since
            }
        }
    }

    /// The learning panel's context, its requests, and a click on the landscape.
    fn learn_inputs(&mut self) {
        let kind = self.controls.model.as_ref().map(|m| m.kind);
        if kind != self.learn_model {
            // a model brings its SGD run (start, learning rate, batch, steps) as part of its preset
            if let Some(k) = kind {
                let p = crate::core::model::info(k).sgd;
                self.learn.sgd.start = p.start;
                self.learn.sgd.lr = p.lr;
                self.learn.sgd.batch = p.batch;
                self.learn.sgd.steps = p.steps;
            }
            self.learn_model = kind;
        }
        if let Some(a) = &self.analysis {
            let model = a.spec.model.as_ref();
            let exact = match model {
                Some(m) => {
                    let (l, mm, why) = crate::core::model::population_lambda(m);
                    Some((l, mm, format!("population K: {why}")))
                }
                None => a
                    .estimate
                    .theory
                    .as_ref()
                    .filter(|t| t.status == "exact")
                    .map(|t| (t.lambda, t.m, format!("from {}", t.source))),
            };
            self.learn.ctx = super::learn::LearnContext {
                version: a.version,
                n: match model {
                    Some(m) => m.n as f64,
                    None => self.controls.n.clamp(3.0, N_MAX),
                },
                model: model.is_some_and(|m| !m.population),
                volume_lambda: self.fit.as_ref().map(|f| (f.best.lambda, f.lambda_ci)),
                exact,
                bounds: a.bounds,
                dim: a.dim,
            };
        }
        if let Some(v) = self.auto_learn
            && self.analysis.as_ref().is_some_and(|a| a.version > v && a.version == self.version)
        {
            self.auto_learn = None;
            self.learn.request_sgd = true;
            self.learn.request_llc = true;
        }
        if std::mem::take(&mut self.learn.request_sgd) && self.analysis.is_some() {
            self.learn.running_sgd = true;
            self.worker.send(Job::Sgd { version: self.version, opts: self.learn.sgd_options() });
        }
        if std::mem::take(&mut self.learn.request_llc) && self.analysis.is_some() {
            self.learn.running_llc = true;
            self.worker.send(Job::Llc { version: self.version, opts: self.learn.llc_options() });
        }
        if let Some(p) = self.landscape.clicked.take()
            && self.learn.pick_start
            && self.right_tab == RightTab::Learn
        {
            self.learn.sgd.start = p;
        }
        let overlay = (self.right_tab == RightTab::Learn).then(|| Arc::new(self.learn.overlay()));
        self.landscape.overlay = overlay.clone();
        self.posterior.overlay = overlay;
    }

    fn handle_inputs(&mut self) {
        self.learn_inputs();
        let c = &mut self.controls;
        if c.formula_edited {
            c.formula_edited = false;
            self.edit_at = Some(Instant::now());
        }
        if c.landscape_changed {
            c.landscape_changed = false;
            self.edit_at = None;
            self.submit_landscape();
        }
        if let Some(t) = self.edit_at
            && t.elapsed() >= DEBOUNCE
        {
            self.edit_at = None;
            self.submit_landscape();
        }
        let c = &mut self.controls;
        if c.fit_window_changed || self.volume.window_changed {
            if self.volume.window_changed {
                c.fit_window = self.volume.window;
            }
            c.fit_window_changed = false;
            self.volume.window_changed = false;
            self.fit_version += 1;
            self.worker.send(Job::Refit {
                version: self.version,
                fit_version: self.fit_version,
                fit_window: c.fit_window,
            });
        }
        if self.grid_res != self.controls.grid {
            self.grid_res = self.controls.grid;
            if let (Some(g), Some(a)) = (&self.grid, &self.analysis) {
                let s = g.spec;
                self.view_pending = Some(([s.x[0], s.x[1], s.y[0], s.y[1]], Instant::now() - VIEW_DEBOUNCE));
                let _ = a;
            }
        }
    }

    /// Per-frame work from cached data: the posterior for the current n on the current grid, the
    /// 1-D sublevel intervals for the current ε, the readouts. Everything is a core function.
    fn derive(&mut self) -> Option<Arc<ViewData>> {
        let a = self.analysis.clone()?;
        let grid = self.grid.clone()?;
        let fit = self.fit.clone()?;
        let law = self.law.clone()?;
        let n = self.controls.n.clamp(1.0, N_MAX);
        let eps = self.controls.eps.max(1e-300);
        let kmin = a.estimate.minimum.k_min;
        let gkey = Arc::as_ptr(&grid) as usize;
        if self.post.as_ref().map(|p| (p.0, p.1)) != Some((gkey, n.to_bits())) {
            self.post = posterior(&grid, kmin, n).ok().map(|p| (gkey, n.to_bits(), Arc::new(p)));
        }
        if a.dim == 1 {
            if self.ui_land.as_ref().map(|l| l.0) != Some(a.version) {
                self.ui_land = Landscape::from_spec(&a.spec).ok().map(|l| {
                    let p = profile_1d(&l, &a.estimate.minimum);
                    (a.version, l, Some(p))
                });
            }
            if self.intervals.as_ref().map(|i| (i.0, i.1)) != Some((a.version, eps.to_bits())) {
                let iv = match &self.ui_land {
                    Some((_, l, Some(p))) => sublevel_intervals_1d(l, p, kmin, eps),
                    _ => vec![],
                };
                self.intervals = Some((a.version, eps.to_bits(), iv));
            }
        }
        // readouts
        let est = &a.estimate;
        let curve = &est.curve;
        let ln_v = law.ln_v(eps.ln());
        let r = Readouts {
            k_min: Some(kmin),
            argmin: est.minimum.argmin.first().map(|p| p[..a.dim].to_vec()),
            v_eps: Some((ln_v.exp(), eps < curve.eps_min)),
            lambda: Some((fit.best.lambda, fit.lambda_ci, fit.best.m, fit.m_source)),
            lambda_naive: Some(fit.lambda_naive),
            exact: est.theory.as_ref().map(|t| (t.lambda, t.m, format!("{}, {}", t.source, t.status))),
            regular: Some(a.dim as f64 / 2.0),
            mass_inside: mass_inside(&law, n, eps).ok(),
            free_energy: free_energy(&law, kmin, n).ok().map(|f| (f.f, f.lambda_f, f.extrapolated)),
            decades: Some(curve.decades),
            fit_window: Some(fit.best.window),
            warnings: est.warnings.clone(),
            compute_error: self.controls.readouts.compute_error.clone(),
        };
        self.controls.readouts = r;
        let basin_mass = self.phase.as_ref().and_then(|p| p.basins.masses(n).ok()).unwrap_or_default();
        let mut impulses = vec![];
        if let (Some(p), 1) = (&self.phase, a.dim) {
            // a basin whose posterior is narrower than ~3 cells of the view: its width at n is about
            // the length of its sublevel set at ε = 1/n (V_i / prior density, from its volume law)
            let cell = grid.spec.cell_size()[0];
            let [lo, hi] = a.bounds[0];
            for (i, b) in p.basins.basins.iter().enumerate() {
                let v = b.law.ln_v((1.0 / n).ln()).exp();
                let width = v * (hi - lo);
                let inside = b.argmin[0] >= grid.spec.x[0] && b.argmin[0] <= grid.spec.x[1];
                if width < 3.0 * cell && inside {
                    impulses.push((b.argmin[0], basin_mass.get(i).copied().unwrap_or(0.0), i));
                }
            }
        }
        let fe_now = free_energy(&law, kmin, n).ok();
        Some(Arc::new(ViewData {
            analysis: a,
            fit,
            grid,
            posterior: self.post.as_ref().map(|p| p.2.clone()),
            n,
            eps,
            log_colour: self.controls.log_colour,
            log_posterior: self.controls.log_posterior,
            colormap: self.controls.colormap.clone(),
            intervals_1d: self.intervals.as_ref().map(|i| i.2.clone()).unwrap_or_default(),
            phase: self.phase.clone(),
            phase_error: self.phase_error.clone(),
            impulses,
            basin_mass,
            lambda_f: fe_now.map(|f| f.lambda_f),
            lambda_eff: fe_now.map(|f| f.lambda_eff),
        }))
    }

    /// After drawing: a zoom or pan of the heatmaps asks the worker for K on the new rectangle.
    fn follow_view(&mut self) {
        let (Some(a), Some(g)) = (&self.analysis, &self.grid) else {
            return;
        };
        let Some(b) = self.landscape.bounds.or(self.posterior.bounds) else {
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
        let differs = |p: [f64; 4], q: [f64; 4]| {
            (p[0] - q[0]).abs() > 0.01 * w
                || (p[1] - q[1]).abs() > 0.01 * w
                || (a.dim == 2 && ((p[2] - q[2]).abs() > 0.01 * h || (p[3] - q[3]).abs() > 0.01 * h))
        };
        let res_changed = s.nx != self.view_spec(want, a.dim).nx;

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
                    let view = self.view_spec(want, a.dim);
                    self.worker.send(Job::Resample { version: self.version, view_version: self.view_version, view });
                }
            }
            _ => self.view_pending = Some((want, Instant::now())),
        }
    }

    /// The whole UI (shared by the window and the tests).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        if self.batch.is_some() {
            // a figure must not carry a hover label from wherever the pointer happens to be
            ui.ctx().input_mut(|i| i.pointer = Default::default());
        }
        self.poll();
        self.handle_inputs();
        if self.dark != Some(self.controls.dark) {
            self.dark = Some(self.controls.dark);
            ui.ctx().set_theme(match self.controls.dark {
                None => egui::ThemePreference::System,
                Some(true) => egui::ThemePreference::Dark,
                Some(false) => egui::ThemePreference::Light,
            });
        }
        if std::mem::take(&mut self.controls.fit_view)
            && let Some((_, _, p)) = &self.post
            && let Some(e) = posterior_extent(p, 15.0)
        {
            self.landscape.force_bounds = Some(e);
            self.posterior.force_bounds = Some(e);
        }
        let data = self.derive();
        self.controls.busy = self.worker.busy() || self.edit_at.is_some();
        self.landscape.data = data.clone();
        self.posterior.data = data.clone();
        self.volume.data = data.clone();
        self.phase_panel.data = data.clone();
        self.theory_panel.data = data;
        // the play button: n sweeps up on a log scale, `speed` decades per second
        if self.controls.playing {
            let dt = ui.input(|i| i.stable_dt).min(0.1) as f64;
            let n = self.controls.n * 10f64.powf(self.controls.speed * dt);
            if n >= N_MAX {
                self.controls.n = N_MAX;
                self.controls.playing = false;
            } else {
                self.controls.n = n;
            }
            ui.ctx().request_repaint();
        }
        if std::mem::take(&mut self.controls.open_compare) {
            self.compare = Some(COMPARE_N);
        }

        self.lecture_keys(ui);
        if (self.controls.font_scale - self.zoom).abs() > 1e-3 {
            self.zoom = self.controls.font_scale;
            ui.ctx().set_zoom_factor(self.zoom);
        }
        let data_b =
            self.compare_data(&ui.ctx().clone(), self.controls.n.clamp(1.0, N_MAX), self.controls.eps.max(1e-300));
        if self.controls.presentation {
            self.presentation_ui(ui);
        } else if self.controls.compare_mode {
            egui::Panel::left("controls")
                .default_size(340.0)
                .max_size((ui.available_width() * 0.4).max(200.0))
                .resizable(true)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| self.controls.ui(ui));
                });
            let data_a = self.landscape.data.clone();
            self.landscape_b.data = data_b.clone();
            self.posterior_b.data = data_b.clone();
            egui::CentralPanel::default().show(ui, |ui| {
                let avail = ui.available_size();
                let gap = ui.spacing().item_spacing;
                let col_w = ((avail.x - gap.x) * 0.5).max(200.0);
                let row_h = ((avail.y - 3.0 * gap.y) * 0.36).max(140.0);
                ui.horizontal_top(|ui| {
                    for (side, l, p) in [
                        (0, &mut self.landscape, &mut self.posterior),
                        (1, &mut self.landscape_b, &mut self.posterior_b),
                    ] {
                        ui.vertical(|ui| {
                            ui.set_width(col_w);
                            let d = if side == 0 { &data_a } else { &data_b };
                            match d {
                                Some(d) => {
                                    ui.label(
                                        egui::RichText::new(format!(
                                            "{}: fitted λ = {:.4}, d/2 = {}",
                                            d.analysis.spec.label(),
                                            d.fit.best.lambda,
                                            d.analysis.dim as f64 / 2.0
                                        ))
                                        .strong(),
                                    );
                                }
                                None => {
                                    ui.spinner();
                                }
                            }
                            ui.allocate_ui(egui::vec2(col_w, row_h), |ui| {
                                ui.set_min_size(egui::vec2(col_w, row_h));
                                l.ui(ui);
                            });
                            ui.allocate_ui(egui::vec2(col_w, row_h), |ui| {
                                ui.set_min_size(egui::vec2(col_w, row_h));
                                p.ui(ui);
                            });
                        });
                    }
                });
                if let (Some(a), Some(b)) = (&data_a, &data_b) {
                    super::volume::compare_plot(ui, a, b);
                }
            });
        } else {
            egui::Panel::left("controls")
                .default_size(340.0)
                .max_size((ui.available_width() * 0.4).max(200.0))
                .resizable(true)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| self.controls.ui(ui));
                });
            egui::CentralPanel::default().show(ui, |ui| {
                let avail = ui.available_size();
                let gap = ui.spacing().item_spacing;
                // (no minimum widths that could add up to more than the space: at a large font
                // scale the columns shrink rather than push the right one off the window)
                let left_w = ((avail.x - gap.x) * 0.55).max(1.0);
                let right_w = (avail.x - gap.x - left_w).max(1.0);
                let half_h = ((avail.y - gap.y) * 0.5).max(100.0);
                ui.horizontal_top(|ui| {
                    ui.vertical(|ui| {
                        let r = ui.allocate_ui(egui::vec2(left_w, half_h), |ui| {
                            ui.set_min_size(egui::vec2(left_w, half_h));
                            self.landscape.ui(ui);
                        });
                        self.rects[0] = Some(r.response.rect);
                        let r = ui.allocate_ui(egui::vec2(left_w, half_h), |ui| {
                            ui.set_min_size(egui::vec2(left_w, half_h));
                            self.posterior.ui(ui);
                        });
                        self.rects[1] = Some(r.response.rect);
                    });
                    let r = ui.allocate_ui(egui::vec2(right_w, avail.y), |ui| {
                        ui.set_min_size(egui::vec2(right_w, avail.y));
                        ui.vertical(|ui| {
                            // (wrapping: at a large font scale the tabs must not widen the column)
                            ui.horizontal_wrapped(|ui| {
                                ui.selectable_value(&mut self.right_tab, RightTab::Volume, "Volume law")
                                    .on_hover_text("V(ε) on log–log axes, its fit and the local slope");
                                ui.selectable_value(&mut self.right_tab, RightTab::Phase, "Phase transitions")
                                    .on_hover_text("Posterior mass per basin against n, and the free energies");
                                ui.selectable_value(&mut self.right_tab, RightTab::Theory, "Theory").on_hover_text(
                                    "Exact λ from the Newton polygon, the Hessian, and the comparison with the measurements",
                                );
                                ui.selectable_value(&mut self.right_tab, RightTab::Learn, "Learning").on_hover_text(
                                    "SGD from a start point, SGLD chains and the local learning coefficient",
                                );
                            });
                            match self.right_tab {
                                RightTab::Volume => self.volume.ui(ui),
                                RightTab::Phase => self.phase_panel.ui(ui),
                                RightTab::Theory => self.theory_panel.ui(ui),
                                RightTab::Learn => self.learn.ui(ui),
                            }
                        });
                    });
                    self.rects[2] = Some(r.response.rect);
                });
            });
        }
        self.notices(ui);
        self.tour_window(ui);
        self.exports(ui);
        self.compare_window(ui);
        self.follow_view();
        if self.busy() {
            ui.ctx().request_repaint_after(Duration::from_millis(50));
        }
    }
}

impl LambdaApp {
    /// Three posteriors side by side (the dialogue's 10,000 / 10,500 / 11,000), each from the cached
    /// K grid and, for basins narrower than a pixel, the core's basin masses.
    fn compare_window(&mut self, ui: &mut egui::Ui) {
        let Some(ns) = self.compare else { return };
        let (Some(a), Some(grid)) = (self.analysis.clone(), self.grid.clone()) else { return };
        let kmin = a.estimate.minimum.k_min;
        let mut open = true;
        egui::Window::new("Posterior at three n").open(&mut open).default_size([900.0, 320.0]).show(ui.ctx(), |ui| {
            ui.columns(3, |cols| {
                for (c, &n) in cols.iter_mut().zip(ns.iter()) {
                    c.label(egui::RichText::new(format!("n = {}", super::plot_util::sci(n))).strong());
                    let masses = self.phase.as_ref().and_then(|p| p.basins.masses(n).ok());
                    if let Some(m) = &masses {
                        let txt: Vec<String> =
                            m.iter().enumerate().map(|(i, v)| format!("basin {i}: {v:.3}")).collect();
                        c.label(txt.join("   "));
                    }
                    let Ok(p) = posterior(&grid, kmin, n) else { continue };
                    super::posterior::small_posterior_plot(c, &p, a.dim, n, masses.as_deref(), self.phase.as_deref());
                }
            });
        });
        if !open {
            self.compare = None;
        }
    }
}

impl eframe::App for LambdaApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn persist_egui_memory(&self) -> bool {
        self.batch.is_none()
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        // never in batch mode, never over a session that could not be read
        if self.batch.is_none() && !self.persist_disabled {
            storage.set_string(super::session::STORAGE_KEY, self.session().to_json());
        }
    }
}

/// The keyboard shortcuts (listed by `?`).
pub const SHORTCUTS: [(&str, &str); 8] = [
    ("Left / Right", "n ÷ 1.1 / n × 1.1"),
    ("[ / ]", "ε ÷ 10^¼ / ε × 10^¼"),
    ("Space", "play / pause the n sweep"),
    ("S", "save a PNG of the chosen target"),
    ("F", "presentation layout on / off"),
    ("1 … 5", "choose a panel: landscape, posterior, volume law, phase transitions, theory"),
    ("?", "this list"),
    ("Esc", "leave presentation, close this list"),
];

impl LambdaApp {
    /// Keyboard shortcuts; inactive while a text field has focus.
    fn lecture_keys(&mut self, ui: &mut egui::Ui) {
        if ui.ctx().egui_wants_keyboard_input() {
            return;
        }
        let c = &mut self.controls;
        let pressed = |k: egui::Key| ui.input(|i| i.key_pressed(k));
        if pressed(egui::Key::ArrowRight) {
            c.n = (c.n * 1.1).min(N_MAX);
        }
        if pressed(egui::Key::ArrowLeft) {
            c.n = (c.n / 1.1).max(1.0);
        }
        let q = 10f64.powf(0.25);
        if pressed(egui::Key::CloseBracket) {
            c.eps = (c.eps * q).min(c.eps_max.max(1e-11));
        }
        if pressed(egui::Key::OpenBracket) {
            c.eps = (c.eps / q).max(1e-12);
        }
        if pressed(egui::Key::Space) {
            if !c.playing && c.n >= N_MAX {
                c.n = 1.0;
            }
            c.playing = !c.playing;
        }
        if pressed(egui::Key::S) {
            c.request_png = true;
        }
        if pressed(egui::Key::F) {
            c.presentation = !c.presentation;
        }
        if pressed(egui::Key::Questionmark)
            || ui.input(|i| i.events.iter().any(|e| matches!(e, egui::Event::Text(t) if t == "?")))
        {
            c.show_help = !c.show_help;
        }
        if pressed(egui::Key::Escape) {
            c.presentation = false;
            c.show_help = false;
        }
        for (k, i) in [
            (egui::Key::Num1, 0),
            (egui::Key::Num2, 1),
            (egui::Key::Num3, 2),
            (egui::Key::Num4, 3),
            (egui::Key::Num5, 4),
        ] {
            if pressed(k) {
                c.big_panel = i;
                self.right_tab = match i {
                    3 => RightTab::Phase,
                    4 => RightTab::Theory,
                    _ => RightTab::Volume,
                };
            }
        }
    }

    /// One panel large, big readouts, no side panel.
    fn presentation_ui(&mut self, ui: &mut egui::Ui) {
        let r = self.controls.readouts.clone();
        egui::Panel::top("big-readouts").show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                let big = |t: String| egui::RichText::new(t).size(26.0).strong();
                ui.label(big(format!("n = {}", super::plot_util::sci(self.controls.n))));
                ui.label(big(format!("ε = {}", super::plot_util::sci(self.controls.eps))));
                if let Some((l, _, m, _)) = r.lambda {
                    ui.label(big(format!("fitted λ = {l:.3} (m = {m})")));
                }
                if let Some((l, m, _)) = &r.exact {
                    ui.label(big(format!("exact λ = {l:.3} (m = {m})")));
                }
                if let Some((p, _)) = r.mass_inside {
                    ui.label(big(format!("P(K − K* < ε) = {p:.3}")));
                }
                ui.label(egui::RichText::new("F: leave · 1–5: panel · ?: keys").weak());
            });
        });
        egui::CentralPanel::default().show(ui, |ui| {
            let rect = ui.available_rect_before_wrap();
            match self.controls.big_panel {
                0 => self.landscape.ui(ui),
                1 => self.posterior.ui(ui),
                3 => self.phase_panel.ui(ui),
                4 => self.theory_panel.ui(ui),
                _ => self.volume.ui(ui),
            }
            // in presentation the one panel is every target
            self.rects = [Some(rect); 3];
        });
    }

    fn notices(&mut self, ui: &mut egui::Ui) {
        if let Some((msg, t)) = &self.notice {
            if t.elapsed() < Duration::from_secs(8) {
                egui::Area::new(egui::Id::unique("notice")).anchor(egui::Align2::CENTER_BOTTOM, [0.0, -12.0]).show(
                    ui.ctx(),
                    |ui| {
                        egui::Frame::popup(ui.style()).show(ui, |ui| {
                            ui.label(msg);
                        });
                    },
                );
                ui.ctx().request_repaint_after(Duration::from_millis(500));
            } else {
                self.notice = None;
            }
        }
        if self.controls.show_help {
            let mut open = true;
            egui::Window::new("Keyboard shortcuts").open(&mut open).collapsible(false).show(ui.ctx(), |ui| {
                egui::Grid::new("keys").num_columns(2).striped(true).show(ui, |ui| {
                    for (k, what) in SHORTCUTS {
                        ui.label(egui::RichText::new(k).monospace().strong());
                        ui.label(what);
                        ui.end_row();
                    }
                });
                ui.label(egui::RichText::new("Shortcuts are inactive while a text field has focus.").weak());
            });
            if !open {
                self.controls.show_help = false;
            }
        }
    }

    /// The file name a figure gets by default: preset (or "formula"), n and ε.
    pub fn default_stem(&self) -> String {
        let what = self.controls.preset.clone().unwrap_or_else(|| "formula".into());
        format!("{what}_n{:.0e}_eps{:.0e}", self.controls.n, self.controls.eps).replace('+', "")
    }

    fn provenance(&self) -> Vec<(String, String)> {
        match Landscape::from_spec(&self.controls.spec()) {
            Ok(l) => crate::core::export::Provenance::of(&l, Some(self.controls.n), Some(self.controls.eps), 0).pairs(),
            Err(_) => vec![("Software".into(), format!("lambdascope {}", env!("CARGO_PKG_VERSION")))],
        }
    }

    /// PNG, CSV and session requests; the batch screenshot.
    fn exports(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        // batch: once everything is computed (and the view has settled), take the screenshot
        if let Some(b) = self.batch.clone() {
            let ready = !self.busy() && self.analysis.is_some() && (self.phase.is_some() || self.phase_error.is_some());
            self.batch_settled = if ready { self.batch_settled + 1 } else { 0 };

            if self.batch_started.elapsed() > Duration::from_secs(300) {
                eprintln!("lambdascope: the computation did not finish within 300 s; no screenshot");
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            if self.batch_settled == 5 && self.shot_pending.is_none() {
                let target = match b.panel {
                    None => 0,
                    Some(_) => 1, // the presentation panel (rects all point at it)
                };
                self.request_shot(&ctx, target, b.path.clone());
            }
            ctx.request_repaint_after(Duration::from_millis(30));
        }
        if std::mem::take(&mut self.controls.request_sweep) {
            let n = self.controls.n;
            let t0 = (n / 100.0).max(1.0).log10();
            let t1 = (n * 100.0).min(N_MAX).log10();
            let dir =
                std::path::PathBuf::from(&self.controls.export_dir).join(format!("{}_sweep", self.default_stem()));
            match std::fs::create_dir_all(&dir) {
                Ok(()) => {
                    self.sweep = Some(SweepFrames { dir, k: 0, frames: self.sweep_frames.max(2), t0, t1, stage: 0 })
                }
                Err(e) => self.notice = Some((format!("could not create {}: {e}", dir.display()), Instant::now())),
            }
        }
        if let Some(sw) = self.sweep.clone() {
            match sw.stage {
                0 => {
                    let t = sw.t0 + (sw.t1 - sw.t0) * sw.k as f64 / (sw.frames - 1).max(1) as f64;
                    self.controls.n = 10f64.powf(t).clamp(1.0, N_MAX);
                    self.controls.playing = false;
                    self.sweep = Some(SweepFrames { stage: 1, ..sw });
                    ctx.request_repaint();
                }
                1 => {
                    let path = sw.dir.join(format!("frame_{:04}.png", sw.k));
                    self.request_shot(&ctx, self.controls.png_target, path);
                    self.sweep = Some(SweepFrames { stage: 2, ..sw });
                }
                _ => {}
            }
        }
        if std::mem::take(&mut self.controls.request_png) {
            let dir = std::path::PathBuf::from(&self.controls.export_dir);
            let path = dir.join(format!("{}.png", self.default_stem()));
            self.request_shot(&ctx, self.controls.png_target, path);
        }
        // a screenshot arrives in a later frame
        let arrived = self.shot_pending.as_ref().and_then(|(_, _, slot)| slot.lock().ok().and_then(|mut s| s.take()));
        // (take the pending shot only once its image is here)
        if let Some(img) = arrived
            && let Some((target, path, _)) = self.shot_pending.take()
        {
            let ppp = ctx.pixels_per_point();
            let img = match target {
                0 => (*img).clone(),
                t => match self.rects[(t - 1).min(2)] {
                    Some(r) => img.region(&r, Some(ppp)),
                    None => (*img).clone(),
                },
            };
            let img = match self.batch.as_ref().and_then(|b| b.size) {
                Some([w, h]) => super::png::resize(&img, w as usize, h as usize),
                None => img,
            };
            let r = super::png::save_png(&path, &img, &self.provenance());
            let msg = match &r {
                Ok(()) => format!("saved {} ({}×{})", path.display(), img.width(), img.height()),
                Err(e) => e.clone(),
            };
            if let Some(sw) = self.sweep.clone() {
                // the next frame of an n sweep, or done
                if r.is_ok() && sw.k + 1 < sw.frames {
                    self.sweep = Some(SweepFrames { k: sw.k + 1, stage: 0, ..sw });
                    ctx.request_repaint();
                    return;
                }
                self.sweep = None;
                self.notice = Some((
                    match &r {
                        Ok(()) => format!("saved {} frames in {}", sw.k + 1, sw.dir.display()),
                        Err(e) => e.clone(),
                    },
                    Instant::now(),
                ));
                return;
            }
            if let Some(b) = &self.batch {
                b.exit.store(if r.is_ok() { 0 } else { 1 }, std::sync::atomic::Ordering::SeqCst);
                if let Err(e) = &r {
                    eprintln!("lambdascope: {e}");
                }
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            self.notice = Some((msg, Instant::now()));
        }
        if std::mem::take(&mut self.controls.request_csv) {
            let what = [
                crate::core::export::What::Volume,
                crate::core::export::What::Slope,
                crate::core::export::What::Fit,
                crate::core::export::What::Posterior,
                crate::core::export::What::Phase,
            ][self.controls.csv_what.min(4)];
            let names = ["volume", "slope", "fit", "posterior", "phase"];
            let path = std::path::PathBuf::from(&self.controls.export_dir).join(format!(
                "{}_{}.csv",
                self.default_stem(),
                names[self.controls.csv_what.min(4)]
            ));
            let msg = match (&self.analysis, Landscape::from_spec(&self.controls.spec())) {
                (Some(a), Ok(l)) => {
                    let prov =
                        crate::core::export::Provenance::of(&l, Some(self.controls.n), Some(self.controls.eps), 0);
                    match crate::core::export::csv(&l, &a.estimate, what, self.controls.n.clamp(1.0, N_MAX), &prov) {
                        Ok(text) => match std::fs::write(&path, text) {
                            Ok(()) => format!("saved {}", path.display()),
                            Err(e) => format!("could not write {}: {e}", path.display()),
                        },
                        Err(e) => e.to_string(),
                    }
                }
                _ => "nothing to export yet".to_string(),
            };
            self.notice = Some((msg, Instant::now()));
        }
        if std::mem::take(&mut self.controls.request_save_session) {
            let path = std::path::PathBuf::from(&self.controls.session_path);
            let msg = match self.save_session_to(&path) {
                Ok(()) => format!("session saved to {}", path.display()),
                Err(e) => e,
            };
            self.notice = Some((msg, Instant::now()));
        }
        if std::mem::take(&mut self.controls.request_load_session) {
            let path = std::path::PathBuf::from(&self.controls.session_path);
            let msg = match self.load_session_from(&path) {
                Ok(()) => format!("session loaded from {}", path.display()),
                Err(e) => format!("{e}; nothing was changed, and the file was left as it is"),
            };
            self.notice = Some((msg, Instant::now()));
        }
    }

    /// Go to step i of the guided tour: its preset, n, ε and panel.
    pub fn tour_step(&mut self, i: usize) {
        let i = i.min(super::tour::STEPS.len() - 1);
        let st = &super::tour::STEPS[i];
        self.tour = Some(i);
        if st.model {
            self.controls.choose_model(st.preset);
        } else {
            self.controls.choose_preset(st.preset);
        }
        self.controls.n = st.n;
        self.controls.eps = st.eps;
        self.controls.link = false;
        self.right_tab = [RightTab::Volume, RightTab::Phase, RightTab::Theory, RightTab::Learn][st.tab.min(3)];
        if let Some(p) = st.sgd {
            self.learn.sgd.start = p.start;
            self.learn.sgd.lr = p.lr;
            self.learn.sgd.batch = p.batch;
            self.learn.sgd.steps = p.steps;
        }
        // run SGD and the LLC once the new landscape is analysed (at once if it is the current one)
        let same = self.sent.as_ref() == Some(&self.controls.spec());
        self.auto_learn = (st.tab == 3).then_some(if same { self.version.saturating_sub(1) } else { self.version });
        self.controls.presentation = false;
    }

    fn tour_window(&mut self, ui: &mut egui::Ui) {
        if std::mem::take(&mut self.controls.open_tour) {
            self.tour_step(0);
        }
        let Some(i) = self.tour else { return };
        let st = &super::tour::STEPS[i];
        let mut open = true;
        let mut go: Option<usize> = None;
        egui::Window::new("Guided tour").open(&mut open).default_pos([360.0, 600.0]).default_width(420.0).show(
            ui.ctx(),
            |ui| {
                ui.heading(st.title);
                ui.label(st.text);
                ui.horizontal(|ui| {
                    if ui.add_enabled(i > 0, egui::Button::new("Back")).clicked() {
                        go = Some(i - 1);
                    }
                    ui.label(format!("{} / {}", i + 1, super::tour::STEPS.len()));
                    if ui.add_enabled(i + 1 < super::tour::STEPS.len(), egui::Button::new("Next")).clicked() {
                        go = Some(i + 1);
                    }
                });
            },
        );
        if let Some(j) = go {
            self.tour_step(j);
        }
        if !open {
            self.tour = None;
        }
    }

    fn request_shot(&mut self, ctx: &egui::Context, target: usize, path: std::path::PathBuf) {
        let slot = Arc::new(std::sync::Mutex::new(None));
        let s2 = slot.clone();
        let c2 = ctx.clone();
        ctx.request_screenshot(move |img| {
            if let Ok(mut s) = s2.lock() {
                *s = Some(img);
            }
            c2.request_repaint();
        });
        self.shot_pending = Some((target, path, slot));
    }
}
