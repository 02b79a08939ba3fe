//! imgctl's entry point: parse the command line, set up logging, run, map errors to exit codes.

// Results go through `outln!`/`out!` (see `output`), messages through `errln!`/`err!`:
// `println!` and `eprintln!` panic when stdout or stderr is closed.
#![warn(clippy::print_stdout, clippy::print_stderr)]

/// Writes the result text on stdout, as `println!` does but never panicking: see
/// [`output::write`]. Use `out!` for text without a newline.
macro_rules! outln {
    () => {
        $crate::output::write(b"\n")
    };
    ($($arg:tt)*) => {
        $crate::output::write(format!("{}\n", format_args!($($arg)*)).as_bytes())
    };
}

/// [`outln!`] without the newline (like `print!`).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write(format!($($arg)*).as_bytes())
    };
}

/// Writes a message line on stderr, as `eprintln!` does but never panicking: a closed or
/// full stderr (`2>&1 | head -1`, `2>/dev/full`) loses the message, not the exit code.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::write_err(format!("{}\n", format_args!($($arg)*)).as_bytes())
    };
}

/// [`errln!`] without the newline (like `eprint!`).
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::output::write_err(format!($($arg)*).as_bytes())
    };
}

mod cli;

/// Every command's stdout (its result), written so that a closed stdout never panics.
///
/// `println!` panics ("failed printing to stdout: Broken pipe", exit 134) when the reader has
/// gone away (`imgctl images | head -1`). Here the first failed write is recorded and later
/// output dropped: the command still finishes its work (a store is never left half-changed by
/// a closed pipe), and [`main`] then ends quietly with exit 0 for a closed pipe, as `head`
/// expects of the command before it, or reports any other write error (a full disk) with exit 1.
pub(crate) mod output {
    use std::io::Write as _;
    use std::sync::Mutex;

    /// The first write error on stdout, if any.
    static FAILED: Mutex<Option<std::io::Error>> = Mutex::new(None);

    /// Writes `bytes` to stdout and flushes them; after a failed write, does nothing.
    pub fn write(bytes: &[u8]) {
        let mut failed = FAILED.lock().unwrap_or_else(|e| e.into_inner());
        if failed.is_some() {
            return;
        }
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
            *failed = Some(e);
        }
    }

    /// Writes `bytes` to stderr in one call and flushes them; errors are ignored (there is
    /// nowhere left to report them).
    pub fn write_err(bytes: &[u8]) {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(bytes).and_then(|()| err.flush());
    }

    /// The write error that stopped stdout output, taken (None when every write succeeded).
    pub fn failure() -> Option<std::io::Error> {
        FAILED.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

use clap::Parser;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Log events as the CLI's other messages: `warning: …`, `error: …`, and with `-v`/`-vv`
/// `debug: …` / `trace: …` followed by the event's `key=value` fields. The label is coloured
/// only when `ansi` (stderr is a terminal and `NO_COLOR` is unset).
struct CliFormat {
    ansi: bool,
}

impl<S, N> FormatEvent<S, N> for CliFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let level = *event.metadata().level();
        let (label, colour) = if level == Level::ERROR {
            ("error", "31")
        } else if level == Level::WARN {
            ("warning", "33")
        } else if level == Level::INFO {
            ("info", "32")
        } else if level == Level::DEBUG {
            ("debug", "34")
        } else {
            ("trace", "35")
        };
        if self.ansi {
            write!(w, "\x1b[{colour}m{label}:\x1b[0m ")?;
        } else {
            write!(w, "{label}: ")?;
        }
        ctx.format_fields(w.by_ref(), event)?;
        writeln!(w)
    }
}

/// Keeps glibc from mapping and unmapping every transfer buffer: chunks of a few hundred KiB
/// are above glibc's default mmap threshold, and each fresh mapping costs page faults and
/// zeroing (measured: ~30% of a pull's system time). Peak RSS stays under 24 MiB.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only changes allocator parameters; called before any other thread runs.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 8 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

fn main() {
    tune_allocator();
    let cli = cli::Cli::parse();
    let filter = match std::env::var("IMGCTL_LOG") {
        Ok(f) if !f.is_empty() => EnvFilter::new(f),
        _ => EnvFilter::new(match cli.global.verbose {
            0 => "imgctl=warn",
            1 => "imgctl=debug",
            _ => "imgctl=trace",
        }),
    };
    let ansi = imgctl::progress::color_enabled();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Its fallback report of a failed write is an `eprintln!`, which panics on a closed
        // stderr: a log line that cannot be written is dropped instead.
        .log_internal_errors(false)
        .with_ansi(ansi)
        .event_format(CliFormat { ansi })
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            errln!("error: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    // Where blobs were seen, for mounts in later runs, and upload sessions a later run can
    // continue (caches: see store::locations and store::uploads).
    use imgctl::store::locations::BlobLocations;
    let cache_dir = BlobLocations::default_dir();
    BlobLocations::install(cache_dir.as_deref().map(BlobLocations::new));
    imgctl::registry::set_upload_journal(cache_dir.as_deref().map(|d| {
        std::sync::Arc::new(imgctl::ops::uploads::UploadJournalDir::new(
            &d.join("uploads"),
        )) as std::sync::Arc<dyn imgctl::registry::UploadJournal>
    }));
    let result = rt.block_on(cli::run(cli));
    // Let blocking tasks still running finish (bounded) before the process exits: a blob
    // write cancelled by another blob's failure removes its empty partial file there.
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    imgctl::store::locations::BlobLocations::flush_current();
    let stdout_failure = output::failure();
    if let Err(e) = result {
        errln!("error: {e}");
        if let Some(h) = e.hint() {
            errln!("hint: {h}");
        }
        std::process::exit(e.kind().exit_code());
    }
    // A closed stdout (the reader went away: `| head -1`) ends the command quietly, exit 0.
    if let Some(e) = stdout_failure
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        errln!("error: cannot write the result to stdout: {e}");
        std::process::exit(1);
    }
}
