//! Imported HTML bodies to the Markdown subset comments are written in (paragraphs, emphasis,
//! code, links, quotes, lists), so that they render through the same sanitizer as a new
//! comment and nothing imported is ever published as raw HTML.
//!
//! The HTML is parsed by html5ever (through `scraper`) like a browser would; this module only
//! walks the resulting tree. Elements that run or embed things (`script`, `style`, `iframe`...)
//! are dropped with their content; any other unknown element keeps only its text.

use scraper::{ElementRef, Html, Node};

/// What the text between the tags means in a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Real HTML (Disqus): whitespace, newlines included, collapses to one space.
    Html,
    /// WordPress comment text: HTML fragments in text where a blank line starts a paragraph
    /// and a single newline is a line break (what WordPress's `wpautop` does on display).
    AutoParagraphs,
    /// Markdown that may contain HTML (Isso stores what was typed and renders it on display):
    /// the text is kept as it is, only the tags are converted.
    Markdown,
}

/// Converts an HTML body to comment Markdown.
pub fn to_markdown(html: &str, flavor: Flavor) -> String {
    // Form posts arrive with CRLF; one kind of newline keeps the Markdown predictable.
    let html = html.replace("\r\n", "\n").replace('\r', "\n");
    if flavor == Flavor::Markdown && !html.contains(['<', '&']) {
        return html.trim().to_string();
    }
    let html = match flavor {
        Flavor::Markdown => autolinks_as_text(&html),
        _ => html,
    };
    let fragment = Html::parse_fragment(&html);
    let mut out = String::new();
    for child in fragment.root_element().children() {
        convert(child, flavor, &mut out);
    }
    tidy(&out)
}

/// Markdown's autolinks (`<https://example.org>`) written as the text they are, so the HTML
/// parser does not take them for tags and drop them; the Markdown renderer links them later.
fn autolinks_as_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let lower = after.get(..8).unwrap_or(after).to_ascii_lowercase();
        let end = after.find(|c: char| c == '>' || c == '<' || c.is_whitespace());
        match end {
            Some(end)
                if (lower.starts_with("http://") || lower.starts_with("https://"))
                    && after[end..].starts_with('>') =>
            {
                out.push_str("&lt;");
                out.push_str(&after[..end].replace('&', "&amp;"));
                out.push_str("&gt;");
                rest = &after[end + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Elements dropped with everything inside them: nothing of theirs is a comment's text.
const DROPPED: &[&str] = &[
    "script", "style", "template", "iframe", "object", "embed", "noscript", "head", "title", "svg",
    "math", "form", "button", "input", "select", "textarea", "video", "audio", "canvas",
];

/// Elements that stand as their own paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "main",
    "nav",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "address",
    "center",
    "details",
    "summary",
];

fn convert(node: ego_tree::NodeRef<'_, Node>, flavor: Flavor, out: &mut String) {
    match node.value() {
        Node::Text(text) => push_text(text, flavor, out),
        Node::Element(_) => {
            if let Some(element) = ElementRef::wrap(node) {
                convert_element(element, flavor, out);
            }
        }
        // Comments, doctypes and processing instructions are not text.
        _ => {}
    }
}

fn children(element: ElementRef<'_>, flavor: Flavor) -> String {
    let mut inner = String::new();
    for child in element.children() {
        convert(child, flavor, &mut inner);
    }
    inner
}

fn convert_element(element: ElementRef<'_>, flavor: Flavor, out: &mut String) {
    let name = element.value().name();
    match name {
        _ if DROPPED.contains(&name) => {}
        _ if BLOCKS.contains(&name) => block(out, &children(element, flavor)),
        "br" => out.push_str("\\\n"),
        "hr" => block(out, "* * *"),
        "em" | "i" | "cite" | "var" => wrap(out, &children(element, flavor), "*"),
        "strong" | "b" => wrap(out, &children(element, flavor), "**"),
        "del" | "s" | "strike" => wrap(out, &children(element, flavor), "~~"),
        "code" | "kbd" | "samp" | "tt" => code_span(out, &text_content(element)),
        "pre" => code_block(out, &text_content(element)),
        "a" => link(out, element, flavor),
        "img" => image(out, element),
        "blockquote" => {
            let inner = tidy(&children(element, flavor));
            let quoted: Vec<String> = inner
                .lines()
                .map(|l| {
                    if l.is_empty() {
                        ">".into()
                    } else {
                        format!("> {l}")
                    }
                })
                .collect();
            block(out, &quoted.join("\n"));
        }
        "ul" | "ol" => list(out, element, flavor, name == "ol"),
        // A stray <li> outside a list is still an item.
        "li" => list_item(out, element, flavor, "- "),
        _ => out.push_str(&children(element, flavor)),
    }
}

/// Writes text with the characters Markdown would read as syntax escaped.
fn push_text(text: &str, flavor: Flavor, out: &mut String) {
    if flavor == Flavor::Markdown {
        out.push_str(text);
        return;
    }
    let whitespace_only = text.trim().is_empty();
    let mut pending_space = false;
    let mut newlines = 0;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = true;
            if c == '\n' {
                newlines += 1;
            }
            continue;
        }
        if pending_space {
            out.push_str(separator(flavor, newlines, whitespace_only));
            pending_space = false;
            newlines = 0;
        }
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    if pending_space {
        out.push_str(separator(flavor, newlines, whitespace_only));
    }
}

/// What a run of whitespace with `newlines` newlines becomes.
fn separator(flavor: Flavor, newlines: usize, whitespace_only: bool) -> &'static str {
    match (flavor, newlines) {
        (Flavor::AutoParagraphs, n) if n >= 2 => "\n\n",
        // A newline between two tags is layout, not a line break the writer typed.
        (Flavor::AutoParagraphs, 1) if !whitespace_only => "\\\n",
        _ => " ",
    }
}

