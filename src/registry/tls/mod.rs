//! TLS for registry connections, per host (docs/DESIGN.md §4: "TLS settings (CA, client
//! certificate, insecure) are per host; only a command-line `--ca-file` is global").
//!
//! What a connection to `host[:port]` trusts and presents ([`TlsSettings::for_host`]):
//!
//! - roots: the system trust store, the command's CA files (`--ca-file`, `--src-ca-file`,
//!   `--dest-ca-file`: global, the user's explicit choice for this command), the `ca-file` of
//!   that host's section of `config.toml`, and the `*.crt` files of that host's `certs.d`
//!   directory (docker's and containers' layout, see [`crate::settings::certs_d_roots`]);
//! - a client certificate (mTLS): `--cert-file`/`--key-file`, else the host's `cert-file` /
//!   `key-file` in `config.toml`, else the `NAME.cert` + `NAME.key` pair of its `certs.d`
//!   directory;
//! - `insecure` (no verification): `--insecure`, or `insecure = true` for that host.
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
//! [`certificate_problem`] (in `diagnose.rs`, with the other handshake diagnoses) turns a
//! refused certificate into plain words and a hint; a CA file
//! whose certificate has the issuer's name but not its key is told apart from a forgery
//! ([`CaKeyMismatch`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, WebPkiServerVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tracing::debug;
use x509_cert::Certificate;
use x509_cert::der::Decode;
use x509_cert::der::oid::AssociatedOid;
use x509_cert::der::oid::db::rfc5280::{ANY_EXTENDED_KEY_USAGE, ID_KP_SERVER_AUTH};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, ExtendedKeyUsage, SubjectKeyIdentifier};

use crate::error::{Error, Result};

mod diagnose;

use crate::settings::Config;
use diagnose::is_ca_used_as_end_entity;
#[cfg(test)]
use diagnose::plain_name;
pub(crate) use diagnose::{certificate_problem, client_auth_problem, client_cert_closed};

/// A certificate the user trusts, with the file it came from (for error messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UserCa {
    /// The PEM file.
    pub file: PathBuf,
    /// The certificate, DER.
    pub der: CertificateDer<'static>,
}

/// Reads the PEM certificates of every file in `files`, in order.
///
/// Errors (Usage): a file cannot be read, is not PEM, or holds no certificate (each message
/// names the file).
pub(crate) fn read_ca_files<'a>(
    files: impl IntoIterator<Item = &'a PathBuf>,
) -> Result<Vec<UserCa>> {
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
        out.extend(certs.into_iter().map(|der| UserCa {
            file: f.clone(),
            der,
        }));
    }
    Ok(out)
}

/// A client certificate chain (PEM file, leaf first) and its private key (PEM file: PKCS#8,
/// PKCS#1 RSA or SEC1 EC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IdentityFiles {
    /// The certificate file.
    pub cert: PathBuf,
    /// The key file.
    pub key: PathBuf,
}

/// A loaded client certificate.
struct Identity {
    files: IdentityFiles,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl IdentityFiles {
    /// Reads both files. Errors (Usage, naming the file, never showing the key): unreadable,
    /// not PEM, no certificate / no private key.
    fn load(&self) -> Result<Identity> {
        let pem = std::fs::read(&self.cert).map_err(|e| {
            Error::usage(format!(
                "cannot read client certificate {}: {e}",
                self.cert.display()
            ))
        })?;
        let chain = CertificateDer::pem_slice_iter(&pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| {
                Error::usage(format!(
                    "invalid client certificate {}: {e}",
                    self.cert.display()
                ))
            })?;
        if chain.is_empty() {
            return Err(Error::usage(format!(
                "client certificate file {} holds no certificate",
                self.cert.display()
            ))
            .with_hint("it must hold the PEM certificate (BEGIN CERTIFICATE), leaf first"));
        }
        let key_pem = std::fs::read(&self.key).map_err(|e| {
            Error::usage(format!(
                "cannot read client key {}: {e}",
                self.key.display()
            ))
        })?;
        // The key's bytes never reach a message: only the parser's kind of complaint.
        let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
            use rustls::pki_types::pem::Error as P;
            let why = match e {
                P::NoItemsFound => "it holds no private key".to_string(),
                P::Base64Decode(_) => "its PEM body is not valid base64".to_string(),
                P::MissingSectionEnd { .. } => "a PEM section has no END line".to_string(),
                P::IllegalSectionStart { .. } => "a PEM BEGIN line is malformed".to_string(),
                P::Io(e) => e.to_string(),
                _ => "it is not a PEM private key".to_string(),
            };
            Error::usage(format!("invalid client key {}: {why}", self.key.display())).with_hint(
                "the key file must hold an unencrypted PEM private key (PKCS#8, RSA or EC)",
            )
        })?;
        Ok(Identity {
            files: self.clone(),
            chain,
            key,
        })
    }
}

