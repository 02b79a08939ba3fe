//! Image locations as peers behind two small traits (docs/DESIGN.md §2): an [`ImageSource`] yields
//! manifests and blobs, an [`ImageDestination`] accepts them. The copy engine drives both and
//! knows nothing about HTTP or files; transports know nothing about each other.
//!
//! This file holds the traits only. [`open`] is the one module that knows every transport;
//! [`docker`] (a registry repository), [`oci`] (an OCI layout directory), [`oci_archive`] and
//! [`docker_archive`] implement the traits; the two archives share [`tar`] and nothing else;
//! [`layout_write`] is how the layout-backed destinations write a blob.

pub mod docker;
pub mod docker_archive;
pub mod edited;
pub mod layout_write;
pub mod oci;
pub mod oci_archive;
pub mod open;
pub mod tar;

#[cfg(test)]
mod layering;

use async_trait::async_trait;
use oci_spec::image::Descriptor;

use crate::digest::Digest;
use crate::error::Result;
use crate::manifest::Manifest;
use crate::progress::BlobProgress;

/// The old name of [`tar`] (its reading, target and member types are re-exported there).
pub use self::tar as archive;
/// The old names of [`docker`] and [`oci`]; kept while callers move over.
pub use self::{docker as registry, oci as layout};
/// The model's content types, which the traits speak in.
pub use crate::blob::{BlobStream, ChunkStream, FetchedManifest};
/// Moved to [`crate::progress`]; re-exported while callers move over.
pub use crate::progress::BlobOutcome;
/// Kept at the old path while callers move over to [`open`].
pub use open::{open_destination, open_source};

/// A registry repository holding blobs that a destination in the same registry may mount
/// (distribution spec, "Mounting a blob from another repository").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountOrigin {
    /// Normalised registry name (`docker.io`, `localhost:5000`).
    pub registry: String,
    /// Repository path in that registry.
    pub repository: String,
}

/// Where images are read from.
#[async_trait]
pub trait ImageSource: Send + Sync {
    /// A human-readable name of the location, for messages (`docker://…`, `oci:…`).
    fn describe(&self) -> String;
    /// The manifest or index the location names (by tag, digest or ref name).
    ///
    /// Errors: NotFound when the location names nothing; Integrity when the bytes do not match
    /// the digest that named them.
    async fn root_manifest(&self) -> Result<FetchedManifest>;
    /// A manifest of the same repository/layout by digest (a child of an index); verified.
    async fn manifest(&self, digest: &Digest) -> Result<FetchedManifest>;
    /// The blob `desc` names, starting at byte `offset` (for resuming). The caller verifies
    /// the bytes against `desc`.
    async fn blob(&self, desc: &Descriptor, offset: u64) -> Result<BlobStream>;
    /// [`ImageSource::blob`] as a stream of chunks: a source that receives its bytes in
    /// chunks (a registry) hands them on as they came, without a copy. The default reads
    /// [`ImageSource::blob`] in 256 KiB chunks.
    async fn blob_chunks(&self, desc: &Descriptor, offset: u64) -> Result<ChunkStream> {
        Ok(chunks_of(self.blob(desc, offset).await?))
    }
    /// The registry repository this source reads from, when a same-registry destination could
    /// mount its blobs; `None` for files.
    fn mount_origin(&self) -> Option<MountOrigin> {
        None
    }
    /// Checks this source's own copy of blob `desc` after a transfer of it failed
    /// verification (its bytes did not match `desc` at the destination, or the registry
    /// refused them): `Some(error)` (Integrity, or NotFound when absent), naming this source,
    /// when the source's content itself does not match `desc`, so the failure is the source's;
    /// `None` when it matches, or when checking would mean downloading it again (the default).
    async fn check_blob(&self, _desc: &Descriptor) -> Option<crate::error::Error> {
        None
    }
}

/// `reader` as a stream of 256 KiB chunks: [`ImageSource::blob_chunks`] of a source whose
/// bytes are not received in chunks (a file, bytes in memory).
pub fn chunks_of(reader: BlobStream) -> ChunkStream {
    Box::pin(tokio_util::io::ReaderStream::with_capacity(
        reader,
        256 << 10,
    ))
}

/// Where images are written. Blobs first, then manifests children-first, then
/// [`ImageDestination::commit`] names the root. A failure at any step leaves the destination
/// without a dangling name (a layout's index.json is written only by `commit`).
#[async_trait]
pub trait ImageDestination: Send + Sync {
    /// A human-readable name of the location, for messages.
    fn describe(&self) -> String;
    /// Checks that the destination can hold `root` (`manifest` is its parsed form), before any
    /// blob moves: a docker-archive refuses an image index. Errors: Usage when it cannot.
    fn check_root(&self, _root: &FetchedManifest, _manifest: &Manifest) -> Result<()> {
        Ok(())
    }
    /// Called once before any write; `origin` is the source's repository when a mount could
    /// apply (a registry destination asks one token for both scopes).
    async fn prepare(&self, _origin: Option<&MountOrigin>) -> Result<()> {
        Ok(())
    }
    /// Whether the destination already holds blob `desc`. An error other than "absent" is an
    /// error, never "missing".
    async fn has_blob(&self, desc: &Descriptor) -> Result<bool>;
    /// Tries a cross-repository mount of `desc` from `origin`; `Ok(false)` when not mounted
    /// (and the caller uploads instead).
    async fn mount_blob(&self, _desc: &Descriptor, _origin: &MountOrigin) -> Result<bool> {
        Ok(false)
    }
    /// Tries a mount of `desc` from another repository of the destination's registry that
    /// an earlier run saw holding it (the blob location record, `store::locations`), other
    /// than the source's `tried` origin. `Ok(false)` when none is known or the registry
    /// refused (the caller uploads instead).
    async fn mount_known(&self, _desc: &Descriptor, _tried: Option<&MountOrigin>) -> Result<bool> {
        Ok(false)
    }
    /// Writes blob `desc`, reading it from `source` (it may reopen the blob at an offset to
    /// resume or to change upload strategy). Reports bytes to `progress`; returns bytes sent.
    /// Errors: Integrity when the bytes read do not match `desc`.
    async fn put_blob(
        &self,
        desc: &Descriptor,
        source: &dyn ImageSource,
        progress: &BlobProgress,
    ) -> Result<u64>;
    /// Stores a manifest (a child of the root, or the root itself) addressed by digest.
    async fn put_manifest(&self, manifest: &FetchedManifest) -> Result<()>;
    /// Names the root manifest at the location's tag (registry: PUT by tag; layout: index.json
    /// entry). Called last, once. `platform` is set when the root is a platform's image
    /// selected out of an index.
    async fn commit(
        &self,
        root: &FetchedManifest,
        platform: Option<&oci_spec::image::Platform>,
    ) -> Result<()>;
}
