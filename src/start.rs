//! What the window opens on, as plain data: the command line validates its flags into this (with
//! or without the `gui` feature), and the window reads it.

use std::path::PathBuf;

use crate::core::landscape::LandscapeSpec;

crate::choice! {
    /// A panel of the window: `--panel`, the 1–6 keys, the presentation layout.
    pub enum Panel("panel") {
        Landscape = "landscape",
        Posterior = "posterior",
        Volume = "volume",
        Phase = "phase",
        Theory = "theory",
        Learn = "learn" | "learning",
    }
}

impl Panel {
    /// The panel's name on screen.
    pub fn title(self) -> &'static str {
        match self {
            Panel::Landscape => "Landscape",
            Panel::Posterior => "Posterior",
            Panel::Volume => "Volume law",
            Panel::Phase => "Phase transitions",
            Panel::Theory => "Theory",
            Panel::Learn => "Learning",
        }
    }

    /// The right column's tab that shows this panel (the landscape and posterior have none).
    pub fn tab(self) -> Option<Tab> {
        match self {
            Panel::Volume => Some(Tab::Volume),
            Panel::Phase => Some(Tab::Phase),
            Panel::Theory => Some(Tab::Theory),
            Panel::Learn => Some(Tab::Learn),
            Panel::Landscape | Panel::Posterior => None,
        }
    }
}

crate::choice! {
    /// The right column's tab.
    pub enum Tab("tab") {
        Volume = "volume",
        Phase = "phase",
        Theory = "theory",
        Learn = "learn" | "learning",
        Tms = "tms",
    }
}

crate::choice! {
    /// Light or dark (absent: follow the system).
    pub enum Theme("theme") {
        Light = "light",
        Dark = "dark",
    }
}

impl Theme {
    /// As the sessions store it: Some(true) dark, Some(false) light.
    pub fn is_dark(self) -> bool {
        self == Theme::Dark
    }
}

/// `--screenshot OUT.png|OUT.svg|OUT.gif`: one figure once everything is computed, then exit.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub path: PathBuf,
    /// None: the whole window; else this panel alone (the presentation layout).
    pub panel: Option<Panel>,
    /// The image's size in pixels.
    pub size: Option<[u32; 2]>,
    /// `--animate n:A..B`: an animated GIF of n sweeping from A to B.
    pub animate: Option<Animation>,
}

impl Batch {
    /// What the file's extension asks for.
    pub fn format(&self) -> Format {
        Format::of(&self.path).unwrap_or(Format::Png)
    }
}

/// A figure's file format, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
    Gif,
}

impl Format {
    pub fn of(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "png" => Some(Format::Png),
            "svg" => Some(Format::Svg),
            "gif" => Some(Format::Gif),
            _ => None,
        }
    }
}

/// The most frames an animation holds.
pub const MAX_FRAMES: usize = 240;

/// An n sweep saved as one animated GIF.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Animation {
    /// n of the first and of the last frame (log-uniform in between).
    pub from: f64,
    pub to: f64,
    pub frames: usize,
    /// Delay per frame in milliseconds.
    pub frame_ms: u32,
    /// 0: loop forever; k: play k + 1 times.
    pub repeat: u16,
    /// `--animate sgd`: the SGD run drawn step by step (n stays; from and to are n).
    pub sgd: bool,
}

/// How the window starts. Every field was validated by the command line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StartOptions {
    pub spec: Option<LandscapeSpec>,
    pub n: Option<f64>,
    pub eps: Option<f64>,
    /// Restore the last session from eframe's storage (only when no landscape flags are given).
    pub restore: bool,
    pub batch: Option<Batch>,
    /// The right column's tab (Learn also runs SGD and the LLC once the landscape is analysed).
    pub tab: Option<Tab>,
    pub font_scale: Option<f32>,
    pub theme: Option<Theme>,
    /// Presentation mode with this panel, and a second beside it.
    pub presentation: Option<(Panel, Option<Panel>)>,
    pub fit_window: Option<[f64; 2]>,
    pub colormap: Option<crate::settings::ColourMap>,
    /// `--session FILE`: the settings to start from (validated), before the other flags.
    pub session: Option<Box<crate::settings::Settings>>,
}

/// The font scales the window accepts.
pub const FONT_SCALES: std::ops::RangeInclusive<f32> = 1.0..=3.0;
