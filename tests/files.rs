//! `imgctl files` and `imgctl diff` against the real registry: the flattened tree with the layer
//! that wrote each entry (compared with the tree `umoci unpack` makes), a whiteout and an
//! opaque directory, one layer's additions/changes/deletions, the PATH filter, per-layer sizes
//! that match the blobs, the JSON shapes; `diff` of an image and the same image with layers
//! appended by `imgctl append`; layers escaping the root refused, a symlink above the root kept.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::*;
use serde_json::Value;

/// Three layers: a base; a whiteout (`etc/b`), an opaque `var/cache` and a changed `etc/a`;
/// a new `opt/top` and `srv/deep/f` (whose parents the tar omits).
fn layers() -> Vec<Vec<TarEntry>> {
    vec![
        vec![
            TarEntry::dir("etc"),
            TarEntry::file("etc/a", "base a"),
            TarEntry::file("etc/b", "base b"),
            TarEntry::dir("var"),
            TarEntry::dir("var/cache"),
            TarEntry::file("var/cache/old", "old cache"),
            TarEntry::dir("usr"),
            TarEntry::dir("usr/bin"),
            TarEntry::file_mode("usr/bin/hello", "#!/bin/sh\necho hi\n", 0o755),
            TarEntry::hardlink("usr/bin/hello2", "usr/bin/hello"),
            TarEntry::symlink("usr/bin/hi", "hello"),
        ],
        vec![
            TarEntry::dir("etc"),
            TarEntry::file_mode("etc/a", "upper a", 0o600),
            TarEntry::whiteout("etc/b"),
            TarEntry::dir("var"),
            TarEntry::OpaqueWhiteout {
                dir: "var/cache".into(),
            },
            TarEntry::dir("var/cache"),
            TarEntry::file("var/cache/new", "new cache"),
        ],
        vec![
            TarEntry::dir("opt"),
            TarEntry::file("opt/top", "top layer"),
            // No entries for srv and srv/deep: extracting creates them.
            TarEntry::file("srv/deep/f", "x"),
        ],
    ]
}

/// Pushes [`layers`] as `files/app:v1` to `reg`; returns (the location, the manifest).
fn push_layers(sb: &Imgctl, reg: &Registry) -> (String, Value) {
    let layout = sb.dir().join("lay");
    build_image(&layout, "v1", layers(), &Platform::parse("linux/amd64"));
    let dst = format!("docker://{}", reg.reference("files/app:v1"));
    sb.run_ok(&["copy", &format!("oci:{}:v1", p(&layout)), &dst]);
    let manifest: Value =
        serde_json::from_slice(&skopeo_raw_manifest(&dst, &reg.skopeo_flags("", None)).0).unwrap();
    (dst, manifest)
}

/// The `entries` of a `files --format json` document by path.
fn by_path(doc: &Value) -> BTreeMap<String, Value> {
    doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["path"].as_str().unwrap().to_string(), e.clone()))
        .collect()
}

/// Every path below `root` (umoci's rootfs), as `/a/b`.
fn disk_paths(root: &Path, rel: &str, out: &mut BTreeSet<String>) {
    for e in std::fs::read_dir(root.join(rel)).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        let p = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        out.insert(format!("/{p}"));
        if std::fs::symlink_metadata(root.join(&p)).unwrap().is_dir() {
            disk_paths(root, &p, out);
        }
    }
}

