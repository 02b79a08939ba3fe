//! Archive destinations: a docker-archive refuses an image index before any blob moves.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;
use serde_json::Value;

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
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
