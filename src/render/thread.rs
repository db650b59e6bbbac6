//! A page of a thread as HTML: each comment is made once, by the `comment_item` component
//! of `partials/comments.html` (which a site may override), with the HTML of its replies,
//! made the same way just before, as the component's body. The page's template then places
//! the finished HTML of each top-level comment instead of walking the whole thread itself.
//! Comments of one shape are filled into the component's output for that shape (see
//! `stencil`) rather than each rendered by Tera.

use std::sync::{Arc, Mutex};

use anyhow::{Result, anyhow};
use rustc_hash::FxHashMap;
use serde::Serialize;
use tera::{Context, Tera};

use super::stencil::{self, Stencil};
use crate::comments::thread::CommentNode;
use crate::templates;

/// The component that renders one comment; its body is the HTML of the comment's replies.
pub(super) const COMPONENT: &str = "comment_item";

/// A top-level comment of a page, as `page.comments` has it: its HTML with its replies.
#[derive(Debug, Serialize)]
pub(super) struct RenderedComment {
    /// The comment's id.
    pub id: i64,
    /// `comment-<id>`, the fragment that links to it.
    pub anchor: String,
    /// The comment and its replies, as the component made them.
    pub html: String,
}

/// About how many bytes of HTML a comment takes (about 330 of markup around its words).
const TYPICAL_HTML: usize = 640;

/// How many comments these are, with their replies.
pub(super) fn count(comments: &[CommentNode]) -> usize {
    comments.iter().map(|c| 1 + count(&c.replies)).sum()
}

/// The stencils of one build, by whether the comment form is open and by shape: each made
/// by the first page with a comment of that shape and used by every page after. A page keeps
/// those it used at hand, so the lock is taken once per shape and page, not per comment.
#[derive(Debug, Default)]
pub(crate) struct Stencils {
    found: Mutex<FxHashMap<(bool, u64), Found>>,
}

/// What was found for a shape: its stencil, or none when the component's output for it cannot
/// be filled in.
type Found = Option<Arc<Stencil>>;

impl Stencils {
    /// The stencil for a shape, if one was looked for: `Some(None)` for a shape the
    /// component's output cannot be filled in for.
    fn get(&self, form_open: bool, shape: u64) -> Option<Found> {
        let found = self.found.lock().ok()?;
        found.get(&(form_open, shape)).cloned()
    }

    fn insert(&self, form_open: bool, shape: u64, stencil: Found) {
        if let Ok(mut found) = self.found.lock() {
            found.insert((form_open, shape), stencil);
        }
    }
}

/// Renders the top-level comments of a page with their replies; `form_open` tells the
/// component whether the reply control belongs in each comment, and `stencils` (the build's)
/// whether comments may be filled into stencils (see `stencil`): only for a component known
/// to print values without deciding anything on them.
pub(super) fn render(
    tera: &Tera,
    comments: Vec<CommentNode>,
    form_open: bool,
    stencils: Option<&Stencils>,
) -> Result<Vec<RenderedComment>> {
    let mut renderer = Renderer {
        tera,
        form_open,
        at_hand: FxHashMap::default(),
        shared: stencils,
    };
    comments
        .into_iter()
        .map(|node| {
            let (id, anchor) = (node.id, node.anchor.clone());
            // Room for the comment and its replies, so that filling it seldom moves it.
            let mut html = String::with_capacity(TYPICAL_HTML * (1 + count(&node.replies)));
            renderer.item(node, &mut html)?;
            Ok(RenderedComment { id, anchor, html })
        })
        .collect()
}

/// Renders the comments of one page, with the stencils it has used at hand.
struct Renderer<'t> {
    tera: &'t Tera,
    form_open: bool,
    at_hand: FxHashMap<u64, Found>,
    /// The build's stencils; none when stencils are not used at all.
    shared: Option<&'t Stencils>,
}

