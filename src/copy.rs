//! The transfer engine (docs/DESIGN.md §4): walk a manifest tree from an [`ImageSource`], pick
//! platforms, move blobs concurrently (skip what exists, mount within a registry, else
//! upload), then write manifests children-first and name the root last.

use std::collections::BTreeSet;
use std::sync::Arc;

use futures_util::{StreamExt, TryStreamExt};
use oci_spec::image::{Descriptor, ImageIndex, ImageManifest, Platform};
use tokio::io::AsyncReadExt;
use tokio::sync::Semaphore;

use crate::blob::{ChunkStream, FetchedManifest};
use crate::digest::{Digest, VerifyingReader};
use crate::error::{Error, ErrorKind, Result};
use crate::manifest::{
    Manifest, PlatformSpec, descriptor_digest, filter_entries, filter_index_bytes,
    image_for_platform, is_image_config, platform_of_config, platform_string,
};
use crate::progress::BlobOutcome;
use crate::progress::Reporter;
use crate::transport::{ImageDestination, ImageSource};

/// Which images of an index to copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Platforms {
    /// The one image matching this platform (the root becomes that image's manifest).
    One(PlatformSpec),
    /// The whole index, unchanged (`--all-platforms`).
    All,
    /// Several platforms (`--platform a,b`): a new index keeping only their images (and the
    /// attestations describing them); the new index's digest is reported.
    List(Vec<PlatformSpec>),
}

/// Options of one copy.
pub struct CopyOptions {
    /// Platform choice for indexes.
    pub platforms: Platforms,
    /// Shared limit of concurrent blob transfers (`--jobs`), shared across images.
    pub limiter: Arc<Semaphore>,
}

impl CopyOptions {
    /// Copies images for `platforms` with at most `jobs` concurrent blob transfers.
    pub fn new(platforms: Platforms, jobs: usize) -> CopyOptions {
        CopyOptions {
            platforms,
            limiter: Arc::new(Semaphore::new(jobs.max(1))),
        }
    }
}

/// What a copy did (docs/CLI.md, "Output": transfer result JSON).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CopyReport {
    /// Digest of the root written at the destination.
    pub digest: String,
    /// Its media type.
    #[serde(rename = "mediaType")]
    pub media_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// Platforms copied (`os/arch[/variant]`); for a single image, its config's platform
    /// (empty for an artifact without one).
    pub platforms: Vec<String>,
    /// Blob counts and bytes moved.
    pub blobs: BlobCounts,
}

/// Blob statistics of a copy.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BlobCounts {
    /// Blobs whose bytes were sent.
    pub uploaded: usize,
    /// Blobs the destination had already.
    pub skipped: usize,
    /// Blobs mounted from another repository.
    pub mounted: usize,
    /// Bytes sent.
    pub bytes: u64,
}

/// A manifest to write at the destination, with its parsed form.
struct Node {
    fetched: FetchedManifest,
    parsed: Manifest,
}

/// Whether a layer must not be copied (foreign / non-distributable layers with URLs).
fn is_foreign(d: &Descriptor) -> bool {
    let mt = d.media_type().to_string();
    (mt.contains("foreign") || mt.contains("nondistributable"))
        && d.urls().as_ref().is_some_and(|u| !u.is_empty())
}

/// The index [`copy_image`] writes for [`Platforms::List`]: `root`'s document (parsed as
/// `index`) keeping only the best match of each platform in `wants` and the attestations
/// describing them, every other byte as it was; its digest is the new document's sha256.
///
/// Errors: NotFound naming a platform the index lacks; Integrity when `root` is not an index
/// document.
pub fn filtered_index(
    root: &FetchedManifest,
    index: &ImageIndex,
    wants: &[PlatformSpec],
) -> Result<FetchedManifest> {
    let keep: Vec<String> = filter_entries(index, wants)?
        .iter()
        .map(|d| d.digest().to_string())
        .collect();
    let bytes = filter_index_bytes(&root.bytes, &keep)?;
    Ok(FetchedManifest {
        digest: Digest::sha256_of(&bytes),
        bytes,
        media_type: root.media_type.clone(),
    })
}

