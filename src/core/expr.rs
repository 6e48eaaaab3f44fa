//! Formulas: a small Pratt parser, an expression tree, and a compiled evaluation tape.
//!
//! Why our own parser in front of exmex: exmex (the parser of record, see `Formula::exmex_check`)
//! binds unary minus tighter than `^`, so `-x^2` would mean (−x)²; it cannot point at the position of
//! an error; and its tree evaluator costs ~200 ns per point. The volume curve needs ~10⁶ evaluations,
//! so we compile the tree to a flat tape with `powi` for integer exponents (≈10× faster), and keep
//! exmex as an independent second reading of the same formula (its fully parenthesised canonical
//! form must evaluate to the same numbers; tests check this).

use super::tape::Tape;

/// Longest formula we accept. A formula is typed by a person; 20,000 characters is far beyond any
/// real loss and keeps every evaluation cheap (the volume curve evaluates K about 10⁶ times).
pub const MAX_FORMULA_CHARS: usize = 20_000;
/// Deepest nesting of parentheses/operators in a typed formula; bounds the recursion of the
/// parser and the tree walks.
pub const MAX_DEPTH: usize = 200;
/// The same bound for a canonical form (`parse_canonical`), which spends up to three levels of the
/// parser's recursion where the typed text spent one ("((0-1)*a)" for "-a", parentheses around
/// every operation): found by the fuzzer, an accepted formula's canonical form was refused.
const CANONICAL_DEPTH: usize = 3 * MAX_DEPTH + 8;
/// Variables of a d-parameter formula: x1 … x8.
pub const MAX_INDEXED_VARS: usize = 8;
/// Longest compiled tape.
pub const MAX_OPS: usize = 4_000;

/// Why a formula was refused. Positions are 1-based character columns: what a person counts.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("the formula is empty: type a loss such as x^2*y^2")]
    Empty,
    #[error("the formula has {chars} characters; at most {MAX_FORMULA_CHARS} are accepted")]
    TooLong { chars: usize },
    #[error("the formula is nested more than {MAX_DEPTH} levels deep")]
    TooDeep,
    #[error("the formula has {ops} operations; at most {MAX_OPS} are accepted (it is evaluated ~10⁶ times)")]
    TooManyOps { ops: usize },
    #[error("unexpected character {} at position {pos}{}", show_char(*ch), in_parens(hint))]
    UnexpectedChar { pos: usize, ch: char, hint: &'static str },
    #[error(
        "unknown variable '{name}' at position {pos}: the allowed variables are x, y (aliases w, w1 = x and w2 = y)"
    )]
    UnknownVariable { pos: usize, name: String },
    #[error(
        "unknown variable '{name}' at position {pos}: a formula in several parameters uses x1 … x{MAX_INDEXED_VARS} (aliases w1 … w{MAX_INDEXED_VARS})"
    )]
    UnknownIndexedVariable { pos: usize, name: String },
    #[error("unknown function '{name}' at position {pos}: known functions are {}", known_functions())]
    UnknownFunction { pos: usize, name: String },
    #[error("'{text}' at position {pos} is not a number")]
    BadNumber { pos: usize, text: String },
    #[error(
        "the number at position {pos} is larger than the largest one there is (about 1.8e308): {}",
        truncated(text)
    )]
    NumberTooLarge { pos: usize, text: String },
    #[error("expected {what} at position {pos}, found {found}")]
    Expected { pos: usize, what: &'static str, found: String },
    #[error("the parenthesis opened at position {pos} is never closed")]
    UnclosedParen { pos: usize },
    #[error("{name} at position {pos} takes {expected} argument{}, found {found}", if *expected == 1 { "" } else { "s" })]
    WrongArity { pos: usize, name: String, expected: usize, found: usize },
    #[error("exmex rejected the formula: {0}")]
    Exmex(String),
}

/// A long piece of the input, cut to 40 characters for a message.
fn truncated(text: &str) -> String {
    if text.chars().count() <= 40 {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(40).collect::<String>())
    }
}

