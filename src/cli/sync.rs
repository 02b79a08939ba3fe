//! `imgctl sync CONFIG`, `imgctl sync --merge-reports FILE…`, `imgctl ratelimit [REF]`, and
//! `copy --referrers`.

use std::io::IsTerminal as _;
use std::path::Path;

use imgctl::error::{Error, ErrorKind, HintStyle, Result};
use imgctl::location::{BareMeans, Location};
use imgctl::progress::{Mode, Reporter};
use imgctl::reference::Reference;
use imgctl::registry::ClientOptions;
use imgctl::sync::report::MERGED;
use imgctl::sync::{
    Action, Clients, ImageResult, MappingFailure, RunOptions, Shard, SyncConfig, SyncOutcome,
    SyncReport, merge, plan, run,
};

use super::{FormatArg, GlobalOpts, SideOpts};

/// The client options of the global flags with the stored-credential chain, which a sync
/// registry without a credentials block falls back to.
fn client_options(g: &GlobalOpts) -> Result<ClientOptions> {
    g.client_options(g.credential_chain(None)?, &SideOpts::default())
}

/// Options of `imgctl sync`.
pub struct SyncArgs<'a> {
    pub config: &'a Path,
    pub dry_run: bool,
    pub keep_going: bool,
    pub shard: Option<&'a str>,
    pub referrers: bool,
}

