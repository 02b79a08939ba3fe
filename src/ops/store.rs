//! Queries and edits of the local store as the commands name them: the image list of
//! `images`, the images `rmi` and `tag` are given (a name, a digest or a digest prefix), new
//! names, and the lookup that lets a bare reference mean the store's image (`inspect`,
//! `digest`).

use std::path::Path;

use oci_spec::image::Descriptor;

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::location::{BareMeans, Location};
use crate::manifest::{Manifest, descriptor_digest, detect_media_type, platform_string};
use crate::store::{Layout, REF_NAME};

/// One row of `imgctl images`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImageSummary {
    /// The full reference the image is stored under; `None` for an untagged entry (`<none>`).
    pub reference: Option<String>,
    /// The manifest digest (`sha256:…`).
    pub digest: String,
    /// Bytes of the manifest and everything it references that is present in the store.
    pub size: u64,
    /// Its platforms (`os/arch[/variant]`), attestations (`unknown/unknown`) left out.
    pub platforms: Vec<String>,
}

/// Size in bytes of everything `desc` references that is present, and its platforms.
fn summarize(layout: &Layout, desc: &Descriptor, depth: usize) -> Result<(u64, Vec<String>)> {
    let digest = descriptor_digest(desc)?;
    let bytes = layout.read_blob_bytes(&digest)?;
    let mt = detect_media_type(&bytes, Some(desc.media_type().as_ref()))?;
    let mut size = bytes.len() as u64;
    let mut platforms = Vec::new();
    match Manifest::parse(&bytes, &mt)? {
        Manifest::Image(m) => {
            size += m.config().size() + m.layers().iter().map(|l| l.size()).sum::<u64>();
            if let Some(p) = desc.platform() {
                platforms.push(platform_string(p));
            } else if let Ok(cfg) = layout.read_blob_bytes(&descriptor_digest(m.config())?) {
                #[derive(serde::Deserialize)]
                struct Cfg {
                    os: Option<String>,
                    architecture: Option<String>,
                    variant: Option<String>,
                }
                if let Ok(c) = serde_json::from_slice::<Cfg>(&cfg)
                    && let (Some(os), Some(arch)) = (c.os, c.architecture)
                {
                    let mut s = format!("{os}/{arch}");
                    if let Some(v) = c.variant.filter(|v| !v.is_empty()) {
                        s = format!("{s}/{v}");
                    }
                    platforms.push(s);
                }
            }
        }
        Manifest::Index(i) if depth < 4 => {
            for child in i.manifests() {
                if layout.has_blob(&descriptor_digest(child)?) {
                    let (s, p) = summarize(layout, child, depth + 1)?;
                    size += s;
                    if let Some(cp) = child.platform() {
                        platforms.push(platform_string(cp));
                    } else {
                        platforms.extend(p);
                    }
                }
            }
        }
        Manifest::Index(_) => {}
    }
    platforms.retain(|p| p != "unknown/unknown");
    Ok((size, platforms))
}

/// The images of `layout`, as `imgctl images` lists them: named images first (by name, then
/// digest), then untagged entries (one per digest).
///
/// Errors: the store's (an unreadable index.json, a missing or corrupt manifest blob).
pub fn list_images(layout: &Layout) -> Result<Vec<ImageSummary>> {
    let mut rows: Vec<ImageSummary> = Vec::new();
    for d in layout.manifests()? {
        // Untagged entries (an archive image without names) show as `<none>`, like docker.
        let reference = d
            .annotations()
            .as_ref()
            .and_then(|a| a.get(REF_NAME))
            .cloned();
        let digest = d.digest().to_string();
        if reference.is_none()
            && rows
                .iter()
                .any(|r| r.reference.is_none() && r.digest == digest)
        {
            continue;
        }
        let (size, platforms) = summarize(layout, &d, 0)?;
        rows.push(ImageSummary {
            reference,
            digest,
            size,
            platforms,
        });
    }
    rows.sort_by(|a, b| {
        (a.reference.is_none(), &a.reference, &a.digest).cmp(&(
            b.reference.is_none(),
            &b.reference,
            &b.digest,
        ))
    });
    Ok(rows)
}

/// An image of the store as the user named it: by reference, or by manifest digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreImage {
    /// A full normalised reference (`alpine` → `docker.io/library/alpine:latest`).
    Name(String),
    /// A manifest digest (from `sha256:HEX`, `store:sha256:HEX` or a hex prefix).
    Digest(Digest),
}

impl std::fmt::Display for StoreImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreImage::Name(n) => f.write_str(n),
            StoreImage::Digest(d) => write!(f, "{d}"),
        }
    }
}

