//! The side panel: what the user sets (landscape, domain, prior, n, ε, view options) and the
//! readouts of what the core computed.

use eframe::egui;
use egui::{Color32, RichText};

use crate::core::landscape::{LandscapeSpec, N_MAX, Prior};
use crate::core::model::{self, ModelSpec};
use crate::core::presets::{self, Group};

use super::plot_util::sci;

/// The values shown under "Readouts" (all computed by the core; the panel only formats them).
#[derive(Debug, Clone, Default)]
pub struct Readouts {
    pub k_min: Option<f64>,
    pub argmin: Option<Vec<f64>>,
    pub v_eps: Option<(f64, bool)>,
    pub lambda: Option<(f64, [f64; 2], u32, &'static str)>,
    pub lambda_naive: Option<f64>,
    pub exact: Option<(f64, u32, String)>,
    pub regular: Option<f64>,
    pub mass_inside: Option<(f64, bool)>,
    pub free_energy: Option<(f64, f64, bool)>,
    pub decades: Option<f64>,
    /// The fit window in use (default or chosen).
    pub fit_window: Option<[f64; 2]>,
    pub warnings: Vec<String>,
    pub compute_error: Option<String>,
}

/// The compare choice "the population K of the model on the left".
pub const COMPARE_POPULATION: &str = "@population";

pub struct Controls {
    pub preset: Option<String>,
    pub formula: String,
    pub formula_error: Option<String>,
    pub dim: usize,
    pub force_2d: bool,
    pub bounds: [[f64; 2]; 2],
    pub gaussian: bool,
    pub sigma: f64,
    pub n: f64,
    pub eps: f64,
    pub eps_max: f64,
    pub link: bool,
    pub link_c: f64,
    pub grid: usize,
    pub log_colour: bool,
    pub log_posterior: bool,
    /// None: follow the system; Some(true) dark; Some(false) light.
    pub dark: Option<bool>,
    pub fit_window: Option<[f64; 2]>,
    pub busy: bool,
    pub readouts: Readouts,
    /// Set when the user changed something that needs a new analysis (formula, domain, prior).
    pub landscape_changed: bool,
    /// Set when the user typed in the formula box (debounced by the app).
    pub formula_edited: bool,
    pub fit_window_changed: bool,
    /// "Fit view to posterior" clicked.
    pub fit_view: bool,
    /// The n sweep is running.
    pub playing: bool,
    /// Decades of n per second in the sweep.
    pub speed: f64,
    /// "10,000 / 10,500 / 11,000" clicked.
    pub open_compare: bool,
    /// Lecture mode.
    pub font_scale: f32,
    /// "viridis" | "cividis" (colour-blind safe) | "high-contrast"
    pub colormap: String,
    /// Presentation layout: side panel hidden, one panel large, big readouts.
    pub presentation: bool,
    /// Which panel presentation shows (0 landscape, 1 posterior, 2 volume law, 3 phase, 4 theory).
    pub big_panel: usize,
    pub show_help: bool,
    /// Export: folder, PNG target (0 window, 1 landscape, 2 posterior, 3 right panel), CSV kind.
    pub export_dir: String,
    pub png_target: usize,
    pub csv_what: usize,
    pub request_png: bool,
    pub request_csv: bool,
    pub session_path: String,
    pub request_save_session: bool,
    pub request_load_session: bool,
    /// "Guided tour" clicked.
    pub open_tour: bool,
    /// "Save n-sweep frames" clicked.
    pub request_sweep: bool,
    /// Compare mode: a second landscape (a preset) beside the first, sharing n and ε.
    pub compare_mode: bool,
    pub compare_preset: String,
    /// A model with sampled data in place of the formula (its n is the slider's n).
    pub model: Option<ModelSpec>,
}

impl Default for Controls {
    fn default() -> Self {
        let p = presets::find(presets::DEFAULT_PRESET);
        Controls {
            preset: p.map(|p| p.id.to_string()),
            formula: p.map(|p| p.formula.to_string()).unwrap_or_else(|| "x^2*y^2".into()),
            formula_error: None,
            dim: p.map(|p| p.dim).unwrap_or(2),
            force_2d: false,
            bounds: p.map(|p| p.bounds).unwrap_or([[-1.0, 1.0], [-1.0, 1.0]]),
            gaussian: false,
            sigma: 0.5,
            n: 1000.0,
            eps: 1e-3,
            eps_max: 1.0,
            link: false,
            link_c: 1.0,
            grid: 256,
            log_colour: true,
            log_posterior: false,
            dark: None,
            fit_window: None,
            busy: false,
            readouts: Readouts::default(),
            landscape_changed: false,
            formula_edited: false,
            fit_window_changed: false,
            fit_view: false,
            playing: false,
            speed: 1.0,
            open_compare: false,
            font_scale: 1.0,
            colormap: "viridis".into(),
            presentation: false,
            big_panel: 0,
            show_help: false,
            export_dir: std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_else(|_| ".".into()),
            png_target: 0,
            csv_what: 0,
            request_png: false,
            request_csv: false,
            session_path: "lambdascope-session.json".into(),
            request_save_session: false,
            request_load_session: false,
            open_tour: false,
            request_sweep: false,
            compare_mode: false,
            compare_preset: "paraboloid".into(),
            model: None,
        }
    }
}

impl Controls {
    /// The landscape these controls describe.
    pub fn spec(&self) -> LandscapeSpec {
        if let Some(m) = &self.model {
            let mut m = m.clone();
            m.n = self.n.round().clamp(2.0, m.n_max() as f64) as usize;
            let mut s = LandscapeSpec::model(m);
            s.bounds = Some(self.bounds);
            s.prior = if self.gaussian { Prior::Gaussian { sigma: self.sigma } } else { Prior::Uniform };
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
        s.prior = if self.gaussian { Prior::Gaussian { sigma: self.sigma } } else { Prior::Uniform };
        s
    }

    /// A model with sampled data, with its catalogue defaults (box, n, truth).
    pub fn choose_model(&mut self, id: &str) {
        if let Some(m) = ModelSpec::preset(id) {
            let info = m.info();
            self.bounds = info.bounds;
            self.n = info.n as f64;
            self.dim = 2;
            self.preset = None;
            self.model = Some(m);
            // compare mode then shows L_n beside the population K it estimates
            self.compare_preset = COMPARE_POPULATION.to_string();
            self.formula_error = None;
            self.fit_window = None;
            self.playing = false;
            self.landscape_changed = true;
        }
    }

    pub fn choose_preset(&mut self, id: &str) {
        if let Some(p) = presets::find(id) {
            self.model = None;
            if self.compare_preset == COMPARE_POPULATION {
                self.compare_preset = "paraboloid".into();
            }
            self.preset = Some(p.id.to_string());
            self.formula = p.formula.to_string();
            self.bounds = p.bounds;
            self.dim = p.dim;
            self.force_2d = p.dim == 2 && !self.formula.contains('y');
            self.formula_error = None;
            self.fit_window = None;
            self.landscape_changed = true;
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) {
        ui.heading("lambdascope");
        ui.label(RichText::new("Why singular basins win in Bayesian learning").weak());
        ui.separator();
        self.landscape_ui(ui);
        ui.separator();
        self.sliders_ui(ui);
        ui.separator();
        self.readouts_ui(ui);
        ui.separator();
        self.view_ui(ui);
        ui.separator();
        self.lecture_ui(ui);
        ui.separator();
        self.export_ui(ui);
    }

    fn lecture_ui(&mut self, ui: &mut egui::Ui) {
        ui.strong("Lecture");
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.compare_mode, "Compare with")
                .on_hover_text("Two landscapes side by side, sharing n and ε, with both volume laws on one plot.");
            let name = match self.compare_preset.as_str() {
                COMPARE_POPULATION => "population K",
                id => presets::find(id).map(|p| p.name).unwrap_or("?"),
            };
            let model = self.model.is_some();
            // (a fixed width: a long name must not widen the side panel)
            egui::ComboBox::from_label("second landscape").selected_text(name).width(130.0).show_ui(ui, |ui| {
                if model {
                    ui.selectable_value(
                        &mut self.compare_preset,
                        COMPARE_POPULATION.to_string(),
                        "population K of this model",
                    )
                    .on_hover_text("L_n on the left, the population K it estimates on the right");
                }
                for p in presets::all() {
                    ui.selectable_value(&mut self.compare_preset, p.id.to_string(), p.name);
                }
            });
        });
        ui.add(egui::Slider::new(&mut self.font_scale, 1.0..=3.0).text("font scale"))
            .on_hover_text("Scale the whole interface for a projector (1× to 3×).");
        ui.horizontal(|ui| {
            ui.label("colours");
            for (v, name, tip) in [
                ("viridis", "viridis", "Perceptually uniform (the default)"),
                ("cividis", "cividis", "Colour-blind safe"),
                ("high-contrast", "high contrast", "Black to white, for washed-out projectors"),
            ] {
                if ui.selectable_label(self.colormap == v, name).on_hover_text(tip).clicked() {
                    self.colormap = v.to_string();
                }
            }
        });
        ui.horizontal(|ui| {
            if ui
                .button("Presentation (F)")
                .on_hover_text("Hide this panel, show one panel large with big readouts.")
                .clicked()
            {
                self.presentation = true;
            }
            if ui.button("Shortcuts (?)").on_hover_text("List the keyboard shortcuts.").clicked() {
                self.show_help = true;
            }
            if ui
                .button("Guided tour")
                .on_hover_text("Walk through the story: parabola, paraboloid, cross, line, the jump.")
                .clicked()
            {
                self.open_tour = true;
            }
        });
    }

