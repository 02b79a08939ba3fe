//! Blob uploads (OCI distribution spec, "Pushing blobs"): a streamed monolithic PUT, or
//! chunked PATCH requests when forced or when the registry refuses the monolithic form.
//! This file drives an upload (strategy, retries, resume); `send.rs` holds the two request
//! strategies, `session.rs` the session guard and the journal of resumable sessions.

mod send;
mod session;

use std::future::Future;
use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header;
use tracing::{debug, info, warn};

use super::exchange::url_host;
use super::repository::{Access, Repository};
use crate::blob::BlobStream;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::settings::{DEFAULT_CHUNK_SIZE, UploadStrategy};

use send::Failure;
pub use session::{SavedUpload, UploadJournal, UploadKey, set_upload_journal};
use session::{Session, SessionGuard, upload_journal};

/// Smallest chunk tried when the registry refuses chunks as too large (413) and states no
/// `OCI-Chunk-Min-Length`, in bytes.
pub const MIN_CHUNK_SIZE: u64 = 64 * 1024;

/// Blobs at least this large (bytes) are uploaded resumably when an [`UploadJournal`] is
/// installed: in chunks whose confirmed progress is saved, so a later process continues an
/// upload a kill or Ctrl-C interrupted (issue 12). Smaller blobs go in one streamed PUT.
pub const RESUMABLE_MIN_SIZE: u64 = 32 << 20;

/// The first chunk size (bytes) of a resumable upload of `size` bytes: 1/32 of the blob, at
/// least 8 MiB. Chunks then grow ([`resumable_chunk_ceiling`]).
pub fn resumable_chunk_size(size: u64) -> u64 {
    size.div_ceil(32).max(8 << 20)
}

/// The largest chunk (bytes) of a resumable upload of `size` bytes: 1/8 of the blob, at least
/// its first chunk. A chunk the registry confirmed within [`CHUNK_GROWS_BELOW`] is followed
/// by one twice as large, up to this: every chunk costs a round trip during which the blob's
/// stream stands still, and the registry's own per-chunk work (distribution fsyncs the
/// session's hash state after each one), which with 8 MiB chunks made a loopback push ~20 %
/// slower than one streamed PUT. An interruption loses at most the chunk in flight: the first
/// chunk's size or about a second's worth of sending, never more than 1/8 of the blob.
pub fn resumable_chunk_ceiling(size: u64) -> u64 {
    size.div_ceil(8).max(resumable_chunk_size(size))
}

/// A resumable upload's chunk confirmed faster than this is followed by one twice as large.
pub const CHUNK_GROWS_BELOW: std::time::Duration = std::time::Duration::from_secs(1);

/// Where an upload reports the bytes it moves: the caller's progress display (the registry
/// client draws nothing itself; src/transport/ wires a blob's bar in). Shared with the request
/// bodies, which must be `'static`, hence taken as an `Arc`.
pub trait UploadProgress: Send + Sync {
    /// `n` more bytes of the blob were sent in the current attempt.
    fn sent(&self, n: u64);
    /// The upload (re)starts at byte `offset` of the blob: 0 for a fresh session, the
    /// registry's reported size when a session is resumed. Bytes sent before a restart are
    /// sent again and count again.
    fn restart_at(&self, offset: u64);
}

/// An [`UploadProgress`] that reports nothing.
impl UploadProgress for () {
    fn sent(&self, _n: u64) {}
    fn restart_at(&self, _offset: u64) {}
}

