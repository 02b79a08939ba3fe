//! Less common ways to start a harness [`Registry`]: deletion disabled, or a token realm that
//! points somewhere else (e.g. a fault proxy in front of the token server).

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
}

impl Registry {
    /// Starts a registry in `mode` (Token mode with [`TokenConfig::default`]) with `opts`.
    pub fn start_with(mode: Mode, opts: StartOptions<'_>) -> Registry {
        Registry::start_opts(mode, TokenConfig::default(), opts)
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
