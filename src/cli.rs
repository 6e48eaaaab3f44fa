//! The command line: `lambdascope [window options]`, `estimate`, `presets`.
//! Exit codes: 0 success; 2 bad input (one line on stderr naming the problem); 1 the computation
//! itself failed. Never a panic: `run` catches one and reports it as exit code 1.

use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};

use crate::core::estimate::{Estimate, EstimateError, EstimateOptions, estimate};
use crate::core::landscape::{Landscape, LandscapeError, LandscapeSpec, parse_list, parse_prior};
use crate::core::presets;

#[derive(Parser, Debug)]
#[command(
    name = "lambdascope",
    version,
    about = "See why singular loss basins win in Bayesian learning.",
    long_about = "Without a subcommand, opens the window. With one, prints numbers for scripts."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub landscape: LandscapeArgs,
    /// Number of samples n for the window (1 … 1e12).
    #[arg(long, allow_hyphen_values = true)]
    pub n: Option<f64>,
    /// Sublevel threshold ε for the window.
    #[arg(long, allow_hyphen_values = true)]
    pub eps: Option<f64>,
    /// Save a PNG of the window (or of --panel) once everything is computed, then exit. Never reads
    /// or writes the saved session.
    #[arg(long, value_name = "OUT.png")]
    pub screenshot: Option<std::path::PathBuf>,
    /// With --screenshot: one panel alone: landscape, posterior, volume, phase, theory.
    #[arg(long, value_name = "NAME")]
    pub panel: Option<String>,
    /// With --screenshot: the PNG's size in pixels, e.g. 1920x1080.
    #[arg(long, value_name = "WxH")]
    pub size: Option<String>,
    /// Font scale 1 … 3.
    #[arg(long, value_name = "S")]
    pub font_scale: Option<f32>,
    /// light or dark.
    #[arg(long)]
    pub theme: Option<String>,
    /// Open on a model with sampled data: tanh, product or escape (--n = its number of points).
    #[arg(long, conflicts_with_all = ["expr", "preset"])]
    pub model: Option<String>,
    /// The right column's tab: volume, phase, theory or learn (learn also runs SGD and the LLC once).
    #[arg(long, value_name = "NAME")]
    pub tab: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Estimate the learning coefficient λ of a landscape from its volume curve V(ε).
    Estimate(EstimateArgs),
    /// Basins, their posterior masses at given n, and the n where the dominant basin changes.
    Phase(PhaseArgs),
    /// Write a CSV (with provenance in its header comments): volume, slope, fit, posterior or phase.
    Export(ExportArgs),
    /// The local learning coefficient from SGLD, beside the exact tempered values.
    Llc(LlcArgs),
    /// Minibatch SGD from a start point (a formula takes full gradient steps), with the LLC along the path.
    Sgd(SgdArgs),
    /// List the preset landscapes.
    Presets {
        /// One JSON array on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug, Clone, Default)]
pub struct LandscapeArgs {
    /// A formula in x (1-D) or x, y (2-D), e.g. "x^2*y^4" (aliases: w, w1 = x, w2 = y).
    #[arg(long, allow_hyphen_values = true, conflicts_with = "preset")]
    pub expr: Option<String>,
    /// A preset id (see `lambdascope presets`).
    #[arg(long)]
    pub preset: Option<String>,
    /// Force the dimension (1 or 2); `--dim 2` makes x^2 a line of minima on the square.
    #[arg(long)]
    pub dim: Option<usize>,
    /// The same interval LO,HI on every axis, e.g. --domain -2,2.
    #[arg(long, allow_hyphen_values = true, value_name = "LO,HI")]
    pub domain: Option<String>,
    /// The box per axis: X0,X1 (1-D) or X0,X1,Y0,Y1 (2-D).
    #[arg(long = "box", allow_hyphen_values = true, value_name = "X0,X1,Y0,Y1")]
    pub bbox: Option<String>,
    /// The prior: uniform (default) or gaussian:SIGMA (restricted to the box).
    #[arg(long, default_value = "uniform")]
    pub prior: String,
}

#[derive(Args, Debug)]
pub struct EstimateArgs {
    #[command(flatten)]
    pub landscape: LandscapeArgs,
    /// Fit window EMIN,EMAX in ε (default: the lowest six decades resolved).
    #[arg(long, allow_hyphen_values = true, value_name = "EMIN,EMAX")]
    pub fit_window: Option<String>,
    /// Seed for every random stream (the volume curve itself is deterministic).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// One JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Include the volume curve (ε, V, error) in the JSON.
    #[arg(long)]
    pub curve: bool,
}

#[derive(Args, Debug)]
pub struct PhaseArgs {
    #[command(flatten)]
    pub landscape: LandscapeArgs,
    /// Numbers of samples at which to report the basin masses, e.g. --n 1e4,1.05e4,1.1e4.
    #[arg(long, allow_hyphen_values = true, value_name = "N1,N2,...")]
    pub n: String,
    /// One JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct LlcArgs {
    #[command(flatten)]
    pub landscape: LandscapeArgs,
    #[arg(long, default_value_t = 1e4, allow_hyphen_values = true)]
    pub n: f64,
    /// Inverse temperature (default 1/log n).
    #[arg(long, allow_hyphen_values = true)]
    pub beta: Option<f64>,
    /// Localisation strength γ.
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    pub gamma: f64,
    /// SGLD step size η (default: scaled to the posterior).
    #[arg(long, allow_hyphen_values = true)]
    pub step: Option<f64>,
    #[arg(long, default_value_t = 4)]
    pub chains: usize,
    #[arg(long, default_value_t = 50_000)]
    pub draws: usize,
    #[arg(long = "burn-in", default_value_t = 2000)]
    pub burn_in: usize,
    /// Seed of the SGLD chains.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// A model with sampled data instead of a landscape: tanh, product or escape (n = its number
    /// of data points).
    #[arg(long, conflicts_with_all = ["expr", "preset"])]
    pub model: Option<String>,
    /// With --model: the true parameters A0,B0 (default: the model's).
    #[arg(long, allow_hyphen_values = true, value_name = "A0,B0")]
    pub truth: Option<String>,
    /// With --model: the noise standard deviation σ (default: the model's).
    #[arg(long, allow_hyphen_values = true)]
    pub sigma: Option<f64>,
    /// With --model: the seed of the dataset.
    #[arg(long, default_value_t = 1)]
    pub data_seed: u64,
    /// With --model: SGLD minibatch size (default min(n, 256)).
    #[arg(long)]
    pub batch: Option<usize>,
    /// With --model: sample the population K instead of L_n.
    #[arg(long)]
    pub population: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SgdArgs {
    #[command(flatten)]
    pub llc: LlcArgs,
    /// Start point A,B (default: the model preset's, or the centre of the box).
    #[arg(long, allow_hyphen_values = true, value_name = "A,B")]
    pub start: Option<String>,
    /// Learning rate (default: the model preset's, or 0.05).
    #[arg(long, allow_hyphen_values = true)]
    pub lr: Option<f64>,
    /// SGD minibatch size (default: the model preset's, or 16).
    #[arg(long = "sgd-batch")]
    pub sgd_batch: Option<usize>,
    /// SGD steps (default: the model preset's, or 2000).
    #[arg(long)]
    pub steps: Option<usize>,
    /// Estimate the LLC every K steps (0: never); each estimate uses --chains/--draws/--burn-in.
    #[arg(long, default_value_t = 0)]
    pub llc_every: usize,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub landscape: LandscapeArgs,
    /// What to export: volume, slope, fit, posterior, phase.
    #[arg(long)]
    pub what: String,
    /// Number of samples (for the posterior).
    #[arg(long, default_value_t = 1000.0, allow_hyphen_values = true)]
    pub n: f64,
    /// Threshold ε (recorded in the provenance).
    #[arg(long, allow_hyphen_values = true)]
    pub eps: Option<f64>,
    /// Seed (recorded in the provenance).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output file (CSV).
    #[arg(long)]
    pub out: std::path::PathBuf,
}

/// A failure with its exit code.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: String,
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
            EstimateError::Input(i) => CliError { code: 2, message: i.to_string() },
            EstimateError::Compute(m) => CliError { code: 1, message: m },
        }
    }
}

