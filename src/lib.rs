//! quill: a static site generator for personal blogs, with comments as a first-class part of
//! the site.
//!
//! `quill build` runs in five stages, one after another (`build::build`); each is parallel
//! inside:
//!
//! ```text
//! prepare  site.toml ─► config · output lock · finish an interrupted build · templates · site key
//! load     last manifest + source record ║ content scan ─► front matter ║ store: comment stamps
//!          and top-level counts ─► site model (immutable: pages, URLs, sections, taxonomies,
//!          translations)
//! plan     jobs, one per output file ─► keys against the last manifest ─► what to render,
//!          whose bodies, whose threads
//! render   Markdown + shortcodes + highlighting of the bodies needed ║ the newest comments
//!          and the webmentions ─► the jobs without threads through Tera (rayon) ─► the threads
//!          streamed from the store post by post (`build::threads`), paged by `[comments]
//!          per_page`, each comment's HTML made once, each post's thread pages rendered as
//!          its thread arrives, those showing what they showed before skipped ─► comments feed
//! write    full: a staging folder, swapped in whole │ incremental: a pending folder beside the
//!          output, a journal, then the renames ─► manifest and source record beside the output
//! ```
//!
//! The store is read three times: the comment stamps while the content loads, the newest
//! comments and webmentions while the bodies render, then the threads while their pages
//! render (a build without a record starts reading every thread, on connections of its own,
//! as soon as the stamps are read). Ingest is a second, short pipeline: read
//! submissions ─► validate, score (the spam filter's model, loaded once per run) and render
//! each body's HTML, on other threads than the writer's ─► store, in the file's order (one
//! transaction) ─► tell the author of what waits (`notify`). Import is the same pipeline with another
//! reader in front: an export of Disqus, WordPress, Staticman or Isso ─► match posts, HTML to
//! Markdown ─► ingest's validate and store; `quill import jekyll|hugo|zola` writes a whole new
//! site and runs the Staticman import into it. Every submission is scored by the spam filter
//! on its way in (`spam`), and a run that stored something waiting tells the author
//! (`notify`). `quill serve` calls the build; its comment endpoint calls ingest's submitter,
//! and its webmention endpoint verifies a source before storing it like a comment.

pub mod build;
pub mod comments;
pub mod config;
pub mod content;
pub(crate) mod diagnostics;
pub(crate) mod highlight;
pub mod import;
pub mod ingest;
pub(crate) mod links;
pub(crate) mod manifest;
pub(crate) mod markdown;
pub(crate) mod math;
pub mod notify;
pub(crate) mod output;
pub(crate) mod render;
pub mod scaffold;
pub mod serve;
pub mod shortcodes;
pub(crate) mod site;
pub mod spam;
pub mod store;
pub(crate) mod templates;
