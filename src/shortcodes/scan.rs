//! Finding shortcode calls in a Markdown body, in the syntax of Zola (`{{ name(k="v") }}`,
//! `{% name() %}…{% end %}`), Hugo (`{{< name "a" k="v" >}}`, `{{% name %}}…{{% /name %}}`)
//! and Jekyll's Liquid (`{% include x.html k="v" %}`, `{% tag args %}`, `{{ site.url }}`).
//!
//! Scanning is text only: the caller says where code is (from a Markdown parse), and a call that
//! starts there is left as written.

use std::ops::Range;

use serde_json::{Map, Value};

use super::args::{closing_quote, short, words, zola_args};

/// Which syntax a call was written in, which decides what its body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `{{ name(...) }}` or `{% name(...) %}…{% end %}`: the body as written.
    Zola,
    /// `{{< name >}}…{{< /name >}}`: the body as written.
    Hugo,
    /// `{{% name %}}…{{% /name %}}`: the body rendered as Markdown first.
    HugoMarkdown,
    /// `{% name args %}` or `{% include name.html args %}`, with a body up to `{% endname %}`.
    Liquid,
}

/// One call of a shortcode.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The shortcode's name (an include's file name without its extension).
    pub name: String,
    /// How it was written.
    pub syntax: Syntax,
    /// Arguments without a name, in order.
    pub positional: Vec<Value>,
    /// Arguments by name.
    pub named: Map<String, Value>,
    /// Where its body is in the text, when it has one.
    pub body: Option<Range<usize>>,
}

/// A Liquid value that Jekyll posts use in their text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Variable {
    /// `{{ site.url }}`: the site's URL without its base path.
    SiteUrl,
    /// `{{ site.baseurl }}`: the base path.
    BaseUrl,
    /// `{{ page.title }}`.
    PageTitle,
    /// `{{ page.url }}`: the page's path.
    PageUrl,
    /// `{{ "/path" | relative_url }}`.
    RelativeUrl(String),
    /// `{{ "/path" | absolute_url }}`.
    AbsoluteUrl(String),
}

/// What was found at one place of the text.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// A shortcode call.
    Call(Call),
    /// An escaped call (`{{/* name() */}}`), to be written as this text.
    Literal(String),
    /// `{% raw %}…{% endraw %}`: the range of its text, kept verbatim.
    Raw(Range<usize>),
    /// `{% comment %}…{% endcomment %}`: dropped.
    Comment,
    /// A Liquid variable or URL filter.
    Variable(Variable),
}

/// A thing found, with the range of text it replaces (its end tag included).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The range of the whole call.
    pub range: Range<usize>,
    /// What it is.
    pub found: Found,
}

/// A call that cannot be read, at a byte offset of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    /// Where the call starts.
    pub offset: usize,
    /// What is wrong, and what to do.
    pub message: String,
}

/// Shortcodes whose body is code, never searched for other calls.
pub fn is_verbatim(name: &str) -> bool {
    matches!(name, "highlight" | "raw")
}

/// Liquid's own tags: a post that uses them needs Liquid, which quill does not run, so they
/// are left as written (and the leak warning names them).
const LIQUID_CONTROL: &[&str] = &[
    "if",
    "elsif",
    "else",
    "endif",
    "unless",
    "endunless",
    "for",
    "endfor",
    "case",
    "when",
    "endcase",
    "assign",
    "capture",
    "endcapture",
    "increment",
    "decrement",
    "cycle",
    "tablerow",
    "endtablerow",
    "break",
    "continue",
    "echo",
    "liquid",
];