/// Copies the image `src` names to `dst`. Returns what was written and moved.
///
/// Errors: NotFound when no image matches the requested platform (the message lists the
/// platforms available), Integrity on any digest mismatch, and the transports' errors with
/// the blob or manifest they concern as context.
pub async fn copy_image(
    src: &dyn ImageSource,
    dst: &dyn ImageDestination,
    opts: &CopyOptions,
    reporter: &Reporter,
) -> Result<CopyReport> {
    reporter.copy_started();
    let root = src.root_manifest().await?;
    let root_parsed = Manifest::parse(&root.bytes, &root.media_type)?;
    let mut report = CopyReport::default();
    // The config read for the platform below is not downloaded again with the blobs.
    let mut held = Held {
        inner: src,
        digest: None,
        bytes: Vec::new(),
    };

    // 1. Resolve the tree: the manifests to write (children first) and the root.
    let mut nodes: Vec<Node> = Vec::new();
    let (root, root_platform) = match (&root_parsed, &opts.platforms) {
        (Manifest::Index(index), Platforms::One(want)) => {
            let child = image_for_platform(index, want, &src.describe()).map_err(|e| {
                e.with_hint("pick one with --platform, or copy them all with --all-platforms")
            })?;
            let platform = child.platform().clone();
            let fetched = src.manifest(&descriptor_digest(child)?).await?;
            if let Some(p) = &platform {
                report.platforms.push(platform_string(p));
            }
            let parsed = Manifest::parse(&fetched.bytes, &fetched.media_type)?;
            nodes.push(Node {
                fetched: fetched.clone(),
                parsed,
            });
            (fetched, platform)
        }
        (Manifest::Index(index), Platforms::List(wants)) => {
            let filtered = filtered_index(&root, index, wants).map_err(|e| {
                e.context(src.describe()).with_hint(
                    "pick platforms with --platform, or copy them all with --all-platforms",
                )
            })?;
            let parsed = Manifest::parse(&filtered.bytes, &filtered.media_type)?;
            collect_children(src, &parsed, &mut nodes, &mut report.platforms, 0).await?;
            nodes.push(Node {
                fetched: filtered.clone(),
                parsed,
            });
            (filtered, None)
        }
        (Manifest::Index(_), Platforms::All) => {
            collect_children(src, &root_parsed, &mut nodes, &mut report.platforms, 0).await?;
            nodes.push(Node {
                fetched: root.clone(),
                parsed: root_parsed.clone(),
            });
            (root, None)
        }
        (Manifest::Image(m), platforms) => {
            if let Some(bytes) = read_config(src, m).await? {
                if let Some(p) = platform_of_config(&bytes) {
                    check_single_platform(&src.describe(), &p, platforms)?;
                    report.platforms.push(platform_string(&p));
                }
                held.digest = Some(descriptor_digest(m.config())?);
                held.bytes = bytes;
            }
            nodes.push(Node {
                fetched: root.clone(),
                parsed: root_parsed.clone(),
            });
            (root, None)
        }
    };

    // The destination may refuse the root (a docker-archive takes no index): before any blob.
    let root_node = nodes
        .iter()
        .rfind(|n| n.fetched.digest == root.digest)
        .expect("the root is among the manifests to write");
    dst.check_root(&root, &root_node.parsed)?;

    // 2. Blobs, deduplicated by digest, in the order the manifests list them.
    let mut seen = BTreeSet::new();
    let mut blobs: Vec<Descriptor> = Vec::new();
    for n in &nodes {
        if let Manifest::Image(m) = &n.parsed {
            for d in std::iter::once(m.config()).chain(m.layers().iter()) {
                if is_foreign(d) {
                    continue;
                }
                if seen.insert(d.digest().to_string()) {
                    blobs.push(d.clone());
                }
            }
        }
    }

    let origin = src.mount_origin();
    dst.prepare(origin.as_ref()).await?;
    let held = &held;
    let outcomes: Vec<BlobOutcome> = futures_util::stream::iter(blobs.iter().map(|d| {
        let origin = origin.clone();
        async move {
            let _permit = opts
                .limiter
                .acquire()
                .await
                .map_err(|_| Error::other("copy cancelled"))?;
            let digest = descriptor_digest(d)?;
            let progress = reporter.blob(digest.to_string(), d.size());
            let outcome = match move_blob(held, dst, d, origin.as_ref(), &progress).await {
                Ok(o) => o,
                // Bytes that do not match their digest: the source's fault when its own copy
                // is corrupt (a layout's file changed), not the upload's or the write's.
                Err(e) if e.kind() == ErrorKind::Integrity => {
                    return Err(src.check_blob(d).await.unwrap_or_else(|| {
                        e.context(format!(
                            "failed to copy blob {digest} to {}",
                            dst.describe()
                        ))
                    }));
                }
                Err(e) => {
                    return Err(e.context(format!(
                        "failed to copy blob {digest} to {}",
                        dst.describe()
                    )));
                }
            };
            progress.finish(outcome);
            Ok::<_, Error>(outcome)
        }
    }))
    .buffer_unordered(blobs.len().max(1))
    .try_collect()
    .await?;
    for o in outcomes {
        match o {
            BlobOutcome::Uploaded(n) => {
                report.blobs.uploaded += 1;
                report.blobs.bytes += n;
            }
            BlobOutcome::Skipped => report.blobs.skipped += 1,
            BlobOutcome::Mounted => report.blobs.mounted += 1,
        }
    }

    // 3. Manifests children first, then the root under its name.
    for n in nodes.iter().filter(|n| n.fetched.digest != root.digest) {
        dst.put_manifest(&n.fetched)
            .await
            .map_err(|e| e.context(format!("failed to write manifest {}", n.fetched.digest)))?;
    }
    dst.commit(&root, root_platform.as_ref())
        .await
        .map_err(|e| {
            e.context(format!(
                "failed to write {} to {}",
                root.digest,
                dst.describe()
            ))
        })?;
    report.digest = root.digest.to_string();
    report.media_type = root.media_type.clone();
    report.size = root.size();
    reporter.copy_done();
    Ok(report)
}

