//! TLS trust against real registries: a self-signed server certificate with basicConstraints
//! CA:TRUE (what `openssl req -x509` makes by default, docker's "insecure registry with a
//! self-signed certificate" recipe) is trusted when the user gives that very certificate
//! (`--ca-file`, `--src-ca-file`, `ca-file` in config.toml), still checked for its name and
//! validity; without it, or with the wrong CA, the failure says what is wrong in plain words
//! and the hint fits. TLS settings of one host (config.toml, certs.d) apply to that host only;
//! client certificates (mutual TLS) come from flags, config.toml or certs.d.

// Linux packages (docker-registry, skopeo, umoci, …): compiled out elsewhere, where
// tests/portability.rs says so.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

/// `openssl x509 -noout -text` of the PEM certificate at `path`.
fn x509_text(path: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(path)
        .output()
        .expect("run openssl");
    assert!(out.status.success(), "{}", describe(&out));
    stdout(&out)
}

/// Asserts `out` failed with exit 6 (TLS), a message in plain words containing `problem`, no
/// rustls debug text, and a hint.
fn assert_tls_refused(out: &Output, problem: &str) {
    assert_eq!(code(out), 6, "{}", describe(out));
    let err = stderr(out);
    assert!(
        err.contains("the registry's TLS certificate is not accepted"),
        "{err}"
    );
    assert!(err.contains(problem), "expected {problem:?} in: {err}");
    assert!(
        !err.contains("OtherError") && !err.contains("CaUsedAsEndEntity"),
        "{err}"
    );
    assert!(!hint(out).is_empty(), "{err}");
}

#[test]
fn self_signed_ca_certificate_is_trusted_when_given_and_refused_otherwise() {
    let reg = Registry::start_self_signed(SelfSigned::new("127.0.0.1", "IP:127.0.0.1"));
    let cert = reg.ca_cert().unwrap();
    // What the recipe makes: self-signed, basicConstraints CA:TRUE.
    let text = x509_text(&cert);
    assert!(text.contains("CA:TRUE"), "{text}");
    assert!(text.contains("Issuer: CN = 127.0.0.1"), "{text}");
    assert!(text.contains("Subject: CN = 127.0.0.1"), "{text}");
    let cert = cert.to_str().unwrap();
    let creds = creds();

    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_standard_image(&src, "v1");
    let layout = format!("oci:{}:v1", src.display());
    let image = reg.reference("app:1");
    let out = sb.run_ok(&[
        "-q",
        "--ca-file",
        cert,
        "--creds",
        &creds,
        "copy",
        &layout,
        &image,
    ]);
    assert_eq!(out.trim(), digest);
    let repo = format!("{}/app", reg.host());
    let out = sb.run_ok(&["--ca-file", cert, "--creds", &creds, "tags", &repo]);
    assert_eq!(out.trim(), "1");
    // skopeo (Go crypto/x509) trusts the same certificate the same way and sees the same image.
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{image}"),
        &reg.skopeo_flags("", Some((USER, PASSWORD))),
    );
    assert_eq!(d, digest);

    // --src-ca-file on copy: the registry → an OCI layout.
    let dst = sb.dir().join("dst");
    let out = sb.run_ok(&[
        "-q",
        "copy",
        "--src-ca-file",
        cert,
        "--src-creds",
        &creds,
        &image,
        &format!("oci:{}:copied", dst.display()),
    ]);
    assert_eq!(out.trim(), digest);

    // The per-registry ca-file of config.toml.
    let with_config = Imgctl::new();
    let config_dir = with_config.home().join(".config").join("imgctl");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("config.toml"),
        format!("[registry.\"{}\"]\nca-file = \"{cert}\"\n", reg.host()),
    )
    .unwrap();
    let out = with_config.run_ok(&["--creds", &creds, "digest", &image]);
    assert_eq!(out.trim(), digest);

    // (a) Without the certificate: refused (exit 6), and the hint says how to trust it.
    let out = sb.run(&["--creds", &creds, "tags", &repo]);
    assert_tls_refused(&out, "self-signed CA certificate");
    assert!(hint(&out).contains("--ca-file"), "{}", stderr(&out));

    // A registry whose self-signed certificate was made again (same name, new key): the old
    // certificate given with --ca-file does not vouch for it.
    let renewed = Registry::start_self_signed(SelfSigned::new("127.0.0.1", "IP:127.0.0.1"));
    let out = sb.run(&[
        "--ca-file",
        cert,
        "--creds",
        &creds,
        "tags",
        &format!("{}/app", renewed.host()),
    ]);
    assert_tls_refused(
        &out,
        &format!(
            "it is not signed by the certificate in {cert}: that certificate has the same name (CN=127.0.0.1) but a different key"
        ),
    );
    assert!(
        hint(&out).contains("self-signed certificate was probably made again"),
        "{}",
        stderr(&out)
    );
    assert!(!hint(&out).contains("pass --ca-file"), "{}", stderr(&out));
}

