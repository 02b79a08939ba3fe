//! In-memory fakes of [`ImageSource`] and [`ImageDestination`] and the transfer engine's unit
//! tests over them: fast, no registry, no files. The fakes use only the traits' public surface
//! (what a transport could do), and record every call so a test can say what the engine asked.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use oci_spec::image::{Descriptor, Platform};
use serde_json::json;
use tokio::io::AsyncReadExt;

use crate::blob::{BlobStream, FetchedManifest};
use crate::copy::{CopyOptions, CopyReport, Platforms, copy_image};
use crate::digest::{Digest, VerifyingReader};
use crate::error::{Error, ErrorKind, Result};
use crate::manifest::{Manifest, PlatformSpec};
use crate::progress::{BlobProgress, Reporter};
use crate::transport::{ImageDestination, ImageSource, MountOrigin};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// A blob's descriptor JSON for `bytes` of `media_type`.
fn descriptor_json(media_type: &str, bytes: &[u8]) -> serde_json::Value {
    json!({
        "mediaType": media_type,
        "digest": Digest::sha256_of(bytes).to_string(),
        "size": bytes.len(),
    })
}

fn fetched(bytes: Vec<u8>, media_type: &str) -> FetchedManifest {
    FetchedManifest {
        digest: Digest::sha256_of(&bytes),
        media_type: media_type.to_string(),
        bytes,
    }
}

/// One image built in memory: its manifest and the blobs it names (config first).
#[derive(Clone)]
struct TestImage {
    manifest: FetchedManifest,
    blobs: Vec<Vec<u8>>,
}

impl TestImage {
    /// An image for `os/arch` whose layers hold `layers` (each a distinct byte string).
    fn new(os: &str, arch: &str, layers: &[&[u8]]) -> TestImage {
        let config = serde_json::to_vec(&json!({
            "os": os, "architecture": arch,
            "rootfs": {"type": "layers", "diff_ids": []},
        }))
        .unwrap();
        let layer_descs: Vec<_> = layers
            .iter()
            .map(|l| descriptor_json(OCI_LAYER, l))
            .collect();
        let bytes = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": descriptor_json(OCI_CONFIG, &config),
            "layers": layer_descs,
        }))
        .unwrap();
        let mut blobs = vec![config];
        blobs.extend(layers.iter().map(|l| l.to_vec()));
        TestImage {
            manifest: fetched(bytes, OCI_MANIFEST),
            blobs,
        }
    }

    fn digests(&self) -> Vec<String> {
        self.blobs
            .iter()
            .map(|b| Digest::sha256_of(b).to_string())
            .collect()
    }
}

/// An index over `images`, each entry carrying its `os/arch` platform.
fn index_of(images: &[(&str, &str, &TestImage)]) -> FetchedManifest {
    let entries: Vec<_> = images
        .iter()
        .map(|(os, arch, img)| {
            json!({
                "mediaType": OCI_MANIFEST,
                "digest": img.manifest.digest.to_string(),
                "size": img.manifest.size(),
                "platform": {"os": os, "architecture": arch},
            })
        })
        .collect();
    let bytes = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": entries,
    }))
    .unwrap();
    fetched(bytes, OCI_INDEX)
}

/// An in-memory source: a root manifest, manifests by digest, blobs by digest.
#[derive(Default)]
struct FakeSource {
    root: Option<FetchedManifest>,
    manifests: BTreeMap<String, FetchedManifest>,
    /// Blob bytes by the digest that names them (a test may store wrong bytes on purpose).
    blobs: BTreeMap<String, Vec<u8>>,
    origin: Option<MountOrigin>,
    /// Every blob the engine opened, in order.
    blob_reads: Mutex<Vec<String>>,
    /// Every blob the engine asked [`ImageSource::check_blob`] about.
    checks: Mutex<Vec<String>>,
}

