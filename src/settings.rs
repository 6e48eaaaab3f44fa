//! What the user set: the landscape, n and ε, the view, the lecture and export options, the
//! learning settings. Plain serde data; a saved session is this struct as JSON with a `version`
//! field. Loading validates every value (a corrupt or unknown-version file gives a message and
//! changes nothing; the file read is never written back). Results never flow into it: the
//! pipeline reads it, the panels edit it, actions change it.

use serde::{Deserialize, Serialize};

use crate::core::export::What;
use crate::core::landscape::{LandscapeSpec, N_MAX, Prior};
use crate::core::model::ModelSpec;
use crate::core::presets;
use crate::core::sampler::LlcOptions;
use crate::core::sgd::SgdOptions;
use crate::core::slice::SliceSpec;
use crate::start::{Panel, StartOptions, Tab};

pub const SETTINGS_VERSION: u32 = 1;
/// Where a fit window may lie (ε from … to).
pub const FIT_WINDOW_RANGE: [f64; 2] = [1e-15, 1e12];
/// Key of the session in eframe's persisted storage.
pub const STORAGE_KEY: &str = "lambdascope-session";
/// The compare choice "the population K of the model on the left".
pub const COMPARE_POPULATION: &str = "@population";

crate::choice! {
    /// The colour scheme of the heatmaps.
    pub enum ColourMap("colour map") {
        /// Perceptually uniform (viridis for K, inferno for the posterior).
        Viridis = "viridis",
        /// Colour-blind safe.
        Cividis = "cividis",
        /// Black to white, for washed-out projectors.
        HighContrast = "high-contrast",
    }
}

crate::choice! {
    /// What "Save PNG" captures.
    pub enum ShotTarget("PNG target") {
        Window = "window",
        Panels = "panels",
        Landscape = "landscape",
        Posterior = "posterior",
        Right = "right panel",
    }
}

/// The learning tab's settings: SGD from a start point, the SGLD estimate of the LLC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LearnSettings {
    pub sgd: SgdOptions,
    /// `beta` None means 1/log n; `step` None means scaled to the posterior; `n` is set per run.
    pub llc: LlcOptions,
    pub beta_auto: bool,
    pub step_auto: bool,
    /// Minibatch gradients in SGLD (models only).
    pub minibatch: bool,
    pub llc_batch: usize,
    /// The LLC along the SGD path, every `llc_every` steps with `llc_along_draws` draws per chain.
    pub llc_along: bool,
    pub llc_every: usize,
    pub llc_along_draws: usize,
    pub show_path: bool,
    pub show_chains: bool,
    /// A click on the 2-D landscape sets the SGD start.
    pub pick_start: bool,
    /// While an SGD run is animated: the fraction of the path drawn (not saved in sessions).
    #[serde(skip)]
    pub replay: Option<f64>,
}

impl Default for LearnSettings {
    fn default() -> Self {
        LearnSettings {
            sgd: SgdOptions::default(),
            llc: LlcOptions::default(),
            beta_auto: true,
            step_auto: true,
            minibatch: false,
            llc_batch: 256,
            llc_along: true,
            llc_every: 100,
            llc_along_draws: 5000,
            show_path: true,
            show_chains: true,
            pick_start: true,
            replay: None,
        }
    }
}

impl LearnSettings {
    /// The SGLD settings at the target's n (`model`: minibatches are possible).
    pub fn llc_options(&self, n: f64, model: bool) -> LlcOptions {
        LlcOptions {
            n,
            beta: if self.beta_auto { None } else { self.llc.beta },
            step: if self.step_auto { None } else { self.llc.step },
            batch: if self.minibatch && model { Some(self.llc_batch.max(1)) } else { None },
            ..self.llc
        }
    }

    /// The SGD settings to run (the LLC along the path with fewer draws than a single estimate).
    pub fn sgd_options(&self, n: f64, model: bool) -> SgdOptions {
        let mut o = self.sgd;
        o.llc_every = if self.llc_along { self.llc_every.max(1) } else { 0 };
        o.llc =
            LlcOptions { chains: 2, draws: self.llc_along_draws.max(100), burn_in: 1000, ..self.llc_options(n, model) };
        o
    }

