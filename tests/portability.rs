//! The portability guard (issue 13): imgctl builds on Linux, macOS and Windows, and CI builds
//! it on each, but this machine compiles for Linux only. So every platform-specific path in
//! `src/**/*.rs` (`std::os::unix`, `std::os::fd`, `libc::`, `rustix::`, a keychain store crate,
//! …) must sit under `cfg` gates that make it compile where it is used: a `#[cfg(…)]` on the
//! item, statement, match arm or `mod` declaration around it, or a `#![cfg(…)]` of its module.
//!
//! The rule is textual and strict: the predicates of the gates around a use, read as a
//! conjunction, must assert every atom of one of the use's alternatives in [`RULES`] (for
//! `std::os::unix`: `unix`, or a Unix `target_os`). `any(…)` and `not(…)` assert nothing, and
//! `cfg!(…)` in an expression is not a gate (both branches are compiled). Comments and string
//! literals are ignored.
//!
//! It also keeps the integration suites honest: those that need Linux packages (a registry,
//! skopeo, umoci, openssl, …) carry `#![cfg(target_os = "linux")]`, and on other systems this
//! binary says which were compiled out and why.

mod scan;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use scan::{code_only, is_ident, rust_files, tree};

/// One kind of platform-specific path: the gates that make it compile, as alternatives, each
/// a set of cfg atoms (`unix`, `target_os="linux"`: no spaces) that must all be asserted.
struct Rule {
    /// What the use is called in messages (`std::os::unix`, `libc::`).
    name: &'static str,
    /// The alternatives.
    needs: &'static [&'static [&'static str]],
}

const UNIX: &[&[&str]] = &[
    &["unix"],
    &["target_family=\"unix\""],
    &["target_os=\"linux\""],
    &["target_os=\"macos\""],
    &["target_os=\"android\""],
    &["target_os=\"ios\""],
    &["target_os=\"freebsd\""],
];
const LINUX: &[&[&str]] = &[&["target_os=\"linux\""], &["target_os=\"android\""]];
const MACOS: &[&[&str]] = &[&["target_os=\"macos\""]];
const WINDOWS: &[&[&str]] = &[
    &["windows"],
    &["target_os=\"windows\""],
    &["target_family=\"windows\""],
];

/// The platform-specific modules of `std::os` (a path segment after `os::`, also inside a
/// `std::os::{…}` group) and crates (a path's first segment), with what each needs.
const STD_OS: &[(&str, Rule)] = &[
    (
        "unix",
        Rule {
            name: "std::os::unix",
            needs: UNIX,
        },
    ),
    // std::os::fd exists on Unix and WASI only.
    (
        "fd",
        Rule {
            name: "std::os::fd",
            needs: UNIX,
        },
    ),
    (
        "linux",
        Rule {
            name: "std::os::linux",
            needs: LINUX,
        },
    ),
    (
        "macos",
        Rule {
            name: "std::os::macos",
            needs: MACOS,
        },
    ),
    (
        "windows",
        Rule {
            name: "std::os::windows",
            needs: WINDOWS,
        },
    ),
];
const CRATES: &[(&str, Rule)] = &[
    // Cargo.toml declares libc for Linux only (src/main.rs tunes glibc's malloc, the store
    // starts blob writeback early with sync_file_range).
    (
        "libc",
        Rule {
            name: "libc::",
            needs: &[&["target_os=\"linux\""]],
        },
    ),
    (
        "rustix",
        Rule {
            name: "rustix::",
            needs: UNIX,
        },
    ),
    (
        "nix",
        Rule {
            name: "nix::",
            needs: UNIX,
        },
    ),
    // The keychain stores, one per OS (Cargo.toml's target sections).
    (
        "linux_keyutils_keyring_store",
        Rule {
            name: "linux_keyutils_keyring_store::",
            needs: LINUX,
        },
    ),
    (
        "dbus_secret_service_keyring_store",
        Rule {
            name: "dbus_secret_service_keyring_store::",
            needs: LINUX,
        },
    ),
    (
        "apple_native_keyring_store",
        Rule {
            name: "apple_native_keyring_store::",
            needs: MACOS,
        },
    ),
    (
        "windows_native_keyring_store",
        Rule {
            name: "windows_native_keyring_store::",
            needs: WINDOWS,
        },
    ),
];

/// A platform-specific use found in a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Use {
    /// The file, relative to the scanned root (`/`-separated).
    file: String,
    /// 1-based line.
    line: usize,
    /// The rule's name (`std::os::unix`).
    what: &'static str,
    /// Whether the gates around it satisfy the rule.
    gated: bool,
}

