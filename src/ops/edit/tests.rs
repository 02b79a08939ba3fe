//! Unit tests of the edit traversal over an in-memory source.

use super::*;
use crate::error::ErrorKind;
use crate::manifest::{PlatformSpec, descriptor_from_json};
use crate::transport::BlobStream;
use oci_spec::image::Descriptor;
use std::collections::BTreeMap;
use tokio::io::AsyncReadExt;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";

/// An in-memory source: root, manifests and blobs by digest.
#[derive(Default)]
struct Mem {
    root: Option<FetchedManifest>,
    manifests: BTreeMap<String, FetchedManifest>,
    blobs: BTreeMap<String, Vec<u8>>,
}

#[async_trait]
impl ImageSource for Mem {
    fn describe(&self) -> String {
        "mem".into()
    }
    async fn root_manifest(&self) -> Result<FetchedManifest> {
        Ok(self.root.clone().unwrap())
    }
    async fn manifest(&self, d: &Digest) -> Result<FetchedManifest> {
        self.manifests
            .get(&d.to_string())
            .cloned()
            .ok_or_else(|| Error::not_found(format!("no manifest {d}")))
    }
    async fn blob(&self, d: &Descriptor, offset: u64) -> Result<BlobStream> {
        let b = self
            .blobs
            .get(&d.digest().to_string())
            .ok_or_else(|| Error::not_found(format!("no blob {}", d.digest())))?;
        Ok(Box::pin(std::io::Cursor::new(
            b[offset as usize..].to_vec(),
        )))
    }
}

fn fetched(v: &Value, media_type: &str) -> FetchedManifest {
    let bytes = serde_json::to_vec(v).unwrap();
    FetchedManifest {
        digest: Digest::sha256_of(&bytes),
        bytes,
        media_type: media_type.into(),
    }
}

/// Adds an image for `arch` with one layer and config media type `config_type`.
fn add_image(mem: &mut Mem, arch: &str, config_type: &str) -> FetchedManifest {
    let layer = format!("layer of {arch}").into_bytes();
    let config = serde_json::to_vec(&json!({
        "os": "linux", "architecture": arch,
        "config": {"Env": ["PATH=/bin", "A=1"]},
        "container_config": {"Hostname": "kept"},
        "rootfs": {"type": "layers", "diff_ids": [Digest::sha256_of(&layer).to_string()]},
    }))
    .unwrap();
    let m = fetched(
        &json!({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": blob_descriptor(config_type, &config),
            "layers": [blob_descriptor("application/vnd.oci.image.layer.v1.tar+gzip", &layer)],
            "annotations": {"keep": "me"},
        }),
        OCI_MANIFEST,
    );
    mem.blobs
        .insert(Digest::sha256_of(&config).to_string(), config);
    mem.blobs
        .insert(Digest::sha256_of(&layer).to_string(), layer);
    mem.manifests.insert(m.digest.to_string(), m.clone());
    m
}

struct SetEnv;
#[async_trait]
impl ImageEditor for SetEnv {
    async fn edit(&self, _src: &dyn ImageSource, image: &mut ImageEdit) -> Result<()> {
        image.set_env("A", "2");
        image.set_env("B", "3");
        image.remove_env("PATH");
        image.set_label("l", "v");
        image.set_entrypoint(Some(vec!["/bin/sh".into(), "-c".into()]));
        image.set_annotation("edited", "yes");
        let layer = b"new layer".to_vec();
        let d = Digest::sha256_of(&layer);
        let desc = blob_descriptor(image.gzip_layer_media_type(), &layer);
        image.push_layer(desc, &d, json!({"created_by": "test"}));
        image.add_blob(d, NewBlob::Bytes(Bytes::from(layer)));
        Ok(())
    }
    fn edit_index(&self, index: &mut Value) -> Result<()> {
        object(index, "annotations").insert("index".into(), "edited".into());
        Ok(())
    }
}

async fn read(src: &dyn ImageSource, desc: &Value) -> Vec<u8> {
    let d = descriptor_from_json(desc.clone()).unwrap();
    let mut out = Vec::new();
    src.blob(&d, 0)
        .await
        .unwrap()
        .read_to_end(&mut out)
        .await
        .unwrap();
    assert_eq!(Digest::sha256_of(&out).to_string(), d.digest().to_string());
    out
}

