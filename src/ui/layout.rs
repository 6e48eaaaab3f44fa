//! Where the panels go: the side panel, the normal layout (landscape and posterior on the left,
//! the tabs on the right), compare mode, and the presentation layout. Each layout draws the
//! panels with the frame's data and returns the actions they asked for.

use eframe::egui;
use std::sync::Arc;

use crate::start::{Panel, Tab};

use super::ViewData;
use super::action::Action;
use super::panels::controls::{ControlsPanel, SideContext};
use super::panels::landscape::LandscapePanel;
use super::panels::learn::LearnPanel;
use super::panels::phase::PhasePanel;
use super::panels::posterior::PosteriorPanel;
use super::panels::theory::TheoryPanel;
use super::panels::volume::{VolumePanel, compare_plot};
use super::settings::Settings;
use super::widgets::plot::sci;

/// Where the panels were drawn (for cropping screenshots): landscape, posterior, right column.
pub type Rects = [Option<egui::Rect>; 3];

/// Every panel's drawing state.
pub struct Panels {
    pub controls: ControlsPanel,
    pub landscape: LandscapePanel,
    pub posterior: PosteriorPanel,
    pub volume: VolumePanel,
    pub phase: PhasePanel,
    pub theory: TheoryPanel,
    pub learn: LearnPanel,
    pub tms: super::panels::tms::TmsPanel,
    /// Compare mode's second landscape.
    pub landscape_b: LandscapePanel,
    pub posterior_b: PosteriorPanel,
}

impl Default for Panels {
    fn default() -> Self {
        Panels {
            controls: ControlsPanel,
            landscape: LandscapePanel::default(),
            posterior: PosteriorPanel::default(),
            volume: VolumePanel::default(),
            phase: PhasePanel::default(),
            theory: TheoryPanel::default(),
            learn: LearnPanel::default(),
            tms: Default::default(),
            landscape_b: LandscapePanel::with_salt("-b"),
            posterior_b: PosteriorPanel::with_salt("-b"),
        }
    }
}

/// The right column's tabs: name and hover text.
const TABS: [(Tab, &str, &str); 5] = [
    (Tab::Volume, "Volume law", "V(ε) on log–log axes, its fit and the local slope"),
    (Tab::Phase, "Phase transitions", "Posterior mass per basin against n, and the free energies"),
    (Tab::Theory, "Theory", "Exact λ from the Newton polygon, the Hessian, and the comparison with the measurements"),
    (Tab::Learn, "Learning", "SGD from a start point, SGLD chains and the local learning coefficient"),
    (
        Tab::Tms,
        "TMS lab",
        "The Toy Model of Superposition (18 parameters): its k-gon phases, their LLCs, SGD between them",
    ),
];

impl Panels {
    /// Give every panel the frame's data (`b`: compare mode's second landscape).
    pub fn set_data(&mut self, a: &Option<Arc<ViewData>>, b: &Option<Arc<ViewData>>, failed: [Option<String>; 2]) {
        let [fa, fb] = failed;
        self.landscape.failed = fa.clone();
        self.posterior.failed = fa.clone();
        self.volume.failed = fa.clone();
        self.phase.failed = fa.clone();
        self.theory.failed = fa.clone();
        self.learn.failed = fa;
        self.landscape_b.failed = fb.clone();
        self.posterior_b.failed = fb;
        self.landscape.data = a.clone();
        self.posterior.data = a.clone();
        self.volume.data = a.clone();
        self.phase.data = a.clone();
        self.theory.data = a.clone();
        self.learn.data = a.clone();
        self.tms.data = a.clone();
        self.landscape_b.data = b.clone();
        self.posterior_b.data = b.clone();
    }