impl Repository {
    /// Uploads blob `digest` of `size` bytes. `open(offset)` opens the source at `offset`; it
    /// is called again for every attempt: after a refused monolithic PUT the upload restarts
    /// chunked, and after a transient failure it continues from the offset the registry
    /// reports for the session (GET on the session, `Range: 0-N`), or from 0 in a new session
    /// when the registry lost it. The registry verifies the digest on the final PUT.
    ///
    /// Strategy: [`UploadStrategy`] from the client, overridden per registry by `config.toml`.
    /// PATCH answers 201, 202 and 204 are all accepted; imgctl tracks its own offset and
    /// ignores the `Range` a PATCH answer reports; `Content-Range: start-end` is inclusive.
    ///
    /// A chunk refused as too large (413) is sent again in halves, in the same session, down
    /// to the registry's `OCI-Chunk-Min-Length` or [`MIN_CHUNK_SIZE`]. A session the upload
    /// will not finish (a refused monolithic PUT, a failure, a session given up, the upload
    /// future dropped) is deleted (`DELETE`, distribution spec "Canceling an upload").
    ///
    /// `progress` hears of every byte sent and of each restart ([`UploadProgress`]).
    ///
    /// Returns bytes sent in the last, successful attempt. Errors: Integrity when the source
    /// does not match (reported by the source stream or `DIGEST_INVALID`), Auth, Network
    /// after `--retries` consecutive failures, Other with the registry's message (a 413 for
    /// chunks of the smallest size included).
    pub async fn upload_blob<F, Fut>(
        &self,
        digest: &Digest,
        size: u64,
        open: F,
        progress: Arc<dyn UploadProgress>,
    ) -> Result<u64>
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = Result<BlobStream>>,
    {
        let what = || {
            format!(
                "cannot upload blob {digest} to {}/{}",
                self.registry, self.name
            )
        };
        let policy = self.client.policy();
        let mut strategy = self.upload_strategy();
        let mut session: Option<Session> = None;
        let mut offset = 0u64;
        let mut failures = 0u32;
        let mut force_auth = false;
        let mut reread = false;
        // Large blobs go resumably (chunks whose progress is saved) when a journal is there.
        let journal = upload_journal()
            .filter(|_| size >= RESUMABLE_MIN_SIZE && strategy != UploadStrategy::Monolithic);
        // Chunks of a resumable upload grow while the registry confirms them quickly (none
        // when the chunk size was asked for, or after a chunk was refused as too large).
        let mut grow_to = None;
        if journal.is_some() && strategy == UploadStrategy::Auto {
            strategy = UploadStrategy::Chunked(resumable_chunk_size(size));
            grow_to = Some(resumable_chunk_ceiling(size));
        }
        let key = UploadKey {
            host: self.host.clone(),
            repository: self.name.clone(),
            digest: digest.to_string(),
        };
        let mut guard = SessionGuard {
            repo: self.clone(),
            location: None,
            journal: journal.clone().map(|j| (j, key.clone())),
        };
        if let Some(j) = &journal
            && let Some(saved) = j.load(&key)
        {
            // An earlier run's session: continue where the registry says it stands (it may
            // have forgotten the session, or hold bytes the saved location does not vouch
            // for: then a new session).
            match self.upload_status(&saved.location, false).await {
                Ok(Some((location, n))) if saved.size == size && n <= size => {
                    info!(%digest, offset = n, "continuing the upload an earlier run left at {n} of {size} bytes");
                    offset = n;
                    session = Some(Session {
                        location,
                        min_chunk: 0,
                    });
                }
                other => {
                    debug!(%digest, status = ?other.map(|o| o.map(|(_, n)| n)), "an earlier run's upload session cannot be continued; starting a new one");
                    j.remove(&key);
                }
            }
        }
        loop {
            let mut s = match session.take() {
                Some(s) => s,
                None => {
                    offset = 0;
                    match self.start_upload(digest).await {
                        Ok(s) => s,
                        Err(e) => return Err(e.context(what())),
                    }
                }
            };
            guard.location = Some(s.location.clone());
            progress.restart_at(offset);
            let attempt = match strategy {
                UploadStrategy::Auto | UploadStrategy::Monolithic if offset == 0 => {
                    self.upload_monolithic(digest, size, &s, &open, &progress, force_auth)
                        .await
                }
                UploadStrategy::Chunked(n) => {
                    self.upload_chunked(
                        digest, size, &mut s, offset, n, grow_to, &open, &progress, force_auth,
                        &guard,
                    )
                    .await
                }
                // Resuming what a monolithic PUT left: the rest in chunks.
                _ => {
                    self.upload_chunked(
                        digest,
                        size,
                        &mut s,
                        offset,
                        DEFAULT_CHUNK_SIZE,
                        None,
                        &open,
                        &progress,
                        force_auth,
                        &guard,
                    )
                    .await
                }
            };
            force_auth = false;
            guard.location = Some(s.location.clone());
            match attempt {
                Ok(()) => {
                    guard.finished();
                    return Ok(size - offset);
                }
                Err(Failure::Refused(e)) if strategy == UploadStrategy::Auto => {
                    warn!("monolithic upload refused ({e}); retrying with chunked uploads");
                    guard.abandon().await;
                    strategy = UploadStrategy::Chunked(DEFAULT_CHUNK_SIZE);
                }
                Err(Failure::TooLarge {
                    err,
                    offset: at,
                    chunk,
                }) => {
                    let floor = if s.min_chunk > 0 {
                        s.min_chunk
                    } else {
                        MIN_CHUNK_SIZE
                    };
                    if chunk <= floor {
                        guard.abandon().await;
                        return Err(err.context(what()).with_hint(format!(
                            "the registry accepts no upload chunk of {chunk} bytes (the smallest \
                             imgctl sends): raise its request size limit (or that of a proxy in \
                             front of it, e.g. nginx client_max_body_size)"
                        )));
                    }
                    let smaller = (chunk / 2).max(floor);
                    warn!(%digest, "registry refused a chunk of {chunk} bytes as too large ({err}); retrying with chunks of {smaller} bytes");
                    strategy = UploadStrategy::Chunked(smaller);
                    grow_to = None;
                    offset = at;
                    session = Some(s);
                }
                Err(Failure::Retry {
                    err,
                    location,
                    wait,
                }) if policy.allows(failures) => {
                    failures += 1;
                    // A 401 mid-upload (token expired or revoked): the session status is
                    // asked with a new token, which the rest of the upload then uses.
                    force_auth = err.kind() == ErrorKind::Auth;
                    let wait = policy.wait(failures, wait);
                    warn!(%digest, "upload interrupted ({err}); retrying in {:.1}s", wait.as_secs_f32());
                    tokio::time::sleep(wait).await;
                    let status = self.upload_status(&location, force_auth).await;
                    if self.same_host(&location) {
                        force_auth = false;
                    }
                    match status {
                        Ok(Some((location, n))) if n <= size => {
                            debug!(%digest, offset = n, "upload session continues");
                            offset = n;
                            session = Some(Session {
                                location,
                                min_chunk: s.min_chunk,
                            });
                        }
                        Ok(_) => {
                            debug!(%digest, "upload session lost; starting a new one");
                            guard.abandon().await;
                        }
                        Err(e) => {
                            debug!(%digest, "upload status unknown ({e}); starting a new session");
                            guard.abandon().await;
                        }
                    }
                }
                // The source's bytes did not verify (a download the source resumed may have
                // spliced two servers' bytes) or the registry refused the digest: once more
                // from byte 0, in a new session.
                Err(Failure::Fatal(e)) if e.kind() == ErrorKind::Integrity && !reread => {
                    reread = true;
                    warn!(%digest, "blob does not verify ({e}); uploading it once more from byte 0");
                    guard.abandon().await;
                }
                Err(f) => {
                    guard.abandon().await;
                    return Err(f.into_error().context(what()));
                }
            }
        }
    }

