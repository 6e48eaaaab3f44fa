#![cfg(feature = "gui")]
//! The app driven as a user would (egui_kittest): find widgets by role and label, type, move
//! sliders, choose presets, zoom; and snapshots of the panels for a 1-D and a 2-D preset.
//! The worker thread is real: each test waits for it to finish.

use std::time::Duration;

use eframe::Storage as _;
use eframe::egui;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use lambdascope::core::landscape::LandscapeSpec;
use lambdascope::start::{Panel, StartOptions, Tab};
use lambdascope::ui::LambdaApp;
use lambdascope::ui::action::Action;
use lambdascope::ui::settings::{ColourMap, Settings, ShotTarget};

fn harness(start: StartOptions) -> Harness<'static, LambdaApp> {
    harness_of(LambdaApp::new(&egui::Context::default(), start))
}

fn harness_of(app: LambdaApp) -> Harness<'static, LambdaApp> {
    Harness::builder().with_size(egui::vec2(1400.0, 900.0)).build_ui_state(|ui, app: &mut LambdaApp| app.show(ui), app)
}

/// Step until the worker is idle for several frames in a row (a finished analysis can trigger a
/// resample of the view, which is waited for too).
fn settle(h: &mut Harness<'static, LambdaApp>) {
    let mut idle = 0;
    for _ in 0..2000 {
        h.step();
        if h.state().busy() {
            idle = 0;
            std::thread::sleep(Duration::from_millis(5));
        } else {
            idle += 1;
            if idle >= 4 {
                return;
            }
        }
    }
    panic!("the app did not settle");
}

fn lambda(h: &Harness<'static, LambdaApp>) -> f64 {
    h.state().readouts().expect("λ readout").lambda.lambda
}

fn replace_formula(h: &mut Harness<'static, LambdaApp>, text: &str) {
    let edit = h.get_by_role_and_label(Role::TextInput, "Formula K =");
    edit.focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.key_press(egui::Key::Backspace);
    h.step();
    if !text.is_empty() {
        h.get_by_role_and_label(Role::TextInput, "Formula K =").type_text(text);
        h.step();
    }
}

#[test]
fn opens_on_the_cross_with_every_panel_filled() {
    let mut h = harness(StartOptions::default());
    settle(&mut h);
    let app = h.state();
    let a = app.pipeline.analysis().expect("an analysis on the first screen");
    assert_eq!(a.spec.preset.as_deref(), Some("cross"));
    assert!((lambda(&h) - 0.5).abs() < 0.01);
    assert!(app.pipeline.grid().is_some());
    assert!(app.readouts().expect("readouts").mass_inside.is_some());
    h.get_by_label("Landscape and sublevel set");
    h.get_by_label("Posterior");
    assert!(h.get_all_by_label("Volume law").count() >= 2); // the tab and the panel's title
}

#[test]
fn typing_a_formula_updates_the_readouts_and_a_typo_keeps_the_last_landscape() {
    let mut h = harness(StartOptions::default());
    settle(&mut h);
    replace_formula(&mut h, "x^2*y^4");
    settle(&mut h);
    assert_eq!(h.state().settings.formula, "x^2*y^4");
    assert!((lambda(&h) - 0.25).abs() < 0.01, "λ̂ = {}", lambda(&h));
    assert!(h.state().pipeline.status().error.is_none());
    let version = h.state().pipeline.analysis().unwrap().version;

    replace_formula(&mut h, "x^^2");
    settle(&mut h);
    let err = h.state().pipeline.status().error.expect("an error under the formula box");
    assert!(err.contains("position 3"), "{err}");
    h.get_by_label(&err); // shown on screen
    // the last valid landscape stays
    assert_eq!(h.state().pipeline.analysis().unwrap().version, version);
    assert!((lambda(&h) - 0.25).abs() < 0.01);
    assert_eq!(h.state().settings.formula, "x^^2", "what the user typed is kept");

    // a formula that parses but has no minimum on the box: message, nothing lost
    replace_formula(&mut h, "log(x)");
    settle(&mut h);
    let err = h.state().pipeline.status().error.expect("error");
    assert!(err.contains("no minimum"), "{err}");
    assert_eq!(h.state().pipeline.analysis().unwrap().version, version);
}

#[test]
fn sliders_move_n_and_eps_and_the_readouts_follow() {
    let mut h = harness(StartOptions::default());
    settle(&mut h);
    let before = h.state().readouts().cloned().expect("readouts");
    h.get_by_role_and_label(Role::Slider, "n (samples)").set_value_accesskit(1e6);
    h.step();
    h.step();
    assert_eq!(h.state().settings.n, 1e6);
    let after = h.state().readouts().cloned().expect("readouts");
    assert_ne!(before.mass_inside.map(|m| m.value), after.mass_inside.map(|m| m.value));
    h.get_by_role_and_label(Role::Slider, "ε (threshold)").set_value_accesskit(1e-8);
    h.step();
    h.step();
    assert!((h.state().settings.eps - 1e-8).abs() < 1e-20);
    let v = h.state().readouts().expect("V(ε)").v_eps.value;
    // V(1e-8) of the cross, from the closed form √ε(1 + ½ ln(1/ε))
    let exact = 1e-4 * (1.0 + 0.5 * (1e8f64).ln());
    assert!((v - exact).abs() / exact < 1e-3, "{v} vs {exact}");
    // both ends of the ranges
    h.get_by_role_and_label(Role::Slider, "n (samples)").set_value_accesskit(1e12);
    h.step();
    h.get_by_role_and_label(Role::Slider, "ε (threshold)").set_value_accesskit(1e-12);
    h.step();
    h.get_by_role_and_label(Role::Slider, "n (samples)").set_value_accesskit(1.0);
    h.step();
    assert!(h.state().readouts().expect("readouts").mass_inside.is_some());
}

#[test]
fn choosing_a_preset() {
    let mut h = harness(StartOptions::default());
    settle(&mut h);
    h.get_by_role_and_label(Role::ComboBox, "Preset").click();
    h.run_steps(3);
    h.get_by_label("paraboloid x² + y²").click();
    h.step();
    settle(&mut h);
    assert_eq!(h.state().pipeline.analysis().unwrap().spec.preset.as_deref(), Some("paraboloid"));
    assert!((lambda(&h) - 1.0).abs() < 0.01);
    assert_eq!(h.state().settings.formula, "x^2 + y^2");
}

#[test]
fn zooming_resamples_the_visible_rectangle() {
    let mut h = harness(StartOptions::default());
    settle(&mut h);
    let r = [0.05, 0.15, -0.02, 0.02];
    h.state_mut().panels.landscape.force_bounds = Some(r);
    h.state_mut().panels.posterior.force_bounds = Some(r);
    settle(&mut h);
    let g = h.state().pipeline.grid().cloned().expect("grid");
    // the plot keeps the data aspect 1, so it may show more than asked: the sampled rectangle
    // must be around the requested one, far smaller than the box
    assert!(g.spec.x[1] - g.spec.x[0] < 0.5, "{:?}", g.spec);
    assert!(g.spec.x[0] <= 0.05 + 1e-9 && g.spec.x[1] >= 0.15 - 1e-9, "{:?}", g.spec);
    assert!(g.spec.y[0] <= -0.02 + 1e-9 && g.spec.y[1] >= 0.02 - 1e-9, "{:?}", g.spec);
}

#[test]
fn command_line_start_and_1d_landscape() {
    let mut h = harness(StartOptions {
        spec: Some(LandscapeSpec::preset("quartic")),
        n: Some(1e4),
        eps: Some(1e-6),
        ..Default::default()
    });
    settle(&mut h);
    assert_eq!(h.state().pipeline.analysis().unwrap().dim, 1);
    assert!((lambda(&h) - 0.25).abs() < 0.01);
    assert_eq!(h.state().settings.n, 1e4);
    // the red segment: {x⁴ < 1e-6} = (−0.0316, 0.0316)
    let v = h.state().readouts().unwrap().v_eps.value;
    assert!((v - 1e-6f64.powf(0.25)).abs() < 1e-6, "{v}");
}

fn snapshot_of(id: &str, n: f64, eps: f64) {
    let mut h = harness(StartOptions {
        spec: Some(LandscapeSpec::preset(id)),
        n: Some(n),
        eps: Some(eps),
        ..Default::default()
    });
    settle(&mut h);
    h.snapshot(id);
}

#[test]
fn snapshot_2d_cross() {
    snapshot_of("cross", 1e3, 1e-3);
}

#[test]
fn snapshot_1d_two_basins() {
    snapshot_of("two_basin", 300.0, 0.02);
}

