//! Shortcodes, internal links, content errors reported together and the template-leak
//! warning, on posts written the way Zola, Hugo and Jekyll blogs write them.

use crate::common::TestSite;

/// The first bytes of a PNG file of the given size: all a header reader looks at.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

fn content(html: &str) -> &str {
    let start = html.find("<div class=\"content\">").expect("a content div");
    let end = html[start..]
        .find("\n  </div>")
        .map_or(html.len(), |n| start + n);
    &html[start..end]
}

fn has(html: &str, needle: &str) {
    assert!(html.contains(needle), "missing {needle:?} in:\n{html}");
}

fn lacks(html: &str, needle: &str) {
    assert!(!html.contains(needle), "unexpected {needle:?} in:\n{html}");
}

const ZOLA_POST: &str = r#"+++
title = "Tech stack"
date = 2024-05-01
+++
My desk, and `{{ figure(src="desk.png") }}` is how it is called.

{{ figure(src="desk.png", alt="A desk with two screens", caption="My desk in late 2025.") }}

{{ figure(image="posts/2024/tech-stack/desk.png", link="https://example.com/desk", caption="Linked") }}

{{ youtube(id="q_Mi5LrnIiU", title="A talk") }}

{{ youtube(id="q_Mi5LrnIiU", title="The same talk", embed=true) }}

{{ vimeo(id="76979871") }}

{{ video(src="clip.mp4", caption="A clip") }}

{{ audio(src="note.mp3", title="A voice note") }}

{{ gist(url="https://gist.github.com/octo/abc123") }}