/// " (hint)", or nothing for an empty hint.
fn in_parens(hint: &str) -> String {
    if hint.is_empty() { String::new() } else { format!(" ({hint})") }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func1 {
    Abs,
    Signum,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Floor,
    Round,
    Ceil,
    Trunc,
    Fract,
    Exp,
    Sqrt,
    Cbrt,
    Ln,
    Log2,
    Log10,
}

const FUNC1: &[(&str, Func1)] = &[
    ("abs", Func1::Abs),
    ("signum", Func1::Signum),
    ("sign", Func1::Signum),
    ("sin", Func1::Sin),
    ("cos", Func1::Cos),
    ("tan", Func1::Tan),
    ("asin", Func1::Asin),
    ("acos", Func1::Acos),
    ("atan", Func1::Atan),
    ("sinh", Func1::Sinh),
    ("cosh", Func1::Cosh),
    ("tanh", Func1::Tanh),
    ("asinh", Func1::Asinh),
    ("acosh", Func1::Acosh),
    ("atanh", Func1::Atanh),
    ("floor", Func1::Floor),
    ("round", Func1::Round),
    ("ceil", Func1::Ceil),
    ("trunc", Func1::Trunc),
    ("fract", Func1::Fract),
    ("exp", Func1::Exp),
    ("sqrt", Func1::Sqrt),
    ("cbrt", Func1::Cbrt),
    ("ln", Func1::Ln),
    ("log", Func1::Ln),
    ("log2", Func1::Log2),
    ("log10", Func1::Log10),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func2 {
    Min,
    Max,
    Atan2,
}

const FUNC2: &[(&str, Func2)] = &[("min", Func2::Min), ("max", Func2::Max), ("atan2", Func2::Atan2)];

fn known_functions() -> String {
    let mut v: Vec<&str> = FUNC1.iter().map(|(n, _)| *n).collect();
    v.extend(FUNC2.iter().map(|(n, _)| *n));
    v.join(", ")
}

impl Func1 {
    fn name(self) -> &'static str {
        // exmex spelling (its `log` is ln as well).
        FUNC1.iter().find(|(_, f)| *f == self).map(|(n, _)| *n).unwrap_or("?")
    }
    pub fn apply(self, a: f64) -> f64 {
        match self {
            Func1::Abs => a.abs(),
            Func1::Signum => {
                if a == 0.0 {
                    0.0
                } else {
                    a.signum()
                }
            }
            Func1::Sin => a.sin(),
            Func1::Cos => a.cos(),
            Func1::Tan => a.tan(),
            Func1::Asin => a.asin(),
            Func1::Acos => a.acos(),
            Func1::Atan => a.atan(),
            Func1::Sinh => a.sinh(),
            Func1::Cosh => a.cosh(),
            Func1::Tanh => a.tanh(),
            Func1::Asinh => a.asinh(),
            Func1::Acosh => a.acosh(),
            Func1::Atanh => a.atanh(),
            Func1::Floor => a.floor(),
            Func1::Round => a.round(),
            Func1::Ceil => a.ceil(),
            Func1::Trunc => a.trunc(),
            Func1::Fract => a.fract(),
            Func1::Exp => a.exp(),
            Func1::Sqrt => a.sqrt(),
            Func1::Cbrt => a.cbrt(),
            Func1::Ln => a.ln(),
            Func1::Log2 => a.log2(),
            Func1::Log10 => a.log10(),
        }
    }
}

impl Func2 {
    fn name(self) -> &'static str {
        match self {
            Func2::Min => "min",
            Func2::Max => "max",
            Func2::Atan2 => "atan2",
        }
    }
    pub fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            // NaN-propagating on purpose: an undefined argument must not be hidden by min/max.
            Func2::Min => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.min(b)
                }
            }
            Func2::Max => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.max(b)
                }
            }
            Func2::Atan2 => a.atan2(b),
        }
    }
}

