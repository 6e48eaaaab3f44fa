//! Figures and files: PNGs of the window or a panel (through egui's screenshot callback, which
//! delivers the image a frame later), the n sweep and SGD run as GIFs, panel figures (SVG, or PNG
//! rasterised from it), CSV files, sessions, and the batch
//! screenshot of `--screenshot` (taken once everything is computed). Provenance comes from the
//! analysed landscape, never from re-reading the inputs.

use eframe::egui;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use crate::core::analysis::Analysis;
use crate::core::export::Provenance;
use crate::core::fit::FitReport;
use crate::core::landscape::N_MAX;
use crate::start::{Batch, Format, MAX_FRAMES, Panel};
use crate::ui::widgets::plot::sci;

use super::settings::{Settings, ShotTarget};
use super::widgets::gif::{Timing, save_gif};
use super::widgets::png::{resize, save_png};

/// Where the screenshot callback leaves the image for a later frame.
type ShotSlot = Arc<std::sync::Mutex<Option<Arc<egui::ColorImage>>>>;

/// The state of an n sweep into an animated GIF: one frame is set, computed, drawn, captured,
/// kept, then the next; at the end n is set back and the frames are encoded.
#[derive(Debug, Clone)]
pub struct SweepFrames {
    pub path: PathBuf,
    pub k: usize,
    pub frames: usize,
    /// log10 n of the first and the last frame.
    pub t0: f64,
    pub t1: f64,
    /// n of the first and the last frame.
    pub range: [f64; 2],
    /// 0: set n; 1: wait until n is computed and drawn, then request the shot; 2: waiting for
    /// the image
    pub stage: u8,
    /// Frames in a row with everything computed (stage 1).
    pub settled: u32,
    pub target: ShotTarget,
    pub timing: Timing,
    /// n before the sweep, set back at the end.
    pub n_before: f64,
    /// An SGD run drawn step by step (n stays) instead of an n sweep.
    pub sgd: bool,
    pub images: Vec<Arc<egui::ColorImage>>,
}

/// `--screenshot`: the figure to take, and the process's exit code (0 saved, 1 failed).
struct BatchRun {
    batch: Batch,
    exit: Arc<AtomicI32>,
    settled: u32,
    started: Instant,
    /// The process is closing (the reason has been printed once).
    closing: bool,
    /// The animation of `--animate` has begun.
    started_sweep: bool,
}

pub struct Exports {
    shot: Option<(ShotTarget, PathBuf, ShotSlot)>,
    pub sweep: Option<SweepFrames>,
    /// A GIF being encoded on its own thread (a frame never waits for it).
    encoding: Option<std::thread::JoinHandle<String>>,
    /// `--screenshot x.svg` or `--panel P --screenshot x.png`: the panel's figure is due (the app
    /// builds it from its view data), with the PNG's size.
    figure_due: Option<FigureDue>,
    batch: Option<BatchRun>,
    /// Where the panels were drawn last frame (for cropping): landscape, posterior, right column.
    pub rects: [Option<egui::Rect>; 3],
}

impl Exports {
    pub fn new(batch: Option<Batch>, exit: Arc<AtomicI32>) -> Exports {
        Exports {
            shot: None,
            sweep: None,
            encoding: None,
            figure_due: None,
            batch: batch.map(|batch| BatchRun {
                batch,
                exit,
                settled: 0,
                started: Instant::now(),
                closing: false,
                started_sweep: false,
            }),
            rects: [None; 3],
        }
    }

    /// True in batch mode (`--screenshot`).
    pub fn is_batch(&self) -> bool {
        self.batch.is_some()
    }

    /// Take a screenshot of `target` on the next frame and save it to `path`.
    pub fn request_shot(&mut self, ctx: &egui::Context, target: ShotTarget, path: PathBuf) {
        let slot: ShotSlot = Arc::new(std::sync::Mutex::new(None));
        let s2 = slot.clone();
        let c2 = ctx.clone();
        ctx.request_screenshot(move |img| {
            if let Ok(mut s) = s2.lock() {
                *s = Some(img);
            }
            c2.request_repaint();
        });
        self.shot = Some((target, path, slot));
    }