impl LandscapeArgs {
    pub fn is_set(&self) -> bool {
        self.expr.is_some() || self.preset.is_some()
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
                if self.dim.is_some() || self.domain.is_some() || self.bbox.is_some() {
                    return Err(LandscapeError::BadDomain(
                        "landscape options need a landscape: give --expr FORMULA or --preset ID".into(),
                    ));
                }
                return Ok(None);
            }
        };
        spec.dim = self.dim;
        spec.prior = parse_prior(&self.prior)?;
        if let Some(d) = &self.domain {
            let v = parse_list(d, 2, "--domain")?;
            spec.bounds = Some([[v[0], v[1]], [v[0], v[1]]]);
        }
        if let Some(b) = &self.bbox {
            let n = b.split(',').count();
            let v = match n {
                2 => {
                    let v = parse_list(b, 2, "--box")?;
                    vec![v[0], v[1], -1.0, 1.0]
                }
                _ => parse_list(b, 4, "--box")?,
            };
            spec.bounds = Some([[v[0], v[1]], [v[2], v[3]]]);
        }
        Ok(Some(spec))
    }

    pub fn landscape(&self) -> Result<Landscape, CliError> {
        let spec = self
            .spec()?
            .ok_or_else(|| CliError { code: 2, message: "no landscape: give --expr FORMULA or --preset ID".into() })?;
        Ok(Landscape::from_spec(&spec)?)
    }
}

