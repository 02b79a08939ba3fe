//! A fault-injection HTTP proxy between imgctl and a real registry (docs/DESIGN.md §8): requests
//! are forwarded to the registry unchanged unless a [`Rule`] matches, in which case the proxy
//! cuts, stalls, rewrites, redirects or answers them itself. Every request is recorded.
//!
//! It listens on `127.0.0.1:P` (the address to put in image references) and on
//! `127.0.0.2:Q`, a second loopback host that [`Fault::Redirect`] sends blob downloads to.
//!
//! ```ignore
//! let reg = Registry::start(Mode::Plain);
//! let proxy = FaultProxy::start(&reg.host());
//! proxy.add("GET", "/blobs/sha256:", 1, Fault::CutBody { after: 100_000 });
//! sandbox.run_ok(&["pull", &proxy.reference("app:v1")]);
//! ```
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

/// The proxy's error type (a concrete type: `Box<dyn Error>` trips a rustc inference bug in
/// hyper's connection future).
type BoxError = std::io::Error;
type ProxyBody = BoxBody<Bytes, BoxError>;
type HandleFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Response<ProxyBody>, BoxError>> + Send>,
>;

/// What to do to a matching request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Forward, but end the response body with an error (connection dropped) after `after`
    /// bytes; `Content-Length` still announces the full size.
    CutBody { after: usize },
    /// Forward, but stop sending the response body after `after` bytes for `secs` seconds.
    Stall { after: usize, secs: u64 },
    /// Forward only the first `after` bytes of the request body to the registry, then drop
    /// the client's connection without an answer.
    ResetUpload { after: usize },
    /// Answer without forwarding (after reading the request body).
    Respond {
        status: u16,
        body: String,
        content_type: &'static str,
        retry_after: Option<u64>,
    },
    /// Forward, then rewrite the response: change the status (e.g. PATCH 202 → 201), set
    /// headers (an empty value is sent empty), remove headers.
    Rewrite {
        status: Option<u16>,
        set: Vec<(&'static str, String)>,
        remove: Vec<&'static str>,
    },
    /// Forward, then replace the response body (Content-Length adjusted).
    ReplaceBody(Vec<u8>),
    /// Answer `status` without forwarding when the request's Content-Length exceeds `max`,
    /// after reading the request body.
    RejectBodyOver { max: u64, status: u16 },
    /// Answer `307` to the same path on the second listener (127.0.0.2), which serves it
    /// from the registry with the original request's credentials.
    Redirect,
    /// Like [`Fault::Redirect`], but the second listener answers 403 (an expired URL).
    ExpiredRedirect,
    /// Pagination for a registry that does not paginate (distribution ignores `n` on
    /// `tags/list`): forward without the query, then answer only the `page` names (of the
    /// body's `tags` or `repositories` array) that follow the request's `last` parameter, with
    /// `Link: <…>; rel="next"` when more follow — a relative link, or an absolute
    /// `http://127.0.0.1:P/…` one with `absolute`.
    Paginate { page: usize, absolute: bool },
    /// Answer `status` without forwarding, announcing the whole `body` in `Content-Length`
    /// but sending only its first `after` bytes before dropping the connection (a scripted
    /// answer for endpoints the registry does not serve, e.g. the referrers API).
    RespondCut {
        status: u16,
        body: String,
        content_type: &'static str,
        after: usize,
    },
    /// Forward, but invert every byte of the response body (same length, same headers): a
    /// server sending other content under the same name.
    CorruptBody,
    /// Answer `413` with a `SIZE_INVALID` error, without forwarding, when the request's
    /// Content-Length exceeds `max` (a registry refusing chunks over a size), after reading
    /// the request body.
    SizeInvalidOver { max: u64 },
    /// Hold the request for `secs` seconds, then forward it.
    DelayRequest { secs: u64 },
    /// Answer `401 UNAUTHORIZED` without forwarding, with `challenge` as `WWW-Authenticate`
    /// (e.g. a Bearer challenge, as a registry sends for an expired or revoked token).
    Unauthorized { challenge: String },
    /// Answer `status` with `body` and `headers` without forwarding (a document distribution
    /// will not store, such as a signed Docker schema 1 manifest, with its own headers).
    Serve {
        status: u16,
        body: Vec<u8>,
        headers: Vec<(&'static str, String)>,
    },
    /// Forward (the whole request body), then hold the registry's answer for `millis`
    /// milliseconds: a registry slow to commit an upload or a manifest.
    DelayAnswer { millis: u64 },
    /// Read the whole request body before forwarding it, as nginx does by default
    /// (`proxy_request_buffering on`): a client that disconnects part-way through a body
    /// never reaches the registry with it. Then hold the registry's answer for `millis`.
    BufferRequest { millis: u64 },
}

/// A rule: requests whose method is `method` (or any, for `"*"`) and whose path and query
/// contain `path` get `fault`, for the first `times` matches (0: every match) after the first
/// `skip` matches (forwarded as they are).
#[derive(Clone, Debug)]
pub struct Rule {
    pub method: String,
    pub path: String,
    pub times: usize,
    pub fault: Fault,
    pub skip: usize,
    hits: usize,
    skipped: usize,
}

/// A request as the proxy saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub path: String,
    /// `true` for requests to the second listener (127.0.0.2).
    pub alt: bool,
    pub authorization: bool,
    pub range: Option<String>,
    pub content_range: Option<String>,
    pub content_length: Option<u64>,
    /// Status the proxy answered (0 when the connection was dropped).
    pub status: u16,
    /// Whether a fault was applied.
    pub faulted: bool,
    /// When the request reached the proxy (its headers).
    pub at: Instant,
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    seen: Vec<Seen>,
    /// Redirect id → (path and query, Authorization value).
    redirects: HashMap<u64, (String, Option<String>)>,
    next_id: u64,
}

