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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use oci_spec::image::Descriptor;
use serde_json::{Map, Value, json};

use crate::blob::{BlobStream, FetchedManifest};
use crate::build::dockerfile::{self, Dockerfile};
use crate::build::plan::{
    self, Base, BaseConfig, BuildPlan, CopyFrom, CopyStep, PlanOptions, StepOp,
};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::layer::context::{Context, CopySpec, plan_copy};
use crate::layer::pack::{Owner, PackOptions};
use crate::location::Location;
use crate::manifest::{
    DOCKER_MANIFEST, Manifest, PlatformSpec, is_image_config, parse_platform_list,
};
use crate::ops::inspect::{for_platform, read_blob, resolve_bare};
use crate::progress::Reporter;
use crate::registry::Client;
use crate::transport::ImageSource;
use crate::transport::edited::{EditedSource, NewBlob};
use crate::transport::open::open_source;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

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

/// An image source that holds nothing: what `FROM scratch` images are served over.
struct Nothing;

#[async_trait]
impl ImageSource for Nothing {
    fn describe(&self) -> String {
        "scratch".into()
    }
    async fn root_manifest(&self) -> Result<FetchedManifest> {
        Err(Error::not_found("scratch has no manifest"))
    }
    async fn manifest(&self, d: &Digest) -> Result<FetchedManifest> {
        Err(Error::not_found(format!("scratch has no manifest {d}")))
    }
    async fn blob(&self, d: &Descriptor, _offset: u64) -> Result<BlobStream> {
        Err(Error::not_found(format!(
            "scratch has no blob {}",
            d.digest()
        )))
    }
}

/// The blobs of several platform images built over different bases (`FROM base:${TARGETARCH}`):
/// each blob is read from the base source of the image that names it.
struct Union {
    sources: Vec<Arc<dyn ImageSource>>,
    owner: HashMap<String, usize>,
}

#[async_trait]
impl ImageSource for Union {
    fn describe(&self) -> String {
        self.sources[0].describe()
    }
    async fn root_manifest(&self) -> Result<FetchedManifest> {
        self.sources[0].root_manifest().await
    }
    async fn manifest(&self, d: &Digest) -> Result<FetchedManifest> {
        self.sources[0].manifest(d).await
    }
    async fn blob(&self, d: &Descriptor, offset: u64) -> Result<BlobStream> {
        let i = self
            .owner
            .get(&d.digest().to_string())
            .copied()
            .unwrap_or(0);
        self.sources[i].blob(d, offset).await
    }
    fn mount_origin(&self) -> Option<crate::transport::MountOrigin> {
        self.sources[0].mount_origin()
    }
    async fn check_blob(&self, d: &Descriptor) -> Option<Error> {
        let i = self
            .owner
            .get(&d.digest().to_string())
            .copied()
            .unwrap_or(0);
        self.sources[i].check_blob(d).await
    }
}

/// A stage's image as it is being built: documents as JSON (fields oci-spec does not model
/// survive), the source of its inherited blobs, and the blobs this build made.
#[derive(Clone)]
struct StageImage {
    inner: Arc<dyn ImageSource>,
    media_type: String,
    manifest: Value,
    config: Value,
    new_blobs: Vec<(Digest, NewBlob)>,
    /// The directories of its root filesystem when every layer is this build's (a stage from
    /// `scratch`), relative without a leading `/`; `None` over a base image, whose files are
    /// not read.
    known_dirs: Option<BTreeSet<String>>,
}

