//! oci-archive: and docker-archive: end to end: round trips through the real registry, skopeo
//! and umoci interop, the real archives under tests/fixtures, and malicious archives.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    fixture_path("archives")
}

/// Reads member `name` of a tar file.
fn tar_member(path: &Path, name: &str) -> Vec<u8> {
    use std::io::Read;
    let mut a = tar::Archive::new(std::fs::File::open(path).unwrap());
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        if e.path().unwrap().to_string_lossy() == name {
            let mut v = Vec::new();
            e.read_to_end(&mut v).unwrap();
            return v;
        }
    }
    panic!("{name} not in {}", path.display())
}

#[test]
fn registry_oci_archive_docker_archive_registry_keeps_digest() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let built = build_standard_image(&src, "v1");
    sb.run_ok(&[
        "--progress",
        "none",
        "copy",
        &format!("oci:{}:v1", src.display()),
        &format!("docker://{}", reg.reference("app:v1")),
    ]);

    let oa = sb.dir().join("app.oci.tar");
    let r = json_out(
        &sb,
        &[
            "copy",
            &format!("docker://{}", reg.reference("app:v1")),
            &format!("oci-archive:{}:v1", oa.display()),
        ],
    );
    assert_eq!(r["digest"], built.as_str());
    let members = tar_members(&oa);
    assert!(members.contains(&"oci-layout".to_string()), "{members:?}");
    assert!(members.contains(&"index.json".to_string()));
    assert!(members.contains(&format!("blobs/sha256/{}", &built[7..])));
    // No staging leftovers beside the archive.
    let leftovers: Vec<_> = std::fs::read_dir(sb.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".imgctl"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let da = sb.dir().join("app.docker.tar");
    let r = json_out(
        &sb,
        &[
            "copy",
            &format!("oci-archive:{}:v1", oa.display()),
            &format!(
                "docker-archive:{}:{}",
                da.display(),
                reg.reference("app:v1")
            ),
        ],
    );
    assert_eq!(r["digest"], built.as_str());
    let mj: Value = serde_json::from_slice(&tar_member(&da, "manifest.json")).unwrap();
    assert_eq!(mj[0]["RepoTags"][0], reg.reference("app:v1").as_str());
    assert_eq!(mj[0]["Layers"].as_array().unwrap().len(), 2);

    let r = json_out(
        &sb,
        &[
            "copy",
            &format!("docker-archive:{}", da.display()),
            &format!("docker://{}", reg.reference("back:v1")),
        ],
    );
    assert_eq!(
        r["digest"],
        built.as_str(),
        "digest kept through both archives"
    );
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("back:v1")),
        &reg.skopeo_flags("", None),
    );
    assert_eq!(d, built);
    // digest LOCATION agrees for every kind of location.
    for loc in [
        format!("oci-archive:{}:v1", oa.display()),
        format!("docker-archive:{}", da.display()),
        format!("docker://{}", reg.reference("back:v1")),
    ] {
        assert_eq!(sb.run_ok(&["digest", &loc]).trim(), built, "{loc}");
    }
}

