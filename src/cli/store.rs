//! Store management (`images`, `rmi`, `tag`) and registry queries (`tags`).

use indicatif::HumanBytes;
use oci_spec::image::Descriptor;

use imgctl::error::{Error, Result};
use imgctl::layout::{Layout, REF_NAME};
use imgctl::location::{BareMeans, Location};
use imgctl::manifest::{Manifest, descriptor_digest, platform_string};
use imgctl::reference::Reference;
use imgctl::registry::Client;

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
    let layout = Layout::open_or_create(&g.store_dir()?)?;
    let mut rows = Vec::new();
    for d in layout.manifests()? {
        let Some(name) = d
            .annotations()
            .as_ref()
            .and_then(|a| a.get(REF_NAME))
            .cloned()
        else {
            continue;
        };
        let (size, platforms) = summarize(&layout, &d, 0)?;
        rows.push((name, d.digest().to_string(), size, platforms));
    }
    rows.sort();
    match g.format {
        FormatArg::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|(n, d, s, p)| serde_json::json!({"reference": n, "digest": d, "size": s, "platforms": p}))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&v).map_err(|e| Error::other(e.to_string()))?
            );
        }
        FormatArg::Text => {
            let w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(9);
            println!(
                "{:<w$}  {:<71}  {:>10}  PLATFORM",
                "REFERENCE", "DIGEST", "SIZE"
            );
            for (n, d, s, p) in rows {
                println!(
                    "{n:<w$}  {d:<71}  {:>10}  {}",
                    HumanBytes(s).to_string(),
                    p.join(",")
                );
            }
        }
    }
    Ok(())
}

/// The store name for a user-typed reference (`alpine` → `docker.io/library/alpine:latest`).
fn store_name(s: &str) -> Result<String> {
    match Location::parse(s, BareMeans::Store)? {
        Location::Store(r) => Ok(r.to_string()),
        other => Err(Error::usage(format!(
            "{other} is not an image in the local store"
        ))),
    }
}

/// `imgctl rmi REF…`: removes names, then blobs nothing references.
pub fn rmi(g: &GlobalOpts, references: &[String]) -> Result<()> {
    let layout = Layout::open_or_create(&g.store_dir()?)?;
    let names = references
        .iter()
        .map(|r| store_name(r))
        .collect::<Result<Vec<_>>>()?;
    for n in &names {
        let d = layout.remove_ref(n)?;
        if g.format == FormatArg::Text {
            println!("Untagged: {n} ({})", d.digest());
        }
    }
    let stats = layout.gc()?;
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
    Ok(())
}

/// `imgctl tag SRC DST` (store) or `imgctl tag docker://REF TAG…` (registry retag).
pub async fn tag(g: &GlobalOpts, source: &str, targets: &[String]) -> Result<()> {
    if let Some(rest) = source.strip_prefix("docker://") {
        let r = Reference::parse(rest)?;
        let client: Client = g.client(&SideOpts::default())?;
        let repo = client.repository(&r.registry, &r.repository);
        let m = repo.get_manifest(&r.manifest_ref()).await?;
        for t in targets {
            let t = t.strip_prefix(':').unwrap_or(t);
            let new = r.with_tag(t)?;
            repo.put_manifest(t, &m)
                .await
                .map_err(|e| e.context(format!("cannot tag {new}")))?;
            eprintln!("Tagged {new}");
        }
        println!("{}", m.digest);
        return Ok(());
    }
    let layout = Layout::open_or_create(&g.store_dir()?)?;
    let src = store_name(source)?;
    let desc = layout
        .resolve(&src)
        .map_err(|e| e.with_hint("list the store with `imgctl images`, or pull the image first"))?;
    for t in targets {
        let name = store_name(t)?;
        let mut d = desc.clone();
        let mut ann = d.annotations().clone().unwrap_or_default();
        ann.insert(REF_NAME.to_string(), name.clone());
        d.set_annotations(Some(ann));
        layout.set_ref(Some(&name), d)?;
    }
    println!("{}", desc.digest());
    Ok(())
}

/// `imgctl tags REPO`.
pub async fn tags(g: &GlobalOpts, repository: &str, page_size: Option<u32>) -> Result<()> {
    let r =
        Reference::parse_repository(repository.strip_prefix("docker://").unwrap_or(repository))?;
    let client = g.client(&SideOpts::default())?;
    let tags = client
        .repository(&r.registry, &r.repository)
        .tags_paged(page_size)
        .await?;
    match g.format {
        FormatArg::Json => println!(
            "{}",
            serde_json::json!({"repository": r.name(), "tags": tags})
        ),
        FormatArg::Text => {
            for t in tags {
                println!("{t}");
            }
        }
    }
    Ok(())
}
