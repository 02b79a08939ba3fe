//! Bearer token lifecycle (issue 3, "Token flows") against the real token-auth registry: a
//! token is renewed before it expires during an operation that outlives it, and a 401 in the
//! middle of a transfer (a revoked or expired token; answered by the fault proxy with the
//! registry's Bearer challenge) is answered by requesting a new token once.

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

fn creds() -> String {
    format!("{USER}:{PASSWORD}")
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
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), digest);
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
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), digest);
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