    fn export_ui(&mut self, ui: &mut egui::Ui) {
        ui.strong("Export");
        ui.horizontal(|ui| {
            ui.label("folder");
            ui.add(egui::TextEdit::singleline(&mut self.export_dir).desired_width(170.0))
                .on_hover_text("Where figures and CSV files go.");
            if ui.small_button("Browse…").on_hover_text("Choose the folder with the system's dialog").clicked()
                && let Some(p) = rfd::FileDialog::new().set_directory(&self.export_dir).pick_folder()
            {
                self.export_dir = p.display().to_string();
            }
        });
        ui.horizontal(|ui| {
            egui::ComboBox::from_label("PNG of")
                .selected_text(["window", "landscape", "posterior", "right panel"][self.png_target.min(3)])
                .show_ui(ui, |ui| {
                    for (i, n) in ["window", "landscape", "posterior", "right panel"].iter().enumerate() {
                        ui.selectable_value(&mut self.png_target, i, *n);
                    }
                });
            if ui
                .button("Save PNG (S)")
                .on_hover_text("A screenshot of the window or one panel, with provenance in the PNG.")
                .clicked()
            {
                self.request_png = true;
            }
        });
        ui.horizontal(|ui| {
            let names = ["volume", "slope", "fit", "posterior", "phase"];
            egui::ComboBox::from_label("CSV of").selected_text(names[self.csv_what.min(4)]).show_ui(ui, |ui| {
                for (i, n) in names.iter().enumerate() {
                    ui.selectable_value(&mut self.csv_what, i, *n);
                }
            });
            if ui.button("Save CSV").on_hover_text("The data behind a panel, with provenance in the header.").clicked()
            {
                self.request_csv = true;
            }
        });
        if ui
            .button("Save n-sweep frames")
            .on_hover_text("48 numbered PNGs of the PNG target as n sweeps from n/100 to 100·n (for a GIF or a video).")
            .clicked()
        {
            self.request_sweep = true;
        }
        ui.horizontal(|ui| {
            ui.label("session");
            ui.add(egui::TextEdit::singleline(&mut self.session_path).desired_width(150.0))
                .on_hover_text("A JSON file with every setting.");
            if ui.small_button("Save").on_hover_text("Save every setting to this file").clicked() {
                self.request_save_session = true;
            }
            if ui.small_button("Load").on_hover_text("Load settings from this file (it is only read)").clicked() {
                self.request_load_session = true;
            }
        });
    }

