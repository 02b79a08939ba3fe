//! Bearer token lifecycle (issue 3, "Token flows") against the real token-auth registry: a
//! token is renewed before it expires during an operation that outlives it, and a 401 in the
//! middle of a transfer (a revoked or expired token; answered by the fault proxy with the
//! registry's Bearer challenge) is answered by requesting a new token once.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use common::*;
use proxy::{Fault, FaultProxy};

/// A token registry holding `app:v1` (three blobs: config and two layers), a proxy in front of
/// it, and the sandbox whose `src` layout holds the image. Returns the image digest and its
/// layer digests.
fn setup(ttl_secs: u64) -> (Registry, FaultProxy, Imgctl, String, Vec<String>) {
    let reg = Registry::start_token(TokenConfig {
        ttl_secs,
        ..TokenConfig::default()
    });
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_random_image(&src, "v1", 2, 64 * 1024, 11);
    let layers = read_json_blob(&src, &digest)["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap().to_string())
        .collect();
    let proxy = FaultProxy::start(&reg.host());
    (reg, proxy, sb, digest, layers)
}

/// Token requests that were granted.
fn granted(reg: &Registry) -> usize {
    reg.token_requests()
        .iter()
        .filter(|r| r.status == 200)
        .count()
}

#[test]
fn token_is_renewed_before_it_expires_during_a_long_push() {
    let (reg, proxy, sb, digest, _) = setup(2);
    // Every blob check is answered "busy, retry in 1 s" once: with --jobs 1 the push of three
    // blobs takes over 3 s, longer than the 2 s token.
    proxy.add(
        "HEAD",
        "/blobs/sha256:",
        3,
        Fault::Respond {
            status: 503,
            body: String::new(),
            content_type: "text/plain",
            retry_after: Some(1),
        },
    );
    let from = format!("oci:{}:v1", sb.dir().join("src").display());
    let to = format!("docker://{}", proxy.reference("app:v1"));
    let c = creds();
    let out = sb.run_ok(&[
        "--progress",
        "none",
        "--jobs",
        "1",
        "--creds",
        &c,
        "copy",
        &from,
        &to,
    ]);
    assert_eq!(out.trim(), digest);
    assert_eq!(
        proxy.count("HEAD", "/blobs/sha256:"),
        6,
        "{:?}",
        proxy.seen()
    );
    // Renewed ahead of time: more than one token, and the registry never had to refuse one
    // (its only 401s are the unauthenticated /v2/ pings).
    let tokens = granted(&reg);
    assert!(
        tokens >= 2,
        "one token for a 3 s push: {:?}",
        reg.token_requests()
    );
    let refused: Vec<_> = reg
        .access_log()
        .into_iter()
        .filter(|e| e.status == 401 && e.path != "/v2/")
        .collect();
    assert!(refused.is_empty(), "{refused:?}");
    let (_, got) = skopeo_raw_manifest(
        &format!("docker://{}", reg.reference("app:v1")),
        &reg.skopeo_flags("", Some((USER, PASSWORD))),
    );
    assert_eq!(got, digest);
}

#[test]
fn a_401_mid_transfer_gets_one_new_token() {
    let (reg, proxy, sb, digest, layers) = setup(300);
    let challenge = format!(
        "Bearer realm=\"{}\",service=\"{TOKEN_SERVICE}\",error=\"invalid_token\"",
        reg.token_realm().unwrap()
    );
    let c = creds();
    let from = format!("oci:{}:v1", sb.dir().join("src").display());

    // Push: the monolithic PUT of the second layer is refused once as if the token had
    // expired; the upload goes on with a new token.
    proxy.add(
        "PUT",
        &format!("digest={}", layers[1].replace(':', "%3A")),
        1,
        Fault::Unauthorized {
            challenge: challenge.clone(),
        },
    );
    let to = format!("docker://{}", proxy.reference("app:v1"));
    let out = sb.run_ok(&[
        "--progress",
        "none",
        "--jobs",
        "1",
        "--creds",
        &c,
        "copy",
        &from,
        &to,
    ]);
    assert_eq!(out.trim(), digest);
    assert_eq!(
        proxy
            .seen()
            .iter()
            .filter(|s| s.status == 401 && s.faulted)
            .count(),
        1
    );
    assert_eq!(granted(&reg), 2, "{:?}", reg.token_requests());

    // Pull: the GET of the second layer is refused once; one new token, then the pull
    // completes with every digest verified.
    proxy.clear();
    reg.token_server().unwrap().clear_requests();
    proxy.add(
        "GET",
        &format!("/blobs/{}", layers[1]),
        1,
        Fault::Unauthorized {
            challenge: challenge.clone(),
        },
    );
    let out = sb.run_ok(&[
        "--progress",
        "none",
        "--jobs",
        "1",
        "--creds",
        &c,
        "pull",
        &proxy.reference("app:v1"),
    ]);
    assert_eq!(out.trim(), digest);
    assert_eq!(granted(&reg), 2, "{:?}", reg.token_requests());
    assert_eq!(proxy.count("GET", &format!("/blobs/{}", layers[1])), 2);

    // A registry that refuses every new token too: a bounded number of token requests, then
    // the auth exit code.
    proxy.clear();
    reg.token_server().unwrap().clear_requests();
    proxy.add(
        "PUT",
        "/blobs/uploads/",
        0,
        Fault::Unauthorized { challenge },
    );
    let to = format!("docker://{}", proxy.reference("other:v1"));
    sb.forget_blob_locations(); // uploads, not mounts from app
    let out = sb.run(&[
        "--progress",
        "none",
        "--creds",
        &c,
        "--retries",
        "2",
        "copy",
        &from,
        &to,
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let n = granted(&reg);
    assert!((2..=12).contains(&n), "{n} token requests");
}

/// Runs imgctl in `sb` with `stdin` piped in and no credentials from the environment.
fn run_with_stdin_in(sb: &Imgctl, args: &[&str], stdin: &str) -> std::process::Output {
    let mut c = sb.cmd();
    c.env_remove("IMGCTL_USERNAME")
        .env_remove("IMGCTL_PASSWORD");
    run_with_stdin(c, args, Some(stdin))
}

#[test]
fn username_and_password_stdin_flags_push_to_the_tls_registry() {
    let reg = Registry::start(Mode::TlsHtpasswd);
    let sb = Imgctl::new();
    let layout = sb.dir().join("layout");
    let digest = build_standard_image(&layout, "v1");
    let ca = reg.ca_cert().unwrap();
    let ca = ca.to_str().unwrap();
    let from = format!("oci:{}:v1", layout.display());
    let to = reg.reference("app:v1");
    let push = |extra: &[&str], stdin: &str| {
        let mut args = vec!["-vv", "--progress", "none", "--ca-file", ca];
        args.extend_from_slice(extra);
        args.extend(["push", from.as_str(), to.as_str()]);
        run_with_stdin_in(&sb, &args, stdin)
    };

    // a wrong password: the auth exit code, and the password is in no output
    let wrong = "not-the-password-42";
    let out = push(
        &["--username", USER, "--password-stdin"],
        &format!("{wrong}\n"),
    );
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(!describe(&out).contains(wrong));

    let out = push(
        &["--username", USER, "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), digest);
    let all = describe(&out);
    // -vv shows each HTTP exchange (method, URL without query, status), never a query
    // (upload state) nor a header value
    assert!(
        all.contains("trace: PUT https://") && all.contains("/v2/app/manifests/v1 → 201"),
        "-vv logs: {all}"
    );
    assert!(!all.contains("_state="), "a query was logged: {all}");
    assert!(!all.contains("Basic ") && !all.contains("Bearer "), "{all}");
    assert!(!all.contains(PASSWORD), "password leaked: {all}");
    let (_, got) = skopeo_raw_manifest(
        &format!("docker://{to}"),
        &reg.skopeo_flags("", Some((USER, PASSWORD))),
    );
    assert_eq!(got, digest);

    // usage errors (exit 2): with --creds, one flag without the other, an empty stdin, and a
    // command that reads its own data from stdin
    let creds = format!("{USER}:{PASSWORD}");
    for (extra, stdin) in [
        (
            vec!["--creds", creds.as_str(), "-u", USER, "--password-stdin"],
            PASSWORD,
        ),
        (vec!["--password-stdin"], PASSWORD),
        (vec!["--username", USER], PASSWORD),
        (vec!["--username", USER, "--password-stdin"], ""),
    ] {
        let out = push(&extra, stdin);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", describe(&out));
    }
    let out = run_with_stdin_in(
        &sb,
        &["-u", USER, "--password-stdin", "load", "-i", "/dev/stdin"],
        PASSWORD,
    );
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(describe(&out).contains("reads its data from stdin"));
}

/// Token responses (issue 10 item 11): a `token` field of another JSON type beside a good
/// `access_token` (and the reverse) does not reject the response; the string one is used.
#[test]
fn a_token_field_of_another_type_does_not_reject_the_response() {
    for (field, odd) in [
        ("token", serde_json::json!(12345)),
        ("access_token", serde_json::json!({"not": "a string"})),
    ] {
        let reg = Registry::start_token(TokenConfig {
            response_overrides: vec![(field.to_string(), odd.clone())],
            ..TokenConfig::default()
        });
        let sb = Imgctl::new();
        let src = sb.dir().join("src");
        let digest = build_random_image(&src, "v1", 1, 4096, 3);
        let from = format!("oci:{}:v1", src.display());
        let c = creds();
        let out = sb.run(&[
            "--progress",
            "none",
            "--creds",
            &c,
            "copy",
            &from,
            &reg.reference("app:v1"),
        ]);
        assert!(out.status.success(), "{field}: {}", describe(&out));
        assert_eq!(stdout(&out).trim(), digest);
        // the registry accepted the token from the other field: no refused request
        assert!(granted(&reg) >= 1, "{:?}", reg.token_requests());
        let refused: Vec<_> = reg
            .access_log()
            .into_iter()
            .filter(|e| e.status == 401 && e.path != "/v2/")
            .collect();
        assert!(refused.is_empty(), "{field}: {refused:?}");
        // skopeo refuses such responses itself: it reads the image with normal ones
        reg.token_server()
            .unwrap()
            .update_config(|c| c.response_overrides.clear());
        let (_, got) = skopeo_raw_manifest(
            &format!("docker://{}", reg.reference("app:v1")),
            &reg.skopeo_flags("", Some((USER, PASSWORD))),
        );
        assert_eq!(got, digest);
    }
}

/// Clear-text credentials (issue 10 item 1): an HTTPS registry whose challenge names an
/// `http://` token realm gets no credentials sent there (exit 3, the error names the realm,
/// the token server never sees an `Authorization` header), unless `config.toml` allows it for
/// that host; anonymous token requests still go.
#[test]
fn credentials_never_go_in_clear_text_to_an_http_realm_of_an_https_registry() {
    let reg = Registry::start(Mode::TlsToken);
    let realm = reg.token_realm().unwrap();
    assert!(realm.starts_with("http://"), "{realm}");
    let ts = reg.token_server().unwrap();
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_random_image(&src, "v1", 1, 4096, 5);
    let from = format!("oci:{}:v1", src.display());
    let target = reg.reference("public/app:v1");
    let ca = reg.ca_cert().unwrap();
    let cfg_dir = sb.dir().join("cfg");
    std::fs::create_dir_all(&cfg_dir).unwrap();
    let base: Vec<String> = vec![
        "--progress".into(),
        "none".into(),
        "--ca-file".into(),
        ca.display().to_string(),
        "--config-dir".into(),
        cfg_dir.display().to_string(),
    ];
    let run = |extra: &[&str], stdin: Option<&str>| {
        let mut args: Vec<&str> = base.iter().map(String::as_str).collect();
        args.extend_from_slice(extra);
        let mut c = sb.cmd();
        c.env_remove("IMGCTL_USERNAME")
            .env_remove("IMGCTL_PASSWORD")
            .env("IMGCTL_KEYCHAIN", "none");
        run_with_stdin(c, &args, stdin)
    };
    let no_authorization = || {
        let reqs = ts.requests();
        assert!(reqs.iter().all(|r| !r.authorization), "{reqs:?}");
    };
    let c = creds();

    // a push with credentials, and a login: refused before anything goes to the realm
    for (extra, stdin) in [
        (vec!["--creds", c.as_str(), "copy", &from, &target], None),
        (
            vec!["login", &reg.host(), "-u", USER, "--password-stdin"],
            Some(PASSWORD),
        ),
    ] {
        let out = run(&extra, stdin);
        assert_eq!(out.status.code(), Some(3), "{extra:?}: {}", describe(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("token realm {realm}")) && err.contains("clear text"),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "hint: fix the registry's token realm (it should be https://), or allow it for this host in config.toml: [registry.\"{}\"] insecure-token-realm = true",
                reg.host()
            )),
            "{err}"
        );
        assert!(!err.contains(PASSWORD), "{err}");
        no_authorization();
    }
    assert!(
        !reg.access_log()
            .iter()
            .any(|e| e.method == "PUT" && e.path.contains("/manifests/")),
        "{:?}",
        reg.access_log()
    );

    // allowed explicitly for this host: the credentials go, the push succeeds
    std::fs::write(
        cfg_dir.join("config.toml"),
        format!(
            "[registry.\"{}\"]\ninsecure-token-realm = true\n",
            reg.host()
        ),
    )
    .unwrap();
    let out = run(&["--creds", &c, "copy", &from, &target], None);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), digest);
    assert!(
        ts.requests()
            .iter()
            .any(|r| r.authorization && r.user.as_deref() == Some(USER) && r.status == 200),
        "{:?}",
        ts.requests()
    );

    // without that setting, an anonymous pull still asks the realm for a token
    std::fs::remove_file(cfg_dir.join("config.toml")).unwrap();
    ts.clear_requests();
    let out = run(&["pull", &target], None);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), digest);
    let reqs = ts.requests();
    assert!(
        !reqs.is_empty() && reqs.iter().all(|r| r.user.is_none() && r.status == 200),
        "{reqs:?}"
    );
    no_authorization();
}

