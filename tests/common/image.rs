//! Pure-Rust builders of OCI image layouts used as test input.
//!
//! Layers are tar+gzip (tar + flate2), deterministic (fixed mtimes, uid/gid 0, gzip mtime 0),
//! so the same input always gives the same digests.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// OCI media type of an image manifest.
pub const MT_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI media type of an image index.
pub const MT_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI media type of an image config.
pub const MT_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// OCI media type of a gzip layer.
pub const MT_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// Annotation key naming a tag in `index.json`.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

const MTIME: u64 = 1_700_000_000;

/// One entry of a layer tar. Paths are relative (`etc/motd`), without leading `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TarEntry {
    /// A directory with mode bits (e.g. 0o755).
    Dir { path: String, mode: u32 },
    /// A regular file with contents and mode bits (e.g. 0o644).
    File {
        path: String,
        data: Vec<u8>,
        mode: u32,
    },
    /// A symbolic link `path` → `target`.
    Symlink { path: String, target: String },
    /// A hard link `path` → `target` (target is a path inside the layer).
    Hardlink { path: String, target: String },
    /// An OCI whiteout deleting `path` from lower layers: written as `dir/.wh.name`.
    Whiteout { path: String },
    /// An opaque-directory whiteout for `dir`: written as `dir/.wh..wh..opq`.
    OpaqueWhiteout { dir: String },
}

impl TarEntry {
    /// A directory, mode 0755.
    pub fn dir(path: &str) -> TarEntry {
        TarEntry::Dir {
            path: path.into(),
            mode: 0o755,
        }
    }
    /// A regular file, mode 0644.
    pub fn file(path: &str, data: impl Into<Vec<u8>>) -> TarEntry {
        TarEntry::File {
            path: path.into(),
            data: data.into(),
            mode: 0o644,
        }
    }
    /// A regular file with explicit mode bits.
    pub fn file_mode(path: &str, data: impl Into<Vec<u8>>, mode: u32) -> TarEntry {
        TarEntry::File {
            path: path.into(),
            data: data.into(),
            mode,
        }
    }
    /// A symlink `path` → `target`.
    pub fn symlink(path: &str, target: &str) -> TarEntry {
        TarEntry::Symlink {
            path: path.into(),
            target: target.into(),
        }
    }
    /// A hard link `path` → `target`.
    pub fn hardlink(path: &str, target: &str) -> TarEntry {
        TarEntry::Hardlink {
            path: path.into(),
            target: target.into(),
        }
    }
    /// A whiteout of `path` (the entry is named `.wh.<basename>` in the same directory).
    pub fn whiteout(path: &str) -> TarEntry {
        TarEntry::Whiteout { path: path.into() }
    }
}

/// A platform (`os`, `architecture`, optional `variant`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    /// e.g. `linux`.
    pub os: String,
    /// e.g. `amd64`, `arm64`, `arm`.
    pub architecture: String,
    /// e.g. `v7`.
    pub variant: Option<String>,
}

impl Platform {
    /// Parses `os/arch[/variant]`, e.g. `linux/arm/v7`. Panics on other shapes.
    pub fn parse(s: &str) -> Platform {
        let parts: Vec<&str> = s.split('/').collect();
        assert!(parts.len() == 2 || parts.len() == 3, "bad platform {s:?}");
        Platform {
            os: parts[0].into(),
            architecture: parts[1].into(),
            variant: parts.get(2).map(|v| v.to_string()),
        }
    }

    /// The OCI `platform` JSON object.
    pub fn to_json(&self) -> Value {
        let mut v = json!({"architecture": self.architecture, "os": self.os});
        if let Some(var) = &self.variant {
            v["variant"] = json!(var);
        }
        v
    }
}

impl Default for Platform {
    /// `linux/amd64`.
    fn default() -> Self {
        Platform::parse("linux/amd64")
    }
}

