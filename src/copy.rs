//! The transfer engine (stub).
