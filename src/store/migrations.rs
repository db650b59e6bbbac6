//! The schema's versions: numbered migrations embedded in the binary, each with an upgrade and
//! a downgrade. The SQL is per backend (`migrations/` for SQLite, `migrations/postgres/` for
//! PostgreSQL); the numbering, and so `quill db status`, is shared.

/// One schema change.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The version the schema has after the upgrade.
    pub version: u32,
    /// What it does, for `quill db status`.
    pub name: &'static str,
    /// SQLite upgrade.
    pub up: &'static str,
    /// SQLite downgrade.
    pub down: &'static str,
    /// PostgreSQL upgrade.
    pub pg_up: &'static str,
    /// PostgreSQL downgrade.
    pub pg_down: &'static str,
    /// Whether the downgrade destroys stored data (and so needs `--yes`).
    pub down_drops_data: bool,
}

/// Every migration, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "users and comments",
        up: include_str!("migrations/0001_users_and_comments.up.sql"),
        down: include_str!("migrations/0001_users_and_comments.down.sql"),
        pg_up: include_str!("migrations/postgres/0001_users_and_comments.up.sql"),
        pg_down: include_str!("migrations/postgres/0001_users_and_comments.down.sql"),
        down_drops_data: true,
    },
    Migration {
        version: 2,
        name: "comments indexed by post and time",
        up: include_str!("migrations/0002_comments_by_post_and_time.up.sql"),
        down: include_str!("migrations/0002_comments_by_post_and_time.down.sql"),
        pg_up: include_str!("migrations/postgres/0002_comments_by_post_and_time.up.sql"),
        pg_down: include_str!("migrations/postgres/0002_comments_by_post_and_time.down.sql"),
        down_drops_data: false,
    },
    Migration {
        version: 3,
        name: "a change stamp and approved count per post, for incremental builds",
        up: include_str!("migrations/0003_post_comment_stamps.up.sql"),
        down: include_str!("migrations/0003_post_comment_stamps.down.sql"),
        pg_up: include_str!("migrations/postgres/0003_post_comment_stamps.up.sql"),
        pg_down: include_str!("migrations/postgres/0003_post_comment_stamps.down.sql"),
        down_drops_data: false,
    },
    Migration {
        version: 4,
        name: "replies checked by a foreign key on (parent, post) instead of a trigger",
        up: include_str!("migrations/0004_reply_rule_as_foreign_key.up.sql"),
        down: include_str!("migrations/0004_reply_rule_as_foreign_key.down.sql"),
        pg_up: include_str!("migrations/postgres/0004_reply_rule_as_foreign_key.up.sql"),
        pg_down: include_str!("migrations/postgres/0004_reply_rule_as_foreign_key.down.sql"),
        down_drops_data: false,
    },
    Migration {
        version: 5,
        name: "webmentions, stored as comments with their source and kind beside them",
        up: include_str!("migrations/0005_webmentions.up.sql"),
        down: include_str!("migrations/0005_webmentions.down.sql"),
        pg_up: include_str!("migrations/postgres/0005_webmentions.up.sql"),
        pg_down: include_str!("migrations/postgres/0005_webmentions.down.sql"),
        down_drops_data: true,
    },
    Migration {
        version: 6,
        name: "the spam filter's model, and each comment's score and lesson",
        up: include_str!("migrations/0006_spam_filter.up.sql"),
        down: include_str!("migrations/0006_spam_filter.down.sql"),
        pg_up: include_str!("migrations/postgres/0006_spam_filter.up.sql"),
        pg_down: include_str!("migrations/postgres/0006_spam_filter.down.sql"),
        down_drops_data: false,
    },
    Migration {
        version: 7,
        name: "each post's number of top-level comments, for paging threads unread",
        up: include_str!("migrations/0007_top_level_counts.up.sql"),
        down: include_str!("migrations/0007_top_level_counts.down.sql"),
        pg_up: include_str!("migrations/postgres/0007_top_level_counts.up.sql"),
        pg_down: include_str!("migrations/postgres/0007_top_level_counts.down.sql"),
        down_drops_data: false,
    },
    Migration {
        version: 8,
        name: "each comment's HTML, made once when it is stored",
        up: include_str!("migrations/0008_comment_html.up.sql"),
        down: include_str!("migrations/0008_comment_html.down.sql"),
        pg_up: include_str!("migrations/postgres/0008_comment_html.up.sql"),
        pg_down: include_str!("migrations/postgres/0008_comment_html.down.sql"),
        down_drops_data: false,
    },
];

/// The first version whose comments hold their HTML (`body_html`, `html_version`): every
/// upgrade to it or past it fills the HTML of the rows that lack a current one.
pub const COMMENT_HTML: u32 = 8;

/// The newest schema version this binary knows.
pub fn latest() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The migrations to run, in order, to go from `from` to `to` (upgrades or downgrades).
pub fn path(from: u32, to: u32) -> Vec<&'static Migration> {
    if to >= from {
        MIGRATIONS
            .iter()
            .filter(|m| m.version > from && m.version <= to)
            .collect()
    } else {
        MIGRATIONS
            .iter()
            .rev()
            .filter(|m| m.version <= from && m.version > to)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1);
        }
    }

    #[test]
    fn paths_go_both_ways() {
        assert_eq!(
            path(0, 2).iter().map(|m| m.version).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(
            path(2, 0).iter().map(|m| m.version).collect::<Vec<_>>(),
            [2, 1]
        );
        assert_eq!(
            path(1, 2).iter().map(|m| m.version).collect::<Vec<_>>(),
            [2]
        );
        assert!(path(2, 2).is_empty());
    }
}