/// A layer blob built by [`build_layer`].
#[derive(Clone, Debug)]
pub struct Layer {
    /// The tar+gzip bytes.
    pub compressed: Vec<u8>,
    /// `sha256:…` of `compressed` (the layer digest).
    pub digest: String,
    /// `sha256:…` of the uncompressed tar (the config's diff_id).
    pub diff_id: String,
    /// Length of the uncompressed tar.
    pub uncompressed_size: u64,
}

/// `sha256:<hex>` of `data`.
pub fn sha256_digest(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// Builds an uncompressed tar of `entries`, in order (deterministic headers).
pub fn build_tar(entries: &[TarEntry]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_ustar();
        h.set_mtime(MTIME);
        h.set_uid(0);
        h.set_gid(0);
        let _ = h.set_username("root");
        let _ = h.set_groupname("root");
        match e {
            TarEntry::Dir { path, mode } => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(*mode);
                h.set_size(0);
                let p = format!("{}/", path.trim_end_matches('/'));
                b.append_data(&mut h, p, &[][..]).unwrap();
            }
            TarEntry::File { path, data, mode } => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(*mode);
                h.set_size(data.len() as u64);
                b.append_data(&mut h, path, &data[..]).unwrap();
            }
            TarEntry::Symlink { path, target } => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_mode(0o777);
                h.set_size(0);
                b.append_link(&mut h, path, target).unwrap();
            }
            TarEntry::Hardlink { path, target } => {
                h.set_entry_type(tar::EntryType::Link);
                h.set_mode(0o644);
                h.set_size(0);
                b.append_link(&mut h, path, target).unwrap();
            }
            TarEntry::Whiteout { path } => {
                let (parent, name) = match path.trim_end_matches('/').rsplit_once('/') {
                    Some((p, n)) => (format!("{p}/"), n.to_string()),
                    None => (String::new(), path.trim_end_matches('/').to_string()),
                };
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o644);
                h.set_size(0);
                b.append_data(&mut h, format!("{parent}.wh.{name}"), &[][..])
                    .unwrap();
            }
            TarEntry::OpaqueWhiteout { dir } => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o644);
                h.set_size(0);
                b.append_data(
                    &mut h,
                    format!("{}/.wh..wh..opq", dir.trim_end_matches('/')),
                    &[][..],
                )
                .unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

/// A tar with one member whose raw name (and link target) are written as given, as a hostile
/// tar carries them (the tar crate's setters refuse `..` in names), then the end blocks.
pub fn raw_member_tar(kind: tar::EntryType, name: &str, target: &str) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(0);
    h.set_mode(0o644);
    h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    h.as_old_mut().linkname[..target.len()].copy_from_slice(target.as_bytes());
    h.set_cksum();
    let mut raw = h.as_bytes().to_vec();
    raw.extend_from_slice(&[0u8; 1024]);
    raw
}

/// Builds a tar+gzip layer of `entries`.
pub fn build_layer(entries: &[TarEntry]) -> Layer {
    let tar = build_tar(entries);
    let level = if tar.len() > 1 << 20 {
        Compression::fast()
    } else {
        Compression::default()
    };
    let mut gz = GzEncoder::new(Vec::new(), level);
    gz.write_all(&tar).unwrap();
    let compressed = gz.finish().unwrap();
    Layer {
        digest: sha256_digest(&compressed),
        diff_id: sha256_digest(&tar),
        uncompressed_size: tar.len() as u64,
        compressed,
    }
}

/// Path of the blob `digest` (`sha256:…`) inside `layout_dir`.
pub fn blob_path(layout_dir: &Path, digest: &str) -> PathBuf {
    let (alg, hex) = digest.split_once(':').expect("digest has algorithm");
    layout_dir.join("blobs").join(alg).join(hex)
}

/// Writes `data` as a blob into `layout_dir` (creating the layout if needed); returns its
/// descriptor `{mediaType, digest, size}`.
pub fn write_blob(layout_dir: &Path, media_type: &str, data: &[u8]) -> Value {
    init_layout(layout_dir);
    let digest = sha256_digest(data);
    let path = blob_path(layout_dir, &digest);
    if !path.exists() {
        fs::write(&path, data).unwrap();
    }
    json!({"mediaType": media_type, "digest": digest, "size": data.len()})
}

