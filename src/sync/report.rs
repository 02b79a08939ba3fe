//! The JSON document of `imgctl --format json sync` ([`SyncReport`]), and the merge of the
//! reports of a plan's shards into one ([`merge`]), as `imgctl sync --merge-reports` prints it.
//! See README.md, "Sync" (Output, Scaling out).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

use super::plan::Shard;
use super::run::{Action, ImageResult, SyncOutcome};

/// The `shard` of a merged report.
pub const MERGED: &str = "merged";

/// A sync run's result document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SyncReport {
    /// Whether this was a `--dry-run`.
    pub dry_run: bool,
    /// `K/N` for a shard's run, `merged` for merged shards, `None` for a whole plan.
    pub shard: Option<String>,
    /// One entry per image started (and per mapping that could not be planned), in plan order.
    pub images: Vec<ImageResult>,
    /// The counts.
    pub summary: Summary,
    /// Warnings of the plan (e.g. a mapping selecting no tag).
    pub warnings: Vec<String>,
}

/// The `summary` object of a [`SyncReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Summary {
    /// Images of this run (this shard).
    pub planned: usize,
    /// Images of the whole plan (every shard).
    pub planned_total: usize,
    /// Mappings whose tags could not be listed (their entries count as `failed`).
    pub unplanned: usize,
    /// Images copied.
    pub copied: usize,
    /// Images the destination had already.
    pub skipped: usize,
    /// Failed images, and mappings that could not be planned.
    pub failed: usize,
    /// Dry run: images that would be copied.
    pub would_copy: usize,
    /// Dry run: images that would be skipped.
    pub would_skip: usize,
    /// Images not started because an earlier one failed (without `--keep-going`).
    pub not_run: usize,
    /// Blob bytes sent.
    pub bytes: u64,
    /// Wall time in seconds (milliseconds precision).
    pub seconds: f64,
}

impl SyncReport {
    /// The report of `outcome`: `planned` images in this run (shard) of `planned_total` in
    /// the plan, `unplanned` mappings that could not be planned.
    pub fn new(
        outcome: &SyncOutcome,
        dry_run: bool,
        shard: Option<Shard>,
        (planned, planned_total, unplanned): (usize, usize, usize),
        warnings: &[String],
    ) -> SyncReport {
        let summary = Summary {
            planned,
            planned_total,
            unplanned,
            copied: outcome.count(Action::Copied),
            skipped: outcome.count(Action::Skipped),
            failed: outcome.count(Action::Failed),
            would_copy: outcome.count(Action::WouldCopy),
            would_skip: outcome.count(Action::WouldSkip),
            not_run: outcome.not_run,
            bytes: outcome.bytes(),
            seconds: (outcome.seconds * 1000.0).round() / 1000.0,
        };
        SyncReport {
            dry_run,
            shard: shard.map(|s| s.to_string()),
            images: outcome.images.clone(),
            summary,
            warnings: warnings.to_vec(),
        }
    }

    /// Images with `action`.
    pub fn count(&self, action: Action) -> usize {
        self.images.iter().filter(|i| i.action == action).count()
    }

    /// Parses a report written by `imgctl --format json sync`. `name` (a file name) goes
    /// into the error. Errors: Usage when `text` is not such a document (saying why).
    pub fn parse(name: &str, text: &str) -> Result<SyncReport> {
        serde_json::from_str(text).map_err(|e| {
            Error::usage(format!(
                "{name} is not a sync report (the JSON of `imgctl --format json sync`): {e}"
            ))
        })
    }
}

