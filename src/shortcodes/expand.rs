//! Expanding the calls in a body before Markdown sees it: each call becomes a placeholder
//! that its output replaces once the Markdown is parsed (so Markdown never rewrites HTML and
//! smart punctuation never curls a call's quotes), or Markdown text where that is what it is
//! (`highlight` as a fenced block, `ref` as a URL).

use std::ops::Range;

use rustc_hash::FxHashMap;
use serde_json::Value;

use super::builtin::{self, Media};
use super::events::{self, Edits};
use super::scan::{self, Call, Found, Syntax, Variable};
use super::{Env, PageContext, Problems, may_call, may_link, plain};
use crate::links::Form;
use crate::markdown::{self, RenderedMarkdown};
use crate::templates;

/// What replaces a placeholder.
#[derive(Debug)]
pub(super) enum Output {
    /// HTML from a template.
    Html(String),
    /// Text, escaped when written.
    Text(String),
}

/// Marks a placeholder: characters of Unicode's private use area, which Markdown leaves alone
/// and no author types.
pub(super) const OPEN: char = '\u{E000}';
/// Ends a placeholder.
pub(super) const CLOSE: char = '\u{E001}';

/// Where the expanded text came from: (start in the expanded text, start in the original,
/// whether the text was copied as is).
#[derive(Debug, Default)]
pub(super) struct OffsetMap(Vec<(usize, usize, bool)>);

impl OffsetMap {
    /// The original offset of an offset in the expanded text.
    pub(super) fn original(&self, expanded: usize) -> usize {
        let i = self.0.partition_point(|(start, _, _)| *start <= expanded);
        match i.checked_sub(1).map(|i| self.0[i]) {
            Some((start, original, true)) => original + (expanded - start),
            Some((_, original, false)) => original,
            None => expanded,
        }
    }
}

/// Renders Markdown that is the page's body or a part of it (a call's body rendered as
/// Markdown), noting problems at offsets of the page's body, which `to_page` gives for
/// offsets of `text`.
pub(super) fn render_fragment(
    env: &Env<'_>,
    page: &PageContext<'_>,
    text: &str,
    to_page: &dyn Fn(usize) -> usize,
    enabled: bool,
    problems: &mut Problems,
) -> RenderedMarkdown {
    // Kramdown's attribute lists (`{: .class}`) are found by the same scan, to be dropped.
    let calls = enabled && (may_call(text) || text.contains("{:"));
    let links = may_link(text);
    if !calls && !links {
        return plain(text, &env.config.markdown);
    }
    let mut outputs = Vec::new();
    let mut verbatim = Vec::new();
    let mut map = OffsetMap::default();
    let expanded;
    let text = if calls {
        expanded = expand(
            env,
            page,
            text,
            to_page,
            problems,
            &mut outputs,
            &mut verbatim,
            &mut map,
        );
        expanded.as_str()
    } else {
        text
    };
    let mut edits = Edits {
        env,
        page,
        outputs: &outputs,
        verbatim: &verbatim,
        map: &map,
        to_page,
        check_leaks: enabled && may_leak(text),
        problems,
    };
    let config = &env.config.markdown;
    markdown::render_with(
        text,
        config,
        Some(&mut |events| events::edit(events, &mut edits)),
    )
}

/// Whether text holds any of the pairs the leak warning looks for.
pub(super) fn may_leak(text: &str) -> bool {
    ["{{", "}}", "{%", "%}"].iter().any(|p| text.contains(p))
}