/// Every call, escape, raw block and variable in `text`, in order, skipping any that starts
/// inside one of the `code` ranges (sorted, not overlapping), with the calls that cannot be
/// read.
pub fn scan(text: &str, code: &[Range<usize>]) -> (Vec<Item>, Vec<ScanError>) {
    let bytes = text.as_bytes();
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut i = 0;
    while let Some(rel) = text[i..].find('{') {
        let at = i + rel;
        match bytes.get(at + 1) {
            Some(b'{' | b'%') => {}
            Some(b':') if code_end(code, at).is_none() => {
                if let Some(end) = kramdown_attributes(text, at) {
                    // `* TOC` then `{:toc}`: kramdown puts the table of contents in the list's
                    // place; quill's template shows it, so the list goes too.
                    let start = if text[at..end].replace(' ', "") == "{:toc}" {
                        toc_list_item(text, at).unwrap_or(at)
                    } else {
                        at
                    };
                    let start = items
                        .last()
                        .map_or(start, |last: &Item| start.max(last.range.end));
                    items.push(Item {
                        range: start..end,
                        found: Found::Comment,
                    });
                    i = end;
                } else {
                    i = at + 1;
                }
                continue;
            }
            Some(_) => {
                i = at + 1;
                continue;
            }
            None => break,
        }
        if let Some(end) = code_end(code, at) {
            i = end.max(at + 1);
            continue;
        }
        match parse_at(text, at, code) {
            Ok(Some(item)) => {
                i = item.range.end;
                items.push(item);
            }
            Ok(None) => i = at + 2,
            Err(message) => {
                errors.push(ScanError {
                    offset: at,
                    message,
                });
                i = at + 2;
            }
        }
    }
    (items, errors)
}

