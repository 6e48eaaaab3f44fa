//! The d-parameter side of the command line (issue 15): `llc --model rrr:M,H,N,r`,
//! `llc --model tms --at 5gon`, `llc --expr "x1^2+x2^4+x3^6"`, and `tms`. Flags are validated here,
//! bad input exits 2 with one line.

use serde_json::{Value, json};

use crate::core::dmodel::{DModelError, FormulaModel, Model, fmt_vec};
use crate::core::dsampler::{DLlc, llc_d};
use crate::core::landscape::parse_list;
use crate::core::rrr::{Rrr, RrrShape};
use crate::core::sampler::LlcOptions;
use crate::core::tms::{self, Tms, paper_llc};

use super::validate::CliError;
use super::{LlcArgs, SgdArgs, TmsArgs};

impl From<DModelError> for CliError {
    fn from(e: DModelError) -> Self {
        CliError::input(e.to_string())
    }
}

/// What an `llc` on a d-parameter model localises at and compares with.
pub struct DTarget {
    pub model: Box<dyn Model>,
    pub w_star: Vec<f64>,
    /// Why there.
    pub localisation: String,
    /// The "model" object of the JSON.
    pub info: Value,
    pub lambda_exact: Option<(f64, u32)>,
    /// For a separable formula: its exact tempered values at (nβ, γ): (unlocalised, localised).
    pub separable: Option<crate::core::dmodel::Separable>,
    pub warnings: Vec<String>,
}

/// `--at` for the TMS: a critical point id, "4", "4+", "5gon", "5+gon" …
pub fn critical_point_id(s: &str) -> Result<tms::CriticalPoint, CliError> {
    let t = s.trim().to_ascii_lowercase().replace("-gon", "").replace("gon", "");
    let t = t.replace(' ', "");
    tms::critical_points().into_iter().find(|c| c.id == t).ok_or_else(|| {
        CliError::input(format!(
            "--at {s}: unknown critical point; the TMS's are 4gon, 4+gon, 4++gon, 5gon, 5+gon, 6gon (or a list of 18 numbers)"
        ))
    })
}

fn at_point(a: &LlcArgs, d: usize) -> Result<Option<Vec<f64>>, CliError> {
    match &a.at {
        None => Ok(None),
        Some(s) => Ok(Some(parse_list(s, d, "--at").map_err(|e| CliError::input(e.to_string()))?)),
    }
}

/// The box of a formula model: --domain LO,HI (every axis) or --box with 2·d numbers; [−1, 1].
fn formula_box(a: &LlcArgs) -> Result<Vec<[f64; 2]>, CliError> {
    let l = &a.landscape;
    if l.dim.is_some() {
        return Err(CliError::input("--dim is for formulas in x, y; a formula in x1 … x8 has d = its highest index"));
    }
    let text = match (&l.domain, &l.bbox) {
        (Some(_), Some(_)) => return Err(CliError::input("give --domain or --box, not both")),
        (Some(s), None) | (None, Some(s)) => s.clone(),
        (None, None) => return Ok(vec![[-1.0, 1.0]]),
    };
    let v: Vec<f64> = text
        .split(',')
        .map(|p| p.trim().parse::<f64>().map_err(|_| CliError::input(format!("'{p}' in the box is not a number"))))
        .collect::<Result<_, _>>()?;
    if v.len() % 2 == 1 {
        return Err(CliError::input(format!("the box {text} needs pairs LO,HI")));
    }
    Ok(v.chunks(2).map(|c| [c[0], c[1]]).collect())
}

