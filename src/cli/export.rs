//! `imgctl export SRC [-o FILE|-] [--platform P]`: an image's flattened root filesystem as one
//! tar (like `crane export`).

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use imgctl::error::{Error, Result};
use imgctl::manifest::Manifest;
use imgctl::ops::inspect::for_platform;
use imgctl::transport::open_source;
use imgctl::transport::tar::ArchiveTarget;

use super::{GlobalOpts, SideOpts};

/// `export`'s arguments.
#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// Image location: REF, docker://REF, oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REF], store:REF
    pub source: String,
    /// Write the tar to FILE (replaced atomically), or `-` for stdout [default: stdout when it is not a terminal]
    #[arg(short, long, value_name = "FILE|-")]
    pub output: Option<PathBuf>,
    /// The platform's image of an index: OS/ARCH[/VARIANT] [default: the host's]
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
}

/// Runs `export`: resolves the image (a platform of an index), then streams its flattened
/// filesystem ([`imgctl::rootfs::export`]) to the file or stdout.
///
/// Errors: Usage when no `-o` is given and stdout is a terminal, or FILE cannot be a file (a
/// directory, a missing directory on the way: checked first, as archive outputs are); the
/// source's errors; Integrity for a malformed layer (nothing is left at FILE then).
pub async fn export(g: &GlobalOpts, a: &ExportArgs) -> Result<()> {
    let to_stdout = match &a.output {
        Some(p) => p.as_os_str() == "-",
        None => {
            if std::io::stdout().is_terminal() {
                return Err(Error::usage(
                    "export writes a tar: give -o FILE, or -o - to write it to the terminal",
                ));
            }
            true
        }
    };
    // FILE as archive outputs take it: a file replaced atomically, a device or FIFO written
    // into; refused before anything is read.
    let target = match &a.output {
        Some(p) if !to_stdout => Some(ArchiveTarget::resolve_output(p)?),
        _ => None,
    };
    let loc = super::inspect::resolve_bare(g, &a.source)?;
    let client = g.client(&SideOpts::default())?;
    let src = open_source(&loc, &client, &g.store_dir()?)?;
    let root = src.root_manifest().await?;
    let (m, _) = for_platform(src.as_ref(), root, a.platform.as_deref(), true).await?;
    let Manifest::Image(img) = Manifest::parse(&m.bytes, &m.media_type)? else {
        return Err(Error::integrity(format!(
            "{} names an index inside an index; give --platform",
            src.describe()
        )));
    };
    let Some(target) = target else {
        let out =
            imgctl::rootfs::export(src.as_ref(), &img, BufWriter::new(std::io::stdout())).await?;
        out.into_inner()
            .map_err(|e| Error::from(e.into_error()))?
            .flush()?;
        return Ok(());
    };
    // A temp file beside the target, renamed over it only when the whole tar is written.
    let writer = target.open_writer(".imgctl-export-")?;
    let out = imgctl::rootfs::export(src.as_ref(), &img, BufWriter::new(writer)).await?;
    let writer = out.into_inner().map_err(|e| {
        Error::other(format!(
            "cannot write {}: {}",
            target.path().display(),
            e.error()
        ))
    })?;
    writer.commit()?;
    if !g.quiet {
        errln!("exported {} to {}", src.describe(), target.path().display());
    }
    Ok(())
}
