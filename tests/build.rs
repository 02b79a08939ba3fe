//! `imgctl build` against the real registry: the training deck's Dockerfile over a generated
//! `published/` folder (into the store, then login/push/pull as the README's workflow),
//! `--push` in Bearer-token mode with the base layers mounted (none uploaded), a multi-platform
//! build over a base index sharing one app layer, a multi-stage build from scratch with
//! `--target`, `COPY --from`, `.dockerignore`, `-f -` and `--output oci:`, reproducible digests
//! with SOURCE_DATE_EPOCH, and refusals (RUN, a missing base, a source outside the context)
//! with nothing written. Peers: `skopeo inspect --config` reads the config, `umoci unpack`
//! the files.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;
#[path = "build/semantics.rs"]
mod semantics;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn json_out(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// `skopeo inspect --config` of `image` for linux/`arch`.
fn config(image: &str, flags: &[String], arch: &str) -> Value {
    let mut args: Vec<String> = vec![
        "--override-arch".into(),
        arch.into(),
        "--override-os".into(),
        "linux".into(),
        "inspect".into(),
        "--config".into(),
    ];
    args.extend(flags.iter().cloned());
    args.push(image.into());
    json_out(&skopeo_ok(&args))
}

fn raw(image: &str, flags: &[String]) -> Value {
    serde_json::from_slice(&skopeo_raw_manifest(image, flags).0).unwrap()
}

/// `umoci unpack`s `layout:tag` into `bundle`; returns the rootfs path.
fn unpack(layout: &Path, tag: &str, bundle: &Path) -> PathBuf {
    let image = format!("{}:{tag}", layout.display());
    let o = umoci(&["unpack", "--image", &image, bundle.to_str().unwrap()]);
    assert!(o.status.success(), "umoci unpack failed: {}", describe(&o));
    bundle.join("rootfs")
}

/// The deck's Dockerfile over base `base`.
fn deck_dockerfile(base: &str) -> String {
    format!(
        "FROM {base}\nCOPY ./published /app\nWORKDIR /app\nEXPOSE 5000/tcp\n\
         ENV ASPNETCORE_URLS http://*:5000\nENTRYPOINT [\"dotnet\", \"test.dll\"]\n"
    )
}

/// A build context with `Dockerfile` and a generated `published/` folder (a DLL-like binary,
/// a config file, an executable script, a subdirectory and a symlink).
fn deck_context(dir: &Path, dockerfile: &str) -> PathBuf {
    let ctx = dir.join("ctx");
    let p = ctx.join("published");
    std::fs::create_dir_all(p.join("wwwroot/css")).unwrap();
    std::fs::write(ctx.join("Dockerfile"), dockerfile).unwrap();
    std::fs::write(p.join("test.dll"), random_bytes(300_000, 11)).unwrap();
    std::fs::write(p.join("appsettings.json"), "{\"Logging\":{}}\n").unwrap();
    std::fs::write(p.join("run.sh"), "#!/bin/sh\nexec dotnet test.dll\n").unwrap();
    std::fs::set_permissions(p.join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(p.join("wwwroot/css/site.css"), "body{margin:0}\n").unwrap();
    std::os::unix::fs::symlink("appsettings.json", p.join("settings.json")).unwrap();
    ctx
}

/// Requests of `method` to blob upload URLs in the registry's access log.
fn uploads(reg: &Registry) -> usize {
    reg.access_log()
        .iter()
        .filter(|e| {
            e.path.contains("/blobs/uploads/") && matches!(e.method.as_str(), "PUT" | "PATCH")
        })
        .count()
}

#[test]
fn the_deck_workflow_build_login_push_pull_gives_the_expected_config_and_files() {
    let reg = Registry::start(Mode::Plain);
    let flags = reg.skopeo_flags("", None);
    let sb = Imgctl::new();
    let base_layout = sb.dir().join("base");
    build_standard_image(&base_layout, "8.0");
    let base = reg.reference("dotnet/aspnet:8.0");
    sb.run_ok(&["copy", &format!("oci:{}:8.0", base_layout.display()), &base]);
    let ctx = deck_context(sb.dir(), &deck_dockerfile(&base));
    let app = reg.reference("app:1");

    // build → the local store; stdout is the digest; one step line per instruction on stderr.
    let out = sb
        .cmd()
        .args(["--progress", "plain", "build", "-t", &app])
        .arg(&ctx)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let digest = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(digest.starts_with("sha256:"), "{digest}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("STEP 1/6: FROM"), "{err}");
    assert!(err.contains("STEP 6/6: ENTRYPOINT"), "{err}");
    // Each instruction as written, not its history text (`EXPOSE map[5000/tcp:{}]`).
    for step in [
        "STEP 2/6: COPY ./published /app\n",
        "STEP 4/6: EXPOSE 5000/tcp\n",
        "STEP 5/6: ENV ASPNETCORE_URLS http://*:5000\n",
        "STEP 6/6: ENTRYPOINT [\"dotnet\", \"test.dll\"]\n",
    ] {
        assert!(err.contains(step), "{step}: {err}");
    }
    // Nothing was pushed by the build itself.
    assert!(
        !reg.access_log().iter().any(|e| e.path.contains("/v2/app/")),
        "build without --push talked to the destination repository"
    );

    // push → the registry has the same digest; pull works.
    let pushed = sb.run_ok(&["push", &app]);
    assert_eq!(pushed.trim(), digest);
    let c = config(&format!("docker://{app}"), &flags, "amd64");
    let cfg = &c["config"];
    assert_eq!(cfg["WorkingDir"], "/app");
    assert_eq!(cfg["Entrypoint"], serde_json::json!(["dotnet", "test.dll"]));
    assert!(
        cfg["Cmd"].is_null(),
        "ENTRYPOINT resets the base's CMD: {cfg}"
    );
    assert!(cfg["ExposedPorts"]["5000/tcp"].is_object(), "{cfg}");
    let env: Vec<&str> = cfg["Env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(env.contains(&"ASPNETCORE_URLS=http://*:5000"), "{env:?}");
    assert!(
        env.iter().any(|e| e.starts_with("PATH=")),
        "the base's PATH is inherited: {env:?}"
    );
    let diff_ids = c["rootfs"]["diff_ids"].as_array().unwrap();
    assert_eq!(diff_ids.len(), 3, "two base layers and the COPY layer");
    let history = c["history"].as_array().unwrap();
    assert_eq!(
        history.len(),
        2 + 5,
        "base history plus one entry per instruction"
    );
    let non_empty = history
        .iter()
        .filter(|h| h["empty_layer"].as_bool() != Some(true))
        .count();
    assert_eq!(non_empty, diff_ids.len(), "history names each layer once");
    let m = raw(&format!("docker://{app}"), &flags);
    assert_eq!(m["layers"].as_array().unwrap().len(), 3);

    let pull = sb.run_ok(&["pull", &app]);
    assert_eq!(pull.trim(), digest);
    let layout = sb.dir().join("pulled");
    sb.run_ok(&["copy", &app, &format!("oci:{}:1", layout.display())]);
    let root = unpack(&layout, "1", &sb.dir().join("bundle"));
    assert_eq!(
        std::fs::read(root.join("app/test.dll")).unwrap(),
        random_bytes(300_000, 11)
    );
    assert_eq!(
        std::fs::read_to_string(root.join("app/wwwroot/css/site.css")).unwrap(),
        "body{margin:0}\n"
    );
    let mode = std::fs::metadata(root.join("app/run.sh"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755);
    assert_eq!(
        std::fs::read_link(root.join("app/settings.json")).unwrap(),
        PathBuf::from("appsettings.json")
    );
    // The base's files are there too (its layers were referenced, not rebuilt).
    assert_eq!(
        std::fs::read_to_string(root.join("etc/hostname")).unwrap(),
        "imgctl-test\n"
    );
}

#[test]
fn build_push_in_token_mode_mounts_the_base_layers_and_reports_the_document() {
    let reg = Registry::start(Mode::Token);
    let flags = reg.skopeo_flags("", Some((USER, PASSWORD)));
    let sb = Imgctl::new();
    let creds = format!("{USER}:{PASSWORD}");
    let base_layout = sb.dir().join("base");
    build_standard_image(&base_layout, "8.0");
    let base = reg.reference("dotnet/aspnet:8.0");
    sb.run_ok(&[
        "--creds",
        &creds,
        "copy",
        &format!("oci:{}:8.0", base_layout.display()),
        &base,
    ]);
    let ctx = deck_context(sb.dir(), &deck_dockerfile(&base));
    let app = reg.reference("team/app:1");
    let before = uploads(&reg);
    let out = sb.run_ok(&[
        "--creds",
        &creds,
        "--format",
        "json",
        "build",
        "--push",
        "-t",
        &app,
        "--label",
        "org.opencontainers.image.version=1",
        ctx.to_str().unwrap(),
    ]);
    let doc = json_out(&out);
    let digest = doc["digest"].as_str().unwrap();
    assert_eq!(
        doc["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(doc["tags"], serde_json::json!([app]));
    assert_eq!(doc["platforms"], serde_json::json!(["linux/amd64"]));
    let layers = doc["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 3);
    assert_eq!(layers[2]["createdBy"], "COPY ./published /app # buildkit");
    let blobs = &doc["blobs"];
    assert_eq!(
        blobs["mounted"], 2,
        "the base's two layers are mounted: {doc}"
    );
    assert_eq!(blobs["uploaded"], 2, "the COPY layer and the config: {doc}");
    // Exactly those two blobs crossed: one upload session each (POST + PUT, monolithic or
    // chunked), none for the base layers.
    let crossed = uploads(&reg) - before;
    assert!((2..=4).contains(&crossed), "{crossed} upload requests");
    let m = raw(&format!("docker://{app}"), &flags);
    assert_eq!(
        format!(
            "sha256:{}",
            sha256_hex(&skopeo_raw_manifest(&format!("docker://{app}"), &flags).0)
        ),
        digest
    );
    assert_eq!(m["layers"][2]["digest"], layers[2]["digest"]);
    let c = config(&format!("docker://{app}"), &flags, "amd64");
    assert_eq!(
        c["config"]["Labels"]["org.opencontainers.image.version"],
        "1"
    );
}

fn sha256_hex(b: &[u8]) -> String {
    sha256_digest(b).trim_start_matches("sha256:").to_string()
}

#[test]
fn multi_platform_build_over_a_base_index_shares_the_app_layer_and_pushes_an_index() {
    let reg = Registry::start(Mode::Plain);
    let flags = reg.skopeo_flags("", None);
    let sb = Imgctl::new();
    let base_layout = sb.dir().join("base");
    build_index(
        &base_layout,
        "1",
        &["linux/amd64", "linux/arm64", "linux/s390x"],
    );
    let base = reg.reference("lib/base:1");
    sb.run_ok(&[
        "copy",
        "--all",
        &format!("oci:{}:1", base_layout.display()),
        &base,
    ]);
    let ctx = deck_context(
        sb.dir(),
        &format!("FROM {base}\nARG TARGETARCH\nCOPY published/ /srv/\nENV ARCH=$TARGETARCH\n"),
    );
    let app = reg.reference("app:multi");
    let doc = json_out(&sb.run_ok(&[
        "--format",
        "json",
        "build",
        "--platform",
        "linux/amd64,linux/arm64",
        "--push",
        "-t",
        &app,
        ctx.to_str().unwrap(),
    ]));
    assert_eq!(doc["mediaType"], "application/vnd.oci.image.index.v1+json");
    assert_eq!(
        doc["platforms"],
        serde_json::json!(["linux/amd64", "linux/arm64"])
    );
    let index = raw(&format!("docker://{app}"), &flags);
    let entries = index["manifests"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let mut app_layers = Vec::new();
    for (e, arch) in entries.iter().zip(["amd64", "arm64"]) {
        assert_eq!(e["platform"]["architecture"], arch);
        let child = raw(
            &format!(
                "docker://{}@{}",
                reg.reference("app"),
                e["digest"].as_str().unwrap()
            ),
            &flags,
        );
        let layers = child["layers"].as_array().unwrap();
        assert_eq!(
            layers.len(),
            2,
            "the platform's base layer and the app layer"
        );
        app_layers.push(layers[1]["digest"].clone());
        let c = config(&format!("docker://{app}"), &flags, arch);
        assert_eq!(c["architecture"], arch);
        let env = c["config"]["Env"].as_array().unwrap();
        assert!(
            env.contains(&Value::from(format!("ARCH={arch}"))),
            "{env:?}"
        );
    }
    assert_eq!(
        app_layers[0], app_layers[1],
        "one app layer blob for both platforms"
    );
    // A platform the base lacks is a clear not-found error, and nothing is pushed.
    let out = sb.run(&[
        "build",
        "--platform",
        "linux/ppc64le",
        "--push",
        "-t",
        &reg.reference("app:ppc"),
        ctx.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("linux/ppc64le"),
        "{}",
        describe(&out)
    );
}

#[test]
fn multi_stage_from_scratch_with_target_dockerignore_stdin_and_oci_output() {
    let sb = Imgctl::new();
    let ctx = sb.dir().join("ctx");
    std::fs::create_dir_all(ctx.join("bin")).unwrap();
    std::fs::write(ctx.join("bin/server"), random_bytes(50_000, 3)).unwrap();
    std::fs::set_permissions(
        ctx.join("bin/server"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::write(ctx.join("bin/secret.key"), "do not ship\n").unwrap();
    std::fs::write(
        ctx.join("config.tar"),
        build_tar(&[
            TarEntry::dir("conf"),
            TarEntry::file("conf/app.ini", "[app]\nport=8080\n"),
        ]),
    )
    .unwrap();
    std::fs::write(ctx.join(".dockerignore"), "**/*.key\n").unwrap();
    let dockerfile = "\
# syntax=docker/dockerfile:1
ARG VERSION=0.1
FROM scratch AS build
COPY --chmod=0700 bin/ /out/bin/
ADD config.tar /out/
FROM scratch AS runtime
ARG VERSION
LABEL org.opencontainers.image.version=$VERSION
COPY --from=build --chown=1000:1000 /out/ /
USER 1000
WORKDIR /srv
CMD server --port 8080
FROM runtime AS debug
ENV DEBUG=1
";
    let layout = sb.dir().join("out");
    let iid = sb.dir().join("iid");
    let o = run_with_stdin(
        sb.cmd(),
        &[
            "build",
            "-f",
            "-",
            "--target",
            "runtime",
            "--build-arg",
            "VERSION=2.0",
            "--output",
            &format!("oci:{}:rt", layout.display()),
            "--iidfile",
            iid.to_str().unwrap(),
            ctx.to_str().unwrap(),
        ],
        Some(dockerfile),
    );
    assert!(o.status.success(), "{}", describe(&o));
    let digest = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert_eq!(std::fs::read_to_string(&iid).unwrap(), digest);
    let stat = umoci_stat(&layout, "rt");
    let history = stat["history"].as_array().unwrap();
    assert!(
        !history
            .iter()
            .any(|h| h["created_by"].as_str().unwrap_or("").contains("DEBUG")),
        "--target stops at runtime"
    );
    let root = unpack(&layout, "rt", &sb.dir().join("bundle"));
    assert_eq!(
        std::fs::read(root.join("bin/server")).unwrap(),
        random_bytes(50_000, 3)
    );
    assert!(
        !root.join("bin/secret.key").exists(),
        ".dockerignore excludes *.key"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("conf/app.ini")).unwrap(),
        "[app]\nport=8080\n"
    );
    let mode = std::fs::metadata(root.join("bin/server"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o700,
        "--chmod of the build stage survives COPY --from"
    );
    let blob = |d: &str| read_json_blob(&layout, d);
    let index = read_index_json(&layout);
    let manifest = blob(index["manifests"][0]["digest"].as_str().unwrap());
    assert_eq!(index["manifests"][0]["digest"], digest);
    assert_eq!(
        manifest["layers"].as_array().unwrap().len(),
        2,
        "the runtime stage's COPY, and WORKDIR /srv creating its directory (scratch has none)"
    );
    let srv = std::fs::metadata(root.join("srv")).unwrap();
    assert!(srv.is_dir());
    assert_eq!(srv.permissions().mode() & 0o777, 0o755);
    let c = blob(manifest["config"]["digest"].as_str().unwrap());
    let hist: Vec<(String, bool)> = c["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["created_by"].as_str().unwrap().to_string(),
                h["empty_layer"].as_bool() == Some(true),
            )
        })
        .collect();
    assert!(
        hist.contains(&("WORKDIR /srv".to_string(), false)),
        "{hist:?}"
    );
    assert!(hist.contains(&("USER 1000".to_string(), true)), "{hist:?}");
    assert_eq!(c["rootfs"]["diff_ids"].as_array().unwrap().len(), 2);
    assert_eq!(c["config"]["User"], "1000");
    assert_eq!(c["config"]["WorkingDir"], "/srv");
    assert_eq!(
        c["config"]["Cmd"],
        serde_json::json!(["/bin/sh", "-c", "server --port 8080"])
    );
    assert_eq!(
        c["config"]["Labels"]["org.opencontainers.image.version"],
        "2.0"
    );
    // Owners: the layer's tar headers carry 1000:1000 (umoci --rootless maps them away).
    let layer = read_blob(&layout, manifest["layers"][0]["digest"].as_str().unwrap());
    let mut a = tar::Archive::new(flate2::read::GzDecoder::new(&layer[..]));
    for e in a.entries().unwrap() {
        let e = e.unwrap();
        let path = e.path().unwrap().to_string_lossy().into_owned();
        if path.starts_with("bin/") || path.starts_with("conf/") {
            assert_eq!(
                (e.header().uid().unwrap(), e.header().gid().unwrap()),
                (1000, 1000),
                "{path}"
            );
        }
    }
}

#[test]
fn source_date_epoch_gives_the_same_digest_after_touch() {
    let sb = Imgctl::new();
    let ctx = deck_context(
        sb.dir(),
        "FROM scratch\nCOPY published /app\nCMD [\"/app/run.sh\"]\n",
    );
    let build = || {
        let o = sb
            .cmd()
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args(["build", "--platform", "linux/amd64"])
            .arg(&ctx)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", describe(&o));
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    let first = build();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let f = std::fs::File::options()
        .append(true)
        .open(ctx.join("published/test.dll"))
        .unwrap();
    f.set_modified(std::time::SystemTime::now()).unwrap();
    assert_eq!(
        build(),
        first,
        "touch does not change a SOURCE_DATE_EPOCH build"
    );
    std::fs::write(ctx.join("published/appsettings.json"), "{}\n").unwrap();
    assert_ne!(build(), first, "a changed file changes the digest");
}

#[test]
fn run_a_missing_base_and_an_escaping_source_are_refused_with_nothing_written() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    // An artifact (its config is not an image configuration) cannot be a base image.
    let art = sb.dir().join("artifact");
    init_layout(&art);
    let cfg = write_blob(&art, "application/vnd.example.config.v1+json", b"{}");
    let blob = write_blob(&art, "application/vnd.example.data", b"payload");
    let m = serde_json::json!({"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": cfg, "layers": [blob]});
    let desc = write_blob(&art, MT_MANIFEST, &serde_json::to_vec(&m).unwrap());
    tag_descriptor(&art, "1", desc);
    sb.run_ok(&[
        "copy",
        &format!("oci:{}:1", art.display()),
        &reg.reference("lib/artifact:1"),
    ]);
    let cases: Vec<(String, i32, &str)> = vec![
        (
            "FROM scratch\nCOPY published /app\nRUN dotnet restore\n".into(),
            2,
            "Dockerfile:3",
        ),
        (
            format!(
                "FROM {}\nCOPY published /app\n",
                reg.reference("nope/base:1")
            ),
            4,
            "nope/base",
        ),
        (
            "FROM scratch\nCOPY ../secret /app\n".into(),
            2,
            "Dockerfile:2",
        ),
        ("FROM scratch\nFROBNICATE x\n".into(), 2, "Dockerfile:2"),
        (
            "FROM scratch\nARG VERSION\nLABEL v=\"${VERSION:?give --build-arg VERSION}\"\n".into(),
            2,
            "give --build-arg VERSION",
        ),
        (
            "FROM scratch\nADD https://example.com/app.tgz /app/\n".into(),
            2,
            "URL",
        ),
        (
            format!("FROM {}\n", reg.reference("lib/artifact:1")),
            2,
            "artifact",
        ),
        (
            "FROM scratch AS a\nFROM scratch\nCOPY --from=5 /x /y\n".into(),
            2,
            "Dockerfile:3",
        ),
    ];
    for (df, code, needle) in cases {
        let ctx = deck_context(sb.dir(), &df);
        std::fs::write(sb.dir().join("secret"), "outside the context\n").unwrap();
        let out = sb.run(&[
            "build",
            "--push",
            "-t",
            &reg.reference("app:bad"),
            ctx.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(code), "{df}: {}", describe(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{df}: {err}");
        if df.contains("RUN") {
            assert!(err.contains("RUN"), "{err}");
        }
        assert!(
            !reg.access_log().iter().any(|e| e.path.contains("/v2/app/")),
            "{df}: something was sent to the destination"
        );
        std::fs::remove_dir_all(&ctx).unwrap();
    }
    // Into the store: a failed build leaves no image.
    let ctx = deck_context(sb.dir(), "FROM scratch\nCOPY nothing-here /app\n");
    let out = sb.run(&["build", "-t", "app:bad", ctx.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    let images = sb.run_ok(&["images"]);
    assert!(!images.contains("app"), "{images}");
}

#[test]
fn every_metadata_instruction_and_copy_from_an_image_land_where_docker_puts_them() {
    let reg = Registry::start(Mode::Plain);
    let flags = reg.skopeo_flags("", None);
    let sb = Imgctl::new();
    let base_layout = sb.dir().join("base");
    build_standard_image(&base_layout, "1");
    let base = reg.reference("lib/base:1");
    sb.run_ok(&["copy", &format!("oci:{}:1", base_layout.display()), &base]);
    let dockerfile = format!(
        "FROM {base}\n\
         MAINTAINER dev@example.com\n\
         SHELL [\"/bin/bash\", \"-e\", \"-c\"]\n\
         CMD echo hi\n\
         VOLUME [\"/data\", \"/logs\"]\n\
         VOLUME /cache\n\
         STOPSIGNAL SIGTERM\n\
         HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD curl -f http://localhost/ || exit 1\n\
         ONBUILD COPY . /src\n\
         COPY --chown=1000:1000 files/*.txt /data/\n\
         COPY --from={base} /etc/hostname /copied-hostname\n\
         WORKDIR data\n\
         COPY files/b.txt again.txt\n"
    );
    let ctx = sb.dir().join("ctx");
    std::fs::create_dir_all(ctx.join("files")).unwrap();
    std::fs::write(ctx.join("files/a.txt"), "a\n").unwrap();
    std::fs::write(ctx.join("files/b.txt"), "b\n").unwrap();
    std::fs::write(ctx.join("files/c.bin"), "not matched\n").unwrap();
    std::fs::write(ctx.join("Dockerfile"), dockerfile).unwrap();
    let app = reg.reference("app:meta");
    sb.run_ok(&["build", "--push", "-t", &app, ctx.to_str().unwrap()]);
    // The raw config blob: `inspect --config` converts to the OCI struct, which has no Shell,
    // Healthcheck or OnBuild (Docker's extensions).
    let mut args: Vec<String> = vec!["inspect".into(), "--raw".into(), "--config".into()];
    args.extend(flags.iter().cloned());
    args.push(format!("docker://{app}"));
    let c = json_out(&skopeo_ok(&args));
    let cfg = &c["config"];
    assert_eq!(c["author"], "dev@example.com");
    assert_eq!(cfg["Shell"], serde_json::json!(["/bin/bash", "-e", "-c"]));
    assert_eq!(
        cfg["Cmd"],
        serde_json::json!(["/bin/bash", "-e", "-c", "echo hi"]),
        "shell form uses SHELL"
    );
    assert_eq!(
        cfg["Volumes"],
        serde_json::json!({"/data": {}, "/logs": {}, "/cache": {}})
    );
    assert_eq!(cfg["StopSignal"], "SIGTERM");
    assert_eq!(
        cfg["Healthcheck"],
        serde_json::json!({"Test": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
            "Interval": 30_000_000_000u64, "Timeout": 5_000_000_000u64, "Retries": 3})
    );
    assert_eq!(cfg["OnBuild"], serde_json::json!(["COPY . /src"]));
    assert_eq!(
        cfg["WorkingDir"], "/data",
        "WORKDIR relative to the previous one (/)"
    );
    let layout = sb.dir().join("pulled");
    sb.run_ok(&["copy", &app, &format!("oci:{}:1", layout.display())]);
    let root = unpack(&layout, "1", &sb.dir().join("bundle"));
    assert_eq!(
        std::fs::read_to_string(root.join("data/a.txt")).unwrap(),
        "a\n"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("data/b.txt")).unwrap(),
        "b\n"
    );
    assert!(
        !root.join("data/c.bin").exists(),
        "the wildcard matched *.txt only"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("data/again.txt")).unwrap(),
        "b\n",
        "dest relative to WORKDIR"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("copied-hostname")).unwrap(),
        "imgctl-test\n",
        "COPY --from an image reads its files"
    );
}

/// `buildah` with its own vfs storage under `dir` (no daemon; chroot isolation, which a
/// RUN-less Dockerfile never uses); `None` with the reason when buildah cannot run here
/// (not installed, or an ordinary user without the /etc/subuid range its user namespace
/// needs).
fn buildah(dir: &Path) -> Option<impl Fn(&[&str]) -> std::process::Output + '_> {
    let run = move |args: &[&str]| {
        std::process::Command::new("buildah")
            .arg("--storage-driver")
            .arg("vfs")
            .arg("--root")
            .arg(dir.join("root"))
            .arg("--runroot")
            .arg(dir.join("run"))
            .args(args)
            .env("HOME", dir)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("spawn buildah")
    };
    if let Err(e) = std::process::Command::new("buildah")
        .arg("--version")
        .output()
    {
        eprintln!("SKIP: buildah is not installed ({e}); scripts/test.sh installs it");
        return None;
    }
    let info = run(&["info"]);
    if !info.status.success() {
        eprintln!(
            "SKIP: buildah cannot run for this user (rootless buildah needs /etc/subuid and \
             /etc/subgid ranges): {}",
            describe(&info)
        );
        return None;
    }
    Some(run)
}

#[test]
fn buildah_builds_the_same_config_and_files_and_reads_what_imgctl_built() {
    let reg = Registry::start(Mode::Plain);
    let flags = reg.skopeo_flags("", None);
    let sb = Imgctl::new();
    let buildah_dir = sb.dir().join("buildah");
    let Some(buildah) = buildah(&buildah_dir) else {
        return;
    };
    let base_layout = sb.dir().join("base");
    build_standard_image(&base_layout, "8.0");
    let base = reg.reference("dotnet/aspnet:8.0");
    sb.run_ok(&["copy", &format!("oci:{}:8.0", base_layout.display()), &base]);
    let ctx = deck_context(sb.dir(), &deck_dockerfile(&base));
    let ours = reg.reference("app:imgctl");
    let theirs = reg.reference("app:buildah");
    sb.run_ok(&["build", "--push", "-t", &ours, ctx.to_str().unwrap()]);
    let ctx_s = ctx.to_str().unwrap();
    let o = buildah(&[
        "bud",
        "--isolation",
        "chroot",
        "--tls-verify=false",
        "--format",
        "oci",
        "-t",
        &theirs,
        ctx_s,
    ]);
    assert!(o.status.success(), "buildah bud: {}", describe(&o));
    let o = buildah(&[
        "push",
        "--tls-verify=false",
        &theirs,
        &format!("docker://{theirs}"),
    ]);
    assert!(o.status.success(), "buildah push: {}", describe(&o));

    let fields = |image: &str| {
        let c = config(&format!("docker://{image}"), &flags, "amd64");
        let cfg = &c["config"];
        serde_json::json!({
            "Env": cfg["Env"], "WorkingDir": cfg["WorkingDir"], "ExposedPorts": cfg["ExposedPorts"],
            "Entrypoint": cfg["Entrypoint"], "Cmd": cfg["Cmd"],
            "layers": c["rootfs"]["diff_ids"].as_array().unwrap().len(),
            "base_layers": c["rootfs"]["diff_ids"].as_array().unwrap()[..2].to_vec(),
        })
    };
    assert_eq!(
        fields(&ours),
        fields(&theirs),
        "imgctl and buildah agree on the config"
    );

    // The same files, bytes and modes under /app.
    let tree = |image: &str, name: &str| {
        let layout = sb.dir().join(format!("layout-{name}"));
        sb.run_ok(&["copy", image, &format!("oci:{}:1", layout.display())]);
        let root = unpack(&layout, "1", &sb.dir().join(format!("bundle-{name}")));
        let mut files = Vec::new();
        for e in walk(&root.join("app")) {
            let meta = std::fs::symlink_metadata(&e).unwrap();
            let rel = e.strip_prefix(&root).unwrap().display().to_string();
            let content = if meta.file_type().is_symlink() {
                format!("-> {}", std::fs::read_link(&e).unwrap().display())
            } else if meta.is_file() {
                sha256_digest(&std::fs::read(&e).unwrap())
            } else {
                "dir".into()
            };
            files.push((rel, meta.permissions().mode() & 0o7777, content));
        }
        files.sort();
        files
    };
    assert_eq!(tree(&ours, "ours"), tree(&theirs, "theirs"));

    // buildah reads what imgctl built (it verifies every digest as it pulls).
    let o = buildah(&["pull", "--tls-verify=false", &format!("docker://{ours}")]);
    assert!(o.status.success(), "buildah pull: {}", describe(&o));
    let o = buildah(&["inspect", "--type", "image", &ours]);
    assert!(o.status.success(), "buildah inspect: {}", describe(&o));
    let doc = json_out(&String::from_utf8_lossy(&o.stdout));
    assert_eq!(doc["OCIv1"]["config"]["WorkingDir"], "/app", "{doc}");

    // FROM scratch: buildah, like BuildKit, gives the image the default PATH; so does imgctl.
    let ctx = deck_context(
        &sb.dir().join("scratch"),
        "FROM scratch\nCOPY published /app\nENV A=1\n",
    );
    let (ours, theirs) = (reg.reference("s:imgctl"), reg.reference("s:buildah"));
    sb.run_ok(&["build", "--push", "-t", &ours, ctx.to_str().unwrap()]);
    let ctx_s = ctx.to_str().unwrap();
    let o = buildah(&[
        "bud",
        "--isolation",
        "chroot",
        "--format",
        "oci",
        "-t",
        &theirs,
        ctx_s,
    ]);
    assert!(o.status.success(), "buildah bud: {}", describe(&o));
    let dest = format!("docker://{theirs}");
    let o = buildah(&["push", "--tls-verify=false", &theirs, &dest]);
    assert!(o.status.success(), "buildah push: {}", describe(&o));
    let env = |image: &str| {
        config(&format!("docker://{image}"), &flags, "amd64")["config"]["Env"].clone()
    };
    assert_eq!(
        env(&ours),
        serde_json::json!([
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "A=1"
        ])
    );
    assert_eq!(env(&ours), env(&theirs), "imgctl and buildah agree on Env");
}

/// Every path below `dir` (not following symlinks), `dir` excluded.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        out.push(p.clone());
        if std::fs::symlink_metadata(&p).unwrap().is_dir() {
            out.extend(walk(&p));
        }
    }
    out
}

#[test]
fn a_base_in_the_local_store_is_used_from_there_without_its_registry() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let base_layout = sb.dir().join("base");
    build_standard_image(&base_layout, "1");
    let base = reg.reference("lib/base:1");
    sb.run_ok(&["copy", &format!("oci:{}:1", base_layout.display()), &base]);
    sb.run_ok(&["pull", &base]);
    drop(reg); // the registry is gone: only the store can serve the base now
    let ctx = deck_context(sb.dir(), &deck_dockerfile(&base));
    let layout = sb.dir().join("out");
    let digest = sb.run_ok(&[
        "build",
        "--output",
        &format!("oci:{}:app", layout.display()),
        ctx.to_str().unwrap(),
    ]);
    let root = unpack(&layout, "app", &sb.dir().join("bundle"));
    assert_eq!(
        read_index_json(&layout)["manifests"][0]["digest"],
        digest.trim()
    );
    assert_eq!(
        std::fs::read_to_string(root.join("etc/motd")).unwrap(),
        "welcome to the imgctl test image\n",
        "the base's layers came from the store"
    );
    assert!(root.join("app/test.dll").is_file());
}