#[test]
fn a_given_self_signed_certificate_must_still_name_the_registry_and_be_valid() {
    let creds = creds();
    let sb = Imgctl::new();

    // (b) A self-signed CA:TRUE certificate for another address, given with --ca-file.
    let reg = Registry::start_self_signed(SelfSigned::new("127.0.0.2", "IP:127.0.0.2"));
    let cert = reg.ca_cert().unwrap();
    assert!(x509_text(&cert).contains("CA:TRUE"));
    let repo = format!("{}/app", reg.host());
    let out = sb.run(&[
        "--ca-file",
        cert.to_str().unwrap(),
        "--creds",
        &creds,
        "tags",
        &repo,
    ]);
    assert_tls_refused(&out, "it is for 127.0.0.2, not for 127.0.0.1");
    assert!(!hint(&out).contains("--ca-file"), "{}", stderr(&out));
    assert!(hint(&out).contains("subjectAltName"), "{}", stderr(&out));
    drop(reg);

    // The same with a DNS name: the certificate is for other.example only.
    let reg = Registry::start_self_signed(SelfSigned::new("other.example", "DNS:other.example"));
    let cert = reg.ca_cert().unwrap();
    let repo = format!("{}/app", reg.host());
    let out = sb.run(&[
        "--ca-file",
        cert.to_str().unwrap(),
        "--creds",
        &creds,
        "tags",
        &repo,
    ]);
    assert_tls_refused(&out, "it is for other.example, not for 127.0.0.1");
    drop(reg);

    // An expired self-signed CA:TRUE certificate for the right address, given with --ca-file.
    let reg = Registry::start_self_signed(SelfSigned {
        expired: true,
        ..SelfSigned::new("127.0.0.1", "IP:127.0.0.1")
    });
    let cert = reg.ca_cert().unwrap();
    let text = x509_text(&cert);
    assert!(
        text.contains("CA:TRUE") && text.contains("Not After : Jan  2 00:00:00 2020 GMT"),
        "{text}"
    );
    let repo = format!("{}/app", reg.host());
    let out = sb.run(&[
        "--ca-file",
        cert.to_str().unwrap(),
        "--creds",
        &creds,
        "tags",
        &repo,
    ]);
    assert_tls_refused(&out, "it expired on 2020-01-02T00:00:00Z");
    assert!(!hint(&out).contains("--ca-file"), "{}", stderr(&out));
}

#[test]
fn ca_issued_certificates_verify_against_their_ca_only() {
    // (c) The usual CA + leaf (CA:FALSE) setup still works.
    let reg = Registry::start(Mode::TlsHtpasswd);
    let ca = reg.ca_cert().unwrap();
    let ca = ca.to_str().unwrap();
    let creds = creds();
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_standard_image(&src, "v1");
    let layout = format!("oci:{}:v1", src.display());
    let image = reg.reference("app:1");
    let out = sb.run_ok(&[
        "-q",
        "--ca-file",
        ca,
        "--creds",
        &creds,
        "copy",
        &layout,
        &image,
    ]);
    assert_eq!(out.trim(), digest);
    let out = sb.run_ok(&["--ca-file", ca, "--creds", &creds, "digest", &image]);
    assert_eq!(out.trim(), digest);

    // Another CA given: not signed by it. The hint does not ask for a CA file again.
    let other = sb.dir().join("other-ca.crt");
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "3"])
        .args(["-subj", "/CN=another CA", "-keyout"])
        .arg(sb.dir().join("other-ca.key"))
        .arg("-out")
        .arg(&other)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let out = sb.run(&[
        "--ca-file",
        other.to_str().unwrap(),
        "--creds",
        &creds,
        "digest",
        &image,
    ]);
    assert_tls_refused(&out, "not signed by a CA in the given CA file(s)");
    assert!(!hint(&out).contains("pass --ca-file"), "{}", stderr(&out));

    // No CA at all: the hint says to pass one.
    let out = sb.run(&["--creds", &creds, "digest", &image]);
    assert_tls_refused(&out, "not signed by a CA of the system trust store");
    assert!(hint(&out).contains("--ca-file"), "{}", stderr(&out));
}

