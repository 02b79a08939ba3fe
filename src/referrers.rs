//! Copying an image's referrers (signatures, SBOMs, attestations) along with it.
//!
//! Sources, per subject digest (the image and, for an index, every child):
//! - the referrers API (OCI distribution spec v1.1, `GET /v2/<name>/referrers/<digest>`),
//!   falling back to the referrers tag schema: an image index tagged `sha256-<hex>`;
//! - cosign-style digest tags `sha256-<hex>.sig`, `.att`, `.sbom`.
//!
//! A referrer whose `subject` does not name the subject it is listed for is ignored with a
//! warning. At a destination without the referrers API the `sha256-<hex>` index is written
//! (merged with the referrers it already lists), as the spec asks of clients.

use serde_json::Value;
use tracing::warn;

use crate::blob::FetchedManifest;
use crate::copy::{CopyOptions, Platforms, copy_image};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::manifest::{Manifest, OCI_INDEX, descriptor_digest};
use crate::progress::Reporter;
use crate::reference::Reference;
use crate::registry::{Client, Repository};
use crate::transport::docker::{RegistryDestination, RegistrySource};

/// Suffixes of cosign's digest tags (`sha256-<hex>.sig` …).
pub const COSIGN_SUFFIXES: [&str; 3] = ["sig", "att", "sbom"];

/// The referrers tag schema's tag for `subject`: `<alg>-<hex>`.
pub fn fallback_tag(subject: &Digest) -> String {
    format!("{}-{}", subject.algorithm().as_str(), subject.hex())
}

/// What copying referrers did.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub struct ReferrerStats {
    /// Referrer manifests and digest tags written.
    pub copied: usize,
    /// Referrers the destination already had.
    pub skipped: usize,
    /// Referrers ignored because their `subject` did not match.
    pub ignored: usize,
    /// Blob bytes sent.
    pub bytes: u64,
}

/// Where referrers go from and to: two repositories (the tags of `source`/`destination` are
/// ignored) and the options of the image copy (its `limiter` is shared).
pub struct ReferrersJob<'a> {
    /// Client for the source registry.
    pub src_client: &'a Client,
    /// Source repository.
    pub source: &'a Reference,
    /// Client for the destination registry.
    pub dst_client: &'a Client,
    /// Destination repository.
    pub destination: &'a Reference,
    /// Copy options; referrers are copied whole (all platforms) under the same limiter.
    pub opts: &'a CopyOptions,
    /// Progress.
    pub reporter: &'a Reporter,
}

/// The digests whose referrers belong with the image `root` of `repo`: `root` and, when it is
/// an index, its children (recursively). One manifest GET per index.
pub async fn subjects(repo: &Repository, root: &Digest) -> Result<Vec<Digest>> {
    let mut out = vec![root.clone()];
    let mut i = 0;
    while i < out.len() && out.len() < 1024 {
        let m = repo.get_manifest(&out[i].to_string()).await?;
        if let Manifest::Index(idx) = Manifest::parse(&m.bytes, &m.media_type)? {
            for d in idx.manifests() {
                let d = descriptor_digest(d)?;
                if !out.contains(&d) {
                    out.push(d);
                }
            }
        }
        i += 1;
    }
    Ok(out)
}

fn at_digest(r: &Reference, d: &Digest) -> Reference {
    Reference {
        tag: None,
        digest: Some(d.clone()),
        ..r.clone()
    }
}

fn at_tag(r: &Reference, t: &str) -> Reference {
    Reference {
        tag: Some(t.to_string()),
        digest: None,
        ..r.clone()
    }
}

