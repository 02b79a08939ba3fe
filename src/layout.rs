//! The OCI image layout store (OCI image spec `image-layout.md`; docs/DESIGN.md §6).
//!
//! A layout is a directory holding `oci-layout` (`{"imageLayoutVersion":"1.0.0"}`), `index.json`
//! (an OCI image index whose entries are the layout's images, named by the
//! [`REF_NAME`] annotation) and content-addressed blobs at `blobs/<alg>/<hex>`. Many images share
//! one layout and its blobs.
//!
//! Why it is written the way it is:
//!
//! - **Nothing half-written is ever visible.** Blobs and `index.json` are written to a temp file
//!   in `<root>/.imgctl/tmp/` (same filesystem, so the final rename is atomic), fsync'd, verified
//!   and renamed into place. A crash leaves at most a stale temp file, which [`Layout::gc`]
//!   removes after an hour.
//! - **Writers lose nothing.** `index.json` is changed only by a read-modify-write under an
//!   exclusive lock on `<root>/.imgctl/lock` (`File::lock`, i.e. `flock`/`LockFileEx`), so two
//!   processes (or threads) naming images in one layout both get their entry. Readers take no
//!   lock: a rename replaces the file whole, so they see the old or the new index.
//! - **Foreign content survives.** `index.json` is edited as JSON values, so fields and entries
//!   written by other tools (skopeo, umoci, regclient, crane) are kept.
//! - **Paths are built from components** (`root/blobs/sha256/<hex>`), never from strings with a
//!   separator, so the layout is the same on every OS.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::future::Future;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use oci_spec::image::Descriptor;
use serde_json::{Map, Value};
use tempfile::NamedTempFile;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};
use tokio::sync::mpsc;

use crate::digest::{Algorithm, Digest, Hasher};
use crate::error::{Context, Error, ErrorKind, Result};
use crate::manifest::{self, Manifest};

/// Annotation key naming an image in `index.json`.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// The `imageLayoutVersion` this module writes (and the major version it reads).
pub const LAYOUT_VERSION: &str = "1.0.0";

/// Temp files in `<root>/.imgctl/tmp/` untouched for this long are removed by [`Layout::gc`]:
/// an active write touches its file at least every chunk, so only abandoned writes are that old.
pub const STALE_TEMP_AGE: Duration = Duration::from_secs(60 * 60);

/// Largest blob [`Layout::read_blob_bytes`] reads into memory (64 MiB). Manifests are at most a
/// few MiB (registries refuse more than 4 MiB); anything bigger must be streamed.
pub const MAX_SMALL_BLOB: u64 = 64 << 20;

const OCI_LAYOUT_FILE: &str = "oci-layout";
const INDEX_FILE: &str = "index.json";
const BLOBS_DIR: &str = "blobs";
/// imgctl's private directory inside a layout: temp files and the lock. Hidden, so tools that
/// list the layout ignore it; inside the layout, so renames stay on one filesystem.
const PRIVATE_DIR: &str = ".imgctl";
const TMP_DIR: &str = "tmp";
const LOCK_FILE: &str = "lock";
/// Partial downloads kept for resuming, named `<alg>-<hex>`.
const PARTIAL_DIR: &str = "partial";
/// Shared-locked by every process writing into the layout; exclusively by garbage collection.
const WRITERS_LOCK: &str = "writers.lock";
/// Partial downloads untouched for this long are removed by [`Layout::gc`].
pub const STALE_PARTIAL_AGE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The hint of an error caused by a full disk (or an exceeded quota) while writing into a
/// layout; [`is_disk_full`] recognises such errors.
pub const DISK_FULL_HINT: &str = "the disk holding the store or layout is full: free space \
(`imgctl prune` removes partial downloads and stale temp files, `imgctl rmi` removes images) \
and run the command again";

/// Whether `e`, returned by a layout write, was caused by a full disk or an exceeded quota
/// (it carries [`DISK_FULL_HINT`]).
pub fn is_disk_full(e: &Error) -> bool {
    e.hint() == Some(DISK_FULL_HINT)
}

/// Whether an I/O error means the disk (or the user's quota) is full.
fn io_disk_full(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// An imgctl error for a local write failure `e` with context `ctx`, carrying
/// [`DISK_FULL_HINT`] when the disk is full.
fn write_error(e: std::io::Error, ctx: String) -> Error {
    let full = io_disk_full(&e);
    let err = Error::from(e).context(ctx);
    if full {
        err.with_hint(DISK_FULL_HINT)
    } else {
        err
    }
}

/// Bytes per chunk handed from the async reader to the writing threads (256 KiB).
const CHUNK: usize = 256 << 10;
/// Chunks in flight between reader and writer: peak memory per write is about
/// `(CHUNK_QUEUE + 2) * CHUNK`, whatever the blob size.
const CHUNK_QUEUE: usize = 2;
/// Blobs of at least this many bytes are hashed on a thread of their own while being written
/// (a lone large layer then moves at about hashing speed rather than hashing + writing).
#[cfg(not(test))]
const SPLIT_HASHING_AT: u64 = 512 << 20;
/// Unit tests cover both paths: their blobs of 512 KiB and more take the split one.
#[cfg(test)]
const SPLIT_HASHING_AT: u64 = 512 << 10;
/// Blobs of a type imgctl does not know are read as possible manifests only up to this size.
const MAX_UNKNOWN_MANIFEST: u64 = 4 << 20;
/// The deprecated OCI artifact manifest (image-spec 1.1 release candidates); `blobs` + `subject`.
const OCI_ARTIFACT_MANIFEST: &str = "application/vnd.oci.artifact.manifest.v1+json";

/// An OCI image layout directory.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

/// What [`Layout::gc`] removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GcStats {
    /// Blobs deleted.
    pub blobs: usize,
    /// Bytes freed.
    pub bytes: u64,
    /// True when nothing was swept because another process was writing into the layout
    /// (it holds [`Layout::writer_lock`]); the blobs are collected by a later gc.
    pub deferred: bool,
}

/// Options for [`Layout::gc_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GcOptions {
    /// Unreachable blobs modified less than this long ago are kept. Blobs are written before
    /// the `index.json` entry that makes them reachable, so a copy into the layout running at
    /// the same time as gc has reachable-to-be blobs that look like garbage; a grace period
    /// longer than any copy protects them. Zero (the default, and [`Layout::gc`]) deletes every
    /// unreachable blob: use it only when no other writer is active.
    pub min_age: Duration,
    /// Report what would be deleted without deleting anything.
    pub dry_run: bool,
}

/// What [`Layout::prune`] removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PruneStats {
    /// Partial downloads deleted (`.imgctl/partial/`).
    pub partials: usize,
    /// Partial downloads kept because a running process is writing them.
    pub partials_in_use: usize,
    /// Temp files deleted (`.imgctl/tmp/`).
    pub temp_files: usize,
    /// Bytes freed by deleting partial downloads and temp files.
    pub bytes: u64,
    /// The garbage collection of blobs no image references ([`Layout::gc`]).
    pub gc: GcStats,
}

/// The exclusive lock on `index.json`; released when dropped (the file is closed).
struct IndexLock {
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
    /// Whether the lock file's path still names the file this lock holds. False when the
    /// layout directory was renamed or removed meanwhile (a staging layout cleaned up by
    /// another process while this one waited for the lock): the lock then protects nothing.
    pub fn is_current(&self) -> bool {
        same_file(&self.file, &self.path)
    }
}

/// How the mark phase reached a descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// An entry of `index.json` or of an image index's `manifests`: a manifest that must exist.
    Manifest,
    /// A config or layer (or an artifact's blob): marked, read only when of a manifest type.
    Blob,
    /// A referrer's `subject`: kept when present; its absence is normal.
    Subject,
}

impl Layout {
    /// Opens the layout at `root`, creating `root` itself, `oci-layout`, an empty `index.json`
    /// and `blobs/sha256/` when absent (creation runs under the layout lock, so two processes
    /// creating one layout agree).
    ///
    /// Errors: Usage when `root` is a file, or a non-empty directory without `oci-layout`
    /// (imgctl never turns a directory of other files into a layout); Usage when `oci-layout`
    /// names an unsupported version; Other on I/O failure.
    pub fn open_or_create(root: &Path) -> Result<Layout> {
        let layout = Layout {
            root: root.to_path_buf(),
        };
        match fs::metadata(root) {
            Ok(m) if !m.is_dir() => {
                return Err(Error::usage(format!(
                    "{} is not a directory, so it cannot hold an OCI image layout",
                    root.display()
                ))
                .with_hint(
                    "for a tar of a layout use oci-archive:FILE; for a layout name a directory",
                ));
            }
            Ok(_) => {
                let complete = [OCI_LAYOUT_FILE, INDEX_FILE]
                    .iter()
                    .all(|f| root.join(f).is_file())
                    && root
                        .join(BLOBS_DIR)
                        .join(Algorithm::Sha256.as_str())
                        .is_dir();
                if complete {
                    layout.check_version()?;
                    return Ok(layout);
                }
                if !root.join(OCI_LAYOUT_FILE).exists() {
                    layout.refuse_if_foreign()?;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir_all(root)
                    .ctx(|| format!("failed to create OCI layout directory {}", root.display()))?;
            }
            Err(e) => {
                return Err(Error::from(e).context(format!("failed to open {}", root.display())));
            }
        }

        let _lock = layout.lock()?;
        let oci_layout = root.join(OCI_LAYOUT_FILE);
        if oci_layout.exists() {
            layout.check_version()?;
        } else {
            // Another process may have populated the directory meanwhile: check again, locked.
            layout.refuse_if_foreign()?;
            let body = serde_json::json!({ "imageLayoutVersion": LAYOUT_VERSION });
            layout.atomic_write(&oci_layout, &serde_json::to_vec(&body)?)?;
        }
        let blobs = root.join(BLOBS_DIR).join(Algorithm::Sha256.as_str());
        fs::create_dir_all(&blobs).ctx(|| format!("failed to create {}", blobs.display()))?;
        if !root.join(INDEX_FILE).exists() {
            layout.write_index(&empty_index())?;
        }
        Ok(layout)
    }

    /// Opens an existing layout. Creates nothing, so read-only layouts can be opened.
    ///
    /// Errors: NotFound when `root/oci-layout` or `root/index.json` is missing; Usage when
    /// `oci-layout` names an unsupported version; Integrity when `oci-layout` is not valid JSON.
    pub fn open(root: &Path) -> Result<Layout> {
        let layout = Layout {
            root: root.to_path_buf(),
        };
        for f in [OCI_LAYOUT_FILE, INDEX_FILE] {
            if !root.join(f).is_file() {
                return Err(Error::not_found(format!(
                    "{} is not an OCI image layout: it has no {f}",
                    root.display()
                ))
                .with_hint("check the path, or write an image there first (e.g. `imgctl copy IMAGE oci:DIR:TAG`)"));
            }
        }
        layout.check_version()?;
        Ok(layout)
    }

    /// The layout directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Path of a blob: `root/blobs/<alg>/<hex>` (joined component by component). The blob need
    /// not exist.
    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.root
            .join(BLOBS_DIR)
            .join(digest.algorithm().as_str())
            .join(digest.hex())
    }

    /// Whether blob `digest` is present (a regular file at [`Layout::blob_path`]). Says nothing
    /// about its content; blobs written by imgctl were verified before they appeared.
    pub fn has_blob(&self, digest: &Digest) -> bool {
        self.blob_path(digest).is_file()
    }

