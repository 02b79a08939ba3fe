//! The deterministic layer writer: entries sorted by path, ustar headers (PAX records for long
//! names and large ids), gzip-compressed and streamed to a temp file while the compressed digest
//! and size and the diff_id (sha256 of the uncompressed tar) are computed in the same pass.
//!
//! Compression is flate2 on zlib-rs through [`super::gzip::GzipWriter`], one level per file:
//! a file whose first 64 KiB do not compress is stored (deflate's uncompressed blocks, at
//! memory speed), the rest is compressed at the default level. Published applications are
//! mostly such files (assemblies, images, fonts, archives), so this beats parallel gzip on
//! this project's 2-core machines without its extra dependency.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;

use super::gzip::{GzipWriter, SAMPLE_BYTES, looks_incompressible};

use crate::digest::{Algorithm, Digest, Hasher};
use crate::error::{Error, Result};

/// What an [`Entry`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file whose bytes are read from `source` while packing (never held in memory).
    File {
        /// The file on disk.
        source: PathBuf,
    },
    /// A directory.
    Dir,
    /// A symbolic link to `target` (stored as is, not followed).
    Symlink {
        /// The link's target text.
        target: String,
    },
    /// A hard link to another entry of the same layer, named by its in-layer path.
    Hardlink {
        /// In-layer path (relative, `/`-separated) of the file this links to; it must sort
        /// before this entry, which [`pack`] checks.
        target: String,
    },
}

/// One entry of a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// In-layer path: relative, `/`-separated, clean, no leading `/` (`usr/bin/tool`).
    pub path: String,
    /// File, directory or link.
    pub kind: EntryKind,
    /// Permission bits (`0o7777` mask: setuid/setgid/sticky kept).
    pub mode: u32,
    /// Owner uid.
    pub uid: u64,
    /// Owner gid.
    pub gid: u64,
    /// Modification time, seconds since the Unix epoch (clamped by [`pack`] when
    /// [`PackOptions::source_date_epoch`] is set).
    pub mtime: u64,
}

/// A numeric owner as given to `--chown UID[:GID]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    /// User id.
    pub uid: u64,
    /// Group id.
    pub gid: u64,
}

impl Owner {
    /// Parses `UID` or `UID:GID` (numeric; a bare `UID` means gid = uid, as docker does).
    /// Names (`app:app`) are refused with a usage error: resolving them against the base image's
    /// /etc/passwd and /etc/group is not supported.
    pub fn parse(s: &str) -> Result<Owner> {
        let (u, g) = s.split_once(':').unwrap_or((s, s));
        let num = |x: &str| x.parse::<u64>().ok();
        match (num(u), num(g)) {
            (Some(uid), Some(gid)) => Ok(Owner { uid, gid }),
            _ => Err(Error::usage(format!(
                "--chown {s:?}: only numeric UID[:GID] is supported (user and group names are \
                 not resolved against the image's /etc/passwd)"
            ))),
        }
    }
}

/// Parses a `--chmod` value: octal permission bits (`755`, `0644`, `4755`). Errors (usage) on
/// anything else (symbolic modes such as `u+x` are not supported).
pub fn parse_chmod(s: &str) -> Result<u32> {
    u32::from_str_radix(s, 8)
        .ok()
        .filter(|m| *m <= 0o7777 && !s.is_empty())
        .ok_or_else(|| Error::usage(format!("--chmod {s:?}: expected octal permission bits")))
}

/// How [`pack`] and the copy planner rewrite entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackOptions {
    /// `--chown`: owner of every copied entry and created parent directory (default 0:0).
    pub chown: Option<Owner>,
    /// `--chmod`: permission bits of every copied file and directory (not of created parents).
    pub chmod: Option<u32>,
    /// SOURCE_DATE_EPOCH (seconds): mtimes later than it are clamped to it, and created parent
    /// directories get it as their mtime (else the current time).
    pub source_date_epoch: Option<u64>,
}

