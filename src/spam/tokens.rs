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
pub fn for_each_token(parts: &Parts<'_>, buf: &mut String, each: &mut dyn FnMut(&str)) {
    words(parts.body, "", buf, each);
    let mut links = 0;
    for host in link_hosts(parts.body) {
        links += 1;
        buf.clear();
        buf.push_str("link:");
        push_lower(buf, host.strip_prefix("www.").unwrap_or(host));
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

/// The words of `text` (runs of letters and digits, two or more long), lowercased and
/// prefixed.
fn words(text: &str, prefix: &str, buf: &mut String, each: &mut dyn FnMut(&str)) {
    buf.clear();
    buf.push_str(prefix);
    if text.is_ascii() {
        // Most comments: bytes are characters, and a word too long is skipped uncopied.
        let bytes = text.as_bytes();
        let mut start = None;
        for (i, &b) in bytes.iter().chain(std::iter::once(&b' ')).enumerate() {
            if b.is_ascii_alphanumeric() {
                start.get_or_insert(i);
            } else if let Some(s) = start.take()
                && (2..=MAX_WORD_CHARS).contains(&(i - s))
            {
                buf.truncate(prefix.len());
                buf.extend(
                    bytes[s..i]
                        .iter()
                        .map(|b| char::from(b.to_ascii_lowercase())),
                );
                each(buf);
            }
        }
        return;
    }
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
    text.match_indices("://").filter_map(move |(at, _)| {
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
        let many = "http://a.org http://b.org http://c.org http://d.org http://e.org";
        assert!(tokens("", "", many).contains(&"links:3".to_string()));
    }
}
