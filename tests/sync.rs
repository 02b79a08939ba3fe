//! `imgctl sync` end to end between real registries on loopback: a token-auth source and a
//! TLS + htpasswd destination with several repositories and 20+ tags; skip-by-HEAD on the second
//! run (counted in the registries' access logs), dry run, shards, --keep-going, plain progress,
//! referrers through the tag schema, `copy --referrers`, `ratelimit`.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Output, Stdio};

use common::*;
use proxy::{Fault, FaultProxy};
use serde_json::{Value, json};

/// Global flags reaching `reg` with imgctl (credentials, CA).
fn reg_flags(reg: &Registry) -> Vec<String> {
    let mut v = Vec::new();
    if let Some((u, p)) = reg.push_creds() {
        v.push("--creds".into());
        v.push(format!("{u}:{p}"));
    }
    if let Some(ca) = reg.ca_cert() {
        v.push("--ca-file".into());
        v.push(ca.display().to_string());
    }
    v
}

fn wait_all(children: Vec<(String, Child)>) {
    for (what, c) in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{what}: {}", describe(&out));
    }
}

/// A shared base layer plus one layer unique to `n`: images of one family share a blob.
fn family_image(layout: &Path, tag: &str, n: u32) -> String {
    build_image(
        layout,
        tag,
        vec![
            vec![
                TarEntry::dir("etc"),
                TarEntry::file("etc/os-release", "ID=imgctl-test-base\n"),
            ],
            vec![TarEntry::file("app.txt", format!("app build {n}\n"))],
        ],
        &Platform::default(),
    )
}

