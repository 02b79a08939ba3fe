//! Manifest and image-index handling (OCI image spec `manifest.md`, `image-index.md`; Docker
//! image manifest v2 schema 2 and manifest list): media types, parsing with oci-spec types,
//! platform matching.

mod descriptor;
mod media_type;
mod platform;
mod schema1;
mod select;

pub use descriptor::*;
pub use media_type::*;
pub use platform::*;
pub use schema1::*;
pub use select::*;

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};

use crate::error::{Error, Result};

/// A parsed manifest or index. The bytes stay the source of truth; this is for walking.
#[derive(Debug, Clone)]
pub enum Manifest {
    /// An image manifest (OCI or Docker schema 2): config + layers.
    Image(Box<ImageManifest>),
    /// An image index (OCI index or Docker manifest list).
    Index(Box<ImageIndex>),
}

impl Manifest {
    /// Parses `bytes` of `media_type` (as given by [`detect_media_type`]).
    ///
    /// Errors (Integrity) on malformed JSON or a schema this client cannot copy (Docker schema 1).
    pub fn parse(bytes: &[u8], media_type: &str) -> Result<Manifest> {
        match media_type {
            OCI_INDEX | DOCKER_LIST => {
                let index = parse_index(bytes)
                    .map_err(|e| Error::integrity(format!("malformed image index: {e}")))?;
                Ok(Manifest::Index(Box::new(index)))
            }
            DOCKER_SCHEMA1 | DOCKER_SCHEMA1_SIGNED => Err(Error::integrity(
                "Docker schema 1 manifests are deprecated and cannot be copied",
            )
            .with_hint("ask the image's publisher for a schema 2 or OCI image")),
            _ => {
                let m: ImageManifest = serde_json::from_slice(bytes)
                    .map_err(|e| Error::integrity(format!("malformed image manifest: {e}")))?;
                if m.schema_version() != 2 {
                    return Err(Error::integrity(format!(
                        "unsupported manifest schemaVersion {}",
                        m.schema_version()
                    )));
                }
                Ok(Manifest::Image(Box::new(m)))
            }
        }
    }

    /// The descriptors this document references directly: config then layers (oldest first)
    /// for an image, child manifests for an index.
    pub fn references(&self) -> Vec<&Descriptor> {
        match self {
            Manifest::Image(m) => std::iter::once(m.config())
                .chain(m.layers().iter())
                .collect(),
            Manifest::Index(i) => i.manifests().iter().collect(),
        }
    }
}
