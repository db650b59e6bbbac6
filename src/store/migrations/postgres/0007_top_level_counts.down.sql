-- The count goes; builds read the threads to page them again.
ALTER TABLE post_comment_stamps DROP COLUMN top_level;
