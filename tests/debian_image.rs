//! Real input: a Debian bookworm minbase root filesystem (debootstrap, packed as an OCI image
//! layout by umoci in `scripts/debian-image.sh`) pushed, pulled, tagged and pushed again.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;
use serde_json::Value;

/// Builds (or reuses from the cache) the Debian layout; returns (layout dir, manifest digest).
///
/// The layout is `debian-layout` in `$IMGCTL_TEST_CACHE` (default `~/.cache/imgctl-test`).
/// One already there is reused by any user (the script's fast path needs no root). Building
/// one needs root (debootstrap, root-owned files and device nodes): as root the script runs
/// directly; an ordinary user with passwordless sudo (GitHub's runners) runs it through
/// `sudo -n` and then owns the cache. `None` (the test is skipped, saying why on stderr) only
/// when there is no layout and no way to become root.
fn debian_layout() -> Option<(PathBuf, String)> {
    let cache = std::env::var_os("IMGCTL_TEST_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into()))
                .join(".cache/imgctl-test")
        });
    let layout = cache.join("debian-layout");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/debian-image.sh");
    let have_layout = layout.join("index.json").is_file();
    let mut c = if is_root() || have_layout {
        Command::new("bash")
    } else if Command::new("sudo")
        .args(["-n", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let mut c = Command::new("sudo");
        c.arg("-n")
            .arg("env")
            .arg(format!("IMGCTL_TEST_CACHE={}", cache.display()))
            .arg("bash");
        c
    } else {
        eprintln!(
            "skipping debian_rootfs_push_pull_tag_push: there is no Debian layout at {} and \
             building one (scripts/debian-image.sh: debootstrap) needs root, but this test runs \
             as an ordinary user without passwordless sudo; run it once as root with the same \
             IMGCTL_TEST_CACHE, or copy a built debian-layout there",
            layout.display()
        );
        return None;
    };
    let out = c
        .arg(&script)
        .arg(&layout)
        .arg("bookworm")
        .output()
        .expect("run debian-image.sh");
    assert!(
        out.status.success(),
        "debian-image.sh failed: {}",
        describe(&out)
    );
    if !is_root() && !have_layout {
        // built through sudo: hand the cache to the user running the tests
        // SAFETY: getuid/getgid have no preconditions and cannot fail.
        let owner = unsafe { format!("{}:{}", libc::getuid(), libc::getgid()) };
        let out = Command::new("sudo")
            .args(["-n", "chown", "-R", &owner])
            .arg(&cache)
            .output()
            .expect("run sudo chown");
        assert!(out.status.success(), "sudo chown: {}", describe(&out));
    }
    let digest = stdout(&out)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_string();
    assert!(
        digest.starts_with("sha256:"),
        "unexpected output: {}",
        describe(&out)
    );
    Some((layout, digest))
}

#[test]
fn debian_rootfs_push_pull_tag_push() {
    let Some((layout, digest)) = debian_layout() else {
        return;
    };
    let reg = Registry::start(Mode::Token);
    let sb = Imgctl::new();
    let creds = format!("{USER}:{PASSWORD}");
    let src = format!("oci:{}:bookworm", layout.display());

    // layout → registry
    let out = sb.run_ok(&[
        "-q",
        "--creds",
        &creds,
        "copy",
        &src,
        &reg.reference("debian/base:bookworm"),
    ]);
    assert_eq!(out.trim(), digest);
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("debian/base:bookworm")),
        &reg.skopeo_flags("", Some((USER, PASSWORD))),
    );
    assert_eq!(d, digest);

    // registry → store
    let name = reg.reference("debian/base:bookworm");
    let out = sb.run_ok(&["-q", "--creds", &creds, "pull", &name]);
    assert_eq!(out.trim(), digest);
    let inspect: Value = serde_json::from_str(&skopeo_ok(&[
        "inspect",
        &format!("oci:{}:{name}", sb.store().display()),
    ]))
    .unwrap();
    assert_eq!(inspect["Digest"], digest.as_str());
    assert_eq!(inspect["Layers"].as_array().unwrap().len(), 2);

    // the pulled filesystem is intact: unpack it with umoci and look inside
    let bundle = sb.dir().join("bundle");
    let out = umoci(&[
        "unpack",
        "--image",
        &format!("{}:{name}", sb.store().display()),
        bundle.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let rootfs = bundle.join("rootfs");
    assert!(rootfs.join("etc/imgctl-test").is_file());
    assert!(!rootfs.join("etc/motd").exists(), "whiteout applied");
    assert!(
        std::fs::read_to_string(rootfs.join("etc/debian_version"))
            .unwrap()
            .starts_with("12")
    );

    // tag in the store and push under the new name: same digest; blobs mounted, none uploaded
    let new = reg.reference("debian/tagged:1");
    sb.run_ok(&["tag", &name, &new]);
    let out = sb.run_ok(&[
        "--format",
        "json",
        "--progress",
        "none",
        "--creds",
        &creds,
        "push",
        &new,
    ]);
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["digest"], digest.as_str());
    assert_eq!(r["blobs"]["uploaded"], 0, "{r}");
    assert_eq!(
        r["blobs"]["mounted"], 3,
        "mounted from the repository it was pulled from: {r}"
    );
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{new}"),
        &reg.skopeo_flags("", Some((USER, PASSWORD))),
    );
    assert_eq!(d, digest);
}
