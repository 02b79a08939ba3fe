//! What a new user meets first: a plain-HTTP registry whose `/v2/` answers an error (quoted,
//! retried, right exit code, no TLS noise), `--platform` on single-platform images, digest
//! references written with `@`, full digests and image counts in progress events, and plain
//! `warning:` lines without colour codes when stderr is not a terminal.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use std::time::{Duration, Instant};

use common::*;
use proxy::{Fault, FaultProxy};
use serde_json::Value;

fn respond(status: u16, body: &str, retry_after: Option<u64>) -> Fault {
    Fault::Respond {
        status,
        body: body.into(),
        content_type: "text/plain",
        retry_after,
    }
}

/// A plain registry holding `app:v1` (linux/amd64, single manifest), a proxy in front of it
/// and a sandbox. Returns the image's digest too.
fn setup() -> (Registry, FaultProxy, Imgctl, String) {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("src");
    let digest = build_random_image(&layout, "v1", 2, 64 * 1024, 3);
    sb.run_ok(&[
        "-q",
        "copy",
        &format!("oci:{}:v1", layout.display()),
        &format!("docker://{}", reg.reference("app:v1")),
    ]);
    let proxy = FaultProxy::start(&reg.host());
    (reg, proxy, sb, digest)
}

#[test]
fn plain_http_registry_with_a_failing_ping_is_retried_and_quoted() {
    let (_reg, proxy, sb, digest) = setup();
    let image = format!("docker://{}", proxy.reference("app:v1"));

    // 503 on every request: retried once (Retry-After: 0), then exit 6 quoting the body.
    proxy.add("GET", "/v2/", 0, respond(503, "service down", Some(0)));
    let out = sb.run(&["--retries", "1", "digest", &image]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(6), "{}", describe(&out));
    assert!(err.contains("service down"), "{err}");
    assert!(err.contains("503"), "{err}");
    assert!(!err.contains("InvalidContentType"), "TLS noise: {err}");
    assert_eq!(proxy.count("GET", "/v2/"), 2, "{:?}", proxy.seen());
    // the retry is announced as a plain warning line: no colour codes off a terminal
    let warning = err
        .lines()
        .find(|l| l.contains("retrying"))
        .unwrap_or_else(|| panic!("no retry warning: {err}"));
    assert!(warning.starts_with("warning: "), "{warning:?}");
    assert!(!err.contains('\x1b'), "escape codes in {err:?}");

    // 429: exit 5 (rate limited)
    proxy.clear();
    proxy.add("GET", "/v2/", 0, respond(429, "slow down", Some(0)));
    let out = sb.run(&["--retries", "0", "digest", &image]);
    assert_eq!(out.status.code(), Some(5), "{}", describe(&out));
    assert!(stderr(&out).contains("slow down"), "{}", describe(&out));

    // one 503, then the registry is back: the retried ping succeeds
    proxy.clear();
    proxy.clear_seen();
    proxy.add("GET", "/v2/", 1, respond(503, "service down", Some(0)));
    let out = sb.run(&["--retries", "2", "digest", &image]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), digest);

    // /v2/ answering 404 (some registries do) is usable
    proxy.clear();
    proxy.add("GET", "/v2/", 1, respond(404, "not here", None));
    let out = sb.run(&["--retries", "0", "digest", &image]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), digest);
}

#[test]
fn connection_refused_fails_fast_with_no_retries() {
    let sb = Imgctl::new();
    let port = free_port();
    let started = Instant::now();
    let out = sb.run(&[
        "--retries",
        "0",
        "digest",
        &format!("docker://127.0.0.1:{port}/app:v1"),
    ]);
    assert_eq!(out.status.code(), Some(6), "{}", describe(&out));
    assert!(
        stderr(&out).contains("cannot connect"),
        "{}",
        describe(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn platform_is_checked_on_single_platform_images() {
    let (reg, _proxy, sb, digest) = setup();
    let image = format!("docker://{}", reg.reference("app:v1"));
    let dest = |tag: &str| format!("docker://{}", reg.reference(&format!("copy:{tag}")));

    // another platform asked for: exit 4 naming the image's platform, nothing written
    let out = sb.run(&["copy", "--platform", "linux/arm64", &image, &dest("a")]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("single-platform image for linux/amd64, not linux/arm64"),
        "{err}"
    );
    assert_eq!(sb.run(&["digest", &dest("a")]).status.code(), Some(4));
    let out = sb.run(&["inspect", "--platform", "linux/arm64", &image]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(stderr(&out).contains("linux/amd64"), "{}", describe(&out));

    // the image's own platform, or none at all: copied, platforms reported
    let to = dest("b");
    for args in [vec!["--platform", "linux/amd64"], vec![]] {
        let mut a = vec!["--format", "json", "copy"];
        a.extend(args);
        a.extend([image.as_str(), to.as_str()]);
        let out: Value = serde_json::from_str(&sb.run_ok(&a)).unwrap();
        assert_eq!(out["digest"], digest.as_str());
        assert_eq!(out["platforms"], serde_json::json!(["linux/amd64"]));
    }
    sb.run_ok(&["inspect", "--platform", "linux/amd64", &image]);

    // save from the store
    sb.run_ok(&["-q", "pull", &reg.reference("app:v1")]);
    let tar = sb.dir().join("app.tar");
    let out = sb.run(&[
        "save",
        "--platform",
        "linux/arm64",
        &reg.reference("app:v1"),
        "-o",
        tar.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(!tar.exists());
}

#[test]
fn digest_references_are_written_with_an_at_sign() {
    let (reg, _proxy, sb, _digest) = setup();
    let missing = format!("sha256:{}", "0".repeat(64));
    let out = sb.run(&[
        "digest",
        &format!("docker://{}", reg.reference(&format!("app@{missing}"))),
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("/app@{missing}")), "{err}");
    assert!(!err.contains(&format!("app:{missing}")), "{err}");
}

#[test]
fn json_progress_has_full_digests_copied_status_and_one_image() {
    let (reg, _proxy, sb, _digest) = setup();
    let out = sb
        .cmd()
        .env("IMGCTL_PROGRESS_INTERVAL", "0.01")
        .args(["--progress", "json", "copy"])
        .arg(format!("docker://{}", reg.reference("app:v1")))
        .arg(format!("oci:{}:v1", sb.dir().join("out").display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let events: Vec<Value> = stderr(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let blobs: Vec<&Value> = events.iter().filter(|e| e["event"] == "blob").collect();
    assert_eq!(blobs.len(), 6, "{events:?}"); // config + 2 layers, started and done
    for b in &blobs {
        let d = b["digest"].as_str().unwrap();
        assert_eq!(d.len(), "sha256:".len() + 64, "{d}");
        assert!(b["status"] == "started" || b["status"] == "copied", "{b}");
    }
    let last = events.last().unwrap();
    assert_eq!(last["event"], "progress");
    assert_eq!(
        (last["imagesDone"].as_u64(), last["imagesTotal"].as_u64()),
        (Some(1), Some(1))
    );

    // plain lines count the image too
    let out = sb
        .cmd()
        .args(["--progress", "plain", "copy"])
        .arg(format!("docker://{}", reg.reference("app:v1")))
        .arg(format!("oci:{}:v1", sb.dir().join("out2").display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.lines().last().unwrap().contains("images 1/1"), "{err}");
}
