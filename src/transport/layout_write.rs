//! Writing into an OCI layout from an [`ImageSource`]: shared by the destinations backed by a
//! layout on disk (the `oci:` directory and the local store, and the staging layout of the
//! archive destinations).

use std::pin::Pin;

use futures_util::TryStreamExt;
use oci_spec::image::Descriptor;
use tokio::io::AsyncRead;

use super::ImageSource;
use crate::error::Result;
use crate::manifest::descriptor_digest;
use crate::progress::BlobProgress;
use crate::store::Layout;

/// An [`AsyncRead`] adapter that reports every byte read to a [`BlobProgress`].
pub struct ProgressReader<R> {
    inner: R,
    progress: BlobProgress,
}

impl<R> ProgressReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R, progress: BlobProgress) -> Self {
        ProgressReader { inner, progress }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for ProgressReader<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        if n > 0 {
            self.progress.inc(n as u64);
        }
        r
    }
}

/// Writes blob `desc` into `layout`, read from `source`, resumably: a partial download kept
/// by an interrupted run (a dropped connection, Ctrl-C, kill -9) is continued from where it
/// stopped ([`Layout::write_blob_resumable`]). Reports bytes to `progress`; returns the bytes
/// read from `source` (0 when the layout had the blob).
///
/// Errors: the source's own (NotFound naming the source when it lacks the blob, Network,
/// Auth), Integrity when the bytes do not match `desc`, Other on local I/O failure (naming the
/// layout).
pub async fn put_blob_resumable(
    layout: &Layout,
    desc: &Descriptor,
    source: &dyn ImageSource,
    progress: &BlobProgress,
) -> Result<u64> {
    let digest = descriptor_digest(desc)?;
    layout
        .write_blob_chunks_resumable(&digest, Some(desc.size()), |offset| async move {
            progress.set_position(offset);
            let chunks = source.blob_chunks(desc, offset).await?;
            let bar = progress.handle();
            Ok(chunks.inspect_ok(move |b| bar.inc(b.len() as u64)))
        })
        .await
}
