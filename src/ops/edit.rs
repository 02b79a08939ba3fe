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
mod tests;
