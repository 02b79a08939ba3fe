//! The one send (docs/DESIGN.md §3, §5): every registry request goes out through
//! [`Repository::send`] (or, for bodies streamed once, [`Client::execute_traced`]), which adds
//! the Authorization the host's challenge calls for, re-authenticates once on a 401, retries
//! under the one [`RetryPolicy`], and traces each exchange at `-vv` without headers or queries.
//! Also [`fetch_whole`], which reads small documents (manifests, lists, tokens) whole and asks
//! again when their body breaks off.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::TryStreamExt;
use reqwest::header::{self, HeaderMap};
use reqwest::{RequestBuilder, Response, StatusCode};
use tracing::warn;

use super::bearer::{self, Challenge};
use super::challenge::{self, www_authenticate};
use super::client::{HostState, url_host};
use super::errors::{error_chain, no_such_host};
use super::token;
use super::{Access, Client, Repository};
use crate::error::{Error, Result};

impl Client {
    /// The retry policy of this client's requests (`--retries`).
    pub(crate) fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            retries: self.inner.opts.retries,
        }
    }

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
        let account = creds.as_ref().map(|c| c.username.clone());
        if !force
            && let Some(t) = st
                .tokens
                .iter()
                .rev()
                .find(|t| t.covers(scopes, now) && t.account == account)
        {
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
        st.tokens.retain(|t| t.renew_at > now);
        st.tokens.push(token);
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
                Some(c) => req.basic_auth(c.username, Some(c.password)),
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

/// The retry policy of every request imgctl may replay (README "Reliability"): after a
/// failure (a connect error, a timeout, 408, 429, 5xx, a body cut or reset part-way) a
/// request is sent again, up to `retries` times in a row, waiting [`backoff`] in between.
/// Pings, manifests, blobs, tag and catalog pages, referrers, uploads and token requests all
/// go through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// Further attempts allowed after consecutive failures (`--retries`).
    pub(crate) retries: u32,
}

impl RetryPolicy {
    /// Whether a request that failed `failures` times in a row may be sent once more.
    pub(crate) fn allows(self, failures: u32) -> bool {
        failures < self.retries
    }

    /// How long to wait before retry `attempt` (1-based); see [`backoff`].
    pub(crate) fn wait(self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        backoff(attempt, retry_after)
    }
}

/// Time to wait before retry `attempt` (1-based): the server's `Retry-After` when given
/// (capped at 60 s, taken as it is), else exponential backoff from 0.5 s (doubling, capped at
/// 8 s) plus up to 25% random jitter, so that parallel transfers failing together do not all
/// retry at the same instant.
fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(d) = retry_after {
        return d.min(Duration::from_secs(60));
    }
    let base = Duration::from_millis(500u64 << attempt.clamp(1, 5).saturating_sub(1))
        .min(Duration::from_secs(8));
    base + base.mul_f64(fastrand::f64() * 0.25)
}

