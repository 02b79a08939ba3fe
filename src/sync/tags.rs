//! Which tags of a source repository a mapping mirrors: a list, all, or a filter of regular
//! expressions (include / exclude, each matching the whole tag) and a semver range.

use regex::Regex;
use semver::{Version, VersionReq};

use crate::error::{Error, Result};

/// A tag selection of one mapping.
#[derive(Debug, Clone)]
pub enum TagSelector {
    /// Exactly these tags (no tag listing; a missing tag is an image that fails).
    List(Vec<String>),
    /// Every tag the source lists.
    All,
    /// Listed tags that match: any `include` (all tags when empty), no `exclude`, and the
    /// semver range when given.
    Filter {
        /// Whole-tag regular expressions; a tag must match one (when any are given).
        include: Vec<Regex>,
        /// Whole-tag regular expressions; a tag matching one is left out.
        exclude: Vec<Regex>,
        /// A semver range (`>=1.2, <2`); tags that are not versions are left out.
        semver: Option<VersionReq>,
    },
}

impl PartialEq for TagSelector {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (TagSelector::List(a), TagSelector::List(b)) => a == b,
            (TagSelector::All, TagSelector::All) => true,
            (
                TagSelector::Filter {
                    include: a,
                    exclude: b,
                    semver: c,
                },
                TagSelector::Filter {
                    include: x,
                    exclude: y,
                    semver: z,
                },
            ) => {
                let s = |v: &[Regex]| v.iter().map(|r| r.as_str().to_string()).collect::<Vec<_>>();
                s(a) == s(x) && s(b) == s(y) && c == z
            }
            _ => false,
        }
    }
}

impl TagSelector {
    /// A filter from regular expressions (anchored to the whole tag) and a semver range.
    /// Errors (Usage) on an invalid expression or range.
    pub fn filter(include: &[String], exclude: &[String], semver: Option<&str>) -> Result<Self> {
        let compile = |what: &str, pats: &[String]| -> Result<Vec<Regex>> {
            pats.iter()
                .map(|p| {
                    Regex::new(&format!("^(?:{p})$")).map_err(|e| {
                        Error::usage(format!("invalid {what} regular expression {p:?}: {e}"))
                    })
                })
                .collect()
        };
        let semver = semver
            .map(|s| {
                VersionReq::parse(s)
                    .map_err(|e| Error::usage(format!("invalid semver range {s:?}: {e}")))
            })
            .transpose()?;
        Ok(TagSelector::Filter {
            include: compile("include", include)?,
            exclude: compile("exclude", exclude)?,
            semver,
        })
    }