/// A paragraph of its own, separated by blank lines.
fn block(out: &mut String, inner: &str) {
    let inner = inner.trim();
    if inner.is_empty() {
        return;
    }
    out.push_str("\n\n");
    out.push_str(inner);
    out.push_str("\n\n");
}

/// `*text*`, with the markers inside any surrounding spaces (`* x *` is not emphasis).
fn wrap(out: &mut String, inner: &str, marker: &str) {
    let trimmed = inner.trim();
    if trimmed.is_empty() {
        out.push_str(inner);
        return;
    }
    if inner.starts_with(char::is_whitespace) {
        out.push(' ');
    }
    out.push_str(marker);
    out.push_str(trimmed);
    out.push_str(marker);
    if inner.ends_with(char::is_whitespace) {
        out.push(' ');
    }
}

/// All the text under an element, as it is (for code).
fn text_content(element: ElementRef<'_>) -> String {
    element.text().collect()
}

/// The longest run of backticks in `text`.
fn longest_backticks(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn code_span(out: &mut String, text: &str) {
    let text = text.replace('\n', " ");
    if text.trim().is_empty() {
        return;
    }
    let fence = "`".repeat(longest_backticks(&text) + 1);
    // A space inside the fence keeps a backtick at either end from joining it.
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    out.push_str(&format!("{fence}{pad}{text}{pad}{fence}"));
}

fn code_block(out: &mut String, text: &str) {
    let text = text.trim_matches('\n');
    if text.trim().is_empty() {
        return;
    }
    let fence = "`".repeat(longest_backticks(text).max(2) + 1);
    out.push_str(&format!("\n\n{fence}\n{text}\n{fence}\n\n"));
}

fn link(out: &mut String, element: ElementRef<'_>, flavor: Flavor) {
    let inner = children(element, flavor);
    let href = element.value().attr("href").map(str::trim).unwrap_or("");
    let lower = href.to_ascii_lowercase();
    // Only the schemes a comment link may use; anything else keeps just its text.
    let allowed = ["http://", "https://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s));
    if !allowed {
        out.push_str(&inner);
        return;
    }
    let url = escape_url(href);
    let text = inner.trim();
    let text = if text.is_empty() {
        let mut escaped = String::new();
        push_text(href, Flavor::Html, &mut escaped);
        escaped
    } else {
        text.replace('\n', " ")
    };
    out.push_str(&format!("[{text}]({url})"));
}

/// Comments show no images: a web image becomes a link to it (so a comment that was only a
/// picture keeps something), anything else its alt text.
fn image(out: &mut String, element: ElementRef<'_>) {
    let alt = element.value().attr("alt").unwrap_or("").trim();
    let src = element.value().attr("src").unwrap_or("").trim();
    let lower = src.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let mut text = String::new();
        push_text(
            if alt.is_empty() { "image" } else { alt },
            Flavor::Html,
            &mut text,
        );
        out.push_str(&format!("[{text}]({})", escape_url(src)));
    } else if !alt.is_empty() {
        push_text(alt, Flavor::Html, out);
    }
}

/// The characters that would end or break a Markdown link destination, percent-encoded.
fn escape_url(url: &str) -> String {
    url.chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '(' => "%28".to_string(),
            ')' => "%29".to_string(),
            '<' => "%3C".to_string(),
            '>' => "%3E".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn list(out: &mut String, element: ElementRef<'_>, flavor: Flavor, ordered: bool) {
    let mut items = String::new();
    let mut n = element
        .value()
        .attr("start")
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or(1);
    for child in element.children() {
        match ElementRef::wrap(child) {
            Some(li) if li.value().name() == "li" => {
                let marker = if ordered {
                    format!("{n}. ")
                } else {
                    "- ".to_string()
                };
                n += 1;
                let mut item = String::new();
                list_item(&mut item, li, flavor, &marker);
                items.push_str(item.trim_matches('\n'));
                items.push('\n');
            }
            // Text or stray elements between items: keep their text as an item of its own.
            _ => {
                let mut stray = String::new();
                convert(child, flavor, &mut stray);
                if !stray.trim().is_empty() {
                    items.push_str("- ");
                    items.push_str(stray.trim());
                    items.push('\n');
                }
            }
        }
    }
    block(out, &items);
}

/// One item: the marker, then its content with continuation lines indented under it.
fn list_item(out: &mut String, li: ElementRef<'_>, flavor: Flavor, marker: &str) {
    let content = tidy(&children(li, flavor));
    let indent = " ".repeat(marker.len());
    let mut lines = content.lines();
    out.push('\n');
    out.push_str(marker);
    out.push_str(lines.next().unwrap_or(""));
    for line in lines {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&indent);
            out.push_str(line);
        }
    }
    out.push('\n');
}

