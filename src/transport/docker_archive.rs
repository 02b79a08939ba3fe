//! The `docker-archive:FILE[:REF]` transport: the `docker save` / `docker load` tarball.
//!
//! Formats read:
//! - **Docker 25+ (containerd image store)**: an OCI image layout (`oci-layout`, `index.json`,
//!   `blobs/`) plus the legacy `manifest.json`. The image is read through `index.json`, so its
//!   manifest (or whole index) and digests are exactly the original ones.
//! - **Legacy** (`docker save` before 25, skopeo, crane/kaniko tarballs): `manifest.json` lists
//!   `Config`, `RepoTags` and `Layers` files by path. No manifest is stored, so one is
//!   synthesised (Docker schema 2, or OCI when a layer is zstd): the config and layer digests
//!   are the files' sha256, layer media types follow the bytes (gzip, zstd or plain tar). **The
//!   manifest digest of such an archive is not the registry's original digest**; config and
//!   layer digests are. `LayerSources` (foreign-layer descriptors) are ignored: the layer file in
//!   the archive is what is served.
//!
//! Written format: Docker 25+ style — the OCI layout with blobs stored as they are (compressed
//! layers stay compressed, so manifest digests are preserved) plus `manifest.json` for
//! `docker load` and skopeo. A docker-archive holds single-platform images: copying a whole
//! image index into one is refused (pick a platform with `--platform`).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use oci_spec::image::Descriptor;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::OnceCell;

use super::tar::{
    ArchiveTarget, CONTAINERD_IMAGE_NAME, MemberData, StagedLayout, TarIndex, TarLayout,
    blob_member, json_error,
};
use super::{ImageDestination, ImageSource};
use crate::blob::{BlobStream, FetchedManifest};
use crate::digest::{Algorithm, Digest, Hasher};
use crate::error::{Error, Result};
use crate::manifest::{self as mf, Manifest, descriptor_digest};
use crate::progress::BlobProgress;
use crate::reference::Reference;

/// Docker image config media type.
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
/// Docker layer, tar + gzip.
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/// Docker layer, plain tar.
pub const DOCKER_LAYER_TAR: &str = "application/vnd.docker.image.rootfs.diff.tar";

/// One entry of `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchiveEntry {
    /// Path of the config file in the archive.
    #[serde(rename = "Config")]
    pub config: String,
    /// Names of the image (`name:tag`), possibly none.
    #[serde(rename = "RepoTags", default)]
    pub repo_tags: Option<Vec<String>>,
    /// Paths of the layer files, base layer first.
    #[serde(rename = "Layers", default)]
    pub layers: Vec<String>,
}

/// Which image of a docker-archive to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Select {
    /// The only image (error when there are several).
    Only,
    /// The image with this name (`RepoTags`, compared after normalisation).
    Named(String),
    /// The N-th `manifest.json` entry (0-based), for `load`.
    Entry(usize),
}

/// The images `manifest.json` of archive `path` lists (empty for a pure OCI layout archive).
///
/// Errors: as [`TarIndex::scan`]; Integrity when `manifest.json` is malformed.
pub fn list_images(path: &Path) -> Result<Vec<ArchiveEntry>> {
    read_entries(&TarIndex::scan(path)?)
}

/// The images `manifest.json` of the scanned archive `tar` lists (empty for a pure OCI layout
/// archive). Errors: Integrity when `manifest.json` is malformed.
pub fn read_entries(tar: &TarIndex) -> Result<Vec<ArchiveEntry>> {
    if !tar.contains("manifest.json") {
        return Ok(Vec::new());
    }
    serde_json::from_slice(&tar.read_small("manifest.json")?).map_err(|e| {
        Error::integrity(format!(
            "manifest.json in {} is malformed: it {}",
            tar.name(),
            json_error(&e)
        ))
    })
}

