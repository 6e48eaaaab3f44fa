//! (e) The command-line parser on arbitrary argv: help, a one-line error (exit 2), or options that
//! validate or fail with a message; never a panic. Subcommands are validated, not run.
#![no_main]
use lambdascope::cli::{Command, parse_args};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|args: Vec<String>| {
    if args.len() > 24 {
        return;
    }
    let argv = std::iter::once("lambdascope".to_string()).chain(args);
    match parse_args(argv) {
        Err((code, text)) => {
            assert!(code == 0 || code == 2);
            if code == 2 {
                assert_eq!(text.trim_end().lines().count(), 1, "a clap error of more than one line: {text}");
            }
        }
        Ok(cli) => match &cli.command {
            None => {
                if let Ok(start) = cli.start_options() {
                    let _ = start.spec.as_ref().map(|s| s.validate());
                }
            }
            Some(Command::Estimate(a)) => validate(&a.landscape),
            Some(Command::Phase(a)) => validate(&a.landscape),
            Some(Command::Export(a)) => validate(&a.landscape),
            Some(Command::Llc(a)) => validate(&a.landscape),
            Some(Command::Sgd(a)) => validate(&a.llc.landscape),
            Some(Command::Calibrate(a)) => validate(&a.llc.landscape),
            Some(Command::Presets { .. }) | Some(Command::Tms(_)) => {}
        },
    }
});

fn validate(l: &lambdascope::cli::LandscapeArgs) {
    if let Ok(Some(spec)) = l.spec() {
        let _ = spec.validate();
    }
}
