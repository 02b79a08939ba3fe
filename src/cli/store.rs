//! Store management (`images`, `rmi`, `tag`, `prune`) and registry queries (`tags`).

use indicatif::HumanBytes;
use oci_spec::image::Descriptor;

use imgctl::digest::Digest;
use imgctl::error::{Error, ErrorKind, Result};
use imgctl::location::{BareMeans, Location, parse_registry};
use imgctl::manifest::{Manifest, descriptor_digest, platform_string};
use imgctl::registry::Client;
use imgctl::store::{Layout, REF_NAME};

use super::{FormatArg, GlobalOpts, SideOpts};

/// Size in bytes of everything `desc` references that is present, and its platforms.
fn summarize(layout: &Layout, desc: &Descriptor, depth: usize) -> Result<(u64, Vec<String>)> {
    let digest = descriptor_digest(desc)?;
    let bytes = layout.read_blob_bytes(&digest)?;
    let mt = imgctl::manifest::detect_media_type(&bytes, Some(desc.media_type().as_ref()))?;
    let mut size = bytes.len() as u64;
    let mut platforms = Vec::new();
    match Manifest::parse(&bytes, &mt)? {
        Manifest::Image(m) => {
            size += m.config().size() + m.layers().iter().map(|l| l.size()).sum::<u64>();
            if let Some(p) = desc.platform() {
                platforms.push(platform_string(p));
            } else if let Ok(cfg) = layout.read_blob_bytes(&descriptor_digest(m.config())?) {
                #[derive(serde::Deserialize)]
                struct Cfg {
                    os: Option<String>,
                    architecture: Option<String>,
                    variant: Option<String>,
                }
                if let Ok(c) = serde_json::from_slice::<Cfg>(&cfg)
                    && let (Some(os), Some(arch)) = (c.os, c.architecture)
                {
                    let mut s = format!("{os}/{arch}");
                    if let Some(v) = c.variant.filter(|v| !v.is_empty()) {
                        s = format!("{s}/{v}");
                    }
                    platforms.push(s);
                }
            }
        }
        Manifest::Index(i) if depth < 4 => {
            for child in i.manifests() {
                if layout.has_blob(&descriptor_digest(child)?) {
                    let (s, p) = summarize(layout, child, depth + 1)?;
                    size += s;
                    if let Some(cp) = child.platform() {
                        platforms.push(platform_string(cp));
                    } else {
                        platforms.extend(p);
                    }
                }
            }
        }
        Manifest::Index(_) => {}
    }
    platforms.retain(|p| p != "unknown/unknown");
    Ok((size, platforms))
}

/// `imgctl images`.
pub fn images(g: &GlobalOpts) -> Result<()> {
    type Row = (Option<String>, String, u64, Vec<String>);
    let layout = Layout::open_or_create(&g.store_dir()?)?;
    let mut rows: Vec<Row> = Vec::new();
    for d in layout.manifests()? {
        // Untagged entries (an archive image without names) show as `<none>`, like docker.
        let name = d
            .annotations()
            .as_ref()
            .and_then(|a| a.get(REF_NAME))
            .cloned();
        let digest = d.digest().to_string();
        if name.is_none() && rows.iter().any(|r: &Row| r.0.is_none() && r.1 == digest) {
            continue;
        }
        let (size, platforms) = summarize(&layout, &d, 0)?;
        rows.push((name, digest, size, platforms));
    }
    // Named images first (sorted), then untagged ones.
    rows.sort_by(|a, b| (a.0.is_none(), &a.0, &a.1).cmp(&(b.0.is_none(), &b.0, &b.1)));
    match g.format {
        FormatArg::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|(n, d, s, p)| serde_json::json!({"reference": n, "digest": d, "size": s, "platforms": p}))
                .collect();
            outln!(
                "{}",
                serde_json::to_string_pretty(&v).map_err(|e| Error::other(e.to_string()))?
            );
        }
        FormatArg::Text => {
            let w = rows
                .iter()
                .map(|r| r.0.as_deref().map_or(6, str::len))
                .max()
                .unwrap_or(0)
                .max(9);
            outln!(
                "{:<w$}  {:<71}  {:>10}  PLATFORM",
                "REFERENCE",
                "DIGEST",
                "SIZE"
            );
            for (n, d, s, p) in rows {
                let n = n.as_deref().unwrap_or("<none>");
                outln!(
                    "{n:<w$}  {d:<71}  {:>10}  {}",
                    HumanBytes(s).to_string(),
                    p.join(",")
                );
            }
        }
    }
    Ok(())
}

/// An image of the store as the user named it: by reference, or by manifest digest.
enum StoreImage {
    /// A full normalised reference (`alpine` → `docker.io/library/alpine:latest`).
    Name(String),
    /// A manifest digest (from `sha256:HEX`, `store:sha256:HEX` or a hex prefix).
    Digest(Digest),
}

impl std::fmt::Display for StoreImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreImage::Name(n) => f.write_str(n),
            StoreImage::Digest(d) => write!(f, "{d}"),
        }
    }
}

