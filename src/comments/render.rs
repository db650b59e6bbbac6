//! Visitors' comment bodies to safe HTML: a small Markdown subset (paragraphs, emphasis, code,
//! lists, quotes, links), raw HTML shown as text, then a strict ammonia allow-list on top.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

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
        ]))
        .tag_attributes(std::collections::HashMap::from([
            ("a", HashSet::from(["href"])),
            ("code", HashSet::from(["class"])),
            ("ol", HashSet::from(["start"])),
        ]))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("code", "class") => is_language_class(value).then(|| value.into()),
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

fn is_language_class(value: &str) -> bool {
    value.strip_prefix("language-").is_some_and(|lang| {
        !lang.is_empty()
            && lang
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_+-".contains(&b))
    })
}

/// Renders a comment body to sanitized HTML.
pub fn render_body(markdown: &str) -> String {
    let text = strip_bidi_controls(markdown);
    let parser =
        Parser::new_ext(&text, Options::ENABLE_STRIKETHROUGH).filter_map(|event| match event {
            // A visitor's HTML is shown as the text they typed, never as markup.
            Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
            // Images become their alt text (the text events inside them).
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
            // Headings are not part of a comment's vocabulary: a paragraph instead.
            Event::Start(Tag::Heading { .. }) => Some(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::Heading(_)) => Some(Event::End(TagEnd::Paragraph)),
            other => Some(other),
        });
    let mut unsafe_html = String::with_capacity(text.len() * 2);
    html::push_html(&mut unsafe_html, parser);
    // Entities such as `&#x202E;` are decoded by the Markdown parser, so the characters that
    // must never be published are removed again from the final HTML. Removing characters
    // cannot create markup.
    unpublishable_removed(&SANITIZER.clean(&unsafe_html).to_string())
}

/// Removes bidi controls and the control characters XML forbids (keeping tabs and newlines).
fn unpublishable_removed(html: &str) -> String {
    html.chars()
        .filter(|&c| {
            !is_bidi_control(c)
                && (!c.is_control() || c == '\n' || c == '\t')
                && c != '\u{FFFE}'
                && c != '\u{FFFF}'
        })
        .collect()
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Removes the Unicode controls that reorder text (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI,
/// PDI), so a comment cannot flip the page text around it.
pub fn strip_bidi_controls(text: &str) -> String {
    text.chars().filter(|&c| !is_bidi_control(c)).collect()
}

/// A commenter's name for display: trimmed, without bidi controls or other control
/// characters, and never empty.
pub fn display_name(username: &str) -> String {
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
    let initials: String = display_name(username)
        .split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    if initials.is_empty() {
        "?".to_string()
    } else {
        initials
    }
}

/// The hash Gravatar looks an address up by (SHA-256 of the trimmed, lowercased address).
pub fn gravatar_hash(email: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(email.trim().to_lowercase().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
    fn raw_html_images_and_headings_are_defused() {
        let html = render_body("<b onclick=x>hi</b>\n\n# Big\n\n![alt text](https://evil/x.png)");
        assert!(html.contains("&lt;b onclick=x&gt;hi&lt;/b&gt;"), "{html}");
        assert!(!html.contains("<h1"));
        assert!(html.contains("<p>Big</p>"));
        assert!(!html.contains("<img") && html.contains("alt text"));
    }

    #[test]
    fn encoded_bidi_and_control_characters_never_reach_the_page() {
        let html = render_body("a&#x202E;b&#8238;c \u{202E}d &#x2066;e &#7;f\u{7}g");
        for c in ['\u{202E}', '\u{2066}', '\u{7}'] {
            assert!(!html.contains(c), "{c:?} in {html:?}");
        }
        assert!(html.contains("abc d e fg"), "{html:?}");
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
        ] {
            assert_eq!(display_name(name), display, "{name:?}");
            assert_eq!(initials(name), init, "{name:?}");
        }
    }

    #[test]
    fn gravatar_hash_ignores_case_and_spaces() {
        assert_eq!(
            gravatar_hash(" Ada@Example.org "),
            gravatar_hash("ada@example.org")
        );
        assert_eq!(gravatar_hash("ada@example.org").len(), 64);
    }
}
