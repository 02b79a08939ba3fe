//! Platforms: `--platform` specs, matching a descriptor's platform, Windows `os.version`
//! ranking, the platform an image configuration names.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// A platform `os/arch[/variant]` as given to `--platform`, plus an optional `os.version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformSpec {
    /// GOOS value, e.g. `linux`.
    pub os: String,
    /// GOARCH value, e.g. `arm64`.
    pub architecture: String,
    /// CPU variant, e.g. `v7`.
    pub variant: Option<String>,
    /// Windows `os.version` (`major.minor.build[.revision]`, e.g. `10.0.17763.1234`): an entry
    /// matches when its `os.version` has the same major.minor.build (`10.0.17763.x`; a shorter
    /// value matches the entries that continue it with `.`). Among the matches the exact
    /// value is preferred, then the highest revision (see [`PlatformSpec::rank`]). None
    /// matches any version.
    pub os_version: Option<String>,
    /// Whether the user named this platform (`--platform`, a sync configuration): a
    /// single-platform image built for another platform is then refused instead of copied.
    /// False for [`PlatformSpec::host`], the default.
    pub explicit: bool,
}

impl PlatformSpec {
    /// The platform images are pulled for by default: `linux` (as docker does on every host)
    /// with the host's CPU architecture.
    pub fn host() -> PlatformSpec {
        let (architecture, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", None),
            "aarch64" => ("arm64", None),
            "arm" => ("arm", Some("v7")),
            "x86" => ("386", None),
            "powerpc64" => ("ppc64le", None),
            "s390x" => ("s390x", None),
            "riscv64" => ("riscv64", None),
            other => (other, None),
        };
        PlatformSpec {
            os: "linux".into(),
            architecture: architecture.into(),
            variant: variant.map(Into::into),
            os_version: None,
            explicit: false,
        }
    }

    /// Variants acceptable for this spec, best first (`arm/v7` accepts v7, v6, v5; `arm`
    /// without a variant means v7, as docker assumes; `arm64` without a variant means v8).
    fn acceptable_variants(&self) -> Vec<Option<String>> {
        let arm = ["v8", "v7", "v6", "v5"];
        let want = self
            .variant
            .clone()
            .or_else(|| match self.architecture.as_str() {
                "arm64" => Some("v8".into()),
                "arm" => Some("v7".into()),
                _ => None,
            });
        match (self.architecture.as_str(), want.as_deref()) {
            ("arm", Some(v)) | ("arm64", Some(v)) => {
                let start = arm.iter().position(|a| *a == v);
                let mut out: Vec<Option<String>> = match start {
                    Some(i) => arm[i..].iter().map(|s| Some(s.to_string())).collect(),
                    None => vec![Some(v.to_string())],
                };
                if self.architecture == "arm64" {
                    out.truncate(1); // arm64 variants are not interchangeable downwards
                }
                out.push(None);
                out
            }
            (_, Some(v)) => vec![Some(v.to_string()), None],
            (_, None) => vec![None],
        }
    }

    /// Whether a descriptor's platform satisfies this spec: `None` when it does not, else its
    /// rank, lower is better: `(variant preference, os.version preference)`, compared in that
    /// order. The variant part is 0 for the variant asked for (or none when none was asked),
    /// then the acceptable fallbacks in order (`arm/v7` → v6 → v5). The `os.version` part
    /// ([`os_version_rank`]) is 0 for the exact `os.version` asked for (or when none was asked),
    /// then the other revisions of the same build, the highest first, so that
    /// `windows(10.0.17763.1234)/amd64` picks `10.0.17763.1234` when the index has it and
    /// `10.0.17763.2000` over `10.0.17763.1040` otherwise.
    pub fn rank(&self, p: &oci_spec::image::Platform) -> Option<(usize, u64)> {
        if p.os().to_string() != self.os || p.architecture().to_string() != self.architecture {
            return None;
        }
        let version = match &self.os_version {
            Some(want) => os_version_rank(want, p.os_version().as_deref().unwrap_or(""))?,
            None => 0,
        };
        let candidates = self.acceptable_variants();
        let have = p.variant().clone().filter(|v| !v.is_empty());
        if self.variant.is_none() && !(self.architecture == "arm64" || self.architecture == "arm") {
            // No variant asked: any variant does; prefer none.
            return Some((if have.is_none() { 0 } else { 1 }, version));
        }
        candidates
            .iter()
            .position(|c| *c == have)
            .map(|v| (v, version))
    }
}

/// How well an entry's Windows `os.version` `have` fits the `os.version` `want` asked for
/// (`major.minor.build[.revision]`, as containerd and docker match Windows images): `None` when
/// it does not, else a rank, lower is better. With a revision (`10.0.17763.1234`), every entry
/// of the same major.minor.build matches (`10.0.17763.x`); without one (`10.0.17763`), the
/// entries that equal it or continue it with `.`. Rank 0 is `have == want`; the others rank
/// by revision, the highest first (an entry without a numeric revision last).
pub fn os_version_rank(want: &str, have: &str) -> Option<u64> {
    let want_parts: Vec<&str> = want.split('.').collect();
    let matches = if want_parts.len() >= 4 {
        let have_parts: Vec<&str> = have.split('.').collect();
        have_parts.len() >= 3 && have_parts[..3] == want_parts[..3]
    } else {
        have == want || have.starts_with(&format!("{want}."))
    };
    if !matches {
        return None;
    }
    if have == want {
        return Some(0);
    }
    let revision = have
        .split('.')
        .nth(3)
        .and_then(|r| r.parse::<u32>().ok())
        .map_or(0, |r| u64::from(r) + 1);
    Some(1 + (u64::from(u32::MAX) + 1 - revision))
}