/// Merges the reports of the shards of one plan (`(name, report)`, any order) into one
/// report of the same shape: the images of every shard in plan order (a mapping that could
/// not be planned, which every shard reports, once), the summary counts added (`failed`
/// counting such a mapping once), `plannedTotal` the plans' common one, `seconds` the
/// longest shard's, `shard` [`MERGED`] (`None` when one unsharded report is given), warnings
/// without repeats.
///
/// The shards must be exactly 1/N … N/N of one plan. Errors (Usage, naming the reports):
/// no report; reports of a dry run mixed with real runs; a report without a shard among
/// several; shards of different splits (`1/2` and `1/3`) or plans (`plannedTotal`
/// differs); the same shard twice; a missing shard; a shard whose image count does not fit
/// the plan (its images plus `notRun` must be its share of `plannedTotal`).
pub fn merge(reports: Vec<(String, SyncReport)>) -> Result<SyncReport> {
    let Some((first_name, first)) = reports.first() else {
        return Err(Error::usage("no report to merge"));
    };
    let (first_name, total, dry_run) = (
        first_name.clone(),
        first.summary.planned_total,
        first.dry_run,
    );
    if reports.len() == 1 && first.shard.is_none() {
        return Ok(reports.into_iter().next().expect("one report").1);
    }
    let mut shards: Vec<(Shard, String, SyncReport)> = Vec::new();
    for (name, r) in reports {
        if r.summary.planned_total != total {
            return Err(Error::usage(format!(
                "{name} and {first_name} come from different plans: plannedTotal {} and {total}",
                r.summary.planned_total
            )));
        }
        if r.dry_run != dry_run {
            return Err(Error::usage(format!(
                "{name} and {first_name} mix a dry run with a real run"
            )));
        }
        let shard = match r.shard.as_deref() {
            None => {
                return Err(Error::usage(format!(
                    "{name} is the report of a whole plan (no shard): nothing to merge it with"
                )));
            }
            Some(MERGED) => {
                return Err(Error::usage(format!(
                    "{name} is a merged report already; merge the shards' own reports"
                )));
            }
            Some(s) => s
                .parse::<Shard>()
                .map_err(|e| Error::usage(format!("{name}: {e}")))?,
        };
        if let Some((s, other, _)) = shards.iter().find(|(s, ..)| s.count != shard.count) {
            return Err(Error::usage(format!(
                "{name} (shard {shard}) and {other} (shard {s}) come from different splits of the plan"
            )));
        }
        if let Some((_, other, _)) = shards.iter().find(|(s, ..)| *s == shard) {
            return Err(Error::usage(format!(
                "{name} and {other} are both shard {shard}"
            )));
        }
        let share = share(total, shard);
        let ran = r.images.iter().filter(|i| !i.unplanned).count();
        if r.summary.planned != share || ran + r.summary.not_run != share {
            return Err(Error::usage(format!(
                "{name}: shard {shard} of a plan of {total} images has {share}, but the report \
                 lists {ran} run and {} not run (planned {})",
                r.summary.not_run, r.summary.planned
            )));
        }
        shards.push((shard, name, r));
    }
    let count = shards[0].0.count;
    let have: BTreeSet<usize> = shards.iter().map(|(s, ..)| s.index).collect();
    let missing: Vec<String> = (1..=count)
        .filter(|k| !have.contains(k))
        .map(|k| format!("{k}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::usage(format!(
            "no report of shard{} {} (got {} of {count})",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", "),
            have.len()
        )));
    }

    // Plan order: the j-th image run by shard K/N is the plan's (K-1 + j*N)-th (a shard runs
    // its images in plan order and stops, if at all, after a prefix). An unplanned mapping's
    // entry goes before its mapping's place (it has no images).
    let mut keyed: Vec<((usize, usize), ImageResult)> = Vec::new();
    let mut unplanned_seen = BTreeSet::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut summary = Summary {
        planned: 0,
        planned_total: total,
        unplanned: 0,
        copied: 0,
        skipped: 0,
        failed: 0,
        would_copy: 0,
        would_skip: 0,
        not_run: 0,
        bytes: 0,
        seconds: 0.0,
    };
    for (shard, _, r) in shards {
        summary.planned += r.summary.planned;
        summary.not_run += r.summary.not_run;
        summary.seconds = summary.seconds.max(r.summary.seconds);
        for w in r.warnings {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        let mut j = 0;
        for i in r.images {
            if i.unplanned {
                if unplanned_seen.insert(i.mapping) {
                    keyed.push(((i.mapping, 0), i));
                }
            } else {
                keyed.push(((i.mapping, 1 + shard.index - 1 + j * shard.count), i));
                j += 1;
            }
        }
    }
    keyed.sort_by_key(|(k, _)| *k);
    let images: Vec<ImageResult> = keyed.into_iter().map(|(_, i)| i).collect();
    summary.unplanned = unplanned_seen.len();
    summary.bytes = images.iter().map(|i| i.bytes).sum();
    let mut report = SyncReport {
        dry_run,
        shard: Some(MERGED.to_string()),
        images,
        summary,
        warnings,
    };
    report.summary.copied = report.count(Action::Copied);
    report.summary.skipped = report.count(Action::Skipped);
    report.summary.failed = report.count(Action::Failed);
    report.summary.would_copy = report.count(Action::WouldCopy);
    report.summary.would_skip = report.count(Action::WouldSkip);
    Ok(report)
}

/// How many of a plan's `total` images shard `s` takes (see [`Shard::take`]).
fn share(total: usize, s: Shard) -> usize {
    total / s.count + usize::from(s.index - 1 < total % s.count)
}

#[cfg(test)]
mod tests;
