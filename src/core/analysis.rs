//! What the app shows about one landscape, computed in one call: the estimate (minimum, volume
//! curve, fit, theory), the volume law for the free energy, the 1-D profile for the red segments;
//! and, in a second call, the basins with the phase-transition curves. The worker thread calls
//! these and nothing else; the CLI calls the same functions.

use super::basins::{Basins, Crossover, find_basins};
use super::estimate::{Estimate, EstimateError, EstimateOptions, estimate};
use super::fit::{FitError, FitReport, fit_report};
use super::free_energy::{VolumeLaw, free_energy};
use super::landscape::{Landscape, LandscapeError, LandscapeSpec};
use super::posterior::{GridSpec, KGrid, sample_k};
use super::profile::Profile;
use super::volume::{profile_1d, sublevel_intervals_1d};

/// Everything the panels show about one landscape.
#[derive(Debug)]
pub struct Analysis {
    /// The version of the inputs it was computed from (the app drops stale results).
    pub version: u64,
    pub spec: LandscapeSpec,
    /// The landscape as parsed on the worker (the UI never parses it again).
    pub landscape: Landscape,
    pub dim: usize,
    pub bounds: [[f64; 2]; 2],
    pub estimate: Estimate,
    pub law: VolumeLaw,
    /// 1-D: the line profile behind the sublevel intervals (any ε without a new scan).
    pub profile: Option<Profile>,
}

/// Why an analysis failed, as the sentence the user reads.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    #[error(transparent)]
    Landscape(#[from] LandscapeError),
    #[error(transparent)]
    Estimate(#[from] EstimateError),
}

impl Analysis {
    /// Parse the spec, estimate, and prepare what every frame needs.
    pub fn compute(version: u64, spec: LandscapeSpec, fit_window: Option<[f64; 2]>) -> Result<Analysis, AnalysisError> {
        let landscape = Landscape::from_spec(&spec)?;
        let opts = EstimateOptions { fit_window, ..Default::default() };
        let est = estimate(&landscape, &opts)?;
        let law = VolumeLaw::new(&est.curve, &est.fit.best);
        let profile = (landscape.dim == 1).then(|| profile_1d(&landscape, &est.minimum));
        Ok(Analysis {
            version,
            spec,
            dim: landscape.dim,
            bounds: landscape.bounds,
            landscape,
            estimate: est,
            law,
            profile,
        })
    }

    /// K on a view rectangle (clamped to the box: outside it there is no prior mass).
    pub fn sample(&self, view: GridSpec) -> Result<KGrid, LandscapeError> {
        sample_k(&self.landscape, view.clamped_to(self.bounds, self.dim))
    }

    /// A new fit window on the same curve: the fit and its volume law.
    pub fn refit(&self, fit_window: Option<[f64; 2]>) -> Result<(FitReport, VolumeLaw), FitError> {
        let m_theory = self.estimate.exact().map(|t| t.1);
        let fit = fit_report(&self.estimate.curve, fit_window, m_theory)?;
        let law = VolumeLaw::new(&self.estimate.curve, &fit.best);
        Ok((fit, law))
    }

    /// 1-D: the sublevel set {K − K* < ε} as intervals (empty in 2-D).
    pub fn sublevel_intervals(&self, eps: f64) -> Vec<(f64, f64)> {
        match &self.profile {
            Some(p) => sublevel_intervals_1d(&self.landscape, p, self.estimate.minimum.k_min, eps),
            None => vec![],
        }
    }
}

/// The n grid of the phase-transition curves: 241 points evenly spaced in log10 n over 1 … 1e12.
pub fn log10_n_grid() -> Vec<f64> {
    (0..=240).map(|k| 12.0 * k as f64 / 240.0).collect()
}

/// `log10_n_grid` with 400 more points within a decade of each crossover, where the masses jump (the
/// dialogue's jump, 10,000 → 11,000, is 0.04 of a decade: a coarse grid draws it as a wall).
pub fn phase_n_grid(crossovers: &[Crossover]) -> Vec<f64> {
    let mut t = log10_n_grid();
    for c in crossovers {
        let l = c.n_c.log10();
        t.extend((0..=400).map(|k| l - 1.0 + 2.0 * k as f64 / 400.0).filter(|v| (0.0..=12.0).contains(v)));
    }
    t.sort_by(f64::total_cmp);
    t.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    t
}

/// The log10 n range the phase plot opens on: a decade either side of the crossovers (all of
/// 1 … 10¹² without one).
pub fn phase_view(crossovers: &[Crossover]) -> [f64; 2] {
    let ls: Vec<f64> = crossovers.iter().map(|c| c.n_c.log10()).collect();
    if ls.is_empty() {
        return [0.0, 12.0];
    }
    let lo = ls.iter().copied().fold(f64::INFINITY, f64::min) - 1.0;
    let hi = ls.iter().copied().fold(f64::NEG_INFINITY, f64::max) + 1.0;
    [lo.max(0.0), hi.min(12.0)]
}

/// Basins and the curves of the phase-transition panel, on `phase_n_grid` (all from the core).
#[derive(Debug)]
pub struct PhaseData {
    pub version: u64,
    pub basins: Basins,
    pub crossovers: Vec<Crossover>,
    pub log10_n: Vec<f64>,
    /// mass[k][i]: posterior mass of basin i at n = 10^log10_n[k]
    pub mass: Vec<Vec<f64>>,
    /// F_i(n) − n·min K*
    pub f_basin: Vec<Vec<f64>>,
    /// exact F_n − n·min K* (from the global volume law), BIC and WBIC on the same scale
    pub f_total: Vec<f64>,
    pub bic: Vec<f64>,
    pub wbic: Vec<f64>,
}

impl PhaseData {
    pub fn compute(a: &Analysis) -> Result<PhaseData, LandscapeError> {
        let basins = find_basins(&a.landscape, &a.estimate.minimum, &Default::default())?;
        let crossovers = basins.crossovers();
        let kmin = a.estimate.minimum.k_min;
        let d = a.dim as f64;
        let log10_n = phase_n_grid(&crossovers);
        let mut mass = vec![];
        let mut f_basin = vec![];
        let mut f_total = vec![];
        let mut bic = vec![];
        let mut wbic = vec![];
        for &t in &log10_n {
            let n = 10f64.powf(t);
            mass.push(basins.masses(n)?);
            f_basin.push(basins.free_energies(n)?.iter().map(|f| f - n * kmin).collect());
            let fe = free_energy(&a.law, kmin, n)?;
            f_total.push(fe.f - n * kmin);
            bic.push(0.5 * d * n.ln());
            // WBIC = E_β[nK] at β = 1/log n = nK* + log n · λ_eff(n/log n)
            let w = if n > std::f64::consts::E {
                free_energy(&a.law, kmin, (n / n.ln()).max(1.0)).map(|f| f.lambda_eff * n.ln()).unwrap_or(f64::NAN)
            } else {
                f64::NAN
            };
            wbic.push(w);
        }
        Ok(PhaseData { version: a.version, basins, crossovers, log10_n, mass, f_basin, f_total, bic, wbic })
    }
}
