//! The built-in shortcodes' side in Rust: other names they answer to, their arguments by
//! position, media files found and measured, and `highlight` as a fenced code block.

use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use super::PageContext;
use crate::content::CONTENT_DIR;
use crate::links::{Form, Links};

/// One built-in shortcode with a template in `templates/shortcodes/`: everything quill knows
/// of it, in one place.
pub(super) struct Builtin {
    /// Its name, and its template's.
    pub name: &'static str,
    /// Other names it answers to when the site has no template of that name.
    pub aliases: &'static [&'static str],
    /// The arguments its template reads, positional ones in this order.
    pub keys: &'static [&'static str],
    /// Whether its body is Markdown, rendered before the template sees it.
    pub markdown_body: bool,
    /// What it makes of its arguments before the template sees them.
    prepare: Prepare,
}

/// What a built-in makes of its named arguments, given the name it was called by.
type Prepare = fn(&mut Map<String, Value>, &str, &Media<'_>) -> Result<(), String>;

/// The built-in shortcodes with a template.
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "figure",
        aliases: &["img", "image"],
        keys: &[
            "src", "alt", "caption", "link", "width", "height", "class", "title",
        ],
        markdown_body: false,
        prepare: figure,
    },
    Builtin {
        name: "youtube",
        aliases: &[],
        keys: &["id", "title", "embed", "start"],
        markdown_body: false,
        prepare: hosted_video,
    },
    Builtin {
        name: "vimeo",
        aliases: &["vimeo_simple"],
        keys: &["id", "title", "embed", "start"],
        markdown_body: false,
        prepare: hosted_video,
    },
    Builtin {
        name: "video",
        aliases: &[],
        keys: &[
            "src", "title", "caption", "poster", "width", "height", "captions",
        ],
        markdown_body: false,
        prepare: media_file,
    },
    Builtin {
        name: "audio",
        aliases: &[],
        keys: &["src", "title", "caption"],
        markdown_body: false,
        prepare: media_file,
    },
    Builtin {
        name: "gist",
        aliases: &[],
        keys: &["user", "id", "file", "url"],
        markdown_body: false,
        prepare: gist,
    },
    Builtin {
        name: "x",
        aliases: &["tweet", "twitter", "twitter_simple", "x_simple"],
        keys: &["user", "id"],
        markdown_body: false,
        prepare: post_on_x,
    },
    Builtin {
        name: "instagram",
        aliases: &["instagram_simple"],
        keys: &["id"],
        markdown_body: false,
        prepare: instagram,
    },
    Builtin {
        name: "param",
        aliases: &[],
        keys: &["name"],
        markdown_body: false,
        prepare: param,
    },
    Builtin {
        name: "toc",
        aliases: &[],
        keys: &[],
        markdown_body: false,
        prepare: nothing_to_prepare,
    },
    Builtin {
        name: "notice",
        aliases: &["admonition", "note", "tip", "warning", "aside", "callout"],
        keys: &["kind", "title"],
        markdown_body: true,
        prepare: notice,
    },
    Builtin {
        name: "details",
        aliases: &[],
        keys: &["summary", "open"],
        markdown_body: true,
        prepare: details,
    },
    Builtin {
        name: "quote",
        aliases: &[],
        keys: &["cite", "source"],
        markdown_body: true,
        prepare: quote,
    },
];

/// The built-in a name stands for, when the site has no template of that name.
pub(super) fn find(name: &str) -> Option<&'static Builtin> {
    BUILTINS
        .iter()
        .find(|b| b.name == name || b.aliases.contains(&name))
}

impl Builtin {
    /// Everything its template reads, by name: positional arguments moved to their names,
    /// other spellings to one, media resolved, and every argument it knows present (none
    /// when not given), so a template never meets an undefined name.
    pub(super) fn prepare(
        &self,
        called_as: &str,
        named: &mut Map<String, Value>,
        positional: &[Value],
        media: &Media<'_>,
    ) -> Result<(), String> {
        for (key, value) in self.keys.iter().zip(positional) {
            named
                .entry(key.to_string())
                .or_insert_with(|| value.clone());
        }
        (self.prepare)(named, called_as, media)?;
        for key in self.keys {
            named.entry(key.to_string()).or_insert(Value::Null);
        }
        Ok(())
    }
}