#[test]
fn the_tree_names_the_layer_of_each_entry_and_agrees_with_umoci_unpack() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let (src, manifest) = push_layers(&sb, &reg);
    let doc = json_out(&sb, &["files", &src]);
    let e = by_path(&doc);
    let layer_digests: Vec<&str> = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap())
        .collect();

    // Whiteouts and opaque directories applied; each entry names its last writer.
    let layer_of = |path: &str| e[path]["layer"].as_u64().unwrap();
    assert_eq!(layer_of("/etc"), 1);
    assert_eq!(layer_of("/etc/a"), 1);
    assert_eq!(e["/etc/a"]["mode"], "0600");
    assert_eq!(e["/etc/a"]["size"], 7);
    assert!(!e.contains_key("/etc/b"), "whited out");
    assert!(
        !e.contains_key("/var/cache/old"),
        "hidden by the opaque dir"
    );
    assert_eq!(layer_of("/var/cache/new"), 1);
    assert_eq!(layer_of("/usr/bin/hello"), 0);
    assert_eq!(e["/usr/bin/hello"]["mode"], "0755");
    assert_eq!(e["/usr/bin/hi"]["kind"], "symlink");
    assert_eq!(e["/usr/bin/hi"]["linkTarget"], "hello");
    assert_eq!(e["/usr/bin/hello2"]["kind"], "hardlink");
    assert_eq!(e["/usr/bin/hello2"]["linkTarget"], "usr/bin/hello");
    assert_eq!(layer_of("/opt/top"), 2);
    assert_eq!(e["/opt/top"]["layerDigest"], layer_digests[2]);
    assert_eq!(e["/etc/a"]["mtime"], "2023-11-14T22:13:20Z");
    assert!(e.keys().all(|k| !k.contains(".wh.")));

    // The same paths as the root filesystem umoci unpacks from the same image.
    let work = tempfile::tempdir().unwrap();
    let layout = sb.dir().join("lay");
    let bundle = work.path().join("bundle");
    let u = umoci(&[
        "unpack".as_ref(),
        "--image".as_ref(),
        format!("{}:v1", layout.display()).as_ref(),
        bundle.as_os_str(),
    ]);
    assert!(u.status.success(), "umoci unpack: {}", describe(&u));
    let mut unpacked = BTreeSet::new();
    disk_paths(&bundle.join("rootfs"), "", &mut unpacked);
    assert_eq!(e.keys().cloned().collect::<BTreeSet<_>>(), unpacked);

    // Per-layer sizes: the blob sizes of the manifest and the tars' lengths.
    let built: Vec<Layer> = layers().iter().map(|l| build_layer(l)).collect();
    let summary = doc["layers"].as_array().unwrap();
    assert_eq!(summary.len(), 3);
    for (i, l) in summary.iter().enumerate() {
        assert_eq!(l["index"], i);
        assert_eq!(l["digest"], layer_digests[i]);
        assert_eq!(l["digest"], built[i].digest);
        assert_eq!(l["size"], manifest["layers"][i]["size"]);
        assert_eq!(l["size"], built[i].compressed.len());
        assert_eq!(l["tarSize"], built[i].uncompressed_size);
        assert_eq!(l["mediaType"], MT_LAYER_GZIP);
    }
    assert_eq!(summary[1]["whiteouts"], 2);
    let totals = &doc["totals"];
    let sum = |f: fn(&Layer) -> u64| built.iter().map(f).sum::<u64>();
    assert_eq!(totals["size"], sum(|l| l.compressed.len() as u64));
    assert_eq!(totals["tarSize"], sum(|l| l.uncompressed_size));
    assert_eq!(totals["entries"], e.len());
    // upper a (7) + new cache (9) + the script (18) + top layer (9) + x; the hard link holds
    // no bytes.
    assert_eq!(totals["filesSize"], 7 + 9 + 18 + 9 + 1);
    assert_eq!(e["/srv/deep"]["kind"], "dir");
    assert_eq!(layer_of("/srv/deep"), 2);
    assert_eq!(
        doc["digest"],
        sha256_digest(&skopeo_raw_manifest(&src, &reg.skopeo_flags("", None)).0)
    );

    // Text: one line per entry with layer index and short digest, then the summary.
    let text = sb.run_ok(&["--progress", "none", "files", &src]);
    let line = text
        .lines()
        .find(|l| l.ends_with(" /etc/a"))
        .unwrap_or_else(|| panic!("no /etc/a line:\n{text}"));
    let short1 = &layer_digests[1][7..19];
    assert!(line.contains(short1), "{line}");
    assert!(line.contains("-rw-------"), "{line}");
    assert!(line.trim_start().starts_with("1 "), "{line}");
    assert!(text.contains("COMPRESSED"), "{text}");
    let total = text
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .unwrap();
    assert!(total.contains(&format!("{}", e.len())), "{total}");
}