    fn landscape_ui(&mut self, ui: &mut egui::Ui) {
        ui.strong("Landscape");
        let current = match &self.model {
            Some(m) => m.info().name,
            None => self.preset.clone().and_then(|id| presets::find(&id)).map(|p| p.name).unwrap_or("(typed formula)"),
        };
        let mut chosen: Option<&'static str> = None;
        let mut chosen_model: Option<&'static str> = None;
        egui::ComboBox::from_label("Preset")
            .selected_text(current)
            .width(220.0)
            .show_ui(ui, |ui| {
                for g in Group::ALL {
                    ui.label(RichText::new(g.label()).strong().small());
                    for p in presets::all().iter().filter(|p| p.group == g) {
                        let sel = self.preset.as_deref() == Some(p.id);
                        if ui.selectable_label(sel, p.name).on_hover_text(p.explanation).clicked() {
                            chosen = Some(p.id);
                        }
                    }
                }
                ui.label(RichText::new("Models with sampled data").strong().small());
                for m in model::all() {
                    let sel = self.model.as_ref().map(|s| s.kind) == Some(m.kind);
                    if ui.selectable_label(sel, m.name).on_hover_text(m.explanation).clicked() {
                        chosen_model = Some(m.id);
                    }
                }
            })
            .response
            .on_hover_text("A catalogue of landscapes with known learning coefficients, grouped by kind.");
        if let Some(id) = chosen {
            self.choose_preset(id);
        }
        if let Some(id) = chosen_model {
            self.choose_model(id);
        }
        if self.model.is_some() {
            self.model_ui(ui);
        } else {
            self.formula_ui(ui);
        }
        self.domain_ui(ui);
    }

