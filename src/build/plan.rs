//! The build plan (issue 14): stages with their base and typed steps, after `ARG` scoping,
//! `--build-arg`, `--target` and variable expansion in exactly the instructions Docker expands
//! (ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR, ARG defaults; FROM
//! with global ARGs only). Instructions that need a container runtime (`RUN`) are refused here,
//! before any work. Pure: the base images' configs come in through [`BaseConfig`].

use std::collections::{BTreeMap, BTreeSet};

use super::dockerfile::{CommandForm, Dockerfile, Instruction, Op};
use super::subst;
use crate::error::{Error, Result};
pub use forms::join_path;
use forms::{go_duration, go_list};

/// What the plan needs of a base image's config (OCI image config `config` fields).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BaseConfig {
    /// `Env` as `K=V` strings.
    pub env: Vec<String>,
    /// `WorkingDir` (empty = `/`).
    pub workdir: String,
    /// Docker's `Shell`, if set.
    pub shell: Option<Vec<String>>,
    /// Docker's `OnBuild` triggers.
    pub onbuild: Vec<String>,
}

/// Inputs besides the Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// `--build-arg K=V`.
    pub build_args: BTreeMap<String, String>,
    /// `--target STAGE` (a name or index); default the last stage.
    pub target: Option<String>,
    /// The platform built for, `os/arch[/variant]` (gives `TARGETPLATFORM` …).
    pub target_platform: String,
    /// The platform imgctl runs on (gives `BUILDPLATFORM` …).
    pub build_platform: String,
}

/// Where a stage starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Base {
    /// `FROM scratch`: no layers, an empty config.
    Scratch,
    /// A registry or store reference, as expanded.
    Image(String),
    /// An earlier stage, by index.
    Stage(usize),
}

/// Where `COPY` reads from.
#[derive(Debug, Clone, PartialEq)]
pub enum CopyFrom {
    /// The build context.
    Context,
    /// An earlier stage's result.
    Stage(usize),
    /// An image reference's files.
    Image(String),
}

/// A `COPY`/`ADD` step, expanded.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyStep {
    /// Sources as written (relative to the context or the `from` root; may hold wildcards).
    pub sources: Vec<String>,
    /// Absolute destination (`WORKDIR` applied); ends with `/` when it names a directory.
    pub dest: String,
    /// Where the sources come from.
    pub from: CopyFrom,
    /// `--chown` value.
    pub chown: Option<String>,
    /// `--chmod` mode bits.
    pub chmod: Option<u32>,
    /// `ADD` (local tar archives are extracted).
    pub is_add: bool,
    /// No source uses a variable, so the sources do not depend on the base images'
    /// environments and can be checked before any base is read.
    pub literal_sources: bool,
}

/// A `HEALTHCHECK` in Docker's config form (durations in nanoseconds).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Healthcheck {
    /// `["NONE"]`, `["CMD", …]` or `["CMD-SHELL", cmd]`.
    pub test: Vec<String>,
    /// Nanoseconds, 0 = Docker's default.
    pub interval: u64,
    /// Nanoseconds.
    pub timeout: u64,
    /// Nanoseconds.
    pub start_period: u64,
    /// Nanoseconds.
    pub start_interval: u64,
    /// Retries, 0 = default.
    pub retries: u64,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq)]
pub enum StepOp {
    /// Adds a layer.
    Copy(CopyStep),
    /// Sets variables.
    Env(Vec<(String, String)>),
    /// Sets labels.
    Label(Vec<(String, String)>),
    /// Sets the absolute working directory.
    Workdir(String),
    /// Adds `port/proto` entries.
    Expose(Vec<String>),
    /// Sets the user.
    User(String),
    /// Adds volumes.
    Volume(Vec<String>),
    /// Sets the stop signal.
    StopSignal(String),
    /// Sets the entrypoint (and resets an inherited CMD).
    Entrypoint(Vec<String>),
    /// Sets CMD.
    Cmd(Vec<String>),
    /// Sets the healthcheck.
    Healthcheck(Healthcheck),
    /// Sets the shell for later shell forms.
    Shell(Vec<String>),
    /// Records a trigger.
    Onbuild(String),
    /// Declares build args (name, resolved value).
    Arg(Vec<(String, Option<String>)>),
    /// Sets the author.
    Maintainer(String),
}

