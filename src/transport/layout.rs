//! OCI layout transport (stub).
