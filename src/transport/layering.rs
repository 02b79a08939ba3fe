//! The transports' import rule, checked on their sources (docs/DESIGN.md §2): transports know
//! nothing about each other. Only `open.rs` names every transport; the archives share `tar/`
//! and nothing else; `docker.rs` and `oci.rs` use neither; and the layers below (the model,
//! the progress leaf, the registry client) never name `crate::transport`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The modules of `transport/` that are transports (or the one that opens them), including the
/// old names re-exported by `mod.rs` while callers move over.
const TRANSPORTS: &[&str] = &[
    "docker",
    "oci",
    "oci_archive",
    "docker_archive",
    "open",
    "registry",
    "layout",
    "archive",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// `path`'s code without its comment lines (doc links may name anything).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first path segment after each `prefix` in `code`, with `prefix{a, b::c}` groups
/// expanded (`a`, `b`); `*` and `self` are left out.
fn segments_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.trim()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        rest = &rest[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                    _ if depth == 0 => item.push(c),
                    _ => {}
                }
            }
            items.push(item);
            out.extend(items.iter().map(|s| ident(s)));
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|s| !s.is_empty() && s != "self");
    out
}

/// The `transport/` modules that `file` (inside `transport/`) names.
fn transport_modules_named(file: &Path) -> BTreeSet<String> {
    let code = code(file);
    let in_tar = file.parent().is_some_and(|p| p.ends_with("tar"));
    let mut named = segments_after(&code, "crate::transport::");
    named.extend(segments_after(
        &code,
        if in_tar { "super::super::" } else { "super::" },
    ));
    named
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn segments_are_read_from_paths_and_groups() {
    let code = "use super::tar::{A, B};\nuse super::{ImageSource, docker::X, oci};\nuse super::*;";
    let got = segments_after(code, "super::");
    let want: BTreeSet<String> = ["tar", "ImageSource", "docker", "oci"]
        .map(String::from)
        .into();
    assert_eq!(got, want);
    assert_eq!(
        segments_after(
            "use crate::transport::{self, open::open_source};",
            "crate::transport::"
        ),
        BTreeSet::from(["open".to_string()])
    );
}

#[test]
fn transports_know_nothing_about_each_other() {
    let dir = src().join("transport");
    let files = rust_files(&dir);
    assert!(files.len() >= 10, "transport/ sources not found: {files:?}");
    let mut broken = Vec::new();
    for f in &files {
        let name = f
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if name == "mod.rs" || name == "open.rs" || name == "layering.rs" {
            continue;
        }
        let named = transport_modules_named(f);
        let mut forbidden: Vec<&str> = TRANSPORTS.to_vec();
        if name == "docker.rs" || name == "oci.rs" {
            forbidden.push("tar");
        }
        let bad: Vec<&String> = named
            .iter()
            .filter(|m| forbidden.contains(&m.as_str()))
            .collect();
        if !bad.is_empty() {
            broken.push(format!("transport/{name} names {bad:?}"));
        }
    }
    assert!(broken.is_empty(), "sibling imports: {broken:#?}");
}

#[test]
fn lower_layers_never_name_the_transports() {
    let root = src();
    let mut files: Vec<PathBuf> = ["blob.rs", "digest.rs", "reference.rs", "location.rs"]
        .iter()
        .map(|f| root.join(f))
        .collect();
    files.extend(rust_files(&root.join("progress")));
    files.extend(rust_files(&root.join("registry")));
    files.extend(rust_files(&root.join("manifest")));
    let broken: Vec<String> = files
        .iter()
        .filter(|f| code(f).contains("crate::transport"))
        .map(|f| f.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert!(
        broken.is_empty(),
        "upward imports of crate::transport in {broken:?}"
    );
}
