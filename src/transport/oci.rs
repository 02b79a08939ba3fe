//! The `oci:` transport and the local store: an image in an OCI image layout, named by its
//! `org.opencontainers.image.ref.name` annotation.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use oci_spec::image::Descriptor;

use super::layout_write::put_blob_resumable;
use super::{ImageDestination, ImageSource, MountOrigin};
use crate::blob::{BlobStream, FetchedManifest};
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::manifest::{descriptor_digest, detect_media_type};
use crate::progress::BlobProgress;
use crate::store::{Layout, REF_NAME, WriterLock, is_disk_full};

/// Annotation on an `index.json` entry recording the registry repository the image was
/// copied from (`registry/repository`), so that a later push to that registry can mount its
/// blobs instead of uploading them. `imgctl tag` keeps it on the new name.
pub const ORIGIN_ANNOTATION: &str = "io.imgctl.origin";

fn parse_origin(desc: &Descriptor) -> Option<MountOrigin> {
    let v = desc.annotations().as_ref()?.get(ORIGIN_ANNOTATION)?;
    let (registry, repository) = v.split_once('/')?;
    Some(MountOrigin {
        registry: registry.to_string(),
        repository: repository.to_string(),
    })
}

/// Reads an image from a layout: the entry named `name`, or the only entry when `name` is None.
pub struct LayoutSource {
    layout: Layout,
    name: Option<String>,
    digest: Option<Digest>,
    label: String,
}

impl LayoutSource {
    /// A source for `name` in `layout`; `label` is how messages name it.
    pub fn new(layout: Layout, name: Option<String>, label: String) -> Self {
        LayoutSource {
            layout,
            name,
            digest: None,
            label,
        }
    }

    /// A source for the entry (tagged or not) whose manifest digest is `digest`.
    pub fn by_digest(layout: Layout, digest: Digest, label: String) -> Self {
        LayoutSource {
            layout,
            name: None,
            digest: Some(digest),
            label,
        }
    }

    /// The index.json entry this source reads.
    pub fn root_descriptor(&self) -> Result<Descriptor> {
        if let Some(d) = &self.digest {
            return self.layout.resolve_digest(d);
        }
        match &self.name {
            Some(n) => self.layout.resolve(n),
            None => {
                let mut all = self.layout.manifests()?;
                match all.len() {
                    1 => Ok(all.remove(0)),
                    0 => Err(Error::not_found(format!("{} holds no image", self.label))),
                    n => Err(Error::usage(format!(
                        "{} holds {n} images; name one with :TAG",
                        self.label
                    ))),
                }
            }
        }
    }

    /// The error for blob or manifest `digest` that `index.json` reaches but the layout lacks:
    /// it names this source, not the layout's directory alone. NotFound (exit 4).
    fn missing(&self, what: &str, digest: &Digest) -> Error {
        Error::not_found(format!(
            "{}: {what} {digest} is missing (the layout is incomplete)",
            self.label
        ))
        .with_hint(
            "the image's manifests reference a blob the layout does not hold; copy the image into it again",
        )
    }

    fn read_manifest(&self, digest: &Digest, media_type: Option<&str>) -> Result<FetchedManifest> {
        let bytes = self.layout.read_blob_bytes(digest).map_err(|e| {
            if e.kind() == ErrorKind::NotFound {
                self.missing("manifest", digest)
            } else {
                e
            }
        })?;
        let media_type = match media_type {
            Some(m) if !m.is_empty() => m.to_string(),
            _ => detect_media_type(&bytes, None)?,
        };
        Ok(FetchedManifest {
            bytes,
            media_type,
            digest: digest.clone(),
        })
    }
}

