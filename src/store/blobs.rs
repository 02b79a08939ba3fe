//! Blob I/O of the store: verified, atomic streaming writes ([`Layout::write_blob`]), small
//! writes and reads ([`Layout::write_blob_bytes`], [`Layout::read_blob_bytes`]), hashing and
//! ranged reads (OCI image spec `image-layout.md`, "Blobs"). The reader → writer/hasher pump
//! here is shared with the resumable downloads of `partial.rs`.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::PathBuf;

use bytes::Bytes;
use futures_util::{FutureExt, Stream, StreamExt};
use tempfile::NamedTempFile;
use tokio::io::{AsyncRead, AsyncSeekExt};
use tokio::sync::mpsc;
use tokio_util::io::ReaderStream;

use super::{BLOBS_DIR, Layout, MAX_SMALL_BLOB, persist, write_error};
use crate::digest::{Digest, Hasher};
use crate::error::{Context, Error, Result};

/// Bytes per chunk read from an [`AsyncRead`], and at least handed from the async reader to
/// the writing threads at once (256 KiB; the chunks of an HTTP body, up to ~400 KiB each, are
/// handed on as they came).
pub(super) const CHUNK: usize = 256 << 10;

/// Batches of chunks in flight between reader and writer: peak memory per write is a few
/// times [`CHUNK`] plus the HTTP read buffer, whatever the blob size.
const CHUNK_QUEUE: usize = 2;

/// Blobs of at least this many bytes are hashed on a thread of their own while being written
/// (a lone large layer then moves at about hashing speed rather than hashing + writing).
#[cfg(not(test))]
const SPLIT_HASHING_AT: u64 = 512 << 20;
/// Unit tests cover both paths: their blobs of 512 KiB and more take the split one.
#[cfg(test)]
const SPLIT_HASHING_AT: u64 = 512 << 10;

/// Bytes written between two requests to start writing them to disk ([`start_writeback`]).
const WRITEBACK_EVERY: u64 = 8 << 20;

impl Layout {
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
    /// size; ~1.2 GB/s on a 2-core machine, the speed of sha256), then the file's data is
    /// made durable (`fdatasync`; on Linux its writeback starts every 8 MiB while it is written)
    /// and it is renamed to `blobs/<alg>/<hex>` only if digest and size verify (the directory is
    /// fsync'd after the rename).
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
        let mut chunks = ReaderStream::with_capacity(&mut reader, CHUNK);
        let pumped = pump(
            &mut chunks,
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
                .sync_data()
                .ctx(|| format!("failed to fsync {}", tmp.path().display()))?;
            persist(tmp, &dest)
        })
        .await
        .map_err(joined)
        .and_then(|r| r)
        .map_err(|e| e.context(ctx()))?;
        Ok(n)
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

    /// Whether blob `digest` is present with length `size` (when known).
    pub(super) async fn present(&self, digest: &Digest, size: Option<u64>) -> bool {
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
}

/// A file [`pump`] appends to (a partial download, a temp file): written through [`Write`],
/// its [`File`] for [`start_writeback`].
pub(super) trait BlobFile: Write + Send + 'static {
    /// The open file.
    fn file(&self) -> &File;
}

impl BlobFile for File {
    fn file(&self) -> &File {
        self
    }
}

impl BlobFile for NamedTempFile {
    fn file(&self) -> &File {
        self.as_file()
    }
}

/// Asks the kernel to start writing bytes `offset..offset + len` of `file` to disk now, without
/// waiting for them (Linux `sync_file_range(SYNC_FILE_RANGE_WRITE)`), so that the `fdatasync`
/// that makes the whole blob durable before it is named finds little left to write: the disk
/// works while the rest of the blob arrives, instead of all of it after the last byte. Not a
/// durability guarantee by itself (no metadata, no device cache flush). Best effort; elsewhere a
/// no-op (the final fsync writes everything).
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
        return;
    };
    // SAFETY: `file` is an open descriptor for the whole call; the call only schedules
    // writeback of its dirty pages in the range and reads no memory of ours.
    let r = unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE)
    };
    if r != 0 {
        tracing::trace!(
            "sync_file_range failed: {}",
            std::io::Error::last_os_error()
        );
    }
}

/// Elsewhere a no-op: the final fsync writes everything.
#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _offset: u64, _len: u64) {}