/// Largest config blob read to learn an image's platform, in bytes.
const MAX_CONFIG_BYTES: u64 = 4 << 20;

/// The platform in the config blob of image manifest `m` ([`platform_of_config`]), read from
/// `src` and verified; `None` for an artifact (a config that is not an image configuration,
/// or one over 4 MiB) or a config naming no os/architecture. Errors: the source's, Integrity
/// when the blob does not match its descriptor.
pub async fn config_platform(src: &dyn ImageSource, m: &ImageManifest) -> Result<Option<Platform>> {
    Ok(read_config(src, m)
        .await?
        .and_then(|b| platform_of_config(&b)))
}

/// The bytes of image manifest `m`'s config blob, read from `src` and verified against its
/// descriptor; `None` for an artifact (a config that is not an image configuration, or one
/// over 4 MiB). Errors as [`config_platform`].
async fn read_config(src: &dyn ImageSource, m: &ImageManifest) -> Result<Option<Vec<u8>>> {
    let c = m.config();
    if !is_image_config(c.media_type().as_ref()) || c.size() > MAX_CONFIG_BYTES {
        return Ok(None);
    }
    let digest = descriptor_digest(c)?;
    let stream = src.blob(c, 0).await?;
    let mut bytes = Vec::with_capacity(c.size() as usize);
    let read = VerifyingReader::new(stream, digest.clone(), Some(c.size()))
        .read_to_end(&mut bytes)
        .await;
    if let Err(e) = read {
        let e = Error::from(e);
        if e.kind() == ErrorKind::Integrity
            && let Some(blamed) = src.check_blob(c).await
        {
            return Err(blamed);
        }
        return Err(e.context(format!(
            "cannot read config {digest} from {}",
            src.describe()
        )));
    }
    Ok(Some(bytes))
}

/// A source whose one blob read already (an image's config, for its platform) is served
/// from memory: the copy does not download it twice.
struct Held<'a> {
    inner: &'a dyn ImageSource,
    digest: Option<Digest>,
    bytes: Vec<u8>,
}

impl Held<'_> {
    /// Whether the blob `desc` names, from byte `offset`, is the one held in memory.
    fn holds(&self, desc: &Descriptor, offset: u64) -> bool {
        self.digest
            .as_ref()
            .is_some_and(|d| desc.digest().as_ref() == d.to_string())
            && offset <= self.bytes.len() as u64
    }
}

