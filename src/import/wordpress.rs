//! Reads a WordPress WXR export: each `<item>` (a post or page, with `link`, `wp:post_name`,
//! `wp:post_id` and `title`) and its `<wp:comment>` children.

use std::path::Path;

use anyhow::Result;
use sha2::{Digest, Sha256};

use super::html::{Flavor, to_markdown};
use super::xml::{self, Element};
use super::{Fate, Imported, parse_utc};
use crate::comments::Status;
use crate::content::slug::slugify;
use crate::ingest::Rejection;
use crate::ingest::read::Position;

/// Reads every comment of a WXR export, in file order; pingbacks and trackbacks are skipped
/// unless `with_pingbacks`.
pub fn read(path: &Path, with_pingbacks: bool) -> Result<Vec<Imported>> {
    let mut comments = Vec::new();
    xml::records(path, "rss", "a WordPress export (WXR)", 3, &mut |item| {
        if item.name == "item" {
            for c in item.children_named("comment") {
                comments.push(comment(&item, c, path, with_pingbacks));
            }
        }
        Ok(())
    })?;
    Ok(comments)
}

/// What names an item in keys: its post id, else a short hash of its link. Comment ids are
/// only unique within a WordPress database, and real exports merge several (one reuses an id
/// in another item), so a key carries both.
fn item_key(item: &Element) -> String {
    match item.text_of("post_id") {
        Some(id) => id.to_string(),
        None => {
            let digest = Sha256::digest(item.text_of("link").unwrap_or("").as_bytes());
            let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
            format!("link-{hex}")
        }
    }
}

fn comment(item: &Element, c: &Element, path: &Path, with_pingbacks: bool) -> Imported {
    let mut problems = Vec::new();
    let item_key = item_key(item);
    let id = c.text_of("comment_id").unwrap_or("");
    if id.is_empty() {
        problems.push(Rejection::Missing("wp:comment_id".into()));
    }
    let kind = c.text_of("comment_type").unwrap_or("");
    let fate = match (kind, c.text_of("comment_approved").unwrap_or("0")) {
        ("pingback" | "trackback", _) if !with_pingbacks => Fate::Skip(if kind == "pingback" {
            "pingback"
        } else {
            "trackback"
        }),
        (_, "trash" | "post-trashed") => Fate::Skip("trash"),
        (_, "spam") => Fate::Keep(Status::Spam),
        (_, "1" | "approve") => Fate::Keep(Status::Approved),
        // "0", "hold" or anything unknown waits for the author.
        _ => Fate::Keep(Status::Pending),
    };
    let mut fallbacks = Vec::new();
    if let Some(name) = item.text_of("post_name") {
        fallbacks.push(name.to_string());
    }
    if let Some(title) = item.text_of("title") {
        fallbacks.push(slugify(title));
    }
    let mut raw = c.to_json();
    if let serde_json::Value::Object(map) = &mut raw {
        map.insert(
            "post_link".into(),
            item.text_of("link").unwrap_or("").into(),
        );
    }
    Imported {
        key: format!("wordpress:{item_key}/{id}"),
        parent: c
            .text_of("comment_parent")
            .filter(|p| *p != "0")
            .map(|p| format!("wordpress:{item_key}/{p}")),
        url: item.text_of("link").unwrap_or("").to_string(),
        fallbacks,
        author: c
            .text_of("comment_author")
            .unwrap_or("Anonymous")
            .to_string(),
        email: c.text_of("comment_author_email").map(str::to_string),
        body: to_markdown(
            c.text_of("comment_content").unwrap_or(""),
            Flavor::AutoParagraphs,
        ),
        timestamp: timestamp(c, &mut problems),
        problems,
        fate,
        position: Position::Line(c.line),
        file: path.to_path_buf(),
        raw,
        mention: None,
    }
}

/// `comment_date_gmt` is the instant; WordPress writes `0000-00-00 00:00:00` there for some
/// comments, and older exports leave it out. Then `comment_date` (the blog's local time, whose
/// offset the export does not give) is read as UTC: off by the blog's offset at most, which
/// beats losing the comment. With neither, the comment is rejected.
fn timestamp(c: &Element, problems: &mut Vec<Rejection>) -> Option<chrono::DateTime<chrono::Utc>> {
    let usable = |name: &str| c.text_of(name).filter(|t| !t.starts_with("0000-00-00"));
    let Some(text) = usable("comment_date_gmt").or_else(|| usable("comment_date")) else {
        problems.push(Rejection::Missing(
            "wp:comment_date_gmt (or wp:comment_date)".into(),
        ));
        return None;
    };
    let parsed = parse_utc(text);
    if parsed.is_none() {
        problems.push(Rejection::TimestampInvalid(text.to_string()));
    }
    parsed
}
