//! Data export: CSV of the volume curve, the local slope, the fit, the posterior grid and the basin
//! masses, each with provenance in its header comment lines (formula, domain, prior, n, ε, seed,
//! version) — the same text goes into the text chunks of exported PNGs.

use super::analysis::log10_n_grid;
use super::basins::{Basins, find_basins};
use super::estimate::Estimate;
use super::fit::FitReport;
use super::free_energy::VolumeLaw;
use super::landscape::{Landscape, LandscapeError};
use super::posterior::{GridSpec, posterior, sample_k};

#[derive(Debug, Clone)]
pub struct Provenance {
    pub formula: String,
    pub preset: Option<String>,
    pub dim: usize,
    pub bounds: [[f64; 2]; 2],
    pub prior: String,
    pub n: Option<f64>,
    pub eps: Option<f64>,
    pub seed: u64,
    /// The fit the figure or file shows: "λ̂ [interval], m, window".
    pub fit: Option<String>,
    /// The command line that reopens the view (`Settings::command_line`).
    pub command: Option<String>,
}

impl Provenance {
    pub fn of(land: &Landscape, n: Option<f64>, eps: Option<f64>, seed: u64) -> Provenance {
        Provenance {
            // a model has no formula: its description names the model, truth, σ, n and data seed
            formula: if !land.is_formula() { land.describe() } else { land.formula.source.clone() },
            preset: land.preset.map(|p| p.id.to_string()),
            dim: land.dim,
            bounds: land.bounds,
            prior: land.prior.to_string(),
            n,
            eps,
            seed,
            fit: None,
            command: None,
        }
    }

    /// The same, with the command line that reopens the view.
    pub fn with_command(mut self, line: String) -> Provenance {
        self.command = Some(line);
        self
    }

    /// The same, naming the fit on screen (after a drag of its window, that one).
    pub fn with_fit(mut self, fit: &FitReport) -> Provenance {
        self.fit = Some(format!(
            "lambda = {}, m = {} ({}), window [{:e}, {:e}]",
            fit.lambda_text(),
            fit.best.m,
            fit.m_source,
            fit.best.window[0],
            fit.best.window[1]
        ));
        self
    }

    /// (key, value) pairs, for PNG text chunks and CSV comments.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut v = vec![
            ("Software".to_string(), format!("lambdascope {}", env!("CARGO_PKG_VERSION"))),
            ("formula".to_string(), self.formula.clone()),
        ];
        if let Some(p) = &self.preset {
            v.push(("preset".into(), p.clone()));
        }
        let dom: Vec<String> = self.bounds[..self.dim].iter().map(|b| format!("[{}, {}]", b[0], b[1])).collect();
        v.push(("domain".into(), dom.join(" x ")));
        v.push(("prior".into(), self.prior.clone()));
        if let Some(n) = self.n {
            v.push(("n".into(), format!("{n}")));
        }
        if let Some(e) = self.eps {
            v.push(("eps".into(), format!("{e}")));
        }
        v.push(("seed".into(), format!("{}", self.seed)));
        if let Some(f) = &self.fit {
            v.push(("fit".into(), f.clone()));
        }
        if let Some(c) = &self.command {
            v.push(("command".into(), c.clone()));
        }
        v
    }

    pub fn csv_header(&self) -> String {
        self.pairs().iter().map(|(k, v)| format!("# {k}: {v}\n")).collect()
    }
}

crate::choice! {
    /// What a CSV export holds.
    pub enum What("CSV kind") {
        Volume = "volume",
        Slope = "slope",
        Fit = "fit",
        Posterior = "posterior",
        Phase = "phase",
    }
}

