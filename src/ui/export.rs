//! Figures and files: PNGs of the window or a panel (through egui's screenshot callback, which
//! delivers the image a frame later), the n-sweep frames, CSV files, sessions, and the batch
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
use crate::start::Batch;

use super::settings::{Settings, ShotTarget};
use super::widgets::png::{resize, save_png};

/// Where the screenshot callback leaves the image for a later frame.
type ShotSlot = Arc<std::sync::Mutex<Option<Arc<egui::ColorImage>>>>;

/// How many frames an n sweep writes.
pub const SWEEP_FRAMES: usize = 48;

/// The state of an n-sweep export: one frame is set, drawn, captured, saved, then the next.
#[derive(Debug, Clone)]
pub struct SweepFrames {
    pub dir: PathBuf,
    pub k: usize,
    pub frames: usize,
    /// log10 n of the first and the last frame.
    pub t0: f64,
    pub t1: f64,
    /// 0: set n; 1: request the shot (n drawn); 2: waiting for the image
    pub stage: u8,
}

/// `--screenshot`: the figure to take, and the process's exit code (0 saved, 1 failed).
struct BatchRun {
    batch: Batch,
    exit: Arc<AtomicI32>,
    settled: u32,
    started: Instant,
    /// The process is closing (the reason has been printed once).
    closing: bool,
}

pub struct Exports {
    shot: Option<(ShotTarget, PathBuf, ShotSlot)>,
    pub sweep: Option<SweepFrames>,
    pub sweep_frames: usize,
    batch: Option<BatchRun>,
    /// Where the panels were drawn last frame (for cropping): landscape, posterior, right column.
    pub rects: [Option<egui::Rect>; 3],
}

impl Exports {
    pub fn new(batch: Option<Batch>, exit: Arc<AtomicI32>) -> Exports {
        Exports {
            shot: None,
            sweep: None,
            sweep_frames: SWEEP_FRAMES,
            batch: batch.map(|batch| BatchRun { batch, exit, settled: 0, started: Instant::now(), closing: false }),
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

    /// Start an n sweep from n/100 to 100·n into a folder named after the view.
    pub fn start_sweep(&mut self, s: &Settings) -> Result<(), String> {
        let t0 = (s.n / 100.0).max(1.0).log10();
        let t1 = (s.n * 100.0).min(N_MAX).log10();
        let dir = PathBuf::from(&s.export_dir).join(format!("{}_sweep", default_stem(s)));
        std::fs::create_dir_all(&dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        self.sweep = Some(SweepFrames { dir, k: 0, frames: self.sweep_frames.max(2), t0, t1, stage: 0 });
        Ok(())
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
            if b.settled == 5 && self.shot.is_none() {
                self.request_shot(ctx, target, path);
            }
            ctx.request_repaint_after(Duration::from_millis(30));
        }
        if let Some(sw) = self.sweep.clone() {
            match sw.stage {
                0 => {
                    let t = sw.t0 + (sw.t1 - sw.t0) * sw.k as f64 / (sw.frames - 1).max(1) as f64;
                    s.n = 10f64.powf(t).clamp(1.0, N_MAX);
                    self.sweep = Some(SweepFrames { stage: 1, ..sw });
                    ctx.request_repaint();
                }
                1 => {
                    let path = sw.dir.join(format!("frame_{:04}.png", sw.k));
                    self.request_shot(ctx, s.png_target, path);
                    self.sweep = Some(SweepFrames { stage: 2, ..sw });
                }
                _ => {}
            }
        }
        self.arrived(ctx, prov)
    }

    /// A screenshot that has arrived: crop, save, and go on (the next sweep frame, or exit in batch).
    fn arrived(&mut self, ctx: &egui::Context, prov: &[(String, String)]) -> Option<String> {
        let img = self.shot.as_ref().and_then(|(_, _, slot)| slot.lock().ok().and_then(|mut s| s.take()))?;
        let (target, path, _) = self.shot.take()?;
        let ppp = ctx.pixels_per_point();
        let rect = match target {
            ShotTarget::Window => None,
            ShotTarget::Landscape => self.rects[0],
            ShotTarget::Posterior => self.rects[1],
            ShotTarget::Right => self.rects[2],
        };
        let img = match rect {
            Some(r) => img.region(&r, Some(ppp)),
            None => (*img).clone(),
        };
        let img = match self.batch.as_ref().and_then(|b| b.batch.size) {
            Some([w, h]) => resize(&img, w as usize, h as usize),
            None => img,
        };
        let r = save_png(&path, &img, prov);
        if let Some(sw) = self.sweep.clone() {
            // the next frame of an n sweep, or done
            if r.is_ok() && sw.k + 1 < sw.frames {
                self.sweep = Some(SweepFrames { k: sw.k + 1, stage: 0, ..sw });
                ctx.request_repaint();
                return None;
            }
            self.sweep = None;
            return Some(match &r {
                Ok(()) => format!("saved {} frames in {}", sw.k + 1, sw.dir.display()),
                Err(e) => e.clone(),
            });
        }
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