/// The atoms a cfg predicate asserts when it holds: an atom asserts itself, `all(…)` what
/// each part asserts; `any(…)` (of more than one) and `not(…)` assert nothing.
fn asserted(pred: &str) -> BTreeSet<String> {
    let p: String = pred.chars().filter(|c| !c.is_whitespace()).collect();
    let p = p.trim_end_matches(',');
    let mut out = BTreeSet::new();
    let group = |name: &str| {
        p.strip_prefix(name)
            .and_then(|r| r.strip_prefix('('))
            .and_then(|r| r.strip_suffix(')'))
            .map(split_top)
    };
    if let Some(parts) = group("all") {
        for part in parts {
            out.extend(asserted(&part));
        }
    } else if let Some(parts) = group("any") {
        if parts.len() == 1 {
            out.extend(asserted(&parts[0]));
        }
    } else if !p.starts_with("not(") && !p.is_empty() {
        out.insert(p.to_string());
    }
    out
}

/// `a,all(b,c),d` → `a`, `all(b,c)`, `d`.
fn split_top(s: &str) -> Vec<String> {
    let (mut parts, mut cur, mut depth) = (Vec::new(), String::new(), 0);
    for ch in s.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    parts
}

/// What one file says: the char ranges each `cfg` gate covers, its `mod NAME;` declarations
/// and its platform-specific uses (char offset, rule).
struct FileScan {
    /// (start, end, atoms, inner): an outer attribute covers its item up to the `;` or `,`
    /// that ends it or the `}` of its block; an inner one (`#![cfg]`) the rest of its block or
    /// file.
    gates: Vec<(usize, usize, BTreeSet<String>, bool)>,
    /// The file's length in chars.
    len: usize,
    /// (name, offset) of each `mod NAME;`.
    mods: Vec<(String, usize)>,
    /// (offset, line, rule) of each platform-specific path.
    uses: Vec<(usize, usize, &'static Rule)>,
}

impl FileScan {
    /// The atoms every gate around char `at` asserts, together.
    fn atoms_at(&self, at: usize) -> BTreeSet<String> {
        self.gates
            .iter()
            .filter(|(s, e, _, _)| *s <= at && at < *e)
            .flat_map(|(_, _, a, _)| a.iter().cloned())
            .collect()
    }
}

fn scan_file(text: &str) -> FileScan {
    let orig: Vec<char> = text.chars().collect();
    let code: Vec<char> = code_only(text).chars().collect();
    assert_eq!(orig.len(), code.len(), "code_only keeps char offsets");
    let n = code.len();
    let at = |k: usize| code.get(k).copied().unwrap_or('\0');
    let skip_ws = |mut k: usize| {
        while k < n && code[k].is_whitespace() {
            k += 1;
        }
        k
    };
    let word_at = |k: usize| {
        let mut e = k;
        while e < n && is_ident(code[e]) {
            e += 1;
        }
        (code[k..e].iter().collect::<String>(), e)
    };
    // The matching close of the bracket at `open`, or `n`.
    let close_of = |open: usize| {
        let mut depth = 0i32;
        for (k, &ch) in code.iter().enumerate().skip(open) {
            match ch {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return k;
                    }
                }
                _ => {}
            }
        }
        n
    };
    let line_of = |k: usize| code[..k].iter().filter(|&&c| c == '\n').count() + 1;
    let mut fs = FileScan {
        gates: Vec::new(),
        len: n,
        mods: Vec::new(),
        uses: Vec::new(),
    };
    // Enclosing bracket openings, to find where an item or a block ends.
    let mut stack: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < n {
        let ch = code[i];
        if ch == '#' {
            let mut k = skip_ws(i + 1);
            let inner = at(k) == '!';
            if inner {
                k = skip_ws(k + 1);
            }
            if at(k) == '[' {
                let attr_end = close_of(k);
                let (word, e) = word_at(skip_ws(k + 1));
                let open = skip_ws(e);
                if word == "cfg" && at(open) == '(' {
                    let close = close_of(open);
                    let pred: String = orig[open + 1..close.min(n)].iter().collect();
                    let atoms = asserted(&pred);
                    let end = if inner {
                        stack.last().map_or(n, |&o| close_of(o))
                    } else {
                        item_end(&code, attr_end + 1)
                    };
                    fs.gates.push((i, end, atoms, inner));
                }
                i = attr_end + 1;
                continue;
            }
        }
        match ch {
            '(' | '[' | '{' => stack.push(i),
            ')' | ']' | '}' => {
                stack.pop();
            }
            _ => {}
        }
        if !is_ident(ch) || (i > 0 && is_ident(code[i - 1])) {
            i += 1;
            continue;
        }
        let (word, e) = word_at(i);
        let after = skip_ws(e);
        let path_sep = at(after) == ':' && at(after + 1) == ':';
        // A path's first segment: not preceded by `::` (`foo::libc::x` is not the crate).
        let mut b = i;
        while b > 0 && code[b - 1].is_whitespace() {
            b -= 1;
        }
        let qualified = b >= 2 && code[b - 1] == ':' && code[b - 2] == ':';
        if word == "mod" {
            let (name, e2) = word_at(skip_ws(e));
            if !name.is_empty() && at(skip_ws(e2)) == ';' {
                fs.mods.push((name, i));
            }
        } else if word == "os" && path_sep {
            let k = skip_ws(after + 2);
            let names: Vec<(String, usize)> = if at(k) == '{' {
                let close = close_of(k);
                let group: String = code[k + 1..close.min(n)].iter().collect();
                let mut found = Vec::new();
                let mut off = k + 1;
                for item in split_top_braces(&group) {
                    let lead = item.len() - item.trim_start().len();
                    let (w, _) = word_at(off + lead);
                    found.push((w, off + lead));
                    off += item.chars().count() + 1;
                }
                found
            } else {
                vec![(word_at(k).0, k)]
            };
            for (name, pos) in names {
                if let Some((_, rule)) = STD_OS.iter().find(|(m, _)| *m == name) {
                    fs.uses.push((pos, line_of(pos), rule));
                }
            }
        } else if path_sep
            && !qualified
            && let Some((_, rule)) = CRATES.iter().find(|(c, _)| *c == word)
        {
            fs.uses.push((i, line_of(i), rule));
        }
        i = e;
    }
    fs
}

