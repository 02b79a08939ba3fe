//! Progress reporting on stderr (docs/DESIGN.md §7): indicatif bars on a terminal, one aggregate
//! line every few seconds in logs and CI (`plain`), newline-delimited JSON events (`json`), or
//! nothing. stdout is never touched here, so a command's result can be piped.
//!
//! Every [`BlobProgress`] also feeds run-wide totals (bytes moved, bytes expected, blobs and
//! images done) that the plain and JSON modes report periodically from a background thread.

use std::io::{IsTerminal, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::transport::BlobOutcome;

/// Default time between two aggregate lines (plain) or `progress` events (json).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Bars (a terminal).
    Tty,
    /// One aggregate line every few seconds (logs, CI): bytes, rate, ETA, images done.
    Plain,
    /// Newline-delimited JSON events on stderr (see [`Reporter`] for their shapes).
    Json,
    /// Nothing.
    None,
}

impl Mode {
    /// `auto`: plain lines under CI (`CI` or `GITHUB_ACTIONS` set), bars when stderr is a
    /// terminal, plain lines otherwise.
    pub fn auto() -> Mode {
        if ci_detected() || !std::io::stderr().is_terminal() {
            Mode::Plain
        } else {
            Mode::Tty
        }
    }
}

/// Whether we run under CI: `GITHUB_ACTIONS=true`, or `CI` set to anything but `false`/`0`/empty.
pub fn ci_detected() -> bool {
    let set = |k: &str| {
        std::env::var(k)
            .map(|v| !v.is_empty() && v != "false" && v != "0")
            .unwrap_or(false)
    };
    set("GITHUB_ACTIONS") || set("CI")
}

/// Whether colours may be used on stderr: a terminal and no `NO_COLOR` (https://no-color.org).
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Run-wide counters shared by every blob handle of a [`Reporter`].
#[derive(Debug)]
struct Totals {
    started: Instant,
    /// Bytes moved so far.
    bytes: AtomicU64,
    /// Of `bytes`, those a resume found already there (a kept partial download, an upload
    /// offset the registry had): counted as done, but not in the transfer rate.
    kept: AtomicU64,
    /// Bytes expected to move (sizes of blobs announced, less those skipped or mounted).
    total: AtomicU64,
    blobs_done: AtomicU64,
    blobs_total: AtomicU64,
    images_done: AtomicU64,
    images_total: AtomicU64,
    /// Single copies started and finished (counted as images when no batch announced any).
    copies_started: AtomicU64,
    copies_done: AtomicU64,
}

