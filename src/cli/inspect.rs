//! `imgctl inspect LOCATION`: what an image or index is and what is inside it.

use indicatif::HumanBytes;
use oci_spec::image::Descriptor;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

use imgctl::digest::VerifyingReader;
use imgctl::error::{Error, Result};
use imgctl::location::{BareMeans, Location};
use imgctl::manifest::{
    self as mf, Manifest, descriptor_digest, parse_platform_list, platform_string,
};
use imgctl::transport::{FetchedManifest, ImageSource, open_source};

use super::{FormatArg, GlobalOpts, SideOpts};

/// What `inspect` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// A summary (text or JSON).
    Summary,
    /// The manifest bytes, exactly.
    Raw,
    /// The config blob bytes, exactly.
    Config,
    /// The layer history.
    Layers,
}

/// Largest config blob read into memory (64 MiB).
const MAX_CONFIG: u64 = 64 << 20;

/// Reads blob `desc` whole from `src`, verified against its digest and size.
pub async fn read_blob(src: &dyn ImageSource, desc: &Descriptor) -> Result<Vec<u8>> {
    if desc.size() > MAX_CONFIG {
        return Err(Error::integrity(format!(
            "blob {} is {} bytes, too large to show",
            desc.digest(),
            desc.size()
        )));
    }
    let stream = src.blob(desc, 0).await?;
    let mut r = VerifyingReader::new(stream, descriptor_digest(desc)?, Some(desc.size()));
    let mut buf = Vec::with_capacity(desc.size() as usize);
    r.read_to_end(&mut buf).await?;
    Ok(buf)
}

fn is_image_config(mt: &str) -> bool {
    mt == "application/vnd.oci.image.config.v1+json"
        || mt == "application/vnd.docker.container.image.v1+json"
}

/// The location `inspect` and `digest` read for `location`: a bare reference (no transport)
/// that names an image of the local store is that image, as `docker image inspect` shows the
/// daemon's, with a note on stderr (unless `-q`) naming `docker://…` for the registry's; any
/// other bare reference is the registry's. The store is only read, never created.
///
/// Errors: as [`Location::parse`] (Usage).
pub(super) fn resolve_bare(g: &GlobalOpts, location: &str) -> Result<Location> {
    let loc = Location::parse(location, BareMeans::Registry)?;
    let Location::Registry(r) = &loc else {
        return Ok(loc);
    };
    if location.starts_with("docker://") {
        return Ok(loc);
    }
    let in_store = g
        .store_dir()
        .ok()
        .and_then(|d| imgctl::layout::Layout::open(&d).ok())
        .is_some_and(|store| store.resolve(&r.to_string()).is_ok());
    if !in_store {
        return Ok(loc);
    }
    if !g.quiet {
        eprintln!("note: {r} from the local store; docker://{location} for the registry");
    }
    Ok(Location::Store(r.clone()))
}

