//! The upload session an upload uses, the guard that deletes (or keeps) it, and the journal
//! that remembers resumable sessions between processes.

use std::sync::Arc;

use crate::registry::repository::Repository;

/// Identifies an upload across processes: the registry host, the repository and the blob.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UploadKey {
    /// The registry's host (and port) as requests address it.
    pub host: String,
    /// The repository path.
    pub repository: String,
    /// The blob's digest (`sha256:…`).
    pub digest: String,
}

/// An upload session as the registry last confirmed it: its newest `Location` (absolute
/// URL) and the bytes it holds, of a blob of `size` bytes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SavedUpload {
    /// The newest `Location` of the session (distribution spec: every PATCH answer's).
    pub location: String,
    /// Bytes the registry confirmed holding (the sum of the accepted chunks).
    pub offset: u64,
    /// The blob's size in bytes.
    pub size: u64,
}

/// Where upload sessions are remembered between processes (the store keeps them in files:
/// `store::uploads`); installed once per process with [`set_upload_journal`]. The registry
/// client saves a session after every accepted chunk of a resumable upload, loads it when
/// the same blob is pushed to the same repository again, and removes it when the upload
/// finishes or fails for good. Implementations never fail: a journal is an optimisation.
pub trait UploadJournal: Send + Sync {
    /// The session saved for `key`, if any.
    fn load(&self, key: &UploadKey) -> Option<SavedUpload>;
    /// Saves (replaces) the session for `key`.
    fn save(&self, key: &UploadKey, upload: &SavedUpload);
    /// Forgets the session for `key`.
    fn remove(&self, key: &UploadKey);
}

static JOURNAL: std::sync::RwLock<Option<Arc<dyn UploadJournal>>> = std::sync::RwLock::new(None);

/// Installs the journal every upload of this process uses (`None`: uploads are not resumable
/// across processes, the default for library users).
pub fn set_upload_journal(journal: Option<Arc<dyn UploadJournal>>) {
    *JOURNAL.write().expect("journal lock") = journal;
}

pub(super) fn upload_journal() -> Option<Arc<dyn UploadJournal>> {
    JOURNAL.read().expect("journal lock").clone()
}

/// An open upload session.
#[derive(Debug, Clone)]
pub(super) struct Session {
    /// Absolute URL of the session (the newest `Location`).
    pub(super) location: String,
    /// The registry's `OCI-Chunk-Min-Length` in bytes (0 if none).
    pub(super) min_chunk: u64,
}

/// The upload session an upload is using, deleted (`DELETE` on its newest location) when the
/// upload will not finish it: a refused or failed attempt, a session given up for a new one,
/// or an upload dropped part-way (cancelled: the DELETE is then sent from a task of its own,
/// on a best-effort basis). A session finished by its final PUT is disarmed.
///
/// A resumable upload (`journal` set) is different when dropped part-way: its session and
/// journal entry are kept, so that the next run continues it (registries expire sessions
/// nobody finishes: distribution after 7 days by default).
pub(super) struct SessionGuard {
    pub(super) repo: Repository,
    pub(super) location: Option<String>,
    pub(super) journal: Option<(Arc<dyn UploadJournal>, UploadKey)>,
}

impl SessionGuard {
    /// Deletes the session now, if any is held, and forgets it in the journal.
    pub(super) async fn abandon(&mut self) {
        if let Some((j, key)) = &self.journal {
            j.remove(key);
        }
        if let Some(loc) = self.location.take() {
            self.repo.delete_session(&loc).await;
        }
    }

    /// The upload finished: nothing to delete, nothing to remember.
    pub(super) fn finished(&mut self) {
        self.location = None;
        if let Some((j, key)) = &self.journal {
            j.remove(key);
        }
    }

    /// Saves the session's confirmed progress (resumable uploads only).
    pub(super) fn save(&self, location: &str, offset: u64, size: u64) {
        if let Some((j, key)) = &self.journal {
            j.save(
                key,
                &SavedUpload {
                    location: location.to_string(),
                    offset,
                    size,
                },
            );
        }
    }
}

impl Drop for SessionGuard {
    /// An upload dropped part-way (cancelled, e.g. because another blob of the copy failed):
    /// on a multi-threaded runtime the DELETE is sent before the drop returns (at most
    /// [`CANCEL_DELETE_TIMEOUT`]), since the process may exit right after; elsewhere it is
    /// spawned as a task of its own.
    fn drop(&mut self) {
        if self.journal.is_some() {
            return; // kept for the next run (see the type's doc)
        }
        let Some(loc) = self.location.take() else {
            return;
        };
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let repo = self.repo.clone();
        let delete = async move {
            let _ = tokio::time::timeout(CANCEL_DELETE_TIMEOUT, repo.delete_session(&loc)).await;
        };
        if rt.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread {
            tokio::task::block_in_place(|| rt.block_on(delete));
        } else {
            rt.spawn(delete);
        }
    }
}

/// How long a cancelled upload waits for the DELETE of its session.
pub(super) const CANCEL_DELETE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
