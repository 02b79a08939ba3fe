use super::*;
use std::time::{Duration, SystemTime};

#[test]
fn gc_keeps_shared_and_removes_unreferenced() {
    let (_d, l) = new_layout();
    let shared = tar(1);
    let only_b = vec![9u8; 4096];
    let a = image(&l, &[&shared]);
    let b = image(&l, &[&shared, &only_b]);
    let idx = index_of(&l, &[a.clone(), b.clone()]);
    l.set_ref(Some("a"), a.clone()).unwrap();
    l.set_ref(Some("both"), idx.clone()).unwrap();
    let stray = put(&l, LAYER_TAR, b"stray");
    fs::write(
        l.root().join("blobs").join("sha256").join("not-a-digest"),
        b"x",
    )
    .unwrap();
    // A stale and a fresh temp file.
    let stale = l.temp_file("blob-").unwrap().keep().unwrap().1;
    let old = SystemTime::now() - STALE_TEMP_AGE - Duration::from_secs(60);
    File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let fresh = l.temp_file("blob-").unwrap();

    // A grace period keeps young garbage; dry-run deletes nothing.
    let young = GcOptions {
        min_age: Duration::from_secs(600),
        dry_run: false,
    };
    assert_eq!(l.gc_with(&young).unwrap(), GcStats::default());
    let dry = l
        .gc_with(&GcOptions {
            dry_run: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        dry,
        GcStats {
            blobs: 1,
            bytes: 5,
            deferred: false
        }
    );
    assert!(l.has_blob(&dig(&stray)));

    assert_eq!(
        l.gc().unwrap(),
        GcStats {
            blobs: 1,
            bytes: 5,
            deferred: false
        }
    );
    assert!(!l.has_blob(&dig(&stray)));
    assert!(
        l.root()
            .join("blobs")
            .join("sha256")
            .join("not-a-digest")
            .exists()
    );
    assert!(!stale.exists());
    assert!(fresh.path().exists());

    // Untag the index: b's manifest, config and own layer go; the shared layer stays.
    l.remove_ref("both").unwrap();
    let stats = l.gc().unwrap();
    assert_eq!(
        stats.blobs, 4,
        "index, b's manifest, b's config, b's own layer"
    );
    assert!(l.has_blob(&Digest::sha256_of(&shared)));
    assert!(!l.has_blob(&Digest::sha256_of(&only_b)));
    assert!(l.has_blob(&dig(&a)));
    l.read_blob_bytes(&dig(&a)).unwrap();
    assert_eq!(l.gc().unwrap(), GcStats::default());
}

#[test]
fn gc_refuses_when_a_manifest_is_missing_or_corrupt() {
    let (_d, l) = new_layout();
    let a = image(&l, &[&tar(1)]);
    let b = image(&l, &[&tar(2)]);
    let idx = index_of(&l, std::slice::from_ref(&b));
    l.set_ref(Some("a"), a.clone()).unwrap();
    l.set_ref(Some("i"), idx).unwrap();
    let stray = put(&l, LAYER_TAR, b"stray");
    let count = || {
        fs::read_dir(l.root().join("blobs").join("sha256"))
            .unwrap()
            .count()
    };
    let before = count();

    // A child of an index is missing.
    let b_bytes = fs::read(l.blob_path(&dig(&b))).unwrap();
    fs::remove_file(l.blob_path(&dig(&b))).unwrap();
    let e = l.gc().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.to_string().contains(&dig(&b).to_string()), "{e}");
    assert_eq!(count(), before - 1);
    assert!(l.has_blob(&dig(&stray)));

    // A top-level manifest is corrupt.
    fs::write(l.blob_path(&dig(&b)), &b_bytes).unwrap();
    fs::write(l.blob_path(&dig(&a)), b"{\"schemaVersion\":2}").unwrap();
    assert_eq!(l.gc().unwrap_err().kind(), ErrorKind::Integrity);
    assert_eq!(count(), before);

    // A top-level manifest is missing.
    fs::remove_file(l.blob_path(&dig(&a))).unwrap();
    assert_eq!(l.gc().unwrap_err().kind(), ErrorKind::NotFound);
    assert!(l.has_blob(&dig(&stray)));

    // Missing layers are fine: they reference nothing.
    l.remove_ref("a").unwrap();
    fs::remove_file(l.blob_path(&Digest::sha256_of(&tar(2)))).unwrap();
    assert_eq!(
        l.gc().unwrap().blobs,
        3,
        "a's config and layer, and the stray blob"
    );
}