/// The end of a kramdown attribute list at `at` (`{: .notice #id key="v"}`, `{:toc}`), which
/// Jekyll's Markdown reads as attributes of the block or span before it. quill drops it rather
/// than show it as text; the attributes are the old theme's classes.
fn kramdown_attributes(text: &str, at: usize) -> Option<usize> {
    let rest = text[at..].strip_prefix("{:")?;
    let len = rest.find('}')?;
    let inner = &rest[..len];
    let word = |w: &str| {
        let w = w.trim_start_matches(['.', '#']);
        let (key, value) = w.split_once('=').unwrap_or((w, "\"\""));
        !key.is_empty()
            && key.chars().all(|c| c.is_alphanumeric() || "-_".contains(c))
            && ((value.starts_with('"') && value.ends_with('"'))
                || (value.starts_with('\'') && value.ends_with('\''))
                || value
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_".contains(c)))
    };
    (!inner.contains('\n') && inner.split_whitespace().all(word)).then_some(at + 2 + len + 1)
}

/// Where the list item line just before a `{:toc}` at `at` starts (`* TOC`, `1. Contents`).
fn toc_list_item(text: &str, at: usize) -> Option<usize> {
    let before = text[..at].strip_suffix('\n')?;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before[start..].trim_start();
    let marker = line.split_whitespace().next()?;
    let is_item = matches!(marker, "*" | "-" | "+")
        || (marker.ends_with('.')
            && marker[..marker.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_digit()));
    is_item.then_some(start)
}

/// The end of the code range that holds `at`, if one does.
fn code_end(code: &[Range<usize>], at: usize) -> Option<usize> {
    let index = code.partition_point(|r| r.start <= at);
    let range = code.get(index.checked_sub(1)?)?;
    (at < range.end).then_some(range.end)
}

fn parse_at(text: &str, at: usize, code: &[Range<usize>]) -> Result<Option<Item>, String> {
    let rest = &text[at..];
    let item = |end: usize, found: Found| {
        Ok(Some(Item {
            range: at..end,
            found,
        }))
    };
    for (open, close, shown_open, shown_close) in [
        ("{{/*", "*/}}", "{{", "}}"),
        ("{%/*", "*/%}", "{%", "%}"),
        ("{{</*", "*/>}}", "{{<", ">}}"),
        ("{{%/*", "*/%}}", "{{%", "%}}"),
    ] {
        if let Some(after) = rest.strip_prefix(open) {
            let Some(len) = after.find(close) else {
                return Err(format!("`{open}` is not closed with `{close}`"));
            };
            let literal = format!("{shown_open}{}{shown_close}", &after[..len]);
            return item(at + open.len() + len + close.len(), Found::Literal(literal));
        }
    }
    if rest.starts_with("{{<") || rest.starts_with("{{%") {
        return hugo(text, at, code);
    }
    if rest.starts_with("{{") {
        let Some(end) = find_unquoted(text, at + 2, "}}") else {
            return Ok(None);
        };
        let inner = trim_dashes(&text[at + 2..end]);
        if let Some((name, args)) = zola_call(inner) {
            let named = zola_args(args).map_err(|e| format!("shortcode `{name}`: {e}"))?;
            let call = Call {
                name: name.to_string(),
                syntax: Syntax::Zola,
                positional: Vec::new(),
                named,
                body: None,
            };
            return item(end + 2, Found::Call(call));
        }
        return match variable(inner) {
            Some(v) => item(end + 2, Found::Variable(v)),
            None => Ok(None),
        };
    }
    liquid(text, at, code)
}

/// `{% ... %}`: a Zola call with a body, or a Liquid tag.
fn liquid(text: &str, at: usize, code: &[Range<usize>]) -> Result<Option<Item>, String> {
    let Some(end) = find_unquoted(text, at + 2, "%}") else {
        return Ok(None);
    };
    let inner = trim_dashes(&text[at + 2..end]);
    let after = end + 2;
    let item = |end: usize, found: Found| {
        Ok(Some(Item {
            range: at..end,
            found,
        }))
    };
    if let Some((name, args)) = zola_call(inner) {
        let named = zola_args(args).map_err(|e| format!("shortcode `{name}`: {e}"))?;
        let verbatim = is_verbatim(name);
        let mut depth = 0usize;
        let found = find_tag(
            text,
            after,
            (!verbatim).then_some(code),
            "{%",
            "%}",
            |tag| {
                if zola_call(tag).is_some() && !verbatim {
                    depth += 1;
                } else if tag == "end" {
                    if depth == 0 {
                        return true;
                    }
                    depth -= 1;
                }
                false
            },
        );
        let Some((close_start, close_end)) = found else {
            return Err(format!(
                "`{{% {name}(...) %}}` is not closed (end its body with `{{% end %}}`)"
            ));
        };
        let call = Call {
            name: name.to_string(),
            syntax: Syntax::Zola,
            positional: Vec::new(),
            named,
            body: Some(after..close_start),
        };
        return item(close_end, Found::Call(call));
    }
    let (word, args) = split_word(inner);
    match word {
        "end" => Err("`{% end %}` without a `{% name(...) %}` before it".to_string()),
        "raw" | "comment" => {
            let closing = format!("end{word}");
            let Some((close_start, close_end)) =
                find_tag(text, after, None, "{%", "%}", |t| t == closing)
            else {
                return Err(format!(
                    "`{{% {word} %}}` is not closed with `{{% {closing} %}}`"
                ));
            };
            let found = if word == "raw" {
                Found::Raw(after..close_start)
            } else {
                Found::Comment
            };
            item(close_end, found)
        }
        "include" | "include_cached" => {
            let (file, args) = split_word(args);
            let file = unquote(file);
            if file.is_empty() || file.contains('{') {
                return Ok(None);
            }
            let name = file
                .strip_suffix(".html")
                .or_else(|| file.strip_suffix(".md"))
                .or_else(|| file.strip_suffix(".liquid"))
                .unwrap_or(file);
            let (positional, named) = words(args).map_err(|e| format!("include `{file}`: {e}"))?;
            let call = Call {
                name: name.to_string(),
                syntax: Syntax::Liquid,
                positional,
                named,
                body: None,
            };
            item(after, Found::Call(call))
        }
        "post_url" | "link" => {
            let call = Call {
                name: word.to_string(),
                syntax: Syntax::Liquid,
                positional: vec![Value::String(unquote(args.trim()).to_string())],
                named: Map::new(),
                body: None,
            };
            item(after, Found::Call(call))
        }
        word if LIQUID_CONTROL.contains(&word) || word.starts_with("end") => Ok(None),
        word if is_name(word) => {
            let (positional, named) = words(args).map_err(|e| format!("tag `{word}`: {e}"))?;
            let closing = format!("end{word}");
            let verbatim = is_verbatim(word);
            let found = find_tag(text, after, (!verbatim).then_some(code), "{%", "%}", |t| {
                t == closing
            });
            let (body, end) = match found {
                Some((close_start, close_end)) => (Some(after..close_start), close_end),
                None if verbatim => {
                    return Err(format!(
                        "`{{% {word} %}}` is not closed with `{{% {closing} %}}`"
                    ));
                }
                None => (None, after),
            };
            let call = Call {
                name: word.to_string(),
                syntax: Syntax::Liquid,
                positional,
                named,
                body,
            };
            item(end, Found::Call(call))
        }
        _ => Ok(None),
    }
}

/// `{{< name args >}}` or `{{% name args %}}`, with a body when a closing tag follows.
fn hugo(text: &str, at: usize, code: &[Range<usize>]) -> Result<Option<Item>, String> {
    let markdown = text.as_bytes()[at + 2] == b'%';
    let (open, close) = if markdown {
        ("{{%", "%}}")
    } else {
        ("{{<", ">}}")
    };
    let Some(end) = find_unquoted(text, at + 3, close) else {
        return Err(format!("`{open}` is not closed with `{close}`"));
    };
    let mut inner = text[at + 3..end].trim();
    if inner.starts_with('/') {
        return Err(format!(
            "`{open} {} {close}` closes a shortcode that was not opened",
            short(inner)
        ));
    }
    let self_closing = inner.ends_with('/');
    if self_closing {
        inner = inner[..inner.len() - 1].trim_end();
    }
    let (name, args) = split_word(inner);
    if !is_name(name) {
        return Err(format!(
            "`{open} {} {close}` does not start with a shortcode name",
            short(inner)
        ));
    }
    let (positional, named) = words(args).map_err(|e| format!("shortcode `{name}`: {e}"))?;
    let after = end + close.len();
    let verbatim = is_verbatim(name);
    let mut depth = 0usize;
    let found = if self_closing {
        None
    } else {
        find_hugo_tag(text, after, (!verbatim).then_some(code), |tag| {
            if let Some(closing) = tag.strip_prefix('/') {
                if closing.trim() == name {
                    if depth == 0 {
                        return true;
                    }
                    depth -= 1;
                }
            } else if !verbatim && split_word(tag.trim_end_matches('/')).0 == name {
                depth += 1;
            }
            false
        })
    };
    let (body, end) = match found {
        Some((close_start, close_end)) => (Some(after..close_start), close_end),
        None => (None, after),
    };
    let call = Call {
        name: name.to_string(),
        syntax: if markdown {
            Syntax::HugoMarkdown
        } else {
            Syntax::Hugo
        },
        positional,
        named,
        body,
    };
    Ok(Some(Item {
        range: at..end,
        found: Found::Call(call),
    }))
}

/// The first `open … close` tag from `from` (outside `code` when given) whose trimmed inside
/// `matches`: its start and end.
fn find_tag(
    text: &str,
    from: usize,
    code: Option<&[Range<usize>]>,
    open: &str,
    close: &str,
    mut matches: impl FnMut(&str) -> bool,
) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(rel) = text[i..].find(open) {
        let start = i + rel;
        if let Some(end) = code.and_then(|c| code_end(c, start)) {
            i = end.max(start + 1);
            continue;
        }
        let end = find_unquoted(text, start + open.len(), close)?;
        if matches(trim_dashes(&text[start + open.len()..end])) {
            return Some((start, end + close.len()));
        }
        i = start + open.len();
    }
    None
}

