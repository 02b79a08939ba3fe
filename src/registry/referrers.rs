//! The referrers API (OCI distribution spec v1.1, "Listing Referrers").

use reqwest::StatusCode;
use reqwest::header;

use super::manifests::MAX_MANIFEST_BYTES;
use super::repository::{Access, Repository};
use super::whole::fetch_whole;
use crate::digest::Digest;
use crate::error::Result;
use crate::manifest::OCI_INDEX;

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
}
