//! The OCI image layout store (OCI image spec `image-layout.md`; DESIGN.md §6).
//!
//! STUB: being written. API contract below is fixed; bodies are `todo!()`.

use std::path::{Path, PathBuf};

use oci_spec::image::Descriptor;
use tokio::io::AsyncRead;

use crate::digest::Digest;
use crate::error::Result;

/// Annotation key naming an image in `index.json`.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// An OCI image layout directory.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

/// What [`Layout::gc`] removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GcStats {
    /// Blobs deleted.
    pub blobs: usize,
    /// Bytes freed.
    pub bytes: u64,
}

impl Layout {
    /// Opens the layout at `root`, creating `oci-layout`, an empty `index.json` and
    /// `blobs/sha256/` when absent. Errors when `root` exists but is not a layout (a file, or a
    /// non-empty directory without `oci-layout`).
    pub fn open_or_create(root: &Path) -> Result<Layout> {
        let _ = root;
        todo!()
    }
    /// Opens an existing layout. Errors (NotFound) when `root/oci-layout` or `index.json` is missing.
    pub fn open(root: &Path) -> Result<Layout> {
        let _ = root;
        todo!()
    }
    /// The layout directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// Path of a blob: `root/blobs/<alg>/<hex>`.
    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        let _ = digest;
        todo!()
    }
    /// Whether blob `digest` is present.
    pub fn has_blob(&self, digest: &Digest) -> bool {
        let _ = digest;
        todo!()
    }
    /// Streams `reader` into blob `digest` atomically; verifies digest and `size`; returns bytes written.
    pub async fn write_blob<R: AsyncRead + Unpin + Send>(
        &self,
        digest: &Digest,
        size: Option<u64>,
        reader: R,
    ) -> Result<u64> {
        let _ = (digest, size, reader);
        todo!()
    }
    /// Writes small content (a manifest, a config) atomically after verifying it.
    pub fn write_blob_bytes(&self, digest: &Digest, bytes: &[u8]) -> Result<()> {
        let _ = (digest, bytes);
        todo!()
    }
    /// Reads a small blob whole and verifies it.
    pub fn read_blob_bytes(&self, digest: &Digest) -> Result<Vec<u8>> {
        let _ = digest;
        todo!()
    }
    /// Opens a blob for reading from `offset`.
    pub async fn open_blob(&self, digest: &Digest, offset: u64) -> Result<tokio::fs::File> {
        let _ = (digest, offset);
        todo!()
    }
    /// The entries of `index.json`.
    pub fn manifests(&self) -> Result<Vec<Descriptor>> {
        todo!()
    }
    /// The entry named `name`.
    pub fn resolve(&self, name: &str) -> Result<Descriptor> {
        let _ = name;
        todo!()
    }
    /// Names `desc` as `name` (replacing any entry of that name), under the lock.
    pub fn set_ref(&self, name: Option<&str>, desc: Descriptor) -> Result<()> {
        let _ = (name, desc);
        todo!()
    }
    /// Removes the entry named `name`. Errors (NotFound) when absent.
    pub fn remove_ref(&self, name: &str) -> Result<Descriptor> {
        let _ = name;
        todo!()
    }
    /// Deletes blobs not reachable from `index.json`.
    pub fn gc(&self) -> Result<GcStats> {
        todo!()
    }
}
