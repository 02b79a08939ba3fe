//! Upload sessions remembered between processes (issue 12): the registry client's
//! [`UploadJournal`] kept in [`StateDir`] files, so that a push interrupted by a kill, Ctrl-C
//! or a lost machine continues from the bytes the registry confirmed instead of byte 0.
//! Installed by the command line in `uploads/` of the cache directory.

use std::path::Path;
use std::time::Duration;

use tracing::debug;

use crate::registry::{SavedUpload, UploadJournal, UploadKey};
use crate::store::state::StateDir;

/// Saved sessions untouched for longer are stale (distribution forgets unfinished uploads
/// after 7 days by default).
pub const MAX_AGE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// An [`UploadJournal`] in a directory of state files, one JSON document per upload.
#[derive(Debug, Clone)]
pub struct UploadJournalDir {
    files: StateDir,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    host: String,
    repository: String,
    digest: String,
    #[serde(flatten)]
    upload: SavedUpload,
}

impl UploadJournalDir {
    /// A journal in `dir` (created on the first save).
    pub fn new(dir: &Path) -> UploadJournalDir {
        UploadJournalDir {
            files: StateDir::new(dir, MAX_AGE),
        }
    }
}

fn parts(key: &UploadKey) -> [&str; 3] {
    [&key.host, &key.repository, &key.digest]
}

impl UploadJournal for UploadJournalDir {
    fn load(&self, key: &UploadKey) -> Option<SavedUpload> {
        let bytes = self.files.load(&parts(key))?;
        match serde_json::from_slice::<Entry>(&bytes) {
            // The file name is a hash: check it is this key's entry.
            Ok(e)
                if e.host == key.host
                    && e.repository == key.repository
                    && e.digest == key.digest =>
            {
                Some(e.upload)
            }
            _ => {
                debug!(digest = %key.digest, "ignoring an unreadable saved upload session");
                self.files.remove(&parts(key));
                None
            }
        }
    }

    fn save(&self, key: &UploadKey, upload: &SavedUpload) {
        let entry = Entry {
            host: key.host.clone(),
            repository: key.repository.clone(),
            digest: key.digest.clone(),
            upload: upload.clone(),
        };
        let bytes = serde_json::to_vec(&entry).expect("entry serializes");
        self.files.save(&parts(key), &bytes);
    }

    fn remove(&self, key: &UploadKey) {
        self.files.remove(&parts(key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(repo: &str) -> UploadKey {
        UploadKey {
            host: "127.0.0.1:5000".into(),
            repository: repo.into(),
            digest: format!("sha256:{}", "a".repeat(64)),
        }
    }

    #[test]
    fn a_saved_session_is_found_for_its_upload_only() {
        let dir = tempfile::tempdir().unwrap();
        let j = UploadJournalDir::new(&dir.path().join("uploads"));
        assert_eq!(j.load(&key("a")), None);
        let up = SavedUpload {
            location: "http://127.0.0.1:5000/v2/a/blobs/uploads/u?_state=x".into(),
            offset: 8 << 20,
            size: 256 << 20,
        };
        j.save(&key("a"), &up);
        assert_eq!(j.load(&key("a")), Some(up));
        assert_eq!(j.load(&key("b")), None);
        j.remove(&key("a"));
        assert_eq!(j.load(&key("a")), None);
    }

    #[test]
    fn a_corrupt_entry_is_ignored_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let j = UploadJournalDir::new(dir.path());
        j.files.save(&parts(&key("a")), b"{not json");
        assert_eq!(j.load(&key("a")), None);
        assert_eq!(j.files.load(&parts(&key("a"))), None);
    }
}
