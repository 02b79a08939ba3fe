//! Image references `[registry[:port]/]repository[:tag][@digest]` with Docker's normalisation
//! (distribution `reference` grammar): `nginx` → `docker.io/library/nginx:latest`.

use std::fmt;
use std::str::FromStr;

use crate::digest::Digest;
use crate::error::{Error, Result};

/// The canonical name of Docker Hub in references.
pub const DOCKER_HUB: &str = "docker.io";
/// The host that serves Docker Hub's registry API.
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// A normalised image reference.
///
/// `registry` is a host with an optional port (`docker.io`, `localhost:5000`); `repository` is
/// the path inside it (`library/nginx`); at least one of `tag` and `digest` is set after
/// [`Reference::parse`] (the tag defaults to `latest` when neither is given).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// Registry host with optional `:port`, normalised (`index.docker.io` → `docker.io`).
    pub registry: String,
    /// Repository path, lowercase components separated by `/`.
    pub repository: String,
    /// Tag, if any.
    pub tag: Option<String>,
    /// Digest, if any.
    pub digest: Option<Digest>,
}

impl Reference {
    /// Parses and normalises `s`; a missing tag and digest means tag `latest`.
    ///
    /// Errors (kind Usage) name the bad part: registry, repository, tag or digest.
    pub fn parse(s: &str) -> Result<Reference> {
        let mut r = Self::parse_inner(s)?;
        if r.tag.is_none() && r.digest.is_none() {
            r.tag = Some("latest".into());
        }
        Ok(r)
    }

    /// Parses a repository reference whose tag and digest are optional and not defaulted
    /// (for `tags REPO`).
    pub fn parse_repository(s: &str) -> Result<Reference> {
        Self::parse_inner(s)
    }

    fn parse_inner(s: &str) -> Result<Reference> {
        let bad =
            |part: &str, why: &str| Error::usage(format!("invalid reference {s:?}: {part} {why}"));
        if s.is_empty() {
            return Err(bad("reference", "is empty"));
        }
        if s.contains("://") {
            return Err(bad(
                "reference",
                "must not contain a scheme (use docker://REF)",
            ));
        }
        let (name_tag, digest) = match s.split_once('@') {
            Some((n, d)) => {
                let digest = d
                    .parse::<Digest>()
                    .map_err(|e| bad("digest", &format!("{d:?} is not valid ({e})")))?;
                (n, Some(digest))
            }
            None => (s, None),
        };
        // The tag is after the last ':' that follows the last '/'.
        let last_slash = name_tag.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match name_tag[last_slash..].rfind(':') {
            Some(i) => {
                let i = last_slash + i;
                (&name_tag[..i], Some(name_tag[i + 1..].to_string()))
            }
            None => (name_tag, None),
        };
        if let Some(t) = &tag {
            validate_tag(t).map_err(|why| bad("tag", &format!("{t:?} {why}")))?;
        }
        // `127.0.0.1:5000` or `localhost:5000` alone: docker would take it for the Docker Hub
        // repository `library/127.0.0.1` with tag 5000; it is a registry without a repository.
        if !name.contains('/')
            && (name == "localhost" || name.parse::<std::net::Ipv4Addr>().is_ok())
            && tag
                .as_deref()
                .is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Error::usage(format!(
                "invalid reference {s:?}: {name_tag} is a registry address, not a repository"
            ))
            .with_hint(format!(
                "name a repository in it, e.g. {name_tag}/app (imgctl catalog {name_tag} lists them)"
            )));
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.')
                    || first.contains(':')
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => (DOCKER_HUB.to_string(), name.to_string()),
        };
        validate_registry(&registry)
            .map_err(|why| bad("registry", &format!("{registry:?} {why}")))?;
        let registry = normalise_registry(&registry);
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        validate_repository(&repository)
            .map_err(|why| bad("repository", &format!("{repository:?} {why}")))?;
        if registry.len() + 1 + repository.len() > 255 {
            return Err(bad("name", "is longer than 255 characters"));
        }
        Ok(Reference {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The host (and port) to send registry API requests to: Docker Hub's API host for
    /// `docker.io`, the registry itself otherwise.
    pub fn api_host(&self) -> &str {
        api_host(&self.registry)
    }

    /// `registry/repository` without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The string to ask the registry's manifest endpoint for: the digest when set, else the tag.
    pub fn manifest_ref(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".into(),
        }
    }

    /// The same repository with `tag` and no digest.
    pub fn with_tag(&self, tag: &str) -> Result<Reference> {
        validate_tag(tag).map_err(|why| Error::usage(format!("invalid tag {tag:?}: {why}")))?;
        Ok(Reference {
            tag: Some(tag.to_string()),
            digest: None,
            ..self.clone()
        })
    }

    /// The same repository pinned to `digest` (the tag is kept for display).
    pub fn with_digest(&self, digest: Digest) -> Reference {
        Reference {
            digest: Some(digest),
            ..self.clone()
        }
    }
}

/// The API host for a normalised registry name (`docker.io` → `registry-1.docker.io`).
pub fn api_host(registry: &str) -> &str {
    if registry == DOCKER_HUB {
        DOCKER_HUB_API
    } else {
        registry
    }
}

