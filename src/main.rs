use clap::Parser;
use lambdascope::cli::{Cli, run_command};
use lambdascope::ui::StartOptions;

fn main() {
    let cli = Cli::parse();
    let code = match &cli.command {
        Some(cmd) => run_command(cmd),
        None => {
            // command-line flags are validated before any window opens: bad input → exit 2
            let spec = match cli.landscape.spec() {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("lambdascope: {e}");
                    std::process::exit(2);
                }
            };
            if let Some(s) = &spec
                && let Err(e) = lambdascope::core::landscape::Landscape::from_spec(s)
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
            match lambdascope::ui::run(StartOptions { spec, n: cli.n, eps: cli.eps }) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("lambdascope: could not open the window: {e}");
                    1
                }
            }
        }
    };
    std::process::exit(code);
}
