//! What the progress handles of one blob share: its counters and its bar. A leaf of the
//! progress module, read by the blob handle (blob.rs) and the terminal bars (bars.rs).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64};

use indicatif::ProgressBar;

use super::Mode;

/// What the handles of one blob share.
pub(super) struct BlobState {
    /// Its bar's label: the image's, then the short digest.
    pub(super) label: String,
    /// The blob's full digest (JSON events).
    pub(super) digest: String,
    pub(super) mode: Mode,
    pub(super) size: u64,
    pub(super) bytes: AtomicU64,
    /// Its bar, once it has one (tty, at most [`MAX_BLOB_BARS`](super::MAX_BLOB_BARS) at a time).
    pub(super) bar: OnceLock<ProgressBar>,
    /// Every byte is sent or read; the destination is still storing it.
    pub(super) committing: AtomicBool,
    pub(super) finished: AtomicBool,
}
