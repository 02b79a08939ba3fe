//! Registry credentials: what they are ([`Secret`]: a password, an identity token, a registry
//! token), where they come from
//! and where `imgctl login` puts them (docs/DESIGN.md §3, §5).
//!
//! Lookup order for one registry (first source that has a non-empty entry wins):
//! 1. command flags (`--creds`, `--src-creds`/`--dest-creds`) and 2. the environment
//!    (`IMGCTL_USERNAME`/`IMGCTL_PASSWORD`) — both given to [`CredentialChain::new`] as `fixed`;
//! 3. imgctl's own entry: the [`index`] names the username and the OS keychain ([`keychain`])
//!    holding the secret (or docker's `config.json` when the user asked for that at login);
//! 4. docker's `config.json` ([`docker_config`]): `credHelpers`, `credsStore`, then `auths`;
//! 5. containers' `auth.json` (`REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`,
//!    `~/.config/containers/auth.json`);
//!
//! In both files (4, 5) a key may also name a namespace or repository,
//! `registry/namespace[/repository]` (containers-auth.json(5)): for a repository the most
//! specific matching key wins, then the registry's own entries.
//! 6. anonymous.
//!
//! A source that fails (unreadable file, missing or failing helper, locked keychain) logs a
//! warning and the next source is tried. Secrets never appear in logs or errors.

mod credentials;
pub mod docker_config;
pub mod helper;
pub mod index;
pub mod keychain;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing::{debug, warn};

use crate::error::{Error, Result};
pub use credentials::{
    ACR_TOKEN_USER, CredentialProvider, IDENTITY_TOKEN_USER, Secret, StaticCredentials,
};

/// The key docker uses for Docker Hub in `config.json` and with credential helpers.
pub const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// Normalises a registry name as typed by a user or found as a key in a config file:
/// drops an `http://`/`https://` scheme, any path and trailing slash, lowercases the host,
/// and maps `index.docker.io`, `registry-1.docker.io` and `registry.hub.docker.com` to
/// `docker.io`. `"https://index.docker.io/v1/"` → `"docker.io"`; `"Reg.io:5000/x"` → `"reg.io:5000"`.
pub fn normalize_registry(name: &str) -> String {
    let s = name.trim();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    let host = s.split('/').next().unwrap_or("").to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            "docker.io".to_string()
        }
        _ => host,
    }
}

/// The server URL to hand to a docker credential helper for `registry` (normalised):
/// Docker Hub is `https://index.docker.io/v1/`, anything else its host.
pub fn helper_server_url(registry: &str) -> String {
    if registry == "docker.io" {
        DOCKER_HUB_KEY.to_string()
    } else {
        registry.to_string()
    }
}

/// Where imgctl's configuration lives: `IMGCTL_CONFIG_DIR`, else `<platform config dir>/imgctl`
/// (`~/.config/imgctl`, `~/Library/Application Support/imgctl`, `%APPDATA%\imgctl`).
pub fn config_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("IMGCTL_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    dirs::config_dir()
        .map(|d| d.join("imgctl"))
        .ok_or_else(|| Error::usage("cannot find a config directory; set IMGCTL_CONFIG_DIR"))
}

/// Docker's config file: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
pub fn docker_config_path() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("config.json"));
    }
    dirs::home_dir().map(|h| h.join(".docker").join("config.json"))
}

/// containers' auth files in lookup order: `REGISTRY_AUTH_FILE` (alone, when set), else
/// `$XDG_RUNTIME_DIR/containers/auth.json` then `$XDG_CONFIG_HOME/containers/auth.json`
/// (`~/.config/containers/auth.json`).
pub fn containers_auth_paths() -> Vec<PathBuf> {
    if let Some(f) = std::env::var_os("REGISTRY_AUTH_FILE").filter(|f| !f.is_empty()) {
        return vec![PathBuf::from(f)];
    }
    let mut v = Vec::new();
    if let Some(r) = std::env::var_os("XDG_RUNTIME_DIR").filter(|r| !r.is_empty()) {
        v.push(PathBuf::from(r).join("containers").join("auth.json"));
    }
    let cfg = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|c| !c.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".config")));
    if let Some(c) = cfg {
        v.push(c.join("containers").join("auth.json"));
    }
    v
}

/// Where a credential was found (for `-v` logs; never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `--creds` or `IMGCTL_USERNAME`/`IMGCTL_PASSWORD`.
    Fixed,
    /// imgctl's login entry in the named store.
    Login(String),
    /// A docker-style config file (path).
    File(PathBuf),
    /// A `docker-credential-<name>` helper.
    Helper(String),
}

