//! Executing a sync plan: images in parallel under one blob-transfer limit, an image skipped
//! after manifest HEADs when the destination already has it, shared blobs moved once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use futures_util::StreamExt;
use oci_spec::image::Descriptor;
use tokio::sync::Semaphore;

use crate::blob::{BlobStream, ChunkStream, FetchedManifest};
use crate::copy::{CopyOptions, Platforms, copy_image, filtered_index};
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Hint, Result};
use crate::manifest::{Manifest, descriptor_digest, image_for_platform, is_index};
use crate::progress::Reporter;
use crate::referrers::{ReferrerStats, ReferrersJob, subjects};
use crate::registry::Repository;
use crate::transport::docker::{RegistryDestination, RegistrySource};
use crate::transport::{ImageSource, MountOrigin};

use super::clients::Clients;
use super::ledger::{BlobLedger, SharedBlobs};
use super::plan::{MappingFailure, Unit};

/// Images worked on at once per blob-transfer slot. An image that is up to date costs two
/// manifest HEADs in a row and no transfer, so a no-op sync is bound by request latency: more
/// images than transfer slots keep the registries busy (1,000 up-to-date images: 2.7 s at 4
/// images at once, 1.6 s at 32, on a loaded 2-core machine). Transfers still wait for one of
/// the `jobs` slots.
pub const IMAGES_PER_JOB: usize = 8;

/// How to run a plan.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Concurrent blob transfers across all images (`--jobs`); [`IMAGES_PER_JOB`] times as
    /// many images are worked on at once.
    pub jobs: usize,
    /// Only check what would be done (manifest HEADs); write nothing.
    pub dry_run: bool,
    /// Go on with the other images after one failed (else start no new image).
    pub keep_going: bool,
}

/// What happened to one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Copied to the destination.
    Copied,
    /// The destination had the same manifest digest already.
    Skipped,
    /// The copy (or the check before it) failed.
    Failed,
    /// Dry run: would be copied.
    WouldCopy,
    /// Dry run: would be skipped.
    WouldSkip,
}

/// The result of one image, as printed by `--format json` (and read back by
/// [`SyncReport::parse`](super::report::SyncReport::parse)).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ImageResult {
    /// The mapping the image comes from (1-based, file order).
    pub mapping: usize,
    /// Source reference (`registry/repository:tag`; a mapping that could not be planned:
    /// `registry/repository`).
    pub source: String,
    /// Destination reference.
    pub destination: String,
    /// Digest of the manifest (or index) at the destination, when known.
    pub digest: Option<String>,
    /// What happened.
    pub action: Action,
    /// Blob bytes sent for this image (and its referrers).
    pub bytes: u64,
    /// The error, for a failed image.
    pub error: Option<String>,
    /// What the user can do about the error, in the sync configuration's words when it has
    /// them; set by the caller (see `error_hint` for the client's own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Set (`true`) on the entry of a mapping whose tags could not be listed: it stands for
    /// all of that mapping's images, none of which ran.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unplanned: bool,
    /// Referrers copied with the image, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrers: Option<ReferrerStats>,
    /// The error's kind (for the exit code).
    #[serde(skip)]
    pub error_kind: Option<ErrorKind>,
    /// The error's hint, as the registry client made it (rendered by the front end).
    #[serde(skip)]
    pub error_hint: Option<Hint>,
    /// The registry (normalised name) the failed step talked to, when only one side was
    /// involved (the destination's for its manifest HEAD, the source's for its digest), else
    /// the one the error names ([`Error::registry`]).
    #[serde(skip)]
    pub error_registry: Option<String>,
}

impl ImageResult {
    /// The failed entry of a mapping that could not be planned: source and destination are
    /// the mapping's repositories, the error (kind, text, hint) is the tag listing's, and
    /// the registry it concerns is the source's.
    pub fn unplanned(f: &MappingFailure) -> ImageResult {
        ImageResult {
            mapping: f.mapping + 1,
            source: f.source.name(),
            destination: f.destination.name(),
            digest: None,
            action: Action::Failed,
            bytes: 0,
            error: Some(f.error.to_string()),
            hint: None,
            unplanned: true,
            referrers: None,
            error_kind: Some(f.error.kind()),
            error_hint: f.error.hint().cloned(),
            error_registry: Some(f.source.registry.clone()),
        }
    }
}

/// The results of a run, in plan order, and what was not started.
#[derive(Debug, Clone)]
pub struct SyncOutcome {
    /// One result per image that was started.
    pub images: Vec<ImageResult>,
    /// Images not started because an earlier one failed (without `keep_going`).
    pub not_run: usize,
    /// Wall time in seconds.
    pub seconds: f64,
}