    /// Streams `reader` into blob `digest` atomically; verifies digest and `size` (bytes, when
    /// known); returns the number of bytes written.
    ///
    /// The bytes go to a temp file in `<root>/.imgctl/tmp/` in 256 KiB chunks, written on one
    /// blocking thread while another hashes them (memory stays under ~2 MiB whatever the blob
    /// size; ~1.2 GB/s on a 2-core machine, the speed of sha256), then the file is fsync'd and
    /// renamed to `blobs/<alg>/<hex>` only if digest and size verify.
    ///
    /// When the blob is already present (and `size` is `None` or equals its length) `reader` is
    /// not read at all and `Ok(0)` is returned: every blob in the layout was verified when it
    /// was written. A present blob of the wrong length is replaced.
    ///
    /// Errors: Integrity when the content does not match `digest` or `size` (the message names
    /// the expected and the actual digest; nothing is left behind); the reader's own error
    /// (e.g. Network, NotFound, or Integrity from a [`crate::digest::VerifyingReader`]) when
    /// reading fails; Other on local I/O failure. Only local I/O failures name this layout:
    /// a read error or a mismatch concerns what was read, so it is returned without a "failed
    /// to write" context (the caller names the source). On any error, and when the future is
    /// dropped, the temp file is deleted and `blobs/` is untouched.
    pub async fn write_blob<R: AsyncRead + Unpin + Send>(
        &self,
        digest: &Digest,
        size: Option<u64>,
        mut reader: R,
    ) -> Result<u64> {
        let dest = self.blob_path(digest);
        if self.present(digest, size).await {
            return Ok(0);
        }
        let ctx = || {
            format!(
                "failed to write blob {digest} to OCI layout {}",
                self.root.display()
            )
        };
        let tmp = self.temp_file("blob-").map_err(|e| e.context(ctx()))?;
        let pumped = pump(
            &mut reader,
            tmp,
            Hasher::new(digest.algorithm()),
            0,
            size,
            digest,
        )
        .await
        .map_err(|e| e.context(ctx()))?;
        let (tmp, hasher, n) = (pumped.sink, pumped.hasher, pumped.written);
        if let Err(e) = pumped.read {
            let _ = tokio::task::spawn_blocking(move || drop(tmp)).await;
            return Err(e);
        }
        let got = hasher.finish();
        if &got != digest || size.is_some_and(|s| s != n) {
            // Unlinking a big file can take a while: not on this thread. Awaited, so nothing
            // is left behind once the error is returned.
            let _ = tokio::task::spawn_blocking(move || drop(tmp)).await;
            return Err(mismatch(digest, size, &got, n));
        }
        tokio::task::spawn_blocking(move || {
            tmp.as_file()
                .sync_all()
                .ctx(|| format!("failed to fsync {}", tmp.path().display()))?;
            persist(tmp, &dest)
        })
        .await
        .map_err(joined)
        .and_then(|r| r)
        .map_err(|e| e.context(ctx()))?;
        Ok(n)
    }

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
            file.sync_all()
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

    /// Removes the store's leftovers: every partial download no process is writing (the
    /// kept prefixes of interrupted downloads, whatever their age), the temp files of
    /// abandoned writes (all of them when no process writes into the layout, else those older
    /// than [`STALE_TEMP_AGE`]), then the blobs no image references ([`Layout::gc`], deferred
    /// while another process writes). Only deletes, so it works on a full disk.
    ///
    /// Errors: Other on I/O failure; gc's errors (a manifest an image needs is missing or
    /// corrupt: no blob is deleted then, but the partial downloads and temp files are).
    pub fn prune(&self) -> Result<PruneStats> {
        let writers = self.try_writers_exclusive()?;
        let mut stats = {
            let _lock = self.lock()?;
            self.clean_private(writers.is_some())
        };
        drop(writers);
        stats.gc = self.gc()?;
        Ok(stats)
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

    /// Writes small content (a manifest, a config) atomically after verifying it against
    /// `digest`. Does nothing when the blob is already present with the same length.
    ///
    /// Errors: Integrity when `bytes` do not hash to `digest` (nothing is written); Other on I/O
    /// failure.
    pub fn write_blob_bytes(&self, digest: &Digest, bytes: &[u8]) -> Result<()> {
        let ctx = || {
            format!(
                "failed to write blob {digest} to OCI layout {}",
                self.root.display()
            )
        };
        digest.verify(bytes).map_err(|e| e.context(ctx()))?;
        let dest = self.blob_path(digest);
        if fs::metadata(&dest).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64) {
            return Ok(());
        }
        self.atomic_write(&dest, bytes)
            .map_err(|e| e.context(ctx()))
    }

    /// Reads a small blob (at most [`MAX_SMALL_BLOB`] bytes) whole and verifies it.
    ///
    /// Errors: NotFound when absent; Integrity when its content does not hash to `digest`;
    /// Usage when it is larger than [`MAX_SMALL_BLOB`] (stream it with [`Layout::open_blob`]).
    pub fn read_blob_bytes(&self, digest: &Digest) -> Result<Vec<u8>> {
        let path = self.blob_path(digest);
        let mut f = File::open(&path).map_err(|e| self.blob_open_error(digest, e))?;
        let len = f
            .metadata()
            .ctx(|| format!("failed to stat {}", path.display()))?
            .len();
        if len > MAX_SMALL_BLOB {
            return Err(Error::usage(format!(
                "blob {digest} is {len} bytes, too large to read into memory (limit {MAX_SMALL_BLOB})"
            )));
        }
        let mut bytes = Vec::with_capacity(len as usize);
        f.read_to_end(&mut bytes)
            .ctx(|| format!("failed to read {}", path.display()))?;
        digest.verify(&bytes).map_err(|e| {
            e.context(format!(
                "blob {digest} in OCI layout {} is corrupt",
                self.root.display()
            ))
        })?;
        Ok(bytes)
    }

    /// Hashes blob `digest`'s file with the digest's algorithm: (its digest, its length in
    /// bytes). Blocking; for checking a blob a transfer found corrupt.
    ///
    /// Errors: NotFound when absent; Other on I/O failure.
    pub fn hash_blob(&self, digest: &Digest) -> Result<(Digest, u64)> {
        let path = self.blob_path(digest);
        let mut f = File::open(&path).map_err(|e| self.blob_open_error(digest, e))?;
        let mut hasher = Hasher::new(digest.algorithm());
        let mut buf = vec![0u8; CHUNK];
        let mut n = 0u64;
        loop {
            let got = f
                .read(&mut buf)
                .ctx(|| format!("failed to read {}", path.display()))?;
            if got == 0 {
                break;
            }
            hasher.update(&buf[..got]);
            n += got as u64;
        }
        Ok((hasher.finish(), n))
    }

    /// Opens a blob for reading from byte `offset` (for resuming). The content is not verified
    /// here: wrap the file in a [`crate::digest::VerifyingReader`] (resumed with the prefix's
    /// hash state when `offset > 0`).
    ///
    /// Errors: NotFound when absent; Usage when `offset` is past the end of the blob.
    pub async fn open_blob(&self, digest: &Digest, offset: u64) -> Result<tokio::fs::File> {
        let path = self.blob_path(digest);
        let mut f = tokio::fs::File::open(&path)
            .await
            .map_err(|e| self.blob_open_error(digest, e))?;
        if offset > 0 {
            let len = f
                .metadata()
                .await
                .ctx(|| format!("failed to stat {}", path.display()))?
                .len();
            if offset > len {
                return Err(Error::usage(format!(
                    "cannot read blob {digest} from byte {offset}: it has only {len} bytes"
                )));
            }
            f.seek(std::io::SeekFrom::Start(offset))
                .await
                .ctx(|| format!("failed to seek in {}", path.display()))?;
        }
        Ok(f)
    }

    /// The entries of `index.json`, in file order.
    ///
    /// Errors: NotFound when `index.json` is missing; Integrity when it, or an entry, is not a
    /// valid image index / descriptor.
    pub fn manifests(&self) -> Result<Vec<Descriptor>> {
        entries(&self.read_index()?)
            .iter()
            .enumerate()
            .map(|(i, e)| self.entry_descriptor(i, e))
            .collect()
    }

    /// The ref names (tags) of `index.json` entries, in file order; unnamed entries are skipped.
    ///
    /// Errors: as [`Layout::manifests`].
    pub fn ref_names(&self) -> Result<Vec<String>> {
        Ok(entries(&self.read_index()?)
            .iter()
            .filter_map(|e| entry_name(e).map(str::to_string))
            .collect())
    }

    /// The entry whose [`REF_NAME`] annotation equals `name` exactly.
    ///
    /// Errors: NotFound (naming `name` and the layout) when no entry has that name; Integrity
    /// when several do (another tool wrote an ambiguous index) or `index.json` is malformed.
    pub fn resolve(&self, name: &str) -> Result<Descriptor> {
        let index = self.read_index()?;
        let list = entries(&index);
        let found: Vec<usize> = (0..list.len())
            .filter(|i| entry_name(&list[*i]) == Some(name))
            .collect();
        match found.as_slice() {
            [i] => self.entry_descriptor(*i, &list[*i]),
            [] => Err(Error::not_found(format!(
                "no image named {name:?} in OCI layout {}",
                self.root.display()
            ))
            .with_hint(names_hint(list))),
            many => Err(Error::integrity(format!(
                "{} entries of {} are named {name:?}; the name is ambiguous",
                many.len(),
                self.index_path().display()
            ))
            .with_hint("name the image again (imgctl replaces every entry of that name)")),
        }
    }

    /// The first entry (named or not) whose manifest digest is `digest`.
    ///
    /// Errors: NotFound when no entry has that digest; Integrity when `index.json` is malformed.
    pub fn resolve_digest(&self, digest: &Digest) -> Result<Descriptor> {
        let index = self.read_index()?;
        let list = entries(&index);
        let want = digest.to_string();
        match list
            .iter()
            .position(|e| e.get("digest").and_then(Value::as_str) == Some(want.as_str()))
        {
            Some(i) => self.entry_descriptor(i, &list[i]),
            None => Err(Error::not_found(format!(
                "no image with digest {want} in OCI layout {}",
                self.root.display()
            ))),
        }
    }

