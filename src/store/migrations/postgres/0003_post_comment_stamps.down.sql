DROP TABLE post_comment_stamps;
DROP FUNCTION quill_new_stamp();
