//! `imgctl index create|add|remove` through the real registry, checked with skopeo and
//! `imgctl pull --platform`.

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
}
