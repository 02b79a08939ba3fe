//! Blob uploads (OCI distribution spec, "Pushing blobs"): a streamed monolithic PUT, or
//! chunked PATCH requests when forced or when the registry refuses the monolithic form.

use std::future::Future;
use std::sync::Arc;

use bytes::BytesMut;
use reqwest::header;
use reqwest::{Body, StatusCode};
use tokio::io::AsyncReadExt;
use tracing::{debug, warn};

use super::{Access, Repository, content_range, errors, transport_error};
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::progress::BlobProgress;
use crate::transport::BlobStream;

/// Chunk size used when falling back to chunked uploads, in bytes. Some registries refuse
/// PATCH bodies over 4 MiB.
pub const DEFAULT_CHUNK_SIZE: u64 = 4 * 1024 * 1024;
const READ_BUF: usize = 256 * 1024;

/// How blobs are uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UploadStrategy {
    /// Streamed monolithic PUT; chunked PATCH with [`DEFAULT_CHUNK_SIZE`] if refused.
    #[default]
    Auto,
    /// Chunked PATCH uploads of at most this many bytes each (`--chunk-size`).
    Chunked(u64),
}

/// Captures the first error a body stream hit, so that a failed request reports the real
/// cause (e.g. a digest mismatch of the source) rather than "connection closed".
#[derive(Clone, Default)]
struct ErrorSlot(Arc<std::sync::Mutex<Option<std::io::Error>>>);

impl ErrorSlot {
    fn set(&self, e: &std::io::Error) {
        let mut g = self.0.lock().expect("slot");
        if g.is_none() {
            *g = Some(std::io::Error::new(e.kind(), e.to_string()));
            if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<Error>()) {
                *g = Some(std::io::Error::new(
                    e.kind(),
                    Error::new(inner.kind(), inner.to_string()),
                ));
            }
        }
    }
    fn take(&self) -> Option<Error> {
        self.0.lock().expect("slot").take().map(Error::from)
    }
}

/// A request body that streams up to `limit` bytes from `reader` (shared, so the next chunk
/// continues where this one stopped), counting progress and recording read errors.
fn body_from(
    reader: Arc<tokio::sync::Mutex<BlobStream>>,
    limit: u64,
    progress: Arc<dyn Fn(u64) + Send + Sync>,
    slot: ErrorSlot,
) -> Body {
    let stream = futures_util::stream::unfold((reader, limit), move |(reader, left)| {
        let progress = progress.clone();
        let slot = slot.clone();
        async move {
            if left == 0 {
                return None;
            }
            let want = left.min(READ_BUF as u64) as usize;
            let mut buf = BytesMut::with_capacity(want);
            let res = {
                let mut r = reader.lock().await;
                let mut got = 0usize;
                loop {
                    let mut lim = (&mut *r).take((want - got) as u64);
                    match lim.read_buf(&mut buf).await {
                        Ok(0) => break Ok(got),
                        Ok(n) => {
                            got += n;
                            if got == want {
                                break Ok(got);
                            }
                        }
                        Err(e) => break Err(e),
                    }
                }
            };
            match res {
                Ok(0) => {
                    let e = std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        format!("source ended {left} bytes early"),
                    );
                    slot.set(&e);
                    Some((Err(e), (reader, 0)))
                }
                Ok(n) => {
                    progress(n as u64);
                    Some((Ok(buf.freeze()), (reader, left - n as u64)))
                }
                Err(e) => {
                    slot.set(&e);
                    Some((Err(e), (reader, 0)))
                }
            }
        }
    });
    Body::wrap_stream(stream)
}

