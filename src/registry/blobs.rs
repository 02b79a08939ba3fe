//! Blobs (OCI distribution spec v1.1, "Pulling blobs", "Mounting a blob from another
//! repository"): HEAD, a ranged GET that follows redirects, and cross-repository mounts.

use futures_util::TryStreamExt;
use reqwest::header::{self, HeaderMap};
use reqwest::{Response, StatusCode};
use tokio_util::io::StreamReader;
use tracing::{debug, warn};

use super::exchange::url_host;
use super::repository::{Access, Repository};
use crate::blob::BlobStream;
use crate::digest::Digest;
use crate::error::{Error, Result};

impl Repository {
    /// Whether the repository holds blob `digest` (HEAD). 404 is `false`; so is 401/403 when
    /// checking before a push (the upload decides); any other failure is an error, never
    /// "missing".
    pub async fn has_blob(&self, digest: &Digest, access: Access) -> Result<bool> {
        let url = self.url(&format!("blobs/{digest}")).await?;
        let resp = self.send(access, || self.client.http().head(&url)).await?;
        match resp.status() {
            StatusCode::OK => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            // Some registries refuse HEAD where GET and uploads work; a HEAD has no body to say
            // why. Uploading an existing blob is harmless, and a real denial fails there clearly.
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN if access == Access::Push => {
                debug!(%digest, status = %resp.status(), "blob HEAD refused; treating the blob as absent");
                Ok(false)
            }
            _ => self
                .expect(resp, &[], || {
                    format!(
                        "cannot check blob {digest} in {}/{}",
                        self.registry, self.name
                    )
                })
                .await
                .map(|_| false),
        }
    }

    /// Streams blob `digest` from byte `offset` (Range request when > 0), following redirects
    /// (Authorization is not sent to another host). Returns the stream and the offset it
    /// really starts at (0 when the server ignored the range). Content is not decoded. For a
    /// stream that resumes after failures, use [`Repository::blob_reader`].
    pub async fn get_blob(&self, digest: &Digest, offset: u64) -> Result<(BlobStream, u64)> {
        let (resp, start) = self.blob_response(digest, offset).await?;
        let client = self.client.clone();
        let stream = resp
            .bytes_stream()
            .map_err(move |e| std::io::Error::other(client.transport_error(&e, "")));
        Ok((Box::pin(StreamReader::new(stream)), start))
    }

    /// GETs blob `digest` from byte `offset` with `Accept-Encoding: identity`. A redirect to
    /// another host that answers 401/403/404/410 (an expired pre-signed URL) is requested
    /// again from the registry once, for a fresh redirect. Returns the response (200 or 206)
    /// and the offset its body starts at.
    pub(super) async fn blob_response(
        &self,
        digest: &Digest,
        offset: u64,
    ) -> Result<(Response, u64)> {
        let url = self.url(&format!("blobs/{digest}")).await?;
        let what = || {
            format!(
                "cannot get blob {digest} from {}/{}",
                self.registry, self.name
            )
        };
        let mut renewed = false;
        let resp = loop {
            let resp = self
                .send(Access::Pull, || {
                    let mut r = self
                        .client
                        .http()
                        .get(&url)
                        .header(header::ACCEPT_ENCODING, "identity");
                    if offset > 0 {
                        r = r.header(header::RANGE, format!("bytes={offset}-"));
                    }
                    r
                })
                .await
                .map_err(|e| e.context(what()))?;
            let redirected = url_host(resp.url()) != self.host;
            let expired = matches!(resp.status().as_u16(), 401 | 403 | 404 | 410);
            if redirected && expired && !renewed {
                renewed = true;
                warn!(status = %resp.status(), "blob redirect target refused the request (expired?); asking the registry again");
                continue;
            }
            break resp;
        };
        let resp = self
            .expect(resp, &[StatusCode::OK, StatusCode::PARTIAL_CONTENT], what)
            .await?;
        let start = if resp.status() == StatusCode::PARTIAL_CONTENT {
            content_range_start(resp.headers()).unwrap_or(offset)
        } else {
            0
        };
        if start > offset {
            return Err(Error::network(format!(
                "registry answered a range starting at byte {start}, asked for {offset}"
            ))
            .context(what()));
        }
        Ok((resp, start))
    }

    /// Mounts blob `digest` from repository `from` of the same registry (POST
    /// `?mount=&from=`). `true` when mounted (201); `false` when the registry opened an upload
    /// session instead (202), which the next upload of that digest reuses.
    pub async fn mount_blob(&self, digest: &Digest, from: &str) -> Result<bool> {
        let base = self.url("blobs/uploads/").await?;
        let resp = self
            .send(Access::Push, || {
                self.client
                    .http()
                    .post(&base)
                    .query(&[("mount", digest.to_string()), ("from", from.to_string())])
                    .header(header::CONTENT_LENGTH, "0")
            })
            .await?;
        match resp.status() {
            StatusCode::CREATED => Ok(true),
            StatusCode::ACCEPTED => {
                if let Some(loc) = resp
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                {
                    let loc = self.resolve_location(loc).await?;
                    let replaced = self
                        .pending_sessions
                        .lock()
                        .expect("sessions lock")
                        .insert(digest.clone(), loc);
                    // A second refused mount (another candidate repository) replaces the
                    // first's session: that one will never be used, so free it now.
                    if let Some(old) = replaced {
                        self.delete_session(&old).await;
                    }
                }
                Ok(false)
            }
            // A refused mount (401/403/404 …) is not an error: the blob is uploaded instead.
            s => {
                debug!(status = %s, "mount refused; uploading instead");
                Ok(false)
            }
        }
    }

    /// Resolves an upload `Location` header (absolute or relative) against the registry.
    pub(super) async fn resolve_location(&self, loc: &str) -> Result<String> {
        let base = url::Url::parse(&format!("{}/", self.base().await?))
            .map_err(|e| Error::other(format!("bad registry URL: {e}")))?;
        base.join(loc).map(|u| u.to_string()).map_err(|e| {
            Error::other(format!(
                "registry sent an invalid upload Location {loc:?}: {e}"
            ))
        })
    }
}

/// The first byte of a `Content-Range: bytes start-end/size` response header.
pub(super) fn content_range_start(h: &HeaderMap) -> Option<u64> {
    let v = h.get(header::CONTENT_RANGE)?.to_str().ok()?;
    let v = v.trim().strip_prefix("bytes")?.trim_start();
    v.split(['-', '/']).next()?.trim().parse().ok()
}
