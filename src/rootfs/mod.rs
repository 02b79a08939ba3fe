//! An image's root filesystem as a container sees it, read from layer blobs of any
//! [`ImageSource`] (OCI image spec, "Image Layer Filesystem Changeset"): layers are
//! decompressed by media type while streaming, their tar entries walked, and whiteouts
//! (`.wh.NAME`) and opaque directories (`.wh..wh..opq`) applied in layer order.
//!
//! [`export`] flattens an image into one tar with constant memory: it walks the layers from
//! the top down and keeps only the set of paths already decided (names, never contents).
//! [`files`] lists the flattened tree with the layer that wrote each path, or one layer's
//! changes; [`diff`] compares the trees of two images by content digest.

pub mod diff;
pub mod files;

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Component, Path};

use oci_spec::image::{Descriptor, ImageManifest};
use tokio_util::io::SyncIoBridge;

use crate::digest::VerifyingReader;
use crate::error::{Error, Result};
use crate::manifest::descriptor_digest;
use crate::transport::ImageSource;

const WHITEOUT_PREFIX: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..opq";

/// The decompressing reader for a layer of `media_type` over its raw bytes `raw`: gzip
/// (`…tar+gzip`, `…tar.gzip`, Docker's `…rootfs.diff.tar.gzip`), zstd (`…tar+zstd`) or none
/// (`…tar`).
///
/// Errors: Integrity for a media type that is not a layer this reader can decompress.
pub fn decompress<'a>(media_type: &str, raw: impl Read + 'a) -> Result<Box<dyn Read + 'a>> {
    if media_type.ends_with("+gzip") || media_type.ends_with(".gzip") {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(raw)))
    } else if media_type.ends_with("+zstd") {
        let d = zstd::stream::read::Decoder::new(raw)
            .map_err(|e| Error::integrity(format!("zstd layer: {e}")))?;
        Ok(Box::new(d))
    } else if media_type.ends_with(".tar") || media_type.ends_with("layer.v1.tar") {
        Ok(Box::new(raw))
    } else {
        Err(Error::integrity(format!(
            "layer media type {media_type} is not a tar layer (tar, tar+gzip, tar+zstd)"
        )))
    }
}

/// `name` (a tar member's path) as a clean relative path: leading `/` and `./` removed, `.`
/// components dropped, no trailing `/`; `""` for the root itself.
///
/// Errors: Integrity when a `..` component would leave the root.
pub fn clean_path(name: &str) -> Result<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in Path::new(name).components() {
        match c {
            Component::Normal(p) => parts
                .push(p.to_str().ok_or_else(|| {
                    Error::integrity(format!("layer path {name:?} is not UTF-8"))
                })?),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                return Err(Error::integrity(format!(
                    "layer path {name:?} escapes the root filesystem"
                )));
            }
        }
    }
    Ok(parts.join("/"))
}

