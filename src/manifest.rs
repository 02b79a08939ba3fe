//! Manifest and image-index handling (OCI image spec `manifest.md`, `image-index.md`; Docker
//! image manifest v2 schema 2 and manifest list): media types, parsing with oci-spec types,
//! platform matching.

use std::fmt;
use std::str::FromStr;

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};

use crate::digest::Digest;
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

/// A parsed manifest or index. The bytes stay the source of truth; this is for walking.
#[derive(Debug, Clone)]
pub enum Manifest {
    /// An image manifest (OCI or Docker schema 2): config + layers.
    Image(Box<ImageManifest>),
    /// An image index (OCI index or Docker manifest list).
    Index(Box<ImageIndex>),
}

impl Manifest {
    /// Parses `bytes` of `media_type` (as given by [`detect_media_type`]).
    ///
    /// Errors (Integrity) on malformed JSON or a schema this client cannot copy (Docker schema 1).
    pub fn parse(bytes: &[u8], media_type: &str) -> Result<Manifest> {
        match media_type {
            OCI_INDEX | DOCKER_LIST => {
                let index = parse_index(bytes)
                    .map_err(|e| Error::integrity(format!("malformed image index: {e}")))?;
                Ok(Manifest::Index(Box::new(index)))
            }
            DOCKER_SCHEMA1 | DOCKER_SCHEMA1_SIGNED => Err(Error::integrity(
                "Docker schema 1 manifests are deprecated and cannot be copied",
            )
            .with_hint("ask the image's publisher for a schema 2 or OCI image")),
            _ => {
                let m: ImageManifest = serde_json::from_slice(bytes)
                    .map_err(|e| Error::integrity(format!("malformed image manifest: {e}")))?;
                if m.schema_version() != 2 {
                    return Err(Error::integrity(format!(
                        "unsupported manifest schemaVersion {}",
                        m.schema_version()
                    )));
                }
                Ok(Manifest::Image(Box::new(m)))
            }
        }
    }

    /// The descriptors this document references directly: config then layers (oldest first)
    /// for an image, child manifests for an index.
    pub fn references(&self) -> Vec<&Descriptor> {
        match self {
            Manifest::Image(m) => std::iter::once(m.config())
                .chain(m.layers().iter())
                .collect(),
            Manifest::Index(i) => i.manifests().iter().collect(),
        }
    }
}

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

/// A platform `os/arch[/variant]` as given to `--platform`, plus an optional `os.version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformSpec {
    /// GOOS value, e.g. `linux`.
    pub os: String,
    /// GOARCH value, e.g. `arm64`.
    pub architecture: String,
    /// CPU variant, e.g. `v7`.
    pub variant: Option<String>,
    /// Windows `os.version` (`major.minor.build[.revision]`, e.g. `10.0.17763.1234`): an entry
    /// matches when its `os.version` has the same major.minor.build (`10.0.17763.x`; a shorter
    /// value matches the entries that continue it with `.`). Among the matches the exact
    /// value is preferred, then the highest revision (see [`PlatformSpec::rank`]). None
    /// matches any version.
    pub os_version: Option<String>,
    /// Whether the user named this platform (`--platform`, a sync configuration): a
    /// single-platform image built for another platform is then refused instead of copied.
    /// False for [`PlatformSpec::host`], the default.
    pub explicit: bool,
}

impl PlatformSpec {
    /// The platform images are pulled for by default: `linux` (as docker does on every host)
    /// with the host's CPU architecture.
    pub fn host() -> PlatformSpec {
        let (architecture, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", None),
            "aarch64" => ("arm64", None),
            "arm" => ("arm", Some("v7")),
            "x86" => ("386", None),
            "powerpc64" => ("ppc64le", None),
            "s390x" => ("s390x", None),
            "riscv64" => ("riscv64", None),
            other => (other, None),
        };
        PlatformSpec {
            os: "linux".into(),
            architecture: architecture.into(),
            variant: variant.map(Into::into),
            os_version: None,
            explicit: false,
        }
    }

    /// Variants acceptable for this spec, best first (`arm/v7` accepts v7, v6, v5; `arm`
    /// without a variant means v7, as docker assumes; `arm64` without a variant means v8).
    fn acceptable_variants(&self) -> Vec<Option<String>> {
        let arm = ["v8", "v7", "v6", "v5"];
        let want = self
            .variant
            .clone()
            .or_else(|| match self.architecture.as_str() {
                "arm64" => Some("v8".into()),
                "arm" => Some("v7".into()),
                _ => None,
            });
        match (self.architecture.as_str(), want.as_deref()) {
            ("arm", Some(v)) | ("arm64", Some(v)) => {
                let start = arm.iter().position(|a| *a == v);
                let mut out: Vec<Option<String>> = match start {
                    Some(i) => arm[i..].iter().map(|s| Some(s.to_string())).collect(),
                    None => vec![Some(v.to_string())],
                };
                if self.architecture == "arm64" {
                    out.truncate(1); // arm64 variants are not interchangeable downwards
                }
                out.push(None);
                out
            }
            (_, Some(v)) => vec![Some(v.to_string()), None],
            (_, None) => vec![None],
        }
    }

