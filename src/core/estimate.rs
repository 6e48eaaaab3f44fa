//! The whole measurement: minimum → volume curve → fits → theory, as one plain result.

use std::time::Instant;

use serde::Serialize;

use super::fit::{FitError, FitReport, fit_report};
use super::landscape::{Landscape, LandscapeError, Minimum, min_tol};
use super::theory::{Source, Status, Theory};
use super::volume::{VolumeCurve, VolumeOptions, volume_curve};

#[derive(Debug, Clone, Copy, Default)]
pub struct EstimateOptions {
    pub fit_window: Option<[f64; 2]>,
    pub seed: u64,
    pub volume: VolumeOptions,
}

#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    /// The Newton polygon / Hessian analysis (also for presets, whose `theory` stays the preset's).
    pub theory_report: super::theory::TheoryReport,
    pub minimum: Minimum,
    pub curve: VolumeCurve,
    pub fit: FitReport,
    pub theory: Option<Theory>,
    pub evaluations: u64,
    pub elapsed_ms: f64,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EstimateError {
    /// Bad input: exit code 2.
    #[error(transparent)]
    Input(LandscapeError),
    /// The computation itself failed: exit code 1.
    #[error("{0}")]
    Compute(String),
}

impl From<LandscapeError> for EstimateError {
    fn from(e: LandscapeError) -> Self {
        match e {
            LandscapeError::Budget => EstimateError::Compute(e.to_string()),
            e => EstimateError::Input(e),
        }
    }
}

impl From<FitError> for EstimateError {
    fn from(e: FitError) -> Self {
        match e {
            FitError::BadWindow(_) => EstimateError::Input(LandscapeError::BadEps(e.to_string())),
            _ => EstimateError::Compute(e.to_string()),
        }
    }
}

/// Theory known without analysis: the preset's exact values.
pub fn preset_theory(land: &Landscape) -> Option<Theory> {
    let p = land.preset?;
    Some(Theory { lambda: p.lambda?, m: p.m.unwrap_or(1), source: Source::Preset, status: Status::Exact })
}

/// Minimum and volume curve, with a safety net: if any line of the volume computation finds K
/// below K*, K* was not the global minimum — search again from there and redo the curve.
pub fn minimum_and_curve(land: &Landscape, opts: &VolumeOptions) -> Result<(Minimum, VolumeCurve), LandscapeError> {
    let mut min = land.minimize()?;
    for _ in 0..3 {
        let curve = volume_curve(land, &min, opts)?;
        match curve.lower_point {
            Some((p, v)) if v < min.k_min - min_tol(min.k_min) => {
                let (q, kv) = if land.dim == 2 { land.local_search(p, v) } else { (p, v) };
                min.k_min = kv;
                min.argmin.insert(0, q);
                min.local_minima.insert(0, (q, kv));
                let tol = min_tol(kv);
                let lm = min.local_minima.clone();
                min.argmin.retain(|a| lm.iter().any(|(b, v)| b == a && *v <= kv + tol));
            }
            _ => return Ok((min, curve)),
        }
    }
    let curve = volume_curve(land, &min, opts)?;
    Ok((min, curve))
}

pub fn estimate(land: &Landscape, opts: &EstimateOptions) -> Result<Estimate, EstimateError> {
    let t0 = Instant::now();
    land.renew_budget();
    let e0 = land.evaluations();
    let (minimum, curve) = minimum_and_curve(land, &opts.volume)?;
    let mut report = super::theory::analyze(land, &minimum);
    // A minimum that is not isolated: the most singular point may not be among the points analysed,
    // and the polygon's value there is then only an upper bound (λ = min over the minimum set). If
    // the measurement (with m from the data) lies clearly below it, say so and do not use its m.
    if report.not_isolated
        && let Some(t) = report
            .theory
            .as_mut()
            .filter(|t| t.is_exact() && matches!(t.source, Source::Newton | Source::NewtonAdapted))
    {
        let plain = fit_report(&curve, opts.fit_window, None)?;
        let gap = (plain.lambda_ci[1] - plain.lambda_ci[0]).max(0.02);
        if plain.best.lambda < t.lambda - gap {
            t.status = Status::UpperBound;
            report.reason = format!(
                "{}; but the minimum is not isolated and the measured λ = {:.4} lies below it: a more singular point of the minimum set was not located, so 1/t₀ = {:.4} is only an upper bound",
                report.reason, plain.best.lambda, t.lambda
            );
        }
    }
    let theory = preset_theory(land).or_else(|| report.theory.clone());
    // m from theory where it is exact (the preset's, or the Newton polygon's)
    let m_theory = theory.as_ref().filter(|t| t.is_exact()).map(|t| t.m);
    let fit = fit_report(&curve, opts.fit_window, m_theory)?;
    let mut warnings = minimum.warnings.clone();
    warnings.extend(curve.warnings.iter().cloned());
    if let Some(t) = &theory
        && t.is_exact()
    {
        let (lo, hi) = (fit.lambda_ci[0], fit.lambda_ci[1]);
        let slack = 0.01;
        if t.lambda < lo - slack || t.lambda > hi + slack {
            warnings.push(format!(
                "the measured λ = {:.4} (interval [{lo:.4}, {hi:.4}]) disagrees with the exact λ = {:.4} from the {}",
                fit.best.lambda, t.lambda, t.source
            ));
        }
    }
    if !fit.best.lambda.is_finite() {
        return Err(EstimateError::Compute("the fit of the volume curve did not converge".into()));
    }
    Ok(Estimate {
        theory_report: report,
        minimum,
        curve,
        fit,
        theory,
        evaluations: land.evaluations() - e0,
        elapsed_ms: t0.elapsed().as_secs_f64() * 1e3,
        warnings,
    })
}
