//! Tar plumbing shared by the `oci-archive:` and `docker-archive:` transports.
//!
//! Reading never unpacks: [`TarIndex::scan`] walks the member headers once and records where
//! each regular file's bytes start in the archive file, so a blob is served by seeking into the
//! archive (constant memory, no temp copy). The scan is also the safety check: a member whose
//! name is absolute or climbs out with `..`, or a symlink/hardlink whose target leaves the
//! archive, makes the whole archive refused (Integrity) — nothing is ever written from it.
//!
//! Writing goes through an [`ArchiveTarget`]: the image is staged in an OCI layout (a
//! directory beside the file, kept across interrupted runs so they resume: see
//! [`super::stage`]), then tarred. A regular file (or a new path, or a symlink to either) is
//! written atomically — a temp archive in the staging directory, renamed over the file — so a
//! failed copy never leaves a half-written archive; a stream (`/dev/stdout`, a FIFO,
//! `/dev/null`) is written straight into and never replaced.

use std::collections::HashMap;
use std::fs::{File, Metadata, OpenOptions, Permissions};
use std::io::{BufWriter, IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::BlobStream;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::store::Layout;

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

/// Where an archive is written, decided by [`ArchiveTarget::resolve`] from what its path names,
/// as `docker save -o` and skopeo decide:
///
/// - **a regular file**, a path that does not exist yet, or a symlink to either: written
///   atomically — a temp archive in the staging directory beside the file the path resolves
///   to, fsync'd, renamed over it. A symlink stays a symlink and the file it points at gets the archive. A replaced file
///   keeps its mode; a new one gets 0666 minus the umask, like any tool's output.
/// - **anything else that exists** — a character device (`/dev/null`), a FIFO, a socket — and
///   **this process's stdout** (`/dev/stdout`, `/proc/self/fd/1`, `save -o -`), whatever it
///   is: written straight into, never replaced. No atomicity is possible there: a failed copy
///   may have written part of an archive into the stream.
///
/// The image is staged in an OCI layout before the tar is written: beside the file, or for a
/// stream in the local store (a directory on disk, like the file's); see
/// [`ArchiveTarget::stage_location`] and [`super::stage`].
#[derive(Debug)]
pub struct ArchiveTarget {
    /// The path as given (for messages).
    path: PathBuf,
    kind: TargetKind,
}

#[derive(Debug)]
enum TargetKind {
    /// Staged beside `file` (the path with its symlinks followed) and renamed over it.
    File {
        file: PathBuf,
        /// The mode of the file replaced, kept on the new one; `None` for a new file.
        permissions: Option<Permissions>,
    },
    /// Written into. `file` is opened by [`ArchiveTarget::resolve`], except a FIFO's: opening
    /// one waits for a reader, so that happens when the archive is written.
    Stream {
        file: Mutex<Option<File>>,
        stdout: bool,
    },
}

/// The error for an archive refused on a terminal.
fn terminal_error(shown: &str) -> Error {
    Error::usage(format!(
        "refusing to write an archive to a terminal ({shown})"
    ))
    .with_hint(
        "redirect stdout to a file or a pipe (… > app.tar, … | imgctl load -i -), or name a file",
    )
}

/// This process's stdout as a file of its own (a duplicate of fd 1).
fn stdout_file() -> std::io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        Ok(File::from(std::io::stdout().as_fd().try_clone_to_owned()?))
    }
    #[cfg(windows)]
    {
        use std::os::windows::io::AsHandle;
        Ok(File::from(
            std::io::stdout().as_handle().try_clone_to_owned()?,
        ))
    }
    #[cfg(not(any(unix, windows)))]
    Err(std::io::Error::other(
        "stdout cannot be duplicated on this platform",
    ))
}

/// Whether `a` and `b` describe the same file (device and inode; never on non-Unix).
fn same_inode(a: &Metadata, b: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// Whether `path` names this process's stdout (the same device and inode as fd 1, following
/// symlinks: `/dev/stdout`, `/proc/self/fd/1`, or the file stdout was redirected to). Used to
/// send results to stderr when the archive takes stdout. False when either cannot be stat'ed.
pub fn is_stdout(path: &Path) -> bool {
    match (
        std::fs::metadata(path),
        stdout_file().and_then(|f| f.metadata()),
    ) {
        (Ok(a), Ok(b)) => same_inode(&a, &b),
        _ => false,
    }
}

/// Follows the symlinks `path` itself is (not those of its directories) to the path they end
/// at, which may not exist. Errors (Usage) after 40 links, as the kernel's ELOOP.
fn follow_links(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&p).map_err(|e| {
                    Error::from(e).context(format!("cannot read symlink {}", p.display()))
                })?;
                p = match p.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(Error::usage(format!(
        "cannot write {}: too many levels of symbolic links",
        path.display()
    )))
}