/// `imgctl sync CONFIG`: plan, run, print one line per image and a summary (or one JSON
/// document). Exit: 0 when no image failed; 8 (partial) with `--keep-going` when some did (or
/// a mapping could not be planned); else the first failure's own code. The error keeps the
/// failure's own hint in sync terms (see [`failure_hint`]), and suggests `--keep-going` only
/// when it was not given and other images (or mappings) were to run.
///
/// A mapping whose tags cannot be listed is reported as one failed entry; with `--keep-going`
/// the other mappings run, without it no image runs (the plan is incomplete).
pub async fn sync(g: &GlobalOpts, a: &SyncArgs<'_>) -> Result<()> {
    let started = std::time::Instant::now();
    let shard = a.shard.map(str::parse::<Shard>).transpose()?;
    let mut config = SyncConfig::load(a.config)?;
    if a.referrers {
        for m in &mut config.mappings {
            m.referrers = true;
        }
    }
    let clients = Clients::new(&client_options(g)?, &config, |k| std::env::var(k).ok())?;
    let plan = plan(&config, &clients).await?;
    for w in &plan.warnings {
        tracing::warn!("{w}");
    }
    let mut units = plan.units;
    let plan_total = units.len();
    if let Some(s) = shard {
        units = s.take(units);
    }
    let planned = units.len();
    let reporter = g.reporter();
    let opts = RunOptions {
        jobs: g.jobs as usize,
        dry_run: a.dry_run,
        keep_going: a.keep_going,
    };
    let with_hint = |i: &mut ImageResult| {
        if i.action == Action::Failed {
            i.hint = failure_hint(i, &config);
        }
    };
    let unplanned: Vec<ImageResult> = plan
        .failed
        .iter()
        .map(|f| {
            let mut i = ImageResult::unplanned(f);
            with_hint(&mut i);
            i
        })
        .collect();
    let runs = plan.failed.is_empty() || a.keep_going;
    // On a terminal each image's line comes as the image finishes, above the bars: on stdout
    // when that is the terminal too (and then not again at the end), else on stderr.
    let live = runs && reporter.mode() == Mode::Tty;
    let live_stdout = live && g.format == FormatArg::Text && std::io::stdout().is_terminal();
    let show = |i: &ImageResult| match live_stdout {
        true => reporter.result_line(&text_line(i)),
        false => reporter.line(&text_line(i)),
    };
    if live {
        unplanned.iter().for_each(show);
    }
    let on_done = |i: &mut ImageResult| {
        with_hint(i);
        if live {
            show(i);
        }
    };
    let mut outcome = if runs {
        run(units, &clients, &opts, &reporter, &on_done).await
    } else {
        // An incomplete plan starts nothing, as a failed image stops the run.
        SyncOutcome {
            images: Vec::new(),
            not_run: units.len(),
            seconds: started.elapsed().as_secs_f64(),
        }
    };
    outcome.add_unplanned(unplanned);
    reporter.finish();
    let report = SyncReport::new(
        &outcome,
        a.dry_run,
        shard,
        (planned, plan_total, plan.failed.len()),
        &plan.warnings,
    );
    print(g, &report, live_stdout)?;
    let Some(first) = outcome.first_failure() else {
        return Ok(());
    };
    if a.keep_going {
        // One hint when every failure has the same one (an untrusted certificate, say).
        let failed: Vec<&ImageResult> = outcome
            .images
            .iter()
            .filter(|i| i.action == Action::Failed)
            .collect();
        let ran: Vec<&&ImageResult> = failed.iter().filter(|i| !i.unplanned).collect();
        let mut what = Vec::new();
        if !ran.is_empty() || plan.failed.is_empty() {
            what.push(format!(
                "{} of {} images failed",
                ran.len(),
                outcome.images.len() - plan.failed.len()
            ));
        }
        if !plan.failed.is_empty() {
            what.push(unplanned_words(&plan.failed));
        }
        let err = Error::new(ErrorKind::Partial, what.join("; "));
        return Err(match failed.first().and_then(|i| i.hint.as_deref()) {
            Some(h) if failed.iter().all(|x| x.hint.as_deref() == Some(h)) => err.with_hint(h),
            _ => err,
        });
    }
    if first.unplanned {
        let err = Error::new(
            first.error_kind.unwrap_or(ErrorKind::Other),
            format!(
                "sync stopped: mapping {} ({} → {}) could not be planned: {}",
                first.mapping,
                first.source,
                first.destination,
                first.error.as_deref().unwrap_or("unknown error")
            ),
        );
        let keep_going = "pass --keep-going to run the other mappings anyway";
        return Err(match (&first.hint, config.mappings.len() > 1) {
            (Some(h), true) => err.with_hint(format!("{h}; {keep_going}")),
            (Some(h), false) => err.with_hint(h),
            (None, true) => err.with_hint(keep_going),
            (None, false) => err,
        });
    }
    let run_here = outcome.images.len() + outcome.not_run;
    let err = Error::new(
        first.error_kind.unwrap_or(ErrorKind::Other),
        format!(
            "sync stopped after {} → {} failed: {}",
            first.source,
            first.destination,
            first.error.as_deref().unwrap_or("unknown error")
        ),
    );
    // --keep-going is worth a mention only when there are other images to copy.
    let keep_going = "pass --keep-going to copy the other images anyway";
    Err(match (&first.hint, run_here > 1) {
        (Some(h), true) => err.with_hint(format!("{h}; {keep_going}")),
        (Some(h), false) => err.with_hint(h),
        (None, true) => err.with_hint(keep_going),
        (None, false) => err,
    })
}

/// One image's line of the text output: `copied     SRC -> DST DIGEST (BYTES)`, a failure
/// with its error and `; hint: …`.
fn text_line(i: &ImageResult) -> String {
    use std::fmt::Write as _;
    let action = match i.action {
        Action::Copied => "copied",
        Action::Skipped => "skipped",
        Action::Failed => "failed",
        Action::WouldCopy => "would-copy",
        Action::WouldSkip => "would-skip",
    };
    let mut out = format!("{action:<10} {} -> {}", i.source, i.destination);
    if let Some(d) = &i.digest {
        let _ = write!(out, " {d}");
    }
    if i.bytes > 0 {
        let _ = write!(out, " ({})", indicatif::HumanBytes(i.bytes));
    }
    if i.unplanned {
        let _ = write!(out, ": mapping {} not planned", i.mapping);
    }
    if let Some(e) = &i.error {
        let _ = write!(out, ": {e}");
    }
    if let Some(h) = &i.hint {
        let _ = write!(out, "; hint: {h}");
    }
    out
}

