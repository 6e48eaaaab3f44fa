//! Every flag turned into core data, in one place: the landscape (formula or preset, box, prior),
//! a model with its data, and the window's start options. Bad input is a `CliError` with exit code
//! 2 and one sentence naming the flag.

use crate::core::estimate::EstimateError;
use crate::core::landscape::{Landscape, LandscapeError, LandscapeSpec, N_MAX, parse_list, parse_prior};
use crate::core::model::{self, ModelSpec};
use crate::core::num::short;
use crate::core::presets;
use crate::core::sampler::SamplerError;
use crate::settings::{ColourMap, FIT_WINDOW_RANGE, Settings};
use crate::start::{Animation, Batch, FONT_SCALES, Format, MAX_FRAMES, Panel, StartOptions, Tab, Theme};

use super::{Cli, LandscapeArgs, ModelArgs};

/// A failure with its exit code (2: the input; 1: the computation).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

impl CliError {
    /// Bad input (exit code 2).
    pub fn input(message: impl Into<String>) -> CliError {
        CliError { code: 2, message: message.into() }
    }
}

impl From<LandscapeError> for CliError {
    fn from(e: LandscapeError) -> Self {
        // a spent evaluation budget is the computation failing, not the input being wrong
        let code = if e == LandscapeError::Budget { 1 } else { 2 };
        CliError { code, message: e.to_string() }
    }
}

impl From<EstimateError> for CliError {
    fn from(e: EstimateError) -> Self {
        match e {
            EstimateError::Input(i) => CliError::input(i.to_string()),
            EstimateError::Compute(m) => CliError { code: 1, message: m },
        }
    }
}

impl From<SamplerError> for CliError {
    fn from(e: SamplerError) -> Self {
        CliError { code: if e.is_compute() { 1 } else { 2 }, message: e.to_string() }
    }
}

/// `--box X0,X1` or `--box X0,X1,Y0,Y1` (`what` names the flag in messages). Every interval given
/// must be finite and non-empty, also the y interval of a 1-D landscape; a missing y interval is
/// None (the caller's default).
pub fn parse_box(s: &str, what: &str) -> Result<([f64; 2], Option<[f64; 2]>), LandscapeError> {
    let count = s.split(',').count();
    let v = parse_list(s, if count == 2 { 2 } else { 4 }, what)?;
    for (axis, pair) in v.chunks(2).enumerate() {
        let name = ["x", "y"][axis];
        if !(pair[0].is_finite() && pair[1].is_finite() && pair[0] < pair[1]) {
            return Err(LandscapeError::BadDomain(format!(
                "{what} {s}: the {name} interval must be two finite numbers LO < HI"
            )));
        }
    }
    Ok(([v[0], v[1]], (v.len() == 4).then(|| [v[2], v[3]])))
}

impl LandscapeArgs {
    /// True when a landscape option other than the formula or preset was given.
    fn has_box_options(&self) -> bool {
        self.dim.is_some() || self.domain.is_some() || self.bbox.is_some()
    }

    /// The box from --domain or --box (None: the landscape's own); `default_y` fills a --box that
    /// names only the x interval.
    fn bounds(&self, default_y: [f64; 2]) -> Result<Option<[[f64; 2]; 2]>, LandscapeError> {
        let mut b = None;
        if let Some(d) = &self.domain {
            let v = parse_list(d, 2, "--domain")?;
            b = Some([[v[0], v[1]], [v[0], v[1]]]);
        }
        if let Some(s) = &self.bbox {
            let (x, y) = parse_box(s, "--box")?;
            b = Some([x, y.unwrap_or(default_y)]);
        }
        Ok(b)
    }

    /// The landscape the options describe (a preset, a formula, or None if neither was given).
    pub fn spec(&self) -> Result<Option<LandscapeSpec>, LandscapeError> {
        let mut spec = match (&self.expr, &self.preset) {
            (Some(e), _) => LandscapeSpec::formula(e),
            (None, Some(p)) => {
                if presets::find(p).is_none() {
                    return Err(LandscapeError::UnknownPreset(p.clone()));
                }
                LandscapeSpec::preset(p)
            }
            (None, None) => {
                if self.has_box_options() {
                    return Err(LandscapeError::BadDomain(
                        "landscape options need a landscape: give --expr FORMULA or --preset ID".into(),
                    ));
                }
                return Ok(None);
            }
        };
        spec.dim = self.dim;
        spec.prior = parse_prior(&self.prior)?;
        spec.bounds = self.bounds([-1.0, 1.0])?;
        Ok(Some(spec))
    }