#[test]
fn reads_and_collects_the_regclient_fixture() {
    let fixture = crate::fixture_path("archives/oci-layout-regclient-testrepo");
    assert!(
        fixture.join("index.json").is_file(),
        "{} is missing",
        fixture.display()
    );
    let l = Layout::open(&fixture).unwrap();
    assert_eq!(
        l.resolve("v1").unwrap().digest().to_string(),
        "sha256:7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa"
    );
    assert!(l.ref_names().unwrap().len() > 10);
    assert_eq!(l.resolve_default().unwrap_err().kind(), ErrorKind::Usage);

    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy");
    copy_dir(&fixture, &copy);
    let l = Layout::open_or_create(&copy).unwrap();
    let all = || -> Vec<_> {
        let mut v: Vec<_> = fs::read_dir(copy.join("blobs").join("sha256"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        v.sort();
        v
    };
    let before = all();
    assert_eq!(l.gc().unwrap(), GcStats::default());
    assert_eq!(all(), before);
    let stray = put(&l, LAYER_TAR, b"stray");
    assert_eq!(
        l.gc().unwrap(),
        GcStats {
            blobs: 1,
            bytes: 5,
            deferred: false
        }
    );
    assert!(!l.has_blob(&dig(&stray)));
    assert_eq!(all(), before);
    // Naming through imgctl keeps regclient's entries intact.
    let v1 = l.resolve("v1").unwrap();
    l.set_ref(Some("copy-of-v1"), v1.clone()).unwrap();
    assert_eq!(
        l.manifests().unwrap().len(),
        Layout::open(&fixture).unwrap().manifests().unwrap().len() + 1
    );
    assert_eq!(l.gc().unwrap(), GcStats::default());
}

#[test]
fn rmi_frees_space_before_writing_index_json_on_a_full_disk() {
    let (_d, l) = new_layout();
    let a = image(&l, &[&vec![3u8; 50_000]]);
    let b = image(&l, &[&vec![4u8; 60_000], &vec![6u8; 30_000]]);
    let shared = image(&l, &[&vec![4u8; 60_000], &tar(9)]);
    l.set_ref(Some("a"), a.clone()).unwrap();
    l.set_ref(Some("b"), b.clone()).unwrap();
    l.set_ref(Some("shared"), shared.clone()).unwrap();
    let partial = partial_file(&l, b"old download", 40_000);
    // Full: not a byte more fits.
    test_disk::set_quota(l.root(), test_disk::usage(l.root()));
    assert!(is_disk_full(&l.write_index(&empty_index()).unwrap_err()));

    // 1. Unused partial downloads make room.
    l.remove_ref("a").unwrap();
    assert!(!partial.exists());
    assert_eq!(l.ref_names().unwrap(), ["b", "shared"]);

    // 2. Still full, nothing partial: the removed image's own layers and config go first
    //    (a layer another image uses stays), then index.json is written; gc finishes.
    test_disk::set_quota(l.root(), test_disk::usage(l.root()));
    let held = l.writer_lock().unwrap();
    let e = l.remove_ref("b").unwrap_err();
    assert!(is_disk_full(&e), "{e}");
    assert!(
        l.has_blob(&dig(&b)),
        "nothing deleted while another process writes"
    );
    drop(held);
    l.remove_ref("b").unwrap();
    assert_eq!(l.ref_names().unwrap(), ["shared"]);
    let b_manifest: Value = serde_json::from_slice(&l.read_blob_bytes(&dig(&b)).unwrap()).unwrap();
    let b_config: Digest = b_manifest["config"]["digest"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(!l.has_blob(&b_config));
    assert!(!l.has_blob(&Digest::sha256_of(&vec![6u8; 30_000])));
    assert!(
        l.has_blob(&Digest::sha256_of(&vec![4u8; 60_000])),
        "shared layer kept"
    );
    test_disk::set_quota(l.root(), u64::MAX);
    l.gc().unwrap();
    assert!(!l.has_blob(&dig(&b)));
    // The remaining image is whole.
    assert!(l.mark(&l.read_index().unwrap()).is_ok());
    assert!(l.has_blob(&dig(&shared)));
}

#[test]
fn prune_deletes_unused_partials_temp_files_and_unreferenced_blobs() {
    let (_d, l) = new_layout();
    let a = image(&l, &[&tar(1)]);
    l.set_ref(Some("a"), a).unwrap();
    let stray = put(&l, LAYER_TAR, b"stray");
    let idle = partial_file(&l, b"idle", 1000);
    let busy = partial_file(&l, b"busy", 2000);
    let writer = File::options().read(true).write(true).open(&busy).unwrap();
    writer.lock().unwrap(); // another download is writing it
    let fresh = l.temp_file("blob-").unwrap().keep().unwrap().1;
    fs::write(&fresh, vec![0u8; 300]).unwrap();

    // While another process writes into the layout, its fresh temp files and blobs stay.
    let held = l.writer_lock().unwrap();
    let s = l.prune().unwrap();
    assert_eq!((s.partials, s.partials_in_use, s.temp_files), (1, 1, 0));
    assert_eq!(s.bytes, 1000);
    assert!(s.gc.deferred && l.has_blob(&dig(&stray)));
    assert!(!idle.exists() && busy.exists() && fresh.exists());
    drop(held);
    drop(writer);

    let s = l.prune().unwrap();
    assert_eq!((s.partials, s.partials_in_use, s.temp_files), (1, 0, 1));
    assert_eq!(s.bytes, 2300);
    assert_eq!(s.gc.blobs, 1);
    assert!(!busy.exists() && !fresh.exists() && !l.has_blob(&dig(&stray)));
    assert_eq!(l.prune().unwrap(), PruneStats::default());
    // Prune only deletes: it works on a full disk.
    partial_file(&l, b"again", 500);
    test_disk::set_quota(l.root(), test_disk::usage(l.root()));
    assert_eq!(l.prune().unwrap().partials, 1);
}

#[test]
fn gc_is_deferred_while_a_writer_holds_the_layout() {
    let (_d, l) = new_layout();
    put(&l, LAYER_TAR, b"stray");
    let guard = l.writer_lock().unwrap();
    let stats = l.gc().unwrap();
    assert!(stats.deferred);
    assert_eq!(stats.blobs, 0);
    assert!(l.has_blob(&Digest::sha256_of(b"stray")));
    drop(guard);
    let stats = l.gc().unwrap();
    assert!(!stats.deferred);
    assert_eq!(stats.blobs, 1);
}
