//! The composite GitHub Action (`action.yml`): its shell steps run as the runner would run them
//! (`bash --noprofile --norc -eo pipefail`), with `${{ inputs.* }}` / `${{ github.* }}` filled
//! in, against a real registry, writing step outputs to a temporary `GITHUB_OUTPUT` file.
//! Every step runs in its own kernel session keyring (`keyctl session -`) with no D-Bus
//! session, like the separate processes of a Linux runner without a Secret Service: a
//! `keychain` login reaches the copy step through the user's persistent kernel keyring, a
//! `job` login (the default) through `GITHUB_ENV` and a docker config under `RUNNER_TEMP`.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;
use serde_json::Value;

/// A composite action's step, with its `env` still holding `${{ … }}` expressions.
struct Step {
    name: String,
    run: String,
    env: BTreeMap<String, String>,
}

fn action() -> (serde_yaml_ng::Value, Vec<Step>) {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    assert_eq!(doc["runs"]["using"].as_str(), Some("composite"));
    let steps = doc["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(s["shell"].as_str(), Some("bash"), "every step runs in bash");
            assert!(
                s.get("if").is_none(),
                "conditions live in the scripts (testable)"
            );
            let env = s
                .get("env")
                .and_then(|e| e.as_mapping())
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().unwrap().to_string(),
                                v.as_str().unwrap().to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            Step {
                name: s["name"].as_str().unwrap().to_string(),
                run: s["run"].as_str().unwrap().to_string(),
                env,
            }
        })
        .collect();
    (doc, steps)
}

/// Replaces `${{ inputs.X }}` (value or the input's default) and the `github.*` contexts the
/// action uses; panics on any other expression, so the test notices new ones.
fn expand(v: &str, inputs: &BTreeMap<&str, String>, doc: &serde_yaml_ng::Value) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(i) = rest.find("${{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("}}").unwrap() + i;
        let expr = rest[i + 3..end].trim();
        let value = if let Some(name) = expr.strip_prefix("inputs.") {
            inputs.get(name).cloned().unwrap_or_else(|| {
                doc["inputs"][name]["default"]
                    .as_str()
                    .unwrap_or_else(|| panic!("unknown input {name}"))
                    .to_string()
            })
        } else {
            match expr {
                "github.action_path" => env!("CARGO_MANIFEST_DIR").to_string(),
                "github.action_repository" => "example/imgctl".into(),
                "github.action_ref" => "v0.1.0".into(),
                other => panic!("unexpected expression {other}"),
            }
        };
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A runner's job: its `RUNNER_TEMP` and the `GITHUB_ENV` / `GITHUB_PATH` files, shared by
/// every use of the action in it (so several steps add up, as in a workflow's job). Dropping
/// it removes `RUNNER_TEMP`, as the runner empties it at the end of the job.
struct Job {
    dir: tempfile::TempDir,
}

impl Job {
    fn new(sb: &Imgctl) -> Job {
        let dir = tempfile::tempdir_in(sb.dir()).unwrap();
        std::fs::create_dir(dir.path().join("runner-temp")).unwrap();
        std::fs::create_dir(dir.path().join("workspace")).unwrap();
        std::fs::write(dir.path().join("github_env"), "").unwrap();
        std::fs::write(dir.path().join("github_path"), "").unwrap();
        Job { dir }
    }

    fn runner_temp(&self) -> PathBuf {
        self.dir.path().join("runner-temp")
    }

    /// The job's working directory (`GITHUB_WORKSPACE`), where every step runs.
    fn workspace(&self) -> PathBuf {
        self.dir.path().join("workspace")
    }
}

/// What one use of the action did.
struct Run {
    /// Exit code of the first failing step, or 0.
    status: i32,
    /// Outputs written to `GITHUB_OUTPUT`.
    outputs: BTreeMap<String, String>,
    /// Every step's stderr and stdout, without the `::add-mask::` commands.
    log: String,
    /// The values the steps masked with `::add-mask::`, in order.
    masks: Vec<String>,
}

/// Runs every step like the runner: env per step, `PATH` extended by `GITHUB_PATH` lines,
/// the job's environment extended by `GITHUB_ENV` lines (overridden by a step's own `env`),
/// outputs appended to `GITHUB_OUTPUT`. Returns (exit code of the first failing step or 0,
/// outputs, combined stderr and stdout). A fresh job each time.
fn run_action(
    sb: &Imgctl,
    inputs: &BTreeMap<&str, String>,
    path_prefix: &Path,
) -> (i32, BTreeMap<String, String>, String) {
    let r = run_in_job(&Job::new(sb), sb, inputs, path_prefix, &[]);
    (r.status, r.outputs, r.log)
}

