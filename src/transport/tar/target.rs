//! Where an archive is written: a file replaced atomically, or a stream written into. The
//! same rules serve any output file given with `-o` (`export`, `blob`): [`TargetWriter`].

use std::fs::{File, Metadata, OpenOptions, Permissions};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::write::{MemberData, tar_into};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::store::Layout;

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
        Self::resolve_as(
            path,
            "an archive file",
            "name a file (e.g. DIR/app.tar), or write an OCI image layout directory with oci:DIR",
        )
    }

    /// [`ArchiveTarget::resolve`] for any output file (`export -o`, `blob -o`), written with
    /// [`ArchiveTarget::open_writer`]; a directory is refused with words that fit any file.
    ///
    /// Errors: as [`ArchiveTarget::resolve`].
    pub fn resolve_output(path: &Path) -> Result<ArchiveTarget> {
        Self::resolve_as(path, "a file", "name a file in it (e.g. DIR/NAME)")
    }

    /// [`ArchiveTarget::resolve`], a directory refused as not `what`, with `dir_hint`.
    fn resolve_as(path: &Path, what: &str, dir_hint: &str) -> Result<ArchiveTarget> {
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
            return Err(Error::usage(format!("{shown} is a directory, not {what}"))
                .with_hint(dir_hint.to_string()));
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

    /// Opens the target for bytes written straight into it, not staged as a layout (`export
    /// -o`, `blob -o`): a file target gets a temp file `PREFIX…` beside the file the path
    /// resolves to (the replaced file's mode kept, else 0666 minus the umask), renamed over it
    /// by [`TargetWriter::commit`] and removed if dropped before; a stream is written into.
    ///
    /// Errors: Other naming the path as given (never the temp file) when the temp file or the
    /// stream cannot be opened; Usage when a FIFO's reader is a terminal.
    pub fn open_writer(&self, prefix: &str) -> Result<TargetWriter> {
        let shown = self.path.display().to_string();
        match &self.kind {
            TargetKind::File { file, permissions } => {
                let tmp = crate::store::shared_temp_file_in(&dir_of(file), prefix)
                    .map_err(|e| Error::other(format!("cannot write {shown}: {}", bare_io(e))))?;
                if let Some(p) = permissions {
                    tmp.as_file()
                        .set_permissions(p.clone())
                        .map_err(|e| Error::other(format!("cannot write {shown}: {e}")))?;
                }
                Ok(TargetWriter {
                    file: tmp.reopen().map_err(|e| {
                        Error::other(format!("cannot write {shown}: {}", bare_io(e)))
                    })?,
                    temp: Some((tmp, file.clone())),
                    shown,
                })
            }
            TargetKind::Stream { file, .. } => {
                let taken = file.lock().expect("archive stream lock").take();
                let file = match taken {
                    Some(f) => f,
                    None => Self::open_stream(&self.path, false)?,
                };
                Ok(TargetWriter {
                    file,
                    temp: None,
                    shown,
                })
            }
        }
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

/// `e` without the path a temp-file error carries (the temp name means nothing to the user).
fn bare_io(e: std::io::Error) -> std::io::Error {
    match e.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code),
        None => e,
    }
}

/// Bytes being written at an [`ArchiveTarget`] ([`ArchiveTarget::open_writer`]): a temp file
/// beside the target file, or the stream itself. Dropped without [`TargetWriter::commit`], a
/// temp file is removed and the target left as it was.
#[derive(Debug)]
pub struct TargetWriter {
    file: File,
    /// The temp file and the file it replaces on commit.
    temp: Option<(tempfile::NamedTempFile, PathBuf)>,
    /// The path as given (for messages).
    shown: String,
}

impl TargetWriter {
    /// The open file the bytes go to (for an async writer over a clone of it).
    pub fn file(&self) -> &File {
        &self.file
    }

    /// Finishes the output: a temp file is fsync'd and renamed over the target file.
    ///
    /// Errors: Other naming the path as given (the target is unchanged then).
    pub fn commit(self) -> Result<()> {
        let ctx = |e: std::io::Error| Error::other(format!("cannot write {}: {e}", self.shown));
        if let Some((tmp, file)) = self.temp {
            self.file.sync_all().map_err(ctx)?;
            drop(self.file);
            tmp.persist(&file).map_err(|e| ctx(e.error))?;
        }
        Ok(())
    }
}

impl std::io::Write for TargetWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}