/// Light theme at 1.5× zoom (a projector in a lecture hall): renders, not blank, nothing panics.
/// The image is written to the test temp dir for a person to look at.
#[test]
fn light_theme_at_a_large_font_scale() {
    let ctx = egui::Context::default();
    let mut app = LambdaApp::new(
        &ctx,
        StartOptions { spec: Some(LandscapeSpec::preset("x2y4")), n: Some(1e4), eps: Some(1e-4), ..Default::default() },
    );
    app.settings.dark = Some(false);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .with_pixels_per_point(1.5)
        .build_ui_state(|ui, app: &mut LambdaApp| app.show(ui), app);
    settle(&mut h);
    let img = h.render().expect("render");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("light_1.5x.png");
    img.save(&path).expect("save");
    let mut colours = std::collections::HashSet::new();
    for p in img.pixels().step_by(97) {
        colours.insert(p.0);
    }
    assert!(colours.len() > 50, "{} colours", colours.len());
    // mostly light background
    let bright = img.pixels().filter(|p| p.0[0] > 200 && p.0[1] > 200 && p.0[2] > 200).count();
    assert!(bright * 3 > img.pixels().count(), "light theme expected");
}

#[test]
fn phase_transitions_play_and_three_posteriors() {
    let mut h = harness(StartOptions {
        spec: Some(LandscapeSpec::preset("dialogue")),
        n: Some(1e4),
        eps: None,
        ..Default::default()
    });
    settle(&mut h);
    // the phase panel opens for a phase-transition preset, with the crossover near 10,500
    let phase = h.state().pipeline.phase().cloned().expect("basins computed");
    assert_eq!(phase.basins.basins.len(), 2);
    let nc = phase.crossovers[0].n_c;
    assert!((nc / 10_500.0 - 1.0).abs() < 0.01, "{nc}");
    assert!(h.get_all_by_label("Phase transitions").count() >= 2); // the tab and the panel's title
    // the hairline basin is drawn as an impulse carrying its mass
    let d = h.state().panels.posterior.data.clone().expect("view data");
    let c = d.curve.clone().expect("the 1-D picture");
    assert_eq!(c.spikes.len(), 1, "{:?}", c.spikes);
    let lambdascope::core::picture::Spike { x, mass, basin: i, height } = c.spikes[0];
    assert_eq!((x, i), (1.0, 1));
    assert!((mass - 0.32).abs() < 0.01, "{mass}");
    // drawn true to mass: the spike against the wide basin's bump, as their masses
    let wide = d.basin_mass[0];
    assert!((height / c.peak(0) - mass / wide).abs() < 1e-6 * height / c.peak(0));
    // play advances n
    let n0 = h.state().settings.n;
    h.get_by_label("Play n").click();
    for _ in 0..10 {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(h.state().settings.n > n0, "{} !> {n0}", h.state().settings.n);
    h.get_by_label("Pause").click();
    h.step();
    assert!(!h.state().playing);
    // the 10,000 / 10,500 / 11,000 button shows three posteriors with the basin masses
    h.get_by_label("n = 10,000 / 10,500 / 11,000").click();
    h.run_steps(3);
    h.get_by_label("Posterior at three n");
    h.get_by_label("n = 10000");
    h.get_by_label("n = 10500");
    h.get_by_label("n = 11000");
    h.get_by_label_contains("basin 1: 0.676"); // the narrow basin holds over 2/3 at 11,000
}

#[test]
fn theory_tab_shows_the_verdict() {
    let mut h = harness(StartOptions {
        spec: Some(LandscapeSpec::formula("(x^2 - y^3)^2")),
        n: Some(1e4),
        eps: None,
        ..Default::default()
    });
    settle(&mut h);
    h.get_by_label("Theory").click();
    h.run_steps(2);
    h.get_by_label_contains("exact: λ = 0.4167, m = 1 (newton-adapted)");
    h.get_by_label_contains("the coordinates are adapted");
    // a degenerate case says "upper bound", never a wrong exact value
    replace_formula(&mut h, "(x - y)^2");
    settle(&mut h);
    h.get_by_label_contains("upper bound: λ ≤ 1.0000");
    let img = h.render().expect("render");
    img.save(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("theory.png")).expect("save");
}

/// A battery of hostile formulas typed into the box: each time the app keeps drawing, shows a
/// message (or a result) and keeps the last good landscape; nothing panics.
#[test]
fn hostile_formulas_in_the_formula_box() {
    let mut h = harness(StartOptions::default());
    settle(&mut h);
    let mut good = h.state().pipeline.analysis().unwrap().version;
    let long = "x+".repeat(5_000) + "x";
    for f in [
        "",
        "   ",
        long.as_str(),
        "1/0",
        "log(-1)",
        "x^1e308",
        "0^0",
        "λ·x²",
        "x^^2",
        "sin(",
        "(((((((",
        "∞",
        "NaN",
        "x/0",
    ] {
        replace_formula(&mut h, f);
        settle(&mut h);
        let s = h.state();
        let a = s.pipeline.analysis().expect("a landscape stays on screen");
        match &s.pipeline.status().error {
            Some(e) => {
                assert!(!e.is_empty());
                assert_eq!(a.version, good, "{f:?}: an error must keep the last good landscape");
            }
            None => {
                // a result: the landscape on screen is the one typed, and the readouts drawn are its own
                assert_eq!(a.spec.formula, f, "{f:?}: the analysis on screen is of another formula");
                let d = s.panels.landscape.data.as_ref().expect("view data");
                assert_eq!(d.analysis.version, a.version, "{f:?}: the readouts are of an older analysis");
                let r = s.readouts().expect("readouts");
                assert_eq!(r.lambda.lambda, a.estimate.fit.best.lambda, "{f:?}: λ̂ of another analysis");
                good = a.version; // a valid landscape becomes the last good one
            }
        }
        assert_eq!(s.settings.formula, f, "what the user typed is kept");
    }
    // and the app still works afterwards
    replace_formula(&mut h, "x^2 + y^2");
    settle(&mut h);
    assert!((lambda(&h) - 1.0).abs() < 0.01);
}

#[test]
fn keyboard_shortcuts() {
    let mut h = harness(StartOptions::default());
    settle(&mut h);
    let n0 = h.state().settings.n;
    let e0 = h.state().settings.eps;
    h.key_press(egui::Key::ArrowRight);
    h.step();
    assert!((h.state().settings.n / n0 - 1.1).abs() < 1e-12);
    h.key_press(egui::Key::ArrowLeft);
    h.step();
    assert!((h.state().settings.n / n0 - 1.0).abs() < 1e-12);
    h.key_press(egui::Key::OpenBracket);
    h.step();
    assert!((h.state().settings.eps / e0 - 10f64.powf(-0.25)).abs() < 1e-12);
    h.key_press(egui::Key::CloseBracket);
    h.step();
    assert!((h.state().settings.eps / e0 - 1.0).abs() < 1e-12);
    h.key_press(egui::Key::Space);
    h.step();
    assert!(h.state().playing);
    h.key_press(egui::Key::Space);
    h.step();
    assert!(!h.state().playing);
    h.key_press(egui::Key::F);
    h.run_steps(2);
    assert!(h.state().settings.presentation);
    h.get_by_label_contains("fitted λ = 0.500 (m = 2)"); // big readouts
    h.key_press(egui::Key::Num2);
    h.run_steps(2);
    assert_eq!(h.state().settings.big_panel, Panel::Posterior);
    h.key_press(egui::Key::Num5);
    h.run_steps(2);
    assert_eq!(h.state().settings.big_panel, Panel::Theory);
    h.get_by_label_contains("exact: λ = 0.5000, m = 2"); // the theory panel, large
    h.key_press(egui::Key::F);
    h.run_steps(2);
    assert!(!h.state().settings.presentation);
    h.event(egui::Event::Text("?".into()));
    h.run_steps(2);
    assert!(h.state().show_help);
    h.get_by_label("Keyboard shortcuts");
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(!h.state().show_help);
    // inactive while a text field has focus: arrows move the cursor, not n
    let n1 = h.state().settings.n;
    h.get_by_role_and_label(Role::TextInput, "Formula K =").focus();
    h.step();
    h.key_press(egui::Key::ArrowRight);
    h.key_press(egui::Key::F);
    h.run_steps(2);
    assert_eq!(h.state().settings.n, n1);
    assert!(!h.state().settings.presentation);
}

#[test]
fn sessions_round_trip_and_corrupt_files() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sessions");
    std::fs::create_dir_all(&dir).unwrap();
    let mut h = harness(StartOptions {
        spec: Some(LandscapeSpec::preset("x2y4")),
        n: Some(12345.0),
        eps: Some(3e-5),
        ..Default::default()
    });
    settle(&mut h);
    h.state_mut().settings.log_posterior = true;
    h.state_mut().settings.colormap = ColourMap::Cividis;
    h.state_mut().settings.font_scale = 1.5;
    let path = dir.join("s.json");
    h.state_mut().save_session_to(&path).unwrap();
    let saved = h.state().session();
    // a fresh app loads it: identical settings, and the landscape is computed again
    let mut h2 = harness(StartOptions::default());
    settle(&mut h2);
    h2.state_mut().load_session_from(&path).unwrap();
    settle(&mut h2);
    assert_eq!(h2.state().session(), saved);
    assert_eq!(h2.state().pipeline.analysis().unwrap().spec.preset.as_deref(), Some("x2y4"));
    // corrupt, truncated, random and wrong-version files: a message, a valid state, the file untouched
    let good = std::fs::read_to_string(&path).unwrap();
    let cases = [
        good[..good.len() / 2].to_string(),
        "not json at all".to_string(),
        good.replace("\"version\": 1", "\"version\": 99"),
        good.replace("12345", "-3"),
        good.replace("\"grid\": 256", "\"grid\": 7"),
        String::from_utf8_lossy(&[0xff, 0xfe, 0x00, 0x41]).into_owned(),
        "{}".to_string(),
    ];
    for (i, text) in cases.iter().enumerate() {
        let p = dir.join(format!("bad{i}.json"));
        std::fs::write(&p, text).unwrap();
        let before = h2.state().session();
        let err = h2.state_mut().load_session_from(&p).expect_err("a bad file must be refused");
        assert!(!err.is_empty());
        assert_eq!(h2.state().session(), before, "case {i}: the state changed");
        assert_eq!(&std::fs::read_to_string(&p).unwrap(), text, "case {i}: the file was touched");
    }
    // through the UI: the Load button shows the message
    h2.state_mut().settings.session_path = dir.join("bad1.json").display().to_string();
    h2.state_mut().queue(Action::LoadSession);
    h2.run_steps(2);
    let notice = h2.state().notice.clone().expect("a message").0;
    assert!(notice.contains("not valid JSON") && notice.contains("left as it is"), "{notice}");
}

