//! imgctl's credential index: `credentials.json` in the config dir, mapping each registry
//! imgctl logged in to → username and the store holding the secret. It never holds a secret,
//! so `login --list` can read it without touching a keychain.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// File name of the index inside the config dir.
pub const INDEX_FILE: &str = "credentials.json";

/// One registry's login record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The account name given at login.
    pub username: String,
    /// The store holding the secret: `secret-service`, `keyutils`, `keychain` (macOS),
    /// `windows` (Credential Manager) or `docker-config` (docker's config.json).
    pub store: String,
    /// The secret is an identity (OAuth2 refresh) token rather than a password.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub identity_token: bool,
    /// How many keychain entries the secret is split over (Windows Credential Manager holds
    /// at most 2,560 bytes per entry); 0 or 1 means one.
    #[serde(default, skip_serializing_if = "is_one_or_less")]
    pub parts: u32,
}

fn is_one_or_less(n: &u32) -> bool {
    *n <= 1
}

/// The whole index, keyed by normalised registry name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// Registry → login record.
    #[serde(default)]
    pub registries: BTreeMap<String, IndexEntry>,
}

impl Index {
    /// Path of the index in `config_dir`.
    pub fn path(config_dir: &Path) -> PathBuf {
        config_dir.join(INDEX_FILE)
    }

    /// Reads the index in `config_dir`; a missing file is an empty index. Errors (Other) when
    /// the file exists but cannot be read or parsed.
    pub fn load(config_dir: &Path) -> Result<Index> {
        let p = Self::path(config_dir);
        match std::fs::read(&p) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| {
                Error::other(format!("invalid credential index {}: {e}", p.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Index::default()),
            Err(e) => Err(Error::other(format!("cannot read {}: {e}", p.display()))),
        }
    }

    /// Writes the index atomically (temp file + rename, mode 0600 on Unix), creating
    /// `config_dir` if needed.
    pub fn save(&self, config_dir: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| Error::other(e.to_string()))?;
        write_private_file(&Self::path(config_dir), &json)
    }

    /// The record for `registry` (normalised).
    pub fn get(&self, registry: &str) -> Option<&IndexEntry> {
        self.registries.get(registry)
    }
}

/// Writes `bytes` to `path` atomically: a temp file in the same directory (mode 0600 on Unix,
/// created that way so no other user can ever open it), fsync, rename. Creates the parent
/// directory (mode 0700 on Unix) when missing.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir)
            .map_err(|e| Error::other(format!("cannot create {}: {e}", dir.display())))?;
    }
    let what = |e: std::io::Error| Error::other(format!("cannot write {}: {e}", path.display()));
    // Created 0600 (whatever the umask; tempfile's default, said explicitly): unlike layouts
    // and archives (crate::store::shared_temp_file_in), these files hold secrets.
    let mut b = tempfile::Builder::new();
    b.prefix(".imgctl-");
    #[cfg(unix)]
    b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600));
    let mut tmp = b.tempfile_in(dir).map_err(what)?;
    tmp.write_all(bytes).map_err(what)?;
    tmp.as_file().sync_all().map_err(what)?;
    tmp.persist(path).map_err(|e| what(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_mode() {
        let d = tempfile::tempdir().unwrap();
        let cfg = d.path().join("cfg");
        assert_eq!(Index::load(&cfg).unwrap(), Index::default());
        let mut idx = Index::default();
        idx.registries.insert(
            "docker.io".into(),
            IndexEntry {
                username: "alice".into(),
                store: "keyutils".into(),
                identity_token: false,
                parts: 0,
            },
        );
        idx.save(&cfg).unwrap();
        assert_eq!(Index::load(&cfg).unwrap(), idx);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let m = std::fs::metadata(Index::path(&cfg)).unwrap().permissions();
            assert_eq!(m.mode() & 0o777, 0o600);
        }
    }
}
