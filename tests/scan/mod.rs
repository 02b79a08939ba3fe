//! Reading Rust source as text, for the guards that check the tree without compiling it
//! (`tests/layering.rs`, `tests/portability.rs`): the `.rs` files of a folder, and code with
//! comments and literals blanked out. Use from a test file with `mod scan;`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Appends the `.rs` files under `dir` to `out`, recursively, sorted by path.
pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `text` with comments, string literals and char literals blanked out, character for
/// character (newlines kept, so line numbers and char offsets stay right). Lifetimes (`'a`)
/// are left alone.
pub fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |ch: char| if ch == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        if c[i] == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c[i] == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(c[i]));
                    i += 1;
                }
            }
        } else if (c[i] == 'r' || (c[i] == 'b' && at(i + 1) == 'r'))
            && !(i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_'))
            && {
                let mut k = if c[i] == 'b' { i + 2 } else { i + 1 };
                while at(k) == '#' {
                    k += 1;
                }
                at(k) == '"'
            }
        {
            // Raw string r#"…"#.
            let mut k = if c[i] == 'b' { i + 2 } else { i + 1 };
            let mut hashes = 0;
            while at(k) == '#' {
                hashes += 1;
                k += 1;
            }
            k += 1;
            while k < c.len() {
                if c[k] == '"' && (1..=hashes).all(|h| at(k + h) == '#') {
                    k += 1 + hashes;
                    break;
                }
                k += 1;
            }
            for &ch in &c[i..k.min(c.len())] {
                out.push(blank(ch));
            }
            i = k;
        } else if c[i] == '"' {
            let mut k = i + 1;
            while k < c.len() && c[k] != '"' {
                if c[k] == '\\' {
                    k += 1;
                }
                k += 1;
            }
            for &ch in &c[i..(k + 1).min(c.len())] {
                out.push(blank(ch));
            }
            i = k + 1;
        } else if c[i] == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A char literal ('x', '\n', '\u{1F600}'); a lifetime has no closing quote.
            let mut k = i + 1;
            if at(k) == '\\' {
                k += 2;
            }
            while k < c.len() && c[k] != '\'' {
                k += 1;
            }
            for &ch in &c[i..(k + 1).min(c.len())] {
                out.push(blank(ch));
            }
            i = k + 1;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

pub fn is_ident(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// Writes `files` (path under `src/`, text) into a fresh temp tree: the temp dir (removed
/// when dropped) and its `src/`, for the guards' own tests.
pub fn tree(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    for (rel, text) in files {
        let p = src.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    (dir, src)
}
