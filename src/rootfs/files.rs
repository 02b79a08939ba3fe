//! `imgctl files`: an image's file tree as a container sees it, each entry with the layer that
//! last wrote it, one layer's changes (`--layer N`), and per-layer sizes.
//!
//! Layers are applied bottom up (OCI image spec, "Applying Changesets"): a layer's whiteouts and
//! opaque markers delete from the layers below, then its entries are written over them. Memory
//! holds one [`Node`] of metadata per path, never file bytes.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use oci_spec::image::{Descriptor, ImageManifest};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::{FileInfo, FileKind, LayerStats, Member, raw_layer, walk_layer};
use crate::error::{Error, Result};
use crate::transport::ImageSource;

/// One path of a flattened tree: its metadata and the layer that last wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// What it is.
    pub kind: FileKind,
    /// Permission bits (`0o7777` mask).
    pub mode: u32,
    /// Owner uid.
    pub uid: u64,
    /// Owner gid.
    pub gid: u64,
    /// Size of a file's bytes (0 for everything else).
    pub size: u64,
    /// Modification time, seconds since the Unix epoch.
    pub mtime: u64,
    /// A symlink's target as written, or a hard link's target (a clean path).
    pub link: Option<String>,
    /// Index of the layer that wrote it (0 = the bottom layer).
    pub layer: usize,
    /// sha256 of a file's bytes, when the tree was built with hashing (hard links: their
    /// target's, when the target is in the tree).
    pub sha256: Option<[u8; 32]>,
}

impl Node {
    fn of(info: &FileInfo, layer: usize, sha256: Option<[u8; 32]>) -> Node {
        Node {
            kind: info.kind,
            mode: info.mode,
            uid: info.uid,
            gid: info.gid,
            size: info.size,
            mtime: info.mtime,
            link: info.link.clone(),
            layer,
            sha256,
        }
    }
}

/// A flattened file tree: clean relative path (`etc/motd`) → node.
pub type Tree = BTreeMap<String, Node>;

/// What one layer's tar holds, as collected before it is applied.
#[derive(Default)]
struct LayerMembers {
    /// Paths whited out (`DIR/.wh.NAME` → `DIR/NAME`).
    whiteouts: Vec<String>,
    /// Directories made opaque (`""` = the root).
    opaque: Vec<String>,
    /// Ordinary entries in tar order, with the sha256 of a file's bytes when hashing.
    entries: Vec<(FileInfo, Option<[u8; 32]>)>,
    /// The tar's size.
    stats: LayerStats,
}

/// Reads one layer's members (metadata only; file bytes are hashed when `hash`, else skipped).
fn read_members(
    index: usize,
    media_type: &str,
    raw: impl Read,
    hash: bool,
) -> Result<LayerMembers> {
    let mut m = LayerMembers::default();
    m.stats = walk_layer(index, media_type, raw, |member| {
        match member {
            Member::Whiteout { path } => m.whiteouts.push(path),
            Member::Opaque { dir } => m.opaque.push(dir),
            Member::Entry { info, data, .. } => {
                let digest = if hash && info.kind == FileKind::File {
                    let mut h = Sha256::new();
                    std::io::copy(data, &mut h).map_err(|e| {
                        Error::integrity(format!("layer {index}: reading {}: {e}", info.path))
                    })?;
                    Some(h.finalize().into())
                } else {
                    None
                };
                m.entries.push((info, digest));
            }
        }
        Ok(())
    })?;
    Ok(m)
}

/// The paths of `tree` strictly below directory `dir` (`""` = the root: every path).
fn children<'t>(tree: &'t Tree, dir: &str) -> impl Iterator<Item = (&'t String, &'t Node)> + 't {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    tree.range(prefix.clone()..)
        .take_while(move |(k, _)| k.starts_with(&prefix))
        .filter(|(k, _)| !k.is_empty())
}

/// Removes `path` and everything below it from `tree`.
fn remove_subtree(tree: &mut Tree, path: &str) {
    tree.remove(path);
    let below: Vec<String> = children(tree, path).map(|(k, _)| k.clone()).collect();
    for k in below {
        tree.remove(&k);
    }
}

/// Whether `path` is `filter` or below it (`""` = everything).
pub fn within(path: &str, filter: &str) -> bool {
    filter.is_empty()
        || path == filter
        || (path.starts_with(filter) && path.as_bytes().get(filter.len()) == Some(&b'/'))
}

/// Sorts paths component by component, so that a directory's children follow it
/// (`etc`, `etc/a`, `etc-x`).
pub fn sort_paths<T>(items: &mut [T], key: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| key(a).split('/').cmp(key(b).split('/')));
}

