//! Manifest formats and platform selection: the real manifests under tests/fixtures parse
//! and pick the expected child; `--platform a,b` writes a valid filtered index through the
//! real registry; attestations are never picked but kept by --all-platforms.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use std::path::{Path, PathBuf};

use common::*;
use imgctl::manifest::{
    DOCKER_LIST, Manifest, PlatformSpec, detect_media_type, filter_entries, parse_schema1,
    select_platform,
};
use oci_spec::image::ImageIndex;
use proxy::{Fault, FaultProxy};
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    fixture_path("manifests")
}

fn parse(dir: &Path, name: &str) -> imgctl::error::Result<(String, Manifest)> {
    let bytes = std::fs::read(dir.join(name)).unwrap();
    let mt = detect_media_type(&bytes, None)?;
    let m = Manifest::parse(&bytes, &mt)?;
    Ok((mt, m))
}

fn index(dir: &Path, name: &str) -> ImageIndex {
    match parse(dir, name).unwrap().1 {
        Manifest::Index(i) => *i,
        _ => panic!("{name} is not an index"),
    }
}

#[test]
fn every_real_manifest_parses_or_is_rejected_as_expected() {
    let dir = fixtures();
    let mut seen = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        seen += 1;
        let r = parse(&dir, &name);
        match name.as_str() {
            "unknown-schema-version.json" | "image-spec-subject-not-a-descriptor.json" => {
                assert!(r.is_err(), "{name} must be rejected")
            }
            n if n.starts_with("docker-schema1") => {
                // Not copyable, but readable for inspect.
                let e = r.unwrap_err();
                assert!(e.to_string().contains("schema 1"), "{e}");
                let s = parse_schema1(&std::fs::read(dir.join(n)).unwrap()).unwrap();
                assert_eq!(s.layers.len(), 3);
                assert_eq!(s.signed, !n.contains("unsigned"));
            }
            _ => {
                let (mt, _) = r.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(mt.starts_with("application/vnd."), "{name}: {mt}");
            }
        }
    }
    assert!(seen >= 30);
    // Media types guessed for documents without mediaType.
    assert_eq!(
        parse(&dir, "oci-manifest-no-mediatype.json").unwrap().0,
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        parse(&dir, "oci-index-no-mediatype.json").unwrap().0,
        "application/vnd.oci.image.index.v1+json"
    );
    // Artifacts: artifactType and subject are read.
    match parse(&dir, "oci-spec-manifest-with-subject.json")
        .unwrap()
        .1
    {
        Manifest::Image(m) => assert_eq!(
            m.subject().as_ref().unwrap().digest().to_string(),
            "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270"
        ),
        _ => panic!(),
    }
    match parse(&dir, "oci-spec-artifact-minimal-empty-config.json")
        .unwrap()
        .1
    {
        Manifest::Image(m) => assert_eq!(
            m.artifact_type().as_ref().unwrap().to_string(),
            "application/vnd.example+type"
        ),
        _ => panic!(),
    }
}

