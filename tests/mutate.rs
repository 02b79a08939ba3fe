//! `imgctl mutate`: config and annotation edits through the real registry and OCI layouts,
//! checked with skopeo and umoci; unchanged layers are mounted, never re-uploaded.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use common::*;
use serde_json::{Value, json};

fn json_out(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn raw(image: &str, flags: &[String]) -> Value {
    serde_json::from_slice(&skopeo_raw_manifest(image, flags).0).unwrap()
}

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

#[test]
fn mutate_an_index_in_the_registry_mounts_every_layer_and_one_platform_keeps_the_others() {
    let reg = Registry::start(Mode::Plain);
    let flags = reg.skopeo_flags("", None);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    build_index(&layout, "v1", &["linux/amd64", "linux/arm64"]);
    let src = reg.reference("app:v1");
    let dst = reg.reference("other/app:v2");
    sb.run_ok(&[
        "copy",
        "--all",
        &format!("oci:{}:v1", layout.display()),
        &src,
    ]);
    let before = raw(&format!("docker://{src}"), &flags);

    let out = json_out(&sb.run_ok(&[
        "--format",
        "json",
        "mutate",
        &src,
        "-t",
        &dst,
        "--env",
        "MODE=prod",
        "--label",
        "team=web",
        "--annotation",
        "org.example.note=edited",
        "--entrypoint",
        "/bin/app --serve",
    ]));
    // Two new configs uploaded; the two layers are mounted from app, not sent again.
    assert_eq!(out["blobs"]["uploaded"], 2, "{out}");
    assert_eq!(out["blobs"]["mounted"], 2, "{out}");
    let index = raw(&format!("docker://{dst}"), &flags);
    assert_eq!(
        sha256_digest(&skopeo_raw_manifest(&format!("docker://{dst}"), &flags).0),
        out["digest"].as_str().unwrap()
    );
    assert_eq!(index["annotations"]["org.example.note"], "edited");
    for i in 0..2 {
        assert_ne!(
            index["manifests"][i]["digest"],
            before["manifests"][i]["digest"]
        );
        assert_eq!(
            index["manifests"][i]["platform"],
            before["manifests"][i]["platform"]
        );
    }
    for arch in ["amd64", "arm64"] {
        let c = config(&format!("docker://{dst}"), &flags, arch);
        assert_eq!(c["architecture"], arch);
        let env = c["config"]["Env"].as_array().cloned().unwrap_or_default();
        assert!(env.contains(&json!("MODE=prod")), "{c}");
        assert_eq!(c["config"]["Labels"]["team"], "web");
        assert_eq!(c["config"]["Entrypoint"], json!(["/bin/app", "--serve"]));
    }

    // --platform: only arm64 changes; without -t the result replaces the tag.
    let out = json_out(&sb.run_ok(&[
        "--format",
        "json",
        "mutate",
        &dst,
        "--platform",
        "linux/arm64",
        "--user",
        "1000:1000",
    ]));
    assert_eq!(out["blobs"]["uploaded"], 1, "{out}");
    let after = raw(&format!("docker://{dst}"), &flags);
    assert_eq!(after["manifests"][0], index["manifests"][0]);
    assert_ne!(
        after["manifests"][1]["digest"],
        index["manifests"][1]["digest"]
    );
    assert_eq!(
        config(&format!("docker://{dst}"), &flags, "arm64")["config"]["User"],
        "1000:1000"
    );
    assert!(config(&format!("docker://{dst}"), &flags, "amd64")["config"]["User"].is_null());

    // A platform the index lacks: NotFound naming those it has, nothing written.
    let o = sb.run(&["mutate", &dst, "--platform", "linux/s390x", "--user", "x"]);
    assert_eq!(o.status.code(), Some(4), "{}", describe(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("linux/amd64"));
    assert_eq!(raw(&format!("docker://{dst}"), &flags), after);
}

#[test]
fn mutate_a_single_image_in_place_in_the_registry_uploads_only_the_config() {
    let reg = Registry::start(Mode::Plain);
    let flags = reg.skopeo_flags("", None);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let old = build_standard_image(&layout, "v1");
    let src = reg.reference("single:v1");
    sb.run_ok(&["copy", &format!("oci:{}:v1", layout.display()), &src]);
    let out = json_out(&sb.run_ok(&[
        "--format",
        "json",
        "mutate",
        &src,
        "--label",
        "a=b",
        "--annotation",
        "k=v",
    ]));
    assert_eq!(out["blobs"]["uploaded"], 1, "{out}");
    assert_eq!(
        out["blobs"]["uploaded"].as_u64().unwrap() + out["blobs"]["skipped"].as_u64().unwrap(),
        1 + raw(&format!("oci:{}:v1", layout.display()), &[])["layers"]
            .as_array()
            .unwrap()
            .len() as u64
    );
    let (bytes, digest) = skopeo_raw_manifest(&format!("docker://{src}"), &flags);
    assert_eq!(digest, out["digest"].as_str().unwrap());
    assert_ne!(digest, old);
    let m: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(m["annotations"]["k"], "v");
    let c = json_out(&skopeo_ok(
        &[
            &["inspect", "--config"][..],
            &flags.iter().map(String::as_str).collect::<Vec<_>>(),
            &[&format!("docker://{src}")],
        ]
        .concat(),
    ));
    assert_eq!(c["config"]["Labels"]["a"], "b");
}

#[test]
fn mutate_an_oci_layout_into_another_tag_that_umoci_unpacks() {
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let old = build_standard_image(&layout, "v1");
    let out = json_out(&sb.run_ok(&[
        "--format",
        "json",
        "mutate",
        &format!("oci:{}:v1", layout.display()),
        "-t",
        &format!("oci:{}:v2", layout.display()),
        "--entrypoint",
        r#"["/bin/sh","-c"]"#,
        "--cmd",
        "echo 'hello world'",
        "--workdir",
        "/srv",
        "--env",
        "A=1",
        "--expose",
        "8080",
        "--created",
        "2024-01-02T03:04:05Z",
    ]));
    assert_ne!(out["digest"], old.as_str());
    umoci_stat(&layout, "v2"); // umoci reads the edited image
    let bundle = sb.dir().join("bundle");
    let image = format!("{}:v2", layout.display());
    let o = umoci(&["unpack", "--image", &image, bundle.to_str().unwrap()]);
    assert!(o.status.success(), "umoci unpack failed: {}", describe(&o));
    let spec: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("config.json")).unwrap()).unwrap();
    assert_eq!(
        spec["process"]["args"],
        json!(["/bin/sh", "-c", "echo", "hello world"])
    );
    assert_eq!(spec["process"]["cwd"], "/srv");
    let c = config(&format!("oci:{image}"), &[], "amd64");
    assert_eq!(c["created"], "2024-01-02T03:04:05Z");
    assert_eq!(c["config"]["ExposedPorts"], json!({"8080/tcp": {}}));
    // v1 is untouched.
    assert_eq!(
        skopeo_raw_manifest(&format!("oci:{}:v1", layout.display()), &[]).1,
        old
    );
}

