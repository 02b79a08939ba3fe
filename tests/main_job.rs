//! The main job end to end from the CLI against a real CNCF distribution registry: pull, tag,
//! push and copy between registries, OCI layouts and the local store; interop with skopeo and
//! umoci; exit codes for auth, not-found and usage errors.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// The digest of the child of the index at `layout:tag` whose platform is `platform`.
fn child_digest(layout: &Path, tag: &str, platform: &str) -> String {
    let index = read_index_json(layout);
    let entry = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["annotations"][REF_NAME] == tag)
        .unwrap()
        .clone();
    let idx = read_json_blob(layout, entry["digest"].as_str().unwrap());
    let p = Platform::parse(platform);
    idx["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            m["platform"]["architecture"] == p.architecture.as_str()
                && m["platform"]["variant"].as_str() == p.variant.as_deref()
        })
        .unwrap()["digest"]
        .as_str()
        .unwrap()
        .to_string()
}

fn blob_requests(reg: &Registry, method: &str) -> usize {
    reg.access_log()
        .iter()
        .filter(|e| e.method == method && e.path.contains("/blobs/"))
        .count()
}

#[test]
fn round_trip_store_registry_store_keeps_digests() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let built = build_standard_image(&src, "v1");

    // layout → registry
    let r = json_out(
        &sb,
        &[
            "copy",
            &format!("oci:{}:v1", src.display()),
            &format!("docker://{}", reg.reference("app:v1")),
        ],
    );
    assert_eq!(r["digest"], built.as_str());
    assert_eq!(r["blobs"]["uploaded"], 3, "{r}"); // config + 2 layers
    let (_, skopeo_digest) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("app:v1")),
        &reg.skopeo_flags("", None),
    );
    assert_eq!(skopeo_digest, built);

    // registry → store, by the full normalised reference
    let pulled = sb.run_ok(&["-q", "pull", &reg.reference("app:v1")]);
    assert_eq!(pulled.trim(), built);
    let store = sb.store();
    let name = reg.reference("app:v1");
    let inspect = skopeo_ok(&["inspect", &format!("oci:{}:{name}", store.display())]);
    let v: Value = serde_json::from_str(&inspect).unwrap();
    assert_eq!(v["Digest"], built.as_str());
    assert_eq!(v["Layers"].as_array().unwrap().len(), 2);
    let stat = umoci_stat(&store, &name);
    assert!(stat["history"].is_array() || stat.is_object(), "{stat}");

    // unpack with umoci: the symlink and the whiteout survived the round trip
    let bundle = sb.dir().join("bundle");
    let out = umoci(&[
        "unpack",
        "--image",
        &format!("{}:{name}", store.display()),
        bundle.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let rootfs = bundle.join("rootfs");
    assert_eq!(
        std::fs::read_link(rootfs.join("usr/bin/hi"))
            .unwrap()
            .to_str()
            .unwrap(),
        "hello"
    );
    assert!(!rootfs.join("etc/removed-later").exists());

    // store → registry under a new name: blobs exist in the registry only under app, so they
    // are mounted or uploaded; the manifest digest is unchanged
    sb.run_ok(&["tag", &name, &reg.reference("copy:v2")]);
    let r = json_out(&sb, &["push", &reg.reference("copy:v2")]);
    assert_eq!(r["digest"], built.as_str());

    // a second push of the same image uploads nothing: one HEAD per blob
    let puts_before = blob_requests(&reg, "PUT") + blob_requests(&reg, "PATCH");
    let r = json_out(&sb, &["push", &reg.reference("copy:v2")]);
    assert_eq!(r["blobs"]["uploaded"], 0, "{r}");
    assert_eq!(r["blobs"]["skipped"], 3, "{r}");
    assert_eq!(
        blob_requests(&reg, "PUT") + blob_requests(&reg, "PATCH"),
        puts_before
    );

    // images lists it
    let images = json_out(&sb, &["images"]);
    let names: Vec<&str> = images
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&name.as_str()) && names.contains(&reg.reference("copy:v2").as_str()),
        "{images}"
    );
    let entry = images
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["reference"] == name.as_str())
        .unwrap();
    assert_eq!(entry["digest"], built.as_str());
    assert_eq!(entry["platforms"][0], "linux/amd64");
}

