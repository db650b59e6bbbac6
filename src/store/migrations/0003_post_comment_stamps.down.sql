DROP TABLE post_comment_stamps;
