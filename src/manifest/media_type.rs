//! Manifest media types and detecting a document's type from its bytes.

use crate::error::{Error, Result};

/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker image manifest v2 schema 2.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker schema 1 (unsigned).
pub const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";
/// Docker schema 1 (signed JWS).
pub const DOCKER_SCHEMA1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";

/// The `Accept` header value for manifest requests: every manifest type imgctl reads.
pub const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// True for the two image-index media types (OCI index, Docker manifest list).
pub fn is_index(media_type: &str) -> bool {
    media_type == OCI_INDEX || media_type == DOCKER_LIST
}

/// True for any media type that names a manifest or an index (not a blob).
pub fn is_manifest_type(media_type: &str) -> bool {
    matches!(
        media_type,
        OCI_MANIFEST
            | OCI_INDEX
            | DOCKER_MANIFEST
            | DOCKER_LIST
            | DOCKER_SCHEMA1
            | DOCKER_SCHEMA1_SIGNED
    )
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    schema_version: Option<u32>,
    media_type: Option<String>,
    manifests: Option<serde_json::Value>,
    config: Option<serde_json::Value>,
    layers: Option<serde_json::Value>,
    signatures: Option<serde_json::Value>,
}

/// Determines the media type of manifest `bytes`: the document's `mediaType` field, else the
/// `Content-Type` the server sent (`header`, parameters ignored), else its shape (an index has
/// `manifests`, an image manifest `config`/`layers`, schema 1 `schemaVersion: 1`).
///
/// Errors (Integrity) when the bytes are not a JSON object.
pub fn detect_media_type(bytes: &[u8], header: Option<&str>) -> Result<String> {
    let probe: Probe = serde_json::from_slice(bytes)
        .map_err(|e| Error::integrity(format!("manifest is not valid JSON: {e}")))?;
    if let Some(mt) = probe.media_type.filter(|m| !m.is_empty()) {
        return Ok(mt);
    }
    let header = header
        .map(|h| h.split(';').next().unwrap_or("").trim().to_string())
        .filter(|h| is_manifest_type(h));
    if let Some(h) = header {
        return Ok(h);
    }
    Ok(match probe.schema_version {
        Some(1) if probe.signatures.is_some() => DOCKER_SCHEMA1_SIGNED.into(),
        Some(1) => DOCKER_SCHEMA1.into(),
        _ if probe.manifests.is_some() => OCI_INDEX.into(),
        _ if probe.config.is_some() || probe.layers.is_some() => OCI_MANIFEST.into(),
        v => {
            return Err(Error::integrity(format!(
                "unrecognised manifest (schemaVersion {v:?}, no mediaType, no manifests or layers)"
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::*;

    #[test]
    fn detects_types() {
        assert_eq!(
            detect_media_type(br#"{"schemaVersion":2,"manifests":[]}"#, None).unwrap(),
            OCI_INDEX
        );
        assert_eq!(
            detect_media_type(
                br#"{"schemaVersion":2,"config":{}}"#,
                Some("application/vnd.docker.distribution.manifest.v2+json; charset=utf-8")
            )
            .unwrap(),
            DOCKER_MANIFEST
        );
        assert!(detect_media_type(b"not json", None).is_err());
        assert!(Manifest::parse(br#"{"schemaVersion":1}"#, DOCKER_SCHEMA1).is_err());
    }
}
