//! Resuming blob downloads (OCI distribution spec, "Pulling blobs"; RFC 9110 `Range`): a
//! stream that survives dropped connections and stalls by asking the registry again for the
//! bytes from where it stopped.

use bytes::{Buf, Bytes};
use futures_util::{Stream, StreamExt, TryStreamExt};
use tokio_util::io::StreamReader;
use tracing::warn;

use super::Repository;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::transport::BlobStream;

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
    /// skipping the bytes already delivered. Content is not decoded and not verified: the
    /// consumer hashes it.
    ///
    /// Errors (opening): NotFound, Auth, Network after retries.
    pub async fn blob_reader(
        &self,
        digest: &Digest,
        size: Option<u64>,
        offset: u64,
    ) -> Result<BlobStream> {
        let (resp, start) = self.blob_response(digest, offset).await?;
        let st = State {
            repo: self.clone(),
            digest: digest.clone(),
            size,
            offset,
            body: Some(Box::pin(resp.bytes_stream())),
            skip: offset - start,
            failures: 0,
        };
        let stream =
            futures_util::stream::try_unfold(st, next_chunk).map_err(std::io::Error::other);
        Ok(Box::pin(StreamReader::new(stream)))
    }
}

async fn next_chunk(mut st: State) -> Result<Option<(Bytes, State)>> {
    let policy = st.repo.client.policy();
    loop {
        let Some(body) = st.body.as_mut() else {
            match st.repo.blob_response(&st.digest, st.offset).await {
                Ok((resp, start)) => {
                    st.skip = st.offset - start;
                    st.body = Some(Box::pin(resp.bytes_stream()));
                }
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