impl FakeSource {
    /// A source whose root is `root`, holding `images` (manifests and blobs).
    fn new(root: &FetchedManifest, images: &[&TestImage]) -> FakeSource {
        let mut s = FakeSource {
            root: Some(root.clone()),
            ..FakeSource::default()
        };
        for img in images {
            s.manifests
                .insert(img.manifest.digest.to_string(), img.manifest.clone());
            for b in &img.blobs {
                s.blobs.insert(Digest::sha256_of(b).to_string(), b.clone());
            }
        }
        s
    }

    fn mountable_from(mut self, registry: &str, repository: &str) -> FakeSource {
        self.origin = Some(MountOrigin {
            registry: registry.into(),
            repository: repository.into(),
        });
        self
    }

    fn reads(&self) -> Vec<String> {
        self.blob_reads.lock().unwrap().clone()
    }
}

#[async_trait]
impl ImageSource for FakeSource {
    fn describe(&self) -> String {
        "fake-source".into()
    }
    async fn root_manifest(&self) -> Result<FetchedManifest> {
        self.root
            .clone()
            .ok_or_else(|| Error::not_found("fake-source names no image"))
    }
    async fn manifest(&self, digest: &Digest) -> Result<FetchedManifest> {
        self.manifests
            .get(&digest.to_string())
            .cloned()
            .ok_or_else(|| Error::not_found(format!("manifest {digest} not in fake-source")))
    }
    async fn blob(&self, desc: &Descriptor, offset: u64) -> Result<BlobStream> {
        let d = desc.digest().to_string();
        self.blob_reads.lock().unwrap().push(d.clone());
        let bytes = self
            .blobs
            .get(&d)
            .ok_or_else(|| Error::not_found(format!("blob {d} not in fake-source")))?;
        Ok(Box::pin(std::io::Cursor::new(
            bytes[offset as usize..].to_vec(),
        )))
    }
    fn mount_origin(&self) -> Option<MountOrigin> {
        self.origin.clone()
    }
    async fn check_blob(&self, desc: &Descriptor) -> Option<Error> {
        let d = desc.digest().to_string();
        self.checks.lock().unwrap().push(d.clone());
        match self.blobs.get(&d) {
            None => Some(Error::not_found(format!("fake-source lacks blob {d}"))),
            Some(b) if Digest::sha256_of(b).to_string() != d => Some(Error::integrity(format!(
                "fake-source holds corrupt blob {d}"
            ))),
            Some(_) => None,
        }
    }
}

/// What a [`FakeDestination`] was asked to do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Call {
    Prepare(Option<MountOrigin>),
    Has(String),
    Mount(String),
    Put(String),
    PutManifest(String),
    Commit(String, Option<String>),
}

/// An in-memory destination: blobs it already has, blobs a mount would bring, failures to
/// inject; it verifies what it is given, as the trait asks of every destination.
#[derive(Default)]
struct FakeDestination {
    /// Blobs held (the initial ones and those written).
    held: Mutex<BTreeSet<String>>,
    /// Blobs a mount from any origin succeeds for.
    mountable: BTreeSet<String>,
    /// A failure of `put_blob` for a digest.
    fail_put: BTreeMap<String, ErrorKind>,
    /// A failure of `has_blob` for a digest.
    fail_has: BTreeMap<String, ErrorKind>,
    /// Blobs the destination refuses as not matching their digest (a registry's
    /// DIGEST_INVALID) although the bytes it read were right.
    refuse: BTreeSet<String>,
    calls: Mutex<Vec<Call>>,
    /// Concurrent `put_blob` calls now and at most.
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl FakeDestination {
    fn holding(digests: &[String]) -> FakeDestination {
        FakeDestination {
            held: Mutex::new(digests.iter().cloned().collect()),
            ..FakeDestination::default()
        }
    }
    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
    fn log(&self, c: Call) {
        self.calls.lock().unwrap().push(c);
    }
    fn puts(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter_map(|c| match c {
                Call::Put(d) => Some(d),
                _ => None,
            })
            .collect()
    }
    fn manifest_writes(&self) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| matches!(c, Call::PutManifest(_) | Call::Commit(..)))
            .collect()
    }
}