fn fmt_argmin(p: [f64; 2], dim: usize) -> Vec<f64> {
    p[..dim].to_vec()
}

/// The JSON object of `estimate --json` (fields documented in the README).
pub fn estimate_json(land: &Landscape, e: &Estimate, seed: u64, with_curve: bool) -> Value {
    let d = land.dim;
    let mut v = json!({
        "formula": land.formula.source,
        "preset": land.preset.map(|p| p.id),
        "dim": d,
        "domain": land.bounds[..d].to_vec(),
        "prior": land.prior.to_string(),
        "lambda": e.fit.best.lambda,
        "lambda_naive": e.fit.lambda_naive,
        "lambda_ci": e.fit.lambda_ci,
        "m": e.fit.best.m,
        "m_source": e.fit.m_source,
        "fit_window": e.fit.best.window,
        "k_min": e.minimum.k_min,
        "argmin": e.minimum.argmin.first().map(|p| fmt_argmin(*p, d)),
        "argmin_all": e.minimum.argmin.iter().take(8).map(|p| fmt_argmin(*p, d)).collect::<Vec<_>>(),
        "on_edge": e.minimum.on_edge,
        "eps_min": e.curve.eps_min,
        "eps_max": e.curve.eps_max,
        "decades": e.curve.decades,
        "evaluations": e.evaluations,
        "elapsed_ms": e.elapsed_ms,
        "seed": seed,
        "warnings": e.warnings,
        "theory": e.theory,
        "version": env!("CARGO_PKG_VERSION"),
    });
    if with_curve {
        v["curve"] = json!(e.curve.points.iter().map(|p| [p.eps, p.v, p.err]).collect::<Vec<_>>());
    }
    v
}

fn run_estimate(a: &EstimateArgs) -> Result<(), CliError> {
    let land = a.landscape.landscape()?;
    let fit_window = match &a.fit_window {
        Some(s) => {
            let v = parse_list(s, 2, "--fit-window")?;
            if !(v[0] > 0.0 && v[1] > v[0] && v[1].is_finite()) {
                return Err(CliError { code: 2, message: format!("--fit-window {s}: need 0 < EMIN < EMAX") });
            }
            Some([v[0], v[1]])
        }
        None => None,
    };
    let opts = EstimateOptions { fit_window, seed: a.seed, ..Default::default() };
    let e = estimate(&land, &opts)?;
    if a.json {
        println!("{}", estimate_json(&land, &e, a.seed, a.curve));
        return Ok(());
    }
    let d = land.dim;
    println!("landscape   {}  (d = {d}, box {:?}, prior {})", land.describe(), &land.bounds[..d], land.prior);
    println!("K*          {:.6e}", e.minimum.k_min);
    if let Some(p) = e.minimum.argmin.first() {
        println!("w*          {:?}", fmt_argmin(*p, d));
    }
    println!(
        "λ̂           {:.4}   [{:.4}, {:.4}]   m = {} ({})",
        e.fit.best.lambda, e.fit.lambda_ci[0], e.fit.lambda_ci[1], e.fit.best.m, e.fit.m_source
    );
    println!("λ naive     {:.4}   (least-squares slope over the same window)", e.fit.lambda_naive);
    match &e.theory {
        Some(t) => println!("theory      λ = {:.4}, m = {}  ({}, {})", t.lambda, t.m, t.source, t.status),
        None => println!("theory      unknown for a typed formula (regular prediction d/2 = {})", d as f64 / 2.0),
    }
    println!(
        "ε range     {:.1e} … {:.1e}  ({:.1} decades), fit window {:.1e} … {:.1e}",
        e.curve.eps_min, e.curve.eps_max, e.curve.decades, e.fit.best.window[0], e.fit.best.window[1]
    );
    println!("cost        {} evaluations, {:.0} ms", e.evaluations, e.elapsed_ms);
    for w in &e.warnings {
        println!("warning     {w}");
    }
    Ok(())
}

