//! Docker semantics a first build exercises: `FROM --platform` (a fixed platform, one the base
//! lacks, `$BUILDPLATFORM`), what a missing `COPY --from` source blames, the `STEP` lines,
//! the `--format json` document (normalised tags, `blobs` always present), the default `PATH`
//! of a stage from scratch, and the context's sources checked before any registry request.

use std::io::Read;
use std::path::Path;

use super::*;
use serde_json::json;

/// The host's platform as imgctl names it (`linux/amd64`, `linux/arm64`, …).
fn host_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("linux/{arch}")
}

/// The single image of OCI layout `layout` (its first `index.json` entry): manifest, config.
fn layout_image(layout: &Path) -> (Value, Value) {
    let index = read_index_json(layout);
    let manifest = read_json_blob(layout, index["manifests"][0]["digest"].as_str().unwrap());
    let config = read_json_blob(layout, manifest["config"]["digest"].as_str().unwrap());
    (manifest, config)
}

/// The bytes of `path` in gzip layer `digest` of `layout`, if the layer holds it.
fn layer_file(layout: &Path, digest: &str, path: &str) -> Option<Vec<u8>> {
    let layer = read_blob(layout, digest);
    let mut a = tar::Archive::new(flate2::read::GzDecoder::new(&layer[..]));
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        if e.path().unwrap().to_string_lossy().trim_start_matches("./") == path {
            let mut out = Vec::new();
            e.read_to_end(&mut out).unwrap();
            return Some(out);
        }
    }
    None
}

