//! The tokens the spam filter weighs: the body's words (lowercased), the domains it links to
//! (`link:example.com`) and how many links it has (`links:2`), the words of the name
//! (`name:ada`) and the email's domain (`email:example.org`). The email's local part is never
//! a token: the model must not hold visitors' addresses.

/// The parts of a comment the filter reads.
#[derive(Debug, Clone, Copy)]
pub struct Parts<'a> {
    /// The commenter's name.
    pub username: &'a str,
    /// The commenter's email.
    pub email: &'a str,
    /// The body as written.
    pub body: &'a str,
}

/// Words longer than this are not words (hashes, base64, runs of letters) and say little.
const MAX_WORD_CHARS: usize = 24;

/// More links than this all count as this many.
const MAX_LINK_COUNT: usize = 3;

/// Calls `each` with every token of a comment, in order and with repeats, each built in
/// `buf` (which is cleared and reused, so tokenising allocates nothing once it has grown).
/// For learning and explaining; scoring takes the tokens' [`key`]s from [`for_each_key`].
pub fn for_each_token(parts: &Parts<'_>, buf: &mut String, each: &mut dyn FnMut(&str)) {
    words(parts.body, "", buf, each);
    let mut links = 0;
    for host in link_hosts(parts.body) {
        links += 1;
        buf.clear();
        buf.push_str("link:");
        push_lower(buf, strip_www(host));
        each(buf);
    }
    buf.clear();
    buf.push_str("links:");
    buf.push(char::from(b'0' + links.min(MAX_LINK_COUNT) as u8));
    each(buf);
    words(parts.username, "name:", buf, each);
    if let Some((_, domain)) = parts.email.rsplit_once('@') {
        buf.clear();
        buf.push_str("email:");
        push_lower(buf, domain);
        each(buf);
    }
}

/// Calls `each` with the [`key`] of every token [`for_each_token`] gives, in the same order,
/// without building the tokens: an ASCII word is hashed where it stands, its letters folded
/// as they are read. Only a text with other characters is spelled out in `buf` first.
pub fn for_each_key(parts: &Parts<'_>, buf: &mut String, each: &mut impl FnMut(u64)) {
    word_keys(parts.body, Key::START, "", buf, each);
    let mut links = 0;
    for host in link_hosts(parts.body) {
        links += 1;
        each(Key::START.push(b"link:").push(strip_www(host).as_bytes()).0);
    }
    let count = b'0' + links.min(MAX_LINK_COUNT) as u8;
    each(Key::START.push(b"links:").push(&[count]).0);
    word_keys(
        parts.username,
        Key::START.push(b"name:"),
        "name:",
        buf,
        each,
    );
    if let Some((_, domain)) = parts.email.rsplit_once('@') {
        each(Key::START.push(b"email:").push(domain.as_bytes()).0);
    }
}

/// The 64-bit hash a token is looked up by: FNV-1a over its bytes, with ASCII capitals read
/// as small letters (so a word can be hashed in place; a token's own text is already in
/// lower case). Two of a model's hundred thousand tokens share a key by a chance of about one
/// in four billion. It is no defence against a crafted collision, and needs none: a word made
/// to weigh like a known ham word gains a spammer nothing the ham word itself would not.
pub fn key(token: &str) -> u64 {
    Key::START.push(token.as_bytes()).0
}

const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// For each byte, its lower-case form if it belongs in an ASCII word (a letter or digit), else
/// zero.
const WORD_BYTE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() {
            table[b] = byte.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// A [`key`] being computed.
#[derive(Debug, Clone, Copy)]
struct Key(u64);

impl Key {
    const START: Key = Key(0xcbf2_9ce4_8422_2325);

    fn push(self, bytes: &[u8]) -> Key {
        let mut h = self.0;
        for &b in bytes {
            h = (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(FNV_PRIME);
        }
        Key(h)
    }
}

fn strip_www(host: &str) -> &str {
    host.strip_prefix("www.").unwrap_or(host)
}

/// The words of `text` (runs of letters and digits, two or more long), lowercased and
/// prefixed.
fn words(text: &str, prefix: &str, buf: &mut String, each: &mut dyn FnMut(&str)) {
    if text.is_ascii() {
        // Most comments: bytes are characters, and a word too long is skipped uncopied.
        ascii_words(text, |word| {
            buf.clear();
            buf.push_str(prefix);
            buf.push_str(word);
            buf[prefix.len()..].make_ascii_lowercase();
            each(buf);
        });
    } else {
        unicode_words(text, prefix, buf, each);
    }
}

/// The keys of [`words`]' tokens; `start` is the key of `prefix`.
fn word_keys(text: &str, start: Key, prefix: &str, buf: &mut String, each: &mut impl FnMut(u64)) {
    if text.is_ascii() {
        // One pass that finds, folds and hashes each word at once, for the most common
        // case; it gives what `ascii_words` gives (the tests hold the two together).
        let (mut h, mut len) = (start.0, 0);
        for &b in text.as_bytes().iter().chain(std::iter::once(&b' ')) {
            let folded = WORD_BYTE[usize::from(b)];
            if folded != 0 {
                h = (h ^ u64::from(folded)).wrapping_mul(FNV_PRIME);
                len += 1;
            } else if len > 0 {
                if (2..=MAX_WORD_CHARS).contains(&len) {
                    each(h);
                }
                (h, len) = (start.0, 0);
            }
        }
    } else {
        unicode_words(text, prefix, buf, &mut |token| each(key(token)));
    }
}

/// The words (two to [`MAX_WORD_CHARS`] letters and digits) of an ASCII text, as written.
fn ascii_words<'a>(text: &'a str, mut each: impl FnMut(&'a str)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if (2..=MAX_WORD_CHARS).contains(&(i - start)) {
            each(&text[start..i]);
        }
    }
}

