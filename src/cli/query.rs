//! `digest`, `catalog`, `delete`: small registry (and location) queries.

use imgctl::error::{Error, Result};
use imgctl::location::{BareMeans, Location, parse_registry};
use imgctl::reference::normalise_registry;
use imgctl::transport::open::open_source;

use super::{FormatArg, GlobalOpts, SideOpts};

/// `imgctl digest LOCATION`: the digest of the manifest or index the location names (a bare
/// name the local store has: the store's image, see [`super::inspect::resolve_bare`]).
/// With `platform`, the digest of that platform's image in an index (like `crane digest
/// --platform`); a single-platform image is checked against it.
pub async fn digest(g: &GlobalOpts, location: &str, platform: Option<&str>) -> Result<()> {
    let loc = super::inspect::resolve_bare(g, location)?;
    let client = g.client(&SideOpts::default())?;
    let src = open_source(&loc, &client, &g.store_dir()?)?;
    let m = src.root_manifest().await?;
    let (m, _) =
        imgctl::ops::inspect::for_platform(src.as_ref(), m, platform, platform.is_some()).await?;
    match g.format {
        FormatArg::Text => outln!("{}", m.digest),
        FormatArg::Json => super::print_json(&serde_json::json!({"location": src.describe(),
            "digest": m.digest.to_string(), "mediaType": m.media_type, "size": m.size()}))?,
    }
    Ok(())
}

/// `imgctl catalog REGISTRY`: every repository of a registry (Link pagination followed).
pub async fn catalog(g: &GlobalOpts, registry: &str, page_size: u32) -> Result<()> {
    if let Ok(loc) = Location::parse(registry, BareMeans::Registry)
        && !matches!(loc, Location::Registry(_))
    {
        return Err(Error::usage(format!(
            "catalog needs a registry host (got {})",
            loc.kind_name()
        )));
    }
    let host = registry
        .strip_prefix("docker://")
        .unwrap_or(registry)
        .trim_end_matches('/');
    if host.is_empty() || host.contains('/') {
        return Err(Error::usage(format!(
            "invalid registry {registry:?}: expected HOST[:PORT], e.g. localhost:5000"
        )));
    }
    let registry = normalise_registry(host);
    let client = g.client(&SideOpts::default())?;
    // The handle's repository only seeds the token request; see Repository::catalog. An Auth
    // error's hint says to log in (anonymous) or names the permission (credentials sent).
    let repos = client
        .repository(&registry, "catalog")
        .catalog_paged(Some(page_size))
        .await?;
    match g.format {
        FormatArg::Json => {
            super::print_json(&serde_json::json!({"registry": registry, "repositories": repos}))?
        }
        FormatArg::Text => {
            for r in repos {
                outln!("{r}");
            }
        }
    }
    Ok(())
}

/// `imgctl delete REF`: deletes a manifest by digest; a tag is resolved first, with a warning
/// that every tag on that digest goes with it.
pub async fn delete(g: &GlobalOpts, reference: &str) -> Result<()> {
    let r = parse_registry(reference, "delete", false)?;
    let client = g.client(&SideOpts::default())?;
    let repo = client.repository(&r.registry, &r.repository);
    let digest = match &r.digest {
        Some(d) => d.clone(),
        None => {
            let tag = r.tag.clone().unwrap_or_else(|| "latest".into());
            let m = repo.get_manifest(&tag).await?;
            errln!(
                "warning: {r} resolves to {}; deleting the manifest removes every tag pointing at it",
                m.digest
            );
            m.digest
        }
    };
    // A registry refusing deletion (405 UNSUPPORTED) is reported with a hint by the library.
    repo.delete_manifest(&digest).await?;
    let deleted = r.with_digest(digest.clone());
    match g.format {
        FormatArg::Text => outln!("{digest}"),
        FormatArg::Json => super::print_json(
            &serde_json::json!({"deleted": deleted.to_string(), "digest": digest.to_string()}),
        )?,
    }
    Ok(())
}
