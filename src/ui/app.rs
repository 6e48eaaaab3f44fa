//! `LambdaApp`: the layout and the frame loop. Each frame: the settings go to the pipelines, the
//! pipelines give the frame's `ViewData`, the panels draw it and return actions, and the actions
//! are applied in one place (`apply`).

use eframe::egui;
use std::sync::Arc;
use std::sync::atomic::AtomicI32;
use std::time::{Duration, Instant};

use crate::core::landscape::N_MAX;
use crate::core::readouts::Readouts;
use crate::start::{Panel, StartOptions, Tab};

use super::ViewData;
use super::action::Action;
use super::export::{self, Exports};
use super::panels::controls::{ControlsPanel, SideContext};
use super::panels::help;
use super::panels::landscape::LandscapePanel;
use super::panels::learn::{LearnContext, LearnPanel, overlay};
use super::panels::phase::PhasePanel;
use super::panels::posterior::PosteriorPanel;
use super::panels::theory::TheoryPanel;
use super::panels::three::{COMPARE_N, three_posteriors};
use super::panels::tour::{STEPS, tour_window};
use super::panels::volume::{VolumePanel, compare_plot};
use super::pipeline::{Pipeline, Style};
use super::settings::{STORAGE_KEY, Settings};
use super::widgets::render::posterior_extent;

/// Every panel's drawing state.
pub struct Panels {
    pub controls: ControlsPanel,
    pub landscape: LandscapePanel,
    pub posterior: PosteriorPanel,
    pub volume: VolumePanel,
    pub phase: PhasePanel,
    pub theory: TheoryPanel,
    pub learn: LearnPanel,
    /// Compare mode's second landscape.
    pub landscape_b: LandscapePanel,
    pub posterior_b: PosteriorPanel,
}

pub struct LambdaApp {
    /// What the user set (persisted; a saved session).
    pub settings: Settings,
    pub pipeline: Pipeline,
    /// Compare mode's second landscape (started when compare mode is first used).
    pub second: Option<Pipeline>,
    pub panels: Panels,
    pub exports: Exports,
    /// The n sweep is running.
    pub playing: bool,
    pub show_help: bool,
    /// The guided tour's current step, when open.
    pub tour: Option<usize>,
    /// The "10,000 / 10,500 / 11,000" window.
    pub three: Option<[f64; 3]>,
    /// A message for the user (saved files, errors of export or sessions), with its time.
    pub notice: Option<(String, Instant)>,
    /// The frame's data (the last one drawn).
    view: Option<Arc<ViewData>>,
    /// The persisted session could not be read: do not overwrite it.
    persist_disabled: bool,
    /// The zoom factor and theme applied to the context.
    zoom: f32,
    theme: Option<Option<bool>>,
    /// Run SGD and the LLC once an analysis newer than this version arrives (`--tab learn`, the tour).
    auto_learn: Option<u64>,
    /// Actions queued from outside a frame (applied at the start of the next one).
    queued: Vec<Action>,
}

impl LambdaApp {
    /// The app, restoring the last session from `storage` when `start.restore` says so; `exit`
    /// receives the batch screenshot's exit code.
    pub fn with_storage(
        ctx: &egui::Context,
        start: StartOptions,
        storage: Option<&dyn eframe::Storage>,
        exit: Arc<AtomicI32>,
    ) -> LambdaApp {
        let saved = if start.restore && start.batch.is_none() {
            storage.and_then(|s| s.get_string(STORAGE_KEY))
        } else {
            None
        };
        let mut settings = Settings::default();
        let mut notice = None;
        match saved.map(|t| Settings::parse(&t)) {
            Some(Ok(s)) => settings = s,
            Some(Err(e)) => notice = Some(format!(
                "The saved session could not be read ({e}); starting from the defaults. It will not be overwritten."
            )),
            None => {}
        }
        let mut app = LambdaApp::build(ctx, start, settings, exit);
        app.persist_disabled = notice.is_some();
        app.notice = notice.map(|m| (m, Instant::now()));
        app
    }