fn rename(named: &mut Map<String, Value>, from: &[&str], to: &str) {
    for from in from {
        if let Some(v) = named.remove(*from) {
            named.entry(to.to_string()).or_insert(v);
        }
    }
}

fn figure(named: &mut Map<String, Value>, _: &str, media: &Media<'_>) -> Result<(), String> {
    rename(named, &["image", "img", "image_path", "path", "url"], "src");
    let src = text(named, "src").ok_or("needs a src (the image file)")?;
    let (url, file) = media.resolve(&src);
    named.insert("src".into(), url.into());
    if let Some(link) = text(named, "link") {
        named.insert("link".into(), media.resolve(&link).0.into());
    }
    if !named.contains_key("width")
        && !named.contains_key("height")
        && let Some(size) = file.and_then(|f| imagesize::size(f).ok())
    {
        named.insert("width".into(), size.width.into());
        named.insert("height".into(), size.height.into());
    }
    Ok(())
}

fn media_file(named: &mut Map<String, Value>, _: &str, media: &Media<'_>) -> Result<(), String> {
    let src = text(named, "src").ok_or("needs a src (the media file)")?;
    named.insert("src".into(), media.resolve(&src).0.into());
    for key in ["poster", "captions"] {
        if let Some(file) = text(named, key) {
            named.insert(key.into(), media.resolve(&file).0.into());
        }
    }
    Ok(())
}

fn hosted_video(named: &mut Map<String, Value>, _: &str, _: &Media<'_>) -> Result<(), String> {
    let id = text(named, "id").ok_or("needs the video's id")?;
    let id = video_id(&id);
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
    {
        return Err(format!(
            "`{id}` is not a video id (letters, digits, - and _)"
        ));
    }
    named.insert("id".into(), id.into());
    let embed = named.get("embed").is_some_and(truthy);
    named.insert("embed".into(), embed.into());
    Ok(())
}

fn gist(named: &mut Map<String, Value>, _: &str, _: &Media<'_>) -> Result<(), String> {
    if !named.contains_key("url") {
        let user = text(named, "user").ok_or("needs a url, or a user and an id")?;
        let id = text(named, "id").ok_or("needs the gist's id after the user")?;
        named.insert(
            "url".into(),
            format!("https://gist.github.com/{user}/{id}").into(),
        );
    }
    Ok(())
}

