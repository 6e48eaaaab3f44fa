//! Boots: a subcommand prints numbers for scripts; without one, the window opens (or, built
//! without the `gui` feature, a message says so). Every flag is validated in `cli` first.

use lambdascope::cli::{parse_args, run_command};

fn main() {
    let cli = match parse_args(std::env::args_os()) {
        Ok(cli) => cli,
        Err((0, text)) => {
            print!("{text}");
            std::process::exit(0);
        }
        Err((code, text)) => {
            eprintln!("{}", text.trim_end());
            std::process::exit(code);
        }
    };
    let code = match &cli.command {
        Some(cmd) => run_command(cmd),
        None => match cli.start_options() {
            Ok(start) => open_window(start),
            Err(e) => {
                eprintln!("lambdascope: {e}");
                e.code
            }
        },
    };
    std::process::exit(code);
}

#[cfg(feature = "gui")]
fn open_window(start: lambdascope::start::StartOptions) -> i32 {
    match lambdascope::ui::run(start) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("lambdascope: could not open the window: {e}");
            1
        }
    }
}

#[cfg(not(feature = "gui"))]
fn open_window(_start: lambdascope::start::StartOptions) -> i32 {
    eprintln!(
        "lambdascope: this build has no window (built without the `gui` feature); use a subcommand, e.g. `lambdascope estimate --preset cross`"
    );
    2
}
