use super::*;
use crate::store::lock::same_file;

#[test]
fn same_file_compares_file_identity_not_names_or_content() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    fs::write(&a, b"same bytes").unwrap();
    let open = File::open(&a).unwrap();
    assert!(same_file(&open, &a));
    // Another name of the same file (a hard link) is the same file.
    let link = dir.path().join("link");
    fs::hard_link(&a, &link).unwrap();
    assert!(same_file(&open, &link));
    // A different file with the same content, and a missing path, are not.
    let copy = dir.path().join("copy");
    fs::write(&copy, b"same bytes").unwrap();
    assert!(!same_file(&open, &copy));
    assert!(!same_file(&open, &dir.path().join("missing")));
    // The path renamed away and a new file put in its place: no longer the open file.
    fs::rename(&a, dir.path().join("a.old")).unwrap();
    fs::write(&a, b"same bytes").unwrap();
    assert!(!same_file(&open, &a));
}

#[test]
fn writer_lock_is_current_until_its_lock_file_is_replaced() {
    let (_d, l) = new_layout();
    let path = l.private_dir().join(WRITERS_LOCK);
    let lock = l.writer_lock().unwrap();
    assert!(lock.is_current());
    // Another process cleaned the layout up and a new one took its place: the lock held
    // protects nothing any more.
    fs::rename(&path, l.private_dir().join("writers.lock.old")).unwrap();
    assert!(!lock.is_current(), "lock file gone");
    let fresh = l.writer_lock().unwrap();
    assert!(path.is_file());
    assert!(!lock.is_current(), "lock file replaced by another file");
    assert!(fresh.is_current());
    // The exclusive lock reports the same way.
    drop(fresh);
    drop(lock);
    let exclusive = l
        .try_writers_exclusive()
        .unwrap()
        .expect("no writer holds it");
    assert!(exclusive.is_current());
    fs::remove_file(&path).unwrap();
    // On Windows a removed file that is still open may keep its name until closed ("delete
    // pending", without NTFS's POSIX delete semantics; Wine behaves so), and then still is
    // the lock's file.
    if cfg!(unix) {
        assert!(!exclusive.is_current());
    }
}

/// A staging layout removed and made again by another process while this one held its lock
/// (Unix only: Windows refuses to rename a directory holding an open file).
#[cfg(unix)]
#[test]
fn writer_lock_of_a_layout_moved_away_is_not_current() {
    let (d, l) = new_layout();
    let lock = l.writer_lock().unwrap();
    fs::rename(l.root(), d.path().join("moved")).unwrap();
    let again = Layout::open_or_create(l.root()).unwrap();
    assert!(!lock.is_current());
    assert!(again.writer_lock().unwrap().is_current());
}

#[test]
fn an_unused_partial_is_removed_and_one_being_written_is_kept() {
    let (_d, l) = new_layout();
    assert!(
        l.remove_partial_if_unused(&Digest::sha256_of(b"never started")),
        "no partial file: nothing left"
    );
    let busy = partial_file(&l, b"busy", 2000);
    let writer = File::options().read(true).write(true).open(&busy).unwrap();
    writer.lock().unwrap(); // another download is writing it
    assert!(!l.remove_partial_if_unused(&Digest::sha256_of(b"busy")));
    assert_eq!(fs::metadata(&busy).unwrap().len(), 2000);
    drop(writer);
    assert!(l.remove_partial_if_unused(&Digest::sha256_of(b"busy")));
    assert!(!busy.exists());
}
