//! Uploads that resume across restarts (issue 12): a push killed part-way (kill -9, Ctrl-C)
//! and run again continues the registry's upload session from the bytes it confirmed,
//! instead of from byte 0; the registry still verifies the whole blob's digest. Large blobs
//! go in chunks whose progress imgctl saves (`uploads/` in the cache directory).

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
use serde_json::{Value, json};

const MIB: usize = 1 << 20;
const MT_TAR: &str = "application/vnd.oci.image.layer.v1.tar";

/// An OCI layout at `dir` tagged `v1` with one uncompressed layer: a tar of one file of
/// `size` random bytes (uncompressed, so a 256 MiB test layer costs no gzip time). Returns
/// (manifest digest, layer digest, layer size).
fn big_image(dir: &Path, size: usize, seed: u64) -> (String, String, u64) {
    init_layout(dir);
    let tar = build_tar(&[TarEntry::file("big.bin", random_bytes(size, seed))]);
    let layer = write_blob(dir, MT_TAR, &tar);
    let diff_id = layer["digest"].as_str().unwrap().to_string();
    let config = json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    });
    let config = write_blob(
        dir,
        "application/vnd.oci.image.config.v1+json",
        &serde_json::to_vec(&config).unwrap(),
    );
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config,
        "layers": [layer],
    });
    let desc = write_blob(
        dir,
        "application/vnd.oci.image.manifest.v1+json",
        &serde_json::to_vec(&manifest).unwrap(),
    );
    let digest = desc["digest"].as_str().unwrap().to_string();
    tag_descriptor(dir, "v1", desc);
    (digest, diff_id, tar.len() as u64)
}

/// Bytes of blob data the proxy forwarded in upload requests it saw answered (PATCH and
/// PUT bodies to upload sessions).
fn upload_bytes(proxy: &FaultProxy) -> u64 {
    proxy
        .seen()
        .iter()
        .filter(|r| {
            (r.method == "PATCH" || r.method == "PUT")
                && r.path.contains("/blobs/uploads/")
                && r.status != 0
        })
        .filter_map(|r| r.content_length)
        .sum()
}

