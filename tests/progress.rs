//! Progress styles on a real transfer: plain aggregate lines and JSON events on stderr with
//! only the result on stdout; `auto` choosing bars on a terminal (a pseudo-terminal from
//! util-linux `script`) but plain lines under CI; `NO_COLOR` honoured; what a terminal shows
//! during a sync (a line per image as it finishes, one aggregate line, a few labelled blob
//! bars, `committing` while a registry stores an upload or a manifest); no `0 B/0 B` lines.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use std::process::{Command, Stdio};

use common::*;
use proxy::{Fault, FaultProxy};
use regex::Regex;
use serde_json::Value;

fn setup() -> (Registry, Imgctl, String, String) {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let digest = build_random_image(&layout, "v1", 3, 256 * 1024, 7);
    (reg, sb, format!("oci:{}:v1", layout.display()), digest)
}

#[test]
fn plain_and_json_progress_keep_stdout_for_the_result() {
    let (reg, sb, src, digest) = setup();
    // plain: aggregate lines only (no line per blob), the digest alone on stdout
    let out = sb
        .cmd()
        .env("IMGCTL_PROGRESS_INTERVAL", "0.01")
        .args(["--progress", "plain", "copy", &src])
        .arg(format!("docker://{}", reg.reference("p:v1")))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out), format!("{digest}\n"));
    let stderr = stderr(&out);
    assert!(
        stderr.lines().all(|l| l.starts_with("progress: ")),
        "{stderr}"
    );
    let last = stderr.lines().last().unwrap();
    assert!(last.contains("blobs 4/4"), "{last}"); // config + 3 layers
    assert!(last.contains("100%"), "{last}");

    // json: one event per line; blob events account for every blob; stdout is the result
    // (uploaded again, not mounted from the first push's repository)
    sb.forget_blob_locations();
    let out = sb
        .cmd()
        .args(["--progress", "json", "--format", "json", "copy", &src])
        .arg(format!("docker://{}", reg.reference("j:v1")))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["digest"], digest.as_str());
    let events: Vec<Value> = String::from_utf8_lossy(&out.stderr)
        .into_owned()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let done: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "blob" && e["status"] != "started")
        .collect();
    assert_eq!(done.len(), 4, "{events:?}");
    // from a layout every blob is copied whole
    assert!(
        done.iter()
            .all(|e| e["status"] == "copied" && e["bytes"] == e["size"]),
        "{done:?}"
    );
    let last = events.last().unwrap();
    assert_eq!(last["event"], "progress");
    assert_eq!(last["blobsDone"], 4);

    // none / -q: nothing on stderr
    let out = sb
        .cmd()
        .args(["-q", "copy", &src])
        .arg(format!("docker://{}", reg.reference("q:v1")))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(out.stderr.is_empty(), "{}", describe(&out));
}

/// Runs imgctl under a pseudo-terminal (`script`), returning what the terminal showed.
fn on_terminal(sb: &Imgctl, env: &[(&str, &str)], args: &str) -> String {
    let mut c = Command::new("script");
    // The sandbox environment, then the terminal-specific variables.
    for (k, v) in sb.cmd().get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c.env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color")
        .envs(env.iter().copied());
    let out = c
        .args(["-qec"])
        .arg(format!("{} {args}", env!("CARGO_BIN_EXE_imgctl")))
        .arg("/dev/null")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    stdout(&out)
}

#[test]
fn auto_means_bars_on_a_terminal_and_plain_lines_under_ci() {
    let (reg, sb, src, digest) = setup();
    let tty = on_terminal(
        &sb,
        &[],
        &format!("copy {src} docker://{}", reg.reference("t:v1")),
    );
    assert!(tty.contains(&digest), "{tty}");
    assert!(
        tty.contains('[') && tty.contains("images 1/1, "),
        "no bars: {tty:?}"
    );
    assert!(!tty.contains("progress: "), "{tty:?}");
    assert!(
        tty.contains("\x1b[36m") || tty.contains("\x1b[38;5;6m"),
        "bars without colour: {tty:?}"
    );

    let no_color = on_terminal(
        &sb,
        &[("NO_COLOR", "1")],
        &format!("copy {src} docker://{}", reg.reference("n:v1")),
    );
    assert!(no_color.contains("images 1/1, "), "{no_color:?}");
    assert!(
        !no_color.contains("\x1b[36m") && !no_color.contains("\x1b[38;5;6m"),
        "{no_color:?}"
    );

    let ci = on_terminal(
        &sb,
        &[("GITHUB_ACTIONS", "true")],
        &format!("copy {src} docker://{}", reg.reference("c:v1")),
    );
    assert!(ci.contains("progress: "), "CI not detected: {ci:?}");
    assert!(ci.contains(&digest));
}

