//! A registry credential and what its secret is ([`Secret`]: a password, an identity token,
//! a registry token), and the trait that supplies them per registry.
//!
//! The kind is carried by the variant. Docker marks the kind in the username instead
//! (`<token>` for identity tokens in credential helpers); those markers are read and written
//! only where docker's formats are ([`super::docker_config`], [`super::helper`], the keychain
//! record of [`super::keychain`] and [`super::index`]) and in [`Secret::from_pair`], the one
//! place a `USER:SECRET` pair becomes a [`Secret`].

use std::fmt;

/// The username docker credential helpers (and docker's config.json `auth` beside an
/// `identitytoken`) give with an identity token; docker's marker, read and written only at
/// docker's formats.
pub const IDENTITY_TOKEN_USER: &str = "<token>";

/// The username Azure Container Registry uses with a refresh token as password: a pair with
/// this user is an identity token, and the user is kept (ACR's token endpoint expects it).
pub const ACR_TOKEN_USER: &str = "00000000-0000-0000-0000-000000000000";

/// A credential for one registry: what is sent, and how. `Debug` never prints the secret,
/// and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// A username and a password (or personal access token): Basic auth on a Basic
    /// challenge, and on a token request (`GET`, with `account=USER`).
    Password {
        /// The account name (never empty).
        username: String,
        /// The password or access token.
        password: String,
    },
    /// An OAuth2 refresh token ("identity token", docker config `identitytoken`): exchanged
    /// with `POST grant_type=refresh_token` (Docker token spec `oauth.md`), never sent as a
    /// password except with an account the registry expects with it.
    IdentityToken {
        /// The account the registry expects with the token ([`ACR_TOKEN_USER`]); `None` when
        /// the source names none (docker's `<token>` marker). With one, the `GET` fallback
        /// and a Basic challenge get Basic `USER:TOKEN`; without, they go anonymous (as docker
        /// and go-containerregistry do).
        username: Option<String>,
        /// The refresh token.
        token: String,
    },
    /// A registry (access) token (docker config `registrytoken`): sent as `Bearer` as it is,
    /// never to a token endpoint.
    RegistryToken(String),
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Secret::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Secret::IdentityToken { username, .. } => f
                .debug_struct("IdentityToken")
                .field("username", username)
                .field("token", &"<redacted>")
                .finish(),
            Secret::RegistryToken(_) => {
                f.debug_tuple("RegistryToken").field(&"<redacted>").finish()
            }
        }
    }
}

impl Secret {
    /// A username and secret as docker's credential sources hand them over (a helper's
    /// answer, an `auth` or `username`/`password` entry, `--creds`, `IMGCTL_USERNAME`/
    /// `IMGCTL_PASSWORD`, a sync file): user `<token>` marks an identity token without an
    /// account, ACR's all-zero user an identity token with that account; anything else is a
    /// password.
    pub fn from_pair(username: &str, secret: String) -> Secret {
        match username {
            IDENTITY_TOKEN_USER => Secret::IdentityToken {
                username: None,
                token: secret,
            },
            ACR_TOKEN_USER => Secret::IdentityToken {
                username: Some(username.to_string()),
                token: secret,
            },
            _ => Secret::Password {
                username: username.to_string(),
                password: secret,
            },
        }
    }

    /// An identity token given at `login --identity-token-stdin` with the account `username`
    /// (`None`: not given): the account is kept only when the registry expects it with the
    /// token ([`ACR_TOKEN_USER`]); docker drops any other.
    pub fn identity_token(username: Option<&str>, token: String) -> Secret {
        Secret::IdentityToken {
            username: username
                .filter(|u| *u == ACR_TOKEN_USER)
                .map(str::to_string),
            token,
        }
    }

    /// Parses `USER[:PASS]` as given to `--creds` (see [`Self::from_pair`]); the password is
    /// everything after the first `:` (it may contain colons, and be empty). Returns `None`
    /// for an empty user.
    pub fn parse(s: &str) -> Option<Secret> {
        let (u, p) = s.split_once(':').unwrap_or((s, ""));
        (!u.is_empty()).then(|| Secret::from_pair(u, p.to_string()))
    }

    /// The secret itself (password, identity token or registry token). Never log it.
    pub fn secret(&self) -> &str {
        match self {
            Secret::Password { password, .. } => password,
            Secret::IdentityToken { token, .. } => token,
            Secret::RegistryToken(t) => t,
        }
    }

    /// Replaces the secret, keeping the kind and username (a password prompted for after
    /// `--creds USER`).
    pub fn set_secret(&mut self, secret: String) {
        match self {
            Secret::Password { password, .. } => *password = secret,
            Secret::IdentityToken { token, .. } => *token = secret,
            Secret::RegistryToken(t) => *t = secret,
        }
    }