#[allow(clippy::too_many_arguments)]
fn expand(
    env: &Env<'_>,
    page: &PageContext<'_>,
    text: &str,
    to_page: &dyn Fn(usize) -> usize,
    problems: &mut Problems,
    outputs: &mut Vec<Output>,
    verbatim: &mut Vec<Range<usize>>,
    map: &mut OffsetMap,
) -> String {
    let code = markdown::code_ranges(text, &env.config.markdown);
    let (items, errors) = scan::scan(text, &code);
    for e in errors {
        problems.errors.push((to_page(e.offset), e.message));
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0;
    let mut counters: FxHashMap<String, usize> = FxHashMap::default();
    let placeholder = |out: &mut String, outputs: &mut Vec<Output>, output: Output| {
        out.push(OPEN);
        out.push_str(&outputs.len().to_string());
        out.push(CLOSE);
        outputs.push(output);
    };
    let mut items = items.into_iter().peekable();
    while let Some(item) = items.next() {
        // Jekyll 3 posts write `{{ site.baseurl }}{% post_url x %}`; here, as in Jekyll 4,
        // the tag's URL has the base path already.
        let before_jekyll_link = items.peek().is_some_and(|next| {
            next.range.start == item.range.end
                && matches!(&next.found, Found::Call(c) if c.syntax == Syntax::Liquid
                    && matches!(c.name.as_str(), "post_url" | "link"))
        });
        map.0.push((out.len(), last, true));
        out.push_str(&text[last..item.range.start]);
        map.0.push((out.len(), item.range.start, false));
        let at = to_page(item.range.start);
        match item.found {
            Found::Literal(literal) => placeholder(&mut out, outputs, Output::Text(literal)),
            Found::Comment => {}
            Found::Raw(range) => {
                map.0.push((out.len(), range.start, true));
                let start = out.len();
                out.push_str(&text[range]);
                verbatim.push(start..out.len());
            }
            Found::Variable(variable) => {
                let config = env.config;
                let value = match variable {
                    Variable::SiteUrl => config
                        .base_url
                        .strip_suffix(config.base_path())
                        .unwrap_or(&config.base_url)
                        .to_string(),
                    Variable::BaseUrl if before_jekyll_link => String::new(),
                    Variable::BaseUrl => config.base_path().to_string(),
                    Variable::PageUrl => page.data.path.clone(),
                    Variable::PageTitle => {
                        placeholder(&mut out, outputs, Output::Text(page.data.title.clone()));
                        String::new()
                    }
                    Variable::RelativeUrl(path) => config.site_path(&rooted(&path)),
                    Variable::AbsoluteUrl(path) => config.permalink(&rooted(&path)),
                };
                out.push_str(&value);
            }
            Found::Call(call) => {
                let prefix = line_prefix(text, item.range.start);
                let n = counters.entry(call.name.clone()).or_insert(0);
                *n += 1;
                let nth = *n;
                match run(env, page, text, &call, prefix, nth, (to_page, at), problems) {
                    Ok(Insert::Markdown(markdown)) => out.push_str(&markdown),
                    Ok(Insert::Output(output)) => placeholder(&mut out, outputs, output),
                    Err(message) => problems.errors.push((at, message)),
                }
            }
        }
        last = item.range.end;
    }
    map.0.push((out.len(), last, true));
    out.push_str(&text[last..]);
    out
}

fn rooted(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

/// What a call puts in the text.
enum Insert {
    /// Markdown, parsed with the rest.
    Markdown(String),
    /// Output that replaces a placeholder.
    Output(Output),
}

#[allow(clippy::too_many_arguments)]
fn run(
    env: &Env<'_>,
    page: &PageContext<'_>,
    text: &str,
    call: &Call,
    prefix: &str,
    nth: usize,
    (to_page, at): (&dyn Fn(usize) -> usize, usize),
    problems: &mut Problems,
) -> Result<Insert, String> {
    let from = &page.source.file;
    let first = || {
        call.positional
            .first()
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let body = call
        .body
        .clone()
        .map(|r| (r.start, strip_container(&text[r], prefix)));
    let url = |result: Result<String, String>| result.map(Insert::Markdown);
    let own = format!("{}/{}.html", super::DIR, call.name);
    // A site's own template of the name wins over the built-ins made in Rust too.
    let name = if env.tera.contains_template(&own) {
        ""
    } else {
        call.name.as_str()
    };
    match name {
        "highlight" => {
            let info = builtin::info_string(&call.positional, &call.named);
            let code = body.map(|(_, b)| b).unwrap_or_default();
            let continuation = continuation(prefix);
            let fence = builtin::fence(&info, &code, &continuation);
            // A call in the middle of a line starts its block on a line of its own.
            let lead = if prefix.len() == continuation.len() {
                ""
            } else {
                "\n\n"
            };
            Ok(Insert::Markdown(format!("{lead}{fence}\n")))
        }
        "ref" | "relref" => {
            let target = call
                .named
                .get("path")
                .or_else(|| call.named.get("page"))
                .and_then(Value::as_str)
                .unwrap_or_else(first);
            if target.is_empty() {
                return Err(format!("{} needs the page to link to", call.name));
            }
            let form = if call.name == "ref" {
                Form::Permalink
            } else {
                Form::Path
            };
            url(env
                .links
                .reference(from, target, form)
                .map_err(|e| format!("{}: {e}", call.name)))
        }
        "post_url" => url(env
            .links
            .post_url(first())
            .map_err(|e| format!("post_url: {e}"))),
        "link" if call.syntax == Syntax::Liquid => url(env
            .links
            .jekyll_link(first())
            .map_err(|e| format!("link: {e}"))),
        _ => {
            let name = call.name.as_str();
            let builtin = builtin::find(name);
            let template = if env.tera.contains_template(&own) {
                own
            } else if let Some(builtin) = builtin {
                format!("{}/{}.html", super::DIR, builtin.name)
            } else {
                return Err(format!(
                    "unknown shortcode `{name}` (add its template as {}/{}/{name}.html)",
                    templates::TEMPLATES_DIR,
                    super::DIR
                ));
            };
            let mut named = call.named.clone();
            if let Some(builtin) = builtin {
                let media = Media {
                    root: env.root,
                    page,
                    links: env.links,
                    base_path: env.config.base_path(),
                    site_extra: &env.config.extra,
                };
                builtin
                    .prepare(name, &mut named, &call.positional, &media)
                    .map_err(|e| format!("shortcode `{name}` {e}"))?;
            }
            let mut context = tera::Context::new();
            for (key, value) in &named {
                context.insert(key.clone(), value);
            }
            context.insert("positional", &call.positional);
            // All named arguments at once, for a template that shows whatever it is given
            // (the placeholders `quill import` writes).
            context.insert("args", &named);
            context.insert("page", page.data);
            context.insert_value("config", env.config_value.clone());
            context.insert("nth", &nth);
            if body.is_none() {
                context.insert_value("body", tera::Value::none());
            }
            if let Some((start, body)) = body {
                let markdown =
                    call.syntax == Syntax::HugoMarkdown || builtin.is_some_and(|b| b.markdown_body);
                if markdown {
                    // The body's lines are the text's lines from `start` on (with any
                    // container's markers taken off): a line of one is a line of the other.
                    let body_to_page = |local: usize| {
                        let line = body.as_bytes()[..local.min(body.len())]
                            .iter()
                            .filter(|b| **b == b'\n')
                            .count();
                        to_page(nth_line_start(text, start, line))
                    };
                    let html =
                        render_fragment(env, page, &body, &body_to_page, true, problems).html;
                    context.insert_value("body", tera::Value::safe_string(&html));
                } else {
                    context.insert("body", &body);
                }
            }
            let html = env.tera.render(&template, &context).map_err(|e| {
                format!(
                    "shortcode `{name}` failed in {}/{template}: {}",
                    templates::TEMPLATES_DIR,
                    templates::describe(&e).replace('\n', "; ")
                )
            })?;
            if events::html_leaks(&html).is_some() {
                problems.warnings.push((
                    at,
                    leak_message(&format!("the output of shortcode `{name}`")),
                ));
            }
            Ok(Insert::Output(Output::Html(html)))
        }
    }
}

/// The warning for template syntax left in `what`.
pub(super) fn leak_message(what: &str) -> String {
    format!(
        "{what} still has template syntax ({{{{ }}}} or {{% %}}) that quill did not run, so visitors see it; \
         write the call as a shortcode quill knows, or add shortcodes = false to the front matter of a post about templates"
    )
}

/// Where the `n`th line after the one holding `from` starts (`from` itself for 0).
fn nth_line_start(text: &str, from: usize, n: usize) -> usize {
    let mut at = from;
    for _ in 0..n {
        match text[at..].find('\n') {
            Some(i) => at += i + 1,
            None => return at,
        }
    }
    at
}

/// The text before `at` on its line.
fn line_prefix(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    &text[start..at]
}

/// What stands before each line inside the container a call sits in: a blockquote's `>`s,
/// a list item's indentation.
fn continuation(prefix: &str) -> String {
    let mut out = String::new();
    let mut rest = prefix;
    loop {
        let trimmed = rest.trim_start_matches(' ');
        let spaces = rest.len() - trimmed.len();
        if let Some(after) = trimmed.strip_prefix('>') {
            out.push_str(&rest[..spaces]);
            out.push('>');
            rest = after;
            continue;
        }
        let marker = trimmed
            .strip_prefix(['-', '*', '+'])
            .map(|_| 1)
            .or_else(|| {
                let digits = trimmed.len()
                    - trimmed
                        .trim_start_matches(|c: char| c.is_ascii_digit())
                        .len();
                (digits > 0 && trimmed[digits..].starts_with(['.', ')'])).then_some(digits + 1)
            });
        match marker {
            Some(len) if trimmed[len..].starts_with(' ') || trimmed.len() == len => {
                out.push_str(&" ".repeat(spaces + len));
                rest = &trimmed[len..];
            }
            _ if trimmed.is_empty() => {
                out.push_str(&" ".repeat(spaces));
                return out;
            }
            // Text before the call: not a container.
            _ => return out,
        }
    }
}

/// A body written inside a container, with the container's markers taken off its lines
/// after the first, so the template sees the text the author meant.
fn strip_container(body: &str, prefix: &str) -> String {
    let cont = continuation(prefix);
    if cont.is_empty() {
        return body.to_string();
    }
    let quotes = cont.matches('>').count();
    let indent = cont.len() - cont.rfind('>').map_or(0, |i| i + 1);
    let mut out = String::with_capacity(body.len());
    for (i, line) in body.split_inclusive('\n').enumerate() {
        if i == 0 {
            out.push_str(line);
            continue;
        }
        let mut rest = line;
        for _ in 0..quotes {
            let t = rest.trim_start_matches(' ');
            match t.strip_prefix('>') {
                Some(after) => rest = after.strip_prefix(' ').unwrap_or(after),
                None => break,
            }
        }
        let spaces = rest.len() - rest.trim_start_matches(' ').len();
        out.push_str(&rest[spaces.min(indent.saturating_sub(usize::from(quotes > 0)))..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_of_a_call() {
        assert_eq!(continuation(""), "");
        assert_eq!(continuation("> "), "> ");
        assert_eq!(continuation("- "), "  ");
        assert_eq!(continuation("  1. "), "     ");
        assert_eq!(continuation("Some text "), "");
        assert_eq!(strip_container("a\n> b\n> c", "> "), "a\nb\nc");
        assert_eq!(strip_container("a\n  b\n", "- "), "a\nb\n");
        assert_eq!(strip_container("a\n  b\n", ""), "a\n  b\n");
    }

    #[test]
    fn offsets_map_back() {
        let map = OffsetMap(vec![(0, 0, true), (5, 5, false), (8, 20, true)]);
        assert_eq!(map.original(3), 3);
        assert_eq!(map.original(6), 5);
        assert_eq!(map.original(10), 22);
    }
}
