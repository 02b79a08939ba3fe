//! Transport-prefixed image locations (docs/DESIGN.md §2): `docker://REF`, `oci:PATH[:TAG]`,
//! `oci-archive:FILE[:TAG]`, `docker-archive:FILE[:REF]`, and names in the local store.

use std::fmt;
use std::path::PathBuf;

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::reference::Reference;

/// Where an image lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A repository in a registry (OCI distribution API).
    Registry(Reference),
    /// An OCI image layout directory; `tag` is the `org.opencontainers.image.ref.name` value.
    Oci {
        /// Layout directory.
        path: PathBuf,
        /// Ref name inside the layout, if any.
        tag: Option<String>,
    },
    /// A tar of an OCI image layout.
    OciArchive {
        /// Archive file.
        path: PathBuf,
        /// Ref name inside the layout, if any.
        tag: Option<String>,
    },
    /// A `docker save` tarball.
    DockerArchive {
        /// Archive file.
        path: PathBuf,
        /// Image reference inside the archive (`RepoTags`), if any.
        reference: Option<String>,
    },
    /// An image in imgctl's local store, named by its full normalised reference.
    Store(Reference),
    /// An image in imgctl's local store addressed by its manifest digest (`store:sha256:…`),
    /// tagged or not. Read-only: a destination needs a name.
    StoreDigest(Digest),
}

/// The transport prefixes [`Location::parse`] knows, as typed.
pub const TRANSPORTS: &str = "docker://, oci:, oci-archive:, docker-archive:, store:";

/// How to read a location string that has no transport prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BareMeans {
    /// A bare `REF` is a registry reference (`pull`, `copy`, `inspect`, …).
    Registry,
    /// A bare `REF` names an image in the local store (`push` source, `tag`, `rmi`).
    Store,
}

impl Location {
    /// Parses `s`; a string without a known prefix is read as `bare` says.
    ///
    /// `store:REF` names an image of the local store whatever `bare` says; `store:sha256:HEX`
    /// one by its manifest digest.
    ///
    /// Errors (kind Usage) on a malformed reference, an empty path, an invalid tag or an
    /// unknown transport prefix (`ocii:/x`); a bare string that is not a reference but a path
    /// on disk gets a hint naming the transports that read files.
    pub fn parse(s: &str, bare: BareMeans) -> Result<Location> {
        if let Some(rest) = s.strip_prefix("store:") {
            if rest.starts_with("sha256:") || rest.starts_with("sha512:") {
                let d: Digest = rest
                    .parse()
                    .map_err(|e: Error| e.context(format!("invalid location {s:?}: bad digest")))?;
                return Ok(Location::StoreDigest(d));
            }
            return Ok(Location::Store(Reference::parse(rest)?));
        }
        if let Some(rest) = s.strip_prefix("docker://") {
            return Ok(Location::Registry(Reference::parse(rest)?));
        }
        if let Some(rest) = s.strip_prefix("oci-archive:") {
            let (path, tag) = split_path_tag(rest, s)?;
            return Ok(Location::OciArchive { path, tag });
        }
        if let Some(rest) = s.strip_prefix("oci:") {
            let (path, tag) = split_path_tag(rest, s)?;
            return Ok(Location::Oci { path, tag });
        }
        if let Some(rest) = s.strip_prefix("docker-archive:") {
            let (path, reference) = split_path_reference(rest, s)?;
            return Ok(Location::DockerArchive { path, reference });
        }
        if let Some(e) = s.split_once(':').and_then(|(p, _)| foreign_transport(p)) {
            return Err(e);
        }
        let r = Reference::parse(s).map_err(|e| bare_error(s, e))?;
        Ok(match bare {
            BareMeans::Registry => Location::Registry(r),
            BareMeans::Store => Location::Store(r),
        })
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opt = |t: &Option<String>| t.as_ref().map(|t| format!(":{t}")).unwrap_or_default();
        match self {
            Location::Registry(r) => write!(f, "docker://{r}"),
            Location::Oci { path, tag } => write!(f, "oci:{}{}", path.display(), opt(tag)),
            Location::OciArchive { path, tag } => {
                write!(f, "oci-archive:{}{}", path.display(), opt(tag))
            }
            Location::DockerArchive { path, reference } => {
                write!(f, "docker-archive:{}{}", path.display(), opt(reference))
            }
            Location::Store(r) => write!(f, "{r}"),
            Location::StoreDigest(d) => write!(f, "store:{d}"),
        }
    }
}