/// The expression tree. Variables are 0 = x, 1 = y.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Var(usize),
    Neg(Box<Expr>),
    Add(Box<Expr>, Box<Expr>),
    Sub(Box<Expr>, Box<Expr>),
    Mul(Box<Expr>, Box<Expr>),
    Div(Box<Expr>, Box<Expr>),
    Pow(Box<Expr>, Box<Expr>),
    F1(Func1, Box<Expr>),
    F2(Func2, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Which of x, y occur.
    pub fn vars_used(&self) -> [bool; 2] {
        let mut used = [false; 2];
        self.visit(&mut |e| {
            if let Expr::Var(i) = e {
                used[*i] = true;
            }
        });
        used
    }

    fn visit(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Num(_) | Expr::Var(_) => {}
            Expr::Neg(a) | Expr::F1(_, a) => a.visit(f),
            Expr::Add(a, b)
            | Expr::Sub(a, b)
            | Expr::Mul(a, b)
            | Expr::Div(a, b)
            | Expr::Pow(a, b)
            | Expr::F2(_, a, b) => {
                a.visit(f);
                b.visit(f);
            }
        }
    }

    /// Parenthesised text, unambiguous for any parser that reads + − and * / left to right (used for
    /// exmex and for display): every operation is parenthesised except inside a left-associative chain.
    pub fn canonical(&self) -> String {
        let mut s = String::new();
        self.write_canonical(&mut s);
        s
    }

    fn write_canonical(&self, s: &mut String) {
        match self {
            Expr::Num(v) => s.push_str(&fmt_number(*v)),
            Expr::Var(0) => s.push('x'),
            Expr::Var(1) => s.push('y'),
            Expr::Var(i) => s.push_str(&format!("x{}", i + 1)),
            Expr::Neg(a) => {
                // −a as (−1)·a, exact in IEEE arithmetic, also for ±0 and ±∞ (0 − a turned −0
                // into +0, so 1/−0 became +∞: found by the fuzzer); no leading minus for exmex
                s.push_str("((0-1)*");
                a.write_canonical(s);
                s.push(')');
            }
            Expr::Add(a, b) => bin(s, a, "+", b),
            Expr::Sub(a, b) => bin(s, a, "-", b),
            Expr::Mul(a, b) => bin(s, a, "*", b),
            Expr::Div(a, b) => bin(s, a, "/", b),
            Expr::Pow(a, b) => bin(s, a, "^", b),
            Expr::F1(f, a) => {
                s.push_str(f.name());
                s.push('(');
                a.write_canonical(s);
                s.push(')');
            }
            Expr::F2(f, a, b) => {
                s.push('(');
                a.write_canonical(s);
                s.push(' ');
                s.push_str(f.name());
                s.push(' ');
                b.write_canonical(s);
                s.push(')');
            }
        }
        fn bin(s: &mut String, a: &Expr, op: &str, b: &Expr) {
            s.push('(');
            chain(s, a, op);
            s.push_str(op);
            b.write_canonical(s);
            s.push(')');
        }
        /// The left operand of a left-associative + − or * / is written without its parentheses
        /// when it is of the same class (`a/b/c`, `a-b+c`: every parser reads these left to right),
        /// so a flat chain of 300 operations stays flat instead of nesting 300 parentheses deep
        /// (found by the fuzzer: the canonical form outgrew the depth bound of its parser).
        /// The walk down the chain is a loop, not recursion.
        /// m·10^k, m/10^k (a number) and (0−1)·a (a negation) as the canonical form writes them.
        fn number_form(l: &Expr, r: &Expr) -> bool {
            let minus_one = matches!(l, Expr::Sub(a, b) if matches!((&**a, &**b), (Expr::Num(z), Expr::Num(o)) if *z == 0.0 && *o == 1.0));
            minus_one
                // (a power of ten only: 8.9e38·22^k is a product, found by the fuzzer)
                || matches!((l, r), (Expr::Num(_), Expr::Pow(b, e)) if matches!((&**b, &**e), (Expr::Num(t), Expr::Num(_)) if *t == 10.0))
        }
        fn chain(s: &mut String, a: &Expr, op: &str) {
            let additive = matches!(op, "+" | "-");
            let multiplicative = matches!(op, "*" | "/");
            let mut spine = Vec::new();
            let mut cur = a;
            loop {
                match cur {
                    Expr::Add(l, r) | Expr::Sub(l, r) if additive => {
                        spine.push((if matches!(cur, Expr::Add(..)) { "+" } else { "-" }, &**r));
                        cur = l;
                    }
                    // (m·10^k, m/10^k and (0−1)·a are how a number and a negation are written:
                    // kept whole, so that they and their written forms print alike anywhere)
                    Expr::Mul(l, r) | Expr::Div(l, r) if multiplicative && !number_form(l, r) => {
                        spine.push((if matches!(cur, Expr::Mul(..)) { "*" } else { "/" }, &**r));
                        cur = l;
                    }
                    _ => break,
                }
            }
            cur.write_canonical(s);
            for (o, r) in spine.into_iter().rev() {
                s.push_str(o);
                r.write_canonical(s);
            }
        }
    }

    /// Evaluate by walking the tree (reference implementation for tests; the tape is the fast path).
    pub fn eval_tree(&self, w: [f64; 2]) -> f64 {
        self.eval_at(&w)
    }

    /// Evaluate at a point of any dimension (variable i reads w[i]; the d-parameter formulas).
    pub fn eval_at(&self, w: &[f64]) -> f64 {
        match self {
            Expr::Num(v) => *v,
            Expr::Var(i) => w[*i],
            Expr::Neg(a) => -a.eval_at(w),
            Expr::Add(a, b) => a.eval_at(w) + b.eval_at(w),
            Expr::Sub(a, b) => a.eval_at(w) - b.eval_at(w),
            Expr::Mul(a, b) => a.eval_at(w) * b.eval_at(w),
            Expr::Div(a, b) => a.eval_at(w) / b.eval_at(w),
            Expr::Pow(a, b) => pow(a.eval_at(w), b.eval_at(w)),
            Expr::F1(f, a) => f.apply(a.eval_at(w)),
            Expr::F2(f, a, b) => f.apply(a.eval_at(w), b.eval_at(w)),
        }
    }
}

