//! One-dimensional numerical building blocks: root bracketing, minimisation, Gauss–Kronrod.
//!
//! Written here rather than taken from a crate because each is ~40 lines and needs behaviour the
//! general-purpose crates (argmin, roots) do not give in one place: tolerances near machine
//! precision (K* must be right to ~1e-15), +∞ accepted as a function value (where the formula is
//! undefined), and no allocation in the innermost loop of the volume curve.

/// Brent's root finder (zeroin) for f on [a, b] with f(a), f(b) of opposite sign (or zero).
/// `fa`, `fb` are the known end values. Returns x with |interval| ≤ xtol. +∞ values are allowed
/// (interpolation is skipped then, bisection is used).
pub fn brent_root(f: &mut impl FnMut(f64) -> f64, mut a: f64, mut b: f64, mut fa: f64, mut fb: f64, xtol: f64) -> f64 {
    if fa == 0.0 {
        return a;
    }
    if fb == 0.0 {
        return b;
    }
    let mut c = a;
    let mut fc = fa;
    let mut d = b - a;
    let mut e = d;
    for _ in 0..200 {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * xtol;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol1 || fb == 0.0 {
            return b;
        }
        let finite = fa.is_finite() && fb.is_finite() && fc.is_finite();
        if finite && e.abs() >= tol1 && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * xm * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            }
            p = p.abs();
            let min1 = 3.0 * xm * q - (tol1 * q).abs();
            let min2 = (e * q).abs();
            if 2.0 * p < min1.min(min2) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        if d.abs() > tol1 {
            b += d;
        } else {
            b += tol1.copysign(xm);
        }
        fb = f(b);
        if fb.is_nan() {
            fb = f64::INFINITY;
        }
    }
    b
}

/// Brent's minimiser (golden section + parabolic steps) on [a, b]. `rel` is the relative x
/// tolerance, `abs` the absolute one. Returns (x, f(x)). Start point `x0` inside [a, b] with value f0.
///
/// Tolerances far below √ε are deliberate: for a steep basin (4.5e11·(w−1)²) a position error of
/// 1e-8 would leave K 4.5e-5 above K*, and the volume curve would flatten below that.
pub fn brent_min(
    f: &mut impl FnMut(f64) -> f64,
    mut a: f64,
    mut b: f64,
    x0: f64,
    f0: f64,
    rel: f64,
    abs: f64,
) -> (f64, f64) {
    const CGOLD: f64 = 0.381_966_011_250_105;
    let (mut x, mut w, mut v) = (x0, x0, x0);
    let (mut fx, mut fw, mut fv) = (f0, f0, f0);
    let mut d: f64 = 0.0;
    let mut e: f64 = 0.0;
    for _ in 0..300 {
        let xm = 0.5 * (a + b);
        let tol1 = rel * x.abs() + abs;
        let tol2 = 2.0 * tol1;
        if (x - xm).abs() <= tol2 - 0.5 * (b - a) {
            break;
        }
        let mut golden = true;
        if e.abs() > tol1 && fx.is_finite() && fw.is_finite() && fv.is_finite() {
            let r = (x - w) * (fx - fv);
            let mut q = (x - v) * (fx - fw);
            let mut p = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            }
            q = q.abs();
            let etemp = e;
            e = d;
            if !(p.abs() >= (0.5 * q * etemp).abs() || p <= q * (a - x) || p >= q * (b - x)) {
                d = p / q;
                let u = x + d;
                if u - a < tol2 || b - u < tol2 {
                    d = tol1.copysign(xm - x);
                }
                golden = false;
            }
        }
        if golden {
            e = if x >= xm { a - x } else { b - x };
            d = CGOLD * e;
        }
        let u = if d.abs() >= tol1 { x + d } else { x + tol1.copysign(d) };
        let mut fu = f(u);
        if fu.is_nan() {
            fu = f64::INFINITY;
        }
        if fu <= fx {
            if u >= x {
                a = x;
            } else {
                b = x;
            }
            v = w;
            fv = fw;
            w = x;
            fw = fx;
            x = u;
            fx = fu;
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                v = w;
                fv = fw;
                w = u;
                fw = fu;
            } else if fu <= fv || v == x || v == w {
                v = u;
                fv = fu;
            }
        }
    }
    (x, fx)
}

/// Gauss–Kronrod 7–15 nodes and weights on [−1, 1] (QUADPACK qk15).
const XGK: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
const WGK: [f64; 8] = [
    0.022_935_322_010_529_22,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_2,
    0.140_653_259_715_525_9,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_727_8,
];
const WG: [f64; 4] =
    [0.129_484_966_168_869_7, 0.279_705_391_489_276_7, 0.381_830_050_505_118_9, 0.417_959_183_673_469_4];

/// One G7K15 panel on [a, b]: (Kronrod estimate, |Kronrod − Gauss|).
pub fn gk15(f: &mut impl FnMut(f64) -> f64, a: f64, b: f64) -> (f64, f64) {
    let c = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let fc = f(c);
    let mut rk = fc * WGK[7];
    let mut rg = fc * WG[3];
    for j in 0..7 {
        let dx = h * XGK[j];
        let s = f(c - dx) + f(c + dx);
        rk += WGK[j] * s;
        if j % 2 == 1 {
            rg += WG[j / 2] * s;
        }
    }
    (rk * h, ((rk - rg) * h).abs())
}

