//! A formula compiled to a tape: postfix operations on a small stack, constants folded and integer
//! powers by repeated squaring (≈10× faster than walking the tree; the volume curve evaluates K
//! about 10⁶ times).
//!
//! The evaluator keeps the top of the stack in a register (an accumulator), and a peephole pass
//! fuses an operand push with the operation that consumes it (`x^2` → one op, `… + 0.5` → one op,
//! `… * y` → one op): about half the dispatches and stack traffic of the plain postfix tape. Every
//! fused op performs the same floating-point operations in the same order, so the numbers are the
//! plain tape's (and the tree's) bit for bit; a test checks it.

use super::expr::{Expr, Func1, Func2, MAX_OPS, ParseError, ipow};
use super::interval::{Iv, IvD};

#[derive(Debug, Clone, Copy)]
enum Op {
    Const(f64),
    X,
    Y,
    Neg,
    Add,
    Sub,
    Mul,
    Div,
    PowI(i32),
    Pow,
    F1(Func1),
    F2(Func2),
    // fused: an operand push and the operation consuming it (top ⊕ operand)
    XPowI(i32),
    YPowI(i32),
    AddC(f64),
    SubC(f64),
    MulC(f64),
    DivC(f64),
    AddX,
    SubX,
    MulX,
    AddY,
    SubY,
    MulY,
}

/// A compiled formula: postfix operations on a small stack.
#[derive(Debug, Clone)]
pub struct Tape {
    /// The fused ops the evaluator runs.
    ops: Vec<Op>,
    /// The plain postfix ops (the interval evaluators, the cost, the length).
    plain: Vec<Op>,
    max_stack: usize,
}

const INLINE_STACK: usize = 32;

impl Tape {
    pub fn compile(e: &Expr) -> Result<Tape, ParseError> {
        let mut ops = Vec::new();
        emit(&fold(e), &mut ops);
        if ops.len() > MAX_OPS {
            return Err(ParseError::TooManyOps { ops: ops.len() });
        }
        let plain = ops.clone();
        let ops = fuse(ops);
        // stack depth below the accumulator
        let (mut d, mut max) = (0usize, 0usize);
        for op in &ops {
            match op {
                Op::Const(_) | Op::X | Op::Y | Op::XPowI(_) | Op::YPowI(_) => d += 1,
                Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow | Op::F2(_) => d -= 1,
                _ => {}
            }
            max = max.max(d);
        }
        Ok(Tape { ops, plain, max_stack: max })
    }

    #[inline]
    pub fn eval(&self, x: f64, y: f64) -> f64 {
        // (a stack sized to the formula: zeroing 32 slots per call cost a fifth of a short one)
        if self.max_stack <= 8 {
            let mut st = [0.0f64; 8];
            self.run(&mut st, x, y)
        } else if self.max_stack <= INLINE_STACK {
            let mut st = [0.0f64; INLINE_STACK];
            self.run(&mut st, x, y)
        } else {
            let mut st = vec![0.0f64; self.max_stack];
            self.run(&mut st, x, y)
        }
    }

    /// The accumulator holds the top of the stack; `st[..sp]` the values below it.
    // (`acc = below + acc`, not `acc += below`: the plain tape's operand order, which a NaN's
    // payload can tell apart)
    #[allow(clippy::assign_op_pattern)]
    #[inline]
    fn run(&self, st: &mut [f64], x: f64, y: f64) -> f64 {
        let mut sp = 0usize;
        let mut acc = 0.0f64;
        macro_rules! push {
            ($v:expr) => {{
                let v = $v;
                st[sp] = acc;
                sp += 1;
                acc = v;
            }};
        }
        macro_rules! pop {
            () => {{
                sp -= 1;
                st[sp]
            }};
        }
        for op in &self.ops {
            match *op {
                Op::Const(v) => push!(v),
                Op::X => push!(x),
                Op::Y => push!(y),
                Op::XPowI(k) => push!(ipow(x, k)),
                Op::YPowI(k) => push!(ipow(y, k)),
                Op::Neg => acc = -acc,
                Op::PowI(k) => acc = ipow(acc, k),
                Op::F1(f) => acc = f.apply(acc),
                Op::Add => acc = pop!() + acc,
                Op::Sub => acc = pop!() - acc,
                Op::Mul => acc = pop!() * acc,
                Op::Div => acc = pop!() / acc,
                // (as the tree computes it: a computed integer exponent is a PowI too, found by
                // the fuzzer — x^(22^…) was powf in the tape and ipow in the tree)
                Op::Pow => acc = super::expr::pow(pop!(), acc),
                Op::F2(f) => acc = f.apply(pop!(), acc),
                Op::AddC(c) => acc += c,
                Op::SubC(c) => acc -= c,
                Op::MulC(c) => acc *= c,
                Op::DivC(c) => acc /= c,
                Op::AddX => acc += x,
                Op::SubX => acc -= x,
                Op::MulX => acc *= x,
                Op::AddY => acc += y,
                Op::SubY => acc -= y,
                Op::MulY => acc *= y,
            }
        }
        acc
    }
}

