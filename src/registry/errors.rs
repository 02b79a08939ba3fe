//! Registry error responses (OCI distribution spec, "Error Codes"): the JSON envelope
//! `{"errors":[{"code","message","detail"}]}` mapped to imgctl error kinds.

use reqwest::StatusCode;
use tracing::debug;

use oci_spec::distribution::{ErrorCode, ErrorResponse};

use super::tls;
use crate::error::{Error, ErrorKind, Hint};

/// One entry of an error envelope as imgctl shows it: the code as the registry wrote it, its
/// message, and the spec's code when it is one.
struct Entry {
    code: String,
    message: String,
    typed: Option<ErrorCode>,
}

/// A tolerant reading of the envelope, for registries that send codes outside the spec
/// (`NOT_FOUND`, distribution's `PAGINATION_NUMBER_INVALID`) or leave fields out.
#[derive(serde::Deserialize)]
struct LooseEnvelope {
    #[serde(default)]
    errors: Vec<LooseEntry>,
}

#[derive(serde::Deserialize)]
struct LooseEntry {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// The entries of an error envelope `body`: oci-spec's [`ErrorResponse`] when the body follows
/// the spec, else the tolerant reading; None when the body is no envelope at all.
fn entries(body: &[u8]) -> Option<Vec<Entry>> {
    if let Ok(env) = serde_json::from_slice::<ErrorResponse>(body) {
        return Some(
            env.errors()
                .iter()
                .map(|e| Entry {
                    code: code_name(e.code()),
                    message: e.message().clone().unwrap_or_default(),
                    typed: Some(e.code().clone()),
                })
                .collect(),
        );
    }
    let env = serde_json::from_slice::<LooseEnvelope>(body).ok()?;
    Some(
        env.errors
            .into_iter()
            .map(|e| Entry {
                typed: serde_json::from_value(serde_json::Value::String(e.code.clone())).ok(),
                code: e.code,
                message: e.message,
            })
            .collect(),
    )
}

/// The code as the spec spells it on the wire (`TOOMANYREQUESTS`; oci-spec's `Display`
/// spells that one differently).
fn code_name(code: &ErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(s)) => s,
        _ => code.to_string(),
    }
}

/// Builds an [`Error`] from a failed response's `status` and `body` (bytes, possibly not JSON).
///
/// The kind follows the envelope's first code when known (`UNAUTHORIZED`/`DENIED` → Auth,
/// `*_UNKNOWN` → NotFound, `TOOMANYREQUESTS` → RateLimited, `DIGEST_INVALID` → Integrity),
/// else the status (401/403 → Auth, 404 → NotFound, 429 → RateLimited, 5xx → Network); a 413
/// (a request size limit) is Other whatever its code.
/// The message shows the status and every `code: message`; a non-JSON body is quoted briefly.
pub fn from_response(status: StatusCode, body: &[u8]) -> Error {
    let mut kind = match status.as_u16() {
        401 | 403 => ErrorKind::Auth,
        404 => ErrorKind::NotFound,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Network,
        _ => ErrorKind::Other,
    };
    let mut msg = format!("registry responded {status}");
    match entries(body) {
        Some(errors) if !errors.is_empty() => {
            if let Some(k) = errors.first().and_then(kind_of_entry) {
                kind = k;
            }
            // 413 is a size limit of the registry (or a proxy in front of it), whatever the
            // code says (SIZE_INVALID): not a sign of corrupt content.
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                kind = ErrorKind::Other;
            }
            let parts: Vec<String> = errors
                .iter()
                .map(|e| match (e.code.is_empty(), e.message.is_empty()) {
                    (false, false) => format!("{}: {}", e.code, e.message),
                    (false, true) => e.code.clone(),
                    _ => e.message.clone(),
                })
                .collect();
            msg.push_str(": ");
            msg.push_str(&parts.join("; "));
        }
        _ => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if !text.is_empty() {
                let short: String = text.chars().take(200).collect();
                msg.push_str(&format!(": {short}"));
            }
        }
    }
    Error::new(kind, msg)
}

