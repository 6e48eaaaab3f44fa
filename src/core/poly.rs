//! Polynomials in (x, y) with the magnitude each coefficient was built from: the formula's tree
//! expanded exactly (as exact as the typed numbers), translated to a minimiser, and the minimiser
//! itself made exact (a rational snap or Newton's method on the polynomial's gradient). The theory
//! reads its Newton polygon from these.
//!
//! A coefficient carries the sum of the magnitudes it was built from, so that it is declared zero
//! only relative to the cancellation that produced it (`ZERO_TOL` relative: rounding leaves ~1e-15).

use std::collections::BTreeMap;

use nalgebra::Matrix2;

use super::expr::Expr;

/// Relative tolerance under which a coefficient counts as zero.
pub const ZERO_TOL: f64 = 1e-12;
/// Coefficients above this (relative) are real; between `ZERO_TOL` and this they are suspicious: the
/// expansion point is then only approximately the minimiser, and no exact verdict is given there.
pub const REAL_TOL: f64 = 1e-7;
const MAX_DEGREE: u32 = 64;
const MAX_TERMS: usize = 4000;

/// Coefficient and the magnitude it was built from.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Coef {
    pub c: f64,
    pub mag: f64,
}

pub type Poly = BTreeMap<(u32, u32), Coef>;

fn constant(v: f64) -> Poly {
    let mut p = Poly::new();
    if v != 0.0 {
        p.insert((0, 0), Coef { c: v, mag: v.abs() });
    }
    p
}

fn add(a: &Poly, b: &Poly, sign: f64) -> Poly {
    let mut r = a.clone();
    for (k, v) in b {
        let e = r.entry(*k).or_default();
        e.c += sign * v.c;
        e.mag += v.mag;
    }
    r
}

fn mul(a: &Poly, b: &Poly) -> Option<Poly> {
    let mut r = Poly::new();
    for (ka, va) in a {
        for (kb, vb) in b {
            let k = (ka.0 + kb.0, ka.1 + kb.1);
            if k.0 + k.1 > MAX_DEGREE {
                return None;
            }
            let e = r.entry(k).or_default();
            e.c += va.c * vb.c;
            e.mag += va.mag * vb.mag;
        }
        if r.len() > MAX_TERMS {
            return None;
        }
    }
    Some(r)
}

fn as_constant(p: &Poly) -> Option<f64> {
    if p.keys().all(|k| *k == (0, 0)) { Some(p.get(&(0, 0)).map(|c| c.c).unwrap_or(0.0)) } else { None }
}

/// The formula as a polynomial in x, y, or None.
pub fn to_poly(e: &Expr) -> Option<Poly> {
    Some(match e {
        Expr::Num(v) => constant(*v),
        Expr::Var(i) => {
            let mut p = Poly::new();
            p.insert(if *i == 0 { (1, 0) } else { (0, 1) }, Coef { c: 1.0, mag: 1.0 });
            p
        }
        Expr::Neg(a) => add(&Poly::new(), &to_poly(a)?, -1.0),
        Expr::Add(a, b) => add(&to_poly(a)?, &to_poly(b)?, 1.0),
        Expr::Sub(a, b) => add(&to_poly(a)?, &to_poly(b)?, -1.0),
        Expr::Mul(a, b) => mul(&to_poly(a)?, &to_poly(b)?)?,
        Expr::Div(a, b) => {
            let d = as_constant(&to_poly(b)?)?;
            if d == 0.0 {
                return None;
            }
            mul(&to_poly(a)?, &constant(1.0 / d))?
        }
        Expr::Pow(a, b) => {
            let k = as_constant(&to_poly(b)?)?;
            if k < 0.0 || k.fract() != 0.0 || k > MAX_DEGREE as f64 {
                let base = as_constant(&to_poly(a)?)?;
                return Some(constant(base.powf(k)));
            }
            let base = to_poly(a)?;
            let mut r = constant(1.0);
            for _ in 0..k as u32 {
                r = mul(&r, &base)?;
            }
            r
        }
        Expr::F1(f, a) => {
            let v = as_constant(&to_poly(a)?)?;
            constant(Expr::F1(*f, Box::new(Expr::Num(v))).eval_tree([0.0, 0.0]))
        }
        Expr::F2(..) => {
            if e.vars_used() == [false, false] {
                constant(e.eval_tree([0.0, 0.0]))
            } else {
                return None;
            }
        }
    })
}

