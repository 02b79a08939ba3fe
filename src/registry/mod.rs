//! The OCI distribution API client (OCI distribution spec v1.1; docs/DESIGN.md §3): one reqwest
//! client shared by every request, challenge-driven auth, retries, manifests, blobs, uploads,
//! mounts and tag listing.
//!
//! One file per job, and every import between them points down this list (bottom first):
//! the leaves [`challenge`] (`WWW-Authenticate`), [`auth`] (credentials, tokens), `tls/`,
//! [`errors`], `exchange.rs` (URL host, query-free URLs, the `-vv` trace), `retry.rs` (the
//! retry policy), `hosts.rs` (what is learnt per host: scheme, challenge, token cache),
//! `limiter.rs` (each host's request rate and 429 pause); then `client.rs` (the client,
//! per-host TLS clients, the ping, the one place every request goes out), `whole.rs` (small documents read
//! whole), `token.rs` (token requests), `login.rs` (the login check), `repository.rs`
//! ([`Repository`], the handle every request goes through), `http.rs` (the one send: auth, one
//! re-auth, the retry policy, tracing), and the endpoints `manifests.rs`, `blobs.rs`,
//! `uploads/`, `downloads.rs` (resuming blob streams), `listing.rs` (tags, catalog, `Link`)
//! and `referrers.rs`. This file only declares and re-exports. The registry client imports the
//! model and [`crate::settings`] only: never transports, the store nor the progress display.

pub mod bearer;
mod blobs;
pub mod challenge;
mod client;
mod downloads;
pub mod errors;
mod exchange;
mod hosts;
mod http;
mod limiter;
mod listing;
mod login;
mod manifests;
mod referrers;
mod repository;
mod retry;
mod tls;
mod token;
mod uploads;
mod whole;

pub use crate::settings::{DEFAULT_CHUNK_SIZE, UploadStrategy};
pub use client::{Client, ClientOptions, is_loopback};
pub use limiter::Limiters;
pub use listing::{CATALOG_PAGE_SIZE, parse_next_link};
pub use manifests::MAX_MANIFEST_BYTES;
pub use repository::{Access, Repository};
pub use uploads::{
    MIN_CHUNK_SIZE, RESUMABLE_MIN_SIZE, SavedUpload, UploadJournal, UploadKey, UploadProgress,
    resumable_chunk_ceiling, resumable_chunk_size, set_upload_journal,
};
