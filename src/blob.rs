//! Content as it moves between locations (docs/DESIGN.md §2): a blob's byte stream and a
//! manifest's exact bytes. The model layer: no I/O here; the registry client, the store and
//! the transports produce and consume these.

use std::collections::HashMap;
use std::pin::Pin;

use oci_spec::image::{Descriptor, DescriptorBuilder, MediaType, Platform};
use tokio::io::AsyncRead;

use crate::digest::Digest;
use crate::error::{Error, Result};

/// A stream of blob bytes. Not verified by whoever produces it: the reader is wrapped in a
/// [`crate::digest::VerifyingReader`] by whoever consumes it.
pub type BlobStream = Pin<Box<dyn AsyncRead + Send>>;

/// A blob's bytes as the chunks they arrived in (the body of an HTTP response), for a consumer
/// that hands them on without copying them into a buffer of its own; errors as I/O errors, as
/// a [`BlobStream`]'s. Not verified by whoever produces it either.
pub type ChunkStream =
    Pin<Box<dyn futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send>>;

/// A manifest or index as stored: exact bytes, media type and the digest of those bytes.
#[derive(Debug, Clone)]
pub struct FetchedManifest {
    /// The document's bytes, never re-serialised.
    pub bytes: Vec<u8>,
    /// Its media type (from the document, else the server, else its shape).
    pub media_type: String,
    /// sha256 of `bytes` (or the digest that named it, verified against `bytes`); for a
    /// signed Docker schema 1 manifest, of its JWS payload ([`crate::manifest::manifest_digest`]).
    pub digest: Digest,
}

impl FetchedManifest {
    /// Size of the document in bytes.
    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// The descriptor naming this manifest in an `index.json` (OCI image layout spec,
    /// "index.json file"; image spec "Descriptors"): its media type, digest and size, the
    /// `platform` it was selected for (when picked out of an index) and `annotations` (none
    /// when empty).
    ///
    /// Errors: Other when the descriptor cannot be built (a digest oci-spec refuses).
    pub fn descriptor(
        &self,
        platform: Option<&Platform>,
        annotations: HashMap<String, String>,
    ) -> Result<Descriptor> {
        let mut b = DescriptorBuilder::default()
            .media_type(MediaType::from(self.media_type.as_str()))
            .digest(
                self.digest
                    .to_string()
                    .parse::<oci_spec::image::Digest>()
                    .map_err(|e| Error::other(format!("digest conversion: {e}")))?,
            )
            .size(self.size());
        if !annotations.is_empty() {
            b = b.annotations(annotations);
        }
        if let Some(p) = platform {
            b = b.platform(p.clone());
        }
        b.build()
            .map_err(|e| Error::other(format!("descriptor: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_names_the_exact_bytes() {
        let bytes =
            br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}"#;
        let m = FetchedManifest {
            bytes: bytes.to_vec(),
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            digest: Digest::sha256_of(bytes),
        };
        let plain = m.descriptor(None, HashMap::new()).unwrap();
        assert_eq!(plain.size(), bytes.len() as u64);
        assert_eq!(
            plain.digest().to_string(),
            Digest::sha256_of(bytes).to_string()
        );
        assert_eq!(plain.media_type().to_string(), m.media_type);
        assert!(plain.annotations().is_none());
        assert!(plain.platform().is_none());

        let platform: Platform =
            serde_json::from_str(r#"{"architecture":"arm64","os":"linux","variant":"v8"}"#)
                .unwrap();
        let ann = HashMap::from([("org.opencontainers.image.ref.name".into(), "v1".into())]);
        let named = m.descriptor(Some(&platform), ann.clone()).unwrap();
        assert_eq!(named.annotations().as_ref(), Some(&ann));
        assert_eq!(named.platform().as_ref(), Some(&platform));
    }
}