/// The TLS settings of one host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HostTls {
    /// Skip verification of the server's certificate.
    pub insecure: bool,
    /// Extra roots: the command's CA files, then the host's own.
    pub cas: Vec<UserCa>,
    /// The client certificate to present, if any.
    pub identity: Option<IdentityFiles>,
}

/// Where the TLS settings of every host come from: the command line (global) and the per-host
/// sources (`config.toml`, `certs.d`).
pub(crate) struct TlsSettings {
    /// `--insecure`.
    pub insecure: bool,
    /// The command's CA files.
    pub ca_files: Vec<PathBuf>,
    /// `--cert-file` + `--key-file`.
    pub identity: Option<IdentityFiles>,
    /// `config.toml`.
    pub config: Arc<Config>,
    /// The `certs.d` roots, searched in order.
    pub certs_d: Vec<PathBuf>,
}

impl TlsSettings {
    /// The settings every host starts from: the command line's.
    ///
    /// Errors (Usage) as [`read_ca_files`].
    pub fn global(&self) -> Result<HostTls> {
        Ok(HostTls {
            insecure: self.insecure,
            cas: read_ca_files(&self.ca_files)?,
            identity: self.identity.clone(),
        })
    }

    /// The settings for connections to `host` (`name[:port]`, as in URLs and references):
    /// [`TlsSettings::global`] plus the host's `ca-file`, `cert-file`/`key-file` and `insecure`
    /// in `config.toml` (`[registry."HOST"]`, also matched through docker.io's API host) and
    /// its `certs.d` directory. The command line's client certificate wins over the host's;
    /// the host's config over its `certs.d`.
    ///
    /// Errors (Usage, naming the file): a CA file or `certs.d` entry that cannot be read or is
    /// not PEM, a `certs.d` client certificate without its key or the reverse.
    pub fn for_host(&self, host: &str) -> Result<HostTls> {
        let mut t = self.global()?;
        let host = host.to_ascii_lowercase();
        let section = self.config.for_host(&host);
        if let Some(r) = section {
            t.insecure |= r.insecure.unwrap_or(false);
            if let Some(f) = &r.ca_file {
                t.cas.extend(read_ca_files([f])?);
            }
            if t.identity.is_none()
                && let (Some(cert), Some(key)) = (&r.cert_file, &r.key_file)
            {
                t.identity = Some(IdentityFiles {
                    cert: cert.clone(),
                    key: key.clone(),
                });
            }
        }
        if let Some(dir) = self
            .certs_d
            .iter()
            .map(|root| root.join(&host))
            .find(|d| d.is_dir())
        {
            let found = read_certs_d(&dir)?;
            debug!(dir = %dir.display(), cas = found.cas.len(), client_cert = found.identity.is_some(), "certs.d directory for {host}");
            t.cas.extend(read_ca_files(&found.cas)?);
            if t.identity.is_none() {
                t.identity = found.identity;
            }
        }
        Ok(t)
    }
}

/// What one `certs.d/HOST[:PORT]/` directory holds.
#[derive(Debug, Default, PartialEq, Eq)]
struct CertsDir {
    /// `*.crt` files (CA certificates), sorted.
    cas: Vec<PathBuf>,
    /// The first (by name) `NAME.cert` with its `NAME.key`.
    identity: Option<IdentityFiles>,
}

