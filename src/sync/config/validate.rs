//! The sync file checked and expanded into the public types: a registry's credential source
//! (names of variables, never secrets), platforms (`all`, one, a list), a mapping's
//! repositories and tag selection (a list, `all`, a filter; a tag on the source).

use std::path::Path;

use crate::copy::Platforms;
use crate::error::{Error, Result};
use crate::manifest::PlatformSpec;
use crate::reference::Reference;
use crate::sync::tags::TagSelector;

use super::file::{FileMapping, FileRegistry, FileTagFilter, FileTags, OneOrMany};
use super::{CredentialSource, Mapping, RegistrySettings};

/// A registry's settings from its entry `r`; `name` (normalised) names it in errors and
/// relative `ca_file` paths are resolved against `base_dir`. Errors (Usage): a credentials
/// block that names no usable combination of variables.
pub(super) fn registry_settings(
    name: &str,
    r: FileRegistry,
    base_dir: &Path,
) -> Result<RegistrySettings> {
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

/// `p` as platforms; `at` names the place in errors (`defaults`, `mapping 2`). Errors (Usage):
/// empty, `all` mixed with platforms, a platform that does not parse.
pub(super) fn platforms(p: OneOrMany, at: &str) -> Result<Platforms> {
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

/// Mapping `m` checked and expanded: `at` names it in errors, the defaults apply where it says
/// nothing. Errors (Usage): a digest in the source, a tag or digest in the destination, tags
/// missing or given twice, a bad tag, filter or platform.
pub(super) fn mapping(
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::sync::config::SyncConfig;
    use crate::sync::tags::TagSelector;

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