/// What a layer does to one path, for the `--layer N` view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// The path did not exist below.
    Added,
    /// The path existed below and the layer writes it again.
    Changed,
    /// The layer deletes it (a whiteout, or an opaque marker of its parent).
    Deleted,
}

impl Action {
    /// `A`, `M`, `D` (the letters of `diff` and `git status`).
    pub fn letter(self) -> char {
        match self {
            Action::Added => 'A',
            Action::Changed => 'M',
            Action::Deleted => 'D',
        }
    }
}

/// How a deleted path was deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DeletedBy {
    /// A whiteout `DIR/.wh.NAME` names it.
    Whiteout,
    /// Its parent directory is opaque in the layer (`DIR/.wh..wh..opq`).
    Opaque,
}

/// One line of a layer's changes.
#[derive(Debug, Clone)]
pub struct Change {
    /// Clean relative path.
    pub path: String,
    /// Added, changed or deleted.
    pub action: Action,
    /// Added/changed: the layer's entry; deleted: what was deleted (None for a whiteout of a
    /// path no layer below has).
    pub node: Option<Node>,
    /// Changed/deleted: the layer that wrote the path below.
    pub previous_layer: Option<usize>,
    /// Deleted: by a whiteout or by an opaque directory.
    pub deleted_by: Option<DeletedBy>,
}

/// Applies one layer's members to `tree` (whiteouts and opaque markers first, as they delete
/// from the layers below only); returns the layer's changes when `changes` is asked for. A path
/// the layer deletes and writes again is "changed".
fn apply(tree: &mut Tree, index: usize, m: LayerMembers, changes: bool) -> Vec<Change> {
    let mut out: Vec<Option<Change>> = Vec::new();
    // Every path this layer deleted: the layer that wrote it, and its line in `out` if listed.
    let mut deleted: HashMap<String, (usize, Option<usize>)> = HashMap::new();
    for dir in &m.opaque {
        let hidden: Vec<String> = children(tree, dir).map(|(k, _)| k.clone()).collect();
        for k in hidden {
            let Some(node) = tree.remove(&k) else {
                continue;
            };
            // Only the opaque directory's own children are listed; their subtrees go with them.
            let direct = !k[if dir.is_empty() { 0 } else { dir.len() + 1 }..].contains('/');
            let line = (changes && direct).then(|| {
                out.push(Some(Change {
                    path: k.clone(),
                    action: Action::Deleted,
                    previous_layer: Some(node.layer),
                    node: Some(node.clone()),
                    deleted_by: Some(DeletedBy::Opaque),
                }));
                out.len() - 1
            });
            deleted.insert(k, (node.layer, line));
        }
    }
    for path in m.whiteouts {
        let node = tree.get(&path).cloned();
        let below: Vec<(String, usize)> = children(tree, &path)
            .map(|(k, n)| (k.clone(), n.layer))
            .collect();
        remove_subtree(tree, &path);
        let line = changes.then(|| {
            out.push(Some(Change {
                previous_layer: node.as_ref().map(|n| n.layer),
                node: node.clone(),
                path: path.clone(),
                action: Action::Deleted,
                deleted_by: Some(DeletedBy::Whiteout),
            }));
            out.len() - 1
        });
        if let Some(n) = node {
            deleted.insert(path, (n.layer, line));
        }
        for (k, l) in below {
            deleted.insert(k, (l, None));
        }
    }
    for (info, sha) in m.entries {
        let below = tree.get(&info.path);
        let mut previous_layer = below.map(|n| n.layer);
        if below.is_some_and(|n| n.kind == FileKind::Dir) && info.kind != FileKind::Dir {
            remove_subtree(tree, &info.path);
        }
        if let Some((layer, line)) = deleted.remove(&info.path) {
            previous_layer = Some(layer);
            if let Some(i) = line {
                out[i] = None;
            }
        }
        let mut node = Node::of(&info, index, sha);
        if info.kind == FileKind::Hardlink
            && let Some(t) = info.link.as_deref().and_then(|t| tree.get(t))
        {
            node.sha256 = t.sha256;
        }
        if changes {
            out.push(Some(Change {
                path: info.path.clone(),
                action: if previous_layer.is_some() {
                    Action::Changed
                } else {
                    Action::Added
                },
                node: Some(node.clone()),
                previous_layer,
                deleted_by: None,
            }));
        }
        // A tar may omit parent directories; extracting it creates them (0755, root's).
        let mut parent = info.path.as_str();
        while let Some((p, _)) = parent.rsplit_once('/') {
            if tree.contains_key(p) {
                break;
            }
            let implied = Node {
                kind: FileKind::Dir,
                mode: 0o755,
                uid: 0,
                gid: 0,
                size: 0,
                mtime: info.mtime,
                link: None,
                layer: index,
                sha256: None,
            };
            tree.insert(p.to_string(), implied);
            parent = p;
        }
        tree.insert(info.path, node);
    }
    out.into_iter().flatten().collect()
}