/// Reads a `certs.d` host directory as docker does (`ca.crt` and any `*.crt` are roots;
/// `NAME.cert` + `NAME.key` is a client certificate). Other files are ignored.
///
/// Errors (Usage): the directory cannot be listed; a `.cert` without its `.key` or the reverse.
fn read_certs_d(dir: &Path) -> Result<CertsDir> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::usage(format!("cannot read {}: {e}", dir.display())))?;
    let mut names: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    let ext = |p: &Path, x: &str| p.extension().is_some_and(|e| e == x);
    let mut out = CertsDir {
        cas: names.iter().filter(|p| ext(p, "crt")).cloned().collect(),
        identity: None,
    };
    for cert in names.iter().filter(|p| ext(p, "cert")) {
        let key = cert.with_extension("key");
        if !key.is_file() {
            return Err(Error::usage(format!(
                "client certificate {} has no key {}",
                cert.display(),
                key.display()
            ))
            .with_hint("a certs.d directory needs NAME.cert and NAME.key side by side"));
        }
        if out.identity.is_none() {
            out.identity = Some(IdentityFiles {
                cert: cert.clone(),
                key,
            });
        }
    }
    if let Some(key) = names
        .iter()
        .find(|p| ext(p, "key") && !p.with_extension("cert").is_file())
    {
        return Err(Error::usage(format!(
            "client key {} has no certificate {}",
            key.display(),
            key.with_extension("cert").display()
        ))
        .with_hint("a certs.d directory needs NAME.cert and NAME.key side by side"));
    }
    Ok(out)
}

/// What the TLS handshakes and exchanges with one host showed, for explaining its failures:
/// with TLS 1.3 a server refuses a missing or untrusted client certificate only after the
/// handshake, and over HTTP/2 that alert reaches imgctl as a closed connection.
#[derive(Debug, Default)]
pub(crate) struct Observed {
    /// The server sent a CertificateRequest (it wants mutual TLS).
    asked_for_client_cert: AtomicBool,
    /// An HTTP answer came from the host.
    answered: AtomicBool,
}

impl Observed {
    /// Records that an HTTP answer came.
    pub fn answered(&self) {
        self.answered.store(true, Ordering::Relaxed);
    }

    /// Whether the host asked for a client certificate and never answered since: a failure
    /// then is about the client certificate.
    pub fn client_cert_refused(&self) -> bool {
        self.asked_for_client_cert.load(Ordering::Relaxed) && !self.answered.load(Ordering::Relaxed)
    }
}

/// Presents the configured client certificate (if any) when a server asks for one, and
/// records that it asked.
#[derive(Debug)]
struct ClientCertResolver {
    key: Option<Arc<CertifiedKey>>,
    observed: Arc<Observed>,
}

impl ResolvesClientCert for ClientCertResolver {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.observed
            .asked_for_client_cert
            .store(true, Ordering::Relaxed);
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        // Also when there is none: the server's request must reach `resolve` to be recorded.
        true
    }
}

