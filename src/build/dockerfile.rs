//! Dockerfile syntax (the Dockerfile reference, "Format" … "Parser directives"): the text of a
//! Dockerfile → [`Instruction`]s, each with its 1-based line. Tokenizing (directives, the
//! escape character, continuations with comment lines inside, exec and shell forms, flags,
//! heredocs) is the `parse-dockerfile` crate's; this module checks flags, splits `KEY=value`
//! lists as Docker does and keeps values unexpanded (expansion is [`super::plan`]'s).

use parse_dockerfile as pd;

use crate::error::{Error, Result};

/// A parsed Dockerfile.
#[derive(Debug, Clone)]
pub struct Dockerfile {
    /// The name used in messages (`Dockerfile`, a path, `<stdin>`).
    pub file: String,
    /// The escape character (`\`, or `` ` `` from `# escape=`).
    pub escape: char,
    /// The instructions in order, global `ARG`s first.
    pub instructions: Vec<Instruction>,
}

/// One instruction and the 1-based line its keyword is on.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// 1-based line of the keyword.
    pub line: usize,
    /// What it says (values unexpanded, quotes kept where Docker keeps them for expansion).
    pub op: Op,
    /// The instruction as written (keyword included, line continuations joined), for messages.
    pub text: String,
}

/// A command in exec form (`["a","b"]`, already JSON-decoded) or shell form (the text, line
/// continuations joined).
#[derive(Debug, Clone, PartialEq)]
pub enum CommandForm {
    /// JSON array form.
    Exec(Vec<String>),
    /// Shell form.
    Shell(String),
}

/// Flags of `COPY`/`ADD`, unexpanded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CopyFlags {
    /// `--from=stage|index|image`.
    pub from: Option<String>,
    /// `--chown=user[:group]`.
    pub chown: Option<String>,
    /// `--chmod=octal`.
    pub chmod: Option<String>,
    /// `--link` (accepted: it changes caching only, and every imgctl layer is independent).
    pub link: bool,
}

/// `HEALTHCHECK` options (Go duration strings, unparsed) and test.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthcheckSpec {
    /// `None` for `HEALTHCHECK NONE`.
    pub cmd: Option<CommandForm>,
    /// `--interval`, `--timeout`, `--start-period`, `--start-interval`, `--retries`.
    pub options: Vec<(String, String)>,
}

/// An instruction's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// `FROM [--platform=P] image [AS name]`.
    From {
        image: String,
        name: Option<String>,
        platform: Option<String>,
    },
    /// `ARG name[=default] …` (defaults unexpanded).
    Arg(Vec<(String, Option<String>)>),
    /// `ENV k=v …` or `ENV k v` (values unexpanded, quotes kept).
    Env(Vec<(String, String)>),
    /// `LABEL k=v …`.
    Label(Vec<(String, String)>),
    /// `COPY`/`ADD` (`is_add`) with sources and destination (unexpanded).
    Copy {
        is_add: bool,
        flags: CopyFlags,
        sources: Vec<String>,
        dest: String,
    },
    /// `WORKDIR path`.
    Workdir(String),
    /// `EXPOSE port[/proto] …`.
    Expose(Vec<String>),
    /// `USER user[:group]`.
    User(String),
    /// `VOLUME` paths.
    Volume(Vec<String>),
    /// `STOPSIGNAL signal`.
    StopSignal(String),
    /// `ENTRYPOINT`.
    Entrypoint(CommandForm),
    /// `CMD`.
    Cmd(CommandForm),
    /// `HEALTHCHECK`.
    Healthcheck(HealthcheckSpec),
    /// `SHELL ["exe","arg"]`.
    Shell(Vec<String>),
    /// `ONBUILD instruction`, the trigger's text as written.
    Onbuild(String),
    /// `MAINTAINER name` (deprecated; sets the config's author).
    Maintainer(String),
    /// `RUN` (never executed: refused by the plan).
    Run,
}