    /// Whether a descriptor's platform satisfies this spec: `None` when it does not, else its
    /// rank, lower is better: `(variant preference, os.version preference)`, compared in that
    /// order. The variant part is 0 for the variant asked for (or none when none was asked),
    /// then the acceptable fallbacks in order (`arm/v7` → v6 → v5). The `os.version` part
    /// ([`os_version_rank`]) is 0 for the exact `os.version` asked for (or when none was asked),
    /// then the other revisions of the same build, the highest first, so that
    /// `windows(10.0.17763.1234)/amd64` picks `10.0.17763.1234` when the index has it and
    /// `10.0.17763.2000` over `10.0.17763.1040` otherwise.
    pub fn rank(&self, p: &oci_spec::image::Platform) -> Option<(usize, u64)> {
        if p.os().to_string() != self.os || p.architecture().to_string() != self.architecture {
            return None;
        }
        let version = match &self.os_version {
            Some(want) => os_version_rank(want, p.os_version().as_deref().unwrap_or(""))?,
            None => 0,
        };
        let candidates = self.acceptable_variants();
        let have = p.variant().clone().filter(|v| !v.is_empty());
        if self.variant.is_none() && !(self.architecture == "arm64" || self.architecture == "arm") {
            // No variant asked: any variant does; prefer none.
            return Some((if have.is_none() { 0 } else { 1 }, version));
        }
        candidates
            .iter()
            .position(|c| *c == have)
            .map(|v| (v, version))
    }
}

/// How well an entry's Windows `os.version` `have` fits the `os.version` `want` asked for
/// (`major.minor.build[.revision]`, as containerd and docker match Windows images): `None` when
/// it does not, else a rank, lower is better. With a revision (`10.0.17763.1234`), every entry
/// of the same major.minor.build matches (`10.0.17763.x`); without one (`10.0.17763`), the
/// entries that equal it or continue it with `.`. Rank 0 is `have == want`; the others rank
/// by revision, the highest first (an entry without a numeric revision last).
pub fn os_version_rank(want: &str, have: &str) -> Option<u64> {
    let want_parts: Vec<&str> = want.split('.').collect();
    let matches = if want_parts.len() >= 4 {
        let have_parts: Vec<&str> = have.split('.').collect();
        have_parts.len() >= 3 && have_parts[..3] == want_parts[..3]
    } else {
        have == want || have.starts_with(&format!("{want}."))
    };
    if !matches {
        return None;
    }
    if have == want {
        return Some(0);
    }
    let revision = have
        .split('.')
        .nth(3)
        .and_then(|r| r.parse::<u32>().ok())
        .map_or(0, |r| u64::from(r) + 1);
    Some(1 + (u64::from(u32::MAX) + 1 - revision))
}

impl FromStr for PlatformSpec {
    type Err = Error;
    /// Parses `os[(os.version)]/arch[/variant]` (containerd's syntax, e.g. `linux/arm/v7`,
    /// `windows(10.0.17763)/amd64`). Errors (Usage) otherwise.
    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::usage(format!(
                "invalid platform {s:?}: expected OS/ARCH[/VARIANT], e.g. linux/arm64 or windows(10.0.17763)/amd64"
            ))
        };
        let parts: Vec<&str> = s.trim().split('/').collect();
        if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty()) {
            return Err(bad());
        }
        let (os, os_version) = match parts[0].split_once('(') {
            Some((os, rest)) => {
                let v = rest
                    .strip_suffix(')')
                    .filter(|v| !v.is_empty())
                    .ok_or_else(bad)?;
                (os, Some(v.to_string()))
            }
            None => (parts[0], None),
        };
        if os.is_empty() {
            return Err(bad());
        }
        Ok(PlatformSpec {
            os: os.to_ascii_lowercase(),
            architecture: parts[1].to_ascii_lowercase(),
            variant: parts.get(2).map(|v| v.to_ascii_lowercase()),
            os_version,
            explicit: true,
        })
    }
}

