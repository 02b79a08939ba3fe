//! Path patterns of the Dockerfile reference: Go's `filepath.Match` (COPY/ADD wildcards) and the
//! `.dockerignore` matcher of moby/patternmatcher (`**`, `!` exceptions, parent-directory rule).
//!
//! No crate matches docker's semantics exactly (the `ignore` and `glob` crates follow gitignore
//! and shell rules: anchoring, `!` re-inclusion and `**` differ), so both are ported here.

use regex::Regex;

use crate::error::{Error, Result};

/// Go's `path.Clean` on a `/`-separated path: `//` collapsed, `.` dropped, `..` resolved
/// lexically (a leading `..` of a relative path kept), trailing `/` removed; `""` → `"."`.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|p| *p != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

fn bad(pattern: &str) -> Error {
    Error::usage(format!("syntax error in pattern {pattern:?}"))
}

/// Go's `filepath.Match` (Unix): does `name` match the shell pattern `pattern` as a whole?
/// `*` matches any run of non-`/` characters, `?` one non-`/` character, `[a-z]`/`[^a-z]` a
/// class, `\x` a literal `x`. Errors (usage) on a malformed pattern (unclosed `[`, trailing `\`).
pub fn go_match(pattern: &str, name: &str) -> Result<bool> {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = name.chars().collect();
    // Validate the whole pattern first, as Go reports a bad pattern even when matching fails early.
    validate(&p).map_err(|()| bad(pattern))?;
    Ok(match_here(&p, &s))
}

fn validate(p: &[char]) -> std::result::Result<(), ()> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                if i + 1 >= p.len() {
                    return Err(());
                }
                i += 2;
            }
            '[' => {
                let (_, next) = class(p, i, None).ok_or(())?;
                i = next;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Parses the class starting at `p[start] == '['`; with `c`, also says whether `c` is in it.
/// Returns (matched, index after `]`), or None when the class is malformed.
fn class(p: &[char], start: usize, c: Option<char>) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negated = p.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let ch = *p.get(i)?;
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let lo = if ch == '\\' {
            i += 1;
            *p.get(i)?
        } else {
            ch
        };
        i += 1;
        let mut hi = lo;
        if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|n| *n != ']') {
            i += 1;
            hi = if p[i] == '\\' {
                i += 1;
                *p.get(i)?
            } else {
                p[i]
            };
            i += 1;
            if hi < lo {
                return None;
            }
        }
        if let Some(c) = c
            && lo <= c
            && c <= hi
        {
            matched = true;
        }
    }
    Some((matched != negated, i))
}

fn match_here(p: &[char], s: &[char]) -> bool {
    let Some(&first) = p.first() else {
        return s.is_empty();
    };
    match first {
        '*' => {
            let rest = &p[p.iter().take_while(|c| **c == '*').count()..];
            for i in 0..=s.len() {
                if match_here(rest, &s[i..]) {
                    return true;
                }
                if i < s.len() && s[i] == '/' {
                    return false;
                }
            }
            false
        }
        '?' => !s.is_empty() && s[0] != '/' && match_here(&p[1..], &s[1..]),
        '[' => {
            if s.is_empty() || s[0] == '/' {
                return false;
            }
            match class(p, 0, Some(s[0])) {
                Some((true, next)) => match_here(&p[next..], &s[1..]),
                _ => false,
            }
        }
        '\\' => p.len() > 1 && !s.is_empty() && s[0] == p[1] && match_here(&p[2..], &s[1..]),
        c => !s.is_empty() && s[0] == c && match_here(&p[1..], &s[1..]),
    }
}

/// One `.dockerignore` line, compiled.
#[derive(Debug)]
struct Pattern {
    exclusion: bool,
    regex: Regex,
}

/// The rules of a `.dockerignore` file (moby/buildkit `dockerignore.ReadAll` +
/// moby/patternmatcher): later lines win, a `!` line re-includes, a path is excluded when it or
/// one of its parent directories matches.
#[derive(Debug, Default)]
pub struct IgnoreRules {
    patterns: Vec<Pattern>,
}

impl IgnoreRules {
    /// Parses `.dockerignore` text: `#` comment lines and blank lines skipped, each line trimmed,
    /// `!` exceptions, the pattern cleaned (`./`, `//`, trailing `/`) and a leading `/` dropped.
    /// Errors (usage) on a malformed pattern, naming its line.
    pub fn parse(text: &str) -> Result<IgnoreRules> {
        let mut patterns = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') {
                continue;
            }
            let mut pat = line.trim();
            if pat.is_empty() {
                continue;
            }
            let exclusion = pat.starts_with('!');
            if exclusion {
                pat = pat[1..].trim();
            }
            if pat.is_empty() {
                return Err(Error::usage(format!(
                    ".dockerignore line {}: illegal exclusion pattern \"!\"",
                    n + 1
                )));
            }
            let mut cleaned = clean(pat);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            let regex = to_regex(&cleaned)
                .map_err(|e| e.context(format!(".dockerignore line {}", n + 1)))?;
            patterns.push(Pattern { exclusion, regex });
        }
        Ok(IgnoreRules { patterns })
    }

    /// Whether any `!` exception exists (then an excluded directory must still be walked).
    pub fn has_exceptions(&self) -> bool {
        self.patterns.iter().any(|p| p.exclusion)
    }

    /// Whether `rel` (a clean `/`-separated path relative to the context root) is excluded.
    pub fn excluded(&self, rel: &str) -> bool {
        let parents: Vec<&str> = rel.split('/').collect();
        let mut matched = false;
        for pat in &self.patterns {
            // An exception only matters once something matched, a pattern only before.
            if pat.exclusion != matched {
                continue;
            }
            let mut hit = pat.regex.is_match(rel);
            if !hit && parents.len() > 1 {
                hit = (1..parents.len()).any(|i| pat.regex.is_match(&parents[..i].join("/")));
            }
            if hit {
                matched = !pat.exclusion;
            }
        }
        matched
    }
}