fn run_phase(a: &PhaseArgs) -> Result<(), CliError> {
    let land = a.landscape.landscape()?;
    let ns: Vec<f64> =
        a.n.split(',')
            .map(|t| t.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| CliError { code: 2, message: format!("--n {}: not a list of numbers", a.n) })?;
    for &n in &ns {
        crate::core::free_energy::check_n(n)?;
    }
    let min = land.minimize()?;
    let basins = crate::core::basins::find_basins(&land, &min, &Default::default())?;
    let mass: Vec<Vec<f64>> = ns.iter().map(|&n| basins.masses(n)).collect::<Result<_, _>>()?;
    let cross = basins.crossovers();
    let d = land.dim;
    if a.json {
        let v = json!({
            "basins": basins.basins.iter().map(|b| json!({
                "argmin": b.argmin[..d].to_vec(),
                "k_min": b.k_min,
                "lambda": b.fit.best.lambda,
                "m": b.fit.best.m,
                "prior_mass": b.prior_mass,
                "barrier": if b.barrier.is_finite() { json!(b.barrier) } else { Value::Null },
                "interval": b.interval,
            })).collect::<Vec<_>>(),
            "n": ns,
            "mass": mass,
            "crossovers": cross.iter().map(|c| json!({
                "n_c": c.n_c, "from": c.from, "to": c.to, "n_c_predicted": c.n_c_predicted,
            })).collect::<Vec<_>>(),
            "prediction_formula": crate::core::basins::PREDICTION_FORMULA,
        });
        println!("{v}");
        return Ok(());
    }
    println!("landscape  {}", land.describe());
    for (i, b) in basins.basins.iter().enumerate() {
        println!(
            "basin {i}    w* = {:?}  K* = {:.6e}  λ = {:.4}  m = {}  prior mass {:.4}",
            &b.argmin[..d],
            b.k_min,
            b.fit.best.lambda,
            b.fit.best.m,
            b.prior_mass
        );
    }
    for (n, m) in ns.iter().zip(&mass) {
        let ms: Vec<String> = m.iter().map(|v| format!("{v:.4}")).collect();
        println!("n = {n:<10}  masses {}", ms.join("  "));
    }
    for c in &cross {
        match c.n_c_predicted {
            Some(p) => println!(
                "crossover  basin {} → {} at n_c = {:.4}  (leading order: {:.4}, {:+.1}%)",
                c.from,
                c.to,
                c.n_c,
                p,
                100.0 * (p / c.n_c - 1.0)
            ),
            None => println!("crossover  basin {} → {} at n_c = {:.4}", c.from, c.to, c.n_c),
        }
    }
    Ok(())
}

fn run_export(a: &ExportArgs) -> Result<(), CliError> {
    let land = a.landscape.landscape()?;
    let what = crate::core::export::What::parse(&a.what).ok_or_else(|| CliError {
        code: 2,
        message: format!("--what {}: use one of {}", a.what, crate::core::export::What::NAMES),
    })?;
    crate::core::free_energy::check_n(a.n)?;
    if let Some(e) = a.eps
        && !(e > 0.0 && e.is_finite())
    {
        return Err(CliError { code: 2, message: format!("--eps {e}: must be a positive number") });
    }
    let est = estimate(&land, &EstimateOptions { seed: a.seed, ..Default::default() })?;
    let prov = crate::core::export::Provenance::of(&land, Some(a.n), a.eps, a.seed);
    let text = crate::core::export::csv(&land, &est, what, a.n, &prov)?;
    std::fs::write(&a.out, text)
        .map_err(|e| CliError { code: 1, message: format!("could not write {}: {e}", a.out.display()) })?;
    eprintln!("wrote {}", a.out.display());
    Ok(())
}

