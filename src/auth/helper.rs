//! Docker credential helpers (`docker-credential-<name>`): the `get` verb of their
//! stdin/stdout protocol (docker/docker-credential-helpers `client/client.go`).
//!
//! The server URL goes to the helper's stdin, never its arguments; the answer is
//! `{"ServerURL": …, "Username": …, "Secret": …}` on stdout. A username of `<token>` means the
//! secret is an identity token (docker's marker; [`Secret::from_pair`] reads it).

use std::io::{Read as _, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::auth::Secret;
use crate::error::{Error, Result};

/// How long a helper may take before it is killed.
pub const HELPER_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(serde::Deserialize)]
struct HelperAnswer {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

/// Asks `docker-credential-<name> get` for the credentials of `server_url`.
///
/// `Ok(None)` when the helper has none ("credentials not found", or an empty answer);
/// errors (Other) when the helper is missing, times out, fails otherwise or answers
/// something that is not the protocol's JSON. Error messages never contain its stdout.
pub fn get(name: &str, server_url: &str) -> Result<Option<Secret>> {
    if name.is_empty() || name.contains(['/', '\\']) {
        return Err(Error::other(format!(
            "invalid credential helper name {name:?}"
        )));
    }
    let program = format!("docker-credential-{name}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::other(format!("cannot run {program}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading gives EPIPE; its exit status tells the story.
        let _ = stdin.write_all(server_url.as_bytes());
    }
    let mut out_pipe = child.stdout.take().expect("piped stdout");
    let mut err_pipe = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err_pipe.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + HELPER_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::other(format!(
                    "{program} did not answer within {} s",
                    HELPER_TIMEOUT.as_secs()
                )));
            }
            Err(e) => return Err(Error::other(format!("waiting for {program}: {e}"))),
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    if !status.success() {
        // Helpers report "credentials not found in native keychain" on stdout.
        let text = String::from_utf8_lossy(&stdout).to_ascii_lowercase();
        if text.contains("credentials not found") {
            return Ok(None);
        }
        let first = String::from_utf8_lossy(&stderr)
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect::<String>();
        return Err(Error::other(format!(
            "{program} get failed ({status}){}",
            if first.is_empty() {
                String::new()
            } else {
                format!(": {first}")
            }
        )));
    }
    let answer: HelperAnswer = serde_json::from_slice(&stdout)
        .map_err(|_| Error::other(format!("{program} get answered something that is not JSON")))?;
    if answer.secret.is_empty() {
        return Ok(None);
    }
    Ok(Some(Secret::from_pair(&answer.username, answer.secret)))
}
