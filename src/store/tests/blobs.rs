use super::*;
use crate::store::blobs::CHUNK;
use tokio::io::AsyncReadExt;

#[tokio::test]
async fn writes_and_reads_blobs() {
    let (_d, l) = new_layout();
    let data: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i * 7 % 251) as u8).collect();
    let d = Digest::sha256_of(&data);
    let n = l
        .write_blob(
            &d,
            Some(data.len() as u64),
            Trickle {
                data: &data,
                step: 7000,
            },
        )
        .await
        .unwrap();
    assert_eq!(n, data.len() as u64);
    assert!(l.has_blob(&d));
    assert_eq!(fs::read(l.blob_path(&d)).unwrap(), data);
    // Present: the reader is not consumed and nothing is rewritten.
    assert_eq!(l.write_blob(&d, None, &b"garbage"[..]).await.unwrap(), 0);
    let mut f = l.open_blob(&d, 1000).await.unwrap();
    let mut tail = Vec::new();
    f.read_to_end(&mut tail).await.unwrap();
    assert_eq!(tail, data[1000..]);
    assert_eq!(
        l.open_blob(&d, data.len() as u64 + 1)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Usage
    );

    let small = b"{\"hello\":1}";
    let sd = Digest::sha256_of(small);
    l.write_blob_bytes(&sd, small).unwrap();
    l.write_blob_bytes(&sd, small).unwrap();
    assert_eq!(l.read_blob_bytes(&sd).unwrap(), small);
    let missing = Digest::sha256_of(b"missing");
    assert_eq!(
        l.read_blob_bytes(&missing).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        l.open_blob(&missing, 0).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    // Empty blob and sha512.
    let e = Digest::sha256_of(b"");
    assert_eq!(l.write_blob(&e, Some(0), &b""[..]).await.unwrap(), 0);
    assert!(l.has_blob(&e));
    let d512: Digest = format!(
        "sha512:{}",
        hex::encode(<sha2::Sha512 as sha2::Digest>::digest(b"x"))
    )
    .parse()
    .unwrap();
    l.write_blob(&d512, Some(1), &b"x"[..]).await.unwrap();
    assert!(
        l.root()
            .join("blobs")
            .join("sha512")
            .join(d512.hex())
            .is_file()
    );
    assert_eq!(tmp_files(&l), 0);
}

#[tokio::test]
async fn verification_failure_leaves_nothing() {
    let (_d, l) = new_layout();
    let want = Digest::sha256_of(b"hello");
    let e = l
        .write_blob(&want, Some(5), &b"hellx"[..])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Integrity);
    let msg = e.to_string();
    assert!(
        msg.contains(&want.to_string()) && msg.contains(&Digest::sha256_of(b"hellx").to_string()),
        "{msg}"
    );
    // Too short, too long, unknown size.
    assert_eq!(
        l.write_blob(&want, Some(5), &b"hell"[..])
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Integrity
    );
    assert_eq!(
        l.write_blob(&want, Some(5), &b"hello!"[..])
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Integrity
    );
    assert_eq!(
        l.write_blob(&want, None, &b"hellx"[..])
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Integrity
    );
    // Right bytes, wrong declared size.
    assert_eq!(
        l.write_blob(&want, Some(4), &b"hello"[..])
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Integrity
    );
    assert_eq!(
        l.write_blob_bytes(&want, b"hellx").unwrap_err().kind(),
        ErrorKind::Integrity
    );
    // A reader that fails mid-way (a verifying reader, say) leaves nothing either.
    let failing = crate::digest::VerifyingReader::new(&b"hellx"[..], want.clone(), Some(5));
    assert_eq!(
        l.write_blob(&want, Some(5), failing)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Integrity
    );
    assert!(!l.has_blob(&want));
    assert_eq!(
        fs::read_dir(l.root().join("blobs").join("sha256"))
            .unwrap()
            .count(),
        0
    );
    assert_eq!(tmp_files(&l), 0);
    // A blob of the wrong length already present is replaced.
    fs::write(l.blob_path(&want), b"hel").unwrap();
    assert_eq!(
        l.write_blob(&want, Some(5), &b"hello"[..]).await.unwrap(),
        5
    );
    assert_eq!(fs::read(l.blob_path(&want)).unwrap(), b"hello");
}
