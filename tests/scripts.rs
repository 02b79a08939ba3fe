//! The repository's scripts: `scripts/demo.sh` run end to end against a real
//! `docker-registry` (with a stand-in `cargo` that puts the imgctl under test where
//! `cargo build --release` would, so no release build runs here), and `scripts/test.sh`'s list
//! of what it installs (with stand-in `apt-get` and `cargo` recording their arguments).

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes an executable `#!/bin/sh` script `name` with `body` into `dir`.
fn stub(dir: &Path, name: &str, body: &str) {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The entries of `dir` (a temp dir the script was told to use as `TMPDIR`).
fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Runs `scripts/demo.sh` in sandbox `sb` with `stubs` first on `PATH`, temp files in `tmp`
/// and cargo's target dir in `target`.
fn demo(sb: &Imgctl, stubs: &Path, tmp: &Path, target: &Path) -> Output {
    Command::new("bash")
        .arg(repo().join("scripts/demo.sh"))
        .env(
            "PATH",
            format!("{}:{}", stubs.display(), std::env::var("PATH").unwrap()),
        )
        .env("TMPDIR", tmp)
        .env("CARGO_TARGET_DIR", target)
        .env("HOME", sb.home())
        .env("XDG_CONFIG_HOME", sb.home().join(".config"))
        .env("DOCKER_CONFIG", sb.home().join(".docker"))
        .env("NO_COLOR", "1")
        .env_remove("IMGCTL_STORE")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn demo_says_what_it_builds_runs_the_main_job_and_leaves_no_temp_dir() {
    let sb = Imgctl::new();
    let stubs = sb.dir().join("stubs");
    let tmp = sb.dir().join("tmp");
    let target = sb.dir().join("target");
    for d in [&stubs, &tmp, &target] {
        std::fs::create_dir_all(d).unwrap();
    }
    stub(
        &stubs,
        "cargo",
        &format!(
            "echo \"stand-in cargo $*\" >&2\nmkdir -p \"$CARGO_TARGET_DIR/release\"\ncp {} \"$CARGO_TARGET_DIR/release/imgctl\"",
            env!("CARGO_BIN_EXE_imgctl")
        ),
    );
    let out = demo(&sb, &stubs, &tmp, &target);
    assert!(out.status.success(), "{}", describe(&out));
    let stderr = stderr(&out);
    let stdout = stdout(&out);
    // it says what it builds before the (minutes-long) build starts
    let said = stderr
        .find("demo: building imgctl: cargo build --release into")
        .unwrap_or_else(|| panic!("{stderr}"));
    let built = stderr
        .find("stand-in cargo build --locked --release")
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(said < built, "{stderr}");
    assert!(
        stderr.contains("demo: starting a throw-away registry"),
        "{stderr}"
    );
    // the bundled image reached the registry with its digest, and got both new tags
    let index: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo().join("examples/hello-layout/index.json")).unwrap(),
    )
    .unwrap();
    let digest = index["manifests"][0]["digest"].as_str().unwrap();
    assert!(stdout.contains(digest), "{stdout}\n{stderr}");
    let tags: Vec<&str> = stdout
        .lines()
        .filter(|l| *l == "1.0" || *l == "stable")
        .collect();
    assert_eq!(tags, ["1.0", "stable"], "{stdout}");
    // registry storage, store and logs lived in one temp dir, removed at the end
    assert_eq!(entries(&tmp), Vec::<String>::new());

    // a failure after the temp dir exists (no free port from python3) still removes it
    stub(&stubs, "python3", "echo 'python3: broken' >&2; exit 1");
    let out = demo(&sb, &stubs, &tmp, &target);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(entries(&tmp), Vec::<String>::new());
    std::fs::remove_file(stubs.join("python3")).unwrap();

    // a registry that does not start: the demo says so, shows its log, and cleans up
    stub(
        &stubs,
        "docker-registry",
        "echo 'configuration error: bad storage' >&2; exit 1",
    );
    let out = demo(&sb, &stubs, &tmp, &target);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        stderr.contains("the registry did not come up") && stderr.contains("bad storage"),
        "{stderr}"
    );
    assert_eq!(entries(&tmp), Vec::<String>::new());
}

#[test]
fn test_script_installs_every_tool_the_tests_need() {
    let sb = Imgctl::new();
    let bin = sb.dir().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    // PATH holds only this directory: the system tools test.sh uses, stand-ins for the peers
    // it finds installed, and recording stand-ins for apt-get, sudo and cargo. jq and python3
    // are missing.
    for tool in ["bash", "env", "dirname", "id"] {
        let path = ["/usr/bin", "/bin"]
            .iter()
            .map(|d| Path::new(d).join(tool))
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("{tool} not found"));
        std::os::unix::fs::symlink(path, bin.join(tool)).unwrap();
    }
    for present in [
        "docker-registry",
        "skopeo",
        "umoci",
        "buildah",
        "htpasswd",
        "openssl",
        "debootstrap",
        "gnome-keyring-daemon",
        "dbus-run-session",
        "keyctl",
    ] {
        stub(&bin, present, "exit 0");
    }
    let log = sb.dir().join("calls");
    stub(
        &bin,
        "apt-get",
        &format!("echo \"apt-get $*\" >> {}", log.display()),
    );
    stub(
        &bin,
        "cargo",
        &format!("echo \"cargo $*\" >> {}", log.display()),
    );
    stub(&bin, "sudo", "exec \"$@\"");
    let out = Command::new(bin.join("bash"))
        .arg(repo().join("scripts/test.sh"))
        .args(["--test", "nothing"])
        .env("PATH", &bin)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let calls = std::fs::read_to_string(&log).unwrap();
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(
        calls,
        [
            "apt-get update -qq",
            "apt-get install -y -qq jq python3",
            "cargo test --locked --test nothing"
        ],
        "{}",
        describe(&out)
    );
}
