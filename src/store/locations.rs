//! Where blobs were seen: a small persistent record of (registry, repository, digest) that
//! lets a push into a new repository mount a blob the registry already holds in another
//! repository imgctl read from or wrote to in an earlier run (issue 12; skopeo keeps a
//! "blob info cache" for the same purpose). Distribution spec: "Mounting a blob from another
//! repository" — a mount the registry refuses just falls back to an upload, so a stale record
//! costs one request, never data.
//!
//! The record is a cache, not state: losing it loses only mounts. Why it is written this way:
//!
//! - **One file, text lines** `SEEN\tREGISTRY\tREPOSITORY\tDIGEST` (SEEN in Unix seconds),
//!   under the user's cache directory (`$IMGCTL_CACHE_DIR`, else the OS cache dir +
//!   `imgctl/`), mode 0600 (repository names are the user's business). Malformed lines are
//!   skipped, so a truncated or foreign file never fails a command.
//! - **Bounded**: at most [`MAX_REPOSITORIES_PER_BLOB`] repositories per (registry, digest),
//!   the most recently seen, and at most [`MAX_ENTRIES`] lines (the oldest dropped) — a few MiB.
//! - **Safe under concurrent processes**: a process keeps what it saw in memory and merges it
//!   into the file under an exclusive lock (`<file>.lock`, `File::lock`) by a
//!   read-merge-write through a temp file renamed over the old one, so readers (which take no
//!   lock) see the old or the new file whole, and two writers both keep their entries.
//! - **Read once per process, lazily**: only when a mount candidate is asked for.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Context, Error, Result};

/// Repositories remembered per (registry, digest), the most recently seen kept.
pub const MAX_REPOSITORIES_PER_BLOB: usize = 4;
/// Lines kept in the file, the most recently seen kept (~150 bytes each: a few MiB at most).
pub const MAX_ENTRIES: usize = 20_000;
/// The file's name in the cache directory.
pub const FILE_NAME: &str = "blob-locations";

/// Entries a process keeps before it merges them into the file by itself (a long sync).
const FLUSH_EVERY: usize = 2_000;

/// (registry, digest) → [(repository, seen)], most recent first.
type Table = HashMap<(String, String), Vec<(String, u64)>>;

/// The record of where blobs were seen, shared by every registry transport of a process
/// ([`BlobLocations::install`] / [`BlobLocations::current`]).
#[derive(Debug)]
pub struct BlobLocations {
    path: PathBuf,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The file's content, read at the first lookup.
    loaded: Option<Table>,
    /// Seen by this process and not yet merged into the file: (registry, repository, digest, seen).
    pending: Vec<(String, String, String, u64)>,
}

static CURRENT: OnceLock<Mutex<Option<Arc<BlobLocations>>>> = OnceLock::new();

