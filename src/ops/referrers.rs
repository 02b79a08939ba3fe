//! `copy --referrers`: after an image is copied between two registries, the artifacts that
//! refer to it (signatures, SBOMs, attestations; distribution spec, "Listing Referrers") are
//! copied too, for the root and, for an index, every child ([`crate::referrers`]).

use crate::copy::{CopyOptions, Platforms};
use crate::error::{Error, Result};
use crate::progress::Reporter;
use crate::reference::Reference;
use crate::referrers::{ReferrerStats, ReferrersJob, subjects};
use crate::registry::Client;

/// Copies the referrers of what `destination` now holds (its digest, or the manifest its tag
/// names) from `source`'s repository to `destination`'s, at most `jobs` blob transfers at a
/// time, progress on `reporter`. Returns the counts (copied, already present, ignored).
///
/// Errors: NotFound when `destination` does not exist (the image copy did not write it);
/// the registries' errors for listing and copying.
pub async fn copy_referrers(
    src_client: &Client,
    source: &Reference,
    dst_client: &Client,
    destination: &Reference,
    jobs: usize,
    reporter: &Reporter,
) -> Result<ReferrerStats> {
    let dst_repo = dst_client.repository(&destination.registry, &destination.repository);
    let digest = match &destination.digest {
        Some(d) => d.clone(),
        None => dst_repo
            .head_manifest(&destination.manifest_ref())
            .await?
            .and_then(|h| h.0)
            .ok_or_else(|| Error::not_found(format!("{destination} not found after the copy")))?,
    };
    let src_repo = src_client.repository(&source.registry, &source.repository);
    let opts = CopyOptions::new(Platforms::All, jobs);
    let job = ReferrersJob {
        src_client,
        source,
        dst_client,
        destination,
        opts: &opts,
        reporter,
    };
    job.copy(&subjects(&src_repo, &digest).await?).await
}
