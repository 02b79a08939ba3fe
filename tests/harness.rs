//! Self-test of the test harness in `tests/common`: every registry mode works with real peers
//! (skopeo, umoci, docker-registry), and the image builders write valid OCI layouts.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;

use common::*;

/// Runs `skopeo copy` (with `--all`) from `oci:LAYOUT:TAG` to `docker://REF` with `flags`.
fn push_with_skopeo(
    layout: &Path,
    tag: &str,
    reference: &str,
    flags: &[String],
) -> std::process::Output {
    let mut args: Vec<String> = vec!["copy".into(), "--all".into()];
    args.extend(flags.iter().cloned());
    args.push(format!("oci:{}:{tag}", layout.display()));
    args.push(format!("docker://{reference}"));
    skopeo(&args)
}

fn inspect_raw(reference: &str, flags: &[String]) -> std::process::Output {
    let mut args: Vec<String> = vec!["inspect".into(), "--raw".into()];
    args.extend(flags.iter().cloned());
    args.push(format!("docker://{reference}"));
    skopeo(&args)
}

#[test]
fn base32_and_timestamps() {
    // RFC 4648 test vectors, padding stripped.
    for (input, want) in [
        ("", ""),
        ("f", "MY"),
        ("fo", "MZXQ"),
        ("foo", "MZXW6"),
        ("foobar", "MZXW6YTBOI"),
    ] {
        assert_eq!(base32_nopad(input.as_bytes()), want);
    }
    let kid = libtrust_key_id(b"anything");
    assert_eq!(kid.len(), 59, "48 chars + 11 colons: {kid}");
    assert!(kid.split(':').all(|g| g.len() == 4));
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
}

#[test]
fn imgctl_sandbox_runs_the_binary() {
    let sandbox = Imgctl::new();
    let out = sandbox.run(&["--help"]);
    assert!(out.status.code().is_some(), "{}", describe(&out));
    assert!(sandbox.store().is_dir());
    let out = imgctl().arg("--help").output().unwrap();
    assert!(out.status.code().is_some(), "{}", describe(&out));
}

#[test]
fn layouts_are_valid_for_skopeo_and_umoci() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    let std_digest = build_standard_image(&layout, "standard");
    let rnd_digest = build_random_image(&layout, "random", 2, 256 * 1024, 7);
    let idx_digest = build_index(
        &layout,
        "multi",
        &["linux/amd64", "linux/arm64", "linux/arm/v7"],
    );
    // Rebuilding gives the same digest (deterministic) and retags without duplicates.
    assert_eq!(build_standard_image(&layout, "standard"), std_digest);
    assert_eq!(
        read_index_json(&layout)["manifests"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    for (tag, digest) in [
        ("standard", &std_digest),
        ("random", &rnd_digest),
        ("multi", &idx_digest),
    ] {
        let (_, d) = skopeo_raw_manifest(&format!("oci:{}:{tag}", layout.display()), &[]);
        assert_eq!(&d, digest, "{tag}");
    }
    let inspected: serde_json::Value = serde_json::from_str(&skopeo_ok(&[
        "inspect".to_string(),
        format!("oci:{}:standard", layout.display()),
    ]))
    .unwrap();
    assert_eq!(inspected["Architecture"], "amd64");
    assert_eq!(inspected["Layers"].as_array().unwrap().len(), 2);

    // Config diff_ids are the sha256 of the uncompressed tars.
    let manifest = read_json_blob(&layout, &std_digest);
    let config = read_json_blob(&layout, manifest["config"]["digest"].as_str().unwrap());
    for (i, entries) in standard_layers().iter().enumerate() {
        assert_eq!(
            config["rootfs"]["diff_ids"][i],
            sha256_digest(&build_tar(entries))
        );
    }

    // The index children are distinct images per platform, selectable by skopeo.
    let index = read_json_blob(&layout, &idx_digest);
    let children = index["manifests"].as_array().unwrap();
    assert_eq!(children.len(), 3);
    assert_eq!(children[2]["platform"]["variant"], "v7");
    let arm: serde_json::Value = serde_json::from_str(&skopeo_ok(&[
        "--override-arch",
        "arm",
        "--override-variant",
        "v7",
        "inspect",
        &format!("oci:{}:multi", layout.display()),
    ]))
    .unwrap();
    assert_eq!(arm["Architecture"], "arm");
    // skopeo reports the digest of the top-level manifest (the index) …
    assert_eq!(arm["Digest"], idx_digest.as_str());
    // … and picked the arm/v7 child, whose config is the only one saying arm.
    let arm_manifest = read_json_blob(&layout, children[2]["digest"].as_str().unwrap());
    let arm_config = read_json_blob(&layout, arm_manifest["config"]["digest"].as_str().unwrap());
    assert_eq!(arm_config["variant"], "v7");
    assert_eq!(arm["Layers"][0], arm_manifest["layers"][0]["digest"]);

    // umoci accepts the images and applies the whiteout when unpacking.
    let stat = umoci_stat(&layout, "standard");
    assert_eq!(stat["history"].as_array().unwrap().len(), 2);
    umoci_stat(&layout, "random");
    let bundle = dir.path().join("bundle");
    let out = umoci(&[
        "unpack".to_string(),
        "--rootless".into(),
        "--image".into(),
        format!("{}:standard", layout.display()),
        bundle.display().to_string(),
    ]);
    assert!(out.status.success(), "umoci unpack: {}", describe(&out));
    let rootfs = bundle.join("rootfs");
    assert_eq!(
        std::fs::read_to_string(rootfs.join("etc/motd")).unwrap(),
        "welcome to the imgctl test image\n"
    );
    assert!(
        !rootfs.join("etc/removed-later").exists(),
        "whiteout applied"
    );
    assert_eq!(
        std::fs::read_link(rootfs.join("usr/bin/hi")).unwrap(),
        Path::new("hello")
    );
    assert!(rootfs.join("var/lib/app").is_dir());
}

#[test]
fn plain_registry_roundtrip() {
    let reg = Registry::start(Mode::Plain);
    let dir = tempfile::tempdir().unwrap();
    let digest = build_standard_image(dir.path(), "v1");
    let idx = build_index(dir.path(), "multi", &["linux/amd64", "linux/arm64"]);

    let out = push_with_skopeo(
        dir.path(),
        "v1",
        &reg.reference("test/standard:v1"),
        &reg.skopeo_flags("dest-", None),
    );
    assert!(out.status.success(), "{}", describe(&out));
    let out = push_with_skopeo(
        dir.path(),
        "multi",
        &reg.reference("test/multi:1"),
        &reg.skopeo_flags("dest-", None),
    );
    assert!(out.status.success(), "{}", describe(&out));

    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("test/standard:v1")),
        &reg.skopeo_flags("", None),
    );
    assert_eq!(d, digest);
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("test/multi:1")),
        &reg.skopeo_flags("", None),
    );
    assert_eq!(d, idx);

    let log = reg.access_log();
    assert!(
        log.iter().any(|e| e.method == "PUT"
            && e.path == "/v2/test/standard/manifests/v1"
            && e.status == 201),
        "access log: {log:?}"
    );
}

