//! The shared traversal of image edits (issue 11: `mutate`, `append`, `flatten`, … and
//! `build`): read an image or index, let an [`ImageEditor`] change each selected platform's
//! manifest and config (as JSON, so fields oci-spec does not model survive), and return an
//! [`EditedSource`] serving the new documents over the source's unchanged blobs. The caller
//! writes it with [`crate::copy::copy_image`], so mounts, skips, retries and reports apply.
//!
//! Every new document is serialized once; its digest is the sha256 of exactly those bytes.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use oci_spec::image::Platform;
use serde_json::{Map, Value, json};

use crate::blob::FetchedManifest;
use crate::copy::{Platforms, check_single_platform};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::manifest::{
    DOCKER_MANIFEST, Manifest, descriptor_digest, filter_entries, image_for_platform,
    is_image_config, is_index, is_runnable_entry, platform_of_config,
};
use crate::ops::inspect::read_blob;
use crate::transport::ImageSource;
use crate::transport::edited::{EditedSource, NewBlob};

/// One edit applied to every selected platform image (and, optionally, to the new index).
#[async_trait]
pub trait ImageEditor: Send + Sync {
    /// Changes `image` (its manifest, config and new blobs) in place; `src` serves the
    /// original blobs (to read layers). Errors abort the whole edit: nothing is written.
    async fn edit(&self, src: &dyn ImageSource, image: &mut ImageEdit) -> Result<()>;

    /// Changes the new index document (`manifests` already point at the edited children)
    /// when the source is an index, e.g. to set annotations. Default: nothing.
    fn edit_index(&self, _index: &mut Value) -> Result<()> {
        Ok(())
    }
}

/// One platform image being edited: the manifest and config documents as JSON, and the
/// blobs the editor made (new layers; the config blob is added by [`edit_image`]).
#[derive(Debug, Clone)]
pub struct ImageEdit {
    /// The image's platform: the index entry's, else the config's (`None` when neither names one).
    pub platform: Option<Platform>,
    /// The manifest's media type (OCI or Docker schema 2); kept for the new manifest.
    pub media_type: String,
    /// The image manifest (OCI image spec `manifest.md`); `config` is rewritten by
    /// [`edit_image`] after the edit.
    pub manifest: Value,
    /// The image configuration (OCI image spec `config.md`).
    pub config: Value,
    /// New blobs the manifest names (layers), by digest.
    pub new_blobs: Vec<(Digest, NewBlob)>,
}

/// `map[key]` as an object, made (or replaced by) an empty object when missing or not one.
fn object<'a>(map: &'a mut Value, key: &str) -> &'a mut Map<String, Value> {
    if !map.is_object() {
        *map = json!({});
    }
    let slot = map
        .as_object_mut()
        .expect("an object")
        .entry(key.to_string())
        .or_insert_with(|| json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    slot.as_object_mut().expect("an object")
}

/// `map[key]` as an array, made an empty array when missing or not one.
fn array<'a>(map: &'a mut Map<String, Value>, key: &str) -> &'a mut Vec<Value> {
    let slot = map.entry(key.to_string()).or_insert_with(|| json!([]));
    if !slot.is_array() {
        *slot = json!([]);
    }
    slot.as_array_mut().expect("an array")
}

impl ImageEdit {
    /// Whether the image is Docker v2 schema 2 (new layers then take Docker media types).
    pub fn is_docker(&self) -> bool {
        self.media_type == DOCKER_MANIFEST
    }

