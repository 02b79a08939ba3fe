//! `index.json` of the store: the images it names (OCI image spec `image-layout.md`,
//! "index.json"; names are [`REF_NAME`] annotations), lookups by name, digest and digest
//! prefix, and naming and unnaming under the layout lock. The document is edited as JSON
//! values so that fields and entries written by other tools survive.

use std::fs;
use std::path::PathBuf;

use oci_spec::image::Descriptor;
use serde_json::{Map, Value};

use super::{INDEX_FILE, Layout, REF_NAME};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::manifest;

impl Layout {
    /// The entries of `index.json`, in file order.
    ///
    /// Errors: NotFound when `index.json` is missing; Integrity when it, or an entry, is not a
    /// valid image index / descriptor.
    pub fn manifests(&self) -> Result<Vec<Descriptor>> {
        entries(&self.read_index()?)
            .iter()
            .enumerate()
            .map(|(i, e)| self.entry_descriptor(i, e))
            .collect()
    }

    /// The ref names (tags) of `index.json` entries, in file order; unnamed entries are skipped.
    ///
    /// Errors: as [`Layout::manifests`].
    pub fn ref_names(&self) -> Result<Vec<String>> {
        Ok(entries(&self.read_index()?)
            .iter()
            .filter_map(|e| entry_name(e).map(str::to_string))
            .collect())
    }

    /// The entry whose [`REF_NAME`] annotation equals `name` exactly.
    ///
    /// Errors: NotFound (naming `name` and the layout) when no entry has that name; Integrity
    /// when several do (another tool wrote an ambiguous index) or `index.json` is malformed.
    pub fn resolve(&self, name: &str) -> Result<Descriptor> {
        let index = self.read_index()?;
        let list = entries(&index);
        let found: Vec<usize> = (0..list.len())
            .filter(|i| entry_name(&list[*i]) == Some(name))
            .collect();
        match found.as_slice() {
            [i] => self.entry_descriptor(*i, &list[*i]),
            [] => Err(Error::not_found(format!(
                "no image named {name:?} in OCI layout {}",
                self.root.display()
            ))
            .with_hint(names_hint(list))),
            many => Err(Error::integrity(format!(
                "{} entries of {} are named {name:?}; the name is ambiguous",
                many.len(),
                self.index_path().display()
            ))
            .with_hint("name the image again (imgctl replaces every entry of that name)")),
        }
    }

    /// The first entry (named or not) whose manifest digest is `digest`.
    ///
    /// Errors: NotFound when no entry has that digest; Integrity when `index.json` is malformed.
    pub fn resolve_digest(&self, digest: &Digest) -> Result<Descriptor> {
        let index = self.read_index()?;
        let list = entries(&index);
        let want = digest.to_string();
        match list
            .iter()
            .position(|e| e.get("digest").and_then(Value::as_str) == Some(want.as_str()))
        {
            Some(i) => self.entry_descriptor(i, &list[i]),
            None => Err(Error::not_found(format!(
                "no image with digest {want} in OCI layout {}",
                self.root.display()
            ))),
        }
    }

