//! The highlighter on a sample of each language: the token that makes it recognisable.

use super::*;

fn highlighted(lang: &str, code: &str) -> String {
    let mut out = String::new();
    assert!(highlight_into(lang, code, &mut out), "{lang} is not known");
    out
}

fn span(class: &str, text: &str) -> String {
    format!("<span class=\"hl-{class}\">{text}</span>")
}

/// Each language of the issue, with a line of typical code and a token it must mark.
const SAMPLES: &[(&str, &str, &str, &str)] = &[
    ("rust", "fn main() { let x: u32 = 5; }", "kw", "fn"),
    (
        "python",
        "def f(x):\n    return \"hi\"  # done",
        "co",
        "# done",
    ),
    ("javascript", "const s = `a ${b}`;", "st", "`a ${b}`"),
    (
        "typescript",
        "interface Point { x: number }",
        "ty",
        "number",
    ),
    ("go", "func main() { fmt.Println(\"hi\") }", "kw", "func"),
    (
        "c",
        "#include &lt;stdio.h&gt;\nint main(void) { return 0; }",
        "ty",
        "int",
    ),
    (
        "cpp",
        "template <typename T> class Box {};",
        "kw",
        "template",
    ),
    (
        "java",
        "@Override public String toString() { return null; }",
        "me",
        "@Override",
    ),
    ("kotlin", "fun main() { val x = 1 }", "kw", "val"),
    ("swift", "guard let x = y else { return }", "kw", "guard"),
    ("ruby", "def greet(name) = puts :hello", "li", ":hello"),
    ("php", "<?php $name = 'x'; echo $name;", "va", "$name"),
    (
        "csharp",
        "public async Task<int> Run() => await Go();",
        "kw",
        "async",
    ),
    (
        "haskell",
        "main :: IO ()\nmain = putStrLn \"hi\" -- greet",
        "co",
        "-- greet",
    ),
    (
        "elixir",
        "defmodule Hello do\n  def hi, do: :world\nend",
        "kw",
        "defmodule",
    ),
    ("bash", "for f in *.md; do echo $f; done", "va", "$f"),
    ("sh", "export PATH=\"$HOME/bin:$PATH\"", "kw", "export"),
    (
        "console",
        "$ cargo build --release\n   Compiling quill",
        "pr",
        "$",
    ),
    (
        "powershell",
        "Get-ChildItem -Path $env:HOME | Where-Object { $_.Length -gt 1 }",
        "fn",
        "Get-ChildItem",
    ),
    (
        "sql",
        "SELECT name FROM posts WHERE id = 1;",
        "kw",
        "SELECT",
    ),
    ("html", "<a href=\"/x\">link &amp; more</a>", "ta", "a"),
    (
        "css",
        "a:hover { color: #0b5cad; margin: 0 1rem; }",
        "at",
        "color",
    ),
    (
        "scss",
        "$accent: #333;\n.nav { a { color: $accent; } }",
        "va",
        "$accent",
    ),
    (
        "json",
        "{\"name\": \"quill\", \"stars\": 5, \"ok\": true}",
        "at",
        "\"name\"",
    ),
    (
        "yaml",
        "title: Hello\ntags: [a, b]\ndraft: false # soon",
        "at",
        "title",
    ),
    (
        "toml",
        "[package]\nname = \"quill\"\nedition = 2024",
        "ta",
        "[package]",
    ),
    (
        "xml",
        "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"/>",
        "ta",
        "feed",
    ),
    (
        "markdown",
        "# Title\n\nSome *emphasis* and `code`.",
        "he",
        "# Title",
    ),
    (
        "dockerfile",
        "FROM rust:1.89 AS build\nRUN cargo build",
        "kw",
        "FROM",
    ),
    (
        "makefile",
        "build: src/main.rs\n\tcargo build $(FLAGS)",
        "fn",
        "build",
    ),
    (
        "nix",
        "{ pkgs ? import <nixpkgs> {} }: pkgs.mkShell { buildInputs = [ pkgs.cargo ]; }",
        "kw",
        "import",
    ),
    ("lua", "local function f(x) return x end", "kw", "local"),
    (
        "diff",
        "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new",
        "in",
        "+new",
    ),
];

