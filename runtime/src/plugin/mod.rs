//! Loading, sandboxing and calling platform plugins.