/// Integer power by repeated squaring, inlined: `f64::powi` calls libgcc's `__powidf2`, which
/// cost 6% of the whole volume curve in a profile.
#[inline(always)]
pub fn ipow(x: f64, k: i32) -> f64 {
    match k {
        0 => 1.0,
        1 => x,
        2 => x * x,
        3 => x * x * x,
        4 => {
            let x2 = x * x;
            x2 * x2
        }
        _ => {
            let mut n = k.unsigned_abs();
            let mut base = x;
            let mut acc = 1.0;
            while n > 0 {
                if n & 1 == 1 {
                    acc *= base;
                }
                base *= base;
                n >>= 1;
            }
            if k < 0 { 1.0 / acc } else { acc }
        }
    }
}

/// a^b as the tree and the tape compute it: integer exponents up to 64 by multiplication (`ipow`),
/// the rest by `powf`.
pub fn pow(a: f64, b: f64) -> f64 {
    if b.fract() == 0.0 && b.abs() <= 64.0 { ipow(a, b as i32) } else { a.powf(b) }
}

/// Shortest text that reads back to the same f64, in a form every parser reads (no exponent sign
/// after 'e', which some tokenisers split): 1e-5 becomes (1/100000) style is avoided by using a
/// plain decimal mantissa and a power of ten.
fn fmt_number(v: f64) -> String {
    // (a constant is finite when parsed; this keeps any other in a form that parses back)
    if !v.is_finite() {
        return if v.is_nan() {
            "(0/0)".into()
        } else if v > 0.0 {
            "(1/0)".into()
        } else {
            "(0-(1/0))".into()
        };
    }
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    // Rust's shortest round-trip decimal (no exponent: exmex reads no "e") where it is short;
    // m·10^e only where that product gives back v exactly (found by the fuzzer: 200.01 written as
    // 2.0001*10^2 is 200.01000000000002), else the long decimal, which is always exact.
    let plain = format!("{v}");
    if plain.len() <= 32 {
        return plain;
    }
    let s = format!("{v:e}"); // e.g. "4.5e11", "1e-300"
    if let Some((m, e)) = s.split_once('e')
        && let (Ok(mv), Ok(e)) = (m.parse::<f64>(), e.parse::<i32>())
    {
        // the value the tape's constant folding gives the text (its own power, not `powi`), and the
        // mantissa in its shortest form: found by the fuzzer, "{v:e}" wrote 5.5555555111115556 for
        // a mantissa whose shortest form is 5.555555511111556, so the form was not a fixed point
        let p = Expr::Pow(Box::new(Expr::Num(10.0)), Box::new(Expr::Num(e.abs() as f64)));
        let num = || Box::new(Expr::Num(mv));
        let back =
            if e > 0 { Expr::Mul(num(), Box::new(p)) } else { Expr::Div(num(), Box::new(p)) }.eval_tree([0.0, 0.0]);
        if back.to_bits() == v.to_bits() {
            return if e > 0 { format!("({mv}*(10^{e}))") } else { format!("({mv}/(10^{}))", -e) };
        }
    }
    plain
}