    fn validate(&self) -> Result<(), String> {
        let s = &self.sgd;
        let l = &self.llc;
        let ok = s.start.iter().all(|v| v.is_finite() && v.abs() <= 1e6)
            && s.lr > 0.0
            && s.lr <= 10.0
            && (1..=100_000).contains(&s.batch)
            && (1..=1_000_000).contains(&s.steps)
            && l.gamma >= 0.0
            && l.gamma <= 1e6
            && l.beta.is_none_or(|b| b > 0.0 && b <= 100.0)
            && l.step.is_none_or(|e| e > 0.0 && e <= 1.0)
            && (1..=16).contains(&l.chains)
            && (100..=1_000_000).contains(&l.draws)
            && l.burn_in <= 1_000_000
            && (1..=100_000).contains(&self.llc_batch)
            && (1..=1_000_000).contains(&self.llc_every)
            && (100..=100_000).contains(&self.llc_along_draws);
        if ok { Ok(()) } else { Err("the session's learning settings are out of range".into()) }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub version: u32,
    /// The preset whose formula is in the box (None once the formula is edited).
    pub preset: Option<String>,
    pub formula: String,
    /// Treat a formula in x alone as a function on the square.
    pub force_2d: bool,
    pub bounds: [[f64; 2]; 2],
    pub gaussian: bool,
    pub sigma: f64,
    /// A model with sampled data in place of the formula (its n is the slider's n).
    pub model: Option<ModelSpec>,
    /// A 2-D slice of the TMS in place of the formula (from the TMS lab; its n is the slider's n;
    /// the formula stays in its box for "Back to the formula").
    pub slice: Option<SliceSpec>,
    pub n: f64,
    pub eps: f64,
    /// ε = link_c / n.
    pub link: bool,
    pub link_c: f64,
    /// Play sweeps n from `play_from` to `play_to` (log-uniformly) in `play_seconds`.
    pub play_from: f64,
    pub play_to: f64,
    pub play_seconds: f64,
    /// Frames of "Save n sweep as GIF", and how often it plays (0: forever; k: k + 1 times).
    pub sweep_frames: usize,
    pub gif_loop: u16,
    /// A panel's figure (PNG or SVG): its size in SVG pixels (the text is sized for 960×720) and
    /// the PNG's device pixels per SVG pixel.
    pub figure_size: [u32; 2],
    pub figure_density: f32,
    /// Fine control of n: a linear slider over [fine_from, fine_to].
    pub fine: bool,
    pub fine_from: f64,
    pub fine_to: f64,
    /// The fit window in ε; None: the default (the lowest six decades).
    pub fit_window: Option<[f64; 2]>,
    /// Heatmap resolution: 128, 256 or 512.
    pub grid: usize,
    pub log_colour: bool,
    /// 1-D: K − K* on a log axis.
    pub log_k_axis: bool,
    /// Draw the sublevel set of a regular basin at the same ε beside this one (why λ < d/2).
    pub regular_overlay: bool,
    pub log_posterior: bool,
    /// None: follow the system; Some(true) dark; Some(false) light.
    pub dark: Option<bool>,
    pub colormap: ColourMap,
    pub font_scale: f32,
    pub right_tab: Tab,
    /// Presentation layout: side panel hidden, one panel large, big readouts.
    pub presentation: bool,
    pub big_panel: Panel,
    /// Presentation: a second panel beside the first.
    pub second_panel: Option<Panel>,
    /// Compare mode: a second landscape (a preset, or a model's population K) beside the first.
    pub compare_mode: bool,
    pub compare_preset: String,
    /// Where figures and CSV files go.
    pub export_dir: String,
    pub png_target: ShotTarget,
    pub csv_what: What,
    pub session_path: String,
    pub learn: LearnSettings,
    /// The preset a typed formula was edited from (its explanation stays, dimmed, while typing).
    pub edited_from: Option<String>,
    /// The formula's box while a slice is shown (restored by "Back to the formula").
    pub formula_bounds: Option<[[f64; 2]; 2]>,
}

impl Default for Settings {
    fn default() -> Self {
        let p = presets::find(presets::DEFAULT_PRESET);
        Settings {
            version: SETTINGS_VERSION,
            preset: p.map(|p| p.id.to_string()),
            formula: p.map(|p| p.formula.to_string()).unwrap_or_else(|| "x^2*y^2".into()),
            force_2d: false,
            bounds: p.map(|p| p.bounds).unwrap_or([[-1.0, 1.0], [-1.0, 1.0]]),
            gaussian: false,
            sigma: 0.5,
            model: None,
            slice: None,
            n: 1000.0,
            eps: 1e-3,
            link: false,
            link_c: 1.0,
            play_from: 1.0,
            play_to: 1e6,
            play_seconds: 6.0,
            sweep_frames: 48,
            gif_loop: 0,
            figure_size: [960, 720],
            figure_density: 2.0,
            fine: false,
            fine_from: 8_000.0,
            fine_to: 12_000.0,
            fit_window: None,
            grid: 256,
            log_colour: true,
            log_k_axis: false,
            regular_overlay: false,
            log_posterior: false,
            dark: None,
            colormap: ColourMap::Viridis,
            font_scale: 1.0,
            right_tab: Tab::Volume,
            presentation: false,
            big_panel: Panel::Landscape,
            second_panel: None,
            compare_mode: false,
            compare_preset: "paraboloid".into(),
            export_dir: std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_else(|_| ".".into()),
            png_target: ShotTarget::Window,
            csv_what: What::Volume,
            session_path: "lambdascope-session.json".into(),
            learn: LearnSettings::default(),
            edited_from: None,
            formula_bounds: None,
        }
    }
}

impl Settings {
    /// The landscape these settings describe.
    /// The command line that reopens this view: the landscape (preset, formula or model, its box
    /// and prior), n, ε, the fit window, the tab or presentation panels, theme, font scale and
    /// colour map. What it leaves out (the compare landscape, the learning settings, overlays) a
    /// saved session keeps: `--session FILE.json`.
    pub fn command_line(&self) -> String {
        let mut a: Vec<String> = vec!["lambdascope".into()];
        let mut flag = |f: &str, v: String| {
            a.push(format!("--{f}"));
            a.push(v);
        };
        // (3.5e-7, not 0.00000035: exponents where a decimal would be long; both read back exactly)
        let num =
            |v: f64| if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e7) { format!("{v:e}") } else { format!("{v}") };
        let spec = self.spec();
        match &spec.model {
            Some(m) => {
                let d = ModelSpec::preset(m.info().id);
                flag("model", m.info().id.into());
                if d.as_ref().map(|d| d.truth) != Some(m.truth) {
                    flag("truth", format!("{},{}", num(m.truth[0]), num(m.truth[1])));
                }
                if d.as_ref().map(|d| d.sigma) != Some(m.sigma) {
                    flag("sigma", num(m.sigma));
                }
                if m.seed != 1 {
                    flag("data-seed", m.seed.to_string());
                }
            }
            None => match &spec.preset {
                Some(id) => flag("preset", id.clone()),
                None => flag("expr", self.formula.clone()),
            },
        }
        if self.force_2d && spec.model.is_none() {
            flag("dim", "2".into());
        }
        let b = self.bounds;
        flag("box", [b[0][0], b[0][1], b[1][0], b[1][1]].map(num).join(","));
        if self.gaussian {
            flag("prior", format!("gaussian:{}", num(self.sigma)));
        }
        flag("n", num(self.n));
        flag("eps", num(self.eps));
        if let Some(w) = self.fit_window {
            flag("fit-window", format!("{},{}", num(w[0]), num(w[1])));
        }
        if self.presentation {
            let p = self.big_panel.name().to_string();
            flag("presentation", self.second_panel.map(|q| format!("{p},{}", q.name())).unwrap_or(p));
        }
        flag("tab", self.right_tab.name().into());
        if let Some(d) = self.dark {
            flag("theme", if d { "dark" } else { "light" }.into());
        }
        if self.font_scale != 1.0 {
            flag("font-scale", format!("{}", self.font_scale));
        }
        if self.colormap != ColourMap::Viridis {
            flag("colormap", self.colormap.name().into());
        }
        let mut line: Vec<String> = a.iter().map(|w| shell_quote(w)).collect();
        // (a model's population flag takes no value)
        if spec.model.as_ref().is_some_and(|m| m.population) {
            line.push("--population".into());
        }
        line.join(" ")
    }

