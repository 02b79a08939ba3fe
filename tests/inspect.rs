//! `inspect`, `digest`, `tags`, `catalog`, `delete`, `completion`, `man` from the CLI against the
//! real registry harness.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use std::path::Path;

use common::*;
use proxy::{Fault, FaultProxy};
use serde_json::Value;

fn push(sb: &Imgctl, layout: &Path, tag: &str, dest: &str, all: bool) {
    let mut a = vec!["--progress", "none", "copy"];
    if all {
        a.push("--all-platforms");
    }
    let src = format!("oci:{}:{tag}", layout.display());
    let dst = format!("docker://{dest}");
    a.push(&src);
    a.push(&dst);
    sb.run_ok(&a);
}

#[test]
fn inspect_image_and_index_from_the_registry() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let built = build_standard_image(&src, "v1");
    let index = build_index(&src, "multi", &["linux/amd64", "linux/arm/v7"]);
    push(&sb, &src, "v1", &reg.reference("app:v1"), false);
    push(&sb, &src, "v1", &reg.reference("app:v2"), false);
    push(&sb, &src, "multi", &reg.reference("app:multi"), true);
    let manifest = read_json_blob(&src, &built);
    let config_digest = manifest["config"]["digest"].as_str().unwrap();

    let v = json_out(&sb, &["inspect", &reg.reference("app:v1")]);
    assert_eq!(v["digest"], built.as_str());
    assert_eq!(v["mediaType"], MT_MANIFEST);
    assert_eq!(v["tags"], serde_json::json!(["multi", "v1", "v2"]));
    assert_eq!(v["created"], "2023-11-14T22:13:20Z");
    assert_eq!(v["os"], "linux");
    assert_eq!(v["architecture"], "amd64");
    assert_eq!(v["cmd"], serde_json::json!(["/bin/sh"]));
    assert!(v["env"][0].as_str().unwrap().starts_with("PATH="));
    let layers = v["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    assert_eq!(layers[0]["digest"], manifest["layers"][0]["digest"]);
    assert_eq!(layers[0]["size"], manifest["layers"][0]["size"]);
    assert_eq!(layers[0]["mediaType"], MT_LAYER_GZIP);

    let text = sb.run_ok(&["inspect", &format!("docker://{}", reg.reference("app:v1"))]);
    assert!(
        text.contains(&built) && text.contains("Layers:") && text.contains("v2"),
        "{text}"
    );

    // --raw is the exact bytes; --config the config blob.
    let raw = sb
        .cmd()
        .args(["inspect", "--raw", &reg.reference("app:v1")])
        .output()
        .unwrap();
    assert!(raw.status.success());
    assert_eq!(raw.stdout, read_blob(&src, &built));
    let cfg = sb
        .cmd()
        .args(["inspect", "--config", &reg.reference("app:v1")])
        .output()
        .unwrap();
    assert_eq!(cfg.stdout, read_blob(&src, config_digest));

    // --layers: the history with each step's layer.
    let h = json_out(&sb, &["inspect", "--layers", &reg.reference("app:v1")]);
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[1]["createdBy"], "imgctl test layer 1");
    assert_eq!(h[1]["digest"], manifest["layers"][1]["digest"]);
    assert_eq!(h[0]["emptyLayer"], false);

    // An index: its platforms and their digests; --platform descends.
    let v = json_out(&sb, &["inspect", &reg.reference("app:multi")]);
    assert_eq!(v["digest"], index.as_str());
    let plats: Vec<&str> = v["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["platform"].as_str().unwrap())
        .collect();
    assert_eq!(plats, ["linux/amd64", "linux/arm/v7"]);
    let v = json_out(
        &sb,
        &[
            "inspect",
            "--platform",
            "linux/arm/v7",
            &reg.reference("app:multi"),
        ],
    );
    assert_eq!(v["architecture"], "arm");
    assert_eq!(v["variant"], "v7");
    assert_eq!(v["platform"], "linux/arm/v7");

    // digest agrees with skopeo, for the registry and the layout.
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("app:multi")),
        &reg.skopeo_flags("", None),
    );
    assert_eq!(
        sb.run_ok(&["digest", &reg.reference("app:multi")]).trim(),
        d
    );
    assert_eq!(
        sb.run_ok(&["digest", &format!("oci:{}:v1", src.display())])
            .trim(),
        built
    );
}