/// `name` normalised as a reference (`alpine` → `docker.io/library/alpine:latest`), or itself.
fn norm(name: &str) -> String {
    Reference::parse(name)
        .map(|r| r.to_string())
        .unwrap_or_else(|_| name.to_string())
}

/// What the source serves once the archive is scanned.
enum Resolved {
    /// Through the archive's OCI layout: original manifests and digests.
    Oci {
        layout: TarLayout,
        root: Box<Descriptor>,
    },
    /// A manifest synthesised from `manifest.json`; blobs by digest → member name.
    Synth {
        tar: Arc<TarIndex>,
        manifest: FetchedManifest,
        members: HashMap<Digest, String>,
    },
}

/// Reads one image from a docker-archive.
pub struct DockerArchiveSource {
    path: PathBuf,
    /// How messages name the archive file.
    shown: String,
    select: Select,
    label: String,
    state: OnceCell<Resolved>,
}

impl DockerArchiveSource {
    /// A source for the image `select` names in archive `path`; nothing is read yet.
    pub fn new(path: &Path, select: Select, label: String) -> Self {
        DockerArchiveSource {
            path: path.to_path_buf(),
            shown: path.display().to_string(),
            select,
            label,
            state: OnceCell::new(),
        }
    }

    /// Names the archive file `shown` in messages instead of its path (`stdin` for an archive
    /// spooled from stdin into a temp file).
    pub fn shown_as(mut self, shown: impl Into<String>) -> Self {
        self.shown = shown.into();
        self
    }

    async fn state(&self) -> Result<&Resolved> {
        self.state
            .get_or_try_init(|| async {
                let tar = TarIndex::scan_async(self.path.clone(), self.shown.clone()).await?;
                let select = self.select.clone();
                let label = self.label.clone();
                tokio::task::spawn_blocking(move || resolve(tar, &select, &label))
                    .await
                    .map_err(|e| Error::other(format!("archive reader failed: {e}")))?
            })
            .await
    }
}