/// The error kind an entry's code stands for, when it names one.
fn kind_of_entry(e: &Entry) -> Option<ErrorKind> {
    let Some(code) = &e.typed else {
        // Not a spec code; some registries send it for an unknown repository or tag.
        return (e.code == "NOT_FOUND").then_some(ErrorKind::NotFound);
    };
    Some(match code {
        ErrorCode::Unauthorized | ErrorCode::Denied => ErrorKind::Auth,
        ErrorCode::ManifestUnknown
        | ErrorCode::BlobUnknown
        | ErrorCode::NameUnknown
        | ErrorCode::BlobUploadUnknown => ErrorKind::NotFound,
        ErrorCode::TooManyRequests => ErrorKind::RateLimited,
        ErrorCode::DigestInvalid | ErrorCode::SizeInvalid => ErrorKind::Integrity,
        ErrorCode::BlobUploadInvalid
        | ErrorCode::ManifestBlobUnknown
        | ErrorCode::ManifestInvalid
        | ErrorCode::NameInvalid
        | ErrorCode::Unsupported => return None,
    })
}

/// Whether an error chain's text is the resolver saying the name does not exist (glibc's
/// EAI_NONAME/EAI_NODATA, macOS, Windows wording).
pub(super) fn no_such_host(chain: &str) -> bool {
    let lower = chain.to_ascii_lowercase();
    [
        "name or service not known",
        "no address associated with hostname",
        "nodename nor servname provided",
        "no such host is known",
    ]
    .iter()
    .any(|m| lower.contains(m))
}

/// The messages of `e`'s sources, each after ": ".
pub(super) fn error_chain(e: &reqwest::Error) -> String {
    error_sources(e).map(|s| format!(": {s}")).collect()
}

/// `e`'s sources, outermost first (`e` itself excluded).
pub(super) fn error_sources(
    e: &reqwest::Error,
) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
    std::iter::successors(std::error::Error::source(e), |s| s.source())
}

/// Maps a reqwest transport error on `url` to a Network error that names the URL's host
/// (else the error's own URL's), never its query (which may carry upload state) nor any header.
/// The error is attributed ([`Error::registry`]) to that host's normalised registry name.
///
/// A refused server certificate is described in plain words with a hint that fits:
/// `tls.user_cas` says whether CA files apply to the host, so that the hint never asks for
/// `--ca-file` when one was given; a handshake the registry ended over the client certificate
/// says so, with `tls.identity` the certificate offered.
pub(super) fn transport_error(e: &reqwest::Error, url: &str, tls: &TlsContext) -> Error {
    let err = transport_error_of(e, url, tls);
    match url_host(e, url) {
        h if h.is_empty() => err,
        h => err.with_registry(crate::reference::normalise_registry(&h)),
    }
}

/// `host[:port]` of `url`, else of the error's own URL; empty when neither has one.
fn url_host(e: &reqwest::Error, url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .or_else(|| e.url().cloned())
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_default()
}

fn transport_error_of(e: &reqwest::Error, url: &str, tls: &TlsContext) -> Error {
    let user_cas = tls.user_cas;
    let host = url_host(e, url);
    let registry = crate::reference::normalise_registry(&host);
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let chain = error_chain(e);
    let tls_error = error_sources(e).find_map(rustls_error);
    if let Some((problem, hint)) =
        tls_error.and_then(|t| tls::certificate_problem(t, user_cas, &registry))
    {
        debug!(host, "TLS handshake failed{chain}");
        return Error::network(format!(
            "{what} ({host}): the registry's TLS certificate is not accepted: {problem}"
        ))
        .with_hint(hint);
    }
    if let Some((problem, hint)) =
        tls_error.and_then(|t| tls::client_auth_problem(t, tls.identity.as_ref()))
    {
        debug!(host, "TLS handshake failed{chain}");
        return Error::network(format!("{what} ({host}): {problem}")).with_hint(hint);
    }
    if tls.client_cert_refused && tls_error.is_none() && !e.is_timeout() {
        debug!(
            host,
            "connection closed after a client certificate request{chain}"
        );
        let (problem, hint) = tls::client_cert_closed(tls.identity.as_ref());
        return Error::network(format!("{what} ({host}): {problem}")).with_hint(hint);
    }
    let mut err = Error::network(format!("{what} ({host}){chain}"));
    let lower = chain.to_ascii_lowercase();
    if no_such_host(&chain) && (host == "docker.io" || host.ends_with(".docker.io")) {
        // Docker Hub, where a name without a registry goes: the name is not the problem.
        err = err.with_hint(format!(
            "no host named {host} was found (Docker Hub): check the network, DNS or proxy settings; offline, imgctl images lists the local store"
        ));
    } else if no_such_host(&chain) {
        err = err.with_hint(format!(
            "no host named {host} was found: check the registry name (a Docker Hub image needs no registry: nginx, user/app)"
        ));
    } else if lower.contains("certificate") || lower.contains("unknownissuer") {
        err = err.with_hint(if user_cas {
            Hint::Insecure { registry }
        } else {
            Hint::TrustCa {
                registry,
                ca: crate::error::CaAdvice::Untrusted,
            }
        });
    }
    err
}

