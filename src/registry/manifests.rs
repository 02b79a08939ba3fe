//! Manifests (OCI distribution spec v1.1, "Pulling manifests", "Pushing manifests",
//! "Deleting manifests"): byte-exact GET with digest verification, HEAD, PUT and DELETE.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};

use super::errors;
use super::repository::{Access, Repository};
use super::whole::fetch_whole;
use crate::blob::FetchedManifest;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::manifest::{ACCEPT_MANIFESTS, detect_media_type};

/// Largest manifest accepted, in bytes (distribution limits manifests to 4 MiB).
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;

impl Repository {
    /// Fetches the manifest or index at `reference` (a tag or a digest string), byte-exact.
    ///
    /// Verifies the bytes against the digest when `reference` is one, and against
    /// `Docker-Content-Digest` when the registry sends it. Errors: NotFound (MANIFEST_UNKNOWN),
    /// Auth, Integrity (mismatch, not JSON, over 4 MiB).
    pub async fn get_manifest(&self, reference: &str) -> Result<FetchedManifest> {
        let url = self.url(&format!("manifests/{reference}")).await?;
        let what = || format!("cannot get manifest {}", self.display_reference(reference));
        let resp = fetch_whole(&self.client, &url, MAX_MANIFEST_BYTES, "manifest", || {
            self.send(Access::Pull, || {
                self.client
                    .http()
                    .get(&url)
                    .header(header::ACCEPT, ACCEPT_MANIFESTS)
            })
        })
        .await
        .map_err(|e| e.context(what()))?;
        self.expect_whole(&resp, &[StatusCode::OK], what)?;
        let header_digest = resp
            .headers
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map(str::to_string);
        let content_type = resp
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = resp.body.to_vec();
        // A signed Docker schema 1 manifest's digest is that of its JWS payload, as the
        // registry computes it (crate::manifest::manifest_digest).
        let digest = match reference.parse::<Digest>() {
            Ok(d) => {
                crate::manifest::verify_manifest(&d, &bytes).map_err(|e| e.context(what()))?;
                d
            }
            Err(_) => match header_digest.as_deref().map(str::parse::<Digest>) {
                Some(Ok(d)) => {
                    crate::manifest::verify_manifest(&d, &bytes)
                        .map_err(|e| e.context(format!("{}: registry sent a manifest that does not match its Docker-Content-Digest", what())))?;
                    crate::manifest::manifest_digest(&bytes).map_err(|e| e.context(what()))?
                }
                _ => crate::manifest::manifest_digest(&bytes).map_err(|e| e.context(what()))?,
            },
        };
        let media_type =
            detect_media_type(&bytes, content_type.as_deref()).map_err(|e| e.context(what()))?;
        Ok(FetchedManifest {
            bytes,
            media_type,
            digest,
        })
    }

    /// HEADs the manifest at `reference`: `Some((digest, media type, size in bytes))`, or `None`
    /// when the registry answers 404. Digest comes from `Docker-Content-Digest` (None if absent).
    pub async fn head_manifest(
        &self,
        reference: &str,
    ) -> Result<Option<(Option<Digest>, String, u64)>> {
        let url = self.url(&format!("manifests/{reference}")).await?;
        let what = || {
            format!(
                "cannot check manifest {}",
                self.display_reference(reference)
            )
        };
        let resp = self
            .send(Access::Pull, || {
                self.client
                    .http()
                    .head(&url)
                    .header(header::ACCEPT, ACCEPT_MANIFESTS)
            })
            .await?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = self.expect(resp, &[StatusCode::OK], what).await?;
        let h = resp.headers();
        let digest = h
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let mt = h
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let size = h
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Ok(Some((digest, mt, size)))
    }

    /// Whether `reference` (a tag or a digest) already names exactly the manifest `digest`:
    /// one HEAD (with push access, as before a PUT), true when it answers 200 with
    /// `Docker-Content-Digest: digest`. Any other answer (404, a refused HEAD, another or no
    /// digest) is false, so that the caller PUTs. Errors: Network after retries.
    pub async fn manifest_is(&self, reference: &str, digest: &Digest) -> Result<bool> {
        let url = self.url(&format!("manifests/{reference}")).await?;
        let resp = self
            .send(Access::Push, || {
                self.client
                    .http()
                    .head(&url)
                    .header(header::ACCEPT, ACCEPT_MANIFESTS)
            })
            .await?;
        let same = resp.status() == StatusCode::OK
            && resp
                .headers()
                .get("docker-content-digest")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<Digest>().ok())
                .is_some_and(|d| d == *digest);
        Ok(same)
    }

    /// PUTs `manifest` at `reference` (a tag, or its digest) with its media type as
    /// Content-Type. Errors when the registry refuses it or reports a different digest.
    pub async fn put_manifest(&self, reference: &str, manifest: &FetchedManifest) -> Result<()> {
        let url = self.url(&format!("manifests/{reference}")).await?;
        let what = || {
            format!(
                "cannot put manifest {} to {}",
                manifest.digest,
                self.display_reference(reference)
            )
        };
        let body = Bytes::from(manifest.bytes.clone());
        let resp = self
            .send(Access::Push, || {
                self.client
                    .http()
                    .put(&url)
                    .header(header::CONTENT_TYPE, manifest.media_type.as_str())
                    .body(body.clone())
            })
            .await
            .map_err(|e| e.context(what()))?;
        let resp = self
            .expect(
                resp,
                &[StatusCode::CREATED, StatusCode::OK, StatusCode::ACCEPTED],
                what,
            )
            .await?;
        if let Some(d) = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<Digest>().ok())
            && d != manifest.digest
        {
            return Err(Error::integrity(format!(
                "registry stored the manifest as {d}, expected {}",
                manifest.digest
            ))
            .context(what()));
        }
        Ok(())
    }

    /// Deletes the manifest `digest`. Errors: NotFound, Auth, or Other with the registry's
    /// message when deletion is disabled (405 UNSUPPORTED).
    pub async fn delete_manifest(&self, digest: &Digest) -> Result<()> {
        let url = self.url(&format!("manifests/{digest}")).await?;
        let what = || format!("cannot delete {}/{}@{digest}", self.registry, self.name);
        let resp = self
            .send(Access::Delete, || self.client.http().delete(&url))
            .await?;
        if resp.status() == StatusCode::METHOD_NOT_ALLOWED {
            let body = resp.bytes().await.unwrap_or_default();
            return Err(errors::from_response(StatusCode::METHOD_NOT_ALLOWED, &body)
                .context(format!(
                    "{} does not allow deleting manifests",
                    self.registry
                ))
                .context(what())
                .with_hint(
                    "deletion must be enabled on the registry, e.g. distribution's \
                     storage.delete.enabled: true (REGISTRY_STORAGE_DELETE_ENABLED=true)",
                ));
        }
        self.expect(resp, &[StatusCode::ACCEPTED, StatusCode::OK], what)
            .await?;
        Ok(())
    }

    /// HEADs the manifest at `reference` and returns the status and response headers, whatever
    /// the status (a HEAD does not count against Docker Hub's pull limit). Errors: Network.
    pub async fn head_manifest_headers(&self, reference: &str) -> Result<(u16, HeaderMap)> {
        let url = self.url(&format!("manifests/{reference}")).await?;
        let resp = self
            .send(Access::Pull, || {
                self.client
                    .http()
                    .head(&url)
                    .header(header::ACCEPT, ACCEPT_MANIFESTS)
            })
            .await?;
        Ok((resp.status().as_u16(), resp.headers().clone()))
    }
}