/// A rustls client configuration for reqwest (`use_preconfigured_tls`): ring, TLS 1.2 and 1.3,
/// ALPN `h2` and `http/1.1` (what reqwest sets up itself), trusting the system store (as
/// reqwest's `rustls-tls-native-roots` does, `SSL_CERT_FILE`/`SSL_CERT_DIR` included) and
/// `t.cas` as roots, with [`TrustedLeafVerifier`] accepting a server certificate that is one
/// of `t.cas` (or any certificate when `t.insecure`), presenting `t.identity` when the server
/// asks for a client certificate and recording in `observed` that it asked.
///
/// Errors (Usage) when one of `t.cas` is not a usable trust anchor, or the client certificate
/// or key cannot be read or do not belong together; Other when rustls refuses the
/// configuration.
pub(crate) fn client_config(t: &HostTls, observed: Arc<Observed>) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(system_roots().iter().cloned());
    debug!(added, ignored, "system trust store loaded");
    for c in &t.cas {
        roots.add(c.der.clone()).map_err(|e| {
            Error::usage(format!(
                "the certificate in CA file {} cannot be used as a trust anchor: {e}",
                c.file.display()
            ))
        })?;
    }
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| Error::other(format!("cannot set up TLS verification: {e}")))?;
    let verifier = TrustedLeafVerifier {
        inner,
        trusted: t.cas.clone(),
        insecure: t.insecure,
        algs: provider.signature_verification_algorithms,
    };
    let key = match &t.identity {
        None => None,
        Some(files) => {
            let id = files.load()?;
            let key = CertifiedKey::from_der(id.chain, id.key, &provider).map_err(|e| {
                let why = match e {
                    rustls::Error::InconsistentKeys(_) => {
                        "the key is not the private key of the certificate's public key".to_string()
                    }
                    other => other.to_string(),
                };
                Error::usage(format!(
                    "client certificate {} and key {} cannot be used together: {why}",
                    id.files.cert.display(),
                    id.files.key.display()
                ))
                .with_hint(
                    "give the key file made with that certificate (NAME.key beside NAME.cert)",
                )
            })?;
            Some(Arc::new(key))
        }
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::other(format!("cannot set up TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_client_cert_resolver(Arc::new(ClientCertResolver { key, observed }));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The system trust store's certificates (`SSL_CERT_FILE`/`SSL_CERT_DIR` included), read once
/// per process: every host's client starts from them.
fn system_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: std::sync::OnceLock<Vec<CertificateDer<'static>>> = std::sync::OnceLock::new();
    ROOTS.get_or_init(|| {
        let native = rustls_native_certs::load_native_certs();
        for e in &native.errors {
            debug!("system trust store: {e}");
        }
        native.certs
    })
}

/// rustls' WebPkiServerVerifier, plus acceptance of an end-entity certificate byte-identical
/// to one the user trusts explicitly (see the module docs), or of any certificate when
/// `insecure`. A refusal whose issuer has the name of a user CA becomes [`CaKeyMismatch`].
#[derive(Debug)]
pub(crate) struct TrustedLeafVerifier {
    inner: Arc<WebPkiServerVerifier>,
    trusted: Vec<UserCa>,
    insecure: bool,
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
        if self.insecure {
            debug!(server = ?server_name, reason = %refused, "insecure: server certificate accepted unverified");
            return Ok(ServerCertVerified::assertion());
        }
        if !self
            .trusted
            .iter()
            .any(|c| c.der.as_ref() == end_entity.as_ref())
        {
            if let Some(m) = key_mismatch(&refused, end_entity, &self.trusted) {
                return Err(CertificateError::Other(rustls::OtherError(Arc::new(m))).into());
            }
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

/// The registry's certificate names as its issuer a CA whose name is that of a certificate in
/// a CA file the user gave, but that certificate's key did not sign it: the CA (or the
/// registry's self-signed certificate) was made again with a new key, or the file is an old
/// copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CaKeyMismatch {
    /// The CA file holding the same-name certificate.
    pub file: PathBuf,
    /// The shared name, RFC 4514 (`CN=imgctl test CA`).
    pub name: String,
    /// Whether the registry's certificate is self-signed (its own issuer).
    pub self_signed: bool,
}

impl std::fmt::Display for CaKeyMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "not signed by the certificate in {} ({}: same name, different key)",
            self.file.display(),
            self.name
        )
    }
}

impl std::error::Error for CaKeyMismatch {}

