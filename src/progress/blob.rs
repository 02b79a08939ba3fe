//! One blob's progress handle: its counters, its bar (tty) and its JSON events.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use super::bars::Bars;
use super::emit::emit_json;
use super::state::BlobState;
use super::totals::Totals;
use super::{BlobOutcome, Mode};

/// Progress of one blob; cheap to update from the transfer loop; clones share counters.
#[derive(Clone)]
pub struct BlobProgress {
    pub(super) state: Arc<BlobState>,
    pub(super) totals: Arc<Totals>,
    pub(super) bars: Option<Arc<Bars>>,
}

impl BlobProgress {
    /// A handle that reports nothing.
    pub fn hidden() -> BlobProgress {
        BlobProgress {
            state: Arc::new(BlobState {
                label: String::new(),
                digest: String::new(),
                mode: Mode::None,
                size: 0,
                bytes: AtomicU64::new(0),
                bar: OnceLock::new(),
                committing: AtomicBool::new(false),
                finished: AtomicBool::new(false),
            }),
            totals: Totals::new(),
            bars: None,
        }
    }
    /// A handle sharing this blob's counters (for request bodies that must be `'static`).
    pub fn handle(&self) -> BlobProgress {
        self.clone()
    }
    /// Bytes moved so far.
    pub fn position(&self) -> u64 {
        self.state.bytes.load(Ordering::Relaxed)
    }
    /// Adds `n` bytes moved.
    pub fn inc(&self, n: u64) {
        let pos = self.state.bytes.fetch_add(n, Ordering::Relaxed) + n;
        self.totals.bytes.fetch_add(n, Ordering::Relaxed);
        if let Some(b) = self.state.bar.get() {
            b.inc(n);
        }
        self.update_committing(pos);
    }
    /// Sets the position (bytes) after a resume or restart.
    pub fn set_position(&self, pos: u64) {
        let old = self.state.bytes.swap(pos, Ordering::Relaxed);
        if pos >= old {
            // A resume: the bytes up to `pos` were there already, not moved now.
            self.totals.bytes.fetch_add(pos - old, Ordering::Relaxed);
            self.totals.kept.fetch_add(pos - old, Ordering::Relaxed);
        } else {
            // A restart: the bytes sent before count again when resent.
            let back = |b: u64| Some(b.saturating_sub(old - pos));
            let _ = self
                .totals
                .bytes
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, back);
            let _ = self
                .totals
                .kept
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, back);
        }
        if let Some(b) = self.state.bar.get() {
            b.set_position(pos);
        }
        self.update_committing(pos);
    }
    /// A bar at 100 % says `committing` until the blob is finished (or restarts).
    pub(super) fn update_committing(&self, pos: u64) {
        let full = self.state.size > 0 && pos >= self.state.size;
        if self.state.committing.swap(full, Ordering::Relaxed) != full
            && let (Some(bar), Some(bars)) = (self.state.bar.get(), &self.bars)
        {
            bar.set_style(bars.blob_style(full));
        }
    }
    /// Marks the blob done with `outcome`. A skipped or mounted blob leaves the expected total;
    /// its bar (tty) leaves the screen.
    pub fn finish(&self, outcome: BlobOutcome) {
        if self.state.finished.swap(true, Ordering::SeqCst) {
            return;
        }
        self.totals.blobs_done.fetch_add(1, Ordering::Relaxed);
        let (status, bytes) = match outcome {
            BlobOutcome::Uploaded(n) => ("copied", n),
            BlobOutcome::Skipped => ("skipped", 0),
            BlobOutcome::Mounted => ("mounted", 0),
        };
        let unmoved = self.state.size.saturating_sub(self.position());
        if unmoved > 0 {
            let _ = self
                .totals
                .total
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                    Some(t.saturating_sub(unmoved))
                });
        }
        if let Some(b) = &self.bars {
            b.release(&self.state);
        }
        if self.state.mode == Mode::Json {
            emit_json(serde_json::json!({
                "event": "blob", "digest": self.state.digest, "size": self.state.size,
                "status": status, "bytes": bytes
            }));
        }
    }
}