#[test]
fn a_layer_view_shows_additions_changes_and_deletions() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let (src, _) = push_layers(&sb, &reg);
    let doc = json_out(&sb, &["files", &src, "--layer", "1"]);
    assert_eq!(doc["layer"], 1);
    let got: BTreeMap<String, (String, Value, Value)> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                (
                    e["action"].as_str().unwrap().to_string(),
                    e["previousLayer"].clone(),
                    e["deletedBy"].clone(),
                ),
            )
        })
        .collect();
    let want: BTreeMap<String, (String, Value, Value)> = [
        ("/etc", "changed", Value::from(0), Value::Null),
        ("/etc/a", "changed", 0.into(), Value::Null),
        ("/etc/b", "deleted", 0.into(), "whiteout".into()),
        ("/var", "changed", 0.into(), Value::Null),
        ("/var/cache", "changed", 0.into(), Value::Null),
        ("/var/cache/old", "deleted", 0.into(), "opaque".into()),
        ("/var/cache/new", "added", Value::Null, Value::Null),
    ]
    .into_iter()
    .map(|(p, a, l, d)| (p.to_string(), (a.to_string(), l, d)))
    .collect();
    assert_eq!(got, want);
    // A deleted entry shows what was deleted: the lower layer's file.
    let old = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "/var/cache/old")
        .unwrap();
    assert_eq!(old["size"], 9);

    let text = sb.run_ok(&["--progress", "none", "files", &src, "--layer", "1"]);
    let lines: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 7, "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("D ") && l.contains(" /etc/b ")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("A ") && l.ends_with(" /var/cache/new")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("M ") && l.contains(" /etc/a ")),
        "{text}"
    );

    // The top layer only adds; a layer the image lacks is exit 4.
    let top = json_out(&sb, &["files", &src, "--layer", "2"]);
    let actions: BTreeSet<&str> = top["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, BTreeSet::from(["added"]));
    let r = run(&sb, &["files", &src, "--layer", "3"]);
    assert_eq!(code(&r), 4, "{}", describe(&r));
    assert!(stderr(&r).contains("3 layers"), "{}", describe(&r));
}

#[test]
fn a_path_limits_the_tree_to_a_subtree() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let (src, _) = push_layers(&sb, &reg);
    let doc = json_out(&sb, &["files", &src, "/usr/bin"]);
    assert_eq!(doc["path"], "/usr/bin");
    let paths: Vec<String> = by_path(&doc).into_keys().collect();
    assert_eq!(
        paths,
        [
            "/usr/bin",
            "/usr/bin/hello",
            "/usr/bin/hello2",
            "/usr/bin/hi"
        ]
    );
    // The totals stay the image's.
    assert_eq!(doc["layers"].as_array().unwrap().len(), 3);

    let long = sb.run_ok(&["--progress", "none", "files", &src, "usr/bin", "--long"]);
    assert!(long.contains("/usr/bin/hi -> hello"), "{long}");
    assert!(long.contains("0:0"), "{long}");
    assert!(long.contains("2023-11-14T22:13:20Z"), "{long}");
    assert!(!long.contains("/etc"), "{long}");

    let r = run(&sb, &["files", &src, "/nonexistent"]);
    assert_eq!(code(&r), 4, "{}", describe(&r));
    assert!(stderr(&r).contains("/nonexistent"), "{}", describe(&r));
}

