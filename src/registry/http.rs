//! The one send (docs/DESIGN.md §3, §5): every registry request goes out through
//! [`Repository::send`] (or, for bodies streamed once, [`Client::execute_traced`]; both end in
//! `Client::execute`, which waits for the host's request limiter), which adds
//! the Authorization the host's challenge calls for (a cached token or a new token request),
//! re-authenticates once on a 401, retries under the one
//! [`RetryPolicy`](super::retry::RetryPolicy), and traces each exchange at `-vv` without
//! headers or queries.

use std::collections::BTreeSet;
use std::time::Instant;

use reqwest::{RequestBuilder, Response, StatusCode};
use tracing::warn;

use super::bearer::{self, Challenge};
use super::challenge::{self, www_authenticate};
use super::client::Client;
use super::exchange::{trace_exchange, url_host, without_query};
use super::hosts::HostState;
use super::repository::{Access, Repository};
use super::retry::{retry_after, retryable_status, retryable_transport};
use super::token;
use crate::auth::Secret;
use crate::error::{Error, Result};

/// Whose tokens `c` gets, to keep them apart in the cache (never the secret): the username of
/// a password, a kind-tagged name for tokens (a leading `:` is no Basic username).
fn token_account(c: &Secret) -> String {
    match c {
        Secret::Password { username, .. } => username.clone(),
        Secret::IdentityToken { username, .. } => {
            format!(":identity-token:{}", username.as_deref().unwrap_or(""))
        }
        Secret::RegistryToken(_) => ":registry-token".to_string(),
    }
}

/// `req` with what `c` sends on a Basic challenge: Basic for a password (or an identity token
/// with its account), `Bearer` for a registry token (a bearer token whatever the challenge),
/// nothing for an identity token without an account.
pub(super) fn answer_basic(req: RequestBuilder, c: &Secret) -> RequestBuilder {
    match (c, c.basic()) {
        (_, Some((user, password))) => req.basic_auth(user, Some(password)),
        (Secret::RegistryToken(t), None) => req.bearer_auth(t),
        (_, None) => req,
    }
}

impl Client {
    /// A token covering `scopes` for `host` (the API host of `registry`), from the cache or a
    /// new token request.
    pub(super) async fn bearer(
        &self,
        registry: &str,
        host: &str,
        repository: &str,
        st: &mut HostState,
        scopes: &BTreeSet<String>,
        force: bool,
    ) -> Result<String> {
        let now = Instant::now();
        let creds = self
            .inner
            .opts
            .credentials
            .credentials_for(registry, repository);
        let account = creds.as_ref().map(token_account);
        if !force && let Some(t) = st.cached_token(scopes, &account, now) {
            return Ok(t.value.clone());
        }
        let Some(Challenge::Bearer { realm, service, .. }) = st.challenge.clone() else {
            return Err(Error::other(
                "internal: bearer() without a Bearer challenge",
            ));
        };
        let mut token = token::fetch(
            self,
            &token::TokenRequest {
                realm: &realm,
                service: service.as_deref(),
                scopes,
                creds: creds.as_ref(),
                registry,
                host,
                registry_https: st.scheme == Some("https"),
            },
        )
        .await?;
        token.account = account;
        let value = token.value.clone();
        st.keep_token(token, now);
        Ok(value)
    }

    /// Adds the Authorization header `st` calls for, if any, with the credentials of
    /// `repository` in `registry`.
    pub(super) async fn authorize(
        &self,
        registry: &str,
        host: &str,
        repository: &str,
        scopes: &BTreeSet<String>,
        force: bool,
        req: RequestBuilder,
    ) -> Result<RequestBuilder> {
        let state = self.host_state(host);
        let mut st = state.lock().await;
        Ok(match st.challenge.clone() {
            None => req,
            Some(Challenge::Basic) => match self
                .inner
                .opts
                .credentials
                .credentials_for(registry, repository)
            {
                Some(c) => answer_basic(req, &c),
                None => req,
            },
            Some(Challenge::Bearer { .. }) => {
                let token = self
                    .bearer(registry, host, repository, &mut st, scopes, force)
                    .await?;
                req.bearer_auth(token)
            }
            // Anonymous: where that is refused, `Repository::send` reports the challenge.
            Some(Challenge::Unusable { .. }) => req,
        })
    }
}

