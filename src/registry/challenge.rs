//! `WWW-Authenticate` challenges (RFC 9110 §11.6.1, §11.3; token spec): which scheme a 401
//! offers and with what parameters. Only a scheme the registry offered is ever answered
//! (docs/DESIGN.md §5).

use reqwest::header::{self, HeaderMap};

use crate::error::Error;

/// The `WWW-Authenticate` values of a response that are text.
pub(super) fn www_authenticate(h: &HeaderMap) -> impl Iterator<Item = &str> {
    h.get_all(header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
}

/// One challenge from a `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// `Basic realm="…"`.
    Basic,
    /// `Bearer realm="…",service="…",scope="…"`.
    Bearer {
        /// Token endpoint URL.
        realm: String,
        /// Service name to send to the token endpoint.
        service: Option<String>,
        /// Scope(s) the registry asked for, space separated.
        scope: Option<String>,
    },
    /// A 401 whose challenges offer no scheme imgctl answers: no `WWW-Authenticate` at all, an
    /// empty or malformed one, `Bearer` without a realm, or another scheme (`OAuth2 …`).
    /// Credentials are never sent in answer to it (docs/DESIGN.md §5).
    Unusable {
        /// What the registry offered, for the error message (at most 200 characters).
        offered: String,
    },
}

/// Picks the challenge to answer among a 401's `WWW-Authenticate` header values (RFC 7235
/// §4.1): a `Bearer` with a realm first, then `Basic`, else [`Challenge::Unusable`] saying
/// what was offered. Never returns a scheme the registry did not offer.
pub fn select_challenge<'a>(values: impl IntoIterator<Item = &'a str>) -> Challenge {
    let values: Vec<&str> = values.into_iter().collect();
    let parsed: Vec<Challenge> = values.iter().flat_map(|v| parse_challenges(v)).collect();
    if let Some(b) = parsed
        .iter()
        .find(|c| matches!(c, Challenge::Bearer { .. }))
    {
        return b.clone();
    }
    if parsed.contains(&Challenge::Basic) {
        return Challenge::Basic;
    }
    let joined = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let offered = if values.is_empty() {
        "no WWW-Authenticate challenge".to_string()
    } else if joined.is_empty() {
        "an empty WWW-Authenticate challenge".to_string()
    } else {
        let mut shown: String = joined.chars().take(200).collect();
        if shown.len() < joined.len() {
            shown.push('…');
        }
        format!("WWW-Authenticate: {shown}")
    };
    Challenge::Unusable { offered }
}

/// The Auth error for a registry `host` whose 401 offered `offered` (see
/// [`Challenge::Unusable`]): no credentials were sent, and the hint says what imgctl answers.
pub fn unusable_challenge_error(host: &str, offered: &str) -> Error {
    Error::auth(format!(
        "registry {host} asks for authentication in a way imgctl cannot answer ({offered}); no credentials were sent"
    ))
    .with_hint(
        "imgctl answers only Basic and Bearer realm=\"…\" challenges: check the registry's auth configuration, or a proxy in front of it that rewrites WWW-Authenticate",
    )
}

