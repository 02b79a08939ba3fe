//! The two upload strategies (a streamed monolithic PUT, chunked PATCHes then a PUT), the
//! request bodies they stream and how a failed request is classified.

use std::future::Future;
use std::sync::Arc;

use bytes::BytesMut;
use reqwest::header::{self, HeaderValue};
use reqwest::{Body, StatusCode};
use tokio::io::AsyncReadExt;
use tracing::debug;

use super::UploadProgress;
use crate::blob::BlobStream;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::registry::errors;
use crate::registry::repository::Repository;
use crate::registry::retry::{retry_after, retryable_status};

use super::session::{Session, SessionGuard};

pub(super) const READ_BUF: usize = 256 * 1024;

/// Why an upload attempt failed, deciding what happens next.
pub(super) enum Failure {
    /// The registry refuses this form of upload (monolithic PUT): try chunked.
    Refused(Error),
    /// Transient (connection dropped, stall, 408/429/5xx, 416, expired token): ask the
    /// registry how far the session got and continue from there.
    Retry {
        err: Error,
        location: String,
        wait: Option<std::time::Duration>,
    },
    /// The registry refused a chunk of `chunk` bytes as too large (413): try smaller
    /// chunks from `offset` in the same session.
    TooLarge { err: Error, offset: u64, chunk: u64 },
    /// Give up (the source is corrupt, the digest was refused, access denied …).
    Fatal(Error),
}

impl Failure {
    pub(super) fn into_error(self) -> Error {
        match self {
            Failure::Refused(e)
            | Failure::Fatal(e)
            | Failure::Retry { err: e, .. }
            | Failure::TooLarge { err: e, .. } => e,
        }
    }
}

/// Captures the first error a body stream hit, so that a failed request reports the real
/// cause (e.g. a digest mismatch of the source) rather than "connection closed".
#[derive(Clone, Default)]
pub(super) struct ErrorSlot(Arc<std::sync::Mutex<Option<std::io::Error>>>);

