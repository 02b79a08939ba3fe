//! The request limiter of each registry host against real registries behind the fault proxy:
//! a `429` with `Retry-After` in the middle of `imgctl sync` pauses every request to that host
//! and fails no image; `--max-rps` and `max-rps` in config.toml space the requests of a whole
//! run (timestamps the proxy took as requests arrived); a token server is a host of its own.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use proxy::{Fault, FaultProxy, Seen};
use serde_json::Value;

/// A shared base layer plus one layer unique to `n`.
fn family_image(layout: &Path, tag: &str, n: u32) -> String {
    build_image(
        layout,
        tag,
        vec![
            vec![
                TarEntry::dir("etc"),
                TarEntry::file("etc/os-release", "ID=imgctl-ratelimit-base\n"),
            ],
            vec![TarEntry::file("app.txt", format!("app build {n}\n"))],
        ],
        &Platform::default(),
    )
}

/// Pushes `tags` images to each of `repos` in `reg` (directly, not through a proxy), with
/// `extra` global flags (credentials). Returns `repo:tag` → manifest digest.
fn populate(
    sb: &Imgctl,
    reg: &Registry,
    repos: &[&str],
    tags: u32,
    extra: &[&str],
) -> BTreeMap<String, String> {
    let layout = sb.dir().join("layout");
    let mut out = BTreeMap::new();
    let mut n = 0;
    for repo in repos {
        for t in 0..tags {
            n += 1;
            let tag = format!("v{t}");
            let layout_tag = format!("{}-{tag}", repo.replace('/', "-"));
            let digest = family_image(&layout, &layout_tag, n);
            let mut args = extra.to_vec();
            let from = format!("oci:{}:{layout_tag}", layout.display());
            let to = format!("docker://{}", reg.reference(&format!("{repo}:{tag}")));
            args.extend(["-q", "copy", from.as_str(), to.as_str()]);
            sb.run_ok(&args);
            out.insert(format!("{repo}:{tag}"), digest);
        }
    }
    out
}

/// A sync file mirroring each of `repos` (all tags) from `src` to `dst`/mirror/….
fn sync_file(sb: &Imgctl, name: &str, src: &str, dst: &str, repos: &[&str]) -> PathBuf {
    let mut text = String::from("mappings:\n");
    for r in repos {
        text.push_str(&format!(
            "  - source: {src}/{r}\n    destination: {dst}/mirror/{r}\n    tags: all\n"
        ));
    }
    let path = sb.dir().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `imgctl --format json --progress none FLAGS sync FILE`; returns the output, the
/// report and how long the run took.
fn sync(sb: &Imgctl, file: &Path, flags: &[&str]) -> (Output, Value, Duration) {
    let started = Instant::now();
    let out = sb
        .cmd()
        .args(["--format", "json", "--progress", "none"])
        .args(flags)
        .arg("sync")
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let took = started.elapsed();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out, doc, took)
}