/// Sizes of one layer, for the summary.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LayerSummary {
    /// Index in the manifest (0 = the bottom layer).
    pub index: usize,
    /// The layer blob's digest.
    pub digest: String,
    /// The layer blob's media type.
    pub media_type: String,
    /// The blob's (compressed) size in bytes, as the manifest gives it.
    pub size: u64,
    /// Bytes of the uncompressed tar.
    pub tar_size: u64,
    /// Ordinary entries in the tar (whiteouts not counted).
    pub entries: usize,
    /// Whiteouts and opaque markers in the tar.
    pub whiteouts: usize,
}

/// The sums over the layers and the tree.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Sum of the layer blobs' sizes (what a pull downloads).
    pub size: u64,
    /// Sum of the uncompressed tars' sizes.
    pub tar_size: u64,
    /// Entries of the flattened tree.
    pub entries: usize,
    /// Sum of the flattened tree's file sizes (what a container sees; less than `tarSize`
    /// when upper layers replace or delete files).
    pub files_size: u64,
}

/// The result of [`files`].
#[derive(Debug, Clone)]
pub struct Listing {
    /// The flattened tree (within the PATH filter); empty with a layer view.
    pub tree: Vec<(String, Node)>,
    /// With a layer view: the layer's changes (within the PATH filter), sorted by path.
    pub changes: Option<Vec<Change>>,
    /// Every layer's sizes, bottom first.
    pub layers: Vec<LayerSummary>,
    /// The sums.
    pub totals: Totals,
}

/// Options of [`files`].
#[derive(Debug, Clone, Default)]
pub struct FilesOptions {
    /// Only this path and what is below it (a clean relative path, `""` = everything).
    pub path: String,
    /// Show what this layer (an index into the manifest's layers) adds, changes and deletes
    /// instead of the flattened tree.
    pub layer: Option<usize>,
    /// Hash every file's bytes (sha256) into [`Node::sha256`].
    pub hash: bool,
}

/// Walks `layers` of image source `src` from the bottom up, applying each to `tree` (one blob
/// at a time, streamed); `on_layer` gets each layer's index, descriptor, stats and member
/// counts, and `view` names the layer whose changes are returned.
///
/// Errors: as [`walk_layer`] (Integrity for a layer that is not a tar or escapes the root) and
/// the source's.
pub async fn apply_layers(
    src: &dyn ImageSource,
    layers: &[(usize, Descriptor)],
    tree: &mut Tree,
    hash: bool,
    view: Option<usize>,
    mut on_layer: impl FnMut(usize, &Descriptor, LayerStats, usize, usize),
) -> Result<Option<Vec<Change>>> {
    let mut view_changes = None;
    for (index, desc) in layers {
        let index = *index;
        let raw = raw_layer(src, desc).await?;
        let media_type = desc.media_type().to_string();
        let mut t = std::mem::take(tree);
        let want = view == Some(index);
        let (t2, changes, stats, counts) = tokio::task::spawn_blocking(move || {
            let m = read_members(index, &media_type, raw, hash)?;
            let stats = m.stats;
            let counts = (m.entries.len(), m.whiteouts.len() + m.opaque.len());
            let changes = apply(&mut t, index, m, want);
            Ok::<_, Error>((t, changes, stats, counts))
        })
        .await
        .map_err(|e| Error::other(format!("files worker: {e}")))??;
        *tree = t2;
        if want {
            view_changes = Some(changes);
        }
        on_layer(index, desc, stats, counts.0, counts.1);
    }
    Ok(view_changes)
}