/// The running proxy; stops when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    alt_addr: SocketAddr,
    state: Arc<Mutex<State>>,
    rt: Option<tokio::runtime::Runtime>,
}

struct Ctx {
    upstream: String,
    addr: SocketAddr,
    alt_addr: SocketAddr,
    state: Arc<Mutex<State>>,
    client: reqwest::Client,
}

impl FaultProxy {
    /// Starts a proxy forwarding to `upstream` (`127.0.0.1:PORT`, plain HTTP).
    pub fn start(upstream: &str) -> FaultProxy {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let (main, alt) = rt.block_on(async {
            let main = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let alt = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
            (main, alt)
        });
        let addr = main.local_addr().unwrap();
        let alt_addr = alt.local_addr().unwrap();
        let ctx = Arc::new(Ctx {
            upstream: upstream.to_string(),
            addr,
            alt_addr,
            state: state.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        });
        for (listener, is_alt) in [(main, false), (alt, true)] {
            let ctx = ctx.clone();
            rt.spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let ctx = ctx.clone();
                    tokio::spawn(async move {
                        let svc = hyper::service::service_fn(move |req| {
                            let fut: HandleFuture = Box::pin(handle(ctx.clone(), req, is_alt));
                            fut
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), svc)
                            .await;
                    });
                }
            });
        }
        FaultProxy {
            addr,
            alt_addr,
            state,
            rt: Some(rt),
        }
    }

    /// `127.0.0.1:PORT`, the host to use in image references.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// `127.0.0.1:PORT/REPO:TAG`.
    pub fn reference(&self, repo_and_tag: &str) -> String {
        format!("{}/{repo_and_tag}", self.host())
    }

    /// Adds a rule (see [`Rule`]).
    pub fn add(&self, method: &str, path: &str, times: usize, fault: Fault) {
        self.add_after(method, path, 0, times, fault);
    }

    /// Adds a rule that lets its first `skip` matches through: a fault in the middle of a run.
    pub fn add_after(&self, method: &str, path: &str, skip: usize, times: usize, fault: Fault) {
        self.state.lock().unwrap().rules.push(Rule {
            method: method.to_string(),
            path: path.to_string(),
            times,
            fault,
            skip,
            hits: 0,
            skipped: 0,
        });
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.state.lock().unwrap().rules.clear();
    }

    /// Requests seen so far, oldest first.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// Forgets the requests seen so far.
    pub fn clear_seen(&self) {
        self.state.lock().unwrap().seen.clear();
    }

    /// Requests seen with `method` whose path contains `path`.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.method == method && s.path.contains(path))
            .count()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// The request body to forward: all of it, or only its first `reset_after` bytes followed by
