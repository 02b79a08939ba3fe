//! Handshake diagnoses: a refused server certificate, a client certificate the registry did
//! not accept, or a connection it closed after asking for one, each in plain words with a hint
//! that fits the TLS settings in use.

use super::*;
use crate::error::{CaAdvice, Hint};

/// Why a server's certificate was refused, in plain words (`it is …`), and what to do about it.
/// `user_cas`: whether the user gave CA files; `registry`: the host's normalised name, for the
/// typed hints ([`Hint::TrustCa`]) that front ends word. `None` when `err` is not about the
/// certificate.
pub(crate) fn certificate_problem(
    err: &rustls::Error,
    user_cas: bool,
    registry: &str,
) -> Option<(String, Hint)> {
    let trust = |ca| Hint::TrustCa {
        registry: registry.to_string(),
        ca,
    };
    use CertificateError as C;
    let rustls::Error::InvalidCertificate(ce) = err else {
        return None;
    };
    let renew = "the registry needs a new certificate (or this machine's clock is wrong)";
    Some(match ce {
        C::NotValidForName => (
            "it is not valid for this host name or address".to_string(),
            "connect with a name in the certificate's subjectAltName, or give the registry a certificate for this name".into(),
        ),
        C::NotValidForNameContext {
            expected,
            presented,
        } => (
            if presented.is_empty() {
                format!(
                    "it is not valid for {} (it has no subjectAltName)",
                    expected.to_str()
                )
            } else {
                format!(
                    "it is for {}, not for {}",
                    presented
                        .iter()
                        .map(|n| plain_name(n))
                        .collect::<Vec<_>>()
                        .join(", "),
                    expected.to_str()
                )
            },
            format!(
                "connect with a name in the certificate's subjectAltName, or give the registry a certificate whose subjectAltName includes {}",
                expected.to_str()
            )
            .into(),
        ),
        C::Expired => ("it has expired".to_string(), renew.into()),
        C::ExpiredContext { not_after, .. } => {
            (format!("it expired on {}", date(*not_after)), renew.into())
        }
        C::NotValidYet => ("it is not valid yet".to_string(), renew.into()),
        C::NotValidYetContext { not_before, .. } => (
            format!("it is not valid before {}", date(*not_before)),
            renew.into(),
        ),
        C::UnknownIssuer if user_cas => (
            "it is not signed by a CA in the given CA file(s), nor by one of the system trust store".to_string(),
            "the CA file must hold the CA certificate that issued the registry's certificate, or the registry's certificate itself".into(),
        ),
        C::UnknownIssuer => (
            "it is not signed by a CA of the system trust store".to_string(),
            trust(CaAdvice::IssuerOrSelfSigned),
        ),
        C::Other(o) if o.0.downcast_ref::<CaKeyMismatch>().is_some() => {
            let m = o.0.downcast_ref::<CaKeyMismatch>().expect("checked");
            (
                format!(
                    "it is not signed by the certificate in {}: that certificate has the same name ({}) but a different key",
                    m.file.display(),
                    m.name
                ),
                if m.self_signed {
                    "the registry's self-signed certificate was probably made again: fetch its current certificate (openssl s_client -showcerts -connect HOST:PORT) and give that file".into()
                } else {
                    "the CA was probably made again with a new key: fetch the registry's current CA certificate and give that file".into()
                },
            )
        }
        C::Other(o) if is_ca_used_as_end_entity(o) && user_cas => (
            "it is a CA certificate (basicConstraints CA:TRUE) that is not in the given CA file(s)".to_string(),
            "a CA certificate is accepted as the registry's own certificate only when a CA file holds exactly that certificate; compare with what the registry serves (openssl s_client -showcerts -connect HOST:PORT)".into(),
        ),
        C::Other(o) if is_ca_used_as_end_entity(o) => (
            "it is a self-signed CA certificate (basicConstraints CA:TRUE) that is not trusted".to_string(),
            trust(CaAdvice::SelfSigned),
        ),
        C::BadSignature => (
            "its signature does not verify".to_string(),
            "the certificate chain the registry sends is broken or forged".into(),
        ),
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => (
            "it is not meant for TLS servers (its extendedKeyUsage lacks serverAuth)".to_string(),
            "give the registry a certificate with extendedKeyUsage serverAuth".into(),
        ),
        C::Revoked => (
            "it has been revoked".to_string(),
            "the registry needs a new certificate".into(),
        ),
        C::UnhandledCriticalExtension => (
            "it has a critical extension imgctl does not understand".to_string(),
            "give the registry a certificate without unusual critical extensions".into(),
        ),
        C::BadEncoding => (
            "it is malformed".to_string(),
            "give the registry a well-formed X.509 certificate".into(),
        ),
        other => (
            format!("{other}"),
            if user_cas {
                "check the registry's certificate against the given CA file(s)".into()
            } else {
                trust(CaAdvice::Issuer)
            },
        ),
    })
}

