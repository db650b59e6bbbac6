//! quill's integration tests: the real binary on small fixture sites in temp dirs.

mod common;

mod browser;
mod build;
mod build_errors;
mod comments_site;
mod import;
mod incremental;
mod ingest;
mod ingest_hardening;
mod notify;
mod postgres;
mod scaffold;
mod serve;
mod spam_filter;
mod store;