    /// The selection in the configuration's words, for messages: `all`, the listed tags, or
    /// the filter's parts (`include ['3\.\d+'], exclude ['3\.1\d'], semver '>=7.2, <8'`).
    pub fn describe(&self) -> String {
        let quoted = |v: &[String]| {
            v.iter()
                .map(|t| format!("'{t}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            TagSelector::List(l) => format!("[{}]", quoted(l)),
            TagSelector::All => "all".to_string(),
            TagSelector::Filter {
                include,
                exclude,
                semver,
            } => {
                // The expressions as written: compiled anchored as ^(?:…)$.
                let written = |v: &[Regex]| {
                    v.iter()
                        .map(|r| {
                            let s = r.as_str();
                            s.strip_prefix("^(?:")
                                .and_then(|s| s.strip_suffix(")$"))
                                .unwrap_or(s)
                                .to_string()
                        })
                        .collect::<Vec<_>>()
                };
                let mut parts = Vec::new();
                if !include.is_empty() {
                    parts.push(format!("include [{}]", quoted(&written(include))));
                }
                if !exclude.is_empty() {
                    parts.push(format!("exclude [{}]", quoted(&written(exclude))));
                }
                if let Some(req) = semver {
                    parts.push(format!("semver '{req}'"));
                }
                if parts.is_empty() {
                    "all".to_string()
                } else {
                    parts.join(", ")
                }
            }
        }
    }

    /// Whether this selection needs the source's tag list.
    pub fn needs_listing(&self) -> bool {
        !matches!(self, TagSelector::List(_))
    }

    /// Whether `tag` is selected.
    pub fn matches(&self, tag: &str) -> bool {
        match self {
            TagSelector::List(l) => l.iter().any(|t| t == tag),
            TagSelector::All => true,
            TagSelector::Filter {
                include,
                exclude,
                semver,
            } => {
                (include.is_empty() || include.iter().any(|r| r.is_match(tag)))
                    && !exclude.iter().any(|r| r.is_match(tag))
                    && semver
                        .as_ref()
                        .is_none_or(|req| lenient_version(tag).is_some_and(|v| req.matches(&v)))
            }
        }
    }

    /// The selected tags: the list itself, or the matching tags of `listed`, sorted and
    /// deduplicated so that plans (and shards) are the same on every run.
    pub fn select(&self, listed: Option<&[String]>) -> Vec<String> {
        let mut out: Vec<String> = match (self, listed) {
            (TagSelector::List(l), _) => l.clone(),
            (_, Some(listed)) => listed.iter().filter(|t| self.matches(t)).cloned().collect(),
            (_, None) => Vec::new(),
        };
        out.sort();
        out.dedup();
        out
    }
}

/// Reads a tag as a version the way image tags are written: an optional `v`, and missing minor
/// or patch numbers taken as 0 (`v1.27` → 1.27.0, `3` → 3.0.0; `1.2.3-rc.1` stays a pre-release).
pub fn lenient_version(tag: &str) -> Option<Version> {
    let t = tag.strip_prefix('v').unwrap_or(tag);
    if let Ok(v) = Version::parse(t) {
        return Some(v);
    }
    let (core, rest) = match t.find(['-', '+']) {
        Some(i) => t.split_at(i),
        None => (t, ""),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty()
        || parts.len() > 2
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let padded = match parts.len() {
        1 => format!("{}.0.0{rest}", parts[0]),
        _ => format!("{}.{}.0{rest}", parts[0], parts[1]),
    };
    Version::parse(&padded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn filters_are_whole_tag_and_combine() {
        let listed = tags(&["3.20", "3.19", "3.2", "latest", "3.20-rc1", "edge", "3.20"]);
        let f = TagSelector::filter(&tags(&[r"3\.\d+"]), &tags(&[r"3\.19"]), None).unwrap();
        assert_eq!(f.select(Some(&listed)), tags(&["3.2", "3.20"]));
        let f = TagSelector::filter(&[], &tags(&["edge|latest"]), None).unwrap();
        assert_eq!(
            f.select(Some(&listed)),
            tags(&["3.19", "3.2", "3.20", "3.20-rc1"])
        );
        assert_eq!(TagSelector::All.select(Some(&listed)).len(), 6);
        assert_eq!(
            TagSelector::List(tags(&["b", "a"])).select(None),
            tags(&["a", "b"])
        );
    }

    #[test]
    fn selections_are_described_as_written() {
        let f = TagSelector::filter(&tags(&[r"3\.\d+"]), &tags(&[r"3\.1\d"]), Some(">=9")).unwrap();
        assert_eq!(
            f.describe(),
            r"include ['3\.\d+'], exclude ['3\.1\d'], semver '>=9'"
        );
        assert_eq!(TagSelector::All.describe(), "all");
        assert_eq!(
            TagSelector::filter(&[], &[], None).unwrap().describe(),
            "all"
        );
    }

    #[test]
    fn semver_ranges_read_tags_leniently() {
        let f = TagSelector::filter(&[], &[], Some(">=1.2, <2")).unwrap();
        for (t, want) in [
            ("1.2.0", true),
            ("v1.9.9", true),
            ("1.27", true),
            ("1", false),
            ("2.0.0", false),
            ("1.3.0-rc.1", false),
            ("latest", false),
            ("1.2.3.4", false),
        ] {
            assert_eq!(f.matches(t), want, "{t}");
        }
        assert_eq!(lenient_version("v3").unwrap(), Version::new(3, 0, 0));
        assert_eq!(
            lenient_version("1.2-alpine").unwrap().pre.as_str(),
            "alpine"
        );
    }
}
