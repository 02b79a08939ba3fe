//! Run-wide counters and their aggregate line: what the plain mode prints, the JSON
//! `progress` event carries and the terminal's aggregate bar shows.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::HumanBytes;

/// Run-wide counters shared by every blob handle of a [`Reporter`].
#[derive(Debug)]
pub(super) struct Totals {
    pub(super) started: Instant,
    /// Bytes moved so far.
    pub(super) bytes: AtomicU64,
    /// Of `bytes`, those a resume found already there (a kept partial download, an upload
    /// offset the registry had): counted as done, but not in the transfer rate.
    pub(super) kept: AtomicU64,
    /// Bytes expected to move (sizes of blobs announced, less those skipped or mounted).
    pub(super) total: AtomicU64,
    pub(super) blobs_done: AtomicU64,
    pub(super) blobs_total: AtomicU64,
    pub(super) images_done: AtomicU64,
    pub(super) images_total: AtomicU64,
    /// Single copies started and finished (counted as images when no batch announced any).
    pub(super) copies_started: AtomicU64,
    pub(super) copies_done: AtomicU64,
}

impl Totals {
    pub(super) fn new() -> Arc<Totals> {
        Arc::new(Totals {
            started: Instant::now(),
            bytes: AtomicU64::new(0),
            kept: AtomicU64::new(0),
            total: AtomicU64::new(0),
            blobs_done: AtomicU64::new(0),
            blobs_total: AtomicU64::new(0),
            images_done: AtomicU64::new(0),
            images_total: AtomicU64::new(0),
            copies_started: AtomicU64::new(0),
            copies_done: AtomicU64::new(0),
        })
    }

    pub(super) fn snapshot(&self) -> Snapshot {
        let bytes = self.bytes.load(Ordering::Relaxed);
        let total = self.total.load(Ordering::Relaxed).max(bytes);
        let secs = self.started.elapsed().as_secs_f64();
        let moved = bytes.saturating_sub(self.kept.load(Ordering::Relaxed));
        let rate = if secs > 0.0 { moved as f64 / secs } else { 0.0 };
        let eta =
            (rate > 0.0 && total > bytes).then(|| ((total - bytes) as f64 / rate).ceil() as u64);
        // A batch (sync) announces its images; a single copy (or one with its referrers)
        // counts the copies it runs.
        let (images_done, images_total) = match self.images_total.load(Ordering::Relaxed) {
            0 => (
                self.copies_done.load(Ordering::Relaxed),
                self.copies_started.load(Ordering::Relaxed),
            ),
            n => (self.images_done.load(Ordering::Relaxed), n),
        };
        Snapshot {
            seconds: secs,
            bytes,
            total,
            rate: rate as u64,
            eta,
            blobs_done: self.blobs_done.load(Ordering::Relaxed),
            blobs_total: self.blobs_total.load(Ordering::Relaxed),
            images_done,
            images_total,
        }
    }
}

/// The aggregate state at one moment.
#[derive(Debug, Clone, Copy, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Snapshot {
    /// Since the reporter was made.
    #[serde(skip)]
    pub(super) seconds: f64,
    pub(super) bytes: u64,
    #[serde(rename = "totalBytes")]
    pub(super) total: u64,
    #[serde(rename = "bytesPerSecond")]
    pub(super) rate: u64,
    #[serde(rename = "etaSeconds")]
    pub(super) eta: Option<u64>,
    pub(super) blobs_done: u64,
    pub(super) blobs_total: u64,
    pub(super) images_done: u64,
    pub(super) images_total: u64,
}

impl Snapshot {
    /// Whether anything progressed yet: a byte moved, a blob or an image done. Before that
    /// (an early error, a destination that cannot be reached, a sync still planning) an
    /// aggregate line would only say `0 B/…`.
    pub(super) fn started(&self) -> bool {
        self.bytes > 0 || self.blobs_done > 0 || self.images_done > 0
    }

    /// `images 3/25` (`images 3` when the total is unknown).
    pub(super) fn images(&self) -> String {
        if self.images_total > 0 {
            format!("images {}/{}", self.images_done, self.images_total)
        } else {
            format!("images {}", self.images_done)
        }
    }

    /// `12.00 MiB/40.00 MiB (30%)`, or `None` when no byte is to move (every blob present).
    pub(super) fn amounts(&self) -> Option<String> {
        if self.total == 0 {
            return None;
        }
        let pct = (self.bytes * 100)
            .checked_div(self.total)
            .map(|p| format!(" ({p}%)"))
            .unwrap_or_default();
        Some(format!(
            "{}/{}{pct}",
            HumanBytes(self.bytes),
            HumanBytes(self.total)
        ))
    }

    /// `progress: 12.0 MiB/40.0 MiB (30%), 5.1 MiB/s, ETA 6s, images 3/25, blobs 10/40`;
    /// `progress: images 1/1, blobs 4/4, nothing to transfer` when no byte is to move.
    pub(super) fn line(&self) -> String {
        let blobs = format!("blobs {}/{}", self.blobs_done, self.blobs_total);
        let Some(amounts) = self.amounts() else {
            return format!("progress: {}, {blobs}, nothing to transfer", self.images());
        };
        let eta = match self.eta {
            Some(s) => format!("ETA {}", format_secs(s)),
            None => "ETA -".into(),
        };
        format!(
            "progress: {amounts}, {}/s, {eta}, {}, {blobs}",
            HumanBytes(self.rate),
            self.images()
        )
    }

    /// The aggregate bar's text (fits 80 columns after the bar): images, `committing` while
    /// manifests are being stored, amounts, rate, ETA and blobs; on the `last` one the bytes
    /// sent, the elapsed time and the mean rate.
    pub(super) fn tty_message(&self, committing: bool, last: bool) -> String {
        let blobs = format!("blobs {}/{}", self.blobs_done, self.blobs_total);
        let mut parts = vec![self.images()];
        if committing {
            parts.push("committing".into());
        }
        match (self.total, last) {
            (0, _) => parts.push("nothing to transfer".into()),
            (_, true) => parts.push(format!(
                "{} in {:.1}s ({}/s)",
                HumanBytes(self.bytes),
                self.seconds,
                HumanBytes(self.rate)
            )),
            (_, false) => {
                parts.push(format!(
                    "{}/{}",
                    HumanBytes(self.bytes),
                    HumanBytes(self.total)
                ));
                if !committing {
                    parts.push(format!("{}/s", HumanBytes(self.rate)));
                    parts.push(match self.eta {
                        Some(s) => format!("ETA {}", format_secs(s)),
                        None => "ETA -".into(),
                    });
                }
            }
        }
        parts.push(blobs);
        parts.join(", ")
    }
}

pub(super) fn format_secs(s: u64) -> String {
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}
