//! The `oci-archive:FILE[:TAG]` transport: a tar of an OCI image layout (`oci-layout`,
//! `index.json`, `blobs/<alg>/<hex>`), as `skopeo copy … oci-archive:` and buildkit write it.
//!
//! Reading serves every manifest and blob straight out of the tar (see [`super::archive`]);
//! writing stages a layout and tars it up on commit into an [`ArchiveTarget`]: a file is
//! replaced atomically (an existing archive is overwritten, as skopeo does; a symlink is kept
//! and its target written), a stream such as `/dev/stdout` or a FIFO is written into.
//! Manifests and blobs are stored byte for byte, so digests are always preserved.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use oci_spec::image::{Descriptor, ImageIndex};
use tokio::sync::OnceCell;

use super::archive::{ArchiveTarget, MemberData, TarIndex};
use super::layout::root_descriptor;
use super::stage::StagedLayout;
use super::{BlobStream, FetchedManifest, ImageDestination, ImageSource};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::manifest::{descriptor_digest, detect_media_type};
use crate::progress::BlobProgress;
use crate::store::REF_NAME;

/// Annotation containerd and Docker 25+ put on `index.json` entries: the full image name.
pub const CONTAINERD_IMAGE_NAME: &str = "io.containerd.image.name";

/// An OCI image layout read out of a tar archive.
#[derive(Clone)]
pub struct TarLayout {
    tar: Arc<TarIndex>,
}

/// `blobs/<alg>/<hex>` for `digest`.
pub fn blob_member(digest: &Digest) -> String {
    format!("blobs/{}/{}", digest.algorithm().as_str(), digest.hex())
}

impl TarLayout {
    /// Wraps a scanned archive. Errors (Integrity) when it has no `index.json`.
    pub fn new(tar: Arc<TarIndex>) -> Result<TarLayout> {
        if !tar.contains("index.json") {
            return Err(Error::integrity(format!(
                "{} is not an OCI image layout archive (no index.json)",
                tar.name()
            )));
        }
        Ok(TarLayout { tar })
    }

    /// The archive.
    pub fn tar(&self) -> &Arc<TarIndex> {
        &self.tar
    }

    /// The entries of `index.json`, in file order. Errors (Integrity) when malformed.
    pub fn entries(&self) -> Result<Vec<Descriptor>> {
        let bytes = self.tar.read_small("index.json")?;
        let index: ImageIndex = crate::manifest::parse_index(&bytes).map_err(|e| {
            Error::integrity(format!(
                "index.json in {} is not an image index: {e}",
                self.tar.name()
            ))
        })?;
        Ok(index.manifests().clone())
    }

    /// The entry named `name` (its `org.opencontainers.image.ref.name`, else its
    /// `io.containerd.image.name`), or the only entry for `None`.
    ///
    /// Errors: NotFound (listing the names) when none matches; Usage when `name` is None and
    /// the archive holds several images.
    pub fn resolve(&self, name: Option<&str>, label: &str) -> Result<Descriptor> {
        let entries = self.entries()?;
        let names: Vec<String> = entries.iter().filter_map(entry_name).collect();
        let hint = || {
            if names.is_empty() {
                "the archive's images have no names".to_string()
            } else {
                format!("names in the archive: {}", names.join(", "))
            }
        };
        match name {
            Some(n) => {
                let ann = |d: &Descriptor, k: &str| {
                    d.annotations()
                        .as_ref()
                        .and_then(|a| a.get(k))
                        .is_some_and(|v| v == n)
                };
                entries
                    .iter()
                    .find(|d| ann(d, REF_NAME))
                    .or_else(|| entries.iter().find(|d| ann(d, CONTAINERD_IMAGE_NAME)))
                    .cloned()
                    .ok_or_else(|| {
                        Error::not_found(format!("no image named {n:?} in {label}"))
                            .with_hint(hint())
                    })
            }
            None => match entries.len() {
                1 => Ok(entries[0].clone()),
                0 => Err(Error::not_found(format!("{label} holds no image"))),
                n => Err(
                    Error::usage(format!("{label} holds {n} images; name one with :TAG"))
                        .with_hint(hint()),
                ),
            },
        }
    }

    /// The manifest `digest`, verified; `media_type` (from a descriptor) is used when the
    /// document has none.
    pub fn manifest(&self, digest: &Digest, media_type: Option<&str>) -> Result<FetchedManifest> {
        let bytes = self
            .tar
            .read_small(&blob_member(digest))
            .map_err(|e| e.context(format!("manifest {digest} is not present in the archive")))?;
        digest.verify(&bytes)?;
        let media_type = detect_media_type(&bytes, media_type.filter(|m| !m.is_empty()))?;
        Ok(FetchedManifest {
            bytes,
            media_type,
            digest: digest.clone(),
        })
    }

    /// The manifest an `index.json` entry names.
    pub fn entry_manifest(&self, desc: &Descriptor) -> Result<FetchedManifest> {
        let mt = desc.media_type().to_string();
        self.manifest(&descriptor_digest(desc)?, Some(&mt))
    }

    /// Streams blob `desc` from `offset`. Errors: NotFound "blob … not present in archive".
    pub async fn blob(&self, desc: &Descriptor, offset: u64) -> Result<BlobStream> {
        let digest = descriptor_digest(desc)?;
        self.tar
            .open(&blob_member(&digest), offset)
            .await
            .map_err(|e| {
                Error::not_found(format!(
                    "blob {digest} is not present in archive {}",
                    self.tar.name()
                ))
                .with_kind(e.kind())
            })
    }
}

