//! A layer given on the command line (`imgctl append -f LAYER`): a tar, a gzip-compressed tar or
//! a directory, turned into a [`PackedLayer`] ready to upload.

use std::io::{self, Read, Write};
use std::path::Path;

use flate2::Compression;
use flate2::read::GzDecoder;

use crate::digest::{Algorithm, Hasher};
use crate::error::{Error, Result};
use crate::layer::context::{Context, CopySpec, pack_copy};
use crate::layer::gzip::GzipWriter;
use crate::layer::pack::{PackOptions, PackedLayer, Tee};

/// Packs `path` as one gzip layer in a temp file under `temp_dir`:
/// a directory is packed like `COPY DIR /` (its contents at the root, nothing ignored);
/// a `.tar.gz` is kept byte for byte (digest over its bytes, diff_id over the decompressed tar);
/// a plain tar is compressed. An empty tar (only end-of-archive blocks) is a valid, empty
/// layer; symlink targets are kept as written (a container resolves them inside its root).
/// Errors (usage): a file that is not a tar archive (an empty file included), a member path
/// or hard-link target leaving the root (nothing is written outside `temp_dir`'s removed temp
/// file); (not found): `path` missing.
pub fn pack_input(path: &Path, opts: &PackOptions, temp_dir: &Path) -> Result<PackedLayer> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::not_found(format!("layer {}: {e}", path.display())))?;
    if meta.is_dir() {
        let ctx = Context::without_ignore_file(path)?;
        let src = [".".to_string()];
        let spec = CopySpec {
            sources: &src,
            dest: "/",
            workdir: "/",
            add: false,
        };
        return pack_copy(&ctx, &spec, opts, temp_dir);
    }
    let io = |e: io::Error| Error::other(format!("layer {}: {e}", path.display()));
    let mut magic = [0u8; 2];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut magic))
        .map_err(io)?;
    let gz = n == 2 && magic == [0x1f, 0x8b];
    let open = || std::fs::File::open(path).map_err(io);
    let not_tar = || {
        Error::usage(format!(
            "layer {}: not a tar or tar.gz archive",
            path.display()
        ))
    };

    // diff_id over the uncompressed tar; the tar must also parse to the end.
    let mut raw_hash = Hasher::new(Algorithm::Sha256);
    let raw: Box<dyn Read> = if gz {
        Box::new(GzDecoder::new(open()?))
    } else {
        Box::new(open()?)
    };
    let mut tee = HashRead {
        inner: raw,
        hasher: &mut raw_hash,
    };
    match check_tar(&mut tee) {
        Ok(()) => {}
        Err(TarProblem::NotTar) => return Err(not_tar()),
        Err(TarProblem::Escapes(what)) => {
            return Err(Error::usage(format!(
                "layer {}: {what} escapes the root filesystem",
                path.display()
            )));
        }
    }
    io::copy(&mut tee, &mut io::sink()).map_err(|_| not_tar())?;
    let diff_id = raw_hash.finish();

    let file = tempfile::NamedTempFile::new_in(temp_dir).map_err(io)?;
    let mut out = Tee::new(io::BufWriter::new(file.reopen().map_err(io)?));
    if gz {
        io::copy(&mut open()?, &mut out).map_err(io)?;
    } else {
        let mut enc = GzipWriter::new(&mut out, Compression::default());
        io::copy(&mut open()?, &mut enc).map_err(io)?;
        enc.finish().map_err(io)?;
    }
    out.flush().map_err(io)?;
    Ok(PackedLayer {
        file,
        digest: out.hasher.finish(),
        size: out.count,
        diff_id,
    })
}

/// Why a layer input is refused.
enum TarProblem {
    /// Not a tar archive (or an empty file, or truncated).
    NotTar,
    /// A member path or hard-link target (described) leaves the root.
    Escapes(String),
}

impl From<io::Error> for TarProblem {
    fn from(_: io::Error) -> TarProblem {
        TarProblem::NotTar
    }
}

/// The depth below the root `path` reaches when resolved from depth `start`, or `None` when a
/// `..` would climb above the root at some point. `/`, `.` and empty components do not move.
fn depth_from(start: usize, path: &str) -> Option<usize> {
    let mut depth = start;
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => depth = depth.checked_sub(1)?,
            _ => depth += 1,
        }
    }
    Some(depth)
}

/// Reads every entry of a tar stream (validating headers) and checks that no member path or
/// hard-link target leaves the root (what `export`, `umoci` and runtimes refuse). Symlink
/// targets are data: a runtime resolves them inside the container's root, so `../../x` is
/// kept, as docker, crane and `imgctl build` keep it. A stream that starts with an
/// end-of-archive block is an empty tar, valid; an empty stream is not a tar. What follows
/// the archive is left for the caller to drain.
fn check_tar(r: &mut dyn Read) -> std::result::Result<(), TarProblem> {
    let mut counted = Counted { inner: r, count: 0 };
    let mut ar = tar::Archive::new(&mut counted);
    for e in ar.entries()? {
        let mut e = e?;
        let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        if depth_from(0, &name).is_none() {
            return Err(TarProblem::Escapes(format!("member {name:?}")));
        }
        // Hard-link targets name other members, root-relative.
        if e.header().entry_type().is_hard_link() {
            let target = e
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default();
            if depth_from(0, &target).is_none() {
                return Err(TarProblem::Escapes(format!(
                    "hard link {name:?} -> {target:?}"
                )));
            }
        }
        io::copy(&mut e, &mut io::sink())?;
    }
    // The tar reader ends at a zero block, or quietly at the end of an empty stream: GNU tar
    // takes the first as an empty archive and refuses the second.
    if ar.into_inner().count >= 512 {
        Ok(())
    } else {
        Err(TarProblem::NotTar)
    }
}

