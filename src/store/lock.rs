//! The store's two locks, both advisory file locks in `<root>/.imgctl/` (`File::lock`, i.e.
//! `flock` on Unix, `LockFileEx` on Windows): `lock`, held exclusively around every
//! read-modify-write of `index.json`, and `writers.lock`, held shared by every process writing
//! into the layout and exclusively by garbage collection.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use super::{LOCK_FILE, Layout, WRITERS_LOCK};
use crate::error::{Context, Error, Result};

/// The exclusive lock on `index.json`; released when dropped (the file is closed).
pub(super) struct IndexLock {
    _file: File,
}

/// A writer's shared lock on the layout (see [`Layout::writer_lock`]), or gc's exclusive one
/// ([`Layout::try_writers_exclusive`]); released when dropped.
#[derive(Debug)]
pub struct WriterLock {
    file: File,
    path: PathBuf,
}

impl WriterLock {
    /// Whether the lock file's path still names the file this lock holds (the same file
    /// identity, on every OS). False when the layout directory, or the lock file, was renamed,
    /// removed or replaced meanwhile (a staging layout cleaned up by another process while this
    /// one waited for the lock): the lock then protects nothing.
    pub fn is_current(&self) -> bool {
        same_file(&self.file, &self.path)
    }
}

impl Layout {
    /// Takes a shared lock on `<root>/.imgctl/writers.lock` for as long as the returned guard
    /// lives. Hold it from before the first blob is written until `index.json` names the
    /// image: [`Layout::gc_with`] does not delete blobs while any writer holds it. Blocks while
    /// a garbage collection runs.
    ///
    /// Errors: Other when the lock file cannot be created or locked.
    pub fn writer_lock(&self) -> Result<WriterLock> {
        let file = self.open_lock_file(WRITERS_LOCK)?;
        let path = self.private_dir().join(WRITERS_LOCK);
        file.lock_shared()
            .ctx(|| format!("failed to lock {}", path.display()))?;
        Ok(WriterLock { file, path })
    }

    /// Takes `<root>/.imgctl/writers.lock` exclusively without waiting: `Ok(None)` while any
    /// process holds [`Layout::writer_lock`] (or another exclusive one). Garbage collection and
    /// the removal of a staging layout take it so that no writer loses files under it.
    ///
    /// Errors: Other when the lock file cannot be created or locked for another reason.
    pub fn try_writers_exclusive(&self) -> Result<Option<WriterLock>> {
        let file = self.open_lock_file(WRITERS_LOCK)?;
        let path = self.private_dir().join(WRITERS_LOCK);
        match file.try_lock() {
            Ok(()) => Ok(Some(WriterLock { file, path })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(Error::from(e).context(format!("failed to lock {}", path.display())))
            }
        }
    }

    /// Takes the exclusive lock on `index.json` (`<root>/.imgctl/lock`), blocking while
    /// another writer holds it; held across a read-modify-write of `index.json`.
    ///
    /// Errors: Other when the lock file cannot be created or locked.
    pub(super) fn lock(&self) -> Result<IndexLock> {
        let file = self.open_lock_file(LOCK_FILE)?;
        file.lock().ctx(|| {
            format!(
                "failed to lock {}",
                self.private_dir().join(LOCK_FILE).display()
            )
        })?;
        Ok(IndexLock { _file: file })
    }

    fn open_lock_file(&self, name: &str) -> Result<File> {
        let dir = self.private_dir();
        fs::create_dir_all(&dir).ctx(|| format!("failed to create {}", dir.display()))?;
        let path = dir.join(name);
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .ctx(|| format!("failed to open lock file {}", path.display()))
    }
}

/// Whether `path` still names the open `file`: the same file identity, as the `same-file` crate
/// reads it (device and inode on Unix; volume serial number and file index on Windows). False
/// when `path` is gone or names another file (the layout directory, or the file itself, was
/// renamed, removed or replaced since `file` was opened), or when either identity cannot be
/// read.
pub(super) fn same_file(file: &File, path: &Path) -> bool {
    let Ok(open) = file.try_clone().and_then(same_file::Handle::from_file) else {
        return false;
    };
    same_file::Handle::from_path(path).is_ok_and(|named| named == open)
}
