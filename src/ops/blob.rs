//! `blob`: one blob out of a registry repository, verified against its digest, or one file
//! into it (OCI distribution spec "Pulling blobs", "Pushing blobs"), like `crane blob` /
//! `crane upload`.

use std::path::Path;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::blob::BlobStream;
use crate::digest::{Algorithm, Digest, Hasher, VerifyingReader};
use crate::error::{Error, Result};
use crate::registry::Repository;
use crate::transport::tar::ArchiveTarget;

/// Copies blob `digest` of `repo` to `out`, verifying the bytes; returns the byte count.
/// The caller makes the output atomic ([`fetch_to_file`]).
///
/// Errors: NotFound for a blob the repository lacks; Integrity when the bytes do not match
/// `digest` (what was written before is then garbage); the registry's.
pub async fn fetch<W: AsyncWrite + Unpin>(
    repo: &Repository,
    digest: &Digest,
    out: &mut W,
) -> Result<u64> {
    let (stream, _) = repo.get_blob(digest, 0).await?;
    let mut r = VerifyingReader::new(stream, digest.clone(), None);
    let n = tokio::io::copy(&mut r, out).await.map_err(Error::from)?;
    out.flush().await?;
    Ok(n)
}

/// Writes blob `digest` of `repo` to `path` as archive outputs are written
/// ([`ArchiveTarget`]): a file atomically (a temp file beside it, renamed once the digest
/// matched: an existing file is replaced only then), a device or FIFO written into. Returns
/// the byte count.
///
/// Errors: Usage, before anything is fetched, when `path` cannot be a file (a directory, a
/// missing directory on the way); as [`fetch`]; the file system's (nothing is left behind
/// on any error).
pub async fn fetch_to_file(repo: &Repository, digest: &Digest, path: &Path) -> Result<u64> {
    let target = ArchiveTarget::resolve_output(path)?;
    let writer = target.open_writer(".imgctl-blob-")?;
    let mut f = tokio::fs::File::from_std(writer.file().try_clone()?);
    let n = fetch(repo, digest, &mut f).await?;
    drop(f);
    writer.commit()?;
    Ok(n)
}

/// Reads `r` to its end, writing its bytes to `out` (when given); returns their sha256
/// digest and count.
async fn digest_stream(
    r: &mut (dyn AsyncRead + Unpin + Send),
    mut out: Option<&mut (dyn AsyncWrite + Unpin + Send)>,
) -> std::io::Result<(Digest, u64)> {
    let mut h = Hasher::new(Algorithm::Sha256);
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = r.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        if let Some(o) = out.as_mut() {
            o.write_all(&buf[..n]).await?;
        }
        size += n as u64;
    }
    if let Some(o) = out {
        o.flush().await?;
    }
    Ok((h.finish(), size))
}

/// Uploads file `path` to `repo` as a blob (skipped when the repository has it already);
/// returns its sha256 digest and size. The file is re-read (and re-verified) per attempt.
///
/// Errors: NotFound for a missing file; Integrity when the file changed while uploading;
/// the registry's.
pub async fn put_file(repo: &Repository, path: &Path) -> Result<(Digest, u64)> {
    let mut f = tokio::fs::File::open(path)
        .await
        .map_err(|e| Error::from(e).context(format!("opening {}", path.display())))?;
    let (digest, size) = digest_stream(&mut f, None)
        .await
        .map_err(|e| Error::from(e).context(format!("reading {}", path.display())))?;
    put_digested(repo, path, digest, size).await
}

/// Uploads what `input` yields (stdin: `blob --put REPO -`) to `repo` as a blob; returns its
/// sha256 digest and size. The bytes are hashed while they are buffered in a temp file under
/// `temp_dir` (removed on return): an upload needs the digest and size before it starts (the
/// final PUT names the digest; a monolithic PUT the length), and a retry re-reads the bytes.
///
/// Errors: Other when the input cannot be read or the temp file written; as [`put_file`].
pub async fn put_stream(
    repo: &Repository,
    input: &mut (dyn AsyncRead + Unpin + Send),
    temp_dir: &Path,
) -> Result<(Digest, u64)> {
    let tmp = crate::store::shared_temp_file_in(temp_dir, ".imgctl-blob-put-").map_err(|e| {
        Error::other(format!(
            "cannot buffer the blob in {}: {e}",
            temp_dir.display()
        ))
    })?;
    let mut f = tokio::fs::File::from_std(tmp.reopen()?);
    let (digest, size) = digest_stream(input, Some(&mut f))
        .await
        .map_err(|e| Error::other(format!("reading the blob from stdin: {e}")))?;
    drop(f);
    put_digested(repo, tmp.path(), digest, size).await
}

/// Uploads file `path`, whose sha256 is `digest` and length `size`, to `repo`.
async fn put_digested(
    repo: &Repository,
    path: &Path,
    digest: Digest,
    size: u64,
) -> Result<(Digest, u64)> {
    if repo
        .has_blob(&digest, crate::registry::Access::Push)
        .await?
    {
        return Ok((digest, size));
    }
    let open = |offset: u64| {
        let digest = digest.clone();
        async move {
            use tokio::io::AsyncSeekExt;
            let mut f = tokio::fs::File::open(path).await?;
            f.seek(std::io::SeekFrom::Start(offset)).await?;
            let r: Box<dyn AsyncRead + Send + Unpin> = Box::new(tokio::io::BufReader::new(f));
            Ok(if offset == 0 {
                Box::pin(VerifyingReader::new(
                    Box::pin(r) as BlobStream,
                    digest,
                    Some(size),
                )) as BlobStream
            } else {
                Box::pin(r) as BlobStream
            })
        }
    };
    repo.upload_blob(&digest, size, open, Arc::new(())).await?;
    Ok((digest, size))
}
