//! Sessions: every setting as JSON with a `version` field. Loading validates each value (a corrupt or
//! unknown-version file gives a message and the defaults, never a crash); the file read is never
//! written back.

use serde::{Deserialize, Serialize};

use super::controls::Controls;
use crate::core::landscape::N_MAX;
use crate::core::presets;

pub const SESSION_VERSION: u32 = 1;
/// Key of the session in eframe's persisted storage.
pub const STORAGE_KEY: &str = "lambdascope-session";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub version: u32,
    pub preset: Option<String>,
    pub formula: String,
    pub force_2d: bool,
    pub bounds: [[f64; 2]; 2],
    pub gaussian: bool,
    pub sigma: f64,
    pub n: f64,
    pub eps: f64,
    pub link: bool,
    pub link_c: f64,
    pub grid: usize,
    pub log_colour: bool,
    pub log_posterior: bool,
    pub dark: Option<bool>,
    pub fit_window: Option<[f64; 2]>,
    pub speed: f64,
    pub font_scale: f32,
    pub colormap: String,
    pub right_tab: String,
    pub presentation: bool,
    /// A model with sampled data in place of the formula (absent in older files).
    #[serde(default)]
    pub model: Option<crate::core::model::ModelSpec>,
}

impl Session {
    pub fn from_controls(c: &Controls, right_tab: &str) -> Session {
        Session {
            version: SESSION_VERSION,
            preset: c.preset.clone(),
            formula: c.formula.clone(),
            force_2d: c.force_2d,
            bounds: c.bounds,
            gaussian: c.gaussian,
            sigma: c.sigma,
            n: c.n,
            eps: c.eps,
            link: c.link,
            link_c: c.link_c,
            grid: c.grid,
            log_colour: c.log_colour,
            log_posterior: c.log_posterior,
            dark: c.dark,
            fit_window: c.fit_window,
            speed: c.speed,
            font_scale: c.font_scale,
            colormap: c.colormap.clone(),
            right_tab: right_tab.to_string(),
            presentation: c.presentation,
            model: c.model.clone(),
        }
    }

    /// Set the controls from the session (values already validated).
    pub fn apply(&self, c: &mut Controls) {
        c.preset = self.preset.clone();
        c.formula = self.formula.clone();
        c.force_2d = self.force_2d;
        c.bounds = self.bounds;
        c.gaussian = self.gaussian;
        c.sigma = self.sigma;
        c.n = self.n;
        c.eps = self.eps;
        c.link = self.link;
        c.link_c = self.link_c;
        c.grid = self.grid;
        c.log_colour = self.log_colour;
        c.log_posterior = self.log_posterior;
        c.dark = self.dark;
        c.fit_window = self.fit_window;
        c.speed = self.speed;
        c.font_scale = self.font_scale;
        c.colormap = self.colormap.clone();
        c.presentation = self.presentation;
        c.model = self.model.clone();
        if c.model.is_some() {
            c.dim = 2;
        }
        c.landscape_changed = true;
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Parse and validate. Every failure is a sentence for the user.
    pub fn parse(text: &str) -> Result<Session, String> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("the session file is not valid JSON ({e})"))?;
        let version = v.get("version").and_then(|x| x.as_u64());
        match version {
            Some(1) => {}
            Some(other) => {
                return Err(format!(
                    "the session file has version {other}; this lambdascope reads version {SESSION_VERSION}"
                ));
            }
            None => return Err("the session file has no version field".into()),
        }
        let s: Session =
            serde_json::from_value(v).map_err(|e| format!("the session file is incomplete or damaged ({e})"))?;
        s.validate()?;
        Ok(s)
    }

    fn validate(&self) -> Result<(), String> {
        let finite = |v: f64| v.is_finite();
        for a in 0..2 {
            let [lo, hi] = self.bounds[a];
            if !(finite(lo) && finite(hi) && lo < hi && lo.abs().max(hi.abs()) <= 1e6) {
                return Err(format!("the session's box [{lo}, {hi}] is not a valid interval"));
            }
        }
        if !(finite(self.n) && (1.0..=N_MAX).contains(&self.n)) {
            return Err(format!("the session's n = {} is outside 1 … 1e12", self.n));
        }
        if !(finite(self.eps) && self.eps > 0.0) {
            return Err(format!("the session's ε = {} is not positive", self.eps));
        }
        if !(finite(self.sigma) && self.sigma > 0.0 && finite(self.link_c) && self.link_c > 0.0) {
            return Err("the session's σ or c is not a positive number".into());
        }
        if ![128, 256, 512].contains(&self.grid) {
            return Err(format!("the session's grid {} is not one of 128, 256, 512", self.grid));
        }
        if !(self.font_scale.is_finite() && (1.0..=3.0).contains(&self.font_scale)) {
            return Err(format!("the session's font scale {} is outside 1 … 3", self.font_scale));
        }
        if !(finite(self.speed) && self.speed > 0.0 && self.speed <= 10.0) {
            return Err("the session's sweep speed is out of range".into());
        }
        if let Some(w) = self.fit_window
            && !(w[0] > 0.0 && w[1] > w[0] && finite(w[1]))
        {
            return Err("the session's fit window is not 0 < EMIN < EMAX".into());
        }
        if let Some(p) = &self.preset
            && presets::find(p).is_none()
        {
            return Err(format!("the session names an unknown preset '{p}'"));
        }
        if let Some(m) = &self.model {
            let mut m = m.clone();
            m.n = m.n.max(2).min(m.n_max());
            m.validate().map_err(|e| format!("the session's model: {e}"))?;
        }
        if self.formula.chars().count() > crate::core::expr::MAX_FORMULA_CHARS {
            return Err("the session's formula is too long".into());
        }
        Ok(())
    }
}
