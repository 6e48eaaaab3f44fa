//! Reduced-rank regression (SCIENCE.md §8): y = B·A·x + N(0, σ²·I_N), x ~ N(0, I_M), A ∈ R^{H×M},
//! B ∈ R^{N×H}, d = H·(M + N) parameters, the truth B₀A₀ of rank r. Its exact learning coefficient
//! and multiplicity are Aoyagi & Watanabe's (2005), which makes it the d-dimensional accuracy test
//! of the LLC.
//!
//! With C = B·A, the empirical loss (negative log-likelihood per point, less the noise's own share)
//!
//!   L_n(A, B) = (1/(2σ²))·(tr((C − Ĉ)·Sxx·(C − Ĉ)ᵀ) + RSS) − N/2,
//!
//! with Sxx = mean x·xᵀ, Ĉ = Syx·Sxx⁻¹ the least-squares fit and RSS its residual: the sufficient
//! statistics make every evaluation O(d·(M + N)) whatever n, and writing the loss around Ĉ keeps
//! L_n − L_n(w*) free of cancellation. The population K = ‖C − C₀‖²_F/(2σ²).
//!
//! Parameters are stored A (row-major, H×M) then B (row-major, N×H).

use nalgebra::DMatrix;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

use super::dmodel::{D_MAX, Model};

/// The largest dataset (only the sufficient statistics are kept, so n costs time once).
pub const RRR_N_MAX: usize = 10_000_000;

