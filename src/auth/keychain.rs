//! The OS keychain through keyring-core, one store per OS: macOS Keychain (`keychain`),
//! Windows Credential Manager (`windows`), Linux Secret Service (`secret-service`) and, when no
//! Secret Service answers, the Linux kernel key retention service (`keyutils`, the user's
//! persistent keyring).
//!
//! An entry is service `imgctl:<registry>`, user `<username>` (the account given at login;
//! docker's marker `<token>` for an identity token given without one); its secret is the
//! password or identity token, which of the two the [`IndexEntry`] says (`identity_token`). Secrets longer than a store's limit (Windows: 2,560 bytes) are split over
//! entries `imgctl:<registry>#1`, `#2`, … and the [`IndexEntry`] records the count.
//! There is deliberately no in-memory fallback: when nothing is reachable, callers are told.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

use super::Secret;
use super::index::IndexEntry;
use crate::error::{Error, Result};

/// Store name of docker's config.json (written only when the user asks for it at login).
pub const DOCKER_CONFIG_STORE: &str = "docker-config";

/// Largest secret one Windows Credential Manager entry holds, in bytes.
pub const WINDOWS_MAX_SECRET: usize = 2560;

/// The keychains this build can use, in preference order.
pub fn candidates() -> &'static [&'static str] {
    if cfg!(target_os = "linux") {
        &["secret-service", "keyutils"]
    } else if cfg!(target_os = "macos") {
        &["keychain"]
    } else if cfg!(target_os = "windows") {
        &["windows"]
    } else {
        &[]
    }
}

/// Describes a keyring-core error without ever including secret bytes (some variants carry
/// the raw stored data).
fn describe(e: &keyring_core::Error) -> String {
    use keyring_core::Error as E;
    match e {
        E::BadEncoding(_) | E::BadDataFormat(..) => "the stored secret is malformed".into(),
        E::Ambiguous(v) => format!("{} matching entries", v.len()),
        other => other.to_string(),
    }
}

fn kerr(store: &str, e: keyring_core::Error) -> Error {
    Error::other(format!("{store}: {}", describe(&e)))
}

/// Opens the named store. Errors (Other) when this OS has no such store or it cannot be
/// reached (no D-Bus session, keyctl refused, …).
pub fn open(name: &str) -> Result<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = match name {
        #[cfg(target_os = "linux")]
        "secret-service" => {
            dbus_secret_service_keyring_store::Store::new().map_err(|e| kerr(name, e))?
        }
        #[cfg(target_os = "linux")]
        "keyutils" => linux_keyutils_keyring_store::Store::new().map_err(|e| kerr(name, e))?,
        #[cfg(target_os = "macos")]
        "keychain" => {
            apple_native_keyring_store::keychain::Store::new().map_err(|e| kerr(name, e))?
        }
        #[cfg(target_os = "windows")]
        "windows" => windows_native_keyring_store::Store::new().map_err(|e| kerr(name, e))?,
        _ => {
            return Err(Error::other(format!(
                "no keychain store named {name:?} on this system"
            )));
        }
    };
    // Opening may succeed lazily: probe with a read of an entry that does not exist.
    let probe = Entry::new_in_store(&store, "imgctl:probe", "imgctl").map_err(|e| kerr(name, e))?;
    match probe.get_password() {
        Ok(_) | Err(keyring_core::Error::NoEntry) => Ok(store),
        Err(e) => Err(kerr(name, e)),
    }
}

/// What `IMGCTL_KEYCHAIN` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// Unset, empty or `auto`: the first reachable of [`candidates`].
    Auto,
    /// `none`: no keychain at all.
    None,
    /// One of [`candidates`], by name.
    Store(&'static str),
}

/// Parses an `IMGCTL_KEYCHAIN` value (`None`: unset). Errors (Usage) naming the valid values
/// (`auto`, `none` and this system's [`candidates`]) when it is anything else, a store of
/// another OS included.
pub fn parse_wanted(value: Option<&str>) -> Result<Wanted> {
    match value.unwrap_or("") {
        "" | "auto" => Ok(Wanted::Auto),
        "none" => Ok(Wanted::None),
        v => match candidates().iter().find(|c| **c == v) {
            Some(c) => Ok(Wanted::Store(c)),
            None => {
                let mut valid = vec!["auto", "none"];
                valid.extend(candidates());
                Err(Error::usage(format!(
                    "invalid IMGCTL_KEYCHAIN value {v:?}: valid values on this system are {}",
                    valid.join(", ")
                )))
            }
        },
    }
}