impl PackOptions {
    /// Options with `source_date_epoch` read from the SOURCE_DATE_EPOCH environment variable.
    /// Errors (usage) when it is set but not a non-negative integer.
    pub fn from_env() -> Result<PackOptions> {
        let source_date_epoch = match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) if !v.is_empty() => Some(v.trim().parse::<u64>().map_err(|_| {
                Error::usage(format!(
                    "SOURCE_DATE_EPOCH={v:?} is not a number of seconds"
                ))
            })?),
            _ => None,
        };
        Ok(PackOptions {
            source_date_epoch,
            ..PackOptions::default()
        })
    }

    /// The mtime of directories the packer creates itself.
    pub(crate) fn created_mtime(&self) -> u64 {
        self.source_date_epoch.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        })
    }
}

/// A packed layer: the gzip blob in a temp file and its descriptors.
#[derive(Debug)]
pub struct PackedLayer {
    /// The compressed tar (`application/vnd.oci.image.layer.v1.tar+gzip`); deleted when dropped
    /// unless persisted.
    pub file: tempfile::NamedTempFile,
    /// sha256 of the compressed bytes (the layer descriptor's digest).
    pub digest: Digest,
    /// Size of the compressed bytes.
    pub size: u64,
    /// sha256 of the uncompressed tar (the config's `rootfs.diff_ids` entry).
    pub diff_id: Digest,
}

/// A writer that hashes (sha256) and counts what passes through.
pub(crate) struct Tee<W> {
    pub(crate) inner: W,
    pub(crate) hasher: Hasher,
    pub(crate) count: u64,
}

impl<W> Tee<W> {
    /// A sha256 tee in front of `inner`.
    pub(crate) fn new(inner: W) -> Tee<W> {
        Tee {
            inner,
            hasher: Hasher::new(Algorithm::Sha256),
            count: 0,
        }
    }
}

impl<W: Write> Write for Tee<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn io_err(what: &str) -> impl Fn(io::Error) -> Error + '_ {
    move |e| Error::other(format!("{what}: {e}"))
}

/// Packs `entries` into a gzip layer in a temp file under `temp_dir`.
///
/// Entries are sorted by path; missing parent directories are added (mode 0755, owner from
/// `opts.chown`, mtime [`PackOptions::created_mtime`]) as docker does; mtimes are clamped to
/// `opts.source_date_epoch`. `chown`/`chmod` are NOT applied here (the copy planner applies
/// them to what it copies), so callers with their own entries keep full control.
/// Errors: a duplicate path or a bad path (usage); a hard link to an entry not before it
/// (usage); a source file unreadable or changing size while packed (other).
pub fn pack(entries: Vec<Entry>, opts: &PackOptions, temp_dir: &Path) -> Result<PackedLayer> {
    let mut by_path: BTreeMap<String, Entry> = BTreeMap::new();
    for e in entries {
        if e.path.is_empty()
            || e.path.starts_with('/')
            || e.path
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..")
        {
            return Err(Error::usage(format!(
                "layer entry path {:?} is not clean",
                e.path
            )));
        }
        if by_path.contains_key(&e.path) {
            return Err(Error::usage(format!(
                "layer entry {:?} given twice",
                e.path
            )));
        }
        by_path.insert(e.path.clone(), e);
    }
    // Parents docker would create.
    let owner = opts.chown.unwrap_or(Owner { uid: 0, gid: 0 });
    let created = opts.created_mtime();
    let parents: Vec<String> = by_path
        .keys()
        .flat_map(|p| {
            let parts: Vec<&str> = p.split('/').collect();
            (1..parts.len())
                .map(|i| parts[..i].join("/"))
                .collect::<Vec<_>>()
        })
        .collect();
    for p in parents {
        by_path.entry(p.clone()).or_insert(Entry {
            path: p,
            kind: EntryKind::Dir,
            mode: 0o755,
            uid: owner.uid,
            gid: owner.gid,
            mtime: created,
        });
    }

    let file = tempfile::NamedTempFile::new_in(temp_dir)
        .map_err(io_err("creating the layer's temp file"))?;
    let out = Tee {
        inner: BufWriter::new(file.reopen().map_err(io_err("opening the temp file"))?),
        hasher: Hasher::new(Algorithm::Sha256),
        count: 0,
    };
    let gz = GzipWriter::new(out, Compression::default());
    let tar_out = Tee {
        inner: gz,
        hasher: Hasher::new(Algorithm::Sha256),
        count: 0,
    };
    let mut builder = tar::Builder::new(tar_out);
    for e in by_path.values() {
        if let EntryKind::Hardlink { target } = &e.kind
            && target.as_str() >= e.path.as_str()
        {
            return Err(Error::usage(format!(
                "hard link {:?} must follow its target {target:?}",
                e.path
            )));
        }
        let store =
            matches!(&e.kind, EntryKind::File { source } if file_looks_incompressible(source));
        builder
            .get_mut()
            .inner
            .set_stored(store)
            .map_err(io_err("writing gzip"))?;
        append(&mut builder, e, opts).map_err(|err| err.context(format!("packing {}", e.path)))?;
    }
    let tar_out = builder.into_inner().map_err(io_err("finishing the tar"))?;
    let diff_id = tar_out.hasher.finish();
    let out = tar_out.inner.finish().map_err(io_err("finishing gzip"))?;
    let size = out.count;
    let digest = out.hasher.finish();
    out.inner
        .into_inner()
        .map_err(|e| Error::other(format!("writing the layer: {}", e.error())))?
        .sync_all()
        .map_err(io_err("syncing the layer"))?;
    Ok(PackedLayer {
        file,
        digest,
        size,
        diff_id,
    })
}

