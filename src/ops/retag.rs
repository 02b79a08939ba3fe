//! Registry retag (`imgctl tag docker://REF TAG…`): the manifest REF names is put again under
//! each new tag of the same repository; no blob moves (distribution spec, "Pushing
//! manifests").

use crate::digest::Digest;
use crate::error::Result;
use crate::reference::Reference;
use crate::registry::Client;

/// Tags the manifest `source` names (by tag or digest) with each of `tags` (a leading `:` is
/// dropped) in the same repository, in order; `on_tagged` is told of each new reference once
/// it is written. Returns the manifest's digest and the new references.
///
/// Errors: the registry's for reading `source` (NotFound when it does not exist); Usage for a
/// malformed tag (before the manifest is written under it); the registry's for each push, with
/// `cannot tag REF` as context (the tags already written stay).
pub async fn retag(
    client: &Client,
    source: &Reference,
    tags: &[String],
    on_tagged: &mut dyn FnMut(&Reference),
) -> Result<(Digest, Vec<Reference>)> {
    let repo = client.repository(&source.registry, &source.repository);
    let m = repo.get_manifest(&source.manifest_ref()).await?;
    let mut tagged = Vec::with_capacity(tags.len());
    for t in tags {
        let t = t.strip_prefix(':').unwrap_or(t);
        let new = source.with_tag(t)?;
        repo.put_manifest(t, &m)
            .await
            .map_err(|e| e.context(format!("cannot tag {new}")))?;
        on_tagged(&new);
        tagged.push(new);
    }
    Ok((m.digest, tagged))
}
