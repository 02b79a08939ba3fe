//! The build's new layers: COPY/ADD packed from the context or from an earlier stage's or an
//! image's root filesystem, and the directory layer of a WORKDIR.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::build::plan::{BuildPlan, CopyFrom, CopyStep};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::layer::context::{Context, CopySpec, plan_copy};
use crate::layer::pack::{Owner, PackOptions};
use crate::manifest::Manifest;
use crate::transport::ImageSource;
use crate::transport::edited::NewBlob;

use super::image::{StageImage, stage_source};
use super::{Bases, BuildRequest};

/// A packed layer, shared by every platform that copies the same thing.
#[derive(Clone)]
pub(super) struct Layer {
    pub(super) digest: Digest,
    pub(super) size: u64,
    pub(super) diff_id: Digest,
    pub(super) file: Arc<tempfile::TempPath>,
    /// The directories the layer holds (its entries' parents and directory entries).
    pub(super) dirs: BTreeSet<String>,
}

/// The directories `entries` hold: each directory entry and every entry's parents.
pub(super) fn dirs_of(entries: &[crate::layer::pack::Entry]) -> BTreeSet<String> {
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

/// Puts `layer` on top of `image` (manifest descriptor, new blob, known directories).
pub(super) fn add_layer(image: &mut StageImage, layer: &Layer) {
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
pub(super) async fn workdir_layer(rel: &str, opts: &PackOptions, temp_dir: &Path) -> Result<Layer> {
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
pub(super) async fn copy_layer(
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
    // The root to read and its name in messages (`x: not found in stage build`).
    let from_root = match &copy.from {
        CopyFrom::Context => None,
        CopyFrom::Stage(j) => {
            let name = p.stages[*j].name.clone().unwrap_or_else(|| j.to_string());
            let key = format!("stage {j}");
            if !exported.contains_key(&key) {
                let img = done[*j]
                    .as_ref()
                    .ok_or_else(|| Error::other(format!("stage {name} was not built")))?;
                exported.insert(key.clone(), export_root(img, &req.temp_dir).await?);
            }
            Some((exported[&key].path().to_path_buf(), format!("stage {name}")))
        }
        CopyFrom::Image(r) => {
            let key = format!("image {r}");
            if !exported.contains_key(&key) {
                let img = bases
                    .get(&(r.clone(), None))
                    .ok_or_else(|| Error::not_found(format!("image {r} was not resolved")))?;
                exported.insert(key.clone(), export_root(img, &req.temp_dir).await?);
            }
            Some((exported[&key].path().to_path_buf(), format!("image {r}")))
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
        Some((root, what)) => tokio::task::spawn_blocking(move || {
            let ctx = Context::without_ignore_file(&root)?.described_as(what);
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
pub(super) fn pack_with_dirs(
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
pub(super) async fn export_root(img: &StageImage, temp_dir: &Path) -> Result<tempfile::TempDir> {
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