/// Trailing spaces off every line, at most one blank line in a row, no hard break at the end
/// of a paragraph, nothing around the whole.
fn tidy(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut blank = 0;
    for line in markdown.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() || line.trim() == "\\" {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    // A hard break before a blank line or at the end means nothing and would show as `\`.
    let mut fixed = String::with_capacity(out.len());
    let lines: Vec<&str> = out.split('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        let next_blank = lines.get(i + 1).is_none_or(|l| l.is_empty());
        let line = if next_blank {
            line.strip_suffix('\\')
                .filter(|l| !l.ends_with('\\'))
                .map_or(*line, str::trim_end)
        } else {
            line
        };
        fixed.push_str(line);
        if i + 1 < lines.len() {
            fixed.push('\n');
        }
    }
    fixed.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_autolinks_survive_as_links() {
        let kept = to_markdown(
            "- <https://example.org/a?b=1&c=2>\n\nsee <HTTP://x.org> and <b>bold</b> <notalink>",
            Flavor::Markdown,
        );
        assert!(kept.contains("- <https://example.org/a?b=1&c=2>"), "{kept}");
        assert!(
            kept.contains("<HTTP://x.org>") && kept.contains("**bold**"),
            "{kept}"
        );
        let html = crate::comments::render::render_body(&kept);
        assert!(
            html.contains("<li><a href=\"https://example.org/a?b=1&amp;c=2\""),
            "the list item keeps its link: {html}"
        );
    }

    #[test]
    fn html_to_markdown() {
        for (html, expected) in [
            ("<p>Hello, World.</p>", "Hello, World."),
            ("<p>one</p>\n<p>two</p>", "one\n\ntwo"),
            ("<p>a <em>b</em> <strong>c</strong></p>", "a *b* **c**"),
            ("<p>a<i> b </i>c</p>", "a *b* c"),
            ("x<br>y", "x\\\ny"),
            ("<p>x<br></p>", "x"),
            ("use <code>a*b</code> here", "use `a*b` here"),
            ("<code>a`b</code>", "``a`b``"),
            (
                "<pre><code>fn main() {\n    x\n}</code></pre>",
                "```\nfn main() {\n    x\n}\n```",
            ),
            (
                "<a href=\"https://example.org/a b\">the <b>site</b></a>",
                "[the **site**](https://example.org/a%20b)",
            ),
            ("<a href=\"javascript:alert(1)\">click</a>", "click"),
            (
                "<a href=\"https://x.org/\"></a>",
                "[https://x.org/](https://x.org/)",
            ),
            (
                "<blockquote><p>quoted</p><p>more</p></blockquote>after",
                "> quoted\n>\n> more\n\nafter",
            ),
            (
                "<ul><li>one</li><li>two <em>2</em></li></ul>",
                "- one\n- two *2*",
            ),
            (
                "<ol start=\"3\"><li>c</li><li>d<ul><li>e</li></ul></li></ol>",
                "3. c\n4. d\n\n   - e",
            ),
            (
                "2 * 3 = 6 and a_b [x] &lt;y&gt; & #1",
                "2 \\* 3 = 6 and a\\_b \\[x\\] \\<y\\> \\& \\#1",
            ),
            (
                "&lt;script&gt;alert(1)&lt;/script&gt;",
                "\\<script\\>alert(1)\\</script\\>",
            ),
            ("<p>ok</p><script>alert(1)</script><style>p{}</style>", "ok"),
            ("<img src=x onerror=alert(1) alt=\"a cat\">", "a cat"),
            (
                "<img src=\"https://img.example/cat (1).png\">",
                "[image](https://img.example/cat%20%281%29.png)",
            ),
            ("<iframe src=\"https://evil\"></iframe>hi", "hi"),
            ("<h2>Title</h2><p>x</p>", "Title\n\nx"),
            ("<s>old</s> new", "~~old~~ new"),
            ("<span style=\"x\">Grüße</span>, 日本", "Grüße, 日本"),
            ("", ""),
        ] {
            assert_eq!(to_markdown(html, Flavor::Html), expected, "{html:?}");
        }
    }

    #[test]
    fn wordpress_text_keeps_its_line_breaks() {
        assert_eq!(
            to_markdown(
                "When you have a comment with multiple lines:\nWordPress exports it like this.",
                Flavor::AutoParagraphs
            ),
            "When you have a comment with multiple lines:\\\nWordPress exports it like this."
        );
        assert_eq!(
            to_markdown(
                "one\n\ntwo <b>bold</b>\r\n\r\nthree",
                Flavor::AutoParagraphs
            ),
            "one\n\ntwo **bold**\n\nthree"
        );
        assert_eq!(
            to_markdown("<p>a</p>\n<p>b</p>", Flavor::AutoParagraphs),
            "a\n\nb"
        );
    }

    #[test]
    fn markdown_with_html_keeps_the_markdown() {
        assert_eq!(
            to_markdown("*already* markdown\r\n\r\n- a list", Flavor::Markdown),
            "*already* markdown\n\n- a list"
        );
        assert_eq!(
            to_markdown(
                "<p>Hello <em>there</em></p><script>x()</script>",
                Flavor::Markdown
            ),
            "Hello *there*"
        );
    }

    #[test]
    fn nothing_executable_survives() {
        let nasty = "<scr<script>ipt>alert(1)</script><svg onload=alert(1)><a href=' JaVaScRiPt:alert(1)'>x</a><div onclick=alert(1)>y</div>";
        let md = to_markdown(nasty, Flavor::Html);
        let html = crate::comments::render::render_body(&md);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("onload"), "{html}");
    }
}
