//! The build's images in the making: a stage's documents over its base's blobs, and the
//! finished image or index as a source for the copy engine.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use oci_spec::image::Descriptor;
use serde_json::{Map, Value, json};

use crate::blob::{BlobStream, FetchedManifest};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::manifest::DOCKER_MANIFEST;
use crate::transport::ImageSource;
use crate::transport::edited::{EditedSource, NewBlob, UnionSource, manifest_blobs};

use super::{Built, BuiltLayer};

pub(super) const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(super) const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(super) const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub(super) const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub(super) const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

/// An image source that holds nothing: what `FROM scratch` images are served over.
pub(super) struct Nothing;

#[async_trait]
impl ImageSource for Nothing {
    fn describe(&self) -> String {
        "scratch".into()
    }
    async fn root_manifest(&self) -> Result<FetchedManifest> {
        Err(Error::not_found("scratch has no manifest"))
    }
    async fn manifest(&self, d: &Digest) -> Result<FetchedManifest> {
        Err(Error::not_found(format!("scratch has no manifest {d}")))
    }
    async fn blob(&self, d: &Descriptor, _offset: u64) -> Result<BlobStream> {
        Err(Error::not_found(format!(
            "scratch has no blob {}",
            d.digest()
        )))
    }
}

/// A stage's image as it is being built: documents as JSON (fields oci-spec does not model
/// survive), the source of its inherited blobs, and the blobs this build made.
#[derive(Clone)]
pub(super) struct StageImage {
    pub(super) inner: Arc<dyn ImageSource>,
    pub(super) media_type: String,
    pub(super) manifest: Value,
    pub(super) config: Value,
    pub(super) new_blobs: Vec<(Digest, NewBlob)>,
    /// The directories of its root filesystem when every layer is this build's (a stage from
    /// `scratch`), relative without a leading `/`; `None` over a base image, whose files are
    /// not read.
    pub(super) known_dirs: Option<BTreeSet<String>>,
}

impl StageImage {
    /// The empty image `FROM scratch` starts from, for `platform` (`os/arch[/variant]`).
    pub(super) fn scratch(platform: &str) -> StageImage {
        let mut parts = platform.split('/');
        let os = parts.next().unwrap_or("linux").to_string();
        let arch = parts.next().unwrap_or_default().to_string();
        let mut config = json!({
            "architecture": arch, "os": os,
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": []},
        });
        if let Some(v) = parts.next() {
            config["variant"] = json!(v);
        }
        StageImage {
            inner: Arc::new(Nothing),
            media_type: OCI_MANIFEST.into(),
            manifest: json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "layers": []}),
            config,
            new_blobs: Vec::new(),
            known_dirs: Some(BTreeSet::new()),
        }
    }

    pub(super) fn is_docker(&self) -> bool {
        self.media_type == DOCKER_MANIFEST
    }

    pub(super) fn layer_media_type(&self) -> &'static str {
        if self.is_docker() {
            "application/vnd.docker.image.rootfs.diff.tar.gzip"
        } else {
            "application/vnd.oci.image.layer.v1.tar+gzip"
        }
    }

    /// The `os/arch[/variant]` its config names.
    pub(super) fn platform(&self) -> String {
        let s = |k: &str| self.config.get(k).and_then(Value::as_str).unwrap_or("");
        let mut p = format!("{}/{}", s("os"), s("architecture"));
        if !s("variant").is_empty() {
            p = format!("{p}/{}", s("variant"));
        }
        p
    }
}

/// Serializes `img`'s config and manifest and returns them as a source over its blobs.
pub(super) fn stage_source(img: &StageImage) -> Result<EditedSource> {
    let (manifest, blobs) = documents(img)?;
    let mut src = EditedSource::new(img.inner.clone(), manifest);
    for (d, b) in blobs {
        src = src.with_blob(&d, b);
    }
    Ok(src)
}