impl Location {
    /// What kind of location this is, for messages ("an OCI layout location").
    pub fn kind_name(&self) -> &'static str {
        match self {
            Location::Registry(_) => "a registry reference",
            Location::Oci { .. } => "an OCI layout location",
            Location::OciArchive { .. } => "an OCI archive location",
            Location::DockerArchive { .. } => "a docker-archive location",
            Location::Store(_) | Location::StoreDigest(_) => "a local store location",
        }
    }
}

/// The registry reference `s` names, for commands that only talk to registries (`tags`,
/// `delete`, `tag docker://…`): `REF` or `docker://REF`. With `repository_only` the reference
/// may have no tag and none is added (`tags`).
///
/// Errors (Usage): another transport's location ("`cmd` needs a registry repository (got an
/// OCI layout location)"), an unknown transport, or a malformed reference.
pub fn parse_registry(s: &str, cmd: &str, repository_only: bool) -> Result<Reference> {
    let what = if repository_only {
        "a registry repository"
    } else {
        "a registry reference"
    };
    match Location::parse(s, BareMeans::Registry) {
        Ok(Location::Registry(_)) => {}
        Ok(other) => {
            return Err(
                Error::usage(format!("{cmd} needs {what} (got {})", other.kind_name()))
                    .with_hint("e.g. localhost:5000/app or docker://registry.example.com/team/app"),
            );
        }
        Err(e) => return Err(e),
    }
    let plain = s.strip_prefix("docker://").unwrap_or(s);
    if repository_only {
        Reference::parse_repository(plain)
    } else {
        Reference::parse(plain)
    }
}

/// Transports of skopeo (containers/image) that imgctl does not have, with what to use instead.
/// None of these names is a Docker Hub library image, so `dir:x` is never a reference typed on
/// purpose (`docker://dir:x` still reaches the registry).
const FOREIGN_TRANSPORTS: [(&str, &str); 6] = [
    (
        "docker-daemon",
        "imgctl has no daemon and does not talk to docker's; use docker save IMAGE -o FILE.tar, then docker-archive:FILE.tar (or imgctl load -i FILE.tar)",
    ),
    (
        "containers-storage",
        "imgctl has no daemon and does not read podman/buildah storage; use podman save --format oci-archive -o FILE.tar IMAGE, then oci-archive:FILE.tar",
    ),
    (
        "dir",
        "imgctl does not read skopeo's dir: format; use an OCI layout, oci:DIR[:TAG] (skopeo copy dir:SRC oci:DIR:TAG converts one)",
    ),
    (
        "ostree",
        "imgctl does not read OSTree repositories; use an OCI layout (oci:DIR[:TAG]) or archive (oci-archive:FILE[:TAG])",
    ),
    (
        "sif",
        "imgctl does not read Singularity (SIF) images; use an OCI layout (oci:DIR[:TAG]) or archive (oci-archive:FILE[:TAG])",
    ),
    (
        "tarball",
        "imgctl does not read skopeo's tarball: root filesystems; use an image archive (docker-archive:FILE or oci-archive:FILE)",
    ),
];

/// The usage error for `prefix:` when it names a skopeo transport imgctl does not have
/// (`docker-daemon:`, `containers-storage:`, `dir:`, …): "unknown transport X: why; use …",
/// with a hint listing imgctl's own transports. None for any other prefix.
fn foreign_transport(prefix: &str) -> Option<Error> {
    let (name, why) = FOREIGN_TRANSPORTS.iter().find(|(n, _)| *n == prefix)?;
    Some(
        Error::usage(format!("unknown transport {name}: {why}"))
            .with_hint(format!("imgctl's transports: {TRANSPORTS}")),
    )
}

/// The error for a bare string that is not a reference: an unknown transport prefix
/// (`ocii:/tmp/x`), or a path on disk, get their own message or hint.
fn bare_error(s: &str, e: Error) -> Error {
    if let Some((prefix, rest)) = s.split_once(':') {
        let looks_like_transport = !prefix.is_empty()
            && prefix
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && prefix.starts_with(|c: char| c.is_ascii_lowercase())
            && (rest.contains('/') || rest.starts_with(['.', '~']));
        if looks_like_transport {
            return Error::usage(format!("unknown transport {prefix:?}; known: {TRANSPORTS}"));
        }
    }
    match local_path_hint(s) {
        Some(h) => e.with_hint(h),
        None => e,
    }
}

