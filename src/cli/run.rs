//! One function per subcommand; each prints its result (text or `--json`) and returns a `CliError`
//! on failure.

use crate::core::num::short;
use serde_json::{Value, json};

use crate::core::estimate::{Estimate, EstimateOptions, estimate};
use crate::core::landscape::{Landscape, parse_list};
use crate::core::presets;

use super::validate::{CliError, model_spec};
use super::{Command, EstimateArgs, ExportArgs, LlcArgs, PhaseArgs, SgdArgs};

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
        "lambda_exact": e.exact().map(|t| json!({"lambda": t.0, "m": t.1})),
        "reference": e.reference.as_ref().map(|r| json!({"lambda": r.lambda, "m": r.m, "source": r.source})),
        "convergence": e.fit.convergence,
        "converged": e.fit.convergence.is_converged(),
        "k_min_certified": e.minimum.certified,
        "k_min_lower_bound": e.minimum.lower_bound,
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
                return Err(CliError::input(format!("--fit-window {s}: need 0 < EMIN < EMAX")));
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
    println!("λ̂           {}   m = {} ({})", e.fit.lambda_text(), e.fit.best.m, e.fit.m_source);
    println!("λ naive     {:.4}   (least-squares slope over the same window)", e.fit.lambda_naive);
    match &e.theory {
        Some(t) => println!("theory      {}  ({})", t.label(), t.source),
        None => println!("theory      unknown (regular prediction d/2 = {})", d as f64 / 2.0),
    }
    if let Some(r) = &e.reference {
        println!("reference   λ = {}, m = {}  (the catalogue: {})", r.lambda_text, r.m, r.source);
    }
    match e.minimum.certified {
        Some(true) => {
            println!("K* certified by interval bounds (lower bound {:.6e})", e.minimum.lower_bound.unwrap_or(f64::NAN))
        }
        Some(false) => println!(
            "K* NOT certified: the interval search's lower bound is {:.6e}",
            e.minimum.lower_bound.unwrap_or(f64::NAN)
        ),
        None => {}
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

/// The longest list `phase --n` takes.
const MAX_PHASE_NS: usize = 1000;

fn run_phase(a: &PhaseArgs) -> Result<(), CliError> {
    let land = a.landscape.landscape()?;
    let ns: Vec<f64> =
        a.n.split(',')
            .map(|t| t.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| CliError { code: 2, message: format!("--n {}: not a list of numbers", a.n) })?;
    if ns.len() > MAX_PHASE_NS {
        return Err(CliError::input(format!(
            "--n lists {} values; at most {MAX_PHASE_NS} (the crossovers are found without a list)",
            ns.len()
        )));
    }
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
    let what: crate::core::export::What = a.what.parse().map_err(|e| CliError::input(format!("--what: {e}")))?;
    crate::core::free_energy::check_n(a.n)?;
    if let Some(e) = a.eps
        && !(e > 0.0 && e <= 1e12)
    {
        return Err(CliError::input(format!("--eps {}: must be a positive number up to 1e12", short(e))));
    }
    let est = estimate(&land, &EstimateOptions { seed: a.seed, ..Default::default() })?;
    // the window's command line for the same view
    let mut view = crate::settings::Settings::default();
    view.apply_start(&crate::start::StartOptions {
        spec: a.landscape.spec()?,
        n: Some(a.n),
        eps: a.eps,
        ..Default::default()
    });
    let prov = crate::core::export::Provenance::of(&land, Some(a.n), a.eps, a.seed).with_command(view.command_line());
    let prov = prov.with_fit(&est.fit);
    let text = crate::core::export::csv(&land, &est, &est.fit, what, a.n, &prov, None)?;
    crate::files::write_atomic(&a.out, text.as_bytes()).map_err(|message| CliError { code: 1, message })?;
    eprintln!("wrote {}", a.out.display());
    Ok(())
}

fn llc_landscape(a: &LlcArgs) -> Result<Landscape, CliError> {
    if a.model.stray() || (a.model.model.is_none() && a.batch.is_some()) {
        return Err(CliError::input("--truth, --sigma, --data-seed, --batch and --population need --model ID"));
    }
    match &a.model.model {
        Some(id) => Ok(Landscape::from_spec(&model_spec(id, Some(a.n), &a.model, &a.landscape)?)?),
        None => a.landscape.landscape(),
    }
}

pub(super) fn llc_options(a: &LlcArgs) -> crate::core::sampler::LlcOptions {
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
        sampler: a.sampler,
        step_scale: None,
    }
}

