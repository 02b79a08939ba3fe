//! Fault injection (issue 5): a proxy of our own between imgctl and the real registry cuts,
//! stalls, rewrites, rejects and redirects requests. Each case asserts the outcome: success
//! after retry/resume with the verified digest, or a clear error with the store (or the
//! registry) unchanged. Plus kill -9 during a pull, concurrent pulls into one store, and a gc
//! during a pull, each checked with `skopeo inspect oci:`; and kill -9 / Ctrl-C (SIGINT) during
//! a copy to an `oci-archive:` or `docker-archive:` (a file, or stdout), resumed by the next
//! run from the partial download its staging directory kept, which is then removed.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use proxy::{Fault, FaultProxy};
use serde_json::Value;

const MIB: usize = 1 << 20;

/// A registry holding `app:v1` (pushed by imgctl directly), a proxy in front of it, and a
/// sandbox whose `src` layout holds the image.
struct Setup {
    reg: Registry,
    proxy: FaultProxy,
    sb: Imgctl,
    digest: String,
    /// Layer digests, bottom first.
    layers: Vec<String>,
}

impl Setup {
    fn src(&self) -> std::path::PathBuf {
        self.sb.dir().join("src")
    }
}

fn setup_with(mode: Mode, layer_count: usize, layer_size: usize, push: bool) -> Setup {
    let reg = Registry::start(mode);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_random_image(&src, "v1", layer_count, layer_size, 7);
    let manifest = read_json_blob(&src, &digest);
    let layers = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap().to_string())
        .collect();
    if push {
        let mut args = vec!["--progress", "none"];
        let creds = reg.push_creds().map(|(u, p)| format!("{u}:{p}"));
        if let Some(c) = &creds {
            args.extend(["--creds", c]);
        }
        let from = format!("oci:{}:v1", src.display());
        let to = format!("docker://{}", reg.reference("app:v1"));
        args.extend(["copy", &from, &to]);
        sb.run_ok(&args);
    }
    let proxy = FaultProxy::start(&reg.host());
    Setup {
        reg,
        proxy,
        sb,
        digest,
        layers,
    }
}

fn setup(layer_count: usize, layer_size: usize) -> Setup {
    setup_with(Mode::Plain, layer_count, layer_size, true)
}

/// The image `name` in the sandbox store, as skopeo sees it: its digest and layer digests.
fn skopeo_store_digest(store: &Path, name: &str) -> (String, Vec<String>) {
    let out = skopeo_ok(&["inspect", &format!("oci:{}:{name}", store.display())]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let layers = v["Layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    (v["Digest"].as_str().unwrap().to_string(), layers)
}

/// Asserts the store holds `name` with `digest` and every blob in it hashes to its name.
fn assert_pulled(s: &Setup, name: &str) {
    let store = s.sb.store();
    let (digest, layers) = skopeo_store_digest(&store, name);
    assert_eq!(digest, s.digest);
    assert_eq!(layers, s.layers);
    for l in &s.layers {
        assert_eq!(&sha256_digest(&read_blob(&store, l)), l, "blob {l} corrupt");
    }
}

/// Asserts the store names no image and holds no blob.
fn assert_store_empty(store: &Path) {
    if !store.join("index.json").exists() {
        return;
    }
    let index = read_index_json(store);
    assert_eq!(
        index["manifests"].as_array().map(Vec::len).unwrap_or(0),
        0,
        "{index}"
    );
    let blobs = std::fs::read_dir(store.join("blobs/sha256"))
        .map(|rd| rd.count())
        .unwrap_or(0);
    assert_eq!(blobs, 0, "blobs left in the store");
}

/// Whether the registry's storage holds blob `digest` with the right content.
fn registry_has_blob(reg: &Registry, digest: &str) -> bool {
    let hex = digest.strip_prefix("sha256:").unwrap();
    let path = reg
        .storage_dir()
        .join("docker/registry/v2/blobs/sha256")
        .join(&hex[..2])
        .join(hex)
        .join("data");
    std::fs::read(path).is_ok_and(|b| sha256_digest(&b) == digest)
}

/// Whether the registry has a manifest for `repo:tag` (asked directly, not through the proxy).
fn registry_digest(reg: &Registry, repo_tag: &str) -> Option<String> {
    let out = skopeo(
        &[
            vec![
                "inspect".to_string(),
                format!("docker://{}", reg.reference(repo_tag)),
            ],
            reg.skopeo_flags("", reg.push_creds()),
        ]
        .concat(),
    );
    if !out.status.success() {
        return None;
    }
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["Digest"].as_str().map(str::to_string)
}

fn blob_path(d: &str) -> String {
    format!("/blobs/{d}")
}

// ----- downloads -----

/// One fault rule for the proxy: method (`*` for any), a path part, how many times (0: every
/// time) and the fault.
type Rule = (&'static str, String, usize, Fault);

/// How a fault case must end.
enum Outcome {
    /// Exit 0, and the image in place with the right digest (pull: stdout is the digest and the
    /// store holds it, every blob verified; push: the registry has it).
    Done,
    /// Exit with this code, and nothing stored (pull: the store names no image and holds no
    /// blob; push: the registry has no manifest).
    Fails(i32),
}

/// A pull of `app:v1` through the fault proxy: the shape most download faults share.
struct PullCase {
    /// Registry protection; with Token, the pull passes `--creds USER:PASSWORD`.
    mode: Mode,
    /// Layers of the image: count and size in bytes.
    layers: (usize, usize),
    /// The proxy's rules, made from the setup (they name its blobs).
    faults: fn(&Setup) -> Vec<Rule>,
    /// Global flags before `pull`.
    flags: &'static [&'static str],
    /// Pull by digest (`app@sha256:…`) instead of by tag.
    by_digest: bool,
    outcome: Outcome,
    /// Text stderr must contain.
    stderr: &'static [&'static str],
    /// How many requests the proxy saw: (method, path part, count).
    requests: &'static [(&'static str, &'static str, usize)],
    /// The case's own checks, given the setup, the run and its duration.
    check: fn(&Setup, &std::process::Output, Duration),
}

const PULL: PullCase = PullCase {
    mode: Mode::Plain,
    layers: (1, MIB),
    faults: |_| vec![],
    flags: &[],
    by_digest: false,
    outcome: Outcome::Done,
    stderr: &[],
    requests: &[],
    check: |_, _, _| {},
};

fn run_pull_case(case: PullCase) {
    let s = setup_with(case.mode, case.layers.0, case.layers.1, true);
    for (method, path, times, fault) in (case.faults)(&s) {
        s.proxy.add(method, &path, times, fault);
    }
    let name = if case.by_digest {
        s.proxy.reference(&format!("app@{}", s.digest))
    } else {
        s.proxy.reference("app:v1")
    };
    let creds = format!("{USER}:{PASSWORD}");
    let mut args: Vec<&str> = case.flags.to_vec();
    if case.mode == Mode::Token {
        args.extend(["--creds", &creds]);
    }
    args.extend(["pull", &name]);
    let started = Instant::now();
    let out = run(&s.sb, &args);
    let took = started.elapsed();
    match case.outcome {
        Outcome::Done => {
            assert!(out.status.success(), "{}", describe(&out));
            assert_eq!(stdout(&out).trim(), s.digest, "{}", describe(&out));
            assert_pulled(&s, &name);
        }
        Outcome::Fails(want) => {
            assert_eq!(out.status.code(), Some(want), "{}", describe(&out));
            assert_store_empty(&s.sb.store());
        }
    }
    for text in case.stderr {
        assert!(
            stderr(&out).contains(text),
            "no {text:?}: {}",
            describe(&out)
        );
    }
    for (method, path, n) in case.requests {
        assert_eq!(s.proxy.count(method, path), *n, "{method} {path}");
    }
    (case.check)(&s, &out, took);
}

/// The `Range` header of each GET of blob `digest` the proxy saw, in order.
fn blob_gets(s: &Setup, digest: &str) -> Vec<Option<String>> {
    s.proxy
        .seen()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.contains(&blob_path(digest)))
        .map(|r| r.range)
        .collect()
}

/// Rules answering every manifest GET with another image's manifest.
fn other_manifest(s: &Setup) -> Vec<Rule> {
    let other = s.sb.dir().join("other");
    let other_digest = build_random_image(&other, "v1", 1, 500, 99);
    let other_bytes = read_blob(&other, &other_digest);
    vec![(
        "GET",
        "/manifests/".into(),
        0,
        Fault::ReplaceBody(other_bytes),
    )]
}

