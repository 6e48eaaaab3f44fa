//! The guided tour: the dialogue's story in steps, each setting the preset, n, ε and the panel;
//! and the window that shows the current step.

use eframe::egui;

use crate::core::model::SgdPreset;
use crate::start::Tab;
use crate::ui::action::Action;

/// One step: title, text, preset (or model) id, n, ε, right-column tab (Learn: SGD and the LLC run by
/// themselves, from `sgd` or the model's own settings).
pub struct Step {
    pub title: &'static str,
    pub text: &'static str,
    pub preset: &'static str,
    /// `preset` names a model with sampled data.
    pub model: bool,
    pub n: f64,
    pub eps: f64,
    pub tab: Tab,
    pub sgd: Option<SgdPreset>,
}

pub const STEPS: [Step; 8] = [
    Step {
        title: "1. The parabola",
        text: "Near a regular minimum K = x², the set where K < ε is an interval of width 2√ε. Its prior volume grows like ε^(1/2): on the log–log plot a line of slope 1/2, the learning coefficient λ = d/2 with d = 1.",
        preset: "parabola",
        n: 1e3,
        eps: 1e-2,
        tab: Tab::Volume,
        model: false,
        sgd: None,
    },
    Step {
        title: "2. The paraboloid",
        text: "In two dimensions the sublevel set of x² + y² is a disc of area πε: V grows like ε^1, λ = d/2 = 1. Every regular model with d parameters has λ = d/2 — the assumption behind BIC's (d/2)·log n.",
        preset: "paraboloid",
        n: 1e3,
        eps: 1e-2,
        tab: Tab::Volume,
        model: false,
        sgd: None,
    },
    Step {
        title: "3. The singular cross",
        text: "K = x²y² is minimal on the whole cross x = 0 or y = 0. Its sublevel set is a thick plus sign with far more volume near the bottom: V ≈ √ε·(1 + ½ log 1/ε), λ = 1/2 < d/2 = 1, with a logarithm (m = 2). Watch the naive slope miss and the local slope creep up to 1/2.",
        preset: "cross",
        n: 1e4,
        eps: 1e-4,
        tab: Tab::Volume,
        model: false,
        sgd: None,
    },
    Step {
        title: "4. A line of minima",
        text: "For (x − y)² only x − y matters: a whole line of equally good parameters. One effective parameter, so λ = 1/2, not 1. The theory tab shows why the Newton polygon alone cannot tell (a degenerate face): its 1 is only an upper bound.",
        preset: "diagonal",
        n: 1e4,
        eps: 1e-4,
        tab: Tab::Theory,
        model: false,
        sgd: None,
    },
    Step {
        title: "5. The posterior jumps",
        text: "A wide shallow basin at x = −1 and a hairline deeper one at x = 1. At n = 10,000 the wide basin holds 2/3 of the posterior; at 11,000 the narrow one does. The free energy n·K* + λ·log n decides: depth against learning coefficient. Press Play n, or the 10,000 / 10,500 / 11,000 button.",
        preset: "dialogue",
        n: 1e4,
        eps: 1e-3,
        tab: Tab::Phase,
        model: false,
        sgd: None,
    },
    Step {
        title: "6. Singular versus regular in two dimensions",
        text: "A flat singular basin (λ = 1/2) 0.01 higher than a regular one (λ = 1): the singular basin holds the posterior until n ≈ 340, then the deeper regular one takes it. BIC's d/2 is wrong for the singular basin; the exact free energy follows λ.",
        preset: "phase2d",
        n: 300.0,
        eps: 1e-3,
        tab: Tab::Phase,
        model: false,
        sgd: None,
    },
    Step {
        title: "7. SGD stays behind",
        text: "The same two basins at n = 10,000, where the posterior sits in the deep regular basin on the right. Gradient descent started in the wide singular basin on the left slides to its bottom and stays there: it is local, and the barrier between the basins is a wall it never climbs. Compare its end point with the posterior below.",
        preset: "phase2d",
        model: false,
        n: 1e4,
        eps: 1e-3,
        tab: Tab::Learn,
        sgd: Some(SgdPreset { start: [-0.8, 0.35], lr: 0.02, batch: 16, steps: 2000 }),
    },
    Step {
        title: "8. Escape from a plateau, and the LLC",
        text: "Now real data: y = a·tanh(b·x) + noise, 2,000 points, started near zero like a network. SGD crawls along the flat singular region (the plateau of the loss curve), then drops into a regular basin. The LLC along the path jumps with the loss; at the minimum the SGLD estimate sits beside the exact tempered value for the same target.",
        preset: "escape",
        model: true,
        n: 2000.0,
        eps: 1e-3,
        tab: Tab::Learn,
        sgd: None,
    },
];

/// The tour window at step `i`: its title, text, and Back / Next. Returns the step asked for
/// (`Action::Tour(None)` when closed).
pub fn tour_window(ctx: &egui::Context, i: usize) -> Option<Action> {
    let i = i.min(STEPS.len() - 1);
    let st = &STEPS[i];
    let mut open = true;
    let mut go = None;
    egui::Window::new("Guided tour").open(&mut open).default_pos([360.0, 600.0]).default_width(420.0).show(ctx, |ui| {
        ui.heading(st.title);
        ui.label(st.text);
        ui.horizontal(|ui| {
            if ui.add_enabled(i > 0, egui::Button::new("Back")).clicked() {
                go = Some(Action::Tour(Some(i - 1)));
            }
            ui.label(format!("{} / {}", i + 1, STEPS.len()));
            if ui.add_enabled(i + 1 < STEPS.len(), egui::Button::new("Next")).clicked() {
                go = Some(Action::Tour(Some(i + 1)));
            }
        });
    });
    if !open {
        return Some(Action::Tour(None));
    }
    go
}
