-- Version 4 for PostgreSQL: "a reply lives on its parent's post" becomes a composite foreign
-- key, (parent_id, post) -> (id, post), as on SQLite, instead of a trigger. Its unique
-- (post, id) index also serves every lookup by post and replaces (post, timestamp, id).
ALTER TABLE comments ADD CONSTRAINT uq_comments_post_id UNIQUE (post, id);
ALTER TABLE comments ADD CONSTRAINT fk_comments_parent_same_post
    FOREIGN KEY (parent_id, post) REFERENCES comments (id, post) ON DELETE CASCADE;
CREATE INDEX ix_comments_parent_post ON comments (parent_id, post);
DROP INDEX ix_comments_parent;
DROP INDEX ix_comments_post_time;
DROP TRIGGER tr_comments_parent_same_post ON comments;
DROP FUNCTION quill_comments_parent_same_post();
