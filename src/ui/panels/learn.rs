//! The learning panel: SGD from a start point (typed or clicked on the landscape) with its loss
//! curve and the LLC along the path, and the SGLD estimate of the LLC at the minimum beside the
//! exact tempered values. Every number comes from `core::sampler`, run on the worker thread.

use eframe::egui;
use std::sync::Arc;

use egui::{Color32, RichText};
use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

use crate::core::landscape::N_MAX;
use crate::ui::ViewData;
use crate::ui::action::Action;
use crate::ui::pipeline::Learning;
use crate::ui::settings::LearnSettings;
use crate::ui::widgets::plot::sci;

/// The SGD path and the SGLD chains, drawn over the landscape and the posterior.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    pub path: Vec<[f64; 2]>,
    pub chains: Vec<Vec<[f64; 2]>>,
    pub start: Option<[f64; 2]>,
    pub centre: Option<[f64; 2]>,
}

pub const PATH_COLOUR: Color32 = Color32::from_rgb(255, 255, 255);
const CHAIN_COLOURS: [Color32; 4] = [
    Color32::from_rgb(255, 120, 60),
    Color32::from_rgb(80, 200, 255),
    Color32::from_rgb(255, 220, 60),
    Color32::from_rgb(240, 90, 220),
];

/// Draw the overlay in a plot (the landscape or the posterior).
pub fn draw_overlay(pui: &mut egui_plot::PlotUi<'_>, o: &Overlay) {
    for (i, c) in o.chains.iter().enumerate() {
        let col = CHAIN_COLOURS[i % CHAIN_COLOURS.len()];
        let pts: Vec<[f64; 2]> = c.clone();
        pui.points(Points::new(format!("LLC chain {}", i + 1), pts).radius(1.2).color(col.gamma_multiply(0.7)));
    }
    if let Some(w) = o.centre {
        pui.points(
            Points::new("w* (LLC centre)", vec![w])
                .radius(5.0)
                .shape(egui_plot::MarkerShape::Cross)
                .color(Color32::from_rgb(255, 60, 60)),
        );
    }
    if o.path.len() > 1 {
        // a dark casing under the white path keeps it visible on light and dark colour maps
        pui.line(Line::new("SGD path", PlotPoints::from(o.path.clone())).color(Color32::BLACK).width(3.5));
        pui.line(Line::new("SGD path", PlotPoints::from(o.path.clone())).color(PATH_COLOUR).width(1.8));
        if let Some(end) = o.path.last() {
            pui.points(
                Points::new("SGD end", vec![*end]).radius(4.5).shape(egui_plot::MarkerShape::Square).color(PATH_COLOUR),
            );
        }
    }
    if let Some(s) = o.start {
        pui.points(
            Points::new("SGD start", vec![s])
                .radius(5.0)
                .shape(egui_plot::MarkerShape::Diamond)
                .color(Color32::from_rgb(60, 255, 120)),
        );
    }
}

/// What the panel needs to know about the current landscape (all from the core).
#[derive(Debug, Clone, Default)]
pub struct LearnContext {
    pub version: u64,
    /// The n of the SGLD target (a model's number of points).
    pub n: f64,
    pub model: bool,
    /// The volume-law λ̂ and its interval (None: not converged).
    pub volume_lambda: Option<(f64, Option<[f64; 2]>)>,
    /// Exact λ of the landscape: the theory's verdict, the same function as the side panel's.
    pub exact: Option<(f64, u32, String)>,
    /// A model's population K: the literature's λ (a reference beside the measurement).
    pub reference: Option<(f64, u32, String)>,
    pub bounds: [[f64; 2]; 2],
    pub dim: usize,
}

impl LearnContext {
    pub fn of(d: &ViewData) -> LearnContext {
        let a = &d.analysis;
        let model = a.spec.model.as_ref();
        let reference = model.map(|m| {
            let (l, mm, why) = crate::core::model::population_lambda(m);
            (l, mm, format!("population K: {why}"))
        });
        let source = a.estimate.theory.as_ref().map(|t| t.source.to_string()).unwrap_or_default();
        let exact = a.estimate.exact().map(|(l, m)| (l, m, format!("from {source}")));
        LearnContext {
            version: a.version,
            n: match model {
                Some(m) => m.n as f64,
                None => d.n.clamp(3.0, N_MAX),
            },
            model: model.is_some_and(|m| !m.population),
            volume_lambda: Some((d.fit.best.lambda, d.fit.lambda_ci)),
            exact,
            reference,
            bounds: a.bounds,
            dim: a.dim,
        }
    }
}