    /// The manifest digests of `index.json` entries starting with `prefix` (`sha256:HEX…` or
    /// bare hex), deduplicated, in file order. For digest-prefix lookups like `rmi 0123abcd…`.
    ///
    /// Errors: as [`Layout::manifests`].
    pub fn digests_with_prefix(&self, prefix: &str) -> Result<Vec<Digest>> {
        let index = self.read_index()?;
        let mut out: Vec<Digest> = Vec::new();
        for e in entries(&index) {
            let Some(d) = e.get("digest").and_then(Value::as_str) else {
                continue;
            };
            let hex = d.split_once(':').map(|(_, h)| h).unwrap_or(d);
            if (d.starts_with(prefix) || hex.starts_with(prefix))
                && let Ok(d) = d.parse::<Digest>()
                && !out.contains(&d)
            {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// Removes every entry whose manifest digest is `digest` (named or not), under the lock;
    /// returns the names removed (empty for untagged entries). Blobs stay until [`Layout::gc`].
    ///
    /// Errors: NotFound when no entry has that digest; Integrity when `index.json` is malformed.
    pub fn remove_digest(&self, digest: &Digest) -> Result<Vec<String>> {
        let _lock = self.lock()?;
        let mut index = self.read_index()?;
        let list = entries_mut(&mut index)?;
        let want = digest.to_string();
        let hit = |e: &Value| e.get("digest").and_then(Value::as_str) == Some(want.as_str());
        if !list.iter().any(hit) {
            return Err(Error::not_found(format!(
                "no image with digest {want} in OCI layout {}",
                self.root.display()
            )));
        }
        let names = list
            .iter()
            .filter(|e| hit(e))
            .filter_map(|e| entry_name(e).map(str::to_string))
            .collect();
        let old = index.clone();
        entries_mut(&mut index)?.retain(|e| !hit(e));
        self.write_index_freeing_space(&index, &old)?;
        Ok(names)
    }

    /// The layout's only entry, for a location that names no image (`oci:DIR`).
    ///
    /// Errors: NotFound when `index.json` has no entries; Usage when it has several (the
    /// hint lists some names to choose from).
    pub fn resolve_default(&self) -> Result<Descriptor> {
        let index = self.read_index()?;
        let list = entries(&index);
        match list {
            [only] => self.entry_descriptor(0, only),
            [] => Err(Error::not_found(format!(
                "OCI layout {} holds no images",
                self.root.display()
            ))),
            many => Err(Error::usage(format!(
                "OCI layout {} holds {} images; say which one",
                self.root.display(),
                many.len()
            ))
            .with_hint(names_hint(many))),
        }
    }

    /// [`Layout::resolve`] for `Some(name)`, [`Layout::resolve_default`] for `None`.
    pub fn resolve_ref(&self, name: Option<&str>) -> Result<Descriptor> {
        match name {
            Some(n) => self.resolve(n),
            None => self.resolve_default(),
        }
    }

    /// Adds `desc` to `index.json` named `name`, under the lock: any entry already named `name`
    /// is replaced (in place; otherwise the entry is appended). With `name: None` the entry is
    /// unnamed, and an unnamed entry of the same digest is replaced rather than duplicated;
    /// when a named entry already holds that digest nothing is added (loading an image the
    /// layout already has by name adds no `<none>` row). Naming a digest removes its unnamed
    /// entries (like `docker tag` of a dangling image). `name` is authoritative: a
    /// [`REF_NAME`] annotation inside `desc` is overwritten or removed. Other entries, and
    /// unknown fields anywhere in `index.json`, are kept.
    ///
    /// Errors: Usage when `name` is not a valid ref name (OCI grammar: components of
    /// alphanumerics joined by one of `-._:@+` or `--`, separated by `/`); NotFound when blob
    /// `desc.digest` is not in the layout (write the manifest before naming it); Integrity when
    /// `index.json` is malformed; Other on I/O failure. `index.json` is unchanged on error.
    pub fn set_ref(&self, name: Option<&str>, desc: Descriptor) -> Result<()> {
        if let Some(n) = name {
            check_ref_name(n)?;
        }
        let digest = manifest::descriptor_digest(&desc)?;
        if !self.has_blob(&digest) {
            return Err(Error::not_found(format!(
                "cannot add {digest} to {}: the blob is not in the layout",
                self.index_path().display()
            ))
            .with_hint("write the manifest (and its blobs) before naming it"));
        }
        let _lock = self.lock()?;
        let mut index = self.read_index()?;
        if add_ref_to_index(&mut index, name, &desc)? {
            self.write_index(&index)?;
        }
        Ok(())
    }

    /// Removes every entry named `name` from `index.json` (under the lock) and returns the
    /// (first) removed descriptor. Blobs stay until [`Layout::gc`].
    ///
    /// Errors: NotFound when no entry is named `name`; Integrity when `index.json` is malformed.
    pub fn remove_ref(&self, name: &str) -> Result<Descriptor> {
        let _lock = self.lock()?;
        let mut index = self.read_index()?;
        let list = entries_mut(&mut index)?;
        let Some(i) = list.iter().position(|e| entry_name(e) == Some(name)) else {
            return Err(Error::not_found(format!(
                "no image named {name:?} in OCI layout {}",
                self.root.display()
            ))
            .with_hint(names_hint(list)));
        };
        let removed = self.entry_descriptor(i, &list[i])?;
        let old = index.clone();
        entries_mut(&mut index)?.retain(|e| entry_name(e) != Some(name));
        self.write_index_freeing_space(&index, &old)?;
        Ok(removed)
    }

    /// Deletes every blob not reachable from `index.json`, and temp files older than
    /// [`STALE_TEMP_AGE`]. Same as [`Layout::gc_with`] with default options (no grace period:
    /// do not run it while another process copies into the layout).
    pub fn gc(&self) -> Result<GcStats> {
        self.gc_with(&GcOptions::default())
    }

    /// Garbage collection, under the layout lock. Marks every blob reachable from the entries
    /// of `index.json`: manifests and indexes are read (verified) and parsed, and their
    /// configs, layers, child manifests and present `subject`s are marked in turn; other blobs
    /// are never read. Then deletes unmarked files under `blobs/<alg>/` whose names are valid
    /// digests (anything else there is left alone), and stale temp files.
    ///
    /// Safety over space: when a manifest that must be read (an `index.json` entry, a child of
    /// an index, or any blob of a manifest media type) is missing, corrupt or unparseable,
    /// nothing is deleted and the error is returned. Missing layers, configs and subjects are
    /// tolerated (they reference nothing).
    ///
    /// Returns the blobs deleted and bytes freed (what would be, with `dry_run`).
    /// Errors: NotFound / Integrity as described (with context naming the manifest and who
    /// references it); Other on I/O failure.
    ///
    /// Runs only when no other process writes into the layout (holds [`Layout::writer_lock`]):
    /// otherwise nothing is deleted and the stats say `deferred` (a concurrent pull's blobs are
    /// not named in `index.json` yet and would look like garbage).
    pub fn gc_with(&self, opts: &GcOptions) -> Result<GcStats> {
        let Some(writers) = self
            .try_writers_exclusive()
            .map_err(|e| e.context("failed to lock the layout for gc"))?
        else {
            tracing::info!(
                "another process is writing into the layout; garbage collection deferred"
            );
            return Ok(GcStats {
                deferred: true,
                ..GcStats::default()
            });
        };
        let _lock = self.lock()?;
        let refuse = |e: Error| {
            e.context(format!(
                "refusing to collect garbage in OCI layout {}",
                self.root.display()
            ))
            .with_hint("nothing was deleted; restore the missing content or remove the entry that references it")
        };
        let marked: HashSet<Digest> = self
            .mark(&self.read_index().map_err(refuse)?)
            .map_err(refuse)?
            .into_keys()
            .collect();
        let stats = self.sweep(&marked, opts)?;
        if !opts.dry_run {
            self.clean_dir(&self.tmp_dir(), STALE_TEMP_AGE);
            self.clean_dir(&self.private_dir().join(PARTIAL_DIR), STALE_PARTIAL_AGE);
        }
        drop(writers);
        Ok(stats)
    }

    // ----- internals -----

    fn index_path(&self) -> PathBuf {
        self.root.join(INDEX_FILE)
    }

    fn private_dir(&self) -> PathBuf {
        self.root.join(PRIVATE_DIR)
    }

    fn tmp_dir(&self) -> PathBuf {
        self.private_dir().join(TMP_DIR)
    }

    /// Errors (Usage) unless the directory is empty, ignoring our own private directory (a
    /// creation that failed half-way).
    fn refuse_if_foreign(&self) -> Result<()> {
        let mut rd =
            fs::read_dir(&self.root).ctx(|| format!("failed to list {}", self.root.display()))?;
        let foreign = rd.any(|e| e.map(|e| e.file_name() != PRIVATE_DIR).unwrap_or(true));
        if foreign {
            return Err(Error::usage(format!(
                "{} is not empty and is not an OCI image layout (it has no {OCI_LAYOUT_FILE})",
                self.root.display()
            ))
            .with_hint("name a new or empty directory, or an existing OCI image layout"));
        }
        Ok(())
    }

    fn check_version(&self) -> Result<()> {
        let path = self.root.join(OCI_LAYOUT_FILE);
        let bytes = fs::read(&path).ctx(|| format!("failed to read {}", path.display()))?;
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct OciLayout {
            image_layout_version: String,
        }
        let v: OciLayout = serde_json::from_slice(&bytes)
            .map_err(|e| Error::integrity(format!("{} is not valid: {e}", path.display())))?;
        if v.image_layout_version.split('.').next() != Some("1") {
            return Err(Error::usage(format!(
                "OCI layout {} has imageLayoutVersion {:?}; imgctl reads version 1.x",
                self.root.display(),
                v.image_layout_version
            )));
        }
        Ok(())
    }

    fn lock(&self) -> Result<IndexLock> {
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

    /// Whether blob `digest` is present with length `size` (when known).
    async fn present(&self, digest: &Digest, size: Option<u64>) -> bool {
        match tokio::fs::metadata(self.blob_path(digest)).await {
            Ok(m) if m.is_file() && size.is_none_or(|s| s == m.len()) => {
                tracing::debug!(%digest, "blob already in layout; not rewritten");
                true
            }
            Ok(m) => {
                tracing::warn!(%digest, have = m.len(), want = ?size, "blob in layout has the wrong size; replacing it");
                false
            }
            Err(_) => false,
        }
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

    /// A new temp file `<root>/.imgctl/tmp/PREFIX…` (same filesystem as the layout, so it can
    /// be renamed anywhere on it), created as [`shared_temp_file_in`] does (0666 minus the
    /// umask); deleted on drop unless persisted.
    ///
    /// Errors: Other when the directory or the file cannot be created (naming the directory).
    pub fn temp_file(&self, prefix: &str) -> Result<NamedTempFile> {
        let dir = self.tmp_dir();
        fs::create_dir_all(&dir).ctx(|| format!("failed to create {}", dir.display()))?;
        shared_temp_file_in(&dir, prefix).map_err(|e| {
            write_error(
                e,
                format!("failed to create a temp file in {}", dir.display()),
            )
        })
    }

    /// Writes `bytes` to a temp file, fsyncs it and renames it to `dest`.
    ///
    /// Errors: Other on I/O failure, with [`DISK_FULL_HINT`] when the disk is full.
    fn atomic_write(&self, dest: &Path, bytes: &[u8]) -> Result<()> {
        let ctx = || format!("failed to write {}", dest.display());
        #[cfg(test)]
        test_disk::check(&self.root, bytes.len() as u64).map_err(|e| write_error(e, ctx()))?;
        let mut tmp = self.temp_file("write-")?;
        tmp.write_all(bytes).map_err(|e| write_error(e, ctx()))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| write_error(e, ctx()))?;
        persist(tmp, dest)
    }

    /// Replaces `index.json` with `index` (which names fewer images than `old`, the current
    /// one) on a disk that may be full: when the write fails for lack of space, first the
    /// partial downloads and temp files no process uses are deleted and the write tried
    /// again; then, when no other process writes into the layout, the configs and layers that
    /// only the removed images referenced (manifests stay until gc, so an interruption
    /// leaves images gc tolerates), and the write tried a last time. Caller holds the lock.
    ///
    /// Errors: as [`Layout::atomic_write`], with [`DISK_FULL_HINT`] when no space was found.
    fn write_index_freeing_space(&self, index: &Value, old: &Value) -> Result<()> {
        match self.write_index(index) {
            Err(e) if is_disk_full(&e) => {}
            r => return r,
        }
        let writers = self.try_writers_exclusive()?;
        let freed = self.clean_private(writers.is_some());
        tracing::info!(
            partials = freed.partials,
            temp_files = freed.temp_files,
            bytes = freed.bytes,
            "disk full: deleted partial downloads and temp files to rewrite index.json"
        );
        match self.write_index(index) {
            Err(e) if is_disk_full(&e) && writers.is_some() => {
                let (Ok(before), Ok(after)) = (self.mark(old), self.mark(index)) else {
                    return Err(e); // not safe to tell what only the removed images used
                };
                let mut bytes = 0u64;
                for (digest, is_manifest) in &before {
                    if *is_manifest || after.contains_key(digest) {
                        continue;
                    }
                    let path = self.blob_path(digest);
                    let len = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                    if fs::remove_file(&path).is_ok() {
                        bytes += len;
                    }
                }
                tracing::info!(
                    bytes,
                    "disk full: deleted the removed images' layers before rewriting index.json"
                );
                self.write_index(index)
            }
            r => r,
        }
    }

    /// Deletes partial downloads no process holds, and temp files (all with `all_temps`, which
    /// the caller may pass only while holding the writers lock exclusively; else those older
    /// than [`STALE_TEMP_AGE`]). Best effort; returns what went.
    fn clean_private(&self, all_temps: bool) -> PruneStats {
        let mut stats = PruneStats::default();
        let partial_dir = self.private_dir().join(PARTIAL_DIR);
        for entry in fs::read_dir(&partial_dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let Ok(file) = OpenOptions::new().read(true).write(true).open(&path) else {
                continue;
            };
            let Ok(meta) = file.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            match file.try_lock() {
                Ok(()) if same_file(&file, &path) => {
                    if fs::remove_file(&path).is_ok() {
                        stats.partials += 1;
                        stats.bytes += meta.len();
                    }
                }
                Ok(()) => {}
                Err(_) => stats.partials_in_use += 1,
            }
        }
        let now = SystemTime::now();
        for entry in fs::read_dir(self.tmp_dir()).into_iter().flatten().flatten() {
            let path = entry.path();
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            let stale = meta
                .modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age >= STALE_TEMP_AGE);
            if meta.is_file() && (all_temps || stale) && fs::remove_file(&path).is_ok() {
                stats.temp_files += 1;
                stats.bytes += meta.len();
            }
        }
        stats
    }

    fn read_index(&self) -> Result<Value> {
        let path = self.index_path();
        let bytes = fs::read(&path).map_err(|e| {
            let kind = e.kind();
            let err = Error::from(e).context(format!("failed to read {}", path.display()));
            if kind == std::io::ErrorKind::NotFound {
                err.with_hint("is this an OCI image layout?")
            } else {
                err
            }
        })?;
        let v: Value = serde_json::from_slice(&bytes)
            .map_err(|e| Error::integrity(format!("{} is not valid JSON: {e}", path.display())))?;
        let ok = v.is_object()
            && matches!(
                v.get("manifests"),
                None | Some(Value::Null) | Some(Value::Array(_))
            );
        if !ok {
            return Err(Error::integrity(format!(
                "{} is not an OCI image index (no \"manifests\" list)",
                path.display()
            )));
        }
        Ok(v)
    }

    fn write_index(&self, index: &Value) -> Result<()> {
        self.atomic_write(&self.index_path(), &serde_json::to_vec(index)?)
    }

    fn entry_descriptor(&self, i: usize, entry: &Value) -> Result<Descriptor> {
        manifest::descriptor_from_json(entry.clone()).map_err(|e| {
            Error::integrity(format!(
                "entry {i} of {} is not a valid descriptor: {e}",
                self.index_path().display()
            ))
        })
    }

    fn blob_open_error(&self, digest: &Digest, e: std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::not_found(format!(
                "blob {digest} not found in OCI layout {}",
                self.root.display()
            ))
        } else {
            Error::from(e).context(format!(
                "failed to open {}",
                self.blob_path(digest).display()
            ))
        }
    }

    /// The mark phase of [`Layout::gc_with`]: every digest reachable from the entries of
    /// `index` (an `index.json` document), with whether it was read as a manifest.
    fn mark(&self, index: &Value) -> Result<HashMap<Digest, bool>> {
        let mut stack: Vec<(Descriptor, Edge, String)> = Vec::new();
        for (i, e) in entries(index).iter().enumerate() {
            let d = self.entry_descriptor(i, e)?;
            let from = match entry_name(e) {
                Some(n) => format!("index.json entry {n:?}"),
                None => format!("index.json entry {i}"),
            };
            stack.push((d, Edge::Manifest, from));
        }
        let mut marked = HashMap::new();
        // An explicit stack and a visited set: deep or looping graphs (a referrer whose subject
        // leads back to it through an index) terminate and cannot overflow the call stack.
        while let Some((desc, edge, from)) = stack.pop() {
            let digest =
                manifest::descriptor_digest(&desc).map_err(|e| e.context(format!("in {from}")))?;
            if marked.insert(digest.clone(), false).is_some() {
                continue;
            }
            let mt = desc.media_type().to_string();
            let known = manifest::is_manifest_type(&mt);
            if !self.has_blob(&digest) {
                if edge == Edge::Manifest || (known && edge == Edge::Blob) {
                    return Err(Error::not_found(format!(
                        "manifest {digest} ({mt}), referenced by {from}, is missing"
                    )));
                }
                continue;
            }
            let children = if known {
                let bytes = self.read_blob_bytes(&digest)?;
                let detected = manifest::detect_media_type(&bytes, Some(&mt))
                    .map_err(|e| e.context(format!("manifest {digest}, referenced by {from}")))?;
                if manifest::is_manifest_type(&detected) {
                    parsed_children(&bytes, &detected)
                } else {
                    generic_children(&bytes)
                }
                .map_err(|e| e.context(format!("manifest {digest}, referenced by {from}")))?
            } else if edge != Edge::Blob || mt == OCI_ARTIFACT_MANIFEST {
                // An index entry or subject of a type imgctl does not know: it may be a
                // manifest (an artifact), so walk it if it looks like one.
                let len = fs::metadata(self.blob_path(&digest))
                    .map(|m| m.len())
                    .unwrap_or(u64::MAX);
                if len > MAX_UNKNOWN_MANIFEST {
                    continue;
                }
                let bytes = self.read_blob_bytes(&digest)?;
                generic_children(&bytes)
                    .map_err(|e| e.context(format!("manifest {digest}, referenced by {from}")))?
            } else {
                continue;
            };
            marked.insert(digest.clone(), true);
            let me = format!("{digest}");
            stack.extend(children.into_iter().map(|(d, e)| (d, e, me.clone())));
        }
        Ok(marked)
    }

    fn sweep(&self, marked: &HashSet<Digest>, opts: &GcOptions) -> Result<GcStats> {
        let mut stats = GcStats::default();
        let blobs = self.root.join(BLOBS_DIR);
        let now = SystemTime::now();
        for alg in [Algorithm::Sha256, Algorithm::Sha512] {
            let dir = blobs.join(alg.as_str());
            let rd = match fs::read_dir(&dir) {
                Ok(rd) => rd,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(Error::from(e).context(format!("failed to list {}", dir.display())));
                }
            };
            for entry in rd {
                let entry = entry.ctx(|| format!("failed to list {}", dir.display()))?;
                let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                    continue;
                };
                let Ok(digest) = format!("{}:{name}", alg.as_str()).parse::<Digest>() else {
                    continue; // not a blob name: not ours to delete
                };
                if marked.contains(&digest) {
                    continue;
                }
                let path = entry.path();
                let Ok(meta) = fs::symlink_metadata(&path) else {
                    continue;
                };
                if !meta.is_file() {
                    continue;
                }
                if !opts.min_age.is_zero() {
                    // A modification time in the future (clock skew) counts as young.
                    let age = meta
                        .modified()
                        .ok()
                        .and_then(|m| now.duration_since(m).ok());
                    if age.is_none_or(|a| a < opts.min_age) {
                        continue;
                    }
                }
                if !opts.dry_run {
                    match fs::remove_file(&path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                        Err(e) => {
                            return Err(Error::from(e)
                                .context(format!("failed to delete {}", path.display())));
                        }
                    }
                }
                tracing::debug!(%digest, bytes = meta.len(), "gc: unreachable blob deleted");
                stats.blobs += 1;
                stats.bytes += meta.len();
            }
        }
        Ok(stats)
    }