/// A step with its Dockerfile line, the instruction as written and the history `created_by`
/// text Docker writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// 1-based line.
    pub line: usize,
    /// The instruction as the user wrote it, variables expanded where Docker expands them
    /// (e.g. `EXPOSE 5000/tcp`): for `STEP` lines and messages.
    pub text: String,
    /// History text (e.g. `EXPOSE map[5000/tcp:{}]`, `COPY ./published /app # buildkit`).
    pub created_by: String,
    /// What it does.
    pub op: StepOp,
}

impl Step {
    /// True for steps that add no layer (history `empty_layer`).
    pub fn empty_layer(&self) -> bool {
        !matches!(self.op, StepOp::Copy(_))
    }
}

/// A stage of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// The `AS` name, lowercase.
    pub name: Option<String>,
    /// Its base.
    pub base: Base,
    /// `FROM --platform`, expanded.
    pub platform: Option<String>,
    /// The FROM line.
    pub line: usize,
    /// Steps in order.
    pub steps: Vec<Step>,
    /// Whether the target needs this stage (others are not built, as with BuildKit).
    pub needed: bool,
}

/// The typed plan: every stage; `target` is the one whose result is the image.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildPlan {
    /// Stages in Dockerfile order.
    pub stages: Vec<Stage>,
    /// Index of the target stage.
    pub target: usize,
    /// `--build-arg`s no ARG consumed (Docker warns about them).
    pub unused_build_args: Vec<String>,
}

/// `PATH` as BuildKit and buildah set it in a stage whose image has none (not on Windows):
/// moby's `DefaultPathEnv`.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// An image a needed stage reads: a `FROM` base or a `COPY --from` image.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BaseRef {
    /// The reference, as expanded.
    pub reference: String,
    /// `FROM --platform`, as expanded (`None`: the platform being built).
    pub platform: Option<String>,
    /// The line that names it.
    pub line: usize,
}

/// A plan made before any base image is read (every base config empty): enough to find the
/// images to read ([`base_images`]), the refusals, and the COPY sources that do not depend on
/// the bases' environments.
pub fn pre_plan(df: &Dockerfile, opts: &PlanOptions) -> Result<BuildPlan> {
    plan(df, opts, &|_, _| Some(BaseConfig::default()))
}

/// The images the needed stages of `p` read (FROM and `COPY --from`), each once per platform,
/// in Dockerfile order.
pub fn base_images(p: &BuildPlan) -> Vec<BaseRef> {
    let mut out: Vec<BaseRef> = Vec::new();
    let mut push = |r: &str, platform: Option<&String>, line: usize| {
        if !out
            .iter()
            .any(|b| b.reference == r && b.platform.as_ref() == platform)
        {
            out.push(BaseRef {
                reference: r.to_string(),
                platform: platform.cloned(),
                line,
            });
        }
    };
    for s in p.stages.iter().filter(|s| s.needed) {
        if let Base::Image(r) = &s.base {
            push(r, s.platform.as_ref(), s.line);
        }
        for st in &s.steps {
            if let StepOp::Copy(CopyStep {
                from: CopyFrom::Image(r),
                ..
            }) = &st.op
            {
                push(r, None, st.line);
            }
        }
    }
    out
}

/// Platform args (`TARGETPLATFORM`, `TARGETOS`, …) for `p` = `os/arch[/variant]`.
fn platform_args(prefix: &str, p: &str, out: &mut BTreeMap<String, String>) {
    let mut parts = p.split('/');
    out.insert(format!("{prefix}PLATFORM"), p.to_string());
    out.insert(
        format!("{prefix}OS"),
        parts.next().unwrap_or_default().into(),
    );
    out.insert(
        format!("{prefix}ARCH"),
        parts.next().unwrap_or_default().into(),
    );
    out.insert(
        format!("{prefix}VARIANT"),
        parts.next().unwrap_or_default().into(),
    );
}

/// Whether `name` is one of Docker's automatic platform ARGs (`TARGETPLATFORM`, `TARGETOS`,
/// `TARGETARCH`, `TARGETVARIANT`, and the same with `BUILD`).
fn is_platform_arg(name: &str) -> bool {
    ["TARGET", "BUILD"].iter().any(|p| {
        name.strip_prefix(p)
            .is_some_and(|r| matches!(r, "PLATFORM" | "OS" | "ARCH" | "VARIANT"))
    })
}

