//! Bearer tokens (Docker token auth spec `docs/spec/auth/token.md`; RFC 7235): the token
//! endpoint's answer and the tokens the client caches. Credentials and what their secret is
//! are in [`crate::auth`]; challenge parsing is in [`super::challenge`] (re-exported here).

use std::collections::BTreeSet;
use std::fmt;
use std::time::{Duration, Instant, SystemTime};

pub use super::challenge::{
    Challenge, parse_challenges, select_challenge, unusable_challenge_error,
};

/// The token endpoint's JSON answer (token spec, "Token Response Fields").
///
/// `token` and `access_token` are read leniently: a field of another JSON type (a number, an
/// object, `null`) counts as absent instead of failing the whole response, so that whichever
/// of the two is a non-empty string is used.
#[derive(serde::Deserialize)]
pub struct TokenResponse {
    /// The bearer token (Docker); `None` when absent or not a string.
    #[serde(default, deserialize_with = "string_or_none")]
    pub token: Option<String>,
    /// The bearer token (OAuth2 name); `None` when absent or not a string.
    #[serde(default, deserialize_with = "string_or_none")]
    pub access_token: Option<String>,
    /// Lifetime in seconds (default 60).
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// A refresh token, when one was asked for.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// When the token was issued, RFC 3339 (`2023-06-03T23:43:21.173248074Z`).
    #[serde(default)]
    pub issued_at: Option<String>,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("expires_in", &self.expires_in)
            .field("issued_at", &self.issued_at)
            .finish_non_exhaustive()
    }
}

/// Deserializes a JSON string as `Some`, any other JSON value as `None`.
fn string_or_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(
        match <serde_json::Value as serde::Deserialize>::deserialize(d)? {
            serde_json::Value::String(s) => Some(s),
            _ => None,
        },
    )
}

/// Token lifetime when the response has no `expires_in` (token spec), in seconds.
pub const DEFAULT_TOKEN_SECS: u64 = 60;

impl TokenResponse {
    /// The bearer value: `token`, else `access_token` (empty strings count as absent).
    pub fn bearer(&self) -> Option<&str> {
        self.token
            .as_deref()
            .filter(|t| !t.is_empty())
            .or(self.access_token.as_deref().filter(|t| !t.is_empty()))
    }

    /// The token's lifetime in seconds: `expires_in`, default 60.
    pub fn lifetime(&self) -> Duration {
        Duration::from_secs(self.expires_in.unwrap_or(DEFAULT_TOKEN_SECS).max(1))
    }

    /// When the token expires: `issued_at + expires_in`, or `received + expires_in` when
    /// `issued_at` is absent or not RFC 3339.
    pub fn expires_at(&self, received: SystemTime) -> SystemTime {
        let issued = self
            .issued_at
            .as_deref()
            .and_then(|s| humantime::parse_rfc3339_weak(s.trim()).ok())
            .unwrap_or(received);
        issued + self.lifetime()
    }
}

/// A bearer token granted for a set of scopes, with its expiry.
#[derive(Clone)]
pub struct Token {
    /// The bearer value. Never logged.
    pub value: String,
    /// The scopes it was requested for.
    pub scopes: BTreeSet<String>,
    /// When it stops being usable (already shortened by a safety margin).
    pub renew_at: Instant,
    /// The account it was requested with (`None`: anonymous), so that a token is never reused
    /// for a repository whose credentials are another account's.
    pub account: Option<String>,
}

impl Token {
    /// Builds a token from a response to a request sent at `received`; `None` when neither
    /// `token` nor `access_token` is present. The lifetime is `expires_in` (default 60 s),
    /// shortened when `issued_at` shows the token is already older (a clock ahead of ours is
    /// ignored); it is renewed at 90% of that lifetime, at most 30 s before expiry.
    pub fn from_response(
        resp: TokenResponse,
        scopes: BTreeSet<String>,
        received: Instant,
    ) -> Option<Token> {
        let value = resp.bearer()?.to_string();
        let now = SystemTime::now();
        let life = match resp.expires_at(now).duration_since(now) {
            Ok(left) if left < resp.lifetime() => left,
            Ok(_) => resp.lifetime(),
            // already expired by the server's clock: use it once, renew right away
            Err(_) => Duration::ZERO,
        };
        let margin = (life / 10).min(Duration::from_secs(30));
        Some(Token {
            value,
            scopes,
            renew_at: received + life - margin,
            account: None,
        })
    }

