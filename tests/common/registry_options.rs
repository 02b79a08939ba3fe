//! Less common ways to start a harness [`Registry`]: deletion disabled, a token realm that
//! points somewhere else (e.g. a fault proxy in front of the token server), or a TLS registry
//! serving a self-signed certificate.

use super::registry::{Mode, Registry};
use super::token::TokenConfig;

/// Maps the token server's realm URL to the realm a registry advertises.
pub type RealmMap<'a> = Box<dyn FnOnce(&str) -> String + 'a>;

/// Extra start options for [`Registry::start_with`]; the default is what [`Registry::start`]
/// does.
#[derive(Default)]
pub struct StartOptions<'a> {
    /// Writes `storage.delete.enabled: false`: DELETE answers 405 UNSUPPORTED.
    pub delete_disabled: bool,
    /// Token mode only: maps the token server's realm URL (`http://127.0.0.1:PORT/…`) to the
    /// realm the registry advertises in its `WWW-Authenticate` challenge.
    pub realm: Option<RealmMap<'a>>,
    /// TlsHtpasswd mode only: serve this self-signed certificate instead of one issued by the
    /// test CA; [`Registry::ca_cert`] is then the server's certificate itself.
    pub server_cert: Option<SelfSigned>,
}

/// A self-signed server certificate made as docker's "insecure registry with a self-signed
/// certificate" recipe does: `openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=<cn>
/// -addext subjectAltName=<san>`, whose openssl defaults add `basicConstraints critical,
/// CA:TRUE` and 30 days of validity.
#[derive(Clone, Debug)]
pub struct SelfSigned {
    /// The subject CN, e.g. `127.0.0.1`.
    pub cn: String,
    /// The subjectAltName value, e.g. `IP:127.0.0.1` or `DNS:other.example`.
    pub san: String,
    /// Valid only from 2020-01-01 to 2020-01-02 (made with `openssl ca -selfsign`, still with
    /// CA:TRUE) instead of the next 30 days.
    pub expired: bool,
}

impl SelfSigned {
    /// A valid self-signed certificate for `cn` with subjectAltName `san`.
    pub fn new(cn: &str, san: &str) -> SelfSigned {
        SelfSigned {
            cn: cn.to_string(),
            san: san.to_string(),
            expired: false,
        }
    }
}

impl Registry {
    /// Starts a registry in `mode` (Token mode with [`TokenConfig::default`]) with `opts`.
    pub fn start_with(mode: Mode, opts: StartOptions<'_>) -> Registry {
        Registry::start_opts(mode, TokenConfig::default(), opts)
    }

    /// Starts a TlsHtpasswd registry serving the self-signed certificate `cert`.
    pub fn start_self_signed(cert: SelfSigned) -> Registry {
        Registry::start_with(
            Mode::TlsHtpasswd,
            StartOptions {
                server_cert: Some(cert),
                ..StartOptions::default()
            },
        )
    }

    /// Starts a Token-mode registry whose challenge names the realm `realm(token_realm)`
    /// returns, given the real token server's realm URL.
    pub fn start_token_with_realm<'a>(realm: impl FnOnce(&str) -> String + 'a) -> Registry {
        Registry::start_with(
            Mode::Token,
            StartOptions {
                realm: Some(Box::new(realm)),
                ..StartOptions::default()
            },
        )
    }
}
