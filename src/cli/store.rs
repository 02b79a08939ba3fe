//! Store management (`images`, `rmi`, `tag`, `prune`) and registry queries (`tags`).

use indicatif::HumanBytes;

use imgctl::error::{Error, ErrorKind, Result};
use imgctl::location::parse_registry;
use imgctl::ops::retag::retag;
use imgctl::ops::store::{list_images, remove_image, resolve_image, tag_image};
use imgctl::registry::Client;
use imgctl::store::Layout;

use super::{FormatArg, GlobalOpts, SideOpts};

/// `imgctl images`.
pub fn images(g: &GlobalOpts) -> Result<()> {
    let layout = Layout::open_or_create(&g.store_dir()?)?;
    let rows = list_images(&layout)?;
    match g.format {
        FormatArg::Json => {
            print_json(&serde_json::to_value(&rows)?)?;
        }
        FormatArg::Text => {
            let w = rows
                .iter()
                .map(|r| r.reference.as_deref().map_or(6, str::len))
                .max()
                .unwrap_or(0)
                .max(9);
            outln!(
                "{:<w$}  {:<71}  {:>10}  PLATFORM",
                "REFERENCE",
                "DIGEST",
                "SIZE"
            );
            for r in rows {
                let n = r.reference.as_deref().unwrap_or("<none>");
                outln!(
                    "{n:<w$}  {:<71}  {:>10}  {}",
                    r.digest,
                    HumanBytes(r.size).to_string(),
                    r.platforms.join(",")
                );
            }
        }
    }
    Ok(())
}

fn print_json(v: &serde_json::Value) -> Result<()> {
    outln!(
        "{}",
        serde_json::to_string_pretty(v).map_err(|e| Error::other(e.to_string()))?
    );
    Ok(())
}

/// `imgctl rmi IMAGE…`: removes each image that exists (by name, or every entry of a digest),
/// reports each missing one, then deletes blobs nothing references. Like docker, one missing
/// image does not stop the others; the run fails (NotFound) at the end if any was missing.
pub fn rmi(g: &GlobalOpts, references: &[String]) -> Result<()> {
    let layout = Layout::open_or_create(&g.store_dir()?)?;
    // Malformed input is a usage error before anything is removed.
    let mut targets = Vec::new();
    let mut missing: Vec<(String, Error)> = Vec::new();
    for r in references {
        match resolve_image(&layout, r) {
            Ok(t) => targets.push(t),
            Err(e) if e.kind() == ErrorKind::NotFound => missing.push((r.clone(), e)),
            Err(e) => return Err(e),
        }
    }
    let mut removed = Vec::new();
    for t in &targets {
        let result = remove_image(&layout, t);
        match result {
            Ok(list) => {
                for (name, digest) in list {
                    if g.format == FormatArg::Text {
                        match &name {
                            Some(n) => outln!("Untagged: {n} ({digest})"),
                            None => outln!("Deleted: {digest}"),
                        }
                    }
                    removed.push(serde_json::json!({"reference": name, "digest": digest}));
                }
            }
            Err(e) if e.kind() == ErrorKind::NotFound => missing.push((t.to_string(), e)),
            Err(e) => return Err(e),
        }
    }
    let stats = if removed.is_empty() {
        None
    } else {
        Some(layout.gc()?)
    };
    if let Some(stats) = &stats {
        if stats.deferred {
            // Shown even with --quiet: disk space the user expected back is not freed yet.
            errln!(
                "note: another imgctl process is writing into the store; unused blobs were kept \
                 and are deleted by the next rmi"
            );
        } else if !g.quiet {
            errln!(
                "Deleted {} blobs ({})",
                stats.blobs,
                HumanBytes(stats.bytes)
            );
        }
    }
    if g.format == FormatArg::Json {
        print_json(&serde_json::json!({
            "removed": removed,
            "missing": missing.iter().map(|(m, _)| m).collect::<Vec<_>>(),
            "blobsDeleted": stats.as_ref().map_or(0, |s| s.blobs),
            "bytesFreed": stats.as_ref().map_or(0, |s| s.bytes),
            "gcDeferred": stats.as_ref().is_some_and(|s| s.deferred),
        }))?;
    }
    match missing.len() {
        0 => Ok(()),
        1 if references.len() == 1 => Err(missing.remove(0).1),
        n => {
            for (_, e) in &missing {
                errln!("error: {e}");
            }
            Err(Error::not_found(format!(
                "{n} of {} images not found in the local store",
                references.len()
            ))
            .with_hint("list the store with `imgctl images`"))
        }
    }
}

