//! Resumable downloads into the store: a partial file `<root>/.imgctl/partial/<alg>-<hex>` per
//! blob, locked while written, kept across failures and processes, hashed again from disk
//! before it continues, and renamed into `blobs/` only once it verifies.

use std::fs::{self, File, OpenOptions};
use std::future::Future;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use futures_util::Stream;
use tokio::io::AsyncRead;
use tokio_util::io::ReaderStream;

use super::blobs::{CHUNK, joined, mismatch, pump};
use super::lock::same_file;
use super::{Layout, PARTIAL_DIR, create_dir_within, is_disk_full, sync_dir};
use crate::digest::{Digest, Hasher};
use crate::error::{Context, ErrorKind, Result};

impl Layout {
    /// Like [`Layout::write_blob`], but resumable across failures and processes: the bytes go
    /// to a partial file `<root>/.imgctl/partial/<alg>-<hex>` that is kept when reading fails
    /// (a dropped connection, Ctrl-C, kill -9), so the next call continues where it stopped.
    ///
    /// `open(offset)` must yield the blob's content from byte `offset` (bytes already in the
    /// partial file; 0 for a fresh download). The prefix already on disk is hashed again
    /// first, so the final digest always covers every byte. The partial file is locked
    /// (exclusive `flock`) while in use: a second writer of the same blob, in this or another
    /// process, waits and then finds the blob present (or continues an abandoned partial).
    ///
    /// When the finished content does not verify, it is fetched once more from byte 0 (a
    /// prefix kept from an earlier run, or a source that resumed with `Range` within this
    /// call, may have spliced bytes of two servers); when that does not verify either, the
    /// partial file is deleted and the error returned.
    ///
    /// Returns the bytes read from `open` in this call (0 when the blob was present).
    /// Errors: as [`Layout::write_blob`] (`open`'s errors are returned as they are); on a read
    /// error other than Integrity the partial file is kept.
    pub async fn write_blob_resumable<R, F, Fut>(
        &self,
        digest: &Digest,
        size: Option<u64>,
        open: F,
    ) -> Result<u64>
    where
        R: AsyncRead + Unpin + Send,
        F: Fn(u64) -> Fut,
        Fut: Future<Output = Result<R>>,
    {
        self.write_blob_chunks_resumable(digest, size, |offset| {
            let opened = open(offset);
            async move { Ok(ReaderStream::with_capacity(opened.await?, CHUNK)) }
        })
        .await
    }