/// Hugo's `x` (formerly `tweet`): `user` and `id`, or Hugo 0.x's id alone. quill links to the
/// post instead of embedding X's script, which would track every reader.
fn post_on_x(named: &mut Map<String, Value>, _: &str, _: &Media<'_>) -> Result<(), String> {
    // `{{< tweet 1453110110599868418 >}}`: one positional argument is the id, not a user.
    if named.get("id").is_none_or(Value::is_null)
        && let Some(only) = text(named, "user").filter(|u| u.bytes().all(|b| b.is_ascii_digit()))
    {
        named.remove("user");
        named.insert("id".into(), only.into());
    }
    let id = text(named, "id").ok_or("needs the post's id (and its user)")?;
    if !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{id}` is not a post id (digits only)"));
    }
    named.insert("id".into(), id.into());
    if let Some(user) = text(named, "user") {
        if !user.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!(
                "`{user}` is not a user name (letters, digits and _)"
            ));
        }
        named.insert("user".into(), user.into());
    }
    Ok(())
}

/// Hugo's `instagram`: a post's short code, linked rather than embedded (Instagram's script
/// tracks every reader).
fn instagram(named: &mut Map<String, Value>, _: &str, _: &Media<'_>) -> Result<(), String> {
    let id = text(named, "id").ok_or("needs the post's id")?;
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "`{id}` is not a post id (letters, digits, - and _)"
        ));
    }
    named.insert("id".into(), id.into());
    Ok(())
}

/// Hugo's `param`: the page's front matter value of that name, else the site's `[extra]` one
/// (Hugo's `[params]`), as text; a dotted name reaches into tables (`social.mastodon`).
/// Hugo reads the names in any case. Nothing when neither has it, as in Hugo.
fn param(named: &mut Map<String, Value>, _: &str, media: &Media<'_>) -> Result<(), String> {
    let name = text(named, "name").ok_or("needs the name of a front matter or [extra] value")?;
    let site = serde_json::to_value(media.site_extra).unwrap_or_default();
    let page = Value::Object(media.page.data.extra.clone());
    let lookup = |root: &Value| -> Option<Value> {
        let mut at = root;
        for part in name.split('.') {
            let map = at.as_object()?;
            at = map.get(part).or_else(|| {
                map.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(part))
                    .map(|(_, v)| v)
            })?;
        }
        Some(at.clone())
    };
    let value = lookup(&page).or_else(|| lookup(&site));
    let shown = match value {
        Some(Value::String(s)) => s,
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    named.insert("value".into(), shown.into());
    Ok(())
}

/// A built-in whose template needs nothing from the call.
fn nothing_to_prepare(_: &mut Map<String, Value>, _: &str, _: &Media<'_>) -> Result<(), String> {
    Ok(())
}

fn notice(named: &mut Map<String, Value>, called_as: &str, _: &Media<'_>) -> Result<(), String> {
    rename(named, &["type"], "kind");
    let given = text(named, "kind").unwrap_or_else(|| called_as.to_string());
    let kind = match given.to_ascii_lowercase().as_str() {
        "tip" | "hint" | "success" => "tip",
        "warning" | "caution" | "important" | "warn" => "warning",
        "danger" | "error" => "danger",
        "aside" => "aside",
        _ => "note",
    };
    named.insert("kind".into(), kind.into());
    if !named.contains_key("title") {
        let mut title = kind.to_string();
        title[..1].make_ascii_uppercase();
        named.insert("title".into(), title.into());
    }
    Ok(())
}

fn details(named: &mut Map<String, Value>, _: &str, _: &Media<'_>) -> Result<(), String> {
    rename(named, &["title"], "summary");
    if !named.contains_key("summary") {
        named.insert("summary".into(), "Details".into());
    }
    let open = named.get("open").is_some_and(truthy);
    named.insert("open".into(), open.into());
    Ok(())
}

fn quote(named: &mut Map<String, Value>, _: &str, _: &Media<'_>) -> Result<(), String> {
    rename(named, &["author", "by"], "cite");
    rename(named, &["url", "link", "href"], "source");
    Ok(())
}

fn text(named: &Map<String, Value>, key: &str) -> Option<String> {
    match named.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::String(s) => matches!(s.as_str(), "true" | "1" | "yes"),
        Value::Number(n) => n.as_i64() != Some(0),
        _ => false,
    }
}

/// A video's id from an id or a watch URL (`https://www.youtube.com/watch?v=ID`,
/// `https://youtu.be/ID`, `https://vimeo.com/ID`).
fn video_id(given: &str) -> String {
    if !given.contains('/') {
        return given.to_string();
    }
    if let Some((_, query)) = given.split_once("v=") {
        return query.split(['&', '#']).next().unwrap_or("").to_string();
    }
    given
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_string()
}

/// Where a page's media files are: its bundle, `content/`, `static/`.
#[derive(Debug)]
pub(super) struct Media<'a> {
    /// The site root.
    pub root: &'a Path,
    /// The page linking to the file.
    pub page: &'a PageContext<'a>,
    /// The pages, for bundles.
    pub links: &'a Links,
    /// The site's base path (`""` or `/blog`).
    pub base_path: &'a str,
    /// The site's `[extra]` values.
    pub site_extra: &'a toml::Table,
}