/// Aoyagi & Watanabe (2005): (λ, m) of reduced-rank regression with M inputs, H hidden, N outputs,
/// true rank r ≤ H.
pub fn exact_lambda(m: usize, h: usize, n: usize, r: usize) -> (f64, u32) {
    let (mf, hf, nf, rf) = (m as f64, h as f64, n as f64, r as f64);
    if m + h < n + r {
        ((hf * mf - hf * rf + nf * rf) / 2.0, 1)
    } else if n + h < m + r {
        ((hf * nf - hf * rf + mf * rf) / 2.0, 1)
    } else if m + n < h + r {
        (mf * nf / 2.0, 1)
    } else {
        let odd = (m + h + n + r) % 2 == 1;
        let s = if odd { 1.0 } else { 0.0 };
        let hr = hf + rf;
        ((2.0 * hr * (mf + nf) - (mf - nf).powi(2) - hr * hr + s) / 8.0, if odd { 2 } else { 1 })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RrrShape {
    pub m: usize,
    pub h: usize,
    pub n: usize,
    pub r: usize,
}

impl RrrShape {
    /// "M,H,N,r" with 1 ≤ M, H, N, r ≤ H, H·(M + N) ≤ 32.
    pub fn parse(s: &str) -> Result<RrrShape, String> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        let bad = || {
            format!("rrr:{s}: give four whole numbers M,H,N,r (inputs, hidden, outputs, true rank), e.g. rrr:2,2,2,0")
        };
        if parts.len() != 4 {
            return Err(bad());
        }
        let v: Vec<usize> = parts.iter().map(|p| p.parse::<usize>()).collect::<Result<_, _>>().map_err(|_| bad())?;
        let sh = RrrShape { m: v[0], h: v[1], n: v[2], r: v[3] };
        sh.check()?;
        Ok(sh)
    }

    pub fn check(&self) -> Result<(), String> {
        if self.m == 0 || self.h == 0 || self.n == 0 {
            return Err("reduced-rank regression needs M, H, N ≥ 1".into());
        }
        if self.r > self.h || self.r > self.m.min(self.n) {
            return Err(format!(
                "the true rank r = {} must be at most H = {} and min(M, N) = {}",
                self.r,
                self.h,
                self.m.min(self.n)
            ));
        }
        if self.dim() > D_MAX {
            return Err(format!(
                "H·(M + N) = {} parameters is more than {D_MAX}: H = {} is larger than allowed for M = {}, N = {}",
                self.dim(),
                self.h,
                self.m,
                self.n
            ));
        }
        Ok(())
    }

    pub fn dim(&self) -> usize {
        self.h * (self.m + self.n)
    }
}

/// The model with its data's sufficient statistics.
#[derive(Debug, Clone)]
pub struct Rrr {
    pub shape: RrrShape,
    pub sigma: f64,
    pub n_data: usize,
    pub seed: u64,
    pub bounds: Vec<[f64; 2]>,
    /// The truth C₀ (N×M): the first r diagonal entries 1.
    pub c0: DMatrix<f64>,
    sxx: DMatrix<f64>,
    c_hat: DMatrix<f64>,
    rss: f64,
}

impl Rrr {
    /// Draw n points (seeded; the stream is nested in n) and keep their statistics. Box [−b, b]^d.
    pub fn new(shape: RrrShape, n: usize, sigma: f64, seed: u64, half_width: f64) -> Result<Rrr, String> {
        shape.check()?;
        if !(2..=RRR_N_MAX).contains(&n) {
            return Err(format!("n = {n} must be between 2 and {RRR_N_MAX} for reduced-rank regression"));
        }
        if !(sigma.is_finite() && sigma > 0.0) {
            return Err(format!("σ = {sigma} must be positive"));
        }
        let (m, nn, r) = (shape.m, shape.n, shape.r);
        let mut c0 = DMatrix::zeros(nn, m);
        for k in 0..r {
            c0[(k, k)] = 1.0;
        }
        let mut rng = StdRng::seed_from_u64(seed);
        let mut sxx = DMatrix::<f64>::zeros(m, m);
        let mut syx = DMatrix::<f64>::zeros(nn, m);
        let mut syy = 0.0;
        let mut x = vec![0.0; m];
        let mut y = vec![0.0; nn];
        for _ in 0..n {
            for v in x.iter_mut() {
                *v = rng.sample(StandardNormal);
            }
            for (i, v) in y.iter_mut().enumerate() {
                let e: f64 = rng.sample(StandardNormal);
                *v = (0..m).map(|j| c0[(i, j)] * x[j]).sum::<f64>() + sigma * e;
            }
            for i in 0..m {
                for j in 0..m {
                    sxx[(i, j)] += x[i] * x[j];
                }
            }
            for i in 0..nn {
                for j in 0..m {
                    syx[(i, j)] += y[i] * x[j];
                }
                syy += y[i] * y[i];
            }
        }
        let nf = n as f64;
        sxx /= nf;
        syx /= nf;
        syy /= nf;
        let inv = sxx.clone().try_inverse().ok_or("the inputs' covariance is singular (too few points)")?;
        let c_hat = &syx * inv;
        // RSS = mean|y|² − tr(Ĉ·Sxx·Ĉᵀ) ≥ 0
        let rss = (syy - (&c_hat * &sxx * c_hat.transpose()).trace()).max(0.0);
        let d = shape.dim();
        Ok(Rrr { shape, sigma, n_data: n, seed, bounds: vec![[-half_width, half_width]; d], c0, sxx, c_hat, rss })
    }

    fn split(&self, w: &[f64]) -> (DMatrix<f64>, DMatrix<f64>) {
        let RrrShape { m, h, n, .. } = self.shape;
        let a = DMatrix::from_row_slice(h, m, &w[..h * m]);
        let b = DMatrix::from_row_slice(n, h, &w[h * m..h * m + n * h]);
        (a, b)
    }

    /// A true parameter: A₀ = [I_r 0; 0 0] (H×M), B₀ = [I_r 0; 0 0] (N×H), so B₀A₀ = C₀.
    pub fn truth_point(&self) -> Vec<f64> {
        let RrrShape { m, h, n, r } = self.shape;
        let mut w = vec![0.0; self.shape.dim()];
        for k in 0..r {
            w[k * m + k] = 1.0;
            w[h * m + k * h + k] = 1.0;
        }
        let _ = n;
        w
    }

    /// The minimum of L_n nearest the truth, where the LLC's estimator expects to be localised
    /// (λ̂ = nβ·(E[L_n] − L_n(w*)) reads the posterior's mean loss against w*'s; at the truth itself
    /// L_n(w*) exceeds min L_n by ~M·N/(2n) for r = 0, which costs β·M·N/2 ≈ 0.14 of λ̂ at n = 10⁶).
    /// The weighted rank-H least-squares fit C* = [Ĉ·S^{1/2}]_H·S^{−1/2} (Sxx = S), factorised
    /// balanced: with Ĉ·S^{1/2} = U·Σ·Vᵀ, B = U_H·Σ_H^{1/2}, A = Σ_H^{1/2}·V_Hᵀ·S^{−1/2}; hidden units
    /// beyond min(M, N) stay zero.
    pub fn empirical_minimum(&self) -> Vec<f64> {
        let RrrShape { m, h, n, .. } = self.shape;
        let eig = nalgebra::SymmetricEigen::new(self.sxx.clone());
        let sq = &eig.eigenvectors
            * DMatrix::from_diagonal(&eig.eigenvalues.map(|v| v.max(0.0).sqrt()))
            * eig.eigenvectors.transpose();
        let isq = &eig.eigenvectors
            * DMatrix::from_diagonal(&eig.eigenvalues.map(|v| if v > 0.0 { 1.0 / v.sqrt() } else { 0.0 }))
            * eig.eigenvectors.transpose();
        let dm = &self.c_hat * sq;
        let svd = dm.svd(true, true);
        let (Some(u), Some(vt)) = (svd.u, svd.v_t) else { return self.truth_point() };
        // singular values in decreasing order
        let mut order: Vec<usize> = (0..svd.singular_values.len()).collect();
        order.sort_by(|&a, &b| {
            svd.singular_values[b].partial_cmp(&svd.singular_values[a]).unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut a = DMatrix::<f64>::zeros(h, m);
        let mut b = DMatrix::<f64>::zeros(n, h);
        for (k, &j) in order.iter().take(h).enumerate() {
            let r = svd.singular_values[j].max(0.0).sqrt();
            for i in 0..n {
                b[(i, k)] = u[(i, j)] * r;
            }
            let row = vt.row(j) * &isq;
            for i in 0..m {
                a[(k, i)] = r * row[i];
            }
        }
        let mut w = Vec::with_capacity(self.shape.dim());
        for i in 0..h {
            for j in 0..m {
                w.push(a[(i, j)]);
            }
        }
        for i in 0..n {
            for j in 0..h {
                w.push(b[(i, j)]);
            }
        }
        w
    }

    pub fn exact(&self) -> (f64, u32) {
        exact_lambda(self.shape.m, self.shape.h, self.shape.n, self.shape.r)
    }
}

impl Model for Rrr {
    fn dim(&self) -> usize {
        self.shape.dim()
    }
    fn bounds(&self) -> &[[f64; 2]] {
        &self.bounds
    }
    fn describe(&self) -> String {
        let RrrShape { m, h, n, r } = self.shape;
        format!(
            "reduced-rank regression M = {m}, H = {h}, N = {n}, true rank {r} ({} parameters), σ = {}, n = {}, data seed {}",
            self.dim(),
            self.sigma,
            self.n_data,
            self.seed
        )
    }
    fn names(&self) -> Vec<String> {
        let RrrShape { m, h, n, .. } = self.shape;
        let mut v = vec![];
        for i in 0..h {
            for j in 0..m {
                v.push(format!("A[{},{}]", i + 1, j + 1));
            }
        }
        for i in 0..n {
            for j in 0..h {
                v.push(format!("B[{},{}]", i + 1, j + 1));
            }
        }
        v
    }
    fn data_n(&self) -> Option<usize> {
        Some(self.n_data)
    }
    fn loss(&self, w: &[f64]) -> f64 {
        let (a, b) = self.split(w);
        let e = &b * &a - &self.c_hat;
        let s2 = self.sigma * self.sigma;
        ((&e * &self.sxx * e.transpose()).trace() + self.rss) / (2.0 * s2) - 0.5 * self.shape.n as f64
    }
    fn loss_grad(&self, w: &[f64], g: &mut [f64]) -> f64 {
        let (a, b) = self.split(w);
        let e = &b * &a - &self.c_hat;
        let s2 = self.sigma * self.sigma;
        let es = &e * &self.sxx;
        // ∂L/∂C = E·Sxx/σ²; ∂/∂A = Bᵀ·∂C, ∂/∂B = ∂C·Aᵀ
        let gc = &es / s2;
        let ga = b.transpose() * &gc;
        let gb = &gc * a.transpose();
        let RrrShape { m, h, n, .. } = self.shape;
        for i in 0..h {
            for j in 0..m {
                g[i * m + j] = ga[(i, j)];
            }
        }
        for i in 0..n {
            for j in 0..h {
                g[h * m + i * h + j] = gb[(i, j)];
            }
        }
        ((es * e.transpose()).trace() + self.rss) / (2.0 * s2) - 0.5 * n as f64
    }
    fn population(&self, w: &[f64]) -> Option<f64> {
        let (a, b) = self.split(w);
        let e = b * a - &self.c0;
        Some(e.norm_squared() / (2.0 * self.sigma * self.sigma))
    }
}
