//! The OCI distribution API client (OCI distribution spec v1.1; docs/DESIGN.md §3): one reqwest
//! client shared by every request, challenge-driven auth, retries, manifests, blobs, uploads,
//! mounts and tag listing.

pub mod auth;
mod download;
pub mod errors;
mod extra;
mod tls;
mod token;
mod upload;

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::TryStreamExt;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{RequestBuilder, Response, StatusCode};
use tokio_util::io::StreamReader;
use tracing::{debug, warn};

use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::manifest::{ACCEPT_MANIFESTS, detect_media_type};
use crate::transport::{BlobStream, FetchedManifest};
use auth::{Challenge, CredentialProvider, Credentials, Token};

pub use crate::settings::{DEFAULT_CHUNK_SIZE, UploadStrategy};
pub use upload::UploadProgress;

/// Largest manifest accepted, in bytes (distribution limits manifests to 4 MiB).
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;

/// Settings for a [`Client`].
#[derive(Clone)]
pub struct ClientOptions {
    /// Skip TLS verification and allow plain HTTP for every registry (`--insecure`).
    pub insecure: bool,
    /// Extra trusted root certificates, PEM files (`--ca-file`), for every registry.
    pub ca_files: Vec<PathBuf>,
    /// Client certificate and key, PEM files (`--cert-file`, `--key-file`), presented to every
    /// registry that asks for one; wins over the per-host ones.
    pub client_cert: Option<(PathBuf, PathBuf)>,
    /// `certs.d` roots searched for per-host CAs and client certificates
    /// ([`crate::settings::certs_d_roots`]).
    pub certs_d: Vec<PathBuf>,
    /// Where credentials come from.
    pub credentials: Arc<dyn CredentialProvider>,
    /// How blobs are uploaded.
    pub upload: UploadStrategy,
    /// Retries per request on connect errors, timeouts, 408, 429 and 5xx.
    pub retries: u32,
    /// Idle timeout: a connection that moves no byte for this long fails (seconds).
    pub timeout: Duration,
    /// Per-registry settings from `config.toml` (upload strategy, chunk size, plain HTTP,
    /// CA file, client certificate); `upload` above, when not `Auto`, wins over the file.
    pub config: Arc<crate::settings::Config>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            insecure: false,
            ca_files: Vec::new(),
            client_cert: None,
            certs_d: crate::settings::certs_d_roots(),
            credentials: Arc::new(auth::StaticCredentials(None)),
            upload: UploadStrategy::default(),
            retries: 3,
            timeout: Duration::from_secs(60),
            config: Arc::new(crate::settings::Config::default()),
        }
    }
}

/// What the client learnt about one registry host.
#[derive(Default)]
struct HostState {
    /// `http` or `https`, once known.
    scheme: Option<&'static str>,
    /// The challenge from the `/v2/` ping (None: no auth needed).
    challenge: Option<Challenge>,
    /// Tokens granted, newest last.
    tokens: Vec<Token>,
}

struct Inner {
    /// The client that builds requests, with the command line's TLS settings only (the one a
    /// request goes out with when its host's own settings cannot be read).
    http: reqwest::Client,
    opts: ClientOptions,
    /// Whether the user gave CA files on the command line: decides the TLS hints.
    user_cas: bool,
    hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<HostState>>>>,
    /// Where each host's TLS settings come from.
    tls: tls::TlsSettings,
    /// The HTTP client of each host seen so far (`name[:port]`), by its TLS settings.
    tls_clients: Mutex<HashMap<String, HostClient>>,
}

/// The HTTP client for one host and what its TLS settings were.
#[derive(Clone)]
struct HostClient {
    http: reqwest::Client,
    /// Whether CA files apply to the host (the command's or its own).
    user_cas: bool,
    /// The client certificate offered to the host.
    identity: Option<tls::IdentityFiles>,
    /// Whether the host's certificate goes unverified (and plain HTTP is allowed).
    insecure: bool,
    /// What its handshakes showed (did it ask for a client certificate?).
    observed: Arc<tls::Observed>,
}

/// A registry client. Cheap to clone; clones share connections and tokens.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// Whether `host` (`name[:port]`) is a loopback address, where plain HTTP is allowed as docker does.
pub fn is_loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host),
    };
    name == "localhost"
        || name
            .parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

