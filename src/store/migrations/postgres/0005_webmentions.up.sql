-- Version 5 for PostgreSQL: webmentions, stored as comments with what only a mention has in
-- this table beside them (see the SQLite version for why).
CREATE TABLE mentions (
    comment_id   BIGINT PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,
    source       TEXT COLLATE "C" NOT NULL CHECK (char_length(source) BETWEEN 1 AND 2048),
    target       TEXT COLLATE "C" NOT NULL CHECK (char_length(target) BETWEEN 1 AND 2048),
    kind         TEXT COLLATE "C" NOT NULL
                 CHECK (kind IN ('reply', 'like', 'repost', 'bookmark', 'mention')),
    author_url   TEXT COLLATE "C" CHECK (char_length(author_url) <= 2048),
    author_photo TEXT COLLATE "C" CHECK (char_length(author_photo) <= 2048),
    published    TEXT COLLATE "C" CHECK (char_length(published) <= 64)
);
CREATE INDEX ix_mentions_source ON mentions (source);

-- Webmentions sent (see the SQLite version).
CREATE TABLE sent_mentions (
    source  TEXT COLLATE "C" NOT NULL,
    target  TEXT COLLATE "C" NOT NULL,
    digest  TEXT COLLATE "C" NOT NULL,
    outcome TEXT COLLATE "C" NOT NULL,
    sent_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (source, target)
);
