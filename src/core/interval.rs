//! Interval arithmetic for the formula tape: enclosures of K over a box, and of its gradient (for
//! the centered form), used by the certified minimum search.
//!
//! Why our own and not `inari`: inari 2 depends on `rug`, whose `gmp-mpfr-sys` builds GMP and MPFR
//! from C sources (it needs m4, which this machine lacks, minutes of build on 2 cores, and brings an
//! LGPL library into every build). What the search needs is small: every operation of the tape,
//! with outward rounding. We get that without switching the FPU's rounding mode (which would need
//! `unsafe`): each bound is computed in round-to-nearest and moved outward by one ulp for the
//! correctly rounded operations (+ − × ÷ √, error ≤ ½ ulp) and by four ulps for libm's
//! transcendental functions (documented error ≤ 1–2 ulp); integer powers by repeated squaring get
//! 2|k| + 2 ulps.
//!
//! Semantics follow the point evaluation: an undefined value (NaN) is never part of a sublevel set,
//! so an enclosure covers the values at the points of the box where K is defined (√ of [−1, 4] is
//! [0, 2]); a box where K is nowhere defined gives the empty interval. −∞ and +∞ are allowed as
//! bounds.

// (the operations are named methods, as the tape calls them; operator traits would add nothing)
#![allow(clippy::should_implement_trait)]

use super::expr::{Func1, Func2};

/// A closed interval [lo, hi] of extended reals; empty when lo > hi.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Iv {
    pub lo: f64,
    pub hi: f64,
}

const INF: f64 = f64::INFINITY;
const PI: f64 = std::f64::consts::PI;

fn dn(x: f64, ulps: u32) -> f64 {
    let mut v = x;
    for _ in 0..ulps {
        v = v.next_down();
    }
    v
}

fn up(x: f64, ulps: u32) -> f64 {
    let mut v = x;
    for _ in 0..ulps {
        v = v.next_up();
    }
    v
}

/// 0·∞ = 0 for interval endpoints (the limit of products over the box, not IEEE's NaN).
fn mul0(a: f64, b: f64) -> f64 {
    if a == 0.0 || b == 0.0 { 0.0 } else { a * b }
}

impl Iv {
    pub const EMPTY: Iv = Iv { lo: INF, hi: -INF };
    pub const ENTIRE: Iv = Iv { lo: -INF, hi: INF };

    pub fn new(lo: f64, hi: f64) -> Iv {
        if lo.is_nan() || hi.is_nan() { Iv::ENTIRE } else { Iv { lo, hi } }
    }
    pub fn point(v: f64) -> Iv {
        if v.is_nan() { Iv::EMPTY } else { Iv { lo: v, hi: v } }
    }
    pub fn is_empty(self) -> bool {
        !(self.lo <= self.hi)
    }
    pub fn contains(self, v: f64) -> bool {
        self.lo <= v && v <= self.hi
    }
    pub fn width(self) -> f64 {
        self.hi - self.lo
    }
    pub fn mid(self) -> f64 {
        0.5 * self.lo + 0.5 * self.hi
    }
    /// The smallest interval holding both.
    pub fn hull(self, o: Iv) -> Iv {
        if self.is_empty() {
            return o;
        }
        if o.is_empty() {
            return self;
        }
        Iv { lo: self.lo.min(o.lo), hi: self.hi.max(o.hi) }
    }
    fn meet(self, lo: f64, hi: f64) -> Iv {
        let r = Iv { lo: self.lo.max(lo), hi: self.hi.min(hi) };
        if r.is_empty() { Iv::EMPTY } else { r }
    }
    /// Bounds moved outward by `ulps` (a NaN bound becomes infinite).
    fn out(lo: f64, hi: f64, ulps: u32) -> Iv {
        let lo = if lo.is_nan() { -INF } else { dn(lo, ulps) };
        let hi = if hi.is_nan() { INF } else { up(hi, ulps) };
        Iv { lo, hi }
    }

