CREATE TABLE comments_v3 (
    id             INTEGER PRIMARY KEY,
    post           TEXT NOT NULL CHECK (length(post) > 0),
    parent_id      INTEGER REFERENCES comments_v3 (id) ON DELETE CASCADE,
    body           TEXT NOT NULL CHECK (length(body) > 0),
    timestamp      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                   CHECK (timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'spam')),
    submission_key TEXT NOT NULL UNIQUE
);
INSERT INTO comments_v3 (id, post, parent_id, body, timestamp, user_id, status, submission_key)
SELECT id, post, parent_id, body, timestamp, user_id, status, submission_key FROM comments ORDER BY id;
DROP TABLE comments;
ALTER TABLE comments_v3 RENAME TO comments;
CREATE INDEX ix_comments_timestamp ON comments (timestamp);
CREATE INDEX ix_comments_user ON comments (user_id);
CREATE INDEX ix_comments_parent ON comments (parent_id);
CREATE INDEX ix_comments_post_time ON comments (post, timestamp, id);
CREATE TRIGGER tr_comments_parent_same_post_insert BEFORE INSERT ON comments
WHEN NEW.parent_id IS NOT NULL
 AND (SELECT post FROM comments WHERE id = NEW.parent_id) IS NOT NEW.post
BEGIN
    SELECT RAISE(ABORT, 'a reply must be on the same post as its parent');
END;
CREATE TRIGGER tr_comments_parent_same_post_update BEFORE UPDATE OF parent_id ON comments
WHEN NEW.parent_id IS NOT NULL
 AND (SELECT post FROM comments WHERE id = NEW.parent_id) IS NOT NEW.post
BEGIN
    SELECT RAISE(ABORT, 'a reply must be on the same post as its parent');
END;