/// What [`pump`] did: the sink and hash state back, bytes appended, and how reading ended.
pub(super) struct Pumped<W> {
    pub(super) sink: W,
    pub(super) hasher: Hasher,
    pub(super) written: u64,
    /// The reader's error, or Integrity when it yielded more than `size` bytes.
    pub(super) read: Result<()>,
}

/// The error of a blocking write task that panicked or was cancelled.
pub(super) fn joined(e: tokio::task::JoinError) -> Error {
    Error::other(format!("blob writer thread failed: {e}"))
}

/// Integrity error: the `n` bytes read hash to `got`, not to `digest` (or not `size` bytes).
pub(super) fn mismatch(digest: &Digest, size: Option<u64>, got: &Digest, n: u64) -> Error {
    let want = match size {
        Some(s) => format!("{digest} ({s} bytes)"),
        None => digest.to_string(),
    };
    Error::integrity(format!(
        "content does not match: expected {want}, got {got} ({n} bytes)"
    ))
}

/// Appends every chunk `chunks` yields to `sink` while feeding `hasher`, handed to a blocking
/// thread in batches of at least [`CHUNK`] bytes, or of what arrived when nothing more is ready
/// (the chunks themselves, not copies), which hashes and writes them; this task only reads. `start` bytes are already in the
/// sink (which is positioned after them); more than `size` in total stops reading with an
/// Integrity error. Every [`WRITEBACK_EVERY`] bytes the writing of what was appended to disk is
/// started ([`start_writeback`]).
///
/// A read error is returned inside [`Pumped`] with everything read before it written and
/// hashed (so a partial file can be resumed). Errors (outer): Other on a local write failure.
pub(super) async fn pump<S, W>(
    chunks: &mut S,
    sink: W,
    hasher: Hasher,
    start: u64,
    size: Option<u64>,
    digest: &Digest,
) -> Result<Pumped<W>>
where
    S: Stream<Item = std::io::Result<Bytes>> + Unpin + Send,
    W: BlobFile,
{
    // One blocking thread per blob hashes and writes each chunk: with several blobs moving
    // at once the cores are already busy, and a second thread per blob only adds hand-offs.
    // A blob of SPLIT_HASHING_AT bytes or more is usually alone on the wire for most of its
    // transfer, so there hashing moves to a thread of its own, overlapping with the writes.
    let split = size.is_some_and(|s| s >= SPLIT_HASHING_AT);
    let (file_tx, mut file_rx) = mpsc::channel::<Vec<Bytes>>(CHUNK_QUEUE);
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
        // Bytes appended since the last writeback request.
        let mut unflushed: u64 = 0;
        let mut failed = None;
        'batches: while let Some(batch) = file_rx.blocking_recv() {
            for b in batch {
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
                    break 'batches;
                }
                n += b.len() as u64;
                unflushed += b.len() as u64;
                if unflushed >= WRITEBACK_EVERY {
                    start_writeback(sink.file(), start + n - unflushed, unflushed);
                    unflushed = 0;
                }
            }
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
        let mut batch: Vec<Bytes> = Vec::new();
        let mut batched = 0usize;
        loop {
            // Nothing more ready: what is batched goes to disk now rather than waiting for the
            // stream (a stalled download leaves every byte it received in the partial file).
            let next = match chunks.next().now_or_never() {
                Some(next) => next,
                None => {
                    if !batch.is_empty() {
                        batched = 0;
                        if file_tx.send(std::mem::take(&mut batch)).await.is_err() {
                            return Ok(());
                        }
                    }
                    chunks.next().await
                }
            };
            let b = match next {
                Some(Ok(b)) => b,
                Some(Err(e)) => {
                    // What arrived before the failure is kept (a partial file resumes after it).
                    if !batch.is_empty() {
                        let _ = file_tx.send(batch).await;
                    }
                    return Err(e.into());
                }
                None => {
                    // A send fails only when the writer stopped on an I/O error (reported below).
                    if !batch.is_empty() {
                        let _ = file_tx.send(batch).await;
                    }
                    return Ok(());
                }
            };
            total += b.len() as u64;
            if let Some(s) = size.filter(|s| total > *s) {
                return Err(Error::integrity(format!(
                    "content does not match: expected {digest} ({s} bytes), got more than {s} bytes"
                )));
            }
            if b.is_empty() {
                continue;
            }
            batched += b.len();
            batch.push(b);
            if batched >= CHUNK {
                if file_tx.send(std::mem::take(&mut batch)).await.is_err() {
                    return Ok(());
                }
                batched = 0;
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
