//! `imgctl append`: layers from a directory, a tar and a tar.gz added on top of images in the
//! real registry and in OCI layouts, checked with `skopeo inspect --config` (diff_ids, history)
//! and `umoci unpack` (file bytes); a multi-arch index gets the layer on every (or the named)
//! platform; bad inputs are refused with nothing written.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use std::io::Read;
use std::path::Path;

use common::*;
use serde_json::{Value, json};

fn json_out(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn raw(image: &str, flags: &[String]) -> Value {
    serde_json::from_slice(&skopeo_raw_manifest(image, flags).0).unwrap()
}

/// `skopeo inspect --config` of `image` (for `arch` when it is an index).
fn config(image: &str, flags: &[String], arch: &str) -> Value {
    let mut args: Vec<String> = vec![
        "--override-arch".into(),
        arch.into(),
        "--override-os".into(),
        "linux".into(),
        "inspect".into(),
        "--config".into(),
    ];
    args.extend(flags.iter().cloned());
    args.push(image.into());
    json_out(&skopeo_ok(&args))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// `umoci unpack`s `layout:tag` into `bundle`; returns the rootfs path.
fn unpack(layout: &Path, tag: &str, bundle: &Path) -> std::path::PathBuf {
    let image = format!("{}:{tag}", layout.display());
    let o = umoci(&["unpack", "--image", &image, bundle.to_str().unwrap()]);
    assert!(o.status.success(), "umoci unpack failed: {}", describe(&o));
    bundle.join("rootfs")
}

#[test]
fn append_a_directory_and_a_tar_gz_in_the_registry_mounts_the_base_and_umoci_sees_the_files() {
    let reg = Registry::start(Mode::Plain);
    let flags = reg.skopeo_flags("", None);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    build_standard_image(&layout, "v1");
    let src = reg.reference("base/app:v1");
    let dst = reg.reference("other/app:v2");
    sb.run_ok(&["copy", &format!("oci:{}:v1", layout.display()), &src]);
    let before = config(&format!("docker://{src}"), &flags, "amd64");

    let tree = sb.dir().join("tree");
    std::fs::create_dir_all(tree.join("srv/www")).unwrap();
    std::fs::write(tree.join("srv/www/index.html"), b"<h1>appended</h1>\n").unwrap();
    let tar = build_tar(&[
        TarEntry::dir("etc"),
        TarEntry::file("etc/motd", "replaced by the tar.gz layer\n"),
        TarEntry::whiteout("etc/hostname"),
    ]);
    let tgz = gzip(&tar);
    let tgz_path = sb.dir().join("extra.tar.gz");
    std::fs::write(&tgz_path, &tgz).unwrap();

    let out = json_out(&sb.run_ok(&[
        "--format",
        "json",
        "append",
        &src,
        "-f",
        tree.to_str().unwrap(),
        "-f",
        tgz_path.to_str().unwrap(),
        "-t",
        &dst,
    ]));
    // The config and the two new layers are uploaded; the two base layers are mounted.
    assert_eq!(out["blobs"]["uploaded"], 3, "{out}");
    assert_eq!(out["blobs"]["mounted"], 2, "{out}");
    let (bytes, digest) = skopeo_raw_manifest(&format!("docker://{dst}"), &flags);
    assert_eq!(digest, out["digest"].as_str().unwrap());
    let m: Value = serde_json::from_slice(&bytes).unwrap();
    let layers = m["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 4);
    // The tar.gz is kept byte for byte.
    assert_eq!(layers[3]["digest"], sha256_digest(&tgz));
    assert_eq!(layers[3]["size"], tgz.len());
    assert_eq!(layers[3]["mediaType"], MT_LAYER_GZIP);

    let c = config(&format!("docker://{dst}"), &flags, "amd64");
    let ids = c["rootfs"]["diff_ids"].as_array().unwrap();
    assert_eq!(ids.len(), 4);
    assert_eq!(
        ids[..2],
        before["rootfs"]["diff_ids"].as_array().unwrap()[..]
    );
    assert_eq!(ids[3], sha256_digest(&tar));
    let history = c["history"].as_array().unwrap();
    assert_eq!(history.len(), 4, "{c}");
    assert_eq!(history[..2], before["history"].as_array().unwrap()[..]);
    for (h, name) in history[2..].iter().zip(["tree", "extra.tar.gz"]) {
        assert_eq!(h["created_by"], "imgctl append", "{h}");
        assert_eq!(h["comment"], format!("layer from {name}"), "{h}");
        assert!(h["created"].is_string(), "{h}");
    }
    // The rest of the config is kept.
    assert_eq!(c["config"], before["config"]);

    // umoci: the files of every layer, the whiteout applied; the dir layer's diff_id is
    // the sha256 of its uncompressed blob.
    let out_layout = sb.dir().join("out");
    skopeo_ok(
        &[
            &["copy"][..],
            &reg.skopeo_flags("src-", None)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            &[
                &format!("docker://{dst}"),
                &format!("oci:{}:v2", out_layout.display()),
            ],
        ]
        .concat(),
    );
    let dir_blob = read_blob(&out_layout, layers[2]["digest"].as_str().unwrap());
    assert_eq!(ids[2], sha256_digest(&gunzip(&dir_blob)));
    let rootfs = unpack(&out_layout, "v2", &sb.dir().join("bundle"));
    assert_eq!(
        std::fs::read(rootfs.join("srv/www/index.html")).unwrap(),
        b"<h1>appended</h1>\n"
    );
    assert_eq!(
        std::fs::read(rootfs.join("etc/motd")).unwrap(),
        b"replaced by the tar.gz layer\n"
    );
    assert!(!rootfs.join("etc/hostname").exists());
    assert_eq!(
        std::fs::read(rootfs.join("usr/bin/hello")).unwrap(),
        b"#!/bin/sh\necho hello\n"
    );
    // The source is untouched.
    assert_eq!(config(&format!("docker://{src}"), &flags, "amd64"), before);
}

#[test]
fn append_to_an_index_adds_the_layer_to_every_platform_or_only_the_named_ones() {
    let reg = Registry::start(Mode::Plain);
    let flags = reg.skopeo_flags("", None);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    build_index(&layout, "v1", &["linux/amd64", "linux/arm64"]);
    let src = reg.reference("multi:v1");
    sb.run_ok(&[
        "copy",
        "--all",
        &format!("oci:{}:v1", layout.display()),
        &src,
    ]);
    let tar = build_tar(&[TarEntry::dir("opt"), TarEntry::file("opt/added", "x\n")]);
    let tar_path = sb.dir().join("added.tar");
    std::fs::write(&tar_path, &tar).unwrap();
    let before = raw(&format!("docker://{src}"), &flags);

    // Without -t the result replaces the tag.
    let out = json_out(&sb.run_ok(&[
        "--format",
        "json",
        "append",
        &src,
        "-f",
        tar_path.to_str().unwrap(),
    ]));
    let index = raw(&format!("docker://{src}"), &flags);
    assert_eq!(
        skopeo_raw_manifest(&format!("docker://{src}"), &flags).1,
        out["digest"].as_str().unwrap()
    );
    let mut new_layer = None;
    for (i, arch) in ["amd64", "arm64"].iter().enumerate() {
        assert_ne!(
            index["manifests"][i]["digest"],
            before["manifests"][i]["digest"]
        );
        let c = config(&format!("docker://{src}"), &flags, arch);
        assert_eq!(c["architecture"], *arch);
        let ids = c["rootfs"]["diff_ids"].as_array().unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(ids[1], sha256_digest(&tar));
        assert_eq!(c["history"].as_array().unwrap().len(), 2);
        let d: String = index["manifests"][i]["digest"]
            .as_str()
            .unwrap()
            .to_string();
        let child = raw(
            &format!("docker://{}", reg.reference(&format!("multi@{d}"))),
            &flags,
        );
        let top = child["layers"][1]["digest"].clone();
        // The same packed blob goes on top of every platform.
        assert_eq!(*new_layer.get_or_insert(top.clone()), top);
    }

    // --platform: only arm64 gets the second layer; amd64 is kept byte for byte.
    let out = json_out(&sb.run_ok(&[
        "--format",
        "json",
        "append",
        &src,
        "-f",
        tar_path.to_str().unwrap(),
        "--platform",
        "linux/arm64",
    ]));
    assert!(out["digest"].is_string(), "{out}");
    let after = raw(&format!("docker://{src}"), &flags);
    assert_eq!(after["manifests"][0], index["manifests"][0]);
    assert_ne!(
        after["manifests"][1]["digest"],
        index["manifests"][1]["digest"]
    );
    let arm = config(&format!("docker://{src}"), &flags, "arm64");
    assert_eq!(arm["rootfs"]["diff_ids"].as_array().unwrap().len(), 3);
    let amd = config(&format!("docker://{src}"), &flags, "amd64");
    assert_eq!(amd["rootfs"]["diff_ids"].as_array().unwrap().len(), 2);

    // A platform the index lacks: NotFound naming those it has; nothing changes.
    let o = sb.run(&[
        "append",
        &src,
        "-f",
        tar_path.to_str().unwrap(),
        "--platform",
        "linux/s390x",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", describe(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("linux/amd64"));
    assert_eq!(raw(&format!("docker://{src}"), &flags), after);
}

#[test]
fn append_to_an_image_without_history_pads_it_so_that_it_lines_up_with_the_layers() {
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    init_layout(&layout);
    let l0 = build_layer(&[TarEntry::dir("etc"), TarEntry::file("etc/a", "a\n")]);
    let l1 = build_layer(&[TarEntry::file("etc/b", "b\n")]);
    let layers = [&l0, &l1].map(|l| write_blob(&layout, MT_LAYER_GZIP, &l.compressed));
    let cfg = json!({"architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [l0.diff_id, l1.diff_id]}});
    let cfg = write_blob(&layout, MT_CONFIG, &serde_json::to_vec(&cfg).unwrap());
    let m = json!({"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": cfg, "layers": layers});
    let desc = write_blob(&layout, MT_MANIFEST, &serde_json::to_vec(&m).unwrap());
    tag_descriptor(&layout, "v1", desc);

    let tar_path = sb.dir().join("c.tar");
    std::fs::write(&tar_path, build_tar(&[TarEntry::file("etc/c", "c\n")])).unwrap();
    sb.run_ok(&[
        "append",
        &format!("oci:{}:v1", layout.display()),
        "-f",
        tar_path.to_str().unwrap(),
        "-t",
        &format!("oci:{}:v2", layout.display()),
    ]);
    let c = config(&format!("oci:{}:v2", layout.display()), &[], "amd64");
    let history = c["history"].as_array().unwrap();
    assert_eq!(history.len(), 3, "{c}");
    assert_eq!(history[0], json!({}));
    assert_eq!(history[1], json!({}));
    assert_eq!(history[2]["created_by"], "imgctl append");
    assert_eq!(c["rootfs"]["diff_ids"].as_array().unwrap().len(), 3);
    umoci_stat(&layout, "v2");
    let rootfs = unpack(&layout, "v2", &sb.dir().join("bundle"));
    for (f, want) in [("etc/a", "a\n"), ("etc/b", "b\n"), ("etc/c", "c\n")] {
        assert_eq!(std::fs::read_to_string(rootfs.join(f)).unwrap(), want);
    }
}

#[test]
fn append_refuses_bad_layers_and_artifacts_and_writes_nothing() {
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let old = build_standard_image(&layout, "v1");
    let src = format!("oci:{}:v1", layout.display());
    let out_dir = sb.dir().join("out");
    let dst = format!("oci:{}:v1", out_dir.display());
    let index_before = std::fs::read(layout.join("index.json")).unwrap();

    let notes = sb.dir().join("notes.txt");
    std::fs::write(&notes, "just text, not an archive").unwrap();
    let escape = sb.dir().join("escape.tar");
    std::fs::write(
        &escape,
        raw_member_tar(tar::EntryType::Regular, "../../etc/cron.d/x", ""),
    )
    .unwrap();
    let link = sb.dir().join("link.tgz");
    std::fs::write(
        &link,
        // A hard link names another member: one above the root is refused (a symlink's
        // target is data, see append_keeps_an_empty_tar_and_a_symlink_above_the_root).
        gzip(&raw_member_tar(
            tar::EntryType::Link,
            "etc/l",
            "../../../root",
        )),
    )
    .unwrap();
    let missing = sb.dir().join("missing.tar");
    let cases: [(&Path, i32, &str); 4] = [
        (&notes, 2, "not a tar"),
        (&escape, 2, "escapes the root"),
        (&link, 2, "escapes the root"),
        (&missing, 4, "missing.tar"),
    ];
    for (input, code, msg) in cases {
        for target in [None, Some(dst.as_str())] {
            let mut args = vec!["append", &src, "-f", input.to_str().unwrap()];
            if let Some(t) = target {
                args.extend(["-t", t]);
            }
            let o = sb.run(&args);
            assert_eq!(o.status.code(), Some(code), "{}", describe(&o));
            assert!(
                String::from_utf8_lossy(&o.stderr).contains(msg),
                "{msg}: {}",
                describe(&o)
            );
            assert!(!out_dir.exists(), "nothing may be written for {input:?}");
            assert_eq!(
                std::fs::read(layout.join("index.json")).unwrap(),
                index_before
            );
        }
    }
    assert_eq!(skopeo_raw_manifest(&src, &[]).1, old);

    // -f is required.
    let o = sb.run(&["append", &src]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));

    // An artifact (a config that is not an image configuration) is refused.
    let art = sb.dir().join("art");
    init_layout(&art);
    let cfg = write_blob(&art, "application/vnd.example.thing.v1+json", b"{}");
    let data = write_blob(&art, "application/octet-stream", b"payload");
    let m = json!({"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": cfg, "layers": [data]});
    let desc = write_blob(&art, MT_MANIFEST, &serde_json::to_vec(&m).unwrap());
    tag_descriptor(&art, "a", desc);
    let good = sb.dir().join("good.tar");
    std::fs::write(&good, build_tar(&[TarEntry::file("x", "x")])).unwrap();
    let o = sb.run(&[
        "append",
        &format!("oci:{}:a", art.display()),
        "-f",
        good.to_str().unwrap(),
        "-t",
        &dst,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("artifact"),
        "{}",
        describe(&o)
    );
    assert!(!out_dir.exists());
}

#[test]
fn append_keeps_an_empty_tar_and_a_symlink_above_the_root() {
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    build_standard_image(&layout, "v1");
    let src = format!("oci:{}:v1", layout.display());
    let dst = format!("oci:{}:v2", layout.display());

    // `tar -cf empty.tar -T /dev/null` (GNU tar: 10240 zero bytes), and the bare two end
    // blocks: valid, empty layers.
    let empty = sb.dir().join("empty.tar");
    std::fs::write(&empty, vec![0u8; 10240]).unwrap();
    let bare = sb.dir().join("bare.tar.gz");
    std::fs::write(&bare, gzip(&[0u8; 1024])).unwrap();
    // A relative symlink climbing above `/`: a container resolves it inside its root, as
    // `imgctl build`, docker and crane keep it.
    let link_tar = build_tar(&[
        TarEntry::file("ux.txt", "under the root\n"),
        TarEntry::dir("x"),
        TarEntry::symlink("x/outlink", "../../ux.txt"),
    ]);
    let link = sb.dir().join("link.tar");
    std::fs::write(&link, &link_tar).unwrap();

    let before = config(&src, &[], "amd64");
    let mut args = vec!["append", src.as_str(), "-t", dst.as_str()];
    for f in [&empty, &bare, &link] {
        args.extend(["-f", f.to_str().unwrap()]);
    }
    sb.run_ok(&args);
    let after = config(&dst, &[], "amd64");
    let ids = |c: &Value| -> Vec<String> {
        c["rootfs"]["diff_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect()
    };
    let mut want = ids(&before);
    want.extend([
        sha256_digest(&[0u8; 10240]),
        sha256_digest(&[0u8; 1024]),
        sha256_digest(&link_tar),
    ]);
    assert_eq!(ids(&after), want);

    // umoci unpacks it with the link as written; files and export list it so.
    let rootfs = unpack(&layout, "v2", &sb.dir().join("bundle"));
    assert_eq!(
        std::fs::read_link(rootfs.join("x/outlink")).unwrap(),
        Path::new("../../ux.txt")
    );
    let doc = json_out(&sb.run_ok(&["--format", "json", "files", &dst, "/x"]));
    let entry = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "/x/outlink")
        .unwrap_or_else(|| panic!("no /x/outlink in {doc}"))
        .clone();
    assert_eq!(entry["kind"], "symlink");
    assert_eq!(entry["linkTarget"], "../../ux.txt");
}