#[test]
fn multi_arch_index_platform_and_all_platforms() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let index = build_index(
        &src,
        "multi",
        &["linux/amd64", "linux/arm64", "linux/arm/v7"],
    );
    let r = json_out(
        &sb,
        &[
            "copy",
            "--all",
            &format!("oci:{}:multi", src.display()),
            &reg.reference("multi:1"),
        ],
    );
    assert_eq!(r["digest"], index.as_str());
    assert_eq!(r["platforms"].as_array().unwrap().len(), 3);

    // one platform: the child's manifest is what lands in the store
    let arm64 = child_digest(&src, "multi", "linux/arm64");
    let r = json_out(
        &sb,
        &[
            "pull",
            "--platform",
            "linux/arm64",
            &reg.reference("multi:1"),
        ],
    );
    assert_eq!(r["digest"], arm64.as_str());
    assert_eq!(r["platforms"], serde_json::json!(["linux/arm64"]));
    let armv7 = child_digest(&src, "multi", "linux/arm/v7");
    let sb2 = Imgctl::new();
    let out = sb2.run_ok(&[
        "-q",
        "pull",
        "--platform",
        "linux/arm/v7",
        &reg.reference("multi:1"),
    ]);
    assert_eq!(out.trim(), armv7);

    // no such platform: not-found exit code, the available platforms named
    let out = sb2.run(&[
        "-q",
        "pull",
        "--platform",
        "linux/s390x",
        &reg.reference("multi:1"),
    ]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(stderr(&out).contains("linux/arm64"), "{}", stderr(&out));

    // all platforms: the index kept whole, byte for byte
    let sb3 = Imgctl::new();
    let r = json_out(
        &sb3,
        &["pull", "--all-platforms", &reg.reference("multi:1")],
    );
    assert_eq!(r["digest"], index.as_str());
    let inspect = skopeo_ok(&[
        "inspect",
        "--raw",
        &format!("oci:{}:{}", sb3.store().display(), reg.reference("multi:1")),
    ]);
    assert_eq!(sha256_digest(inspect.as_bytes()), index);
    let images = json_out(&sb3, &["images"]);
    assert_eq!(
        images[0]["platforms"].as_array().unwrap().len(),
        3,
        "{images}"
    );
}

#[test]
fn same_registry_copy_mounts_with_one_token() {
    let reg = Registry::start(Mode::Token);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_random_image(&src, "r", 2, 300_000, 7);
    let creds = format!("{USER}:{PASSWORD}");
    json_out(
        &sb,
        &[
            "--creds",
            &creds,
            "copy",
            &format!("oci:{}:r", src.display()),
            &reg.reference("team/a:1"),
        ],
    );
    let uploads_before = blob_requests(&reg, "PUT") + blob_requests(&reg, "PATCH");
    if let Some(ts) = reg.token_server() {
        ts.clear_requests();
    }
    let r = json_out(
        &sb,
        &[
            "--creds",
            &creds,
            "copy",
            &reg.reference("team/a:1"),
            &reg.reference("team/b:1"),
        ],
    );
    assert_eq!(r["digest"], digest.as_str());
    assert_eq!(r["blobs"]["mounted"], 3, "{r}");
    assert_eq!(r["blobs"]["uploaded"], 0, "{r}");
    assert_eq!(r["blobs"]["bytes"], 0, "{r}");
    assert_eq!(
        blob_requests(&reg, "PUT") + blob_requests(&reg, "PATCH"),
        uploads_before,
        "no blob bytes moved"
    );
    // a token that covers both repositories was requested in one go
    let reqs = reg.token_requests();
    assert!(
        reqs.iter()
            .any(|t| t.scopes.iter().any(|s| s == "repository:team/a:pull")
                && t.scopes.iter().any(|s| s == "repository:team/b:pull,push")
                && t.status == 200),
        "{reqs:?}"
    );
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("team/b:1")),
        &reg.skopeo_flags("", Some((USER, PASSWORD))),
    );
    assert_eq!(d, digest);
}