/// How an `index.json` entry is named, for messages.
fn entry_name(d: &Descriptor) -> Option<String> {
    let a = d.annotations().as_ref()?;
    a.get(CONTAINERD_IMAGE_NAME)
        .or_else(|| a.get(REF_NAME))
        .cloned()
}

/// `members` (archive names, in order) with a directory entry (`blobs/`, `blobs/sha256/`)
/// written before the first member inside each directory, as `tar` and skopeo write OCI
/// layout archives. An extractor creates missing parent directories itself, owned by whoever
/// runs it, and then applies the recorded uid/gid only to entries it finds: without directory
/// entries, a non-root skopeo 1.9 (containers/storage `untar`) tries to chown the directories
/// it created to 0:0 and fails with `operation not permitted`. Directory entries carry mode
/// 0755 and the same deterministic owner and mtime as the files.
fn with_directories(members: Vec<(String, MemberData)>) -> Vec<(String, MemberData)> {
    let mut out = Vec::with_capacity(members.len() + 2);
    let mut seen = std::collections::HashSet::new();
    for (name, data) in members {
        let mut dir = String::new();
        let parts: Vec<&str> = name.split('/').collect();
        for part in &parts[..parts.len() - 1] {
            dir.push_str(part);
            dir.push('/');
            if seen.insert(dir.clone()) {
                out.push((dir.clone(), MemberData::Dir));
            }
        }
        out.push((name, data));
    }
    out
}

/// Reads an image from an OCI layout archive.
pub struct OciArchiveSource {
    path: PathBuf,
    /// How messages name the archive file.
    shown: String,
    tag: Option<String>,
    label: String,
    layout: OnceCell<TarLayout>,
}

impl OciArchiveSource {
    /// A source for image `tag` (or the only image) in archive `path`; nothing is read yet.
    pub fn new(path: &Path, tag: Option<String>, label: String) -> Self {
        OciArchiveSource {
            path: path.to_path_buf(),
            shown: path.display().to_string(),
            tag,
            label,
            layout: OnceCell::new(),
        }
    }

    /// Names the archive file `shown` in messages instead of its path (`stdin` for an archive
    /// spooled from stdin into a temp file).
    pub fn shown_as(mut self, shown: impl Into<String>) -> Self {
        self.shown = shown.into();
        self
    }

    async fn layout(&self) -> Result<&TarLayout> {
        self.layout
            .get_or_try_init(|| async {
                TarLayout::new(TarIndex::scan_async(self.path.clone(), self.shown.clone()).await?)
            })
            .await
    }
}

#[async_trait]
impl ImageSource for OciArchiveSource {
    fn describe(&self) -> String {
        self.label.clone()
    }
    async fn root_manifest(&self) -> Result<FetchedManifest> {
        let l = self.layout().await?;
        let desc = l.resolve(self.tag.as_deref(), &self.label)?;
        l.entry_manifest(&desc)
    }
    async fn manifest(&self, digest: &Digest) -> Result<FetchedManifest> {
        self.layout().await?.manifest(digest, None)
    }
    async fn blob(&self, desc: &Descriptor, offset: u64) -> Result<BlobStream> {
        self.layout().await?.blob(desc, offset).await
    }
}

/// Writes one image into an OCI layout archive, written into its [`ArchiveTarget`] on commit.
/// The image is staged in a [`StagedLayout`] kept across interrupted runs, so a copy stopped
/// part-way resumes its downloads when run again.
pub struct OciArchiveDestination {
    target: Arc<ArchiveTarget>,
    stage: Arc<StagedLayout>,
    tag: Option<String>,
    label: String,
}

impl OciArchiveDestination {
    /// Writes into `target` (see [`ArchiveTarget::resolve`]), staging beside it, or in `store`
    /// (the local store) when it is a stream (see [`ArchiveTarget::stage_location`]); `tag`
    /// becomes the image's ref name.
    ///
    /// Errors: Other when the staging directory cannot be created; the staging layout's errors.
    pub fn new(
        target: ArchiveTarget,
        store: &Path,
        tag: Option<String>,
        label: String,
    ) -> Result<Self> {
        let stage = StagedLayout::open(&target, store)?;
        Ok(OciArchiveDestination {
            target: Arc::new(target),
            stage: Arc::new(stage),
            tag,
            label,
        })
    }
}

#[async_trait]
impl ImageDestination for OciArchiveDestination {
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
    async fn commit(
        &self,
        root: &FetchedManifest,
        platform: Option<&oci_spec::image::Platform>,
    ) -> Result<()> {
        let desc = root_descriptor(root, platform, HashMap::new())?;
        self.stage.name_root(root, self.tag.as_deref(), &desc)?;
        let stage = self.stage.clone();
        let target = self.target.clone();
        tokio::task::spawn_blocking(move || {
            target.write(&with_directories(stage.members()?), stage.layout())
        })
        .await
        .map_err(|e| Error::other(format!("archive writer failed: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_entries_precede_their_first_member() {
        let names = [
            "oci-layout",
            "index.json",
            "blobs/sha256/aa",
            "blobs/sha256/bb",
            "blobs/sha512/cc",
        ];
        let members = names
            .iter()
            .map(|n| (n.to_string(), MemberData::Bytes(n.as_bytes().to_vec())))
            .collect();
        let out = with_directories(members);
        let got: Vec<(&str, bool)> = out
            .iter()
            .map(|(n, d)| (n.as_str(), matches!(d, MemberData::Dir)))
            .collect();
        assert_eq!(
            got,
            [
                ("oci-layout", false),
                ("index.json", false),
                ("blobs/", true),
                ("blobs/sha256/", true),
                ("blobs/sha256/aa", false),
                ("blobs/sha256/bb", false),
                ("blobs/sha512/", true),
                ("blobs/sha512/cc", false),
            ]
        );
    }
}
