//! Registry error responses (OCI distribution spec, "Error Codes"): the JSON envelope
//! `{"errors":[{"code","message","detail"}]}` mapped to imgctl error kinds.

use reqwest::StatusCode;

use crate::error::{Error, ErrorKind};

#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(default)]
    errors: Vec<Entry>,
}

#[derive(serde::Deserialize)]
struct Entry {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// Builds an [`Error`] from a failed response's `status` and `body` (bytes, possibly not JSON).
///
/// The kind follows the envelope's first code when known (`UNAUTHORIZED`/`DENIED` → Auth,
/// `*_UNKNOWN` → NotFound, `TOOMANYREQUESTS` → RateLimited, `DIGEST_INVALID` → Integrity),
/// else the status (401/403 → Auth, 404 → NotFound, 429 → RateLimited, 5xx → Network); a 413
/// (a request size limit) is Other whatever its code.
/// The message shows the status and every `code: message`; a non-JSON body is quoted briefly.
pub fn from_response(status: StatusCode, body: &[u8]) -> Error {
    let mut kind = match status.as_u16() {
        401 | 403 => ErrorKind::Auth,
        404 => ErrorKind::NotFound,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Network,
        _ => ErrorKind::Other,
    };
    let mut msg = format!("registry responded {status}");
    match serde_json::from_slice::<Envelope>(body) {
        Ok(env) if !env.errors.is_empty() => {
            if let Some(k) = env.errors.first().and_then(|e| kind_of_code(&e.code)) {
                kind = k;
            }
            // 413 is a size limit of the registry (or a proxy in front of it), whatever the
            // code says (SIZE_INVALID): not a sign of corrupt content.
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                kind = ErrorKind::Other;
            }
            let parts: Vec<String> = env
                .errors
                .iter()
                .map(|e| match (e.code.is_empty(), e.message.is_empty()) {
                    (false, false) => format!("{}: {}", e.code, e.message),
                    (false, true) => e.code.clone(),
                    _ => e.message.clone(),
                })
                .collect();
            msg.push_str(": ");
            msg.push_str(&parts.join("; "));
        }
        _ => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if !text.is_empty() {
                let short: String = text.chars().take(200).collect();
                msg.push_str(&format!(": {short}"));
            }
        }
    }
    Error::new(kind, msg)
}

fn kind_of_code(code: &str) -> Option<ErrorKind> {
    Some(match code {
        "UNAUTHORIZED" | "DENIED" => ErrorKind::Auth,
        "MANIFEST_UNKNOWN"
        | "BLOB_UNKNOWN"
        | "NAME_UNKNOWN"
        | "BLOB_UPLOAD_UNKNOWN"
        | "NOT_FOUND" => ErrorKind::NotFound,
        "TOOMANYREQUESTS" => ErrorKind::RateLimited,
        "DIGEST_INVALID" | "SIZE_INVALID" => ErrorKind::Integrity,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_envelopes() {
        let e = from_response(
            StatusCode::NOT_FOUND,
            br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}"#,
        );
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(e.to_string().contains("MANIFEST_UNKNOWN: manifest unknown"));
        let e = from_response(StatusCode::TOO_MANY_REQUESTS, b"slow down");
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(e.to_string().contains("slow down"));
        let e = from_response(StatusCode::UNAUTHORIZED, b"");
        assert_eq!(e.kind(), ErrorKind::Auth);
        // a size limit is not an integrity failure; a size that does not match is
        let e = from_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            br#"{"errors":[{"code":"SIZE_INVALID","message":"chunk too large"}]}"#,
        );
        assert_eq!(e.kind(), ErrorKind::Other);
        assert!(e.to_string().contains("SIZE_INVALID: chunk too large"));
        let e = from_response(
            StatusCode::BAD_REQUEST,
            br#"{"errors":[{"code":"SIZE_INVALID","message":"size mismatch"}]}"#,
        );
        assert_eq!(e.kind(), ErrorKind::Integrity);
    }
}