/// `imgctl inspect LOCATION [--raw|--config|--layers] [--platform P]`.
pub async fn inspect(
    g: &GlobalOpts,
    location: &str,
    view: View,
    platform: Option<&str>,
) -> Result<()> {
    let loc = resolve_bare(g, location)?;
    let client = g.client(&SideOpts::default())?;
    let src = open_source(&loc, &client, &g.store_dir()?)?;
    let m = src.root_manifest().await?;
    let select = platform.is_some() || matches!(view, View::Config | View::Layers);
    let (m, chosen_platform) = for_platform(src.as_ref(), m, platform, select).await?;

    if view == View::Raw {
        crate::output::write(&m.bytes);
        return Ok(());
    }

    if m.media_type == mf::DOCKER_SCHEMA1 || m.media_type == mf::DOCKER_SCHEMA1_SIGNED {
        if view != View::Summary {
            return Err(Error::usage(
                "a Docker schema 1 manifest has no config blob; only the summary and --raw are available",
            ));
        }
        let s = mf::parse_schema1(&m.bytes)?;
        return print_schema1(g, &src.describe(), &m, &s);
    }

    match Manifest::parse(&m.bytes, &m.media_type)? {
        Manifest::Index(index) => {
            // A file location (layout, archive) may hold only some children of its index (a
            // Docker 25+ `docker save` keeps the whole index but only the saved platforms);
            // say which are there. A registry is not asked: that would cost a request each.
            let local = !matches!(loc, Location::Registry(_));
            let mut platforms: Vec<Value> = Vec::new();
            for d in index.manifests() {
                let present = if local {
                    match descriptor_digest(d) {
                        Ok(digest) => Some(src.manifest(&digest).await.is_ok()),
                        Err(_) => Some(false),
                    }
                } else {
                    None
                };
                platforms.push(json!({
                    "platform": d.platform().as_ref().map(platform_string),
                    "digest": d.digest().to_string(),
                    "mediaType": d.media_type().to_string(),
                    "size": d.size(),
                    "artifactType": d.artifact_type().as_ref().map(|a| a.to_string()),
                    "attestation": mf::is_attestation_entry(d),
                    "present": present,
                }));
            }
            let tags = registry_tags(&loc, &client).await;
            let doc = json!({
                "name": src.describe(),
                "digest": m.digest.to_string(),
                "mediaType": m.media_type,
                "size": m.size(),
                "tags": tags,
                "artifactType": index.artifact_type().as_ref().map(|a| a.to_string()),
                "annotations": index.annotations(),
                "platforms": platforms,
            });
            match g.format {
                FormatArg::Json => print_json(&doc),
                FormatArg::Text => {
                    header(&doc);
                    outln!("Manifests:");
                    for p in &platforms {
                        let mut note = String::new();
                        if p["attestation"] == true {
                            note.push_str("  (attestation)");
                        }
                        if p["present"] == false {
                            note.push_str("  (not in this location)");
                        }
                        outln!(
                            "  {:<20}  {}  {}{note}",
                            p["platform"].as_str().unwrap_or("-"),
                            p["digest"].as_str().unwrap_or(""),
                            p["mediaType"].as_str().unwrap_or("")
                        );
                    }
                    Ok(())
                }
            }
        }
        Manifest::Image(image) => {
            let config_mt = image.config().media_type().to_string();
            let config_bytes = if is_image_config(&config_mt) || view == View::Config {
                Some(read_blob(src.as_ref(), image.config()).await?)
            } else {
                None
            };
            if view == View::Config {
                crate::output::write(config_bytes.as_deref().unwrap_or_default());
                return Ok(());
            }
            let config: Value = match &config_bytes {
                Some(b) if is_image_config(&config_mt) => serde_json::from_slice(b)?,
                _ => Value::Null,
            };
            if view == View::Layers {
                return print_history(g, &image, &config);
            }
            let layers: Vec<Value> = image
                .layers()
                .iter()
                .map(|l| {
                    json!({
                        "digest": l.digest().to_string(),
                        "size": l.size(),
                        "mediaType": l.media_type().to_string(),
                        "annotations": l.annotations(),
                    })
                })
                .collect();
            let c = &config["config"];
            let tags = registry_tags(&loc, &client).await;
            let doc = json!({
                "name": src.describe(),
                "digest": m.digest.to_string(),
                "mediaType": m.media_type,
                "size": m.size(),
                "tags": tags,
                "platform": chosen_platform,
                "artifactType": image.artifact_type().as_ref().map(|a| a.to_string()),
                "subject": image.subject().as_ref().map(|s| s.digest().to_string()),
                "config": {"digest": image.config().digest().to_string(), "mediaType": config_mt, "size": image.config().size()},
                "created": config.get("created"),
                "os": config.get("os"),
                "architecture": config.get("architecture"),
                "variant": config.get("variant"),
                "env": c.get("Env"),
                "entrypoint": c.get("Entrypoint"),
                "cmd": c.get("Cmd"),
                "workingDir": c.get("WorkingDir"),
                "user": c.get("User"),
                "labels": c.get("Labels"),
                "annotations": image.annotations(),
                "layers": layers,
            });
            match g.format {
                FormatArg::Json => print_json(&doc),
                FormatArg::Text => {
                    header(&doc);
                    let line = |k: &str, v: &Value| {
                        if !v.is_null() {
                            outln!(
                                "{k:<14} {}",
                                v.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| v.to_string())
                            );
                        }
                    };
                    line("Config:", &doc["config"]["digest"]);
                    line("Artifact type:", &doc["artifactType"]);
                    line("Subject:", &doc["subject"]);
                    line("Created:", &doc["created"]);
                    if !config.is_null() {
                        let mut p = format!(
                            "{}/{}",
                            config["os"].as_str().unwrap_or("?"),
                            config["architecture"].as_str().unwrap_or("?")
                        );
                        if let Some(v) = config["variant"].as_str() {
                            p.push('/');
                            p.push_str(v);
                        }
                        outln!("{:<14} {p}", "Platform:");
                    }
                    line("Entrypoint:", &doc["entrypoint"]);
                    line("Cmd:", &doc["cmd"]);
                    line("WorkingDir:", &doc["workingDir"]);
                    line("User:", &doc["user"]);
                    if let Some(env) = doc["env"].as_array() {
                        outln!("Env:");
                        for e in env {
                            outln!("  {}", e.as_str().unwrap_or(""));
                        }
                    }
                    if let Some(labels) = doc["labels"].as_object() {
                        outln!("Labels:");
                        for (k, v) in labels {
                            outln!("  {k}={}", v.as_str().unwrap_or(""));
                        }
                    }
                    outln!("Layers:");
                    for l in &layers {
                        outln!(
                            "  {}  {:>10}  {}",
                            l["digest"].as_str().unwrap_or(""),
                            HumanBytes(l["size"].as_u64().unwrap_or(0)).to_string(),
                            l["mediaType"].as_str().unwrap_or("")
                        );
                    }
                    Ok(())
                }
            }
        }
    }
}

