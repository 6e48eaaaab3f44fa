//! (a) The formula parser and the tape on arbitrary bytes: parsing never panics, every accepted
//! formula evaluates to a number (NaN and ±∞ included) without panicking, and its canonical form
//! re-parses to a formula that evaluates to the same numbers (the same bits, or both NaN; −0
//! and +0 compare equal, but a sign of zero that changed would show as a changed ±∞ downstream).
#![no_main]
use lambdascope::core::expr::Formula;
use libfuzzer_sys::fuzz_target;

const POINTS: [[f64; 2]; 7] =
    [[0.0, 0.0], [0.5, -0.25], [-1.0, 1.0], [1e-300, -1e-300], [3.0, 7.0], [-0.7, 0.0], [1e6, -1e6]];

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let Ok(f) = Formula::parse(src) else { return };
    let canon = f.expr.canonical();
    let g = Formula::parse_canonical(&canon).unwrap_or_else(|e| panic!("canonical form {canon:?} of {src:?} does not parse: {e}"));
    for [x, y] in POINTS {
        let (a, b) = (f.eval(x, y), g.eval(x, y));
        assert!(
            a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            "{src:?} = {a} but its canonical form {canon:?} = {b} at ({x}, {y})"
        );
        // the tree and the tape agree
        let t = f.expr.eval_tree([x, y]);
        assert!(
            t.to_bits() == a.to_bits() || (t.is_nan() && a.is_nan()) || (t - a).abs() <= 1e-12 * a.abs().max(1e-300),
            "{src:?}: tape {a} but tree {t} at ({x}, {y})"
        );
    }
    assert_eq!(canon, g.expr.canonical(), "the canonical form is not a fixed point");
});
