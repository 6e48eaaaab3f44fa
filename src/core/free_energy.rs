//! Free energy from the volume curve (SCIENCE.md §3):
//!   Z_n = ∫ φ e^{−nK} = e^{−nK*} · n ∫_0^∞ e^{−nε} V(ε) dε,   F_n = −log Z_n,
//! for every n at once, with λ_F(n) = d(F_n − nK*)/d log n and λ_eff(n) = n·E_n[K − K*].
//! (The two are equal by the thermodynamic identity dF/dn = E_n[K]; we compute the first by
//! differencing F and the second as an expectation, and a test checks that they agree.)
//!
//! V is interpolated log-linearly between curve points (exact for a power law) and continued below
//! ε_min with the fitted law ε^λ Σ a_k (−log ε)^k; a value whose integral draws more than 0.1% from
//! that continuation is marked `extrapolated`.

use serde::Serialize;

use super::fit::Fit;
use super::landscape::{LandscapeError, N_MAX};
use super::num::logaddexp;
use super::volume::VolumeCurve;

/// Share of Z below ε_min above which a value is marked extrapolated.
pub const TAIL_THRESHOLD: f64 = 1e-3;

/// The volume law as a function on (0, ∞): curve, fitted tail below, 1 above ε_max.
#[derive(Debug, Clone)]
pub struct VolumeLaw {
    /// (ln ε, ln V) ascending in ε.
    pts: Vec<(f64, f64)>,
    /// Monotone cubic (PCHIP, Fritsch–Carlson) slopes at the points: log V is curved near ε_max
    /// (x²y²: √ε(1 + ½ log 1/ε)), and log-linear interpolation between points a third of a
    /// decade apart would put F_n at n ≈ 1 off by ~4e-3.
    slopes: Vec<f64>,
    lambda: f64,
    coeffs: Vec<f64>,
}

impl VolumeLaw {
    pub fn new(curve: &VolumeCurve, fit: &Fit) -> VolumeLaw {
        let mut pts: Vec<(f64, f64)> =
            curve.points.iter().filter(|p| p.v > 0.0).map(|p| (p.eps.ln(), p.v.min(1.0).ln())).collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let lambda = if fit.lambda.is_finite() && fit.lambda > 0.0 { fit.lambda } else { 0.5 };
        let slopes = pchip_slopes(&pts);
        VolumeLaw { pts, slopes, lambda, coeffs: fit.coeffs.clone() }
    }

    /// ln of the largest V (the region's prior mass).
    pub fn ln_v_top(&self) -> f64 {
        self.pts.last().map(|p| p.1.min(0.0)).unwrap_or(0.0)
    }

    pub fn ln_eps_min(&self) -> f64 {
        self.pts.first().map(|p| p.0).unwrap_or(f64::NEG_INFINITY)
    }

    fn ln_law(&self, u: f64) -> f64 {
        // ln(ε^λ Σ a_k L^k), L = −ln ε; if the polynomial factor is not positive there, drop it.
        let l = -u;
        let s: f64 = self.coeffs.iter().enumerate().map(|(k, a)| a * l.powi(k as i32)).sum();
        if s > 0.0 && s.is_finite() { self.lambda * u + s.ln() } else { self.lambda * u }
    }

    /// ln V(e^u).
    pub fn ln_v(&self, u: f64) -> f64 {
        let n = self.pts.len();
        if n == 0 {
            return 0.0;
        }
        if u >= self.pts[n - 1].0 {
            // above ε_max the whole region is inside: V stays at its last value (1 for the box, the
            // basin's prior mass for a basin)
            return self.pts[n - 1].1.min(0.0);
        }
        if u <= self.pts[0].0 {
            let (u0, v0) = self.pts[0];
            return v0 + self.ln_law(u) - self.ln_law(u0);
        }
        let i = self.pts.partition_point(|p| p.0 <= u);
        let (ua, va) = self.pts[i - 1];
        let (ub, vb) = self.pts[i];
        let h = ub - ua;
        let t = (u - ua) / h;
        let (da, db) = (self.slopes[i - 1], self.slopes[i]);
        // cubic Hermite basis
        let t2 = t * t;
        let t3 = t2 * t;
        (2.0 * t3 - 3.0 * t2 + 1.0) * va
            + (t3 - 2.0 * t2 + t) * h * da
            + (-2.0 * t3 + 3.0 * t2) * vb
            + (t3 - t2) * h * db
    }
}

