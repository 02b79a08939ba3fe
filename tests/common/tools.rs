//! Runners for the `imgctl` binary under test and for peer tools (`skopeo`, `umoci`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// A sandbox for running `imgctl`: a temp dir holding a fresh store (`IMGCTL_STORE`) and a
/// fresh home (`HOME`, `XDG_*`, `DOCKER_CONFIG`), so no user configuration or credentials leak
/// in. Everything is removed on Drop.
pub struct Imgctl {
    dir: TempDir,
}

impl Default for Imgctl {
    /// Same as [`Imgctl::new`].
    fn default() -> Self {
        Imgctl::new()
    }
}

impl Imgctl {
    /// Creates the sandbox dirs (`store/`, `home/`, `home/.config`, `home/.docker`, `run/`).
    pub fn new() -> Imgctl {
        let dir = tempfile::Builder::new()
            .prefix("imgctl-sandbox-")
            .tempdir()
            .unwrap();
        for sub in ["store", "home/.config", "home/.docker", "run"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Imgctl { dir }
    }

    /// The store directory passed as `IMGCTL_STORE`.
    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// The fake home directory (`HOME`).
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The blob location record (`IMGCTL_CACHE_DIR/blob-locations`) imgctl keeps for mounts
    /// across runs.
    pub fn blob_locations(&self) -> PathBuf {
        self.home().join(".cache/imgctl/blob-locations")
    }

    /// Removes the blob location record, so that the next push uploads what an earlier run
    /// would otherwise let it mount (tests of the upload paths themselves).
    pub fn forget_blob_locations(&self) {
        match std::fs::remove_file(self.blob_locations()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => panic!("cannot remove the blob location record: {e}"),
        }
    }

    /// The sandbox root (scratch space for test files).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A `Command` for the `imgctl` binary with the sandbox environment set.
    pub fn cmd(&self) -> Command {
        imgctl_with_store(&self.store(), &self.home(), &self.dir.path().join("run"))
    }

    /// Runs `imgctl ARGS` and returns its output (does not check the exit status).
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("spawn imgctl")
    }

