//! TLS trust against real registries: a self-signed server certificate with basicConstraints
//! CA:TRUE (what `openssl req -x509` makes by default, docker's "insecure registry with a
//! self-signed certificate" recipe) is trusted when the user gives that very certificate
//! (`--ca-file`, `--src-ca-file`, `ca-file` in config.toml), still checked for its name and
//! validity; without it, or with the wrong CA, the failure says what is wrong in plain words
//! and the hint fits.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The `hint: …` line of a failed run (empty when there is none).
fn hint(out: &Output) -> String {
    stderr(out)
        .lines()
        .find(|l| l.starts_with("hint:"))
        .unwrap_or("")
        .to_string()
}

fn creds() -> String {
    format!("{USER}:{PASSWORD}")
}

/// `openssl x509 -noout -text` of the PEM certificate at `path`.
fn x509_text(path: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(path)
        .output()
        .expect("run openssl");
    assert!(out.status.success(), "{}", describe(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
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
        "CA certificate (basicConstraints CA:TRUE) that is not in the given CA file(s)",
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
