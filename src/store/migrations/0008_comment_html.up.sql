-- Version 8: each comment's HTML, made once when it is stored instead of at every build.
-- body_html is the body rendered and sanitized as post pages show it (code highlighted);
-- html_version is the renderer's version that made it (comments::render::HTML_VERSION). A
-- build uses the stored HTML only when that version is its own, and renders the Markdown
-- otherwise, so a NULL or an old version is never wrong, only slower. The upgrade fills
-- the existing rows right after this, in the same transaction.
--
-- The table is rebuilt (foreign keys are off while SQLite migrates, and checked before the
-- commit) to write two checks in forms SQLite evaluates cheaply, with the same meaning:
-- `status IN (three values)` built a temporary index for every insert, which cost a third of
-- a large ingest, and `length(x) > 0` counted every character of every body.
CREATE TABLE comments_v8 (
    id             INTEGER PRIMARY KEY,
    post           TEXT NOT NULL CHECK (post <> ''),
    parent_id      INTEGER,
    body           TEXT NOT NULL CHECK (body <> ''),
    timestamp      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                   CHECK (timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status = 'pending' OR status = 'approved' OR status = 'spam'),
    submission_key TEXT NOT NULL UNIQUE,
    spam_score     REAL CHECK (spam_score BETWEEN 0 AND 1),
    spam_reasons   TEXT,
    spam_taught    TEXT CHECK (spam_taught IN ('spam', 'ham')),
    body_html      TEXT,
    html_version   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (post, id),
    FOREIGN KEY (parent_id, post) REFERENCES comments_v8 (id, post) ON DELETE CASCADE
);
INSERT INTO comments_v8 (id, post, parent_id, body, timestamp, user_id, status, submission_key,
                         spam_score, spam_reasons, spam_taught)
SELECT id, post, parent_id, body, timestamp, user_id, status, submission_key,
       spam_score, spam_reasons, spam_taught
FROM comments ORDER BY id;
DROP TABLE comments;
ALTER TABLE comments_v8 RENAME TO comments;
CREATE INDEX ix_comments_timestamp ON comments (timestamp);
CREATE INDEX ix_comments_user ON comments (user_id);
CREATE INDEX ix_comments_parent ON comments (parent_id, post) WHERE parent_id IS NOT NULL;
