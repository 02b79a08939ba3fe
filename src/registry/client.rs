//! The registry client (OCI distribution spec v1.1; docs/DESIGN.md §3): its options, one
//! HTTP client per host built from that host's TLS settings, the `/v2/` ping that learns each
//! host's scheme and auth challenge, and the sends below authentication (one request with its
//! host's TLS settings, traced). Every request of the client goes out through
//! [`Client::execute`], which waits for its host's request limiter first (`limiter.rs`).
//! Bottom of the client proper: it imports the leaves (`hosts`, `limiter`, `retry`,
//! `exchange`, `errors`, `tls`, `challenge`, `auth`) and no file above it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{RequestBuilder, Response, StatusCode};
use tracing::{debug, warn};

use super::challenge::{self, www_authenticate};
use super::errors::{self, TlsContext, transport_error};
use super::exchange::{trace_exchange, url_host, without_query};
use super::hosts::HostState;
use super::limiter::{Limiter, Limiters};
use super::retry::{RetryPolicy, retry_after, retryable_status, retryable_transport};
use super::tls;
use crate::auth::{self, CredentialProvider};
use crate::error::{Error, Result};
use crate::settings::UploadStrategy;

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
    /// Requests per second to each host without a `max-rps` of its own in `config.toml`
    /// (`--max-rps`); none or 0: unlimited.
    pub max_rps: Option<f64>,
    /// The request limiters of the run, one per host: clients built from clones of these
    /// options share them, so a copy's two clients count requests to one host together.
    pub limiters: Limiters,
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
            max_rps: None,
            limiters: Limiters::default(),
            timeout: Duration::from_secs(60),
            config: Arc::new(crate::settings::Config::default()),
        }
    }
}

pub(super) struct Inner {
    /// The client that builds requests, with the command line's TLS settings only (the one a
    /// request goes out with when its host's own settings cannot be read).
    pub(super) http: reqwest::Client,
    pub(super) opts: ClientOptions,
    /// Whether the user gave CA files on the command line: decides the TLS hints.
    pub(super) user_cas: bool,
    pub(super) hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<HostState>>>>,
    /// Where each host's TLS settings come from.
    pub(super) tls: tls::TlsSettings,
    /// The HTTP client of each host seen so far (`name[:port]`), by its TLS settings.
    pub(super) tls_clients: Mutex<HashMap<String, HostClient>>,
}

/// The HTTP client for one host and what its TLS settings were.
#[derive(Clone)]
pub(super) struct HostClient {
    pub(super) http: reqwest::Client,
    /// Whether CA files apply to the host (the command's or its own).
    pub(super) user_cas: bool,
    /// The client certificate offered to the host.
    pub(super) identity: Option<tls::IdentityFiles>,
    /// Whether the host's certificate goes unverified (and plain HTTP is allowed).
    pub(super) insecure: bool,
    /// What its handshakes showed (did it ask for a client certificate?).
    pub(super) observed: Arc<tls::Observed>,
}

