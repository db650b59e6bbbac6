//! Spam and moderation: the honeypot, too many links, blocked words, and the site's policy.

use crate::comments::Status;
use crate::config::{CommentsConfig, Moderation};

/// The status a valid submission is stored with.
pub fn status(
    config: &CommentsConfig,
    honeypot_filled: bool,
    username: &str,
    body: &str,
) -> Status {
    if honeypot_filled || blocked(config, username, body) {
        return Status::Spam;
    }
    if links(body) > config.max_links || config.moderation == Moderation::Manual {
        return Status::Pending;
    }
    Status::Approved
}

/// Whether the name or the body contains a blocklisted word, ignoring case.
fn blocked(config: &CommentsConfig, username: &str, body: &str) -> bool {
    // Most sites have no blocklist: then nothing needs lowercasing.
    if config.blocklist.iter().all(|w| w.trim().is_empty()) {
        return false;
    }
    let lower_body = body.to_lowercase();
    let lower_name = username.to_lowercase();
    config
        .blocklist
        .iter()
        .map(|w| w.trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .any(|w| lower_body.contains(&w) || lower_name.contains(&w))
}

/// How many `http://` and `https://` links a body carries, in any case.
fn links(body: &str) -> usize {
    let bytes = body.as_bytes();
    body.match_indices("://")
        .filter(|&(at, _)| {
            let ends_with = |scheme: &[u8]| {
                at >= scheme.len() && bytes[at - scheme.len()..at].eq_ignore_ascii_case(scheme)
            };
            ends_with(b"http") || ends_with(b"https")
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let mut config = CommentsConfig::default();
        assert_eq!(status(&config, false, "Ada", "Nice post"), Status::Approved);
        assert_eq!(status(&config, true, "Ada", "Nice post"), Status::Spam);
        let links = "https://a.org https://b.org http://c.org https://d.org";
        assert_eq!(status(&config, false, "Ada", links), Status::Pending);
        assert_eq!(
            status(
                &config,
                false,
                "Ada",
                "https://a.org https://b.org http://c.org"
            ),
            Status::Approved
        );
        assert_eq!(
            super::links("HTTPS://a.org Http://b.org ftp://c.org :// https:/d"),
            2
        );
        config.blocklist = vec!["Casino".into()];
        assert_eq!(
            status(&config, false, "Ada", "best CASINO here"),
            Status::Spam
        );
        assert_eq!(status(&config, false, "casino king", "hello"), Status::Spam);
        config.moderation = Moderation::Manual;
        assert_eq!(status(&config, false, "Ada", "Nice post"), Status::Pending);
        assert_eq!(status(&config, true, "Ada", "Nice post"), Status::Spam);
    }
}