    /// Runs `imgctl ARGS`, panics with stdout/stderr unless it exits 0; returns stdout.
    pub fn run_ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "imgctl {args:?} failed: {}",
            describe(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// A `Command` for the `imgctl` binary in a fresh sandbox (store, home) created under cargo's
/// `CARGO_TARGET_TMPDIR` and kept after the test (cargo clean removes it). Use [`Imgctl::new`]
/// instead when the store should be inspected or removed with the test.
pub fn imgctl() -> Command {
    let dir = tempfile::Builder::new()
        .prefix("imgctl-sandbox-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
        .keep();
    for sub in ["store", "home/.config", "home/.docker", "run"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    imgctl_with_store(&dir.join("store"), &dir.join("home"), &dir.join("run"))
}

/// A `Command` for `env!("CARGO_BIN_EXE_imgctl")` with `IMGCTL_STORE=store`, `HOME=home`,
/// `XDG_CONFIG_HOME=home/.config`, `DOCKER_CONFIG=home/.docker`, `XDG_RUNTIME_DIR=run`,
/// `IMGCTL_CACHE_DIR=home/.cache/imgctl`, and
/// `REGISTRY_AUTH_FILE` / `RUST_LOG` / `NO_COLOR` normalised.
pub fn imgctl_with_store(store: &Path, home: &Path, run_dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_imgctl"));
    c.env("IMGCTL_STORE", store)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("DOCKER_CONFIG", home.join(".docker"))
        .env("XDG_RUNTIME_DIR", run_dir)
        .env("IMGCTL_CACHE_DIR", home.join(".cache").join("imgctl"))
        .env("NO_COLOR", "1")
        .env_remove("REGISTRY_AUTH_FILE")
        .env_remove("RUST_LOG");
    c
}

/// Runs `c` with `args`, feeding `stdin` (or /dev/null when None), and returns its output.
/// imgctl may exit on a usage error before it reads stdin: a broken pipe is accepted then,
/// any other write error fails the test.
pub fn run_with_stdin(mut c: Command, args: &[&str], stdin: Option<&str>) -> Output {
    c.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    if let Some(s) = stdin {
        use std::io::Write as _;
        if let Err(e) = child.stdin.take().unwrap().write_all(s.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    }
    child.wait_with_output().unwrap()
}

/// Formats an `Output` (status, stdout, stderr) for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `skopeo --insecure-policy ARGS` (no signature policy) with an empty auth file, so the
/// only credentials used are those on the command line; returns its output.
pub fn skopeo(args: &[impl AsRef<std::ffi::OsStr>]) -> Output {
    let auth = tempfile::Builder::new()
        .prefix("skopeo-auth-")
        .suffix(".json")
        .tempfile()
        .unwrap();
    std::fs::write(auth.path(), "{\"auths\":{}}").unwrap();
    Command::new("skopeo")
        .arg("--insecure-policy")
        .args(args)
        .env("REGISTRY_AUTH_FILE", auth.path())
        .stdin(Stdio::null())
        .output()
        .expect("spawn skopeo (is it installed?)")
}

/// Like [`skopeo`] but panics with its stderr unless it exits 0; returns stdout.
pub fn skopeo_ok(args: &[impl AsRef<std::ffi::OsStr>]) -> String {
    let out = skopeo(args);
    let shown: Vec<_> = args
        .iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect();
    assert!(
        out.status.success(),
        "skopeo {shown:?} failed: {}",
        describe(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `skopeo inspect --raw` of `image` (e.g. `oci:DIR:TAG`, `docker://…`) with extra `flags`;
/// returns the raw manifest bytes and their `sha256:` digest.
pub fn skopeo_raw_manifest(image: &str, flags: &[String]) -> (Vec<u8>, String) {
    let mut args: Vec<String> = vec!["inspect".into(), "--raw".into()];
    args.extend(flags.iter().cloned());
    args.push(image.into());
    let out = skopeo(&args);
    assert!(
        out.status.success(),
        "skopeo {args:?} failed: {}",
        describe(&out)
    );
    let digest = super::image::sha256_digest(&out.stdout);
    (out.stdout, digest)
}

/// Whether the tests run as root (effective uid 0).
#[cfg(unix)]
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// No root on Windows: the suites that ask are Linux-only (see tests/portability.rs).
#[cfg(not(unix))]
pub fn is_root() -> bool {
    false
}

/// Runs `umoci ARGS`, returns its output. As an ordinary user `umoci unpack` gets
/// `--rootless` (unless given): without it umoci tries to chown the extracted files to their
/// owners in the layer and fails with `operation not permitted`.
pub fn umoci(args: &[impl AsRef<std::ffi::OsStr>]) -> Output {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    let mut c = Command::new("umoci");
    match args.split_first() {
        Some((first, rest))
            if *first == "unpack" && !is_root() && !rest.iter().any(|a| *a == "--rootless") =>
        {
            c.arg(first).arg("--rootless").args(rest)
        }
        _ => c.args(&args),
    };
    c.stdin(Stdio::null())
        .output()
        .expect("spawn umoci (is it installed?)")
}

/// Runs `umoci stat --json --image DIR:TAG`, panics unless it succeeds; returns its JSON.
pub fn umoci_stat(layout_dir: &Path, tag: &str) -> serde_json::Value {
    let image = format!("{}:{tag}", layout_dir.display());
    let out = umoci(&["stat", "--json", "--image", &image]);
    assert!(
        out.status.success(),
        "umoci stat {image} failed: {}",
        describe(&out)
    );
    serde_json::from_slice(&out.stdout).expect("umoci stat JSON")
}

/// `cmd` (program, arguments, environment, working directory) run through
/// `sh -c 'umask MASK && exec "$@"'`, so the process starts with file-creation mask `umask`
/// (octal, e.g. `"022"`) whatever the test runner's is.
pub fn with_umask(cmd: &Command, umask: &str) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(format!("umask {umask} && exec \"$@\""))
        .arg("sh")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    if let Some(d) = cmd.get_current_dir() {
        c.current_dir(d);
    }
    c
}
