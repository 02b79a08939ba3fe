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
//!
//! The store is split by job, one file each: `blobs.rs` (verified streaming writes, reads,
//! hashing), `partial.rs` (resumable partial downloads), `index.rs` (`index.json`: names,
//! lookups, the ref-name grammar), `lock.rs` (the index lock, the writers lock, and the
//! file-identity check that tells whether a lock still guards this layout), `gc.rs` (garbage
//! collection, prune, freeing space on a full disk). This file holds the layout itself (open,
//! create, version check) and the atomic-write plumbing they share; `tests/` their unit tests.

mod blobs;
mod gc;
mod index;
pub mod locations;
mod lock;
mod partial;
pub mod state;
#[cfg(test)]
mod tests;

pub use gc::{GcOptions, GcStats, PruneStats};
pub use index::{add_ref_to_index, empty_index};
pub use lock::WriterLock;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::NamedTempFile;

use crate::digest::Algorithm;
use crate::error::{Context, Error, Hint, Result};

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
    e.hint() == Some(&Hint::Text(DISK_FULL_HINT.to_string()))
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

/// An OCI image layout directory.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
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

/// A new temp file in `dir` named `PREFIX…`, created the way any tool creates a file: mode
/// 0666 minus the process's umask on Unix (the kernel applies the umask at `open`), so a layout
/// or archive it becomes is readable by others as the user's umask allows (tempfile's own
/// default is 0600). Never for files holding secrets: the credential code writes those with
/// mode 0600 itself. Deleted on drop unless persisted.
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
    if let Err(e) = fs::File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(dir = %dir.display(), "fsync of directory failed: {e}");
    }
    #[cfg(not(unix))]
    let _ = dir;
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