fn binom(n: u32, k: u32) -> f64 {
    let mut r = 1.0;
    for i in 0..k {
        r = r * (n - i) as f64 / (i + 1) as f64;
    }
    r
}

/// Q(u, v) = P(u + x0, v + y0), with magnitudes.
pub fn translate(p: &Poly, x0: f64, y0: f64) -> Poly {
    let mut r = Poly::new();
    for (&(i, j), c) in p {
        for a in 0..=i {
            let bx = binom(i, a) * x0.powi((i - a) as i32);
            for b in 0..=j {
                let by = binom(j, b) * y0.powi((j - b) as i32);
                let e = r.entry((a, b)).or_default();
                e.c += c.c * bx * by;
                e.mag += c.mag * (bx * by).abs();
            }
        }
    }
    r
}

pub fn eval(p: &Poly, x: f64, y: f64) -> f64 {
    p.iter().map(|(&(i, j), c)| c.c * x.powi(i as i32) * y.powi(j as i32)).sum()
}

pub fn grad(p: &Poly, x: f64, y: f64) -> [f64; 2] {
    let mut g = [0.0; 2];
    for (&(i, j), c) in p {
        if i > 0 {
            g[0] += c.c * i as f64 * x.powi(i as i32 - 1) * y.powi(j as i32);
        }
        if j > 0 {
            g[1] += c.c * j as f64 * x.powi(i as i32) * y.powi(j as i32 - 1);
        }
    }
    g
}

pub fn hess(p: &Poly, x: f64, y: f64) -> [[f64; 2]; 2] {
    let mut h = [[0.0; 2]; 2];
    for (&(i, j), c) in p {
        let (fi, fj) = (i as f64, j as f64);
        if i > 1 {
            h[0][0] += c.c * fi * (fi - 1.0) * x.powi(i as i32 - 2) * y.powi(j as i32);
        }
        if j > 1 {
            h[1][1] += c.c * fj * (fj - 1.0) * x.powi(i as i32) * y.powi(j as i32 - 2);
        }
        if i > 0 && j > 0 {
            h[0][1] += c.c * fi * fj * x.powi(i as i32 - 1) * y.powi(j as i32 - 1);
        }
    }
    h[1][0] = h[0][1];
    h
}

/// The nearest rational p/q with q ≤ 1000 (continued fractions), if within `tol`.
fn rational(v: f64, tol: f64) -> Option<f64> {
    if v.abs() < tol {
        return Some(0.0);
    }
    let (mut h0, mut h1, mut k0, mut k1) = (0.0f64, 1.0f64, 1.0f64, 0.0f64);
    let mut x = v;
    for _ in 0..20 {
        let a = x.floor();
        let (h2, k2) = (a * h1 + h0, a * k1 + k0);
        if k2 > 1000.0 {
            break;
        }
        if (h2 / k2 - v).abs() < tol {
            return Some(h2 / k2);
        }
        h0 = h1;
        h1 = h2;
        k0 = k1;
        k1 = k2;
        let f = x - a;
        if f.abs() < 1e-15 {
            break;
        }
        x = 1.0 / f;
    }
    None
}