    /// The landscape, parsed.
    pub fn landscape(&self) -> Result<Landscape, CliError> {
        let spec = self.spec()?.ok_or_else(|| CliError::input("no landscape: give --expr FORMULA or --preset ID"))?;
        Ok(Landscape::from_spec(&spec)?)
    }
}

/// A model with sampled data: the catalogue's settings for `id`, with n data points (a whole number
/// 2 … the model's cap), the overrides in `m`, and the box and prior of `l`. The window's `--model`
/// and the `llc`/`sgd` commands both come here.
pub fn model_spec(id: &str, n: Option<f64>, m: &ModelArgs, l: &LandscapeArgs) -> Result<LandscapeSpec, CliError> {
    let mut spec = ModelSpec::preset(id).ok_or_else(|| {
        CliError::input(format!(
            "unknown model '{id}'; known models: {}",
            model::all().iter().map(|m| m.id).collect::<Vec<_>>().join(", ")
        ))
    })?;
    if let Some(n) = n {
        if !(n.is_finite() && n >= 2.0 && n.fract() == 0.0 && n <= spec.n_max() as f64) {
            return Err(CliError::input(format!(
                "--n {n}: a model's n is its number of data points, a whole number 2 … {}",
                spec.n_max()
            )));
        }
        spec.n = n as usize;
    }
    if let Some(t) = &m.truth {
        let v = parse_list(t, 2, "--truth")?;
        spec.truth = [v[0], v[1]];
    }
    if let Some(s) = m.sigma {
        spec.sigma = s;
    }
    if let Some(s) = m.data_seed {
        spec.seed = s;
    }
    spec.population = m.population;
    if l.dim.is_some_and(|d| d != 2) {
        return Err(CliError::input("a model has two parameters (a, b): drop --dim"));
    }
    let default_y = spec.info().bounds[1];
    let mut s = LandscapeSpec::model(spec);
    s.prior = parse_prior(&l.prior)?;
    s.bounds = l.bounds(default_y)?;
    s.validate()?;
    Ok(s)
}

impl ModelArgs {
    /// Model flags given without --model.
    pub fn stray(&self) -> bool {
        self.model.is_none()
            && (self.truth.is_some() || self.sigma.is_some() || self.data_seed.is_some() || self.population)
    }
}

