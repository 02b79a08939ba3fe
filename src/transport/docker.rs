//! The `docker://` transport: a repository in a registry, through [`crate::registry`].

use async_trait::async_trait;
use oci_spec::image::Descriptor;

use super::{ImageDestination, ImageSource, MountOrigin};
use crate::blob::{BlobStream, ChunkStream, FetchedManifest};
use crate::digest::VerifyingReader;
use crate::error::Result;
use crate::manifest::descriptor_digest;
use crate::progress::BlobProgress;
use crate::reference::Reference;
use crate::registry::{Access, Client, Repository, UploadProgress};
use crate::store::locations::BlobLocations;

/// Distinct recorded repositories a destination adds to its token's pull scopes for mounts
/// (each is one more scope in the token request; a registry may cap them).
const MAX_KNOWN_MOUNT_REPOSITORIES: usize = 8;

/// Reads the image a [`Reference`] names.
pub struct RegistrySource {
    repo: Repository,
    reference: Reference,
    locations: Option<std::sync::Arc<BlobLocations>>,
}

impl RegistrySource {
    /// A source for `reference` through `client`.
    pub fn new(client: &Client, reference: Reference) -> Self {
        RegistrySource {
            repo: client.repository(&reference.registry, &reference.repository),
            reference,
            locations: BlobLocations::current(),
        }
    }
    /// The repository handle.
    pub fn repository(&self) -> &Repository {
        &self.repo
    }
    /// Records that this repository serves blob `digest`: a later push elsewhere in this
    /// registry may mount it from here.
    fn record_served(&self, digest: &crate::digest::Digest) {
        if let Some(l) = &self.locations {
            l.record(
                &self.reference.registry,
                &self.reference.repository,
                &digest.to_string(),
            );
        }
    }
}

#[async_trait]
impl ImageSource for RegistrySource {
    fn describe(&self) -> String {
        format!("docker://{}", self.reference)
    }
    async fn root_manifest(&self) -> Result<FetchedManifest> {
        self.repo.get_manifest(&self.reference.manifest_ref()).await
    }
    async fn manifest(&self, digest: &crate::digest::Digest) -> Result<FetchedManifest> {
        self.repo.get_manifest(&digest.to_string()).await
    }
    async fn blob(&self, desc: &Descriptor, offset: u64) -> Result<BlobStream> {
        let digest = descriptor_digest(desc)?;
        // Resumes by itself after dropped connections and stalls (Range from where it stopped).
        let stream = self
            .repo
            .blob_reader(&digest, Some(desc.size()), offset)
            .await?;
        self.record_served(&digest);
        Ok(stream)
    }
    async fn blob_chunks(&self, desc: &Descriptor, offset: u64) -> Result<ChunkStream> {
        let digest = descriptor_digest(desc)?;
        let chunks = self
            .repo
            .blob_chunks(&digest, Some(desc.size()), offset)
            .await?;
        self.record_served(&digest);
        Ok(chunks)
    }
    fn mount_origin(&self) -> Option<MountOrigin> {
        Some(MountOrigin {
            registry: self.reference.registry.clone(),
            repository: self.reference.repository.clone(),
        })
    }
}

/// Writes an image to the repository and tag a [`Reference`] names.
pub struct RegistryDestination {
    repo: Repository,
    reference: Reference,
    locations: Option<std::sync::Arc<BlobLocations>>,
    /// Recorded repositories already added to the token's pull scopes.
    known_scopes: std::sync::Mutex<Vec<String>>,
    /// The caller found the tag absent or naming another manifest just before the copy:
    /// [`commit`](ImageDestination::commit) PUTs without a HEAD first.
    tag_checked: bool,
}

impl RegistryDestination {
    /// A destination for `reference` through `client`.
    pub fn new(client: &Client, reference: Reference) -> Self {
        RegistryDestination {
            repo: client.repository(&reference.registry, &reference.repository),
            reference,
            locations: BlobLocations::current(),
            known_scopes: std::sync::Mutex::new(Vec::new()),
            tag_checked: false,
        }
    }

    /// The same destination, for a caller that has just HEADed the tag and found it absent or
    /// naming another manifest (a sync): the commit PUTs the root without asking again.
    pub fn tag_checked(mut self) -> Self {
        self.tag_checked = true;
        self
    }

    /// Notes in the blob location record that this repository holds `desc`.
    fn record(&self, desc: &Descriptor) {
        if let Some(l) = &self.locations {
            l.record(
                &self.reference.registry,
                &self.reference.repository,
                desc.digest().as_ref(),
            );
        }
    }

    fn same_registry(&self, origin: &MountOrigin) -> bool {
        origin.registry == self.reference.registry && origin.repository != self.reference.repository
    }
}