/// What a whiteout member names: `Some((dir, None))` for an opaque marker of `dir`,
/// `Some((dir, Some(name)))` for a whiteout of `dir/name`, `None` for an ordinary member.
fn whiteout_of(path: &str) -> Option<(&str, Option<&str>)> {
    let (dir, base) = path.rsplit_once('/').unwrap_or(("", path));
    if base == OPAQUE {
        Some((dir, None))
    } else {
        base.strip_prefix(WHITEOUT_PREFIX).map(|n| (dir, Some(n)))
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Whether `path` or one of its ancestors is in `set` (`strict`: ancestors only).
fn under(set: &HashSet<String>, path: &str, strict: bool) -> bool {
    if !strict && set.contains(path) {
        return true;
    }
    let mut p = path;
    while let Some((parent, _)) = p.rsplit_once('/') {
        if set.contains(parent) {
            return true;
        }
        p = parent;
    }
    false
}

/// The top-down flattening state: names only.
#[derive(Default)]
struct Flatten {
    /// Paths already written (an upper layer decided them).
    decided: HashSet<String>,
    /// Paths whose whole subtree lower layers may not supply: whited out, or a non-directory
    /// an upper layer wrote.
    hidden: HashSet<String>,
    /// Directories an upper layer made opaque: lower layers supply none of their children.
    opaque: HashSet<String>,
    /// Hard links, written last so that their targets precede them: (header, path, target).
    links: Vec<(tar::Header, String, String)>,
}

/// A layer blob's bytes as a blocking reader, verified against `desc` (at its end: the
/// walkers read each layer to its end).
pub(crate) async fn raw_layer(
    src: &dyn ImageSource,
    desc: &Descriptor,
) -> Result<impl Read + Send + use<>> {
    let digest = descriptor_digest(desc)?;
    let stream = src.blob(desc, 0).await?;
    let verified = VerifyingReader::new(stream, digest, Some(desc.size()));
    Ok(SyncIoBridge::new(verified))
}

fn not_a_tar(layer: usize, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::InvalidData
        && let Some(inner) = e.get_ref()
        && let Some(err) = inner.downcast_ref::<Error>()
    {
        return Error::new(err.kind(), err.to_string()).context(format!("layer {layer}"));
    }
    Error::integrity(format!("layer {layer} is not a readable tar archive: {e}"))
}

/// What a layer entry is (tar entry types; device numbers are not kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file (also tar's old and contiguous file types).
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A hard link to another path of the same layer.
    Hardlink,
    /// A character device.
    Char,
    /// A block device.
    Block,
    /// A named pipe.
    Fifo,
}

impl FileKind {
    fn of(t: tar::EntryType) -> Option<FileKind> {
        use tar::EntryType as T;
        Some(match t {
            T::Regular | T::Continuous | T::GNUSparse => FileKind::File,
            T::Directory => FileKind::Dir,
            T::Symlink => FileKind::Symlink,
            T::Link => FileKind::Hardlink,
            T::Char => FileKind::Char,
            T::Block => FileKind::Block,
            T::Fifo => FileKind::Fifo,
            _ => return None,
        })
    }

    /// The word used in `files`/`diff` output: `file`, `dir`, `symlink`, `hardlink`, `char`,
    /// `block`, `fifo`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::File => "file",
            FileKind::Dir => "dir",
            FileKind::Symlink => "symlink",
            FileKind::Hardlink => "hardlink",
            FileKind::Char => "char",
            FileKind::Block => "block",
            FileKind::Fifo => "fifo",
        }
    }
}

/// One ordinary layer entry's metadata (never its bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// Clean relative path (`etc/motd`, see [`clean_path`]).
    pub path: String,
    /// What it is.
    pub kind: FileKind,
    /// Permission bits (`0o7777` mask: setuid, setgid, sticky kept).
    pub mode: u32,
    /// Owner uid.
    pub uid: u64,
    /// Owner gid.
    pub gid: u64,
    /// Size of the file's bytes in the layer (0 for everything but files).
    pub size: u64,
    /// Modification time, seconds since the Unix epoch.
    pub mtime: u64,
    /// A symlink's target as written, or a hard link's target as a clean path.
    pub link: Option<String>,
}

/// A classified member of a layer tar, as [`walk_layer`] hands it over.
pub enum Member<'a> {
    /// A whiteout `DIR/.wh.NAME`: `path` (`DIR/NAME`, clean) is deleted from the layers below.
    Whiteout {
        /// The deleted path.
        path: String,
    },
    /// An opaque marker `DIR/.wh..wh..opq`: the lower layers' children of `dir` are hidden.
    Opaque {
        /// The opaque directory (`""` for the root).
        dir: String,
    },
    /// An ordinary entry: its metadata, its raw tar header (for rewriting it) and its bytes.
    Entry {
        /// Metadata, paths checked.
        info: FileInfo,
        /// The tar header as read.
        header: &'a tar::Header,
        /// The entry's bytes (files only; unread bytes are skipped).
        data: &'a mut dyn Read,
    },
}