impl Totals {
    fn new() -> Arc<Totals> {
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

    fn snapshot(&self) -> Snapshot {
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
struct Snapshot {
    bytes: u64,
    #[serde(rename = "totalBytes")]
    total: u64,
    #[serde(rename = "bytesPerSecond")]
    rate: u64,
    #[serde(rename = "etaSeconds")]
    eta: Option<u64>,
    blobs_done: u64,
    blobs_total: u64,
    images_done: u64,
    images_total: u64,
}

impl Snapshot {
    /// `progress: 12.0 MiB/40.0 MiB (30%), 5.1 MiB/s, ETA 6s, images 3/25, blobs 10/40`.
    fn line(&self) -> String {
        let pct = (self.bytes * 100)
            .checked_div(self.total)
            .map(|p| format!(" ({p}%)"))
            .unwrap_or_default();
        let eta = match self.eta {
            Some(s) => format!("ETA {}", format_secs(s)),
            None => "ETA -".into(),
        };
        let images = if self.images_total > 0 {
            format!("{}/{}", self.images_done, self.images_total)
        } else {
            self.images_done.to_string()
        };
        format!(
            "progress: {}/{}{pct}, {}/s, {eta}, images {images}, blobs {}/{}",
            HumanBytes(self.bytes),
            HumanBytes(self.total),
            HumanBytes(self.rate),
            self.blobs_done,
            self.blobs_total
        )
    }
}

fn format_secs(s: u64) -> String {
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// `sha256:0123456789ab`: a digest shortened to 12 hex characters for bars; other labels as
/// they are.
fn short_label(digest: &str) -> String {
    match digest.split_once(':') {
        Some((alg, hex)) if hex.len() > 12 => format!("{alg}:{}", &hex[..12]),
        _ => digest.to_string(),
    }
}

/// Writes one line on stderr in one call (lines of concurrent writers do not interleave).
fn emit(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(format!("{line}\n").as_bytes());
    let _ = err.flush();
}

fn emit_json(v: serde_json::Value) {
    emit(&v.to_string());
}

/// Creates per-blob progress handles for one command and reports run-wide totals.
///
/// JSON mode writes one object per line on stderr, each with an `event` field:
/// `blob` (full `digest`, `size`, `status`: `started` | `copied` | `skipped` | `mounted`,
/// `bytes`), `image` (`source`, `destination`, `action`, `digest`, `bytes`, `error`),
/// `progress` (`bytes`, `totalBytes`, `bytesPerSecond`, `etaSeconds`, `blobsDone`,
/// `blobsTotal`, `imagesDone`, `imagesTotal`) every interval and once at the end, and
/// `message` (`message`).
pub struct Reporter {
    mode: Mode,
    multi: Option<MultiProgress>,
    totals: Arc<Totals>,
    /// Dropping the sender stops the ticker thread; the handle is joined on drop.
    ticker: Mutex<Option<(Sender<()>, std::thread::JoinHandle<()>)>>,
}

impl Reporter {
    /// A reporter in `mode`, reporting aggregate progress every [`DEFAULT_INTERVAL`].
    pub fn new(mode: Mode) -> Reporter {
        Reporter::with_interval(mode, DEFAULT_INTERVAL)
    }

    /// A reporter in `mode` whose plain lines / JSON `progress` events come every `interval`.
    pub fn with_interval(mode: Mode, interval: Duration) -> Reporter {
        let multi = (mode == Mode::Tty)
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        let totals = Totals::new();
        let ticker = matches!(mode, Mode::Plain | Mode::Json).then(|| {
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            let t = totals.clone();
            let interval = interval.max(Duration::from_millis(10));
            let handle = std::thread::spawn(move || {
                loop {
                    match rx.recv_timeout(interval) {
                        Err(RecvTimeoutError::Timeout) => report(mode, &t.snapshot()),
                        _ => return,
                    }
                }
            });
            (tx, handle)
        });
        Reporter {
            mode,
            multi,
            totals,
            ticker: Mutex::new(ticker),
        }
    }

    /// A reporter that shows nothing (library use, tests).
    pub fn hidden() -> Reporter {
        Reporter::new(Mode::None)
    }

    /// The mode this reporter shows progress in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// A handle for one blob of `size` bytes named `digest` (`alg:hex`): JSON events carry
    /// it whole, bars show it shortened to 12 hex characters.
    pub fn blob(&self, digest: String, size: u64) -> BlobProgress {
        let label = short_label(&digest);
        self.totals.total.fetch_add(size, Ordering::Relaxed);
        self.totals.blobs_total.fetch_add(1, Ordering::Relaxed);
        let bar = self.multi.as_ref().map(|m| {
            let bar = m.add(ProgressBar::new(size));
            let template = if color_enabled() {
                "{prefix:>19} [{bar:30.cyan/blue}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} {msg}"
            } else {
                "{prefix:>19} [{bar:30}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} {msg}"
            };
            bar.set_style(
                ProgressStyle::with_template(template)
                    .expect("static template")
                    .progress_chars("=> "),
            );
            bar.set_prefix(label);
            bar
        });
        if self.mode == Mode::Json {
            emit_json(serde_json::json!({
                "event": "blob", "digest": digest, "size": size, "status": "started"
            }));
        }
        BlobProgress {
            bar,
            digest,
            mode: self.mode,
            size,
            bytes: Arc::new(AtomicU64::new(0)),
            totals: self.totals.clone(),
        }
    }

    /// Records the start of one image copy; counted as `images done/total` when no batch
    /// announced its images with [`Reporter::add_images`].
    pub fn copy_started(&self) {
        self.totals.copies_started.fetch_add(1, Ordering::Relaxed);
    }

    /// Records one image copy finished (see [`Reporter::copy_started`]).
    pub fn copy_done(&self) {
        self.totals.copies_done.fetch_add(1, Ordering::Relaxed);
    }

    /// Announces `n` more images to move (for the `images done/total` count).
    pub fn add_images(&self, n: u64) {
        self.totals.images_total.fetch_add(n, Ordering::Relaxed);
    }

    /// Records one image finished. `event` is the image's result document (source,
    /// destination, action, digest, bytes, error); JSON mode emits it as an `image` event.
    pub fn image_done(&self, event: &serde_json::Value) {
        self.totals.images_done.fetch_add(1, Ordering::Relaxed);
        if self.mode == Mode::Json {
            let mut v = serde_json::json!({"event": "image"});
            if let (Some(dst), Some(src)) = (v.as_object_mut(), event.as_object()) {
                dst.extend(src.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            emit_json(v);
        }
    }

    /// Prints a status line on stderr: above the bars (tty), as is (plain), as a `message`
    /// event (json); nothing in none mode.
    pub fn line(&self, msg: &str) {
        match (&self.multi, self.mode) {
            (Some(m), _) => {
                let _ = m.println(msg);
            }
            (None, Mode::Plain) => emit(msg),
            (None, Mode::Json) => {
                emit_json(serde_json::json!({"event": "message", "message": msg}))
            }
            _ => {}
        }
    }

    /// Stops the periodic reports and prints the final aggregate line (plain) or `progress`
    /// event (json), when anything was reported at all. Called on drop too; idempotent.
    pub fn finish(&self) {
        let ticker = self.ticker.lock().map(|mut t| t.take()).unwrap_or(None);
        if let Some((tx, handle)) = ticker {
            drop(tx);
            let _ = handle.join();
            let s = self.totals.snapshot();
            if s.blobs_total > 0 || s.images_total > 0 {
                report(self.mode, &s);
            }
        }
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.finish();
    }
}

/// One periodic report in `mode`.
fn report(mode: Mode, s: &Snapshot) {
    match mode {
        Mode::Plain => emit(&s.line()),
        Mode::Json => {
            let mut v = serde_json::to_value(s).unwrap_or_default();
            v["event"] = "progress".into();
            emit_json(v);
        }
        _ => {}
    }
}

/// Progress of one blob; cheap to update from the transfer loop; clones share counters.
#[derive(Clone)]
pub struct BlobProgress {
    bar: Option<ProgressBar>,
    /// The blob's full digest (JSON events).
    digest: String,
    mode: Mode,
    size: u64,
    bytes: Arc<AtomicU64>,
    totals: Arc<Totals>,
}

impl BlobProgress {
    /// A handle that reports nothing.
    pub fn hidden() -> BlobProgress {
        BlobProgress {
            bar: None,
            digest: String::new(),
            mode: Mode::None,
            size: 0,
            bytes: Arc::new(AtomicU64::new(0)),
            totals: Totals::new(),
        }
    }
    /// A handle sharing this blob's counters (for request bodies that must be `'static`).
    pub fn handle(&self) -> BlobProgress {
        self.clone()
    }
    /// Bytes moved so far.
    pub fn position(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
    /// Adds `n` bytes moved.
    pub fn inc(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
        self.totals.bytes.fetch_add(n, Ordering::Relaxed);
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }
    /// Sets the position (bytes) after a resume or restart.
    pub fn set_position(&self, pos: u64) {
        let old = self.bytes.swap(pos, Ordering::Relaxed);
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
        if let Some(b) = &self.bar {
            b.set_position(pos);
        }
    }
    /// Marks the blob done with `outcome`. A skipped or mounted blob leaves the expected total.
    pub fn finish(&self, outcome: BlobOutcome) {
        self.totals.blobs_done.fetch_add(1, Ordering::Relaxed);
        let (what, status, bytes) = match outcome {
            BlobOutcome::Uploaded(n) => (format!("copied {}", HumanBytes(n)), "copied", n),
            BlobOutcome::Skipped => ("exists, skipped".to_string(), "skipped", 0),
            BlobOutcome::Mounted => ("mounted".to_string(), "mounted", 0),
        };
        let unmoved = self.size.saturating_sub(self.position());
        if unmoved > 0 {
            let _ = self
                .totals
                .total
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                    Some(t.saturating_sub(unmoved))
                });
        }
        match (&self.bar, self.mode) {
            (Some(b), _) => b.finish_with_message(what),
            (None, Mode::Json) => emit_json(serde_json::json!({
                "event": "blob", "digest": self.digest, "size": self.size,
                "status": status, "bytes": bytes
            })),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregate_line_and_eta() {
        let s = Snapshot {
            bytes: 10 * 1024 * 1024,
            total: 40 * 1024 * 1024,
            rate: 5 * 1024 * 1024,
            eta: Some(6),
            blobs_done: 10,
            blobs_total: 40,
            images_done: 3,
            images_total: 25,
        };
        assert_eq!(
            s.line(),
            "progress: 10.00 MiB/40.00 MiB (25%), 5.00 MiB/s, ETA 6s, images 3/25, blobs 10/40"
        );
        assert_eq!(format_secs(125), "2m05s");
        assert_eq!(format_secs(7300), "2h01m");
    }

    #[test]
    fn totals_follow_blobs() {
        let r = Reporter::hidden();
        let a = r.blob("a".into(), 100);
        let b = r.blob("b".into(), 50);
        a.inc(60);
        a.set_position(80);
        b.finish(BlobOutcome::Skipped);
        let s = r.totals.snapshot();
        assert_eq!(
            (s.bytes, s.total, s.blobs_done, s.blobs_total),
            (80, 100, 1, 2)
        );
        // the 20 bytes a resume found there count as done, but not as moved (the rate)
        assert_eq!(r.totals.kept.load(Ordering::Relaxed), 20);
        a.set_position(0);
        assert_eq!(r.totals.snapshot().bytes, 0);
        assert_eq!(r.totals.kept.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn single_copies_count_as_images_and_labels_shorten() {
        let r = Reporter::hidden();
        r.copy_started();
        let s = r.totals.snapshot();
        assert_eq!((s.images_done, s.images_total), (0, 1));
        r.copy_done();
        let s = r.totals.snapshot();
        assert_eq!((s.images_done, s.images_total), (1, 1));
        // a batch's announced images win over its copies
        r.add_images(5);
        r.image_done(&serde_json::json!({}));
        let s = r.totals.snapshot();
        assert_eq!((s.images_done, s.images_total), (1, 5));
        let d = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(short_label(d), "sha256:e3b0c44298fc");
        assert_eq!(short_label("config"), "config");
    }
}
