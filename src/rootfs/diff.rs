//! `imgctl diff`: files added, removed and changed between the flattened trees of two images,
//! compared by content digest (sha256 of each file's bytes, computed while the layer streams;
//! nothing is unpacked to disk) and by kind, mode, owner and link target. Modification times
//! are not compared: a rebuild changes them all.

use oci_spec::image::{Descriptor, ImageManifest};
use serde::Serialize;

use super::FileKind;
use super::files::{Node, Tree, apply_layers, sort_paths};
use crate::error::Result;
use crate::transport::ImageSource;

/// One image of a comparison.
pub struct Side<'a> {
    /// Where its blobs are read.
    pub src: &'a dyn ImageSource,
    /// Its manifest.
    pub manifest: &'a ImageManifest,
    /// Its config's `rootfs.diff_ids` when known: layers with the same diff_id at the same
    /// position of both images (from the bottom) are read once.
    pub diff_ids: Option<Vec<String>>,
}

/// A path's metadata on one side of a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// `file`, `dir`, `symlink`, … ([`FileKind::as_str`]; a hard link reads as its target).
    pub kind: &'static str,
    /// Permission bits as 4 octal digits (`0644`).
    pub mode: String,
    /// Owner uid.
    pub uid: u64,
    /// Owner gid.
    pub gid: u64,
    /// A file's size in bytes.
    pub size: u64,
    /// A symlink's target.
    pub link_target: Option<String>,
    /// A file's content digest, `sha256:<hex>`.
    pub digest: Option<String>,
}

/// A path both images have, with what differs.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Changed {
    /// Clean relative path.
    pub path: String,
    /// What differs, in this order: `kind`, `content`, `link`, `mode`, `owner`.
    pub changes: Vec<&'static str>,
    /// The path in the first image.
    pub before: Meta,
    /// The path in the second image.
    pub after: Meta,
}

/// The result of [`diff`]; every list sorted by path (component by component).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diff {
    /// Paths only the second image has.
    pub added: Vec<String>,
    /// Paths only the first image has.
    pub removed: Vec<String>,
    /// Paths both have that differ.
    pub changed: Vec<Changed>,
    /// Bottom layers both images share (read once).
    pub shared_layers: usize,
}

/// What a container sees at a path: a hard link is the file it names.
fn effective<'t>(tree: &'t Tree, node: &'t Node) -> &'t Node {
    if node.kind == FileKind::Hardlink
        && let Some(t) = node.link.as_deref().and_then(|t| tree.get(t))
    {
        return t;
    }
    node
}

fn meta(n: &Node) -> Meta {
    let kind = if n.kind == FileKind::Hardlink {
        FileKind::File
    } else {
        n.kind
    };
    Meta {
        kind: kind.as_str(),
        mode: format!("{:04o}", n.mode),
        uid: n.uid,
        gid: n.gid,
        size: n.size,
        link_target: (n.kind == FileKind::Symlink)
            .then(|| n.link.clone())
            .flatten(),
        digest: n.sha256.map(|d| format!("sha256:{}", hex::encode(d))),
    }
}

/// What differs between two metadata records of the same path.
fn changes(a: &Meta, b: &Meta) -> Vec<&'static str> {
    let mut c = Vec::new();
    if a.kind != b.kind {
        c.push("kind");
    } else if a.kind == "file" && (a.digest != b.digest || a.size != b.size) {
        c.push("content");
    } else if a.link_target != b.link_target {
        c.push("link");
    }
    if a.mode != b.mode {
        c.push("mode");
    }
    if (a.uid, a.gid) != (b.uid, b.gid) {
        c.push("owner");
    }
    c
}