#[test]
fn tls_htpasswd_registry_roundtrip() {
    let reg = Registry::start(Mode::TlsHtpasswd);
    assert!(reg.url().starts_with("https://127.0.0.1:"));
    // The server certificate verifies against the CA (rustls, SAN IP 127.0.0.1).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reg.http_client();
    let status = rt
        .block_on(async { client.get(format!("{}/v2/", reg.url())).send().await })
        .unwrap()
        .status();
    assert_eq!(status, 401);
    let status = rt
        .block_on(async {
            client
                .get(format!("{}/v2/", reg.url()))
                .basic_auth(USER, Some(PASSWORD))
                .send()
                .await
        })
        .unwrap()
        .status();
    assert_eq!(status, 200);

    let dir = tempfile::tempdir().unwrap();
    let digest = build_standard_image(dir.path(), "v1");
    let reference = reg.reference("secure/standard:v1");

    let out = push_with_skopeo(
        dir.path(),
        "v1",
        &reference,
        &reg.skopeo_flags("dest-", None),
    );
    assert!(!out.status.success(), "push without credentials must fail");
    assert!(
        stderr(&out).contains("authentication required"),
        "{}",
        describe(&out)
    );
    let out = push_with_skopeo(
        dir.path(),
        "v1",
        &reference,
        &reg.skopeo_flags("dest-", Some((USER, "wrong"))),
    );
    assert!(
        !out.status.success(),
        "push with a wrong password must fail"
    );
    let out = push_with_skopeo(
        dir.path(),
        "v1",
        &reference,
        &reg.skopeo_flags("dest-", reg.push_creds()),
    );
    assert!(out.status.success(), "{}", describe(&out));

    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{reference}"),
        &reg.skopeo_flags("", Some((USER, PASSWORD))),
    );
    assert_eq!(d, digest);
    // Without the CA, TLS verification fails.
    let out = inspect_raw(&reference, &[format!("--creds={USER}:{PASSWORD}")]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("certificate"), "{}", describe(&out));
}