/// The file tree of image `manifest` (layers read from `src`), or with `opts.layer` that
/// layer's changes, and the per-layer sizes. Every layer is read (streamed) so that the
/// summary has every layer's uncompressed size.
///
/// Errors: NotFound when `opts.layer` is not a layer index, or when `opts.path` is not in the
/// flattened tree (tree view only); the errors of [`apply_layers`].
pub async fn files(
    src: &dyn ImageSource,
    manifest: &ImageManifest,
    opts: &FilesOptions,
) -> Result<Listing> {
    let count = manifest.layers().len();
    if let Some(n) = opts.layer
        && n >= count
    {
        return Err(Error::not_found(format!(
            "layer {n}: the image has {count} layer{} (0 to {})",
            if count == 1 { "" } else { "s" },
            count.saturating_sub(1)
        )));
    }
    let mut tree = Tree::new();
    let mut layers = Vec::with_capacity(count);
    let indexed: Vec<(usize, Descriptor)> = manifest.layers().iter().cloned().enumerate().collect();
    let changes = apply_layers(
        src,
        &indexed,
        &mut tree,
        opts.hash,
        opts.layer,
        |index, desc, stats, entries, whiteouts| {
            layers.push(LayerSummary {
                index,
                digest: desc.digest().to_string(),
                media_type: desc.media_type().to_string(),
                size: desc.size(),
                tar_size: stats.tar_bytes,
                entries,
                whiteouts,
            });
        },
    )
    .await?;
    let totals = Totals {
        size: layers.iter().map(|l| l.size).sum(),
        tar_size: layers.iter().map(|l| l.tar_size).sum(),
        entries: tree.len(),
        files_size: tree.values().map(|n| n.size).sum(),
    };
    let changes = changes.map(|c| {
        let mut c: Vec<Change> = c
            .into_iter()
            .filter(|c| within(&c.path, &opts.path))
            .collect();
        sort_paths(&mut c, |c| &c.path);
        c
    });
    let tree = if changes.is_some() {
        Vec::new()
    } else {
        let mut t: Vec<(String, Node)> = tree
            .into_iter()
            .filter(|(k, _)| within(k, &opts.path))
            .collect();
        if t.is_empty() && !opts.path.is_empty() {
            return Err(Error::not_found(format!(
                "/{} is not in the image's file tree",
                opts.path
            )));
        }
        sort_paths(&mut t, |(k, _)| k);
        t
    };
    Ok(Listing {
        tree,
        changes,
        layers,
        totals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(path: &str, kind: FileKind) -> FileInfo {
        FileInfo {
            path: path.into(),
            kind,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: 1,
            mtime: 0,
            link: None,
        }
    }

    fn layer(whiteouts: &[&str], opaque: &[&str], entries: &[(&str, FileKind)]) -> LayerMembers {
        LayerMembers {
            whiteouts: whiteouts.iter().map(|s| s.to_string()).collect(),
            opaque: opaque.iter().map(|s| s.to_string()).collect(),
            entries: entries.iter().map(|(p, k)| (info(p, *k), None)).collect(),
            stats: LayerStats::default(),
        }
    }

    #[test]
    fn whiteouts_and_opaque_dirs_delete_below_then_the_layer_writes() {
        use FileKind::*;
        let mut t = Tree::new();
        apply(
            &mut t,
            0,
            layer(
                &[],
                &[],
                &[
                    ("a", Dir),
                    ("a/x", File),
                    ("a/d", Dir),
                    ("a/d/y", File),
                    ("b", File),
                ],
            ),
            false,
        );
        let c = apply(
            &mut t,
            1,
            layer(&["b"], &["a"], &[("a", Dir), ("a/new", File), ("b", File)]),
            true,
        );
        let keys: Vec<&str> = t.keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["a", "a/new", "b"]);
        assert_eq!(t["b"].layer, 1);
        let summary: Vec<(String, char)> = c
            .iter()
            .map(|c| (c.path.clone(), c.action.letter()))
            .collect();
        // a/d/y goes with a/d: only the opaque directory's children are listed; b, whited out
        // and written again, is changed.
        assert_eq!(
            summary,
            [
                ("a/d".to_string(), 'D'),
                ("a/x".into(), 'D'),
                ("a".into(), 'M'),
                ("a/new".into(), 'A'),
                ("b".into(), 'M'),
            ]
        );
    }

    #[test]
    fn a_file_over_a_directory_replaces_its_subtree() {
        use FileKind::*;
        let mut t = Tree::new();
        apply(
            &mut t,
            0,
            layer(&[], &[], &[("a", Dir), ("a/x", File)]),
            false,
        );
        apply(&mut t, 1, layer(&[], &[], &[("a", File)]), false);
        assert_eq!(t.keys().collect::<Vec<_>>(), ["a"]);
    }

    #[test]
    fn missing_parent_directories_are_implied() {
        let mut t = Tree::new();
        apply(
            &mut t,
            2,
            layer(&[], &[], &[("usr/bin/x", FileKind::File)]),
            false,
        );
        assert_eq!(
            t.keys().collect::<Vec<_>>(),
            ["usr", "usr/bin", "usr/bin/x"]
        );
        assert_eq!(
            (t["usr/bin"].kind, t["usr/bin"].mode, t["usr"].layer),
            (FileKind::Dir, 0o755, 2)
        );
    }

    #[test]
    fn paths_filter_and_sort_by_component() {
        assert!(within("etc/a", "etc"));
        assert!(within("etc", "etc"));
        assert!(!within("etc-x", "etc"));
        assert!(within("anything", ""));
        let mut v = vec!["etc-x", "etc/a", "etc"];
        sort_paths(&mut v, |s| s);
        assert_eq!(v, ["etc", "etc/a", "etc-x"]);
    }
}
