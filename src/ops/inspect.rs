//! What `inspect` and `digest` show, as data: the location a bare reference means, the
//! manifest for a platform, and the JSON documents of an index, an image, its history and a
//! schema 1 manifest (docs/CLI.md, "Commands": `inspect`). The CLI prints them (text or JSON).

use std::path::Path;

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

use crate::blob::FetchedManifest;
use crate::copy::{Platforms, check_single_platform, config_platform};
use crate::digest::VerifyingReader;
use crate::error::{Error, Result};
use crate::location::{BareMeans, Location};
use crate::manifest::{
    self as mf, Manifest, descriptor_digest, image_for_platform, is_image_config,
    parse_platform_list, platform_string,
};
use crate::registry::Client;
use crate::transport::ImageSource;

/// Largest blob [`read_blob`] reads into memory, in bytes (64 MiB).
pub const MAX_SHOWN_BLOB: u64 = 64 << 20;

/// Reads blob `desc` whole from `src`, verified against its digest and size.
///
/// Errors: Integrity when it is over [`MAX_SHOWN_BLOB`] or its bytes do not match; the
/// source's.
pub async fn read_blob(src: &dyn ImageSource, desc: &Descriptor) -> Result<Vec<u8>> {
    if desc.size() > MAX_SHOWN_BLOB {
        return Err(Error::integrity(format!(
            "blob {} is {} bytes, too large to show",
            desc.digest(),
            desc.size()
        )));
    }
    let stream = src.blob(desc, 0).await?;
    let mut r = VerifyingReader::new(stream, descriptor_digest(desc)?, Some(desc.size()));
    let mut buf = Vec::with_capacity(desc.size() as usize);
    r.read_to_end(&mut buf).await?;
    Ok(buf)
}

/// The location `inspect` and `digest` read for `location`, and whether it is the local
/// store's image: a bare reference (no transport) that names an image of the store at
/// `store_dir` is that image, as `docker image inspect` shows the daemon's; any other bare
/// reference is the registry's. The store is only read, never created.
///
/// Errors: as [`Location::parse`] (Usage).
pub fn resolve_bare(location: &str, store_dir: Option<&Path>) -> Result<(Location, bool)> {
    let loc = Location::parse(location, BareMeans::Registry)?;
    let Location::Registry(r) = &loc else {
        return Ok((loc, false));
    };
    if location.starts_with("docker://") {
        return Ok((loc, false));
    }
    match store_dir {
        Some(dir) if super::store::has_image(dir, &r.to_string()) => {
            Ok((Location::Store(r.clone()), true))
        }
        _ => Ok((loc, false)),
    }
}

/// The manifest `platform` names in `m`: with `select` and `m` an image index, its child for
/// `platform` (one OS/ARCH[/VARIANT]; the host's when None) and that platform's name;
/// otherwise `m` itself — checked against `platform` when it is a single-platform image.
///
/// Errors: Usage for a list of platforms; NotFound when the index has no such child
/// ([`image_for_platform`]: the available ones are listed) or the image is for another
/// platform.
pub async fn for_platform(
    src: &dyn ImageSource,
    mut m: FetchedManifest,
    platform: Option<&str>,
    select: bool,
) -> Result<(FetchedManifest, Option<String>)> {
    let mut chosen_platform = None;

    if mf::is_index(&m.media_type) && select {
        let want = match platform {
            Some(p) => {
                let mut l = parse_platform_list(p)?;
                if l.len() != 1 {
                    return Err(Error::usage("--platform takes one platform here"));
                }
                l.remove(0)
            }
            None => mf::PlatformSpec::host(),
        };
        let Manifest::Index(index) = Manifest::parse(&m.bytes, &m.media_type)? else {
            unreachable!("is_index")
        };
        let child = image_for_platform(&index, &want, &src.describe())?;
        chosen_platform = child.platform().as_ref().map(platform_string);
        m = src.manifest(&descriptor_digest(child)?).await?;
    }
    // `--platform` on a single-platform image built for another platform is refused.
    if let (Some(p), None) = (platform, &chosen_platform)
        && let Ok(Manifest::Image(img)) = Manifest::parse(&m.bytes, &m.media_type)
        && let Some(have) = config_platform(src, &img).await?
    {
        let wants = Platforms::List(parse_platform_list(p)?);
        check_single_platform(&src.describe(), &have, &wants)?;
    }

    Ok((m, chosen_platform))
}

