//! Progress styles on a real transfer: plain aggregate lines and JSON events on stderr with
//! only the result on stdout; `auto` choosing bars on a terminal (a pseudo-terminal from
//! util-linux `script`) but plain lines under CI; `NO_COLOR` honoured.

mod common;

use std::process::{Command, Stdio};

use common::*;
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
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{digest}\n"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.lines().all(|l| l.starts_with("progress: ")),
        "{stderr}"
    );
    let last = stderr.lines().last().unwrap();
    assert!(last.contains("blobs 4/4"), "{last}"); // config + 3 layers
    assert!(last.contains("100%"), "{last}");

    // json: one event per line; blob events account for every blob; stdout is the result
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
    String::from_utf8_lossy(&out.stdout).into_owned()
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
        tty.contains('[') && tty.contains("copied"),
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
    assert!(
        no_color.contains("copied") || no_color.contains("mounted"),
        "{no_color:?}"
    );
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
