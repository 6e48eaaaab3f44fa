//! λ from the volume curve: the local slope, the naive log-log slope, and a multiplicity-aware fit
//! V ≈ ε^λ · Σ_{k<m} a_k (−log ε)^k with a confidence interval.
//!
//! The reported λ is the profile fit on the lowest six decades with m from theory when known,
//! otherwise m = 2 only when the log coefficient is stable across windows. Why not choose m by the
//! smaller residual: a lower-order power correction (x²y⁴: c₁ε^¼ + c₂ε^½) is fitted almost as well
//! by a log term and pulls λ̂ away, but its "log coefficient" drifts from window to window; a true
//! logarithm (x²y²: √ε(1 + ½ log(1/ε))) gives the same ratio a₁/a₀ in every window.

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use super::volume::{VolumeCurve, VolumePoint};

/// How many decades the default fit window spans (the smallest ε resolved upward).
pub const WINDOW_DECADES: f64 = 6.0;

#[derive(Debug, Clone, Serialize)]
pub struct Fit {
    pub lambda: f64,
    pub m: u32,
    /// Coefficients a_k of V ≈ ε^λ Σ a_k (−ln ε)^k.
    pub coeffs: Vec<f64>,
    pub window: [f64; 2],
    /// Root-mean-square relative residual of the fit in its window.
    pub rms_rel: f64,
    /// (δ, a₁) of a power correction: V ≈ ε^λ (a₀ + a₁ ε^δ), with a₀ = coeffs[0].
    pub correction: Option<(f64, f64)>,
}

/// Whether the volume curve has reached its asymptotic law within the resolved range of ε.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Convergence {
    /// The fits on the lowest windows agree: λ̂ and its interval stand.
    Converged,
    /// The fit still drifts across the lowest decades: λ̂ is where it stands now, with no interval.
    Drifting,
    /// The slope keeps falling towards 0 as ε → 0 (an infinitely flat minimum, like exp(−1/x²)):
    /// λ = 0 in the limit, and the interval is [0, λ̂ of the windows].
    Flat,
    /// V(ε) stays at a positive value: the minimum set has positive volume, λ = 0 exactly.
    PositiveVolume,
    /// A minimiser lies on the edge of the region where K is defined (sqrt(x + y) at x + y = 0)
    /// in 2-D: the line minima there are resolved only to a floor the method cannot bound, so
    /// λ̂ is indicative and no interval is given.
    DomainEdge,
}