    pub fn spec(&self) -> LandscapeSpec {
        let prior = if self.gaussian { Prior::Gaussian { sigma: self.sigma } } else { Prior::Uniform };
        if let Some(sl) = &self.slice {
            let mut sl = sl.clone();
            sl.n = self.n.round().clamp(10.0, crate::core::tms::TMS_N_MAX as f64) as usize;
            let mut s = LandscapeSpec::slice(sl, self.bounds);
            s.prior = prior;
            return s;
        }
        if let Some(m) = &self.model {
            let mut m = m.clone();
            m.n = self.n.round().clamp(2.0, m.n_max() as f64) as usize;
            let mut s = LandscapeSpec::model(m);
            s.bounds = Some(self.bounds);
            s.prior = prior;
            return s;
        }
        let mut s = match &self.preset {
            Some(id) if presets::find(id).map(|p| p.formula) == Some(self.formula.as_str()) => {
                LandscapeSpec::preset(id)
            }
            _ => LandscapeSpec::formula(&self.formula),
        };
        s.bounds = Some(self.bounds);
        s.dim = if self.force_2d { Some(2) } else { None };
        s.prior = prior;
        s
    }

    /// The fine slider's window around n: ±20%, on round numbers.
    pub fn fine_window_around(&mut self, n: f64) {
        let step = fine_step(n / 1.2, n * 1.2);
        self.fine_from = ((n / 1.2 / step).floor() * step).max(1.0);
        self.fine_to = ((n * 1.2 / step).ceil() * step).min(N_MAX);
    }

