//! The sled layout and its queries.
