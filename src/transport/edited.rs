//! An edited image as a source (issue 11's edits, `build`): new manifests, configs and layers
//! served over another source's unchanged blobs. The copy engine then writes the edit to any
//! destination like any copy, so skips, mounts (of the unchanged blobs), retries, resume and
//! progress apply; nothing here knows HTTP or files beyond the temp files new layers live in.
//!
//! Usage: read the original from `inner`, build the new documents, then
//! `EditedSource::new(inner, new_root).with_manifest(child).with_blob(digest, NewBlob::…)` and
//! `copy_image(&edited, dst, …)`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use oci_spec::image::Descriptor;

use super::{BlobStream, ChunkStream, FetchedManifest, ImageSource, MountOrigin};
use crate::digest::Digest;
use crate::error::{Error, Result};

/// The bytes of a blob the edit made (a config, a new or recompressed layer).
#[derive(Debug, Clone)]
pub enum NewBlob {
    /// Held in memory (configs, small layers).
    Bytes(Bytes),
    /// A file holding exactly the blob's bytes; kept alive (and removed when the last
    /// reference drops, for a [`tempfile::TempPath`]) while the source lives.
    File(Arc<tempfile::TempPath>),
    /// A file the caller owns and keeps in place while the source lives.
    Path(PathBuf),
}

/// A source serving `root` (and the child manifests and blobs added with
/// [`EditedSource::with_manifest`] / [`EditedSource::with_blob`]) and everything else from
/// `inner`. Its mount origin is `inner`'s: unchanged blobs mount in the same registry, new
/// ones are uploaded (a refused mount falls back to upload in the engine).
pub struct EditedSource {
    inner: Arc<dyn ImageSource>,
    root: FetchedManifest,
    manifests: HashMap<String, FetchedManifest>,
    blobs: HashMap<String, NewBlob>,
    name: String,
}

impl EditedSource {
    /// An edit of `inner` whose root document is `root`.
    pub fn new(inner: Arc<dyn ImageSource>, root: FetchedManifest) -> EditedSource {
        let name = format!("{} (edited)", inner.describe());
        EditedSource {
            inner,
            root,
            manifests: HashMap::new(),
            blobs: HashMap::new(),
            name,
        }
    }

    /// Adds a child manifest (of an edited index) served by digest.
    pub fn with_manifest(mut self, m: FetchedManifest) -> EditedSource {
        self.manifests.insert(m.digest.to_string(), m);
        self
    }

    /// Adds a new blob served by `digest` (the engine verifies the bytes against the
    /// descriptor that names it).
    pub fn with_blob(mut self, digest: &Digest, blob: NewBlob) -> EditedSource {
        self.blobs.insert(digest.to_string(), blob);
        self
    }

    /// Replaces the text used in messages (default: the inner source's, plus "(edited)").
    pub fn with_description(mut self, name: impl Into<String>) -> EditedSource {
        self.name = name.into();
        self
    }
}

/// Opens `path` at byte `offset` as a blob stream.
async fn file_stream(path: &std::path::Path, offset: u64) -> Result<BlobStream> {
    use tokio::io::AsyncSeekExt;
    let mut f = tokio::fs::File::open(path)
        .await
        .map_err(|e| Error::from(e).context(format!("opening {}", path.display())))?;
    if offset > 0 {
        f.seek(std::io::SeekFrom::Start(offset))
            .await
            .map_err(|e| Error::from(e).context(format!("seeking {}", path.display())))?;
    }
    Ok(Box::pin(tokio::io::BufReader::with_capacity(1 << 20, f)))
}