    /// Opens an upload session (POST `blobs/uploads/`), or reuses one a refused mount opened.
    async fn start_upload(&self, digest: &Digest) -> Result<Session> {
        if let Some(location) = self.take_pending_session(digest) {
            return Ok(Session {
                location,
                min_chunk: 0,
            });
        }
        let url = self.url("blobs/uploads/").await?;
        let resp = self
            .send(Access::Push, || {
                self.http().post(&url).header(header::CONTENT_LENGTH, "0")
            })
            .await?;
        let resp = self
            .expect(resp, &[StatusCode::ACCEPTED], || {
                "cannot start an upload session".into()
            })
            .await?;
        let min_chunk = resp
            .headers()
            .get("oci-chunk-min-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let loc = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| Error::other("registry opened an upload session without a Location"))?;
        Ok(Session {
            location: self.resolve_location(loc).await?,
            min_chunk,
        })
    }

    /// Asks the registry how many bytes an upload session holds (GET on the session; 204
    /// with `Range: 0-<last>`). `Some((newest location, bytes))`, or `None` when the session
    /// is gone (404 or any answer without a usable `Range`). `force`: with a new token.
    async fn upload_status(&self, location: &str, force: bool) -> Result<Option<(String, u64)>> {
        let req = self
            .authorize_upload(location, self.http().get(location), force)
            .await?;
        let resp = self
            .client
            .execute_traced(req)
            .await
            .map_err(|e| self.client.transport_error(&e, location))?;
        if resp.status() != StatusCode::NO_CONTENT && resp.status() != StatusCode::OK {
            return Ok(None);
        }
        let range = resp
            .headers()
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let Some(n) = range.as_deref().and_then(parse_upload_range) else {
            return Ok(None);
        };
        let loc = match resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
        {
            Some(l) => self.resolve_location(l).await?,
            None => location.to_string(),
        };
        Ok(Some((loc, n)))
    }

    /// Deletes the upload session at `location` (distribution spec "Canceling an upload":
    /// `DELETE`, answered 204), so that the registry frees what it holds. Best effort: a
    /// failure is logged at debug level, never returned (the session expires anyway).
    pub(super) async fn delete_session(&self, location: &str) {
        let req = match self
            .authorize_upload(location, self.http().delete(location), false)
            .await
        {
            Ok(r) => r,
            Err(e) => {
                debug!("upload session not deleted ({e})");
                return;
            }
        };
        match self.client.execute_traced(req).await {
            Ok(r) => debug!(status = %r.status(), "upload session deleted"),
            Err(e) => debug!(
                "upload session not deleted ({})",
                self.client.transport_error(&e, location)
            ),
        }
    }

    /// Adds `Authorization` for a request to an upload `location`, unless the location is on
    /// another host than the registry (never send credentials elsewhere).
    async fn authorize_upload(
        &self,
        location: &str,
        req: reqwest::RequestBuilder,
        force: bool,
    ) -> Result<reqwest::RequestBuilder> {
        if !self.same_host(location) {
            return Ok(req);
        }
        let scopes = self.scopes(Access::Push);
        self.client
            .authorize(&self.registry, &self.host, &self.name, &scopes, force, req)
            .await
    }

    /// Whether upload `location` is on the registry's own host (where credentials may go).
    fn same_host(&self, location: &str) -> bool {
        url::Url::parse(location)
            .ok()
            .map(|u| url_host(&u) == self.host)
            .unwrap_or(false)
    }

    /// `location` with `digest=` appended to its query.
    fn with_digest(location: &str, digest: &Digest) -> Result<String> {
        let mut u = url::Url::parse(location)
            .map_err(|e| Error::other(format!("invalid upload location: {e}")))?;
        u.query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        Ok(u.to_string())
    }
}

/// Bytes held by an upload session from its `Range: 0-<last>` header.
///
/// `0-0` is ambiguous: distribution sends it both for an empty session and for one holding a
/// single byte (it prints `size - 1` only when `size > 0`). Resuming at byte 1 when the session
/// is empty would corrupt the blob, so `0-0` reads as 0 bytes: at worst the registry answers
/// the next chunk with 416 and the upload restarts in a new session.
fn parse_upload_range(v: &str) -> Option<u64> {
    let v = v.trim();
    let v = v.strip_prefix("bytes=").unwrap_or(v);
    let (start, end) = v.split_once('-')?;
    if start.trim() != "0" {
        return None;
    }
    let end = end.trim();
    if end == "-1" || end == "0" || end.is_empty() {
        return Some(0);
    }
    end.parse::<u64>().ok().map(|e| e + 1)
}

#[cfg(test)]
mod tests {
    use super::parse_upload_range;

    #[test]
    fn upload_ranges() {
        assert_eq!(parse_upload_range("0-99"), Some(100));
        assert_eq!(parse_upload_range("0--1"), Some(0));
        // distribution's empty session; resuming at byte 1 would corrupt the blob
        assert_eq!(parse_upload_range("0-0"), Some(0));
        assert_eq!(parse_upload_range("bytes=0-4"), Some(5));
        assert_eq!(parse_upload_range("5-9"), None);
        assert_eq!(parse_upload_range("junk"), None);
    }
}