/// Does this `llc` ask for a d-parameter model? Some(target) if so.
pub fn d_target(a: &LlcArgs) -> Result<Option<DTarget>, CliError> {
    let model = a.model.model.as_deref().map(str::trim);
    if let Some(m) = model {
        let lower = m.to_ascii_lowercase();
        if let Some(spec) = lower.strip_prefix("rrr:") {
            return rrr_target(a, spec).map(Some);
        }
        if lower == "rrr" {
            return Err(CliError::input("--model rrr needs its shape: rrr:M,H,N,r (e.g. rrr:2,2,2,0)"));
        }
        if lower == "tms" {
            return tms_target(a).map(Some);
        }
        if a.at.is_some() {
            return Err(CliError::input("--at is for d-parameter models (rrr:…, tms, a formula in x1 … x8)"));
        }
        return Ok(None);
    }
    let Some(src) = &a.landscape.expr else {
        if a.at.is_some() {
            return Err(CliError::input("--at is for d-parameter models (rrr:…, tms, a formula in x1 … x8)"));
        }
        return Ok(None);
    };
    // a formula in x, y keeps the 2-D path; one in x1 … x8 comes here
    if crate::core::expr::parse(src).is_ok() {
        if a.at.is_some() {
            return Err(CliError::input("--at is for d-parameter models (rrr:…, tms, a formula in x1 … x8)"));
        }
        return Ok(None);
    }
    if crate::core::expr::parse_indexed(src).is_err() {
        return Ok(None); // the 2-D path reports the formula's own error
    }
    let fm = FormulaModel::new(src, &formula_box(a)?)?;
    let d = fm.dim();
    let mut warnings = vec![];
    let (w_star, localisation) = match at_point(a, d)? {
        Some(w) => (w, "at --at".to_string()),
        None => match &fm.separable {
            Some(sep) => {
                let (w, certified) = sep.minimum(&fm.bounds).map_err(|e| CliError { code: 1, message: e })?;
                if !certified {
                    warnings.push("the minimum of some axis was not certified by the interval search".into());
                }
                (w, format!("the minimum, axis by axis (separable){}", if certified { ", certified" } else { "" }))
            }
            None => {
                let (w, _) = crate::core::dmodel::local_minimum(&fm, 32, a.seed);
                warnings.push(
                    "the formula couples its variables: w* is the best of 33 local searches, not a certified minimum (give --at to choose it)".into(),
                );
                (w, "the best of 33 local searches (not certified)".to_string())
            }
        },
    };
    crate::core::dmodel::check_point(&fm, &w_star)?;
    let info =
        json!({"kind": "formula", "formula": src, "dim": d, "domain": fm.bounds, "separable": fm.separable.is_some()});
    let separable = fm.separable.clone();
    Ok(Some(DTarget { model: Box::new(fm), w_star, localisation, info, lambda_exact: None, separable, warnings }))
}

fn data_n(a: &LlcArgs, max: usize) -> Result<usize, CliError> {
    if !(a.n.is_finite() && a.n >= 2.0 && a.n.fract() == 0.0 && a.n <= max as f64) {
        return Err(CliError::input(format!(
            "--n {}: a model's n is its number of data points, a whole number 2 … {max}",
            a.n
        )));
    }
    Ok(a.n as usize)
}

fn half_width(a: &LlcArgs, default: f64) -> Result<f64, CliError> {
    if a.landscape.bbox.is_some() || a.landscape.dim.is_some() {
        return Err(CliError::input("a d-parameter model's box is --domain -B,B (the same on every parameter)"));
    }
    match &a.landscape.domain {
        None => Ok(default),
        Some(s) => {
            let v = parse_list(s, 2, "--domain").map_err(|e| CliError::input(e.to_string()))?;
            if !(v[0] < 0.0 && v[1] > 0.0 && (v[0] + v[1]).abs() < 1e-12 && v[1].is_finite()) {
                return Err(CliError::input(format!("--domain {s}: give a symmetric box -B,B around 0")));
            }
            Ok(v[1])
        }
    }
}

fn rrr_target(a: &LlcArgs, spec: &str) -> Result<DTarget, CliError> {
    let shape = RrrShape::parse(spec).map_err(CliError::input)?;
    if a.model.truth.is_some() || a.model.population {
        return Err(CliError::input("--truth and --population are not for rrr (the truth is rank r, entries 1)"));
    }
    let n = data_n(a, crate::core::rrr::RRR_N_MAX)?;
    let sigma = a.model.sigma.unwrap_or(1.0);
    let seed = a.model.data_seed.unwrap_or(1);
    let m = Rrr::new(shape, n, sigma, seed, half_width(a, 2.0)?).map_err(CliError::input)?;
    let (w_star, localisation) = match a.at.as_deref().map(str::trim) {
        Some("truth") => (m.truth_point(), "the true parameter (B₀A₀ = C₀ of rank r)".to_string()),
        Some(_) => (at_point(a, m.dim())?.unwrap_or_default(), "at --at".to_string()),
        None => (
            m.empirical_minimum(),
            "the minimum of L_n nearest the truth (the rank-H least-squares fit, factorised balanced)".to_string(),
        ),
    };
    crate::core::dmodel::check_point(&m, &w_star)?;
    let info = json!({"kind": "rrr", "M": shape.m, "H": shape.h, "N": shape.n, "r": shape.r, "dim": m.dim(),
                      "sigma": sigma, "n": n, "data_seed": seed, "domain": [-m.bounds[0][1], m.bounds[0][1]]});
    let exact = m.exact();
    Ok(DTarget {
        model: Box::new(m),
        w_star,
        localisation,
        info,
        lambda_exact: Some(exact),
        separable: None,
        warnings: vec![],
    })
}