#[test]
fn token_auth_permissions_and_exit_codes() {
    let reg = Registry::start(Mode::Token);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_standard_image(&src, "v1");
    let layout = format!("oci:{}:v1", src.display());
    // alice may push
    let out = sb.run_ok(&[
        "-q",
        "--creds",
        &format!("{USER}:{PASSWORD}"),
        "copy",
        &layout,
        &reg.reference("public/app:1"),
    ]);
    assert_eq!(out.trim(), digest);
    // reader may pull but not push: auth exit code
    let out = sb.run(&[
        "-q",
        "--creds",
        &format!("{READER_USER}:{READER_PASSWORD}"),
        "copy",
        &layout,
        &reg.reference("private/app:1"),
    ]);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    // wrong password: auth exit code, the password is not echoed
    let out = sb.run(&[
        "-q",
        "--creds",
        &format!("{USER}:not-the-password-xyz"),
        "pull",
        &reg.reference("public/app:1"),
    ]);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert!(!stderr(&out).contains("not-the-password-xyz"));
    // anonymous may pull public/…
    let out = sb.run_ok(&["-q", "pull", &reg.reference("public/app:1")]);
    assert_eq!(out.trim(), digest);
    // credentials from the environment
    let out = sb
        .cmd()
        .args([
            "-q",
            "copy",
            &reg.reference("public/app:1"),
            &reg.reference("private/env:1"),
        ])
        .env("IMGCTL_USERNAME", USER)
        .env("IMGCTL_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    // anonymous may not pull private/…
    let out = sb.run(&["-q", "pull", &reg.reference("private/env:1")]);
    assert_eq!(code(&out), 3, "{}", describe(&out));
}

#[test]
fn tls_htpasswd_with_ca_file() {
    let reg = Registry::start(Mode::TlsHtpasswd);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_standard_image(&src, "v1");
    let ca = reg.ca_cert().unwrap();
    let ca = ca.to_str().unwrap();
    let creds = format!("{USER}:{PASSWORD}");
    let layout = format!("oci:{}:v1", src.display());
    let out = sb.run_ok(&[
        "-q",
        "--ca-file",
        ca,
        "--creds",
        &creds,
        "copy",
        &layout,
        &reg.reference("tls/app:1"),
    ]);
    assert_eq!(out.trim(), digest);
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("tls/app:1")),
        &reg.skopeo_flags("", Some((USER, PASSWORD))),
    );
    assert_eq!(d, digest);
    // wrong password → 3
    let out = sb.run(&[
        "-q",
        "--ca-file",
        ca,
        "--creds",
        &format!("{USER}:wrong"),
        "pull",
        &reg.reference("tls/app:1"),
    ]);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    // no credentials at all (Basic auth registry) → 3, and the hint is to log in
    let login = format!("imgctl login {}", reg.host());
    for args in [
        vec!["-q", "--ca-file", ca, "pull", &reg.reference("tls/app:1")],
        vec!["--ca-file", ca, "catalog", &reg.host()],
        vec!["--ca-file", ca, "tags", &reg.reference("tls/app")],
    ] {
        let out = sb.run(&args);
        assert_eq!(code(&out), 3, "{args:?}: {}", describe(&out));
        let hint = stderr(&out)
            .lines()
            .find(|l| l.starts_with("hint:"))
            .unwrap_or("")
            .to_string();
        assert!(hint.contains(&login), "{args:?}: {}", stderr(&out));
        assert!(
            !hint.contains("registry:catalog"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // untrusted certificate → network exit code with a hint
    let out = sb.run(&["-q", "--creds", &creds, "pull", &reg.reference("tls/app:1")]);
    assert_eq!(code(&out), 6, "{}", describe(&out));
    assert!(stderr(&out).contains("hint:"), "{}", stderr(&out));
    // --insecure skips verification
    let out = sb.run_ok(&[
        "-q",
        "--insecure",
        "--creds",
        &creds,
        "pull",
        &reg.reference("tls/app:1"),
    ]);
    assert_eq!(out.trim(), digest);
}

#[test]
fn not_found_and_usage_exit_codes() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let out = sb.run(&["-q", "pull", &reg.reference("nothing/here:missing")]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        stderr(&out).contains("NAME_UNKNOWN") || stderr(&out).contains("MANIFEST_UNKNOWN"),
        "{}",
        stderr(&out)
    );
    let out = sb.run(&["-q", "pull", "Bad/Name:x"]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stderr(&out).contains("repository"), "{}", stderr(&out));
    let out = sb.run(&["-q", "pull", "alpine:bad tag"]);
    assert_eq!(code(&out), 2);
    let out = sb.run(&["-q", "push", &reg.reference("not/in-store:1")]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let out = sb.run(&["--bogus-flag"]);
    assert_eq!(code(&out), 2);
    // a registry that is not there: network exit code after retries
    let port = free_port();
    let out = sb.run(&[
        "-q",
        "--retries",
        "0",
        "pull",
        &format!("127.0.0.1:{port}/x:1"),
    ]);
    assert_eq!(code(&out), 6, "{}", describe(&out));
}

#[test]
fn skopeo_pushes_imgctl_pulls_and_registry_retag() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_random_image(&src, "r", 3, 200_000, 11);
    let mut args = vec!["copy".to_string()];
    args.extend(reg.skopeo_flags("dest-", None));
    args.push(format!("oci:{}:r", src.display()));
    args.push(format!("docker://{}", reg.reference("sk/img:1")));
    skopeo_ok(&args);
    let out = sb.run_ok(&["-q", "pull", &reg.reference("sk/img:1")]);
    assert_eq!(out.trim(), digest);

    // retag in the registry: same manifest bytes under new tags, no blob moves
    let blob_writes = blob_requests(&reg, "PUT") + blob_requests(&reg, "POST");
    let out = sb.run_ok(&[
        "-q",
        "tag",
        &format!("docker://{}", reg.reference("sk/img:1")),
        "v2",
        "latest",
    ]);
    assert_eq!(out.trim(), digest);
    assert_eq!(
        blob_requests(&reg, "PUT") + blob_requests(&reg, "POST"),
        blob_writes
    );
    let tags = json_out(&sb, &["tags", &reg.reference("sk/img")]);
    let mut t: Vec<&str> = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    t.sort();
    assert_eq!(t, ["1", "latest", "v2"]);
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("sk/img:v2")),
        &reg.skopeo_flags("", None),
    );
    assert_eq!(d, digest);

    // copy to an OCI layout that skopeo and umoci read
    let dst = sb.dir().join("dst");
    let out = sb.run_ok(&[
        "-q",
        "copy",
        &reg.reference("sk/img:latest"),
        &format!("oci:{}:latest", dst.display()),
    ]);
    assert_eq!(out.trim(), digest);
    let (_, d) = skopeo_raw_manifest(&format!("oci:{}:latest", dst.display()), &[]);
    assert_eq!(d, digest);
    umoci_stat(&dst, "latest");
    // a layout written for others carries no imgctl annotation; the store records the origin
    // (so a push from it mounts)
    let index = std::fs::read_to_string(dst.join("index.json")).unwrap();
    assert!(!index.contains("io.imgctl"), "{index}");
    sb.run_ok(&["-q", "pull", &reg.reference("sk/img:latest")]);
    let index = std::fs::read_to_string(sb.store().join("index.json")).unwrap();
    assert!(
        index.contains(&format!(
            "\"io.imgctl.origin\":\"{}\"",
            reg.reference("sk/img")
        )),
        "{index}"
    );
    let pulled = json_out(&sb, &["pull", &reg.reference("sk/img:latest")]);
    assert_eq!(
        pulled["destination"],
        format!("store:{}", reg.reference("sk/img:latest")).as_str()
    );
}

