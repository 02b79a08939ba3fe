//! Progress reporting on stderr: indicatif bars on a terminal, one line per finished blob
//! otherwise, nothing with `--quiet`. stdout is never touched here.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{HumanBytes, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::transport::BlobOutcome;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Bars (a terminal).
    Tty,
    /// One line per finished blob (logs, CI).
    Plain,
    /// Nothing.
    None,
}

impl Mode {
    /// `auto`: bars when stderr is a terminal, plain lines otherwise.
    pub fn auto() -> Mode {
        if std::io::stderr().is_terminal() {
            Mode::Tty
        } else {
            Mode::Plain
        }
    }
}

/// Creates per-blob progress handles for one command.
pub struct Reporter {
    mode: Mode,
    multi: Option<MultiProgress>,
}

impl Reporter {
    /// A reporter in `mode`.
    pub fn new(mode: Mode) -> Reporter {
        let multi = (mode == Mode::Tty)
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Reporter { mode, multi }
    }

    /// A reporter that shows nothing (library use, tests).
    pub fn hidden() -> Reporter {
        Reporter::new(Mode::None)
    }

    /// A handle for one blob of `size` bytes, labelled `label` (e.g. a short digest).
    pub fn blob(&self, label: String, size: u64) -> BlobProgress {
        let bar = self.multi.as_ref().map(|m| {
            let bar = m.add(ProgressBar::new(size));
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix:>19} [{bar:30}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12}",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            bar.set_prefix(label.clone());
            bar
        });
        BlobProgress {
            bar,
            label,
            mode: self.mode,
            bytes: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Prints a status line (plain and tty modes) on stderr.
    pub fn line(&self, msg: &str) {
        match (&self.multi, self.mode) {
            (Some(m), _) => {
                let _ = m.println(msg);
            }
            (None, Mode::Plain) => eprintln!("{msg}"),
            _ => {}
        }
    }
}

/// Progress of one blob; cheap to update from the transfer loop; clones share counters.
#[derive(Clone)]
pub struct BlobProgress {
    bar: Option<ProgressBar>,
    label: String,
    mode: Mode,
    bytes: Arc<AtomicU64>,
}

impl BlobProgress {
    /// A handle that reports nothing.
    pub fn hidden() -> BlobProgress {
        BlobProgress {
            bar: None,
            label: String::new(),
            mode: Mode::None,
            bytes: Arc::new(AtomicU64::new(0)),
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
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }
    /// Sets the position (bytes) after a resume or restart.
    pub fn set_position(&self, pos: u64) {
        self.bytes.store(pos, Ordering::Relaxed);
        if let Some(b) = &self.bar {
            b.set_position(pos);
        }
    }
    /// Marks the blob done with `outcome`.
    pub fn finish(&self, outcome: BlobOutcome) {
        let what = match outcome {
            BlobOutcome::Uploaded(n) => format!("copied {}", HumanBytes(n)),
            BlobOutcome::Skipped => "exists, skipped".into(),
            BlobOutcome::Mounted => "mounted".into(),
        };
        match (&self.bar, self.mode) {
            (Some(b), _) => b.finish_with_message(what),
            (None, Mode::Plain) => eprintln!("{} {what}", self.label),
            _ => {}
        }
    }
}
