-- Version 2: one index on (post, timestamp, id) serves the build's read in time order and every
-- lookup by post, so it replaces the plain index on post.
CREATE INDEX ix_comments_post_time ON comments (post, timestamp, id);
DROP INDEX ix_comments_post;