/// Normalises a registry name as docker does: `index.docker.io` and `registry-1.docker.io`
/// become `docker.io`; the host part is lowercased.
pub fn normalise_registry(registry: &str) -> String {
    let lower = registry.to_ascii_lowercase();
    match lower.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => DOCKER_HUB.into(),
        _ => lower,
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

impl FromStr for Reference {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Reference::parse(s)
    }
}

/// Tag grammar: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
pub fn validate_tag(t: &str) -> std::result::Result<(), &'static str> {
    let mut chars = t.chars();
    match chars.next() {
        None => return Err("is empty"),
        Some(c) if c.is_ascii_alphanumeric() || c == '_' => {}
        Some(_) => return Err("must start with a letter, digit or '_'"),
    }
    if t.len() > 128 {
        return Err("is longer than 128 characters");
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-') {
        return Err("may contain only letters, digits, '_', '.' and '-'");
    }
    Ok(())
}

fn validate_registry(r: &str) -> std::result::Result<(), &'static str> {
    let (host, port) = match r.strip_prefix('[') {
        Some(rest) => {
            // [IPv6]:port
            let (h, p) = rest.split_once(']').ok_or("has an unclosed '['")?;
            if h.is_empty() || !h.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
                return Err("has an invalid IPv6 address");
            }
            (None, p.strip_prefix(':'))
        }
        None => match r.rsplit_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(r), None),
        },
    };
    if let Some(h) = host
        && (h.is_empty()
            || !h.split('.').all(|label| {
                !label.is_empty()
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            }))
    {
        return Err("is not a valid host name");
    }
    if let Some(p) = port
        && (p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) || p.parse::<u16>().is_err())
    {
        return Err("has an invalid port");
    }
    Ok(())
}

/// Repository grammar: components `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*` separated by `/`.
fn validate_repository(repo: &str) -> std::result::Result<(), &'static str> {
    if repo.is_empty() {
        return Err("is empty");
    }
    if repo.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("must be lowercase");
    }
    for comp in repo.split('/') {
        if comp.is_empty() {
            return Err("has an empty path component");
        }
        let b = comp.as_bytes();
        if !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
            return Err("components must start and end with a letter or digit");
        }
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                i += 1;
                continue;
            }
            // separator run
            let start = i;
            while i < b.len() && !(b[i].is_ascii_lowercase() || b[i].is_ascii_digit()) {
                i += 1;
            }
            let sep = &comp[start..i];
            let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
            if !ok {
                return Err(
                    "may contain only lowercase letters, digits and the separators '.', '_', '__', '-'",
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_docker_hub() {
        let r = Reference::parse("nginx").unwrap();
        assert_eq!(r.to_string(), "docker.io/library/nginx:latest");
        assert_eq!(r.api_host(), "registry-1.docker.io");
        let r = Reference::parse("index.docker.io/user/app:1.0").unwrap();
        assert_eq!(r.to_string(), "docker.io/user/app:1.0");
    }

    #[test]
    fn registries_ports_digests() {
        let r = Reference::parse("localhost:5000/a/b:v1").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("localhost:5000", "a/b")
        );
        assert_eq!(r.tag.as_deref(), Some("v1"));
        let d = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let r = Reference::parse(&format!("127.0.0.1:5000/x@{d}")).unwrap();
        assert_eq!(r.tag, None);
        assert_eq!(r.manifest_ref(), d);
        let r = Reference::parse(&format!("ghcr.io/o/x:t@{d}")).unwrap();
        assert_eq!(r.to_string(), format!("ghcr.io/o/x:t@{d}"));
        let r = Reference::parse("[::1]:5000/x:1").unwrap();
        assert_eq!(r.registry, "[::1]:5000");
    }

    #[test]
    fn a_registry_address_alone_is_not_a_docker_hub_repository() {
        for s in ["127.0.0.1:5000", "localhost:5000"] {
            let e = Reference::parse_repository(s).unwrap_err();
            assert_eq!(e.kind(), crate::error::ErrorKind::Usage);
            let text = format!("{e} {}", e.hint_text().unwrap_or_default());
            assert!(
                text.contains("is a registry address, not a repository"),
                "{text}"
            );
            assert!(text.contains(&format!("{s}/app")), "{text}");
        }
        // a tag that is not a port, and real repositories, are unaffected
        assert_eq!(
            Reference::parse("localhost:v1").unwrap().to_string(),
            "docker.io/library/localhost:v1"
        );
        assert!(Reference::parse("127.0.0.1:5000/app").is_ok());
    }

    #[test]
    fn errors_name_the_bad_part() {
        let e = Reference::parse("Nginx/Foo").unwrap_err().to_string();
        assert!(e.contains("repository"), "{e}");
        let e = Reference::parse("nginx:bad tag").unwrap_err().to_string();
        assert!(e.contains("tag"), "{e}");
        let e = Reference::parse("nginx@sha256:123")
            .unwrap_err()
            .to_string();
        assert!(e.contains("digest"), "{e}");
        let e = Reference::parse("host:99999/x").unwrap_err().to_string();
        assert!(e.contains("registry"), "{e}");
        assert!(Reference::parse("a//b").is_err());
        assert!(Reference::parse("").is_err());
        assert!(Reference::parse("a/b-").is_err());
    }
}
