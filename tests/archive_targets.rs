//! Where archives are written: streams (`/dev/stdout` in a pipeline, a FIFO, `/dev/null`) are
//! written in place and never replaced, a symlink stays a symlink while its target gets the
//! archive, new files honour the umask and a replaced archive keeps its mode, archive paths
//! that cannot work are named in clear errors, and a docker-archive refuses an image index
//! before any blob moves.
//!
//! Nothing under /dev is touched except by writing to it: `/dev/stdout` is only ever the
//! stdout of a piped child process, FIFOs and symlinks live in the sandbox.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use std::io::Write as _;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// Waits for `child` at most `secs` seconds; kills it and panics when it takes longer.
fn wait_timeout(child: &mut Child, secs: u64, what: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {secs} s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Names in `dir` starting with `.imgctl-` (staging or temp leftovers; a layout's own private
/// directory is `.imgctl`).
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".imgctl-"))
        .collect()
}

/// The store's images as (reference, digest); an untagged image has no reference.
fn images(sb: &Imgctl) -> Vec<(Option<String>, String)> {
    let v: Value = serde_json::from_str(&sb.run_ok(&["--format", "json", "images"])).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["reference"].as_str().map(str::to_string),
                i["digest"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Runs `imgctl ARGS` with `input` on stdin (a broken pipe is fine: imgctl may refuse first).
fn run_stdin(sb: &Imgctl, args: &[&str], input: &[u8]) -> Output {
    let mut child = sb
        .cmd()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Err(e) = child.stdin.take().unwrap().write_all(input) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

/// `imgctl copy REF docker-archive:/dev/stdout | imgctl load -i -`, the example of
/// `imgctl copy --help`, and the same with a name and with oci-archive: the archive goes down
/// the pipe and loads, the result (digest, or the JSON document) goes to stderr.
#[test]
fn copy_to_dev_stdout_pipes_into_load() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let lay = sb.dir().join("lay");
    let digest = build_standard_image(&lay, "v1");
    let src = format!("docker://{}", reg.reference("app:1"));
    sb.run_ok(&["-q", "copy", &format!("oci:{}:v1", p(&lay)), &src]);

    for (dest, format, name) in [
        ("docker-archive:/dev/stdout", "text", None),
        (
            "docker-archive:/dev/stdout:example.com/app:1",
            "json",
            Some("example.com/app:1"),
        ),
        ("oci-archive:/dev/stdout", "text", None),
    ] {
        let mut copy = sb
            .cmd()
            .args(["--progress", "none", "--format", format, "copy", &src, dest])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let sb2 = Imgctl::new();
        let load = sb2
            .cmd()
            .args(["--progress", "none", "load", "-i", "-"])
            .stdin(Stdio::from(copy.stdout.take().unwrap()))
            .output()
            .unwrap();
        let copied = copy.wait_with_output().unwrap();
        assert!(copied.status.success(), "{dest}: {}", describe(&copied));
        assert!(
            load.status.success(),
            "{dest}: load {}\ncopy {}",
            describe(&load),
            describe(&copied)
        );
        // The result went to stderr, in the format asked for.
        match format {
            "text" => assert_eq!(stderr(&copied).trim(), digest, "{dest}"),
            _ => {
                let v: Value = serde_json::from_str(&stderr(&copied))
                    .unwrap_or_else(|e| panic!("{dest}: {e}: {}", stderr(&copied)));
                assert_eq!(v["digest"], digest.as_str(), "{v}");
            }
        }
        assert_eq!(stdout(&load).trim(), digest, "{dest}");
        assert_eq!(
            images(&sb2),
            [(name.map(str::to_string), digest.clone())],
            "{dest}"
        );
        assert!(leftovers(&sb.store()).is_empty(), "{dest}");
    }
    let link = std::fs::symlink_metadata("/dev/stdout").unwrap();
    assert!(link.file_type().is_symlink(), "/dev/stdout is still a link");
}

/// An archive is never written to a terminal: `copy … docker-archive:/dev/stdout` and
/// `save -o -` refuse before moving anything (a pseudo-terminal from `script`).
#[test]
fn archive_to_a_terminal_is_refused() {
    let sb = Imgctl::new();
    let lay = sb.dir().join("lay");
    build_standard_image(&lay, "v1");
    sb.run_ok(&["-q", "copy", &format!("oci:{}:v1", p(&lay)), "store:app:1"]);
    for args in [
        vec![
            "copy".to_string(),
            format!("oci:{}:v1", p(&lay)),
            "docker-archive:/dev/stdout".to_string(),
        ],
        vec!["save".into(), "app:1".into(), "-o".into(), "-".into()],
    ] {
        let inner = sb.cmd();
        let line: Vec<String> = std::iter::once(p(Path::new(inner.get_program())).to_string())
            .chain(args.iter().cloned())
            .map(|a| format!("'{a}'"))
            .collect();
        let mut c = Command::new("script");
        c.args(["-qec", &line.join(" "), "/dev/null"]);
        for (k, v) in inner.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        let out = c
            .stdin(Stdio::null())
            .output()
            .expect("script (util-linux)");
        assert_eq!(code(&out), 2, "{args:?}: {}", describe(&out));
        assert!(
            stdout(&out).contains("refusing to write an archive to a terminal"),
            "{args:?}: {}",
            describe(&out)
        );
    }
}

/// A FIFO destination is opened and written for the reader at its other end; it stays a FIFO.
#[test]
fn fifo_destination_is_written_in_place_for_a_concurrent_reader() {
    let sb = Imgctl::new();
    let lay = sb.dir().join("lay");
    let digest = build_standard_image(&lay, "v1");
    let dir = sb.dir().join("out");
    std::fs::create_dir(&dir).unwrap();
    let fifo = dir.join("pipe.tar");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for (i, (transport, suffix)) in [("oci-archive", ":v1"), ("docker-archive", "")]
        .into_iter()
        .enumerate()
    {
        let received = sb.dir().join(format!("received-{i}.tar"));
        let mut reader = Command::new("sh")
            .args([
                "-c",
                "exec cat \"$1\" > \"$2\"",
                "sh",
                p(&fifo),
                p(&received),
            ])
            .spawn()
            .unwrap();
        let out = sb.run(&[
            "--progress",
            "none",
            "copy",
            &format!("oci:{}:v1", p(&lay)),
            &format!("{transport}:{}{suffix}", p(&fifo)),
        ]);
        if !out.status.success() {
            let _ = reader.kill();
            let _ = reader.wait();
            panic!("{transport}: {}", describe(&out));
        }
        assert_eq!(stdout(&out).trim(), digest, "the result stays on stdout");
        let status = wait_timeout(&mut reader, 30, "the FIFO's reader");
        assert!(status.success());
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo(),
            "{transport}: the FIFO was replaced"
        );
        let got = sb.run_ok(&["digest", &format!("{transport}:{}{suffix}", p(&received))]);
        assert_eq!(got.trim(), digest, "{transport}");
        assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    }
}

/// `/dev/null` (a character device) is written into, not replaced.
#[test]
fn character_device_destination_is_written_not_replaced() {
    let sb = Imgctl::new();
    let lay = sb.dir().join("lay");
    let digest = build_standard_image(&lay, "v1");
    for dest in ["docker-archive:/dev/null", "oci-archive:/dev/null"] {
        let out = sb.run_ok(&[
            "--progress",
            "none",
            "copy",
            &format!("oci:{}:v1", p(&lay)),
            dest,
        ]);
        assert_eq!(out.trim(), digest, "{dest}");
        let m = std::fs::symlink_metadata("/dev/null").unwrap();
        assert!(m.file_type().is_char_device(), "{dest}: /dev/null replaced");
    }
}

/// A symlinked destination keeps the link: the archive goes to the file it points at (which
/// keeps its mode when it existed), or is created there when it does not exist yet.
#[test]
fn symlink_destination_stays_a_link_and_its_target_gets_the_archive() {
    let sb = Imgctl::new();
    let lay = sb.dir().join("lay");
    let digest = build_standard_image(&lay, "v1");
    let src = format!("oci:{}:v1", p(&lay));
    let real = sb.dir().join("real");
    let links = sb.dir().join("links");
    std::fs::create_dir(&real).unwrap();
    std::fs::create_dir(&links).unwrap();

    // A relative link to an existing file with its own mode, and a link to that link.
    let target = real.join("app.tar");
    std::fs::write(&target, b"old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("../real/app.tar", links.join("app.tar")).unwrap();
    std::os::unix::fs::symlink("app.tar", links.join("chain.tar")).unwrap();
    // A dangling link (absolute) to a file that does not exist yet.
    std::os::unix::fs::symlink(real.join("new.tar"), links.join("new.tar")).unwrap();

    for (dest, link, file, check) in [
        (
            format!("oci-archive:{}:v1", p(&links.join("app.tar"))),
            "app.tar",
            "app.tar",
            format!("oci-archive:{}:v1", p(&target)),
        ),
        (
            format!("docker-archive:{}", p(&links.join("chain.tar"))),
            "chain.tar",
            "app.tar",
            format!("docker-archive:{}", p(&target)),
        ),
        (
            format!("docker-archive:{}", p(&links.join("new.tar"))),
            "new.tar",
            "new.tar",
            format!("docker-archive:{}", p(&real.join("new.tar"))),
        ),
    ] {
        let before = std::fs::read_link(links.join(link)).unwrap();
        let out = sb.run_ok(&["--progress", "none", "copy", &src, &dest]);
        assert_eq!(out.trim(), digest, "{dest}");
        let m = std::fs::symlink_metadata(links.join(link)).unwrap();
        assert!(m.file_type().is_symlink(), "{dest}: the link was replaced");
        assert_eq!(std::fs::read_link(links.join(link)).unwrap(), before);
        let f = std::fs::symlink_metadata(real.join(file)).unwrap();
        assert!(f.file_type().is_file(), "{dest}");
        assert_eq!(sb.run_ok(&["digest", &check]).trim(), digest, "{dest}");
        assert!(leftovers(&real).is_empty() && leftovers(&links).is_empty());
    }
    // The replaced file kept its mode.
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

/// Every file and directory under `dir` (not `dir` itself) with its permission bits.
fn modes_under(dir: &Path) -> Vec<(String, bool, u32)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let m = std::fs::symlink_metadata(e.path()).unwrap();
            let shown = e.path().display().to_string();
            out.push((shown, m.is_dir(), m.permissions().mode() & 0o7777));
            if m.is_dir() {
                stack.push(e.path());
            }
        }
    }
    out
}

