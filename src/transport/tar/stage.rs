//! The staging layout of an archive destination: the image is written into an OCI layout on
//! disk first (blobs verified, downloads resumable), then tarred into the archive.
//!
//! Why it is kept the way it is:
//!
//! - **Interrupted copies resume.** The staging directory has a fixed name per target
//!   ([`ArchiveTarget::stage_location`]: `.imgctl-stage-<key>` beside a file,
//!   `.imgctl-stream-<key>` in the store for a stream). A copy stopped by Ctrl-C or kill -9
//!   leaves it with its partial downloads (`.imgctl/partial/…`); the next copy to the same
//!   target opens the same directory and [`crate::store::Layout::write_blob_resumable`]
//!   continues each download from the byte where it stopped (`Range: bytes=N-`). Nothing piles
//!   up: there is at most one staging directory per target.
//! - **It goes away when it is not needed.** It is removed after the archive is written, and
//!   after a failure that retrying cannot help (a missing blob, a digest mismatch, a refused
//!   request, a local error). It is kept after a transient failure of a blob download (a
//!   network error or rate limit after retries), so that running the copy again resumes.
//! - **Concurrent copies to one target are safe.** Every process using the staging layout holds
//!   a shared lock on its `.imgctl/writers.lock` ([`Layout::writer_lock`]) from opening it to
//!   the end; a partial download is locked by whoever writes it. Removal takes that lock
//!   exclusively without waiting, so a directory another copy still uses is left to that copy,
//!   which removes it when it ends. Removal first renames the directory away
//!   (`<name>.del-<pid>`), so a process that opens the name meanwhile gets a fresh directory;
//!   a process that took its lock on the old one notices ([`crate::store::WriterLock::is_current`])
//!   and opens again.
//! - **Nothing stale leaks into the archive.** The archive's members are the blobs this copy
//!   wrote or found (its manifests, configs and layers, recorded as it goes) and an `index.json`
//!   built in memory from the images it named: another run's blobs, partials or `index.json`
//!   in the same directory never reach the tar.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use oci_spec::image::Descriptor;
use serde_json::Value;

use super::{ArchiveTarget, MemberData, blob_member};
use crate::blob::FetchedManifest;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::manifest::descriptor_digest;
use crate::progress::BlobProgress;
use crate::store::{LAYOUT_VERSION, Layout, WriterLock, add_ref_to_index, empty_index};
use crate::transport::ImageSource;
use crate::transport::layout_write::put_blob_resumable;

/// Attempts at opening the staging layout while other processes remove it.
const OPEN_ATTEMPTS: usize = 16;

/// The staging directory itself: held open (shared writer lock) while alive, removed on drop
/// unless a transient failure asked to keep it (see the module documentation).
struct Stage {
    dir: PathBuf,
    layout: Layout,
    lock: Mutex<Option<WriterLock>>,
    keep: AtomicBool,
}

impl Stage {
    /// Opens (creating when missing) the staging layout `parent/name` and takes its shared
    /// writer lock; removes leftovers of an interrupted removal (`name.del-*`) first. `shown`
    /// names the archive in messages.
    ///
    /// Errors: Other when the directory cannot be created (naming `parent`, not the staging
    /// directory); the layout's errors when it cannot be opened or locked.
    fn open(parent: &Path, name: &str, shown: &str) -> Result<Stage> {
        sweep_removals(parent, name);
        let dir = parent.join(name);
        for _ in 0..OPEN_ATTEMPTS {
            if let Err(e) = std::fs::create_dir(&dir)
                && e.kind() != std::io::ErrorKind::AlreadyExists
            {
                return Err(Error::other(format!(
                    "cannot create a staging directory for {shown} in {}: {}",
                    parent.display(),
                    // The io error alone: the staging directory's name means nothing to the user.
                    std::io::Error::from(e.kind())
                )));
            }
            let layout = Layout::open_or_create(&dir)?;
            let lock = layout.writer_lock()?;
            // Removed (renamed away) by another process between our open and our lock: the
            // lock protects nothing, open again.
            if lock.is_current() && dir.join("oci-layout").is_file() {
                tracing::debug!(stage = %dir.display(), "staging layout opened");
                return Ok(Stage {
                    dir,
                    layout,
                    lock: Mutex::new(Some(lock)),
                    keep: AtomicBool::new(false),
                });
            }
        }
        Err(Error::other(format!(
            "cannot open the staging directory for {shown} in {}: it keeps being removed by another imgctl process",
            parent.display()
        )))
    }

