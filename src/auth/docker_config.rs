//! Docker's `config.json` and containers' `auth.json` (same shape): `auths` entries (base64
//! `auth`, `username`/`password`, `identitytoken`, `registrytoken`), `credsStore` and
//! `credHelpers` (docker/cli `cli/config/configfile/file.go`; containers-auth.json(5)).
//!
//! Per registry: `credHelpers[registry]` (when its helper name is non-empty), then
//! `credsStore`, then the inline `auths` entry. An entry without a secret, a missing or
//! failing helper never hides the next one; a failing helper logs a warning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use tracing::{debug, warn};

use super::{IDENTITY_TOKEN_USER, Secret, Source, helper, helper_server_url, normalize_registry};
use crate::error::{Error, Result};

/// One `auths` entry. Unknown keys are ignored.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AuthEntry {
    /// base64 of `username:password`.
    #[serde(default)]
    pub auth: Option<String>,
    /// Username (when `auth` is absent).
    #[serde(default)]
    pub username: Option<String>,
    /// Password (when `auth` is absent).
    #[serde(default)]
    pub password: Option<String>,
    /// An OAuth2 refresh token.
    #[serde(default)]
    pub identitytoken: Option<String>,
    /// A bearer token for the registry itself.
    #[serde(default)]
    pub registrytoken: Option<String>,
}

/// The parts of a docker config file imgctl reads. Unknown keys are ignored.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct DockerConfig {
    /// Inline entries keyed by registry (bare host, host:port or URL).
    #[serde(default)]
    pub auths: BTreeMap<String, AuthEntry>,
    /// Helper for every registry (`docker-credential-<credsStore>`).
    #[serde(default, rename = "credsStore")]
    pub creds_store: Option<String>,
    /// Helpers per registry.
    #[serde(default, rename = "credHelpers")]
    pub cred_helpers: BTreeMap<String, String>,
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

impl AuthEntry {
    /// The credential this entry holds, or `None` when it holds no secret.
    ///
    /// `identitytoken` wins ([`Secret::IdentityToken`] without an account: docker keeps only
    /// an empty password in `auth` beside it); then `auth` (decoded, split at the first `:`);
    /// then `username`/`password` (both pairs through [`Secret::from_pair`]); then
    /// `registrytoken` ([`Secret::RegistryToken`]). Errors (Other) on invalid base64.
    pub fn credentials(&self) -> Result<Option<Secret>> {
        if let Some(t) = nonempty(&self.identitytoken) {
            return Ok(Some(Secret::IdentityToken {
                username: None,
                token: t.to_string(),
            }));
        }
        if let Some(a) = nonempty(&self.auth) {
            let raw = STANDARD
                .decode(a.trim())
                .map_err(|_| Error::other("invalid base64 in an \"auth\" entry"))?;
            let text = String::from_utf8(raw)
                .map_err(|_| Error::other("\"auth\" entry is not UTF-8 text"))?;
            let (u, p) = text.split_once(':').unwrap_or((&text, ""));
            if !u.is_empty() && !p.is_empty() {
                return Ok(Some(Secret::from_pair(u, p.to_string())));
            }
        }
        if let (Some(u), Some(p)) = (nonempty(&self.username), nonempty(&self.password)) {
            return Ok(Some(Secret::from_pair(u, p.to_string())));
        }
        if let Some(t) = nonempty(&self.registrytoken) {
            return Ok(Some(Secret::RegistryToken(t.to_string())));
        }
        Ok(None)
    }
}

/// A key naming a namespace or repository, `registry/namespace[/repository]` without a
/// scheme (containers-auth.json(5)): its registry (normalised) and path. Keys with a scheme
/// (`https://host/v1/`) are docker's legacy form and name only their host.
fn namespace_key(key: &str) -> Option<(String, &str)> {
    if key.contains("://") {
        return None;
    }
    let (host, path) = key.trim().split_once('/')?;
    let path = path.trim_end_matches('/');
    (!path.is_empty()).then(|| (normalize_registry(host), path))
}