    /// The model's settings: truth, noise, the dataset's seed, L_n or K.
    fn model_ui(&mut self, ui: &mut egui::Ui) {
        let Some(m) = self.model.as_mut() else { return };
        let info = m.info();
        ui.label(RichText::new(info.formula).monospace());
        ui.label(RichText::new(info.explanation).small());
        let mut changed = false;
        ui.horizontal(|ui| {
            let l = ui.label("truth a₀");
            changed |= ui
                .add(egui::DragValue::new(&mut m.truth[0]).speed(0.01).range(-100.0..=100.0))
                .labelled_by(l.id)
                .on_hover_text("The true a (a₀·b₀ = 0 is the singular truth y = noise)")
                .changed();
            let l = ui.label("b₀");
            changed |= ui
                .add(egui::DragValue::new(&mut m.truth[1]).speed(0.01).range(-100.0..=100.0))
                .labelled_by(l.id)
                .on_hover_text("The true b")
                .changed();
            let l = ui.label("σ");
            changed |= ui
                .add(egui::DragValue::new(&mut m.sigma).speed(0.01).range(1e-3..=1e3))
                .labelled_by(l.id)
                .on_hover_text("Noise standard deviation")
                .changed();
        });
        ui.horizontal(|ui| {
            let l = ui.label("data seed");
            changed |= ui
                .add(egui::DragValue::new(&mut m.seed).speed(1.0))
                .labelled_by(l.id)
                .on_hover_text("The dataset is x ~ N(0, 1), y = f(x; a₀, b₀) + σ·noise, drawn from this seed")
                .changed();
            if ui.button("Resample data").on_hover_text("Draw a fresh dataset (the next seed)").clicked() {
                m.seed = m.seed.wrapping_add(1);
                changed = true;
            }
        });
        let before = m.population;
        ui.horizontal(|ui| {
            ui.radio_value(&mut m.population, false, "empirical L_n")
                .on_hover_text("Every panel shows the loss of the n drawn points");
            ui.radio_value(&mut m.population, true, "population K")
                .on_hover_text("Every panel shows the infinite-data loss K = E[L_n]");
        });
        changed |= before != m.population;
        ui.label(
            RichText::new(format!(
                "n = number of drawn points (at most {}); the posterior is prior · exp(−n·L_n).",
                sci(m.n_max() as f64)
            ))
            .small()
            .weak(),
        );
        if changed {
            self.formula_edited = true;
        }
        if let Some(e) = &self.formula_error {
            ui.label(RichText::new(e).color(Color32::from_rgb(230, 60, 60)));
        }
    }