/// Reads `IMGCTL_KEYCHAIN` from the environment and checks it (see [`parse_wanted`]); cheap,
/// touches no keychain. Errors (Usage) on an invalid or non-UTF-8 value.
pub fn wanted() -> Result<Wanted> {
    match std::env::var("IMGCTL_KEYCHAIN") {
        Ok(v) => parse_wanted(Some(&v)),
        Err(std::env::VarError::NotPresent) => parse_wanted(None),
        Err(std::env::VarError::NotUnicode(v)) => parse_wanted(Some(&v.to_string_lossy())),
    }
}

/// Picks the keychain to write to: the one `IMGCTL_KEYCHAIN` names, or the first reachable of
/// [`candidates`] (`auto`). Errors: Usage when `IMGCTL_KEYCHAIN` is invalid (see [`wanted`]);
/// Other listing why each store failed, or when it is `none`.
pub fn select() -> Result<(String, Arc<CredentialStore>)> {
    let wanted = wanted()?;
    let names: Vec<&str> = match wanted {
        Wanted::Auto => candidates().to_vec(),
        Wanted::None => Vec::new(),
        Wanted::Store(n) => vec![n],
    };
    let mut why = Vec::new();
    for n in names {
        match open(n) {
            Ok(s) => return Ok((n.to_string(), s)),
            Err(e) => why.push(e.to_string()),
        }
    }
    if why.is_empty() {
        why.push(if wanted == Wanted::None {
            "IMGCTL_KEYCHAIN=none".to_string()
        } else {
            "this system has no supported keychain".to_string()
        });
    }
    Err(Error::other(format!(
        "no keychain is reachable ({})",
        why.join("; ")
    )))
}

/// Where Linux says how long an unused persistent keyring lives, in seconds.
pub const KEYUTILS_EXPIRY_FILE: &str = "/proc/sys/kernel/keys/persistent_keyring_expiry";

/// How long the kernel keeps a user's persistent keyring (and so imgctl's secret in the
/// `keyutils` store) after its last use: [`KEYUTILS_EXPIRY_FILE`], in seconds. `None` when it
/// cannot be read (not Linux, no persistent keyrings).
pub fn keyutils_expiry() -> Option<std::time::Duration> {
    std::fs::read_to_string(KEYUTILS_EXPIRY_FILE)
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(std::time::Duration::from_secs)
}

/// `expiry` for people: whole days as `3 days`, else hours (`36 hours`), else seconds.
pub fn describe_expiry(expiry: std::time::Duration) -> String {
    let s = expiry.as_secs();
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if s >= 86_400 && s.is_multiple_of(86_400) {
        plural(s / 86_400, "day")
    } else if s >= 3600 && s.is_multiple_of(3600) {
        plural(s / 3600, "hour")
    } else {
        plural(s, "second")
    }
}

fn service(registry: &str, part: u32) -> String {
    if part == 0 {
        format!("imgctl:{registry}")
    } else {
        format!("imgctl:{registry}#{part}")
    }
}

/// Splits `secret` into pieces of at most `max` bytes, on character boundaries.
pub fn split_secret(secret: &str, max: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = secret;
    while rest.len() > max {
        let mut cut = max;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (a, b) = rest.split_at(cut);
        out.push(a);
        rest = b;
    }
    out.push(rest);
    out
}

/// Stores `secret` for `registry`/`username` in `store` (named `store_name`); returns the
/// number of entries used (1 unless split). Errors (Other) from the store.
pub fn write(
    store_name: &str,
    store: &Arc<CredentialStore>,
    registry: &str,
    username: &str,
    secret: &str,
) -> Result<u32> {
    let max = if store_name == "windows" {
        WINDOWS_MAX_SECRET
    } else {
        usize::MAX
    };
    let parts = split_secret(secret, max);
    for (i, p) in parts.iter().enumerate() {
        let e = Entry::new_in_store(store, &service(registry, i as u32), username)
            .map_err(|e| kerr(store_name, e))?;
        e.set_password(p).map_err(|e| kerr(store_name, e))?;
    }
    Ok(parts.len() as u32)
}