/// Namespace keys of `map` whose namespace contains `repository` in `registry`, most
/// specific (longest path) first.
fn namespace_keys<'a, V>(
    map: &'a BTreeMap<String, V>,
    registry: &str,
    repository: &str,
) -> Vec<&'a str> {
    let mut keys: Vec<(usize, &str)> = map
        .keys()
        .filter_map(|k| {
            let (host, path) = namespace_key(k)?;
            let inside = repository == path
                || repository
                    .strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('/'));
            (host == registry && inside).then_some((path.len(), k.as_str()))
        })
        .collect();
    keys.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    keys.into_iter().map(|(_, k)| k).collect()
}

/// Keys of `map` that name `registry` (normalised) as a whole, best first: the exact key,
/// then keys without a scheme, then the rest (scheme or path), each group in key order.
/// Namespace keys (see [`namespace_key`]) are not among them.
fn matching_keys<'a, V>(map: &'a BTreeMap<String, V>, registry: &str) -> Vec<&'a str> {
    let mut keys: Vec<(u8, &str)> = map
        .keys()
        .filter(|k| normalize_registry(k) == registry && namespace_key(k).is_none())
        .map(|k| {
            let rank = if k == registry {
                0
            } else if !k.contains("://") && !k.contains('/') {
                1
            } else {
                2
            };
            (rank, k.as_str())
        })
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

impl DockerConfig {
    /// Parses a config file's bytes. Errors (Other) when it is not JSON of this shape.
    pub fn parse(bytes: &[u8]) -> Result<DockerConfig> {
        serde_json::from_slice(bytes).map_err(|e| Error::other(format!("invalid JSON: {e}")))
    }

    /// The helper name for `registry` from `credHelpers` (non-empty names only).
    pub fn helper_for(&self, registry: &str) -> Option<&str> {
        matching_keys(&self.cred_helpers, registry)
            .into_iter()
            .filter_map(|k| self.cred_helpers.get(k))
            .map(String::as_str)
            .find(|h| !h.is_empty())
    }

    /// The inline `auths` credentials for `registry` (normalised): the best-matching key that
    /// holds a secret. Entries with invalid base64 are skipped with a warning.
    pub fn inline(&self, registry: &str) -> Option<Secret> {
        for k in matching_keys(&self.auths, registry) {
            match self.auths[k].credentials() {
                Ok(Some(c)) => return Some(c),
                Ok(None) => {}
                Err(e) => warn!("skipping auths entry {k:?}: {e}"),
            }
        }
        None
    }

    /// The inline `auths` credentials of the most specific namespace key containing
    /// `repository` in `registry` (normalised), e.g. `reg.io/team/app` before `reg.io/team`.
    /// Entries with invalid base64 are skipped with a warning.
    pub fn inline_namespace(&self, registry: &str, repository: &str) -> Option<Secret> {
        for k in namespace_keys(&self.auths, registry, repository) {
            match self.auths[k].credentials() {
                Ok(Some(c)) => return Some(c),
                Ok(None) => {}
                Err(e) => warn!("skipping auths entry {k:?}: {e}"),
            }
        }
        None
    }

    /// Resolves `registry` (normalised) for `repository`, when given: first the inline
    /// namespace entries containing it ([`Self::inline_namespace`]), then `credHelpers`,
    /// `credsStore`, the registry's inline `auths` entry, running helpers through
    /// `run_helper(name, server_url)`. Helper errors are warnings.
    pub fn resolve(
        &self,
        registry: &str,
        repository: Option<&str>,
        run_helper: &dyn Fn(&str, &str) -> Result<Option<Secret>>,
    ) -> Option<(Secret, Source)> {
        if let Some(c) = repository.and_then(|r| self.inline_namespace(registry, r)) {
            return Some((c, Source::File(PathBuf::new())));
        }
        let helpers = self
            .helper_for(registry)
            .into_iter()
            .chain(nonempty(&self.creds_store));
        for h in helpers {
            match run_helper(h, &helper_server_url(registry)) {
                Ok(Some(c)) => return Some((c, Source::Helper(h.to_string()))),
                Ok(None) => debug!(helper = h, registry, "credential helper has no entry"),
                Err(e) => warn!("credential helper for {registry}: {e}; trying the next source"),
            }
        }
        self.inline(registry)
            .map(|c| (c, Source::File(PathBuf::new())))
    }
}

