//! The languages quill highlights: for each, its names and aliases and the table that guides
//! the scanner (comments, strings, keywords and a few flags for what sets it apart).
//!
//! Word lists are sorted (a unit test checks) so that a lookup is a binary search.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

/// How a language is scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Comments, strings, numbers and words.
    Code,
    /// Tags, attributes and entities (HTML, XML).
    Markup,
    /// Selectors, properties and values (CSS, SCSS).
    Css,
    /// Keys and values, line by line.
    Yaml,
    /// Tables, keys and values, line by line.
    Toml,
    /// Headings, lists, emphasis and code.
    Markdown,
    /// Added, removed and context lines.
    Diff,
    /// Prompts with commands, and their output.
    Console,
    /// Targets, variables and recipes.
    Make,
}

/// A kind of string literal.
#[derive(Debug)]
pub(super) struct Quote {
    pub open: &'static str,
    pub close: &'static str,
    /// The byte that escapes the next one, or 0.
    pub escape: u8,
    pub multiline: bool,
}

/// The scanner's table for one language.
#[derive(Debug)]
pub(super) struct Lang {
    /// The name first, then its aliases; all lowercase.
    pub names: &'static [&'static str],
    pub mode: Mode,
    pub line_comments: &'static [&'static str],
    pub block_comments: &'static [(&'static str, &'static str)],
    /// Tried in order: the longer openings first.
    pub strings: &'static [Quote],
    pub keywords: &'static [&'static str],
    pub types: &'static [&'static str],
    pub literals: &'static [&'static str],
    pub flags: u32,
    /// Bytes a word may contain besides letters, digits and `_`.
    pub ident_extra: &'static [u8],
}

/// What sets a language's scanning apart.
pub(super) mod flags {
    /// Capitalized words are types.
    pub(crate) const CAPS_TYPES: u32 = 1;
    /// A word before `(` is a function.
    pub(crate) const CALLS: u32 = 1 << 1;
    /// `$name` and `${…}` are variables.
    pub(crate) const DOLLAR_VARS: u32 = 1 << 2;
    /// `@name` is an annotation or decorator.
    pub(crate) const AT_META: u32 = 1 << 3;
    /// `@name` is a variable.
    pub(crate) const AT_VARS: u32 = 1 << 4;
    /// `:name` is a symbol.
    pub(crate) const SYMBOLS: u32 = 1 << 5;
    /// `#` at a line's start begins a preprocessor line.
    pub(crate) const PREPROCESSOR: u32 = 1 << 6;
    /// Lifetimes, raw strings, attributes and macros.
    pub(crate) const RUST: u32 = 1 << 7;
    /// Keywords match whatever their case.
    pub(crate) const CASELESS: u32 = 1 << 8;
    /// A string before `:` is a key.
    pub(crate) const JSON_KEYS: u32 = 1 << 9;
    /// `-Name` is a parameter and `Verb-Noun` a command.
    pub(crate) const DASH_PARAMS: u32 = 1 << 10;
    /// `#` starts a comment only at the start of a word.
    pub(crate) const SHELL: u32 = 1 << 11;
    /// `r"…"`, `b'…'`, `f"…"` are strings.
    pub(crate) const STRING_PREFIXES: u32 = 1 << 12;
    /// `$(NAME)` is one variable.
    pub(crate) const MAKE_VARS: u32 = 1 << 13;
    /// Numbers may be dates and times (`1979-05-27T07:32:00Z`).
    pub(crate) const DATES: u32 = 1 << 14;
    /// Script and style elements hold code.
    pub(crate) const HTML: u32 = 1 << 15;
}

const fn quote(open: &'static str, close: &'static str, escape: u8, multiline: bool) -> Quote {
    Quote {
        open,
        close,
        escape,
        multiline,
    }
}