fn header(doc: &Value) {
    outln!("{:<14} {}", "Name:", doc["name"].as_str().unwrap_or(""));
    outln!("{:<14} {}", "Digest:", doc["digest"].as_str().unwrap_or(""));
    outln!(
        "{:<14} {}",
        "Media type:",
        doc["mediaType"].as_str().unwrap_or("")
    );
    if let Some(tags) = doc["tags"].as_array() {
        let t: Vec<&str> = tags.iter().filter_map(Value::as_str).collect();
        outln!("{:<14} {}", "Tags:", t.join(", "));
    }
}

fn print_json(doc: &Value) -> Result<()> {
    outln!(
        "{}",
        serde_json::to_string_pretty(doc).map_err(|e| Error::other(e.to_string()))?
    );
    Ok(())
}

/// The repository's tags when `loc` is a registry; `None` elsewhere or when listing fails
/// (a warning is logged: inspecting must not fail because tag listing is forbidden).
async fn registry_tags(loc: &Location, client: &imgctl::registry::Client) -> Option<Vec<String>> {
    let Location::Registry(r) = loc else {
        return None;
    };
    match client.repository(&r.registry, &r.repository).tags().await {
        Ok(mut t) => {
            t.sort();
            Some(t)
        }
        Err(e) => {
            tracing::warn!("cannot list tags of {}: {e}", r.name());
            None
        }
    }
}