/// `a::x, b::{c, d}, e` → `a::x`, ` b::{c, d}`, ` e` (split at top-level commas, braces kept).
fn split_top_braces(s: &str) -> Vec<String> {
    let (mut parts, mut cur, mut depth) = (Vec::new(), String::new(), 0);
    for ch in s.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    parts.push(cur);
    parts
}

/// Where the item starting at `from` (after an outer attribute) ends: after the `;` or `,` at
/// its own depth, after the `}` of the first block opened at its depth, or at the `}` or `)`
/// that closes the block it is in (a last match arm).
fn item_end(code: &[char], from: usize) -> usize {
    let mut depth = 0i32;
    for (k, &ch) in code.iter().enumerate().skip(from) {
        match ch {
            '{' if depth == 0 => {
                let mut d = 0i32;
                for (j, &c) in code.iter().enumerate().skip(k) {
                    match c {
                        '(' | '[' | '{' => d += 1,
                        ')' | ']' | '}' => {
                            d -= 1;
                            if d == 0 {
                                return j + 1;
                            }
                        }
                        _ => {}
                    }
                }
                return code.len();
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return k,
            ')' | ']' | '}' => depth -= 1,
            ';' | ',' if depth == 0 => return k + 1,
            _ => {}
        }
    }
    code.len()
}

/// Every platform-specific use under `src` (a crate's source folder), each judged against
/// the gates around it: those of its own file and those of the `mod` declarations that lead
/// to its file from `lib.rs` or `main.rs`.
fn scan_tree(src: &Path) -> Vec<Use> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let scans: BTreeMap<PathBuf, FileScan> = files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
            (p.clone(), scan_file(&text))
        })
        .collect();
    let mut memo = BTreeMap::new();
    let mut uses = Vec::new();
    for (path, fs) in &scans {
        let inherited = file_atoms(src, path, &scans, &mut memo);
        let rel = path
            .strip_prefix(src)
            .unwrap()
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        for (off, line, rule) in &fs.uses {
            let mut atoms = fs.atoms_at(*off);
            atoms.extend(inherited.iter().cloned());
            let gated = rule
                .needs
                .iter()
                .any(|alt| alt.iter().all(|a| atoms.contains(*a)));
            uses.push(Use {
                file: rel.clone(),
                line: *line,
                what: rule.name,
                gated,
            });
        }
    }
    uses.sort();
    uses
}