fn run_sgd(a: &SgdArgs) -> Result<(), CliError> {
    if a.llc.model.model.as_deref().map(|m| m.trim().eq_ignore_ascii_case("tms")) == Some(true) {
        return super::dmodels::run_tms_sgd(a);
    }
    if let Some(t) = super::dmodels::d_target(&a.llc)? {
        return super::dmodels::run_sgd_d(a, t);
    }
    let land = llc_landscape(&a.llc)?;
    // a landscape without a minimum on the box (−∞, undefined) is refused, as by `llc`
    land.minimize()?;
    let preset = land.data.as_ref().map(|d| d.spec.info().sgd);
    let b = land.bounds;
    let start = match &a.start {
        Some(s) => {
            let v = parse_list(s, land.dim, "--start")?;
            [v[0], if land.dim == 2 { v[1] } else { 0.0 }]
        }
        None => preset.map(|p| p.start).unwrap_or([0.5 * (b[0][0] + b[0][1]), 0.5 * (b[1][0] + b[1][1])]),
    };
    let opts = crate::core::sgd::SgdOptions {
        start,
        lr: a.lr.or(preset.map(|p| p.lr)).unwrap_or(0.05),
        batch: a.sgd_batch.or(preset.map(|p| p.batch)).unwrap_or(16),
        steps: a.steps.or(preset.map(|p| p.steps)).unwrap_or(2000),
        seed: a.llc.seed,
        llc_every: a.llc_every,
        llc: llc_options(&a.llc),
    };
    let r = crate::core::sgd::sgd(&land, &opts)?;
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

/// A number for JSON: null where it is not finite.
fn finite_or_null(v: f64) -> serde_json::Value {
    if v.is_finite() { json!(v) } else { serde_json::Value::Null }
}

/// At most `k` evenly spaced points of a trace.
fn thin_to(t: &[[f64; 2]], k: usize) -> Vec<[f64; 2]> {
    let step = t.len().div_ceil(k).max(1);
    t.iter().step_by(step).copied().collect()
}

/// A comma-separated list of positive numbers for `flag` (at most 10).
fn positive_list(flag: &str, text: &Option<String>, default: &[f64]) -> Result<Vec<f64>, CliError> {
    let Some(t) = text else { return Ok(default.to_vec()) };
    let v: Result<Vec<f64>, _> = t.split(',').map(|x| x.trim().parse::<f64>()).collect();
    match v {
        Ok(v) if !v.is_empty() && v.len() <= 10 && v.iter().all(|x| x.is_finite() && *x >= 0.0) => Ok(v),
        _ => Err(CliError::input(format!("{flag} {t}: 1 … 10 comma-separated numbers ≥ 0"))),
    }
}

fn run_calibrate(c: &crate::cli::CalibrateArgs) -> Result<(), CliError> {
    let a = &c.llc;
    let steps = positive_list("--steps", &c.steps, &crate::core::sampler::CALIBRATION_STEPS)?;
    if steps.contains(&0.0) {
        return Err(CliError::input("--steps: every step scale must be > 0"));
    }
    let gammas = positive_list("--gammas", &c.gammas, &crate::core::sampler::CALIBRATION_GAMMAS)?;
    let (land, est, law, w) = llc_target(a)?;
    let opts = llc_options(a);
    let cal = crate::core::sampler::calibrate(&land, w, est.minimum.k_min, &law, &opts, &steps, &gammas)?;
    if a.json {
        let cell = |c: &crate::core::sampler::Cell| {
            json!({"step_scale": c.step_scale, "step": c.step, "gamma": c.gamma, "estimate": finite_or_null(c.estimate),
                   "se": finite_or_null(c.se), "exact": finite_or_null(c.exact), "ok": c.ok})
        };
        println!(
            "{}",
            json!({
                "sampler": cal.sampler.name(), "n": a.n, "chains": a.chains, "draws": a.draws, "seed": a.seed,
                "w_star": w[..land.dim].to_vec(),
                "cells": cal.cells.iter().map(cell).collect::<Vec<_>>(),
                "recommended": cal.recommended.as_ref().map(cell), "reason": cal.reason,
                "exact_unlocalized": finite_or_null(cal.exact_unlocalized),
                "elapsed_ms": cal.elapsed_ms,
            })
        );
        return Ok(());
    }
    println!("landscape   {}", land.describe());
    println!("sampler     {} ({} chains × {} draws per cell)", cal.sampler.name(), a.chains, a.draws);
    println!("{:>10} {:>8} {:>10} {:>10} {:>10}  right", "step ×", "γ", "estimate", "s.e.", "exact");
    for c in &cal.cells {
        println!(
            "{:>10} {:>8} {:>10.4} {:>10.4} {:>10.4}  {}",
            c.step_scale,
            c.gamma,
            c.estimate,
            c.se,
            c.exact,
            if c.ok { "yes" } else { "no" }
        );
    }
    match &cal.recommended {
        Some(c) => println!(
            "recommended step × {} (η = {:.3e}), γ = {}: {:.4} ± {:.4}, exact {:.4} ({})",
            c.step_scale, c.step, c.gamma, c.estimate, c.se, c.exact, cal.reason
        ),
        None => println!("recommended none: {}", cal.reason),
    }
    println!("unlocalised exact {}", crate::core::num::fixed4(cal.exact_unlocalized));
    println!("cost        {:.0} ms", cal.elapsed_ms);
    Ok(())
}

/// The landscape of an LLC, its estimate and volume law, and the minimiser the chains start at.
fn llc_target(
    a: &LlcArgs,
) -> Result<(Landscape, crate::core::estimate::Estimate, crate::core::free_energy::VolumeLaw, [f64; 2]), CliError> {
    let land = llc_landscape(a)?;
    let est = estimate(&land, &EstimateOptions { seed: a.seed, ..Default::default() })?;
    let law = crate::core::free_energy::VolumeLaw::new(&est.curve, &est.fit.best);
    let Some(w) = est.minimum.argmin.first().copied() else {
        return Err(CliError::input("no minimum was found on the box to localise the LLC at"));
    };
    Ok((land, est, law, w))
}

fn run_llc(a: &LlcArgs) -> Result<(), CliError> {
    if let Some(t) = super::dmodels::d_target(a)? {
        return super::dmodels::run_llc_d(a, t);
    }
    let (land, est, law, w) = llc_target(a)?;
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
                "sampler": r.sampler.name(), "sampler_reason": r.sampler_reason,
                "wbic": {
                    "sampler": finite_or_null(r.wbic.sampler), "exact_same_gamma": finite_or_null(r.wbic.exact_same_gamma),
                    "exact": finite_or_null(r.wbic.exact), "free_energy": finite_or_null(r.wbic.free_energy),
                    "scale": "each minus n·L*",
                },
                "diagnostics": {
                    "r_hat": finite_or_null(r.diagnostics.r_hat), "ess": finite_or_null(r.diagnostics.ess),
                    "acceptance": r.diagnostics.acceptance, "step_bias": r.diagnostics.step_bias,
                    "burn_in": r.diagnostics.burn_in,
                    // (thinned to 200 points per chain: (draw, nβ(L − L*)) and the running LLC)
                    "traces": r.diagnostics.traces.iter().map(|t| thin_to(t, 200)).collect::<Vec<_>>(),
                    "running": r.diagnostics.running.iter().map(|t| thin_to(t, 200)).collect::<Vec<_>>(),
                    "distance": r.diagnostics.distance.iter().map(|t| thin_to(t, 200)).collect::<Vec<_>>(),
                },
                "warnings": r.warnings,
            })
        );
        return Ok(());
    }
    println!("landscape   {}", land.describe());
    print_llc_line(r.llc_mean, r.llc_se, r.chains, r.llc_std);
    println!(
        "exact       {} tempered, {} with the same localisation γ = {}",
        crate::core::num::fixed4(r.exact_tempered),
        crate::core::num::fixed4(r.exact_tempered_localized),
        r.gamma
    );
    println!(
        "settings    n = {}, β = {:.5}, η = {:.3e}, {} draws after {} burn-in, seed {}",
        r.n, r.beta, r.step, r.draws, r.burn_in, r.seed
    );
    if let Some(b) = r.batch {
        println!("minibatch   {b} of {} data points", r.n);
    }
    println!("sampler     {}", r.sampler_reason);
    println!(
        "WBIC − nL*  {} sampled, {} exact with the same γ, {} exact; F_n − nL* = {}",
        crate::core::num::fixed4(r.wbic.sampler),
        crate::core::num::fixed4(r.wbic.exact_same_gamma),
        crate::core::num::fixed4(r.wbic.exact),
        crate::core::num::fixed4(r.wbic.free_energy)
    );
    let dg = &r.diagnostics;
    println!(
        "diagnostics split-R̂ {}, {} effective draws, {}, burn-in {} (from the traces)",
        crate::core::num::fixed4(dg.r_hat),
        if dg.ess.is_finite() { format!("{:.0}", dg.ess) } else { "n/a".into() },
        match (dg.acceptance, dg.step_bias) {
            (Some(a), _) => format!("acceptance {:.1}%", 100.0 * a),
            (None, Some(b)) => format!("half-step change {b:+.4}"),
            _ => "—".into(),
        },
        dg.burn_in
    );
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
        Command::Calibrate(a) => run_calibrate(a),
        Command::Sgd(a) => run_sgd(a),
        Command::Tms(a) => super::dmodels::run_tms(a),
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
            eprintln!("lambdascope: internal error (please report): {}", crate::panic_message(p.as_ref()));
            1
        }
    }
}

/// The "LLC" line of `llc`'s text output (2-D and d-parameter models alike).
pub(super) fn print_llc_line(mean: f64, se: f64, chains: usize, spread: f64) {
    println!("LLC         {mean:.4} {} (s.e. over {chains} chains; spread {spread:.4})", crate::core::num::pm(se));
}
