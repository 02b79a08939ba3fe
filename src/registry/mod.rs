//! The OCI distribution API client (OCI distribution spec v1.1; docs/DESIGN.md §3): one reqwest
//! client shared by every request, challenge-driven auth, retries, manifests, blobs, uploads,
//! mounts and tag listing.
//!
//! One file per job: `client.rs` (the client, per-host TLS clients, the ping), `http.rs` (the
//! one send: auth, one re-auth, the retry policy, tracing), `manifests.rs`, `blobs.rs`,
//! `uploads.rs`, `downloads.rs` (resuming blob streams), `listing.rs` (tags, catalog, `Link`),
//! `referrers.rs`, [`challenge`] (`WWW-Authenticate`), [`auth`] and `token.rs` (credentials,
//! token requests), `tls/` and [`errors`]. This module holds [`Repository`], the handle every
//! request goes through. The registry client imports the model and [`crate::settings`] only:
//! never transports, the store nor the progress display.

pub mod bearer;
mod blobs;
pub mod challenge;
mod client;
mod downloads;
pub mod errors;
mod http;
mod listing;
mod manifests;
mod referrers;
mod tls;
mod token;
mod uploads;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use reqwest::{Response, StatusCode};

use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Hint, LoginCase, Result};
use http::Whole;

pub use crate::settings::{DEFAULT_CHUNK_SIZE, UploadStrategy};
pub use client::{Client, ClientOptions, is_loopback};
pub use listing::{CATALOG_PAGE_SIZE, parse_next_link};
pub use uploads::{MIN_CHUNK_SIZE, UploadProgress};

/// Largest manifest accepted, in bytes (distribution limits manifests to 4 MiB).
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;

/// A repository in a registry; every request carries the scopes it needs.
#[derive(Clone)]
pub struct Repository {
    client: Client,
    registry: String,
    host: String,
    name: String,
    /// Scopes added to every token request (e.g. pull on a mount's source repository).
    extra_scopes: Arc<Mutex<BTreeSet<String>>>,
    /// Upload sessions opened by a refused mount, keyed by digest, to reuse for the upload.
    pending_sessions: Arc<Mutex<HashMap<Digest, String>>>,
}

/// What an operation will do in a repository, deciding the token scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read.
    Pull,
    /// Read and write.
    Push,
    /// Delete (scope action `delete`).
    Delete,
}

impl Repository {
    /// The normalised registry name.
    pub fn registry(&self) -> &str {
        &self.registry
    }
    /// The repository path.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds `repository:<other>:pull` to every later token request, so that one token covers a
    /// mount from `other` (token spec; docs/DESIGN.md §5).
    pub fn add_pull_scope(&self, other: &str) {
        self.extra_scopes
            .lock()
            .expect("scopes lock")
            .insert(format!("repository:{other}:pull"));
    }

    fn scopes(&self, access: Access) -> BTreeSet<String> {
        let actions = match access {
            Access::Pull => "pull",
            Access::Push => "pull,push",
            Access::Delete => "delete",
        };
        let mut s = self.extra_scopes.lock().expect("scopes lock").clone();
        if access == Access::Pull {
            // a push-capable token of the same repository is fine for pulls
            s.clear();
        }
        s.insert(format!("repository:{}:{actions}", self.name));
        s
    }

    async fn base(&self) -> Result<String> {
        let st = self.client.ensure_pinged(&self.host).await?;
        let scheme = st.lock().await.scheme.unwrap_or("https");
        Ok(format!("{scheme}://{}", self.host))
    }

    /// `{scheme}://{host}/v2/{name}/{path}`.
    async fn url(&self, path: &str) -> Result<String> {
        Ok(format!("{}/v2/{}/{path}", self.base().await?, self.name))
    }

    /// `registry/repository:tag`, or `registry/repository@digest` when `reference` is a
    /// digest, for messages.
    pub fn display_reference(&self, reference: &str) -> String {
        let sep = if reference.contains(':') { '@' } else { ':' };
        format!("{}/{}{sep}{reference}", self.registry, self.name)
    }

    /// Whether requests to this registry go without credentials (none given, stored or
    /// found for it).
    pub fn anonymous(&self) -> bool {
        self.client
            .inner
            .opts
            .credentials
            .credentials_for(&self.registry, &self.name)
            .is_none()
    }

    /// The hint for an Auth error: log in when the request was anonymous, else check the
    /// credentials and the account's access to `what` (e.g. "this repository").
    fn auth_hint(&self, what: &str) -> Hint {
        Hint::Login {
            registry: self.registry.clone(),
            case: if self.anonymous() {
                LoginCase::NotSent
            } else {
                LoginCase::Refused {
                    access: what.to_string(),
                }
            },
        }
    }

    /// Checks `resp` is one of `ok`, else turns it into an error with `what` as context; an
    /// Auth error gets a hint that fits whether credentials were sent.
    async fn expect(
        &self,
        resp: Response,
        ok: &[StatusCode],
        what: impl FnOnce() -> String,
    ) -> Result<Response> {
        if ok.contains(&resp.status()) {
            return Ok(resp);
        }
        let status = resp.status();
        let body = resp.bytes().await.unwrap_or_default();
        Err(self.refusal(status, &body, what))
    }

    /// Like [`Repository::expect`], for a response already read whole.
    fn expect_whole(
        &self,
        whole: &Whole,
        ok: &[StatusCode],
        what: impl FnOnce() -> String,
    ) -> Result<()> {
        if ok.contains(&whole.status) {
            return Ok(());
        }
        Err(self.refusal(whole.status, &whole.body, what))
    }

    /// The error for a refused request: the registry's answer (`status`, `body`) with `what`
    /// as context, and for an Auth error a hint that fits whether credentials were sent.
    fn refusal(&self, status: StatusCode, body: &[u8], what: impl FnOnce() -> String) -> Error {
        let mut err = errors::from_response(status, body)
            .context(what())
            .with_registry(&self.registry);
        if err.kind() == ErrorKind::Auth {
            err = err.with_hint(self.auth_hint("this repository"));
        }
        err
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        self.client.http()
    }
    /// `--chunk-size` when given, else this registry's `config.toml` setting, else Auto.
    pub(crate) fn upload_strategy(&self) -> UploadStrategy {
        let opts = &self.client.inner.opts;
        if opts.upload != UploadStrategy::Auto {
            return opts.upload;
        }
        opts.config
            .registry(&self.registry)
            .or_else(|| opts.config.registry(&self.host))
            .and_then(|r| r.upload_strategy())
            .unwrap_or(UploadStrategy::Auto)
    }
    pub(crate) fn take_pending_session(&self, digest: &Digest) -> Option<String> {
        self.pending_sessions
            .lock()
            .expect("sessions lock")
            .remove(digest)
    }
}
