//! `build` (issue 14): runs a RUN-less Dockerfile without a daemon. The Dockerfile is parsed
//! and planned ([`crate::build`]), each base image is resolved to one platform's manifest and
//! config (from the local store when it holds the reference, else from its registry; base
//! layers are never read), each `COPY`/`ADD` becomes one gzip layer packed from the build
//! context ([`crate::layer::context`]), and the config is the base's with the plan applied
//! ([`crate::build::config::apply`]). The result is an [`EditedSource`] over the base's
//! unchanged blobs plus the new ones; the caller writes it with [`crate::copy::copy_image`], so
//! base layers are mounted or streamed registry → registry, skipped when present, and the
//! usual retries, progress and reports apply.
//!
//! Several platforms give one image per platform (a layer packed from the context is packed
//! once and reused by every platform) and an image index over them.

mod image;
mod layers;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};

use crate::build::dockerfile::{self, Dockerfile};
use crate::build::plan::{self, Base, BaseConfig, BuildPlan, CopyFrom, PlanOptions, StepOp};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::layer::context::Context;
use crate::layer::pack::PackOptions;
use crate::location::Location;
use crate::manifest::{Manifest, PlatformSpec, is_image_config, parse_platform_list};
use crate::ops::inspect::{for_platform, read_blob, resolve_bare};
use crate::progress::Reporter;
use crate::registry::Client;
use crate::transport::ImageSource;
use crate::transport::edited::EditedSource;
use crate::transport::open::open_source;

use image::{StageImage, finish};
use layers::{Layer, add_layer, copy_layer, workdir_layer};

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct BuildRequest {
    /// The Dockerfile's text.
    pub dockerfile: String,
    /// Its name in messages (`Dockerfile`, `app/Containerfile`, `-` for stdin).
    pub dockerfile_name: String,
    /// The build context directory (its `.dockerignore` applies).
    pub context: PathBuf,
    /// `--build-arg K=V`.
    pub build_args: BTreeMap<String, String>,
    /// `--label K=V`, set on the final image's config after the Dockerfile's.
    pub labels: Vec<(String, String)>,
    /// `--target STAGE`.
    pub target: Option<String>,
    /// `--platform` values (`os/arch[/variant]`); empty = the host's platform (linux/ARCH).
    pub platforms: Vec<String>,
    /// The local store's directory (base images found there are used from there).
    pub store_dir: PathBuf,
    /// Where packed layers and scratch files live until the result is written (it must
    /// outlive the returned [`Built`]).
    pub temp_dir: PathBuf,
}

/// One layer of the built image, for the result document.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BuiltLayer {
    /// The compressed blob's digest.
    pub digest: String,
    /// The compressed blob's size in bytes.
    pub size: u64,
    /// The history entry's `created_by` (the instruction for layers of this build).
    #[serde(rename = "createdBy")]
    pub created_by: String,
}

/// A finished build, not yet written anywhere.
pub struct Built {
    /// The image (or index over the platforms' images) as a source for the copy engine.
    pub source: EditedSource,
    /// The root manifest's digest.
    pub digest: Digest,
    /// The root manifest's media type.
    pub media_type: String,
    /// The platforms built (`os/arch[/variant]`), in the order asked.
    pub platforms: Vec<String>,
    /// The layers of the (first platform's) image, bottom first.
    pub layers: Vec<BuiltLayer>,
}

/// Base images resolved for one target platform, by reference as written and `FROM
/// --platform` as expanded (`None`: the target platform).
type Bases = HashMap<(String, Option<String>), StageImage>;

