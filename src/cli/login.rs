//! `imgctl login` / `imgctl logout`: verify credentials against the registry, then keep the
//! secret in the OS keychain and the username in imgctl's index (src/credentials).

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::sync::Arc;

use clap::Args;
use tracing::warn;

use super::{FormatArg, GlobalOpts, SideOpts};
use imgctl::auth::StaticCredentials;
use imgctl::auth::index::Index;
use imgctl::auth::{keychain, normalize_registry};
use imgctl::error::{Error, Result};
use imgctl::ops::login::{
    Destination, Removed, remove_credentials, store_credentials, wire_credentials,
};

/// `imgctl login` options.
#[derive(Args, Debug)]
pub struct LoginArgs {
    /// Registry to log in to, e.g. ghcr.io or localhost:5000 [default: docker.io]
    pub registry: Option<String>,
    // -u/--username and --password-stdin are global options (GlobalOpts): the account and
    // the secret to store.
    /// Password on the command line: insecure (process list, shell history); prefer --password-stdin.
    #[arg(short = 'p', long, conflicts_with_all = ["password_stdin", "identity_token_stdin"])]
    pub password: Option<String>,
    /// Read an OAuth2 identity/refresh token from stdin (e.g. ACR's, with -u 00000000-0000-0000-0000-000000000000).
    #[arg(long, conflicts_with = "password_stdin")]
    pub identity_token_stdin: bool,
    /// List the registries imgctl holds credentials for (never the secrets).
    #[arg(long, conflicts_with_all = ["registry", "username", "password", "password_stdin", "identity_token_stdin", "to_docker_config"])]
    pub list: bool,
    /// Store in docker's config.json (base64, not encrypted; mode 0600) instead of the OS keychain.
    #[arg(long)]
    pub to_docker_config: bool,
    /// Fail when no keychain is reachable, instead of falling back to docker's config.json (not encrypted); env: true/false, 1/0, yes/no.
    #[arg(long, env = "IMGCTL_REQUIRE_KEYCHAIN", value_parser = clap::builder::BoolishValueParser::new())]
    pub require_keychain: bool,
}

/// `imgctl logout` options.
#[derive(Args, Debug)]
pub struct LogoutArgs {
    /// Registry to log out of [default: docker.io]
    pub registry: Option<String>,
    /// Log out of every registry imgctl holds credentials for.
    #[arg(long, conflicts_with = "registry")]
    pub all: bool,
}

/// Reads a secret from stdin: everything, minus trailing CR/LF. Errors (Usage) when empty.
fn read_stdin_secret(what: &str) -> Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| Error::usage(format!("cannot read the {what} from stdin: {e}")))?;
    let s = s.trim_end_matches(['\n', '\r']).to_string();
    if s.is_empty() {
        return Err(Error::usage(format!("no {what} on stdin")));
    }
    Ok(s)
}

pub(super) fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

fn prompt_line(prompt: &str) -> Result<String> {
    err!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut s = String::new();
    std::io::stdin()
        .read_line(&mut s)
        .map_err(|e| Error::usage(format!("cannot read from the terminal: {e}")))?;
    Ok(s.trim().to_string())
}

