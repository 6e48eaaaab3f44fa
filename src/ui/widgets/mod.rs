//! Drawing helpers shared by the panels: plots with log axes and number formats, colour maps and
//! images of the core's grids, textures, PNG writing.

pub mod gif;
pub mod plot;
pub mod png;
pub mod raster;
pub mod render;
pub mod texture;

/// What a panel shows before it has data: a spinner while the first landscape is computed, or,
/// when the input has no landscape to show (`failed`: the pipeline's message), that message and
/// what to do, without a spinner (which would repaint forever).
pub fn waiting(ui: &mut eframe::egui::Ui, failed: Option<&str>) {
    match failed {
        None => {
            ui.centered_and_justified(|ui| ui.spinner());
        }
        Some(e) => {
            ui.vertical_centered(|ui| {
                ui.add_space(ui.available_height() * 0.3);
                ui.label(eframe::egui::RichText::new("Nothing to show for this input").strong());
                ui.label(eframe::egui::RichText::new(e).color(ui.visuals().error_fg_color));
                ui.label("Edit the formula or the box, or pick a preset.");
            });
        }
    }
}

/// Beside a panel's title when it shows a slice of a d-parameter model: "2-D slice", in the
/// warning colour, the slice's description on hover (the panel is not the model's whole picture).
pub fn slice_badge(ui: &mut eframe::egui::Ui, spec: &crate::core::landscape::LandscapeSpec) {
    if let Some(s) = &spec.slice {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            eframe::egui::RichText::new("2-D slice of the TMS").small().strong(),
        )
        .on_hover_text(s.label());
    }
}