    /// Deletes files in `dir` not modified for `max_age`; best effort (failures are logged).
    fn clean_dir(&self, dir: &Path, max_age: Duration) {
        let Ok(rd) = fs::read_dir(dir) else {
            return;
        };
        let now = SystemTime::now();
        for entry in rd.flatten() {
            let path = entry.path();
            let stale = fs::symlink_metadata(&path)
                .ok()
                .filter(|m| m.is_file())
                .and_then(|m| m.modified().ok())
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age >= max_age);
            if stale {
                match fs::remove_file(&path) {
                    Ok(()) => {
                        tracing::debug!(path = %path.display(), "gc: stale temp file deleted")
                    }
                    Err(e) => {
                        tracing::warn!(path = %path.display(), "gc: cannot delete stale temp file: {e}")
                    }
                }
            }
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

/// What [`pump`] did: the sink and hash state back, bytes appended, and how reading ended.
struct Pumped<W> {
    sink: W,
    hasher: Hasher,
    written: u64,
    /// The reader's error, or Integrity when it yielded more than `size` bytes.
    read: Result<()>,
}

fn joined(e: tokio::task::JoinError) -> Error {
    Error::other(format!("blob writer thread failed: {e}"))
}

fn mismatch(digest: &Digest, size: Option<u64>, got: &Digest, n: u64) -> Error {
    let want = match size {
        Some(s) => format!("{digest} ({s} bytes)"),
        None => digest.to_string(),
    };
    Error::integrity(format!(
        "content does not match: expected {want}, got {got} ({n} bytes)"
    ))
}

/// Appends everything `reader` yields to `sink` while feeding `hasher`, in [`CHUNK`]-sized
/// pieces: writing and hashing run on two blocking threads fed the same chunks, so a write
/// costs about the hashing time alone; this task only reads. `start` bytes are already in the
/// sink; more than `size` in total stops reading with an Integrity error.
///
/// A read error is returned inside [`Pumped`] with everything read before it written and
/// hashed (so a partial file can be resumed). Errors (outer): Other on a local write failure.
async fn pump<R, W>(
    reader: &mut R,
    sink: W,
    hasher: Hasher,
    start: u64,
    size: Option<u64>,
    digest: &Digest,
) -> Result<Pumped<W>>
where
    R: AsyncRead + Unpin + Send,
    W: Write + Send + 'static,
{
    // One blocking thread per blob hashes and writes each chunk: with several blobs moving
    // at once the cores are already busy, and a second thread per blob only adds hand-offs.
    // A blob of SPLIT_HASHING_AT bytes or more is usually alone on the wire for most of its
    // transfer, so there hashing moves to a thread of its own, overlapping with the writes.
    let split = size.is_some_and(|s| s >= SPLIT_HASHING_AT);
    let (file_tx, mut file_rx) = mpsc::channel::<Bytes>(CHUNK_QUEUE);
    let writer = tokio::task::spawn_blocking(move || {
        let mut sink = sink;
        let mut hasher = Some(hasher);
        let mut hashing: Option<(
            std::sync::mpsc::SyncSender<Bytes>,
            std::thread::JoinHandle<Hasher>,
        )> = None;
        if split {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Bytes>(CHUNK_QUEUE);
            let mut h = hasher.take().expect("hasher present");
            let thread = std::thread::spawn(move || {
                while let Ok(b) = rx.recv() {
                    h.update(&b);
                }
                h
            });
            hashing = Some((tx, thread));
        }
        let mut n: u64 = 0;
        let mut failed = None;
        while let Some(b) = file_rx.blocking_recv() {
            match (&mut hasher, &hashing) {
                (Some(h), _) => h.update(&b),
                (None, Some((tx, _))) => {
                    // The hashing thread only stops when this sender is dropped.
                    let _ = tx.send(b.clone());
                }
                (None, None) => unreachable!("a hasher is always somewhere"),
            }
            if let Err(e) = sink.write_all(&b) {
                failed = Some(write_error(e, "failed to write to disk".into()));
                break;
            }
            n += b.len() as u64;
        }
        let hasher = match (hasher, hashing) {
            (Some(h), _) => h,
            (None, Some((tx, thread))) => {
                drop(tx);
                thread.join().expect("hashing thread does not panic")
            }
            (None, None) => unreachable!("a hasher is always somewhere"),
        };
        if let Some(e) = failed {
            return (sink, hasher, n, Err(e));
        }
        let flushed = sink
            .flush()
            .map_err(|e| write_error(e, "failed to write to disk".into()));
        (sink, hasher, n, flushed)
    });
    let read: Result<()> = async {
        let mut total: u64 = start;
        let mut buf = BytesMut::with_capacity(CHUNK);
        loop {
            let n = match reader.read_buf(&mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    // What arrived before the failure is kept (a partial file resumes after it).
                    if !buf.is_empty() {
                        let _ = file_tx.send(buf.split().freeze()).await;
                    }
                    return Err(e.into());
                }
            };
            total += n as u64;
            if let Some(s) = size.filter(|s| total > *s) {
                return Err(Error::integrity(format!(
                    "content does not match: expected {digest} ({s} bytes), got more than {s} bytes"
                )));
            }
            if n == 0 || buf.len() >= CHUNK {
                if !buf.is_empty() {
                    // A send fails only when the writer stopped on an I/O error (reported below).
                    if file_tx.send(buf.split().freeze()).await.is_err() {
                        return Ok(());
                    }
                }
                if n == 0 {
                    return Ok(());
                }
                buf.reserve(CHUNK);
            }
        }
    }
    .await;
    drop(file_tx);
    let (sink, hasher, written, write_result) = writer.await.map_err(joined)?;
    write_result?;
    Ok(Pumped {
        sink,
        hasher,
        written,
        read,
    })
}

/// Creates directory `dir` and its missing parents up to `root` (a layout's root), never
/// `root` itself: a blocking write still in flight after its layout was removed (a staging
/// layout cleaned up after a failed copy whose other downloads were cancelled) fails instead
/// of bringing the layout back as an empty skeleton.
///
/// Errors: NotFound when `root` does not exist; the I/O error of a creation otherwise.
fn create_dir_within(root: &Path, dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let Ok(rel) = dir.strip_prefix(root) else {
        return fs::create_dir_all(dir);
    };
    let mut at = root.to_path_buf();
    for c in rel.components() {
        at.push(c);
        match fs::create_dir(&at) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && at.is_dir() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Whether `path` still names the open `file` (Unix: same device and inode).
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.is_file()
    }
}

/// A new temp file in `dir` named `PREFIX…`, created the way any tool creates a file: mode
/// 0666 minus the process's umask on Unix (the kernel applies the umask at `open`), so a layout
/// or archive it becomes is readable by others as the user's umask allows (tempfile's own
/// default is 0600). Never for files holding secrets: those use
/// [`crate::credentials::index::write_private_file`] (0600). Deleted on drop unless persisted.
///
/// Errors: the I/O error of creating it.
pub fn shared_temp_file_in(dir: &Path, prefix: &str) -> std::io::Result<NamedTempFile> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix);
    #[cfg(unix)]
    b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    b.tempfile_in(dir)
}