/// Whether the file at `path` starts with bytes that do not compress (see
/// [`looks_incompressible`]); false when it cannot be read (packing then reports why).
fn file_looks_incompressible(path: &Path) -> bool {
    let Ok(f) = File::open(path) else {
        return false;
    };
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    match f.take(SAMPLE_BYTES as u64).read_to_end(&mut sample) {
        Ok(_) => looks_incompressible(&sample),
        Err(_) => false,
    }
}

/// ustar's octal id fields hold 7 digits.
const USTAR_MAX_ID: u64 = 0o7777777;

fn append<W: Write>(b: &mut tar::Builder<W>, e: &Entry, opts: &PackOptions) -> Result<()> {
    let mut pax: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut h = tar::Header::new_ustar();
    let name = if e.kind == EntryKind::Dir {
        format!("{}/", e.path)
    } else {
        e.path.clone()
    };
    if h.set_path(&name).is_err() || !name.is_ascii() {
        pax.push(("path", name.clone().into_bytes()));
        let short: String = name.chars().filter(char::is_ascii).take(99).collect();
        h.set_path(if short.is_empty() { "x" } else { &short })
            .map_err(io_err("tar path"))?;
    }
    h.set_mode(e.mode & 0o7777);
    for (key, id) in [("uid", e.uid), ("gid", e.gid)] {
        if id > USTAR_MAX_ID {
            pax.push((key, id.to_string().into_bytes()));
        }
    }
    h.set_uid(e.uid.min(USTAR_MAX_ID));
    h.set_gid(e.gid.min(USTAR_MAX_ID));
    let mtime = opts.source_date_epoch.map_or(e.mtime, |c| e.mtime.min(c));
    h.set_mtime(mtime);
    h.set_size(0);
    let link = |h: &mut tar::Header, target: &str, pax: &mut Vec<(&str, Vec<u8>)>| {
        if h.set_link_name(target).is_err() || !target.is_ascii() {
            pax.push(("linkpath", target.as_bytes().to_vec()));
            let _ = h.set_link_name("x");
        }
    };
    let mut data: Option<(File, u64)> = None;
    match &e.kind {
        EntryKind::Dir => h.set_entry_type(tar::EntryType::Directory),
        EntryKind::Symlink { target } => {
            h.set_entry_type(tar::EntryType::Symlink);
            link(&mut h, target, &mut pax);
        }
        EntryKind::Hardlink { target } => {
            h.set_entry_type(tar::EntryType::Link);
            link(&mut h, target, &mut pax);
        }
        EntryKind::File { source } => {
            h.set_entry_type(tar::EntryType::Regular);
            let f = File::open(source)
                .map_err(|err| Error::not_found(format!("{}: {err}", source.display())))?;
            let len = f.metadata().map_err(io_err("stat"))?.len();
            h.set_size(len);
            data = Some((f, len));
        }
    }
    if !pax.is_empty() {
        b.append_pax_extensions(pax.iter().map(|(k, v)| (*k, v.as_slice())))
            .map_err(io_err("writing PAX header"))?;
    }
    h.set_cksum();
    match data {
        None => b.append(&h, io::empty()).map_err(io_err("writing tar")),
        Some((f, len)) => {
            let mut counted = CountingReader {
                inner: f.take(len),
                n: 0,
            };
            b.append(&h, &mut counted).map_err(io_err("writing tar"))?;
            if counted.n != len {
                return Err(Error::other("file changed size while being packed"));
            }
            Ok(())
        }
    }
}