impl fmt::Display for PlatformSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.os)?;
        if let Some(v) = &self.os_version {
            write!(f, "({v})")?;
        }
        write!(f, "/{}", self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// True for the media types of an image configuration (OCI `config.v1`, Docker
/// `container.image.v1`), as opposed to an artifact's config.
pub fn is_image_config(media_type: &str) -> bool {
    media_type == "application/vnd.oci.image.config.v1+json"
        || media_type == "application/vnd.docker.container.image.v1+json"
}

/// The platform an image configuration (`bytes` of its config blob, image spec `config.md`)
/// was built for: `os`, `architecture`, `variant` and `os.version`. `None` when the config is
/// not JSON or names no `os` or no `architecture` (artifacts, empty configs).
pub fn platform_of_config(bytes: &[u8]) -> Option<oci_spec::image::Platform> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let field = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let mut p = serde_json::json!({"os": field("os")?, "architecture": field("architecture")?});
    if let Some(variant) = field("variant") {
        p["variant"] = variant.into();
    }
    if let Some(version) = field("os.version") {
        p["os_version"] = version.into();
    }
    serde_json::from_value(p).ok()
}

/// Formats a descriptor's platform as `os/arch[/variant]`, or `None` without one.
pub fn platform_string(p: &oci_spec::image::Platform) -> String {
    let mut s = format!("{}/{}", p.os(), p.architecture());
    if let Some(v) = p.variant().as_ref().filter(|v| !v.is_empty()) {
        s.push('/');
        s.push_str(v);
    }
    s
}

/// Annotation buildkit puts on attestation manifests (`attestation-manifest`) and builder
/// references in an index; such entries are never runnable images.
pub const DOCKER_REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// Annotation naming the image an attestation manifest describes.
pub const DOCKER_REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";

/// Whether an index entry is a runnable image for platform selection: it has a platform, is
/// not `unknown/unknown` (attestations, builder references), carries no `artifactType` and
/// no `vnd.docker.reference.type` annotation.
pub fn is_runnable_entry(d: &Descriptor) -> bool {
    let Some(p) = d.platform().as_ref() else {
        return false;
    };
    if p.os().to_string() == "unknown" || p.architecture().to_string() == "unknown" {
        return false;
    }
    if d.artifact_type().is_some() {
        return false;
    }
    !d.annotations()
        .as_ref()
        .is_some_and(|a| a.contains_key(DOCKER_REFERENCE_TYPE))
}

/// Picks the child of `index` that best matches `want` (the first of equally good ones).
/// Entries that are not runnable images ([`is_runnable_entry`]: attestations, `unknown/unknown`,
/// artifacts) never match.
pub fn select_platform<'a>(index: &'a ImageIndex, want: &PlatformSpec) -> Option<&'a Descriptor> {
    index
        .manifests()
        .iter()
        .filter(|d| is_runnable_entry(d))
        .filter_map(|d| {
            d.platform()
                .as_ref()
                .and_then(|p| want.rank(p))
                .map(|r| (r, d))
        })
        .min_by_key(|(r, _)| *r)
        .map(|(_, d)| d)
}

/// Parses a `--platform` value: one platform or a comma-separated list (`linux/amd64,linux/arm64`).
/// Errors (Usage) on an empty list or a malformed platform.
pub fn parse_platform_list(s: &str) -> Result<Vec<PlatformSpec>> {
    let list = s
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(str::parse)
        .collect::<Result<Vec<PlatformSpec>>>()?;
    if list.is_empty() {
        return Err(Error::usage("--platform needs at least one OS/ARCH"));
    }
    Ok(list)
}

/// The entries of `index` to keep for `wants`: for each platform, the best match (in index
/// order, deduplicated), plus the attestation manifests that describe a kept image.
///
/// Errors: NotFound naming the first platform with no match and listing those available.
pub fn filter_entries<'a>(
    index: &'a ImageIndex,
    wants: &[PlatformSpec],
) -> Result<Vec<&'a Descriptor>> {
    let mut keep: Vec<String> = Vec::new();
    for w in wants {
        let d = select_platform(index, w).ok_or_else(|| {
            Error::not_found(format!(
                "no image for platform {w} (available: {})",
                available_platforms(index).join(", ")
            ))
        })?;
        let digest = d.digest().to_string();
        if !keep.contains(&digest) {
            keep.push(digest);
        }
    }
    Ok(index
        .manifests()
        .iter()
        .filter(|d| {
            let digest = d.digest().to_string();
            keep.contains(&digest)
                || (!is_runnable_entry(d)
                    && d.annotations().as_ref().is_some_and(|a| {
                        a.get(DOCKER_REFERENCE_DIGEST)
                            .is_some_and(|r| keep.contains(r))
                    }))
        })
        .collect())
}

