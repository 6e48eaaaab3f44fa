//! Writing animated GIFs: one palette per frame (NeuQuant, the `gif` crate's `from_rgba_speed`),
//! the frame delay and the loop count chosen, the provenance as a GIF comment block. The `gif`
//! crate directly rather than `image`'s wrapper: only it writes comment extensions.

use eframe::egui;

/// How an animation plays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Delay between frames in milliseconds (GIF stores hundredths of a second; ≥ 20 ms, since
    /// most viewers slow faster frames down to 100 ms).
    pub frame_ms: u32,
    /// 0: loop forever; k: play k + 1 times.
    pub repeat: u16,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing { frame_ms: 100, repeat: 0 }
    }
}

/// The frame delays a GIF can hold, in milliseconds.
pub const FRAME_MS: std::ops::RangeInclusive<u32> = 20..=10_000;

/// Encode `frames` (all of the first one's size; others are resized to it) into GIF bytes.
/// `speed` 1…30: NeuQuant's sampling (10 is the usual balance of quality and time).
pub fn encode_gif(
    frames: &[egui::ColorImage],
    timing: Timing,
    provenance: &[(String, String)],
    speed: i32,
) -> Result<Vec<u8>, String> {
    let first = frames.first().ok_or("no frames to write")?;
    let (w, h) = (first.width(), first.height());
    let (w16, h16) = (
        u16::try_from(w).map_err(|_| format!("a GIF is at most 65535 pixels wide ({w})"))?,
        u16::try_from(h).map_err(|_| format!("a GIF is at most 65535 pixels high ({h})"))?,
    );
    let mut bytes = Vec::new();
    {
        let mut enc = ::gif::Encoder::new(&mut bytes, w16, h16, &[]).map_err(|e| format!("GIF: {e}"))?;
        enc.set_repeat(if timing.repeat == 0 { ::gif::Repeat::Infinite } else { ::gif::Repeat::Finite(timing.repeat) })
            .map_err(|e| format!("GIF: {e}"))?;
        // provenance: a comment extension (0xFE), one "key: value" per line
        let text: String = provenance.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
        if !text.is_empty() {
            enc.write_raw_extension(::gif::Extension::Comment.into(), &[text.as_bytes()])
                .map_err(|e| format!("GIF comment: {e}"))?;
        }
        let delay = (timing.frame_ms.clamp(*FRAME_MS.start(), *FRAME_MS.end()) / 10) as u16;
        for img in frames {
            let img = super::png::resize(img, w, h);
            let mut rgba: Vec<u8> = img.pixels.iter().flat_map(|c| c.to_array()).collect();
            let mut frame = ::gif::Frame::from_rgba_speed(w16, h16, &mut rgba, speed.clamp(1, 30));
            frame.delay = delay;
            enc.write_frame(&frame).map_err(|e| format!("GIF frame: {e}"))?;
        }
    }
    Ok(bytes)
}

/// Encode and write atomically.
pub fn save_gif(
    path: &std::path::Path,
    frames: &[egui::ColorImage],
    timing: Timing,
    provenance: &[(String, String)],
) -> Result<(), String> {
    let bytes = encode_gif(frames, timing, provenance, 10)?;
    crate::files::write_atomic(path, &bytes)
}
