//! First-use problems end to end: `store:` locations, untagged store images addressed by
//! digest, `--format json` everywhere (pretty), `rmi` of several images with missing ones,
//! wrong-transport usage errors, `--creds USER` without a password, `save -o -` / `load -i -`,
//! `-q`, and the help layout.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;
use std::process::{Output, Stdio};

use common::*;
use serde_json::{Value, json};

/// Runs with `--format json`; asserts success and pretty-printed output; returns the document.
fn json_pretty(sb: &Imgctl, args: &[&str]) -> Value {
    let mut a = vec!["--format", "json", "--progress", "none"];
    a.extend_from_slice(args);
    let out = sb.run_ok(&a);
    assert!(
        out.trim_start().starts_with(['{', '[']) && (out.contains("\n  ") || out.trim().len() <= 2),
        "not pretty-printed JSON: {out}"
    );
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// A sandbox whose store holds `example.com/app:1` (the standard image); returns its digest.
fn store_with_app(sb: &Imgctl) -> String {
    let lay = sb.dir().join("lay");
    let digest = build_standard_image(&lay, "v1");
    let src = format!("oci:{}:v1", p(&lay));
    sb.run_ok(&["-q", "copy", &src, "store:example.com/app:1"]);
    digest
}

#[test]
fn store_locations_read_and_write_the_local_store() {
    let sb = Imgctl::new();
    let digest = store_with_app(&sb);
    let out = sb.run_ok(&["images"]);
    assert!(
        out.contains("example.com/app:1") && out.contains(&digest),
        "{out}"
    );

    // digest / inspect / copy read the store through store:REF.
    assert_eq!(
        sb.run_ok(&["digest", "store:example.com/app:1"]).trim(),
        digest
    );
    let doc = json_pretty(&sb, &["inspect", "store:example.com/app:1"]);
    assert_eq!(doc["digest"], json!(digest), "{doc}");
    let out_lay = sb.dir().join("out");
    let dst = format!("oci:{}:x", p(&out_lay));
    let v = json_pretty(&sb, &["copy", "store:example.com/app:1", &dst]);
    assert_eq!(v["digest"], json!(digest));
    assert_eq!(sb.run_ok(&["digest", &dst]).trim(), digest);

    // push accepts any destination; the blobs arrive intact (umoci reads the layout).
    let pushed = sb.dir().join("pushed.tar");
    let dst = format!("oci-archive:{}:2", p(&pushed));
    assert_eq!(
        sb.run_ok(&["-q", "push", "example.com/app:1", &dst]).trim(),
        digest
    );
    assert_eq!(sb.run_ok(&["digest", &dst]).trim(), digest);

    // store:sha256:… reads by digest; as a destination it is refused (it has no name).
    let by_digest = format!("store:{digest}");
    assert_eq!(sb.run_ok(&["digest", &by_digest]).trim(), digest);
    let out = sb.run(&["copy", &format!("oci:{}:x", p(&out_lay)), &by_digest]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stderr(&out).contains("needs a name"), "{}", stderr(&out));

    // copy --help documents store:.
    let help = sb.run_ok(&["copy", "--help"]);
    assert!(help.contains("store:REF"), "{help}");
}

#[test]
fn store_locations_against_a_registry() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let lay = sb.dir().join("lay");
    let digest = build_standard_image(&lay, "v1");
    let r = reg.reference("ux/app:1");
    sb.run_ok(&[
        "-q",
        "--insecure",
        "copy",
        &format!("oci:{}:v1", p(&lay)),
        &r,
    ]);
    sb.run_ok(&["-q", "--insecure", "pull", &r]);
    // The example: the pulled image out of the store into a layout.
    let out_lay = sb.dir().join("x");
    let dst = format!("oci:{}:1", p(&out_lay));
    sb.run_ok(&["-q", "copy", &format!("store:{r}"), &dst]);
    assert_eq!(sb.run_ok(&["digest", &dst]).trim(), digest);
    // push with no destination still goes to the image's own registry reference.
    let r2 = reg.reference("ux/app:2");
    sb.run_ok(&["-q", "tag", &r, &r2]);
    assert_eq!(sb.run_ok(&["-q", "--insecure", "push", &r2]).trim(), digest);
    assert_eq!(sb.run_ok(&["--insecure", "digest", &r2]).trim(), digest);
}