#[test]
fn mutate_refuses_an_artifact_with_exit_2_and_writes_nothing() {
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    init_layout(&layout);
    let cfg = write_blob(&layout, "application/vnd.example.thing.v1+json", b"{}");
    let data = write_blob(&layout, "application/octet-stream", b"payload");
    let m = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": cfg, "layers": [data]});
    let desc = write_blob(
        &layout,
        "application/vnd.oci.image.manifest.v1+json",
        &serde_json::to_vec(&m).unwrap(),
    );
    tag_descriptor(&layout, "a", desc);
    let out_dir = sb.dir().join("out");
    let o = sb.run(&[
        "mutate",
        &format!("oci:{}:a", layout.display()),
        "-t",
        &format!("oci:{}:b", out_dir.display()),
        "--env",
        "A=1",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("artifact"),
        "{}",
        describe(&o)
    );
    assert!(
        !out_dir.exists(),
        "nothing may be written for a refused edit"
    );

    let o = sb.run(&[
        "mutate",
        &format!("oci:{}:a", layout.display()),
        "--env",
        "novalue",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
}

#[test]
fn mutate_without_a_change_flag_is_a_usage_error_and_writes_nothing() {
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    build_standard_image(&layout, "v1");
    let before = std::fs::read(layout.join("index.json")).unwrap();
    let out_dir = sb.dir().join("out");
    let src = format!("oci:{}:v1", layout.display());
    let dst = format!("oci:{}:v2", out_dir.display());
    for args in [
        vec!["mutate", src.as_str()],
        vec!["mutate", src.as_str(), "-t", dst.as_str()],
        vec!["mutate", src.as_str(), "--platform", "linux/amd64"],
    ] {
        let o = sb.run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", describe(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("nothing to change"),
            "{}",
            describe(&o)
        );
        assert!(o.stdout.is_empty(), "{}", describe(&o));
    }
    assert!(!out_dir.exists());
    assert_eq!(std::fs::read(layout.join("index.json")).unwrap(), before);
}
