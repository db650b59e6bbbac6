-- Version 1: the tutorial's users and comments, with the constraints enforced by SQLite itself.
CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    username   TEXT NOT NULL CHECK (length(username) BETWEEN 1 AND 64),
    email      TEXT NOT NULL CHECK (length(email) BETWEEN 1 AND 120),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX ix_users_username ON users (username);
CREATE INDEX ix_users_email ON users (email COLLATE NOCASE);
-- One visitor = one (username, email), emails compared case-insensitively.
CREATE UNIQUE INDEX ux_users_identity ON users (username, email COLLATE NOCASE);

CREATE TABLE comments (
    id             INTEGER PRIMARY KEY,
    post           TEXT NOT NULL CHECK (length(post) > 0),
    parent_id      INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    body           TEXT NOT NULL CHECK (length(body) > 0),
    timestamp      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                   CHECK (timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'spam')),
    submission_key TEXT NOT NULL UNIQUE
);
CREATE INDEX ix_comments_post ON comments (post);
CREATE INDEX ix_comments_timestamp ON comments (timestamp);
CREATE INDEX ix_comments_user ON comments (user_id);
CREATE INDEX ix_comments_parent ON comments (parent_id);

-- A reply lives on its parent's post.
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