impl Convergence {
    pub fn is_converged(self) -> bool {
        self == Convergence::Converged
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FitReport {
    /// The reported λ: the multiplicity-aware fit.
    pub best: Fit,
    /// Least-squares slope of log V on log ε over the same window.
    pub lambda_naive: f64,
    /// None when the fit has not converged (`convergence`): no interval rather than a wrong one.
    pub lambda_ci: Option<[f64; 2]>,
    pub convergence: Convergence,
    /// Where m came from: "theory" or "data".
    pub m_source: &'static str,
    /// Local slope s(ε) = d log V / d log ε at each curve point (ε, s).
    pub local_slope: Vec<[f64; 2]>,
    /// Fits on the shifted windows used for the interval.
    pub window_lambdas: Vec<f64>,
    /// δ of the power correction ε^λ(a₀ + a₁ε^δ) when the correction-aware fit was used.
    pub correction_delta: Option<f64>,
}

/// λ̂ with its interval as a person reads it: "0.5000 [0.4999, 0.5001]", or "0.0212 [0, 0.0270]
/// (flat)", or "0.0600 (not converged)".
pub fn lambda_text(lambda: f64, ci: Option<[f64; 2]>, convergence: Convergence) -> String {
    let iv = ci.map(|c| format!(" [{:.4}, {:.4}]", c[0], c[1])).unwrap_or_default();
    let note = match convergence {
        Convergence::Converged => "",
        Convergence::Drifting => " (not converged)",
        Convergence::Flat => " (flat)",
        Convergence::PositiveVolume => " (positive-volume minimum)",
        Convergence::DomainEdge => " (not certified: minimum on the edge of K's domain)",
    };
    format!("{lambda:.4}{iv}{note}")
}

impl FitReport {
    /// See `lambda_text`.
    pub fn lambda_text(&self) -> String {
        lambda_text(self.best.lambda, self.lambda_ci, self.convergence)
    }
}

impl Fit {
    /// ln of the fitted law ε^λ Σ a_k (−ln ε)^k at ε (NaN where the polynomial factor is ≤ 0).
    pub fn ln_v(&self, eps: f64) -> f64 {
        let l = -eps.ln();
        let s: f64 = self.coeffs.iter().enumerate().map(|(k, a)| a * l.powi(k as i32)).sum();
        if s > 0.0 { self.lambda * eps.ln() + s.ln() } else { f64::NAN }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error(
        "the fit window holds only {0} levels of ε where V(ε) was measured (at least 4 are needed for a slope): widen the fit window, or let it default"
    )]
    TooFewPoints(usize),
    #[error("bad fit window: {0}")]
    BadWindow(String),
}

fn usable(points: &[VolumePoint], lo: f64, hi: f64) -> Vec<(f64, f64, f64)> {
    // (ln ε, ln V, relative error)
    points
        .iter()
        .filter(|p| p.eps >= lo * (1.0 - 1e-12) && p.eps <= hi * (1.0 + 1e-12) && p.v > 0.0 && p.v.is_finite())
        .map(|p| (p.eps.ln(), p.v.ln(), p.err / p.v))
        .collect()
}

/// Local slope by central differences in log-log coordinates.
pub fn local_slope(points: &[VolumePoint]) -> Vec<[f64; 2]> {
    let q: Vec<(f64, f64, f64)> = points.iter().filter(|p| p.v > 0.0).map(|p| (p.eps, p.eps.ln(), p.v.ln())).collect();
    let n = q.len();
    if n < 2 {
        return vec![];
    }
    (0..n)
        .map(|i| {
            let (a, b) = if i == 0 {
                (0, 1)
            } else if i == n - 1 {
                (n - 2, n - 1)
            } else {
                (i - 1, i + 1)
            };
            [q[i].0, (q[b].2 - q[a].2) / (q[b].1 - q[a].1)]
        })
        .collect()
}

/// Ordinary least-squares slope of ln V on ln ε.
pub fn naive_slope(points: &[VolumePoint], window: [f64; 2]) -> Result<f64, FitError> {
    let d = usable(points, window[0], window[1]);
    if d.len() < 2 {
        return Err(FitError::TooFewPoints(d.len()));
    }
    let n = d.len() as f64;
    let mx = d.iter().map(|p| p.0).sum::<f64>() / n;
    let my = d.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = d.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = d.iter().map(|p| (p.0 - mx).powi(2)).sum();
    Ok(sxy / sxx)
}

/// Least squares with 1–3 columns by normal equations (Cholesky): the λ search solves thousands of
/// these, and an SVD each time cost more than the whole volume curve of a 1-D landscape. The
/// columns are scaled to O(1), so squaring the condition number is harmless; the residual is summed
/// directly, because the search compares residuals near 1e-14 where bᵀb − xᵀAᵀb would cancel.
fn lstsq(cols: &[Vec<f64>]) -> Option<(f64, Vec<f64>)> {
    let m = cols.len();
    let n = cols[0].len();
    let mut g = DMatrix::<f64>::zeros(m, m);
    let mut r = DVector::<f64>::zeros(m);
    for i in 0..m {
        for j in 0..=i {
            let v: f64 = (0..n).map(|k| cols[i][k] * cols[j][k]).sum();
            g[(i, j)] = v;
            g[(j, i)] = v;
        }
        r[i] = cols[i].iter().sum(); // right-hand side is all ones
    }
    let x = g.cholesky()?.solve(&r);
    if x.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let rss = (0..n)
        .map(|k| {
            let fit: f64 = (0..m).map(|i| cols[i][k] * x[i]).sum();
            (fit - 1.0).powi(2)
        })
        .sum();
    Some((rss, x.iter().copied().collect()))
}

/// For fixed λ: least squares for the a_k in relative form, Σ (1 − ε^λ Σ a_k L^k / V)².
/// Returns (residual sum of squares, coefficients).
fn solve_fixed(d: &[(f64, f64, f64)], lambda: f64, m: u32) -> (f64, Vec<f64>) {
    let n = d.len();
    let m = m as usize;
    // columns scaled by the mean L so that they are of similar size
    let lbar = d.iter().map(|p| -p.0).sum::<f64>() / n as f64;
    let cols: Vec<Vec<f64>> =
        (0..m).map(|k| d.iter().map(|p| (lambda * p.0 - p.1).exp() * (-p.0 / lbar).powi(k as i32)).collect()).collect();
    match lstsq(&cols) {
        Some((rss, x)) => (rss, (0..m).map(|k| x[k] / lbar.powi(k as i32)).collect()),
        None => (f64::INFINITY, vec![f64::NAN; m]),
    }
}

/// The profile fit: minimise the residual over λ (scan, then golden section).
pub fn profile_fit(points: &[VolumePoint], window: [f64; 2], m: u32) -> Result<Fit, FitError> {
    let d = usable(points, window[0], window[1]);
    if d.len() < 4 {
        return Err(FitError::TooFewPoints(d.len()));
    }
    let obj = |l: f64| solve_fixed(&d, l, m).0;
    let (mut best_l, mut best_r) = (0.0, f64::INFINITY);
    // λ in [0, 4] (every d ≤ 2 landscape with an ordinary minimum), wider when the log–log slope
    // itself says so (|x|^(1/8) has λ = 8)
    let naive = naive_slope(points, window).unwrap_or(0.0);
    let hi = if naive.is_finite() { (2.0 * naive + 1.0).clamp(4.0, 1e3) } else { 4.0 };
    let steps = (100.0 * hi).round() as usize;
    let lo = 0.0;
    for i in 0..=steps {
        let l = lo + (hi - lo) * i as f64 / steps as f64;
        let r = obj(l);
        if r < best_r {
            best_r = r;
            best_l = l;
        }
    }
    let h = (hi - lo) / steps as f64;
    let mut f = |l: f64| obj(l);
    let (lambda, _) = golden(&mut f, (best_l - h).max(lo), (best_l + h).min(hi), 80);
    let (rss, coeffs) = solve_fixed(&d, lambda, m);
    Ok(Fit { lambda, m, coeffs, window, rms_rel: (rss / d.len() as f64).sqrt(), correction: None })
}

/// For fixed (λ, δ): least squares for a₀, a₁ in V ≈ ε^λ (a₀ + a₁ ε^δ), relative form.
fn solve_corr(d: &[(f64, f64, f64)], lambda: f64, delta: f64) -> (f64, [f64; 2]) {
    // scale the second column by its value at the window's top, so both are O(1)
    let top = d.iter().map(|p| p.0).fold(f64::MIN, f64::max);
    let c0: Vec<f64> = d.iter().map(|p| (lambda * p.0 - p.1).exp()).collect();
    let c1: Vec<f64> = d.iter().zip(&c0).map(|(p, b)| b * (delta * (p.0 - top)).exp()).collect();
    match lstsq(&[c0, c1]) {
        Some((rss, x)) => (rss, [x[0], x[1] * (-delta * top).exp()]),
        None => (f64::INFINITY, [f64::NAN; 2]),
    }
}

fn golden(f: &mut impl FnMut(f64) -> f64, mut a: f64, mut b: f64, iters: usize) -> (f64, f64) {
    let g = 0.618_033_988_749_894_9;
    let mut c = b - g * (b - a);
    let mut e = a + g * (b - a);
    let (mut fc, mut fe) = (f(c), f(e));
    for _ in 0..iters {
        if fc < fe {
            b = e;
            e = c;
            fe = fc;
            c = b - g * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = e;
            fc = fe;
            e = a + g * (b - a);
            fe = f(e);
        }
    }
    let x = 0.5 * (a + b);
    (x, f(x))
}

/// A fit with one power-law correction, V ≈ ε^λ (a₀ + a₁ ε^δ), δ ∈ [0.02, 1]: for landscapes whose
/// next term decays slowly (the cusp (x² − y³)² has δ = 1/12, and a plain fit over accessible ε
/// stays ~0.007 below λ). Profiled over δ (scan in log δ, then golden section) and λ (golden
/// section within ±0.1 of the plain fit).
pub fn correction_fit(points: &[VolumePoint], window: [f64; 2], lambda0: f64) -> Option<Fit> {
    let d = usable(points, window[0], window[1]);
    if d.len() < 6 {
        return None;
    }
    let best_for_delta = |delta: f64| {
        let mut f = |l: f64| solve_corr(&d, l, delta).0;
        golden(&mut f, (lambda0 - 0.1).max(0.0), lambda0 + 0.1, 60)
    };
    let mut best = (f64::INFINITY, 0.0, 0.0);
    for i in 0..=24 {
        let delta = 0.02 * (50f64).powf(i as f64 / 24.0); // 0.02 … 1
        let (l, r) = best_for_delta(delta);
        if r < best.0 {
            best = (r, delta, l);
        }
    }
    let step = 50f64.powf(1.0 / 24.0);
    let mut g = |ld: f64| best_for_delta(ld.exp()).1;
    let (ld, _) = golden(&mut g, (best.1 / step).ln(), (best.1 * step).ln(), 30);
    let delta = ld.exp();
    let (lambda, _) = best_for_delta(delta);
    let (rss, c) = solve_corr(&d, lambda, delta);
    Some(Fit {
        lambda,
        m: 1,
        coeffs: vec![c[0]],
        window,
        rms_rel: (rss / d.len() as f64).sqrt(),
        correction: Some((delta, c[1])),
    })
}

/// The default window: the lowest `WINDOW_DECADES` decades of the curve (or the lower 60% of a
/// short curve), shifted up by `shift` decades.
pub fn default_window(curve: &VolumeCurve, shift: f64) -> [f64; 2] {
    let total = curve.decades;
    let span = WINDOW_DECADES.min(0.6 * total);
    let lo = curve.eps_min * 10f64.powf(shift);
    [lo, (lo * 10f64.powf(span)).min(curve.eps_max)]
}

/// The plain fits with m on the default window and on the windows 1 and 2 decades above it.
fn shifted_fits(curve: &VolumeCurve, m: u32) -> Vec<f64> {
    [0.0, 1.0, 2.0]
        .iter()
        .filter_map(|&sh| {
            let w = default_window(curve, sh);
            (w[1] > w[0] * 1e3).then(|| profile_fit(&curve.points, w, m).ok()).flatten().map(|f| f.lambda)
        })
        .collect()
}

/// Decide from the curve whether its law has converged (`trend`: fits on windows rising from the
/// lowest; `num`: the fit's sensitivity to the curve's own error).
fn convergence(curve: &VolumeCurve, trend: &[f64], num: f64) -> Convergence {
    // V flat over the lowest three decades: a minimum set of positive volume
    let low: Vec<&VolumePoint> = curve.points.iter().filter(|p| p.eps <= curve.eps_min * 1e3 * (1.0 + 1e-12)).collect();
    if low.len() >= 3 {
        let (vmin, vmax) = low.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.v), b.max(p.v)));
        if vmin > 0.0 && vmax - vmin <= 1e-9 * vmax {
            return Convergence::PositiveVolume;
        }
    }
    if trend.len() < 2 {
        return Convergence::Converged;
    }
    let (lo, hi) = trend.iter().fold((f64::MAX, f64::MIN), |(a, b), &l| (a.min(l), b.max(l)));
    let drift = hi - lo;
    // a drift of 1% of λ (0.002 at least) across three decades is no longer a finite-ε correction
    // the fit has absorbed: the law is not reached
    if drift <= (0.01 * hi.abs()).max(0.002) + num {
        return Convergence::Converged;
    }
    // falling towards the smallest ε, and already small: flat
    if trend[0] < trend[trend.len() - 1] && hi < 0.1 { Convergence::Flat } else { Convergence::Drifting }
}

