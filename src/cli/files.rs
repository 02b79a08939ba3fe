//! `imgctl files SRC [PATH] [--layer N] [--long]` (an image's file tree with the layer that
//! wrote each entry, or one layer's changes, and per-layer sizes) and `imgctl diff A B` (files
//! added, removed and changed between two images).

use std::time::{Duration, UNIX_EPOCH};

use indicatif::HumanBytes;
use oci_spec::image::ImageManifest;
use serde_json::{Value, json};

use imgctl::error::{Error, Result};
use imgctl::manifest::Manifest;
use imgctl::ops::inspect::{for_platform, image_config};
use imgctl::rootfs::FileKind;
use imgctl::rootfs::diff::{Diff, Side};
use imgctl::rootfs::files::{Action, Change, FilesOptions, Listing, Node};
use imgctl::transport::{ImageSource, open_source};

use super::{FormatArg, GlobalOpts, SideOpts};

/// `files`' arguments.
#[derive(clap::Args, Debug)]
pub struct FilesArgs {
    /// Image location: REF, docker://REF, oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REF], store:REF
    pub source: String,
    /// Only this path and what is below it (`/etc`, `usr/bin`)
    pub path: Option<String>,
    /// What layer N (0 = the bottom one) adds (A), changes (M: the path existed below) and deletes (D: whiteouts, opaque directories)
    #[arg(long, value_name = "N")]
    pub layer: Option<usize>,
    /// Also owner (uid:gid), modification time and link targets
    #[arg(short, long)]
    pub long: bool,
    /// The platform's image of an index: OS/ARCH[/VARIANT] [default: the host's]
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
}

/// `diff`'s arguments.
#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The first image (any location, as for `files`)
    pub a: String,
    /// The second image
    pub b: String,
    /// The platform's image of an index, for both: OS/ARCH[/VARIANT] [default: the host's]
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
}

/// An opened image: its source, manifest, digest and the platform picked from an index.
struct Opened {
    src: Box<dyn ImageSource>,
    image: ImageManifest,
    digest: String,
    platform: Option<String>,
}

/// Opens `location` and resolves it to one image (`platform`'s of an index).
///
/// Errors: the source's; Integrity for an index inside an index; Usage for an artifact.
async fn open_image(g: &GlobalOpts, location: &str, platform: Option<&str>) -> Result<Opened> {
    let loc = super::inspect::resolve_bare(g, location)?;
    let client = g.client(&SideOpts::default())?;
    let src = open_source(&loc, &client, &g.store_dir()?)?;
    let root = src.root_manifest().await?;
    let (m, platform) = for_platform(src.as_ref(), root, platform, true).await?;
    let Manifest::Image(image) = Manifest::parse(&m.bytes, &m.media_type)? else {
        return Err(Error::integrity(format!(
            "{} names an index inside an index; give --platform",
            src.describe()
        )));
    };
    if !imgctl::manifest::is_image_config(image.config().media_type().as_ref()) {
        return Err(Error::usage(format!(
            "{} is an artifact ({}), not an image: it has no file tree",
            src.describe(),
            image.config().media_type()
        )));
    }
    Ok(Opened {
        src,
        image: *image,
        digest: m.digest.to_string(),
        platform,
    })
}

