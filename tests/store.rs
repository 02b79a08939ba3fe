//! The local store and `oci:` layouts as sources and destinations: a corrupt source blob is
//! the source's fault; a failed copy into a new layout leaves nothing behind.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use common::*;
use proxy::{Fault, FaultProxy};
use serde_json::Value;

/// Manifest PUTs the registry answered.
fn manifest_puts(reg: &Registry) -> usize {
    reg.access_log()
        .iter()
        .filter(|e| e.method == "PUT" && e.path.contains("/manifests/"))
        .count()
}

/// A blob of an `oci:` source whose file no longer matches its digest (changed in place, or
/// cut short) is reported as the source's corruption — "blob … in oci:DIR:TAG does not match
/// its digest", exit 7 — whether the registry refused the upload (DIGEST_INVALID) or a layout
/// write found the mismatch; never as a failed upload or write. No manifest reaches the
/// registry, and the new destination layout is not left behind.
#[test]
fn a_corrupt_blob_in_an_oci_source_is_blamed_on_the_source_not_the_upload() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_standard_image(&src, "v1");
    let m = read_json_blob(&src, &digest);
    let layer = m["layers"][1]["digest"].as_str().unwrap().to_string();
    let layer_size = m["layers"][1]["size"].as_u64().unwrap();
    let config = m["config"]["digest"].as_str().unwrap().to_string();
    let from = format!("oci:{}:v1", p(&src));
    let original = std::fs::read(blob_path(&src, &layer)).unwrap();

    let check = |blob: &str, repo: &str, extra: Option<&str>| {
        let new_layout = sb.dir().join("new").join("layout");
        for dest in [
            format!("docker://{}", reg.reference(&format!("{repo}:v1"))),
            format!("oci:{}:v1", p(&new_layout)),
        ] {
            let out = run(&sb, &["copy", &from, &dest]);
            assert_eq!(code(&out), 7, "{dest}: {}", describe(&out));
            let err = stderr(&out);
            assert!(
                err.contains(&format!("blob {blob} in {from} does not match its digest")),
                "{dest}: {err}"
            );
            if let Some(x) = extra {
                assert!(err.contains(x), "{dest}: {err}");
            }
            for wrong in ["cannot upload", "failed to copy blob", "failed to write"] {
                assert!(!err.contains(wrong), "{dest}: {wrong:?} in {err}");
            }
            assert!(err.contains("hint: the layout is corrupt"), "{dest}: {err}");
            assert!(!sb.dir().join("new").exists(), "{dest}: layout left behind");
        }
        assert_eq!(manifest_puts(&reg), 0);
    };

    // Same size, one byte changed: the upload itself goes through and the registry refuses it.
    let mut flipped = original.clone();
    flipped[original.len() / 2] ^= 0xff;
    std::fs::write(blob_path(&src, &layer), &flipped).unwrap();
    check(&layer, "flipped", None);

    // Cut short: the size differs from the manifest's.
    std::fs::write(blob_path(&src, &layer), &original[..original.len() / 2]).unwrap();
    check(
        &layer,
        "short",
        Some(&format!("(the manifest says {layer_size} bytes)")),
    );

    // A corrupt config (read first, for the image's platform) is reported the same way.
    std::fs::write(blob_path(&src, &layer), &original).unwrap();
    let mut cfg = std::fs::read(blob_path(&src, &config)).unwrap();
    let at = cfg.iter().position(|b| *b == b'a').unwrap();
    cfg[at] = b'b';
    std::fs::write(blob_path(&src, &config), &cfg).unwrap();
    check(&config, "config", None);

    // The source restored, the same copies succeed (the failures were the source's).
    cfg[at] = b'a';
    std::fs::write(blob_path(&src, &config), &cfg).unwrap();
    let to = format!("docker://{}", reg.reference("flipped:v1"));
    assert_eq!(sb.run_ok(&["-q", "copy", &from, &to]).trim(), digest);
}

