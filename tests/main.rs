//! quill's integration tests: the real binary on small fixture sites in temp dirs.

mod common;

mod browser;
mod build;
mod build_errors;
mod comment_html;
mod comment_pages;
mod comments_site;
mod front_matter;
mod highlight;
mod import;
mod import_site;
mod incremental;
mod ingest;
mod ingest_hardening;
mod notify;
mod permalinks;
mod postgres;
mod scaffold;
mod sections;
mod serve;
mod shortcodes;
mod spam_filter;
mod store;
mod taxonomies;
mod translations;
mod webmention;