/// Pushes `images` (layout tag → `repo:tag`) from `layout` to `reg` in parallel, then adds
/// `aliases` (`repo:alias` → existing tag). Returns every `repo:tag` → digest.
fn populate(
    sb: &Imgctl,
    reg: &Registry,
    layout: &Path,
    images: &[(&str, &str, String)],
    aliases: &[(&str, &str, &[&str])],
) -> BTreeMap<String, String> {
    let mut digests = BTreeMap::new();
    let mut children = Vec::new();
    // The first image of each repository goes alone: concurrent uploads of one blob to one
    // registry race inside distribution 2.8 (MANIFEST_BLOB_UNKNOWN).
    let mut repos = BTreeSet::new();
    for (i, (layout_tag, dest, digest)) in images.iter().enumerate() {
        let first = repos.insert(dest.split(':').next().unwrap().to_string());
        let mut c = sb.cmd();
        c.args(reg_flags(reg))
            .args(["-q", "copy", "--all-platforms"])
            .arg(format!("oci:{}:{layout_tag}", layout.display()))
            .arg(format!("docker://{}", reg.reference(dest)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = c.spawn().unwrap();
        if first || i == 0 {
            wait_all(vec![(dest.to_string(), child)]);
        } else {
            children.push((dest.to_string(), child));
        }
        digests.insert(dest.to_string(), digest.clone());
    }
    wait_all(children);
    let mut children = Vec::new();
    for (repo, tag, new) in aliases {
        let mut c = sb.cmd();
        c.args(reg_flags(reg))
            .args(["-q", "tag"])
            .arg(format!(
                "docker://{}",
                reg.reference(&format!("{repo}:{tag}"))
            ))
            .args(new.iter())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        children.push((format!("{repo}:{tag}"), c.spawn().unwrap()));
        let d = digests[&format!("{repo}:{tag}")].clone();
        for n in new.iter() {
            digests.insert(format!("{repo}:{n}"), d.clone());
        }
    }
    wait_all(children);
    digests
}

/// Runs `imgctl sync` with `--format json --progress none` and the given env; returns the
/// output and the parsed document (Null when stdout is not JSON).
fn sync(sb: &Imgctl, config: &Path, env: &[(&str, &str)], extra: &[&str]) -> (Output, Value) {
    let out = sb
        .cmd()
        .envs(env.iter().copied())
        .args(["--format", "json", "--progress", "none", "sync"])
        .args(extra)
        .arg(config)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out, doc)
}

fn images(doc: &Value) -> Vec<Value> {
    doc["images"].as_array().cloned().unwrap_or_default()
}

/// Access-log entries of `reg` from index `from` on.
fn log_since(reg: &Registry, from: usize) -> Vec<AccessLogEntry> {
    reg.access_log().into_iter().skip(from).collect()
}

#[test]
fn mirror_token_registry_to_tls_registry() {
    let src = Registry::start(Mode::Token);
    let dst = Registry::start(Mode::TlsHtpasswd);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");

    // Source: library/app (5 images + 4 aliases), library/tools (2 indexes + 2 aliases),
    // team/web (4 images + 6 aliases): 23 tags; every image shares the base layer.
    let mut imgs = Vec::new();
    for (i, t) in ["v1.0.0", "v1.1.0", "v1.2.0", "v2.0.0", "v2.1.0-rc.1"]
        .iter()
        .enumerate()
    {
        let d = family_image(&layout, &format!("app-{t}"), i as u32);
        imgs.push((format!("app-{t}"), format!("library/app:{t}"), d));
    }
    for (t, plats) in [
        ("3.0", &["linux/amd64", "linux/arm64"][..]),
        ("3.1", &["linux/amd64", "linux/arm/v7"][..]),
    ] {
        let d = build_index(&layout, &format!("tools-{t}"), plats);
        imgs.push((format!("tools-{t}"), format!("library/tools:{t}"), d));
    }
    for (i, t) in ["a", "b", "c", "d"].iter().enumerate() {
        let d = family_image(&layout, &format!("web-{t}"), 100 + i as u32);
        imgs.push((format!("web-{t}"), format!("team/web:{t}"), d));
    }
    let imgs_ref: Vec<(&str, &str, String)> = imgs
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.clone()))
        .collect();
    let source = populate(
        &sb,
        &src,
        &layout,
        &imgs_ref,
        &[
            ("library/app", "v1.2.0", &["1", "stable"]),
            ("library/app", "v2.0.0", &["latest"]),
            ("library/app", "v2.1.0-rc.1", &["edge"]),
            ("library/tools", "3.1", &["3", "latest"]),
            ("team/web", "a", &["e", "f"]),
            ("team/web", "b", &["g", "h"]),
            ("team/web", "c", &["i"]),
            ("team/web", "d", &["j"]),
        ],
    );
    assert_eq!(source.len(), 23);

    let cfg = sb.dir().join("mirror.yaml");
    let (s, d) = (src.host(), dst.host());
    std::fs::write(
        &cfg,
        format!(
            r#"registries:
  {s}:
    credentials:
      env: SRC_CREDS
  {d}:
    ca_file: {ca}
    credentials:
      username: {USER}
      password_env: DST_PASSWORD
mappings:
  - source: {s}/library/app
    destination: {d}/mirror/app
    tags: all
  - source: {s}/library/tools
    destination: {d}/mirror/tools
    tags:
      include: ['3(\.\d+)?', latest]
  - source: {s}/team/web
    destination: {d}/mirror/web
    tags: [a, b, c, d, e, f, g, h, i, j]
  - source: {s}/library/app
    destination: {d}/mirror/app-v1
    tags:
      semver: ">=1.0, <2"
      exclude: stable
"#,
            ca = dst.ca_cert().unwrap().display()
        ),
    )
    .unwrap();
    let src_creds = format!("{USER}:{PASSWORD}");
    let env = [
        ("SRC_CREDS", src_creds.as_str()),
        ("DST_PASSWORD", PASSWORD),
    ];
    // app: 9 tags; tools: 4; web: 10; app-v1: v1.0.0 v1.1.0 v1.2.0 1 → 27 images.
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in &source {
        let (repo, tag) = k.split_once(':').unwrap();
        let dest = match repo {
            "library/app" => "mirror/app",
            "library/tools" => "mirror/tools",
            _ => "mirror/web",
        };
        expected.insert(format!("{d}/{dest}:{tag}"), v.clone());
        if repo == "library/app" && ["v1.0.0", "v1.1.0", "v1.2.0", "1"].contains(&tag) {
            expected.insert(format!("{d}/mirror/app-v1:{tag}"), v.clone());
        }
    }
    assert_eq!(expected.len(), 27);

    // Credentials named in the file must exist.
    let (out, _) = sync(&sb, &cfg, &[("SRC_CREDS", &src_creds)], &["--dry-run"]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stderr(&out).contains("DST_PASSWORD"));

    // 1. Dry run: the plan, nothing written.
    let before = dst.access_log().len();
    let (out, doc) = sync(&sb, &cfg, &env, &["--dry-run"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let planned: BTreeMap<String, String> = images(&doc)
        .iter()
        .map(|i| {
            assert_eq!(i["action"], "would-copy", "{i}");
            (
                i["destination"].as_str().unwrap().to_string(),
                i["digest"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(planned, expected);
    let writes: Vec<_> = log_since(&dst, before)
        .into_iter()
        .filter(|e| !matches!(e.method.as_str(), "GET" | "HEAD"))
        .collect();
    assert!(writes.is_empty(), "dry run wrote: {writes:?}");

    // 2. First sync copies everything; shared blobs are uploaded once, then mounted.
    let before = dst.access_log().len();
    let (out, doc) = sync(&sb, &cfg, &env, &["--jobs", "4"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let copied: BTreeMap<String, String> = images(&doc)
        .iter()
        .map(|i| {
            assert_eq!(i["action"], "copied", "{i}");
            assert!(i["error"].is_null());
            (
                i["destination"].as_str().unwrap().to_string(),
                i["digest"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(copied, expected);
    assert_eq!(doc["summary"]["copied"], 27, "{}", doc["summary"]);
    assert!(doc["summary"]["bytes"].as_u64().unwrap() > 0);
    let log = log_since(&dst, before);
    let mut uploads: BTreeMap<String, usize> = BTreeMap::new();
    for e in log
        .iter()
        .filter(|e| e.method == "PUT" && e.path.contains("/blobs/uploads/"))
    {
        let digest = e
            .path
            .split("digest=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        *uploads.entry(digest.replace("%3A", ":")).or_default() += 1;
    }
    let twice: Vec<_> = uploads.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "blobs uploaded more than once: {twice:?}");
    let mounts = log
        .iter()
        .filter(|e| e.method == "POST" && e.path.contains("mount=") && e.status == 201)
        .count();
    assert!(
        mounts > 0,
        "the shared base layer was never mounted: {uploads:?}"
    );
    // skopeo agrees on digests, for an image of every repository and the indexes.
    for r in [
        "mirror/app:v1.0.0",
        "mirror/app:latest",
        "mirror/app-v1:1",
        "mirror/tools:3.0",
        "mirror/tools:latest",
        "mirror/web:j",
    ] {
        let (_, digest) = skopeo_raw_manifest(
            &format!("docker://{d}/{r}"),
            &dst.skopeo_flags("", Some((USER, PASSWORD))),
        );
        assert_eq!(digest, expected[&format!("{d}/{r}")], "{r}");
    }

    // 3. Second sync: manifest HEADs only, no blob traffic, no manifest GET.
    let (src_before, dst_before) = (src.access_log().len(), dst.access_log().len());
    let (out, doc) = sync(&sb, &cfg, &env, &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    for i in images(&doc) {
        assert_eq!(i["action"], "skipped", "{i}");
        assert_eq!(i["bytes"], 0);
        assert_eq!(
            i["digest"],
            expected[i["destination"].as_str().unwrap()].as_str()
        );
    }
    assert_eq!(images(&doc).len(), 27);
    for (name, reg, before) in [
        ("source", &src, src_before),
        ("destination", &dst, dst_before),
    ] {
        let log = log_since(reg, before);
        let heads = log
            .iter()
            .filter(|e| e.method == "HEAD" && e.path.contains("/manifests/"))
            .count();
        assert_eq!(heads, 27, "{name}: {log:?}");
        let other: Vec<_> = log
            .iter()
            .filter(|e| {
                let ping = e.method == "GET" && e.path == "/v2/";
                let listing = e.method == "GET" && e.path.contains("/tags/list");
                let head = e.method == "HEAD" && e.path.contains("/manifests/");
                !(ping || listing || head)
            })
            .collect();
        assert!(other.is_empty(), "{name}: unexpected requests {other:?}");
    }
}

/// Source and destination on plain registries, for the tests of shards, failures and progress.
struct Small {
    src: Registry,
    dst: Registry,
    sb: Imgctl,
    source: BTreeMap<String, String>,
}

fn small() -> Small {
    let src = Registry::start(Mode::Plain);
    let dst = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let mut imgs = Vec::new();
    for i in 0..4u32 {
        let d = family_image(&layout, &format!("t{i}"), i);
        imgs.push((format!("t{i}"), format!("app:v{i}"), d));
    }
    let idx = build_index(&layout, "multi", &["linux/amd64", "linux/arm64"]);
    imgs.push(("multi".into(), "multi:1".into(), idx));
    let imgs_ref: Vec<(&str, &str, String)> = imgs
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.clone()))
        .collect();
    let source = populate(
        &sb,
        &src,
        &layout,
        &imgs_ref,
        &[("app", "v0", &["w0", "x0"]), ("app", "v1", &["w1"])],
    );
    Small {
        src,
        dst,
        sb,
        source,
    }
}

fn write_config(sb: &Imgctl, name: &str, text: &str) -> std::path::PathBuf {
    let p = sb.dir().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn shards_keep_going_and_plain_progress() {
    let w = small();
    let (s, d) = (w.src.host(), w.dst.host());
    let cfg = write_config(
        &w.sb,
        "all.yaml",
        &format!(
            "mappings:\n  - source: {s}/app\n    destination: {d}/m/app\n    tags: all\n  \
             - source: {s}/multi\n    destination: {d}/m/multi\n    tags: all\n    platforms: linux/arm64\n"
        ),
    );

    // Shards 1/2 and 2/2 together copy every image exactly once.
    let (out, plan) = sync(&w.sb, &cfg, &[], &["--dry-run"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let planned: BTreeSet<String> = images(&plan)
        .iter()
        .map(|i| i["destination"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(planned.len(), 8);
    let mut seen = Vec::new();
    for shard in ["1/2", "2/2"] {
        let (out, doc) = sync(&w.sb, &cfg, &[], &["--shard", shard]);
        assert_eq!(code(&out), 0, "{}", describe(&out));
        assert_eq!(doc["shard"], shard);
        // planned: this shard's images; plannedTotal: the whole plan's.
        assert_eq!(doc["summary"]["planned"], 4, "{}", doc["summary"]);
        assert_eq!(doc["summary"]["plannedTotal"], 8, "{}", doc["summary"]);
        assert_eq!(images(&doc).len(), 4, "{doc}");
        for i in images(&doc) {
            assert_eq!(i["action"], "copied", "{i}");
            seen.push(i["destination"].as_str().unwrap().to_string());
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        planned.iter().cloned().collect::<Vec<_>>(),
        "overlap or gap"
    );
    // The single platform picked out of the index is what the destination holds.
    let (out, doc) = sync(&w.sb, &cfg, &[], &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        images(&doc).iter().all(|i| i["action"] == "skipped"),
        "{doc}"
    );
    let multi = images(&doc)
        .into_iter()
        .find(|i| i["destination"].as_str().unwrap().ends_with("m/multi:1"))
        .unwrap();
    assert_ne!(
        multi["digest"],
        w.source["multi:1"].as_str(),
        "not the index"
    );

    // One failing image does not stop the others with --keep-going; exit 8.
    let cfg = write_config(
        &w.sb,
        "broken.yaml",
        &format!(
            "mappings:\n  - source: {s}/app\n    destination: {d}/k/app\n    tags: [v0, missing, v1, v2, v3]\n"
        ),
    );
    let (out, doc) = sync(&w.sb, &cfg, &[], &["--keep-going"]);
    assert_eq!(code(&out), 8, "{}", describe(&out));
    let imgs = images(&doc);
    assert_eq!(imgs.len(), 5);
    for i in &imgs {
        if i["source"].as_str().unwrap().ends_with(":missing") {
            assert_eq!(i["action"], "failed");
            assert!(
                i["error"].as_str().unwrap().contains("MANIFEST_UNKNOWN"),
                "{i}"
            );
        } else {
            assert_eq!(i["action"], "copied", "{i}");
        }
    }
    assert_eq!(doc["summary"]["failed"], 1);
    // Without --keep-going the failure's own exit code (4: not found).
    let cfg2 = write_config(
        &w.sb,
        "broken2.yaml",
        &format!(
            "mappings:\n  - source: {s}/app\n    destination: {d}/k2/app\n    tags: [missing]\n"
        ),
    );
    let (out, _) = sync(&w.sb, &cfg2, &[], &[]);
    assert_eq!(code(&out), 4, "{}", describe(&out));

    // Plain progress in a non-terminal run: periodic aggregate lines on stderr, only the
    // result on stdout.
    let cfg = write_config(
        &w.sb,
        "progress.yaml",
        &format!("mappings:\n  - source: {s}/app\n    destination: {d}/p/app\n    tags: all\n"),
    );
    let out =
        w.sb.cmd()
            .env("IMGCTL_PROGRESS_INTERVAL", "0.02")
            .env_remove("CI")
            .args(["--progress", "plain", "--jobs", "1", "sync"])
            .arg(&cfg)
            .stdin(Stdio::null())
            .output()
            .unwrap();
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let stdout = stdout(&out);
    let stderr = stderr(&out);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 8, "{stdout}");
    assert!(
        lines[..7].iter().all(|l| l.starts_with("copied ")),
        "{stdout}"
    );
    assert!(
        lines[7].starts_with("sync: 7 copied, 0 skipped, 0 failed"),
        "{stdout}"
    );
    let progress: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .collect();
    assert!(progress.len() >= 2, "no periodic lines: {stderr}");
    assert!(progress.last().unwrap().contains("images 7/7"), "{stderr}");
    assert!(
        stderr.lines().all(|l| l.starts_with("progress: ")),
        "other stderr lines: {stderr}"
    );

    // JSON progress: NDJSON events on stderr.
    let out =
        w.sb.cmd()
            .args(["--progress", "json", "--format", "json", "sync"])
            .arg(&cfg)
            .stdin(Stdio::null())
            .output()
            .unwrap();
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let events: Vec<Value> = String::from_utf8_lossy(&out.stderr)
        .into_owned()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(events.iter().filter(|e| e["event"] == "image").count(), 7);
    let last = events
        .iter()
        .rev()
        .find(|e| e["event"] == "progress")
        .unwrap();
    assert_eq!(last["imagesDone"], 7);
    let _: Value = serde_json::from_slice(&out.stdout).unwrap();
}

/// Writes a referrer (artifact) manifest with `subject` into `layout`; returns its descriptor.
fn write_referrer(layout: &Path, subject: &Value, payload: &str, artifact_type: &str) -> Value {
    let empty = write_blob(layout, "application/vnd.oci.empty.v1+json", b"{}");
    let blob = write_blob(layout, "application/json", payload.as_bytes());
    let m = json!({
        "schemaVersion": 2,
        "mediaType": MT_MANIFEST,
        "artifactType": artifact_type,
        "config": empty,
        "layers": [blob],
        "subject": subject,
    });
    let mut d = write_blob(layout, MT_MANIFEST, &serde_json::to_vec(&m).unwrap());
    d["artifactType"] = json!(artifact_type);
    d
}

#[test]
fn referrers_follow_the_image_through_the_tag_schema() {
    let src = Registry::start(Mode::Plain);
    let dst = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let image = family_image(&layout, "v1", 1);
    let other = family_image(&layout, "other", 2);
    let subject = |d: &str| json!({"mediaType": MT_MANIFEST, "digest": d, "size": std::fs::metadata(blob_path(&layout, d)).unwrap().len()});
    let sbom = write_referrer(
        &layout,
        &subject(&image),
        "{\"sbom\":1}",
        "application/spdx+json",
    );
    let stray = write_referrer(
        &layout,
        &subject(&other),
        "{\"sbom\":2}",
        "application/spdx+json",
    );
    let hex = image.strip_prefix("sha256:").unwrap();
    let fallback = format!("sha256-{hex}");
    let index = json!({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [sbom, stray]});
    let idx = write_blob(&layout, MT_INDEX, &serde_json::to_vec(&index).unwrap());
    tag_descriptor(&layout, &fallback, idx);
    // a cosign-style signature tag
    let sig_layer = write_blob(
        &layout,
        "application/vnd.dev.cosign.simplesigning.v1+json",
        format!("{{\"critical\":{{\"image\":{{\"docker-manifest-digest\":\"{image}\"}}}}}}")
            .as_bytes(),
    );
    let sig_cfg = write_blob(
        &layout,
        MT_CONFIG,
        b"{\"architecture\":\"\",\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}",
    );
    let sig = json!({"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": sig_cfg, "layers": [sig_layer]});
    let sig_desc = write_blob(&layout, MT_MANIFEST, &serde_json::to_vec(&sig).unwrap());
    let sig_digest = sig_desc["digest"].as_str().unwrap().to_string();
    tag_descriptor(&layout, &format!("{fallback}.sig"), sig_desc);
    let pushes: Vec<(String, String, String)> = [
        ("v1", image.clone()),
        ("other", other.clone()),
        (fallback.as_str(), String::new()),
        (&format!("{fallback}.sig"), sig_digest.clone()),
    ]
    .iter()
    .map(|(t, d)| (t.to_string(), format!("app:{t}"), d.clone()))
    .collect();
    let p: Vec<(&str, &str, String)> = pushes
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.clone()))
        .collect();
    populate(&sb, &src, &layout, &p, &[]);

    let (s, d) = (src.host(), dst.host());
    let cfg = write_config(
        &sb,
        "ref.yaml",
        &format!(
            "mappings:\n  - source: {s}/app\n    destination: {d}/mirror/app\n    tags: [v1]\n    referrers: true\n"
        ),
    );
    let (out, doc) = sync(&sb, &cfg, &[], &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let img = &images(&doc)[0];
    assert_eq!(img["action"], "copied");
    assert_eq!(img["referrers"]["copied"], 2, "{img}"); // the SBOM and the .sig tag
    assert_eq!(img["referrers"]["ignored"], 1, "{img}");
    let stderr = stderr(&out);
    assert!(
        stderr.contains(&format!(
            "ignoring referrer {}",
            stray["digest"].as_str().unwrap()
        )),
        "{stderr}"
    );

    let flags = dst.skopeo_flags("", None);
    let (raw, _) = skopeo_raw_manifest(&format!("docker://{d}/mirror/app:{fallback}"), &flags);
    let listed: Value = serde_json::from_slice(&raw).unwrap();
    let listed: Vec<&str> = listed["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["digest"].as_str().unwrap())
        .collect();
    assert_eq!(listed, vec![sbom["digest"].as_str().unwrap()]);
    let (_, got) = skopeo_raw_manifest(
        &format!(
            "docker://{d}/mirror/app@{}",
            sbom["digest"].as_str().unwrap()
        ),
        &flags,
    );
    assert_eq!(got, sbom["digest"].as_str().unwrap());
    let (_, got) = skopeo_raw_manifest(&format!("docker://{d}/mirror/app:{fallback}.sig"), &flags);
    assert_eq!(got, sig_digest);

    // A second run finds everything in place.
    let (out, doc) = sync(&sb, &cfg, &[], &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let img = &images(&doc)[0];
    assert_eq!(img["action"], "skipped");
    assert_eq!(img["referrers"]["copied"], 0, "{img}");

    // copy --referrers does the same for one image.
    let out = sb.run(&[
        "-q",
        "copy",
        "--referrers",
        &format!("docker://{s}/app:v1"),
        &format!("docker://{d}/copied/app:v1"),
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), image);
    let (_, got) = skopeo_raw_manifest(&format!("docker://{d}/copied/app:{fallback}.sig"), &flags);
    assert_eq!(got, sig_digest);
    let (raw, _) = skopeo_raw_manifest(&format!("docker://{d}/copied/app:{fallback}"), &flags);
    assert!(String::from_utf8_lossy(&raw).contains(sbom["digest"].as_str().unwrap()));

    // Its JSON result carries the referrer counts: all present on a second copy, and fresh in
    // another repository.
    for (repo, copied, skipped) in [("copied", 0, 2), ("json", 2, 0)] {
        let out = sb.run(&[
            "-q",
            "--format",
            "json",
            "copy",
            "--referrers",
            &format!("docker://{s}/app:v1"),
            &format!("docker://{d}/{repo}/app:v1"),
        ]);
        assert_eq!(code(&out), 0, "{}", describe(&out));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["digest"], image.as_str(), "{doc}");
        assert_eq!(doc["referrers"]["copied"], copied, "{repo}: {doc}");
        assert_eq!(doc["referrers"]["skipped"], skipped, "{repo}: {doc}");
        assert_eq!(doc["referrers"]["ignored"], 1, "{repo}: {doc}");
    }
}

#[test]
fn ratelimit_reports_absent_limits_and_bad_configs_are_usage_errors() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let digest = build_standard_image(&layout, "v1");
    sb.run_ok(&[
        "-q",
        "copy",
        &format!("oci:{}:v1", layout.display()),
        &format!("docker://{}", reg.reference("app:v1")),
    ]);
    let out = sb.run_ok(&["--format", "json", "ratelimit", &reg.reference("app:v1")]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"], 200);
    assert!(v["limit"].is_null() && v["remaining"].is_null(), "{v}");
    let out = sb.run_ok(&["ratelimit", &reg.reference("app:v1")]);
    assert!(out.contains("no rate limit reported"), "{out}");
    let _ = digest;

    let cfg = write_config(
        &sb,
        "bad.yaml",
        "mappings:\n  - source: a\n    destination: b\n    tags: {include: '('}\n",
    );
    let out = sb.run(&["sync", cfg.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stderr(&out).contains("mapping 1"), "{}", describe(&out));
    let out = sb.run(&["sync", "--shard", "3/2", cfg.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
}

#[test]
fn platform_lists_write_a_filtered_index_and_skip_on_the_second_run() {
    let src = Registry::start(Mode::Plain);
    let dst = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let idx = build_index(
        &layout,
        "multi",
        &["linux/amd64", "linux/arm64", "linux/arm/v7"],
    );
    populate(
        &sb,
        &src,
        &layout,
        &[("multi", "multi:1", idx.clone())],
        &[],
    );
    let children: BTreeMap<String, String> = read_json_blob(&layout, &idx)["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let p = &m["platform"];
            let mut name = format!(
                "{}/{}",
                p["os"].as_str().unwrap(),
                p["architecture"].as_str().unwrap()
            );
            if let Some(v) = p["variant"].as_str() {
                name = format!("{name}/{v}");
            }
            (name, m["digest"].as_str().unwrap().to_string())
        })
        .collect();
    let (s, d) = (src.host(), dst.host());
    let cfg = write_config(
        &sb,
        "plats.yaml",
        &format!(
            "mappings:\n  - source: {s}/multi\n    destination: {d}/m/multi\n    tags: ['1']\n    platforms: [linux/amd64, linux/arm64]\n"
        ),
    );
    let (out, doc) = sync(&sb, &cfg, &[], &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let img = &images(&doc)[0];
    assert_eq!(img["action"], "copied", "{img}");
    let filtered = img["digest"].as_str().unwrap().to_string();
    assert_ne!(filtered, idx, "a filtered index has its own digest");

    // The destination holds the filtered index: byte-exact under its digest, two platforms.
    let flags = dst.skopeo_flags("", None);
    let (raw, got) = skopeo_raw_manifest(&format!("docker://{d}/m/multi:1"), &flags);
    assert_eq!(got, filtered);
    let index: Value = serde_json::from_slice(&raw).unwrap();
    let listed: Vec<&str> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["digest"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [
            children["linux/amd64"].as_str(),
            children["linux/arm64"].as_str()
        ]
    );
    // arm/v7 was left out, the other two images are complete
    let (_, got) = skopeo_raw_manifest(
        &format!("docker://{d}/m/multi@{}", children["linux/arm64"]),
        &flags,
    );
    assert_eq!(got, children["linux/arm64"]);
    let out = skopeo(&[
        "inspect",
        "--raw",
        "--tls-verify=false",
        &format!("docker://{d}/m/multi@{}", children["linux/arm/v7"]),
    ]);
    assert!(!out.status.success(), "arm/v7 was copied");

    // A second run compares against the filtered digest: skipped, no blob or manifest write.
    let before = dst.access_log().len();
    let (out, doc) = sync(&sb, &cfg, &[], &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let img = &images(&doc)[0];
    assert_eq!(img["action"], "skipped", "{img}");
    assert_eq!(img["digest"], filtered.as_str());
    let writes: Vec<_> = log_since(&dst, before)
        .into_iter()
        .filter(|e| e.method != "HEAD" && e.method != "GET")
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
}

/// A TLS + htpasswd registry and a config that names its credentials in `MIRROR_CREDS`
/// (`ca_file` when `trusted`), with one mapping of `tags`.
fn tls_config(
    sb: &Imgctl,
    reg: &Registry,
    name: &str,
    trusted: bool,
    tags: &str,
) -> std::path::PathBuf {
    let h = reg.host();
    let ca = if trusted {
        format!("    ca_file: {}\n", reg.ca_cert().unwrap().display())
    } else {
        String::new()
    };
    write_config(
        sb,
        name,
        &format!(
            "registries:\n  {h}:\n{ca}    credentials:\n      env: MIRROR_CREDS\n\
             mappings:\n  - source: {h}/app\n    destination: {h}/mirror/app\n    tags: {tags}\n"
        ),
    )
}

#[test]
fn malformed_or_empty_credential_variables_are_configuration_errors() {
    let reg = Registry::start(Mode::TlsHtpasswd);
    let sb = Imgctl::new();
    let cfg = tls_config(&sb, &reg, "creds.yaml", true, "[v1, v2]");
    let before = reg.access_log().len();
    for (value, want) in [
        (
            Some("alicenocolon"),
            "MIRROR_CREDS named in the sync configuration must hold USER:PASSWORD",
        ),
        (
            Some(":nouser"),
            "MIRROR_CREDS named in the sync configuration must hold USER:PASSWORD",
        ),
        (
            Some(""),
            "MIRROR_CREDS named in the sync configuration is empty",
        ),
        (
            None,
            "MIRROR_CREDS named in the sync configuration is not set",
        ),
    ] {
        let mut c = sb.cmd();
        match value {
            Some(v) => c.env("MIRROR_CREDS", v),
            None => c.env_remove("MIRROR_CREDS"),
        };
        let out = c
            .args(["--progress", "none", "sync"])
            .arg(&cfg)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{value:?}: {}", describe(&out));
        let err = stderr(&out);
        assert!(err.contains(want), "{value:?}: {err}");
        assert!(err.contains("hint: "), "{value:?}: {err}");
        for v in value.iter().filter(|v| !v.is_empty()) {
            assert!(!err.contains(v), "value echoed: {err}");
        }
        assert!(out.stdout.is_empty(), "{}", describe(&out));
    }
    // Refused before any request.
    assert_eq!(reg.access_log().len(), before);
}

/// Runs `imgctl sync CONFIG` (text output) with `MIRROR_CREDS=creds` and `extra` flags;
/// returns the output and its `hint:` line.
fn sync_hint(sb: &Imgctl, cfg: &Path, creds: &str, extra: &[&str]) -> (Output, String) {
    let out = sb
        .cmd()
        .env("MIRROR_CREDS", creds)
        .args(["--progress", "none", "--retries", "0", "sync"])
        .args(extra)
        .arg(cfg)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let hint = stderr(&out)
        .lines()
        .filter_map(|l| l.strip_prefix("hint: "))
        .collect::<Vec<_>>()
        .join("\n");
    (out, hint)
}

#[test]
fn a_failed_image_keeps_its_own_hint_in_sync_terms() {
    let reg = Registry::start(Mode::TlsHtpasswd);
    let sb = Imgctl::new();
    let h = reg.host();
    let good = format!("{USER}:{PASSWORD}");

    // An untrusted certificate: the TLS hint, in the configuration's words, plus --keep-going
    // (two images in the plan).
    let untrusted = tls_config(&sb, &reg, "untrusted.yaml", false, "[v1, v2]");
    let (out, hint) = sync_hint(&sb, &untrusted, &good, &[]);
    assert_eq!(code(&out), 6, "{}", describe(&out));
    assert!(hint.contains("ca_file: FILE"), "{}", describe(&out));
    assert!(hint.contains(&format!("registries: {h}:")), "{hint}");
    assert!(hint.contains("insecure: true"), "{hint}");
    assert!(hint.contains("pass --keep-going"), "{hint}");
    assert_eq!(hint.lines().count(), 1, "{hint}");
    // With --keep-going (exit 8) the shared hint stays, without the --keep-going advice.
    let (out, hint) = sync_hint(&sb, &untrusted, &good, &["--keep-going"]);
    assert_eq!(code(&out), 8, "{}", describe(&out));
    assert!(hint.contains("ca_file: FILE"), "{}", describe(&out));
    assert!(!hint.contains("--keep-going"), "{hint}");

    // Wrong credentials from the configuration: check the variable it names (never its
    // value); one image, so no --keep-going advice.
    let trusted = tls_config(&sb, &reg, "trusted.yaml", true, "[v1]");
    let (out, hint) = sync_hint(&sb, &trusted, "alice:not-the-password", &[]);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert!(hint.contains("$MIRROR_CREDS"), "{}", describe(&out));
    assert!(hint.contains(&h), "{hint}");
    assert!(!hint.contains("--keep-going"), "{hint}");
    assert!(
        !text(&out).contains("not-the-password"),
        "{}",
        describe(&out)
    );

    // An error without a hint of its own (the tag is missing): only --keep-going, and only
    // when the plan has other images.
    let missing = tls_config(&sb, &reg, "missing.yaml", true, "[v1, v2]");
    let (out, hint) = sync_hint(&sb, &missing, &good, &[]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert_eq!(
        hint,
        "pass --keep-going to copy the other images anyway",
        "{}",
        describe(&out)
    );
    let one = tls_config(&sb, &reg, "one-missing.yaml", true, "[v1]");
    let (out, hint) = sync_hint(&sb, &one, &good, &[]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert_eq!(hint, "", "{}", describe(&out));
}

#[test]
fn empty_selections_warn_and_bad_config_paths_are_usage_errors() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let digest = build_standard_image(&layout, "v1");
    sb.run_ok(&[
        "-q",
        "copy",
        &format!("oci:{}:v1", layout.display()),
        &format!("docker://{}", reg.reference("app:1.2.0")),
    ]);
    let h = reg.host();
    let cfg = write_config(
        &sb,
        "nomatch.yaml",
        &format!(
            "mappings:\n  - source: {h}/app\n    destination: {h}/m/app\n    tags: all\n  \
             - source: {h}/app\n    destination: {h}/m2/app\n    tags: {{semver: '>=9'}}\n"
        ),
    );
    let want = format!("mapping 2 ({h}/app): no tag matches semver '>=9' (of the 1 tag listed)");
    // JSON: the warning on stderr and in the document; the other mapping still runs (exit 0).
    let (out, doc) = sync(&sb, &cfg, &[], &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(doc["warnings"], json!([want]), "{doc}");
    assert_eq!(images(&doc).len(), 1, "{doc}");
    assert_eq!(images(&doc)[0]["digest"], json!(digest), "{doc}");
    let err = stderr(&out);
    assert!(err.contains(&format!("warning: {want}")), "{err}");
    // Text, even with -q: a warning is not progress.
    let out = sb.run(&["-q", "sync", cfg.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        stderr(&out).contains(&format!("warning: {want}")),
        "{}",
        describe(&out)
    );
    // A mapping that matches something gives no warning.
    let ok = write_config(
        &sb,
        "match.yaml",
        &format!(
            "mappings:\n  - source: {h}/app\n    destination: {h}/m3/app\n    tags: {{semver: '>=1'}}\n"
        ),
    );
    let (out, doc) = sync(&sb, &ok, &[], &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(doc["warnings"], json!([]), "{doc}");
    assert!(!stderr(&out).contains("warning"), "{}", describe(&out));

    // A directory is a usage error naming it.
    let dir = sb.dir().join("configs");
    std::fs::create_dir(&dir).unwrap();
    let out = sb.run(&["sync", dir.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{} is a directory", dir.display())),
        "{err}"
    );

    // YAML errors: "mapping N" (1-based) for serde's errors, with its line, as for imgctl's.
    for (yaml, want) in [
        (
            "mappings:\n  - {source: a, destination: b, tags: all}\n  - source: a\n    destination: c\n    tag: all\n",
            "mapping 2: unknown field `tag`",
        ),
        (
            "mappings:\n  - {source: a, destination: b, tags: all}\n  - source: a\n    destination: c\n    tag: all\n",
            "at line 5",
        ),
        (
            "mappings:\n  - {source: a, destination: b, tags: all}\n  - source: a\n    destination: c\n",
            "mapping 2: give tags",
        ),
    ] {
        let cfg = write_config(&sb, "bad.yaml", yaml);
        let out = sb.run(&["sync", cfg.to_str().unwrap()]);
        assert_eq!(code(&out), 2, "{}", describe(&out));
        let err = stderr(&out);
        assert!(err.contains(want), "{want}: {err}");
        assert!(!err.contains("mappings["), "{err}");
    }
}

#[test]
fn keep_going_survives_mappings_that_cannot_be_planned() {
    let src = Registry::start(Mode::Plain);
    let hub = Registry::start(Mode::Token);
    let dst = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let imgs: Vec<(String, String, String)> = (0..2u32)
        .map(|i| {
            let d = family_image(&layout, &format!("t{i}"), i);
            (format!("t{i}"), format!("app:v{i}"), d)
        })
        .collect();
    let refs: Vec<(&str, &str, String)> = imgs
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.clone()))
        .collect();
    let source = populate(&sb, &src, &layout, &refs, &[]);
    let hub_image = family_image(&layout, "hub", 9);
    populate(&sb, &hub, &layout, &[("hub", "lib/hub:v1", hub_image)], &[]);
    let (s, h, d) = (src.host(), hub.host(), dst.host());
    // 1: the source repository does not exist (404 NAME_UNKNOWN on the tag listing);
    // 2: the source refuses the credentials while listing; 3: healthy; 4: the source
    // refuses the credentials while copying (a tag list, no listing).
    let cfg = write_config(
        &sb,
        "bad-mappings.yaml",
        &format!(
            "registries:\n  {h}:\n    credentials:\n      env: HUB_CREDS\n\
             mappings:\n\
             \x20 - source: {s}/gone\n    destination: {d}/m/gone\n    tags: all\n\
             \x20 - source: {h}/lib/hub\n    destination: {d}/m/hub\n    tags: all\n\
             \x20 - source: {s}/app\n    destination: {d}/m/app\n    tags: all\n\
             \x20 - source: {h}/lib/hub\n    destination: {d}/m/hub2\n    tags: [v1]\n"
        ),
    );
    let secret = "not-the-hub-password";
    let creds = format!("{USER}:{secret}");
    let env = [("HUB_CREDS", creds.as_str())];

    // Without --keep-going: nothing runs; the error names the mapping and --keep-going.
    let before = dst.access_log().len();
    let out = sb
        .cmd()
        .envs(env)
        .args(["--progress", "none", "--retries", "0", "sync"])
        .arg(&cfg)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error: sync stopped: mapping 1 ({s}/gone → {d}/m/gone) could not be planned: "
        )),
        "{err}"
    );
    assert!(err.contains("NAME_UNKNOWN"), "{err}");
    assert!(
        err.contains("hint: pass --keep-going to run the other mappings anyway"),
        "{err}"
    );
    assert_eq!(err.matches("list tags of").count(), 1, "{err}");
    assert!(!err.contains("list the tags of"), "{err}");
    let stdout = stdout(&out);
    assert!(
        stdout.contains(&format!(
            "failed     {s}/gone -> {d}/m/gone: mapping 1 not planned: cannot list tags of {s}/gone: "
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("sync: 0 copied, 0 skipped, 2 failed, 3 not run"),
        "{stdout}"
    );
    let writes: Vec<_> = log_since(&dst, before)
        .into_iter()
        .filter(|e| !matches!(e.method.as_str(), "GET" | "HEAD"))
        .collect();
    assert!(writes.is_empty(), "an incomplete plan ran: {writes:?}");

    // With --keep-going: each unplannable mapping is one failed entry with its error and hint,
    // the healthy mapping runs, exit 8.
    let (out, doc) = sync(&sb, &cfg, &env, &["--keep-going", "--retries", "0"]);
    assert_eq!(code(&out), 8, "{}", describe(&out));
    let imgs = images(&doc);
    let summary: Vec<(u64, &str, &str)> = imgs
        .iter()
        .map(|i| {
            (
                i["mapping"].as_u64().unwrap(),
                i["destination"].as_str().unwrap(),
                i["action"].as_str().unwrap(),
            )
        })
        .collect();
    let (m_gone, m_hub, m_app0, m_app1, m_hub2) = (
        format!("{d}/m/gone"),
        format!("{d}/m/hub"),
        format!("{d}/m/app:v0"),
        format!("{d}/m/app:v1"),
        format!("{d}/m/hub2:v1"),
    );
    assert_eq!(
        summary,
        vec![
            (1, m_gone.as_str(), "failed"),
            (2, m_hub.as_str(), "failed"),
            (3, m_app0.as_str(), "copied"),
            (3, m_app1.as_str(), "copied"),
            (4, m_hub2.as_str(), "failed"),
        ],
        "{doc}"
    );
    let gone = &imgs[0];
    assert_eq!(gone["unplanned"], true, "{gone}");
    assert_eq!(gone["source"], format!("{s}/gone"), "{gone}");
    let e = gone["error"].as_str().unwrap();
    assert!(
        e.starts_with(&format!("cannot list tags of {s}/gone: ")) && e.contains("NAME_UNKNOWN"),
        "{gone}"
    );
    // A refused source credential, while listing and while copying: the hint names the
    // variable of the registry's credentials block (never its value), not imgctl login.
    for i in [&imgs[1], &imgs[4]] {
        let hint = i["hint"].as_str().unwrap_or_default();
        assert!(hint.contains("$HUB_CREDS"), "{i}");
        assert!(hint.contains(&h), "{i}");
        assert!(!hint.contains("imgctl login"), "{i}");
    }
    assert_eq!(imgs[1]["unplanned"], true);
    assert!(imgs[4].get("unplanned").is_none(), "{}", imgs[4]);
    assert!(imgs[2].get("hint").is_none(), "{}", imgs[2]);
    for (i, tag) in [(&imgs[2], "app:v0"), (&imgs[3], "app:v1")] {
        assert_eq!(i["digest"], source[tag].as_str(), "{i}");
    }
    for tag in ["v0", "v1"] {
        let (_, got) = skopeo_raw_manifest(
            &format!("docker://{d}/m/app:{tag}"),
            &dst.skopeo_flags("", None),
        );
        assert_eq!(got, source[&format!("app:{tag}")], "{tag}");
    }
    assert_eq!(doc["summary"]["failed"], 3, "{}", doc["summary"]);
    assert_eq!(doc["summary"]["copied"], 2, "{}", doc["summary"]);
    assert_eq!(doc["summary"]["unplanned"], 2, "{}", doc["summary"]);
    assert_eq!(doc["summary"]["planned"], 3, "{}", doc["summary"]);
    let err = stderr(&out);
    assert!(
        err.contains("error: 1 of 3 images failed; mappings 1, 2 could not be planned"),
        "{err}"
    );
    assert!(!text(&out).contains(secret), "{}", describe(&out));

    // Text: the same entries as lines, with their hints.
    let out = sb
        .cmd()
        .envs(env)
        .args([
            "--progress",
            "none",
            "--retries",
            "0",
            "sync",
            "--keep-going",
        ])
        .arg(&cfg)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&out), 8, "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let hub_line = stdout
        .lines()
        .find(|l| {
            l.starts_with(&format!(
                "failed     {h}/lib/hub -> {d}/m/hub: mapping 2 not planned: "
            ))
        })
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        hub_line.contains("; hint: ") && hub_line.contains("$HUB_CREDS"),
        "{hub_line}"
    );
    assert!(
        stdout.contains("sync: 0 copied, 2 skipped, 3 failed"),
        "{stdout}"
    );
    assert!(!text(&out).contains(secret), "{}", describe(&out));
}

#[test]
fn a_source_refusing_a_layer_mid_copy_gets_the_hint_of_its_credentials_block() {
    let src = Registry::start(Mode::Plain);
    let dst = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let image = family_image(&layout, "v0", 0);
    populate(&sb, &src, &layout, &[("v0", "app:v0", image.clone())], &[]);
    // The source answers the manifest and the config, then refuses a layer: the error names
    // both sides ("failed to copy blob … to DST: … SRC …").
    let layer = read_json_blob(&layout, &image)["layers"][1]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let proxy = FaultProxy::start(&src.host());
    proxy.add(
        "GET",
        &format!("/blobs/{layer}"),
        0,
        Fault::Unauthorized {
            challenge: "Basic realm=\"registry\"".into(),
        },
    );
    let (p, d) = (proxy.host(), dst.host());
    let cfg = write_config(
        &sb,
        "refused-layer.yaml",
        &format!(
            "registries:\n  {p}:\n    credentials:\n      env: HUB_CREDS\n\
             mappings:\n  - source: {p}/app\n    destination: {d}/m/app\n    tags: [v0]\n"
        ),
    );
    let secret = "refused-layer-secret";
    let creds = format!("{USER}:{secret}");
    let (out, doc) = sync(&sb, &cfg, &[("HUB_CREDS", &creds)], &["--retries", "0"]);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    let img = &images(&doc)[0];
    assert!(img["error"].as_str().unwrap().contains(&layer), "{img}");
    let hint = img["hint"].as_str().unwrap_or_default();
    assert!(hint.contains("$HUB_CREDS") && hint.contains(&p), "{img}");
    assert!(!hint.contains("imgctl login"), "{img}");
    let err = stderr(&out);
    assert!(
        err.contains("hint: ") && err.contains("$HUB_CREDS"),
        "{err}"
    );
    assert!(!text(&out).contains(secret), "{}", describe(&out));
    assert!(proxy.count("GET", &format!("/blobs/{layer}")) > 0);
}

/// Runs `imgctl --format json sync --shard K/N` for every shard as a separate process (one
/// after the other: distribution 2.8 races on concurrent first uploads of one blob) and
/// writes each report to `DIR/STEM-shard-K-of-N.json`; returns the paths and exit codes.
fn run_shards(sb: &Imgctl, cfg: &Path, n: usize, extra: &[&str]) -> Vec<(std::path::PathBuf, i32)> {
    (1..=n)
        .map(|k| {
            let shard = format!("{k}/{n}");
            let (out, doc) = sync(
                sb,
                cfg,
                &[],
                &[&["--shard", shard.as_str()], extra].concat(),
            );
            assert_eq!(doc["shard"], shard.as_str(), "{}", describe(&out));
            let path = sb.dir().join(format!(
                "{}-shard-{k}-of-{n}.json",
                cfg.file_stem().unwrap().to_string_lossy()
            ));
            std::fs::write(&path, &out.stdout).unwrap();
            (path, code(&out))
        })
        .collect()
}

/// `imgctl [--format FORMAT] sync --merge-reports FILES…`.
fn merge_reports(sb: &Imgctl, format: &str, files: &[&Path]) -> Output {
    sb.cmd()
        .args([
            "--format",
            format,
            "--progress",
            "none",
            "sync",
            "--merge-reports",
        ])
        .args(files)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn shard_reports_merge_into_the_report_of_the_whole_plan() {
    let w = small();
    let (s, d) = (w.src.host(), w.dst.host());
    let cfg = write_config(
        &w.sb,
        "merge.yaml",
        &format!(
            "mappings:\n  - source: {s}/app\n    destination: {d}/mm/app\n    tags: all\n  \
             - source: {s}/multi\n    destination: {d}/mm/multi\n    tags: all\n"
        ),
    );
    let (out, plan) = sync(&w.sb, &cfg, &[], &["--dry-run"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let planned: Vec<String> = images(&plan)
        .iter()
        .map(|i| i["destination"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(planned.len(), 8, "{plan}");

    // Three shards, separate processes; merged in another order.
    let shards = run_shards(&w.sb, &cfg, 3, &[]);
    assert!(shards.iter().all(|(_, c)| *c == 0), "{shards:?}");
    let files: Vec<&Path> = [2, 0, 1].iter().map(|&i| shards[i].0.as_path()).collect();
    let out = merge_reports(&w.sb, "json", &files);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let merged: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(merged["shard"], "merged");
    assert_eq!(merged["dryRun"], false);
    let sum = &merged["summary"];
    for (k, v) in [
        ("planned", 8),
        ("plannedTotal", 8),
        ("copied", 8),
        ("skipped", 0),
        ("failed", 0),
        ("unplanned", 0),
        ("notRun", 0),
    ] {
        assert_eq!(sum[k], v, "{k}: {sum}");
    }
    let shard_bytes: u64 = shards
        .iter()
        .map(|(p, _)| {
            let v: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
            v["summary"]["bytes"].as_u64().unwrap()
        })
        .sum();
    assert!(shard_bytes > 0);
    assert_eq!(sum["bytes"], shard_bytes, "{sum}");
    // Every planned image exactly once, in plan order, with the source's digest, which the
    // destination holds.
    let got: Vec<String> = images(&merged)
        .iter()
        .map(|i| i["destination"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, planned);
    for i in images(&merged) {
        let dest = i["destination"].as_str().unwrap();
        let repo_tag = dest.rsplit_once("/mm/").unwrap().1;
        let want = &w.source[repo_tag];
        assert_eq!(i["digest"], want.as_str(), "{i}");
        assert_eq!(i["action"], "copied", "{i}");
        assert_eq!(
            w.sb.run_ok(&["digest", &format!("docker://{dest}")]).trim(),
            want,
            "{dest}"
        );
    }

    // The text form: the lines and the summary of a run.
    let out = merge_reports(&w.sb, "text", &files);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = stdout(&out);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("copied ")).count(),
        8,
        "{text}"
    );
    assert!(
        text.contains("sync (merged shards): 8 copied, 0 skipped, 0 failed;"),
        "{text}"
    );

    // A second run skips everything; two shards now, one file each.
    let again = run_shards(&w.sb, &cfg, 2, &[]);
    let out = merge_reports(&w.sb, "json", &[&again[0].0, &again[1].0]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let merged: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(merged["summary"]["skipped"], 8, "{merged}");
    assert_eq!(merged["summary"]["bytes"], 0, "{merged}");

    // Inconsistent inputs are usage errors naming the files.
    let name = |p: &Path| p.display().to_string();
    let out = merge_reports(&w.sb, "json", &[files[0], files[0], files[1], files[2]]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains(&format!(
            "{} and {} are both shard 3/3",
            name(files[0]),
            name(files[0])
        )),
        "{}",
        describe(&out)
    );
    assert!(stdout(&out).is_empty(), "{}", describe(&out));
    let out = merge_reports(&w.sb, "json", &[files[0], files[1]]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains("no report of shard 2/3 (got 2 of 3)"),
        "{}",
        describe(&out)
    );
    let out = merge_reports(&w.sb, "json", &[&shards[0].0, &again[1].0]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains("different splits"),
        "{}",
        describe(&out)
    );
    let out = merge_reports(&w.sb, "json", &[&cfg, files[1]]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains(&format!("{} is not a sync report", name(&cfg))),
        "{}",
        describe(&out)
    );
    let out = merge_reports(&w.sb, "json", &[&w.sb.dir().join("absent.json")]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains("cannot read report"),
        "{}",
        describe(&out)
    );
    let out =
        w.sb.cmd()
            .args(["sync", "--merge-reports"])
            .arg(files[0])
            .arg("--shard")
            .arg("1/2")
            .output()
            .unwrap();
    assert_eq!(code(&out), 2, "{}", describe(&out));
    let out = w.sb.cmd().args(["sync"]).output().unwrap();
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stderr(&out).contains("<CONFIG>"), "{}", describe(&out));
}

#[test]
fn merged_reports_exit_8_and_count_an_unplanned_mapping_once() {
    let w = small();
    let (s, d) = (w.src.host(), w.dst.host());
    let cfg = write_config(
        &w.sb,
        "partial.yaml",
        &format!(
            "mappings:\n  - source: {s}/gone\n    destination: {d}/pm/gone\n    tags: all\n  \
             - source: {s}/app\n    destination: {d}/pm/app\n    tags: [v0, missing, v1, v2, v3]\n"
        ),
    );
    let shards = run_shards(&w.sb, &cfg, 2, &["--keep-going", "--retries", "0"]);
    assert!(shards.iter().all(|(_, c)| *c == 8), "{shards:?}");
    let files: Vec<&Path> = shards.iter().map(|(p, _)| p.as_path()).collect();
    let out = merge_reports(&w.sb, "json", &files);
    assert_eq!(code(&out), 8, "{}", describe(&out));
    assert!(
        stderr(&out).contains("error: 1 of 5 images failed; mapping 1 could not be planned"),
        "{}",
        describe(&out)
    );
    let merged: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sum = &merged["summary"];
    assert_eq!(
        (
            sum["planned"].as_u64(),
            sum["plannedTotal"].as_u64(),
            sum["copied"].as_u64(),
            sum["failed"].as_u64(),
            sum["unplanned"].as_u64()
        ),
        (Some(5), Some(5), Some(4), Some(2), Some(1)),
        "{sum}"
    );
    let entries: Vec<(String, String)> = images(&merged)
        .iter()
        .map(|i| {
            (
                i["destination"]
                    .as_str()
                    .unwrap()
                    .rsplit_once("/pm/")
                    .unwrap()
                    .1
                    .to_string(),
                i["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("gone", "failed"),
        ("app:missing", "failed"),
        ("app:v0", "copied"),
        ("app:v1", "copied"),
        ("app:v2", "copied"),
        ("app:v3", "copied"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(entries, want, "{merged}");
    for i in images(&merged).iter().filter(|i| i["action"] == "copied") {
        let tag = i["destination"]
            .as_str()
            .unwrap()
            .rsplit_once("/pm/")
            .unwrap()
            .1;
        assert_eq!(i["digest"], w.source[tag].as_str(), "{i}");
    }
}
