//! Tar plumbing shared by the `oci-archive:` and `docker-archive:` transports.
//!
//! Reading never unpacks: [`TarIndex::scan`] walks the member headers once and records where
//! each regular file's bytes start in the archive file, so a blob is served by seeking into the
//! archive (constant memory, no temp copy). The scan is also the safety check: a member whose
//! name is absolute or climbs out with `..`, or a symlink/hardlink whose target leaves the
//! archive, makes the whole archive refused (Integrity) — nothing is ever written from it.
//!
//! Writing stages the image in an OCI layout in a temp directory beside the target file, then
//! [`write_tar`] streams the files into a temp archive and renames it over the target, so a
//! failed copy never leaves a half-written archive.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::BlobStream;
use crate::error::{Error, Result};

/// Largest member read into memory by [`TarIndex::read_small`] (manifests, configs, JSON).
pub const MAX_SMALL_MEMBER: u64 = 64 << 20;

/// Where a regular file's bytes are in the archive.
#[derive(Debug, Clone, Copy)]
struct Member {
    offset: u64,
    size: u64,
}

/// The regular files of a tar archive, by normalised member name (`blobs/sha256/…`, no `./`).
/// Links inside the archive are resolved to the member they point at.
#[derive(Debug)]
pub struct TarIndex {
    path: PathBuf,
    files: HashMap<String, Member>,
}

/// Normalises a member name to `a/b/c`. Errors (Integrity) on an absolute name or one that
/// climbs with `..`.
fn normalise(name: &Path, archive: &Path) -> Result<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in name.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str().ok_or_else(|| {
                Error::integrity(format!(
                    "archive {} has a member name that is not UTF-8",
                    archive.display()
                ))
            })?),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(escape_error(archive, &name.to_string_lossy()));
            }
        }
    }
    Ok(parts.join("/"))
}

fn escape_error(archive: &Path, what: &str) -> Error {
    Error::integrity(format!(
        "archive {} refused: member {what:?} points outside the archive (absolute path, `..` or an escaping link)",
        archive.display()
    ))
    .with_hint("the archive is malformed or malicious; nothing was extracted from it")
}

/// Resolves link `target` relative to directory `base` (both normalised, `/`-separated).
/// `None` when it leaves the archive root.
fn resolve_relative(base: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || target.starts_with('\\') {
        return None;
    }
    let mut stack: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                stack.pop()?;
            }
            p => stack.push(p),
        }
    }
    Some(stack.join("/"))
}

