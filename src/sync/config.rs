//! The `imgctl sync` configuration file (YAML): registries with TLS options and where their
//! credentials come from, and mappings from a source repository to a destination repository
//! with the tags, platforms and referrers to mirror. See README.md, "Sync".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::auth::Secret;
use crate::copy::Platforms;
use crate::error::{Error, Hint, Result, VariableProblem};
use crate::manifest::PlatformSpec;
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

// ---- the file's shape ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    registries: BTreeMap<String, FileRegistry>,
    #[serde(default)]
    defaults: FileDefaults,
    #[serde(default)]
    mappings: Vec<FileMapping>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileRegistry {
    #[serde(default)]
    insecure: bool,
    #[serde(default)]
    ca_file: Option<OneOrMany>,
    #[serde(default)]
    credentials: Option<FileCredentials>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileCredentials {
    #[serde(default)]
    env: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    username_env: Option<String>,
    #[serde(default)]
    password_env: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileDefaults {
    #[serde(default)]
    platforms: Option<OneOrMany>,
    #[serde(default)]
    referrers: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileMapping {
    source: String,
    destination: String,
    #[serde(default)]
    tags: Option<FileTags>,
    #[serde(default)]
    platforms: Option<OneOrMany>,
    #[serde(default)]
    referrers: Option<bool>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FileTags {
    Word(String),
    List(Vec<String>),
    Filter(FileTagFilter),
    /// Anything else: explained by [`explain_tags`] (an untagged enum's own error only says
    /// that no variant matched).
    Other(serde_yaml_ng::Value),
}

/// Why `tags:` did not parse: a number or boolean where a tag string belongs (YAML reads
/// `1.10` as 1.1 and `2` as an integer), or the filter's own error.
fn explain_tags(v: serde_yaml_ng::Value) -> Error {
    use serde_yaml_ng::Value;
    let scalar = |v: &Value| match v {
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some("null".to_string()),
        _ => None,
    };
    let not_a_string = match &v {
        Value::Sequence(items) => items.iter().find_map(scalar),
        other => scalar(other),
    };
    if let Some(x) = not_a_string {
        return Error::usage(format!(
            "tags: {x} is not a string (YAML reads unquoted 2 as a number and 1.10 as 1.1)"
        ))
        .with_hint("quote every tag: tags: [\"2\", \"1.10\"]");
    }
    match v {
        Value::Mapping(_) => match serde_yaml_ng::from_value::<FileTagFilter>(v) {
            Err(e) => Error::usage(format!("tags: {e}")),
            Ok(_) => Error::usage("tags: invalid filter"),
        },
        _ => Error::usage("tags: expected a list of tags, all, or {include, exclude, semver}"),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTagFilter {
    #[serde(default)]
    include: Option<OneOrMany>,
    #[serde(default)]
    exclude: Option<OneOrMany>,
    #[serde(default)]
    semver: Option<String>,
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
        let file: FileConfig =
            serde_yaml_ng::from_str(text).map_err(|e| Error::usage(yaml_error(&e, text)))?;
        if file.mappings.is_empty() {
            return Err(Error::usage("no mappings: nothing to sync"));
        }
        let mut registries = BTreeMap::new();
        for (name, r) in file.registries {
            let key = normalise_registry(&name);
            let settings = registry_settings(&key, r, base_dir)?;
            if registries.insert(key.clone(), settings).is_some() {
                return Err(Error::usage(format!("registry {key} is configured twice")));
            }
        }
        let default_platforms = match file.defaults.platforms {
            Some(p) => platforms(p, "defaults")?,
            None => Platforms::All,
        };
        let default_referrers = file.defaults.referrers.unwrap_or(false);
        let mut mappings = Vec::new();
        for (i, m) in file.mappings.into_iter().enumerate() {
            let at = format!("mapping {}", i + 1);
            mappings.push(
                mapping(m, &at, &default_platforms, default_referrers)
                    .map_err(|e| e.context(at.clone()))?,
            );
        }
        Ok(SyncConfig {
            registries,
            mappings,
        })
    }
}

/// A YAML error in the words of imgctl's own errors: serde's path `mappings[0].tags` becomes
/// `mapping 1: tags`, `registries.HOST.credentials` becomes `registry HOST: credentials`;
/// serde's `at line L column C` is kept.
fn yaml_error(e: &serde_yaml_ng::Error, text: &str) -> String {
    let msg = e.to_string();
    if let Some(rest) = msg.strip_prefix("mappings[")
        && let Some((n, rest)) = rest.split_once(']')
        && let Ok(n) = n.parse::<usize>()
    {
        let rest = rest
            .strip_prefix('.')
            .or_else(|| rest.strip_prefix(": "))
            .unwrap_or(rest);
        return format!("mapping {}: {rest}", n + 1);
    }
    if let Some(rest) = msg.strip_prefix("registries.") {
        // A registry name holds dots itself: find the key as written in the file.
        let names: Vec<String> = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text)
            .ok()
            .and_then(|v| v.get("registries").and_then(|r| r.as_mapping()).cloned())
            .map(|m| {
                m.keys()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if let Some((name, rest)) = names
            .iter()
            .filter_map(|n| {
                let after = rest.strip_prefix(n.as_str())?;
                let after = after
                    .strip_prefix('.')
                    .or_else(|| after.strip_prefix(": "))?;
                Some((n, after))
            })
            .max_by_key(|(n, _)| n.len())
        {
            return format!("registry {}: {rest}", normalise_registry(name));
        }
    }
    msg
}

fn registry_settings(name: &str, r: FileRegistry, base_dir: &Path) -> Result<RegistrySettings> {
    let ca_files = r
        .ca_file
        .map(OneOrMany::into_vec)
        .unwrap_or_default()
        .into_iter()
        .map(|f| base_dir.join(f))
        .collect();
    let credentials = match r.credentials {
        None => None,
        Some(c) => {
            let nonempty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
            let (env, username, username_env, password_env) = (
                nonempty(c.env),
                nonempty(c.username),
                nonempty(c.username_env),
                nonempty(c.password_env),
            );
            let bad = |why: &str| Err(Error::usage(format!("registry {name}: credentials {why}")));
            match (env, username, username_env, password_env) {
                // An empty block never shadows stored credentials.
                (None, None, None, None) => None,
                (Some(env), None, None, None) => Some(CredentialSource::Combined { env }),
                (Some(_), ..) => {
                    return bad("take either env or username/username_env + password_env");
                }
                (None, Some(_), Some(_), _) => {
                    return bad("take username or username_env, not both");
                }
                (None, None, None, Some(_)) => {
                    return bad("need username or username_env with password_env");
                }
                (None, _, _, None) => {
                    return bad(
                        "need password_env, the name of a variable holding the password (secrets never go in the file)",
                    );
                }
                (None, username, username_env, Some(password_env)) => {
                    Some(CredentialSource::Split {
                        username,
                        username_env,
                        password_env,
                    })
                }
            }
        }
    };
    Ok(RegistrySettings {
        insecure: r.insecure,
        ca_files,
        credentials,
    })
}

fn platforms(p: OneOrMany, at: &str) -> Result<Platforms> {
    let list = p.into_vec();
    if list.len() == 1 && list[0] == "all" {
        return Ok(Platforms::All);
    }
    if list.len() > 1 && list.iter().any(|p| p == "all") {
        return Err(Error::usage(format!(
            "{at}: platforms: give all, or a list of OS/ARCH[/VARIANT], not both"
        )));
    }
    match list.as_slice() {
        [] => Err(Error::usage(format!("{at}: platforms is empty (use all)"))),
        [one] => Ok(Platforms::One(one.parse::<PlatformSpec>()?)),
        several => Ok(Platforms::List(
            several
                .iter()
                .map(|p| p.parse::<PlatformSpec>())
                .collect::<Result<Vec<_>>>()
                .map_err(|e| e.context(at.to_string()))?,
        )),
    }
}

fn mapping(
    m: FileMapping,
    at: &str,
    default_platforms: &Platforms,
    default_referrers: bool,
) -> Result<Mapping> {
    let strip = |s: &str| s.strip_prefix("docker://").unwrap_or(s).to_string();
    let source = Reference::parse_repository(&strip(&m.source))?;
    let destination = Reference::parse_repository(&strip(&m.destination))?;
    if source.digest.is_some() {
        return Err(Error::usage(
            "source must name a repository (and at most a tag), not a digest",
        ));
    }
    if destination.tag.is_some() || destination.digest.is_some() {
        return Err(Error::usage(
            "destination must name a repository; tags are kept as in the source",
        ));
    }
    let tags = match (m.tags, &source.tag) {
        (None, Some(t)) => TagSelector::List(vec![t.clone()]),
        (None, None) => {
            return Err(Error::usage(
                "give tags: a list, all, or {include, exclude, semver}",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(Error::usage(
                "source carries a tag and tags are given: choose one",
            ));
        }
        (Some(FileTags::Word(w)), None) if w == "all" => TagSelector::All,
        (Some(FileTags::Word(w)), None) => TagSelector::List(vec![w]),
        (Some(FileTags::List(l)), None) => TagSelector::List(l),
        (Some(FileTags::Other(v)), None) => return Err(explain_tags(v)),
        (Some(FileTags::Filter(f)), None) => TagSelector::filter(
            &f.include.map(OneOrMany::into_vec).unwrap_or_default(),
            &f.exclude.map(OneOrMany::into_vec).unwrap_or_default(),
            f.semver.as_deref(),
        )?,
    };
    if let TagSelector::List(l) = &tags {
        if l.is_empty() {
            return Err(Error::usage("tags is an empty list"));
        }
        for t in l {
            crate::reference::validate_tag(t)
                .map_err(|why| Error::usage(format!("invalid tag {t:?}: {why}")))?;
        }
    }
    let platforms = match m.platforms {
        Some(p) => platforms(p, at)?,
        None => default_platforms.clone(),
    };
    Ok(Mapping {
        source: Reference {
            tag: None,
            ..source
        },
        destination,
        tags,
        platforms,
        referrers: m.referrers.unwrap_or(default_referrers),
    })
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
    fn unquoted_numeric_tags_are_refused_with_a_quoting_hint() {
        for tags in ["[2, 1.10]", "[\"2\", 1.10]", "3.20", "true"] {
            let text = format!("mappings: [{{source: a, destination: r.io/a, tags: {tags}}}]\n");
            let e = SyncConfig::parse(&text, Path::new("/work")).err().unwrap();
            let all = format!("{e} {}", e.hint_text().unwrap_or_default());
            assert!(all.contains("is not a string"), "{tags}: {all}");
            assert!(all.contains("quote every tag"), "{tags}: {all}");
        }
        // a filter's own mistakes keep their message, not the untagged enum's
        let text = "mappings: [{source: a, destination: r.io/a, tags: {inclde: x}}]\n";
        let e = SyncConfig::parse(text, Path::new("/work")).err().unwrap();
        assert!(e.to_string().contains("inclde"), "{e}");
        let quoted = "mappings: [{source: a, destination: r.io/a, tags: [\"2\", \"1.10\"]}]\n";
        let c = SyncConfig::parse(quoted, Path::new("/work")).unwrap();
        assert_eq!(
            c.mappings[0].tags,
            TagSelector::List(vec!["2".into(), "1.10".into()])
        );
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
    fn bad_mappings_are_named() {
        for (yaml, want) in [
            ("mappings: []", "no mappings"),
            (
                "mappings: [{source: a, destination: b}]",
                "mapping 1: give tags",
            ),
            (
                "mappings: [{source: a, destination: 'b:1', tags: all}]",
                "destination must name a repository",
            ),
            (
                "mappings: [{source: a, destination: b, tags: {include: '('}}]",
                "mapping 1",
            ),
            (
                "mappings: [{source: a, destination: b, tags: {semver: '>=one'}}]",
                "semver",
            ),
            (
                "mappings: [{source: a, destination: b, tags: all, platforms: [linux/amd64, all]}]",
                "not both",
            ),
            (
                "mappings: [{source: a, destination: b, tags: ['bad tag']}]",
                "invalid tag",
            ),
            ("mapings: []", "unknown field"),
            // serde's own errors: numbered as ours, with serde's line number
            (
                "mappings:\n  - {source: a, destination: b, tags: all}\n  - source: a\n    destination: c\n    platfroms: all\n",
                "mapping 2: unknown field `platfroms`",
            ),
            (
                "mappings:\n  - {source: a, destination: b, tags: all}\n  - source: a\n    destination: c\n    platfroms: all\n",
                "at line 5",
            ),
            (
                "mappings:\n  - {source: [a], destination: b}\n",
                "mapping 1: source: invalid type",
            ),
            (
                "registries:\n  reg.example.com:5000:\n    credentials: {usr: x}\nmappings: [{source: a, destination: b, tags: all}]\n",
                "registry reg.example.com:5000: credentials: unknown field `usr`",
            ),
        ] {
            let e = SyncConfig::parse(yaml, Path::new(".")).unwrap_err();
            assert!(e.to_string().contains(want), "{yaml}: {e}");
            assert!(!e.to_string().contains("mappings["), "{yaml}: {e}");
            assert_eq!(e.kind(), crate::error::ErrorKind::Usage);
        }
    }
}
