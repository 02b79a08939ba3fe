//! Progress reporting on stderr (docs/DESIGN.md §7): indicatif bars on a terminal, one aggregate
//! line every few seconds in logs and CI (`plain`), newline-delimited JSON events (`json`), or
//! nothing. stdout is never touched here, so a command's result can be piped.
//!
//! Every [`BlobProgress`] also feeds run-wide totals (bytes moved, bytes expected, blobs and
//! images done) that the plain and JSON modes report periodically from a background thread.

use std::collections::VecDeque;
use std::io::{IsTerminal, Write as _};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

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
struct Snapshot {
    /// Since the reporter was made.
    #[serde(skip)]
    seconds: f64,
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
    /// Whether anything progressed yet: a byte moved, a blob or an image done. Before that
    /// (an early error, a destination that cannot be reached, a sync still planning) an
    /// aggregate line would only say `0 B/…`.
    fn started(&self) -> bool {
        self.bytes > 0 || self.blobs_done > 0 || self.images_done > 0
    }

    /// `images 3/25` (`images 3` when the total is unknown).
    fn images(&self) -> String {
        if self.images_total > 0 {
            format!("images {}/{}", self.images_done, self.images_total)
        } else {
            format!("images {}", self.images_done)
        }
    }

    /// `12.00 MiB/40.00 MiB (30%)`, or `None` when no byte is to move (every blob present).
    fn amounts(&self) -> Option<String> {
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
    fn line(&self) -> String {
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
    fn tty_message(&self, committing: bool, last: bool) -> String {
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

/// Blob bars shown at once on a terminal. Further blobs in flight count in the aggregate line
/// and get a bar when a shown one finishes.
pub const MAX_BLOB_BARS: usize = 3;

/// How often the terminal's aggregate line is refreshed.
const TTY_REFRESH: Duration = Duration::from_millis(100);

/// Longest image label in front of a blob bar, in characters (longer ones keep their end).
const MAX_IMAGE_LABEL: usize = 20;

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
/// the blob bars above it.
struct Bars {
    multi: MultiProgress,
    color: bool,
    state: Mutex<BarsState>,
}

#[derive(Default)]
struct BarsState {
    aggregate: Option<ProgressBar>,
    /// Blob bars on screen.
    shown: usize,
    /// Blobs in flight without a bar, oldest first.
    waiting: VecDeque<Weak<BlobState>>,
}

impl Bars {
    /// Gives `blob` a bar when fewer than [`MAX_BLOB_BARS`] are shown, else queues it.
    fn attach(&self, blob: &Arc<BlobState>) {
        let mut st = self.state.lock().expect("bars lock");
        if st.shown < MAX_BLOB_BARS {
            self.show(&mut st, blob);
        } else {
            st.waiting.push_back(Arc::downgrade(blob));
        }
    }

    fn show(&self, st: &mut BarsState, blob: &Arc<BlobState>) {
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
    fn blob_style(&self, committing: bool) -> ProgressStyle {
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
    fn release(&self, blob: &BlobState) {
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
    fn aggregate(&self, s: &Snapshot, committing: bool, last: bool) {
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
        let label = match image.chars().count() {
            n if n > MAX_IMAGE_LABEL => {
                let tail: String = image.chars().skip(n - (MAX_IMAGE_LABEL - 1)).collect();
                format!("…{tail}")
            }
            _ => image.to_string(),
        };
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

/// What the handles of one blob share.
struct BlobState {
    /// Its bar's label: the image's, then the short digest.
    label: String,
    /// The blob's full digest (JSON events).
    digest: String,
    mode: Mode,
    size: u64,
    bytes: AtomicU64,
    /// Its bar, once it has one (tty, at most [`MAX_BLOB_BARS`] at a time).
    bar: OnceLock<ProgressBar>,
    /// Every byte is sent or read; the destination is still storing it.
    committing: AtomicBool,
    finished: AtomicBool,
}

/// Progress of one blob; cheap to update from the transfer loop; clones share counters.
#[derive(Clone)]
pub struct BlobProgress {
    state: Arc<BlobState>,
    totals: Arc<Totals>,
    bars: Option<Arc<Bars>>,
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
    fn update_committing(&self, pos: u64) {
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
