//! imgctl's settings: per-registry settings in `config.toml` in the config dir (docs/CLI.md,
//! "Options shared by every command (global)": per-registry settings), keyed by `host[:port]`
//! as written in image references, and the upload strategy they choose ([`UploadStrategy`]).
//! Model-level: no network, read by the registry client (src/registry/); it imports nothing of
//! the registry.
//!
//! ```toml
//! [registry."localhost:5000"]
//! upload = "chunked"        # "auto" (default), "monolithic" or "chunked"
//! chunk-size = 4194304      # bytes per PATCH when chunked (default 4 MiB)
//! insecure = true           # allow plain HTTP and unverified TLS to this registry
//! ca-file = "/etc/ssl/my-ca.pem"   # extra trusted root for this registry only
//! cert-file = "/etc/ssl/me.pem"    # client certificate (mutual TLS), with key-file
//! key-file = "/etc/ssl/me.key"
//! insecure-token-realm = true   # send credentials to its http:// token realm anyway
//! max-rps = 10              # requests per second to this host (0: unlimited; default: --max-rps)
//! ```
//!
//! Every setting applies to its host only. Keys imgctl does not know are ignored, so newer
//! files work with older binaries.
//!
//! Also read per host: the `certs.d` directories of docker and containers
//! ([`certs_d_roots`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// Chunk size used when falling back to chunked uploads, in bytes. Some registries refuse
/// PATCH bodies over 4 MiB.
pub const DEFAULT_CHUNK_SIZE: u64 = 4 * 1024 * 1024;

/// How blobs are uploaded (per registry: `upload` in `config.toml`, or `--chunk-size`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UploadStrategy {
    /// Streamed monolithic PUT; chunked PATCH with [`DEFAULT_CHUNK_SIZE`] if refused.
    #[default]
    Auto,
    /// Streamed monolithic PUT only (no fallback).
    Monolithic,
    /// Chunked PATCH uploads of at most this many bytes each (`--chunk-size`), or more when
    /// the registry's `OCI-Chunk-Min-Length` asks for more.
    Chunked(u64),
}

/// File name of the config file inside the config dir.
pub const CONFIG_FILE: &str = "config.toml";

/// How blobs are uploaded to one registry (`upload = "…"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UploadMode {
    /// Monolithic PUT, chunked when refused.
    Auto,
    /// Monolithic PUT only.
    Monolithic,
    /// Chunked PATCH uploads only.
    Chunked,
}

/// Settings of one registry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RegistryConfig {
    /// Upload strategy.
    pub upload: Option<UploadMode>,
    /// Maximum bytes per PATCH request for chunked uploads.
    pub chunk_size: Option<u64>,
    /// Allow plain HTTP to this registry, and TLS without verifying its certificate.
    pub insecure: Option<bool>,
    /// Extra trusted root certificate (PEM file) for this registry only.
    pub ca_file: Option<PathBuf>,
    /// Client certificate (PEM file, leaf first) presented to this registry; needs `key_file`.
    pub cert_file: Option<PathBuf>,
    /// Private key (PEM file) of `cert_file`.
    pub key_file: Option<PathBuf>,
    /// Allow credentials to go over plain HTTP to an `http://` token realm that this HTTPS
    /// registry announces (`insecure-token-realm = true`; refused by default).
    pub insecure_token_realm: Option<bool>,
    /// Requests per second to this host (`max-rps = 10`, also spelt `max_rps`; fractions
    /// allowed, 0: unlimited), counted over every request of a run: a token bucket with a
    /// burst of one second's worth. Wins over `--max-rps`.
    #[serde(alias = "max_rps")]
    pub max_rps: Option<f64>,
}

impl RegistryConfig {
    /// The upload strategy these settings ask for, or `None` when unset.
    pub fn upload_strategy(&self) -> Option<UploadStrategy> {
        let chunk = self.chunk_size.unwrap_or(DEFAULT_CHUNK_SIZE);
        match (self.upload, self.chunk_size) {
            (Some(UploadMode::Auto), _) => Some(UploadStrategy::Auto),
            (Some(UploadMode::Monolithic), _) => Some(UploadStrategy::Monolithic),
            (Some(UploadMode::Chunked), _) | (None, Some(_)) => {
                Some(UploadStrategy::Chunked(chunk))
            }
            (None, None) => None,
        }
    }
}