#[test]
fn png_export_through_the_screenshot_path() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("png");
    std::fs::create_dir_all(&dir).unwrap();
    let mut h = harness(StartOptions {
        spec: Some(LandscapeSpec::preset("cross")),
        n: Some(1e3),
        eps: Some(1e-2),
        ..Default::default()
    });
    settle(&mut h);
    h.state_mut().settings.export_dir = dir.display().to_string();
    for target in [ShotTarget::Window, ShotTarget::Landscape] {
        h.state_mut().settings.png_target = target;
        h.key_press(egui::Key::S);
        for _ in 0..6 {
            h.step();
        }
        let path = dir.join(format!("{}.png", lambdascope::ui::export::default_stem(&h.state().settings)));
        let img = image::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_rgba8();
        if target == ShotTarget::Window {
            assert_eq!((img.width(), img.height()), (1400, 900));
        } else {
            // a panel is its figure, at the size and density chosen (960×720 at 2×)
            assert_eq!((img.width(), img.height()), (1920, 1440), "landscape panel");
        }
        let mut colours = std::collections::HashSet::new();
        let mut red = 0;
        for p in img.pixels() {
            colours.insert(p.0);
            if p.0[0] > 150 && p.0[1] < 80 && p.0[2] < 80 {
                red += 1;
            }
        }
        assert!(colours.len() > 100, "{} colours", colours.len());
        assert!(red > 500, "the red sublevel set should be in the figure ({red} pixels)");
        // provenance in the PNG's text chunks
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("formula") && text.contains("x^2*y^2") && text.contains("lambdascope"));
        // and the command line that reopens the view
        assert!(text.contains("command") && text.contains("lambdascope --preset"), "no command line in the PNG");
        let _ = std::fs::remove_file(&path);
    }
}

#[test]
fn guided_tour_steps_set_what_they_promise() {
    let mut h = harness(StartOptions::default());
    settle(&mut h);
    // (the button sits at the bottom of the scrolled side panel)
    h.state_mut().queue(Action::Tour(Some(0)));
    h.run_steps(2);
    for (i, st) in lambdascope::ui::panels::tour::STEPS.iter().enumerate() {
        settle(&mut h);
        let s = h.state();
        assert_eq!(s.tour, Some(i));
        assert_eq!(s.settings.n, st.n);
        assert_eq!(s.settings.eps, st.eps);
        let spec = &s.pipeline.analysis().unwrap().spec;
        if st.model {
            assert_eq!(s.settings.model.as_ref().map(|m| m.info().id), Some(st.preset), "step {i}");
            assert_eq!(spec.model.as_ref().map(|m| m.info().id), Some(st.preset), "step {i}: computed");
        } else {
            assert_eq!(s.settings.preset.as_deref(), Some(st.preset), "step {i}");
            assert_eq!(spec.preset.as_deref(), Some(st.preset), "step {i}: computed");
        }
        if st.tab == Tab::Learn {
            // SGD ran by itself on this step's landscape
            let (v, r) = s.pipeline.learning().sgd.as_ref().expect("SGD ran");
            assert_eq!(*v, s.pipeline.analysis().unwrap().version, "step {i}");
            let r = r.as_ref().unwrap();
            if let Some(p) = st.sgd {
                assert_eq!(r.path[0], p.start);
            }
        }
        h.get_by_label(st.title);
        if i + 1 < lambdascope::ui::panels::tour::STEPS.len() {
            h.get_by_label("Next").click();
            h.run_steps(2);
        }
    }
    h.get_by_label("Back").click();
    h.run_steps(2);
    assert_eq!(h.state().tour, Some(lambdascope::ui::panels::tour::STEPS.len() - 2));
}