/// Starts `imgctl copy from to`, waits until the registry has accepted at least `want`
/// bytes of uploads through `proxy` and imgctl has saved its session that far, then sends
/// `signal` (`KILL` or `INT`) and waits for it.
fn interrupt_push(sb: &Imgctl, proxy: &FaultProxy, from: &str, to: &str, want: u64, signal: &str) {
    let mut cmd = sb.cmd();
    // A non-interactive shell starts background jobs with SIGINT ignored, and children
    // inherit that: give imgctl the default disposition, as a terminal's Ctrl-C finds it.
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
        .args(["--progress", "none", "--jobs", "1", "copy", from, to])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while upload_bytes(proxy) < want {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the upload did not get far: {:?}",
            proxy.seen()
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!("imgctl ended before it was interrupted: {status:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // The registry's answer to the chunk that crossed `want` is still on its way to imgctl,
    // which saves the session right after reading it. Interrupted in that instant (as under
    // load it can be), the saved session lags the registry, which then refuses it: a
    // legitimate fresh start, but not the case this test measures. So the signal waits until
    // the session on disk has caught up; it then lands while the next chunk is on the wire.
    let caught_up = Instant::now();
    while !saved_sessions(sb)
        .iter()
        .any(|s| s["offset"].as_u64().is_some_and(|o| o >= want))
    {
        assert!(
            caught_up.elapsed() < Duration::from_secs(30),
            "no session saved past {want} bytes: {:?}",
            saved_sessions(sb)
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!("imgctl ended before it was interrupted: {status:?}");
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let sent = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    assert!(!status.success(), "{signal}: {status:?}");
}

/// The saved upload sessions in the sandbox's cache directory.
fn saved_sessions(sb: &Imgctl) -> Vec<Value> {
    let dir = sb.home().join(".cache/imgctl/uploads");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    rd.map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
        .collect()
}

/// Status and size of blob `digest` in `repo` (HEAD on the registry itself).
fn registry_blob(reg: &Registry, repo: &str, digest: &str) -> (u16, Option<u64>) {
    let url = format!("{}/v2/{repo}/blobs/{digest}", reg.url());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let r = reg.http_client().head(&url).send().await.unwrap();
        let len = r
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        (r.status().as_u16(), len)
    })
}

fn check_resumed(signal: &str, size: usize, seed: u64) {
    let reg = Registry::start(Mode::Plain);
    let proxy = FaultProxy::start(&reg.host());
    // A proxy that buffers request bodies (nginx's default): an interrupted chunk never
    // reaches the registry, so the session stays where the last accepted chunk left it. Its
    // answers are slowed a little so that the interruption lands mid-upload.
    proxy.add(
        "PATCH",
        "/blobs/uploads/",
        0,
        Fault::BufferRequest { millis: 40 },
    );
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let (digest, layer, layer_size) = big_image(&src, size, seed);
    let from = format!("oci:{}:v1", src.display());
    let to = format!("docker://{}", proxy.reference("app:v1"));

    interrupt_push(&sb, &proxy, &from, &to, layer_size / 2, signal);
    let saved = saved_sessions(&sb);
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(saved[0]["digest"], layer.as_str());
    let confirmed = saved[0]["offset"].as_u64().unwrap();
    assert!(confirmed >= layer_size / 2 - 32 * MIB as u64, "{saved:?}");
    // Chunks start at 1/32 of the blob (at least 8 MiB) and may grow, never past 1/8 of it
    // (or the first chunk's size), so an interruption loses at most that much.
    let chunks: Vec<u64> = proxy
        .seen()
        .iter()
        .filter(|r| r.method == "PATCH" && r.path.contains("/blobs/uploads/"))
        .filter_map(|r| r.content_length)
        .collect();
    let first = layer_size.div_ceil(32).max(8 * MIB as u64);
    assert_eq!(chunks.first(), Some(&first), "{chunks:?}");
    let ceiling = layer_size.div_ceil(8).max(first);
    assert!(chunks.iter().all(|&n| n <= ceiling), "{chunks:?}");
    eprintln!("{signal}: chunk sizes before the interruption: {chunks:?}");

    // The re-run continues the saved session: it asks the registry where the session
    // stands (GET) and sends only the rest.
    proxy.clear_seen();
    let out = sb.run(&["--format", "json", "--progress", "none", "copy", &from, &to]);
    assert!(out.status.success(), "{signal}: {}", describe(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["digest"], digest.as_str(), "{r}");
    let resent = upload_bytes(&proxy);
    assert!(
        resent as f64 <= 0.55 * layer_size as f64,
        "{signal}: re-run sent {resent} of {layer_size} layer bytes: {:?}",
        proxy.seen()
    );
    assert!(r["blobs"]["bytes"].as_u64().unwrap() <= resent, "{r}");
    let asked = proxy
        .seen()
        .iter()
        .filter(|s| s.method == "GET" && s.path.contains("/blobs/uploads/"))
        .count();
    assert_eq!(asked, 1, "{:?}", proxy.seen());
    // No new session for the layer: the POSTs are the config's only.
    let posts = proxy
        .seen()
        .iter()
        .filter(|s| s.method == "POST" && s.path.contains("/blobs/uploads/"))
        .count();
    assert!(posts <= 1, "{:?}", proxy.seen());
    // The registry verified the whole layer's digest at the final PUT and holds it whole.
    assert_eq!(
        registry_blob(&reg, "app", &layer),
        (200, Some(layer_size)),
        "{signal}"
    );
    assert!(saved_sessions(&sb).is_empty(), "{:?}", saved_sessions(&sb));
    eprintln!(
        "{signal}: confirmed {confirmed} of {layer_size} bytes before the interruption; the re-run sent {resent} ({:.1} %)",
        100.0 * resent as f64 / layer_size as f64
    );
}

#[test]
fn a_push_killed_half_way_continues_from_the_confirmed_bytes() {
    check_resumed("KILL", 256 * MIB, 61);
}

#[test]
fn a_push_stopped_by_ctrl_c_keeps_its_session_for_the_next_run() {
    check_resumed("INT", 64 * MIB, 62);
}

#[test]
fn a_session_the_registry_no_longer_vouches_for_starts_over_and_verifies() {
    // Straight to the registry (no buffering proxy): distribution writes the interrupted
    // chunk's bytes into the session, after which it refuses the saved location; the re-run
    // then uploads into a new session, and the blob still verifies.
    let reg = Registry::start(Mode::Plain);
    let proxy = FaultProxy::start(&reg.host());
    proxy.add(
        "PATCH",
        "/blobs/uploads/",
        0,
        Fault::DelayAnswer { millis: 40 },
    );
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let (digest, layer, layer_size) = big_image(&src, 48 * MIB, 63);
    let from = format!("oci:{}:v1", src.display());
    let to = format!("docker://{}", proxy.reference("app:v1"));
    interrupt_push(&sb, &proxy, &from, &to, layer_size / 3, "KILL");
    // A saved session that no longer matches the registry's state.
    let saved = saved_sessions(&sb);
    assert_eq!(saved.len(), 1, "{saved:?}");
    let out = sb.run(&["--format", "json", "--progress", "none", "copy", &from, &to]);
    assert!(out.status.success(), "{}", describe(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["digest"], digest.as_str(), "{r}");
    assert_eq!(registry_blob(&reg, "app", &layer), (200, Some(layer_size)));
    assert!(saved_sessions(&sb).is_empty());
}