/// Checks that `m` is `SetEnv`'s edit of an image, served with its blobs by `src`.
async fn check_edited(src: &dyn ImageSource, m: &FetchedManifest) {
    assert_eq!(m.digest, Digest::sha256_of(&m.bytes));
    let v: Value = serde_json::from_slice(&m.bytes).unwrap();
    assert_eq!(v["annotations"], json!({"keep": "me", "edited": "yes"}));
    assert_eq!(v["layers"].as_array().unwrap().len(), 2);
    let config: Value = serde_json::from_slice(&read(src, &v["config"]).await).unwrap();
    assert_eq!(config["config"]["Env"], json!(["A=2", "B=3"]));
    assert_eq!(config["config"]["Labels"], json!({"l": "v"}));
    assert_eq!(config["config"]["Entrypoint"], json!(["/bin/sh", "-c"]));
    assert_eq!(config["container_config"]["Hostname"], "kept");
    assert_eq!(config["rootfs"]["diff_ids"].as_array().unwrap().len(), 2);
    // The source has one layer and no history: padded so that history lines up.
    assert_eq!(config["history"], json!([{}, {"created_by": "test"}]));
    assert_eq!(read(src, &v["layers"][1]).await, b"new layer");
    // The unchanged layer still comes from the original source.
    read(src, &v["layers"][0]).await;
}

#[tokio::test]
async fn a_single_image_gets_a_new_config_and_manifest_over_its_unchanged_layers() {
    let mut mem = Mem::default();
    let m = add_image(&mut mem, "amd64", OCI_CONFIG);
    mem.root = Some(m.clone());
    let edited = edit_image(Arc::new(mem), &Platforms::All, &SetEnv)
        .await
        .unwrap();
    let root = edited.root_manifest().await.unwrap();
    assert_ne!(root.digest, m.digest);
    assert_eq!(root.media_type, OCI_MANIFEST);
    check_edited(&edited, &root).await;
}

fn index(mem: &mut Mem) -> (FetchedManifest, FetchedManifest, FetchedManifest) {
    let amd = add_image(mem, "amd64", OCI_CONFIG);
    let arm = add_image(mem, "arm64", OCI_CONFIG);
    let entry = |m: &FetchedManifest, arch: &str| {
        json!({"mediaType": OCI_MANIFEST, "digest": m.digest.to_string(), "size": m.size(),
               "platform": {"os": "linux", "architecture": arch}})
    };
    let att = json!({"mediaType": OCI_MANIFEST, "digest": Digest::sha256_of(b"att").to_string(),
        "size": 3, "platform": {"os": "unknown", "architecture": "unknown"},
        "annotations": {"vnd.docker.reference.type": "attestation-manifest",
                        "vnd.docker.reference.digest": amd.digest.to_string()}});
    let root = fetched(
        &json!({"schemaVersion": 2, "mediaType": OCI_INDEX,
                "manifests": [entry(&amd, "amd64"), entry(&arm, "arm64"), att]}),
        OCI_INDEX,
    );
    mem.root = Some(root.clone());
    (root, amd, arm)
}