/// An empty folder under the test's temporary directory.
fn fresh_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Step until the app says it saved something; the message.
fn wait_saved(h: &mut Harness<'static, LambdaApp>) -> String {
    for _ in 0..3000 {
        h.step();
        if let Some((m, _)) = &h.state().notice
            && m.starts_with("saved")
        {
            return m.clone();
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    String::new()
}

/// Step until `path` exists (a batch figure written).
fn wait_file(h: &mut Harness<'static, LambdaApp>, path: &std::path::Path) {
    for _ in 0..4000 {
        h.step();
        if path.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Decode a GIF: its frames (RGBA) and its comment blocks.
fn decode_gif(path: &std::path::Path) -> (Vec<Vec<u8>>, [u16; 2], String) {
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::RGBA);
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut dec = opts.read_info(file).unwrap();
    let size = [dec.width(), dec.height()];
    let mut frames = Vec::new();
    while let Some(f) = dec.read_next_frame().unwrap() {
        frames.push(f.buffer.to_vec());
    }
    // the comment extensions (0x21 0xFE), their sub-blocks joined
    let bytes = std::fs::read(path).unwrap();
    let mut text = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == 0x21 && bytes[i + 1] == 0xFE {
            let mut j = i + 2;
            while j < bytes.len() && bytes[j] != 0 {
                let len = bytes[j] as usize;
                text.extend_from_slice(&bytes[j + 1..(j + 1 + len).min(bytes.len())]);
                j += 1 + len;
            }
            break;
        }
        i += 1;
    }
    (frames, size, String::from_utf8_lossy(&text).into_owned())
}

#[test]
fn n_sweep_as_one_gif() {
    let dir = fresh_dir("sweep");
    let mut h = harness(StartOptions {
        spec: Some(LandscapeSpec::preset("two_basin")),
        n: Some(300.0),
        eps: Some(0.01),
        ..Default::default()
    });
    settle(&mut h);
    {
        let s = &mut h.state_mut().settings;
        s.export_dir = dir.display().to_string();
        s.png_target = ShotTarget::Posterior;
        s.sweep_frames = 3;
        (s.play_from, s.play_to, s.play_seconds) = (10.0, 1e5, 1.5);
        s.gif_loop = 2;
    }
    h.state_mut().queue(Action::SaveSweep);
    let notice = wait_saved(&mut h);
    assert!(notice.contains("3 frames"), "{notice:?}");
    // n is back where it was
    assert_eq!(h.state().settings.n, 300.0);
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let (frames, size, text) = decode_gif(&files[0]);
    assert_eq!(frames.len(), 3);
    assert!(size[0] > 200 && size[0] < 1000, "the posterior panel alone: {size:?}");
    assert!(frames[0] != frames[1] && frames[1] != frames[2], "the frames differ as n changes");
    assert!(
        text.contains("lambdascope --preset two_basin") && text.contains("Animation: n from 10 to 1e5"),
        "provenance"
    );
    // 500 ms per frame: Play's 1.5 s over 3 frames
    let mut dec = gif::DecodeOptions::new().read_info(std::fs::File::open(&files[0]).unwrap()).unwrap();
    assert_eq!(dec.read_next_frame().unwrap().unwrap().delay, 50);
    assert_eq!(dec.repeat(), gif::Repeat::Finite(2), "plays 3 times");
    // a second sweep does not overwrite the first
    h.state_mut().queue(Action::SaveSweep);
    for _ in 0..3000 {
        h.step();
        if std::fs::read_dir(&dir).unwrap().count() == 2 && !h.state().exports.sweeping() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let mut names: Vec<_> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].ends_with("_sweep-2.gif") && names[1].ends_with("_sweep.gif"), "{names:?}");
}

/// An SGD run saved as one GIF: the path on the landscape drawn step by step (the frames grow),
/// n untouched, the whole path back on screen afterwards.
#[test]
fn sgd_run_as_one_gif() {
    let dir = fresh_dir("sgd_gif");
    let mut h = harness(StartOptions {
        spec: Some(LandscapeSpec::preset("cross")),
        tab: Some(Tab::Learn),
        ..Default::default()
    });
    settle(&mut h);
    for _ in 0..3 {
        h.step();
        settle(&mut h);
    }
    assert!(h.state().pipeline.learning().sgd.is_some(), "SGD ran by itself on the Learning tab");
    {
        let s = &mut h.state_mut().settings;
        s.export_dir = dir.display().to_string();
        s.sweep_frames = 3;
        s.play_seconds = 0.9;
    }
    let n = h.state().settings.n;
    h.state_mut().queue(Action::SaveSgdGif);
    let notice = wait_saved(&mut h);
    assert!(notice.contains("3 frames"), "{notice:?}");
    assert_eq!(h.state().settings.n, n);
    assert_eq!(h.state().settings.learn.replay, None, "the whole path is back");
    let path = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
    assert!(path.display().to_string().ends_with("_sgd.gif"), "{}", path.display());
    let (frames, _, text) = decode_gif(&path);
    assert_eq!(frames.len(), 3);
    assert!(frames[0] != frames[1] && frames[1] != frames[2], "the path grows frame by frame");
    assert!(text.contains("Animation: the SGD run step by step, 3 frames, 300 ms each"), "{text}");
    assert!(text.contains("--animate sgd --frames 3"), "{text}");
}

/// `--preset dialogue --panel posterior --animate n:1e4..1.1e4 --frames 4 --screenshot x.gif`,
/// as the window runs it: one GIF of the asked frames, the asked size and delay, frames that differ.
#[test]
fn animate_from_the_shell_writes_one_gif() {
    use lambdascope::start::{Animation, Batch};
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("animate.gif");
    let _ = std::fs::remove_file(&path);
    let batch = Batch {
        path: path.clone(),
        panel: Some(Panel::Posterior),
        size: Some([480, 360]),
        animate: Some(Animation { from: 1e4, to: 1.1e4, frames: 4, frame_ms: 80, repeat: 0, sgd: false }),
    };
    let mut h = harness(StartOptions {
        spec: Some(LandscapeSpec::preset("dialogue")),
        batch: Some(batch),
        ..Default::default()
    });
    wait_file(&mut h, &path);
    let (frames, size, text) = decode_gif(&path);
    assert_eq!(frames.len(), 4);
    assert_eq!(size, [480, 360]);
    assert!(frames.windows(2).all(|w| w[0] != w[1]), "every frame differs from the one before");
    assert!(text.contains("Animation: n from 10000 to 11000 (log-uniform), 4 frames, 80 ms each"), "{text}");
    // the command that makes it again, with the n the view had before
    assert!(text.contains("--animate n:10000..11000 --frames 4 --frame-ms 80 --screenshot"), "{text}");
    assert!(!text.contains("11000.000"), "{text}");
    let meta = std::fs::metadata(&path).unwrap().len();
    assert!(meta < 10 << 20, "{meta} bytes");
}

/// The texts of an SVG's `<text>` elements, its count of polylines/paths/polygons, and how many
/// pixels of a rendering (resvg) differ from the background.
fn read_svg(text: &str, render_to: Option<&std::path::Path>) -> (Vec<String>, usize, usize) {
    let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("not valid XML: {e}"));
    let texts: Vec<String> =
        doc.descendants().filter(|n| n.has_tag_name("text")).map(|n| n.text().unwrap_or("").to_string()).collect();
    let curves =
        doc.descendants().filter(|n| ["polyline", "path", "polygon"].iter().any(|t| n.has_tag_name(*t))).count();
    let mut opt = resvg::usvg::Options::default();
    // (the system's fonts where there are any: the text is drawn then, else left out)
    if let Ok(data) = std::fs::read("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf") {
        opt.fontdb_mut().load_font_data(data);
    }
    let tree = resvg::usvg::Tree::from_str(text, &opt).expect("usvg reads it");
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    let bg = pixmap.pixels()[0];
    let drawn = pixmap.pixels().iter().filter(|p| **p != bg).count();
    if let Some(out) = render_to {
        // the rendering beside the SVG, to look at
        let img =
            egui::ColorImage::from_rgba_premultiplied([size.width() as usize, size.height() as usize], pixmap.data());
        lambdascope::ui::widgets::png::save_png(out, &img, &[]).unwrap();
    }
    (texts, curves, drawn)
}

/// Every panel as SVG, from the numbers on screen: valid XML, labels as text, curves as paths,
/// the fitted λ in the legend, the red set's label, the provenance; a rendering is not blank.
#[test]
fn every_panel_as_svg() {
    use lambdascope::ui::export::save_svg;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("svg");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (preset, panels, lambda) in [
        (
            "cross",
            &[Panel::Landscape, Panel::Posterior, Panel::Volume, Panel::Phase, Panel::Theory, Panel::Learn][..],
            0.5,
        ),
        ("two_basin", &[Panel::Landscape, Panel::Posterior, Panel::Volume, Panel::Phase][..], f64::NAN),
    ] {
        let mut h = harness(StartOptions {
            spec: Some(LandscapeSpec::preset(preset)),
            n: Some(1e3),
            eps: Some(1e-2),
            tab: Some(Tab::Learn),
            ..Default::default()
        });
        settle(&mut h);
        for _ in 0..3 {
            h.step();
            settle(&mut h);
        }
        for &panel in panels {
            let path = dir.join(format!("{preset}_{}.svg", panel.name()));
            let prov = vec![("command".to_string(), format!("lambdascope --preset {preset}"))];
            let m = save_svg(&path, panel, h.state().view(), false, &prov)
                .unwrap_or_else(|e| panic!("{preset} {panel:?}: {e}"));
            assert!(m.contains("saved"), "{m}");
            let text = std::fs::read_to_string(&path).unwrap();
            let (texts, curves, drawn) = read_svg(&text, Some(&path.with_extension("render.png")));
            let all = texts.join(" | ");
            // (a 2-D posterior is a heatmap: its raster under vector axes)
            let heatmap = preset == "cross" && panel == Panel::Posterior;
            assert!(curves > 0 || heatmap, "{preset} {panel:?}: no curves");
            if heatmap || (preset == "cross" && panel == Panel::Landscape) {
                assert!(text.contains("<image") && text.contains("data:image/png;base64,"), "the heatmap is embedded");
            }
            assert!(drawn > 20_000, "{preset} {panel:?}: the rendering is nearly blank ({drawn} pixels)");
            assert!(text.contains(&format!("lambdascope --preset {preset}")), "provenance");
            let want: &[&str] = match panel {
                Panel::Volume => &["ε", "V(ε)", "s(ε)", "fitted λ = ", "d/2 = "],
                Panel::Landscape => &["x", "red: sublevel set {K − K* < ε}"],
                Panel::Posterior => &["x", "Posterior"],
                Panel::Phase => &["n", "posterior mass", "basin 0", "exact F_n"],
                Panel::Theory => &["exponent of u (x − x*)", "support (exponents)", "t₀ = 2.0000"],
                Panel::Learn => &["step", "loss"],
            };
            for w in want {
                assert!(texts.iter().any(|t| t.contains(w)), "{preset} {panel:?}: no text {w:?} in {all}");
            }
            if panel == Panel::Volume && lambda.is_finite() {
                let fitted = h.state().readouts().unwrap().lambda.lambda;
                assert!((fitted - lambda).abs() < 0.01);
                assert!(all.contains(&format!("fitted λ = {fitted:.4}")), "{all}");
            }
            if panel == Panel::Volume {
                // ticks at decades on both log axes: several labels each
                assert!(texts.iter().filter(|t| t.starts_with("1e-")).count() >= 6, "{all}");
            }
        }
    }
}

/// `--preset cross --panel volume --screenshot fig.svg`, as the window runs it.
#[test]
fn svg_from_the_shell() {
    use lambdascope::start::Batch;
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("shell.svg");
    let _ = std::fs::remove_file(&path);
    let batch = Batch { path: path.clone(), panel: Some(Panel::Volume), size: None, animate: None };
    let mut h =
        harness(StartOptions { spec: Some(LandscapeSpec::preset("cross")), batch: Some(batch), ..Default::default() });
    wait_file(&mut h, &path);
    let text = std::fs::read_to_string(&path).expect("the SVG is written");
    let (texts, _, _) = read_svg(&text, None);
    assert!(texts.iter().any(|t| t.starts_with("fitted λ = 0.5")), "{texts:?}");
    assert!(text.contains("command") && text.contains("lambdascope --preset cross"));
    // `--panel theory --size 1280x720 --screenshot fig.png`: the figure rasterised at that size
    // (not a squeezed screenshot of the presentation layout)
    let png = path.with_extension("png");
    let _ = std::fs::remove_file(&png);
    let batch = Batch { path: png.clone(), panel: Some(Panel::Theory), size: Some([1280, 720]), animate: None };
    let mut h =
        harness(StartOptions { spec: Some(LandscapeSpec::preset("cross")), batch: Some(batch), ..Default::default() });
    wait_file(&mut h, &png);
    let img = image::open(&png).expect("the PNG is written").to_rgba8();
    assert_eq!((img.width(), img.height()), (1280, 720));
    let colours: std::collections::HashSet<_> = img.pixels().map(|p| p.0).collect();
    assert!(colours.len() > 50, "{} colours", colours.len());
}

