//! `imgctl copy --compress gzip|zstd|none`: layers recompressed while copying between real
//! registries and layouts. Checked with skopeo (it copies the zstd image, verifying every
//! digest) and by the root filesystem `imgctl export` writes, which must not change; the
//! config (and its diff_ids) stays byte for byte, only layer descriptors and manifests change.
//! Bad choices are refused with nothing written.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use common::*;
use serde_json::Value;

fn json_out(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn raw(image: &str, flags: &[String]) -> Value {
    serde_json::from_slice(&skopeo_raw_manifest(image, flags).0).unwrap()
}

fn export(sb: &Imgctl, image: &str) -> Vec<u8> {
    let out = sb.dir().join("export.tar");
    sb.run_ok(&["export", image, "-o", out.to_str().unwrap()]);
    std::fs::read(&out).unwrap()
}

fn media_types(m: &Value) -> Vec<String> {
    m["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["mediaType"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn gzip_to_zstd_to_none_and_back_keeps_config_diff_ids_and_files() {
    let reg = Registry::start(Mode::Plain);
    let flags = reg.skopeo_flags("", None);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    build_standard_image(&layout, "v1");
    let src = reg.reference("app:gzip");
    sb.run_ok(&["copy", &format!("oci:{}:v1", layout.display()), &src]);
    let before = raw(&format!("docker://{src}"), &flags);
    let files = export(&sb, &src);

    let zstd = reg.reference("app:zstd");
    let doc = json_out(&sb.run_ok(&[
        "--format",
        "json",
        "copy",
        "--compress",
        "zstd",
        &src,
        &zstd,
    ]));
    let m = raw(&format!("docker://{zstd}"), &flags);
    assert_eq!(
        media_types(&m),
        vec!["application/vnd.oci.image.layer.v1.tar+zstd"; 2]
    );
    assert_eq!(m["config"], before["config"], "the config does not change");
    assert_ne!(m["layers"][0]["digest"], before["layers"][0]["digest"]);
    let conv = doc["recompressed"].as_array().unwrap();
    assert_eq!(conv.len(), 2, "{doc}");
    for c in conv {
        assert_eq!(c["fromCompression"], "gzip");
        assert_eq!(c["toCompression"], "zstd");
        assert!(
            m["layers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["digest"] == c["to"])
        );
    }
    assert_eq!(
        doc["digest"].as_str().unwrap(),
        sha256_digest(&skopeo_raw_manifest(&format!("docker://{zstd}"), &flags).0)
    );
    // skopeo reads it (it verifies every blob as it copies).
    let out = sb.dir().join("skopeo-zstd");
    let mut args: Vec<String> = vec!["copy".into()];
    args.extend(reg.skopeo_flags("src-", None));
    // skopeo decodes our zstd (it recompresses to gzip here, which umoci 0.4 needs: it has no
    // zstd) and verifies every blob; umoci then unpacks the files.
    args.extend([
        "--dest-compress".to_string(),
        "--dest-compress-format".into(),
        "gzip".into(),
    ]);
    args.push(format!("docker://{zstd}"));
    args.push(format!("oci:{}:z", out.display()));
    skopeo_ok(&args);
    let bundle = sb.dir().join("bundle");
    let o = umoci(&[
        "unpack",
        "--image",
        &format!("{}:z", out.display()),
        bundle.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "umoci unpack: {}", describe(&o));
    assert_eq!(
        std::fs::read_to_string(bundle.join("rootfs/etc/motd")).unwrap(),
        "welcome to the imgctl test image\n"
    );
    assert_eq!(export(&sb, &zstd), files, "the same root filesystem");

    // zstd → none → gzip: each step keeps the files; back at gzip the layers are gzip again.
    let none = reg.reference("app:none");
    sb.run_ok(&["copy", "--compress", "none", &zstd, &none]);
    assert_eq!(
        media_types(&raw(&format!("docker://{none}"), &flags)),
        vec!["application/vnd.oci.image.layer.v1.tar"; 2]
    );
    assert_eq!(export(&sb, &none), files);
    let back = sb.dir().join("back");
    sb.run_ok(&[
        "copy",
        "--compress",
        "gzip",
        "--compress-level",
        "9",
        &none,
        &format!("oci:{}:g", back.display()),
    ]);
    let idx = read_index_json(&back);
    let m = read_json_blob(&back, idx["manifests"][0]["digest"].as_str().unwrap());
    assert_eq!(
        media_types(&m),
        vec!["application/vnd.oci.image.layer.v1.tar+gzip"; 2]
    );
    assert_eq!(export(&sb, &format!("oci:{}:g", back.display())), files);

    // Already in the asked compression: nothing converted, the same digest.
    let same = json_out(&sb.run_ok(&[
        "--format",
        "json",
        "copy",
        "--compress",
        "gzip",
        &src,
        &reg.reference("app:same"),
    ]));
    assert_eq!(same["recompressed"], serde_json::json!([]));
    assert_eq!(
        same["digest"].as_str().unwrap(),
        sha256_digest(&skopeo_raw_manifest(&format!("docker://{src}"), &flags).0)
    );
}

#[test]
fn an_index_gets_every_child_converted_and_bad_choices_write_nothing() {
    let reg = Registry::start(Mode::Plain);
    let flags = reg.skopeo_flags("", None);
    let sb = Imgctl::new();
    let layout = sb.dir().join("index");
    build_index(&layout, "1", &["linux/amd64", "linux/arm64"]);
    let src = reg.reference("multi:1");
    sb.run_ok(&[
        "copy",
        "--all",
        &format!("oci:{}:1", layout.display()),
        &src,
    ]);
    let dst = reg.reference("multi:zstd");
    sb.run_ok(&["copy", "--all", "--compress", "zstd", &src, &dst]);
    let index = raw(&format!("docker://{dst}"), &flags);
    let entries = index["manifests"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    for e in entries {
        let child = raw(
            &format!(
                "docker://{}@{}",
                reg.reference("multi"),
                e["digest"].as_str().unwrap()
            ),
            &flags,
        );
        assert_eq!(
            media_types(&child),
            vec!["application/vnd.oci.image.layer.v1.tar+zstd"]
        );
    }

    // A Docker schema 2 image has no zstd media type: refused, nothing written.
    let v2 = reg.reference("docker:v2");
    let build = sb.dir().join("single");
    build_standard_image(&build, "s");
    let mut args: Vec<String> = vec!["copy".into(), "--format".into(), "v2s2".into()];
    args.extend(reg.skopeo_flags("dest-", None));
    args.push(format!("oci:{}:s", build.display()));
    args.push(format!("docker://{v2}"));
    skopeo_ok(&args);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--compress", "zstd", &v2], "Docker schema 2"),
        (vec!["--compress", "brotli", &src], "gzip, zstd or none"),
        (
            vec!["--compress", "zstd", "--compress-level", "30", &src],
            "zstd level",
        ),
        (
            vec!["--compress", "none", "--compress-level", "1", &src],
            "no level",
        ),
    ];
    for (flags_, needle) in cases {
        let target = reg.reference("refused:1");
        let mut argv = vec!["copy"];
        argv.extend(flags_.iter().copied());
        argv.push(&target);
        let out = sb.run(&argv);
        assert_eq!(out.status.code(), Some(2), "{argv:?}: {}", describe(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(needle),
            "{}",
            describe(&out)
        );
        assert!(
            !reg.access_log()
                .iter()
                .any(|e| e.path.starts_with("/v2/refused/")),
            "{argv:?} wrote to the destination"
        );
        if needle == "Docker schema 2" {
            // The hint names what works (imgctl converts no manifest format).
            let h = hint(&out);
            assert!(h.contains("--compress gzip"), "{}", describe(&out));
            assert!(h.contains("skopeo copy --format oci"), "{}", describe(&out));
            assert!(
                !h.contains("copy it to an OCI layout"),
                "{}",
                describe(&out)
            );
        }
    }
}