#[test]
fn token_registry_roundtrip_and_permissions() {
    let reg = Registry::start(Mode::Token);
    let token = reg.token_server().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let digest = build_standard_image(dir.path(), "v1");
    let private = reg.reference("private/standard:v1");
    let public = reg.reference("public/standard:v1");

    // alice pushes to both repositories.
    for reference in [&private, &public] {
        let out = push_with_skopeo(
            dir.path(),
            "v1",
            reference,
            &reg.skopeo_flags("dest-", Some((USER, PASSWORD))),
        );
        assert!(out.status.success(), "{}", describe(&out));
    }
    let reqs = reg.token_requests();
    assert!(
        reqs.iter().any(|r| r.user.as_deref() == Some(USER)
            && r.service.as_deref() == Some(TOKEN_SERVICE)
            && r.scopes
                .iter()
                .any(|s| s == "repository:private/standard:pull,push")),
        "token requests: {reqs:?}"
    );

    // Pulls: alice and reader everywhere, anonymous only public/.
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{private}"),
        &reg.skopeo_flags("", Some((USER, PASSWORD))),
    );
    assert_eq!(d, digest);
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{private}"),
        &reg.skopeo_flags("", Some((READER_USER, READER_PASSWORD))),
    );
    assert_eq!(d, digest);
    let (_, d) = skopeo_raw_manifest(&format!("docker://{public}"), &reg.skopeo_flags("", None));
    assert_eq!(d, digest);
    let out = inspect_raw(&private, &reg.skopeo_flags("", None));
    assert!(
        !out.status.success(),
        "anonymous must not pull private/: {}",
        describe(&out)
    );
    assert!(stderr(&out).contains("denied"), "{}", describe(&out));
    let out = inspect_raw(
        &private,
        &reg.skopeo_flags("", Some((USER, "wrong-password"))),
    );
    assert!(!out.status.success(), "wrong password must fail");
    assert!(reg.token_requests().iter().any(|r| r.status == 401));

    // reader may not push.
    let out = push_with_skopeo(
        dir.path(),
        "v1",
        &reg.reference("private/by-reader:v1"),
        &reg.skopeo_flags("dest-", Some((READER_USER, READER_PASSWORD))),
    );
    assert!(!out.status.success(), "reader must not push");
    assert!(stderr(&out).contains("denied"), "{}", describe(&out));

    // OAuth2 POST grants: password (offline) then refresh_token; the token works on the registry.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    let scope = "repository:private/standard:pull";
    let post = |form: Vec<(&str, String)>| {
        rt.block_on(async {
            let r = client.post(token.realm()).form(&form).send().await.unwrap();
            let status = r.status().as_u16();
            (
                status,
                serde_json::from_slice::<serde_json::Value>(&r.bytes().await.unwrap()).unwrap(),
            )
        })
    };
    let (status, body) = post(vec![
        ("grant_type", "password".into()),
        ("username", USER.into()),
        ("password", PASSWORD.into()),
        ("service", TOKEN_SERVICE.into()),
        ("scope", scope.into()),
        ("client_id", "imgctl-test".into()),
        ("access_type", "offline".into()),
    ]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires_in"], 300);
    let refresh = body["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_string();
    let (status, body) = post(vec![
        ("grant_type", "refresh_token".into()),
        ("refresh_token", refresh),
        ("service", TOKEN_SERVICE.into()),
        ("scope", scope.into()),
        ("client_id", "imgctl-test".into()),
    ]);
    assert_eq!(status, 200, "{body}");
    assert!(body.get("refresh_token").is_none());
    let access = body["access_token"].as_str().unwrap().to_string();
    let (status, _) = post(vec![
        ("grant_type", "refresh_token".into()),
        ("refresh_token", "bogus".into()),
    ]);
    assert_eq!(status, 401);
    let (status, _) = post(vec![
        ("grant_type", "password".into()),
        ("username", READER_USER.into()),
        ("password", "nope".into()),
    ]);
    assert_eq!(status, 401);

    let get_manifest = |bearer: &str| {
        rt.block_on(async {
            let r = client
                .get(format!("{}/v2/private/standard/manifests/v1", reg.url()))
                .header("accept", MT_MANIFEST)
                .bearer_auth(bearer)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.bytes().await.unwrap().to_vec())
        })
    };
    let (status, bytes) = get_manifest(&access);
    assert_eq!(status, 200);
    assert_eq!(sha256_digest(&bytes), digest);
    // A token for another repository, or an anonymous one, is refused.
    assert_eq!(
        get_manifest(&token.issue_token(Some(USER), &["repository:other:pull"])).0,
        401
    );
    assert_eq!(get_manifest(&token.issue_token(None, &[scope])).0, 401);

    let posts: Vec<_> = reg
        .token_requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 4);
    assert_eq!(posts[1].grant_type.as_deref(), Some("refresh_token"));
    assert_eq!(posts[1].user.as_deref(), Some(USER));
    assert_eq!(posts[1].scopes, vec![scope.to_string()]);

    // The kid matches the one openssl's DER encoding of the public key gives.
    let der = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(reg.dir().join("token.key"))
        .output()
        .unwrap();
    assert!(der.status.success());
    assert_eq!(libtrust_key_id(&der.stdout), token.kid());
}