/// [`find_tag`] over both of Hugo's delimiters.
fn find_hugo_tag(
    text: &str,
    from: usize,
    code: Option<&[Range<usize>]>,
    mut matches: impl FnMut(&str) -> bool,
) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(rel) = text[i..].find("{{") {
        let start = i + rel;
        if let Some(end) = code.and_then(|c| code_end(c, start)) {
            i = end.max(start + 1);
            continue;
        }
        let close = match text.as_bytes().get(start + 2) {
            Some(b'<') => ">}}",
            Some(b'%') => "%}}",
            _ => {
                i = start + 2;
                continue;
            }
        };
        if let Some(end) = find_unquoted(text, start + 3, close)
            && matches(text[start + 3..end].trim())
        {
            return Some((start, end + close.len()));
        }
        i = start + 3;
    }
    None
}

/// Where `close` first appears from `from`, outside quotes; if quotes never balance (an
/// apostrophe in a bare word), simply where it first appears.
fn find_unquoted(text: &str, from: usize, close: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'"' | b'\'' | b'`') => match closing_quote(bytes, i + 1, q) {
                Some(end) => i = end + 1,
                None => break,
            },
            b'\n' if bytes.get(i + 1) == Some(&b'\n') => break,
            _ if bytes[i..].starts_with(close.as_bytes()) => return Some(i),
            _ => i += 1,
        }
    }
    // A call never spans a blank line; past one, the braces were prose.
    let limit = text[from..].find("\n\n").map_or(text.len(), |n| from + n);
    text[from..limit].find(close).map(|n| from + n)
}

/// Liquid's whitespace control (`{%-`, `-%}`) changes nothing here.
fn trim_dashes(inner: &str) -> &str {
    let inner = inner.trim();
    let inner = inner.strip_prefix('-').unwrap_or(inner);
    inner.strip_suffix('-').unwrap_or(inner).trim()
}