/// [`run_action`] in `job`, with `step_env` as the `env:` of the workflow step that uses the
/// action (its composite steps inherit it).
fn run_in_job(
    job: &Job,
    sb: &Imgctl,
    inputs: &BTreeMap<&str, String>,
    path_prefix: &Path,
    step_env: &[(&str, &str)],
) -> Run {
    let (doc, steps) = action();
    let work = tempfile::tempdir_in(sb.dir()).unwrap();
    let output = work.path().join("github_output");
    let gh_path = job.dir.path().join("github_path");
    let gh_env = job.dir.path().join("github_env");
    std::fs::write(&output, "").unwrap();
    let mut log = String::new();
    let mut masks = Vec::new();
    let base_path = format!(
        "{}:{}",
        path_prefix.display(),
        std::env::var("PATH").unwrap()
    );
    for step in steps {
        let script = work.path().join("step.sh");
        std::fs::write(&script, &step.run).unwrap();
        let extra_path: Vec<String> = std::fs::read_to_string(&gh_path)
            .unwrap()
            .lines()
            .rev()
            .map(str::to_string)
            .collect();
        let path = if extra_path.is_empty() {
            base_path.clone()
        } else {
            format!("{}:{base_path}", extra_path.join(":"))
        };
        let mut c = Command::new("keyctl");
        c.args([
            "session",
            "-",
            "bash",
            "--noprofile",
            "--norc",
            "-eo",
            "pipefail",
        ])
        .arg(&script);
        // The sandbox environment of imgctl (store, home), as a runner's clean HOME would be.
        let proto = sb.cmd();
        for (k, v) in proto.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c.env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("IMGCTL_KEYCHAIN")
            .env_remove("IMGCTL_CONFIG_DIR")
            .env_remove("IMGCTL_USERNAME")
            .env_remove("IMGCTL_PASSWORD");
        for (k, v) in parse_outputs(&gh_env) {
            c.env(k, v);
        }
        for (k, v) in step_env {
            c.env(k, v);
        }
        for (k, v) in &step.env {
            c.env(k, expand(v, inputs, &doc));
        }
        let out = c
            .env("PATH", path)
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_PATH", &gh_path)
            .env("GITHUB_ENV", &gh_env)
            .env("RUNNER_TEMP", job.runner_temp())
            .env("GITHUB_WORKSPACE", job.workspace())
            .current_dir(job.workspace())
            .env("GITHUB_ACTIONS", "true")
            .env("CI", "true")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        log.push_str(&format!("--- {} ---\n{}", step.name, stderr(&out)));
        for line in stdout(&out).lines() {
            match line.strip_prefix("::add-mask::") {
                Some(m) => masks.push(m.to_string()),
                None => {
                    log.push_str(line);
                    log.push('\n');
                }
            }
        }
        if !out.status.success() {
            return Run {
                status: out.status.code().unwrap_or(-1),
                outputs: parse_outputs(&output),
                log,
                masks,
            };
        }
    }
    Run {
        status: 0,
        outputs: parse_outputs(&output),
        log,
        masks,
    }
}

/// Parses a `GITHUB_OUTPUT` file: `k=v` lines and `k<<DELIM` … `DELIM` blocks.
fn parse_outputs(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if let Some((k, delim)) = l.split_once("<<") {
            let mut v = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                v.push(l);
            }
            out.insert(k.to_string(), v.join("\n"));
        } else if let Some((k, v)) = l.split_once('=') {
            out.insert(k.to_string(), v.to_string());
        }
    }
    out
}