    pub fn new(ctx: &egui::Context, start: StartOptions) -> LambdaApp {
        LambdaApp::build(ctx, start, Settings::default(), Arc::new(AtomicI32::new(1)))
    }

    fn build(ctx: &egui::Context, start: StartOptions, mut s: Settings, exit: Arc<AtomicI32>) -> LambdaApp {
        if let Some(spec) = &start.spec {
            match (&spec.model, &spec.preset) {
                (Some(m), _) => {
                    s.choose_model(m.info().id);
                    s.n = m.n as f64;
                    s.model = Some(m.clone());
                }
                (None, Some(id)) => s.choose_preset(id),
                (None, None) => {
                    s.preset = None;
                    s.formula = spec.formula.clone();
                }
            }
            if let Some(b) = spec.bounds {
                s.bounds = b;
            }
            if spec.dim == Some(2) && spec.model.is_none() {
                s.force_2d = true;
            }
            if let crate::core::landscape::Prior::Gaussian { sigma } = spec.prior {
                s.gaussian = true;
                s.sigma = sigma;
            }
        }
        if let Some(n) = start.n {
            s.n = n.clamp(1.0, N_MAX);
        }
        if let Some(e) = start.eps {
            s.eps = e.max(1e-12);
        }
        if let Some(f) = start.font_scale {
            s.font_scale = f.clamp(1.0, 3.0);
        }
        if let Some(t) = start.theme {
            s.dark = Some(t.is_dark());
        }
        if let Some(p) = start.batch.as_ref().and_then(|b| b.panel) {
            s.presentation = true;
            s.big_panel = p;
        }
        if let Some(t) = start.tab {
            s.right_tab = t;
        }
        let mut pipeline = Pipeline::new(ctx);
        pipeline.update(s.spec(), s.fit_window, s.grid);
        LambdaApp {
            settings: s,
            pipeline,
            second: None,
            panels: Panels {
                controls: ControlsPanel,
                landscape: LandscapePanel::default(),
                posterior: PosteriorPanel::default(),
                volume: VolumePanel::default(),
                phase: PhasePanel::default(),
                theory: TheoryPanel::default(),
                learn: LearnPanel::default(),
                landscape_b: LandscapePanel::with_salt("-b"),
                posterior_b: PosteriorPanel::with_salt("-b"),
            },
            exports: Exports::new(start.batch, exit),
            playing: false,
            show_help: false,
            tour: None,
            three: None,
            notice: None,
            view: None,
            persist_disabled: false,
            zoom: 1.0,
            theme: None,
            auto_learn: (start.tab == Some(Tab::Learn)).then_some(0),
            queued: vec![],
        }
    }

    /// Do `a` at the start of the next frame, as if a button had been pressed.
    pub fn queue(&mut self, a: Action) {
        self.queued.push(a);
    }

    /// The readouts drawn in the last frame.
    pub fn readouts(&self) -> Option<&Readouts> {
        self.view.as_ref().map(|v| &v.readouts)
    }

    /// Where the landscape panel was drawn last frame.
    pub fn landscape_rect(&self) -> Option<egui::Rect> {
        self.exports.rects[0]
    }

    /// True while a pipeline has work in flight (tests wait on this).
    pub fn busy(&self) -> bool {
        self.pipeline.busy() || self.second.as_ref().is_some_and(|p| p.busy())
    }

