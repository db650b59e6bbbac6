//! webmention.io's JSON export (jf2: a feed whose `children` are the mentions, each with
//! `wm-property`, `wm-source`, `wm-target`, `author`, `content`, `published` and
//! `wm-received`) read into [`Imported`] mentions. The key is made once the post is known, as
//! the live endpoint makes it (`webmention <source> <post>`), so a mention imported and then
//! sent again is one mention.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::{Fate, Imported, ImportedMention, parse_utc};
use crate::comments::Status;
use crate::ingest::Rejection;
use crate::ingest::read::Position;

/// The longest content kept, in characters (as verification keeps it).
const MAX_CONTENT: usize = 5000;

/// Reads every mention of a jf2 export.
pub fn read(path: &Path) -> Result<Vec<Imported>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    let feed: Value = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not JSON (expected webmention.io's export: {{\"children\": [...]}})",
            path.display()
        )
    })?;
    let Some(children) = feed.get("children").and_then(Value::as_array) else {
        bail!(
            "{}: no \"children\" list (expected webmention.io's jf2 export, from https://webmention.io/api/mentions.jf2?token=...)",
            path.display()
        );
    };
    Ok(children
        .iter()
        .enumerate()
        .map(|(i, child)| mention(child, i + 1, path))
        .collect())
}

fn mention(child: &Value, n: usize, path: &Path) -> Imported {
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let web = |v: Option<&Value>| text(v).filter(|u| is_web_url(u));
    let mut problems = Vec::new();
    let source = web(child.get("wm-source"));
    let target = web(child.get("wm-target"));
    if source.is_none() {
        problems.push(Rejection::Missing(
            "wm-source (an http or https URL)".into(),
        ));
    }
    if target.is_none() {
        problems.push(Rejection::Missing(
            "wm-target (an http or https URL)".into(),
        ));
    }
    let kind = match child.get("wm-property").and_then(Value::as_str) {
        Some("in-reply-to") => "reply",
        Some("like-of") => "like",
        Some("repost-of") => "repost",
        Some("bookmark-of") => "bookmark",
        _ => "mention",
    };
    let author = child.get("author");
    let content = child.get("content");
    let words = text(content.and_then(|c| c.get("text")))
        .or_else(|| text(content.and_then(|c| c.get("html"))).map(|h| html_text(&h)))
        .map(|t| t.chars().take(MAX_CONTENT).collect::<String>());
    let source = source.unwrap_or_default();
    let host = url::Url::parse(&source)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    let timestamp = text(child.get("published"))
        .or_else(|| text(child.get("wm-received")))
        .and_then(|t| parse_utc(&t));
    // A mention its author made private on webmention.io is not for the public page.
    let fate = if child.get("wm-private").and_then(Value::as_bool) == Some(true) {
        Fate::Skip("private")
    } else {
        Fate::Keep(Status::Approved)
    };
    Imported {
        key: format!("webmention-io:{n}"),
        parent: None,
        url: target.clone().unwrap_or_default(),
        fallbacks: Vec::new(),
        author: text(author.and_then(|a| a.get("name"))).unwrap_or(host),
        email: None,
        body: words
            .filter(|w| !w.trim().is_empty())
            .unwrap_or_else(|| source.clone()),
        timestamp,
        problems,
        fate,
        position: Position::Record(n),
        file: path.to_path_buf(),
        raw: child.clone(),
        mention: Some(ImportedMention {
            source,
            target: target.unwrap_or_default(),
            kind,
            author_url: web(author.and_then(|a| a.get("url"))),
            author_photo: web(author.and_then(|a| a.get("photo"))),
            published: text(child.get("published")).map(|p| p.chars().take(64).collect()),
        }),
    }
}

fn is_web_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// The text of an HTML fragment, whitespace collapsed.
fn html_text(html: &str) -> String {
    let fragment = scraper::Html::parse_fragment(html);
    let text: String = fragment.root_element().text().collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_child_becomes_a_mention_with_its_kind_author_and_words() {
        let child = json!({
            "type": "entry",
            "author": {"type": "card", "name": "Bea", "url": "https://bea.example/", "photo": "javascript:x"},
            "url": "https://bea.example/notes/1",
            "published": "2024-02-03T04:05:06+00:00",
            "wm-received": "2024-02-04T00:00:00Z",
            "wm-id": 900,
            "wm-source": "https://bea.example/notes/1",
            "wm-target": "https://blog.example/posts/hello/",
            "content": {"html": "<p>Nice <b>post</b></p>"},
            "wm-property": "in-reply-to",
            "wm-private": false
        });
        let m = mention(&child, 1, Path::new("x.json"));
        assert!(m.problems.is_empty());
        assert_eq!(m.author, "Bea");
        assert_eq!(m.body, "Nice post");
        assert_eq!(m.url, "https://blog.example/posts/hello/");
        let link = m.mention.unwrap();
        assert_eq!(link.kind, "reply");
        assert_eq!(link.author_photo, None, "only web URLs");
        assert_eq!(
            m.timestamp.unwrap().to_rfc3339(),
            "2024-02-03T04:05:06+00:00"
        );

        let like = json!({"wm-property": "like-of", "wm-source": "https://cy.example/l",
            "wm-target": "https://blog.example/posts/hello/", "wm-received": "2024-02-04T00:00:00Z",
            "author": {"name": ""}});
        let m = mention(&like, 2, Path::new("x.json"));
        assert_eq!(m.author, "cy.example");
        assert_eq!(m.body, "https://cy.example/l");
        let bad = json!({"wm-source": "javascript:alert(1)", "wm-private": true});
        let m = mention(&bad, 3, Path::new("x.json"));
        assert_eq!(m.problems.len(), 2);
        assert_eq!(m.fate, Fate::Skip("private"));
    }
}