    /// Whether this token is still fresh and covers every scope in `wanted`.
    pub fn covers(&self, wanted: &BTreeSet<String>, now: Instant) -> bool {
        now < self.renew_at && wanted.is_subset(&self.scopes)
    }
}

/// Splits a challenge's `scope` parameter (space separated) into scopes.
pub fn split_scopes(scope: &str) -> impl Iterator<Item = String> + '_ {
    scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_expiry() {
        let now = Instant::now();
        let t = Token::from_response(
            TokenResponse {
                token: None,
                access_token: Some("a".into()),
                expires_in: Some(300),
                refresh_token: None,
                issued_at: None,
            },
            ["repository:x:pull".to_string()].into(),
            now,
        )
        .unwrap();
        assert!(t.covers(&["repository:x:pull".to_string()].into(), now));
        assert!(!t.covers(&["repository:x:push".to_string()].into(), now));
        assert!(!t.covers(&BTreeSet::new(), now + Duration::from_secs(299)));
    }

    #[test]
    fn a_token_field_of_another_type_does_not_hide_the_other() {
        for (body, want) in [
            (r#"{"token": 12345, "access_token": "abc"}"#, Some("abc")),
            (r#"{"token": "abc", "access_token": {"v": 1}}"#, Some("abc")),
            (r#"{"token": null, "access_token": "abc"}"#, Some("abc")),
            (r#"{"token": ["x"], "access_token": ""}"#, None),
            (r#"{"token": "", "access_token": false}"#, None),
        ] {
            let r: TokenResponse =
                serde_json::from_str(body).unwrap_or_else(|e| panic!("{body}: {e}"));
            assert_eq!(r.bearer(), want, "{body}");
        }
    }

    #[test]
    fn token_response_fixtures() {
        let v: serde_json::Value = serde_json::from_slice(&crate::fixture(
            "token-responses/token-responses-real-and-spec.json",
        ))
        .unwrap();
        let received = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        for case in v["cases"].as_array().unwrap() {
            let id = case["id"].as_str().unwrap();
            let r: TokenResponse = serde_json::from_str(case["body"].as_str().unwrap()).unwrap();
            let want = &case["expected"];
            match want["token"].as_str() {
                Some(t) => assert_eq!(r.bearer(), Some(t), "{id}"),
                None if want["token"].is_null() && want.get("token").is_some() => {
                    assert_eq!(r.bearer(), None, "{id}")
                }
                None => assert!(r.bearer().is_some(), "{id}"),
            }
            if let Some(rt) = want["refresh_token"].as_str() {
                assert_eq!(r.refresh_token.as_deref(), Some(rt), "{id}");
            }
            if let Some(exp) = want["expires_at"].as_str() {
                assert_eq!(
                    r.expires_at(received),
                    humantime::parse_rfc3339(exp).unwrap(),
                    "{id}"
                );
            }
            if want.get("issued_at").is_some_and(|i| i.is_null()) {
                assert_eq!(r.expires_at(received), received + r.lifetime(), "{id}");
            }
            if want.get("expires_in").is_some_and(|e| e.is_null()) {
                assert_eq!(r.lifetime(), Duration::from_secs(60), "{id}");
            }
        }
        let r: TokenResponse = serde_json::from_slice(&crate::fixture(
            "token-responses/dockerhub-token-response-busybox.json",
        ))
        .unwrap();
        assert_eq!(r.token, r.access_token);
        assert_eq!(
            r.expires_at(received),
            humantime::parse_rfc3339("2023-06-03T23:48:21.173248074Z").unwrap()
        );
        // an old issued_at makes a token that must be renewed at once
        let t = Token::from_response(r, BTreeSet::new(), Instant::now()).unwrap();
        assert!(!t.covers(&BTreeSet::new(), Instant::now()));
    }
}