/// `img`'s final documents: the manifest (config descriptor pointing at the serialized
/// config) and every new blob, the config included.
pub(super) fn documents(img: &StageImage) -> Result<(FetchedManifest, Vec<(Digest, NewBlob)>)> {
    let config_bytes = serde_json::to_vec(&img.config)?;
    let config_digest = Digest::sha256_of(&config_bytes);
    let config_type = if img.is_docker() {
        DOCKER_CONFIG
    } else {
        OCI_CONFIG
    };
    let mut manifest = img.manifest.clone();
    let m = manifest
        .as_object_mut()
        .ok_or_else(|| Error::integrity("the base manifest is not a JSON object"))?;
    m.insert(
        "config".into(),
        json!({
            "mediaType": config_type,
            "digest": config_digest.to_string(),
            "size": config_bytes.len(),
        }),
    );
    // The base's annotations describe the base, not this image.
    m.remove("annotations");
    let bytes = serde_json::to_vec(&manifest)?;
    let mut blobs = img.new_blobs.clone();
    blobs.push((config_digest, NewBlob::Bytes(Bytes::from(config_bytes))));
    Ok((
        FetchedManifest {
            digest: Digest::sha256_of(&bytes),
            bytes,
            media_type: img.media_type.clone(),
        },
        blobs,
    ))
}

/// The layers of `img` with the `created_by` of the history entry that made each.
pub(super) fn layer_list(img: &StageImage) -> Vec<BuiltLayer> {
    let layers = img
        .manifest
        .get("layers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut history = img
        .config
        .get("history")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|h| h.get("empty_layer").and_then(Value::as_bool) != Some(true));
    layers
        .iter()
        .map(|l| BuiltLayer {
            digest: l["digest"].as_str().unwrap_or_default().to_string(),
            size: l["size"].as_u64().unwrap_or_default(),
            created_by: history
                .next()
                .and_then(|h| {
                    h.get("created_by")
                        .and_then(Value::as_str)
                        .map(String::from)
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// The result: one image, or an index over the platforms' images.
pub(super) fn finish(images: Vec<StageImage>) -> Result<Built> {
    let first = images
        .first()
        .ok_or_else(|| Error::other("no platform was built"))?;
    let layers = layer_list(first);
    let platforms: Vec<String> = images.iter().map(StageImage::platform).collect();
    // A final stage `FROM --platform=X` makes every requested platform's image an X image:
    // an index may not list one platform twice (pulls would take either), so nothing is
    // written (this runs before any destination is touched).
    for (i, p) in platforms.iter().enumerate() {
        if platforms[..i].contains(p) {
            return Err(Error::usage(format!(
                "two of the requested platforms built the same platform {p}: the final stage's \
                 FROM --platform fixes its platform"
            ))
            .with_hint(
                "build one platform (without --platform a,b), or drop --platform from the final FROM",
            ));
        }
    }
    if images.len() == 1 {
        let (manifest, blobs) = documents(first)?;
        let (digest, media_type) = (manifest.digest.clone(), manifest.media_type.clone());
        let mut source = EditedSource::new(first.inner.clone(), manifest);
        for (d, b) in blobs {
            source = source.with_blob(&d, b);
        }
        return Ok(Built {
            source: source.with_description("the built image"),
            digest,
            media_type,
            platforms,
            layers,
        });
    }
    let all_docker = images.iter().all(StageImage::is_docker);
    let mut entries = Vec::new();
    let mut children = Vec::new();
    let mut all_blobs = Vec::new();
    for img in &images {
        let (m, blobs) = documents(img)?;
        let mut platform = Map::new();
        for k in ["architecture", "os", "variant"] {
            if let Some(v) = img
                .config
                .get(k)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
            {
                platform.insert(k.into(), json!(v));
            }
        }
        entries.push(json!({
            "mediaType": m.media_type,
            "digest": m.digest.to_string(),
            "size": m.bytes.len(),
            "platform": platform,
        }));
        children.push(m);
        all_blobs.extend(blobs);
    }
    let media_type = if all_docker { DOCKER_LIST } else { OCI_INDEX };
    let bytes = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": media_type,
        "manifests": entries,
    }))?;
    let root = FetchedManifest {
        digest: Digest::sha256_of(&bytes),
        bytes,
        media_type: media_type.into(),
    };
    let digest = root.digest.clone();
    // Each platform's inherited blobs are read from its own base source.
    let mut union = UnionSource::new(first.inner.clone());
    for img in &images {
        union.own(img.inner.clone(), manifest_blobs(&img.manifest));
    }
    let mut source = EditedSource::new(Arc::new(union), root);
    for c in children {
        source = source.with_manifest(c);
    }
    for (d, b) in all_blobs {
        source = source.with_blob(&d, b);
    }
    Ok(Built {
        source: source.with_description("the built index"),
        digest,
        media_type: media_type.into(),
        platforms,
        layers,
    })
}