#[async_trait]
impl ImageSource for LayoutSource {
    fn describe(&self) -> String {
        self.label.clone()
    }
    async fn root_manifest(&self) -> Result<FetchedManifest> {
        let desc = self.root_descriptor()?;
        let digest = descriptor_digest(&desc)?;
        let mt = desc.media_type().to_string();
        let mut m = self.read_manifest(&digest, Some(&mt))?;
        // The document's own mediaType beats the index entry.
        m.media_type = detect_media_type(&m.bytes, Some(&mt))?;
        Ok(m)
    }
    async fn manifest(&self, digest: &Digest) -> Result<FetchedManifest> {
        self.read_manifest(digest, None)
    }
    /// Errors: NotFound "LABEL: blob … is missing (the layout is incomplete)" when the layout
    /// lacks it; Usage when `offset` is past its end.
    async fn blob(&self, desc: &Descriptor, offset: u64) -> Result<BlobStream> {
        let digest = descriptor_digest(desc)?;
        let f = self.layout.open_blob(&digest, offset).await.map_err(|e| {
            if e.kind() == ErrorKind::NotFound {
                self.missing("blob", &digest)
            } else {
                e
            }
        })?;
        Ok(Box::pin(tokio::io::BufReader::with_capacity(256 * 1024, f)))
    }
    fn mount_origin(&self) -> Option<MountOrigin> {
        self.root_descriptor().ok().as_ref().and_then(parse_origin)
    }
    /// Hashes the layout's file of `desc` again (local, so cheap next to the failed transfer):
    /// Integrity "blob … in LABEL does not match its digest" when it does not, NotFound when
    /// it is gone.
    async fn check_blob(&self, desc: &Descriptor) -> Option<Error> {
        let digest = descriptor_digest(desc).ok()?;
        let layout = self.layout.clone();
        let d = digest.clone();
        let hashed = tokio::task::spawn_blocking(move || layout.hash_blob(&d))
            .await
            .ok()?;
        match hashed {
            Ok((got, n)) if got == digest && n == desc.size() => None,
            Ok((got, n)) => Some(
                Error::integrity(format!(
                    "blob {digest} in {} does not match its digest: its {n} bytes hash to {got}{}",
                    self.label,
                    if n == desc.size() {
                        String::new()
                    } else {
                        format!(" (the manifest says {} bytes)", desc.size())
                    }
                ))
                .with_hint(
                    "the layout is corrupt (changed after it was written); copy the image into it again from where it came from",
                ),
            ),
            Err(e) if e.kind() == ErrorKind::NotFound => Some(self.missing("blob", &digest)),
            Err(_) => None,
        }
    }
}

/// Writes an image into a layout and names it `name` (untagged when None).
pub struct LayoutDestination {
    layout: Layout,
    name: Option<String>,
    label: String,
    origin: Mutex<Option<MountOrigin>>,
    record_origin: bool,
    /// Held from [`ImageDestination::prepare`] until dropped, so a concurrent gc (`rmi`) in
    /// another process does not delete blobs written but not yet named in `index.json`.
    writer: std::sync::Mutex<Option<WriterLock>>,
    /// What [`LayoutDestination::create`] made, removed again when the copy fails.
    created: Created,
    /// Set once [`ImageDestination::commit`] named the image: the layout is the user's now.
    committed: AtomicBool,
    /// Set when a blob download failed in a way a rerun can resume (network, rate limit):
    /// what was downloaded is kept.
    keep: AtomicBool,
    /// The blobs this copy started writing: on a full disk their partial downloads are
    /// deleted when the destination is dropped (the cancelled ones too).
    started: Mutex<Vec<Digest>>,
    /// Set when a blob write failed because the disk is full.
    disk_full: AtomicBool,
}

/// What opening a layout destination created on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Created {
    /// The layout existed (or was not made by this copy): never removed.
    Nothing,
    /// The directory existed but was empty: this copy made the layout's files in it.
    Contents,
    /// This copy made the directory, and `top`, the first of its missing ancestors (or
    /// itself), with it.
    Dir { top: PathBuf },
}

impl LayoutDestination {
    /// A destination writing `name` into `layout`; `label` is how messages name it.
    pub fn new(layout: Layout, name: Option<String>, label: String) -> Self {
        LayoutDestination {
            layout,
            name,
            label,
            origin: Mutex::new(None),
            record_origin: false,
            writer: std::sync::Mutex::new(None),
            created: Created::Nothing,
            committed: AtomicBool::new(false),
            keep: AtomicBool::new(false),
            started: Mutex::new(Vec::new()),
            disk_full: AtomicBool::new(false),
        }
    }

