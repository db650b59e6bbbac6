//! Visitors' comment bodies to safe HTML: a small Markdown subset (paragraphs, emphasis, code,
//! lists, quotes, links), raw HTML shown as text, then a strict ammonia allow-list on top.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

use crate::highlight::{self, CodeInfo};

/// The only URL schemes a comment link may use.
const SCHEMES: [&str; 3] = ["http", "https", "mailto"];

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(HashSet::from([
            "p",
            "br",
            "em",
            "strong",
            "del",
            "code",
            "pre",
            "ul",
            "ol",
            "li",
            "blockquote",
            "a",
            "hr",
            "span",
        ]))
        .tag_attributes(std::collections::HashMap::from([
            ("a", HashSet::from(["href"])),
            ("code", HashSet::from(["class"])),
            ("span", HashSet::from(["class"])),
            ("ol", HashSet::from(["start"])),
        ]))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("code", "class") => is_language_class(value).then(|| value.into()),
            ("span", "class") => highlight::is_token_class(value).then(|| value.into()),
            ("ol", "start") => value.parse::<u32>().is_ok().then(|| value.into()),
            _ => Some(value.into()),
        })
        .url_schemes(HashSet::from(SCHEMES))
        // A comment has no business pointing into the site's own relative space.
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("nofollow ugc noopener"))
        .strip_comments(true);
    builder
});

/// Whether the sanitizer keeps a link's URL: an absolute URL of an allowed scheme, as ammonia
/// judges it (it parses with the same `url` crate). A refused link becomes its text, rather than
/// an `<a>` without `href`.
fn is_allowed_link(dest: &str) -> bool {
    url::Url::parse(dest.trim()).is_ok_and(|u| SCHEMES.contains(&u.scheme()))
}

fn is_language_class(value: &str) -> bool {
    value.strip_prefix("language-").is_some_and(|lang| {
        !lang.is_empty()
            && lang
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_+-".contains(&b))
    })
}

/// The version of what [`stored_html`] makes, stored beside each comment's HTML. Bump it
/// whenever the renderer, the highlighter or the sanitizer changes what a body comes out as
/// (and add a schema migration, even one without SQL, so that upgrading re-renders the stored
/// rows): a build uses stored HTML only of its own version, and renders the others from
/// their Markdown.
pub const HTML_VERSION: i64 = 1;

/// A comment's HTML as the store keeps it: what post pages show with `[markdown] highlight`
/// on (the default), made once when the comment is stored.
pub fn stored_html(markdown: &str) -> String {
    render_body_with(markdown, true)
}

/// Renders a comment body to sanitized HTML, its code blocks highlighted.
pub fn render_body(markdown: &str) -> String {
    render_body_with(markdown, true)
}

/// Renders a comment body to sanitized HTML, highlighting code blocks or not.
pub fn render_body_with(markdown: &str, highlight: bool) -> String {
    let (mut html, attribute_free) = written(markdown, highlight);
    // The writer escapes all text, and raw HTML became text, so output made only of
    // attribute-free allow-listed tags has nothing left to sanitize; links are made as the
    // sanitizer would leave them (`link_start`). Anything else that carries an attribute (code
    // languages, highlighting) goes through the sanitizer's allow-list.
    if !attribute_free {
        html = SANITIZER.clean(&html).to_string();
    }
    // Entities such as `&#x202E;` are decoded by the Markdown parser, so the characters that
    // must never be published are removed again from the final HTML. Removing characters
    // cannot create markup.
    unpublishable_removed(html)
}

/// Plain text (a webmention's words, which are not Markdown) as one paragraph of escaped
/// HTML, without the characters that must never be published; nothing for empty text.
pub fn render_text(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let mut html = String::with_capacity(text.len() + 8);
    html.push_str("<p>");
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            c => html.push(c),
        }
    }
    html.push_str("</p>");
    unpublishable_removed(html)
}