/// "Copy as command" round-trips: the view a user set up and the view its command line opens
/// render the same picture (pixel for pixel, but for the few a timing readout may change).
#[test]
fn the_copied_command_reproduces_the_picture() {
    let mut a = harness(StartOptions { spec: Some(LandscapeSpec::preset("x2y4")), ..Default::default() });
    settle(&mut a);
    {
        let s = &mut a.state_mut().settings;
        s.n = 2500.0;
        s.eps = 3e-4;
        s.colormap = ColourMap::Cividis;
        s.right_tab = Tab::Theory;
        s.fit_window = Some([1e-12, 1e-6]);
    }
    a.run_steps(2);
    settle(&mut a);
    let line = a.state().settings.command_line();
    let argv: Vec<String> = line.split(' ').map(str::to_string).collect();
    let cli = lambdascope::cli::parse_args(&argv).unwrap_or_else(|e| panic!("{line}: {e:?}"));
    let start = cli.start_options().unwrap_or_else(|e| panic!("{line}: {e}"));
    let mut b = harness(start);
    settle(&mut b);
    b.run_steps(2);
    settle(&mut b);
    let (ia, ib) = (a.render().expect("render"), b.render().expect("render"));
    assert_eq!(ia.dimensions(), ib.dimensions());
    let differ = ia.pixels().zip(ib.pixels()).filter(|(p, q)| p != q).count();
    let total = (ia.width() * ia.height()) as usize;
    assert!(differ * 200 < total, "{differ} of {total} pixels differ between the view and `{line}`");
}

#[test]
fn compare_mode_two_landscapes_sharing_n_and_eps() {
    let mut h = harness(StartOptions {
        spec: Some(LandscapeSpec::preset("cross")),
        n: Some(1e4),
        eps: Some(1e-4),
        ..Default::default()
    });
    settle(&mut h);
    h.state_mut().settings.compare_preset = "paraboloid".into();
    h.state_mut().settings.compare_mode = true;
    h.run_steps(2);
    settle(&mut h);
    let s = h.state();
    let b = s.second.as_ref().and_then(|p| p.analysis()).expect("the second landscape is computed");
    assert_eq!(b.spec.preset.as_deref(), Some("paraboloid"));
    assert!((b.estimate.fit.best.lambda - 1.0).abs() < 0.01);
    assert!((s.pipeline.analysis().unwrap().estimate.fit.best.lambda - 0.5).abs() < 0.01);
    // both sides share n and ε
    let (da, db) = (s.panels.landscape.data.clone().unwrap(), s.panels.landscape_b.data.clone().unwrap());
    assert_eq!((da.n, da.eps), (db.n, db.eps));
    h.get_by_label_contains("x² + y²: fitted λ = 1.0000"); // formulas as a lecture writes them
    h.get_by_label_contains("x²y²: fitted λ = 0.5000");
    let img = h.render().expect("render");
    img.save(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("compare.png")).expect("save");
}

/// The learning tab on the escape model: the model replaces K, SGD runs from the preset's start
/// and drops into the regular basin, the LLC along the path and at the minimum arrive, and a
/// click on the landscape moves the start.
#[test]
fn learning_tab_sgd_and_llc_on_a_model() {
    use lambdascope::core::model::ModelSpec;
    let spec = LandscapeSpec::model(ModelSpec::preset("escape").unwrap());
    let mut h = harness(StartOptions { spec: Some(spec), ..Default::default() });
    settle(&mut h);
    let a = h.state().pipeline.analysis().cloned().expect("analysis of the model");
    assert_eq!(a.spec.model.as_ref().map(|m| m.n), Some(2000));
    // L_n replaces K: its minimum is near the truth ±(0.6, 0.6)
    let w = a.estimate.minimum.argmin[0];
    assert!((w[0].abs() - 0.6).abs() < 0.15 && (w[1].abs() - 0.6).abs() < 0.15, "{w:?}");
    h.get_by_label("Learning").click();
    h.run_steps(2);
    h.get_by_label("Run SGD").click();
    h.get_by_label("Estimate LLC").click();
    h.run_steps(2);
    settle(&mut h);
    let app = h.state();
    let (v, r) = app.pipeline.learning().sgd.as_ref().expect("an SGD result");
    assert_eq!(*v, a.version);
    let r = r.as_ref().expect("SGD ran");
    assert_eq!(r.path[0], [0.003, 0.001], "the preset's start");
    // the loss dropped: from the plateau near the origin into the regular basin
    assert!(r.loss.last().unwrap() < &(r.loss[0] - 0.02), "{} → {}", r.loss[0], r.loss.last().unwrap());
    assert!(!r.llc.is_empty());
    let (_, l) = app.pipeline.learning().llc.as_ref().expect("an LLC result");
    let l = l.as_ref().expect("LLC ran");
    assert!(l.llc_mean.is_finite() && l.exact_tempered.is_finite() && l.traces.len() == 4);
    h.snapshot("learning_escape");
    // a click on the landscape sets the start point
    let before = h.state().settings.learn.sgd.start;
    let rect = h.state().landscape_rect().expect("landscape drawn");
    h.hover_at(rect.center());
    h.step();
    h.event(egui::Event::PointerButton {
        pos: rect.center(),
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Default::default(),
    });
    h.step();
    h.event(egui::Event::PointerButton {
        pos: rect.center(),
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Default::default(),
    });
    h.run_steps(3);
    assert_ne!(h.state().settings.learn.sgd.start, before, "a click moves the start");
}

/// A session with a model round-trips; a damaged model in a session file is a message, not a crash.
#[test]
fn sessions_keep_the_model_and_reject_a_damaged_one() {
    let mut s = Settings::default();
    s.choose_model("product");
    s.right_tab = Tab::Learn;
    let back = Settings::parse(&s.to_json()).expect("round trip");
    assert_eq!(back, s);
    assert_eq!(back.model.as_ref().map(|m| m.info().id), Some("product"));
    let mut v: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
    v["model"]["sigma"] = serde_json::json!(-1.0);
    let e = Settings::parse(&v.to_string()).unwrap_err();
    assert!(e.contains("model"), "{e}");
    v["model"]["kind"] = serde_json::json!("nonsense");
    assert!(Settings::parse(&v.to_string()).is_err());
    // older files without a model still load
    let mut old: serde_json::Value = serde_json::from_str(&Settings::default().to_json()).unwrap();
    old.as_object_mut().unwrap().remove("model");
    assert!(Settings::parse(&old.to_string()).unwrap().model.is_none());
}

/// Compare mode on a model: L_n on the left, the population K on the right, sharing n and ε.
#[test]
fn compare_mode_shows_l_n_beside_the_population_k() {
    use lambdascope::core::model::ModelSpec;
    let spec = LandscapeSpec::model(ModelSpec::preset("product").unwrap());
    let mut h = harness(StartOptions { spec: Some(spec), ..Default::default() });
    settle(&mut h);
    h.state_mut().settings.compare_mode = true;
    h.run_steps(2);
    settle(&mut h);
    let app = h.state();
    let a = app.pipeline.analysis().unwrap().spec.model.clone().unwrap();
    let second = app.second.as_ref().and_then(|p| p.analysis()).expect("the second landscape");
    let b = second.spec.model.clone().expect("a model");
    assert!(!a.population && b.population);
    assert_eq!((a.n, a.seed, a.truth), (b.n, b.seed, b.truth));
    // K is minimal (0) at the truth's curve ab = a₀b₀ = 0, L_n is not
    assert!(second.estimate.minimum.k_min.abs() < 1e-12);
    assert!(app.pipeline.analysis().unwrap().estimate.minimum.k_min.abs() > 1e-6);
    // for a person to look at (not compared)
    let img = h.render().expect("render");
    img.save(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("compare-model.png")).expect("save");
}

// ---------------------------------------------------------------------------------------------
// Lecture-ready: the jump seen, fine n, a steady tour, linked views, honest hovers, snapshots.

