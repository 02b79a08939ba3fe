//! Integration-test harness for `imgctl`: real registries, a token server, skopeo/umoci
//! runners and OCI test-image builders. Use from a test file with `mod common;`.
//!
//! ```ignore
//! mod common;
//! use common::*;
//!
//! #[test]
//! fn push_works() {
//!     let reg = Registry::start(Mode::Token);
//!     let layout = tempfile::tempdir().unwrap();
//!     let digest = build_standard_image(layout.path(), "v1");
//!     let sandbox = Imgctl::new();
//!     let out = sandbox.cmd().args(["push", /* … */]).output().unwrap();
//!     // …
//! }
//! ```
#![allow(dead_code, unused_imports)]

pub mod image;
pub mod output;
pub mod registry;
pub mod registry_options;
pub mod token;
pub mod tools;

pub use image::*;
pub use output::*;
pub use registry::*;
pub use registry_options::*;
pub use token::*;
pub use tools::*;

/// The path of `rel` under the repository's `tests/fixtures/` (its README.md says where each
/// file comes from). Panics when it is missing: a test never passes without its data.
pub fn fixture_path(rel: &str) -> std::path::PathBuf {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    assert!(p.exists(), "fixture {} is missing", p.display());
    p
}

/// The user with full access: in htpasswd (TLS mode) and the token server (Token mode).
pub const USER: &str = "alice";
/// Password of [`USER`].
pub const PASSWORD: &str = "wonderland-secret-1";
/// A pull-only user of the token server (Token mode).
pub const READER_USER: &str = "reader";
/// Password of [`READER_USER`].
pub const READER_PASSWORD: &str = "reader-secret-2";