/// an error (the registry sees an aborted upload).
fn upload_body(body: Incoming, reset_after: Option<usize>) -> reqwest::Body {
    let body_stream = body.into_data_stream().map_err(box_hyper);
    match reset_after {
        Some(limit) => {
            let mut sent = 0usize;
            let s = body_stream.map(
                move |chunk: Result<Bytes, BoxError>| -> Result<Bytes, BoxError> {
                    let chunk = chunk?;
                    if sent >= limit {
                        return Err(fail("upload reset by fault proxy"));
                    }
                    let take = chunk.len().min(limit - sent);
                    sent += take;
                    Ok(chunk.slice(..take))
                },
            );
            reqwest::Body::wrap_stream(s)
        }
        None => reqwest::Body::wrap_stream(body_stream),
    }
}

fn box_hyper(e: hyper::Error) -> BoxError {
    std::io::Error::other(e)
}

fn box_reqwest(e: reqwest::Error) -> BoxError {
    std::io::Error::other(e)
}

fn fail(msg: &str) -> BoxError {
    std::io::Error::other(msg.to_string())
}

fn full(status: u16, body: impl Into<Bytes>) -> Response<ProxyBody> {
    let mut r = Response::new(Full::new(body.into()).map_err(|e| match e {}).boxed());
    *r.status_mut() = StatusCode::from_u16(status).unwrap();
    r
}

/// Picks the first matching rule with matches left, counting the hit.
fn matching(state: &Mutex<State>, method: &str, path: &str, alt: bool) -> Option<Fault> {
    if alt {
        return None;
    }
    let mut st = state.lock().unwrap();
    for rule in st.rules.iter_mut() {
        if !((rule.method == "*" || rule.method == method)
            && path.contains(&rule.path)
            && (rule.times == 0 || rule.hits < rule.times))
        {
            continue;
        }
        if rule.skipped < rule.skip {
            rule.skipped += 1;
            continue;
        }
        rule.hits += 1;
        return Some(rule.fault.clone());
    }
    None
}

