//! `pull`, `push`, `copy`: one transfer between two locations.

use imgctl::copy::{CopyOptions, Platforms, copy_image};
use imgctl::error::{Error, Result};
use imgctl::location::{BareMeans, Location};
use imgctl::manifest::PlatformSpec;
use imgctl::ops::edit::edit_image;
use imgctl::ops::recompress::{LayerCompression, Recompress};
use imgctl::reference::Reference;
use imgctl::transport::open::{open_destination, open_source};

use super::{FormatArg, GlobalOpts, PlatformOpts, SideOpts};

fn platforms(p: &PlatformOpts) -> Result<Platforms> {
    Ok(match (&p.platform, p.all_platforms) {
        (_, true) => Platforms::All,
        (Some(s), false) => {
            let mut list = imgctl::manifest::parse_platform_list(s)?;
            if list.len() == 1 {
                Platforms::One(list.remove(0))
            } else {
                Platforms::List(list)
            }
        }
        (None, false) => Platforms::One(PlatformSpec::host()),
    })
}

/// Runs one transfer; returns its JSON result document (digest, platforms, blobs, source,
/// destination, reference), printed by [`print_result`].
async fn transfer(
    g: &GlobalOpts,
    src_loc: &Location,
    dst_loc: &Location,
    plat: &PlatformOpts,
    src_side: &SideOpts,
    dst_side: &SideOpts,
    compress: Option<(&str, Option<i32>)>,
) -> Result<serde_json::Value> {
    let store = g.store_dir()?;
    let platforms = platforms(plat)?;
    let src_client = g.client(src_side)?;
    let dst_client = if src_side.creds == dst_side.creds
        && src_side.ca_files == dst_side.ca_files
        && src_side.insecure == dst_side.insecure
    {
        src_client.clone()
    } else {
        g.client(dst_side)?
    };
    let src: std::sync::Arc<dyn imgctl::transport::ImageSource> =
        std::sync::Arc::from(open_source(src_loc, &src_client, &store)?);
    let dst = open_destination(dst_loc, &dst_client, &store)?;
    let reporter = g.reporter();
    // --compress: the layers are converted first (into temp files removed at the end), then
    // the edited image is copied like any other.
    let temp = match compress {
        Some(_) => Some(
            tempfile::Builder::new()
                .prefix("imgctl-compress-")
                .tempdir()?,
        ),
        None => None,
    };
    let recompress = match (compress, &temp) {
        (Some((to, level)), Some(t)) => Some(Recompress::new(
            LayerCompression::parse(to)?,
            level,
            t.path().to_path_buf(),
            g.jobs as usize,
        )?),
        _ => None,
    };
    let edited = match &recompress {
        Some(r) => Some(
            edit_image(src.clone(), &platforms, r)
                .await
                .map_err(|e| e.context(format!("recompressing {}", src.describe())))?,
        ),
        None => None,
    };
    let from: &dyn imgctl::transport::ImageSource = match &edited {
        Some(e) => e,
        None => src.as_ref(),
    };
    let opts = CopyOptions::new(platforms, g.jobs as usize);
    let report = copy_image(from, dst.as_ref(), &opts, &reporter)
        .await
        .map_err(|e| {
            e.context(format!(
                "copy {} → {} failed",
                src.describe(),
                dst.describe()
            ))
        })?;
    let mut v = serde_json::to_value(&report).map_err(|e| Error::other(e.to_string()))?;
    if let Some(r) = &recompress {
        let converted = r.converted();
        for c in &converted {
            reporter.line(&format!(
                "recompressed {} ({}, {} bytes) → {} ({}, {} bytes)",
                c.from, c.from_compression, c.from_size, c.to, c.to_compression, c.to_size
            ));
        }
        v["recompressed"] = serde_json::to_value(&converted)?;
    }
    drop(edited);
    drop(temp);
    // as locations a user can type: the store is `store:REF`, not "REF (local store)"
    let location = |l: &Location, described: String| match l {
        Location::Store(r) => format!("store:{r}"),
        Location::StoreDigest(d) => format!("store:{d}"),
        _ => described,
    };
    v["source"] = location(src_loc, src.describe()).into();
    v["destination"] = location(dst_loc, dst.describe()).into();
    v["reference"] = match dst_loc {
        Location::Registry(r) | Location::Store(r) => r.to_string(),
        Location::StoreDigest(d) => d.to_string(),
        other => other.to_string(),
    }
    .into();
    Ok(v)
}

