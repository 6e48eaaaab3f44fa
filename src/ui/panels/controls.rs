//! The side panel: what the user sets (landscape, domain, prior, n, ε, view options) and the
//! readouts of what the core computed.

use eframe::egui;
use egui::{Color32, RichText};

use crate::core::export::What;
use crate::core::landscape::N_MAX;
use crate::core::model;
use crate::core::presets::{self, Group};
use crate::core::readouts::Readouts;
use crate::core::theory::Status as Verdict;
use crate::ui::action::Action;
use crate::ui::pipeline::Status;
use crate::ui::settings::{COMPARE_POPULATION, ColourMap, Settings, ShotTarget};
use crate::ui::widgets::plot::sci;

/// What the side panel shows besides the settings (from the pipeline, read only).
pub struct SideContext<'a> {
    pub status: &'a Status,
    pub readouts: Option<&'a Readouts>,
    pub playing: bool,
}

/// A collapsible section of the side panel (its open state is egui's memory, not a setting).
fn section(ui: &mut egui::Ui, title: &str, open: bool, body: impl FnOnce(&mut egui::Ui)) {
    egui::CollapsingHeader::new(RichText::new(title).strong()).id_salt(title).default_open(open).show(ui, body);
}

/// The side panel. It keeps no state: it edits the settings and returns the user's other intents.
#[derive(Default)]
pub struct ControlsPanel;

struct Side<'a, 'b> {
    s: &'a mut Settings,
    cx: &'a SideContext<'b>,
    out: Vec<Action>,
}

impl ControlsPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, s: &mut Settings, cx: &SideContext<'_>) -> Vec<Action> {
        let mut side = Side { s, cx, out: vec![] };
        side.ui(ui);
        side.out
    }
}