/// How many of `len` recorded points an animation frame at fraction `f` of the run shows.
pub fn replay_len(len: usize, f: f64) -> usize {
    ((f.clamp(0.0, 1.0) * (len.saturating_sub(1)) as f64).round() as usize + 1).min(len)
}

/// The SGD path and the SGLD chains of the current landscape, as the settings ask to draw them.
pub fn overlay(s: &LearnSettings, d: &ViewData) -> Overlay {
    let version = d.analysis.version;
    let one_d = d.analysis.dim == 1;
    // (1-D: the plot's y axis is K, so the path is drawn at its loss values; the chains are 2-D only)
    let mut o = Overlay { start: (!one_d).then_some(s.sgd.start), ..Default::default() };
    if s.show_path
        && let Some((v, Ok(r))) = &d.learning.sgd
        && *v == version
    {
        o.path = if one_d { r.path.iter().zip(&r.loss).map(|(w, l)| [w[0], *l]).collect() } else { r.path.clone() };
        // an animation of the run draws the path up to its frame's step
        if let Some(f) = s.replay {
            o.path.truncate(replay_len(o.path.len(), f));
        }
        if one_d {
            o.start = o.path.first().copied();
        }
    }
    if !one_d
        && s.show_chains
        && let Some((v, Ok(r))) = &d.learning.llc
        && *v == version
    {
        o.chains = r.traces.clone();
        o.centre = Some(r.w_star);
    }
    o
}

/// The learning tab. It keeps no state of its own: its settings are `LearnSettings`, its results
/// come in the `ViewData`.
#[derive(Default)]
pub struct LearnPanel {
    pub data: Option<Arc<ViewData>>,
    /// Why there is no data (the input has no landscape), shown in place of a spinner.
    pub failed: Option<String>,
}

impl LearnPanel {
    /// Draw and edit the learning settings; "Run SGD" and "Estimate LLC" come back as actions.
    pub fn ui(&mut self, ui: &mut egui::Ui, s: &mut LearnSettings) -> Vec<Action> {
        let mut actions = vec![];
        let w = ui.available_width();
        let d = self.data.clone();
        let failed = self.failed.clone();
        egui::ScrollArea::vertical().id_salt("learn").auto_shrink([false, true]).show(ui, |ui| {
            // (rows wrap instead of widening the column at a large font scale)
            ui.set_max_width(w);
            let Some(d) = d else {
                // (no landscape yet: its box would clamp the start point to an empty range)
                crate::ui::widgets::waiting(ui, failed.as_deref());
                return;
            };
            let ctx = LearnContext::of(&d);
            ui.strong("Learning: SGD, SGLD and the local learning coefficient");
            ui.label(
                RichText::new(if ctx.model {
                    "SGD follows minibatch gradients of L_n; MALA (or SGLD) samples the tempered, localised posterior."
                } else {
                    "A formula has no data: SGD takes full gradient steps of K; MALA uses its exact gradient."
                })
                .small()
                .weak(),
            );
            ui.separator();
            actions.extend(sgd_ui(ui, s, &ctx, &d.learning));
            ui.separator();
            actions.extend(llc_ui(ui, s, &ctx, &d.learning));
        });
        actions
    }
}