impl Cli {
    /// The window's start options: every window flag validated here, before any window opens.
    pub fn start_options(&self) -> Result<StartOptions, CliError> {
        if self.model.stray() {
            return Err(CliError::input("--truth, --sigma, --data-seed and --population need --model ID"));
        }
        let spec = match &self.model.model {
            Some(id) => Some(model_spec(id, self.n, &self.model, &self.landscape)?),
            None => {
                let s = self.landscape.spec()?;
                if let Some(s) = &s {
                    s.validate()?;
                }
                s
            }
        };
        if self.model.model.is_none()
            && let Some(n) = self.n
            && !(n.is_finite() && (1.0..=N_MAX).contains(&n))
        {
            return Err(CliError::input(format!("--n {} is out of range (n: 1 … 1e12)", short(n))));
        }
        if let Some(e) = self.eps
            && !(e.is_finite() && e > 0.0 && e <= 1e12)
        {
            return Err(CliError::input(format!(
                "--eps {} is out of range (ε: a positive number up to 1e12)",
                short(e)
            )));
        }
        let font_scale = match self.font_scale {
            Some(f) if !FONT_SCALES.contains(&f) => {
                return Err(CliError::input(format!("--font-scale {f}: use 1 … 3")));
            }
            f => f,
        };
        let theme = match &self.theme {
            Some(t) => Some(t.parse::<Theme>().map_err(|e| CliError::input(format!("--theme: {e}")))?),
            None => None,
        };
        let tab = match &self.tab {
            Some(t) => Some(t.parse::<Tab>().map_err(|e| CliError::input(format!("--tab: {e}")))?),
            None => None,
        };
        let presentation = match &self.presentation {
            None => None,
            Some(list) => {
                let parse = |p: &str| {
                    p.trim().parse::<Panel>().map_err(|_| {
                        CliError::input(format!(
                            "--presentation {list}: use one or two of {}, separated by a comma",
                            Panel::ALL.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
                        ))
                    })
                };
                let parts: Vec<&str> = list.split(',').collect();
                match parts.as_slice() {
                    [a] => Some((parse(a)?, None)),
                    [a, b] => Some((parse(a)?, Some(parse(b)?))),
                    _ => return Err(CliError::input(format!("--presentation {list}: one or two panels"))),
                }
            }
        };
        let fit_window = match &self.fit_window {
            None => None,
            Some(w) => {
                let v = parse_list(w, 2, "--fit-window")?;
                if !(v[0] >= FIT_WINDOW_RANGE[0] && v[1] <= FIT_WINDOW_RANGE[1] && v[0] < v[1]) {
                    return Err(CliError::input(format!(
                        "--fit-window {w}: two numbers LO < HI between {} and {}",
                        short(FIT_WINDOW_RANGE[0]),
                        short(FIT_WINDOW_RANGE[1])
                    )));
                }
                Some([v[0], v[1]])
            }
        };
        let colormap = match &self.colormap {
            Some(c) => Some(c.parse::<ColourMap>().map_err(|e| CliError::input(format!("--colormap: {e}")))?),
            None => None,
        };
        let session = match &self.session {
            None => None,
            Some(path) => {
                let text = crate::files::read_capped(path, crate::files::MAX_SESSION_BYTES)
                    .map_err(|e| CliError::input(format!("--session {}: {e}", path.display())))?;
                let s = Settings::parse(&text)
                    .map_err(|e| CliError::input(format!("--session {}: {e}", path.display())))?;
                Some(Box::new(s))
            }
        };
        let batch = self.batch()?;
        // an SGD animation is of the Learning tab's run
        let tab = match (batch.as_ref().and_then(|b| b.animate).is_some_and(|a| a.sgd), tab) {
            (true, Some(t)) if t != Tab::Learn => {
                return Err(CliError::input(format!(
                    "--animate sgd animates the Learning tab's SGD run: use --tab learn, not --tab {}",
                    t.name()
                )));
            }
            (true, _) => Some(Tab::Learn),
            // (a figure of the Learning panel is of its run: the tab runs it)
            (false, None) if batch.as_ref().is_some_and(|b| b.panel == Some(Panel::Learn)) => Some(Tab::Learn),
            (false, t) => t,
        };
        let restore = session.is_none()
            && fit_window.is_none()
            && colormap.is_none()
            && spec.is_none()
            && self.n.is_none()
            && self.eps.is_none()
            && batch.is_none()
            && tab.is_none()
            && presentation.is_none();
        Ok(StartOptions {
            spec,
            n: self.n,
            eps: self.eps,
            restore,
            batch,
            tab,
            font_scale,
            theme,
            presentation,
            fit_window,
            colormap,
            session,
        })
    }

