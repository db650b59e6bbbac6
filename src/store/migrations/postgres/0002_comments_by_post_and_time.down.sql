CREATE INDEX ix_comments_post ON comments (post);
DROP INDEX ix_comments_post_time;
