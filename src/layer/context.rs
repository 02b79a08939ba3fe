//! A build context: a directory with its `.dockerignore` rules, and the COPY/ADD source
//! resolution of the Dockerfile reference on top of it ([`plan_copy`], [`pack_copy`]).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::layer::pack::{Entry, EntryKind, Owner, PackOptions, PackedLayer, pack};
use crate::layer::pattern::{IgnoreRules, clean, go_match};

/// A build context directory and its `.dockerignore` rules.
#[derive(Debug)]
pub struct Context {
    root: PathBuf,
    rules: IgnoreRules,
    /// What the directory is, in messages (`the build context`, `stage build`).
    what: String,
}

impl Context {
    /// Opens the context at `dir`, reading `dir/.dockerignore` when present.
    /// Errors: `dir` missing or not a directory (not found), a malformed ignore pattern (usage).
    pub fn open(dir: &Path) -> Result<Context> {
        let mut ctx = Context::without_ignore_file(dir)?;
        match std::fs::read_to_string(ctx.root.join(".dockerignore")) {
            Ok(text) => ctx.rules = IgnoreRules::parse(&text)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::other(format!(".dockerignore: {e}"))),
        }
        Ok(ctx)
    }

    /// A context at `dir` that excludes nothing (no `.dockerignore` read), e.g. for
    /// `imgctl append -f DIR`.
    pub fn without_ignore_file(dir: &Path) -> Result<Context> {
        let root = dir
            .canonicalize()
            .map_err(|e| Error::not_found(format!("context {}: {e}", dir.display())))?;
        if !root.is_dir() {
            return Err(Error::usage(format!(
                "context {} is not a directory",
                dir.display()
            )));
        }
        Ok(Context {
            root,
            rules: IgnoreRules::default(),
            what: "the build context".into(),
        })
    }

    /// The same context named `what` in messages (e.g. `stage build` for the files of a
    /// `COPY --from` stage): `x: not found in stage build`.
    pub fn described_as(mut self, what: impl Into<String>) -> Context {
        self.what = what.into();
        self
    }

    /// Checks `sources` (COPY/ADD sources as written) the way [`plan_copy`] resolves them,
    /// without reading any file: each is inside the context and not excluded, exists, and a
    /// wildcard matches something. Errors as [`plan_copy`]'s: usage for a source outside
    /// the context, not found for a missing one.
    pub fn check_sources(&self, sources: &[String]) -> Result<()> {
        for s in sources {
            for m in self.expand(s)? {
                self.resolve(&m)?;
            }
        }
        Ok(())
    }

    /// The context's canonical root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `rel` (relative to the root, `/`-separated) is excluded by `.dockerignore`.
    pub fn excluded(&self, rel: &str) -> bool {
        let c = clean(rel);
        c != "." && self.rules.excluded(&c)
    }

    /// Reads a file of the context ignoring `.dockerignore` — for the builder's own `Dockerfile`
    /// and `.dockerignore`, which docker sends even when they are excluded.
    /// Errors: escaping the context (usage), missing (not found).
    pub fn read_unfiltered(&self, rel: &str) -> Result<Vec<u8>> {
        let path = self.resolve(rel)?;
        std::fs::read(&path).map_err(|e| Error::not_found(format!("{rel}: {e}")))
    }

    /// The real path of `rel` with symlinks followed; errors (usage) when it or a symlink on its
    /// way leads outside the context, (not found) when it does not exist.
    fn resolve(&self, rel: &str) -> Result<PathBuf> {
        let c = clean(rel.trim_start_matches('/'));
        if c == ".." || c.starts_with("../") {
            return Err(Error::usage(format!("{rel:?} is outside {}", self.what)));
        }
        let real =
            self.root.join(&c).canonicalize().map_err(|e| {
                Error::not_found(format!("{rel}: not found in {} ({e})", self.what))
            })?;
        if !real.starts_with(&self.root) {
            return Err(Error::usage(format!(
                "{rel:?} leads outside {} (through a symlink)",
                self.what
            )));
        }
        Ok(real)
    }

    /// Expands one source (wildcards per Go's filepath.Match, component by component) into
    /// clean context-relative paths, excluded ones left out, sorted.
    fn expand(&self, src: &str) -> Result<Vec<String>> {
        let c = clean(src.trim_start_matches('/'));
        if c == ".." || c.starts_with("../") {
            return Err(Error::usage(format!("{src:?} is outside {}", self.what)));
        }
        if !c.contains(['*', '?', '[']) {
            if self.excluded(&c) {
                return Err(Error::not_found(format!(
                    "{src}: excluded by .dockerignore"
                )));
            }
            return Ok(vec![c]);
        }
        let mut found = vec![String::new()];
        for comp in c.split('/') {
            let mut next = Vec::new();
            for base in &found {
                let join = |n: &str| {
                    if base.is_empty() {
                        n.to_string()
                    } else {
                        format!("{base}/{n}")
                    }
                };
                if !comp.contains(['*', '?', '[', '\\']) {
                    next.push(join(comp));
                    continue;
                }
                let Ok(dir) = self.resolve(if base.is_empty() { "." } else { base }) else {
                    continue;
                };
                let Ok(rd) = std::fs::read_dir(&dir) else {
                    continue;
                };
                for ent in rd.flatten() {
                    let name = ent.file_name().to_string_lossy().into_owned();
                    if go_match(comp, &name)? {
                        next.push(join(&name));
                    }
                }
            }
            found = next;
        }
        found.retain(|p| !self.excluded(p) && self.root.join(p).symlink_metadata().is_ok());
        found.sort();
        if found.is_empty() {
            return Err(Error::not_found(format!(
                "{src}: no source files matched in {}",
                self.what
            )));
        }
        Ok(found)
    }
}