/// Resolves `reference` (a base or `COPY --from` image) for `platform`: the store's image when
/// the store holds that name, else the registry's; an index is narrowed to the platform's
/// child. Reads the manifests and the config only.
///
/// Errors: NotFound for an image that does not exist or an index without the platform;
/// Usage for an artifact or a reference that does not parse; the source's errors.
async fn resolve_base(
    reference: &str,
    platform: &str,
    explicit: bool,
    client: &Client,
    store_dir: &Path,
) -> Result<StageImage> {
    let (loc, _in_store) = resolve_bare(reference, Some(store_dir))?;
    if !matches!(loc, Location::Registry(_) | Location::Store(_)) {
        return Err(Error::usage(format!(
            "FROM {reference}: a base image is a registry reference (or a name in the local store)"
        )));
    }
    let src: Arc<dyn ImageSource> = Arc::from(open_source(&loc, client, store_dir)?);
    let root = src.root_manifest().await?;
    let (m, _) = for_platform(src.as_ref(), root, explicit.then_some(platform), true).await?;
    let Manifest::Image(image) = Manifest::parse(&m.bytes, &m.media_type)? else {
        return Err(Error::usage(format!(
            "{reference} names a nested index; name one of its images"
        )));
    };
    let config_type = image.config().media_type().to_string();
    if !is_image_config(&config_type) {
        return Err(Error::usage(format!(
            "{reference} is an artifact (config mediaType {config_type}), not a container image; \
             it cannot be a base image"
        )));
    }
    let config_bytes = read_blob(src.as_ref(), image.config()).await?;
    let config: Value = serde_json::from_slice(&config_bytes)
        .map_err(|e| Error::integrity(format!("config of {reference} is not JSON: {e}")))?;
    let manifest: Value = serde_json::from_slice(&m.bytes)
        .map_err(|e| Error::integrity(format!("manifest of {reference} is not JSON: {e}")))?;
    Ok(StageImage {
        inner: src,
        media_type: m.media_type.clone(),
        manifest,
        config,
        new_blobs: Vec::new(),
        known_dirs: None,
    })
}

