//! Blobs shared between the images of one run move once: a ledger of which destination
//! repositories hold which blobs, and an [`ImageDestination`] wrapper that consults it.
//!
//! When two images bound for the same registry need the same blob, the first uploads it and
//! the second waits, then mounts it from the first one's repository (or, in the same
//! repository, takes it as present). A blob known to be present is not HEADed again.
//!
//! Manifests get the same treatment: the first write of a manifest's content to a registry
//! completes before any other image writes the same content (distribution 2.8 stores a
//! manifest with a non-atomic file write, so two concurrent first writes of one manifest —
//! tags `3` and `3.1` of one index, say — fail with `MANIFEST_BLOB_UNKNOWN`).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use oci_spec::image::{Descriptor, Platform};
use tokio::sync::OnceCell;

use crate::blob::FetchedManifest;
use crate::digest::Digest;
use crate::error::Result;
use crate::manifest::descriptor_digest;
use crate::progress::BlobProgress;
use crate::transport::{ImageDestination, ImageSource, MountOrigin};

/// (registry, digest).
type RegistryKey = (String, Digest);
/// (registry, repository, digest).
type RepoKey = (String, String, Digest);
/// Cells by key, created on first use.
type Cells<K, V> = Mutex<HashMap<K, Arc<OnceCell<V>>>>;

/// What the run knows about blobs at destinations; shared by every image of a run.
#[derive(Default)]
pub struct BlobLedger {
    /// (registry, digest) → the first repository of that registry known to hold the blob,
    /// set once the blob got there (uploaded, mounted or found) by this run.
    first: Cells<RegistryKey, String>,
    /// (registry, repository, digest) known present.
    present: Mutex<HashSet<RepoKey>>,
    /// (registry, digest) → set once a manifest with that digest was first written there.
    manifests: Cells<RegistryKey, ()>,
    /// (registry, repository, digest) → set once that manifest is written to the repository.
    manifests_in_repo: Cells<RepoKey, ()>,
}

impl BlobLedger {
    /// An empty ledger.
    pub fn new() -> Arc<BlobLedger> {
        Arc::new(BlobLedger::default())
    }

    fn cell(&self, registry: &str, digest: &Digest) -> Arc<OnceCell<String>> {
        self.first
            .lock()
            .expect("ledger lock")
            .entry((registry.to_string(), digest.clone()))
            .or_default()
            .clone()
    }

    fn is_present(&self, registry: &str, repository: &str, digest: &Digest) -> bool {
        self.present.lock().expect("ledger lock").contains(&(
            registry.to_string(),
            repository.to_string(),
            digest.clone(),
        ))
    }

    fn manifest_cell(&self, registry: &str, digest: &Digest) -> Arc<OnceCell<()>> {
        self.manifests
            .lock()
            .expect("ledger lock")
            .entry((registry.to_string(), digest.clone()))
            .or_default()
            .clone()
    }

    fn manifest_in_repo(
        &self,
        registry: &str,
        repository: &str,
        digest: &Digest,
    ) -> Arc<OnceCell<()>> {
        self.manifests_in_repo
            .lock()
            .expect("ledger lock")
            .entry((registry.to_string(), repository.to_string(), digest.clone()))
            .or_default()
            .clone()
    }

    fn mark(&self, registry: &str, repository: &str, digest: &Digest) {
        self.present.lock().expect("ledger lock").insert((
            registry.to_string(),
            repository.to_string(),
            digest.clone(),
        ));
        let _ = self.cell(registry, digest).set(repository.to_string());
    }
}

/// A destination repository of a registry whose blob writes go through a [`BlobLedger`].
pub struct SharedBlobs<D> {
    inner: D,
    ledger: Arc<BlobLedger>,
    registry: String,
    repository: String,
}

impl<D: ImageDestination> SharedBlobs<D> {
    /// Wraps `inner`, the destination `registry`/`repository`.
    pub fn new(inner: D, ledger: Arc<BlobLedger>, registry: &str, repository: &str) -> Self {
        SharedBlobs {
            inner,
            ledger,
            registry: registry.to_string(),
            repository: repository.to_string(),
        }
    }

