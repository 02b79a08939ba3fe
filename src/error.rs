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

/// What the user can do about an error, rendered by the front end ([`Hint::render`]).
///
/// Most hints are one-off wording ([`Hint::Text`]); the typed variants are the advice whose
/// words depend on where the user sets things: a flag on the command line (`--ca-file FILE`)
/// or an option of the sync configuration (`ca_file: FILE`). Hints never contain secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// Advice worded the same for every front end.
    Text(String),
    /// The registry's TLS certificate was refused and no CA file applied to the host: trust
    /// the CA that issued it (which file: `ca`), or skip verification for a test registry.
    TrustCa {
        /// The registry (normalised host name) whose certificate was refused.
        registry: String,
        /// Which certificate the CA file should hold.
        ca: CaAdvice,
    },
    /// The registry's TLS certificate was refused although CA files applied to the host:
    /// check them, or skip verification for a test registry.
    Insecure {
        /// The registry (normalised host name) whose certificate was refused.
        registry: String,
    },
    /// The registry (or its token endpoint) refused the request for want of (good)
    /// credentials: log in, or pass credentials.
    Login {
        /// The registry (normalised name) that asked for credentials.
        registry: String,
        /// Whether credentials were sent and what they should give access to.
        case: LoginCase,
    },
    /// An environment variable that should hold credentials is unusable.
    CredentialsVariable {
        /// The variable's name (never its value).
        name: String,
        /// What is wrong with it.
        problem: VariableProblem,
    },
}

/// Which certificate a [`Hint::TrustCa`] asks the user to trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaAdvice {
    /// The certificate is not trusted (no detail known).
    Untrusted,
    /// The CA that issued the registry's certificate.
    Issuer,
    /// The issuing CA, or the registry's own certificate when it is self-signed.
    IssuerOrSelfSigned,
    /// The registry's own (self-signed CA) certificate.
    SelfSigned,
}

/// The situation a [`Hint::Login`] answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginCase {
    /// A registry request went without credentials.
    NotSent,
    /// A registry request's credentials were refused; `access` names what the account must be
    /// allowed (e.g. `this repository`).
    Refused {
        /// What the account must be allowed to access.
        access: String,
    },
    /// The token endpoint asked for credentials and none were sent.
    TokenNotSent,
    /// The token endpoint refused the credentials.
    TokenRefused,
}

/// What is wrong with a [`Hint::CredentialsVariable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableProblem {
    /// The variable is not set.
    Unset,
    /// The variable is set but empty.
    Empty,
    /// The variable should hold `USER:PASSWORD` and does not.
    NotUserColonPassword,
}

/// Where a [`Hint`] is read, which decides how settings are named in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintStyle<'a> {
    /// Command-line flags: `--ca-file FILE`, `--insecure`, `--creds USER:PASS`.
    CommandLine,
    /// Options of the sync YAML: `ca_file: FILE`, `insecure: true` under
    /// `registries: REGISTRY:`, and its `credentials:` blocks.
    SyncConfig {
        /// The registry the failed step talked to, when known (else the hint's own, else
        /// `HOST` is written).
        registry: Option<&'a str>,
        /// How the configuration's credentials block for that registry reads (e.g.
        /// `USER:PASSWORD in $HUB_CREDS`), when it has one.
        credentials: Option<&'a str>,
    },
}

impl Hint {
    /// The registry a typed hint is about (`None` for [`Hint::Text`] and variables).
    pub fn registry(&self) -> Option<&str> {
        match self {
            Hint::TrustCa { registry, .. }
            | Hint::Insecure { registry }
            | Hint::Login { registry, .. } => Some(registry),
            Hint::Text(_) | Hint::CredentialsVariable { .. } => None,
        }
    }