/// A copy that fails into an `oci:` directory it had to create removes what it created: the
/// directory (with the parents it made), or the layout files it put into an empty directory;
/// an existing layout stays as it was. After a network failure a rerun can resume, so the new
/// layout is kept with its partial downloads (the hint says so), and the rerun completes it.
#[test]
fn a_failed_copy_into_a_new_oci_directory_leaves_no_layout_behind() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_random_image(&src, "v1", 1, 3 << 20, 7);
    let from = format!("oci:{}:v1", p(&src));
    let missing = format!("oci:{}:nope", p(&src));

    // A new directory, two levels of it missing: both go.
    let top = sb.dir().join("new");
    let deep = top.join("sub").join("layout");
    let out = run(&sb, &["copy", &missing, &format!("oci:{}:v1", p(&deep))]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(!top.exists(), "layout left behind");

    // An empty directory the user made stays, empty.
    let empty = sb.dir().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = run(&sb, &["copy", &missing, &format!("oci:{}:v1", p(&empty))]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(empty.is_dir());
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);

    // An existing layout keeps its image and its index.json byte for byte.
    let existing = sb.dir().join("existing");
    sb.run_ok(&["-q", "copy", &from, &format!("oci:{}:v1", p(&existing))]);
    let index = std::fs::read(existing.join("index.json")).unwrap();
    let out = run(
        &sb,
        &["copy", &missing, &format!("oci:{}:v2", p(&existing))],
    );
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert_eq!(std::fs::read(existing.join("index.json")).unwrap(), index);
    assert!(existing.join("oci-layout").is_file());

    // A network failure in the middle of a download: kept for resuming, then completed.
    sb.run_ok(&[
        "-q",
        "copy",
        &from,
        &format!("docker://{}", reg.reference("app:v1")),
    ]);
    let proxy = FaultProxy::start(&reg.host());
    let m = read_json_blob(&src, &digest);
    let layer = m["layers"][0]["digest"].as_str().unwrap().to_string();
    proxy.add(
        "GET",
        &format!("/blobs/{layer}"),
        0,
        Fault::CutBody { after: 1 << 20 },
    );
    let resumable = sb.dir().join("resumable");
    let dest = format!("oci:{}:v1", p(&resumable));
    let remote = format!("docker://{}", proxy.reference("app:v1"));
    let out = run(&sb, &["--retries", "0", "copy", &remote, &dest]);
    assert_eq!(code(&out), 6, "{}", describe(&out));
    assert!(
        stderr(&out).contains("run the same command again to resume"),
        "{}",
        describe(&out)
    );
    let partial = resumable
        .join(".imgctl")
        .join("partial")
        .join(layer.replace(':', "-"));
    assert!(
        std::fs::metadata(&partial).is_ok_and(|m| m.len() > 0),
        "no partial download kept"
    );
    proxy.clear();
    let out = run(&sb, &["copy", &remote, &dest]);
    assert!(out.status.success(), "{}", describe(&out));
    let v: Value =
        serde_json::from_slice(&std::fs::read(resumable.join("index.json")).unwrap()).unwrap();
    assert_eq!(v["manifests"][0]["digest"], digest.as_str());
    let range = proxy
        .seen()
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains(&layer))
        .filter_map(|r| r.range.clone())
        .next_back();
    assert!(range.is_some_and(|r| r != "bytes=0-"), "not resumed");
}

/// Runs `script` (sh) with `args` in a new mount namespace where it may mount a tmpfs: as
/// root with `unshare --mount`, as an ordinary user in a user namespace (`unshare --user
/// --map-root-user --mount`). `None` when this machine allows neither (a container without
/// the privilege, a kernel or AppArmor policy refusing unprivileged user namespaces).
fn in_mount_namespace(script: &str, args: &[&str]) -> Option<std::process::Output> {
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    let probe: &[&str] = if root {
        &["--mount"]
    } else {
        &["--user", "--map-root-user", "--mount"]
    };
    let ok = std::process::Command::new("unshare")
        .args(probe)
        .args(["sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null || mount -t tmpfs -o size=64k tmpfs \"$TMPDIR\""])
        .env("TMPDIR", std::env::temp_dir())
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        return None;
    }
    Some(
        std::process::Command::new("unshare")
            .args(probe)
            .args(["sh", "-c", script, "sh"])
            .args(args)
            .output()
            .unwrap(),
    )
}

