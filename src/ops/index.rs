//! `index create|add|remove`: make or change an image index in a registry repository from
//! single-platform images (like `docker manifest create` / `crane index append`). Each child
//! is first copied into the index's repository by digest (through the copy engine: mounts
//! within a registry), then the index is written; its platforms come from each image's config.
//! A child that is itself an index is refused (nested indexes are not flattened).
//!
//! Any other destination (an OCI layout, an archive, the store) gets the index and its
//! children in one copy: the index is served over a [`UnionSource`] that reads each child's
//! blobs from the source it came from ([`IndexParts`], [`write_index_to`]).

use std::sync::Arc;

use serde_json::{Value, json};

use crate::blob::FetchedManifest;
use crate::copy::{CopyOptions, CopyReport, Platforms, config_platform, copy_image};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::manifest::{
    DOCKER_LIST, DOCKER_MANIFEST, Manifest, OCI_INDEX, PlatformSpec, descriptor_to_json,
    is_runnable_entry, parse_index,
};
use crate::progress::Reporter;
use crate::reference::Reference;
use crate::registry::Client;
use crate::transport::ImageDestination;
use crate::transport::ImageSource;
use crate::transport::docker::{RegistryDestination, RegistrySource};
use crate::transport::edited::{EditedSource, UnionSource, manifest_blobs};

/// The index entry of single-platform image `src`: mediaType, digest, size and the platform
/// its config names (no annotations), with its manifest.
///
/// Errors: Usage when `src` is an index (name one platform's image) or an artifact; the
/// source's.
pub async fn child_entry(src: &dyn ImageSource) -> Result<(Value, FetchedManifest)> {
    let root = src.root_manifest().await?;
    let m = match Manifest::parse(&root.bytes, &root.media_type)? {
        Manifest::Image(m) => m,
        Manifest::Index(_) => {
            return Err(Error::usage(format!(
                "{} is an index; an index entry must be one image (nested indexes are refused, not flattened)",
                src.describe()
            ))
            .with_hint("name one platform's image, e.g. imgctl digest --platform linux/amd64 REF"));
        }
    };
    let platform = config_platform(src, &m).await?.ok_or_else(|| {
        Error::usage(format!(
            "{} names no platform in an image config (an artifact?)",
            src.describe()
        ))
    })?;
    let mut d = descriptor_to_json(&root.descriptor(Some(&platform), Default::default())?)?;
    if let Some(o) = d.as_object_mut() {
        o.remove("annotations");
    }
    Ok((d, root))
}

/// Copies single-platform image `src` into `dst`'s repository, by digest (no tag).
///
/// Errors: the copy's.
pub async fn copy_child(
    client: &Client,
    dst: &Reference,
    src: &dyn ImageSource,
    jobs: usize,
    reporter: &Reporter,
) -> Result<()> {
    let by_digest = Reference {
        tag: None,
        digest: None,
        ..dst.clone()
    };
    let to = RegistryDestination::new(client, by_digest);
    copy_image(src, &to, &CopyOptions::new(Platforms::All, jobs), reporter).await?;
    Ok(())
}

/// An entry's platform for messages: `os/arch[/variant]`, with `os.version` when it has one.
fn entry_platform(entry: &Value) -> String {
    let p = &entry["platform"];
    let mut s = ["os", "architecture", "variant"]
        .iter()
        .filter_map(|k| p[k].as_str().filter(|v| !v.is_empty()))
        .collect::<Vec<_>>()
        .join("/");
    if let Some(v) = p["os.version"].as_str() {
        s.push_str(&format!(" (os.version {v})"));
    }
    s
}

/// Checks that no two of the new `entries` (each with the source it came from, as given)
/// name the same platform: an index holds one image per platform, and a puller would take
/// the first. Same platform means the same `platform` object, as [`add_entries`] compares.
///
/// Errors: Usage naming both sources and the platform.
pub fn check_distinct_platforms(entries: &[(String, Value)]) -> Result<()> {
    for (i, (a, ea)) in entries.iter().enumerate() {
        if let Some((b, _)) = entries[..i]
            .iter()
            .find(|(_, eb)| eb.get("platform").is_some() && eb["platform"] == ea["platform"])
        {
            return Err(Error::usage(format!(
                "{b} and {a} are both {} images; an index holds one image per platform",
                entry_platform(ea)
            ))
            .with_hint(
                "give one image per platform (imgctl inspect SRC shows an image's platform)",
            ));
        }
    }
    Ok(())
}

