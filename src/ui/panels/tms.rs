//! The TMS lab (issue 15 part 7): the Toy Model of Superposition's weight polygon along an SGD run,
//! the population loss with the k-gon levels and a phase band under it, the LLC along the path, the
//! critical-point table with the paper's values beside ours, and the n where the local free
//! energies cross. Computed on the worker (`Action::RunTms`); this panel only draws.

use eframe::egui;
use std::sync::Arc;

use egui_plot::{Line, Plot, PlotPoints, Points};

use crate::core::slice::{Directions, SliceSpec};
use crate::core::tms;
use crate::core::tms_lab::Lab;
use crate::ui::action::Action;
use crate::ui::pipeline::ViewData;

#[derive(Default)]
pub struct TmsPanel {
    pub data: Option<Arc<ViewData>>,
    /// The SGD seed to run.
    seed: Option<u64>,
    /// Which recorded SGD step the polygon shows (None: the last).
    step: Option<usize>,
    /// Playing the run: (the time it started, the step it started from).
    playing: Option<(f64, usize)>,
    /// The posterior sample shown: (index into the lab's n, sample index).
    sample: (usize, usize),
    /// What a slice passes through and along which directions.
    slice: SliceChoice,
}

/// The point a slice passes through.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
enum Through {
    /// The SGD iterate at the shown step.
    #[default]
    Sgd,
    /// A critical point (index into the table).
    Critical(usize),
    /// The shown posterior sample.
    Posterior,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct SliceChoice {
    through: Through,
    eigen: bool,
    /// 0-based: eigenvector ranks or parameter indices.
    dirs: [usize; 2],
    half_width: f64,
}

impl Default for SliceChoice {
    fn default() -> Self {
        SliceChoice { through: Through::Sgd, eigen: true, dirs: [0, 1], half_width: 0.5 }
    }
}

/// The weight polygon: one arrow per column of W; an unused feature with a positive bias red.
fn polygon(ui: &mut egui::Ui, id: &str, wv: &[f64], side: f32) {
    Plot::new(id)
        .width(side)
        .height(side)
        .data_aspect(1.0)
        .include_x(-1.5)
        .include_x(1.5)
        .include_y(-1.5)
        .include_y(1.5)
        .allow_drag(false)
        .allow_scroll(false)
        .show(ui, |p| {
            for i in 0..tms::C {
                let (x, y) = (wv[2 * i], wv[2 * i + 1]);
                let col = if wv[2 * tms::C + i] > 0.04 && x.hypot(y) < 0.2 {
                    egui::Color32::from_rgb(214, 39, 40)
                } else {
                    egui::Color32::from_rgb(31, 119, 180)
                };
                p.line(
                    Line::new(format!("W{}", i + 1), PlotPoints::from(vec![[0.0, 0.0], [x, y]])).color(col).width(2.5),
                );
                p.points(Points::new(format!("W{} tip", i + 1), vec![[x, y]]).radius(3.5).color(col));
                p.text(egui_plot::Text::new(
                    format!("label {}", i + 1),
                    [x * 1.15, y * 1.15].into(),
                    format!("{}", i + 1),
                ));
            }
        });
}

/// A colour per phase id (stable across frames).
fn phase_colour(id: &str) -> egui::Color32 {
    let base = id.trim_end_matches(" (irregular)").trim_end_matches(" (shared)");
    let c = match base {
        "0" | "1" => egui::Color32::from_rgb(150, 150, 150),
        "2" | "2+" => egui::Color32::from_rgb(140, 86, 75),
        "3" | "3+" => egui::Color32::from_rgb(148, 103, 189),
        "4" => egui::Color32::from_rgb(31, 119, 180),
        "4+" => egui::Color32::from_rgb(23, 190, 207),
        "4++" => egui::Color32::from_rgb(0, 128, 128),
        "5" => egui::Color32::from_rgb(255, 127, 14),
        "5+" => egui::Color32::from_rgb(214, 39, 40),
        "6" => egui::Color32::from_rgb(44, 160, 44),
        _ => egui::Color32::from_rgb(188, 189, 34),
    };
    if id.ends_with("(irregular)") {
        c.gamma_multiply(0.55)
    } else if id.ends_with("(shared)") {
        c.gamma_multiply(0.8)
    } else {
        c
    }
}

impl TmsPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut out = vec![];
        let w = ui.available_width();
        let learning = self.data.as_ref().map(|d| (d.learning.tms.clone(), d.learning.running_tms));
        let stage = self.data.as_ref().map(|d| d.learning.tms_stage.clone());
        egui::ScrollArea::vertical().id_salt("tms").auto_shrink([false, true]).show(ui, |ui| {
            ui.set_max_width(w);
            ui.label(
                "Toy Model of Superposition: 6 features squeezed into 2 dimensions, 18 parameters (W is 2×6, b has 6). \
                 Each column of W is one feature's arrow in the plane; the phases are polygons of k arrows (\"+\": an unused feature's bias is positive). \
                 The landscape, posterior and volume panels show the formula on the left, or a 2-D slice of this model through a point (\"A 2-D slice\", at the end).",
            );
            let seed = self.seed.get_or_insert(crate::core::tms_lab::DEFAULT_SGD.seed);
            ui.horizontal_wrapped(|ui| {
                let (running, has) = learning.as_ref().map(|l| (l.1, l.0.is_some())).unwrap_or((false, false));
                let label = if has { "Run the TMS lab again" } else { "Run the TMS lab" };
                if ui
                    .add_enabled(!running, egui::Button::new(label))
                    .on_hover_text("On the worker: the six k-gon critical points with their LLC at n = 5,000 (MALA, γ = 10), the free-energy crossovers, SGD from a standard-normal start, and the posterior sampled at five n (~12 s)")
                    .clicked()
                {
                    out.push(Action::RunTms { seed: *seed });
                }
                let l = ui.label("SGD seed");
                ui.add(egui::DragValue::new(seed).range(0..=9999)).labelled_by(l.id);
                if running {
                    ui.spinner();
                    let stage = stage.as_ref().and_then(|s| s.lock().ok().map(|g| g.clone())).unwrap_or_default();
                    ui.label(if stage.is_empty() { "computing on the worker…".to_string() } else { format!("computing {stage}…") });
                    ui.ctx().request_repaint_after(std::time::Duration::from_millis(200));
                }
            });
            match learning.and_then(|l| l.0) {
                None => {}
                Some(Err(e)) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                Some(Ok(lab)) => self.lab_ui(ui, &lab, &mut out),
            }
        });
        out
    }

    fn lab_ui(&mut self, ui: &mut egui::Ui, lab: &Lab, out: &mut Vec<Action>) {
        let run = &lab.sgd;
        let last = run.steps.len().saturating_sub(1);
        let k = self.step.unwrap_or(last).min(last);
        ui.separator();
        ui.strong(format!(
            "SGD: seed {}, learning rate {}, batch {}, {} steps on n = {} points",
            run.options.seed, run.options.lr, run.options.batch, run.options.steps, run.options.n
        ));
        // Play: the whole run in PLAY_SECONDS, the polygon, the band marker and the loss's line moving
        const PLAY_SECONDS: f64 = 12.0;
        let now = ui.input(|i| i.time);
        let k = match self.playing {
            Some((t0, k0)) => {
                let k = k0 + ((now - t0) / PLAY_SECONDS * last as f64) as usize;
                if k >= last {
                    self.playing = None;
                } else {
                    ui.ctx().request_repaint();
                }
                self.step = Some(k.min(last));
                k.min(last)
            }
            None => k,
        };
        let mut kk = k;
        ui.horizontal_wrapped(|ui| {
            let label = if self.playing.is_some() { "Pause" } else { "Play SGD" };
            if ui.button(label).on_hover_text("Animate the polygon along the run").clicked() {
                self.playing = match self.playing {
                    Some(_) => None,
                    None => Some((now, if k >= last { 0 } else { k })),
                };
            }
            let l = ui.label("step");
            if ui.add(egui::Slider::new(&mut kk, 0..=last).show_value(false)).labelled_by(l.id).changed() {
                self.step = Some(kk);
                self.playing = None;
            }
            ui.label(format!("{} — phase {}, population loss {:.5}", run.steps[k], run.phase[k], run.loss[k]));
        });
        let width = ui.available_width();
        let side = (width * 0.5).clamp(160.0, 320.0);
        // (beside the polygon when there is room for a readable column, else below it)
        let layout = if width - side > 14.0 * ui.text_style_height(&egui::TextStyle::Body) {
            egui::Layout::left_to_right(egui::Align::Min)
        } else {
            egui::Layout::top_down(egui::Align::Min)
        };
        ui.with_layout(layout, |ui| {
            // the weight polygon at the chosen step
            polygon(ui, "tms-polygon", &run.path[k], side);
            ui.vertical(|ui| {
                ui.label("Each arrow is a column W_i of W at the chosen step: the features the model represents, as a polygon in the plane. Red dot: an unused feature whose bias is positive (the \"+\").");
                if run.transitions.is_empty() {
                    ui.label("No phase change held for 2% of the run.");
                } else {
                    ui.label("Phase changes along SGD:");
                    for t in &run.transitions {
                        ui.label(format!("  step {}: {} to {}", t.0, t.1, t.2));
                    }
                }
            });
        });
        // the population loss along the run, with the critical points' levels
        let pts: Vec<[f64; 2]> = run.steps.iter().zip(&run.loss).map(|(s, l)| [*s as f64, *l]).collect();
        let end = run.steps.last().copied().unwrap_or(1) as f64;
        Plot::new("tms-loss")
            .width(width)
            .height((side * 0.75).max(140.0))
            .x_axis_label("SGD step")
            .y_axis_label("population loss H")
            // the start's loss (≈ 1) would squash the plateaus into a line: cut at 0.13, above the
            // 4-gon's 1/9 (drag or zoom out to see the start)
            .default_y_bounds(0.03, 0.13)
            .show(ui, |p| {
                p.line(Line::new("H along SGD", PlotPoints::from(pts)).width(2.0));
                for r in &lab.rows {
                    let c = phase_colour(&r.point.id);
                    p.hline(
                        egui_plot::HLine::new(format!("{}-gon", r.point.id), r.point.loss)
                            .color(c)
                            .style(egui_plot::LineStyle::dashed_loose()),
                    );
                    p.text(
                        egui_plot::Text::new(
                            format!("{}-gon level", r.point.id),
                            [end, r.point.loss].into(),
                            format!("{}-gon", r.point.id),
                        )
                        .color(c)
                        .anchor(egui::Align2::RIGHT_BOTTOM),
                    );
                }
                p.vline(egui_plot::VLine::new("shown step", run.steps[k] as f64).color(egui::Color32::GRAY));
            });
        // the phase band under it
        let (rect, _) = ui.allocate_exact_size(egui::vec2(width, 14.0), egui::Sense::hover());
        let n = run.phase.len().max(1) as f32;
        for (i, ph) in run.phase.iter().enumerate() {
            let x0 = rect.left() + rect.width() * i as f32 / n;
            let x1 = rect.left() + rect.width() * (i + 1) as f32 / n;
            ui.painter().rect_filled(
                egui::Rect::from_min_max(egui::pos2(x0, rect.top()), egui::pos2(x1 + 0.5, rect.bottom())),
                0.0,
                phase_colour(ph),
            );
        }
        ui.horizontal_wrapped(|ui| {
            ui.label("phase along SGD:");
            let mut seen: Vec<&str> = vec![];
            for ph in &run.phase {
                let base = ph.trim_end_matches(" (irregular)");
                if !seen.contains(&base) {
                    seen.push(base);
                    let (r, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                    ui.painter().rect_filled(r, 1.0, phase_colour(base));
                    ui.label(base);
                }
            }
            if run.phase.iter().any(|p| p.ends_with("(irregular)")) {
                ui.label("(faded: not yet a regular polygon)");
            }
            if run.phase.iter().any(|p| p.contains("(shared)")) {
                ui.label("(shared: two features on one vertex)");
            }
        });
        if !run.llc.is_empty() {
            let pts: Vec<[f64; 2]> = run.llc.iter().map(|p| [p.step as f64, p.llc]).collect();
            let (good, bad): (Vec<[f64; 2]>, Vec<[f64; 2]>) = pts.iter().partition(|p| p[1] >= 0.0);
            Plot::new("tms-llc-path")
                .width(width)
                .height((side * 0.5).max(110.0))
                .x_axis_label("SGD step")
                .y_axis_label("LLC at the iterate")
                .show(ui, |p| {
                    p.hline(egui_plot::HLine::new("", 0.0).color(egui::Color32::GRAY).width(0.5));
                    p.line(Line::new("LLC along SGD", PlotPoints::from(pts)));
                    p.points(Points::new("estimate", good).radius(2.5));
                    if !bad.is_empty() {
                        p.points(
                            Points::new("negative: not at a minimum", bad)
                                .radius(3.0)
                                .filled(false)
                                .color(egui::Color32::GRAY),
                        );
                    }
                });
            ui.label(
                "LLC estimated at the iterate (MALA, γ = 10, 2 chains). On a plateau the iterate rests near a saddle, no minimum: the chains go downhill and the estimate is negative (hollow grey points, not learning coefficients). After the drop the iterate sits in a minimum and the LLC is the new phase's.",
            );
        }
        ui.separator();
        ui.strong("Critical points (population loss exact; LLC at n = 5,000, MALA, γ = 10, 4 chains; d/2 = 9)");
        egui::ScrollArea::horizontal().id_salt("tms-critical-scroll").show(ui, |ui| {
            egui::Grid::new("tms-critical").striped(true).spacing([10.0, 3.0]).show(ui, |ui| {
                for h in ["phase", "kind", "H", "LLC", "paper", "rank", "l", "b"] {
                    ui.strong(h);
                }
                ui.end_row();
                for r in &lab.rows {
                    ui.colored_label(phase_colour(&r.point.id), format!("{}-gon", r.point.id));
                    if r.point.saddle {
                        ui.colored_label(ui.visuals().warn_fg_color, "saddle: not an LLC")
                            .on_hover_text(tms::saddle_warning(&r.point.id));
                    } else if r.point.on_hinge {
                        ui.colored_label(ui.visuals().warn_fg_color, "hinge: not certified")
                            .on_hover_text(tms::hinge_warning(&r.point.id));
                    } else if r.llc.warnings.is_empty() {
                        ui.label("minimum");
                    } else {
                        ui.colored_label(ui.visuals().warn_fg_color, "minimum (see warnings)")
                            .on_hover_text(r.llc.warnings.join("\n\n"));
                    }
                    ui.label(format!("{:.6}", r.point.loss));
                    let cell = ui.label(format!("{:.2} ± {:.2}", r.llc.llc_mean, r.llc.llc_se));
                    if !r.llc.warnings.is_empty() {
                        cell.on_hover_text(r.llc.warnings.join("\n\n"));
                    }
                    ui.label(
                        tms::paper_llc(&r.point.id).map(|p| format!("{} ± {}", p.0, p.1)).unwrap_or_else(|| "—".into()),
                    );
                    ui.label(r.point.hessian_rank.to_string())
                        .on_hover_text("rank of the population Hessian (18 parameters)");
                    ui.label(format!("{:.5}", r.point.l));
                    ui.label(format!("{:.5}", r.point.b));
                    ui.end_row();
                }
            });
        });
        ui.label(
            "No exact tempered value exists for these 18 coupled parameters (quadrature stops at two; a separable formula's is a sum of one-dimensional ones). \
             Paper: Chen, Lau, Mendel, Wei, Murfet (2023), SGLD estimates at n = 5,000. Ours differ with the localisation γ \
             (README \"Toy Model of Superposition\"): the k-gons other than the 6-gon are not isolated minima.",
        );
        ui.separator();
        ui.strong("Bayesian phase as n grows (local free energies F_k(n) ≈ n·H_k + λ̂_k·log n over the minima)");
        if lab.crossovers.is_empty() {
            ui.label("No crossover between n = 2 and 10¹²: one phase has both the least loss and the least LLC.");
        }
        for c in &lab.crossovers {
            ui.label(format!("{}-gon, then {}-gon from n ≈ {:.0}", c.from, c.to, c.n));
        }
        self.bayes_chart(ui, lab);
        ui.label(format!(
            "SGD ended in the {} phase; the posterior at n = {} prefers the {} phase.",
            run.phase.last().map(String::as_str).unwrap_or("?"),
            run.options.n,
            dominant(lab, run.options.n as f64)
        ));
        self.sample_ui(ui, lab, side);
        self.slice_ui(ui, lab, k, out);
    }
}