/// One COPY or ADD instruction's file part.
#[derive(Debug, Clone)]
pub struct CopySpec<'a> {
    /// The sources as written (relative to the context; a leading `/` is the context root).
    pub sources: &'a [String],
    /// The destination as written: absolute, or relative to `workdir`; a trailing `/` (or `.`)
    /// means "into this directory".
    pub dest: &'a str,
    /// The image's WORKDIR (absolute; `/` when unset).
    pub workdir: &'a str,
    /// ADD semantics: local tar / tar.gz archives are extracted, URLs refused.
    pub add: bool,
}

/// The entries a COPY/ADD produces, plus scratch space (extracted archives) they read from:
/// keep the plan alive until packed.
#[derive(Debug)]
pub struct CopyPlan {
    /// The layer entries (unsorted; [`pack`] sorts and adds parents).
    pub entries: Vec<Entry>,
    _scratch: Vec<tempfile::TempDir>,
}

/// Resolves a COPY/ADD per the Dockerfile reference into layer entries:
/// a directory source copies its contents, a file goes to `dest` (or `dest/NAME` when `dest`
/// ends in `/`), several sources (given or by wildcard) need a `dest` ending in `/`, symlinks
/// inside copied directories are kept as links, a named source that is a symlink is followed and
/// must stay inside the context, hard links between copied files are kept.
/// `opts.chown`/`opts.chmod` apply to every copied entry.
/// Errors (usage): `..` or a symlink escaping the context, several sources without a trailing
/// `/`, ADD of a URL, an unsupported archive or file type; (not found): a source missing or
/// excluded by `.dockerignore`, a wildcard matching nothing.
pub fn plan_copy(ctx: &Context, spec: &CopySpec<'_>, opts: &PackOptions) -> Result<CopyPlan> {
    if spec.sources.is_empty() {
        return Err(Error::usage("COPY/ADD needs at least one source"));
    }
    let mut matches = Vec::new();
    for s in spec.sources {
        if spec.add && (s.contains("://") || s.starts_with("git@")) {
            return Err(Error::usage(format!(
                "ADD {s}: remote URLs are not supported; download the file into the context"
            )));
        }
        matches.extend(ctx.expand(s)?);
    }
    let dest_is_dir = spec.dest.ends_with('/') || spec.dest == "." || spec.dest.ends_with("/.");
    if matches.len() > 1 && !dest_is_dir {
        return Err(Error::usage(format!(
            "with more than one source file, the destination {:?} must be a directory and end with a /",
            spec.dest
        )));
    }
    let full = if spec.dest.starts_with('/') {
        spec.dest.to_string()
    } else {
        format!("{}/{}", spec.workdir, spec.dest)
    };
    let dest_rel = clean(&format!("/{full}"))
        .trim_start_matches('/')
        .to_string();
    let owner = opts.chown.unwrap_or(Owner { uid: 0, gid: 0 });
    let mut out = Walk {
        entries: BTreeMap::new(),
        inodes: HashMap::new(),
        owner,
        chmod: opts.chmod,
    };
    let mut scratch = Vec::new();
    for m in &matches {
        let real = ctx.resolve(m)?;
        let meta = std::fs::metadata(&real).map_err(|e| Error::not_found(format!("{m}: {e}")))?;
        if meta.is_dir() {
            if !dest_rel.is_empty() {
                out.put(&dest_rel, EntryKind::Dir, &meta);
            }
            out.walk(ctx, Some(m), &real, &dest_rel)?;
            continue;
        }
        if spec.add
            && let Some(dir) = extract_archive(&real, m)?
        {
            let p = dir.path().to_path_buf();
            scratch.push(dir);
            out.walk(ctx, None, &p, &dest_rel)?;
            continue;
        }
        let name = m.rsplit('/').next().unwrap_or(m);
        let target = match (dest_is_dir, dest_rel.is_empty()) {
            (true, true) => name.to_string(),
            (true, false) => format!("{dest_rel}/{name}"),
            (false, _) if dest_rel.is_empty() => {
                return Err(Error::usage("cannot copy a file onto /"));
            }
            (false, _) => dest_rel.clone(),
        };
        out.file(&target, &real, &meta)?;
    }
    Ok(CopyPlan {
        entries: out.finish(),
        _scratch: scratch,
    })
}