    /// The settings and readouts on the left (the same panel in every layout but presentation).
    pub fn side(&mut self, ui: &mut egui::Ui, s: &mut Settings, cx: &SideContext<'_>) -> (Vec<Action>, egui::Rect) {
        let mut out = vec![];
        let controls = &mut self.controls;
        let r = egui::Panel::left("controls")
            .default_size(340.0)
            .max_size((ui.available_width() * 0.4).max(200.0))
            .resizable(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| out = controls.ui(ui, s, cx));
            });
        (out, r.response.rect)
    }

    /// Landscape and posterior on the left, the tabs on the right.
    pub fn main(&mut self, ui: &mut egui::Ui, s: &mut Settings, rects: &mut Rects) -> Vec<Action> {
        let mut out = vec![];
        let p = self;
        // a small screen in points (a large font scale on a small window): one panel at a time,
        // chosen by tabs, rather than five panels too small to read
        let screen = ui.ctx().content_rect().size();
        if screen.x < 700.0 || screen.y < 400.0 {
            egui::CentralPanel::default().show(ui, |ui| {
                // (a menu, not a row of tabs: six tabs in large type would take half the height)
                egui::ComboBox::from_label("panel").selected_text(s.big_panel.title()).truncate().show_ui(ui, |ui| {
                    for &q in Panel::ALL {
                        ui.selectable_value(&mut s.big_panel, q, q.title());
                    }
                });
                let full = ui.available_rect_before_wrap();
                out.extend(p.centred(ui, s.big_panel, s));
                *rects = [Some(full); 3];
            });
            return out;
        }
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
                        out.extend(p.posterior.ui(ui));
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
                            Tab::Tms => out.extend(p.tms.ui(ui)),
                        }
                    });
                });
                rects[2] = Some(r.response.rect);
            });
        });
        out
    }

    /// Compare mode: two landscapes side by side sharing n and ε, both volume laws below.
    pub fn compare(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut out = vec![];
        let (data_a, data_b) = (self.landscape.data.clone(), self.landscape_b.data.clone());
        let p = self;
        egui::CentralPanel::default().show(ui, |ui| {
            let avail = ui.available_size();
            let gap = ui.spacing().item_spacing;
            let col_w = ((avail.x - gap.x) * 0.5).max(200.0);
            let row_h = ((avail.y - 3.0 * gap.y) * 0.36).max(140.0);
            ui.horizontal_top(|ui| {
                for (l, q, d) in
                    [(&mut p.landscape, &mut p.posterior, &data_a), (&mut p.landscape_b, &mut p.posterior_b, &data_b)]
                {
                    ui.vertical(|ui| {
                        ui.set_width(col_w);
                        match d {
                            Some(d) => {
                                let t = format!(
                                    "{}: fitted λ = {:.4}, d/2 = {}",
                                    crate::core::expr::pretty(&d.analysis.spec.label()),
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
                            out.extend(q.ui(ui));
                        });
                    });
                }
            });
            if let (Some(a), Some(b)) = (&data_a, &data_b) {
                compare_plot(ui, a, b);
            }
        });
        out
    }

    /// One panel, or two side by side, filling the screen with larger text; big readouts and the
    /// panel choice above; no side panel.
    pub fn presentation(&mut self, ui: &mut egui::Ui, s: &mut Settings, eps: f64, rects: &mut Rects) -> Vec<Action> {
        let mut out = vec![];
        let r = self.landscape.data.as_ref().map(|v| v.readouts.clone());
        let formula = self.landscape.data.as_ref().map(|d| crate::core::expr::pretty(&d.analysis.spec.label()));
        // on a small screen (a large font scale on a 1280×720 projector: 427×240 points) the top bar
        // shrinks: smaller type, no formula, the panel choice as one menu, so the panels keep the room
        let screen = ui.ctx().content_rect().size();
        let compact = small_screen(ui.ctx());
        let size = if compact { (screen.y / 18.0).clamp(11.0, 20.0) } else { 26.0 };
        egui::Panel::top("big-readouts").show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                let big = |t: String| egui::RichText::new(t).size(size).strong();
                if let Some(f) = formula.filter(|_| !compact) {
                    let f = if f.chars().count() > 40 {
                        format!("{}…", f.chars().take(40).collect::<String>())
                    } else {
                        f
                    };
                    ui.label(big(format!("K = {f}")));
                }
                ui.label(big(format!("n = {}", sci(s.n))));
                ui.label(big(format!("ε = {}", sci(eps))));
                if let Some(r) = &r {
                    ui.label(big(format!("fitted λ = {:.3} (m = {})", r.lambda.lambda, r.lambda.m)));
                    if let Some(t) = r.theory.filter(|t| t.status == crate::core::theory::Status::Exact) {
                        ui.label(big(format!("exact λ = {:.3} (m = {})", t.lambda, t.m)));
                    }
                    if let Some(p) = r.mass_inside.filter(|_| !compact) {
                        ui.label(big(format!("P(K − K* < ε) = {:.3}", p.value)));
                    }
                }
            });
            if compact {
                ui.horizontal(|ui| {
                    let label = match s.second_panel {
                        None => s.big_panel.title().to_string(),
                        Some(b) => format!("{} + {}", s.big_panel.title(), b.title()),
                    };
                    egui::ComboBox::from_label("panel").selected_text(label).truncate().show_ui(ui, |ui| {
                        for &p in Panel::ALL {
                            if ui.selectable_label(s.second_panel.is_none() && s.big_panel == p, p.title()).clicked() {
                                (s.big_panel, s.second_panel) = (p, None);
                            }
                        }
                        for (a, b) in [(Panel::Landscape, Panel::Posterior), (Panel::Posterior, Panel::Phase)] {
                            let on = s.big_panel == a && s.second_panel == Some(b);
                            if ui.selectable_label(on, format!("{} + {}", a.title(), b.title())).clicked() {
                                (s.big_panel, s.second_panel) = (a, Some(b));
                            }
                        }
                    });
                    if ui.button("Leave (F)").clicked() {
                        out.push(Action::Presentation(false));
                    }
                });
                return;
            }
            ui.horizontal_wrapped(|ui| {
                for &p in Panel::ALL {
                    if ui.selectable_label(s.second_panel.is_none() && s.big_panel == p, p.title()).clicked() {
                        (s.big_panel, s.second_panel) = (p, None);
                    }
                }
                ui.separator();
                for (a, b) in [(Panel::Landscape, Panel::Posterior), (Panel::Posterior, Panel::Phase)] {
                    let on = s.big_panel == a && s.second_panel == Some(b);
                    if ui.selectable_label(on, format!("{} + {}", a.title(), b.title())).clicked() {
                        (s.big_panel, s.second_panel) = (a, Some(b));
                    }
                }
                ui.separator();
                if ui.button("Leave (F)").clicked() {
                    out.push(Action::Presentation(false));
                }
                ui.label(egui::RichText::new("1–6: panel · ?: keys").weak());
            });
        });
        let p = self;
        egui::CentralPanel::default().show(ui, |ui| {
            // text inside the panels grows with the room (the zoom factor scales it further)
            if !compact {
                for font in ui.style_mut().text_styles.values_mut() {
                    font.size *= 1.3;
                }
            }
            let full = ui.available_rect_before_wrap();
            match s.second_panel {
                None => {
                    out.extend(p.centred(ui, s.big_panel, s));
                    *rects = [Some(full); 3];
                }
                Some(second) => {
                    let gap = ui.spacing().item_spacing.x;
                    let w = ((full.width() - gap) * 0.5).max(1.0);
                    let h = full.height();
                    ui.horizontal_top(|ui| {
                        for (k, which) in [s.big_panel, second].into_iter().enumerate() {
                            let r = ui.allocate_ui(egui::vec2(w, h), |ui| {
                                ui.set_min_size(egui::vec2(w, h));
                                out.extend(p.centred(ui, which, s));
                            });
                            rects[k] = Some(r.response.rect);
                        }
                    });
                    rects[2] = Some(full);
                }
            }
        });
        out
    }

    /// One panel, centred in the space given.
    fn centred(&mut self, ui: &mut egui::Ui, which: Panel, s: &mut Settings) -> Vec<Action> {
        let mut out = vec![];
        ui.with_layout(egui::Layout::top_down(egui::Align::Center), |ui| match which {
            Panel::Landscape => out.extend(self.landscape.ui(ui)),
            Panel::Posterior => out.extend(self.posterior.ui(ui)),
            Panel::Phase => self.phase.ui(ui),
            Panel::Theory => self.theory.ui(ui),
            Panel::Volume => out.extend(self.volume.ui(ui)),
            Panel::Learn => out.extend(self.learn.ui(ui, &mut s.learn)),
        });
        out
    }
}

/// Below 900 × 560 points presentation mode keeps to a one-line bar (font scale 3 on 1280×720 leaves
/// 427 × 240 points); the normal layout turns to one panel at a time below 700 × 400.
pub fn small_screen(ctx: &egui::Context) -> bool {
    let s = ctx.content_rect().size();
    s.x < 900.0 || s.y < 560.0
}
