//! `quill import jekyll|hugo|zola SOURCE DEST`: a whole blog moved into a new quill site.
//!
//! The steps, in order: read the source's configuration into `site.toml`; copy its posts,
//! pages, sections, collections and static files with their front matter as written; give each
//! shortcode or include its content calls a template (carried over, or a placeholder); import
//! its Staticman comments, threaded, into the new site's database. SOURCE is only read. DEST
//! must not exist or be empty, and is removed again when the import fails.

mod config;
mod files;
mod jekyll;
mod liquid;
mod shortcodes;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Serialize;

use files::Kind;
pub use shortcodes::Ported;

/// The generators a site can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    /// Jekyll (`_config.yml`, `_posts/`).
    Jekyll,
    /// Hugo (`hugo.toml`, `content/`, `layouts/`).
    Hugo,
    /// Zola (`config.toml`, `content/`, `templates/`).
    Zola,
}

impl Generator {
    /// Its name, as people write it.
    pub fn name(self) -> &'static str {
        match self {
            Generator::Jekyll => "Jekyll",
            Generator::Hugo => "Hugo",
            Generator::Zola => "Zola",
        }
    }
}

/// How to import a site.
#[derive(Debug, Clone)]
pub struct SiteImportOptions {
    /// What made the source.
    pub generator: Generator,
    /// The old site's folder.
    pub source: PathBuf,
    /// The new site's folder.
    pub dest: PathBuf,
}

/// Something that needs the author's hand, with where and what to do.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ToDo {
    /// The file it concerns (in SOURCE or DEST).
    pub file: String,
    /// What to do.
    pub what: String,
}

/// What an import carried over and what is left to do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SiteImportReport {
    /// Files written, by kind (posts, drafts, pages, static files, shortcodes).
    pub carried: BTreeMap<String, usize>,
    /// Shortcodes the content calls, by name: what each became and how many pages call it.
    pub shortcodes: Vec<ShortcodeReport>,
    /// The comments imported from Staticman data, when the site has some.
    pub comments: Option<crate::import::ImportReport>,
    /// What needs a hand.
    pub to_do: Vec<ToDo>,
}

/// One shortcode the content calls.
#[derive(Debug, Clone, Serialize)]
pub struct ShortcodeReport {
    /// Its name.
    pub name: String,
    /// How many pages call it.
    pub pages: usize,
    /// `translated` or `placeholder`.
    pub became: &'static str,
}

impl SiteImportReport {
    /// Counts `n` more of a kind of thing carried over.
    fn count(&mut self, kind: &str, n: usize) {
        *self.carried.entry(kind.to_string()).or_default() += n;
    }

    /// 0 when nothing needs a hand, 2 when something does.
    pub fn exit_code(&self) -> u8 {
        let rejected = self
            .comments
            .as_ref()
            .is_some_and(|c| c.ingest.rejected > 0);
        if self.to_do.is_empty() && !rejected {
            0
        } else {
            2
        }
    }
}

/// Imports the site; on failure DEST is removed again (when this run made it).
pub fn run(options: &SiteImportOptions) -> Result<SiteImportReport> {
    let dest = &options.dest;
    let existed = dest.exists();
    if existed {
        let empty = std::fs::read_dir(dest)
            .with_context(|| format!("failed to read {}", dest.display()))?
            .next()
            .is_none();
        if !empty {
            bail!(
                "{} is not empty; give a new folder for the imported site (nothing was changed)",
                dest.display()
            );
        }
    }
    let result = import(options);
    if result.is_err() {
        let _ = if existed {
            clear(dest)
        } else {
            std::fs::remove_dir_all(dest)
        };
    }
    result
}