impl Client {
    /// Builds a client from `opts`. TLS is per host (see `tls.rs`): every host trusts the
    /// system store plus `opts.ca_files`; a host also trusts the `ca-file` of its section in
    /// `opts.config` and the `*.crt` of its `certs.d` directory, and presents the client
    /// certificate of `opts.client_cert`, else its section's, else its `certs.d` one. A
    /// registry whose own certificate is byte-identical to a trusted one is trusted as it is,
    /// even a self-signed CA certificate (its name and validity are still checked).
    ///
    /// Errors: Usage when a CA file of `opts.ca_files` or the client certificate of
    /// `opts.client_cert` cannot be read, is not PEM, holds no certificate, a certificate
    /// that cannot be a trust anchor or a key that does not fit; Other when the HTTP client
    /// cannot be built. A host's own settings are read when it is first contacted, and their
    /// errors reported then.
    pub fn new(opts: ClientOptions) -> Result<Client> {
        let settings = tls::TlsSettings {
            insecure: opts.insecure,
            ca_files: opts.ca_files.clone(),
            identity: opts
                .client_cert
                .clone()
                .map(|(cert, key)| tls::IdentityFiles { cert, key }),
            config: opts.config.clone(),
            certs_d: opts.certs_d.clone(),
        };
        let global = settings.global()?;
        let user_cas = !global.cas.is_empty();
        let http = build_http(&opts, &global, Arc::default())?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                opts,
                user_cas,
                hosts: Mutex::new(HashMap::new()),
                tls: settings,
                tls_clients: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The HTTP client for `host` (`name[:port]`), built on first use from its TLS settings
    /// (each host its own, so that what its handshakes show stays with it). Errors: Usage as
    /// [`tls::TlsSettings::for_host`] and [`tls::client_config`], naming the host.
    fn host_client(&self, host: &str) -> Result<HostClient> {
        if let Some(c) = self.inner.tls_clients.lock().expect("tls lock").get(host) {
            return Ok(c.clone());
        }
        let context = || format!("TLS settings for {host}");
        let t = self
            .inner
            .tls
            .for_host(host)
            .map_err(|e| e.context(context()))?;
        debug!(
            host,
            cas = t.cas.len(),
            client_cert = t.identity.is_some(),
            insecure = t.insecure,
            "TLS settings"
        );
        let observed = Arc::new(tls::Observed::default());
        let http =
            build_http(&self.inner.opts, &t, observed.clone()).map_err(|e| e.context(context()))?;
        let c = HostClient {
            observed,
            http,
            user_cas: !t.cas.is_empty(),
            identity: t.identity,
            insecure: t.insecure,
        };
        self.inner
            .tls_clients
            .lock()
            .expect("tls lock")
            .insert(host.to_string(), c.clone());
        Ok(c)
    }

    /// Sends `request` with the HTTP client of its URL's host (its own TLS settings), whatever
    /// client built it. A host whose settings cannot be read (already reported when it was
    /// pinged) gets the default client.
    async fn execute(&self, request: RequestBuilder) -> reqwest::Result<Response> {
        let (default, request) = request.build_split();
        let request = request?;
        let host = self.host_client(&url_host(request.url())).ok();
        let http = host.as_ref().map_or(default, |h| h.http.clone());
        let resp = http.execute(request).await;
        if let (Ok(_), Some(h)) = (&resp, host) {
            h.observed.answered();
        }
        resp
    }

    /// The HTTP client for `url`'s host (see [`Client::execute`]); `None` when its TLS
    /// settings cannot be read.
    fn http_for(&self, url: &url::Url) -> Option<reqwest::Client> {
        match self.host_client(&url_host(url)) {
            Ok(c) => Some(c.http),
            Err(e) => {
                debug!("{e}; using the default TLS settings");
                None
            }
        }
    }

    /// The retry policy of this client's requests (`--retries`).
    pub(crate) fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            retries: self.inner.opts.retries,
        }
    }

    /// Maps a reqwest error on `url` to an imgctl error (see [`transport_error`]), with the
    /// TLS hints that fit the host's settings.
    fn transport_error(&self, e: &reqwest::Error, url: &str) -> Error {
        let host = url::Url::parse(url)
            .ok()
            .or_else(|| e.url().cloned())
            .map(|u| url_host(&u));
        let known = host.and_then(|h| {
            self.inner
                .tls_clients
                .lock()
                .expect("tls lock")
                .get(&h)
                .cloned()
        });
        let tls = TlsContext {
            user_cas: known.as_ref().map_or(self.inner.user_cas, |c| c.user_cas),
            client_cert_refused: known
                .as_ref()
                .is_some_and(|c| c.observed.client_cert_refused()),
            identity: known.and_then(|c| c.identity),
        };
        transport_error(e, url, &tls)
    }

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

    /// The HTTP client that builds requests (for redirected blob downloads and token requests
    /// too). It has only the command line's TLS settings: send what it builds with
    /// [`Client::execute`] (or `Repository::send`), which uses the host's own.
    fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    fn host_state(&self, host: &str) -> Arc<tokio::sync::Mutex<HostState>> {
        self.inner
            .hosts
            .lock()
            .expect("hosts lock")
            .entry(host.to_string())
            .or_default()
            .clone()
    }

    /// Pings `https://host/v2/` (then `http://` for loopback hosts or with `--insecure`) once per
    /// host and records the scheme and the auth challenge.
    async fn ensure_pinged(&self, host: &str) -> Result<Arc<tokio::sync::Mutex<HostState>>> {
        let state = self.host_state(host);
        let mut st = state.lock().await;
        if st.scheme.is_some() {
            drop(st);
            return Ok(state);
        }
        let allow_http = self.inner.opts.insecure
            || is_loopback(host)
            || self
                .inner
                .opts
                .config
                .registry(host)
                .and_then(|r| r.insecure)
                .unwrap_or(false);
        // The host's own TLS settings (config.toml, certs.d): their errors are reported here.
        let tls = self.host_client(host)?;
        let allow_http = allow_http || tls.insecure;
        let retries = self.inner.opts.retries;
        // Where plain HTTP is allowed, HTTPS is tried once: a plain-HTTP registry fails the
        // TLS handshake every time, and retrying it would only delay the HTTP attempt.
        let https_retries = if allow_http { 0 } else { retries };
        let https = self
            .ping(&format!("https://{host}/v2/"), https_retries)
            .await;
        let (scheme, resp) = match https {
            Ok(r) => ("https", r),
            // Any HTTP answer (even 5xx) means the registry speaks plain HTTP: its status is
            // handled below, not hidden behind the HTTPS attempt's TLS error. Except 400: what
            // an HTTPS server (Go, nginx) answers a plain request on its TLS port, where the
            // HTTPS error (an untrusted certificate, say) is the one that matters.
            Err(https_err) if allow_http => {
                match self.ping(&format!("http://{host}/v2/"), retries).await {
                    Ok(r) if r.status() != StatusCode::BAD_REQUEST => ("http", r),
                    _ => return Err(https_err),
                }
            }
            Err(e) => return Err(e),
        };
        debug!(host, scheme, status = %resp.status(), "pinged registry");
        st.scheme = Some(scheme);
        if resp.status() == StatusCode::UNAUTHORIZED {
            // Only a scheme the registry offered is ever answered (docs/DESIGN.md §5).
            st.challenge = Some(auth::select_challenge(www_authenticate(resp.headers())));
        } else if !resp.status().is_success() && resp.status() != StatusCode::NOT_FOUND {
            let status = resp.status();
            let body = resp.bytes().await.unwrap_or_default();
            return Err(errors::from_response(status, &body)
                .context(format!("registry {host} is not usable")));
        }
        drop(st);
        Ok(state)
    }

    /// GETs `url` (a `/v2/` endpoint), retrying up to `retries` times on connect errors,
    /// timeouts, 408, 429 and 5xx (waiting `Retry-After` when the registry sends it). Returns
    /// the last response whatever its status. Errors: Network when no HTTP answer came.
    async fn ping(&self, url: &str, retries: u32) -> Result<Response> {
        let mut attempt = 0;
        loop {
            let started = Instant::now();
            let sent = self.execute(self.http().get(url)).await;
            if let Ok(r) = &sent {
                trace_exchange("GET", url, r, started);
            }
            let wait = match sent {
                Ok(r) if retryable_status(r.status()) && attempt < retries => {
                    let wait = backoff(attempt + 1, retry_after(r.headers()));
                    warn!(
                        "{url} answered {}, retrying in {:.1}s",
                        r.status(),
                        wait.as_secs_f32()
                    );
                    wait
                }
                Ok(r) => return Ok(r),
                Err(e) if attempt < retries && retryable_transport(&e, false) => {
                    let wait = backoff(attempt + 1, None);
                    warn!(
                        "{}, retrying in {:.1}s",
                        self.transport_error(&e, url),
                        wait.as_secs_f32()
                    );
                    wait
                }
                Err(e) => return Err(self.transport_error(&e, url)),
            };
            attempt += 1;
            tokio::time::sleep(wait).await;
        }
    }

    /// A token covering `scopes` for `host` (the API host of `registry`), from the cache or a
    /// new token request.
    async fn bearer(
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
    async fn authorize(
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

impl Client {
    /// Checks `creds` against `registry` (normalised name) the way a login does: pings
    /// `/v2/`, then asks the token endpoint for a token (Bearer) or sends `/v2/` with Basic
    /// auth (Basic). `Ok(false)` when the registry asks for no authentication at all.
    /// Errors: Auth when the registry refuses the credentials; Network.
    pub async fn verify_credentials(&self, registry: &str, creds: &Credentials) -> Result<bool> {
        let host = crate::reference::api_host(registry).to_string();
        let state = self.ensure_pinged(&host).await?;
        let (scheme, challenge) = {
            let st = state.lock().await;
            (st.scheme.unwrap_or("https"), st.challenge.clone())
        };
        match challenge {
            None => Ok(false),
            Some(Challenge::Unusable { offered }) => {
                Err(auth::unusable_challenge_error(&host, &offered)
                    .context(format!("login to {registry} failed")))
            }
            Some(Challenge::Bearer { realm, service, .. }) => {
                token::fetch(
                    self,
                    &token::TokenRequest {
                        realm: &realm,
                        service: service.as_deref(),
                        scopes: &BTreeSet::new(),
                        creds: Some(creds),
                        registry,
                        host: &host,
                        registry_https: scheme == "https",
                    },
                )
                .await
                .map_err(|e| e.context(format!("login to {registry} failed")))?;
                Ok(true)
            }
            Some(Challenge::Basic) => {
                let url = format!("{scheme}://{host}/v2/");
                let resp = self
                    .execute_traced(
                        self.http()
                            .get(&url)
                            .basic_auth(&creds.username, Some(&creds.password)),
                    )
                    .await
                    .map_err(|e| self.transport_error(&e, &url))?;
                let status = resp.status();
                if status.is_success() {
                    return Ok(true);
                }
                let body = resp.bytes().await.unwrap_or_default();
                let mut err = errors::from_response(status, &body)
                    .context(format!("login to {registry} failed"));
                if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                    err = err
                        .with_kind(ErrorKind::Auth)
                        .with_hint("check the username and password");
                }
                Err(err)
            }
        }
    }
}

/// The `WWW-Authenticate` values of a response that are text.
fn www_authenticate(h: &HeaderMap) -> impl Iterator<Item = &str> {
    h.get_all(header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
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
fn retry_after(h: &HeaderMap) -> Option<Duration> {
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
fn retryable_transport(e: &reqwest::Error, sent: bool) -> bool {
    (e.is_connect() || e.is_timeout() || (sent && e.is_request())) && !no_such_host(&error_chain(e))
}

/// Whether an error chain's text is the resolver saying the name does not exist (glibc's
/// EAI_NONAME/EAI_NODATA, macOS, Windows wording).
fn no_such_host(chain: &str) -> bool {
    let lower = chain.to_ascii_lowercase();
    [
        "name or service not known",
        "no address associated with hostname",
        "nodename nor servname provided",
        "no such host is known",
    ]
    .iter()
    .any(|m| lower.contains(m))
}

/// The messages of `e`'s sources, each after ": ".
fn error_chain(e: &reqwest::Error) -> String {
    error_sources(e).map(|s| format!(": {s}")).collect()
}

/// `e`'s sources, outermost first (`e` itself excluded).
fn error_sources(e: &reqwest::Error) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
    std::iter::successors(std::error::Error::source(e), |s| s.source())
}

/// `url` without its query and fragment: queries can carry upload state or, after a redirect
/// to storage, signed credentials; logs never show them.
fn without_query(url: &url::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// Logs one HTTP exchange at trace level (`-vv`): method, URL without query, status, the
/// final URL's host when a redirect was followed, and the time to the response headers.
/// Never a header value (Authorization, cookies) nor a body.
fn trace_exchange(method: &str, url: &str, resp: &Response, started: Instant) {
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

fn retryable_status(s: StatusCode) -> bool {
    s == StatusCode::REQUEST_TIMEOUT || s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error()
}

/// Maps a reqwest transport error on `url` to a Network error that names the URL's host
/// (else the error's own URL's), never its query (which may carry upload state) nor any header.
///
/// A refused server certificate is described in plain words with a hint that fits:
/// `tls.user_cas` says whether CA files apply to the host, so that the hint never asks for
/// `--ca-file` when one was given; a handshake the registry ended over the client certificate
/// says so, with `tls.identity` the certificate offered.
fn transport_error(e: &reqwest::Error, url: &str, tls: &TlsContext) -> Error {
    let user_cas = tls.user_cas;
    let host = url::Url::parse(url)
        .ok()
        .or_else(|| e.url().cloned())
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_default();
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let chain = error_chain(e);
    let tls_error = error_sources(e).find_map(rustls_error);
    if let Some((problem, hint)) = tls_error.and_then(|t| tls::certificate_problem(t, user_cas)) {
        debug!(host, "TLS handshake failed{chain}");
        return Error::network(format!(
            "{what} ({host}): the registry's TLS certificate is not accepted: {problem}"
        ))
        .with_hint(hint);
    }
    if let Some((problem, hint)) =
        tls_error.and_then(|t| tls::client_auth_problem(t, tls.identity.as_ref()))
    {
        debug!(host, "TLS handshake failed{chain}");
        return Error::network(format!("{what} ({host}): {problem}")).with_hint(hint);
    }
    if tls.client_cert_refused && tls_error.is_none() && !e.is_timeout() {
        debug!(
            host,
            "connection closed after a client certificate request{chain}"
        );
        let (problem, hint) = tls::client_cert_closed(tls.identity.as_ref());
        return Error::network(format!("{what} ({host}): {problem}")).with_hint(hint);
    }
    let mut err = Error::network(format!("{what} ({host}){chain}"));
    let lower = chain.to_ascii_lowercase();
    if no_such_host(&chain) && (host == "docker.io" || host.ends_with(".docker.io")) {
        // Docker Hub, where a name without a registry goes: the name is not the problem.
        err = err.with_hint(format!(
            "no host named {host} was found (Docker Hub): check the network, DNS or proxy settings; offline, imgctl images lists the local store"
        ));
    } else if no_such_host(&chain) {
        err = err.with_hint(format!(
            "no host named {host} was found: check the registry name (a Docker Hub image needs no registry: nginx, user/app)"
        ));
    } else if lower.contains("certificate") || lower.contains("unknownissuer") {
        err = err.with_hint(if user_cas {
            "the registry's TLS certificate is not trusted: check it against the given CA file(s), or use --insecure for a test registry"
        } else {
            "the registry's TLS certificate is not trusted: pass --ca-file FILE, or --insecure for a test registry"
        });
    }
    err
}

/// The TLS settings of a host that decide how its transport errors are explained.
struct TlsContext {
    /// Whether CA files apply to the host.
    user_cas: bool,
    /// The client certificate offered to the host.
    identity: Option<tls::IdentityFiles>,
    /// The host asked for a client certificate and never answered since.
    client_cert_refused: bool,
}

/// A reqwest client with imgctl's HTTP settings from `opts` and the TLS settings `t`, its
/// handshakes recorded in `observed`. Errors: Usage from [`tls::client_config`]; Other when
/// reqwest refuses to build.
fn build_http(
    opts: &ClientOptions,
    t: &tls::HostTls,
    observed: Arc<tls::Observed>,
) -> Result<reqwest::Client> {
    let b = reqwest::Client::builder()
        .user_agent(concat!("imgctl/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(30))
        .read_timeout(opts.timeout)
        .pool_idle_timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::limited(10));
    b.use_preconfigured_tls(tls::client_config(t, observed)?)
        .build()
        .map_err(|e| Error::other(format!("cannot build HTTP client: {e}")))
}

/// The rustls error `e` is or wraps in (possibly nested) `io::Error`s, whose `source()` skips
/// the error they wrap (hyper-rustls wraps tokio-rustls' io::Error in another one).
fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    if let Some(r) = e.downcast_ref::<rustls::Error>() {
        return Some(r);
    }
    let inner = e.downcast_ref::<std::io::Error>()?.get_ref()?;
    rustls_error(inner)
}

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

    /// Sends a request built by `make` (called again for each attempt), authorised for
    /// `access`, retrying transport errors, 408/429/5xx, and one 401 with a fresh token.
    /// Returns the response whatever its status, except that retries exhausted on 429/5xx
    /// return the last response.
    async fn send(&self, access: Access, make: impl Fn() -> RequestBuilder) -> Result<Response> {
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
                let challenge = auth::select_challenge(www_authenticate(resp.headers()));
                let state = self.client.host_state(&self.host);
                let mut st = state.lock().await;
                match challenge {
                    Challenge::Bearer {
                        scope,
                        realm,
                        service,
                    } => {
                        if let Some(s) = &scope {
                            scopes.extend(auth::split_scopes(s));
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
                        return Err(auth::unusable_challenge_error(&self.host, &offered));
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
    fn auth_hint(&self, what: &str) -> String {
        if self.anonymous() {
            format!(
                "no credentials were sent to {r}: run imgctl login {r}, or pass --creds USER:PASS",
                r = self.registry
            )
        } else {
            format!(
                "check the credentials (imgctl login {}, or --creds USER:PASS) and that the account may access {what}",
                self.registry
            )
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
        let mut err = errors::from_response(status, body).context(what());
        if err.kind() == ErrorKind::Auth {
            err = err.with_hint(self.auth_hint("this repository"));
        }
        err
    }

    /// Fetches the manifest or index at `reference` (a tag or a digest string), byte-exact.
    ///
    /// Verifies the bytes against the digest when `reference` is one, and against
    /// `Docker-Content-Digest` when the registry sends it. Errors: NotFound (MANIFEST_UNKNOWN),
    /// Auth, Integrity (mismatch, not JSON, over 4 MiB).
    pub async fn get_manifest(&self, reference: &str) -> Result<FetchedManifest> {
        let url = self.url(&format!("manifests/{reference}")).await?;
        let what = || format!("cannot get manifest {}", self.display_reference(reference));
        let resp = fetch_whole(&self.client, &url, MAX_MANIFEST_BYTES, "manifest", || {
            self.send(Access::Pull, || {
                self.client
                    .http()
                    .get(&url)
                    .header(header::ACCEPT, ACCEPT_MANIFESTS)
            })
        })
        .await
        .map_err(|e| e.context(what()))?;
        self.expect_whole(&resp, &[StatusCode::OK], what)?;
        let header_digest = resp
            .headers
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map(str::to_string);
        let content_type = resp
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = resp.body.to_vec();
        // A signed Docker schema 1 manifest's digest is that of its JWS payload, as the
        // registry computes it (crate::manifest::manifest_digest).
        let digest = match reference.parse::<Digest>() {
            Ok(d) => {
                crate::manifest::verify_manifest(&d, &bytes).map_err(|e| e.context(what()))?;
                d
            }
            Err(_) => match header_digest.as_deref().map(str::parse::<Digest>) {
                Some(Ok(d)) => {
                    crate::manifest::verify_manifest(&d, &bytes)
                        .map_err(|e| e.context(format!("{}: registry sent a manifest that does not match its Docker-Content-Digest", what())))?;
                    crate::manifest::manifest_digest(&bytes).map_err(|e| e.context(what()))?
                }
                _ => crate::manifest::manifest_digest(&bytes).map_err(|e| e.context(what()))?,
            },
        };
        let media_type =
            detect_media_type(&bytes, content_type.as_deref()).map_err(|e| e.context(what()))?;
        Ok(FetchedManifest {
            bytes,
            media_type,
            digest,
        })
    }

    /// HEADs the manifest at `reference`: `Some((digest, media type, size in bytes))`, or `None`
    /// when the registry answers 404. Digest comes from `Docker-Content-Digest` (None if absent).
    pub async fn head_manifest(
        &self,
        reference: &str,
    ) -> Result<Option<(Option<Digest>, String, u64)>> {
        let url = self.url(&format!("manifests/{reference}")).await?;
        let what = || {
            format!(
                "cannot check manifest {}",
                self.display_reference(reference)
            )
        };
        let resp = self
            .send(Access::Pull, || {
                self.client
                    .http()
                    .head(&url)
                    .header(header::ACCEPT, ACCEPT_MANIFESTS)
            })
            .await?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = self.expect(resp, &[StatusCode::OK], what).await?;
        let h = resp.headers();
        let digest = h
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let mt = h
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let size = h
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Ok(Some((digest, mt, size)))
    }

    /// Whether `reference` (a tag or a digest) already names exactly the manifest `digest`:
    /// one HEAD (with push access, as before a PUT), true when it answers 200 with
    /// `Docker-Content-Digest: digest`. Any other answer (404, a refused HEAD, another or no
    /// digest) is false, so that the caller PUTs. Errors: Network after retries.
    pub async fn manifest_is(&self, reference: &str, digest: &Digest) -> Result<bool> {
        let url = self.url(&format!("manifests/{reference}")).await?;
        let resp = self
            .send(Access::Push, || {
                self.client
                    .http()
                    .head(&url)
                    .header(header::ACCEPT, ACCEPT_MANIFESTS)
            })
            .await?;
        let same = resp.status() == StatusCode::OK
            && resp
                .headers()
                .get("docker-content-digest")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<Digest>().ok())
                .is_some_and(|d| d == *digest);
        Ok(same)
    }

    /// PUTs `manifest` at `reference` (a tag, or its digest) with its media type as
    /// Content-Type. Errors when the registry refuses it or reports a different digest.
    pub async fn put_manifest(&self, reference: &str, manifest: &FetchedManifest) -> Result<()> {
        let url = self.url(&format!("manifests/{reference}")).await?;
        let what = || {
            format!(
                "cannot put manifest {} to {}",
                manifest.digest,
                self.display_reference(reference)
            )
        };
        let body = Bytes::from(manifest.bytes.clone());
        let resp = self
            .send(Access::Push, || {
                self.client
                    .http()
                    .put(&url)
                    .header(header::CONTENT_TYPE, manifest.media_type.as_str())
                    .body(body.clone())
            })
            .await
            .map_err(|e| e.context(what()))?;
        let resp = self
            .expect(
                resp,
                &[StatusCode::CREATED, StatusCode::OK, StatusCode::ACCEPTED],
                what,
            )
            .await?;
        if let Some(d) = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<Digest>().ok())
            && d != manifest.digest
        {
            return Err(Error::integrity(format!(
                "registry stored the manifest as {d}, expected {}",
                manifest.digest
            ))
            .context(what()));
        }
        Ok(())
    }

    /// Deletes the manifest `digest`. Errors: NotFound, Auth, or Other with the registry's
    /// message when deletion is disabled (405 UNSUPPORTED).
    pub async fn delete_manifest(&self, digest: &Digest) -> Result<()> {
        let url = self.url(&format!("manifests/{digest}")).await?;
        let what = || format!("cannot delete {}/{}@{digest}", self.registry, self.name);
        let resp = self
            .send(Access::Delete, || self.client.http().delete(&url))
            .await?;
        if resp.status() == StatusCode::METHOD_NOT_ALLOWED {
            let body = resp.bytes().await.unwrap_or_default();
            return Err(errors::from_response(StatusCode::METHOD_NOT_ALLOWED, &body)
                .context(format!(
                    "{} does not allow deleting manifests",
                    self.registry
                ))
                .context(what())
                .with_hint(
                    "deletion must be enabled on the registry, e.g. distribution's \
                     storage.delete.enabled: true (REGISTRY_STORAGE_DELETE_ENABLED=true)",
                ));
        }
        self.expect(resp, &[StatusCode::ACCEPTED, StatusCode::OK], what)
            .await?;
        Ok(())
    }

    /// Whether the repository holds blob `digest` (HEAD). 404 is `false`; so is 401/403 when
    /// checking before a push (the upload decides); any other failure is an error, never
    /// "missing".
    pub async fn has_blob(&self, digest: &Digest, access: Access) -> Result<bool> {
        let url = self.url(&format!("blobs/{digest}")).await?;
        let resp = self.send(access, || self.client.http().head(&url)).await?;
        match resp.status() {
            StatusCode::OK => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            // Some registries refuse HEAD where GET and uploads work; a HEAD has no body to say
            // why. Uploading an existing blob is harmless, and a real denial fails there clearly.
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN if access == Access::Push => {
                debug!(%digest, status = %resp.status(), "blob HEAD refused; treating the blob as absent");
                Ok(false)
            }
            _ => self
                .expect(resp, &[], || {
                    format!(
                        "cannot check blob {digest} in {}/{}",
                        self.registry, self.name
                    )
                })
                .await
                .map(|_| false),
        }
    }

    /// Streams blob `digest` from byte `offset` (Range request when > 0), following redirects
    /// (Authorization is not sent to another host). Returns the stream and the offset it
    /// really starts at (0 when the server ignored the range). Content is not decoded. For a
    /// stream that resumes after failures, use [`Repository::blob_reader`].
    pub async fn get_blob(&self, digest: &Digest, offset: u64) -> Result<(BlobStream, u64)> {
        let (resp, start) = self.blob_response(digest, offset).await?;
        let client = self.client.clone();
        let stream = resp
            .bytes_stream()
            .map_err(move |e| std::io::Error::other(client.transport_error(&e, "")));
        Ok((Box::pin(StreamReader::new(stream)), start))
    }

    /// GETs blob `digest` from byte `offset` with `Accept-Encoding: identity`. A redirect to
    /// another host that answers 401/403/404/410 (an expired pre-signed URL) is requested
    /// again from the registry once, for a fresh redirect. Returns the response (200 or 206)
    /// and the offset its body starts at.
    async fn blob_response(&self, digest: &Digest, offset: u64) -> Result<(Response, u64)> {
        let url = self.url(&format!("blobs/{digest}")).await?;
        let what = || {
            format!(
                "cannot get blob {digest} from {}/{}",
                self.registry, self.name
            )
        };
        let mut renewed = false;
        let resp = loop {
            let resp = self
                .send(Access::Pull, || {
                    let mut r = self
                        .client
                        .http()
                        .get(&url)
                        .header(header::ACCEPT_ENCODING, "identity");
                    if offset > 0 {
                        r = r.header(header::RANGE, format!("bytes={offset}-"));
                    }
                    r
                })
                .await
                .map_err(|e| e.context(what()))?;
            let redirected = url_host(resp.url()) != self.host;
            let expired = matches!(resp.status().as_u16(), 401 | 403 | 404 | 410);
            if redirected && expired && !renewed {
                renewed = true;
                warn!(status = %resp.status(), "blob redirect target refused the request (expired?); asking the registry again");
                continue;
            }
            break resp;
        };
        let resp = self
            .expect(resp, &[StatusCode::OK, StatusCode::PARTIAL_CONTENT], what)
            .await?;
        let start = if resp.status() == StatusCode::PARTIAL_CONTENT {
            content_range_start(resp.headers()).unwrap_or(offset)
        } else {
            0
        };
        if start > offset {
            return Err(Error::network(format!(
                "registry answered a range starting at byte {start}, asked for {offset}"
            ))
            .context(what()));
        }
        Ok((resp, start))
    }

    /// Mounts blob `digest` from repository `from` of the same registry (POST
    /// `?mount=&from=`). `true` when mounted (201); `false` when the registry opened an upload
    /// session instead (202), which the next upload of that digest reuses.
    pub async fn mount_blob(&self, digest: &Digest, from: &str) -> Result<bool> {
        let base = self.url("blobs/uploads/").await?;
        let resp = self
            .send(Access::Push, || {
                self.client
                    .http()
                    .post(&base)
                    .query(&[("mount", digest.to_string()), ("from", from.to_string())])
                    .header(header::CONTENT_LENGTH, "0")
            })
            .await?;
        match resp.status() {
            StatusCode::CREATED => Ok(true),
            StatusCode::ACCEPTED => {
                if let Some(loc) = resp
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                {
                    let loc = self.resolve_location(loc).await?;
                    self.pending_sessions
                        .lock()
                        .expect("sessions lock")
                        .insert(digest.clone(), loc);
                }
                Ok(false)
            }
            // A refused mount (401/403/404 …) is not an error: the blob is uploaded instead.
            s => {
                debug!(status = %s, "mount refused; uploading instead");
                Ok(false)
            }
        }
    }

    /// Resolves an upload `Location` header (absolute or relative) against the registry.
    async fn resolve_location(&self, loc: &str) -> Result<String> {
        let base = url::Url::parse(&format!("{}/", self.base().await?))
            .map_err(|e| Error::other(format!("bad registry URL: {e}")))?;
        base.join(loc).map(|u| u.to_string()).map_err(|e| {
            Error::other(format!(
                "registry sent an invalid upload Location {loc:?}: {e}"
            ))
        })
    }

    /// Lists the repository's tags (GET `tags/list`), following `Link: <…>; rel="next"` to
    /// the end. Tags are returned in the registry's order. Same as [`Repository::tags_paged`]
    /// with no page size.
    pub async fn tags(&self) -> Result<Vec<String>> {
        self.tags_paged(None).await
    }

    /// Lists the repository's tags (distribution spec "Listing Tags"), asking for pages of
    /// `page_size` tags (`?n=`; registries may ignore it, distribution 2.8 does) and following
    /// `Link: <…>; rel="next"` (relative or absolute, same host only) to the end. A `Link`
    /// whose target is no URL (the spec's placeholder `<<url>?n=…>`) ends the listing with a
    /// warning; the tags read so far are returned.
    ///
    /// Errors: NotFound for an unknown repository; Auth; Integrity when a `Link` leads to
    /// another host or back to a page already read; Other on a malformed body.
    pub async fn tags_paged(&self, page_size: Option<u32>) -> Result<Vec<String>> {
        let url = self.url("tags/list").await?;
        let what = || format!("cannot list tags of {}/{}", self.registry, self.name);
        self.list_pages(url, page_size, "tags", what).await
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

    /// Lists the repositories of this handle's registry (GET `/v2/_catalog`), in pages of
    /// [`CATALOG_PAGE_SIZE`]. Same as [`Repository::catalog_paged`] with that size.
    pub async fn catalog(&self) -> Result<Vec<String>> {
        self.catalog_paged(Some(CATALOG_PAGE_SIZE)).await
    }

    /// Lists the repositories of this handle's registry (GET `/v2/_catalog`, distribution
    /// spec "Listing Repositories"), asking for pages of `page_size` names (`?n=`) and
    /// following `Link: <…>; rel="next"` to the end. A registry answering the first page 400
    /// (distribution 3 refuses `n` over its `catalog.maxentries`) is asked again without `n`.
    /// The handle's repository only seeds the first token request; a Bearer challenge for
    /// `registry:catalog:*` is answered by the usual re-authentication.
    ///
    /// Errors: Auth when the request was anonymous (hint: log in) or the account may not list
    /// the catalog (hint: the `registry:catalog:*` permission); NotFound when the registry has
    /// no catalog API; Integrity when a `Link` leads to another host or loops; Other on a
    /// malformed body.
    pub async fn catalog_paged(&self, page_size: Option<u32>) -> Result<Vec<String>> {
        let url = format!("{}/v2/_catalog", self.base().await?);
        let what = || format!("cannot list the repositories of {}", self.registry);
        self.list_pages(url, page_size, "repositories", what)
            .await
            .map_err(|e| {
                if e.kind() == ErrorKind::Auth && !self.anonymous() {
                    e.with_hint(self.auth_hint(
                        "the catalog (listing it needs the registry:catalog:* permission)",
                    ))
                } else {
                    e
                }
            })
    }

    /// GETs `first` (with `?n=page_size` when given) and every page its `Link: <…>;
    /// rel="next"` headers lead to, collecting the string array `key` of each JSON body. A
    /// first page answered 400 with `n` is asked again without it.
    async fn list_pages(
        &self,
        first: String,
        page_size: Option<u32>,
        key: &str,
        what: impl Fn() -> String,
    ) -> Result<Vec<String>> {
        let plain = url::Url::parse(&first)
            .map_err(|e| Error::other(format!("bad registry URL {first:?}: {e}")))?;
        let mut url = plain.clone();
        if let Some(n) = page_size {
            url.query_pairs_mut().append_pair("n", &n.to_string());
        }
        let mut sized = page_size.is_some();
        let mut visited = std::collections::HashSet::new();
        let mut out = Vec::new();
        loop {
            let u = url.to_string();
            if !visited.insert(u.clone()) {
                return Err(Error::integrity(format!(
                    "the registry's Link pagination loops back to {u}"
                ))
                .context(what()));
            }
            let resp = fetch_whole(&self.client, &u, MAX_LIST_BYTES, key_name(key), || {
                self.send(Access::Pull, || self.client.http().get(&u))
            })
            .await
            .map_err(|e| e.context(what()))?;
            if sized && resp.status == StatusCode::BAD_REQUEST && out.is_empty() {
                debug!(url = %u, "page size refused; asking with the registry's default");
                sized = false;
                visited.clear();
                url = plain.clone();
                continue;
            }
            sized = false;
            self.expect_whole(&resp, &[StatusCode::OK], &what)?;
            let next = resp
                .headers
                .get_all(header::LINK)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(parse_next_link);
            let body = resp.body;
            #[derive(serde::Deserialize)]
            struct Page {
                #[serde(default)]
                tags: Option<Vec<String>>,
                #[serde(default)]
                repositories: Option<Vec<String>>,
            }
            let page: Page = serde_json::from_slice(&body)
                .map_err(|e| Error::other(format!("invalid {key} list: {e}")).context(what()))?;
            let names = if key == "tags" {
                page.tags
            } else {
                page.repositories
            };
            out.extend(names.unwrap_or_default());
            let Some(next) = next else {
                return Ok(out);
            };
            // A target that is no URL (the spec's own placeholder `<<url>?n=…>`, copied by
            // some registries) ends the listing: what was read is kept.
            let Some(next) = link_target(&url, &next) else {
                warn!(
                    "{}: the registry's Link header names no URL ({next:?}); keeping the {} {key} read so far",
                    what(),
                    out.len()
                );
                return Ok(out);
            };
            // Credentials go only where the listing started (a Link is like a redirect).
            if next.origin() != url.origin() {
                return Err(Error::integrity(format!(
                    "the registry's Link pagination leads to another host ({next})"
                ))
                .context(what()));
            }
            url = next;
        }
    }
}

/// The URL a `Link` target (RFC 8288 §3, a URI reference) names, resolved against the page
/// `base` it came with; None when it is no URI reference (empty, or holding characters a URI
/// cannot hold unencoded: spaces, `<`, `>`, `"`, `{`, `}`, `|`, `\`, `^`, a backquote, or a
/// control character).
fn link_target(base: &url::Url, target: &str) -> Option<url::Url> {
    let target = target.trim();
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`".contains(c);
    if target.is_empty() || target.chars().any(bad) {
        return None;
    }
    base.join(target).ok()
}

/// Largest tag or repository list page accepted, in bytes.
const MAX_LIST_BYTES: usize = 64 * 1024 * 1024;

/// The name of the list a `list_pages` key holds, for messages.
fn key_name(key: &str) -> &'static str {
    if key == "tags" {
        "tag list"
    } else {
        "repository list"
    }
}

/// Page size `imgctl catalog` asks for (`?n=`); distribution 2.8 pages by 100 without it, and
/// distribution 3 allows up to 1000 by default.
pub const CATALOG_PAGE_SIZE: u32 = 1000;

/// Extracts the target of `rel="next"` from a `Link` header value (RFC 8288).
pub fn parse_next_link(v: &str) -> Option<String> {
    for part in v.split(',') {
        let part = part.trim();
        let (target, params) = part.split_once('>')?;
        let target = target.trim().strip_prefix('<')?;
        if params
            .split(';')
            .map(|p| p.trim().replace(' ', ""))
            .any(|p| p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next"))
        {
            return Some(target.to_string());
        }
    }
    None
}

/// `host[:port]` of `u` as the registry's host is written (port only when explicit).
fn url_host(u: &url::Url) -> String {
    match u.port() {
        Some(p) => format!("{}:{p}", u.host_str().unwrap_or("")),
        None => u.host_str().unwrap_or("").to_string(),
    }
}

/// The first byte of a `Content-Range: bytes start-end/size` response header.
fn content_range_start(h: &HeaderMap) -> Option<u64> {
    let v = h.get(header::CONTENT_RANGE)?.to_str().ok()?;
    let v = v.trim().strip_prefix("bytes")?.trim_start();
    v.split(['-', '/']).next()?.trim().parse().ok()
}

/// Header value helper for `Content-Range: start-end` (inclusive, no unit, as the
/// distribution spec's chunked upload requires).
pub(crate) fn content_range(start: u64, len: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("{start}-{}", start + len - 1)).expect("ascii")
}

#[cfg(test)]
mod tests {
    use super::no_such_host;

    #[test]
    fn a_missing_host_is_permanent_a_resolver_hiccup_is_not() {
        for m in [
            ": client error (Connect): dns error: failed to lookup address information: Name or service not known",
            ": dns error: failed to lookup address information: No address associated with hostname",
            ": dns error: failed to lookup address information: nodename nor servname provided, or not known",
            ": dns error: No such host is known. (os error 11001)",
        ] {
            assert!(no_such_host(m), "{m}");
        }
        for m in [
            ": dns error: failed to lookup address information: Temporary failure in name resolution",
            ": tcp connect error: Connection refused (os error 111)",
            "",
        ] {
            assert!(!no_such_host(m), "{m}");
        }
    }

    use super::*;

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

    #[test]
    fn link_targets_that_are_no_urls_are_refused() {
        let base = url::Url::parse("http://r:5000/v2/app/tags/list?n=2").unwrap();
        // the distribution spec's placeholder, as parse_next_link reads it
        let placeholder = parse_next_link("<<url>?n=2&last=b>; rel=\"next\"").unwrap();
        assert_eq!(link_target(&base, &placeholder), None);
        for t in ["", "  ", "/v2/app/tags/list?last=<b>", "a b", "{url}"] {
            assert_eq!(link_target(&base, t), None, "{t:?}");
        }
        assert_eq!(
            link_target(&base, "/v2/app/tags/list?last=b&n=2").map(|u| u.to_string()),
            Some("http://r:5000/v2/app/tags/list?last=b&n=2".to_string())
        );
        assert_eq!(
            link_target(&base, "http://other/v2/x").map(|u| u.to_string()),
            Some("http://other/v2/x".to_string())
        );
    }

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost"));
        assert!(is_loopback("[::1]:5000"));
        assert!(is_loopback("127.3.4.5"));
        assert!(!is_loopback("registry-1.docker.io"));
        assert!(!is_loopback("10.0.0.1:5000"));
    }

    #[test]
    fn link_headers_fixture() {
        assert_eq!(
            parse_next_link(r#"</v2/x/tags/list?last=b&n=2>; rel="next""#).as_deref(),
            Some("/v2/x/tags/list?last=b&n=2")
        );
        let v: serde_json::Value = serde_json::from_slice(&crate::fixture(
            "link-headers/link-headers-tag-and-catalog-pagination.json",
        ))
        .unwrap();
        let cases = v["cases"].as_array().cloned().unwrap_or_default();
        assert!(!cases.is_empty());
        for c in cases {
            let header = c["header"].as_str().unwrap();
            let base = url::Url::parse(c["request_url"].as_str().unwrap()).unwrap();
            let next = parse_next_link(header).map(|n| base.join(&n).unwrap().to_string());
            assert_eq!(next.as_deref(), c["expected_next_url"].as_str(), "{header}");
        }
    }
}
