//! The terminal (`tty`) mode: indicatif bars, the aggregate line at the bottom and at most
//! [`MAX_BLOB_BARS`] blob bars above it.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::state::BlobState;
use super::totals::Snapshot;

/// Blob bars shown at once on a terminal. Further blobs in flight count in the aggregate line
/// and get a bar when a shown one finishes.
pub const MAX_BLOB_BARS: usize = 3;

/// How often the terminal's aggregate line is refreshed.
pub(super) const TTY_REFRESH: Duration = Duration::from_millis(100);

/// the blob bars above it.
pub(super) struct Bars {
    pub(super) multi: MultiProgress,
    pub(super) color: bool,
    pub(super) state: Mutex<BarsState>,
}

#[derive(Default)]
pub(super) struct BarsState {
    pub(super) aggregate: Option<ProgressBar>,
    /// Blob bars on screen.
    pub(super) shown: usize,
    /// Blobs in flight without a bar, oldest first.
    pub(super) waiting: VecDeque<Weak<BlobState>>,
}

impl Bars {
    /// Gives `blob` a bar when fewer than [`MAX_BLOB_BARS`] are shown, else queues it.
    pub(super) fn attach(&self, blob: &Arc<BlobState>) {
        let mut st = self.state.lock().expect("bars lock");
        if st.shown < MAX_BLOB_BARS {
            self.show(&mut st, blob);
        } else {
            st.waiting.push_back(Arc::downgrade(blob));
        }
    }

    pub(super) fn show(&self, st: &mut BarsState, blob: &Arc<BlobState>) {
        let bar = ProgressBar::new(blob.size);
        bar.set_style(self.blob_style(blob.committing.load(Ordering::Relaxed)));
        bar.set_prefix(blob.label.clone());
        bar.set_position(blob.bytes.load(Ordering::Relaxed));
        let bar = match &st.aggregate {
            Some(agg) => self.multi.insert_before(agg, bar),
            None => self.multi.add(bar),
        };
        st.shown += 1;
        let _ = blob.bar.set(bar);
    }

    /// A blob bar's style, within 80 columns after its 40-column label: the bar and
    /// `sent/size`, or, once every byte is sent and the destination is storing the blob, the
    /// size and `committing`.
    pub(super) fn blob_style(&self, committing: bool) -> ProgressStyle {
        let template = match (committing, self.color) {
            (false, true) => "{prefix} [{wide_bar:.cyan/blue}] {bytes:>10}/{total_bytes:<10}",
            (false, false) => "{prefix} [{wide_bar}] {bytes:>10}/{total_bytes:<10}",
            (true, true) => "{prefix} [{wide_bar:.cyan/blue}] {total_bytes:>10} committing",
            (true, false) => "{prefix} [{wide_bar}] {total_bytes:>10} committing",
        };
        ProgressStyle::with_template(template)
            .expect("static template")
            .progress_chars("=> ")
    }

    /// Takes `blob`'s bar off the screen (when it has one) and gives it to the oldest blob
    /// still waiting.
    pub(super) fn release(&self, blob: &BlobState) {
        let mut st = self.state.lock().expect("bars lock");
        let Some(bar) = blob.bar.get() else {
            return;
        };
        bar.finish_and_clear();
        self.multi.remove(bar);
        st.shown -= 1;
        while let Some(w) = st.waiting.pop_front() {
            if let Some(next) = w.upgrade()
                && !next.finished.load(Ordering::SeqCst)
            {
                self.show(&mut st, &next);
                break;
            }
        }
    }

    /// Redraws the aggregate line from `s` (made on first use); `committing` when every blob
    /// is done and a copy is writing its manifests; `last` finishes it with the totals.
    pub(super) fn aggregate(&self, s: &Snapshot, committing: bool, last: bool) {
        let agg = {
            let mut st = self.state.lock().expect("bars lock");
            st.aggregate
                .get_or_insert_with(|| {
                    let bar = ProgressBar::new(1);
                    let template = if self.color {
                        "[{bar:10.cyan/blue}] {wide_msg}"
                    } else {
                        "[{bar:10}] {wide_msg}"
                    };
                    bar.set_style(
                        ProgressStyle::with_template(template)
                            .expect("static template")
                            .progress_chars("=> "),
                    );
                    // Drawn first with its text, never empty.
                    bar.set_message(s.tty_message(committing, last));
                    self.multi.add(bar)
                })
                .clone()
        };
        if s.total == 0 {
            let full = s.images_total > 0 && s.images_done >= s.images_total;
            agg.set_length(1);
            agg.set_position(u64::from(full || last));
        } else {
            agg.set_length(s.total);
            agg.set_position(s.bytes);
        }
        agg.set_message(s.tty_message(committing, last));
        if last {
            agg.finish();
        }
    }
}