fn split_word(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    (&text[..end], text[end..].trim())
}

fn is_name(word: &str) -> bool {
    !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '.'))
        && word.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// `name(args)` as Zola writes a call: the name and what is between the parentheses.
fn zola_call(inner: &str) -> Option<(&str, &str)> {
    let open = inner.find('(')?;
    let name = inner[..open].trim_end();
    let ident = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    let args = inner[open + 1..].strip_suffix(')')?;
    ident.then_some((name, args))
}

fn unquote(word: &str) -> &str {
    for q in ['"', '\'', '`'] {
        if let Some(inner) = word.strip_prefix(q).and_then(|w| w.strip_suffix(q)) {
            return inner;
        }
    }
    word
}

fn variable(inner: &str) -> Option<Variable> {
    match inner {
        "site.url" => return Some(Variable::SiteUrl),
        "site.baseurl" => return Some(Variable::BaseUrl),
        "page.title" => return Some(Variable::PageTitle),
        "page.url" => return Some(Variable::PageUrl),
        _ => {}
    }
    let (value, filter) = inner.split_once('|')?;
    let value = value.trim();
    let path = unquote(value);
    if path.len() == value.len() {
        return None;
    }
    match filter.trim() {
        "relative_url" => Some(Variable::RelativeUrl(path.to_string())),
        "absolute_url" => Some(Variable::AbsoluteUrl(path.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> Item {
        let (items, errors) = scan(text, &[]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(items.len(), 1, "{items:?}");
        items.into_iter().next().unwrap()
    }

    fn call(text: &str) -> Call {
        match one(text).found {
            Found::Call(call) => call,
            other => panic!("not a call: {other:?}"),
        }
    }

    #[test]
    fn zola_calls_with_and_without_a_body() {
        let c = call(
            r#"{{ figure(src="a.jpg", width=300, round=true, tags=["a", 'b'], alt=`x "y"`) }}"#,
        );
        assert_eq!(c.name, "figure");
        assert_eq!(c.syntax, Syntax::Zola);
        assert_eq!(
            Value::Object(c.named),
            json!({"src": "a.jpg", "width": 300, "round": true, "tags": ["a", "b"], "alt": "x \"y\""})
        );
        let text = "{% notice(kind=\"tip\") %}\nBe **kind**.\n{% end %} after";
        let item = one(text);
        let Found::Call(c) = item.found else { panic!() };
        assert_eq!(&text[c.body.unwrap()], "\nBe **kind**.\n");
        assert_eq!(&text[item.range.end..], " after");
    }

    #[test]
    fn hugo_calls_positional_named_and_bodies() {
        let c = call(r#"{{< youtube q_Mi5LrnIiU >}}"#);
        assert_eq!(
            (c.name.as_str(), c.positional),
            ("youtube", vec![json!("q_Mi5LrnIiU")])
        );
        let c = call(r#"{{<img src="joel.webp" max-width="400px" caption="A “nice” one">}}"#);
        assert_eq!(c.named["src"], json!("joel.webp"));
        assert_eq!(c.named["max-width"], json!("400px"));
        let text = "{{< details \"More\" >}}inner {{< /details >}}";
        let c = call(text);
        assert_eq!(&text[c.body.unwrap()], "inner ");
        let text = "{{% notice warning %}}\n*Careful*\n{{% /notice %}}";
        let c = call(text);
        assert_eq!(c.syntax, Syntax::HugoMarkdown);
        assert_eq!(c.positional, vec![json!("warning")]);
        assert_eq!(&text[c.body.unwrap()], "\n*Careful*\n");
        assert_eq!(call("{{< figure src=\"a.png\" />}} text").body, None);
    }

    #[test]
    fn liquid_includes_tags_highlight_raw_and_variables() {
        let c = call(r#"{% include image.html src="/images/oat.jpg" caption="Oats" %}"#);
        assert_eq!(c.name, "image");
        assert_eq!(c.named["caption"], json!("Oats"));
        let c = call(r#"{% include_cached figure.html src=x.png %}"#);
        assert_eq!(c.named["src"], json!("x.png"));
        let text = "{% highlight java linenos %}\nint x = {{ y }};\n{% endhighlight %}";
        let c = call(text);
        assert_eq!(c.positional, vec![json!("java"), json!("linenos")]);
        assert_eq!(&text[c.body.unwrap()], "\nint x = {{ y }};\n");
        let text = "{% raw %}{{ page.title }}{% endraw %}";
        assert_eq!(one(text).found, Found::Raw(9..25));
        assert_eq!(
            call("{% post_url 2021-03-04-my-trip %}").positional,
            vec![json!("2021-03-04-my-trip")]
        );
        assert_eq!(call("{% youtube abc %}").positional, vec![json!("abc")]);
        assert_eq!(
            one("{{ site.baseurl }}").found,
            Found::Variable(Variable::BaseUrl)
        );
        assert_eq!(
            one("{{ '/about/' | relative_url }}").found,
            Found::Variable(Variable::RelativeUrl("/about/".into()))
        );
        assert_eq!(
            one("{%- comment -%} x {% endcomment %}").found,
            Found::Comment
        );
    }

    #[test]
    fn escapes_are_written_as_the_call() {
        assert_eq!(
            one("{{/* figure(src=\"a\") */}}").found,
            Found::Literal("{{ figure(src=\"a\") }}".into())
        );
        assert_eq!(
            one("{%/* note() */%}").found,
            Found::Literal("{% note() %}".into())
        );
        assert_eq!(
            one("{{</* youtube x */>}}").found,
            Found::Literal("{{< youtube x >}}".into())
        );
    }

    #[test]
    fn kramdown_attribute_lists_are_dropped_and_prose_braces_kept() {
        let text = "Note.\n{: .notice--info}\n\n![a](b.png){: .align-center width=\"50%\"}\n\n* TOC\n{:toc}\n\nA set {:x y} and {: not closed\n";
        let dropped: Vec<&str> = scan(text, &[])
            .0
            .iter()
            .filter(|i| i.found == Found::Comment)
            .map(|i| &text[i.range.clone()])
            .collect();
        assert_eq!(
            dropped,
            [
                "{: .notice--info}",
                "{: .align-center width=\"50%\"}",
                "* TOC\n{:toc}",
                "{:x y}"
            ]
        );
        let all_code = vec![Range {
            start: 0,
            end: text.len(),
        }];
        assert!(scan(text, &all_code).0.is_empty(), "code keeps them");
    }

    #[test]
    fn prose_braces_liquid_control_and_code_are_left() {
        for text in [
            "{{ unknown }}",
            "{% if x %}y{% endif %}",
            "a { b } {{",
            "{{ x | date }}",
        ] {
            let (items, errors) = scan(text, &[]);
            assert!(
                items.is_empty() && errors.is_empty(),
                "{text}: {items:?} {errors:?}"
            );
        }
        let text = "`{{ a() }}` {{ b() }}";
        let code = [Range { start: 0, end: 11 }];
        let (items, _) = scan(text, &code);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].range.start, 12);
    }

    #[test]
    fn no_text_makes_the_scanner_panic_or_loop() {
        let pieces = [
            "{{",
            "}}",
            "{%",
            "%}",
            "{{<",
            ">}}",
            "{{%",
            "%}}",
            "/",
            "(",
            ")",
            "=",
            "\"",
            "'",
            "`",
            "\\",
            " ",
            "\u{a0}",
            "é",
            "\n",
            "\n\n",
            "end",
            "raw",
            "endraw",
            "figure",
            "include",
            "x.html",
            "/*",
            "*/",
            "-",
            ",",
            "[",
            "]",
            "highlight",
            "endhighlight",
        ];
        // Every sequence of three pieces, and some longer ones.
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}{a}{c}");
                    let (items, _) = scan(&text, &[]);
                    for item in items {
                        assert!(item.range.end <= text.len() && item.range.start < item.range.end);
                    }
                }
            }
        }
    }

    #[test]
    fn broken_calls_are_errors() {
        for (text, needle) in [
            ("{% note() %} never closed", "not closed"),
            ("{{< /details >}}", "not opened"),
            ("{{ figure(src=unquoted) }}", "not a value"),
            ("{% end %}", "without"),
            ("{% raw %} open", "endraw"),
        ] {
            let (_, errors) = scan(text, &[]);
            assert_eq!(errors.len(), 1, "{text}");
            assert!(
                errors[0].message.contains(needle),
                "{text}: {}",
                errors[0].message
            );
        }
    }
}