fn sgd_ui(ui: &mut egui::Ui, s: &mut LearnSettings, ctx: &LearnContext, res: &Learning) -> Option<Action> {
    let mut action = None;
    {
        ui.strong("SGD");
        // (no range on the start: a box from the previous landscape would clamp it silently; the core
        // says when a start lies outside the box)
        let d = ctx.dim;
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("start");
            ui.add(egui::DragValue::new(&mut s.sgd.start[0]).speed(0.01).min_decimals(3).prefix("x "))
                .labelled_by(l.id)
                .on_hover_text("Start point, x (a); or click on the landscape");
            if d == 2 {
                ui.add(egui::DragValue::new(&mut s.sgd.start[1]).speed(0.01).min_decimals(3).prefix("y "))
                    .labelled_by(l.id)
                    .on_hover_text("Start point, y (b); or click on the landscape");
            }
            ui.checkbox(&mut s.pick_start, "click sets start")
                .on_hover_text("A click on the landscape (without dragging) moves the start point there");
        });
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("learning rate");
            ui.add(egui::DragValue::new(&mut s.sgd.lr).speed(0.001).range(1e-6..=10.0))
                .labelled_by(l.id)
                .on_hover_text("Step: w becomes w − lr · (gradient of the minibatch loss)");
            let l = ui.label("batch");
            ui.add_enabled(ctx.model, egui::DragValue::new(&mut s.sgd.batch).speed(1.0).range(1..=100_000))
                .labelled_by(l.id)
                .on_hover_text("Minibatch size (models; a formula has no data)");
        });
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("steps");
            ui.add(egui::DragValue::new(&mut s.sgd.steps).speed(10.0).range(1..=1_000_000)).labelled_by(l.id);
            let l = ui.label("seed");
            ui.add(egui::DragValue::new(&mut s.sgd.seed).speed(1.0))
                .labelled_by(l.id)
                .on_hover_text("Seed of the minibatches");
        });
        ui.horizontal_wrapped(|ui| {
            let l = ui.checkbox(&mut s.llc_along, "LLC every").on_hover_text(
                "Estimate the LLC at the current point along the path (2 chains; localised at that point)",
            );
            ui.add_enabled(s.llc_along, egui::DragValue::new(&mut s.llc_every).speed(1.0).range(1..=1_000_000))
                .labelled_by(l.id)
                .on_hover_text("steps between estimates (at most 60 along one path)");
            let l = ui.label("draws");
            ui.add_enabled(s.llc_along, egui::DragValue::new(&mut s.llc_along_draws).speed(100.0).range(100..=100_000))
                .labelled_by(l.id)
                .on_hover_text("SGLD draws per chain for each estimate along the path");
        });
        ui.horizontal(|ui| {
            if ui
                .button("Run SGD")
                .on_hover_text("Run on the worker thread; the path appears on the landscape")
                .clicked()
            {
                action = Some(Action::RunSgd);
            }
            if res.running_sgd {
                ui.spinner();
            }
            ui.checkbox(&mut s.show_path, "draw path");
            if ui
                .small_button("GIF")
                .on_hover_text(
                    "Save the run as one animated GIF: the path on the landscape and the loss and LLC curves drawn step by step, in Play's duration, with the number of frames set in Export",
                )
                .clicked()
            {
                action = Some(Action::SaveSgdGif);
            }
        });
        let Some(r) = current(ui, &res.sgd, ctx.version, "run again") else { return action };
        if let (Some(w), Some(l)) = (r.path.last(), r.loss.last()) {
            ui.label(format!(
                "end {}   loss {}{}   ({:.0} ms{})",
                crate::core::landscape::fmt_point(*w, d),
                sci(*l),
                r.population.last().map(|k| format!(", K {}", sci(*k))).unwrap_or_default(),
                r.elapsed_ms,
                if r.full_batch { ", full gradient" } else { "" }
            ));
        }
        for w in &r.warnings {
            ui.label(RichText::new(w).color(Color32::from_rgb(220, 160, 40)).small());
        }
        let h = 140.0;
        // (an animation of the run shows the curves up to its frame's step, on the whole run's axes)
        let shown = s.replay.map_or(r.steps.len(), |f| replay_len(r.steps.len(), f));
        let last_step = r.steps.get(shown.saturating_sub(1)).copied().unwrap_or(0);
        let x_end = r.steps.last().copied().unwrap_or(1) as f64;
        let loss: Vec<[f64; 2]> = r.steps.iter().zip(&r.loss).take(shown).map(|(s, l)| [*s as f64, *l]).collect();
        let pop: Vec<[f64; 2]> = r.steps.iter().zip(&r.population).take(shown).map(|(s, l)| [*s as f64, *l]).collect();
        let link = egui::Id::unique("sgd-steps");
        Plot::new("sgd-loss")
            .height(h)
            .include_x(0.0)
            .include_x(x_end)
            .legend(Legend::default())
            .x_axis_label("step")
            .y_axis_label("loss")
            .link_axis(link, [true, false])
            .label_formatter({
                // the recorded values at the step nearest the pointer (not the pointer's height)
                let r = r.clone();
                let model = ctx.model;
                move |hp: &egui_plot::HoverPosition<'_>| {
                    let x = crate::ui::widgets::plot::hover_pos(hp).x;
                    let k = nearest(r.steps.iter().map(|s| *s as f64), x)?;
                    let pop = r.population.get(k).map(|v| format!("\npopulation K = {}", sci(*v))).unwrap_or_default();
                    let name = if model { "L_n" } else { "K" };
                    Some(format!("step {}\n{name} = {}{pop}", r.steps[k], sci(r.loss[k])))
                }
            })
            .show(ui, |pui| {
                pui.line(Line::new(if ctx.model { "L_n" } else { "K" }, PlotPoints::from(loss)).width(2.0));
                if !pop.is_empty() {
                    pui.line(
                        Line::new("population K", PlotPoints::from(pop))
                            .width(1.5)
                            .style(egui_plot::LineStyle::dashed_loose()),
                    );
                }
            });
        if !r.llc.is_empty() {
            // far-negative values (at a saddle or on a slope) would squash the rest: they are drawn
            // at the lower edge as down-triangles
            let hi = r.llc.iter().map(|p| p.mean).filter(|v| v.is_finite()).fold(1.2f64, f64::max);
            let lo = r.llc.iter().map(|p| p.mean).filter(|v| v.is_finite()).fold(0.0f64, f64::min).max(-0.5);
            let upto = |p: &&crate::core::sgd::LlcPoint| p.step <= last_step;
            let pts: Vec<[f64; 2]> = r.llc.iter().filter(upto).map(|p| [p.step as f64, p.mean.max(lo)]).collect();
            let below: Vec<[f64; 2]> =
                r.llc.iter().filter(upto).filter(|p| p.mean < lo).map(|p| [p.step as f64, lo]).collect();
            let x1 = r.steps.last().copied().unwrap_or(1).max(1) as f64;
            Plot::new("sgd-llc")
                .height(h)
                .legend(Legend::default().position(egui_plot::Corner::LeftTop))
                .x_axis_label("step")
                .y_axis_label("LLC")
                .link_axis(link, [true, false])
                .label_formatter({
                    let r = r.clone();
                    move |hp: &egui_plot::HoverPosition<'_>| {
                        let x = crate::ui::widgets::plot::hover_pos(hp).x;
                        let k = nearest(r.llc.iter().map(|p| p.step as f64), x)?;
                        let p = &r.llc[k];
                        Some(format!("step {}\nLLC = {:.4} ± {:.4}", p.step, p.mean, p.se))
                    }
                })
                .show(ui, |pui| {
                    pui.set_plot_bounds(egui_plot::PlotBounds::from_min_max(
                        [-0.02 * x1, lo - 0.05 * (hi - lo)],
                        [1.02 * x1, hi + 0.05 * (hi - lo)],
                    ));
                    for p in r.llc.iter().filter(upto).filter(|p| p.mean >= lo) {
                        let s = p.step as f64;
                        pui.line(
                            Line::new("± s.e.", PlotPoints::from(vec![[s, p.mean - p.se], [s, p.mean + p.se]]))
                                .color(Color32::GRAY),
                        );
                    }
                    if !below.is_empty() {
                        pui.points(
                            Points::new(format!("below {lo}"), below)
                                .radius(4.0)
                                .shape(egui_plot::MarkerShape::Down)
                                .color(Color32::from_rgb(220, 160, 40)),
                        );
                    }
                    pui.line(Line::new("LLC along the path", PlotPoints::from(pts.clone())).width(1.5));
                    pui.points(Points::new("LLC along the path", pts).radius(2.5));
                });
            ui.label(
                RichText::new(
                    "Each point: the LLC localised at the SGD iterate. Away from a minimum (a saddle, a slope) it is not a learning coefficient and can be negative.",
                )
                .small()
                .weak(),
            );
        }
    }
    action
}

