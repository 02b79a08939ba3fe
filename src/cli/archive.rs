//! `save REF… -o FILE` and `load -i FILE`: docker-like shortcuts between the local store and a
//! docker-archive.

use std::path::Path;

use imgctl::copy::{CopyOptions, copy_image};
use imgctl::error::{Error, Result};
use imgctl::location::{BareMeans, Location};
use imgctl::ops::load::{LoadJob, check_input, load_image, one_platform, plan};
use imgctl::store::Layout;
use imgctl::transport::docker_archive::DockerArchiveDestination;
use imgctl::transport::oci::LayoutSource;
use imgctl::transport::tar::ArchiveTarget;

use super::{FormatArg, GlobalOpts};

/// Prints one image's result on stdout, or on stderr when the archive itself takes stdout:
/// the digest (text) or `{"reference", "digest"}` (JSON; `reference` is null for an untagged
/// image, as in `images`).
fn print_result(g: &GlobalOpts, name: Option<&str>, digest: &str, to_stderr: bool) {
    let text = match g.format {
        FormatArg::Text => digest.to_string(),
        FormatArg::Json => {
            match serde_json::to_string_pretty(
                &serde_json::json!({"reference": name, "digest": digest}),
            ) {
                Ok(t) => t,
                Err(_) => return,
            }
        }
    };
    if to_stderr {
        errln!("{text}");
    } else {
        outln!("{text}");
    }
}

/// A scratch directory inside the store (same filesystem, cleaned up on drop) for an archive
/// read from stdin (it is spooled to a file: reading seeks).
fn scratch(g: &GlobalOpts) -> Result<tempfile::TempDir> {
    let dir = g.store_dir()?;
    Layout::open_or_create(&dir)?;
    tempfile::Builder::new()
        .prefix(".imgctl-stream-")
        .tempdir_in(&dir)
        .map_err(|e| {
            Error::other(format!(
                "cannot create a scratch directory in {}: {e}",
                dir.display()
            ))
        })
}

/// `imgctl save REF… -o FILE`: images of the store → one docker-archive. `-o -` (or a path
/// naming stdout, such as `/dev/stdout`) streams it to stdout, refused on a terminal; the
/// results (digests, or JSON documents) then go to stderr. Any other path is written as
/// [`ArchiveTarget::resolve`] decides: a file atomically, a FIFO or device in place.
pub async fn save(
    g: &GlobalOpts,
    references: &[String],
    output: &Path,
    platform: Option<&str>,
) -> Result<()> {
    let store_dir = g.store_dir()?;
    let store = Layout::open_or_create(&store_dir)?;
    let to_stdout = output.as_os_str() == "-";
    if to_stdout && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return Err(Error::usage(
            "refusing to write an archive to a terminal: redirect stdout (imgctl save IMAGE -o - > app.tar) or use -o FILE",
        ));
    }
    let (target, label) = if to_stdout {
        (
            ArchiveTarget::stdout()?,
            "docker-archive:- (stdout)".to_string(),
        )
    } else {
        (
            ArchiveTarget::resolve(output)?,
            format!("docker-archive:{}", output.display()),
        )
    };
    let results_to_stderr = target.is_stdout();
    let dst = DockerArchiveDestination::deferred(target, &store_dir, label)?;
    let opts = CopyOptions::new(one_platform(platform)?, g.jobs as usize);
    let reporter = g.reporter();
    for r in references {
        let reference = match Location::parse(r, BareMeans::Store)? {
            Location::Store(r) => r,
            other => {
                return Err(Error::usage(format!(
                    "save reads images of the local store; use copy for {other}"
                )));
            }
        };
        let name = reference.to_string();
        let src = LayoutSource::new(
            store.clone(),
            Some(name.clone()),
            format!("{name} (local store)"),
        );
        dst.set_reference(&reference);
        let report = copy_image(&src, &dst, &opts, &reporter)
            .await
            .map_err(|e| e.context(format!("cannot save {name}")))?;
        print_result(g, Some(&name), &report.digest, results_to_stderr);
    }
    dst.finish().await
}

/// `imgctl load [-i FILE]` (`-i -` or no `-i`: stdin, like `docker load`): every image of a docker-archive, or of an OCI
/// archive, → the store. Docker-archive images are named by their `RepoTags`; OCI-archive
/// images by their `io.containerd.image.name`, else their ref name when it is a full image
/// reference (has a `/`, `:` or `@`; a bare tag like `1` is not). An image without such a name is stored untagged: `imgctl images` lists it as
/// `<none>` and `imgctl tag DIGEST NAME` names it.
///
/// Errors: Usage when `input` is a directory (with a hint for an OCI layout) or a compressed
/// archive, or when the archive would come from stdin and stdin is a terminal; NotFound when
/// missing; Integrity when it is not a (safe) tar archive. An archive read from stdin is named
/// `stdin` in messages.
pub async fn load(g: &GlobalOpts, input: Option<&Path>, platform: Option<&str>) -> Result<()> {
    let store_dir = g.store_dir()?;
    let input = input.unwrap_or(Path::new("-"));
    let from_stdin = input.as_os_str() == "-";
    if from_stdin && std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(
            Error::usage("load reads the archive from stdin, which is a terminal").with_hint(
                "pipe an archive in (imgctl load < app.tar) or name it: imgctl load -i app.tar",
            ),
        );
    }
    if !from_stdin {
        check_input(input)?;
    }
    let shown = if from_stdin {
        "stdin".to_string()
    } else {
        input.display().to_string()
    };
    let scratch_dir;
    let input = if from_stdin {
        scratch_dir = scratch(g)?;
        let f = scratch_dir.path().join("stdin.tar");
        let mut out = std::fs::File::create(&f)?;
        std::io::copy(&mut std::io::stdin().lock(), &mut out)
            .map_err(|e| Error::other(format!("cannot read the archive from stdin: {e}")))?;
        f
    } else {
        input.to_path_buf()
    };
    let jobs = plan(&input, &shown, from_stdin).await?;
    let opts = CopyOptions::new(one_platform(platform)?, g.jobs as usize);
    let reporter = g.reporter();
    for LoadJob { source: src, names } in jobs {
        let targets: Vec<Option<String>> = if names.is_empty() {
            vec![None]
        } else {
            names.into_iter().map(Some).collect()
        };
        for name in targets {
            let report =
                load_image(src.as_ref(), &store_dir, name.as_deref(), &opts, &reporter).await?;
            if !g.quiet {
                match &name {
                    Some(n) => errln!("Loaded image: {n}"),
                    None => errln!(
                        "Loaded untagged image {}; name it with imgctl tag {} NAME",
                        report.digest,
                        report.digest
                    ),
                }
            }
            print_result(g, name.as_deref(), &report.digest, false);
        }
    }
    Ok(())
}