/// The TLS settings of a host that decide how its transport errors are explained.
pub(super) struct TlsContext {
    /// Whether CA files apply to the host.
    pub(super) user_cas: bool,
    /// The client certificate offered to the host.
    pub(super) identity: Option<tls::IdentityFiles>,
    /// The host asked for a client certificate and never answered since.
    pub(super) client_cert_refused: bool,
}

/// The rustls error `e` is or wraps in (possibly nested) `io::Error`s, whose `source()` skips
/// the error they wrap (hyper-rustls wraps tokio-rustls' io::Error in another one).
pub(super) fn rustls_error<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    if let Some(r) = e.downcast_ref::<rustls::Error>() {
        return Some(r);
    }
    let inner = e.downcast_ref::<std::io::Error>()?.get_ref()?;
    rustls_error(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_envelopes() {
        let e = from_response(
            StatusCode::NOT_FOUND,
            br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}"#,
        );
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(e.to_string().contains("MANIFEST_UNKNOWN: manifest unknown"));
        let e = from_response(StatusCode::TOO_MANY_REQUESTS, b"slow down");
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(e.to_string().contains("slow down"));
        let e = from_response(StatusCode::UNAUTHORIZED, b"");
        assert_eq!(e.kind(), ErrorKind::Auth);
        // a size limit is not an integrity failure; a size that does not match is
        let e = from_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            br#"{"errors":[{"code":"SIZE_INVALID","message":"chunk too large"}]}"#,
        );
        assert_eq!(e.kind(), ErrorKind::Other);
        assert!(e.to_string().contains("SIZE_INVALID: chunk too large"));
        let e = from_response(
            StatusCode::BAD_REQUEST,
            br#"{"errors":[{"code":"SIZE_INVALID","message":"size mismatch"}]}"#,
        );
        assert_eq!(e.kind(), ErrorKind::Integrity);
    }

    #[test]
    fn odd_envelopes_still_map() {
        // codes outside the spec, an entry without a code, extra fields
        let e = from_response(
            StatusCode::NOT_FOUND,
            br#"{"errors":[{"code":"NOT_FOUND","message":"no such repo","extra":1}]}"#,
        );
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(e.to_string().contains("NOT_FOUND: no such repo"), "{e}");
        let e = from_response(
            StatusCode::BAD_REQUEST,
            br#"{"errors":[{"code":"DENIED","message":"m"},{"code":"PAGINATION_NUMBER_INVALID"},{"message":"bare"}],"more":true}"#,
        );
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert!(
            e.to_string()
                .contains("DENIED: m; PAGINATION_NUMBER_INVALID; bare"),
            "{e}"
        );
        let e = from_response(
            StatusCode::SERVICE_UNAVAILABLE,
            br#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow"}]}"#,
        );
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(e.to_string().contains("TOOMANYREQUESTS: slow"), "{e}");
        let e = from_response(StatusCode::BAD_GATEWAY, br#"{"errors":[]}"#);
        assert_eq!(e.kind(), ErrorKind::Network);
    }

    #[test]
    fn a_missing_host_is_permanent_a_resolver_hiccup_is_not() {
        for m in [
            ": client error (Connect): dns error: failed to lookup address information: Name or service not known",
            ": dns error: failed to lookup address information: No address associated with hostname",
            ": dns error: failed to lookup address information: nodename nor servname provided, or not known",
            ": dns error: No such host is known. (os error 11001)",
        ] {
            assert!(no_such_host(m), "{m}");
        }
        for m in [
            ": dns error: failed to lookup address information: Temporary failure in name resolution",
            ": tcp connect error: Connection refused (os error 111)",
            "",
        ] {
            assert!(!no_such_host(m), "{m}");
        }
    }
}
