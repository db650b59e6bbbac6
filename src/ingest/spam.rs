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
    let lower_body = body.to_lowercase();
    let lower_name = username.to_lowercase();
    let blocked = config
        .blocklist
        .iter()
        .map(|w| w.trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .any(|w| lower_body.contains(&w) || lower_name.contains(&w));
    if honeypot_filled || blocked {
        return Status::Spam;
    }
    if links(&lower_body) > config.max_links || config.moderation == Moderation::Manual {
        return Status::Pending;
    }
    Status::Approved
}

/// How many links a body carries.
fn links(lower_body: &str) -> usize {
    lower_body.matches("http://").count() + lower_body.matches("https://").count()
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