/// What a terminal was sent, cut into the redraws of the bars: each piece is what was written
/// after one "clear the bar lines" sequence (cursor up / erase line), colours removed.
fn redraws(raw: &str) -> Vec<String> {
    let colours = Regex::new(r"\x1b\[[0-9;]*m").unwrap();
    let plain = colours.replace_all(raw, "");
    let clear =
        Regex::new(r"(?:\x1b\[\d*A)?(?:\r?\x1b\[2K(?:\x1b\[\d*B)?)+(?:\x1b\[\d*A)?").unwrap();
    clear.split(&plain).map(str::to_string).collect()
}

/// Blob bars in one redraw: `(label, bar, what follows)` for each `LABEL sha256:<12 hex> [`.
/// The label is the 20 columns before the digest (lines fill the terminal's width without a
/// newline, so the line before may run into it); what follows is the next 25 characters.
fn blob_bars(frame: &str) -> Vec<(String, String, String)> {
    let bar = Regex::new(r"(.{20}) sha256:[0-9a-f]{12} \[([=> ]*)\]").unwrap();
    bar.captures_iter(frame)
        .map(|c| {
            let end = c.get(0).unwrap().end();
            let rest: String = frame[end..].chars().take(25).collect();
            (c[1].trim().to_string(), c[2].to_string(), rest)
        })
        .collect()
}

#[test]
fn a_sync_on_a_terminal_shows_image_lines_one_aggregate_and_a_few_labelled_blob_bars() {
    let src = Registry::start(Mode::Plain);
    let dst = Registry::start(Mode::Plain);
    // The destination takes 400 ms to answer each blob commit: several blobs sit at 100 %
    // together, more than the bars shown.
    let slow = FaultProxy::start(&dst.host());
    slow.add(
        "PUT",
        "/blobs/uploads/",
        0,
        Fault::DelayAnswer { millis: 400 },
    );
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let mut digests = Vec::new();
    for i in 0..6u64 {
        let tag = format!("v{i}");
        let d = build_random_image(&layout, &tag, 3, 64 * 1024, 100 + i);
        sb.run_ok(&[
            "-q",
            "copy",
            &format!("oci:{}:{tag}", layout.display()),
            &format!("docker://{}", src.reference(&format!("app:{tag}"))),
        ]);
        digests.push((tag, d));
    }
    let (s, d) = (src.host(), slow.host());
    let cfg = sb.dir().join("tty.yaml");
    std::fs::write(
        &cfg,
        format!("mappings:\n  - source: {s}/app\n    destination: {d}/m/app\n    tags: all\n"),
    )
    .unwrap();
    let raw = on_terminal(&sb, &[], &format!("--jobs 8 sync {}", cfg.display()));
    let frames = redraws(&raw);
    let text: String = frames.concat();

    // One line per image, each once, and the summary.
    for (tag, digest) in &digests {
        let line = format!("copied     {s}/app:{tag} -> {d}/m/app:{tag} {digest}");
        assert_eq!(text.matches(&line).count(), 1, "{line}: {text}");
    }
    assert!(
        text.contains("sync: 6 copied, 0 skipped, 0 failed"),
        "{text}"
    );
    // Lines come as images finish: an image line before the aggregate says all are done.
    let first_line = text.find("copied     ").unwrap();
    let partial = Regex::new(r"images [0-5]/6, ").unwrap();
    assert!(
        partial.find_iter(&text).any(|m| m.start() > first_line),
        "no image line before the end: {text}"
    );
    // At most four lines of bars at a time (three blob bars and the aggregate line): each
    // redraw first erases the lines the previous one drew, one erase per line.
    let erased = Regex::new(r"(?:\x1b\[\d*A)?(?:\r?\x1b\[2K(?:\x1b\[\d*B)?)+").unwrap();
    let most_lines = erased
        .find_iter(&raw)
        .map(|m| m.as_str().matches("\x1b[2K").count())
        .max()
        .unwrap_or(0);
    assert!(
        (2..=4).contains(&most_lines),
        "{most_lines} lines of bars: {raw:?}"
    );
    // The aggregate line, its last state complete.
    let aggregate = Regex::new(r"images \d+/6, ").unwrap();
    let last = frames.iter().rev().find(|f| aggregate.is_match(f)).unwrap();
    assert!(
        last.contains("images 6/6, ") && last.contains("blobs 24/24"),
        "{last}"
    );
    // Blob bars, each labelled with its image; seen at 100 % while the registry commits.
    let labels: Vec<String> = digests.iter().map(|(t, _)| format!("m/app:{t}")).collect();
    let mut seen = 0;
    let mut committing = false;
    for f in &frames {
        let bars = blob_bars(f);
        seen += bars.len();
        for (label, bar, rest) in &bars {
            assert!(
                labels.contains(label),
                "unlabelled bar {label:?} {rest:?}: {f}"
            );
            committing |= rest.contains(" committing") && bar.chars().all(|c| c == '=');
        }
    }
    assert!(seen >= 1, "no blob bar: {text}");
    assert!(committing, "no bar said committing: {text}");
    // None of the old per-blob statuses.
    for nonsense in ["copied 0 B", "exists, skipped", "skipped 0 B"] {
        assert!(!text.contains(nonsense), "{nonsense}: {text}");
    }
    // And the mirror is complete.
    for (tag, digest) in &digests {
        let (_, got) = skopeo_raw_manifest(
            &format!("docker://{}/m/app:{tag}", dst.host()),
            &dst.skopeo_flags("", None),
        );
        assert_eq!(&got, digest, "{tag}");
    }
}

