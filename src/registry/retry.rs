//! The retry policy (README "Reliability"): which failures are worth another attempt, how
//! long to wait before it, and the server's `Retry-After`. Pure functions of statuses, headers
//! and errors: it knows nothing of the client, so that every request path (the ping, the one
//! send, token requests, uploads, downloads) shares it.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};

use super::errors::{error_chain, no_such_host};

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

/// The exponential part of the schedule: 0.5 s, doubling, capped at 8 s, unbounded in count
/// (`RetryPolicy::retries` bounds the attempts). backon's own jitter (up to +100%) is not
/// used: the README promises at most 25%.
const SCHEDULE: ExponentialBuilder = ExponentialBuilder::new()
    .with_min_delay(Duration::from_millis(500))
    .with_factor(2.0)
    .with_max_delay(Duration::from_secs(8))
    .without_max_times();

/// Time to wait before retry `attempt` (1-based; 0 counts as 1): the server's `Retry-After`
/// when given (capped at 60 s, taken as it is), else [`SCHEDULE`]'s `attempt`-th delay plus up
/// to 25% random jitter, so that parallel transfers failing together do not all retry at the
/// same instant.
fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(d) = retry_after {
        return d.min(Duration::from_secs(60));
    }
    // The delay reaches its cap after 5 steps; a longer walk changes nothing.
    let step = attempt.clamp(1, 6) as usize - 1;
    let base = SCHEDULE.build().nth(step).unwrap_or(Duration::from_secs(8));
    base + base.mul_f64(fastrand::f64() * 0.25)
}

/// The `Retry-After` response header (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date
/// (the time from now until then; zero when it is past). None when absent or unreadable.
pub(super) fn retry_after(h: &HeaderMap) -> Option<Duration> {
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

/// Whether a transport error is worth another attempt: connect errors and timeouts (and, for
/// requests already sent, `request` errors), except a host name that does not exist — a
/// permanent answer that retrying only delays (skopeo and curl fail at once too). A temporary
/// resolver failure ("Temporary failure in name resolution") is retried.
pub(super) fn retryable_transport(e: &reqwest::Error, sent: bool) -> bool {
    (e.is_connect() || e.is_timeout() || (sent && e.is_request())) && !no_such_host(&error_chain(e))
}

/// Whether a response with status `s` is worth another attempt: 408, 429 and 5xx.
pub(super) fn retryable_status(s: StatusCode) -> bool {
    s == StatusCode::REQUEST_TIMEOUT || s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use std::collections::BTreeSet;

    #[test]
    fn backoff_grows_with_jitter_and_retry_after_takes_seconds_and_http_dates() {
        // the schedule before jitter: 0.5 s doubling, capped at 8 s, never running out
        let ms: Vec<u128> = SCHEDULE.build().take(8).map(|d| d.as_millis()).collect();
        assert_eq!(ms, [500, 1000, 2000, 4000, 8000, 8000, 8000, 8000]);
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
}
