-- Version 4: "a reply lives on its parent's post" becomes a composite foreign key,
-- (parent_id, post) -> (id, post), instead of a trigger. A trigger made SQLite keep a statement
-- journal for every insert, which cost a fifth of a large ingest; the key costs one index
-- lookup per reply. Its unique (post, id) index also serves every lookup by post, so it
-- replaces the index on (post, timestamp, id): a post's few comments are put in time order
-- after reading. SQLite cannot add a constraint to a table, so the table is rebuilt. The index
-- that finds a comment's replies holds replies only: most comments reply to nobody.
CREATE TABLE comments_v4 (
    id             INTEGER PRIMARY KEY,
    post           TEXT NOT NULL CHECK (length(post) > 0),
    parent_id      INTEGER,
    body           TEXT NOT NULL CHECK (length(body) > 0),
    timestamp      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                   CHECK (timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'spam')),
    submission_key TEXT NOT NULL UNIQUE,
    UNIQUE (post, id),
    FOREIGN KEY (parent_id, post) REFERENCES comments_v4 (id, post) ON DELETE CASCADE
);
INSERT INTO comments_v4 (id, post, parent_id, body, timestamp, user_id, status, submission_key)
SELECT id, post, parent_id, body, timestamp, user_id, status, submission_key FROM comments ORDER BY id;
DROP TABLE comments;
ALTER TABLE comments_v4 RENAME TO comments;
CREATE INDEX ix_comments_timestamp ON comments (timestamp);
CREATE INDEX ix_comments_user ON comments (user_id);
CREATE INDEX ix_comments_parent ON comments (parent_id, post) WHERE parent_id IS NOT NULL;