/// Runs `imgctl login`: verifies the credentials with the registry, then stores them (OS
/// keychain, or docker's config.json with `--to-docker-config`) and records them in the index.
///
/// When no keychain is reachable (`IMGCTL_KEYCHAIN` unset, `auto` or `none`), the secret goes
/// to docker's config.json as docker does, with a warning on stderr saying where, that it is
/// not encrypted, and how to avoid it; `--require-keychain` (`IMGCTL_REQUIRE_KEYCHAIN`) or a
/// named store in `IMGCTL_KEYCHAIN` make that an error instead. A secret in the kernel keyring
/// gets a note that it does not survive a reboot and expires when unused.
///
/// The credentials: `-u` with `--password-stdin`, `-p` or `--identity-token-stdin`; without
/// any of those, `--creds USER[:PASS]`, else `IMGCTL_USERNAME` + `IMGCTL_PASSWORD`; else a
/// prompt on a terminal. Prints `Login Succeeded` (JSON: registry, username, store) on stdout.
/// Errors: Usage (no or empty username/password, invalid `IMGCTL_KEYCHAIN`), Auth (refused by
/// the registry; nothing stored), and the keychain's errors.
pub async fn login(g: &GlobalOpts, a: &LoginArgs) -> Result<()> {
    let config_dir = g.config_dir()?;
    if a.list {
        return list(g, &Index::load(&config_dir)?);
    }
    let registry = normalize_registry(a.registry.as_deref().unwrap_or("docker.io"));
    if registry.is_empty() {
        return Err(Error::usage("empty registry name"));
    }
    if !a.to_docker_config {
        // An invalid IMGCTL_KEYCHAIN is a usage error before the registry is contacted.
        keychain::wanted()?;
    }
    let identity = a.identity_token_stdin;
    // Without login's own -u/-p/--password-stdin/--identity-token-stdin, the credentials
    // every command takes: --creds USER[:PASS], else IMGCTL_USERNAME + IMGCTL_PASSWORD.
    let own_flags = g.username.is_some() || g.password_stdin || a.password.is_some() || identity;
    let given = if own_flags {
        None
    } else {
        g.credentials(None)?
    };
    // The account as typed (`None`: an identity token given without one).
    let username = match (&given, &g.username) {
        (Some(c), _) => c.username().map(str::to_string),
        (None, Some(u)) if !u.is_empty() => Some(u.clone()),
        _ if identity => None,
        _ if interactive() => Some(prompt_line("Username: ")?),
        _ => {
            return Err(Error::usage(
                "no username: pass -u USER (stdin is not a terminal)",
            )
            .with_hint(
                "e.g. printf '%s' \"$TOKEN\" | imgctl login -u USER --password-stdin REGISTRY; or --creds USER:PASS, or IMGCTL_USERNAME and IMGCTL_PASSWORD",
            ));
        }
    };
    if username.as_deref() == Some("") {
        return Err(Error::usage("empty username"));
    }
    let secret = if let Some(c) = &given {
        c.secret().to_string()
    } else if identity {
        read_stdin_secret("identity token")?
    } else if g.password_stdin {
        read_stdin_secret("password")?
    } else if let Some(p) = &a.password {
        warn!(
            "--password on the command line is insecure (process list, shell history); use --password-stdin"
        );
        p.clone()
    } else if interactive() {
        rpassword::prompt_password("Password: ")
            .map_err(|e| Error::usage(format!("cannot read the password: {e}")))?
    } else {
        return Err(Error::usage(
            "no password: use --password-stdin (stdin is not a terminal)",
        ));
    };
    if secret.is_empty() {
        return Err(Error::usage("empty password"));
    }
    // Credentials every command takes are used as every command reads them.
    let wire = match given {
        Some(c) => c,
        None => wire_credentials(username.as_deref(), secret, identity)?,
    };
    let client = g.client_with(
        Arc::new(StaticCredentials(Some(wire.clone()))),
        &SideOpts::default(),
    )?;
    if !client.verify_credentials(&registry, &wire).await? {
        warn!("{registry} asks for no authentication; storing the credentials anyway");
    }

    let destination = if a.to_docker_config {
        Destination::DockerConfig
    } else {
        Destination::Keychain {
            required: a.require_keychain,
        }
    };
    let stored = store_credentials(
        &config_dir,
        &registry,
        username.as_deref(),
        &wire,
        identity,
        destination,
    )?;
    if let Some(expiry) = &stored.kernel_keyring_expiry
        && !g.quiet
    {
        errln!(
            "note: the secret is in the kernel keyring, which does not survive a reboot and expires after {expiry} unused ({}); log in again then",
            keychain::KEYUTILS_EXPIRY_FILE
        );
    }
    let entry = stored.entry;
    match g.format {
        FormatArg::Json => super::print_json(
            &serde_json::json!({"registry": registry, "username": entry.username, "store": entry.store}),
        )?,
        FormatArg::Text => outln!("Login Succeeded"),
    }
    Ok(())
}

fn list(g: &GlobalOpts, index: &Index) -> Result<()> {
    match g.format {
        FormatArg::Json => {
            let v: Vec<_> = index
                .registries
                .iter()
                .map(|(r, e)| serde_json::json!({"registry": r, "username": e.username, "store": e.store}))
                .collect();
            super::print_json(&serde_json::Value::Array(v))?;
        }
        FormatArg::Text => {
            let w = index
                .registries
                .keys()
                .map(String::len)
                .max()
                .unwrap_or(0)
                .max(8);
            let u = index
                .registries
                .values()
                .map(|e| e.username.len())
                .max()
                .unwrap_or(0)
                .max(8);
            outln!("{:w$}  {:u$}  STORE", "REGISTRY", "USERNAME");
            for (r, e) in &index.registries {
                outln!("{r:w$}  {:u$}  {}", e.username, e.store);
            }
        }
    }
    Ok(())
}

/// Runs `imgctl logout`: removes the stored credentials of one registry (default docker.io),
/// or of every registry in the index with `--all`, from their store and from the index.
///
/// Output: text, `Removed login credentials for HOST` per registry removed on stdout, and
/// `not logged in to HOST` on stderr (silenced by `-q`) for one that had none; JSON, one
/// document: `{"registry", "removed": bool}`, a list of them for `--all`. Errors: the config
/// dir's, and a store that cannot remove a secret (the other registries are still done; the
/// result is printed first).
pub async fn logout(g: &GlobalOpts, a: &LogoutArgs) -> Result<()> {
    let config_dir = g.config_dir()?;
    let one;
    let registries = if a.all {
        None
    } else {
        one = [normalize_registry(
            a.registry.as_deref().unwrap_or("docker.io"),
        )];
        Some(&one[..])
    };
    let mut failed = None;
    let mut results = Vec::new();
    for (r, outcome) in remove_credentials(&config_dir, registries)? {
        let removed = match outcome {
            Removed::Removed => {
                if g.format == FormatArg::Text {
                    outln!("Removed login credentials for {r}");
                }
                true
            }
            Removed::NotLoggedIn => {
                if !g.quiet {
                    errln!("not logged in to {r}");
                }
                false
            }
            Removed::Failed(e) => {
                failed = Some(e);
                false
            }
        };
        results.push(serde_json::json!({"registry": r, "removed": removed}));
    }
    if g.format == FormatArg::Json {
        super::print_json(&if a.all {
            serde_json::Value::Array(results)
        } else {
            results.pop().unwrap_or_default()
        })?;
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
