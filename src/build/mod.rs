//! `imgctl build` for Dockerfiles without RUN (issue 14): [`dockerfile`] turns the text into
//! instructions with their lines, [`subst`] is Docker's word expansion, [`plan`] resolves stages,
//! ARGs and variables into a typed [`plan::BuildPlan`]; [`config`] applies a stage to its
//! base's config. All pure (no I/O).

pub mod config;
pub mod dockerfile;
pub mod plan;
pub mod subst;