/// Looks `registry` (and `repository`, see [`DockerConfig::resolve`]) up in the config file at
/// `path` (docker `config.json` or containers `auth.json`). A missing file is `None`; an
/// unreadable or invalid one is a warning and `None`.
pub fn lookup_file(
    path: &Path,
    registry: &str,
    repository: Option<&str>,
) -> Option<(Secret, Source)> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            warn!("cannot read {}: {e}", path.display());
            return None;
        }
    };
    let cfg = match DockerConfig::parse(&bytes) {
        Ok(c) => c,
        Err(e) => {
            warn!("ignoring {}: {e}", path.display());
            return None;
        }
    };
    cfg.resolve(registry, repository, &helper::get)
        .map(|(c, s)| match s {
            Source::File(_) => (c, Source::File(path.to_path_buf())),
            s => (c, s),
        })
}

/// The `auths` key imgctl writes for `registry`: Docker Hub's is `https://index.docker.io/v1/`.
pub fn key_for(registry: &str) -> String {
    super::helper_server_url(registry)
}

/// Loads `path` as a JSON object (missing file: empty object), keeping every key.
fn load_object(path: &Path) -> Result<serde_json::Map<String, serde_json::Value>> {
    match std::fs::read(path) {
        Ok(b) => match serde_json::from_slice::<serde_json::Value>(&b) {
            Ok(serde_json::Value::Object(m)) => Ok(m),
            _ => Err(Error::other(format!(
                "{} is not a JSON object; not modifying it",
                path.display()
            ))),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(serde_json::Map::new()),
        Err(e) => Err(Error::other(format!("cannot read {}: {e}", path.display()))),
    }
}

/// Writes `creds` for `registry` into the docker config at `path` as an inline `auths` entry,
/// keeping every other key, atomically and with mode 0600: a password as `auth` = base64
/// `user:password`; an identity token as `identitytoken` beside `auth` = base64 `user:` (its
/// account, else docker's marker `<token>`); a registry token as `registrytoken`.
pub fn store(path: &Path, registry: &str, creds: &Secret) -> Result<()> {
    let mut root = load_object(path)?;
    let auths = root
        .entry("auths")
        .or_insert_with(|| serde_json::Value::Object(Default::default()));
    let Some(auths) = auths.as_object_mut() else {
        return Err(Error::other(format!(
            "\"auths\" in {} is not an object",
            path.display()
        )));
    };
    // One entry per registry: drop other spellings of the same registry (its namespace
    // entries stay: they are other accounts').
    auths.retain(|k, _| normalize_registry(k) != registry || namespace_key(k).is_some());
    let entry = match creds {
        Secret::Password { username, password } => {
            serde_json::json!({"auth": STANDARD.encode(format!("{username}:{password}"))})
        }
        Secret::IdentityToken { username, token } => {
            let user = username.as_deref().unwrap_or(IDENTITY_TOKEN_USER);
            serde_json::json!({"auth": STANDARD.encode(format!("{user}:")), "identitytoken": token})
        }
        Secret::RegistryToken(token) => serde_json::json!({ "registrytoken": token }),
    };
    auths.insert(key_for(registry), entry);
    let bytes = serde_json::to_vec_pretty(&serde_json::Value::Object(root))
        .map_err(|e| Error::other(e.to_string()))?;
    super::index::write_private_file(path, &bytes)
}

/// Removes every `auths` entry naming `registry` from the docker config at `path` (not its
/// namespace entries, `registry/namespace`); `true` when something was removed. A missing file is `false`.
pub fn remove(path: &Path, registry: &str) -> Result<bool> {
    if !path.exists() {
        return Ok(false);
    }
    let mut root = load_object(path)?;
    let Some(auths) = root.get_mut("auths").and_then(|a| a.as_object_mut()) else {
        return Ok(false);
    };
    let before = auths.len();
    auths.retain(|k, _| normalize_registry(k) != registry || namespace_key(k).is_some());
    if auths.len() == before {
        return Ok(false);
    }
    let bytes = serde_json::to_vec_pretty(&serde_json::Value::Object(root))
        .map_err(|e| Error::other(e.to_string()))?;
    super::index::write_private_file(path, &bytes)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn fixture(name: &str) -> DockerConfig {
        DockerConfig::parse(&crate::fixture(&format!("auth-config/{name}"))).expect(name)
    }

    /// A password credential as (user, password); identity and registry tokens as
    /// (`identity`/`registry`, token).
    fn up(c: Option<Secret>) -> Option<(String, String)> {
        c.map(|c| match c {
            Secret::Password { username, password } => (username, password),
            Secret::IdentityToken { token, .. } => ("identity".into(), token),
            Secret::RegistryToken(t) => ("registry".into(), t),
        })
    }

    fn pair(u: &str, p: &str) -> Option<(String, String)> {
        Some((u.to_string(), p.to_string()))
    }

    type Resolved = (Option<(Secret, Source)>, Vec<(String, String)>);

    /// Resolves with a fake helper runner that records calls and has no entries.
    fn resolve_recording(cfg: &DockerConfig, reg: &str) -> Resolved {
        let calls = RefCell::new(Vec::new());
        let run = |h: &str, url: &str| {
            calls.borrow_mut().push((h.to_string(), url.to_string()));
            Err(Error::other("not installed"))
        };
        let r = cfg.resolve(reg, None, &run);
        (r, calls.into_inner())
    }

    #[test]
    fn containers_many_host_forms() {
        let c = fixture("containers-auth-many-host-forms.json");
        assert_eq!(up(c.inline("docker.io")), pair("docker", "io"));
        assert_eq!(up(c.inline("localhost")), pair("local", "host"));
        assert_eq!(
            up(c.inline("10.10.30.45:5000")),
            pair("10.10", "30.45-5000")
        );
        assert_eq!(
            up(c.inline("normalize.example.org")),
            pair("normalize", "example")
        );
        assert_eq!(up(c.inline("nothere.example")), None);
    }

    #[test]
    fn containers_scheme_keys() {
        let c = fixture("containers-auth-scheme-keys.json");
        assert_eq!(up(c.inline("docker.io")), pair("index", "docker.io"));
        assert_eq!(up(c.inline("localhost:5000")), pair("local", "host-5000"));
        assert_eq!(up(c.inline("127.0.0.1:5000")), pair("127.0", "0.1-5000"));
        assert_eq!(up(c.inline("localhost")), pair("local", "host"));
    }

    #[test]
    fn identity_token_entry_is_a_refresh_token() {
        let c = fixture("containers-auth-identitytoken.json");
        let (reg, _) = c.auths.iter().next().unwrap();
        let creds = c.inline(&normalize_registry(reg)).unwrap();
        let Secret::IdentityToken { username, token } = &creds else {
            panic!("not an identity token: {creds:?}");
        };
        assert_eq!(*username, None);
        assert!(!token.is_empty());
    }

    #[test]
    fn credhelpers_only() {
        let c = fixture("containers-credhelpers-only.json");
        let (r, calls) = resolve_recording(&c, "registry-no-creds.com");
        assert!(r.is_none());
        assert_eq!(
            calls,
            vec![(
                "helper-registry".to_string(),
                "registry-no-creds.com".to_string()
            )]
        );
        let (r, calls) = resolve_recording(&c, "other.example");
        assert!(r.is_none() && calls.is_empty());
    }

    #[test]
    fn oras_all_kinds() {
        let c = fixture("oras-auths-all-credential-kinds.json");
        let find = |host: &str| c.inline(&normalize_registry(host));
        let keys: Vec<String> = c.auths.keys().cloned().collect();
        let key = |n: &str| keys.iter().find(|k| k.contains(n)).cloned().unwrap();
        assert_eq!(up(find(&key("registry1"))), pair("username", "password"));
        assert_eq!(
            find(&key("registry2")),
            Some(Secret::IdentityToken {
                username: None,
                token: "identity_token".into()
            })
        );
        assert_eq!(
            find(&key("registry3")),
            Some(Secret::RegistryToken("registry_token".into()))
        );
        assert!(find(&key("registry5")).is_none());
        assert_eq!(up(find(&key("registry7"))), pair("username", "password"));
    }

    #[test]
    fn oras_scheme_and_path_keys() {
        let c = fixture("oras-auths-scheme-and-path-keys.json");
        assert_eq!(
            up(c.inline("registry1.example.com")),
            pair("username1", "password1")
        );
        for n in 2..=6 {
            assert!(
                c.inline(&format!("registry{n}.example.com")).is_some(),
                "registry{n}"
            );
        }
    }

    #[test]
    fn oras_empty_helper_name_falls_back_to_inline() {
        let c = fixture("oras-credhelpers-empty-helper-name.json");
        let reg1 = c
            .cred_helpers
            .keys()
            .find(|k| k.contains("registry1"))
            .cloned()
            .unwrap();
        assert_eq!(
            c.helper_for(&normalize_registry(&reg1)),
            Some("registry1-helper")
        );
        let reg3 = c
            .auths
            .keys()
            .find(|k| k.contains("registry3"))
            .cloned()
            .unwrap();
        let reg3 = normalize_registry(&reg3);
        assert_eq!(c.helper_for(&reg3), None);
        let (r, calls) = resolve_recording(&c, &reg3);
        assert!(calls.is_empty());
        assert_eq!(up(r.map(|(c, _)| c)), pair("foo", "bar"));
    }

    #[test]
    fn creds_store_and_helpers_from_docker_docs() {
        let c = fixture("docker-cli-docs-full-config.json");
        let (_, calls) = resolve_recording(&c, "awesomereg.example.org");
        assert_eq!(calls[0].0, "hip-star");
        assert_eq!(calls[1].0, "secretservice");
        let (_, calls) = resolve_recording(&c, "ghcr.io");
        assert_eq!(
            calls,
            vec![("secretservice".to_string(), "ghcr.io".to_string())]
        );
        let c = fixture("docker-cli-e2e-credsstore-secretservice.json");
        let (r, calls) = resolve_recording(&c, "docker.io");
        assert!(r.is_none());
        assert_eq!(
            calls,
            vec![("secretservice".to_string(), DOCKER_HUB.to_string())]
        );
    }

    const DOCKER_HUB: &str = super::super::DOCKER_HUB_KEY;

    #[test]
    fn docker_desktop_empty_entries_shadow_nothing() {
        let c = fixture("docker-desktop-empty-auth-entries.json");
        assert!(c.inline("docker.io").is_none());
        let (r, calls) = resolve_recording(&c, "docker.io");
        assert!(r.is_none());
        assert_eq!(calls, vec![("desktop".to_string(), DOCKER_HUB.to_string())]);
        // a helper answering gives its credentials
        let run = |_: &str, _: &str| Ok(Some(Secret::from_pair("u", "p".into())));
        let (creds, src) = c.resolve("docker.io", None, &run).unwrap();
        assert_eq!(
            (creds.username(), src),
            (Some("u"), Source::Helper("desktop".into()))
        );
        // the invalid host key does not crash a lookup
        assert!(c.inline("eu-central-1.amazonaws.com").is_none());
    }

    #[test]
    fn namespace_keys_most_specific_first_then_the_host() {
        let e = |u: &str| serde_json::json!({ "auth": STANDARD.encode(format!("{u}:pw-{u}")) });
        let cfg = DockerConfig::parse(
            serde_json::json!({"auths": {
                "reg.io": e("host"),
                "reg.io/team": e("team"),
                "reg.io/team/app": e("app"),
                "reg.io/team/app2/": e("app2"),
                "https://reg.io/team/v1/": e("legacy"),
                "Reg.IO/other/x": e("other"),
                "docker.io/library": e("library"),
            }})
            .to_string()
            .as_bytes(),
        )
        .unwrap();
        let user = |reg: &str, repo: Option<&str>| {
            cfg.resolve(reg, repo, &|_, _| Ok(None))
                .and_then(|(c, _)| c.username().map(str::to_string))
        };
        let u = |s: &str| Some(s.to_string());
        assert_eq!(user("reg.io", Some("team/app")), u("app"));
        assert_eq!(user("reg.io", Some("team/app/sub")), u("app"));
        assert_eq!(user("reg.io", Some("team/app2")), u("app2"));
        assert_eq!(user("reg.io", Some("team/application")), u("team"));
        assert_eq!(user("reg.io", Some("team")), u("team"));
        assert_eq!(user("reg.io", Some("other/x")), u("other"));
        // another namespace, or no repository: the host's entry, never a namespace's
        assert_eq!(user("reg.io", Some("teams/app")), u("host"));
        assert_eq!(user("reg.io", None), u("host"));
        assert_eq!(up(cfg.inline("reg.io")).map(|p| p.0), u("host"));
        assert_eq!(user("docker.io", Some("library/alpine")), u("library"));
        assert_eq!(user("docker.io", Some("bob/alpine")), None);
        // a registry with only namespace entries is anonymous elsewhere
        let only = DockerConfig::parse(br#"{"auths":{"reg.io/team":{"auth":"dDpw"}}}"#).unwrap();
        assert!(only.inline("reg.io").is_none());
        assert!(
            only.resolve("reg.io", Some("x/y"), &|_, _| Ok(None))
                .is_none()
        );
    }

    #[test]
    fn store_and_remove_keep_namespace_entries() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config.json");
        std::fs::write(
            &p,
            r#"{"auths":{"reg.io":{"auth":"eDp5"},"reg.io/team":{"auth":"dDpw"}}}"#,
        )
        .unwrap();
        let c = Secret::from_pair("alice", "pw".into());
        store(&p, "reg.io", &c).unwrap();
        let keys = |p: &Path| {
            DockerConfig::parse(&std::fs::read(p).unwrap())
                .unwrap()
                .auths
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&p), vec!["reg.io", "reg.io/team"]);
        assert!(remove(&p, "reg.io").unwrap());
        assert_eq!(keys(&p), vec!["reg.io/team"]);
        assert!(!remove(&p, "reg.io").unwrap());
    }

    #[test]
    fn store_and_remove_keep_other_keys() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config.json");
        std::fs::write(
            &p,
            r#"{"auths":{"index.docker.io":{"auth":"eDp5"}},"psFormat":"x"}"#,
        )
        .unwrap();
        let c = Secret::from_pair("alice", "pw:1".into());
        store(&p, "docker.io", &c).unwrap();
        let cfg = DockerConfig::parse(&std::fs::read(&p).unwrap()).unwrap();
        assert_eq!(cfg.auths.keys().collect::<Vec<_>>(), vec![DOCKER_HUB]);
        assert_eq!(up(cfg.inline("docker.io")), pair("alice", "pw:1"));
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        assert_eq!(v["psFormat"], "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        assert!(remove(&p, "docker.io").unwrap());
        assert!(!remove(&p, "docker.io").unwrap());
        assert!(
            DockerConfig::parse(&std::fs::read(&p).unwrap())
                .unwrap()
                .auths
                .is_empty()
        );
    }

    #[test]
    fn store_writes_docker_s_bytes_for_each_kind() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config.json");
        let entry = |c: &Secret| {
            store(&p, "reg.io", c).unwrap();
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            v["auths"]["reg.io"].clone()
        };
        let b64 = |s: &str| STANDARD.encode(s);
        assert_eq!(
            entry(&Secret::from_pair("alice", "pw".into())),
            serde_json::json!({"auth": b64("alice:pw")})
        );
        // docker's marker user beside an identity token without an account, ACR's user kept
        let rt = Secret::IdentityToken {
            username: None,
            token: "rt".into(),
        };
        assert_eq!(
            entry(&rt),
            serde_json::json!({"auth": b64("<token>:"), "identitytoken": "rt"})
        );
        let acr = Secret::identity_token(Some(super::super::ACR_TOKEN_USER), "rt".into());
        assert_eq!(
            entry(&acr),
            serde_json::json!({"auth": b64("00000000-0000-0000-0000-000000000000:"), "identitytoken": "rt"})
        );
        assert_eq!(
            entry(&Secret::RegistryToken("bt".into())),
            serde_json::json!({"registrytoken": "bt"})
        );
        // and each reads back as what was stored (ACR's account is not in `identitytoken`)
        let cfg = DockerConfig::parse(&std::fs::read(&p).unwrap()).unwrap();
        assert_eq!(
            cfg.inline("reg.io"),
            Some(Secret::RegistryToken("bt".into()))
        );
        store(&p, "reg.io", &rt).unwrap();
        let cfg = DockerConfig::parse(&std::fs::read(&p).unwrap()).unwrap();
        assert_eq!(cfg.inline("reg.io"), Some(rt));
    }
}