struct CountingReader<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;

    fn file(path: &str, source: &Path, mode: u32, mtime: u64) -> Entry {
        Entry {
            path: path.into(),
            kind: EntryKind::File {
                source: source.into(),
            },
            mode,
            uid: 0,
            gid: 0,
            mtime,
        }
    }

    #[test]
    fn digests_match_bytes_and_parents_are_added() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a");
        std::fs::write(&src, b"hello").unwrap();
        let long = format!("{}/f", "d".repeat(150));
        let entries = vec![
            file("z/y/x.txt", &src, 0o640, 5),
            file(&long, &src, 0o644, 5),
            Entry {
                path: "l".into(),
                kind: EntryKind::Symlink {
                    target: "z/y/x.txt".into(),
                },
                mode: 0o777,
                uid: 3_000_000,
                gid: 1,
                mtime: 5,
            },
            Entry {
                path: "z/y/x2".into(),
                kind: EntryKind::Hardlink {
                    target: "z/y/x.txt".into(),
                },
                mode: 0o640,
                uid: 0,
                gid: 0,
                mtime: 5,
            },
        ];
        let opts = PackOptions {
            source_date_epoch: Some(1),
            ..Default::default()
        };
        let packed = pack(entries, &opts, dir.path()).unwrap();
        let gz = std::fs::read(packed.file.path()).unwrap();
        assert_eq!(packed.size, gz.len() as u64);
        assert_eq!(packed.digest, Digest::sha256_of(&gz));
        let mut raw = Vec::new();
        GzDecoder::new(&gz[..]).read_to_end(&mut raw).unwrap();
        assert_eq!(packed.diff_id, Digest::sha256_of(&raw));
        let mut ar = tar::Archive::new(&raw[..]);
        let mut seen = Vec::new();
        for e in ar.entries().unwrap() {
            let mut e = e.unwrap();
            let p = e.path().unwrap().to_string_lossy().into_owned();
            assert_eq!(e.header().mtime().unwrap(), 1, "{p} clamped");
            if p == "z/y/x.txt" {
                assert_eq!(e.header().mode().unwrap(), 0o640);
                let mut s = String::new();
                e.read_to_string(&mut s).unwrap();
                assert_eq!(s, "hello");
            }
            if p == "l" {
                // The reader applies the PAX `uid` record over the clamped ustar field.
                assert_eq!(e.header().uid().unwrap(), 3_000_000);
                assert!(e.pax_extensions().unwrap().is_some());
            }
            seen.push(p);
        }
        let dd = format!("{}/", "d".repeat(150));
        assert_eq!(
            seen,
            vec![
                dd.as_str(),
                long.as_str(),
                "l",
                "z/",
                "z/y/",
                "z/y/x.txt",
                "z/y/x2"
            ]
        );
    }

    #[test]
    fn bad_entries_refused() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a");
        std::fs::write(&src, b"x").unwrap();
        let opts = PackOptions::default();
        assert!(pack(vec![file("../x", &src, 0o644, 0)], &opts, dir.path()).is_err());
        assert!(pack(vec![file("/x", &src, 0o644, 0)], &opts, dir.path()).is_err());
        let twice = vec![file("x", &src, 0o644, 0), file("x", &src, 0o644, 0)];
        assert!(pack(twice, &opts, dir.path()).is_err());
    }

    #[test]
    fn owner_and_chmod_parsing() {
        assert_eq!(Owner::parse("10:20").unwrap(), Owner { uid: 10, gid: 20 });
        assert_eq!(Owner::parse("7").unwrap(), Owner { uid: 7, gid: 7 });
        let e = Owner::parse("app:app").unwrap_err();
        assert!(e.to_string().contains("numeric"), "{e}");
        assert_eq!(parse_chmod("755").unwrap(), 0o755);
        assert!(parse_chmod("u+x").is_err());
        assert!(parse_chmod("99999").is_err());
    }
}