/// [`plan_copy`] then [`pack`]: the layer of one COPY/ADD, in a temp file under `temp_dir`.
pub fn pack_copy(
    ctx: &Context,
    spec: &CopySpec<'_>,
    opts: &PackOptions,
    temp_dir: &Path,
) -> Result<PackedLayer> {
    let plan = plan_copy(ctx, spec, opts)?;
    pack(plan.entries, opts, temp_dir)
}

/// A file's permission bits (`0o7777`) as the layer records them.
#[cfg(unix)]
fn file_mode(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::MetadataExt;
    meta.mode() & 0o7777
}

/// Windows has no mode bits: every file and directory gets `0o755`, as docker does when it
/// builds from Windows for a Linux image (its "-rwxr-xr-x permissions" warning); `--chmod`
/// sets them explicitly.
#[cfg(not(unix))]
fn file_mode(_meta: &std::fs::Metadata) -> u32 {
    0o755
}

/// Modification time in whole seconds since the Unix epoch; 0 for earlier or unknown times.
fn mtime_secs(meta: &std::fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
}

/// (device, inode) of a file with more than one name, so that its names become hard links in
/// the layer; None for a file with one name.
#[cfg(unix)]
fn link_identity(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    (meta.nlink() > 1).then(|| (meta.dev(), meta.ino()))
}

