//! The command line: `lambdascope [window options]`, `estimate`, `phase`, `export`, `llc`, `sgd`,
//! `presets`. Exit codes: 0 success; 2 bad input (one line on stderr naming the problem); 1 the
//! computation itself failed. Never a panic: `run_command` catches one and reports it as exit 1.
//!
//! - `mod.rs` (this file): the flags, as clap declares them;
//! - `validate.rs`: every flag turned into core data, in one place (landscape, model, window);
//! - `run.rs`: one function per subcommand.

use clap::{Args, Parser, Subcommand};

mod dmodels;
mod run;
mod validate;

pub use run::{estimate_json, run_command};
pub use validate::{CliError, model_spec, parse_box};

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
    /// Number of samples n for the window (1 … 1e12; for --model, its number of data points).
    #[arg(long, allow_hyphen_values = true)]
    pub n: Option<f64>,
    /// Sublevel threshold ε for the window.
    #[arg(long, allow_hyphen_values = true)]
    pub eps: Option<f64>,
    /// Save a figure of the window (or of --panel) once everything is computed, then exit: .png,
    /// .svg (one panel, vector) or .gif (with --animate). Never reads or writes the saved session.
    #[arg(long, value_name = "OUT.png|svg|gif")]
    pub screenshot: Option<std::path::PathBuf>,
    /// With --screenshot: one panel alone: window, landscape, posterior, volume, phase, theory, learn.
    #[arg(long, value_name = "NAME")]
    pub panel: Option<String>,
    /// With --screenshot: the image's size in pixels, e.g. 1920x1080.
    #[arg(long, value_name = "WxH")]
    pub size: Option<String>,
    /// With --screenshot OUT.gif: an animation of n sweeping log-uniformly, e.g. n:1e4..1.1e4.
    #[arg(long, value_name = "n:FROM..TO")]
    pub animate: Option<String>,
    /// With --animate: the number of frames (2 … 240, default 48).
    #[arg(long, value_name = "K", allow_hyphen_values = true)]
    pub frames: Option<String>,
    /// With --animate: milliseconds per frame (20 … 10000, default 100).
    #[arg(long, value_name = "MS", allow_hyphen_values = true)]
    pub frame_ms: Option<String>,
    /// With --animate: 0 loops forever (default), k plays k + 1 times.
    #[arg(long = "loop", value_name = "K", allow_hyphen_values = true)]
    pub repeat: Option<String>,
    /// Font scale 1 … 3.
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    pub font_scale: Option<f32>,
    /// light or dark.
    #[arg(long)]
    pub theme: Option<String>,
    /// A model with sampled data in place of a landscape (--n = its number of points), with its
    /// truth, σ, data seed and population K.
    #[command(flatten)]
    pub model: ModelArgs,
    /// The fit window in ε: LO,HI (default: the lowest six decades resolved).
    #[arg(long, value_name = "LO,HI")]
    pub fit_window: Option<String>,
    /// The heatmaps' colour map: viridis, cividis or high-contrast.
    #[arg(long, value_name = "NAME")]
    pub colormap: Option<String>,
    /// Open a saved session (a JSON file saved by the window); other flags given override it.
    #[arg(long, value_name = "FILE.json")]
    pub session: Option<std::path::PathBuf>,
    /// The right column's tab: volume, phase, theory or learn (learn also runs SGD and the LLC once).
    #[arg(long, value_name = "NAME")]
    pub tab: Option<String>,
    /// Open in presentation mode with one panel, or two side by side: e.g. landscape,posterior.
    #[arg(long, value_name = "PANEL[,PANEL]")]
    pub presentation: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Estimate the learning coefficient λ of a landscape from its volume curve V(ε).
    Estimate(EstimateArgs),
    /// Basins, their posterior masses at given n, and the n where the dominant basin changes.
    Phase(PhaseArgs),
    /// Write a CSV (with provenance in its header comments): volume, slope, fit, posterior or phase.
    Export(ExportArgs),
    /// The local learning coefficient from MALA or SGLD chains, beside the exact tempered values,
    /// with diagnostics.
    Llc(LlcArgs),
    /// A grid of step × γ: every cell's LLC against the exact value for its own target, and the
    /// cheapest right cell.
    Calibrate(CalibrateArgs),
    /// Minibatch SGD from a start point (a formula takes full gradient steps), with the LLC along the path.
    Sgd(SgdArgs),
    /// The Toy Model of Superposition: its critical points (k-gons), their LLCs beside the paper's,
    /// and the n where the Bayesian posterior's dominant phase changes.
    Tms(TmsArgs),
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

/// A model with sampled data in place of a landscape (`llc`, `sgd`).
#[derive(Args, Debug, Clone, Default)]
pub struct ModelArgs {
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
    #[arg(long)]
    pub data_seed: Option<u64>,
    /// With --model: sample the population K instead of L_n.
    #[arg(long)]
    pub population: bool,
}

