//! The whole measurement: minimum → volume curve → fits → theory, as one plain result.

use std::time::Instant;

use serde::Serialize;

use super::fit::{Convergence, FitError, FitReport, fit_report};
use super::landscape::{Landscape, LandscapeError, Minimum, min_tol};
use super::theory::{Status, Theory};
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
    /// What the analysis says about λ and m (never the catalogue's values).
    pub theory: Option<Theory>,
    /// For a preset: the catalogue's λ and m, shown beside the measurement as a reference (and
    /// used by tests as the truth); no computation reads it.
    pub reference: Option<Reference>,
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

/// The catalogue's answer for a preset (display only).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reference {
    pub lambda: f64,
    pub m: u32,
    /// λ as a fraction, e.g. "5/12".
    pub lambda_text: &'static str,
    pub source: &'static str,
}

impl Reference {
    pub fn of(land: &Landscape) -> Option<Reference> {
        let p = land.preset?;
        Some(Reference { lambda: p.lambda?, m: p.m.unwrap_or(1), lambda_text: p.lambda_text, source: p.source })
    }
}

impl Estimate {
    /// λ and m when the theory's verdict is exact: the one place that decides what is drawn and
    /// printed as "exact λ" (an upper bound or an unknown is never shown as exact).
    pub fn exact(&self) -> Option<(f64, u32)> {
        exact_of(self.theory.as_ref())
    }
}

/// λ and m of a verdict that counts as exact.
pub fn exact_of(theory: Option<&Theory>) -> Option<(f64, u32)> {
    theory.filter(|t| t.is_exact()).map(|t| (t.lambda, t.m))
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
    // the sublevel set fills the box at every resolved ε: K is constant but on a set of no volume
    if curve.points.last().is_some_and(|p| p.v >= 1.0 - 1e-9) {
        return Err(EstimateError::Input(LandscapeError::Undefined(
            "K is constant on the box but on a set of zero volume (every point is a minimum): there is no volume law to measure".into(),
        )));
    }
    let mut report = super::theory::analyze(land, &minimum);
    // A minimum that is not isolated: the most singular point may not be among the points analysed,
    // and the value there is then only an upper bound (λ = min over the minimum set). It counts as
    // exact only when the measurement (with m from the data) confirms it: converged, not clearly
    // below it, and without a larger multiplicity than it claims.
    if report.not_isolated
        && let Some(t) = report.theory.as_mut().filter(|t| t.is_exact())
    {
        let plain = fit_report(&curve, opts.fit_window, None)?;
        let gap = plain.lambda_ci.map(|c| c[1] - c[0]).unwrap_or(0.0).max(0.02);
        let why = if !plain.convergence.is_converged() {
            Some("the measured volume law has not converged, so it cannot confirm that no point of the minimum set is more singular".to_string())
        } else if plain.best.lambda < t.lambda - gap {
            Some(format!(
                "the measured λ = {:.4} lies below it: a more singular point of the minimum set was not located",
                plain.best.lambda
            ))
        } else if plain.best.m > t.m {
            Some(format!(
                "the measurement finds m = {} > {}: a crossing of the minimum set was not located",
                plain.best.m, t.m
            ))
        } else {
            None
        };
        if let Some(why) = why {
            t.status = Status::UpperBound;
            report.reason =
                format!("{}; but the minimum is not isolated and {why}, so λ ≤ {:.4} only", report.reason, t.lambda);
        }
    }
    let theory = report.theory.clone();
    // m from theory where its verdict is exact, else from the data
    let fit = fit_report(&curve, opts.fit_window, exact_of(theory.as_ref()).map(|t| t.1))?;
    let mut warnings = minimum.warnings.clone();
    warnings.extend(curve.warnings.iter().cloned());
    match fit.convergence {
        Convergence::Converged => {}
        Convergence::Drifting => warnings.push(format!(
            "the fitted λ has not converged: the fit still drifts across the lowest decades of ε (λ = {:.4} at the smallest ε resolved); no interval is given",
            fit.best.lambda
        )),
        Convergence::Flat => warnings.push(
            "the minimum is flatter than any power: the local slope keeps falling towards 0 as ε goes to 0 (λ = 0 in the limit, V ~ a slower function than any ε^λ)".into(),
        ),
        Convergence::PositiveVolume => warnings.push(
            "the minimum set has positive volume: V(ε) does not go to 0, so λ = 0 exactly".into(),
        ),
        Convergence::DomainEdge => warnings.push(format!(
            "not certified: the minimum lies on the edge of the region where K is defined, where the line minima of the 2-D integration are resolved only to a floor the method cannot bound; λ̂ = {:.4} is indicative and no interval is given (move the box so that K is defined around the minimum)",
            fit.best.lambda
        )),
    }
    if let (Some((l, _)), Some([lo, hi])) = (exact_of(theory.as_ref()), fit.lambda_ci) {
        let slack = 0.01;
        if l < lo - slack || l > hi + slack {
            warnings.push(format!(
                "the measured λ = {:.4} (interval [{lo:.4}, {hi:.4}]) disagrees with the exact λ = {l:.4} from the {}",
                fit.best.lambda,
                theory.as_ref().map(|t| t.source.to_string()).unwrap_or_default()
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
        reference: Reference::of(land),
        evaluations: land.evaluations() - e0,
        elapsed_ms: t0.elapsed().as_secs_f64() * 1e3,
        warnings,
    })
}
