//! The `imgctl sync` configuration file (YAML): registries with TLS options and where their
//! credentials come from, and mappings from a source repository to a destination repository
//! with the tags, platforms and referrers to mirror. See README.md, "Sync".

//!
//! This file holds the public types and the reading; [`file`] the file's shape as serde reads
//! it and YAML errors with the path of the bad field; [`validate`] the checks and expansion
//! into the public types.

mod file;
mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::auth::Secret;
use crate::copy::Platforms;
use crate::error::{Error, Hint, Result, VariableProblem};
use crate::reference::{Reference, normalise_registry};

use super::tags::TagSelector;

/// A parsed and validated sync configuration.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// Settings per normalised registry name (`docker.io`, `myreg.azurecr.io`, `host:port`).
    pub registries: BTreeMap<String, RegistrySettings>,
    /// The mappings, in file order.
    pub mappings: Vec<Mapping>,
}

/// TLS options and credentials of one registry.
#[derive(Debug, Clone, Default)]
pub struct RegistrySettings {
    /// Skip TLS verification and allow plain HTTP.
    pub insecure: bool,
    /// Extra trusted root certificates (PEM files), relative paths resolved against the
    /// configuration file's directory.
    pub ca_files: Vec<PathBuf>,
    /// Where this registry's credentials come from; `None` means the stored credentials.
    pub credentials: Option<CredentialSource>,
}

/// Names of environment variables holding a registry's credentials (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// One variable holding `USER:PASSWORD`.
    Combined {
        /// The variable's name.
        env: String,
    },
    /// A username (literal or from a variable) and a variable holding the password or token.
    Split {
        /// A literal username.
        username: Option<String>,
        /// The name of a variable holding the username.
        username_env: Option<String>,
        /// The name of a variable holding the password.
        password_env: String,
    },
}

impl CredentialSource {
    /// Where the credentials come from, in words for a hint: the variables' names (never
    /// their values), e.g. `USER:PASSWORD in $MIRROR_CREDS`.
    pub fn describe(&self) -> String {
        match self {
            CredentialSource::Combined { env } => format!("USER:PASSWORD in ${env}"),
            CredentialSource::Split {
                username,
                username_env,
                password_env,
            } => match (username, username_env) {
                (Some(u), _) => format!("username {u} with the password in ${password_env}"),
                (None, Some(e)) => {
                    format!("the username in ${e} and the password in ${password_env}")
                }
                (None, None) => format!("the password in ${password_env}"),
            },
        }
    }

    /// Reads the credentials from the environment through `env` (e.g. `std::env::var`);
    /// `registry` names the registry in errors.
    ///
    /// Errors (Usage, naming the variable, never its value): a named variable is unset, or
    /// set but empty; the combined variable is not `USER:PASSWORD` (no `:`, or an empty
    /// username or password).
    pub fn resolve(&self, registry: &str, env: impl Fn(&str) -> Option<String>) -> Result<Secret> {
        let bad = |name: &str, why: &str| {
            Error::usage(format!(
                "registry {registry}: environment variable {name} named in the sync configuration {why}"
            ))
        };
        let get = |name: &str| match env(name) {
            None => Err(
                bad(name, "is not set").with_hint(Hint::CredentialsVariable {
                    name: name.to_string(),
                    problem: VariableProblem::Unset,
                }),
            ),
            Some(v) if v.is_empty() => {
                Err(bad(name, "is empty").with_hint(Hint::CredentialsVariable {
                    name: name.to_string(),
                    problem: VariableProblem::Empty,
                }))
            }
            Some(v) => Ok(v),
        };
        match self {
            CredentialSource::Combined { env } => {
                let value = get(env)?;
                let why = match value.split_once(':') {
                    None => "must hold USER:PASSWORD, but has no ':'",
                    Some(("", _)) => {
                        "must hold USER:PASSWORD, but the username before ':' is empty"
                    }
                    Some((_, "")) => "must hold USER:PASSWORD, but the password after ':' is empty",
                    Some((user, password)) => {
                        return Ok(Secret::from_pair(user, password.to_string()));
                    }
                };
                Err(bad(env, why).with_hint(Hint::CredentialsVariable {
                    name: env.clone(),
                    problem: VariableProblem::NotUserColonPassword,
                }))
            }
            CredentialSource::Split {
                username,
                username_env,
                password_env,
            } => {
                let user = match (username, username_env) {
                    (Some(u), _) => u.clone(),
                    (None, Some(e)) => get(e)?,
                    (None, None) => unreachable!("validated at parse time"),
                };
                Ok(Secret::from_pair(&user, get(password_env)?))
            }
        }
    }
}

