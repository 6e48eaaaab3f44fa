//! The guided tour: the dialogue's story in steps, each setting the preset, n, ε and the panel.

/// One step: title, text, preset, n, ε, right-column tab (0 volume, 1 phase, 2 theory).
pub struct Step {
    pub title: &'static str,
    pub text: &'static str,
    pub preset: &'static str,
    pub n: f64,
    pub eps: f64,
    pub tab: usize,
}

pub const STEPS: [Step; 6] = [
    Step {
        title: "1. The parabola",
        text: "Near a regular minimum K = x², the set where K < ε is an interval of width 2√ε. Its prior volume grows like ε^(1/2): on the log–log plot a line of slope 1/2, the learning coefficient λ = d/2 with d = 1.",
        preset: "parabola",
        n: 1e3,
        eps: 1e-2,
        tab: 0,
    },
    Step {
        title: "2. The paraboloid",
        text: "In two dimensions the sublevel set of x² + y² is a disc of area πε: V grows like ε^1, λ = d/2 = 1. Every regular model with d parameters has λ = d/2 — the assumption behind BIC's (d/2)·log n.",
        preset: "paraboloid",
        n: 1e3,
        eps: 1e-2,
        tab: 0,
    },
    Step {
        title: "3. The singular cross",
        text: "K = x²y² is minimal on the whole cross x = 0 or y = 0. Its sublevel set is a thick plus sign with far more volume near the bottom: V ≈ √ε·(1 + ½ log 1/ε), λ = 1/2 < d/2 = 1, with a logarithm (m = 2). Watch the naive slope miss and the local slope creep up to 1/2.",
        preset: "cross",
        n: 1e4,
        eps: 1e-4,
        tab: 0,
    },
    Step {
        title: "4. A line of minima",
        text: "For (x − y)² only x − y matters: a whole line of equally good parameters. One effective parameter, so λ = 1/2, not 1. The theory tab shows why the Newton polygon alone cannot tell (a degenerate face): its 1 is only an upper bound.",
        preset: "diagonal",
        n: 1e4,
        eps: 1e-4,
        tab: 2,
    },
    Step {
        title: "5. The posterior jumps",
        text: "A wide shallow basin at x = −1 and a hairline deeper one at x = 1. At n = 10,000 the wide basin holds 2/3 of the posterior; at 11,000 the narrow one does. The free energy n·K* + λ·log n decides: depth against learning coefficient. Press Play n, or the 10,000 / 10,500 / 11,000 button.",
        preset: "dialogue",
        n: 1e4,
        eps: 1e-3,
        tab: 1,
    },
    Step {
        title: "6. Singular versus regular in two dimensions",
        text: "A flat singular basin (λ = 1/2) 0.01 higher than a regular one (λ = 1): the singular basin holds the posterior until n ≈ 340, then the deeper regular one takes it. BIC's d/2 is wrong for the singular basin; the exact free energy follows λ.",
        preset: "phase2d",
        n: 300.0,
        eps: 1e-3,
        tab: 1,
    },
];