#[derive(Args, Debug)]
pub struct LlcArgs {
    #[command(flatten)]
    pub landscape: LandscapeArgs,
    #[command(flatten)]
    pub model: ModelArgs,
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
    #[arg(long, default_value_t = 4, value_parser = count)]
    pub chains: usize,
    #[arg(long, default_value_t = 50_000, value_parser = count)]
    pub draws: usize,
    #[arg(long = "burn-in", default_value_t = 2000, value_parser = count)]
    pub burn_in: usize,
    /// Seed of the SGLD chains.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// With --model: SGLD minibatch size (default: the exact gradient of L_n).
    #[arg(long, value_parser = count)]
    pub batch: Option<usize>,
    /// mala (Metropolis-adjusted: exact target; the default with exact gradients) or sgld
    /// (unadjusted; the default with --batch).
    #[arg(long, value_name = "mala|sgld")]
    pub sampler: Option<crate::core::sampler::Sampler>,
    /// A d-parameter model's w*: a TMS critical point (4gon, 4+gon, 5gon, 5+gon, 6gon) or d
    /// comma-separated numbers (default: the true parameter, or the formula's minimum).
    #[arg(long, allow_hyphen_values = true, value_name = "POINT")]
    pub at: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct TmsArgs {
    /// Number of data points (the LLC's n).
    #[arg(long, default_value_t = 5000.0, allow_hyphen_values = true)]
    pub n: f64,
    /// Seed of the dataset.
    #[arg(long, default_value_t = 1)]
    pub data_seed: u64,
    /// Seed of the chains.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Localisation strength γ (10: the chains stay near their critical point; with γ = 1 the
    /// 5⁺ chains reach the deeper 6-gon and read its loss — README "Toy Model of Superposition").
    #[arg(long, default_value_t = crate::core::tms::LLC_GAMMA, allow_hyphen_values = true)]
    pub gamma: f64,
    #[arg(long, default_value_t = 4, value_parser = count)]
    pub chains: usize,
    #[arg(long, default_value_t = crate::core::tms::LLC_DRAWS, value_parser = count)]
    pub draws: usize,
    #[arg(long = "burn-in", default_value_t = crate::core::tms::LLC_BURN_IN, value_parser = count)]
    pub burn_in: usize,
    /// Also sample the posterior's phase fractions at these n (replica exchange, ~1–3 s each),
    /// e.g. --posterior 100,1000,10000.
    #[arg(long, value_name = "N1,N2,...")]
    pub posterior: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct CalibrateArgs {
    #[command(flatten)]
    pub llc: LlcArgs,
    /// Step scales (× the automatic preconditioner), comma-separated (default 0.25,0.5,1,2,4).
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    pub steps: Option<String>,
    /// Localisations γ, comma-separated (default 0.1,1,10,100,1000).
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    pub gammas: Option<String>,
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
    #[arg(long = "sgd-batch", value_parser = count)]
    pub sgd_batch: Option<usize>,
    /// SGD steps (default: the model preset's, or 2000).
    #[arg(long, value_parser = count)]
    pub steps: Option<usize>,
    /// Estimate the LLC every K steps (0: never); each estimate uses --chains/--draws/--burn-in.
    #[arg(long, default_value_t = 0, value_parser = count)]
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

/// A count (draws, steps, chains …): a whole number, also written 1e7 or 10_000; one line naming
/// what is wrong otherwise.
fn count(s: &str) -> Result<usize, String> {
    let t = s.trim().replace('_', "");
    if let Ok(v) = t.parse::<usize>() {
        return Ok(v);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 1e15 => Ok(v as usize),
        Ok(v) if v.is_finite() && v >= 0.0 && v.fract() == 0.0 => Err(format!("{s} is too large")),
        Ok(_) => Err(format!("{s} is not a whole number ≥ 0")),
        Err(_) => Err(format!("'{s}' is not a number")),
    }
}

/// Parse the command line. `Err((code, text))`: help or version (code 0, the text to print as it
/// is), or a mistake (code 2, one line: clap's message with its tip, without the usage block).
pub fn parse_args<I, T>(argv: I) -> Result<Cli, (i32, String)>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::error::ErrorKind;
    Cli::try_parse_from(argv).map_err(|e| match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => (
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand { 2 } else { 0 },
            e.render().to_string(),
        ),
        _ => (2, one_line(&e.render().to_string())),
    })
}

/// clap's several-line message as one line: "lambdascope: unexpected argument '--no-restore'
/// found (tip: a similar argument exists: '--n'); see lambdascope --help".
fn one_line(text: &str) -> String {
    let mut main = String::new();
    let mut tips = vec![];
    for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if l.starts_with("Usage:") || l.starts_with("For more information") {
            continue;
        }
        if let Some(t) = l.strip_prefix("tip:") {
            tips.push(t.trim().to_string());
        } else if main.is_empty() {
            main = l.strip_prefix("error:").unwrap_or(l).trim().to_string();
        } else {
            tips.push(l.to_string());
        }
    }
    let tips = if tips.is_empty() { String::new() } else { format!(" ({})", tips.join("; ")) };
    crate::core::expr::visible(&format!("lambdascope: {main}{tips}; see lambdascope --help"))
}