/// The atoms the `mod` declaration of `path`'s module asserts, with its parents' (none for
/// the crate roots and for a file no module declares). Declared in several places (lib.rs and
/// main.rs): what all of them assert.
fn file_atoms(
    src: &Path,
    path: &Path,
    scans: &BTreeMap<PathBuf, FileScan>,
    memo: &mut BTreeMap<PathBuf, BTreeSet<String>>,
) -> BTreeSet<String> {
    if let Some(a) = memo.get(path) {
        return a.clone();
    }
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    let dir = path.parent().unwrap();
    let (name, parent_dir) = if stem == "mod" {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        (name, dir.parent().unwrap())
    } else {
        (stem.clone(), dir)
    };
    let parents: Vec<PathBuf> = if dir == src && (stem == "lib" || stem == "main") {
        Vec::new()
    } else if parent_dir == src {
        vec![src.join("lib.rs"), src.join("main.rs")]
    } else {
        vec![parent_dir.with_extension("rs"), parent_dir.join("mod.rs")]
    };
    let mut result: Option<BTreeSet<String>> = None;
    for parent in parents {
        let Some(ps) = scans.get(&parent) else {
            continue;
        };
        for (m, off) in &ps.mods {
            if *m == name {
                let mut atoms = ps.atoms_at(*off);
                atoms.extend(file_atoms(src, &parent, scans, memo));
                result = Some(match result {
                    None => atoms,
                    Some(r) => r.intersection(&atoms).cloned().collect(),
                });
            }
        }
    }
    let atoms = result.unwrap_or_default();
    memo.insert(path.to_path_buf(), atoms.clone());
    atoms
}

/// The ungated uses, one line each: `file:line: NAME outside a cfg gate for it`.
fn ungated(uses: &[Use]) -> Vec<String> {
    uses.iter()
        .filter(|u| !u.gated)
        .map(|u| {
            format!(
                "{}:{}: {} outside a cfg gate that compiles it only where it exists",
                u.file, u.line, u.what
            )
        })
        .collect()
}

#[test]
fn platform_specific_code_in_src_is_cfg_gated() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let uses = scan_tree(&src);
    eprintln!("platform-specific uses in src ({}):", uses.len());
    for u in &uses {
        eprintln!("  {}:{} {} (gated: {})", u.file, u.line, u.what, u.gated);
    }
    // The tree has some (main.rs tunes glibc's malloc through libc): a scan that finds none
    // is broken, not clean.
    assert!(
        uses.iter()
            .any(|u| u.file == "main.rs" && u.what == "libc::" && u.gated),
        "the scan missed src/main.rs's gated libc calls"
    );
    let bad = ungated(&uses);
    assert!(
        bad.is_empty(),
        "gate these with #[cfg(unix)] (or the OS they need) and give the other systems an \
         alternative:\n{}",
        bad.join("\n")
    );
}