impl Renderer<'_> {
    /// Appends one comment's HTML, its replies rendered first, to `out`.
    fn item(&mut self, mut node: CommentNode, out: &mut String) -> Result<()> {
        let mut replies = String::with_capacity(TYPICAL_HTML * count(&node.replies));
        for reply in std::mem::take(&mut node.replies) {
            self.item(reply, &mut replies)?;
        }
        let Some(shared) = self.shared else {
            return self.rendered(&node, &replies, out);
        };
        let flat = flatten(&node, !replies.is_empty());
        if !self.at_hand.contains_key(&flat.shape) {
            let Some(found) = shared.get(self.form_open, flat.shape) else {
                return self.first_of_shape(shared, &node, &flat, &replies, out);
            };
            self.at_hand.insert(flat.shape, found);
        }
        match self.at_hand.get(&flat.shape) {
            Some(Some(stencil)) if stencil.fill_into(&flat.leaves, &replies, out) => Ok(()),
            _ => self.rendered(&node, &replies, out),
        }
    }

    /// The first comment of a shape in the build: the shape's stencil, for the build, checked
    /// against the comment rendered in full, which is what is published.
    fn first_of_shape(
        &mut self,
        shared: &Stencils,
        node: &CommentNode,
        flat: &stencil::Flat<'_>,
        replies: &str,
        out: &mut String,
    ) -> Result<()> {
        let value = serde_json::to_value(node)?;
        let probe = stencil::probe(&value);
        let body = stencil::probe_body(!replies.is_empty());
        let probed = self.component(&probe, body, node.id)?;
        let html = self.component(&value, replies, node.id)?;
        let stencil = Stencil::parse(&probed, flat.leaves.len())
            .filter(|s| s.fill(&flat.leaves, replies).as_deref() == Some(html.as_str()))
            .map(Arc::new);
        shared.insert(self.form_open, flat.shape, stencil.clone());
        self.at_hand.insert(flat.shape, stencil);
        out.push_str(&html);
        Ok(())
    }

    /// Appends the comment as Tera renders the component for it.
    fn rendered(&self, node: &CommentNode, replies: &str, out: &mut String) -> Result<()> {
        let value = serde_json::to_value(node)?;
        out.push_str(&self.component(&value, replies, node.id)?);
        Ok(())
    }

    /// The component's output for comment `c` with these replies.
    fn component(&self, c: &serde_json::Value, replies: &str, id: i64) -> Result<String> {
        let mut context = Context::new();
        context.insert("c", c);
        context.insert("form_open", &self.form_open);
        self.tera
            .render_component(COMPONENT, &context, Some(replies), true)
            .map_err(|e| {
                anyhow!(
                    "failed to render comment {id} with the {COMPONENT} component of {}/partials/comments.html (a site's own comments.html must define it):\n{}",
                    templates::TEMPLATES_DIR,
                    templates::describe(&e)
                )
            })
    }
}