impl SyncOutcome {
    /// Images with `action`.
    pub fn count(&self, action: Action) -> usize {
        self.images.iter().filter(|i| i.action == action).count()
    }
    /// Bytes sent in total.
    pub fn bytes(&self) -> u64 {
        self.images.iter().map(|i| i.bytes).sum()
    }
    /// The first failure, if any.
    pub fn first_failure(&self) -> Option<&ImageResult> {
        self.images.iter().find(|i| i.action == Action::Failed)
    }
    /// Adds the entries of mappings that could not be planned ([`ImageResult::unplanned`]),
    /// keeping mapping (file) order; images of one mapping stay in plan order.
    pub fn add_unplanned(&mut self, entries: Vec<ImageResult>) {
        self.images.extend(entries);
        self.images.sort_by_key(|i| i.mapping);
    }
}

/// Runs `units`. Never fails as a whole: each image's failure is in its result.
///
/// `on_done` sees each image's result as the image finishes (in finishing order, before the
/// reporter's `image` event), e.g. to add a hint or print its line; the outcome holds the
/// results as `on_done` left them, in plan order. Each image reports its blobs through a view
/// of `reporter` labelled with the destination's `repository:tag`.
pub async fn run(
    units: Vec<Unit>,
    clients: &Clients,
    opts: &RunOptions,
    reporter: &Reporter,
    on_done: &dyn Fn(&mut ImageResult),
) -> SyncOutcome {
    let started = Instant::now();
    let jobs = opts.jobs.max(1);
    let limiter = Arc::new(Semaphore::new(jobs));
    let ledger = BlobLedger::new();
    let stop = AtomicBool::new(false);
    reporter.add_images(units.len() as u64);
    let total = units.len();
    let ctx = Ctx {
        clients,
        opts,
        reporter,
        limiter: &limiter,
        ledger: &ledger,
    };
    let mut results: Vec<(usize, ImageResult)> =
        futures_util::stream::iter(units.iter().enumerate().map(|(i, u)| {
            let ctx = &ctx;
            let stop = &stop;
            async move {
                if stop.load(Ordering::SeqCst) {
                    return None;
                }
                let tag = u.destination.tag.as_deref().unwrap_or("latest");
                let view = ctx
                    .reporter
                    .for_image(&format!("{}:{tag}", u.destination.repository));
                let mut r = ctx.image(u, &view).await;
                if r.action == Action::Failed && !ctx.opts.keep_going {
                    stop.store(true, Ordering::SeqCst);
                }
                on_done(&mut r);
                if let Ok(v) = serde_json::to_value(&r) {
                    view.image_done(&v);
                }
                Some((i, r))
            }
        }))
        .buffer_unordered(jobs * IMAGES_PER_JOB)
        .filter_map(|r| async move { r })
        .collect()
        .await;
    results.sort_by_key(|(i, _)| *i);
    let images: Vec<ImageResult> = results.into_iter().map(|(_, r)| r).collect();
    SyncOutcome {
        not_run: total - images.len(),
        images,
        seconds: started.elapsed().as_secs_f64(),
    }
}

struct Ctx<'a> {
    clients: &'a Clients,
    opts: &'a RunOptions,
    reporter: &'a Reporter,
    limiter: &'a Arc<Semaphore>,
    ledger: &'a Arc<BlobLedger>,
}