#[tokio::test]
async fn an_index_has_every_image_edited_and_its_attestations_kept() {
    let mut mem = Mem::default();
    let (root, ..) = index(&mut mem);
    let edited = edit_image(Arc::new(mem), &Platforms::All, &SetEnv)
        .await
        .unwrap();
    let new_root = edited.root_manifest().await.unwrap();
    assert_eq!(new_root.digest, Digest::sha256_of(&new_root.bytes));
    let old: Value = serde_json::from_slice(&root.bytes).unwrap();
    let new: Value = serde_json::from_slice(&new_root.bytes).unwrap();
    assert_eq!(new["annotations"], json!({"index": "edited"}));
    assert_eq!(new["manifests"][2], old["manifests"][2]);
    for i in 0..2 {
        assert_ne!(new["manifests"][i]["digest"], old["manifests"][i]["digest"]);
        assert_eq!(
            new["manifests"][i]["platform"],
            old["manifests"][i]["platform"]
        );
        let d: Digest = new["manifests"][i]["digest"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let child = edited.manifest(&d).await.unwrap();
        assert_eq!(new["manifests"][i]["size"], child.size());
        check_edited(&edited, &child).await;
    }
}

#[tokio::test]
async fn one_platform_of_an_index_is_edited_and_the_others_kept_byte_for_byte() {
    let mut mem = Mem::default();
    let (root, amd, _) = index(&mut mem);
    let arm64: PlatformSpec = "linux/arm64".parse().unwrap();
    let edited = edit_image(Arc::new(mem), &Platforms::One(arm64), &SetEnv)
        .await
        .unwrap();
    let new: Value = serde_json::from_slice(&edited.root_manifest().await.unwrap().bytes).unwrap();
    let old: Value = serde_json::from_slice(&root.bytes).unwrap();
    assert_eq!(new["manifests"][0], old["manifests"][0]);
    assert_eq!(new["manifests"][0]["digest"], amd.digest.to_string());
    assert_ne!(new["manifests"][1], old["manifests"][1]);
    let d: Digest = new["manifests"][1]["digest"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    check_edited(&edited, &edited.manifest(&d).await.unwrap()).await;
}

#[tokio::test]
async fn a_platform_the_index_lacks_is_refused_naming_those_it_has() {
    let mut mem = Mem::default();
    index(&mut mem);
    let s390x: PlatformSpec = "linux/s390x".parse().unwrap();
    let err = match edit_image(Arc::new(mem), &Platforms::List(vec![s390x]), &SetEnv).await {
        Ok(_) => panic!("s390x is not in the index"),
        Err(e) => e,
    };
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let msg = err.to_string();
    assert!(
        msg.contains("linux/amd64") && msg.contains("linux/arm64"),
        "{msg}"
    );
}

#[tokio::test]
async fn an_artifact_is_refused_as_a_usage_error() {
    let mut mem = Mem::default();
    let m = add_image(&mut mem, "amd64", "application/vnd.example.thing.v1+json");
    mem.root = Some(m);
    let err = match edit_image(Arc::new(mem), &Platforms::All, &SetEnv).await {
        Ok(_) => panic!("an artifact must not be edited"),
        Err(e) => e,
    };
    assert_eq!(err.kind(), ErrorKind::Usage);
    assert!(err.to_string().contains("artifact"), "{err}");
    assert_eq!(err.kind().exit_code(), 2);
}

#[tokio::test]
async fn an_explicit_platform_must_match_a_single_image() {
    let mut mem = Mem::default();
    let m = add_image(&mut mem, "amd64", OCI_CONFIG);
    mem.root = Some(m);
    let arm64: PlatformSpec = "linux/arm64".parse().unwrap();
    let err = match edit_image(Arc::new(mem), &Platforms::One(arm64), &SetEnv).await {
        Ok(_) => panic!("an amd64 image is not arm64"),
        Err(e) => e,
    };
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn push_layer_pads_missing_history_so_that_it_lines_up_with_layers() {
    let d = Digest::sha256_of(b"l");
    let image = |history: Value| ImageEdit {
        platform: None,
        media_type: OCI_MANIFEST.into(),
        manifest: json!({"layers": [{"digest": "a"}, {"digest": "b"}]}),
        config: json!({"rootfs": {"type": "layers", "diff_ids": ["x", "y"]},
                       "history": history}),
        new_blobs: Vec::new(),
    };
    let new = json!({"created_by": "new"});
    // No history at all: one empty entry per existing layer, then the new one.
    let mut e = image(Value::Null);
    e.push_layer(json!({"digest": "c"}), &d, new.clone());
    assert_eq!(e.config["history"], json!([{}, {}, new]));
    assert_eq!(e.config["rootfs"]["diff_ids"].as_array().unwrap().len(), 3);
    // One entry for two layers (empty_layer entries do not count): one pad.
    let mut e = image(json!([{"created_by": "ENV A=1", "empty_layer": true},
                             {"created_by": "base"}]));
    e.push_layer(json!({"digest": "c"}), &d, new.clone());
    assert_eq!(
        e.config["history"],
        json!([{"created_by": "ENV A=1", "empty_layer": true}, {"created_by": "base"}, {}, new])
    );
    // Complete history: nothing padded.
    let full = json!([{"created_by": "a"}, {"created_by": "b"}]);
    let mut e = image(full);
    e.push_layer(json!({"digest": "c"}), &d, new.clone());
    assert_eq!(e.config["history"].as_array().unwrap().len(), 3);
}

#[test]
fn config_helpers_edit_in_place_and_docker_images_get_docker_layer_types() {
    let mut e = ImageEdit {
        platform: None,
        media_type: DOCKER_MANIFEST.into(),
        manifest: json!({"layers": [{"digest": "a"}]}),
        config: json!({}),
        new_blobs: Vec::new(),
    };
    assert_eq!(
        e.gzip_layer_media_type(),
        "application/vnd.docker.image.rootfs.diff.tar.gzip"
    );
    e.set_env("K", "1");
    e.set_env("K", "2");
    assert_eq!(e.env(), vec!["K=2".to_string()]);
    assert!(e.remove_env("K") && !e.remove_env("K"));
    e.set_label("a", "b");
    assert!(e.remove_label("a") && !e.remove_label("a"));
    e.set_user("1000:1000");
    e.set_workdir("/app");
    e.expose("8080/tcp");
    e.set_cmd(Some(vec!["run".into()]));
    e.set_cmd(None);
    e.set_created("2024-01-01T00:00:00Z");
    assert_eq!(
        e.config,
        json!({"created": "2024-01-01T00:00:00Z", "config": {"Env": [], "Labels": {},
               "User": "1000:1000", "WorkingDir": "/app", "ExposedPorts": {"8080/tcp": {}}}})
    );
    let d = Digest::sha256_of(b"x");
    e.set_layer(0, json!({"digest": "b"}), Some(&d)).unwrap();
    assert_eq!(e.layers(), &[json!({"digest": "b"})]);
    assert_eq!(e.config["rootfs"]["diff_ids"], json!([d.to_string()]));
    assert_eq!(
        e.set_layer(3, json!({}), None).unwrap_err().kind(),
        ErrorKind::Usage
    );
}