impl Repository {
    /// Uploads blob `digest` of `size` bytes. `open(offset)` opens the source at `offset` (it
    /// may be called more than once: after a refused monolithic PUT the upload restarts
    /// chunked). The registry verifies the digest on the final PUT.
    ///
    /// Returns bytes sent. Errors: Integrity when the source does not match (reported by the
    /// source stream or `DIGEST_INVALID`), Auth, Network, Other with the registry's message.
    pub async fn upload_blob<F, Fut>(
        &self,
        digest: &Digest,
        size: u64,
        open: F,
        progress: &BlobProgress,
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
        let (location, min_chunk) = self
            .start_upload(digest)
            .await
            .map_err(|e| e.context(what()))?;
        match self.upload_strategy() {
            UploadStrategy::Chunked(chunk) => self
                .upload_chunked(
                    digest,
                    size,
                    location,
                    chunk.max(min_chunk),
                    &open,
                    progress,
                )
                .await
                .map_err(|e| e.context(what())),
            UploadStrategy::Auto => {
                match self
                    .upload_monolithic(digest, size, &location, &open, progress)
                    .await
                {
                    Ok(n) => Ok(n),
                    Err((e, true)) => {
                        warn!("monolithic upload refused ({e}); retrying with chunked uploads");
                        progress.set_position(0);
                        let (location, min_chunk) = self
                            .start_upload(digest)
                            .await
                            .map_err(|e| e.context(what()))?;
                        self.upload_chunked(
                            digest,
                            size,
                            location,
                            DEFAULT_CHUNK_SIZE.max(min_chunk),
                            &open,
                            progress,
                        )
                        .await
                        .map_err(|e| e.context(what()))
                    }
                    Err((e, false)) => Err(e.context(what())),
                }
            }
        }
    }

    /// Opens an upload session (POST `blobs/uploads/`), or reuses one a refused mount opened.
    /// Returns its absolute location and the registry's `OCI-Chunk-Min-Length` (0 if none).
    async fn start_upload(&self, digest: &Digest) -> Result<(String, u64)> {
        if let Some(loc) = self.take_pending_session(digest) {
            return Ok((loc, 0));
        }
        let url = self.url("blobs/uploads/").await?;
        let resp = self
            .send(Access::Push, || {
                self.http().post(&url).header(header::CONTENT_LENGTH, "0")
            })
            .await?;
        let resp = Self::expect(resp, &[StatusCode::ACCEPTED], || {
            "cannot start an upload session".into()
        })
        .await?;
        let min = resp
            .headers()
            .get("oci-chunk-min-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let loc = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| Error::other("registry opened an upload session without a Location"))?;
        Ok((self.resolve_location(loc).await?, min))
    }

    /// Adds `Authorization` for a request to an upload `location`, unless the location is on
    /// another host than the registry (never send credentials elsewhere).
    async fn authorize_upload(
        &self,
        location: &str,
        req: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder> {
        let same_host = url::Url::parse(location)
            .ok()
            .map(|u| {
                let h = match u.port() {
                    Some(p) => format!("{}:{p}", u.host_str().unwrap_or("")),
                    None => u.host_str().unwrap_or("").to_string(),
                };
                h == self.host
            })
            .unwrap_or(false);
        if !same_host {
            return Ok(req);
        }
        let scopes = self.scopes(Access::Push);
        self.client
            .authorize(&self.registry, &self.host, &scopes, false, req)
            .await
    }

    /// `location` with `digest=` appended to its query.
    fn with_digest(location: &str, digest: &Digest) -> Result<String> {
        let mut u = url::Url::parse(location)
            .map_err(|e| Error::other(format!("invalid upload location: {e}")))?;
        u.query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        Ok(u.to_string())
    }

    /// A streamed monolithic PUT. On failure returns `(error, fallback_allowed)`.
    async fn upload_monolithic<F, Fut>(
        &self,
        digest: &Digest,
        size: u64,
        location: &str,
        open: &F,
        progress: &BlobProgress,
    ) -> std::result::Result<u64, (Error, bool)>
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = Result<BlobStream>>,
    {
        let reader = open(0).await.map_err(|e| (e, false))?;
        let slot = ErrorSlot::default();
        let p = progress_fn(progress);
        let body = body_from(
            Arc::new(tokio::sync::Mutex::new(reader)),
            size,
            p,
            slot.clone(),
        );
        let url = Self::with_digest(location, digest).map_err(|e| (e, false))?;
        let req = self
            .http()
            .put(&url)
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .header(header::CONTENT_LENGTH, size)
            .body(body);
        let req = self
            .authorize_upload(location, req)
            .await
            .map_err(|e| (e, false))?;
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                return Err((
                    slot.take().unwrap_or_else(|| transport_error(&e, location)),
                    false,
                ));
            }
        };
        if let Some(e) = slot.take() {
            return Err((e, false));
        }
        let status = resp.status();
        if status == StatusCode::CREATED {
            return Ok(size);
        }
        let body = resp.bytes().await.unwrap_or_default();
        let err = errors::from_response(status, &body);
        let fallback = matches!(
            status,
            StatusCode::BAD_REQUEST
                | StatusCode::METHOD_NOT_ALLOWED
                | StatusCode::PAYLOAD_TOO_LARGE
                | StatusCode::UNSUPPORTED_MEDIA_TYPE
                | StatusCode::NOT_IMPLEMENTED
                | StatusCode::LENGTH_REQUIRED
        ) && err.kind() != ErrorKind::Integrity;
        Err((err, fallback))
    }

