-- Version 5: webmentions. A mention is stored as a comment (so it has the comments' statuses,
-- moderation, console and stamps), its author as a user whose email ends in ".invalid" (never
-- an address, never hashed for an avatar), and what only a mention has in this table beside
-- it. Its submission key is "webmention <source> <post>", so the same source mentioning the
-- same post twice is one row, updated in place.
CREATE TABLE mentions (
    comment_id   INTEGER PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,
    source       TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 2048),
    target       TEXT NOT NULL CHECK (length(target) BETWEEN 1 AND 2048),
    kind         TEXT NOT NULL CHECK (kind IN ('reply', 'like', 'repost', 'bookmark', 'mention')),
    author_url   TEXT CHECK (length(author_url) <= 2048),
    author_photo TEXT CHECK (length(author_photo) <= 2048),
    published    TEXT CHECK (length(published) <= 64)
);
CREATE INDEX ix_mentions_source ON mentions (source);

-- Webmentions sent: each (source, target) pair a send run notified, with a digest of the
-- source's content when it did, so a later run sends only what is new or changed, and sends
-- once more for a link that was removed.
CREATE TABLE sent_mentions (
    source  TEXT NOT NULL,
    target  TEXT NOT NULL,
    digest  TEXT NOT NULL,
    outcome TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (source, target)
) WITHOUT ROWID;
