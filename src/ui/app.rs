//! `LambdaApp`: the layout and the frame loop. Each frame: the settings go to the pipelines, the
//! pipelines give the frame's `ViewData`, the panels draw it and return actions, and the actions
//! are applied in one place (`apply`).

use eframe::egui;
use std::sync::Arc;
use std::sync::atomic::AtomicI32;
use std::time::{Duration, Instant};

use crate::core::landscape::N_MAX;
use crate::core::readouts::Readouts;
use crate::start::{StartOptions, Tab};

use super::ViewData;
use super::action::Action;
use super::export::{self, Exports};
use super::layout::Panels;
use super::panels::controls::SideContext;
use super::panels::help;
use super::panels::learn::{LearnContext, overlay};
use super::panels::three::{COMPARE_N, three_posteriors};
use super::panels::tour::{STEPS, tour_window};
use super::pipeline::{Pipeline, Style};
use super::settings::{STORAGE_KEY, Settings};
use super::widgets::render::posterior_extent;

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
    /// Where the tour window was drawn, and the side panel it sits over (None in presentation).
    pub tour_rect: Option<egui::Rect>,
    pub side_rect: Option<egui::Rect>,
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
        let saved =
            if start.restore && start.batch.is_none() { storage.and_then(|s| s.get_string(STORAGE_KEY)) } else { None };
        let mut settings = Settings::default();
        let mut notice = None;
        match saved.map(|t| Settings::parse(&t)) {
            Some(Ok(s)) => settings = s,
            Some(Err(e)) => {
                notice = Some(format!(
                    "The saved session could not be read ({e}); starting from the defaults. It will not be overwritten."
                ))
            }
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
        s.apply_start(&start);
        let mut pipeline = Pipeline::new(ctx);
        pipeline.update(s.spec(), s.fit_window, s.grid);
        if start.tab == Some(Tab::Tms) {
            // opened on the TMS lab (`--tab tms`): compute it at once, as the button would
            pipeline.run_tms(crate::core::tms_lab::DEFAULT_SGD);
        }
        LambdaApp {
            settings: s,
            pipeline,
            second: None,
            panels: Panels::default(),
            exports: Exports::new(start.batch, exit),
            playing: false,
            show_help: false,
            tour: None,
            tour_rect: None,
            side_rect: None,
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

    /// The data drawn in the last frame.
    pub fn view(&self) -> Option<&ViewData> {
        self.view.as_deref()
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
            log_k_axis: self.settings.log_k_axis,
            regular_overlay: self.settings.regular_overlay,
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
        let failed = [Some(&self.pipeline), self.second.as_ref()].map(|p| p.and_then(|p| p.failed()));
        self.panels.set_data(&self.view, &view_b, failed);
        let (p, s, rects) = (&mut self.panels, &mut self.settings, &mut self.exports.rects);
        let mut actions = if s.presentation {
            self.side_rect = None;
            p.presentation(ui, s, eps, rects)
        } else {
            let status = self.pipeline.status();
            let readouts = self.view.as_ref().map(|v| &v.readouts);
            let (mut a, side) = p.side(ui, s, &SideContext { status: &status, readouts, playing: self.playing });
            self.side_rect = Some(side);
            a.extend(if s.compare_mode { p.compare(ui) } else { p.main(ui, s, rects) });
            a
        };
        actions.extend(self.windows(&ctx));
        self.apply_all(&ctx, actions);
        let prov = export::provenance(
            self.pipeline.analysis().map(|a| a.as_ref()),
            self.pipeline.fit().map(|f| f.as_ref()),
            n,
            eps,
            self.settings.command_line(),
        );
        if let Some(m) = self.pipeline.take_notices().pop() {
            self.notice = Some((m, Instant::now()));
        }
        // (a figure of the Learning tab waits for its SGD run too)
        let learned = self.settings.right_tab != Tab::Learn
            || !self.exports.is_batch()
            || (self.auto_learn.is_none() && self.pipeline.learning().sgd.is_some());
        let ready = !self.busy()
            && learned
            && self.pipeline.analysis().is_some()
            && (self.pipeline.phase().is_some() || self.pipeline.phase_error().is_some());
        let failed = self.pipeline.failed();
        if let Some(m) = self.exports.frame(&ctx, &mut self.settings, &prov, ready, failed.as_deref()) {
            self.notice = Some((m, Instant::now()));
        }
        if let Some(due) = self.exports.take_figure_due() {
            let r = export::write_figure(&due, self.view.as_deref(), ctx.theme() == egui::Theme::Dark, &prov);
            self.exports.finish_batch(&ctx, &r);
            self.notice = Some((r.unwrap_or_else(|e| e), Instant::now()));
        }
        self.pipeline.follow_view(self.panels.landscape.bounds.or(self.panels.posterior.bounds));
        if let Some(b) = &mut self.second {
            b.follow_view(self.panels.landscape_b.bounds.or(self.panels.posterior_b.bounds));
        }
        if self.busy() {
            ctx.request_repaint_after(Duration::from_millis(50));
        }
    }

    /// The theme, the zoom, and the n sweep (Play).
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
        if self.exports.sweeping() {
            self.playing = false;
        }
        if self.playing {
            // log-uniformly from `play_from` to `play_to` in `play_seconds`
            let s = &mut self.settings;
            let dt = ui.input(|i| i.stable_dt).min(0.1) as f64;
            let rate = (s.play_to / s.play_from).ln() / s.play_seconds;
            let n = (s.n.max(s.play_from) * (rate * dt).exp()).min(s.play_to);
            self.playing = n < s.play_to;
            s.n = n;
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
            && self
                .view
                .as_ref()
                .is_some_and(|d| d.analysis.version > v && d.analysis.version == self.pipeline.version())
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
    /// Save a figure of the PNG target: PNG or SVG by the file's extension (a name without one
    /// is a PNG).
    fn save_figure(&mut self, ctx: &egui::Context, path: std::path::PathBuf) {
        use crate::start::Format;
        let s = &self.settings;
        let (n, eps) = (s.n.clamp(1.0, N_MAX), s.effective_eps(self.pipeline.status().eps_max));
        let format = Format::of(&path);
        let path = if format.is_none() { path.with_extension("png") } else { path };
        let panel = export::target_panel(s.png_target, s);
        let m = match (format, panel) {
            (Some(Format::Gif), _) => "A GIF is an animation: use 'Save n sweep as GIF'".into(),
            (Some(Format::Svg), None) => {
                "An SVG is of one panel: set 'PNG of' to the landscape, the posterior or the right panel".into()
            }
            (_, None) => {
                // the window (or its panels): a screenshot
                self.exports.request_shot(ctx, s.png_target, path);
                return;
            }
            (format, Some(panel)) => {
                // a panel: its figure, at the size and density chosen
                let prov = export::provenance(
                    self.pipeline.analysis().map(|a| a.as_ref()),
                    self.pipeline.fit().map(|f| f.as_ref()),
                    n,
                    eps,
                    s.command_line(),
                );
                let due = export::FigureDue {
                    path,
                    panel,
                    format: format.unwrap_or(Format::Png),
                    size: [s.figure_size[0] as f64, s.figure_size[1] as f64],
                    density: s.figure_density,
                };
                let dark = ctx.theme() == egui::Theme::Dark;
                export::write_figure(&due, self.view.as_deref(), dark, &prov).unwrap_or_else(|e| e)
            }
        };
        self.notice = Some((m, Instant::now()));
    }

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
                let inside = (s.play_from..s.play_to).contains(&s.n);
                if !self.playing && !inside {
                    s.n = s.play_from;
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
            Action::ResetView => {
                if let Some(b) = self.pipeline.analysis().map(|a| a.bounds) {
                    let r = [b[0][0], b[0][1], b[1][0], b[1][1]];
                    self.panels.landscape.force_bounds = Some(r);
                    self.panels.posterior.force_bounds = Some(r);
                }
            }
            Action::Presentation(on) => s.presentation = on,
            Action::ShowHelp(on) => self.show_help = on,
            Action::Tour(Some(i)) => self.tour_step(i),
            Action::Tour(None) => self.tour = None,
            Action::SavePng => {
                // (a figure of the same name is not overwritten: -2, -3 … are added)
                let path = std::path::PathBuf::from(&s.export_dir).join(format!("{}.png", export::default_stem(s)));
                self.save_figure(ctx, export::numbered(&path));
            }
            Action::SaveSvg => {
                let path = std::path::PathBuf::from(&s.export_dir).join(format!("{}.svg", export::default_stem(s)));
                self.save_figure(ctx, export::numbered(&path));
            }
            Action::SaveFigureAs(path) => self.save_figure(ctx, path),
            Action::SaveCsv => {
                let (n, eps) = (s.n.clamp(1.0, N_MAX), s.effective_eps(self.pipeline.status().eps_max));
                self.pipeline.save_csv(s.csv_what, n, eps, export::csv_path(s), s.command_line());
            }
            Action::SaveSgdGif => {
                let version = self.pipeline.analysis().map(|a| a.version);
                let ran = matches!(&self.pipeline.learning().sgd, Some((v, Ok(_))) if Some(*v) == version);
                if !ran {
                    self.notice = say("Run SGD first: the GIF draws its path step by step".into());
                } else if let Err(e) = self.exports.start_sgd_sweep(s) {
                    self.notice = say(e);
                }
            }
            Action::SaveSweep => {
                if let Err(e) = self.exports.start_sweep(s) {
                    self.notice = say(e);
                }
            }
            Action::CopyCommand if s.slice.is_some() => {
                self.notice = say(
                    "a slice of the TMS has no command line: Save session keeps it (the TMS lab itself: lambdascope --tab tms)"
                        .to_string(),
                );
            }
            Action::CopyCommand => {
                let line = s.command_line();
                ctx.copy_text(line.clone());
                self.notice = say(format!("copied: {line}"));
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
            Action::ShowSlice { slice, half_width } => {
                s.choose_slice(slice, half_width);
                self.playing = false;
            }
            Action::LeaveSlice => s.leave_slice(),
            Action::RunTms { seed } => {
                let o = crate::core::tms_lab::TmsSgdOptions { seed, ..crate::core::tms_lab::DEFAULT_SGD };
                self.pipeline.run_tms(o);
            }
            Action::RunCalibration => {
                if let Some(cx) = self.view.as_ref().map(|d| LearnContext::of(d)) {
                    let o = self.settings.learn.llc_options(cx.n, cx.model);
                    self.pipeline.run_calibration(o);
                }
            }
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
        if let Some([from, to, secs]) = st.play {
            (s.play_from, s.play_to, s.play_seconds) = (from, to, secs);
        }
        if let Some([from, to]) = st.fine {
            (s.fine, s.fine_from, s.fine_to) = (true, from, to);
        } else {
            s.fine = false;
        }
        self.playing = false;
        if let Some(p) = st.sgd {
            (s.learn.sgd.start, s.learn.sgd.lr, s.learn.sgd.batch, s.learn.sgd.steps) =
                (p.start, p.lr, p.batch, p.steps);
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
        if let Some(i) = self.tour {
            let (a, r) = tour_window(ctx, i, self.side_rect);
            out.extend(a);
            self.tour_rect = r;
        } else {
            self.tour_rect = None;
        }
        if let (Some(ns), Some(d)) = (self.three, &self.view)
            && !three_posteriors(ctx, d, ns)
        {
            self.three = None;
        }
        out
    }
}

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