    /// The media type a new gzip-compressed layer gets in this image's flavour (OCI
    /// `…layer.v1.tar+gzip` or Docker `…rootfs.diff.tar.gzip`).
    pub fn gzip_layer_media_type(&self) -> &'static str {
        if self.is_docker() {
            "application/vnd.docker.image.rootfs.diff.tar.gzip"
        } else {
            "application/vnd.oci.image.layer.v1.tar+gzip"
        }
    }

    /// The manifest's layer descriptors (oldest first), as JSON.
    pub fn layers(&self) -> &[Value] {
        self.manifest
            .get("layers")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// Replaces layer `i`'s descriptor (and its `rootfs.diff_ids` entry when `diff_id` is
    /// given). Errors (Usage) when the image has no layer `i`.
    pub fn set_layer(
        &mut self,
        i: usize,
        descriptor: Value,
        diff_id: Option<&Digest>,
    ) -> Result<()> {
        let layers = array(object_root(&mut self.manifest), "layers");
        let n = layers.len();
        let slot = layers
            .get_mut(i)
            .ok_or_else(|| Error::usage(format!("the image has no layer {i} (it has {n})")))?;
        *slot = descriptor;
        if let Some(d) = diff_id {
            let rootfs = object(&mut self.config, "rootfs");
            rootfs
                .entry("type")
                .or_insert_with(|| Value::from("layers"));
            let ids = array(rootfs, "diff_ids");
            if ids.len() <= i {
                ids.resize(i + 1, Value::Null);
            }
            ids[i] = Value::from(d.to_string());
        }
        Ok(())
    }

    /// Appends a layer: its manifest `descriptor`, its uncompressed digest `diff_id` in
    /// `rootfs.diff_ids`, and `history` (a history entry object, image spec `config.md`).
    ///
    /// History lines up with layers by its entries without `empty_layer: true`; when the
    /// source has fewer of those than layers (an image built without history, or with
    /// part of it), empty entries `{}` are added first for the layers that have none, so that
    /// `history` still describes the new layer (as go-containerregistry's `mutate` does).
    pub fn push_layer(&mut self, descriptor: Value, diff_id: &Digest, history: Value) {
        let layers = array(object_root(&mut self.manifest), "layers");
        let before = layers.len();
        layers.push(descriptor);
        let rootfs = object(&mut self.config, "rootfs");
        rootfs
            .entry("type")
            .or_insert_with(|| Value::from("layers"));
        array(rootfs, "diff_ids").push(Value::from(diff_id.to_string()));
        let entries = array(object_root(&mut self.config), "history");
        let non_empty = entries.iter().filter(|h| !is_empty_layer(h)).count();
        for _ in non_empty..before {
            entries.push(json!({}));
        }
        entries.push(history);
    }

    /// Adds a new blob the manifest names (e.g. a layer from [`ImageEdit::push_layer`]).
    pub fn add_blob(&mut self, digest: Digest, blob: NewBlob) {
        self.new_blobs.push((digest, blob));
    }

    /// The runtime section `config` of the image configuration (made when missing).
    pub fn runtime(&mut self) -> &mut Map<String, Value> {
        object(&mut self.config, "config")
    }

    /// The `Env` list (`KEY=VALUE` strings), empty when unset.
    pub fn env(&self) -> Vec<String> {
        self.config
            .pointer("/config/Env")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Sets `key=value` in `Env`, replacing an entry of the same key in place (else appended).
    pub fn set_env(&mut self, key: &str, value: &str) {
        let entry = Value::from(format!("{key}={value}"));
        let env = array(self.runtime(), "Env");
        match env.iter().position(|e| env_key(e) == Some(key)) {
            Some(i) => env[i] = entry,
            None => env.push(entry),
        }
    }

    /// Removes every `Env` entry of `key`; true when one was there.
    pub fn remove_env(&mut self, key: &str) -> bool {
        let env = array(self.runtime(), "Env");
        let before = env.len();
        env.retain(|e| env_key(e) != Some(key));
        env.len() != before
    }

    /// Sets label `key` to `value` (`config.Labels`).
    pub fn set_label(&mut self, key: &str, value: &str) {
        let labels = self.runtime().entry("Labels").or_insert_with(|| json!({}));
        if !labels.is_object() {
            *labels = json!({});
        }
        labels
            .as_object_mut()
            .expect("an object")
            .insert(key.into(), Value::from(value));
    }

    /// Removes label `key`; true when it was there.
    pub fn remove_label(&mut self, key: &str) -> bool {
        self.runtime()
            .get_mut("Labels")
            .and_then(Value::as_object_mut)
            .is_some_and(|l| l.remove(key).is_some())
    }

    /// Sets `Entrypoint` (`None` clears it, as `--entrypoint ''` does in docker).
    pub fn set_entrypoint(&mut self, argv: Option<Vec<String>>) {
        set_argv(self.runtime(), "Entrypoint", argv);
    }

    /// Sets `Cmd` (`None` clears it).
    pub fn set_cmd(&mut self, argv: Option<Vec<String>>) {
        set_argv(self.runtime(), "Cmd", argv);
    }

    /// Sets `User` (`name`, `uid`, `uid:gid`, …).
    pub fn set_user(&mut self, user: &str) {
        self.runtime().insert("User".into(), Value::from(user));
    }

    /// Sets `WorkingDir`.
    pub fn set_workdir(&mut self, dir: &str) {
        self.runtime().insert("WorkingDir".into(), Value::from(dir));
    }

    /// Adds `port` (`PORT/PROTO`, e.g. `8080/tcp`) to `ExposedPorts`.
    pub fn expose(&mut self, port: &str) {
        let ports = self
            .runtime()
            .entry("ExposedPorts")
            .or_insert_with(|| json!({}));
        if !ports.is_object() {
            *ports = json!({});
        }
        ports
            .as_object_mut()
            .expect("an object")
            .insert(port.into(), json!({}));
    }

    /// Sets the config's `created` (an RFC 3339 date-time).
    pub fn set_created(&mut self, rfc3339: &str) {
        object_root(&mut self.config).insert("created".into(), Value::from(rfc3339));
    }

    /// Sets annotation `key` on the manifest.
    pub fn set_annotation(&mut self, key: &str, value: &str) {
        object(&mut self.manifest, "annotations").insert(key.into(), Value::from(value));
    }
}

/// Whether history entry `h` is marked `empty_layer: true` (it names no layer).
fn is_empty_layer(h: &Value) -> bool {
    h.get("empty_layer").and_then(Value::as_bool) == Some(true)
}

/// The key of an `Env` entry `KEY=VALUE` (the whole string when it has no `=`).
fn env_key(e: &Value) -> Option<&str> {
    e.as_str().map(|s| s.split_once('=').map_or(s, |(k, _)| k))
}

fn set_argv(runtime: &mut Map<String, Value>, key: &str, argv: Option<Vec<String>>) {
    match argv {
        Some(a) => {
            runtime.insert(key.into(), Value::from(a));
        }
        None => {
            runtime.remove(key);
        }
    }
}

/// The top-level object of `v` (made one when it is not).
fn object_root(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = json!({});
    }
    v.as_object_mut().expect("an object")
}

