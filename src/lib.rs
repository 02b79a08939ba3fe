//! imgctl: a daemonless container-registry client and image-transfer library.
//!
//! Layers (docs/DESIGN.md §2): [`mod@reference`] and [`location`] parse what users type; [`digest`] and
//! [`manifest`] are the content model; [`registry`] speaks the OCI distribution API;
//! [`store`] is the OCI image layout store; [`transport`] puts locations behind two traits;
//! [`copy`] is the transfer engine; [`progress`] reports.
//! [`ops`] holds the operations the command line composes (args → ops → print).
//! [`mod@sync`] mirrors images per a YAML file; [`referrers`] copies signatures and SBOMs with an
//! image; [`ratelimit`] reads Docker Hub's pull limits.

pub mod auth;
pub mod build;
pub mod copy;
pub mod digest;
pub mod error;
pub mod layer;
pub mod location;
pub mod manifest;
pub mod ops;
pub mod progress;
pub mod ratelimit;
pub mod reference;
pub mod referrers;
pub mod registry;
pub mod rootfs;
pub mod settings;
pub mod store;
pub mod sync;
pub mod transport;

// The model's content types (a blob stream, a manifest's exact bytes).
pub mod blob;

/// Test data kept in `tests/fixtures/` (see its README.md for where each file comes from):
/// the bytes of `rel` below that folder. A missing fixture fails the test that asked for it.
#[cfg(test)]
pub(crate) fn fixture(rel: &str) -> Vec<u8> {
    let path = fixture_path(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {} unreadable: {e}", path.display()))
}

/// The path of `rel` under `tests/fixtures/`.
#[cfg(test)]
pub(crate) fn fixture_path(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// In-memory fake transports and the transfer engine's unit tests over them.
#[cfg(test)]
mod testing;