    /// The second landscape of compare mode: a preset, or the population K of the model on the left.
    pub fn compare_spec(&self) -> LandscapeSpec {
        match (&self.model, self.compare_preset.as_str()) {
            (Some(_), COMPARE_POPULATION) => {
                let mut s = self.spec();
                if let Some(m) = s.model.as_mut() {
                    m.population = true;
                }
                s
            }
            (_, id) => LandscapeSpec::preset(id),
        }
    }

    /// The ε the panels use: c/n when linked, else ε; within 1e-12 … the curve's ε_max.
    pub fn effective_eps(&self, eps_max: f64) -> f64 {
        let hi = eps_max.max(1e-11);
        if self.link { (self.link_c / self.n).clamp(1e-12, hi) } else { self.eps.clamp(1e-12, hi) }
    }

    /// A preset from the catalogue: its formula and box (a phase-transition preset opens the phase
    /// tab, unless another tab than the volume law was chosen).
    pub fn choose_preset(&mut self, id: &str) {
        let Some(p) = presets::find(id) else { return };
        self.model = None;
        self.slice = None;
        if self.compare_preset == COMPARE_POPULATION {
            self.compare_preset = "paraboloid".into();
        }
        self.preset = Some(p.id.to_string());
        self.edited_from = None;
        self.formula = p.formula.to_string();
        self.bounds = p.bounds;
        self.force_2d = p.dim == 2 && !self.formula.contains('y');
        self.fit_window = None;
        if p.group == presets::Group::PhaseTransitions && self.right_tab == Tab::Volume {
            self.right_tab = Tab::Phase;
        }
    }

    /// A 2-D slice of the TMS (from the lab): the slice's box, the lab's n; the formula and its
    /// box wait for "Back to the formula".
    pub fn choose_slice(&mut self, slice: SliceSpec, half_width: f64) {
        if self.slice.is_none() {
            self.formula_bounds = Some(self.bounds);
        }
        self.n = slice.n as f64;
        self.slice = Some(slice);
        self.bounds = [[-half_width, half_width], [-half_width, half_width]];
        self.fit_window = None;
        self.compare_mode = false;
    }

    /// Leave a slice: the formula (or model) and the box it had.
    pub fn leave_slice(&mut self) {
        if self.slice.take().is_some()
            && let Some(b) = self.formula_bounds.take()
        {
            self.bounds = b;
        }
        self.fit_window = None;
    }

    /// A model with sampled data, with its catalogue defaults (box, n, truth, its SGD run).
    pub fn choose_model(&mut self, id: &str) {
        let Some(m) = ModelSpec::preset(id) else { return };
        let info = m.info();
        self.bounds = info.bounds;
        self.n = info.n as f64;
        self.preset = None;
        self.edited_from = None;
        self.slice = None;
        self.model = Some(m);
        // compare mode then shows L_n beside the population K it estimates
        self.compare_preset = COMPARE_POPULATION.to_string();
        self.fit_window = None;
        let p = info.sgd;
        self.learn.sgd.start = p.start;
        self.learn.sgd.lr = p.lr;
        self.learn.sgd.batch = p.batch;
        self.learn.sgd.steps = p.steps;
    }