/// `mapping 2 could not be planned` / `mappings 1, 3 could not be planned`.
fn unplanned_words(failed: &[MappingFailure]) -> String {
    let n: Vec<String> = failed.iter().map(|f| (f.mapping + 1).to_string()).collect();
    match n.as_slice() {
        [one] => format!("mapping {one} could not be planned"),
        _ => format!("mappings {} could not be planned", n.join(", ")),
    }
}

/// The hint of `failed`'s error in sync terms ([`HintStyle::SyncConfig`]), or `None` when the
/// error had none.
///
/// Flags that have a registry option in the sync configuration are named by it (`ca_file:`,
/// `insecure: true`) under the registry the failure is attributed to; a login hint names the
/// configuration's credentials block for that registry (the variables it names; never their
/// values) when it has one — it wins over `imgctl login` and `--creds` — else points to it.
fn failure_hint(failed: &ImageResult, config: &SyncConfig) -> Option<String> {
    let hint = failed.error_hint.as_ref()?;
    let registry = failed.error_registry.as_deref().or(hint.registry());
    let credentials = registry
        .and_then(|r| config.registries.get(r))
        .and_then(|s| s.credentials.as_ref())
        .map(|c| c.describe());
    Some(hint.render(HintStyle::SyncConfig {
        registry,
        credentials: credentials.as_deref(),
    }))
}

/// Prints `report`: one JSON document, or the text lines (unless `lines_shown`) and the
/// summary line.
fn print(g: &GlobalOpts, report: &SyncReport, lines_shown: bool) -> Result<()> {
    match g.format {
        FormatArg::Json => outln!("{}", serde_json::to_string_pretty(report)?),
        FormatArg::Text => {
            use std::fmt::Write as _;
            let mut out = String::new();
            if !lines_shown {
                for i in &report.images {
                    out.push_str(&text_line(i));
                    out.push('\n');
                }
            }
            let s = &report.summary;
            let _ = writeln!(
                out,
                "sync{}: {} copied, {} skipped, {} failed{}{}; {} sent in {:.1}s",
                match report.shard.as_deref() {
                    Some(MERGED) => " (merged shards)".to_string(),
                    Some(k) => format!(" (shard {k})"),
                    None => String::new(),
                },
                s.copied,
                s.skipped,
                s.failed,
                if report.dry_run {
                    format!(
                        ", {} would be copied, {} would be skipped (dry run)",
                        s.would_copy, s.would_skip
                    )
                } else {
                    String::new()
                },
                if s.not_run > 0 {
                    format!(", {} not run", s.not_run)
                } else {
                    String::new()
                },
                indicatif::HumanBytes(s.bytes),
                s.seconds
            );
            out!("{out}");
        }
    }
    Ok(())
}

