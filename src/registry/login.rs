//! The login check: credentials tried against a registry the way a login does, before they are
//! stored (Docker token auth spec; docs/DESIGN.md §5).

use std::collections::BTreeSet;

use reqwest::StatusCode;

use super::bearer::Challenge;
use super::challenge;
use super::client::Client;
use super::errors;
use super::token;
use crate::auth::Secret;
use crate::error::{ErrorKind, Result};

impl Client {
    /// Checks `creds` against `registry` (normalised name) the way a login does: pings
    /// `/v2/`, then asks the token endpoint for a token (Bearer) or sends `/v2/` with Basic
    /// auth (Basic). `Ok(false)` when the registry asks for no authentication at all.
    /// Errors: Auth when the registry refuses the credentials; Network.
    pub async fn verify_credentials(&self, registry: &str, creds: &Secret) -> Result<bool> {
        let host = crate::reference::api_host(registry).to_string();
        let state = self.ensure_pinged(&host).await?;
        let (scheme, challenge) = {
            let st = state.lock().await;
            (st.scheme.unwrap_or("https"), st.challenge.clone())
        };
        match challenge {
            None => Ok(false),
            Some(Challenge::Unusable { offered }) => {
                Err(challenge::unusable_challenge_error(&host, &offered)
                    .with_registry(registry)
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
                let req = super::http::answer_basic(self.http().get(&url), creds);
                let resp = self
                    .execute_traced(req)
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
                Err(err.with_registry(registry))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::auth::{ACR_TOKEN_USER, Secret};

    /// The Authorization header a Basic challenge gets for `c`.
    fn sent(c: &Secret) -> Option<String> {
        let req = super::super::http::answer_basic(
            reqwest::Client::new().get("http://127.0.0.1:1/v2/"),
            c,
        )
        .build()
        .unwrap();
        req.headers()
            .get(reqwest::header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap().to_string())
    }

    #[test]
    fn a_basic_challenge_gets_each_kind_its_own_way() {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        assert_eq!(
            sent(&Secret::from_pair("alice", "pw".into())),
            Some(format!("Basic {}", b64("alice:pw")))
        );
        assert_eq!(
            sent(&Secret::identity_token(Some(ACR_TOKEN_USER), "rt".into())),
            Some(format!("Basic {}", b64(&format!("{ACR_TOKEN_USER}:rt"))))
        );
        // never docker's marker user on the wire
        assert_eq!(sent(&Secret::identity_token(None, "rt".into())), None);
        assert_eq!(
            sent(&Secret::RegistryToken("bt".into())),
            Some("Bearer bt".to_string())
        );
    }
}