#[test]
fn untagged_images_are_listed_and_addressable_by_digest() {
    let sb = Imgctl::new();
    let lay = sb.dir().join("lay");
    let digest = build_standard_image(&lay, "v1");
    // A docker-archive without names (RepoTags empty).
    let dar = sb.dir().join("untagged.tar");
    sb.run_ok(&[
        "-q",
        "copy",
        &format!("oci:{}:v1", p(&lay)),
        &format!("docker-archive:{}", p(&dar)),
    ]);
    let out = sb.run(&["--progress", "none", "load", "-i", p(&dar)]);
    assert!(out.status.success(), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("Loaded untagged image {digest}")) && err.contains("imgctl tag"),
        "{err}"
    );
    // JSON: no name is null, as in `images`.
    assert_eq!(
        json_pretty(&sb, &["load", "-i", p(&dar)]),
        json!({"reference": null, "digest": digest})
    );

    // Listed as <none>, with its digest (text and JSON).
    let text = sb.run_ok(&["images"]);
    let row = text
        .lines()
        .find(|l| l.contains(&digest))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.starts_with("<none>"), "{text}");
    let imgs = json_pretty(&sb, &["images"]);
    assert_eq!(
        imgs,
        json!([{"reference": null, "digest": digest,
        "size": imgs[0]["size"], "platforms": ["linux/amd64"]}])
    );

    // Addressable: store:sha256:…, a 12-hex prefix for tag, the full digest for rmi.
    assert_eq!(
        sb.run_ok(&["digest", &format!("store:{digest}")]).trim(),
        digest
    );
    let prefix = &digest["sha256:".len().."sha256:".len() + 12];
    // a too-short prefix is a usage error that says how long it must be
    let short = &digest[.."sha256:".len() + 4];
    let out = sb.run(&["tag", short, "example.com/named:1"]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains("is too short: give at least 12 hex digits"),
        "{}",
        describe(&out)
    );
    let t = json_pretty(&sb, &["tag", prefix, "example.com/named:1"]);
    assert_eq!(
        t,
        json!({"digest": digest, "tagged": ["example.com/named:1"]})
    );
    assert_eq!(
        sb.run_ok(&["digest", "store:example.com/named:1"]).trim(),
        digest
    );
    // naming it replaced the <none> row; loading the same image again adds none
    let names = |sb: &Imgctl| -> Vec<Value> {
        json_pretty(sb, &["images"])
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["reference"].clone())
            .collect()
    };
    assert_eq!(names(&sb), [json!("example.com/named:1")]);
    sb.run_ok(&["-q", "load", "-i", p(&dar)]);
    assert_eq!(names(&sb), [json!("example.com/named:1")]);
    // rmi by digest removes every entry of that digest (the name and the untagged one).
    let rm = json_pretty(&sb, &["rmi", &digest]);
    assert_eq!(rm["removed"].as_array().unwrap().len(), 1, "{rm}");
    assert_eq!(rm["removed"][0]["reference"], json!("example.com/named:1"));
    assert!(rm["blobsDeleted"].as_u64().unwrap() >= 4, "{rm}");
    assert_eq!(json_pretty(&sb, &["images"]), json!([]));
    let blobs = std::fs::read_dir(sb.store().join("blobs/sha256"))
        .unwrap()
        .count();
    assert_eq!(blobs, 0);
}

/// Tars an OCI layout directory into `file` (members `oci-layout`, `index.json`, `blobs/…`).
fn tar_layout(dir: &Path, file: &Path) {
    let st = std::process::Command::new("tar")
        .args([
            "-cf",
            p(file),
            "-C",
            p(dir),
            "oci-layout",
            "index.json",
            "blobs",
        ])
        .status()
        .unwrap();
    assert!(st.success());
}

