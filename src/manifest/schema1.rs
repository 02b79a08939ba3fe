//! Manifest digests as registries compute them, and Docker schema 1 (signed JWS) manifests.

use crate::digest::Digest;
use crate::error::{Error, Result};

/// The digest of manifest `bytes` as a registry computes it (distribution's `Docker-Content-Digest`):
/// the sha256 of the bytes, except for a signed Docker schema 1 manifest, whose digest is that
/// of its JWS payload ([`schema1_payload`]): the manifest without its `signatures`.
///
/// Errors (Integrity) for a schema 1 manifest whose `signatures` field is malformed.
pub fn manifest_digest(bytes: &[u8]) -> Result<Digest> {
    Ok(Digest::sha256_of(&canonical_manifest_bytes(bytes)?))
}

/// Checks manifest `bytes` against `digest` (any algorithm) as a registry names it: the bytes
/// themselves, or a signed schema 1 manifest's payload ([`schema1_payload`]).
///
/// Errors (Integrity): a mismatch, naming both digests; a malformed schema 1 `signatures`.
pub fn verify_manifest(digest: &Digest, bytes: &[u8]) -> Result<()> {
    digest.verify(&canonical_manifest_bytes(bytes)?)
}

/// The bytes a manifest's digest covers: the document itself, or the payload of a signed
/// schema 1 manifest (a JSON object with `schemaVersion: 1` and a `signatures` field).
fn canonical_manifest_bytes(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        schema_version: Option<serde_json::Value>,
        #[serde(default, deserialize_with = "present")]
        signatures: Option<serde_json::Value>,
    }
    /// `Some` for any value, `null` included (a `null` signatures field is malformed, not absent).
    fn present<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<Option<serde_json::Value>, D::Error> {
        <serde_json::Value as serde::Deserialize>::deserialize(d).map(Some)
    }
    match serde_json::from_slice::<Probe>(bytes) {
        Ok(p) if p.schema_version == Some(1.into()) && p.signatures.is_some() => {
            Ok(std::borrow::Cow::Owned(schema1_payload(bytes)?))
        }
        _ => Ok(std::borrow::Cow::Borrowed(bytes)),
    }
}

/// The JWS payload of a signed Docker schema 1 manifest (Docker "Image Manifest Version 2,
/// Schema 1", Signed manifests; libtrust's pretty JWS): the manifest's first `formatLength`
/// bytes followed by the base64url-decoded `formatTail`, both read from the `protected` header
/// of every signature (they must agree). Its sha256 is the manifest's digest.
///
/// Errors (Integrity, "malformed schema 1 signatures: …") when `signatures` is not a non-empty
/// list of objects whose `protected` is base64url of a JSON object with a `formatLength`
/// within the document and a base64url `formatTail`, or when the signatures disagree.
pub fn schema1_payload(bytes: &[u8]) -> Result<Vec<u8>> {
    use base64::Engine as _;
    let bad = |why: String| {
        Error::integrity(format!("malformed schema 1 signatures: {why}")).with_hint(
            "the manifest's JWS signatures are damaged; fetch it again from its registry",
        )
    };
    let b64 =
        |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s.trim_end_matches('='));
    let doc: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::integrity(format!("malformed schema 1 manifest: {e}")))?;
    let sigs = match doc.get("signatures") {
        Some(serde_json::Value::Array(a)) if !a.is_empty() => a,
        Some(serde_json::Value::Array(_)) => return Err(bad("the list is empty".into())),
        Some(other) => return Err(bad(format!("expected a list, got {other}"))),
        None => return Err(bad("there are none".into())),
    };
    let mut format: Option<(u64, Vec<u8>)> = None;
    for (i, sig) in sigs.iter().enumerate() {
        let protected = sig
            .get("protected")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| bad(format!("signature {i} has no \"protected\" header")))?;
        let header = b64(protected).map_err(|e| {
            bad(format!(
                "signature {i}: \"protected\" is not base64url: {e}"
            ))
        })?;
        let header: serde_json::Value = serde_json::from_slice(&header).map_err(|e| {
            bad(format!(
                "signature {i}: \"protected\" is not a JSON object: {e}"
            ))
        })?;
        let length = header
            .get("formatLength")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| bad(format!("signature {i}: no formatLength")))?;
        let tail = header
            .get("formatTail")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| bad(format!("signature {i}: no formatTail")))?;
        let tail = b64(tail)
            .map_err(|e| bad(format!("signature {i}: formatTail is not base64url: {e}")))?;
        if length > bytes.len() as u64 {
            return Err(bad(format!(
                "signature {i}: formatLength {length} is past the end of the {}-byte manifest",
                bytes.len()
            )));
        }
        match &format {
            Some(f) if *f != (length, tail.clone()) => {
                return Err(bad(format!(
                    "signature {i} covers another payload than signature 0"
                )));
            }
            Some(_) => {}
            None => format = Some((length, tail)),
        }
    }
    let (length, tail) = format.expect("at least one signature");
    let mut payload = bytes[..length as usize].to_vec();
    payload.extend_from_slice(&tail);
    Ok(payload)
}

/// What `inspect` shows of a Docker schema 1 manifest (deprecated; read-only in imgctl).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Schema1Summary {
    /// Repository name recorded in the manifest.
    pub name: String,
    /// Tag recorded in the manifest.
    pub tag: String,
    /// Architecture recorded in the manifest.
    pub architecture: String,
    /// Layer digests, base layer first (schema 1 lists them newest first).
    pub layers: Vec<String>,
    /// `created` of the newest history entry, when present.
    pub created: Option<String>,
    /// Whether the manifest carries JWS signatures.
    pub signed: bool,
}

