//! Progress reporting on stderr (docs/DESIGN.md §7): indicatif bars on a terminal, one aggregate
//! line every few seconds in logs and CI (`plain`), newline-delimited JSON events (`json`), or
//! nothing. stdout is never touched here, so a command's result can be piped.
//!
//! Every [`BlobProgress`] also feeds run-wide totals (bytes moved, bytes expected, blobs and
//! images done) that the plain and JSON modes report periodically from a background thread.

mod bars;
mod blob;
mod emit;
mod labels;
mod state;
mod totals;

use std::io::{IsTerminal, Write as _};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressDrawTarget};

pub use bars::MAX_BLOB_BARS;
use bars::{Bars, BarsState, TTY_REFRESH};
pub use blob::BlobProgress;
use emit::{emit, emit_json, report};
use labels::MAX_IMAGE_LABEL;
use labels::{image_label, short_label};
use state::BlobState;
use totals::Snapshot;
use totals::Totals;
#[cfg(test)]
use totals::format_secs;

/// How a blob reached the destination, as reported to [`BlobProgress::finish`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobOutcome {
    /// Its bytes were sent (count in bytes).
    Uploaded(u64),
    /// The destination already had it.
    Skipped,
    /// Mounted from another repository of the same registry; no bytes moved.
    Mounted,
}

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

/// Creates per-blob progress handles for one command and reports run-wide totals.
///
/// On a terminal (`tty`): one aggregate line (images done/total, bytes, rate, ETA, blobs) and
/// at most [`MAX_BLOB_BARS`] bars of blobs in flight, each labelled with its image (see
/// [`Reporter::for_image`]); a bar disappears when its blob is done, and a bar at 100 % whose
/// blob the destination is still committing says `committing` (as the aggregate line does
/// while manifests are written).
///
/// JSON mode writes one object per line on stderr, each with an `event` field:
/// `blob` (full `digest`, `size`, `status`: `started` | `copied` | `skipped` | `mounted`,
/// `bytes`), `image` (`source`, `destination`, `action`, `digest`, `bytes`, `error`),
/// `progress` (`bytes`, `totalBytes`, `bytesPerSecond`, `etaSeconds`, `blobsDone`,
/// `blobsTotal`, `imagesDone`, `imagesTotal`) every interval and once at the end, and
/// `message` (`message`). No mode reports aggregate progress (periodic or final) before a
/// byte moved or a blob or image is done: an early error gets no `0 B/0 B` line.
pub struct Reporter {
    shared: Arc<Shared>,
    /// The image this view's blobs belong to (a label for their bars); `None` for a command's
    /// own reporter.
    image: Option<String>,
    /// The copy this reporter (or view) is running, for the `committing` state.
    current: Mutex<Option<Arc<CopyState>>>,
    /// Whether this is the command's reporter (it owns the ticker and the final report), not
    /// a view of [`Reporter::for_image`].
    root: bool,
}

/// What a reporter and its views share.
struct Shared {
    mode: Mode,
    bars: Option<Arc<Bars>>,
    totals: Arc<Totals>,
    /// Dropping the sender stops the ticker thread; the handle is joined by `finish`.
    ticker: Mutex<Option<(Sender<()>, std::thread::JoinHandle<()>)>>,
    /// Copies in flight (and recently done), for the `committing` state.
    copies: Mutex<Vec<Arc<CopyState>>>,
}

/// One image copy as the reporter sees it.
#[derive(Default)]
struct CopyState {
    /// Blobs it announced so far.
    blobs: AtomicU64,
    done: AtomicBool,
}

/// A terminal's bars: the aggregate line (made on the first activity, kept at the bottom) and
impl Reporter {
    /// A reporter in `mode`, reporting aggregate progress every [`DEFAULT_INTERVAL`].
    pub fn new(mode: Mode) -> Reporter {
        Reporter::with_interval(mode, DEFAULT_INTERVAL)
    }

    /// A reporter in `mode` whose plain lines / JSON `progress` events come every `interval`
    /// (a terminal's aggregate line is redrawn ten times a second).
    pub fn with_interval(mode: Mode, interval: Duration) -> Reporter {
        let bars = (mode == Mode::Tty).then(|| {
            Arc::new(Bars {
                multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
                color: color_enabled(),
                state: Mutex::new(BarsState::default()),
            })
        });
        let shared = Arc::new(Shared {
            mode,
            bars,
            totals: Totals::new(),
            ticker: Mutex::new(None),
            copies: Mutex::new(Vec::new()),
        });
        if mode != Mode::None {
            let interval = match mode {
                Mode::Tty => TTY_REFRESH,
                _ => interval.max(Duration::from_millis(10)),
            };
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            // The thread holds only what it reads, not `Shared` (which holds the thread).
            let (totals, bars, copies) = (shared.totals.clone(), shared.bars.clone(), {
                Arc::downgrade(&shared)
            });
            let handle = std::thread::spawn(move || {
                loop {
                    match rx.recv_timeout(interval) {
                        Err(RecvTimeoutError::Timeout) => {
                            let s = totals.snapshot();
                            if !s.started() {
                                continue;
                            }
                            match &bars {
                                Some(b) => {
                                    let committing =
                                        copies.upgrade().is_some_and(|sh| sh.committing(&s));
                                    b.aggregate(&s, committing, false);
                                }
                                None => report(mode, &s),
                            }
                        }
                        _ => return,
                    }
                }
            });
            *shared.ticker.lock().expect("ticker lock") = Some((tx, handle));
        }
        Reporter {
            shared,
            image: None,
            current: Mutex::new(None),
            root: true,
        }
    }