/// The repository's tags (sorted) when `loc` is a registry; `None` elsewhere or when listing
/// fails (a warning is logged: inspecting must not fail because tag listing is forbidden).
pub async fn registry_tags(loc: &Location, client: &Client) -> Option<Vec<String>> {
    let Location::Registry(r) = loc else {
        return None;
    };
    match client.repository(&r.registry, &r.repository).tags().await {
        Ok(mut t) => {
            t.sort();
            Some(t)
        }
        Err(e) => {
            tracing::warn!("cannot list tags of {}: {e}", r.name());
            None
        }
    }
}

/// The summary document of index `m` (parsed as `index`) read from `src`: name, digest,
/// media type, size, `tags`, artifact type, annotations and `platforms`, one entry per child
/// with `platform`, `digest`, `mediaType`, `size`, `artifactType`, `attestation`
/// ([`mf::is_attestation_entry`]) and `present`: for a file location (`local`: layout,
/// archive, store), whether the child is there (a Docker 25+ `docker save` keeps the whole
/// index but only the saved platforms); `null` for a registry, which is not asked (a request
/// each).
pub async fn index_doc(
    src: &dyn ImageSource,
    m: &FetchedManifest,
    index: &ImageIndex,
    local: bool,
    tags: Option<Vec<String>>,
) -> Value {
    let mut platforms: Vec<Value> = Vec::new();
    for d in index.manifests() {
        let present = if local {
            match descriptor_digest(d) {
                Ok(digest) => Some(src.manifest(&digest).await.is_ok()),
                Err(_) => Some(false),
            }
        } else {
            None
        };
        platforms.push(json!({
            "platform": d.platform().as_ref().map(platform_string),
            "digest": d.digest().to_string(),
            "mediaType": d.media_type().to_string(),
            "size": d.size(),
            "artifactType": d.artifact_type().as_ref().map(|a| a.to_string()),
            "attestation": mf::is_attestation_entry(d),
            "present": present,
        }));
    }
    json!({
        "name": src.describe(),
        "digest": m.digest.to_string(),
        "mediaType": m.media_type,
        "size": m.size(),
        "tags": tags,
        "artifactType": index.artifact_type().as_ref().map(|a| a.to_string()),
        "annotations": index.annotations(),
        "platforms": platforms,
    })
}

/// The JSON of `image`'s config blob when it is an image configuration ([`is_image_config`]);
/// `null` for an artifact's config, which is not read.
///
/// Errors: as [`read_blob`]; a JSON error for an image configuration that is not JSON.
pub async fn image_config(src: &dyn ImageSource, image: &ImageManifest) -> Result<Value> {
    if !is_image_config(image.config().media_type().as_ref()) {
        return Ok(Value::Null);
    }
    let bytes = read_blob(src, image.config()).await?;
    Ok(serde_json::from_slice(&bytes)?)
}

/// The summary document of image `m` (parsed as `image`, with config JSON `config` from
/// [`image_config`]) read from `src`: name, digest, media type, size, `tags`, the `platform`
/// picked out of an index (if any), artifact type, subject, config descriptor, the config's
/// created/os/architecture/variant and runtime fields (env, entrypoint, cmd, workingDir,
/// user, labels), annotations and `layers` (digest, size, mediaType, annotations).
pub fn image_doc(
    name: &str,
    m: &FetchedManifest,
    image: &ImageManifest,
    config: &Value,
    platform: Option<String>,
    tags: Option<Vec<String>>,
) -> Value {
    let layers: Vec<Value> = image
        .layers()
        .iter()
        .map(|l| {
            json!({
                "digest": l.digest().to_string(),
                "size": l.size(),
                "mediaType": l.media_type().to_string(),
                "annotations": l.annotations(),
            })
        })
        .collect();
    let c = &config["config"];
    json!({
        "name": name,
        "digest": m.digest.to_string(),
        "mediaType": m.media_type,
        "size": m.size(),
        "tags": tags,
        "platform": platform,
        "artifactType": image.artifact_type().as_ref().map(|a| a.to_string()),
        "subject": image.subject().as_ref().map(|s| s.digest().to_string()),
        "config": {"digest": image.config().digest().to_string(), "mediaType": image.config().media_type().to_string(), "size": image.config().size()},
        "created": config.get("created"),
        "os": config.get("os"),
        "architecture": config.get("architecture"),
        "variant": config.get("variant"),
        "env": c.get("Env"),
        "entrypoint": c.get("Entrypoint"),
        "cmd": c.get("Cmd"),
        "workingDir": c.get("WorkingDir"),
        "user": c.get("User"),
        "labels": c.get("Labels"),
        "annotations": image.annotations(),
        "layers": layers,
    })
}