/// The comment subset as the Markdown writer renders it, before sanitizing, and whether it is
/// made only of attribute-free tags.
fn written(markdown: &str, highlight: bool) -> (String, bool) {
    let text = strip_bidi_controls(markdown);
    let mut attribute_free = true;
    // Whether each open link is kept, so a refused link's end goes with its start.
    let mut links = Vec::new();
    let events = Parser::new_ext(&text, Options::ENABLE_STRIKETHROUGH).filter_map(|event| {
        let event = match defused(event)? {
            Event::Start(Tag::Link {
                dest_url,
                id,
                link_type,
                ..
            }) => {
                let kept = is_allowed_link(&dest_url);
                links.push(kept);
                if !kept {
                    return None;
                }
                Event::InlineHtml(link_start(link_type, dest_url, id).into())
            }
            Event::End(TagEnd::Link) => links
                .pop()
                .unwrap_or(false)
                .then_some(Event::InlineHtml("</a>".into()))?,
            event => event,
        };
        Some(event)
    });
    let events =
        highlighted(events, highlight).inspect(|event| attribute_free &= is_attribute_free(event));
    let mut html = String::with_capacity(text.len() * 2);
    html::push_html(&mut html, events);
    (html, attribute_free)
}

/// The start of a kept link as the sanitizer would leave it: the `href` the Markdown writer
/// escapes, no title, and the `rel` the sanitizer adds. Made here, a link no longer sends its
/// comment through the sanitizer.
fn link_start<'a>(link_type: LinkType, dest_url: CowStr<'a>, id: CowStr<'a>) -> String {
    let mut tag = String::with_capacity(dest_url.len() + 48);
    let start = Event::Start(Tag::Link {
        link_type,
        dest_url,
        title: "".into(),
        id,
    });
    html::push_html(&mut tag, std::iter::once(start));
    // The writer ends the tag with `">`; the sanitizer's attribute goes before it.
    tag.truncate(tag.len() - 2);
    tag.push_str("\" rel=\"nofollow ugc noopener\">");
    tag
}

/// Fenced code in a language quill knows, as the same highlighted HTML posts get: spans
/// with quill's classes around escaped text, which the sanitizer's allow-list keeps. It runs
/// after [`defused`], so a visitor's own markup is text by then.
fn highlighted<'a>(
    events: impl Iterator<Item = Event<'a>>,
    highlight: bool,
) -> impl Iterator<Item = Event<'a>> {
    let mut open: Option<(CodeInfo, String)> = None;
    events.filter_map(move |event| match event {
        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref info))) if highlight => {
            // Only the language: line numbers and file names are for the author's pages.
            let lang = CodeInfo::parse(info).lang;
            if !highlight::knows(&lang) {
                return Some(event);
            }
            open = Some((
                CodeInfo {
                    lang,
                    linenostart: 1,
                    ..CodeInfo::default()
                },
                String::new(),
            ));
            None
        }
        Event::Text(text) if open.is_some() => {
            open.as_mut()?.1.push_str(&text);
            None
        }
        Event::End(TagEnd::CodeBlock) if open.is_some() => {
            let (info, code) = open.take()?;
            let mut html = String::with_capacity(code.len() * 2);
            highlight::code_block(&info, &code, &mut html);
            Some(Event::Html(html.into()))
        }
        other => Some(other),
    })
}

/// A comment's Markdown event as it may appear: a visitor's HTML as the text they typed,
/// images as their alt text, headings as paragraphs.
fn defused(event: Event<'_>) -> Option<Event<'_>> {
    match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        // Images become their alt text (the text events inside them).
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Heading { .. }) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::Heading(_)) => Some(Event::End(TagEnd::Paragraph)),
        other => Some(other),
    }
}

/// Whether the HTML writer turns this event into escaped text or a bare allow-listed tag
/// (`<ol start>` with a number the sanitizer keeps counts as bare).
fn is_attribute_free(event: &Event<'_>) -> bool {
    match event {
        // After `defused`, the only inline HTML is the links `link_start` made.
        Event::InlineHtml(_) => true,
        // The sanitizer's HTML parser turns a carriage return into a line feed, where the
        // last step here would delete it: text with one takes the sanitizer's path.
        Event::Text(text) | Event::Code(text) => !text.contains('\r'),
        Event::SoftBreak | Event::HardBreak | Event::Rule | Event::End(_) => true,
        Event::Start(tag) => match tag {
            Tag::Paragraph
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Item
            | Tag::BlockQuote(None)
            | Tag::List(None)
            | Tag::CodeBlock(CodeBlockKind::Indented) => true,
            Tag::List(Some(start)) => u32::try_from(*start).is_ok(),
            Tag::CodeBlock(CodeBlockKind::Fenced(language)) => language.is_empty(),
            _ => false,
        },
        _ => false,
    }
}