/// Std exposes no stable link count or file index on Windows: each name is copied as a file
/// of its own (as docker does from Windows), never as a hard link.
#[cfg(not(unix))]
fn link_identity(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// A symlink's target as the tar entry records it: as written on Unix; with `/` for `\` on
/// Windows, whose links may use either separator while the image is a Unix tree.
fn link_target(target: &Path) -> String {
    let t = target.to_string_lossy().into_owned();
    if cfg!(windows) {
        t.replace('\\', "/")
    } else {
        t
    }
}

struct Walk {
    entries: BTreeMap<String, Entry>,
    inodes: HashMap<String, (u64, u64)>,
    owner: Owner,
    chmod: Option<u32>,
}

impl Walk {
    fn put(&mut self, path: &str, kind: EntryKind, meta: &std::fs::Metadata) {
        let mode = match (&kind, self.chmod) {
            (EntryKind::Symlink { .. }, _) => 0o777,
            (_, Some(m)) => m,
            _ => file_mode(meta),
        };
        self.entries.insert(
            path.to_string(),
            Entry {
                path: path.to_string(),
                kind,
                mode,
                uid: self.owner.uid,
                gid: self.owner.gid,
                mtime: mtime_secs(meta),
            },
        );
    }

    fn file(&mut self, path: &str, real: &Path, meta: &std::fs::Metadata) -> Result<()> {
        if !meta.is_file() {
            return Err(Error::usage(format!(
                "{}: only regular files, directories and symlinks can be copied",
                real.display()
            )));
        }
        if let Some(id) = link_identity(meta) {
            self.inodes.insert(path.to_string(), id);
        }
        self.put(
            path,
            EntryKind::File {
                source: real.to_path_buf(),
            },
            meta,
        );
        Ok(())
    }

    /// Adds everything below `dir` under `dest`; `ctx_rel` is `dir`'s path in the context
    /// (for `.dockerignore`), None for scratch directories.
    fn walk(&mut self, ctx: &Context, ctx_rel: Option<&str>, dir: &Path, dest: &str) -> Result<()> {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| Error::other(format!("{}: {e}", dir.display())))?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::other(format!("{}: {e}", dir.display())))?;
        names.sort();
        for name in names {
            let n = name.to_string_lossy().into_owned();
            let path = dir.join(&name);
            let rel = ctx_rel.map(|r| {
                if r == "." {
                    n.clone()
                } else {
                    format!("{r}/{n}")
                }
            });
            let out = if dest.is_empty() {
                n.clone()
            } else {
                format!("{dest}/{n}")
            };
            let meta = path
                .symlink_metadata()
                .map_err(|e| Error::other(format!("{}: {e}", path.display())))?;
            let excluded = rel.as_deref().is_some_and(|r| ctx.excluded(r));
            if meta.is_dir() {
                if excluded && !ctx.rules.has_exceptions() {
                    continue;
                }
                if !excluded {
                    self.put(&out, EntryKind::Dir, &meta);
                }
                self.walk(ctx, rel.as_deref(), &path, &out)?;
            } else if excluded {
                continue;
            } else if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path)
                    .map_err(|e| Error::other(format!("{}: {e}", path.display())))?;
                let target = link_target(&target);
                self.put(&out, EntryKind::Symlink { target }, &meta);
            } else {
                self.file(&out, &path, &meta)?;
            }
        }
        Ok(())
    }

    /// The entries, with files sharing an inode turned into hard links to the first by path.
    fn finish(mut self) -> Vec<Entry> {
        let mut first: HashMap<(u64, u64), String> = HashMap::new();
        for (path, e) in self.entries.iter_mut() {
            if let Some(id) = self.inodes.get(path) {
                match first.get(id) {
                    Some(t) => {
                        e.kind = EntryKind::Hardlink { target: t.clone() };
                    }
                    None => {
                        first.insert(*id, path.clone());
                    }
                }
            }
        }
        self.entries.into_values().collect()
    }
}

/// When `path` is a tar or gzip-compressed tar, extracts it into a new temp dir (modes and
/// mtimes kept, entries escaping the directory skipped by the tar crate) and returns it;
/// Ok(None) for any other file (ADD copies it as is). bzip2 and xz archives are refused.
fn extract_archive(path: &Path, name: &str) -> Result<Option<tempfile::TempDir>> {
    let io = |e: std::io::Error| Error::other(format!("{name}: {e}"));
    let mut head = [0u8; 6];
    let mut f = std::fs::File::open(path).map_err(io)?;
    let n = f.read(&mut head).map_err(io)?;
    let head = &head[..n];
    if head.starts_with(b"BZh") || head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        return Err(Error::usage(format!(
            "ADD {name}: bzip2 and xz archives are not supported (use tar or tar.gz)"
        )));
    }
    let gz = head.starts_with(&[0x1f, 0x8b]);
    let open = || -> Result<Box<dyn Read>> {
        let f = std::fs::File::open(path).map_err(io)?;
        Ok(if gz {
            Box::new(flate2::read::GzDecoder::new(f))
        } else {
            Box::new(f)
        })
    };
    let mut block = vec![0u8; 512];
    let mut r = open()?;
    let mut got = 0;
    while got < 512 {
        match r.read(&mut block[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(_) if gz => return Ok(None),
            Err(e) => return Err(io(e)),
        }
    }
    if got < 512 || &block[257..262] != b"ustar" {
        return Ok(None);
    }
    let dir = tempfile::tempdir().map_err(io)?;
    let mut ar = tar::Archive::new(open()?);
    ar.set_preserve_permissions(true);
    ar.set_preserve_mtime(true);
    ar.unpack(dir.path())
        .map_err(|e| Error::integrity(format!("ADD {name}: extracting: {e}")))?;
    Ok(Some(dir))
}

