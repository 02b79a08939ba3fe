//! The credential-storage transaction of `login` and `logout`: credentials the registry
//! accepted go to the OS keychain (or docker's config.json), the username and where the secret
//! lives to imgctl's index (`credentials.json` in the config dir), and a previous secret that
//! lived elsewhere is removed. Prompts, flags and printing stay in the CLI.

use std::path::Path;

use tracing::warn;

use crate::auth::index::{Index, IndexEntry};
use crate::auth::{
    IDENTITY_TOKEN_USER, Secret, block_outside_runtime, docker_config, docker_config_path, keychain,
};
use crate::error::{Error, Result};

/// The credential login checks and stores for the account `username` (`None`: not given,
/// allowed for an identity token only) and `secret`: with `identity` an identity (OAuth2
/// refresh) token, which keeps only an account the registry expects with it (ACR's all-zero
/// user, [`Secret::identity_token`]); else the pair as every command reads it
/// ([`Secret::from_pair`]). Errors (Usage) when a password comes without a username.
pub fn wire_credentials(username: Option<&str>, secret: String, identity: bool) -> Result<Secret> {
    if identity {
        return Ok(Secret::identity_token(username, secret));
    }
    match username {
        Some(u) if !u.is_empty() => Ok(Secret::from_pair(u, secret)),
        _ => Err(Error::usage("empty username")),
    }
}

/// Where [`store_credentials`] puts the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// The OS keychain; when none is reachable, docker's config.json with a warning (as
    /// docker does), unless `required` (`--require-keychain`) or `IMGCTL_KEYCHAIN` names a
    /// store, which make that an error.
    Keychain {
        /// Fail instead of falling back to docker's config.json.
        required: bool,
    },
    /// Docker's config.json (base64, not encrypted; mode 0600), `--to-docker-config`.
    DockerConfig,
}

/// What [`store_credentials`] did.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The index entry written: username, store name, identity-token flag, parts.
    pub entry: IndexEntry,
    /// When the secret went to the kernel keyring (which does not survive a reboot): how long
    /// it lasts unused, in words ("3 days").
    pub kernel_keyring_expiry: Option<String>,
}

/// Stores credential `wire` (made by [`wire_credentials`] from `username`, the account as
/// typed, and `identity`; already accepted by the registry) for `registry` in `destination`,
/// then removes the previous secret of `registry` when it lived elsewhere (or its surplus
/// parts; a failure there is a warning) and records the entry in the index of `config_dir`
/// (an identity token without an account under docker's user `<token>`, the keychain
/// record's format). Warnings (docker config fallback, plain-text storage) go to the log.
///
/// Errors: Usage when docker's config dir cannot be found; the keychain's (with context and
/// a hint when the keychain was required); the index's and config.json's I/O errors.
pub fn store_credentials(
    config_dir: &Path,
    registry: &str,
    username: Option<&str>,
    wire: &Secret,
    identity: bool,
    destination: Destination,
) -> Result<Stored> {
    let username = username
        .filter(|u| !u.is_empty())
        .unwrap_or(IDENTITY_TOKEN_USER);
    // config.json keeps the form the user gave: a password pair in `auth` as typed (ACR's
    // all-zero user reads back as an identity token), an identity token as `identitytoken`.
    let written = if identity {
        wire.clone()
    } else {
        Secret::Password {
            username: username.to_string(),
            password: wire.secret().to_string(),
        }
    };
    let mut index = Index::load(config_dir)?;
    let previous = index.get(registry).cloned();
    let to_docker_config = || -> Result<IndexEntry> {
        let path = docker_config_path()
            .ok_or_else(|| Error::usage("cannot find docker's config dir; set DOCKER_CONFIG"))?;
        block_outside_runtime(|| docker_config::store(&path, registry, &written))?;
        Ok(IndexEntry {
            username: username.to_string(),
            store: keychain::DOCKER_CONFIG_STORE.to_string(),
            identity_token: identity,
            parts: 0,
        })
    };
    let mut kernel_keyring_expiry = None;
    let entry = match destination {
        Destination::DockerConfig => {
            let entry = to_docker_config()?;
            warn!(
                "credentials for {registry} stored in {} (base64, not encrypted)",
                docker_config_path().unwrap_or_default().display()
            );
            entry
        }
        Destination::Keychain { required } => match block_outside_runtime(keychain::select) {
            Ok((name, store)) => {
                let parts = block_outside_runtime(|| {
                    keychain::write(&name, &store, registry, username, wire.secret())
                })?;
                if name == "keyutils" {
                    kernel_keyring_expiry = Some(
                        keychain::keyutils_expiry()
                            .map(keychain::describe_expiry)
                            .unwrap_or_else(|| "a few days".to_string()),
                    );
                }
                IndexEntry {
                    username: username.to_string(),
                    store: name,
                    identity_token: identity,
                    parts,
                }
            }
            Err(e) if required || matches!(keychain::wanted(), Ok(keychain::Wanted::Store(_))) => {
                return Err(e
                    .context(format!("credentials for {registry} are valid but were not stored"))
                    .with_hint("make a keychain reachable (a Secret Service on D-Bus, or the kernel keyring), pass --to-docker-config to keep them in docker's config.json (mode 0600, not encrypted), or give them to each command with IMGCTL_USERNAME/IMGCTL_PASSWORD"));
            }
            Err(e) => {
                let entry = to_docker_config()?;
                warn!(
                    "{e}: credentials for {registry} stored in {} instead, base64-encoded and NOT encrypted (mode 0600), as docker does; to avoid that, make a keychain reachable (a Secret Service on D-Bus, or the kernel keyring), give the credentials to each command (IMGCTL_USERNAME/IMGCTL_PASSWORD), or refuse this fallback with --require-keychain or IMGCTL_REQUIRE_KEYCHAIN=true",
                    docker_config_path().unwrap_or_default().display()
                );
                entry
            }
        },
    };
    // Remove the previous secret when it lived elsewhere, or its surplus parts.
    if let Some(prev) = previous {
        let first = if prev.store == entry.store && prev.username == entry.username {
            entry.parts.max(1)
        } else {
            0
        };
        if first < prev.parts.max(1)
            && let Err(e) = block_outside_runtime(|| keychain::delete_from(registry, &prev, first))
        {
            warn!(
                "cannot remove the previous credentials for {registry} from {}: {e}",
                prev.store
            );
        }
    }
    index.registries.insert(registry.to_string(), entry.clone());
    index.save(config_dir)?;
    Ok(Stored {
        entry,
        kernel_keyring_expiry,
    })
}