fn clear(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

fn import(options: &SiteImportOptions) -> Result<SiteImportReport> {
    let (generator, source, dest) = (options.generator, &options.source, &options.dest);
    if !source.is_dir() {
        bail!(
            "{} is not a folder; give the old site's folder",
            source.display()
        );
    }
    let settings = config::read(generator, source)?;
    let mut report = SiteImportReport::default();
    std::fs::create_dir_all(dest)
        .with_context(|| format!("failed to create {}", dest.display()))?;
    write(
        dest,
        "site.toml",
        config::site_toml(&settings, generator).as_bytes(),
    )?;
    for note in &settings.left_out {
        report.to_do.push(ToDo {
            file: settings.file.display().to_string(),
            what: format!("not carried over: {note}"),
        });
    }
    let planned = files::plan(generator, source, &settings)?;
    if !planned.iter().any(|p| p.kind != Kind::Static) {
        bail!(
            "{} has no posts or pages where a {} site keeps them; is it a {} site?",
            source.display(),
            generator.name(),
            generator.name()
        );
    }
    let mut pages = Vec::new();
    for file in &planned {
        let label = match file.kind {
            Kind::Post => "posts",
            Kind::Draft => "drafts",
            Kind::Content => "pages and sections",
            Kind::Static => "static files",
        };
        report.count(label, 1);
        if file.kind == Kind::Static {
            copy(&file.from, &dest.join(&file.to))?;
            if generator == Generator::Jekyll && files::has_front_matter(&file.from) {
                report.to_do.push(ToDo {
                    file: file.from.display().to_string(),
                    what: format!(
                        "Jekyll ran it through Liquid{} before publishing it; it is copied as written to {}: make the file it became by hand",
                        if file.from.extension().is_some_and(|e| e == "scss" || e == "sass") {
                            " and Sass"
                        } else {
                            ""
                        },
                        file.to.display()
                    ),
                });
            }
            continue;
        }
        let bytes = std::fs::read(&file.from)
            .with_context(|| format!("failed to read {}", file.from.display()))?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                report.to_do.push(ToDo {
                    file: file.from.display().to_string(),
                    what: "is not UTF-8: it was read as Latin-1 (ISO 8859-1) and written as UTF-8; check its accented letters and quotes".into(),
                });
                // Every byte is a Latin-1 character, so nothing is lost.
                e.into_bytes().iter().map(|&b| char::from(b)).collect()
            }
        };
        let text = files::with_front_edits(&text, &file.front);
        let text = if file.kind == Kind::Draft {
            files::mark_draft(&text, &files::modified_day(&file.from))
        } else {
            text
        };
        let text = match files::with_title(&text, &file.to) {
            Some(titled) => {
                report.count("titles made from file names", 1);
                titled
            }
            None => text,
        };
        let text = match generator {
            Generator::Jekyll => {
                let text = match liquid::open_markdown_blocks(&text) {
                    Some(opened) => {
                        report.count("kramdown markdown=1 blocks opened", 1);
                        opened
                    }
                    None => text,
                };
                without_jekyll_only_liquid(text, file, &settings, &mut report)
            }
            _ => text,
        };
        if let Err(e) = crate::content::front_matter::split(&text)
            .and_then(|split| crate::content::front_matter::parse_section(&split))
        {
            // Kept as written; the build would stop at it, so the report says so first.
            report.to_do.push(ToDo {
                file: format!("{}:{e:#}", file.from.display()),
                what: "its front matter does not read: fix it before `quill build`".into(),
            });
        }
        write(dest, &file.to, text.as_bytes())?;
        pages.push((file.to.clone(), text));
    }
    for name in settings.collections.keys() {
        // A collection is a section of its own, listed like one.
        let index = Path::new("content").join(name).join("_index.md");
        if !dest.join(&index).exists() {
            write(
                dest,
                &index,
                format!("+++\ntitle = \"{}\"\n+++\n", title_case(name)).as_bytes(),
            )?;
        }
    }
    if generator == Generator::Hugo {
        let made = hugo_sections(dest, &pages)?;
        if made > 0 {
            report.count("section pages Hugo made for top-level folders", made);
        }
    }
    stand_in_templates(dest, &pages, &mut report)?;
    port_shortcodes(
        generator,
        source,
        dest,
        settings.theme.as_deref(),
        &pages,
        &mut report,
    )?;
    report.comments = import_comments(source, dest)?;
    if let Some(comments) = &report.comments {
        for unmatched in &comments.unmatched {
            report.to_do.push(ToDo {
                file: "comments".into(),
                what: format!(
                    "{} comments on {} match no post: add the old URL to that post's aliases, then `quill import staticman` again",
                    unmatched.comments, unmatched.url
                ),
            });
        }
    }
    Ok(report)
}

