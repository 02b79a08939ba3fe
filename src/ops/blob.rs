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

/// Writes blob `digest` of `repo` to `path` atomically: a temp file beside it, renamed once
/// the digest matched (an existing file is replaced only then). Returns the byte count.
///
/// Errors: as [`fetch`]; the file system's (nothing is left behind on any error).
pub async fn fetch_to_file(repo: &Repository, digest: &Digest, path: &Path) -> Result<u64> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".imgctl-blob-")
        .tempfile_in(&dir)
        .map_err(|e| Error::from(e).context(format!("creating a file in {}", dir.display())))?;
    let mut f = tokio::fs::File::from_std(tmp.reopen()?);
    let n = fetch(repo, digest, &mut f).await?;
    f.sync_all().await?;
    drop(f);
    tmp.persist(path)
        .map_err(|e| Error::from(e.error).context(format!("writing {}", path.display())))?;
    Ok(n)
}

/// The sha256 digest and size of file `path`, read once.
async fn digest_file(path: &Path) -> Result<(Digest, u64)> {
    let mut f = tokio::fs::File::open(path)
        .await
        .map_err(|e| Error::from(e).context(format!("opening {}", path.display())))?;
    let mut h = Hasher::new(Algorithm::Sha256);
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok((h.finish(), size))
}

/// Uploads file `path` to `repo` as a blob (skipped when the repository has it already);
/// returns its sha256 digest and size. The file is re-read (and re-verified) per attempt.
///
/// Errors: NotFound for a missing file; Integrity when the file changed while uploading;
/// the registry's.
pub async fn put_file(repo: &Repository, path: &Path) -> Result<(Digest, u64)> {
    let (digest, size) = digest_file(path).await?;
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