impl ErrorSlot {
    pub(super) fn set(&self, e: &std::io::Error) {
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
    pub(super) fn take(&self) -> Option<Error> {
        self.0.lock().expect("slot").take().map(Error::from)
    }
}

/// A request body that streams up to `limit` bytes from `reader` (shared, so the next chunk
/// continues where this one stopped), counting progress and recording read errors.
pub(super) fn body_from(
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
    /// Sends one upload request; classifies transport errors (a source error recorded in
    /// `slot` is fatal, anything else is retried).
    pub(super) async fn send_upload(
        &self,
        req: reqwest::RequestBuilder,
        location: &str,
        slot: &ErrorSlot,
    ) -> std::result::Result<reqwest::Response, Failure> {
        let resp = self.client.execute_traced(req).await;
        if let Some(e) = slot.take() {
            return Err(Failure::Fatal(e));
        }
        resp.map_err(|e| Failure::Retry {
            err: self.client.transport_error(&e, location),
            location: location.to_string(),
            wait: None,
        })
    }

    /// Turns a failed upload response into a [`Failure`]: 408/429/5xx and 416 (the registry
    /// disagrees about the offset) and 401 (token expired) are retried, the rest is fatal.
    pub(super) async fn failed(resp: reqwest::Response, location: &str, what: String) -> Failure {
        let status = resp.status();
        let wait = retry_after(resp.headers());
        let body = resp.bytes().await.unwrap_or_default();
        let err = errors::from_response(status, &body).context(what);
        if retryable_status(status)
            || status == StatusCode::RANGE_NOT_SATISFIABLE
            || status == StatusCode::UNAUTHORIZED
        {
            Failure::Retry {
                err,
                location: location.to_string(),
                wait,
            }
        } else {
            Failure::Fatal(err)
        }
    }

    /// A streamed monolithic PUT of the whole blob into session `s`.
    pub(super) async fn upload_monolithic<F, Fut>(
        &self,
        digest: &Digest,
        size: u64,
        s: &Session,
        open: &F,
        progress: &Arc<dyn UploadProgress>,
        force_auth: bool,
    ) -> std::result::Result<(), Failure>
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = Result<BlobStream>>,
    {
        let reader = open(0).await.map_err(Failure::Fatal)?;
        let slot = ErrorSlot::default();
        let body = body_from(
            Arc::new(tokio::sync::Mutex::new(reader)),
            size,
            progress_fn(progress),
            slot.clone(),
        );
        let url = Self::with_digest(&s.location, digest).map_err(Failure::Fatal)?;
        let req = self
            .http()
            .put(&url)
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .header(header::CONTENT_LENGTH, size)
            .body(body);
        let req = self
            .authorize_upload(&s.location, req, force_auth)
            .await
            .map_err(Failure::Fatal)?;
        let resp = self.send_upload(req, &s.location, &slot).await?;
        let status = resp.status();
        if status == StatusCode::CREATED {
            return Ok(());
        }
        let refused = matches!(
            status,
            StatusCode::BAD_REQUEST
                | StatusCode::METHOD_NOT_ALLOWED
                | StatusCode::PAYLOAD_TOO_LARGE
                | StatusCode::UNSUPPORTED_MEDIA_TYPE
                | StatusCode::NOT_IMPLEMENTED
                | StatusCode::LENGTH_REQUIRED
        );
        match Self::failed(resp, &s.location, "monolithic upload failed".into()).await {
            Failure::Fatal(e) if refused && e.kind() != ErrorKind::Integrity => {
                Err(Failure::Refused(e))
            }
            f => Err(f),
        }
    }

    /// Chunked upload into session `s` from byte `offset`: PATCH pieces of `max_chunk` bytes
    /// (at least the registry's minimum) with `Content-Range: start-end`, tracking our own
    /// offset and following the newest `Location`; then PUT `?digest=`. With `grow_to`, a
    /// chunk confirmed within [`super::CHUNK_GROWS_BELOW`] is followed by one twice as large,
    /// up to `grow_to` bytes.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn upload_chunked<F, Fut>(
        &self,
        digest: &Digest,
        size: u64,
        s: &mut Session,
        mut offset: u64,
        max_chunk: u64,
        grow_to: Option<u64>,
        open: &F,
        progress: &Arc<dyn UploadProgress>,
        force_auth: bool,
        guard: &SessionGuard,
    ) -> std::result::Result<(), Failure>
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = Result<BlobStream>>,
    {
        let mut chunk = max_chunk.max(s.min_chunk).max(1);
        // Not opened when every byte is already there (a session that only lacks its final PUT).
        let reader: Arc<tokio::sync::Mutex<BlobStream>> =
            Arc::new(tokio::sync::Mutex::new(if offset < size {
                open(offset).await.map_err(Failure::Fatal)?
            } else {
                Box::pin(tokio::io::empty())
            }));
        let slot = ErrorSlot::default();
        let mut force = force_auth;
        while offset < size {
            let n = chunk.min(size - offset);
            let started = std::time::Instant::now();
            let body = body_from(reader.clone(), n, progress_fn(progress), slot.clone());
            let req = self
                .http()
                .patch(&s.location)
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .header(header::CONTENT_LENGTH, n)
                .header(header::CONTENT_RANGE, content_range(offset, n))
                .body(body);
            let req = self
                .authorize_upload(&s.location, req, force)
                .await
                .map_err(Failure::Fatal)?;
            force = false;
            let resp = self.send_upload(req, &s.location, &slot).await?;
            let status = resp.status();
            if status != StatusCode::ACCEPTED
                && status != StatusCode::CREATED
                && status != StatusCode::NO_CONTENT
            {
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    let body = resp.bytes().await.unwrap_or_default();
                    return Err(Failure::TooLarge {
                        err: errors::from_response(status, &body)
                            .context(format!("chunk at offset {offset} ({n} bytes) refused")),
                        offset,
                        chunk: n,
                    });
                }
                return Err(Self::failed(
                    resp,
                    &s.location,
                    format!("chunk at offset {offset} ({n} bytes) refused"),
                )
                .await);
            }
            if let Some(loc) = resp
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
            {
                s.location = self.resolve_location(loc).await.map_err(Failure::Fatal)?;
            }
            offset += n;
            debug!(%digest, offset, "chunk accepted");
            guard.save(&s.location, offset, size);
            if let Some(ceiling) = grow_to
                && started.elapsed() < super::CHUNK_GROWS_BELOW
            {
                chunk = chunk.saturating_mul(2).min(ceiling.max(chunk));
            }
        }
        let url = Self::with_digest(&s.location, digest).map_err(Failure::Fatal)?;
        let req = self
            .http()
            .put(&url)
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .header(header::CONTENT_LENGTH, 0);
        let req = self
            .authorize_upload(&s.location, req, force)
            .await
            .map_err(Failure::Fatal)?;
        let resp = self.send_upload(req, &s.location, &slot).await?;
        if resp.status() == StatusCode::CREATED {
            return Ok(());
        }
        Err(Self::failed(
            resp,
            &s.location,
            "final PUT of the chunked upload failed".into(),
        )
        .await)
    }
}

pub(super) fn progress_fn(progress: &Arc<dyn UploadProgress>) -> Arc<dyn Fn(u64) + Send + Sync> {
    // Request bodies must be `'static`: they share the caller's counters.
    let progress = progress.clone();
    Arc::new(move |n| progress.sent(n))
}

/// Header value helper for `Content-Range: start-end` (inclusive, no unit, as the
/// distribution spec's chunked upload requires).
pub(super) fn content_range(start: u64, len: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("{start}-{}", start + len - 1)).expect("ascii")
}
