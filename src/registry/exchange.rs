//! One HTTP exchange as imgctl logs and compares it, whatever client sent it: the host a URL
//! names, a URL without the query that may carry secrets, and the `-vv` trace line.

use std::time::Instant;

use reqwest::Response;

/// `host[:port]` of `u` as the registry's host is written (port only when explicit).
pub(super) fn url_host(u: &url::Url) -> String {
    match u.port() {
        Some(p) => format!("{}:{p}", u.host_str().unwrap_or("")),
        None => u.host_str().unwrap_or("").to_string(),
    }
}

/// `url` without its query and fragment: queries can carry upload state or, after a redirect
/// to storage, signed credentials; logs never show them.
pub(super) fn without_query(url: &url::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// Logs one HTTP exchange at trace level (`-vv`): method, URL without query, status, the
/// final URL's host when a redirect was followed, and the time to the response headers.
/// Never a header value (Authorization, cookies) nor a body.
pub(super) fn trace_exchange(method: &str, url: &str, resp: &Response, started: Instant) {
    let redirected = without_query(resp.url());
    if redirected == url {
        tracing::trace!(
            "{method} {url} → {} in {:.0?}",
            resp.status(),
            started.elapsed()
        );
    } else {
        tracing::trace!(
            "{method} {url} → {} (redirected to {redirected}) in {:.0?}",
            resp.status(),
            started.elapsed()
        );
    }
}
