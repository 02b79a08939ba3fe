//! `copy --compress gzip|zstd|none` (issue 11): layers recompressed while copying, like
//! skopeo's `--dest-compress-format`. Each layer whose compression differs from the one asked
//! for is streamed once through decompress → compress into a temp file, its source digest and
//! its diff_id verified on the way (memory per layer: the codecs' buffers); layers of several
//! platforms that share a blob are converted once. The uncompressed tars do not change, so
//! `rootfs.diff_ids` and the config stay as they are; the layer descriptors (media type,
//! digest, size) and so the manifests change. Foreign (non-distributable) layers are kept.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::{Value, json};

use crate::digest::{Algorithm, Digest, Hasher};
use crate::error::{Error, Result};
use crate::layer::gzip::GzipWriter;
use crate::layer::pack::Tee;
use crate::manifest::descriptor_from_json;
use crate::ops::edit::{ImageEdit, ImageEditor};
use crate::rootfs::{decompress, raw_layer};
use crate::transport::ImageSource;
use crate::transport::edited::NewBlob;

/// A layer compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerCompression {
    /// gzip (RFC 1952).
    Gzip,
    /// Zstandard (RFC 8878); OCI media type `…layer.v1.tar+zstd`.
    Zstd,
    /// An uncompressed tar.
    None,
}

impl LayerCompression {
    /// Parses `gzip`, `zstd` or `none` (also `uncompressed`). Errors (Usage) otherwise.
    pub fn parse(s: &str) -> Result<LayerCompression> {
        match s.to_ascii_lowercase().as_str() {
            "gzip" => Ok(LayerCompression::Gzip),
            "zstd" => Ok(LayerCompression::Zstd),
            "none" | "uncompressed" => Ok(LayerCompression::None),
            _ => Err(Error::usage(format!(
                "--compress {s:?}: expected gzip, zstd or none"
            ))),
        }
    }

    /// The name used in messages and JSON.
    pub fn name(self) -> &'static str {
        match self {
            LayerCompression::Gzip => "gzip",
            LayerCompression::Zstd => "zstd",
            LayerCompression::None => "none",
        }
    }

    /// The compression of layer media type `mt`, `None` for what is not a distributable tar
    /// layer (foreign layers, anything else), which is kept as it is.
    pub fn of_media_type(mt: &str) -> Option<LayerCompression> {
        if mt.contains("foreign") || mt.contains("nondistributable") {
            return None;
        }
        match mt {
            "application/vnd.oci.image.layer.v1.tar+gzip"
            | "application/vnd.docker.image.rootfs.diff.tar.gzip" => Some(LayerCompression::Gzip),
            "application/vnd.oci.image.layer.v1.tar+zstd" => Some(LayerCompression::Zstd),
            "application/vnd.oci.image.layer.v1.tar"
            | "application/vnd.docker.image.rootfs.diff.tar" => Some(LayerCompression::None),
            _ => None,
        }
    }

    /// The media type of a layer in this compression, for an OCI (`docker` false) or Docker
    /// schema 2 manifest. Errors (Usage): zstd in a Docker manifest, which has no zstd type.
    pub fn media_type(self, docker: bool) -> Result<&'static str> {
        Ok(match (self, docker) {
            (LayerCompression::Gzip, false) => "application/vnd.oci.image.layer.v1.tar+gzip",
            (LayerCompression::Zstd, false) => "application/vnd.oci.image.layer.v1.tar+zstd",
            (LayerCompression::None, false) => "application/vnd.oci.image.layer.v1.tar",
            (LayerCompression::Gzip, true) => "application/vnd.docker.image.rootfs.diff.tar.gzip",
            (LayerCompression::None, true) => "application/vnd.docker.image.rootfs.diff.tar",
            (LayerCompression::Zstd, true) => {
                return Err(Error::usage(
                    "the image is Docker schema 2, which has no zstd layer media type (zstd \
                     layers need an OCI image)",
                )
                .with_hint(
                    "use --compress gzip, which Docker schema 2 carries; or convert the image to \
                     OCI media types with a tool that converts formats (e.g. skopeo copy --format \
                     oci), then recompress that",
                ));
            }
        })
    }
}

/// One converted layer, as reported.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Converted {
    /// The source layer's digest.
    pub from: String,
    /// The new layer's digest.
    pub to: String,
    /// The source's compression.
    #[serde(rename = "fromCompression")]
    pub from_compression: &'static str,
    /// The new compression.
    #[serde(rename = "toCompression")]
    pub to_compression: &'static str,
    /// Source size in bytes.
    #[serde(rename = "fromSize")]
    pub from_size: u64,
    /// New size in bytes.
    #[serde(rename = "toSize")]
    pub to_size: u64,
    #[serde(skip)]
    file: Arc<tempfile::TempPath>,
    #[serde(skip)]
    media_type: String,
}