    /// A reporter that shows nothing (library use, tests).
    pub fn hidden() -> Reporter {
        Reporter::new(Mode::None)
    }

    /// The mode this reporter shows progress in.
    pub fn mode(&self) -> Mode {
        self.shared.mode
    }

    /// A view of this reporter for the copy of one image of a batch: same totals, bars and
    /// events, its blob bars labelled `image` (e.g. `mirror/app:1.2`; long labels keep their
    /// end). Dropping or finishing a view does not finish the reporter.
    pub fn for_image(&self, image: &str) -> Reporter {
        let label = image_label(image);
        Reporter {
            shared: self.shared.clone(),
            image: Some(label),
            current: Mutex::new(None),
            root: false,
        }
    }

    /// A handle for one blob of `size` bytes named `digest` (`alg:hex`): JSON events carry
    /// it whole, bars show it shortened to 12 hex characters, after the image's label.
    pub fn blob(&self, digest: String, size: u64) -> BlobProgress {
        let short = short_label(&digest);
        let label = match &self.image {
            Some(image) => format!("{image:<MAX_IMAGE_LABEL$} {short:<19}"),
            None => format!("{short:<19}"),
        };
        let totals = self.shared.totals.clone();
        totals.total.fetch_add(size, Ordering::Relaxed);
        totals.blobs_total.fetch_add(1, Ordering::Relaxed);
        if let Some(c) = self.current.lock().expect("copy lock").as_ref() {
            c.blobs.fetch_add(1, Ordering::Relaxed);
        }
        let mode = self.shared.mode;
        if mode == Mode::Json {
            emit_json(serde_json::json!({
                "event": "blob", "digest": digest, "size": size, "status": "started"
            }));
        }
        let state = Arc::new(BlobState {
            label,
            digest,
            mode,
            size,
            bytes: AtomicU64::new(0),
            bar: OnceLock::new(),
            committing: AtomicBool::new(false),
            finished: AtomicBool::new(false),
        });
        if let Some(b) = &self.shared.bars {
            b.attach(&state);
        }
        BlobProgress {
            state,
            totals,
            bars: self.shared.bars.clone(),
        }
    }

    /// Records the start of one image copy; counted as `images done/total` when no batch
    /// announced its images with [`Reporter::add_images`].
    pub fn copy_started(&self) {
        self.shared
            .totals
            .copies_started
            .fetch_add(1, Ordering::Relaxed);
        let c = Arc::new(CopyState::default());
        self.shared
            .copies
            .lock()
            .expect("copies lock")
            .push(c.clone());
        if let Some(old) = self.current.lock().expect("copy lock").replace(c) {
            old.done.store(true, Ordering::Relaxed);
        }
    }

    /// Records one image copy finished (see [`Reporter::copy_started`]).
    pub fn copy_done(&self) {
        self.shared
            .totals
            .copies_done
            .fetch_add(1, Ordering::Relaxed);
        self.end_copy();
    }

    fn end_copy(&self) {
        if let Some(c) = self.current.lock().expect("copy lock").take() {
            c.done.store(true, Ordering::Relaxed);
        }
    }

    /// Announces `n` more images to move (for the `images done/total` count).
    pub fn add_images(&self, n: u64) {
        self.shared
            .totals
            .images_total
            .fetch_add(n, Ordering::Relaxed);
    }

