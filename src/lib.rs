//! quill: a static site generator for personal blogs, with comments as a first-class part of
//! the site.
//!
//! The build is one pipeline that flows one way:
//!
//! ```text
//! site.toml ──► config ──► content (walk, front matter, markdown) ──┐
//! comments.db ─► store (one query, read-only) ──────────────────────┴─► site model (immutable)
//!                         site model ──► render jobs (rayon) ──► output (staging dir, swap)
//! ```
//!
//! Ingest is a second, short pipeline: read submissions ─► validate ─► store (one transaction).
//! Import is the same pipeline with another reader in front: an export of Disqus, WordPress,
//! Staticman or Isso ─► match posts, HTML to Markdown ─► ingest's validate and store.

pub mod build;
pub mod comments;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod highlight;
pub mod import;
pub mod ingest;
pub mod links;
pub mod manifest;
pub mod markdown;
pub mod math;
pub mod notify;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod shortcodes;
pub mod site;
pub mod spam;
pub mod store;
pub mod templates;