    /// Removes the staging directory unless another process uses it (best effort, logged).
    fn remove(&self) {
        let Ok(Some(exclusive)) = self.layout.try_writers_exclusive() else {
            tracing::debug!(stage = %self.dir.display(), "staging layout in use by another process; left to it");
            return;
        };
        if !exclusive.is_current() {
            return; // already renamed away by another process
        }
        let trash = removal_name(&self.dir);
        let removed = match std::fs::rename(&self.dir, &trash) {
            Ok(()) => std::fs::remove_dir_all(&trash),
            Err(e) => {
                // Windows refuses to rename a directory holding an open file (our lock): remove
                // it in place, unlocked. Elsewhere this fails as the rename did.
                tracing::debug!(stage = %self.dir.display(), "cannot rename the staging directory away: {e}");
                drop(exclusive);
                std::fs::remove_dir_all(&self.dir)
            }
        };
        if let Err(e) = removed {
            tracing::warn!(stage = %self.dir.display(), "cannot remove the staging directory: {e}");
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        // Our shared lock first, or our own exclusive attempt would fail.
        self.lock.lock().expect("stage lock").take();
        if self.keep.load(Ordering::SeqCst) {
            tracing::info!(
                stage = %self.dir.display(),
                "staging directory kept: running the copy again resumes its downloads"
            );
            return;
        }
        self.remove();
    }
}

/// `dir` renamed away for removal: `<dir>.del-<pid>` (unique among running processes).
fn removal_name(dir: &Path) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".del-{}", std::process::id()));
    dir.with_file_name(name)
}

