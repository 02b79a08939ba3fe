//! The `oci:` transport and the local store: an image in an OCI image layout, named by its
//! `org.opencontainers.image.ref.name` annotation.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use oci_spec::image::{Descriptor, DescriptorBuilder, MediaType};

use super::{
    BlobStream, FetchedManifest, ImageDestination, ImageSource, MountOrigin, ProgressReader,
};
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::layout::{Layout, REF_NAME, WriterLock};
use crate::manifest::{descriptor_digest, detect_media_type};
use crate::progress::BlobProgress;

/// Annotation on an `index.json` entry recording the registry repository the image was
/// copied from (`registry/repository`), so that a later push to that registry can mount its
/// blobs instead of uploading them. `imgctl tag` keeps it on the new name.
pub const ORIGIN_ANNOTATION: &str = "io.imgctl.origin";

fn parse_origin(desc: &Descriptor) -> Option<MountOrigin> {
    let v = desc.annotations().as_ref()?.get(ORIGIN_ANNOTATION)?;
    let (registry, repository) = v.split_once('/')?;
    Some(MountOrigin {
        registry: registry.to_string(),
        repository: repository.to_string(),
    })
}

/// Reads an image from a layout: the entry named `name`, or the only entry when `name` is None.
pub struct LayoutSource {
    layout: Layout,
    name: Option<String>,
    digest: Option<Digest>,
    label: String,
}

impl LayoutSource {
    /// A source for `name` in `layout`; `label` is how messages name it.
    pub fn new(layout: Layout, name: Option<String>, label: String) -> Self {
        LayoutSource {
            layout,
            name,
            digest: None,
            label,
        }
    }

    /// A source for the entry (tagged or not) whose manifest digest is `digest`.
    pub fn by_digest(layout: Layout, digest: Digest, label: String) -> Self {
        LayoutSource {
            layout,
            name: None,
            digest: Some(digest),
            label,
        }
    }

    /// The index.json entry this source reads.
    pub fn root_descriptor(&self) -> Result<Descriptor> {
        if let Some(d) = &self.digest {
            return self.layout.resolve_digest(d);
        }
        match &self.name {
            Some(n) => self.layout.resolve(n),
            None => {
                let mut all = self.layout.manifests()?;
                match all.len() {
                    1 => Ok(all.remove(0)),
                    0 => Err(Error::not_found(format!("{} holds no image", self.label))),
                    n => Err(Error::usage(format!(
                        "{} holds {n} images; name one with :TAG",
                        self.label
                    ))),
                }
            }
        }
    }

    /// The error for blob or manifest `digest` that `index.json` reaches but the layout lacks:
    /// it names this source, not the layout's directory alone. NotFound (exit 4).
    fn missing(&self, what: &str, digest: &Digest) -> Error {
        Error::not_found(format!(
            "{}: {what} {digest} is missing (the layout is incomplete)",
            self.label
        ))
        .with_hint(
            "the image's manifests reference a blob the layout does not hold; copy the image into it again",
        )
    }

    fn read_manifest(&self, digest: &Digest, media_type: Option<&str>) -> Result<FetchedManifest> {
        let bytes = self.layout.read_blob_bytes(digest).map_err(|e| {
            if e.kind() == ErrorKind::NotFound {
                self.missing("manifest", digest)
            } else {
                e
            }
        })?;
        let media_type = match media_type {
            Some(m) if !m.is_empty() => m.to_string(),
            _ => detect_media_type(&bytes, None)?,
        };
        Ok(FetchedManifest {
            bytes,
            media_type,
            digest: digest.clone(),
        })
    }
}

#[async_trait]
impl ImageSource for LayoutSource {
    fn describe(&self) -> String {
        self.label.clone()
    }
    async fn root_manifest(&self) -> Result<FetchedManifest> {
        let desc = self.root_descriptor()?;
        let digest = descriptor_digest(&desc)?;
        let mt = desc.media_type().to_string();
        let mut m = self.read_manifest(&digest, Some(&mt))?;
        // The document's own mediaType beats the index entry.
        m.media_type = detect_media_type(&m.bytes, Some(&mt))?;
        Ok(m)
    }
    async fn manifest(&self, digest: &Digest) -> Result<FetchedManifest> {
        self.read_manifest(digest, None)
    }
    /// Errors: NotFound "LABEL: blob … is missing (the layout is incomplete)" when the layout
    /// lacks it; Usage when `offset` is past its end.
    async fn blob(&self, desc: &Descriptor, offset: u64) -> Result<BlobStream> {
        let digest = descriptor_digest(desc)?;
        let f = self.layout.open_blob(&digest, offset).await.map_err(|e| {
            if e.kind() == ErrorKind::NotFound {
                self.missing("blob", &digest)
            } else {
                e
            }
        })?;
        Ok(Box::pin(tokio::io::BufReader::with_capacity(256 * 1024, f)))
    }
    fn mount_origin(&self) -> Option<MountOrigin> {
        self.root_descriptor().ok().as_ref().and_then(parse_origin)
    }
}

/// Writes an image into a layout and names it `name` (untagged when None).
pub struct LayoutDestination {
    layout: Layout,
    name: Option<String>,
    label: String,
    origin: Mutex<Option<MountOrigin>>,
    record_origin: bool,
    /// Held from [`ImageDestination::prepare`] until dropped, so a concurrent gc (`rmi`) in
    /// another process does not delete blobs written but not yet named in `index.json`.
    writer: std::sync::Mutex<Option<WriterLock>>,
}

