//! Tar plumbing shared by the `oci-archive:` and `docker-archive:` transports, which import
//! this and the model, never each other.
//!
//! Reading never unpacks: [`TarIndex::scan`] walks the member headers once and records where
//! each regular file's bytes start in the archive file, so a blob is served by seeking into the
//! archive (constant memory, no temp copy). The scan is also the safety check: a member whose
//! name is absolute or climbs out with `..`, or a symlink/hardlink whose target leaves the
//! archive, makes the whole archive refused (Integrity) — nothing is ever written from it.
//! [`TarLayout`] reads an OCI image layout (`index.json`, `blobs/…`) out of a scanned archive.
//!
//! Writing goes through an [`ArchiveTarget`]: the image is staged in an OCI layout (a
//! directory beside the file, kept across interrupted runs so they resume: see
//! [`stage`]), then tarred. A regular file (or a new path, or a symlink to either) is
//! written atomically — a temp archive in the staging directory, renamed over the file — so a
//! failed copy never leaves a half-written archive; a stream (`/dev/stdout`, a FIFO,
//! `/dev/null`) is written straight into and never replaced.

pub mod layout;
pub mod read;
pub mod stage;
pub mod target;
pub mod write;

pub use layout::{CONTAINERD_IMAGE_NAME, TarLayout, blob_member};
pub use read::{MAX_SMALL_MEMBER, TarIndex, describe_content, json_error};
pub use stage::StagedLayout;
pub use target::{ArchiveTarget, TargetWriter, is_stdout};
pub use write::MemberData;
