//! Code highlighting and math in a built site: posts, options, comments, and the switches
//! in `[markdown]`.

use crate::common::TestSite;

const POST: &str = r#"Some code first.

```rust,linenos,linenostart=5,hl_lines=2,name=main.rs
fn main() {
    println!("hi");
}
```

```go {linenos=table,hl_lines=[1],title="main.go"}
package main
```

```brainfuck
+[<script>]
```

Inline $a^2 + b^2 = c^2$ costs $5 and $10.

An escaped \$x$ stays.

$$\sum_{i=1}^{n} i$$

```math
\frac{1}{2}
```

Broken: $\nosuch{x}$ here.
"#;

fn code_site(markdown: &str) -> TestSite {
    let site = TestSite::with_config(markdown);
    site.post("code", "Code", "2024-01-01", "", POST);
    site
}

#[test]
fn code_is_highlighted_and_math_typeset() {
    let site = code_site("[markdown]\nmath = true\n");
    let run = site.run(&["build"]).ok();
    let html = site.read("public/posts/code/index.html");
    // Zola's options: a file name, numbered lines from 5, the second one marked.
    assert!(html.contains("<figure class=\"hl-file\"><figcaption>main.rs</figcaption><pre><code class=\"language-rust\">"), "{html}");
    assert!(html.contains("<span class=\"hl-line\" data-n=\"5\"><span class=\"hl-kw\">fn</span> <span class=\"hl-fn\">main</span>()"), "{html}");
    assert!(
        html.contains(
            "<span class=\"hl-line hl-mark\" data-n=\"6\">    <span class=\"hl-fn\">println!</span>"
        ),
        "{html}"
    );
    // Hugo's.
    assert!(html.contains("<figcaption>main.go</figcaption>"), "{html}");
    assert!(html.contains("<span class=\"hl-line hl-mark\" data-n=\"1\"><span class=\"hl-kw\">package</span> main</span>"), "{html}");
    // An unknown language is escaped text.
    assert!(
        html.contains("<code class=\"language-brainfuck\">+[&lt;script&gt;]"),
        "{html}"
    );
    // Math: inline, display, a block; dollars that are not math stay.
    assert_eq!(html.matches("<math").count(), 3, "{html}");
    assert!(html.contains("costs $5 and $10.</p>"), "{html}");
    assert!(html.contains("An escaped $x$ stays."), "{html}");
    // TeX that does not parse is shown as code, with a warning naming the file's line.
    assert!(
        html.contains("<code class=\"math-error\">\\nosuch{x}</code>"),
        "{html}"
    );
    assert!(
        run.stderr
            .contains("warning: content/posts/code.md:31: math that does not parse"),
        "{}",
        run.stderr
    );
    let css = site.read("public/style.css");
    assert!(css.contains(".hl-kw { color: var(--hl-kw); }"), "{css}");
    assert!(css.contains("@media (prefers-color-scheme: dark)"), "{css}");
}

#[test]
fn highlighting_off_writes_code_as_before() {
    let site = code_site("[markdown]\nhighlight = false\n");
    let run = site.run(&["build"]).ok();
    let html = site.read("public/posts/code/index.html");
    assert!(!html.contains("hl-"), "{html}");
    assert!(html.contains("<pre><code class=\"language-rust,linenos,linenostart=5,hl_lines=2,name=main.rs\">fn main() {\n"), "{html}");
    // Math is off by default: the dollars are text and nothing warns.
    assert!(!html.contains("<math"), "{html}");
    assert!(html.contains("$a^2 + b^2 = c^2$"), "{html}");
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert!(!site.read("public/style.css").contains(".hl-"));
}

#[test]
fn highlighting_off_leaves_comments_code_plain_too() {
    let site = TestSite::with_config("[markdown]\nhighlight = false\n");
    site.post("code", "Code", "2024-01-01", "", "A post.");
    let submission = serde_json::json!({
        "id": "c1", "post": "code", "username": "Ada", "email": "a@example.org",
        "body": "```rust\nfn f() {}\n```", "timestamp": "2024-01-02T10:00:00Z",
    });
    site.write("in.jsonl", &format!("{submission}\n"));
    site.run(&["ingest", "in.jsonl"]).ok();
    site.run(&["build"]).ok();
    let html = site.read("public/posts/code/index.html");
    assert!(
        html.contains("<pre><code class=\"language-rust\">fn f() {}\n</code></pre>"),
        "{html}"
    );
    assert!(!html.contains("hl-"), "{html}");
}

#[test]
fn a_site_can_style_code_itself_or_pick_a_palette() {
    let site = code_site("[markdown]\nhighlight_theme = \"none\"\n");
    site.run(&["build"]).ok();
    assert!(
        site.read("public/posts/code/index.html")
            .contains("<span class=\"hl-kw\">fn</span>")
    );
    assert!(!site.read("public/style.css").contains(".hl-"));
    let site = code_site("[markdown]\nhighlight_theme = \"mono\"\n");
    site.run(&["build"]).ok();
    let css = site.read("public/style.css");
    assert!(
        css.contains("Code palette \"mono\"") && !css.contains("--hl-kw:"),
        "{css}"
    );
    let site = code_site("[markdown]\nhighlight_theme = \"solarised\"\n");
    let run = site.run(&["build"]).fails_with(1);
    assert!(run.stderr.contains("site.toml: [markdown] highlight_theme \"solarised\" is not a built-in palette (choose one of quill, mono"), "{}", run.stderr);
}

#[test]
fn a_visitors_hostile_code_block_stays_text() {
    let site = TestSite::new();
    site.post("code", "Code", "2024-01-01", "", "A post.");
    let body = "```rust\nfn f() {} // </span><script>alert(1)</script>\n```\n\n```html\n<span class=\"hl-kw\" onmouseover=\"x\">\"</span><img src=x onerror=alert(2)>\n```";
    let submission = serde_json::json!({
        "id": "c1", "post": "code", "username": "Mallory", "email": "m@example.org",
        "body": body, "timestamp": "2024-01-02T10:00:00Z",
    });
    site.write("in.jsonl", &format!("{submission}\n"));
    site.run(&["ingest", "in.jsonl"]).ok();
    site.run(&["build"]).ok();
    let page = scraper::Html::parse_document(&site.read("public/posts/code/index.html"));
    let comment = scraper::Selector::parse(".comment-body").unwrap();
    let comment = page.select(&comment).next().expect("the comment is shown");
    let mut spans = 0;
    for element in comment
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
        .skip(1)
    {
        let name = element.value().name();
        assert!(
            ["pre", "code", "span"].contains(&name),
            "<{name}> in {}",
            comment.html()
        );
        for (attribute, value) in element.value().attrs() {
            assert_eq!(attribute, "class", "{}", comment.html());
            assert!(
                value.starts_with("hl-") || value.starts_with("language-"),
                "{value}"
            );
        }
        spans += usize::from(name == "span");
    }
    assert!(spans > 3, "{}", comment.html());
    let text: String = comment.text().collect();
    assert!(text.contains("</span><script>alert(1)</script>"), "{text}");
    assert!(text.contains("<img src=x onerror=alert(2)>"), "{text}");
}