/// Reads blob `digest` from `layout_dir`.
pub fn read_blob(layout_dir: &Path, digest: &str) -> Vec<u8> {
    fs::read(blob_path(layout_dir, digest)).unwrap_or_else(|e| panic!("read blob {digest}: {e}"))
}

/// Reads blob `digest` from `layout_dir` as JSON (a manifest, index or config).
pub fn read_json_blob(layout_dir: &Path, digest: &str) -> Value {
    serde_json::from_slice(&read_blob(layout_dir, digest)).unwrap()
}

/// Creates `oci-layout`, `index.json` (empty) and `blobs/sha256/` if missing.
pub fn init_layout(layout_dir: &Path) {
    fs::create_dir_all(layout_dir.join("blobs").join("sha256")).unwrap();
    let marker = layout_dir.join("oci-layout");
    if !marker.exists() {
        fs::write(marker, br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    }
    let index = layout_dir.join("index.json");
    if !index.exists() {
        fs::write(
            index,
            json!({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": []}).to_string(),
        )
        .unwrap();
    }
}

/// The layout's `index.json` as JSON.
pub fn read_index_json(layout_dir: &Path) -> Value {
    serde_json::from_slice(&fs::read(layout_dir.join("index.json")).unwrap()).unwrap()
}

/// Adds `descriptor` to `index.json` under `tag` (annotation `org.opencontainers.image.ref.name`),
/// replacing an entry with the same tag.
pub fn tag_descriptor(layout_dir: &Path, tag: &str, mut descriptor: Value) {
    init_layout(layout_dir);
    descriptor["annotations"] = json!({ REF_NAME: tag });
    let mut index = read_index_json(layout_dir);
    let manifests = index["manifests"].as_array_mut().unwrap();
    manifests.retain(|d| d["annotations"][REF_NAME].as_str() != Some(tag));
    manifests.push(descriptor);
    fs::write(
        layout_dir.join("index.json"),
        serde_json::to_vec(&index).unwrap(),
    )
    .unwrap();
}

/// Writes config + layers + manifest blobs of an image (not tagged); returns the manifest
/// descriptor (`mediaType`, `digest`, `size`, plus `platform`).
pub fn write_image(layout_dir: &Path, layers: &[Layer], platform: &Platform) -> Value {
    let mut config = json!({
        "created": "2023-11-14T22:13:20Z",
        "architecture": platform.architecture,
        "os": platform.os,
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["/bin/sh"],
            "WorkingDir": "/",
        },
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>()},
        "history": layers.iter().enumerate().map(|(i, _)| json!({
            "created": "2023-11-14T22:13:20Z",
            "created_by": format!("imgctl test layer {i}"),
        })).collect::<Vec<_>>(),
    });
    if let Some(v) = &platform.variant {
        config["variant"] = json!(v);
    }
    let config_desc = write_blob(layout_dir, MT_CONFIG, &serde_json::to_vec(&config).unwrap());
    let layer_descs: Vec<Value> = layers
        .iter()
        .map(|l| write_blob(layout_dir, MT_LAYER_GZIP, &l.compressed))
        .collect();
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": MT_MANIFEST,
        "config": config_desc,
        "layers": layer_descs,
    });
    let mut desc = write_blob(
        layout_dir,
        MT_MANIFEST,
        &serde_json::to_vec(&manifest).unwrap(),
    );
    desc["platform"] = platform.to_json();
    desc
}

/// Builds an image from `layers` (each a list of tar entries, bottom first) for `platform`
/// into the OCI layout `layout_dir` (created if missing), tags it `tag` in `index.json`, and
/// returns the manifest digest `sha256:…`.
pub fn build_image(
    layout_dir: &Path,
    tag: &str,
    layers: Vec<Vec<TarEntry>>,
    platform: &Platform,
) -> String {
    let built: Vec<Layer> = layers.iter().map(|l| build_layer(l)).collect();
    let desc = write_image(layout_dir, &built, platform);
    let digest = desc["digest"].as_str().unwrap().to_string();
    tag_descriptor(
        layout_dir,
        tag,
        json!({"mediaType": MT_MANIFEST, "digest": digest, "size": desc["size"]}),
    );
    digest
}