/// Looks `registry` (normalised) up in the stored sources (steps 3–5 of the module docs),
/// with imgctl's index in `config_dir`; with `repository` (e.g. `team/app`), namespace keys
/// of the config files that contain it come first in their file. Returns the credentials and
/// where they came from, or `None` for anonymous.
pub fn lookup_stored(
    registry: &str,
    repository: Option<&str>,
    config_dir: &Path,
) -> Option<(Secret, Source)> {
    // 3. imgctl's own login entry
    match index::Index::load(config_dir) {
        Ok(idx) => {
            if let Some(entry) = idx.get(registry) {
                match keychain::read(registry, entry) {
                    Ok(Some(c)) => return Some((c, Source::Login(entry.store.clone()))),
                    Ok(None) => warn!(
                        "imgctl's credentials for {registry} are missing from {}; trying other sources",
                        entry.store
                    ),
                    Err(e) => warn!(
                        "cannot read imgctl's credentials for {registry} from {}: {e}; trying other sources",
                        entry.store
                    ),
                }
            }
        }
        Err(e) => warn!("cannot read imgctl's credential index: {e}"),
    }
    // 4. docker config.json
    if let Some(p) = docker_config_path()
        && let Some(found) = docker_config::lookup_file(&p, registry, repository)
    {
        return Some(found);
    }
    // 5. containers auth.json
    for p in containers_auth_paths() {
        if let Some(found) = docker_config::lookup_file(&p, registry, repository) {
            return Some(found);
        }
    }
    None
}

/// The full lookup chain as a [`CredentialProvider`]: `fixed` credentials (flags or env) for
/// every registry, else the stored sources, cached per registry (and repository) for the life
/// of the process.
pub struct CredentialChain {
    fixed: Option<Secret>,
    config_dir: PathBuf,
    cache: Mutex<HashMap<CacheKey, Option<Secret>>>,
}

/// A credential lookup: normalised registry and, when asked for one, repository.
type CacheKey = (String, Option<String>);

impl CredentialChain {
    /// A chain whose first source is `fixed` (from `--creds`/env), when given, reading
    /// imgctl's login index from `config_dir`.
    pub fn new(fixed: Option<Secret>, config_dir: PathBuf) -> CredentialChain {
        CredentialChain {
            fixed,
            config_dir,
            cache: Mutex::new(HashMap::new()),
        }
    }
}

impl CredentialChain {
    /// The lookup for `registry` and, when given, `repository`, through the cache.
    fn lookup(&self, registry: &str, repository: Option<&str>) -> Option<Secret> {
        if let Some(c) = &self.fixed {
            return Some(c.clone());
        }
        let registry = normalize_registry(registry);
        let key = (registry.clone(), repository.map(str::to_string));
        if let Some(c) = self.cache.lock().expect("credential cache").get(&key) {
            return c.clone();
        }
        // Keychains and helpers block (D-Bus, child processes): keep them off the async workers.
        let found =
            block_outside_runtime(|| lookup_stored(&registry, repository, &self.config_dir));
        match &found {
            Some((c, src)) => {
                debug!(registry = %registry, repository, user = %c.describe(), source = ?src, "using stored credentials")
            }
            None => debug!(registry = %registry, repository, "no stored credentials; anonymous"),
        }
        let creds = found.map(|(c, _)| c);
        self.cache
            .lock()
            .expect("credential cache")
            .insert(key, creds.clone());
        creds
    }
}

impl CredentialProvider for CredentialChain {
    fn credentials(&self, registry: &str) -> Option<Secret> {
        self.lookup(registry, None)
    }

    fn credentials_for(&self, registry: &str, repository: &str) -> Option<Secret> {
        self.lookup(registry, Some(repository))
    }
}

/// Runs blocking `f`, telling a multi-thread tokio runtime (if we are on one) to move other
/// tasks away first.
pub fn block_outside_runtime<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_names_are_one() {
        for n in [
            "docker.io",
            "index.docker.io",
            "registry-1.docker.io",
            "https://index.docker.io/v1/",
            "https://index.docker.io/v1",
            "http://registry-1.docker.io",
        ] {
            assert_eq!(normalize_registry(n), "docker.io", "{n}");
        }
        assert_eq!(
            normalize_registry("https://Reg.example:5000/v2/"),
            "reg.example:5000"
        );
        assert_eq!(normalize_registry("localhost"), "localhost");
        assert_eq!(helper_server_url("docker.io"), DOCKER_HUB_KEY);
        assert_eq!(helper_server_url("ghcr.io"), "ghcr.io");
    }
}