/// A point where the exact polynomial's gradient vanishes, near w: snapped to a simple rational if
/// that works, else Newton's method on the gradient (pseudo-inverse: singular directions stay put).
pub fn exact_critical_point(p: &Poly, w: [f64; 2], dim: usize, scale: f64) -> [f64; 2] {
    let gnorm = |q: [f64; 2]| {
        let g = grad(p, q[0], q[1]);
        (g[0].abs() + if dim == 2 { g[1].abs() } else { 0.0 }) / scale
    };
    let mut best = w;
    let mut best_g = gnorm(w);
    for tol in [1e-9, 1e-6, 1e-4, 1e-3] {
        let c = [rational(w[0], tol), if dim == 2 { rational(w[1], tol) } else { Some(0.0) }];
        if let [Some(a), Some(b)] = c {
            let g = gnorm([a, b]);
            if g <= best_g || g < 1e-13 {
                best = [a, b];
                best_g = g;
            }
        }
    }
    if best_g < 1e-13 {
        return best;
    }
    // Newton on the gradient
    let mut q = best;
    for _ in 0..60 {
        let g = grad(p, q[0], q[1]);
        let h = hess(p, q[0], q[1]);
        let step = if dim == 1 {
            if h[0][0].abs() > 0.0 { [g[0] / h[0][0], 0.0] } else { [0.0, 0.0] }
        } else {
            let m = Matrix2::new(h[0][0], h[0][1], h[1][0], h[1][1]);
            match m.pseudo_inverse(1e-12 * (h[0][0].abs() + h[1][1].abs()).max(1e-300)) {
                Ok(inv) => {
                    let s = inv * nalgebra::Vector2::new(g[0], g[1]);
                    [s[0], s[1]]
                }
                Err(_) => [0.0, 0.0],
            }
        };
        let nq = [q[0] - step[0], q[1] - step[1]];
        if gnorm(nq) < gnorm(q) {
            q = nq;
        } else {
            break;
        }
    }
    if gnorm(q) >= best_g {
        return best;
    }
    // Newton may stop a hair's breadth from a simple point (1e-11 from a crossing at 0): snap again
    for tol in [1e-9, 1e-7] {
        if let [Some(a), Some(b)] = [rational(q[0], tol), if dim == 2 { rational(q[1], tol) } else { Some(0.0) }]
            && gnorm([a, b]) <= gnorm(q)
        {
            return [a, b];
        }
    }
    q
}

pub fn fmt_poly(p: &Poly, var: [&str; 2]) -> String {
    let mut terms: Vec<String> = vec![];
    for (&(i, j), c) in p.iter().rev() {
        let mut m = String::new();
        for (v, e) in [(var[0], i), (var[1], j)] {
            if e == 1 {
                m.push_str(v);
            } else if e > 1 {
                m.push_str(&format!("{v}^{e}"));
            }
        }
        let coef = if m.is_empty() || (c.c.abs() - 1.0).abs() > 1e-12 { trim(c.c.abs()) } else { String::new() };
        let body = if coef.is_empty() {
            m
        } else if m.is_empty() {
            coef
        } else {
            format!("{coef}*{m}")
        };
        terms.push(format!("{}{body}", if c.c < 0.0 { "- " } else { "+ " }));
    }
    let s = terms.join(" ");
    s.strip_prefix("+ ").map(|t| t.to_string()).unwrap_or_else(|| s.replacen("- ", "-", 1))
}

fn trim(v: f64) -> String {
    let s = format!("{v:.12}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    if s.is_empty() || s == "-0" { format!("{v:e}") } else { s }
}

/// Drop coefficients that are zero relative to the magnitudes they came from, and the constant.
pub fn clean(q: &Poly) -> Poly {
    q.iter()
        .filter(|(k, c)| **k != (0, 0) && c.c.abs() > ZERO_TOL * c.mag.max(f64::MIN_POSITIVE))
        .map(|(k, c)| (*k, *c))
        .collect()
}

pub fn clean_all(p: &Poly) -> Poly {
    p.iter().filter(|(_, c)| c.c.abs() > ZERO_TOL * c.mag.max(f64::MIN_POSITIVE)).map(|(k, c)| (*k, *c)).collect()
}
