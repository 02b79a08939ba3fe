//! The local store and `oci:` layouts as sources and destinations: a corrupt source blob is
//! the source's fault; a failed copy into a new layout leaves nothing behind.

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use std::path::Path;

use common::*;
use proxy::{Fault, FaultProxy};
use serde_json::Value;

fn code(out: &std::process::Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn run(sb: &Imgctl, args: &[&str]) -> std::process::Output {
    let mut a = vec!["--progress", "none"];
    a.extend_from_slice(args);
    sb.run(&a)
}

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
