//! The layering guard (issue 13): every `crate::…` path in `src/**/*.rs` points down the layers
//! model → registry client → store → transports → engine → operations → CLI.
//!
//! The guard reads the source files (no compilation involved), takes the first segment after
//! `crate::` (or `imgctl::` in the binary) of every path in code, grouped `use crate::{a, b}`
//! included, comments and string literals excluded, and looks the importing and the imported
//! top-level module up in [`LAYERS`]. An import is allowed when the imported module's layer is in
//! the importing layer's `may_use` list, or both are the same layer.
//!
//! Upward imports that today's tree still has are listed in [`KNOWN`] and printed on every run;
//! the test fails on any violation not in that list (a new upward import), on a `KNOWN` entry
//! the tree no longer has (remove it: the ratchet only tightens) and on a top-level module that
//! no layer names (add it to [`LAYERS`] where it belongs).

mod scan;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use scan::{code_only, is_ident, rust_files, tree};

/// One layer: its name, the top-level modules of `src/` in it (today's and the target's names),
/// and the layers its code may import from.
struct Layer {
    name: &'static str,
    modules: &'static [&'static str],
    may_use: &'static [&'static str],
}

/// The layer table, bottom first. `error` is the foundation every layer (but the progress
/// leaf) may use; `testing` holds the engine's in-memory fakes (cfg(test) only).
const LAYERS: &[Layer] = &[
    Layer {
        name: "error",
        modules: &["error"],
        may_use: &[],
    },
    Layer {
        name: "model",
        modules: &[
            "digest",
            "manifest",
            "reference",
            "location",
            "blob",
            "platform",
            "media_type",
            // Layers from files (src/layer): files and bytes only.
            "layer",
        ],
        may_use: &["error"],
    },
    // `imgctl build` (issue 14): the Dockerfile parser, plan and config (pure: text and JSON in
    // and out); the executor is an operation (ops/build.rs).
    Layer {
        name: "build",
        modules: &["build"],
        may_use: &["error", "model"],
    },
    // A leaf: reports bytes and outcomes, imports nothing of the crate.
    Layer {
        name: "progress",
        modules: &["progress"],
        may_use: &[],
    },
    Layer {
        name: "settings",
        modules: &["config", "settings"],
        may_use: &["error", "model"],
    },
    Layer {
        name: "auth",
        modules: &["auth"],
        may_use: &["error", "model", "settings"],
    },
    Layer {
        name: "registry",
        modules: &["registry"],
        may_use: &["error", "model", "settings", "auth"],
    },
    Layer {
        name: "store",
        modules: &["store", "layout"],
        may_use: &["error", "model", "settings"],
    },
    Layer {
        name: "transport",
        modules: &["transport"],
        may_use: &[
            "error", "model", "progress", "settings", "auth", "registry", "store",
        ],
    },
    // The engine knows neither HTTP nor files: only the transport traits.
    Layer {
        name: "engine",
        modules: &["copy"],
        may_use: &["error", "model", "progress", "transport"],
    },
    // Image filesystems: layer tars read through the transport traits (export, files, diff).
    Layer {
        name: "rootfs",
        modules: &["rootfs"],
        may_use: &["error", "model", "transport"],
    },
    Layer {
        name: "ops",
        modules: &["ops", "referrers", "ratelimit"],
        may_use: &[
            "error",
            "model",
            "progress",
            "settings",
            "auth",
            "registry",
            "store",
            "transport",
            "engine",
            "rootfs",
            "build",
        ],
    },
    Layer {
        name: "sync",
        modules: &["sync"],
        may_use: &[
            "error",
            "model",
            "progress",
            "settings",
            "auth",
            "registry",
            "store",
            "transport",
            "engine",
            "rootfs",
            "ops",
        ],
    },
    Layer {
        name: "testing",
        modules: &["testing"],
        may_use: &[
            "error",
            "model",
            "progress",
            "settings",
            "auth",
            "registry",
            "store",
            "transport",
            "engine",
            "rootfs",
            "ops",
            "sync",
        ],
    },
    // The binary: `main.rs` and `cli/`; the only layer that may import `cli`.
    Layer {
        name: "cli",
        modules: &["main", "cli"],
        may_use: &[
            "error",
            "model",
            "progress",
            "settings",
            "auth",
            "registry",
            "store",
            "transport",
            "engine",
            "rootfs",
            "ops",
            "sync",
            "build",
        ],
    },
];

/// Upward imports today's tree still has, as (importing module, imported module). Each entry is
/// removed by the change that ends it; the test fails while a fixed entry is still listed.
const KNOWN: &[(&str, &str)] = &[];

