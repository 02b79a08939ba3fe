//! `load`: what an archive file holds and the names its images get in the local store
//! (docker-archive `RepoTags`; OCI archive `io.containerd.image.name`, else a ref name that is
//! a full image reference), and the platform choice of the single-platform archive commands.

use std::path::Path;
use std::sync::Arc;

use oci_spec::image::Descriptor;

use crate::copy::{CopyOptions, CopyReport, Platforms, copy_image};
use crate::error::{Error, Result};
use crate::manifest::{PlatformSpec, parse_platform_list};
use crate::progress::Reporter;
use crate::reference::Reference;
use crate::store::{Layout, REF_NAME};
use crate::transport::ImageSource;
use crate::transport::docker_archive::{DockerArchiveSource, Select, read_entries};
use crate::transport::oci::LayoutDestination;
use crate::transport::oci_archive::{CONTAINERD_IMAGE_NAME, OciArchiveSource, TarLayout};
use crate::transport::tar::TarIndex;

/// The platform choice of `save` and `load` (a docker-archive holds one platform per image):
/// `--platform` with one value, or the host's.
///
/// Errors: Usage for a malformed platform or a list of several.
pub fn one_platform(platform: Option<&str>) -> Result<Platforms> {
    Ok(match platform {
        None => Platforms::One(PlatformSpec::host()),
        Some(p) => {
            let mut l = parse_platform_list(p)?;
            if l.len() != 1 {
                return Err(Error::usage(
                    "a docker-archive holds one platform per image: pass one --platform",
                ));
            }
            Platforms::One(l.remove(0))
        }
    })
}

/// Refuses a `load` input that is a directory, not an archive file (with a hint to copy from
/// it when it is an OCI image layout).
///
/// Errors: Usage.
pub fn check_input(input: &Path) -> Result<()> {
    if !input.is_dir() {
        return Ok(());
    }
    let shown = input.display();
    let e = Error::usage(format!(
        "{shown} is a directory, not an archive file: load reads a docker-archive or OCI archive (a tar file)"
    ));
    Err(if input.join("oci-layout").is_file() {
        e.with_hint(format!(
            "{shown} is an OCI image layout: load an image from it with imgctl copy oci:{shown}:TAG store:NAME"
        ))
    } else {
        e
    })
}

/// One image of an archive to load, and the store names to give it (none: untagged).
pub struct LoadJob {
    /// The image in the archive.
    pub source: Box<dyn ImageSource>,
    /// Full references to store it under, in the archive's order; empty for an untagged image.
    pub names: Vec<String>,
}

/// The images of archive file `input` (named `shown` in messages; `from_stdin` when it was
/// spooled from stdin): every image of a docker-archive, named by its `RepoTags`; else every
/// image of an OCI archive, named by [`oci_store_name`]. Reading runs on a blocking thread.
///
/// Errors: NotFound when missing; Integrity when it is not a (safe) tar archive or its
/// `RepoTags` are malformed; Usage for an OCI archive of several images of which some have no
/// ref name.
pub async fn plan(input: &Path, shown: &str, from_stdin: bool) -> Result<Vec<LoadJob>> {
    let (entries, oci_entries) = {
        let p = input.to_path_buf();
        let shown = shown.to_string();
        tokio::task::spawn_blocking(move || -> Result<_> {
            let tar = TarIndex::scan_as(&p, &shown)?;
            let entries = read_entries(&tar)?;
            let oci = if entries.is_empty() {
                TarLayout::new(Arc::new(tar))?.entries()?
            } else {
                Vec::new()
            };
            Ok((entries, oci))
        })
        .await
        .map_err(|e| Error::other(format!("archive reader failed: {e}")))??
    };
    let label = if from_stdin {
        "the docker-archive on stdin".to_string()
    } else {
        format!("docker-archive:{shown}")
    };
    let mut jobs: Vec<LoadJob> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let names = e
            .repo_tags
            .clone()
            .unwrap_or_default()
            .iter()
            .map(|t| Reference::parse(t).map(|r| r.to_string()))
            .collect::<Result<Vec<_>>>()?;
        let src = DockerArchiveSource::new(input, Select::Entry(i), label.clone()).shown_as(shown);
        jobs.push(LoadJob {
            source: Box::new(src),
            names,
        });
    }
    if !entries.is_empty() {
        return Ok(jobs);
    }
    let oci_label = if from_stdin {
        "the OCI archive on stdin".to_string()
    } else {
        format!("oci-archive:{shown}")
    };
    if oci_entries.len() <= 1 {
        let names = oci_entries
            .first()
            .map(oci_store_name)
            .into_iter()
            .flatten()
            .collect();
        let src = OciArchiveSource::new(input, None, oci_label.clone()).shown_as(shown);
        jobs.push(LoadJob {
            source: Box::new(src),
            names,
        });
        return Ok(jobs);
    }
    for d in &oci_entries {
        let Some(tag) = d
            .annotations()
            .as_ref()
            .and_then(|a| a.get(REF_NAME))
            .cloned()
        else {
            return Err(Error::usage(format!(
                "{oci_label} holds {} images and some have no ref name; copy them one by one",
                oci_entries.len()
            )));
        };
        let src = OciArchiveSource::new(input, Some(tag), oci_label.clone()).shown_as(shown);
        jobs.push(LoadJob {
            source: Box::new(src),
            names: oci_store_name(d).into_iter().collect(),
        });
    }
    Ok(jobs)
}