/// The model an `llc --model` command describes (its box from --domain/--box if given).
fn model_spec(a: &LlcArgs, id: &str) -> Result<LandscapeSpec, CliError> {
    use crate::core::model::{self, ModelSpec};
    let bad = |m: String| CliError { code: 2, message: m };
    let mut m = ModelSpec::preset(id).ok_or_else(|| {
        bad(format!(
            "unknown model '{id}'; known models: {}",
            model::all().iter().map(|m| m.id).collect::<Vec<_>>().join(", ")
        ))
    })?;
    if !(a.n.is_finite() && a.n >= 2.0 && a.n.fract() == 0.0) {
        return Err(bad(format!("--n {}: a model's n is its number of data points, a whole number ≥ 2", a.n)));
    }
    m.n = a.n.min(1e15) as usize;
    if let Some(t) = &a.truth {
        let v = parse_list(t, 2, "--truth")?;
        m.truth = [v[0], v[1]];
    }
    if let Some(s) = a.sigma {
        m.sigma = s;
    }
    m.seed = a.data_seed;
    m.population = a.population;
    let mut spec = LandscapeSpec::model(m);
    spec.prior = parse_prior(&a.landscape.prior)?;
    if a.landscape.dim.is_some_and(|d| d != 2) {
        return Err(bad("a model has two parameters (a, b): drop --dim".into()));
    }
    if let Some(d) = &a.landscape.domain {
        let v = parse_list(d, 2, "--domain")?;
        spec.bounds = Some([[v[0], v[1]], [v[0], v[1]]]);
    }
    if let Some(b) = &a.landscape.bbox {
        let v = parse_list(b, 4, "--box")?;
        spec.bounds = Some([[v[0], v[1]], [v[2], v[3]]]);
    }
    spec.validate()?;
    Ok(spec)
}

fn llc_landscape(a: &LlcArgs) -> Result<Landscape, CliError> {
    let model_only = a.truth.is_some() || a.sigma.is_some() || a.batch.is_some() || a.population || a.data_seed != 1;
    if a.model.is_none() && model_only {
        return Err(CliError {
            code: 2,
            message: "--truth, --sigma, --data-seed, --batch and --population need --model ID".into(),
        });
    }
    match &a.model {
        Some(id) => Ok(Landscape::from_spec(&model_spec(a, id)?)?),
        None => a.landscape.landscape(),
    }
}

fn llc_options(a: &LlcArgs) -> crate::core::sampler::LlcOptions {
    crate::core::sampler::LlcOptions {
        n: a.n,
        beta: a.beta,
        gamma: a.gamma,
        step: a.step,
        chains: a.chains,
        draws: a.draws,
        burn_in: a.burn_in,
        seed: a.seed,
        batch: a.batch,
    }
}

fn run_sgd(a: &SgdArgs) -> Result<(), CliError> {
    let land = llc_landscape(&a.llc)?;
    let preset = land.data.as_ref().map(|d| d.spec.info().sgd);
    let b = land.bounds;
    let start = match &a.start {
        Some(s) => {
            let v = parse_list(s, land.dim, "--start")?;
            [v[0], if land.dim == 2 { v[1] } else { 0.0 }]
        }
        None => preset.map(|p| p.start).unwrap_or([0.5 * (b[0][0] + b[0][1]), 0.5 * (b[1][0] + b[1][1])]),
    };
    let opts = crate::core::sampler::SgdOptions {
        start,
        lr: a.lr.or(preset.map(|p| p.lr)).unwrap_or(0.05),
        batch: a.sgd_batch.or(preset.map(|p| p.batch)).unwrap_or(16),
        steps: a.steps.or(preset.map(|p| p.steps)).unwrap_or(2000),
        seed: a.llc.seed,
        llc_every: a.llc_every,
        llc: llc_options(&a.llc),
    };
    let r = crate::core::sampler::sgd(&land, &opts)?;
    if a.llc.json {
        println!("{}", serde_json::to_string(&r).unwrap_or_default());
        return Ok(());
    }
    println!("landscape   {}", land.describe());
    println!(
        "settings    start {}, lr {}, batch {}{}, {} steps, seed {}",
        crate::core::landscape::fmt_point(start, land.dim),
        opts.lr,
        opts.batch,
        if r.full_batch { " (full gradient)" } else { "" },
        opts.steps,
        opts.seed
    );
    let k = r.path.len();
    for i in (0..k).step_by((k / 10).max(1)).chain(std::iter::once(k - 1)) {
        let llc = r.llc.iter().find(|p| p.step == r.steps[i]).map(|p| format!("  LLC {:.3} ± {:.3}", p.mean, p.se));
        println!(
            "step {:>7}  {}  loss {:.6}{}",
            r.steps[i],
            crate::core::landscape::fmt_point(r.path[i], land.dim),
            r.loss[i],
            llc.unwrap_or_default()
        );
    }
    for w in &r.warnings {
        println!("warning     {w}");
    }
    Ok(())
}

