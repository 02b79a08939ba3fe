//! `mutate`: change an image's config (entrypoint, cmd, env, labels, user, workdir, ports,
//! created) and annotations, like `crane mutate` / `regctl image mod`, writing a new image
//! through the copy engine (unchanged layers mount or are skipped, never re-uploaded).

use std::sync::Arc;

use async_trait::async_trait;
use clap::Args;
use imgctl::copy::{CopyOptions, Platforms, copy_image};
use imgctl::error::{Error, Result};
use imgctl::location::{BareMeans, Location};
use imgctl::ops::edit::{ImageEdit, ImageEditor, edit_image};
use imgctl::transport::ImageSource;
use imgctl::transport::open::{open_destination, open_source};
use serde_json::Value;

use super::{GlobalOpts, SideOpts, transfer};

/// Arguments of `imgctl mutate`.
#[derive(Args, Debug, Default)]
pub struct MutateArgs {
    /// The image to change: REF, docker://REF, oci:DIR[:TAG], oci-archive:FILE[:TAG], store:REF
    pub source: String,
    /// Where to write the result [default: SOURCE itself: a new digest under the same tag]
    #[arg(short = 't', long = "tag", value_name = "DST")]
    pub target: Option<String>,
    /// New entrypoint: a JSON array (`["/app","--serve"]`) or words split like a shell; '' clears it
    #[arg(long, value_name = "ARGV", allow_hyphen_values = true)]
    pub entrypoint: Option<String>,
    /// New default arguments (Cmd), as --entrypoint; '' clears them
    #[arg(long, value_name = "ARGV", allow_hyphen_values = true)]
    pub cmd: Option<String>,
    /// Set an environment variable (replaces the same KEY in place)
    #[arg(long, value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Remove an environment variable
    #[arg(long, value_name = "KEY")]
    pub env_rm: Vec<String>,
    /// Set a config label
    #[arg(long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Remove a config label
    #[arg(long, value_name = "KEY")]
    pub label_rm: Vec<String>,
    /// Set a manifest annotation (also on the index when SOURCE is one)
    #[arg(long, value_name = "KEY=VALUE")]
    pub annotation: Vec<String>,
    /// Set the user (NAME, UID, UID:GID)
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Set the working directory
    #[arg(long, value_name = "DIR")]
    pub workdir: Option<String>,
    /// Expose a port (PORT/PROTO, e.g. 8080/tcp; a bare PORT means tcp)
    #[arg(long, value_name = "PORT/PROTO")]
    pub expose: Vec<String>,
    /// Set the creation time: an RFC 3339 date-time or `now`
    #[arg(long, value_name = "TIME|now")]
    pub created: Option<String>,
    /// Change only these platforms of an index (OS/ARCH[/VARIANT], comma-separated) [default: all]
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
}

/// Splits `KEY=VALUE` (Usage error naming `flag` otherwise).
fn key_value<'a>(flag: &str, s: &'a str) -> Result<(&'a str, &'a str)> {
    s.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| Error::usage(format!("--{flag} {s:?}: expected KEY=VALUE")))
}

/// An argv from a JSON array of strings or a shell-ish string; `None` for an empty string.
fn argv(flag: &str, s: &str) -> Result<Option<Vec<String>>> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.starts_with('[') {
        return serde_json::from_str::<Vec<String>>(t)
            .map(Some)
            .map_err(|e| {
                Error::usage(format!("--{flag} {s:?}: not a JSON array of strings: {e}"))
            });
    }
    shlex::split(t)
        .map(Some)
        .ok_or_else(|| Error::usage(format!("--{flag} {s:?}: unbalanced quotes")))
}

/// The edit `mutate` applies, validated from its flags.
#[derive(Debug, Default)]
struct Mutation {
    entrypoint: Option<Option<Vec<String>>>,
    cmd: Option<Option<Vec<String>>>,
    env: Vec<(String, String)>,
    env_rm: Vec<String>,
    labels: Vec<(String, String)>,
    labels_rm: Vec<String>,
    annotations: Vec<(String, String)>,
    user: Option<String>,
    workdir: Option<String>,
    expose: Vec<String>,
    created: Option<String>,
}