    /// The whole UI (shared by the window and the tests).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if self.exports.is_batch() {
            // a figure must not carry a hover label from wherever the pointer happens to be
            ctx.input_mut(|i| i.pointer = Default::default());
        }
        let mut first = std::mem::take(&mut self.queued);
        first.extend(help::keys(ui, &mut self.settings, self.pipeline.status().eps_max, self.show_help));
        self.apply_all(&ctx, first);
        self.advance(ui);
        self.pipeline.update(self.settings.spec(), self.settings.fit_window, self.settings.grid);
        if let Some(b) = self.pipeline.take_new_box() {
            self.panels.landscape.force_bounds = Some(b);
            self.panels.posterior.force_bounds = Some(b);
        }
        let style = Style {
            log_colour: self.settings.log_colour,
            log_posterior: self.settings.log_posterior,
            colormap: self.settings.colormap,
        };
        let (n, eps) = (self.settings.n, self.settings.effective_eps(self.pipeline.status().eps_max));
        self.view = self.pipeline.view(n, eps, style);
        let view_b = if self.settings.compare_mode {
            let p = self.second.get_or_insert_with(|| Pipeline::new(&ctx));
            p.update(self.settings.compare_spec(), None, self.settings.grid);
            p.view(n, eps, style)
        } else {
            None
        };
        self.learning();
        let p = &mut self.panels;
        for d in [&mut p.landscape.data, &mut p.posterior.data, &mut p.volume.data, &mut p.phase.data] {
            *d = self.view.clone();
        }
        p.theory.data = self.view.clone();
        p.learn.data = self.view.clone();
        p.landscape_b.data = view_b.clone();
        p.posterior_b.data = view_b.clone();
        let mut actions = if self.settings.presentation {
            self.presentation_ui(ui)
        } else {
            let mut a = self.side_panel(ui);
            a.extend(if self.settings.compare_mode { self.compare_ui(ui, view_b) } else { self.main_ui(ui) });
            a
        };
        actions.extend(self.windows(&ctx));
        self.apply_all(&ctx, actions);
        let prov = export::provenance(self.pipeline.analysis().map(|a| a.as_ref()), n, eps);
        let ready = !self.busy() && self.pipeline.analysis().is_some() && (self.pipeline.phase().is_some() || self.pipeline.phase_error().is_some());
        if let Some(m) = self.exports.frame(&ctx, &mut self.settings, &prov, ready) {
            self.notice = Some((m, Instant::now()));
        }
        self.pipeline.follow_view(self.panels.landscape.bounds.or(self.panels.posterior.bounds));
        if let Some(b) = &mut self.second {
            b.follow_view(self.panels.landscape_b.bounds.or(self.panels.posterior_b.bounds));
        }
        if self.busy() {
            ctx.request_repaint_after(Duration::from_millis(50));
        }
    }

    /// The theme, the zoom, and the n sweep (Play: `speed` decades per second).
    fn advance(&mut self, ui: &egui::Ui) {
        if self.theme != Some(self.settings.dark) {
            self.theme = Some(self.settings.dark);
            ui.ctx().set_theme(match self.settings.dark {
                None => egui::ThemePreference::System,
                Some(true) => egui::ThemePreference::Dark,
                Some(false) => egui::ThemePreference::Light,
            });
        }
        if (self.settings.font_scale - self.zoom).abs() > 1e-3 {
            self.zoom = self.settings.font_scale;
            ui.ctx().set_zoom_factor(self.zoom);
        }
        if self.exports.sweep.is_some() {
            self.playing = false;
        }
        if self.playing {
            let dt = ui.input(|i| i.stable_dt).min(0.1) as f64;
            let n = self.settings.n * 10f64.powf(self.settings.speed * dt);
            self.playing = n < N_MAX;
            self.settings.n = n.min(N_MAX);
            ui.ctx().request_repaint();
        }
    }

    /// The learning tab: its drawings on the landscape and posterior, and the runs the tour and
    /// `--tab learn` ask for once their landscape is analysed.
    fn learning(&mut self) {
        let learn_tab = self.settings.right_tab == Tab::Learn;
        let o = self.view.as_ref().filter(|_| learn_tab).map(|d| Arc::new(overlay(&self.settings.learn, d)));
        self.panels.landscape.overlay = o.clone();
        self.panels.posterior.overlay = o;
        if let Some(v) = self.auto_learn
            && self.view.as_ref().is_some_and(|d| d.analysis.version > v && d.analysis.version == self.pipeline.version())
        {
            self.auto_learn = None;
            self.run_learning(true, true);
        }
    }

    fn run_learning(&mut self, sgd: bool, llc: bool) {
        let Some(cx) = self.view.as_ref().map(|d| LearnContext::of(d)) else { return };
        if sgd {
            self.pipeline.run_sgd(self.settings.learn.sgd_options(cx.n, cx.model));
        }
        if llc {
            self.pipeline.run_llc(self.settings.learn.llc_options(cx.n, cx.model));
        }
    }

    fn apply_all(&mut self, ctx: &egui::Context, actions: Vec<Action>) {
        for a in actions {
            self.apply(ctx, a);
        }
    }

    /// Every user intent, handled here.
    pub fn apply(&mut self, ctx: &egui::Context, action: Action) {
        let s = &mut self.settings;
        let say = |m: String| Some((m, Instant::now()));
        match action {
            Action::ChoosePreset(id) => s.choose_preset(id),
            Action::ChooseModel(id) => {
                s.choose_model(id);
                self.playing = false;
            }
            Action::TogglePlay => {
                if !self.playing && s.n >= N_MAX {
                    s.n = 1.0;
                }
                self.playing = !self.playing;
            }
            Action::OpenThreePosteriors => self.three = Some(COMPARE_N),
            Action::FitViewToPosterior => {
                if let Some(e) = self.pipeline.posterior().and_then(|p| posterior_extent(p, 15.0)) {
                    self.panels.landscape.force_bounds = Some(e);
                    self.panels.posterior.force_bounds = Some(e);
                }
            }
            Action::Presentation(on) => s.presentation = on,
            Action::ShowHelp(on) => self.show_help = on,
            Action::Tour(Some(i)) => self.tour_step(i),
            Action::Tour(None) => self.tour = None,
            Action::SavePng => {
                let path = std::path::PathBuf::from(&s.export_dir).join(format!("{}.png", export::default_stem(s)));
                self.exports.request_shot(ctx, s.png_target, path);
            }
            Action::SaveCsv => {
                let (n, eps) = (s.n, s.effective_eps(self.pipeline.status().eps_max));
                let phase = self.pipeline.phase().map(|p| p.as_ref());
                self.notice = say(export::save_csv(s, self.pipeline.analysis().map(|a| a.as_ref()), phase, n, eps));
            }
            Action::SaveSweep => {
                if let Err(e) = self.exports.start_sweep(s) {
                    self.notice = say(e);
                }
            }
            Action::SaveSession => {
                let path = std::path::PathBuf::from(&s.session_path);
                self.notice = say(match self.save_session_to(&path) {
                    Ok(()) => format!("session saved to {}", path.display()),
                    Err(e) => e,
                });
            }
            Action::LoadSession => {
                let path = std::path::PathBuf::from(&s.session_path);
                self.notice = say(match self.load_session_from(&path) {
                    Ok(()) => format!("session loaded from {}", path.display()),
                    Err(e) => format!("{e}; nothing was changed, and the file was left as it is"),
                });
            }
            Action::SetFitWindow(w) => s.fit_window = w,
            Action::RunSgd => self.run_learning(true, false),
            Action::RunLlc => self.run_learning(false, true),
            Action::Clicked(p) => {
                if s.learn.pick_start && s.right_tab == Tab::Learn {
                    s.learn.sgd.start = p;
                }
            }
        }
    }

    /// The settings as a session.
    pub fn session(&self) -> Settings {
        self.settings.clone()
    }

    /// Save every setting to a JSON file.
    pub fn save_session_to(&self, path: &std::path::Path) -> Result<(), String> {
        export::save_session(&self.settings, path)
    }

    /// Load settings from a JSON file; the file is only read. On error nothing changes.
    pub fn load_session_from(&mut self, path: &std::path::Path) -> Result<(), String> {
        self.settings = export::load_session(path)?;
        Ok(())
    }

    /// Go to step i of the guided tour: its preset, n, ε and panel.
    pub fn tour_step(&mut self, i: usize) {
        let i = i.min(STEPS.len() - 1);
        let st = &STEPS[i];
        let s = &mut self.settings;
        self.tour = Some(i);
        if st.model {
            s.choose_model(st.preset);
        } else {
            s.choose_preset(st.preset);
        }
        s.n = st.n;
        s.eps = st.eps;
        s.link = false;
        s.right_tab = st.tab;
        if let Some(p) = st.sgd {
            (s.learn.sgd.start, s.learn.sgd.lr, s.learn.sgd.batch, s.learn.sgd.steps) = (p.start, p.lr, p.batch, p.steps);
        }
        // run SGD and the LLC once the new landscape is analysed (at once if it is the current one)
        let v = self.pipeline.version();
        let same = self.pipeline.is_sent(&s.spec());
        self.auto_learn = (st.tab == Tab::Learn).then_some(if same { v.saturating_sub(1) } else { v });
        s.presentation = false;
    }

    /// The notices, the tour, the shortcuts and the three posteriors (windows over the layout).
    fn windows(&mut self, ctx: &egui::Context) -> Vec<Action> {
        let mut out = vec![];
        if let Some((m, t)) = &self.notice
            && !help::notice(ctx, m, *t)
        {
            self.notice = None;
        }
        if self.show_help && !help::help_window(ctx) {
            self.show_help = false;
        }
        out.extend(self.tour.and_then(|i| tour_window(ctx, i)));
        if let (Some(ns), Some(d)) = (self.three, &self.view)
            && !three_posteriors(ctx, d, ns)
        {
            self.three = None;
        }
        out
    }

    /// The settings and readouts on the left (the same panel in every layout but presentation).
    fn side_panel(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let status = self.pipeline.status();
        let cx = SideContext { status: &status, readouts: self.view.as_ref().map(|v| &v.readouts), playing: self.playing };
        let mut out = vec![];
        let (controls, settings) = (&mut self.panels.controls, &mut self.settings);
        egui::Panel::left("controls")
            .default_size(340.0)
            .max_size((ui.available_width() * 0.4).max(200.0))
            .resizable(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| out = controls.ui(ui, settings, &cx));
            });
        out
    }

    /// Landscape and posterior on the left, the tabs on the right.
    fn main_ui(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut out = vec![];
        let (p, s, rects) = (&mut self.panels, &mut self.settings, &mut self.exports.rects);
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
                        out.extend(p.landscape.ui(ui));
                    });
                    rects[0] = Some(r.response.rect);
                    let r = ui.allocate_ui(egui::vec2(left_w, half_h), |ui| {
                        ui.set_min_size(egui::vec2(left_w, half_h));
                        p.posterior.ui(ui);
                    });
                    rects[1] = Some(r.response.rect);
                });
                let r = ui.allocate_ui(egui::vec2(right_w, avail.y), |ui| {
                    ui.set_min_size(egui::vec2(right_w, avail.y));
                    ui.vertical(|ui| {
                        // (wrapping: at a large font scale the tabs must not widen the column)
                        ui.horizontal_wrapped(|ui| {
                            for (t, name, tip) in TABS {
                                ui.selectable_value(&mut s.right_tab, t, name).on_hover_text(tip);
                            }
                        });
                        match s.right_tab {
                            Tab::Volume => out.extend(p.volume.ui(ui)),
                            Tab::Phase => p.phase.ui(ui),
                            Tab::Theory => p.theory.ui(ui),
                            Tab::Learn => out.extend(p.learn.ui(ui, &mut s.learn)),
                        }
                    });
                });
                rects[2] = Some(r.response.rect);
            });
        });
        out
    }

    /// Compare mode: two landscapes side by side sharing n and ε, both volume laws below.
    fn compare_ui(&mut self, ui: &mut egui::Ui, view_b: Option<Arc<ViewData>>) -> Vec<Action> {
        let mut out = vec![];
        let (p, data_a) = (&mut self.panels, self.view.clone());
        egui::CentralPanel::default().show(ui, |ui| {
            let avail = ui.available_size();
            let gap = ui.spacing().item_spacing;
            let col_w = ((avail.x - gap.x) * 0.5).max(200.0);
            let row_h = ((avail.y - 3.0 * gap.y) * 0.36).max(140.0);
            ui.horizontal_top(|ui| {
                for (l, q, d) in
                    [(&mut p.landscape, &mut p.posterior, &data_a), (&mut p.landscape_b, &mut p.posterior_b, &view_b)]
                {
                    ui.vertical(|ui| {
                        ui.set_width(col_w);
                        match d {
                            Some(d) => {
                                let t = format!(
                                    "{}: fitted λ = {:.4}, d/2 = {}",
                                    d.analysis.spec.label(),
                                    d.fit.best.lambda,
                                    d.analysis.dim as f64 / 2.0
                                );
                                ui.label(egui::RichText::new(t).strong());
                            }
                            None => {
                                ui.spinner();
                            }
                        }
                        ui.allocate_ui(egui::vec2(col_w, row_h), |ui| {
                            ui.set_min_size(egui::vec2(col_w, row_h));
                            out.extend(l.ui(ui));
                        });
                        ui.allocate_ui(egui::vec2(col_w, row_h), |ui| {
                            ui.set_min_size(egui::vec2(col_w, row_h));
                            q.ui(ui);
                        });
                    });
                }
            });
            if let (Some(a), Some(b)) = (&data_a, &view_b) {
                compare_plot(ui, a, b);
            }
        });
        out
    }

    /// One panel large, big readouts, no side panel.
    fn presentation_ui(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut out = vec![];
        let (n, eps) = (self.settings.n, self.settings.effective_eps(self.pipeline.status().eps_max));
        let r = self.view.as_ref().map(|v| v.readouts.clone());
        egui::Panel::top("big-readouts").show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                let big = |t: String| egui::RichText::new(t).size(26.0).strong();
                ui.label(big(format!("n = {}", super::widgets::plot::sci(n))));
                ui.label(big(format!("ε = {}", super::widgets::plot::sci(eps))));
                if let Some(r) = &r {
                    ui.label(big(format!("fitted λ = {:.3} (m = {})", r.lambda.lambda, r.lambda.m)));
                    if let Some(t) = &r.theory {
                        ui.label(big(format!("exact λ = {:.3} (m = {})", t.lambda, t.m)));
                    }
                    if let Some(p) = r.mass_inside {
                        ui.label(big(format!("P(K − K* < ε) = {:.3}", p.value)));
                    }
                }
                ui.label(egui::RichText::new("F: leave · 1–5: panel · ?: keys").weak());
            });
        });
        let (p, big, rects) = (&mut self.panels, self.settings.big_panel, &mut self.exports.rects);
        egui::CentralPanel::default().show(ui, |ui| {
            let rect = ui.available_rect_before_wrap();
            match big {
                Panel::Landscape => out.extend(p.landscape.ui(ui)),
                Panel::Posterior => p.posterior.ui(ui),
                Panel::Phase => p.phase.ui(ui),
                Panel::Theory => p.theory.ui(ui),
                Panel::Volume => out.extend(p.volume.ui(ui)),
            }
            // in presentation the one panel is every target
            *rects = [Some(rect); 3];
        });
        out
    }
}

/// The right column's tabs: name and hover text.
const TABS: [(Tab, &str, &str); 4] = [
    (Tab::Volume, "Volume law", "V(ε) on log–log axes, its fit and the local slope"),
    (Tab::Phase, "Phase transitions", "Posterior mass per basin against n, and the free energies"),
    (Tab::Theory, "Theory", "Exact λ from the Newton polygon, the Hessian, and the comparison with the measurements"),
    (Tab::Learn, "Learning", "SGD from a start point, SGLD chains and the local learning coefficient"),
];

impl eframe::App for LambdaApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn persist_egui_memory(&self) -> bool {
        !self.exports.is_batch()
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        // never in batch mode, never over a session that could not be read
        if !self.exports.is_batch() && !self.persist_disabled {
            storage.set_string(STORAGE_KEY, self.settings.to_json());
        }
    }
}