/// The standard two-layer test tree. Layer 0: dirs `etc`, `usr/bin`, `var/lib/app`; files
/// `etc/hostname`, `etc/removed-later`, `usr/bin/hello` (0755); symlink `usr/bin/hi` → `hello`.
/// Layer 1: file `etc/motd`, dir `opt/app`, file `opt/app/data.txt`, whiteout of
/// `etc/removed-later`.
pub fn standard_layers() -> Vec<Vec<TarEntry>> {
    vec![
        vec![
            TarEntry::dir("etc"),
            TarEntry::file("etc/hostname", "imgctl-test\n"),
            TarEntry::file(
                "etc/removed-later",
                "this file is whited out by the upper layer\n",
            ),
            TarEntry::dir("usr"),
            TarEntry::dir("usr/bin"),
            TarEntry::file_mode("usr/bin/hello", "#!/bin/sh\necho hello\n", 0o755),
            TarEntry::symlink("usr/bin/hi", "hello"),
            TarEntry::dir("var"),
            TarEntry::dir("var/lib"),
            TarEntry::dir("var/lib/app"),
        ],
        vec![
            TarEntry::dir("etc"),
            TarEntry::file("etc/motd", "welcome to the imgctl test image\n"),
            TarEntry::whiteout("etc/removed-later"),
            TarEntry::dir("opt"),
            TarEntry::dir("opt/app"),
            TarEntry::file("opt/app/data.txt", "some data\n".repeat(100)),
        ],
    ]
}

/// Builds [`standard_layers`] as a linux/amd64 image tagged `tag`; returns the manifest digest.
pub fn build_standard_image(layout_dir: &Path, tag: &str) -> String {
    build_image(layout_dir, tag, standard_layers(), &Platform::default())
}

/// `n` pseudo-random (incompressible) bytes, deterministic for a given `seed` (splitmix64).
pub fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        out.extend_from_slice(&z.to_le_bytes());
    }
    out.truncate(n);
    out
}

/// Layer entries holding one file `random-<seed>.bin` of `n` incompressible bytes.
pub fn random_layer(n: usize, seed: u64) -> Vec<TarEntry> {
    vec![TarEntry::file(
        &format!("random-{seed}.bin"),
        random_bytes(n, seed),
    )]
}

/// Builds a linux/amd64 image of `layer_count` random layers of `layer_size` bytes each
/// (seeds `seed`, `seed+1`, …) tagged `tag`; returns the manifest digest.
pub fn build_random_image(
    layout_dir: &Path,
    tag: &str,
    layer_count: usize,
    layer_size: usize,
    seed: u64,
) -> String {
    let layers = (0..layer_count)
        .map(|i| random_layer(layer_size, seed + i as u64))
        .collect();
    build_image(layout_dir, tag, layers, &Platform::default())
}

/// Builds an OCI image index tagged `tag` whose children are distinct single-layer images, one
/// per platform in `platforms` (e.g. `["linux/amd64", "linux/arm64", "linux/arm/v7"]`); each
/// child has a file `etc/platform` naming its platform. Returns the index digest.
pub fn build_index(layout_dir: &Path, tag: &str, platforms: &[&str]) -> String {
    let children: Vec<Value> = platforms
        .iter()
        .map(|p| {
            let platform = Platform::parse(p);
            let layer = build_layer(&[
                TarEntry::dir("etc"),
                TarEntry::file("etc/platform", format!("{p}\n")),
            ]);
            write_image(layout_dir, &[layer], &platform)
        })
        .collect();
    let index = json!({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": children});
    let desc = write_blob(layout_dir, MT_INDEX, &serde_json::to_vec(&index).unwrap());
    let digest = desc["digest"].as_str().unwrap().to_string();
    tag_descriptor(layout_dir, tag, desc);
    digest
}