/// The whole config file.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Config {
    /// Per-registry settings keyed by `host[:port]`.
    #[serde(default)]
    pub registry: HashMap<String, RegistryConfig>,
}

impl Config {
    /// The config dir: `$IMGCTL_CONFIG_DIR`, else `<platform config dir>/imgctl`
    /// (`$XDG_CONFIG_HOME/imgctl` on Linux). `None` when neither can be found.
    pub fn default_dir() -> Option<PathBuf> {
        match std::env::var_os("IMGCTL_CONFIG_DIR") {
            Some(d) if !d.is_empty() => Some(PathBuf::from(d)),
            _ => dirs::config_dir().map(|d| d.join("imgctl")),
        }
    }

    /// Reads `dir/config.toml`; an absent file is an empty config.
    ///
    /// Errors: Usage when the file is not valid TOML, a value has the wrong type,
    /// `chunk-size` is 0, or `max-rps` is negative or not finite (the message names the file).
    pub fn load(dir: &Path) -> Result<Config> {
        let path = dir.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(Error::from(e).context(format!("cannot read {}", path.display())));
            }
        };
        Self::parse(&text).map_err(|e| e.context(format!("invalid config file {}", path.display())))
    }

    /// Parses the text of a config file. Errors: Usage as [`Config::load`], and when
    /// `cert-file` comes without `key-file` or the reverse.
    pub fn parse(text: &str) -> Result<Config> {
        let c: Config = toml::from_str(text).map_err(|e| Error::usage(e.to_string()))?;
        for (host, r) in &c.registry {
            if r.chunk_size == Some(0) {
                return Err(Error::usage(format!(
                    "registry {host:?}: chunk-size must be positive"
                )));
            }
            if let Some(n) = r.max_rps {
                check_max_rps(n).map_err(|e| Error::usage(format!("registry {host:?}: {e}")))?;
            }
            if r.cert_file.is_some() != r.key_file.is_some() {
                return Err(Error::usage(format!(
                    "registry {host:?}: cert-file and key-file go together (a client certificate and its private key)"
                )));
            }
        }
        Ok(c)
    }

    /// The settings of `host` (`name[:port]`, as in references), if any.
    pub fn registry(&self, host: &str) -> Option<&RegistryConfig> {
        self.registry
            .get(host)
            .or_else(|| self.registry.get(&host.to_ascii_lowercase()))
    }

    /// The settings for connections to `host` (`name[:port]` as in URLs): its own section,
    /// else the section of the registry whose API host it is (`docker.io` for
    /// `registry-1.docker.io`).
    pub fn for_host(&self, host: &str) -> Option<&RegistryConfig> {
        let host = host.to_ascii_lowercase();
        self.registry(&host).or_else(|| {
            self.registry
                .iter()
                .find(|(k, _)| crate::reference::api_host(&k.to_ascii_lowercase()) == host)
                .map(|(_, r)| r)
        })
    }

    /// `max-rps` of `host` (see [`Config::for_host`]), if set: requests per second, 0 for
    /// unlimited.
    pub fn max_rps(&self, host: &str) -> Option<f64> {
        self.for_host(host).and_then(|r| r.max_rps)
    }
}

/// Checks a request rate (`--max-rps`, `max-rps`): requests per second, 0 for unlimited.
/// Errors: a message (no kind) when `n` is negative, NaN or infinite.
pub fn check_max_rps(n: f64) -> std::result::Result<f64, String> {
    if n.is_finite() && n >= 0.0 {
        Ok(n)
    } else {
        Err(format!(
            "max-rps must be a number of requests per second, 0 or more (0: unlimited), not {n}"
        ))
    }
}

/// Environment variable overriding the `certs.d` roots: a path list (`:`-separated on Unix,
/// `;` on Windows), searched in order; empty means none.
pub const CERTS_D_ENV: &str = "IMGCTL_CERTS_D";

