//! The numbers beside the plots (the side panel's readouts, the presentation layout's big ones),
//! computed from one analysis, the fit on screen, n and ε. Plain named fields: the UI only formats
//! them.

use serde::Serialize;

use super::estimate::Estimate;
use super::fit::{Convergence, FitReport};
use super::free_energy::{VolumeLaw, free_energy, mass_inside};
use super::theory::{Source, Status};

/// The fitted λ with its interval and multiplicity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FittedLambda {
    pub lambda: f64,
    /// None when the fit has not converged.
    pub ci: Option<[f64; 2]>,
    pub convergence: Convergence,
    pub m: u32,
    /// Where m came from: "theory" or "data".
    pub m_source: &'static str,
}

/// What theory says (the catalogue's value for a preset, else the analysis's).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TheoryReadout {
    pub lambda: f64,
    pub m: u32,
    pub source: Source,
    pub status: Status,
}

/// A value and whether it leans on the fitted law below the resolved range of ε.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Extrapolated {
    pub value: f64,
    pub extrapolated: bool,
}

/// F_n and its slopes at the current n.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FreeEnergyReadout {
    pub f: f64,
    /// dF_n/d log n.
    pub lambda_f: f64,
    /// n·E_n[K − K*].
    pub lambda_eff: f64,
    pub extrapolated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readouts {
    pub k_min: f64,
    /// One minimiser (its first `dim` coordinates).
    pub argmin: Option<Vec<f64>>,
    /// V(ε), extrapolated below the resolved range.
    pub v_eps: Extrapolated,
    pub lambda: FittedLambda,
    pub lambda_naive: f64,
    pub theory: Option<TheoryReadout>,
    /// For a preset: the catalogue's λ and m (a reference, computed from nothing).
    pub reference: Option<(&'static str, u32)>,
    /// The interval search certified K* (None: a model, not a formula).
    pub certified: Option<bool>,
    /// d/2: the regular value.
    pub regular: f64,
    /// P(K − K* < ε) under the posterior at n.
    pub mass_inside: Option<Extrapolated>,
    pub free_energy: Option<FreeEnergyReadout>,
    pub decades: f64,
    /// The fit window in use (default or chosen).
    pub fit_window: [f64; 2],
    pub warnings: Vec<String>,
}

/// The readouts of an estimate with the fit `fit` (whose volume law is `law`) at n and ε.
pub fn readouts(est: &Estimate, fit: &FitReport, law: &VolumeLaw, dim: usize, n: f64, eps: f64) -> Readouts {
    let curve = &est.curve;
    let k_min = est.minimum.k_min;
    Readouts {
        k_min,
        argmin: est.minimum.argmin.first().map(|p| p[..dim].to_vec()),
        v_eps: Extrapolated { value: law.ln_v(eps.ln()).exp(), extrapolated: eps < curve.eps_min },
        lambda: FittedLambda {
            lambda: fit.best.lambda,
            ci: fit.lambda_ci,
            convergence: fit.convergence,
            m: fit.best.m,
            m_source: fit.m_source,
        },
        lambda_naive: fit.lambda_naive,
        theory: est.theory.as_ref().map(|t| TheoryReadout {
            lambda: t.lambda,
            m: t.m,
            source: t.source,
            status: t.status,
        }),
        reference: est.reference.as_ref().map(|r| (r.lambda_text, r.m)),
        certified: est.minimum.certified,
        regular: dim as f64 / 2.0,
        mass_inside: mass_inside(law, n, eps).ok().map(|(value, extrapolated)| Extrapolated { value, extrapolated }),
        free_energy: free_energy(law, k_min, n).ok().map(|f| FreeEnergyReadout {
            f: f.f,
            lambda_f: f.lambda_f,
            lambda_eff: f.lambda_eff,
            extrapolated: f.extrapolated,
        }),
        decades: curve.decades,
        fit_window: fit.best.window,
        warnings: est.warnings.clone(),
    }
}

/// Why λ < d/2, in numbers: the sublevel set at ε beside the one the regular basin |w − w*|² < ε
/// would have (a ball of radius √ε: width 2√ε in 1-D, area πε in 2-D, volume ∝ ε^(d/2)), both as
/// prior volumes under the uniform prior on the same box.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RegularComparison {
    /// √ε: the regular set's radius.
    pub radius: f64,
    /// Its width (1-D) or area (2-D).
    pub regular_size: f64,
    /// Its prior volume (regular_size / box volume, capped at 1).
    pub regular_v: f64,
    /// This landscape's V(ε).
    pub v: f64,
    /// v / regular_v: how many times more volume this basin has near its bottom.
    pub ratio: f64,
}

pub fn regular_comparison(v_eps: f64, eps: f64, dim: usize, box_volume: f64) -> RegularComparison {
    let radius = eps.max(0.0).sqrt();
    let regular_size = if dim == 1 { 2.0 * radius } else { std::f64::consts::PI * eps.max(0.0) };
    let regular_v = (regular_size / box_volume.max(1e-300)).min(1.0);
    RegularComparison { radius, regular_size, regular_v, v: v_eps, ratio: v_eps / regular_v.max(1e-300) }
}