/// A Jekyll page made of Liquid only Jekyll runs (an archive, a tag index) gets a body that
/// links to quill's listings; a post with such Liquid is kept as written. The report names
/// both, by file and line.
fn without_jekyll_only_liquid(
    text: String,
    file: &files::Planned,
    settings: &config::Settings,
    report: &mut SiteImportReport,
) -> String {
    let html = file.from.extension().is_some_and(|e| e == "html");
    let Some(leftover) = liquid::first_leftover(&text, html) else {
        return text;
    };
    let at = format!("{}:{}", file.from.display(), leftover.line);
    if file.kind == Kind::Content {
        let base_path = url::Url::parse(&settings.base_url)
            .map(|u| u.path().to_string())
            .unwrap_or_default();
        report.to_do.push(ToDo {
            file: at,
            what: format!(
                "`{}` is Liquid that only Jekyll runs: the page keeps its URL and now links to quill's listings (the home page, /tags/); make it a Tera template by hand if you want it back",
                leftover.snippet
            ),
        });
        report.count("Liquid pages replaced by links", 1);
        return liquid::replaced_body(&text, &file.to, &base_path);
    }
    report.to_do.push(ToDo {
        file: at,
        what: format!(
            "`{}` is Liquid that quill does not run, so visitors would see it: write that part as Markdown or a shortcode",
            leftover.snippet
        ),
    });
    text
}

/// Hugo lists every top-level folder of `content/` as a section, `_index.md` or not
/// (gohugo.io/content-management/sections); quill lists folders that have one, so each such
/// folder gets an `_index.md` titled with its name. A folder with an `index.md` is a page.
fn hugo_sections(dest: &Path, pages: &[(PathBuf, String)]) -> Result<usize> {
    let mut folders: BTreeMap<String, bool> = BTreeMap::new();
    for (page, _) in pages {
        let mut parts = page.strip_prefix("content").unwrap_or(page).components();
        let (Some(first), Some(second)) = (parts.next(), parts.next()) else {
            continue;
        };
        let folder = first.as_os_str().to_string_lossy().into_owned();
        let name = second.as_os_str().to_string_lossy();
        let single = parts.next().is_none();
        let is_index = single && (name.starts_with("_index.") || name.starts_with("index."));
        *folders.entry(folder).or_insert(false) |= is_index;
    }
    let mut made = 0;
    for (folder, has_index) in folders {
        if has_index {
            continue;
        }
        let title = serde_json::Value::String(title_case(&folder)).to_string();
        let index = Path::new("content").join(&folder).join("_index.md");
        write(
            dest,
            &index,
            format!("---\ntitle: {title}\n---\n").as_bytes(),
        )?;
        made += 1;
    }
    Ok(made)
}

/// A section that names a template of the old theme (`template = "docs.html"`) gets a stand-in
/// that looks like quill's own section page, so it builds; the report says to restyle it.
fn stand_in_templates(
    dest: &Path,
    pages: &[(PathBuf, String)],
    report: &mut SiteImportReport,
) -> Result<()> {
    let known = crate::templates::sources(dest)?;
    let mut named: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (page, text) in pages {
        if page.file_name().is_some_and(|n| n == "_index.md")
            && let Some(template) = front_matter_string(text, "template")
        {
            named.entry(template).or_insert_with(|| page.clone());
        }
    }
    for (template, first) in named {
        if known.contains_key(&template) || template.contains("..") {
            continue;
        }
        let to = Path::new("templates").join(&template);
        write(dest, &to, b"{% extends \"section.html\" %}\n")?;
        report.to_do.push(ToDo {
            file: to.display().to_string(),
            what: format!(
                "{} (and maybe other sections) names the old theme's template {template}: a stand-in like quill's section page was written; restyle it by hand",
                first.display()
            ),
        });
    }
    Ok(())
}