fn run_llc(a: &LlcArgs) -> Result<(), CliError> {
    let land = llc_landscape(a)?;
    let est = estimate(&land, &EstimateOptions { seed: a.seed, ..Default::default() })?;
    let law = crate::core::free_energy::VolumeLaw::new(&est.curve, &est.fit.best);
    let w = est.minimum.argmin.first().copied().unwrap_or([0.0, 0.0]);
    let opts = llc_options(a);
    let r = crate::core::sampler::llc(&land, w, est.minimum.k_min, &law, &opts)?;
    if a.json {
        println!(
            "{}",
            json!({
                "llc_mean": r.llc_mean, "llc_se": r.llc_se, "llc_std": r.llc_std, "n": r.n, "beta": r.beta,
                "gamma": r.gamma, "step": r.step, "chains": r.chains, "draws": r.draws, "burn_in": r.burn_in,
                "seed": r.seed, "exact_tempered": r.exact_tempered,
                "exact_tempered_localized": r.exact_tempered_localized, "elapsed_ms": r.elapsed_ms,
                "divergences": r.divergences, "left_box": r.left_box, "w_star": w[..land.dim].to_vec(),
                "batch": r.batch, "model": land.data.as_ref().map(|d| json!({
                    "id": d.spec.info().id, "truth": d.spec.truth, "sigma": d.spec.sigma, "n": d.spec.n,
                    "data_seed": d.spec.seed, "population": d.spec.population,
                })),
                "warnings": r.warnings,
            })
        );
        return Ok(());
    }
    println!("landscape   {}", land.describe());
    println!(
        "LLC         {:.4} ± {:.4} (s.e. over {} chains; spread {:.4})",
        r.llc_mean, r.llc_se, r.chains, r.llc_std
    );
    println!(
        "exact       {:.4} tempered, {:.4} with the same localisation γ = {}",
        r.exact_tempered, r.exact_tempered_localized, r.gamma
    );
    println!(
        "settings    n = {}, β = {:.5}, η = {:.3e}, {} draws after {} burn-in, seed {}",
        r.n, r.beta, r.step, r.draws, r.burn_in, r.seed
    );
    if let Some(b) = r.batch {
        println!("minibatch   {b} of {} data points", r.n);
    }
    println!("cost        {:.0} ms", r.elapsed_ms);
    for w in &r.warnings {
        println!("warning     {w}");
    }
    Ok(())
}

fn run_presets(json_out: bool) {
    let all = presets::all();
    if json_out {
        let v: Vec<Value> = all
            .iter()
            .map(|p| {
                json!({"id": p.id, "name": p.name, "group": p.group.label(), "dim": p.dim, "formula": p.formula,
                       "domain": p.bounds[..p.dim].to_vec(), "lambda": p.lambda, "m": p.m,
                       "explanation": p.explanation, "source": p.source})
            })
            .collect();
        println!("{}", Value::Array(v));
        return;
    }
    println!("{:<16} {:>3}  {:<40} {:>6} {:>2}  group", "id", "d", "formula", "λ", "m");
    for p in all {
        println!(
            "{:<16} {:>3}  {:<40} {:>6} {:>2}  {}",
            p.id,
            p.dim,
            p.formula,
            p.lambda_text,
            p.m.map(|m| m.to_string()).unwrap_or_default(),
            p.group.label()
        );
    }
}

/// Run a subcommand on a thread with a generous stack (symbolic derivatives recurse over the
/// expression); returns the process exit code.
pub fn run_command(cmd: &Command) -> i32 {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn_scoped(s, || run_command_here(cmd))
            .ok()
            .and_then(|h| h.join().ok())
            .unwrap_or(1)
    })
}

fn run_command_here(cmd: &Command) -> i32 {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match cmd {
        Command::Estimate(a) => run_estimate(a),
        Command::Phase(a) => run_phase(a),
        Command::Export(a) => run_export(a),
        Command::Llc(a) => run_llc(a),
        Command::Sgd(a) => run_sgd(a),
        Command::Presets { json } => {
            run_presets(*json);
            Ok(())
        }
    }));
    match r {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            eprintln!("lambdascope: {}", e.message);
            e.code
        }
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            eprintln!("lambdascope: internal error (please report): {msg}");
            1
        }
    }
}
