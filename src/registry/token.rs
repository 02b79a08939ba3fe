//! Token requests (Docker token auth spec `docs/spec/auth/token.md` and `oauth.md`):
//! GET with Basic credentials (or anonymous), OAuth2 `POST grant_type=refresh_token` for
//! identity tokens (falling back to GET when the endpoint answers 404), registry tokens used
//! as they are. Every scope an operation needs goes into one request.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tracing::debug;

use super::auth::{Credentials, Token, TokenResponse};
use super::{Client, Whole, backoff, errors, retry_after, retryable_status};
use crate::credentials::{SecretKind, secret_kind};
use crate::error::{Error, ErrorKind, Result};

/// OAuth2 `client_id` sent with POST token requests.
pub const CLIENT_ID: &str = "imgctl";

/// Where a token request goes and what it asks for.
pub(crate) struct TokenRequest<'a> {
    /// The challenge's `realm` (token endpoint URL).
    pub realm: &'a str,
    /// The challenge's `service`.
    pub service: Option<&'a str>,
    /// Scopes, e.g. `repository:app:pull,push` (may be empty, e.g. for a login check).
    pub scopes: &'a BTreeSet<String>,
    /// Credentials, `None` for anonymous.
    pub creds: Option<&'a Credentials>,
}

/// Obtains a token for `req` with `client`'s HTTP client and retry count; errors: Auth
/// (401/403 or no token in the answer), Network.
pub(crate) async fn fetch(client: &Client, req: &TokenRequest<'_>) -> Result<Token> {
    let http = client.http();
    match req.creds.map(secret_kind) {
        Some(SecretKind::RegistryToken) => {
            // A bearer token for the registry itself: nothing to request.
            let c = req.creds.expect("creds");
            return Ok(Token {
                value: c.password.clone(),
                scopes: req.scopes.clone(),
                renew_at: Instant::now() + Duration::from_secs(3600),
            });
        }
        Some(SecretKind::IdentityToken) => {
            let c = req.creds.expect("creds");
            let form = post_form(req, &c.password);
            let resp = send(client, req.realm, || http.post(req.realm).form(&form)).await?;
            if resp.0.status != StatusCode::NOT_FOUND {
                debug!(realm = %req.realm, scopes = ?req.scopes, "token requested with a refresh token (POST)");
                return parse(resp, req).await;
            }
            debug!(realm = %req.realm, "token endpoint has no OAuth2 POST (404); using GET");
        }
        _ => {}
    }
    let mut query: Vec<(&str, &str)> = Vec::new();
    if let Some(s) = req.service {
        query.push(("service", s));
    }
    for s in req.scopes {
        query.push(("scope", s));
    }
    if let Some(c) = req.creds
        && secret_kind(c) == SecretKind::Password
    {
        query.push(("account", &c.username));
    }
    debug!(realm = %req.realm, scopes = ?req.scopes, user = req.creds.map(|c| c.username.as_str()), "requesting token (GET)");
    let resp = send(client, req.realm, || {
        let mut r = http.get(req.realm).query(&query);
        if let Some(c) = req.creds {
            r = r.basic_auth(&c.username, Some(&c.password));
        }
        r
    })
    .await?;
    parse(resp, req).await
}

/// The OAuth2 form for a refresh-token grant (scopes space separated, as RFC 6749 wants).
fn post_form<'a>(req: &TokenRequest<'a>, refresh_token: &'a str) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("grant_type", "refresh_token".to_string()),
        ("refresh_token", refresh_token.to_string()),
        ("client_id", CLIENT_ID.to_string()),
    ];
    if let Some(s) = req.service {
        f.push(("service", s.to_string()));
    }
    if !req.scopes.is_empty() {
        f.push((
            "scope",
            req.scopes.iter().cloned().collect::<Vec<_>>().join(" "),
        ));
    }
    f
}

/// Sends with retries on connect errors, timeouts, 408/429/5xx, and reads the answer whole
/// (asked again when it breaks off: the client's retry policy); returns it and the moment it
/// was sent (the token's lifetime counts from there).
async fn send(
    client: &Client,
    realm: &str,
    make: impl Fn() -> reqwest::RequestBuilder,
) -> Result<(Whole, Instant)> {
    let whole = super::fetch_whole(client, realm, 1024 * 1024, "token", || async {
        send_retrying(client, realm, &make).await.map(|(r, _)| r)
    })
    .await?;
    let sent = whole.sent;
    Ok((whole, sent))
}

/// [`send`] without reading the body.
async fn send_retrying(
    client: &Client,
    realm: &str,
    make: impl Fn() -> reqwest::RequestBuilder,
) -> Result<(reqwest::Response, Instant)> {
    let retries = client.inner.opts.retries;
    let mut attempt = 0;
    loop {
        let sent = Instant::now();
        let answer = make().send().await;
        if let Ok(r) = &answer {
            super::trace_exchange("token request", &super::without_query(r.url()), r, sent);
        }
        match answer {
            Ok(r) if retryable_status(r.status()) && attempt < retries => {
                attempt += 1;
                tokio::time::sleep(backoff(attempt, retry_after(r.headers()))).await;
            }
            Ok(r) => return Ok((r, sent)),
            Err(e) if attempt < retries && super::retryable_transport(&e, false) => {
                attempt += 1;
                tokio::time::sleep(backoff(attempt, None)).await;
            }
            Err(e) => {
                return Err(client
                    .transport_error(&e, realm)
                    .context("token request failed"));
            }
        }
    }
}

/// Turns a token endpoint answer into a [`Token`]. The body is never echoed into errors.
async fn parse((resp, sent): (Whole, Instant), req: &TokenRequest<'_>) -> Result<Token> {
    let realm = req.realm;
    let status = resp.status;
    if !status.is_success() {
        let mut err = errors::from_response(status, &resp.body)
            .context(format!("token request to {realm} failed"));
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            err = err.with_kind(ErrorKind::Auth).with_hint(if req.creds.is_some() {
                "check the credentials (imgctl login, --creds, IMGCTL_USERNAME/IMGCTL_PASSWORD)"
            } else {
                "this registry needs credentials: run imgctl login REGISTRY, or pass --creds USER:PASS"
            });
        }
        return Err(err);
    }
    let parsed: TokenResponse = serde_json::from_slice(&resp.body)
        .map_err(|_| Error::auth(format!("token endpoint {realm} returned invalid JSON")))?;
    Token::from_response(parsed, req.scopes.clone(), sent)
        .ok_or_else(|| Error::auth(format!("token endpoint {realm} returned no token")))
}