fn imgctl_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_imgctl"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn action_copies_and_syncs_and_sets_outputs() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let digest = build_standard_image(&layout, "v1");

    // copy: the digest becomes a step output
    let inputs: BTreeMap<&str, String> = [
        ("install", "path".to_string()),
        ("command", "copy".into()),
        ("source", format!("oci:{}:v1", layout.display())),
        (
            "destination",
            format!("docker://{}", reg.reference("app:v1")),
        ),
    ]
    .into_iter()
    .collect();
    let (status, outputs, log) = run_action(&sb, &inputs, &imgctl_dir());
    assert_eq!(status, 0, "{log}");
    assert_eq!(outputs["digest"], digest, "{outputs:?}");
    assert_eq!(outputs["failed"], "0");
    let digests: Value = serde_json::from_str(&outputs["digests"]).unwrap();
    assert_eq!(digests[reg.reference("app:v1")], digest.as_str());
    let result: Value = serde_json::from_str(&outputs["result"]).unwrap();
    assert_eq!(result["digest"], digest.as_str());
    assert!(log.contains("no registry to log in to"), "{log}");

    // sync: credentials by env-var name; digests of every image as outputs; extra args pass
    let cfg = sb.dir().join("mirror.yaml");
    std::fs::write(
        &cfg,
        format!(
            "mappings:\n  - source: {r}/app\n    destination: {r}/mirror/app\n    tags: [v1]\n",
            r = reg.host()
        ),
    )
    .unwrap();
    let inputs: BTreeMap<&str, String> = [
        ("install", "path".to_string()),
        ("command", "sync".into()),
        ("config", cfg.display().to_string()),
        ("args", "--keep-going --shard 1/1".into()),
    ]
    .into_iter()
    .collect();
    let (status, outputs, log) = run_action(&sb, &inputs, &imgctl_dir());
    assert_eq!(status, 0, "{log}");
    assert_eq!(outputs["digest"], digest);
    let digests: Value = serde_json::from_str(&outputs["digests"]).unwrap();
    assert_eq!(
        digests[reg.reference("mirror/app:v1")],
        digest.as_str(),
        "{digests}"
    );
    let (_, skopeo_digest) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("mirror/app:v1")),
        &reg.skopeo_flags("", None),
    );
    assert_eq!(skopeo_digest, digest);

    // a failing sync fails the step (exit 8) and still reports outputs
    std::fs::write(
        &cfg,
        format!(
            "mappings:\n  - source: {r}/app\n    destination: {r}/mirror/app\n    tags: [v1, nope]\n",
            r = reg.host()
        ),
    )
    .unwrap();
    let (status, outputs, log) = run_action(&sb, &inputs, &imgctl_dir());
    assert_eq!(status, 8, "{log}");
    assert_eq!(outputs["failed"], "1", "{outputs:?}");
}

