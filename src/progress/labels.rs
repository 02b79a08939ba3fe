//! Labels in front of blob bars: the image's (shortened from its start) and the digest's.

/// Longest image label in front of a blob bar, in characters (longer ones keep their end).
pub(super) const MAX_IMAGE_LABEL: usize = 20;

/// `sha256:0123456789ab`: a digest shortened to 12 hex characters for bars; other labels as
/// they are.
pub(super) fn short_label(digest: &str) -> String {
    match digest.split_once(':') {
        Some((alg, hex)) if hex.len() > 12 => format!("{alg}:{}", &hex[..12]),
        _ => digest.to_string(),
    }
}

/// `image` as a bar label: at most [`MAX_IMAGE_LABEL`] characters, a long one keeping its end
/// after `…`.
pub(super) fn image_label(image: &str) -> String {
    match image.chars().count() {
        n if n > MAX_IMAGE_LABEL => {
            let tail: String = image.chars().skip(n - (MAX_IMAGE_LABEL - 1)).collect();
            format!("…{tail}")
        }
        _ => image.to_string(),
    }
}