#[test]
fn platform_selection_on_real_indexes() {
    let dir = fixtures();
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "docker-manifest-list-spec-example.json",
            "linux/amd64",
            Some("sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270"),
        ),
        (
            "docker-manifest-list-spec-example.json",
            "linux/ppc64le",
            Some("sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"),
        ),
        (
            "docker-manifest-list-spec-example.json",
            "linux/arm64",
            None,
        ),
        (
            "docker-manifest-list-arm-variants.json",
            "linux/amd64",
            Some("sha256:030fcb92e1487b18c974784dcc110a93147c9fc402188370fbfd17efabffc6af"),
        ),
        (
            "docker-manifest-list-arm-variants.json",
            "linux/arm/v7",
            Some("sha256:b5dbad4bdb4444d919294afe49a095c23e86782f98cdf0aa286198ddb814b50b"),
        ),
        (
            "docker-manifest-list-arm-variants.json",
            "linux/arm64",
            Some("sha256:dc472a59fb006797aa2a6bfb54cc9c57959bb0a6d11fadaa608df8c16dea39cf"),
        ),
        (
            "docker-manifest-list-arm-variants.json",
            "linux/arm64/v8",
            Some("sha256:dc472a59fb006797aa2a6bfb54cc9c57959bb0a6d11fadaa608df8c16dea39cf"),
        ),
        ("docker-manifest-list-arm-variants.json", "linux/mips", None),
        (
            "dockerhub-hello-world-nanoserver-list-windows.json",
            "windows/amd64",
            Some("sha256:63c287625c2b0b72900e562de73c0e381472a83b1b39217aef3856cd398eca0b"),
        ),
        (
            "dockerhub-hello-world-nanoserver-list-windows.json",
            "windows(10.0.17763)/amd64",
            Some("sha256:63c287625c2b0b72900e562de73c0e381472a83b1b39217aef3856cd398eca0b"),
        ),
        (
            "dockerhub-hello-world-nanoserver-list-windows.json",
            "windows(10.0.17763.1040)/amd64",
            Some("sha256:63c287625c2b0b72900e562de73c0e381472a83b1b39217aef3856cd398eca0b"),
        ),
        // Another revision of the same build matches (10.0.17763.x); another build does not.
        (
            "dockerhub-hello-world-nanoserver-list-windows.json",
            "windows(10.0.17763.1234)/amd64",
            Some("sha256:63c287625c2b0b72900e562de73c0e381472a83b1b39217aef3856cd398eca0b"),
        ),
        (
            "dockerhub-hello-world-nanoserver-list-windows.json",
            "windows(10.0.17764.1040)/amd64",
            None,
        ),
        (
            "dockerhub-hello-world-nanoserver-list-windows.json",
            "windows(10.0.1776)/amd64",
            None,
        ),
        (
            "dockerhub-hello-world-nanoserver-list-windows.json",
            "windows(10.0.20348)/amd64",
            None,
        ),
        (
            "dockerhub-hello-world-nanoserver-list-windows.json",
            "linux/amd64",
            None,
        ),
        (
            "oci-index-os-features.json",
            "linux/amd64",
            Some("sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270"),
        ),
        (
            "oci-index-with-artifacttype-entry.json",
            "linux/amd64",
            Some("sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270"),
        ),
        (
            "oci-index-with-artifacttype-entry.json",
            "linux/arm64",
            None,
        ),
        (
            "oci-index-zstd-selection.json",
            "linux/amd64",
            Some("sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        ),
        (
            "oci-index-no-mediatype.json",
            "linux/amd64",
            Some("sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270"),
        ),
        (
            "oci-spec-index-nested-index.json",
            "linux/ppc64le",
            Some("sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"),
        ),
        (
            "buildkit-attestation-index.json",
            "linux/amd64",
            Some("sha256:23678f31b3b3586c4fb318aecfe64a96a1f0916ba8faf9b2be2abee63fa9e827"),
        ),
        ("buildkit-attestation-index.json", "unknown/unknown", None),
        (
            "regclient-index-buildx-builder-refs.json",
            "linux/amd64",
            Some("sha256:1effc9d48232693f4584ceb9c5e8d84ddeb5924ea4aff341aa8204510422f668"),
        ),
        (
            "regclient-index-buildx-builder-refs.json",
            "linux/arm64",
            Some("sha256:7e87ffc91b9ceafa85be2777b16b1be10e4664fd4f3acc86e4295b97da5163ba"),
        ),
        (
            "regclient-index-buildx-builder-refs.json",
            "unknown/unknown",
            None,
        ),
        (
            "regclient-index-linux-arm-v6-v7.json",
            "linux/arm/v7",
            Some("sha256:a347aaec7c49a7c78201d6f0deded045079bfb27044e02c7b062de7b676e243a"),
        ),
        (
            "regclient-index-linux-arm-v6-v7.json",
            "linux/arm/v6",
            Some("sha256:431e0e3ba987dcf584fb5374d21313aa958c30b2d97b743d06c39ad9a7d983a4"),
        ),
        ("regclient-artifact-index.json", "linux/amd64", None),
        (
            "buildx-index-with-attestations-keygen.json",
            "linux/amd64",
            Some("sha256:9c74df62b4d5722f86c31ce8319f047bdced5af0da2e9403fb3154d2599736cd"),
        ),
        (
            "buildx-index-with-attestations-keygen.json",
            "linux/arm64",
            Some("sha256:415654d92c281414cda9931cb7cb13027a5dadc63f8844944c53c6a4888d23d3"),
        ),
    ];
    for (file, platform, want) in cases {
        let i = index(&dir, file);
        let spec: PlatformSpec = platform.parse().unwrap();
        let got = select_platform(&i, &spec).map(|d| d.digest().to_string());
        assert_eq!(got.as_deref(), *want, "{file} {platform}");
    }
    // A filtered set keeps the attestations of the images it keeps, and nothing else.
    let i = index(&dir, "buildx-index-with-attestations-keygen.json");
    let kept = filter_entries(&i, &["linux/arm64".parse().unwrap()]).unwrap();
    assert_eq!(kept.len(), 2, "arm64 image + its attestation");
    assert_eq!(
        kept[0].digest().to_string(),
        "sha256:415654d92c281414cda9931cb7cb13027a5dadc63f8844944c53c6a4888d23d3"
    );
    assert_eq!(
        kept[1].platform().as_ref().unwrap().os().to_string(),
        "unknown"
    );
    assert!(filter_entries(&i, &["linux/s390x".parse().unwrap()]).is_err());
}

