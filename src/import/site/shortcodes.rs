//! The site's own shortcodes and includes, as its content calls them: each one quill does not
//! have becomes `templates/shortcodes/NAME.html`. A Zola shortcode is Tera already and is
//! carried over when Tera 2 compiles it; anything else (Hugo's Go templates, Jekyll's Liquid
//! includes, a source that cannot be found) becomes a placeholder that shows the call's
//! arguments and body plainly and keeps the original in a comment, to be ported by hand.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Generator;

/// A shortcode the content calls that quill does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Used {
    /// Its name.
    pub name: String,
    /// How many pages call it.
    pub pages: usize,
    /// The first page that calls it, relative to the new site.
    pub first_page: PathBuf,
}

/// What a used shortcode became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ported {
    /// The source's own template, carried over as it is.
    Translated {
        /// Where it came from.
        from: PathBuf,
    },
    /// A placeholder to port by hand.
    Placeholder {
        /// The original, when one was found.
        from: Option<PathBuf>,
    },
}

/// The shortcodes that the given content bodies call, by name, with the number of pages
/// calling each.
pub(super) fn used(pages: &[(PathBuf, String)]) -> Vec<Used> {
    let mut found: BTreeMap<String, Used> = BTreeMap::new();
    for (page, text) in pages {
        let body = without_front_matter(text);
        let code = crate::markdown::code_ranges(body, &crate::config::MarkdownConfig::default());
        let (items, _) = crate::shortcodes::scan::scan(body, &code);
        let mut names: Vec<String> = items
            .into_iter()
            .filter_map(|item| match item.found {
                crate::shortcodes::scan::Found::Call(call) => Some(call.name),
                _ => None,
            })
            .collect();
        names.sort();
        names.dedup();
        for name in names {
            found
                .entry(name.clone())
                .or_insert_with(|| Used {
                    name,
                    pages: 0,
                    first_page: page.clone(),
                })
                .pages += 1;
        }
    }
    found.into_values().collect()
}

fn without_front_matter(text: &str) -> &str {
    for fence in ["---", "+++"] {
        if let Some(rest) = text.strip_prefix(fence)
            && let Some(end) = rest.find(&format!("\n{fence}"))
        {
            let after = &rest[end + 1 + fence.len()..];
            return after.strip_prefix('\n').unwrap_or(after);
        }
    }
    text
}

