//! A Docker-v2 / distribution token server for tests.
//!
//! It runs on its own thread with a current-thread tokio runtime and a hyper HTTP/1 server on a
//! free 127.0.0.1 port, and issues ES256 JWTs that `docker-registry` (distribution 2.8) accepts:
//! the header carries `kid` = the libtrust key id of the signing key.
//!
//! Endpoints (path is always `/token`):
//! - `GET /token?service=S&scope=S1&scope=S2[&offline_token=true]`, optional Basic auth.
//! - `POST /token` with a form body: `grant_type=password` (`username`, `password`) or
//!   `grant_type=refresh_token` (`refresh_token`); plus `service`, `scope` (space separated),
//!   `client_id`, `access_type=offline` (then a `refresh_token` is returned).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{SocketAddr, TcpListener as StdTcpListener};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer;
use p256::pkcs8::{DecodePrivateKey, EncodePublicKey};
use sha2::{Digest as _, Sha256};

/// The `service` the test registry is configured with (token `aud`).
pub const TOKEN_SERVICE: &str = "imgctl-test-registry";
/// The `issuer` the test registry is configured with (token `iss`).
pub const TOKEN_ISSUER: &str = "imgctl-test-issuer";

/// Who a [`Rule`] applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// Requests without credentials.
    Anonymous,
    /// Any authenticated user.
    AnyUser,
    /// One named user.
    User(String),
}

/// A permission rule: `principal` may perform `actions` on resources of `resource_type`
/// (`repository`, `registry`, …) whose name starts with `name_prefix` (`""` = all).
/// An action `"*"` in `actions` grants every requested action.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Who the rule applies to.
    pub principal: Principal,
    /// Resource type of the scope, e.g. `repository`.
    pub resource_type: String,
    /// Prefix the resource name must start with; `""` matches every name.
    pub name_prefix: String,
    /// Actions granted, e.g. `["pull", "push"]`, or `["*"]` for all.
    pub actions: Vec<String>,
}

impl Rule {
    /// Builds a rule; `actions` like `&["pull", "push"]`.
    pub fn new(
        principal: Principal,
        resource_type: &str,
        name_prefix: &str,
        actions: &[&str],
    ) -> Rule {
        Rule {
            principal,
            resource_type: resource_type.to_string(),
            name_prefix: name_prefix.to_string(),
            actions: actions.iter().map(|a| a.to_string()).collect(),
        }
    }
}

/// Users, permissions and behaviour of the token server.
#[derive(Clone, Debug)]
pub struct TokenConfig {
    /// `(username, password)` pairs that may authenticate.
    pub users: Vec<(String, String)>,
    /// Permission rules; the granted actions of a scope are the union over matching rules,
    /// intersected with the requested actions.
    pub rules: Vec<Rule>,
    /// Token lifetime in seconds (`expires_in` and `exp - iat`).
    pub ttl_secs: u64,
    /// When false, `POST /token` answers 404 (like registries without OAuth2 support).
    pub allow_post: bool,
    /// Fields replaced in every granted token response (e.g. `("token", json!(12345))`, a
    /// `token` of another type beside a good `access_token`).
    pub response_overrides: Vec<(String, serde_json::Value)>,
}

impl Default for TokenConfig {
    /// `alice`/`wonderland-secret-1`: pull, push, delete on every repository and `*` on
    /// `registry:catalog`; `reader`/`reader-secret-2`: pull everywhere; anonymous: pull on
    /// repositories starting with `public/`. TTL 300 s, POST allowed.
    fn default() -> Self {
        let alice = || Principal::User(super::USER.to_string());
        TokenConfig {
            users: vec![
                (super::USER.to_string(), super::PASSWORD.to_string()),
                (
                    super::READER_USER.to_string(),
                    super::READER_PASSWORD.to_string(),
                ),
            ],
            rules: vec![
                Rule::new(alice(), "repository", "", &["pull", "push", "delete"]),
                Rule::new(alice(), "registry", "catalog", &["*"]),
                Rule::new(
                    Principal::User(super::READER_USER.to_string()),
                    "repository",
                    "",
                    &["pull"],
                ),
                Rule::new(Principal::Anonymous, "repository", "public/", &["pull"]),
            ],
            ttl_secs: 300,
            allow_post: true,
            response_overrides: Vec::new(),
        }
    }
}