/// The CSV text of one export: of `est`'s curve with the fit `fit` (the one on screen; `est.fit`
/// by default). `basins`: the landscape's basins if already found (the phase CSV finds them
/// otherwise).
pub fn csv(
    land: &Landscape,
    est: &Estimate,
    fit: &FitReport,
    what: What,
    n: f64,
    prov: &Provenance,
    basins: Option<&Basins>,
) -> Result<String, LandscapeError> {
    let mut s = prov.csv_header();
    let curve = &est.curve;
    match what {
        What::Volume => {
            s.push_str(
                "# V = prior mass of {K - K* < eps}; rows below eps_min come from the fitted law (extrapolated = 1)\n",
            );
            s.push_str("eps,V,uncertainty,extrapolated\n");
            for p in &curve.points {
                s.push_str(&format!("{:e},{:e},{:e},0\n", p.eps, p.v, p.err));
            }
            let law = VolumeLaw::new(curve, &fit.best);
            for k in 1..=12 {
                let e = curve.eps_min * 10f64.powf(-(k as f64) / 4.0);
                s.push_str(&format!("{:e},{:e},,1\n", e, law.ln_v(e.ln()).exp()));
            }
        }
        What::Slope => {
            s.push_str("eps,local_slope\n");
            for p in &fit.local_slope {
                s.push_str(&format!("{:e},{}\n", p[0], p[1]));
            }
        }
        What::Fit => {
            s.push_str(&format!(
                "# lambda: {}\n# lambda_ci: {}\n# convergence: {:?}\n# m: {} ({})\n# window: [{:e}, {:e}]\n# coefficients a_k of V = eps^lambda * sum a_k (-ln eps)^k: {:?}\n# lambda_naive: {}\n",
                fit.best.lambda, fit.lambda_ci.map(|c| format!("[{}, {}]", c[0], c[1])).unwrap_or_else(|| "none (not converged)".into()), fit.convergence, fit.best.m, fit.m_source, fit.best.window[0], fit.best.window[1], fit.best.coeffs, fit.lambda_naive
            ));
            if let Some((d, a1)) = fit.best.correction {
                s.push_str(&format!("# correction: V = eps^lambda (a_0 + a_1 eps^delta), delta = {d}, a_1 = {a1}\n"));
            }
            s.push_str("eps,V,V_fit\n");
            for p in curve
                .points
                .iter()
                .filter(|p| p.eps >= fit.best.window[0] * 0.999 && p.eps <= fit.best.window[1] * 1.001)
            {
                s.push_str(&format!("{:e},{:e},{:e}\n", p.eps, p.v, fit.best.ln_v(p.eps).exp()));
            }
        }
        What::Posterior => {
            let b = land.bounds;
            let spec = if land.dim == 1 {
                GridSpec { x: b[0], y: [0.0, 0.0], nx: 2048, ny: 1 }
            } else {
                GridSpec { x: b[0], y: b[1], nx: 256, ny: 256 }
            };
            let kg = sample_k(land, spec)?;
            let p = posterior(&kg, est.minimum.k_min, n)?;
            let [cw, ch] = p.spec.cell_size();
            let area = if land.dim == 1 { cw } else { cw * ch };
            s.push_str(&format!("# posterior on a {}x{} grid (cell centres), normalised over the box; density = probability / cell size\n", spec.nx, p.spec.ny));
            s.push_str(if land.dim == 1 { "x,log_p,density\n" } else { "x,y,log_p,density\n" });
            for j in 0..p.spec.ny {
                for i in 0..p.spec.nx {
                    let c = p.spec.center(i, j);
                    let lp = p.log_p[j * p.spec.nx + i];
                    let dens = (lp - area.ln()).exp();
                    if land.dim == 1 {
                        s.push_str(&format!("{},{},{:e}\n", c[0], lp, dens));
                    } else {
                        s.push_str(&format!("{},{},{},{:e}\n", c[0], c[1], lp, dens));
                    }
                }
            }
        }
        What::Phase => {
            let found;
            let b = match basins {
                Some(b) => b,
                None => {
                    found = find_basins(land, &est.minimum, &Default::default())?;
                    &found
                }
            };
            for (i, x) in b.basins.iter().enumerate() {
                s.push_str(&format!(
                    "# basin {i}: argmin {:?}, K* = {}, lambda = {}, m = {}\n",
                    &x.argmin[..land.dim],
                    x.k_min,
                    x.fit.best.lambda,
                    x.fit.best.m
                ));
            }
            for c in b.crossovers() {
                s.push_str(&format!(
                    "# crossover: basin {} to {} at n_c = {} (leading order {:?})\n",
                    c.from, c.to, c.n_c, c.n_c_predicted
                ));
            }
            let cols: Vec<String> = (0..b.basins.len()).map(|i| format!("P_{i}")).collect();
            s.push_str(&format!("n,{}\n", cols.join(",")));
            for t in log10_n_grid() {
                let n = 10f64.powf(t);
                let m = b.masses(n)?;
                let ms: Vec<String> = m.iter().map(|v| format!("{v:e}")).collect();
                s.push_str(&format!("{n:e},{}\n", ms.join(",")));
            }
        }
    }
    Ok(s)
}