impl ReferrersJob<'_> {
    fn src_repo(&self) -> Repository {
        self.src_client
            .repository(&self.source.registry, &self.source.repository)
    }
    fn dst_repo(&self) -> Repository {
        self.dst_client
            .repository(&self.destination.registry, &self.destination.repository)
    }

    /// Copies one image (by digest or tag) from the source repository to the destination
    /// repository, whole. Returns blob bytes sent.
    async fn copy_one(&self, src: Reference, dst: Reference) -> Result<u64> {
        let mut opts = CopyOptions::new(Platforms::All, 1);
        opts.limiter = self.opts.limiter.clone();
        let s = RegistrySource::new(self.src_client, src);
        let d = RegistryDestination::new(self.dst_client, dst);
        Ok(copy_image(&s, &d, &opts, self.reporter).await?.blobs.bytes)
    }

    /// Copies the referrers of every digest in `subjects`. Errors: the first failed request or
    /// copy, with the subject as context.
    pub async fn copy(&self, subjects: &[Digest]) -> Result<ReferrerStats> {
        let mut stats = ReferrerStats::default();
        for s in subjects {
            self.copy_for(s, &mut stats)
                .await
                .map_err(|e| e.context(format!("cannot copy the referrers of {s}")))?;
        }
        Ok(stats)
    }

    async fn copy_for(&self, subject: &Digest, stats: &mut ReferrerStats) -> Result<()> {
        let src = self.src_repo();
        let dst = self.dst_repo();
        // 1. Cosign-style digest tags: HEAD both sides, copy when they differ.
        for suffix in COSIGN_SUFFIXES {
            let tag = format!("{}.{suffix}", fallback_tag(subject));
            let Some((src_digest, ..)) = src.head_manifest(&tag).await? else {
                continue;
            };
            let dst_digest = dst.head_manifest(&tag).await?.and_then(|h| h.0);
            if src_digest.is_some() && src_digest == dst_digest {
                stats.skipped += 1;
                continue;
            }
            stats.bytes += self
                .copy_one(at_tag(self.source, &tag), at_tag(self.destination, &tag))
                .await?;
            stats.copied += 1;
        }

        // 2. OCI referrers: the API, else the tag schema.
        let tag = fallback_tag(subject);
        let (listing, src_index) = match src.referrers(subject).await? {
            Some(bytes) => (bytes, None),
            None => {
                let Some((src_digest, ..)) = src.head_manifest(&tag).await? else {
                    return Ok(());
                };
                let dst_digest = dst.head_manifest(&tag).await?.and_then(|h| h.0);
                if src_digest.is_some() && src_digest == dst_digest {
                    stats.skipped += 1;
                    return Ok(()); // same index: same referrers
                }
                let index = src.get_manifest(&tag).await?;
                (index.bytes.clone(), Some(index))
            }
        };
        let listed = descriptors(&listing)?;
        let mut valid: Vec<Value> = Vec::new();
        for d in &listed {
            let digest: Digest = d["digest"]
                .as_str()
                .unwrap_or_default()
                .parse()
                .map_err(|e| Error::integrity(format!("referrers list holds a bad digest: {e}")))?;
            let m = src.get_manifest(&digest.to_string()).await?;
            let named = serde_json::from_slice::<Value>(&m.bytes)
                .ok()
                .and_then(|v| v["subject"]["digest"].as_str().map(str::to_string));
            if named.as_deref() != Some(subject.to_string().as_str()) {
                warn!(
                    "ignoring referrer {digest} listed for {subject}: its subject is {}",
                    named.as_deref().unwrap_or("missing")
                );
                stats.ignored += 1;
                continue;
            }
            if dst.head_manifest(&digest.to_string()).await?.is_some() {
                stats.skipped += 1;
            } else {
                stats.bytes += self
                    .copy_one(
                        at_digest(self.source, &digest),
                        at_digest(self.destination, &digest),
                    )
                    .await?;
                stats.copied += 1;
            }
            valid.push(d.clone());
        }
        if valid.is_empty() || dst.referrers(subject).await?.is_some() {
            return Ok(()); // nothing to list, or the destination indexes referrers itself
        }
        self.write_fallback_index(&dst, &tag, valid, src_index, listed.len())
            .await
    }

    /// Writes the `sha256-<hex>` index at the destination: the referrers it lists already,
    /// plus `valid`. The source's index is written byte for byte when it lists exactly the
    /// same set.
    async fn write_fallback_index(
        &self,
        dst: &Repository,
        tag: &str,
        valid: Vec<Value>,
        src_index: Option<FetchedManifest>,
        listed: usize,
    ) -> Result<()> {
        let existing = match dst.head_manifest(tag).await? {
            Some(_) => descriptors(&dst.get_manifest(tag).await?.bytes)?,
            None => Vec::new(),
        };
        let mut merged = existing.clone();
        for v in valid {
            if !merged.iter().any(|e| e["digest"] == v["digest"]) {
                merged.push(v);
            }
        }
        if merged.len() == existing.len() && !existing.is_empty() {
            return Ok(());
        }
        let index = match src_index {
            Some(i) if existing.is_empty() && merged.len() == listed => i,
            _ => {
                let bytes = serde_json::to_vec(&serde_json::json!({
                    "schemaVersion": 2,
                    "mediaType": OCI_INDEX,
                    "manifests": merged,
                }))?;
                FetchedManifest {
                    digest: Digest::sha256_of(&bytes),
                    bytes,
                    media_type: OCI_INDEX.into(),
                }
            }
        };
        dst.put_manifest(tag, &index).await
    }
}

/// The `manifests` of an image index as JSON values (unknown fields kept).
fn descriptors(index: &[u8]) -> Result<Vec<Value>> {
    let v: Value = serde_json::from_slice(index)?;
    Ok(v["manifests"].as_array().cloned().unwrap_or_default())
}