    /// A destination for the layout directory `root` (an `oci:` location), creating the
    /// layout when absent ([`Layout::open_or_create`]). When this made the layout (the
    /// directory, or its files in an empty directory) and the copy fails before naming the
    /// image, dropping the destination removes what it made, so a failed copy leaves no empty
    /// layout behind; except after a download a rerun can resume (a network or rate-limit
    /// failure), when the partial downloads are kept and the error's hint says so.
    ///
    /// Errors: as [`Layout::open_or_create`] (Usage for a file or a foreign directory).
    pub fn create(root: &Path, name: Option<String>, label: String) -> Result<Self> {
        let created = match std::fs::metadata(root) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut top = root.to_path_buf();
                while let Some(parent) = top.parent() {
                    if parent.as_os_str().is_empty() || parent.exists() {
                        break;
                    }
                    top = parent.to_path_buf();
                }
                Created::Dir { top }
            }
            Ok(m) if m.is_dir() && is_empty_dir(root) => Created::Contents,
            _ => Created::Nothing,
        };
        let layout = match Layout::open_or_create(root) {
            Ok(l) => l,
            Err(e) => {
                remove_created(root, &created);
                return Err(e);
            }
        };
        let mut d = LayoutDestination::new(layout, name, label);
        d.created = created;
        Ok(d)
    }

    /// Records where the image came from (`io.imgctl.origin`, the source registry and
    /// repository) on its `index.json` entry, so a later push to that registry mounts the
    /// blobs instead of uploading them. For imgctl's own store only: layouts and archives
    /// written for others carry no imgctl annotations.
    pub fn recording_origin(mut self) -> Self {
        self.record_origin = true;
        self
    }

    /// Takes the layout's writer lock (once; it may wait for a running gc).
    async fn hold_writer_lock(&self) -> Result<()> {
        if self.writer.lock().expect("writer lock").is_some() {
            return Ok(());
        }
        let layout = self.layout.clone();
        let guard = tokio::task::spawn_blocking(move || layout.writer_lock())
            .await
            .map_err(|e| Error::other(format!("lock thread failed: {e}")))??;
        self.writer
            .lock()
            .expect("writer lock")
            .get_or_insert(guard);
        Ok(())
    }
}

#[async_trait]
impl ImageDestination for LayoutDestination {
    fn describe(&self) -> String {
        self.label.clone()
    }
    async fn prepare(&self, origin: Option<&MountOrigin>) -> Result<()> {
        *self.origin.lock().expect("origin lock") = origin.cloned();
        self.hold_writer_lock().await
    }
    async fn has_blob(&self, desc: &Descriptor) -> Result<bool> {
        self.hold_writer_lock().await?;
        Ok(self.layout.has_blob(&descriptor_digest(desc)?))
    }
    async fn put_blob(
        &self,
        desc: &Descriptor,
        source: &dyn ImageSource,
        progress: &BlobProgress,
    ) -> Result<u64> {
        self.hold_writer_lock().await?;
        self.started
            .lock()
            .expect("started lock")
            .push(descriptor_digest(desc)?);
        let r = put_blob_resumable(&self.layout, desc, source, progress).await;
        match r {
            Err(e) if is_disk_full(&e) => {
                self.disk_full.store(true, Ordering::SeqCst);
                Err(e)
            }
            Err(e)
                if self.created != Created::Nothing
                    && matches!(e.kind(), ErrorKind::Network | ErrorKind::RateLimited) =>
            {
                self.keep.store(true, Ordering::SeqCst);
                Err(if e.hint().is_none() {
                    e.with_hint("what was downloaded is kept: run the same command again to resume")
                } else {
                    e
                })
            }
            r => r,
        }
    }
    async fn put_manifest(&self, manifest: &FetchedManifest) -> Result<()> {
        self.layout
            .write_blob_bytes(&manifest.digest, &manifest.bytes)
    }
    async fn commit(
        &self,
        root: &FetchedManifest,
        platform: Option<&oci_spec::image::Platform>,
    ) -> Result<()> {
        self.layout.write_blob_bytes(&root.digest, &root.bytes)?;
        let mut annotations = HashMap::new();
        if let Some(n) = &self.name {
            annotations.insert(REF_NAME.to_string(), n.clone());
        }
        if let Some(o) = self.origin.lock().expect("origin lock").as_ref()
            && self.record_origin
        {
            annotations.insert(
                ORIGIN_ANNOTATION.to_string(),
                format!("{}/{}", o.registry, o.repository),
            );
        }
        let desc = root.descriptor(platform, annotations)?;
        self.layout.set_ref(self.name.as_deref(), desc)?;
        self.committed.store(true, Ordering::SeqCst);
        Ok(())
    }
}