/// Where the source keeps the template of a shortcode or include.
pub(super) fn source_of(
    generator: Generator,
    source: &Path,
    theme: Option<&str>,
    name: &str,
) -> Option<PathBuf> {
    let (own, in_theme): (&[&str], &str) = match generator {
        Generator::Zola => (&["templates/shortcodes"], "templates/shortcodes"),
        Generator::Hugo => (
            &["layouts/shortcodes", "layouts/_shortcodes"],
            "layouts/shortcodes",
        ),
        Generator::Jekyll => (&["_includes"], "_includes"),
    };
    let mut dirs: Vec<PathBuf> = own.iter().map(|d| source.join(d)).collect();
    if let Some(theme) = theme {
        dirs.push(source.join("themes").join(theme).join(in_theme));
    }
    let names = [
        format!("{name}.html"),
        format!("{name}.md"),
        name.to_string(),
    ];
    dirs.iter()
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// The template quill gets for `name`, and what it is.
pub(super) fn port(
    generator: Generator,
    name: &str,
    original: Option<(&Path, &str)>,
) -> (String, Ported) {
    if generator == Generator::Zola
        && let Some((from, text)) = original
        && compiles(name, text)
    {
        return (
            text.to_string(),
            Ported::Translated {
                from: from.to_path_buf(),
            },
        );
    }
    let (from, source) = match original {
        Some((from, text)) => (Some(from.to_path_buf()), Some(text)),
        None => (None, None),
    };
    (
        placeholder(generator, name, from.as_deref(), source),
        Ported::Placeholder { from },
    )
}

/// Whether Tera 2 compiles a template, with the filters quill gives shortcodes.
fn compiles(name: &str, text: &str) -> bool {
    let sources = BTreeMap::from([(format!("shortcodes/{name}.html"), text.to_string())]);
    crate::templates::compile(&sources).is_ok()
}

/// A template that shows a call plainly: its name, its arguments and its body. A Hugo inline
/// shortcode (`name.inline`, gohugo.io/content-management/shortcodes/#inline) is its own
/// template, Go code written in the page: its placeholder shows nothing, as showing the body
/// would put that code in front of readers.
fn placeholder(
    generator: Generator,
    name: &str,
    from: Option<&Path>,
    original: Option<&str>,
) -> String {
    let origin = match from {
        Some(path) => format!("{}'s {}", generator.name(), path.display()),
        None => format!(
            "{} (no template of it was found in the site)",
            generator.name()
        ),
    };
    if generator == Generator::Hugo && name.ends_with(".inline") {
        return format!(
            "{{#- Written by `quill import` for Hugo's inline shortcode \"{name}\": its body in the page is a\n    Go template, which quill cannot run, so nothing is shown where it was called. Port what\n    it did into this file by hand (its body is the template).\n-#}}\n"
        );
    }
    let mut out = format!(
        "{{#- Written by `quill import` as a placeholder for the shortcode \"{name}\" of {origin}.\n    quill cannot run it: port it to Tera by hand. Until then the page shows the call's\n    arguments and body as they are."
    );
    if let Some(original) = original {
        // A Tera comment ends at the first `#}`: the original must not close it early.
        out.push_str("\n\n    The original:\n\n");
        out.push_str(&original.replace("#}", "# }"));
    }
    out.push_str("\n-#}\n");
    out.push_str(&format!(
        "<div class=\"shortcode-placeholder\" data-shortcode=\"{name}\">\n<p><code>{name}</code>\n{{%- for value in positional %}} <code>{{{{ value }}}}</code>{{% endfor %}}\n{{%- for key, value in args %}} <code>{{{{ key }}}}={{{{ value }}}}</code>{{% endfor %}}</p>\n{{%- if body %}}\n{{{{ body | markdown }}}}\n{{%- endif %}}\n</div>\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hugo_inline_shortcode_shows_nothing_of_its_go_template() {
        let (template, ported) = port(Generator::Hugo, "css.inline", None);
        assert!(matches!(ported, Ported::Placeholder { .. }));
        assert!(compiles("css.inline", &template), "{template}");
        let sources = BTreeMap::from([("shortcodes/x.html".to_string(), template)]);
        let tera = crate::templates::compile(&sources).unwrap();
        let out = tera
            .render("shortcodes/x.html", &tera::Context::new())
            .unwrap();
        assert_eq!(out.trim(), "", "nothing shown");
    }

    #[test]
    fn calls_of_the_sites_own_shortcodes_are_counted_once_a_page() {
        let pages = vec![
            (
                PathBuf::from("content/a.md"),
                "+++\ntitle = \"A\"\n+++\n{{ chart(id=1) }} {{ chart(id=2) }}\n\n`{{ not_a_call() }}`\n{{ youtube(id=\"x\") }}\n".to_string(),
            ),
            (
                PathBuf::from("content/b.md"),
                "---\ntitle: B\n---\n{{< chart 3 >}}\n{% include newsletter.html %}\n".to_string(),
            ),
        ];
        let used = used(&pages);
        let summary: Vec<(&str, usize)> = used.iter().map(|u| (u.name.as_str(), u.pages)).collect();
        assert_eq!(summary, [("chart", 2), ("newsletter", 1), ("youtube", 1)]);
    }

    #[test]
    fn a_zola_shortcode_is_carried_over_and_others_are_placeholders() {
        let zola = "<figure class=\"chart\">{{ id }}</figure>";
        let (text, ported) = port(
            Generator::Zola,
            "chart",
            Some((Path::new("templates/shortcodes/chart.html"), zola)),
        );
        assert_eq!(text, zola);
        assert!(matches!(ported, Ported::Translated { .. }));
        let hugo = "{{ $id := .Get 0 }}<div>{{ $id }}</div>{{/* a #} comment */}}";
        let (text, ported) = port(
            Generator::Hugo,
            "chart",
            Some((Path::new("layouts/shortcodes/chart.html"), hugo)),
        );
        assert!(matches!(ported, Ported::Placeholder { .. }));
        assert!(
            text.contains("{{ $id := .Get 0 }}"),
            "the original is kept: {text}"
        );
        let sources = BTreeMap::from([("p.html".to_string(), text.clone())]);
        let tera = crate::templates::compile(&sources).expect("the placeholder compiles");
        let mut context = tera::Context::new();
        context.insert("positional", &vec!["three"]);
        context.insert("args", &serde_json::json!({"kind": "bar"}));
        context.insert("body", &Option::<String>::None);
        let html = tera.render("p.html", &context).unwrap();
        assert!(
            html.contains("<code>three</code>") && html.contains("<code>kind=bar</code>"),
            "{html}"
        );
        assert!(
            !html.contains("$id"),
            "the original stays in the comment: {html}"
        );
    }
}