/// What one layer's tar held: sizes for the summaries of `files`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerStats {
    /// Bytes of the uncompressed tar (the whole stream, padding included).
    pub tar_bytes: u64,
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Walks layer `index` (`media_type`, compressed bytes `raw`) once, in tar order, calling `f`
/// with each member classified: whiteouts and opaque markers resolved to the paths they name,
/// every path and every hard-link target cleaned; symlink targets are kept as written (never
/// resolved nor refused: where they point is the container's business). The stream is read to its end (so that a verifying reader checks the digest).
/// Entries of other tar types (PAX/GNU metadata are consumed by the tar reader) are skipped.
///
/// Errors: Integrity for a layer that is not a tar of its media type, or whose member path or
/// hard-link target escapes the root (the message names layer `index`); `f`'s.
pub fn walk_layer(
    index: usize,
    media_type: &str,
    raw: impl Read,
    mut f: impl FnMut(Member<'_>) -> Result<()>,
) -> Result<LayerStats> {
    let ctx = |e: Error| e.context(format!("layer {index}"));
    let mut counted = Counting {
        inner: decompress(media_type, raw)?,
        count: 0,
    };
    {
        let mut archive = tar::Archive::new(&mut counted);
        for entry in archive.entries().map_err(|e| not_a_tar(index, e))? {
            let mut entry = entry.map_err(|e| not_a_tar(index, e))?;
            let raw_path = entry.path().map_err(|e| not_a_tar(index, e))?;
            let path = clean_path(&raw_path.to_string_lossy()).map_err(ctx)?;
            if path.is_empty() {
                continue;
            }
            if let Some((dir, name)) = whiteout_of(&path) {
                match name {
                    None => f(Member::Opaque {
                        dir: dir.to_string(),
                    })?,
                    Some(n) => f(Member::Whiteout {
                        path: clean_path(&join(dir, n)).map_err(ctx)?,
                    })?,
                }
                continue;
            }
            let header = entry.header().clone();
            let Some(kind) = FileKind::of(header.entry_type()) else {
                continue;
            };
            let link = if matches!(kind, FileKind::Hardlink | FileKind::Symlink) {
                let target = entry
                    .link_name()
                    .map_err(|e| not_a_tar(index, e))?
                    .ok_or_else(|| {
                        Error::integrity(format!("layer {index}: link {path} has no target"))
                    })?
                    .to_string_lossy()
                    .into_owned();
                // A hard link names another member: its target must stay inside. A symlink's
                // target is data, resolved by the container inside its own root (`..` at `/`
                // stays at `/`), so it is kept as written, like docker and crane export it.
                if kind == FileKind::Hardlink {
                    Some(clean_path(&target).map_err(ctx)?)
                } else {
                    Some(target)
                }
            } else {
                None
            };
            let info = FileInfo {
                path,
                kind,
                mode: header.mode().unwrap_or(0) & 0o7777,
                uid: entry.header().uid().unwrap_or(0),
                gid: entry.header().gid().unwrap_or(0),
                size: if kind == FileKind::File {
                    entry.size()
                } else {
                    0
                },
                mtime: header.mtime().unwrap_or(0),
                link,
            };
            f(Member::Entry {
                info,
                header: &header,
                data: &mut entry,
            })?;
        }
    }
    // What follows the end-of-archive blocks: padding, then the end of the stream.
    std::io::copy(&mut counted, &mut std::io::sink()).map_err(|e| not_a_tar(index, e))?;
    Ok(LayerStats {
        tar_bytes: counted.count,
    })
}

/// Walks layer `index` (`media_type`, bytes `raw`) into `out`, skipping what upper layers
/// decided, and records this layer's names for the layers below.
fn flatten_layer<W: Write>(
    st: &mut Flatten,
    out: &mut tar::Builder<W>,
    index: usize,
    media_type: &str,
    raw: impl Read,
) -> Result<()> {
    // This layer's own whiteouts and opaque markers apply to the layers below only.
    let mut new_hidden = Vec::new();
    let mut new_opaque = Vec::new();
    let mut new_decided = Vec::new();
    walk_layer(index, media_type, raw, |m| {
        let (info, header, data) = match m {
            Member::Whiteout { path } => {
                new_hidden.push(path);
                return Ok(());
            }
            Member::Opaque { dir } => {
                new_opaque.push(dir);
                return Ok(());
            }
            Member::Entry { info, header, data } => (info, header, data),
        };
        let path = info.path;
        if st.decided.contains(&path)
            || under(&st.hidden, &path, false)
            || under(&st.opaque, &path, true)
        {
            return Ok(());
        }
        let mut header = header.clone();
        match (info.kind, info.link) {
            (FileKind::Hardlink, Some(t)) => st.links.push((header, path.clone(), t)),
            (FileKind::Symlink, Some(t)) => out.append_link(&mut header, &path, &t)?,
            _ => out.append_data(&mut header, &path, data)?,
        }
        if info.kind != FileKind::Dir {
            new_hidden.push(path.clone());
        }
        new_decided.push(path);
        Ok(())
    })?;
    st.decided.extend(new_decided);
    st.hidden.extend(new_hidden);
    st.opaque.extend(new_opaque);
    Ok(())
}

/// Writes the flattened root filesystem of image `manifest` (its layers read from `src`) to
/// `out` as one tar: every path as the topmost layer wrote it, whiteouts applied and not
/// written, hard links after the files they name. Memory holds path names only.
///
/// Errors: Integrity for a layer that is not a tar (or not of its media type), or whose member
/// path or hard-link target escapes the root; the source's errors; I/O errors of `out`.
pub async fn export<W: Write + Send + 'static>(
    src: &dyn ImageSource,
    manifest: &ImageManifest,
    out: W,
) -> Result<W> {
    let mut st = Flatten::default();
    let mut builder = tar::Builder::new(out);
    for (index, desc) in manifest.layers().iter().enumerate().rev() {
        let raw = raw_layer(src, desc).await?;
        let media_type = desc.media_type().to_string();
        (st, builder) = tokio::task::spawn_blocking(move || {
            flatten_layer(&mut st, &mut builder, index, &media_type, raw).map(|()| (st, builder))
        })
        .await
        .map_err(|e| Error::other(format!("export worker: {e}")))??;
    }
    tokio::task::spawn_blocking(move || {
        for (mut header, path, target) in std::mem::take(&mut st.links) {
            // A link whose target no layer left in place is dropped with the target.
            if st.decided.contains(&target) && !under(&st.hidden, &target, true) {
                builder.append_link(&mut header, &path, &target)?;
            }
        }
        Ok(builder.into_inner()?)
    })
    .await
    .map_err(|e| Error::other(format!("export worker: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_cleaned_and_escapes_refused() {
        assert_eq!(clean_path("./usr/bin/").unwrap(), "usr/bin");
        assert_eq!(clean_path("/etc/passwd").unwrap(), "etc/passwd");
        assert_eq!(clean_path("./").unwrap(), "");
        let e = clean_path("a/../../etc").unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::Integrity);
    }

    #[test]
    fn symlink_targets_are_data_but_escaping_paths_and_hard_links_are_refused() {
        use crate::layer::input::raw_member_tar;
        use tar::EntryType as T;
        const MT: &str = "application/vnd.oci.image.layer.v1.tar";
        // Relative targets above `/` and absolute ones: kept as written.
        for target in ["../../ux.txt", "../../../host-etc/passwd", "/etc/shadow"] {
            let mut seen = Vec::new();
            walk_layer(
                0,
                MT,
                &raw_member_tar(T::Symlink, "x/outlink", target)[..],
                |m| {
                    if let Member::Entry { info, .. } = m {
                        seen.push((info.path, info.kind, info.link));
                    }
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(
                seen,
                [("x/outlink".into(), FileKind::Symlink, Some(target.into()))]
            );
        }
        // A member path or a hard-link target leaving the root: refused, naming the layer.
        for (kind, name, target) in [
            (T::Regular, "../etc/cron.d/x", ""),
            (T::Symlink, "a/../../x", "y"),
            (T::Link, "etc/l", "../../etc/shadow"),
        ] {
            let e =
                walk_layer(3, MT, &raw_member_tar(kind, name, target)[..], |_| Ok(())).unwrap_err();
            assert_eq!(e.kind(), crate::error::ErrorKind::Integrity, "{name}");
            let msg = e.to_string();
            assert!(
                msg.contains("escapes the root") && msg.contains("layer 3"),
                "{msg}"
            );
        }
    }

    #[test]
    fn whiteouts_are_recognised() {
        assert_eq!(whiteout_of("etc/.wh.passwd"), Some(("etc", Some("passwd"))));
        assert_eq!(whiteout_of("var/.wh..wh..opq"), Some(("var", None)));
        assert_eq!(whiteout_of(".wh.x"), Some(("", Some("x"))));
        assert_eq!(whiteout_of("etc/passwd"), None);
    }

    #[test]
    fn an_unknown_media_type_is_refused() {
        assert!(decompress("application/vnd.oci.image.config.v1+json", &b""[..]).is_err());
    }
}
