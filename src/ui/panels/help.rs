//! The keyboard shortcuts: what they do (the `?` window), and reading them from a frame's input
//! as actions and settings changes.

use eframe::egui;

use crate::core::landscape::N_MAX;
use crate::start::{Panel, Tab};
use crate::ui::action::Action;
use crate::ui::settings::Settings;

/// The keyboard shortcuts (listed by `?`).
pub const SHORTCUTS: [(&str, &str); 8] = [
    ("Left / Right", "n ÷ 1.1 / n × 1.1 (with fine n: one step)"),
    ("[ / ]", "ε ÷ 10^¼ / ε × 10^¼"),
    ("Space", "play / pause the n sweep"),
    ("S", "save a PNG of the chosen target"),
    ("F", "presentation layout on / off"),
    ("1 … 6", "choose a panel: landscape, posterior, volume law, phase transitions, theory, learning"),
    ("?", "this list"),
    ("Esc", "leave presentation, close this list"),
];

/// The shortcuts pressed this frame; inactive while a text field has focus. n and ε change in
/// the settings (within their ranges: ε up to the resolved `eps_max`); the rest are actions.
pub fn keys(ui: &egui::Ui, s: &mut Settings, eps_max: f64, help_open: bool) -> Vec<Action> {
    let mut out = vec![];
    if ui.ctx().egui_wants_keyboard_input() {
        return out;
    }
    let pressed = |k: egui::Key| ui.input(|i| i.key_pressed(k));
    // every press and key repeat of the frame counts (five quick presses are five steps); with the
    // fine slider on, a step is its step, else ×1.1
    let presses = |k: egui::Key| ui.input(|i| i.num_presses(k)) as i32;
    let steps = presses(egui::Key::ArrowRight) - presses(egui::Key::ArrowLeft);
    // a focused widget (the fine slider after a drag) takes the arrows itself: one step, not two
    let focused = ui.ctx().memory(|m| m.focused().is_some());
    if steps != 0 && !focused {
        s.n = if s.fine {
            let step = crate::ui::settings::fine_step(s.fine_from, s.fine_to);
            ((s.n / step).round() * step + steps as f64 * step).clamp(1.0, N_MAX)
        } else {
            (s.n * 1.1f64.powi(steps)).clamp(1.0, N_MAX)
        };
    }
    let q = 10f64.powf(0.25);
    if pressed(egui::Key::CloseBracket) {
        s.eps = (s.eps * q).min(eps_max.max(1e-11));
    }
    if pressed(egui::Key::OpenBracket) {
        s.eps = (s.eps / q).max(1e-12);
    }
    if pressed(egui::Key::Space) {
        out.push(Action::TogglePlay);
    }
    if pressed(egui::Key::S) {
        out.push(Action::SavePng);
    }
    if pressed(egui::Key::F) {
        out.push(Action::Presentation(!s.presentation));
    }
    if pressed(egui::Key::Questionmark)
        || ui.input(|i| i.events.iter().any(|e| matches!(e, egui::Event::Text(t) if t == "?")))
    {
        out.push(Action::ShowHelp(!help_open));
    }
    if pressed(egui::Key::Escape) {
        out.push(Action::Presentation(false));
        out.push(Action::ShowHelp(false));
    }
    let digits = [egui::Key::Num1, egui::Key::Num2, egui::Key::Num3, egui::Key::Num4, egui::Key::Num5, egui::Key::Num6];
    for (k, &p) in digits.iter().zip(Panel::ALL) {
        if pressed(*k) {
            (s.big_panel, s.second_panel) = (p, None);
            s.right_tab = p.tab().unwrap_or(Tab::Volume);
        }
    }
    out
}

/// The `?` window; returns false once closed.
pub fn help_window(ctx: &egui::Context) -> bool {
    let mut open = true;
    egui::Window::new("Keyboard shortcuts").open(&mut open).collapsible(false).show(ctx, |ui| {
        egui::Grid::new("keys").num_columns(2).striped(true).show(ui, |ui| {
            for (k, what) in SHORTCUTS {
                ui.label(egui::RichText::new(k).monospace().strong());
                ui.label(what);
                ui.end_row();
            }
        });
        ui.label(egui::RichText::new("Shortcuts are inactive while a text field has focus.").weak());
    });
    open
}

/// A message at the bottom of the window for 8 seconds; returns false once it has expired.
pub fn notice(ctx: &egui::Context, msg: &str, since: std::time::Instant) -> bool {
    if since.elapsed() >= std::time::Duration::from_secs(8) {
        return false;
    }
    egui::Area::new(egui::Id::unique("notice")).anchor(egui::Align2::CENTER_BOTTOM, [0.0, -12.0]).show(ctx, |ui| {
        egui::Frame::popup(ui.style()).show(ui, |ui| {
            ui.label(msg);
        });
    });
    ctx.request_repaint_after(std::time::Duration::from_millis(500));
    true
}