/// The tour's "press Play" step: the play range and the fine window it sets; the fine slider and
/// the arrow keys reach 10,500 exactly; Play takes seconds over the jump, not a frame.
#[test]
fn fine_n_and_play_over_the_jump() {
    let mut h = harness(StartOptions::default());
    settle(&mut h);
    h.state_mut().queue(Action::Tour(Some(4)));
    h.step();
    settle(&mut h);
    let s = &h.state().settings;
    assert_eq!((s.play_from, s.play_to, s.play_seconds), (9_000.0, 12_000.0, 8.0));
    assert!(s.fine && s.fine_from == 8_000.0 && s.fine_to == 13_000.0);
    assert_eq!(s.n, 1e4);
    // keys: ten quick presses in one frame are ten steps of 50
    for _ in 0..10 {
        h.key_press(egui::Key::ArrowRight);
    }
    h.step();
    assert_eq!(h.state().settings.n, 10_500.0);
    // the mouse: a click at the middle of the fine slider (8,000 … 13,000) is 10,500
    h.state_mut().settings.n = 8_000.0;
    h.run_steps(2);
    let slider = h.get_by_role_and_label(Role::Slider, "n (fine)");
    assert!(slider.rect().width() > 200.0, "the fine slider is {} px wide", slider.rect().width());
    slider.click();
    h.run_steps(2);
    assert_eq!(h.state().settings.n, 10_500.0);
    // Play: from 9,000 (n at the end of the range restarts it), and 10,000 → 11,000 takes seconds
    // (frames of at most 0.1 s here: 8 s·ln(1.1)/ln(12/9) = 2.6 s)
    h.state_mut().settings.n = 12_000.0;
    h.step();
    h.get_by_label("Play n").click();
    h.step();
    assert!(h.state().playing);
    assert!(h.state().settings.n < 9_100.0, "{}", h.state().settings.n);
    let mut frames_in_jump = 0;
    for _ in 0..200 {
        h.step();
        let n = h.state().settings.n;
        assert!((9_000.0..=12_000.0).contains(&n), "{n}");
        if (10_000.0..11_000.0).contains(&n) {
            frames_in_jump += 1;
        }
        if !h.state().playing {
            break;
        }
    }
    assert!(!h.state().playing && h.state().settings.n == 12_000.0);
    assert!(frames_in_jump >= 20, "the jump took {frames_in_jump} frames");
}

/// The tour window keeps one size and place through the steps and covers none of the panels.
#[test]
fn the_tour_window_stays_put_and_covers_no_panel() {
    let mut h = harness(StartOptions::default());
    settle(&mut h);
    let mut first: Option<egui::Rect> = None;
    for i in 0..lambdascope::ui::panels::tour::STEPS.len() {
        h.state_mut().queue(Action::Tour(Some(i)));
        h.step();
        settle(&mut h);
        h.run_steps(2);
        let app = h.state();
        let t = app.tour_rect.expect("the tour window");
        if let Some(f) = first {
            assert!((t.min - f.min).length() < 1.0 && (t.size() - f.size()).length() < 1.0, "step {i}: {t:?} vs {f:?}");
        }
        first = Some(t);
        for (k, r) in app.exports.rects.iter().enumerate() {
            let r = r.expect("panel drawn");
            assert!(!t.intersects(r), "step {i}: the tour window {t:?} covers panel {k} {r:?}");
        }
        // Next is where it was
        h.get_by_label("Next");
    }
}

/// Landscape and posterior zoom together; Reset view (or a double-click) returns both to the box.
#[test]
fn linked_zoom_and_reset() {
    for (spec, two_d) in [(LandscapeSpec::preset("cross"), true), (LandscapeSpec::preset("dialogue"), false)] {
        let mut h = harness(StartOptions { spec: Some(spec), n: Some(1e3), ..Default::default() });
        settle(&mut h);
        let box_b = h.state().pipeline.analysis().unwrap().bounds;
        let land = h.state().exports.rects[0].unwrap();
        h.hover_at(land.center());
        h.step();
        h.event(egui::Event::Zoom(3.0));
        h.run_steps(3);
        settle(&mut h);
        h.run_steps(2);
        let (l, p) = (h.state().panels.landscape.bounds.unwrap(), h.state().panels.posterior.bounds.unwrap());
        let w = l[1] - l[0];
        assert!(w < 0.9 * (box_b[0][1] - box_b[0][0]), "zoomed in: {l:?}");
        assert!((l[0] - p[0]).abs() < 1e-9 * w && (l[1] - p[1]).abs() < 1e-9 * w, "x linked: {l:?} vs {p:?}");
        if two_d {
            assert!((l[2] - p[2]).abs() < 1e-9 * w && (l[3] - p[3]).abs() < 1e-9 * w, "y linked: {l:?} vs {p:?}");
        }
        h.get_by_label("Reset view").click();
        h.run_steps(3);
        let (l, p) = (h.state().panels.landscape.bounds.unwrap(), h.state().panels.posterior.bounds.unwrap());
        for b in [l, p] {
            assert!((b[0] - box_b[0][0]).abs() < 0.05 && (b[1] - box_b[0][1]).abs() < 0.05, "back to the box: {b:?}");
        }
    }
}

/// Hover readouts give the curve's value at the pointer's x: K(x) evaluated, p_n(x) of the drawn
/// curve, the basins' masses at the pointer's n; never the pointer's height.
#[test]
fn hover_values_are_the_curves() {
    use lambdascope::ui::panels::{landscape, phase, posterior};
    let mut h =
        harness(StartOptions { spec: Some(LandscapeSpec::preset("dialogue")), n: Some(1e4), ..Default::default() });
    settle(&mut h);
    let app = h.state();
    let a = app.pipeline.analysis().unwrap();
    // K = min((x+1)⁴ + 0.0015, 4.5e11·(x − 1)²) at x = 0.5: 5.0625 + 0.0015
    let t = landscape::hover_text_1d(a, 0.5);
    assert!(t.contains("K = 5.064"), "{t}");
    assert!(landscape::hover_text_1d(a, 3.0).contains("outside the box"));
    // the posterior's curve at x = −1 (the bump's top): φ·e^{−n·K}/Z, the drawn value
    let d = app.panels.posterior.data.clone().unwrap();
    let c = d.curve.clone().unwrap();
    let (basin, lp) = c.value_at(-1.0).unwrap();
    assert_eq!(basin, Some(0));
    let t = posterior::hover_text(&c, -1.0);
    assert!(t.contains(&format!("p = {}", lambdascope::ui::widgets::plot::sci(lp.exp()))), "{t}");
    assert!((lp.exp() / c.peak(0) - 1.0).abs() < 0.01);
    // the spike's basin: its mass, not a height
    let t = posterior::hover_text(&c, 1.0);
    assert!(t.contains("mass 0.32"), "{t}");
    // the phase plot: the masses at the pointer's n
    let p = app.pipeline.phase().unwrap();
    let t = phase::mass_hover(p, 1.1e4f64.log10());
    let m = p.basins.masses(1.1e4).unwrap();
    assert!(t.contains(&format!("basin 1: {:.4}", m[1])), "{t}");
}

/// `--tab` is honoured for every preset (a phase preset does not switch it), `--panel learn` exists.
#[test]
fn start_tab_and_learn_panel() {
    let mut h = harness(StartOptions {
        spec: Some(LandscapeSpec::preset("dialogue")),
        tab: Some(Tab::Volume),
        ..Default::default()
    });
    settle(&mut h);
    assert_eq!(h.state().settings.right_tab, Tab::Volume);
    assert_eq!("learn".parse::<Panel>().unwrap(), Panel::Learn);
}