#[test]
fn load_names_oci_archives_by_a_valid_reference_only() {
    let sb = Imgctl::new();
    // Ref name "1" (what skopeo writes for oci-archive:FILE:1): not a reference → untagged.
    let lay = sb.dir().join("lay1");
    let digest = build_standard_image(&lay, "1");
    let f = sb.dir().join("one.tar");
    tar_layout(&lay, &f);
    let out = sb.run(&["--progress", "none", "load", "-i", p(&f)]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stderr(&out).contains(&format!("Loaded untagged image {digest}")),
        "{}",
        stderr(&out)
    );
    // Ref name a full reference → the image gets that name.
    let lay = sb.dir().join("lay2");
    let digest2 = build_image(
        &lay,
        "example.com/team/app:7",
        vec![random_layer(1000, 7)],
        &Platform::default(),
    );
    let f = sb.dir().join("named.tar");
    tar_layout(&lay, &f);
    let out = sb.run(&["--progress", "none", "load", "-i", p(&f)]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stderr(&out).contains("Loaded image: example.com/team/app:7"),
        "{}",
        stderr(&out)
    );
    let imgs = json_pretty(&sb, &["images"]);
    assert_eq!(imgs[0]["reference"], json!("example.com/team/app:7"));
    assert_eq!(imgs[0]["digest"], json!(digest2));
    assert_eq!(imgs[1]["reference"], json!(null));
    assert_eq!(imgs[1]["digest"], json!(digest));
}