/// The platforms of the runnable entries of `index`, as `os/arch[/variant]`.
pub fn available_platforms(index: &ImageIndex) -> Vec<String> {
    index
        .manifests()
        .iter()
        .filter(|d| is_runnable_entry(d))
        .filter_map(|d| d.platform().as_ref().map(platform_string))
        .collect()
}

/// Whether an index entry describes something other than an image while still naming a
/// platform: buildkit's attestation manifests (`unknown/unknown`, `vnd.docker.reference.type`),
/// builder references and artifacts. Such entries are shown labelled "attestation" and are
/// never picked by [`select_platform`]; an entry without a platform is not one.
pub fn is_attestation_entry(d: &Descriptor) -> bool {
    d.platform().is_some() && !is_runnable_entry(d)
}

/// Platform selection for every front end (copy, inspect/digest, sync): the image of `index`
/// best matching `want` ([`select_platform`]; attestations and `unknown/unknown` never match).
/// `what` names the index in the error (a location, `docker://…`).
///
/// Errors: NotFound `"{what} has no image for platform {want} (available: …)"`, listing the
/// platforms of the runnable entries only ([`available_platforms`]).
pub fn image_for_platform<'a>(
    index: &'a ImageIndex,
    want: &PlatformSpec,
    what: &str,
) -> Result<&'a Descriptor> {
    select_platform(index, want).ok_or_else(|| {
        Error::not_found(format!(
            "{what} has no image for platform {want} (available: {})",
            available_platforms(index).join(", ")
        ))
    })
}

