//! `build`: a RUN-less Dockerfile into an image, without a daemon (issue 14). Args → the
//! build op → the copy engine to each destination → print.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

use clap::Args;
use imgctl::copy::{CopyOptions, Platforms, copy_image};
use imgctl::error::{Error, Result};
use imgctl::location::{BareMeans, Location};
use imgctl::ops::build::{BuildRequest, build as run_build};
use imgctl::transport::open::open_destination;
use serde_json::{Value, json};

use super::{GlobalOpts, SideOpts, transfer};

/// Arguments of `imgctl build`.
#[derive(Args, Debug, Default)]
pub struct BuildArgs {
    /// The build context: the directory COPY and ADD read from
    #[arg(default_value = ".")]
    pub context: PathBuf,
    /// The Dockerfile [default: CONTEXT/Dockerfile]; `-` reads it from stdin
    #[arg(short = 'f', long = "file", value_name = "FILE|-")]
    pub file: Option<PathBuf>,
    /// Name the image: into the local store (default), or pushed with --push; repeatable
    #[arg(short = 't', long = "tag", value_name = "REF")]
    pub tags: Vec<String>,
    /// Set a build argument (an ARG's value)
    #[arg(long = "build-arg", value_name = "KEY=VALUE")]
    pub build_args: Vec<String>,
    /// Set a label on the image's config (after the Dockerfile's LABELs)
    #[arg(long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Build for these platforms (OS/ARCH[/VARIANT], comma-separated); several give an image index [default: the host's]
    #[arg(long, value_name = "OS/ARCH[/VARIANT],…")]
    pub platform: Option<String>,
    /// Build this stage (a name or index) instead of the last
    #[arg(long, value_name = "STAGE")]
    pub target: Option<String>,
    /// Push the image to each --tag's registry instead of the local store
    #[arg(long)]
    pub push: bool,
    /// Also write the image to LOCATION (oci:DIR[:TAG], oci-archive:FILE, docker-archive:FILE[:REF], docker://REF)
    #[arg(long, value_name = "LOCATION")]
    pub output: Vec<String>,
    /// Write the image's digest to FILE
    #[arg(long, value_name = "FILE")]
    pub iidfile: Option<PathBuf>,
}

/// Splits `KEY=VALUE` (Usage error naming `flag` otherwise); docker's `--build-arg KEY`
/// takes the value from the environment.
fn key_value(flag: &str, s: &str, env_fallback: bool) -> Result<Option<(String, String)>> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok(Some((k.into(), v.into()))),
        None if env_fallback && !s.is_empty() => {
            Ok(std::env::var(s).ok().map(|v| (s.to_string(), v)))
        }
        _ => Err(Error::usage(format!("--{flag} {s:?}: expected KEY=VALUE"))),
    }
}

/// `imgctl build [CONTEXT] [-f FILE|-] [-t REF]…`: builds, then writes the result to every
/// destination (nothing is written when the build fails), prints the digest or the JSON
/// document.
pub async fn build(g: &GlobalOpts, a: &BuildArgs) -> Result<()> {
    let mut build_args = BTreeMap::new();
    for s in &a.build_args {
        if let Some((k, v)) = key_value("build-arg", s, true)? {
            build_args.insert(k, v);
        }
    }
    let labels = a
        .label
        .iter()
        .map(|s| key_value("label", s, false).map(|kv| kv.expect("labels need =")))
        .collect::<Result<Vec<_>>>()?;
    // Destinations are checked before any work, so a typo costs nothing.
    let mut destinations: Vec<Location> = Vec::new();
    // The tags as the store and the registry name them (`app:1` → `docker.io/library/app:1`).
    let mut tags: Vec<String> = Vec::new();
    for t in &a.tags {
        let loc = Location::parse(t, BareMeans::Registry)?;
        let Location::Registry(r) = loc else {
            return Err(Error::usage(format!(
                "-t {t}: a tag is an image reference (NAME[:TAG]); write other locations with --output"
            )));
        };
        tags.push(r.to_string());
        destinations.push(if a.push {
            Location::Registry(r)
        } else {
            Location::Store(r)
        });
    }
    if a.push && a.tags.is_empty() {
        return Err(Error::usage("--push needs at least one -t REF to push to"));
    }
    for o in &a.output {
        destinations.push(Location::parse(o, BareMeans::Registry)?);
    }
    let (dockerfile, dockerfile_name) = match a.file.as_deref() {
        Some(p) if p.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Error::usage(format!("cannot read the Dockerfile from stdin: {e}")))?;
            (s, "-".to_string())
        }
        Some(p) => (read_dockerfile(p)?, p.display().to_string()),
        None => {
            let p = a.context.join("Dockerfile");
            (read_dockerfile(&p)?, p.display().to_string())
        }
    };
    let store = g.store_dir()?;
    let temp = tempfile::Builder::new().prefix("imgctl-build-").tempdir()?;
    let req = BuildRequest {
        dockerfile,
        dockerfile_name,
        context: a.context.clone(),
        build_args,
        labels,
        target: a.target.clone(),
        platforms: a.platform.iter().cloned().collect(),
        store_dir: store.clone(),
        temp_dir: temp.path().to_path_buf(),
    };
    let client = g.client(&SideOpts::default())?;
    let reporter = g.reporter();
    let built = run_build(&req, &client, &reporter).await?;
    if destinations.is_empty() {
        reporter.line(
            "warning: no -t, --push or --output: the image was built and not written anywhere",
        );
    }
    // The transfer counts of the first registry destination; null when nothing went to one.
    let mut blobs = Value::Null;
    for loc in &destinations {
        let dst = open_destination(loc, &client, &store)?;
        let copy_opts = CopyOptions::new(Platforms::All, g.jobs as usize);
        let report = copy_image(&built.source, dst.as_ref(), &copy_opts, &reporter)
            .await
            .map_err(|e| e.context(format!("writing {} failed", dst.describe())))?;
        let v = serde_json::to_value(&report)?;
        // The counts of the first destination a registry holds (what --push moved).
        if matches!(loc, Location::Registry(_)) && blobs.is_null() {
            blobs = v.get("blobs").cloned().unwrap_or(Value::Null);
        }
    }
    if let Some(f) = &a.iidfile {
        write_iidfile(f, &built.digest.to_string())?;
    }
    let v = json!({
        "digest": built.digest.to_string(),
        "mediaType": built.media_type,
        "tags": tags,
        "platforms": built.platforms,
        "layers": built.layers,
        "blobs": blobs,
    });
    let on_stdout = destinations.iter().any(transfer::archive_on_stdout);
    transfer::print_result(g, &v, on_stdout)
}

fn read_dockerfile(p: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(p).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            Error::not_found(format!("{}: no such Dockerfile", p.display()))
        }
        _ => Error::usage(format!("{}: {e}", p.display())),
    })
}

/// Writes `digest` to `path` atomically (temp file beside it, then rename).
fn write_iidfile(path: &std::path::Path, digest: &str) -> Result<()> {
    use std::io::Write;
    let what = |e: std::io::Error| Error::usage(format!("--iidfile {}: {e}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(what)?;
    tmp.write_all(digest.as_bytes()).map_err(what)?;
    tmp.persist(path).map_err(|e| what(e.error))?;
    Ok(())
}