impl StageImage {
    /// The empty image `FROM scratch` starts from, for `platform` (`os/arch[/variant]`).
    fn scratch(platform: &str) -> StageImage {
        let mut parts = platform.split('/');
        let os = parts.next().unwrap_or("linux").to_string();
        let arch = parts.next().unwrap_or_default().to_string();
        let mut config = json!({
            "architecture": arch, "os": os,
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": []},
        });
        if let Some(v) = parts.next() {
            config["variant"] = json!(v);
        }
        StageImage {
            inner: Arc::new(Nothing),
            media_type: OCI_MANIFEST.into(),
            manifest: json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "layers": []}),
            config,
            new_blobs: Vec::new(),
            known_dirs: Some(BTreeSet::new()),
        }
    }

    fn is_docker(&self) -> bool {
        self.media_type == DOCKER_MANIFEST
    }

    fn layer_media_type(&self) -> &'static str {
        if self.is_docker() {
            "application/vnd.docker.image.rootfs.diff.tar.gzip"
        } else {
            "application/vnd.oci.image.layer.v1.tar+gzip"
        }
    }

    /// The `os/arch[/variant]` its config names.
    fn platform(&self) -> String {
        let s = |k: &str| self.config.get(k).and_then(Value::as_str).unwrap_or("");
        let mut p = format!("{}/{}", s("os"), s("architecture"));
        if !s("variant").is_empty() {
            p = format!("{p}/{}", s("variant"));
        }
        p
    }
}

/// A packed layer, shared by every platform that copies the same thing.
#[derive(Clone)]
struct Layer {
    digest: Digest,
    size: u64,
    diff_id: Digest,
    file: Arc<tempfile::TempPath>,
    /// The directories the layer holds (its entries' parents and directory entries).
    dirs: BTreeSet<String>,
}

/// The directories `entries` hold: each directory entry and every entry's parents.
fn dirs_of(entries: &[crate::layer::pack::Entry]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in entries {
        if e.kind == crate::layer::pack::EntryKind::Dir {
            out.insert(e.path.clone());
        }
        let mut p = e.path.as_str();
        while let Some((parent, _)) = p.rsplit_once('/') {
            out.insert(parent.to_string());
            p = parent;
        }
    }
    out
}