/// Adaptive Gauss–Kronrod on [a, b] with the quintic smootherstep substitution
/// x = a + (b−a)·t³(10 − 15t + 6t²): its derivative vanishes to second order at both ends, so
/// root-type endpoint behaviour (a sublevel set ending inside a panel's end, ℓ(x) ~ (x−a)^{1/2} or
/// (x−a)^{1/4}) becomes smooth (t^{3.5}, t^{2.75}) and one or two panels reach ~1e-10.
///
/// With `log_from = Some(s)` (s outside [a, b]), the panel is first mapped logarithmically in the
/// distance to s: x = s ± e^τ. Near a singular point the integrand is a power of that distance
/// (ℓ(x) = 2√ε/|x| for the cross), which is smooth in τ — one panel instead of twenty bisections.
/// Returns (integral, error estimate, panels used).
pub fn integrate_adaptive(
    f: &mut impl FnMut(f64) -> f64,
    a: f64,
    b: f64,
    rel_tol: f64,
    abs_tol: f64,
    max_panels: usize,
    log_from: Option<f64>,
) -> (f64, f64, usize) {
    if b <= a {
        return (0.0, 0.0, 0);
    }
    // outer map: identity, or logarithmic in the distance to s
    let (ta, tb, sgn, s0) = match log_from {
        Some(s) if s <= a => ((a - s).ln(), (b - s).ln(), 1.0, s),
        Some(s) if s >= b => ((s - b).ln(), (s - a).ln(), -1.0, s),
        _ => (a, b, 0.0, 0.0),
    };
    let w = tb - ta;
    let mut g = |t: f64| {
        let t2 = t * t;
        let st = t2 * t * (10.0 - 15.0 * t + 6.0 * t2);
        let jac = 30.0 * t2 * (1.0 - t) * (1.0 - t) * w;
        if jac == 0.0 {
            return 0.0;
        }
        let tau = ta + w * st;
        if sgn == 0.0 {
            f(tau) * jac
        } else {
            let d = tau.exp();
            f(s0 + sgn * d) * d * jac
        }
    };
    // stack of panels in t
    let (v, e) = gk15(&mut g, 0.0, 1.0);
    let mut panels: Vec<(f64, f64, f64, f64)> = vec![(0.0, 1.0, v, e)];
    let mut total = v;
    let mut err = e;
    let mut used = 1;
    while err > abs_tol.max(rel_tol * total.abs()) && used < max_panels {
        // split the panel with the largest error
        let (idx, _) =
            panels.iter().enumerate().fold((0, -1.0), |acc, (i, p)| if p.3 > acc.1 { (i, p.3) } else { acc });
        let (l, r, pv, pe) = panels.swap_remove(idx);
        let m = 0.5 * (l + r);
        if m <= l || m >= r {
            panels.push((l, r, pv, 0.0));
            continue;
        }
        let (v1, e1) = gk15(&mut g, l, m);
        let (v2, e2) = gk15(&mut g, m, r);
        total += v1 + v2 - pv;
        err += e1 + e2 - pe;
        panels.push((l, m, v1, e1));
        panels.push((m, r, v2, e2));
        used += 2;
    }
    // re-add to reduce accumulated rounding
    let total: f64 = panels.iter().map(|p| p.2).sum();
    let err: f64 = panels.iter().map(|p| p.3).sum();
    (total, err, used)
}

/// log(exp(a) + exp(b)) without overflow.
pub fn logaddexp(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// A number for a message: the shortest round-trip form, in exponent notation outside
/// 1e-4 … 1e9 (Rust's `{}` writes 1e-300 as a 302-character decimal).
pub fn short(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || !v.is_finite() || (1e-4..1e9).contains(&a) { format!("{v}") } else { format!("{v:e}") }
}

/// "± 0.0123", or "± n/a" where there is no standard error (one chain).
pub fn pm(se: f64) -> String {
    if se.is_finite() { format!("± {se:.4}") } else { "± n/a".into() }
}

/// A value with four decimals, or "n/a" when there is none (NaN: not computed).
pub fn fixed4(v: f64) -> String {
    if v.is_finite() { format!("{v:.4}") } else { "n/a".into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_and_min() {
        let mut f = |x: f64| x * x - 2.0;
        let r = brent_root(&mut f, 0.0, 2.0, -2.0, 2.0, 1e-15);
        assert!((r - 2f64.sqrt()).abs() < 1e-14);
        let mut g = |x: f64| 4.5e11 * (x - 1.0) * (x - 1.0);
        let (x, fx) = brent_min(&mut g, 0.5, 1.5, 0.7, 4.5e11 * 0.09, 1e-15, 1e-15);
        assert!(fx < 1e-15, "{x} {fx}");
        let mut h = |x: f64| (x - 0.3).powi(4);
        let (_, fx) = brent_min(&mut h, -1.0, 1.0, 0.0, 0.3f64.powi(4), 1e-15, 1e-15);
        assert!(fx < 1e-15);
    }

    #[test]
    fn gk_sqrt_endpoint() {
        let mut f = |x: f64| (1.0 - x * x).max(0.0).sqrt();
        let (v, e, _) = integrate_adaptive(&mut f, -1.0, 1.0, 1e-12, 0.0, 200, None);
        assert!((v - std::f64::consts::FRAC_PI_2).abs() < 1e-11, "{v} {e}");
    }
}
