//! Resuming blob downloads (OCI distribution spec, "Pulling blobs"; RFC 9110 `Range`): a
//! stream that survives dropped connections and stalls by asking the registry again for the
//! bytes from where it stopped.

use bytes::{Buf, Bytes};
use futures_util::{Stream, StreamExt, TryStreamExt};
use tokio_util::io::StreamReader;
use tracing::warn;

use super::repository::Repository;
use crate::blob::{BlobStream, ChunkStream};
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};

type Body = std::pin::Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

struct State {
    repo: Repository,
    digest: Digest,
    size: Option<u64>,
    /// Bytes of the blob delivered so far (counting from byte 0).
    offset: u64,
    body: Option<Body>,
    /// Bytes to drop from the start of `body` (the server ignored `Range`).
    skip: u64,
    /// Consecutive failures without a byte delivered in between.
    failures: u32,
}

impl Repository {
    /// Streams blob `digest` from byte `offset`. When the connection drops, stalls past the
    /// idle timeout or ends before `size` bytes (when known), the blob is requested again
    /// with `Range: bytes=N-` from where it stopped (the registry is asked again, so an
    /// expired redirect is renewed); after `--retries` consecutive failures without progress
    /// the stream fails with a Network error. A server that ignores `Range` is handled by
    /// skipping the bytes already delivered. An answer that cannot be the blob (a length or
    /// total size other than the blob's, an HTML page) is a failed attempt, asked again, never
    /// taken as a prefix. Content is not decoded and not verified: the consumer hashes it.
    ///
    /// Errors (opening): NotFound, Auth, Network after retries.
    pub async fn blob_reader(
        &self,
        digest: &Digest,
        size: Option<u64>,
        offset: u64,
    ) -> Result<BlobStream> {
        let chunks = self.blob_chunks(digest, size, offset).await?;
        Ok(Box::pin(StreamReader::new(chunks)))
    }

    /// Like [`Repository::blob_reader`], as the chunks the HTTP client received (no copy).
    ///
    /// Errors (opening): NotFound, Auth, Network after retries.
    pub async fn blob_chunks(
        &self,
        digest: &Digest,
        size: Option<u64>,
        offset: u64,
    ) -> Result<ChunkStream> {
        let policy = self.client.policy();
        let mut failures = 0;
        let (resp, start) = loop {
            let (resp, start) = self.blob_response(digest, offset).await?;
            let Some(why) = implausible(&resp, digest, size, start) else {
                break (resp, start);
            };
            if !policy.allows(failures) {
                return Err(why.context(format!("cannot get blob {digest}")));
            }
            failures += 1;
            let wait = policy.wait(failures, None);
            warn!("{why}; asking again in {:.1}s", wait.as_secs_f32());
            tokio::time::sleep(wait).await;
        };
        let st = State {
            repo: self.clone(),
            digest: digest.clone(),
            size,
            offset,
            body: Some(Box::pin(resp.bytes_stream())),
            skip: offset - start,
            failures,
        };
        let stream =
            futures_util::stream::try_unfold(st, next_chunk).map_err(std::io::Error::other);
        Ok(Box::pin(stream))
    }
}

/// Why `resp` (the answer to a blob GET, its body starting at byte `start`) cannot be blob
/// `digest` of `size` bytes, if it cannot: a `200` whose `Content-Length` is not the size, a
/// `206` whose `Content-Range` names another total size or whose `Content-Length` is not the
/// rest of the blob, or an HTML page (a proxy's or CDN's "Redirecting…" or error page
/// answered 200). Such an answer is a failed attempt (a Network error), never a prefix of
/// the blob to continue with `Range`.
fn implausible(
    resp: &reqwest::Response,
    digest: &Digest,
    size: Option<u64>,
    start: u64,
) -> Option<Error> {
    let h = resp.headers();
    let content_type = h
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let len = resp.content_length();
    let status = resp.status().as_u16();
    let described = || {
        format!(
            "the registry answered {status} with {} of {} for blob {digest}{}",
            len.map_or("a body".to_string(), |n| format!("{n} bytes")),
            if content_type.is_empty() {
                "no content type"
            } else {
                content_type
            },
            size.map_or(String::new(), |s| format!(" of {s} bytes")),
        )
    };
    let html = content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/html"));
    let total = h
        .get(reqwest::header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit_once('/'))
        .and_then(|(_, t)| t.trim().parse::<u64>().ok());
    let wrong_len = match (size, len) {
        (Some(s), Some(n)) => n != s.saturating_sub(start),
        _ => false,
    };
    let wrong_total = matches!((size, total), (Some(s), Some(t)) if t != s);
    (html || wrong_len || wrong_total).then(|| {
        Error::network(format!(
            "{}: that cannot be the blob (a proxy or CDN page?)",
            described()
        ))
    })
}

async fn next_chunk(mut st: State) -> Result<Option<(Bytes, State)>> {
    let policy = st.repo.client.policy();
    loop {
        let Some(body) = st.body.as_mut() else {
            match st.repo.blob_response(&st.digest, st.offset).await {
                Ok((resp, start)) => match implausible(&resp, &st.digest, st.size, start) {
                    None => {
                        st.skip = st.offset - start;
                        st.body = Some(Box::pin(resp.bytes_stream()));
                    }
                    Some(why) if policy.allows(st.failures) => {
                        st.failures += 1;
                        let wait = policy.wait(st.failures, None);
                        warn!("{why}; asking again in {:.1}s", wait.as_secs_f32());
                        tokio::time::sleep(wait).await;
                    }
                    Some(why) => {
                        return Err(why.context(format!(
                            "download of blob {} failed at byte {}",
                            st.digest, st.offset
                        )));
                    }
                },
                Err(e) if e.kind() == ErrorKind::Network && policy.allows(st.failures) => {
                    st.failures += 1;
                    tokio::time::sleep(policy.wait(st.failures, None)).await;
                }
                Err(e) => return Err(e),
            }
            continue;
        };
        let failure = match body.next().await {
            Some(Ok(mut b)) => {
                if st.skip > 0 {
                    let k = st.skip.min(b.len() as u64) as usize;
                    b.advance(k);
                    st.skip -= k as u64;
                    if b.is_empty() {
                        continue;
                    }
                }
                st.offset += b.len() as u64;
                st.failures = 0;
                return Ok(Some((b, st)));
            }
            None => match st.size {
                Some(s) if st.offset < s => Error::network(format!(
                    "blob {} ended after {} of {s} bytes",
                    st.digest, st.offset
                )),
                _ => return Ok(None),
            },
            Some(Err(e)) => st.repo.client.transport_error(&e, ""),
        };
        st.body = None;
        if !policy.allows(st.failures) {
            return Err(failure.context(format!(
                "download of blob {} failed at byte {}",
                st.digest, st.offset
            )));
        }
        st.failures += 1;
        let wait = policy.wait(st.failures, None);
        warn!(
            digest = %st.digest,
            offset = st.offset,
            "download interrupted ({failure}); resuming in {:.1}s",
            wait.as_secs_f32()
        );
        tokio::time::sleep(wait).await;
    }
}
