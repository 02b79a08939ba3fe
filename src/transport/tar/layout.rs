//! An OCI image layout read straight out of a tar: `index.json`, `blobs/<alg>/<hex>`. Used by
//! the `oci-archive:` transport, and by the `docker-archive:` transport for the OCI layout
//! Docker 25+ writes beside its `manifest.json`.

use std::sync::Arc;

use oci_spec::image::{Descriptor, ImageIndex};

use super::TarIndex;
use crate::blob::{BlobStream, FetchedManifest};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::manifest::{descriptor_digest, detect_media_type};
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

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::super::write::{MemberData, tar_into};
    use super::*;
    use crate::error::ErrorKind;

    /// A tar (written by this module's own writer) holding an OCI layout with two images: one
    /// named by ref name `v1`, one by containerd name only; plus a blob whose bytes do not
    /// match its name.
    fn archive(dir: &Path) -> (PathBuf, Digest, Digest) {
        let m1 = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","n":1}"#;
        let m2 = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","n":2}"#;
        let (d1, d2) = (Digest::sha256_of(m1), Digest::sha256_of(m2));
        let entry = |d: &Digest, size: usize, key: &str, name: &str| {
            serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": d.to_string(), "size": size, "annotations": {key: name}})
        };
        let index = serde_json::json!({"schemaVersion": 2, "manifests": [
            entry(&d1, m1.len(), REF_NAME, "v1"),
            entry(&d2, m2.len(), CONTAINERD_IMAGE_NAME, "docker.io/library/app:v2"),
        ]});
        let bad = Digest::sha256_of(b"other bytes");
        let members = vec![
            (
                "index.json".to_string(),
                MemberData::Bytes(serde_json::to_vec(&index).unwrap()),
            ),
            (blob_member(&d1), MemberData::Bytes(m1.to_vec())),
            (blob_member(&d2), MemberData::Bytes(m2.to_vec())),
            (blob_member(&bad), MemberData::Bytes(b"not those".to_vec())),
        ];
        let path = dir.join("layout.tar");
        tar_into(std::fs::File::create(&path).unwrap(), &members).unwrap();
        (path, d1, d2)
    }

    #[test]
    fn entries_resolve_by_ref_name_then_containerd_name() {
        let dir = tempfile::tempdir().unwrap();
        let (path, d1, d2) = archive(dir.path());
        let l = TarLayout::new(Arc::new(TarIndex::scan(&path).unwrap())).unwrap();
        assert_eq!(l.entries().unwrap().len(), 2);

        let v1 = l.resolve(Some("v1"), "oci-archive:x").unwrap();
        assert_eq!(descriptor_digest(&v1).unwrap(), d1);
        let m = l.entry_manifest(&v1).unwrap();
        assert_eq!(m.digest, d1);
        assert_eq!(m.media_type, "application/vnd.oci.image.manifest.v1+json");
        let v2 = l
            .resolve(Some("docker.io/library/app:v2"), "oci-archive:x")
            .unwrap();
        assert_eq!(descriptor_digest(&v2).unwrap(), d2);

        let e = l.resolve(Some("v3"), "oci-archive:x").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(
            e.to_string()
                .contains("no image named \"v3\" in oci-archive:x"),
            "{e}"
        );
        let e = l.resolve(None, "oci-archive:x").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Usage);
        assert!(e.to_string().contains("holds 2 images"), "{e}");
    }

    #[test]
    fn manifests_are_verified_and_a_layout_needs_index_json() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _, _) = archive(dir.path());
        let l = TarLayout::new(Arc::new(TarIndex::scan(&path).unwrap())).unwrap();
        let bad = Digest::sha256_of(b"other bytes");
        assert_eq!(
            l.manifest(&bad, None).unwrap_err().kind(),
            ErrorKind::Integrity
        );
        let absent = Digest::sha256_of(b"absent");
        let e = l.manifest(&absent, None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(
            e.to_string().contains("is not present in the archive"),
            "{e}"
        );

        let empty = dir.path().join("empty.tar");
        tar_into(
            std::fs::File::create(&empty).unwrap(),
            &[("oci-layout".to_string(), MemberData::Bytes(b"{}".to_vec()))],
        )
        .unwrap();
        let e = TarLayout::new(Arc::new(TarIndex::scan(&empty).unwrap()))
            .err()
            .expect("no index.json");
        assert_eq!(e.kind(), ErrorKind::Integrity);
        assert!(e.to_string().contains("no index.json"), "{e}");
    }
}