#[async_trait]
impl ImageSource for EditedSource {
    fn describe(&self) -> String {
        self.name.clone()
    }
    async fn root_manifest(&self) -> Result<FetchedManifest> {
        Ok(self.root.clone())
    }
    async fn manifest(&self, digest: &Digest) -> Result<FetchedManifest> {
        match self.manifests.get(&digest.to_string()) {
            Some(m) => Ok(m.clone()),
            None => self.inner.manifest(digest).await,
        }
    }
    async fn blob(&self, desc: &Descriptor, offset: u64) -> Result<BlobStream> {
        match self.blobs.get(&desc.digest().to_string()) {
            None => self.inner.blob(desc, offset).await,
            Some(NewBlob::Bytes(b)) => {
                let start = (offset as usize).min(b.len());
                Ok(Box::pin(std::io::Cursor::new(b.slice(start..))))
            }
            Some(NewBlob::File(p)) => file_stream(p, offset).await,
            Some(NewBlob::Path(p)) => file_stream(p, offset).await,
        }
    }
    async fn blob_chunks(&self, desc: &Descriptor, offset: u64) -> Result<ChunkStream> {
        // The inner source's own chunks (a registry's, without a copy) for what is not new.
        if self.blobs.contains_key(&desc.digest().to_string()) {
            Ok(super::chunks_of(self.blob(desc, offset).await?))
        } else {
            self.inner.blob_chunks(desc, offset).await
        }
    }
    fn mount_origin(&self) -> Option<MountOrigin> {
        self.inner.mount_origin()
    }
    async fn check_blob(&self, desc: &Descriptor) -> Option<Error> {
        if self.blobs.contains_key(&desc.digest().to_string()) {
            // New blobs were digested as they were made; re-reading them proves nothing new.
            None
        } else {
            self.inner.check_blob(desc).await
        }
    }
}

/// Several sources as one, for a document over images from different places (an index built
/// from separate images, a multi-platform build over different bases): each blob is read from
/// the source [`UnionSource::own`] assigned it, anything else from the first source (the
/// fallback, also the mount origin and the name in messages).
pub struct UnionSource {
    sources: Vec<Arc<dyn ImageSource>>,
    owner: HashMap<String, usize>,
}

impl UnionSource {
    /// A union whose fallback is `first`.
    pub fn new(first: Arc<dyn ImageSource>) -> UnionSource {
        UnionSource {
            sources: vec![first],
            owner: HashMap::new(),
        }
    }

    /// Adds `src` as the source of the blobs `digests` (a digest already owned keeps its
    /// first owner).
    pub fn own(&mut self, src: Arc<dyn ImageSource>, digests: impl IntoIterator<Item = String>) {
        let i = match self.sources.iter().position(|s| Arc::ptr_eq(s, &src)) {
            Some(i) => i,
            None => {
                self.sources.push(src);
                self.sources.len() - 1
            }
        };
        for d in digests {
            self.owner.entry(d).or_insert(i);
        }
    }

    fn of(&self, d: &Descriptor) -> &Arc<dyn ImageSource> {
        let i = self
            .owner
            .get(&d.digest().to_string())
            .copied()
            .unwrap_or(0);
        &self.sources[i]
    }
}

/// The blob digests (config and layers) image manifest JSON `m` names.
pub fn manifest_blobs(m: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = m
        .get("config")
        .and_then(|c| c.get("digest"))
        .and_then(|d| d.as_str())
    {
        out.push(d.to_string());
    }
    for l in m
        .get("layers")
        .and_then(|l| l.as_array())
        .into_iter()
        .flatten()
    {
        if let Some(d) = l.get("digest").and_then(|d| d.as_str()) {
            out.push(d.to_string());
        }
    }
    out
}

