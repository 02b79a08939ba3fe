//! Image locations as peers behind two small traits (docs/DESIGN.md §2): an [`ImageSource`] yields
//! manifests and blobs, an [`ImageDestination`] accepts them. The copy engine drives both and
//! knows nothing about HTTP or files; transports know nothing about each other.

pub mod archive;
pub mod docker_archive;
pub mod layout;
pub mod oci_archive;
pub mod registry;
pub mod stage;

use std::pin::Pin;

use async_trait::async_trait;
use oci_spec::image::Descriptor;
use tokio::io::AsyncRead;

use crate::digest::Digest;
use crate::error::Result;
use crate::manifest::Manifest;
use crate::progress::BlobProgress;

/// A stream of blob bytes. Not verified by the transport: the reader is wrapped in a
/// [`crate::digest::VerifyingReader`] by whoever consumes it.
pub type BlobStream = Pin<Box<dyn AsyncRead + Send>>;

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
}

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

/// How a blob reached the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobOutcome {
    /// Its bytes were sent (count in bytes).
    Uploaded(u64),
    /// The destination already had it.
    Skipped,
    /// Mounted from another repository of the same registry; no bytes moved.
    Mounted,
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

/// An [`AsyncRead`] adapter that reports every byte read to a [`BlobProgress`].
pub struct ProgressReader<R> {
    inner: R,
    progress: BlobProgress,
}

impl<R> ProgressReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R, progress: BlobProgress) -> Self {
        ProgressReader { inner, progress }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for ProgressReader<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        if n > 0 {
            self.progress.inc(n as u64);
        }
        r
    }
}

/// Opens `loc` for reading. `client` serves registry locations; `store` is the local store's
/// directory (for [`crate::location::Location::Store`]).
///
/// Errors: NotFound when a layout does not exist. Archives are opened lazily: their errors
/// (missing file, malicious member) surface on the first read.
pub fn open_source(
    loc: &crate::location::Location,
    client: &crate::registry::Client,
    store: &std::path::Path,
) -> Result<Box<dyn ImageSource>> {
    use crate::location::Location;
    Ok(match loc {
        Location::Registry(r) => Box::new(registry::RegistrySource::new(client, r.clone())),
        Location::Store(r) => Box::new(layout::LayoutSource::new(
            crate::store::Layout::open_or_create(store)?,
            Some(r.to_string()),
            format!("{r} (local store)"),
        )),
        Location::StoreDigest(d) => Box::new(layout::LayoutSource::by_digest(
            crate::store::Layout::open_or_create(store)?,
            d.clone(),
            format!("{d} (local store)"),
        )),
        Location::Oci { path, tag } => Box::new(layout::LayoutSource::new(
            crate::store::Layout::open(path)?,
            tag.clone(),
            loc.to_string(),
        )),
        Location::OciArchive { path, tag } => Box::new(oci_archive::OciArchiveSource::new(
            path,
            tag.clone(),
            loc.to_string(),
        )),
        Location::DockerArchive { path, reference } => {
            Box::new(docker_archive::DockerArchiveSource::new(
                path,
                match reference {
                    Some(r) => docker_archive::Select::Named(r.clone()),
                    None => docker_archive::Select::Only,
                },
                loc.to_string(),
            ))
        }
    })
}

/// Opens `loc` for writing (creating an OCI layout when needed). An archive's path is resolved
/// by [`archive::ArchiveTarget::resolve`] (a file replaced atomically, a stream such as
/// `/dev/stdout` written into); a streamed archive is staged in `store`. See [`open_source`].
///
/// Errors: Usage for `store:sha256:…` and for an archive path that cannot be written (a
/// directory, a missing directory, a terminal); the layout's and archive's I/O errors.
pub fn open_destination(
    loc: &crate::location::Location,
    client: &crate::registry::Client,
    store: &std::path::Path,
) -> Result<Box<dyn ImageDestination>> {
    use crate::location::Location;
    Ok(match loc {
        Location::Registry(r) => Box::new(registry::RegistryDestination::new(client, r.clone())),
        Location::Store(r) => Box::new(
            layout::LayoutDestination::new(
                crate::store::Layout::open_or_create(store)?,
                Some(r.to_string()),
                format!("{r} (local store)"),
            )
            .recording_origin(),
        ),
        Location::StoreDigest(d) => {
            return Err(crate::error::Error::usage(format!(
                "cannot write to store:{d}: a store destination needs a name (store:REF)"
            )));
        }
        Location::Oci { path, tag } => Box::new(layout::LayoutDestination::create(
            path,
            tag.clone(),
            loc.to_string(),
        )?),
        Location::OciArchive { path, tag } => Box::new(oci_archive::OciArchiveDestination::new(
            archive::ArchiveTarget::resolve(path)?,
            store,
            tag.clone(),
            loc.to_string(),
        )?),
        Location::DockerArchive { path, reference } => {
            Box::new(docker_archive::DockerArchiveDestination::new(
                archive::ArchiveTarget::resolve(path)?,
                store,
                reference.clone(),
                loc.to_string(),
            )?)
        }
    })
}