    /// Start an n sweep over Play's range (`play_from` … `play_to`) into one animated GIF of the
    /// PNG target (the window's panels without the side panel when the target is the window),
    /// played in Play's duration.
    pub fn start_sweep(&mut self, s: &Settings) -> Result<(), String> {
        self.start_animation(s, false)
    }

    /// Start an animation of the SGD run on screen (its path and curves drawn up to each frame's
    /// step) into one GIF of the panels, in Play's duration.
    pub fn start_sgd_sweep(&mut self, s: &Settings) -> Result<(), String> {
        self.start_animation(s, true)
    }

    fn start_animation(&mut self, s: &Settings, sgd: bool) -> Result<(), String> {
        if self.sweep.is_some() || self.encoding.is_some() {
            return Err("an animation is already being saved".into());
        }
        let frames = s.sweep_frames.clamp(2, MAX_FRAMES);
        let name = if sgd { "sgd" } else { "sweep" };
        let path = numbered(&PathBuf::from(&s.export_dir).join(format!("{}_{name}.gif", default_stem(s))));
        // (an animation of the window would show the side panel's n changing: the panels alone)
        let target = if sgd || s.png_target == ShotTarget::Window { ShotTarget::Panels } else { s.png_target };
        let range = if sgd { [s.n, s.n] } else { [s.play_from, s.play_to] };
        self.begin_sweep(s, path, range, frames, play_timing(s, frames), target);
        if let Some(sw) = &mut self.sweep {
            sw.sgd = sgd;
        }
        Ok(())
    }

    fn begin_sweep(
        &mut self,
        s: &Settings,
        path: PathBuf,
        range: [f64; 2],
        frames: usize,
        timing: Timing,
        target: ShotTarget,
    ) {
        let t0 = range[0].clamp(1.0, N_MAX).log10();
        let t1 = range[1].clamp(1.0, N_MAX).log10();
        self.sweep = Some(SweepFrames {
            path,
            k: 0,
            frames,
            t0,
            t1,
            range: [range[0].clamp(1.0, N_MAX), range[1].clamp(1.0, N_MAX)],
            stage: 0,
            settled: 0,
            target,
            timing,
            n_before: s.n,
            sgd: false,
            images: Vec::new(),
        });
    }

