//! Listings (OCI distribution spec v1.1, "Listing Tags"; distribution's `/v2/_catalog`): pages
//! followed through `Link: <…>; rel="next"` (RFC 8288), same host only.

use oci_spec::distribution::{RepositoryList, TagList};
use reqwest::StatusCode;
use reqwest::header;
use tracing::{debug, warn};

use super::repository::{Access, Repository};
use super::whole::fetch_whole;
use crate::error::{Error, ErrorKind, Result};

impl Repository {
    /// Lists the repository's tags (GET `tags/list`), following `Link: <…>; rel="next"` to
    /// the end. Tags are returned in the registry's order. Same as [`Repository::tags_paged`]
    /// with no page size.
    pub async fn tags(&self) -> Result<Vec<String>> {
        self.tags_paged(None).await
    }

    /// Lists the repository's tags (distribution spec "Listing Tags"), asking for pages of
    /// `page_size` tags (`?n=`; registries may ignore it, distribution 2.8 does) and following
    /// `Link: <…>; rel="next"` (relative or absolute, same host only) to the end. A `Link`
    /// whose target is no URL (the spec's placeholder `<<url>?n=…>`) ends the listing with a
    /// warning; the tags read so far are returned.
    ///
    /// Errors: NotFound for an unknown repository; Auth; Integrity when a `Link` leads to
    /// another host or back to a page already read; Other on a malformed body.
    pub async fn tags_paged(&self, page_size: Option<u32>) -> Result<Vec<String>> {
        let url = self.url("tags/list").await?;
        let what = || format!("cannot list tags of {}/{}", self.registry, self.name);
        self.list_pages(url, page_size, "tags", what).await
    }

    /// Lists the repositories of this handle's registry (GET `/v2/_catalog`), in pages of
    /// [`CATALOG_PAGE_SIZE`]. Same as [`Repository::catalog_paged`] with that size.
    pub async fn catalog(&self) -> Result<Vec<String>> {
        self.catalog_paged(Some(CATALOG_PAGE_SIZE)).await
    }

    /// Lists the repositories of this handle's registry (GET `/v2/_catalog`, distribution
    /// spec "Listing Repositories"), asking for pages of `page_size` names (`?n=`) and
    /// following `Link: <…>; rel="next"` to the end. A registry answering the first page 400
    /// (distribution 3 refuses `n` over its `catalog.maxentries`) is asked again without `n`.
    /// The handle's repository only seeds the first token request; a Bearer challenge for
    /// `registry:catalog:*` is answered by the usual re-authentication.
    ///
    /// Errors: Auth when the request was anonymous (hint: log in) or the account may not list
    /// the catalog (hint: the `registry:catalog:*` permission); NotFound when the registry has
    /// no catalog API; Integrity when a `Link` leads to another host or loops; Other on a
    /// malformed body.
    pub async fn catalog_paged(&self, page_size: Option<u32>) -> Result<Vec<String>> {
        let url = format!("{}/v2/_catalog", self.base().await?);
        let what = || format!("cannot list the repositories of {}", self.registry);
        self.list_pages(url, page_size, "repositories", what)
            .await
            .map_err(|e| {
                if e.kind() == ErrorKind::Auth && !self.anonymous() {
                    e.with_hint(self.auth_hint(
                        "the catalog (listing it needs the registry:catalog:* permission)",
                    ))
                } else {
                    e
                }
            })
    }

    /// GETs `first` (with `?n=page_size` when given) and every page its `Link: <…>;
    /// rel="next"` headers lead to, collecting the string array `key` of each JSON body. A
    /// first page answered 400 with `n` is asked again without it.
    pub(super) async fn list_pages(
        &self,
        first: String,
        page_size: Option<u32>,
        key: &str,
        what: impl Fn() -> String,
    ) -> Result<Vec<String>> {
        let plain = url::Url::parse(&first)
            .map_err(|e| Error::other(format!("bad registry URL {first:?}: {e}")))?;
        let mut url = plain.clone();
        if let Some(n) = page_size {
            url.query_pairs_mut().append_pair("n", &n.to_string());
        }
        let mut sized = page_size.is_some();
        let mut visited = std::collections::HashSet::new();
        let mut out = Vec::new();
        loop {
            let u = url.to_string();
            if !visited.insert(u.clone()) {
                return Err(Error::integrity(format!(
                    "the registry's Link pagination loops back to {u}"
                ))
                .context(what()));
            }
            let resp = fetch_whole(&self.client, &u, MAX_LIST_BYTES, key_name(key), || {
                self.send(Access::Pull, || self.client.http().get(&u))
            })
            .await
            .map_err(|e| e.context(what()))?;
            if sized && resp.status == StatusCode::BAD_REQUEST && out.is_empty() {
                debug!(url = %u, "page size refused; asking with the registry's default");
                sized = false;
                visited.clear();
                url = plain.clone();
                continue;
            }
            sized = false;
            self.expect_whole(&resp, &[StatusCode::OK], &what)?;
            let next = resp
                .headers
                .get_all(header::LINK)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(parse_next_link);
            let body = resp.body;
            let names = page_names(&body, key)
                .map_err(|e| Error::other(format!("invalid {key} list: {e}")).context(what()))?;
            out.extend(names);
            let Some(next) = next else {
                return Ok(out);
            };
            // A target that is no URL (the spec's own placeholder `<<url>?n=…>`, copied by
            // some registries) ends the listing: what was read is kept.
            let Some(next) = link_target(&url, &next) else {
                warn!(
                    "{}: the registry's Link header names no URL ({next:?}); keeping the {} {key} read so far",
                    what(),
                    out.len()
                );
                return Ok(out);
            };
            // Credentials go only where the listing started (a Link is like a redirect).
            if next.origin() != url.origin() {
                return Err(Error::integrity(format!(
                    "the registry's Link pagination leads to another host ({next})"
                ))
                .context(what()));
            }
            url = next;
        }
    }
}

