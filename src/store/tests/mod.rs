//! Unit tests of the store, one file per store module; the helpers that build images in a
//! temporary layout live here.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use oci_spec::image::{Descriptor, MediaType};
use serde_json::Value;
use tokio::io::{AsyncRead, ReadBuf};

use super::*;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind};
use crate::manifest;

mod blobs;
mod gc;
mod index;
mod interop;
mod lock;
mod partial;

const LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
const CONFIG: &str = "application/vnd.oci.image.config.v1+json";

fn desc(media_type: &str, bytes: &[u8]) -> Descriptor {
    let d = Digest::sha256_of(bytes).to_string();
    Descriptor::new(
        MediaType::from(media_type),
        bytes.len() as u64,
        d.parse::<oci_spec::image::Digest>().unwrap(),
    )
}

fn put(l: &Layout, media_type: &str, bytes: &[u8]) -> Descriptor {
    l.write_blob_bytes(&Digest::sha256_of(bytes), bytes)
        .unwrap();
    desc(media_type, bytes)
}

fn dig(d: &Descriptor) -> Digest {
    manifest::descriptor_digest(d).unwrap()
}

/// Writes an image (uncompressed tar layers, a config naming their diff IDs, a manifest)
/// and returns the manifest's descriptor.
fn image(l: &Layout, layers: &[&[u8]]) -> Descriptor {
    let layer_descs: Vec<Descriptor> = layers.iter().map(|b| put(l, LAYER_TAR, b)).collect();
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|b| Digest::sha256_of(b).to_string())
        .collect();
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
    });
    let config = put(l, CONFIG, &serde_json::to_vec(&config).unwrap());
    let m = serde_json::json!({
        "schemaVersion": 2, "mediaType": manifest::OCI_MANIFEST,
        "config": config, "layers": layer_descs,
    });
    put(l, manifest::OCI_MANIFEST, &serde_json::to_vec(&m).unwrap())
}

fn index_of(l: &Layout, children: &[Descriptor]) -> Descriptor {
    let i = serde_json::json!({
        "schemaVersion": 2, "mediaType": manifest::OCI_INDEX, "manifests": children,
    });
    put(l, manifest::OCI_INDEX, &serde_json::to_vec(&i).unwrap())
}

/// An empty tar archive (two zero blocks) with `salt` in a third block to vary digests.
fn tar(salt: u8) -> Vec<u8> {
    let mut v = vec![0u8; 1536];
    v[1535] = salt;
    v
}

fn new_layout() -> (tempfile::TempDir, Layout) {
    let dir = tempfile::tempdir().unwrap();
    let l = Layout::open_or_create(&dir.path().join("layout")).unwrap();
    (dir, l)
}

fn tmp_files(l: &Layout) -> usize {
    fs::read_dir(l.tmp_dir()).map(|rd| rd.count()).unwrap_or(0)
}

/// A reader yielding at most `step` bytes per read, to exercise chunk assembly.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl AsyncRead for Trickle<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let n = self.step.min(self.data.len()).min(buf.remaining());
        buf.put_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Poll::Ready(Ok(()))
    }
}

/// A reader that yields `data` and then fails like a dropped connection.
struct Cut<'a>(&'a [u8]);

impl AsyncRead for Cut<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.0.is_empty() {
            return Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "connection reset",
            )));
        }
        let n = self.0.len().min(buf.remaining()).min(4096);
        buf.put_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Poll::Ready(Ok(()))
    }
}

fn partial_file(l: &Layout, seed: &[u8], len: usize) -> PathBuf {
    let p = l.partial_path(&Digest::sha256_of(seed));
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, vec![1u8; len]).unwrap();
    p
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            fs::write(&dest, fs::read(e.path()).unwrap()).unwrap();
        }
    }
}

#[test]
fn creates_and_reopens() {
    let (_d, l) = new_layout();
    let root = l.root().to_path_buf();
    assert_eq!(
        fs::read_to_string(root.join("oci-layout")).unwrap(),
        r#"{"imageLayoutVersion":"1.0.0"}"#
    );
    let index: Value = serde_json::from_slice(&fs::read(root.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["schemaVersion"], 2);
    assert_eq!(index["mediaType"], manifest::OCI_INDEX);
    assert!(root.join("blobs").join("sha256").is_dir());
    assert!(l.manifests().unwrap().is_empty());
    Layout::open(&root).unwrap();
    Layout::open_or_create(&root).unwrap();
    assert_eq!(
        l.blob_path(&Digest::sha256_of(b"")),
        root.join("blobs")
            .join("sha256")
            .join(Digest::sha256_of(b"").hex())
    );
}

#[test]
fn refuses_what_is_not_a_layout() {
    let dir = tempfile::tempdir().unwrap();
    let busy = dir.path().join("busy");
    fs::create_dir(&busy).unwrap();
    fs::write(busy.join("notes.txt"), "x").unwrap();
    let e = Layout::open_or_create(&busy).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Usage);
    assert!(e.hint().is_some());
    assert!(
        !busy.join(".imgctl").exists(),
        "nothing created in a foreign directory"
    );
    let file = dir.path().join("file");
    fs::write(&file, "x").unwrap();
    assert_eq!(
        Layout::open_or_create(&file).unwrap_err().kind(),
        ErrorKind::Usage
    );
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    assert_eq!(
        Layout::open(&empty).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    Layout::open_or_create(&empty).unwrap();
    let future = dir.path().join("future");
    fs::create_dir(&future).unwrap();
    fs::write(
        future.join("oci-layout"),
        r#"{"imageLayoutVersion":"2.0.0"}"#,
    )
    .unwrap();
    fs::write(future.join("index.json"), "{}").unwrap();
    assert_eq!(Layout::open(&future).unwrap_err().kind(), ErrorKind::Usage);
}