/// `ls -l`'s mode string: type letter (`h` for a hard link, as `tar -tv` shows it) and the
/// permission bits with setuid, setgid and sticky.
fn mode_string(kind: FileKind, mode: u32) -> String {
    let t = match kind {
        FileKind::File => '-',
        FileKind::Dir => 'd',
        FileKind::Symlink => 'l',
        FileKind::Hardlink => 'h',
        FileKind::Char => 'c',
        FileKind::Block => 'b',
        FileKind::Fifo => 'p',
    };
    let mut s = String::with_capacity(10);
    s.push(t);
    for (shift, special, lower, upper) in [
        (6, 0o4000, 's', 'S'),
        (3, 0o2000, 's', 'S'),
        (0, 0o1000, 't', 'T'),
    ] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        let x = bits & 1 != 0;
        s.push(match (mode & special != 0, x) {
            (true, true) => lower,
            (true, false) => upper,
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    s
}

fn mtime(secs: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(secs)).to_string()
}

/// The first 12 hex digits of a digest (`sha256:3f2a…` → `3f2a…`), as docker shortens IDs.
fn short(digest: &str) -> &str {
    let hex = digest.split_once(':').map_or(digest, |(_, h)| h);
    &hex[..hex.len().min(12)]
}

fn node_json(n: &Node, layers: &[String]) -> Value {
    json!({
        "kind": n.kind.as_str(),
        "mode": format!("{:04o}", n.mode),
        "size": n.size,
        "uid": n.uid,
        "gid": n.gid,
        "mtime": mtime(n.mtime),
        "linkTarget": n.link,
        "layer": n.layer,
        "layerDigest": layers.get(n.layer),
    })
}

fn change_json(c: &Change, layers: &[String]) -> Value {
    let mut v = match &c.node {
        Some(n) => node_json(n, layers),
        None => json!({"kind": null}),
    };
    let o = v.as_object_mut().expect("an object");
    o.insert("path".into(), json!(format!("/{}", c.path)));
    o.insert("action".into(), json!(c.action));
    o.insert("previousLayer".into(), json!(c.previous_layer));
    o.insert("deletedBy".into(), json!(c.deleted_by));
    v
}

/// One text line's columns after the action letter or layer: mode, [owner], size, [mtime], path[ -> target].
fn node_text(path: &str, n: &Node, long: bool) -> String {
    let mode = mode_string(n.kind, n.mode);
    if long {
        let target = match (&n.link, n.kind) {
            (Some(t), FileKind::Symlink) => format!(" -> {t}"),
            (Some(t), FileKind::Hardlink) => format!(" link to /{t}"),
            _ => String::new(),
        };
        format!(
            "{mode}  {:<11}  {:>10}  {}  /{path}{target}",
            format!("{}:{}", n.uid, n.gid),
            n.size,
            mtime(n.mtime)
        )
    } else {
        format!("{mode}  {:>10}  /{path}", n.size)
    }
}

fn print_summary(l: &Listing) -> Result<()> {
    outln!();
    outln!(
        "{:>5}  {:<12}  {:>12}  {:>12}  {:>7}",
        "LAYER",
        "DIGEST",
        "COMPRESSED",
        "UNCOMPRESSED",
        "ENTRIES"
    );
    for s in &l.layers {
        outln!(
            "{:>5}  {:<12}  {:>12}  {:>12}  {:>7}",
            s.index,
            short(&s.digest),
            HumanBytes(s.size).to_string(),
            HumanBytes(s.tar_size).to_string(),
            s.entries
        );
    }
    let t = &l.totals;
    outln!(
        "{:>5}  {:<12}  {:>12}  {:>12}  {:>7}",
        "total",
        "",
        HumanBytes(t.size).to_string(),
        HumanBytes(t.tar_size).to_string(),
        t.entries
    );
    outln!(
        "{} entries in the image's file tree, {} in files",
        t.entries,
        HumanBytes(t.files_size)
    );
    Ok(())
}

/// Runs `files`: resolves the image (a platform of an index), walks its layers
/// ([`imgctl::rootfs::files::files`]) and prints the tree or the layer's changes, then the
/// per-layer sizes (text), or one JSON document `{"source", "digest", "platform", "path",
/// "layer", "entries", "layers", "totals"}`.
///
/// Errors: the source's; NotFound for a layer index the image lacks or a PATH not in the tree;
/// Integrity for a malformed layer.
pub async fn files(g: &GlobalOpts, a: &FilesArgs) -> Result<()> {
    let path = imgctl::rootfs::clean_path(a.path.as_deref().unwrap_or(""))
        .map_err(|e| Error::usage(e.to_string()))?;
    let img = open_image(g, &a.source, a.platform.as_deref()).await?;
    let opts = FilesOptions {
        path: path.clone(),
        layer: a.layer,
        hash: false,
    };
    let l = imgctl::rootfs::files::files(img.src.as_ref(), &img.image, &opts).await?;
    let digests: Vec<String> = l.layers.iter().map(|s| s.digest.clone()).collect();
    if g.format == FormatArg::Json {
        let entries: Vec<Value> = match &l.changes {
            Some(c) => c.iter().map(|c| change_json(c, &digests)).collect(),
            None => l
                .tree
                .iter()
                .map(|(p, n)| {
                    let mut v = node_json(n, &digests);
                    v["path"] = json!(format!("/{p}"));
                    v
                })
                .collect(),
        };
        return super::print_json(&json!({
            "source": img.src.describe(),
            "digest": img.digest,
            "platform": img.platform,
            "path": (!path.is_empty()).then(|| format!("/{path}")),
            "layer": a.layer,
            "entries": entries,
            "layers": l.layers,
            "totals": l.totals,
        }));
    }
    match &l.changes {
        Some(changes) => {
            for c in changes {
                let line = match &c.node {
                    Some(n) => node_text(&c.path, n, a.long),
                    None => format!("{:>10}  {:>10}  /{}", "", "", c.path),
                };
                let note = match (c.action, c.deleted_by, c.previous_layer) {
                    (Action::Deleted, Some(by), Some(p)) => {
                        format!(
                            "  ({}; was layer {p}'s)",
                            if by == imgctl::rootfs::files::DeletedBy::Opaque {
                                "opaque directory"
                            } else {
                                "whiteout"
                            }
                        )
                    }
                    (Action::Deleted, _, None) => "  (whiteout; no layer below has it)".to_string(),
                    (Action::Changed, _, Some(p)) => format!("  (was layer {p}'s)"),
                    _ => String::new(),
                };
                outln!("{}  {line}{note}", c.action.letter());
            }
        }
        None => {
            outln!(
                "{:>5}  {:<12}  {}",
                "LAYER",
                "DIGEST",
                if a.long {
                    format!(
                        "{:<10}  {:<11}  {:>10}  {:<20}  PATH",
                        "MODE", "OWNER", "SIZE", "MTIME"
                    )
                } else {
                    format!("{:<10}  {:>10}  PATH", "MODE", "SIZE")
                }
            );
            for (p, n) in &l.tree {
                outln!(
                    "{:>5}  {:<12}  {}",
                    n.layer,
                    digests.get(n.layer).map_or("", |d| short(d)),
                    node_text(p, n, a.long)
                );
            }
        }
    }
    print_summary(&l)
}

/// Text of one change's details: `content`, `mode 0644 -> 0600`, `owner 0:0 -> 1000:1000`,
/// `link a -> b`, `kind file -> dir`.
fn change_text(c: &imgctl::rootfs::diff::Changed) -> String {
    let (b, a) = (&c.before, &c.after);
    c.changes
        .iter()
        .map(|w| match *w {
            "kind" => format!("kind {} -> {}", b.kind, a.kind),
            "mode" => format!("mode {} -> {}", b.mode, a.mode),
            "owner" => format!("owner {}:{} -> {}:{}", b.uid, b.gid, a.uid, a.gid),
            "link" => format!(
                "link {} -> {}",
                b.link_target.as_deref().unwrap_or(""),
                a.link_target.as_deref().unwrap_or("")
            ),
            "content" if b.size != a.size => format!("content, size {} -> {}", b.size, a.size),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The config's `rootfs.diff_ids` of `img`, when its config can be read.
async fn diff_ids(img: &Opened) -> Option<Vec<String>> {
    let config = image_config(img.src.as_ref(), &img.image).await.ok()?;
    let ids = config.pointer("/rootfs/diff_ids")?.as_array()?;
    ids.iter().map(|v| v.as_str().map(str::to_string)).collect()
}

/// Runs `diff`: resolves both images and prints `A path`, `D path`, `M path (what changed)`
/// lines sorted by path, or one JSON document `{"a", "b", "added", "removed", "changed",
/// "sharedLayers"}`.
///
/// Errors: the sources'; Integrity for a malformed layer.
pub async fn diff(g: &GlobalOpts, a: &DiffArgs) -> Result<()> {
    let ia = open_image(g, &a.a, a.platform.as_deref()).await?;
    let ib = open_image(g, &a.b, a.platform.as_deref()).await?;
    let (da, db) = (diff_ids(&ia).await, diff_ids(&ib).await);
    let sa = Side {
        src: ia.src.as_ref(),
        manifest: &ia.image,
        diff_ids: da,
    };
    let sb = Side {
        src: ib.src.as_ref(),
        manifest: &ib.image,
        diff_ids: db,
    };
    let d: Diff = imgctl::rootfs::diff::diff(&sa, &sb).await?;
    if g.format == FormatArg::Json {
        let abs = |v: &[String]| v.iter().map(|p| format!("/{p}")).collect::<Vec<_>>();
        let changed: Vec<Value> = d
            .changed
            .iter()
            .map(|c| {
                let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
                v["path"] = json!(format!("/{}", c.path));
                v
            })
            .collect();
        let mut v = json!({
            "added": abs(&d.added),
            "removed": abs(&d.removed),
            "changed": changed,
            "sharedLayers": d.shared_layers,
        });
        v["a"] = json!({"source": ia.src.describe(), "digest": ia.digest});
        v["b"] = json!({"source": ib.src.describe(), "digest": ib.digest});
        return super::print_json(&v);
    }
    let mut lines: Vec<(String, String)> = Vec::new();
    lines.extend(d.added.iter().map(|p| (p.clone(), format!("A /{p}"))));
    lines.extend(d.removed.iter().map(|p| (p.clone(), format!("D /{p}"))));
    lines.extend(d.changed.iter().map(|c| {
        (
            c.path.clone(),
            format!("M /{} ({})", c.path, change_text(c)),
        )
    }));
    imgctl::rootfs::files::sort_paths(&mut lines, |(p, _)| p);
    for (_, l) in &lines {
        outln!("{l}");
    }
    if !g.quiet {
        errln!(
            "{} added, {} removed, {} changed ({} shared bottom layer{} read once)",
            d.added.len(),
            d.removed.len(),
            d.changed.len(),
            d.shared_layers,
            if d.shared_layers == 1 { "" } else { "s" }
        );
    }
    Ok(())
}