/// What the planner needs of a config: Env, WorkingDir, Shell, OnBuild.
fn base_config(config: &Value) -> BaseConfig {
    let c = config.get("config").cloned().unwrap_or(Value::Null);
    let strings = |k: &str| -> Vec<String> {
        c.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    BaseConfig {
        env: strings("Env"),
        workdir: c
            .get("WorkingDir")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        shell: c
            .get("Shell")
            .and_then(Value::as_array)
            .map(|_| strings("Shell")),
        onbuild: strings("OnBuild"),
    }
}

/// The host's platform as `os/arch[/variant]`.
fn host_platform() -> String {
    PlatformSpec::host().to_string()
}

/// `FROM --platform=P` (as expanded) normalised to `os/arch[/variant]`; a Usage error naming
/// the Dockerfile line when P is not one platform.
fn from_platform(file: &str, line: usize, p: &str) -> Result<String> {
    match parse_platform_list(p) {
        Ok(l) if l.len() == 1 => Ok(l[0].to_string()),
        Ok(_) => Err(Error::usage(format!(
            "{file}:{line}: FROM --platform={p}: name one platform"
        ))),
        Err(e) => Err(e.context(format!("{file}:{line}: FROM --platform={p}"))),
    }
}

/// What can be refused before any base image is read, in the needed stages of `p`: a `FROM
/// --platform` that is not one platform, and the COPY/ADD sources that read the build context
/// and use no variable (so the base images' environments cannot change them) when outside
/// the context or missing.
fn check_local(df: &Dockerfile, p: &BuildPlan, context: &Context) -> Result<()> {
    for stage in p.stages.iter().filter(|s| s.needed) {
        if let Some(platform) = &stage.platform {
            from_platform(&df.file, stage.line, platform)?;
        }
        for step in &stage.steps {
            if let StepOp::Copy(copy) = &step.op
                && copy.from == CopyFrom::Context
                && copy.literal_sources
            {
                context
                    .check_sources(&copy.sources)
                    .map_err(|e| e.context(format!("{}:{}: {}", df.file, step.line, step.text)))?;
            }
        }
    }
    Ok(())
}

/// Checks `--platform` values and returns them normalised (`linux/amd64`); empty → the host.
fn platforms(req: &BuildRequest) -> Result<Vec<(String, bool)>> {
    if req.platforms.is_empty() {
        return Ok(vec![(host_platform(), false)]);
    }
    let mut out: Vec<(String, bool)> = Vec::new();
    for p in &req.platforms {
        for spec in parse_platform_list(p)? {
            let s = spec.to_string();
            if !out.iter().any(|(o, _)| *o == s) {
                out.push((s, true));
            }
        }
    }
    Ok(out)
}

/// Builds what `req` asks for; `reporter` gets one line per instruction. Nothing is written
/// outside `req.temp_dir`.
///
/// Errors: Usage (exit 2) for a Dockerfile that does not parse or plan (naming FILE:LINE and
/// the instruction: RUN, unknown stage or flag, bad substitution …), a COPY/ADD source outside
/// the context, an artifact base, a `FROM --platform` that is not one platform; NotFound
/// (exit 4) for a base image or platform that does not exist (`FROM --platform=P` over a base
/// without P names the platforms it has), a COPY source that is missing; the registry's and
/// the context's I/O errors. Refusals that need no base image (the plan's, and COPY sources
/// that use no variable) come before any registry request.
pub async fn build(req: &BuildRequest, client: &Client, reporter: &Reporter) -> Result<Built> {
    let df = dockerfile::parse(&req.dockerfile, &req.dockerfile_name)?;
    let context = Context::open(&req.context)?;
    let pack_opts = PackOptions::from_env()?;
    let created = humantime::format_rfc3339_seconds(match pack_opts.source_date_epoch {
        Some(s) => std::time::UNIX_EPOCH + std::time::Duration::from_secs(s),
        None => std::time::SystemTime::now(),
    })
    .to_string();
    let platforms = platforms(req)?;
    let mut cache: HashMap<String, Layer> = HashMap::new();
    let mut images: Vec<StageImage> = Vec::new();
    for (i, (platform, explicit)) in platforms.iter().enumerate() {
        let opts = PlanOptions {
            build_args: req.build_args.clone(),
            target: req.target.clone(),
            target_platform: platform.clone(),
            build_platform: host_platform(),
        };
        // RUN and other plan errors are found here, and the context's sources checked, before
        // any base is read.
        let pre = plan::pre_plan(&df, &opts)?;
        if i == 0 {
            check_local(&df, &pre, &context)?;
        }
        let mut bases: Bases = HashMap::new();
        for b in plan::base_images(&pre) {
            let (want, explicit) = match &b.platform {
                Some(p) => (from_platform(&df.file, b.line, p)?, true),
                None => (platform.clone(), *explicit),
            };
            let r = &b.reference;
            let image = resolve_base(r, &want, explicit, client, &req.store_dir)
                .await
                .map_err(|e| e.context(format!("base image {r}")))?;
            bases.insert((r.clone(), b.platform.clone()), image);
        }
        let p = plan::plan(&df, &opts, &|r, p| {
            bases
                .get(&(r.to_string(), p.map(String::from)))
                .map(|b| base_config(&b.config))
        })?;
        if i == 0 {
            for w in &p.unused_build_args {
                reporter.line(&format!(
                    "warning: build argument {w} was not consumed by any ARG"
                ));
            }
        }
        let image = run_plan(
            &df,
            &p,
            &bases,
            &context,
            req,
            &pack_opts,
            &created,
            platform,
            &mut cache,
            reporter,
            platforms.len() > 1,
        )
        .await?;
        images.push(image);
    }
    finish(images)
}

/// Runs the needed stages of `p` for one platform and returns the target stage's image.
#[allow(clippy::too_many_arguments)]
async fn run_plan(
    df: &Dockerfile,
    p: &BuildPlan,
    bases: &Bases,
    context: &Context,
    req: &BuildRequest,
    pack_opts: &PackOptions,
    created: &str,
    platform: &str,
    cache: &mut HashMap<String, Layer>,
    reporter: &Reporter,
    several: bool,
) -> Result<StageImage> {
    let total: usize = p
        .stages
        .iter()
        .filter(|s| s.needed)
        .map(|s| s.steps.len() + 1)
        .sum();
    let mut n = 0;
    let mut done: Vec<Option<StageImage>> = vec![None; p.stages.len()];
    let mut exported: HashMap<String, tempfile::TempDir> = HashMap::new();
    let tag = if several {
        format!("[{platform}] ")
    } else {
        String::new()
    };
    for (si, stage) in p.stages.iter().enumerate() {
        if !stage.needed {
            continue;
        }
        n += 1;
        let from = match &stage.base {
            Base::Scratch => "scratch".to_string(),
            Base::Image(r) => r.clone(),
            Base::Stage(j) => p.stages[*j].name.clone().unwrap_or_else(|| j.to_string()),
        };
        let as_name = stage
            .name
            .as_ref()
            .map(|n| format!(" AS {n}"))
            .unwrap_or_default();
        let flag = stage
            .platform
            .as_ref()
            .map(|p| format!("--platform={p} "))
            .unwrap_or_default();
        reporter.line(&format!(
            "{tag}STEP {n}/{total}: FROM {flag}{from}{as_name}"
        ));
        let mut image = match &stage.base {
            Base::Scratch => StageImage::scratch(&match &stage.platform {
                Some(p) => from_platform(&df.file, stage.line, p)?,
                None => platform.to_string(),
            }),
            Base::Image(r) => bases
                .get(&(r.clone(), stage.platform.clone()))
                .cloned()
                .ok_or_else(|| Error::not_found(format!("base image {r} was not resolved")))?,
            Base::Stage(j) => done[*j]
                .clone()
                .ok_or_else(|| Error::other(format!("stage {j} was not built")))?,
        };
        let base_config = image.config.clone();
        let mut diff_ids = Vec::new();
        let mut workdir_layers = BTreeSet::new();
        for (index, step) in stage.steps.iter().enumerate() {
            n += 1;
            reporter.line(&format!("{tag}STEP {n}/{total}: {}", step.text));
            if let StepOp::Workdir(dir) = &step.op {
                // Docker creates a missing WORKDIR in the image. Where every layer is this
                // build's the directory's absence is known and a layer makes it; over a base
                // image (whose files are never read) it is left to the runtime, which creates
                // the working directory when it starts the container, as docker, podman and
                // containerd do.
                let rel = dir.trim_start_matches('/').to_string();
                if let Some(known) = &image.known_dirs
                    && !rel.is_empty()
                    && !known.contains(&rel)
                {
                    let layer = workdir_layer(&rel, pack_opts, &req.temp_dir).await?;
                    add_layer(&mut image, &layer);
                    diff_ids.push(layer.diff_id.to_string());
                    workdir_layers.insert(index);
                }
                continue;
            }
            let StepOp::Copy(copy) = &step.op else {
                continue;
            };
            let at = |e: Error| e.context(format!("{}:{}: {}", df.file, step.line, step.text));
            let layer = copy_layer(
                copy,
                context,
                &done,
                p,
                bases,
                pack_opts,
                req,
                cache,
                &mut exported,
            )
            .await
            .map_err(at)?;
            add_layer(&mut image, &layer);
            diff_ids.push(layer.diff_id.to_string());
        }
        image.config = crate::build::config::apply_layers(
            &base_config,
            stage,
            &diff_ids,
            &workdir_layers,
            created,
        )?;
        done[si] = Some(image);
    }
    let mut image = done[p.target]
        .take()
        .ok_or_else(|| Error::other("the target stage was not built"))?;
    if !req.labels.is_empty() {
        let cfg = image
            .config
            .as_object_mut()
            .and_then(|c| c.get_mut("config"))
            .and_then(Value::as_object_mut);
        if let Some(cfg) = cfg {
            let labels = cfg.entry("Labels").or_insert_with(|| json!({}));
            if !labels.is_object() {
                *labels = json!({});
            }
            for (k, v) in &req.labels {
                labels[k] = json!(v);
            }
        }
    }
    Ok(image)
}