impl TarIndex {
    /// Scans the tar archive at `path` (blocking I/O).
    ///
    /// Errors: NotFound when the file is missing; Usage when it is compressed (gzip, zstd,
    /// bzip2, xz: decompress it first); Integrity when it is not a tar archive, a member
    /// escapes the archive, or a member is sparse or truncated.
    pub fn scan(path: &Path) -> Result<TarIndex> {
        let mut file = File::open(path).map_err(|e| {
            Error::from(e).context(format!("cannot open archive {}", path.display()))
        })?;
        let len = file.metadata()?.len();
        let mut magic = [0u8; 6];
        let n = file.read(&mut magic)?;
        let magic = &magic[..n];
        let compressed = if magic.starts_with(&[0x1f, 0x8b]) {
            Some("gzip")
        } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some("zstd")
        } else if magic.starts_with(b"BZh") {
            Some("bzip2")
        } else if magic.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Some("xz")
        } else {
            None
        };
        if let Some(c) = compressed {
            return Err(Error::usage(format!(
                "archive {} is {c}-compressed; imgctl reads plain tar archives",
                path.display()
            ))
            .with_hint("decompress it first, e.g. `gunzip -k FILE` or `zstd -d FILE`"));
        }
        if len < 512 {
            return Err(Error::integrity(format!(
                "{} is not a tar archive ({len} bytes)",
                path.display()
            )));
        }
        file.seek(SeekFrom::Start(0))?;
        let bad = |e: std::io::Error| {
            Error::integrity(format!(
                "{} is not a valid tar archive: {e}",
                path.display()
            ))
        };
        let mut files: HashMap<String, Member> = HashMap::new();
        let mut links: HashMap<String, String> = HashMap::new();
        let mut archive = tar::Archive::new(file);
        for entry in archive.entries_with_seek().map_err(bad)? {
            let entry = entry.map_err(bad)?;
            let raw_name = entry.path().map_err(bad)?.into_owned();
            let name = normalise(&raw_name, path)?;
            let kind = entry.header().entry_type();
            use tar::EntryType as T;
            match kind {
                T::Regular | T::Continuous => {
                    let m = Member {
                        offset: entry.raw_file_position(),
                        size: entry.size(),
                    };
                    if m.offset.checked_add(m.size).is_none_or(|end| end > len) {
                        return Err(Error::integrity(format!(
                            "archive {} is truncated: member {name} ends past the end of the file",
                            path.display()
                        )));
                    }
                    links.remove(&name);
                    files.insert(name, m);
                }
                T::Symlink | T::Link => {
                    let target = entry
                        .link_name()
                        .map_err(bad)?
                        .ok_or_else(|| bad(std::io::Error::other("link without a target")))?;
                    let target = target.to_string_lossy().replace('\\', "/");
                    let resolved = if kind == T::Symlink {
                        let parent = name.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
                        resolve_relative(parent, &target)
                    } else {
                        resolve_relative("", &target)
                    };
                    let resolved = resolved
                        .filter(|r| !r.is_empty())
                        .ok_or_else(|| escape_error(path, &format!("{name} -> {target}")))?;
                    files.remove(&name);
                    links.insert(name, resolved);
                }
                T::GNUSparse => {
                    return Err(Error::integrity(format!(
                        "archive {}: sparse member {name} is not supported",
                        path.display()
                    )));
                }
                // Directories, pax/GNU metadata, devices, FIFOs: nothing to serve.
                _ => {}
            }
        }
        // Resolve links to the regular file they end at (a few hops at most).
        for (name, target) in &links {
            let mut t = target.clone();
            for _ in 0..16 {
                if let Some(m) = files.get(&t).copied() {
                    files.insert(name.clone(), m);
                    break;
                }
                match links.get(&t) {
                    Some(next) => t = next.clone(),
                    None => break,
                }
            }
        }
        Ok(TarIndex {
            path: path.to_path_buf(),
            files,
        })
    }

    /// [`TarIndex::scan`] on a blocking thread.
    pub async fn scan_async(path: PathBuf) -> Result<Arc<TarIndex>> {
        tokio::task::spawn_blocking(move || TarIndex::scan(&path).map(Arc::new))
            .await
            .map_err(|e| Error::other(format!("archive scan failed: {e}")))?
    }

    /// The archive file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the archive holds a regular file (or a link to one) named `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// Size in bytes of member `name`.
    pub fn size(&self, name: &str) -> Option<u64> {
        self.files.get(name).map(|m| m.size)
    }

    fn member(&self, name: &str) -> Result<Member> {
        self.files.get(name).copied().ok_or_else(|| {
            Error::not_found(format!(
                "{name} is not present in archive {}",
                self.path.display()
            ))
        })
    }

    /// Reads member `name` whole (at most [`MAX_SMALL_MEMBER`] bytes; blocking I/O).
    ///
    /// Errors: NotFound when absent; Integrity when larger than the limit.
    pub fn read_small(&self, name: &str) -> Result<Vec<u8>> {
        let m = self.member(name)?;
        if m.size > MAX_SMALL_MEMBER {
            return Err(Error::integrity(format!(
                "{name} in {} is {} bytes, too large for a manifest or config",
                self.path.display(),
                m.size
            )));
        }
        let mut f = File::open(&self.path)?;
        f.seek(SeekFrom::Start(m.offset))?;
        let mut buf = vec![0; m.size as usize];
        f.read_exact(&mut buf)?;
        Ok(buf)
    }

    /// Member `name` as a blocking reader.
    pub fn open_sync(&self, name: &str) -> Result<impl Read + use<>> {
        let m = self.member(name)?;
        let mut f = File::open(&self.path)?;
        f.seek(SeekFrom::Start(m.offset))?;
        Ok(std::io::BufReader::with_capacity(256 * 1024, f).take(m.size))
    }

    /// Streams member `name` from byte `offset` (read straight from the archive file).
    pub async fn open(&self, name: &str, offset: u64) -> Result<BlobStream> {
        let m = self.member(name)?;
        let mut f = tokio::fs::File::open(&self.path).await?;
        let start = m.offset + offset.min(m.size);
        f.seek(SeekFrom::Start(start)).await?;
        let r =
            tokio::io::BufReader::with_capacity(256 * 1024, f).take(m.size - offset.min(m.size));
        Ok(Box::pin(r))
    }
}

