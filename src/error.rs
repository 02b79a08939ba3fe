//! Errors carrying a kind that maps to imgctl's documented exit codes (docs/CLI.md, "Exit codes").

use std::fmt;

/// What class of failure happened; each class has its own process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Anything not covered below (exit 1).
    Other,
    /// Bad flag, malformed reference or location (exit 2).
    Usage,
    /// 401/403, `DENIED`, `UNAUTHORIZED` (exit 3).
    Auth,
    /// Manifest, tag, blob, repository or file not found (exit 4).
    NotFound,
    /// 429 / `TOOMANYREQUESTS` after retries (exit 5).
    RateLimited,
    /// Connect, TLS, 5xx, timeout after retries (exit 6).
    Network,
    /// Digest mismatch, corrupt or malicious input (exit 7).
    Integrity,
    /// Some items of a batch failed (exit 8).
    Partial,
}

impl ErrorKind {
    /// The process exit code for this kind (docs/CLI.md).
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Other => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Auth => 3,
            ErrorKind::NotFound => 4,
            ErrorKind::RateLimited => 5,
            ErrorKind::Network => 6,
            ErrorKind::Integrity => 7,
            ErrorKind::Partial => 8,
        }
    }
}

/// An imgctl error: a kind, a message, a chain of context (outermost first) and an optional hint.
///
/// Displayed as `outer context: inner context: message`; the hint is printed on its own line by
/// the CLI. Messages never contain secrets.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    context: Vec<String>,
    hint: Option<String>,
}

/// Result alias used throughout imgctl.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            context: Vec::new(),
            hint: None,
        }
    }
    /// Shorthand for [`ErrorKind::Usage`].
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }
    /// Shorthand for [`ErrorKind::Other`].
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Other, message)
    }
    /// Shorthand for [`ErrorKind::NotFound`].
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    /// Shorthand for [`ErrorKind::Integrity`].
    pub fn integrity(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Integrity, message)
    }
    /// Shorthand for [`ErrorKind::Network`].
    pub fn network(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Network, message)
    }
    /// Shorthand for [`ErrorKind::Auth`].
    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Auth, message)
    }
    /// The error's kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    /// The hint for the user, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
    /// Adds an outer context (e.g. "failed to push layer sha256:…").
    pub fn context(mut self, ctx: impl Into<String>) -> Self {
        self.context.insert(0, ctx.into());
        self
    }
    /// Sets the hint line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// Changes the kind, keeping message and context.
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.context {
            write!(f, "{c}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        // A verifying reader reports digest mismatches as InvalidData wrapping our Error.
        if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<Error>()) {
            return Error {
                kind: inner.kind,
                message: inner.to_string(),
                context: Vec::new(),
                hint: inner.hint.clone(),
            };
        }
        let kind = match e.kind() {
            std::io::ErrorKind::NotFound => ErrorKind::NotFound,
            std::io::ErrorKind::InvalidData => ErrorKind::Integrity,
            std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::TimedOut
            | std::io::ErrorKind::BrokenPipe => ErrorKind::Network,
            _ => ErrorKind::Other,
        };
        Error::new(kind, e.to_string())
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::integrity(format!("invalid JSON: {e}"))
    }
}

/// Adds context to any `Result<_, E: Into<Error>>`.
pub trait Context<T> {
    /// Wraps the error with `ctx` (computed lazily).
    fn ctx<S: Into<String>>(self, ctx: impl FnOnce() -> S) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn ctx<S: Into<String>>(self, ctx: impl FnOnce() -> S) -> Result<T> {
        self.map_err(|e| e.into().context(ctx()))
    }
}