impl Mutation {
    /// Errors (Usage) on malformed flags, or none at all (a new image equal to the old one is
    /// no change), before anything is read.
    fn from_args(a: &MutateArgs) -> Result<Mutation> {
        let pairs = |flag: &str, v: &[String]| -> Result<Vec<(String, String)>> {
            v.iter()
                .map(|s| key_value(flag, s).map(|(k, v)| (k.to_string(), v.to_string())))
                .collect()
        };
        let expose = a
            .expose
            .iter()
            .map(|p| {
                let (port, proto) = p.split_once('/').unwrap_or((p, "tcp"));
                let ok = port.parse::<u16>().is_ok_and(|n| n > 0)
                    && matches!(proto, "tcp" | "udp" | "sctp");
                if ok {
                    Ok(format!("{port}/{proto}"))
                } else {
                    Err(Error::usage(format!(
                        "--expose {p:?}: expected PORT[/tcp|udp|sctp], e.g. 8080/tcp"
                    )))
                }
            })
            .collect::<Result<Vec<_>>>()?;
        let created = match a.created.as_deref() {
            None => None,
            Some("now") => {
                Some(humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string())
            }
            Some(t) => {
                humantime::parse_rfc3339_weak(t).map_err(|e| {
                    Error::usage(format!(
                        "--created {t:?}: expected an RFC 3339 time (2024-01-02T03:04:05Z) or now: {e}"
                    ))
                })?;
                Some(t.to_string())
            }
        };
        let m = Mutation {
            entrypoint: a
                .entrypoint
                .as_deref()
                .map(|s| argv("entrypoint", s))
                .transpose()?,
            cmd: a.cmd.as_deref().map(|s| argv("cmd", s)).transpose()?,
            env: pairs("env", &a.env)?,
            env_rm: a.env_rm.clone(),
            labels: pairs("label", &a.label)?,
            labels_rm: a.label_rm.clone(),
            annotations: pairs("annotation", &a.annotation)?,
            user: a.user.clone(),
            workdir: a.workdir.clone(),
            expose,
            created,
        };
        if m.changes_nothing() {
            return Err(Error::usage(
                "nothing to change: give at least one of --entrypoint, --cmd, --env, --env-rm, \
                 --label, --label-rm, --annotation, --user, --workdir, --expose, --created",
            )
            .with_hint("to copy an image unchanged, use imgctl copy SRC DST"));
        }
        Ok(m)
    }

    /// Whether no flag asks for a change (every field named: a new one must be counted).
    fn changes_nothing(&self) -> bool {
        let Mutation {
            entrypoint,
            cmd,
            env,
            env_rm,
            labels,
            labels_rm,
            annotations,
            user,
            workdir,
            expose,
            created,
        } = self;
        entrypoint.is_none()
            && cmd.is_none()
            && env.is_empty()
            && env_rm.is_empty()
            && labels.is_empty()
            && labels_rm.is_empty()
            && annotations.is_empty()
            && user.is_none()
            && workdir.is_none()
            && expose.is_empty()
            && created.is_none()
    }
}

#[async_trait]
impl ImageEditor for Mutation {
    async fn edit(&self, _src: &dyn ImageSource, image: &mut ImageEdit) -> Result<()> {
        if let Some(e) = &self.entrypoint {
            image.set_entrypoint(e.clone());
        }
        if let Some(c) = &self.cmd {
            image.set_cmd(c.clone());
        }
        for k in &self.env_rm {
            image.remove_env(k);
        }
        for (k, v) in &self.env {
            image.set_env(k, v);
        }
        for k in &self.labels_rm {
            image.remove_label(k);
        }
        for (k, v) in &self.labels {
            image.set_label(k, v);
        }
        if let Some(u) = &self.user {
            image.set_user(u);
        }
        if let Some(w) = &self.workdir {
            image.set_workdir(w);
        }
        for p in &self.expose {
            image.expose(p);
        }
        if let Some(c) = &self.created {
            image.set_created(c);
        }
        for (k, v) in &self.annotations {
            image.set_annotation(k, v);
        }
        Ok(())
    }

    fn edit_index(&self, index: &mut Value) -> Result<()> {
        if self.annotations.is_empty() {
            return Ok(());
        }
        let Some(obj) = index.as_object_mut() else {
            return Ok(());
        };
        let a = obj
            .entry("annotations")
            .or_insert_with(|| Value::Object(Default::default()));
        if !a.is_object() {
            *a = Value::Object(Default::default());
        }
        for (k, v) in &self.annotations {
            a[k] = Value::from(v.as_str());
        }
        Ok(())
    }
}

/// `imgctl mutate SRC [-t DST] …`: prints the new digest (or the JSON transfer result).
pub async fn mutate(g: &GlobalOpts, a: &MutateArgs) -> Result<()> {
    let mutation = Mutation::from_args(a)?;
    let platforms = match a.platform.as_deref() {
        None => Platforms::All,
        Some(p) => Platforms::List(imgctl::manifest::parse_platform_list(p)?),
    };
    let src_loc = Location::parse(&a.source, BareMeans::Registry)?;
    let dst_loc = match &a.target {
        Some(t) => Location::parse(t, BareMeans::Registry)?,
        None => src_loc.clone(),
    };
    let store = g.store_dir()?;
    let client = g.client(&SideOpts::default())?;
    let src: Arc<dyn ImageSource> = Arc::from(open_source(&src_loc, &client, &store)?);
    let edited = edit_image(src.clone(), &platforms, &mutation)
        .await
        .map_err(|e| e.context(format!("mutate {}", src.describe())))?;
    let dst = open_destination(&dst_loc, &client, &store)?;
    let opts = CopyOptions::new(Platforms::All, g.jobs as usize);
    let report = copy_image(&edited, dst.as_ref(), &opts, &g.reporter())
        .await
        .map_err(|e| e.context(format!("writing {} failed", dst.describe())))?;
    let mut v = serde_json::to_value(&report)?;
    v["source"] = src.describe().into();
    v["destination"] = dst.describe().into();
    transfer::print_result(g, &v, transfer::archive_on_stdout(&dst_loc))
}