impl Side<'_, '_> {
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        // (the subtitle beside the name, not under it: every section header fits a 900 px screen)
        ui.horizontal_wrapped(|ui| {
            ui.heading("lambdascope");
            ui.label(RichText::new("why singular basins win in Bayesian learning").weak().small());
        });
        ui.separator();
        // collapsible sections: at 1400×900 every header is on screen without scrolling
        section(ui, "Landscape", true, |ui| self.landscape_ui(ui));
        section(ui, "Samples and threshold", true, |ui| self.sliders_ui(ui));
        let title = if self.cx.status.stale {
            "Readouts (computing…: these are of the previous input)"
        } else if self.cx.status.busy {
            "Readouts (updating the view…)"
        } else {
            "Readouts"
        };
        egui::CollapsingHeader::new(RichText::new(title).strong())
            .id_salt("Readouts")
            .default_open(true)
            .show(ui, |ui| self.readouts_ui(ui));
        section(ui, "Lecture", true, |ui| self.lecture_ui(ui));
        section(ui, "View", false, |ui| self.view_ui(ui));
        section(ui, "Export", false, |ui| self.export_ui(ui));
    }

    fn lecture_ui(&mut self, ui: &mut egui::Ui) {
        ui.checkbox(&mut self.s.regular_overlay, "why is λ < d/2?")
            .on_hover_text("Draw, beside the red sublevel set, the set a regular basin x² (+ y²) would have at the same ε: its size is ε^(d/2); a singular basin's is larger, ε^λ.");
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.s.compare_mode, "Compare with")
                .on_hover_text("Two landscapes side by side, sharing n and ε, with both volume laws on one plot.");
            let name = match self.s.compare_preset.as_str() {
                COMPARE_POPULATION => "population K",
                id => presets::find(id).map(|p| p.name).unwrap_or("?"),
            };
            let model = self.s.model.is_some();
            // (a fixed width: a long name must not widen the side panel)
            egui::ComboBox::from_label("second landscape").selected_text(name).width(130.0).show_ui(ui, |ui| {
                if model {
                    ui.selectable_value(
                        &mut self.s.compare_preset,
                        COMPARE_POPULATION.to_string(),
                        "population K of this model",
                    )
                    .on_hover_text("L_n on the left, the population K it estimates on the right");
                }
                for p in presets::all() {
                    ui.selectable_value(&mut self.s.compare_preset, p.id.to_string(), p.name);
                }
            });
        });
        ui.add(egui::Slider::new(&mut self.s.font_scale, 1.0..=3.0).text("font scale"))
            .on_hover_text("Scale the whole interface for a projector (1× to 3×).");
        ui.horizontal(|ui| {
            ui.label("colours");
            for (v, name, tip) in [
                (ColourMap::Viridis, "viridis", "Perceptually uniform (the default)"),
                (ColourMap::Cividis, "cividis", "Colour-blind safe"),
                (ColourMap::HighContrast, "high contrast", "Black to white, for washed-out projectors"),
            ] {
                if ui.selectable_label(self.s.colormap == v, name).on_hover_text(tip).clicked() {
                    self.s.colormap = v;
                }
            }
        });
        ui.horizontal(|ui| {
            if ui
                .button("Presentation (F)")
                .on_hover_text("Hide this panel, show one panel large with big readouts.")
                .clicked()
            {
                self.out.push(Action::Presentation(true));
            }
            if ui.button("Shortcuts (?)").on_hover_text("List the keyboard shortcuts.").clicked() {
                self.out.push(Action::ShowHelp(true));
            }
            if ui
                .button("Guided tour")
                .on_hover_text("Walk through the story: parabola, paraboloid, cross, line, the jump.")
                .clicked()
            {
                self.out.push(Action::Tour(Some(0)));
            }
        });
    }

    fn export_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.label("folder");
            ui.add(egui::TextEdit::singleline(&mut self.s.export_dir).desired_width(170.0))
                .on_hover_text("Where figures and CSV files go.");
            if ui.small_button("Browse…").on_hover_text("Choose the folder with the system's dialog").clicked()
                && let Some(p) = rfd::FileDialog::new().set_directory(&self.s.export_dir).pick_folder()
            {
                self.s.export_dir = p.display().to_string();
            }
        });
        ui.horizontal(|ui| {
            egui::ComboBox::from_label("PNG of").selected_text(self.s.png_target.name()).show_ui(ui, |ui| {
                for &t in ShotTarget::ALL {
                    ui.selectable_value(&mut self.s.png_target, t, t.name());
                }
            });
            if ui
                .button("Save PNG (S)")
                .on_hover_text(
                    "The window (a screenshot), or one panel as a figure at the size and density below, with provenance in the PNG.",
                )
                .clicked()
            {
                self.out.push(Action::SavePng);
            }
        });
        ui.horizontal(|ui| {
            let l = ui.label("figure");
            let side = crate::settings::FIGURE_SIDE;
            ui.add(egui::DragValue::new(&mut self.s.figure_size[0]).range(side.clone()).suffix(" ×"))
                .labelled_by(l.id)
                .on_hover_text("A panel's figure: width in SVG pixels (its text is sized for 960 × 720)");
            ui.add(egui::DragValue::new(&mut self.s.figure_size[1]).range(side).suffix(" px"))
                .on_hover_text("and height");
            let d = ui.label("density");
            egui::ComboBox::from_id_salt("figure-density")
                .selected_text(format!("{}×", self.s.figure_density))
                .width(48.0)
                .show_ui(ui, |ui| {
                    for k in [1.0f32, 2.0, 3.0, 4.0] {
                        ui.selectable_value(&mut self.s.figure_density, k, format!("{k}×"));
                    }
                })
                .response
                .labelled_by(d.id)
                .on_hover_text("A panel's PNG has this many pixels per SVG pixel (2×: 1920 × 1440 for 960 × 720)");
        });
        ui.horizontal(|ui| {
            if ui
                .button("Save SVG")
                .on_hover_text(
                    "A vector figure of the chosen panel (landscape, posterior or the right panel's tab), from the computed numbers: text stays text, fonts resize in one <style> block.",
                )
                .clicked()
            {
                self.out.push(Action::SaveSvg);
            }
            if ui
                .button("Save as…")
                .on_hover_text("Choose the file: .png for a screenshot, .svg for a vector figure of the chosen panel.")
                .clicked()
                && let Some(p) = rfd::FileDialog::new()
                    .set_directory(&self.s.export_dir)
                    .add_filter("PNG or SVG", &["png", "svg"])
                    .save_file()
            {
                self.out.push(Action::SaveFigureAs(p));
            }
        });
        ui.horizontal(|ui| {
            egui::ComboBox::from_label("CSV of").selected_text(self.s.csv_what.name()).show_ui(ui, |ui| {
                for &w in What::ALL {
                    ui.selectable_value(&mut self.s.csv_what, w, w.name());
                }
            });
            if ui.button("Save CSV").on_hover_text("The data behind a panel, with provenance in the header.").clicked()
            {
                self.out.push(Action::SaveCsv);
            }
        });
        if ui
            .button("Copy as command")
            .on_hover_text(
                "Put on the clipboard the command line that reopens this view (landscape, box, prior, n, ε, fit window, tab, theme, font scale, colour map). Every PNG and CSV carries the same line.",
            )
            .clicked()
        {
            self.out.push(Action::CopyCommand);
        }
        ui.horizontal(|ui| {
            if ui
                .button("Save n sweep as GIF")
                .on_hover_text(
                    "One animated GIF of the PNG target (the panels without the side panel when it is the window) as n sweeps over Play's range, FROM to TO, at Play's speed; n is set back afterwards.",
                )
                .clicked()
            {
                self.out.push(Action::SaveSweep);
            }
            let l = ui.label("frames");
            ui.add(egui::DragValue::new(&mut self.s.sweep_frames).range(2..=crate::start::MAX_FRAMES))
                .labelled_by(l.id)
                .on_hover_text("How many frames the GIF holds");
            let l = ui.label("loop");
            ui.add(egui::DragValue::new(&mut self.s.gif_loop).range(0..=1000))
                .labelled_by(l.id)
                .on_hover_text("0: the GIF loops forever; k: it plays k + 1 times (its speed is Play's duration over the frames)");
        });
        ui.horizontal(|ui| {
            ui.label("session");
            ui.add(egui::TextEdit::singleline(&mut self.s.session_path).desired_width(150.0))
                .on_hover_text("A JSON file with every setting.");
            if ui.small_button("Save").on_hover_text("Save every setting to this file").clicked() {
                self.out.push(Action::SaveSession);
            }
            if ui.small_button("Load").on_hover_text("Load settings from this file (it is only read)").clicked() {
                self.out.push(Action::LoadSession);
            }
        });
    }

    fn landscape_ui(&mut self, ui: &mut egui::Ui) {
        let current = match &self.s.model {
            _ if self.s.slice.is_some() => "(a slice of the TMS)",
            Some(m) => m.info().name,
            None => {
                self.s.preset.clone().and_then(|id| presets::find(&id)).map(|p| p.name).unwrap_or("(typed formula)")
            }
        };
        let mut chosen: Option<&'static str> = None;
        let mut chosen_model: Option<&'static str> = None;
        // (a narrow panel truncates the label rather than wrapping it letter by letter)
        ui.scope(|ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
            egui::ComboBox::from_label("Preset")
                .selected_text(current)
                .width((ui.available_width() - 90.0).clamp(40.0, 220.0))
                .truncate()
                .show_ui(ui, |ui| {
                    for g in Group::ALL {
                        ui.label(RichText::new(g.label()).strong().small());
                        for p in presets::all().iter().filter(|p| p.group == g) {
                            let sel = self.s.preset.as_deref() == Some(p.id);
                            if ui.selectable_label(sel, p.name).on_hover_text(p.explanation).clicked() {
                                chosen = Some(p.id);
                            }
                        }
                    }
                    ui.label(RichText::new("Models with sampled data").strong().small());
                    for m in model::all() {
                        let sel = self.s.model.as_ref().map(|s| s.kind) == Some(m.kind);
                        if ui.selectable_label(sel, m.name).on_hover_text(m.explanation).clicked() {
                            chosen_model = Some(m.id);
                        }
                    }
                })
                .response
                .on_hover_text("A catalogue of landscapes with known learning coefficients, grouped by kind.");
        });
        if let Some(id) = chosen {
            self.out.push(Action::ChoosePreset(id));
        }
        if let Some(id) = chosen_model {
            self.out.push(Action::ChooseModel(id));
        }
        if let Some(sl) = &self.s.slice {
            ui.label(RichText::new("A 2-D slice of an 18-parameter model").strong());
            ui.label(
                RichText::new(format!(
                    "K(x, y) = L(w₀ + x·u + y·v): the {}. Its volume law is the slice's (how the loss grows along these two directions), not the model's learning coefficient. n is the TMS's data size.",
                    sl.label().trim_start_matches("slice of the ")
                ))
                .small(),
            );
            if ui.button("Back to the formula").on_hover_text("The formula (or model) and the box it had").clicked() {
                self.out.push(Action::LeaveSlice);
            }
        } else if self.s.model.is_some() {
            self.model_ui(ui);
        } else {
            self.formula_ui(ui);
        }
        self.domain_ui(ui);
    }

    /// The model's settings: truth, noise, the dataset's seed, L_n or K.
    fn model_ui(&mut self, ui: &mut egui::Ui) {
        let Some(m) = self.s.model.as_mut() else { return };
        let info = m.info();
        ui.label(RichText::new(info.formula).monospace());
        ui.label(RichText::new(info.explanation).small());
        ui.horizontal(|ui| {
            let l = ui.label("truth a₀");
            ui.add(egui::DragValue::new(&mut m.truth[0]).speed(0.01).range(-100.0..=100.0))
                .labelled_by(l.id)
                .on_hover_text("The true a (a₀·b₀ = 0 is the singular truth y = noise)");
            let l = ui.label("b₀");
            ui.add(egui::DragValue::new(&mut m.truth[1]).speed(0.01).range(-100.0..=100.0))
                .labelled_by(l.id)
                .on_hover_text("The true b");
            let l = ui.label("σ");
            ui.add(egui::DragValue::new(&mut m.sigma).speed(0.01).range(1e-3..=1e3))
                .labelled_by(l.id)
                .on_hover_text("Noise standard deviation");
        });
        ui.horizontal(|ui| {
            let l = ui.label("data seed");
            ui.add(egui::DragValue::new(&mut m.seed).speed(1.0))
                .labelled_by(l.id)
                .on_hover_text("The dataset is x ~ N(0, 1), y = f(x; a₀, b₀) + σ·noise, drawn from this seed");
            if ui.button("Resample data").on_hover_text("Draw a fresh dataset (the next seed)").clicked() {
                m.seed = m.seed.wrapping_add(1);
            }
        });
        ui.horizontal(|ui| {
            ui.radio_value(&mut m.population, false, "empirical L_n")
                .on_hover_text("Every panel shows the loss of the n drawn points");
            ui.radio_value(&mut m.population, true, "population K")
                .on_hover_text("Every panel shows the infinite-data loss K = E[L_n]");
        });
        ui.label(
            RichText::new(format!(
                "n = number of drawn points (at most {}); the posterior is prior · exp(−n·L_n).",
                sci(m.n_max() as f64)
            ))
            .small()
            .weak(),
        );
        // (a change of the model's settings is debounced by the pipeline, like typing)
        if let Some(e) = &self.cx.status.error {
            ui.label(RichText::new(e).color(Color32::from_rgb(230, 60, 60)));
        }
    }

    fn formula_ui(&mut self, ui: &mut egui::Ui) {
        // the preset's explanation stays while its formula is edited (dimmed, so that nothing
        // moves under the pointer); a typed formula from scratch has none
        if let Some(p) = self.s.preset.as_deref().and_then(presets::find)
            && p.formula == self.s.formula
        {
            ui.label(RichText::new(p.explanation).small());
        } else if let Some(p) = self.s.edited_from.as_deref().and_then(presets::find) {
            ui.label(RichText::new(p.explanation).small().weak())
                .on_hover_text(format!("The explanation of '{}': the formula below has been edited.", p.name));
        }
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            let lbl = ui.label("Formula K =");
            let r = ui
                .add(
                    // a stable id: the explanation above disappears as the user edits a preset's formula,
                    // and an automatic id would then change and drop the focus mid-typing
                    egui::TextEdit::singleline(&mut self.s.formula)
                        .id_salt("formula")
                        .desired_width(ui.available_width().min(260.0))
                        .font(egui::TextStyle::Monospace)
                        .hint_text("x^2*y^4"),
                )
                .on_hover_text(
                    "Type a loss in x (1-D) or x, y (2-D); it updates as you type. ^ is a power, -x^2 = -(x^2).",
                );
            let r = r.labelled_by(lbl.id);
            // (the pipeline notices the edit and debounces it)
            if r.changed()
                && self.s.preset.as_deref().and_then(presets::find).map(|p| p.formula) != Some(self.s.formula.as_str())
                && let Some(p) = self.s.preset.take()
            {
                self.s.edited_from = Some(p);
            }
        });
        if let Some(e) = &self.cx.status.error {
            ui.label(RichText::new(e).color(Color32::from_rgb(230, 60, 60)));
        }
        ui.horizontal(|ui| {
            ui.label(format!("dimension {}", self.cx.status.dim));
            ui.checkbox(&mut self.s.force_2d, "2-D").on_hover_text(
                "Treat a formula in x alone as a function on the square (x^2 becomes a line of minima).",
            );
        });
    }

    fn domain_ui(&mut self, ui: &mut egui::Ui) {
        let axes = if self.cx.status.dim == 2 { 2 } else { 1 };
        // one row for the box (x and y): the side panel's sections all fit on a 900 px screen
        ui.horizontal_wrapped(|ui| {
            ui.label("box").on_hover_text("The domain: the prior lives on this box");
            for a in 0..axes {
                let name = ["x", "y"][a];
                ui.label(name);
                let [mut lo, mut hi] = self.s.bounds[a];
                let r1 = ui
                    .add(egui::DragValue::new(&mut lo).speed(0.01).range(-1e6..=1e6))
                    .on_hover_text(format!("Lower bound of {name}"));
                ui.label("…");
                let r2 = ui
                    .add(egui::DragValue::new(&mut hi).speed(0.01).range(-1e6..=1e6))
                    .on_hover_text(format!("Upper bound of {name}"));
                if (r1.changed() || r2.changed()) && hi > lo {
                    self.s.bounds[a] = [lo, hi];
                }
            }
        });
        ui.horizontal(|ui| {
            ui.label("Prior");
            ui.radio_value(&mut self.s.gaussian, false, "uniform").on_hover_text("Uniform on the box.");
            ui.radio_value(&mut self.s.gaussian, true, "Gaussian").on_hover_text("N(0, σ²I) restricted to the box.");
            if self.s.gaussian {
                ui.label("σ");
                ui.add(egui::DragValue::new(&mut self.s.sigma).speed(0.01).range(1e-3..=1e3))
                    .on_hover_text("Standard deviation of the Gaussian prior");
            }
        });
    }

    fn sliders_ui(&mut self, ui: &mut egui::Ui) {
        let (range, text) = match &self.s.model {
            _ if self.s.slice.is_some() => (10.0..=1e6, "n (TMS data points)"),
            Some(m) => (2.0..=m.n_max() as f64, "n (drawn points)"),
            None => (1.0..=N_MAX, "n (samples)"),
        };
        let model = self.s.model.is_some() || self.s.slice.is_some();
        // (a model's dataset grows with n: the pipeline sees a new landscape and debounces it)
        ui.add(
            egui::Slider::new(&mut self.s.n, range)
                .logarithmic(true)
                .text(text)
                .custom_formatter(move |v, _| if model { format!("{}", v.round()) } else { sci(v) })
                .custom_parser(|s| s.trim().parse::<f64>().ok()),
        )
        .on_hover_text("Number of data points: the posterior is proportional to prior · exp(−n·K).");
        // the ε in use: c/n when linked (shown, not stored); the range is the resolved one, applied
        // to the user's edits only (SliderClamping::Edits), so that no result is written back
        let eps_max = self.cx.status.eps_max.max(1e-11);
        let linked = self.s.link;
        let mut shown = self.s.effective_eps(self.cx.status.eps_max);
        ui.add_enabled(
            !linked,
            egui::Slider::new(if linked { &mut shown } else { &mut self.s.eps }, 1e-12..=eps_max)
                .logarithmic(true)
                .clamping(egui::SliderClamping::Edits)
                .text("ε (threshold)")
                .custom_formatter(|v, _| sci(v))
                .custom_parser(|s| s.trim().parse::<f64>().ok()),
        )
        .on_hover_text("The sublevel set is {K − K* < ε}, drawn in red.");
        ui.horizontal(|ui| {
            let r = ui
                .checkbox(&mut self.s.link, "link ε = c/n")
                .on_hover_text("The posterior lives in the sublevel set at ε ≈ 1/n: tie ε to n.");
            if r.changed() && !self.s.link {
                // unlinking keeps the ε that was shown
                self.s.eps = shown;
            }
            if self.s.link {
                ui.add(egui::DragValue::new(&mut self.s.link_c).speed(0.05).range(1e-3..=1e3).prefix("c = "))
                    .on_hover_text("The constant c in ε = c/n");
            }
        });
        // fine control: a linear slider over a window of n (10,000 → 11,000 is a third of a pixel on
        // the log slider above)
        let r = ui.checkbox(&mut self.s.fine, "fine n").on_hover_text(
            "A linear slider over a window of n (±20% when switched on; the ends are editable): step by step through a jump",
        );
        if r.changed() && self.s.fine {
            let n = self.s.n;
            self.s.fine_window_around(n);
        }
        if self.s.fine {
            let (lo, hi) = (self.s.fine_from, self.s.fine_to);
            let step = crate::ui::settings::fine_step(lo, hi);
            // the whole width of the panel: a step is a few pixels, so the mouse reaches every n
            ui.scope(|ui| {
                ui.spacing_mut().slider_width = (ui.available_width() - 110.0).max(100.0);
                ui.add(
                    egui::Slider::new(&mut self.s.n, lo..=hi)
                        .step_by(step)
                        .clamping(egui::SliderClamping::Edits)
                        .text("n (fine)")
                        .custom_formatter(|v, _| format!("{v:.0}"))
                        .custom_parser(|t| t.trim().parse::<f64>().ok()),
                )
                .on_hover_text(format!("n in steps of {step}; the arrow keys move one step"));
            });
        }
        if self.s.fine {
            ui.horizontal(|ui| {
                ui.label("window");
                let l = ui.label("from");
                ui.add(egui::DragValue::new(&mut self.s.fine_from).speed(10.0).range(1.0..=N_MAX)).labelled_by(l.id);
                let l = ui.label("to");
                ui.add(egui::DragValue::new(&mut self.s.fine_to).speed(10.0).range(1.0..=N_MAX)).labelled_by(l.id);
                if self.s.fine_to <= self.s.fine_from {
                    self.s.fine_to = self.s.fine_from * 1.2;
                }
            });
        }
        ui.horizontal_wrapped(|ui| {
            if model {
                ui.disable();
            }
            let label = if self.cx.playing { "Pause" } else { "Play n" };
            if ui
                .button(label)
                .on_hover_text("Sweep n from FROM to TO in the time given; every panel follows.")
                .clicked()
            {
                self.out.push(Action::TogglePlay);
            }
            let l = ui.label("from");
            ui.add(
                egui::DragValue::new(&mut self.s.play_from)
                    .speed(1.0)
                    .range(1.0..=N_MAX)
                    .custom_formatter(|v, _| sci(v)),
            )
            .labelled_by(l.id)
            .on_hover_text("Play starts at this n");
            let l = ui.label("to");
            ui.add(
                egui::DragValue::new(&mut self.s.play_to).speed(1.0).range(1.0..=N_MAX).custom_formatter(|v, _| sci(v)),
            )
            .labelled_by(l.id)
            .on_hover_text("and ends here (log-uniformly)");
            let l = ui.label("in");
            ui.add(egui::DragValue::new(&mut self.s.play_seconds).speed(0.1).range(0.5..=600.0).suffix(" s"))
                .labelled_by(l.id)
                .on_hover_text("Duration of the sweep: a jump needs seconds, not a frame");
            if self.s.play_to <= self.s.play_from {
                self.s.play_to = self.s.play_from * 10.0;
            }
        });
        if ui
            .button("n = 10,000 / 10,500 / 11,000")
            .on_hover_text("Show the posterior at the three n of the dialogue's jump, side by side.")
            .clicked()
        {
            self.out.push(Action::OpenThreePosteriors);
        }
    }

    fn readouts_ui(&mut self, ui: &mut egui::Ui) {
        // (the state is in the section's title: no line appears or goes, nothing below moves)
        let stale = self.cx.status.stale;
        if let Some(e) = &self.cx.status.compute_error {
            ui.label(RichText::new(e).color(Color32::from_rgb(230, 60, 60)));
        }
        let r = self.cx.readouts;
        let ext = |b: bool| if b { " (extrapolated)" } else { "" };
        egui::Grid::new("readouts").num_columns(2).striped(true).show(ui, |ui| {
            let mut row = |k: &str, v: String, tip: &str| {
                ui.label(k).on_hover_text(tip);
                let v = RichText::new(v).monospace();
                ui.label(if stale { v.weak() } else { v });
                ui.end_row();
            };
            let Some(r) = r else {
                row("exact λ", "unknown".into(), "No exact value is known for a typed formula yet.");
                return;
            };
            row("K*", sci(r.k_min), "The minimum of K on the box.");
            if let Some(w) = &r.argmin {
                let s = w.iter().map(|v| format!("{v:.4}")).collect::<Vec<_>>().join(", ");
                row("w*", format!("({s})"), "Where the minimum is attained (one of the minimisers).");
            }
            let v = r.v_eps;
            row(
                "V(ε)",
                format!("{}{}", sci(v.value), ext(v.extrapolated)),
                "Prior mass of the sublevel set {K − K* < ε}.",
            );
            let l = r.lambda;
            row(
                "λ (fit)",
                crate::core::fit::lambda_text(l.lambda, l.ci, l.convergence),
                "Learning coefficient fitted to the volume curve, with its interval (fit windows and numerical error).",
            );
            row("m", format!("{} ({})", l.m, l.m_source), "Multiplicity: the power of log(1/ε) in the volume law.");
            row(
                "naive slope",
                format!("{:.4}", r.lambda_naive),
                "Least-squares slope of log V on log ε: biased when m > 1.",
            );
            match &r.theory {
                Some(t) if t.status == Verdict::Exact => row(
                    "exact λ",
                    format!("{:.4} (m = {}, {})", t.lambda, t.m, t.source),
                    "From the analysis of the formula at its minimisers (Newton polygon, derivatives, Hessian).",
                ),
                Some(t) if t.status == Verdict::UpperBound => row(
                    "theory",
                    format!("λ ≤ {:.4} ({})", t.lambda, t.source),
                    "Only an upper bound: a degenerate face, a rank-deficient Hessian, or a minimum set the analysis could not cover.",
                ),
                _ => row("exact λ", "unknown".into(), "The analysis cannot say: not a polynomial, not analytic, or on the edge."),
            }
            if let Some((l, m)) = r.reference {
                row("reference", format!("{l} (m = {m})"), "The catalogue's value for this preset: shown beside the measurement, never used by it.");
            }
            if r.certified == Some(false) {
                row("K*", "not certified".into(), "The interval search ran out of its budget: a lower point may exist (see the warning).");
            }
            row(
                "d/2",
                format!("{}", r.regular),
                "What a regular model with d parameters would have (BIC's assumption).",
            );
            if let Some(p) = r.mass_inside {
                row(
                    "P(K−K* < ε)",
                    format!("{:.4}{}", p.value, ext(p.extrapolated)),
                    "Posterior mass inside the sublevel set at this n (from the volume curve, not from pixels).",
                );
            }
            if let Some(f) = r.free_energy {
                row("F_n", format!("{:.4}{}", f.f, ext(f.extrapolated)), "Free energy −log ∫ φ·exp(−nK).");
                row("λ_F(n)", format!("{:.4}", f.lambda_f), "Slope dF_n/d log n: the thermodynamic λ at this n.");
            }
            row("decades", format!("{:.1}", r.decades), "How many decades of ε the volume curve resolves.");
        });
        for w in r.map(|r| r.warnings.as_slice()).unwrap_or_default() {
            ui.label(RichText::new(format!("warning: {w}")).small().color(Color32::from_rgb(220, 160, 40)));
        }
    }

    fn view_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.label("grid");
            for g in [128usize, 256, 512] {
                ui.selectable_value(&mut self.s.grid, g, g.to_string())
                    .on_hover_text(format!("Sample K on a {g}×{g} grid for the heatmaps"));
            }
        });
        if self.cx.status.dim == 1 {
            ui.checkbox(&mut self.s.log_k_axis, "log K axis")
                .on_hover_text("Plot K − K* on a log axis: basins of very different depths and widths both show.");
        } else {
            ui.checkbox(&mut self.s.log_colour, "log colours for K")
                .on_hover_text("Colour K − K* on a log scale, so that flat singular valleys show.");
        }
        ui.checkbox(&mut self.s.log_posterior, "log posterior density")
            .on_hover_text("Show log p: a narrow spike and a wide bump are both readable.");
        ui.horizontal(|ui| {
            ui.label("Fit window ε")
                .on_hover_text("The range of ε over which λ is fitted (also draggable on the volume plot).");
            let Some(mut w) = self.s.fit_window.or(self.cx.readouts.map(|r| r.fit_window)) else {
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
                self.s.fit_window = Some(w);
            }
            if self.s.fit_window.is_some()
                && ui
                    .small_button("default")
                    .on_hover_text("Back to the default window (the lowest six decades)")
                    .clicked()
            {
                self.s.fit_window = None;
            }
        });
        ui.horizontal(|ui| {
            ui.label("Theme");
            for (v, name, tip) in [
                (None, "system", "Follow the system's light or dark setting"),
                (Some(true), "dark", "Dark theme"),
                (Some(false), "light", "Light theme (for projectors)"),
            ] {
                if ui.selectable_label(self.s.dark == v, name).on_hover_text(tip).clicked() {
                    self.s.dark = v;
                }
            }
        });
    }
}