// ---------------------------------------------------------------------------------------------
// Lexer

fn is_superscript(c: char) -> bool {
    matches!(c, '⁰' | '¹' | '²' | '³' | '⁴' | '⁵' | '⁶' | '⁷' | '⁸' | '⁹' | '⁻' | '⁺')
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Op(char), // + - * / ^ ( ) ,
    End,
}

struct Lexer {
    toks: Vec<(Tok, usize)>, // token, 1-based char position
}

fn lex(src: &str) -> Result<Lexer, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            // exponent: e/E followed by optional sign and digits (only if digits follow)
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                }
            }
            let text: String = chars[start..i].iter().collect();
            let v: f64 = text.parse().map_err(|_| ParseError::BadNumber { pos, text: text.clone() })?;
            // 1e400 reads as ∞, which no formula can hold as a constant (found by the fuzzer: its
            // canonical form "inf" did not parse)
            if !v.is_finite() {
                return Err(ParseError::NumberTooLarge { pos, text });
            }
            toks.push((Tok::Num(v), pos));
            // "2x": a number directly followed by a letter is an implicit product we do not guess.
            if i < chars.len() && (chars[i].is_alphabetic() || chars[i] == '(') {
                return Err(ParseError::UnexpectedChar {
                    pos: i + 1,
                    ch: chars[i],
                    hint: "write the product with *, e.g. 2*x",
                });
            }
            continue;
        }
        if is_superscript(c) {
            return Err(ParseError::UnexpectedChar { pos, ch: c, hint: "write powers with ^, e.g. x^2" });
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') && !is_superscript(chars[i]) {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            toks.push((Tok::Ident(text), pos));
            continue;
        }
        match c {
            '*' if i + 1 < chars.len() && chars[i + 1] == '*' => {
                toks.push((Tok::Op('^'), pos)); // Python's ** is a power
                i += 2;
                continue;
            }
            '+' | '-' | '*' | '/' | '^' | '(' | ')' | ',' => toks.push((Tok::Op(c), pos)),
            '−' => toks.push((Tok::Op('-'), pos)), // U+2212 minus sign, as pasted from slides
            '·' | '×' => toks.push((Tok::Op('*'), pos)),
            '[' | '{' => toks.push((Tok::Op('('), pos)),
            ']' | '}' => toks.push((Tok::Op(')'), pos)),
            _ => {
                return Err(ParseError::UnexpectedChar { pos, ch: c, hint: "" });
            }
        }
        i += 1;
    }
    toks.push((Tok::End, chars.len() + 1));
    Ok(Lexer { toks })
}

// ---------------------------------------------------------------------------------------------
// Parser (precedence climbing). Grammar:
//   expr  := term (('+'|'-') term)*
//   term  := unary (('*'|'/') unary)*
//   unary := ('-'|'+') unary | power          so -x^2 = -(x^2)
//   power := atom ('^' unary)?                right-associative; x^-2 and 2^-x work
//   atom  := number | const | var | func '(' args ')' | '(' expr ')'

