//! The sync file's shape as serde reads it, and YAML errors in imgctl's words: the path of
//! the bad field from `serde_path_to_error` (`mapping 2: tags`, `registry HOST: credentials`,
//! `defaults.platforms`), serde_yaml's message and its line and column.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_path_to_error::Segment;

use crate::error::{Error, Result};
use crate::reference::normalise_registry;

/// The whole file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    #[serde(default)]
    pub(super) registries: BTreeMap<String, FileRegistry>,
    #[serde(default)]
    pub(super) defaults: FileDefaults,
    #[serde(default)]
    pub(super) mappings: Vec<FileMapping>,
}

/// One entry of `registries:`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRegistry {
    #[serde(default)]
    pub(super) insecure: bool,
    #[serde(default)]
    pub(super) ca_file: Option<OneOrMany>,
    #[serde(default)]
    pub(super) credentials: Option<FileCredentials>,
}

/// A registry's `credentials:`: names of environment variables (and a literal username).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileCredentials {
    #[serde(default)]
    pub(super) env: Option<String>,
    #[serde(default)]
    pub(super) username: Option<String>,
    #[serde(default)]
    pub(super) username_env: Option<String>,
    #[serde(default)]
    pub(super) password_env: Option<String>,
}

/// `defaults:`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDefaults {
    #[serde(default)]
    pub(super) platforms: Option<OneOrMany>,
    #[serde(default)]
    pub(super) referrers: Option<bool>,
}

/// One entry of `mappings:`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileMapping {
    pub(super) source: String,
    pub(super) destination: String,
    #[serde(default)]
    pub(super) tags: Option<FileTags>,
    #[serde(default)]
    pub(super) platforms: Option<OneOrMany>,
    #[serde(default)]
    pub(super) referrers: Option<bool>,
}

/// A string or a list of strings.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(super) fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// A mapping's `tags:` as written.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum FileTags {
    Word(String),
    List(Vec<String>),
    Filter(FileTagFilter),
    /// Anything else: explained by [`super::validate`] (an untagged enum's own error only says
    /// that no variant matched).
    Other(serde_yaml_ng::Value),
}

/// `tags: {include, exclude, semver}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileTagFilter {
    #[serde(default)]
    pub(super) include: Option<OneOrMany>,
    #[serde(default)]
    pub(super) exclude: Option<OneOrMany>,
    #[serde(default)]
    pub(super) semver: Option<String>,
}

/// Deserializes YAML `text` as the file's shape. Errors (Usage): not YAML, or a field of the
/// wrong shape, named by [`describe`].
pub(super) fn read(text: &str) -> Result<FileConfig> {
    serde_path_to_error::deserialize(serde_yaml_ng::Deserializer::from_str(text))
        .map_err(|e| Error::usage(describe(&e)))
}

/// A YAML error in the words of imgctl's own errors: the path where it happened, with
/// `mappings[1]` as `mapping 2` and `registries.HOST` as `registry HOST` (normalised; a host
/// holds dots and a port itself, so the path's segments are used, never its text), then
/// serde_yaml's message and `at line L column C` when it knows them.
/// `mappings[1].source: invalid type: …` → `mapping 2: source: invalid type: … at line 3 column 13`.
pub(super) fn describe(e: &serde_path_to_error::Error<serde_yaml_ng::Error>) -> String {
    let inner = e.inner();
    let mut msg = inner.to_string();
    // serde_yaml's own text is `[PATH: ]MESSAGE[ at line L column C]`; keep MESSAGE, which
    // may hold `: ` itself, so the path is taken off only as serde_yaml writes it.
    let location = inner
        .location()
        .map(|l| format!("line {} column {}", l.line(), l.column()));
    // (A syntax error from libyaml writes its place its own way: then the text stays whole.)
    let location = location.filter(|loc| match msg.strip_suffix(&format!(" at {loc}")) {
        Some(m) => {
            msg = m.to_string();
            true
        }
        None => false,
    });
    // serde_yaml's path is this path or a shorter one (an unknown field is the map's).
    let segments: Vec<&Segment> = e.path().iter().collect();
    for n in (1..=segments.len()).rev() {
        if let Some(m) = msg.strip_prefix(&format!("{}: ", path_text(&segments[..n]))) {
            msg = m.to_string();
            break;
        }
    }
    // `unknown field `x`` names the field itself: the path is the map it is in.
    let mut segments = segments.as_slice();
    if let [init @ .., Segment::Map { key }] = segments
        && msg.starts_with(&format!("unknown field `{key}`"))
    {
        segments = init;
    }
    let mut out = path_words(segments);
    if !out.is_empty() {
        out.push_str(": ");
    }
    out.push_str(&msg);
    if let Some(loc) = location {
        out.push_str(" at ");
        out.push_str(&loc);
    }
    out
}