/// Parses a Docker schema 1 manifest (signed or not) for display.
///
/// Errors (Integrity) on malformed JSON, a `schemaVersion` other than 1, or a malformed
/// `signatures` field ([`schema1_payload`]).
pub fn parse_schema1(bytes: &[u8]) -> Result<Schema1Summary> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct S1 {
        schema_version: u32,
        #[serde(default)]
        name: String,
        #[serde(default)]
        tag: String,
        #[serde(default)]
        architecture: String,
        #[serde(default)]
        fs_layers: Vec<FsLayer>,
        #[serde(default)]
        history: Vec<Hist>,
        signatures: Option<serde_json::Value>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct FsLayer {
        blob_sum: String,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Hist {
        v1_compatibility: String,
    }
    let m: S1 = serde_json::from_slice(bytes)
        .map_err(|e| Error::integrity(format!("malformed schema 1 manifest: {e}")))?;
    if m.schema_version != 1 {
        return Err(Error::integrity(format!(
            "not a schema 1 manifest (schemaVersion {})",
            m.schema_version
        )));
    }
    if m.signatures.is_some() || has_key(bytes, "signatures") {
        schema1_payload(bytes)?;
    }
    let created = m.history.first().and_then(|h| {
        serde_json::from_str::<serde_json::Value>(&h.v1_compatibility)
            .ok()?
            .get("created")?
            .as_str()
            .map(str::to_string)
    });
    Ok(Schema1Summary {
        name: m.name,
        tag: m.tag,
        architecture: m.architecture,
        layers: m.fs_layers.into_iter().rev().map(|l| l.blob_sum).collect(),
        created,
        signed: m.signatures.is_some(),
    })
}

/// Whether JSON object `bytes` has top-level key `key` (whatever its value, `null` included).
fn has_key(bytes: &[u8], key: &str) -> bool {
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes)
        .is_ok_and(|m| m.contains_key(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_schema1_digest_is_the_digest_of_its_payload() {
        let signed = crate::fixture("manifests/docker-schema1-signed-mitr-busybox.json");
        let want: Digest =
            "sha256:7364fea9d84ee548ab67d4c46c6006289800c98de3fbf8c0a97138dfcc23f000"
                .parse()
                .unwrap();
        assert_eq!(manifest_digest(&signed).unwrap(), want);
        assert_ne!(Digest::sha256_of(&signed), want);
        verify_manifest(&want, &signed).unwrap();
        assert!(verify_manifest(&Digest::sha256_of(&signed), &signed).is_err());
        // The payload is the manifest without its signatures: it ends where they began.
        let payload = schema1_payload(&signed).unwrap();
        assert!(payload.ends_with(b"\n}"));
        let v: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        assert!(v.get("signatures").is_none() && v["schemaVersion"] == 1);
        // Other manifests: the bytes themselves.
        let unsigned = crate::fixture("manifests/docker-schema1-unsigned-mitr-busybox.json");
        assert_eq!(
            manifest_digest(&unsigned).unwrap(),
            Digest::sha256_of(&unsigned)
        );
        let v2 = crate::fixture("manifests/docker-v2s2.json");
        assert_eq!(manifest_digest(&v2).unwrap(), Digest::sha256_of(&v2));
    }

    #[test]
    fn malformed_schema1_signatures_are_parse_errors() {
        let signed = crate::fixture("manifests/docker-schema1-signed-mitr-busybox.json");
        let doc: serde_json::Value = serde_json::from_slice(&signed).unwrap();
        let with = |sigs: serde_json::Value| {
            let mut d = doc.clone();
            d["signatures"] = sigs;
            serde_json::to_vec_pretty(&d).unwrap()
        };
        let sig = doc["signatures"][0].clone();
        let protected = |h: &str| {
            use base64::Engine as _;
            let mut s = sig.clone();
            s["protected"] = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(h)
                .into();
            s
        };
        for (bad, why) in [
            (serde_json::Value::Null, "expected a list"),
            (serde_json::json!("x"), "expected a list"),
            (serde_json::json!([]), "empty"),
            (serde_json::json!([{"header": {}}]), "no \"protected\""),
            (serde_json::json!([{"protected": "%%%"}]), "not base64url"),
            (serde_json::json!([protected("[1]")]), "no formatLength"),
            (
                serde_json::json!([protected("not json")]),
                "not a JSON object",
            ),
            (
                serde_json::json!([protected(r#"{"formatLength":10}"#)]),
                "no formatTail",
            ),
            (
                serde_json::json!([protected(r#"{"formatLength":99999999,"formatTail":"Cn0"}"#)]),
                "past the end",
            ),
            (
                serde_json::json!([sig, protected(r#"{"formatLength":10,"formatTail":"Cn0"}"#)]),
                "another payload",
            ),
        ] {
            let bytes = with(bad.clone());
            for e in [
                manifest_digest(&bytes).unwrap_err(),
                parse_schema1(&bytes).unwrap_err(),
            ] {
                assert_eq!(e.kind(), crate::error::ErrorKind::Integrity, "{bad}");
                let msg = e.to_string();
                assert!(
                    msg.contains("malformed schema 1 signatures") && msg.contains(why),
                    "{bad}: {msg}"
                );
            }
        }
    }
}