/// The outcome of [`remove_credentials`] for one registry.
#[derive(Debug)]
pub enum Removed {
    /// Its secret was deleted and its index entry removed.
    Removed,
    /// The index had no credentials for it.
    NotLoggedIn,
    /// Its store could not delete the secret (the entry is kept); the error has the
    /// registry as context.
    Failed(Error),
}

/// `logout`: removes the credentials of each of `registries` (normalised names) from their
/// store and from the index of `config_dir`, which is saved once at the end. One registry's
/// failure does not stop the others. Returns each registry with its outcome, in order.
///
/// Errors: the index's I/O errors (loading, saving).
pub fn remove_credentials(
    config_dir: &Path,
    registries: Option<&[String]>,
) -> Result<Vec<(String, Removed)>> {
    let mut index = Index::load(config_dir)?;
    let registries: Vec<String> = match registries {
        Some(r) => r.to_vec(),
        None => index.registries.keys().cloned().collect(),
    };
    let mut results = Vec::with_capacity(registries.len());
    for r in registries {
        let Some(entry) = index.registries.get(&r).cloned() else {
            results.push((r, Removed::NotLoggedIn));
            continue;
        };
        match block_outside_runtime(|| keychain::delete(&r, &entry)) {
            Ok(_) => {
                index.registries.remove(&r);
                results.push((r, Removed::Removed));
            }
            Err(e) => {
                let e = e.context(format!("cannot remove the credentials for {r}"));
                results.push((r, Removed::Failed(e)));
            }
        }
    }
    index.save(config_dir)?;
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_tokens_keep_only_acr_s_account() {
        use crate::auth::ACR_TOKEN_USER;
        assert_eq!(
            wire_credentials(Some("alice"), "s3cret".into(), false).unwrap(),
            Secret::Password {
                username: "alice".into(),
                password: "s3cret".into()
            }
        );
        assert!(wire_credentials(None, "s3cret".into(), false).is_err());
        assert!(wire_credentials(Some(""), "s3cret".into(), false).is_err());
        for u in [None, Some("alice")] {
            assert_eq!(
                wire_credentials(u, "tok".into(), true).unwrap(),
                Secret::IdentityToken {
                    username: None,
                    token: "tok".into()
                }
            );
        }
        let acr = Secret::IdentityToken {
            username: Some(ACR_TOKEN_USER.into()),
            token: "tok".into(),
        };
        assert_eq!(
            wire_credentials(Some(ACR_TOKEN_USER), "tok".into(), true).unwrap(),
            acr
        );
        // ACR's user with a password is an identity token too, as every command reads it
        assert_eq!(
            wire_credentials(Some(ACR_TOKEN_USER), "tok".into(), false).unwrap(),
            acr
        );
    }
}