impl Tape {
    /// The plain postfix tape, unfused, without the accumulator: the reference the fused evaluator
    /// must equal bit for bit (tests).
    pub fn eval_plain(&self, x: f64, y: f64) -> f64 {
        let mut st: Vec<f64> = Vec::with_capacity(self.max_stack + 1);
        for op in &self.plain {
            let v = match *op {
                Op::Const(v) => v,
                Op::X => x,
                Op::Y => y,
                Op::Neg | Op::PowI(_) | Op::F1(_) => {
                    let a = st.pop().unwrap_or(f64::NAN);
                    match *op {
                        Op::Neg => -a,
                        Op::PowI(k) => ipow(a, k),
                        Op::F1(f) => f.apply(a),
                        _ => f64::NAN,
                    }
                }
                _ => {
                    let b = st.pop().unwrap_or(f64::NAN);
                    let a = st.pop().unwrap_or(f64::NAN);
                    match *op {
                        Op::Add => a + b,
                        Op::Sub => a - b,
                        Op::Mul => a * b,
                        Op::Div => a / b,
                        Op::Pow => super::expr::pow(a, b),
                        Op::F2(f) => f.apply(a, b),
                        _ => f64::NAN,
                    }
                }
            };
            st.push(v);
        }
        st.pop().unwrap_or(f64::NAN)
    }
}

/// The peephole pass: an operand push followed by the operation that consumes it becomes one op.
fn fuse(ops: Vec<Op>) -> Vec<Op> {
    let mut out: Vec<Op> = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        let next = ops.get(i + 1).copied();
        let fused = match (ops[i], next) {
            (Op::X, Some(Op::PowI(k))) => Some(Op::XPowI(k)),
            (Op::Y, Some(Op::PowI(k))) => Some(Op::YPowI(k)),
            // (a push directly before a binary op is its second operand: top ⊕ operand)
            (Op::Const(c), Some(Op::Add)) => Some(Op::AddC(c)),
            (Op::Const(c), Some(Op::Sub)) => Some(Op::SubC(c)),
            (Op::Const(c), Some(Op::Mul)) => Some(Op::MulC(c)),
            (Op::Const(c), Some(Op::Div)) => Some(Op::DivC(c)),
            (Op::X, Some(Op::Add)) => Some(Op::AddX),
            (Op::X, Some(Op::Sub)) => Some(Op::SubX),
            (Op::X, Some(Op::Mul)) => Some(Op::MulX),
            (Op::Y, Some(Op::Add)) => Some(Op::AddY),
            (Op::Y, Some(Op::Sub)) => Some(Op::SubY),
            (Op::Y, Some(Op::Mul)) => Some(Op::MulY),
            _ => None,
        };
        match fused {
            Some(f) => {
                out.push(f);
                i += 2;
            }
            None => {
                out.push(ops[i]);
                i += 1;
            }
        }
    }
    out
}

impl Tape {
    /// An enclosure of the formula over the box x × y (see `interval`).
    pub fn eval_iv(&self, x: Iv, y: Iv) -> Iv {
        let mut st: Vec<Iv> = Vec::with_capacity(self.max_stack + 1);
        for op in &self.plain {
            let r = match *op {
                Op::Const(v) => Iv::point(v),
                Op::X => x,
                Op::Y => y,
                Op::Neg => st.pop().unwrap_or(Iv::ENTIRE).neg(),
                Op::PowI(k) => st.pop().unwrap_or(Iv::ENTIRE).powi(k),
                Op::F1(f) => st.pop().unwrap_or(Iv::ENTIRE).f1(f),
                _ => {
                    let b = st.pop().unwrap_or(Iv::ENTIRE);
                    let a = st.pop().unwrap_or(Iv::ENTIRE);
                    match *op {
                        Op::Add => a.add(b),
                        Op::Sub => a.sub(b),
                        Op::Mul => a.mul(b),
                        Op::Div => a.div(b),
                        Op::Pow => a.pow(b),
                        Op::F2(f) => a.f2(f, b),
                        _ => Iv::ENTIRE,
                    }
                }
            };
            st.push(r);
        }
        st.pop().unwrap_or(Iv::ENTIRE)
    }

    /// Enclosures of the formula and of its gradient over the box x × y.
    pub fn eval_ivd(&self, x: Iv, y: Iv) -> IvD {
        let mut st: Vec<IvD> = Vec::with_capacity(self.max_stack);
        let entire = IvD { v: Iv::ENTIRE, d: [Iv::ENTIRE; 2], smooth: false };
        for op in &self.plain {
            let r = match *op {
                Op::Const(v) => IvD::constant(v),
                Op::X => IvD::var(x, 0),
                Op::Y => IvD::var(y, 1),
                Op::Neg => st.pop().unwrap_or(entire).neg(),
                Op::PowI(k) => st.pop().unwrap_or(entire).powi(k),
                Op::F1(f) => st.pop().unwrap_or(entire).f1(f),
                _ => {
                    let b = st.pop().unwrap_or(entire);
                    let a = st.pop().unwrap_or(entire);
                    match *op {
                        Op::Add => a.add(b),
                        Op::Sub => a.sub(b),
                        Op::Mul => a.mul(b),
                        Op::Div => a.div(b),
                        Op::Pow => a.pow(b),
                        Op::F2(f) => a.f2(f, b),
                        _ => entire,
                    }
                }
            };
            st.push(r);
        }
        st.pop().unwrap_or(entire)
    }