    /// Once per frame, after drawing: the batch screenshot once everything is computed (`ready`),
    /// the next step of a sweep (it sets n), and a screenshot that has arrived; in batch mode an
    /// input with no landscape (`failed`) ends the process with exit code 2. Returns a message
    /// for the user.
    pub fn frame(
        &mut self,
        ctx: &egui::Context,
        s: &mut Settings,
        prov: &[(String, String)],
        ready: bool,
        failed: Option<&str>,
    ) -> Option<String> {
        if let Some(b) = &mut self.batch
            && let Some(e) = failed
            && !b.closing
        {
            b.closing = true;
            // the input has no landscape: say why and exit 2 (bad input) instead of waiting
            eprintln!("lambdascope: {e}; no screenshot");
            b.exit.store(2, Ordering::SeqCst);
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if let Some(b) = &mut self.batch {
            b.settled = if ready { b.settled + 1 } else { 0 };
            if b.started.elapsed() > Duration::from_secs(300) {
                eprintln!("lambdascope: the computation did not finish within 300 s; no screenshot");
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            // the presentation panel (all rects point at it) or the whole window
            let target = if b.batch.panel.is_some() { ShotTarget::Landscape } else { ShotTarget::Window };
            let path = b.batch.path.clone();
            if b.settled == 5 && self.shot.is_none() && self.sweep.is_none() && !b.started_sweep {
                match b.batch.animate {
                    None if b.batch.panel.is_some() => {
                        b.started_sweep = true;
                        let panel = b.batch.panel.unwrap_or(Panel::Landscape);
                        let (size, density) = batch_figure_size(b.batch.size);
                        self.figure_due = Some(FigureDue { path, panel, format: b.batch.format(), size, density });
                    }
                    Some(a) => {
                        b.started_sweep = true;
                        let timing = Timing { frame_ms: a.frame_ms, repeat: a.repeat };
                        let target = if b.batch.panel.is_some() { target } else { ShotTarget::Panels };
                        self.begin_sweep(s, path, [a.from, a.to], a.frames, timing, target);
                        if let Some(sw) = &mut self.sweep {
                            sw.sgd = a.sgd;
                        }
                    }
                    None => self.request_shot(ctx, target, path),
                }
            }
            ctx.request_repaint_after(Duration::from_millis(30));
        }
        if let Some(sw) = &mut self.sweep {
            match sw.stage {
                0 => {
                    let t = sw.t0 + (sw.t1 - sw.t0) * sw.k as f64 / (sw.frames - 1).max(1) as f64;
                    // (the ends exactly as asked, not 10^log10 of them)
                    if sw.sgd {
                        s.learn.replay = Some(sw.k as f64 / (sw.frames - 1).max(1) as f64);
                    } else {
                        s.n = match sw.k {
                            0 => sw.range[0],
                            k if k + 1 == sw.frames => sw.range[1],
                            _ => 10f64.powf(t),
                        }
                        .clamp(1.0, N_MAX);
                    }
                    sw.stage = 1;
                    sw.settled = 0;
                    ctx.request_repaint();
                }
                1 => {
                    // the frame is taken once n is computed and has been drawn twice
                    sw.settled = if ready { sw.settled + 1 } else { 0 };
                    if sw.settled >= 3 {
                        let (target, path) = (sw.target, sw.path.clone());
                        sw.stage = 2;
                        self.request_shot(ctx, target, path);
                    } else {
                        ctx.request_repaint_after(Duration::from_millis(10));
                    }
                }
                _ => {}
            }
        }
        if let Some(h) = self.encoding.take_if(|h| h.is_finished()) {
            return Some(h.join().unwrap_or_else(|_| "the GIF could not be written".into()));
        }
        if self.encoding.is_some() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        self.arrived(ctx, s, prov)
    }

    /// A screenshot that has arrived: crop, save, and go on (the next sweep frame, or exit in batch).
    fn arrived(&mut self, ctx: &egui::Context, s: &mut Settings, prov: &[(String, String)]) -> Option<String> {
        let img = self.shot.as_ref().and_then(|(_, _, slot)| slot.lock().ok().and_then(|mut s| s.take()))?;
        let (target, path, _) = self.shot.take()?;
        let ppp = ctx.pixels_per_point();
        let rect = match target {
            ShotTarget::Window => None,
            ShotTarget::Landscape => self.rects[0],
            ShotTarget::Posterior => self.rects[1],
            ShotTarget::Right => self.rects[2],
            // the panels without the side panel
            ShotTarget::Panels => self.rects.iter().flatten().copied().reduce(|a, b| a.union(b)),
        };
        let img = match rect {
            Some(r) => img.region(&r, Some(ppp)),
            None => (*img).clone(),
        };
        let img = match self.batch.as_ref().and_then(|b| b.batch.size) {
            Some([w, h]) => resize(&img, w as usize, h as usize),
            None => img,
        };
        if let Some(sw) = &mut self.sweep {
            sw.images.push(Arc::new(img));
            if sw.k + 1 < sw.frames {
                // the next frame of the sweep
                sw.k += 1;
                sw.stage = 0;
                ctx.request_repaint();
                return None;
            }
            // done: n as it was, and the frames into one GIF
            let sw = self.sweep.take()?;
            s.n = sw.n_before;
            s.learn.replay = None;
            // the command that makes this GIF again: the view as it was, and the animation
            let what = if sw.sgd { "sgd".to_string() } else { format!("n:{}..{}", sw.range[0], sw.range[1]) };
            let command = format!(
                "{} --animate {what} --frames {} --frame-ms {}{} --screenshot {}",
                s.command_line(),
                sw.frames,
                sw.timing.frame_ms,
                if sw.timing.repeat == 0 { String::new() } else { format!(" --loop {}", sw.timing.repeat) },
                crate::settings::shell_quote(&sw.path.display().to_string())
            );
            let mut prov: Vec<(String, String)> = prov
                .iter()
                .map(|(k, v)| (k.clone(), if k == "command" { command.clone() } else { v.clone() }))
                .collect();
            let what = if sw.sgd {
                "the SGD run step by step".to_string()
            } else {
                format!("n from {} to {} (log-uniform)", sci(sw.range[0]), sci(sw.range[1]))
            };
            prov.push(("Animation".into(), format!("{what}, {} frames, {} ms each", sw.frames, sw.timing.frame_ms)));
            let (path, timing, frames) = (sw.path, sw.timing, sw.images);
            let size = frames.first().map(|f| (f.width(), f.height())).unwrap_or_default();
            let write = move || {
                let frames: Vec<egui::ColorImage> = frames.iter().map(|f| (**f).clone()).collect();
                save_gif(&path, &frames, timing, &prov).map(|()| {
                    let kb = std::fs::metadata(&path).map(|m| m.len() / 1024).unwrap_or(0);
                    format!("saved {} ({} frames, {}×{}, {kb} kB)", path.display(), frames.len(), size.0, size.1)
                })
            };
            if let Some(b) = &self.batch {
                // in batch mode the process waits for the file, then exits
                let r = write();
                b.exit.store(if r.is_ok() { 0 } else { 1 }, Ordering::SeqCst);
                if let Err(e) = &r {
                    eprintln!("lambdascope: {e}");
                }
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                return Some(r.unwrap_or_else(|e| e));
            }
            let c2 = ctx.clone();
            self.encoding = Some(std::thread::spawn(move || {
                let r = write().unwrap_or_else(|e| e);
                c2.request_repaint();
                r
            }));
            return Some("encoding the frames into a GIF…".into());
        }
        let r = save_png(&path, &img, prov);
        if let Some(b) = &self.batch {
            b.exit.store(if r.is_ok() { 0 } else { 1 }, Ordering::SeqCst);
            if let Err(e) = &r {
                eprintln!("lambdascope: {e}");
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        Some(match r {
            Ok(()) => format!("saved {} ({}×{})", path.display(), img.width(), img.height()),
            Err(e) => e,
        })
    }

    /// The figure `--screenshot` asks for, once (the app writes it with `finish_batch`).
    pub fn take_figure_due(&mut self) -> Option<FigureDue> {
        self.figure_due.take()
    }

    /// End a batch run whose file was written by the app (an SVG): exit code, message, close.
    pub fn finish_batch(&mut self, ctx: &egui::Context, r: &Result<String, String>) {
        if let Some(b) = &self.batch {
            b.exit.store(if r.is_ok() { 0 } else { 1 }, Ordering::SeqCst);
            if let Err(e) = r {
                eprintln!("lambdascope: {e}");
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    /// True while a sweep is being captured or encoded.
    pub fn sweeping(&self) -> bool {
        self.sweep.is_some() || self.encoding.is_some()
    }
}

/// A GIF of `frames` frames that plays in Play's duration, looping as the settings say.
fn play_timing(s: &Settings, frames: usize) -> Timing {
    Timing {
        frame_ms: ((s.play_seconds * 1000.0) / frames as f64).round().clamp(20.0, 10_000.0) as u32,
        repeat: s.gif_loop,
    }
}

/// `path`, or `stem-2.ext`, `stem-3.ext` … if a file of that name exists (a figure never
/// overwrites another silently).
pub fn numbered(path: &Path) -> PathBuf {
    if !path.exists() {
        return path.to_path_buf();
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    (2..10_000)
        .map(|k| path.with_file_name(format!("{stem}-{k}{ext}")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| path.to_path_buf())
}

/// A panel's figure to write: where, as what, at what size (SVG pixels) and density.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureDue {
    pub path: PathBuf,
    pub panel: Panel,
    pub format: Format,
    pub size: [f64; 2],
    pub density: f32,
}

/// `--size WxH` for a panel's figure: 720 SVG pixels high (the text's size on a slide) at the
/// aspect asked, rendered at H/720 device pixels each; without --size, 960×720 at density 2.
pub fn batch_figure_size(size: Option<[u32; 2]>) -> ([f64; 2], f32) {
    match size {
        Some([w, h]) => ([720.0 * w as f64 / h as f64, 720.0], h as f32 / 720.0),
        None => (crate::core::figure::DEFAULT_SIZE, 2.0),
    }
}

/// Write a panel's figure as SVG or PNG (the SVG rasterised at `density`); the message names the
/// file and its size.
pub fn write_figure(
    due: &FigureDue,
    view: Option<&super::ViewData>,
    dark: bool,
    prov: &[(String, String)],
) -> Result<String, String> {
    let d = view.ok_or("nothing is computed yet: no figure")?;
    let fig = super::figures::panel_figure(due.panel, d, dark, prov.to_vec())?;
    let svg = fig.to_svg(due.size);
    match due.format {
        Format::Svg => {
            crate::files::write_atomic(&due.path, svg.as_bytes())?;
            Ok(format!("saved {} ({} kB, vector)", due.path.display(), svg.len().div_ceil(1024)))
        }
        _ => {
            let img = super::widgets::raster::render_svg(&svg, due.density)?;
            save_png(&due.path, &img, prov)?;
            Ok(format!("saved {} ({}×{})", due.path.display(), img.width(), img.height()))
        }
    }
}

/// Write the SVG of `panel` at the default size from the view on screen.
pub fn save_svg(
    path: &Path,
    panel: Panel,
    view: Option<&super::ViewData>,
    dark: bool,
    prov: &[(String, String)],
) -> Result<String, String> {
    let due = FigureDue {
        path: path.to_path_buf(),
        panel,
        format: Format::Svg,
        size: crate::core::figure::DEFAULT_SIZE,
        density: 1.0,
    };
    write_figure(&due, view, dark, prov)
}

/// The panel a figure of `target` shows (the right column: its tab's panel); None for the window.
pub fn target_panel(target: ShotTarget, s: &Settings) -> Option<Panel> {
    match target {
        ShotTarget::Landscape => Some(Panel::Landscape),
        ShotTarget::Posterior => Some(Panel::Posterior),
        ShotTarget::Right => Some(match s.right_tab {
            crate::start::Tab::Volume => Panel::Volume,
            crate::start::Tab::Phase => Panel::Phase,
            crate::start::Tab::Theory => Panel::Theory,
            crate::start::Tab::Learn | crate::start::Tab::Tms => Panel::Learn,
        }),
        ShotTarget::Window | ShotTarget::Panels => None,
    }
}

/// The file name a figure gets by default: preset (or "formula"), n and ε.
pub fn default_stem(s: &Settings) -> String {
    let what = s.preset.clone().unwrap_or_else(|| "formula".into());
    format!("{what}_n{:.0e}_eps{:.0e}", s.n, s.eps).replace('+', "")
}

/// The provenance of a figure of `a` at n and ε, with the fit on screen.
pub fn provenance(
    a: Option<&Analysis>,
    fit: Option<&FitReport>,
    n: f64,
    eps: f64,
    command: String,
) -> Vec<(String, String)> {
    match a {
        Some(a) => {
            let p = Provenance::of(&a.landscape, Some(n), Some(eps), 0).with_command(command);
            match fit {
                Some(f) => p.with_fit(f).pairs(),
                None => p.pairs(),
            }
        }
        None => vec![("Software".into(), format!("lambdascope {}", env!("CARGO_PKG_VERSION")))],
    }
}

/// Where a CSV of the settings' kind goes.
pub fn csv_path(s: &Settings) -> PathBuf {
    PathBuf::from(&s.export_dir).join(format!("{}_{}.csv", default_stem(s), s.csv_what.name()))
}

/// Save every setting to a JSON file.
pub fn save_session(s: &Settings, path: &Path) -> Result<(), String> {
    crate::files::write_atomic(path, s.to_json().as_bytes())
}

/// Read and validate a session file; the file is only read.
pub fn load_session(path: &Path) -> Result<Settings, String> {
    let text = crate::files::read_capped(path, crate::files::MAX_SESSION_BYTES)?;
    Settings::parse(&text)
}