async fn handle(
    ctx: Arc<Ctx>,
    req: Request<Incoming>,
    alt: bool,
) -> Result<Response<ProxyBody>, BoxError> {
    let method = req.method().to_string();
    let mut path = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let h = req.headers();
    let header = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut seen = Seen {
        method: method.clone(),
        path: path.clone(),
        alt,
        authorization: h.contains_key("authorization"),
        range: header("range"),
        content_range: header("content-range"),
        content_length: header("content-length").and_then(|v| v.parse().ok()),
        status: 0,
        faulted: false,
        at: Instant::now(),
    };
    let mut auth = header("authorization");
    let mut expired = false;
    if alt {
        // /redirected/<id>[/expired]: serve what the registry would have served.
        let rest = path.trim_start_matches("/redirected/").to_string();
        let (id, tail) = rest.split_once('/').unwrap_or((rest.as_str(), ""));
        let found = id
            .parse::<u64>()
            .ok()
            .and_then(|id| ctx.state.lock().unwrap().redirects.get(&id).cloned());
        match found {
            Some((p, a)) => {
                path = p;
                auth = a;
                expired = tail == "expired";
            }
            None => {
                seen.status = 404;
                ctx.state.lock().unwrap().seen.push(seen);
                return Ok(full(404, "unknown redirect"));
            }
        }
    }
    let fault = matching(&ctx.state, &method, &path, alt);
    seen.faulted = fault.is_some();
    let record = |status: u16, seen: &mut Seen| {
        seen.status = status;
        ctx.state.lock().unwrap().seen.push(seen.clone());
    };
    if expired {
        record(403, &mut seen);
        return Ok(full(
            403,
            "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
        ));
    }

    // Faults answered without the registry.
    match &fault {
        Some(Fault::Respond {
            status,
            body,
            content_type,
            retry_after,
        }) => {
            // read the request body first (see SizeInvalidOver)
            let _ = req.into_body().collect().await;
            let mut r = full(*status, body.clone());
            r.headers_mut()
                .insert("content-type", content_type.parse().unwrap());
            if let Some(s) = retry_after {
                r.headers_mut()
                    .insert("retry-after", s.to_string().parse().unwrap());
            }
            if *status == 401 {
                // Same challenge as the registry would send, so the client may re-authenticate.
                r.headers_mut().insert(
                    "www-authenticate",
                    "Basic realm=\"fault-proxy\"".parse().unwrap(),
                );
            }
            record(*status, &mut seen);
            return Ok(r);
        }
        Some(Fault::Serve {
            status,
            body,
            headers,
        }) => {
            let mut r = full(*status, body.clone());
            for (n, v) in headers {
                r.headers_mut().insert(*n, v.parse().unwrap());
            }
            record(*status, &mut seen);
            return Ok(r);
        }
        Some(Fault::Unauthorized { challenge }) => {
            let mut r = full(
                401,
                "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}",
            );
            r.headers_mut()
                .insert("content-type", "application/json".parse().unwrap());
            r.headers_mut()
                .insert("www-authenticate", challenge.parse().unwrap());
            record(401, &mut seen);
            return Ok(r);
        }
        Some(Fault::RespondCut {
            status,
            body,
            content_type,
            after,
        }) => {
            let bytes = Bytes::from(body.clone());
            let sent = bytes.slice(..(*after).min(bytes.len()));
            let frames = futures_util::stream::iter(vec![Ok(Frame::data(sent)), Err(())]).then(
                |f| async move {
                    if f.is_err() {
                        // after the headers and the first bytes are written (see stream_body)
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    f.map_err(|()| fail("body cut by fault proxy"))
                },
            );
            let mut r = Response::new(BodyExt::boxed(StreamBody::new(frames)));
            *r.status_mut() = StatusCode::from_u16(*status).unwrap();
            r.headers_mut()
                .insert("content-type", content_type.parse().unwrap());
            r.headers_mut()
                .insert("content-length", bytes.len().to_string().parse().unwrap());
            record(*status, &mut seen);
            return Ok(r);
        }
        Some(Fault::SizeInvalidOver { max }) if seen.content_length.unwrap_or(0) > *max => {
            // Read the body first, as a registry does: answering while the client still
            // writes would reset the connection under it (a broken pipe, not a 413).
            let _ = req.into_body().collect().await;
            record(413, &mut seen);
            let body = format!(
                "{{\"errors\":[{{\"code\":\"SIZE_INVALID\",\"message\":\"chunk too large: at most {max} bytes per request\"}}]}}"
            );
            let mut r = full(413, body);
            r.headers_mut()
                .insert("content-type", "application/json".parse().unwrap());
            return Ok(r);
        }
        Some(Fault::RejectBodyOver { max, status }) if seen.content_length.unwrap_or(0) > *max => {
            // read first (see SizeInvalidOver): an answer while the client writes races
            // with a broken pipe
            let _ = req.into_body().collect().await;
            record(*status, &mut seen);
            let body = format!(
                "{{\"errors\":[{{\"code\":\"UNSUPPORTED\",\"message\":\"request body over {max} bytes\"}}]}}"
            );
            let mut r = full(*status, body);
            r.headers_mut()
                .insert("content-type", "application/json".parse().unwrap());
            return Ok(r);
        }
        Some(f @ (Fault::Redirect | Fault::ExpiredRedirect)) => {
            let id = {
                let mut st = ctx.state.lock().unwrap();
                st.next_id += 1;
                let id = st.next_id;
                st.redirects.insert(id, (path.clone(), auth.clone()));
                id
            };
            let tail = if matches!(f, Fault::ExpiredRedirect) {
                "/expired"
            } else {
                ""
            };
            let mut r = full(307, "");
            r.headers_mut().insert(
                "location",
                format!("http://{}/redirected/{id}{tail}", ctx.alt_addr)
                    .parse()
                    .unwrap(),
            );
            record(307, &mut seen);
            return Ok(r);
        }
        _ => {}
    }

    if let Some(Fault::DelayRequest { secs }) = &fault {
        tokio::time::sleep(Duration::from_secs(*secs)).await;
    }
    // Forward to the registry.
    let upstream_path = match &fault {
        Some(Fault::Paginate { .. }) => path.split('?').next().unwrap_or_default().to_string(),
        _ => path.clone(),
    };
    let url = format!("http://{}{upstream_path}", ctx.upstream);
    let mut up = ctx
        .client
        .request(req.method().clone(), &url)
        .version(reqwest::Version::HTTP_11);
    for (name, value) in req.headers() {
        let n = name.as_str();
        if matches!(
            n,
            "host" | "connection" | "transfer-encoding" | "authorization"
        ) {
            continue;
        }
        up = up.header(name.clone(), value.clone());
    }
    if let Some(a) = &auth {
        up = up.header("authorization", a.as_str());
    }
    // Upload URLs are built from Host: keep the proxy in the loop.
    up = up.header("host", ctx.addr.to_string());
    let reset_after = match &fault {
        Some(Fault::ResetUpload { after }) => Some(*after),
        _ => None,
    };
    let up_body = if let Some(Fault::BufferRequest { .. }) = &fault {
        match req.into_body().collect().await {
            Ok(b) => reqwest::Body::from(b.to_bytes()),
            Err(_) => {
                // The client went away mid-body: nothing is forwarded.
                record(0, &mut seen);
                return Err(fail("client disconnected before the request body ended"));
            }
        }
    } else {
        upload_body(req.into_body(), reset_after)
    };
    let resp = up.body(up_body).send().await;
    if reset_after.is_some() {
        // Give the registry a moment to store what it got, then drop the client.
        tokio::time::sleep(Duration::from_millis(100)).await;
        record(0, &mut seen);
        return Err(fail("connection reset by fault proxy"));
    }
    let resp = match resp {
        Ok(r) => r,
        Err(e) => {
            record(502, &mut seen);
            return Ok(full(502, format!("fault proxy: upstream failed: {e}")));
        }
    };
    if let Some(Fault::DelayAnswer { millis } | Fault::BufferRequest { millis }) = &fault {
        tokio::time::sleep(Duration::from_millis(*millis)).await;
    }
    let mut status = resp.status().as_u16();
    let mut headers = resp.headers().clone();
    for n in ["connection", "transfer-encoding", "keep-alive"] {
        headers.remove(n);
    }
    // Absolute upload locations name the registry itself: point them at the proxy.
    if let Some(loc) = headers.get("location").and_then(|v| v.to_str().ok()) {
        let fixed = loc.replace(&ctx.upstream, &ctx.addr.to_string());
        headers.insert("location", fixed.parse().unwrap());
    }
    let body: ProxyBody = match &fault {
        Some(Fault::Rewrite {
            status: new_status,
            set,
            remove,
        }) => {
            if let Some(s) = new_status {
                status = *s;
            }
            for (n, v) in set {
                headers.insert(*n, v.parse().unwrap());
            }
            for n in remove {
                headers.remove(*n);
            }
            stream_body(resp, None, None)
        }
        Some(Fault::Paginate { page, absolute }) if status == 200 => {
            let full = resp.bytes().await.map_err(box_reqwest)?;
            let (body, link) = paginate(&full, &path, *page, *absolute, &ctx.addr.to_string());
            headers.remove("link");
            if let Some(l) = link {
                headers.insert("link", l.parse().unwrap());
            }
            headers.insert("content-length", body.len().to_string().parse().unwrap());
            Full::new(Bytes::from(body)).map_err(|e| match e {}).boxed()
        }
        Some(Fault::ReplaceBody(b)) => {
            headers.insert("content-length", b.len().to_string().parse().unwrap());
            Full::new(Bytes::from(b.clone()))
                .map_err(|e| match e {})
                .boxed()
        }
        Some(Fault::CorruptBody) => {
            let inverted = resp.bytes_stream().map(|c| {
                c.map(|c| Frame::data(c.iter().map(|b| !b).collect::<Bytes>()))
                    .map_err(box_reqwest)
            });
            BodyExt::boxed(StreamBody::new(inverted))
        }
        Some(Fault::CutBody { after }) => stream_body(resp, Some(*after), None),
        Some(Fault::Stall { after, secs }) => {
            stream_body(resp, Some(*after), Some(Duration::from_secs(*secs)))
        }
        _ => stream_body(resp, None, None),
    };
    let mut r = Response::new(body);
    *r.status_mut() = StatusCode::from_u16(status).unwrap();
    *r.headers_mut() = headers;
    record(status, &mut seen);
    Ok(r)
}

/// The registry's response body, cut (an error after `after` bytes) or, with `stall`, held
/// for that long first.
fn stream_body(
    resp: reqwest::Response,
    after: Option<usize>,
    stall: Option<Duration>,
) -> ProxyBody {
    enum Phase {
        Flow,
        Cut,
        End,
    }
    let up = resp.bytes_stream();
    let s = futures_util::stream::unfold(
        (up, 0usize, Phase::Flow),
        move |(mut up, sent, phase)| async move {
            match phase {
                Phase::End => None,
                Phase::Cut => {
                    // Without a pause, hyper may drop the connection before writing the
                    // headers and the bytes sent so far: the cut must come after them.
                    tokio::time::sleep(stall.unwrap_or(Duration::from_millis(200))).await;
                    let e = fail("body cut by fault proxy");
                    Some((Err(e), (up, sent, Phase::End)))
                }
                Phase::Flow => match up.next().await {
                    None => None,
                    Some(Err(e)) => Some((Err(box_reqwest(e)), (up, sent, Phase::End))),
                    Some(Ok(c)) => match after {
                        Some(l) if sent + c.len() >= l => {
                            let c = c.slice(..l - sent);
                            Some((Ok(Frame::data(c)), (up, l, Phase::Cut)))
                        }
                        _ => {
                            let n = sent + c.len();
                            Some((Ok(Frame::data(c)), (up, n, Phase::Flow)))
                        }
                    },
                },
            }
        },
    );
    BodyExt::boxed(StreamBody::new(s))
}

/// One page of the name list in `full` (`{"name":…, "tags":[…]}` or `{"repositories":[…]}`)
/// for a request to `path`: the `page` names after its `last` query parameter, and the `Link`
/// header value for the next page, if any.
fn paginate(
    full: &[u8],
    path: &str,
    page: usize,
    absolute: bool,
    proxy_host: &str,
) -> (Vec<u8>, Option<String>) {
    let mut doc: serde_json::Value = serde_json::from_slice(full).expect("a JSON name list");
    let key = if doc.get("tags").is_some() {
        "tags"
    } else {
        "repositories"
    };
    let names: Vec<String> = doc[key]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let last = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "last")
        .map(|(_, v)| v.into_owned());
    let start = match &last {
        Some(l) => names
            .iter()
            .position(|n| n == l)
            .map_or(names.len(), |i| i + 1),
        None => 0,
    };
    let end = (start + page).min(names.len());
    doc[key] = serde_json::json!(names[start..end]);
    let link = (end < names.len()).then(|| {
        let q = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("last", &names[end - 1])
            .append_pair("n", &page.to_string())
            .finish();
        let prefix = if absolute {
            format!("http://{proxy_host}")
        } else {
            String::new()
        };
        format!("<{prefix}{base}?{q}>; rel=\"next\"")
    });
    (serde_json::to_vec(&doc).unwrap(), link)
}