    /// Apply what the command line asked for (the landscape, n, ε, font scale, theme, panel, tab).
    pub fn apply_start(&mut self, start: &StartOptions) {
        if let Some(s) = &start.session {
            *self = (**s).clone();
        }
        if let Some(w) = start.fit_window {
            self.fit_window = Some(w);
        }
        if let Some(c) = start.colormap {
            self.colormap = c;
        }
        if let Some(spec) = &start.spec {
            match (&spec.model, &spec.preset) {
                (Some(m), _) => {
                    self.choose_model(m.info().id);
                    self.n = m.n as f64;
                    self.model = Some(m.clone());
                }
                (None, Some(id)) => self.choose_preset(id),
                (None, None) => {
                    self.preset = None;
                    self.formula = spec.formula.clone();
                }
            }
            if let Some(b) = spec.bounds {
                self.bounds = b;
            }
            if spec.dim == Some(2) && spec.model.is_none() {
                self.force_2d = true;
            }
            if let Prior::Gaussian { sigma } = spec.prior {
                self.gaussian = true;
                self.sigma = sigma;
            }
        }
        if let Some(n) = start.n {
            self.n = n.clamp(1.0, N_MAX);
        }
        if let Some(e) = start.eps {
            self.eps = e.max(1e-12);
        }
        if let Some(f) = start.font_scale {
            self.font_scale = f.clamp(1.0, 3.0);
        }
        if let Some(t) = start.theme {
            self.dark = Some(t.is_dark());
        }
        if let Some(p) = start.batch.as_ref().and_then(|b| b.panel) {
            self.presentation = true;
            self.big_panel = p;
            self.second_panel = None;
            if let Some(t) = p.tab() {
                self.right_tab = t;
            }
        }
        if let Some((a, b)) = start.presentation {
            self.presentation = true;
            self.big_panel = a;
            self.second_panel = b;
        }
        if let Some(t) = start.tab {
            self.right_tab = t;
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Parse and validate a session. Every failure is a sentence for the user.
    pub fn parse(text: &str) -> Result<Settings, String> {
        if text.len() as u64 > crate::files::MAX_SESSION_BYTES {
            return Err(format!(
                "the session is {} kB, more than a session can be ({} kB)",
                text.len() / 1024,
                crate::files::MAX_SESSION_BYTES / 1024
            ));
        }
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("the session file is not valid JSON ({e})"))?;
        match v.get("version").and_then(|x| x.as_u64()) {
            Some(v) if v == SETTINGS_VERSION as u64 => {}
            Some(other) => {
                return Err(format!(
                    "the session file has version {other}; this lambdascope reads version {SETTINGS_VERSION}"
                ));
            }
            None => return Err("the session file has no version field".into()),
        }
        let s: Settings =
            serde_json::from_value(v).map_err(|e| format!("the session file is incomplete or damaged ({e})"))?;
        s.validate()?;
        Ok(s)
    }

    fn validate(&self) -> Result<(), String> {
        let finite = |v: f64| v.is_finite();
        for a in 0..2 {
            let [lo, hi] = self.bounds[a];
            if !(finite(lo) && finite(hi) && lo < hi && lo.abs().max(hi.abs()) <= 1e6) {
                return Err(format!("the session's box [{lo}, {hi}] is not a valid interval"));
            }
        }
        if !(finite(self.n) && (1.0..=N_MAX).contains(&self.n)) {
            return Err(format!("the session's n = {} is outside 1 … 1e12", self.n));
        }
        let short = crate::core::num::short;
        if !(finite(self.eps) && self.eps > 0.0 && self.eps <= 1e12) {
            return Err(format!("the session's ε = {} is not within 0 … 1e12", short(self.eps)));
        }
        let [s0, s1] = crate::core::landscape::SIGMA_RANGE;
        if !(finite(self.sigma) && (s0..=s1).contains(&self.sigma)) {
            return Err(format!("the session's prior σ = {} is not within 1e-6 … 1e6", short(self.sigma)));
        }
        if !(finite(self.link_c) && self.link_c > 0.0 && self.link_c <= 1e12) {
            return Err(format!("the session's c (ε = c/n) = {} is not within 0 … 1e12", short(self.link_c)));
        }
        if ![128, 256, 512].contains(&self.grid) {
            return Err(format!("the session's grid {} is not one of 128, 256, 512", self.grid));
        }
        if !(self.font_scale.is_finite() && crate::start::FONT_SCALES.contains(&self.font_scale)) {
            return Err(format!("the session's font scale {} is outside 1 … 3", self.font_scale));
        }
        let in_n = |v: f64| finite(v) && (1.0..=N_MAX).contains(&v);
        if !(in_n(self.play_from) && in_n(self.play_to) && self.play_from < self.play_to) {
            return Err("the session's Play range is not 1 ≤ FROM < TO ≤ 1e12".into());
        }
        if !(FIGURE_SIDE.contains(&self.figure_size[0]) && FIGURE_SIDE.contains(&self.figure_size[1])) {
            return Err(format!(
                "the session's figure size {}×{} is outside {} … {}",
                self.figure_size[0],
                self.figure_size[1],
                FIGURE_SIDE.start(),
                FIGURE_SIDE.end()
            ));
        }
        if !(self.figure_density.is_finite() && FIGURE_DENSITY.contains(&self.figure_density)) {
            return Err(format!("the session's figure density {} is outside 1 … 4", self.figure_density));
        }
        if !(2..=crate::start::MAX_FRAMES).contains(&self.sweep_frames) {
            return Err(format!(
                "the session's GIF frames ({}) are outside 2 … {}",
                self.sweep_frames,
                crate::start::MAX_FRAMES
            ));
        }
        if !(finite(self.play_seconds) && (0.5..=600.0).contains(&self.play_seconds)) {
            return Err("the session's Play duration is not 0.5 … 600 s".into());
        }
        if !(in_n(self.fine_from) && in_n(self.fine_to) && self.fine_from < self.fine_to) {
            return Err("the session's fine range of n is not 1 ≤ FROM < TO ≤ 1e12".into());
        }
        if let Some(w) = self.fit_window
            && !(w[0] >= FIT_WINDOW_RANGE[0] && w[1] > w[0] && w[1] <= FIT_WINDOW_RANGE[1])
        {
            return Err(format!(
                "the session's fit window [{}, {}] is not 1e-15 ≤ EMIN < EMAX ≤ 1e12",
                short(w[0]),
                short(w[1])
            ));
        }
        if let Some(p) = &self.edited_from
            && presets::find(p).is_none()
        {
            return Err("the session's formula was edited from an unknown preset".into());
        }
        if self.formula.contains('\0') {
            return Err("the session's formula holds a NUL character".into());
        }
        if let Some(p) = &self.preset
            && presets::find(p).is_none()
        {
            return Err(format!("the session names an unknown preset '{p}'"));
        }
        if self.compare_preset != COMPARE_POPULATION && presets::find(&self.compare_preset).is_none() {
            return Err("the session's second landscape is not a preset".into());
        }
        if let Some(m) = &self.model {
            let mut m = m.clone();
            m.n = m.n.max(2).min(m.n_max());
            m.validate().map_err(|e| format!("the session's model: {e}"))?;
        }
        if let Some(sl) = &self.slice {
            let mut sl = sl.clone();
            sl.n = sl.n.clamp(10, crate::core::tms::TMS_N_MAX);
            sl.validate().map_err(|e| format!("the session's slice: {e}"))?;
        }
        if self.formula.chars().count() > crate::core::expr::MAX_FORMULA_CHARS {
            return Err("the session's formula is too long".into());
        }
        for (what, p) in [("export folder", &self.export_dir), ("session file", &self.session_path)] {
            if p.chars().count() > 4096 || p.contains('\0') {
                return Err(format!("the session's {what} is not a usable path"));
            }
        }
        self.learn.validate()
    }
}

/// The step of the fine n slider: a round number, about 1/200 of the window (a window of
/// 8,300 … 12,000 steps by 20, so 10,500 is reached exactly by mouse and by the arrow keys).
pub fn fine_step(from: f64, to: f64) -> f64 {
    let raw = ((to - from) / 200.0).max(1.0);
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * p).find(|s| *s >= raw).unwrap_or(10.0 * p)
}

/// A figure's side in SVG pixels, and its density.
pub const FIGURE_SIDE: std::ops::RangeInclusive<u32> = 200..=4000;
pub const FIGURE_DENSITY: std::ops::RangeInclusive<f32> = 1.0..=4.0;

/// A word as a POSIX shell reads it back: as it is when it holds only safe characters, else in
/// single quotes (a quote inside written '\'').
pub fn shell_quote(w: &str) -> String {
    let safe = !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || "-_.,:/=+@%".contains(c));
    if safe { w.to_string() } else { format!("'{}'", w.replace('\'', "'\\''")) }
}