/// A top-level string field of a page's front matter (`key = "v"` or `key: v`).
fn front_matter_string(text: &str, key: &str) -> Option<String> {
    let fence = ["+++", "---"].into_iter().find(|f| text.starts_with(f))?;
    let front = text[3..].split(&format!("\n{fence}")).next()?;
    front.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.trim_start();
        let value = rest
            .strip_prefix('=')
            .or_else(|| rest.strip_prefix(':'))?
            .trim();
        let value = value.trim_matches(|c| c == '"' || c == '\'');
        (!value.is_empty()).then(|| value.to_string())
    })
}

fn port_shortcodes(
    generator: Generator,
    source: &Path,
    dest: &Path,
    theme: Option<&str>,
    pages: &[(PathBuf, String)],
    report: &mut SiteImportReport,
) -> Result<()> {
    for used in shortcodes::used(pages) {
        let original = shortcodes::source_of(generator, source, theme, &used.name);
        // The site's own template wins, as it did there; without one, quill's built-in of the
        // name (if any) answers the call.
        if original.is_none() && crate::shortcodes::is_builtin(&used.name) {
            continue;
        }
        let text = match &original {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .with_context(|| format!("failed to read {}", path.display()))?,
            ),
            None => None,
        };
        let relative = original
            .as_ref()
            .map(|p| p.strip_prefix(source).unwrap_or(p).to_path_buf());
        let (template, ported) = shortcodes::port(
            generator,
            &used.name,
            relative.as_deref().zip(text.as_deref()),
        );
        let to = Path::new("templates/shortcodes").join(format!("{}.html", used.name));
        write(dest, &to, template.as_bytes())?;
        report.count("shortcodes", 1);
        let became = match ported {
            Ported::Translated { .. } => "translated",
            Ported::Placeholder { .. } => {
                report.to_do.push(ToDo {
                    file: to.display().to_string(),
                    what: format!(
                        "a placeholder for the shortcode \"{}\", called by {} pages (first {}): port {} to Tera by hand",
                        used.name,
                        used.pages,
                        used.first_page.display(),
                        relative.map_or_else(|| "it".to_string(), |p| p.display().to_string())
                    ),
                });
                "placeholder"
            }
        };
        report.shortcodes.push(ShortcodeReport {
            name: used.name,
            pages: used.pages,
            became,
        });
    }
    Ok(())
}

/// Staticman's data, when the site has some, imported into the new site's database.
fn import_comments(source: &Path, dest: &Path) -> Result<Option<crate::import::ImportReport>> {
    let Some(data) = ["_data/comments", "data/comments"]
        .iter()
        .map(|d| source.join(d))
        .find(|d| d.is_dir())
    else {
        return Ok(None);
    };
    let options = crate::import::ImportOptions {
        root: dest.to_path_buf(),
        source: crate::import::CommentSystem::Staticman,
        path: data,
        dry_run: false,
        strict: false,
        // The rejects go into the new site, never beside the source, which is only read.
        rejects: Some(dest.join("comments.rejects.jsonl")),
        with_pingbacks: false,
        waiting: |_| {},
    };
    crate::import::run(&options).map(Some)
}

fn write(dest: &Path, relative: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let path = dest.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("failed to create {}", parent.display()))?;
    }
    std::fs::write(&path, bytes).with_context(|| format!("failed to write {}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("failed to create {}", parent.display()))?;
    }
    std::fs::copy(from, to)
        .with_context(|| format!("failed to copy {} to {}", from.display(), to.display()))?;
    Ok(())
}

fn title_case(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