/// The layer digests of `platform`'s image in base index layout `layout` (tag `tag`).
fn base_layers(layout: &Path, tag: &str, platform: &str) -> Vec<String> {
    let index = read_index_json(layout);
    let root = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["annotations"]["org.opencontainers.image.ref.name"] == tag)
        .unwrap();
    let base = read_json_blob(layout, root["digest"].as_str().unwrap());
    let (os, arch) = platform.split_once('/').unwrap();
    let child = base["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["platform"]["os"] == os && d["platform"]["architecture"] == arch)
        .unwrap_or_else(|| panic!("{platform} not in the base index"));
    let m = read_json_blob(layout, child["digest"].as_str().unwrap());
    m["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap().to_string())
        .collect()
}

/// A build with the Dockerfile `df` on stdin, in an empty context under `sb`.
fn build_stdin(sb: &Imgctl, df: &str, args: &[&str]) -> std::process::Output {
    let ctx = sb.dir().join("empty-ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    let mut all = vec!["--progress", "plain", "build", "-f", "-"];
    all.extend_from_slice(args);
    all.push(ctx.to_str().unwrap());
    run_with_stdin(sb.cmd(), &all, Some(df))
}

#[test]
fn from_platform_selects_the_bases_platform_and_buildplatform_is_the_hosts() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let base_layout = sb.dir().join("base");
    build_index(&base_layout, "1", &["linux/amd64", "linux/arm64"]);
    let base = reg.reference("mbase:1");
    sb.run_ok(&[
        "copy",
        "--all",
        &format!("oci:{}:1", base_layout.display()),
        &base,
    ]);
    let host = host_platform();
    let host_arch = host.split('/').nth(1).unwrap().to_string();

    // A fixed platform: the base's arm64 image, whatever the host; the result is arm64.
    // TARGETARCH stays the platform being built (the host's here), as with BuildKit.
    let out_dir = sb.dir().join("arm");
    let o = build_stdin(
        &sb,
        &format!("FROM --platform=linux/arm64 {base}\nARG TARGETARCH\nENV ARCH=$TARGETARCH\n"),
        &["--output", &format!("oci:{}:2", out_dir.display())],
    );
    assert!(o.status.success(), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("STEP 1/3: FROM --platform=linux/arm64 {base}")),
        "{err}"
    );
    let (m, c) = layout_image(&out_dir);
    assert_eq!(c["architecture"], "arm64", "{c}");
    assert_eq!(c["os"], "linux");
    let layers: Vec<&str> = m["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap())
        .collect();
    assert_eq!(layers, base_layers(&base_layout, "1", "linux/arm64"));
    assert!(
        c["config"]["Env"]
            .as_array()
            .unwrap()
            .contains(&json!(format!("ARCH={host_arch}"))),
        "{c}"
    );

    // A platform the base does not have: exit 4 naming the ones it has, nothing written.
    let none = sb.dir().join("none");
    let o = build_stdin(
        &sb,
        &format!("FROM --platform=linux/s390x {base}\n"),
        &["--output", &format!("oci:{}:1", none.display())],
    );
    assert_eq!(o.status.code(), Some(4), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    for p in ["linux/s390x", "linux/amd64", "linux/arm64"] {
        assert!(err.contains(p), "{p}: {err}");
    }
    assert!(!none.exists(), "a failed build wrote its output");

    // Two requested platforms that a fixed final platform turns into one: an index may not
    // list linux/arm64 twice, so it is refused and nothing is written.
    let twice = sb.dir().join("twice");
    let o = build_stdin(
        &sb,
        &format!("FROM --platform=linux/arm64 {base}\n"),
        &[
            "--platform",
            "linux/amd64,linux/arm64",
            "--output",
            &format!("oci:{}:1", twice.display()),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("the same platform linux/arm64"),
        "{}",
        describe(&o)
    );
    assert!(!twice.exists(), "a refused build wrote its output");

    // A stage on $BUILDPLATFORM is the host's even when building arm64; the final stage is
    // the target platform's.
    if host != "linux/amd64" && host != "linux/arm64" {
        eprintln!("SKIP: $BUILDPLATFORM case: the base index has no image for {host}");
        return;
    }
    let cross = sb.dir().join("cross");
    let o = build_stdin(
        &sb,
        &format!(
            "FROM --platform=$BUILDPLATFORM {base} AS b\nFROM {base}\nCOPY --from=b /etc/platform /build-platform\n"
        ),
        &[
            "--platform",
            "linux/arm64",
            "--output",
            &format!("oci:{}:1", cross.display()),
        ],
    );
    assert!(o.status.success(), "{}", describe(&o));
    let (m, c) = layout_image(&cross);
    assert_eq!(c["architecture"], "arm64");
    let layers = m["layers"].as_array().unwrap();
    assert_eq!(
        layers[0]["digest"],
        base_layers(&base_layout, "1", "linux/arm64")[0],
        "the final stage is on the target platform's base"
    );
    let copied = layer_file(
        &cross,
        layers.last().unwrap()["digest"].as_str().unwrap(),
        "build-platform",
    )
    .expect("the COPY layer holds /build-platform");
    assert_eq!(String::from_utf8(copied).unwrap(), format!("{host}\n"));
}

#[test]
fn a_missing_copy_from_source_names_the_stage_and_messages_show_the_instruction() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let base_layout = sb.dir().join("base");
    build_standard_image(&base_layout, "1");
    let base = reg.reference("lib/base:1");
    sb.run_ok(&["copy", &format!("oci:{}:1", base_layout.display()), &base]);
    let cases = [
        (
            format!("FROM {base} AS b\nFROM scratch\nCOPY --from=b /nope /x\n"),
            "-:3: COPY --from=b /nope /x: ".to_string(),
            "not found in stage b".to_string(),
        ),
        (
            format!("FROM scratch\nCOPY --from={base} /nope /x\n"),
            format!("-:2: COPY --from={base} /nope /x: "),
            format!("not found in image {base}"),
        ),
    ];
    for (df, at, what) in cases {
        let o = build_stdin(&sb, &df, &["-q"]);
        assert_eq!(o.status.code(), Some(4), "{df}: {}", describe(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&at), "{df}: {err}");
        assert!(err.contains(&what), "{df}: {err}");
        assert!(!err.contains("build context"), "{df}: {err}");
        assert!(!err.contains("# buildkit"), "{df}: {err}");
    }
}

#[test]
fn json_document_has_normalised_tags_null_blobs_and_scratch_gets_the_default_path() {
    let sb = Imgctl::new();
    let ctx = deck_context(
        sb.dir(),
        "FROM scratch\nCOPY published /app\nEXPOSE 8080\nENTRYPOINT [\"/app/run.sh\"]\n",
    );
    let layout = sb.dir().join("out");
    let o = sb
        .cmd()
        .args(["--progress", "plain", "--format", "json", "build"])
        .args(["-t", "local/j:1", "--output"])
        .arg(format!("oci:{}:1", layout.display()))
        .arg(&ctx)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", describe(&o));
    let doc = json_out(&String::from_utf8_lossy(&o.stdout));
    assert_eq!(doc["tags"], json!(["docker.io/local/j:1"]), "{doc}");
    let images = sb.run_ok(&["images"]);
    assert!(images.contains("docker.io/local/j"), "{images}");
    let blobs = doc.as_object().unwrap().get("blobs");
    assert_eq!(
        blobs,
        Some(&Value::Null),
        "blobs is present and null when nothing went to a registry: {doc}"
    );
    // STEP lines show the instructions as written.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("STEP 2/4: COPY published /app\n"), "{err}");
    assert!(err.contains("STEP 3/4: EXPOSE 8080\n"), "{err}");
    assert!(
        err.contains("STEP 4/4: ENTRYPOINT [\"/app/run.sh\"]\n"),
        "{err}"
    );
    // BuildKit's default PATH (a scratch image has none); the history keeps docker's forms.
    let (_, c) = layout_image(&layout);
    assert_eq!(
        c["config"]["Env"],
        json!(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
    );
    let by: Vec<&str> = c["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["created_by"].as_str().unwrap())
        .collect();
    assert_eq!(
        by,
        [
            "COPY published /app # buildkit",
            "EXPOSE map[8080/tcp:{}]",
            "ENTRYPOINT [\"/app/run.sh\"]"
        ]
    );
}

#[test]
fn context_sources_are_checked_before_any_registry_request() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    std::fs::write(sb.dir().join("secret"), "outside the context\n").unwrap();
    let missing_base = reg.reference("nope/base:1");
    let cases = [
        ("../secret", 2, "is outside the build context"),
        ("not-here", 4, "not-here: not found in the build context"),
        ("*.nothing", 4, "no source files matched"),
    ];
    for (src, code, needle) in cases {
        let ctx = deck_context(
            sb.dir(),
            &format!("FROM {missing_base}\nCOPY {src} /app/\n"),
        );
        let before = reg.access_log().len();
        let o = sb
            .cmd()
            .args(["--progress", "plain", "build", "--push", "-t"])
            .arg(reg.reference("app:bad"))
            .arg(&ctx)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(code), "{src}: {}", describe(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{src}: {err}");
        assert!(
            err.contains(&format!("Dockerfile:2: COPY {src} /app/")),
            "{src}: {err}"
        );
        assert!(!err.contains("STEP"), "{src}: no step ran: {err}");
        let asked: Vec<String> = reg.access_log()[before..]
            .iter()
            .map(|e| format!("{} {}", e.method, e.path))
            .collect();
        assert!(
            asked.is_empty(),
            "{src}: the registry was asked before the local check: {asked:?}"
        );
        std::fs::remove_dir_all(&ctx).unwrap();
    }
    // A FROM --platform that is not a platform is refused before the base is asked for too.
    let ctx = deck_context(
        sb.dir(),
        &format!("FROM --platform=linux/a/b/c {missing_base}\nCOPY published /app/\n"),
    );
    let before = reg.access_log().len();
    let o = sb.run(&["build", ctx.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("Dockerfile:1: FROM --platform=linux/a/b/c"),
        "{err}"
    );
    assert_eq!(reg.access_log().len(), before, "the registry was asked");
}