#[test]
fn a_copy_on_a_terminal_gets_the_aggregate_line_and_says_committing() {
    let reg = Registry::start(Mode::Plain);
    let slow = FaultProxy::start(&reg.host());
    slow.add("PUT", "/manifests/", 0, Fault::DelayAnswer { millis: 800 });
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let digest = build_random_image(&layout, "v1", 2, 128 * 1024, 3);
    let raw = on_terminal(
        &sb,
        &[],
        &format!(
            "copy oci:{}:v1 docker://{}",
            layout.display(),
            slow.reference("app:v1")
        ),
    );
    let frames = redraws(&raw);
    let text: String = frames.concat();
    assert!(text.contains(&digest), "{text}");
    // While the manifest PUT is held, the aggregate line says so.
    assert!(
        frames
            .iter()
            .any(|f| f.contains("images 0/1, committing, ")),
        "{frames:#?}"
    );
    let last = frames.iter().rev().find(|f| f.contains("images ")).unwrap();
    assert!(
        last.contains("images 1/1, ") && last.contains("blobs 3/3"),
        "{last}"
    );
    assert!(!text.contains("progress: "), "{text}");
    assert!(!text.contains("0 B/0 B"), "{text}");
    // A second copy sends nothing: no byte counts, no rate.
    let raw = on_terminal(
        &sb,
        &[],
        &format!(
            "copy oci:{}:v1 docker://{}",
            layout.display(),
            reg.reference("app:v1")
        ),
    );
    let text = redraws(&raw).concat();
    assert!(
        text.contains("images 1/1, nothing to transfer, blobs 3/3"),
        "{text}"
    );
    assert!(
        !text.contains("0 B/0 B") && !text.contains("0 B/s"),
        "{text}"
    );
}

#[test]
fn no_zero_progress_line_before_an_early_error_or_for_a_push_that_sends_nothing() {
    let (reg, sb, src, _) = setup();
    // The source image does not exist: not found (4), and nothing else on stderr.
    let out = sb
        .cmd()
        .env("IMGCTL_PROGRESS_INTERVAL", "0.01")
        .args(["--progress", "plain", "copy"])
        .arg(format!("docker://{}", reg.reference("nothing:v1")))
        .arg(format!("oci:{}:v1", sb.dir().join("out").display()))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    let stderr = stderr(&out);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains("progress: "), "{stderr}");
    // Nothing listens on the destination: the copy fails before any byte moves, after
    // retries.
    let dead = format!("127.0.0.1:{}", free_port());
    let out = sb
        .cmd()
        .env("IMGCTL_PROGRESS_INTERVAL", "0.01")
        .args(["--progress", "plain", "--retries", "2", "copy", &src])
        .arg(format!("docker://{dead}/app:v1"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(stderr.contains("error: "), "{stderr}");
    assert!(!stderr.contains("progress: "), "{stderr}");
    // JSON: no progress event either.
    let out = sb
        .cmd()
        .env("IMGCTL_PROGRESS_INTERVAL", "0.01")
        .args(["--progress", "json", "--retries", "1", "copy", &src])
        .arg(format!("docker://{dead}/app:v1"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", describe(&out));
    assert!(
        !String::from_utf8_lossy(&out.stderr)
            .into_owned()
            .contains("\"progress\""),
        "{}",
        describe(&out)
    );

    // A push of what the registry has: the final line counts blobs, not 0 B/0 B.
    let dest = format!("docker://{}", reg.reference("again:v1"));
    for round in 0..2 {
        let out = sb
            .cmd()
            .args(["--progress", "plain", "copy", &src, &dest])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let lines: Vec<&str> = stderr.lines().collect();
        match round {
            0 => assert!(lines.last().unwrap().contains("100%"), "{stderr}"),
            _ => assert_eq!(
                lines,
                ["progress: images 1/1, blobs 4/4, nothing to transfer"],
                "{stderr}"
            ),
        }
    }
}
