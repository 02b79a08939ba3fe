//! Token requests (Docker token auth spec `docs/spec/auth/token.md` and `oauth.md`):
//! GET with Basic credentials (or anonymous), OAuth2 `POST grant_type=refresh_token` for
//! identity tokens (falling back to GET when the endpoint answers 404), registry tokens used
//! as they are. Every scope an operation needs goes into one request.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tracing::debug;

use super::bearer::{Token, TokenResponse};
use super::client::Client;
use super::errors;
use super::exchange::{trace_exchange, without_query};
use super::retry::{retry_after, retryable_status, retryable_transport};
use super::whole::{Whole, fetch_whole};
use crate::auth::Secret;
use crate::error::{Error, ErrorKind, Hint, LoginCase, Result};

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
    /// The credential, `None` for anonymous.
    pub creds: Option<&'a Secret>,
    /// The normalised name of the registry that announced the realm (e.g. `docker.io`).
    pub registry: &'a str,
    /// The registry's API host (`name[:port]`).
    pub host: &'a str,
    /// Whether the registry is reached over HTTPS.
    pub registry_https: bool,
}

/// Refuses to send credentials over plain HTTP to a token realm announced by an HTTPS
/// registry (docs/DESIGN.md §5), unless `config.toml` sets `insecure-token-realm = true` for
/// the registry. Anonymous requests and registry tokens (which never go to the realm) pass.
/// Errors: Auth naming the realm, with a hint.
fn check_realm_transport(client: &Client, req: &TokenRequest<'_>) -> Result<()> {
    let Some(c) = req.creds else { return Ok(()) };
    if matches!(c, Secret::RegistryToken(_)) || !req.registry_https {
        return Ok(());
    }
    let plain = reqwest::Url::parse(req.realm)
        .map(|u| u.scheme() == "http")
        .unwrap_or(false);
    if !plain {
        return Ok(());
    }
    let config = &client.inner.opts.config;
    let allowed = [req.host, req.registry]
        .iter()
        .filter_map(|h| config.registry(h))
        .any(|r| r.insecure_token_realm == Some(true));
    if allowed {
        debug!(realm = %req.realm, host = req.host, "sending credentials to a plain-HTTP token realm (insecure-token-realm)");
        return Ok(());
    }
    Err(Error::auth(format!(
        "refusing to send credentials in clear text to the token realm {} announced by the HTTPS registry {}",
        req.realm, req.host
    ))
    .with_hint(format!(
        "fix the registry's token realm (it should be https://), or allow it for this host in config.toml: [registry.\"{}\"] insecure-token-realm = true",
        req.host
    ))
    .with_registry(req.registry))
}

/// Obtains a token for `req` with `client`'s HTTP client and retry count; errors: Auth
/// (401/403, no token in the answer, or credentials that would go in clear text to an
/// `http://` realm of an HTTPS registry), Network.
pub(crate) async fn fetch(client: &Client, req: &TokenRequest<'_>) -> Result<Token> {
    check_realm_transport(client, req)?;
    let http = client.http();
    match req.creds {
        Some(Secret::RegistryToken(t)) => {
            // A bearer token for the registry itself: nothing to request.
            return Ok(Token {
                value: t.clone(),
                scopes: req.scopes.clone(),
                renew_at: Instant::now() + Duration::from_secs(3600),
                account: None,
            });
        }
        Some(Secret::IdentityToken { token, .. }) => {
            let form = post_form(req, token);
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
    if let Some(Secret::Password { username, .. }) = req.creds {
        query.push(("account", username));
    }
    // Basic only for a credential that has an account: an identity token without one goes
    // anonymously (as docker and go-containerregistry do).
    let basic = req.creds.and_then(Secret::basic);
    debug!(realm = %req.realm, scopes = ?req.scopes, user = basic.map(|(u, _)| u), "requesting token (GET)");
    let resp = send(client, req.realm, || {
        let mut r = http.get(req.realm).query(&query);
        if let Some((user, password)) = basic {
            r = r.basic_auth(user, Some(password));
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
    let whole = fetch_whole(client, realm, 1024 * 1024, "token", || async {
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
    let policy = client.policy();
    let mut attempt = 0;
    loop {
        let sent = Instant::now();
        let answer = client.execute(make()).await;
        if let Ok(r) = &answer {
            trace_exchange("token request", &without_query(r.url()), r, sent);
        }
        match answer {
            Ok(r) if retryable_status(r.status()) && policy.allows(attempt) => {
                attempt += 1;
                tokio::time::sleep(policy.wait(attempt, retry_after(r.headers()))).await;
            }
            Ok(r) => return Ok((r, sent)),
            Err(e) if policy.allows(attempt) && retryable_transport(&e, false) => {
                attempt += 1;
                tokio::time::sleep(policy.wait(attempt, None)).await;
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
            err = err.with_kind(ErrorKind::Auth).with_hint(Hint::Login {
                registry: req.registry.to_string(),
                case: if req.creds.is_some() {
                    LoginCase::TokenRefused
                } else {
                    LoginCase::TokenNotSent
                },
            });
        }
        return Err(err.with_registry(req.registry));
    }
    let parsed: TokenResponse = serde_json::from_slice(&resp.body)
        .map_err(|_| Error::auth(format!("token endpoint {realm} returned invalid JSON")))?;
    Token::from_response(parsed, req.scopes.clone(), sent)
        .ok_or_else(|| Error::auth(format!("token endpoint {realm} returned no token")))
}
