//! `imgctl export`: the flattened root filesystem of an image, compared with what `umoci
//! unpack` makes of the same image (paths, kinds, modes, bytes), and malicious layers refused.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;

/// What a path is: (kind, mode bits, file bytes or link target).
type Tree = BTreeMap<String, (char, u32, Vec<u8>)>;

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
        vec![TarEntry::dir("opt"), TarEntry::file("opt/top", "top layer")],
    ]
}

/// The tree of an exported tar; hard links read as the file they name.
fn tar_tree(path: &Path) -> Tree {
    let mut tree = Tree::new();
    let mut a = tar::Archive::new(std::fs::File::open(path).unwrap());
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let p = e
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches('/')
            .to_string();
        let mode = e.header().mode().unwrap() & 0o7777;
        let t = e.header().entry_type();
        let v = if t.is_dir() {
            ('d', mode, vec![])
        } else if t.is_symlink() {
            let l = e.link_name().unwrap().unwrap();
            ('l', 0, l.to_string_lossy().as_bytes().to_vec())
        } else if t.is_hard_link() {
            let l = e
                .link_name()
                .unwrap()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            tree.get(&l)
                .cloned()
                .unwrap_or_else(|| panic!("link {p} before {l}"))
        } else {
            let mut b = vec![];
            e.read_to_end(&mut b).unwrap();
            ('f', mode, b)
        };
        assert!(
            tree.insert(p.clone(), v).is_none(),
            "{p} twice in the export"
        );
    }
    tree
}

/// The tree of a directory on disk (umoci's rootfs).
fn dir_tree(root: &Path, rel: &str, tree: &mut Tree) {
    for e in std::fs::read_dir(root.join(rel)).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let p = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let md = std::fs::symlink_metadata(root.join(&p)).unwrap();
        let mode = md.permissions().mode() & 0o7777;
        if md.file_type().is_symlink() {
            let l = std::fs::read_link(root.join(&p)).unwrap();
            tree.insert(p, ('l', 0, l.to_string_lossy().as_bytes().to_vec()));
        } else if md.is_dir() {
            tree.insert(p.clone(), ('d', mode, vec![]));
            dir_tree(root, &p, tree);
        } else {
            tree.insert(
                p.clone(),
                ('f', mode, std::fs::read(root.join(&p)).unwrap()),
            );
        }
    }
}

#[test]
fn export_matches_umoci_unpack_with_whiteouts_and_opaque_dirs() {
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("lay");
    build_image(&layout, "v1", layers(), &Platform::parse("linux/amd64"));
    let out = work.path().join("rootfs.tar");
    let sandbox = Imgctl::new();
    sandbox.run_ok(&[
        "export",
        &format!("oci:{}:v1", layout.display()),
        "-o",
        out.to_str().unwrap(),
    ]);
    let exported = tar_tree(&out);

    let bundle = work.path().join("bundle");
    let u = umoci(&[
        "unpack".as_ref(),
        "--image".as_ref(),
        format!("{}:v1", layout.display()).as_ref(),
        bundle.as_os_str(),
    ]);
    assert!(u.status.success(), "umoci unpack: {}", describe(&u));
    let mut unpacked = Tree::new();
    dir_tree(&bundle.join("rootfs"), "", &mut unpacked);

    assert_eq!(exported, unpacked);
    // The outcomes the layers ask for, not only agreement with umoci.
    assert_eq!(exported["etc/a"], ('f', 0o600, b"upper a".to_vec()));
    assert!(!exported.contains_key("etc/b"));
    assert!(!exported.contains_key("var/cache/old"));
    assert_eq!(exported["var/cache/new"].2, b"new cache");
    assert_eq!(exported["usr/bin/hello2"].2, b"#!/bin/sh\necho hi\n");
    assert!(exported.keys().all(|k| !k.contains(".wh.")));
}