    /// Chunked upload: PATCH `chunk`-byte pieces with `Content-Range: start-end`, tracking our
    /// own offset and following the newest `Location`; then PUT `?digest=`.
    async fn upload_chunked<F, Fut>(
        &self,
        digest: &Digest,
        size: u64,
        mut location: String,
        chunk: u64,
        open: &F,
        progress: &BlobProgress,
    ) -> Result<u64>
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = Result<BlobStream>>,
    {
        let chunk = chunk.max(1);
        let reader = Arc::new(tokio::sync::Mutex::new(open(0).await?));
        let slot = ErrorSlot::default();
        let mut offset = 0u64;
        while offset < size {
            let n = chunk.min(size - offset);
            let body = body_from(reader.clone(), n, progress_fn(progress), slot.clone());
            let req = self
                .http()
                .patch(&location)
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .header(header::CONTENT_LENGTH, n)
                .header(header::CONTENT_RANGE, content_range(offset, n))
                .body(body);
            let req = self.authorize_upload(&location, req).await?;
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    return Err(slot
                        .take()
                        .unwrap_or_else(|| transport_error(&e, &location)));
                }
            };
            if let Some(e) = slot.take() {
                return Err(e);
            }
            let status = resp.status();
            if status != StatusCode::ACCEPTED
                && status != StatusCode::CREATED
                && status != StatusCode::NO_CONTENT
            {
                let body = resp.bytes().await.unwrap_or_default();
                return Err(errors::from_response(status, &body)
                    .context(format!("chunk at offset {offset} ({n} bytes) refused")));
            }
            if let Some(loc) = resp
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
            {
                location = self.resolve_location(loc).await?;
            }
            offset += n;
            debug!(%digest, offset, "chunk accepted");
        }
        let url = Self::with_digest(&location, digest)?;
        let req = self
            .http()
            .put(&url)
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .header(header::CONTENT_LENGTH, 0);
        let req = self.authorize_upload(&location, req).await?;
        let resp = req
            .send()
            .await
            .map_err(|e| transport_error(&e, &location))?;
        Self::expect(resp, &[StatusCode::CREATED], || {
            "final PUT of the chunked upload failed".into()
        })
        .await?;
        Ok(size)
    }
}

fn progress_fn(progress: &BlobProgress) -> Arc<dyn Fn(u64) + Send + Sync> {
    // BlobProgress is owned by the caller for the duration of the upload; share its counters.
    let handle = progress.handle();
    Arc::new(move |n| handle.inc(n))
}
