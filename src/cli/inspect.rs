//! `imgctl inspect LOCATION`: what an image or index is and what is inside it.

use indicatif::HumanBytes;
use serde_json::Value;

use imgctl::error::{Error, Result};
use imgctl::manifest::{self as mf, Manifest};
use imgctl::ops::inspect::{
    for_platform, history, image_config, image_doc, index_doc, read_blob, registry_tags,
    schema1_doc,
};
use imgctl::transport::open_source;

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

/// The location `inspect` and `digest` read for `location` ([`imgctl::ops::inspect::resolve_bare`]):
/// a bare reference the local store has is the store's image, with a note on stderr (unless
/// `-q`) naming `docker://…` for the registry's.
///
/// Errors: as [`imgctl::location::Location::parse`] (Usage).
pub(super) fn resolve_bare(g: &GlobalOpts, location: &str) -> Result<imgctl::location::Location> {
    let store_dir = g.store_dir().ok();
    let (loc, from_store) = imgctl::ops::inspect::resolve_bare(location, store_dir.as_deref())?;
    if from_store && !g.quiet {
        errln!("note: {loc} from the local store; docker://{location} for the registry");
    }
    Ok(loc)
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
            // A file location (layout, archive) may hold only some children of its index;
            // a registry is not asked.
            let local = !matches!(loc, imgctl::location::Location::Registry(_));
            let tags = registry_tags(&loc, &client).await;
            let doc = index_doc(src.as_ref(), &m, &index, local, tags).await;
            let platforms = doc["platforms"].as_array().cloned().unwrap_or_default();
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
            if view == View::Config {
                // Any config's bytes, exactly, even one that is not JSON.
                crate::output::write(&read_blob(src.as_ref(), image.config()).await?);
                return Ok(());
            }
            let config = image_config(src.as_ref(), &image).await?;
            if view == View::Layers {
                return print_history(g, &history(&image, &config));
            }
            let tags = registry_tags(&loc, &client).await;
            let doc = image_doc(&src.describe(), &m, &image, &config, chosen_platform, tags);
            let layers = doc["layers"].as_array().cloned().unwrap_or_default();
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

/// `--layers`: the rows of [`history`], as a table or JSON.
fn print_history(g: &GlobalOpts, rows: &[Value]) -> Result<()> {
    match g.format {
        FormatArg::Json => print_json(&Value::Array(rows.to_vec())),
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
    m: &imgctl::blob::FetchedManifest,
    s: &mf::Schema1Summary,
) -> Result<()> {
    let doc = schema1_doc(name, m, s);
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