/// `imgctl prune`: deletes the store's partial downloads (those no running imgctl is
/// writing), the temp files of abandoned writes and the blobs no image references
/// ([`Layout::prune`]). Only deletes, so it works on a full disk. Prints `Total reclaimed
/// space: …` (as `docker image prune` does), or `{"partialDownloads", "partialDownloadsInUse",
/// "tempFiles", "blobsDeleted", "bytesFreed", "gcDeferred"}` with `--format json`.
///
/// Errors: the layout's (a missing or corrupt manifest stops the blob collection, after the
/// partial downloads and temp files are gone).
pub fn prune(g: &GlobalOpts) -> Result<()> {
    let layout = Layout::open_or_create(&g.store_dir()?)?;
    let stats = layout.prune()?;
    let freed = stats.bytes + stats.gc.bytes;
    if stats.partials_in_use > 0 {
        errln!(
            "note: {} partial downloads are being written by a running imgctl and were kept",
            stats.partials_in_use
        );
    }
    if stats.gc.deferred {
        errln!(
            "note: another imgctl process is writing into the store; unused blobs were kept \
             and are deleted by the next prune or rmi"
        );
    }
    match g.format {
        FormatArg::Json => print_json(&serde_json::json!({
            "partialDownloads": stats.partials,
            "partialDownloadsInUse": stats.partials_in_use,
            "tempFiles": stats.temp_files,
            "blobsDeleted": stats.gc.blobs,
            "bytesFreed": freed,
            "gcDeferred": stats.gc.deferred,
        })),
        FormatArg::Text => {
            if !g.quiet {
                errln!(
                    "Deleted {} partial downloads, {} temp files, {} unused blobs",
                    stats.partials,
                    stats.temp_files,
                    stats.gc.blobs
                );
            }
            outln!("Total reclaimed space: {}", HumanBytes(freed));
            Ok(())
        }
    }
}

/// `imgctl tag SRC DST…` (store; SRC by name or digest) or `imgctl tag docker://REF TAG…`
/// (registry retag). Prints the digest, or `{"digest", "tagged": [names]}` with `--format json`.
pub async fn tag(g: &GlobalOpts, source: &str, targets: &[String]) -> Result<()> {
    let (digest, tagged) = if source.starts_with("docker://") {
        let r = parse_registry(source, "tag docker://", false)?;
        let client: Client = g.client(&SideOpts::default())?;
        let (digest, tagged) = retag(&client, &r, targets, &mut |new| {
            if !g.quiet {
                errln!("Tagged {new}");
            }
        })
        .await?;
        let tagged: Vec<String> = tagged.iter().map(ToString::to_string).collect();
        (digest.to_string(), tagged)
    } else {
        let layout = Layout::open_or_create(&g.store_dir()?)?;
        tag_image(&layout, source, targets)?
    };
    match g.format {
        FormatArg::Text => outln!("{digest}"),
        FormatArg::Json => print_json(&serde_json::json!({"digest": digest, "tagged": tagged}))?,
    }
    Ok(())
}

/// `imgctl tags REPO`.
pub async fn tags(g: &GlobalOpts, repository: &str, page_size: Option<u32>) -> Result<()> {
    let r = parse_registry(repository, "tags", true)?;
    let client = g.client(&SideOpts::default())?;
    let tags = client
        .repository(&r.registry, &r.repository)
        .tags_paged(page_size)
        .await?;
    match g.format {
        FormatArg::Json => print_json(&serde_json::json!({"repository": r.name(), "tags": tags}))?,
        FormatArg::Text => {
            for t in tags {
                outln!("{t}");
            }
        }
    }
    Ok(())
}
