//! `imgctl login` / `imgctl logout`: verify credentials against the registry, then keep the
//! secret in the OS keychain and the username in imgctl's index (src/credentials).

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::sync::Arc;

use clap::Args;
use tracing::warn;

use super::{FormatArg, GlobalOpts, SideOpts};
use imgctl::credentials::index::{Index, IndexEntry};
use imgctl::credentials::{
    ACR_TOKEN_USER, IDENTITY_TOKEN_USER, block_outside_runtime, docker_config, docker_config_path,
    keychain, normalize_registry,
};
use imgctl::error::{Error, Result};
use imgctl::registry::auth::{Credentials, StaticCredentials};

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
    eprint!("{prompt}");
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
    let username = match (&given, &g.username) {
        (Some(c), _) => c.username.clone(),
        (None, Some(u)) if !u.is_empty() => u.clone(),
        _ if identity => IDENTITY_TOKEN_USER.to_string(),
        _ if interactive() => prompt_line("Username: ")?,
        _ => {
            return Err(Error::usage(
                "no username: pass -u USER (stdin is not a terminal)",
            )
            .with_hint(
                "e.g. printf '%s' \"$TOKEN\" | imgctl login -u USER --password-stdin REGISTRY; or --creds USER:PASS, or IMGCTL_USERNAME and IMGCTL_PASSWORD",
            ));
        }
    };
    if username.is_empty() {
        return Err(Error::usage("empty username"));
    }
    let secret = if let Some(c) = given {
        c.password
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
    // What goes on the wire: identity tokens are marked by their username (see credentials).
    let wire = Credentials {
        username: if identity && username != ACR_TOKEN_USER {
            IDENTITY_TOKEN_USER.to_string()
        } else {
            username.clone()
        },
        password: secret,
    };
    let client = g.client_with(
        Arc::new(StaticCredentials(Some(wire.clone()))),
        &SideOpts::default(),
    )?;
    if !client.verify_credentials(&registry, &wire).await? {
        warn!("{registry} asks for no authentication; storing the credentials anyway");
    }

    let mut index = Index::load(&config_dir)?;
    let previous = index.get(&registry).cloned();
    let to_docker_config = || -> Result<IndexEntry> {
        let path = docker_config_path()
            .ok_or_else(|| Error::usage("cannot find docker's config dir; set DOCKER_CONFIG"))?;
        block_outside_runtime(|| docker_config::store(&path, &registry, &wire, identity))?;
        Ok(IndexEntry {
            username: username.clone(),
            store: keychain::DOCKER_CONFIG_STORE.to_string(),
            identity_token: identity,
            parts: 0,
        })
    };
    let entry = if a.to_docker_config {
        let entry = to_docker_config()?;
        warn!(
            "credentials for {registry} stored in {} (base64, not encrypted)",
            docker_config_path().unwrap_or_default().display()
        );
        entry
    } else {
        match block_outside_runtime(keychain::select) {
            Ok((name, store)) => {
                let parts = block_outside_runtime(|| {
                    keychain::write(&name, &store, &registry, &username, &wire.password)
                })?;
                if name == "keyutils" && !g.quiet {
                    let expiry = keychain::keyutils_expiry()
                        .map(keychain::describe_expiry)
                        .unwrap_or_else(|| "a few days".to_string());
                    eprintln!(
                        "note: the secret is in the kernel keyring, which does not survive a reboot and expires after {expiry} unused ({}); log in again then",
                        keychain::KEYUTILS_EXPIRY_FILE
                    );
                }
                IndexEntry {
                    username: username.clone(),
                    store: name,
                    identity_token: identity,
                    parts,
                }
            }
            Err(e)
                if a.require_keychain
                    || matches!(keychain::wanted(), Ok(keychain::Wanted::Store(_))) =>
            {
                return Err(e
                    .context(format!("credentials for {registry} are valid but were not stored"))
                    .with_hint("make a keychain reachable (a Secret Service on D-Bus, or the kernel keyring), pass --to-docker-config to keep them in docker's config.json (mode 0600, not encrypted), or give them to each command with IMGCTL_USERNAME/IMGCTL_PASSWORD"));
            }
            Err(e) => {
                let entry = to_docker_config()?;
                warn!(
                    "{e}: credentials for {registry} stored in {} instead, base64-encoded and NOT encrypted (mode 0600), as docker does; to avoid that, make a keychain reachable (a Secret Service on D-Bus, or the kernel keyring), give the credentials to each command (IMGCTL_USERNAME/IMGCTL_PASSWORD), or refuse this fallback with --require-keychain or IMGCTL_REQUIRE_KEYCHAIN=true",
                    docker_config_path().unwrap_or_default().display()
                );
                entry
            }
        }
    };
    // Remove the previous secret when it lived elsewhere, or its surplus parts.
    if let Some(prev) = previous {
        let first = if prev.store == entry.store && prev.username == entry.username {
            entry.parts.max(1)
        } else {
            0
        };
        if first < prev.parts.max(1)
            && let Err(e) = block_outside_runtime(|| keychain::delete_from(&registry, &prev, first))
        {
            warn!(
                "cannot remove the previous credentials for {registry} from {}: {e}",
                prev.store
            );
        }
    }
    index.registries.insert(registry.clone(), entry.clone());
    index.save(&config_dir)?;
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
    let mut index = Index::load(&config_dir)?;
    let registries: Vec<String> = if a.all {
        index.registries.keys().cloned().collect()
    } else {
        vec![normalize_registry(
            a.registry.as_deref().unwrap_or("docker.io"),
        )]
    };
    let mut failed = None;
    let mut results = Vec::new();
    for r in registries {
        let Some(entry) = index.registries.get(&r).cloned() else {
            if !g.quiet {
                eprintln!("not logged in to {r}");
            }
            results.push(serde_json::json!({"registry": r, "removed": false}));
            continue;
        };
        match block_outside_runtime(|| keychain::delete(&r, &entry)) {
            Ok(_) => {
                index.registries.remove(&r);
                if g.format == FormatArg::Text {
                    outln!("Removed login credentials for {r}");
                }
                results.push(serde_json::json!({"registry": r, "removed": true}));
            }
            Err(e) => {
                results.push(serde_json::json!({"registry": r, "removed": false}));
                failed = Some(e.context(format!("cannot remove the credentials for {r}")));
            }
        }
    }
    index.save(&config_dir)?;
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