    /// The hint's text in `style`'s words; one line, no trailing punctuation.
    pub fn render(&self, style: HintStyle<'_>) -> String {
        let sync = match style {
            HintStyle::CommandLine => None,
            HintStyle::SyncConfig {
                registry,
                credentials,
            } => Some((registry.or(self.registry()), credentials)),
        };
        // `registries: R: in the sync configuration`, where sync options are set.
        let at = |r: Option<&str>| {
            format!(
                "registries: {}: in the sync configuration",
                r.unwrap_or("HOST")
            )
        };
        match (self, sync) {
            (Hint::Text(t), _) => t.clone(),
            (Hint::TrustCa { ca, .. }, None) => trust_ca_text(*ca, "pass --ca-file FILE", "pass it with --ca-file FILE", "--insecure"),
            (Hint::Insecure { .. }, None) => {
                "the registry's TLS certificate is not trusted: check it against the given CA file(s), or use --insecure for a test registry".to_string()
            }
            (Hint::TrustCa { ca, .. }, Some((r, _))) => format!(
                "{}, under {} (--ca-file/--insecure apply to every registry)",
                trust_ca_text(*ca, "set ca_file: FILE", "set it as ca_file: FILE", "insecure: true"),
                at(r)
            ),
            (Hint::Insecure { .. }, Some((r, _))) => format!(
                "the registry's TLS certificate is not trusted: check it against the given CA file(s), or set insecure: true for a test registry, under {} (--ca-file/--insecure apply to every registry)",
                at(r)
            ),
            (Hint::Login { registry, case }, None) => login_text(registry, case),
            (Hint::Login { registry, case }, Some((r, named))) => match (named, r) {
                // The configuration's credentials block wins over imgctl login and --creds.
                (Some(source), Some(r)) => format!(
                    "check the credentials the sync configuration names for {r} ({source}) and that the account may access the repository"
                ),
                _ => format!(
                    "{}; or name the variables holding them under {} (credentials:)",
                    login_text(registry, case),
                    at(r)
                ),
            },
            (Hint::CredentialsVariable { name, problem }, _) => match problem {
                VariableProblem::Unset => "export it (e.g. from a CI secret), or remove the credentials block to use stored credentials".to_string(),
                VariableProblem::Empty => "check the secret it is set from (an unset CI secret expands to an empty string), or remove the credentials block to use stored credentials".to_string(),
                VariableProblem::NotUserColonPassword => format!(
                    "set {name} to the username and the password joined by ':' (e.g. {name}=\"$USER:$TOKEN\"), or use username/username_env + password_env"
                ),
            },
        }
    }
}

/// A [`Hint::TrustCa`]'s text with `pass` (give a CA file), `pass_it` (give the registry's
/// own certificate as the CA file) and `insecure` (skip verification) in a front end's words.
fn trust_ca_text(ca: CaAdvice, pass: &str, pass_it: &str, insecure: &str) -> String {
    match ca {
        CaAdvice::Untrusted => format!(
            "the registry's TLS certificate is not trusted: {pass}, or {insecure} for a test registry"
        ),
        CaAdvice::Issuer => {
            format!("{pass} with the CA that issued it, or {insecure} for a test registry")
        }
        CaAdvice::IssuerOrSelfSigned => format!(
            "{pass} with the CA that issued it (or the registry's own certificate when it is self-signed), or {insecure} for a test registry"
        ),
        CaAdvice::SelfSigned => format!(
            "to trust the registry's own self-signed certificate, {pass_it}; or {insecure} for a test registry"
        ),
    }
}

/// A [`Hint::Login`]'s text in command-line words.
fn login_text(r: &str, case: &LoginCase) -> String {
    match case {
        LoginCase::NotSent => {
            format!(
                "no credentials were sent to {r}: run imgctl login {r}, or pass --creds USER:PASS"
            )
        }
        LoginCase::Refused { access } => format!(
            "check the credentials (imgctl login {r}, or --creds USER:PASS) and that the account may access {access}"
        ),
        LoginCase::TokenNotSent => {
            "this registry needs credentials: run imgctl login REGISTRY, or pass --creds USER:PASS"
                .to_string()
        }
        LoginCase::TokenRefused => {
            "check the credentials (imgctl login, --creds, IMGCTL_USERNAME/IMGCTL_PASSWORD)"
                .to_string()
        }
    }
}

/// The command-line rendering ([`HintStyle::CommandLine`]).
impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(HintStyle::CommandLine))
    }
}

impl From<&str> for Hint {
    fn from(s: &str) -> Self {
        Hint::Text(s.to_string())
    }
}

impl From<String> for Hint {
    fn from(s: String) -> Self {
        Hint::Text(s)
    }
}