/// Whether `s` looks like a digest or a digest prefix (`sha256:HEX…`, or ≥ 12 hex digits).
fn digest_like(s: &str) -> Option<&str> {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    let ok = hex.len() >= 12 && hex.len() <= 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    (ok && (s.starts_with("sha256:") || hex.bytes().all(|b| !b.is_ascii_uppercase())))
        .then_some(hex)
}

/// Resolves a user-typed store image: `REF`, `store:REF`, `sha256:HEX`, `store:sha256:HEX`, or
/// a digest prefix of at least 12 hex digits (matched against the store's entries).
///
/// Errors: Usage for another transport's location or an ambiguous prefix; NotFound for a
/// prefix nothing matches.
fn store_image(layout: &Layout, s: &str) -> Result<StoreImage> {
    let bare = s.strip_prefix("store:").unwrap_or(s);
    if let Some(hex) = bare.strip_prefix("sha256:")
        && hex.len() < 12
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Err(Error::usage(format!(
            "digest prefix {bare} is too short: give at least 12 hex digits"
        ))
        .with_hint("list the store's digests with `imgctl images`"));
    }
    if let Some(hex) = digest_like(bare) {
        let found = layout.digests_with_prefix(&hex.to_ascii_lowercase())?;
        // A 12+ hex string that matches no digest may still be a repository name.
        match found.as_slice() {
            [d] => return Ok(StoreImage::Digest(d.clone())),
            [] if bare.starts_with("sha256:") => {
                return Err(Error::not_found(format!(
                    "no image with digest {bare} in the local store"
                ))
                .with_hint("list the store with `imgctl images`"));
            }
            [] => {}
            many => {
                return Err(Error::usage(format!(
                    "digest prefix {bare} is ambiguous: {} images match",
                    many.len()
                ))
                .with_hint("type more digits"));
            }
        }
    }
    match Location::parse(s, BareMeans::Store)? {
        Location::Store(r) => Ok(StoreImage::Name(r.to_string())),
        Location::StoreDigest(d) => Ok(StoreImage::Digest(d)),
        other => Err(Error::usage(format!(
            "{other} is not an image in the local store"
        ))),
    }
}

/// The store name for a user-typed new name (`alpine` → `docker.io/library/alpine:latest`).
fn store_name(s: &str) -> Result<String> {
    match Location::parse(s, BareMeans::Store)? {
        Location::Store(r) => Ok(r.to_string()),
        other => Err(Error::usage(format!(
            "{other} is not a name in the local store"
        ))),
    }
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
        match store_image(&layout, r) {
            Ok(t) => targets.push(t),
            Err(e) if e.kind() == ErrorKind::NotFound => missing.push((r.clone(), e)),
            Err(e) => return Err(e),
        }
    }
    let mut removed = Vec::new();
    for t in &targets {
        let result = match t {
            StoreImage::Name(n) => layout
                .remove_ref(n)
                .map(|d| vec![(Some(n.clone()), d.digest().to_string())]),
            StoreImage::Digest(d) => layout.remove_digest(d).map(|names| {
                if names.is_empty() {
                    vec![(None, d.to_string())]
                } else {
                    names
                        .into_iter()
                        .map(|n| (Some(n), d.to_string()))
                        .collect()
                }
            }),
        };
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
            eprintln!(
                "note: another imgctl process is writing into the store; unused blobs were kept \
                 and are deleted by the next rmi"
            );
        } else if !g.quiet {
            eprintln!(
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
                eprintln!("error: {e}");
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
        eprintln!(
            "note: {} partial downloads are being written by a running imgctl and were kept",
            stats.partials_in_use
        );
    }
    if stats.gc.deferred {
        eprintln!(
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
                eprintln!(
                    "Deleted {} partial downloads, {} temp files, {} unused blobs",
                    stats.partials, stats.temp_files, stats.gc.blobs
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
    let mut tagged = Vec::new();
    let digest;
    if source.starts_with("docker://") {
        let r = parse_registry(source, "tag docker://", false)?;
        let client: Client = g.client(&SideOpts::default())?;
        let repo = client.repository(&r.registry, &r.repository);
        let m = repo.get_manifest(&r.manifest_ref()).await?;
        for t in targets {
            let t = t.strip_prefix(':').unwrap_or(t);
            let new = r.with_tag(t)?;
            repo.put_manifest(t, &m)
                .await
                .map_err(|e| e.context(format!("cannot tag {new}")))?;
            if !g.quiet {
                eprintln!("Tagged {new}");
            }
            tagged.push(new.to_string());
        }
        digest = m.digest.to_string();
    } else {
        let layout = Layout::open_or_create(&g.store_dir()?)?;
        let desc = match store_image(&layout, source)? {
            StoreImage::Name(n) => layout.resolve(&n),
            StoreImage::Digest(d) => layout.resolve_digest(&d),
        }
        .map_err(|e| e.with_hint("list the store with `imgctl images`, or pull the image first"))?;
        for t in targets {
            let name = store_name(t)?;
            let mut d = desc.clone();
            let mut ann = d.annotations().clone().unwrap_or_default();
            ann.insert(REF_NAME.to_string(), name.clone());
            d.set_annotations(Some(ann));
            layout.set_ref(Some(&name), d)?;
            tagged.push(name);
        }
        digest = desc.digest().to_string();
    }
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
