//! Mounts across runs (issue 12): a push into a new repository of a registry mounts the blobs
//! an earlier imgctl process saw in another repository of that registry (the blob location
//! record in the cache directory), instead of uploading them again; a stale record costs a
//! refused mount, never the copy.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use common::*;
use serde_json::Value;

/// Blob uploads (PATCH or PUT to an upload session) the registry saw for `repo`.
fn blob_writes(reg: &Registry, repo: &str) -> usize {
    let prefix = format!("/v2/{repo}/blobs/uploads/");
    reg.access_log()
        .iter()
        .filter(|e| (e.method == "PATCH" || e.method == "PUT") && e.path.starts_with(&prefix))
        .count()
}

fn copy_json(sb: &Imgctl, extra: &[&str], from: &str, to: &str) -> Value {
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(["copy", from, to]);
    json_out(sb, &args)
}

#[test]
fn a_new_repository_mounts_what_an_earlier_run_pushed_elsewhere() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_random_image(&src, "v1", 2, 256 * 1024, 41);
    let from = format!("oci:{}:v1", src.display());

    let r = copy_json(&sb, &[], &from, &reg.reference("team/x:v1"));
    assert_eq!(r["blobs"]["uploaded"], 3, "{r}"); // config + 2 layers
    assert!(sb.blob_locations().is_file(), "no record written");

    // A new process, a new repository: every blob is mounted from team/x, no byte sent.
    let r = copy_json(&sb, &[], &from, &reg.reference("team/y:v1"));
    assert_eq!(r["digest"], digest.as_str(), "{r}");
    assert_eq!(r["blobs"]["uploaded"], 0, "{r}");
    assert_eq!(r["blobs"]["mounted"], 3, "{r}");
    assert_eq!(r["blobs"]["bytes"], 0, "{r}");
    assert_eq!(blob_writes(&reg, "team/y"), 0, "{:?}", reg.access_log());
    // What was mounted is the image: skopeo reads it back by digest.
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("team/y:v1")),
        &reg.skopeo_flags("", None),
    );
    assert_eq!(d, digest);

    // The control: a user without the record (another cache directory) uploads everything.
    let other = Imgctl::new();
    let r = copy_json(&other, &[], &from, &reg.reference("team/z:v1"));
    assert_eq!(r["blobs"]["uploaded"], 3, "{r}");
    assert_eq!(r["blobs"]["mounted"], 0, "{r}");
}

#[test]
fn a_pull_records_where_its_blobs_are_for_a_later_push() {
    let reg = Registry::start(Mode::Plain);
    let seed = Imgctl::new();
    let src = seed.dir().join("src");
    build_random_image(&src, "v1", 1, 128 * 1024, 42);
    seed.run_ok(&[
        "-q",
        "copy",
        &format!("oci:{}:v1", src.display()),
        &reg.reference("base:v1"),
    ]);

    // Another user copies base:v1 into an OCI layout (which keeps no origin, unlike the
    // store), then pushes the layout's image to a new repository: the record alone says
    // where the blobs are.
    let sb = Imgctl::new();
    let lay = sb.dir().join("lay");
    sb.run_ok(&[
        "-q",
        "copy",
        &reg.reference("base:v1"),
        &format!("oci:{}:v1", lay.display()),
    ]);
    let r = copy_json(
        &sb,
        &[],
        &format!("oci:{}:v1", lay.display()),
        &reg.reference("app:v1"),
    );
    assert_eq!(r["blobs"]["uploaded"], 0, "{r}");
    assert_eq!(r["blobs"]["mounted"], 2, "{r}"); // config + layer
    assert_eq!(blob_writes(&reg, "app"), 0);
}

#[test]
fn a_stale_record_falls_back_to_an_upload_that_verifies() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_random_image(&src, "v1", 2, 64 * 1024, 43);
    let from = format!("oci:{}:v1", src.display());
    sb.run_ok(&["-q", "copy", &from, &reg.reference("first:v1")]);

    // The record now claims the blobs are in a repository that never held them.
    let path = sb.blob_locations();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\tfirst\t"), "{text}");
    let stale: String = text
        .lines()
        .map(|l| format!("{}\n", l.replace("\tfirst\t", "\tnever-pushed\t")))
        .collect();
    std::fs::write(&path, stale).unwrap();

    let r = copy_json(&sb, &[], &from, &reg.reference("second:v1"));
    assert_eq!(r["digest"], digest.as_str(), "{r}");
    assert_eq!(r["blobs"]["uploaded"], 3, "{r}");
    assert_eq!(r["blobs"]["mounted"], 0, "{r}");
    // The mount attempts were made (and refused) before the uploads.
    let mounts = reg
        .access_log()
        .iter()
        .filter(|e| e.method == "POST" && e.path.contains("from=never-pushed"))
        .count();
    assert_eq!(mounts, 3, "{:?}", reg.access_log());
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("second:v1")),
        &reg.skopeo_flags("", None),
    );
    assert_eq!(d, digest);
}

#[test]
fn token_registries_grant_the_recorded_repository_for_the_mount() {
    let reg = Registry::start_token(TokenConfig::default());
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    build_random_image(&src, "v1", 1, 64 * 1024, 44);
    let from = format!("oci:{}:v1", src.display());
    let c = creds();
    let extra = ["--creds", c.as_str()];
    let r = copy_json(&sb, &extra, &from, &reg.reference("src-repo:v1"));
    assert_eq!(r["blobs"]["uploaded"], 2, "{r}");
    let r = copy_json(&sb, &extra, &from, &reg.reference("dst-repo:v1"));
    assert_eq!(r["blobs"]["mounted"], 2, "{r}");
    assert_eq!(r["blobs"]["uploaded"], 0, "{r}");
    // The token asked for pull on the recorded repository beside push on the destination.
    let asked = reg
        .token_requests()
        .iter()
        .any(|t| t.scopes.iter().any(|s| s == "repository:src-repo:pull"));
    assert!(asked, "{:?}", reg.token_requests());
}