#[test]
fn a_ca_configured_for_one_registry_is_not_trusted_for_another() {
    // Two registries whose certificates the same CA signed.
    let a = Registry::start(Mode::TlsHtpasswd);
    let b = Registry::start_issued_by(&a);
    let ca = a.ca_cert().unwrap();
    assert_eq!(
        std::fs::read(&ca).unwrap(),
        std::fs::read(b.ca_cert().unwrap()).unwrap()
    );
    let ca = ca.to_str().unwrap();
    let creds = creds();
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_standard_image(&src, "v1");
    let layout = format!("oci:{}:v1", src.display());
    // The CA on the command line is global: both registries get the image.
    for reg in [&a, &b] {
        let out = sb.run_ok(&[
            "-q",
            "--ca-file",
            ca,
            "--creds",
            &creds,
            "copy",
            &layout,
            &reg.reference("app:1"),
        ]);
        assert_eq!(out.trim(), digest);
    }

    // The CA in A's section of config.toml: A works, B's certificate is not let through.
    write_config_toml(
        &sb,
        &format!("[registry.\"{}\"]\nca-file = \"{ca}\"\n", a.host()),
    );
    let out = sb.run_ok(&["--creds", &creds, "digest", &a.reference("app:1")]);
    assert_eq!(out.trim(), digest);
    let before = b.access_log().len();
    let out = sb.run(&["--creds", &creds, "digest", &b.reference("app:1")]);
    assert_tls_refused(&out, "not signed by a CA of the system trust store");
    assert!(hint(&out).contains("--ca-file"), "{}", stderr(&out));
    // No request reached B.
    assert_eq!(b.access_log().len(), before, "{:?}", b.access_log());

    // `insecure` for B only: B works unverified, A (without its CA now) is still verified.
    write_config_toml(
        &sb,
        &format!("[registry.\"{}\"]\ninsecure = true\n", b.host()),
    );
    let out = sb.run_ok(&["--creds", &creds, "digest", &b.reference("app:1")]);
    assert_eq!(out.trim(), digest);
    let out = sb.run(&["--creds", &creds, "digest", &a.reference("app:1")]);
    assert_tls_refused(&out, "not signed by a CA of the system trust store");
}

#[test]
fn a_ca_file_with_the_issuers_name_but_another_key_is_not_called_forged() {
    // Each registry has its own test CA, both named "CN=imgctl test CA" (a CA made again).
    let a = Registry::start(Mode::TlsHtpasswd);
    let b = Registry::start(Mode::TlsHtpasswd);
    let old = a.ca_cert().unwrap();
    for reg in [&a, &b] {
        let text = x509_text(&reg.ca_cert().unwrap());
        assert!(text.contains("Subject: CN = imgctl test CA"), "{text}");
    }
    let old = old.to_str().unwrap();
    let current = b.ca_cert().unwrap();
    let current = current.to_str().unwrap();
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_standard_image(&src, "v1");
    let layout = format!("oci:{}:v1", src.display());
    let out = sb.run_ok(&[
        "-q",
        "--ca-file",
        current,
        "--creds",
        &creds(),
        "copy",
        &layout,
        &b.reference("app:1"),
    ]);
    assert_eq!(out.trim(), digest);
    let repo = format!("{}/app", b.host());
    let out = sb.run(&["--ca-file", old, "--creds", &creds(), "tags", &repo]);
    assert_tls_refused(
        &out,
        &format!(
            "it is not signed by the certificate in {old}: that certificate has the same name (CN=imgctl test CA) but a different key"
        ),
    );
    let err = stderr(&out);
    assert!(
        !err.contains("forged") && !err.contains("does not verify"),
        "{err}"
    );
    assert!(
        hint(&out).contains("the CA was probably made again with a new key: fetch the registry's current CA certificate"),
        "{err}"
    );
    // The same file in config.toml for that registry says the same.
    write_config_toml(
        &sb,
        &format!("[registry.\"{}\"]\nca-file = \"{old}\"\n", b.host()),
    );
    let out = sb.run(&["--creds", &creds(), "tags", &repo]);
    assert_tls_refused(&out, "same name (CN=imgctl test CA) but a different key");
    // The registry's current CA works.
    let out = sb.run_ok(&["--ca-file", current, "--creds", &creds(), "tags", &repo]);
    assert_eq!(out.trim(), "1");
}

