//! Layers from files (issue 14): the deterministic layer writer ([`pack`]), build contexts with
//! `.dockerignore` ([`context`]) and COPY/ADD source resolution ([`context::plan_copy`]).
//! Files and bytes only: no registry, no transports.
//!
//! The build executor calls, per COPY/ADD:
//! `context::pack_copy(&ctx, &CopySpec { sources, dest, workdir, add }, &opts, temp_dir)` and gets
//! a [`pack::PackedLayer`] (gzip temp file, digest, size, diff_id).

pub mod context;
pub mod gzip;
pub mod input;
pub mod pack;
pub mod pattern;
