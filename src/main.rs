use clap::Parser;
use lambdascope::cli::{Cli, run_command};
use lambdascope::ui::StartOptions;
use lambdascope::ui::app::{BatchShot, PANEL_NAMES};

/// The batch-figure options, validated (bad values are exit code 2).
fn batch_options(cli: &Cli) -> Result<Option<BatchShot>, String> {
    let Some(path) = &cli.screenshot else { return Ok(None) };
    let panel = match &cli.panel {
        None => None,
        Some(p) if p == "window" => None,
        Some(p) => Some(
            PANEL_NAMES
                .iter()
                .position(|n| n == p)
                .ok_or_else(|| format!("--panel {p}: use one of window, {}", PANEL_NAMES.join(", ")))?,
        ),
    };
    let size = match &cli.size {
        None => None,
        Some(s) => {
            let (w, h) = s.split_once(['x', 'X']).ok_or_else(|| format!("--size {s}: write WxH, e.g. 1920x1080"))?;
            let (w, h): (u32, u32) = (
                w.trim().parse().map_err(|_| format!("--size {s}: not a width"))?,
                h.trim().parse().map_err(|_| format!("--size {s}: not a height"))?,
            );
            if !(200..=8000).contains(&w) || !(200..=8000).contains(&h) {
                return Err(format!("--size {s}: width and height must be 200 … 8000 pixels"));
            }
            Some([w, h])
        }
    };
    let font_scale = cli.font_scale.unwrap_or(1.0);
    if !(1.0..=3.0).contains(&font_scale) {
        return Err(format!("--font-scale {font_scale}: use 1 … 3"));
    }
    let dark = match cli.theme.as_deref() {
        None => None,
        Some("dark") => Some(true),
        Some("light") => Some(false),
        Some(t) => return Err(format!("--theme {t}: use light or dark")),
    };
    Ok(Some(BatchShot {
        path: path.clone(),
        panel,
        size,
        font_scale,
        dark,
        exit: std::sync::Arc::new(std::sync::atomic::AtomicI32::new(1)),
    }))
}

fn main() {
    let cli = Cli::parse();
    let code = match &cli.command {
        Some(cmd) => run_command(cmd),
        None => {
            // command-line flags are validated before any window opens: bad input → exit 2
            let spec = match (&cli.model, cli.landscape.spec()) {
                (Some(id), _) => match model_spec(id, cli.n) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        eprintln!("lambdascope: {e}");
                        std::process::exit(2);
                    }
                },
                (None, Ok(s)) => s,
                (None, Err(e)) => {
                    eprintln!("lambdascope: {e}");
                    std::process::exit(2);
                }
            };
            if let Some(s) = &spec
                && let Err(e) = s.validate()
            {
                eprintln!("lambdascope: {e}");
                std::process::exit(2);
            }
            for (name, v) in [("--n", cli.n), ("--eps", cli.eps)] {
                if let Some(v) = v
                    && (!(v.is_finite() && v > 0.0)
                        || (name == "--n" && !(1.0..=lambdascope::core::landscape::N_MAX).contains(&v)))
                {
                    eprintln!("lambdascope: {name} {v} is out of range (n: 1 … 1e12; ε: positive)");
                    std::process::exit(2);
                }
            }
            let batch = match batch_options(&cli) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("lambdascope: {e}");
                    std::process::exit(2);
                }
            };
            if batch.is_none() && (cli.panel.is_some() || cli.size.is_some()) {
                eprintln!("lambdascope: --panel and --size go with --screenshot OUT.png");
                std::process::exit(2);
            }
            let restore = spec.is_none() && cli.n.is_none() && cli.eps.is_none() && batch.is_none();
            let tab = match cli.tab.as_deref().map(lambdascope::ui::RightTab::parse) {
                Some(None) => {
                    eprintln!("lambdascope: --tab: use one of volume, phase, theory, learn");
                    std::process::exit(2);
                }
                Some(t) => t,
                None => None,
            };
            let restore = restore && tab.is_none();
            let start = StartOptions { spec, n: cli.n, eps: cli.eps, restore, batch, tab };
            match lambdascope::ui::run(start, cli.font_scale, cli.theme.as_deref()) {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("lambdascope: could not open the window: {e}");
                    1
                }
            }
        }
    };
    std::process::exit(code);
}

/// `--model ID [--n N]`: the model's catalogue settings with n drawn points.
fn model_spec(id: &str, n: Option<f64>) -> Result<lambdascope::core::landscape::LandscapeSpec, String> {
    use lambdascope::core::model::{self, ModelSpec};
    let mut m = ModelSpec::preset(id).ok_or_else(|| {
        format!(
            "unknown model '{id}'; known models: {}",
            model::all().iter().map(|m| m.id).collect::<Vec<_>>().join(", ")
        )
    })?;
    if let Some(n) = n {
        if !(n.is_finite() && n >= 2.0 && n.fract() == 0.0 && n <= m.n_max() as f64) {
            return Err(format!("--n {n}: a model's n is its number of data points, a whole number 2 … {}", m.n_max()));
        }
        m.n = n as usize;
    }
    Ok(lambdascope::core::landscape::LandscapeSpec::model(m))
}