/// Parses a `WWW-Authenticate` value into its challenges (RFC 9110 §11.6.1, with the
/// `http-auth` crate's RFC 7235 parser); schemes other than Basic and Bearer are skipped, as is
/// a Bearer without a realm. Scheme and parameter names are case-insensitive; values may be
/// tokens or quoted strings with `\` escapes. A syntax error ends the list: the challenges
/// before it stand, the rest (which cannot be read reliably) is dropped.
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut out = Vec::new();
    for parsed in http_auth::parser::ChallengeParser::new(header) {
        let Ok(c) = parsed else {
            break;
        };
        let get = |k: &str| {
            c.params
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.to_unescaped())
        };
        if c.scheme.eq_ignore_ascii_case("basic") {
            out.push(Challenge::Basic);
        } else if c.scheme.eq_ignore_ascii_case("bearer")
            && let Some(realm) = get("realm")
        {
            out.push(Challenge::Bearer {
                realm,
                service: get("service"),
                scope: get("scope"),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bearer_and_basic() {
        let c = parse_challenges(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push""#,
        );
        assert_eq!(
            c,
            vec![Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("repository:samalba/my-app:pull,push".into()),
            }]
        );
        assert_eq!(
            parse_challenges(r#"Basic realm="Registry Realm""#),
            vec![Challenge::Basic]
        );
        assert_eq!(parse_challenges("BASIC realm=x"), vec![Challenge::Basic]);
    }

    #[test]
    fn only_offered_schemes_are_selected() {
        let bearer = r#"Bearer realm="https://auth.example/token",service="reg""#;
        assert!(matches!(
            select_challenge([r#"Basic realm="x""#, bearer]),
            Challenge::Bearer { .. }
        ));
        assert_eq!(
            select_challenge(["OAuth2 realm=\"x\"", "Basic realm=x"]),
            Challenge::Basic
        );
        for (values, offered) in [
            (vec![], "no WWW-Authenticate challenge"),
            (vec!["", " "], "an empty WWW-Authenticate challenge"),
            (
                vec![r#"Bearer service="reg""#],
                r#"WWW-Authenticate: Bearer service="reg""#,
            ),
            (
                vec![r#"OAuth2 realm="https://auth.example""#],
                r#"WWW-Authenticate: OAuth2 realm="https://auth.example""#,
            ),
            (vec!["=,=\"\""], "WWW-Authenticate: =,=\"\""),
        ] {
            assert_eq!(
                select_challenge(values.iter().copied()),
                Challenge::Unusable {
                    offered: offered.to_string()
                },
                "{values:?}"
            );
        }
        let long = format!("Negotiate {}", "a".repeat(500));
        let Challenge::Unusable { offered } = select_challenge([long.as_str()]) else {
            panic!("Negotiate selected")
        };
        assert_eq!(offered.chars().count(), "WWW-Authenticate: ".len() + 201);
    }

    #[test]
    fn real_registry_challenges_fixture() {
        let v: serde_json::Value = serde_json::from_slice(&crate::fixture(
            "www-authenticate/real-registry-challenges.json",
        ))
        .unwrap();
        let cases = v
            .get("cases")
            .and_then(|c| c.as_array())
            .cloned()
            .unwrap_or_default();
        let mut checked = 0;
        for case in cases {
            let header = case["header"].as_str().unwrap_or_default();
            let got = parse_challenges(header);
            let want = case["expected"]["challenges"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let want_bearer: Vec<_> = want
                .iter()
                .filter(|c| {
                    c["scheme"]
                        .as_str()
                        .map(|s| s.eq_ignore_ascii_case("bearer"))
                        .unwrap_or(false)
                })
                .collect();
            let got_bearer: Vec<_> = got
                .iter()
                .filter(|c| matches!(c, Challenge::Bearer { .. }))
                .collect();
            assert_eq!(got_bearer.len(), want_bearer.len(), "{header}");
            for (g, w) in got_bearer.iter().zip(want_bearer) {
                let params = &w["params"];
                if let Challenge::Bearer {
                    realm,
                    service,
                    scope,
                } = g
                {
                    assert_eq!(Some(realm.as_str()), params["realm"].as_str(), "{header}");
                    assert_eq!(service.as_deref(), params["service"].as_str(), "{header}");
                    assert_eq!(scope.as_deref(), params["scope"].as_str(), "{header}");
                }
            }
            checked += 1;
        }
        assert!(checked > 0);
    }

    #[test]
    fn several_challenges_escapes_and_syntax_errors() {
        // Two challenges in one value, names in any case, an escaped quote in a value.
        assert_eq!(
            parse_challenges(
                r#"Basic realm="r", BEARER Realm="https://a/t?x=1",Service="s\"q",scope=repo"#
            ),
            vec![
                Challenge::Basic,
                Challenge::Bearer {
                    realm: "https://a/t?x=1".into(),
                    service: Some("s\"q".into()),
                    scope: Some("repo".into()),
                }
            ]
        );
        // Unknown schemes are skipped; a Bearer without realm is not answerable.
        assert_eq!(
            parse_challenges(r#"Negotiate, Bearer service="x", Basic realm="y""#),
            vec![Challenge::Basic]
        );
        // A syntax error ends the list; what came before it stands.
        assert_eq!(
            parse_challenges(r#"Basic realm="y", Bearer realm="unterminated"#),
            vec![Challenge::Basic]
        );
        assert!(parse_challenges("=,=\"\"").is_empty());
        assert!(parse_challenges("").is_empty());
    }
}