impl Drop for LayoutDestination {
    /// Removes the layout [`LayoutDestination::create`] made when no image was named in it
    /// (the copy failed), unless a resumable download asked to keep it or another process
    /// writes into it or named an image there meanwhile.
    fn drop(&mut self) {
        if self.disk_full.load(Ordering::SeqCst) {
            // Partial downloads would keep the disk full (and block `rmi`): this copy's go,
            // including those of downloads cancelled when the first one failed.
            let started = std::mem::take(&mut *self.started.lock().expect("started lock"));
            for d in started {
                if !self.layout.has_blob(&d) {
                    self.layout.remove_partial_if_unused(&d);
                }
            }
        }
        if self.created == Created::Nothing
            || self.committed.load(Ordering::SeqCst)
            || self.keep.load(Ordering::SeqCst)
        {
            return;
        }
        // Our shared lock first, or the exclusive attempt would fail.
        self.writer.lock().expect("writer lock").take();
        let Ok(Some(exclusive)) = self.layout.try_writers_exclusive() else {
            return; // another copy writes into it: left to that copy
        };
        if !exclusive.is_current() || !self.layout.manifests().is_ok_and(|m| m.is_empty()) {
            return;
        }
        tracing::debug!(layout = %self.layout.root().display(), "copy failed: removing the layout it created");
        remove_created(self.layout.root(), &self.created);
        drop(exclusive);
    }
}

/// Whether `dir` is a directory without entries.
fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut rd| rd.next().is_none())
}

/// Removes what opening a layout at `root` created (best effort, logged). A blob write of the
/// failed copy may still be finishing on a blocking thread: a created directory is renamed
/// away first (that thread then fails, as it never creates a layout's root), and files put
/// into an existing directory are removed until none comes back.
fn remove_created(root: &Path, created: &Created) {
    let result = match created {
        Created::Nothing => Ok(()),
        Created::Dir { top } => {
            let mut away = top.as_os_str().to_os_string();
            away.push(format!(".imgctl-del-{}", std::process::id()));
            let away = PathBuf::from(away);
            match std::fs::rename(top, &away) {
                Ok(()) => std::fs::remove_dir_all(&away),
                Err(_) => remove_until_gone(top, &[]),
            }
        }
        Created::Contents => {
            remove_until_gone(root, &["oci-layout", "index.json", "blobs", ".imgctl"])
        }
    };
    if let Err(e) = result {
        tracing::warn!(layout = %root.display(), "cannot remove the layout of a failed copy: {e}");
    }
}

/// Removes `dir` itself (no `names`) or its entries `names`, again while a late writer puts
/// something back (up to about a second).
fn remove_until_gone(dir: &Path, names: &[&str]) -> std::io::Result<()> {
    let paths: Vec<PathBuf> = if names.is_empty() {
        vec![dir.to_path_buf()]
    } else {
        names.iter().map(|n| dir.join(n)).collect()
    };
    let mut last = Ok(());
    for _ in 0..20 {
        last = Ok(());
        for p in paths
            .iter()
            .filter(|p| std::fs::symlink_metadata(p).is_ok())
        {
            let r = if p.is_dir() {
                std::fs::remove_dir_all(p)
            } else {
                std::fs::remove_file(p)
            };
            if let Err(e) = r
                && e.kind() != std::io::ErrorKind::NotFound
            {
                last = Err(e);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        if paths.iter().all(|p| std::fs::symlink_metadata(p).is_err()) {
            return Ok(());
        }
    }
    last
}