/// Runs `imgctl ARGS` in `sb` inside a session keyring (as the action's steps run).
fn keyctl_imgctl(sb: &Imgctl, args: &[&str]) -> std::process::Output {
    let inner = sb.cmd();
    let mut c = Command::new("keyctl");
    c.args(["session", "-"]).arg(inner.get_program()).args(args);
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c.env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("IMGCTL_KEYCHAIN")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// `imgctl login --list` in the sandbox's own config dir: what outlives the job.
fn listed_logins(sb: &Imgctl) -> Value {
    let out = keyctl_imgctl(sb, &["--format", "json", "login", "--list"]);
    assert!(out.status.success(), "{}", describe(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn action_logs_in_with_the_real_imgctl_and_pushes_with_the_stored_credentials() {
    use std::os::unix::fs::PermissionsExt;
    let reg = Registry::start(Mode::Token);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let digest = build_standard_image(&layout, "v1");
    let copy_inputs = |store: &str, password: &str, tag: &str| -> BTreeMap<&'static str, String> {
        [
            ("install", "path".to_string()),
            ("registry", reg.host()),
            ("username", USER.to_string()),
            ("password", password.to_string()),
            ("credential-store", store.to_string()),
            ("command", "copy".into()),
            ("source", format!("oci:{}:v1", layout.display())),
            ("destination", format!("docker://{}", reg.reference(tag))),
        ]
        .into_iter()
        .collect()
    };

    // job (the default): the secret is masked, goes into a docker config under RUNNER_TEMP
    // (mode 0600) that the copy step finds through DOCKER_CONFIG; nothing in the user's
    // keyring, docker config or imgctl config dir
    let mut inputs = copy_inputs("job", PASSWORD, "app:v1");
    inputs.remove("credential-store");
    let job = Job::new(&sb);
    let run = run_in_job(&job, &sb, &inputs, &imgctl_dir(), &[]);
    assert_eq!(run.status, 0, "{}", run.log);
    assert_eq!(run.outputs["digest"], digest, "{:?}", run.outputs);
    assert_eq!(run.masks, [PASSWORD], "{}", run.log);
    assert!(!run.log.contains(PASSWORD), "secret echoed: {}", run.log);
    let config = job
        .runner_temp()
        .join("imgctl-credentials/docker/config.json");
    assert_eq!(
        std::fs::metadata(&config).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains(&reg.host()), "{text}");
    let pushes_as_alice = reg
        .token_requests()
        .iter()
        .any(|r| r.user.as_deref() == Some(USER) && r.scopes.iter().any(|s| s.contains("push")));
    assert!(pushes_as_alice, "{:?}", reg.token_requests());
    let (_, got) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("app:v1")),
        &reg.skopeo_flags("", Some((USER, PASSWORD))),
    );
    assert_eq!(got, digest);
    assert!(!sb.home().join(".docker/config.json").exists());
    assert!(!sb.home().join(".config/imgctl").exists());
    assert_eq!(listed_logins(&sb), serde_json::json!([]));
    // the runner empties RUNNER_TEMP at the end of the job: the credentials are gone
    let temp = job.runner_temp();
    drop(job);
    assert!(!temp.exists());

    // `docker-config` is the former name of `job`
    let job = Job::new(&sb);
    let run = run_in_job(
        &job,
        &sb,
        &copy_inputs("docker-config", PASSWORD, "app:v5"),
        &imgctl_dir(),
        &[],
    );
    assert_eq!(run.status, 0, "{}", run.log);
    assert!(
        job.runner_temp()
            .join("imgctl-credentials/docker/config.json")
            .is_file()
    );
    assert!(!sb.home().join(".docker/config.json").exists());

    // keychain: the login step stores the secret in the kernel keyring, the copy step
    // (another process, another session keyring) finds it there; it outlives the job
    let (status, outputs, log) = run_action(
        &sb,
        &copy_inputs("keychain", PASSWORD, "app:v2"),
        &imgctl_dir(),
    );
    assert_eq!(status, 0, "{log}");
    assert_eq!(outputs["digest"], digest, "{outputs:?}");
    assert!(!log.contains(PASSWORD), "secret echoed: {log}");
    let list = listed_logins(&sb);
    assert_eq!(list[0]["registry"], reg.host().as_str(), "{list}");
    assert_eq!(list[0]["store"], "keyutils", "{list}");
    let out = keyctl_imgctl(&sb, &["logout", &reg.host()]);
    assert!(out.status.success(), "{}", describe(&out));

    // a wrong password fails the login step with the auth code; nothing is copied
    let (status, outputs, log) = run_action(
        &sb,
        &copy_inputs("job", "wrong-secret-77", "app:v3"),
        &imgctl_dir(),
    );
    assert_eq!(status, 3, "{log}");
    assert!(outputs.is_empty(), "{outputs:?}");
    assert!(!log.contains("wrong-secret-77"), "{log}");

    // a login without a password, or with an unknown store, is refused before anything runs
    for (key, value, want) in [
        ("password", "", "needs username and password"),
        (
            "credential-store",
            "memory",
            "credential-store must be job or keychain",
        ),
    ] {
        let mut inputs = copy_inputs("job", PASSWORD, "app:v4");
        inputs.insert(key, value.to_string());
        let (status, _, log) = run_action(&sb, &inputs, &imgctl_dir());
        assert_eq!(status, 2, "{log}");
        assert!(log.contains(want), "{log}");
    }
}

#[test]
fn action_logs_in_to_several_registries_and_later_steps_add_up() {
    let src = Registry::start(Mode::Token);
    let dst = Registry::start(Mode::Token);
    let third = Registry::start(Mode::Token);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let digest = build_standard_image(&layout, "v1");
    let creds = format!("{USER}:{PASSWORD}");
    sb.run_ok(&[
        "-q",
        "--creds",
        &creds,
        "copy",
        &format!("oci:{}:v1", layout.display()),
        &format!("docker://{}", src.reference("app:v1")),
    ]);
    let copy = |from: &Registry, to: &Registry| -> BTreeMap<&'static str, String> {
        [
            ("install", "path".to_string()),
            ("command", "copy".into()),
            ("source", format!("docker://{}", from.reference("app:v1"))),
            (
                "destination",
                format!("docker://{}", to.reference("app:v1")),
            ),
        ]
        .into_iter()
        .collect()
    };

    // one step, two registries: the reader account for the source, alice for the destination,
    // passwords from the step's env; both masked, neither printed
    let job = Job::new(&sb);
    let mut inputs = copy(&src, &dst);
    inputs.insert(
        "registries",
        format!(
            "# source: read-only account\nregistry={},username={READER_USER},password-env=SRC_PASSWORD\n\n  registry={} , username={USER}, password-env=DST_PASSWORD\n",
            src.host(),
            dst.host()
        ),
    );
    let env = [
        ("SRC_PASSWORD", READER_PASSWORD),
        ("DST_PASSWORD", PASSWORD),
    ];
    let run = run_in_job(&job, &sb, &inputs, &imgctl_dir(), &env);
    assert_eq!(run.status, 0, "{}", run.log);
    assert_eq!(run.outputs["digest"], digest);
    assert_eq!(run.masks, [READER_PASSWORD, PASSWORD], "{}", run.log);
    for secret in [READER_PASSWORD, PASSWORD] {
        assert!(!run.log.contains(secret), "{}", run.log);
    }
    assert!(
        src.token_requests()
            .iter()
            .any(|r| r.user.as_deref() == Some(READER_USER)),
        "{:?}",
        src.token_requests()
    );
    assert!(
        dst.token_requests()
            .iter()
            .any(|r| r.user.as_deref() == Some(USER) && r.scopes.iter().any(|s| s.contains("push"))),
        "{:?}",
        dst.token_requests()
    );
    let (_, got) = skopeo_raw_manifest(
        &format!("docker://{}", dst.reference("app:v1")),
        &dst.skopeo_flags("", Some((USER, PASSWORD))),
    );
    assert_eq!(got, digest);

    // a later use of the action in the same job logs in to a third registry; the source's
    // login of the first step still serves the copy
    let mut inputs = copy(&src, &third);
    inputs.insert("registry", third.host());
    inputs.insert("username", USER.into());
    inputs.insert("password", PASSWORD.into());
    let run = run_in_job(&job, &sb, &inputs, &imgctl_dir(), &[]);
    assert_eq!(run.status, 0, "{}", run.log);
    assert_eq!(run.outputs["digest"], digest);
    let text = std::fs::read_to_string(
        job.runner_temp()
            .join("imgctl-credentials/docker/config.json"),
    )
    .unwrap();
    for r in [&src, &dst, &third] {
        assert!(text.contains(&r.host()), "{text}");
    }
    assert!(
        src.token_requests()
            .iter()
            .filter(|r| r.user.as_deref() == Some(READER_USER))
            .count()
            >= 2,
        "{:?}",
        src.token_requests()
    );

    // bad lines are refused before any login, naming the line and never echoing a value that
    // could be a secret
    for (line, want) in [
        (
            format!("registry={},username=u,password=hunter2-secret", src.host()),
            "registries line 1: unknown field 'password'",
        ),
        (
            format!("registry={},username=u,hunter2-secret", src.host()),
            "registries line 1: field 3 is not key=value",
        ),
        (
            format!(
                "\nregistry={},username=u,password-env=NOT_SET_ANYWHERE",
                src.host()
            ),
            "registries line 2: environment variable NOT_SET_ANYWHERE (password-env for",
        ),
        (
            format!("registry={},password-env=DST_PASSWORD", src.host()),
            "needs registry=, username= and password-env=",
        ),
        (
            format!("registry={},username=u,password-env=1-bad", src.host()),
            "password-env must name an environment variable",
        ),
    ] {
        let mut inputs = copy(&src, &dst);
        inputs.insert("registries", line.clone());
        let job = Job::new(&sb);
        let run = run_in_job(&job, &sb, &inputs, &imgctl_dir(), &env);
        assert_eq!(run.status, 2, "{line}: {}", run.log);
        assert!(run.log.contains(want), "{line}: {}", run.log);
        assert!(!run.log.contains("hunter2-secret"), "{}", run.log);
        assert!(run.outputs.is_empty(), "{:?}", run.outputs);
        assert!(!job.runner_temp().join("imgctl-credentials").exists());
    }
}