/// Decide m from the data: 2 if the log coefficient ratio a₁/a₀ is positive and stable across
/// three windows (spread < 25%) and the m = 2 fits of λ agree within 0.03; otherwise 1.
pub fn choose_m(curve: &VolumeCurve) -> u32 {
    let shifts = [0.0, 1.5, 3.0];
    let mut ratios = vec![];
    let mut lambdas = vec![];
    for s in shifts {
        let w = default_window(curve, s);
        if w[1] <= w[0] * 1e3 {
            continue;
        }
        if let Ok(f) = profile_fit(&curve.points, w, 2)
            && f.coeffs.len() == 2
            && f.coeffs[0].abs() > 0.0
        {
            ratios.push(f.coeffs[1] / f.coeffs[0]);
            lambdas.push(f.lambda);
        }
    }
    if ratios.len() < 2 {
        return 1;
    }
    let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
    let spread = ratios.iter().fold(f64::MIN, |a, &b| a.max(b)) - ratios.iter().fold(f64::MAX, |a, &b| a.min(b));
    let lspread = lambdas.iter().fold(f64::MIN, |a, &b| a.max(b)) - lambdas.iter().fold(f64::MAX, |a, &b| a.min(b));
    if mean > 0.02 && ratios.iter().all(|r| *r > 0.0) && spread < 0.25 * mean && lspread < 0.03 { 2 } else { 1 }
}