/// A pull that runs out of disk space, on a real small filesystem (a 4 MiB tmpfs holding the
/// store): it fails with the full-disk hint and leaves no partial download filling the disk;
/// on a disk filled by an old partial download `rmi` still works (it deletes unused partial
/// downloads before writing `index.json`), and on a disk filled by something else too (it
/// deletes the image's layers first); `imgctl prune` works on a full disk. Needs a tmpfs
/// mount: as root, or in a user namespace; skipped, saying so, where neither is allowed.
#[test]
fn pull_rmi_and_prune_on_a_full_disk() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    build_random_image(&src, "small", 1, 300 << 10, 1);
    build_random_image(&src, "big", 1, 6 << 20, 2);
    for tag in ["small", "big"] {
        sb.run_ok(&[
            "-q",
            "copy",
            &format!("oci:{}:{tag}", p(&src)),
            &format!("docker://{}", reg.reference(&format!("app:{tag}"))),
        ]);
    }
    let mnt = sb.dir().join("mnt");
    let out = sb.dir().join("out");
    std::fs::create_dir_all(&mnt).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let script = r#"
        set -u
        M=$1; OUT=$2; BIN=$3; SMALL=$4; BIG=$5
        mount -t tmpfs -o size=4m tmpfs "$M" || exit 90
        export IMGCTL_STORE="$M/store"
        run() { n=$1; shift; "$BIN" --progress none "$@" >"$OUT/$n.out" 2>"$OUT/$n.err"; echo $? >"$OUT/$n.rc"; }
        fill() { dd if=/dev/zero of="$1" bs=16k 2>/dev/null; true; }
        run pull_small pull "$SMALL"
        run pull_big pull "$BIG"
        find "$M/store/.imgctl/partial" "$M/store/.imgctl/tmp" -type f >"$OUT/after_big.files" 2>/dev/null
        # a partial download of an earlier run (killed, or an older imgctl) fills the disk
        fill "$M/store/.imgctl/partial/sha256-$(printf '%064d' 0)"
        run rmi_small rmi "$SMALL"
        find "$M/store/.imgctl/partial" -type f >"$OUT/after_rmi.files"
        # full of something else: rmi deletes the image's layers before writing index.json
        run pull_again pull "$SMALL"
        fill "$M/filler"
        run rmi_again rmi "$SMALL"
        run images --format json images
        # prune on a full disk
        rm -f "$M/filler"
        fill "$M/store/.imgctl/partial/sha256-$(printf '%064d' 1)"
        run prune --format json prune
        find "$M/store/.imgctl/partial" -type f >"$OUT/after_prune.files"
    "#;
    let bin = env!("CARGO_BIN_EXE_imgctl");
    let small = reg.reference("app:small");
    let big = reg.reference("app:big");
    let Some(ran) = in_mount_namespace(script, &[p(&mnt), p(&out), bin, &small, &big]) else {
        eprintln!(
            "skipped: this test needs a tmpfs mount (root, or unprivileged user namespaces), which this machine refuses"
        );
        return;
    };
    assert!(ran.status.success(), "{}", describe(&ran));
    let read = |n: &str| std::fs::read_to_string(out.join(n)).unwrap_or_default();
    let rc = |n: &str| read(&format!("{n}.rc")).trim().to_string();

    assert_eq!(rc("pull_small"), "0", "{}", read("pull_small.err"));
    assert_ne!(rc("pull_big"), "0");
    let err = read("pull_big.err");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(
        err.contains("hint: the disk holding the store or layout is full"),
        "{err}"
    );
    assert!(err.contains("imgctl prune"), "{err}");
    assert_eq!(
        read("after_big.files"),
        "",
        "partial files left after a full disk"
    );

    assert_eq!(rc("rmi_small"), "0", "{}", read("rmi_small.err"));
    assert!(read("rmi_small.out").contains(&format!("Untagged: {small}")));
    assert_eq!(
        read("after_rmi.files"),
        "",
        "the old partial download is gone"
    );

    assert_eq!(rc("pull_again"), "0", "{}", read("pull_again.err"));
    assert_eq!(rc("rmi_again"), "0", "{}", read("rmi_again.err"));
    assert_eq!(rc("images"), "0", "{}", read("images.err"));
    let images: Value = serde_json::from_str(&read("images.out")).unwrap();
    assert_eq!(images, serde_json::json!([]));

    assert_eq!(rc("prune"), "0", "{}", read("prune.err"));
    let pruned: Value = serde_json::from_str(&read("prune.out")).unwrap();
    assert_eq!(pruned["partialDownloads"], 1, "{pruned}");
    assert!(pruned["bytesFreed"].as_u64().unwrap() > 1 << 20, "{pruned}");
    assert_eq!(read("after_prune.files"), "");
}

/// A blob the registry answers 404 for leaves no empty partial download in the store.
#[test]
fn a_404_blob_leaves_no_empty_partial_download() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_standard_image(&src, "v1");
    let to = format!("docker://{}", reg.reference("app:v1"));
    sb.run_ok(&["-q", "copy", &format!("oci:{}:v1", p(&src)), &to]);
    let m = read_json_blob(&src, &digest);
    let proxy = FaultProxy::start(&reg.host());
    for l in m["layers"].as_array().unwrap() {
        proxy.add(
            "GET",
            &format!("/blobs/{}", l["digest"].as_str().unwrap()),
            0,
            Fault::Respond {
                status: 404,
                body:
                    r#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}"#
                        .into(),
                content_type: "application/json",
                retry_after: None,
            },
        );
    }
    let out = run(&sb, &["pull", &proxy.reference("app:v1")]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let partial = sb.store().join(".imgctl").join("partial");
    let left: Vec<_> = std::fs::read_dir(&partial)
        .map(|rd| rd.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    for name in &left {
        let len = std::fs::metadata(partial.join(name)).unwrap().len();
        assert!(len > 0, "0-byte partial {name:?} left after a 404");
    }
}
