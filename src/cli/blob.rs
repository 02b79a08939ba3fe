//! `blob`: print or save one blob of a registry repository (verified), or upload a file as one.

use std::path::PathBuf;

use clap::Args;
use imgctl::error::{Error, Result};
use imgctl::location::parse_registry;
use imgctl::ops::blob;

use super::{FormatArg, GlobalOpts, SideOpts};

/// Arguments of `imgctl blob`.
#[derive(Args, Debug)]
pub struct BlobArgs {
    /// REPO@DIGEST to read, or with --put the repository to upload to
    pub target: String,
    /// With --put: the file to upload, or - for stdin
    #[arg(value_name = "FILE|-")]
    pub file: Option<PathBuf>,
    /// Where to write the blob: a file (written atomically once verified) or - for stdout [default: -]
    #[arg(short, long, value_name = "FILE|-")]
    pub output: Option<PathBuf>,
    /// Upload FILE (or stdin: -) to the repository REPO (no tag: a blob has none) as a blob and print its digest
    #[arg(long)]
    pub put: bool,
}

/// `imgctl blob REPO@DIGEST [-o FILE|-]` and `imgctl blob --put REPO FILE|-`.
pub async fn blob(g: &GlobalOpts, a: &BlobArgs) -> Result<()> {
    let client = g.client(&SideOpts::default())?;
    if a.put {
        let file = a.file.as_ref().ok_or_else(|| {
            Error::usage("blob --put REPO FILE: name the file to upload (- for stdin)")
        })?;
        let r = parse_registry(&a.target, "blob --put", true)?;
        if r.tag.is_some() || r.digest.is_some() {
            let repo = format!("{}/{}", r.registry, r.repository);
            return Err(Error::usage(format!(
                "blob --put {}: a blob has no tag or digest to upload to; name the repository alone",
                a.target
            ))
            .with_hint(format!("imgctl blob --put {repo} FILE (the digest is printed)")));
        }
        let repo = client.repository(&r.registry, &r.repository);
        let (digest, size) = if file.as_os_str() == "-" {
            let mut stdin = tokio::io::stdin();
            blob::put_stream(&repo, &mut stdin, &std::env::temp_dir()).await?
        } else {
            blob::put_file(&repo, file).await?
        };
        match g.format {
            FormatArg::Text => outln!("{digest}"),
            FormatArg::Json => outln!(
                "{}",
                serde_json::json!({"digest": digest.to_string(), "size": size,
                    "repository": format!("{}/{}", r.registry, r.repository)})
            ),
        }
        return Ok(());
    }
    if a.file.is_some() {
        return Err(Error::usage(
            "blob REPO@DIGEST takes no FILE (upload with --put)",
        ));
    }
    let r = parse_registry(&a.target, "blob", false)?;
    let digest = r.digest.clone().ok_or_else(|| {
        Error::usage(format!("blob {}: name the blob as REPO@sha256:…", a.target))
    })?;
    let repo = client.repository(&r.registry, &r.repository);
    match a.output.as_deref() {
        Some(p) if p.as_os_str() != "-" => {
            blob::fetch_to_file(&repo, &digest, p).await?;
        }
        _ => {
            let mut out = tokio::io::stdout();
            blob::fetch(&repo, &digest, &mut out).await?;
        }
    }
    Ok(())
}
