//! `save REF… -o FILE` and `load -i FILE`: docker-like shortcuts between the local store and a
//! docker-archive.

use std::path::Path;

use imgctl::copy::{CopyOptions, Platforms, copy_image};
use imgctl::error::{Error, Result};
use imgctl::layout::Layout;
use imgctl::location::{BareMeans, Location};
use imgctl::manifest::{PlatformSpec, parse_platform_list};
use imgctl::reference::Reference;
use imgctl::transport::docker_archive::{
    DockerArchiveDestination, DockerArchiveSource, Select, list_images,
};
use imgctl::transport::layout::{LayoutDestination, LayoutSource};

use super::{FormatArg, GlobalOpts};

/// One platform for single-platform archives: `--platform` (one value) or the host's.
fn one_platform(platform: Option<&str>) -> Result<Platforms> {
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

fn print_result(g: &GlobalOpts, name: &str, digest: &str) {
    match g.format {
        FormatArg::Text => println!("{digest}"),
        FormatArg::Json => println!(
            "{}",
            serde_json::json!({"reference": name, "digest": digest})
        ),
    }
}

/// `imgctl save REF… -o FILE`: images of the store → one docker-archive.
pub async fn save(
    g: &GlobalOpts,
    references: &[String],
    output: &Path,
    platform: Option<&str>,
) -> Result<()> {
    let store = Layout::open_or_create(&g.store_dir()?)?;
    let dst =
        DockerArchiveDestination::deferred(output, format!("docker-archive:{}", output.display()))?;
    let opts = CopyOptions::new(one_platform(platform)?, g.jobs as usize);
    let reporter = g.reporter();
    for r in references {
        let reference = match Location::parse(r, BareMeans::Store)? {
            Location::Store(r) => r,
            other => {
                return Err(Error::usage(format!(
                    "save reads images of the local store; use copy for {other}"
                )));
            }
        };
        let name = reference.to_string();
        let src = LayoutSource::new(
            store.clone(),
            Some(name.clone()),
            format!("{name} (local store)"),
        );
        dst.set_reference(&reference);
        let report = copy_image(&src, &dst, &opts, &reporter)
            .await
            .map_err(|e| e.context(format!("cannot save {name}")))?;
        print_result(g, &name, &report.digest);
    }
    dst.finish().await
}

/// `imgctl load -i FILE`: every image of a docker-archive → the store, named by its
/// `RepoTags` (an image without names is stored unnamed; its digest is printed).
pub async fn load(g: &GlobalOpts, input: &Path, platform: Option<&str>) -> Result<()> {
    let store_dir = g.store_dir()?;
    let entries = {
        let p = input.to_path_buf();
        tokio::task::spawn_blocking(move || list_images(&p))
            .await
            .map_err(|e| Error::other(format!("archive reader failed: {e}")))??
    };
    let opts = CopyOptions::new(one_platform(platform)?, g.jobs as usize);
    let reporter = g.reporter();
    let label = format!("docker-archive:{}", input.display());
    // (selection, names to give it)
    let mut jobs: Vec<(Select, Vec<String>)> = Vec::new();
    if entries.is_empty() {
        jobs.push((Select::Only, Vec::new()));
    }
    for (i, e) in entries.iter().enumerate() {
        let names = e
            .repo_tags
            .clone()
            .unwrap_or_default()
            .iter()
            .map(|t| Reference::parse(t).map(|r| r.to_string()))
            .collect::<Result<Vec<_>>>()?;
        jobs.push((Select::Entry(i), names));
    }
    for (select, names) in jobs {
        let src = DockerArchiveSource::new(input, select, label.clone());
        let targets: Vec<Option<String>> = if names.is_empty() {
            vec![None]
        } else {
            names.into_iter().map(Some).collect()
        };
        for name in targets {
            let dst = LayoutDestination::new(
                Layout::open_or_create(&store_dir)?,
                name.clone(),
                format!("{} (local store)", name.as_deref().unwrap_or("untagged")),
            );
            let report = copy_image(&src, &dst, &opts, &reporter)
                .await
                .map_err(|e| e.context(format!("cannot load {label}")))?;
            if !g.quiet {
                eprintln!(
                    "Loaded image: {}",
                    name.as_deref().unwrap_or(&report.digest)
                );
            }
            print_result(g, name.as_deref().unwrap_or(""), &report.digest);
        }
    }
    Ok(())
}
