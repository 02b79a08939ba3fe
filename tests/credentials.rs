//! Credentials end to end (issue 3) with real components: `imgctl login` → push → pull →
//! logout against the TLS+htpasswd and token registries, with the secret in the kernel keyring
//! (`keyctl session`) or the Secret Service (`gnome-keyring-daemon` under `dbus-run-session`);
//! docker `config.json` / containers `auth.json` sources with a credential helper and identity
//! tokens; scope enforcement; and leak checks over every output and file written.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::*;
use serde_json::Value;

/// `sb.cmd()` wrapped as `keyctl session - imgctl …` (a fresh session keyring; the user's
/// persistent keyring is linked in by the keyutils store), with no D-Bus session, so the
/// kernel keyring is the keychain imgctl finds.
fn keyctl_cmd(sb: &Imgctl) -> Command {
    let inner = sb.cmd();
    let mut c = Command::new("keyctl");
    c.args(["session", "-"]).arg(inner.get_program());
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c.env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("IMGCTL_KEYCHAIN")
        .env_remove("IMGCTL_USERNAME")
        .env_remove("IMGCTL_PASSWORD");
    c
}

/// Every regular file under `dir` with its bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() {
                out.push((p.clone(), std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Asserts that none of `secrets`, and nothing that looks like a JWT (`eyJ` base64 JSON), is in
/// `outputs` or in any file under `dir`.
fn assert_no_leak(dir: &Path, outputs: &[&[u8]], secrets: &[&str]) {
    let mut hay: Vec<(String, Vec<u8>)> = outputs
        .iter()
        .enumerate()
        .map(|(i, o)| (format!("output #{i}"), o.to_vec()))
        .collect();
    for (p, b) in files_under(dir) {
        hay.push((p.display().to_string(), b));
    }
    for (name, bytes) in &hay {
        for s in secrets {
            assert!(!contains(bytes, s), "secret leaked into {name}");
        }
        assert!(
            !contains(bytes, "eyJ0eXAiOiJKV1Qi"),
            "a token leaked into {name}"
        );
    }
}

/// Runs `imgctl login` and asserts success.
fn login_ok(c: Command, registry: &str, user: &str, password: &str, extra: &[&str]) -> Output {
    let mut args = vec!["login", registry, "-u", user, "--password-stdin"];
    args.extend_from_slice(extra);
    let out = run_with_stdin(c, &args, Some(&format!("{password}\n")));
    assert!(out.status.success(), "login: {}", describe(&out));
    out
}

fn list_json(sb: &Imgctl) -> Value {
    serde_json::from_str(&sb.run_ok(&["--format", "json", "login", "--list"])).unwrap()
}

#[test]
fn tls_htpasswd_login_push_pull_logout_with_kernel_keyring() {
    let reg = Registry::start(Mode::TlsHtpasswd);
    let sb = Imgctl::new();
    let src = tempfile::tempdir().unwrap();
    let digest = build_standard_image(src.path(), "v1");
    let ca = reg.ca_cert().unwrap();
    let ca = ca.to_str().unwrap();
    let host = reg.host();
    let mut outputs: Vec<Vec<u8>> = Vec::new();

    // a wrong password stores nothing and exits with the auth code
    let out = run_with_stdin(
        keyctl_cmd(&sb),
        &[
            "--ca-file",
            ca,
            "login",
            &host,
            "-u",
            USER,
            "--password-stdin",
        ],
        Some("not-the-password-xyz\n"),
    );
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert!(!text(&out).contains("not-the-password-xyz"));
    assert!(!sb.home().join(".config/imgctl/credentials.json").exists());
    outputs.push(out.stderr);

    let out = login_ok(
        {
            let mut c = keyctl_cmd(&sb);
            c.args(["-vv", "--ca-file", ca]);
            c
        },
        &host,
        USER,
        PASSWORD,
        &[],
    );
    outputs.extend([out.stdout, out.stderr]);
    let list = list_json(&sb);
    assert_eq!(list[0]["registry"], host.as_str(), "{list}");
    assert_eq!(list[0]["username"], USER);
    assert_eq!(list[0]["store"], "keyutils");
    assert!(!list.to_string().contains(PASSWORD));

    // push and pull find the credentials in the keyring
    let layout = format!("oci:{}:v1", src.path().display());
    let target = reg.reference("app:v1");
    for args in [
        vec!["-vv", "--ca-file", ca, "copy", &layout, &target],
        vec!["-vv", "--ca-file", ca, "pull", &target],
    ] {
        let out = run_with_stdin(keyctl_cmd(&sb), &args, None);
        assert!(out.status.success(), "{args:?}: {}", describe(&out));
        assert!(stdout(&out).contains(&digest));
        outputs.extend([out.stdout, out.stderr]);
    }
    let refs: Vec<&[u8]> = outputs.iter().map(|o| o.as_slice()).collect();
    assert_no_leak(sb.dir(), &refs, &[PASSWORD]);

    assert!(
        key_in_kernel_keyring(&host),
        "the secret is not in the kernel keyring"
    );

    // logout: the keyring entry and the index record go; pulls are refused again
    let out = run_with_stdin(keyctl_cmd(&sb), &["logout", &host], None);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(list_json(&sb), serde_json::json!([]));
    let out = run_with_stdin(keyctl_cmd(&sb), &["--ca-file", ca, "pull", &target], None);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert!(
        !key_in_kernel_keyring(&host),
        "the key is still in the keyring"
    );
}

/// Whether imgctl's key for alice at `host` is in the user's persistent keyring
/// (keyutils store description `keyring:USER@imgctl:HOST`).
fn key_in_kernel_keyring(host: &str) -> bool {
    Command::new("keyctl")
        .args(["session", "-", "sh", "-c"])
        .arg(format!(
            "keyctl get_persistent @s >/dev/null; keyctl search @s user 'keyring:{USER}@imgctl:{host}'"
        ))
        .output()
        .unwrap()
        .status
        .success()
}

/// Writes a shell script running each step under one D-Bus session with an unlocked
/// gnome-keyring, recording `NAME.out`, `NAME.err`, `NAME.rc` in `out_dir`.
fn secret_service_script(
    sb: &Imgctl,
    out_dir: &Path,
    steps: &[(&str, Vec<String>, Option<&Path>)],
) -> String {
    let inner = sb.cmd();
    let mut s = String::from("set -u\nexport IMGCTL_KEYCHAIN=auto\n");
    for (k, v) in inner.get_envs() {
        if let Some(v) = v {
            s.push_str(&format!(
                "export {}='{}'\n",
                k.to_string_lossy(),
                v.to_string_lossy()
            ));
        }
    }
    s.push_str("printf %s imgctl-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1\n");
    let bin = inner.get_program().to_string_lossy().into_owned();
    for (name, args, stdin) in steps {
        let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
        let input = stdin
            .map(|p| p.display().to_string())
            .unwrap_or("/dev/null".into());
        let o = out_dir.display();
        s.push_str(&format!(
            "'{bin}' {} <'{input}' >'{o}/{name}.out' 2>'{o}/{name}.err'; echo $? >'{o}/{name}.rc'\n",
            quoted.join(" ")
        ));
    }
    s
}

#[test]
fn token_registry_login_push_pull_logout_with_secret_service_and_no_leaks() {
    let reg = Registry::start(Mode::Token);
    let sb = Imgctl::new();
    let src = tempfile::tempdir().unwrap();
    let digest = build_standard_image(src.path(), "v1");
    let host = reg.host();
    let scratch = tempfile::tempdir().unwrap(); // outside the sandbox: outputs, the stdin file
    let out_dir = scratch.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let pw = scratch.path().join("pw");
    std::fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    let target = reg.reference("private/app:v1");
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    let steps = vec![
        (
            "login",
            s(&["-vv", "login", &host, "-u", USER, "--password-stdin"]),
            Some(pw.as_path()),
        ),
        ("list", s(&["--format", "json", "login", "--list"]), None),
        (
            "push",
            s(&[
                "-vv",
                "copy",
                &format!("oci:{}:v1", src.path().display()),
                &target,
            ]),
            None,
        ),
        ("pull", s(&["-vv", "pull", &target]), None),
        ("logout", s(&["logout", &host]), None),
        ("pull_after", s(&["pull", &target]), None),
    ];
    let script = secret_service_script(&sb, &out_dir, &steps);
    let run = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .output()
        .expect("dbus-run-session (package dbus)");
    let read =
        |n: &str, ext: &str| std::fs::read(out_dir.join(format!("{n}.{ext}"))).unwrap_or_default();
    let rc = |n: &str| String::from_utf8_lossy(&read(n, "rc")).trim().to_string();
    let show = |n: &str| {
        format!(
            "{n}: rc {} out {} err {}\nsession: {}",
            rc(n),
            String::from_utf8_lossy(&read(n, "out")),
            String::from_utf8_lossy(&read(n, "err")),
            describe(&run)
        )
    };
    for n in ["login", "list", "push", "pull", "logout"] {
        assert_eq!(rc(n), "0", "{}", show(n));
    }
    let list: Value = serde_json::from_slice(&read("list", "out")).unwrap();
    assert_eq!(list[0]["store"], "secret-service", "{list}");
    assert!(String::from_utf8_lossy(&read("push", "out")).contains(&digest));
    assert!(String::from_utf8_lossy(&read("pull", "out")).contains(&digest));
    assert_eq!(rc("pull_after"), "3", "{}", show("pull_after"));
    // the token server saw alice, with Basic credentials, on GET
    assert!(
        reg.token_requests()
            .iter()
            .any(|r| r.user.as_deref() == Some(USER) && r.method == "GET")
    );

    let mut outputs = Vec::new();
    for (n, _, _) in &steps {
        outputs.push(read(n, "out"));
        outputs.push(read(n, "err"));
    }
    outputs.push(run.stdout.clone());
    outputs.push(run.stderr.clone());
    let refs: Vec<&[u8]> = outputs.iter().map(|o| o.as_slice()).collect();
    assert_no_leak(sb.dir(), &refs, &[PASSWORD]);
}

#[test]
fn token_scopes_pull_only_user_refused_push_anonymous_public_pull_one_token_mount() {
    let reg = Registry::start(Mode::Token);
    let sb = Imgctl::new();
    let src = tempfile::tempdir().unwrap();
    let digest = build_standard_image(src.path(), "v1");
    let host = reg.host();
    let layout = format!("oci:{}:v1", src.path().display());

    // the pull-only user logs in fine but is refused a push: auth exit code
    login_ok(keyctl_cmd(&sb), &host, READER_USER, READER_PASSWORD, &[]);
    let out = run_with_stdin(
        keyctl_cmd(&sb),
        &["-q", "copy", &layout, &reg.reference("team/a:1")],
        None,
    );
    assert_eq!(code(&out), 3, "{}", describe(&out));

    // alice replaces the reader's login; push, then a mount into another repository
    login_ok(keyctl_cmd(&sb), &host, USER, PASSWORD, &[]);
    assert_eq!(list_json(&sb)[0]["username"], USER);
    let out = run_with_stdin(
        keyctl_cmd(&sb),
        &["-q", "copy", &layout, &reg.reference("team/a:1")],
        None,
    );
    assert!(out.status.success(), "{}", describe(&out));
    reg.token_server().unwrap().clear_requests();
    let out = run_with_stdin(
        keyctl_cmd(&sb),
        &[
            "--format",
            "json",
            "copy",
            &reg.reference("team/a:1"),
            &reg.reference("public/b:1"),
        ],
        None,
    );
    assert!(out.status.success(), "{}", describe(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["blobs"]["mounted"], 3, "{r}");
    let reqs = reg.token_requests();
    assert!(
        reqs.iter()
            .any(|t| t.scopes.contains(&"repository:team/a:pull".to_string())
                && t.scopes
                    .contains(&"repository:public/b:pull,push".to_string())
                && t.status == 200
                && t.user.as_deref() == Some(USER)),
        "{reqs:?}"
    );
    run_with_stdin(keyctl_cmd(&sb), &["logout", "--all"], None);
    assert_eq!(list_json(&sb), serde_json::json!([]));

    // anonymous: public pull works, private does not
    let anon = Imgctl::new();
    let out = anon.run_ok(&["-q", "pull", &reg.reference("public/b:1")]);
    assert_eq!(out.trim(), digest);
    let out = anon.run(&["-q", "pull", &reg.reference("team/a:1")]);
    assert_eq!(code(&out), 3, "{}", describe(&out));
}

/// A `docker-credential-imgtest` helper speaking the protocol: answers `get` for `host` with
/// alice's credentials, "credentials not found" otherwise. Returns the dir to put on PATH.
fn helper_fixture(dir: &Path, host: &str) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let p = bin.join("docker-credential-imgtest");
    std::fs::write(
        &p,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread -r url\nif [ \"$url\" = '{host}' ]; then\n  printf '{{\"ServerURL\":\"%s\",\"Username\":\"{USER}\",\"Secret\":\"%s\"}}' \"$url\" \"$HELPER_SECRET\"\nelse\n  echo 'credentials not found in native keychain'; exit 1\nfi\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

fn with_path(mut c: Command, bin: &Path) -> Command {
    let path = std::env::var("PATH").unwrap_or_default();
    c.env("PATH", format!("{}:{path}", bin.display()))
        .env("HELPER_SECRET", PASSWORD)
        .env("IMGCTL_KEYCHAIN", "none");
    c
}

#[test]
fn docker_config_helpers_auth_json_and_identity_tokens() {
    let reg = Registry::start(Mode::Token);
    let host = reg.host();
    let seed = Imgctl::new();
    let src = tempfile::tempdir().unwrap();
    let digest = build_standard_image(src.path(), "v1");
    seed.run_ok(&[
        "-q",
        "--creds",
        &format!("{USER}:{PASSWORD}"),
        "copy",
        &format!("oci:{}:v1", src.path().display()),
        &reg.reference("private/app:1"),
    ]);
    let target = reg.reference("private/app:1");
    let pull = |sb: &Imgctl, bin: &Path| {
        let out = run_with_stdin(with_path(sb.cmd(), bin), &["-q", "pull", &target], None);
        (code(&out), text(&out))
    };

    // credHelpers for the host, through the helper protocol
    let sb = Imgctl::new();
    let bin = helper_fixture(sb.dir(), &host);
    let cfg = sb.home().join(".docker/config.json");
    std::fs::write(
        &cfg,
        format!(r#"{{"auths":{{"{host}":{{}}}},"credHelpers":{{"{host}":"imgtest"}}}}"#),
    )
    .unwrap();
    let (c, t) = pull(&sb, &bin);
    assert_eq!(c, 0, "{t}");
    assert!(t.contains(&digest));

    // a missing helper: a warning, then the inline entry (an empty one shadows nothing)
    let auth = base64_encode(&format!("{USER}:{PASSWORD}"));
    std::fs::write(
        &cfg,
        format!(r#"{{"auths":{{"http://{host}/":{{}},"{host}":{{"auth":"{auth}"}}}},"credHelpers":{{"{host}":"missing-helper"}}}}"#),
    )
    .unwrap();
    let (c, t) = pull(&sb, &bin);
    assert_eq!(c, 0, "{t}");
    assert!(t.contains("docker-credential-missing-helper"), "{t}");
    assert!(!t.contains(PASSWORD));

    // containers auth.json via REGISTRY_AUTH_FILE when docker's config has nothing
    std::fs::write(&cfg, "{}").unwrap();
    let authfile = sb.dir().join("auth.json");
    std::fs::write(
        &authfile,
        format!(r#"{{"auths":{{"{host}":{{"auth":"{auth}"}}}}}}"#),
    )
    .unwrap();
    let mut cmd = with_path(sb.cmd(), &bin);
    cmd.env("REGISTRY_AUTH_FILE", &authfile);
    let out = run_with_stdin(cmd, &["-q", "pull", &target], None);
    assert!(out.status.success(), "{}", describe(&out));
    std::fs::remove_file(&authfile).unwrap();

    // an identity token (OAuth2 refresh token) in config.json: POST grant_type=refresh_token
    let rt = refresh_token(&reg);
    std::fs::write(
        &cfg,
        format!(r#"{{"auths":{{"{host}":{{"identitytoken":"{rt}"}}}}}}"#),
    )
    .unwrap();
    reg.token_server().unwrap().clear_requests();
    let out = run_with_stdin(with_path(sb.cmd(), &bin), &["-vv", "pull", &target], None);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!text(&out).contains(&rt), "refresh token leaked");
    let reqs = reg.token_requests();
    assert!(
        reqs.iter()
            .all(|r| r.method == "POST" && r.grant_type.as_deref() == Some("refresh_token")),
        "{reqs:?}"
    );

    // a token endpoint without OAuth2 POST: 404, then GET (refused here: exit 3)
    reg.token_server()
        .unwrap()
        .update_config(|c| c.allow_post = false);
    reg.token_server().unwrap().clear_requests();
    let out = run_with_stdin(with_path(sb.cmd(), &bin), &["pull", &target], None);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    let reqs = reg.token_requests();
    assert_eq!(
        reqs.first().map(|r| (r.method.as_str(), r.status)),
        Some(("POST", 404)),
        "{reqs:?}"
    );
    assert!(reqs.iter().any(|r| r.method == "GET"), "{reqs:?}");
    // an identity token has no account: the GET goes anonymously, never as Basic `<token>:…`
    assert!(
        reqs.iter()
            .filter(|r| r.method == "GET")
            .all(|r| !r.authorization),
        "{reqs:?}"
    );
}

#[test]
fn identity_token_login_keeps_docker_s_form_in_config_json() {
    let reg = Registry::start(Mode::Token);
    let host = reg.host();
    let sb = Imgctl::new();
    let src = tempfile::tempdir().unwrap();
    let digest = build_standard_image(src.path(), "v1");
    sb.run_ok(&[
        "-q",
        "--creds",
        &format!("{USER}:{PASSWORD}"),
        "copy",
        &format!("oci:{}:v1", src.path().display()),
        &reg.reference("private/app:1"),
    ]);
    let nokc = || {
        let mut c = sb.cmd();
        c.env("IMGCTL_KEYCHAIN", "none")
            .env_remove("IMGCTL_USERNAME")
            .env_remove("IMGCTL_PASSWORD");
        c
    };
    let rt = refresh_token(&reg);
    reg.token_server().unwrap().clear_requests();
    let out = run_with_stdin(
        nokc(),
        &[
            "login",
            &host,
            "--identity-token-stdin",
            "--to-docker-config",
        ],
        Some(&format!("{rt}\n")),
    );
    assert!(out.status.success(), "login: {}", describe(&out));
    // the login check exchanged the refresh token (POST), nothing else
    let reqs = reg.token_requests();
    assert!(
        !reqs.is_empty()
            && reqs.iter().all(|r| r.method == "POST"
                && r.grant_type.as_deref() == Some("refresh_token")
                && r.status == 200),
        "{reqs:?}"
    );
    // docker's form: the marker user with an empty password in `auth`, the token beside it
    let cfg = sb.home().join(".docker/config.json");
    let v: Value = serde_json::from_slice(&std::fs::read(&cfg).unwrap()).unwrap();
    assert_eq!(
        v["auths"][host.as_str()],
        serde_json::json!({"auth": base64_encode("<token>:"), "identitytoken": rt}),
        "{v}"
    );
    let list = list_json(&sb);
    assert_eq!(
        (list[0]["username"].as_str(), list[0]["store"].as_str()),
        (Some("<token>"), Some("docker-config")),
        "{list}"
    );
    // a pull reads it back as an identity token: POST refresh_token only, nothing leaked
    reg.token_server().unwrap().clear_requests();
    let out = run_with_stdin(
        nokc(),
        &["-vv", "pull", &reg.reference("private/app:1")],
        None,
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert!(text(&out).contains(&digest), "{}", describe(&out));
    assert!(!text(&out).contains(&rt), "refresh token leaked");
    let reqs = reg.token_requests();
    assert!(
        !reqs.is_empty()
            && reqs
                .iter()
                .all(|r| r.method == "POST" && r.grant_type.as_deref() == Some("refresh_token")),
        "{reqs:?}"
    );
}

/// Gets a refresh token for alice from the token server (password grant, offline access).
fn refresh_token(reg: &Registry) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let body = reqwest::Client::new()
            .post(reg.token_realm().unwrap())
            .form(&[
                ("grant_type", "password"),
                ("username", USER),
                ("password", PASSWORD),
                ("service", TOKEN_SERVICE),
                ("client_id", "test"),
                ("access_type", "offline"),
            ])
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        v["refresh_token"].as_str().unwrap().to_string()
    })
}

fn base64_encode(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn without_a_keychain_login_refuses_on_request_and_writes_docker_config() {
    let reg = Registry::start(Mode::TlsHtpasswd);
    let sb = Imgctl::new();
    let ca = reg.ca_cert().unwrap();
    let ca = ca.to_str().unwrap();
    let host = reg.host();
    let nokc = || {
        let mut c = sb.cmd();
        c.env("IMGCTL_KEYCHAIN", "none").args(["--ca-file", ca]);
        c
    };
    // IMGCTL_KEYCHAIN=none with the fallback refused: nothing stored
    let out = run_with_stdin(
        nokc(),
        &[
            "login",
            &host,
            "-u",
            USER,
            "--password-stdin",
            "--require-keychain",
        ],
        Some(PASSWORD),
    );
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(
        text(&out).contains("no keychain is reachable"),
        "{}",
        describe(&out)
    );
    assert!(
        text(&out).contains("--to-docker-config"),
        "{}",
        describe(&out)
    );
    let cfg = sb.home().join(".docker/config.json");
    assert!(!cfg.exists());
    assert!(!sb.home().join(".config/imgctl/credentials.json").exists());

    login_ok(nokc(), &host, USER, PASSWORD, &["--to-docker-config"]);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&cfg).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let v: Value = serde_json::from_slice(&std::fs::read(&cfg).unwrap()).unwrap();
    assert!(v["auths"][host.as_str()]["auth"].is_string(), "{v}");
    assert_eq!(list_json(&sb)[0]["store"], "docker-config");
    // used by a pull, removed by logout
    let src = tempfile::tempdir().unwrap();
    build_standard_image(src.path(), "v1");
    let out = run_with_stdin(
        nokc(),
        &[
            "-q",
            "copy",
            &format!("oci:{}:v1", src.path().display()),
            &reg.reference("x:1"),
        ],
        None,
    );
    assert!(out.status.success(), "{}", describe(&out));
    let out = run_with_stdin(nokc(), &["logout", &host], None);
    assert!(out.status.success(), "{}", describe(&out));
    let v: Value = serde_json::from_slice(&std::fs::read(&cfg).unwrap()).unwrap();
    assert!(v["auths"].as_object().unwrap().is_empty(), "{v}");
    // -p works but warns
    let out = run_with_stdin(
        nokc(),
        &[
            "login",
            &host,
            "-u",
            USER,
            "-p",
            PASSWORD,
            "--to-docker-config",
        ],
        None,
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert!(stderr(&out).contains("insecure"));
    // docker.io spellings are one entry
    let out = run_with_stdin(nokc(), &["logout", "https://index.docker.io/v1/"], None);
    assert!(out.status.success());
    assert!(stderr(&out).contains("not logged in to docker.io"));
}

#[test]
fn an_invalid_keychain_choice_is_a_usage_error_before_any_request() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let before = reg.access_log().len();
    for bad in ["bogus", "keychain"] {
        let mut c = sb.cmd();
        c.env("IMGCTL_KEYCHAIN", bad);
        let out = run_with_stdin(
            c,
            &["login", &reg.host(), "-u", USER, "--password-stdin"],
            Some(PASSWORD),
        );
        assert_eq!(code(&out), 2, "{bad}: {}", describe(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("invalid IMGCTL_KEYCHAIN value \"{bad}\""))
                && err.contains("auto, none, secret-service, keyutils"),
            "{err}"
        );
    }
    // The registry saw nothing, and nothing was stored.
    assert_eq!(reg.access_log().len(), before, "{:?}", reg.access_log());
    assert!(!sb.home().join(".config/imgctl/credentials.json").exists());
    assert!(!sb.home().join(".docker/config.json").exists());
}

/// Files holding secrets stay 0600 whatever the umask (layouts and archives follow the umask;
/// these never do): docker's `config.json` written by `login --to-docker-config`, also when it
/// replaces a world-readable one, and imgctl's credential index (in a 0700 directory).
#[test]
fn secret_files_stay_0600_under_any_umask() {
    use std::os::unix::fs::PermissionsExt;
    let reg = Registry::start(Mode::TlsHtpasswd);
    let sb = Imgctl::new();
    let ca = reg.ca_cert().unwrap();
    let host = reg.host();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let cfg = sb.home().join(".docker/config.json");
    std::fs::write(&cfg, "{}").unwrap();
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut c = sb.cmd();
    c.env("IMGCTL_KEYCHAIN", "none")
        .args(["--ca-file", ca.to_str().unwrap()]);
    login_ok(
        with_umask(&c, "000"),
        &host,
        USER,
        PASSWORD,
        &["--to-docker-config"],
    );
    let index_dir = sb.home().join(".config/imgctl");
    for (file, want) in [
        (cfg.clone(), 0o600),
        (index_dir.join("credentials.json"), 0o600),
        (index_dir.clone(), 0o700),
    ] {
        assert_eq!(mode(&file), want, "{}", file.display());
    }
    let v: Value = serde_json::from_slice(&std::fs::read(&cfg).unwrap()).unwrap();
    assert!(v["auths"][host.as_str()]["auth"].is_string(), "{v}");
    // logout rewrites both: still 0600.
    let out = run_with_stdin(with_umask(&c, "000"), &["logout", &host], None);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(mode(&cfg), 0o600);
    assert_eq!(mode(&index_dir.join("credentials.json")), 0o600);
}

#[test]
fn login_takes_creds_and_the_environment_like_every_command() {
    let reg = Registry::start(Mode::TlsHtpasswd);
    let sb = Imgctl::new();
    let ca = reg.ca_cert().unwrap();
    let host = reg.host();
    let cfg = sb.home().join(".docker/config.json");
    let cmd = || {
        let mut c = sb.cmd();
        c.env("IMGCTL_KEYCHAIN", "none")
            .env_remove("IMGCTL_USERNAME")
            .env_remove("IMGCTL_PASSWORD")
            .arg("--ca-file")
            .arg(&ca);
        c
    };
    let stored = || -> String {
        let v: Value = serde_json::from_slice(&std::fs::read(&cfg).unwrap()).unwrap();
        v["auths"][host.as_str()]["auth"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let good = base64_encode(&format!("{USER}:{PASSWORD}"));
    let creds = format!("{USER}:{PASSWORD}");

    // --creds USER:PASS: verified, stored, "Login Succeeded".
    let out = run_with_stdin(
        cmd(),
        &["--creds", &creds, "login", &host, "--to-docker-config"],
        None,
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(stdout(&out), "Login Succeeded\n");
    assert_eq!(stored(), good);
    assert_no_leak(
        sb.dir().join("store").as_path(),
        &[&out.stdout, &out.stderr],
        &[PASSWORD],
    );
    run_with_stdin(cmd(), &["logout", &host], None);
    assert_eq!(stored(), "");

    // IMGCTL_USERNAME + IMGCTL_PASSWORD: the same (JSON names the account).
    let mut c = cmd();
    c.env("IMGCTL_USERNAME", USER)
        .env("IMGCTL_PASSWORD", PASSWORD);
    let out = run_with_stdin(
        c,
        &["--format", "json", "login", &host, "--to-docker-config"],
        None,
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["username"], USER, "{v}");
    assert_eq!(v["registry"], host.as_str(), "{v}");
    assert_eq!(stored(), good);
    assert!(!text(&out).contains(PASSWORD), "{}", describe(&out));

    // Wrong credentials from the environment are refused by the registry: exit 3, and the
    // stored ones stay as they were.
    let mut c = cmd();
    c.env("IMGCTL_USERNAME", USER)
        .env("IMGCTL_PASSWORD", "not-the-password");
    let out = run_with_stdin(c, &["login", &host, "--to-docker-config"], None);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert_eq!(stored(), good);

    // Login's own flags win over the environment.
    let mut c = cmd();
    c.env("IMGCTL_USERNAME", "bob")
        .env("IMGCTL_PASSWORD", "not-the-password");
    login_ok(c, &host, USER, PASSWORD, &["--to-docker-config"]);
    assert_eq!(stored(), good);

    // --creds USER without a password and no terminal: a usage error, nothing sent.
    let before = reg.access_log().len();
    let out = run_with_stdin(cmd(), &["--creds", USER, "login", &host], None);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert_eq!(reg.access_log().len(), before);
    // Nothing at all: the error says where credentials can come from.
    let out = run_with_stdin(cmd(), &["login", &host], None);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(text(&out).contains("IMGCTL_USERNAME"), "{}", describe(&out));
}

#[test]
fn logout_prints_one_json_document_and_quiet_keeps_only_results() {
    let tls = Registry::start(Mode::TlsHtpasswd);
    let plain = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let ca = tls.ca_cert().unwrap();
    let (a, b) = (tls.host(), plain.host());
    let cmd = || {
        let mut c = sb.cmd();
        c.env("IMGCTL_KEYCHAIN", "none")
            .env_remove("IMGCTL_USERNAME")
            .env_remove("IMGCTL_PASSWORD")
            .arg("--ca-file")
            .arg(&ca);
        c
    };
    let run = |args: &[&str]| {
        let out = run_with_stdin(cmd(), args, None);
        assert_eq!(code(&out), 0, "{args:?}: {}", describe(&out));
        (stdout(&out), stderr(&out))
    };
    let json = |args: &[&str]| -> Value {
        let (out, _) = run(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
    };

    // Not logged in: removed false; the note on stderr, which -q silences.
    assert_eq!(
        json(&["--format", "json", "logout", &a]),
        serde_json::json!({"registry": a, "removed": false})
    );
    let (out, err) = run(&["logout", &a]);
    assert_eq!(
        (out.as_str(), err.trim()),
        ("", format!("not logged in to {a}").as_str())
    );
    assert_eq!(run(&["-q", "logout", &a]), (String::new(), String::new()));

    // -q login keeps its result on stdout ("Login Succeeded", as docker prints).
    let login = |host: &str| {
        let out = run_with_stdin(
            cmd(),
            &[
                "-q",
                "login",
                host,
                "-u",
                USER,
                "--password-stdin",
                "--to-docker-config",
            ],
            Some(PASSWORD),
        );
        assert_eq!(code(&out), 0, "{}", describe(&out));
        assert_eq!(stdout(&out), "Login Succeeded\n");
        assert!(!text(&out).contains("Removed"), "{}", describe(&out));
    };
    login(&a);
    // -q logout keeps its result too, and prints nothing else.
    assert_eq!(
        run(&["-q", "logout", &a]),
        (
            format!("Removed login credentials for {a}\n"),
            String::new()
        )
    );

    // JSON: one document per run; --all gives a list (empty when nothing is stored).
    login(&a);
    login(&b);
    assert_eq!(
        json(&["--format", "json", "logout", &b]),
        serde_json::json!({"registry": b, "removed": true})
    );
    login(&b);
    let mut all = json(&["--format", "json", "logout", "--all"]);
    let list = all.as_array_mut().unwrap();
    list.sort_by_key(|v| v["registry"].as_str().unwrap().to_string());
    let mut want = vec![
        serde_json::json!({"registry": a, "removed": true}),
        serde_json::json!({"registry": b, "removed": true}),
    ];
    want.sort_by_key(|v| v["registry"].as_str().unwrap().to_string());
    assert_eq!(*list, want);
    assert_eq!(
        json(&["--format", "json", "logout", "--all"]),
        serde_json::json!([])
    );
    let (out, err) = run(&["--format", "json", "-q", "logout", &b]);
    assert_eq!(err, "");
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap(),
        serde_json::json!({"registry": b, "removed": false})
    );
}

/// containers auth.json namespaces (issue 10 item 10): a `registry/namespace` key's account is
/// used for the repositories inside it, the registry's own key elsewhere, and a namespace key
/// never lends its account to another namespace.
#[test]
fn auth_json_namespace_keys_most_specific_first_then_the_host() {
    let reg = Registry::start(Mode::Token);
    let host = reg.host();
    let sb = Imgctl::new();
    let src = tempfile::tempdir().unwrap();
    let digest = build_standard_image(src.path(), "v1");
    let layout = format!("oci:{}:v1", src.path().display());
    let authfile = sb.dir().join("auth.json");
    let reader = base64_encode(&format!("{READER_USER}:{READER_PASSWORD}"));
    let alice = base64_encode(&format!("{USER}:{PASSWORD}"));
    let push = |repo: &str| {
        reg.token_server().unwrap().clear_requests();
        let mut c = sb.cmd();
        c.env("IMGCTL_KEYCHAIN", "none")
            .env("REGISTRY_AUTH_FILE", &authfile)
            .env_remove("IMGCTL_USERNAME")
            .env_remove("IMGCTL_PASSWORD");
        let out = run_with_stdin(c, &["-q", "copy", &layout, &reg.reference(repo)], None);
        let users: Vec<Option<String>> = reg.token_requests().into_iter().map(|r| r.user).collect();
        (out, users)
    };

    // host → the pull-only reader, host/team → alice
    std::fs::write(
        &authfile,
        format!(
            r#"{{"auths":{{"{host}":{{"auth":"{reader}"}},"{host}/team":{{"auth":"{alice}"}}}}}}"#
        ),
    )
    .unwrap();
    let (out, users) = push("team/app:v1");
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), digest);
    assert!(
        !users.is_empty() && users.iter().all(|u| u.as_deref() == Some(USER)),
        "{users:?}"
    );
    let (out, users) = push("other/app:v1");
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert!(
        !users.is_empty() && users.iter().all(|u| u.as_deref() == Some(READER_USER)),
        "{users:?}"
    );

    // only a namespace key: other namespaces are anonymous, not alice
    std::fs::write(
        &authfile,
        format!(r#"{{"auths":{{"{host}/team/app":{{"auth":"{alice}"}}}}}}"#),
    )
    .unwrap();
    let (out, users) = push("team/app2:v1");
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert!(
        !users.is_empty() && users.iter().all(|u| u.is_none()),
        "{users:?}"
    );
    let requests = reg.token_requests();
    assert!(requests.iter().all(|r| !r.authorization), "{requests:?}");
    let (out, users) = push("team/app:v2");
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        users.iter().all(|u| u.as_deref() == Some(USER)),
        "{users:?}"
    );
}

/// `sb.cmd()` on a headless box: no D-Bus session (no Secret Service) and a kernel keyring
/// imgctl may not use (a fresh session keyring whose permissions are all revoked, as where
/// a seccomp profile blocks `keyctl`).
fn headless_cmd(sb: &Imgctl) -> Command {
    let inner = sb.cmd();
    let mut c = Command::new("keyctl");
    c.args([
        "session",
        "-",
        "sh",
        "-c",
        "keyctl setperm @s 0 && exec \"$@\"",
        "sh",
    ])
    .arg(inner.get_program());
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c.env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("IMGCTL_KEYCHAIN")
        .env_remove("IMGCTL_REQUIRE_KEYCHAIN")
        .env_remove("IMGCTL_USERNAME")
        .env_remove("IMGCTL_PASSWORD");
    c
}

/// `login` on a headless box (issue 9 item 12): the secret goes to docker's config.json (0600)
/// with a loud warning (where, not encrypted, how to avoid it), and push finds it there;
/// `--require-keychain` or `IMGCTL_REQUIRE_KEYCHAIN` refuse the fallback and store nothing.
/// In the kernel keyring, login says it does not survive a reboot and expires when unused.
#[test]
fn headless_login_falls_back_to_docker_config_loudly_unless_refused() {
    let reg = Registry::start(Mode::TlsHtpasswd);
    let sb = Imgctl::new();
    let ca = reg.ca_cert().unwrap();
    let ca = ca.to_str().unwrap();
    let host = reg.host();
    let cfg = sb.home().join(".docker/config.json");
    let index = sb.home().join(".config/imgctl/credentials.json");
    let login = |mut c: Command, extra: &[&str]| {
        c.args(["--ca-file", ca]);
        let mut args = vec!["login", host.as_str(), "-u", USER, "--password-stdin"];
        args.extend_from_slice(extra);
        run_with_stdin(c, &args, Some(PASSWORD))
    };
    let stored_auth = || -> Option<String> {
        let v: Value = serde_json::from_slice(&std::fs::read(&cfg).ok()?).ok()?;
        v["auths"][host.as_str()]["auth"]
            .as_str()
            .map(str::to_string)
    };

    // refused fallback: the flag, the environment setting, a keychain named explicitly;
    // nothing stored
    for (extra, env) in [
        (vec!["--require-keychain"], None),
        (vec![], Some(("IMGCTL_REQUIRE_KEYCHAIN", "1"))),
        (vec![], Some(("IMGCTL_REQUIRE_KEYCHAIN", "true"))),
        (vec![], Some(("IMGCTL_KEYCHAIN", "keyutils"))),
    ] {
        let mut c = headless_cmd(&sb);
        if let Some((k, v)) = env {
            c.env(k, v);
        }
        let out = login(c, &extra);
        assert_eq!(code(&out), 1, "{extra:?} {env:?}: {}", describe(&out));
        let err = stderr(&out);
        assert!(
            err.contains("no keychain is reachable (")
                && err.contains("keyutils: ")
                && err.contains("were not stored"),
            "{err}"
        );
        assert!(err.contains("hint: "), "{err}");
        assert_eq!(stored_auth(), None);
        assert!(!index.exists());
    }

    // the fallback: stored in config.json, 0600, and said loudly
    let out = login(headless_cmd(&sb), &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(stdout(&out), "Login Succeeded\n");
    let err = stderr(&out);
    assert!(
        err.contains("warning: no keychain is reachable (secret-service: ") && err.contains(&format!(
            "credentials for {host} stored in {} instead, base64-encoded and NOT encrypted (mode 0600)",
            cfg.display()
        )) && err.contains("--require-keychain")
            && err.contains("IMGCTL_REQUIRE_KEYCHAIN"),
        "{err}"
    );
    assert!(!err.contains(PASSWORD), "{err}");
    assert_eq!(
        stored_auth(),
        Some(base64_encode(&format!("{USER}:{PASSWORD}")))
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&cfg).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(list_json(&sb)[0]["store"], "docker-config");
    // a later command on the same box finds the credentials
    let src = tempfile::tempdir().unwrap();
    let digest = build_standard_image(src.path(), "v1");
    let mut c = headless_cmd(&sb);
    c.args(["--ca-file", ca]);
    let out = run_with_stdin(
        c,
        &[
            "-q",
            "copy",
            &format!("oci:{}:v1", src.path().display()),
            &reg.reference("app:v1"),
        ],
        None,
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), digest);
    run_with_stdin(headless_cmd(&sb), &["logout", &host], None);
    assert_eq!(stored_auth(), None);

    // the kernel keyring: login says how long the secret lives
    let secs: u64 = std::fs::read_to_string("/proc/sys/kernel/keys/persistent_keyring_expiry")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let out = login(keyctl_cmd(&sb), &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(list_json(&sb)[0]["store"], "keyutils");
    let err = stderr(&out);
    let days = secs / 86_400;
    let expiry = if secs.is_multiple_of(86_400) {
        format!("{days} day{}", if days == 1 { "" } else { "s" })
    } else {
        String::new()
    };
    assert!(
        err.contains("note: the secret is in the kernel keyring, which does not survive a reboot and expires after ")
            && err.contains(&format!("{expiry} unused (/proc/sys/kernel/keys/persistent_keyring_expiry)")),
        "{err}"
    );
    assert_eq!(
        stored_auth(),
        None,
        "a keyring login also wrote config.json"
    );
    run_with_stdin(keyctl_cmd(&sb), &["logout", &host], None);
}