fn current_slot() -> &'static Mutex<Option<Arc<BlobLocations>>> {
    CURRENT.get_or_init(|| Mutex::new(None))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl BlobLocations {
    /// The record kept in directory `dir` (the file [`FILE_NAME`] there). No I/O until used.
    pub fn new(dir: &Path) -> BlobLocations {
        BlobLocations {
            path: dir.join(FILE_NAME),
            state: Mutex::new(State::default()),
        }
    }

    /// The default directory: `$IMGCTL_CACHE_DIR`, else the OS cache directory's `imgctl/`
    /// (`$XDG_CACHE_HOME/imgctl` or `~/.cache/imgctl` on Linux); `None` when neither is known.
    pub fn default_dir() -> Option<PathBuf> {
        std::env::var_os("IMGCTL_CACHE_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| dirs::cache_dir().map(|d| d.join("imgctl")))
    }

    /// Makes `record` the one registry transports of this process use (`None`: none, which is
    /// also the default for library users that never call this).
    pub fn install(record: Option<BlobLocations>) {
        *current_slot().lock().expect("locations lock") = record.map(Arc::new);
    }

    /// The record installed for this process, if any.
    pub fn current() -> Option<Arc<BlobLocations>> {
        current_slot().lock().expect("locations lock").clone()
    }

    /// Merges what this process saw into the installed record's file (see [`Self::flush`]);
    /// errors are logged, not returned: the record is a cache.
    pub fn flush_current() {
        if let Some(r) = Self::current()
            && let Err(e) = r.flush()
        {
            tracing::debug!(error = %e, "could not update the blob location record");
        }
    }

    /// Notes that `repository` in `registry` holds blob `digest` (it served it, or accepted,
    /// mounted or already had it). Kept in memory; merged into the file by [`Self::flush`]
    /// (by itself every few thousand entries).
    pub fn record(&self, registry: &str, repository: &str, digest: &str) {
        let flush = {
            let mut st = self.state.lock().expect("locations lock");
            st.pending.push((
                registry.to_string(),
                repository.to_string(),
                digest.to_string(),
                now(),
            ));
            st.pending.len() >= FLUSH_EVERY
        };
        if flush && let Err(e) = self.flush() {
            tracing::debug!(error = %e, "could not update the blob location record");
        }
    }

    /// Repositories of `registry` known to hold `digest`, most recently seen first (this
    /// process's own sightings included), at most [`MAX_REPOSITORIES_PER_BLOB`] + what this
    /// process added. An unreadable file counts as empty.
    pub fn candidates(&self, registry: &str, digest: &str) -> Vec<String> {
        let mut st = self.state.lock().expect("locations lock");
        if st.loaded.is_none() {
            st.loaded = Some(read_table(&self.path));
        }
        let mut found: Vec<(String, u64)> = st
            .pending
            .iter()
            .filter(|(r, _, d, _)| r == registry && d == digest)
            .map(|(_, repo, _, t)| (repo.clone(), *t))
            .collect();
        if let Some(v) = st
            .loaded
            .as_ref()
            .and_then(|t| t.get(&(registry.to_string(), digest.to_string())))
        {
            found.extend(v.iter().cloned());
        }
        found.sort_by_key(|e| std::cmp::Reverse(e.1));
        let mut out: Vec<String> = Vec::new();
        for (repo, _) in found {
            if !out.contains(&repo) {
                out.push(repo);
            }
        }
        out
    }

    /// Merges the entries this process saw into the file: under the exclusive lock
    /// `<file>.lock`, reads the file, adds the entries, trims it to the bounds and replaces it
    /// through a temp file in the same directory (created, with the directory, when missing).
    ///
    /// Errors: I/O failures creating the directory, taking the lock or writing the file.
    pub fn flush(&self) -> Result<()> {
        let pending = std::mem::take(&mut self.state.lock().expect("locations lock").pending);
        if pending.is_empty() {
            return Ok(());
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).ctx(|| format!("cannot create {}", dir.display()))?;
        let lock_path = self.path.with_extension("lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .ctx(|| format!("cannot open {}", lock_path.display()))?;
        lock.lock()
            .ctx(|| format!("cannot lock {}", lock_path.display()))?;
        let mut table = read_table(&self.path);
        for (registry, repository, digest, seen) in &pending {
            merge(&mut table, registry, repository, digest, *seen);
        }
        write_table(&self.path, &table)?;
        // The next lookup sees what was just written (other processes' entries too).
        self.state.lock().expect("locations lock").loaded = Some(table);
        drop(lock);
        Ok(())
    }
}

/// Adds one sighting to `table`, keeping each list most-recent-first and bounded.
fn merge(table: &mut Table, registry: &str, repository: &str, digest: &str, seen: u64) {
    let v = table
        .entry((registry.to_string(), digest.to_string()))
        .or_default();
    match v.iter_mut().find(|(r, _)| r == repository) {
        Some(e) => e.1 = e.1.max(seen),
        None => v.push((repository.to_string(), seen)),
    }
    v.sort_by_key(|e| std::cmp::Reverse(e.1));
    v.truncate(MAX_REPOSITORIES_PER_BLOB);
}

/// Whether `s` can be stored in a field of the file (no separator, no line break, not empty).
fn field_ok(s: &str) -> bool {
    !s.is_empty() && !s.contains(['\t', '\n', '\r'])
}

/// The file's table; a missing or unreadable file is empty, a malformed line is skipped.
fn read_table(path: &Path) -> Table {
    let mut table = Table::new();
    let Ok(text) = fs::read_to_string(path) else {
        return table;
    };
    for line in text.lines() {
        let mut f = line.split('\t');
        let (Some(seen), Some(registry), Some(repository), Some(digest), None) =
            (f.next(), f.next(), f.next(), f.next(), f.next())
        else {
            continue;
        };
        let Ok(seen) = seen.parse::<u64>() else {
            continue;
        };
        if digest.parse::<crate::digest::Digest>().is_err() || !field_ok(registry) {
            continue;
        }
        merge(&mut table, registry, repository, digest, seen);
    }
    table
}

/// Writes `table` to `path` atomically (temp file in the same directory, fsync, rename),
/// the [`MAX_ENTRIES`] most recent lines only, mode 0600.
fn write_table(path: &Path, table: &Table) -> Result<()> {
    let mut lines: Vec<(u64, &str, &str, &str)> = table
        .iter()
        .flat_map(|((registry, digest), v)| {
            v.iter()
                .map(move |(repo, seen)| (*seen, registry.as_str(), repo.as_str(), digest.as_str()))
        })
        .filter(|(_, reg, repo, d)| field_ok(reg) && field_ok(repo) && field_ok(d))
        .collect();
    lines.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)).then(a.2.cmp(b.2)));
    lines.truncate(MAX_ENTRIES);
    let dir = path.parent().unwrap_or(Path::new("."));
    // tempfile creates the file 0600 on Unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(".blob-locations")
        .tempfile_in(dir)
        .ctx(|| format!("cannot create a temp file in {}", dir.display()))?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        for (seen, registry, repository, digest) in &lines {
            writeln!(w, "{seen}\t{registry}\t{repository}\t{digest}")
                .ctx(|| format!("cannot write {}", path.display()))?;
        }
        w.flush()
            .ctx(|| format!("cannot write {}", path.display()))?;
    }
    tmp.as_file()
        .sync_all()
        .ctx(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| Error::from(e.error).context(format!("cannot replace {}", path.display())))?;
    Ok(())
}

