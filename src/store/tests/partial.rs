use super::*;

#[tokio::test]
async fn resumable_write_keeps_partial_and_resumes() {
    let (_d, l) = new_layout();
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let digest = Digest::sha256_of(&data);
    let size = Some(data.len() as u64);
    // First attempt: 1 MB then the connection drops.
    let err = l
        .write_blob_resumable(&digest, size, |off| {
            assert_eq!(off, 0);
            let part = &data[..1_000_000];
            async move { Ok(Cut(part)) }
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(!l.has_blob(&digest));
    assert_eq!(
        fs::metadata(l.partial_path(&digest)).unwrap().len(),
        1_000_000
    );
    // Second attempt continues at byte 1 000 000 and completes.
    let asked = std::sync::Mutex::new(Vec::new());
    let n = l
        .write_blob_resumable(&digest, size, |off| {
            asked.lock().unwrap().push(off);
            let rest = &data[off as usize..];
            async move { Ok(rest) }
        })
        .await
        .unwrap();
    assert_eq!(n, 2_000_000);
    assert_eq!(*asked.lock().unwrap(), vec![1_000_000]);
    assert_eq!(fs::read(l.blob_path(&digest)).unwrap(), data);
    assert!(!l.partial_path(&digest).exists());
}

#[tokio::test]
async fn a_complete_partial_is_verified_without_asking_for_more() {
    let (_d, l) = new_layout();
    let data = vec![8u8; 70_000];
    let digest = Digest::sha256_of(&data);
    fs::create_dir_all(l.partial_path(&digest).parent().unwrap()).unwrap();
    fs::write(l.partial_path(&digest), &data).unwrap();
    let n = l
        .write_blob_resumable(&digest, Some(70_000), |off| async move {
            Err::<&[u8], _>(Error::other(format!("asked from byte {off}")))
        })
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(fs::read(l.blob_path(&digest)).unwrap(), data);
    // A complete but wrong one is fetched again from byte 0.
    let other = vec![9u8; 70_000];
    let od = Digest::sha256_of(&other);
    fs::write(l.partial_path(&od), &data).unwrap();
    let asked = std::sync::Mutex::new(Vec::new());
    l.write_blob_resumable(&od, Some(70_000), |off| {
        asked.lock().unwrap().push(off);
        let rest = &other[off as usize..];
        async move { Ok(rest) }
    })
    .await
    .unwrap();
    assert_eq!(*asked.lock().unwrap(), vec![0]);
    assert_eq!(fs::read(l.blob_path(&od)).unwrap(), other);
}

#[tokio::test]
async fn resumable_write_restarts_after_a_bad_prefix() {
    let (_d, l) = new_layout();
    let data = vec![7u8; 100_000];
    let digest = Digest::sha256_of(&data);
    fs::create_dir_all(l.partial_path(&digest).parent().unwrap()).unwrap();
    fs::write(l.partial_path(&digest), vec![9u8; 50_000]).unwrap();
    let asked = std::sync::Mutex::new(Vec::new());
    l.write_blob_resumable(&digest, Some(100_000), |off| {
        asked.lock().unwrap().push(off);
        let rest = &data[off as usize..];
        async move { Ok(rest) }
    })
    .await
    .unwrap();
    assert_eq!(*asked.lock().unwrap(), vec![50_000, 0]);
    assert_eq!(fs::read(l.blob_path(&digest)).unwrap(), data);
    // Wrong content from the start: asked once more from byte 0, then Integrity, nothing
    // kept.
    let other = Digest::sha256_of(b"other");
    let asked = std::sync::Mutex::new(Vec::new());
    let err = l
        .write_blob_resumable(&other, Some(5), |off| {
            asked.lock().unwrap().push(off);
            async { Ok(&b"wrong"[..]) }
        })
        .await
        .unwrap_err();
    assert_eq!(*asked.lock().unwrap(), vec![0, 0]);
    assert_eq!(err.kind(), ErrorKind::Integrity);
    assert!(!l.has_blob(&other) && !l.partial_path(&other).exists());
}

#[tokio::test]
async fn a_source_that_fails_to_open_leaves_no_empty_partial() {
    let (_d, l) = new_layout();
    let digest = Digest::sha256_of(b"never arrives");
    let err = l
        .write_blob_resumable(&digest, Some(13), |_| async {
            Err::<&[u8], _>(Error::not_found("blob unknown to registry"))
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(!l.partial_path(&digest).exists(), "0-byte partial left");
    // A source that fails before its first byte: no partial either.
    let err = l
        .write_blob_resumable(&digest, Some(13), |_| async { Ok(Cut(b"")) })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert!(!l.partial_path(&digest).exists(), "0-byte partial left");
}

/// A real ENOSPC without root: the partial download is `/dev/full` (through a symlink).
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_full_disk_deletes_the_partial_download() {
    let (_d, l) = new_layout();
    let data = vec![5u8; 300_000];
    let digest = Digest::sha256_of(&data);
    let path = l.partial_path(&digest);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("/dev/full", &path).unwrap();
    let err = l
        .write_blob_resumable(&digest, Some(data.len() as u64), |off| {
            let rest = &data[off as usize..];
            async move { Ok(rest) }
        })
        .await
        .unwrap_err();
    assert!(is_disk_full(&err), "{err} / {:?}", err.hint());
    assert!(err.to_string().contains("failed to write"), "{err}");
    assert!(
        fs::symlink_metadata(&path).is_err(),
        "partial kept on a full disk"
    );
    assert!(!l.has_blob(&digest));
}
