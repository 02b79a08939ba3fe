//! Picking and filtering the entries of an index: platform selection, attestations, index
//! filtering.

use oci_spec::image::{Descriptor, ImageIndex};

use crate::error::{Error, Result};

use super::{PlatformSpec, platform_string};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::*;

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
}