#[async_trait::async_trait]
impl ImageSource for Held<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    async fn root_manifest(&self) -> Result<FetchedManifest> {
        self.inner.root_manifest().await
    }
    async fn manifest(&self, digest: &Digest) -> Result<FetchedManifest> {
        self.inner.manifest(digest).await
    }
    async fn blob(&self, desc: &Descriptor, offset: u64) -> Result<crate::blob::BlobStream> {
        if self.holds(desc, offset) {
            let rest = self.bytes[offset as usize..].to_vec();
            Ok(Box::pin(std::io::Cursor::new(rest)))
        } else {
            self.inner.blob(desc, offset).await
        }
    }
    async fn blob_chunks(&self, desc: &Descriptor, offset: u64) -> Result<ChunkStream> {
        // Anything but the held config: the source's own chunks (a registry's, no copy).
        if self.holds(desc, offset) {
            Ok(crate::transport::chunks_of(self.blob(desc, offset).await?))
        } else {
            self.inner.blob_chunks(desc, offset).await
        }
    }
    fn mount_origin(&self) -> Option<crate::transport::MountOrigin> {
        self.inner.mount_origin()
    }
    async fn check_blob(&self, desc: &Descriptor) -> Option<Error> {
        self.inner.check_blob(desc).await
    }
}

/// Checks that a single-platform image built for `have` fits an explicit `--platform`
/// choice (a default host platform accepts any image, as before). Errors: NotFound naming
/// the image's platform when none of the platforms asked for matches.
pub fn check_single_platform(what: &str, have: &Platform, platforms: &Platforms) -> Result<()> {
    let wants: Vec<&PlatformSpec> = match platforms {
        Platforms::One(w) if w.explicit => vec![w],
        Platforms::List(l) => l.iter().collect(),
        _ => return Ok(()),
    };
    if wants.iter().any(|w| w.rank(have).is_some()) {
        return Ok(());
    }
    let asked: Vec<String> = wants.iter().map(|w| w.to_string()).collect();
    Err(Error::not_found(format!(
        "{what} is a single-platform image for {}, not {}",
        platform_string(have),
        asked.join(", ")
    ))
    .with_hint("drop --platform to take the image as it is"))
}

/// Fetches every child of an index (recursively for nested indexes, up to depth 8), pushing
/// them onto `nodes` children-first and recording their platforms.
fn collect_children<'a>(
    src: &'a dyn ImageSource,
    index: &'a Manifest,
    nodes: &'a mut Vec<Node>,
    platforms: &'a mut Vec<String>,
    depth: usize,
) -> futures_util::future::BoxFuture<'a, Result<()>> {
    Box::pin(async move {
        if depth > 8 {
            return Err(Error::integrity("image index nesting deeper than 8 levels"));
        }
        for child in index.references() {
            let digest: Digest = descriptor_digest(child)?;
            if nodes.iter().any(|n| n.fetched.digest == digest) {
                continue;
            }
            let fetched = src
                .manifest(&digest)
                .await
                .map_err(|e| e.context(format!("cannot read child manifest {digest}")))?;
            let parsed = Manifest::parse(&fetched.bytes, &fetched.media_type)?;
            if let Manifest::Index(_) = parsed {
                collect_children(src, &parsed, nodes, platforms, depth + 1).await?;
            }
            if let Some(p) = child.platform().as_ref() {
                platforms.push(platform_string(p));
            }
            nodes.push(Node { fetched, parsed });
        }
        Ok(())
    })
}

async fn move_blob(
    src: &dyn ImageSource,
    dst: &dyn ImageDestination,
    d: &Descriptor,
    origin: Option<&crate::transport::MountOrigin>,
    progress: &crate::progress::BlobProgress,
) -> Result<BlobOutcome> {
    if dst.has_blob(d).await? {
        return Ok(BlobOutcome::Skipped);
    }
    if let Some(o) = origin
        && dst.mount_blob(d, o).await?
    {
        return Ok(BlobOutcome::Mounted);
    }
    if dst.mount_known(d, origin).await? {
        return Ok(BlobOutcome::Mounted);
    }
    let n = dst.put_blob(d, src, progress).await?;
    Ok(BlobOutcome::Uploaded(n))
}

/// Formats the platform of a descriptor, if any.
pub fn descriptor_platform(d: &Descriptor) -> Option<&Platform> {
    d.platform().as_ref()
}
