//! `imgctl blob`: one blob out of the real registry (verified, atomic -o) and one file in.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use common::*;

#[test]
fn blob_put_then_get_round_trips_through_the_registry_and_bad_digests_write_nothing() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let data = random_bytes(300_000, 7);
    let file = sb.dir().join("data.bin");
    std::fs::write(&file, &data).unwrap();
    let repo = reg.reference("blobs");
    let digest = sb
        .run_ok(&["blob", "--put", &repo, file.to_str().unwrap()])
        .trim()
        .to_string();
    assert_eq!(digest, sha256_digest(&data));
    // Twice: the registry has it; the same digest, no error.
    assert_eq!(
        sb.run_ok(&["blob", "--put", &repo, file.to_str().unwrap()])
            .trim(),
        digest
    );

    let out = sb.run(&["blob", &format!("{repo}@{digest}")]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(out.stdout, data);

    let saved = sb.dir().join("saved.bin");
    std::fs::write(&saved, b"old").unwrap();
    sb.run_ok(&[
        "blob",
        &format!("{repo}@{digest}"),
        "-o",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&saved).unwrap(), data);

    // A blob the repository lacks: exit 4, the existing file untouched, no temp file left.
    let missing = sha256_digest(b"not there");
    let o = sb.run(&[
        "blob",
        &format!("{repo}@{missing}"),
        "-o",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", describe(&o));
    assert_eq!(std::fs::read(&saved).unwrap(), data);
    let leftovers: Vec<_> = std::fs::read_dir(sb.dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".imgctl-blob-"))
        .collect();
    assert!(leftovers.is_empty());

    // No digest, or a file without --put: usage errors.
    assert_eq!(sb.run(&["blob", &repo]).status.code(), Some(2));
    assert_eq!(
        sb.run(&["blob", &format!("{repo}@{digest}"), "x"])
            .status
            .code(),
        Some(2)
    );
}