#[test]
fn every_language_marks_its_tokens() {
    for (lang, code, class, text) in SAMPLES {
        // The samples are written as HTML would show them; the scanner sees the source.
        let source = code.replace("&lt;", "<").replace("&gt;", ">");
        let html = highlighted(lang, &source);
        assert!(
            html.contains(&span(class, text)),
            "{lang}: no {class} {text:?} in {html}"
        );
    }
}

#[test]
fn aliases_name_the_same_languages() {
    for (alias, lang) in [
        ("rs", "rust"),
        ("py", "python"),
        ("js", "javascript"),
        ("ts", "typescript"),
        ("yml", "yaml"),
        ("shell", "bash"),
        ("zsh", "bash"),
        ("golang", "go"),
        ("c++", "cpp"),
        ("cs", "csharp"),
        ("Rust", "rust"),
    ] {
        let code = "let x = 1 // y";
        assert_eq!(highlighted(alias, code), highlighted(lang, code), "{alias}");
    }
}

#[test]
fn unknown_and_missing_languages_are_plain_escaped_text() {
    let code = "<script>alert(1)</script> & fn";
    for lang in ["", "brainfuck", "rust\"onclick"] {
        let mut out = String::new();
        code_block(&CodeInfo::parse(lang), code, &mut out);
        assert!(!out.contains("<span"), "{out}");
        assert!(
            out.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; fn"),
            "{out}"
        );
        assert!(!out.contains("\"onclick"), "{out}");
    }
}

#[test]
fn code_is_escaped_inside_tokens() {
    let html = highlighted("rust", "let s = \"</span><script>\"; // <b>");
    assert!(
        html.contains(&span("st", "\"&lt;/span&gt;&lt;script&gt;\"")),
        "{html}"
    );
    assert!(html.contains(&span("co", "// &lt;b&gt;")), "{html}");
    assert!(!html.contains("<script") && !html.contains("<b>"), "{html}");
}

#[test]
fn tokens_never_cross_a_line_end() {
    let html = highlighted("rust", "/* one\ntwo */ let s = \"a\nb\";\n");
    for line in html.lines() {
        assert_eq!(
            line.matches("<span").count(),
            line.matches("</span>").count(),
            "{line}"
        );
    }
    assert!(html.contains(&span("co", "two */")), "{html}");
}

#[test]
fn tricky_tokens() {
    let rust = highlighted(
        "rust",
        "fn f<'a>(x: &'a str) -> char { println!(\"{}\", 'x'); r#\"raw\"# }",
    );
    assert!(rust.contains(&span("va", "'a")), "{rust}");
    assert!(rust.contains(&span("st", "'x'")), "{rust}");
    assert!(rust.contains(&span("fn", "println!")), "{rust}");
    assert!(rust.contains(&span("st", "r#\"raw\"#")), "{rust}");
    let py = highlighted("python", "x = f\"{y}\" + '''doc\nstring'''");
    assert!(py.contains(&span("st", "f\"{y}\"")), "{py}");
    assert!(py.contains(&span("st", "string'''")), "{py}");
    let sh = highlighted("bash", "echo a#b # comment ${HOME}");
    assert!(!sh.contains(&span("co", "#b # comment ${HOME}")), "{sh}");
    assert!(sh.contains(&span("co", "# comment ${HOME}")), "{sh}");
    let html = highlighted(
        "html",
        "<script>let x = 1;</script><style>p { color: red }</style>",
    );
    assert!(
        html.contains(&span("kw", "let")) && html.contains(&span("at", "color")),
        "{html}"
    );
    let console = highlighted(
        "console",
        "user@host:~/src$ ls -la\nfile.txt\n# apt install x",
    );
    assert!(
        console.contains(&span("pr", "user@host:~/src$")),
        "{console}"
    );
    assert!(!console.contains("file.txt</span>"), "{console}");
    assert!(console.contains(&span("pr", "#")), "{console}");
}