#[async_trait]
impl ImageDestination for FakeDestination {
    fn describe(&self) -> String {
        "fake-destination".into()
    }
    async fn prepare(&self, origin: Option<&MountOrigin>) -> Result<()> {
        self.log(Call::Prepare(origin.cloned()));
        Ok(())
    }
    async fn has_blob(&self, desc: &Descriptor) -> Result<bool> {
        let d = desc.digest().to_string();
        self.log(Call::Has(d.clone()));
        if let Some(kind) = self.fail_has.get(&d) {
            return Err(Error::new(*kind, format!("HEAD {d} failed")));
        }
        Ok(self.held.lock().unwrap().contains(&d))
    }
    async fn mount_blob(&self, desc: &Descriptor, _origin: &MountOrigin) -> Result<bool> {
        let d = desc.digest().to_string();
        self.log(Call::Mount(d.clone()));
        if self.mountable.contains(&d) {
            self.held.lock().unwrap().insert(d);
            return Ok(true);
        }
        Ok(false)
    }
    async fn put_blob(
        &self,
        desc: &Descriptor,
        source: &dyn ImageSource,
        progress: &BlobProgress,
    ) -> Result<u64> {
        let d = desc.digest().to_string();
        self.log(Call::Put(d.clone()));
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        // Let the other transfers run, so concurrency shows.
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
        let result = async {
            if let Some(kind) = self.fail_put.get(&d) {
                return Err(Error::new(*kind, format!("upload of {d} refused")));
            }
            let stream = source.blob(desc, 0).await?;
            let digest: Digest = d.parse()?;
            let mut bytes = Vec::new();
            VerifyingReader::new(stream, digest, Some(desc.size()))
                .read_to_end(&mut bytes)
                .await?;
            if self.refuse.contains(&d) {
                return Err(Error::integrity(format!(
                    "fake-destination: DIGEST_INVALID {d}"
                )));
            }
            progress.inc(bytes.len() as u64);
            self.held.lock().unwrap().insert(d.clone());
            Ok(bytes.len() as u64)
        }
        .await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        result
    }
    async fn put_manifest(&self, manifest: &FetchedManifest) -> Result<()> {
        manifest.digest.verify(&manifest.bytes)?;
        self.log(Call::PutManifest(manifest.digest.to_string()));
        Ok(())
    }
    async fn commit(&self, root: &FetchedManifest, platform: Option<&Platform>) -> Result<()> {
        root.digest.verify(&root.bytes)?;
        self.log(Call::Commit(
            root.digest.to_string(),
            platform.map(crate::manifest::platform_string),
        ));
        Ok(())
    }
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

fn copy(
    src: &FakeSource,
    dst: &FakeDestination,
    platforms: Platforms,
    jobs: usize,
) -> Result<CopyReport> {
    run(copy_image(
        src,
        dst,
        &CopyOptions::new(platforms, jobs),
        &Reporter::hidden(),
    ))
}

fn platform(s: &str) -> PlatformSpec {
    let mut p: PlatformSpec = s.parse().unwrap();
    p.explicit = true;
    p
}

fn amd64() -> TestImage {
    TestImage::new("linux", "amd64", &[b"base layer", b"amd64 layer"])
}
fn arm64() -> TestImage {
    TestImage::new("linux", "arm64", &[b"base layer", b"arm64 layer"])
}
fn s390x() -> TestImage {
    TestImage::new("linux", "s390x", &[b"s390x layer"])
}

#[test]
fn a_single_image_uploads_every_blob_then_commits_its_manifest() {
    let img = amd64();
    let src = FakeSource::new(&img.manifest, &[&img]);
    let dst = FakeDestination::default();
    let report = copy(&src, &dst, Platforms::All, 4).unwrap();
    assert_eq!(report.digest, img.manifest.digest.to_string());
    assert_eq!(report.media_type, OCI_MANIFEST);
    assert_eq!(report.size, img.manifest.bytes.len() as u64);
    assert_eq!(report.platforms, vec!["linux/amd64"]);
    assert_eq!(report.blobs.uploaded, 3);
    assert_eq!((report.blobs.skipped, report.blobs.mounted), (0, 0));
    let total: usize = img.blobs.iter().map(Vec::len).sum();
    assert_eq!(report.blobs.bytes, total as u64);
    let mut puts = dst.puts();
    puts.sort();
    let mut want = img.digests();
    want.sort();
    assert_eq!(puts, want);
    assert_eq!(
        dst.manifest_writes(),
        vec![Call::Commit(img.manifest.digest.to_string(), None)]
    );
}

#[test]
fn blobs_the_destination_has_are_skipped_without_reading_or_mounting_them() {
    let img = amd64();
    let src = FakeSource::new(&img.manifest, &[&img]).mountable_from("r.example", "lib/app");
    let held = img.digests()[1..].to_vec();
    let dst = FakeDestination::holding(&held);
    let report = copy(&src, &dst, Platforms::All, 2).unwrap();
    assert_eq!(report.blobs.skipped, 2);
    assert_eq!(report.blobs.uploaded, 1);
    let config = img.digests()[0].clone();
    assert_eq!(report.blobs.bytes, img.blobs[0].len() as u64);
    assert_eq!(dst.puts(), vec![config.clone()]);
    for d in &held {
        assert!(
            !dst.calls().contains(&Call::Mount(d.clone())),
            "{d} mounted"
        );
        assert!(!dst.calls().contains(&Call::Put(d.clone())), "{d} uploaded");
    }
    // The config is read once, for the platform; the upload sends those bytes (verified
    // against the descriptor again on the way); held layers are never read.
    assert_eq!(src.reads(), vec![config]);
}

#[test]
fn a_mount_is_preferred_to_an_upload_and_an_unmounted_blob_is_uploaded() {
    let img = amd64();
    let src = FakeSource::new(&img.manifest, &[&img]).mountable_from("r.example", "lib/app");
    let digests = img.digests();
    let dst = FakeDestination {
        mountable: digests[1..].iter().cloned().collect(),
        ..FakeDestination::default()
    };
    let report = copy(&src, &dst, Platforms::All, 2).unwrap();
    assert_eq!(
        (
            report.blobs.mounted,
            report.blobs.uploaded,
            report.blobs.skipped
        ),
        (2, 1, 0)
    );
    assert_eq!(dst.puts(), vec![digests[0].clone()]);
    let calls = dst.calls();
    assert_eq!(
        calls[0],
        Call::Prepare(Some(MountOrigin {
            registry: "r.example".into(),
            repository: "lib/app".into()
        }))
    );
    // Each blob: HEAD, then the mount; the upload only after a refused mount.
    for d in &digests {
        let has = calls
            .iter()
            .position(|c| *c == Call::Has(d.clone()))
            .unwrap();
        let mount = calls
            .iter()
            .position(|c| *c == Call::Mount(d.clone()))
            .unwrap();
        assert!(has < mount, "{calls:?}");
    }
    let mount0 = calls
        .iter()
        .position(|c| *c == Call::Mount(digests[0].clone()));
    let put0 = calls
        .iter()
        .position(|c| *c == Call::Put(digests[0].clone()));
    assert!(mount0 < put0, "{calls:?}");
}

#[test]
fn without_a_mount_origin_no_mount_is_tried() {
    let img = amd64();
    let src = FakeSource::new(&img.manifest, &[&img]);
    let dst = FakeDestination {
        mountable: img.digests().into_iter().collect(),
        ..FakeDestination::default()
    };
    let report = copy(&src, &dst, Platforms::All, 2).unwrap();
    assert_eq!((report.blobs.mounted, report.blobs.uploaded), (0, 3));
    assert!(dst.calls().contains(&Call::Prepare(None)));
    assert!(!dst.calls().iter().any(|c| matches!(c, Call::Mount(_))));
}

#[test]
fn a_corrupt_source_blob_is_blamed_on_the_source_and_nothing_is_committed() {
    let img = amd64();
    let mut src = FakeSource::new(&img.manifest, &[&img]);
    let bad = img.digests()[2].clone();
    src.blobs.insert(bad.clone(), b"amd64 layeX".to_vec());
    let dst = FakeDestination::default();
    let e = copy(&src, &dst, Platforms::All, 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Integrity);
    assert_eq!(
        e.to_string(),
        format!("fake-source holds corrupt blob {bad}")
    );
    assert_eq!(src.checks.lock().unwrap().clone(), vec![bad]);
    assert!(dst.manifest_writes().is_empty(), "{:?}", dst.calls());
}

#[test]
fn a_digest_refusal_with_a_sound_source_is_blamed_on_the_destination() {
    let img = amd64();
    let src = FakeSource::new(&img.manifest, &[&img]);
    let refused = img.digests()[1].clone();
    let dst = FakeDestination {
        refuse: BTreeSet::from([refused.clone()]),
        ..FakeDestination::default()
    };
    let e = copy(&src, &dst, Platforms::All, 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Integrity);
    assert_eq!(
        e.to_string(),
        format!(
            "failed to copy blob {refused} to fake-destination: \
             fake-destination: DIGEST_INVALID {refused}"
        )
    );
    // The source was asked about its own copy, and it was sound.
    assert_eq!(src.checks.lock().unwrap().clone(), vec![refused]);
    assert!(dst.manifest_writes().is_empty());
}

#[test]
fn a_corrupt_config_is_blamed_on_the_source_before_any_blob_moves() {
    let img = amd64();
    let mut src = FakeSource::new(&img.manifest, &[&img]);
    let config = img.digests()[0].clone();
    src.blobs.insert(config.clone(), b"{}".to_vec());
    let dst = FakeDestination::default();
    let e = copy(&src, &dst, Platforms::All, 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Integrity);
    assert_eq!(
        e.to_string(),
        format!("fake-source holds corrupt blob {config}")
    );
    assert!(dst.calls().is_empty(), "{:?}", dst.calls());
}

#[test]
fn an_index_of_several_platforms_moves_shared_blobs_once_and_writes_children_first() {
    let (a, b) = (amd64(), arm64());
    let index = index_of(&[("linux", "amd64", &a), ("linux", "arm64", &b)]);
    let src = FakeSource::new(&index, &[&a, &b]);
    let dst = FakeDestination::default();
    let report = copy(&src, &dst, Platforms::All, 4).unwrap();
    assert_eq!(report.digest, index.digest.to_string());
    assert_eq!(report.media_type, OCI_INDEX);
    assert_eq!(report.platforms, vec!["linux/amd64", "linux/arm64"]);
    // Two configs, one shared base layer, two own layers.
    assert_eq!(report.blobs.uploaded, 5);
    let puts = dst.puts();
    let unique: BTreeSet<_> = puts.iter().collect();
    assert_eq!(puts.len(), unique.len(), "a blob was sent twice: {puts:?}");
    let all: BTreeSet<String> = a.digests().into_iter().chain(b.digests()).collect();
    assert_eq!(unique.into_iter().cloned().collect::<BTreeSet<_>>(), all);
    assert_eq!(
        dst.manifest_writes(),
        vec![
            Call::PutManifest(a.manifest.digest.to_string()),
            Call::PutManifest(b.manifest.digest.to_string()),
            Call::Commit(index.digest.to_string(), None),
        ]
    );
    // Every blob was in place before the first manifest.
    let calls = dst.calls();
    let first_manifest = calls
        .iter()
        .position(|c| matches!(c, Call::PutManifest(_)))
        .unwrap();
    let last_put = calls
        .iter()
        .rposition(|c| matches!(c, Call::Put(_)))
        .unwrap();
    assert!(last_put < first_manifest, "{calls:?}");
}

#[test]
fn one_platform_of_an_index_becomes_the_root_and_only_its_blobs_move() {
    let (a, b) = (amd64(), arm64());
    let index = index_of(&[("linux", "amd64", &a), ("linux", "arm64", &b)]);
    let src = FakeSource::new(&index, &[&a, &b]);
    let dst = FakeDestination::default();
    let report = copy(&src, &dst, Platforms::One(platform("linux/arm64")), 4).unwrap();
    assert_eq!(report.digest, b.manifest.digest.to_string());
    assert_eq!(report.media_type, OCI_MANIFEST);
    assert_eq!(report.platforms, vec!["linux/arm64"]);
    let mut puts = dst.puts();
    puts.sort();
    let mut want = b.digests();
    want.sort();
    assert_eq!(puts, want);
    assert_eq!(
        dst.manifest_writes(),
        vec![Call::Commit(
            b.manifest.digest.to_string(),
            Some("linux/arm64".into())
        )]
    );
}

#[test]
fn a_platform_list_writes_a_new_index_of_the_chosen_images() {
    let (a, b, c) = (amd64(), arm64(), s390x());
    let index = index_of(&[
        ("linux", "amd64", &a),
        ("linux", "arm64", &b),
        ("linux", "s390x", &c),
    ]);
    let src = FakeSource::new(&index, &[&a, &b, &c]);
    let dst = FakeDestination::default();
    let wants = vec![platform("linux/s390x"), platform("linux/amd64")];
    let report = copy(&src, &dst, Platforms::List(wants), 4).unwrap();
    assert_eq!(report.media_type, OCI_INDEX);
    assert_ne!(report.digest, index.digest.to_string());
    let written = dst.manifest_writes();
    let Some(Call::Commit(root, None)) = written.last() else {
        panic!("no commit: {written:?}");
    };
    assert_eq!(*root, report.digest);
    // The new index keeps the source's order of the chosen entries.
    assert_eq!(
        written[..written.len() - 1].to_vec(),
        vec![
            Call::PutManifest(a.manifest.digest.to_string()),
            Call::PutManifest(c.manifest.digest.to_string()),
        ]
    );
    assert_eq!(report.platforms, vec!["linux/amd64", "linux/s390x"]);
    let puts: BTreeSet<String> = dst.puts().into_iter().collect();
    let want: BTreeSet<String> = a.digests().into_iter().chain(c.digests()).collect();
    assert_eq!(puts, want);
    assert!(!puts.contains(&b.digests()[2]), "arm64's own layer moved");
}

#[test]
fn a_platform_the_index_lacks_is_not_found_listing_the_available_ones() {
    let (a, b) = (amd64(), arm64());
    let index = index_of(&[("linux", "amd64", &a), ("linux", "arm64", &b)]);
    let src = FakeSource::new(&index, &[&a, &b]);
    let dst = FakeDestination::default();
    let e = copy(&src, &dst, Platforms::One(platform("linux/riscv64")), 4).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(
        e.to_string(),
        "fake-source has no image for platform linux/riscv64 \
         (available: linux/amd64, linux/arm64)"
    );
    assert_eq!(
        e.hint().map(|h| h.to_string()).as_deref(),
        Some("pick one with --platform, or copy them all with --all-platforms")
    );
    let e = copy(
        &src,
        &dst,
        Platforms::List(vec![platform("linux/riscv64")]),
        4,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.to_string().starts_with("fake-source: "), "{e}");
    assert!(dst.calls().is_empty(), "{:?}", dst.calls());
}

#[test]
fn an_explicit_platform_refuses_a_single_image_built_for_another() {
    let img = amd64();
    let src = FakeSource::new(&img.manifest, &[&img]);
    let dst = FakeDestination::default();
    let e = copy(&src, &dst, Platforms::One(platform("linux/arm64")), 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(
        e.to_string(),
        "fake-source is a single-platform image for linux/amd64, not linux/arm64"
    );
    assert!(dst.calls().is_empty());
    // The default (host) platform takes the image as it is.
    let mut host = platform("linux/arm64");
    host.explicit = false;
    let report = copy(&src, &dst, Platforms::One(host), 1).unwrap();
    assert_eq!(report.digest, img.manifest.digest.to_string());
}

#[test]
fn the_first_failed_blob_fails_the_copy_with_its_context_and_no_manifest_is_written() {
    let img = amd64();
    let src = FakeSource::new(&img.manifest, &[&img]);
    let failing = img.digests()[1].clone();
    let dst = FakeDestination {
        fail_put: BTreeMap::from([(failing.clone(), ErrorKind::Network)]),
        ..FakeDestination::default()
    };
    let e = copy(&src, &dst, Platforms::All, 4).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
    assert_eq!(
        e.to_string(),
        format!("failed to copy blob {failing} to fake-destination: upload of {failing} refused")
    );
    assert!(dst.manifest_writes().is_empty(), "{:?}", dst.calls());
    // Not an Integrity failure: the source is not asked about its copy.
    assert!(src.checks.lock().unwrap().is_empty());
}

#[test]
fn a_failed_existence_check_is_an_error_never_a_missing_blob() {
    let img = amd64();
    let src = FakeSource::new(&img.manifest, &[&img]);
    let d = img.digests()[2].clone();
    let dst = FakeDestination {
        fail_has: BTreeMap::from([(d.clone(), ErrorKind::Auth)]),
        ..FakeDestination::default()
    };
    let e = copy(&src, &dst, Platforms::All, 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(e.to_string().contains(&format!("HEAD {d} failed")), "{e}");
    assert!(!dst.puts().contains(&d), "uploaded after a failed HEAD");
    assert!(dst.manifest_writes().is_empty());
}

#[test]
fn a_cancelled_copy_moves_nothing_and_commits_nothing() {
    let img = amd64();
    let src = FakeSource::new(&img.manifest, &[&img]);
    let dst = FakeDestination::default();
    let opts = CopyOptions::new(Platforms::All, 2);
    opts.limiter.close();
    let e = run(copy_image(&src, &dst, &opts, &Reporter::hidden())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Other);
    assert_eq!(e.to_string(), "copy cancelled");
    assert!(
        !dst.calls().iter().any(|c| matches!(
            c,
            Call::Has(_) | Call::Put(_) | Call::PutManifest(_) | Call::Commit(..)
        )),
        "{:?}",
        dst.calls()
    );
}

#[test]
fn blob_transfers_run_concurrently_up_to_the_jobs_limit() {
    let layers: Vec<Vec<u8>> = (0..6).map(|i| format!("layer {i}").into_bytes()).collect();
    let refs: Vec<&[u8]> = layers.iter().map(Vec::as_slice).collect();
    let img = TestImage::new("linux", "amd64", &refs);
    for jobs in [1, 3] {
        let src = FakeSource::new(&img.manifest, &[&img]);
        let dst = FakeDestination::default();
        let report = copy(&src, &dst, Platforms::All, jobs).unwrap();
        assert_eq!(report.blobs.uploaded, 7);
        assert_eq!(
            dst.max_in_flight.load(Ordering::SeqCst),
            jobs,
            "jobs {jobs}"
        );
    }
}

#[test]
fn the_fake_images_parse_as_the_engine_sees_them() {
    // Guards the fakes themselves: a broken builder would make every test above vacuous.
    let img = amd64();
    let Manifest::Image(m) = Manifest::parse(&img.manifest.bytes, OCI_MANIFEST).unwrap() else {
        panic!("not an image");
    };
    assert_eq!(m.layers().len(), 2);
    assert_eq!(m.config().digest().to_string(), img.digests()[0]);
    let index = index_of(&[("linux", "amd64", &img)]);
    let Manifest::Index(i) = Manifest::parse(&index.bytes, OCI_INDEX).unwrap() else {
        panic!("not an index");
    };
    assert_eq!(
        i.manifests()[0].digest().to_string(),
        img.manifest.digest.to_string()
    );
}