/// The directory `file` is in (`.` for a bare name).
fn dir_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl ArchiveTarget {
    /// Decides how an archive is written at `path` (see [`ArchiveTarget`]); opens a stream
    /// now, except a FIFO (opened when the archive is written: that waits for a reader).
    ///
    /// Errors (Usage, naming `path`): a directory; a directory on the way that does not exist
    /// or is not a directory; a terminal; a symlink loop. Other when a stream cannot be opened
    /// for writing (a socket, permissions).
    pub fn resolve(path: &Path) -> Result<ArchiveTarget> {
        let shown = path.display().to_string();
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A new file, or a dangling symlink: created where the links end.
                let file = follow_links(path)?;
                let dir = dir_of(&file);
                return match std::fs::metadata(&dir) {
                    Ok(d) if d.is_dir() => Ok(ArchiveTarget {
                        path: path.to_path_buf(),
                        kind: TargetKind::File {
                            file,
                            permissions: None,
                        },
                    }),
                    Ok(_) => Err(Error::usage(format!(
                        "cannot write {shown}: {} is not a directory",
                        dir.display()
                    ))),
                    Err(_) => Err(Error::usage(format!(
                        "cannot write {shown}: directory {} does not exist",
                        dir.display()
                    ))
                    .with_hint("create it first, or name a file in an existing directory")),
                };
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
                return Err(Error::usage(format!(
                    "cannot write {shown}: {} is not a directory",
                    dir_of(path).display()
                )));
            }
            Err(e) => return Err(Error::from(e).context(format!("cannot write {shown}"))),
        };
        if is_stdout(path) {
            return Self::stdout_as(path);
        }
        if meta.is_dir() {
            return Err(
                Error::usage(format!("{shown} is a directory, not an archive file")).with_hint(
                    "name a file (e.g. DIR/app.tar), or write an OCI image layout directory with oci:DIR",
                ),
            );
        }
        if meta.is_file() {
            let file = follow_links(path)?;
            // A path the links end at that names another file (a magic link such as
            // /proc/self/fd/N to a deleted file) cannot be renamed over: write in place then.
            if std::fs::metadata(&file).is_ok_and(|m| same_inode(&m, &meta)) || cfg!(not(unix)) {
                return Ok(ArchiveTarget {
                    path: path.to_path_buf(),
                    kind: TargetKind::File {
                        file,
                        permissions: Some(meta.permissions()),
                    },
                });
            }
        }
        #[cfg(unix)]
        if std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type()) {
            return Ok(ArchiveTarget {
                path: path.to_path_buf(),
                kind: TargetKind::Stream {
                    file: Mutex::new(None),
                    stdout: false,
                },
            });
        }
        let file = Self::open_stream(path, meta.is_file())?;
        Ok(ArchiveTarget {
            path: path.to_path_buf(),
            kind: TargetKind::Stream {
                file: Mutex::new(Some(file)),
                stdout: false,
            },
        })
    }

    /// This process's stdout (`save -o -`).
    ///
    /// Errors: Usage when stdout is a terminal; Other when it cannot be duplicated.
    pub fn stdout() -> Result<ArchiveTarget> {
        Self::stdout_as(Path::new("stdout"))
    }

    fn stdout_as(path: &Path) -> Result<ArchiveTarget> {
        if std::io::stdout().is_terminal() {
            return Err(terminal_error(&path.display().to_string()));
        }
        let file = stdout_file().map_err(|e| Error::other(format!("cannot use stdout: {e}")))?;
        Ok(ArchiveTarget {
            path: path.to_path_buf(),
            kind: TargetKind::Stream {
                file: Mutex::new(Some(file)),
                stdout: true,
            },
        })
    }

    /// Opens a stream for writing (no create; `truncate` for a regular file). Errors: Other
    /// when it cannot be opened, Usage when it is a terminal.
    fn open_stream(path: &Path, truncate: bool) -> Result<File> {
        let file = OpenOptions::new()
            .write(true)
            .truncate(truncate)
            .open(path)
            .map_err(|e| {
                Error::other(format!("cannot open {} for writing: {e}", path.display()))
            })?;
        if file.is_terminal() {
            return Err(terminal_error(&path.display().to_string()));
        }
        Ok(file)
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the archive goes to this process's stdout (results then go to stderr).
    pub fn is_stdout(&self) -> bool {
        matches!(self.kind, TargetKind::Stream { stdout: true, .. })
    }

    /// Whether the archive is written into a stream (no staging beside it, no atomicity).
    pub fn is_stream(&self) -> bool {
        matches!(self.kind, TargetKind::Stream { .. })
    }

    /// Where the archive's OCI layout is staged: the directory and the name of the staging
    /// directory in it, the same on every run for the same target, so an interrupted copy
    /// (Ctrl-C, kill -9, a network failure) is resumed by the next one from the partial
    /// downloads it kept (see [`super::stage`]).
    ///
    /// - a file: `.imgctl-stage-<key>` beside the file the path resolves to (same filesystem,
    ///   so the finished archive is renamed into place), where `<key>` is the first 16 hex
    ///   digits of the sha256 of that file's name. The directory is already given by where
    ///   the stage is, so the name alone tells targets apart; it stays the same whichever path
    ///   (relative, absolute, through a symlink or a bind mount) reaches the file, and a hash
    ///   keeps the name short and plain whatever the file is called.
    /// - a stream: `.imgctl-stream-<key>` in `store` (the local store, created when missing),
    ///   keyed by the stream's canonical path, or by `stdout` for this process's stdout.
    ///
    /// Errors: as [`crate::store::Layout::open_or_create`] for the store.
    pub fn stage_location(&self, store: &Path) -> Result<(PathBuf, String)> {
        let key = |bytes: &[u8]| Digest::sha256_of(bytes).hex()[..16].to_string();
        Ok(match &self.kind {
            TargetKind::File { file, .. } => {
                let name = file.file_name().unwrap_or(file.as_os_str());
                (
                    dir_of(file),
                    format!(".imgctl-stage-{}", key(name.as_encoded_bytes())),
                )
            }
            TargetKind::Stream { stdout, .. } => {
                crate::store::Layout::open_or_create(store)?;
                let id = if *stdout {
                    "stdout".into()
                } else {
                    std::fs::canonicalize(&self.path).unwrap_or_else(|_| self.path.clone())
                };
                (
                    store.to_path_buf(),
                    format!(".imgctl-stream-{}", key(id.as_os_str().as_encoded_bytes())),
                )
            }
        })
    }

    /// Writes a tar archive holding `members` (archive name, content) in order. Headers are
    /// deterministic (mode 0644, directories 0755, uid/gid 0, mtime 0). Blocking I/O, constant memory; a FIFO is
    /// opened here, waiting for its reader. A file target is written to a temp file in
    /// `stage` (the staging layout, beside the file), fsync'd and renamed over the file.
    /// Called once.
    ///
    /// Errors: Other on I/O failure, naming the path as given (a file is unchanged then; a
    /// stream may have received part of the archive).
    pub fn write(&self, members: &[(String, MemberData)], stage: &Layout) -> Result<()> {
        let ctx = |e: std::io::Error| {
            Error::other(format!("cannot write archive {}: {e}", self.path.display()))
        };
        match &self.kind {
            TargetKind::File { file, permissions } => {
                let tmp = stage.temp_file("archive-").map_err(|e| {
                    Error::other(format!("cannot write archive {}: {e}", self.path.display()))
                })?;
                if let Some(p) = permissions {
                    tmp.as_file().set_permissions(p.clone()).map_err(ctx)?;
                }
                tar_into(tmp.as_file(), members).map_err(ctx)?;
                tmp.as_file().sync_all().map_err(ctx)?;
                tmp.persist(file).map_err(|e| ctx(e.error))?;
                Ok(())
            }
            TargetKind::Stream { file, .. } => {
                let taken = file.lock().expect("archive stream lock").take();
                let out = match taken {
                    Some(f) => f,
                    None => Self::open_stream(&self.path, false)?,
                };
                tar_into(&out, members).map_err(ctx)?;
                Ok(())
            }
        }
    }
}

