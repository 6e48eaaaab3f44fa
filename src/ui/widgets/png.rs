//! Writing PNGs with provenance (iTXt chunks: the formula may hold non-Latin-1 text).

use eframe::egui;

/// Save an RGBA image with text chunks.
pub fn save_png(path: &std::path::Path, img: &egui::ColorImage, text: &[(String, String)]) -> Result<(), String> {
    let mut bytes: Vec<u8> = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, img.width() as u32, img.height() as u32);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        for (k, v) in text {
            enc.add_itxt_chunk(k.clone(), v.clone()).map_err(|e| format!("PNG text chunk: {e}"))?;
        }
        let mut writer = enc.write_header().map_err(|e| format!("PNG header: {e}"))?;
        writer.write_image_data(img.as_raw()).map_err(|e| format!("PNG data: {e}"))?;
        writer.finish().map_err(|e| format!("PNG: {e}"))?;
    }
    // encoded in memory, then written atomically: a failure leaves no partial file
    crate::files::write_atomic(path, &bytes)
}

/// Nearest-neighbour resize to exactly w×h pixels (for `--size`, when the window came out at
/// another pixel density).
pub fn resize(img: &egui::ColorImage, w: usize, h: usize) -> egui::ColorImage {
    if img.width() == w && img.height() == h {
        return img.clone();
    }
    let mut px = Vec::with_capacity(w * h);
    for j in 0..h {
        let sj = (j * img.height() / h.max(1)).min(img.height() - 1);
        for i in 0..w {
            let si = (i * img.width() / w.max(1)).min(img.width() - 1);
            px.push(img.pixels[sj * img.width() + si]);
        }
    }
    egui::ColorImage::new([w, h], px)
}
