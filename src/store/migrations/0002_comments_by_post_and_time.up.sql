-- Version 2: the build reads a post's comments in time order; one index on (post, timestamp,
-- id) serves that and every lookup by post, so it replaces the plain index on post.
CREATE INDEX ix_comments_post_time ON comments (post, timestamp, id);
DROP INDEX ix_comments_post;