/// Whether `s` looks like a digest or a digest prefix (`sha256:HEX…`, or ≥ 12 hex digits).
fn digest_like(s: &str) -> Option<&str> {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    let ok = hex.len() >= 12 && hex.len() <= 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    (ok && (s.starts_with("sha256:") || hex.bytes().all(|b| !b.is_ascii_uppercase())))
        .then_some(hex)
}

/// Resolves a user-typed store image: `REF`, `store:REF`, `sha256:HEX`, `store:sha256:HEX`, or
/// a digest prefix of at least 12 hex digits (matched against the store's entries).
///
/// Errors: Usage for another transport's location, a prefix under 12 digits or an ambiguous
/// one; NotFound for a `sha256:` prefix nothing matches.
pub fn resolve_image(layout: &Layout, s: &str) -> Result<StoreImage> {
    let bare = s.strip_prefix("store:").unwrap_or(s);
    if let Some(hex) = bare.strip_prefix("sha256:")
        && hex.len() < 12
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Err(Error::usage(format!(
            "digest prefix {bare} is too short: give at least 12 hex digits"
        ))
        .with_hint("list the store's digests with `imgctl images`"));
    }
    if let Some(hex) = digest_like(bare) {
        let found = layout.digests_with_prefix(&hex.to_ascii_lowercase())?;
        // A 12+ hex string that matches no digest may still be a repository name.
        match found.as_slice() {
            [d] => return Ok(StoreImage::Digest(d.clone())),
            [] if bare.starts_with("sha256:") => {
                return Err(Error::not_found(format!(
                    "no image with digest {bare} in the local store"
                ))
                .with_hint("list the store with `imgctl images`"));
            }
            [] => {}
            many => {
                return Err(Error::usage(format!(
                    "digest prefix {bare} is ambiguous: {} images match",
                    many.len()
                ))
                .with_hint("type more digits"));
            }
        }
    }
    match Location::parse(s, BareMeans::Store)? {
        Location::Store(r) => Ok(StoreImage::Name(r.to_string())),
        Location::StoreDigest(d) => Ok(StoreImage::Digest(d)),
        other => Err(Error::usage(format!(
            "{other} is not an image in the local store"
        ))),
    }
}

/// The store name for a user-typed new name (`alpine` → `docker.io/library/alpine:latest`).
///
/// Errors: Usage for a malformed reference or another transport's location.
pub fn store_name(s: &str) -> Result<String> {
    match Location::parse(s, BareMeans::Store)? {
        Location::Store(r) => Ok(r.to_string()),
        other => Err(Error::usage(format!(
            "{other} is not a name in the local store"
        ))),
    }
}

/// Removes `image` from the index of `layout` (blobs stay until [`Layout::gc`]): a name drops
/// that entry, a digest every entry of it. Returns `(name, digest)` per entry removed; an
/// untagged entry has no name.
///
/// Errors: NotFound when the store has no such image; the store's.
pub fn remove_image(layout: &Layout, image: &StoreImage) -> Result<Vec<(Option<String>, String)>> {
    match image {
        StoreImage::Name(n) => layout
            .remove_ref(n)
            .map(|d| vec![(Some(n.clone()), d.digest().to_string())]),
        StoreImage::Digest(d) => layout.remove_digest(d).map(|names| {
            if names.is_empty() {
                vec![(None, d.to_string())]
            } else {
                names
                    .into_iter()
                    .map(|n| (Some(n), d.to_string()))
                    .collect()
            }
        }),
    }
}

/// `imgctl tag SRC NAME…` in the store: gives the image `source` names ([`resolve_image`])
/// each of `names` ([`store_name`]) too. Returns the image's manifest digest and the full
/// names written.
///
/// Errors: as [`resolve_image`]; NotFound (with a hint to list or pull) when the image is not
/// in the store; Usage for a malformed new name (the names before it are written).
pub fn tag_image(layout: &Layout, source: &str, names: &[String]) -> Result<(String, Vec<String>)> {
    let desc = match resolve_image(layout, source)? {
        StoreImage::Name(n) => layout.resolve(&n),
        StoreImage::Digest(d) => layout.resolve_digest(&d),
    }
    .map_err(|e| e.with_hint("list the store with `imgctl images`, or pull the image first"))?;
    let mut tagged = Vec::with_capacity(names.len());
    for t in names {
        let name = store_name(t)?;
        let mut d = desc.clone();
        let mut ann = d.annotations().clone().unwrap_or_default();
        ann.insert(REF_NAME.to_string(), name.clone());
        d.set_annotations(Some(ann));
        layout.set_ref(Some(&name), d)?;
        tagged.push(name);
    }
    Ok((desc.digest().to_string(), tagged))
}

