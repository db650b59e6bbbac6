//! Reads a Disqus XML export: `<thread>` elements (the pages, with `link`, `title` and the
//! site's own `id`) and `<post>` elements (the comments, with `message` in HTML, `createdAt`,
//! `author`, `isDeleted`, `isSpam` and `thread` and `parent` references by `dsq:id`).

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;

use super::html::{Flavor, to_markdown};
use super::xml::{self, Element};
use super::{Fate, Imported, parse_utc};
use crate::comments::Status;
use crate::content::slug::slugify;
use crate::ingest::Rejection;
use crate::ingest::read::Position;

/// A page comments were left on.
struct Thread {
    link: String,
    fallbacks: Vec<String>,
}

/// Reads every comment of a Disqus export, in file order.
pub fn read(path: &Path) -> Result<Vec<Imported>> {
    let mut threads: HashMap<String, Thread> = HashMap::new();
    let mut posts: Vec<Element> = Vec::new();
    xml::records(path, "disqus", "a Disqus export", 2, &mut |e| {
        match e.name.as_str() {
            "thread" => {
                if let Some(id) = e.attr("id") {
                    threads.insert(id.to_string(), thread(&e));
                }
            }
            "post" => posts.push(e),
            _ => {}
        }
        Ok(())
    })?;
    // Posts may come before the threads they name, so they are mapped once all are read.
    Ok(posts
        .iter()
        .map(|post| comment(post, &threads, path))
        .collect())
}

fn thread(e: &Element) -> Thread {
    let mut fallbacks = Vec::new();
    // The site's own identifier for the page is often its slug or path.
    if let Some(ident) = e.text_of("id") {
        fallbacks.push(ident.to_string());
    }
    if let Some(title) = e.text_of("title") {
        fallbacks.push(slugify(title));
    }
    Thread {
        link: e.text_of("link").unwrap_or("").to_string(),
        fallbacks,
    }
}

fn comment(post: &Element, threads: &HashMap<String, Thread>, path: &Path) -> Imported {
    let mut problems = Vec::new();
    let id = post.attr("id").unwrap_or("");
    if id.is_empty() {
        problems.push(Rejection::Unreadable(
            "the <post> has no dsq:id attribute; the export looks damaged".into(),
        ));
    }
    let thread_id = post
        .child("thread")
        .and_then(|t| t.attr("id"))
        .unwrap_or("");
    let (url, fallbacks) = match threads.get(thread_id) {
        Some(t) => (t.link.clone(), t.fallbacks.clone()),
        None => (
            format!("disqus thread {thread_id} (not in the export)"),
            Vec::new(),
        ),
    };
    let flag = |name: &str| post.text_of(name) == Some("true");
    let fate = if flag("isDeleted") {
        Fate::Skip("deleted")
    } else if flag("isSpam") {
        Fate::Keep(Status::Spam)
    } else {
        Fate::Keep(Status::Approved)
    };
    let author = post.child("author");
    let author_field = |name: &str| author.and_then(|a| a.text_of(name));
    let name = author_field("name")
        .or_else(|| author_field("username"))
        .unwrap_or("Anonymous");
    let timestamp = match post.text_of("createdAt") {
        None => {
            problems.push(Rejection::Missing("createdAt".into()));
            None
        }
        Some(text) => {
            let parsed = parse_utc(text);
            if parsed.is_none() {
                problems.push(Rejection::TimestampInvalid(text.to_string()));
            }
            parsed
        }
    };
    Imported {
        key: format!("disqus:{id}"),
        parent: post
            .child("parent")
            .and_then(|p| p.attr("id"))
            .filter(|p| !p.is_empty())
            .map(|p| format!("disqus:{p}")),
        url,
        fallbacks,
        author: name.to_string(),
        email: author_field("email").map(str::to_string),
        body: to_markdown(post.text_of("message").unwrap_or(""), Flavor::Html),
        timestamp,
        problems,
        fate,
        position: Position::Line(post.line),
        file: path.to_path_buf(),
        raw: post.to_json(),
        mention: None,
    }
}
