//! The credential-storage transaction of `login` and `logout`: credentials the registry
//! accepted go to the OS keychain (or docker's config.json), the username and where the secret
//! lives to imgctl's index (`credentials.json` in the config dir), and a previous secret that
//! lived elsewhere is removed. Prompts, flags and printing stay in the CLI.

use std::path::Path;

use tracing::warn;

use crate::auth::Credentials;
use crate::auth::index::{Index, IndexEntry};
use crate::auth::{
    ACR_TOKEN_USER, IDENTITY_TOKEN_USER, block_outside_runtime, docker_config, docker_config_path,
    keychain,
};
use crate::error::{Error, Result};

/// What goes on the wire for `username` and `secret`: identity (OAuth2 refresh) tokens are
/// marked by the `<token>` username, except ACR's, whose all-zero username is kept.
pub fn wire_credentials(username: &str, secret: String, identity: bool) -> Credentials {
    Credentials {
        username: if identity && username != ACR_TOKEN_USER {
            IDENTITY_TOKEN_USER.to_string()
        } else {
            username.to_string()
        },
        password: secret,
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

/// Stores credentials `wire` (already accepted by the registry) for `registry` under
/// `username` (the account as typed; `identity` for an identity token) in `destination`, then
/// removes the previous secret of `registry` when it lived elsewhere (or its surplus parts;
/// a failure there is a warning) and records the entry in the index of `config_dir`.
/// Warnings (docker config fallback, plain-text storage) go to the log.
///
/// Errors: Usage when docker's config dir cannot be found; the keychain's (with context and
/// a hint when the keychain was required); the index's and config.json's I/O errors.
pub fn store_credentials(
    config_dir: &Path,
    registry: &str,
    username: &str,
    wire: &Credentials,
    identity: bool,
    destination: Destination,
) -> Result<Stored> {
    let mut index = Index::load(config_dir)?;
    let previous = index.get(registry).cloned();
    let to_docker_config = || -> Result<IndexEntry> {
        let path = docker_config_path()
            .ok_or_else(|| Error::usage("cannot find docker's config dir; set DOCKER_CONFIG"))?;
        block_outside_runtime(|| docker_config::store(&path, registry, wire, identity))?;
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
                    keychain::write(&name, &store, registry, username, &wire.password)
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
    fn identity_tokens_are_marked_on_the_wire_except_acr_s() {
        let c = wire_credentials("alice", "s3cret".into(), false);
        assert_eq!(
            (c.username.as_str(), c.password.as_str()),
            ("alice", "s3cret")
        );
        let c = wire_credentials("alice", "tok".into(), true);
        assert_eq!(c.username, IDENTITY_TOKEN_USER);
        let c = wire_credentials(ACR_TOKEN_USER, "tok".into(), true);
        assert_eq!(c.username, ACR_TOKEN_USER);
    }
}