fn tms_target(a: &LlcArgs) -> Result<DTarget, CliError> {
    let mut warnings = vec![];
    if a.model.truth.is_some() || a.model.sigma.is_some() {
        return Err(CliError::input("--truth and --sigma are not for the TMS"));
    }
    let n = data_n(a, tms::TMS_N_MAX)?;
    let seed = a.model.data_seed.unwrap_or(1);
    let mut m = Tms::new(n, seed).map_err(CliError::input)?;
    m.population = a.model.population;
    let at = a.at.clone().ok_or_else(|| {
        CliError::input("--model tms needs --at: 4gon, 4+gon, 4++gon, 5gon, 5+gon, 6gon or 18 numbers")
    })?;
    let (w_star, localisation) = if at.contains(',') {
        (parse_list(&at, tms::D, "--at").map_err(|e| CliError::input(e.to_string()))?, "at --at".to_string())
    } else {
        let cp = critical_point_id(&at)?;
        let (w, why) = if m.population {
            (cp.w.clone(), "the population's critical point".to_string())
        } else {
            tms::localise_on_data(&m, &cp)
        };
        if cp.saddle {
            warnings.push(tms::saddle_warning(&cp.id));
        } else if cp.on_hinge {
            warnings.push(tms::hinge_warning(&cp.id));
        }
        (w, format!("{why} (population loss {:.6})", cp.loss))
    };
    crate::core::dmodel::check_point(&m, &w_star)?;
    let info = json!({"kind": "tms", "features": tms::C, "hidden": 2, "dim": tms::D, "n": n, "data_seed": seed,
                      "population": m.population, "phase": tms::classify(&w_star).id});
    Ok(DTarget { model: Box::new(m), w_star, localisation, info, lambda_exact: None, separable: None, warnings })
}

pub fn llc_json(t: &DTarget, r: &DLlc) -> Value {
    let nb = r.n * r.beta;
    let (exact_tempered, exact_loc, note) = match &t.separable {
        Some(s) => (
            Some(s.exact_tempered(t.model.bounds(), &t.w_star, nb, 0.0)),
            Some(s.exact_tempered(t.model.bounds(), &t.w_star, nb, r.gamma)),
            "separable: the sum of one-dimensional quadratures",
        ),
        None => (None, None, "no exact tempered value: the model has more than two coupled parameters"),
    };
    json!({
        "llc_mean": r.llc_mean, "llc_se": r.llc_se, "llc_std": r.llc_std, "chain_means": r.chain_means,
        "n": r.n, "beta": r.beta, "gamma": r.gamma, "chains": r.chains, "draws": r.draws, "burn_in": r.burn_in,
        "seed": r.seed, "dim": r.dim, "w_star": r.w_star, "loss_star": r.loss_star, "localisation": t.localisation,
        "model": t.info, "sampler": r.sampler.name(),
        "lambda_exact": t.lambda_exact.map(|e| e.0), "m_exact": t.lambda_exact.map(|e| e.1),
        "exact_tempered": exact_tempered, "exact_tempered_localized": exact_loc, "exact_note": note,
        "diagnostics": {
            "r_hat": finite(r.r_hat), "ess": finite(r.ess), "acceptance": r.acceptance, "burn_in": r.burn_in,
            // (draw, nβ(L − L*)) per chain, thinned to 200 points
            "traces": r.traces.iter().map(|t| t.iter().step_by(t.len().div_ceil(200).max(1)).copied().collect::<Vec<_>>()).collect::<Vec<_>>(),
        },
        "left_box": r.left_box, "divergences": r.divergences,
        "warnings": t.warnings.iter().chain(&r.warnings).collect::<Vec<_>>(),
        "elapsed_ms": r.elapsed_ms,
    })
}

