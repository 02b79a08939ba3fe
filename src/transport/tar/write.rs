//! Writing a tar archive: deterministic headers, members streamed from disk or memory.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

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
pub(super) fn tar_into(out: impl Write, members: &[(String, MemberData)]) -> std::io::Result<()> {
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
