//! `imgctl index create|add|remove` through the real registry, checked with skopeo and
//! `imgctl pull --platform`.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use common::*;
use serde_json::Value;

fn raw(image: &str, flags: &[String]) -> Value {
    serde_json::from_slice(&skopeo_raw_manifest(image, flags).0).unwrap()
}

fn platforms(index: &Value) -> Vec<String> {
    index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}/{}",
                e["platform"]["os"].as_str().unwrap(),
                e["platform"]["architecture"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn index_create_add_remove_in_the_registry() {
    let reg = Registry::start(Mode::Plain);
    let flags = reg.skopeo_flags("", None);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let entry = |p: &str| vec![vec![TarEntry::file("etc/platform", format!("{p}\n"))]];
    let amd = build_image(
        &layout,
        "amd",
        entry("linux/amd64"),
        &Platform::parse("linux/amd64"),
    );
    let arm = build_image(
        &layout,
        "arm",
        entry("linux/arm64"),
        &Platform::parse("linux/arm64"),
    );
    let s390 = build_image(
        &layout,
        "s390",
        entry("linux/s390x"),
        &Platform::parse("linux/s390x"),
    );
    let amd_ref = reg.reference("src/app:amd");
    sb.run_ok(&["copy", &format!("oci:{}:amd", layout.display()), &amd_ref]);
    let dst = reg.reference("app:1");

    // Sources from a registry (mounted into app) and from a layout (uploaded).
    let digest = sb
        .run_ok(&[
            "index",
            "create",
            "--annotation",
            "k=v",
            &dst,
            &amd_ref,
            &format!("oci:{}:arm", layout.display()),
        ])
        .trim()
        .to_string();
    let (bytes, got) = skopeo_raw_manifest(&format!("docker://{dst}"), &flags);
    assert_eq!(got, digest);
    let index: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        index["mediaType"],
        "application/vnd.oci.image.index.v1+json"
    );
    assert_eq!(index["annotations"]["k"], "v");
    assert_eq!(platforms(&index), ["linux/amd64", "linux/arm64"]);
    assert_eq!(index["manifests"][0]["digest"], amd.as_str());
    assert_eq!(index["manifests"][1]["digest"], arm.as_str());
    // The children are in app: pull one platform of the new index.
    let pulled = sb.run_ok(&["pull", "--platform", "linux/arm64", &dst]);
    assert_eq!(pulled.trim(), arm);

    sb.run_ok(&[
        "index",
        "add",
        &dst,
        &format!("oci:{}:s390", layout.display()),
    ]);
    let index = raw(&format!("docker://{dst}"), &flags);
    assert_eq!(
        platforms(&index),
        ["linux/amd64", "linux/arm64", "linux/s390x"]
    );
    assert_eq!(index["manifests"][2]["digest"], s390.as_str());

    sb.run_ok(&["index", "remove", &dst, "--platform", "linux/amd64"]);
    let index = raw(&format!("docker://{dst}"), &flags);
    assert_eq!(platforms(&index), ["linux/arm64", "linux/s390x"]);
    let o = sb.run(&["index", "remove", &dst, "--platform", "linux/amd64"]);
    assert_eq!(o.status.code(), Some(4), "{}", describe(&o));

    // An index as a child is refused (not flattened), exit 2, the index unchanged.
    let o = sb.run(&["index", "add", &dst, &dst]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nested indexes are refused"));
    assert_eq!(raw(&format!("docker://{dst}"), &flags), index);

    // Two images of one platform: refused before anything is copied (a puller would take
    // the first), naming both sources and the platform.
    build_image(
        &layout,
        "amd2",
        entry("linux/amd64 again"),
        &Platform::parse("linux/amd64"),
    );
    let amd2 = format!("oci:{}:amd2", layout.display());
    let dup = reg.reference("dup:1");
    let o = sb.run(&["index", "create", &dup, &amd_ref, &amd2]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    let err = stderr(&o);
    for needle in [amd_ref.as_str(), amd2.as_str(), "linux/amd64"] {
        assert!(err.contains(needle), "{needle}: {}", describe(&o));
    }
    assert!(
        !reg.access_log()
            .iter()
            .any(|e| e.path.starts_with("/v2/dup/")),
        "nothing may be written to dup"
    );
    // index add keeps replacing an entry of the same platform as the index's.
    sb.run_ok(&["index", "add", &dst, &amd2]);
    sb.run_ok(&["index", "add", &dst, &amd_ref]);
    let index = raw(&format!("docker://{dst}"), &flags);
    assert_eq!(
        platforms(&index),
        ["linux/arm64", "linux/s390x", "linux/amd64"]
    );
    assert_eq!(index["manifests"][2]["digest"], amd.as_str());

    // Removing the last image would leave an empty index: refused, with how to delete it.
    let one = reg.reference("one:1");
    sb.run_ok(&["index", "create", &one, &amd_ref]);
    let before = raw(&format!("docker://{one}"), &flags);
    let o = sb.run(&["index", "remove", &one, "--platform", "linux/amd64"]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(
        hint(&o).contains(&format!("imgctl delete {one}")),
        "{}",
        describe(&o)
    );
    assert_eq!(raw(&format!("docker://{one}"), &flags), before);
}

#[test]
fn index_create_add_remove_in_an_oci_layout_and_an_archive_umoci_and_skopeo_read() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let entry = |p: &str| vec![vec![TarEntry::file("etc/platform", format!("{p}\n"))]];
    let amd = build_image(
        &layout,
        "amd",
        entry("linux/amd64"),
        &Platform::parse("linux/amd64"),
    );
    let arm = build_image(
        &layout,
        "arm",
        entry("linux/arm64"),
        &Platform::parse("linux/arm64"),
    );
    build_image(
        &layout,
        "s390",
        entry("linux/s390x"),
        &Platform::parse("linux/s390x"),
    );
    // One child from a registry, one from a layout: both end up in the new layout.
    let arm_ref = reg.reference("src/app:arm");
    sb.run_ok(&["copy", &format!("oci:{}:arm", layout.display()), &arm_ref]);
    let out = sb.dir().join("out");
    let dst = format!("oci:{}:multi", out.display());
    let digest = sb
        .run_ok(&[
            "index",
            "create",
            &dst,
            &format!("oci:{}:amd", layout.display()),
            &arm_ref,
        ])
        .trim()
        .to_string();
    let index_json = read_index_json(&out);
    let desc = index_json["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["annotations"]["org.opencontainers.image.ref.name"] == "multi")
        .unwrap()
        .clone();
    assert_eq!(desc["digest"], digest);
    let idx = read_json_blob(&out, &digest);
    assert_eq!(platforms(&idx), ["linux/amd64", "linux/arm64"]);
    let children: Vec<&str> = idx["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["digest"].as_str().unwrap())
        .collect();
    assert_eq!(children, [amd.as_str(), arm.as_str()]);
    // Every blob of every child is in the layout: umoci unpacks each platform.
    for (arch, want) in [("amd64", "linux/amd64\n"), ("arm64", "linux/arm64\n")] {
        let one = sb.dir().join(format!("one-{arch}"));
        sb.run_ok(&[
            "copy",
            "--platform",
            &format!("linux/{arch}"),
            &dst,
            &format!("oci:{}:x", one.display()),
        ]);
        let bundle = sb.dir().join(format!("bundle-{arch}"));
        let o = umoci(&[
            "unpack",
            "--image",
            &format!("{}:x", one.display()),
            bundle.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "umoci: {}", describe(&o));
        assert_eq!(
            std::fs::read_to_string(bundle.join("rootfs/etc/platform")).unwrap(),
            want
        );
    }

    // add (s390x) then remove (amd64), in place in the layout; skopeo reads the result.
    sb.run_ok(&[
        "index",
        "add",
        &dst,
        &format!("oci:{}:s390", layout.display()),
    ]);
    sb.run_ok(&["index", "remove", &dst, "--platform", "linux/amd64"]);
    let raw_idx = skopeo_ok(&["inspect", "--raw", &dst]);
    let idx: Value = serde_json::from_str(&raw_idx).unwrap();
    assert_eq!(platforms(&idx), ["linux/arm64", "linux/s390x"]);
    let mut args: Vec<String> = vec!["copy".into(), "--all".into()];
    args.push(dst.clone());
    args.push(format!(
        "oci:{}:all",
        sb.dir().join("skopeo-copy").display()
    ));
    skopeo_ok(&args);

    // An OCI archive as the destination works the same way.
    let archive = sb.dir().join("multi.tar");
    sb.run_ok(&[
        "index",
        "create",
        &format!("oci-archive:{}:m", archive.display()),
        &format!("oci:{}:amd", layout.display()),
        &format!("oci:{}:arm", layout.display()),
    ]);
    let raw_idx = skopeo_ok(&[
        "inspect",
        "--raw",
        &format!("oci-archive:{}:m", archive.display()),
    ]);
    let idx: Value = serde_json::from_str(&raw_idx).unwrap();
    assert_eq!(platforms(&idx), ["linux/amd64", "linux/arm64"]);
    // ... and `add` rewrites the archive with the new child's blobs in it.
    sb.run_ok(&[
        "index",
        "add",
        &format!("oci-archive:{}:m", archive.display()),
        &format!("oci:{}:s390", layout.display()),
    ]);
    let mut args: Vec<String> = vec!["copy".into(), "--all".into()];
    args.push(format!("oci-archive:{}:m", archive.display()));
    args.push(format!(
        "oci:{}:all",
        sb.dir().join("from-archive").display()
    ));
    skopeo_ok(&args);
    let idx = read_json_blob(
        &sb.dir().join("from-archive"),
        desc_digest(&read_index_json(&sb.dir().join("from-archive")), "all"),
    );
    assert_eq!(
        platforms(&idx),
        ["linux/amd64", "linux/arm64", "linux/s390x"]
    );

    // The store: an index under a name, which `imgctl inspect` lists by platform.
    let stored = sb
        .run_ok(&[
            "index",
            "create",
            "store:multi:1",
            &format!("oci:{}:amd", layout.display()),
            &format!("oci:{}:arm", layout.display()),
        ])
        .trim()
        .to_string();
    assert_eq!(sb.run_ok(&["digest", "store:multi:1"]).trim(), stored);
    assert_eq!(
        sb.run_ok(&["digest", "--platform", "linux/arm64", "store:multi:1"])
            .trim(),
        arm
    );

    // A docker archive holds no index: refused, nothing written.
    let dock = sb.dir().join("docker.tar");
    let o = sb.run(&[
        "index",
        "create",
        &format!("docker-archive:{}:x:1", dock.display()),
        &format!("oci:{}:amd", layout.display()),
        &format!("oci:{}:arm", layout.display()),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(!dock.exists());
    // ... with a hint that fits index (index create has no --platform).
    let h = hint(&o);
    assert!(
        h.contains("oci-archive:") && h.contains("store:"),
        "{}",
        describe(&o)
    );
    assert!(!h.contains("--platform"), "{}", describe(&o));

    // Two images of one platform, at a layout: refused, nothing written.
    let dup = sb.dir().join("dup");
    let o = sb.run(&[
        "index",
        "create",
        &format!("oci:{}:d", dup.display()),
        &format!("oci:{}:amd", layout.display()),
        &format!("oci:{}:amd", layout.display()),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(stderr(&o).contains("linux/amd64"), "{}", describe(&o));
    assert!(!dup.exists());

    // Removing the last platform is refused at a layout too, its index.json unchanged.
    let one = sb.dir().join("one");
    sb.run_ok(&[
        "index",
        "create",
        &format!("oci:{}:o", one.display()),
        &format!("oci:{}:arm", layout.display()),
    ]);
    let before = std::fs::read(one.join("index.json")).unwrap();
    let o = sb.run(&[
        "index",
        "remove",
        &format!("oci:{}:o", one.display()),
        "--platform",
        "linux/arm64",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(stderr(&o).contains("without an image"), "{}", describe(&o));
    assert!(!hint(&o).is_empty(), "{}", describe(&o));
    assert_eq!(std::fs::read(one.join("index.json")).unwrap(), before);

    // Removing a platform the index lacks is exit 4, and the layout keeps its index.
    let before = std::fs::read(out.join("index.json")).unwrap();
    let o = sb.run(&["index", "remove", &dst, "--platform", "linux/ppc64le"]);
    assert_eq!(o.status.code(), Some(4), "{}", describe(&o));
    assert_eq!(std::fs::read(out.join("index.json")).unwrap(), before);
}

/// The digest of the index.json entry named `name`.
fn desc_digest<'a>(index_json: &'a Value, name: &str) -> &'a str {
    index_json["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["annotations"]["org.opencontainers.image.ref.name"] == name)
        .and_then(|d| d["digest"].as_str())
        .unwrap()
}