/// Copies `src` into the store at `store_dir` under `name` (untagged when None).
///
/// Errors: the copy's, with `cannot load SRC` as context.
pub async fn load_image(
    src: &dyn ImageSource,
    store_dir: &Path,
    name: Option<&str>,
    opts: &CopyOptions,
    reporter: &Reporter,
) -> Result<CopyReport> {
    let dst = LayoutDestination::new(
        Layout::open_or_create(store_dir)?,
        name.map(str::to_string),
        format!("{} (local store)", name.unwrap_or("untagged")),
    );
    copy_image(src, &dst, opts, reporter)
        .await
        .map_err(|e| e.context(format!("cannot load {}", src.describe())))
}

/// The store name of an OCI-archive entry: its `io.containerd.image.name`, else its
/// `org.opencontainers.image.ref.name` — when it is a valid image reference (a bare tag like
/// `1` is not; such an image is loaded untagged). Names are normalised
/// (`alpine:3` → `docker.io/library/alpine:3`).
pub fn oci_store_name(d: &Descriptor) -> Option<String> {
    let a = d.annotations().as_ref()?;
    let containerd = a.get(CONTAINERD_IMAGE_NAME);
    // A ref name without `/`, `:` or `@` is a bare tag (`1`, `latest`), not an image name.
    let ref_name = a.get(REF_NAME).filter(|n| n.contains(['/', ':', '@']));
    [containerd, ref_name]
        .into_iter()
        .flatten()
        .find_map(|n| Reference::parse(n).ok())
        .map(|r| r.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(annotations: serde_json::Value) -> Descriptor {
        serde_json::from_value(serde_json::json!({
            "mediaType": crate::manifest::OCI_MANIFEST,
            "digest": format!("sha256:{:064x}", 1),
            "size": 1,
            "annotations": annotations,
        }))
        .unwrap()
    }

    #[test]
    fn oci_archive_names_are_full_references_only() {
        let name = |a| oci_store_name(&entry(a));
        assert_eq!(name(serde_json::json!({REF_NAME: "1"})), None, "a bare tag");
        assert_eq!(
            name(serde_json::json!({REF_NAME: "alpine:3"})).as_deref(),
            Some("docker.io/library/alpine:3")
        );
        assert_eq!(
            name(
                serde_json::json!({REF_NAME: "alpine:3", CONTAINERD_IMAGE_NAME: "ghcr.io/o/app:v1"})
            )
            .as_deref(),
            Some("ghcr.io/o/app:v1"),
            "containerd's name first"
        );
        assert_eq!(
            name(serde_json::json!({CONTAINERD_IMAGE_NAME: "Not A Reference", REF_NAME: "a/b:c"}))
                .as_deref(),
            Some("docker.io/a/b:c"),
            "an invalid name is passed over"
        );
        assert_eq!(name(serde_json::json!({})), None);
    }

    #[test]
    fn one_platform_per_archive_image() {
        assert_eq!(
            one_platform(None).unwrap(),
            Platforms::One(PlatformSpec::host())
        );
        let Platforms::One(p) = one_platform(Some("linux/arm/v7")).unwrap() else {
            panic!("one platform")
        };
        assert_eq!(p.to_string(), "linux/arm/v7");
        let e = one_platform(Some("linux/amd64,linux/arm64")).unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::Usage);
    }

    #[test]
    fn a_directory_is_not_an_archive() {
        let dir = tempfile::tempdir().unwrap();
        let e = check_input(dir.path()).unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::Usage);
        assert!(
            e.to_string()
                .contains("is a directory, not an archive file"),
            "{e}"
        );
        std::fs::write(
            dir.path().join("oci-layout"),
            br#"{"imageLayoutVersion":"1.0.0"}"#,
        )
        .unwrap();
        let e = check_input(dir.path()).unwrap_err();
        let hint = e.hint_text().unwrap_or_default();
        assert!(hint.contains("is an OCI image layout"), "{hint}");
        assert!(check_input(&dir.path().join("oci-layout")).is_ok());
    }
}