/// The `certs.d` roots, searched in order for a `HOST[:PORT]` directory (the first one that
/// has it is used, as containers/image does): `$IMGCTL_CERTS_D` when set, else
/// `~/.config/containers/certs.d`, `~/.config/docker/certs.d` (per user, `$XDG_CONFIG_HOME`
/// when set), `/etc/containers/certs.d`, `/etc/docker/certs.d`.
///
/// Inside a host directory: `*.crt` are CA certificates trusted for that host, `NAME.cert` +
/// `NAME.key` a client certificate (docker's "Verify repository client certificates").
pub fn certs_d_roots() -> Vec<PathBuf> {
    if let Some(v) = std::env::var_os(CERTS_D_ENV) {
        return std::env::split_paths(&v)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
    }
    let mut roots = Vec::new();
    let user_config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".config")));
    if let Some(c) = user_config {
        roots.push(c.join("containers").join("certs.d"));
        roots.push(c.join("docker").join("certs.d"));
    }
    if cfg!(unix) {
        roots.push(PathBuf::from("/etc/containers/certs.d"));
        roots.push(PathBuf::from("/etc/docker/certs.d"));
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_registry_settings() {
        let c = Config::parse(
            r#"
            [registry."localhost:5000"]
            upload = "chunked"
            chunk-size = 1048576
            future-key = "ignored"

            [registry."ghcr.io"]
            upload = "monolithic"
            insecure = false

            [registry."quay.io"]
            chunk-size = 5
            "#,
        )
        .unwrap();
        assert_eq!(
            c.registry("localhost:5000").unwrap().upload_strategy(),
            Some(UploadStrategy::Chunked(1 << 20))
        );
        assert_eq!(
            c.registry("ghcr.io").unwrap().upload_strategy(),
            Some(UploadStrategy::Monolithic)
        );
        assert_eq!(
            c.registry("quay.io").unwrap().upload_strategy(),
            Some(UploadStrategy::Chunked(5))
        );
        assert!(c.registry("docker.io").is_none());
        assert!(Config::parse("[registry.x]\nchunk-size = 0").is_err());
        assert!(Config::parse("[registry.x]\nupload = \"sideways\"").is_err());
        assert!(Config::parse("not toml [").is_err());
        let c = Config::parse("[registry.x]\ncert-file = \"c.pem\"\nkey-file = \"k.pem\"").unwrap();
        let x = c.registry("x").unwrap();
        assert_eq!(x.cert_file.as_deref(), Some(Path::new("c.pem")));
        assert_eq!(x.key_file.as_deref(), Some(Path::new("k.pem")));
        let e = Config::parse("[registry.x]\ncert-file = \"c.pem\"").unwrap_err();
        assert!(
            e.to_string().contains("cert-file and key-file go together"),
            "{e}"
        );
        assert!(Config::parse("[registry.x]\nkey-file = \"k.pem\"").is_err());
        assert!(Config::parse("").unwrap().registry.is_empty());
    }

    #[test]
    fn max_rps_per_host_and_bad_values() {
        let c = Config::parse(
            r#"
            [registry."localhost:5000"]
            max-rps = 5
            [registry."docker.io"]
            max_rps = 0.5
            [registry."quay.io"]
            max-rps = 0
            "#,
        )
        .unwrap();
        assert_eq!(c.max_rps("localhost:5000"), Some(5.0));
        assert_eq!(c.max_rps("LOCALHOST:5000"), Some(5.0));
        // docker.io's section applies to its API host.
        assert_eq!(c.max_rps("registry-1.docker.io"), Some(0.5));
        assert_eq!(c.max_rps("quay.io"), Some(0.0));
        assert_eq!(c.max_rps("ghcr.io"), None);
        for (bad, says) in [
            (
                "-1",
                "registry \"x\": max-rps must be a number of requests per second, 0 or more",
            ),
            ("nan", "not NaN"),
            ("inf", "not inf"),
            ("\"5\"", "expected f64"),
            ("true", "expected f64"),
        ] {
            let e = Config::parse(&format!("[registry.x]\nmax-rps = {bad}")).unwrap_err();
            assert_eq!(e.kind(), crate::error::ErrorKind::Usage, "{bad}");
            assert!(e.to_string().contains(says), "{bad}: {e}");
        }
        assert_eq!(check_max_rps(2.5), Ok(2.5));
        assert!(check_max_rps(-0.1).is_err());
    }
}