/// One request the token server received (also failed ones).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// For POST: the `grant_type` (`password`, `refresh_token`, …); `None` for GET.
    pub grant_type: Option<String>,
    /// The `service` parameter, if any.
    pub service: Option<String>,
    /// Requested scopes as sent, e.g. `repository:foo:pull,push`.
    pub scopes: Vec<String>,
    /// Authenticated user (`None` = anonymous or authentication failed).
    pub user: Option<String>,
    /// HTTP status the server answered with.
    pub status: u16,
    /// Whether the request carried an `Authorization` header (any scheme, valid or not).
    pub authorization: bool,
}

struct State {
    config: TokenConfig,
    key: SigningKey,
    kid: String,
    requests: Vec<TokenRequest>,
    refresh_tokens: HashMap<String, String>,
}

/// A running token server; stops on Drop.
pub struct TokenServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TokenServer {
    /// Starts a server on a free 127.0.0.1 port signing with the PKCS#8 PEM EC P-256 key at
    /// `key_pem_path` (the registry must trust a certificate of that key).
    pub fn start(key_pem_path: &Path, config: TokenConfig) -> TokenServer {
        let pem = std::fs::read_to_string(key_pem_path).expect("read token signing key");
        let secret = p256::SecretKey::from_pkcs8_pem(&pem)
            .expect("parse token signing key (PKCS#8 PEM, P-256)");
        let spki = secret
            .public_key()
            .to_public_key_der()
            .expect("encode SPKI");
        let kid = libtrust_key_id(spki.as_bytes());
        let state = Arc::new(Mutex::new(State {
            config,
            key: SigningKey::from(secret),
            kid,
            requests: Vec::new(),
            refresh_tokens: HashMap::new(),
        }));

        let listener = StdTcpListener::bind("127.0.0.1:0").expect("bind token server");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("token server addr");
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let thread_state = state.clone();
        let thread = std::thread::Builder::new()
            .name("token-server".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("token server runtime");
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    loop {
                        tokio::select! {
                            _ = &mut rx => break,
                            accepted = listener.accept() => {
                                let Ok((stream, _)) = accepted else { continue };
                                let state = thread_state.clone();
                                tokio::spawn(async move {
                                    let service = hyper::service::service_fn(move |req| {
                                        let state = state.clone();
                                        async move { Ok::<_, Infallible>(handle(&state, req).await) }
                                    });
                                    let _ = hyper::server::conn::http1::Builder::new()
                                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                                        .await;
                                });
                            }
                        }
                    }
                });
            })
            .expect("spawn token server thread");
        TokenServer {
            addr,
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// The realm URL, `http://127.0.0.1:PORT/token`.
    pub fn realm(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The libtrust key id put in the JWT `kid` header.
    pub fn kid(&self) -> String {
        self.state.lock().unwrap().kid.clone()
    }

    /// A copy of every request received so far, oldest first.
    pub fn requests(&self) -> Vec<TokenRequest> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        self.state.lock().unwrap().requests.clear();
    }

    /// Changes the configuration of the running server (e.g. TTL or rules).
    pub fn update_config(&self, f: impl FnOnce(&mut TokenConfig)) {
        f(&mut self.state.lock().unwrap().config);
    }

    /// Issues a token directly (no HTTP) for `user` (`None` = anonymous) and the given scopes,
    /// applying the configured rules. Useful to build requests by hand.
    pub fn issue_token(&self, user: Option<&str>, scopes: &[&str]) -> String {
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let st = self.state.lock().unwrap();
        make_jwt(&st, user, &scopes, TOKEN_SERVICE)
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Computes the libtrust key id of a DER SubjectPublicKeyInfo: base32 (RFC 4648, no padding) of
/// the first 240 bits of its sha256, in 12 groups of 4 characters joined by `:`.
pub fn libtrust_key_id(spki_der: &[u8]) -> String {
    let hash = Sha256::digest(spki_der);
    let b32 = base32_nopad(&hash[..30]);
    b32.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(":")
}

/// RFC 4648 base32 (alphabet `A-Z2-7`) of `data`, without `=` padding.
pub fn base32_nopad(data: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in data {
        buf = (buf << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Formats Unix seconds as RFC 3339 UTC (`2024-01-02T03:04:05Z`).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Splits `type:name:actions` (the name may contain `:`, e.g. a port).
fn parse_scope(scope: &str) -> Option<(String, String, Vec<String>)> {
    let (ty, rest) = scope.split_once(':')?;
    let (name, actions) = rest.rsplit_once(':')?;
    let actions = actions
        .split(',')
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect();
    Some((ty.to_string(), name.to_string(), actions))
}

fn granted_actions(
    config: &TokenConfig,
    user: Option<&str>,
    ty: &str,
    name: &str,
    wanted: &[String],
) -> Vec<String> {
    let mut granted: Vec<String> = Vec::new();
    for rule in &config.rules {
        let applies = match (&rule.principal, user) {
            (Principal::Anonymous, None) => true,
            (Principal::AnyUser, Some(_)) => true,
            (Principal::User(u), Some(v)) => u == v,
            _ => false,
        };
        if !applies || rule.resource_type != ty || !name.starts_with(&rule.name_prefix) {
            continue;
        }
        for w in wanted {
            if (rule.actions.iter().any(|a| a == "*" || a == w)) && !granted.contains(w) {
                granted.push(w.clone());
            }
        }
    }
    granted
}

static JTI: AtomicU64 = AtomicU64::new(0);

fn make_jwt(st: &State, user: Option<&str>, scopes: &[String], service: &str) -> String {
    let now = now_secs();
    let mut access = Vec::new();
    for scope in scopes {
        let Some((ty, name, wanted)) = parse_scope(scope) else {
            continue;
        };
        let actions = granted_actions(&st.config, user, &ty, &name, &wanted);
        access.push(serde_json::json!({"type": ty, "name": name, "actions": actions}));
    }
    let header = serde_json::json!({"typ": "JWT", "alg": "ES256", "kid": st.kid});
    let claims = serde_json::json!({
        "iss": TOKEN_ISSUER,
        "sub": user.unwrap_or(""),
        "aud": service,
        "exp": now + st.config.ttl_secs,
        "nbf": now.saturating_sub(1),
        "iat": now,
        "jti": format!("jti-{}-{}", now, JTI.fetch_add(1, Ordering::Relaxed)),
        "access": access,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig: p256::ecdsa::Signature = st.key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

fn percent_decode(s: &str) -> String {
    fn hex_val(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

fn error_response(status: StatusCode, msg: &str) -> Response<Full<Bytes>> {
    let mut resp = json_response(
        status,
        serde_json::json!({"errors": [{"code": "DENIED", "message": msg}]}),
    );
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            "www-authenticate",
            "Basic realm=\"imgctl-test-token\"".parse().unwrap(),
        );
    }
    resp
}

fn new_refresh_token() -> String {
    let n = JTI.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    hex::encode(Sha256::digest(format!(
        "refresh-{n}-{nanos}-{}",
        std::process::id()
    )))
}

async fn handle(state: &Arc<Mutex<State>>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let method = req.method().clone();
    let authorization = req.headers().contains_key("authorization");
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let basic = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.split_once(':')
                .map(|(u, p)| (u.to_string(), p.to_string()))
        });
    let body = match req.into_body().collect().await {
        Ok(b) => String::from_utf8_lossy(&b.to_bytes()).into_owned(),
        Err(_) => String::new(),
    };

    let mut st = state.lock().unwrap();
    let mut log = TokenRequest {
        method: method.to_string(),
        grant_type: None,
        service: None,
        scopes: Vec::new(),
        user: None,
        status: 200,
        authorization,
    };
    let resp = respond(&mut st, &method, &path, &query, &body, basic, &mut log);
    log.status = resp.status().as_u16();
    st.requests.push(log);
    resp
}

fn respond(
    st: &mut State,
    method: &Method,
    path: &str,
    query: &str,
    body: &str,
    basic: Option<(String, String)>,
    log: &mut TokenRequest,
) -> Response<Full<Bytes>> {
    if path != "/token" {
        return error_response(StatusCode::NOT_FOUND, "not found");
    }
    let check =
        |st: &State, u: &str, p: &str| st.config.users.iter().any(|(uu, pp)| uu == u && pp == p);
    let now = now_secs();
    let ttl = st.config.ttl_secs;

    if method == Method::GET {
        let params = parse_form(query);
        log.service = params
            .iter()
            .find(|(k, _)| k == "service")
            .map(|(_, v)| v.clone());
        log.scopes = params
            .iter()
            .filter(|(k, _)| k == "scope")
            .flat_map(|(_, v)| {
                v.split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        let user = match &basic {
            Some((u, p)) if check(st, u, p) => Some(u.clone()),
            Some(_) => {
                return error_response(StatusCode::UNAUTHORIZED, "invalid username or password");
            }
            None => None,
        };
        log.user = user.clone();
        let service = log
            .service
            .clone()
            .unwrap_or_else(|| TOKEN_SERVICE.to_string());
        let token = make_jwt(st, user.as_deref(), &log.scopes, &service);
        let mut body = serde_json::json!({
            "token": token,
            "access_token": token,
            "expires_in": ttl,
            "issued_at": rfc3339(now),
        });
        let offline = params
            .iter()
            .any(|(k, v)| k == "offline_token" && v == "true");
        if let (true, Some(u)) = (offline, &user) {
            let rt = new_refresh_token();
            st.refresh_tokens.insert(rt.clone(), u.clone());
            body["refresh_token"] = rt.into();
        }
        apply_overrides(&st.config, &mut body);
        return json_response(StatusCode::OK, body);
    }

    if method == Method::POST {
        if !st.config.allow_post {
            return error_response(StatusCode::NOT_FOUND, "POST not supported");
        }
        let form = parse_form(body);
        let get = |k: &str| form.iter().find(|(kk, _)| kk == k).map(|(_, v)| v.clone());
        log.grant_type = get("grant_type");
        log.service = get("service");
        log.scopes = get("scope")
            .map(|s| {
                s.split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let user = match log.grant_type.as_deref() {
            Some("password") => {
                let (u, p) = (
                    get("username").unwrap_or_default(),
                    get("password").unwrap_or_default(),
                );
                if !check(st, &u, &p) {
                    return error_response(
                        StatusCode::UNAUTHORIZED,
                        "invalid username or password",
                    );
                }
                u
            }
            Some("refresh_token") => {
                let rt = get("refresh_token").unwrap_or_default();
                match st.refresh_tokens.get(&rt) {
                    Some(u) => u.clone(),
                    None => {
                        return error_response(StatusCode::UNAUTHORIZED, "invalid refresh token");
                    }
                }
            }
            _ => return error_response(StatusCode::BAD_REQUEST, "unsupported grant_type"),
        };
        log.user = Some(user.clone());
        let service = log
            .service
            .clone()
            .unwrap_or_else(|| TOKEN_SERVICE.to_string());
        let token = make_jwt(st, Some(&user), &log.scopes, &service);
        let mut body = serde_json::json!({
            "token": token,
            "access_token": token,
            "expires_in": ttl,
            "issued_at": rfc3339(now),
            "scope": log.scopes.join(" "),
        });
        if get("access_type").as_deref() == Some("offline") {
            let rt = new_refresh_token();
            st.refresh_tokens.insert(rt.clone(), user);
            body["refresh_token"] = rt.into();
        }
        apply_overrides(&st.config, &mut body);
        return json_response(StatusCode::OK, body);
    }
    error_response(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
}

/// Replaces the fields of `body` named in `config.response_overrides`.
fn apply_overrides(config: &TokenConfig, body: &mut serde_json::Value) {
    for (k, v) in &config.response_overrides {
        body[k.as_str()] = v.clone();
    }
}