#[test]
fn index_keeps_digest_in_oci_archive_and_docker_archive_takes_one_platform() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let index = build_index(&src, "multi", &["linux/amd64", "linux/arm64"]);
    sb.run_ok(&[
        "--progress",
        "none",
        "copy",
        "--all-platforms",
        &format!("oci:{}:multi", src.display()),
        &format!("docker://{}", reg.reference("multi:1")),
    ]);
    let oa = sb.dir().join("multi.tar");
    let r = json_out(
        &sb,
        &[
            "copy",
            "--all-platforms",
            &format!("docker://{}", reg.reference("multi:1")),
            &format!("oci-archive:{}", oa.display()),
        ],
    );
    assert_eq!(r["digest"], index.as_str());

    // docker-archive holds single-platform images: the whole index is refused, clearly.
    let da = sb.dir().join("multi.docker.tar");
    let out = sb.run(&[
        "--progress",
        "none",
        "copy",
        "--all-platforms",
        &format!("oci-archive:{}", oa.display()),
        &format!("docker-archive:{}:multi:1", da.display()),
    ]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stderr(&out).contains("single-platform"), "{}", stderr(&out));
    assert!(!da.exists(), "nothing written on refusal");

    // One platform: the child's manifest digest is kept.
    let child = {
        let idx = read_json_blob(&src, &index);
        idx["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["platform"]["architecture"] == "arm64")
            .unwrap()["digest"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let r = json_out(
        &sb,
        &[
            "copy",
            "--platform",
            "linux/arm64",
            &format!("oci-archive:{}", oa.display()),
            &format!("docker-archive:{}:multi:1", da.display()),
        ],
    );
    assert_eq!(r["digest"], child.as_str());
    let r = json_out(
        &sb,
        &[
            "copy",
            &format!("docker-archive:{}", da.display()),
            &format!("docker://{}", reg.reference("arm:1")),
        ],
    );
    assert_eq!(r["digest"], child.as_str());
}

/// Where the format cannot keep the manifest digest: a legacy docker-archive (skopeo writes
/// one, as docker save did before 25) stores no manifest, only config and uncompressed layers.
/// Reading it synthesises a manifest: its digest differs, the config digest is the same.
#[test]
fn legacy_docker_archive_cannot_keep_manifest_digest() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let built = build_standard_image(&src, "v1");
    let manifest = read_json_blob(&src, &built);
    let config_digest = manifest["config"]["digest"].as_str().unwrap().to_string();
    let legacy = sb.dir().join("legacy.tar");
    skopeo_ok(&[
        "copy".to_string(),
        format!("oci:{}:v1", src.display()),
        format!("docker-archive:{}:legacy/app:v1", legacy.display()),
    ]);
    assert!(!tar_members(&legacy).contains(&"index.json".to_string()));

    let r = json_out(
        &sb,
        &[
            "copy",
            &format!("docker-archive:{}", legacy.display()),
            &format!("docker://{}", reg.reference("legacy:v1")),
        ],
    );
    assert_ne!(
        r["digest"],
        built.as_str(),
        "legacy archives have no manifest"
    );
    let (raw, d) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("legacy:v1")),
        &reg.skopeo_flags("", None),
    );
    assert_eq!(r["digest"], d.as_str());
    let m: Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(m["config"]["digest"], config_digest.as_str());
    assert_eq!(
        m["mediaType"],
        "application/vnd.docker.distribution.manifest.v2+json"
    );
    assert_eq!(m["layers"].as_array().unwrap().len(), 2);
    // skopeo pulls what we pushed (blobs verified by it).
    skopeo_ok(&[
        "copy".to_string(),
        "--src-tls-verify=false".to_string(),
        format!("docker://{}", reg.reference("legacy:v1")),
        format!("oci:{}:x", sb.dir().join("check").display()),
    ]);
}