/// A hint for a location string without a transport that also names a directory or file on
/// disk (`inspect ./layout`, or `inspect layout` which went to Docker Hub): "did you mean
/// oci:…?". None when `s` has a transport prefix or names nothing on disk.
pub fn local_path_hint(s: &str) -> Option<String> {
    if s.starts_with("docker://") {
        return None;
    }
    let path = std::path::Path::new(s);
    if path.is_dir() {
        Some(format!(
            "{s} is a directory: did you mean oci:{s} (an OCI image layout)?"
        ))
    } else if path.is_file() {
        Some(format!(
            "{s} is a file: did you mean oci-archive:{s} or docker-archive:{s}?"
        ))
    } else {
        None
    }
}

/// Splits `PATH[:TAG]`: the tag is after the last `:` that is not a Windows drive letter's
/// (`C:\images\app:1.0` → (`C:\images\app`, `1.0`); a drive letter is a letter, `:` and a path
/// separator, so `b:v1` is the directory `b` with the tag `v1`) and that is not followed by a
/// path separator.
fn split_path_tag(rest: &str, whole: &str) -> Result<(PathBuf, Option<String>)> {
    // `C:\…` or `C:/…` only: a one-letter directory with a tag (`b:v1`) is a path and a tag
    let is_drive_colon = |i: usize| {
        i == 1
            && rest.as_bytes()[0].is_ascii_alphabetic()
            && matches!(rest.as_bytes().get(2), Some(b'\\' | b'/'))
    };
    let (path, tag) = match rest.rfind(':') {
        Some(i) if !is_drive_colon(i) && !rest[i + 1..].contains(['/', '\\']) => {
            (&rest[..i], Some(rest[i + 1..].to_string()))
        }
        _ => (rest, None),
    };
    if path.is_empty() {
        return Err(Error::usage(format!(
            "invalid location {whole:?}: the path is empty"
        )));
    }
    if let Some(t) = &tag
        && (t.is_empty() || t.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        return Err(Error::usage(format!(
            "invalid location {whole:?}: invalid tag {t:?}"
        )));
    }
    Ok((PathBuf::from(path), tag))
}

