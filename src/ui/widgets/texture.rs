//! A texture kept across frames and rebuilt only when its key changes.

use eframe::egui;
use egui::{ColorImage, TextureHandle, TextureId, TextureOptions};

/// A texture and the key of the data it shows.
pub struct CachedTexture<K> {
    tex: Option<TextureHandle>,
    key: Option<K>,
}

impl<K> Default for CachedTexture<K> {
    fn default() -> Self {
        CachedTexture { tex: None, key: None }
    }
}

impl<K: PartialEq> CachedTexture<K> {
    /// The texture for `key`, made by `make` when the key changed (set in place: the GPU keeps one
    /// allocation per panel). Nearest-neighbour sampling: a cell of the grid stays a cell.
    pub fn get(&mut self, ctx: &egui::Context, name: &str, key: K, make: impl FnOnce() -> ColorImage) -> TextureId {
        if self.key.as_ref() != Some(&key) || self.tex.is_none() {
            let img = make();
            match &mut self.tex {
                Some(t) => t.set(img, TextureOptions::NEAREST),
                None => self.tex = Some(ctx.load_texture(name, img, TextureOptions::NEAREST)),
            }
            self.key = Some(key);
        }
        match &self.tex {
            Some(t) => t.id(),
            None => TextureId::default(),
        }
    }

    /// Forget the key (the next `get` rebuilds).
    pub fn invalidate(&mut self) {
        self.key = None;
    }
}
