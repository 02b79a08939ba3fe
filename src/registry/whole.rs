//! Small documents read whole (manifests, tag and catalog pages, referrers, tokens): the
//! body is read to its end under a size limit, and asked for again, under the client's retry
//! policy, when it breaks off part-way.

use std::time::Instant;

use bytes::Bytes;
use futures_util::TryStreamExt;
use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};
use tracing::warn;

use super::client::Client;
use crate::error::{Error, Result};

/// A response read to its end.
pub(crate) struct Whole {
    /// The status of the response whose body was read whole.
    pub(crate) status: StatusCode,
    /// Its headers.
    pub(crate) headers: HeaderMap,
    /// Its body.
    pub(crate) body: Bytes,
    /// When the attempt that produced it was started (a token's lifetime counts from there).
    pub(crate) sent: Instant,
}

/// Sends a replayable request (a GET or HEAD) with `send` — which retries connect errors,
/// timeouts and retryable statuses itself — and reads its whole body, of at most `limit`
/// bytes. A body cut or reset part-way is requested again under the client's
/// [`super::retry::RetryPolicy`], as a blob download would be, each retry announced by a warning.
/// `url` names the request in errors; `what` names the document (`manifest`, `tag list`).
///
/// Errors: those of `send`; Network when the body could not be read after retries;
/// Integrity when the body is larger than `limit`.
pub(crate) async fn fetch_whole<F, Fut>(
    client: &Client,
    url: &str,
    limit: usize,
    what: &str,
    send: F,
) -> Result<Whole>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<Response>>,
{
    let policy = client.policy();
    let too_large = || {
        Error::integrity(format!(
            "{what} larger than {} MiB refused",
            limit / (1024 * 1024)
        ))
    };
    let mut failures = 0;
    loop {
        let sent = Instant::now();
        let resp = send().await?;
        if resp.content_length().unwrap_or(0) > limit as u64 {
            return Err(too_large());
        }
        let (status, headers) = (resp.status(), resp.headers().clone());
        let mut body = bytes::BytesMut::new();
        let mut stream = resp.bytes_stream();
        let cut = loop {
            match stream.try_next().await {
                Ok(Some(chunk)) => {
                    body.extend_from_slice(&chunk);
                    if body.len() > limit {
                        return Err(too_large());
                    }
                }
                Ok(None) => {
                    return Ok(Whole {
                        status,
                        headers,
                        body: body.freeze(),
                        sent,
                    });
                }
                Err(e) => break client.transport_error(&e, url),
            }
        };
        if !policy.allows(failures) {
            return Err(cut.context(format!(
                "the {what} answer broke off after {} bytes",
                body.len()
            )));
        }
        failures += 1;
        let wait = policy.wait(failures, None);
        warn!(
            "the {what} answer broke off after {} bytes ({cut}); retrying in {:.1}s",
            body.len(),
            wait.as_secs_f32()
        );
        tokio::time::sleep(wait).await;
    }
}
