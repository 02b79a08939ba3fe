//! [`Repository`], the handle every request goes through: the registry and repository it
//! names, the token scopes an [`Access`] needs, the URLs of its endpoints, and how a refused
//! answer becomes an error. The endpoints themselves (`manifests.rs`, `blobs.rs`, …) and the
//! send (`http.rs`) build on it.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use reqwest::{Response, StatusCode};

use super::client::Client;
use super::errors;
use super::whole::Whole;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Hint, LoginCase, Result};
use crate::settings::UploadStrategy;

impl Client {
    /// A handle on `repository` in `registry` (normalised name, e.g. `docker.io`).
    pub fn repository(&self, registry: &str, repository: &str) -> Repository {
        Repository {
            client: self.clone(),
            registry: registry.to_string(),
            host: crate::reference::api_host(registry).to_string(),
            name: repository.to_string(),
            extra_scopes: Arc::new(Mutex::new(BTreeSet::new())),
            pending_sessions: Arc::new(Mutex::new(HashMap::new())),
        }
    }
}

/// A repository in a registry; every request carries the scopes it needs.
#[derive(Clone)]
pub struct Repository {
    pub(super) client: Client,
    pub(super) registry: String,
    pub(super) host: String,
    pub(super) name: String,
    /// Scopes added to every token request (e.g. pull on a mount's source repository).
    pub(super) extra_scopes: Arc<Mutex<BTreeSet<String>>>,
    /// Upload sessions opened by a refused mount, keyed by digest, to reuse for the upload.
    pub(super) pending_sessions: Arc<Mutex<HashMap<Digest, String>>>,
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

    pub(super) fn scopes(&self, access: Access) -> BTreeSet<String> {
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

    pub(super) async fn base(&self) -> Result<String> {
        let st = self.client.ensure_pinged(&self.host).await?;
        let scheme = st.lock().await.scheme.unwrap_or("https");
        Ok(format!("{scheme}://{}", self.host))
    }

    /// `{scheme}://{host}/v2/{name}/{path}`.
    pub(super) async fn url(&self, path: &str) -> Result<String> {
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
    pub(super) fn auth_hint(&self, what: &str) -> Hint {
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
    pub(super) async fn expect(
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
    pub(super) fn expect_whole(
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
    pub(super) fn refusal(
        &self,
        status: StatusCode,
        body: &[u8],
        what: impl FnOnce() -> String,
    ) -> Error {
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