#[test]
fn chunked_upload_and_rmi_garbage_collects() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_random_image(&src, "r", 2, 1_500_000, 3);
    let r = json_out(
        &sb,
        &[
            "--chunk-size",
            "262144",
            "copy",
            &format!("oci:{}:r", src.display()),
            &reg.reference("chunked/img:1"),
        ],
    );
    assert_eq!(r["digest"], digest.as_str());
    assert!(
        blob_requests(&reg, "PATCH") >= 12,
        "chunked PATCH uploads expected"
    );
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("chunked/img:1")),
        &reg.skopeo_flags("", None),
    );
    assert_eq!(d, digest);

    // two names for one image in the store; rmi of one keeps the blobs, of both deletes them
    sb.run_ok(&["-q", "pull", &reg.reference("chunked/img:1")]);
    sb.run_ok(&[
        "tag",
        &reg.reference("chunked/img:1"),
        "example.com/other:2",
    ]);
    let blobs = |store: &Path| {
        std::fs::read_dir(store.join("blobs/sha256"))
            .unwrap()
            .count()
    };
    let n = blobs(&sb.store());
    assert_eq!(n, 4); // manifest, config, 2 layers
    sb.run_ok(&["rmi", &reg.reference("chunked/img:1")]);
    assert_eq!(blobs(&sb.store()), 4);
    sb.run_ok(&["rmi", "example.com/other:2"]);
    assert_eq!(blobs(&sb.store()), 0);
    let out = sb.run(&["rmi", "example.com/other:2"]);
    assert_eq!(code(&out), 4);
}