/// `imgctl sync --merge-reports FILE…`: reads the JSON reports of a plan's shards
/// (`imgctl --format json sync --shard K/N`, one per shard, any order), prints the merged
/// report ([`merge`]) like a sync run's result. Exit: 0 when no image failed; 8 (partial)
/// when some did, a mapping could not be planned or images did not run (the shards ran
/// independently, as with `--keep-going`), keeping the failures' hint when they all share
/// one; 2 (usage) when a file cannot be read, is not a sync report, or the reports are not
/// the shards of one plan.
pub fn merge_reports(g: &GlobalOpts, files: &[std::path::PathBuf]) -> Result<()> {
    let mut reports = Vec::new();
    for f in files {
        let name = f.display().to_string();
        let text = std::fs::read_to_string(f)
            .map_err(|e| Error::usage(format!("cannot read report {name}: {e}")))?;
        reports.push((name.clone(), SyncReport::parse(&name, &text)?));
    }
    let report = merge(reports)?;
    print(g, &report, false)?;
    let s = &report.summary;
    if s.failed == 0 && s.not_run == 0 {
        return Ok(());
    }
    let failed: Vec<&ImageResult> = report
        .images
        .iter()
        .filter(|i| i.action == Action::Failed)
        .collect();
    let ran = failed.iter().filter(|i| !i.unplanned).count();
    let mut what = vec![format!(
        "{ran} of {} images failed",
        report.images.len() - s.unplanned
    )];
    if s.unplanned > 0 {
        let n: Vec<String> = failed
            .iter()
            .filter(|i| i.unplanned)
            .map(|i| i.mapping.to_string())
            .collect();
        what.push(match n.as_slice() {
            [one] => format!("mapping {one} could not be planned"),
            _ => format!("mappings {} could not be planned", n.join(", ")),
        });
    }
    if s.not_run > 0 {
        what.push(format!("{} not run", s.not_run));
    }
    let err = Error::new(ErrorKind::Partial, what.join("; "));
    Err(match failed.first().and_then(|i| i.hint.as_deref()) {
        Some(h) if failed.iter().all(|x| x.hint.as_deref() == Some(h)) => err.with_hint(h),
        _ => err,
    })
}

/// `imgctl ratelimit [REF]`: Docker Hub's pull limits from a manifest HEAD.
pub async fn ratelimit(g: &GlobalOpts, reference: Option<&str>) -> Result<()> {
    let r = reference.unwrap_or(imgctl::ratelimit::DEFAULT_REFERENCE);
    let r = Reference::parse(r.strip_prefix("docker://").unwrap_or(r))?;
    let client = g.client(&SideOpts::default())?;
    let rl = imgctl::ratelimit::check(&client, &r).await?;
    match g.format {
        FormatArg::Json => outln!("{}", serde_json::to_string_pretty(&rl)?),
        FormatArg::Text => match (rl.limit, rl.remaining) {
            (None, None) => outln!(
                "{}: no rate limit reported (HTTP {})",
                r.registry,
                rl.status
            ),
            (limit, remaining) => {
                let n = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
                let window = rl
                    .window_seconds
                    .map(|w| format!(" per {}h", w as f64 / 3600.0))
                    .unwrap_or_default();
                outln!("limit: {}{window}", n(limit));
                outln!("remaining: {}", n(remaining));
                if let Some(s) = &rl.source {
                    outln!("source: {s}");
                }
            }
        },
    }
    if rl.status == 429 {
        return Err(Error::new(ErrorKind::RateLimited, "rate limit reached"));
    }
    Ok(())
}

/// `copy --referrers`: after the image, copies the referrers of what was written (the root
/// and, for an index, every child). Both locations must be registries. Returns the counts
/// (also reported on stderr).
pub async fn copy_referrers(
    g: &GlobalOpts,
    source: &str,
    destination: &str,
    src_side: &SideOpts,
    dst_side: &SideOpts,
    reporter: &Reporter,
) -> Result<imgctl::referrers::ReferrerStats> {
    let (Location::Registry(src), Location::Registry(dst)) = (
        Location::parse(source, BareMeans::Registry)?,
        Location::parse(destination, BareMeans::Registry)?,
    ) else {
        return Err(Error::usage(
            "--referrers needs registry locations on both sides",
        ));
    };
    let src_client = g.client(src_side)?;
    let dst_client = g.client(dst_side)?;
    let stats = imgctl::ops::referrers::copy_referrers(
        &src_client,
        &src,
        &dst_client,
        &dst,
        g.jobs as usize,
        reporter,
    )
    .await?;
    reporter.line(&format!(
        "referrers: {} copied, {} already present, {} ignored",
        stats.copied, stats.skipped, stats.ignored
    ));
    Ok(stats)
}