/// A path in code that crosses from one top-level module to another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Import {
    /// The importing file, relative to the scanned root (`/`-separated).
    file: String,
    /// 1-based line of the path.
    line: usize,
    /// Top-level module of the importing file (`main` for src/main.rs).
    from: String,
    /// Top-level module the path names.
    to: String,
}

/// What the scan of one tree found.
#[derive(Debug, Default)]
struct Scan {
    /// Imports whose target layer the source layer may not use.
    violations: Vec<Import>,
    /// Top-level modules that no layer names.
    unplaced: BTreeSet<String>,
}

fn layer_of(module: &str) -> Option<&'static Layer> {
    LAYERS.iter().find(|l| l.modules.contains(&module))
}

/// The top-level module of `rel` (a path under `src/`): `a.rs` and `a/…` → `a`; `lib.rs` has
/// none (the crate root only declares modules).
fn top_module(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    if rel.components().count() == 1 {
        let stem = first.strip_suffix(".rs")?;
        if stem == "lib" {
            return None;
        }
        Some(stem.to_string())
    } else {
        Some(first)
    }
}

/// The top-level modules named by the `crate::…` and `imgctl::…` paths of `code` (already
/// through [`code_only`]), with their 1-based line numbers.
fn paths_in(code: &str) -> Vec<(usize, String)> {
    let c: Vec<char> = code.chars().collect();
    let skip_ws = |mut k: usize| {
        while k < c.len() && c[k].is_whitespace() {
            k += 1;
        }
        k
    };
    let ident_at = |k: usize| {
        let mut e = k;
        while e < c.len() && is_ident(c[e]) {
            e += 1;
        }
        (c[k..e].iter().collect::<String>(), e)
    };
    let line_of = |k: usize| c[..k].iter().filter(|&&ch| ch == '\n').count() + 1;
    let mut found = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if !is_ident(c[i]) || (i > 0 && is_ident(c[i - 1])) {
            i += 1;
            continue;
        }
        let (word, end) = ident_at(i);
        if word != "crate" && word != "imgctl" {
            i = end;
            continue;
        }
        let k = skip_ws(end);
        if !(c.get(k) == Some(&':') && c.get(k + 1) == Some(&':')) {
            i = end;
            continue;
        }
        let k = skip_ws(k + 2);
        if c.get(k) == Some(&'{') {
            // `crate::{a::X, b}`: the first segment of each top-level item.
            let mut depth = 0;
            let mut item_start = true;
            let mut j = k;
            while j < c.len() {
                match c[j] {
                    '{' => {
                        depth += 1;
                        item_start = depth == 1;
                    }
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => item_start = true,
                    ch if depth == 1 && item_start && is_ident(ch) => {
                        let (seg, e) = ident_at(j);
                        found.push((line_of(j), seg));
                        item_start = false;
                        j = e;
                        continue;
                    }
                    _ => {}
                }
                j += 1;
            }
            i = j;
        } else if c.get(k).copied().is_some_and(is_ident) {
            let (seg, e) = ident_at(k);
            found.push((line_of(k), seg));
            i = e;
        } else {
            i = k;
        }
    }
    found
}

/// Scans `src` (a crate's source folder): every cross-module path whose direction the layer
/// table forbids, and every top-level module no layer names. Paths naming something that is
/// not a top-level module of the tree (a root item such as `crate::fixture`) are ignored.
fn scan(src: &Path) -> Scan {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let rel_of = |p: &Path| p.strip_prefix(src).unwrap().to_path_buf();
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|p| top_module(&rel_of(p)))
        .collect();
    let mut scan = Scan::default();
    for m in &modules {
        if layer_of(m).is_none() {
            scan.unplaced.insert(m.clone());
        }
    }
    for path in &files {
        let rel = rel_of(path);
        let Some(from) = top_module(&rel) else {
            continue;
        };
        let Some(from_layer) = layer_of(&from) else {
            continue;
        };
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        for (line, to) in paths_in(&code_only(&text)) {
            if to == from || !modules.contains(&to) {
                continue;
            }
            let Some(to_layer) = layer_of(&to) else {
                continue;
            };
            if to_layer.name == from_layer.name || from_layer.may_use.contains(&to_layer.name) {
                continue;
            }
            scan.violations.push(Import {
                file: rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
                line,
                from: from.clone(),
                to,
            });
        }
    }
    scan
}