impl TmsPanel {
    /// The posterior sample chosen: (n, its phase, the point).
    fn chosen_sample<'a>(&self, lab: &'a Lab) -> Option<(usize, &'a str, &'a [f64])> {
        let b = lab.bayes.get(self.sample.0.min(lab.bayes.len().saturating_sub(1)))?;
        let (w, id) = b.samples.get(self.sample.1.min(b.samples.len().saturating_sub(1)))?;
        Some((b.n, id.as_str(), w.as_slice()))
    }

    /// One draw of the posterior (replica exchange's t = 1 copy) as a polygon, at a chosen n.
    fn sample_ui(&mut self, ui: &mut egui::Ui, lab: &Lab, side: f32) {
        if lab.bayes.iter().all(|b| b.samples.is_empty()) {
            return;
        }
        ui.separator();
        ui.strong("A posterior sample");
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("n");
            let cur = lab.bayes.get(self.sample.0).map(|b| b.n).unwrap_or(0);
            egui::ComboBox::from_id_salt("tms-sample-n")
                .selected_text(cur.to_string())
                .show_ui(ui, |ui| {
                    for (i, b) in lab.bayes.iter().enumerate() {
                        ui.selectable_value(&mut self.sample.0, i, b.n.to_string());
                    }
                })
                .response
                .labelled_by(l.id);
            let count = lab.bayes.get(self.sample.0).map(|b| b.samples.len()).unwrap_or(1).max(1);
            let l = ui.label("draw");
            ui.add(egui::Slider::new(&mut self.sample.1, 0..=count - 1)).labelled_by(l.id);
        });
        if let Some((n, id, w)) = self.chosen_sample(lab) {
            ui.horizontal_top(|ui| {
                polygon(ui, "tms-sample-polygon", w, (side * 0.7).max(140.0));
                ui.label(format!(
                    "A draw of the posterior at n = {n} (phase {id}, population loss {:.4}). At small n the posterior is a cloud of irregular polygons; from n ≈ 1,000 every draw is a hexagon.",
                    tms::population_loss(w)
                ));
            });
        }
    }

    /// A 2-D slice through a point, along two parameters or two Hessian eigenvectors, shown in the
    /// landscape, posterior and volume panels.
    fn slice_ui(&mut self, ui: &mut egui::Ui, lab: &Lab, k: usize, out: &mut Vec<Action>) {
        ui.separator();
        ui.strong("A 2-D slice through a point, in the landscape, posterior and volume panels");
        let c = &mut self.slice;
        let names = crate::core::dmodel::Model::names(&tms::Tms::population_only());
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("through");
            let text = |t: Through| match t {
                Through::Sgd => format!("the SGD iterate at step {}", lab.sgd.steps[k]),
                Through::Critical(i) => lab.rows.get(i).map(|r| format!("the {}-gon", r.point.id)).unwrap_or_default(),
                Through::Posterior => "the posterior sample above".to_string(),
            };
            egui::ComboBox::from_id_salt("tms-slice-through")
                .selected_text(text(c.through))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut c.through, Through::Sgd, text(Through::Sgd));
                    for i in 0..lab.rows.len() {
                        ui.selectable_value(&mut c.through, Through::Critical(i), text(Through::Critical(i)));
                    }
                    ui.selectable_value(&mut c.through, Through::Posterior, text(Through::Posterior));
                })
                .response
                .labelled_by(l.id);
        });
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("along");
            ui.radio_value(&mut c.eigen, true, "Hessian eigenvectors").labelled_by(l.id).on_hover_text(
                "Eigenvectors of the population Hessian at the point, by ascending eigenvalue: 1 and 2 are the most negative or flattest directions",
            );
            ui.radio_value(&mut c.eigen, false, "two parameters");
            for (j, name) in ["first", "second"].iter().enumerate() {
                let l = ui.label(*name);
                if c.eigen {
                    let mut v = c.dirs[j] + 1;
                    if ui.add(egui::DragValue::new(&mut v).range(1..=tms::D)).labelled_by(l.id).changed() {
                        c.dirs[j] = v - 1;
                    }
                } else {
                    egui::ComboBox::from_id_salt(format!("tms-slice-param-{j}"))
                        .selected_text(names[c.dirs[j].min(tms::D - 1)].clone())
                        .show_ui(ui, |ui| {
                            for (i, nm) in names.iter().enumerate() {
                                ui.selectable_value(&mut c.dirs[j], i, nm.clone());
                            }
                        })
                        .response
                        .labelled_by(l.id);
                }
            }
            let l = ui.label("half-width");
            ui.add(egui::DragValue::new(&mut c.half_width).speed(0.01).range(0.01..=2.0)).labelled_by(l.id);
        });
        let c = *c;
        let point: Option<(Vec<f64>, String)> = match c.through {
            Through::Sgd => {
                Some((lab.sgd.path[k].clone(), format!("SGD step {} ({})", lab.sgd.steps[k], lab.sgd.phase[k])))
            }
            Through::Critical(i) => lab.rows.get(i).map(|r| (r.llc.w_star.clone(), format!("the {}-gon", r.point.id))),
            Through::Posterior => {
                self.chosen_sample(lab).map(|(n, id, w)| (w.to_vec(), format!("a posterior sample at n = {n} ({id})")))
            }
        };
        let ok = c.dirs[0] != c.dirs[1];
        if !ok {
            ui.colored_label(ui.visuals().warn_fg_color, "choose two different directions");
        }
        if let Some((point, through)) = point
            && ui
                .add_enabled(ok, egui::Button::new("Show the slice"))
                .on_hover_text("K(x, y) = L_n(w₀ + x·u + y·v) on the box ±half-width, in the landscape, posterior and volume panels; \"Back to the formula\" on the left returns")
                .clicked()
        {
            let directions = if c.eigen { Directions::Eigen(c.dirs) } else { Directions::Params(c.dirs) };
            let slice = SliceSpec {
                n: lab.sgd.options.n,
                data_seed: lab.sgd.options.data_seed,
                population: false,
                point,
                through,
                directions,
            };
            out.push(Action::ShowSlice { slice, half_width: c.half_width });
        }
        ui.label(
            "A slice sees two of the 18 directions: its volume law says how L_n grows along them, not the model's learning coefficient (the LLC above needs all 18). A critical point's slice passes through the minimum of L_n the LLC was measured at.",
        );
    }

    /// Fraction of the posterior in each phase against log₁₀ n: lines from the local free energies
    /// (a), points from sampling the posterior (b, replica exchange; an irregular polygon counted
    /// with its k), and where the SGD run (at its n) ended.
    fn bayes_chart(&self, ui: &mut egui::Ui, lab: &Lab) {
        let width = ui.available_width();
        let ids: Vec<String> = lab.rows.iter().filter(|r| r.is_phase()).map(|r| r.point.id.clone()).collect();
        let sgd_n = lab.sgd.options.n as f64;
        let sgd_end = lab.sgd.phase.last().cloned().unwrap_or_default();
        Plot::new("tms-bayes")
            .width(width)
            .height(240.0)
            .x_axis_label("log₁₀ n")
            .y_axis_label("fraction of the posterior")
            .include_y(0.0)
            .include_y(1.0)
            // (room right of n = 10⁵ for the legend, so that it covers no curve)
            .include_x(1.0)
            .include_x(6.9)
            .legend(egui_plot::Legend::default().position(egui_plot::Corner::RightBottom))
            .show(ui, |p| {
                for id in &ids {
                    let pts: Vec<[f64; 2]> = (0..=120)
                        .map(|i| {
                            let lg = 1.0 + 4.0 * i as f64 / 120.0;
                            let f = crate::core::tms_lab::free_energy_fractions(&lab.rows, 10f64.powf(lg));
                            [lg, f.iter().find(|x| &x.0 == id).map(|x| x.1).unwrap_or(0.0)]
                        })
                        .collect();
                    // (line and points share a name: one legend entry per phase)
                    p.line(Line::new(format!("{id}-gon"), PlotPoints::from(pts)).color(phase_colour(id)).width(2.0));
                }
                // sampled: the minima's phases, and every other polygon as "other"
                let base_of = |id: &str| {
                    let b = id.trim_end_matches(" (irregular)").to_string();
                    if ids.contains(&b) { b } else { "other".to_string() }
                };
                let mut groups = ids.clone();
                groups.push("other".into());
                for g in &groups {
                    let pts: Vec<[f64; 2]> = lab
                        .bayes
                        .iter()
                        .map(|b| {
                            let f: f64 = b.fractions.iter().filter(|x| &base_of(&x.0) == g).map(|x| x.1).sum();
                            [(b.n as f64).log10(), f]
                        })
                        .collect();
                    let name = if g == "other" { "other polygons".to_string() } else { format!("{g}-gon") };
                    let col = if g == "other" { egui::Color32::GRAY } else { phase_colour(g) };
                    p.points(Points::new(name, pts).radius(4.5).color(col));
                }
                p.vline(
                    egui_plot::VLine::new(
                        format!("SGD at n = {} ends in {}", lab.sgd.options.n, sgd_end),
                        sgd_n.log10(),
                    )
                    .color(phase_colour(&sgd_end))
                    .style(egui_plot::LineStyle::dashed_dense()),
                );
            });
        let warn: Vec<String> =
            lab.bayes.iter().flat_map(|b| b.warnings.iter().map(move |w| format!("n = {}: {w}", b.n))).collect();
        ui.label(
            "Lines: the local free energies' prediction (asymptotic: trust it at large n). Points: the posterior sampled by replica exchange \
             (24 temperatures, two independent runs; irregular polygons counted with their k). Dashed: where the SGD run ended.",
        );
        if !warn.is_empty() {
            ui.colored_label(ui.visuals().warn_fg_color, warn.join("\n"));
        }
    }
}

/// The phase with the least local free energy at n.
fn dominant(lab: &Lab, n: f64) -> String {
    crate::core::tms_lab::free_energy_fractions(&lab.rows, n)
        .into_iter()
        .max_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal))
        .map(|f| f.0)
        .unwrap_or_else(|| "?".into())
}