fn llc_ui(ui: &mut egui::Ui, s: &mut LearnSettings, ctx: &LearnContext, res: &Learning) -> Option<Action> {
    let mut action = None;
    {
        ui.strong("LLC at the minimum (MALA or SGLD)");
        ui.label(
            RichText::new(format!(
                "LLC = n·β·(E[L_n] − L_n(w*)), n = {}{}",
                sci(ctx.n),
                if ctx.model { " (the drawn points)" } else { " (the n slider)" }
            ))
            .small(),
        );
        ui.horizontal_wrapped(|ui| {
            let l = ui.checkbox(&mut s.beta_auto, "β = 1/log n");
            let mut beta = s.llc.beta.unwrap_or(1.0 / ctx.n.max(3.0).ln());
            if ui
                .add_enabled(!s.beta_auto, egui::DragValue::new(&mut beta).speed(0.001).range(1e-6..=100.0))
                .labelled_by(l.id)
                .changed()
            {
                s.llc.beta = Some(beta);
            }
            let l = ui.label("γ");
            ui.add(egui::DragValue::new(&mut s.llc.gamma).speed(0.1).range(0.0..=1e6))
                .labelled_by(l.id)
                .on_hover_text("Localisation strength: the prior exp(−(γ/2)|w − w*|²)");
        });
        ui.horizontal_wrapped(|ui| {
            let l = ui.checkbox(&mut s.step_auto, "step auto").on_hover_text(
                "Preconditioned step: 0.02 times the inverse of (nβ·H + γ), capped at 1e-4 of the explored region²",
            );
            let mut step = s.llc.step.unwrap_or(1e-4);
            if ui
                .add_enabled(!s.step_auto, egui::DragValue::new(&mut step).speed(1e-6).range(1e-12..=1.0))
                .labelled_by(l.id)
                .changed()
            {
                s.llc.step = Some(step);
            }
            let l = ui.label("seed");
            ui.add(egui::DragValue::new(&mut s.llc.seed).speed(1.0)).labelled_by(l.id);
        });
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("chains");
            ui.add(egui::DragValue::new(&mut s.llc.chains).speed(1.0).range(1..=16)).labelled_by(l.id);
            let l = ui.label("draws");
            ui.add(egui::DragValue::new(&mut s.llc.draws).speed(100.0).range(100..=1_000_000)).labelled_by(l.id);
        });
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("burn-in");
            ui.add(egui::DragValue::new(&mut s.llc.burn_in).speed(100.0).range(0..=1_000_000))
                .labelled_by(l.id)
                .on_hover_text("Steps discarded at the start of each chain (excluded from the average)");
            let l = ui
                .add_enabled(ctx.model, egui::Checkbox::new(&mut s.minibatch, "minibatch"))
                .on_hover_text("Models: minibatch gradients as devinterp does (else the exact gradient of L_n)");
            ui.add_enabled(
                ctx.model && s.minibatch,
                egui::DragValue::new(&mut s.llc_batch).speed(1.0).range(1..=100_000),
            )
            .labelled_by(l.id);
        });
        ui.horizontal_wrapped(|ui| {
            use crate::core::sampler::Sampler;
            let l = ui.label("sampler");
            let name = match s.llc.sampler {
                None => "auto",
                Some(Sampler::Mala) => "MALA",
                Some(Sampler::Sgld) => "SGLD",
            };
            egui::ComboBox::from_id_salt("llc-sampler")
                .selected_text(name)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut s.llc.sampler, None, "auto")
                        .on_hover_text("MALA with exact gradients, SGLD with a minibatch");
                    ui.selectable_value(&mut s.llc.sampler, Some(Sampler::Mala), "MALA")
                        .on_hover_text("Metropolis-adjusted: the tempered posterior exactly, only Monte Carlo error");
                    ui.selectable_value(&mut s.llc.sampler, Some(Sampler::Sgld), "SGLD")
                        .on_hover_text("Unadjusted, as devinterp runs it: a step-size bias besides Monte Carlo error");
                })
                .response
                .labelled_by(l.id);
        });
        ui.horizontal(|ui| {
            if ui.button("Estimate LLC").on_hover_text("Chains started at the minimum w*").clicked() {
                action = Some(Action::RunLlc);
            }
            if res.running_llc {
                ui.spinner();
            }
            ui.checkbox(&mut s.show_chains, "draw chains");
        });
        let Some(r) = current(ui, &res.llc, ctx.version, "estimate again") else { return action };
        // the warnings first: a number the chains cannot vouch for must not lead
        for w in &r.warnings {
            ui.label(RichText::new(format!("Warning: {w}")).color(Color32::from_rgb(230, 150, 30)).strong());
        }
        if !r.localisation.is_empty() {
            ui.label(RichText::new(format!("Localised: {}", r.localisation)).small());
        }
        let doubtful = !r.warnings.is_empty();
        egui::Grid::new("llc-results").num_columns(2).striped(true).show(ui, |ui| {
            let mut row = |k: &str, v: String, tip: &str| {
                ui.label(k).on_hover_text(tip);
                ui.label(RichText::new(v).monospace());
                ui.end_row();
            };
            row(
                if r.sampler == crate::core::sampler::Sampler::Mala { "LLC (MALA)" } else { "LLC (SGLD)" },
                format!("{:.4} {}{}", r.llc_mean, crate::core::num::pm(r.llc_se), if doubtful { " (see the warning)" } else { "" }),
                "Mean over chains ± standard error across chains",
            );
            row("spread of chains", format!("{:.4}", r.llc_std), "Standard deviation of the chains' estimates");
            row(
                "exact, same γ",
                crate::core::num::fixed4(r.exact_tempered_localized),
                "n·β·E[L − L*] under the same localised target, by quadrature: the sampler's error is the difference to the line above",
            );
            row(
                "exact, no localisation",
                crate::core::num::fixed4(r.exact_tempered),
                "n·β·E_β[L − L*] under the box prior (from the volume curve): the localisation's effect is the difference to the line above",
            );
            if let Some((l, ci)) = ctx.volume_lambda {
                row(
                    "volume-law slope",
                    match ci {
                        Some(ci) => format!("{l:.4} [{:.3}, {:.3}]", ci[0], ci[1]),
                        None => format!("{l:.4} (not converged)"),
                    },
                    "λ from the fitted V(ε): what finite n approaches",
                );
            }
            match &ctx.exact {
                Some((l, m, src)) => row("exact λ", format!("{l:.4} (m = {m})"), src),
                None => row("exact λ", "unknown".into(), "The theory has no exact verdict here (as in the side panel)."),
            }
            if let Some((l, m, src)) = &ctx.reference {
                row("reference λ", format!("{l:.4} (m = {m})"), src);
            }
            row(
                "settings",
                format!(
                    "β {:.4}, γ {}, η {}, {}×{}{}",
                    r.beta,
                    r.gamma,
                    sci(r.step),
                    r.chains,
                    r.draws,
                    r.batch.map(|b| format!(", batch {b}")).unwrap_or_default()
                ),
                "Every setting used, with the step chosen",
            );
            row("time", format!("{:.0} ms", r.elapsed_ms), "Wall time of the estimate on the worker thread");
        });
        ui.label(RichText::new("WBIC = E_β[n·L_n] at β = 1/log n, and F_n (each − n·L*)").small().strong());
        egui::Grid::new("llc-wbic").num_columns(2).striped(true).show(ui, |ui| {
            let mut row = |k: &str, v: f64, tip: &str| {
                ui.label(k).on_hover_text(tip);
                ui.label(RichText::new(crate::core::num::fixed4(v)).monospace());
                ui.end_row();
            };
            row("WBIC, sampled", r.wbic.sampler, "From the chains: LLC / β, with the localisation γ");
            row(
                "WBIC, exact, same γ",
                r.wbic.exact_same_gamma,
                "By quadrature: the difference to the line above is the sampler's",
            );
            row(
                "WBIC, exact",
                r.wbic.exact,
                "Without localisation: the difference to the line above is the localisation's",
            );
            row(
                "F_n, exact",
                r.wbic.free_energy,
                "The free energy from the volume law: the difference to the line above is WBIC's own",
            );
        });
        diagnostics_ui(ui, &r);
    }
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        ui.strong("Calibration");
        if ui
            .button("Calibrate step × γ")
            .on_hover_text(
                "Estimate the LLC on a 5 × 5 grid of step scales and localisations γ (SGLD unless MALA is chosen), each against the exact value for its own target; the recommended cell is the cheapest that is right",
            )
            .clicked()
        {
            action = Some(Action::RunCalibration);
        }
        if res.running_calibration {
            ui.spinner();
        }
    });
    if let Some(c) = current(ui, &res.calibration, ctx.version, "calibrate again") {
        calibration_ui(ui, &c);
    }
    action
}