/// Reads imgctl's secret for `registry` as recorded in `entry`: with `entry.identity_token`
/// an identity token (with its account when the registry expects one, see
/// [`Secret::identity_token`]), else the pair `entry.username` and secret
/// ([`Secret::from_pair`]). `Ok(None)` when the store has
/// no such entry; errors (Other) when the store cannot be reached.
pub fn read(registry: &str, entry: &IndexEntry) -> Result<Option<Secret>> {
    if entry.store == DOCKER_CONFIG_STORE {
        // Written inline into docker's config.json; read it back from there.
        return Ok(super::docker_config_path()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| super::docker_config::DockerConfig::parse(&b).ok())
            .and_then(|c| c.inline(registry)));
    }
    let store = open(&entry.store)?;
    let mut secret = String::new();
    for i in 0..entry.parts.max(1) {
        let e = Entry::new_in_store(&store, &service(registry, i), &entry.username)
            .map_err(|e| kerr(&entry.store, e))?;
        match e.get_password() {
            Ok(p) => secret.push_str(&p),
            Err(keyring_core::Error::NoEntry) => return Ok(None),
            Err(e) => return Err(kerr(&entry.store, e)),
        }
    }
    Ok((!secret.is_empty()).then(|| {
        if entry.identity_token {
            Secret::identity_token(Some(&entry.username), secret)
        } else {
            Secret::from_pair(&entry.username, secret)
        }
    }))
}

/// Deletes imgctl's secret for `registry` as recorded in `entry`; `true` when something was
/// deleted. Errors (Other) when the store cannot be reached.
pub fn delete(registry: &str, entry: &IndexEntry) -> Result<bool> {
    delete_from(registry, entry, 0)
}

/// Like [`delete`], but only the parts numbered `first` and above (a shorter secret replaced
/// a split one).
pub fn delete_from(registry: &str, entry: &IndexEntry, first: u32) -> Result<bool> {
    if entry.store == DOCKER_CONFIG_STORE {
        return match super::docker_config_path() {
            Some(p) => super::docker_config::remove(&p, registry),
            None => Ok(false),
        };
    }
    let store = open(&entry.store)?;
    let mut any = false;
    for i in first..entry.parts.max(1) {
        let e = Entry::new_in_store(&store, &service(registry, i), &entry.username)
            .map_err(|e| kerr(&entry.store, e))?;
        match e.delete_credential() {
            Ok(()) => any = true,
            Err(keyring_core::Error::NoEntry) => {}
            Err(e) => return Err(kerr(&entry.store, e)),
        }
    }
    Ok(any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_secrets_split_on_char_boundaries() {
        assert_eq!(split_secret("abc", 2560), vec!["abc"]);
        let long = "x".repeat(6000);
        let parts = split_secret(&long, WINDOWS_MAX_SECRET);
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            vec![2560, 2560, 880]
        );
        assert_eq!(parts.concat(), long);
        let s = "é".repeat(3); // 2 bytes each
        assert_eq!(split_secret(&s, 3), vec!["é", "é", "é"]);
    }

    #[test]
    fn keychain_env_values() {
        assert_eq!(parse_wanted(None).unwrap(), Wanted::Auto);
        assert_eq!(parse_wanted(Some("")).unwrap(), Wanted::Auto);
        assert_eq!(parse_wanted(Some("auto")).unwrap(), Wanted::Auto);
        assert_eq!(parse_wanted(Some("none")).unwrap(), Wanted::None);
        for c in candidates() {
            assert_eq!(parse_wanted(Some(c)).unwrap(), Wanted::Store(c));
        }
        for bad in ["bogus", "Auto", " none", "docker-config"] {
            let e = parse_wanted(Some(bad)).unwrap_err();
            assert_eq!(e.kind(), crate::error::ErrorKind::Usage, "{bad}");
            assert!(e.to_string().contains("auto, none"), "{e}");
        }
    }

    #[test]
    fn expiry_in_words() {
        use std::time::Duration;
        assert_eq!(describe_expiry(Duration::from_secs(259_200)), "3 days");
        assert_eq!(describe_expiry(Duration::from_secs(86_400)), "1 day");
        assert_eq!(describe_expiry(Duration::from_secs(129_600)), "36 hours");
        assert_eq!(describe_expiry(Duration::from_secs(90)), "90 seconds");
    }

    #[test]
    fn unknown_store_names_are_refused() {
        let e = open("no-such-store").err().unwrap();
        assert!(e.to_string().contains("no keychain store"), "{e}");
    }
}