    /// Records one image finished (copied, skipped or failed). `event` is the image's result
    /// document (source, destination, action, digest, bytes, error); JSON mode emits it as an
    /// `image` event.
    pub fn image_done(&self, event: &serde_json::Value) {
        self.shared
            .totals
            .images_done
            .fetch_add(1, Ordering::Relaxed);
        self.end_copy();
        if self.shared.mode == Mode::Json {
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
        match (&self.shared.bars, self.shared.mode) {
            (Some(b), _) => {
                let _ = b.multi.println(msg);
            }
            (None, Mode::Plain) => emit(msg),
            (None, Mode::Json) => {
                emit_json(serde_json::json!({"event": "message", "message": msg}))
            }
            _ => {}
        }
    }

    /// Prints one line of the command's result on stdout, in every mode; on a terminal with
    /// the bars taken away while it is written, so that the two do not mix.
    pub fn result_line(&self, line: &str) {
        let print = || {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(format!("{line}\n").as_bytes());
            let _ = out.flush();
        };
        match &self.shared.bars {
            Some(b) => b.multi.suspend(print),
            None => print(),
        }
    }

    /// Stops the periodic reports and prints the final aggregate line (tty, plain) or
    /// `progress` event (json), when any blob or image was reported at all. Called on drop
    /// too; idempotent; does nothing on a view of [`Reporter::for_image`].
    pub fn finish(&self) {
        if !self.root {
            return;
        }
        let ticker = self
            .shared
            .ticker
            .lock()
            .map(|mut t| t.take())
            .unwrap_or(None);
        let Some((tx, handle)) = ticker else {
            return;
        };
        drop(tx);
        let _ = handle.join();
        let s = self.shared.totals.snapshot();
        if !s.started() {
            return;
        }
        match &self.shared.bars {
            Some(b) => b.aggregate(&s, false, true),
            None => report(self.shared.mode, &s),
        }
    }
}

impl Shared {
    /// Whether a copy is writing its manifests: it announced blobs, none is in flight any
    /// more (anywhere: a blob waiting for a transfer slot waits for one in flight), and it
    /// has not finished.
    fn committing(&self, s: &Snapshot) -> bool {
        let mut copies = self.copies.lock().expect("copies lock");
        copies.retain(|c| !c.done.load(Ordering::Relaxed));
        s.blobs_done >= s.blobs_total && copies.iter().any(|c| c.blobs.load(Ordering::Relaxed) > 0)
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregate_line_and_eta() {
        let s = Snapshot {
            seconds: 2.0,
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
        assert_eq!(
            s.tty_message(false, false),
            "images 3/25, 10.00 MiB/40.00 MiB, 5.00 MiB/s, ETA 6s, blobs 10/40"
        );
        assert_eq!(
            s.tty_message(true, false),
            "images 3/25, committing, 10.00 MiB/40.00 MiB, blobs 10/40"
        );
        assert_eq!(
            s.tty_message(false, true),
            "images 3/25, 10.00 MiB in 2.0s (5.00 MiB/s), blobs 10/40"
        );
        // Nothing to move (every blob present): no byte counts, no rate.
        let none = Snapshot {
            bytes: 0,
            total: 0,
            rate: 0,
            eta: None,
            blobs_done: 4,
            blobs_total: 4,
            images_done: 1,
            images_total: 1,
            ..s
        };
        assert_eq!(
            none.line(),
            "progress: images 1/1, blobs 4/4, nothing to transfer"
        );
        assert!(none.started());
        // Nothing done yet (an early error): nothing to report.
        let early = Snapshot {
            blobs_done: 0,
            images_done: 0,
            ..none
        };
        assert!(!early.started());
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
        let s = r.shared.totals.snapshot();
        assert_eq!(
            (s.bytes, s.total, s.blobs_done, s.blobs_total),
            (80, 100, 1, 2)
        );
        // the 20 bytes a resume found there count as done, but not as moved (the rate)
        assert_eq!(r.shared.totals.kept.load(Ordering::Relaxed), 20);
        a.set_position(0);
        assert_eq!(r.shared.totals.snapshot().bytes, 0);
        assert_eq!(r.shared.totals.kept.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn single_copies_count_as_images_and_labels_shorten() {
        let r = Reporter::hidden();
        r.copy_started();
        let s = r.shared.totals.snapshot();
        assert_eq!((s.images_done, s.images_total), (0, 1));
        r.copy_done();
        let s = r.shared.totals.snapshot();
        assert_eq!((s.images_done, s.images_total), (1, 1));
        // a batch's announced images win over its copies
        r.add_images(5);
        r.image_done(&serde_json::json!({}));
        let s = r.shared.totals.snapshot();
        assert_eq!((s.images_done, s.images_total), (1, 5));
        let d = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(short_label(d), "sha256:e3b0c44298fc");
        assert_eq!(short_label("config"), "config");
    }

    #[test]
    fn a_terminal_shows_a_few_labelled_blob_bars_and_promotes_waiting_ones() {
        let r = Reporter::new(Mode::Tty);
        let view = r.for_image("a-rather-long-repository/name:1.2.3");
        let blobs: Vec<BlobProgress> = (0..5)
            .map(|i| view.blob(format!("sha256:{i:064}"), 10))
            .collect();
        let shown = |b: &[BlobProgress]| b.iter().filter(|b| b.state.bar.get().is_some()).count();
        assert_eq!(shown(&blobs), MAX_BLOB_BARS);
        // labels keep the end of the image name and the short digest
        let label = &blobs[0].state.label;
        assert!(
            label == "…pository/name:1.2.3 sha256:000000000000",
            "{label}"
        );
        assert_eq!(label.chars().count(), MAX_IMAGE_LABEL + 20);
        // at 100 % a blob is committing until finished
        blobs[0].inc(10);
        assert!(blobs[0].state.committing.load(Ordering::Relaxed));
        blobs[0].finish(BlobOutcome::Uploaded(10));
        assert!(
            blobs[3].state.bar.get().is_some(),
            "the oldest waiting blob got the bar"
        );
        assert!(blobs[4].state.bar.get().is_none());
        let bars = r.shared.bars.as_ref().unwrap();
        assert_eq!(bars.state.lock().unwrap().shown, MAX_BLOB_BARS);
        for b in &blobs[1..] {
            b.finish(BlobOutcome::Skipped);
        }
        assert_eq!(bars.state.lock().unwrap().shown, 0);
    }
}