/// Renames `tmp` to `dest` (creating `dest`'s directory) and fsyncs the directory, so the new
/// name survives a crash.
fn persist(tmp: NamedTempFile, dest: &Path) -> Result<()> {
    let ctx = || format!("failed to move a temp file to {}", dest.display());
    let parent = dest.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).ctx(ctx)?;
    if let Err(e) = tmp.persist(dest) {
        // A concurrent writer of the same blob may have won (Windows refuses to replace a file
        // that is open); identical content is then already in place.
        let same = fs::metadata(dest).is_ok_and(|m| {
            m.len()
                == e.file
                    .as_file()
                    .metadata()
                    .map(|t| t.len())
                    .unwrap_or(u64::MAX)
        });
        if !same {
            return Err(Error::from(e.error).context(ctx()));
        }
    }
    sync_dir(parent);
    Ok(())
}

/// fsync a directory after a rename in it (Unix; Windows cannot open directories as files and
/// NTFS journals renames). Best effort.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(dir = %dir.display(), "fsync of directory failed: {e}");
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Adds `desc` named `name` to the image index document `index` (an `index.json` as JSON),
/// with exactly [`Layout::set_ref`]'s rules (a same-named entry replaced in place, unnamed
/// entries deduplicated by digest, naming removes a digest's unnamed entries, other entries and
/// unknown fields kept). Used by `set_ref` under the layout lock, and by archive writers that
/// build their `index.json` in memory. Returns whether `index` changed.
///
/// Errors: Usage when `name` is not a valid ref name; Integrity when `index` has no valid
/// `manifests` list or `desc` cannot be serialised.
pub fn add_ref_to_index(index: &mut Value, name: Option<&str>, desc: &Descriptor) -> Result<bool> {
    if let Some(n) = name {
        check_ref_name(n)?;
    }
    let digest_str = manifest::descriptor_digest(desc)?.to_string();
    let mut entry = manifest::descriptor_to_json(desc)?;
    set_entry_name(&mut entry, name);
    let list = entries_mut(index)?;
    let same_digest = |e: &Value| e.get("digest").and_then(Value::as_str) == Some(&digest_str);
    if name.is_none()
        && list
            .iter()
            .any(|e| entry_name(e).is_some() && same_digest(e))
    {
        return Ok(false);
    }
    let replaces = |e: &Value| match name {
        Some(n) => entry_name(e) == Some(n),
        None => entry_name(e).is_none() && same_digest(e),
    };
    let old = list.clone();
    let at = list.iter().position(replaces);
    list.retain(|e| !replaces(e));
    match at {
        Some(i) => list.insert(i, entry),
        None => list.push(entry),
    }
    if name.is_some() {
        list.retain(|e| entry_name(e).is_some() || !same_digest(e));
    }
    Ok(*list != old)
}

/// An empty OCI image index document (`index.json` of a new layout).
pub fn empty_index() -> Value {
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": manifest::OCI_INDEX,
        "manifests": [],
    })
}