#[test]
fn rmi_removes_what_exists_and_reports_what_is_missing() {
    let sb = Imgctl::new();
    let digest = store_with_app(&sb);
    sb.run_ok(&["tag", "example.com/app:1", "example.com/app:2"]);
    let out = sb.run(&[
        "rmi",
        "example.com/missing:1",
        "example.com/app:2",
        "nope:3",
    ]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        stdout(&out).contains(&format!("Untagged: example.com/app:2 ({digest})")),
        "{}",
        describe(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("example.com/missing:1")
            && err.contains("docker.io/library/nope:3")
            && err.contains("2 of 3 images not found"),
        "{err}"
    );
    let imgs = json_pretty(&sb, &["images"]);
    assert_eq!(imgs.as_array().unwrap().len(), 1);
    assert_eq!(imgs[0]["reference"], json!("example.com/app:1"));
    // JSON: removed and missing, exit 4.
    let out = sb.run(&["--format", "json", "rmi", "gone:1", "example.com/app:1"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["missing"], json!(["docker.io/library/gone:1"]));
    assert_eq!(v["removed"][0]["digest"], json!(digest));
    assert_eq!(json_pretty(&sb, &["images"]), json!([]));
    // A single missing image is still exit 4 with the store's message.
    let out = sb.run(&["rmi", "gone:1"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(stderr(&out).contains("no image named"), "{}", stderr(&out));
}

#[test]
fn wrong_locations_are_usage_errors_with_hints() {
    let sb = Imgctl::new();
    let layout = sb.dir().join("somelayout");
    build_standard_image(&layout, "v1");
    let layout_hint = format!("did you mean oci:{}", p(&layout));
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["tags".into(), "oci:/x".into()],
            "tags needs a registry repository (got an OCI layout location)",
        ),
        (
            vec!["delete".into(), "oci:/x".into()],
            "delete needs a registry reference (got an OCI layout location)",
        ),
        (
            vec!["copy".into(), "ocii:/tmp/x:1".into(), "oci:/tmp/y".into()],
            "unknown transport \"ocii\"; known: docker://, oci:, oci-archive:, docker-archive:, store:",
        ),
        (vec!["inspect".into(), p(&layout).into()], &layout_hint),
        (
            vec![
                "--creds".into(),
                "alice".into(),
                "tags".into(),
                "127.0.0.1:9/x".into(),
            ],
            "no password: use --creds USER:PASS, --password-stdin, or imgctl login",
        ),
    ];
    for (args, want) in cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = sb.run(&a);
        assert_eq!(code(&out), 2, "{a:?}: {}", describe(&out));
        assert!(stderr(&out).contains(want), "{a:?}: {}", stderr(&out));
    }
    // A registry address without a repository is not taken for a Docker Hub repository.
    let out = sb.run(&["tags", "127.0.0.1:9"]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains("127.0.0.1:9 is a registry address, not a repository")
            && stderr(&out).contains("127.0.0.1:9/app"),
        "{}",
        describe(&out)
    );
    // A bare location that is a valid reference and also a directory here: the registry
    // answer fails (nothing listens on port 9), and the hint points at the directory. (With a
    // bare name like `layout` the request would go to Docker Hub, which tests do not contact.)
    build_standard_image(&sb.dir().join("127.0.0.1:9").join("x"), "v1");
    for cmd in ["inspect", "digest"] {
        let out = sb
            .cmd()
            .current_dir(sb.dir())
            .args(["--retries", "0", cmd, "127.0.0.1:9/x"])
            .output()
            .unwrap();
        assert_eq!(code(&out), 6, "{}", describe(&out));
        assert!(
            stderr(&out)
                .contains("hint: 127.0.0.1:9/x is a directory: did you mean oci:127.0.0.1:9/x"),
            "{}",
            describe(&out)
        );
    }
    // The layout hint names the command that exists.
    let out = sb.run(&["inspect", &format!("oci:{}", p(&sb.dir().join("nolayout")))]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        stderr(&out).contains("imgctl copy IMAGE oci:DIR:TAG"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn save_to_stdout_and_load_from_stdin() {
    let sb = Imgctl::new();
    let digest = store_with_app(&sb);
    let file = sb.dir().join("piped.tar");
    let out = sb
        .cmd()
        .args(["--progress", "none", "save", "example.com/app:1", "-o", "-"])
        .stdout(std::fs::File::create(&file).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let dst = format!("docker-archive:{}", p(&file));
    assert_eq!(sb.run_ok(&["digest", &dst]).trim(), digest);
    // No scratch files are left in the store.
    let left: Vec<_> = std::fs::read_dir(sb.store())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".imgctl-stream"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    let sb2 = Imgctl::new();
    let out = sb2
        .cmd()
        .args(["-q", "load", "-i", "-"])
        .stdin(std::fs::File::open(&file).unwrap())
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    // -q hides the informational "Loaded image" line.
    assert_eq!(stderr(&out), "");
    assert_eq!(stdout(&out).trim(), digest);
    assert_eq!(
        sb2.run_ok(&["digest", "store:example.com/app:1"]).trim(),
        digest
    );
}

#[test]
fn json_is_pretty_everywhere_and_help_groups_global_options() {
    let sb = Imgctl::new();
    let digest = store_with_app(&sb);
    let d = json_pretty(&sb, &["digest", "store:example.com/app:1"]);
    assert_eq!(d["digest"], json!(digest));
    let t = json_pretty(&sb, &["tag", "example.com/app:1", "example.com/app:2"]);
    assert_eq!(
        t,
        json!({"digest": digest, "tagged": ["example.com/app:2"]})
    );
    let l = json_pretty(&sb, &["login", "--list"]);
    assert_eq!(l, json!([]));

    let help = sb.run_ok(&["tags", "--help"]);
    let global = help
        .find("Global options:")
        .unwrap_or_else(|| panic!("{help}"));
    let own = help.find("--page-size").unwrap();
    let insecure = help.find("--insecure").unwrap();
    assert!(own < global && global < insecure, "{help}");
}

#[test]
fn skopeo_transports_imgctl_lacks_are_named_not_taken_for_docker_hub() {
    let sb = Imgctl::new();
    let lay = format!("oci:{}:1", p(&sb.dir().join("lay")));
    let cases: [(&[&str], &str, &str); 6] = [
        (
            &["inspect", "docker-daemon:alpine:latest"],
            "docker-daemon",
            "imgctl has no daemon",
        ),
        // `docker-daemon:alpine` parses as a Docker Hub reference: it went to the registry.
        (
            &["digest", "docker-daemon:alpine"],
            "docker-daemon",
            "use docker save IMAGE -o FILE.tar, then docker-archive:FILE.tar",
        ),
        (
            &["copy", "containers-storage:localhost/app:1", &lay],
            "containers-storage",
            "podman save --format oci-archive",
        ),
        (
            &["copy", "dir:/tmp/x", &lay],
            "dir",
            "use an OCI layout, oci:DIR[:TAG]",
        ),
        (
            &["push", "example.com/app:1", "docker-daemon:app:1"],
            "docker-daemon",
            "imgctl has no daemon",
        ),
        (
            &["tags", "docker-daemon:alpine"],
            "docker-daemon",
            "docker save",
        ),
    ];
    for (args, transport, want) in cases {
        let mut a = vec!["--retries", "0"];
        a.extend_from_slice(args);
        let out = sb.run(&a);
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{a:?}: {}", describe(&out));
        assert!(
            err.starts_with(&format!("error: unknown transport {transport}: "))
                && err.contains(want),
            "{a:?}: {err}"
        );
        assert!(
            err.contains(
                "hint: imgctl's transports: docker://, oci:, oci-archive:, docker-archive:, store:"
            ),
            "{a:?}: {err}"
        );
        assert!(
            !err.contains("registry-1.docker.io") && !err.contains("library/"),
            "{a:?}: {err}"
        );
    }
}

#[test]
fn load_without_input_reads_stdin_like_docker_load() {
    let sb = Imgctl::new();
    let digest = store_with_app(&sb);
    // imgctl copy … docker-archive:/dev/stdout | imgctl load, through a real pipe.
    let mut producer = sb
        .cmd()
        .args([
            "--progress",
            "none",
            "copy",
            "store:example.com/app:1",
            "docker-archive:/dev/stdout:example.com/app:1",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let sb2 = Imgctl::new();
    let out = sb2
        .cmd()
        .args(["--progress", "none", "load"])
        .stdin(Stdio::from(producer.stdout.take().unwrap()))
        .output()
        .unwrap();
    let produced = producer.wait_with_output().unwrap();
    assert!(produced.status.success(), "{}", describe(&produced));
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), digest, "{}", describe(&out));
    assert!(
        stderr(&out).contains("Loaded image: example.com/app:1"),
        "{}",
        describe(&out)
    );
    assert_eq!(
        sb2.run_ok(&["digest", "store:example.com/app:1"]).trim(),
        digest
    );
    // Nothing on stdin: the archive is named stdin in the error, as with `-i -`.
    let out = sb2.run(&["load"]);
    assert_eq!(code(&out), 7, "{}", describe(&out));
    assert!(
        stderr(&out).contains("stdin is not a tar archive: it looks like an empty file (0 bytes)"),
        "{}",
        describe(&out)
    );
    // --password-stdin cannot share stdin with the archive.
    let out = sb2.run(&["-u", "bob", "--password-stdin", "load"]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains("this command reads its data from stdin already"),
        "{}",
        describe(&out)
    );
}

/// Runs `imgctl ARGS` with stdout a pipe whose reading end is already closed: its first write
/// fails with EPIPE, as when `head` has exited.
fn with_stdout_closed(sb: &Imgctl, args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    sb.cmd()
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer)
        .output()
        .unwrap()
}

/// A closed stdout ended the command quietly: exit 0, no panic, no "Broken pipe".
fn assert_quiet_end(what: &str, out: &Output) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(0), "{what}: {}", describe(out));
    for bad in ["panicked", "Broken pipe", "broken pipe", "error:"] {
        assert!(!err.contains(bad), "{what}: {err}");
    }
}

#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let digest = store_with_app(&sb);
    let r = reg.reference("ux/app:1");
    sb.run_ok(&["-q", "push", "example.com/app:1", &r]);
    sb.run_ok(&["-q", "tag", &format!("docker://{r}"), "2", "3"]);
    let by_store = "store:example.com/app:1";
    let host = reg.host();
    let cases: Vec<Vec<&str>> = vec![
        vec!["images"],
        vec!["--format", "json", "images"],
        vec!["tags", &r],
        vec!["inspect", by_store],
        vec!["inspect", "--raw", by_store],
        vec!["inspect", "--layers", by_store],
        vec!["--format", "json", "inspect", &r],
        vec!["digest", by_store],
        vec!["catalog", &host],
        vec!["-q", "pull", &r],
        vec!["tag", "example.com/app:1", "example.com/app:9"],
        vec!["completion", "bash"],
        vec!["man"],
        vec!["login", "--list"],
        vec!["--help"],
        vec!["inspect", "--help"],
        vec!["--version"],
    ];
    for args in cases {
        assert_quiet_end(&format!("{args:?}"), &with_stdout_closed(&sb, &args));
    }
    // Any other write error (a full disk) is an error, never a silent exit 0.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = sb.cmd().args(["images"]).stdout(full).output().unwrap();
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(
        stderr(&out)
            .starts_with("error: cannot write the result to stdout: No space left on device"),
        "{}",
        describe(&out)
    );
    // The work is still done: the tag made with a closed stdout is there.
    assert_eq!(
        sb.run_ok(&["digest", "store:example.com/app:9"]).trim(),
        digest
    );

    // `imgctl images | head -1` over a table far larger than a pipe's buffer.
    let index = sb.store().join("index.json");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&index).unwrap()).unwrap();
    let entry = doc["manifests"][0].clone();
    let many: Vec<Value> = (0..6000)
        .map(|i| {
            let mut e = entry.clone();
            e["annotations"]["org.opencontainers.image.ref.name"] =
                json!(format!("example.com/many/app-with-a-long-name:{i}"));
            e
        })
        .collect();
    doc["manifests"] = Value::Array(many);
    std::fs::write(&index, serde_json::to_vec(&doc).unwrap()).unwrap();
    let mut child = sb
        .cmd()
        .args(["images"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    {
        use std::io::BufRead as _;
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap());
        lines.read_line(&mut first).unwrap();
    } // the reading end closes here, like head -1 exiting
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with("REFERENCE"), "{first}");
    assert_quiet_end("images | head -1", &out);
}