fn env_map(env: &[String]) -> Vec<(String, String)> {
    env.iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (kv.clone(), String::new()),
        })
        .collect()
}

/// Builds the plan for one target platform. `base` gives an image base's config for a
/// reference and its `FROM --platform` (`None`: the reference is unknown, which the caller
/// reports). Errors (kind Usage, `FILE:LINE: …`): RUN
/// in any stage, an unknown stage or `--target`, a blank base name after expansion, bad
/// substitutions, ports, modes or durations, ADD of a URL, several sources into a file.
pub fn plan(
    df: &Dockerfile,
    opts: &PlanOptions,
    base: &dyn Fn(&str, Option<&str>) -> Option<BaseConfig>,
) -> Result<BuildPlan> {
    let file = &df.file;
    let err = |line: usize, msg: String| Error::usage(format!("{file}:{line}: {msg}"));
    let esc = df.escape;
    let mut used_args: BTreeSet<String> = BTreeSet::new();

    // Global scope: platform args, then ARGs before the first FROM.
    let mut global: BTreeMap<String, String> = BTreeMap::new();
    platform_args("TARGET", &opts.target_platform, &mut global);
    platform_args("BUILD", &opts.build_platform, &mut global);
    let mut global_declared: BTreeMap<String, Option<String>> = BTreeMap::new();
    let first_from = df
        .instructions
        .iter()
        .position(|i| matches!(i.op, Op::From { .. }))
        .unwrap_or(df.instructions.len());
    for ins in &df.instructions[..first_from] {
        if let Op::Arg(args) = &ins.op {
            for (k, d) in args {
                let v = match opts.build_args.get(k) {
                    Some(v) => {
                        used_args.insert(k.clone());
                        Some(v.clone())
                    }
                    None => match d {
                        Some(d) => Some(
                            subst::expand(d, esc, &|n| global.get(n).cloned())
                                .map_err(|m| err(ins.line, format!("ARG: {m}")))?,
                        ),
                        None => None,
                    },
                };
                if let Some(v) = &v {
                    global.insert(k.clone(), v.clone());
                }
                global_declared.insert(k.clone(), v);
            }
        }
    }

    // Split into stages.
    let mut heads: Vec<(&Instruction, &[Instruction])> = Vec::new();
    let mut i = first_from;
    while i < df.instructions.len() {
        let end = df.instructions[i + 1..]
            .iter()
            .position(|x| matches!(x.op, Op::From { .. }))
            .map(|p| i + 1 + p)
            .unwrap_or(df.instructions.len());
        heads.push((&df.instructions[i], &df.instructions[i + 1..end]));
        i = end;
    }
    let names: Vec<Option<String>> = heads
        .iter()
        .map(|(f, _)| match &f.op {
            Op::From { name, .. } => name.clone(),
            _ => None,
        })
        .collect();
    let find_stage = |r: &str, before: usize| -> Option<usize> {
        let lower = r.to_lowercase();
        if let Some(i) = names[..before]
            .iter()
            .position(|n| n.as_deref() == Some(lower.as_str()))
        {
            return Some(i);
        }
        r.parse::<usize>().ok().filter(|&i| i < before)
    };

    let mut stages: Vec<Stage> = Vec::new();
    // Final state per stage, for stages built on stages.
    let mut finals: Vec<BaseConfig> = Vec::new();
    for (si, (from, body)) in heads.iter().enumerate() {
        let Op::From {
            image,
            name,
            platform,
        } = &from.op
        else {
            unreachable!("stages start with FROM")
        };
        let gx = |w: &str| {
            subst::expand(w, esc, &|n| global.get(n).cloned())
                .map_err(|m| err(from.line, format!("FROM: {m}")))
        };
        let img = gx(image)?;
        if img.is_empty() {
            return Err(err(
                from.line,
                format!("base name ({image}) should not be blank"),
            )
            .with_hint("set the ARG it uses with a default or --build-arg"));
        }
        let platform = platform.as_deref().map(gx).transpose()?;
        let (base_kind, cfg) = if img.eq_ignore_ascii_case("scratch") {
            (Base::Scratch, BaseConfig::default())
        } else if let Some(i) = find_stage(&img, si).filter(|_| !img.contains([':', '/', '@'])) {
            (Base::Stage(i), finals[i].clone())
        } else {
            let cfg = base(&img, platform.as_deref()).unwrap_or_default();
            (Base::Image(img.clone()), cfg)
        };
        if !cfg.onbuild.is_empty() {
            return Err(err(
                from.line,
                format!("base image {img} has ONBUILD triggers, which imgctl build does not run"),
            ));
        }
        let mut env: Vec<(String, String)> = env_map(&cfg.env);
        // BuildKit and buildah give every stage a PATH (config::apply writes the same).
        let os = platform
            .as_deref()
            .unwrap_or(&opts.target_platform)
            .split('/')
            .next()
            .unwrap_or_default();
        if os != "windows" && !env.iter().any(|(k, _)| k == "PATH") {
            env.push(("PATH".into(), DEFAULT_PATH.into()));
        }
        let mut args: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut workdir = if cfg.workdir.is_empty() {
            "/".to_string()
        } else {
            cfg.workdir.clone()
        };
        let mut shell = cfg
            .shell
            .clone()
            .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()]);
        let mut steps = Vec::new();
        for ins in body.iter() {
            let line = ins.line;
            let kw = ins.op.keyword();
            // ENV wins over ARG of the same name.
            let lookup = |n: &str| -> Option<String> {
                env.iter()
                    .rev()
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| v.clone())
                    .or_else(|| args.get(n).cloned().flatten())
            };
            let x = |w: &str| {
                subst::expand(w, esc, &lookup).map_err(|m| err(line, format!("{kw}: {m}")))
            };
            // What the STEP line shows: the text as written, expanded where Docker expands.
            let text = match &ins.op {
                Op::Copy { .. }
                | Op::Env(_)
                | Op::Expose(_)
                | Op::Label(_)
                | Op::StopSignal(_)
                | Op::User(_)
                | Op::Volume(_)
                | Op::Workdir(_)
                | Op::Arg(_) => {
                    subst::expand_text(&ins.text, esc, &lookup).unwrap_or_else(|_| ins.text.clone())
                }
                _ => ins.text.clone(),
            };
            let shellify = |c: &CommandForm| match c {
                CommandForm::Exec(v) => v.clone(),
                CommandForm::Shell(s) => {
                    let mut v = shell.clone();
                    v.push(s.clone());
                    v
                }
            };
            let (op, created_by) = match &ins.op {
                Op::Run => {
                    return Err(err(
                        line,
                        "RUN needs a container runtime, which imgctl build does not use".into(),
                    )
                    .with_hint(
                        "build those steps elsewhere (docker, buildah) and use the result as the \
                         base image; imgctl builds RUN-less Dockerfiles",
                    ));
                }
                Op::From { .. } => unreachable!("FROM starts a stage"),
                Op::Arg(list) => {
                    let mut out = Vec::new();
                    for (k, d) in list {
                        let v = if let Some(v) = opts.build_args.get(k) {
                            used_args.insert(k.clone());
                            Some(v.clone())
                        } else if let Some(d) = d {
                            Some(x(d)?)
                        } else if let Some(v) = global_declared.get(k) {
                            v.clone()
                        } else if is_platform_arg(k) {
                            // Docker's automatic platform ARGs: a stage's bare `ARG TARGETARCH`
                            // takes the value of the platform being built.
                            global.get(k).cloned()
                        } else {
                            None
                        };
                        out.push((k.clone(), v));
                    }
                    for (k, v) in &out {
                        args.insert(k.clone(), v.clone());
                    }
                    let text: Vec<String> = out
                        .iter()
                        .map(|(k, v)| match v {
                            Some(v) => format!("{k}={v}"),
                            None => k.clone(),
                        })
                        .collect();
                    (StepOp::Arg(out), format!("ARG {}", text.join(" ")))
                }
                Op::Env(pairs) | Op::Label(pairs) => {
                    let mut out = Vec::new();
                    for (k, v) in pairs {
                        out.push((x(k)?, x(v)?));
                    }
                    let text: Vec<String> = out.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    let created = format!("{kw} {}", text.join(" "));
                    if matches!(ins.op, Op::Env(_)) {
                        for (k, v) in &out {
                            env.retain(|(ek, _)| ek != k);
                            env.push((k.clone(), v.clone()));
                        }
                        (StepOp::Env(out), created)
                    } else {
                        (StepOp::Label(out), created)
                    }
                }
                Op::Copy {
                    is_add,
                    flags,
                    sources,
                    dest,
                } => {
                    let literal_sources = !sources.iter().any(|s| s.contains('$'));
                    let sources = sources.iter().map(|s| x(s)).collect::<Result<Vec<_>>>()?;
                    if sources.is_empty() {
                        return Err(err(line, format!("{kw} needs a source and a destination")));
                    }
                    for s in &sources {
                        if s.contains("://") || s.starts_with("git@") {
                            return Err(err(
                                line,
                                format!("{kw} of a URL ({s}) is not supported by imgctl build"),
                            )
                            .with_hint("download the file into the build context and COPY it"));
                        }
                    }
                    let d = x(dest)?;
                    let is_dir = d.ends_with('/') || d == "." || d.ends_with("/.");
                    if sources.len() > 1 && !is_dir {
                        return Err(err(
                            line,
                            format!(
                                "when using {kw} with more than one source file, the destination must be a directory and end with a /"
                            ),
                        ));
                    }
                    let mut abs = join_path(&workdir, &d);
                    if is_dir && !abs.ends_with('/') {
                        abs.push('/');
                    }
                    let from = match &flags.from {
                        None => CopyFrom::Context,
                        Some(f) => {
                            let f = x(f)?;
                            match find_stage(&f, si) {
                                Some(i) => CopyFrom::Stage(i),
                                None if names
                                    .iter()
                                    .any(|n| n.as_deref() == Some(&*f.to_lowercase()))
                                    || f.parse::<usize>().is_ok() =>
                                {
                                    return Err(err(
                                        line,
                                        format!(
                                            "{kw} --from={f}: stage {f} is not defined before this one"
                                        ),
                                    ));
                                }
                                None => CopyFrom::Image(f),
                            }
                        }
                    };
                    let chown = flags.chown.as_deref().map(x).transpose()?;
                    let chmod = match flags.chmod.as_deref().map(x).transpose()? {
                        None => None,
                        Some(m) => Some(
                            u32::from_str_radix(&m, 8)
                                .ok()
                                .filter(|v| *v <= 0o7777)
                                .ok_or_else(|| {
                                    err(line, format!("{kw} --chmod={m}: not an octal mode"))
                                })?,
                        ),
                    };
                    let mut created = kw.to_string();
                    if let Some(f) = &flags.from {
                        created.push_str(&format!(" --from={f}"));
                    }
                    if let Some(c) = &chown {
                        created.push_str(&format!(" --chown={c}"));
                    }
                    if let Some(m) = &flags.chmod {
                        created.push_str(&format!(" --chmod={m}"));
                    }
                    created.push_str(&format!(" {} {d} # buildkit", sources.join(" ")));
                    (
                        StepOp::Copy(CopyStep {
                            sources,
                            dest: abs,
                            from,
                            chown,
                            chmod,
                            is_add: *is_add,
                            literal_sources,
                        }),
                        created,
                    )
                }
                Op::Workdir(w) => {
                    workdir = join_path(&workdir, &x(w)?);
                    (
                        StepOp::Workdir(workdir.clone()),
                        format!("WORKDIR {workdir}"),
                    )
                }
                Op::Expose(ports) => {
                    let mut out = Vec::new();
                    for p in ports {
                        let p = x(p)?;
                        let (num, proto) = p.split_once('/').unwrap_or((&p, "tcp"));
                        let proto = proto.to_lowercase();
                        let bad = || err(line, format!("EXPOSE: invalid port {p:?}"));
                        if !["tcp", "udp", "sctp"].contains(&proto.as_str()) {
                            return Err(bad());
                        }
                        let (lo, hi) = num.split_once('-').unwrap_or((num, num));
                        let lo: u16 = lo.parse().map_err(|_| bad())?;
                        let hi: u16 = hi.parse().map_err(|_| bad())?;
                        if hi < lo {
                            return Err(bad());
                        }
                        for n in lo..=hi {
                            out.push(format!("{n}/{proto}"));
                        }
                    }
                    let map: Vec<String> = out.iter().map(|p| format!("{p}:{{}}")).collect();
                    (
                        StepOp::Expose(out),
                        format!("EXPOSE map[{}]", map.join(" ")),
                    )
                }
                Op::User(u) => {
                    let u = x(u)?;
                    (StepOp::User(u.clone()), format!("USER {u}"))
                }
                Op::Volume(v) => {
                    let v = v.iter().map(|s| x(s)).collect::<Result<Vec<_>>>()?;
                    if v.iter().any(|s| s.trim().is_empty()) {
                        return Err(err(
                            line,
                            "VOLUME specified can not be an empty string".into(),
                        ));
                    }
                    let c = format!("VOLUME [{}]", v.join(" "));
                    (StepOp::Volume(v), c)
                }
                Op::StopSignal(s) => {
                    let s = x(s)?;
                    (StepOp::StopSignal(s.clone()), format!("STOPSIGNAL {s}"))
                }
                Op::Entrypoint(c) => {
                    let v = shellify(c);
                    let t = format!("ENTRYPOINT {}", go_list(&v));
                    (StepOp::Entrypoint(v), t)
                }
                Op::Cmd(c) => {
                    let v = shellify(c);
                    let t = format!("CMD {}", go_list(&v));
                    (StepOp::Cmd(v), t)
                }
                Op::Healthcheck(h) => {
                    let mut hc = Healthcheck {
                        test: match &h.cmd {
                            None => vec!["NONE".into()],
                            Some(CommandForm::Exec(v)) => {
                                let mut t = vec!["CMD".to_string()];
                                t.extend(v.iter().cloned());
                                t
                            }
                            Some(CommandForm::Shell(s)) => vec!["CMD-SHELL".into(), s.clone()],
                        },
                        ..Healthcheck::default()
                    };
                    for (k, v) in &h.options {
                        let d = || {
                            go_duration(v).ok_or_else(|| {
                                err(line, format!("HEALTHCHECK --{k}={v}: not a duration"))
                            })
                        };
                        match k.as_str() {
                            "interval" => hc.interval = d()?,
                            "timeout" => hc.timeout = d()?,
                            "start-period" => hc.start_period = d()?,
                            "start-interval" => hc.start_interval = d()?,
                            _ => {
                                hc.retries = v.parse().map_err(|_| {
                                    err(line, format!("HEALTHCHECK --retries={v}: not a number"))
                                })?
                            }
                        }
                    }
                    let t = format!("HEALTHCHECK {}", go_list(&hc.test));
                    (StepOp::Healthcheck(hc), t)
                }
                Op::Shell(v) => {
                    shell = v.clone();
                    (StepOp::Shell(v.clone()), format!("SHELL {}", go_list(v)))
                }
                Op::Onbuild(t) => (StepOp::Onbuild(t.clone()), format!("ONBUILD {t}")),
                Op::Maintainer(m) => (StepOp::Maintainer(m.clone()), format!("MAINTAINER {m}")),
            };
            steps.push(Step {
                line,
                text,
                created_by,
                op,
            });
        }
        finals.push(BaseConfig {
            env: env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            workdir,
            shell: Some(shell),
            onbuild: Vec::new(),
        });
        stages.push(Stage {
            name: name.clone(),
            base: base_kind,
            platform,
            line: from.line,
            steps,
            needed: false,
        });
    }

    let target = match &opts.target {
        None => stages.len() - 1,
        Some(t) => find_stage(t, stages.len()).ok_or_else(|| {
            Error::usage(format!("{file}: target stage {t:?} could not be found"))
        })?,
    };
    // Mark the target and what it depends on.
    let mut todo = vec![target];
    while let Some(i) = todo.pop() {
        if stages[i].needed {
            continue;
        }
        stages[i].needed = true;
        if let Base::Stage(b) = stages[i].base {
            todo.push(b);
        }
        for s in &stages[i].steps {
            if let StepOp::Copy(CopyStep {
                from: CopyFrom::Stage(b),
                ..
            }) = s.op
            {
                todo.push(b);
            }
        }
    }
    let unused_build_args = opts
        .build_args
        .keys()
        .filter(|k| !used_args.contains(*k))
        .cloned()
        .collect();
    Ok(BuildPlan {
        stages,
        target,
        unused_build_args,
    })
}

mod forms;
#[cfg(test)]
mod tests;