impl Media<'_> {
    /// The URL of a media file as written in a call, and the local file when there is one.
    /// A bundle-relative file is beside the page; a site-relative one under `static/` or
    /// in a bundle under `content/`; a URL with a host is left alone (never fetched).
    pub(super) fn resolve(&self, src: &str) -> (String, Option<PathBuf>) {
        if src.contains("://") || src.starts_with("//") || src.starts_with("data:") {
            return (src.to_string(), None);
        }
        let (path, query) = match src.find(['?', '#']) {
            Some(i) => (&src[..i], &src[i..]),
            None => (src, ""),
        };
        if Path::new(path.trim_start_matches('/'))
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return (src.to_string(), None);
        }
        let file = &self.page.source.file;
        let is_bundle = file.file_name().is_some_and(|n| n == "index.md");
        let exists = |p: &PathBuf| p.is_file().then(|| p.clone());
        if !path.starts_with('/') && is_bundle {
            let beside = self
                .root
                .join(file.parent().unwrap_or(Path::new("")))
                .join(path);
            if let Some(found) = exists(&beside) {
                return (format!("{}{path}{query}", self.page.data.path), Some(found));
            }
        }
        let bare = path.trim_start_matches('/');
        let in_content = self.root.join(CONTENT_DIR).join(bare);
        if let Some(found) = exists(&in_content) {
            // A file of a bundle is published beside the bundle's page.
            let mut parts: Vec<&str> = bare.split('/').collect();
            let mut rest = vec![parts.pop().unwrap_or("")];
            while !parts.is_empty() {
                let bundle = format!("{}/index.md", parts.join("/"));
                if let Some(url) = self.links.page(&bundle, Form::Path) {
                    rest.reverse();
                    return (format!("{url}{}{query}", rest.join("/")), Some(found));
                }
                rest.push(parts.pop().unwrap_or(""));
            }
        }
        let in_static = self.root.join("static").join(bare);
        if let Some(found) = exists(&in_static) {
            return (format!("{}/{bare}{query}", self.base_path), Some(found));
        }
        if path.starts_with('/') {
            return (format!("{}{path}{query}", self.base_path), None);
        }
        (src.to_string(), None)
    }
}

/// `highlight`'s body as a fenced code block for the Markdown renderer, with the language
/// and options as its info string; `continuation` goes before every line after the first (a
/// list item's indentation, a blockquote's `>`).
pub(super) fn fence(info: &str, code: &str, continuation: &str) -> String {
    let code = code
        .strip_prefix("\r\n")
        .or_else(|| code.strip_prefix('\n'))
        .unwrap_or(code);
    let code = code.strip_suffix('\n').unwrap_or(code);
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest.max(2) + 1);
    let mut out = format!("{ticks}{info}\n");
    for line in code.lines() {
        out.push_str(continuation);
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(continuation);
    out.push_str(&ticks);
    out
}

/// The info string of a `highlight` call: the language, then its options.
pub(super) fn info_string(positional: &[Value], named: &Map<String, Value>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(lang) = named.get("lang").or_else(|| named.get("language")) {
        parts.push(plain(lang));
    }
    parts.extend(positional.iter().map(plain));
    for (key, value) in named {
        if key != "lang" && key != "language" {
            parts.push(format!("{key}={}", plain(value)));
        }
    }
    parts.join(" ").replace(['\n', '`'], " ")
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fences_outlast_the_code_and_keep_the_container() {
        assert_eq!(
            fence("rust", "\nfn a() {}\n", ""),
            "```rust\nfn a() {}\n```"
        );
        assert_eq!(
            fence("md", "\n````\nx\n", "> "),
            "`````md\n> ````\n> x\n> `````"
        );
    }

    #[test]
    fn info_strings_carry_language_and_options() {
        let named = json!({"hl_lines": "2"}).as_object().unwrap().clone();
        assert_eq!(
            info_string(&[json!("go"), json!("linenos=table")], &named),
            "go linenos=table hl_lines=2"
        );
    }

    #[test]
    fn video_ids_from_ids_and_urls() {
        assert_eq!(video_id("q_Mi5LrnIiU"), "q_Mi5LrnIiU");
        assert_eq!(
            video_id("https://www.youtube.com/watch?v=q_Mi5LrnIiU&t=3"),
            "q_Mi5LrnIiU"
        );
        assert_eq!(video_id("https://youtu.be/q_Mi5LrnIiU"), "q_Mi5LrnIiU");
        assert_eq!(video_id("https://vimeo.com/76979871"), "76979871");
    }

    #[test]
    fn names_and_aliases() {
        let name = |n| find(n).map(|b| b.name);
        assert_eq!(name("img"), Some("figure"));
        assert_eq!(name("tip"), Some("notice"));
        assert_eq!(name("quote"), Some("quote"));
        assert_eq!(name("nope"), None);
        for builtin in BUILTINS {
            assert!(
                crate::templates::BUILTIN
                    .iter()
                    .any(|(file, _)| *file == format!("shortcodes/{}.html", builtin.name)),
                "{} has no template",
                builtin.name
            );
        }
    }
}