/// Whether a text may hold a character that is not published or is a bidi control: a byte
/// that starts one (a C0 control or DEL, or the lead bytes of C1 controls, of U+2000..U+2FFF
/// and of U+F000..U+FFFF). Most text holds none, and this looks at bytes, not characters.
fn may_hold_unpublishable(text: &str) -> bool {
    text.bytes()
        .any(|b| (b < 0x20 && b != b'\n' && b != b'\t') || matches!(b, 0x7f | 0xc2 | 0xe2 | 0xef))
}

/// Removes bidi controls and the control characters XML forbids (keeping tabs and newlines).
fn unpublishable_removed(html: String) -> String {
    let unpublishable = |c: char| {
        is_bidi_control(c)
            || (c.is_control() && c != '\n' && c != '\t')
            || c == '\u{FFFE}'
            || c == '\u{FFFF}'
    };
    if may_hold_unpublishable(&html) && html.contains(unpublishable) {
        html.chars().filter(|&c| !unpublishable(c)).collect()
    } else {
        html
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Removes the Unicode controls that reorder text (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI,
/// PDI), so a comment cannot flip the page text around it.
pub fn strip_bidi_controls(text: &str) -> Cow<'_, str> {
    // Every bidi control is encoded from the lead byte 0xE2.
    if text.as_bytes().contains(&0xe2) && text.contains(is_bidi_control) {
        Cow::Owned(text.chars().filter(|&c| !is_bidi_control(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// A commenter's name for display: trimmed, without bidi controls or other control
/// characters, and never empty.
pub fn display_name(username: &str) -> String {
    // Most names are printable ASCII, which holds no bidi or other control character: only
    // the trimming applies, without walking the name character by character.
    if username.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return match username.trim() {
            "" => "Anonymous".to_string(),
            trimmed => trimmed.to_string(),
        };
    }
    let name: String = strip_bidi_controls(username)
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    match name.trim() {
        "" => "Anonymous".to_string(),
        trimmed => trimmed.to_string(),
    }
}

/// One or two uppercase initials for an avatar placeholder; `?` when there is nothing usable.
pub fn initials(username: &str) -> String {
    initials_of(&display_name(username))
}

/// [`initials`] of a name already made fit for display by [`display_name`].
pub fn initials_of(display_name: &str) -> String {
    // Most names are printable ASCII, where the only space is ' ' and a letter's uppercase is
    // one byte: every comment shows initials, and the Unicode walk cost more than the rest.
    let initials: String = if display_name.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        display_name
            .split(' ')
            .filter_map(|word| word.bytes().find(u8::is_ascii_alphanumeric))
            .take(2)
            .map(|b| char::from(b.to_ascii_uppercase()))
            .collect()
    } else {
        unicode_initials(display_name)
    };
    if initials.is_empty() {
        "?".to_string()
    } else {
        initials
    }
}

/// The first alphanumeric character of each of the first two words that have one, uppercased.
fn unicode_initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// The hash Gravatar looks an address up by (SHA-256 of the trimmed, lowercased address), or
/// none for an address under the reserved `.invalid` domain, such as the placeholders importers
/// give comments that came without a usable address: no one can have an avatar there.
pub fn gravatar_hash(email: &str) -> Option<String> {
    use sha2::{Digest, Sha256};
    let email = email.trim().to_lowercase();
    if email.ends_with(".invalid") {
        return None;
    }
    Some(
        Sha256::digest(email.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_renders() {
        let html = render_body(
            "Hello *you* and **me** ~~old~~ `x`\n\n- a\n- b\n\n> quoted\n\n```rust\nfn f() {}\n```\n\n3. three\n",
        );
        for needle in [
            "<em>you</em>",
            "<strong>me</strong>",
            "<del>old</del>",
            "<code>x</code>",
            "<li>a</li>",
            "<blockquote>",
            "<code class=\"language-rust\">",
            "<ol start=\"3\">",
        ] {
            assert!(html.contains(needle), "{needle} missing from {html}");
        }
    }

    #[test]
    fn links_are_marked_and_filtered() {
        let html = render_body(
            "[site](https://example.org) [mail](mailto:a@b.c) [bad](javascript:alert(1)) [rel](/admin)",
        );
        assert!(
            html.contains("<a href=\"https://example.org\" rel=\"nofollow ugc noopener\">site</a>"),
            "{html}"
        );
        assert!(html.contains("href=\"mailto:a@b.c\""));
        assert!(!html.contains("javascript"), "{html}");
        assert!(!html.contains("/admin\""), "{html}");
    }

    #[test]
    fn a_refused_link_is_plain_text_not_an_anchor_without_href() {
        for typed in [
            "[x](javascript:alert(1))",
            "[x](/admin)",
            "[x](data:text/html,hi)",
            "[x](vbscript:y) and [*x*](<java\tscript:y>)",
            "[x](https://)",
        ] {
            let html = render_body(typed);
            assert!(!html.contains("<a"), "{typed:?} gave {html}");
            assert!(html.contains("x"), "{html}");
        }
        let mixed = render_body("[ok](https://a.org) [x](javascript:1) [ok2](https://b.org)");
        assert_eq!(mixed.matches("<a href=").count(), 2, "{mixed}");
        assert_eq!(mixed.matches("</a>").count(), 2, "{mixed}");
    }

    #[test]
    fn raw_html_images_and_headings_are_defused() {
        let html = render_body("<b onclick=x>hi</b>\n\n# Big\n\n![alt text](https://evil/x.png)");
        assert!(html.contains("&lt;b onclick=x&gt;hi&lt;/b&gt;"), "{html}");
        assert!(!html.contains("<h1"));
        assert!(html.contains("<p>Big</p>"));
        assert!(!html.contains("<img") && html.contains("alt text"));
    }

    #[test]
    fn the_byte_scan_finds_every_character_removed() {
        let removed = |c: char| {
            is_bidi_control(c)
                || (c.is_control() && c != '\n' && c != '\t')
                || c == '\u{FFFE}'
                || c == '\u{FFFF}'
        };
        for c in (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| removed(c))
        {
            assert!(may_hold_unpublishable(&format!("a{c}b")), "{c:?}");
        }
        assert!(!may_hold_unpublishable("plain text, é and ü\n\t"));
    }

    #[test]
    fn encoded_bidi_and_control_characters_never_reach_the_page() {
        let html = render_body("a&#x202E;b&#8238;c \u{202E}d &#x2066;e &#7;f\u{7}g");
        for c in ['\u{202E}', '\u{2066}', '\u{7}'] {
            assert!(!html.contains(c), "{c:?} in {html:?}");
        }
        assert!(html.contains("abc d e fg"), "{html:?}");
    }

    /// The path that skips the sanitizer must publish what the sanitizer would have: the same
    /// document, whatever a visitor typed.
    #[test]
    fn skipping_the_sanitizer_changes_nothing_it_would_have_changed() {
        let dom = |html: &str| scraper::Html::parse_fragment(html).root_element().html();
        let typed = [
            "plain *em* **strong** ~~del~~ `code` a < b && c > d \"quoted\" 'single'",
            "- one\n- two\n\n1. first\n2. second\n\n7. seven\n\n> quote\n>> nested",
            "line  \nbreak\n\n---\n\n    indented code <b>\n\n```\nfenced <i>\n```",
            "# heading\n\n<div onclick=x>raw</div>\n\n<!-- comment -->\n\n&nbsp;&amp;&#0;\u{a0}",
            "![alt *text*](javascript:alert(1)) <script>alert(1)</script>",
            "3000000000. huge start\n\n```rust\nfn main() {}\n```\n\n[a](https://x.org) <https://y.org>",
            // Links: titles, entities, quotes, spaces and non-ASCII in URLs, references.
            "[t](https://a.org/x?a=1&b=2 \"title\" ) [u](<https://a.org/a b>) [v](https://ü.org/ö?q=\"x\"'y')",
            "[*em* `code` **b**](https://a.org/#frag) [r][1] [bad](javascript:x) <mailto:a@b.org>\n\n[1]: https://r.org/ 'T'",
            "[x](https://a.org/&quot;onmouseover=&quot;y) [y](HTTPS://A.ORG) [z]( https://a.org )",
            // Carriage returns, as a reference and inside code.
            "a&#13;b",
            "    a\rb\n",
            "```\na\rb\n```",
        ];
        let corpus = include_str!("../../tests/corpora/xss-payloads.txt");
        let (mut skipped, mut sanitized_too) = (0, 0);
        for input in typed.into_iter().chain(corpus.lines()) {
            let (written, attribute_free) = written(input, true);
            skipped += usize::from(attribute_free);
            sanitized_too += usize::from(!attribute_free);
            let sanitized = unpublishable_removed(SANITIZER.clean(&written).to_string());
            assert_eq!(dom(&render_body(input)), dom(&sanitized), "{input:?}");
        }
        // Both paths are exercised, by a good share of the corpus each.
        assert!(
            skipped > 1000 && sanitized_too > 1000,
            "{skipped} {sanitized_too}"
        );
    }

    #[test]
    fn visitors_code_is_highlighted_within_the_allow_list() {
        let html = render_body(concat!(
            "```rust\nfn f() {} // </span><script>alert(1)</script>\n```\n\n",
            "```html\n<span class=\"hl-kw\" onclick=\"x\">\"</span><img src=x onerror=y>\n```\n\n",
            "```rust,linenos,name=evil.rs\nlet x = 1;\n```\n",
        ));
        assert!(html.contains("<span class=\"hl-kw\">fn</span>"), "{html}");
        let doc = scraper::Html::parse_fragment(&html);
        let mut spans = 0;
        for element in doc
            .root_element()
            .descendants()
            .filter_map(scraper::ElementRef::wrap)
        {
            let name = element.value().name();
            assert!(
                ["html", "pre", "code", "span"].contains(&name),
                "<{name}> in {html}"
            );
            for (attribute, value) in element.value().attrs() {
                assert_eq!(attribute, "class", "{html}");
                let known = highlight::is_token_class(value) || value.starts_with("language-");
                assert!(known, "class {value:?} in {html}");
            }
            spans += usize::from(name == "span");
        }
        assert!(spans >= 6, "{html}");
        // What the visitor typed is all there, as text.
        let text: String = doc.root_element().text().collect();
        assert!(text.contains("</span><script>alert(1)</script>"), "{text}");
        assert!(text.contains("<img src=x onerror=y>"), "{text}");
        assert!(
            !html.contains("evil.rs") && !html.contains("data-n"),
            "{html}"
        );
    }

    #[test]
    fn plain_text_is_escaped_not_read_as_markdown() {
        assert_eq!(
            render_text(" *not em* <b onclick=\"x\">&amp; [a](javascript:1)\u{202E}\u{7} "),
            "<p>*not em* &lt;b onclick=&quot;x&quot;&gt;&amp;amp; [a](javascript:1)</p>"
        );
        assert_eq!(render_text(" \n "), "");
    }

    #[test]
    fn odd_code_classes_are_dropped() {
        let html = render_body("```x\" onmouseover=\"y\ncode\n```");
        assert!(!html.contains("onmouseover=\""), "{html}");
        assert!(html.contains("<code>"), "{html}");
    }

    #[test]
    fn names_and_initials() {
        for (name, display, init) in [
            ("  Ada Lovelace ", "Ada Lovelace", "AL"),
            ("grace", "grace", "G"),
            ("\u{202E}evil\u{202C}", "evil", "E"),
            ("Jean-Luc Picard Third", "Jean-Luc Picard Third", "JP"),
            ("!!!", "!!!", "?"),
            ("\u{202E}\u{202C}", "Anonymous", "A"),
            ("émile zola", "émile zola", "ÉZ"),
            ("a\u{0007}b", "ab", "A"),
            ("   ", "Anonymous", "A"),
            ("tab\tname", "tabname", "T"),
        ] {
            assert_eq!(display_name(name), display, "{name:?}");
            assert_eq!(initials(name), init, "{name:?}");
        }
    }

    #[test]
    fn initials_of_ascii_names_are_those_the_unicode_rules_give() {
        // Every printable ASCII character, alone and in names of up to three words.
        let printable: Vec<String> = (b' '..=b'~').map(|b| char::from(b).to_string()).collect();
        let words = ["ada", "  Lovelace", "9lives", "!x", "--", "", "jean-luc  "];
        let mut names = printable.clone();
        for a in words {
            for b in words {
                names.push(format!("{a} {b}"));
                names.extend(printable.iter().map(|p| format!("{a}{p}{b} zed")));
            }
        }
        for name in &names {
            let expected = match unicode_initials(name) {
                none if none.is_empty() => "?".to_string(),
                some => some,
            };
            assert_eq!(initials_of(name), expected, "{name:?}");
        }
    }

    #[test]
    fn gravatar_hash_ignores_case_and_spaces_and_placeholders() {
        assert_eq!(
            gravatar_hash(" Ada@Example.org "),
            gravatar_hash("ada@example.org")
        );
        assert_eq!(gravatar_hash("ada@example.org").map(|h| h.len()), Some(64));
        assert_eq!(gravatar_hash("disqus-12@disqus.INVALID"), None);
    }
}