    /// [`Layout::write_blob_resumable`] from a source of chunks (`open(offset)` yields the
    /// blob from byte `offset` as a stream of chunks, e.g. an HTTP body's), which are written
    /// as they came, without a copy. Returns and errors as [`Layout::write_blob_resumable`].
    pub async fn write_blob_chunks_resumable<S, F, Fut>(
        &self,
        digest: &Digest,
        size: Option<u64>,
        open: F,
    ) -> Result<u64>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Unpin + Send,
        F: Fn(u64) -> Fut,
        Fut: Future<Output = Result<S>>,
    {
        if self.present(digest, size).await {
            return Ok(0);
        }
        let ctx = || {
            format!(
                "failed to write blob {digest} to OCI layout {}",
                self.root.display()
            )
        };
        let path = self.partial_path(digest);
        let layout = self.clone();
        let d = digest.clone();
        // A download cancelled before its first byte (another blob of the copy failed) leaves
        // no empty partial file behind: the guard is made with the file, on the blocking
        // thread, so it is dropped (and the empty file deleted) even when this future is
        // dropped while that thread still runs.
        let guard_path = path.clone();
        let locked = tokio::task::spawn_blocking(move || {
            let locked = layout.lock_partial(&d, size);
            (locked, RemoveIfEmpty(guard_path))
        })
        .await
        .map_err(joined)
        .and_then(|(r, guard)| r.map(|l| (l, guard)))
        .map_err(|e| e.context(ctx()))?;
        let (Some((mut file, mut hasher, mut have)), _empty) = locked else {
            return Ok(0); // another writer finished it while we waited
        };
        let mut fetched = 0u64;
        let mut restarted = false;
        loop {
            let start = have;
            // A partial file holding every byte already (the connection dropped after the last
            // one): verified as it is, never asked for from its end (a registry answers 416).
            if start > 0 && size == Some(start) {
                let got = hasher.clone().finish();
                if &got == digest {
                    break;
                }
                tracing::warn!(%digest, "complete partial download does not verify; starting over");
                restarted = true;
                file.set_len(0).ctx(ctx)?;
                file.seek(std::io::SeekFrom::Start(0)).ctx(ctx)?;
                hasher = Hasher::new(digest.algorithm());
                have = 0;
                continue;
            }
            if start > 0 {
                tracing::debug!(%digest, offset = start, "resuming partial download");
            }
            // The source's own errors (a missing blob, a refused request) name the source. An
            // empty partial file is not worth keeping (no 0-byte partials after a 404).
            let mut reader = match open(start).await {
                Ok(r) => r,
                Err(e) => {
                    if have == 0 {
                        let _ = fs::remove_file(&path);
                    }
                    return Err(e);
                }
            };
            let pumped = match pump(&mut reader, file, hasher, start, size, digest).await {
                Ok(p) => p,
                Err(e) => {
                    // A full disk: what was written would only keep it full.
                    if is_disk_full(&e) {
                        let _ = fs::remove_file(&path);
                    }
                    return Err(e.context(ctx()));
                }
            };
            file = pumped.sink;
            fetched += pumped.written;
            have = start + pumped.written;
            if let Err(e) = pumped.read {
                if e.kind() != ErrorKind::Integrity && have > 0 {
                    tracing::info!(%digest, bytes = have, "download interrupted; partial file kept for resuming");
                    return Err(e);
                }
                // The content is wrong (e.g. longer than its size): nothing of it is kept.
                let _ = fs::remove_file(&path);
                return Err(e);
            }
            let got = pumped.hasher.finish();
            if &got == digest && size.is_none_or(|s| s == have) {
                break;
            }
            let err = mismatch(digest, size, &got, have);
            // Once from byte 0: a prefix kept from an earlier run, or a download the source
            // resumed with Range after a dropped connection, may splice two servers' bytes.
            if !restarted {
                tracing::warn!(%digest, "download does not verify ({err}); fetching it once more from byte 0");
                restarted = true;
                file.set_len(0).ctx(ctx)?;
                file.seek(std::io::SeekFrom::Start(0)).ctx(ctx)?;
                hasher = Hasher::new(digest.algorithm());
                have = 0;
                continue;
            }
            let _ = fs::remove_file(&path);
            return Err(err);
        }
        let dest = self.blob_path(digest);
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || -> Result<()> {
            // The data (and the size that reads it back); the rename is made durable by the
            // directory's fsync below.
            file.sync_data()
                .ctx(|| format!("failed to fsync {}", path.display()))?;
            let parent = dest.parent().unwrap_or(Path::new("."));
            create_dir_within(&root, parent)
                .ctx(|| format!("failed to create {}", parent.display()))?;
            // Renamed while still locked, so a waiting writer finds the blob, not the partial.
            fs::rename(&path, &dest)
                .ctx(|| format!("failed to move {} to {}", path.display(), dest.display()))?;
            sync_dir(parent);
            drop(file);
            Ok(())
        })
        .await
        .map_err(joined)
        .and_then(|r| r)
        .map_err(|e| e.context(ctx()))?;
        Ok(fetched)
    }

    /// Deletes the partial download of `digest` unless another writer holds it, waiting up to
    /// about a second for a writer of this process that is finishing (a cancelled download's
    /// thread). Returns whether no partial file is left. Best effort.
    pub fn remove_partial_if_unused(&self, digest: &Digest) -> bool {
        let path = self.partial_path(digest);
        for _ in 0..50 {
            let file = match OpenOptions::new().read(true).write(true).open(&path) {
                Ok(f) => f,
                Err(e) => return e.kind() == std::io::ErrorKind::NotFound,
            };
            match file.try_lock() {
                Ok(()) => {
                    if same_file(&file, &path) {
                        return fs::remove_file(&path).is_ok();
                    }
                    continue;
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::Error(_)) => return false,
            }
        }
        false
    }

    /// `<root>/.imgctl/partial/<alg>-<hex>`.
    pub fn partial_path(&self, digest: &Digest) -> PathBuf {
        self.private_dir().join(PARTIAL_DIR).join(format!(
            "{}-{}",
            digest.algorithm().as_str(),
            digest.hex()
        ))
    }

    /// Opens and exclusively locks the partial file of `digest` (blocking while another writer
    /// holds it), positioned at its end, with the hash state of its content. `None` when the
    /// blob became present meanwhile. A partial longer than `size` is emptied.
    fn lock_partial(
        &self,
        digest: &Digest,
        size: Option<u64>,
    ) -> Result<Option<(File, Hasher, u64)>> {
        let path = self.partial_path(digest);
        let dir = path.parent().unwrap_or(Path::new("."));
        create_dir_within(&self.root, dir).ctx(|| format!("failed to create {}", dir.display()))?;
        let ctx = || format!("failed to open partial download {}", path.display());
        loop {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .ctx(ctx)?;
            file.lock().ctx(ctx)?;
            if self.has_blob(digest) {
                return Ok(None);
            }
            // The previous holder may have renamed or deleted the file we opened: start again
            // unless the path still names it.
            if !same_file(&file, &path) {
                continue;
            }
            let mut len = file.metadata().ctx(ctx)?.len();
            if size.is_some_and(|s| len > s) {
                file.set_len(0).ctx(ctx)?;
                len = 0;
            }
            let mut hasher = Hasher::new(digest.algorithm());
            let mut buf = vec![0u8; CHUNK];
            let mut left = len;
            while left > 0 {
                let n = file.read(&mut buf).ctx(ctx)?;
                if n == 0 {
                    break;
                }
                let n = n.min(left as usize);
                hasher.update(&buf[..n]);
                left -= n as u64;
            }
            file.seek(std::io::SeekFrom::Start(len)).ctx(ctx)?;
            return Ok(Some((file, hasher, len)));
        }
    }
}

/// Deletes its file when dropped if the file is empty (an unused partial download).
struct RemoveIfEmpty(PathBuf);

impl Drop for RemoveIfEmpty {
    fn drop(&mut self) {
        if fs::symlink_metadata(&self.0).is_ok_and(|m| m.is_file() && m.len() == 0) {
            let _ = fs::remove_file(&self.0);
        }
    }
}
