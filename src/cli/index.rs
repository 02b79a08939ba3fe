//! `index create|add|remove`: make or change an image index in a registry repository, or at
//! any other location (an OCI layout, an archive, the store).

use clap::{Args, Subcommand};
use imgctl::error::{Error, Result};
use imgctl::location::{BareMeans, Location, parse_registry};
use imgctl::ops::index as ops;
use imgctl::transport::open::{open_destination, open_source};

use super::{GlobalOpts, SideOpts, transfer};

/// Arguments of `imgctl index`.
#[derive(Args, Debug)]
pub struct IndexArgs {
    #[command(subcommand)]
    pub action: IndexAction,
}

/// What `imgctl index` does.
#[derive(Subcommand, Debug)]
pub enum IndexAction {
    /// Make an index at DST from single-platform images (copied into DST's repository first)
    Create {
        /// The index to write: a registry reference (localhost:5000/app:1) or any location (oci:DIR:TAG, oci-archive:FILE:TAG, store:REF)
        destination: String,
        /// The images (any location); each must be one platform's image, not an index
        #[arg(required = true)]
        sources: Vec<String>,
        /// Set an annotation on the index
        #[arg(long, value_name = "KEY=VALUE")]
        annotation: Vec<String>,
    },
    /// Add images to the index at DST (an entry of the same platform is replaced)
    Add {
        /// The index to change: a registry reference or any location
        destination: String,
        /// The images to add (any location)
        #[arg(required = true)]
        sources: Vec<String>,
    },
    /// Remove a platform's image from the index at DST
    Remove {
        /// The index to change: a registry reference or any location
        destination: String,
        /// The platform to remove: OS/ARCH[/VARIANT]
        #[arg(long, required = true, value_name = "OS/ARCH[/VARIANT]")]
        platform: String,
    },
}

/// The index entries of `sources`, each image copied into `dst`'s repository by digest once
/// all of them are read and checked (one image per platform), so that a refused source
/// leaves nothing behind.
async fn children(
    g: &GlobalOpts,
    dst: &imgctl::reference::Reference,
    sources: &[String],
) -> Result<Vec<serde_json::Value>> {
    let store = g.store_dir()?;
    let client = g.client(&SideOpts::default())?;
    let mut opened = Vec::new();
    let mut entries = Vec::new();
    for s in sources {
        let loc = Location::parse(s, BareMeans::Registry)?;
        let src = open_source(&loc, &client, &store)?;
        entries.push((s.clone(), ops::child_entry(src.as_ref()).await?.0));
        opened.push(src);
    }
    ops::check_distinct_platforms(&entries)?;
    for src in &opened {
        ops::copy_child(&client, dst, src.as_ref(), g.jobs as usize, &g.reporter()).await?;
    }
    Ok(entries.into_iter().map(|(_, e)| e).collect())
}

/// The hint of `index remove` refusing to empty the index at `loc`: how to delete it.
fn delete_hint(loc: &Location, given: &str) -> String {
    match loc {
        Location::Registry(_) => {
            format!("to delete the whole index, delete its tag: imgctl delete {given}")
        }
        Location::Store(_) => {
            format!("to delete the whole index, remove it from the store: imgctl rmi {given}")
        }
        _ => "to delete the whole index, remove its tag or file instead".to_string(),
    }
}

/// The destination of an index action, when it is not a registry (which gets its children
/// copied by digest first, so that they mount); `None` for a registry reference.
fn elsewhere(destination: &str) -> Result<Option<Location>> {
    match Location::parse(destination, BareMeans::Registry)? {
        Location::Registry(_) => Ok(None),
        Location::StoreDigest(_) => Err(Error::usage(format!(
            "{destination}: an index is written under a name (store:REF), not a digest"
        ))),
        Location::DockerArchive { .. } => Err(Error::usage(format!(
            "{destination}: a docker-archive holds single-platform images, not an index"
        ))
        .with_hint(
            "write the index to a registry, an OCI layout (oci:DIR:TAG), an OCI archive \
             (oci-archive:FILE:TAG) or the store (store:REF)",
        )),
        other => Ok(Some(other)),
    }
}