/// One mapping: which images of a source repository go to which destination repository.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// The source repository (no tag, no digest).
    pub source: Reference,
    /// The destination repository (no tag, no digest).
    pub destination: Reference,
    /// Which tags.
    pub tags: TagSelector,
    /// Which platforms of an index (default: all, the index unchanged).
    pub platforms: Platforms,
    /// Whether referrers (signatures, SBOMs, attestations) are copied with each image.
    pub referrers: bool,
}

impl SyncConfig {
    /// Reads and validates the configuration at `path`.
    ///
    /// Errors (Usage) name the file and, where it applies, the mapping (1-based) or registry
    /// at fault; Usage when `path` is a directory; NotFound when the file does not exist.
    pub fn load(path: &Path) -> Result<SyncConfig> {
        if path.is_dir() {
            return Err(Error::usage(format!(
                "sync configuration {} is a directory, not a YAML file",
                path.display()
            ))
            .with_hint(format!(
                "name the file, e.g. imgctl sync {}",
                path.join("mirror.yaml").display()
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::from(e).context(format!("cannot read sync configuration {}", path.display()))
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        SyncConfig::parse(&text, base)
            .map_err(|e| e.context(format!("invalid sync configuration {}", path.display())))
    }

    /// Parses YAML `text`; relative `ca_file` paths are resolved against `base_dir`.
    pub fn parse(text: &str, base_dir: &Path) -> Result<SyncConfig> {
        let file = file::read(text)?;
        if file.mappings.is_empty() {
            return Err(Error::usage("no mappings: nothing to sync"));
        }
        let mut registries = BTreeMap::new();
        for (name, r) in file.registries {
            let key = normalise_registry(&name);
            let settings = validate::registry_settings(&key, r, base_dir)?;
            if registries.insert(key.clone(), settings).is_some() {
                return Err(Error::usage(format!("registry {key} is configured twice")));
            }
        }
        let default_platforms = match file.defaults.platforms {
            Some(p) => validate::platforms(p, "defaults")?,
            None => Platforms::All,
        };
        let default_referrers = file.defaults.referrers.unwrap_or(false);
        let mut mappings = Vec::new();
        for (i, m) in file.mappings.into_iter().enumerate() {
            let at = format!("mapping {}", i + 1);
            mappings.push(
                validate::mapping(m, &at, &default_platforms, default_referrers)
                    .map_err(|e| e.context(at.clone()))?,
            );
        }
        Ok(SyncConfig {
            registries,
            mappings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
registries:
  index.docker.io:
    credentials: {}
  myreg.azurecr.io:
    ca_file: certs/ca.pem
    credentials:
      username: mirror-bot
      password_env: ACR_PASSWORD
  127.0.0.1:5000:
    insecure: true
    credentials:
      env: LOCAL_CREDS
defaults:
  referrers: true
mappings:
  - source: docker.io/library/nginx
    destination: myreg.azurecr.io/mirror/nginx
    tags: ["1.27", "1.27-alpine"]
  - source: alpine
    destination: myreg.azurecr.io/mirror/alpine
    tags:
      include: ['3\.\d+']
      exclude: '3\.1\d'
    platforms: linux/arm64
    referrers: false
  - source: docker.io/library/redis:7.4
    destination: myreg.azurecr.io/mirror/redis
  - source: 127.0.0.1:5000/app
    destination: myreg.azurecr.io/app
    tags: { semver: ">=1.2, <2" }
  - source: 127.0.0.1:5000/all
    destination: myreg.azurecr.io/all
    tags: all
"#;

    #[test]
    fn parses_the_readme_example() {
        let c = SyncConfig::parse(EXAMPLE, Path::new("/etc/imgctl")).unwrap();
        assert_eq!(c.mappings.len(), 5);
        assert!(
            c.registries["docker.io"].credentials.is_none(),
            "empty block shadows nothing"
        );
        let acr = &c.registries["myreg.azurecr.io"];
        assert_eq!(
            acr.ca_files,
            vec![PathBuf::from("/etc/imgctl/certs/ca.pem")]
        );
        assert_eq!(
            acr.credentials,
            Some(CredentialSource::Split {
                username: Some("mirror-bot".into()),
                username_env: None,
                password_env: "ACR_PASSWORD".into()
            })
        );
        assert!(c.registries["127.0.0.1:5000"].insecure);
        let m0 = &c.mappings[0];
        assert_eq!(m0.source.name(), "docker.io/library/nginx");
        assert_eq!(m0.destination.name(), "myreg.azurecr.io/mirror/nginx");
        assert_eq!(m0.platforms, Platforms::All);
        assert!(m0.referrers);
        let m1 = &c.mappings[1];
        assert_eq!(m1.source.name(), "docker.io/library/alpine");
        assert!(!m1.referrers);
        assert_eq!(m1.platforms, Platforms::One("linux/arm64".parse().unwrap()));
        let two = SyncConfig::parse(
            "mappings: [{source: a, destination: b, tags: all, platforms: [linux/amd64, linux/arm64]}]",
            Path::new("."),
        )
        .unwrap();
        assert_eq!(
            two.mappings[0].platforms,
            Platforms::List(vec![
                "linux/amd64".parse().unwrap(),
                "linux/arm64".parse().unwrap()
            ])
        );
        assert!(m1.tags.matches("3.20") && !m1.tags.matches("3.19") && !m1.tags.matches("latest"));
        assert_eq!(c.mappings[2].tags, TagSelector::List(vec!["7.4".into()]));
        assert!(c.mappings[3].tags.matches("v1.2.3") && !c.mappings[3].tags.matches("2.0.0"));
        assert_eq!(c.mappings[4].tags, TagSelector::All);
    }

    #[test]
    fn readme_example_is_valid() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("# mirror.yaml\n")
            .expect("README has the sync example");
        let block = &readme[start..];
        let block = &block[..block.find("```").unwrap()];
        let c = SyncConfig::parse(block, Path::new("/work")).unwrap();
        assert_eq!(c.mappings.len(), 5);
        assert_eq!(c.mappings[4].tags, TagSelector::List(vec!["17".into()]));
        assert!(c.mappings[1].tags.matches("3.20") && !c.mappings[1].tags.matches("3.19"));
    }

    #[test]
    fn credentials_come_from_named_variables_only() {
        let env = |k: &str| match k {
            "LOCAL_CREDS" => Some("bob:pa:ss".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        let c = CredentialSource::Combined {
            env: "LOCAL_CREDS".into(),
        };
        let got = c.resolve("r", env).unwrap();
        assert_eq!(got.basic(), Some(("bob", "pa:ss")));
        let missing = CredentialSource::Split {
            username: Some("u".into()),
            username_env: None,
            password_env: "EMPTY".into(),
        };
        let e = missing.resolve("r", env).unwrap_err();
        assert!(
            e.to_string()
                .contains("EMPTY named in the sync configuration is empty"),
            "{e}"
        );
        let unset = CredentialSource::Combined {
            env: "UNSET".into(),
        };
        let e = unset.resolve("r", env).unwrap_err();
        assert!(e.to_string().contains("UNSET") && e.to_string().contains("is not set"));
        // Malformed combined values are refused, naming the variable, never echoing it.
        for (value, why) in [
            ("alicenocolon", "no ':'"),
            (":hunter2", "username"),
            ("alice:", "password"),
        ] {
            let c = CredentialSource::Combined {
                env: "CREDS".into(),
            };
            let e = c
                .resolve("r", |k: &str| (k == "CREDS").then(|| value.to_string()))
                .unwrap_err();
            let all = format!("{e} {}", e.hint_text().unwrap_or_default());
            assert_eq!(e.kind(), crate::error::ErrorKind::Usage);
            assert!(
                all.contains("CREDS named in the sync configuration must hold USER:PASSWORD"),
                "{all}"
            );
            assert!(all.contains(why), "{all}");
            assert!(
                !all.contains("alicenocolon") && !all.contains("hunter2"),
                "{all}"
            );
        }
        let bad = "registries:\n  r.io:\n    credentials:\n      username: u\n      password: hunter2\nmappings: [{source: a, destination: r.io/a, tags: all}]\n";
        let e = SyncConfig::parse(bad, Path::new(".")).unwrap_err();
        assert!(e.to_string().contains("password"), "{e}");
        assert!(!e.to_string().contains("hunter2"), "secret echoed: {e}");
    }

    #[test]
    fn load_names_the_file_the_field_and_its_line() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("mirror.yaml");
        std::fs::write(
            &p,
            "mappings:\n  - source: a\n    destination: b\n    tags: all\n    referrers: often\n",
        )
        .unwrap();
        let e = SyncConfig::load(&p).unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::Usage);
        assert_eq!(
            e.to_string(),
            format!(
                "invalid sync configuration {}: mapping 1: referrers: invalid type: string \"often\", expected a boolean at line 5 column 16",
                p.display()
            )
        );
    }
}