{% notice(kind="warning", title="Careful") %}
The body is **Markdown**, with [a link](@/posts/other.md#part).
{% end %}

{% details(summary="Full config") %}
Hidden *text*.
{% end %}

{% quote(cite="Ada Lovelace", source="https://example.com/ada") %}
The engine weaves patterns.
{% end %}

{% highlight(lang="rust") %}
fn main() { println!("{{ not a call }}"); }
{% end %}

Read {{ ref(path="posts/other.md") }}, [its path]({{ relref(path="posts/other.md#part") }}) or the [other post](../../other.md).

- In a list: {{ figure(src="desk.png", alt="Desk again") }}
- {{ tip(title="Listed") }}

> {% note() %}
> Quoted *note*.
> {% end %}

```text
{{ youtube(id="not-expanded") }}
{% notice() %}
```

Written literally: {{/* figure(src="x.png") */}}
"#;

const HUGO_POST: &str = r#"---
title: Other
date: 2024-04-01
---
## Part

{{< img src="photo.png" alt="Joel" max-width="400px" caption="A “nice” photo" >}}

{{< figure src="/images/banner.png" alt="Banner" >}}

{{< youtube q_Mi5LrnIiU >}}

{{< vimeo 76979871 >}}

{{< video src="/media/clip.mp4" >}}

{{< audio "/media/note.mp3" >}}

{{< gist octo abc123 >}}

{{< x user="SanDiegoZoo" id="1453110110599868418" >}}

{{< tweet 1453110110599868419 >}}

{{< instagram CxOWiQNP2MO >}}

{{% notice tip %}}
A *Markdown* body with {{< relref "tech-stack" >}} inside.
{{% /notice %}}

{{< admonition warning "Heads up" >}}Plain body{{< /admonition >}}

{{< details "More" >}}
Extra **text**
{{< /details >}}

{{< quote "Grace Hopper" >}}It is easier to ask forgiveness.{{< /quote >}}

{{< highlight go "linenos=table" >}}
func main() { fmt.Println("{{< youtube x >}}") }
{{< /highlight >}}

Absolute: {{< ref "tech-stack" >}}.

`{{< youtube in-code >}}` stays, and so do

    {{< youtube indented >}}

```
{{< youtube q_Mi5LrnIiU >}}
{{% notice tip %}}
```

{{</* youtube escaped */>}}
"#;

fn zola_hugo_site() -> TestSite {
    let site = TestSite::with_config("");
    site.write("content/posts/2024/tech-stack/index.md", ZOLA_POST);
    std::fs::write(
        site.path("content/posts/2024/tech-stack/desk.png"),
        png(640, 480),
    )
    .unwrap();
    site.write(
        "content/posts/2024/tech-stack/clip.mp4",
        "not really a video",
    );
    site.write("content/posts/2024/tech-stack/note.mp3", "not really audio");
    site.write("content/posts/other.md", HUGO_POST);
    std::fs::create_dir_all(site.path("static/images")).unwrap();
    std::fs::write(site.path("static/images/banner.png"), png(1200, 300)).unwrap();
    site
}

#[test]
fn zola_calls_of_every_builtin() {
    let site = zola_hugo_site();
    let run = site.run(&["build"]).ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let html = site.read("public/posts/2024/tech-stack/index.html");
    let html = content(&html);
    // Code spans and code blocks keep the calls as written.
    has(html, r#"<code>{{ figure(src="desk.png") }}</code>"#);
    has(
        html,
        "{{ youtube(id=\"not-expanded\") }}\n{% notice() %}\n</code></pre>",
    );
    // figure: bundle-relative, content-relative and linked, sized from the file.
    has(
        html,
        r#"<img src="/posts/2024/tech-stack/desk.png" alt="A desk with two screens" width="640" height="480""#,
    );
    has(html, "<figcaption>My desk in late 2025.</figcaption>");
    has(
        html,
        r#"<a href="https://example.com/desk"><img src="/posts/2024/tech-stack/desk.png" alt="Linked" width="640""#,
    );
    // Videos: a link by default, a privacy-enhanced iframe when asked.
    has(
        html,
        r#"<a href="https://www.youtube.com/watch?v=q_Mi5LrnIiU">A talk</a>"#,
    );
    has(
        html,
        r#"<iframe src="https://www.youtube-nocookie.com/embed/q_Mi5LrnIiU" title="The same talk""#,
    );
    has(html, r#"<a href="https://vimeo.com/76979871">"#);
    has(
        html,
        r#"<video controls preload="metadata" src="/posts/2024/tech-stack/clip.mp4">"#,
    );
    has(
        html,
        r#"<audio controls preload="metadata" src="/posts/2024/tech-stack/note.mp3" title="A voice note">"#,
    );
    has(html, r#"<a href="https://gist.github.com/octo/abc123">"#);
    // Bodies rendered as Markdown, with their own internal links.
    has(
        html,
        r#"<div class="notice notice-warning" role="note">
<p class="notice-title">Careful</p>
<p>The body is <strong>Markdown</strong>, with <a href="/posts/other/#part">a link</a>.</p>"#,
    );
    has(
        html,
        "<summary>Full config</summary>\n<p>Hidden <em>text</em>.</p>",
    );
    has(
        html,
        r#"<blockquote cite="https://example.com/ada">
<p>The engine weaves patterns.</p>"#,
    );
    has(
        html,
        r#"<cite><a href="https://example.com/ada">Ada Lovelace</a></cite>"#,
    );
    // highlight is an ordinary fenced block, its body verbatim (and highlighted).
    has(
        html,
        r#"<pre><code class="language-rust"><span class="hl-kw">fn</span> <span class="hl-fn">main</span>() { <span class="hl-fn">println!</span>(<span class="hl-st">"{{ not a call }}"</span>); }"#,
    );
    has(
        html,
        r#"Read https://example.org/posts/other/, <a href="/posts/other/#part">its path</a> or the <a href="/posts/other/">other post</a>."#,
    );
    // In a list and a blockquote.
    has(
        html,
        r#"<li>In a list: <figure class="figure"><img src="/posts/2024/tech-stack/desk.png" alt="Desk again""#,
    );
    has(
        html,
        r#"<li><div class="notice notice-tip" role="note">
<p class="notice-title">Listed</p>"#,
    );
    has(
        html,
        "<blockquote>\n<div class=\"notice notice-note\" role=\"note\">\n<p class=\"notice-title\">Note</p>\n<p>Quoted <em>note</em>.</p>",
    );
    has(
        html,
        r#"Written literally: {{ figure(src=&quot;x.png&quot;) }}"#,
    );
    // Smart punctuation never reached a call.
    lacks(html, "“");
    lacks(html, "{{ figure(src=&quot;desk.png&quot;, alt");
}

#[test]
fn hugo_calls_of_every_builtin() {
    let site = zola_hugo_site();
    site.write("content/posts/other/photo.png", "");
    std::fs::remove_file(site.path("content/posts/other/photo.png")).unwrap();
    site.run(&["build"]).ok();
    let html = site.read("public/posts/other/index.html");
    let html = content(&html);
    has(html, r#"<img src="photo.png" alt="Joel" loading="lazy""#);
    has(html, "<figcaption>A “nice” photo</figcaption>");
    has(
        html,
        r#"<img src="/images/banner.png" alt="Banner" width="1200" height="300""#,
    );
    has(
        html,
        r#"<a href="https://www.youtube.com/watch?v=q_Mi5LrnIiU">Watch the video</a>"#,
    );
    lacks(html, "<iframe");
    has(html, r#"<a href="https://vimeo.com/76979871">"#);
    has(
        html,
        r#"<video controls preload="metadata" src="/media/clip.mp4">"#,
    );
    has(
        html,
        r#"<audio controls preload="metadata" src="/media/note.mp3">"#,
    );
    has(html, r#"<a href="https://gist.github.com/octo/abc123">"#);
    // Hugo's x (tweet) and instagram: links, no third-party script.
    has(
        html,
        r#"<a href="https://x.com/SanDiegoZoo/status/1453110110599868418">A post by @SanDiegoZoo</a>"#,
    );
    has(
        html,
        r#"<a href="https://x.com/i/status/1453110110599868419">"#,
    );
    has(
        html,
        r#"<a href="https://www.instagram.com/p/CxOWiQNP2MO/">"#,
    );
    assert!(!html.contains("<script"), "nothing embedded");
    has(
        html,
        "<p class=\"notice-title\">Tip</p>\n<p>A <em>Markdown</em> body with /posts/2024/tech-stack/ inside.</p>",
    );
    has(
        html,
        "<div class=\"notice notice-warning\" role=\"note\">\n<p class=\"notice-title\">Heads up</p>\n<p>Plain body</p>",
    );
    has(
        html,
        "<summary>More</summary>\n<p>Extra <strong>text</strong></p>",
    );
    has(
        html,
        "<p>It is easier to ask forgiveness.</p>\n</blockquote>\n<figcaption>— <cite>Grace Hopper</cite></figcaption>",
    );
    has(
        html,
        r#"<pre><code class="language-go"><span class="hl-line" data-n="1"><span class="hl-kw">func</span> <span class="hl-fn">main</span>() { fmt.<span class="hl-fn">Println</span>(<span class="hl-st">"{{&lt; youtube x &gt;}}"</span>) }</span>"#,
    );
    has(
        html,
        "Absolute: https://example.org/posts/2024/tech-stack/.",
    );
    has(html, "<code>{{&lt; youtube in-code &gt;}}</code> stays");
    has(
        html,
        "<pre><code>{{&lt; youtube indented &gt;}}\n</code></pre>",
    );
    has(
        html,
        "<pre><code>{{&lt; youtube q_Mi5LrnIiU &gt;}}\n{{% notice tip %}}\n</code></pre>",
    );
    has(html, "<p>{{&lt; youtube escaped &gt;}}</p>");
}

#[test]
fn jekyll_includes_tags_highlight_raw_and_links() {
    let site = TestSite::with_config("");
    site.write(
        "site.toml",
        "title = \"J\"\nbase_url = \"https://example.org/blog\"\n",
    );
    site.write(
        "content/posts/2021-03-04-my-trip.md",
        "---\ntitle: My trip\n---\nDay one.\n",
    );
    std::fs::create_dir_all(site.path("static/images/2019")).unwrap();
    std::fs::write(
        site.path("static/images/2019/oatmeal.jpg.png"),
        png(300, 200),
    )
    .unwrap();
    site.write(
        "content/posts/2021-04-01-oatmeal.md",
        r#"---
title: "Oatmeal & more"
layout: post
---
{% include image.html src="/images/2019/oatmeal.jpg.png" caption="Breakfast" %}

{% include_cached figure.html src="/images/2019/oatmeal.jpg.png" alt="Again" %}

{% youtube q_Mi5LrnIiU %}

{% highlight java %}
public class A { String s = "{{ x }}"; }
{% endhighlight %}

{% raw %}Liquid looks like {{ page.title }}.{% endraw %}

See [my trip]({% post_url 2021-03-04-my-trip %}), [again]({{ site.baseurl }}{% link _posts/2021-03-04-my-trip.md %}),
[home]({{ site.baseurl }}/), [about]({{ "/about/" | relative_url }}), {{ "/feed.xml" | absolute_url }},
{{ site.url }} and "{{ page.title }}".
"#,
    );
    let run = site.run(&["build"]).ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let html = site.read("public/posts/oatmeal/index.html");
    let html = content(&html);
    has(
        html,
        r#"<img src="/blog/images/2019/oatmeal.jpg.png" alt="" width="300" height="200""#,
    );
    has(html, "<figcaption>Breakfast</figcaption>");
    has(html, r#"alt="Again""#);
    has(
        html,
        r#"<a href="https://www.youtube.com/watch?v=q_Mi5LrnIiU">"#,
    );
    has(
        html,
        "<span class=\"hl-ty\">String</span> s = <span class=\"hl-st\">\"{{ x }}\"</span>; }\n</code></pre>",
    );
    has(html, "<p>Liquid looks like {{ page.title }}.</p>");
    has(
        html,
        r#"<a href="/blog/posts/my-trip/">my trip</a>, <a href="/blog/posts/my-trip/">again</a>"#,
    );
    has(
        html,
        r#"<a href="/blog/">home</a>, <a href="/blog/about/">about</a>, https://example.org/blog/feed.xml"#,
    );
    has(html, "https://example.org and “Oatmeal &amp; more”.");
}

#[test]
fn a_site_template_overrides_a_builtin_and_adds_shortcodes() {
    let site = TestSite::new();
    site.write(
        "templates/shortcodes/figure.html",
        "<img class=\"mine\" src=\"{{ src }}\" data-n=\"{{ nth }}\">",
    );
    site.write(
        "templates/shortcodes/gallery.html",
        "<div id=\"gallery-{{ nth }}\" data-page=\"{{ page.title }}\" data-site=\"{{ config.title }}\">{{ positional | join(sep=\",\") }}|{{ body }}</div>",
    );
    site.write(
        "templates/shortcodes/highlight.html",
        "<pre class=\"mine\">{{ body }}</pre>",
    );
    site.post(
        "a",
        "Album",
        "2024-01-01",
        "",
        "{{< figure src=\"/x.png\" >}}\n\n{{ figure(src=\"/y.png\") }}\n\n{{< gallery one two >}}<b>raw</b>{{< /gallery >}}\n\n{% gallery(n=1) %}second{% end %}\n\n{% highlight sh %}ls <dir>{% endhighlight %}\n",
    );
    site.run(&["build"]).ok();
    let html = site.read("public/posts/a/index.html");
    has(&html, r#"<img class="mine" src="/x.png" data-n="1">"#);
    has(&html, r#"<img class="mine" src="/y.png" data-n="2">"#);
    has(
        &html,
        r#"<div id="gallery-1" data-page="Album" data-site="Test">one,two|&lt;b&gt;raw&lt;/b&gt;</div>"#,
    );
    has(
        &html,
        r#"<div id="gallery-2" data-page="Album" data-site="Test">|second</div>"#,
    );
}

#[test]
fn every_content_error_is_reported_in_one_run_and_nothing_is_written() {
    let site = TestSite::new();
    site.post(
        "good",
        "Good",
        "2024-01-01",
        "",
        "[bad](@/posts/missing.md)",
    );
    site.post(
        "bad",
        "Bad",
        "2024-01-02",
        "",
        "Text.\n\n{{ gallery(n=1) }}\n\n{{< youtube >}}\n\nSee [x](./nowhere.md#part).\n\n> {{< tip >}}\n> x\n> {{< nope >}}\n> {{< /tip >}}\n\n{% notice() %}\nnever closed\n",
    );
    let run = site.run(&["build"]).fails_with(1);
    let err = run.stderr;
    has(&err, "6 errors in the content; nothing was written:");
    has(
        &err,
        "content/posts/bad.md:7: unknown shortcode `gallery` (add its template as templates/shortcodes/gallery.html)",
    );
    has(
        &err,
        "content/posts/bad.md:9: shortcode `youtube` needs the video's id",
    );
    has(
        &err,
        "content/posts/bad.md:11: link to `./nowhere.md#part`: there is no content/posts/nowhere.md",
    );
    has(
        &err,
        "content/posts/bad.md:15: unknown shortcode `nope` (add its template as templates/shortcodes/nope.html)",
    );
    has(
        &err,
        "content/posts/bad.md:18: `{% notice(...) %}` is not closed (end its body with `{% end %}`)",
    );
    has(
        &err,
        "content/posts/good.md:5: link to `@/posts/missing.md`: there is no content/posts/missing.md",
    );
    assert!(!site.exists("public"), "nothing may be written");
}

#[test]
fn front_matter_errors_of_many_posts_come_in_one_report() {
    let site = TestSite::new();
    for i in 0..60 {
        site.write(
            &format!("content/posts/p{i:02}.md"),
            "+++\ntitle = \"No date\"\n+++\nx\n",
        );
    }
    let err = site.run(&["build"]).fails_with(1).stderr;
    has(&err, "60 errors in the content; nothing was written:");
    has(&err, "content/posts/p00.md:2: missing date");
    has(&err, "content/posts/p49.md:2: missing date");
    lacks(&err, "content/posts/p50.md");
    has(&err, "...and 10 more");
}

#[test]
fn a_shortcode_templates_own_error_names_it_and_the_caller() {
    let site = TestSite::new();
    site.write("templates/shortcodes/boom.html", "{{ missing.field }}");
    site.post("a", "A", "2024-01-01", "", "One.\n\n{{< boom >}}\n");
    let err = site.run(&["build"]).fails_with(1).stderr;
    has(
        &err,
        "content/posts/a.md:7: shortcode `boom` failed in templates/shortcodes/boom.html",
    );
}

#[test]
fn template_syntax_shown_by_an_html_page_is_a_warning_naming_its_line() {
    let site = TestSite::new();
    site.write(
        "content/archive.html",
        "---\ntitle: Archive\n---\n<pre><code>{{ in code }}</code></pre>\n<ul>{% for post in site.posts %}<li>x</li>{% endfor %}</ul>\n",
    );
    site.write(
        "content/templating.html",
        "---\ntitle: Templating\nshortcodes: false\n---\n<p>Write {{ x }}.</p>\n",
    );
    let run = site.run(&["build"]).ok();
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    has(
        warnings[0],
        "warning: content/archive.html:5: the page's HTML still has template syntax",
    );
}

#[test]
fn template_syntax_left_in_a_page_is_a_warning_unless_the_post_says_it_is_about_templates() {
    let site = TestSite::new();
    site.post(
        "leak",
        "Leak",
        "2024-01-01",
        "",
        "Fine `{{ in code }}`.\n\n```\n{% also code %}\n```\n\nPosted {{ page.date | date: \"%Y\" }}.\n",
    );
    site.post(
        "about-templates",
        "About templates",
        "2024-01-02",
        "shortcodes = false\n",
        "Write {{ figure(src=\"a.png\") }} and {% if x %} in Zola.\n",
    );
    let run = site.run(&["build"]).ok();
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    has(
        warnings[0],
        "warning: content/posts/leak.md:11: the page's text still has template syntax",
    );
    let html = site.read("public/posts/about-templates/index.html");
    has(
        &html,
        "Write {{ figure(src=“a.png”) }} and {% if x %} in Zola.",
    );
}

#[test]
fn a_link_follows_its_target_in_an_incremental_build() {
    let site = TestSite::new();
    site.post("target", "Target", "2024-01-01", "", "Here.");
    site.post(
        "linker",
        "Linker",
        "2024-01-02",
        "",
        "See [it](@/posts/target.md).",
    );
    site.post("plain", "Plain", "2024-01-03", "", "Nothing to link.");
    site.run(&["build"]).ok();
    has(
        &site.read("public/posts/linker/index.html"),
        r#"<a href="/posts/target/">it</a>"#,
    );
    site.post(
        "target",
        "Target",
        "2024-01-01",
        "slug = \"moved\"\n",
        "Here.",
    );
    let run = site.run(&["build"]).ok();
    has(
        &site.read("public/posts/linker/index.html"),
        r#"<a href="/posts/moved/">it</a>"#,
    );
    assert!(run.stdout.contains("files changed"), "{}", run.stdout);
    std::fs::remove_file(site.path("content/posts/target.md")).unwrap();
    let err = site.run(&["build"]).fails_with(1).stderr;
    has(
        &err,
        "content/posts/linker.md:5: link to `@/posts/target.md`",
    );
}

/// The sample blog's tour (which the browser test checks with the Nu checker and axe) calls
/// every built-in, each in Zola's or Hugo's syntax, and builds without a warning.
#[test]
fn the_sample_tour_calls_every_builtin() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tour =
        std::fs::read_to_string(repo.join("content/posts/a-tour-of-shortcodes/index.md")).unwrap();
    for name in quill::shortcodes::builtin_names().chain(["highlight", "ref", "relref"]) {
        let zola = [format!("{{{{ {name}("), format!("{{% {name}(")];
        let hugo = [format!("{{{{< {name} "), format!("{{{{% {name} ")];
        assert!(
            zola.iter()
                .chain(&hugo)
                .any(|call| tour.contains(call.as_str())),
            "the tour does not call {name}"
        );
    }
    assert!(tour.contains("{{ figure(") && tour.contains("{{< figure "));
    assert!(tour.contains("{% notice(") && tour.contains("{{% warning %}}"));
    let site = TestSite::empty();
    site.write(
        "site.toml",
        &std::fs::read_to_string(repo.join("site.toml")).unwrap(),
    );
    for entry in walkdir::WalkDir::new(repo.join("content"))
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            let to = site.path(&entry.path().strip_prefix(repo).unwrap().to_string_lossy());
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    let run = site.run(&["build"]).ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let html = site.read("public/posts/a-tour-of-shortcodes/index.html");
    has(&html, r#"width="480" height="270""#);
    has(&html, r#"<a href="/posts/a-tour-of-shortcodes/dusk.png">"#);
}

/// `quill serve` says the same warnings as `quill build`, so a leak is not silent while
/// previewing either.
#[test]
fn serve_warns_about_template_syntax_left_in_a_page() {
    use std::io::BufRead;
    let site = TestSite::new();
    site.post(
        "leak",
        "Leak",
        "2024-01-01",
        "",
        "Posted {{ page.date | date }}.",
    );
    let mut child = site
        .command()
        .args(["serve", "--port", "0", "--output-dir", "preview"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start quill serve");
    let stderr = child.stderr.take().unwrap();
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    // A bound on waiting, so a server that never warns fails the test instead of hanging it.
    let line = receive.recv_timeout(std::time::Duration::from_secs(60));
    let _ = child.kill();
    let _ = child.wait();
    let line = line.expect("serve printed nothing on standard error");
    has(
        &line,
        "warning: content/posts/leak.md:5: the page's text still has template syntax",
    );
}

/// A figure's size comes from its file, so an incremental build notices a new picture of
/// another size beside the post.
#[test]
fn a_figure_follows_its_picture_in_an_incremental_build() {
    let site = TestSite::new();
    site.write(
        "content/posts/trip/index.md",
        "+++\ntitle = \"Trip\"\ndate = 2024-01-01\n+++\n{{ figure(src=\"p.png\", alt=\"P\") }}\n",
    );
    std::fs::write(site.path("content/posts/trip/p.png"), png(10, 20)).unwrap();
    site.run(&["build"]).ok();
    has(
        &site.read("public/posts/trip/index.html"),
        r#"width="10" height="20""#,
    );
    std::fs::write(site.path("content/posts/trip/p.png"), png(300, 200)).unwrap();
    site.run(&["build"]).ok();
    has(
        &site.read("public/posts/trip/index.html"),
        r#"width="300" height="200""#,
    );
}