/// Splits `FILE[:REF]` for docker-archive (skopeo's rule): the reference starts after the
/// first `:` that is not a Windows drive letter's, since a reference holds `:` itself
/// (`app.tar:localhost:5000/app:v1` → (`app.tar`, `localhost:5000/app:v1`)).
fn split_path_reference(rest: &str, whole: &str) -> Result<(PathBuf, Option<String>)> {
    let skip = if rest.len() > 2
        && rest.as_bytes()[0].is_ascii_alphabetic()
        && rest.as_bytes()[1] == b':'
        && matches!(rest.as_bytes()[2], b'\\' | b'/')
    {
        2
    } else {
        0
    };
    let (path, reference) = match rest[skip..].find(':') {
        Some(i) => (&rest[..skip + i], Some(rest[skip + i + 1..].to_string())),
        None => (rest, None),
    };
    if path.is_empty() {
        return Err(Error::usage(format!(
            "invalid location {whole:?}: the path is empty"
        )));
    }
    if let Some(r) = &reference {
        crate::reference::Reference::parse(r)
            .map_err(|e| e.context(format!("invalid location {whole:?}: bad image reference")))?;
    }
    Ok((PathBuf::from(path), reference))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_locations() {
        assert_eq!(
            Location::parse("oci:/tmp/lay:v1", BareMeans::Registry).unwrap(),
            Location::Oci {
                path: "/tmp/lay".into(),
                tag: Some("v1".into())
            }
        );
        assert_eq!(
            Location::parse("oci:C:\\images\\app:1.0", BareMeans::Registry).unwrap(),
            Location::Oci {
                path: "C:\\images\\app".into(),
                tag: Some("1.0".into())
            }
        );
        // a one-letter directory is not a drive letter unless a path separator follows
        assert_eq!(
            Location::parse("oci:b:v1", BareMeans::Registry).unwrap(),
            Location::Oci {
                path: "b".into(),
                tag: Some("v1".into())
            }
        );
        assert_eq!(
            Location::parse("oci-archive:a:1", BareMeans::Registry).unwrap(),
            Location::OciArchive {
                path: "a".into(),
                tag: Some("1".into())
            }
        );
        assert_eq!(
            Location::parse("oci:C:/images/app:1.0", BareMeans::Registry).unwrap(),
            Location::Oci {
                path: "C:/images/app".into(),
                tag: Some("1.0".into())
            }
        );
        assert_eq!(
            Location::parse("oci:C:\\images\\app", BareMeans::Registry).unwrap(),
            Location::Oci {
                path: "C:\\images\\app".into(),
                tag: None
            }
        );
        assert_eq!(
            Location::parse("oci:./x", BareMeans::Registry).unwrap(),
            Location::Oci {
                path: "./x".into(),
                tag: None
            }
        );
        match Location::parse("docker://alpine", BareMeans::Store).unwrap() {
            Location::Registry(r) => assert_eq!(r.to_string(), "docker.io/library/alpine:latest"),
            l => panic!("{l:?}"),
        }
        assert!(matches!(
            Location::parse("alpine", BareMeans::Store).unwrap(),
            Location::Store(_)
        ));
        assert_eq!(
            Location::parse(
                "docker-archive:a.tar:localhost:5000/app:v1",
                BareMeans::Registry
            )
            .unwrap(),
            Location::DockerArchive {
                path: "a.tar".into(),
                reference: Some("localhost:5000/app:v1".into())
            }
        );
        assert_eq!(
            Location::parse("docker-archive:C:\\x\\a.tar:app", BareMeans::Registry).unwrap(),
            Location::DockerArchive {
                path: "C:\\x\\a.tar".into(),
                reference: Some("app".into())
            }
        );
        assert!(matches!(
            Location::parse("store:alpine:3.20", BareMeans::Registry).unwrap(),
            Location::Store(r) if r.to_string() == "docker.io/library/alpine:3.20"
        ));
        let d = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(
            Location::parse(&format!("store:{d}"), BareMeans::Registry).unwrap(),
            Location::StoreDigest(d.parse().unwrap())
        );
        assert!(Location::parse("store:sha256:abc", BareMeans::Registry).is_err());
        let e = Location::parse("ocii:/tmp/x:1", BareMeans::Registry).unwrap_err();
        assert!(e.to_string().contains("unknown transport \"ocii\""), "{e}");
        // A registry with a port is not a transport.
        assert!(Location::parse("localhost:5000/app:1", BareMeans::Registry).is_ok());
        let e = parse_registry("oci-archive:/x.tar", "tags", true).unwrap_err();
        assert!(
            e.to_string()
                .contains("tags needs a registry repository (got an OCI archive location)"),
            "{e}"
        );
        assert_eq!(
            parse_registry("docker://localhost:5000/app", "tags", true)
                .unwrap()
                .tag,
            None
        );
        assert!(Location::parse("oci:", BareMeans::Registry).is_err());
        // skopeo's transports that imgctl lacks are named, never read as Docker Hub names.
        for (s, want) in [
            ("docker-daemon:alpine:latest", "imgctl has no daemon"),
            ("docker-daemon:alpine", "docker save IMAGE -o FILE.tar"),
            ("containers-storage:localhost/app:1", "podman save"),
            ("dir:/tmp/x", "oci:DIR[:TAG]"),
            ("ostree:/repo", "OSTree"),
        ] {
            for bare in [BareMeans::Registry, BareMeans::Store] {
                let e = Location::parse(s, bare).unwrap_err();
                let prefix = s.split(':').next().unwrap();
                assert_eq!(e.kind(), crate::error::ErrorKind::Usage, "{s}: {e}");
                assert!(
                    e.to_string()
                        .starts_with(&format!("unknown transport {prefix}: "))
                        && e.to_string().contains(want),
                    "{s}: {e}"
                );
                assert!(e.hint_text().unwrap().contains("docker://, oci:"), "{s}");
            }
        }
        // `docker:TAG` is Docker Hub's docker image, not a transport.
        assert!(Location::parse("docker:dind", BareMeans::Registry).is_ok());
        assert!(Location::parse("docker://x/UP", BareMeans::Registry).is_err());
    }
}