struct Parser {
    toks: Vec<(Tok, usize)>,
    i: usize,
    depth: usize,
    max_depth: usize,
    /// x1 … x8 (d-parameter formulas) instead of x, y.
    indexed: bool,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.i].0
    }
    fn pos(&self) -> usize {
        self.toks[self.i].1
    }
    fn bump(&mut self) -> (Tok, usize) {
        let t = self.toks[self.i].clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        t
    }
    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > self.max_depth { Err(ParseError::TooDeep) } else { Ok(()) }
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.enter()?;
        let mut lhs = self.term()?;
        loop {
            match self.peek() {
                Tok::Op('+') => {
                    self.bump();
                    lhs = Expr::Add(Box::new(lhs), Box::new(self.term()?));
                }
                Tok::Op('-') => {
                    self.bump();
                    lhs = Expr::Sub(Box::new(lhs), Box::new(self.term()?));
                }
                _ => break,
            }
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn term(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = self.unary()?;
        loop {
            match self.peek() {
                Tok::Op('*') => {
                    self.bump();
                    lhs = Expr::Mul(Box::new(lhs), Box::new(self.unary()?));
                }
                Tok::Op('/') => {
                    self.bump();
                    lhs = Expr::Div(Box::new(lhs), Box::new(self.unary()?));
                }
                _ => break,
            }
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        self.enter()?;
        let r = match self.peek() {
            Tok::Op('-') => {
                self.bump();
                Expr::Neg(Box::new(self.unary()?))
            }
            Tok::Op('+') => {
                self.bump();
                self.unary()?
            }
            _ => self.power()?,
        };
        self.depth -= 1;
        Ok(r)
    }

    fn power(&mut self) -> Result<Expr, ParseError> {
        let base = self.atom()?;
        if let Tok::Op('^') = self.peek() {
            self.bump();
            let exp = self.unary()?;
            return Ok(Expr::Pow(Box::new(base), Box::new(exp)));
        }
        Ok(base)
    }

    fn found(&self) -> String {
        match self.peek() {
            Tok::Num(v) => format!("the number {v}"),
            Tok::Ident(s) => format!("'{s}'"),
            Tok::Op(c) => format!("'{c}'"),
            Tok::End => "the end of the formula".to_string(),
        }
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        let pos = self.pos();
        match self.peek().clone() {
            Tok::Num(v) => {
                self.bump();
                Ok(Expr::Num(v))
            }
            Tok::Op('(') => {
                self.bump();
                let e = self.expr()?;
                match self.peek() {
                    Tok::Op(')') => {
                        self.bump();
                        Ok(e)
                    }
                    Tok::End => Err(ParseError::UnclosedParen { pos }),
                    _ => Err(ParseError::Expected { pos: self.pos(), what: "')' or an operator", found: self.found() }),
                }
            }
            Tok::Ident(name) => {
                self.bump();
                let lower = name.as_str();
                if let Tok::Op('(') = self.peek() {
                    let open = self.pos();
                    self.bump();
                    let mut args = vec![self.expr()?];
                    while let Tok::Op(',') = self.peek() {
                        self.bump();
                        args.push(self.expr()?);
                    }
                    match self.peek() {
                        Tok::Op(')') => {
                            self.bump();
                        }
                        Tok::End => return Err(ParseError::UnclosedParen { pos: open }),
                        _ => {
                            return Err(ParseError::Expected {
                                pos: self.pos(),
                                what: "')' or ','",
                                found: self.found(),
                            });
                        }
                    }
                    if let Some((_, f)) = FUNC1.iter().find(|(n, _)| *n == lower) {
                        if args.len() != 1 {
                            return Err(ParseError::WrongArity { pos, name, expected: 1, found: args.len() });
                        }
                        return Ok(Expr::F1(*f, Box::new(args.remove(0))));
                    }
                    if let Some((_, f)) = FUNC2.iter().find(|(n, _)| *n == lower) {
                        if args.len() != 2 {
                            return Err(ParseError::WrongArity { pos, name, expected: 2, found: args.len() });
                        }
                        let b = args.remove(1);
                        let a = args.remove(0);
                        return Ok(Expr::F2(*f, Box::new(a), Box::new(b)));
                    }
                    if self.variable(lower).is_some() {
                        return Err(ParseError::UnexpectedChar {
                            pos: open,
                            ch: '(',
                            hint: "write the product with *, e.g. x*(y+1)",
                        });
                    }
                    return Err(ParseError::UnknownFunction { pos, name });
                }
                if let Some(v) = self.variable(lower) {
                    return Ok(Expr::Var(v));
                }
                if let Some(c) = constant(lower) {
                    return Ok(Expr::Num(c));
                }
                if FUNC1.iter().any(|(n, _)| *n == lower) || FUNC2.iter().any(|(n, _)| *n == lower) {
                    return Err(ParseError::Expected {
                        pos: self.pos(),
                        what: "'(' after the function name",
                        found: self.found(),
                    });
                }
                if self.indexed {
                    return Err(ParseError::UnknownIndexedVariable { pos, name });
                }
                Err(ParseError::UnknownVariable { pos, name })
            }
            _ => Err(ParseError::Expected { pos, what: "a number, a variable or '('", found: self.found() }),
        }
    }
}

impl Parser {
    fn variable(&self, name: &str) -> Option<usize> {
        if self.indexed { indexed_variable(name) } else { variable(name) }
    }
}

/// x1 … x8 (also w1 … w8) → 0 … 7.
fn indexed_variable(name: &str) -> Option<usize> {
    let digits = name.strip_prefix('x').or_else(|| name.strip_prefix('w'))?;
    match digits.parse::<usize>() {
        Ok(k) if (1..=MAX_INDEXED_VARS).contains(&k) && !digits.starts_with('0') => Some(k - 1),
        _ => None,
    }
}

fn variable(name: &str) -> Option<usize> {
    match name {
        "x" | "w" | "w1" => Some(0),
        "y" | "w2" => Some(1),
        _ => None,
    }
}

fn constant(name: &str) -> Option<f64> {
    match name {
        "pi" | "PI" | "π" => Some(std::f64::consts::PI),
        "e" | "E" => Some(std::f64::consts::E),
        "tau" | "TAU" | "τ" => Some(std::f64::consts::TAU),
        _ => None,
    }
}

/// Parse a formula into a tree.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    parse_within(src, MAX_DEPTH, MAX_FORMULA_CHARS)
}