/// A blob descriptor JSON for `bytes` of `media_type`.
fn blob_descriptor(media_type: &str, bytes: &[u8]) -> Value {
    json!({
        "mediaType": media_type,
        "digest": Digest::sha256_of(bytes).to_string(),
        "size": bytes.len(),
    })
}

/// The result of editing one image manifest: the new manifest and the blobs it adds.
struct Edited {
    manifest: FetchedManifest,
    /// The image's platform (index entry's, else the original config's).
    platform: Option<Platform>,
    blobs: Vec<(Digest, NewBlob)>,
}

/// Edits image manifest `m` of `src` (`platform` from its index entry, if any).
///
/// Errors: Usage for an artifact (a config that is not an image configuration); the source's.
async fn edit_one(
    src: &dyn ImageSource,
    m: &FetchedManifest,
    platform: Option<Platform>,
    editor: &dyn ImageEditor,
) -> Result<Edited> {
    let parsed = match Manifest::parse(&m.bytes, &m.media_type)? {
        Manifest::Image(i) => i,
        Manifest::Index(_) => {
            return Err(Error::usage(format!(
                "{} names a nested index {}; edit its images one by one",
                src.describe(),
                m.digest
            )));
        }
    };
    let config_desc = parsed.config();
    let config_type = config_desc.media_type().to_string();
    if !is_image_config(&config_type) {
        return Err(Error::usage(format!(
            "{} ({}) is an artifact (config mediaType {config_type}), not a container image; \
             it cannot be edited",
            src.describe(),
            m.digest
        )));
    }
    let config_bytes = read_blob(src, config_desc).await?;
    let config: Value = serde_json::from_slice(&config_bytes).map_err(|e| {
        Error::integrity(format!("config {} is not JSON: {e}", config_desc.digest()))
    })?;
    let manifest: Value = serde_json::from_slice(&m.bytes)
        .map_err(|e| Error::integrity(format!("manifest {} is not JSON: {e}", m.digest)))?;
    let platform = platform.or_else(|| platform_of_config(&config_bytes));
    let mut image = ImageEdit {
        platform,
        media_type: m.media_type.clone(),
        manifest,
        config,
        new_blobs: Vec::new(),
    };
    editor.edit(src, &mut image).await?;

    let new_config = serde_json::to_vec(&image.config)?;
    let mut blobs = std::mem::take(&mut image.new_blobs);
    let unchanged = new_config == config_bytes;
    let config_bytes = if unchanged { config_bytes } else { new_config };
    let config_digest = Digest::sha256_of(&config_bytes);
    // The descriptor keeps its other fields (annotations…); only digest and size change.
    let cfg = object(&mut image.manifest, "config");
    cfg.insert("mediaType".into(), Value::from(config_type.clone()));
    let d = blob_descriptor(&config_type, &config_bytes);
    cfg.insert("digest".into(), d["digest"].clone());
    cfg.insert("size".into(), d["size"].clone());
    if !unchanged {
        blobs.push((config_digest, NewBlob::Bytes(Bytes::from(config_bytes))));
    }
    let bytes = serde_json::to_vec(&image.manifest)?;
    Ok(Edited {
        manifest: FetchedManifest {
            digest: Digest::sha256_of(&bytes),
            bytes,
            media_type: m.media_type.clone(),
        },
        platform: image.platform,
        blobs,
    })
}

