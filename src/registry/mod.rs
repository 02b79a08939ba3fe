//! OCI distribution API client (stub).