/// Parse a canonical form (`Expr::canonical`): the same grammar, with the depth its parentheses
/// need and the length it needs (found by the fuzzer: −a is 9 characters written canonically, so
/// a typed formula of 20,000 characters can be ~180,000 written out).
pub fn parse_canonical(src: &str) -> Result<Expr, ParseError> {
    parse_within(src, CANONICAL_DEPTH, 10 * MAX_FORMULA_CHARS)
}

/// Parse a formula in x1 … x8 (a d-parameter loss for `llc`/`sgd`); returns the tree and d, the
/// highest index used (x1 + x3 has d = 3: x2 is a flat direction of the box).
pub fn parse_indexed(src: &str) -> Result<(Expr, usize), ParseError> {
    let e = parse_within_vars(src, MAX_DEPTH, MAX_FORMULA_CHARS, true)?;
    let mut d = 0;
    e.visit(&mut |n| {
        if let Expr::Var(i) = n {
            d = d.max(i + 1);
        }
    });
    Ok((e, d))
}

fn parse_within(src: &str, max_depth: usize, max_chars: usize) -> Result<Expr, ParseError> {
    parse_within_vars(src, max_depth, max_chars, false)
}

fn parse_within_vars(src: &str, max_depth: usize, max_chars: usize, indexed: bool) -> Result<Expr, ParseError> {
    let n = src.chars().count();
    if n > max_chars {
        return Err(ParseError::TooLong { chars: n });
    }
    if src.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let lx = lex(src)?;
    let mut p = Parser { toks: lx.toks, i: 0, depth: 0, max_depth, indexed };
    let e = p.expr()?;
    if *p.peek() != Tok::End {
        let what = if matches!(p.peek(), Tok::Op(')')) {
            "an operator (this ')' has no matching '(')"
        } else {
            "an operator such as + - * / ^"
        };
        return Err(ParseError::Expected { pos: p.pos(), what, found: p.found() });
    }
    Ok(e)
}

/// A parsed, compiled formula with the dimension it implies.
#[derive(Debug, Clone)]
pub struct Formula {
    pub source: String,
    pub expr: Expr,
    pub tape: Tape,
    /// 1 if only x (or nothing) is used, 2 if y is used.
    pub inferred_dim: usize,
}

impl Formula {
    pub fn parse(src: &str) -> Result<Formula, ParseError> {
        Formula::of(src, parse(src)?)
    }

    /// A formula from a canonical form (`Expr::canonical`), which may nest deeper than typed text.
    pub fn parse_canonical(src: &str) -> Result<Formula, ParseError> {
        Formula::of(src, parse_canonical(src)?)
    }

    fn of(src: &str, expr: Expr) -> Result<Formula, ParseError> {
        let tape = Tape::compile(&expr)?;
        let used = expr.vars_used();
        let inferred_dim = if used[1] { 2 } else { 1 };
        let f = Formula { source: src.to_string(), expr, tape, inferred_dim };
        f.exmex_check()?;
        Ok(f)
    }

    /// Parse the canonical form with exmex, the parser of record; a formula exmex cannot read is
    /// refused (it would also have no symbolic derivatives for the Hessian).
    pub fn exmex_check(&self) -> Result<(), ParseError> {
        self.exmex().map(|_| ())
    }

    pub fn exmex(&self) -> Result<exmex::FlatEx<f64>, ParseError> {
        exmex::parse::<f64>(&self.expr.canonical()).map_err(|e| ParseError::Exmex(e.msg().to_string()))
    }