    /// The manifest digests of `index.json` entries starting with `prefix` (`sha256:HEX…` or
    /// bare hex), deduplicated, in file order. For digest-prefix lookups like `rmi 0123abcd…`.
    ///
    /// Errors: as [`Layout::manifests`].
    pub fn digests_with_prefix(&self, prefix: &str) -> Result<Vec<Digest>> {
        let index = self.read_index()?;
        let mut out: Vec<Digest> = Vec::new();
        for e in entries(&index) {
            let Some(d) = e.get("digest").and_then(Value::as_str) else {
                continue;
            };
            let hex = d.split_once(':').map(|(_, h)| h).unwrap_or(d);
            if (d.starts_with(prefix) || hex.starts_with(prefix))
                && let Ok(d) = d.parse::<Digest>()
                && !out.contains(&d)
            {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// Removes every entry whose manifest digest is `digest` (named or not), under the lock;
    /// returns the names removed (empty for untagged entries). Blobs stay until [`Layout::gc`].
    ///
    /// Errors: NotFound when no entry has that digest; Integrity when `index.json` is malformed.
    pub fn remove_digest(&self, digest: &Digest) -> Result<Vec<String>> {
        let _lock = self.lock()?;
        let mut index = self.read_index()?;
        let list = entries_mut(&mut index)?;
        let want = digest.to_string();
        let hit = |e: &Value| e.get("digest").and_then(Value::as_str) == Some(want.as_str());
        if !list.iter().any(hit) {
            return Err(Error::not_found(format!(
                "no image with digest {want} in OCI layout {}",
                self.root.display()
            )));
        }
        let names = list
            .iter()
            .filter(|e| hit(e))
            .filter_map(|e| entry_name(e).map(str::to_string))
            .collect();
        let old = index.clone();
        entries_mut(&mut index)?.retain(|e| !hit(e));
        self.write_index_freeing_space(&index, &old)?;
        Ok(names)
    }

    /// The layout's only entry, for a location that names no image (`oci:DIR`).
    ///
    /// Errors: NotFound when `index.json` has no entries; Usage when it has several (the
    /// hint lists some names to choose from).
    pub fn resolve_default(&self) -> Result<Descriptor> {
        let index = self.read_index()?;
        let list = entries(&index);
        match list {
            [only] => self.entry_descriptor(0, only),
            [] => Err(Error::not_found(format!(
                "OCI layout {} holds no images",
                self.root.display()
            ))),
            many => Err(Error::usage(format!(
                "OCI layout {} holds {} images; say which one",
                self.root.display(),
                many.len()
            ))
            .with_hint(names_hint(many))),
        }
    }

    /// [`Layout::resolve`] for `Some(name)`, [`Layout::resolve_default`] for `None`.
    pub fn resolve_ref(&self, name: Option<&str>) -> Result<Descriptor> {
        match name {
            Some(n) => self.resolve(n),
            None => self.resolve_default(),
        }
    }

    /// Adds `desc` to `index.json` named `name`, under the lock: any entry already named `name`
    /// is replaced (in place; otherwise the entry is appended). With `name: None` the entry is
    /// unnamed, and an unnamed entry of the same digest is replaced rather than duplicated;
    /// when a named entry already holds that digest nothing is added (loading an image the
    /// layout already has by name adds no `<none>` row). Naming a digest removes its unnamed
    /// entries (like `docker tag` of a dangling image). `name` is authoritative: a
    /// [`REF_NAME`] annotation inside `desc` is overwritten or removed. Other entries, and
    /// unknown fields anywhere in `index.json`, are kept.
    ///
    /// Errors: Usage when `name` is not a valid ref name (OCI grammar: components of
    /// alphanumerics joined by one of `-._:@+` or `--`, separated by `/`); NotFound when blob
    /// `desc.digest` is not in the layout (write the manifest before naming it); Integrity when
    /// `index.json` is malformed; Other on I/O failure. `index.json` is unchanged on error.
    pub fn set_ref(&self, name: Option<&str>, desc: Descriptor) -> Result<()> {
        if let Some(n) = name {
            check_ref_name(n)?;
        }
        let digest = manifest::descriptor_digest(&desc)?;
        if !self.has_blob(&digest) {
            return Err(Error::not_found(format!(
                "cannot add {digest} to {}: the blob is not in the layout",
                self.index_path().display()
            ))
            .with_hint("write the manifest (and its blobs) before naming it"));
        }
        let _lock = self.lock()?;
        let mut index = self.read_index()?;
        if add_ref_to_index(&mut index, name, &desc)? {
            self.write_index(&index)?;
        }
        Ok(())
    }

    /// Removes every entry named `name` from `index.json` (under the lock) and returns the
    /// (first) removed descriptor. Blobs stay until [`Layout::gc`].
    ///
    /// Errors: NotFound when no entry is named `name`; Integrity when `index.json` is malformed.
    pub fn remove_ref(&self, name: &str) -> Result<Descriptor> {
        let _lock = self.lock()?;
        let mut index = self.read_index()?;
        let list = entries_mut(&mut index)?;
        let Some(i) = list.iter().position(|e| entry_name(e) == Some(name)) else {
            return Err(Error::not_found(format!(
                "no image named {name:?} in OCI layout {}",
                self.root.display()
            ))
            .with_hint(names_hint(list)));
        };
        let removed = self.entry_descriptor(i, &list[i])?;
        let old = index.clone();
        entries_mut(&mut index)?.retain(|e| entry_name(e) != Some(name));
        self.write_index_freeing_space(&index, &old)?;
        Ok(removed)
    }

    /// `<root>/index.json`.
    pub(super) fn index_path(&self) -> PathBuf {
        self.root.join(INDEX_FILE)
    }

    /// The `index.json` document as JSON (foreign fields kept).
    ///
    /// Errors: NotFound (with a hint) when it is missing; Integrity when it is not JSON or has
    /// no valid `manifests` list; Other on I/O failure.
    pub(super) fn read_index(&self) -> Result<Value> {
        let path = self.index_path();
        let bytes = fs::read(&path).map_err(|e| {
            let kind = e.kind();
            let err = Error::from(e).context(format!("failed to read {}", path.display()));
            if kind == std::io::ErrorKind::NotFound {
                err.with_hint("is this an OCI image layout?")
            } else {
                err
            }
        })?;
        let v: Value = serde_json::from_slice(&bytes)
            .map_err(|e| Error::integrity(format!("{} is not valid JSON: {e}", path.display())))?;
        let ok = v.is_object()
            && matches!(
                v.get("manifests"),
                None | Some(Value::Null) | Some(Value::Array(_))
            );
        if !ok {
            return Err(Error::integrity(format!(
                "{} is not an OCI image index (no \"manifests\" list)",
                path.display()
            )));
        }
        Ok(v)
    }

    /// Replaces `index.json` with `index` atomically. Caller holds [`Layout::lock`].
    ///
    /// Errors: as [`Layout::atomic_write`].
    pub(super) fn write_index(&self, index: &Value) -> Result<()> {
        self.atomic_write(&self.index_path(), &serde_json::to_vec(index)?)
    }

    /// Entry `i` of `index.json`, `entry`, as a descriptor.
    ///
    /// Errors: Integrity naming the entry when it is not a valid descriptor.
    pub(super) fn entry_descriptor(&self, i: usize, entry: &Value) -> Result<Descriptor> {
        manifest::descriptor_from_json(entry.clone()).map_err(|e| {
            Error::integrity(format!(
                "entry {i} of {} is not a valid descriptor: {e}",
                self.index_path().display()
            ))
        })
    }
}

/// Adds `desc` named `name` to the image index document `index` (an `index.json` as JSON),
/// with exactly [`Layout::set_ref`]'s rules (a same-named entry replaced in place, unnamed
/// entries deduplicated by digest, naming removes a digest's unnamed entries, other entries and
/// unknown fields kept). Used by `set_ref` under the layout lock, and by archive writers that
/// build their `index.json` in memory. Returns whether `index` changed.
///
/// Errors: Usage when `name` is not a valid ref name; Integrity when `index` has no valid
/// `manifests` list or `desc` cannot be serialised.
pub fn add_ref_to_index(index: &mut Value, name: Option<&str>, desc: &Descriptor) -> Result<bool> {
    if let Some(n) = name {
        check_ref_name(n)?;
    }
    let digest_str = manifest::descriptor_digest(desc)?.to_string();
    let mut entry = manifest::descriptor_to_json(desc)?;
    set_entry_name(&mut entry, name);
    let list = entries_mut(index)?;
    let same_digest = |e: &Value| e.get("digest").and_then(Value::as_str) == Some(&digest_str);
    if name.is_none()
        && list
            .iter()
            .any(|e| entry_name(e).is_some() && same_digest(e))
    {
        return Ok(false);
    }
    let replaces = |e: &Value| match name {
        Some(n) => entry_name(e) == Some(n),
        None => entry_name(e).is_none() && same_digest(e),
    };
    let old = list.clone();
    let at = list.iter().position(replaces);
    list.retain(|e| !replaces(e));
    match at {
        Some(i) => list.insert(i, entry),
        None => list.push(entry),
    }
    if name.is_some() {
        list.retain(|e| entry_name(e).is_some() || !same_digest(e));
    }
    Ok(*list != old)
}

/// An empty OCI image index document (`index.json` of a new layout).
pub fn empty_index() -> Value {
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": manifest::OCI_INDEX,
        "manifests": [],
    })
}

/// The `manifests` list of `index` (empty when absent or not a list).
pub(super) fn entries(index: &Value) -> &[Value] {
    index
        .get("manifests")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The `manifests` list of `index`, created when absent; fills in `schemaVersion`/`mediaType`
/// when another tool left them out.
fn entries_mut(index: &mut Value) -> Result<&mut Vec<Value>> {
    let obj = index
        .as_object_mut()
        .ok_or_else(|| Error::integrity("index.json is not a JSON object"))?;
    obj.entry("schemaVersion").or_insert(Value::from(2));
    obj.entry("mediaType")
        .or_insert(Value::from(manifest::OCI_INDEX));
    let list = obj.entry("manifests").or_insert(Value::Array(Vec::new()));
    if list.is_null() {
        *list = Value::Array(Vec::new());
    }
    list.as_array_mut()
        .ok_or_else(|| Error::integrity("index.json \"manifests\" is not a list"))
}

/// The [`REF_NAME`] annotation of an `index.json` entry, if any.
pub(super) fn entry_name(entry: &Value) -> Option<&str> {
    entry.get("annotations")?.get(REF_NAME)?.as_str()
}

fn set_entry_name(entry: &mut Value, name: Option<&str>) {
    let Some(obj) = entry.as_object_mut() else {
        return;
    };
    let annotations = obj
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(a) = annotations.as_object_mut() {
        match name {
            Some(n) => {
                a.insert(REF_NAME.to_string(), Value::from(n));
            }
            None => {
                a.remove(REF_NAME);
            }
        }
    }
    if annotations.as_object().is_some_and(Map::is_empty) || annotations.is_null() {
        obj.remove("annotations");
    }
}

/// A hint listing up to five names of `list` (names are not secret; the whole index is not
/// dumped into an error).
fn names_hint(list: &[Value]) -> String {
    let names: Vec<&str> = list.iter().filter_map(entry_name).collect();
    if names.is_empty() {
        return "the layout has no named images".to_string();
    }
    let shown: Vec<String> = names.iter().take(5).map(|n| format!("{n:?}")).collect();
    let more = if names.len() > 5 {
        format!(" and {} more", names.len() - 5)
    } else {
        String::new()
    };
    format!("images in this layout: {}{more}", shown.join(", "))
}

/// Checks `name` against the OCI image-layout ref grammar:
/// `component ("/" component)*`, `component ::= alphanum (separator alphanum)*`,
/// `separator ::= [-._:@+] | "--"`.
pub(super) fn check_ref_name(name: &str) -> Result<()> {
    let component_ok = |c: &str| {
        let b = c.as_bytes();
        if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric()
        {
            return false;
        }
        let mut run = String::new();
        for &ch in b {
            if ch.is_ascii_alphanumeric() {
                if !(run.len() <= 1 || run == "--") {
                    return false;
                }
                run.clear();
            } else if b"-._:@+".contains(&ch) {
                run.push(ch as char);
            } else {
                return false;
            }
        }
        true
    };
    if name.split('/').all(component_ok) {
        Ok(())
    } else {
        Err(Error::usage(format!("invalid image name {name:?} for an OCI layout"))
            .with_hint("use letters and digits joined by one of - . _ : @ + (or --), with / between parts, e.g. v1.2 or app/latest"))
    }
}
