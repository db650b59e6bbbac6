//! Translations: with `[languages.es]`, `x.es.md` and `index.es.md` are the Spanish versions
//! of their pages, under `/es/`, linked to each other, with a home page and feed of their own.

use crate::common::TestSite;

fn translated_site() -> TestSite {
    let site = TestSite::with_config(
        "[languages.es]\ntitle = \"Prueba\"\ndescription = \"Un blog de prueba\"\n",
    );
    site.post("trip", "The trip", "2024-01-01", "", "We went.");
    site.write(
        "content/posts/trip.es.md",
        "+++\ntitle = \"El viaje\"\ndate = 2024-01-01\n+++\nFuimos.\n",
    );
    site.write(
        "content/posts/lake/index.md",
        "+++\ntitle = \"Lake\"\ndate = 2024-02-01\n+++\n![](lake.svg)\n",
    );
    site.write(
        "content/posts/lake/index.es.md",
        "+++\ntitle = \"Lago\"\ndate = 2024-02-01\n+++\n![](lake.svg)\n",
    );
    site.write("content/posts/lake/lake.svg", "<svg/>");
    site.write("content/about.md", "+++\ntitle = \"About\"\n+++\nMe.\n");
    // A Zola site's home page in each language.
    site.write("content/_index.md", "+++\n+++\n");
    site.write("content/_index.es.md", "+++\n+++\n");
    site.write("content/blog/_index.md", "+++\ntitle = \"Blog\"\n+++\n");
    site.write(
        "content/blog/_index.es.md",
        "+++\ntitle = \"Bitácora\"\n+++\n",
    );
    site.write(
        "content/blog/hola.es.md",
        "+++\ntitle = \"Hola\"\ndate = 2024-03-01\n+++\nHola.\n",
    );
    site.write(
        "content/blog/hello.md",
        "+++\ntitle = \"Hello\"\ndate = 2024-03-01\n+++\nHello.\n",
    );
    site.write(
        "content/about.es.md",
        "+++\ntitle = \"Sobre mí\"\n+++\nYo.\n",
    );
    site
}

#[test]
fn translations_are_published_under_their_language_and_linked() {
    let site = translated_site();
    site.run(&["build"]).ok();
    let es = site.read("public/es/posts/trip/index.html");
    assert!(es.contains("<html lang=\"es\">"), "{es}");
    assert!(es.contains("<title>El viaje · Prueba</title>"), "{es}");
    assert!(es.contains("Fuimos."));
    for page in [&es, &site.read("public/posts/trip/index.html")] {
        assert!(
            page.contains("<link rel=\"alternate\" hreflang=\"es\" href=\"https://example.org/es/posts/trip/\">"),
            "{page}"
        );
        assert!(
            page.contains(
                "<link rel=\"alternate\" hreflang=\"en\" href=\"https://example.org/posts/trip/\">"
            ),
            "{page}"
        );
    }
    assert!(
        es.contains("<a href=\"/posts/trip/\" hreflang=\"en\" lang=\"en\">en</a>"),
        "the language switcher: {es}"
    );
    assert!(
        site.read("public/es/posts/lake/index.html")
            .contains("Lago")
    );
    assert_eq!(site.read("public/es/posts/lake/lake.svg"), "<svg/>");
    assert!(site.read("public/es/about/index.html").contains("Yo."));
    let blog = site.read("public/blog/index.html");
    assert!(
        blog.contains("href=\"/blog/hello/\"") && !blog.contains("hola"),
        "{blog}"
    );
    let es_blog = site.read("public/es/blog/index.html");
    assert!(es_blog.contains("<h1>Bitácora</h1>"), "{es_blog}");
    assert!(
        es_blog.contains("href=\"/es/blog/hola/\"") && !es_blog.contains("/blog/hello/"),
        "{es_blog}"
    );

    let home = site.read("public/index.html");
    assert!(home.contains("href=\"/posts/trip/\"") && !home.contains("/es/posts/trip/"));
    let es_home = site.read("public/es/index.html");
    assert!(es_home.contains("<html lang=\"es\">"), "{es_home}");
    assert!(
        es_home.contains("href=\"/es/posts/trip/\"")
            && es_home.contains("href=\"/es/posts/lake/\"")
    );
    assert!(!es_home.contains("href=\"/posts/trip/\""), "{es_home}");
    let es_feed = site.read("public/es/atom.xml");
    assert!(es_feed.contains("<title>Prueba</title>"), "{es_feed}");
    assert!(
        es_feed.contains("https://example.org/es/posts/trip/"),
        "{es_feed}"
    );
    assert!(!site.read("public/atom.xml").contains("/es/posts/"));
    assert!(
        site.read("public/sitemap.xml")
            .contains("<loc>https://example.org/es/posts/trip/</loc>")
    );
}

#[test]
fn a_translation_into_an_unlisted_language_is_one_warning() {
    let site = translated_site();
    site.write(
        "content/posts/trip.fr.md",
        "+++\ntitle = \"Le voyage\"\ndate = 2024-01-01\n+++\nNous.\n",
    );
    site.write("content/about.de.md", "+++\ntitle = \"Über\"\n+++\nIch.\n");
    let run = site.run(&["build"]).ok();
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains("left out 2 translations")
            && warnings[0].contains("content/about.de.md")
            && warnings[0].contains("content/posts/trip.fr.md"),
        "{}",
        warnings[0]
    );
    assert!(!site.exists("public/fr/posts/trip/index.html"));
    assert!(
        !site
            .read("public/posts/trip/index.html")
            .contains("hreflang=\"fr\""),
        "no link to a version that is not published"
    );
}

#[test]
fn a_site_without_languages_keeps_dotted_names() {
    let site = TestSite::new();
    site.post("notes.v1.2", "Notes", "2024-01-01", "", "Versioned.");
    site.run(&["build"]).ok();
    assert!(site.exists("public/posts/notes-v1-2/index.html"));
}