/// Builds an index (amd64, arm64, arm/v7) plus an attestation manifest for the amd64 image,
/// tagged `tag` in `layout`. Returns (index digest, amd64 digest, attestation digest).
fn index_with_attestation(layout: &Path, tag: &str) -> (String, String, String) {
    let idx = build_index(
        layout,
        "tmp",
        &["linux/amd64", "linux/arm64", "linux/arm/v7"],
    );
    let mut doc = read_json_blob(layout, &idx);
    let amd = doc["manifests"][0]["digest"].as_str().unwrap().to_string();
    let empty = write_blob(layout, "application/vnd.oci.empty.v1+json", b"{}");
    let statement = write_blob(layout, "application/vnd.in-toto+json", br#"{"_type":"x"}"#);
    let att = json!({
        "schemaVersion": 2,
        "mediaType": MT_MANIFEST,
        "artifactType": "application/vnd.docker.attestation.manifest.v1+json",
        "config": empty,
        "layers": [statement],
    });
    let mut att_desc = write_blob(layout, MT_MANIFEST, &serde_json::to_vec(&att).unwrap());
    let att_digest = att_desc["digest"].as_str().unwrap().to_string();
    att_desc["platform"] = json!({"os": "unknown", "architecture": "unknown"});
    att_desc["annotations"] = json!({
        "vnd.docker.reference.type": "attestation-manifest",
        "vnd.docker.reference.digest": amd,
    });
    doc["manifests"].as_array_mut().unwrap().push(att_desc);
    let desc = write_blob(layout, MT_INDEX, &serde_json::to_vec(&doc).unwrap());
    let digest = desc["digest"].as_str().unwrap().to_string();
    tag_descriptor(layout, tag, desc);
    (digest, amd, att_digest)
}

#[test]
fn platform_list_writes_a_filtered_index_through_the_registry() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let (full, amd, att) = index_with_attestation(&src, "v1");
    let r = json_out(
        &sb,
        &[
            "copy",
            "--all-platforms",
            &format!("oci:{}:v1", src.display()),
            &format!("docker://{}", reg.reference("multi:all")),
        ],
    );
    assert_eq!(
        r["digest"],
        full.as_str(),
        "--all-platforms keeps the index as is"
    );
    assert!(
        r["platforms"]
            .as_array()
            .unwrap()
            .contains(&json!("unknown/unknown")),
        "attestation kept: {r}"
    );

    // `digest --platform`: the child's digest (registry and layout); without it, the index's
    let multi = format!("docker://{}", reg.reference("multi:all"));
    let layout = format!("oci:{}:v1", src.display());
    for loc in [multi.as_str(), layout.as_str()] {
        assert_eq!(sb.run_ok(&["digest", loc]).trim(), full);
        assert_eq!(
            sb.run_ok(&["digest", "--platform", "linux/amd64", loc])
                .trim(),
            amd
        );
        let out = sb.run(&["digest", "--platform", "linux/s390x", loc]);
        assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
        assert!(
            stderr(&out).contains("available: linux/amd64"),
            "{}",
            describe(&out)
        );
    }

    // Registry → registry with a platform list: a new, valid index.
    let r = json_out(
        &sb,
        &[
            "copy",
            "--platform",
            "linux/amd64,linux/arm/v7",
            &format!("docker://{}", reg.reference("multi:all")),
            &format!("docker://{}", reg.reference("multi:two")),
        ],
    );
    let new = r["digest"].as_str().unwrap().to_string();
    assert_ne!(new, full, "a filtered index has a new digest");
    let (raw, d) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("multi:two")),
        &reg.skopeo_flags("", None),
    );
    assert_eq!(d, new);
    let doc: Value = serde_json::from_slice(&raw).unwrap();
    let entries = doc["manifests"].as_array().unwrap();
    let plats: Vec<String> = entries
        .iter()
        .map(|e| {
            let p = &e["platform"];
            let mut s = format!(
                "{}/{}",
                p["os"].as_str().unwrap(),
                p["architecture"].as_str().unwrap()
            );
            if let Some(v) = p["variant"].as_str() {
                s += "/";
                s += v;
            }
            s
        })
        .collect();
    assert_eq!(plats, ["linux/amd64", "linux/arm/v7", "unknown/unknown"]);
    assert_eq!(entries[0]["digest"], amd.as_str());
    assert_eq!(entries[2]["digest"], att.as_str());
    // Every child is really there: skopeo copies the whole filtered index.
    skopeo_ok(&[
        "copy".to_string(),
        "--all".to_string(),
        "--src-tls-verify=false".to_string(),
        format!("docker://{}", reg.reference("multi:two")),
        format!("oci:{}:two", sb.dir().join("check").display()),
    ]);

    // One platform: the image itself (its digest unchanged), never the attestation.
    let r = json_out(
        &sb,
        &[
            "copy",
            "--platform",
            "linux/amd64",
            &format!("docker://{}", reg.reference("multi:all")),
            &format!("oci:{}:one", sb.dir().join("one").display()),
        ],
    );
    assert_eq!(r["digest"], amd.as_str());
    let out = sb.run(&[
        "copy",
        "--platform",
        "unknown/unknown",
        &format!("docker://{}", reg.reference("multi:all")),
        &format!("oci:{}:x", sb.dir().join("x").display()),
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    // The platforms offered are the images', never the attestation's `unknown/unknown`
    // (the same list inspect and digest give).
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("(available: linux/amd64, linux/arm64, linux/arm/v7)"),
        "{}",
        describe(&out)
    );
    let out = sb.run(&[
        "copy",
        "--platform",
        "linux/amd64,linux/s390x",
        &format!("docker://{}", reg.reference("multi:all")),
        &format!("oci:{}:x", sb.dir().join("x").display()),
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("linux/s390x") && err.contains("available"),
        "{err}"
    );
}

/// The Windows entry of the Docker Hub nanoserver fixture (its `platform` object as is), with
/// `os.features` added.
fn windows_fixture_platform() -> Value {
    let p = fixture_path("manifests/dockerhub-hello-world-nanoserver-list-windows.json");
    let bytes = std::fs::read(&p).unwrap();
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    let mut platform = doc["manifests"][0]["platform"].clone();
    assert_eq!(platform["os.version"], "10.0.17763.1040");
    platform["os.features"] = json!(["win32k"]);
    platform
}

/// Asserts `platform` is written with the image spec's keys only.
fn assert_spec_platform_keys(platform: &Value, want: &Value) {
    assert_eq!(platform, want, "platform written as {platform}");
    let keys: Vec<&String> = platform.as_object().unwrap().keys().collect();
    assert!(
        !keys.iter().any(|k| k.contains('_')),
        "non-spec keys: {keys:?}"
    );
}

#[test]
fn windows_os_version_and_features_are_written_with_the_spec_keys() {
    let win_platform = windows_fixture_platform();
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let idx = build_index(&src, "tmp", &["linux/amd64", "linux/arm64"]);
    let mut doc = read_json_blob(&src, &idx);
    let layer = build_layer(&[TarEntry::file("Windows/hello.txt", "hello\n")]);
    let mut win = write_image(&src, &[layer], &Platform::parse("windows/amd64"));
    win["platform"] = win_platform.clone();
    let win_digest = win["digest"].as_str().unwrap().to_string();
    doc["manifests"].as_array_mut().unwrap().insert(1, win);
    let desc = write_blob(&src, MT_INDEX, &serde_json::to_vec(&doc).unwrap());
    tag_descriptor(&src, "v1", desc);
    let from = format!("oci:{}:v1", src.display());
    let dst = sb.dir().join("dst");

    // One platform: the index.json entry carries the chosen child's platform.
    let r = json_out(
        &sb,
        &[
            "copy",
            "--platform",
            "windows(10.0.17763.1040)/amd64",
            &from,
            &format!("oci:{}:win", dst.display()),
        ],
    );
    assert_eq!(r["digest"], win_digest.as_str());
    let entry = read_index_json(&dst)["manifests"][0].clone();
    assert_eq!(entry["digest"], win_digest.as_str());
    assert_spec_platform_keys(&entry["platform"], &win_platform);
    // … and reads back through the library with os.version and os.features.
    let layout = imgctl::store::Layout::open(&dst).unwrap();
    let d = layout.resolve("win").unwrap();
    let p = d.platform().clone().unwrap();
    assert_eq!(p.os_version().as_deref(), Some("10.0.17763.1040"));
    assert_eq!(p.os_features().clone(), Some(vec!["win32k".to_string()]));
    // skopeo reads the layout we wrote
    let out = skopeo_ok(&["inspect", &format!("oci:{}:win", dst.display())]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Digest"], win_digest.as_str());
    assert_eq!(v["Os"], "windows");

    // A platform list: a filtered index whose Windows entry keeps the spec keys.
    let r = json_out(
        &sb,
        &[
            "copy",
            "--platform",
            "windows/amd64,linux/arm64",
            &from,
            &format!("oci:{}:two", dst.display()),
        ],
    );
    let filtered = r["digest"].as_str().unwrap().to_string();
    let fdoc = read_json_blob(&dst, &filtered);
    let entries = fdoc["manifests"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{fdoc}");
    assert_eq!(entries[0]["digest"], win_digest.as_str());
    assert_spec_platform_keys(&entries[0]["platform"], &win_platform);
    assert_eq!(
        entries[1]["platform"],
        json!({"architecture": "arm64", "os": "linux"})
    );
    let named = read_index_json(&dst)["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["digest"] == filtered.as_str())
        .cloned()
        .unwrap();
    assert!(named.get("platform").is_none(), "{named}");
}

/// Windows images of several revisions of one build (the nanoserver fixture's entry, copied
/// with other `os.version` values and digests): `windows(10.0.17763.1234)/amd64` takes the
/// exact revision when the index has it, else the highest revision of 10.0.17763, never
/// another build; a build-less value takes the highest revision too.
#[test]
fn windows_os_version_matches_the_build_preferring_the_exact_then_the_highest_revision() {
    let p = fixture_path("manifests/dockerhub-hello-world-nanoserver-list-windows.json");
    let doc: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    let template = doc["manifests"][0].clone();
    let entry = |version: &str, fill: char| {
        let mut e = template.clone();
        e["platform"]["os.version"] = json!(version);
        e["digest"] = json!(format!("sha256:{}", fill.to_string().repeat(64)));
        e
    };
    let with = |entries: Vec<Value>| -> ImageIndex {
        let mut d = doc.clone();
        d["manifests"] = json!(entries);
        match Manifest::parse(&serde_json::to_vec(&d).unwrap(), DOCKER_LIST).unwrap() {
            Manifest::Index(i) => *i,
            _ => panic!("not an index"),
        }
    };
    let pick = |i: &ImageIndex, want: &str| {
        select_platform(i, &want.parse().unwrap()).map(|d| d.digest().to_string()[7..8].to_string())
    };
    let all = with(vec![
        entry("10.0.17763.1040", 'a'),
        entry("10.0.20348.2000", 'b'),
        entry("10.0.17763.2000", 'c'),
        entry("10.0.17763.1234", 'd'),
        entry("10.0.17763.999", 'e'),
    ]);
    assert_eq!(
        pick(&all, "windows(10.0.17763.1234)/amd64").as_deref(),
        Some("d")
    );
    assert_eq!(
        pick(&all, "windows(10.0.17763.1)/amd64").as_deref(),
        Some("c")
    );
    assert_eq!(
        pick(&all, "windows(10.0.17763)/amd64").as_deref(),
        Some("c")
    );
    assert_eq!(
        pick(&all, "windows(10.0.20348.1)/amd64").as_deref(),
        Some("b")
    );
    assert_eq!(pick(&all, "windows(10.0.14393.1)/amd64"), None);
    // Without the exact revision: the highest one (numerically: 2000 over 999 and 1040).
    let no_exact = with(vec![
        entry("10.0.17763.999", 'e'),
        entry("10.0.17763.2000", 'c'),
        entry("10.0.17763.1040", 'a'),
    ]);
    assert_eq!(
        pick(&no_exact, "windows(10.0.17763.1234)/amd64").as_deref(),
        Some("c")
    );
    // An entry naming the build alone still matches a request with a revision, ranked last.
    let bare = with(vec![entry("10.0.17763", 'f'), entry("10.0.17763.5", 'a')]);
    assert_eq!(
        pick(&bare, "windows(10.0.17763.1234)/amd64").as_deref(),
        Some("a")
    );
    let only_bare = with(vec![entry("10.0.17763", 'f')]);
    assert_eq!(
        pick(&only_bare, "windows(10.0.17763.1234)/amd64").as_deref(),
        Some("f")
    );
}

/// `copy --platform windows(10.0.17763.1234)/amd64` through the CLI picks the image of build
/// 10.0.17763 whose revision is the highest when the exact one is absent (not another build's,
/// even with a higher revision), and names it with its own `os.version`.
#[test]
fn copy_with_a_windows_revision_picks_the_same_build() {
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let idx = build_index(&src, "tmp", &["linux/amd64"]);
    let mut doc = read_json_blob(&src, &idx);
    let mut digests = Vec::new();
    for (i, version) in ["10.0.17763.1040", "10.0.17763.2000", "10.0.20348.3000"]
        .iter()
        .enumerate()
    {
        let layer = build_layer(&[TarEntry::file("Windows/v.txt", format!("{version}\n"))]);
        let mut win = write_image(&src, &[layer], &Platform::parse("windows/amd64"));
        win["platform"]["os.version"] = json!(version);
        digests.push(win["digest"].as_str().unwrap().to_string());
        doc["manifests"].as_array_mut().unwrap().insert(i, win);
    }
    let desc = write_blob(&src, MT_INDEX, &serde_json::to_vec(&doc).unwrap());
    tag_descriptor(&src, "v1", desc);
    let from = format!("oci:{}:v1", src.display());
    let dst = sb.dir().join("dst");
    let r = json_out(
        &sb,
        &[
            "copy",
            "--platform",
            "windows(10.0.17763.1234)/amd64",
            &from,
            &format!("oci:{}:win", dst.display()),
        ],
    );
    assert_eq!(r["digest"], digests[1].as_str(), "{r}");
    let entry = read_index_json(&dst)["manifests"][0].clone();
    assert_eq!(entry["platform"]["os.version"], "10.0.17763.2000");
}

/// The digest a registry gives the signed schema 1 fixture (tests/fixtures/README.md): that of
/// its JWS payload, not of the file.
const SIGNED_SCHEMA1_DIGEST: &str =
    "sha256:7364fea9d84ee548ab67d4c46c6006289800c98de3fbf8c0a97138dfcc23f000";

/// A signed Docker schema 1 manifest served as a registry serves it (distribution no longer
/// stores them, so the fault proxy answers for the real registry): its `Docker-Content-Digest`
/// is the digest of the JWS payload, which imgctl computes the same way, so `inspect` works by
/// tag and by that digest and reports it; a header naming the file's own sha256 is refused as a
/// mismatch (exit 7), and a manifest with damaged `signatures` is a parse error (exit 7).
#[test]
fn a_signed_schema1_manifest_is_named_by_its_payload_digest_through_a_registry() {
    let reg = Registry::start(Mode::Plain);
    let proxy = FaultProxy::start(&reg.host());
    let sb = Imgctl::new();
    let signed = std::fs::read(fixture_path(
        "manifests/docker-schema1-signed-mitr-busybox.json",
    ))
    .unwrap();
    let serve = |path: &str, body: &[u8], digest: &str| {
        proxy.add(
            "GET",
            path,
            0,
            Fault::Serve {
                status: 200,
                body: body.to_vec(),
                headers: vec![
                    (
                        "content-type",
                        "application/vnd.docker.distribution.manifest.v1+prettyjws".into(),
                    ),
                    ("docker-content-digest", digest.into()),
                ],
            },
        );
    };
    serve(
        "/v2/mitr/busybox/manifests/latest",
        &signed,
        SIGNED_SCHEMA1_DIGEST,
    );
    serve(
        &format!("/v2/mitr/busybox/manifests/{SIGNED_SCHEMA1_DIGEST}"),
        &signed,
        SIGNED_SCHEMA1_DIGEST,
    );
    let file_digest = sha256_digest(&signed);
    serve("/v2/mitr/busybox/manifests/wrong", &signed, &file_digest);
    let mut damaged: Value = serde_json::from_slice(&signed).unwrap();
    damaged["signatures"][0]["protected"] = json!("not base64 at all!");
    let damaged = serde_json::to_vec_pretty(&damaged).unwrap();
    serve(
        "/v2/mitr/busybox/manifests/damaged",
        &damaged,
        &sha256_digest(&damaged),
    );

    for reference in ["latest", SIGNED_SCHEMA1_DIGEST] {
        let sep = if reference.starts_with("sha256:") {
            "@"
        } else {
            ":"
        };
        let loc = format!("docker://{}/mitr/busybox{sep}{reference}", proxy.host());
        let v = json_out(&sb, &["inspect", &loc]);
        assert_eq!(v["digest"], SIGNED_SCHEMA1_DIGEST, "{loc}: {v}");
        assert_eq!(v["schema1"]["signed"], true, "{v}");
        assert_eq!(v["schema1"]["layers"].as_array().unwrap().len(), 3);
    }
    assert_ne!(file_digest, SIGNED_SCHEMA1_DIGEST);

    let out = sb.run(&[
        "inspect",
        &format!("docker://{}/mitr/busybox:wrong", proxy.host()),
    ]);
    assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("does not match its Docker-Content-Digest"),
        "{err}"
    );

    let out = sb.run(&[
        "inspect",
        &format!("docker://{}/mitr/busybox:damaged", proxy.host()),
    ]);
    assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("malformed schema 1 signatures"), "{err}");
}