#[test]
fn action_installs_the_release_binary_after_checking_its_sha256() {
    // A stand-in `curl` is the one piece that cannot be real here: the test machine has no
    // internet, so release downloads are served from a local directory (and their URLs
    // recorded). The downloaded archive holds the real imgctl, which then runs the copy.
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let digest = build_standard_image(&layout, "v1");
    let files = sb.dir().join("release");
    let shim = sb.dir().join("shim");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::create_dir_all(&shim).unwrap();
    let asset = "imgctl-x86_64-unknown-linux-gnu.tar.gz";
    let bin_dir = tempfile::tempdir_in(sb.dir()).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_imgctl"), bin_dir.path().join("imgctl")).unwrap();
    let ok = Command::new("tar")
        .arg("-czf")
        .arg(files.join(asset))
        .arg("-C")
        .arg(bin_dir.path())
        .arg("imgctl")
        .status()
        .unwrap();
    assert!(ok.success());
    let sum = Command::new("sha256sum")
        .arg(files.join(asset))
        .output()
        .unwrap();
    let hex = stdout(&sum).split_whitespace().next().unwrap().to_string();
    std::fs::write(
        files.join(format!("{asset}.sha256")),
        format!("{hex}  {asset}\n"),
    )
    .unwrap();
    let urls = sb.dir().join("urls");
    std::fs::write(
        shim.join("curl"),
        format!(
            "#!/bin/sh\nout=\nwhile [ $# -gt 0 ]; do case \"$1\" in -o) out=\"$2\"; shift 2;; -*) shift;; *) url=\"$1\"; shift;; esac; done\necho \"$url\" >> {u}\ncase \"$url\" in */v0.0.0-missing/*) echo 'curl: (22) The requested URL returned error: 404' >&2; exit 22;; esac\ncp \"{f}/$(basename \"$url\")\" \"$out\"\n",
            u = urls.display(),
            f = files.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(shim.join("curl"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let inputs: BTreeMap<&str, String> = [
        ("install", "release".to_string()),
        ("version", "v9.9.9".into()),
        ("command", "copy".into()),
        ("source", format!("oci:{}:v1", layout.display())),
        (
            "destination",
            format!("docker://{}", reg.reference("app:v1")),
        ),
    ]
    .into_iter()
    .collect();
    // PATH: the stand-in curl, no imgctl; the install step adds the unpacked one
    let (status, outputs, log) = run_action(&sb, &inputs, &shim);
    assert_eq!(status, 0, "{log}");
    assert_eq!(outputs["digest"], digest);
    let base = format!("https://github.com/example/imgctl/releases/download/v9.9.9/{asset}");
    assert_eq!(
        std::fs::read_to_string(&urls)
            .unwrap()
            .lines()
            .collect::<Vec<_>>(),
        [base.clone(), format!("{base}.sha256")]
    );

    // `auto` (the default) takes the release binary when there is one: cargo is not run
    let cargo_log = sb.dir().join("cargo-args");
    std::fs::write(
        shim.join("cargo"),
        format!(
            "#!/bin/sh\necho \"$*\" >> {log}\nroot=\nwhile [ $# -gt 0 ]; do case \"$1\" in --root) root=\"$2\"; shift 2;; *) shift;; esac; done\ncp {bin} \"$root/bin/imgctl\"\n",
            log = cargo_log.display(),
            bin = env!("CARGO_BIN_EXE_imgctl"),
        ),
    )
    .unwrap();
    std::fs::set_permissions(shim.join("cargo"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut auto = inputs.clone();
    auto.remove("install");
    let (status, outputs, log) = run_action(&sb, &auto, &shim);
    assert_eq!(status, 0, "{log}");
    assert_eq!(outputs["digest"], digest);
    assert!(log.contains("installed the imgctl release v9.9.9"), "{log}");
    assert!(!cargo_log.exists(), "cargo ran although the release exists");

    // no release for this version: `auto` builds the action's source with cargo (a stand-in
    // cargo records the call and puts the test's imgctl where `cargo install` would); `release`
    // fails and says what to use instead
    auto.insert("version", "v0.0.0-missing".into());
    let (status, outputs, log) = run_action(&sb, &auto, &shim);
    assert_eq!(status, 0, "{log}");
    assert_eq!(outputs["digest"], digest);
    let cargo_args = std::fs::read_to_string(&cargo_log).unwrap();
    assert!(
        cargo_args.starts_with("install --locked --quiet --root ")
            && cargo_args
                .trim_end()
                .ends_with(&format!("--path {}", env!("CARGO_MANIFEST_DIR"))),
        "{cargo_args}"
    );
    let mut release = auto.clone();
    release.insert("install", "release".into());
    let (status, outputs, log) = run_action(&sb, &release, &shim);
    assert_ne!(status, 0, "{log}");
    assert!(log.contains("install: release failed"), "{log}");
    assert!(outputs.is_empty(), "{outputs:?}");

    // a tampered archive fails the install step, with `auto` too (no fallback); nothing runs
    std::fs::remove_file(&cargo_log).unwrap();
    std::fs::write(files.join(asset), b"not the release").unwrap();
    for install in ["release", "auto"] {
        let mut tampered = inputs.clone();
        tampered.insert("install", install.into());
        let (status, outputs, log) = run_action(&sb, &tampered, &shim);
        assert_ne!(status, 0, "{install}: {log}");
        assert!(
            log.contains("does not match its .sha256"),
            "{install}: {log}"
        );
        assert!(outputs.is_empty(), "{outputs:?}");
        assert!(!cargo_log.exists(), "{install}: fell back to cargo");
    }
}

#[test]
fn release_workflow_builds_every_target_the_action_downloads_on_offered_runners() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.github/workflows/release.yml"
    ))
    .unwrap();
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let matrix: Vec<(String, String)> = doc["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["os"].as_str().unwrap().to_string(),
                e["target"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // the targets the install step maps `uname` to
    let (_, steps) = action();
    let install = &steps[0].run;
    let mut wanted: Vec<String> = install
        .lines()
        .filter_map(|l| l.split_once(") target=").map(|(_, t)| t))
        .map(|t| t.split_whitespace().next().unwrap().to_string())
        .collect();
    wanted.sort();
    // plus the Windows zip, for people: the action's steps are bash for Linux and macOS
    // runners, and on Windows `auto` builds with cargo
    wanted.push("x86_64-pc-windows-msvc".to_string());
    wanted.sort();
    let mut built: Vec<String> = matrix.iter().map(|(_, t)| t.clone()).collect();
    built.sort();
    assert_eq!(built, wanted, "{matrix:?}");
    let windows = matrix.iter().find(|(_, t)| t.ends_with("-windows-msvc"));
    assert!(
        windows.is_some_and(|(os, _)| os.starts_with("windows-")),
        "{matrix:?}"
    );
    assert!(
        text.contains(".zip") && text.contains("imgctl.exe"),
        "{text}"
    );
    // GitHub retired these images (macOS 13 in December 2025, macOS 14 in November 2026):
    // a job asking for one is never picked up
    for (os, target) in &matrix {
        assert!(
            !["macos-12", "macos-13", "macos-14", "ubuntu-20.04"].contains(&os.as_str()),
            "{target} is built on the retired runner image {os}"
        );
        // the hosted macOS labels without -intel are Apple silicon
        if target == "x86_64-apple-darwin" {
            assert!(os.ends_with("-intel"), "{target} on {os}");
        }
        if target == "aarch64-apple-darwin" {
            assert!(!os.contains("intel"), "{target} on {os}");
        }
    }
}

/// The workflow of README.md's GitHub Action section (the block starting with
/// `# .github/workflows/mirror.yml`).
fn readme_workflow() -> serde_yaml_ng::Value {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("```yaml\n# .github/workflows/mirror.yml\n")
        .expect("README has the mirror workflow")
        + "```yaml\n".len();
    let end = start + readme[start..].find("\n```").unwrap();
    serde_yaml_ng::from_str(&readme[start..end]).unwrap()
}

/// Replaces the `${{ … }}` expressions of the workflow with `values`; panics on any other.
fn expand_workflow(v: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(i) = rest.find("${{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("}}").unwrap() + i;
        let expr = rest[i + 3..end].trim();
        out.push_str(
            values
                .get(expr)
                .unwrap_or_else(|| panic!("unexpected expression {expr}")),
        );
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The `with:` (inputs) or `env:` of a workflow step, expanded.
fn step_map(
    step: &serde_yaml_ng::Value,
    key: &str,
    values: &BTreeMap<&str, String>,
) -> BTreeMap<String, String> {
    step.get(key)
        .and_then(|m| m.as_mapping())
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_yaml_ng::Value::Number(n) => n.to_string(),
                        v => v.as_str().unwrap().to_string(),
                    };
                    (k.as_str().unwrap().to_string(), expand_workflow(&v, values))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The step of `job` that uses `action` (`actions/upload-artifact@v4`, say).
fn uses<'a>(job: &'a serde_yaml_ng::Value, action: &str) -> &'a serde_yaml_ng::Value {
    job["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["uses"].as_str() == Some(action))
        .unwrap_or_else(|| panic!("no step uses {action}"))
}

#[test]
fn readme_matrix_workflow_runs_one_shard_per_job_and_merges_the_reports() {
    let wf = readme_workflow();
    let src = Registry::start(Mode::Token);
    let dst = Registry::start(Mode::Token);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let mut source = BTreeMap::new();
    for i in 0..6 {
        let tag = format!("v{i}");
        let digest = build_image(
            &layout,
            &tag,
            vec![
                vec![TarEntry::file("etc/os-release", "ID=imgctl-test-base\n")],
                vec![TarEntry::file("app.txt", format!("{i}\n"))],
            ],
            &Platform::default(),
        );
        sb.run_ok(&[
            "-q",
            "--creds",
            &creds(),
            "copy",
            &format!("oci:{}:{tag}", layout.display()),
            &format!("docker://{}", src.reference(&format!("library/app:{tag}"))),
        ]);
        source.insert(dst.reference(&format!("mirror/app:{tag}")), digest);
    }
    // mirror.yaml as README's Sync section has it: Docker Hub's credentials named, the
    // destination's from the action's login.
    let mirror = format!(
        "registries:\n  {s}:\n    credentials:\n      env: DOCKERHUB_CREDS\n\
         mappings:\n  - source: {s}/library/app\n    destination: {d}/mirror/app\n    tags: all\n",
        s = src.host(),
        d = dst.host()
    );
    // imgctl on PATH records its arguments.
    let bin = sb.dir().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let args_log = sb.dir().join("args");
    let wrapper = bin.join("imgctl");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            args_log.display(),
            env!("CARGO_BIN_EXE_imgctl")
        ),
    )
    .unwrap();
    let mut perms = std::fs::metadata(&wrapper).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&wrapper, perms).unwrap();

    let secrets: BTreeMap<&str, String> = [
        ("vars.ACR_USERNAME", USER.to_string()),
        ("secrets.ACR_PASSWORD", PASSWORD.to_string()),
        ("secrets.DOCKERHUB_CREDS", creds()),
    ]
    .into_iter()
    .collect();
    let action_inputs = |step: &serde_yaml_ng::Value, values: &BTreeMap<&str, String>| {
        assert_eq!(step["uses"], "OWNER/imgctl@v1");
        let mut inputs: BTreeMap<String, String> = step_map(step, "with", values);
        if let Some(r) = inputs.get_mut("registry") {
            assert_eq!(r, "myreg.azurecr.io");
            *r = dst.host();
        }
        // The test cannot download a release: the imgctl on PATH.
        assert!(!inputs.contains_key("install"));
        inputs.insert("install".into(), "path".into());
        inputs
    };

    // The matrix: one job per shard, each on a fresh runner.
    let shard_job = &wf["jobs"]["shard"];
    assert_eq!(shard_job["strategy"]["fail-fast"].as_bool(), Some(false));
    let matrix: Vec<u64> = shard_job["strategy"]["matrix"]["shard"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(matrix, [1, 2, 3, 4]);
    let merge_job_runner = Job::new(&sb);
    let reports_dir = merge_job_runner.workspace();
    let sync_step = shard_job["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "sync")
        .unwrap();
    let upload = uses(shard_job, "actions/upload-artifact@v4");
    assert_eq!(
        upload["if"], "${{ !cancelled() }}",
        "a failed shard reports too"
    );
    for k in &matrix {
        let mut values = secrets.clone();
        values.insert("matrix.shard", k.to_string());
        let job = Job::new(&sb);
        std::fs::write(job.workspace().join("mirror.yaml"), &mirror).unwrap();
        let inputs = action_inputs(sync_step, &values);
        let inputs: BTreeMap<&str, String> = inputs
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let env = step_map(sync_step, "env", &values);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let run = run_in_job(&job, &sb, &inputs, &bin, &env);
        assert_eq!(run.status, 0, "shard {k}: {}", run.log);
        // upload-artifact: the report file, under the artifact's name; download-artifact
        // puts each artifact in a directory of that name under `path`.
        let with = step_map(upload, "with", &values);
        assert_eq!(with["path"], inputs["report"]);
        let report = job.workspace().join(&with["path"]);
        let doc: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        assert_eq!(doc["shard"], format!("{k}/4"));
        let download = uses(&wf["jobs"]["report"], "actions/download-artifact@v4");
        let dwith = step_map(download, "with", &values);
        let prefix = dwith["pattern"].strip_suffix('*').unwrap();
        assert!(with["name"].starts_with(prefix), "{with:?} {dwith:?}");
        let into = reports_dir.join(&dwith["path"]).join(&with["name"]);
        std::fs::create_dir_all(&into).unwrap();
        std::fs::copy(&report, into.join(&with["path"])).unwrap();
    }
    let args = std::fs::read_to_string(&args_log).unwrap();
    let shards: Vec<&str> = args
        .lines()
        .filter_map(|l| {
            l.split_once("--shard ")
                .map(|(_, r)| r.split(' ').next().unwrap())
        })
        .collect();
    assert_eq!(shards, ["1/4", "2/4", "3/4", "4/4"], "{args}");

    // The report job: after every shard, also a failed one; merges the artifacts.
    let report_job = &wf["jobs"]["report"];
    assert_eq!(report_job["needs"], "shard");
    assert_eq!(report_job["if"], "${{ !cancelled() }}");
    let merge_step = report_job["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "merge")
        .unwrap();
    let inputs = action_inputs(merge_step, &secrets);
    let inputs: BTreeMap<&str, String> = inputs
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let run = run_in_job(&merge_job_runner, &sb, &inputs, &bin, &[]);
    assert_eq!(run.status, 0, "{}", run.log);
    let last = std::fs::read_to_string(&args_log).unwrap();
    let merge_args = last.lines().last().unwrap();
    assert!(merge_args.contains("sync --merge-reports"), "{merge_args}");
    assert_eq!(
        merge_args.matches("sync-report.json").count(),
        4,
        "{merge_args}"
    );
    assert_eq!(run.outputs["failed"], "0", "{:?}", run.outputs);
    let digests: BTreeMap<String, String> = serde_json::from_str(&run.outputs["digests"]).unwrap();
    assert_eq!(
        digests, source,
        "every image of every shard, with its digest"
    );
    let result: Value = serde_json::from_str(&run.outputs["result"]).unwrap();
    assert_eq!(result["shard"], "merged");
    assert_eq!(result["summary"]["planned"], 6);
    assert_eq!(result["summary"]["copied"], 6);

    // The summary step: bash, as the runner's default shell runs it.
    let summary_step = report_job["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s.get("run").is_some())
        .unwrap();
    assert_eq!(summary_step["if"], "${{ !cancelled() }}");
    let mut values = secrets.clone();
    values.insert("steps.merge.outputs.result", run.outputs["result"].clone());
    let env = step_map(summary_step, "env", &values);
    let summary_file = sb.dir().join("step-summary.md");
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-e", "-c"])
        .arg(summary_step["run"].as_str().unwrap())
        .envs(env)
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let summary = std::fs::read_to_string(&summary_file).unwrap();
    assert_eq!(summary, "mirror: 6 copied, 0 skipped, 0 failed\n");
}