/// Removes `parent/name.del-*`: staging directories whose removal was interrupted (nobody uses
/// a directory once it is renamed away). Best effort.
fn sweep_removals(parent: &Path, name: &str) {
    let prefix = format!("{name}.del-");
    let Ok(rd) = std::fs::read_dir(parent) else {
        return;
    };
    for e in rd.flatten() {
        if e.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// The staging layout of one archive destination (see the module documentation): blobs and
/// manifests go into a layout kept across interrupted runs; the archive is made of what this
/// copy wrote or found there, and of an `index.json` built in memory.
pub struct StagedLayout {
    layout: Layout,
    /// The blobs (manifests, configs, layers) of this copy, by digest; the archive's blobs.
    used: Mutex<BTreeSet<Digest>>,
    /// This copy's `index.json`.
    index: Mutex<Value>,
    /// Dropped last: removing the directory needs every other handle on it closed.
    stage: Stage,
}

impl StagedLayout {
    /// Opens the staging layout of `target` (beside a file, in `store` for a stream; see
    /// [`ArchiveTarget::stage_location`]), reusing what an interrupted run left there.
    ///
    /// Errors: Other when it cannot be created (naming the archive and the directory it goes
    /// in); the layout's errors.
    pub fn open(target: &ArchiveTarget, store: &Path) -> Result<StagedLayout> {
        let (parent, name) = target.stage_location(store)?;
        let stage = Stage::open(&parent, &name, &target.path().display().to_string())?;
        Ok(StagedLayout {
            layout: stage.layout.clone(),
            used: Mutex::new(BTreeSet::new()),
            index: Mutex::new(empty_index()),
            stage,
        })
    }

    /// The staging layout (for the archive's temp file).
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    fn record(&self, digest: Digest) {
        self.used.lock().expect("used lock").insert(digest);
    }

    /// Whether blob `desc` is staged already with its size (written by this or an earlier run,
    /// verified when it was written); a staged blob is recorded for the archive.
    ///
    /// Errors: Integrity when `desc` has a malformed digest.
    pub fn has_blob(&self, desc: &Descriptor) -> Result<bool> {
        let digest = descriptor_digest(desc)?;
        let have = std::fs::metadata(self.layout.blob_path(&digest))
            .is_ok_and(|m| m.is_file() && m.len() == desc.size());
        if have {
            self.record(digest);
        }
        Ok(have)
    }

    /// Writes blob `desc` from `source` into the staging layout, continuing a partial download
    /// an interrupted run kept; records it for the archive. A transient failure (Network,
    /// RateLimited) keeps the staging directory when this destination is dropped, so running
    /// the copy again resumes. Returns the bytes read from `source`.
    ///
    /// Errors: as [`put_blob_resumable`] (the source's errors name the source).
    pub async fn put_blob(
        &self,
        desc: &Descriptor,
        source: &dyn ImageSource,
        progress: &BlobProgress,
    ) -> Result<u64> {
        let digest = descriptor_digest(desc)?;
        match put_blob_resumable(&self.layout, desc, source, progress).await {
            Ok(n) => {
                self.record(digest);
                Ok(n)
            }
            Err(e) if matches!(e.kind(), ErrorKind::Network | ErrorKind::RateLimited) => {
                self.stage.keep.store(true, Ordering::SeqCst);
                Err(if e.hint().is_none() {
                    e.with_hint("what was downloaded is kept: run the same command again to resume")
                } else {
                    e
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Stores a manifest (verified against its digest) and records it for the archive.
    ///
    /// Errors: Integrity when the bytes do not match the digest; Other on I/O failure.
    pub fn put_manifest(&self, manifest: &FetchedManifest) -> Result<()> {
        self.layout
            .write_blob_bytes(&manifest.digest, &manifest.bytes)?;
        self.record(manifest.digest.clone());
        Ok(())
    }

    /// Stores root manifest `root` and adds `desc` (its descriptor) to this copy's
    /// `index.json`, named `name` (`org.opencontainers.image.ref.name`; unnamed when None)
    /// with [`crate::store::Layout::set_ref`]'s rules.
    ///
    /// Errors: Usage when `name` is not a valid ref name; Integrity when `root` does not match
    /// its digest; Other on I/O failure.
    pub fn name_root(
        &self,
        root: &FetchedManifest,
        name: Option<&str>,
        desc: &Descriptor,
    ) -> Result<()> {
        self.put_manifest(root)?;
        add_ref_to_index(&mut self.index.lock().expect("index lock"), name, desc)?;
        Ok(())
    }

    /// The archive's members: `oci-layout`, `index.json`, then this copy's blobs sorted by
    /// name (`blobs/<alg>/<hex>`), read from the staging layout.
    ///
    /// Errors: Other when a recorded blob is no longer in the staging layout.
    pub fn members(&self) -> Result<Vec<(String, MemberData)>> {
        let oci_layout = serde_json::json!({ "imageLayoutVersion": LAYOUT_VERSION });
        let index = self.index.lock().expect("index lock").clone();
        let mut out = vec![
            (
                "oci-layout".to_string(),
                MemberData::Bytes(serde_json::to_vec(&oci_layout)?),
            ),
            (
                "index.json".to_string(),
                MemberData::Bytes(serde_json::to_vec(&index)?),
            ),
        ];
        let mut blobs: Vec<(String, PathBuf)> = Vec::new();
        for d in self.used.lock().expect("used lock").iter() {
            let path = self.layout.blob_path(d);
            if !path.is_file() {
                return Err(Error::other(format!(
                    "blob {d} vanished from the staging directory before the archive was written"
                )));
            }
            blobs.push((blob_member(d), path));
        }
        blobs.sort();
        out.extend(blobs.into_iter().map(|(n, p)| (n, MemberData::File(p))));
        Ok(out)
    }
}
