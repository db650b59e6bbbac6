//! Each comment's stored HTML kept current: an upgrade to a schema that holds it (or `quill db
//! upgrade` on one that does) renders the rows whose HTML is missing or was made by another
//! renderer, a batch at a time, within the transaction that upgrades. The SQL is the
//! backends'; the batching and the rendering are shared here.

use rayon::prelude::*;

use crate::comments::render::stored_html;

/// Rows rendered per batch: enough to keep every core busy, few enough that a million-row
/// upgrade never holds more than a few MiB of bodies.
pub(super) const BATCH: i64 = 4096;

/// The stale rows of one batch, as the backends select them (both dialects, parameters: the
/// last id done, the current version, the batch size): comments only, since a webmention's
/// body is plain text that is never rendered as Markdown.
pub(super) const STALE: &str = "SELECT c.id, c.body FROM comments c
     WHERE c.id > $1 AND c.html_version <> $2
       AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.comment_id = c.id)
     ORDER BY c.id LIMIT $3";

/// Stores one row's HTML (both dialects, parameters: HTML, version, id; SQLite numbers `$n`
/// by first appearance, so they appear in order).
pub(super) const STORE: &str =
    "UPDATE comments SET body_html = $1, html_version = $2 WHERE id = $3";

/// The HTML of a batch of (id, body), rendered on every core.
pub(super) fn rendered(rows: Vec<(i64, String)>) -> Vec<(i64, String)> {
    rows.into_par_iter()
        .map(|(id, body)| (id, stored_html(&body)))
        .collect()
}