#[async_trait]
impl ImageDestination for RegistryDestination {
    fn describe(&self) -> String {
        format!("docker://{}", self.reference)
    }
    async fn prepare(&self, origin: Option<&MountOrigin>) -> Result<()> {
        if let Some(o) = origin.filter(|o| self.same_registry(o)) {
            self.repo.add_pull_scope(&o.repository);
        }
        Ok(())
    }
    async fn has_blob(&self, desc: &Descriptor) -> Result<bool> {
        let has = self
            .repo
            .has_blob(&descriptor_digest(desc)?, Access::Push)
            .await?;
        if has {
            self.record(desc);
        }
        Ok(has)
    }
    async fn mount_blob(&self, desc: &Descriptor, origin: &MountOrigin) -> Result<bool> {
        if !self.same_registry(origin) {
            return Ok(false);
        }
        let mounted = self
            .repo
            .mount_blob(&descriptor_digest(desc)?, &origin.repository)
            .await?;
        if mounted {
            self.record(desc);
        }
        Ok(mounted)
    }
    async fn mount_known(&self, desc: &Descriptor, tried: Option<&MountOrigin>) -> Result<bool> {
        let Some(l) = &self.locations else {
            return Ok(false);
        };
        let digest = descriptor_digest(desc)?;
        let tried = tried
            .filter(|o| o.registry == self.reference.registry)
            .map(|o| o.repository.as_str());
        // The most recently seen repository other than this one and the one already tried:
        // one attempt per blob (a refused mount opens an upload session the upload then uses).
        let Some(from) = l
            .candidates(&self.reference.registry, &digest.to_string())
            .into_iter()
            .find(|r| *r != self.reference.repository && Some(r.as_str()) != tried)
        else {
            return Ok(false);
        };
        {
            let mut scopes = self.known_scopes.lock().expect("scopes lock");
            if !scopes.contains(&from) {
                if scopes.len() >= MAX_KNOWN_MOUNT_REPOSITORIES {
                    return Ok(false);
                }
                scopes.push(from.clone());
                self.repo.add_pull_scope(&from);
            }
        }
        tracing::debug!(%digest, from = %from, "mounting from a repository an earlier run saw");
        let mounted = self.repo.mount_blob(&digest, &from).await?;
        if mounted {
            self.record(desc);
        }
        Ok(mounted)
    }
    async fn put_blob(
        &self,
        desc: &Descriptor,
        source: &dyn ImageSource,
        progress: &BlobProgress,
    ) -> Result<u64> {
        let digest = descriptor_digest(desc)?;
        let size = desc.size();
        let open = |offset: u64| {
            let digest = digest.clone();
            async move {
                let s = source.blob(desc, offset).await?;
                Ok(if offset == 0 {
                    Box::pin(VerifyingReader::new(s, digest, Some(size))) as BlobStream
                } else {
                    s
                })
            }
        };
        let progress = std::sync::Arc::new(UploadBar(progress.handle()));
        let sent = self.repo.upload_blob(&digest, size, open, progress).await?;
        self.record(desc);
        Ok(sent)
    }
    async fn put_manifest(&self, manifest: &FetchedManifest) -> Result<()> {
        let reference = manifest.digest.to_string();
        if self.repo.manifest_is(&reference, &manifest.digest).await? {
            return Ok(()); // a re-push: the registry has this manifest already
        }
        self.repo.put_manifest(&reference, manifest).await
    }
    async fn commit(
        &self,
        root: &FetchedManifest,
        _platform: Option<&oci_spec::image::Platform>,
    ) -> Result<()> {
        let reference = match (&self.reference.tag, &self.reference.digest) {
            (_, Some(d)) if *d != root.digest => {
                return Err(crate::error::Error::integrity(format!(
                    "destination names digest {d} but the image is {}",
                    root.digest
                )));
            }
            (Some(t), _) => t.clone(),
            (None, _) => root.digest.to_string(),
        };
        // A no-op re-push: one HEAD instead of a PUT when the tag names this manifest already
        // (a tag pointing elsewhere, or absent, is PUT).
        if !self.tag_checked && self.repo.manifest_is(&reference, &root.digest).await? {
            return Ok(());
        }
        self.repo.put_manifest(&reference, root).await
    }
}

/// A blob's progress bar hearing the registry client's upload bytes (the client itself knows
/// no display: [`UploadProgress`]).
struct UploadBar(BlobProgress);

impl UploadProgress for UploadBar {
    fn sent(&self, n: u64) {
        self.0.inc(n);
    }
    fn restart_at(&self, offset: u64) {
        self.0.set_position(offset);
    }
}