#[test]
fn skopeo_reads_our_archives_and_we_read_skopeos() {
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let built = build_standard_image(&src, "v1");

    // ours → skopeo
    let oa = sb.dir().join("ours.oci.tar");
    let da = sb.dir().join("ours.docker.tar");
    sb.run_ok(&[
        "--progress",
        "none",
        "copy",
        &format!("oci:{}:v1", src.display()),
        &format!("oci-archive:{}:v1", oa.display()),
    ]);
    sb.run_ok(&[
        "--progress",
        "none",
        "copy",
        &format!("oci:{}:v1", src.display()),
        &format!("docker-archive:{}:ours/app:v1", da.display()),
    ]);
    let (_, d) = skopeo_raw_manifest(&format!("oci-archive:{}:v1", oa.display()), &[]);
    assert_eq!(d, built);
    let out = skopeo_ok(&[
        "inspect".to_string(),
        format!("docker-archive:{}", da.display()),
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Layers"].as_array().unwrap().len(), 2, "{v}");
    skopeo_ok(&[
        "copy".to_string(),
        format!("docker-archive:{}", da.display()),
        format!("oci:{}:from-docker", sb.dir().join("sk").display()),
    ]);

    // skopeo → ours
    let soa = sb.dir().join("skopeo.oci.tar");
    skopeo_ok(&[
        "copy".to_string(),
        format!("oci:{}:v1", src.display()),
        format!("oci-archive:{}:v1", soa.display()),
    ]);
    let out = sb.run_ok(&["digest", &format!("oci-archive:{}:v1", soa.display())]);
    assert_eq!(out.trim(), built);
    let sda = sb.dir().join("skopeo.docker.tar");
    skopeo_ok(&[
        "copy".to_string(),
        format!("oci:{}:v1", src.display()),
        format!("docker-archive:{}:sk/app:v1", sda.display()),
    ]);
    let lay = sb.dir().join("lay");
    sb.run_ok(&[
        "--progress",
        "none",
        "copy",
        &format!("docker-archive:{}:sk/app:v1", sda.display()),
        &format!("oci:{}:sk", lay.display()),
    ]);
    // A layout we write out of an archive is valid: umoci unpacks it (umoci reads OCI
    // manifests only, so the image comes from the OCI archive skopeo wrote).
    sb.run_ok(&[
        "--progress",
        "none",
        "copy",
        &format!("oci-archive:{}:v1", soa.display()),
        &format!("oci:{}:v1", lay.display()),
    ]);
    let bundle = sb.dir().join("bundle");
    let out = umoci(&[
        "unpack",
        "--rootless",
        "--image",
        &format!("{}:v1", lay.display()),
        bundle.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(bundle.join("rootfs").is_dir());
}

#[test]
fn real_archives_load() {
    let dir = fixtures();
    let sb = Imgctl::new();
    let load = |f: &str| -> Vec<String> {
        let out = sb.run_ok(&[
            "--progress",
            "none",
            "load",
            "-i",
            dir.join(f).to_str().unwrap(),
        ]);
        out.lines().map(str::to_string).collect()
    };
    // Docker 25+ save: read through index.json (the manifest list), amd64 child kept as is.
    let d = load("docker-save-v25-containerd-alpine-3.20.3.tar");
    assert_eq!(
        d,
        ["sha256:33735bd63cf84d7e388d9f6d297d348c523c044410f553bd878c6d7829612735"]
    );
    let loc = format!(
        "docker-archive:{}",
        dir.join("docker-save-v25-containerd-alpine-3.20.3.tar")
            .display()
    );
    assert_eq!(
        sb.run_ok(&["digest", &loc]).trim(),
        "sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d"
    );
    let out = sb.run(&[
        "--progress",
        "none",
        "copy",
        "--platform",
        "linux/arm64",
        &loc,
        &format!("oci:{}", sb.dir().join("arm").display()),
    ]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        stderr(&out).contains("not present in archive"),
        "{}",
        stderr(&out)
    );

    // Legacy saves and crane/kaniko tarballs: config digest = sha256 of the config file.
    for (file, name, config) in [
        (
            "docker-save-legacy-single-image.tar",
            "docker.io/bazel/v1/tarball:test_image_1",
            "sha256:6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e",
        ),
        (
            "docker-save-almostempty-2017.tar",
            "docker.io/library/emptyimage:latest",
            "sha256:9d7f147c0d0c4d4538a04c7ef385809e56eb1aac7bf800fbe976612188025b68",
        ),
        (
            "crane-kaniko-tarball-gzip-layers.tar",
            "docker.io/library/dive-test:kaniko-latest",
            "sha256:ae16a51058a758c7963b2f9b23d1acfa201ce9cbefc8cb93845f8cd934fb144d",
        ),
        (
            "docker-save-legacy-14-layers.tar",
            "docker.io/library/dive-test:latest",
            "",
        ),
    ] {
        let digest = load(file).remove(0);
        let imgs: Value =
            serde_json::from_str(&sb.run_ok(&["--format", "json", "images"])).unwrap();
        assert!(
            imgs.as_array()
                .unwrap()
                .iter()
                .any(|i| i["reference"] == name && i["digest"] == digest.as_str()),
            "{file}: {imgs}"
        );
        let v = read_json_blob(&sb.store(), &digest);
        if !config.is_empty() {
            assert_eq!(v["config"]["digest"], config, "{file}");
        }
        let layers = v["layers"].as_array().unwrap();
        for l in layers {
            assert!(blob_path(&sb.store(), l["digest"].as_str().unwrap()).is_file());
        }
        match file {
            "crane-kaniko-tarball-gzip-layers.tar" => {
                assert_eq!(layers.len(), 14);
                assert!(
                    layers
                        .iter()
                        .all(|l| l["mediaType"]
                            == "application/vnd.docker.image.rootfs.diff.tar.gzip")
                );
            }
            "docker-save-legacy-14-layers.tar" => assert_eq!(layers.len(), 14),
            "docker-save-almostempty-2017.tar" => assert_eq!(layers[0]["size"], 1536),
            _ => assert_eq!(layers[0]["size"], 10240),
        }
    }
    // Two images: ambiguous without a name, each resolvable by name.
    let two = dir.join("docker-save-legacy-two-images-layersources.tar");
    let out = sb.run(&["digest", &format!("docker-archive:{}", two.display())]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    for n in [
        "test_image_1",
        "test_image_2:latest",
        "index.docker.io/library/test_image_1:latest",
    ] {
        sb.run_ok(&["digest", &format!("docker-archive:{}:{n}", two.display())]);
    }
    assert_eq!(
        load("docker-save-legacy-two-images-layersources.tar").len(),
        2
    );

    // OCI layout tarballs: digests and layer annotations kept byte for byte.
    for (file, digest) in [
        (
            "oci-layout-zstd-layer.tar",
            "sha256:f5e3515f39a16543547c03d03ec34faf9276742e6ce7c7dd6e467a14e90b29fc",
        ),
        (
            "oci-layout-estargz-layer.tar",
            "sha256:2e75eb783d1a845ce3846d1a7da4453f825886aab5b3ad03afcec7730a208c4d",
        ),
        (
            "oci-layout-uncompressed-layer.tar",
            "sha256:5cec6b4ce61c35c3a83e09d72d81a335b49fdcef727beee160d12eeaf066f11b",
        ),
    ] {
        let lay = sb.dir().join(file);
        let r = json_out(
            &sb,
            &[
                "copy",
                "--platform",
                "linux/arm64",
                &format!("oci-archive:{}", dir.join(file).display()),
                &format!("oci:{}:x", lay.display()),
            ],
        );
        assert_eq!(r["digest"], digest, "{file}");
        let m = read_json_blob(&lay, digest);
        if file.contains("estargz") {
            let ann = &m["layers"][0]["annotations"];
            assert!(
                ann["containerd.io/snapshot/stargz/toc.digest"].is_string(),
                "{m}"
            );
        }
        for l in m["layers"].as_array().unwrap() {
            assert!(blob_path(&lay, l["digest"].as_str().unwrap()).is_file());
        }
    }
}

/// A raw tar member: name, type, link target, data.
type RawMember<'a> = (&'a str, tar::EntryType, &'a str, &'a [u8]);

/// A tar whose members are given raw (so names and link targets are not sanitised).
fn evil_tar(path: &Path, members: &[RawMember]) {
    let f = std::fs::File::create(path).unwrap();
    let mut b = tar::Builder::new(f);
    for (name, kind, link, data) in members {
        let mut h = tar::Header::new_gnu();
        // Write the name bytes directly: set_path refuses `..`.
        let gnu = h.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
        if !link.is_empty() {
            gnu.linkname[..link.len()].copy_from_slice(link.as_bytes());
        }
        h.set_entry_type(*kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append(&h, *data).unwrap();
    }
    b.finish().unwrap();
}

#[test]
fn malicious_archives_are_refused_and_write_nothing_outside() {
    let sb = Imgctl::new();
    let work = sb.dir().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let layout = br#"{"imageLayoutVersion":"1.0.0"}"#;
    let index = br#"{"schemaVersion":2,"manifests":[]}"#;
    use tar::EntryType::{Link, Regular, Symlink};
    let cases: Vec<(&str, Vec<RawMember>)> = vec![
        ("dotdot", vec![("../evil", Regular, "", b"pwned")]),
        (
            "nested-dotdot",
            vec![("blobs/../../evil", Regular, "", b"pwned")],
        ),
        (
            "absolute",
            vec![("/tmp/imgctl-evil-absolute", Regular, "", b"pwned")],
        ),
        (
            "symlink",
            vec![("index.json", Symlink, "../../../etc/passwd", b"")],
        ),
        (
            "abs-symlink",
            vec![("blobs/sha256/x", Symlink, "/etc/passwd", b"")],
        ),
        ("hardlink", vec![("index.json", Link, "../outside", b"")]),
    ];
    for (name, mut members) in cases {
        members.insert(0, ("oci-layout", Regular, "", layout));
        members.push(("manifest.json", Regular, "", b"[]"));
        members.push(("index.json.real", Regular, "", index));
        let file = work.join(format!("{name}.tar"));
        evil_tar(&file, &members);
        let before = std::fs::read_dir(&work).unwrap().count();
        let dst = work.join(format!("out-{name}"));
        for src in [
            format!("oci-archive:{}", file.display()),
            format!("docker-archive:{}", file.display()),
        ] {
            let out = sb.run(&[
                "--progress",
                "none",
                "copy",
                &src,
                &format!("oci:{}:x", dst.display()),
            ]);
            assert_eq!(code(&out), 7, "{name}: {}", describe(&out));
            assert!(
                stderr(&out).contains("outside the archive"),
                "{name}: {}",
                stderr(&out)
            );
        }
        let out = sb.run(&["--progress", "none", "load", "-i", file.to_str().unwrap()]);
        assert_eq!(code(&out), 7, "{name}: {}", describe(&out));
        assert!(!sb.dir().join("evil").exists());
        assert!(!work.join("evil").exists());
        assert!(!Path::new("/tmp/imgctl-evil-absolute").exists());
        // Only the (empty) destination layout may have appeared in work/.
        let after: Vec<_> = std::fs::read_dir(&work)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(after.len() <= before + 1, "{after:?}");
    }
    // The store got no image from any of them.
    let out = sb.run_ok(&["--format", "json", "images"]);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), json!([]));
}

#[test]
fn save_and_load_round_trip_through_the_store() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let a = build_standard_image(&src, "a");
    let b = build_random_image(&src, "b", 1, 4096, 7);
    let (ra, rb) = (reg.reference("team/a:1"), reg.reference("b:2"));
    for (t, r) in [("a", &ra), ("b", &rb)] {
        sb.run_ok(&[
            "--progress",
            "none",
            "copy",
            &format!("oci:{}:{t}", src.display()),
            &format!("docker://{r}"),
        ]);
        sb.run_ok(&["--progress", "none", "pull", r]);
    }
    let file = sb.dir().join("both.tar");
    let out = sb.run_ok(&[
        "--progress",
        "none",
        "save",
        &ra,
        &rb,
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.lines().collect::<Vec<_>>(), [a.as_str(), b.as_str()]);
    let mj: Value = serde_json::from_slice(&tar_member(&file, "manifest.json")).unwrap();
    assert_eq!(mj.as_array().unwrap().len(), 2);

    let sb2 = Imgctl::new();
    let out = sb2.run_ok(&["--progress", "none", "load", "-i", file.to_str().unwrap()]);
    assert_eq!(out.lines().collect::<Vec<_>>(), [a.as_str(), b.as_str()]);
    let imgs: Value = serde_json::from_str(&sb2.run_ok(&["--format", "json", "images"])).unwrap();
    let names: Vec<&str> = imgs
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    let mut want = [rb.as_str(), ra.as_str()];
    want.sort();
    assert_eq!(names, want);
    // skopeo reads a multi-image archive we wrote, by name.
    let out = skopeo_ok(&[
        "inspect".to_string(),
        format!("docker-archive:{}:{ra}", file.display()),
    ]);
    assert!(out.contains("\"Layers\""), "{out}");
}

#[test]
fn files_that_are_not_tar_archives_are_described_never_quoted() {
    use base64::Engine as _;
    let sb = Imgctl::new();
    let secret = "alice:s3cret-Passw0rd-never-shown";
    let auth = base64::engine::general_purpose::STANDARD.encode(secret);
    // A docker config.json with a credential, padded past one tar block.
    let config = sb.dir().join("config.json");
    let doc = json!({"auths": {"reg.example.com": {"auth": auth}},
        "psFormat": "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Labels}}".repeat(12)});
    std::fs::write(&config, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    // A passwd-like text file.
    let passwd = sb.dir().join("passwd");
    let first_line = "root:x:0:0:root:/root:/bin/bash";
    let mut text = format!("{first_line}\n");
    while text.len() < 2000 {
        text.push_str("daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n");
    }
    std::fs::write(&passwd, &text).unwrap();
    // A tar whose second header is someone's secret text (a corrupt or spliced archive).
    let spliced = sb.dir().join("spliced.tar");
    {
        let mut h = tar::Header::new_ustar();
        h.set_path("oci-layout").unwrap();
        h.set_size(3);
        h.set_mode(0o644);
        h.set_cksum();
        // one member (header, data padded to a block), then no end-of-archive blocks
        let mut bytes = h.as_bytes().to_vec();
        bytes.extend_from_slice(b"abc");
        bytes.resize(1024, 0);
        let mut junk = format!("{first_line} {auth} ").into_bytes();
        junk.resize(2048, b'z');
        bytes.extend_from_slice(&junk);
        std::fs::write(&spliced, bytes).unwrap();
    }
    // A tar whose manifest.json has a value of the wrong type: serde would quote it.
    let bad_manifest = sb.dir().join("bad-manifest.tar");
    {
        let mut b = tar::Builder::new(std::fs::File::create(&bad_manifest).unwrap());
        let body = format!(r#"[{{"Config": "c.json", "RepoTags": "{auth}", "Layers": []}}]"#);
        let mut h = tar::Header::new_ustar();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "manifest.json", body.as_bytes())
            .unwrap();
        b.finish().unwrap();
    }
    let cases = [
        (&config, "is not a valid tar archive: it looks like JSON"),
        (
            &bad_manifest,
            "is malformed: it does not have the expected fields (line 1, column",
        ),
        (&passwd, "is not a valid tar archive: it looks like text"),
        (
            &spliced,
            "is not a valid tar archive: the member header at byte 1024 (after member oci-layout) is corrupt",
        ),
    ];
    let dst = format!("oci:{}:x", sb.dir().join("out").display());
    for (file, want) in cases {
        let f = file.to_str().unwrap();
        let runs = [
            vec!["inspect".to_string(), format!("docker-archive:{f}")],
            vec!["copy".into(), format!("oci-archive:{f}"), dst.clone()],
            vec!["load".into(), "-i".into(), f.into()],
        ];
        for args in runs {
            if file == &bad_manifest && args[0] == "copy" {
                continue; // an OCI archive has no manifest.json
            }
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = sb.run(&a);
            let err = stderr(&out);
            assert_eq!(code(&out), 7, "{a:?}: {}", describe(&out));
            assert!(err.contains(&format!("{f} {want}")), "{a:?}: {err}");
            for leaked in [
                secret,
                auth.as_str(),
                first_line,
                "root:x",
                "daemon",
                "psFormat",
                "zzzz",
            ] {
                assert!(!err.contains(leaked), "{a:?} shows {leaked:?}: {err}");
            }
        }
    }
}

/// A copy of tar `src` with member `name`'s content replaced by `data`.
fn rewrite_member(src: &Path, dst: &Path, name: &str, data: &[u8]) {
    use std::io::Read;
    let mut a = tar::Archive::new(std::fs::File::open(src).unwrap());
    let mut b = tar::Builder::new(std::fs::File::create(dst).unwrap());
    let mut replaced = false;
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let mut h = e.header().clone();
        let mut body = Vec::new();
        e.read_to_end(&mut body).unwrap();
        if e.path().unwrap().to_string_lossy() == name {
            body = data.to_vec();
            h.set_size(body.len() as u64);
            h.set_cksum();
            replaced = true;
        }
        b.append(&h, body.as_slice()).unwrap();
    }
    b.finish().unwrap();
    assert!(replaced, "{name} not in {}", src.display());
}

#[test]
fn docker_25_archive_with_null_manifests_falls_back_to_manifest_json() {
    let sb = Imgctl::new();
    let orig = fixtures().join("docker-save-v25-containerd-alpine-3.20.3.tar");
    let mut index: Value = serde_json::from_slice(&tar_member(&orig, "index.json")).unwrap();
    assert!(index["manifests"].is_array(), "{index}");
    index["manifests"] = Value::Null;
    let file = sb.dir().join("null-manifests.tar");
    rewrite_member(
        &orig,
        &file,
        "index.json",
        &serde_json::to_vec(&index).unwrap(),
    );
    let entries: Value = serde_json::from_slice(&tar_member(&file, "manifest.json")).unwrap();
    let config = entries[0]["Config"]
        .as_str()
        .unwrap()
        .replace("blobs/sha256/", "sha256:");
    let layer = entries[0]["Layers"][0]
        .as_str()
        .unwrap()
        .replace("blobs/sha256/", "sha256:");

    // Read through manifest.json: a Docker schema 2 manifest over the archive's config and
    // layer files, as skopeo reads it.
    let loc = format!("docker-archive:{}", file.display());
    let doc = json_out(&sb, &["inspect", &loc]);
    assert_eq!(
        doc["mediaType"],
        json!("application/vnd.docker.distribution.manifest.v2+json"),
        "{doc}"
    );
    assert_eq!(doc["config"]["digest"], json!(config), "{doc}");
    assert_eq!(doc["layers"][0]["digest"], json!(layer), "{doc}");
    assert_eq!(doc["architecture"], json!("amd64"), "{doc}");
    let digest = sb.run_ok(&["digest", &loc]).trim().to_string();
    assert_eq!(digest, doc["digest"].as_str().unwrap());

    // load names it by RepoTags; the store holds every blob (a copy out of it verifies each).
    let out = json_out(&sb, &["load", "-i", file.to_str().unwrap()]);
    assert_eq!(
        out,
        json!({"reference": "docker.io/library/alpine:latest", "digest": digest})
    );
    let lay = sb.dir().join("out");
    let dst = format!("oci:{}:1", lay.display());
    sb.run_ok(&["-q", "copy", "store:alpine:latest", &dst]);
    assert_eq!(sb.run_ok(&["digest", &dst]).trim(), digest);
    let blob = |d: &str| {
        lay.join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"))
    };
    assert_eq!(
        std::fs::read(blob(&layer)).unwrap(),
        tar_member(&orig, entries[0]["Layers"][0].as_str().unwrap())
    );
    assert!(blob(&config).is_file());
}

/// Runs `skopeo --insecure-policy ARGS` as an unprivileged user: as itself when the test runs
/// as an ordinary user, else as `nobody` (65534) through `setpriv`, with `HOME` and `TMPDIR`
/// in `scratch` (which must be writable by that user).
fn skopeo_unprivileged(scratch: &Path, args: &[&str]) -> std::process::Output {
    let mut c = if is_root() {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "skopeo"]);
        c
    } else {
        std::process::Command::new("skopeo")
    };
    c.arg("--insecure-policy")
        .args(args)
        .env("HOME", scratch)
        .env("TMPDIR", scratch)
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("REGISTRY_AUTH_FILE")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("spawn skopeo (or setpriv)")
}

#[test]
fn oci_archive_has_directory_entries_that_an_unprivileged_skopeo_needs() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let built = build_standard_image(&src, "v1");
    // a directory the unprivileged user can read and write (the sandbox is 0700)
    let shared = tempfile::Builder::new()
        .prefix("imgctl-unpriv-")
        .tempdir()
        .unwrap();
    std::fs::set_permissions(shared.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let oa = shared.path().join("ours.oci.tar");
    sb.run_ok(&[
        "--progress",
        "none",
        "copy",
        &format!("oci:{}:v1", src.display()),
        &format!("oci-archive:{}:v1", oa.display()),
    ]);
    std::fs::set_permissions(&oa, std::fs::Permissions::from_mode(0o644)).unwrap();

    // directory entries (as tar and skopeo write them) before the blobs they hold
    let mut a = tar::Archive::new(std::fs::File::open(&oa).unwrap());
    let entries: Vec<(String, tar::EntryType, u32)> = a
        .entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.path().unwrap().to_string_lossy().into_owned(),
                e.header().entry_type(),
                e.header().mode().unwrap(),
            )
        })
        .collect();
    let names: Vec<&str> = entries.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names[..4],
        ["oci-layout", "index.json", "blobs/", "blobs/sha256/"],
        "{names:?}"
    );
    for (name, kind, mode) in &entries {
        if name.ends_with('/') {
            assert_eq!(*kind, tar::EntryType::Directory, "{name}");
            assert_eq!(*mode, 0o755, "{name}");
        } else {
            assert_eq!(*kind, tar::EntryType::Regular, "{name}");
        }
    }
    assert_eq!(names.iter().filter(|n| n.ends_with('/')).count(), 2);
    assert_eq!(
        names.len(),
        2 + 2 + 4,
        "config, manifest, 2 layers: {names:?}"
    );

    // skopeo run by an ordinary user unpacks it (it cannot chown directories it created)
    let out = skopeo_unprivileged(
        shared.path(),
        &[
            "inspect",
            "--raw",
            &format!("oci-archive:{}:v1", oa.display()),
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(sha256_digest(&out.stdout), built);
    // and imgctl still reads its own archive
    let out = sb.run_ok(&["digest", &format!("oci-archive:{}:v1", oa.display())]);
    assert_eq!(out.trim(), built);
}