#[test]
fn a_registry_that_requires_client_certificates_gets_one_from_flags_config_or_certs_d() {
    let clients = ClientCa::new("imgctl test client CA");
    let reg = Registry::start_mtls(&clients);
    let ca = reg.ca_cert().unwrap();
    let ca = ca.to_str().unwrap();
    let mine = clients.issue("alice-laptop");
    let (cert, key) = (mine.cert.to_str().unwrap(), mine.key.to_str().unwrap());
    let creds = creds();
    let sb = Imgctl::new();
    let src = sb.dir().join("src");
    let digest = build_standard_image(&src, "v1");
    let layout = format!("oci:{}:v1", src.display());
    let image = reg.reference("app:1");

    // No client certificate: the registry ends the handshake; the error says why and how.
    let before = reg.access_log().len();
    let out = sb.run(&["--ca-file", ca, "--creds", &creds, "digest", &image]);
    assert_eq!(code(&out), 6, "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "the registry requires a client certificate (mutual TLS) and none is configured for it"
        ),
        "{err}"
    );
    assert!(
        hint(&out).contains("--cert-file FILE --key-file FILE"),
        "{err}"
    );
    assert_eq!(reg.access_log().len(), before);

    // --cert-file/--key-file: push, then read back.
    let out = sb.run_ok(&[
        "-q",
        "--ca-file",
        ca,
        "--cert-file",
        cert,
        "--key-file",
        key,
        "--creds",
        &creds,
        "copy",
        &layout,
        &image,
    ]);
    assert_eq!(out.trim(), digest);
    let log = reg.access_log();
    assert!(
        log.iter()
            .any(|e| e.method == "PUT" && e.path == "/v2/app/manifests/1" && e.status == 201),
        "{log:?}"
    );
    // -vv shows no byte of the key.
    let out = sb.run(&[
        "-vv",
        "--ca-file",
        ca,
        "--cert-file",
        cert,
        "--key-file",
        key,
        "--creds",
        &creds,
        "digest",
        &image,
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let key_pem = std::fs::read_to_string(&mine.key).unwrap();
    let err = stderr(&out);
    for line in key_pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!err.contains(line), "key material in -vv output: {err}");
    }
    assert!(!err.contains("PRIVATE KEY"), "{err}");
    // skopeo, with the same certificate in a cert dir, sees the same image.
    let skopeo_dir = sb.dir().join("skopeo-certs");
    std::fs::create_dir_all(&skopeo_dir).unwrap();
    std::fs::copy(ca, skopeo_dir.join("ca.crt")).unwrap();
    std::fs::copy(&mine.cert, skopeo_dir.join("client.cert")).unwrap();
    std::fs::copy(&mine.key, skopeo_dir.join("client.key")).unwrap();
    let (_, d) = skopeo_raw_manifest(
        &format!("docker://{image}"),
        &[
            format!("--cert-dir={}", skopeo_dir.display()),
            format!("--creds={creds}"),
        ],
    );
    assert_eq!(d, digest);

    // One flag without the other is a usage error.
    let out = sb.run(&["--cert-file", cert, "--creds", &creds, "digest", &image]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stderr(&out).contains("--key-file"), "{}", stderr(&out));

    // A certificate from a CA the registry does not trust for clients.
    let strangers = ClientCa::new("some other client CA");
    let stranger = strangers.issue("mallory");
    let out = sb.run(&[
        "--ca-file",
        ca,
        "--cert-file",
        stranger.cert.to_str().unwrap(),
        "--key-file",
        stranger.key.to_str().unwrap(),
        "--creds",
        &creds,
        "digest",
        &image,
    ]);
    assert_eq!(code(&out), 6, "{}", describe(&out));
    assert!(
        stderr(&out).contains(&format!(
            "the registry refused the client certificate {}",
            stranger.cert.display()
        )),
        "{}",
        stderr(&out)
    );
    assert!(hint(&out).contains("clientcas"), "{}", stderr(&out));

    // A key that is not the certificate's: a usage error naming both files.
    let out = sb.run(&[
        "--ca-file",
        ca,
        "--cert-file",
        cert,
        "--key-file",
        stranger.key.to_str().unwrap(),
        "--creds",
        &creds,
        "digest",
        &image,
    ]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains(&format!(
            "client certificate {cert} and key {}",
            stranger.key.display()
        )),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("the key is not the private key of the certificate's public key"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("PRIVATE KEY"), "{}", stderr(&out));

    // A key file without a private key (the certificate given twice): a usage error.
    let out = sb.run(&[
        "--ca-file",
        ca,
        "--cert-file",
        cert,
        "--key-file",
        cert,
        "--creds",
        &creds,
        "digest",
        &image,
    ]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains(&format!(
            "invalid client key {cert}: it holds no private key"
        )),
        "{}",
        stderr(&out)
    );

    // Per host in config.toml: this registry's CA and client certificate.
    let by_config = Imgctl::new();
    write_config_toml(
        &by_config,
        &format!(
            "[registry.\"{}\"]\nca-file = \"{ca}\"\ncert-file = \"{cert}\"\nkey-file = \"{key}\"\n",
            reg.host()
        ),
    );
    let out = by_config.run_ok(&["--creds", &creds, "digest", &image]);
    assert_eq!(out.trim(), digest);
    // ... and for another host only: not offered here.
    write_config_toml(
        &by_config,
        &format!(
            "[registry.\"{}\"]\nca-file = \"{ca}\"\n[registry.\"127.0.0.1:1\"]\ncert-file = \"{cert}\"\nkey-file = \"{key}\"\n",
            reg.host()
        ),
    );
    let out = by_config.run(&["--creds", &creds, "digest", &image]);
    assert_eq!(code(&out), 6, "{}", describe(&out));
    assert!(
        stderr(&out).contains("requires a client certificate"),
        "{}",
        stderr(&out)
    );

    // certs.d in the per-user containers directory (~/.config/containers/certs.d/HOST:PORT/):
    // ca.crt as root, client.cert + client.key as client certificate; no flag at all.
    let by_certs_d = Imgctl::new();
    let host_dir = by_certs_d
        .home()
        .join(".config/containers/certs.d")
        .join(reg.host());
    std::fs::create_dir_all(&host_dir).unwrap();
    std::fs::copy(ca, host_dir.join("ca.crt")).unwrap();
    std::fs::copy(&mine.cert, host_dir.join("client.cert")).unwrap();
    std::fs::copy(&mine.key, host_dir.join("client.key")).unwrap();
    let out = by_certs_d.run_ok(&["--creds", &creds, "digest", &image]);
    assert_eq!(out.trim(), digest);
    // A certs.d directory of another host is not used.
    let other_host = by_certs_d
        .home()
        .join(".config/containers/certs.d")
        .join(format!("127.0.0.1:{}", reg.port() ^ 1));
    std::fs::rename(&host_dir, &other_host).unwrap();
    let out = by_certs_d.run(&["--creds", &creds, "digest", &image]);
    assert_tls_refused(&out, "not signed by a CA of the system trust store");

    // IMGCTL_CERTS_D replaces the roots (docker's layout: HOST:PORT/ca.crt, NAME.cert + NAME.key).
    let roots = sb.dir().join("roots");
    let docker_dir = roots.join("docker").join(reg.host());
    std::fs::create_dir_all(&docker_dir).unwrap();
    std::fs::copy(ca, docker_dir.join("ca.crt")).unwrap();
    std::fs::copy(&mine.cert, docker_dir.join("alice.cert")).unwrap();
    std::fs::copy(&mine.key, docker_dir.join("alice.key")).unwrap();
    let list = std::env::join_paths([roots.join("empty"), roots.join("docker")]).unwrap();
    let out = by_certs_d
        .cmd()
        .env("IMGCTL_CERTS_D", &list)
        .args(["--creds", &creds, "digest", &image])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), digest);
    // A key without its certificate in a certs.d directory: a usage error naming the file.
    std::fs::remove_file(docker_dir.join("alice.cert")).unwrap();
    let out = by_certs_d
        .cmd()
        .env("IMGCTL_CERTS_D", &list)
        .args(["--creds", &creds, "digest", &image])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        stderr(&out).contains(&format!(
            "client key {} has no certificate",
            docker_dir.join("alice.key").display()
        )),
        "{}",
        stderr(&out)
    );
}
