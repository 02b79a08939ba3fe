//! Registry transport (stub).