/// The calibration grid as a heatmap: a row per γ, a column per step scale; each cell its estimate,
/// coloured by its error in standard errors (green within 2, then orange to red), the recommended
/// cell outlined.
fn calibration_ui(ui: &mut egui::Ui, c: &crate::core::sampler::Calibration) {
    let mut steps: Vec<f64> = c.cells.iter().map(|x| x.step_scale).collect();
    steps.sort_by(f64::total_cmp);
    steps.dedup();
    let mut gammas: Vec<f64> = c.cells.iter().map(|x| x.gamma).collect();
    gammas.sort_by(f64::total_cmp);
    gammas.dedup();
    ui.label(
        RichText::new(format!(
            "{} chains; exact without localisation {}; rows γ, columns step × (the automatic step); green: within 2 s.e. of its own exact value",
            c.sampler.name().to_uppercase(),
            crate::core::num::fixed4(c.exact_unlocalized)
        ))
        .small(),
    );
    egui::Grid::new("calibration").spacing([2.0, 2.0]).show(ui, |ui| {
        ui.label(RichText::new("γ \\ step×").small());
        for k in &steps {
            ui.label(RichText::new(format!("{k}")).small().monospace());
        }
        ui.end_row();
        for g in &gammas {
            ui.label(RichText::new(format!("{g}")).small().monospace());
            for k in &steps {
                let Some(cell) = c.cells.iter().find(|x| x.gamma == *g && x.step_scale == *k) else {
                    ui.label("");
                    continue;
                };
                let z = (cell.estimate - cell.exact).abs() / cell.se.max(0.005);
                let fill = if cell.ok {
                    Color32::from_rgb(60, 150, 70)
                } else if z < 5.0 {
                    Color32::from_rgb(200, 140, 40)
                } else {
                    Color32::from_rgb(190, 60, 50)
                };
                let recommended = c.recommended.is_some_and(|r| r.gamma == *g && r.step_scale == *k);
                let text = RichText::new(format!("{:.3}", cell.estimate)).small().monospace().color(Color32::WHITE);
                let b = egui::Button::new(text).fill(fill).stroke(if recommended {
                    egui::Stroke::new(2.5, Color32::WHITE)
                } else {
                    egui::Stroke::NONE
                });
                ui.add(b).on_hover_text(format!(
                    "γ = {g}, step × {k} (η = {}): {:.4} ± {:.4}, exact {:.4}{}",
                    sci(cell.step),
                    cell.estimate,
                    cell.se,
                    cell.exact,
                    if recommended { "\nrecommended" } else { "" }
                ));
            }
            ui.end_row();
        }
    });
    match &c.recommended {
        Some(r) => ui.label(
            RichText::new(format!(
                "recommended: γ = {}, step × {} (η = {}): {:.4} ± {:.4} — {}",
                r.gamma,
                r.step_scale,
                sci(r.step),
                r.estimate,
                r.se,
                c.reason
            ))
            .small(),
        ),
        None => ui.label(RichText::new(&c.reason).small().color(Color32::from_rgb(230, 150, 30))),
    };
}