impl From<&String> for Hint {
    fn from(s: &String) -> Self {
        Hint::Text(s.clone())
    }
}

/// An imgctl error: a kind, a message, a chain of context (outermost first), an optional hint
/// and optionally the registry it came from.
///
/// Displayed as `outer context: inner context: message`; the hint is rendered by the front end
/// on its own line. Messages never contain secrets.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    context: Vec<String>,
    // Boxed: errors travel in every `Result`, and most carry neither.
    hint: Option<Box<Hint>>,
    registry: Option<Box<str>>,
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
            registry: None,
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
    pub fn hint(&self) -> Option<&Hint> {
        self.hint.as_deref()
    }
    /// The hint in command-line words ([`HintStyle::CommandLine`]), if any.
    pub fn hint_text(&self) -> Option<String> {
        self.hint.as_deref().map(Hint::to_string)
    }
    /// The registry (normalised name, e.g. `docker.io`, `127.0.0.1:5000`) whose request or
    /// answer this error comes from, when the registry client built it.
    pub fn registry(&self) -> Option<&str> {
        self.registry.as_deref()
    }
    /// Names the registry the error came from ([`Error::registry`]); an error that names one
    /// already keeps it (the innermost attribution is the most precise).
    pub fn with_registry(mut self, registry: impl Into<String>) -> Self {
        if self.registry.is_none() {
            self.registry = Some(registry.into().into_boxed_str());
        }
        self
    }
    /// Adds an outer context (e.g. "failed to push layer sha256:…").
    pub fn context(mut self, ctx: impl Into<String>) -> Self {
        self.context.insert(0, ctx.into());
        self
    }
    /// Sets the hint: a typed [`Hint`], or a string (a [`Hint::Text`]).
    pub fn with_hint(mut self, hint: impl Into<Hint>) -> Self {
        self.hint = Some(Box::new(hint.into()));
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
                registry: inner.registry.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;

    const SYNC_TAIL: &str = ", under registries: reg.example:5000: in the sync configuration (--ca-file/--insecure apply to every registry)";

    fn sync<'a>(registry: Option<&'a str>, credentials: Option<&'a str>) -> HintStyle<'a> {
        HintStyle::SyncConfig {
            registry,
            credentials,
        }
    }

    #[test]
    fn tls_hints_name_flags_on_the_command_line_and_options_in_sync() {
        let r = "reg.example:5000".to_string();
        let trust = |ca| Hint::TrustCa {
            registry: r.clone(),
            ca,
        };
        let cases = [
            (
                trust(CaAdvice::Untrusted),
                "the registry's TLS certificate is not trusted: pass --ca-file FILE, or --insecure for a test registry",
                "the registry's TLS certificate is not trusted: set ca_file: FILE, or insecure: true for a test registry",
            ),
            (
                trust(CaAdvice::Issuer),
                "pass --ca-file FILE with the CA that issued it, or --insecure for a test registry",
                "set ca_file: FILE with the CA that issued it, or insecure: true for a test registry",
            ),
            (
                trust(CaAdvice::IssuerOrSelfSigned),
                "pass --ca-file FILE with the CA that issued it (or the registry's own certificate when it is self-signed), or --insecure for a test registry",
                "set ca_file: FILE with the CA that issued it (or the registry's own certificate when it is self-signed), or insecure: true for a test registry",
            ),
            (
                trust(CaAdvice::SelfSigned),
                "to trust the registry's own self-signed certificate, pass it with --ca-file FILE; or --insecure for a test registry",
                "to trust the registry's own self-signed certificate, set it as ca_file: FILE; or insecure: true for a test registry",
            ),
            (
                Hint::Insecure {
                    registry: r.clone(),
                },
                "the registry's TLS certificate is not trusted: check it against the given CA file(s), or use --insecure for a test registry",
                "the registry's TLS certificate is not trusted: check it against the given CA file(s), or set insecure: true for a test registry",
            ),
        ];
        for (hint, cli, yaml) in cases {
            assert_eq!(hint.render(HintStyle::CommandLine), cli);
            assert_eq!(hint.to_string(), cli);
            // The registry of the hint itself when the front end knows none.
            assert_eq!(hint.render(sync(None, None)), format!("{yaml}{SYNC_TAIL}"));
            assert_eq!(
                hint.render(sync(Some("other:443"), None)),
                format!(
                    "{yaml}{}",
                    SYNC_TAIL.replace("reg.example:5000", "other:443")
                )
            );
            assert_eq!(hint.registry(), Some("reg.example:5000"));
        }
    }

    #[test]
    fn login_hints_point_to_the_sync_credentials_block() {
        let refused = Hint::Login {
            registry: "docker.io".into(),
            case: LoginCase::Refused {
                access: "this repository".into(),
            },
        };
        let cli = "check the credentials (imgctl login docker.io, or --creds USER:PASS) and that the account may access this repository";
        assert_eq!(refused.render(HintStyle::CommandLine), cli);
        assert_eq!(
            refused.render(sync(None, None)),
            format!(
                "{cli}; or name the variables holding them under registries: docker.io: in the sync configuration (credentials:)"
            )
        );
        assert_eq!(
            refused.render(sync(Some("docker.io"), Some("USER:PASSWORD in $HUB_CREDS"))),
            "check the credentials the sync configuration names for docker.io (USER:PASSWORD in $HUB_CREDS) and that the account may access the repository"
        );
        let not_sent = Hint::Login {
            registry: "127.0.0.1:5000".into(),
            case: LoginCase::NotSent,
        };
        assert_eq!(
            not_sent.to_string(),
            "no credentials were sent to 127.0.0.1:5000: run imgctl login 127.0.0.1:5000, or pass --creds USER:PASS"
        );
        for (case, text) in [
            (
                LoginCase::TokenNotSent,
                "this registry needs credentials: run imgctl login REGISTRY, or pass --creds USER:PASS",
            ),
            (
                LoginCase::TokenRefused,
                "check the credentials (imgctl login, --creds, IMGCTL_USERNAME/IMGCTL_PASSWORD)",
            ),
        ] {
            let h = Hint::Login {
                registry: "r".into(),
                case,
            };
            assert_eq!(h.to_string(), text);
        }
    }

    #[test]
    fn text_hints_and_variables_read_the_same_everywhere() {
        let t: Hint = "type more digits".into();
        assert_eq!(t, Hint::Text("type more digits".into()));
        assert_eq!(t.render(sync(Some("r"), Some("c"))), "type more digits");
        assert_eq!(t.registry(), None);
        let v = Hint::CredentialsVariable {
            name: "HUB_CREDS".into(),
            problem: VariableProblem::NotUserColonPassword,
        };
        let text = "set HUB_CREDS to the username and the password joined by ':' (e.g. HUB_CREDS=\"$USER:$TOKEN\"), or use username/username_env + password_env";
        assert_eq!(v.to_string(), text);
        assert_eq!(v.render(sync(None, None)), text);
        for (p, start) in [
            (VariableProblem::Unset, "export it"),
            (VariableProblem::Empty, "check the secret it is set from"),
        ] {
            let h = Hint::CredentialsVariable {
                name: "X".into(),
                problem: p,
            };
            assert!(h.to_string().starts_with(start), "{h}");
        }
    }

    #[test]
    fn errors_keep_their_hint_and_innermost_registry() {
        let e = Error::network("cannot connect")
            .with_hint(Hint::Insecure {
                registry: "a:1".into(),
            })
            .with_registry("a:1")
            .with_registry("b:2")
            .context("failed to copy blob");
        assert_eq!(e.registry(), Some("a:1"));
        assert_eq!(e.hint().and_then(Hint::registry), Some("a:1"));
        assert!(e.hint_text().unwrap().contains("--insecure"));
        // Through an io::Error (a blob stream's failure), kind, hint and registry survive.
        let back = Error::from(std::io::Error::other(e));
        assert_eq!(back.kind(), ErrorKind::Network);
        assert_eq!(back.registry(), Some("a:1"));
        assert!(matches!(back.hint(), Some(Hint::Insecure { .. })));
        assert_eq!(back.to_string(), "failed to copy blob: cannot connect");
        let plain = Error::other("x");
        assert_eq!((plain.registry(), plain.hint()), (None, None));
    }
}