/// A new index document over `entries` (Docker manifest list when every entry is a Docker
/// schema 2 manifest, else an OCI index) with `annotations` (none when empty).
pub fn new_index(entries: Vec<Value>, annotations: &[(String, String)]) -> Value {
    let docker = !entries.is_empty()
        && entries
            .iter()
            .all(|e| e["mediaType"].as_str() == Some(DOCKER_MANIFEST));
    let mut v = json!({
        "schemaVersion": 2,
        "mediaType": if docker { DOCKER_LIST } else { OCI_INDEX },
        "manifests": entries,
    });
    if !annotations.is_empty() && !docker {
        let a: serde_json::Map<String, Value> = annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        v["annotations"] = Value::Object(a);
    }
    v
}

/// The index `dst` names, as JSON. Errors: Usage when it is not an index; the registry's.
pub async fn read_index(client: &Client, dst: &Reference) -> Result<Value> {
    let root = RegistrySource::new(client, dst.clone())
        .root_manifest()
        .await?;
    if !crate::manifest::is_index(&root.media_type) {
        return Err(Error::usage(format!(
            "docker://{dst} is an image, not an index (make one with imgctl index create)"
        )));
    }
    Ok(serde_json::from_slice(&root.bytes)?)
}

/// Appends `entries` to index `doc`, replacing an entry of the same platform (and the
/// attestation manifests that described the replaced image).
pub fn add_entries(doc: &mut Value, entries: Vec<Value>) {
    let list = doc["manifests"].as_array_mut();
    let Some(list) = list else { return };
    for e in entries {
        let replaced: Vec<String> = list
            .iter()
            .filter(|old| old.get("platform").is_some() && old["platform"] == e["platform"])
            .filter_map(|old| old["digest"].as_str().map(str::to_string))
            .collect();
        list.retain(|old| old.get("platform").is_none() || old["platform"] != e["platform"]);
        drop_attestations_of(list, &replaced);
        list.push(e);
    }
}

/// Removes the runnable entries of index `doc` matching `want`, and the attestation manifests
/// describing them (`vnd.docker.reference.digest`); returns how many images were removed.
///
/// Errors: NotFound when none matches; Usage when no image would be left (an empty index is
/// no image at all), with `delete_hint` (how to delete the index instead); `doc` is unchanged
/// on error.
pub fn remove_platform(doc: &mut Value, want: &PlatformSpec, delete_hint: &str) -> Result<usize> {
    let bytes = serde_json::to_vec(doc)?;
    let index = parse_index(&bytes)?;
    let drop: Vec<String> = index
        .manifests()
        .iter()
        .filter(|d| {
            is_runnable_entry(d)
                && d.platform()
                    .as_ref()
                    .is_some_and(|p| want.rank(p).is_some())
        })
        .map(|d| d.digest().to_string())
        .collect();
    if drop.is_empty() {
        return Err(Error::not_found(format!(
            "the index has no image for platform {want} (available: {})",
            crate::manifest::available_platforms(&index).join(", ")
        )));
    }
    let left = index
        .manifests()
        .iter()
        .filter(|d| is_runnable_entry(d) && !drop.iter().any(|x| *x == d.digest().to_string()))
        .count();
    if left == 0 {
        return Err(Error::usage(format!(
            "removing {want} would leave the index without an image; an index needs at least one"
        ))
        .with_hint(delete_hint.to_string()));
    }
    if let Some(list) = doc["manifests"].as_array_mut() {
        list.retain(|e| {
            !e["digest"]
                .as_str()
                .is_some_and(|d| drop.iter().any(|x| x == d))
        });
        drop_attestations_of(list, &drop);
    }
    Ok(drop.len())
}

/// The annotation by which buildkit's attestation manifests name the image they describe.
const ATTESTATION_OF: &str = "vnd.docker.reference.digest";

/// Removes from index entries `list` the attestation manifests describing an image in
/// `gone` (digests): without their image they would describe nothing.
fn drop_attestations_of(list: &mut Vec<Value>, gone: &[String]) {
    list.retain(|e| {
        !e["annotations"][ATTESTATION_OF]
            .as_str()
            .is_some_and(|d| gone.iter().any(|x| x == d))
    });
}

/// Writes index `doc` at `dst` (its children are already in the repository, so only the
/// index moves); serialized once, digest over those bytes.
pub async fn write_index(
    client: &Client,
    dst: &Reference,
    doc: &Value,
    jobs: usize,
    reporter: &Reporter,
) -> Result<CopyReport> {
    let bytes = serde_json::to_vec(doc)?;
    let media_type = doc["mediaType"].as_str().unwrap_or(OCI_INDEX).to_string();
    let root = FetchedManifest {
        digest: Digest::sha256_of(&bytes),
        bytes,
        media_type,
    };
    let inner: Arc<dyn ImageSource> = Arc::new(RegistrySource::new(client, dst.clone()));
    let src = EditedSource::new(inner, root);
    let to = RegistryDestination::new(client, dst.clone());
    copy_image(&src, &to, &CopyOptions::new(Platforms::All, jobs), reporter).await
}

