//! What a panel asks the app to do. Panels edit the settings directly where that is all there is
//! to it (a slider, a checkbox); everything else comes back as an `Action`, handled in one place
//! (`LambdaApp::apply`).

/// A user intent.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A preset from the catalogue (its formula, box and story).
    ChoosePreset(&'static str),
    /// A model with sampled data.
    ChooseModel(&'static str),
    /// Play or pause the n sweep.
    TogglePlay,
    /// The posterior at the dialogue's three n, side by side.
    OpenThreePosteriors,
    /// Zoom the landscape and posterior to where the posterior is.
    FitViewToPosterior,
    /// Both views back to the box (the button, or a double click on either).
    ResetView,
    /// The presentation layout on or off.
    Presentation(bool),
    /// The list of keyboard shortcuts.
    ShowHelp(bool),
    /// The guided tour at step i (None: close it).
    Tour(Option<usize>),
    SavePng,
    /// A vector figure of the PNG target's panel.
    SaveSvg,
    /// A figure to a file chosen in the Save dialog: PNG or SVG by its extension.
    SaveFigureAs(std::path::PathBuf),
    SaveCsv,
    /// One animated GIF of the PNG target as n sweeps over Play's range.
    SaveSweep,
    /// One animated GIF of the panels as the SGD run is drawn step by step.
    SaveSgdGif,
    SaveSession,
    LoadSession,
    /// Put the command line that reopens this view on the clipboard.
    CopyCommand,
    /// The fit window dragged on the volume plot (None: the default).
    SetFitWindow(Option<[f64; 2]>),
    RunSgd,
    RunLlc,
    /// A calibration grid of step × γ at the minimum.
    RunCalibration,
    /// The TMS lab: critical points, their LLCs, one SGD run with this seed.
    RunTms {
        seed: u64,
    },
    /// A 2-D slice of the TMS in the landscape, posterior and volume panels (box ±half_width).
    ShowSlice {
        slice: crate::core::slice::SliceSpec,
        half_width: f64,
    },
    /// Back from a slice to the formula (or model) and its box.
    LeaveSlice,
    /// A click on the landscape: the SGD start, when the learning tab asks for it.
    Clicked([f64; 2]),
}