/// Base images resolved for one platform, by reference as written.
type Bases = HashMap<String, StageImage>;

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
/// the context, an artifact base; NotFound (exit 4) for a base image or platform that does
/// not exist, a COPY source that is missing; the registry's and the context's I/O errors.
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
        // RUN and other plan errors are found here, before any base is read.
        let refs = plan::base_images(&df, &opts)?;
        let mut bases: Bases = HashMap::new();
        for r in &refs {
            let b = resolve_base(r, platform, *explicit, client, &req.store_dir)
                .await
                .map_err(|e| e.context(format!("base image {r}")))?;
            bases.insert(r.clone(), b);
        }
        let p = plan::plan(&df, &opts, &|r| {
            bases.get(r).map(|b| base_config(&b.config))
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
    finish(images, req)
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
        reporter.line(&format!("{tag}STEP {n}/{total}: FROM {from}{as_name}"));
        let mut image = match &stage.base {
            Base::Scratch => StageImage::scratch(stage.platform.as_deref().unwrap_or(platform)),
            Base::Image(r) => bases
                .get(r)
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
            reporter.line(&format!("{tag}STEP {n}/{total}: {}", step.created_by));
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
            let at =
                |e: Error| e.context(format!("{}:{}: {}", df.file, step.line, step.created_by));
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

/// Puts `layer` on top of `image` (manifest descriptor, new blob, known directories).
fn add_layer(image: &mut StageImage, layer: &Layer) {
    let descriptor = json!({
        "mediaType": image.layer_media_type(),
        "digest": layer.digest.to_string(),
        "size": layer.size,
    });
    if let Some(l) = image
        .manifest
        .as_object_mut()
        .and_then(|m| m.get_mut("layers"))
        .and_then(Value::as_array_mut)
    {
        l.push(descriptor);
    }
    image
        .new_blobs
        .push((layer.digest.clone(), NewBlob::File(layer.file.clone())));
    if let Some(k) = &mut image.known_dirs {
        k.extend(layer.dirs.iter().cloned());
    }
}

/// A layer holding directory `rel` (and its parents), mode 0755, owned by root.
async fn workdir_layer(rel: &str, opts: &PackOptions, temp_dir: &Path) -> Result<Layer> {
    let entries = vec![crate::layer::pack::Entry {
        path: rel.to_string(),
        kind: crate::layer::pack::EntryKind::Dir,
        mode: 0o755,
        uid: 0,
        gid: 0,
        mtime: opts.created_mtime(),
    }];
    let dirs = dirs_of(&entries);
    let packed = crate::layer::pack::pack(entries, opts, temp_dir)?;
    Ok(Layer {
        digest: packed.digest,
        size: packed.size,
        diff_id: packed.diff_id,
        file: Arc::new(packed.file.into_temp_path()),
        dirs,
    })
}

/// The layer of one COPY/ADD step: from the context (packed once per distinct step and reused
/// by every platform), or from an earlier stage's or an image's root filesystem (exported to
/// a scratch directory once per platform).
#[allow(clippy::too_many_arguments)]
async fn copy_layer(
    copy: &CopyStep,
    context: &Context,
    done: &[Option<StageImage>],
    p: &BuildPlan,
    bases: &Bases,
    pack_opts: &PackOptions,
    req: &BuildRequest,
    cache: &mut HashMap<String, Layer>,
    exported: &mut HashMap<String, tempfile::TempDir>,
) -> Result<Layer> {
    let opts = PackOptions {
        chown: copy.chown.as_deref().map(Owner::parse).transpose()?,
        chmod: copy.chmod,
        ..pack_opts.clone()
    };
    let from_root = match &copy.from {
        CopyFrom::Context => None,
        CopyFrom::Stage(j) => {
            let key = format!("stage {j}");
            if !exported.contains_key(&key) {
                let img = done[*j].as_ref().ok_or_else(|| {
                    Error::other(format!(
                        "stage {} was not built",
                        p.stages[*j].name.clone().unwrap_or_else(|| j.to_string())
                    ))
                })?;
                exported.insert(key.clone(), export_root(img, &req.temp_dir).await?);
            }
            Some(exported[&key].path().to_path_buf())
        }
        CopyFrom::Image(r) => {
            let key = format!("image {r}");
            if !exported.contains_key(&key) {
                let img = bases
                    .get(r)
                    .ok_or_else(|| Error::not_found(format!("image {r} was not resolved")))?;
                exported.insert(key.clone(), export_root(img, &req.temp_dir).await?);
            }
            Some(exported[&key].path().to_path_buf())
        }
    };
    let key = format!("{copy:?}");
    if from_root.is_none()
        && let Some(l) = cache.get(&key)
    {
        return Ok(l.clone());
    }
    let spec_sources = copy.sources.clone();
    let dest = copy.dest.clone();
    let is_add = copy.is_add;
    let temp = req.temp_dir.clone();
    let packed = match from_root {
        None => {
            let spec = CopySpec {
                sources: &spec_sources,
                dest: &dest,
                workdir: "/",
                add: is_add,
            };
            // Packing reads and compresses files: a blocking job, but the context is borrowed
            // here, so it runs in place on this worker thread.
            tokio::task::block_in_place(|| pack_with_dirs(context, &spec, &opts, &temp))?
        }
        Some(root) => tokio::task::spawn_blocking(move || {
            let ctx = Context::without_ignore_file(&root)?;
            let spec = CopySpec {
                sources: &spec_sources,
                dest: &dest,
                workdir: "/",
                add: is_add,
            };
            pack_with_dirs(&ctx, &spec, &opts, &temp)
        })
        .await
        .map_err(|e| Error::other(format!("packing worker: {e}")))??,
    };
    let (packed, dirs) = packed;
    let layer = Layer {
        digest: packed.digest,
        size: packed.size,
        diff_id: packed.diff_id,
        file: Arc::new(packed.file.into_temp_path()),
        dirs,
    };
    if matches!(copy.from, CopyFrom::Context) {
        cache.insert(key, layer.clone());
    }
    Ok(layer)
}

/// [`crate::layer::context::pack_copy`] that also returns the directories the layer holds.
fn pack_with_dirs(
    ctx: &Context,
    spec: &CopySpec<'_>,
    opts: &PackOptions,
    temp_dir: &Path,
) -> Result<(crate::layer::pack::PackedLayer, BTreeSet<String>)> {
    let plan = plan_copy(ctx, spec, opts)?;
    let dirs = dirs_of(&plan.entries);
    let packed = crate::layer::pack::pack(plan.entries.clone(), opts, temp_dir)?;
    drop(plan);
    Ok((packed, dirs))
}

/// Writes `img`'s flattened root filesystem into a new directory under `temp_dir` (regular
/// files, directories, symlinks and hard links; device nodes and FIFOs are skipped, as an
/// unprivileged user cannot make them and COPY cannot copy them).
async fn export_root(img: &StageImage, temp_dir: &Path) -> Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("imgctl-stage-")
        .tempdir_in(temp_dir)?;
    let src = stage_source(img)?;
    let Manifest::Image(m) = Manifest::parse(&src.root_manifest().await?.bytes, &img.media_type)?
    else {
        return Err(Error::other("a stage image is not an image manifest"));
    };
    let tar_path = dir.path().join(".rootfs.tar");
    let file = std::fs::File::create(&tar_path)?;
    let file = crate::rootfs::export(&src, &m, std::io::BufWriter::new(file)).await?;
    drop(file);
    let root = dir.path().join("root");
    std::fs::create_dir(&root)?;
    let (tar_path2, root2) = (tar_path.clone(), root.clone());
    tokio::task::spawn_blocking(move || -> Result<()> {
        let mut a = tar::Archive::new(std::fs::File::open(&tar_path2)?);
        a.set_preserve_permissions(true);
        a.set_preserve_mtime(true);
        a.set_unpack_xattrs(false);
        for e in a.entries()? {
            let mut e = e?;
            use tar::EntryType as T;
            if matches!(
                e.header().entry_type(),
                T::Regular | T::Directory | T::Symlink | T::Link | T::Continuous
            ) {
                e.unpack_in(&root2)
                    .map_err(|err| Error::other(format!("unpacking a stage: {err}")))?;
            }
        }
        Ok(())
    })
    .await
    .map_err(|e| Error::other(format!("unpacking worker: {e}")))??;
    std::fs::remove_file(&tar_path)?;
    // The directory handed to COPY is `root`; keep the TempDir owning both.
    let keep = tempfile::Builder::new()
        .prefix("imgctl-stage-root-")
        .tempdir_in(temp_dir)?;
    std::fs::remove_dir(keep.path())?;
    std::fs::rename(&root, keep.path())?;
    drop(dir);
    Ok(keep)
}

/// Serializes `img`'s config and manifest and returns them as a source over its blobs.
fn stage_source(img: &StageImage) -> Result<EditedSource> {
    let (manifest, blobs) = documents(img)?;
    let mut src = EditedSource::new(img.inner.clone(), manifest);
    for (d, b) in blobs {
        src = src.with_blob(&d, b);
    }
    Ok(src)
}

/// `img`'s final documents: the manifest (config descriptor pointing at the serialized
/// config) and every new blob, the config included.
fn documents(img: &StageImage) -> Result<(FetchedManifest, Vec<(Digest, NewBlob)>)> {
    let config_bytes = serde_json::to_vec(&img.config)?;
    let config_digest = Digest::sha256_of(&config_bytes);
    let config_type = if img.is_docker() {
        DOCKER_CONFIG
    } else {
        OCI_CONFIG
    };
    let mut manifest = img.manifest.clone();
    let m = manifest
        .as_object_mut()
        .ok_or_else(|| Error::integrity("the base manifest is not a JSON object"))?;
    m.insert(
        "config".into(),
        json!({
            "mediaType": config_type,
            "digest": config_digest.to_string(),
            "size": config_bytes.len(),
        }),
    );
    // The base's annotations describe the base, not this image.
    m.remove("annotations");
    let bytes = serde_json::to_vec(&manifest)?;
    let mut blobs = img.new_blobs.clone();
    blobs.push((config_digest, NewBlob::Bytes(Bytes::from(config_bytes))));
    Ok((
        FetchedManifest {
            digest: Digest::sha256_of(&bytes),
            bytes,
            media_type: img.media_type.clone(),
        },
        blobs,
    ))
}

/// The layers of `img` with the `created_by` of the history entry that made each.
fn layer_list(img: &StageImage) -> Vec<BuiltLayer> {
    let layers = img
        .manifest
        .get("layers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut history = img
        .config
        .get("history")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|h| h.get("empty_layer").and_then(Value::as_bool) != Some(true));
    layers
        .iter()
        .map(|l| BuiltLayer {
            digest: l["digest"].as_str().unwrap_or_default().to_string(),
            size: l["size"].as_u64().unwrap_or_default(),
            created_by: history
                .next()
                .and_then(|h| {
                    h.get("created_by")
                        .and_then(Value::as_str)
                        .map(String::from)
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// The result: one image, or an index over the platforms' images.
fn finish(images: Vec<StageImage>, _req: &BuildRequest) -> Result<Built> {
    let first = images
        .first()
        .ok_or_else(|| Error::other("no platform was built"))?;
    let layers = layer_list(first);
    let platforms: Vec<String> = images.iter().map(StageImage::platform).collect();
    if images.len() == 1 {
        let (manifest, blobs) = documents(first)?;
        let (digest, media_type) = (manifest.digest.clone(), manifest.media_type.clone());
        let mut source = EditedSource::new(first.inner.clone(), manifest);
        for (d, b) in blobs {
            source = source.with_blob(&d, b);
        }
        return Ok(Built {
            source: source.with_description("the built image"),
            digest,
            media_type,
            platforms,
            layers,
        });
    }
    let all_docker = images.iter().all(StageImage::is_docker);
    let mut entries = Vec::new();
    let mut children = Vec::new();
    let mut all_blobs = Vec::new();
    for img in &images {
        let (m, blobs) = documents(img)?;
        let mut platform = Map::new();
        for k in ["architecture", "os", "variant"] {
            if let Some(v) = img
                .config
                .get(k)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
            {
                platform.insert(k.into(), json!(v));
            }
        }
        entries.push(json!({
            "mediaType": m.media_type,
            "digest": m.digest.to_string(),
            "size": m.bytes.len(),
            "platform": platform,
        }));
        children.push(m);
        all_blobs.extend(blobs);
    }
    let media_type = if all_docker { DOCKER_LIST } else { OCI_INDEX };
    let bytes = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": media_type,
        "manifests": entries,
    }))?;
    let root = FetchedManifest {
        digest: Digest::sha256_of(&bytes),
        bytes,
        media_type: media_type.into(),
    };
    let digest = root.digest.clone();
    // Each platform's inherited blobs are read from its own base source.
    let mut owner = HashMap::new();
    for (i, img) in images.iter().enumerate() {
        for l in img
            .manifest
            .get("layers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(d) = l.get("digest").and_then(Value::as_str) {
                owner.entry(d.to_string()).or_insert(i);
            }
        }
    }
    let union = Union {
        sources: images.iter().map(|i| i.inner.clone()).collect(),
        owner,
    };
    let mut source = EditedSource::new(Arc::new(union), root);
    for c in children {
        source = source.with_manifest(c);
    }
    for (d, b) in all_blobs {
        source = source.with_blob(&d, b);
    }
    Ok(Built {
        source: source.with_description("the built index"),
        digest,
        media_type: media_type.into(),
        platforms,
        layers,
    })
}