fn finite(v: f64) -> Value {
    if v.is_finite() { json!(v) } else { Value::Null }
}

pub fn run_llc_d(a: &LlcArgs, t: DTarget) -> Result<(), CliError> {
    let mut r = llc_d(t.model.as_ref(), &t.w_star, &super::run::llc_options(a))?;
    if let Some(ph) = t.info.get("phase").and_then(|p| p.as_str())
        && let Some(w) = tms::phase_warning(&r.states, ph)
    {
        r.warnings.insert(0, w);
    }
    let v = llc_json(&t, &r);
    if a.json {
        println!("{v}");
        return Ok(());
    }
    println!("model       {}", t.model.describe());
    println!("w*          {} ({})", fmt_vec(&t.w_star), t.localisation);
    super::run::print_llc_line(r.llc_mean, r.llc_se, r.chains, r.llc_std);
    if let Some((l, m)) = t.lambda_exact {
        println!("exact λ     {l} (m = {m}), Aoyagi & Watanabe (2005)");
    }
    match (&v["exact_tempered"], &v["exact_tempered_localized"]) {
        (Value::Number(e), Value::Number(el)) => println!(
            "exact       {:.4} tempered, {:.4} with the same localisation γ = {}",
            e.as_f64().unwrap_or(f64::NAN),
            el.as_f64().unwrap_or(f64::NAN),
            r.gamma
        ),
        _ => println!("exact       {}", v["exact_note"].as_str().unwrap_or("")),
    }
    println!(
        "settings    d = {}, n = {}, β = {:.5}, γ = {}, {} × {} draws after {} burn-in, seed {}, {}",
        r.dim,
        r.n,
        r.beta,
        r.gamma,
        r.chains,
        r.draws,
        r.burn_in,
        r.seed,
        r.sampler.name()
    );
    println!(
        "diagnostics split-R̂ {:.3}, {:.0} effective draws{}",
        r.r_hat,
        r.ess,
        r.acceptance.map(|a| format!(", acceptance {:.1}%", 100.0 * a)).unwrap_or_default()
    );
    println!("cost        {:.0} ms", r.elapsed_ms);
    for w in t.warnings.iter().chain(&r.warnings) {
        println!("warning     {w}");
    }
    Ok(())
}

