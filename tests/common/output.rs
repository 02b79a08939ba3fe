//! Small helpers every test file uses on a finished `imgctl` run and its inputs: exit code,
//! stdout/stderr text, the hint line, `--format json` results, tar member lists.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use super::Imgctl;

/// The exit code of a finished run; -1 when it was killed by a signal.
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// The run's stdout as text (invalid UTF-8 replaced).
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The run's stderr as text (invalid UTF-8 replaced).
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// stdout followed by stderr: everything the run printed, for "never shows X" checks.
pub fn text(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

/// The `hint: …` line of a failed run's stderr (empty when there is none).
pub fn hint(out: &Output) -> String {
    stderr(out)
        .lines()
        .find(|l| l.starts_with("hint:"))
        .unwrap_or("")
        .to_string()
}

/// Runs `imgctl --progress none ARGS` in `sb` (exit status not checked).
pub fn run(sb: &Imgctl, args: &[&str]) -> Output {
    let mut a = vec!["--progress", "none"];
    a.extend_from_slice(args);
    sb.run(&a)
}

/// Runs `imgctl --format json --progress none ARGS` in `sb`, which must succeed; returns the
/// JSON document it printed on stdout (panics when stdout is not JSON).
pub fn json_out(sb: &Imgctl, args: &[&str]) -> Value {
    let mut a = vec!["--format", "json", "--progress", "none"];
    a.extend_from_slice(args);
    let out = sb.run_ok(&a);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// `path` as `&str`, for argument lists (test paths are UTF-8).
pub fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Member names of the tar file at `path`, in archive order (directories included).
pub fn tar_members(path: &Path) -> Vec<String> {
    let mut a = tar::Archive::new(std::fs::File::open(path).unwrap());
    a.entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// `USER:PASSWORD`, the value of `--creds` for the user with full access.
pub fn creds() -> String {
    format!("{}:{}", super::USER, super::PASSWORD)
}

/// Writes `text` as the sandbox's `config.toml` (`$XDG_CONFIG_HOME/imgctl/config.toml`).
pub fn write_config_toml(sb: &Imgctl, text: &str) {
    let dir = sb.home().join(".config").join("imgctl");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}