/// Writes a tar archive at `dest` holding `members` (archive name, file on disk) in order,
/// atomically: a temp file in `dest`'s directory, fsync'd, then renamed over `dest`. Headers
/// are deterministic (mode 0644, uid/gid 0, mtime 0). Blocking I/O, constant memory.
///
/// Errors: Other on I/O failure (`dest` is unchanged then).
pub fn write_tar(dest: &Path, members: &[(String, PathBuf)]) -> Result<()> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let ctx =
        |e: std::io::Error| Error::other(format!("cannot write archive {}: {e}", dest.display()));
    let tmp = tempfile::Builder::new()
        .prefix(".imgctl-archive-")
        .tempfile_in(&dir)
        .map_err(ctx)?;
    {
        let mut b = tar::Builder::new(BufWriter::with_capacity(1 << 20, tmp.as_file()));
        b.mode(tar::HeaderMode::Deterministic);
        for (name, file) in members {
            let f = File::open(file).map_err(ctx)?;
            let mut h = tar::Header::new_ustar();
            h.set_size(f.metadata().map_err(ctx)?.len());
            h.set_mode(0o644);
            h.set_mtime(0);
            h.set_uid(0);
            h.set_gid(0);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, name, f).map_err(ctx)?;
        }
        b.into_inner()
            .map_err(ctx)?
            .into_inner()
            .map_err(|e| ctx(e.into_error()))?;
    }
    tmp.as_file().sync_all().map_err(ctx)?;
    tmp.persist(dest).map_err(|e| ctx(e.error))?;
    Ok(())
}

/// A temp directory beside `dest` (same filesystem) for staging an archive's OCI layout.
pub fn staging_dir(dest: &Path) -> Result<tempfile::TempDir> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    tempfile::Builder::new()
        .prefix(".imgctl-stage-")
        .tempdir_in(&dir)
        .map_err(|e| {
            Error::from(e).context(format!(
                "cannot create a staging directory for {} in {}",
                dest.display(),
                dir.display()
            ))
        })
}

/// The files of the staged OCI layout at `root` to put in an archive: `oci-layout`,
/// `index.json`, then every blob (sorted), skipping imgctl's private directory.
pub fn layout_members(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = vec![
        ("oci-layout".to_string(), root.join("oci-layout")),
        ("index.json".to_string(), root.join("index.json")),
    ];
    let blobs = root.join("blobs");
    let mut found = Vec::new();
    for alg in std::fs::read_dir(&blobs)? {
        let alg = alg?;
        if !alg.file_type()?.is_dir() {
            continue;
        }
        let alg_name = alg.file_name().to_string_lossy().into_owned();
        for b in std::fs::read_dir(alg.path())? {
            let b = b?;
            if b.file_type()?.is_file() {
                let n = b.file_name().to_string_lossy().into_owned();
                found.push((format!("blobs/{alg_name}/{n}"), b.path()));
            }
        }
    }
    found.sort();
    out.extend(found);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links() {
        assert_eq!(resolve_relative("a/b", "../c").as_deref(), Some("a/c"));
        assert_eq!(resolve_relative("a", "../../c"), None);
        assert_eq!(resolve_relative("", "/etc/passwd"), None);
        assert_eq!(resolve_relative("", "x/./y").as_deref(), Some("x/y"));
    }
}
