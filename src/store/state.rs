//! Small keyed state files that outlive a process (the upload sessions of issue 12, through
//! `ops::uploads`): one file per key in a directory, named by the SHA-256 of the key's
//! parts, written through a temp file renamed over the old one, mode 0600 (the values may
//! carry a registry's session URLs). Entries older than the directory's maximum age are
//! ignored and removed. Every failure is logged at debug level and otherwise ignored: the
//! values are optimisations, never needed for correctness.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest as _, Sha256};
use tracing::debug;

/// A directory of keyed state files.
#[derive(Debug, Clone)]
pub struct StateDir {
    dir: PathBuf,
    max_age: Duration,
}

impl StateDir {
    /// State files in `dir` (created on the first save); entries untouched for longer than
    /// `max_age` are stale.
    pub fn new(dir: &Path, max_age: Duration) -> StateDir {
        StateDir {
            dir: dir.to_path_buf(),
            max_age,
        }
    }

    /// The file of the key made of `parts` (each part ends with a NUL in the hash, so
    /// `["ab","c"]` and `["a","bc"]` differ).
    fn path(&self, parts: &[&str]) -> PathBuf {
        let mut h = Sha256::new();
        for part in parts {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        self.dir.join(format!("{}.json", hex::encode(h.finalize())))
    }

    /// The value saved under `parts`, unless absent, unreadable or stale (a stale one is
    /// removed).
    pub fn load(&self, parts: &[&str]) -> Option<Vec<u8>> {
        let path = self.path(parts);
        let meta = fs::metadata(&path).ok()?;
        let age = meta
            .modified()
            .ok()
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .unwrap_or_default();
        if age > self.max_age {
            let _ = fs::remove_file(&path);
            return None;
        }
        fs::read(&path).ok()
    }

    /// Saves (replaces) the value under `parts`.
    pub fn save(&self, parts: &[&str], bytes: &[u8]) {
        let path = self.path(parts);
        let write = || -> std::io::Result<()> {
            fs::create_dir_all(&self.dir)?;
            // tempfile creates the file 0600 on Unix.
            let mut tmp = tempfile::Builder::new()
                .prefix(".state")
                .tempfile_in(&self.dir)?;
            tmp.write_all(bytes)?;
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok(())
        };
        if let Err(e) = write() {
            debug!(path = %path.display(), error = %e, "state file not saved");
        }
    }

    /// Removes the value under `parts` (absent is fine).
    pub fn remove(&self, parts: &[&str]) {
        let path = self.path(parts);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => debug!(path = %path.display(), error = %e, "state file not removed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_by_their_key_only_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let s = StateDir::new(&dir.path().join("d"), Duration::from_secs(60));
        assert_eq!(s.load(&["h", "a"]), None);
        s.save(&["h", "a"], b"one");
        assert_eq!(s.load(&["h", "a"]).as_deref(), Some(&b"one"[..]));
        assert_eq!(s.load(&["ha", ""]), None);
        s.save(&["h", "a"], b"two");
        assert_eq!(s.load(&["h", "a"]).as_deref(), Some(&b"two"[..]));
        s.remove(&["h", "a"]);
        assert_eq!(s.load(&["h", "a"]), None);
        s.remove(&["h", "a"]);
    }

    #[test]
    fn files_are_private_and_stale_ones_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let s = StateDir::new(dir.path(), Duration::from_secs(3600));
        s.save(&["k"], b"v");
        let path = s.path(&["k"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let old = SystemTime::now() - Duration::from_secs(7200);
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert_eq!(s.load(&["k"]), None);
        assert!(!path.exists());
    }
}