#[test]
fn a_layer_path_escaping_the_root_is_refused_and_nothing_is_written() {
    // A member path and a hard-link target (which names another member) leaving the root.
    let hostile = [
        raw_member_tar(tar::EntryType::Regular, "../../etc/cron.d/x", ""),
        raw_member_tar(tar::EntryType::Link, "etc/l", "../../../host-etc/passwd"),
    ];
    for tar in hostile {
        let work = tempfile::tempdir().unwrap();
        let layout = work.path().join("lay");
        image_with_layer(
            &layout,
            "application/vnd.oci.image.layer.v1.tar",
            &tar,
            &sha256_digest(&tar),
        );
        let out = work.path().join("rootfs.tar");
        let sandbox = Imgctl::new();
        let r = sandbox.run(&[
            "export",
            &format!("oci:{}:v1", layout.display()),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(r.status.code(), Some(7), "{}", describe(&r));
        assert!(String::from_utf8_lossy(&r.stderr).contains("escapes the root"));
        assert!(!out.exists());
        let left: Vec<_> = std::fs::read_dir(work.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the layout is left: {left:?}");
    }
}

#[test]
fn a_symlink_above_the_root_is_exported_as_it_is_and_umoci_agrees() {
    // What `imgctl build`, docker and crane make of `x/outlink -> ../../ux.txt`: at runtime
    // `..` at `/` stays at `/`, so the link is data, kept as written.
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("lay");
    build_image(
        &layout,
        "v1",
        vec![vec![
            TarEntry::file("ux.txt", "under the root"),
            TarEntry::dir("x"),
            TarEntry::symlink("x/outlink", "../../ux.txt"),
            TarEntry::dir("etc"),
            TarEntry::symlink("etc/passwd", "../../../host-etc/passwd"),
        ]],
        &Platform::parse("linux/amd64"),
    );
    let out = work.path().join("rootfs.tar");
    Imgctl::new().run_ok(&[
        "export",
        &format!("oci:{}:v1", layout.display()),
        "-o",
        out.to_str().unwrap(),
    ]);
    let exported = tar_tree(&out);
    assert_eq!(exported["x/outlink"], ('l', 0, b"../../ux.txt".to_vec()));
    assert_eq!(
        exported["etc/passwd"],
        ('l', 0, b"../../../host-etc/passwd".to_vec())
    );

    let bundle = work.path().join("bundle");
    let u = umoci(&[
        "unpack".as_ref(),
        "--image".as_ref(),
        format!("{}:v1", layout.display()).as_ref(),
        bundle.as_os_str(),
    ]);
    assert!(u.status.success(), "umoci unpack: {}", describe(&u));
    let mut unpacked = Tree::new();
    dir_tree(&bundle.join("rootfs"), "", &mut unpacked);
    assert_eq!(exported, unpacked);
}

#[test]
fn an_output_path_that_cannot_be_a_file_is_a_usage_error_naming_it() {
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("lay");
    build_image(&layout, "v1", layers(), &Platform::parse("linux/amd64"));
    let src = format!("oci:{}:v1", layout.display());
    let missing = work.path().join("nodir/x.tar");
    let dir = work.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    for (path, needle) in [(&missing, "does not exist"), (&dir, "is a directory")] {
        let r = Imgctl::new().run(&["export", &src, "-o", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&r.stderr).into_owned();
        assert_eq!(r.status.code(), Some(2), "{}", describe(&r));
        assert!(err.contains(needle), "{}", describe(&r));
        assert!(err.contains(path.to_str().unwrap()), "{}", describe(&r));
        assert!(!err.contains(".imgctl-"), "a temp name: {}", describe(&r));
    }
    assert!(!missing.parent().unwrap().exists());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

/// A one-layer image whose layer blob is `blob` of `media_type`; tagged `v1`.
fn image_with_layer(layout: &Path, media_type: &str, blob: &[u8], diff_id: &str) {
    init_layout(layout);
    let layer = write_blob(layout, media_type, blob);
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    });
    let config = write_blob(layout, MT_CONFIG, &serde_json::to_vec(&config).unwrap());
    let manifest = serde_json::json!({
        "schemaVersion": 2, "mediaType": MT_MANIFEST, "config": config, "layers": [layer],
    });
    let desc = write_blob(layout, MT_MANIFEST, &serde_json::to_vec(&manifest).unwrap());
    tag_descriptor(layout, "v1", desc);
}

#[test]
fn a_zstd_layer_is_exported() {
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("lay");
    let tar = build_tar(&[TarEntry::dir("etc"), TarEntry::file("etc/z", "zstd bytes")]);
    let blob = zstd::encode_all(&tar[..], 3).unwrap();
    image_with_layer(
        &layout,
        "application/vnd.oci.image.layer.v1.tar+zstd",
        &blob,
        &sha256_digest(&tar),
    );
    let out = work.path().join("rootfs.tar");
    Imgctl::new().run_ok(&[
        "export",
        &format!("oci:{}:v1", layout.display()),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(tar_tree(&out)["etc/z"].2, b"zstd bytes");
}

#[test]
fn a_layer_that_is_not_a_tar_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("lay");
    let junk = random_bytes(4096, 7);
    image_with_layer(
        &layout,
        "application/vnd.oci.image.layer.v1.tar",
        &junk,
        &sha256_digest(&junk),
    );
    let out = work.path().join("rootfs.tar");
    let r = Imgctl::new().run(&[
        "export",
        &format!("oci:{}:v1", layout.display()),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(7), "{}", describe(&r));
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("not a readable tar"),
        "{}",
        describe(&r)
    );
    assert!(!out.exists());
}
