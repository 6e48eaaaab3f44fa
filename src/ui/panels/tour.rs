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
    /// Play n over [from, to] in this many seconds (the jump takes seconds, not a frame).
    pub play: Option<[f64; 3]>,
    /// The fine n slider over this window.
    pub fine: Option<[f64; 2]>,
}

pub const STEPS: [Step; 8] = [
    Step {
        title: "1. The parabola",
        text: "Near a regular minimum K = x², the set where K < ε is an interval of width 2√ε. Its prior volume grows like ε^½: on the log–log plot a line of slope 1/2, the learning coefficient λ = d/2 with d = 1.",
        preset: "parabola",
        n: 1e3,
        eps: 1e-2,
        tab: Tab::Volume,
        model: false,
        sgd: None,
        play: None,
        fine: None,
    },
    Step {
        title: "2. The paraboloid",
        text: "In two dimensions the sublevel set of x² + y² is a disc of area πε: V grows like ε¹, λ = d/2 = 1. Every regular model with d parameters has λ = d/2 — the assumption behind BIC's (d/2)·log n.",
        preset: "paraboloid",
        n: 1e3,
        eps: 1e-2,
        tab: Tab::Volume,
        model: false,
        sgd: None,
        play: None,
        fine: None,
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
        play: None,
        fine: None,
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
        play: None,
        fine: None,
    },
    Step {
        title: "5. The posterior jumps",
        text: "A wide shallow basin at x = −1 and a hairline deeper one at x = 1. At n = 10,000 the wide basin holds 2/3 of the posterior; at 11,000 the narrow one does. The free energy n·K* + λ·log n decides: depth against learning coefficient. Press Play n (9,000 to 12,000 in 8 s), drag the fine n slider, or press the 10,000 / 10,500 / 11,000 button.",
        preset: "dialogue",
        n: 1e4,
        eps: 1e-3,
        tab: Tab::Phase,
        model: false,
        sgd: None,
        play: Some([9_000.0, 12_000.0, 8.0]),
        fine: Some([8_000.0, 13_000.0]),
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
        play: None,
        fine: None,
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
        play: None,
        fine: None,
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
        play: None,
        fine: None,
    },
];

/// Size of the tour window (fixed: its buttons never move).
pub const TOUR_SIZE: [f32; 2] = [330.0, 300.0];

/// The tour window at step `i`, at a fixed size in the bottom-left corner of `over` (the side
/// panel: every step is about a panel on the right of it). Returns the step asked for
/// (`Action::Tour(None)` when closed) and where the window is.
pub fn tour_window(ctx: &egui::Context, i: usize, over: Option<egui::Rect>) -> (Option<Action>, Option<egui::Rect>) {
    let i = i.min(STEPS.len() - 1);
    let st = &STEPS[i];
    let mut open = true;
    let mut go = None;
    let screen = ctx.content_rect();
    let area = over.unwrap_or(screen);
    let w = TOUR_SIZE[0].min(area.width() - 12.0).max(200.0);
    let h = TOUR_SIZE[1].min(screen.height() * 0.6);
    let pos = egui::pos2(area.left() + 6.0, (area.bottom() - h - 40.0).max(screen.top()));
    let r = egui::Window::new("Guided tour").open(&mut open).fixed_pos(pos).fixed_size([w, h]).collapsible(false).show(
        ctx,
        |ui| {
            // Back / Next first: the text below may be long, the buttons stay where they are
            ui.horizontal(|ui| {
                if ui.add_enabled(i > 0, egui::Button::new("Back")).clicked() {
                    go = Some(Action::Tour(Some(i - 1)));
                }
                ui.label(format!("{} / {}", i + 1, STEPS.len()));
                if ui.add_enabled(i + 1 < STEPS.len(), egui::Button::new("Next")).clicked() {
                    go = Some(Action::Tour(Some(i + 1)));
                }
            });
            ui.separator();
            egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
                ui.heading(st.title);
                ui.label(st.text);
            });
        },
    );
    if !open {
        return (Some(Action::Tour(None)), None);
    }
    (go, r.map(|r| r.response.rect))
}