/// `--layers`: the config's history, each non-empty step matched with its layer.
fn print_history(
    g: &GlobalOpts,
    image: &oci_spec::image::ImageManifest,
    config: &Value,
) -> Result<()> {
    let mut layers = image.layers().iter();
    let mut rows = Vec::new();
    let history = config["history"].as_array().cloned().unwrap_or_default();
    for h in &history {
        let empty = h["empty_layer"].as_bool().unwrap_or(false);
        let layer = if empty { None } else { layers.next() };
        rows.push(json!({
            "created": h.get("created"),
            "createdBy": h.get("created_by"),
            "comment": h.get("comment"),
            "emptyLayer": empty,
            "digest": layer.map(|l| l.digest().to_string()),
            "size": layer.map(|l| l.size()).unwrap_or(0),
        }));
    }
    // Layers the history does not describe (images built without history).
    for l in layers {
        rows.push(json!({
            "created": null, "createdBy": null, "comment": null, "emptyLayer": false,
            "digest": l.digest().to_string(), "size": l.size(),
        }));
    }
    match g.format {
        FormatArg::Json => print_json(&Value::Array(rows)),
        FormatArg::Text => {
            outln!("{:>10}  {:<19}  CREATED BY", "SIZE", "LAYER");
            for r in rows {
                let layer = match r["digest"].as_str() {
                    Some(d) => d.get(..19).unwrap_or(d).to_string(),
                    None => "(empty layer)".into(),
                };
                outln!(
                    "{:>10}  {layer:<19}  {}",
                    HumanBytes(r["size"].as_u64().unwrap_or(0)).to_string(),
                    r["createdBy"].as_str().unwrap_or("")
                );
            }
            Ok(())
        }
    }
}

fn print_schema1(
    g: &GlobalOpts,
    name: &str,
    m: &FetchedManifest,
    s: &mf::Schema1Summary,
) -> Result<()> {
    let doc = json!({
        "name": name,
        "digest": m.digest.to_string(),
        "mediaType": m.media_type,
        "schema1": s,
        "architecture": s.architecture,
        "created": s.created,
        "layers": s.layers.iter().map(|l| json!({"digest": l})).collect::<Vec<_>>(),
    });
    match g.format {
        FormatArg::Json => print_json(&doc),
        FormatArg::Text => {
            header(&doc);
            outln!(
                "{:<14} Docker schema 1 (deprecated{}); it can be inspected but not copied",
                "Format:",
                if s.signed { ", signed" } else { "" }
            );
            outln!("{:<14} {}:{}", "Recorded as:", s.name, s.tag);
            outln!("{:<14} {}", "Architecture:", s.architecture);
            if let Some(c) = &s.created {
                outln!("{:<14} {c}", "Created:");
            }
            outln!("Layers:");
            for l in &s.layers {
                outln!("  {l}");
            }
            Ok(())
        }
    }
}

/// The manifest `platform` names in `m`: with `select` and `m` an image index, its child for
/// `platform` (one OS/ARCH[/VARIANT]; the host's when None) and that platform's name;
/// otherwise `m` itself — checked against `platform` when it is a single-platform image.
///
/// Errors: Usage for a list of platforms; NotFound when the index has no such child
/// (the available ones are listed) or the image is for another platform.
pub(super) async fn for_platform(
    src: &dyn ImageSource,
    mut m: FetchedManifest,
    platform: Option<&str>,
    select: bool,
) -> Result<(FetchedManifest, Option<String>)> {
    let mut chosen_platform = None;

    if mf::is_index(&m.media_type) && select {
        let want = match platform {
            Some(p) => {
                let mut l = parse_platform_list(p)?;
                if l.len() != 1 {
                    return Err(Error::usage("--platform takes one platform here"));
                }
                l.remove(0)
            }
            None => mf::PlatformSpec::host(),
        };
        let Manifest::Index(index) = Manifest::parse(&m.bytes, &m.media_type)? else {
            unreachable!("is_index")
        };
        let child = mf::image_for_platform(&index, &want, &src.describe())?;
        chosen_platform = child.platform().as_ref().map(platform_string);
        m = src.manifest(&descriptor_digest(child)?).await?;
    }
    // `--platform` on a single-platform image built for another platform is refused.
    if let (Some(p), None) = (platform, &chosen_platform)
        && let Ok(Manifest::Image(img)) = Manifest::parse(&m.bytes, &m.media_type)
        && let Some(have) = imgctl::copy::config_platform(src, &img).await?
    {
        let wants = imgctl::copy::Platforms::List(parse_platform_list(p)?);
        imgctl::copy::check_single_platform(&src.describe(), &have, &wants)?;
    }

    Ok((m, chosen_platform))
}