/// Applies `editor` to the image `src` names and returns the edit as a source.
///
/// - An image manifest is edited (with an explicit `platforms` choice it must match the
///   image's platform).
/// - An index (OCI or Docker list): the runnable children `platforms` selects are edited
///   ([`Platforms::All`]: every one; `One`/`List`: the best match of each platform, as copy
///   selects them) and a new index is written whose other entries (unselected children,
///   attestations, artifacts) are kept byte for byte; then [`ImageEditor::edit_index`].
///
/// Errors: NotFound for a platform the index lacks (naming those it has); Usage for an
/// artifact (a config whose mediaType is not an image configuration) or a nested index; the
/// editor's; the source's. Nothing is written here.
pub async fn edit_image(
    src: Arc<dyn ImageSource>,
    platforms: &Platforms,
    editor: &dyn ImageEditor,
) -> Result<EditedSource> {
    let root = src.root_manifest().await?;
    let index = match Manifest::parse(&root.bytes, &root.media_type)? {
        Manifest::Image(_) => {
            let edited = edit_one(src.as_ref(), &root, None, editor).await?;
            if let Some(p) = &edited.platform {
                check_single_platform(&src.describe(), p, platforms)?;
            }
            let mut out = EditedSource::new(src.clone(), edited.manifest);
            for (d, b) in edited.blobs {
                out = out.with_blob(&d, b);
            }
            return Ok(out);
        }
        Manifest::Index(i) => i,
    };
    let what = src.describe();
    let selected: Vec<String> = match platforms {
        Platforms::All => index
            .manifests()
            .iter()
            .filter(|d| is_runnable_entry(d))
            .map(|d| d.digest().to_string())
            .collect(),
        Platforms::One(p) => vec![image_for_platform(&index, p, &what)?.digest().to_string()],
        Platforms::List(l) => filter_entries(&index, l)?
            .iter()
            .filter(|d| is_runnable_entry(d))
            .map(|d| d.digest().to_string())
            .collect(),
    };
    let mut doc: Value = serde_json::from_slice(&root.bytes)
        .map_err(|e| Error::integrity(format!("index {} is not JSON: {e}", root.digest)))?;
    let mut done: HashMap<String, FetchedManifest> = HashMap::new();
    let mut blobs: Vec<(Digest, NewBlob)> = Vec::new();
    for d in index.manifests() {
        let digest = d.digest().to_string();
        if !selected.contains(&digest) || done.contains_key(&digest) {
            continue;
        }
        if is_index(d.media_type().as_ref()) {
            return Err(Error::usage(format!(
                "{what} names a nested index {digest}; edit its images one by one"
            )));
        }
        let child = src.manifest(&descriptor_digest(d)?).await?;
        let edited = edit_one(src.as_ref(), &child, d.platform().clone(), editor).await?;
        blobs.extend(edited.blobs);
        done.insert(digest, edited.manifest);
    }
    if let Some(list) = doc.get_mut("manifests").and_then(Value::as_array_mut) {
        for entry in list {
            let Some(old) = entry.get("digest").and_then(Value::as_str) else {
                continue;
            };
            if let Some(m) = done.get(old) {
                entry["digest"] = Value::from(m.digest.to_string());
                entry["size"] = Value::from(m.size());
            }
        }
    }
    editor.edit_index(&mut doc)?;
    let bytes = serde_json::to_vec(&doc)?;
    // The entries must still parse as descriptors (an editor may have written any JSON).
    crate::manifest::parse_index(&bytes)
        .map_err(|e| Error::other(format!("the edited index is malformed: {e}")))?;
    let new_root = FetchedManifest {
        digest: Digest::sha256_of(&bytes),
        bytes,
        media_type: root.media_type.clone(),
    };
    let mut out = EditedSource::new(src.clone(), new_root);
    for m in done.into_values() {
        out = out.with_manifest(m);
    }
    for (d, b) in blobs {
        out = out.with_blob(&d, b);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
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
        let new: Value =
            serde_json::from_slice(&edited.root_manifest().await.unwrap().bytes).unwrap();
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
}