pub fn run_tms(a: &TmsArgs) -> Result<(), CliError> {
    let n = if a.n.is_finite() && a.n >= 2.0 && a.n.fract() == 0.0 && a.n <= tms::TMS_N_MAX as f64 {
        a.n as usize
    } else {
        return Err(CliError::input(format!(
            "--n {}: the TMS's n is its number of data points, 2 … {}",
            a.n,
            tms::TMS_N_MAX
        )));
    };
    let model = Tms::new(n, a.data_seed).map_err(CliError::input)?;
    let opts = LlcOptions {
        n: n as f64,
        gamma: a.gamma,
        chains: a.chains,
        draws: a.draws,
        burn_in: a.burn_in,
        seed: a.seed,
        ..Default::default()
    };
    let (table, cross) = crate::core::tms_lab::critical_table(&model, &opts)?;
    let posterior_ns: Vec<usize> = match &a.posterior {
        None => vec![],
        Some(t) => t
            .split(',')
            .map(|p| match p.trim().parse::<f64>() {
                Ok(v) if v.fract() == 0.0 && (10.0..=tms::TMS_N_MAX as f64).contains(&v) => Ok(v as usize),
                _ => Err(CliError::input(format!(
                    "--posterior: '{p}' is not a whole number of data points 10 … {}",
                    tms::TMS_N_MAX
                ))),
            })
            .collect::<Result<_, _>>()?,
    };
    let fe: Vec<(usize, Vec<(String, f64)>)> =
        posterior_ns.iter().map(|&m| (m, crate::core::tms_lab::free_energy_fractions(&table, m as f64))).collect();
    let sampled = posterior_ns
        .iter()
        .map(|&m| crate::core::tms_lab::posterior_phases(m, a.data_seed, a.seed, crate::core::tms_lab::BAYES_SWEEPS))
        .collect::<Result<Vec<_>, _>>()?;
    let rows: Vec<(tms::CriticalPoint, DLlc, String)> =
        table.into_iter().map(|r| (r.point, r.llc, r.localisation)).collect();
    if a.json {
        let v = json!({
            "n": n, "data_seed": a.data_seed, "seed": a.seed, "gamma": a.gamma, "chains": a.chains, "draws": a.draws,
            "burn_in": a.burn_in, "d": tms::D,
            "critical_points": rows.iter().map(|(cp, r, why)| json!({
                "id": cp.id, "loss": cp.loss, "l": cp.l, "b": cp.b, "plus_bias": cp.plus_bias,
                "grad_norm": cp.grad_norm, "llc": r.llc_mean, "llc_se": r.llc_se,
                "hessian_rank": cp.hessian_rank, "half_d": tms::D as f64 / 2.0, "saddle": cp.saddle, "kind": cp.kind(),
                "on_hinge": cp.on_hinge, "localisation": why, "w_star": r.w_star,
                "paper_llc": paper_llc(&cp.id).map(|p| p.0), "paper_llc_se": paper_llc(&cp.id).map(|p| p.1),
                "r_hat": finite(r.r_hat), "ess": finite(r.ess), "acceptance": r.acceptance, "warnings": r.warnings,
            })).collect::<Vec<_>>(),
            "crossovers": cross.iter().map(|c| json!({"from": c.from, "to": c.to, "n": c.n})).collect::<Vec<_>>(),
            "crossovers_note": "F_k(n) ≈ n·H(w_k) + λ̂_k·log n over the certified minima with a positive LLC (saddles and hinge points excluded), with the LLCs above (measured at this n) at every n",
            "posterior_phases": sampled.iter().zip(&fe).map(|(p, (m, f))| json!({
                "n": m, "sampled": p.fractions, "disagreement": p.disagreement, "min_swap": p.min_swap,
                "warnings": p.warnings, "free_energy": f,
            })).collect::<Vec<_>>(),
        });
        println!("{v}");
        return Ok(());
    }
    println!(
        "TMS, 6 features in 2 dimensions (d = 18); LLC at n = {n} (data seed {}), γ = {}, {} × {} draws",
        a.data_seed, a.gamma, a.chains, a.draws
    );
    println!("{:<4} {:>10} {:>8} {:>8} {:>14} {:>6} {:>12}  kind", "id", "H", "l", "b", "LLC", "rank", "paper");
    for (cp, r, _) in &rows {
        println!(
            "{:<4} {:>10.6} {:>8.5} {:>8.5} {:>8.2} ± {:<4.2} {:>6} {:>12}  {}",
            cp.id,
            cp.loss,
            cp.l,
            cp.b,
            r.llc_mean,
            r.llc_se,
            cp.hessian_rank,
            paper_llc(&cp.id).map(|p| format!("{} ± {}", p.0, p.1)).unwrap_or_else(|| "—".into()),
            cp.kind()
        );
        for w in &r.warnings {
            println!("     warning: {w}");
        }
    }
    for c in &cross {
        println!("crossover   {} → {} at n ≈ {:.0}", c.from, c.to, c.n);
    }
    for (p, (m, f)) in sampled.iter().zip(&fe) {
        let show = |v: &[(String, f64)]| {
            v.iter().filter(|x| x.1 >= 0.01).map(|x| format!("{} {:.2}", x.0, x.1)).collect::<Vec<_>>().join(", ")
        };
        println!("posterior   n = {m}: sampled {} | free energies {}", show(&p.fractions), show(f));
        for w in &p.warnings {
            println!("     warning: {w}");
        }
    }
    Ok(())
}