/// Picks the image and decides how to serve it (blocking: may hash layers).
fn resolve(tar: Arc<TarIndex>, select: &Select, label: &str) -> Result<Resolved> {
    let entries = read_entries(&tar)?;
    let layout = if tar.contains("index.json") {
        Some(TarLayout::new(tar.clone())?)
    } else {
        None
    };
    if entries.is_empty() {
        let Some(layout) = layout else {
            return Err(Error::integrity(format!(
                "{label} is not a docker-archive: no manifest.json and no index.json"
            )));
        };
        let name = match select {
            Select::Named(n) => Some(n.as_str()),
            _ => None,
        };
        let root = Box::new(layout.resolve(name, label)?);
        return Ok(Resolved::Oci { layout, root });
    }
    let tags_of = |e: &ArchiveEntry| e.repo_tags.clone().unwrap_or_default();
    let all_names = || {
        entries
            .iter()
            .flat_map(tags_of)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let i = match select {
        Select::Entry(i) if *i < entries.len() => *i,
        Select::Entry(i) => {
            return Err(Error::not_found(format!(
                "{label} has no image #{i} ({} images)",
                entries.len()
            )));
        }
        Select::Only if entries.len() == 1 => 0,
        Select::Only => {
            return Err(Error::usage(format!(
                "{label} holds {} images; name one with docker-archive:FILE:NAME",
                entries.len()
            ))
            .with_hint(format!("names in the archive: {}", all_names())));
        }
        Select::Named(n) => {
            let want = norm(n);
            entries
                .iter()
                .position(|e| tags_of(e).iter().any(|t| t == n || norm(t) == want))
                .ok_or_else(|| {
                    Error::not_found(format!("no image named {n:?} in {label}"))
                        .with_hint(format!("names in the archive: {}", all_names()))
                })?
        }
    };
    let entry = &entries[i];

    // Docker 25+: find the entry's image in index.json to keep the original manifest.
    if let Some(layout) = layout {
        let idx = index_entries(&layout)?;
        let names: Vec<String> = tags_of(entry).iter().map(|t| norm(t)).collect();
        let found = idx
            .iter()
            .find(|d| {
                d.annotations().as_ref().is_some_and(|a| {
                    a.get(CONTAINERD_IMAGE_NAME)
                        .or_else(|| a.get(crate::store::REF_NAME))
                        .is_some_and(|n| names.contains(&norm(n)))
                })
            })
            .or(if idx.len() == 1 && entries.len() == 1 {
                idx.first()
            } else {
                None
            });
        if let Some(root) = found {
            // Use it only when its manifest is in the archive.
            if layout.entry_manifest(root).is_ok() {
                return Ok(Resolved::Oci {
                    layout,
                    root: Box::new(root.clone()),
                });
            }
        }
    }
    synthesise(tar, entry, label)
}

/// The entries of a docker-archive's `index.json`, none when its `manifests` is `null` (some
/// Docker 25 archives): such an archive is read by its `manifest.json` alone, as skopeo reads
/// every docker-archive. Errors (Integrity) when `index.json` is otherwise malformed.
fn index_entries(layout: &TarLayout) -> Result<Vec<Descriptor>> {
    let bytes = layout.tar().read_small("index.json")?;
    let manifests_null = serde_json::from_slice::<serde_json::Value>(&bytes)
        .is_ok_and(|v| v.get("manifests").is_some_and(serde_json::Value::is_null));
    if manifests_null {
        tracing::debug!(
            "index.json in {} has \"manifests\": null; reading manifest.json",
            layout.tar().name()
        );
        return Ok(Vec::new());
    }
    layout.entries()
}

/// Builds a manifest for a legacy `manifest.json` entry, hashing its config and layers.
fn synthesise(tar: Arc<TarIndex>, entry: &ArchiveEntry, label: &str) -> Result<Resolved> {
    let config = tar
        .read_small(&entry.config)
        .map_err(|e| e.context(format!("config of {label}")))?;
    let config_digest = Digest::sha256_of(&config);
    let mut members = HashMap::new();
    members.insert(config_digest.clone(), entry.config.clone());
    let mut layers = Vec::new();
    let mut any_zstd = false;
    for l in &entry.layers {
        let (digest, size, kind) =
            hash_member(&tar, l).map_err(|e| e.context(format!("layer {l} of {label}")))?;
        any_zstd |= kind == Compression::Zstd;
        members.insert(digest.clone(), l.clone());
        layers.push((digest, size, kind));
    }
    let (mt, config_mt) = if any_zstd {
        (mf::OCI_MANIFEST, "application/vnd.oci.image.config.v1+json")
    } else {
        (mf::DOCKER_MANIFEST, DOCKER_CONFIG)
    };
    let layer_mt = |k: Compression| match (any_zstd, k) {
        (false, Compression::Gzip) => DOCKER_LAYER_GZIP,
        (false, _) => DOCKER_LAYER_TAR,
        (true, Compression::Gzip) => "application/vnd.oci.image.layer.v1.tar+gzip",
        (true, Compression::Zstd) => "application/vnd.oci.image.layer.v1.tar+zstd",
        (true, Compression::None) => "application/vnd.oci.image.layer.v1.tar",
    };
    let doc = json!({
        "schemaVersion": 2,
        "mediaType": mt,
        "config": {"mediaType": config_mt, "size": config.len(), "digest": config_digest.to_string()},
        "layers": layers.iter().map(|(d, s, k)| json!({
            "mediaType": layer_mt(*k), "size": s, "digest": d.to_string()
        })).collect::<Vec<_>>(),
    });
    let bytes = serde_json::to_vec(&doc)?;
    let manifest = FetchedManifest {
        digest: Digest::sha256_of(&bytes),
        bytes,
        media_type: mt.to_string(),
    };
    Ok(Resolved::Synth {
        tar,
        manifest,
        members,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

/// sha256, size and compression of member `name`, streamed (blocking).
fn hash_member(tar: &TarIndex, name: &str) -> Result<(Digest, u64, Compression)> {
    let size = tar.size(name).ok_or_else(|| {
        Error::not_found(format!("{name} is not present in archive {}", tar.name()))
    })?;
    let mut reader = tar.open_sync(name)?;
    let mut hasher = Hasher::new(Algorithm::Sha256);
    let mut buf = vec![0u8; 256 * 1024];
    let mut first = Vec::new();
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if first.len() < 4 {
            first.extend_from_slice(&buf[..n.min(4)]);
        }
        hasher.update(&buf[..n]);
    }
    let kind = if first.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if first.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    };
    Ok((hasher.finish(), size, kind))
}

#[async_trait]
impl ImageSource for DockerArchiveSource {
    fn describe(&self) -> String {
        self.label.clone()
    }
    async fn root_manifest(&self) -> Result<FetchedManifest> {
        match self.state().await? {
            Resolved::Oci { layout, root } => layout.entry_manifest(root),
            Resolved::Synth { manifest, .. } => Ok(manifest.clone()),
        }
    }
    async fn manifest(&self, digest: &Digest) -> Result<FetchedManifest> {
        match self.state().await? {
            Resolved::Oci { layout, .. } => layout.manifest(digest, None),
            Resolved::Synth { manifest, .. } if manifest.digest == *digest => Ok(manifest.clone()),
            Resolved::Synth { .. } => Err(Error::not_found(format!(
                "manifest {digest} is not present in {}",
                self.label
            ))),
        }
    }
    async fn blob(&self, desc: &Descriptor, offset: u64) -> Result<BlobStream> {
        match self.state().await? {
            Resolved::Oci { layout, .. } => layout.blob(desc, offset).await,
            Resolved::Synth { tar, members, .. } => {
                let d = descriptor_digest(desc)?;
                let m = members.get(&d).ok_or_else(|| {
                    Error::not_found(format!("blob {d} is not present in {}", self.label))
                })?;
                tar.open(m, offset).await
            }
        }
    }
}

/// Writes images into a docker-archive (Docker 25+ layout + `manifest.json`).
///
/// Made by [`open_destination`](super::open::open_destination), it writes the file when an image is
/// committed. For several images in one archive (`save`), build it with
/// [`DockerArchiveDestination::deferred`], copy each image, then call
/// [`DockerArchiveDestination::finish`].
///
/// The images are staged in a [`StagedLayout`] kept across interrupted runs, so a copy stopped
/// part-way resumes its downloads when run again.
pub struct DockerArchiveDestination {
    target: Arc<ArchiveTarget>,
    reference: Mutex<Option<String>>,
    stage: Arc<StagedLayout>,
    entries: Mutex<Vec<ArchiveEntry>>,
    write_on_commit: bool,
    label: String,
}

impl DockerArchiveDestination {
    /// A destination writing one image named `reference` (normalised; untagged when None) into
    /// `target` (see [`ArchiveTarget::resolve`]), staged beside it, or in `store` (the local
    /// store) when it is a stream (see [`ArchiveTarget::stage_location`]).
    ///
    /// Errors: Usage when `reference` is malformed; Other when the staging directory cannot
    /// be created; the staging layout's errors.
    pub fn new(
        target: ArchiveTarget,
        store: &Path,
        reference: Option<String>,
        label: String,
    ) -> Result<Self> {
        Self::build(target, store, reference, label, true)
    }

    /// A destination for several images (`save`): name each with [`Self::set_reference`]
    /// before its copy, and call [`Self::finish`] at the end. Errors: as [`Self::new`].
    pub fn deferred(target: ArchiveTarget, store: &Path, label: String) -> Result<Self> {
        Self::build(target, store, None, label, false)
    }

    fn build(
        target: ArchiveTarget,
        store: &Path,
        reference: Option<String>,
        label: String,
        write_on_commit: bool,
    ) -> Result<Self> {
        let reference = reference
            .map(|r| Reference::parse(&r).map(|r| r.to_string()))
            .transpose()?;
        let stage = StagedLayout::open(&target, store)?;
        Ok(DockerArchiveDestination {
            target: Arc::new(target),
            reference: Mutex::new(reference),
            stage: Arc::new(stage),
            entries: Mutex::new(Vec::new()),
            write_on_commit,
            label,
        })
    }

    /// The error for an image index, which a docker-archive cannot hold.
    fn index_refused(&self, root: &FetchedManifest) -> Error {
        Error::usage(format!(
            "{} holds single-platform images and {} is an image index",
            self.label, root.digest
        ))
        .with_hint(
            "pick one platform with --platform OS/ARCH, or use oci-archive: to keep the whole index",
        )
    }

    /// Names the next committed image (a reference, normalised).
    pub fn set_reference(&self, reference: &Reference) {
        *self.reference.lock().expect("reference lock") = Some(reference.to_string());
    }

    /// Writes the archive into its target (a file atomically replaced, or a stream): the
    /// staged blobs of the images committed, their `index.json` and `manifest.json`.
    ///
    /// Errors: Other on I/O failure.
    pub async fn finish(&self) -> Result<()> {
        let manifest_json = serde_json::to_vec(&*self.entries.lock().expect("entries lock"))?;
        let stage = self.stage.clone();
        let target = self.target.clone();
        tokio::task::spawn_blocking(move || {
            let mut members = stage.members()?;
            members.push(("manifest.json".into(), MemberData::Bytes(manifest_json)));
            target.write(&members, stage.layout())
        })
        .await
        .map_err(|e| Error::other(format!("archive writer failed: {e}")))?
    }
}

#[async_trait]
impl ImageDestination for DockerArchiveDestination {
    fn describe(&self) -> String {
        self.label.clone()
    }
    async fn has_blob(&self, desc: &Descriptor) -> Result<bool> {
        self.stage.has_blob(desc)
    }
    async fn put_blob(
        &self,
        desc: &Descriptor,
        source: &dyn ImageSource,
        progress: &BlobProgress,
    ) -> Result<u64> {
        self.stage.put_blob(desc, source, progress).await
    }
    async fn put_manifest(&self, manifest: &FetchedManifest) -> Result<()> {
        self.stage.put_manifest(manifest)
    }
    fn check_root(&self, root: &FetchedManifest, manifest: &Manifest) -> Result<()> {
        match manifest {
            Manifest::Image(_) => Ok(()),
            Manifest::Index(_) => Err(self.index_refused(root)),
        }
    }
    async fn commit(
        &self,
        root: &FetchedManifest,
        platform: Option<&oci_spec::image::Platform>,
    ) -> Result<()> {
        let image = match Manifest::parse(&root.bytes, &root.media_type)? {
            Manifest::Image(m) => m,
            Manifest::Index(_) => return Err(self.index_refused(root)),
        };
        let reference = self.reference.lock().expect("reference lock").clone();
        let mut ann = HashMap::new();
        if let Some(r) = &reference {
            ann.insert(CONTAINERD_IMAGE_NAME.to_string(), r.clone());
        }
        let desc = root.descriptor(platform, ann)?;
        self.stage.name_root(root, reference.as_deref(), &desc)?;
        let member = |d: &Descriptor| descriptor_digest(d).map(|d| blob_member(&d));
        let entry = ArchiveEntry {
            config: member(image.config())?,
            repo_tags: Some(reference.into_iter().collect()),
            layers: image.layers().iter().map(member).collect::<Result<_>>()?,
        };
        self.entries.lock().expect("entries lock").push(entry);
        if self.write_on_commit {
            self.finish().await?;
        }
        Ok(())
    }
}