/// Whether the store at `store_dir` holds an image named `name` (a full reference). A store
/// that does not exist or cannot be read holds nothing; it is never created.
pub fn has_image(store_dir: &Path, name: &str) -> bool {
    Layout::open(store_dir).is_ok_and(|store| store.resolve(name).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_prefixes_and_names() {
        let hex = "0123456789ab";
        assert_eq!(digest_like(hex), Some(hex));
        assert_eq!(digest_like(&format!("sha256:{hex}")), Some(hex));
        assert_eq!(digest_like("0123456789a"), None, "under 12 digits");
        assert_eq!(
            digest_like("0123456789AB"),
            None,
            "upper case without sha256:"
        );
        assert_eq!(digest_like("alpine"), None);
        assert_eq!(
            store_name("alpine").unwrap(),
            "docker.io/library/alpine:latest"
        );
        assert!(store_name("docker://alpine").is_err());
    }

    #[test]
    fn images_are_resolved_tagged_listed_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::open_or_create(dir.path()).unwrap();
        // An empty store: nothing to list, nothing to find.
        assert!(list_images(&layout).unwrap().is_empty());
        assert!(!has_image(dir.path(), "docker.io/library/a:1"));
        assert!(!has_image(
            &dir.path().join("absent"),
            "docker.io/library/a:1"
        ));
        assert!(!dir.path().join("absent").exists(), "never created");
        let short = resolve_image(&layout, "sha256:0123").unwrap_err();
        assert_eq!(short.kind(), crate::error::ErrorKind::Usage);
        let none = resolve_image(&layout, &format!("sha256:{}", "0".repeat(64))).unwrap_err();
        assert_eq!(none.kind(), crate::error::ErrorKind::NotFound);
        let missing = tag_image(&layout, "a:1", &["b:2".into()]).unwrap_err();
        assert_eq!(missing.kind(), crate::error::ErrorKind::NotFound);
        assert_eq!(
            resolve_image(&layout, "store:a:1").unwrap(),
            StoreImage::Name("docker.io/library/a:1".into())
        );

        // One image: a config for linux/arm64, one layer, its manifest named a:1.
        let put = |bytes: &[u8]| {
            let d = Digest::sha256_of(bytes);
            layout.write_blob_bytes(&d, bytes).unwrap();
            d
        };
        let config =
            br#"{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
        let layer = b"not really a tar, but a blob";
        let (cd, ld) = (put(config), put(layer));
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": crate::manifest::OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": cd.to_string(), "size": config.len()},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": ld.to_string(), "size": layer.len()}],
        }))
        .unwrap();
        let md = put(&manifest);
        let desc: Descriptor = serde_json::from_value(serde_json::json!({
            "mediaType": crate::manifest::OCI_MANIFEST,
            "digest": md.to_string(), "size": manifest.len(),
            "annotations": {REF_NAME: "docker.io/library/a:1"},
        }))
        .unwrap();
        layout.set_ref(Some("docker.io/library/a:1"), desc).unwrap();
        assert!(has_image(dir.path(), "docker.io/library/a:1"));

        let (digest, names) = tag_image(&layout, "a:1", &["b:2".into()]).unwrap();
        assert_eq!(digest, md.to_string());
        assert_eq!(names, ["docker.io/library/b:2"]);
        let want = |reference: &str| ImageSummary {
            reference: Some(reference.into()),
            digest: md.to_string(),
            size: (manifest.len() + config.len() + layer.len()) as u64,
            platforms: vec!["linux/arm64".into()],
        };
        assert_eq!(
            list_images(&layout).unwrap(),
            [want("docker.io/library/a:1"), want("docker.io/library/b:2")]
        );
        // By digest prefix (12 digits) and by full digest: the same image.
        let hex = md.to_string()["sha256:".len()..].to_string();
        assert_eq!(
            resolve_image(&layout, &hex[..12]).unwrap(),
            StoreImage::Digest(md.clone())
        );
        // Removing by name drops that name only; by digest every remaining name.
        let gone =
            remove_image(&layout, &StoreImage::Name("docker.io/library/b:2".into())).unwrap();
        assert_eq!(
            gone,
            [(Some("docker.io/library/b:2".into()), md.to_string())]
        );
        let gone = remove_image(&layout, &StoreImage::Digest(md.clone())).unwrap();
        assert_eq!(
            gone,
            [(Some("docker.io/library/a:1".into()), md.to_string())]
        );
        assert!(list_images(&layout).unwrap().is_empty());
        let again = remove_image(&layout, &StoreImage::Digest(md)).unwrap_err();
        assert_eq!(again.kind(), crate::error::ErrorKind::NotFound);
    }
}