#[test]
fn inspect_reads_schema1_but_copy_refuses_it_clearly() {
    let bytes = std::fs::read(fixture_path(
        "manifests/docker-schema1-unsigned-mitr-busybox.json",
    ))
    .unwrap();
    let sb = Imgctl::new();
    let lay = sb.dir().join("s1");
    init_layout(&lay);
    let desc = write_blob(
        &lay,
        "application/vnd.docker.distribution.manifest.v1+json",
        &bytes,
    );
    tag_descriptor(&lay, "old", desc);
    let loc = format!("oci:{}:old", lay.display());
    let v = json_out(&sb, &["inspect", &loc]);
    assert_eq!(
        v["digest"],
        "sha256:7364fea9d84ee548ab67d4c46c6006289800c98de3fbf8c0a97138dfcc23f000"
    );
    assert_eq!(v["schema1"]["name"], "mitr/busybox");
    assert_eq!(v["layers"].as_array().unwrap().len(), 3);
    let out = sb.run(&[
        "--progress",
        "none",
        "copy",
        &loc,
        &format!("oci-archive:{}", sb.dir().join("x.tar").display()),
    ]);
    assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    assert!(stderr(&out).contains("schema 1"));
    assert!(!sb.dir().join("x.tar").exists());
}

#[test]
fn tags_catalog_and_delete_with_token_auth() {
    let reg = Registry::start(Mode::Token);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let built = build_standard_image(&src, "v1");
    let creds = format!("{USER}:{PASSWORD}");
    for r in ["team/one:a", "team/one:b", "two:x"] {
        sb.run_ok(&[
            "--progress",
            "none",
            "--creds",
            &creds,
            "copy",
            &format!("oci:{}:v1", src.display()),
            &format!("docker://{}", reg.reference(r)),
        ]);
    }
    let tags = sb.run_ok(&["--creds", &creds, "tags", &reg.reference("team/one")]);
    let mut tags: Vec<&str> = tags.lines().collect();
    tags.sort();
    assert_eq!(tags, ["a", "b"]);

    let v = json_out(&sb, &["--creds", &creds, "catalog", &reg.host()]);
    assert_eq!(v["repositories"], serde_json::json!(["team/one", "two"]));
    // The catalog needs registry:catalog:*; the reader may not list it, and is told so.
    let out = sb.run(&[
        "--creds",
        &format!("{READER_USER}:{READER_PASSWORD}"),
        "catalog",
        &reg.host(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("hint: check the credentials"), "{err}");
    assert!(err.contains("registry:catalog:*"), "{err}");
    // Anonymous (no credentials anywhere): the hint is to log in, not a permission.
    let login = format!("imgctl login {}", reg.host());
    for args in [
        ["catalog", &reg.host()],
        ["tags", &reg.reference("team/one")],
        ["digest", &reg.reference("team/one:a")],
    ] {
        let out = sb.run(&args);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", describe(&out));
        let err = stderr(&out);
        let hint = err.lines().find(|l| l.starts_with("hint:")).unwrap_or("");
        assert!(
            hint.contains("no credentials were sent") && hint.contains(&login),
            "{args:?}: {err}"
        );
        assert!(!hint.contains("registry:catalog"), "{args:?}: {err}");
    }

    // delete by tag: resolved to the digest, with a warning; the other tag goes too.
    let out = sb.run(&["--creds", &creds, "delete", &reg.reference("team/one:a")]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), built);
    assert!(stderr(&out).contains("every tag"));
    for t in ["team/one:a", "team/one:b"] {
        let out = sb.run(&["--creds", &creds, "digest", &reg.reference(t)]);
        assert_eq!(out.status.code(), Some(4), "{t}: {}", describe(&out));
    }
    // The other repository is untouched.
    assert_eq!(
        sb.run_ok(&["--creds", &creds, "digest", &reg.reference("two:x")])
            .trim(),
        built
    );
    // Deleting again: not found.
    let out = sb.run(&[
        "--creds",
        &creds,
        "delete",
        &format!("{}@{built}", reg.reference("two")),
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = sb.run(&[
        "--creds",
        &creds,
        "delete",
        &format!("{}@{built}", reg.reference("two")),
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
}

#[test]
fn tags_and_catalog_follow_link_pagination_across_pages() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    build_standard_image(&src, "v1");
    let repos = ["alpha", "bravo", "charlie", "delta", "echo"];
    for r in repos {
        push(&sb, &src, "v1", &reg.reference(&format!("{r}:t1")), false);
    }
    let tags: Vec<String> = (1..=7).map(|i| format!("t{i}")).collect();
    let mut args = vec![
        "--progress".to_string(),
        "none".to_string(),
        "tag".to_string(),
        format!("docker://{}", reg.reference("alpha:t1")),
    ];
    args.extend(tags[1..].iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    sb.run_ok(&args);

    // distribution lists tags in storage (directory) order, in one page.
    let whole = json_out(&sb, &["tags", &reg.reference("alpha")])["tags"].clone();
    let order: Vec<String> = serde_json::from_value(whole.clone()).unwrap();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(sorted, tags);

    // tags/list: distribution ignores `n` and sends everything; the proxy pages it by 3
    // (3 pages: 3 + 3 + 1), with relative and then absolute Link targets.
    let proxy = FaultProxy::start(&reg.host());
    for absolute in [false, true] {
        proxy.clear();
        proxy.clear_seen();
        proxy.add(
            "GET",
            "/tags/list",
            0,
            Fault::Paginate { page: 3, absolute },
        );
        let v = json_out(&sb, &["tags", &proxy.reference("alpha")]);
        assert_eq!(v["tags"], whole, "absolute={absolute}");
        let pages: Vec<String> = proxy
            .seen()
            .into_iter()
            .filter(|r| r.path.contains("/tags/list"))
            .map(|r| r.path)
            .collect();
        assert_eq!(
            pages,
            [
                "/v2/alpha/tags/list".to_string(),
                format!("/v2/alpha/tags/list?last={}&n=3", order[2]),
                format!("/v2/alpha/tags/list?last={}&n=3", order[5]),
            ],
            "absolute={absolute}"
        );
    }
    // --page-size is sent as `n` (the text output lists every tag, one a line).
    proxy.clear_seen();
    let out = sb.run_ok(&["tags", "--page-size", "3", &proxy.reference("alpha")]);
    assert_eq!(out.lines().collect::<Vec<_>>(), order);
    assert_eq!(proxy.count("GET", "/v2/alpha/tags/list?n=3"), 1);
    assert_eq!(proxy.count("GET", "/v2/alpha/tags/list"), 3);
    // A Link to another host is not followed (credentials stay with the registry).
    proxy.clear();
    proxy.add(
        "GET",
        "/tags/list",
        0,
        Fault::Rewrite {
            status: None,
            set: vec![(
                "link",
                "<http://127.0.0.2:9/v2/alpha/tags/list?last=t1>; rel=\"next\"".into(),
            )],
            remove: vec![],
        },
    );
    let out = sb.run(&["tags", &proxy.reference("alpha")]);
    assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    assert!(stderr(&out).contains("another host"));

    // _catalog: distribution 2.8 itself pages when asked for `n` (relative Link targets).
    let before = reg.access_log().len();
    let v = json_out(&sb, &["catalog", "--page-size", "2", &reg.host()]);
    assert_eq!(v["repositories"], serde_json::json!(repos));
    let catalog: Vec<String> = reg.access_log()[before..]
        .iter()
        .filter(|e| e.path.starts_with("/v2/_catalog"))
        .map(|e| e.path.clone())
        .collect();
    assert_eq!(
        catalog,
        [
            "/v2/_catalog?n=2",
            "/v2/_catalog?last=bravo&n=2",
            "/v2/_catalog?last=delta&n=2"
        ]
    );
    // The default page size (1000) gets them in one request.
    let before = reg.access_log().len();
    let out = sb.run_ok(&["catalog", &reg.host()]);
    assert_eq!(out.lines().collect::<Vec<_>>(), repos);
    let catalog: Vec<_> = reg.access_log()[before..]
        .iter()
        .filter(|e| e.path.starts_with("/v2/_catalog"))
        .map(|e| e.path.clone())
        .collect();
    assert_eq!(catalog, ["/v2/_catalog?n=1000"]);
    // Absolute Link targets in the catalog too.
    proxy.clear();
    proxy.clear_seen();
    proxy.add(
        "GET",
        "/_catalog",
        0,
        Fault::Paginate {
            page: 2,
            absolute: true,
        },
    );
    let v = json_out(&sb, &["catalog", &proxy.host()]);
    assert_eq!(v["repositories"], serde_json::json!(repos));
    assert_eq!(proxy.count("GET", "/v2/_catalog"), 3);
    // A registry refusing the page size (distribution 3 over catalog.maxentries) is asked
    // again without `n`.
    proxy.clear();
    proxy.clear_seen();
    proxy.add(
        "GET",
        "/v2/_catalog?n=1000",
        1,
        Fault::Respond {
            status: 400,
            body: r#"{"errors":[{"code":"PAGINATION_NUMBER_INVALID","message":"invalid number of results requested"}]}"#.into(),
            content_type: "application/json",
            retry_after: None,
        },
    );
    let v = json_out(&sb, &["catalog", &proxy.host()]);
    assert_eq!(v["repositories"], serde_json::json!(repos));
    let paths: Vec<String> = proxy.seen().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/v2/", "/v2/_catalog?n=1000", "/v2/_catalog"]);
}

#[test]
fn delete_on_a_registry_with_deletion_disabled_says_so() {
    let reg = Registry::start_with(
        Mode::Plain,
        StartOptions {
            delete_disabled: true,
            ..StartOptions::default()
        },
    );
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let built = build_standard_image(&src, "v1");
    push(&sb, &src, "v1", &reg.reference("app:v1"), false);
    for r in [
        reg.reference("app:v1"),
        format!("{}@{built}", reg.reference("app")),
    ] {
        let out = sb.run(&["delete", &r]);
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        let err = stderr(&out);
        assert!(
            err.contains("does not allow deleting manifests")
                && err.contains("405")
                && err.contains("UNSUPPORTED"),
            "{err}"
        );
        assert!(
            err.contains("hint: deletion must be enabled on the registry")
                && err.contains("storage.delete.enabled"),
            "{err}"
        );
        assert!(out.stdout.is_empty(), "{}", describe(&out));
    }
    // Nothing was deleted.
    assert_eq!(
        sb.run_ok(&["digest", &reg.reference("app:v1")]).trim(),
        built
    );
}

#[test]
fn completion_and_man_commands_generate() {
    let sb = Imgctl::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = sb.run_ok(&["completion", shell]);
        assert!(out.contains("imgctl") && out.contains("inspect"), "{shell}");
    }
    let dir = sb.dir().join("man");
    sb.run_ok(&["man", "--dir", dir.to_str().unwrap()]);
    let page = std::fs::read_to_string(dir.join("imgctl-inspect.1")).unwrap();
    assert!(
        page.starts_with(".ie") && page.contains("\\-\\-raw"),
        "{page}"
    );
    assert!(dir.join("imgctl.1").is_file());
}

/// A Docker 25+ `docker save` keeps the whole index but only the saved platform's image:
/// inspect says which children the archive really holds.
#[test]
fn inspect_marks_index_children_absent_from_an_archive() {
    let archive = fixture_path("archives/docker-save-v25-containerd-alpine-3.20.3.tar");
    let sb = Imgctl::new();
    let loc = format!("docker-archive:{}", archive.display());
    let doc: Value =
        serde_json::from_str(&sb.run_ok(&["--format", "json", "inspect", &loc])).unwrap();
    let platforms = doc["platforms"].as_array().unwrap();
    assert_eq!(platforms.len(), 8, "{doc}");
    let present: Vec<&str> = platforms
        .iter()
        .filter(|p| p["present"] == true)
        .map(|p| p["platform"].as_str().unwrap())
        .collect();
    assert_eq!(present, ["linux/amd64"], "{doc}");
    let text = sb.run_ok(&["inspect", &loc]);
    assert_eq!(text.matches("(not in this location)").count(), 7, "{text}");
    // A registry location is not probed child by child: "present" is null there.
    let reg = Registry::start(Mode::Plain);
    let src = sb.dir().join("idx");
    build_index(&src, "multi", &["linux/amd64", "linux/arm64"]);
    sb.run_ok(&[
        "-q",
        "copy",
        "--all",
        &format!("oci:{}:multi", src.display()),
        &reg.reference("multi:1"),
    ]);
    let doc: Value = serde_json::from_str(&sb.run_ok(&[
        "--format",
        "json",
        "inspect",
        &reg.reference("multi:1"),
    ]))
    .unwrap();
    let entries = doc["platforms"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{doc}");
    assert!(entries.iter().all(|e| e["present"].is_null()), "{doc}");
    // The same index in a layout: every child is there.
    let doc: Value = serde_json::from_str(&sb.run_ok(&[
        "--format",
        "json",
        "inspect",
        &format!("oci:{}:multi", src.display()),
    ]))
    .unwrap();
    assert!(
        doc["platforms"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["present"] == true),
        "{doc}"
    );
}

/// A command whose registry requests all fail as offline: every HTTPS request goes through a
/// proxy whose host name does not resolve (`.invalid` never does, RFC 6761).
fn offline(sb: &Imgctl, args: &[&str]) -> std::process::Output {
    let proxy = "http://proxy.invalid:3128";
    sb.cmd()
        .args(["--retries", "0"])
        .args(args)
        .env("HTTPS_PROXY", proxy)
        .env("https_proxy", proxy)
        .env("ALL_PROXY", proxy)
        .env("all_proxy", proxy)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn inspect_and_digest_of_a_bare_name_show_the_store_image_the_store_has() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let in_registry = build_standard_image(&src, "v1");
    let in_store = build_random_image(&src, "other", 1, 1000, 7);
    assert_ne!(in_registry, in_store);
    let r = reg.reference("app:1");
    push(&sb, &src, "v1", &r, false);
    // The store holds another image under the same name.
    let lay = format!("oci:{}:other", src.display());
    sb.run_ok(&["-q", "copy", &lay, &format!("store:{r}")]);

    // A bare name the store has: the store's image, with a note naming docker:// for the registry.
    let note = format!("note: {r} from the local store; docker://{r} for the registry");
    for cmd in ["inspect", "digest"] {
        let out = sb.run(&["--format", "json", cmd, &r]);
        assert!(out.status.success(), "{}", describe(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["digest"], in_store.as_str(), "{cmd}: {v}");
        let err = stderr(&out);
        assert!(err.contains(&note), "{cmd}: {err}");
    }
    let v = json_out(&sb, &["inspect", &r]);
    assert_eq!(v["name"], format!("{r} (local store)"));
    assert_eq!(v["tags"], Value::Null, "{v}");
    // -q keeps the result and drops the note.
    let out = sb.run(&["-q", "digest", &r]);
    assert_eq!(stdout(&out).trim(), in_store);
    assert_eq!(stderr(&out), "", "{}", describe(&out));
    // docker://NAME is the registry's image, as is a bare name the store lacks.
    assert_eq!(
        sb.run_ok(&["digest", &format!("docker://{r}")]).trim(),
        in_registry
    );
    let v = json_out(&sb, &["inspect", &format!("docker://{r}")]);
    assert_eq!(v["digest"], in_registry.as_str());
    assert_eq!(v["tags"], serde_json::json!(["1"]));
    push(&sb, &src, "v1", &reg.reference("app:2"), false);
    let out = sb.run(&["digest", &reg.reference("app:2")]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), in_registry);
    assert!(!stderr(&out).contains("note:"));

    // Offline: a Docker Hub name the store has needs no network at all.
    sb.run_ok(&["-q", "copy", &lay, "store:alpine:3.20"]);
    let out = offline(&sb, &["digest", "alpine:3.20"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), in_store);
    assert!(
        stderr(&out).contains(
            "note: docker.io/library/alpine:3.20 from the local store; docker://alpine:3.20 for the registry"
        ),
        "{}",
        describe(&out)
    );
    // One it lacks goes to Docker Hub, which cannot be found: the hint does not blame the
    // registry name the user never typed.
    for args in [
        &["inspect", "alpine:3.19"][..],
        &["digest", "docker://alpine:3.20"],
    ] {
        let out = offline(&sb, args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(6), "{args:?}: {}", describe(&out));
        assert!(err.contains("registry-1.docker.io"), "{args:?}: {err}");
        assert!(!err.contains("check the registry name"), "{args:?}: {err}");
        assert!(
            err.contains(
                "hint: no host named registry-1.docker.io was found (Docker Hub): check the network"
            ),
            "{args:?}: {err}"
        );
    }
}