#[test]
fn gated_forms_are_accepted() {
    let (_d, src) = tree(&[
        (
            "lib.rs",
            "pub mod a;\n#[cfg(unix)]\nmod posix;\n#[cfg(all(test, unix))]\nmod t;\n\
             #[cfg(windows)] pub mod win;\n",
        ),
        (
            "a.rs",
            "// use std::os::unix::fs::X; in a comment\n\
             const S: &str = \"libc::getuid and std::os::unix\";\n\
             #[cfg(unix)]\nuse std::os::unix::fs::PermissionsExt;\n\
             #[cfg(all(target_os = \"linux\", target_env = \"gnu\"))]\n\
             fn tune() {\n    unsafe { libc::mallopt(1, 2); }\n}\n\
             fn f(b: &mut B) {\n    #[cfg(unix)]\n    std::os::unix::fs::DirBuilderExt::mode(b, 0o700);\n\
             \x20   #[cfg(unix)]\n    if std::os::unix::fs::FileTypeExt::is_fifo(&t) {\n        x();\n    }\n\
             \x20   #[cfg(windows)]\n    {\n        use std::os::windows::io::AsHandle;\n    }\n\
             \x20   let s = match n {\n        #[cfg(target_os = \"linux\")]\n\
             \x20       \"k\" => linux_keyutils_keyring_store::Store::new()?,\n\
             \x20       #[cfg(target_os = \"macos\")]\n\
             \x20       \"m\" => {\n            apple_native_keyring_store::keychain::Store::new()?\n        }\n\
             \x20       _ => todo!(),\n    };\n}\n\
             fn g() { crate::libc::x(); other::nix::y(); }\n",
        ),
        (
            "posix.rs",
            "use std::os::{fd::AsFd, unix::fs::MetadataExt};\n",
        ),
        ("posix/deep.rs", "use std::os::unix::fs::symlink;\n"),
        ("t.rs", "use std::os::unix::fs::symlink;\n"),
        ("win/mod.rs", "pub mod inner;\n"),
        ("win/inner.rs", "use std::os::windows::io::AsHandle;\n"),
        (
            "b.rs",
            "#![cfg(target_os = \"linux\")]\nuse std::os::linux::fs::MetadataExt;\n",
        ),
        (
            "c.rs",
            "#[cfg(unix)]\nmod tests {\n    use std::os::unix::fs::symlink;\n    fn h() {}\n}\n",
        ),
    ]);
    let uses = scan_tree(&src);
    // posix/deep.rs is declared by no `mod`, so it inherits nothing: not gated.
    let bad = ungated(&uses);
    assert_eq!(
        bad,
        vec![
            "posix/deep.rs:1: std::os::unix outside a cfg gate that compiles it only where it exists"
                .to_string()
        ],
        "{uses:#?}"
    );
    let gated: Vec<(String, usize, &str)> = uses
        .iter()
        .filter(|u| u.gated)
        .map(|u| (u.file.clone(), u.line, u.what))
        .collect();
    assert_eq!(
        gated,
        vec![
            ("a.rs".to_string(), 4, "std::os::unix"),
            ("a.rs".to_string(), 7, "libc::"),
            ("a.rs".to_string(), 11, "std::os::unix"),
            ("a.rs".to_string(), 13, "std::os::unix"),
            ("a.rs".to_string(), 18, "std::os::windows"),
            ("a.rs".to_string(), 22, "linux_keyutils_keyring_store::"),
            ("a.rs".to_string(), 25, "apple_native_keyring_store::"),
            ("b.rs".to_string(), 2, "std::os::linux"),
            ("c.rs".to_string(), 3, "std::os::unix"),
            ("posix.rs".to_string(), 1, "std::os::fd"),
            ("posix.rs".to_string(), 1, "std::os::unix"),
            ("t.rs".to_string(), 1, "std::os::unix"),
            ("win/inner.rs".to_string(), 1, "std::os::windows"),
        ]
    );
}

