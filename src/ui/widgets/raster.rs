//! A vector figure rasterised (resvg): the PNG of a panel at any size and pixel density, with the
//! same layout, labels and legend as its SVG. The text is set in the fonts egui ships (so that a
//! figure looks the same on every machine), with the system's DejaVu Sans as a fallback for the
//! few glyphs they lack.

use eframe::egui;
use std::sync::OnceLock;

/// The fonts, loaded once.
fn fonts() -> std::sync::Arc<resvg::usvg::fontdb::Database> {
    static DB: OnceLock<std::sync::Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        let defs = egui::FontDefinitions::default();
        for name in ["Ubuntu-Light", "Hack"] {
            if let Some(f) = defs.font_data.get(name) {
                db.load_font_data((*f.font).as_ref().to_vec());
            }
        }
        let sans = db
            .faces()
            .find(|f| f.families.iter().any(|(n, _)| n.starts_with("Ubuntu")))
            .map(|f| f.families[0].0.clone());
        for path in ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf"] {
            if let Ok(data) = std::fs::read(path) {
                db.load_font_data(data);
                break;
            }
        }
        if let Some(s) = sans {
            db.set_sans_serif_family(s);
        }
        std::sync::Arc::new(db)
    })
    .clone()
}

/// Render SVG text at `density` device pixels per SVG pixel.
pub fn render_svg(svg: &str, density: f32) -> Result<egui::ColorImage, String> {
    let opt = resvg::usvg::Options { fontdb: fonts(), ..Default::default() };
    let tree = resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| format!("SVG: {e}"))?;
    let size = tree.size();
    let (w, h) = ((size.width() * density).round() as u32, (size.height() * density).round() as u32);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w.max(1), h.max(1)).ok_or("the figure is too large to render")?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(density, density), &mut pixmap.as_mut());
    Ok(egui::ColorImage::from_rgba_premultiplied([w as usize, h as usize], pixmap.data()))
}
