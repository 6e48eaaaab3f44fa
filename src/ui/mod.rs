//! The desktop app (eframe/egui). Data flows one way: `Settings` (what the user set) → `Pipeline`
//! (versions, worker, caches) → the core → `ViewData` → the panels, which draw it and hand user
//! intents back as `Action`s.
//!
//! - `app`: `LambdaApp`, the layout and the frame loop;
//! - `settings`, `action`, `pipeline`, `worker`: the data flow;
//! - `export`: figures, CSV files, sessions, the batch screenshot; `figures`: panels as SVG;
//! - `panels/`: one struct per panel; `widgets/`: plot helpers, colour maps, images, PNG writing.

pub mod action;
pub mod app;
pub mod export;
pub mod figures;
pub mod layout;
pub mod panels;
pub mod pipeline;
pub use crate::settings;
pub mod widgets;
pub mod worker;

use eframe::egui;

pub use app::LambdaApp;
pub use pipeline::ViewData;

use crate::start::StartOptions;

/// Open the window; returns the process exit code (for a batch screenshot: 0 saved, 1 failed).
pub fn run(start: StartOptions) -> Result<i32, String> {
    let size = start.batch.as_ref().and_then(|b| b.size).map(|[w, h]| [w as f32, h as f32]).unwrap_or([1400.0, 900.0]);
    let batch = start.batch.is_some();
    let exit = std::sync::Arc::new(std::sync::atomic::AtomicI32::new(if batch { 1 } else { 0 }));
    let exit_app = exit.clone();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("lambdascope")
            .with_inner_size(size)
            .with_min_inner_size([640.0, 480.0]),
        persist_window: !batch,
        ..Default::default()
    };
    eframe::run_native(
        "lambdascope",
        options,
        Box::new(move |cc| Ok(Box::new(LambdaApp::with_storage(&cc.egui_ctx, start, cc.storage, exit_app)))),
    )
    .map_err(|e| e.to_string())?;
    Ok(exit.load(std::sync::atomic::Ordering::SeqCst))
}