/// `sgd --model tms`: SGD from a seeded small random start, with the loss, the phase and the LLC
/// along the path.
pub fn run_tms_sgd(a: &SgdArgs) -> Result<(), CliError> {
    use crate::core::tms_lab::{DEFAULT_SGD, TmsSgdOptions, sgd};
    let l = &a.llc;
    if a.start.is_some() || l.at.is_some() || l.batch.is_some() || l.model.truth.is_some() || l.model.sigma.is_some() {
        return Err(CliError::input(
            "sgd --model tms starts from a seeded random W (--seed); --start, --at, --batch, --truth and --sigma are not for it (the minibatch is --sgd-batch)",
        ));
    }
    // --n keeps its default 1e4 for the other models: the TMS's own default is 5,000
    let n = if l.n == 1e4 { DEFAULT_SGD.n } else { data_n(l, tms::TMS_N_MAX)? };
    let o = TmsSgdOptions {
        n,
        data_seed: l.model.data_seed.unwrap_or(DEFAULT_SGD.data_seed),
        seed: if l.seed == 0 { DEFAULT_SGD.seed } else { l.seed },
        lr: a.lr.unwrap_or(DEFAULT_SGD.lr),
        batch: a.sgd_batch.unwrap_or(DEFAULT_SGD.batch),
        steps: a.steps.unwrap_or(DEFAULT_SGD.steps),
        llc_every: if a.llc_every == 0 { DEFAULT_SGD.llc_every } else { a.llc_every },
        ..DEFAULT_SGD
    };
    let r = sgd(&o)?;
    if l.json {
        let v = json!({
            "model": {"kind": "tms", "n": o.n, "data_seed": o.data_seed},
            "options": o, "steps": r.steps, "loss": r.loss, "phase": r.phase,
            "llc": r.llc, "transitions": r.transitions.iter().map(|t| json!({"step": t.0, "from": t.1, "to": t.2})).collect::<Vec<_>>(),
            "final": {"w": r.path.last(), "loss": r.loss.last(), "phase": r.phase.last()},
            "elapsed_ms": r.elapsed_ms,
        });
        println!("{v}");
        return Ok(());
    }
    println!("TMS SGD: n = {}, seed {}, lr {}, batch {}, {} steps", o.n, o.seed, o.lr, o.batch, o.steps);
    for t in &r.transitions {
        let k = r.steps.iter().position(|s| *s == t.0).unwrap_or(0);
        println!("step {:>7}  {} → {}  (population loss {:.5})", t.0, t.1, t.2, r.loss[k]);
    }
    println!(
        "final       phase {}, population loss {:.6}",
        r.phase.last().map(String::as_str).unwrap_or("?"),
        r.loss.last().copied().unwrap_or(f64::NAN)
    );
    if let Some(p) = r.llc.last() {
        println!(
            "LLC         {:.2} ± {:.2} at step {} ({} estimates along the path)",
            p.llc,
            p.se,
            p.step,
            r.llc.len()
        );
    }
    println!("cost        {:.0} ms", r.elapsed_ms);
    Ok(())
}

/// `sgd` on a d-parameter formula or reduced-rank regression: full-gradient descent from --start
/// (default: the box's centre), with the LLC at the iterate every --llc-every steps.
pub fn run_sgd_d(a: &SgdArgs, t: DTarget) -> Result<(), CliError> {
    let d = t.model.dim();
    if a.sgd_batch.is_some() {
        return Err(CliError::input(
            "--sgd-batch: a d-parameter formula or rrr takes full gradient steps (its L_n comes from sufficient statistics)",
        ));
    }
    let start = match &a.start {
        Some(s) => parse_list(s, d, "--start").map_err(|e| CliError::input(e.to_string()))?,
        None => t.model.bounds().iter().map(|b| 0.5 * (b[0] + b[1])).collect(),
    };
    crate::core::dmodel::check_point(t.model.as_ref(), &start)?;
    let lr = a.lr.unwrap_or(0.05);
    let steps = a.steps.unwrap_or(2000);
    let r = crate::core::dsampler::sgd_d(
        t.model.as_ref(),
        &start,
        lr,
        steps,
        a.llc_every,
        &super::run::llc_options(&a.llc),
    )?;
    if a.llc.json {
        let v = json!({"model": t.info, "start": start, "lr": lr, "steps": r.steps, "path": r.path, "loss": r.loss,
                       "llc": r.llc, "warnings": r.warnings, "elapsed_ms": r.elapsed_ms});
        println!("{v}");
        return Ok(());
    }
    println!("model       {}", t.model.describe());
    println!("settings    start {}, lr {lr}, {steps} full-gradient steps", fmt_vec(&start));
    let k = r.path.len();
    for i in (0..k).step_by((k / 10).max(1)).chain(std::iter::once(k - 1)) {
        let llc =
            r.llc.iter().find(|p| p[0] as usize == r.steps[i]).map(|p| format!("  LLC {:.3} ± {:.3}", p[1], p[2]));
        println!("step {:>7}  {}  loss {:.6}{}", r.steps[i], fmt_vec(&r.path[i]), r.loss[i], llc.unwrap_or_default());
    }
    for w in &r.warnings {
        println!("warning     {w}");
    }
    Ok(())
}