/// Why the registry ended the handshake over the client certificate, in plain words, and what
/// to do; `identity`: the client certificate that was offered, if any. `None` when `err` is
/// not such an alert.
///
/// A registry that requires client certificates (distribution's `http.tls.clientcas`) sends
/// `certificate_required` (TLS 1.3) or `bad_certificate` (TLS 1.2) when none came, and
/// `bad_certificate`, `unknown_ca` or `certificate_unknown` when it does not trust the one that
/// came (RFC 8446 6.2).
pub(crate) fn client_auth_problem(
    err: &rustls::Error,
    identity: Option<&IdentityFiles>,
) -> Option<(String, String)> {
    use rustls::AlertDescription as A;
    let rustls::Error::AlertReceived(alert) = err else {
        return None;
    };
    let about_client_cert = matches!(
        alert,
        A::CertificateRequired
            | A::BadCertificate
            | A::UnknownCA
            | A::CertificateUnknown
            | A::UnsupportedCertificate
            | A::CertificateExpired
            | A::CertificateRevoked
            | A::AccessDenied
    );
    if !about_client_cert {
        return None;
    }
    Some(match identity {
        None => (
            "the registry requires a client certificate (mutual TLS) and none is configured for it".to_string(),
            "pass --cert-file FILE --key-file FILE, set cert-file and key-file for this registry in config.toml, or put client.cert and client.key in its certs.d directory".to_string(),
        ),
        Some(id) => (
            format!(
                "the registry refused the client certificate {} ({})",
                id.cert.display(),
                alert_words(*alert)
            ),
            "use a client certificate issued by a CA the registry trusts for clients (distribution: http.tls.clientcas), valid now, with its matching key".to_string(),
        ),
    })
}

/// [`client_auth_problem`] for a connection that closed after the server asked for a client
/// certificate and before it answered anything (the TLS 1.3 alert itself is lost on HTTP/2).
pub(crate) fn client_cert_closed(identity: Option<&IdentityFiles>) -> (String, String) {
    match identity {
        None => (
            "the registry requires a client certificate (mutual TLS) and none is configured for it: it asked for one and closed the connection".to_string(),
            "pass --cert-file FILE --key-file FILE, set cert-file and key-file for this registry in config.toml, or put client.cert and client.key in its certs.d directory".to_string(),
        ),
        Some(id) => (
            format!(
                "the registry refused the client certificate {}: it closed the connection after the handshake",
                id.cert.display()
            ),
            "use a client certificate issued by a CA the registry trusts for clients (distribution: http.tls.clientcas), valid now, with its matching key".to_string(),
        ),
    }
}

fn alert_words(a: rustls::AlertDescription) -> &'static str {
    use rustls::AlertDescription as A;
    match a {
        A::CertificateExpired => "it has expired",
        A::CertificateRevoked => "it has been revoked",
        A::UnknownCA => "it is not issued by a CA the registry trusts",
        A::BadCertificate | A::CertificateUnknown => {
            "it is not issued by a CA the registry trusts, or is not valid"
        }
        A::UnsupportedCertificate => "its type is not supported",
        _ => "access denied",
    }
}

/// A subjectAltName as webpki reports it (`DnsName("a.example")`, `IpAddress(10.0.0.1)`)
/// without the wrapping: `a.example`, `10.0.0.1`.
pub(super) fn plain_name(presented: &str) -> &str {
    ["DnsName(", "IpAddress(", "UniformResourceIdentifier("]
        .iter()
        .find_map(|p| presented.strip_prefix(p)?.strip_suffix(')'))
        .map(|n| n.trim_matches('"'))
        .unwrap_or(presented)
}

pub(super) fn is_ca_used_as_end_entity(o: &rustls::OtherError) -> bool {
    matches!(
        o.0.downcast_ref::<webpki::Error>(),
        Some(webpki::Error::CaUsedAsEndEntity)
    )
}

/// `2026-01-31T12:00:00Z`.
fn date(t: UnixTime) -> String {
    humantime::format_rfc3339_seconds(SystemTime::UNIX_EPOCH + Duration::from_secs(t.as_secs()))
        .to_string()
}