/// New layouts, store files and archives honour the umask (0644 / 0755 under umask 022, as any
/// tool's files), and an archive written over an existing file keeps that file's mode.
#[test]
fn layouts_store_and_archives_honour_the_umask() {
    let sb = Imgctl::new();
    let lay = sb.dir().join("lay");
    let digest = build_standard_image(&lay, "v1");
    let src = format!("oci:{}:v1", p(&lay));
    let out_dir = sb.dir().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let run = |umask: &str, args: &[&str]| {
        let mut c = sb.cmd();
        c.args(["--progress", "none"]).args(args);
        let out = with_umask(&c, umask).stdin(Stdio::null()).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", describe(&out));
        stdout(&out)
    };
    let o = |name: &str| p(&out_dir.join(name)).to_string();
    run("022", &["copy", &src, &format!("oci:{}:v1", o("layout"))]);
    run("022", &["copy", &src, "store:example.com/app:1"]);
    run(
        "022",
        &["copy", &src, &format!("oci-archive:{}:v1", o("a.tar"))],
    );
    run(
        "022",
        &["copy", &src, &format!("docker-archive:{}", o("d.tar"))],
    );
    run("022", &["save", "example.com/app:1", "-o", &o("saved.tar")]);
    let mut all = modes_under(&out_dir);
    all.extend(modes_under(&sb.store()));
    assert!(all.iter().any(|(n, _, _)| n.ends_with("index.json")));
    for (name, is_dir, mode) in &all {
        let want = if *is_dir { 0o755 } else { 0o644 };
        assert_eq!(*mode, want, "{name}: {mode:o}");
    }

    // Another umask gives other modes: it is the umask that decides.
    run(
        "002",
        &["copy", &src, &format!("oci-archive:{}:v1", o("g.tar"))],
    );
    let mode = std::fs::metadata(o("g.tar")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o664);

    // Replacing an archive keeps its mode (save and copy alike).
    for (file, args) in [
        (
            "a.tar",
            vec![
                "copy".to_string(),
                src.clone(),
                format!("oci-archive:{}:v1", o("a.tar")),
            ],
        ),
        (
            "saved.tar",
            vec![
                "save".into(),
                "example.com/app:1".into(),
                "-o".into(),
                o("saved.tar"),
            ],
        ),
    ] {
        std::fs::set_permissions(o(file), std::fs::Permissions::from_mode(0o640)).unwrap();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(run("022", &args).trim(), digest);
        let mode = std::fs::metadata(o(file)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "{file}");
    }
}