/// The edit `copy --compress` applies to every selected platform image.
pub struct Recompress {
    to: LayerCompression,
    level: Option<i32>,
    temp_dir: PathBuf,
    jobs: usize,
    done: Mutex<HashMap<String, Converted>>,
}

impl Recompress {
    /// Recompress to `to` at `level` (gzip 0–9, zstd 1–22; None: each codec's default),
    /// converting up to `jobs` layers at once, with the new blobs in temp files under
    /// `temp_dir` (which must outlive the copy). Errors (Usage): a level out of range.
    pub fn new(
        to: LayerCompression,
        level: Option<i32>,
        temp_dir: PathBuf,
        jobs: usize,
    ) -> Result<Recompress> {
        if let Some(l) = level {
            let ok = match to {
                LayerCompression::Gzip => (0..=9).contains(&l),
                LayerCompression::Zstd => (1..=22).contains(&l),
                LayerCompression::None => false,
            };
            if !ok {
                return Err(Error::usage(format!(
                    "--compress-level {l} is not a {} level (gzip: 0-9, zstd: 1-22; none has no level)",
                    to.name()
                )));
            }
        }
        Ok(Recompress {
            to,
            level,
            temp_dir,
            jobs: jobs.max(1),
            done: Mutex::new(HashMap::new()),
        })
    }

    /// The layers converted so far (each blob once), by source digest order.
    pub fn converted(&self) -> Vec<Converted> {
        let mut v: Vec<Converted> = self.done.lock().expect("lock").values().cloned().collect();
        v.sort_by(|a, b| a.from.cmp(&b.from));
        v
    }

    /// Converts layer `desc` (JSON descriptor) of `src`, expecting uncompressed digest
    /// `diff_id` when the config names one.
    async fn convert(
        &self,
        src: &dyn ImageSource,
        desc: &Value,
        from: LayerCompression,
        media_type: &'static str,
        diff_id: Option<String>,
    ) -> Result<Converted> {
        let d = descriptor_from_json(desc.clone())
            .map_err(|e| Error::integrity(format!("a layer descriptor is malformed: {e}")))?;
        let key = d.digest().to_string();
        if let Some(c) = self.done.lock().expect("lock").get(&key) {
            return Ok(c.clone());
        }
        let raw = raw_layer(src, &d).await?;
        let (to, level, temp_dir) = (self.to, self.level, self.temp_dir.clone());
        let src_type = d.media_type().to_string();
        let what = key.clone();
        let (file, digest, size) = tokio::task::spawn_blocking(move || {
            recompress_blocking(
                raw,
                &src_type,
                to,
                level,
                &temp_dir,
                diff_id.as_deref(),
                &what,
            )
        })
        .await
        .map_err(|e| Error::other(format!("recompress worker: {e}")))??;
        let c = Converted {
            from: key.clone(),
            to: digest.to_string(),
            from_compression: from.name(),
            to_compression: self.to.name(),
            from_size: d.size(),
            to_size: size,
            file: Arc::new(file),
            media_type: media_type.to_string(),
        };
        self.done.lock().expect("lock").insert(key, c.clone());
        Ok(c)
    }
}

/// Decompresses `raw` (verified against its digest as it is read to the end) and compresses
/// it into a temp file under `temp_dir`; returns the file, its digest and size. The
/// uncompressed stream is checked against `diff_id`.
fn recompress_blocking(
    raw: impl Read,
    src_type: &str,
    to: LayerCompression,
    level: Option<i32>,
    temp_dir: &std::path::Path,
    diff_id: Option<&str>,
    what: &str,
) -> Result<(tempfile::TempPath, Digest, u64)> {
    let io_err = |e: io::Error| {
        if e.kind() == io::ErrorKind::InvalidData {
            Error::integrity(format!("layer {what}: {e}"))
        } else {
            Error::from(e).context(format!("recompressing layer {what}"))
        }
    };
    let mut plain = decompress(src_type, raw)?;
    let file = tempfile::NamedTempFile::new_in(temp_dir)?;
    let mut out = Tee::new(io::BufWriter::new(file.reopen()?));
    let mut tar_hash = Hasher::new(Algorithm::Sha256);
    let mut buf = vec![0u8; 256 * 1024];
    let mut copy = |w: &mut dyn Write| -> Result<()> {
        loop {
            let n = plain.read(&mut buf).map_err(io_err)?;
            if n == 0 {
                return Ok(());
            }
            tar_hash.update(&buf[..n]);
            w.write_all(&buf[..n]).map_err(io_err)?;
        }
    };
    match to {
        LayerCompression::Gzip => {
            let level = flate2::Compression::new(level.unwrap_or(6) as u32);
            let mut enc = GzipWriter::new(&mut out, level);
            copy(&mut enc)?;
            enc.finish().map_err(io_err)?;
        }
        LayerCompression::Zstd => {
            let mut enc =
                zstd::stream::write::Encoder::new(&mut out, level.unwrap_or(3)).map_err(io_err)?;
            copy(&mut enc)?;
            enc.finish().map_err(io_err)?;
        }
        LayerCompression::None => copy(&mut out)?,
    }
    let got = tar_hash.finish().to_string();
    if let Some(want) = diff_id
        && want != got
    {
        return Err(Error::integrity(format!(
            "layer {what} decompresses to {got}, but the config's diff_id is {want}"
        )));
    }
    out.flush()?;
    let size = out.count;
    let digest = out.hasher.finish();
    // A scratch file, read back by the copy and removed after it: no fsync (a destination
    // makes what it stores durable itself).
    out.inner
        .into_inner()
        .map_err(|e| Error::other(format!("writing the layer: {}", e.error())))?;
    Ok((file.into_temp_path(), digest, size))
}