/// Asserts that the sync copied exactly `expected` (`repo:tag` → digest) to `dst`/mirror/…,
/// as the report says (naming the destination `via`: `dst` or a proxy in front of it) and as
/// skopeo reads `dst`.
fn assert_mirrored(doc: &Value, via: &str, dst: &Registry, expected: &BTreeMap<String, String>) {
    let d = dst.host();
    let want: BTreeMap<String, String> = expected
        .iter()
        .map(|(k, v)| (format!("{via}/mirror/{k}"), v.clone()))
        .collect();
    let copied: BTreeMap<String, String> = doc["images"]
        .as_array()
        .unwrap_or_else(|| panic!("no images in the report: {doc}"))
        .iter()
        .map(|i| {
            assert_eq!(i["action"], "copied", "{i}");
            assert!(i["error"].is_null(), "{i}");
            (
                i["destination"].as_str().unwrap().to_string(),
                i["digest"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(copied, want);
    for (k, digest) in expected {
        let (_, got) = skopeo_raw_manifest(
            &format!("docker://{d}/mirror/{k}"),
            &dst.skopeo_flags("", dst.push_creds()),
        );
        assert_eq!(&got, digest, "{k} in the destination");
    }
}

fn too_many_requests(retry_after: u64) -> Fault {
    Fault::Respond {
        status: 429,
        body: r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#.into(),
        content_type: "application/json",
        retry_after: Some(retry_after),
    }
}

/// Requests that reached the proxy, by arrival.
fn arrivals(p: &FaultProxy) -> Vec<Seen> {
    let mut seen = p.seen();
    seen.sort_by_key(|s| s.at);
    seen
}

/// Checks the 429 `p` answered: every later request waited `pause` (its `Retry-After`) from
/// it, except at most `in_flight` that were already on their way when imgctl read the 429, and
/// those arrived within half a second; and the run went on after the pause.
fn assert_paused_after_429(what: &str, p: &FaultProxy, pause: Duration, in_flight: usize) {
    let seen = arrivals(p);
    let faulted: Vec<&Seen> = seen.iter().filter(|s| s.faulted).collect();
    assert_eq!(faulted.len(), 1, "{what}: one 429 injected: {seen:#?}");
    assert_eq!(faulted[0].status, 429);
    let t = faulted[0].at;
    let early: Vec<(Duration, &Seen)> = seen
        .iter()
        .filter(|s| s.at > t && s.at - t < pause)
        .map(|s| (s.at - t, s))
        .collect();
    let list = || {
        early
            .iter()
            .map(|(d, s)| format!("{d:.3?} {} {}", s.method, s.path))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        early.len() <= in_flight && early.iter().all(|(d, _)| *d < Duration::from_millis(500)),
        "{what}: requests went out inside the 429's Retry-After:\n{}",
        list()
    );
    // The retried request at least, and the rest of the run.
    let resumed = seen.iter().filter(|s| s.at >= t + pause).count();
    assert!(
        resumed >= 2,
        "{what}: no request after the pause: {seen:#?}"
    );
}

/// Asserts that the requests `p` saw never ran ahead of a token bucket of `rate` per second
/// with a burst of `burst`: any k consecutive arrivals span at least (k − burst) / rate
/// (less 50 ms for the way from imgctl to the proxy).
fn assert_spaced(what: &str, p: &FaultProxy, rate: f64, burst: usize) {
    let at: Vec<Instant> = arrivals(p).iter().map(|s| s.at).collect();
    for i in 0..at.len() {
        for j in i + burst..at.len() {
            let need = (j + 1 - i - burst) as f64 / rate - 0.05;
            let span = (at[j] - at[i]).as_secs_f64();
            assert!(
                span >= need,
                "{what}: requests {i}..={j} came within {span:.3}s (the limit needs {need:.3}s)"
            );
        }
    }
}

/// Whether some `burst + 1` consecutive requests came faster than `rate` allows: the run
/// would fail [`assert_spaced`] (the check is not vacuous).
fn faster_than(p: &FaultProxy, rate: f64, burst: usize) -> bool {
    let at: Vec<Instant> = arrivals(p).iter().map(|s| s.at).collect();
    at.windows(burst + 1)
        .any(|w| (w[burst] - w[0]).as_secs_f64() < 1.0 / rate - 0.05)
}

#[test]
fn a_429_with_retry_after_mid_sync_pauses_the_host_and_every_image_succeeds() {
    let src = Registry::start(Mode::Plain);
    let dst = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let repos = ["lib/app", "lib/web"];
    let expected = populate(&sb, &src, &repos, 4, &[]);
    let (src_proxy, dst_proxy) = (
        FaultProxy::start(&src.host()),
        FaultProxy::start(&dst.host()),
    );
    // One 429 on each side while several images are under way: the 4th blob download from
    // the source, the 4th blob upload to the destination.
    src_proxy.add_after("GET", "/blobs/sha256:", 3, 1, too_many_requests(2));
    dst_proxy.add_after("*", "/blobs/uploads/", 3, 1, too_many_requests(2));
    let file = sync_file(
        &sb,
        "mirror.yaml",
        &src_proxy.host(),
        &dst_proxy.host(),
        &repos,
    );

    let (out, doc, took) = sync(&sb, &file, &["--jobs", "4"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(doc["summary"]["copied"], 8, "{}", doc["summary"]);
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert_paused_after_429("source", &src_proxy, Duration::from_secs(2), 4);
    assert_paused_after_429("destination", &dst_proxy, Duration::from_secs(2), 4);
    assert_mirrored(&doc, &dst_proxy.host(), &dst, &expected);
}

#[test]
fn max_rps_spaces_every_request_of_a_run_to_each_host() {
    let src = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let repos = ["lib/app"];
    let expected = populate(&sb, &src, &repos, 6, &[]);
    let proxy = FaultProxy::start(&src.host());

    // Unlimited first: the run sends its requests faster than 5 a second, so the check below
    // can fail.
    let dst = Registry::start(Mode::Plain);
    let file = sync_file(&sb, "a.yaml", &proxy.host(), &dst.host(), &repos);
    let (out, doc, _) = sync(&sb, &file, &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_mirrored(&doc, &dst.host(), &dst, &expected);
    assert!(faster_than(&proxy, 5.0, 5), "{:#?}", arrivals(&proxy));

    // --max-rps 5 into a fresh destination: the same requests, at most 5 at once and then 5
    // a second.
    proxy.clear_seen();
    let dst = Registry::start(Mode::Plain);
    let file = sync_file(&sb, "b.yaml", &proxy.host(), &dst.host(), &repos);
    let (out, doc, took) = sync(&sb, &file, &["--max-rps", "5"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_mirrored(&doc, &dst.host(), &dst, &expected);
    let n = proxy.seen().len();
    assert!(n >= 15, "only {n} requests: too few to measure a rate");
    let floor = Duration::from_secs_f64((n - 5) as f64 / 5.0);
    assert!(took >= floor, "{n} requests in {took:?}, under {floor:?}");
    assert_spaced("--max-rps 5", &proxy, 5.0, 5);
}

#[test]
fn max_rps_in_config_toml_limits_its_registry_and_wins_over_the_flag() {
    let src = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let repos = ["lib/app"];
    let expected = populate(&sb, &src, &repos, 6, &[]);
    let proxy = FaultProxy::start(&src.host());
    // The destination goes through a proxy too, to count its requests.
    let dst = Registry::start(Mode::Plain);
    let dst_proxy = FaultProxy::start(&dst.host());
    write_config_toml(
        &sb,
        &format!("[registry.\"{}\"]\nmax-rps = 5\n", proxy.host()),
    );
    let file = sync_file(&sb, "a.yaml", &proxy.host(), &dst_proxy.host(), &repos);
    // --max-rps 1000 applies to the destination only: the source has its own setting.
    let (out, doc, took) = sync(&sb, &file, &["--max-rps", "1000"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_mirrored(&doc, &dst_proxy.host(), &dst, &expected);
    let n = proxy.seen().len();
    assert!(n >= 15, "only {n} requests: too few to measure a rate");
    let floor = Duration::from_secs_f64((n - 5) as f64 / 5.0);
    assert!(took >= floor, "{n} requests in {took:?}, under {floor:?}");
    assert_spaced("max-rps = 5", &proxy, 5.0, 5);
    // The destination, without a section of its own, went at the flag's rate.
    assert!(
        faster_than(&dst_proxy, 5.0, 5),
        "{:#?}",
        arrivals(&dst_proxy)
    );

    // Bad values are usage errors that name the setting.
    write_config_toml(&sb, "[registry.\"x\"]\nmax-rps = -1\n");
    let out = sb.run(&["inspect", &src.reference("lib/app:v0")]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains("max-rps must be a number of requests per second"),
        "{}",
        describe(&out)
    );
    write_config_toml(&sb, "");
    for bad in ["-1", "fast", "inf"] {
        let out = sb.run(&["--max-rps", bad, "inspect", &src.reference("lib/app:v0")]);
        assert_eq!(code(&out), 2, "{bad}: {}", describe(&out));
        assert!(stderr(&out).contains("--max-rps"), "{}", describe(&out));
    }
    let out = sb.run(&[
        "--format",
        "json",
        "--max-rps",
        "0",
        "inspect",
        &src.reference("lib/app:v0"),
    ]);
    assert_eq!(code(&out), 0, "0 is unlimited: {}", describe(&out));
}

#[test]
fn a_copy_s_source_and_destination_clients_share_one_limiter_per_host() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let expected = populate(&sb, &reg, &["lib/app"], 1, &[]);
    // One registry on both sides of the copy, behind one proxy: its requests come from the
    // source client and the destination client of the run.
    let proxy = FaultProxy::start(&reg.host());
    let from = format!("docker://{}", proxy.reference("lib/app:v0"));
    let to = format!("docker://{}", proxy.reference("copy/app:v0"));
    let started = Instant::now();
    // --dest-insecure: the destination gets a client of its own (other TLS settings).
    sb.run_ok(&[
        "-q",
        "--max-rps",
        "4",
        "copy",
        "--dest-insecure",
        &from,
        &to,
    ]);
    let took = started.elapsed();
    let n = proxy.seen().len();
    assert!(n >= 8, "only {n} requests: too few to measure a rate");
    // Reads (GET) and writes (HEAD, POST, PUT on the destination) together.
    let methods: std::collections::BTreeSet<String> =
        proxy.seen().iter().map(|s| s.method.clone()).collect();
    assert!(
        methods.contains("GET") && methods.contains("PUT"),
        "{methods:?}"
    );
    assert_spaced("--max-rps 4, both clients", &proxy, 4.0, 4);
    let floor = Duration::from_secs_f64((n - 4) as f64 / 4.0);
    assert!(took >= floor, "{n} requests in {took:?}, under {floor:?}");
    let (_, digest) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("copy/app:v0")),
        &reg.skopeo_flags("", None),
    );
    assert_eq!(digest, expected["lib/app:v0"]);
}

#[test]
fn a_token_server_is_a_host_of_its_own_with_its_own_max_rps() {
    let mut token_proxy = None;
    let src = Registry::start_token_with_realm(|realm| {
        let u = url::Url::parse(realm).unwrap();
        let p = FaultProxy::start(&format!("127.0.0.1:{}", u.port().unwrap()));
        let advertised = format!("http://{}{}", p.host(), u.path());
        token_proxy = Some(p);
        advertised
    });
    let token_proxy = token_proxy.unwrap();
    let sb = Imgctl::new();
    let creds = format!("{USER}:{PASSWORD}");
    let repos = ["lib/a", "lib/b", "lib/c", "lib/d", "lib/e"];
    let expected = populate(&sb, &src, &repos, 1, &["--creds", &creds]);
    token_proxy.clear_seen();
    let src_proxy = FaultProxy::start(&src.host());
    let dst = Registry::start(Mode::Plain);
    // Only the token server is limited: 2 requests a second, a burst of 2.
    write_config_toml(
        &sb,
        &format!("[registry.\"{}\"]\nmax-rps = 2\n", token_proxy.host()),
    );
    let file = sync_file(&sb, "a.yaml", &src_proxy.host(), &dst.host(), &repos);
    let (out, doc, _) = sync(&sb, &file, &["--creds", &creds]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_mirrored(&doc, &dst.host(), &dst, &expected);
    let tokens = token_proxy.seen().len();
    assert!(tokens >= 5, "one token per repository at least: {tokens}");
    assert_spaced("token server at max-rps = 2", &token_proxy, 2.0, 2);
    // The registry itself went at full speed.
    assert!(
        faster_than(&src_proxy, 2.0, 2),
        "{:#?}",
        arrivals(&src_proxy)
    );
}
