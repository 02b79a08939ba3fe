//! Descriptors and image indexes as JSON: the image spec's platform keys, index parsing,
//! a descriptor's digest.

use oci_spec::image::{Descriptor, ImageIndex};

use crate::digest::Digest;
use crate::error::{Error, Result};

/// The image spec's platform keys (`image-index.md`) and the keys oci-spec 0.10 (de)serialises
/// the same fields under (its `Platform` lacks the renames: youki-dev/oci-spec-rs#163).
const PLATFORM_KEYS: [(&str, &str); 2] =
    [("os.version", "os_version"), ("os.features", "os_features")];

/// Moves a descriptor's `platform` keys from `from` spelling to `to` spelling (index 0: spec,
/// 1: oci-spec); a key already in `to` spelling wins.
fn rename_platform_keys(descriptor: &mut serde_json::Value, from: usize, to: usize) {
    let Some(p) = descriptor
        .get_mut("platform")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    for keys in PLATFORM_KEYS {
        let (f, t) = ([keys.0, keys.1][from], [keys.0, keys.1][to]);
        if let Some(v) = p.remove(f) {
            p.entry(t).or_insert(v);
        }
    }
}

/// Serialises descriptor `d` to JSON as the image spec spells it: `platform.os.version` and
/// `platform.os.features` (oci-spec alone would write `os_version` / `os_features`).
///
/// Errors (Other) only if serialisation fails.
pub fn descriptor_to_json(d: &Descriptor) -> Result<serde_json::Value> {
    let mut v = serde_json::to_value(d)?;
    rename_platform_keys(&mut v, 1, 0);
    Ok(v)
}

/// Parses a descriptor from JSON, reading `platform.os.version` / `os.features` (the spec's
/// keys; oci-spec's own `os_version` / `os_features` are accepted too).
pub fn descriptor_from_json(mut v: serde_json::Value) -> serde_json::Result<Descriptor> {
    rename_platform_keys(&mut v, 0, 1);
    serde_json::from_value(v)
}

/// Parses image index (or Docker manifest list) `bytes`, reading each entry's platform
/// `os.version` / `os.features` as [`descriptor_from_json`] does.
pub fn parse_index(bytes: &[u8]) -> serde_json::Result<ImageIndex> {
    let mut v: serde_json::Value = serde_json::from_slice(bytes)?;
    if let Some(list) = v
        .get_mut("manifests")
        .and_then(serde_json::Value::as_array_mut)
    {
        for d in list {
            rename_platform_keys(d, 0, 1);
        }
    }
    serde_json::from_value(v)
}

/// The [`Digest`] a descriptor names. Errors (Integrity) on an algorithm imgctl cannot verify.
pub fn descriptor_digest(d: &Descriptor) -> Result<Digest> {
    d.digest().to_string().parse::<Digest>().map_err(|e| {
        Error::integrity(format!(
            "descriptor digest {} is not usable: {e}",
            d.digest()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::*;

    #[test]
    fn platform_keys_are_the_spec_keys_both_ways() {
        let spec = serde_json::json!({
            "mediaType": OCI_MANIFEST,
            "digest": "sha256:63c287625c2b0b72900e562de73c0e381472a83b1b39217aef3856cd398eca0b",
            "size": 1124,
            "platform": {"architecture": "amd64", "os": "windows",
                         "os.version": "10.0.17763.1040", "os.features": ["win32k"]}
        });
        let d = descriptor_from_json(spec.clone()).unwrap();
        let p = d.platform().clone().unwrap();
        assert_eq!(p.os_version().as_deref(), Some("10.0.17763.1040"));
        assert_eq!(p.os_features().clone(), Some(vec!["win32k".to_string()]));
        assert_eq!(descriptor_to_json(&d).unwrap(), spec);
        // oci-spec's own spelling is read too, and written the spec's way.
        let mut crate_keys = spec.clone();
        let pl = crate_keys["platform"].as_object_mut().unwrap();
        for (from, to) in PLATFORM_KEYS {
            let v = pl.remove(from).unwrap();
            pl.insert(to.into(), v);
        }
        let d = descriptor_from_json(crate_keys).unwrap();
        assert_eq!(descriptor_to_json(&d).unwrap(), spec);
        // an index's entries
        let index =
            serde_json::json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [spec]});
        let i = parse_index(&serde_json::to_vec(&index).unwrap()).unwrap();
        let p = i.manifests()[0].platform().clone().unwrap();
        assert_eq!(p.os_features().clone(), Some(vec!["win32k".to_string()]));
    }
}