/// The `Retry-After` response header (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date
/// (the time from now until then; zero when it is past). None when absent or unreadable.
pub(super) fn retry_after(h: &HeaderMap) -> Option<Duration> {
    let v = h.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// A response read to its end.
pub(crate) struct Whole {
    /// The status of the response whose body was read whole.
    pub(crate) status: StatusCode,
    /// Its headers.
    pub(crate) headers: HeaderMap,
    /// Its body.
    pub(crate) body: Bytes,
    /// When the attempt that produced it was started (a token's lifetime counts from there).
    pub(crate) sent: Instant,
}

/// Sends a replayable request (a GET or HEAD) with `send` — which retries connect errors,
/// timeouts and retryable statuses itself — and reads its whole body, of at most `limit`
/// bytes. A body cut or reset part-way is requested again under the client's
/// [`RetryPolicy`], as a blob download would be, each retry announced by a warning.
/// `url` names the request in errors; `what` names the document (`manifest`, `tag list`).
///
/// Errors: those of `send`; Network when the body could not be read after retries;
/// Integrity when the body is larger than `limit`.
pub(crate) async fn fetch_whole<F, Fut>(
    client: &Client,
    url: &str,
    limit: usize,
    what: &str,
    send: F,
) -> Result<Whole>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<Response>>,
{
    let policy = client.policy();
    let too_large = || {
        Error::integrity(format!(
            "{what} larger than {} MiB refused",
            limit / (1024 * 1024)
        ))
    };
    let mut failures = 0;
    loop {
        let sent = Instant::now();
        let resp = send().await?;
        if resp.content_length().unwrap_or(0) > limit as u64 {
            return Err(too_large());
        }
        let (status, headers) = (resp.status(), resp.headers().clone());
        let mut body = bytes::BytesMut::new();
        let mut stream = resp.bytes_stream();
        let cut = loop {
            match stream.try_next().await {
                Ok(Some(chunk)) => {
                    body.extend_from_slice(&chunk);
                    if body.len() > limit {
                        return Err(too_large());
                    }
                }
                Ok(None) => {
                    return Ok(Whole {
                        status,
                        headers,
                        body: body.freeze(),
                        sent,
                    });
                }
                Err(e) => break client.transport_error(&e, url),
            }
        };
        if !policy.allows(failures) {
            return Err(cut.context(format!(
                "the {what} answer broke off after {} bytes",
                body.len()
            )));
        }
        failures += 1;
        let wait = policy.wait(failures, None);
        warn!(
            "the {what} answer broke off after {} bytes ({cut}); retrying in {:.1}s",
            body.len(),
            wait.as_secs_f32()
        );
        tokio::time::sleep(wait).await;
    }
}

/// Whether a transport error is worth another attempt: connect errors and timeouts (and, for
/// requests already sent, `request` errors), except a host name that does not exist — a
/// permanent answer that retrying only delays (skopeo and curl fail at once too). A temporary
/// resolver failure ("Temporary failure in name resolution") is retried.
pub(super) fn retryable_transport(e: &reqwest::Error, sent: bool) -> bool {
    (e.is_connect() || e.is_timeout() || (sent && e.is_request())) && !no_such_host(&error_chain(e))
}

/// `url` without its query and fragment: queries can carry upload state or, after a redirect
/// to storage, signed credentials; logs never show them.
pub(super) fn without_query(url: &url::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// Logs one HTTP exchange at trace level (`-vv`): method, URL without query, status, the
/// final URL's host when a redirect was followed, and the time to the response headers.
/// Never a header value (Authorization, cookies) nor a body.
pub(super) fn trace_exchange(method: &str, url: &str, resp: &Response, started: Instant) {
    let redirected = without_query(resp.url());
    if redirected == url {
        tracing::trace!(
            "{method} {url} → {} in {:.0?}",
            resp.status(),
            started.elapsed()
        );
    } else {
        tracing::trace!(
            "{method} {url} → {} (redirected to {redirected}) in {:.0?}",
            resp.status(),
            started.elapsed()
        );
    }
}

impl Client {
    /// Sends `req` as it is with the HTTP client of its URL's host (see [`Client::execute`]),
    /// logging the exchange at trace level (`-vv`, see [`trace_exchange`]; a request that gets
    /// no answer is logged as failed). For requests outside [`Repository::send`], such as the
    /// blob uploads that stream a body once.
    pub(crate) async fn execute_traced(&self, req: RequestBuilder) -> reqwest::Result<Response> {
        let (http, request) = req.build_split();
        let request = request?;
        let (method, url) = (request.method().to_string(), without_query(request.url()));
        let started = Instant::now();
        let resp = self
            .execute(RequestBuilder::from_parts(http, request))
            .await;
        match &resp {
            Ok(r) => trace_exchange(&method, &url, r, started),
            Err(_) => tracing::trace!("{method} {url} failed after {:.0?}", started.elapsed()),
        }
        resp
    }
}

pub(super) fn retryable_status(s: StatusCode) -> bool {
    s == StatusCode::REQUEST_TIMEOUT || s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error()
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
            let http = self.client.http_for(request.url()).unwrap_or(http);
            let (method, url) = (request.method().to_string(), without_query(request.url()));
            let started = Instant::now();
            let resp = match http.execute(request).await {
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
                        st.tokens.clear();
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

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use std::collections::BTreeSet;

    #[test]
    fn backoff_grows_with_jitter_and_retry_after_takes_seconds_and_http_dates() {
        for attempt in 1..=8 {
            let base = Duration::from_millis(500u64 << (attempt.min(5) - 1));
            for _ in 0..50 {
                let w = backoff(attempt, None);
                assert!(w >= base && w <= base + base / 4, "{attempt}: {w:?}");
            }
        }
        // jitter: not every wait is the same
        let waits: BTreeSet<Duration> = (0..20).map(|_| backoff(1, None)).collect();
        assert!(waits.len() > 1);
        // Retry-After is taken as it is, capped at 60 s
        assert_eq!(
            backoff(3, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            backoff(1, Some(Duration::from_secs(600))),
            Duration::from_secs(60)
        );
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let later = std::time::SystemTime::now() + Duration::from_secs(30);
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(27) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }
}
