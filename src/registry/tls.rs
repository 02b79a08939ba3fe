//! TLS for registry connections when the user gives CA files (`--ca-file`, `--src-ca-file`,
//! `--dest-ca-file`, `ca-file` in `config.toml`): the system trust store plus those
//! certificates, and a server certificate that *is* one of them accepted as it is.
//!
//! A self-signed registry certificate made the usual way (`openssl req -x509 …`, docker's
//! "insecure registry with a self-signed certificate" recipe) carries `basicConstraints
//! CA:TRUE`. webpki refuses a CA certificate as a server's end-entity certificate
//! (`CaUsedAsEndEntity`) even when it is a trusted root; Go's crypto/x509 (docker, skopeo)
//! accepts it because the leaf is itself a trusted root. [`TrustedLeafVerifier`] does the same,
//! for end-entity certificates byte-identical to a certificate the user gave, and still checks
//! the server name against the certificate's subjectAltName, its validity period, its
//! extendedKeyUsage, its critical extensions and the handshake signatures. Every other
//! certificate goes through rustls' `WebPkiServerVerifier` unchanged.
//!
//! [`certificate_problem`] turns a refused certificate into plain words and a hint.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tracing::debug;

use crate::error::{Error, Result};

/// Reads the PEM certificates of every file in `files`, in order.
///
/// Errors (Usage): a file cannot be read, is not PEM, or holds no certificate (each message
/// names the file).
pub(crate) fn read_ca_files<'a>(
    files: impl IntoIterator<Item = &'a PathBuf>,
) -> Result<Vec<CertificateDer<'static>>> {
    let mut out = Vec::new();
    for f in files {
        let pem = std::fs::read(f)
            .map_err(|e| Error::usage(format!("cannot read CA file {}: {e}", f.display())))?;
        let certs = CertificateDer::pem_slice_iter(&pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::usage(format!("invalid CA file {}: {e}", f.display())))?;
        if certs.is_empty() {
            return Err(Error::usage(format!(
                "CA file {} holds no certificate",
                f.display()
            )));
        }
        out.extend(certs);
    }
    Ok(out)
}

