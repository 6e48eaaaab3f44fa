//! (c) `estimate` on small evaluation budgets (fast): a clear error, or finite numbers with a
//! volume curve that is monotone in ε and within [0, 1].
#![no_main]
use arbitrary::Arbitrary;
use lambdascope::core::estimate::{EstimateOptions, estimate};
use lambdascope::core::landscape::{Landscape, LandscapeSpec};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    formula: String,
    half_width: u8,
    budget: u16,
}

fuzz_target!(|inp: Input| {
    if inp.formula.len() > 200 {
        return;
    }
    let mut spec = LandscapeSpec::formula(&inp.formula);
    let h = 0.25 + inp.half_width as f64 / 32.0;
    spec.bounds = Some([[-h, h], [-h, h]]);
    let Ok(land) = Landscape::from_spec(&spec) else { return };
    // 20k … 2M evaluations: milliseconds per input
    land.set_grant(20_000 + inp.budget as u64 * 30);
    let Ok(e) = estimate(&land, &EstimateOptions::default()) else { return };
    assert!(e.fit.best.lambda.is_finite(), "{:?}: λ̂ = {}", inp.formula, e.fit.best.lambda);
    assert!(e.minimum.k_min.is_finite());
    let pts = &e.curve.points;
    for p in pts {
        assert!(p.v.is_finite() && (0.0..=1.0 + 1e-9).contains(&p.v), "{:?}: V({}) = {}", inp.formula, p.eps, p.v);
    }
    for w in pts.windows(2) {
        // descending in ε: V may not grow as ε falls
        assert!(w[0].eps > w[1].eps && w[0].v >= w[1].v, "{:?}: V not monotone: {:?} then {:?}", inp.formula, w[0], w[1]);
    }
    if let Some([lo, hi]) = e.fit.lambda_ci {
        assert!(lo <= hi && lo.is_finite() && hi.is_finite(), "{:?}: interval [{lo}, {hi}]", inp.formula);
    }
});