#[async_trait]
impl ImageEditor for Recompress {
    async fn edit(&self, src: &dyn ImageSource, image: &mut ImageEdit) -> Result<()> {
        let docker = image.is_docker();
        let layers = image.layers().to_vec();
        let diff_ids: Vec<Option<String>> = {
            let ids = image
                .config
                .get("rootfs")
                .and_then(|r| r.get("diff_ids"))
                .and_then(Value::as_array);
            (0..layers.len())
                .map(|i| {
                    ids.and_then(|a| a.get(i))
                        .and_then(Value::as_str)
                        .map(String::from)
                })
                .collect()
        };
        let mut jobs = Vec::new();
        for (i, l) in layers.iter().enumerate() {
            let mt = l.get("mediaType").and_then(Value::as_str).unwrap_or("");
            let Some(from) = LayerCompression::of_media_type(mt) else {
                continue;
            };
            if from == self.to {
                continue;
            }
            let media_type = self.to.media_type(docker)?;
            jobs.push((i, from, media_type));
        }
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        type Job<'a> = std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<(usize, Converted)>> + Send + 'a>,
        >;
        let mut futs: Vec<Job<'_>> = Vec::new();
        for (i, from, mt) in jobs {
            let desc = layers[i].clone();
            let diff_id = diff_ids[i].clone();
            futs.push(Box::pin(async move {
                self.convert(src, &desc, from, mt, diff_id)
                    .await
                    .map(|c| (i, c))
            }));
        }
        let results: Vec<(usize, Converted)> = stream::iter(futs)
            .buffer_unordered(self.jobs)
            .try_collect()
            .await?;
        for (i, c) in results {
            let mut d = layers[i].clone();
            d["mediaType"] = json!(c.media_type);
            d["digest"] = json!(c.to);
            d["size"] = json!(c.to_size);
            if let Some(a) = d.get_mut("annotations").and_then(Value::as_object_mut) {
                // Compression-specific annotations describe the old blob.
                a.retain(|k, _| !k.contains("compression") && !k.contains("uncompressed"));
            }
            image.set_layer(i, d, None)?;
            let digest: Digest =
                c.to.parse()
                    .map_err(|_| Error::other("a new layer digest does not parse"))?;
            image.add_blob(digest, NewBlob::File(c.file.clone()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_media_types_and_levels() {
        assert_eq!(
            LayerCompression::parse("ZSTD").unwrap(),
            LayerCompression::Zstd
        );
        assert!(LayerCompression::parse("brotli").is_err());
        assert_eq!(
            LayerCompression::of_media_type("application/vnd.docker.image.rootfs.diff.tar.gzip"),
            Some(LayerCompression::Gzip)
        );
        assert_eq!(
            LayerCompression::of_media_type(
                "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
            ),
            None
        );
        let e = LayerCompression::Zstd.media_type(true).unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::Usage);
        // The hint names what works: imgctl copies manifests as they are, it converts none.
        let hint = e.hint_text().unwrap();
        assert!(hint.contains("--compress gzip"), "{hint}");
        assert!(hint.contains("skopeo copy --format oci"), "{hint}");
        assert_eq!(
            LayerCompression::None.media_type(false).unwrap(),
            "application/vnd.oci.image.layer.v1.tar"
        );
        let t = std::env::temp_dir();
        assert!(Recompress::new(LayerCompression::Zstd, Some(23), t.clone(), 1).is_err());
        assert!(Recompress::new(LayerCompression::Gzip, Some(10), t.clone(), 1).is_err());
        assert!(Recompress::new(LayerCompression::None, Some(1), t.clone(), 1).is_err());
        assert!(Recompress::new(LayerCompression::Zstd, Some(19), t, 1).is_ok());
    }
}