#[test]
fn ungated_and_wrongly_gated_uses_fail_with_their_place() {
    let (_d, src) = tree(&[
        (
            "lib.rs",
            "mod a;\n#[cfg(test)]\nmod t;\n#[cfg(any(unix, windows))]\nmod u;\n",
        ),
        (
            "a.rs",
            "use std::io;\nuse std::os::unix::fs::MetadataExt;\n\
             #[cfg(unix)]\nfn f() {}\nfn g() { let _ = libc::getuid(); }\n\
             #[cfg(unix)]\nfn h() { unsafe { libc::geteuid() }; }\n\
             #[cfg(not(windows))]\nuse std::os::fd::AsFd;\n\
             #[cfg(target_os = \"macos\")]\nuse std::os::windows::io::AsHandle;\n\
             fn k() { if cfg!(unix) { rustix::process::getuid(); } }\n\
             #[cfg(unix)] const X: u8 = 1; fn m() { nix::unistd::getuid(); }\n",
        ),
        ("t.rs", "use std::os::unix::fs::symlink;\n"),
        ("u.rs", "use std::os::{\n    unix::fs::symlink,\n};\n"),
    ]);
    let uses = scan_tree(&src);
    let bad = ungated(&uses);
    let places: Vec<String> = bad
        .iter()
        .map(|b| b.split(" outside").next().unwrap().to_string())
        .collect();
    assert_eq!(
        places,
        vec![
            // ungated
            "a.rs:2: std::os::unix",
            "a.rs:5: libc::",
            // libc is a dependency on Linux only: cfg(unix) is not enough
            "a.rs:7: libc::",
            // not(…) and any(…) assert nothing; cfg!() is no gate
            "a.rs:9: std::os::fd",
            // the wrong OS
            "a.rs:11: std::os::windows",
            "a.rs:12: rustix::",
            // a gate ends with its item
            "a.rs:13: nix::",
            // cfg(test) is not an OS
            "t.rs:1: std::os::unix",
            "u.rs:2: std::os::unix",
        ]
    );
}

#[test]
fn cfg_predicates_assert_what_holds_whenever_they_do() {
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(asserted("unix"), set(&["unix"]));
    assert_eq!(
        asserted("all(target_os = \"linux\", target_env = \"gnu\")"),
        set(&["target_os=\"linux\"", "target_env=\"gnu\""])
    );
    assert_eq!(asserted("all(test, any(unix))"), set(&["test", "unix"]));
    assert_eq!(asserted("any(unix, windows)"), set(&[]));
    assert_eq!(asserted("not(windows)"), set(&[]));
    assert_eq!(
        asserted("all(unix, not(target_os = \"macos\"))"),
        set(&["unix"])
    );
}

/// The integration suites that run on every system: they read files only.
const PORTABLE_SUITES: &[&str] = &["layering.rs", "portability.rs"];

/// Whether `text` (a test file) gates its whole crate to Linux (`#![cfg(target_os = "linux")]`
/// at the top level).
fn gated_to_linux(text: &str) -> bool {
    let fs = scan_file(text);
    fs.gates.iter().any(|(_, end, atoms, inner)| {
        *inner && *end == fs.len && atoms.contains("target_os=\"linux\"")
    })
}

#[test]
fn suites_that_need_linux_packages_are_gated_and_skipped_elsewhere() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut gated = Vec::new();
    let mut problems = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&p).unwrap();
        let linux = gated_to_linux(&text);
        match (PORTABLE_SUITES.contains(&name.as_str()), linux) {
            (true, true) => problems.push(format!(
                "tests/{name} is listed as portable but gated to Linux"
            )),
            (false, false) => problems.push(format!(
                "tests/{name} needs Linux packages: start it with #![cfg(target_os = \"linux\")] \
                 (or list it in PORTABLE_SUITES if it runs everywhere)"
            )),
            (false, true) => gated.push(name),
            (true, false) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(gated.len() > 20, "{gated:?}");
    if !cfg!(target_os = "linux") {
        eprintln!(
            "skipped on {}: {} integration suites need Linux packages (docker-registry, skopeo, \
             umoci, openssl, …: see README \"Test\") and are compiled out here: {}",
            std::env::consts::OS,
            gated.len(),
            gated.join(", ")
        );
    }
}

#[test]
fn every_os_has_a_keychain_store_in_cargo_toml() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    for (os, store) in [
        ("linux", "dbus-secret-service-keyring-store"),
        ("linux", "linux-keyutils-keyring-store"),
        ("macos", "apple-native-keyring-store"),
        ("windows", "windows-native-keyring-store"),
    ] {
        let header = format!("[target.'cfg(target_os = \"{os}\")'.dependencies]");
        let section = manifest
            .split_once(&header)
            .map(|(_, rest)| rest.split("\n[").next().unwrap_or(""))
            .unwrap_or_else(|| panic!("Cargo.toml has no {header}"));
        assert!(
            section.lines().any(|l| l.trim_start().starts_with(store)),
            "Cargo.toml's {header} does not declare {store}"
        );
    }
}
