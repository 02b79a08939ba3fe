//! `imgctl sync`: mirror images between registries per a YAML file (README.md, "Sync").
//!
//! [`config`] reads the file; [`plan`] expands mappings into units (one image each) and
//! shards them; [`run`] copies them in parallel under one `--jobs` limit, skipping images the
//! destination already has after manifest HEADs, moving shared blobs once ([`ledger`]);
//! [`clients`] gives each registry its TLS settings and credentials; [`report`] is the JSON
//! document of a run and merges the reports of a plan's shards.

pub mod clients;
pub mod config;
pub mod ledger;
pub mod plan;
pub mod report;
pub mod run;
pub mod tags;

pub use clients::Clients;
pub use config::SyncConfig;
pub use plan::{MappingFailure, Plan, Shard, Unit, plan};
pub use report::{Summary, SyncReport, merge};
pub use run::{Action, ImageResult, RunOptions, SyncOutcome, run};
