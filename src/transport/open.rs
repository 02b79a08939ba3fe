//! The one place that knows every transport: a [`Location`] opened as an [`ImageSource`] or an
//! [`ImageDestination`].

use std::path::Path;

use super::tar::ArchiveTarget;
use super::{ImageDestination, ImageSource, docker, docker_archive, oci, oci_archive};
use crate::error::{Error, Result};
use crate::location::Location;
use crate::registry::Client;
use crate::store::Layout;

/// Opens `loc` for reading. `client` serves registry locations; `store` is the local store's
/// directory (for [`Location::Store`]).
///
/// Errors: NotFound when a layout does not exist. Archives are opened lazily: their errors
/// (missing file, malicious member) surface on the first read.
pub fn open_source(loc: &Location, client: &Client, store: &Path) -> Result<Box<dyn ImageSource>> {
    Ok(match loc {
        Location::Registry(r) => Box::new(docker::RegistrySource::new(client, r.clone())),
        Location::Store(r) => Box::new(oci::LayoutSource::new(
            Layout::open_or_create(store)?,
            Some(r.to_string()),
            format!("{r} (local store)"),
        )),
        Location::StoreDigest(d) => Box::new(oci::LayoutSource::by_digest(
            Layout::open_or_create(store)?,
            d.clone(),
            format!("{d} (local store)"),
        )),
        Location::Oci { path, tag } => Box::new(oci::LayoutSource::new(
            Layout::open(path)?,
            tag.clone(),
            loc.to_string(),
        )),
        Location::OciArchive { path, tag } => Box::new(oci_archive::OciArchiveSource::new(
            path,
            tag.clone(),
            loc.to_string(),
        )),
        Location::DockerArchive { path, reference } => {
            Box::new(docker_archive::DockerArchiveSource::new(
                path,
                match reference {
                    Some(r) => docker_archive::Select::Named(r.clone()),
                    None => docker_archive::Select::Only,
                },
                loc.to_string(),
            ))
        }
    })
}

/// Opens `loc` for writing (creating an OCI layout when needed). An archive's path is resolved
/// by [`ArchiveTarget::resolve`] (a file replaced atomically, a stream such as
/// `/dev/stdout` written into); a streamed archive is staged in `store`. See [`open_source`].
///
/// Errors: Usage for `store:sha256:…` and for an archive path that cannot be written (a
/// directory, a missing directory, a terminal); the layout's and archive's I/O errors.
pub fn open_destination(
    loc: &Location,
    client: &Client,
    store: &Path,
) -> Result<Box<dyn ImageDestination>> {
    Ok(match loc {
        Location::Registry(r) => Box::new(docker::RegistryDestination::new(client, r.clone())),
        Location::Store(r) => Box::new(
            oci::LayoutDestination::new(
                Layout::open_or_create(store)?,
                Some(r.to_string()),
                format!("{r} (local store)"),
            )
            .recording_origin(),
        ),
        Location::StoreDigest(d) => {
            return Err(Error::usage(format!(
                "cannot write to store:{d}: a store destination needs a name (store:REF)"
            )));
        }
        Location::Oci { path, tag } => Box::new(oci::LayoutDestination::create(
            path,
            tag.clone(),
            loc.to_string(),
        )?),
        Location::OciArchive { path, tag } => Box::new(oci_archive::OciArchiveDestination::new(
            ArchiveTarget::resolve(path)?,
            store,
            tag.clone(),
            loc.to_string(),
        )?),
        Location::DockerArchive { path, reference } => {
            Box::new(docker_archive::DockerArchiveDestination::new(
                ArchiveTarget::resolve(path)?,
                store,
                reference.clone(),
                loc.to_string(),
            )?)
        }
    })
}
