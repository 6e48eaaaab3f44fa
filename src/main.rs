use clap::Parser;
use lambdascope::cli::{Cli, run_command};

fn main() {
    let cli = Cli::parse();
    let code = match &cli.command {
        Some(cmd) => run_command(cmd),
        None => {
            eprintln!(
                "lambdascope: the window is not built yet; try `lambdascope estimate --preset cross`"
            );
            2
        }
    };
    std::process::exit(code);
}