/// Archive paths that cannot work are named in the error, with the exit code of a bad
/// argument (2): a directory given as an archive (with a hint to `oci:DIR` when it is a
/// layout), a missing output directory (not an internal staging path), and an archive read
/// from stdin is "stdin" (not the scratch file it was spooled to).
#[test]
fn archive_path_errors_name_the_path() {
    let sb = Imgctl::new();
    let lay = sb.dir().join("lay");
    build_standard_image(&lay, "v1");
    let plain = sb.dir().join("plain");
    std::fs::create_dir(&plain).unwrap();
    let dst = format!("oci:{}:x", p(&sb.dir().join("dst")));
    for (dir, is_layout) in [(&plain, false), (&lay, true)] {
        let hint = format!("oci:{}", p(dir));
        let mut runs = vec![sb.run(&["load", "-i", p(dir)])];
        for t in ["oci-archive", "docker-archive"] {
            runs.push(sb.run(&["copy", &format!("{t}:{}", p(dir)), &dst]));
        }
        for out in runs {
            assert_eq!(code(&out), 2, "{}", describe(&out));
            let err = stderr(&out);
            assert!(err.contains(&format!("{} is a directory", p(dir))), "{err}");
            assert_eq!(err.contains(&hint), is_layout, "{err}");
        }
    }

    // Not a tar / compressed, on stdin.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&[0u8; 4096]).unwrap();
    let gz = gz.finish().unwrap();
    for (input, want_code, want) in [
        (vec![b'x'; 4096], 7, "stdin is not a valid tar archive"),
        (vec![b'x'; 100], 7, "stdin is not a tar archive"),
        (gz, 2, "stdin is gzip-compressed"),
    ] {
        let out = run_stdin(&sb, &["load", "-i", "-"], &input);
        assert_eq!(code(&out), want_code, "{}", describe(&out));
        assert!(stderr(&out).contains(want), "{}", describe(&out));
        assert!(!stderr(&out).contains(".imgctl"), "{}", describe(&out));
    }

    // A missing output directory.
    sb.run_ok(&["-q", "copy", &format!("oci:{}:v1", p(&lay)), "store:app:1"]);
    let src = format!("oci:{}:v1", p(&lay));
    for args in [
        vec!["save", "app:1", "-o", "nodir/x.tar"],
        vec!["copy", &src, "oci-archive:nodir/x.tar:v1"],
        vec!["copy", &src, "docker-archive:nodir/x.tar"],
    ] {
        let out = sb
            .cmd()
            .args(&args)
            .current_dir(sb.dir())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{args:?}: {}", describe(&out));
        let err = stderr(&out);
        assert!(err.contains("directory nodir does not exist"), "{err}");
        assert!(!err.contains(".imgctl"), "{err}");
    }
    assert!(!sb.dir().join("nodir").exists());
}

