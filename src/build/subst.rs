//! Docker's word processing (moby/buildkit `frontend/dockerfile/shell/lex.go`): quotes,
//! the escape character and `$V`, `${V}`, `${V:-d}`, `${V-d}`, `${V:+a}`, `${V+a}`, `${V:?m}`,
//! `${V?m}`. Used in exactly the instructions Docker expands (see [`super::plan`]).

/// Expands `word`: single quotes keep their text literally, double quotes allow `$` expansion
/// and escape only `"`, `$` and the escape character, outside quotes the escape character
/// makes the next character literal. Quotes are removed. `lookup` gives a variable's value
/// (`None` = unset). Errors: a message (unterminated quote, bad substitution, `${V?m}` unset).
pub fn expand(
    word: &str,
    escape: char,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let chars: Vec<char> = word.chars().collect();
    let mut lx = Lexer {
        c: chars,
        i: 0,
        escape,
        lookup,
    };
    lx.word(None)
}

/// Expands the variables of an instruction's text for display (a `STEP` line): `$V` and
/// `${V…}` outside single quotes become their values; quotes, escapes and spacing stay as
/// written. Errors as [`expand`].
pub fn expand_text(
    text: &str,
    escape: char,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let mut lx = Lexer {
        c: text.chars().collect(),
        i: 0,
        escape,
        lookup,
    };
    let mut out = String::new();
    let mut quote: Option<char> = None;
    while let Some(ch) = lx.next() {
        if quote == Some('\'') {
            out.push(ch);
            if ch == '\'' {
                quote = None;
            }
            continue;
        }
        match ch {
            '$' => out.push_str(&lx.dollar()?),
            c if c == escape => {
                out.push(c);
                if let Some(n) = lx.next() {
                    out.push(n);
                }
            }
            '"' => {
                quote = if quote == Some('"') { None } else { Some('"') };
                out.push(ch);
            }
            '\'' if quote.is_none() => {
                quote = Some('\'');
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

struct Lexer<'a> {
    c: Vec<char>,
    i: usize,
    escape: char,
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }
    fn next(&mut self) -> Option<char> {
        let ch = self.peek();
        self.i += 1;
        ch
    }

    /// Processes until `stop` (not consumed... consumed and excluded) or the end.
    fn word(&mut self, stop: Option<char>) -> Result<String, String> {
        let mut out = String::new();
        loop {
            let Some(ch) = self.peek() else {
                if let Some(s) = stop {
                    return Err(format!("missing '{s}' in substitution"));
                }
                return Ok(out);
            };
            if Some(ch) == stop {
                self.i += 1;
                return Ok(out);
            }
            self.i += 1;
            match ch {
                '\'' => loop {
                    match self.next() {
                        None => {
                            return Err(
                                "unexpected end of statement while looking for matching single-quote"
                                    .into(),
                            );
                        }
                        Some('\'') => break,
                        Some(c) => out.push(c),
                    }
                },
                '"' => loop {
                    match self.next() {
                        None => {
                            return Err(
                                "unexpected end of statement while looking for matching double-quote"
                                    .into(),
                            );
                        }
                        Some('"') => break,
                        Some('$') => out.push_str(&self.dollar()?),
                        Some(c) if c == self.escape => match self.peek() {
                            None => {}
                            Some(n) if n == '"' || n == '$' || n == self.escape => {
                                self.i += 1;
                                out.push(n);
                            }
                            Some(_) => out.push(c),
                        },
                        Some(c) => out.push(c),
                    }
                },
                '$' => out.push_str(&self.dollar()?),
                c if c == self.escape => {
                    if let Some(n) = self.next() {
                        out.push(n);
                    }
                }
                c => out.push(c),
            }
        }
    }

    fn name(&mut self) -> String {
        let mut n = String::new();
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                n.push(c);
                self.i += 1;
            } else {
                break;
            }
        }
        n
    }

    /// After a `$`: the expansion.
    fn dollar(&mut self) -> Result<String, String> {
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok((self.lookup)(&name).unwrap_or_default());
        }
        self.i += 1;
        let name = self.name();
        if name.is_empty() {
            return Err("bad substitution: missing variable name after ${".into());
        }
        let value = (self.lookup)(&name);
        match self.next() {
            Some('}') => Ok(value.unwrap_or_default()),
            Some(op0) => {
                let (colon, op) = if op0 == ':' {
                    (true, self.next())
                } else {
                    (false, Some(op0))
                };
                let op = match op {
                    Some(o @ ('-' | '+' | '?')) => o,
                    Some(o) => return Err(format!("unsupported modifier ({o}) in substitution")),
                    None => return Err("missing '}' in substitution".into()),
                };
                let word = self.word(Some('}'))?;
                // With a colon, an empty value counts as unset.
                let set = match &value {
                    Some(v) => !(colon && v.is_empty()),
                    None => false,
                };
                match op {
                    '-' => Ok(if set { value.unwrap_or_default() } else { word }),
                    '+' => Ok(if set { word } else { String::new() }),
                    _ => {
                        if set {
                            Ok(value.unwrap_or_default())
                        } else if word.is_empty() {
                            Err(format!("{name}: is not allowed to be unset"))
                        } else {
                            Err(format!("{name}: {word}"))
                        }
                    }
                }
            }
            None => Err("missing '}' in substitution".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(k: &str) -> Option<String> {
        match k {
            "A" => Some("hello".into()),
            "E" => Some(String::new()),
            "P" => Some("/usr/bin".into()),
            _ => None,
        }
    }
    fn x(w: &str) -> String {
        expand(w, '\\', &env).unwrap()
    }

    #[test]
    fn plain_and_braced() {
        assert_eq!(x("$A"), "hello");
        assert_eq!(x("${A}_x"), "hello_x");
        assert_eq!(x("$A-x"), "hello-x");
        assert_eq!(x("$NOPE"), "");
        assert_eq!(x("a$"), "a$");
        assert_eq!(x("$P:/x"), "/usr/bin:/x");
    }

    #[test]
    fn modifiers() {
        assert_eq!(x("${NOPE:-d}"), "d");
        assert_eq!(x("${E:-d}"), "d");
        assert_eq!(x("${E-d}"), "");
        assert_eq!(x("${A:-d}"), "hello");
        assert_eq!(x("${A:+alt}"), "alt");
        assert_eq!(x("${NOPE:+alt}"), "");
        assert_eq!(x("${E+alt}"), "alt");
        assert_eq!(x("${NOPE:-$A}"), "hello");
        assert_eq!(
            expand("${NOPE:?must be set}", '\\', &env).unwrap_err(),
            "NOPE: must be set"
        );
        assert!(expand("${A", '\\', &env).is_err());
        assert!(expand("${A%x}", '\\', &env).is_err());
    }

    #[test]
    fn quotes_and_escapes() {
        // The Dockerfile reference's examples: `\$foo` stays literal.
        assert_eq!(x(r"\$A"), "$A");
        assert_eq!(x(r"\${A}"), "${A}");
        assert_eq!(x("'$A'"), "$A");
        assert_eq!(x("\"$A world\""), "hello world");
        assert_eq!(x(r#""a\"b""#), "a\"b");
        assert_eq!(x(r#""a\nb""#), r"a\nb");
        assert_eq!(x(r"a\ b"), "a b");
        assert!(expand("'open", '\\', &env).is_err());
        assert!(expand("\"open", '\\', &env).is_err());
        // With `# escape=` the backtick escapes and the backslash is literal (Windows paths).
        assert_eq!(expand(r"C:\dir\`$A", '`', &env).unwrap(), r"C:\dir\$A");
    }

    #[test]
    fn text_keeps_quotes_and_escapes() {
        let t = |s: &str| expand_text(s, '\\', &env).unwrap();
        assert_eq!(t("COPY $A ${NOPE:-d}/x /app"), "COPY hello d/x /app");
        assert_eq!(
            t(r#"LABEL b="$A world" c='$A' d=\$A"#),
            r#"LABEL b="hello world" c='$A' d=\$A"#
        );
        assert_eq!(t("ENV X \"it's $A\""), "ENV X \"it's hello\"");
        assert!(expand_text("ENV X ${A", '\\', &env).is_err());
    }
}
