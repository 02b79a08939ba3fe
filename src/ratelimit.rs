//! Docker Hub pull rate limits, read from the headers of a manifest HEAD (which does not count
//! against the limit): `RateLimit-Limit: 100;w=21600`, `RateLimit-Remaining: 76;w=21600`,
//! `Docker-RateLimit-Source: <ip or account>`.

use reqwest::header::HeaderMap;

use crate::error::Result;
use crate::reference::Reference;
use crate::registry::Client;

/// The repository Docker documents for checking limits without pulling.
pub const DEFAULT_REFERENCE: &str = "docker.io/ratelimitpreview/test:latest";

/// A registry's answer about pull limits.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RateLimit {
    /// The image asked about.
    pub reference: String,
    /// HTTP status of the HEAD.
    pub status: u16,
    /// Pulls allowed per window, when reported.
    pub limit: Option<u64>,
    /// Pulls left in the current window, when reported.
    pub remaining: Option<u64>,
    /// Window length in seconds, when reported.
    #[serde(rename = "windowSeconds")]
    pub window_seconds: Option<u64>,
    /// What the limit is counted against (an IP address or an account id).
    pub source: Option<String>,
}

/// Parses a `RateLimit-*` value `N[;w=SECONDS]` into (N, window).
pub fn parse_value(v: &str) -> Option<(u64, Option<u64>)> {
    let mut parts = v.split(';');
    let n = parts.next()?.trim().parse().ok()?;
    let w = parts.find_map(|p| p.trim().strip_prefix("w=").and_then(|w| w.parse().ok()));
    Some((n, w))
}

/// Reads the rate-limit headers of `headers` (absent headers stay `None`).
pub fn from_headers(reference: &str, status: u16, headers: &HeaderMap) -> RateLimit {
    let get = |k: &str| headers.get(k).and_then(|v| v.to_str().ok());
    let limit = get("ratelimit-limit").and_then(parse_value);
    let remaining = get("ratelimit-remaining").and_then(parse_value);
    RateLimit {
        reference: reference.to_string(),
        status,
        limit: limit.map(|l| l.0),
        remaining: remaining.map(|r| r.0),
        window_seconds: limit.and_then(|l| l.1).or(remaining.and_then(|r| r.1)),
        source: get("docker-ratelimit-source").map(str::to_string),
    }
}

/// HEADs the manifest `reference` names and reports the limits. Errors: Network, Auth.
pub async fn check(client: &Client, reference: &Reference) -> Result<RateLimit> {
    let repo = client.repository(&reference.registry, &reference.repository);
    let (status, headers) = repo
        .head_manifest_headers(&reference.manifest_ref())
        .await?;
    Ok(from_headers(&reference.to_string(), status, &headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_headers() {
        let mut h = HeaderMap::new();
        h.insert("ratelimit-limit", "100;w=21600".parse().unwrap());
        h.insert("ratelimit-remaining", "76;w=21600".parse().unwrap());
        h.insert("docker-ratelimit-source", "192.0.2.1".parse().unwrap());
        let r = from_headers("x", 200, &h);
        assert_eq!(
            (r.limit, r.remaining, r.window_seconds, r.source.as_deref()),
            (Some(100), Some(76), Some(21600), Some("192.0.2.1"))
        );
        assert_eq!(parse_value("5"), Some((5, None)));
        assert_eq!(parse_value("x;w=1"), None);
        assert_eq!(from_headers("x", 200, &HeaderMap::new()).limit, None);
    }
}
