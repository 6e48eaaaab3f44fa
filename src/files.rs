//! Files the app writes and reads: every write is atomic (a temporary file in the same folder,
//! then a rename), so a failed save leaves nothing behind and never truncates the file it was
//! replacing; every read of a user's file is capped in size. Hand-written (a few lines) rather than
//! the `tempfile` crate: only the same-folder temporary and the rename are needed.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The largest session file read (a real one is ~3 kB).
pub const MAX_SESSION_BYTES: u64 = 1 << 20;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The temporary file beside `path`: `.NAME.PID-K.tmp`.
fn temp_beside(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let k = COUNTER.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.{}-{k}.tmp", std::process::id()))
}

/// Write `bytes` to `path` atomically; the message names the path and the reason.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if path.file_name().is_none() || path.is_dir() {
        return Err(format!("could not write {}: it is a folder, not a file name", path.display()));
    }
    let tmp = temp_beside(path);
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("could not write {}: {e}", path.display())
    })
}

/// Read a text file of at most `max` bytes; the message names the path and the reason.
pub fn read_capped(path: &Path, max: u64) -> Result<String, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("could not read {}: {e}", path.display()))?;
    let mut buf = Vec::new();
    f.take(max + 1).read_to_end(&mut buf).map_err(|e| format!("could not read {}: {e}", path.display()))?;
    if buf.len() as u64 > max {
        return Err(format!(
            "{} is larger than {} kB: not a session file (a session is a few kB)",
            path.display(),
            max / 1024
        ));
    }
    String::from_utf8(buf).map_err(|_| format!("{} is not a text file", path.display()))
}