/// Whether `path` is a regular file (test helper).
#[cfg(test)]
fn is_file(path: &Path) -> bool {
    fs::metadata(path).map(|m| m.is_file()).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    #[test]
    fn a_sighting_survives_into_a_new_process_most_recent_first() {
        let dir = tempfile::tempdir().unwrap();
        let a = BlobLocations::new(dir.path());
        assert!(a.candidates("reg", D1).is_empty());
        a.record("reg", "old", D1);
        a.flush().unwrap();
        assert!(is_file(&dir.path().join(FILE_NAME)));
        // A later sighting in another repository comes first.
        let mut table = read_table(&dir.path().join(FILE_NAME));
        merge(&mut table, "reg", "new", D1, now() + 10);
        write_table(&dir.path().join(FILE_NAME), &table).unwrap();
        let b = BlobLocations::new(dir.path());
        assert_eq!(b.candidates("reg", D1), vec!["new", "old"]);
        assert!(b.candidates("other-reg", D1).is_empty());
        assert!(b.candidates("reg", D2).is_empty());
    }

    #[test]
    fn own_sightings_count_before_any_flush() {
        let dir = tempfile::tempdir().unwrap();
        let a = BlobLocations::new(dir.path());
        a.record("reg", "x", D1);
        assert_eq!(a.candidates("reg", D1), vec!["x"]);
        assert!(!dir.path().join(FILE_NAME).exists());
    }

    #[test]
    fn two_processes_flushing_keep_both_entries() {
        let dir = tempfile::tempdir().unwrap();
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let d = dir.path().to_path_buf();
                std::thread::spawn(move || {
                    let r = BlobLocations::new(&d);
                    r.record("reg", &format!("repo{i}"), D2);
                    r.record("reg", &format!("repo{i}"), D1);
                    r.flush().unwrap();
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let table = read_table(&dir.path().join(FILE_NAME));
        // Bounded per blob, but every writer's line reached the file before trimming: the
        // file holds the per-blob maximum for both digests.
        assert_eq!(
            table[&("reg".into(), D1.into())].len(),
            MAX_REPOSITORIES_PER_BLOB
        );
        assert_eq!(
            table[&("reg".into(), D2.into())].len(),
            MAX_REPOSITORIES_PER_BLOB
        );
    }

    #[test]
    fn malformed_lines_are_skipped_and_the_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        fs::write(
            &path,
            format!("garbage\n1\treg\trepo\tnot-a-digest\nx\treg\trepo\t{D1}\n5\treg\tok\t{D1}\n"),
        )
        .unwrap();
        let r = BlobLocations::new(dir.path());
        assert_eq!(r.candidates("reg", D1), vec!["ok"]);
        r.record("reg", "more", D2);
        r.flush().unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn the_file_is_bounded() {
        let mut table = Table::new();
        for i in 0..(MAX_ENTRIES + 50) {
            merge(
                &mut table,
                "reg",
                "repo",
                &format!("sha256:{i:064x}"),
                i as u64,
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        write_table(&path, &table).unwrap();
        let back = read_table(&path);
        assert_eq!(back.len(), MAX_ENTRIES);
        // The oldest were dropped.
        assert!(!back.contains_key(&("reg".into(), format!("sha256:{:064x}", 0))));
    }
}