    fn formula_ui(&mut self, ui: &mut egui::Ui) {
        if let Some(p) = self.preset.as_deref().and_then(presets::find)
            && p.formula == self.formula
        {
            ui.label(RichText::new(p.explanation).small());
        }
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            let lbl = ui.label("Formula K =");
            let r = ui
                .add(
                    // a stable id: the explanation above disappears as the user edits a preset's formula,
                    // and an automatic id would then change and drop the focus mid-typing
                    egui::TextEdit::singleline(&mut self.formula)
                        .id_salt("formula")
                        .desired_width(ui.available_width().min(260.0))
                        .font(egui::TextStyle::Monospace)
                        .hint_text("x^2*y^4"),
                )
                .on_hover_text(
                    "Type a loss in x (1-D) or x, y (2-D); it updates as you type. ^ is a power, -x^2 = -(x^2).",
                );
            let r = r.labelled_by(lbl.id);
            if r.changed() {
                self.formula_edited = true;
                if self.preset.as_deref().and_then(presets::find).map(|p| p.formula) != Some(self.formula.as_str()) {
                    self.preset = None;
                }
            }
        });
        if let Some(e) = &self.formula_error {
            ui.label(RichText::new(e).color(Color32::from_rgb(230, 60, 60)));
        }
        ui.horizontal(|ui| {
            ui.label(format!("dimension {}", self.dim));
            if ui
                .checkbox(&mut self.force_2d, "2-D")
                .on_hover_text("Treat a formula in x alone as a function on the square (x^2 becomes a line of minima).")
                .changed()
            {
                self.landscape_changed = true;
            }
        });
    }

    fn domain_ui(&mut self, ui: &mut egui::Ui) {
        ui.add_space(4.0);
        ui.label("Domain (box)");
        let axes = if self.dim == 2 { 2 } else { 1 };
        for a in 0..axes {
            ui.horizontal(|ui| {
                let name = ["x", "y"][a];
                ui.label(format!("{name} from"));
                let [mut lo, mut hi] = self.bounds[a];
                let r1 = ui
                    .add(egui::DragValue::new(&mut lo).speed(0.01).range(-1e6..=1e6))
                    .on_hover_text(format!("Lower bound of {name}"));
                ui.label("to");
                let r2 = ui
                    .add(egui::DragValue::new(&mut hi).speed(0.01).range(-1e6..=1e6))
                    .on_hover_text(format!("Upper bound of {name}"));
                if (r1.changed() || r2.changed()) && hi > lo {
                    self.bounds[a] = [lo, hi];
                    self.landscape_changed = true;
                }
            });
        }
        ui.horizontal(|ui| {
            ui.label("Prior");
            let mut changed =
                ui.radio_value(&mut self.gaussian, false, "uniform").on_hover_text("Uniform on the box.").changed();
            changed |= ui
                .radio_value(&mut self.gaussian, true, "Gaussian")
                .on_hover_text("N(0, σ²I) restricted to the box.")
                .changed();
            if self.gaussian {
                ui.label("σ");
                changed |= ui
                    .add(egui::DragValue::new(&mut self.sigma).speed(0.01).range(1e-3..=1e3))
                    .on_hover_text("Standard deviation of the Gaussian prior")
                    .changed();
            }
            if changed {
                self.landscape_changed = true;
            }
        });
    }

    fn sliders_ui(&mut self, ui: &mut egui::Ui) {
        ui.strong("Samples and threshold");
        let (range, text) = match &self.model {
            Some(m) => (2.0..=m.n_max() as f64, "n (drawn points)"),
            None => (1.0..=N_MAX, "n (samples)"),
        };
        let model = self.model.is_some();
        let r = ui
            .add(
                egui::Slider::new(&mut self.n, range)
                    .logarithmic(true)
                    .text(text)
                    .custom_formatter(move |v, _| if model { format!("{}", v.round()) } else { sci(v) })
                    .custom_parser(|s| s.trim().parse::<f64>().ok()),
            )
            .on_hover_text("Number of data points: the posterior is proportional to prior · exp(−n·K).");
        if model && r.changed() {
            // a model's dataset grows with n: a new landscape (debounced)
            self.formula_edited = true;
        }
        ui.add_enabled(
            !self.link,
            egui::Slider::new(&mut self.eps, 1e-12..=self.eps_max.max(1e-11))
                .logarithmic(true)
                .text("ε (threshold)")
                .custom_formatter(|v, _| sci(v))
                .custom_parser(|s| s.trim().parse::<f64>().ok()),
        )
        .on_hover_text("The sublevel set is {K − K* < ε}, drawn in red.");
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.link, "link ε = c/n")
                .on_hover_text("The posterior lives in the sublevel set at ε ≈ 1/n: tie ε to n.");
            if self.link {
                ui.add(egui::DragValue::new(&mut self.link_c).speed(0.05).range(1e-3..=1e3).prefix("c = "))
                    .on_hover_text("The constant c in ε = c/n");
            }
        });
        ui.horizontal(|ui| {
            if model {
                ui.disable();
            }
            let label = if self.playing { "Pause" } else { "Play n" };
            if ui.button(label).on_hover_text("Sweep n upward on a log scale; every panel follows.").clicked() {
                if !self.playing && self.n >= N_MAX {
                    self.n = 1.0;
                }
                self.playing = !self.playing;
            }
            ui.add(egui::Slider::new(&mut self.speed, 0.05..=3.0).logarithmic(true).text("decades/s"))
                .on_hover_text("Speed of the sweep: decades of n per second");
        });
        if ui
            .button("n = 10,000 / 10,500 / 11,000")
            .on_hover_text("Show the posterior at the three n of the dialogue's jump, side by side.")
            .clicked()
        {
            self.open_compare = true;
        }
        if self.link {
            self.eps = (self.link_c / self.n).clamp(1e-12, self.eps_max.max(1e-11));
        }
    }

    fn readouts_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.strong("Readouts");
            if self.busy {
                ui.add(egui::Spinner::new()).on_hover_text("Computing on the worker thread");
                ui.label(RichText::new("computing…").weak());
            }
        });
        let r = &self.readouts;
        if let Some(e) = &r.compute_error {
            ui.label(RichText::new(e).color(Color32::from_rgb(230, 60, 60)));
        }
        let ext = |b: bool| if b { " (extrapolated)" } else { "" };
        egui::Grid::new("readouts").num_columns(2).striped(true).show(ui, |ui| {
            let mut row = |k: &str, v: String, tip: &str| {
                ui.label(k).on_hover_text(tip);
                ui.label(RichText::new(v).monospace());
                ui.end_row();
            };
            if let Some(k) = r.k_min {
                row("K*", sci(k), "The minimum of K on the box.");
            }
            if let Some(w) = &r.argmin {
                let s = w.iter().map(|v| format!("{v:.4}")).collect::<Vec<_>>().join(", ");
                row("w*", format!("({s})"), "Where the minimum is attained (one of the minimisers).");
            }
            if let Some((v, e)) = r.v_eps {
                row("V(ε)", format!("{}{}", sci(v), ext(e)), "Prior mass of the sublevel set {K − K* < ε}.");
            }
            if let Some((l, ci, m, src)) = r.lambda {
                row(
                    "λ (fit)",
                    format!("{l:.4} [{:.4}, {:.4}]", ci[0], ci[1]),
                    "Learning coefficient fitted to the volume curve, with its interval (fit windows and numerical error).",
                );
                row("m", format!("{m} ({src})"), "Multiplicity: the power of log(1/ε) in the volume law.");
            }
            if let Some(l) = r.lambda_naive {
                row("naive slope", format!("{l:.4}"), "Least-squares slope of log V on log ε: biased when m > 1.");
            }
            match &r.exact {
                Some((l, m, src)) => row("exact λ", format!("{l:.4} (m = {m}, {src})"), "Known exact value."),
                None => row("exact λ", "unknown".into(), "No exact value is known for a typed formula yet."),
            }
            if let Some(d) = r.regular {
                row("d/2", format!("{d}"), "What a regular model with d parameters would have (BIC's assumption).");
            }
            if let Some((p, e)) = r.mass_inside {
                row(
                    "P(K−K* < ε)",
                    format!("{:.4}{}", p, ext(e)),
                    "Posterior mass inside the sublevel set at this n (from the volume curve, not from pixels).",
                );
            }
            if let Some((f, lf, e)) = r.free_energy {
                row("F_n", format!("{f:.4}{}", ext(e)), "Free energy −log ∫ φ·exp(−nK).");
                row("λ_F(n)", format!("{lf:.4}"), "Slope dF_n/d log n: the thermodynamic λ at this n.");
            }
            if let Some(d) = r.decades {
                row("decades", format!("{d:.1}"), "How many decades of ε the volume curve resolves.");
            }
        });
        for w in &r.warnings {
            ui.label(RichText::new(format!("warning: {w}")).small().color(Color32::from_rgb(220, 160, 40)));
        }
    }

    fn view_ui(&mut self, ui: &mut egui::Ui) {
        ui.strong("View");
        ui.horizontal(|ui| {
            ui.label("grid");
            for g in [128usize, 256, 512] {
                ui.selectable_value(&mut self.grid, g, g.to_string())
                    .on_hover_text(format!("Sample K on a {g}×{g} grid for the heatmaps"));
            }
        });
        ui.checkbox(&mut self.log_colour, "log colours for K")
            .on_hover_text("Colour K − K* on a log scale, so that flat singular valleys show.");
        ui.checkbox(&mut self.log_posterior, "log posterior density")
            .on_hover_text("Show log p: a narrow spike and a wide bump are both readable.");
        if ui
            .button("Fit view to posterior")
            .on_hover_text("Zoom the landscape and posterior panels to where the posterior is.")
            .clicked()
        {
            self.fit_view = true;
        }
        ui.horizontal(|ui| {
            ui.label("Fit window ε")
                .on_hover_text("The range of ε over which λ is fitted (also draggable on the volume plot).");
            let Some(mut w) = self.fit_window.or(self.readouts.fit_window) else {
                return;
            };
            let fmt = |v: f64, _: std::ops::RangeInclusive<usize>| format!("{v:.1e}");
            let r1 = ui
                .add(
                    egui::DragValue::new(&mut w[0])
                        .custom_formatter(fmt)
                        .custom_parser(|s| s.trim().parse().ok())
                        .speed(0.0),
                )
                .on_hover_text("Lower end of the fit window");
            ui.label("…");
            let r2 = ui
                .add(
                    egui::DragValue::new(&mut w[1])
                        .custom_formatter(fmt)
                        .custom_parser(|s| s.trim().parse().ok())
                        .speed(0.0),
                )
                .on_hover_text("Upper end of the fit window");
            if (r1.changed() || r2.changed()) && w[0] > 0.0 && w[1] > w[0] {
                self.fit_window = Some(w);
                self.fit_window_changed = true;
            }
            if self.fit_window.is_some()
                && ui
                    .small_button("default")
                    .on_hover_text("Back to the default window (the lowest six decades)")
                    .clicked()
            {
                self.fit_window = None;
                self.fit_window_changed = true;
            }
        });
        ui.horizontal(|ui| {
            ui.label("Theme");
            for (v, name, tip) in [
                (None, "system", "Follow the system's light or dark setting"),
                (Some(true), "dark", "Dark theme"),
                (Some(false), "light", "Light theme (for projectors)"),
            ] {
                if ui.selectable_label(self.dark == v, name).on_hover_text(tip).clicked() {
                    self.dark = v;
                }
            }
        });
    }
}