/// `--layers`: the config's history, oldest step first, each non-empty step matched with its
/// layer (`created`, `createdBy`, `comment`, `emptyLayer`, `digest`, `size` in bytes), then
/// the layers the history does not describe (images built without history).
pub fn history(image: &ImageManifest, config: &Value) -> Vec<Value> {
    let mut layers = image.layers().iter();
    let mut rows = Vec::new();
    let history = config["history"].as_array().cloned().unwrap_or_default();
    for h in &history {
        let empty = h["empty_layer"].as_bool().unwrap_or(false);
        let layer = if empty { None } else { layers.next() };
        rows.push(json!({
            "created": h.get("created"),
            "createdBy": h.get("created_by"),
            "comment": h.get("comment"),
            "emptyLayer": empty,
            "digest": layer.map(|l| l.digest().to_string()),
            "size": layer.map(|l| l.size()).unwrap_or(0),
        }));
    }
    for l in layers {
        rows.push(json!({
            "created": null, "createdBy": null, "comment": null, "emptyLayer": false,
            "digest": l.digest().to_string(), "size": l.size(),
        }));
    }
    rows
}

/// The summary document of a Docker schema 1 manifest `m` named `name` (parsed as `s`).
pub fn schema1_doc(name: &str, m: &FetchedManifest, s: &mf::Schema1Summary) -> Value {
    json!({
        "name": name,
        "digest": m.digest.to_string(),
        "mediaType": m.media_type,
        "schema1": s,
        "architecture": s.architecture,
        "created": s.created,
        "layers": s.layers.iter().map(|l| json!({"digest": l})).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(layers: usize) -> ImageManifest {
        let d = |i: usize| {
            json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                   "digest": format!("sha256:{:064x}", i + 1), "size": 10 * (i + 1)})
        };
        serde_json::from_value(json!({
            "schemaVersion": 2,
            "mediaType": mf::OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": format!("sha256:{:064x}", 0), "size": 2},
            "layers": (0..layers).map(d).collect::<Vec<_>>(),
        }))
        .unwrap()
    }

    #[test]
    fn history_matches_non_empty_steps_with_layers_then_lists_the_rest() {
        let config = json!({"history": [
            {"created_by": "ADD rootfs", "created": "2024-01-01T00:00:00Z"},
            {"created_by": "ENV A=1", "empty_layer": true},
            {"created_by": "RUN make"},
        ]});
        let rows = history(&image(3), &config);
        let digests: Vec<&Value> = rows.iter().map(|r| &r["digest"]).collect();
        assert_eq!(
            digests,
            [
                &json!(format!("sha256:{:064x}", 1)),
                &Value::Null,
                &json!(format!("sha256:{:064x}", 2)),
                &json!(format!("sha256:{:064x}", 3)),
            ]
        );
        assert_eq!(rows[1]["emptyLayer"], true);
        assert_eq!(rows[1]["size"], 0);
        assert_eq!(rows[2]["createdBy"], "RUN make");
        assert_eq!(
            rows[3]["createdBy"],
            Value::Null,
            "no history for the last layer"
        );
        assert_eq!(rows[3]["size"], 30);
    }

    #[test]
    fn a_bare_reference_is_the_registry_s_unless_the_store_has_it() {
        let dir = tempfile::tempdir().unwrap();
        let absent = dir.path().join("store");
        let (loc, from_store) = resolve_bare("alpine:3", Some(&absent)).unwrap();
        assert!(matches!(loc, Location::Registry(_)) && !from_store);
        assert!(!absent.exists(), "the store is never created");
        let (loc, from_store) = resolve_bare("docker://alpine:3", None).unwrap();
        assert!(matches!(loc, Location::Registry(_)) && !from_store);
        let (loc, _) = resolve_bare(&format!("oci:{}:x", dir.path().display()), None).unwrap();
        assert!(matches!(loc, Location::Oci { .. }), "{loc}");
    }
}