/// Counts the bytes read through it.
struct Counted<'a> {
    inner: &'a mut dyn Read,
    count: u64,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

struct HashRead<'a, R> {
    inner: R,
    hasher: &'a mut Hasher,
}

impl<R: Read> Read for HashRead<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// A tar with one member whose raw name and link target are written as given, as a hostile
/// tar carries them (the tar crate's setters refuse `..`), then the two end-of-archive blocks.
/// For the unit tests here and in `rootfs`.
#[cfg(test)]
pub(crate) fn raw_member_tar(kind: tar::EntryType, name: &str, target: &str) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(0);
    h.set_mode(0o644);
    h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    h.as_old_mut().linkname[..target.len()].copy_from_slice(target.as_bytes());
    h.set_cksum();
    let mut raw = h.as_bytes().to_vec();
    raw.extend_from_slice(&[0u8; 1024]);
    raw
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Digest;

    fn tar_bytes() -> Vec<u8> {
        let mut raw = Vec::new();
        let mut b = tar::Builder::new(&mut raw);
        let mut h = tar::Header::new_ustar();
        h.set_size(2);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "etc/x", &b"hi"[..]).unwrap();
        b.finish().unwrap();
        drop(b);
        raw
    }

    #[test]
    fn tar_targz_dir_and_refusal() {
        let d = tempfile::tempdir().unwrap();
        let raw = tar_bytes();
        std::fs::write(d.path().join("l.tar"), &raw).unwrap();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(&raw).unwrap();
        let gz = enc.finish().unwrap();
        std::fs::write(d.path().join("l.tar.gz"), &gz).unwrap();
        let opts = PackOptions::default();

        let p = pack_input(&d.path().join("l.tar.gz"), &opts, d.path()).unwrap();
        assert_eq!(p.digest, Digest::sha256_of(&gz));
        assert_eq!(p.size, gz.len() as u64);
        assert_eq!(p.diff_id, Digest::sha256_of(&raw));

        let p = pack_input(&d.path().join("l.tar"), &opts, d.path()).unwrap();
        assert_eq!(p.diff_id, Digest::sha256_of(&raw));
        let bytes = std::fs::read(p.file.path()).unwrap();
        assert_eq!(p.digest, Digest::sha256_of(&bytes));

        let dir = d.path().join("tree");
        std::fs::create_dir_all(dir.join("etc")).unwrap();
        std::fs::write(dir.join("etc/x"), b"hi").unwrap();
        let p = pack_input(&dir, &opts, d.path()).unwrap();
        assert_eq!(p.size, std::fs::metadata(p.file.path()).unwrap().len());

        // Member paths and hard-link targets leaving the root are refused.
        for (kind, name, target) in [
            (tar::EntryType::Regular, "../etc/passwd", ""),
            (tar::EntryType::Regular, "a/../../x", ""),
            (tar::EntryType::Symlink, "a/../../s", "x"),
            (tar::EntryType::Link, "etc/l", "../../outside"),
        ] {
            let f = d.path().join("evil.tar");
            std::fs::write(&f, raw_member_tar(kind, name, target)).unwrap();
            let err = pack_input(&f, &opts, d.path()).unwrap_err();
            assert_eq!(err.kind(), crate::error::ErrorKind::Usage, "{name}");
            assert!(err.to_string().contains("escapes the root"), "{err}");
        }
        // A symlink's target is data: climbing above `/`, or absolute, it is kept as written.
        for target in ["../../ux.txt", "../../../../etc/shadow", "/etc/shadow"] {
            let raw = raw_member_tar(tar::EntryType::Symlink, "x/outlink", target);
            let f = d.path().join("link.tar");
            std::fs::write(&f, &raw).unwrap();
            let p = pack_input(&f, &opts, d.path()).unwrap();
            assert_eq!(p.diff_id, Digest::sha256_of(&raw), "{target}");
        }
        assert_eq!(depth_from(1, "../bin/sh"), Some(2));
        assert_eq!(depth_from(0, "../x"), None);

        // An empty tar (GNU tar's 10240 zero bytes, or just the two end blocks) is an empty
        // layer; an empty file, a short one and text are not tars.
        for n in [10240, 1024] {
            let f = d.path().join("empty.tar");
            std::fs::write(&f, vec![0u8; n]).unwrap();
            let p = pack_input(&f, &opts, d.path()).unwrap();
            assert_eq!(p.diff_id, Digest::sha256_of(&vec![0u8; n]), "{n}");
            let mut tar = Vec::new();
            GzDecoder::new(std::fs::File::open(p.file.path()).unwrap())
                .read_to_end(&mut tar)
                .unwrap();
            assert_eq!(tar, vec![0u8; n]);
        }
        for bytes in [&b""[..], &[0u8; 100][..]] {
            std::fs::write(d.path().join("short.tar"), bytes).unwrap();
            let err = pack_input(&d.path().join("short.tar"), &opts, d.path()).unwrap_err();
            assert!(err.to_string().contains("not a tar"), "{err}");
        }
        std::fs::write(d.path().join("notes.txt"), b"just text, not an archive").unwrap();
        let err = pack_input(&d.path().join("notes.txt"), &opts, d.path()).unwrap_err();
        assert_eq!(err.kind(), crate::error::ErrorKind::Usage);
        assert!(err.to_string().contains("not a tar"), "{err}");
    }
}