/// moby/patternmatcher's pattern → regex translation.
fn to_regex(pattern: &str) -> Result<Regex> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut re = String::from("^");
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        match ch {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= chars.len() {
                    re.push_str(".*");
                } else {
                    re.push_str("(.*/)?");
                }
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '\\' => {
                if let Some(&n) = chars.get(i) {
                    i += 1;
                    re.push_str(&regex::escape(&n.to_string()));
                } else {
                    re.push_str("\\\\");
                }
            }
            '[' | ']' | '^' | '-' => re.push(ch),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).map_err(|_| bad(pattern))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_like_go() {
        assert_eq!(clean("./a//b/"), "a/b");
        assert_eq!(clean("a/../../b"), "../b");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean(""), ".");
        assert_eq!(clean("/"), "/");
    }

    #[test]
    fn go_match_rules() {
        // Cases from Go's path/filepath match_test.go.
        assert!(go_match("abc", "abc").unwrap());
        assert!(go_match("*", "abc").unwrap());
        assert!(go_match("*c", "abc").unwrap());
        assert!(!go_match("a*", "ab/c").unwrap());
        assert!(go_match("a*/b", "abc/b").unwrap());
        assert!(!go_match("a*/b", "a/c/b").unwrap());
        assert!(go_match("a*b*c*d*e*/f", "axbxcxdxe/f").unwrap());
        assert!(go_match("ab[c]", "abc").unwrap());
        assert!(go_match("ab[b-d]", "abc").unwrap());
        assert!(!go_match("ab[e-g]", "abc").unwrap());
        assert!(!go_match("ab[^c]", "abc").unwrap());
        assert!(go_match("ab[^e-g]", "abc").unwrap());
        assert!(go_match("a\\*b", "a*b").unwrap());
        assert!(!go_match("a\\*b", "ab").unwrap());
        assert!(go_match("a?b", "a☺b").unwrap());
        assert!(!go_match("a?b", "a/b").unwrap());
        assert!(go_match("[\\-]", "-").unwrap());
        assert!(go_match("[x\\-]", "x").unwrap());
        assert!(go_match("[\\]a]", "]").unwrap());
        assert!(go_match("[]a]", "]").unwrap());
        assert!(go_match_err("["));
        assert!(go_match_err("[^"));
        assert!(go_match_err("a\\"));
        assert!(go_match_err("[z-a]"));
    }

    fn go_match_err(p: &str) -> bool {
        go_match(p, "x").is_err()
    }

    #[test]
    fn dockerignore_reference_examples() {
        // The Dockerfile reference's .dockerignore example.
        let rules = IgnoreRules::parse("# comment\n*/temp*\n*/*/temp*\ntemp?\n").unwrap();
        assert!(rules.excluded("somedir/temporary.txt"));
        assert!(rules.excluded("somedir/temp"));
        assert!(rules.excluded("somedir/subdir/temporary.txt"));
        assert!(rules.excluded("tempa"));
        assert!(rules.excluded("tempb"));
        assert!(!rules.excluded("temporary.txt"));
        assert!(!rules.excluded("a/b/c/temp"));
        assert!(!rules.excluded("# comment"));
    }

    #[test]
    fn dockerignore_double_star_and_exceptions() {
        let rules = IgnoreRules::parse("**/*.go\n").unwrap();
        assert!(rules.excluded("main.go"));
        assert!(rules.excluded("a/b/c.go"));
        assert!(!rules.excluded("a/b/c.rs"));

        // Reference: "*.md / !README.md" keeps README.md only.
        let rules = IgnoreRules::parse("*.md\n!README.md\n").unwrap();
        assert!(rules.excluded("CHANGES.md"));
        assert!(!rules.excluded("README.md"));
        // Reference: README-secret.md excluded again by a later line.
        let rules = IgnoreRules::parse("*.md\n!README*.md\nREADME-secret.md\n").unwrap();
        assert!(rules.excluded("README-secret.md"));
        assert!(!rules.excluded("README-public.md"));
        // Order matters: the exception before the pattern has no effect.
        let rules = IgnoreRules::parse("*.md\nREADME-secret.md\n!README*.md\n").unwrap();
        assert!(!rules.excluded("README-secret.md"));
        assert!(rules.has_exceptions());
    }

    #[test]
    fn dockerignore_cleaning_and_parents() {
        let rules = IgnoreRules::parse("/build/\n./node_modules\n").unwrap();
        assert!(rules.excluded("build"));
        assert!(rules.excluded("build/out/x.o"));
        assert!(rules.excluded("node_modules/a/index.js"));
        assert!(!rules.excluded("src/build"));
        assert!(!rules.has_exceptions());
        // `**` at the end matches everything below.
        let rules = IgnoreRules::parse("docs/**\n!docs/keep\n").unwrap();
        assert!(rules.excluded("docs/a/b"));
        assert!(!rules.excluded("docs/keep"));
        assert!(IgnoreRules::parse("!\n").is_err());
    }
}