#[test]
fn diff_of_an_image_and_the_same_image_with_layers_appended() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    build_standard_image(&layout, "v1");
    let a = format!("docker://{}", reg.reference("diff/app:v1"));
    let b = format!("docker://{}", reg.reference("diff/app:v2"));
    sb.run_ok(&["copy", &format!("oci:{}:v1", p(&layout)), &a]);

    // A directory layer: a new tree /srv; a tar layer: /etc/motd's bytes (same length),
    // /etc/hostname's mode, /usr/bin/hi's target, and /opt/app deleted.
    let tree = sb.dir().join("tree");
    std::fs::create_dir_all(tree.join("srv/www")).unwrap();
    std::fs::write(tree.join("srv/www/index.html"), b"<h1>appended</h1>\n").unwrap();
    let motd = "welcome to the imgctl test image\n";
    let same_length: String = motd.chars().rev().collect();
    let tar = build_tar(&[
        TarEntry::dir("etc"),
        TarEntry::file("etc/motd", same_length.clone()),
        TarEntry::file_mode("etc/hostname", "imgctl-test\n", 0o600),
        TarEntry::dir("usr"),
        TarEntry::dir("usr/bin"),
        TarEntry::symlink("usr/bin/hi", "/bin/sh"),
        TarEntry::whiteout("opt/app"),
    ]);
    let tar_path = sb.dir().join("changes.tar");
    std::fs::write(&tar_path, tar).unwrap();
    sb.run_ok(&[
        "--progress",
        "none",
        "append",
        &a,
        "-f",
        p(&tree),
        "-f",
        p(&tar_path),
        "-t",
        &b,
    ]);

    let d = json_out(&sb, &["diff", &a, &b]);
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        strings(&d["added"]),
        ["/srv", "/srv/www", "/srv/www/index.html"]
    );
    assert_eq!(strings(&d["removed"]), ["/opt/app", "/opt/app/data.txt"]);
    let changed: BTreeMap<String, Vec<String>> = d["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_string(),
                strings(&c["changes"]),
            )
        })
        .collect();
    let want: BTreeMap<String, Vec<String>> = [
        ("/etc/hostname", vec!["mode"]),
        ("/etc/motd", vec!["content"]),
        ("/usr/bin/hi", vec!["link"]),
    ]
    .into_iter()
    .map(|(p, c)| (p.to_string(), c.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(changed, want);
    let motd_change = d["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "/etc/motd")
        .unwrap();
    assert_eq!(
        motd_change["before"]["digest"],
        sha256_digest(motd.as_bytes())
    );
    assert_eq!(
        motd_change["after"]["digest"],
        sha256_digest(same_length.as_bytes())
    );
    assert_eq!(d["sharedLayers"], 2);

    // Text: A/D/M lines sorted by path.
    let text = sb.run_ok(&["--progress", "none", "diff", &a, &b]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "M /etc/hostname (mode 0644 -> 0600)",
            "M /etc/motd (content)",
            "D /opt/app",
            "D /opt/app/data.txt",
            "A /srv",
            "A /srv/www",
            "A /srv/www/index.html",
            "M /usr/bin/hi (link hello -> /bin/sh)",
        ],
        "{text}"
    );

    // An image against itself: nothing differs.
    let same = json_out(&sb, &["diff", &a, &format!("oci:{}:v1", p(&layout))]);
    assert_eq!(same["added"], serde_json::json!([]));
    assert_eq!(same["removed"], serde_json::json!([]));
    assert_eq!(same["changed"], serde_json::json!([]));
}

#[test]
fn a_layer_escaping_the_root_is_refused() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("evil");
    // A hard link names another member: one above the root is refused (a symlink's target is
    // data: see a_symlink_above_the_root_is_listed_and_diffed_as_it_is).
    build_image(
        &layout,
        "v1",
        vec![vec![
            TarEntry::dir("etc"),
            TarEntry::hardlink("etc/passwd", "../../../host-etc/passwd"),
        ]],
        &Platform::parse("linux/amd64"),
    );
    let evil = format!("docker://{}", reg.reference("files/evil:v1"));
    sb.run_ok(&["copy", &format!("oci:{}:v1", p(&layout)), &evil]);
    let good_layout = sb.dir().join("good");
    build_standard_image(&good_layout, "v1");
    let good = format!("oci:{}:v1", p(&good_layout));
    for args in [
        vec!["files", evil.as_str()],
        vec!["diff", good.as_str(), evil.as_str()],
    ] {
        let r = run(&sb, &args);
        assert_eq!(code(&r), 7, "{args:?}: {}", describe(&r));
        assert!(stderr(&r).contains("escapes the root"), "{}", describe(&r));
        assert!(stdout(&r).is_empty(), "{}", describe(&r));
    }
}

