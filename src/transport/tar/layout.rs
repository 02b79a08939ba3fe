//! An OCI image layout read straight out of a tar: `index.json`, `blobs/<alg>/<hex>`. Used by
//! the `oci-archive:` transport, and by the `docker-archive:` transport for the OCI layout
//! Docker 25+ writes beside its `manifest.json`.

use std::sync::Arc;

use oci_spec::image::{Descriptor, ImageIndex};

use super::TarIndex;
use crate::blob::{BlobStream, FetchedManifest};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::layout::REF_NAME;
use crate::manifest::{descriptor_digest, detect_media_type};

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
