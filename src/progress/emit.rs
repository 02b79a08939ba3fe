//! What the plain and JSON modes write on stderr: whole lines, one write each.

use std::io::Write as _;

use super::Mode;
use super::totals::Snapshot;

/// Writes one line on stderr in one call (lines of concurrent writers do not interleave).
pub(super) fn emit(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(format!("{line}\n").as_bytes());
    let _ = err.flush();
}

pub(super) fn emit_json(v: serde_json::Value) {
    emit(&v.to_string());
}

/// One periodic report in `mode`.
pub(super) fn report(mode: Mode, s: &Snapshot) {
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
