//! Requests beyond manifests and blobs: the referrers API (OCI distribution spec v1.1,
//! "Listing Referrers") and the response headers of a manifest HEAD (Docker Hub rate limits).

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};

use super::{Access, MAX_MANIFEST_BYTES, Repository, fetch_whole};
use crate::digest::Digest;
use crate::error::Result;
use crate::manifest::{ACCEPT_MANIFESTS, OCI_INDEX};

impl Repository {
    /// GETs `/v2/<name>/referrers/<subject>`: `Some(index bytes)` when the registry supports
    /// the referrers API (200 with an image index, possibly listing nothing), `None` when it
    /// does not (404, 405, or an answer that is not an image index), so that the caller falls
    /// back to the referrers tag schema (`sha256-<hex>`). An answer that breaks off is asked
    /// again (the client's retry policy). Errors: Auth, Network after retries, and Integrity
    /// for an answer over 4 MiB.
    pub async fn referrers(&self, subject: &Digest) -> Result<Option<Vec<u8>>> {
        let url = self.url(&format!("referrers/{subject}")).await?;
        let what = || {
            format!(
                "cannot list referrers of {subject} in {}/{}",
                self.registry, self.name
            )
        };
        // Read whole, again when the answer breaks off (a 404 body too: the connection may
        // be reused only once it is read).
        let resp = fetch_whole(
            &self.client,
            &url,
            MAX_MANIFEST_BYTES,
            "referrers list",
            || {
                self.send(Access::Pull, || {
                    self.client
                        .http()
                        .get(&url)
                        .header(header::ACCEPT, OCI_INDEX)
                })
            },
        )
        .await
        .map_err(|e| e.context(what()))?;
        match resp.status {
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED | StatusCode::BAD_REQUEST => {
                return Ok(None);
            }
            _ => {}
        }
        self.expect_whole(&resp, &[StatusCode::OK], what)?;
        let is_index = resp
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(OCI_INDEX));
        let body = resp.body;
        Ok(is_index.then(|| body.to_vec()))
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