/// Judges a scan against the `known` list: `Err` with every reason to fail (new upward
/// imports with file:line, known entries the tree no longer has, modules in no layer).
fn judge(scan: &Scan, known: &[(&str, &str)]) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut by_edge: BTreeMap<(String, String), Vec<&Import>> = BTreeMap::new();
    for v in &scan.violations {
        by_edge
            .entry((v.from.clone(), v.to.clone()))
            .or_default()
            .push(v);
    }
    for ((from, to), sites) in &by_edge {
        if known.contains(&(from.as_str(), to.as_str())) {
            continue;
        }
        let (fl, tl) = (layer_of(from).unwrap().name, layer_of(to).unwrap().name);
        let at: Vec<String> = sites
            .iter()
            .map(|s| format!("{}:{}", s.file, s.line))
            .collect();
        problems.push(format!(
            "new upward import {from} ({fl} layer) → {to} ({tl} layer) at {}",
            at.join(", ")
        ));
    }
    for (from, to) in known {
        if !by_edge.contains_key(&(from.to_string(), to.to_string())) {
            problems.push(format!(
                "known entry ({from:?}, {to:?}) no longer occurs: remove it from KNOWN"
            ));
        }
    }
    for m in &scan.unplaced {
        problems.push(format!(
            "module {m} is in no layer: add it to LAYERS where it belongs"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn every_import_of_src_points_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let scan = scan(&src);
    eprintln!("known upward imports still to remove ({}):", KNOWN.len());
    for (from, to) in KNOWN {
        let sites: Vec<String> = scan
            .violations
            .iter()
            .filter(|v| v.from == *from && v.to == *to)
            .map(|v| format!("{}:{}", v.file, v.line))
            .collect();
        eprintln!("  known: {from} → {to} ({})", sites.join(", "));
    }
    if let Err(problems) = judge(&scan, KNOWN) {
        panic!("layering guard:\n{problems}");
    }
}

#[test]
fn checker_accepts_downward_imports_and_ignores_comments_strings_and_root_items() {
    let (_d, src) = tree(&[
        (
            "lib.rs",
            "pub mod digest; pub mod copy;\npub fn fixture() {}\n",
        ),
        ("error.rs", "pub struct Error;\n"),
        ("digest.rs", "use crate::error::Error;\n"),
        (
            "manifest.rs",
            "use crate::{digest::Digest, error};\n\
             //! see [`crate::registry::Client`]\n\
             // use crate::transport::BlobStream;\n\
             /* crate::store::Layout /* nested */ crate::progress */\n\
             const S: &str = \"crate::registry::x\";\n\
             const R: &str = r#\"crate::transport\"#;\n\
             const Q: char = '\"'; fn f<'a>(x: &'a str) { crate::fixture(); }\n",
        ),
        ("registry/mod.rs", "use crate::manifest::Manifest;\n"),
        (
            "registry/blobs.rs",
            "use super::Client; use crate::digest;\n",
        ),
        ("transport/mod.rs", "use crate::registry::Client;\n"),
        ("copy.rs", "use crate::transport::ImageSource;\n"),
        ("cli/mod.rs", "use imgctl::copy; use crate::cli::x;\n"),
        ("main.rs", "mod cli; use imgctl::registry;\n"),
    ]);
    let scan = scan(&src);
    assert_eq!(scan.violations, Vec::new());
    assert!(scan.unplaced.is_empty(), "{:?}", scan.unplaced);
    assert_eq!(judge(&scan, &[]), Ok(()));
}

#[test]
fn checker_fails_on_a_new_upward_import_and_names_its_place() {
    let (_d, src) = tree(&[
        ("error.rs", ""),
        ("manifest.rs", "use crate::error::Error;\n"),
        ("progress.rs", "\n\nuse crate::{\n    error::Error,\n};\n"),
        ("registry/mod.rs", "pub mod blobs;\n"),
        (
            "registry/blobs.rs",
            "fn f() {\n    let s: crate::transport::BlobStream = todo!();\n}\n",
        ),
        (
            "transport/mod.rs",
            "use crate::{registry::Client, cli::Args};\n",
        ),
        ("cli/mod.rs", ""),
        ("copy.rs", "use crate :: store ::Layout;\n"),
        ("store/mod.rs", ""),
    ]);
    let scan = scan(&src);
    let edges: Vec<(String, usize, String)> = scan
        .violations
        .iter()
        .map(|v| (v.file.clone(), v.line, v.to.clone()))
        .collect();
    assert_eq!(
        edges,
        vec![
            ("copy.rs".to_string(), 1, "store".to_string()),
            ("progress.rs".to_string(), 4, "error".to_string()),
            ("registry/blobs.rs".to_string(), 2, "transport".to_string()),
            ("transport/mod.rs".to_string(), 1, "cli".to_string()),
        ]
    );
    let err = judge(&scan, &[]).unwrap_err();
    assert!(
        err.contains("new upward import registry (registry layer) → transport (transport layer) at registry/blobs.rs:2"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 4, "{err}");
    // Listing three as known leaves exactly the fourth, new one.
    let known = [
        ("copy", "store"),
        ("progress", "error"),
        ("transport", "cli"),
    ];
    let err = judge(&scan, &known).unwrap_err();
    assert_eq!(
        err,
        "new upward import registry (registry layer) → transport (transport layer) at registry/blobs.rs:2"
    );
    let known = [
        ("copy", "store"),
        ("progress", "error"),
        ("transport", "cli"),
        ("registry", "transport"),
    ];
    assert_eq!(judge(&scan, &known), Ok(()));
}

#[test]
fn checker_fails_on_a_stale_known_entry_and_on_a_module_in_no_layer() {
    let (_d, src) = tree(&[
        ("error.rs", ""),
        ("registry/mod.rs", "use crate::error::Error;\n"),
        ("gadget.rs", "use crate::registry::Client;\n"),
    ]);
    let scan = scan(&src);
    assert!(scan.violations.is_empty(), "{:?}", scan.violations);
    assert_eq!(scan.unplaced, BTreeSet::from(["gadget".to_string()]));
    let err = judge(&scan, &[("registry", "transport")]).unwrap_err();
    assert_eq!(
        err,
        "known entry (\"registry\", \"transport\") no longer occurs: remove it from KNOWN\n\
         module gadget is in no layer: add it to LAYERS where it belongs"
    );
}

/// The files of `src/registry/`, bottom first: a file may `use super::x` only for an `x` listed
/// before it (the leaves, then the client, then the send, then the endpoints), so that the
/// imports inside the client run one way and form no circle. `mod.rs` only declares and
/// re-exports.
const REGISTRY_ORDER: &[&str] = &[
    "challenge",
    "bearer",
    "tls",
    "errors",
    "exchange",
    "retry",
    "hosts",
    "limiter",
    "client",
    "whole",
    "token",
    "login",
    "repository",
    "http",
    "manifests",
    "blobs",
    "downloads",
    "uploads",
    "listing",
    "referrers",
];

/// The sibling modules named by the top-level `use super::…` lines of `code` (test modules,
/// which are indented, excluded), with their 1-based line numbers.
fn super_imports(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (i, line) in code.lines().enumerate() {
        let Some(rest) = line
            .strip_prefix("use super::")
            .or_else(|| line.strip_prefix("pub use super::"))
        else {
            continue;
        };
        let ident = |t: &str| -> String { t.trim().chars().take_while(|&c| is_ident(c)).collect() };
        let Some(group) = rest.strip_prefix('{') else {
            // `use super::a::{x, y}`: the first segment names the sibling.
            found.push((i + 1, ident(rest)));
            continue;
        };
        // `use super::{a, b::X}`: the first segment of each top-level item.
        let mut depth = 0;
        let mut start = true;
        for (k, ch) in group.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => start = true,
                c if start && is_ident(c) => {
                    found.push((i + 1, ident(&group[k..])));
                    start = false;
                }
                _ => {}
            }
        }
    }
    found.retain(|(_, m)| !m.is_empty() && m != "self");
    found
}

#[test]
fn imports_inside_the_registry_client_run_one_way() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/registry");
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(stem) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|_| path.extension().is_some_and(|x| x == "rs"))
        else {
            continue;
        };
        if stem == "mod" {
            continue;
        }
        let Some(me) = REGISTRY_ORDER.iter().position(|m| *m == stem) else {
            problems.push(format!(
                "registry/{stem}.rs is not in REGISTRY_ORDER: add it where it belongs"
            ));
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        for (line, to) in super_imports(&code_only(&text)) {
            match REGISTRY_ORDER.iter().position(|m| *m == to) {
                Some(them) if them < me => {}
                _ => problems.push(format!(
                    "registry/{stem}.rs:{line} imports super::{to}, which is not below it"
                )),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn super_imports_name_the_sibling_modules() {
    let code =
        "use super::a::{x, y};\npub use super::b;\nuse super::{c, d::Z};\n    use super::*;\n";
    assert_eq!(
        super_imports(code),
        vec![
            (1, "a".to_string()),
            (2, "b".to_string()),
            (3, "c".to_string()),
            (3, "d".to_string())
        ]
    );
}
