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

/// What a manifest response's headers say about it (distribution spec "Pulling manifests"),
/// read the same way for GET, HEAD and PUT answers.
struct ManifestHeaders {
    /// `Docker-Content-Digest`, when present and a valid digest.
    digest: Option<Digest>,
    /// `Content-Type`, when present and text.
    media_type: Option<String>,
    /// `Content-Length` in bytes, when present and a number.
    size: Option<u64>,
}

impl ManifestHeaders {
    fn read(h: &HeaderMap) -> ManifestHeaders {
        let text = |name: header::HeaderName| h.get(name).and_then(|v| v.to_str().ok());
        ManifestHeaders {
            digest: text(header::HeaderName::from_static("docker-content-digest"))
                .and_then(|v| v.parse().ok()),
            media_type: text(header::CONTENT_TYPE).map(str::to_string),
            size: text(header::CONTENT_LENGTH).and_then(|v| v.parse().ok()),
        }
    }
}

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
        let headers = ManifestHeaders::read(&resp.headers);
        let bytes = resp.body.to_vec();
        // A signed Docker schema 1 manifest's digest is that of its JWS payload, as the
        // registry computes it (crate::manifest::manifest_digest).
        let digest = match reference.parse::<Digest>() {
            Ok(d) => {
                crate::manifest::verify_manifest(&d, &bytes).map_err(|e| e.context(what()))?;
                d
            }
            // A missing or unreadable Docker-Content-Digest is no claim to check.
            Err(_) => match headers.digest {
                Some(d) => {
                    crate::manifest::verify_manifest(&d, &bytes)
                        .map_err(|e| e.context(format!("{}: registry sent a manifest that does not match its Docker-Content-Digest", what())))?;
                    crate::manifest::manifest_digest(&bytes).map_err(|e| e.context(what()))?
                }
                _ => crate::manifest::manifest_digest(&bytes).map_err(|e| e.context(what()))?,
            },
        };
        let media_type = detect_media_type(&bytes, headers.media_type.as_deref())
            .map_err(|e| e.context(what()))?;
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
        let h = ManifestHeaders::read(resp.headers());
        Ok(Some((
            h.digest,
            h.media_type.unwrap_or_default(),
            h.size.unwrap_or(0),
        )))
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
            && ManifestHeaders::read(resp.headers()).digest.as_ref() == Some(digest);
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
        if let Some(d) = ManifestHeaders::read(resp.headers()).digest
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

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn manifest_headers_read_digest_type_and_size_and_skip_unreadable_ones() {
        let d = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";
        let mut h = HeaderMap::new();
        h.insert("docker-content-digest", HeaderValue::from_static(d));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x"),
        );
        h.insert(header::CONTENT_LENGTH, HeaderValue::from_static("42"));
        let m = ManifestHeaders::read(&h);
        assert_eq!(m.digest, Some(d.parse().unwrap()));
        assert_eq!(m.media_type.as_deref(), Some("application/x"));
        assert_eq!(m.size, Some(42));
        h.insert("docker-content-digest", HeaderValue::from_static(""));
        h.insert(header::CONTENT_LENGTH, HeaderValue::from_static("many"));
        let m = ManifestHeaders::read(&h);
        assert_eq!((m.digest, m.size), (None, None));
        let m = ManifestHeaders::read(&HeaderMap::new());
        assert_eq!((m.digest, m.media_type, m.size), (None, None, None));
    }
}
