//! Registry clients for a sync run: one per distinct TLS setting, all sharing one credential
//! provider that answers from the configuration's named environment variables first and from
//! the stored credentials otherwise.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::auth::{CredentialProvider, Secret};
use crate::error::Result;
use crate::reference::Reference;
use crate::registry::{Client, ClientOptions, Repository};

use super::config::SyncConfig;

/// Credentials per registry from the configuration, then a fallback provider (the stored
/// credentials, `--creds`, `IMGCTL_USERNAME`/`IMGCTL_PASSWORD`).
pub struct SyncCredentials {
    configured: HashMap<String, Secret>,
    fallback: Arc<dyn CredentialProvider>,
}

impl CredentialProvider for SyncCredentials {
    fn credentials(&self, registry: &str) -> Option<Secret> {
        self.configured
            .get(registry)
            .cloned()
            .or_else(|| self.fallback.credentials(registry))
    }

    fn credentials_for(&self, registry: &str, repository: &str) -> Option<Secret> {
        self.configured
            .get(registry)
            .cloned()
            .or_else(|| self.fallback.credentials_for(registry, repository))
    }
}

/// The clients of one sync run, by registry.
pub struct Clients {
    default: Client,
    by_registry: HashMap<String, Client>,
}

impl Clients {
    /// Builds the clients for `config` from `base` (global TLS settings, retries, timeouts;
    /// its credential provider becomes the fallback). Environment variables are read through
    /// `env`. Errors (Usage) when a named variable is unset, empty or malformed (see
    /// [`CredentialSource::resolve`](super::config::CredentialSource::resolve)), or a CA file is
    /// unusable.
    pub fn new(
        base: &ClientOptions,
        config: &SyncConfig,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Clients> {
        let mut configured = HashMap::new();
        for (name, r) in &config.registries {
            if let Some(src) = &r.credentials {
                configured.insert(name.clone(), src.resolve(name, &env)?);
            }
        }
        let creds: Arc<dyn CredentialProvider> = Arc::new(SyncCredentials {
            configured,
            fallback: base.credentials.clone(),
        });
        let mut opts = base.clone();
        opts.credentials = creds.clone();
        let default = Client::new(opts.clone())?;
        // One client per distinct TLS setting, so that `insecure` stays with its registry.
        let mut by_tls: BTreeMap<(bool, Vec<PathBuf>), Client> = BTreeMap::new();
        let mut by_registry = HashMap::new();
        for (name, r) in &config.registries {
            if !r.insecure && r.ca_files.is_empty() {
                continue;
            }
            let key = (r.insecure, r.ca_files.clone());
            let client = match by_tls.get(&key) {
                Some(c) => c.clone(),
                None => {
                    let mut o = opts.clone();
                    o.insecure |= r.insecure;
                    o.ca_files.extend(r.ca_files.iter().cloned());
                    let c = Client::new(o)?;
                    by_tls.insert(key, c.clone());
                    c
                }
            };
            by_registry.insert(name.clone(), client);
        }
        Ok(Clients {
            default,
            by_registry,
        })
    }

    /// The client for `registry` (normalised name).
    pub fn client(&self, registry: &str) -> &Client {
        self.by_registry.get(registry).unwrap_or(&self.default)
    }

    /// A repository handle for the repository `r` names.
    pub fn repository(&self, r: &Reference) -> Repository {
        self.client(&r.registry)
            .repository(&r.registry, &r.repository)
    }
}
