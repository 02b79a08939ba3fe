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

#[test]
fn blob_put_reads_stdin_for_dash_and_refuses_a_tag_or_digest() {
    use std::io::Write as _;
    use std::process::Stdio;
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let repo = reg.reference("blobs");
    // `-` is stdin (as `-o -` is stdout): uploaded whole, its digest printed.
    let data = random_bytes(700_000, 11);
    let mut child = sb
        .cmd()
        .args(["blob", "--put", &repo, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&data).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", describe(&o));
    let digest = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert_eq!(digest, sha256_digest(&data));
    let back = sb.run(&["blob", &format!("{repo}@{digest}")]);
    assert!(back.status.success(), "{}", describe(&back));
    assert_eq!(back.stdout, data);

    // A blob has no tag: REPO:TAG or REPO@DIGEST is refused before any upload.
    let file = sb.dir().join("data.bin");
    std::fs::write(&file, b"tagged?").unwrap();
    for target in [
        reg.reference("tagged:v1"),
        format!("{}@{}", reg.reference("tagged"), sha256_digest(b"tagged?")),
    ] {
        let o = sb.run(&["blob", "--put", &target, file.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("a blob has no tag"),
            "{}",
            describe(&o)
        );
    }
    assert!(
        !reg.access_log()
            .iter()
            .any(|e| e.path.starts_with("/v2/tagged/")),
        "nothing may reach the registry"
    );
}

#[test]
fn blob_output_paths_that_cannot_be_a_file_are_usage_errors_naming_them() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let file = sb.dir().join("data.bin");
    std::fs::write(&file, b"some blob").unwrap();
    let repo = reg.reference("blobs");
    let digest = sb
        .run_ok(&["blob", "--put", &repo, file.to_str().unwrap()])
        .trim()
        .to_string();
    let missing = sb.dir().join("nodir/c.json");
    let dir = sb.dir().join("outdir");
    std::fs::create_dir(&dir).unwrap();
    for (path, needle) in [(&missing, "does not exist"), (&dir, "is a directory")] {
        let o = sb.run(&[
            "blob",
            &format!("{repo}@{digest}"),
            "-o",
            path.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
        assert!(err.contains(needle), "{}", describe(&o));
        assert!(err.contains(path.to_str().unwrap()), "{}", describe(&o));
        assert!(!err.contains(".imgctl-"), "a temp name: {}", describe(&o));
    }
    assert!(!missing.parent().unwrap().exists());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}