impl FromStr for PlatformSpec {
    type Err = Error;
    /// Parses `os[(os.version)]/arch[/variant]` (containerd's syntax, e.g. `linux/arm/v7`,
    /// `windows(10.0.17763)/amd64`). Errors (Usage) otherwise.
    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::usage(format!(
                "invalid platform {s:?}: expected OS/ARCH[/VARIANT], e.g. linux/arm64 or windows(10.0.17763)/amd64"
            ))
        };
        let parts: Vec<&str> = s.trim().split('/').collect();
        if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty()) {
            return Err(bad());
        }
        let (os, os_version) = match parts[0].split_once('(') {
            Some((os, rest)) => {
                let v = rest
                    .strip_suffix(')')
                    .filter(|v| !v.is_empty())
                    .ok_or_else(bad)?;
                (os, Some(v.to_string()))
            }
            None => (parts[0], None),
        };
        if os.is_empty() {
            return Err(bad());
        }
        Ok(PlatformSpec {
            os: os.to_ascii_lowercase(),
            architecture: parts[1].to_ascii_lowercase(),
            variant: parts.get(2).map(|v| v.to_ascii_lowercase()),
            os_version,
            explicit: true,
        })
    }
}

impl fmt::Display for PlatformSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.os)?;
        if let Some(v) = &self.os_version {
            write!(f, "({v})")?;
        }
        write!(f, "/{}", self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// True for the media types of an image configuration (OCI `config.v1`, Docker
/// `container.image.v1`), as opposed to an artifact's config.
pub fn is_image_config(media_type: &str) -> bool {
    media_type == "application/vnd.oci.image.config.v1+json"
        || media_type == "application/vnd.docker.container.image.v1+json"
}

/// The platform an image configuration (`bytes` of its config blob, image spec `config.md`)
/// was built for: `os`, `architecture`, `variant` and `os.version`. `None` when the config is
/// not JSON or names no `os` or no `architecture` (artifacts, empty configs).
pub fn platform_of_config(bytes: &[u8]) -> Option<oci_spec::image::Platform> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let field = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let mut p = serde_json::json!({"os": field("os")?, "architecture": field("architecture")?});
    if let Some(variant) = field("variant") {
        p["variant"] = variant.into();
    }
    if let Some(version) = field("os.version") {
        p["os_version"] = version.into();
    }
    serde_json::from_value(p).ok()
}

/// Formats a descriptor's platform as `os/arch[/variant]`, or `None` without one.
pub fn platform_string(p: &oci_spec::image::Platform) -> String {
    let mut s = format!("{}/{}", p.os(), p.architecture());
    if let Some(v) = p.variant().as_ref().filter(|v| !v.is_empty()) {
        s.push('/');
        s.push_str(v);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_without_variant_prefers_v7_then_v6_then_v5() {
        let spec: PlatformSpec = "linux/arm".parse().unwrap();
        assert!(spec.explicit);
        assert!(!PlatformSpec::host().explicit);
        let rank = |variant: Option<&str>| {
            let mut p = serde_json::json!({"os": "linux", "architecture": "arm"});
            if let Some(v) = variant {
                p["variant"] = v.into();
            }
            spec.rank(&serde_json::from_value(p).unwrap())
        };
        assert!(rank(Some("v7")) < rank(Some("v6")));
        assert!(rank(Some("v6")) < rank(Some("v5")));
        assert!(rank(Some("v5")).is_some() && rank(None).is_some());
        assert_eq!(rank(Some("v8")), None);
    }

    #[test]
    fn windows_os_version_ranks_the_exact_revision_then_the_highest() {
        assert_eq!(
            os_version_rank("10.0.17763.1234", "10.0.17763.1234"),
            Some(0)
        );
        let r = |have| os_version_rank("10.0.17763.1234", have);
        assert!(r("10.0.17763.2000") < r("10.0.17763.1040"));
        assert!(r("10.0.17763.1040") < r("10.0.17763.999"));
        assert!(r("10.0.17763.0") < r("10.0.17763"));
        assert!(r("10.0.17763.1234") < r("10.0.17763.4294967295"));
        assert_eq!(r("10.0.17764.1234"), None);
        assert_eq!(r("10.0"), None);
        assert_eq!(r(""), None);
        // Without a revision: the entries continuing it, the highest revision first.
        let b = |have| os_version_rank("10.0.17763", have);
        assert_eq!(b("10.0.17763"), Some(0));
        assert!(b("10.0.17763.2000") < b("10.0.17763.1040"));
        assert_eq!(b("10.0.177631"), None);
    }

    #[test]
    fn platform_of_image_configs() {
        let p = platform_of_config(
            br#"{"architecture":"arm","os":"linux","variant":"v7","rootfs":{"type":"layers"}}"#,
        )
        .unwrap();
        assert_eq!(platform_string(&p), "linux/arm/v7");
        let p = platform_of_config(
            br#"{"architecture":"amd64","os":"windows","os.version":"10.0.17763.1040"}"#,
        )
        .unwrap();
        assert_eq!(p.os_version().as_deref(), Some("10.0.17763.1040"));
        assert!(
            "windows(10.0.17763)/amd64"
                .parse::<PlatformSpec>()
                .unwrap()
                .rank(&p)
                .is_some()
        );
        assert!(platform_of_config(b"{}").is_none());
        assert!(platform_of_config(br#"{"os":"linux","architecture":""}"#).is_none());
        assert!(platform_of_config(b"not json").is_none());
    }
}