/// A closed or full stderr loses the messages, never the exit code: `2>&1 | head -1` in CI
/// and `2>/dev/null`-like sinks that fail must still see the command's own exit status, not a
/// panic's 101.
#[test]
fn a_closed_or_full_stderr_keeps_the_exit_code() {
    let sb = Imgctl::new();
    // A port nothing listens on: a connection error (exit 6), with warnings and an error line.
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = format!("127.0.0.1:{closed_port}/ux/app:1");
    let missing_store_image = "example.com/no/such:1";
    let cases: [(&[&str], i32); 3] = [
        (&["--retries", "1", "pull", &refused], 6),
        (&["-v", "--retries", "0", "pull", &refused], 6),
        (&["push", missing_store_image], 4),
    ];
    for (args, want) in cases {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = sb
            .cmd()
            .args(args)
            .stdin(Stdio::null())
            .stderr(writer)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(want), "closed stderr, {args:?}");
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = sb
            .cmd()
            .args(args)
            .stdin(Stdio::null())
            .stderr(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(want), "full stderr, {args:?}");
        // With a working stderr the same command says why.
        let out = sb.cmd().args(args).stdin(Stdio::null()).output().unwrap();
        assert_eq!(out.status.code(), Some(want), "{}", describe(&out));
        assert!(stderr(&out).contains("error: "), "{}", describe(&out));
    }
}