    pub fn neg(self) -> Iv {
        if self.is_empty() { self } else { Iv { lo: -self.hi, hi: -self.lo } }
    }
    pub fn add(self, o: Iv) -> Iv {
        if self.is_empty() || o.is_empty() {
            return Iv::EMPTY;
        }
        Iv::out(self.lo + o.lo, self.hi + o.hi, 1)
    }
    pub fn sub(self, o: Iv) -> Iv {
        self.add(o.neg())
    }
    pub fn mul(self, o: Iv) -> Iv {
        if self.is_empty() || o.is_empty() {
            return Iv::EMPTY;
        }
        let p = [mul0(self.lo, o.lo), mul0(self.lo, o.hi), mul0(self.hi, o.lo), mul0(self.hi, o.hi)];
        let lo = p.iter().copied().fold(INF, f64::min);
        let hi = p.iter().copied().fold(-INF, f64::max);
        Iv::out(lo, hi, 1)
    }
    pub fn recip(self) -> Iv {
        Iv::point(1.0).div(self)
    }
    /// Division. A divisor that is exactly zero gives ±∞ where the dividend is not 0 (the sign
    /// depends on the sign of the zero, which an interval does not keep: the whole line) and NaN
    /// where it is 0 (empty). Found by the fuzzer: `1 − x/0` is −∞ at a point, and the empty
    /// enclosure it had hid a value a minimum search must see.
    pub fn div(self, o: Iv) -> Iv {
        if self.is_empty() || o.is_empty() {
            return Iv::EMPTY;
        }
        if o.lo == 0.0 && o.hi == 0.0 {
            return if self.lo == 0.0 && self.hi == 0.0 { Iv::EMPTY } else { Iv::ENTIRE };
        }
        let q = |a: f64, b: f64| if a == 0.0 { 0.0 } else { a / b };
        if o.lo > 0.0 || o.hi < 0.0 {
            // a corner ∞/∞ (NaN) stands for the quotients of large dividends by large divisors:
            // anything from 0 to ±∞ of that sign (found by the fuzzer: [−∞, ∞]/∞ was empty, while
            // 0/∞ = 0 at a point)
            let mut lo = INF;
            let mut hi = -INF;
            for (a, b) in [(self.lo, o.lo), (self.lo, o.hi), (self.hi, o.lo), (self.hi, o.hi)] {
                let v = q(a, b);
                let vs = if v.is_nan() { [0.0, a.signum() * b.signum() * INF] } else { [v, v] };
                for v in vs {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
            return Iv::out(lo, hi, 1);
        }
        // the divisor touches or straddles 0
        if o.lo == 0.0 {
            if self.lo >= 0.0 {
                return Iv::out(q(self.lo, o.hi), INF, 1);
            }
            if self.hi <= 0.0 {
                return Iv::out(-INF, q(self.hi, o.hi), 1);
            }
        } else if o.hi == 0.0 {
            if self.lo >= 0.0 {
                return Iv::out(-INF, q(self.lo, o.lo), 1);
            }
            if self.hi <= 0.0 {
                return Iv::out(q(self.hi, o.lo), INF, 1);
            }
        }
        Iv::ENTIRE
    }

    /// x^k for an integer k (the tape's `PowI`).
    pub fn powi(self, k: i32) -> Iv {
        if k == 0 {
            // x^0 = 1 for every x, NaN included (as the tape computes it)
            return Iv::point(1.0);
        }
        if self.is_empty() {
            return self;
        }
        if k < 0 {
            return self.powi(-k).recip();
        }
        let ulps = 2 * k.unsigned_abs() + 2;
        let f = |v: f64| super::expr::ipow(v, k);
        if k % 2 == 1 || self.lo >= 0.0 {
            Iv::out(f(self.lo), f(self.hi), ulps)
        } else if self.hi <= 0.0 {
            Iv::out(f(self.hi), f(self.lo), ulps)
        } else {
            Iv::out(0.0, f(self.lo).max(f(self.hi)), ulps).meet(0.0, INF)
        }
    }

    /// a^b as the tape evaluates it (`expr::pow`: `ipow` for integer exponents up to 64, else `powf`).
    pub fn pow(self, b: Iv) -> Iv {
        if self.is_empty() || b.is_empty() {
            // IEEE 754 pow: 1^NaN = 1 and NaN^0 = 1; every other power of "no value" is NaN
            return if (b.is_empty() && self.contains(1.0)) || (self.is_empty() && b.contains(0.0)) {
                Iv::point(1.0)
            } else {
                Iv::EMPTY
            };
        }
        if b.lo == b.hi {
            let e = b.lo;
            if e.fract() == 0.0 && e.abs() <= 64.0 {
                // the point value is `ipow` then (expr::pow), enclosed as the tape's PowI is
                return self.powi(e as i32);
            }
            if e.fract() == 0.0 || e.is_infinite() {
                // an integer exponent beyond the tape's PowI range: parity decides, as for powi;
                // ±∞ behaves as an even one (|a|^±∞, defined for a < 0 too: found by the fuzzer,
                // x^(777…^777…) at x = −2 is +∞)
                let f = |v: f64| v.powf(e);
                let odd = e.is_finite() && (e / 2.0).fract() != 0.0;
                return if odd || self.lo >= 0.0 {
                    Iv::out(f(self.lo).min(f(self.hi)), f(self.lo).max(f(self.hi)), 4)
                } else if self.hi <= 0.0 {
                    Iv::out(f(self.hi).min(f(self.lo)), f(self.hi).max(f(self.lo)), 4)
                } else {
                    // an even power on an interval around 0: from 0 up to the larger end for e > 0;
                    // for e < 0 from the smaller end's value (the end farther from 0) up to +∞
                    if e > 0.0 {
                        Iv::out(0.0, f(self.lo).max(f(self.hi)), 4).meet(0.0, INF)
                    } else {
                        Iv::out(f(self.lo).min(f(self.hi)), INF, 4)
                    }
                };
            }
            // a non-integer power is defined for a ≥ 0 only, and at a = −∞ (IEEE 754: (−∞)^e is
            // +∞ for e > 0 and 0 for e < 0; found by the fuzzer, (−∞)^x at a tiny x > 0)
            let at_minus_inf = (self.lo == f64::NEG_INFINITY).then(|| Iv::point(f64::NEG_INFINITY.powf(e)));
            let a = self.meet(0.0, INF);
            let r = if a.is_empty() {
                a
            } else {
                let (p, q) = (a.lo.powf(e), a.hi.powf(e));
                Iv::out(p.min(q), p.max(q), 4)
            };
            return match at_minus_inf {
                Some(m) if r.is_empty() => m,
                Some(m) => r.hull(m),
                None => r,
            };
        }
        if self.lo > 0.0 {
            return b.mul(self.ln()).exp();
        }
        Iv::ENTIRE
    }

    fn monotone(self, f: impl Fn(f64) -> f64, increasing: bool) -> Iv {
        if self.is_empty() {
            return self;
        }
        let (a, b) = (f(self.lo), f(self.hi));
        if increasing { Iv::out(a, b, 4) } else { Iv::out(b, a, 4) }
    }

    pub fn exp(self) -> Iv {
        self.monotone(f64::exp, true).meet(0.0, INF)
    }
    pub fn ln(self) -> Iv {
        self.meet(0.0, INF).monotone(f64::ln, true)
    }

    /// sin on [lo, hi]: the end values and the peaks inside. Beyond |x| = 1e8 the argument reduction
    /// is not trusted to place a peak, and the answer is [−1, 1].
    fn sin_iv(self) -> Iv {
        self.periodic(f64::sin, 0.5 * PI, -0.5 * PI)
    }

    /// cos on [lo, hi], as `sin_iv`.
    fn cos_iv(self) -> Iv {
        self.periodic(f64::cos, 0.0, PI)
    }

    /// A 2π-periodic function with values in [−1, 1], its maximum at `peak` + 2kπ and its minimum at
    /// `trough` + 2kπ: the end values, widened to ±1 where a peak or a trough lies inside.
    fn periodic(self, f: fn(f64) -> f64, peak: f64, trough: f64) -> Iv {
        if self.is_empty() {
            return self;
        }
        if !(self.lo.is_finite() && self.hi.is_finite())
            || self.width() >= 2.0 * PI
            || self.lo.abs().max(self.hi.abs()) > 1e8
        {
            return Iv::new(-1.0, 1.0);
        }
        let (a, b) = (f(self.lo), f(self.hi));
        let mut r = Iv::out(a.min(b), a.max(b), 4);
        // a point of the form c + 2kπ inside the interval, with a margin for the rounding of the
        // candidate (a margin can only widen the result)
        let has = |c: f64| {
            let k = ((self.lo - c) / (2.0 * PI)).ceil() - 1.0;
            (0..3).any(|j| {
                let p = c + 2.0 * PI * (k + j as f64);
                let m = 1e-12 * (1.0 + p.abs());
                p >= self.lo - m && p <= self.hi + m
            })
        };
        if has(peak) {
            r.hi = 1.0;
        }
        if has(trough) {
            r.lo = -1.0;
        }
        r.meet(-1.0, 1.0)
    }

    fn tan_iv(self) -> Iv {
        if self.is_empty() {
            return self;
        }
        if !(self.lo.is_finite() && self.hi.is_finite()) || self.width() >= PI || self.lo.abs().max(self.hi.abs()) > 1e8
        {
            return Iv::ENTIRE;
        }
        // a pole π/2 + kπ inside (with a margin)?
        let k = ((self.lo - 0.5 * PI) / PI).ceil() - 1.0;
        let pole = (0..3).any(|j| {
            let p = 0.5 * PI + PI * (k + j as f64);
            let m = 1e-12 * (1.0 + p.abs());
            p >= self.lo - m && p <= self.hi + m
        });
        if pole { Iv::ENTIRE } else { self.monotone(f64::tan, true) }
    }

    /// A function of one argument, as `Func1::apply` evaluates it pointwise.
    pub fn f1(self, f: Func1) -> Iv {
        if self.is_empty() {
            return self;
        }
        use Func1::*;
        let r = match f {
            Abs => {
                if self.lo >= 0.0 {
                    self
                } else if self.hi <= 0.0 {
                    self.neg()
                } else {
                    Iv { lo: 0.0, hi: (-self.lo).max(self.hi) }
                }
            }
            Signum => {
                let s = |v: f64| if v == 0.0 { 0.0 } else { v.signum() };
                Iv { lo: s(self.lo), hi: s(self.hi) }
            }
            Sin => self.sin_iv(),
            Cos => self.cos_iv(),
            Tan => self.tan_iv(),
            Asin => self.meet(-1.0, 1.0).monotone(f64::asin, true),
            Acos => self.meet(-1.0, 1.0).monotone(f64::acos, false),
            Atan => self.monotone(f64::atan, true),
            Sinh => self.monotone(f64::sinh, true),
            Cosh => {
                let a = self.f1(Abs);
                a.monotone(f64::cosh, true).meet(1.0, INF)
            }
            Tanh => self.monotone(f64::tanh, true).meet(-1.0, 1.0),
            Asinh => self.monotone(f64::asinh, true),
            Acosh => self.meet(1.0, INF).monotone(f64::acosh, true),
            Atanh => self.meet(-1.0, 1.0).monotone(f64::atanh, true),
            // non-decreasing and exact
            Floor => Iv { lo: self.lo.floor(), hi: self.hi.floor() },
            Round => Iv { lo: self.lo.round(), hi: self.hi.round() },
            Ceil => Iv { lo: self.lo.ceil(), hi: self.hi.ceil() },
            Trunc => Iv { lo: self.lo.trunc(), hi: self.hi.trunc() },
            Fract => {
                // x − trunc(x): increasing between integers, jumps at every nonzero integer
                if self.lo.is_finite() && self.hi.is_finite() && self.lo.trunc() == self.hi.trunc() {
                    Iv { lo: self.lo.fract(), hi: self.hi.fract() }
                } else if self.lo >= 0.0 {
                    Iv { lo: 0.0, hi: 1.0 }
                } else if self.hi <= 0.0 {
                    Iv { lo: -1.0, hi: 0.0 }
                } else {
                    Iv { lo: -1.0, hi: 1.0 }
                }
            }
            Exp => self.exp(),
            Sqrt => {
                let a = self.meet(0.0, INF);
                if a.is_empty() { a } else { Iv::out(a.lo.sqrt(), a.hi.sqrt(), 1).meet(0.0, INF) }
            }
            Cbrt => self.monotone(f64::cbrt, true),
            Ln => self.ln(),
            Log2 => self.meet(0.0, INF).monotone(f64::log2, true),
            Log10 => self.meet(0.0, INF).monotone(f64::log10, true),
        };
        if r.is_empty() { Iv::EMPTY } else { r }
    }

    /// A function of two arguments, as `Func2::apply` evaluates it pointwise (min and max are
    /// undefined where an argument is).
    pub fn f2(self, f: Func2, o: Iv) -> Iv {
        if self.is_empty() || o.is_empty() {
            return Iv::EMPTY;
        }
        match f {
            Func2::Min => Iv { lo: self.lo.min(o.lo), hi: self.hi.min(o.hi) },
            Func2::Max => Iv { lo: self.lo.max(o.lo), hi: self.hi.max(o.hi) },
            Func2::Atan2 => {
                // atan2(y = self, x = o): for x > 0 it is atan(y/x), whose extremes over the box
                // are at its corners; otherwise the whole range
                if o.lo > 0.0 {
                    let c = [self.lo.atan2(o.lo), self.lo.atan2(o.hi), self.hi.atan2(o.lo), self.hi.atan2(o.hi)];
                    Iv::out(c.iter().copied().fold(INF, f64::min), c.iter().copied().fold(-INF, f64::max), 4)
                        .meet(-PI, PI)
                } else {
                    Iv::out(-PI, PI, 1)
                }
            }
        }
    }
}

/// An enclosure of a value and of its gradient over the same box (forward-mode differentiation on
/// intervals). `smooth` is false once a step function jumps inside the box or a domain was cut:
/// the mean-value (centered) form then does not hold, and only the value enclosure is used.
#[derive(Debug, Clone, Copy)]
pub struct IvD {
    pub v: Iv,
    pub d: [Iv; 2],
    pub smooth: bool,
}

impl IvD {
    pub fn constant(c: f64) -> IvD {
        IvD { v: Iv::point(c), d: [Iv::point(0.0); 2], smooth: true }
    }
    pub fn var(x: Iv, axis: usize) -> IvD {
        let mut d = [Iv::point(0.0); 2];
        d[axis] = Iv::point(1.0);
        IvD { v: x, d, smooth: true }
    }
    fn chain(self, v: Iv, dv: Iv, smooth: bool) -> IvD {
        IvD { v, d: [dv.mul(self.d[0]), dv.mul(self.d[1])], smooth: self.smooth && smooth && !v.is_empty() }
    }
    fn both(a: IvD, b: IvD, v: Iv, d: [Iv; 2]) -> IvD {
        IvD { v, d, smooth: a.smooth && b.smooth && !v.is_empty() }
    }
    pub fn neg(self) -> IvD {
        IvD { v: self.v.neg(), d: [self.d[0].neg(), self.d[1].neg()], smooth: self.smooth }
    }
    pub fn add(self, o: IvD) -> IvD {
        IvD::both(self, o, self.v.add(o.v), [self.d[0].add(o.d[0]), self.d[1].add(o.d[1])])
    }
    pub fn sub(self, o: IvD) -> IvD {
        IvD::both(self, o, self.v.sub(o.v), [self.d[0].sub(o.d[0]), self.d[1].sub(o.d[1])])
    }
    pub fn mul(self, o: IvD) -> IvD {
        let d = |i: usize| self.d[i].mul(o.v).add(self.v.mul(o.d[i]));
        IvD::both(self, o, self.v.mul(o.v), [d(0), d(1)])
    }
    pub fn div(self, o: IvD) -> IvD {
        let q = self.v.div(o.v);
        let d = |i: usize| self.d[i].sub(q.mul(o.d[i])).div(o.v);
        let smooth = !(o.v.contains(0.0));
        IvD { smooth: self.smooth && o.smooth && smooth && !q.is_empty(), ..IvD::both(self, o, q, [d(0), d(1)]) }
    }
    pub fn powi(self, k: i32) -> IvD {
        if k == 0 {
            return IvD::constant(1.0);
        }
        let dv = self.v.powi(k - 1).mul(Iv::point(k as f64));
        self.chain(self.v.powi(k), dv, !(k < 0 && self.v.contains(0.0)))
    }
    pub fn pow(self, b: IvD) -> IvD {
        let v = self.v.pow(b.v);
        if b.v.lo == b.v.hi && b.smooth && b.d.iter().all(|d| d.lo == 0.0 && d.hi == 0.0) {
            let e = b.v.lo;
            // a^e with a constant e: e·a^(e−1), smooth where a > 0 (or everywhere for integers)
            let dv = self.v.pow(Iv::point(e - 1.0)).mul(Iv::point(e));
            let ok = self.v.lo > 0.0 || (e.fract() == 0.0 && e >= 1.0);
            return self.chain(v, dv, ok);
        }
        if self.v.lo > 0.0 {
            // a^b = exp(b ln a): (a^b)' = a^b·(b' ln a + b a'/a)
            let ln_a = self.v.ln();
            let d = |i: usize| v.mul(b.d[i].mul(ln_a).add(b.v.mul(self.d[i]).div(self.v)));
            return IvD::both(self, b, v, [d(0), d(1)]);
        }
        IvD { v, d: [Iv::ENTIRE; 2], smooth: false }
    }
    pub fn f1(self, f: Func1) -> IvD {
        use Func1::*;
        let x = self.v;
        let v = x.f1(f);
        let one = Iv::point(1.0);
        // the derivative on the part of the argument where f is defined
        let (dv, smooth) = match f {
            // Clarke's gradient at 0 is [−1, 1]: |x| is Lipschitz, so the mean-value form holds
            Abs => (
                if x.lo > 0.0 {
                    one
                } else if x.hi < 0.0 {
                    one.neg()
                } else {
                    Iv::new(-1.0, 1.0)
                },
                true,
            ),
            Signum => (Iv::point(0.0), !x.contains(0.0)),
            Floor => (Iv::point(0.0), x.lo.floor() == x.hi.floor()),
            Round => (Iv::point(0.0), x.lo.round() == x.hi.round()),
            Ceil => (Iv::point(0.0), x.lo.ceil() == x.hi.ceil()),
            Trunc => (Iv::point(0.0), x.lo.trunc() == x.hi.trunc()),
            Fract => (one, x.lo.trunc() == x.hi.trunc()),
            Sin => (x.f1(Cos), true),
            Cos => (x.f1(Sin).neg(), true),
            Tan => (one.add(v.powi(2)), v.lo.is_finite() && v.hi.is_finite()),
            Asin | Acos => {
                let xin = x.meet(-1.0, 1.0);
                let d = one.sub(xin.powi(2)).f1(Sqrt).recip();
                (if f == Acos { d.neg() } else { d }, x.lo > -1.0 && x.hi < 1.0)
            }
            Atan => (one.add(x.powi(2)).recip(), true),
            Sinh => (x.f1(Cosh), true),
            Cosh => (x.f1(Sinh), true),
            Tanh => (one.sub(v.powi(2)), true),
            Asinh => (x.powi(2).add(one).f1(Sqrt).recip(), true),
            Acosh => (x.powi(2).sub(one).f1(Sqrt).recip(), x.lo > 1.0),
            Atanh => (one.sub(x.powi(2)).recip(), x.lo > -1.0 && x.hi < 1.0),
            Exp => (v, true),
            Sqrt => (v.mul(Iv::point(2.0)).recip(), x.lo > 0.0),
            Cbrt => (v.powi(2).mul(Iv::point(3.0)).recip(), !x.contains(0.0)),
            Ln => (x.recip(), x.lo > 0.0),
            Log2 => (x.mul(Iv::point(std::f64::consts::LN_2)).recip(), x.lo > 0.0),
            Log10 => (x.mul(Iv::point(std::f64::consts::LN_10)).recip(), x.lo > 0.0),
        };
        self.chain(v, dv, smooth)
    }
    pub fn f2(self, f: Func2, o: IvD) -> IvD {
        let v = self.v.f2(f, o.v);
        match f {
            Func2::Min | Func2::Max => {
                // the branch that decides everywhere on the box, or both (min and max are Lipschitz:
                // the hull of the two gradients encloses Clarke's gradient)
                let first = if f == Func2::Min { self.v.hi <= o.v.lo } else { self.v.lo >= o.v.hi };
                let second = if f == Func2::Min { o.v.hi <= self.v.lo } else { o.v.lo >= self.v.hi };
                let d = if first {
                    self.d
                } else if second {
                    o.d
                } else {
                    [self.d[0].hull(o.d[0]), self.d[1].hull(o.d[1])]
                };
                IvD::both(self, o, v, d)
            }
            Func2::Atan2 => {
                // d atan2(y, x) = (x dy − y dx)/(x² + y²)
                let r2 = self.v.powi(2).add(o.v.powi(2));
                let d = |i: usize| o.v.mul(self.d[i]).sub(self.v.mul(o.d[i])).div(r2);
                let smooth = o.v.lo > 0.0;
                IvD { smooth: self.smooth && o.smooth && smooth, ..IvD::both(self, o, v, [d(0), d(1)]) }
            }
        }
    }

    /// The best lower bound on the box: the value enclosure's, or the centered form's
    /// f(c) + Σ ∂ᵢf(B)·(Bᵢ − cᵢ) where it holds (`fc`: an enclosure of f at the centre c).
    pub fn lower(self, fc: Iv, box_: [Iv; 2], c: [f64; 2], dim: usize) -> f64 {
        let mut lb = self.v.lo;
        if self.smooth && !fc.is_empty() && fc.lo.is_finite() {
            let mut s = fc;
            for i in 0..dim {
                let dx = box_[i].sub(Iv::point(c[i]));
                s = s.add(self.d[i].mul(dx));
            }
            if s.lo.is_finite() {
                lb = lb.max(s.lo);
            }
        }
        lb
    }
}
