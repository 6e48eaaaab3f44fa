//! (b) The interval extension against point evaluation: for a formula and a box, every point
//! value in the box lies inside the enclosure the tape computes for the box (a NaN point value —
//! outside the formula's domain — is exempt; ±∞ must be inside an unbounded enclosure).
#![no_main]
use arbitrary::Arbitrary;
use lambdascope::core::expr::Formula;
use lambdascope::core::interval::Iv;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    x: (f64, f64),
    y: (f64, f64),
    /// points inside the box as fractions (0 … 1 after wrapping)
    ts: Vec<(u16, u16)>,
    formula: String,
}

fuzz_target!(|inp: Input| {
    let Ok(f) = Formula::parse(&inp.formula) else { return };
    let ok = |v: f64| v.is_finite() && v.abs() <= 1e6;
    let (x0, x1) = (inp.x.0.min(inp.x.1), inp.x.0.max(inp.x.1));
    let (y0, y1) = (inp.y.0.min(inp.y.1), inp.y.0.max(inp.y.1));
    if !(ok(x0) && ok(x1) && ok(y0) && ok(y1)) {
        return;
    }
    let (bx, by) = (Iv::new(x0, x1), Iv::new(y0, y1));
    let enc = f.tape.eval_iv(bx, by);
    let encd = f.tape.eval_ivd(bx, by);
    let mut pts: Vec<[f64; 2]> = vec![[x0, y0], [x1, y1], [x0, y1], [x1, y0]];
    for &(a, b) in inp.ts.iter().take(64) {
        let (s, t) = (a as f64 / u16::MAX as f64, b as f64 / u16::MAX as f64);
        pts.push([(x0 + s * (x1 - x0)).clamp(x0, x1), (y0 + t * (y1 - y0)).clamp(y0, y1)]);
    }
    for [x, y] in pts {
        let v = f.eval(x, y);
        if v.is_nan() {
            continue;
        }
        assert!(
            enc.contains(v) || (v.is_infinite() && (enc.lo == f64::NEG_INFINITY || enc.hi == f64::INFINITY)),
            "{:?}: K({x}, {y}) = {v} outside the enclosure [{}, {}] of [{x0}, {x1}] × [{y0}, {y1}]",
            inp.formula,
            enc.lo,
            enc.hi
        );
        assert!(
            encd.v.contains(v) || (v.is_infinite() && (encd.v.lo == f64::NEG_INFINITY || encd.v.hi == f64::INFINITY)),
            "{:?}: K({x}, {y}) = {v} outside the gradient pass's enclosure [{}, {}]",
            inp.formula,
            encd.v.lo,
            encd.v.hi
        );
    }
});