/// How many bottom layers `a` and `b` share: the same blob digest, or the same diff_id
/// (the same tar, compressed differently).
fn shared_prefix(a: &Side<'_>, b: &Side<'_>) -> usize {
    let (la, lb) = (a.manifest.layers(), b.manifest.layers());
    let ids = |s: &Side<'_>, n: usize| s.diff_ids.as_ref().filter(|d| d.len() == n).cloned();
    let (ia, ib) = (ids(a, la.len()), ids(b, lb.len()));
    la.iter()
        .zip(lb)
        .enumerate()
        .take_while(|(i, (x, y))| {
            x.digest() == y.digest() || matches!((&ia, &ib), (Some(p), Some(q)) if p[*i] == q[*i])
        })
        .count()
}

fn indexed(layers: &[Descriptor], from: usize) -> Vec<(usize, Descriptor)> {
    layers.iter().cloned().enumerate().skip(from).collect()
}

/// Compares the flattened trees of images `a` and `b` (layers streamed bottom up from each
/// side's source, every file hashed; the bottom layers both share are read once, from `a`).
/// Memory holds both trees' metadata and digests, never file bytes.
///
/// Errors: Integrity for a layer that is not a tar or escapes the root (the message names the
/// layer); the sources' errors.
pub async fn diff(a: &Side<'_>, b: &Side<'_>) -> Result<Diff> {
    let shared = shared_prefix(a, b);
    let mut base = Tree::new();
    let noop = |_: usize, _: &Descriptor, _: super::LayerStats, _: usize, _: usize| {};
    let shared_layers: Vec<(usize, Descriptor)> = indexed(a.manifest.layers(), 0)
        .into_iter()
        .take(shared)
        .collect();
    apply_layers(a.src, &shared_layers, &mut base, true, None, noop).await?;
    let mut ta = base.clone();
    apply_layers(
        a.src,
        &indexed(a.manifest.layers(), shared),
        &mut ta,
        true,
        None,
        noop,
    )
    .await?;
    let mut tb = base;
    apply_layers(
        b.src,
        &indexed(b.manifest.layers(), shared),
        &mut tb,
        true,
        None,
        noop,
    )
    .await?;

    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut changed = Vec::new();
    for (path, na) in &ta {
        match tb.get(path) {
            None => removed.push(path.clone()),
            Some(nb) => {
                let (ma, mb) = (meta(effective(&ta, na)), meta(effective(&tb, nb)));
                let c = changes(&ma, &mb);
                if !c.is_empty() {
                    changed.push(Changed {
                        path: path.clone(),
                        changes: c,
                        before: ma,
                        after: mb,
                    });
                }
            }
        }
    }
    for path in tb.keys() {
        if !ta.contains_key(path) {
            added.push(path.clone());
        }
    }
    sort_paths(&mut added, |p| p);
    sort_paths(&mut removed, |p| p);
    sort_paths(&mut changed, |c| &c.path);
    Ok(Diff {
        added,
        removed,
        changed,
        shared_layers: shared,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(kind: FileKind, mode: u32, sha: u8) -> Node {
        Node {
            kind,
            mode,
            uid: 0,
            gid: 0,
            size: 3,
            mtime: 0,
            link: None,
            layer: 0,
            sha256: Some([sha; 32]),
        }
    }

    #[test]
    fn content_mode_and_owner_are_compared_not_mtime() {
        let a = node(FileKind::File, 0o644, 1);
        let mut b = node(FileKind::File, 0o600, 2);
        b.mtime = 99;
        b.uid = 1000;
        assert_eq!(changes(&meta(&a), &meta(&b)), ["content", "mode", "owner"]);
        let mut c = a.clone();
        c.mtime = 5;
        c.layer = 3;
        assert!(changes(&meta(&a), &meta(&c)).is_empty());
        let d = node(FileKind::Dir, 0o644, 1);
        assert_eq!(changes(&meta(&a), &meta(&d)), ["kind"]);
    }

    #[test]
    fn a_hard_link_reads_as_its_target() {
        let mut t = Tree::new();
        t.insert("a".into(), node(FileKind::File, 0o755, 7));
        let mut l = node(FileKind::Hardlink, 0o644, 0);
        l.link = Some("a".into());
        assert_eq!(meta(effective(&t, &l)), meta(&t["a"]));
    }
}
