//! Garbage collection of the store (mark from `index.json`, sweep `blobs/`), prune (partial
//! downloads and temp files no process uses, then gc), and the space-freeing fallback of an
//! `index.json` write on a full disk.

use std::collections::{HashMap, HashSet};
use std::fs::{self, OpenOptions};
use std::path::Path;
use std::time::{Duration, SystemTime};

use oci_spec::image::Descriptor;
use serde_json::Value;

use super::index::{entries, entry_name};
use super::lock::same_file;
use super::{BLOBS_DIR, Layout, PARTIAL_DIR, STALE_PARTIAL_AGE, STALE_TEMP_AGE, is_disk_full};
use crate::digest::{Algorithm, Digest};
use crate::error::{Context, Error, Result};
use crate::manifest::{self, Manifest};

/// Blobs of a type imgctl does not know are read as possible manifests only up to this size.
const MAX_UNKNOWN_MANIFEST: u64 = 4 << 20;

/// The deprecated OCI artifact manifest (image-spec 1.1 release candidates); `blobs` + `subject`.
const OCI_ARTIFACT_MANIFEST: &str = "application/vnd.oci.artifact.manifest.v1+json";

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

    /// Replaces `index.json` with `index` (which names fewer images than `old`, the current
    /// one) on a disk that may be full: when the write fails for lack of space, first the
    /// partial downloads and temp files no process uses are deleted and the write tried
    /// again; then, when no other process writes into the layout, the configs and layers that
    /// only the removed images referenced (manifests stay until gc, so an interruption
    /// leaves images gc tolerates), and the write tried a last time. Caller holds the lock.
    ///
    /// Errors: as [`Layout::atomic_write`], with [`DISK_FULL_HINT`] when no space was found.
    pub(super) fn write_index_freeing_space(&self, index: &Value, old: &Value) -> Result<()> {
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

    /// The mark phase of [`Layout::gc_with`]: every digest reachable from the entries of
    /// `index` (an `index.json` document), with whether it was read as a manifest.
    pub(super) fn mark(&self, index: &Value) -> Result<HashMap<Digest, bool>> {
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