#[test]
fn line_numbers_and_marks_wrap_each_line() {
    let mut out = String::new();
    let info = CodeInfo::parse("rust,linenos,linenostart=7,hl_lines=2,name=main.rs");
    code_block(&info, "let a = 1;\nlet b = 2;\n", &mut out);
    assert!(out.starts_with("<figure class=\"hl-file\"><figcaption>main.rs</figcaption><pre><code class=\"language-rust\">"), "{out}");
    assert!(out.contains("<span class=\"hl-line\" data-n=\"7\"><span class=\"hl-kw\">let</span> a = <span class=\"hl-nu\">1</span>;</span>\n"), "{out}");
    assert!(
        out.contains("<span class=\"hl-line hl-mark\" data-n=\"8\">"),
        "{out}"
    );
    assert!(!out.contains("data-n=\"9\""), "{out}");
    // The numbers are not text of the page, so selecting the code does not copy them.
    assert!(!out.contains(">7<"), "{out}");
}

#[test]
fn classes_are_the_allow_list() {
    for class in CLASSES {
        assert!(is_token_class(class));
    }
    assert!(!is_token_class("hl-kw hl-st"));
    assert!(!is_token_class("evil"));
}

/// The text of highlighted HTML: what a reader sees, which must be the code itself.
fn text_of(html: &str) -> String {
    let mut text = html.replace("</span>", "");
    for class in CLASSES {
        text = text.replace(&format!("<span class=\"{class}\">"), "");
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Whatever the code, in whatever language: no panic, every character kept, in order, and
/// no markup but quill's spans.
#[test]
fn any_input_round_trips_in_every_language() {
    let odd = [
        "",
        "\n",
        "\"",
        "'",
        "`",
        "\\",
        "$",
        "${",
        "$(",
        "@",
        ":",
        "#",
        "#[",
        "#![",
        "r#",
        "r#\"x",
        "b'",
        "'a",
        "'\\",
        "\"\"\"",
        "'''",
        "<",
        "</",
        "</ >",
        "<a",
        "<a b='",
        "<!--",
        "<![CDATA[",
        "&",
        "&amp",
        "/*",
        "{-",
        "--[[",
        "=begin",
        "<#",
        "''",
        "[[",
        "- ",
        "key:",
        "a = [",
        "[table",
        "\t$(X",
        "```",
        "**",
        "*a",
        "]( ",
        "@@",
        "+",
        "-",
        "PS ",
        "$ ",
        "1e+",
        "0x",
        "é—🙂 'ü' \"ß\" `∑` #ö\n$ü ${é} @ñ :ç 9é",
        "\\é",
        "'\\é'",
        "\"\\🙂\"",
        "<é ö='ü'>&é;</é>",
        "x\r\ny\rz\u{0}\u{7f}",
        "<script>let a = '</script>",
        "<style>p{a:'</style>",
    ];
    let corpus = include_str!("../../tests/corpora/xss-payloads.txt");
    let inputs: Vec<String> = odd
        .iter()
        .map(|s| s.to_string())
        .chain(SAMPLES.iter().map(|(_, code, _, _)| code.to_string()))
        .chain(corpus.lines().take(400).map(str::to_string))
        .collect();
    let all: String = inputs.join("\n");
    for lang in languages::LANGUAGES {
        let name = lang.names[0];
        for input in inputs.iter().chain([&all]) {
            let html = highlighted(name, input);
            assert_eq!(text_of(&html), *input, "{name}: {input:?} gave {html}");
            let stripped = CLASSES
                .iter()
                .fold(html.replace("</span>", ""), |h, class| {
                    h.replace(&format!("<span class=\"{class}\">"), "")
                });
            assert!(
                !stripped.contains('<') && !stripped.contains('>'),
                "{name}: {html}"
            );
        }
    }
}