    /// The cost of one evaluation in units of about a nanosecond (an add is 1; a transcendental
    /// function ~20, measured on this machine's release build): what the evaluation budget is
    /// divided by, so that the budget bounds time rather than the count of evaluations.
    pub fn cost(&self) -> u64 {
        self.plain
            .iter()
            .map(|op| match op {
                Op::Const(_) | Op::X | Op::Y | Op::Neg | Op::Add | Op::Sub | Op::Mul => 1,
                Op::Div => 4,
                Op::PowI(_) => 3,
                Op::F1(_) | Op::F2(_) => 20,
                Op::Pow => 40,
                _ => 1, // (fused ops appear only in `ops`)
            })
            .sum::<u64>()
            .max(1)
    }

    /// The number of operations (the cost of one evaluation).
    pub fn len(&self) -> usize {
        self.plain.len()
    }

    pub fn is_empty(&self) -> bool {
        self.plain.is_empty()
    }
}

/// Constant folding (so `4.5e11*(x-1)^2` costs one multiplication, not a parse of 4.5 and 10^11).
fn fold(e: &Expr) -> Expr {
    let b = |x: &Expr| Box::new(fold(x));
    let r = match e {
        Expr::Num(_) | Expr::Var(_) => return e.clone(),
        Expr::Neg(a) => Expr::Neg(b(a)),
        Expr::Add(x, y) => Expr::Add(b(x), b(y)),
        Expr::Sub(x, y) => Expr::Sub(b(x), b(y)),
        Expr::Mul(x, y) => Expr::Mul(b(x), b(y)),
        Expr::Div(x, y) => Expr::Div(b(x), b(y)),
        Expr::Pow(x, y) => Expr::Pow(b(x), b(y)),
        Expr::F1(f, x) => Expr::F1(*f, b(x)),
        Expr::F2(f, x, y) => Expr::F2(*f, b(x), b(y)),
    };
    let is_const = match &r {
        Expr::Neg(a) | Expr::F1(_, a) => matches!(**a, Expr::Num(_)),
        Expr::Add(x, y) | Expr::Sub(x, y) | Expr::Mul(x, y) | Expr::Div(x, y) | Expr::Pow(x, y) | Expr::F2(_, x, y) => {
            matches!(**x, Expr::Num(_)) && matches!(**y, Expr::Num(_))
        }
        _ => false,
    };
    if is_const {
        return Expr::Num(r.eval_tree([0.0, 0.0]));
    }
    // (−1)·a is −a, bit for bit in IEEE arithmetic: the canonical form's negation costs the tape
    // what the typed one does (found by the fuzzer: 1,400 negations were 4,434 operations written
    // canonically, past the limit of 4,000 the typed text kept)
    match r {
        Expr::Mul(x, y) if matches!(*x, Expr::Num(v) if v == -1.0) => Expr::Neg(y),
        r => r,
    }
}

/// Both operands, then the operation (postfix order).
fn emit_binary(a: &Expr, b: &Expr, op: Op, ops: &mut Vec<Op>) {
    emit(a, ops);
    emit(b, ops);
    ops.push(op);
}

fn emit(e: &Expr, ops: &mut Vec<Op>) {
    match e {
        Expr::Num(v) => ops.push(Op::Const(*v)),
        Expr::Var(0) => ops.push(Op::X),
        Expr::Var(_) => ops.push(Op::Y),
        Expr::Neg(a) => {
            emit(a, ops);
            ops.push(Op::Neg);
        }
        Expr::Add(a, b) => emit_binary(a, b, Op::Add, ops),
        Expr::Sub(a, b) => emit_binary(a, b, Op::Sub, ops),
        Expr::Mul(a, b) => emit_binary(a, b, Op::Mul, ops),
        Expr::Div(a, b) => emit_binary(a, b, Op::Div, ops),
        Expr::Pow(a, b) => {
            emit(a, ops);
            match **b {
                Expr::Num(k) if k.fract() == 0.0 && k.abs() <= 64.0 => ops.push(Op::PowI(k as i32)),
                _ => {
                    emit(b, ops);
                    ops.push(Op::Pow);
                }
            }
        }
        Expr::F1(f, a) => {
            emit(a, ops);
            ops.push(Op::F1(*f));
        }
        Expr::F2(f, a, b) => {
            emit(a, ops);
            emit(b, ops);
            ops.push(Op::F2(*f));
        }
    }
}