/// A bare name that mutate and append (which read it from its registry and write the result
/// back under it) cannot reach there, but that the local store has (just built or pulled), gets
/// a hint naming `store:REF`; the read-only commands take the store's image themselves.
#[test]
fn a_bare_name_the_store_has_is_hinted_as_store_ref() {
    let sb = Imgctl::new();
    store_with_app(&sb);
    // A registry on a port nothing listens on: the bare name fails as unreachable (exit 6).
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let name = format!("127.0.0.1:{closed_port}/ux/app:1");
    sb.run_ok(&["tag", "example.com/app:1", &name]);
    let layer = sb.dir().join("extra");
    std::fs::create_dir_all(&layer).unwrap();
    std::fs::write(layer.join("x.txt"), "x").unwrap();
    for args in [
        vec!["mutate", name.as_str(), "--env", "A=B"],
        vec!["append", name.as_str(), "-f", layer.to_str().unwrap()],
    ] {
        let mut all = vec!["--retries", "0"];
        all.extend(&args);
        let r = sb.run(&all);
        assert_eq!(r.status.code(), Some(6), "{args:?}: {}", describe(&r));
        assert!(
            stderr(&r).contains("hint: ") && stderr(&r).contains(&format!("store:{name}")),
            "{args:?}: {}",
            describe(&r)
        );
    }
    // Named as the store's, the same edit works.
    sb.run_ok(&["mutate", &format!("store:{name}"), "--env", "A=B"]);
    // An image the store does not have gets no such hint.
    let other = format!("127.0.0.1:{closed_port}/ux/none:1");
    let r = sb.run(&["--retries", "0", "mutate", &other, "--env", "A=B"]);
    assert_eq!(r.status.code(), Some(6), "{}", describe(&r));
    assert!(!stderr(&r).contains("store:"), "{}", describe(&r));
}