/// The words of any text, lowercased by Unicode's rules, each built in `buf` after `prefix`.
fn unicode_words(text: &str, prefix: &str, buf: &mut String, each: &mut dyn FnMut(&str)) {
    let mut chars = 0;
    buf.clear();
    buf.push_str(prefix);
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_alphanumeric() {
            chars += 1;
            if chars <= MAX_WORD_CHARS {
                if c.is_ascii() {
                    buf.push(c.to_ascii_lowercase());
                } else {
                    buf.extend(c.to_lowercase());
                }
            }
        } else {
            if (2..=MAX_WORD_CHARS).contains(&chars) {
                each(buf);
            }
            chars = 0;
            buf.truncate(prefix.len());
        }
    }
}

fn push_lower(buf: &mut String, text: &str) {
    buf.extend(text.chars().map(|c| c.to_ascii_lowercase()));
}

/// The hosts of the `http://` and `https://` links of a text, as written.
fn link_hosts(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    // A search for the colon alone runs through memchr, several times faster than one for
    // "://" over the many bodies without a link.
    text.match_indices(':').filter_map(move |(at, _)| {
        if !bytes[at + 1..].starts_with(b"//") {
            return None;
        }
        let scheme = |s: &[u8]| at >= s.len() && bytes[at - s.len()..at].eq_ignore_ascii_case(s);
        if !(scheme(b"http") || scheme(b"https")) {
            return None;
        }
        let start = at + 3;
        let end = bytes[start..]
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
            .map_or(bytes.len(), |i| start + i);
        let host = text[start..end].trim_end_matches('.');
        (!host.is_empty()).then_some(host)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(username: &str, email: &str, body: &str) -> Vec<String> {
        let mut out = Vec::new();
        let parts = Parts {
            username,
            email,
            body,
        };
        for_each_token(&parts, &mut String::new(), &mut |t| out.push(t.to_string()));
        out
    }

    #[test]
    fn the_keys_are_the_keys_of_the_tokens() {
        let cases = [
            (
                "Ada Lovelace",
                "Ada@Example.ORG",
                "Nice POST, see https://www.Pills.example.com/x?a=1 and é!",
            ),
            (
                "Grace",
                "g@example.org",
                "Plain ASCII words, HTTP://WWW.Shop.Example/x and http://a.org",
            ),
            (
                "Zoë Straße",
                "z@ÉCOLE.example",
                "ÉCOLE Straße naïve KELVIN \u{212A} 123",
            ),
            ("", "no-at-sign", ""),
            (
                "x",
                "x@y",
                "a ://x ftp://y http:// aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ok:",
            ),
            (
                "A",
                "a@b",
                "twenty-four: abcdefghijklmnopqrstuvwx, 25: abcdefghijklmnopqrstuvwxy!",
            ),
            (
                "A",
                "a@b",
                "https://x.org/a:b: http://,see: HTTPS://Y.ORG. end",
            ),
        ];
        for (username, email, body) in cases {
            let parts = Parts {
                username,
                email,
                body,
            };
            let mut from_tokens = Vec::new();
            for_each_token(&parts, &mut String::new(), &mut |t| {
                from_tokens.push(key(t))
            });
            let mut keys = Vec::new();
            for_each_key(&parts, &mut String::new(), &mut |k| keys.push(k));
            assert_eq!(keys, from_tokens, "{body}");
        }
        assert_ne!(key("name:ada"), key("ada"));
        assert_ne!(key("ab"), key("ba"));
    }

    #[test]
    fn words_links_name_and_email_domain() {
        assert_eq!(
            tokens(
                "Ada Lovelace",
                "Ada@Example.ORG",
                "Nice POST, see https://www.Pills.example.com/x?a=1 and é!"
            ),
            [
                "nice",
                "post",
                "see",
                "https",
                "www",
                "pills",
                "example",
                "com",
                "and",
                "link:pills.example.com",
                "links:1",
                "name:ada",
                "name:lovelace",
                "email:example.org"
            ]
        );
    }

    #[test]
    fn ascii_text_gives_the_words_the_general_path_gives() {
        let ascii = "Hello, WORLD x 123 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ok";
        let mut with_accent = tokens("", "", &format!("{ascii} é"));
        with_accent.retain(|t| t != "é");
        assert_eq!(tokens("", "", ascii), with_accent);
        assert_eq!(
            tokens("", "", ascii),
            ["hello", "world", "123", "ok", "links:0"]
        );
    }

    #[test]
    fn the_email_local_part_is_never_a_token() {
        assert!(
            !tokens("A", "secret.person@example.org", "hi there")
                .iter()
                .any(|t| t.contains("secret"))
        );
    }

    #[test]
    fn odd_input_gives_few_tokens_and_no_panic() {
        assert_eq!(tokens("", "", ""), ["links:0"]);
        assert_eq!(
            tokens("x", "no-at-sign", "a ://x ftp://y http://"),
            ["ftp", "http", "links:0"]
        );
        let long = "a".repeat(100);
        assert_eq!(tokens("", "", &long), ["links:0"]);
        assert_eq!(
            tokens("", "", "ÉCOLE Straße"),
            ["école", "straße", "links:0"]
        );
        let colons = tokens(
            "",
            "",
            "https://x.org/a:b: http://,see: HTTPS://Y.ORG. end:",
        );
        assert!(
            colons.ends_with(&["link:x.org", "link:y.org", "links:2"].map(String::from)),
            "{colons:?}"
        );
        let many = "http://a.org http://b.org http://c.org http://d.org http://e.org";
        assert!(tokens("", "", many).contains(&"links:3".to_string()));
    }
}
