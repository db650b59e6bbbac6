//! Tera setup: the default theme compiled into the binary (from the repository's `templates/`,
//! one source of truth), overridden file by file by a site's own `templates/`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, Result, anyhow};
use tera::Tera;
use walkdir::WalkDir;

/// The folder of a site's own templates.
pub(crate) const TEMPLATES_DIR: &str = "templates";

/// The default theme, embedded at compile time.
pub(crate) const BUILTIN: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("post.html", include_str!("../templates/post.html")),
    ("page.html", include_str!("../templates/page.html")),
    ("tags.html", include_str!("../templates/tags.html")),
    ("tag.html", include_str!("../templates/tag.html")),
    ("section.html", include_str!("../templates/section.html")),
    ("taxonomy.html", include_str!("../templates/taxonomy.html")),
    ("term.html", include_str!("../templates/term.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("alias.html", include_str!("../templates/alias.html")),
    ("atom.xml", include_str!("../templates/atom.xml")),
    ("comments.xml", include_str!("../templates/comments.xml")),
    (
        "comments_page.html",
        include_str!("../templates/comments_page.html"),
    ),
    ("sitemap.xml", include_str!("../templates/sitemap.xml")),
    ("robots.txt", include_str!("../templates/robots.txt")),
    ("style.css", include_str!("../templates/style.css")),
    (
        "partials/comments.html",
        include_str!("../templates/partials/comments.html"),
    ),
    (
        "partials/comment_pages.html",
        include_str!("../templates/partials/comment_pages.html"),
    ),
    (
        "partials/mentions.html",
        include_str!("../templates/partials/mentions.html"),
    ),
    (
        "partials/pagination.html",
        include_str!("../templates/partials/pagination.html"),
    ),
    (
        "partials/post_list.html",
        include_str!("../templates/partials/post_list.html"),
    ),
    (
        "shortcodes/figure.html",
        include_str!("../templates/shortcodes/figure.html"),
    ),
    (
        "shortcodes/youtube.html",
        include_str!("../templates/shortcodes/youtube.html"),
    ),
    (
        "shortcodes/vimeo.html",
        include_str!("../templates/shortcodes/vimeo.html"),
    ),
    (
        "shortcodes/video.html",
        include_str!("../templates/shortcodes/video.html"),
    ),
    (
        "shortcodes/audio.html",
        include_str!("../templates/shortcodes/audio.html"),
    ),
    (
        "shortcodes/gist.html",
        include_str!("../templates/shortcodes/gist.html"),
    ),
    (
        "shortcodes/x.html",
        include_str!("../templates/shortcodes/x.html"),
    ),
    (
        "shortcodes/instagram.html",
        include_str!("../templates/shortcodes/instagram.html"),
    ),
    (
        "shortcodes/param.html",
        include_str!("../templates/shortcodes/param.html"),
    ),
    (
        "shortcodes/toc.html",
        include_str!("../templates/shortcodes/toc.html"),
    ),
    (
        "shortcodes/notice.html",
        include_str!("../templates/shortcodes/notice.html"),
    ),
    (
        "shortcodes/details.html",
        include_str!("../templates/shortcodes/details.html"),
    ),
    (
        "shortcodes/quote.html",
        include_str!("../templates/shortcodes/quote.html"),
    ),
];

/// Template sources by name: the built-in theme with the site's files laid over it.
pub(crate) fn sources(root: &Path) -> Result<BTreeMap<String, String>> {
    let mut sources: BTreeMap<String, String> = BUILTIN
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    let dir = root.join(TEMPLATES_DIR);
    if dir.is_dir() {
        for entry in WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.with_context(|| format!("failed to walk {}", dir.display()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let name = entry
                .path()
                .strip_prefix(&dir)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(entry.path())
                .with_context(|| format!("failed to read {TEMPLATES_DIR}/{name}"))?;
            sources.insert(name, text);
        }
    }
    Ok(sources)
}

/// Whether the template `name` among `sources` is quill's own, not replaced by the site.
pub(crate) fn is_builtin(sources: &BTreeMap<String, String>, name: &str) -> bool {
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .is_some_and(|(_, text)| sources.get(name).is_some_and(|s| s == text))
}

/// Compiles the templates once for the whole build.
pub(crate) fn compile(sources: &BTreeMap<String, String>) -> Result<Tera> {
    let mut tera = Tera::new();
    tera.autoescape_on([".html", ".htm", ".xml"]);
    // Markdown to HTML for shortcode bodies; HTML already made (a body quill rendered) is
    // passed through as it is.
    tera.register_filter(
        "markdown",
        |text: tera::StringInput, _: tera::Kwargs, _: &tera::State| {
            if text.is_safe() {
                text.into_value()
            } else {
                // Without the site's `[markdown]`: code highlighted, math left alone.
                let config = crate::config::MarkdownConfig::default();
                tera::Value::safe_string(&crate::markdown::render(text.as_str(), &config).html)
            }
        },
    );
    tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .map_err(|e| anyhow!("template error in {TEMPLATES_DIR}/: {}", describe(&e)))?;
    Ok(tera)
}

/// A Tera error as one readable block: which template, which line, what went wrong.
pub(crate) fn describe(err: &tera::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(&format!("\n{cause}"));
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_theme_compiles() {
        let sources = BUILTIN
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        compile(&sources).unwrap();
    }

    #[test]
    fn builtin_list_matches_the_templates_folder() {
        let on_disk: Vec<String> = WalkDir::new(TEMPLATES_DIR)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(TEMPLATES_DIR)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        let mut on_disk = on_disk;
        on_disk.sort();
        let mut builtin: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
        builtin.sort();
        assert_eq!(
            on_disk, builtin,
            "every file in templates/ must be embedded"
        );
    }

    #[test]
    fn the_markdown_filter_renders_text_and_passes_html_through() {
        let mut sources = BTreeMap::new();
        sources.insert("t.html".to_string(), "{{ text | markdown }}".to_string());
        let tera = compile(&sources).unwrap();
        let render = |value: tera::Value| {
            let mut context = tera::Context::new();
            context.insert_value("text", value);
            tera.render("t.html", &context).unwrap()
        };
        assert_eq!(render("*x* <b>".into()), "<p><em>x</em> <b></p>\n");
        assert_eq!(
            render(tera::Value::safe_string("<p>made</p>\n")),
            "<p>made</p>\n"
        );
    }

    #[test]
    fn syntax_errors_name_the_template_and_line() {
        let mut sources = BTreeMap::new();
        sources.insert("post.html".to_string(), "line one\n{% if %}\n".to_string());
        let err = compile(&sources).unwrap_err().to_string();
        assert!(err.contains("post.html"), "{err}");
        assert!(err.contains('2'), "{err}");
    }
}
