-- Version 2: the build reads every approved comment in one query, by post and time.
CREATE INDEX ix_comments_status_post_time ON comments (status, post, timestamp, id);