/// Snapshots for a lecture, at font scale 1 (dark, 1400×900) and 2.5 (light, a 1920×1080
/// projector), each looked at before it was accepted: `setup` brings the app to the picture.
fn lecture_snapshot(name: &str, start: StartOptions, setup: impl Fn(&mut Harness<'static, LambdaApp>)) {
    let mut results = egui_kittest::SnapshotResults::new();
    for (scale, dark, tag) in [(1.0f32, true, "1_dark"), (2.5, false, "2.5_light")] {
        let mut h = harness(start.clone());
        if scale > 1.0 {
            h.set_size(egui::vec2(1920.0, 1080.0));
        }
        h.state_mut().settings.font_scale = scale;
        h.state_mut().settings.dark = Some(dark);
        settle(&mut h);
        setup(&mut h);
        settle(&mut h);
        h.run_steps(4);
        h.snapshot(format!("{name}_{tag}"));
        results.extend_harness(&mut h);
    }
    results.unwrap();
}

#[test]
fn snapshot_three_posteriors() {
    lecture_snapshot(
        "three_posteriors",
        StartOptions { spec: Some(LandscapeSpec::preset("dialogue")), n: Some(1e4), ..Default::default() },
        |h| {
            h.state_mut().queue(Action::OpenThreePosteriors);
            h.run_steps(3);
            h.get_by_label("Posterior at three n");
        },
    );
}

#[test]
fn snapshot_presentation_two_panels() {
    lecture_snapshot(
        "presentation",
        StartOptions {
            spec: Some(LandscapeSpec::preset("cross")),
            n: Some(1e3),
            eps: Some(1e-2),
            presentation: Some((Panel::Landscape, Some(Panel::Posterior))),
            ..Default::default()
        },
        |h| h.state_mut().settings.regular_overlay = true,
    );
}

#[test]
fn snapshot_phase_tab_near_n_c() {
    lecture_snapshot(
        "phase_near_nc",
        StartOptions {
            spec: Some(LandscapeSpec::preset("dialogue")),
            n: Some(1.05e4),
            tab: Some(Tab::Phase),
            ..Default::default()
        },
        |_| {},
    );
}

#[test]
fn snapshot_theory_of_the_cusp() {
    lecture_snapshot(
        "theory_cusp",
        StartOptions { spec: Some(LandscapeSpec::preset("cusp")), tab: Some(Tab::Theory), ..Default::default() },
        |_| {},
    );
}

/// At 1400×900 every section header of the side panel, Lecture and Export included, is on screen
/// without scrolling (1-D and 2-D presets).
#[test]
fn side_panel_sections_fit_a_1400_by_900_screen() {
    for id in ["cross", "dialogue"] {
        let mut h = harness(StartOptions { spec: Some(LandscapeSpec::preset(id)), ..Default::default() });
        settle(&mut h);
        h.run_steps(2);
        for title in ["Landscape", "Samples and threshold", "Readouts", "Lecture", "View", "Export"] {
            let r = h.get_by_label(title).rect();
            assert!(r.bottom() <= 900.0, "{id}: '{title}' ends at y = {}", r.bottom());
        }
    }
}

/// Presentation mode on a 1280×720 projector at font scale 3 (427×240 points): the top bar stays
/// small and the two panels keep most of the screen.
#[test]
fn presentation_at_font_scale_3_on_720p() {
    let ctx = egui::Context::default();
    let app = LambdaApp::new(
        &ctx,
        StartOptions {
            spec: Some(LandscapeSpec::preset("dialogue")),
            n: Some(1.05e4),
            presentation: Some((Panel::Posterior, Some(Panel::Phase))),
            font_scale: Some(3.0),
            ..Default::default()
        },
    );
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .build_ui_state(|ui, app: &mut LambdaApp| app.show(ui), app);
    settle(&mut h);
    let screen = h.ctx.content_rect();
    assert!((screen.width() - 1280.0 / 3.0).abs() < 1.0, "{screen:?}");
    h.run_steps(3);
    let r = h.state().exports.rects[0].expect("the first panel");
    let screen_h = 720.0 / 3.0;
    assert!(r.height() > 0.5 * screen_h, "the panels have {} of {screen_h} points", r.height());
    // the normal layout at that size: one panel at a time, chosen by tabs, with most of the height
    h.get_by_label("Leave (F)").click();
    h.run_steps(3);
    assert!(!h.state().settings.presentation);
    let r = h.state().exports.rects[0].expect("the panel");
    assert!(r.height() > 0.6 * screen_h, "the panel has {} of {screen_h} points", r.height());
    let rects = h.state().exports.rects;
    assert_eq!(rects[0], rects[2], "one panel fills the central area (no columns)");
    h.get_by_label("panel"); // the one-panel layout's menu
}

/// Rapid input: 1,000 random edits typed into the formula box over 300 frames (5 s at 60 fps),
/// and every slider moved to a random value on every frame, while the worker's analyses of the
/// older formulas arrive while the typing goes on (the pipeline drops stale ones by version). No
/// panic; what the user typed is never lost; the view never goes back to an older analysis; frames
/// end while the worker computes (a frame never waits for it); once settled, the view is of the
/// final inputs.
#[test]
fn rapid_input_edits_and_sliders_every_frame() {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(18);
    let mut h = harness(StartOptions::default());
    settle(&mut h);
    replace_formula(&mut h, "");
    let mut typed = String::from("x^2");
    h.get_by_role_and_label(Role::TextInput, "Formula K =").type_text(&typed);
    // terms that often leave a formula that parses, and stray characters that break it
    const TERMS: [&str; 8] = ["+x^2", "*y", "+y^4", "-x*y", "*(x+y)", "+sin(x*y)", "^2", "+x^2*y^2"];
    const JUNK: [&str; 6] = ["(", ")", ".", "e", "^", "x"];
    let (mut edits, mut frames, mut computing, mut shown) = (0, 0, 0, 0u64);
    while edits < 1000 {
        for _ in 0..rng.random_range(1..=6) {
            let u: f64 = rng.random();
            if u < 0.25 {
                h.key_press(egui::Key::Backspace);
                typed.pop();
            } else {
                let t = if u < 0.85 {
                    TERMS[rng.random_range(0..TERMS.len())]
                } else {
                    JUNK[rng.random_range(0..JUNK.len())]
                };
                h.get_by_role_and_label(Role::TextInput, "Formula K =").type_text(t);
                typed.push_str(t);
            }
            edits += 1;
        }
        // frames at 60 fps; every 20th, a pause in typing after it, so that the debounced edit is
        // sent and the typing goes on while the worker computes it
        std::thread::sleep(Duration::from_millis(16));
        for s in h.get_all_by_role(Role::Slider) {
            let ak = s.accesskit_node();
            let (lo, hi) = (ak.min_numeric_value().unwrap_or(0.0), ak.max_numeric_value().unwrap_or(1.0));
            let u: f64 = rng.random();
            // log sliders across their decades, linear ones across their range
            let v = if lo > 0.0 && hi / lo > 100.0 { lo * (hi / lo).powf(u) } else { lo + u * (hi - lo) };
            s.set_value_accesskit(v);
        }
        h.step();
        frames += 1;
        if frames % 20 == 0 {
            std::thread::sleep(Duration::from_millis(320));
            h.step();
        }
        let st = h.state();
        assert_eq!(st.settings.formula, typed, "frame {frames}: the formula box lost what was typed");
        if let Some(d) = st.panels.landscape.data.as_ref() {
            assert!(d.analysis.version >= shown, "frame {frames}: the view went back to an older analysis");
            assert!(d.analysis.version <= st.pipeline.version());
            shown = d.analysis.version;
        }
        computing += st.pipeline.computing() as usize;
    }
    assert!(frames <= 300, "{frames} frames for 1,000 edits");
    eprintln!("{frames} frames, {computing} ended while the worker computed");
    // a frame that waited for the worker would never end with a job in flight (the typed text is
    // the same for every run: the pauses where it parses send analyses)
    assert!(computing >= 1, "no frame of {frames} ended while the worker computed");
    settle(&mut h);
    // the final view is of the final inputs
    let st = h.state();
    assert_eq!(st.settings.formula, typed);
    let a = st.pipeline.analysis().expect("a landscape on screen");
    match &st.pipeline.status().error {
        None => assert_eq!(a.spec.formula, typed, "no error, so the landscape shown is the one typed"),
        Some(e) => assert!(!e.is_empty()),
    }
    let d = st.panels.landscape.data.as_ref().expect("view data");
    assert_eq!(d.analysis.version, a.version, "the panels draw the current analysis");
    assert_eq!(d.n, st.settings.n.clamp(1.0, 1e12), "the view is at the last n");
    let r = lambdascope::core::readouts::readouts(&a.estimate, &d.fit, &d.law, a.dim, d.n, d.eps);
    assert_eq!(st.readouts().expect("readouts").v_eps.value, r.v_eps.value, "V(ε) of the last ε");
    // and the app still works afterwards
    replace_formula(&mut h, "x^2 + y^4");
    settle(&mut h);
    assert!((lambda(&h) - 0.75).abs() < 0.01, "λ̂ = {}", lambda(&h));
}

/// eframe's storage kept in memory (the restore path without a window).
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

fn restored(storage: &MemoryStorage) -> Harness<'static, LambdaApp> {
    let ctx = egui::Context::default();
    let start = StartOptions { restore: true, ..Default::default() };
    let exit = std::sync::Arc::new(std::sync::atomic::AtomicI32::new(1));
    harness_of(LambdaApp::with_storage(&ctx, start, Some(storage), exit))
}