    /// `--animate n:FROM..TO|sgd [--frames K] [--frame-ms MS] [--loop K]`.
    fn animation(&self, a: &str) -> Result<Animation, CliError> {
        let bad = || {
            CliError::input(format!(
                "--animate {a}: write n:FROM..TO (e.g. n:1e4..1.1e4) or sgd (the Learning tab's SGD run); only these can be animated"
            ))
        };
        let sgd = a.trim().eq_ignore_ascii_case("sgd");
        let range = if sgd { "1..2" } else { a.trim().strip_prefix("n:").ok_or_else(bad)? };
        let (from, to) = range.split_once("..").ok_or_else(bad)?;
        let num = |t: &str| t.trim().parse::<f64>().ok().filter(|v| v.is_finite());
        let (from, to) = (num(from).ok_or_else(bad)?, num(to).ok_or_else(bad)?);
        for v in [from, to] {
            if !(1.0..=N_MAX).contains(&v) {
                return Err(CliError::input(format!("--animate {a}: n must be 1 … {}", short(N_MAX))));
            }
        }
        if from == to {
            return Err(CliError::input(format!("--animate {a}: FROM and TO are the same n")));
        }
        let int = |flag: &str,
                   v: &Option<String>,
                   range: std::ops::RangeInclusive<u64>,
                   default: u64|
         -> Result<u64, CliError> {
            match v {
                None => Ok(default),
                Some(t) => t.trim().parse::<u64>().ok().filter(|k| range.contains(k)).ok_or_else(|| {
                    CliError::input(format!("{flag} {t}: a whole number {} … {}", range.start(), range.end()))
                }),
            }
        };
        let frames = int("--frames", &self.frames, 2..=MAX_FRAMES as u64, 48)? as usize;
        let frame_ms = int("--frame-ms", &self.frame_ms, 20..=10_000, 100)? as u32;
        let repeat = int("--loop", &self.repeat, 0..=65_535, 0)? as u16;
        Ok(Animation { from, to, frames, frame_ms, repeat, sgd })
    }

    /// `--screenshot OUT.png [--panel NAME] [--size WxH]`.
    fn batch(&self) -> Result<Option<Batch>, CliError> {
        let animation_flags =
            self.animate.is_some() || self.frames.is_some() || self.frame_ms.is_some() || self.repeat.is_some();
        let Some(path) = &self.screenshot else {
            if self.panel.is_some() || self.size.is_some() {
                return Err(CliError::input("--panel and --size go with --screenshot OUT.png"));
            }
            if animation_flags {
                return Err(CliError::input("--animate, --frames, --frame-ms and --loop go with --screenshot OUT.gif"));
            }
            return Ok(None);
        };
        let format = Format::of(path).ok_or_else(|| {
            CliError::input(format!("--screenshot {}: name a .png, .svg or .gif file", path.display()))
        })?;
        if format == Format::Gif && self.animate.is_none() {
            return Err(CliError::input(format!(
                "--screenshot {}: a GIF is an animation: add --animate n:FROM..TO",
                path.display()
            )));
        }
        if format != Format::Gif && animation_flags {
            return Err(CliError::input(format!(
                "--animate, --frames, --frame-ms and --loop write an animated GIF: name a .gif file, not {}",
                path.display()
            )));
        }
        if format == Format::Svg
            && (self.panel.is_none() || self.panel.as_deref().is_some_and(|p| p.trim().eq_ignore_ascii_case("window")))
        {
            return Err(CliError::input(format!(
                "--screenshot {}: an SVG is of one panel: add --panel landscape, posterior, volume, phase, theory or learn",
                path.display()
            )));
        }
        let animate = match &self.animate {
            None => None,
            Some(a) => Some(self.animation(a)?),
        };
        let panel = match self.panel.as_deref() {
            None => None,
            Some(p) if p.trim().eq_ignore_ascii_case("window") => None,
            Some(p) => Some(p.parse::<Panel>().map_err(|_| {
                CliError::input(format!(
                    "--panel {p}: use one of window, {}",
                    Panel::ALL.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
                ))
            })?),
        };
        let size = match &self.size {
            None => None,
            Some(s) => {
                let (w, h) = s
                    .split_once(['x', 'X'])
                    .ok_or_else(|| CliError::input(format!("--size {s}: write WxH, e.g. 1920x1080")))?;
                let w: u32 = w.trim().parse().map_err(|_| CliError::input(format!("--size {s}: not a width")))?;
                let h: u32 = h.trim().parse().map_err(|_| CliError::input(format!("--size {s}: not a height")))?;
                if !(200..=8000).contains(&w) || !(200..=8000).contains(&h) {
                    return Err(CliError::input(format!("--size {s}: width and height must be 200 … 8000 pixels")));
                }
                Some([w, h])
            }
        };
        Ok(Some(Batch { path: path.clone(), panel, size, animate }))
    }
}
