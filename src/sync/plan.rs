//! Planning a sync: expand the mappings into units of work (one source image → one destination
//! tag), in a deterministic order, and take one shard of them.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use crate::copy::Platforms;
use crate::error::{Error, Result};
use crate::reference::Reference;

use super::clients::Clients;
use super::config::SyncConfig;

/// One image to mirror: a source tag to the same tag in the destination repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Index of the mapping (0-based, file order) this unit comes from.
    pub mapping: usize,
    /// The source image (with its tag).
    pub source: Reference,
    /// The destination image (same tag).
    pub destination: Reference,
    /// Platform selection.
    pub platforms: Platforms,
    /// Whether referrers are copied too.
    pub referrers: bool,
}

/// `--shard K/N`: the K-th (1-based) of N shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, 1..=count.
    pub index: usize,
    /// How many shards.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = Error;
    /// Parses `K/N` with 1 ≤ K ≤ N. Errors (Usage) otherwise.
    fn from_str(s: &str) -> Result<Shard> {
        let bad = || {
            Error::usage(format!(
                "invalid shard {s:?}: expected K/N with 1 ≤ K ≤ N, e.g. 2/4"
            ))
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Every `count`-th unit of `units`, starting at the `index`-th: the shards of one plan
    /// are disjoint and together cover it exactly once.
    pub fn take<T>(&self, units: Vec<T>) -> Vec<T> {
        units
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % self.count == self.index - 1)
            .map(|(_, u)| u)
            .collect()
    }
}

/// A mapping whose images could not be listed (its source repository is gone, its
/// credentials were refused, its registry is down): it contributes no unit, and the run
/// reports it as failed.
#[derive(Debug)]
pub struct MappingFailure {
    /// Index of the mapping (0-based, file order).
    pub mapping: usize,
    /// The mapping's source repository (no tag).
    pub source: Reference,
    /// The mapping's destination repository (no tag).
    pub destination: Reference,
    /// Why its tags could not be listed (the registry client's error: kind, chain, hint).
    pub error: Error,
}

/// The units of a sync and what the user should hear about while planning.
#[derive(Debug, Default)]
pub struct Plan {
    /// The images to mirror, in plan order.
    pub units: Vec<Unit>,
    /// Warnings, e.g. `mapping 2 (docker.io/library/redis): no tag matches semver '>=9' (of 40
    /// tags listed)`: a mapping that selects nothing is probably a mistake, yet not an error.
    pub warnings: Vec<String>,
    /// Mappings whose tag listing failed, in file order; the other mappings are planned
    /// regardless, and the caller decides whether they run (`--keep-going`).
    pub failed: Vec<MappingFailure>,
}

/// Expands `config` into units: mappings in file order, tags sorted within each mapping.
/// Lists the source's tags (one GET per mapping that filters or takes all); a mapping whose
/// selection matches no listed tag gives a warning, not an error, and a mapping whose listing
/// fails is recorded in [`Plan::failed`] (the other mappings are still planned).
///
/// Errors: Usage when two units write the same destination tag.
pub async fn plan(config: &SyncConfig, clients: &Clients) -> Result<Plan> {
    let mut units = Vec::new();
    let mut warnings = Vec::new();
    let mut failed = Vec::new();
    for (i, m) in config.mappings.iter().enumerate() {
        let listed = if m.tags.needs_listing() {
            // The client's error already says "cannot list tags of REPO".
            match clients.repository(&m.source).tags().await {
                Ok(tags) => Some(tags),
                Err(error) => {
                    failed.push(MappingFailure {
                        mapping: i,
                        source: m.source.clone(),
                        destination: m.destination.clone(),
                        error,
                    });
                    continue;
                }
            }
        } else {
            None
        };
        let selected = m.tags.select(listed.as_deref());
        if let (true, Some(listed)) = (selected.is_empty(), &listed) {
            let why = match listed.len() {
                0 => ": the repository lists no tags".to_string(),
                1 => format!(" {} (of the 1 tag listed)", m.tags.describe()),
                n => format!(" {} (of the {n} tags listed)", m.tags.describe()),
            };
            warnings.push(format!(
                "mapping {} ({}): no tag matches{why}",
                i + 1,
                m.source.name()
            ));
        }
        for tag in selected {
            units.push(Unit {
                mapping: i,
                source: m.source.with_tag(&tag)?,
                destination: m.destination.with_tag(&tag)?,
                platforms: m.platforms.clone(),
                referrers: m.referrers,
            });
        }
    }
    // A destination tag is written once; two mappings may name it only with the same source.
    let mut seen: HashMap<String, (usize, Reference)> = HashMap::new();
    let mut out = Vec::new();
    for u in units {
        match seen.get(&u.destination.to_string()) {
            Some((m, src)) if *src != u.source => {
                return Err(Error::usage(format!(
                    "mappings {} and {} both write {} (from {src} and {})",
                    m + 1,
                    u.mapping + 1,
                    u.destination,
                    u.source
                )));
            }
            Some(_) => {}
            None => {
                seen.insert(u.destination.to_string(), (u.mapping, u.source.clone()));
                out.push(u);
            }
        }
    }
    Ok(Plan {
        units: out,
        warnings,
        failed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_plan() {
        let units: Vec<usize> = (0..23).collect();
        let mut all = Vec::new();
        for k in 1..=4 {
            let s: Shard = format!("{k}/4").parse().unwrap();
            all.extend(s.take(units.clone()));
        }
        all.sort();
        assert_eq!(all, units);
        assert_eq!(
            "2/2".parse::<Shard>().unwrap().take(units.clone()).len(),
            11
        );
        for bad in ["0/2", "3/2", "1", "a/b", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