impl Ctx<'_> {
    async fn image(&self, u: &Unit, reporter: &Reporter) -> ImageResult {
        let mut r = ImageResult {
            mapping: u.mapping + 1,
            source: u.source.to_string(),
            destination: u.destination.to_string(),
            digest: None,
            action: Action::Failed,
            bytes: 0,
            error: None,
            hint: None,
            unplanned: false,
            referrers: None,
            error_kind: None,
            error_hint: None,
            error_registry: None,
        };
        if let Err(e) = self.image_inner(u, &mut r, reporter).await {
            r.action = Action::Failed;
            r.error_kind = Some(e.kind());
            r.error = Some(e.to_string());
            r.error_hint = e.hint().cloned();
            // The step's own attribution, else the registry the error says it came from.
            if r.error_registry.is_none() {
                r.error_registry = e.registry().map(str::to_string);
            }
        } else {
            r.error_registry = None;
        }
        r
    }

    async fn image_inner(&self, u: &Unit, r: &mut ImageResult, reporter: &Reporter) -> Result<()> {
        let src = self.clients.repository(&u.source);
        let dst = self.clients.repository(&u.destination);
        let tag = u.destination.tag.as_deref().unwrap_or("latest");
        // 1. Manifest HEADs: skip an image the destination has already.
        r.error_registry = Some(u.destination.registry.clone());
        let current = match dst.head_manifest(tag).await? {
            Some((Some(d), ..)) => Some(d),
            _ => None,
        };
        r.error_registry = Some(u.source.registry.clone());
        let wanted = match (&current, self.opts.dry_run) {
            (Some(_), _) | (None, true) => Some(source_digest(&src, u).await?),
            (None, false) => None,
        };
        // From here on both sides take part.
        r.error_registry = None;
        let copy_digest = match (current, wanted) {
            (Some(c), Some(w)) if c == w => {
                r.digest = Some(c.to_string());
                r.action = if self.opts.dry_run {
                    Action::WouldSkip
                } else {
                    Action::Skipped
                };
                None
            }
            (_, w) => Some(w),
        };
        if self.opts.dry_run {
            if let Some(w) = copy_digest {
                r.digest = w.map(|d| d.to_string());
                r.action = Action::WouldCopy;
            }
            return Ok(());
        }
        // 2. Copy.
        if copy_digest.is_some() {
            let source = Watched::new(RegistrySource::new(
                self.clients.client(&u.source.registry),
                u.source.clone(),
            ));
            let dest = SharedBlobs::new(
                // The tag was HEADed in step 1: absent, or naming another manifest.
                RegistryDestination::new(
                    self.clients.client(&u.destination.registry),
                    u.destination.clone(),
                )
                .tag_checked(),
                self.ledger.clone(),
                &u.destination.registry,
                &u.destination.repository,
            );
            let report = copy_image(&source, &dest, &self.copy_options(u), reporter)
                .await
                .inspect_err(|_| {
                    // A source request failed (its error may name the destination too: "failed
                    // to copy blob … to DST"): the hint is about the source's registry.
                    if source.failed.load(Ordering::SeqCst) {
                        r.error_registry = Some(u.source.registry.clone());
                    }
                })?;
            r.digest = Some(report.digest.clone());
            r.bytes = report.blobs.bytes;
            r.action = Action::Copied;
        }
        // 3. Referrers of the image and of every child, also for a skipped image.
        if u.referrers
            && let Some(d) = r.digest.as_deref()
        {
            let d: Digest = d.parse()?;
            let job = ReferrersJob {
                src_client: self.clients.client(&u.source.registry),
                source: &u.source,
                dst_client: self.clients.client(&u.destination.registry),
                destination: &u.destination,
                opts: &self.copy_options(u),
                reporter,
            };
            let stats = job.copy(&subjects(&src, &d).await?).await?;
            r.bytes += stats.bytes;
            r.referrers = Some(stats);
        }
        Ok(())
    }

    fn copy_options(&self, u: &Unit) -> CopyOptions {
        let mut o = CopyOptions::new(u.platforms.clone(), 1);
        o.limiter = self.limiter.clone();
        o
    }
}

/// An [`ImageSource`] that remembers whether one of its requests failed, so that a failed
/// copy is pinned on the source's registry when the source was the one that refused.
struct Watched<S> {
    inner: S,
    failed: AtomicBool,
}

impl<S: ImageSource> Watched<S> {
    fn new(inner: S) -> Self {
        Watched {
            inner,
            failed: AtomicBool::new(false),
        }
    }

    fn watch<T>(&self, r: Result<T>) -> Result<T> {
        if r.is_err() {
            self.failed.store(true, Ordering::SeqCst);
        }
        r
    }
}

#[async_trait]
impl<S: ImageSource> ImageSource for Watched<S> {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    async fn root_manifest(&self) -> Result<FetchedManifest> {
        self.watch(self.inner.root_manifest().await)
    }
    async fn manifest(&self, digest: &Digest) -> Result<FetchedManifest> {
        self.watch(self.inner.manifest(digest).await)
    }
    async fn blob(&self, desc: &Descriptor, offset: u64) -> Result<BlobStream> {
        self.watch(self.inner.blob(desc, offset).await)
    }
    async fn blob_chunks(&self, desc: &Descriptor, offset: u64) -> Result<ChunkStream> {
        self.watch(self.inner.blob_chunks(desc, offset).await)
    }
    fn mount_origin(&self) -> Option<MountOrigin> {
        self.inner.mount_origin()
    }
}

/// The digest the destination should hold for `u`: the source tag's digest from a manifest
/// HEAD, or, when platforms are picked out of an index (or the registry sends no digest),
/// from the source's manifest itself: the picked image's digest (one platform) or the
/// filtered index's (a list, see [`filtered_index`]).
///
/// Errors: NotFound when the source tag does not exist; NotFound when no image of the index
/// matches the platform.
pub async fn source_digest(src: &Repository, u: &Unit) -> Result<Digest> {
    let tag = u.source.tag.as_deref().unwrap_or("latest");
    let head = src
        .head_manifest(tag)
        .await?
        .ok_or_else(|| Error::not_found(format!("{} not found", u.source)))?;
    let picks = matches!(u.platforms, Platforms::One(_) | Platforms::List(_));
    if let (Some(d), false) = (&head.0, picks && is_index(&head.1)) {
        return Ok(d.clone());
    }
    let m = src.get_manifest(tag).await?;
    match (&u.platforms, Manifest::parse(&m.bytes, &m.media_type)?) {
        (Platforms::One(p), Manifest::Index(idx)) => {
            descriptor_digest(image_for_platform(&idx, p, &u.source.to_string())?)
        }
        // The filtered index copy_image writes: its digest, not the source index's.
        (Platforms::List(wants), Manifest::Index(idx)) => filtered_index(&m, &idx, wants)
            .map(|f| f.digest)
            .map_err(|e| e.context(u.source.to_string())),
        _ => Ok(m.digest),
    }
}
