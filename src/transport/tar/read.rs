//! Reading a tar archive in place.
//!
//! Reading never unpacks: [`TarIndex::scan`] walks the member headers once and records where
//! each regular file's bytes start in the archive file, so a blob is served by seeking into the
//! archive (constant memory, no temp copy). The scan is also the safety check: a member whose
//! name is absolute or climbs out with `..`, or a symlink/hardlink whose target leaves the
//! archive, makes the whole archive refused (Integrity) — nothing is ever written from it.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::blob::BlobStream;
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
    /// How messages name the archive (its path, or e.g. `stdin` for a spooled copy).
    name: String,
    files: HashMap<String, Member>,
}

/// Normalises a member name to `a/b/c`. Errors (Integrity) on an absolute name or one that
/// climbs with `..`.
fn normalise(name: &Path, archive: &str) -> Result<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in name.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str().ok_or_else(|| {
                Error::integrity(format!(
                    "archive {archive} has a member name that is not UTF-8"
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

fn escape_error(archive: &str, what: &str) -> Error {
    Error::integrity(format!(
        "archive {archive} refused: member {what:?} points outside the archive (absolute path, `..` or an escaping link)"
    ))
    .with_hint("the archive is malformed or malicious; nothing was extracted from it")
}

/// Whether `block` (a file's first 512 bytes) is a tar header: its checksum field matches the
/// sum of its bytes (the checksum field counted as spaces), as every tar writer computes it.
fn looks_like_tar_header(block: &[u8]) -> bool {
    if block.len() < 512 {
        return false;
    }
    let field = &block[148..156];
    let digits: String = field
        .iter()
        .map(|&b| b as char)
        .filter(|c| ('0'..='7').contains(c))
        .collect();
    let Ok(want) = u32::from_str_radix(&digits, 8) else {
        return false;
    };
    let sum: u32 = block[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                b' ' as u32
            } else {
                b as u32
            }
        })
        .sum();
    sum == want
}

/// What a file that is no tar looks like, from its first bytes, for messages that must not
/// quote them: "JSON", "text", "gzip data", "a ZIP archive", "binary data", …
pub fn describe_content(head: &[u8]) -> &'static str {
    let trimmed = head.trim_ascii_start();
    let magic: [(&[u8], &'static str); 8] = [
        (&[0x1f, 0x8b], "gzip data"),
        (&[0x28, 0xb5, 0x2f, 0xfd], "zstd data"),
        (b"BZh", "bzip2 data"),
        (&[0xfd, b'7', b'z', b'X', b'Z', 0], "xz data"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x7fELF", "an ELF executable"),
        (b"%PDF", "a PDF document"),
        (b"-----BEGIN ", "PEM data (a key or certificate)"),
    ];
    if head.is_empty() {
        return "an empty file";
    }
    if let Some((_, what)) = magic.iter().find(|(m, _)| head.starts_with(m)) {
        return what;
    }
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        // a multi-byte character cut at the end of the block is still text
        Err(e) => e.error_len().is_none(),
    } && !head.contains(&0);
    if !text {
        return "binary data";
    }
    if trimmed.starts_with(b"{") || trimmed.starts_with(b"[") {
        "JSON"
    } else if trimmed.starts_with(b"<") {
        "XML or HTML"
    } else if trimmed.starts_with(b"#!") {
        "a script"
    } else {
        "text"
    }
}

/// Why JSON read from an archive member did not parse, without quoting it (serde's messages
/// quote the values they refuse): "is not valid JSON (line L, column C)" or "does not have
/// the expected fields (line L, column C)".
pub fn json_error(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Data => "does not have the expected fields",
        serde_json::error::Category::Eof => "ends early",
        _ => "is not valid JSON",
    };
    format!("{what} (line {}, column {})", e.line(), e.column())
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
    /// Scans the tar archive at `path` (blocking I/O); messages name it by its path.
    ///
    /// Errors: NotFound when the file is missing; Usage when it is a directory (with a hint to
    /// `oci:DIR` when it is an OCI image layout) or compressed (gzip, zstd, bzip2, xz:
    /// decompress it first); Integrity when it is not a tar archive, a member escapes the
    /// archive, or a member is sparse or truncated.
    pub fn scan(path: &Path) -> Result<TarIndex> {
        Self::scan_as(path, &path.display().to_string())
    }

    /// [`TarIndex::scan`], naming the archive `name` in messages (`stdin` for an archive
    /// spooled from stdin into a temp file, whose path means nothing to the user).
    pub fn scan_as(path: &Path, shown: &str) -> Result<TarIndex> {
        let meta = std::fs::metadata(path)
            .map_err(|e| Error::from(e).context(format!("cannot open archive {shown}")))?;
        if meta.is_dir() {
            let e = Error::usage(format!("{shown} is a directory, not an archive file"));
            return Err(if path.join("oci-layout").is_file() {
                e.with_hint(format!(
                    "{shown} is an OCI image layout: name it oci:{shown} (oci:DIR[:TAG])"
                ))
            } else {
                e
            });
        }
        let mut file = File::open(path)
            .map_err(|e| Error::from(e).context(format!("cannot open archive {shown}")))?;
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
                "archive {shown} is {c}-compressed; imgctl reads plain tar archives"
            ))
            .with_hint("decompress it first, e.g. `gunzip -k FILE` or `zstd -d FILE`"));
        }
        // The first block says what the file is when it is no tar: never its bytes (a
        // config.json holds credentials), only a description.
        file.seek(SeekFrom::Start(0))?;
        let mut head = Vec::with_capacity(512);
        (&mut file).take(512).read_to_end(&mut head)?;
        let not_tar = || {
            Error::integrity(format!(
                "{shown} is not a {}tar archive: it looks like {} ({len} bytes)",
                if len < 512 { "" } else { "valid " },
                describe_content(&head)
            ))
            .with_hint("docker-archive: and oci-archive: read tar files, as docker save, skopeo and imgctl write them")
        };
        if len < 512 || !looks_like_tar_header(&head) {
            return Err(not_tar());
        }
        file.seek(SeekFrom::Start(0))?;
        // The tar reader quotes the header bytes it could not parse, which may be any file's
        // content: its message is never shown. Say where the archive broke instead.
        let mut next_header = 0u64;
        let mut last_member: Option<String> = None;
        let bad = |_e: std::io::Error, at: u64, after: &Option<String>| {
            Error::integrity(match after {
                Some(m) => format!(
                    "{shown} is not a valid tar archive: the member header at byte {at} (after member {m}) is corrupt"
                ),
                None => format!(
                    "{shown} is not a valid tar archive: its first member header is corrupt"
                ),
            })
        };
        let mut files: HashMap<String, Member> = HashMap::new();
        let mut links: HashMap<String, String> = HashMap::new();
        let mut archive = tar::Archive::new(file);
        let entries = archive.entries_with_seek().map_err(|e| bad(e, 0, &None))?;
        for entry in entries {
            let entry = entry.map_err(|e| bad(e, next_header, &last_member))?;
            let bad = |e: std::io::Error| bad(e, entry.raw_header_position(), &last_member);
            next_header = (entry.raw_file_position() + entry.size()).div_ceil(512) * 512;
            let raw_name = entry.path().map_err(bad)?.into_owned();
            let name = normalise(&raw_name, shown)?;
            let name_for_messages = name.clone();
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
                            "archive {shown} is truncated: member {name} ends past the end of the file"
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
                        .ok_or_else(|| escape_error(shown, &format!("{name} -> {target}")))?;
                    files.remove(&name);
                    links.insert(name, resolved);
                }
                T::GNUSparse => {
                    return Err(Error::integrity(format!(
                        "archive {shown}: sparse member {name} is not supported"
                    )));
                }
                // Directories, pax/GNU metadata, devices, FIFOs: nothing to serve.
                _ => {}
            }
            last_member = Some(name_for_messages);
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
            name: shown.to_string(),
            files,
        })
    }

    /// [`TarIndex::scan_as`] on a blocking thread.
    pub async fn scan_async(path: PathBuf, shown: String) -> Result<Arc<TarIndex>> {
        tokio::task::spawn_blocking(move || TarIndex::scan_as(&path, &shown).map(Arc::new))
            .await
            .map_err(|e| Error::other(format!("archive scan failed: {e}")))?
    }

    /// The archive file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How messages name the archive: its path, or the name given to [`TarIndex::scan_as`].
    pub fn name(&self) -> &str {
        &self.name
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
            Error::not_found(format!("{name} is not present in archive {}", self.name))
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
                self.name, m.size
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

    #[test]
    fn non_tar_files_are_described_by_kind() {
        for (head, want) in [
            (&b"  {\"auths\": {}}"[..], "JSON"),
            (b"[1, 2]", "JSON"),
            (b"root:x:0:0:root:/root:/bin/bash\n", "text"),
            (b"#!/bin/sh\necho hi\n", "a script"),
            (b"<?xml version=\"1.0\"?>", "XML or HTML"),
            (
                b"-----BEGIN PRIVATE KEY-----\n",
                "PEM data (a key or certificate)",
            ),
            (b"PK\x03\x04rest", "a ZIP archive"),
            (b"\x7fELF\x02\x01", "an ELF executable"),
            (b"\x00\x01\x02\xff", "binary data"),
            (b"caf\xc3", "text"), // a character cut at the end of the block
            (b"", "an empty file"),
        ] {
            assert_eq!(describe_content(head), want, "{head:?}");
        }
        // A real tar header passes the checksum test; the same block altered does not.
        let mut h = tar::Header::new_ustar();
        h.set_path("a").unwrap();
        h.set_size(1);
        h.set_cksum();
        let mut block = h.as_bytes().to_vec();
        assert!(looks_like_tar_header(&block));
        block[0] = b'b';
        assert!(!looks_like_tar_header(&block));
        assert!(!looks_like_tar_header(&[b'x'; 512]));
    }
}