/// `segments` as serde writes a path: `mappings[1].tags`, `registries.reg.io:5000.insecure`.
fn path_text(segments: &[&Segment]) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('?');
            }
        }
    }
    out
}

/// A path in imgctl's words (see [`describe`]); empty for the document itself.
fn path_words(segments: &[&Segment]) -> String {
    let (head, rest) = match segments {
        [Segment::Map { key }, Segment::Seq { index }, rest @ ..] if key == "mappings" => {
            (format!("mapping {}", index + 1), rest)
        }
        [Segment::Map { key }, Segment::Map { key: host }, rest @ ..] if key == "registries" => {
            (format!("registry {}", normalise_registry(host)), rest)
        }
        all => (String::new(), all),
    };
    let field = path_text(rest);
    match (head.is_empty(), field.is_empty()) {
        (_, true) => head,
        (true, false) => field,
        (false, false) => format!("{head}: {field}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error `read` gives for `text`.
    fn err(text: &str) -> String {
        match read(text) {
            Ok(_) => panic!("accepted: {text}"),
            Err(e) => {
                assert_eq!(e.kind(), crate::error::ErrorKind::Usage, "{e}");
                e.to_string()
            }
        }
    }

    #[test]
    fn errors_name_the_path_of_the_bad_field_with_line_and_column() {
        let ok = "{source: a, destination: b, tags: all}";
        for (text, want) in [
            // a list index, 1-based as a mapping number, then the field
            (
                format!(
                    "mappings:\n  - {ok}\n  - {ok}\n  - source: a\n    destination: b\n    referrers: 3\n"
                ),
                "mapping 3: referrers: invalid type: integer `3`, expected a boolean at line 6 column 16",
            ),
            // a registry name holds dots and a port: segments, not text
            (
                format!(
                    "registries:\n  Reg.Example.com:5000:\n    insecure: maybe\nmappings: [{ok}]\n"
                ),
                "registry reg.example.com:5000: insecure: invalid type: string \"maybe\", expected a boolean at line 3 column 15",
            ),
            (
                format!(
                    "registries:\n  index.docker.io:\n    credentials:\n      username: [a]\nmappings: [{ok}]\n"
                ),
                "registry docker.io: credentials.username: invalid type: sequence, expected a string at line 4 column 17",
            ),
            // elsewhere serde's own path
            (
                format!("defaults:\n  referrers: sometimes\nmappings: [{ok}]\n"),
                "defaults.referrers: invalid type: string \"sometimes\", expected a boolean at line 2 column 14",
            ),
            (
                "mappings: 5\n".to_string(),
                "mappings: invalid type: integer `5`, expected a sequence at line 1 column 11",
            ),
            // an unknown field is named once, at the map that holds it
            (
                format!(
                    "mappings:\n  - {ok}\n  - source: a\n    destination: c\n    platfroms: all\n"
                ),
                "mapping 2: unknown field `platfroms`, expected one of `source`, `destination`, `tags`, `platforms`, `referrers` at line 5 column 5",
            ),
            (
                "colour: red\n".to_string(),
                "unknown field `colour`, expected one of",
            ),
        ] {
            let got = err(&text);
            assert!(got.starts_with(want), "{text}\n got: {got}\nwant: {want}");
            assert!(!got.contains("mappings["), "{got}");
            assert!(got.matches(" at line ").count() <= 1, "{got}");
        }
        // a syntax error keeps libyaml's own words and place
        let got = err("mappings: []\n@x: 1\n");
        assert!(got.contains("line 2 column 1"), "{got}");
        assert!(got.matches("line 2").count() == 1, "{got}");
    }
}