    #[inline]
    pub fn eval(&self, x: f64, y: f64) -> f64 {
        self.tape.eval(x, y)
    }
}

/// A formula as a lecture writes it: integer powers as superscripts (x^2*y^2 → x²y²), the product
/// sign dropped between factors (2*x → 2x) or a centred dot where a number meets a bracket or a
/// function (4.5e11*(x-1)^2 → 4.5e11·(x−1)²), minus signs as −. Display only: the typed formula is
/// what is parsed. (Only the digits ⁰–⁹ are superscripted: the window's font has no ⁻ or ⁽.)
pub fn pretty(formula: &str) -> String {
    const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let c: Vec<char> = formula.chars().collect();
    let mut out = String::with_capacity(formula.len() + 8);
    // the kind of the last thing written: a number (with an exponent 'e'?), a name, a power, a bracket
    #[derive(PartialEq, Clone, Copy)]
    enum Last {
        None,
        Plain,
        SciNumber,
        Name,
        Power,
        Close,
        Op,
    }
    let mut last = Last::None;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        match ch {
            '^' => {
                // ^digits or ^(digits): superscript; anything else stays as typed
                let (start, close) = if c.get(i + 1) == Some(&'(') { (i + 2, true) } else { (i + 1, false) };
                let mut j = start;
                while j < c.len() && c[j].is_ascii_digit() {
                    j += 1;
                }
                let ok = j > start && (!close || c.get(j) == Some(&')'));
                if ok {
                    for d in &c[start..j] {
                        out.push(SUP[d.to_digit(10).unwrap_or(0) as usize]);
                    }
                    i = if close { j + 1 } else { j };
                    last = Last::Power;
                    continue;
                }
                out.push('^');
                last = Last::Op;
            }
            '*' => {
                // drop it between factors, a centred dot where that would misread
                let mut k = i + 1;
                while k < c.len() && c[k] == ' ' {
                    k += 1;
                }
                let next = c.get(k).copied().unwrap_or(' ');
                let next_var = (next == 'x' || next == 'y' || next == 'w')
                    && !c.get(k + 1).is_some_and(|n| n.is_ascii_alphanumeric() || *n == '(');
                let juxtapose = match last {
                    Last::Plain => next_var,
                    Last::Power | Last::Name | Last::Close => next_var || next == '(',
                    _ => false,
                };
                if !juxtapose {
                    out.push('·');
                }
                i = k;
                last = Last::Op;
                continue;
            }
            '-' => {
                // the exponent of a number (1e-3) keeps its hyphen
                let sci = i > 0 && (c[i - 1] == 'e' || c[i - 1] == 'E') && i > 1 && c[i - 2].is_ascii_digit();
                out.push(if sci { '-' } else { '−' });
                last = if sci { Last::SciNumber } else { Last::Op };
            }
            d if d.is_ascii_digit() || d == '.' => {
                out.push(d);
                if last != Last::SciNumber {
                    last = Last::Plain;
                }
            }
            'e' | 'E' if last == Last::Plain || last == Last::SciNumber => {
                out.push(ch);
                last = Last::SciNumber;
            }
            ')' => {
                out.push(ch);
                last = Last::Close;
            }
            a if a.is_alphanumeric() || a == '_' => {
                out.push(a);
                last = Last::Name;
            }
            ' ' => out.push(' '),
            other => {
                out.push(other);
                last = Last::Op;
            }
        }
        i += 1;
    }
    out
}

/// Text for a message, with every invisible or control character shown as U+XXXX (a formula
/// pasted from a PDF can carry U+200F or U+00A0 that the user cannot see).
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let invisible = c.is_control()
            || matches!(c as u32, 0x00A0 | 0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180E
                | 0x2000..=0x200F | 0x2028..=0x202F | 0x205F..=0x206F | 0x3000 | 0x3164 | 0xFE00..=0xFE0F
                | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB | 0xE0000..=0xE0FFF);
        if invisible && c != ' ' {
            out.push_str(&format!("U+{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// 'c', or U+200F (invisible) for a character the user cannot see.
fn show_char(c: char) -> String {
    let v = visible(&c.to_string());
    if v.starts_with("U+") { format!("{v} (invisible)") } else { format!("'{c}'") }
}