/// A docker-archive holds single-platform images: copying an index (whole, or filtered to
/// several platforms) is refused before any blob moves. The source has its manifests but
/// none of its configs and layers, so a copy that moved a blob would fail "not found" instead.
#[test]
fn docker_archive_refuses_an_index_before_moving_any_blob() {
    let sb = Imgctl::new();
    let lay = sb.dir().join("lay");
    let index = build_index(&lay, "multi", &["linux/amd64", "linux/arm64"]);
    for child in read_json_blob(&lay, &index)["manifests"]
        .as_array()
        .unwrap()
    {
        let m = read_json_blob(&lay, child["digest"].as_str().unwrap());
        let config = std::iter::once(&m["config"]);
        for d in config.chain(m["layers"].as_array().unwrap()) {
            std::fs::remove_file(blob_path(&lay, d["digest"].as_str().unwrap())).unwrap();
        }
    }
    let da = sb.dir().join("multi.tar");
    let src = format!("oci:{}:multi", p(&lay));
    let dest = format!("docker-archive:{}", p(&da));
    for platforms in [
        vec!["--all-platforms"],
        vec!["--platform", "linux/amd64,linux/arm64"],
    ] {
        let mut args = vec!["--progress", "json", "copy"];
        args.extend(&platforms);
        args.extend([src.as_str(), dest.as_str()]);
        let out = sb.run(&args);
        assert_eq!(code(&out), 2, "{platforms:?}: {}", describe(&out));
        let err = stderr(&out);
        assert!(err.contains("holds single-platform images"), "{err}");
        assert!(err.contains("--platform"), "{err}");
        let blob_events = err
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["event"] == "blob")
            .count();
        assert_eq!(blob_events, 0, "{err}");
        assert!(!da.exists());
        assert!(leftovers(sb.dir()).is_empty(), "{:?}", leftovers(sb.dir()));
    }
}

