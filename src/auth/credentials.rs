//! Credentials for one registry and what their secret is (a password, an identity token,
//! a registry token), and the trait that supplies them per registry.

use std::fmt;

/// A username and secret for one registry. `Debug` never prints the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The account name.
    pub username: String,
    /// The password or access token.
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    /// Parses `USER[:PASS]` as given to `--creds`; the password is everything after the first
    /// `:` (it may contain colons). Returns `None` for an empty user.
    pub fn parse(s: &str) -> Option<Credentials> {
        let (u, p) = s.split_once(':').unwrap_or((s, ""));
        (!u.is_empty()).then(|| Credentials {
            username: u.to_string(),
            password: p.to_string(),
        })
    }
}

/// Supplies credentials per registry (normalised name, e.g. `docker.io`, `localhost:5000`).
pub trait CredentialProvider: Send + Sync {
    /// The credentials to use for `registry`, or `None` for anonymous access.
    fn credentials(&self, registry: &str) -> Option<Credentials>;

    /// The credentials to use for `repository` (e.g. `team/app`) in `registry`: a source with
    /// per-namespace entries (containers-auth.json(5) `registry/namespace` keys) answers with
    /// the most specific one; by default, those of the registry ([`Self::credentials`]).
    fn credentials_for(&self, registry: &str, repository: &str) -> Option<Credentials> {
        let _ = repository;
        self.credentials(registry)
    }
}

/// The same credentials (or none) for every registry: `--creds`, `IMGCTL_USERNAME`/`IMGCTL_PASSWORD`.
pub struct StaticCredentials(pub Option<Credentials>);

impl CredentialProvider for StaticCredentials {
    fn credentials(&self, _registry: &str) -> Option<Credentials> {
        self.0.clone()
    }
}

/// The username docker credential helpers return for an identity (OAuth2 refresh) token; the
/// secret is then used with `grant_type=refresh_token`, never as a password.
pub const IDENTITY_TOKEN_USER: &str = "<token>";
/// The username Azure Container Registry uses with a refresh token as password.
pub const ACR_TOKEN_USER: &str = "00000000-0000-0000-0000-000000000000";
/// Marks credentials whose secret is a registry (access) token, sent as `Bearer` as is
/// (docker config `registrytoken`).
pub const REGISTRY_TOKEN_USER: &str = "<registry-token>";

/// What a credential's secret is, decided by the username markers above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// A password (or personal access token) sent with Basic auth.
    Password,
    /// An OAuth2 refresh / identity token: `POST grant_type=refresh_token`.
    IdentityToken,
    /// A bearer token used directly on registry requests.
    RegistryToken,
}

/// The kind of secret `creds` holds.
pub fn secret_kind(creds: &Credentials) -> SecretKind {
    match creds.username.as_str() {
        IDENTITY_TOKEN_USER | ACR_TOKEN_USER => SecretKind::IdentityToken,
        REGISTRY_TOKEN_USER => SecretKind::RegistryToken,
        _ => SecretKind::Password,
    }
}
