//! `append`: add layers from tars, gzip-compressed tars or directories on top of an image, like
//! `crane append`, writing a new image through the copy engine (the existing layers mount or
//! are skipped, never re-uploaded).

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use imgctl::copy::{CopyOptions, Platforms, copy_image};
use imgctl::error::Result;
use imgctl::layer::pack::PackOptions;
use imgctl::location::{BareMeans, Location};
use imgctl::ops::append::{Append, pack_layers};
use imgctl::ops::edit::edit_image;
use imgctl::transport::ImageSource;
use imgctl::transport::open::{open_destination, open_source};

use super::{GlobalOpts, SideOpts, transfer};

/// Arguments of `imgctl append`.
#[derive(Args, Debug, Default)]
pub struct AppendArgs {
    /// The image to add layers to: REF, docker://REF, oci:DIR[:TAG], oci-archive:FILE[:TAG], store:REF
    pub source: String,
    /// A layer to add on top: a tar, a gzip-compressed tar (kept byte for byte) or a directory
    /// (packed with its contents at /); repeat for several layers, bottom first
    #[arg(short = 'f', long = "file", value_name = "LAYER", required = true)]
    pub files: Vec<PathBuf>,
    /// Where to write the result [default: SOURCE itself: a new digest under the same tag]
    #[arg(short = 't', long = "tag", value_name = "DST")]
    pub target: Option<String>,
    /// Add the layers only to these platforms of an index (OS/ARCH[/VARIANT], comma-separated) [default: all]
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
}

/// `imgctl append SRC -f LAYER… [-t DST]`: packs the layers first (bad input fails before
/// anything is read or written), then prints the new digest (or the JSON transfer result).
pub async fn append(g: &GlobalOpts, a: &AppendArgs) -> Result<()> {
    let platforms = match a.platform.as_deref() {
        None => Platforms::All,
        Some(p) => Platforms::List(imgctl::manifest::parse_platform_list(p)?),
    };
    let src_loc = Location::parse(&a.source, BareMeans::Registry)?;
    let dst_loc = match &a.target {
        Some(t) => Location::parse(t, BareMeans::Registry)?,
        None => src_loc.clone(),
    };
    let opts = PackOptions::from_env()?;
    let created = humantime::format_rfc3339_seconds(match opts.source_date_epoch {
        Some(s) => std::time::UNIX_EPOCH + std::time::Duration::from_secs(s),
        None => std::time::SystemTime::now(),
    })
    .to_string();
    // The packed layers live in a temp dir removed when this returns (after the write).
    let temp = tempfile::Builder::new()
        .prefix("imgctl-append-")
        .tempdir()?;
    let files = a.files.clone();
    let temp_path = temp.path().to_path_buf();
    let layers = tokio::task::spawn_blocking(move || pack_layers(&files, &opts, &temp_path))
        .await
        .map_err(|e| imgctl::error::Error::other(format!("packing worker: {e}")))??;
    let store = g.store_dir()?;
    let client = g.client(&SideOpts::default())?;
    let src: Arc<dyn ImageSource> = Arc::from(open_source(&src_loc, &client, &store)?);
    let edit = Append::new(layers, created);
    let edited = edit_image(src.clone(), &platforms, &edit)
        .await
        .map_err(|e| e.context(format!("append to {}", src.describe())))?;
    let dst = open_destination(&dst_loc, &client, &store)?;
    let copy_opts = CopyOptions::new(Platforms::All, g.jobs as usize);
    let report = copy_image(&edited, dst.as_ref(), &copy_opts, &g.reporter())
        .await
        .map_err(|e| e.context(format!("writing {} failed", dst.describe())))?;
    drop(edited);
    drop(temp);
    let mut v = serde_json::to_value(&report)?;
    v["source"] = src.describe().into();
    v["destination"] = dst.describe().into();
    transfer::print_result(g, &v, transfer::archive_on_stdout(&dst_loc))
}