/// A copy of index document `bytes` whose `manifests` keep only the entries whose digest is
/// in `keep` (in their original order, each entry's JSON untouched); every other field is
/// kept. The result is a new document with a new digest.
///
/// Errors (Integrity) when `bytes` is not a JSON object with a `manifests` array.
pub fn filter_index_bytes(bytes: &[u8], keep: &[String]) -> Result<Vec<u8>> {
    let mut v: serde_json::Value = serde_json::from_slice(bytes)?;
    let list = v
        .get_mut("manifests")
        .and_then(|m| m.as_array_mut())
        .ok_or_else(|| Error::integrity("image index has no manifests array"))?;
    list.retain(|e| {
        e.get("digest")
            .and_then(|d| d.as_str())
            .is_some_and(|d| keep.iter().any(|k| k == d))
    });
    Ok(serde_json::to_vec(&v)?)
}

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

    fn index(name: &str) -> ImageIndex {
        let bytes = crate::fixture(&format!("manifests/{name}"));
        let mt = detect_media_type(&bytes, None).unwrap();
        match Manifest::parse(&bytes, &mt).unwrap() {
            Manifest::Index(i) => *i,
            _ => panic!("not an index"),
        }
    }

    #[test]
    fn platform_selection_on_real_lists() {
        let i = index("docker-manifest-list-arm-variants.json");
        let pick =
            |p: &str| select_platform(&i, &p.parse().unwrap()).map(|d| d.digest().to_string());
        assert_eq!(
            pick("linux/amd64").unwrap(),
            "sha256:030fcb92e1487b18c974784dcc110a93147c9fc402188370fbfd17efabffc6af"
        );
        assert_eq!(
            pick("linux/arm/v7").unwrap(),
            "sha256:b5dbad4bdb4444d919294afe49a095c23e86782f98cdf0aa286198ddb814b50b"
        );
        assert_eq!(
            pick("linux/arm64").unwrap(),
            "sha256:dc472a59fb006797aa2a6bfb54cc9c57959bb0a6d11fadaa608df8c16dea39cf"
        );
        assert_eq!(pick("linux/mips"), None);
        // `arm` without a variant is arm/v7 (docker's default), then v6, v5: v6 here
        assert_eq!(
            pick("linux/arm").unwrap(),
            "sha256:b5dbad4bdb4444d919294afe49a095c23e86782f98cdf0aa286198ddb814b50b"
        );
        assert_eq!(
            pick("linux/arm/v5").unwrap(),
            "sha256:9142d97ef280a7953cf1a85716de49a24cc1dd62776352afad67e635331ff77a"
        );
    }

    #[test]
    fn attestations_are_never_images_and_are_labelled_as_attestations() {
        let i = index("buildkit-attestation-index.json");
        let attestations: Vec<&Descriptor> = i
            .manifests()
            .iter()
            .filter(|d| is_attestation_entry(d))
            .collect();
        assert!(!attestations.is_empty(), "the fixture holds attestations");
        for d in &attestations {
            let p = d.platform().as_ref().unwrap();
            assert_eq!(platform_string(p), "unknown/unknown");
            assert!(!is_runnable_entry(d));
        }
        // `unknown/unknown` asked for explicitly still finds no image, and the error offers
        // only the real platforms.
        let err = image_for_platform(&i, &"unknown/unknown".parse().unwrap(), "docker://x/y:1")
            .unwrap_err();
        assert_eq!(err.kind(), crate::error::ErrorKind::NotFound);
        let msg = err.to_string();
        assert!(
            msg.starts_with(
                "docker://x/y:1 has no image for platform unknown/unknown (available: "
            ),
            "{msg}"
        );
        assert!(
            !msg.contains("available: unknown") && !msg.contains(", unknown"),
            "{msg}"
        );
        assert_eq!(
            available_platforms(&i),
            i.manifests()
                .iter()
                .filter(|d| !is_attestation_entry(d))
                .filter_map(|d| d.platform().as_ref().map(platform_string))
                .collect::<Vec<_>>()
        );
        // The image itself is picked, and it is the one select_platform picks.
        let amd = image_for_platform(&i, &"linux/amd64".parse().unwrap(), "x").unwrap();
        assert_eq!(
            amd.digest().to_string(),
            "sha256:23678f31b3b3586c4fb318aecfe64a96a1f0916ba8faf9b2be2abee63fa9e827"
        );
        assert!(!is_attestation_entry(amd));
        // Builder references (regclient's buildx fixture) are labelled the same way.
        let b = index("regclient-index-buildx-builder-refs.json");
        assert!(b.manifests().iter().any(is_attestation_entry));
        let err = image_for_platform(&b, &"linux/s390x".parse().unwrap(), "b").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "b has no image for platform linux/s390x (available: {})",
                available_platforms(&b).join(", ")
            )
        );
        assert!(!err.to_string().contains("unknown"), "{err}");
    }

    #[test]
    fn arm_without_variant_prefers_v7_then_v6_then_v5() {
        let spec: PlatformSpec = "linux/arm".parse().unwrap();
        assert!(spec.explicit);
        assert!(!PlatformSpec::host().explicit);
        let rank = |variant: Option<&str>| {
            let mut p = serde_json::json!({"os": "linux", "architecture": "arm"});
            if let Some(v) = variant {
                p["variant"] = v.into();
            }
            spec.rank(&serde_json::from_value(p).unwrap())
        };
        assert!(rank(Some("v7")) < rank(Some("v6")));
        assert!(rank(Some("v6")) < rank(Some("v5")));
        assert!(rank(Some("v5")).is_some() && rank(None).is_some());
        assert_eq!(rank(Some("v8")), None);
    }

    #[test]
    fn windows_os_version_ranks_the_exact_revision_then_the_highest() {
        assert_eq!(
            os_version_rank("10.0.17763.1234", "10.0.17763.1234"),
            Some(0)
        );
        let r = |have| os_version_rank("10.0.17763.1234", have);
        assert!(r("10.0.17763.2000") < r("10.0.17763.1040"));
        assert!(r("10.0.17763.1040") < r("10.0.17763.999"));
        assert!(r("10.0.17763.0") < r("10.0.17763"));
        assert!(r("10.0.17763.1234") < r("10.0.17763.4294967295"));
        assert_eq!(r("10.0.17764.1234"), None);
        assert_eq!(r("10.0"), None);
        assert_eq!(r(""), None);
        // Without a revision: the entries continuing it, the highest revision first.
        let b = |have| os_version_rank("10.0.17763", have);
        assert_eq!(b("10.0.17763"), Some(0));
        assert!(b("10.0.17763.2000") < b("10.0.17763.1040"));
        assert_eq!(b("10.0.177631"), None);
    }

    #[test]
    fn platform_of_image_configs() {
        let p = platform_of_config(
            br#"{"architecture":"arm","os":"linux","variant":"v7","rootfs":{"type":"layers"}}"#,
        )
        .unwrap();
        assert_eq!(platform_string(&p), "linux/arm/v7");
        let p = platform_of_config(
            br#"{"architecture":"amd64","os":"windows","os.version":"10.0.17763.1040"}"#,
        )
        .unwrap();
        assert_eq!(p.os_version().as_deref(), Some("10.0.17763.1040"));
        assert!(
            "windows(10.0.17763)/amd64"
                .parse::<PlatformSpec>()
                .unwrap()
                .rank(&p)
                .is_some()
        );
        assert!(platform_of_config(b"{}").is_none());
        assert!(platform_of_config(br#"{"os":"linux","architecture":""}"#).is_none());
        assert!(platform_of_config(b"not json").is_none());
    }

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