/// Challenges (issue 10 item 2): credentials go only in a scheme the registry offered. A 401
/// whose challenge is missing, empty, malformed, `Bearer` without a realm or of an unknown
/// scheme never gets `Authorization: Basic …`: requests stay anonymous where that works,
/// else fail with the auth exit code and an error naming what was offered.
#[test]
fn credentials_go_only_in_a_scheme_the_registry_offered() {
    let reg = Registry::start(Mode::Plain);
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_random_image(&src, "v1", 1, 4096, 9);
    let from = format!("oci:{}:v1", src.display());
    sb.run_ok(&["-q", "copy", &from, &reg.reference("app:v1")]);
    let proxy = FaultProxy::start(&reg.host());
    let c = creds();
    let image = proxy.reference("app:v1");
    let no_authorization = |what: &str| {
        let seen = proxy.seen();
        assert!(!seen.is_empty(), "{what}: nothing reached the registry");
        assert!(seen.iter().all(|s| !s.authorization), "{what}: {seen:?}");
    };
    let oauth2 = r#"OAuth2 realm="https://auth.example/token""#;

    // Only the /v2/ ping asks for OAuth2; the registry serves the image anonymously.
    proxy.add(
        "GET",
        "/v2/",
        1,
        Fault::Unauthorized {
            challenge: oauth2.to_string(),
        },
    );
    let out = sb.run(&["--progress", "none", "--creds", &c, "pull", &image]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), digest);
    assert!(proxy.seen().iter().any(|s| s.status == 401 && s.faulted));
    no_authorization("anonymous pull");

    // Every request refused with a challenge imgctl cannot answer.
    let cases = [
        (
            "no challenge",
            Fault::Rewrite {
                status: Some(401),
                set: vec![],
                remove: vec!["www-authenticate"],
            },
            "no WWW-Authenticate challenge".to_string(),
        ),
        (
            "empty",
            Fault::Unauthorized {
                challenge: String::new(),
            },
            "an empty WWW-Authenticate challenge".to_string(),
        ),
        (
            "Bearer without a realm",
            Fault::Unauthorized {
                challenge: r#"Bearer service="reg",scope="repository:app:pull""#.into(),
            },
            r#"WWW-Authenticate: Bearer service="reg",scope="repository:app:pull""#.into(),
        ),
        (
            "unknown scheme",
            Fault::Unauthorized {
                challenge: oauth2.into(),
            },
            format!("WWW-Authenticate: {oauth2}"),
        ),
        (
            "malformed",
            Fault::Unauthorized {
                challenge: "=realm,,\"".into(),
            },
            "WWW-Authenticate: =realm,,\"".into(),
        ),
    ];
    for (label, fault, offered) in cases {
        for args in [
            vec!["--progress", "none", "--creds", c.as_str(), "pull", &image],
            vec!["login", &proxy.host(), "-u", USER, "--password-stdin"],
        ] {
            proxy.clear();
            proxy.clear_seen();
            proxy.add("*", "/v2/", 0, fault.clone());
            let mut cmd = sb.cmd();
            cmd.env("IMGCTL_KEYCHAIN", "none");
            let out = run_with_stdin(cmd, &args, Some(PASSWORD));
            let what = format!("{label}, {}", args[args.len() - 1]);
            assert_eq!(out.status.code(), Some(3), "{what}: {}", describe(&out));
            let err = stderr(&out);
            assert!(
                err.contains(&format!(
                    "registry {} asks for authentication in a way imgctl cannot answer ({offered}); no credentials were sent",
                    proxy.host()
                )) && err.contains("hint: imgctl answers only Basic and Bearer"),
                "{what}: {err}"
            );
            no_authorization(&what);
        }
    }
}