#[test]
fn a_symlink_above_the_root_is_listed_and_diffed_as_it_is() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("links");
    build_image(
        &layout,
        "v1",
        vec![vec![
            TarEntry::file("ux.txt", "under the root"),
            TarEntry::dir("x"),
            TarEntry::symlink("x/outlink", "../../ux.txt"),
        ]],
        &Platform::parse("linux/amd64"),
    );
    let img = format!("docker://{}", reg.reference("files/links:v1"));
    sb.run_ok(&["copy", &format!("oci:{}:v1", p(&layout)), &img]);
    let doc = json_out(&sb, &["files", &img]);
    let entries = by_path(&doc);
    assert_eq!(entries["/x/outlink"]["kind"], "symlink");
    assert_eq!(entries["/x/outlink"]["linkTarget"], "../../ux.txt");
    let long = sb.run_ok(&["files", &img, "/x", "--long"]);
    assert!(long.contains("/x/outlink -> ../../ux.txt"), "{long}");

    let good_layout = sb.dir().join("good");
    build_standard_image(&good_layout, "v1");
    let good = format!("oci:{}:v1", p(&good_layout));
    let d = json_out(&sb, &["diff", &good, &img]);
    let added: Vec<&str> = d["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(added.contains(&"/x/outlink"), "{d}");
}

#[test]
fn an_index_is_listed_per_platform_and_an_artifact_is_refused() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("idx");
    build_index(&layout, "multi", &["linux/amd64", "linux/arm64"]);
    let src = format!("docker://{}", reg.reference("files/multi:1"));
    sb.run_ok(&["copy", "--all", &format!("oci:{}:multi", p(&layout)), &src]);
    let doc = json_out(&sb, &["files", &src, "--platform", "linux/arm64"]);
    assert_eq!(doc["platform"], "linux/arm64");
    let child = sb.run_ok(&[
        "--progress",
        "none",
        "digest",
        &src,
        "--platform",
        "linux/arm64",
    ]);
    assert_eq!(doc["digest"], child.trim());
    assert_eq!(doc["entries"][1]["path"], "/etc/platform");
    assert_eq!(doc["entries"][1]["size"], "linux/arm64\n".len());
    // The registry's copy and the layout hold the same amd64 image.
    let d = json_out(
        &sb,
        &[
            "diff",
            &src,
            &format!("oci:{}:multi", p(&layout)),
            "--platform",
            "linux/amd64",
        ],
    );
    assert_eq!(d["changed"], serde_json::json!([]));
    assert_eq!(d["added"], serde_json::json!([]));
    assert_eq!(d["sharedLayers"], 1);
    let r = run(&sb, &["files", &src, "--platform", "linux/s390x"]);
    assert_eq!(code(&r), 4, "{}", describe(&r));

    // An artifact (its config is not an image config) has no file tree: exit 2.
    let art = sb.dir().join("art");
    init_layout(&art);
    let blob = write_blob(&art, "application/octet-stream", b"not a tar");
    let config = write_blob(&art, "application/vnd.example.thing.v1+json", b"{}");
    let manifest = serde_json::json!({
        "schemaVersion": 2, "mediaType": MT_MANIFEST, "config": config, "layers": [blob],
    });
    let desc = write_blob(&art, MT_MANIFEST, &serde_json::to_vec(&manifest).unwrap());
    tag_descriptor(&art, "v1", desc);
    let r = run(&sb, &["files", &format!("oci:{}:v1", p(&art))]);
    assert_eq!(code(&r), 2, "{}", describe(&r));
    assert!(stderr(&r).contains("artifact"), "{}", describe(&r));
}