impl LayoutDestination {
    /// A destination writing `name` into `layout`; `label` is how messages name it.
    pub fn new(layout: Layout, name: Option<String>, label: String) -> Self {
        LayoutDestination {
            layout,
            name,
            label,
            origin: Mutex::new(None),
            record_origin: false,
            writer: std::sync::Mutex::new(None),
        }
    }

    /// Records where the image came from (`io.imgctl.origin`, the source registry and
    /// repository) on its `index.json` entry, so a later push to that registry mounts the
    /// blobs instead of uploading them. For imgctl's own store only: layouts and archives
    /// written for others carry no imgctl annotations.
    pub fn recording_origin(mut self) -> Self {
        self.record_origin = true;
        self
    }

    /// Takes the layout's writer lock (once; it may wait for a running gc).
    async fn hold_writer_lock(&self) -> Result<()> {
        if self.writer.lock().expect("writer lock").is_some() {
            return Ok(());
        }
        let layout = self.layout.clone();
        let guard = tokio::task::spawn_blocking(move || layout.writer_lock())
            .await
            .map_err(|e| Error::other(format!("lock thread failed: {e}")))??;
        self.writer
            .lock()
            .expect("writer lock")
            .get_or_insert(guard);
        Ok(())
    }
}

#[async_trait]
impl ImageDestination for LayoutDestination {
    fn describe(&self) -> String {
        self.label.clone()
    }
    async fn prepare(&self, origin: Option<&MountOrigin>) -> Result<()> {
        *self.origin.lock().expect("origin lock") = origin.cloned();
        self.hold_writer_lock().await
    }
    async fn has_blob(&self, desc: &Descriptor) -> Result<bool> {
        self.hold_writer_lock().await?;
        Ok(self.layout.has_blob(&descriptor_digest(desc)?))
    }
    async fn put_blob(
        &self,
        desc: &Descriptor,
        source: &dyn ImageSource,
        progress: &BlobProgress,
    ) -> Result<u64> {
        self.hold_writer_lock().await?;
        put_blob_resumable(&self.layout, desc, source, progress).await
    }
    async fn put_manifest(&self, manifest: &FetchedManifest) -> Result<()> {
        self.layout
            .write_blob_bytes(&manifest.digest, &manifest.bytes)
    }
    async fn commit(
        &self,
        root: &FetchedManifest,
        platform: Option<&oci_spec::image::Platform>,
    ) -> Result<()> {
        self.layout.write_blob_bytes(&root.digest, &root.bytes)?;
        let mut annotations = HashMap::new();
        if let Some(n) = &self.name {
            annotations.insert(REF_NAME.to_string(), n.clone());
        }
        if let Some(o) = self.origin.lock().expect("origin lock").as_ref()
            && self.record_origin
        {
            annotations.insert(
                ORIGIN_ANNOTATION.to_string(),
                format!("{}/{}", o.registry, o.repository),
            );
        }
        let desc = root_descriptor(root, platform, annotations)?;
        self.layout.set_ref(self.name.as_deref(), desc)
    }
}

/// Writes blob `desc` into `layout`, read from `source`, resumably: a partial download kept
/// by an interrupted run (a dropped connection, Ctrl-C, kill -9) is continued from where it
/// stopped ([`Layout::write_blob_resumable`]). Reports bytes to `progress`; returns the bytes
/// read from `source` (0 when the layout had the blob).
///
/// Errors: the source's own (NotFound naming the source when it lacks the blob, Network,
/// Auth), Integrity when the bytes do not match `desc`, Other on local I/O failure (naming the
/// layout).
pub async fn put_blob_resumable(
    layout: &Layout,
    desc: &Descriptor,
    source: &dyn ImageSource,
    progress: &BlobProgress,
) -> Result<u64> {
    let digest = descriptor_digest(desc)?;
    layout
        .write_blob_resumable(&digest, Some(desc.size()), |offset| async move {
            progress.set_position(offset);
            let stream = source.blob(desc, offset).await?;
            Ok(ProgressReader::new(stream, progress.handle()))
        })
        .await
}

/// The `index.json` descriptor of manifest `root`: its media type, digest and size, the
/// `platform` it was selected for (when picked out of an index) and `annotations` (none when
/// empty).
///
/// Errors: Other when the descriptor cannot be built (a digest oci-spec refuses).
pub fn root_descriptor(
    root: &FetchedManifest,
    platform: Option<&oci_spec::image::Platform>,
    annotations: HashMap<String, String>,
) -> Result<Descriptor> {
    let mut b = DescriptorBuilder::default()
        .media_type(MediaType::from(root.media_type.as_str()))
        .digest(
            root.digest
                .to_string()
                .parse::<oci_spec::image::Digest>()
                .map_err(|e| Error::other(format!("digest conversion: {e}")))?,
        )
        .size(root.size());
    if !annotations.is_empty() {
        b = b.annotations(annotations);
    }
    if let Some(p) = platform {
        b = b.platform(p.clone());
    }
    b.build()
        .map_err(|e| Error::other(format!("descriptor: {e}")))
}