impl Op {
    /// The instruction's keyword (`COPY`, `ADD`, …).
    pub fn keyword(&self) -> &'static str {
        match self {
            Op::From { .. } => "FROM",
            Op::Arg(_) => "ARG",
            Op::Env(_) => "ENV",
            Op::Label(_) => "LABEL",
            Op::Copy { is_add: true, .. } => "ADD",
            Op::Copy { .. } => "COPY",
            Op::Workdir(_) => "WORKDIR",
            Op::Expose(_) => "EXPOSE",
            Op::User(_) => "USER",
            Op::Volume(_) => "VOLUME",
            Op::StopSignal(_) => "STOPSIGNAL",
            Op::Entrypoint(_) => "ENTRYPOINT",
            Op::Cmd(_) => "CMD",
            Op::Healthcheck(_) => "HEALTHCHECK",
            Op::Shell(_) => "SHELL",
            Op::Onbuild(_) => "ONBUILD",
            Op::Maintainer(_) => "MAINTAINER",
            Op::Run => "RUN",
        }
    }
}

/// Parses `text` (named `file` in messages). Errors (kind Usage) read `FILE:LINE: message`:
/// syntax errors, unknown instructions and flags, heredocs (not supported), a missing `FROM`.
pub fn parse(text: &str, file: &str) -> Result<Dockerfile> {
    let df = pd::parse(text).map_err(|e| {
        let line = e.line();
        // The crate's message carries its own position; ours leads with FILE:LINE.
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        if line == 0 {
            Error::usage(format!("{file}: {msg}"))
        } else {
            Error::usage(format!("{file}:{line}: {msg}"))
        }
    })?;
    let escape = df
        .parser_directives
        .escape
        .as_ref()
        .map(|d| d.value.value)
        .unwrap_or('\\');
    let lines = LineIndex::new(text);
    let cx = Cx {
        text,
        file,
        escape,
        lines: &lines,
    };
    let mut instructions = Vec::with_capacity(df.instructions.len());
    for (n, ins) in df.instructions.iter().enumerate() {
        let next_start = df
            .instructions
            .get(n + 1)
            .map(|i| keyword_span(i).start)
            .unwrap_or(text.len());
        instructions.push(cx.convert(ins, next_start)?);
    }
    Ok(Dockerfile {
        file: file.to_string(),
        escape,
        instructions,
    })
}

struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex(starts)
    }
    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&s| s <= offset)
    }
}

fn keyword_span(i: &pd::Instruction<'_>) -> pd::Span {
    use pd::Instruction as I;
    match i {
        I::Add(x) => x.add.span.clone(),
        I::Arg(x) => x.arg.span.clone(),
        I::Cmd(x) => x.cmd.span.clone(),
        I::Copy(x) => x.copy.span.clone(),
        I::Entrypoint(x) => x.entrypoint.span.clone(),
        I::Env(x) => x.env.span.clone(),
        I::Expose(x) => x.expose.span.clone(),
        I::From(x) => x.from.span.clone(),
        I::Healthcheck(x) => x.healthcheck.span.clone(),
        I::Label(x) => x.label.span.clone(),
        I::Maintainer(x) => x.maintainer.span.clone(),
        I::Onbuild(x) => x.onbuild.span.clone(),
        I::Run(x) => x.run.span.clone(),
        I::Shell(x) => x.shell.span.clone(),
        I::Stopsignal(x) => x.stopsignal.span.clone(),
        I::User(x) => x.user.span.clone(),
        I::Volume(x) => x.volume.span.clone(),
        I::Workdir(x) => x.workdir.span.clone(),
        _ => 0..0,
    }
}

/// Joins line continuations (the escape character right before a newline) of raw shell-form
/// text, skipping comment and empty lines inside, as Docker does.
pub fn join_continuations(raw: &str, escape: char) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut lines = raw.split('\n').peekable();
    let mut continuing = false;
    while let Some(line) = lines.next() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if continuing {
            let t = line.trim_start();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
        }
        match line.strip_suffix(escape) {
            Some(head) if lines.peek().is_some() => {
                out.push_str(head);
                continuing = true;
            }
            _ => {
                out.push_str(line);
                // The logical line ends here.
                break;
            }
        }
    }
    out.trim().to_string()
}