impl Repository {
    /// Sends a request built by `make` (called again for each attempt), authorised for
    /// `access`, retrying transport errors, 408/429/5xx, and one 401 with a fresh token.
    /// Returns the response whatever its status, except that retries exhausted on 429/5xx
    /// return the last response.
    pub(super) async fn send(
        &self,
        access: Access,
        make: impl Fn() -> RequestBuilder,
    ) -> Result<Response> {
        let mut scopes = self.scopes(access);
        let mut attempt = 0;
        let mut reauthed = false;
        loop {
            let req = self
                .client
                .authorize(
                    &self.registry,
                    &self.host,
                    &self.name,
                    &scopes,
                    reauthed && attempt == 0,
                    make(),
                )
                .await?;
            let (http, request) = req.build_split();
            let request = request.map_err(|e| self.client.transport_error(&e, ""))?;
            let (method, url) = (request.method().to_string(), without_query(request.url()));
            let started = Instant::now();
            let sent = self
                .client
                .execute(RequestBuilder::from_parts(http, request))
                .await;
            let resp = match sent {
                Ok(r) => {
                    trace_exchange(&method, &url, &r, started);
                    r
                }
                Err(e) => {
                    tracing::trace!("{method} {url} failed after {:?}", started.elapsed());
                    if self.client.policy().allows(attempt) && retryable_transport(&e, true) {
                        attempt += 1;
                        warn!(
                            "retrying after transport error: {}",
                            self.client.transport_error(&e, "")
                        );
                        tokio::time::sleep(self.client.policy().wait(attempt, None)).await;
                        continue;
                    }
                    return Err(self
                        .client
                        .transport_error(&e, &e.url().map(|u| u.to_string()).unwrap_or_default()));
                }
            };
            let status = resp.status();
            // A 401 from a redirect target (another host) is not the registry's challenge: it
            // must never redirect where credentials go.
            let from_registry = url_host(resp.url()) == self.host;
            if status == StatusCode::UNAUTHORIZED && !reauthed && from_registry {
                reauthed = true;
                // The challenge may ask for more scope (insufficient_scope) or the token expired.
                let challenge = challenge::select_challenge(www_authenticate(resp.headers()));
                let state = self.client.host_state(&self.host);
                let mut st = state.lock().await;
                match challenge {
                    Challenge::Bearer {
                        scope,
                        realm,
                        service,
                    } => {
                        if let Some(s) = &scope {
                            scopes.extend(bearer::split_scopes(s));
                        }
                        st.challenge = Some(Challenge::Bearer {
                            realm,
                            service,
                            scope: None,
                        });
                        st.forget_tokens();
                    }
                    Challenge::Basic
                        if matches!(st.challenge, None | Some(Challenge::Unusable { .. })) =>
                    {
                        st.challenge = Some(Challenge::Basic)
                    }
                    Challenge::Unusable { offered } => {
                        return Err(challenge::unusable_challenge_error(&self.host, &offered)
                            .with_registry(&self.registry));
                    }
                    _ => {
                        drop(st);
                        return Ok(resp);
                    }
                }
                drop(st);
                attempt = 0;
                continue;
            }
            if retryable_status(status) && self.client.policy().allows(attempt) {
                attempt += 1;
                let wait = self
                    .client
                    .policy()
                    .wait(attempt, retry_after(resp.headers()));
                warn!(status = %status, "registry busy, retrying in {:.1}s", wait.as_secs_f32());
                tokio::time::sleep(wait).await;
                continue;
            }
            return Ok(resp);
        }
    }
}