/// Prints a transfer's result: its digest (text) or the whole document (JSON), on stdout, or
/// on stderr when `to_stderr` (the archive written took stdout, see [`archive_on_stdout`]).
pub fn print_result(g: &GlobalOpts, v: &serde_json::Value, to_stderr: bool) -> Result<()> {
    let text = match g.format {
        FormatArg::Text => v["digest"].as_str().unwrap_or_default().to_string(),
        FormatArg::Json => {
            serde_json::to_string_pretty(v).map_err(|e| Error::other(e.to_string()))?
        }
    };
    if to_stderr {
        errln!("{text}");
    } else {
        outln!("{text}");
    }
    Ok(())
}

/// Whether destination `dst` is an archive written to this process's stdout
/// (`docker-archive:/dev/stdout`, `oci-archive:/proc/self/fd/1`, …): stdout then carries the
/// archive alone, and the result goes to stderr.
pub fn archive_on_stdout(dst: &Location) -> bool {
    match dst {
        Location::OciArchive { path, .. } | Location::DockerArchive { path, .. } => {
            imgctl::transport::tar::is_stdout(path)
        }
        _ => false,
    }
}

/// [`archive_on_stdout`] for an unparsed destination (false when it does not parse).
pub fn destination_on_stdout(destination: &str) -> bool {
    Location::parse(destination, BareMeans::Registry).is_ok_and(|l| archive_on_stdout(&l))
}

/// `imgctl pull REF`: registry → store, named by the full normalised reference.
pub async fn pull(g: &GlobalOpts, reference: &str, plat: &PlatformOpts) -> Result<()> {
    let r = Reference::parse(reference.strip_prefix("docker://").unwrap_or(reference))?;
    transfer(
        g,
        &Location::Registry(r.clone()),
        &Location::Store(r),
        plat,
        &SideOpts::default(),
        &SideOpts::default(),
        None,
    )
    .await
    .and_then(|v| print_result(g, &v, false))
}

/// `imgctl push IMAGE [DEST]`: store → any location; DEST defaults to the image's own
/// reference in its registry.
pub async fn push(g: &GlobalOpts, reference: &str, destination: Option<&str>) -> Result<()> {
    let src = Location::parse(reference, BareMeans::Store)?;
    let dst = match destination {
        Some(d) => Location::parse(d, BareMeans::Registry)?,
        None => match &src {
            Location::Store(r) => Location::Registry(r.clone()),
            other => {
                return Err(Error::usage(format!(
                    "push {other}: name the destination, e.g. imgctl push {other} registry.example.com/app:1"
                )));
            }
        },
    };
    let all = PlatformOpts {
        platform: None,
        all_platforms: true,
    };
    let to_stderr = archive_on_stdout(&dst);
    transfer(
        g,
        &src,
        &dst,
        &all,
        &SideOpts::default(),
        &SideOpts::default(),
        None,
    )
    .await
    .and_then(|v| print_result(g, &v, to_stderr))
}

/// `imgctl copy SRC DST`: returns the result document, printed by the caller (after
/// `--referrers` added its counts).
pub async fn copy(
    g: &GlobalOpts,
    source: &str,
    destination: &str,
    plat: &PlatformOpts,
    src_side: &SideOpts,
    dst_side: &SideOpts,
    compress: Option<(&str, Option<i32>)>,
) -> Result<serde_json::Value> {
    let src = Location::parse(source, BareMeans::Registry)?;
    let dst = Location::parse(destination, BareMeans::Registry)?;
    transfer(g, &src, &dst, plat, src_side, dst_side, compress).await
}