fn entries(index: &Value) -> &[Value] {
    index
        .get("manifests")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The `manifests` list of `index`, created when absent; fills in `schemaVersion`/`mediaType`
/// when another tool left them out.
fn entries_mut(index: &mut Value) -> Result<&mut Vec<Value>> {
    let obj = index
        .as_object_mut()
        .ok_or_else(|| Error::integrity("index.json is not a JSON object"))?;
    obj.entry("schemaVersion").or_insert(Value::from(2));
    obj.entry("mediaType")
        .or_insert(Value::from(manifest::OCI_INDEX));
    let list = obj.entry("manifests").or_insert(Value::Array(Vec::new()));
    if list.is_null() {
        *list = Value::Array(Vec::new());
    }
    list.as_array_mut()
        .ok_or_else(|| Error::integrity("index.json \"manifests\" is not a list"))
}

fn entry_name(entry: &Value) -> Option<&str> {
    entry.get("annotations")?.get(REF_NAME)?.as_str()
}

fn set_entry_name(entry: &mut Value, name: Option<&str>) {
    let Some(obj) = entry.as_object_mut() else {
        return;
    };
    let annotations = obj
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(a) = annotations.as_object_mut() {
        match name {
            Some(n) => {
                a.insert(REF_NAME.to_string(), Value::from(n));
            }
            None => {
                a.remove(REF_NAME);
            }
        }
    }
    if annotations.as_object().is_some_and(Map::is_empty) || annotations.is_null() {
        obj.remove("annotations");
    }
}

/// A hint listing up to five names of `list` (names are not secret; the whole index is not
/// dumped into an error).
fn names_hint(list: &[Value]) -> String {
    let names: Vec<&str> = list.iter().filter_map(entry_name).collect();
    if names.is_empty() {
        return "the layout has no named images".to_string();
    }
    let shown: Vec<String> = names.iter().take(5).map(|n| format!("{n:?}")).collect();
    let more = if names.len() > 5 {
        format!(" and {} more", names.len() - 5)
    } else {
        String::new()
    };
    format!("images in this layout: {}{more}", shown.join(", "))
}

/// Checks `name` against the OCI image-layout ref grammar:
/// `component ("/" component)*`, `component ::= alphanum (separator alphanum)*`,
/// `separator ::= [-._:@+] | "--"`.
fn check_ref_name(name: &str) -> Result<()> {
    let component_ok = |c: &str| {
        let b = c.as_bytes();
        if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric()
        {
            return false;
        }
        let mut run = String::new();
        for &ch in b {
            if ch.is_ascii_alphanumeric() {
                if !(run.len() <= 1 || run == "--") {
                    return false;
                }
                run.clear();
            } else if b"-._:@+".contains(&ch) {
                run.push(ch as char);
            } else {
                return false;
            }
        }
        true
    };
    if name.split('/').all(component_ok) {
        Ok(())
    } else {
        Err(Error::usage(format!("invalid image name {name:?} for an OCI layout"))
            .with_hint("use letters and digits joined by one of - . _ : @ + (or --), with / between parts, e.g. v1.2 or app/latest"))
    }
}

/// What a manifest or index of a known type references, via [`Manifest::parse`].
fn parsed_children(bytes: &[u8], media_type: &str) -> Result<Vec<(Descriptor, Edge)>> {
    let m = Manifest::parse(bytes, media_type)?;
    let (edge, subject) = match &m {
        Manifest::Image(i) => (Edge::Blob, i.subject().clone()),
        Manifest::Index(i) => (Edge::Manifest, i.subject().clone()),
    };
    let mut out: Vec<(Descriptor, Edge)> = m
        .references()
        .into_iter()
        .map(|d| (d.clone(), edge))
        .collect();
    out.extend(subject.map(|s| (s, Edge::Subject)));
    Ok(out)
}

/// What a manifest-shaped JSON document of a type imgctl does not know references: its
/// `config`, `layers`, `blobs` (artifact manifest), `manifests` and `subject`. Not JSON, or not
/// an object: nothing.
fn generic_children(bytes: &[u8]) -> Result<Vec<(Descriptor, Edge)>> {
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(bytes) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut take = |v: &Value, edge: Edge| -> Result<()> {
        let d: Descriptor = serde_json::from_value(v.clone())
            .map_err(|e| Error::integrity(format!("malformed descriptor: {e}")))?;
        out.push((d, edge));
        Ok(())
    };
    for (field, edge) in [("config", Edge::Blob), ("subject", Edge::Subject)] {
        if let Some(v) = doc.get(field).filter(|v| !v.is_null()) {
            take(v, edge)?;
        }
    }
    for (field, edge) in [
        ("layers", Edge::Blob),
        ("blobs", Edge::Blob),
        ("manifests", Edge::Manifest),
    ] {
        if let Some(list) = doc.get(field).and_then(Value::as_array) {
            for v in list {
                take(v, edge)?;
            }
        }
    }
    Ok(out)
}

/// A simulated small disk for unit tests: a layout root given a quota behaves as a full disk
/// for [`Layout::atomic_write`] (ENOSPC) when the files under it plus the write would exceed
/// it, so the logic that frees space can be tested without root or a real small filesystem.
#[cfg(test)]
pub(crate) mod test_disk {
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    static QUOTAS: Mutex<Vec<(PathBuf, u64)>> = Mutex::new(Vec::new());

    /// Gives `root` a quota of `bytes` (replacing an earlier one).
    pub fn set_quota(root: &Path, bytes: u64) {
        let mut q = QUOTAS.lock().unwrap();
        q.retain(|(r, _)| r != root);
        q.push((root.to_path_buf(), bytes));
    }

    /// Bytes of all regular files under `dir`.
    pub fn usage(dir: &Path) -> u64 {
        let mut total = 0;
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => total += usage(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
        total
    }

    /// ENOSPC when writing `more` bytes under `root` would exceed its quota.
    pub fn check(root: &Path, more: u64) -> std::io::Result<()> {
        let quota = QUOTAS
            .lock()
            .unwrap()
            .iter()
            .find(|(r, _)| r == root)
            .map(|(_, q)| *q);
        match quota {
            Some(q) if usage(root) + more > q => {
                Err(std::io::Error::from(std::io::ErrorKind::StorageFull))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context as TaskContext, Poll};

    use oci_spec::image::MediaType;
    use tokio::io::ReadBuf;

    use super::*;
    use crate::error::ErrorKind;

    const LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
    const CONFIG: &str = "application/vnd.oci.image.config.v1+json";

    fn desc(media_type: &str, bytes: &[u8]) -> Descriptor {
        let d = Digest::sha256_of(bytes).to_string();
        Descriptor::new(
            MediaType::from(media_type),
            bytes.len() as u64,
            d.parse::<oci_spec::image::Digest>().unwrap(),
        )
    }

    fn put(l: &Layout, media_type: &str, bytes: &[u8]) -> Descriptor {
        l.write_blob_bytes(&Digest::sha256_of(bytes), bytes)
            .unwrap();
        desc(media_type, bytes)
    }

    fn dig(d: &Descriptor) -> Digest {
        manifest::descriptor_digest(d).unwrap()
    }

    /// Writes an image (uncompressed tar layers, a config naming their diff IDs, a manifest)
    /// and returns the manifest's descriptor.
    fn image(l: &Layout, layers: &[&[u8]]) -> Descriptor {
        let layer_descs: Vec<Descriptor> = layers.iter().map(|b| put(l, LAYER_TAR, b)).collect();
        let diff_ids: Vec<String> = layers
            .iter()
            .map(|b| Digest::sha256_of(b).to_string())
            .collect();
        let config = serde_json::json!({
            "architecture": "amd64", "os": "linux",
            "rootfs": { "type": "layers", "diff_ids": diff_ids },
        });
        let config = put(l, CONFIG, &serde_json::to_vec(&config).unwrap());
        let m = serde_json::json!({
            "schemaVersion": 2, "mediaType": manifest::OCI_MANIFEST,
            "config": config, "layers": layer_descs,
        });
        put(l, manifest::OCI_MANIFEST, &serde_json::to_vec(&m).unwrap())
    }

    fn index_of(l: &Layout, children: &[Descriptor]) -> Descriptor {
        let i = serde_json::json!({
            "schemaVersion": 2, "mediaType": manifest::OCI_INDEX, "manifests": children,
        });
        put(l, manifest::OCI_INDEX, &serde_json::to_vec(&i).unwrap())
    }

    /// An empty tar archive (two zero blocks) with `salt` in a third block to vary digests.
    fn tar(salt: u8) -> Vec<u8> {
        let mut v = vec![0u8; 1536];
        v[1535] = salt;
        v
    }

    fn new_layout() -> (tempfile::TempDir, Layout) {
        let dir = tempfile::tempdir().unwrap();
        let l = Layout::open_or_create(&dir.path().join("layout")).unwrap();
        (dir, l)
    }

    fn tmp_files(l: &Layout) -> usize {
        fs::read_dir(l.tmp_dir()).map(|rd| rd.count()).unwrap_or(0)
    }

    /// A reader yielding at most `step` bytes per read, to exercise chunk assembly.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl AsyncRead for Trickle<'_> {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut TaskContext<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            let n = self.step.min(self.data.len()).min(buf.remaining());
            buf.put_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Poll::Ready(Ok(()))
        }
    }

    #[test]
    fn creates_and_reopens() {
        let (_d, l) = new_layout();
        let root = l.root().to_path_buf();
        assert_eq!(
            fs::read_to_string(root.join("oci-layout")).unwrap(),
            r#"{"imageLayoutVersion":"1.0.0"}"#
        );
        let index: Value =
            serde_json::from_slice(&fs::read(root.join("index.json")).unwrap()).unwrap();
        assert_eq!(index["schemaVersion"], 2);
        assert_eq!(index["mediaType"], manifest::OCI_INDEX);
        assert!(root.join("blobs").join("sha256").is_dir());
        assert!(l.manifests().unwrap().is_empty());
        Layout::open(&root).unwrap();
        Layout::open_or_create(&root).unwrap();
        assert_eq!(
            l.blob_path(&Digest::sha256_of(b"")),
            root.join("blobs")
                .join("sha256")
                .join(Digest::sha256_of(b"").hex())
        );
    }

    #[test]
    fn refuses_what_is_not_a_layout() {
        let dir = tempfile::tempdir().unwrap();
        let busy = dir.path().join("busy");
        fs::create_dir(&busy).unwrap();
        fs::write(busy.join("notes.txt"), "x").unwrap();
        let e = Layout::open_or_create(&busy).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Usage);
        assert!(e.hint().is_some());
        assert!(
            !busy.join(".imgctl").exists(),
            "nothing created in a foreign directory"
        );
        let file = dir.path().join("file");
        fs::write(&file, "x").unwrap();
        assert_eq!(
            Layout::open_or_create(&file).unwrap_err().kind(),
            ErrorKind::Usage
        );
        let empty = dir.path().join("empty");
        fs::create_dir(&empty).unwrap();
        assert_eq!(
            Layout::open(&empty).unwrap_err().kind(),
            ErrorKind::NotFound
        );
        Layout::open_or_create(&empty).unwrap();
        let future = dir.path().join("future");
        fs::create_dir(&future).unwrap();
        fs::write(
            future.join("oci-layout"),
            r#"{"imageLayoutVersion":"2.0.0"}"#,
        )
        .unwrap();
        fs::write(future.join("index.json"), "{}").unwrap();
        assert_eq!(Layout::open(&future).unwrap_err().kind(), ErrorKind::Usage);
    }

    #[tokio::test]
    async fn writes_and_reads_blobs() {
        let (_d, l) = new_layout();
        let data: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i * 7 % 251) as u8).collect();
        let d = Digest::sha256_of(&data);
        let n = l
            .write_blob(
                &d,
                Some(data.len() as u64),
                Trickle {
                    data: &data,
                    step: 7000,
                },
            )
            .await
            .unwrap();
        assert_eq!(n, data.len() as u64);
        assert!(l.has_blob(&d));
        assert_eq!(fs::read(l.blob_path(&d)).unwrap(), data);
        // Present: the reader is not consumed and nothing is rewritten.
        assert_eq!(l.write_blob(&d, None, &b"garbage"[..]).await.unwrap(), 0);
        let mut f = l.open_blob(&d, 1000).await.unwrap();
        let mut tail = Vec::new();
        f.read_to_end(&mut tail).await.unwrap();
        assert_eq!(tail, data[1000..]);
        assert_eq!(
            l.open_blob(&d, data.len() as u64 + 1)
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::Usage
        );

        let small = b"{\"hello\":1}";
        let sd = Digest::sha256_of(small);
        l.write_blob_bytes(&sd, small).unwrap();
        l.write_blob_bytes(&sd, small).unwrap();
        assert_eq!(l.read_blob_bytes(&sd).unwrap(), small);
        let missing = Digest::sha256_of(b"missing");
        assert_eq!(
            l.read_blob_bytes(&missing).unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            l.open_blob(&missing, 0).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        // Empty blob and sha512.
        let e = Digest::sha256_of(b"");
        assert_eq!(l.write_blob(&e, Some(0), &b""[..]).await.unwrap(), 0);
        assert!(l.has_blob(&e));
        let d512: Digest = format!(
            "sha512:{}",
            hex::encode(<sha2::Sha512 as sha2::Digest>::digest(b"x"))
        )
        .parse()
        .unwrap();
        l.write_blob(&d512, Some(1), &b"x"[..]).await.unwrap();
        assert!(
            l.root()
                .join("blobs")
                .join("sha512")
                .join(d512.hex())
                .is_file()
        );
        assert_eq!(tmp_files(&l), 0);
    }

    #[tokio::test]
    async fn verification_failure_leaves_nothing() {
        let (_d, l) = new_layout();
        let want = Digest::sha256_of(b"hello");
        let e = l
            .write_blob(&want, Some(5), &b"hellx"[..])
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Integrity);
        let msg = e.to_string();
        assert!(
            msg.contains(&want.to_string())
                && msg.contains(&Digest::sha256_of(b"hellx").to_string()),
            "{msg}"
        );
        // Too short, too long, unknown size.
        assert_eq!(
            l.write_blob(&want, Some(5), &b"hell"[..])
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::Integrity
        );
        assert_eq!(
            l.write_blob(&want, Some(5), &b"hello!"[..])
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::Integrity
        );
        assert_eq!(
            l.write_blob(&want, None, &b"hellx"[..])
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::Integrity
        );
        // Right bytes, wrong declared size.
        assert_eq!(
            l.write_blob(&want, Some(4), &b"hello"[..])
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::Integrity
        );
        assert_eq!(
            l.write_blob_bytes(&want, b"hellx").unwrap_err().kind(),
            ErrorKind::Integrity
        );
        // A reader that fails mid-way (a verifying reader, say) leaves nothing either.
        let failing = crate::digest::VerifyingReader::new(&b"hellx"[..], want.clone(), Some(5));
        assert_eq!(
            l.write_blob(&want, Some(5), failing)
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::Integrity
        );
        assert!(!l.has_blob(&want));
        assert_eq!(
            fs::read_dir(l.root().join("blobs").join("sha256"))
                .unwrap()
                .count(),
            0
        );
        assert_eq!(tmp_files(&l), 0);
        // A blob of the wrong length already present is replaced.
        fs::write(l.blob_path(&want), b"hel").unwrap();
        assert_eq!(
            l.write_blob(&want, Some(5), &b"hello"[..]).await.unwrap(),
            5
        );
        assert_eq!(fs::read(l.blob_path(&want)).unwrap(), b"hello");
    }

    #[test]
    fn sets_resolves_and_removes_refs() {
        let (_d, l) = new_layout();
        let a = image(&l, &[&tar(1)]);
        let b = image(&l, &[&tar(2)]);
        l.set_ref(Some("v1"), a.clone()).unwrap();
        l.set_ref(Some("v2"), a.clone()).unwrap();
        assert_eq!(l.resolve("v1").unwrap().digest(), a.digest());
        // Replace in place, keeping order.
        l.set_ref(Some("v1"), b.clone()).unwrap();
        assert_eq!(l.ref_names().unwrap(), ["v1", "v2"]);
        assert_eq!(l.resolve("v1").unwrap().digest(), b.digest());
        assert_eq!(
            l.resolve("v1").unwrap().annotations().as_ref().unwrap()[REF_NAME],
            "v1"
        );
        // Unnamed entries are not duplicated; a ref.name inside `desc` does not sneak in.
        let c = image(&l, &[&tar(3)]);
        let mut tagged = c.clone();
        tagged.set_annotations(Some([(REF_NAME.to_string(), "sneaky".to_string())].into()));
        l.set_ref(None, tagged.clone()).unwrap();
        l.set_ref(None, tagged).unwrap();
        assert_eq!(l.manifests().unwrap().len(), 3);
        assert_eq!(l.ref_names().unwrap(), ["v1", "v2"]);
        // A digest that has a name gets no unnamed entry besides it
        l.set_ref(None, b.clone()).unwrap();
        assert_eq!(l.manifests().unwrap().len(), 3);
        // Naming an unnamed image replaces its unnamed entry
        l.set_ref(Some("v3"), c.clone()).unwrap();
        assert_eq!(l.manifests().unwrap().len(), 3);
        assert_eq!(l.ref_names().unwrap(), ["v1", "v2", "v3"]);

        let e = l.resolve("nope").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(
            e.to_string().contains("\"nope\"")
                && e.to_string().contains(&l.root().display().to_string()),
            "{e}"
        );
        assert!(e.hint().unwrap().contains("\"v1\""));
        assert_eq!(l.resolve_default().unwrap_err().kind(), ErrorKind::Usage);

        assert_eq!(l.remove_ref("v2").unwrap().digest(), a.digest());
        assert_eq!(l.remove_ref("v2").unwrap_err().kind(), ErrorKind::NotFound);
        assert_eq!(l.resolve_ref(Some("v1")).unwrap().digest(), b.digest());

        assert_eq!(
            l.set_ref(Some("bad name"), a.clone()).unwrap_err().kind(),
            ErrorKind::Usage
        );
        let absent = desc(manifest::OCI_MANIFEST, b"{}");
        assert_eq!(
            l.set_ref(Some("x"), absent).unwrap_err().kind(),
            ErrorKind::NotFound
        );

        let (_d2, single) = new_layout();
        assert_eq!(
            single.resolve_default().unwrap_err().kind(),
            ErrorKind::NotFound
        );
        let only = image(&single, &[&tar(3)]);
        single.set_ref(Some("only"), only.clone()).unwrap();
        assert_eq!(single.resolve_ref(None).unwrap().digest(), only.digest());
    }

    #[test]
    fn ref_name_grammar() {
        for ok in [
            "v1",
            "1.0.0",
            "app/latest",
            "a--b",
            "sha256-abc",
            "a_b+c@d:e",
            "A9",
        ] {
            check_ref_name(ok).unwrap();
        }
        for bad in [
            "", "-v1", "v1-", "a..b", "a---b", "a//b", "/a", "a b", "a\\b", "é",
        ] {
            assert!(check_ref_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn keeps_foreign_fields_of_index_json() {
        let (_d, l) = new_layout();
        let a = image(&l, &[&tar(1)]);
        let foreign = serde_json::json!({
            "schemaVersion": 2,
            "annotations": { "com.example.owner": "ops" },
            "x-extension": [1, 2],
            "manifests": [{
                "mediaType": manifest::OCI_MANIFEST, "digest": a.digest().to_string(), "size": a.size(),
                "annotations": { REF_NAME: "theirs", "com.example.note": "keep me" },
                "x-unknown": true,
            }],
        });
        fs::write(l.index_path(), serde_json::to_vec(&foreign).unwrap()).unwrap();
        l.set_ref(Some("mine"), a.clone()).unwrap();
        let after: Value = serde_json::from_slice(&fs::read(l.index_path()).unwrap()).unwrap();
        assert_eq!(after["annotations"]["com.example.owner"], "ops");
        assert_eq!(after["x-extension"], serde_json::json!([1, 2]));
        assert_eq!(after["mediaType"], manifest::OCI_INDEX);
        assert_eq!(
            after["manifests"][0]["annotations"]["com.example.note"],
            "keep me"
        );
        assert_eq!(after["manifests"][0]["x-unknown"], true);
        assert_eq!(after["manifests"][1]["annotations"][REF_NAME], "mine");
        // And it is still an index oci-spec accepts.
        serde_json::from_value::<oci_spec::image::ImageIndex>(after).unwrap();
    }

    #[test]
    fn concurrent_set_ref_loses_nothing() {
        let (_d, l) = new_layout();
        let a = image(&l, &[&tar(1)]);
        let threads: Vec<_> = (0..8)
            .map(|t| {
                // Each thread opens the layout itself, as another process would.
                let root = l.root().to_path_buf();
                let a = a.clone();
                std::thread::spawn(move || {
                    let l = Layout::open(&root).unwrap();
                    for i in 0..10 {
                        l.set_ref(Some(&format!("t{t}-{i}")), a.clone()).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let mut names = l.ref_names().unwrap();
        names.sort();
        let mut want: Vec<String> = (0..8)
            .flat_map(|t| (0..10).map(move |i| format!("t{t}-{i}")))
            .collect();
        want.sort();
        assert_eq!(names, want);
    }

    #[test]
    fn gc_keeps_shared_and_removes_unreferenced() {
        let (_d, l) = new_layout();
        let shared = tar(1);
        let only_b = vec![9u8; 4096];
        let a = image(&l, &[&shared]);
        let b = image(&l, &[&shared, &only_b]);
        let idx = index_of(&l, &[a.clone(), b.clone()]);
        l.set_ref(Some("a"), a.clone()).unwrap();
        l.set_ref(Some("both"), idx.clone()).unwrap();
        let stray = put(&l, LAYER_TAR, b"stray");
        fs::write(
            l.root().join("blobs").join("sha256").join("not-a-digest"),
            b"x",
        )
        .unwrap();
        // A stale and a fresh temp file.
        let stale = l.temp_file("blob-").unwrap().keep().unwrap().1;
        let old = SystemTime::now() - STALE_TEMP_AGE - Duration::from_secs(60);
        File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let fresh = l.temp_file("blob-").unwrap();

        // A grace period keeps young garbage; dry-run deletes nothing.
        let young = GcOptions {
            min_age: Duration::from_secs(600),
            dry_run: false,
        };
        assert_eq!(l.gc_with(&young).unwrap(), GcStats::default());
        let dry = l
            .gc_with(&GcOptions {
                dry_run: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            dry,
            GcStats {
                blobs: 1,
                bytes: 5,
                deferred: false
            }
        );
        assert!(l.has_blob(&dig(&stray)));

        assert_eq!(
            l.gc().unwrap(),
            GcStats {
                blobs: 1,
                bytes: 5,
                deferred: false
            }
        );
        assert!(!l.has_blob(&dig(&stray)));
        assert!(
            l.root()
                .join("blobs")
                .join("sha256")
                .join("not-a-digest")
                .exists()
        );
        assert!(!stale.exists());
        assert!(fresh.path().exists());

        // Untag the index: b's manifest, config and own layer go; the shared layer stays.
        l.remove_ref("both").unwrap();
        let stats = l.gc().unwrap();
        assert_eq!(
            stats.blobs, 4,
            "index, b's manifest, b's config, b's own layer"
        );
        assert!(l.has_blob(&Digest::sha256_of(&shared)));
        assert!(!l.has_blob(&Digest::sha256_of(&only_b)));
        assert!(l.has_blob(&dig(&a)));
        l.read_blob_bytes(&dig(&a)).unwrap();
        assert_eq!(l.gc().unwrap(), GcStats::default());
    }

    #[test]
    fn gc_refuses_when_a_manifest_is_missing_or_corrupt() {
        let (_d, l) = new_layout();
        let a = image(&l, &[&tar(1)]);
        let b = image(&l, &[&tar(2)]);
        let idx = index_of(&l, std::slice::from_ref(&b));
        l.set_ref(Some("a"), a.clone()).unwrap();
        l.set_ref(Some("i"), idx).unwrap();
        let stray = put(&l, LAYER_TAR, b"stray");
        let count = || {
            fs::read_dir(l.root().join("blobs").join("sha256"))
                .unwrap()
                .count()
        };
        let before = count();

        // A child of an index is missing.
        let b_bytes = fs::read(l.blob_path(&dig(&b))).unwrap();
        fs::remove_file(l.blob_path(&dig(&b))).unwrap();
        let e = l.gc().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(e.to_string().contains(&dig(&b).to_string()), "{e}");
        assert_eq!(count(), before - 1);
        assert!(l.has_blob(&dig(&stray)));

        // A top-level manifest is corrupt.
        fs::write(l.blob_path(&dig(&b)), &b_bytes).unwrap();
        fs::write(l.blob_path(&dig(&a)), b"{\"schemaVersion\":2}").unwrap();
        assert_eq!(l.gc().unwrap_err().kind(), ErrorKind::Integrity);
        assert_eq!(count(), before);

        // A top-level manifest is missing.
        fs::remove_file(l.blob_path(&dig(&a))).unwrap();
        assert_eq!(l.gc().unwrap_err().kind(), ErrorKind::NotFound);
        assert!(l.has_blob(&dig(&stray)));

        // Missing layers are fine: they reference nothing.
        l.remove_ref("a").unwrap();
        fs::remove_file(l.blob_path(&Digest::sha256_of(&tar(2)))).unwrap();
        assert_eq!(
            l.gc().unwrap().blobs,
            3,
            "a's config and layer, and the stray blob"
        );
    }

    fn copy_dir(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for e in fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let dest = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy_dir(&e.path(), &dest);
            } else {
                fs::write(&dest, fs::read(e.path()).unwrap()).unwrap();
            }
        }
    }

    #[test]
    fn reads_and_collects_the_regclient_fixture() {
        let fixture = crate::fixture_path("archives/oci-layout-regclient-testrepo");
        assert!(
            fixture.join("index.json").is_file(),
            "{} is missing",
            fixture.display()
        );
        let l = Layout::open(&fixture).unwrap();
        assert_eq!(
            l.resolve("v1").unwrap().digest().to_string(),
            "sha256:7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa"
        );
        assert!(l.ref_names().unwrap().len() > 10);
        assert_eq!(l.resolve_default().unwrap_err().kind(), ErrorKind::Usage);

        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("copy");
        copy_dir(&fixture, &copy);
        let l = Layout::open_or_create(&copy).unwrap();
        let all = || -> Vec<_> {
            let mut v: Vec<_> = fs::read_dir(copy.join("blobs").join("sha256"))
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            v.sort();
            v
        };
        let before = all();
        assert_eq!(l.gc().unwrap(), GcStats::default());
        assert_eq!(all(), before);
        let stray = put(&l, LAYER_TAR, b"stray");
        assert_eq!(
            l.gc().unwrap(),
            GcStats {
                blobs: 1,
                bytes: 5,
                deferred: false
            }
        );
        assert!(!l.has_blob(&dig(&stray)));
        assert_eq!(all(), before);
        // Naming through imgctl keeps regclient's entries intact.
        let v1 = l.resolve("v1").unwrap();
        l.set_ref(Some("copy-of-v1"), v1.clone()).unwrap();
        assert_eq!(
            l.manifests().unwrap().len(),
            Layout::open(&fixture).unwrap().manifests().unwrap().len() + 1
        );
        assert_eq!(l.gc().unwrap(), GcStats::default());
    }

    fn tool(name: &str) -> bool {
        std::process::Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// What imgctl writes, skopeo and umoci read (docs/DESIGN.md §8). Skipped without the tools.
    #[test]
    fn interop_with_skopeo_and_umoci() {
        let (d, l) = new_layout();
        let m = image(&l, &[&tar(1)]);
        l.set_ref(Some("v1"), m.clone()).unwrap();
        l.set_ref(Some("other"), image(&l, &[&tar(2)])).unwrap();
        let root = l.root().to_str().unwrap();
        if tool("skopeo") {
            let out = std::process::Command::new("skopeo")
                .args(["inspect", &format!("oci:{root}:v1")])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "skopeo: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(v["Digest"], m.digest().to_string());
            assert_eq!(v["Architecture"], "amd64");
        } else {
            eprintln!("skopeo not installed: skipped");
        }
        if tool("umoci") {
            let out = std::process::Command::new("umoci")
                .args(["ls", "--layout", root])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "umoci ls: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .any(|t| t == "v1")
            );
            let bundle = d.path().join("bundle");
            let out = std::process::Command::new("umoci")
                .args([
                    "unpack",
                    "--rootless",
                    "--image",
                    &format!("{root}:v1"),
                    bundle.to_str().unwrap(),
                ])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "umoci unpack: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        } else {
            eprintln!("umoci not installed: skipped");
        }
    }

    /// A reader that yields `data` and then fails like a dropped connection.
    struct Cut<'a>(&'a [u8]);

    impl AsyncRead for Cut<'_> {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _cx: &mut TaskContext<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            if self.0.is_empty() {
                return Poll::Ready(Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "connection reset",
                )));
            }
            let n = self.0.len().min(buf.remaining()).min(4096);
            buf.put_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn resumable_write_keeps_partial_and_resumes() {
        let (_d, l) = new_layout();
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let digest = Digest::sha256_of(&data);
        let size = Some(data.len() as u64);
        // First attempt: 1 MB then the connection drops.
        let err = l
            .write_blob_resumable(&digest, size, |off| {
                assert_eq!(off, 0);
                let part = &data[..1_000_000];
                async move { Ok(Cut(part)) }
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Network, "{err}");
        assert!(!l.has_blob(&digest));
        assert_eq!(
            fs::metadata(l.partial_path(&digest)).unwrap().len(),
            1_000_000
        );
        // Second attempt continues at byte 1 000 000 and completes.
        let asked = std::sync::Mutex::new(Vec::new());
        let n = l
            .write_blob_resumable(&digest, size, |off| {
                asked.lock().unwrap().push(off);
                let rest = &data[off as usize..];
                async move { Ok(rest) }
            })
            .await
            .unwrap();
        assert_eq!(n, 2_000_000);
        assert_eq!(*asked.lock().unwrap(), vec![1_000_000]);
        assert_eq!(fs::read(l.blob_path(&digest)).unwrap(), data);
        assert!(!l.partial_path(&digest).exists());
    }

    #[tokio::test]
    async fn a_complete_partial_is_verified_without_asking_for_more() {
        let (_d, l) = new_layout();
        let data = vec![8u8; 70_000];
        let digest = Digest::sha256_of(&data);
        fs::create_dir_all(l.partial_path(&digest).parent().unwrap()).unwrap();
        fs::write(l.partial_path(&digest), &data).unwrap();
        let n = l
            .write_blob_resumable(&digest, Some(70_000), |off| async move {
                Err::<&[u8], _>(Error::other(format!("asked from byte {off}")))
            })
            .await
            .unwrap();
        assert_eq!(n, 0);
        assert_eq!(fs::read(l.blob_path(&digest)).unwrap(), data);
        // A complete but wrong one is fetched again from byte 0.
        let other = vec![9u8; 70_000];
        let od = Digest::sha256_of(&other);
        fs::write(l.partial_path(&od), &data).unwrap();
        let asked = std::sync::Mutex::new(Vec::new());
        l.write_blob_resumable(&od, Some(70_000), |off| {
            asked.lock().unwrap().push(off);
            let rest = &other[off as usize..];
            async move { Ok(rest) }
        })
        .await
        .unwrap();
        assert_eq!(*asked.lock().unwrap(), vec![0]);
        assert_eq!(fs::read(l.blob_path(&od)).unwrap(), other);
    }

    #[tokio::test]
    async fn resumable_write_restarts_after_a_bad_prefix() {
        let (_d, l) = new_layout();
        let data = vec![7u8; 100_000];
        let digest = Digest::sha256_of(&data);
        fs::create_dir_all(l.partial_path(&digest).parent().unwrap()).unwrap();
        fs::write(l.partial_path(&digest), vec![9u8; 50_000]).unwrap();
        let asked = std::sync::Mutex::new(Vec::new());
        l.write_blob_resumable(&digest, Some(100_000), |off| {
            asked.lock().unwrap().push(off);
            let rest = &data[off as usize..];
            async move { Ok(rest) }
        })
        .await
        .unwrap();
        assert_eq!(*asked.lock().unwrap(), vec![50_000, 0]);
        assert_eq!(fs::read(l.blob_path(&digest)).unwrap(), data);
        // Wrong content from the start: asked once more from byte 0, then Integrity, nothing
        // kept.
        let other = Digest::sha256_of(b"other");
        let asked = std::sync::Mutex::new(Vec::new());
        let err = l
            .write_blob_resumable(&other, Some(5), |off| {
                asked.lock().unwrap().push(off);
                async { Ok(&b"wrong"[..]) }
            })
            .await
            .unwrap_err();
        assert_eq!(*asked.lock().unwrap(), vec![0, 0]);
        assert_eq!(err.kind(), ErrorKind::Integrity);
        assert!(!l.has_blob(&other) && !l.partial_path(&other).exists());
    }

    #[tokio::test]
    async fn a_source_that_fails_to_open_leaves_no_empty_partial() {
        let (_d, l) = new_layout();
        let digest = Digest::sha256_of(b"never arrives");
        let err = l
            .write_blob_resumable(&digest, Some(13), |_| async {
                Err::<&[u8], _>(Error::not_found("blob unknown to registry"))
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(!l.partial_path(&digest).exists(), "0-byte partial left");
        // A source that fails before its first byte: no partial either.
        let err = l
            .write_blob_resumable(&digest, Some(13), |_| async { Ok(Cut(b"")) })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Network);
        assert!(!l.partial_path(&digest).exists(), "0-byte partial left");
    }

    /// A real ENOSPC without root: the partial download is `/dev/full` (through a symlink).
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_full_disk_deletes_the_partial_download() {
        let (_d, l) = new_layout();
        let data = vec![5u8; 300_000];
        let digest = Digest::sha256_of(&data);
        let path = l.partial_path(&digest);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink("/dev/full", &path).unwrap();
        let err = l
            .write_blob_resumable(&digest, Some(data.len() as u64), |off| {
                let rest = &data[off as usize..];
                async move { Ok(rest) }
            })
            .await
            .unwrap_err();
        assert!(is_disk_full(&err), "{err} / {:?}", err.hint());
        assert!(err.to_string().contains("failed to write"), "{err}");
        assert!(
            fs::symlink_metadata(&path).is_err(),
            "partial kept on a full disk"
        );
        assert!(!l.has_blob(&digest));
    }

    fn partial_file(l: &Layout, seed: &[u8], len: usize) -> PathBuf {
        let p = l.partial_path(&Digest::sha256_of(seed));
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, vec![1u8; len]).unwrap();
        p
    }

    #[test]
    fn rmi_frees_space_before_writing_index_json_on_a_full_disk() {
        let (_d, l) = new_layout();
        let a = image(&l, &[&vec![3u8; 50_000]]);
        let b = image(&l, &[&vec![4u8; 60_000], &vec![6u8; 30_000]]);
        let shared = image(&l, &[&vec![4u8; 60_000], &tar(9)]);
        l.set_ref(Some("a"), a.clone()).unwrap();
        l.set_ref(Some("b"), b.clone()).unwrap();
        l.set_ref(Some("shared"), shared.clone()).unwrap();
        let partial = partial_file(&l, b"old download", 40_000);
        // Full: not a byte more fits.
        test_disk::set_quota(l.root(), test_disk::usage(l.root()));
        assert!(is_disk_full(&l.write_index(&empty_index()).unwrap_err()));

        // 1. Unused partial downloads make room.
        l.remove_ref("a").unwrap();
        assert!(!partial.exists());
        assert_eq!(l.ref_names().unwrap(), ["b", "shared"]);

        // 2. Still full, nothing partial: the removed image's own layers and config go first
        //    (a layer another image uses stays), then index.json is written; gc finishes.
        test_disk::set_quota(l.root(), test_disk::usage(l.root()));
        let held = l.writer_lock().unwrap();
        let e = l.remove_ref("b").unwrap_err();
        assert!(is_disk_full(&e), "{e}");
        assert!(
            l.has_blob(&dig(&b)),
            "nothing deleted while another process writes"
        );
        drop(held);
        l.remove_ref("b").unwrap();
        assert_eq!(l.ref_names().unwrap(), ["shared"]);
        let b_manifest: Value =
            serde_json::from_slice(&l.read_blob_bytes(&dig(&b)).unwrap()).unwrap();
        let b_config: Digest = b_manifest["config"]["digest"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(!l.has_blob(&b_config));
        assert!(!l.has_blob(&Digest::sha256_of(&vec![6u8; 30_000])));
        assert!(
            l.has_blob(&Digest::sha256_of(&vec![4u8; 60_000])),
            "shared layer kept"
        );
        test_disk::set_quota(l.root(), u64::MAX);
        l.gc().unwrap();
        assert!(!l.has_blob(&dig(&b)));
        // The remaining image is whole.
        assert!(l.mark(&l.read_index().unwrap()).is_ok());
        assert!(l.has_blob(&dig(&shared)));
    }

    #[test]
    fn prune_deletes_unused_partials_temp_files_and_unreferenced_blobs() {
        let (_d, l) = new_layout();
        let a = image(&l, &[&tar(1)]);
        l.set_ref(Some("a"), a).unwrap();
        let stray = put(&l, LAYER_TAR, b"stray");
        let idle = partial_file(&l, b"idle", 1000);
        let busy = partial_file(&l, b"busy", 2000);
        let writer = File::options().read(true).write(true).open(&busy).unwrap();
        writer.lock().unwrap(); // another download is writing it
        let fresh = l.temp_file("blob-").unwrap().keep().unwrap().1;
        fs::write(&fresh, vec![0u8; 300]).unwrap();

        // While another process writes into the layout, its fresh temp files and blobs stay.
        let held = l.writer_lock().unwrap();
        let s = l.prune().unwrap();
        assert_eq!((s.partials, s.partials_in_use, s.temp_files), (1, 1, 0));
        assert_eq!(s.bytes, 1000);
        assert!(s.gc.deferred && l.has_blob(&dig(&stray)));
        assert!(!idle.exists() && busy.exists() && fresh.exists());
        drop(held);
        drop(writer);

        let s = l.prune().unwrap();
        assert_eq!((s.partials, s.partials_in_use, s.temp_files), (1, 0, 1));
        assert_eq!(s.bytes, 2300);
        assert_eq!(s.gc.blobs, 1);
        assert!(!busy.exists() && !fresh.exists() && !l.has_blob(&dig(&stray)));
        assert_eq!(l.prune().unwrap(), PruneStats::default());
        // Prune only deletes: it works on a full disk.
        partial_file(&l, b"again", 500);
        test_disk::set_quota(l.root(), test_disk::usage(l.root()));
        assert_eq!(l.prune().unwrap().partials, 1);
    }

    #[test]
    fn gc_is_deferred_while_a_writer_holds_the_layout() {
        let (_d, l) = new_layout();
        put(&l, LAYER_TAR, b"stray");
        let guard = l.writer_lock().unwrap();
        let stats = l.gc().unwrap();
        assert!(stats.deferred);
        assert_eq!(stats.blobs, 0);
        assert!(l.has_blob(&Digest::sha256_of(b"stray")));
        drop(guard);
        let stats = l.gc().unwrap();
        assert!(!stats.deferred);
        assert_eq!(stats.blobs, 1);
    }
}