/// The last session comes back on start: a formula that no longer works is shown as typed with its
/// message; a session file too large or damaged gives a notice, the defaults, and is not overwritten.
#[test]
fn restoring_the_last_session() {
    let key = lambdascope::ui::settings::STORAGE_KEY;
    // a good session
    let mut s = Settings { formula: "x^2*y^4".into(), preset: None, n: 4321.0, ..Default::default() };
    let mut storage = MemoryStorage::default();
    eframe::Storage::set_string(&mut storage, key, s.to_json());
    let mut h = restored(&storage);
    settle(&mut h);
    assert_eq!(h.state().settings.n, 4321.0);
    assert_eq!(h.state().pipeline.analysis().expect("analysed").spec.formula, "x^2*y^4");
    assert!((lambda(&h) - 0.25).abs() < 0.01);

    // a session whose formula fails: the user's formula in the box, the message under it
    for (f, says) in [("x^^2", "position 3"), ("log(x)", "no minimum")] {
        s.formula = f.into();
        eframe::Storage::set_string(&mut storage, key, s.to_json());
        let mut h = restored(&storage);
        settle(&mut h);
        assert_eq!(h.state().settings.formula, f, "the restored formula is kept as typed");
        let err = h.state().pipeline.status().error.expect("a message");
        assert!(err.contains(says), "{f}: {err}");
        assert!(h.get_all_by_label(&err).count() >= 1, "the message is on screen");
        assert_eq!(
            h.get_by_role_and_label(Role::TextInput, "Formula K =").value().as_deref(),
            Some(f),
            "the box shows it"
        );
        assert!(h.state().pipeline.failed().is_some(), "nothing to show, and the panels say why");
        // saving keeps the user's formula
        let mut out = MemoryStorage::default();
        eframe::App::save(h.state_mut(), &mut out);
        assert!(Settings::parse(&out.get_string(key).unwrap()).unwrap().formula == f);
    }

    // a 2 MB session, and a damaged one: a notice, the defaults, the stored text left as it was
    let big = format!("{{\"version\": 1, \"formula\": \"{}\"}}", "x+".repeat(1 << 20));
    for (text, says) in
        [(big, "more than a session can be"), ("{\"version\": 1, \"n\": ".to_string(), "could not be read")]
    {
        let mut storage = MemoryStorage::default();
        eframe::Storage::set_string(&mut storage, key, text.clone());
        let mut h = restored(&storage);
        settle(&mut h);
        let notice = h.state().notice.clone().expect("a notice").0;
        assert!(notice.contains(says) && notice.contains("not be overwritten"), "{notice}");
        assert_eq!(h.state().settings, Settings::default(), "the defaults");
        eframe::App::save(h.state_mut(), &mut storage);
        assert_eq!(storage.get_string(key).as_deref(), Some(text.as_str()), "the stored session was overwritten");
    }
}

/// "Copy as command" puts the line that reopens the view on the clipboard, and says so.
#[test]
fn copy_as_command() {
    let mut h = harness(StartOptions {
        spec: Some(LandscapeSpec::preset("x2y4")),
        n: Some(2500.0),
        eps: Some(1e-4),
        ..Default::default()
    });
    settle(&mut h);
    h.get_by_label("Export").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Copy as command").click_accesskit();
    let mut copied: Vec<String> = vec![];
    for _ in 0..3 {
        h.step();
        copied.extend(
            h.output()
                .platform_output
                .commands
                .iter()
                .filter_map(|c| if let egui::OutputCommand::CopyText(t) = c { Some(t.clone()) } else { None }),
        );
    }
    let line = copied.last().expect("text on the clipboard").clone();
    assert_eq!(line, h.state().settings.command_line());
    assert!(line.starts_with("lambdascope --preset x2y4 --box") && line.contains("--n 2500 --eps 1e-4"), "{line}");
    let notice = h.state().notice.clone().expect("a notice").0;
    assert!(notice.starts_with("copied: lambdascope"), "{notice}");
}

/// The Export section with its figure controls fits the side panel at font scale 1 and 2, light
/// and dark (and the renderings are kept to look at).
#[test]
fn the_export_section_fits() {
    for (scale, dark) in [(1.0f32, true), (2.0, false)] {
        let mut h = harness(StartOptions {
            spec: Some(LandscapeSpec::preset("cross")),
            font_scale: Some(scale),
            theme: Some(if dark { lambdascope::start::Theme::Dark } else { lambdascope::start::Theme::Light }),
            ..Default::default()
        });
        settle(&mut h);
        for title in ["Landscape", "Samples and threshold", "Readouts", "Lecture"] {
            h.get_by_label(title).click();
            h.run_steps(2);
        }
        h.get_by_label("Export").click();
        h.run_steps(3);
        for label in ["Save SVG", "Save as…", "Save n sweep as GIF", "Copy as command"] {
            let r = h.get_by_label(label).rect();
            let side = h.state().side_rect.expect("the side panel");
            assert!(r.right() <= side.right() + 1.0, "{label} at x = {} beyond the side panel ({scale}×)", r.right());
        }
        let img = h.render().expect("render");
        img.save(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("export_{scale}.png"))).unwrap();
    }
}

/// Issue 16: the Learning tab's diagnostics (sampler, split-R̂, ESS, acceptance, burn-in, the
/// traces beside the exact value) and the calibration heatmap, as a snapshot.
#[test]
fn snapshot_diagnostics_and_calibration() {
    let ctx = egui::Context::default();
    let app = LambdaApp::new(
        &ctx,
        StartOptions { spec: Some(LandscapeSpec::preset("cross")), tab: Some(Tab::Learn), ..Default::default() },
    );
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 2600.0))
        .build_ui_state(|ui, app: &mut LambdaApp| app.show(ui), app);
    settle(&mut h);
    for _ in 0..3 {
        h.step();
        settle(&mut h);
    }
    h.state_mut().queue(Action::RunCalibration);
    h.run_steps(2);
    settle(&mut h);
    h.run_steps(2);
    let l = h.state().pipeline.learning();
    let (_, r) = l.llc.as_ref().expect("the LLC ran");
    let r = r.as_ref().unwrap();
    assert_eq!(r.sampler, lambdascope::core::sampler::Sampler::Mala);
    let (_, c) = l.calibration.as_ref().expect("the calibration ran");
    let c = c.as_ref().unwrap();
    assert_eq!(c.cells.len(), 25);
    assert!(c.recommended.is_some(), "{}", c.reason);
    h.get_by_label_contains("split R-hat");
    h.get_by_label_contains("recommended: γ =");
    h.get_by_label_contains("WBIC, sampled");
    h.snapshot("learning_diagnostics");
}

/// Issue 15 part 7: the TMS lab — opened with `--tab tms` it computes on the worker, then shows the
/// polygon, the loss with its k-gon levels and phase band, the LLC along SGD, the critical points
/// (saddles said to be no LLC) and the free-energy crossovers; a snapshot.
#[test]
fn snapshot_tms_lab() {
    let ctx = egui::Context::default();
    let app = LambdaApp::new(
        &ctx,
        StartOptions { spec: Some(LandscapeSpec::preset("cross")), tab: Some(Tab::Tms), ..Default::default() },
    );
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 1500.0))
        .build_ui_state(|ui, app: &mut LambdaApp| app.show(ui), app);
    settle(&mut h);
    for _ in 0..3 {
        h.step();
        settle(&mut h);
    }
    let l = h.state().pipeline.learning();
    let lab = l.tms.as_ref().expect("the lab ran").as_ref().expect("without error");
    assert_eq!(lab.rows.len(), 6);
    assert!(!l.running_tms);
    h.get_by_label("Run the TMS lab again");
    assert!(h.query_all_by_label("6-gon").count() >= 1, "the table row and the chart legend");
    h.get_by_label("other polygons");
    assert!(h.query_all_by_label("saddle: not an LLC").count() == 2, "the 4- and 4+-gons");
    assert!(h.query_all_by_label("hinge: not certified").count() == 1, "the 4++-gon");
    h.get_by_label_contains("Phase changes along SGD");
    h.get_by_label_contains("SGD ended in the 5+ phase");
    // the worker said what it was computing, stage by stage (the last: the posterior's largest n)
    let stage = h.state().pipeline.learning().tms_stage.lock().unwrap().clone();
    assert!(stage.contains("n = 3000") && stage.contains("5 of 5"), "{stage}");
    h.snapshot("tms_lab");

    // part 7: a posterior sample's polygon, and a 2-D slice through the SGD iterate along the two
    // flattest Hessian eigenvectors in the landscape, posterior and volume panels, labelled as one
    h.get_by_label_contains("A draw of the posterior at n = 30");
    h.get_by_label("Show the slice").click_accesskit();
    for _ in 0..3 {
        h.step();
        settle(&mut h);
    }
    let s = &h.state().settings;
    assert!(s.slice.is_some() && s.bounds == [[-0.5, 0.5], [-0.5, 0.5]] && s.n == 5000.0);
    assert_eq!(s.formula, "x^2*y^2", "the formula waits in its box");
    let a = h.state().pipeline.analysis().expect("the slice's analysis");
    assert!(a.spec.label().contains("through SGD step 50000 (5+) along Hessian eigenvectors 1 and 2"));
    assert!(a.estimate.theory.is_none(), "no exact λ for a slice");
    assert!(h.query_all_by_label("2-D slice of the TMS").count() >= 2, "landscape and posterior say it");
    h.get_by_label_contains("A 2-D slice of an 18-parameter model");
    h.snapshot("tms_slice");
    h.get_by_label("Back to the formula").click_accesskit();
    for _ in 0..2 {
        h.step();
        settle(&mut h);
    }
    let s = &h.state().settings;
    assert!(s.slice.is_none() && s.bounds == [[-1.0, 1.0], [-1.0, 1.0]]);
    assert_eq!(h.state().pipeline.analysis().unwrap().spec.formula, "x^2*y^2");
    // Play animates the polygon along the run (and pauses)
    h.get_by_label("Play SGD").click_accesskit();
    h.step();
    h.step();
    h.get_by_label("Pause").click_accesskit();
    h.step();
    h.step();
    h.get_by_label("Play SGD");
}