/// The content of an archive member.
#[derive(Debug, Clone)]
pub enum MemberData {
    /// A file on disk (a blob of the staging layout), streamed.
    File(PathBuf),
    /// Bytes built in memory (`oci-layout`, `index.json`, `manifest.json`).
    Bytes(Vec<u8>),
    /// A directory entry (mode 0755, no content); its name should end in `/`.
    Dir,
}

/// Streams `members` as a tar archive into `out` and flushes it.
fn tar_into(out: impl Write, members: &[(String, MemberData)]) -> std::io::Result<()> {
    let mut b = tar::Builder::new(BufWriter::with_capacity(1 << 20, out));
    b.mode(tar::HeaderMode::Deterministic);
    for (name, member) in members {
        let mut h = tar::Header::new_ustar();
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_uid(0);
        h.set_gid(0);
        h.set_entry_type(tar::EntryType::Regular);
        match member {
            MemberData::File(path) => {
                let f = File::open(path)?;
                h.set_size(f.metadata()?.len());
                b.append_data(&mut h, name, f)?;
            }
            MemberData::Bytes(bytes) => {
                h.set_size(bytes.len() as u64);
                b.append_data(&mut h, name, bytes.as_slice())?;
            }
            MemberData::Dir => {
                h.set_mode(0o755);
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
                b.append_data(&mut h, name, std::io::empty())?;
            }
        }
    }
    let mut w = b.into_inner()?;
    w.flush()
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