/// The full report: best fit (m from `m_theory` if given), naive slope, local slope, interval.
pub fn fit_report(curve: &VolumeCurve, window: Option<[f64; 2]>, m_theory: Option<u32>) -> Result<FitReport, FitError> {
    let w = match window {
        Some(w) => {
            if !(w[0] > 0.0 && w[1] > w[0]) {
                return Err(FitError::BadWindow(format!("[{:e}, {:e}]: need 0 < EMIN < EMAX", w[0], w[1])));
            }
            w
        }
        None => default_window(curve, 0.0),
    };
    let (m, m_source) = match m_theory {
        Some(m) => (m.clamp(1, 3), "theory"),
        None => (choose_m(curve), "data"),
    };
    let mut best = profile_fit(&curve.points, w, m)?;
    let lambda_naive = naive_slope(&curve.points, w)?;
    let mut correction = None;
    // Interval: spread across windows shifted by 1 and 2 decades (the fit's dependence on where it
    // looks — lower-order terms show up here), widened by the effect of the numerical error of V
    // (refit with V moved by ± its error estimate, alternating in sign: the worst case for a slope).
    let mut window_lambdas = vec![best.lambda];
    if window.is_none() {
        for s in [1.0, 2.0] {
            let ws = default_window(curve, s);
            if ws[1] > ws[0] * 1e3
                && let Ok(f) = profile_fit(&curve.points, ws, m)
            {
                window_lambdas.push(f.lambda);
            }
        }
    }
    // A slowly decaying correction shows as a drift of the plain fit across windows. Then the
    // correction-aware fit is used — if it is stable across the same windows (within a quarter of
    // the drift and 0.003) and fits clearly better; otherwise the plain fit stands.
    let drift =
        window_lambdas.iter().fold(f64::MIN, |a, &b| a.max(b)) - window_lambdas.iter().fold(f64::MAX, |a, &b| a.min(b));
    let plain_lambda = best.lambda;
    if m == 1 && window.is_none() && drift > 1e-3 {
        let fits: Vec<Option<Fit>> = [0.0, 1.0, 2.0]
            .iter()
            .map(|&sh| correction_fit(&curve.points, default_window(curve, sh), best.lambda))
            .collect();
        if let [Some(c0), Some(c1), Some(c2)] = &fits[..] {
            let ls = [c0.lambda, c1.lambda, c2.lambda];
            let spread = ls.iter().fold(f64::MIN, |a, &b| a.max(b)) - ls.iter().fold(f64::MAX, |a, &b| a.min(b));
            if spread < (0.25 * drift).min(0.003) && c0.rms_rel < 0.3 * best.rms_rel {
                correction = c0.correction.map(|c| c.0);
                best = c0.clone();
                window_lambdas = ls.to_vec();
            }
        }
    }
    let mut num = 0.0f64;
    for sign in [-1.0, 1.0] {
        let pert: Vec<VolumePoint> = curve
            .points
            .iter()
            .map(|p| {
                let t = if p.eps.ln() > (w[0] * w[1]).sqrt().ln() { sign } else { -sign };
                VolumePoint { v: p.v + t * p.err.min(0.5 * p.v), ..*p }
            })
            .collect();
        if let Ok(f) = profile_fit(&pert, w, m) {
            num = num.max((f.lambda - plain_lambda).abs());
        }
    }
    let lo = window_lambdas.iter().fold(f64::MAX, |a, &b| a.min(b)) - num;
    let hi = window_lambdas.iter().fold(f64::MIN, |a, &b| a.max(b)) + num;
    // convergence, from the lowest windows of the curve whatever window was asked for
    let trend = if window.is_none() && correction.is_some() { window_lambdas.clone() } else { shifted_fits(curve, m) };
    let convergence = if curve.domain_edge { Convergence::DomainEdge } else { convergence(curve, &trend, num) };
    if convergence == Convergence::PositiveVolume {
        best.lambda = 0.0;
    }
    let lambda_ci = match convergence {
        Convergence::Converged => Some([lo, hi]),
        Convergence::Drifting | Convergence::DomainEdge => None,
        Convergence::Flat => Some([0.0, hi.max(trend.iter().copied().fold(0.0, f64::max))]),
        Convergence::PositiveVolume => Some([0.0, 0.0]),
    };
    Ok(FitReport {
        best,
        lambda_naive: if convergence == Convergence::PositiveVolume { 0.0 } else { lambda_naive },
        lambda_ci,
        convergence,
        m_source,
        local_slope: local_slope(&curve.points),
        window_lambdas,
        correction_delta: correction,
    })
}