/// One `#[test]` per row of the table: `name: PullCase { … };`.
macro_rules! pull_cases {
    ($($(#[$attr:meta])* $name:ident: $case:expr;)*) => {
        $($(#[$attr])* #[test] fn $name() { run_pull_case($case) })*
    };
}

pull_cases! {
    a_cut_blob_body_is_resumed_with_range: PullCase {
        layers: (2, 3 * MIB),
        faults: |s| vec![
            ("GET", blob_path(&s.layers[0]), 2, Fault::CutBody { after: 1_000_000 }),
            ("GET", blob_path(&s.layers[1]), 1, Fault::CutBody { after: 2_500_000 }),
        ],
        check: |s, _, _| {
            // Bytes in flight when a connection drops are lost, so the resume offsets are not
            // exactly where the proxy cut; each resumed request starts past the previous one.
            let starts = |layer: &str| -> Vec<u64> {
                blob_gets(s, layer)
                    .iter()
                    .map(|range| {
                        range.as_deref().map_or(0, |v| {
                            v.trim_start_matches("bytes=")
                                .trim_end_matches('-')
                                .parse()
                                .unwrap()
                        })
                    })
                    .collect()
            };
            let l0 = starts(&s.layers[0]);
            assert_eq!(l0.len(), 3, "{l0:?}");
            assert!(
                l0[0] == 0 && l0[1] > 0 && l0[2] > l0[1] && l0[2] <= 2_000_000,
                "{l0:?}"
            );
            let l1 = starts(&s.layers[1]);
            assert_eq!(l1.len(), 2, "{l1:?}");
            assert!(l1[0] == 0 && l1[1] > 0 && l1[1] <= 2_500_000, "{l1:?}");
        },
        ..PULL
    };

    /// Issue 10.5: a complete but short 200 (a CDN's HTML "Redirecting…" page) is a failed
    /// attempt, not the blob's first bytes: the blob is asked again from byte 0, never continued
    /// with `Range` after the page.
    a_short_html_200_for_a_blob_is_a_failed_attempt_not_a_prefix: PullCase {
        faults: |s| vec![(
            "GET",
            blob_path(&s.layers[0]),
            1,
            Fault::Respond {
                status: 200,
                body: "<html><head><title>Redirecting…</title></head><body>Redirecting…</body></html>"
                    .into(),
                content_type: "text/html; charset=utf-8",
                retry_after: None,
            },
        )],
        stderr: &["cannot be the blob"],
        check: |s, _, _| assert_eq!(blob_gets(s, &s.layers[0]), [None, None]),
        ..PULL
    };

    a_stalled_download_times_out_and_resumes: PullCase {
        layers: (1, 3 * MIB),
        faults: |s| vec![(
            "GET",
            blob_path(&s.layers[0]),
            1,
            Fault::Stall { after: 1_000_000, secs: 30 },
        )],
        flags: &["--timeout", "1"],
        check: |s, _, took| {
            assert!(took < Duration::from_secs(20), "{took:?}");
            assert!(
                s.proxy
                    .seen()
                    .iter()
                    .any(|r| r.range.as_deref() == Some("bytes=1000000-")),
                "no resumed request"
            );
        },
        ..PULL
    };

    rate_limits_and_unavailable_answers_are_retried_after_retry_after: PullCase {
        faults: |s| vec![
            (
                "GET",
                "/manifests/".into(),
                1,
                Fault::Respond {
                    status: 429,
                    body: r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#.into(),
                    content_type: "application/json",
                    retry_after: Some(1),
                },
            ),
            (
                "GET",
                blob_path(&s.layers[0]),
                1,
                Fault::Respond {
                    status: 503,
                    body: "<html><body>Service Unavailable</body></html>".into(),
                    content_type: "text/html",
                    retry_after: Some(1),
                },
            ),
        ],
        check: |s, _, took| {
            // Retry-After: 1 was honoured twice (plain backoff would start at 0.5 s).
            assert!(took >= Duration::from_secs(2), "{took:?}");
            let statuses: Vec<u16> = s.proxy.seen().iter().map(|r| r.status).collect();
            assert!(
                statuses.contains(&429) && statuses.contains(&503),
                "{statuses:?}"
            );
        },
        ..PULL
    };

    a_persistent_plain_text_429_is_a_rate_limit_error_after_retries: PullCase {
        layers: (1, 1000),
        faults: |_| vec![(
            "GET",
            "/manifests/".into(),
            0,
            Fault::Respond {
                status: 429,
                body: "Too Many Requests: you have reached your pull rate limit".into(),
                content_type: "text/plain",
                retry_after: Some(0),
            },
        )],
        flags: &["--retries", "2"],
        outcome: Outcome::Fails(5),
        stderr: &["429", "pull rate limit"],
        // --retries 2: the first request and two retries
        requests: &[("GET", "/manifests/", 3)],
        ..PULL
    };

    gzip_content_encoding_and_missing_digest_headers_change_nothing: PullCase {
        layers: (2, MIB),
        faults: |_| vec![
            (
                "GET",
                "/blobs/sha256:".into(),
                0,
                Fault::Rewrite {
                    status: None,
                    set: vec![
                        ("content-encoding", "gzip".into()),
                        ("docker-content-digest", "".into()),
                    ],
                    remove: vec![],
                },
            ),
            (
                "GET",
                "/manifests/".into(),
                0,
                Fault::Rewrite {
                    status: None,
                    set: vec![],
                    remove: vec!["docker-content-digest"],
                },
            ),
        ],
        ..PULL
    };

    a_different_manifest_is_refused_by_digest_and_the_store_is_unchanged: PullCase {
        layers: (1, 1000),
        faults: other_manifest,
        by_digest: true,
        outcome: Outcome::Fails(7),
        check: |s, out, _| assert!(stderr(out).contains(&s.digest), "{}", stderr(out)),
        ..PULL
    };

    /// By tag: the registry's Docker-Content-Digest does not match the bytes.
    a_different_manifest_is_refused_by_tag_and_the_store_is_unchanged: PullCase {
        layers: (1, 1000),
        faults: other_manifest,
        outcome: Outcome::Fails(7),
        ..PULL
    };

    redirected_blobs_get_no_authorization_and_expired_redirects_are_renewed: PullCase {
        mode: Mode::Token,
        layers: (2, MIB),
        faults: |s| vec![
            ("GET", blob_path(&s.layers[1]), 1, Fault::ExpiredRedirect),
            ("GET", "/blobs/sha256:".into(), 0, Fault::Redirect),
        ],
        check: |s, _, _| {
            let seen = s.proxy.seen();
            let alt: Vec<_> = seen.iter().filter(|r| r.alt).collect();
            assert!(
                alt.len() >= 4,
                "config + 2 layers + the expired one: {alt:?}"
            );
            assert!(
                alt.iter().all(|r| !r.authorization),
                "Authorization sent to another host"
            );
            assert!(alt.iter().any(|r| r.status == 403));
            // the registry itself did get credentials
            assert!(seen.iter().any(|r| !r.alt && r.authorization));
        },
        ..PULL
    };

    /// Issue 10.4: a manifest answer that keeps breaking off fails as a network error (exit 6)
    /// after `--retries`, with nothing stored.
    a_manifest_answer_that_always_breaks_off_exits_6_after_retries: PullCase {
        layers: (1, 1000),
        faults: |_| vec![("GET", "/manifests/".into(), 0, Fault::CutBody { after: 50 })],
        flags: &["--retries", "2"],
        outcome: Outcome::Fails(6),
        stderr: &["the manifest answer broke off after 50 bytes"],
        requests: &[("GET", "/manifests/", 3)],
        ..PULL
    };
}

/// Issue 10.5: a download resumed with `Range` whose bytes do not verify (the resumed part
/// came from a server with other content) is fetched once more from byte 0, into the store
/// and when streamed registry → registry.
#[test]
fn a_resumed_blob_that_does_not_verify_is_fetched_once_more_from_byte_0() {
    let s = setup(1, 3 * MIB);
    let faults = |p: &FaultProxy| {
        p.clear();
        p.clear_seen();
        p.add(
            "GET",
            &blob_path(&s.layers[0]),
            1,
            Fault::CutBody { after: 1_000_000 },
        );
        p.add("GET", &blob_path(&s.layers[0]), 1, Fault::CorruptBody);
    };
    faults(&s.proxy);
    let name = s.proxy.reference("app:v1");
    let out = run(&s.sb, &["pull", &name]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_pulled(&s, &name);
    let gets = blob_gets(&s, &s.layers[0]);
    assert_eq!(gets.len(), 3, "{gets:?}");
    assert!(
        gets[0].is_none() && gets[1].is_some() && gets[2].is_none(),
        "{gets:?}"
    );
    // registry → registry, streamed: the upload starts over too (the pull's record of where
    // the blob is would make it a mount)
    s.sb.forget_blob_locations();
    faults(&s.proxy);
    let to = format!("docker://{}", s.reg.reference("streamed:v1"));
    let out = run(&s.sb, &["copy", &format!("docker://{name}"), &to]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        registry_digest(&s.reg, "streamed:v1").as_deref(),
        Some(&*s.digest)
    );
    let gets = blob_gets(&s, &s.layers[0]);
    assert_eq!(gets.len(), 3, "{gets:?}");
    assert!(
        gets[0].is_none() && gets[1].is_some() && gets[2].is_none(),
        "{gets:?}"
    );
}

/// Issue 10.4: an answer cut part-way is requested again for every replayable read, as a
/// blob download is: the manifest (by tag), a tag page, a catalog page, the referrers list.
#[test]
fn cut_manifest_tag_catalog_and_referrers_answers_are_retried() {
    let s = setup(1, 1000);
    // the manifest: cut twice after 50 of its bytes
    s.proxy
        .add("GET", "/manifests/v1", 2, Fault::CutBody { after: 50 });
    let name = s.proxy.reference("app:v1");
    let out = run(&s.sb, &["pull", &name]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), s.digest);
    assert_pulled(&s, &name);
    assert_eq!(s.proxy.count("GET", "/manifests/v1"), 3);
    assert!(
        stderr(&out).contains("warning: the manifest answer broke off after 50 bytes"),
        "{}",
        describe(&out)
    );
    // a tag page and a catalog page
    s.proxy
        .add("GET", "/tags/list", 1, Fault::CutBody { after: 5 });
    let out = run(&s.sb, &["tags", &s.proxy.reference("app")]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), "v1");
    assert_eq!(s.proxy.count("GET", "/tags/list"), 2);
    s.proxy
        .add("GET", "/_catalog", 1, Fault::CutBody { after: 5 });
    let out = run(&s.sb, &["--format", "json", "catalog", &s.proxy.host()]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(stdout(&out).contains("\"app\""), "{}", describe(&out));
    assert_eq!(s.proxy.count("GET", "/_catalog"), 2);
    // the referrers API (distribution 2.8 has none: a scripted index, cut, then the
    // registry's own 404 on the retry, which falls back to the tag schema)
    s.proxy.add(
        "GET",
        "/referrers/",
        1,
        Fault::RespondCut {
            status: 200,
            body: r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#.into(),
            content_type: "application/vnd.oci.image.index.v1+json",
            after: 20,
        },
    );
    let out = run(
        &s.sb,
        &[
            "copy",
            "--referrers",
            &format!("docker://{name}"),
            &format!("docker://{}", s.proxy.reference("copied:v1")),
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        registry_digest(&s.reg, "copied:v1").as_deref(),
        Some(&*s.digest)
    );
    let referrers: Vec<u16> = s
        .proxy
        .seen()
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/referrers/"))
        .map(|r| r.status)
        .collect();
    assert_eq!(referrers.first(), Some(&200), "{referrers:?}");
    assert_eq!(referrers.get(1), Some(&404), "{referrers:?}");
}

/// Issue 10.12: a `Link` whose target is no URL (the distribution spec's own placeholder
/// text) ends the listing with a warning; the tags already read are kept (exit 0).
#[test]
fn a_link_placeholder_ends_the_tag_listing_with_a_warning() {
    let s = setup(1, 1000);
    s.sb.run_ok(&[
        "tag",
        &format!("docker://{}", s.reg.reference("app:v1")),
        "v2",
    ]);
    s.proxy.add(
        "GET",
        "/tags/list",
        0,
        Fault::Rewrite {
            status: None,
            set: vec![(
                "link",
                "<<url>?n=<n from the request>&last=<last tag value from previous response>>; rel=\"next\"".into(),
            )],
            remove: vec![],
        },
    );
    let out = run(&s.sb, &["tags", &s.proxy.reference("app")]);
    assert!(out.status.success(), "{}", describe(&out));
    let mut tags: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    tags.sort();
    assert_eq!(tags, ["v1", "v2"]);
    let err = stderr(&out);
    assert!(
        err.contains("warning: cannot list tags of")
            && err.contains("Link header names no URL")
            && err.contains("keeping the 2 tags read so far"),
        "{err}"
    );
    // nothing was requested after the page with the placeholder
    assert_eq!(s.proxy.count("GET", "/tags/"), 1, "{:?}", s.proxy.seen());
}

// ----- uploads -----

fn push_through(s: &Setup, extra: &[&str]) -> std::process::Output {
    let from = format!("oci:{}:v1", s.src().display());
    let to = format!("docker://{}", s.proxy.reference("pushed:v1"));
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(["copy", &from, &to]);
    run(&s.sb, &args)
}

fn assert_pushed(s: &Setup) {
    assert_eq!(
        registry_digest(&s.reg, "pushed:v1").as_deref(),
        Some(s.digest.as_str())
    );
    for l in &s.layers {
        assert!(registry_has_blob(&s.reg, l), "{l} missing in the registry");
    }
}

/// Issue 10.16: `-vv` traces the blob upload requests too (the streamed PUT, each PATCH of a
/// chunked upload, the final PUT), with URLs cut before their query (upload state, digest)
/// and never a credential.
#[test]
fn vv_traces_streamed_and_chunked_blob_uploads_without_secrets() {
    let s = setup_with(Mode::Token, 1, 300_000, false);
    let from = format!("oci:{}:v1", s.src().display());
    let creds = format!("{USER}:{PASSWORD}");
    let upload_lines = |err: &str, method: &str| -> Vec<String> {
        err.lines()
            .filter(|l| {
                l.starts_with(&format!("trace: {method} ")) && l.contains("/blobs/uploads/")
            })
            .map(str::to_string)
            .collect()
    };
    // streamed monolithic uploads: one PUT per blob (layer, config)
    let to = format!("docker://{}", s.reg.reference("streamed:v1"));
    let out = run(&s.sb, &["-vv", "--creds", &creds, "copy", &from, &to]);
    assert!(out.status.success(), "{}", describe(&out));
    let err = stderr(&out);
    let puts = upload_lines(&err, "PUT");
    assert_eq!(puts.len(), 2, "{err}");
    let prefix = format!(
        "trace: PUT http://{}/v2/streamed/blobs/uploads/",
        s.reg.host()
    );
    assert!(
        puts.iter()
            .all(|l| l.starts_with(&prefix) && l.contains(" → 201 Created in ")),
        "{puts:?}"
    );
    // chunked: PATCHes of at most 131072 bytes, then the final PUT (uploads, not mounts
    // from "streamed")
    s.sb.forget_blob_locations();
    let to = format!("docker://{}", s.reg.reference("chunked:v1"));
    let out = run(
        &s.sb,
        &[
            "-vv",
            "--creds",
            &creds,
            "--chunk-size",
            "131072",
            "copy",
            &from,
            &to,
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let err = stderr(&out);
    let patches = upload_lines(&err, "PATCH");
    // 300000 bytes in 3 chunks, plus the config in one
    assert_eq!(patches.len(), 4, "{err}");
    assert!(
        patches.iter().all(|l| l.contains(" → 202 Accepted in ")),
        "{patches:?}"
    );
    assert_eq!(upload_lines(&err, "PUT").len(), 2, "{err}");
    for out_err in [stderr(&out), err] {
        for secret in [
            PASSWORD, "?digest=", "&digest=", "_state=", "Bearer ", "Basic ",
        ] {
            assert!(!out_err.contains(secret), "{secret:?} in: {out_err}");
        }
    }
}

/// The upload sessions the registry holds for `repo`: distribution keeps each in
/// `_uploads/<uuid>` (`startedat`, `data`) until it is finished or deleted (a deleted one may
/// leave an empty `hashstates` behind).
fn open_sessions(reg: &Registry, repo: &str) -> Vec<String> {
    let dir = reg
        .storage_dir()
        .join("docker/registry/v2/repositories")
        .join(repo)
        .join("_uploads");
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().path())
                .filter(|p| p.join("startedat").exists() || p.join("data").exists())
                .map(|p| p.display().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Path of a request without its query.
fn path_only(p: &str) -> &str {
    p.split('?').next().unwrap()
}

/// A push of the sandbox's `src` layout to `pushed:v1` through the fault proxy (nothing pushed
/// beforehand): the shape most upload faults share.
struct PushCase {
    /// Layers of the image: count and size in bytes.
    layers: (usize, usize),
    /// The proxy's rules, made from the setup.
    faults: fn(&Setup) -> Vec<Rule>,
    /// Global flags before `copy`.
    flags: &'static [&'static str],
    outcome: Outcome,
    /// Text stderr must contain.
    stderr: &'static [&'static str],
    /// The case's own checks, given the setup and the run.
    check: fn(&Setup, &std::process::Output),
}

fn run_push_case(case: PushCase) {
    let s = setup_with(Mode::Plain, case.layers.0, case.layers.1, false);
    for (method, path, times, fault) in (case.faults)(&s) {
        s.proxy.add(method, &path, times, fault);
    }
    let out = push_through(&s, case.flags);
    match case.outcome {
        Outcome::Done => {
            assert!(out.status.success(), "{}", describe(&out));
            assert_pushed(&s);
        }
        Outcome::Fails(want) => {
            assert_eq!(out.status.code(), Some(want), "{}", describe(&out));
            assert_eq!(registry_digest(&s.reg, "pushed:v1"), None);
        }
    }
    for text in case.stderr {
        assert!(
            stderr(&out).contains(text),
            "no {text:?}: {}",
            describe(&out)
        );
    }
    (case.check)(&s, &out);
}

/// One `#[test]` per row of the table: `name: PushCase { … };`.
macro_rules! push_cases {
    ($($(#[$attr:meta])* $name:ident: $case:expr;)*) => {
        $($(#[$attr])* #[test] fn $name() { run_push_case($case) })*
    };
}

push_cases! {
    an_upload_reset_part_way_is_resumed_or_restarted: PushCase {
        layers: (2, 3 * MIB),
        faults: |_| vec![
            ("PUT", "/blobs/uploads/".into(), 2, Fault::ResetUpload { after: 1_000_000 }),
            (
                "PUT",
                "/manifests/".into(),
                1,
                Fault::Respond {
                    status: 503,
                    body: "upstream connect error".into(),
                    content_type: "text/plain",
                    retry_after: Some(0),
                },
            ),
        ],
        flags: &[],
        outcome: Outcome::Done,
        stderr: &[],
        check: |s, _| {
            // after each reset the session's state was asked for
            assert!(
                s.proxy.count("GET", "/blobs/uploads/") >= 2,
                "{:?}",
                s.proxy.seen()
            );
        },
    };

    a_refused_monolithic_put_falls_back_to_chunks_within_4_mib: PushCase {
        layers: (1, 9 * MIB),
        // monolithic PUTs carry the body; the final PUT of a chunked upload is empty
        faults: |_| vec![
            ("PUT", "/blobs/uploads/".into(), 0, Fault::RejectBodyOver { max: 0, status: 405 }),
            (
                "PATCH",
                "/blobs/uploads/".into(),
                0,
                Fault::RejectBodyOver { max: 4 * MIB as u64, status: 413 },
            ),
        ],
        flags: &[],
        outcome: Outcome::Done,
        stderr: &[],
        check: |s, _| {
            let patches: Vec<_> = s
                .proxy
                .seen()
                .into_iter()
                .filter(|r| r.method == "PATCH")
                .collect();
            assert!(patches.len() >= 3, "{patches:?}");
            assert!(
                patches
                    .iter()
                    .all(|p| p.status == 202 && p.content_length.unwrap() <= 4 * MIB as u64)
            );
        },
    };

    /// Issue 10.6: a registry refusing a chunk as too large (413 SIZE_INVALID) gets the rest in
    /// smaller chunks in the same session; the blob is stored whole.
    a_chunk_refused_as_too_large_is_sent_again_in_smaller_chunks: PushCase {
        layers: (1, 3 * MIB),
        faults: |_| vec![(
            "PATCH",
            "/blobs/uploads/".into(),
            0,
            Fault::SizeInvalidOver { max: MIB as u64 },
        )],
        // --chunk-size 4 MiB
        flags: &["-vv", "--chunk-size", "4194304"],
        outcome: Outcome::Done,
        stderr: &["as too large (chunk at offset 0 ("],
        check: |s, out| {
            let size = read_json_blob(&s.src(), &s.digest)["layers"][0]["size"]
                .as_u64()
                .unwrap();
            let seen = s.proxy.seen();
            let layer: Vec<_> = seen
                .iter()
                .filter(|r| {
                    // the layer's (the config's one small chunk starts at 0)
                    r.method == "PATCH"
                        && (r.content_length.unwrap_or(0) > 10_000
                            || !r.content_range.as_deref().unwrap_or("").starts_with("0-"))
                })
                .collect();
            // the whole layer refused, then half of it, then quarters accepted (and what is left)
            let sizes: Vec<_> = layer
                .iter()
                .map(|r| (r.status, r.content_length.unwrap()))
                .collect();
            assert_eq!(
                sizes[..2],
                [(413, size), (413, size / 2)],
                "{sizes:?} {}",
                describe(out)
            );
            assert!(
                sizes[2..].iter().all(|&(st, n)| st == 202 && n <= size / 4),
                "{sizes:?}"
            );
            // accepted chunks are contiguous from byte 0 to the end, in the one session
            let mut next = 0;
            for r in &layer[2..] {
                let n = r.content_length.unwrap();
                assert_eq!(
                    r.content_range.as_deref(),
                    Some(format!("{next}-{}", next + n - 1).as_str())
                );
                next += n;
            }
            assert_eq!(next, size);
            assert_eq!(
                seen.iter()
                    .filter(|r| r.method == "POST" && r.path.contains("/v2/pushed/blobs/uploads/"))
                    .count(),
                2,
                "one session per blob (layer, config): {seen:?}"
            );
            assert_eq!(open_sessions(&s.reg, "pushed"), Vec::<String>::new());
        },
    };

    /// Issues 10.6 and 10.7: when no chunk is small enough the push fails with exit 1 and the
    /// registry's message (not an integrity failure), and the session is deleted.
    a_registry_refusing_every_chunk_size_fails_with_its_message_and_the_session_is_deleted: PushCase {
        layers: (1, 300_000),
        faults: |_| vec![(
            "PATCH",
            "/blobs/uploads/".into(),
            0,
            Fault::SizeInvalidOver { max: 1000 },
        )],
        flags: &["--jobs", "1", "--chunk-size", "262144"],
        outcome: Outcome::Fails(1),
        stderr: &[
            "413",
            "SIZE_INVALID: chunk too large: at most 1000 bytes per request",
            "hint: the registry accepts no upload chunk of 65536 bytes",
        ],
        check: |s, _| {
            let deletes: Vec<_> = s
                .proxy
                .seen()
                .into_iter()
                .filter(|r| r.method == "DELETE" && r.path.contains("/blobs/uploads/"))
                .collect();
            assert!(
                !deletes.is_empty() && deletes.iter().all(|d| d.status == 204),
                "{deletes:?}"
            );
            assert_eq!(open_sessions(&s.reg, "pushed"), Vec::<String>::new());
        },
    };
}

/// Issue 10.7: the session of a refused monolithic PUT is deleted before the chunked retry
/// opens a new one, and so is the session of an upload that fails.
#[test]
fn sessions_that_will_not_be_finished_are_deleted() {
    let s = setup_with(Mode::Plain, 1, MIB, false);
    s.proxy.add(
        "PUT",
        "/blobs/uploads/",
        0,
        Fault::RejectBodyOver {
            max: 0,
            status: 405,
        },
    );
    let out = push_through(&s, &["--jobs", "1"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_pushed(&s);
    let seen = s.proxy.seen();
    let refused: Vec<&str> = seen
        .iter()
        .filter(|r| r.method == "PUT" && r.status == 405)
        .map(|r| path_only(&r.path))
        .collect();
    let deleted: Vec<&str> = seen
        .iter()
        .filter(|r| r.method == "DELETE" && r.status == 204)
        .map(|r| path_only(&r.path))
        .collect();
    // layer and config: each refused session deleted, before the chunked retry's new session
    assert_eq!(refused.len(), 2, "{seen:?}");
    assert_eq!(deleted, refused);
    for (i, r) in seen.iter().enumerate() {
        if r.method == "DELETE" {
            assert_eq!(
                (seen[i - 1].method.as_str(), seen[i - 1].status),
                ("PUT", 405),
                "{seen:?}"
            );
            assert_eq!(path_only(&seen[i - 1].path), path_only(&r.path));
            assert_eq!(seen[i + 1].method, "POST", "{seen:?}");
        }
    }
    assert_eq!(open_sessions(&s.reg, "pushed"), Vec::<String>::new());

    // a failed upload (PATCH refused): its session is deleted too
    s.proxy.clear();
    s.proxy.clear_seen();
    s.proxy.add(
        "PATCH",
        "/blobs/uploads/",
        0,
        Fault::Respond {
            status: 405,
            body: r#"{"errors":[{"code":"UNSUPPORTED","message":"PATCH not allowed"}]}"#.into(),
            content_type: "application/json",
            retry_after: None,
        },
    );
    let to = format!("docker://{}", s.proxy.reference("failed:v1"));
    let from = format!("oci:{}:v1", s.src().display());
    s.sb.forget_blob_locations(); // an upload, not a mount from "pushed"
    let out = run(
        &s.sb,
        &["--jobs", "1", "--chunk-size", "262144", "copy", &from, &to],
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        s.proxy.count("DELETE", "/v2/failed/blobs/uploads/") >= 1,
        "{:?}",
        s.proxy.seen()
    );
    assert_eq!(open_sessions(&s.reg, "failed"), Vec::<String>::new());
}

/// Issue 10.7: an upload cancelled part-way (another blob of the copy failed) has its
/// session deleted before imgctl exits.
#[test]
fn the_session_of_a_cancelled_upload_is_deleted() {
    let s = setup_with(Mode::Plain, 2, 200_000, false);
    let hex = |d: &str| d.strip_prefix("sha256:").unwrap().to_string();
    // layer 0's upload is refused at once; layer 1's is held by the proxy meanwhile
    s.proxy.add(
        "PUT",
        &hex(&s.layers[0]),
        0,
        Fault::Respond {
            status: 403,
            body: r#"{"errors":[{"code":"DENIED","message":"quota exceeded"}]}"#.into(),
            content_type: "application/json",
            retry_after: None,
        },
    );
    s.proxy.add(
        "PUT",
        &hex(&s.layers[1]),
        0,
        Fault::DelayRequest { secs: 5 },
    );
    let out = push_through(&s, &["--jobs", "3"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(
        stderr(&out).contains("quota exceeded"),
        "{}",
        describe(&out)
    );
    // (the held PUT is recorded only once the proxy answers it, after imgctl has exited; a
    // session POST still in flight when the refusal came is answered meanwhile)
    std::thread::sleep(std::time::Duration::from_millis(500));
    let seen = s.proxy.seen();
    let refused: Vec<&str> = seen
        .iter()
        .filter(|r| r.method == "PUT" && r.status == 403)
        .map(|r| path_only(&r.path))
        .collect();
    let deleted: Vec<&str> = seen
        .iter()
        .filter(|r| r.method == "DELETE" && r.status == 204)
        .map(|r| path_only(&r.path))
        .collect();
    assert_eq!(refused.len(), 1, "{seen:?}");
    assert!(deleted.contains(&refused[0]), "{seen:?}");
    // and the sessions of the uploads cancelled part-way (those that had opened one before
    // the refusal: on a busy machine the refusal may come first): every session opened was
    // deleted or finished
    let opened = seen
        .iter()
        .filter(|r| r.method == "POST" && r.status == 202)
        .count();
    let finished = seen
        .iter()
        .filter(|r| r.method == "PUT" && r.status == 201)
        .count();
    assert!(opened >= 1, "{seen:?}");
    // (imgctl sent a DELETE for each; the registry may answer 404 for one it is still
    // reading a cancelled PUT into, see below)
    let deletes_sent = seen
        .iter()
        .filter(|r| r.method == "DELETE" && r.status != 0)
        .count();
    assert!(deletes_sent + finished >= opened, "{seen:?}");
    // Every session the registry confirmed deleting is gone from its storage. (A DELETE that
    // races the registry still reading the cancelled PUT's body may be answered 404 and leave
    // that session to the registry's own upload purging: best effort, README "Reliability".)
    let gone: Vec<String> = seen
        .iter()
        .filter(|r| r.method == "DELETE" && r.status == 204)
        .map(|r| path_only(&r.path).rsplit('/').next().unwrap().to_string())
        .collect();
    let left = open_sessions(&s.reg, "pushed");
    assert!(
        left.iter()
            .all(|dir| !gone.iter().any(|u| dir.ends_with(u.as_str()))),
        "{left:?} {seen:?}"
    );
    assert_eq!(registry_digest(&s.reg, "pushed:v1"), None);
}

/// Writes `config.toml` for `host` into the sandbox's config dir.
/// Writes the sandbox's config.toml with one `[registry."HOST"]` section holding `body`.
fn write_config(sb: &Imgctl, host: &str, body: &str) {
    write_config_toml(sb, &format!("[registry.\"{host}\"]\n{body}\n"));
}

#[test]
fn chunked_uploads_from_config_accept_201_ignore_stale_range_and_honour_min_length() {
    let s = setup_with(Mode::Plain, 1, 5 * MIB, false);
    write_config(
        &s.sb,
        &s.proxy.host(),
        "upload = \"chunked\"\nchunk-size = 1048576",
    );
    s.proxy.add(
        "POST",
        "/blobs/uploads/",
        0,
        Fault::Rewrite {
            status: None,
            set: vec![("oci-chunk-min-length", (2 * MIB).to_string())],
            remove: vec![],
        },
    );
    s.proxy.add(
        "PATCH",
        "/blobs/uploads/",
        0,
        Fault::Rewrite {
            status: Some(201),
            set: vec![("range", "0-0".into())],
            remove: vec![],
        },
    );
    let out = push_through(&s, &[]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_pushed(&s);
    let seen = s.proxy.seen();
    assert_eq!(
        seen.iter()
            .filter(|r| r.method == "PUT" && r.path.contains("/blobs/uploads/"))
            .filter(|r| r.content_length.unwrap_or(0) > 0)
            .count(),
        0,
        "config forces chunked uploads"
    );
    let layer_patches: Vec<_> = seen
        .iter()
        .filter(|r| r.method == "PATCH" && r.content_length.unwrap_or(0) > 100_000)
        .collect();
    // 5 MiB in chunks of at least the registry's 2 MiB minimum: 2 + 2 + 1
    assert_eq!(layer_patches.len(), 3, "{layer_patches:?}");
    assert_eq!(
        layer_patches[1].content_range.as_deref(),
        Some(format!("{}-{}", 2 * MIB, 4 * MIB - 1).as_str())
    );
}

#[test]
fn a_rejected_patch_is_a_clear_error_and_nothing_is_tagged() {
    let s = setup_with(Mode::Plain, 1, MIB, false);
    s.proxy.add(
        "PATCH",
        "/blobs/uploads/",
        0,
        Fault::Respond {
            status: 405,
            body: r#"{"errors":[{"code":"UNSUPPORTED","message":"PATCH not allowed"}]}"#.into(),
            content_type: "application/json",
            retry_after: None,
        },
    );
    let out = push_through(&s, &["--chunk-size", "262144"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("405") && err.contains("PATCH not allowed"),
        "{err}"
    );
    assert_eq!(registry_digest(&s.reg, "pushed:v1"), None);
    // monolithic refused too: same clear error
    s.proxy.add(
        "PUT",
        "/blobs/uploads/",
        0,
        Fault::RejectBodyOver {
            max: 0,
            status: 405,
        },
    );
    let out = push_through(&s, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(registry_digest(&s.reg, "pushed:v1"), None);
}

#[test]
fn blob_head_401_and_a_refused_mount_still_push() {
    let s = setup(2, MIB);
    s.proxy.add(
        "HEAD",
        "/blobs/sha256:",
        0,
        Fault::Respond {
            status: 401,
            body: String::new(),
            content_type: "text/plain",
            retry_after: None,
        },
    );
    s.proxy.add(
        "POST",
        "mount=",
        0,
        Fault::Respond {
            status: 403,
            body: "mounts are not allowed".into(),
            content_type: "text/plain",
            retry_after: None,
        },
    );
    // same-registry copy: the mount is refused, so the blobs are uploaded
    let out = run(
        &s.sb,
        &[
            "--format",
            "json",
            "copy",
            &format!("docker://{}", s.proxy.reference("app:v1")),
            &format!("docker://{}", s.proxy.reference("pushed:v1")),
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["blobs"]["uploaded"], 3, "{r}");
    assert_eq!(r["blobs"]["mounted"], 0, "{r}");
    assert_pushed(&s);
}

// ----- the store under concurrency and kill -9 -----

fn partial_len(store: &Path) -> u64 {
    std::fs::read_dir(store.join(".imgctl/partial"))
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0)
}

#[test]
fn kill_9_during_a_pull_leaves_a_valid_store_and_the_next_pull_resumes() {
    let s = setup(1, 4 * MIB);
    s.proxy.add(
        "GET",
        &blob_path(&s.layers[0]),
        1,
        Fault::Stall {
            after: 2 * MIB + 1000,
            secs: 60,
        },
    );
    let name = s.proxy.reference("app:v1");
    let mut child =
        s.sb.cmd()
            .args(["--progress", "none", "pull", &name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
    let started = Instant::now();
    while partial_len(&s.sb.store()) < 2 * MIB as u64 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "download did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let kept = partial_len(&s.sb.store());
    // the layout is valid, names nothing, and holds no half-written blob
    let index = read_index_json(&s.sb.store());
    assert_eq!(index["manifests"].as_array().unwrap().len(), 0);
    assert!(
        !s.sb
            .store()
            .join("blobs/sha256")
            .join(&s.layers[0][7..])
            .exists()
    );
    let out = run(&s.sb, &["pull", &name]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_pulled(&s, &name);
    let resumed = format!("bytes={kept}-");
    assert!(
        s.proxy
            .seen()
            .iter()
            .any(|r| r.range.as_deref() == Some(resumed.as_str())),
        "expected a request with {resumed}: {:?}",
        s.proxy.seen()
    );
    assert_eq!(partial_len(&s.sb.store()), 0);
}

#[test]
fn two_concurrent_pulls_into_one_store_both_succeed() {
    let s = setup(3, 2 * MIB);
    let a = s.reg.reference("app:v1");
    // same image under a second name in another repository: the same blobs, raced for
    let out = run(
        &s.sb,
        &[
            "copy",
            &format!("docker://{a}"),
            &format!("docker://{}", s.reg.reference("other:v1")),
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let b = s.reg.reference("other:v1");
    let children: Vec<_> = [&a, &b]
        .iter()
        .map(|r| {
            s.sb.cmd()
                .args(["--progress", "none", "pull", r])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", describe(&out));
    }
    assert_pulled(&s, &a);
    assert_pulled(&s, &b);
}

#[test]
fn rmi_during_a_pull_does_not_delete_the_pulls_blobs() {
    let s = setup(2, 2 * MIB);
    // an unrelated image in the store, to be removed while the pull runs
    let tiny = s.sb.dir().join("tiny");
    build_random_image(&tiny, "v1", 1, 100, 42);
    let tiny_name = s.reg.reference("tiny:v1");
    let tiny_name = tiny_name.as_str();
    let out = run(
        &s.sb,
        &[
            "copy",
            &format!("oci:{}:v1", tiny.display()),
            &format!("docker://{tiny_name}"),
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let out = run(&s.sb, &["pull", tiny_name]);
    assert!(out.status.success(), "{}", describe(&out));
    // a pull stalled part-way through layer 1, after config and layer 0 are written
    let name = s.proxy.reference("app:v1");
    s.proxy.add(
        "GET",
        &blob_path(&s.layers[1]),
        1,
        Fault::Stall {
            after: MIB,
            secs: 3,
        },
    );
    let child =
        s.sb.cmd()
            .args(["--progress", "none", "--timeout", "30", "pull", &name])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    let started = Instant::now();
    let layer0 = s.sb.store().join("blobs/sha256").join(&s.layers[0][7..]);
    while partial_len(&s.sb.store()) < MIB as u64 / 2 || !layer0.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "download did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // layer 0 is written but not named yet: a gc now must not take it
    let out = run(&s.sb, &["rmi", tiny_name]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(layer0.exists());
    // the deferred gc says so instead of "Deleted 0 blobs"
    let err = stderr(&out);
    assert!(
        err.contains("unused blobs were kept") && !err.contains("Deleted"),
        "{err}"
    );
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_pulled(&s, &name);
    let names: Vec<String> = read_index_json(&s.sb.store())["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["annotations"][REF_NAME].as_str().map(str::to_string))
        .collect();
    assert_eq!(names, vec![name.clone()]);
}

// ----- token requests -----

/// A Token-mode registry whose challenge sends clients to a fault proxy in front of its token
/// server, and that proxy.
fn token_registry_behind_a_proxy() -> (Registry, FaultProxy) {
    let mut proxy = None;
    let reg = Registry::start_token_with_realm(|realm| {
        let u = url::Url::parse(realm).unwrap();
        let p = FaultProxy::start(&format!("127.0.0.1:{}", u.port().unwrap()));
        let advertised = format!("http://{}{}", p.host(), u.path());
        proxy = Some(p);
        advertised
    });
    (reg, proxy.unwrap())
}

fn push_with_creds(sb: &Imgctl, reg: &Registry, extra: &[&str]) -> std::process::Output {
    let from = format!("oci:{}:v1", sb.dir().join("src").display());
    let to = format!("docker://{}", reg.reference("app:v1"));
    let creds = format!("{USER}:{PASSWORD}");
    let mut args = vec!["--creds", creds.as_str()];
    args.extend_from_slice(extra);
    args.extend(["copy", &from, &to]);
    run(sb, &args)
}

/// A push with `--creds` to a token registry whose token server sits behind the fault proxy:
/// the shape of the token-server faults.
struct TokenCase {
    /// Seed of the one-layer image pushed.
    seed: u64,
    /// Rules for the token server's proxy.
    faults: fn() -> Vec<Rule>,
    /// Global flags before `copy`.
    flags: &'static [&'static str],
    outcome: Outcome,
    /// Text stderr must contain.
    stderr: &'static [&'static str],
    /// Token GETs the proxy saw, when the case fixes their number.
    token_gets: Option<usize>,
    /// The case's own checks, given the registry, the token server's proxy and the run.
    check: fn(&Registry, &FaultProxy, &std::process::Output),
}

const TOKEN: TokenCase = TokenCase {
    seed: 3,
    faults: Vec::new,
    flags: &[],
    outcome: Outcome::Done,
    stderr: &[],
    token_gets: None,
    check: |_, _, _| {},
};

fn run_token_case(case: TokenCase) {
    let (reg, token_proxy) = token_registry_behind_a_proxy();
    let sb = Imgctl::new();
    let digest = build_random_image(&sb.dir().join("src"), "v1", 1, 1000, case.seed);
    for (method, path, times, fault) in (case.faults)() {
        token_proxy.add(method, &path, times, fault);
    }
    let out = push_with_creds(&sb, &reg, case.flags);
    match case.outcome {
        Outcome::Done => assert!(out.status.success(), "{}", describe(&out)),
        Outcome::Fails(want) => assert_eq!(out.status.code(), Some(want), "{}", describe(&out)),
    }
    for text in case.stderr {
        assert!(
            stderr(&out).contains(text),
            "no {text:?}: {}",
            describe(&out)
        );
    }
    // Counted before the registry is asked below: that asks the token server too.
    if let Some(n) = case.token_gets {
        assert_eq!(token_proxy.count("GET", "/token"), n);
    }
    (case.check)(&reg, &token_proxy, &out);
    let want = match case.outcome {
        Outcome::Done => Some(digest),
        Outcome::Fails(_) => None,
    };
    assert_eq!(registry_digest(&reg, "app:v1"), want);
}

/// One `#[test]` per row of the table: `name: TokenCase { … };`.
macro_rules! token_cases {
    ($($(#[$attr:meta])* $name:ident: $case:expr;)*) => {
        $($(#[$attr])* #[test] fn $name() { run_token_case($case) })*
    };
}

token_cases! {
    a_503_from_the_token_server_is_retried_and_the_push_succeeds: TokenCase {
        faults: || vec![(
            "*",
            "/token".into(),
            1,
            Fault::Respond {
                status: 503,
                body: "<html>token service unavailable</html>".into(),
                content_type: "text/html",
                retry_after: Some(0),
            },
        )],
        check: |reg, token_proxy, _| {
            let statuses: Vec<u16> = token_proxy
                .seen()
                .iter()
                .filter(|r| r.path.starts_with("/token"))
                .map(|r| r.status)
                .collect();
            assert_eq!(statuses.first(), Some(&503), "{statuses:?}");
            assert_eq!(statuses.get(1), Some(&200), "{statuses:?}");
            // the token server issued the tokens the push used, to alice
            assert!(
                reg.token_requests()
                    .iter()
                    .any(|t| t.status == 200 && t.user.as_deref() == Some(USER))
            );
        },
        ..TOKEN
    };

    /// Issue 10.4: a token answer cut part-way is requested again.
    a_cut_token_answer_is_retried_and_the_push_succeeds: TokenCase {
        seed: 5,
        faults: || vec![("GET", "/token".into(), 1, Fault::CutBody { after: 10 })],
        check: |_, token_proxy, out| {
            let seen = token_proxy.seen();
            let gets: Vec<_> = seen
                .iter()
                .filter(|r| r.path.starts_with("/token"))
                .collect();
            assert!(
                gets.len() >= 2 && gets[0].faulted && !gets[1].faulted,
                "{gets:?}"
            );
            // the secret never shows in the warning about the retry
            assert!(!stderr(out).contains(PASSWORD), "{}", describe(out));
        },
        ..TOKEN
    };

    a_persistent_429_from_the_token_server_exits_5_after_retries: TokenCase {
        seed: 4,
        faults: || vec![(
            "*",
            "/token".into(),
            0,
            Fault::Respond {
                status: 429,
                body: r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"token rate limit"}]}"#
                    .into(),
                content_type: "application/json",
                retry_after: Some(0),
            },
        )],
        flags: &["--retries", "1"],
        outcome: Outcome::Fails(5),
        stderr: &["token rate limit"],
        // --retries 1: the first token request and one retry, then nothing else is tried
        token_gets: Some(2),
        check: |reg, _, _| assert!(reg.token_requests().is_empty()),
    };
}

// ----- no-op re-push -----

#[test]
fn a_no_op_re_push_sends_only_heads_and_a_moved_tag_is_put() {
    let s = setup(2, 1000);
    // app:v1 is already in the registry: pushing it again through the proxy.
    let from = format!("oci:{}:v1", s.src().display());
    let to = format!("docker://{}", s.proxy.reference("app:v1"));
    let out = run(&s.sb, &["copy", &from, &to]);
    assert!(out.status.success(), "{}", describe(&out));
    let mut reqs: Vec<String> = s
        .proxy
        .seen()
        .iter()
        .map(|r| {
            let what = if r.path.contains("/blobs/") {
                "blob"
            } else if r.path.contains("/manifests/") {
                "manifest"
            } else {
                r.path.as_str()
            };
            format!("{} {what}", r.method)
        })
        .collect();
    reqs.sort();
    // config + 2 layers, the tag; nothing uploaded, no manifest PUT
    assert_eq!(
        reqs,
        [
            "GET /v2/",
            "HEAD blob",
            "HEAD blob",
            "HEAD blob",
            "HEAD manifest"
        ],
        "{:?}",
        s.proxy.seen()
    );
    assert_eq!(
        registry_digest(&s.reg, "app:v1").as_deref(),
        Some(&*s.digest)
    );

    // The tag moved to another image: the same push PUTs the manifest again.
    let other = s.sb.dir().join("other");
    let other_digest = build_random_image(&other, "v1", 1, 1000, 99);
    let out = run(
        &s.sb,
        &["copy", &format!("oci:{}:v1", other.display()), &to],
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        registry_digest(&s.reg, "app:v1").as_deref(),
        Some(&*other_digest)
    );
    s.proxy.clear_seen();
    let out = run(&s.sb, &["copy", &from, &to]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(s.proxy.count("PUT", "/manifests/v1"), 1);
    assert_eq!(
        registry_digest(&s.reg, "app:v1").as_deref(),
        Some(&*s.digest)
    );
}

// ----- archive destinations: interrupted copies resume, staging directories do not pile up -----

/// The staging directories (`.imgctl-stage-*`) in `dir`.
fn stages(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".imgctl-stage-")
        })
        .map(|e| e.path())
        .collect()
}

/// Names in `dir` starting with `.imgctl-` (staging directories, temp archives, removals).
fn imgctl_leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".imgctl-"))
        .collect()
}

/// The blobs an archive of image `digest` from layout `src` must hold, and nothing else:
/// `blobs/sha256/…` of the manifest, its config and its layers, sorted.
fn image_members(src: &Path, digest: &str) -> Vec<String> {
    let m = read_json_blob(src, digest);
    let mut blobs: Vec<String> = std::iter::once(digest)
        .chain(std::iter::once(m["config"]["digest"].as_str().unwrap()))
        .chain(
            m["layers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["digest"].as_str().unwrap()),
        )
        .map(|d| format!("blobs/sha256/{}", &d[7..]))
        .collect();
    blobs.sort();
    blobs
}

/// Asserts that `archive` (an `oci-archive:` or `docker-archive:` location of `file`) holds
/// exactly the image of `s`: skopeo reads it with the source's digest (oci-archive) or layers
/// (docker-archive), imgctl reports the source digest, and its members are the image's blobs
/// and the layout files only.
fn assert_archive(s: &Setup, transport: &str, file: &Path) {
    let loc = match transport {
        "oci-archive" => format!("oci-archive:{}:v1", file.display()),
        _ => format!("docker-archive:{}", file.display()),
    };
    let v: Value = serde_json::from_str(&skopeo_ok(&["inspect", &loc])).unwrap();
    let layers = v["Layers"].as_array().unwrap();
    if transport == "oci-archive" {
        assert_eq!(v["Digest"].as_str(), Some(s.digest.as_str()), "{v}");
        assert_eq!(layers, &s.layers, "{v}");
    } else {
        // skopeo reads a docker-archive through manifest.json (layers listed by diff ID)
        assert_eq!(layers.len(), s.layers.len(), "{v}");
    }
    let out = run(&s.sb, &["digest", &loc]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), s.digest);
    let mut want = vec!["oci-layout".to_string(), "index.json".to_string()];
    if transport == "oci-archive" {
        // directory entries, which an unprivileged reader needs (README "Archive notes")
        want.extend(["blobs/".to_string(), "blobs/sha256/".to_string()]);
    }
    want.extend(image_members(&s.src(), &s.digest));
    if transport == "docker-archive" {
        want.push("manifest.json".into());
    }
    assert_eq!(tar_members(file), want);
    // every blob in the archive hashes to its name
    let mut a = tar::Archive::new(std::fs::File::open(file).unwrap());
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let name = e.path().unwrap().to_string_lossy().into_owned();
        if let Some(hex) = name.strip_prefix("blobs/sha256/").filter(|h| !h.is_empty()) {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut bytes).unwrap();
            assert_eq!(sha256_digest(&bytes), format!("sha256:{hex}"), "{name}");
        }
    }
}

/// The archive location `transport:file` for image `v1`.
fn archive_dest(transport: &str, file: &Path) -> String {
    match transport {
        "oci-archive" => format!("oci-archive:{}:v1", file.display()),
        _ => format!("docker-archive:{}:example.com/app:v1", file.display()),
    }
}

/// The length of the partial download of `digest` in staging layout `stage` (0 when none).
fn partial_of(stage: &Path, digest: &str) -> u64 {
    std::fs::metadata(stage.join(".imgctl/partial").join(digest.replace(':', "-")))
        .map(|m| m.len())
        .unwrap_or(0)
}

/// Starts `imgctl copy SRC DEST` whose download of `layer` stalls for a minute after
/// `stall_at` bytes, waits until the staging directory beside `file` holds a partial download
/// of `layer` of at least `want` bytes (and blob `also`, when given), then sends `signal`
/// (`KILL` or `INT`). Returns the bytes kept.
#[allow(clippy::too_many_arguments)]
fn interrupt_copy(
    s: &Setup,
    src: &str,
    dest: &str,
    file: &Path,
    layer: &str,
    signal: &str,
    (stall_at, want): (usize, u64),
    also: Option<&str>,
) -> u64 {
    s.proxy.add(
        "GET",
        &blob_path(layer),
        1,
        Fault::Stall {
            after: stall_at,
            secs: 60,
        },
    );
    let mut cmd = s.sb.cmd();
    // A non-interactive shell starts background jobs with SIGINT ignored, and children inherit
    // that (a CI runner may start the tests so): give imgctl the default disposition, as a
    // terminal's Ctrl-C would find it.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: only async-signal-safe work between fork and exec (one signal(2) call).
        unsafe {
            cmd.pre_exec(|| {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                Ok(())
            });
        }
    }
    let mut child = cmd
        .args(["--progress", "none", "copy", src, dest])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let dir = file.parent().unwrap();
    let started = Instant::now();
    let kept = || {
        stages(dir)
            .iter()
            .map(|d| partial_of(d, layer))
            .max()
            .unwrap_or(0)
    };
    let has_also = || {
        also.is_none_or(|b| {
            stages(dir)
                .iter()
                .any(|d| d.join("blobs/sha256").join(&b[7..]).exists())
        })
    };
    while kept() < want || !has_also() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "download did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let sent = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    assert!(!status.success(), "{signal}: {status:?}");
    s.proxy.clear();
    // Nothing was written at the target; one staging directory holds the partial download.
    assert!(!file.exists());
    assert_eq!(stages(dir).len(), 1, "{:?}", imgctl_leftovers(dir));
    kept()
}

/// `copy REGISTRY oci-archive:` / `docker-archive:` stopped by kill -9 or Ctrl-C (SIGINT)
/// part-way through a layer: the staging directory beside the target keeps the partial
/// download, and the next run continues it with `Range: bytes=N-` (not from byte 0), writes a
/// valid archive and removes the staging directory, so none pile up.
#[test]
fn an_interrupted_copy_to_an_archive_resumes_and_leaves_no_staging_directory() {
    let s = setup(1, 4 * MIB);
    let src = format!("docker://{}", s.proxy.reference("app:v1"));
    let out_dir = s.sb.dir().join("arch");
    std::fs::create_dir(&out_dir).unwrap();
    for transport in ["oci-archive", "docker-archive"] {
        for signal in ["KILL", "INT"] {
            let file = out_dir.join(format!("{transport}-{signal}.tar"));
            let dest = archive_dest(transport, &file);
            let kept = interrupt_copy(
                &s,
                &src,
                &dest,
                &file,
                &s.layers[0],
                signal,
                (2 * MIB + 1000, 2 * MIB as u64),
                None,
            );
            s.proxy.clear_seen();
            let out = run(&s.sb, &["copy", &src, &dest]);
            assert!(out.status.success(), "{}", describe(&out));
            let resumed = format!("bytes={kept}-");
            let layer_gets: Vec<Option<String>> = s
                .proxy
                .seen()
                .iter()
                .filter(|r| r.method == "GET" && r.path.contains(&s.layers[0]))
                .map(|r| r.range.clone())
                .collect();
            assert_eq!(
                layer_gets,
                vec![Some(resumed.clone())],
                "{transport} after {signal}: expected one request with {resumed}"
            );
            assert_archive(&s, transport, &file);
            assert!(
                imgctl_leftovers(&out_dir).is_empty(),
                "{transport} after {signal}: {:?}",
                imgctl_leftovers(&out_dir)
            );
        }
    }
}

/// A copy to an archive that fails on the network (retries exhausted, exit 6) keeps its
/// staging directory so that running it again resumes; a copy that fails for good (the image
/// does not exist, exit 4) leaves nothing beside the target.
#[test]
fn a_network_failure_keeps_the_staging_directory_for_the_retry_and_a_missing_image_does_not() {
    let s = setup(1, 3 * MIB);
    let src = format!("docker://{}", s.proxy.reference("app:v1"));
    let out_dir = s.sb.dir().join("arch");
    std::fs::create_dir(&out_dir).unwrap();
    let file = out_dir.join("app.tar");
    let dest = archive_dest("oci-archive", &file);
    s.proxy.add(
        "GET",
        &blob_path(&s.layers[0]),
        1,
        Fault::CutBody { after: 1_000_000 },
    );
    let out = run(&s.sb, &["--retries", "0", "copy", &src, &dest]);
    assert_eq!(out.status.code(), Some(6), "{}", describe(&out));
    assert!(!file.exists());
    let kept = stages(&out_dir);
    assert_eq!(kept.len(), 1, "{:?}", imgctl_leftovers(&out_dir));
    let have = partial_len(&kept[0]);
    assert!(have > 0, "no partial download kept");
    assert!(!stderr(&out).contains(".imgctl-stage"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("run the same command again to resume"),
        "{}",
        stderr(&out)
    );
    s.proxy.clear_seen();
    let out = run(&s.sb, &["copy", &src, &dest]);
    assert!(out.status.success(), "{}", describe(&out));
    let resumed = format!("bytes={have}-");
    assert!(
        s.proxy
            .seen()
            .iter()
            .any(|r| r.path.contains(&s.layers[0]) && r.range.as_deref() == Some(&resumed)),
        "expected {resumed}: {:?}",
        s.proxy.seen()
    );
    assert_archive(&s, "oci-archive", &file);
    assert!(imgctl_leftovers(&out_dir).is_empty());

    let missing = format!("docker://{}", s.proxy.reference("app:nope"));
    let gone = out_dir.join("gone.tar");
    let out = run(
        &s.sb,
        &["copy", &missing, &archive_dest("oci-archive", &gone)],
    );
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(!gone.exists());
    assert!(
        imgctl_leftovers(&out_dir).is_empty(),
        "{:?}",
        imgctl_leftovers(&out_dir)
    );
}

/// What an interrupted copy of another image left in the staging directory never reaches the
/// archive of the next copy to that target: its members are exactly the new image's blobs.
#[test]
fn a_stale_staging_directory_does_not_leak_into_the_archive() {
    let s = setup(1, 2 * MIB);
    // another image in the registry, with a layer of its own
    let other = s.sb.dir().join("other");
    let other_digest = build_random_image(&other, "v2", 2, 2 * MIB, 99);
    let other_layers: Vec<String> = read_json_blob(&other, &other_digest)["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap().to_string())
        .collect();
    let out = run(
        &s.sb,
        &[
            "copy",
            &format!("oci:{}:v2", other.display()),
            &format!("docker://{}", s.reg.reference("app:v2")),
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let out_dir = s.sb.dir().join("arch");
    std::fs::create_dir(&out_dir).unwrap();
    let file = out_dir.join("app.tar");
    for transport in ["oci-archive", "docker-archive"] {
        // v2 stopped with its first layer (or config) complete and its second one part-way
        let v2 = format!("docker://{}", s.proxy.reference("app:v2"));
        let dest_v2 = match transport {
            "oci-archive" => format!("oci-archive:{}:v1", file.display()),
            _ => format!("docker-archive:{}:example.com/app:v1", file.display()),
        };
        interrupt_copy(
            &s,
            &v2,
            &dest_v2,
            &file,
            &other_layers[1],
            "KILL",
            (MIB + 1000, MIB as u64),
            Some(&other_layers[0]),
        );
        let stage = &stages(&out_dir)[0];
        assert!(
            stage
                .join("blobs/sha256")
                .join(&other_layers[0][7..])
                .exists()
        );
        // v1 to the same target
        let v1 = format!("docker://{}", s.proxy.reference("app:v1"));
        let out = run(&s.sb, &["copy", &v1, &archive_dest(transport, &file)]);
        assert!(out.status.success(), "{}", describe(&out));
        assert_archive(&s, transport, &file);
        assert!(imgctl_leftovers(&out_dir).is_empty());
        std::fs::remove_file(&file).unwrap();
    }
}

/// Two copies writing the same archive at once share its staging directory: both succeed, the
/// archive is valid, and the directory is removed by whichever ends last.
#[test]
fn two_concurrent_copies_to_one_archive_both_succeed_and_leave_no_staging_directory() {
    let s = setup(2, 2 * MIB);
    let src = format!("docker://{}", s.proxy.reference("app:v1"));
    let out_dir = s.sb.dir().join("arch");
    std::fs::create_dir(&out_dir).unwrap();
    for transport in ["oci-archive", "docker-archive"] {
        let file = out_dir.join(format!("{transport}.tar"));
        let dest = archive_dest(transport, &file);
        // the first copy stalls for 3 s part-way through a layer, while the second one runs
        s.proxy.add(
            "GET",
            &blob_path(&s.layers[1]),
            1,
            Fault::Stall {
                after: MIB,
                secs: 3,
            },
        );
        let children: Vec<_> = (0..2)
            .map(|i| {
                if i == 1 {
                    std::thread::sleep(Duration::from_millis(500));
                }
                s.sb.cmd()
                    .args(["--progress", "none", "--timeout", "30", "copy", &src, &dest])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "{transport}: {}", describe(&out));
        }
        s.proxy.clear();
        assert_archive(&s, transport, &file);
        assert!(
            imgctl_leftovers(&out_dir).is_empty(),
            "{transport}: {:?}",
            imgctl_leftovers(&out_dir)
        );
    }
}

/// An archive written to stdout is staged in the store (`.imgctl-stream-*`): a copy killed
/// part-way is resumed by the next one with `Range: bytes=N-` like a file target, and the
/// staging directory is gone after it.
#[test]
fn an_interrupted_copy_to_stdout_resumes_from_its_staging_directory_in_the_store() {
    let s = setup(1, 4 * MIB);
    let src = format!("docker://{}", s.proxy.reference("app:v1"));
    let streams = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(s.sb.store())
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".imgctl-stream-")
            })
            .map(|e| e.path())
            .collect()
    };
    let file = s.sb.dir().join("piped.tar");
    let copy = || {
        s.sb.cmd()
            .args([
                "--progress",
                "none",
                "copy",
                &src,
                "oci-archive:/dev/stdout:v1",
            ])
            .stdout(std::fs::File::create(&file).unwrap())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    s.proxy.add(
        "GET",
        &blob_path(&s.layers[0]),
        1,
        Fault::Stall {
            after: 2 * MIB + 1000,
            secs: 60,
        },
    );
    let mut child = copy();
    let started = Instant::now();
    let kept = || {
        streams()
            .iter()
            .map(|d| partial_of(d, &s.layers[0]))
            .max()
            .unwrap_or(0)
    };
    while kept() < 2 * MIB as u64 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "download did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    s.proxy.clear();
    s.proxy.clear_seen();
    let have = kept();
    let out = copy().wait_with_output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let resumed = format!("bytes={have}-");
    assert!(
        s.proxy
            .seen()
            .iter()
            .any(|r| r.path.contains(&s.layers[0]) && r.range.as_deref() == Some(&resumed)),
        "expected {resumed}: {:?}",
        s.proxy.seen()
    );
    assert_archive(&s, "oci-archive", &file);
    assert!(streams().is_empty(), "{:?}", streams());
}