/// Is the estimate trustworthy? The sampler and why, split-R̂, the effective draws, the acceptance
/// (MALA) or the change at half the step (SGLD), the burn-in chosen from the traces; each chain's
/// trace of n·β·(L − L*) and its running LLC beside the exact tempered value (a dashed line).
fn diagnostics_ui(ui: &mut egui::Ui, r: &crate::core::sampler::LlcResult) {
    let dg = &r.diagnostics;
    egui::CollapsingHeader::new("Diagnostics").default_open(true).show(ui, |ui| {
        ui.label(RichText::new(&r.sampler_reason).small());
        let ok = |good: bool| if good { Color32::from_rgb(90, 180, 90) } else { Color32::from_rgb(230, 150, 30) };
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(format!("split R-hat {}", crate::core::num::fixed4(dg.r_hat)))
                    .monospace()
                    .color(ok(dg.r_hat < 1.05)),
            )
            .on_hover_text("Near 1 when the chains agree with each other and with themselves (below 1.05 is good)");
            ui.label(RichText::new(format!("ESS {:.0}", dg.ess)).monospace().color(ok(dg.ess >= 400.0)))
                .on_hover_text("Effective draws over all chains (400 or more for a trustworthy standard error)");
            if let Some(a) = dg.acceptance {
                ui.label(
                    RichText::new(format!("acceptance {:.0}%", 100.0 * a))
                        .monospace()
                        .color(ok((0.2..0.95).contains(&a))),
                )
                .on_hover_text("MALA's accepted proposals after the burn-in (tuned towards 57%)");
            }
            if let Some(b) = dg.step_bias {
                let fine = b.abs() <= 2.0 * r.llc_se.max(0.005);
                ui.label(RichText::new(format!("half step {b:+.4}")).monospace().color(ok(fine)))
                    .on_hover_text("SGLD run again at half the step: the change is its step-size bias");
            }
            ui.label(RichText::new(format!("burn-in {}", dg.burn_in)).monospace())
                .on_hover_text("The tuning steps, then the draws each chain needed to reach its typical level");
        });
        let exact = r.exact_tempered_localized;
        let h = 110.0;
        ui.label(
            RichText::new("one colour per chain; dashed green: the exact value for the same target (same β, same γ)")
                .small()
                .weak(),
        );
        for (id, title, series) in [
            ("llc-traces", "n·β·(L − L*) per chain", &dg.traces),
            ("llc-running", "running LLC", &dg.running),
            ("llc-distance", "|w − w*|", &dg.distance),
        ] {
            Plot::new(id).height(h).x_axis_label("draw").y_axis_label(title).show(ui, |pui| {
                for (i, t) in series.iter().enumerate() {
                    pui.line(
                        Line::new(format!("chain {}", i + 1), PlotPoints::from(t.clone()))
                            .color(crate::ui::widgets::plot::basin_colour(i))
                            .width(1.0),
                    );
                }
                if exact.is_finite() && id != "llc-distance" {
                    pui.hline(
                        egui_plot::HLine::new("exact, same γ", exact)
                            .color(Color32::from_rgb(120, 220, 120))
                            .style(egui_plot::LineStyle::dashed_dense())
                            .width(2.0),
                    );
                }
            });
        }
    });
}

/// The index of the value nearest x.
fn nearest(xs: impl Iterator<Item = f64>, x: f64) -> Option<usize> {
    xs.enumerate().min_by(|a, b| (a.1 - x).abs().total_cmp(&(b.1 - x).abs())).map(|(i, _)| i)
}

/// A result of the current landscape, or None after saying why not (stale, or the core's error).
fn current<T>(
    ui: &mut egui::Ui,
    slot: &Option<(u64, Result<Arc<T>, String>)>,
    version: u64,
    again: &str,
) -> Option<Arc<T>> {
    let (v, res) = slot.as_ref()?;
    if *v != version {
        ui.label(RichText::new(format!("(the landscape changed: {again})")).weak());
        return None;
    }
    match res {
        Ok(r) => Some(r.clone()),
        Err(e) => {
            ui.label(RichText::new(e).color(Color32::from_rgb(230, 60, 60)));
            None
        }
    }
}