/// The names of one list page `body`: the strings under `key` (`tags` or `repositories`).
/// oci-spec's [`TagList`] / [`RepositoryList`] read a page that follows the spec; a tolerant
/// reading takes the rest (`"tags": null` for a repository without tags, a missing `name`).
/// Errors: the JSON error when the body is neither.
fn page_names(body: &[u8], key: &str) -> std::result::Result<Vec<String>, serde_json::Error> {
    if key == "tags" {
        if let Ok(list) = serde_json::from_slice::<TagList>(body) {
            return Ok(list.tags().clone());
        }
    } else if let Ok(list) = serde_json::from_slice::<RepositoryList>(body) {
        return Ok(list.repositories().clone());
    }
    #[derive(serde::Deserialize)]
    struct Page {
        #[serde(default)]
        tags: Option<Vec<String>>,
        #[serde(default)]
        repositories: Option<Vec<String>>,
    }
    let page: Page = serde_json::from_slice(body)?;
    let names = if key == "tags" {
        page.tags
    } else {
        page.repositories
    };
    Ok(names.unwrap_or_default())
}

/// The URL a `Link` target (RFC 8288 §3, a URI reference) names, resolved against the page
/// `base` it came with; None when it is no URI reference (empty, or holding characters a URI
/// cannot hold unencoded: spaces, `<`, `>`, `"`, `{`, `}`, `|`, `\`, `^`, a backquote, or a
/// control character).
pub(super) fn link_target(base: &url::Url, target: &str) -> Option<url::Url> {
    let target = target.trim();
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`".contains(c);
    if target.is_empty() || target.chars().any(bad) {
        return None;
    }
    base.join(target).ok()
}

/// Largest tag or repository list page accepted, in bytes.
pub(super) const MAX_LIST_BYTES: usize = 64 * 1024 * 1024;

/// The name of the list a `list_pages` key holds, for messages.
pub(super) fn key_name(key: &str) -> &'static str {
    if key == "tags" {
        "tag list"
    } else {
        "repository list"
    }
}

/// Page size `imgctl catalog` asks for (`?n=`); distribution 2.8 pages by 100 without it, and
/// distribution 3 allows up to 1000 by default.
pub const CATALOG_PAGE_SIZE: u32 = 1000;

/// Extracts the target of `rel="next"` from a `Link` header value (RFC 8288).
pub fn parse_next_link(v: &str) -> Option<String> {
    for part in v.split(',') {
        let part = part.trim();
        let (target, params) = part.split_once('>')?;
        let target = target.trim().strip_prefix('<')?;
        if params
            .split(';')
            .map(|p| p.trim().replace(' ', ""))
            .any(|p| p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next"))
        {
            return Some(target.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_targets_that_are_no_urls_are_refused() {
        let base = url::Url::parse("http://r:5000/v2/app/tags/list?n=2").unwrap();
        // the distribution spec's placeholder, as parse_next_link reads it
        let placeholder = parse_next_link("<<url>?n=2&last=b>; rel=\"next\"").unwrap();
        assert_eq!(link_target(&base, &placeholder), None);
        for t in ["", "  ", "/v2/app/tags/list?last=<b>", "a b", "{url}"] {
            assert_eq!(link_target(&base, t), None, "{t:?}");
        }
        assert_eq!(
            link_target(&base, "/v2/app/tags/list?last=b&n=2").map(|u| u.to_string()),
            Some("http://r:5000/v2/app/tags/list?last=b&n=2".to_string())
        );
        assert_eq!(
            link_target(&base, "http://other/v2/x").map(|u| u.to_string()),
            Some("http://other/v2/x".to_string())
        );
    }

    #[test]
    fn list_pages_follow_the_spec_or_are_read_tolerantly() {
        let names = |b: &str, k: &str| page_names(b.as_bytes(), k);
        assert_eq!(
            names(r#"{"name":"app","tags":["a","b"]}"#, "tags").unwrap(),
            ["a", "b"]
        );
        // odd registries: no tags (null), no name, extra fields
        assert!(
            names(r#"{"name":"app","tags":null}"#, "tags")
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            names(r#"{"tags":["x"],"extra":{}}"#, "tags").unwrap(),
            ["x"]
        );
        assert_eq!(
            names(r#"{"repositories":["r/a"],"next":1}"#, "repositories").unwrap(),
            ["r/a"]
        );
        assert!(
            names(r#"{"repositories":null}"#, "repositories")
                .unwrap()
                .is_empty()
        );
        assert!(names(r#"{"tags":"a"}"#, "tags").is_err());
        assert!(names("not json", "repositories").is_err());
    }

    #[test]
    fn link_headers_fixture() {
        assert_eq!(
            parse_next_link(r#"</v2/x/tags/list?last=b&n=2>; rel="next""#).as_deref(),
            Some("/v2/x/tags/list?last=b&n=2")
        );
        let v: serde_json::Value = serde_json::from_slice(&crate::fixture(
            "link-headers/link-headers-tag-and-catalog-pagination.json",
        ))
        .unwrap();
        let cases = v["cases"].as_array().cloned().unwrap_or_default();
        assert!(!cases.is_empty());
        for c in cases {
            let header = c["header"].as_str().unwrap();
            let base = url::Url::parse(c["request_url"].as_str().unwrap()).unwrap();
            let next = parse_next_link(header).map(|n| base.join(&n).unwrap().to_string());
            assert_eq!(next.as_deref(), c["expected_next_url"].as_str(), "{header}");
        }
    }
}