/// A comment's values and shape (without its replies), as `stencil::flatten` finds them in
/// its JSON value, read from its fields instead of from a value made for each comment: the
/// keys in sorted order, as the value has them (a test holds the two equal).
fn flatten(node: &CommentNode, has_body: bool) -> stencil::Flat<'_> {
    let mut flat = stencil::Flattener::new();
    flat.object(true);
    flat.text_field("anchor", Some(&node.anchor));
    flat.text_field("author", Some(&node.author));
    flat.text_field("avatar", node.avatar.as_deref());
    flat.text_field("body_html", Some(&node.body_html));
    flat.text_field("date", Some(&node.date));
    flat.key("id");
    flat.number(node.id.into());
    flat.text_field("initials", Some(&node.initials));
    flat.key("mention");
    match &node.mention {
        Some(origin) => {
            flat.object(true);
            flat.text_field("photo", origin.photo.as_deref());
            flat.text_field("source", Some(&origin.source));
            flat.text_field("source_host", Some(&origin.source_host));
            flat.text_field("url", origin.url.as_deref());
            flat.object(false);
        }
        None => flat.null(),
    }
    flat.key("parent_id");
    match node.parent_id {
        Some(id) => flat.number(id.into()),
        None => flat.null(),
    }
    flat.key("replies");
    flat.array(true);
    flat.array(false);
    flat.text_field("timestamp", Some(&node.timestamp));
    flat.object(false);
    flat.finish(has_body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comments::{CommentRecord, Status};
    use crate::config::Avatars;

    /// Every payload of the XSS corpora as a comment's name and body, some with a Gravatar,
    /// every third a reply to the one before and every ninth a reply to a reply.
    fn hostile_thread() -> Vec<CommentNode> {
        let corpus = [
            include_str!("../../tests/corpora/xss-payloads.txt"),
            include_str!("../../tests/corpora/xss-polyglots.txt"),
        ];
        let mut roots: Vec<CommentNode> = Vec::new();
        for (i, payload) in corpus.iter().flat_map(|c| c.lines()).enumerate() {
            let record = CommentRecord {
                id: i as i64 + 1,
                post: "p".into(),
                parent_id: None,
                username: if i % 2 == 0 {
                    payload.into()
                } else {
                    format!("Visitor {i}")
                },
                email: format!("v{i}@example.org"),
                body: payload.into(),
                body_html: None,
                timestamp: chrono::DateTime::from_timestamp(1_700_000_000 + i as i64 * 61, 0)
                    .unwrap(),
                status: Status::Approved,
            };
            let avatars = if i % 5 == 0 {
                Avatars::Gravatar
            } else {
                Avatars::None
            };
            let node = crate::comments::thread::node(&record, avatars);
            match (i % 3, roots.last_mut()) {
                (0, _) | (_, None) => roots.push(node),
                (_, Some(root)) if i % 9 == 8 && !root.replies.is_empty() => {
                    root.replies.last_mut().unwrap().replies.push(node)
                }
                (_, Some(root)) => root.replies.push(node),
            }
        }
        roots
    }

    #[test]
    fn filled_stencils_give_what_the_component_gives_for_each_comment() {
        let tera =
            templates::compile(&templates::sources(std::path::Path::new("/nonexistent")).unwrap())
                .unwrap();
        let thread = hostile_thread();
        assert!(thread.len() > 1000);
        for form_open in [true, false] {
            // Two pages of one build: the second fills in the stencils the first made.
            let stencils = Stencils::default();
            let (first, second) = thread.split_at(thread.len() / 2);
            let mut filled = render(&tera, first.to_vec(), form_open, Some(&stencils)).unwrap();
            filled.extend(render(&tera, second.to_vec(), form_open, Some(&stencils)).unwrap());
            let mut each = Renderer {
                tera: &tera,
                form_open,
                at_hand: FxHashMap::default(),
                shared: None,
            };
            for (node, filled) in thread.iter().zip(&filled) {
                let mut html = String::new();
                each.item(node.clone(), &mut html).unwrap();
                assert_eq!(filled.html, html, "comment {}", node.id);
            }
        }
    }

    #[test]
    fn a_comment_flattens_from_its_fields_as_from_its_value() {
        use crate::comments::mentions::MentionOrigin;
        let mut nodes = hostile_thread();
        let mut extra = nodes[1].clone();
        extra.mention = Some(MentionOrigin {
            source: "https://elsewhere.example/reply".into(),
            source_host: "elsewhere.example".into(),
            url: None,
            photo: Some("https://elsewhere.example/me.png".into()),
        });
        extra.parent_id = Some(3);
        extra.author = String::new();
        nodes.push(extra);
        for mut node in nodes {
            node.replies.clear();
            let value = serde_json::to_value(&node).unwrap();
            for has_body in [false, true] {
                let (by_hand, from_value) =
                    (flatten(&node, has_body), stencil::flatten(&value, has_body));
                assert_eq!(by_hand.shape, from_value.shape, "comment {}", node.id);
                assert_eq!(
                    format!("{:?}", by_hand.leaves),
                    format!("{:?}", from_value.leaves)
                );
            }
        }
    }

    #[test]
    fn a_filter_that_changes_a_value_leaves_its_shape_to_tera() {
        let mut sources = templates::sources(std::path::Path::new("/nonexistent")).unwrap();
        sources.insert(
            "partials/comments.html".into(),
            "{% component comment_item(c, form_open) %}<b>{{ c.author | upper }}</b>[{{ body }}]{% endcomponent comment_item %}".into(),
        );
        let tera = templates::compile(&sources).unwrap();
        let roots: Vec<CommentNode> = hostile_thread()
            .into_iter()
            .filter(|n| n.author.starts_with("Visitor"))
            .take(3)
            .collect();
        let html: Vec<String> = render(&tera, roots, false, Some(&Stencils::default()))
            .unwrap()
            .into_iter()
            .map(|c| c.html)
            .collect();
        assert!(
            html.iter().all(|h| h.starts_with("<b>VISITOR ")),
            "{html:?}"
        );
    }
}
