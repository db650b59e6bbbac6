//! A page of a thread as HTML: each comment is rendered once, by the `comment_item` component
//! of `partials/comments.html` (which a site may override), with the HTML of its replies,
//! made the same way just before, as the component's body. The page's template then places
//! the finished HTML of each top-level comment instead of walking the whole thread itself.

use anyhow::{Result, anyhow};
use serde::Serialize;
use tera::{Context, Tera};

use crate::comments::thread::CommentNode;
use crate::templates;

/// The component that renders one comment; its body is the HTML of the comment's replies.
pub const COMPONENT: &str = "comment_item";

/// A top-level comment of a page, as `page.comments` has it: its HTML with its replies.
#[derive(Debug, Serialize)]
pub struct RenderedComment {
    /// The comment's id.
    pub id: i64,
    /// `comment-<id>`, the fragment that links to it.
    pub anchor: String,
    /// The comment and its replies, as the component made them.
    pub html: String,
}

/// Renders the top-level comments of a page with their replies; `form_open` tells the
/// component whether the reply control belongs in each comment.
pub fn render(
    tera: &Tera,
    comments: Vec<CommentNode>,
    form_open: bool,
) -> Result<Vec<RenderedComment>> {
    comments
        .into_iter()
        .map(|node| {
            let (id, anchor) = (node.id, node.anchor.clone());
            let mut html = String::new();
            item(tera, node, form_open, &mut html)?;
            Ok(RenderedComment { id, anchor, html })
        })
        .collect()
}

/// Appends one comment's HTML, its replies rendered first, to `out`.
fn item(tera: &Tera, mut node: CommentNode, form_open: bool, out: &mut String) -> Result<()> {
    let mut replies = String::new();
    for reply in std::mem::take(&mut node.replies) {
        item(tera, reply, form_open, &mut replies)?;
    }
    let mut context = Context::new();
    context.insert("c", &node);
    context.insert("form_open", &form_open);
    let html = tera
        .render_component(COMPONENT, &context, Some(&replies), true)
        .map_err(|e| {
            anyhow!(
                "failed to render comment {} with the {COMPONENT} component of {}/partials/comments.html:\n{}",
                node.id,
                templates::TEMPLATES_DIR,
                templates::describe(&e)
            )
        })?;
    out.push_str(&html);
    Ok(())
}