// Unix only: the fixtures make symlinks (a privilege on Windows) and set mode bits (which
// Windows does not have; see `file_mode`).
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn tree() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::create_dir_all(p.join("src/sub")).unwrap();
        std::fs::write(p.join("src/a.txt"), b"a").unwrap();
        std::fs::write(p.join("src/sub/b.txt"), b"b").unwrap();
        std::fs::write(p.join("src/sub/skip.log"), b"log").unwrap();
        std::fs::write(p.join("one.go"), b"1").unwrap();
        std::fs::write(p.join("two.go"), b"2").unwrap();
        std::fs::write(p.join("Dockerfile"), b"FROM x").unwrap();
        std::fs::write(p.join(".dockerignore"), b"**/*.log\nDockerfile\n").unwrap();
        symlink("a.txt", p.join("src/link")).unwrap();
        d
    }

    fn paths(plan: &CopyPlan) -> Vec<String> {
        let mut v: Vec<String> = plan.entries.iter().map(|e| e.path.clone()).collect();
        v.sort();
        v
    }

    fn spec<'a>(sources: &'a [String], dest: &'a str) -> CopySpec<'a> {
        CopySpec {
            sources,
            dest,
            workdir: "/app",
            add: false,
        }
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn directory_copies_contents_and_honours_dockerignore() {
        let d = tree();
        let ctx = Context::open(d.path()).unwrap();
        let src = s(&["src"]);
        let plan = plan_copy(&ctx, &spec(&src, "/dst"), &PackOptions::default()).unwrap();
        assert_eq!(
            paths(&plan),
            ["dst", "dst/a.txt", "dst/link", "dst/sub", "dst/sub/b.txt"]
        );
        let link = plan.entries.iter().find(|e| e.path == "dst/link").unwrap();
        assert_eq!(
            link.kind,
            EntryKind::Symlink {
                target: "a.txt".into()
            }
        );
        // Excluded from COPY, still readable by the builder.
        let df = s(&["Dockerfile"]);
        let err = plan_copy(&ctx, &spec(&df, "/"), &PackOptions::default()).unwrap_err();
        assert!(err.to_string().contains(".dockerignore"), "{err}");
        assert_eq!(ctx.read_unfiltered("Dockerfile").unwrap(), b"FROM x");
    }

    #[test]
    fn file_dest_rules_and_workdir() {
        let d = tree();
        let ctx = Context::open(d.path()).unwrap();
        let opts = PackOptions::default();
        let one = s(&["src/a.txt"]);
        let plan = plan_copy(&ctx, &spec(&one, "rel/"), &opts).unwrap();
        assert_eq!(paths(&plan), ["app/rel/a.txt"]);
        let plan = plan_copy(&ctx, &spec(&one, "/etc/renamed"), &opts).unwrap();
        assert_eq!(paths(&plan), ["etc/renamed"]);
        let plan = plan_copy(&ctx, &spec(&one, "."), &opts).unwrap();
        assert_eq!(paths(&plan), ["app/a.txt"]);
        // A leading / is the context root.
        let abs = s(&["/src/a.txt"]);
        assert_eq!(
            paths(&plan_copy(&ctx, &spec(&abs, "x"), &opts).unwrap()),
            ["app/x"]
        );
    }

    #[test]
    fn wildcards_and_several_sources() {
        let d = tree();
        let ctx = Context::open(d.path()).unwrap();
        let opts = PackOptions::default();
        let glob = s(&["*.go"]);
        let plan = plan_copy(&ctx, &spec(&glob, "/bin/"), &opts).unwrap();
        assert_eq!(paths(&plan), ["bin/one.go", "bin/two.go"]);
        let err = plan_copy(&ctx, &spec(&glob, "/bin"), &opts).unwrap_err();
        assert!(err.to_string().contains("end with a /"), "{err}");
        let two = s(&["one.go", "src/a.txt"]);
        assert!(plan_copy(&ctx, &spec(&two, "/x"), &opts).is_err());
        let deep = s(&["src/*/b.t?t"]);
        assert_eq!(
            paths(&plan_copy(&ctx, &spec(&deep, "/d/"), &opts).unwrap()),
            ["d/b.txt"]
        );
        let none = s(&["*.rs"]);
        let err = plan_copy(&ctx, &spec(&none, "/"), &opts).unwrap_err();
        assert_eq!(err.kind(), crate::error::ErrorKind::NotFound);
        // Excluded files do not match wildcards either.
        let logs = s(&["src/sub/*.log"]);
        assert!(plan_copy(&ctx, &spec(&logs, "/"), &opts).is_err());
    }

    #[test]
    fn escaping_the_context_refused() {
        let d = tree();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), b"s").unwrap();
        symlink(outside.path().join("secret"), d.path().join("out")).unwrap();
        let ctx = Context::open(d.path()).unwrap();
        let opts = PackOptions::default();
        for src in ["../x", "src/../../x", "out"] {
            let v = s(&[src]);
            let err = plan_copy(&ctx, &spec(&v, "/"), &opts).unwrap_err();
            assert_eq!(err.kind(), crate::error::ErrorKind::Usage, "{src}: {err}");
            assert!(
                err.to_string().contains("outside the build context"),
                "{err}"
            );
        }
    }

    #[test]
    fn chown_chmod_and_hardlinks() {
        let d = tree();
        std::fs::hard_link(d.path().join("src/a.txt"), d.path().join("src/z-hard")).unwrap();
        let ctx = Context::open(d.path()).unwrap();
        let opts = PackOptions {
            chown: Some(Owner { uid: 10, gid: 20 }),
            chmod: Some(0o600),
            ..Default::default()
        };
        let v = s(&["src"]);
        let plan = plan_copy(&ctx, &spec(&v, "/o"), &opts).unwrap();
        for e in &plan.entries {
            assert_eq!((e.uid, e.gid), (10, 20), "{}", e.path);
            if !matches!(e.kind, EntryKind::Symlink { .. }) {
                assert_eq!(e.mode, 0o600, "{}", e.path);
            }
        }
        let h = plan.entries.iter().find(|e| e.path == "o/z-hard").unwrap();
        assert_eq!(
            h.kind,
            EntryKind::Hardlink {
                target: "o/a.txt".into()
            }
        );
    }

    #[test]
    fn add_extracts_tar_and_targz_and_refuses_urls() {
        let d = tree();
        let mut raw = Vec::new();
        {
            let mut b = tar::Builder::new(&mut raw);
            let mut h = tar::Header::new_ustar();
            h.set_size(3);
            h.set_mode(0o751);
            h.set_cksum();
            b.append_data(&mut h, "pkg/bin/tool", &b"abc"[..]).unwrap();
            b.finish().unwrap();
        }
        std::fs::write(d.path().join("a.tar"), &raw).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &raw).unwrap();
        std::fs::write(d.path().join("a.tar.gz"), gz.finish().unwrap()).unwrap();
        let ctx = Context::open(d.path()).unwrap();
        let opts = PackOptions::default();
        for name in ["a.tar", "a.tar.gz"] {
            let v = s(&[name]);
            let mut sp = spec(&v, "/opt/");
            sp.add = true;
            let plan = plan_copy(&ctx, &sp, &opts).unwrap();
            assert_eq!(paths(&plan), ["opt/pkg", "opt/pkg/bin", "opt/pkg/bin/tool"]);
            let tool = plan
                .entries
                .iter()
                .find(|e| e.path.ends_with("tool"))
                .unwrap();
            assert_eq!(tool.mode, 0o751);
            // COPY does not extract.
            let plan = plan_copy(&ctx, &spec(&v, "/opt/"), &opts).unwrap();
            assert_eq!(paths(&plan), [format!("opt/{name}")]);
        }
        let url = s(&["https://example.com/x.tar"]);
        let mut sp = spec(&url, "/");
        sp.add = true;
        let err = plan_copy(&ctx, &sp, &opts).unwrap_err();
        assert!(err.to_string().contains("URL"), "{err}");
    }

    #[test]
    fn same_tree_same_digest_with_source_date_epoch() {
        let d = tree();
        let ctx = Context::open(d.path()).unwrap();
        let opts = PackOptions {
            source_date_epoch: Some(1_000),
            ..Default::default()
        };
        let v = s(&["."]);
        let sp = spec(&v, "/");
        let tmp = tempfile::tempdir().unwrap();
        let a = pack_copy(&ctx, &sp, &opts, tmp.path()).unwrap();
        let b = pack_copy(&ctx, &sp, &opts, tmp.path()).unwrap();
        assert_eq!(a.digest, b.digest);
        assert_eq!(a.diff_id, b.diff_id);
        // `touch`: a newer mtime is clamped to the epoch.
        let f = std::fs::File::options()
            .append(true)
            .open(d.path().join("src/a.txt"))
            .unwrap();
        f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
            .unwrap();
        let c = pack_copy(&ctx, &sp, &opts, tmp.path()).unwrap();
        assert_eq!(a.digest, c.digest);
        // A changed mode changes it.
        std::fs::set_permissions(
            d.path().join("src/a.txt"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        let e = pack_copy(&ctx, &sp, &opts, tmp.path()).unwrap();
        assert_ne!(a.digest, e.digest);
    }
}