/// A rustls client configuration for reqwest (`use_preconfigured_tls`): ring, TLS 1.2 and 1.3,
/// ALPN `h2` and `http/1.1` (what reqwest sets up itself), trusting the system store (as
/// reqwest's `rustls-tls-native-roots` does, `SSL_CERT_FILE`/`SSL_CERT_DIR` included) and
/// `user_certs` as roots, with [`TrustedLeafVerifier`] accepting a server certificate that is
/// one of `user_certs`.
///
/// Errors (Usage) when one of `user_certs` is not a usable trust anchor; Other when rustls
/// refuses the configuration.
pub(crate) fn client_config(
    user_certs: Vec<CertificateDer<'static>>,
) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        debug!("system trust store: {e}");
    }
    let (added, ignored) = roots.add_parsable_certificates(native.certs);
    debug!(added, ignored, "system trust store loaded");
    for c in &user_certs {
        roots.add(c.clone()).map_err(|e| {
            Error::usage(format!(
                "a certificate in the CA files cannot be used as a trust anchor: {e}"
            ))
        })?;
    }
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| Error::other(format!("cannot set up TLS verification: {e}")))?;
    let verifier = TrustedLeafVerifier {
        inner,
        trusted: user_certs,
        algs: provider.signature_verification_algorithms,
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::other(format!("cannot set up TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// rustls' WebPkiServerVerifier, plus acceptance of an end-entity certificate byte-identical
/// to one the user trusts explicitly (see the module docs).
#[derive(Debug)]
pub(crate) struct TrustedLeafVerifier {
    inner: Arc<WebPkiServerVerifier>,
    trusted: Vec<CertificateDer<'static>>,
    algs: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for TrustedLeafVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let refused = match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        if !self
            .trusted
            .iter()
            .any(|c| c.as_ref() == end_entity.as_ref())
        {
            return Err(refused);
        }
        debug!(server = ?server_name, reason = %refused, "server certificate is one given in a CA file; checking it as a trusted leaf");
        verify_trusted_leaf(end_entity, server_name, now)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }

    fn root_hint_subjects(&self) -> Option<&[rustls::DistinguishedName]> {
        self.inner.root_hint_subjects()
    }
}

/// Checks a certificate the user trusts as it is: it parses (webpki refuses unknown critical
/// extensions), names `server_name` in its subjectAltName, is within its validity period at
/// `now`, and, when it has an extendedKeyUsage, allows serverAuth. Its signature is not
/// checked: the certificate itself is the trust anchor.
fn verify_trusted_leaf(
    cert: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
    now: UnixTime,
) -> std::result::Result<(), rustls::Error> {
    let parsed = rustls::server::ParsedCertificate::try_from(cert)?;
    let fields = TbsFields::parse(cert.as_ref()).ok_or(CertificateError::BadEncoding)?;
    let (not_before, not_after) = fields.validity().ok_or(CertificateError::BadEncoding)?;
    let at = now.as_secs();
    if at < not_before {
        return Err(CertificateError::NotValidYetContext {
            time: now,
            not_before: UnixTime::since_unix_epoch(Duration::from_secs(not_before)),
        }
        .into());
    }
    if at > not_after {
        return Err(CertificateError::ExpiredContext {
            time: now,
            not_after: UnixTime::since_unix_epoch(Duration::from_secs(not_after)),
        }
        .into());
    }
    if fields.server_auth_allowed() == Some(false) {
        return Err(CertificateError::InvalidPurpose.into());
    }
    rustls::client::verify_server_name(&parsed, server_name)
}

/// Why a server's certificate was refused, in plain words (`it is …`), and what to do about it.
/// `user_cas`: whether the user gave CA files. `None` when `err` is not about the certificate.
pub(crate) fn certificate_problem(err: &rustls::Error, user_cas: bool) -> Option<(String, String)> {
    use CertificateError as C;
    let rustls::Error::InvalidCertificate(ce) = err else {
        return None;
    };
    let renew = "the registry needs a new certificate (or this machine's clock is wrong)";
    Some(match ce {
        C::NotValidForName => (
            "it is not valid for this host name or address".to_string(),
            "connect with a name in the certificate's subjectAltName, or give the registry a certificate for this name".to_string(),
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
            ),
        ),
        C::Expired => ("it has expired".to_string(), renew.to_string()),
        C::ExpiredContext { not_after, .. } => {
            (format!("it expired on {}", date(*not_after)), renew.to_string())
        }
        C::NotValidYet => ("it is not valid yet".to_string(), renew.to_string()),
        C::NotValidYetContext { not_before, .. } => (
            format!("it is not valid before {}", date(*not_before)),
            renew.to_string(),
        ),
        C::UnknownIssuer if user_cas => (
            "it is not signed by a CA in the given CA file(s), nor by one of the system trust store".to_string(),
            "the CA file must hold the CA certificate that issued the registry's certificate, or the registry's certificate itself".to_string(),
        ),
        C::UnknownIssuer => (
            "it is not signed by a CA of the system trust store".to_string(),
            "pass --ca-file FILE with the CA that issued it (or the registry's own certificate when it is self-signed), or --insecure for a test registry".to_string(),
        ),
        C::Other(o) if is_ca_used_as_end_entity(o) && user_cas => (
            "it is a CA certificate (basicConstraints CA:TRUE) that is not in the given CA file(s)".to_string(),
            "a CA certificate is accepted as the registry's own certificate only when a CA file holds exactly that certificate; compare with what the registry serves (openssl s_client -showcerts -connect HOST:PORT)".to_string(),
        ),
        C::Other(o) if is_ca_used_as_end_entity(o) => (
            "it is a self-signed CA certificate (basicConstraints CA:TRUE) that is not trusted".to_string(),
            "to trust the registry's own self-signed certificate, pass it with --ca-file FILE; or --insecure for a test registry".to_string(),
        ),
        C::BadSignature => (
            "its signature does not verify".to_string(),
            "the certificate chain the registry sends is broken or forged".to_string(),
        ),
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => (
            "it is not meant for TLS servers (its extendedKeyUsage lacks serverAuth)".to_string(),
            "give the registry a certificate with extendedKeyUsage serverAuth".to_string(),
        ),
        C::Revoked => (
            "it has been revoked".to_string(),
            "the registry needs a new certificate".to_string(),
        ),
        C::UnhandledCriticalExtension => (
            "it has a critical extension imgctl does not understand".to_string(),
            "give the registry a certificate without unusual critical extensions".to_string(),
        ),
        C::BadEncoding => (
            "it is malformed".to_string(),
            "give the registry a well-formed X.509 certificate".to_string(),
        ),
        other => (
            format!("{other}"),
            if user_cas {
                "check the registry's certificate against the given CA file(s)".to_string()
            } else {
                "pass --ca-file FILE with the CA that issued it, or --insecure for a test registry"
                    .to_string()
            },
        ),
    })
}

/// A subjectAltName as webpki reports it (`DnsName("a.example")`, `IpAddress(10.0.0.1)`)
/// without the wrapping: `a.example`, `10.0.0.1`.
fn plain_name(presented: &str) -> &str {
    ["DnsName(", "IpAddress(", "UniformResourceIdentifier("]
        .iter()
        .find_map(|p| presented.strip_prefix(p)?.strip_suffix(')'))
        .map(|n| n.trim_matches('"'))
        .unwrap_or(presented)
}

fn is_ca_used_as_end_entity(o: &rustls::OtherError) -> bool {
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

/// The parts of a DER certificate's TBSCertificate that webpki does not expose.
struct TbsFields<'a> {
    /// Contents of the `validity` SEQUENCE.
    validity: &'a [u8],
    /// Contents of the `[3]` extensions field, when present.
    extensions: Option<&'a [u8]>,
}

/// Splits one DER element off `input`: its tag, contents and what follows.
fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        rest = &rest[n..];
        len
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

const SEQUENCE: u8 = 0x30;

impl<'a> TbsFields<'a> {
    /// Parses `Certificate ::= SEQUENCE { tbsCertificate, … }` down to validity and
    /// extensions. `None` when the DER does not have that shape.
    fn parse(cert: &'a [u8]) -> Option<TbsFields<'a>> {
        let (SEQUENCE, cert, _) = der_element(cert)? else {
            return None;
        };
        let (SEQUENCE, tbs, _) = der_element(cert)? else {
            return None;
        };
        let mut rest = tbs;
        // [0] EXPLICIT version (absent in v1 certificates)
        let (tag, _, after) = der_element(rest)?;
        if tag == 0xa0 {
            rest = after;
        }
        // serialNumber, signature, issuer
        for want in [0x02, SEQUENCE, SEQUENCE] {
            let (tag, _, after) = der_element(rest)?;
            if tag != want {
                return None;
            }
            rest = after;
        }
        let (SEQUENCE, validity, after) = der_element(rest)? else {
            return None;
        };
        rest = after;
        // subject, subjectPublicKeyInfo
        for _ in 0..2 {
            let (SEQUENCE, _, after) = der_element(rest)? else {
                return None;
            };
            rest = after;
        }
        // [1] issuerUniqueID, [2] subjectUniqueID, [3] extensions
        let mut extensions = None;
        while !rest.is_empty() {
            let (tag, contents, after) = der_element(rest)?;
            if tag == 0xa3 {
                extensions = Some(contents);
            }
            rest = after;
        }
        Some(TbsFields {
            validity,
            extensions,
        })
    }

    /// `(notBefore, notAfter)` in seconds since the Unix epoch.
    fn validity(&self) -> Option<(u64, u64)> {
        let (t1, v1, rest) = der_element(self.validity)?;
        let (t2, v2, _) = der_element(rest)?;
        Some((der_time(t1, v1)?, der_time(t2, v2)?))
    }

    /// Whether the extendedKeyUsage extension allows serverAuth (or any purpose); `None`
    /// when the certificate has no extendedKeyUsage (any purpose, RFC 5280 4.2.1.12).
    fn server_auth_allowed(&self) -> Option<bool> {
        const EKU: &[u8] = &[0x55, 0x1d, 0x25]; // 2.5.29.37
        const SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
        const ANY: &[u8] = &[0x55, 0x1d, 0x25, 0x00];
        let (SEQUENCE, mut list, _) = der_element(self.extensions?)? else {
            return Some(false);
        };
        while !list.is_empty() {
            let (_, ext, after) = der_element(list)?;
            list = after;
            let (0x06, oid, mut rest) = der_element(ext)? else {
                return Some(false);
            };
            if oid != EKU {
                continue;
            }
            let (tag, _, after) = der_element(rest)?;
            if tag == 0x01 {
                rest = after; // the `critical` flag
            }
            let (0x04, value, _) = der_element(rest)? else {
                return Some(false);
            };
            let (SEQUENCE, mut purposes, _) = der_element(value)? else {
                return Some(false);
            };
            while !purposes.is_empty() {
                let (_, p, after) = der_element(purposes)?;
                if p == SERVER_AUTH || p == ANY {
                    return Some(true);
                }
                purposes = after;
            }
            return Some(false);
        }
        None
    }
}

/// Seconds since the Unix epoch of a DER UTCTime (tag 0x17, `YYMMDDHHMMSSZ`, years 1950–2049)
/// or GeneralizedTime (tag 0x18, `YYYYMMDDHHMMSSZ`).
fn der_time(tag: u8, value: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(value).ok()?.strip_suffix('Z')?;
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (year, rest) = match (tag, s.len()) {
        (0x17, 12) => {
            let yy: u64 = s[..2].parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &s[2..])
        }
        (0x18, 14) => (s[..4].parse().ok()?, &s[4..]),
        _ => return None,
    };
    let n = |i: usize| rest[i..i + 2].parse::<u64>().ok();
    let (month, day, hour, min, sec) = (n(0)?, n(2)?, n(4)?, n(6)?, n(8)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    // Days from 1970-01-01 to year-month-day (proleptic Gregorian; H. Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe).checked_sub(719_468)?;
    Some(days * 86_400 + hour * 3_600 + min * 60 + sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_times() {
        assert_eq!(der_time(0x17, b"700101000000Z"), Some(0));
        assert_eq!(der_time(0x17, b"200102000000Z"), Some(1_577_923_200));
        assert_eq!(der_time(0x18, b"20491231235959Z"), Some(2_524_607_999));
        assert_eq!(der_time(0x18, b"20240229120000Z"), Some(1_709_208_000));
        assert_eq!(der_time(0x17, b"200102000000"), None);
        assert_eq!(der_time(0x17, b"201302000000Z"), None);
        assert_eq!(der_time(0x16, b"200102000000Z"), None);
        assert_eq!(der_time(0x18, b"2020+102000000Z"), None);
    }

    #[test]
    fn names_lose_their_wrapping() {
        assert_eq!(plain_name("DnsName(\"other.example\")"), "other.example");
        assert_eq!(plain_name("IpAddress(127.0.0.2)"), "127.0.0.2");
        assert_eq!(plain_name("IpAddress(::1)"), "::1");
        assert_eq!(plain_name("DirectoryName"), "DirectoryName");
    }

    #[test]
    fn der_lengths() {
        assert_eq!(
            der_element(&[0x30, 0x02, 1, 2, 9]),
            Some((0x30, &[1u8, 2][..], &[9u8][..]))
        );
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7u8; 0x80]);
        assert_eq!(der_element(&long).map(|(_, c, _)| c.len()), Some(0x80));
        assert_eq!(der_element(&[0x04, 0x05, 1]), None);
        assert_eq!(der_element(&[0x04, 0x80]), None);
    }
}