#[async_trait]
impl ImageSource for UnionSource {
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
        self.of(d).blob(d, offset).await
    }
    async fn blob_chunks(&self, d: &Descriptor, offset: u64) -> Result<ChunkStream> {
        self.of(d).blob_chunks(d, offset).await
    }
    fn mount_origin(&self) -> Option<MountOrigin> {
        self.sources[0].mount_origin()
    }
    async fn check_blob(&self, d: &Descriptor) -> Option<Error> {
        self.of(d).check_blob(d).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    struct Empty;
    #[async_trait]
    impl ImageSource for Empty {
        fn describe(&self) -> String {
            "oci:/base".into()
        }
        async fn root_manifest(&self) -> Result<FetchedManifest> {
            Err(Error::not_found("no root"))
        }
        async fn manifest(&self, d: &Digest) -> Result<FetchedManifest> {
            Err(Error::not_found(format!("no manifest {d}")))
        }
        async fn blob(&self, d: &Descriptor, _offset: u64) -> Result<BlobStream> {
            Err(Error::not_found(format!("no blob {}", d.digest())))
        }
    }

    fn desc(data: &[u8]) -> Descriptor {
        let d = Digest::sha256_of(data);
        oci_spec::image::DescriptorBuilder::default()
            .media_type(oci_spec::image::MediaType::ImageLayerGzip)
            .digest(d.to_string().parse::<oci_spec::image::Digest>().unwrap())
            .size(data.len() as u64)
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn new_blobs_are_served_from_memory_and_files_at_an_offset_and_the_rest_from_inner() {
        let root_bytes = br#"{"schemaVersion":2}"#.to_vec();
        let root = FetchedManifest {
            digest: Digest::sha256_of(&root_bytes),
            bytes: root_bytes,
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
        };
        let mem = b"config bytes".to_vec();
        let file_data = b"layer bytes in a file".to_vec();
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), &file_data).unwrap();
        let src = EditedSource::new(Arc::new(Empty), root.clone())
            .with_blob(
                &Digest::sha256_of(&mem),
                NewBlob::Bytes(Bytes::from(mem.clone())),
            )
            .with_blob(
                &Digest::sha256_of(&file_data),
                NewBlob::File(Arc::new(tmp.into_temp_path())),
            );
        assert_eq!(src.describe(), "oci:/base (edited)");
        assert_eq!(src.root_manifest().await.unwrap().digest, root.digest);

        let mut got = Vec::new();
        src.blob(&desc(&mem), 7)
            .await
            .unwrap()
            .read_to_end(&mut got)
            .await
            .unwrap();
        assert_eq!(got, b"bytes");

        got.clear();
        src.blob(&desc(&file_data), 6)
            .await
            .unwrap()
            .read_to_end(&mut got)
            .await
            .unwrap();
        assert_eq!(got, b"bytes in a file");

        let err = match src.blob(&desc(b"other"), 0).await {
            Ok(_) => panic!("an unknown blob must come from inner, which has none"),
            Err(e) => e,
        };
        assert!(err.to_string().contains("no blob"), "{err}");
        assert!(src.manifest(&Digest::sha256_of(b"x")).await.is_err());
    }

    /// A source that serves blobs only as chunks (as a registry hands on what it received):
    /// `blob` fails, so a wrapper that reads through it instead of `blob_chunks` is caught.
    struct ChunksOnly;
    #[async_trait]
    impl ImageSource for ChunksOnly {
        fn describe(&self) -> String {
            "docker://reg/app".into()
        }
        async fn root_manifest(&self) -> Result<FetchedManifest> {
            Err(Error::not_found("no root"))
        }
        async fn manifest(&self, d: &Digest) -> Result<FetchedManifest> {
            Err(Error::not_found(format!("no manifest {d}")))
        }
        async fn blob(&self, _d: &Descriptor, _offset: u64) -> Result<BlobStream> {
            Err(Error::other("read through blob(), not blob_chunks()"))
        }
        async fn blob_chunks(&self, _d: &Descriptor, _offset: u64) -> Result<ChunkStream> {
            let chunks = vec![
                Ok(Bytes::from_static(b"inner ")),
                Ok(Bytes::from_static(b"chunks")),
            ];
            Ok(Box::pin(futures_util::stream::iter(chunks)))
        }
    }

    async fn collect(mut s: ChunkStream) -> Vec<u8> {
        use futures_util::StreamExt;
        let mut out = Vec::new();
        while let Some(b) = s.next().await {
            out.extend_from_slice(&b.unwrap());
        }
        out
    }

    #[tokio::test]
    async fn wrappers_hand_on_the_inner_sources_chunks_and_serve_new_blobs_themselves() {
        let root = FetchedManifest {
            digest: Digest::sha256_of(b"{}"),
            bytes: b"{}".to_vec(),
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
        };
        let new = b"new config".to_vec();
        let inner: Arc<dyn ImageSource> = Arc::new(ChunksOnly);
        let edited = EditedSource::new(inner.clone(), root).with_blob(
            &Digest::sha256_of(&new),
            NewBlob::Bytes(Bytes::from(new.clone())),
        );
        let old = desc(b"inner chunks");
        assert_eq!(
            collect(edited.blob_chunks(&old, 0).await.unwrap()).await,
            b"inner chunks"
        );
        assert_eq!(
            collect(edited.blob_chunks(&desc(&new), 4).await.unwrap()).await,
            b"config"
        );
        let union = UnionSource::new(inner);
        assert_eq!(
            collect(union.blob_chunks(&old, 0).await.unwrap()).await,
            b"inner chunks"
        );
    }
}