/// The children of an index being written to a destination other than a registry: each
/// child's manifest and the source its blobs come from.
pub struct IndexParts {
    union: Option<UnionSource>,
    children: Vec<FetchedManifest>,
}

impl IndexParts {
    /// Parts whose fallback source (for the children an existing index already has) is
    /// `existing`, or none for a new index.
    pub fn new(existing: Option<Arc<dyn ImageSource>>) -> IndexParts {
        IndexParts {
            union: existing.map(UnionSource::new),
            children: Vec::new(),
        }
    }

    /// Adds single-platform image `src` and returns its index entry (mediaType, digest,
    /// size, platform from its config).
    ///
    /// Errors: as [`child_entry`].
    pub async fn add(&mut self, src: Arc<dyn ImageSource>) -> Result<Value> {
        let (d, root) = child_entry(src.as_ref()).await?;
        let doc: Value = serde_json::from_slice(&root.bytes)?;
        match &mut self.union {
            Some(u) => u.own(src.clone(), manifest_blobs(&doc)),
            None => {
                let mut u = UnionSource::new(src.clone());
                u.own(src.clone(), manifest_blobs(&doc));
                self.union = Some(u);
            }
        }
        self.children.push(root);
        Ok(d)
    }
}

/// The index document at the location `src` serves. Errors: Usage when it is an image.
pub async fn read_index_at(src: &dyn ImageSource) -> Result<Value> {
    let root = src.root_manifest().await?;
    if !crate::manifest::is_index(&root.media_type) {
        return Err(Error::usage(format!(
            "{} is an image, not an index (make one with imgctl index create)",
            src.describe()
        )));
    }
    Ok(serde_json::from_slice(&root.bytes)?)
}

/// Writes index `doc` with its children to `dst` (any destination) in one copy: the new
/// children from `parts`, the others from its fallback source. Serialized once, digest over
/// those bytes. Errors: Usage for an empty index; the copy's.
pub async fn write_index_to(
    dst: &dyn ImageDestination,
    doc: &Value,
    parts: IndexParts,
    jobs: usize,
    reporter: &Reporter,
) -> Result<CopyReport> {
    let bytes = serde_json::to_vec(doc)?;
    let media_type = doc["mediaType"].as_str().unwrap_or(OCI_INDEX).to_string();
    let root = FetchedManifest {
        digest: Digest::sha256_of(&bytes),
        bytes,
        media_type,
    };
    let union = parts
        .union
        .ok_or_else(|| Error::usage("an index needs at least one image"))?;
    let mut src = EditedSource::new(Arc::new(union), root);
    for c in parts.children {
        src = src.with_manifest(c);
    }
    copy_image(&src, dst, &CopyOptions::new(Platforms::All, jobs), reporter).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(digest: &str, arch: &str) -> Value {
        json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
               "digest": digest, "size": 1,
               "platform": {"os": "linux", "architecture": arch}})
    }

    fn attestation(digest: &str, of: &str) -> Value {
        json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
               "digest": digest, "size": 1,
               "platform": {"os": "unknown", "architecture": "unknown"},
               "annotations": {"vnd.docker.reference.digest": of,
                               "vnd.docker.reference.type": "attestation-manifest"}})
    }

    fn digest(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }

    fn digests(doc: &Value) -> Vec<String> {
        doc["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["digest"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn removing_or_replacing_an_image_drops_the_attestations_that_describe_it() {
        let (amd, arm, att_amd, att_arm, new_arm) = (
            digest('a'),
            digest('b'),
            digest('c'),
            digest('d'),
            digest('e'),
        );
        let mut doc = new_index(
            vec![
                image(&amd, "amd64"),
                image(&arm, "arm64"),
                attestation(&att_amd, &amd),
                attestation(&att_arm, &arm),
            ],
            &[],
        );
        let want: PlatformSpec = "linux/arm64".parse().unwrap();
        assert_eq!(remove_platform(&mut doc, &want, "delete it").unwrap(), 1);
        assert_eq!(digests(&doc), vec![amd.clone(), att_amd.clone()]);

        // Replacing amd64's image drops its attestation; the new image has none yet.
        add_entries(&mut doc, vec![image(&new_arm, "amd64")]);
        assert_eq!(digests(&doc), vec![new_arm.clone()]);

        // The last image cannot go, and a refusal changes nothing.
        let before = doc.clone();
        let want: PlatformSpec = "linux/amd64".parse().unwrap();
        assert!(remove_platform(&mut doc, &want, "delete it").is_err());
        assert_eq!(doc, before);
    }
}