/// Fritsch–Carlson monotone slopes for a cubic Hermite interpolant (PCHIP).
fn pchip_slopes(p: &[(f64, f64)]) -> Vec<f64> {
    let n = p.len();
    if n < 2 {
        return vec![0.0; n];
    }
    let d: Vec<f64> = (0..n - 1).map(|i| (p[i + 1].1 - p[i].1) / (p[i + 1].0 - p[i].0)).collect();
    let mut m = vec![0.0; n];
    m[0] = d[0];
    m[n - 1] = d[n - 2];
    for i in 1..n - 1 {
        if d[i - 1] * d[i] <= 0.0 {
            m[i] = 0.0;
        } else {
            // weighted harmonic mean (Fritsch–Butland), keeps monotonicity
            let h0 = p[i].0 - p[i - 1].0;
            let h1 = p[i + 1].0 - p[i].0;
            let w1 = 2.0 * h1 + h0;
            let w2 = h1 + 2.0 * h0;
            m[i] = (w1 + w2) / (w1 / d[i - 1] + w2 / d[i]);
        }
    }
    m
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct FreeEnergyPoint {
    pub n: f64,
    /// F_n = −log Z_n (prior normalised on the box).
    pub f: f64,
    /// d(F_n − nK*)/d log n, by central difference.
    pub lambda_f: f64,
    /// n·E_n[K − K*].
    pub lambda_eff: f64,
    /// Share of Z that comes from ε below the resolved range.
    pub tail_fraction: f64,
    pub extrapolated: bool,
}

pub fn check_n(n: f64) -> Result<(), LandscapeError> {
    if !n.is_finite() || !(1.0..=N_MAX).contains(&n) {
        return Err(LandscapeError::BadN(format!(
            "n = {} is outside the supported range 1 … {N_MAX:e}",
            super::num::short(n)
        )));
    }
    Ok(())
}

const DU: f64 = 0.01;

/// (log ∫ e^{−nε} V dε over u < u_cut, same over u ≥ u_cut, and with an extra factor ε) — the pieces
/// every quantity here is made of. Integration in u = ln ε by the trapezoid rule (the integrand is
/// smooth and decays exponentially at both ends, where the trapezoid rule converges fast).
struct Pieces {
    below_min: f64,
    total: f64,
    first_moment: f64,
}

fn pieces(law: &VolumeLaw, n: f64, u_end: Option<f64>) -> Pieces {
    let uc = -n.ln();
    let lo = uc - 70.0;
    let hi = match u_end {
        Some(e) => e.min(uc + 7.0),
        None => uc + 7.0,
    };
    let ln_eps_min = law.ln_eps_min();
    if hi <= lo {
        return Pieces { below_min: f64::NEG_INFINITY, total: f64::NEG_INFINITY, first_moment: f64::NEG_INFINITY };
    }
    let steps = (((hi - lo) / DU).ceil() as usize).max(2);
    let du = (hi - lo) / steps as f64;
    let mut total = f64::NEG_INFINITY;
    let mut below = f64::NEG_INFINITY;
    let mut first = f64::NEG_INFINITY;
    for i in 0..=steps {
        let u = lo + du * i as f64;
        let w = if i == 0 || i == steps { 0.5 * du } else { du };
        let h = -n * u.exp() + law.ln_v(u) + u + w.ln();
        total = logaddexp(total, h);
        first = logaddexp(first, h + u);
        if u < ln_eps_min {
            below = logaddexp(below, h);
        }
    }
    Pieces { below_min: below, total, first_moment: first }
}

/// log Z_n = −F_n alone (one transform; for basin masses and crossovers).
pub fn log_z(law: &VolumeLaw, k_min: f64, n: f64) -> f64 {
    let p = pieces(law, n, None);
    -n * k_min + n.ln() + p.total
}

/// F_n and its slopes at one n.
pub fn free_energy(law: &VolumeLaw, k_min: f64, n: f64) -> Result<FreeEnergyPoint, LandscapeError> {
    check_n(n)?;
    let fe = |n: f64| {
        let p = pieces(law, n, None);
        (-n.ln() - p.total, p)
    };
    let (g0, p) = fe(n);
    let d: f64 = 1e-3;
    let (gp, _) = fe(n * d.exp());
    let (gm, _) = fe(n * (-d).exp());
    let lambda_f = (gp - gm) / (2.0 * d);
    let lambda_eff = n * (p.first_moment - p.total).exp() - 1.0;
    let tail = (p.below_min - p.total).exp();
    Ok(FreeEnergyPoint {
        n,
        f: n * k_min + g0,
        lambda_f,
        lambda_eff,
        tail_fraction: tail,
        extrapolated: tail > TAIL_THRESHOLD,
    })
}

/// Posterior mass of the sublevel set {K − K* < ε}:
///   P = [e^{−nε} V(ε) + n ∫_0^ε e^{−nt} V(t) dt] / (n ∫_0^∞ e^{−nt} V(t) dt).
/// Returns (P, extrapolated).
pub fn mass_inside(law: &VolumeLaw, n: f64, eps: f64) -> Result<(f64, bool), LandscapeError> {
    check_n(n)?;
    if !(eps > 0.0) || !eps.is_finite() {
        return Err(LandscapeError::BadEps(format!("ε = {} must be a positive number", super::num::short(eps))));
    }
    let all = pieces(law, n, None);
    let part = pieces(law, n, Some(eps.ln()));
    let ln_num = logaddexp(-n * eps + law.ln_v(eps.ln()), n.ln() + part.total);
    let ln_den = n.ln() + all.total;
    let p = (ln_num - ln_den).exp().clamp(0.0, 1.0);
    let extrapolated = (all.below_min - all.total).exp() > TAIL_THRESHOLD;
    Ok((p, extrapolated))
}