    fn mark(&self, digest: &Digest) {
        self.ledger.mark(&self.registry, &self.repository, digest);
    }

    /// Runs `write` (a write of manifest `digest`) so that the registry's first write of that
    /// content finishes before any other: the first caller writes inside the cell, the others
    /// wait and then write. Returns whether this call was the first.
    async fn write_manifest<F, Fut>(&self, digest: &Digest, write: F) -> Result<bool>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<()>>,
    {
        let cell = self.ledger.manifest_cell(&self.registry, digest);
        let mut first = false;
        cell.get_or_try_init(|| async {
            write().await?;
            first = true;
            Ok::<_, crate::error::Error>(())
        })
        .await?;
        if !first {
            write().await?;
        }
        Ok(first)
    }
}

#[async_trait]
impl<D: ImageDestination> ImageDestination for SharedBlobs<D> {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    async fn prepare(&self, origin: Option<&MountOrigin>) -> Result<()> {
        self.inner.prepare(origin).await
    }
    async fn has_blob(&self, desc: &Descriptor) -> Result<bool> {
        let digest = descriptor_digest(desc)?;
        if self
            .ledger
            .is_present(&self.registry, &self.repository, &digest)
        {
            return Ok(true);
        }
        let has = self.inner.has_blob(desc).await?;
        if has {
            self.mark(&digest);
        }
        Ok(has)
    }
    async fn mount_blob(&self, desc: &Descriptor, origin: &MountOrigin) -> Result<bool> {
        let mounted = self.inner.mount_blob(desc, origin).await?;
        if mounted {
            self.mark(&descriptor_digest(desc)?);
        }
        Ok(mounted)
    }
    async fn mount_known(&self, desc: &Descriptor, tried: Option<&MountOrigin>) -> Result<bool> {
        let mounted = self.inner.mount_known(desc, tried).await?;
        if mounted {
            self.mark(&descriptor_digest(desc)?);
        }
        Ok(mounted)
    }
    /// Uploads the blob unless another image of the run is uploading (or has uploaded) it to
    /// the same registry: then waits for that upload and mounts from its repository, which
    /// moves no bytes (returns 0). Uploads itself when that mount is refused.
    async fn put_blob(
        &self,
        desc: &Descriptor,
        source: &dyn ImageSource,
        progress: &BlobProgress,
    ) -> Result<u64> {
        let digest = descriptor_digest(desc)?;
        let cell = self.ledger.cell(&self.registry, &digest);
        let mut sent: Option<u64> = None;
        let holder = cell
            .get_or_try_init(|| async {
                let n = self.inner.put_blob(desc, source, progress).await?;
                sent = Some(n);
                Ok::<_, crate::error::Error>(self.repository.clone())
            })
            .await?
            .clone();
        if let Some(n) = sent {
            self.mark(&digest);
            return Ok(n);
        }
        if holder == self.repository {
            self.mark(&digest);
            return Ok(0);
        }
        let origin = MountOrigin {
            registry: self.registry.clone(),
            repository: holder,
        };
        self.inner.prepare(Some(&origin)).await?;
        if self.inner.mount_blob(desc, &origin).await? {
            self.mark(&digest);
            return Ok(0);
        }
        let n = self.inner.put_blob(desc, source, progress).await?;
        self.mark(&digest);
        Ok(n)
    }
    /// Writes a manifest by digest, once per repository and run.
    async fn put_manifest(&self, manifest: &FetchedManifest) -> Result<()> {
        let d = &manifest.digest;
        // Written once per repository; an image needing it while another writes it waits.
        self.ledger
            .manifest_in_repo(&self.registry, &self.repository, d)
            .get_or_try_init(|| async {
                self.write_manifest(d, || self.inner.put_manifest(manifest))
                    .await
                    .map(|_| ())
            })
            .await
            .map(|_| ())
    }
    async fn commit(&self, root: &FetchedManifest, platform: Option<&Platform>) -> Result<()> {
        self.write_manifest(&root.digest, || self.inner.commit(root, platform))
            .await
            .map(|_| ())
    }
}