/// A blob missing from a source layout is the source's fault, said so: "oci:…: blob … is
/// missing (the layout is incomplete)", exit 4 (not found), never phrased as a failure to
/// write and never naming an internal staging path; for every kind of file destination
/// (oci-archive, docker-archive, an oci: layout, the store), and nothing is left beside an
/// archive target. A missing config (read first, for its platform) is reported the same way.
#[test]
fn a_blob_missing_from_the_source_layout_is_reported_as_missing_from_the_source() {
    let sb = Imgctl::new();
    let broken = sb.dir().join("broken");
    let digest = build_standard_image(&broken, "v1");
    let m = read_json_blob(&broken, &digest);
    let layer = m["layers"][1]["digest"].as_str().unwrap().to_string();
    let config = m["config"]["digest"].as_str().unwrap().to_string();
    std::fs::remove_file(blob_path(&broken, &layer)).unwrap();
    let src = format!("oci:{}:v1", p(&broken));
    let out_dir = sb.dir().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let check = |missing: &str| {
        for dest in [
            format!("oci-archive:{}:v1", p(&out_dir.join("a.tar"))),
            format!(
                "docker-archive:{}:example.com/a:1",
                p(&out_dir.join("d.tar"))
            ),
            format!("oci:{}:v1", p(&out_dir.join("layout"))),
            "store:example.com/a:1".to_string(),
        ] {
            let out = sb.run(&["--progress", "none", "copy", &src, &dest]);
            assert_eq!(code(&out), 4, "{dest}: {}", describe(&out));
            let err = stderr(&out);
            assert!(
                err.contains(&format!(
                    "{src}: blob {missing} is missing (the layout is incomplete)"
                )),
                "{dest}: {err}"
            );
            assert!(!err.contains("failed to write"), "{dest}: {err}");
            assert!(!err.contains(".imgctl"), "{dest}: {err}");
            assert!(leftovers(&out_dir).is_empty(), "{:?}", leftovers(&out_dir));
            assert!(!out_dir.join("a.tar").exists() && !out_dir.join("d.tar").exists());
        }
    };
    check(&layer);
    std::fs::remove_file(blob_path(&broken, &config)).unwrap();
    check(&config);
}
