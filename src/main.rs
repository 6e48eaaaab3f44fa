use lambdascope::core::{estimate::*, landscape::*};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let spec = if args[1] == "p" { LandscapeSpec::preset(&args[2]) } else { LandscapeSpec::formula(&args[2]) };
    let land = Landscape::from_spec(&spec).unwrap();
    let e = estimate(&land, &EstimateOptions::default()).unwrap();
    println!("{} kmin={:e} argmin={:?} lambda={:.4} naive={:.4} ci={:?} m={} evals={} ms={:.1} dec={:.1} warn={:?}", land.describe(), e.minimum.k_min, e.minimum.argmin.first(), e.fit.best.lambda, e.fit.lambda_naive, e.fit.lambda_ci, e.fit.best.m, e.evaluations, e.elapsed_ms, e.curve.decades, e.warnings);
    println!("profiles {} evals in profiles {}", lambdascope::core::volume::PROF_N.with(|c| c.get()), lambdascope::core::volume::PROF_EVALS.with(|c| c.get()));
    if args.len() > 3 { for p in &e.curve.points { println!("{:e} {:e} {:e}", p.eps, p.v, p.err); } }
}