/// Docker's `parseWords`: whitespace-separated words; quotes and escapes are kept in the word
/// (expansion removes them) but protect the whitespace inside them.
pub fn split_words(s: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if quote.is_none() && c.is_whitespace() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        cur.push(c);
        if c == escape && quote != Some('\'') {
            if let Some(n) = chars.next() {
                cur.push(n);
            }
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '"' || c == '\'' => quote = Some(c),
            _ => {}
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

struct Cx<'a> {
    text: &'a str,
    file: &'a str,
    escape: char,
    lines: &'a LineIndex,
}

impl Cx<'_> {
    fn err(&self, line: usize, msg: impl std::fmt::Display) -> Error {
        Error::usage(format!("{}:{line}: {msg}", self.file))
    }

    /// Docker's `parseNameVal`: `KEY name value` (old form: the rest of the line is the value)
    /// or `KEY a=b c=d`.
    fn name_vals(&self, line: usize, kw: &str, rest: &str) -> Result<Vec<(String, String)>> {
        let words = split_words(rest, self.escape);
        let Some(first) = words.first() else {
            return Err(self.err(line, format!("{kw} requires at least one argument")));
        };
        if !first.contains('=') {
            let mut parts = rest.trim().splitn(2, char::is_whitespace);
            let k = parts.next().unwrap_or_default().to_string();
            let v = parts.next().map(str::trim_start).unwrap_or_default();
            if v.is_empty() {
                return Err(self.err(line, format!("{kw} must have two arguments")));
            }
            return Ok(vec![(k, v.to_string())]);
        }
        let mut out = Vec::new();
        for w in words {
            let Some((k, v)) = w.split_once('=') else {
                return Err(self.err(
                    line,
                    format!(
                        "syntax error - can't find = in {w:?}; must be of the form: name=value"
                    ),
                ));
            };
            if k.is_empty() {
                return Err(self.err(line, format!("{kw} names must not be blank")));
            }
            out.push((k.to_string(), v.to_string()));
        }
        Ok(out)
    }

    fn command(&self, c: &pd::Command<'_>) -> CommandForm {
        match c {
            pd::Command::Exec(v) => {
                CommandForm::Exec(v.value.iter().map(|s| s.value.to_string()).collect())
            }
            pd::Command::Shell(s) => CommandForm::Shell(join_continuations(s.value, self.escape)),
            // The crate's enum is non-exhaustive; today it has no other form.
            _ => CommandForm::Exec(Vec::new()),
        }
    }

    fn flags(
        &self,
        line: usize,
        kw: &str,
        flags: &[pd::Flag<'_>],
        allowed: &[&str],
    ) -> Result<Vec<(String, Option<String>)>> {
        let mut out = Vec::new();
        for f in flags {
            let name = f.name.value.to_string();
            if !allowed.contains(&name.as_str()) {
                return Err(self.err(line, format!("unknown flag --{name} for {kw}")));
            }
            out.push((name, f.value.as_ref().map(|v| v.value.to_string())));
        }
        Ok(out)
    }

    fn copy(
        &self,
        line: usize,
        is_add: bool,
        options: &[pd::Flag<'_>],
        src: &[pd::Source<'_>],
        dest: &pd::UnescapedString<'_>,
    ) -> Result<Op> {
        let kw = if is_add { "ADD" } else { "COPY" };
        let allowed: &[&str] = if is_add {
            &[
                "chown",
                "chmod",
                "link",
                "checksum",
                "keep-git-dir",
                "exclude",
            ]
        } else {
            &["from", "chown", "chmod", "link", "parents", "exclude"]
        };
        let mut flags = CopyFlags::default();
        for (name, value) in self.flags(line, kw, options, allowed)? {
            let need = |v: Option<String>| {
                v.ok_or_else(|| self.err(line, format!("{kw} --{name} needs a value")))
            };
            match name.as_str() {
                "from" => flags.from = Some(need(value)?),
                "chown" => flags.chown = Some(need(value)?),
                "chmod" => flags.chmod = Some(need(value)?),
                "link" => flags.link = value.as_deref() != Some("false"),
                other => {
                    return Err(self
                        .err(
                            line,
                            format!("{kw} --{other} is not supported by imgctl build"),
                        )
                        .with_hint(
                            "remove the flag, or build this Dockerfile with docker buildx",
                        ));
                }
            }
        }
        let mut sources = Vec::new();
        for s in src {
            match s {
                pd::Source::Path(p) => sources.push(p.value.to_string()),
                _ => {
                    return Err(self.err(
                        line,
                        format!("{kw} with a here-document is not supported by imgctl build"),
                    ));
                }
            }
        }
        Ok(Op::Copy {
            is_add,
            flags,
            sources,
            dest: dest.value.to_string(),
        })
    }

    fn convert(&self, ins: &pd::Instruction<'_>, next_start: usize) -> Result<Instruction> {
        use pd::Instruction as I;
        let span = keyword_span(ins);
        let line = self.lines.line(span.start);
        let op = match ins {
            I::From(f) => {
                let mut platform = None;
                for (n, v) in self.flags(line, "FROM", &f.options, &["platform"])? {
                    platform =
                        Some(v.ok_or_else(|| self.err(line, format!("FROM --{n} needs a value")))?);
                }
                Op::From {
                    image: f.image.value.to_string(),
                    name: f.as_.as_ref().map(|(_, n)| n.value.to_lowercase()),
                    platform,
                }
            }
            I::Arg(a) => {
                let words = split_words(&a.arguments.value, self.escape);
                Op::Arg(
                    words
                        .into_iter()
                        .map(|w| match w.split_once('=') {
                            Some((k, v)) => (k.to_string(), Some(v.to_string())),
                            None => (w, None),
                        })
                        .collect(),
                )
            }
            I::Env(e) => Op::Env(self.name_vals(line, "ENV", &e.arguments.value)?),
            I::Label(l) => Op::Label(self.name_vals(line, "LABEL", &l.arguments.value)?),
            I::Copy(c) => self.copy(line, false, &c.options, &c.src, &c.dest)?,
            I::Add(c) => self.copy(line, true, &c.options, &c.src, &c.dest)?,
            I::Workdir(w) => Op::Workdir(w.arguments.value.to_string()),
            I::Expose(e) => Op::Expose(e.arguments.iter().map(|s| s.value.to_string()).collect()),
            I::User(u) => Op::User(u.arguments.value.to_string()),
            I::Volume(v) => Op::Volume(match &v.arguments {
                pd::JsonOrStringArray::Json(a) => {
                    a.value.iter().map(|s| s.value.to_string()).collect()
                }
                pd::JsonOrStringArray::String(a) => a.iter().map(|s| s.value.to_string()).collect(),
            }),
            I::Stopsignal(s) => Op::StopSignal(s.arguments.value.to_string()),
            I::Entrypoint(e) => Op::Entrypoint(self.command(&e.arguments)),
            I::Cmd(c) => Op::Cmd(self.command(&c.arguments)),
            I::Healthcheck(h) => {
                let allowed = [
                    "interval",
                    "timeout",
                    "start-period",
                    "start-interval",
                    "retries",
                ];
                let mut options = Vec::new();
                for (n, v) in self.flags(line, "HEALTHCHECK", &h.options, &allowed)? {
                    let v = v.ok_or_else(|| {
                        self.err(line, format!("HEALTHCHECK --{n} needs a value"))
                    })?;
                    options.push((n, v));
                }
                let cmd = match &h.arguments {
                    pd::HealthcheckArguments::Cmd { arguments, .. } => {
                        Some(self.command(arguments))
                    }
                    _ => None,
                };
                Op::Healthcheck(HealthcheckSpec { cmd, options })
            }
            I::Shell(s) => Op::Shell(s.arguments.iter().map(|a| a.value.to_string()).collect()),
            I::Onbuild(o) => {
                let raw = &self.text[o.onbuild.span.end..next_start.max(o.onbuild.span.end)];
                Op::Onbuild(join_continuations(raw, self.escape))
            }
            I::Maintainer(m) => Op::Maintainer(m.name.value.to_string()),
            I::Run(_) => Op::Run,
            _ => {
                let word = self.text[span.start..]
                    .split_whitespace()
                    .next()
                    .unwrap_or_default();
                return Err(self.err(line, format!("unknown instruction {word}")));
            }
        };
        let raw = &self.text[span.start..next_start.max(span.start)];
        let text = join_continuations(raw, self.escape);
        Ok(Instruction { line, op, text })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn ops(text: &str) -> Vec<(usize, Op)> {
        parse(text, "Dockerfile")
            .unwrap()
            .instructions
            .into_iter()
            .map(|i| (i.line, i.op))
            .collect()
    }

    #[test]
    fn training_dockerfile() {
        let t = "FROM mcr.microsoft.com/dotnet/aspnet:8.0\nCOPY ./published /app\nWORKDIR /app\nEXPOSE 5000/tcp\nENV ASPNETCORE_URLS http://*:5000\nENTRYPOINT [\"dotnet\", \"test.dll\"]\n";
        let o = ops(t);
        assert_eq!(o.len(), 6);
        assert_eq!(
            o[0],
            (
                1,
                Op::From {
                    image: "mcr.microsoft.com/dotnet/aspnet:8.0".into(),
                    name: None,
                    platform: None
                }
            )
        );
        assert_eq!(
            o[1].1,
            Op::Copy {
                is_add: false,
                flags: CopyFlags::default(),
                sources: vec!["./published".into()],
                dest: "/app".into()
            }
        );
        assert_eq!(o[3], (4, Op::Expose(vec!["5000/tcp".into()])));
        assert_eq!(
            o[4],
            (
                5,
                Op::Env(vec![("ASPNETCORE_URLS".into(), "http://*:5000".into())])
            )
        );
        assert_eq!(
            o[5],
            (
                6,
                Op::Entrypoint(CommandForm::Exec(vec!["dotnet".into(), "test.dll".into()]))
            )
        );
    }

    #[test]
    fn comments_continuations_and_lines() {
        let t = "# syntax=docker/dockerfile:1\n# a comment\nFROM scratch AS Base\n\nCMD echo a \\\n# inside\n   b\nLABEL a=1 \\\n  b=\"two words\"\nUSER app\n";
        let o = ops(t);
        assert_eq!(
            o[0],
            (
                3,
                Op::From {
                    image: "scratch".into(),
                    name: Some("base".into()),
                    platform: None
                }
            )
        );
        assert_eq!(o[1], (5, Op::Cmd(CommandForm::Shell("echo a    b".into()))));
        assert_eq!(
            o[2],
            (
                8,
                Op::Label(vec![
                    ("a".into(), "1".into()),
                    ("b".into(), "\"two words\"".into())
                ])
            )
        );
        assert_eq!(o[3], (10, Op::User("app".into())));
    }

    #[test]
    fn escape_directive() {
        let t = "# escape=`\nFROM scratch\nWORKDIR C:\\app\nCOPY a `\n  b C:\\dst\\\n";
        let df = parse(t, "Dockerfile").unwrap();
        assert_eq!(df.escape, '`');
        assert_eq!(df.instructions[1].op, Op::Workdir("C:\\app".into()));
        match &df.instructions[2].op {
            Op::Copy { sources, dest, .. } => {
                assert_eq!(sources, &["a", "b"]);
                assert_eq!(dest, "C:\\dst\\");
            }
            o => panic!("{o:?}"),
        }
        // Not at the top: an ordinary comment.
        let t = "FROM scratch\n# escape=`\nWORKDIR C:\\app\n";
        assert_eq!(parse(t, "D").unwrap().escape, '\\');
    }

    #[test]
    fn flags_and_args() {
        let t = "ARG V=1 W\nFROM --platform=$BUILDPLATFORM img:$V AS b\nCOPY --from=b --chown=1:2 --chmod=644 --link a b /d/\nHEALTHCHECK --interval=5m --timeout=3s CMD curl -f http://localhost/ || exit 1\nHEALTHCHECK NONE\n";
        let o = ops(t);
        assert_eq!(
            o[0].1,
            Op::Arg(vec![("V".into(), Some("1".into())), ("W".into(), None)])
        );
        assert_eq!(
            o[1].1,
            Op::From {
                image: "img:$V".into(),
                name: Some("b".into()),
                platform: Some("$BUILDPLATFORM".into())
            }
        );
        match &o[2].1 {
            Op::Copy { flags, sources, .. } => {
                assert_eq!(flags.from.as_deref(), Some("b"));
                assert_eq!(flags.chown.as_deref(), Some("1:2"));
                assert_eq!(flags.chmod.as_deref(), Some("644"));
                assert!(flags.link);
                assert_eq!(sources.len(), 2);
            }
            o => panic!("{o:?}"),
        }
        match &o[3].1 {
            Op::Healthcheck(h) => {
                assert_eq!(
                    h.cmd,
                    Some(CommandForm::Shell(
                        "curl -f http://localhost/ || exit 1".into()
                    ))
                );
                assert_eq!(h.options[0], ("interval".into(), "5m".into()));
            }
            o => panic!("{o:?}"),
        }
        assert_eq!(
            o[4].1,
            Op::Healthcheck(HealthcheckSpec {
                cmd: None,
                options: vec![]
            })
        );
    }

    #[test]
    fn onbuild_volume_shell_run() {
        let t = "FROM scratch\nONBUILD COPY . /src\nVOLUME [\"/data\", \"/logs\"]\nVOLUME /a /b\nSHELL [\"/bin/bash\", \"-c\"]\nRUN make\n";
        let o = ops(t);
        assert_eq!(o[1].1, Op::Onbuild("COPY . /src".into()));
        assert_eq!(o[2].1, Op::Volume(vec!["/data".into(), "/logs".into()]));
        assert_eq!(o[3].1, Op::Volume(vec!["/a".into(), "/b".into()]));
        assert_eq!(o[4].1, Op::Shell(vec!["/bin/bash".into(), "-c".into()]));
        assert_eq!(o[5], (6, Op::Run));
    }

    #[test]
    fn instruction_text_as_written() {
        let t = "FROM scratch\nEXPOSE 5000/tcp\n# note\nCOPY --chown=1:1 a \\\n  b /d/\nENV A b\n";
        let df = parse(t, "Dockerfile").unwrap();
        let texts: Vec<&str> = df.instructions.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "FROM scratch",
                "EXPOSE 5000/tcp",
                "COPY --chown=1:1 a   b /d/",
                "ENV A b"
            ]
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = parse("FROM scratch\nFROBNICATE x\n", "Dockerfile").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Usage);
        assert!(e.to_string().starts_with("Dockerfile:2:"), "{e}");
        let e = parse("FROM scratch\nCOPY --bogus=1 a b\n", "Dockerfile").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Usage);
        assert_eq!(e.to_string(), "Dockerfile:2: unknown flag --bogus for COPY");
        let e = parse("FROM scratch\nCOPY <<EOF /x\nhi\nEOF\n", "Dockerfile").unwrap_err();
        assert!(e.to_string().contains("here-document"), "{e}");
        let e = parse("COPY a b\n", "Dockerfile").unwrap_err();
        assert!(e.to_string().starts_with("Dockerfile:1:"), "{e}");
        let e = parse("FROM scratch\nENV A\n", "Dockerfile").unwrap_err();
        assert_eq!(e.to_string(), "Dockerfile:2: ENV must have two arguments");
        let e = parse("FROM scratch\nENV A=1 B\n", "Dockerfile").unwrap_err();
        assert!(e.to_string().contains("can't find ="), "{e}");
    }

    #[test]
    fn words() {
        assert_eq!(
            split_words(r#"a="b c" d='e f' g\ h"#, '\\'),
            vec![r#"a="b c""#, "d='e f'", r"g\ h"]
        );
    }
}
