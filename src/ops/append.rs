//! `append`: add layers (from tars, gzip-compressed tars or directories) on top of an image,
//! like `crane append`. The layers are packed once, before anything is read or written, and
//! the same blobs are pushed onto every selected platform image by the [`ImageEditor`]
//! traversal; the caller writes the result through the copy engine.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::layer::input::pack_input;
use crate::layer::pack::PackOptions;
use crate::ops::edit::{ImageEdit, ImageEditor};
use crate::transport::ImageSource;
use crate::transport::edited::NewBlob;

/// The `created_by` of the history entry each appended layer gets (docker and crane name the
/// tool or instruction that made the layer there).
pub const CREATED_BY: &str = "imgctl append";

/// One packed layer ready to be appended: a gzip-compressed tar in a temp file.
#[derive(Debug, Clone)]
pub struct AppendLayer {
    /// The input it was packed from (its file name goes into the history comment).
    pub input: PathBuf,
    /// sha256 of the compressed blob (the manifest descriptor's digest).
    pub digest: Digest,
    /// Size of the compressed blob in bytes.
    pub size: u64,
    /// sha256 of the uncompressed tar (the config's `rootfs.diff_ids` entry).
    pub diff_id: Digest,
    /// The blob's bytes; removed when the last clone drops.
    pub file: Arc<tempfile::TempPath>,
}

/// Packs each of `inputs` (a tar, a gzip-compressed tar or a directory; see
/// [`pack_input`]) into a gzip layer under `temp_dir`, in order.
///
/// Errors: NotFound for a missing input; Usage for a file that is not a tar archive or one
/// whose member or link target leaves the root (naming the input). Nothing but the temp
/// files is written, and they are removed on error.
pub fn pack_layers(
    inputs: &[PathBuf],
    opts: &PackOptions,
    temp_dir: &Path,
) -> Result<Vec<AppendLayer>> {
    inputs
        .iter()
        .map(|input| {
            let p = pack_input(input, opts, temp_dir)?;
            Ok(AppendLayer {
                input: input.clone(),
                digest: p.digest,
                size: p.size,
                diff_id: p.diff_id,
                file: Arc::new(p.file.into_temp_path()),
            })
        })
        .collect()
}

/// The edit `append` applies to each selected platform image: its layers on top, in order,
/// each with a history entry (`created` = `created`, `created_by` = [`CREATED_BY`],
/// `comment` naming the input's file name) and its diff_id.
#[derive(Debug, Clone)]
pub struct Append {
    /// The packed layers, bottom first.
    pub layers: Vec<AppendLayer>,
    /// RFC 3339 time for the history entries.
    pub created: String,
}

impl Append {
    /// An append of `layers` whose history entries are dated `created` (RFC 3339).
    pub fn new(layers: Vec<AppendLayer>, created: String) -> Append {
        Append { layers, created }
    }
}

#[async_trait]
impl ImageEditor for Append {
    /// Errors: Usage for a Windows image (its layers need a `Files/` tree and
    /// `Hives/`, which a plain tar or directory does not give).
    async fn edit(&self, src: &dyn ImageSource, image: &mut ImageEdit) -> Result<()> {
        if image.config.get("os").and_then(Value::as_str) == Some("windows") {
            return Err(Error::usage(format!(
                "{} has a Windows image; append adds Linux layers only (choose other \
                 platforms with --platform)",
                src.describe()
            )));
        }
        for l in &self.layers {
            let descriptor = json!({
                "mediaType": image.gzip_layer_media_type(),
                "digest": l.digest.to_string(),
                "size": l.size,
            });
            let name = l
                .input
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| l.input.display().to_string());
            let history = json!({
                "created": self.created,
                "created_by": CREATED_BY,
                "comment": format!("layer from {name}"),
            });
            image.push_layer(descriptor, &l.diff_id, history);
            image.add_blob(l.digest.clone(), NewBlob::File(l.file.clone()));
        }
        Ok(())
    }
}