/// A registry client. Cheap to clone; clones share connections and tokens.
#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<Inner>,
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
    pub(super) fn host_client(&self, host: &str) -> Result<HostClient> {
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

    /// Sends `request` once: the one place every request of the client goes out (pings,
    /// token requests, manifests, blobs, uploads, through `Repository::send` or not). It
    /// waits for the request limiter of the URL's host (`--max-rps`, `max-rps` in
    /// `config.toml`, a pause after a 429), then sends with the HTTP client of that host (its
    /// own TLS settings), whatever client built the request. A `429` with `Retry-After` pauses
    /// every request to the host for that long (at most 60 s); the caller still sees the 429
    /// and retries it under its policy. A host whose TLS settings cannot be read (already
    /// reported when it was pinged) gets the default client.
    pub(super) async fn execute(&self, request: RequestBuilder) -> reqwest::Result<Response> {
        let (default, request) = request.build_split();
        let request = request?;
        let name = url_host(request.url());
        let host = match self.host_client(&name) {
            Ok(h) => Some(h),
            Err(e) => {
                debug!("{e}; using the default TLS settings");
                None
            }
        };
        let http = host.as_ref().map_or(default, |h| h.http.clone());
        let limiter = self.limiter(&name);
        let waited = limiter.acquire().await;
        if waited >= Duration::from_millis(1) {
            tracing::trace!("{name}: waited {waited:.0?} for the host's request limit");
        }
        let resp = http.execute(request).await;
        if let Ok(r) = &resp {
            if let Some(h) = host {
                h.observed.answered();
            }
            if r.status() == StatusCode::TOO_MANY_REQUESTS
                && let Some(d) = retry_after(r.headers())
            {
                // Every request to this host waits, not only the one that got the 429.
                debug!("{name} answered 429: holding its requests for {d:.1?}");
                limiter.pause(d);
            }
        }
        resp
    }

    /// Maps a reqwest error on `url` to an imgctl error (see [`transport_error`]), with the
    /// TLS hints that fit the host's settings.
    pub(super) fn transport_error(&self, e: &reqwest::Error, url: &str) -> Error {
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

    /// The HTTP client that builds requests (for redirected blob downloads and token requests
    /// too). It has only the command line's TLS settings: send what it builds with
    /// [`Client::execute`] (or `Repository::send`), which uses the host's own.
    pub(super) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The request limiter of `host` (`name[:port]`), shared by every client of the run
    /// ([`ClientOptions::limiters`]); made on first use with the host's `max-rps` in
    /// `config.toml`, else `--max-rps` (0: unlimited).
    pub(super) fn limiter(&self, host: &str) -> Arc<Limiter> {
        let opts = &self.inner.opts;
        opts.limiters.get(host, || {
            let rps = opts.config.max_rps(host).or(opts.max_rps);
            debug!(host, max_rps = ?rps, "request limiter");
            rps
        })
    }

    pub(super) fn host_state(&self, host: &str) -> Arc<tokio::sync::Mutex<HostState>> {
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
    pub(super) async fn ensure_pinged(
        &self,
        host: &str,
    ) -> Result<Arc<tokio::sync::Mutex<HostState>>> {
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
            st.challenge = Some(challenge::select_challenge(www_authenticate(
                resp.headers(),
            )));
        } else if !resp.status().is_success() && resp.status() != StatusCode::NOT_FOUND {
            let status = resp.status();
            let body = resp.bytes().await.unwrap_or_default();
            return Err(errors::from_response(status, &body)
                .context(format!("registry {host} is not usable"))
                .with_registry(crate::reference::normalise_registry(host)));
        }
        drop(st);
        Ok(state)
    }

    /// GETs `url` (a `/v2/` endpoint), retrying under the [`RetryPolicy`] (here with `retries`
    /// further attempts) on connect errors, timeouts, 408, 429 and 5xx (waiting `Retry-After`
    /// when the registry sends it). Returns the last response whatever its status. Errors:
    /// Network when no HTTP answer came.
    pub(super) async fn ping(&self, url: &str, retries: u32) -> Result<Response> {
        let policy = RetryPolicy { retries };
        let mut attempt = 0;
        loop {
            let started = Instant::now();
            let sent = self.execute(self.http().get(url)).await;
            if let Ok(r) = &sent {
                trace_exchange("GET", url, r, started);
            }
            let wait = match sent {
                Ok(r) if retryable_status(r.status()) && policy.allows(attempt) => {
                    let wait = policy.wait(attempt + 1, retry_after(r.headers()));
                    warn!(
                        "{url} answered {}, retrying in {:.1}s",
                        r.status(),
                        wait.as_secs_f32()
                    );
                    wait
                }
                Ok(r) => return Ok(r),
                Err(e) if policy.allows(attempt) && retryable_transport(&e, false) => {
                    let wait = policy.wait(attempt + 1, None);
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
}

impl Client {
    /// The retry policy of this client's requests (`--retries`).
    pub(crate) fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            retries: self.inner.opts.retries,
        }
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

/// A reqwest client with imgctl's HTTP settings from `opts` and the TLS settings `t`, its
/// handshakes recorded in `observed`. Errors: Usage from [`tls::client_config`]; Other when
/// reqwest refuses to build.
pub(super) fn build_http(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost"));
        assert!(is_loopback("[::1]:5000"));
        assert!(is_loopback("127.3.4.5"));
        assert!(!is_loopback("registry-1.docker.io"));
        assert!(!is_loopback("10.0.0.1:5000"));
    }
}