/// Tells a same-name, different-key CA file apart from a broken chain: when webpki refused
/// `end_entity` for its issuer (unknown issuer, bad signature, or a CA certificate used as the
/// server's) and a user CA has the issuer's name, that CA's key did not sign it. Not when
/// both key identifiers are present and equal (then the key is the same and the signature
/// itself is bad).
fn key_mismatch(
    refused: &rustls::Error,
    end_entity: &CertificateDer<'_>,
    trusted: &[UserCa],
) -> Option<CaKeyMismatch> {
    use CertificateError as C;
    let rustls::Error::InvalidCertificate(ce) = refused else {
        return None;
    };
    if !matches!(ce, C::UnknownIssuer | C::BadSignature)
        && !matches!(ce, C::Other(o) if is_ca_used_as_end_entity(o))
    {
        return None;
    }
    let leaf = Certificate::from_der(end_entity.as_ref()).ok()?;
    let issuer = &leaf.tbs_certificate.issuer;
    let leaf_aki = extension::<AuthorityKeyIdentifier>(&leaf)
        .and_then(|a| a.key_identifier)
        .map(|k| k.as_bytes().to_vec());
    trusted.iter().find_map(|ca| {
        let ca_cert = Certificate::from_der(ca.der.as_ref()).ok()?;
        if &ca_cert.tbs_certificate.subject != issuer {
            return None;
        }
        let ca_ski = extension::<SubjectKeyIdentifier>(&ca_cert).map(|k| k.0.as_bytes().to_vec());
        if leaf_aki.is_some() && leaf_aki == ca_ski {
            return None;
        }
        Some(CaKeyMismatch {
            file: ca.file.clone(),
            name: issuer.to_string(),
            self_signed: leaf.tbs_certificate.subject == *issuer,
        })
    })
}

/// The extension `E` of `cert`, decoded; `None` when absent or malformed.
fn extension<E: AssociatedOid + for<'a> Decode<'a>>(cert: &Certificate) -> Option<E> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == E::OID)
        .and_then(|e| E::from_der(e.extn_value.as_bytes()).ok())
}

/// Checks a certificate the user trusts as it is: it parses (webpki refuses unknown critical
/// extensions), names `server_name` in its subjectAltName, is within its validity period at
/// `now`, and, when it has an extendedKeyUsage, allows serverAuth (RFC 5280 4.2.1.12). Its
/// signature is not checked: the certificate itself is the trust anchor.
fn verify_trusted_leaf(
    cert: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
    now: UnixTime,
) -> std::result::Result<(), rustls::Error> {
    let parsed = rustls::server::ParsedCertificate::try_from(cert)?;
    let x509 = Certificate::from_der(cert.as_ref()).map_err(|_| CertificateError::BadEncoding)?;
    let validity = &x509.tbs_certificate.validity;
    let not_before = validity.not_before.to_unix_duration().as_secs();
    let not_after = validity.not_after.to_unix_duration().as_secs();
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
    let has_eku = x509
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .any(|e| e.extn_id == ExtendedKeyUsage::OID);
    if has_eku {
        let allowed = extension::<ExtendedKeyUsage>(&x509).is_some_and(|u| {
            u.0.contains(&ID_KP_SERVER_AUTH) || u.0.contains(&ANY_EXTENDED_KEY_USAGE)
        });
        if !allowed {
            return Err(CertificateError::InvalidPurpose.into());
        }
    }
    rustls::client::verify_server_name(&parsed, server_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_wrapping() {
        assert_eq!(plain_name("DnsName(\"other.example\")"), "other.example");
        assert_eq!(plain_name("IpAddress(127.0.0.2)"), "127.0.0.2");
        assert_eq!(plain_name("IpAddress(::1)"), "::1");
        assert_eq!(plain_name("DirectoryName"), "DirectoryName");
    }

    #[test]
    fn certs_d_directory_pairs_cert_and_key() {
        let d = tempfile::tempdir().unwrap();
        let p = |n: &str| d.path().join(n);
        for n in ["ca.crt", "b.crt", "client.cert", "client.key", "notes.txt"] {
            std::fs::write(p(n), "x").unwrap();
        }
        assert_eq!(
            read_certs_d(d.path()).unwrap(),
            CertsDir {
                cas: vec![p("b.crt"), p("ca.crt")],
                identity: Some(IdentityFiles {
                    cert: p("client.cert"),
                    key: p("client.key"),
                }),
            }
        );
        std::fs::write(p("other.key"), "x").unwrap();
        let e = read_certs_d(d.path()).unwrap_err();
        assert!(
            e.to_string().contains("other.key has no certificate"),
            "{e}"
        );
        std::fs::remove_file(p("other.key")).unwrap();
        std::fs::remove_file(p("client.key")).unwrap();
        let e = read_certs_d(d.path()).unwrap_err();
        assert!(e.to_string().contains("client.cert has no key"), "{e}");
    }
}
