//! A formula compiled to a tape: postfix operations on a small stack, constants folded and integer
//! powers by repeated squaring (≈10× faster than walking the tree; the volume curve evaluates K
//! about 10⁶ times).

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
}

/// A compiled formula: postfix operations on a small stack.
#[derive(Debug, Clone)]
pub struct Tape {
    ops: Vec<Op>,
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
        // stack depth
        let (mut d, mut max) = (0usize, 0usize);
        for op in &ops {
            match op {
                Op::Const(_) | Op::X | Op::Y => d += 1,
                Op::Neg | Op::PowI(_) | Op::F1(_) => {}
                _ => d -= 1,
            }
            max = max.max(d);
        }
        Ok(Tape { ops, max_stack: max })
    }

    #[inline]
    pub fn eval(&self, x: f64, y: f64) -> f64 {
        if self.max_stack <= INLINE_STACK {
            let mut st = [0.0f64; INLINE_STACK];
            self.run(&mut st, x, y)
        } else {
            let mut st = vec![0.0f64; self.max_stack];
            self.run(&mut st, x, y)
        }
    }

    #[inline]
    fn run(&self, st: &mut [f64], x: f64, y: f64) -> f64 {
        let mut sp = 0usize;
        for op in &self.ops {
            match *op {
                Op::Const(v) => {
                    st[sp] = v;
                    sp += 1;
                }
                Op::X => {
                    st[sp] = x;
                    sp += 1;
                }
                Op::Y => {
                    st[sp] = y;
                    sp += 1;
                }
                Op::Neg => st[sp - 1] = -st[sp - 1],
                Op::PowI(k) => st[sp - 1] = ipow(st[sp - 1], k),
                Op::F1(f) => st[sp - 1] = f.apply(st[sp - 1]),
                Op::Add => {
                    sp -= 1;
                    st[sp - 1] += st[sp];
                }
                Op::Sub => {
                    sp -= 1;
                    st[sp - 1] -= st[sp];
                }
                Op::Mul => {
                    sp -= 1;
                    st[sp - 1] *= st[sp];
                }
                Op::Div => {
                    sp -= 1;
                    st[sp - 1] /= st[sp];
                }
                Op::Pow => {
                    sp -= 1;
                    // (as the tree computes it: a computed integer exponent is a PowI too, found by
                    // the fuzzer — x^(22^…) was powf in the tape and ipow in the tree)
                    st[sp - 1] = super::expr::pow(st[sp - 1], st[sp]);
                }
                Op::F2(f) => {
                    sp -= 1;
                    st[sp - 1] = f.apply(st[sp - 1], st[sp]);
                }
            }
        }
        st[0]
    }
}

impl Tape {
    /// An enclosure of the formula over the box x × y (see `interval`).
    pub fn eval_iv(&self, x: Iv, y: Iv) -> Iv {
        let mut st: Vec<Iv> = Vec::with_capacity(self.max_stack);
        for op in &self.ops {
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
        for op in &self.ops {
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
        self.ops
            .iter()
            .map(|op| match op {
                Op::Const(_) | Op::X | Op::Y | Op::Neg | Op::Add | Op::Sub | Op::Mul => 1,
                Op::Div => 4,
                Op::PowI(_) => 3,
                Op::F1(_) | Op::F2(_) => 20,
                Op::Pow => 40,
            })
            .sum::<u64>()
            .max(1)
    }

    /// The number of operations (the cost of one evaluation).
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
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