const DQ: Quote = quote("\"", "\"", b'\\', true);
const SQ: Quote = quote("'", "'", b'\\', false);
const SQ_RAW: Quote = quote("'", "'", 0, true);
const SQ_SQL: Quote = quote("'", "'", 0, true);
const DQ_PS: Quote = quote("\"", "\"", b'`', true);
const TDQ: Quote = quote("\"\"\"", "\"\"\"", b'\\', true);
const TSQ: Quote = quote("'''", "'''", b'\\', true);
const TSQ_RAW: Quote = quote("'''", "'''", 0, true);
const BT: Quote = quote("`", "`", b'\\', true);
const BT_RAW: Quote = quote("`", "`", 0, true);
const VERBATIM: Quote = quote("@\"", "\"", 0, true);
const INTERP: Quote = quote("$\"", "\"", b'\\', false);
const NIX_ML: Quote = quote("''", "''", 0, true);
const LUA_LONG: Quote = quote("[[", "]]", 0, true);

const BASE: Lang = Lang {
    names: &[],
    mode: Mode::Code,
    line_comments: &[],
    block_comments: &[],
    strings: &[],
    keywords: &[],
    types: &[],
    literals: &[],
    flags: 0,
    ident_extra: &[],
};

/// Every language, in the order the README lists them. (Kept unformatted: one word list a
/// line reads better than one word a line.)
#[rustfmt::skip]
pub(super) static LANGUAGES: &[Lang] = &[
    Lang {
        names: &["rust", "rs"],
        line_comments: &["//"],
        block_comments: &[("/*", "*/")],
        strings: &[DQ, SQ],
        keywords: &["Self", "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "type", "union", "unsafe", "use", "where", "while", "yield"],
        types: &["Box", "Option", "Result", "String", "Vec", "bool", "char", "f32", "f64", "i128", "i16", "i32", "i64", "i8", "isize", "str", "u128", "u16", "u32", "u64", "u8", "usize"],
        literals: &["Err", "None", "Ok", "Some", "false", "true"],
        flags: flags::RUST | flags::CALLS | flags::CAPS_TYPES,
        ..BASE
    },
    Lang {
        names: &["python", "py", "py3", "python3", "pyi"],
        line_comments: &["#"],
        strings: &[TDQ, TSQ, DQ, SQ],
        keywords: &["and", "as", "assert", "async", "await", "break", "case", "class", "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "match", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield"],
        types: &["bool", "bytes", "dict", "float", "int", "list", "object", "set", "str", "tuple", "type"],
        literals: &["False", "None", "True", "cls", "self"],
        flags: flags::STRING_PREFIXES | flags::AT_META | flags::CALLS | flags::CAPS_TYPES,
        ..BASE
    },
    Lang {
        names: &["javascript", "js", "jsx", "mjs", "cjs", "node"],
        line_comments: &["//"],
        block_comments: &[("/*", "*/")],
        strings: &[BT, DQ, SQ],
        keywords: &["async", "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "export", "extends", "finally", "for", "from", "function", "get", "if", "import", "in", "instanceof", "let", "new", "of", "return", "set", "static", "super", "switch", "this", "throw", "try", "typeof", "var", "void", "while", "with", "yield"],
        literals: &["Infinity", "NaN", "false", "null", "true", "undefined"],
        flags: flags::CALLS | flags::CAPS_TYPES,
        ident_extra: b"$",
        ..BASE
    },
    Lang {
        names: &["typescript", "ts", "tsx", "mts", "cts"],
        line_comments: &["//"],
        block_comments: &[("/*", "*/")],
        strings: &[BT, DQ, SQ],
        keywords: &["abstract", "as", "asserts", "async", "await", "break", "case", "catch", "class", "const", "continue", "debugger", "declare", "default", "delete", "do", "else", "enum", "export", "extends", "finally", "for", "from", "function", "get", "if", "implements", "import", "in", "infer", "instanceof", "interface", "is", "keyof", "let", "namespace", "new", "of", "override", "private", "protected", "public", "readonly", "return", "satisfies", "set", "static", "super", "switch", "this", "throw", "try", "type", "typeof", "var", "void", "while", "with", "yield"],
        types: &["any", "bigint", "boolean", "never", "number", "object", "string", "symbol", "unknown", "void"],
        literals: &["false", "null", "true", "undefined"],
        flags: flags::AT_META | flags::CALLS | flags::CAPS_TYPES,
        ident_extra: b"$",
        ..BASE
    },
    Lang {
        names: &["go", "golang"],
        line_comments: &["//"],
        block_comments: &[("/*", "*/")],
        strings: &[BT_RAW, DQ, SQ],
        keywords: &["break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select", "struct", "switch", "type", "var"],
        types: &["any", "bool", "byte", "complex128", "complex64", "error", "float32", "float64", "int", "int16", "int32", "int64", "int8", "rune", "string", "uint", "uint16", "uint32", "uint64", "uint8", "uintptr"],
        literals: &["false", "iota", "nil", "true"],
        flags: flags::CALLS | flags::CAPS_TYPES,
        ..BASE
    },
    Lang {
        names: &["c", "h"],
        line_comments: &["//"],
        block_comments: &[("/*", "*/")],
        strings: &[DQ, SQ],
        keywords: &["auto", "break", "case", "const", "continue", "default", "do", "else", "enum", "extern", "for", "goto", "if", "inline", "register", "restrict", "return", "sizeof", "static", "struct", "switch", "typedef", "union", "volatile", "while"],
        types: &["FILE", "bool", "char", "double", "float", "int", "int16_t", "int32_t", "int64_t", "int8_t", "long", "short", "signed", "size_t", "uint16_t", "uint32_t", "uint64_t", "uint8_t", "unsigned", "void"],
        literals: &["NULL", "false", "true"],
        flags: flags::PREPROCESSOR | flags::CALLS,
        ..BASE
    },
    Lang {
        names: &["cpp", "c++", "cc", "cxx", "hpp", "hxx", "hh"],
        line_comments: &["//"],
        block_comments: &[("/*", "*/")],
        strings: &[DQ, SQ],
        keywords: &["alignas", "alignof", "auto", "break", "case", "catch", "class", "co_await", "co_return", "co_yield", "concept", "const", "const_cast", "consteval", "constexpr", "constinit", "continue", "decltype", "default", "delete", "do", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "final", "for", "friend", "goto", "if", "inline", "mutable", "namespace", "new", "noexcept", "operator", "override", "private", "protected", "public", "register", "reinterpret_cast", "requires", "restrict", "return", "sizeof", "static", "static_assert", "static_cast", "struct", "switch", "template", "this", "throw", "try", "typedef", "typename", "union", "using", "virtual", "volatile", "while"],
        types: &["FILE", "auto", "bool", "char", "char16_t", "char32_t", "char8_t", "double", "float", "int", "int16_t", "int32_t", "int64_t", "int8_t", "long", "map", "short", "signed", "size_t", "string", "uint16_t", "uint32_t", "uint64_t", "uint8_t", "unsigned", "vector", "void", "wchar_t"],
        literals: &["NULL", "false", "nullptr", "true"],
        flags: flags::PREPROCESSOR | flags::CALLS | flags::CAPS_TYPES,
        ..BASE
    },
    Lang {
        names: &["java"],
        line_comments: &["//"],
        block_comments: &[("/*", "*/")],
        strings: &[TDQ, DQ, SQ],
        keywords: &["abstract", "assert", "break", "case", "catch", "class", "const", "continue", "default", "do", "else", "enum", "extends", "final", "finally", "for", "goto", "if", "implements", "import", "instanceof", "interface", "native", "new", "package", "permits", "private", "protected", "public", "record", "return", "sealed", "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try", "var", "void", "volatile", "while", "yield"],
        types: &["Object", "String", "boolean", "byte", "char", "double", "float", "int", "long", "short"],
        literals: &["false", "null", "true"],
        flags: flags::AT_META | flags::CALLS | flags::CAPS_TYPES,
        ..BASE
    },
    Lang {
        names: &["kotlin", "kt", "kts"],
        line_comments: &["//"],
        block_comments: &[("/*", "*/")],
        strings: &[TDQ, DQ, SQ],
        keywords: &["abstract", "annotation", "as", "break", "by", "catch", "class", "companion", "const", "constructor", "continue", "crossinline", "data", "do", "else", "enum", "external", "final", "finally", "for", "fun", "get", "if", "import", "in", "infix", "init", "inline", "inner", "interface", "internal", "is", "lateinit", "noinline", "object", "open", "operator", "out", "override", "package", "private", "protected", "public", "reified", "return", "sealed", "set", "super", "suspend", "tailrec", "this", "throw", "try", "typealias", "val", "value", "var", "vararg", "when", "where", "while"],
        types: &["Any", "Boolean", "Byte", "Char", "Double", "Float", "Int", "Long", "Nothing", "Short", "String", "Unit"],
        literals: &["false", "null", "true"],
        flags: flags::AT_META | flags::CALLS | flags::CAPS_TYPES,
        ..BASE
    },
    Lang {
        names: &["swift"],
        line_comments: &["//"],
        block_comments: &[("/*", "*/")],
        strings: &[TDQ, DQ],
        keywords: &["Self", "actor", "any", "as", "associatedtype", "async", "await", "break", "case", "catch", "class", "continue", "default", "defer", "deinit", "do", "else", "enum", "extension", "fallthrough", "fileprivate", "for", "func", "guard", "if", "import", "in", "init", "inout", "internal", "is", "let", "mutating", "nonmutating", "open", "operator", "private", "protocol", "public", "repeat", "rethrows", "return", "self", "some", "static", "struct", "subscript", "super", "switch", "throw", "throws", "try", "typealias", "var", "where", "while"],
        types: &["Array", "Bool", "Character", "Dictionary", "Double", "Float", "Int", "Optional", "String", "Void"],
        literals: &["false", "nil", "true"],
        flags: flags::AT_META | flags::CALLS | flags::CAPS_TYPES,
        ..BASE
    },
    Lang {
        names: &["ruby", "rb", "gemfile", "rake"],
        line_comments: &["#"],
        block_comments: &[("=begin", "=end")],
        strings: &[DQ, SQ, BT],
        keywords: &["alias", "and", "attr_accessor", "attr_reader", "attr_writer", "begin", "break", "case", "class", "def", "defined?", "do", "else", "elsif", "end", "ensure", "for", "if", "in", "module", "next", "not", "or", "private", "protected", "public", "puts", "redo", "require", "require_relative", "rescue", "retry", "return", "self", "super", "then", "undef", "unless", "until", "when", "while", "yield"],
        literals: &["false", "nil", "true"],
        flags: flags::AT_VARS | flags::SYMBOLS | flags::CAPS_TYPES | flags::DOLLAR_VARS,
        ident_extra: b"?!",
        ..BASE
    },
    Lang {
        names: &["php"],
        line_comments: &["//", "#"],
        block_comments: &[("/*", "*/")],
        strings: &[DQ, SQ],
        keywords: &["abstract", "and", "array", "as", "break", "callable", "case", "catch", "class", "clone", "const", "continue", "declare", "default", "do", "echo", "else", "elseif", "empty", "enddeclare", "endfor", "endforeach", "endif", "endswitch", "endwhile", "enum", "extends", "final", "finally", "fn", "for", "foreach", "function", "global", "goto", "if", "implements", "include", "include_once", "instanceof", "insteadof", "interface", "isset", "list", "match", "namespace", "new", "or", "print", "private", "protected", "public", "readonly", "require", "require_once", "return", "static", "switch", "throw", "trait", "try", "unset", "use", "var", "while", "xor", "yield"],
        types: &["bool", "float", "int", "iterable", "mixed", "never", "object", "parent", "self", "string", "void"],
        literals: &["false", "null", "true"],
        flags: flags::DOLLAR_VARS | flags::CASELESS | flags::CALLS | flags::CAPS_TYPES,
        ..BASE
    },
    Lang {
        names: &["csharp", "cs", "c#", "dotnet"],
        line_comments: &["//"],
        block_comments: &[("/*", "*/")],
        strings: &[VERBATIM, INTERP, TDQ, DQ, SQ],
        keywords: &["abstract", "as", "async", "await", "base", "break", "case", "catch", "checked", "class", "const", "continue", "default", "delegate", "do", "else", "enum", "event", "explicit", "extern", "finally", "fixed", "for", "foreach", "get", "goto", "if", "implicit", "in", "init", "interface", "internal", "is", "lock", "namespace", "new", "operator", "out", "override", "params", "private", "protected", "public", "readonly", "record", "ref", "return", "sealed", "set", "sizeof", "stackalloc", "static", "struct", "switch", "this", "throw", "try", "typeof", "unchecked", "unsafe", "using", "var", "virtual", "volatile", "when", "where", "while", "yield"],
        types: &["bool", "byte", "char", "decimal", "double", "dynamic", "float", "int", "long", "object", "sbyte", "short", "string", "uint", "ulong", "ushort", "void"],
        literals: &["false", "null", "true"],
        flags: flags::PREPROCESSOR | flags::CALLS | flags::CAPS_TYPES,
        ..BASE
    },
    Lang {
        names: &["haskell", "hs"],
        line_comments: &["--"],
        block_comments: &[("{-", "-}")],
        strings: &[DQ, SQ],
        keywords: &["case", "class", "data", "default", "deriving", "do", "else", "family", "forall", "foreign", "if", "import", "in", "infix", "infixl", "infixr", "instance", "let", "module", "newtype", "of", "qualified", "then", "type", "where"],
        literals: &["False", "Just", "Nothing", "True"],
        flags: flags::CAPS_TYPES,
        ident_extra: b"'",
        ..BASE
    },
    Lang {
        names: &["elixir", "ex", "exs"],
        line_comments: &["#"],
        strings: &[TDQ, DQ, SQ],
        keywords: &["after", "alias", "and", "case", "catch", "cond", "def", "defexception", "defimpl", "defmacro", "defmacrop", "defmodule", "defp", "defprotocol", "defstruct", "do", "else", "end", "fn", "for", "if", "import", "in", "not", "or", "quote", "raise", "receive", "require", "rescue", "try", "unless", "unquote", "use", "when", "with"],
        literals: &["false", "nil", "true"],
        flags: flags::AT_META | flags::SYMBOLS | flags::CAPS_TYPES | flags::CALLS,
        ident_extra: b"?!",
        ..BASE
    },
    Lang {
        names: &["bash", "sh", "shell", "zsh", "ksh"],
        line_comments: &["#"],
        strings: &[DQ, SQ_RAW],
        keywords: &["alias", "break", "case", "cd", "continue", "declare", "do", "done", "echo", "elif", "else", "esac", "eval", "exec", "exit", "export", "fi", "for", "function", "if", "in", "local", "readonly", "return", "select", "set", "shift", "source", "test", "then", "time", "trap", "typeset", "unset", "until", "while"],
        literals: &["false", "true"],
        flags: flags::SHELL | flags::DOLLAR_VARS,
        ident_extra: b"-",
        ..BASE
    },
    Lang {
        names: &["console", "shell-session", "shellsession", "terminal"],
        mode: Mode::Console,
        ..BASE
    },
    Lang {
        names: &["powershell", "ps1", "pwsh", "posh", "psm1"],
        line_comments: &["#"],
        block_comments: &[("<#", "#>")],
        strings: &[DQ_PS, SQ_RAW],
        keywords: &["-and", "-eq", "-ge", "-gt", "-le", "-like", "-lt", "-match", "-ne", "-not", "-notlike", "-notmatch", "-or", "begin", "break", "catch", "class", "continue", "data", "define", "do", "dynamicparam", "else", "elseif", "end", "enum", "exit", "filter", "finally", "for", "foreach", "from", "function", "if", "in", "param", "process", "return", "switch", "throw", "trap", "try", "until", "using", "var", "while", "workflow"],
        literals: &["$false", "$null", "$true"],
        flags: flags::DOLLAR_VARS | flags::CASELESS | flags::DASH_PARAMS,
        ident_extra: b"-",
        ..BASE
    },
    Lang {
        names: &["sql", "psql", "mysql", "postgresql", "postgres", "sqlite", "plsql", "tsql"],
        line_comments: &["--"],
        block_comments: &[("/*", "*/")],
        strings: &[SQ_SQL, DQ],
        keywords: &["add", "all", "alter", "and", "as", "asc", "begin", "between", "by", "case", "check", "column", "commit", "constraint", "create", "cross", "database", "default", "delete", "desc", "distinct", "drop", "else", "end", "exists", "foreign", "from", "full", "group", "having", "if", "in", "index", "inner", "insert", "into", "is", "join", "key", "left", "like", "limit", "not", "null", "offset", "on", "or", "order", "outer", "primary", "references", "returning", "right", "rollback", "select", "set", "table", "then", "transaction", "union", "unique", "update", "using", "values", "view", "when", "where", "with"],
        types: &["bigint", "blob", "boolean", "char", "date", "decimal", "float", "int", "integer", "json", "jsonb", "numeric", "real", "serial", "smallint", "text", "timestamp", "timestamptz", "uuid", "varchar"],
        literals: &["false", "true"],
        flags: flags::CASELESS | flags::CALLS,
        ..BASE
    },
    Lang {
        names: &["html", "htm", "xhtml"],
        mode: Mode::Markup,
        flags: flags::HTML,
        ..BASE
    },
    Lang {
        names: &["xml", "xsl", "xslt", "svg", "plist", "rss", "atom", "xsd"],
        mode: Mode::Markup,
        ..BASE
    },
    Lang {
        names: &["css"],
        mode: Mode::Css,
        ..BASE
    },
    Lang {
        names: &["scss"],
        mode: Mode::Css,
        flags: flags::DOLLAR_VARS,
        ..BASE
    },
    Lang {
        names: &["json", "jsonc", "json5", "geojson"],
        line_comments: &["//"],
        block_comments: &[("/*", "*/")],
        strings: &[DQ],
        literals: &["false", "null", "true"],
        flags: flags::JSON_KEYS,
        ..BASE
    },
    Lang {
        names: &["yaml", "yml"],
        mode: Mode::Yaml,
        ..BASE
    },
    Lang {
        names: &["toml"],
        mode: Mode::Toml,
        line_comments: &["#"],
        strings: &[TDQ, TSQ_RAW, DQ, SQ_RAW],
        literals: &["false", "inf", "nan", "true"],
        flags: flags::DATES,
        ..BASE
    },
    Lang {
        names: &["markdown", "md", "mdx"],
        mode: Mode::Markdown,
        ..BASE
    },
    Lang {
        names: &["dockerfile", "docker", "containerfile"],
        line_comments: &["#"],
        strings: &[DQ, SQ_RAW],
        keywords: &["ADD", "ARG", "AS", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"],
        flags: flags::SHELL | flags::DOLLAR_VARS,
        ..BASE
    },
    Lang {
        names: &["make", "makefile", "mk", "gnumakefile"],
        mode: Mode::Make,
        line_comments: &["#"],
        strings: &[DQ, SQ_RAW],
        keywords: &["define", "else", "endef", "endif", "export", "ifdef", "ifeq", "ifndef", "ifneq", "include", "override", "undefine", "unexport", "vpath"],
        flags: flags::SHELL | flags::DOLLAR_VARS | flags::MAKE_VARS,
        ..BASE
    },
    Lang {
        names: &["nix"],
        line_comments: &["#"],
        block_comments: &[("/*", "*/")],
        strings: &[NIX_ML, DQ],
        keywords: &["assert", "else", "if", "import", "in", "inherit", "let", "or", "rec", "then", "with"],
        types: &["builtins"],
        literals: &["false", "null", "true"],
        flags: flags::CALLS,
        ident_extra: b"-'",
        ..BASE
    },
    Lang {
        names: &["lua"],
        line_comments: &["--"],
        block_comments: &[("--[[", "]]")],
        strings: &[LUA_LONG, DQ, SQ],
        keywords: &["and", "break", "do", "else", "elseif", "end", "for", "function", "goto", "if", "in", "local", "not", "or", "repeat", "return", "then", "until", "while"],
        literals: &["false", "nil", "self", "true"],
        flags: flags::CALLS,
        ..BASE
    },
    Lang {
        names: &["diff", "patch", "udiff"],
        mode: Mode::Diff,
        ..BASE
    },

];

static BY_NAME: LazyLock<FxHashMap<&'static str, &'static Lang>> = LazyLock::new(|| {
    LANGUAGES
        .iter()
        .flat_map(|lang| lang.names.iter().map(move |name| (*name, lang)))
        .collect()
});

/// The language a fence's name or alias stands for, whatever its case.
pub(super) fn lang(name: &str) -> Option<&'static Lang> {
    if name.bytes().any(|c| c.is_ascii_uppercase()) {
        BY_NAME.get(name.to_ascii_lowercase().as_str()).copied()
    } else {
        BY_NAME.get(name).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted_and_names_unique() {
        let mut names = std::collections::HashSet::new();
        for lang in LANGUAGES {
            for list in [lang.keywords, lang.types, lang.literals] {
                assert!(list.is_sorted(), "{:?}", lang.names);
            }
            for name in lang.names {
                assert!(names.insert(*name), "{name} twice");
                assert_eq!(*name, name.to_lowercase());
            }
        }
    }
}