    /// The account name, when the credential has one.
    pub fn username(&self) -> Option<&str> {
        match self {
            Secret::Password { username, .. } => Some(username),
            Secret::IdentityToken { username, .. } => username.as_deref(),
            Secret::RegistryToken(_) => None,
        }
    }

    /// The `(user, password)` a Basic-auth request carries, `None` when this credential is
    /// not sent with Basic: an identity token without an account, a registry token.
    pub fn basic(&self) -> Option<(&str, &str)> {
        match self {
            Secret::Password { username, password } => Some((username, password)),
            Secret::IdentityToken {
                username: Some(u),
                token,
            } => Some((u, token)),
            Secret::IdentityToken { username: None, .. } | Secret::RegistryToken(_) => None,
        }
    }

    /// Who the credential speaks for, for logs (never the secret): the username,
    /// `identity token [for USER]`, `registry token`.
    pub fn describe(&self) -> String {
        match self {
            Secret::Password { username, .. } => username.clone(),
            Secret::IdentityToken {
                username: Some(u), ..
            } => format!("identity token for {u}"),
            Secret::IdentityToken { username: None, .. } => "identity token".to_string(),
            Secret::RegistryToken(_) => "registry token".to_string(),
        }
    }
}

/// Supplies credentials per registry (normalised name, e.g. `docker.io`, `localhost:5000`).
pub trait CredentialProvider: Send + Sync {
    /// The credential to use for `registry`, or `None` for anonymous access.
    fn credentials(&self, registry: &str) -> Option<Secret>;

    /// The credential to use for `repository` (e.g. `team/app`) in `registry`: a source with
    /// per-namespace entries (containers-auth.json(5) `registry/namespace` keys) answers with
    /// the most specific one; by default, those of the registry ([`Self::credentials`]).
    fn credentials_for(&self, registry: &str, repository: &str) -> Option<Secret> {
        let _ = repository;
        self.credentials(registry)
    }
}

/// The same credential (or none) for every registry: `--creds`, `IMGCTL_USERNAME`/`IMGCTL_PASSWORD`.
pub struct StaticCredentials(pub Option<Secret>);

impl CredentialProvider for StaticCredentials {
    fn credentials(&self, _registry: &str) -> Option<Secret> {
        self.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_become_their_kind() {
        assert_eq!(
            Secret::from_pair("alice", "x".into()),
            Secret::Password {
                username: "alice".into(),
                password: "x".into()
            }
        );
        assert_eq!(
            Secret::from_pair("<token>", "x".into()),
            Secret::IdentityToken {
                username: None,
                token: "x".into()
            }
        );
        assert_eq!(
            Secret::from_pair(ACR_TOKEN_USER, "x".into()),
            Secret::IdentityToken {
                username: Some(ACR_TOKEN_USER.into()),
                token: "x".into()
            }
        );
        // imgctl's old internal marker for registry tokens is an ordinary name now
        assert!(matches!(
            Secret::from_pair("<registry-token>", "x".into()),
            Secret::Password { .. }
        ));
        assert_eq!(Secret::parse("u:p:q").unwrap().basic(), Some(("u", "p:q")));
        assert_eq!(Secret::parse("u").unwrap().secret(), "");
        assert!(Secret::parse(":p").is_none());
    }

    #[test]
    fn only_accounts_go_as_basic() {
        assert_eq!(
            Secret::identity_token(Some("alice"), "t".into()).basic(),
            None
        );
        assert_eq!(
            Secret::identity_token(Some(ACR_TOKEN_USER), "t".into()).basic(),
            Some((ACR_TOKEN_USER, "t"))
        );
        assert_eq!(Secret::identity_token(None, "t".into()).basic(), None);
        assert_eq!(Secret::RegistryToken("t".into()).basic(), None);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let all = [
            Secret::from_pair("alice", "hunter2-pw".into()),
            Secret::identity_token(Some(ACR_TOKEN_USER), "hunter2-rt".into()),
            Secret::identity_token(None, "hunter2-rt".into()),
            Secret::RegistryToken("hunter2-bearer".into()),
        ];
        for s in &all {
            let shown = format!("{s:?} {s:#?} {}", s.describe());
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("<redacted>"), "{shown}");
        }
        assert!(format!("{:?}", all[0]).contains("alice"));
        let mut c = all[0].clone();
        c.set_secret("new".into());
        assert_eq!(c.basic(), Some(("alice", "new")));
    }
}