/// `imgctl index …` at a location that is not a registry: the index and its children are
/// written in one copy.
async fn index_elsewhere(g: &GlobalOpts, a: &IndexArgs, dst_loc: &Location) -> Result<()> {
    let store = g.store_dir()?;
    let client = g.client(&SideOpts::default())?;
    let open = |s: &str| -> Result<std::sync::Arc<dyn imgctl::transport::ImageSource>> {
        let loc = Location::parse(s, BareMeans::Registry)?;
        Ok(std::sync::Arc::from(open_source(&loc, &client, &store)?))
    };
    let existing = || -> Result<std::sync::Arc<dyn imgctl::transport::ImageSource>> {
        Ok(std::sync::Arc::from(open_source(dst_loc, &client, &store)?))
    };
    let (doc, parts) = match &a.action {
        IndexAction::Create {
            sources,
            annotation,
            ..
        } => {
            let ann = annotations(annotation)?;
            let mut parts = ops::IndexParts::new(None);
            let mut entries = Vec::new();
            for s in sources {
                entries.push((s.clone(), parts.add(open(s)?).await?));
            }
            ops::check_distinct_platforms(&entries)?;
            let entries = entries.into_iter().map(|(_, e)| e).collect();
            (ops::new_index(entries, &ann), parts)
        }
        IndexAction::Add { sources, .. } => {
            let old = existing()?;
            let mut doc = ops::read_index_at(old.as_ref()).await?;
            let mut parts = ops::IndexParts::new(Some(old));
            let mut entries = Vec::new();
            for s in sources {
                entries.push((s.clone(), parts.add(open(s)?).await?));
            }
            ops::check_distinct_platforms(&entries)?;
            ops::add_entries(&mut doc, entries.into_iter().map(|(_, e)| e).collect());
            (doc, parts)
        }
        IndexAction::Remove { platform, .. } => {
            let old = existing()?;
            let mut doc = ops::read_index_at(old.as_ref()).await?;
            let hint = delete_hint(dst_loc, &a_destination(a));
            ops::remove_platform(&mut doc, &platform.parse()?, &hint)?;
            (doc, ops::IndexParts::new(Some(old)))
        }
    };
    let dst = open_destination(dst_loc, &client, &store)?;
    let report = ops::write_index_to(dst.as_ref(), &doc, parts, g.jobs as usize, &g.reporter())
        .await
        .map_err(|e| e.context(format!("writing the index to {}", dst.describe())))?;
    let mut v = serde_json::to_value(&report)?;
    v["destination"] = dst.describe().into();
    transfer::print_result(g, &v, transfer::archive_on_stdout(dst_loc))
}

/// `KEY=VALUE` annotations (Usage error otherwise).
fn annotations(list: &[String]) -> Result<Vec<(String, String)>> {
    list.iter()
        .map(|s| {
            s.split_once('=')
                .filter(|(k, _)| !k.is_empty())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| Error::usage(format!("--annotation {s:?}: expected KEY=VALUE")))
        })
        .collect()
}

/// The destination argument of any index action.
fn a_destination(a: &IndexArgs) -> String {
    match &a.action {
        IndexAction::Create { destination, .. }
        | IndexAction::Add { destination, .. }
        | IndexAction::Remove { destination, .. } => destination.clone(),
    }
}

/// `imgctl index …`: prints the new index's digest (or the JSON result).
pub async fn index(g: &GlobalOpts, a: &IndexArgs) -> Result<()> {
    if let Some(loc) = elsewhere(&a_destination(a))? {
        return index_elsewhere(g, a, &loc).await;
    }
    let client = g.client(&SideOpts::default())?;
    let (dst, doc) = match &a.action {
        IndexAction::Create {
            destination,
            sources,
            annotation,
        } => {
            let dst = parse_registry(destination, "index create", false)?;
            let ann = annotations(annotation)?;
            let entries = children(g, &dst, sources).await?;
            (dst, ops::new_index(entries, &ann))
        }
        IndexAction::Add {
            destination,
            sources,
        } => {
            let dst = parse_registry(destination, "index add", false)?;
            let mut doc = ops::read_index(&client, &dst).await?;
            let entries = children(g, &dst, sources).await?;
            ops::add_entries(&mut doc, entries);
            (dst, doc)
        }
        IndexAction::Remove {
            destination,
            platform,
        } => {
            let dst = parse_registry(destination, "index remove", false)?;
            let want = platform.parse()?;
            let mut doc = ops::read_index(&client, &dst).await?;
            let hint = delete_hint(&Location::Registry(dst.clone()), destination);
            ops::remove_platform(&mut doc, &want, &hint)?;
            (dst, doc)
        }
    };
    let report = ops::write_index(&client, &dst, &doc, g.jobs as usize, &g.reporter()).await?;
    let mut v = serde_json::to_value(&report)?;
    v["destination"] = format!("docker://{dst}").into();
    transfer::print_result(g, &v, false)
}
